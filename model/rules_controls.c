/* The claims that the comparison with AWS's Control Tower controls found
 * unchecked (docs/security-posture.md, "Our rules and the Control Tower
 * controls"), each by resource type and property across the whole rendered
 * template, so that a resource added later is covered without a new rule:
 *
 *   OBS009  every trail copies its events to CloudWatch Logs (CT.CLOUDTRAIL.PR.3)
 *   OBS010  every database cluster exports its engine's logs, and a
 *           PostgreSQL one logs connections and disconnections (CT.RDS.PR.25)
 *   OBS011  every API stage writes access logs and execution logs
 *           (CT.APIGATEWAY.PR.1)
 *   OBS012  every load balancer writes access logs (CT.ELASTICLOADBALANCING.PR.6)
 *   SEC011  every cache authenticates with RBAC, its default user off
 *           (CT.ELASTICACHE.PR.8)
 *   SEC012  no identity policy allows every action or a whole service
 *           (CT.IAM.PR.1, CT.IAM.PR.5)
 *   SEC013  no database is publicly accessible (CT.RDS.PR.23)
 *   SEC014  no public IP address on launch: subnets, ECS, launch templates,
 *           instances (CT.EC2.PR.11, CT.ECS.PR.9)
 *   SEC015  no bucket grants access by ACL (CT.S3.PR.5)
 *
 * Errors in every environment, as the other claimed controls
 * (model/claims.c, which calls claims_controls for each resource). */
#include "model/claims.h"
#include "model/rules.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A string property that is set and not empty (a reference counts as set). */
static bool present(const rnode *n)
{
	n = claim_set(n);
	if (!n)
		return false;
	const char *s = rnode_str(n);
	return !s || s[strspn(s, " \t")] != '\0';
}

/* Whether the list `v` holds the string `want` (exactly). */
static bool lists(const rnode *v, const char *want)
{
	for (size_t i = 0; i < claim_count(v); i++)
		if (claim_str_is(claim_item(v, i), want))
			return true;
	return false;
}

/* ---- OBS009: the trail's CloudWatch Logs copy ------------------------------ */

static void check_trail_logs(const validate_ctx *ctx, const render_resource *res)
{
	static const char *const keys[] = {"CloudWatchLogsLogGroupArn", "CloudWatchLogsRoleArn"};
	for (size_t i = 0; i < 2; i++)
		if (!present(rnode_get(res->props, keys[i]))) {
			claim_flag(
			    ctx, "OBS009", res, keys[i],
			    "set CloudWatchLogsLogGroupArn to the trail's log group and "
			    "CloudWatchLogsRoleArn to a role CloudTrail may write it with",
			    "trail %s has no CloudWatch Logs copy (%s): the audit alarms read "
			    "nothing and the record is searchable nowhere",
			    res->id, keys[i]);
			return;
		}
}

/* ---- OBS010: database logs ------------------------------------------------- */

/* The log types Control Tower asks each engine to export (CT.RDS.PR.25),
 * each list and the table ending in NULL. "aurora" (Aurora MySQL 1) is
 * matched whole: it is the start of the other Aurora engines' names. */
static const struct {
	const char *engine;
	const char *logs[5];
} engine_logs[] = {
    {"aurora", {"audit", "error", "general", "slowquery", NULL}},
    {"aurora-mysql", {"audit", "error", "general", "slowquery", NULL}},
    {"aurora-postgresql", {"postgresql", NULL}},
    {"mysql", {"audit", "error", "general", "slowquery", NULL}},
    {"postgres", {"postgresql", "upgrade", NULL}},
    {NULL, {NULL}},
};

/* Whether a PostgreSQL boolean parameter is on ("1", "on", "true"). */
static bool pg_on(const rnode *params, const char *name)
{
	const char *v = rnode_str(rnode_get(params, name));
	return v && (strcmp(v, "1") == 0 || strcasecmp(v, "on") == 0 || strcasecmp(v, "true") == 0);
}

static void check_database_logs(const validate_ctx *ctx, const render_resource *res)
{
	const char *engine = rnode_str(rnode_get(res->props, "Engine"));
	size_t k = 0;
	while (engine && engine_logs[k].engine && strcmp(engine, engine_logs[k].engine) != 0)
		k++;
	if (!engine || !engine_logs[k].engine)
		return; /* an engine Control Tower names no logs for */
	const rnode *exports = claim_set(rnode_get(res->props, "EnableCloudwatchLogsExports"));
	for (size_t i = 0; engine_logs[k].logs[i]; i++)
		if (!lists(exports, engine_logs[k].logs[i])) {
			claim_flag(
			    ctx, "OBS010", res, "EnableCloudwatchLogsExports",
			    "export the engine's logs: EnableCloudwatchLogsExports lists them",
			    "database %s does not export its %s log to CloudWatch Logs: no "
			    "record of its use",
			    res->id, engine_logs[k].logs[i]);
			return;
		}
	if (!strstr(engine, "postgres"))
		return;
	/* the postgresql log records use only with these two on */
	const char *group_key = claim_is_type(res, "AWS::RDS::DBCluster")
	                            ? "DBClusterParameterGroupName"
	                            : "DBParameterGroupName";
	const render_resource *group = claim_ref_res(ctx->r, rnode_get(res->props, group_key));
	const rnode *params = group ? rnode_get(group->props, "Parameters") : NULL;
	const char *off = !pg_on(params, "log_connections")      ? "log_connections"
	                  : !pg_on(params, "log_disconnections") ? "log_disconnections"
	                                                         : NULL;
	if (off)
		claim_flag(ctx, "OBS010", res, group_key,
		           "give the database a parameter group with log_connections: '1' and "
		           "log_disconnections: '1'",
		           "database %s does not log who connects (%s is not on)", res->id, off);
}

/* ---- OBS011: API stage logs ------------------------------------------------ */

static void check_rest_stage(const validate_ctx *ctx, const render_resource *res)
{
	if (!present(rnode_get(rnode_get(res->props, "AccessLogSetting"), "DestinationArn"))) {
		claim_flag(ctx, "OBS011", res, "AccessLogSetting",
		           "set AccessLogSetting with a DestinationArn (a log group of the stack)",
		           "stage %s writes no access logs: no record of who called the API",
		           res->id);
		return;
	}
	const rnode *settings = claim_set(rnode_get(res->props, "MethodSettings"));
	bool all = false;
	for (size_t i = 0; i < claim_count(settings); i++) {
		const rnode *s = claim_item(settings, i);
		const rnode *level = rnode_get(s, "LoggingLevel");
		bool logs = claim_str_is(level, "ERROR") || claim_str_is(level, "INFO");
		if (level && !logs) {
			const char *path = rnode_str(rnode_get(s, "ResourcePath"));
			claim_flag(ctx, "OBS011", res, "MethodSettings", "set LoggingLevel: ERROR",
			           "stage %s does not log the execution of %s (LoggingLevel %s)",
			           res->id, path ? path : "a method",
			           rnode_str(level) ? rnode_str(level) : "unknown");
			return;
		}
		all = all || (logs && claim_str_is(rnode_get(s, "ResourcePath"), "/*") &&
		              claim_str_is(rnode_get(s, "HttpMethod"), "*"));
	}
	if (!all)
		claim_flag(ctx, "OBS011", res, "MethodSettings",
		           "add a MethodSetting for ResourcePath '/*' and HttpMethod '*' with "
		           "LoggingLevel: ERROR",
		           "stage %s does not log the execution of every method", res->id);
}

static void check_http_stage(const validate_ctx *ctx, const render_resource *res)
{
	if (!present(rnode_get(rnode_get(res->props, "AccessLogSettings"), "DestinationArn")))
		claim_flag(ctx, "OBS011", res, "AccessLogSettings",
		           "set AccessLogSettings with a DestinationArn (a log group of the stack)",
		           "stage %s writes no access logs: no record of who called the API",
		           res->id);
}

/* ---- OBS012: load balancer access logs -------------------------------------- */

static const rnode *lb_attribute(const rnode *attrs, const char *key)
{
	for (size_t i = 0; i < claim_count(attrs); i++)
		if (claim_str_is(rnode_get(claim_item(attrs, i), "Key"), key))
			return rnode_get(claim_item(attrs, i), "Value");
	return NULL;
}

static void check_lb_logs(const validate_ctx *ctx, const render_resource *res)
{
	bool classic = claim_is_type(res, "AWS::ElasticLoadBalancing::LoadBalancer");
	const rnode *type = rnode_get(res->props, "Type");
	if (!classic && type && !claim_str_is(type, "application") &&
	    !claim_str_is(type, "network"))
		return; /* a gateway load balancer has no access logs */
	bool on, bucket;
	if (classic) {
		const rnode *policy = rnode_get(res->props, "AccessLoggingPolicy");
		on = rnode_bool(claim_set(rnode_get(policy, "Enabled"))) == 1;
		bucket = present(rnode_get(policy, "S3BucketName"));
	} else {
		const rnode *attrs = claim_set(rnode_get(res->props, "LoadBalancerAttributes"));
		on = rnode_bool(claim_set(lb_attribute(attrs, "access_logs.s3.enabled"))) == 1;
		bucket = present(lb_attribute(attrs, "access_logs.s3.bucket"));
	}
	if (!on || !bucket)
		claim_flag(ctx, "OBS012", res,
		           classic ? "AccessLoggingPolicy" : "LoadBalancerAttributes",
		           classic ? "set AccessLoggingPolicy: {Enabled: true, S3BucketName: ...}"
		                   : "set the attributes access_logs.s3.enabled: 'true' and "
		                     "access_logs.s3.bucket",
		           "load balancer %s writes no access logs%s: no evidence of the requests "
		           "it served",
		           res->id, on ? " (no bucket)" : "");
}

/* ---- SEC011: cache authentication -------------------------------------------- */

/* Whether the `n` characters at `s` are the word `w`. */
static bool word_is(const char *s, size_t n, const char *w)
{
	return n == strlen(w) && strncmp(s, w, n) == 0;
}

/* Whether a Redis ACL access string leaves the user switched off: "off"
 * is the default, and the last of the words "on" and "off" wins. */
static bool user_off(const char *access)
{
	bool off = true;
	size_t i = 0;
	while (access && access[i]) {
		i += strspn(access + i, " ");
		size_t n = strcspn(access + i, " ");
		if (word_is(access + i, n, "on"))
			off = false;
		else if (word_is(access + i, n, "off"))
			off = true;
		i += n;
	}
	return off;
}

/* The user of a user group of the template named "default" that is not
 * switched off, or NULL. */
static const render_resource *default_user_on(const rendered *r, const render_resource *group)
{
	const rnode *ids = rnode_get(group->props, "UserIds");
	for (size_t i = 0; i < claim_count(ids); i++) {
		const render_resource *u = claim_ref_res(r, claim_item(ids, i));
		if (u && claim_is_type(u, "AWS::ElastiCache::User") &&
		    claim_str_is(rnode_get(u->props, "UserName"), "default") &&
		    !user_off(rnode_str(rnode_get(u->props, "AccessString"))))
			return u;
	}
	return NULL;
}

static void check_cache_auth(const validate_ctx *ctx, const render_resource *res)
{
	const char *engine = rnode_str(rnode_get(res->props, "Engine"));
	if (engine && strcmp(engine, "redis") != 0 && strcmp(engine, "valkey") != 0)
		return;
	/* Redis OSS 2.x to 5.x has no users; 6 and later do, and every Valkey
	 * (7.2 and later) */
	const char *version = rnode_str(rnode_get(res->props, "EngineVersion"));
	bool before_users = version && version[0] >= '2' && version[0] <= '5' && version[1] == '.';
	const rnode *groups = claim_set(rnode_get(res->props, "UserGroupIds"));
	if (before_users) {
		/* Redis OSS before 6 has no users: AUTH is its authentication */
		if (!present(rnode_get(res->props, "AuthToken")) && claim_count(groups) == 0)
			claim_flag(
			    ctx, "SEC011", res, "AuthToken",
			    "set an AuthToken, or move to Redis OSS 7.1 with an RBAC user group",
			    "cache %s lets any client in without authentication", res->id);
		return;
	}
	if (claim_count(groups) == 0) {
		claim_flag(ctx, "SEC011", res, "UserGroupIds",
		           "set UserGroupIds to a user group whose default user is off",
		           "cache %s has no RBAC user group%s", res->id,
		           present(rnode_get(res->props, "AuthToken"))
		               ? ": one shared AUTH token, no user of its own per client"
		               : ": any client gets in as the default user");
		return;
	}
	for (size_t i = 0; i < claim_count(groups); i++) {
		const render_resource *g = claim_ref_res(ctx->r, claim_item(groups, i));
		const render_resource *u = g ? default_user_on(ctx->r, g) : NULL;
		if (u) {
			claim_flag(ctx, "SEC011", res, "UserGroupIds",
			           "switch the default user off: AccessString 'off -@all'",
			           "cache %s lets clients in as the default user (%s is on)",
			           res->id, u->id);
			return;
		}
	}
}

/* ---- SEC012: wildcard actions ---------------------------------------------- */

/* "*", or every action of a service ("s3:*", any case; "*:*"); not
 * "s3:Get*". */
static bool wildcard_action(const char *a)
{
	return a && (strcmp(a, "*") == 0 || strcmp(a + strcspn(a, ":"), ":*") == 0);
}

static void check_statements(const validate_ctx *ctx, const render_resource *res, const rnode *doc,
                             const char *policy)
{
	const rnode *stmts = rnode_get(doc, "Statement");
	for (size_t i = 0; i < claim_count(stmts); i++) {
		const rnode *st = claim_item(stmts, i);
		if (!claim_str_is(rnode_get(st, "Effect"), "Allow"))
			continue;
		const char *hit =
		    rnode_get(st, "NotAction") ? "NotAction (every other action)" : NULL;
		const rnode *actions = rnode_get(st, "Action");
		for (size_t k = 0; !hit && k < claim_count(actions); k++)
			if (wildcard_action(rnode_str(claim_item(actions, k))))
				hit = rnode_str(claim_item(actions, k));
		if (hit) {
			claim_flag(ctx, "SEC012", res, policy ? "Policies" : "PolicyDocument",
			           "list the actions the role needs (least privilege)",
			           "%s%s%s%s allows %s", res->id, policy ? " (policy " : "",
			           policy ? policy : "", policy ? ")" : "", hit);
			return;
		}
	}
}

static void check_identity_policies(const validate_ctx *ctx, const render_resource *res)
{
	check_statements(ctx, res, rnode_get(res->props, "PolicyDocument"), NULL);
	const rnode *pols = rnode_get(res->props, "Policies");
	for (size_t k = 0; k < claim_count(pols); k++) {
		const rnode *p = claim_item(pols, k);
		const char *name = rnode_str(rnode_get(p, "PolicyName"));
		check_statements(ctx, res, rnode_get(p, "PolicyDocument"), name ? name : "?");
	}
}

/* ---- SEC013: public databases --------------------------------------------- */

static void check_public_database(const validate_ctx *ctx, const render_resource *res)
{
	int pub = rnode_bool(claim_set(rnode_get(res->props, "PubliclyAccessible")));
	bool instance = claim_is_type(res, "AWS::RDS::DBInstance");
	/* unset on an instance, RDS decides by the VPC and subnet group: public
	 * in a VPC with an internet gateway (ours has one, for the NAT
	 * gateways; CreateDBInstance, PubliclyAccessible). A cluster takes the
	 * flag only as a Multi-AZ DB cluster: true is what is refused there. */
	if (pub == 1 || (instance && pub != 0))
		claim_flag(
		    ctx, "SEC013", res, "PubliclyAccessible", "set PubliclyAccessible: false",
		    "database %s%s is %s", instance ? "instance " : "", res->id,
		    pub == 1 ? "publicly accessible"
		             : "not set private (PubliclyAccessible unset: RDS decides by the "
		               "subnets' VPC, public where it has an internet gateway)");
}

/* ---- SEC014: public IP addresses ------------------------------------------- */

/* Whether a NetworkInterfaces list gives an interface a public address. */
static bool interfaces_public(const rnode *nics)
{
	for (size_t i = 0; i < claim_count(nics); i++)
		if (rnode_bool(rnode_get(claim_item(nics, i), "AssociatePublicIpAddress")) == 1)
			return true;
	return false;
}

static void check_public_ips(const validate_ctx *ctx, const render_resource *res)
{
	const rnode *p = res->props;
	const char *what, *key;
	const char *hint = "set AssociatePublicIpAddress: false: instances run in the private app "
	                   "subnets and reach out through the NAT gateways";
	bool pub;
	if (claim_is_type(res, "AWS::EC2::Subnet")) {
		what = "subnet";
		key = "MapPublicIpOnLaunch";
		hint =
		    "set MapPublicIpOnLaunch: false: the NAT gateways in the public subnets have "
		    "Elastic IPs, and nothing else there needs an address";
		pub = rnode_bool(claim_set(rnode_get(p, key))) == 1;
	} else if (claim_is_type(res, "AWS::ECS::Service") ||
	           claim_is_type(res, "AWS::ECS::TaskSet")) {
		what = "service";
		key = "NetworkConfiguration";
		hint =
		    "set AssignPublicIp: DISABLED: tasks run in the private app subnets and reach "
		    "out through the NAT gateways";
		pub = claim_str_is(rnode_get(rnode_get(rnode_get(p, key), "AwsvpcConfiguration"),
		                             "AssignPublicIp"),
		                   "ENABLED");
	} else if (claim_is_type(res, "AWS::EC2::LaunchTemplate")) {
		what = "launch template";
		key = "LaunchTemplateData";
		pub = interfaces_public(rnode_get(rnode_get(p, key), "NetworkInterfaces"));
	} else if (claim_is_type(res, "AWS::EC2::Instance")) {
		what = "instance";
		key = "NetworkInterfaces";
		pub = interfaces_public(rnode_get(p, key));
	} else if (claim_is_type(res, "AWS::AutoScaling::LaunchConfiguration")) {
		what = "launch configuration";
		key = "AssociatePublicIpAddress";
		pub = rnode_bool(rnode_get(p, key)) == 1;
	} else {
		return;
	}
	if (pub)
		claim_flag(ctx, "SEC014", res, key, hint,
		           "%s %s gives what it launches a public IP address: a path from the "
		           "internet",
		           what, res->id);
}

/* ---- SEC015: bucket ACLs ---------------------------------------------------- */

static void check_bucket_acl(const validate_ctx *ctx, const render_resource *res)
{
	const rnode *acl = claim_set(rnode_get(res->props, "AccessControl"));
	if (acl && !claim_str_is(acl, "Private")) {
		claim_flag(ctx, "SEC015", res, "AccessControl",
		           "remove AccessControl: grant access by bucket policy",
		           "bucket %s grants access by ACL (%s)", res->id,
		           rnode_str(acl) ? rnode_str(acl) : "unknown");
		return;
	}
	const rnode *rules = rnode_get(rnode_get(res->props, "OwnershipControls"), "Rules");
	for (size_t i = 0; i < claim_count(rules); i++) {
		const char *own = rnode_str(rnode_get(claim_item(rules, i), "ObjectOwnership"));
		if (own && strcmp(own, "BucketOwnerEnforced") != 0) {
			claim_flag(ctx, "SEC015", res, "OwnershipControls",
			           "set ObjectOwnership: BucketOwnerEnforced (ACLs off)",
			           "bucket %s keeps ACLs on (ObjectOwnership %s): objects can be "
			           "shared past its policy",
			           res->id, own);
			return;
		}
	}
}

void claims_controls(const validate_ctx *ctx, const render_resource *res)
{
	static const char iam[] = "AWS::IAM::";
	if (claim_is_type(res, "AWS::CloudTrail::Trail"))
		check_trail_logs(ctx, res);
	else if (claim_is_type(res, "AWS::RDS::DBCluster")) {
		check_database_logs(ctx, res);
		check_public_database(ctx, res);
	} else if (claim_is_type(res, "AWS::RDS::DBInstance")) {
		/* an instance of a cluster logs through its cluster */
		if (!rnode_get(res->props, "DBClusterIdentifier"))
			check_database_logs(ctx, res);
		check_public_database(ctx, res);
	} else if (claim_is_type(res, "AWS::ApiGateway::Stage"))
		check_rest_stage(ctx, res);
	else if (claim_is_type(res, "AWS::ApiGatewayV2::Stage"))
		check_http_stage(ctx, res);
	else if (claim_is_type(res, "AWS::ElasticLoadBalancingV2::LoadBalancer") ||
	         claim_is_type(res, "AWS::ElasticLoadBalancing::LoadBalancer"))
		check_lb_logs(ctx, res);
	else if (claim_is_type(res, "AWS::ElastiCache::ReplicationGroup"))
		check_cache_auth(ctx, res);
	else if (claim_is_type(res, "AWS::S3::Bucket"))
		check_bucket_acl(ctx, res);
	else if (res->type && strncmp(res->type, iam, strlen(iam)) == 0)
		check_identity_policies(ctx, res);
	else
		check_public_ips(ctx, res);
}
