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

typedef struct sub_result {
	buf now;   /* with the model's suffix */
	buf worst; /* with the longest suffix the parameter allows */
	bool known;
	bool has_suffix;
} sub_result;

static const char *pseudo_value(const validate_ctx *ctx, const char *name)
{
	if (strcmp(name, "AWS::AccountId") == 0)
		return "123456789012";
	if (strcmp(name, "AWS::Region") == 0) {
		const char *r = model_get(ctx->m, "region");
		return r ? r : "eu-west-1";
	}
	if (strcmp(name, "AWS::StackName") == 0) {
		const char *s = model_get(ctx->m, "stack");
		return s ? s : "lms";
	}
	if (strcmp(name, "AWS::Partition") == 0)
		return "aws";
	if (strcmp(name, "AWS::URLSuffix") == 0)
		return "amazonaws.com";
	return NULL;
}

static void eval_sub(const validate_ctx *ctx, const char *tmpl, const ynode *vars, sub_result *r)
{
	const cat_param *sp = catalog_param(ctx->cat, MODEL_PARAM_SUFFIX);
	size_t longest = sp && sp->has_max_length ? (size_t)sp->max_length : 12;
	const char *suffix = rule_value(ctx, MODEL_PARAM_SUFFIX);
	for (const char *p = tmpl; *p;) {
		if (p[0] == '$' && p[1] == '{') {
			const char *close = strchr(p, '}');
			if (!close) {
				r->known = false;
				return;
			}
			size_t n = (size_t)(close - p - 2);
			char *name = strndup(p + 2, n);
			if (!name) {
				r->known = false;
				return;
			}
			if (name[0] == '!') {
				buf_addf(&r->now, "${%s}", name + 1);
				buf_addf(&r->worst, "${%s}", name + 1);
			} else if (strcmp(name, MODEL_PARAM_SUFFIX) == 0) {
				r->has_suffix = true;
				buf_adds(&r->now, suffix ? suffix : "");
				for (size_t i = 0; i < longest; i++)
					buf_addc(&r->worst, 'x');
			} else {
				const char *v = ynode_str(ynode_get(vars, name));
				if (!v)
					v = pseudo_value(ctx, name);
				if (!v && catalog_param(ctx->cat, name))
					v = rule_value(ctx, name);
				if (v) {
					buf_adds(&r->now, v);
					buf_adds(&r->worst, v);
				} else {
					r->known =
					    false; /* a resource attribute: known only to AWS */
				}
			}
			free(name);
			p = close + 1;
			continue;
		}
		buf_addc(&r->now, *p);
		buf_addc(&r->worst, *p);
		p++;
	}
}

/* Evaluates a name property: a plain string or Fn::Sub in either form. */
static bool eval_name(const validate_ctx *ctx, const ynode *v, sub_result *r)
{
	const ynode *sub = NULL;
	if (v->tag && strcmp(v->tag, "!Sub") == 0)
		sub = v;
	else if (v->kind == YNODE_MAP && v->n == 1 && ynode_get(v, "Fn::Sub"))
		sub = ynode_get(v, "Fn::Sub");
	r->known = true;
	if (!sub) {
		const char *s = ynode_str(v);
		if (!s)
			return false; /* !If, !Join, ...: not evaluated here */
		buf_adds(&r->now, s);
		buf_adds(&r->worst, s);
		return true;
	}
	if (sub->kind == YNODE_SCALAR) {
		eval_sub(ctx, sub->str, NULL, r);
		return true;
	}
	if (sub->kind == YNODE_SEQ && sub->n == 2 && sub->kids[0]->kind == YNODE_SCALAR) {
		eval_sub(ctx, sub->kids[0]->str, sub->kids[1], r);
		return true;
	}
	return false;
}

void rule_name_lengths(const validate_ctx *ctx)
{
	const catalog *cat = ctx->cat;
	for (size_t i = 0; i < cat->nentries[SEC_RESOURCES]; i++) {
		const cat_entry *e = &cat->entries[SEC_RESOURCES][i];
		const char *type = ynode_str(ynode_get(e->value, "Type"));
		const ynode *props = ynode_get(e->value, "Properties");
		if (!type || !props)
			continue;
		for (size_t t = 0; t < sizeof(name_limits) / sizeof(name_limits[0]); t++) {
			if (!name_limits[t].max || strcmp(type, name_limits[t].type) != 0)
				continue;
			const ynode *v = ynode_get(props, name_limits[t].property);
			if (!v)
				continue;
			sub_result r;
			buf_init(&r.now, 0);
			buf_init(&r.worst, 0);
			r.has_suffix = false;
			if (eval_name(ctx, v, &r) && r.known) {
				size_t max = name_limits[t].max;
				size_t before = ctx->out->n;
				if (r.now.len > max) {
					findings_add(
					    ctx->out, "NAM002", SEV_ERROR, "suffix",
					    "shorten the suffix or the stack's names",
					    "%s %s '%s' is %zu characters; the limit is %zu",
					    e->name, name_limits[t].property, buf_cstr(&r.now),
					    r.now.len, max);
				} else if (r.worst.len > max) {
					findings_add(
					    ctx->out, "NAM002", SEV_ERROR, "",
					    "shorten the name in the template",
					    "%s %s would be %zu characters with the longest "
					    "suffix allowed; the limit is %zu",
					    e->name, name_limits[t].property, r.worst.len, max);
					findings_set_position(ctx->out, before, e->frag->path,
					                      v->start.line, v->start.col);
				}
				if (name_limits[t].lower) {
					for (const char *c = buf_cstr(&r.now); *c; c++)
						if (*c >= 'A' && *c <= 'Z') {
							findings_add(
							    ctx->out, "NAM002", SEV_ERROR, "suffix",
							    "use lower case",
							    "%s %s '%s' must be lower case",
							    e->name, name_limits[t].property,
							    buf_cstr(&r.now));
							break;
						}
				}
				if (!r.has_suffix) {
					findings_add(
					    ctx->out, "NAM003", SEV_WARNING, "",
					    "add -${EnvironmentSuffix} to the name",
					    "%s %s does not carry the environment suffix: two "
					    "environments in one account would collide",
					    e->name, name_limits[t].property);
					findings_set_position(ctx->out, ctx->out->n - 1,
					                      e->frag->path, v->start.line,
					                      v->start.col);
				}
			}
			buf_free(&r.now);
			buf_free(&r.worst);
		}
	}
}
