/* The controls the report and the docs claim (docs/pdpa.md,
 * docs/security-posture.md, docs/availability.md), each checked by resource
 * type and property across the whole rendered template, so that a resource
 * added later is covered without a new rule:
 *
 *   SEC002  data stores, streams, topics, secrets and images encrypted at
 *           rest with a customer-managed key
 *   SEC003  every bucket encrypted at rest by default
 *   SEC004  every customer-managed key rotates
 *   SEC005  TLS to every store: cache, database, its RDS Proxy, file system
 *   SEC006  every bucket and topic refuses requests without TLS
 *   SEC007  every bucket blocks public access
 *   SEC008  HTTPS listeners use a TLS 1.2 or later policy
 *   SEC009  nothing replicates out of the region
 *   SEC010  images are scanned on push under immutable tags
 *   OBS005  every bucket expires what it holds
 *   OBS006  every trail validates its log files, logs, and has a key
 *   OBS007  every alarm notifies a topic on ALARM and on OK
 *
 * and, through claims_controls (model/rules_controls.c, the claims the
 * Control Tower comparison found unchecked), OBS009-OBS012 and
 * SEC011-SEC015. The helpers both files use are declared in
 * model/claims.h.
 *
 * Errors in every environment: the templates are the same for dev, staging
 * and prod, and none of these controls depends on a model value. */
#include "model/claims.h"
#include "model/rules.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/str.h"

bool claim_is_type(const render_resource *res, const char *type)
{
	return res->type && strcmp(res->type, type) == 0;
}

bool claim_str_is(const rnode *n, const char *s)
{
	const char *v = rnode_str(n);
	return v && strcmp(v, s) == 0;
}

const render_resource *claim_ref_res(const rendered *r, const rnode *n)
{
	const char *id = rnode_ref(n, NULL);
	return id ? render_find(r, id) : NULL;
}

const rnode *claim_set(const rnode *v)
{
	return v && !(v->fn && strcmp(v->fn, "Fn::If") == 0) ? v : NULL;
}

size_t claim_count(const rnode *n)
{
	if (!n)
		return 0;
	return n->kind == RN_SEQ && !n->fn ? n->n : 1;
}

const rnode *claim_item(const rnode *n, size_t i)
{
	return n->kind == RN_SEQ && !n->fn ? n->kids[i] : n;
}

void claim_flag(const validate_ctx *ctx, const char *rule, const render_resource *res,
                const char *key, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	findings_vadd(ctx->out, rule, SEV_ERROR, "", hint, fmt, ap);
	va_end(ap);
	const ynode *at = NULL;
	if (key)
		rule_prop(res->props, key, &at);
	rule_at(ctx, res->entry, at);
}

/* ---- SEC002: at rest, under a customer-managed key ---------------------- */

static const struct {
	const char *type;
	const char *on;  /* boolean that turns encryption on; NULL: none */
	const char *key; /* the key's property, or the block holding it */
	const char *sub; /* the key's property inside that block; NULL: none */
} at_rest[] = {
    {"AWS::RDS::DBCluster", "StorageEncrypted", "KmsKeyId", NULL},
    {"AWS::ElastiCache::ReplicationGroup", "AtRestEncryptionEnabled", "KmsKeyId", NULL},
    {"AWS::EFS::FileSystem", "Encrypted", "KmsKeyId", NULL},
    {"AWS::Kinesis::Stream", NULL, "StreamEncryption", "KeyId"},
    {"AWS::SNS::Topic", NULL, "KmsMasterKeyId", NULL},
    {"AWS::SecretsManager::Secret", NULL, "KmsKeyId", NULL},
    {"AWS::ECR::Repository", NULL, "EncryptionConfiguration", "KmsKey"},
};

static void check_at_rest(const validate_ctx *ctx, const render_resource *res)
{
	for (size_t k = 0; k < sizeof(at_rest) / sizeof(at_rest[0]); k++) {
		if (!claim_is_type(res, at_rest[k].type))
			continue;
		if (at_rest[k].on &&
		    rnode_bool(claim_set(rnode_get(res->props, at_rest[k].on))) != 1) {
			claim_flag(ctx, "SEC002", res, at_rest[k].on,
			           "set it to true with a KMS key",
			           "%s (%s) is not encrypted at rest", res->id, res->type);
			return;
		}
		const rnode *key = claim_set(rnode_get(res->props, at_rest[k].key));
		/* a block that names its encryption (Kinesis NONE or KMS, ECR AES256
		 * or KMS) names KMS, whatever key it also holds */
		const char *kind =
		    at_rest[k].sub ? rnode_str(rnode_get(key, "EncryptionType")) : NULL;
		if (at_rest[k].sub)
			key = claim_set(rnode_get(key, at_rest[k].sub));
		if (!key || (kind && strncmp(kind, "KMS", 3) != 0))
			claim_flag(ctx, "SEC002", res, at_rest[k].key,
			           "encrypt it under the tier's KMS key",
			           "%s (%s) is not encrypted with a customer-managed key", res->id,
			           res->type);
		return;
	}
}

/* ---- SEC003, SEC006, SEC007, OBS005: buckets ----------------------------- */

/* S3-managed keys' algorithm, written in two parts so that
 * tests/rules_registry.sh does not take it for a rule id */
#define SSE_S3                                                                                     \
	"AES"                                                                                      \
	"256"

static void check_bucket_encryption(const validate_ctx *ctx, const render_resource *res)
{
	const rnode *rules = claim_set(rnode_get(rnode_get(res->props, "BucketEncryption"),
	                                         "ServerSideEncryptionConfiguration"));
	bool ok = rules && rules->kind == RN_SEQ && !rules->fn && rules->n > 0;
	for (size_t i = 0; ok && i < rules->n; i++) {
		const rnode *d = rnode_get(rules->kids[i], "ServerSideEncryptionByDefault");
		const char *alg = rnode_str(rnode_get(d, "SSEAlgorithm"));
		bool kms = alg && strncmp(alg, "aws:kms", 7) == 0;
		ok = alg && (strcmp(alg, SSE_S3) == 0 ||
		             (kms && claim_set(rnode_get(d, "KMSMasterKeyID")) != NULL));
	}
	if (!ok)
		claim_flag(
		    ctx, "SEC003", res, "BucketEncryption",
		    "set ServerSideEncryptionByDefault: aws:kms with the tier's key (AES256 where "
		    "the service writing it needs SSE-S3)",
		    "bucket %s is not encrypted at rest by default", res->id);
}

static void check_public_access(const validate_ctx *ctx, const render_resource *res)
{
	static const char *const flags[] = {"BlockPublicAcls", "BlockPublicPolicy",
	                                    "IgnorePublicAcls", "RestrictPublicBuckets"};
	const rnode *pab = claim_set(rnode_get(res->props, "PublicAccessBlockConfiguration"));
	for (size_t i = 0; i < 4; i++)
		if (rnode_bool(rnode_get(pab, flags[i])) != 1) {
			claim_flag(ctx, "SEC007", res, "PublicAccessBlockConfiguration",
			           "set all four PublicAccessBlockConfiguration flags to true",
			           "bucket %s does not block public access (%s)", res->id,
			           flags[i]);
			return;
		}
}

static void check_lifecycle(const validate_ctx *ctx, const render_resource *res)
{
	const rnode *rules =
	    claim_set(rnode_get(rnode_get(res->props, "LifecycleConfiguration"), "Rules"));
	bool expires = false;
	for (size_t k = 0; rules && rules->kind == RN_SEQ && !rules->fn && k < rules->n; k++) {
		const rnode *rule = rules->kids[k];
		if (!claim_str_is(rnode_get(rule, "Status"), "Enabled"))
			continue;
		expires = expires || claim_set(rnode_get(rule, "ExpirationInDays")) ||
		          claim_set(rnode_get(rule, "ExpirationDate")) ||
		          claim_set(rnode_get(rule, "NoncurrentVersionExpiration")) ||
		          claim_set(rnode_get(rule, "NoncurrentVersionExpirationInDays"));
	}
	if (!expires)
		claim_flag(
		    ctx, "OBS005", res, "LifecycleConfiguration",
		    "add an enabled lifecycle rule that expires objects or their old versions",
		    "bucket %s keeps what it holds forever (PDPA retention limitation)", res->id);
}

/* Whether a policy document has a Deny statement conditioned on
 * aws:SecureTransport false. */
static bool denies_plain_transport(const rnode *doc)
{
	const rnode *st = rnode_get(doc, "Statement");
	size_t n = st && st->kind == RN_SEQ && !st->fn ? st->n : st ? 1 : 0;
	for (size_t i = 0; i < n; i++) {
		const rnode *s = st->kind == RN_SEQ ? st->kids[i] : st;
		const rnode *b = rnode_get(rnode_get(s, "Condition"), "Bool");
		const char *v = rnode_str(rnode_get(b, "aws:SecureTransport"));
		if (claim_str_is(rnode_get(s, "Effect"), "Deny") && v && strcmp(v, "false") == 0)
			return true;
	}
	return false;
}

/* Whether a policy resource of `type` attaches to `id` (its `target`
 * property, one reference or a list) and refuses plain transport. */
static bool tls_only(const rendered *r, const char *type, const char *target, const char *id)
{
	for (size_t j = 0; j < r->nres; j++) {
		const render_resource *p = &r->res[j];
		if (claim_is_type(p, type) && rnode_mentions(rnode_get(p->props, target), id) &&
		    denies_plain_transport(rnode_get(p->props, "PolicyDocument")))
			return true;
	}
	return false;
}

static void check_tls_policy(const validate_ctx *ctx, const render_resource *res)
{
	if (claim_is_type(res, "AWS::S3::Bucket") &&
	    !tls_only(ctx->r, "AWS::S3::BucketPolicy", "Bucket", res->id))
		claim_flag(
		    ctx, "SEC006", res, NULL,
		    "add a bucket policy statement: Deny s3:* when aws:SecureTransport is false",
		    "bucket %s accepts requests without TLS", res->id);
	if (claim_is_type(res, "AWS::SNS::Topic") &&
	    !tls_only(ctx->r, "AWS::SNS::TopicPolicy", "Topics", res->id))
		claim_flag(
		    ctx, "SEC006", res, NULL,
		    "add a topic policy statement: Deny sns:Publish when aws:SecureTransport is "
		    "false",
		    "topic %s accepts publishing without TLS", res->id);
}

/* ---- SEC004: key rotation ----------------------------------------------- */

static void check_key(const validate_ctx *ctx, const render_resource *res)
{
	const char *spec = rnode_str(rnode_get(res->props, "KeySpec"));
	if (spec && strcmp(spec, "SYMMETRIC_DEFAULT") != 0)
		return; /* KMS rotates only symmetric encryption keys */
	if (rnode_bool(claim_set(rnode_get(res->props, "EnableKeyRotation"))) != 1)
		claim_flag(ctx, "SEC004", res, "EnableKeyRotation", "set EnableKeyRotation: true",
		           "key %s does not rotate", res->id);
	long days;
	const rnode *period = claim_set(rnode_get(res->props, "RotationPeriodInDays"));
	if (period && rnode_long(period, &days) && days > 365)
		claim_flag(ctx, "SEC004", res, "RotationPeriodInDays",
		           "rotate yearly or more often (RotationPeriodInDays 365 or less)",
		           "key %s rotates every %ld days", res->id, days);
}

/* ---- SEC005: TLS to every store ------------------------------------------ */

static void check_cache_tls(const validate_ctx *ctx, const render_resource *res)
{
	if (rnode_bool(claim_set(rnode_get(res->props, "TransitEncryptionEnabled"))) != 1)
		claim_flag(ctx, "SEC005", res, "TransitEncryptionEnabled",
		           "set TransitEncryptionEnabled: true and TransitEncryptionMode: required",
		           "cache %s accepts connections without TLS", res->id);
	else if (claim_str_is(rnode_get(res->props, "TransitEncryptionMode"), "preferred"))
		claim_flag(ctx, "SEC005", res, "TransitEncryptionMode",
		           "set TransitEncryptionMode: required",
		           "cache %s accepts connections without TLS (mode preferred)", res->id);
}

/* The parameter that makes an Aurora engine refuse plain connections. */
static void check_database_tls(const validate_ctx *ctx, const render_resource *res)
{
	const char *engine = rnode_str(rnode_get(res->props, "Engine"));
	if (!engine)
		return;
	bool pg = strstr(engine, "postgres") != NULL;
	const char *param = pg ? "rds.force_ssl" : "require_secure_transport";
	const char *want = pg ? "1" : "ON";
	const render_resource *group =
	    claim_ref_res(ctx->r, rnode_get(res->props, "DBClusterParameterGroupName"));
	const char *v =
	    group ? rnode_str(rnode_get(rnode_get(group->props, "Parameters"), param)) : NULL;
	if (!v || strcasecmp(v, want) != 0)
		claim_flag(
		    ctx, "SEC005", res, "DBClusterParameterGroupName",
		    pg ? "give the cluster a parameter group with rds.force_ssl: 1"
		       : "give the cluster a parameter group with require_secure_transport: ON",
		    "database %s accepts connections without TLS (%s is not %s)", res->id, param,
		    want);
}

static void check_efs_tls(const validate_ctx *ctx, const render_resource *res)
{
	if (claim_is_type(res, "AWS::EFS::FileSystem")) {
		if (!denies_plain_transport(claim_set(rnode_get(res->props, "FileSystemPolicy"))))
			claim_flag(ctx, "SEC005", res, "FileSystemPolicy",
			           "add a FileSystemPolicy statement denying access when "
			           "aws:SecureTransport is false",
			           "file system %s accepts mounts without TLS", res->id);
		return;
	}
	const rnode *vols = rnode_get(res->props, "Volumes");
	for (size_t i = 0; vols && vols->kind == RN_SEQ && !vols->fn && i < vols->n; i++) {
		const rnode *efs = rnode_get(vols->kids[i], "EFSVolumeConfiguration");
		if (efs && !claim_str_is(rnode_get(efs, "TransitEncryption"), "ENABLED"))
			claim_flag(ctx, "SEC005", res, "Volumes", "set TransitEncryption: ENABLED",
			           "task definition %s mounts EFS volume %s without TLS", res->id,
			           rnode_str(rnode_get(vols->kids[i], "Name"))
			               ? rnode_str(rnode_get(vols->kids[i], "Name"))
			               : "?");
	}
}

/* ---- SEC008: listener TLS policy ------------------------------------------ */

static void check_listener(const validate_ctx *ctx, const render_resource *res)
{
	if (!claim_str_is(rnode_get(res->props, "Protocol"), "HTTPS"))
		return; /* plain HTTP is SEC001's */
	const char *p = rnode_str(rnode_get(res->props, "SslPolicy"));
	bool ok = p && (strstr(p, "TLS13") || strstr(p, "TLS-1-2") || strstr(p, "FS-1-2"));
	if (!ok)
		claim_flag(ctx, "SEC008", res, "SslPolicy",
		           "SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06",
		           "listener %s accepts TLS older than 1.2 (%s)", res->id,
		           p ? p : "the default policy");
}

/* ---- SEC009: one region ---------------------------------------------------- */

static void check_region(const validate_ctx *ctx, const render_resource *res)
{
	static const char *const global_types[] = {
	    "AWS::RDS::GlobalCluster", "AWS::ElastiCache::GlobalReplicationGroup",
	    "AWS::DynamoDB::GlobalTable", "AWS::S3::MultiRegionAccessPoint"};
	static const struct {
		const char *type, *prop;
	} copies[] = {
	    {"AWS::S3::Bucket", "ReplicationConfiguration"},
	    {"AWS::RDS::DBCluster", "GlobalClusterIdentifier"},
	    {"AWS::ElastiCache::ReplicationGroup", "GlobalReplicationGroupId"},
	    {"AWS::EFS::FileSystem", "ReplicationConfiguration"},
	    {"AWS::ECR::ReplicationConfiguration", "ReplicationConfiguration"},
	};
	for (size_t i = 0; i < sizeof(global_types) / sizeof(global_types[0]); i++)
		if (claim_is_type(res, global_types[i]))
			claim_flag(ctx, "SEC009", res, NULL,
			           "keep personal data in the stack's region",
			           "%s (%s) spans regions: an onward transfer of personal data",
			           res->id, res->type);
	for (size_t i = 0; i < sizeof(copies) / sizeof(copies[0]); i++)
		if (claim_is_type(res, copies[i].type) &&
		    claim_set(rnode_get(res->props, copies[i].prop)))
			claim_flag(
			    ctx, "SEC009", res, copies[i].prop, "remove it: nothing replicates out",
			    "%s copies its data to another region (%s)", res->id, copies[i].prop);
	if (claim_is_type(res, "AWS::KMS::Key") &&
	    rnode_bool(rnode_get(res->props, "MultiRegion")) == 1)
		claim_flag(ctx, "SEC009", res, "MultiRegion", "set MultiRegion: false",
		           "key %s is a multi-Region key", res->id);
}

/* ---- SEC010: images ----------------------------------------------------- */

static void check_repository(const validate_ctx *ctx, const render_resource *res)
{
	const rnode *scan =
	    rnode_get(rnode_get(res->props, "ImageScanningConfiguration"), "ScanOnPush");
	if (rnode_bool(scan) != 1)
		claim_flag(ctx, "SEC010", res, "ImageScanningConfiguration",
		           "set ImageScanningConfiguration: {ScanOnPush: true}",
		           "repository %s does not scan images on push", res->id);
	if (!claim_str_is(rnode_get(res->props, "ImageTagMutability"), "IMMUTABLE"))
		claim_flag(ctx, "SEC010", res, "ImageTagMutability",
		           "set ImageTagMutability: IMMUTABLE",
		           "repository %s lets a tag move to another image", res->id);
}

/* ---- OBS006: trails ------------------------------------------------------- */

static void check_trail(const validate_ctx *ctx, const render_resource *res)
{
	if (rnode_bool(claim_set(rnode_get(res->props, "EnableLogFileValidation"))) != 1)
		claim_flag(ctx, "OBS006", res, "EnableLogFileValidation",
		           "set EnableLogFileValidation: true",
		           "trail %s does not validate its log files: changes to them go unnoticed",
		           res->id);
	if (rnode_bool(claim_set(rnode_get(res->props, "IsLogging"))) != 1)
		claim_flag(ctx, "OBS006", res, "IsLogging", "set IsLogging: true",
		           "trail %s does not log", res->id);
	if (!claim_set(rnode_get(res->props, "KMSKeyId")))
		claim_flag(ctx, "OBS006", res, "KMSKeyId", "set KMSKeyId to the trail's key",
		           "trail %s's log files are not encrypted with a customer-managed key",
		           res->id);
}

/* ---- OBS007: alarm routing -------------------------------------------------- */

/* Whether `actions` names a topic of the template; `only_scaling` whether
 * every action is a scaling policy (an alarm that triggers scaling). */
static bool notifies_topic(const rendered *r, const rnode *actions, bool *only_scaling)
{
	size_t n = actions && actions->kind == RN_SEQ && !actions->fn ? actions->n : 0;
	bool topic = false;
	*only_scaling = n > 0;
	for (size_t i = 0; i < n; i++) {
		const render_resource *t = claim_ref_res(r, actions->kids[i]);
		topic = topic || (t && claim_is_type(t, "AWS::SNS::Topic"));
		*only_scaling = *only_scaling && t &&
		                (claim_is_type(t, "AWS::ApplicationAutoScaling::ScalingPolicy") ||
		                 claim_is_type(t, "AWS::AutoScaling::ScalingPolicy"));
	}
	return topic;
}

static void check_alarm(const validate_ctx *ctx, const render_resource *res)
{
	bool scaling, ok_scaling;
	bool alarm =
	    notifies_topic(ctx->r, claim_set(rnode_get(res->props, "AlarmActions")), &scaling);
	if (scaling)
		return; /* a scaling trigger, not monitoring */
	bool ok =
	    notifies_topic(ctx->r, claim_set(rnode_get(res->props, "OKActions")), &ok_scaling);
	if (rnode_bool(rnode_get(res->props, "ActionsEnabled")) == 0)
		claim_flag(ctx, "OBS007", res, "ActionsEnabled", "remove ActionsEnabled: false",
		           "alarm %s notifies nobody: its actions are disabled", res->id);
	else if (!alarm)
		claim_flag(ctx, "OBS007", res, "AlarmActions", "AlarmActions: [!Ref AlarmTopic]",
		           "alarm %s notifies no topic when it fires", res->id);
	else if (!ok)
		claim_flag(ctx, "OBS007", res, "OKActions", "OKActions: [!Ref AlarmTopic]",
		           "alarm %s does not notify its topic when it recovers", res->id);
}

void rule_claims(const validate_ctx *ctx)
{
	const rendered *r = ctx->r;
	if (!r)
		return;
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *res = &r->res[i];
		if (!res->type)
			continue;
		check_at_rest(ctx, res);
		check_region(ctx, res);
		check_tls_policy(ctx, res);
		claims_controls(ctx, res);
		if (claim_is_type(res, "AWS::S3::Bucket")) {
			check_bucket_encryption(ctx, res);
			check_public_access(ctx, res);
			check_lifecycle(ctx, res);
		} else if (claim_is_type(res, "AWS::KMS::Key")) {
			check_key(ctx, res);
		} else if (claim_is_type(res, "AWS::ElastiCache::ReplicationGroup")) {
			check_cache_tls(ctx, res);
		} else if (claim_is_type(res, "AWS::RDS::DBCluster")) {
			check_database_tls(ctx, res);
		} else if (claim_is_type(res, "AWS::RDS::DBProxy")) {
			/* RequireTLS defaults to false: a client could connect
			 * to the proxy in clear text */
			if (rnode_bool(claim_set(rnode_get(res->props, "RequireTLS"))) != 1)
				claim_flag(ctx, "SEC005", res, "RequireTLS", "set RequireTLS: true",
				           "RDS proxy %s accepts connections without TLS", res->id);
		} else if (claim_is_type(res, "AWS::EFS::FileSystem") ||
		           claim_is_type(res, "AWS::ECS::TaskDefinition")) {
			check_efs_tls(ctx, res);
		} else if (claim_is_type(res, "AWS::ElasticLoadBalancingV2::Listener")) {
			check_listener(ctx, res);
		} else if (claim_is_type(res, "AWS::ECR::Repository")) {
			check_repository(ctx, res);
		} else if (claim_is_type(res, "AWS::CloudTrail::Trail")) {
			check_trail(ctx, res);
		} else if (claim_is_type(res, "AWS::CloudWatch::Alarm")) {
			check_alarm(ctx, res);
		}
	}
}
