/* Whole-template checks TRP001-TRP016: deploy and teardown failures that
 * cfn-lint 1.51 lets through (docs/report.md lists them with their
 * sources), read from the rendered template so
 * that conditions, parameters and Fn::Sub are already resolved. Each
 * finding points at the resource (or property) in its fragment. */
#include "common/num.h"
#include "common/str.h"
#include "model/analysis.h"
#include "model/assemble.h"
#include "model/rules.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* CloudFormation's quotas (CloudFormation User Guide, "Understand
 * CloudFormation quotas"): resources, parameters, outputs and mappings per
 * template, template body size from S3 (over 51,200 bytes, the inline
 * limit, lmsctl deploy uploads the template to S3: not a finding). */
#define CFN_MAX_RESOURCES 500
#define CFN_MAX_PARAMETERS 200
#define CFN_MAX_OUTPUTS 200
#define CFN_MAX_MAPPINGS 200
#define CFN_MAX_S3_BYTES 1000000
/* CloudWatch: AWS services publish at most one datapoint a minute. */
#define AWS_METRIC_PERIOD 60

typedef struct tctx {
	const catalog *cat;
	const model *m;
	const rendered *r;
	findings *out;
} tctx;

static void add(tctx *t, const char *rule, severity sev, const render_resource *res,
                const rnode *at, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
static void add(tctx *t, const char *rule, severity sev, const render_resource *res,
                const rnode *at, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	findings_vadd(t->out, rule, sev, "", hint, fmt, ap);
	va_end(ap);
	const char *file = NULL;
	size_t line = 0, col = 0;
	if (at && at->src && at->file) {
		file = at->file;
		line = at->src->start.line;
		col = at->src->start.col;
	} else if (res) {
		file = res->entry->frag->path;
		line = res->entry->key->start.line;
		col = res->entry->key->start.col;
	}
	if (file)
		findings_set_position(t->out, t->out->n - 1, file, line, col);
}

static bool is_type(const render_resource *res, const char *type)
{
	return res->type && strcmp(res->type, type) == 0;
}

/* The items of a value that may be one item or a list. */
static size_t count_of(const rnode *n)
{
	if (!n)
		return 0;
	return n->kind == RN_SEQ && !n->fn ? n->n : 1;
}

static const rnode *item_of(const rnode *n, size_t i)
{
	return n->kind == RN_SEQ && !n->fn ? n->kids[i] : n;
}

/* The resource a property refers to with Ref / GetAtt. */
static const render_resource *target_of(const tctx *t, const rnode *n)
{
	const char *id = rnode_ref(n, NULL);
	return id ? render_find(t->r, id) : NULL;
}

/* ---- TRP001: Retain and Snapshot -------------------------------------- */

static bool snapshot_by_default(const render_resource *res)
{
	if (is_type(res, "AWS::RDS::DBCluster"))
		return true;
	return is_type(res, "AWS::RDS::DBInstance") &&
	       !rnode_get(res->props, "DBClusterIdentifier");
}

static void trap_policies(tctx *t)
{
	static const char *const attrs[] = {"DeletionPolicy", "UpdateReplacePolicy"};
	for (size_t i = 0; i < t->r->nres; i++) {
		const render_resource *res = &t->r->res[i];
		for (size_t a = 0; a < 2; a++) {
			const rnode *p = rnode_get(res->node, attrs[a]);
			const char *v = rnode_str(p);
			if (v &&
			    (strcmp(v, "Retain") == 0 || strcmp(v, "RetainExceptOnCreate") == 0 ||
			     strcmp(v, "Snapshot") == 0)) {
				add(t, "TRP001", SEV_ERROR, res, p, "set it to Delete",
				    "%s has %s %s: the stack leaves %s behind, and the next deploy "
				    "collides with it",
				    res->id, attrs[a], v,
				    strcmp(v, "Snapshot") == 0 ? "a snapshot" : "the resource");
			} else if (!p && snapshot_by_default(res)) {
				add(t, "TRP001", SEV_ERROR, res, NULL,
				    "add DeletionPolicy: Delete and UpdateReplacePolicy: Delete",
				    "%s has no %s: for %s it defaults to Snapshot, which outlives "
				    "the stack",
				    res->id, attrs[a], res->type);
			}
		}
	}
}

/* ---- TRP002: buckets and repositories that block delete ---------------- */

static bool is_custom(const render_resource *res)
{
	return res->type && (strncmp(res->type, "Custom::", 8) == 0 ||
	                     strcmp(res->type, "AWS::CloudFormation::CustomResource") == 0);
}

static void trap_nonempty(tctx *t)
{
	for (size_t i = 0; i < t->r->nres; i++) {
		const render_resource *res = &t->r->res[i];
		if (is_type(res, "AWS::ECR::Repository")) {
			const rnode *e = rnode_get(res->props, "EmptyOnDelete");
			if (rnode_bool(e) != 1)
				add(t, "TRP002", SEV_ERROR, res, e, "set EmptyOnDelete: true",
				    "ECR repository %s is not emptied on delete: a repository "
				    "with images fails DELETE",
				    res->id);
			continue;
		}
		if (!is_type(res, "AWS::S3::Bucket"))
			continue;
		bool emptied = false;
		for (size_t j = 0; j < t->r->nres && !emptied; j++)
			emptied =
			    is_custom(&t->r->res[j]) && rnode_mentions(t->r->res[j].props, res->id);
		if (!emptied)
			add(t, "TRP002", SEV_ERROR, res, NULL,
			    "add a custom resource that empties the bucket on delete (it must "
			    "refer to the bucket, so it is deleted first)",
			    "bucket %s has nothing to empty it: CloudFormation cannot delete a "
			    "bucket with objects (DELETE_FAILED)",
			    res->id);
	}
}

/* ---- TRP003, TRP004: EFS in ECS tasks ------------------------------------ */

/* The EFS volumes of a task definition: calls `fn` for each. */
static void efs_volumes(const render_resource *td,
                        void (*fn)(tctx *, const render_resource *, const rnode *, void *), tctx *t,
                        void *ctx)
{
	const rnode *vols = rnode_get(td->props, "Volumes");
	for (size_t i = 0; vols && vols->kind == RN_SEQ && i < vols->n; i++) {
		const rnode *efs = rnode_get(vols->kids[i], "EFSVolumeConfiguration");
		if (efs)
			fn(t, td, efs, ctx);
	}
}

static void check_transit(tctx *t, const render_resource *td, const rnode *efs, void *ctx)
{
	(void)ctx;
	const rnode *auth = rnode_get(efs, "AuthorizationConfig");
	const char *iam = rnode_str(rnode_get(auth, "IAM"));
	bool needs = (iam && strcmp(iam, "ENABLED") == 0) || rnode_get(auth, "AccessPointId");
	const char *transit = rnode_str(rnode_get(efs, "TransitEncryption"));
	if (needs && (!transit || strcmp(transit, "ENABLED") != 0))
		add(t, "TRP003", SEV_ERROR, td, efs, "set TransitEncryption: ENABLED",
		    "%s mounts EFS with IAM authorization or an access point but without "
		    "transit encryption, which ECS rejects",
		    td->id);
}

typedef struct mount_check {
	const render_resource *service;
} mount_check;

static void check_mounts(tctx *t, const render_resource *td, const rnode *efs, void *ctx)
{
	mount_check *mc = ctx;
	const char *fs = rnode_ref(rnode_get(efs, "FilesystemId"), NULL);
	if (!fs)
		return;
	for (size_t i = 0; i < t->r->nres; i++) {
		const render_resource *mt = &t->r->res[i];
		if (!is_type(mt, "AWS::EFS::MountTarget"))
			continue;
		const char *of = rnode_ref(rnode_get(mt->props, "FileSystemId"), NULL);
		if (!of || strcmp(of, fs) != 0 || render_after(t->r, mc->service, mt))
			continue;
		add(t, "TRP004", SEV_ERROR, mc->service, NULL,
		    "make the service DependsOn every mount target (or a handle that "
		    "refers to them)",
		    "ECS service %s can start tasks before EFS mount target %s exists: they "
		    "fail with ResourceInitializationError",
		    mc->service->id, mt->id);
	}
}

static void trap_efs(tctx *t)
{
	for (size_t i = 0; i < t->r->nres; i++) {
		const render_resource *res = &t->r->res[i];
		if (is_type(res, "AWS::ECS::TaskDefinition"))
			efs_volumes(res, check_transit, t, NULL);
		if (!is_type(res, "AWS::ECS::Service"))
			continue;
		const render_resource *td = target_of(t, rnode_get(res->props, "TaskDefinition"));
		if (!td)
			continue;
		mount_check mc = {res};
		efs_volumes(td, check_mounts, t, &mc);
	}
}

/* ---- TRP005, TRP006: API Gateway ordering and account role --------------- */

static void trap_api(tctx *t)
{
	/* Another environment of the account and region owns the account
	 * setting (AccountSettingsOwner false): this one uses it and makes none
	 * (docs/account-settings.md). */
	const char *own = catalog_param(t->cat, "AccountSettingsOwner")
	                      ? model_param_value(t->m, t->cat, "AccountSettingsOwner")
	                      : NULL;
	bool other_owner = own && strcmp(own, "false") == 0;
	const render_resource *account = NULL;
	for (size_t i = 0; i < t->r->nres; i++)
		if (is_type(&t->r->res[i], "AWS::ApiGateway::Account") &&
		    rnode_get(t->r->res[i].props, "CloudWatchRoleArn"))
			account = &t->r->res[i];
	for (size_t i = 0; i < t->r->nres; i++) {
		const render_resource *res = &t->r->res[i];
		if (is_type(res, "AWS::ApiGateway::Deployment")) {
			const char *api = rnode_ref(rnode_get(res->props, "RestApiId"), NULL);
			for (size_t j = 0; api && j < t->r->nres; j++) {
				const render_resource *m = &t->r->res[j];
				const char *of = rnode_ref(rnode_get(m->props, "RestApiId"), NULL);
				if (!is_type(m, "AWS::ApiGateway::Method") || !of ||
				    strcmp(of, api) != 0 || render_after(t->r, res, m))
					continue;
				add(t, "TRP005", SEV_ERROR, res, NULL,
				    "add the method to the deployment's DependsOn",
				    "API deployment %s does not depend on method %s: it can be "
				    "created first (\"The REST API doesn't contain any methods\") "
				    "or miss the method",
				    res->id, m->id);
			}
		}
		bool stage = is_type(res, "AWS::ApiGateway::Stage");
		const rnode *settings = stage ? res->props
		                        : is_type(res, "AWS::ApiGateway::Deployment")
		                            ? rnode_get(res->props, "StageDescription")
		                            : NULL;
		if (!settings)
			continue;
		bool logs = rnode_get(settings, "AccessLogSetting") != NULL;
		const char *level = rnode_str(rnode_get(settings, "LoggingLevel"));
		logs = logs || (level && strcmp(level, "OFF") != 0) ||
		       rnode_bool(rnode_get(settings, "DataTraceEnabled")) == 1;
		const rnode *ms = rnode_get(settings, "MethodSettings");
		for (size_t k = 0; ms && ms->kind == RN_SEQ && k < ms->n; k++) {
			const char *l = rnode_str(rnode_get(ms->kids[k], "LoggingLevel"));
			logs = logs || (l && strcmp(l, "OFF") != 0) ||
			       rnode_bool(rnode_get(ms->kids[k], "DataTraceEnabled")) == 1;
		}
		if (!logs || (!account && other_owner))
			continue;
		if (!account)
			add(t, "TRP006", SEV_ERROR, res, NULL,
			    "add AWS::ApiGateway::Account with CloudWatchRoleArn (a role trusted "
			    "by apigateway.amazonaws.com with "
			    "AmazonAPIGatewayPushToCloudWatchLogs)",
			    "%s turns on logging, but the template sets no account CloudWatch "
			    "role: "
			    "\"CloudWatch Logs role ARN must be set in account settings\"",
			    res->id);
		else if (!render_after(t->r, res, account))
			add(t, "TRP006", SEV_ERROR, res, NULL, "add DependsOn the account resource",
			    "%s turns on logging and can be created before %s sets the account's "
			    "CloudWatch role",
			    res->id, account->id);
	}
}

/* ---- TRP007: CloudTrail before its bucket policy ------------------------ */

static void trap_trail(tctx *t)
{
	for (size_t i = 0; i < t->r->nres; i++) {
		const render_resource *trail = &t->r->res[i];
		if (!is_type(trail, "AWS::CloudTrail::Trail"))
			continue;
		const char *bucket = rnode_ref(rnode_get(trail->props, "S3BucketName"), NULL);
		if (!bucket)
			continue;
		const render_resource *policy = NULL;
		for (size_t j = 0; j < t->r->nres && !policy; j++) {
			const render_resource *p = &t->r->res[j];
			const char *of = rnode_ref(rnode_get(p->props, "Bucket"), NULL);
			if (is_type(p, "AWS::S3::BucketPolicy") && of && strcmp(of, bucket) == 0)
				policy = p;
		}
		if (!policy)
			add(t, "TRP007", SEV_ERROR, trail, NULL,
			    "add an AWS::S3::BucketPolicy that lets cloudtrail.amazonaws.com write",
			    "trail %s writes to bucket %s, which has no bucket policy: "
			    "\"Incorrect S3 bucket policy is detected\"",
			    trail->id, bucket);
		else if (!render_after(t->r, trail, policy))
			add(t, "TRP007", SEV_ERROR, trail, NULL, "add DependsOn the bucket policy",
			    "trail %s can be created before bucket policy %s: \"Incorrect S3 "
			    "bucket policy is detected\"",
			    trail->id, policy->id);
	}
}

/* ---- TRP008: KMS key policies and the services that use the key --------- */

/* Whether an IAM action pattern (kms:GenerateDataKey*, kms:*, *) covers
 * `action`; case-insensitive, * and ? wildcards. */
static bool action_matches(const char *pattern, const char *action)
{
	for (; *pattern; pattern++, action++) {
		if (*pattern == '*') {
			for (const char *a = action;; a++) {
				if (action_matches(pattern + 1, a))
					return true;
				if (!*a)
					return false;
			}
		}
		if (!*action || (*pattern != '?' && tolower((unsigned char)*pattern) !=
		                                        tolower((unsigned char)*action)))
			return false;
	}
	return !*action;
}

static bool any_action(const rnode *actions, const char *action)
{
	for (size_t i = 0; i < count_of(actions); i++) {
		const char *a = rnode_str(item_of(actions, i));
		if (a && action_matches(a, action))
			return true;
	}
	return false;
}

static bool text_in(const rnode *v, const char *want)
{
	for (size_t i = 0; i < count_of(v); i++) {
		const char *s = rnode_text(item_of(v, i));
		if (s && strcmp(s, want) == 0)
			return true;
	}
	return false;
}

/* The account root: "arn:...:iam::ACCOUNT:root", an account id, or
 * ${AWS::AccountId} as it stays when the account is unknown. */
static bool is_account_root(const rnode *principal)
{
	const rnode *aws = rnode_get(principal, "AWS");
	for (size_t i = 0; i < count_of(aws); i++) {
		const rnode *p = item_of(aws, i);
		const char *s = rnode_text(p);
		if (p->fn && strcmp(p->fn, "Ref") == 0 && strcmp(p->str, "AWS::AccountId") == 0)
			return true;
		if (!s)
			continue;
		size_t n = strlen(s);
		if ((n > 5 && lms_ends_with(s, ":root")) ||
		    (n == 12 && strspn(s, "0123456789") == 12))
			return true;
	}
	return false;
}

typedef struct key_need {
	const char *service; /* principal the policy must name, or NULL: via service */
	const char *via;     /* service name for kms:ViaService */
	const char *action;  /* an action the statement must allow */
	const render_resource *user;
} key_need;

/* Whether key policy `policy` lets `need` use the key. */
static bool policy_allows(const tctx *t, const rnode *policy, const key_need *need)
{
	if (!policy)
		return need->service == NULL; /* the default policy: the account's IAM */
	const rnode *stmts = rnode_get(policy, "Statement");
	buf principal, principal_global, via;
	buf_init(&principal, 0);
	buf_init(&principal_global, 0);
	buf_init(&via, 0);
	if (need->service) {
		buf_addf(&principal, "%s.%s.amazonaws.com", need->service, t->r->region);
		buf_addf(&principal_global, "%s.amazonaws.com", need->service);
	}
	if (need->via)
		buf_addf(&via, "%s.%s.amazonaws.com", need->via, t->r->region);
	bool ok = false;
	for (size_t i = 0; !ok && i < count_of(stmts); i++) {
		const rnode *s = item_of(stmts, i);
		const char *effect = rnode_str(rnode_get(s, "Effect"));
		if (!effect || strcmp(effect, "Allow") != 0 ||
		    !any_action(rnode_get(s, "Action"), need->action))
			continue;
		const rnode *pr = rnode_get(s, "Principal");
		if (need->service) {
			const rnode *svc = rnode_get(pr, "Service");
			ok = text_in(svc, buf_cstr(&principal)) ||
			     text_in(svc, buf_cstr(&principal_global));
			continue;
		}
		if (is_account_root(pr)) {
			ok = true;
			continue;
		}
		/* kms:ViaService under any condition operator */
		const rnode *cond = rnode_get(s, "Condition");
		for (size_t k = 0; cond && cond->kind == RN_MAP && k < cond->n; k++) {
			const rnode *vs = rnode_get(cond->kids[2 * k + 1], "kms:ViaService");
			if (vs && text_in(vs, buf_cstr(&via)))
				ok = true;
		}
	}
	buf_free(&principal);
	buf_free(&principal_global);
	buf_free(&via);
	return ok;
}

static const struct {
	const char *prefix;
	const char *via;
} via_services[] = {
    {"AWS::RDS::", "rds"},
    {"AWS::ElastiCache::", "elasticache"},
    {"AWS::EFS::", "elasticfilesystem"},
    {"AWS::SecretsManager::", "secretsmanager"},
    {"AWS::Kinesis::", "kinesis"},
    {"AWS::KinesisFirehose::", "firehose"},
    {"AWS::S3::", "s3"},
    {"AWS::ECR::", "ecr"},
    {"AWS::SQS::", "sqs"},
    {"AWS::SNS::", "sns"},
    {"AWS::Lambda::", "lambda"},
    {"AWS::DynamoDB::", "dynamodb"},
    {"AWS::SSM::", "ssm"},
    {"AWS::CodeBuild::", "codebuild"},
    {"AWS::CodePipeline::", "s3"},
    {"AWS::ECS::", "ecs"},
    {"AWS::Backup::", "backup"},
};

static void check_need(tctx *t, const render_resource *key, const rnode *policy,
                       const key_need *need)
{
	if (policy_allows(t, policy, need))
		return;
	if (need->service)
		add(t, "TRP008", SEV_ERROR, key, policy,
		    "add a statement for the service principal with the encryption-context "
		    "condition (for logs: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/"
		    "encrypt-log-data-kms.html)",
		    "key %s is used by %s, but its policy does not allow %s.%s.amazonaws.com "
		    "(or %s.amazonaws.com) %s: creating %s fails",
		    key->id, need->user->id, need->service, t->r->region, need->service,
		    need->action, need->user->id);
	else
		add(t, "TRP008", SEV_ERROR, key, policy,
		    "allow the account root kms:* (IAM then decides), or kms:ViaService for the "
		    "service",
		    "key %s is used by %s through %s, but its policy allows neither the "
		    "account's IAM nor kms:ViaService %s.%s.amazonaws.com",
		    key->id, need->user->id, need->via, need->via, t->r->region);
}

/* Whether a topic receives from a resource of `type` whose `prop` names it. */
static const render_resource *publisher(const tctx *t, const render_resource *topic,
                                        const char *type, const char *const *props)
{
	for (size_t i = 0; i < t->r->nres; i++) {
		const render_resource *res = &t->r->res[i];
		if (!is_type(res, type))
			continue;
		for (size_t p = 0; props[p]; p++)
			if (rnode_mentions(rnode_get(res->props, props[p]), topic->id))
				return res;
	}
	return NULL;
}

static void trap_keys(tctx *t)
{
	static const char *const alarm_props[] = {"AlarmActions", "OKActions",
	                                          "InsufficientDataActions", NULL};
	static const char *const rule_props[] = {"Targets", NULL};
	for (size_t k = 0; k < t->r->nres; k++) {
		const render_resource *key = &t->r->res[k];
		if (!is_type(key, "AWS::KMS::Key"))
			continue;
		const rnode *policy = rnode_get(key->props, "KeyPolicy");
		for (size_t i = 0; i < t->r->nres; i++) {
			const render_resource *u = &t->r->res[i];
			if (u == key || !u->type || !rnode_mentions(u->props, key->id))
				continue;
			/* grants and aliases are not uses */
			if (strncmp(u->type, "AWS::IAM::", 10) == 0 ||
			    strcmp(u->type, "AWS::KMS::Alias") == 0 || is_custom(u))
				continue;
			key_need need = {NULL, NULL, "kms:GenerateDataKey", u};
			if (is_type(u, "AWS::Logs::LogGroup")) {
				need.service = "logs";
				check_need(t, key, policy, &need);
				need.action = "kms:Decrypt";
				check_need(t, key, policy, &need);
				continue;
			}
			if (is_type(u, "AWS::CloudTrail::Trail")) {
				need.service = "cloudtrail";
				check_need(t, key, policy, &need);
				continue;
			}
			if (is_type(u, "AWS::SNS::Topic")) {
				/* alarms and rules publish as their services */
				const render_resource *p =
				    publisher(t, u, "AWS::CloudWatch::Alarm", alarm_props);
				if (p) {
					key_need n2 = {"cloudwatch", NULL, "kms:GenerateDataKey",
					               p};
					check_need(t, key, policy, &n2);
					n2.action = "kms:Decrypt";
					check_need(t, key, policy, &n2);
				}
				p = publisher(t, u, "AWS::Events::Rule", rule_props);
				if (p) {
					key_need n2 = {"events", NULL, "kms:GenerateDataKey", p};
					check_need(t, key, policy, &n2);
					n2.action = "kms:Decrypt";
					check_need(t, key, policy, &n2);
				}
			}
			for (size_t v = 0; v < sizeof(via_services) / sizeof(via_services[0]);
			     v++) {
				if (strncmp(u->type, via_services[v].prefix,
				            strlen(via_services[v].prefix)) != 0)
					continue;
				need.via = via_services[v].via;
				need.action = "kms:Decrypt";
				check_need(t, key, policy, &need);
				break;
			}
		}
	}
}

/* ---- TRP009: alarm periods under a minute on one-minute metrics --------- */

static void check_period(tctx *t, const render_resource *res, const rnode *ns_node,
                         const rnode *period_node)
{
	const char *ns = rnode_str(ns_node);
	long period;
	if (!ns || strncmp(ns, "AWS/", 4) != 0 || !rnode_long(period_node, &period) ||
	    period >= AWS_METRIC_PERIOD)
		return;
	add(t, "TRP009", SEV_ERROR, res, period_node,
	    "use Period: 60 (AWS services publish one datapoint a minute)",
	    "alarm %s evaluates %s every %ld s: the metric has one datapoint a minute, so "
	    "the alarm sits in INSUFFICIENT_DATA or misses breaches",
	    res->id, ns, period);
}

static void trap_alarm_periods(tctx *t)
{
	for (size_t i = 0; i < t->r->nres; i++) {
		const render_resource *res = &t->r->res[i];
		if (!is_type(res, "AWS::CloudWatch::Alarm"))
			continue;
		check_period(t, res, rnode_get(res->props, "Namespace"),
		             rnode_get(res->props, "Period"));
		const rnode *metrics = rnode_get(res->props, "Metrics");
		for (size_t k = 0; metrics && metrics->kind == RN_SEQ && k < metrics->n; k++) {
			const rnode *stat = rnode_get(metrics->kids[k], "MetricStat");
			check_period(t, res, rnode_get(rnode_get(stat, "Metric"), "Namespace"),
			             rnode_get(stat, "Period"));
		}
	}
}

/* ---- TRP010, TRP011: log groups ----------------------------------------- */

static const render_resource *log_group_named(const tctx *t, const char *name)
{
	for (size_t i = 0; name && i < t->r->nres; i++) {
		const render_resource *res = &t->r->res[i];
		const char *n = rnode_text(rnode_get(res->props, "LogGroupName"));
		if (is_type(res, "AWS::Logs::LogGroup") && n && strcmp(n, name) == 0)
			return res;
	}
	return NULL;
}

/* Whether a role lets its holder create log groups. */
static bool role_creates_log_groups(const render_resource *role)
{
	const rnode *managed = rnode_get(role->props, "ManagedPolicyArns");
	for (size_t i = 0; i < count_of(managed); i++) {
		const char *arn = rnode_text(item_of(managed, i));
		if (arn && (strstr(arn, "AWSLambdaBasicExecutionRole") ||
		            strstr(arn, "AWSLambdaVPCAccessExecutionRole")))
			return true;
	}
	const rnode *pols = rnode_get(role->props, "Policies");
	for (size_t i = 0; i < count_of(pols); i++) {
		const rnode *stmts =
		    rnode_get(rnode_get(item_of(pols, i), "PolicyDocument"), "Statement");
		for (size_t s = 0; s < count_of(stmts); s++) {
			const rnode *st = item_of(stmts, s);
			const char *effect = rnode_str(rnode_get(st, "Effect"));
			if (effect && strcmp(effect, "Allow") == 0 &&
			    any_action(rnode_get(st, "Action"), "logs:CreateLogGroup"))
				return true;
		}
	}
	return false;
}

static void trap_log_groups(tctx *t)
{
	for (size_t i = 0; i < t->r->nres; i++) {
		const render_resource *res = &t->r->res[i];
		if (is_type(res, "AWS::Logs::LogGroup")) {
			if (!rnode_get(res->props, "RetentionInDays"))
				add(t, "TRP010", SEV_ERROR, res, NULL,
				    "set RetentionInDays (audit logs 365 or more)",
				    "log group %s keeps its events forever: no retention", res->id);
			if (!rnode_get(res->props, "KmsKeyId"))
				add(t, "TRP010", SEV_ERROR, res, NULL,
				    "set KmsKeyId to the logs key",
				    "log group %s is not encrypted "
				    "with a customer-managed key",
				    res->id);
			if (rnode_bool(rnode_get(res->props, "DeletionProtectionEnabled")) == 1)
				add(t, "TRP010", SEV_ERROR, res,
				    rnode_get(res->props, "DeletionProtectionEnabled"),
				    "leave DeletionProtectionEnabled off",
				    "log group %s has deletion protection: the stack cannot delete "
				    "it",
				    res->id);
			continue;
		}
		if (!is_type(res, "AWS::Lambda::Function"))
			continue;
		/* the log group the function writes to */
		const rnode *lc = rnode_get(rnode_get(res->props, "LoggingConfig"), "LogGroup");
		const render_resource *group = target_of(t, lc);
		buf name;
		buf_init(&name, 0);
		const char *fname = rnode_text(rnode_get(res->props, "FunctionName"));
		if (!group && lc && rnode_text(lc))
			group = log_group_named(t, rnode_text(lc));
		if (!group && !lc && fname && !strstr(fname, "${")) {
			buf_addf(&name, "/aws/lambda/%s", fname);
			group = log_group_named(t, buf_cstr(&name));
		}
		if (!group) {
			add(t, "TRP011", SEV_ERROR, res, NULL,
			    "create the log group in the template (KMS, retention) and name it in "
			    "LoggingConfig.LogGroup",
			    "function %s has no log group of the template's: Lambda creates "
			    "%s itself, unencrypted, kept forever and left after the stack",
			    res->id, name.len ? buf_cstr(&name) : "one");
		} else if (!render_after(t->r, res, group)) {
			add(t, "TRP011", SEV_WARNING, res, NULL,
			    "make the function DependsOn its log group (or name it with !Ref)",
			    "function %s does not depend on its log group %s: on delete the group "
			    "can go first and a late invocation recreates it",
			    res->id, group->id);
		}
		buf_free(&name);
		const render_resource *role = target_of(t, rnode_get(res->props, "Role"));
		if (role && is_type(role, "AWS::IAM::Role") && role_creates_log_groups(role))
			add(t, "TRP011", SEV_WARNING, role, NULL,
			    "grant logs:CreateLogStream and logs:PutLogEvents on the group only",
			    "role %s of function %s may create log groups: an invocation during "
			    "teardown recreates the deleted group, which then blocks the next "
			    "deploy",
			    role->id, res->id);
	}
}

/* ---- TRP012: ingress from anywhere --------------------------------------- */

/* No port of the platform is public to the Internet (its one entry is API
 * Gateway, which has no security group): an IPv4 source outside the
 * private address space (RFC 1918, and RFC 6598's shared space), or an IPv6
 * source outside the unique local addresses (fc00::/7), admits the
 * Internet, whatever its prefix. An unparsable block is NET001's concern
 * for the model's own blocks; here it counts as the Internet. */
static bool private_v4(const char *s)
{
	static const char *const spaces[] = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
	                                     "100.64.0.0/10"};
	cidr4 c, space;
	bool zero;
	if (!cidr4_parse(s, &c, &zero))
		return false;
	for (size_t i = 0; i < sizeof(spaces) / sizeof(spaces[0]); i++)
		if (cidr4_parse(spaces[i], &space, &zero) && cidr4_contains(space, c))
			return true;
	return false;
}

static bool private_v6(const char *s)
{
	const char *slash = strchr(s, '/');
	long prefix = 0;
	if (!slash || !lms_parse_long(slash + 1, 7, 128, &prefix))
		return false;
	/* fc00::/7: the first group is fcXX or fdXX, written in full */
	return strcspn(s, ":") == 4 && tolower((unsigned char)s[0]) == 'f' &&
	       (tolower((unsigned char)s[1]) == 'c' || tolower((unsigned char)s[1]) == 'd');
}

static void check_ingress(tctx *t, const render_resource *res, const rnode *rule)
{
	const char *v4 = rnode_str(rnode_get(rule, "CidrIp"));
	const char *v6 = rnode_str(rnode_get(rule, "CidrIpv6"));
	if ((v4 && !private_v4(v4)) || (v6 && !private_v6(v6)))
		add(t, "TRP012", SEV_ERROR, res, rule,
		    "admit a security group (SourceSecurityGroupId) or a private block, never the "
		    "Internet",
		    "%s admits traffic from the Internet (%s)", res->id,
		    v4 && !private_v4(v4) ? v4 : v6);
}

static void trap_ingress(tctx *t)
{
	for (size_t i = 0; i < t->r->nres; i++) {
		const render_resource *res = &t->r->res[i];
		if (is_type(res, "AWS::EC2::SecurityGroupIngress")) {
			check_ingress(t, res, res->props);
			continue;
		}
		if (!is_type(res, "AWS::EC2::SecurityGroup"))
			continue;
		const rnode *rules = rnode_get(res->props, "SecurityGroupIngress");
		for (size_t k = 0; rules && rules->kind == RN_SEQ && k < rules->n; k++)
			check_ingress(t, res, rules->kids[k]);
	}
}

/* ---- TRP013: wildcard resources on data-plane actions -------------------- */

/* Actions that read or write data and take a resource ARN: granting them on
 * "*" grants every bucket, key, secret or stream of the account. */
static const char *const data_actions[] = {
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:GetObjectVersion",
    "s3:DeleteObjectVersion",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "kinesis:PutRecord",
    "kinesis:PutRecords",
    "kinesis:GetRecords",
    "firehose:PutRecord",
    "firehose:PutRecordBatch",
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "sns:Publish",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "rds-db:connect",
    "rds-data:ExecuteStatement",
    "elasticfilesystem:ClientMount",
    "elasticfilesystem:ClientWrite",
    "elasticfilesystem:ClientRootAccess",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "logs:PutLogEvents",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "lambda:InvokeFunction",
    "elasticache:Connect",
};

/* "*", or an ARN whose resource part is only a wildcard ("arn:aws:s3:::*",
 * "arn:...:secret:*", "arn:...:log-group:*"); ${...} spans of a Fn::Sub
 * that stays are skipped when counting the ARN's colons. */
static bool wildcard_resource(const char *s)
{
	if (!s)
		return false;
	if (strcmp(s, "*") == 0)
		return true;
	if (strncmp(s, "arn:", 4) != 0)
		return false;
	int colons = 0;
	const char *p = s;
	for (; *p && colons < 5; p++) {
		if (p[0] == '$' && p[1] == '{') {
			const char *close = strchr(p, '}');
			if (!close)
				return false;
			p = close;
			continue;
		}
		colons += *p == ':';
	}
	if (colons < 5)
		return false;
	/* the resource part: an optional type and separator, then "*"; an S3
	 * bucket's ARN (service s3, no region, no account) has no type, its
	 * resource part is "bucket/key": "b/..." is one bucket's objects */
	const char *svc = s + 4;
	if (svc[0] == '$' && svc[1] == '{')
		svc = strchr(svc, '}'); /* closed: the loop above returned otherwise */
	svc = strchr(svc, ':');
	bool bucket = svc && strncmp(svc, ":s3:::", 6) == 0;
	size_t type_len = bucket ? 0 : strspn(p, "abcdefghijklmnopqrstuvwxyz-");
	const char *rest = p + type_len;
	if (type_len && (*rest == ':' || *rest == '/'))
		rest++;
	return strcmp(rest, "*") == 0 || strcmp(rest, "*/*") == 0;
}

static void check_statements(tctx *t, const render_resource *res, const rnode *doc,
                             const char *where)
{
	const rnode *stmts = rnode_get(doc, "Statement");
	for (size_t i = 0; i < count_of(stmts); i++) {
		const rnode *st = item_of(stmts, i);
		const char *effect = rnode_str(rnode_get(st, "Effect"));
		if (!effect || strcmp(effect, "Allow") != 0)
			continue;
		const rnode *resources = rnode_get(st, "Resource");
		bool wild = rnode_get(st, "NotResource") != NULL;
		for (size_t k = 0; !wild && k < count_of(resources); k++)
			wild = wildcard_resource(rnode_text(item_of(resources, k)));
		if (!wild)
			continue;
		const rnode *actions = rnode_get(st, "Action");
		const char *hit = NULL;
		if (rnode_get(st, "NotAction"))
			hit = "NotAction";
		for (size_t a = 0; !hit && a < sizeof(data_actions) / sizeof(data_actions[0]); a++)
			if (any_action(actions, data_actions[a]))
				hit = data_actions[a];
		if (hit)
			add(t, "TRP013", SEV_ERROR, res, st,
			    "name the resources (the key, secret, bucket or stream ARN)",
			    "%s%s allows %s on every resource of the account", res->id, where, hit);
	}
}

static void trap_wildcards(tctx *t)
{
	for (size_t i = 0; i < t->r->nres; i++) {
		const render_resource *res = &t->r->res[i];
		if (!res->type || strncmp(res->type, "AWS::IAM::", 10) != 0)
			continue;
		check_statements(t, res, rnode_get(res->props, "PolicyDocument"), "");
		const rnode *pols = rnode_get(res->props, "Policies");
		for (size_t k = 0; k < count_of(pols); k++) {
			const rnode *p = item_of(pols, k);
			const char *name = rnode_text(rnode_get(p, "PolicyName"));
			buf where;
			buf_init(&where, 0);
			buf_addf(&where, " (policy %s)", name ? name : "?");
			check_statements(t, res, rnode_get(p, "PolicyDocument"), buf_cstr(&where));
			buf_free(&where);
		}
	}
}

/* ---- TRP014: Elastic IP quota ------------------------------------------- */

static void trap_eips(tctx *t)
{
	size_t eips = 0;
	const render_resource *last = NULL;
	for (size_t i = 0; i < t->r->nres; i++)
		if (is_type(&t->r->res[i], "AWS::EC2::EIP")) {
			eips++;
			last = &t->r->res[i];
		}
	if (eips > EIP_DEFAULT_QUOTA)
		add(t, "TRP014", SEV_ERROR, last, NULL,
		    "request an Elastic IP quota increase before deploying, or use fewer NAT "
		    "gateways",
		    "the template allocates %zu Elastic IPs; the default quota is %d per region "
		    "(other stacks of the account count too)",
		    eips, EIP_DEFAULT_QUOTA);
}

/* ---- TRP015: CloudFormation's own limits --------------------------------- */

static const char *value_cb(void *ctx, const char *param)
{
	const tctx *t = ctx;
	return model_param_value(t->m, t->cat, param);
}

static void trap_limits(tctx *t)
{
	const catalog *cat = t->cat;
	struct {
		const char *what;
		size_t n, max;
	} counts[] = {
	    {"resources", cat->nentries[SEC_RESOURCES], CFN_MAX_RESOURCES},
	    {"parameters", cat->nparams, CFN_MAX_PARAMETERS},
	    {"outputs", cat->nentries[SEC_OUTPUTS], CFN_MAX_OUTPUTS},
	    {"mappings", cat->nentries[SEC_MAPPINGS], CFN_MAX_MAPPINGS},
	};
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		if (counts[i].n > counts[i].max)
			add(t, "TRP015", SEV_ERROR, NULL, NULL,
			    "split the template (nested stacks)",
			    "the template declares %zu %s; CloudFormation allows %zu", counts[i].n,
			    counts[i].what, counts[i].max);
	buf text;
	buf_init(&text, 0);
	lms_error err = {0};
	if (assemble_template(cat, value_cb, t, &text, &err)) {
		if (text.len > CFN_MAX_S3_BYTES)
			add(t, "TRP015", SEV_ERROR, NULL, NULL,
			    "split the template (nested stacks)",
			    "the template is %zu bytes; CloudFormation accepts at most %d from S3",
			    text.len, CFN_MAX_S3_BYTES);
	}
	lms_error_clear(&err);
	buf_free(&text);
}

/* ---- TRP016: cache AUTH token characters -------------------------------- */

/* ElastiCache AUTH tokens: 16 to 128 printable characters; of the
 * punctuation only ! & # $ ^ < > - (ElastiCache User Guide, AUTH). */
static const char auth_allowed_punct[] = "!&#$^<>-";

static void trap_auth(tctx *t)
{
	for (size_t i = 0; i < t->r->nres; i++) {
		const render_resource *res = &t->r->res[i];
		if (!is_type(res, "AWS::ElastiCache::ReplicationGroup"))
			continue;
		const rnode *tok = rnode_get(res->props, "AuthToken");
		if (!tok)
			continue;
		const char *literal = rnode_str(tok);
		if (literal && !strstr(literal, "{{resolve:")) {
			size_t n = strlen(literal);
			bool bad = n < 16 || n > 128;
			for (const char *p = literal; *p && !bad; p++)
				bad =
				    !isalnum((unsigned char)*p) && !strchr(auth_allowed_punct, *p);
			if (bad)
				add(t, "TRP016", SEV_ERROR, res, tok,
				    "16 to 128 letters, digits and ! & # $ ^ < > -",
				    "%s's AuthToken is not a valid AUTH token", res->id);
			continue;
		}
		/* a dynamic reference to a generated secret of the template */
		for (size_t j = 0; j < t->r->nres; j++) {
			const render_resource *sec = &t->r->res[j];
			if (!is_type(sec, "AWS::SecretsManager::Secret") ||
			    !rnode_mentions(tok, sec->id))
				continue;
			const rnode *gen = rnode_get(sec->props, "GenerateSecretString");
			if (!gen)
				continue;
			bool no_punct = rnode_bool(rnode_get(gen, "ExcludePunctuation")) == 1;
			const char *excl = rnode_str(rnode_get(gen, "ExcludeCharacters"));
			bool ok = rnode_bool(rnode_get(gen, "IncludeSpace")) != 1;
			for (int c = 33; ok && !no_punct && c < 127; c++)
				if (ispunct(c) && !strchr(auth_allowed_punct, c) &&
				    !(excl && strchr(excl, c)))
					ok = false;
			if (!ok)
				add(t, "TRP016", SEV_ERROR, sec, gen,
				    "set ExcludePunctuation: true (or exclude all punctuation but "
				    "! & # $ ^ < > -)",
				    "secret %s generates the AUTH token of %s with punctuation "
				    "ElastiCache refuses (\"Invalid AuthToken provided\")",
				    sec->id, res->id);
		}
	}
}

void traps_check(const catalog *cat, const model *m, const rendered *r, findings *out)
{
	tctx t = {cat, m, r, out};
	trap_policies(&t);
	trap_nonempty(&t);
	trap_efs(&t);
	trap_api(&t);
	trap_trail(&t);
	trap_keys(&t);
	trap_alarm_periods(&t);
	trap_log_groups(&t);
	trap_ingress(&t);
	trap_wildcards(&t);
	trap_eips(&t);
	trap_limits(&t);
	trap_auth(&t);
}

/* The validation rule over the rendered template: it renders (REN001-
 * REN004), has none of the traps (TRP001-TRP016), and the analyses hold
 * (SCL001, SCL002, AZL001). */
void rule_traps(const validate_ctx *ctx)
{
	const rendered *r = ctx->r;
	if (!r)
		return; /* REN003: added where the rendering failed (validate_model) */
	traps_check(ctx->cat, ctx->m, r, ctx->out);
	if (ctx->cat->region)
		return; /* a companion stack (the edge) holds none of the capacity analysed */
	analysis a;
	analysis_run(ctx->cat, ctx->m, r, &a);
	analysis_rules(ctx->m, &a, ctx->out);
	analysis_free(&a);
}
