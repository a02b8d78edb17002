/* Name rules: every generated name carries the environment suffix and fits
 * its service's limit even at the longest suffix the template allows. */
#include "model/rules.h"

#include <stdlib.h>
#include <string.h>

void rule_suffix(const validate_ctx *ctx)
{
	const char *s = model_get(ctx->m, "suffix");
	if (!s || !*s)
		return;
	size_t n = strlen(s);
	/* ElastiCache ids and S3 bucket names end in the suffix; neither
	 * allows a trailing hyphen, ElastiCache no two hyphens in a row */
	if (s[n - 1] == '-' || strstr(s, "--"))
		findings_add(ctx->out, "NAM001", SEV_ERROR, "suffix",
		             "end with a letter or digit and use single hyphens",
		             "suffix '%s' would end names with a hyphen or put two in a row, "
		             "which S3 and ElastiCache reject",
		             s);
}

/* Name properties and their service limits (characters), from the
 * CloudFormation resource reference and the services' API references. */
static const struct {
	const char *type;
	const char *property;
	size_t max;
	bool lower; /* lower case only */
} name_limits[] = {
    {"AWS::ElasticLoadBalancingV2::LoadBalancer", "Name", 32, false},
    {"AWS::ElasticLoadBalancingV2::TargetGroup", "Name", 32, false},
    {"AWS::ElastiCache::ReplicationGroup", "ReplicationGroupId", 40, true},
    {"AWS::ElastiCache::User", "UserId", 40, true},
    {"AWS::ElastiCache::UserGroup", "UserGroupId", 40, true},
    {"AWS::ElastiCache::SubnetGroup", "CacheSubnetGroupName", 255, true},
    {"AWS::ElastiCache::ParameterGroup", "CacheParameterGroupName", 255, true},
    {"AWS::IAM::Role", "RoleName", 64, false},
    {"AWS::IAM::ManagedPolicy", "ManagedPolicyName", 128, false},
    {"AWS::IAM::Policy", "PolicyName", 128, false},
    {"AWS::Lambda::Function", "FunctionName", 64, false},
    {"AWS::S3::Bucket", "BucketName", 63, true},
    {"AWS::RDS::DBCluster", "DBClusterIdentifier", 63, true},
    {"AWS::RDS::DBInstance", "DBInstanceIdentifier", 63, true},
    {"AWS::RDS::DBSubnetGroup", "DBSubnetGroupName", 255, true},
    {"AWS::RDS::DBClusterParameterGroup", "DBClusterParameterGroupName", 255, true},
    {"AWS::ECS::Cluster", "ClusterName", 255, false},
    {"AWS::ECS::Service", "ServiceName", 255, false},
    {"AWS::Logs::LogGroup", "LogGroupName", 512, false},
    {"AWS::KMS::Alias", "AliasName", 256, false},
    {"AWS::SecretsManager::Secret", "Name", 512, false},
    {"AWS::Kinesis::Stream", "Name", 128, false},
    {"AWS::KinesisFirehose::DeliveryStream", "DeliveryStreamName", 64, false},
    {"AWS::CodePipeline::Pipeline", "Name", 100, false},
    {"AWS::CodeBuild::Project", "Name", 255, false},
    {"AWS::ECR::Repository", "RepositoryName", 256, true},
    {"AWS::SNS::Topic", "TopicName", 256, false},
    {"AWS::WAFv2::WebACL", "Name", 128, false},
    {"AWS::Cognito::UserPool", "UserPoolName", 128, false},
    {"AWS::CloudTrail::Trail", "TrailName", 128, false},
    {"AWS::CloudWatch::Alarm", "AlarmName", 255, false},
    {"AWS::Events::Rule", "Name", 64, false},
    {"AWS::Scheduler::Schedule", "Name", 64, false},
    {"AWS::ApiGatewayV2::VpcLink", "Name", 128, false},
    {"AWS::EC2::SecurityGroup", "GroupName", 255, false},
};

/* One name property's checks: `now` is its value for the model, `worst`
 * with the longest suffix allowed (both rendered; NULL when only AWS knows
 * it). */
static void check_name(const validate_ctx *ctx, const render_resource *res, size_t t,
                       const ynode *at, const char *now, const char *worst)
{
	const cat_entry *e = res->entry;
	const char *property = name_limits[t].property;
	size_t max = name_limits[t].max, now_len = strlen(now);
	if (now_len > max) {
		findings_add(ctx->out, "NAM002", SEV_ERROR, "suffix",
		             "shorten the suffix or the stack's names",
		             "%s %s '%s' is %zu characters; the limit is %zu", e->name, property,
		             now, now_len, max);
	} else if (worst && strlen(worst) > max) {
		findings_add(ctx->out, "NAM002", SEV_ERROR, "", "shorten the name in the template",
		             "%s %s would be %zu characters with the longest suffix allowed; the "
		             "limit is %zu",
		             e->name, property, strlen(worst), max);
		rule_at(ctx, e, at);
	}
	if (name_limits[t].lower) {
		for (const char *c = now; *c; c++)
			if (*c >= 'A' && *c <= 'Z') {
				findings_add(ctx->out, "NAM002", SEV_ERROR, "suffix",
				             "use lower case", "%s %s '%s' must be lower case",
				             e->name, property, now);
				break;
			}
	}
	/* the name carries the suffix when the longest suffix changes it (or
	 * the model's suffix is already the longest, and in it) */
	const char *suffix = rule_value(ctx, MODEL_PARAM_SUFFIX);
	bool has_suffix =
	    worst && (strcmp(now, worst) != 0 || (suffix && *suffix && strstr(now, suffix) &&
	                                          strspn(suffix, "x") == strlen(suffix)));
	if (worst && !has_suffix) {
		findings_add(ctx->out, "NAM003", SEV_WARNING, "",
		             "add -${EnvironmentSuffix} to the name",
		             "%s %s does not carry the environment suffix: two environments in one "
		             "account would collide",
		             e->name, property);
		rule_at(ctx, e, at);
	}
}

/* The template rendered for the names: the account id a placeholder of
 * its length; NULL when it cannot be rendered. */
static rendered *render_names(const catalog *cat, const render_params *params)
{
	/* the types and name properties name_limits lists, and no others */
	enum { NTYPES = sizeof(name_limits) / sizeof(name_limits[0]) };
	const char *types[NTYPES + 1], *props[NTYPES + 1];
	for (size_t i = 0; i < NTYPES; i++) {
		types[i] = name_limits[i].type;
		props[i] = name_limits[i].property;
	}
	types[NTYPES] = props[NTYPES] = NULL;
	render_options opt = {.params = params,
	                      .account_id = RENDER_PLACEHOLDER_ACCOUNT_ID,
	                      .only_types = types,
	                      .only_props = props};
	lms_error err = {0};
	rendered *r = render_with(cat, &opt, NULL, &err);
	lms_error_clear(&err);
	return r;
}

void rule_name_lengths(const validate_ctx *ctx)
{
	if (!ctx->r)
		return;
	/* rendered for the model and again with the longest suffix the
	 * parameter allows, both with an account id: the renderer is the only
	 * evaluator */
	buf scratch;
	buf_init(&scratch, 0);
	render_params model_params = render_params_model(ctx->m);
	render_params worst_params = render_params_worst_suffix(ctx->cat, ctx->m, &scratch);
	rendered *r = render_names(ctx->cat, &model_params);
	rendered *worst = render_names(ctx->cat, &worst_params);
	for (size_t i = 0; r && i < r->nres; i++) {
		const render_resource *res = &r->res[i];
		if (!res->type)
			continue;
		const render_resource *wres = worst ? render_find(worst, res->id) : NULL;
		for (size_t t = 0; t < sizeof(name_limits) / sizeof(name_limits[0]); t++) {
			if (strcmp(res->type, name_limits[t].type) != 0)
				continue;
			const ynode *at;
			const char *now =
			    rnode_str(rule_prop(res->props, name_limits[t].property, &at));
			if (!now)
				continue; /* only AWS knows it */
			const char *wv =
			    wres ? rnode_str(rnode_get(wres->props, name_limits[t].property))
			         : NULL;
			check_name(ctx, res, t, at, now, wv);
		}
	}
	render_free(r);
	render_free(worst);
	buf_free(&scratch);
}
