/* Observability and delivery rules: every log group encrypted and kept for
 * a stated time, audit logs a year or more, the data lake expiring what it
 * holds (PDPA retention limitation), a manual approval before prod. */
#include "model/claims.h"
#include "model/rules.h"

#include <stdlib.h>
#include <string.h>

/* Audit logs are kept at least a year (the brief; MAS TRM and common audit
 * practice ask for one year online). */
#define AUDIT_MIN_DAYS 365

/* The trails and VPC flow logs of the rendering, found once per run:
 * looking for them again for every log group made the rule quadratic. */
typedef struct writers {
	const render_resource **res;
	size_t n;
} writers;

static writers find_writers(const rendered *r)
{
	/* an array of pointers: the size of a pointer, on purpose */
	// NOLINTNEXTLINE(bugprone-sizeof-expression)
	writers w = {calloc(r->nres + 1, sizeof(*w.res)), 0};
	for (size_t i = 0; w.res && i < r->nres; i++) {
		const char *t = r->res[i].type;
		if (t && (strcmp(t, "AWS::CloudTrail::Trail") == 0 ||
		          strcmp(t, "AWS::EC2::FlowLog") == 0))
			w.res[w.n++] = &r->res[i];
	}
	return w;
}

/* A log group is an audit log when a trail or a VPC flow log writes to it. */
static const char *audit_writer(const writers *w, const cat_entry *group)
{
	for (size_t i = 0; i < w->n; i++)
		if (rnode_mentions(w->res[i]->props, group->name))
			return w->res[i]->type;
	return NULL;
}

static void check_log_group(const validate_ctx *ctx, const writers *w, const render_resource *res)
{
	const cat_entry *e = res->entry;
	const rnode *props = res->props;
	const rnode *kms = claim_set(rnode_get(props, "KmsKeyId"));
	const ynode *ret_at;
	const rnode *ret = claim_set(rule_prop(props, "RetentionInDays", &ret_at));
	if (!kms) {
		findings_add(ctx->out, "OBS001", SEV_ERROR, "", "KmsKeyId: !GetAtt LogsKey.Arn",
		             "log group %s is not encrypted with a customer-managed key", e->name);
		rule_at(ctx, e, NULL);
	}
	long days = -1;
	if (!ret) {
		findings_add(ctx->out, "OBS001", SEV_ERROR, "",
		             "set RetentionInDays (PDPA retention limitation)",
		             "log group %s keeps its events forever", e->name);
		rule_at(ctx, e, NULL);
		return;
	}
	if (!rnode_long(ret, &days))
		return;
	const char *writer = audit_writer(w, e);
	if (writer && days < AUDIT_MIN_DAYS) {
		bool prod = strcmp(rule_env(ctx), "prod") == 0;
		const char *field = rule_param_of(ctx, ret);
		findings_add(ctx->out, "OBS002", prod ? SEV_ERROR : SEV_INFO, field ? field : "",
		             "keep audit logs 365 days or more",
		             "%s is an audit log (%s writes it) kept %ld days", e->name, writer,
		             days);
		if (!field)
			rule_at(ctx, e, ret_at);
	}
}

/* Whether a Firehose delivery stream delivers into bucket `id`. */
static bool is_data_lake(const rendered *r, const char *id)
{
	for (size_t j = 0; j < r->nres; j++) {
		const char *ft = r->res[j].type;
		if (!ft || strcmp(ft, "AWS::KinesisFirehose::DeliveryStream") != 0)
			continue;
		const rnode *props = r->res[j].props;
		const rnode *dest = rnode_get(props, "ExtendedS3DestinationConfiguration");
		if (!dest)
			dest = rnode_get(props, "S3DestinationConfiguration");
		if (rnode_mentions(rnode_get(dest, "BucketARN"), id))
			return true;
	}
	return false;
}

/* OBS003: a bucket that Firehose delivers into is the data lake: it must
 * expire what it holds. */
static void check_data_lake(const validate_ctx *ctx)
{
	const rendered *r = ctx->r;
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *b = &r->res[i];
		if (!b->type || strcmp(b->type, "AWS::S3::Bucket") != 0 || !is_data_lake(r, b->id))
			continue;
		const rnode *rules =
		    rnode_get(rnode_get(b->props, "LifecycleConfiguration"), "Rules");
		bool expires = false;
		for (size_t k = 0; rules && rules->kind == RN_SEQ && !rules->fn && k < rules->n;
		     k++) {
			const rnode *rule = rules->kids[k];
			const char *status = rnode_str(rnode_get(rule, "Status"));
			bool enabled = status && strcmp(status, "Enabled") == 0;
			expires = expires || (enabled && (rnode_get(rule, "ExpirationInDays") ||
			                                  rnode_get(rule, "ExpirationDate")));
		}
		if (!expires) {
			findings_add(ctx->out, "OBS003", SEV_ERROR, "",
			             "add an enabled lifecycle rule with ExpirationInDays",
			             "data lake %s keeps personal data forever: PDPA's retention "
			             "limitation needs an expiry",
			             b->id);
			rule_at(ctx, b->entry, NULL);
		}
	}
}

/* OBS004: in prod, a pipeline that deploys has a manual approval first. */
static void check_pipeline(const validate_ctx *ctx, const render_resource *res)
{
	if (strcmp(rule_env(ctx), "prod") != 0)
		return;
	const ynode *stages_at;
	const rnode *stages = rule_prop(res->props, "Stages", &stages_at);
	bool approval = false, deploys = false;
	for (size_t i = 0; stages && stages->kind == RN_SEQ && !stages->fn && i < stages->n; i++) {
		const rnode *stage = stages->kids[i];
		const rnode *actions = rnode_get(stage, "Actions");
		/* a stage named Deploy deploys whatever its actions' category
		 * (the pipeline deploys through CodeBuild, category Build) */
		const char *sname = rnode_str(rnode_get(stage, "Name"));
		bool deploy_stage = sname && strcmp(sname, "Deploy") == 0;
		for (size_t a = 0;
		     actions && actions->kind == RN_SEQ && !actions->fn && a < actions->n; a++) {
			const rnode *act = actions->kids[a];
			const char *cat =
			    rnode_str(rnode_get(rnode_get(act, "ActionTypeId"), "Category"));
			if (!cat)
				continue;
			if (strcmp(cat, "Approval") == 0 && !deploys)
				approval = true;
			if (strcmp(cat, "Deploy") == 0 ||
			    (deploy_stage && strcmp(cat, "Approval") != 0))
				deploys = true;
		}
	}
	if (deploys && !approval) {
		findings_add(ctx->out, "OBS004", SEV_ERROR, "",
		             "add a stage with a Manual Approval action before the deploy stage",
		             "pipeline %s deploys to prod without a manual approval", res->id);
		rule_at(ctx, res->entry, stages_at);
	}
}

void rule_observe(const validate_ctx *ctx)
{
	const rendered *r = ctx->r;
	if (!r)
		return;
	writers w = find_writers(r);
	for (size_t i = 0; i < r->nres; i++) {
		const char *type = r->res[i].type;
		if (!type)
			continue;
		if (strcmp(type, "AWS::Logs::LogGroup") == 0)
			check_log_group(ctx, &w, &r->res[i]);
		else if (strcmp(type, "AWS::CodePipeline::Pipeline") == 0)
			check_pipeline(ctx, &r->res[i]);
	}
	free(w.res);
	check_data_lake(ctx);
}
