/* Observability and delivery rules: every log group encrypted and kept for
 * a stated time, audit logs a year or more, the data lake expiring what it
 * holds (PDPA retention limitation), a manual approval before prod. */
#include "model/eval.h"
#include "model/rules.h"

#include <stdlib.h>
#include <string.h>

/* Audit logs are kept at least a year (the brief; MAS TRM and common audit
 * practice ask for one year online). */
#define AUDIT_MIN_DAYS 365

static const char *type_of(const cat_entry *e)
{
	return ynode_str(ynode_get(e->value, "Type"));
}

/* Whether any scalar under `n` names `logical_id` as a reference (Ref,
 * GetAtt, or ${id} in a Sub). */
static bool mentions(const ynode *n, const char *logical_id)
{
	if (!n)
		return false;
	const char *attr;
	const char *t = eval_ref_target(n, &attr);
	size_t len = strlen(logical_id);
	if (t && strncmp(t, logical_id, len) == 0 && (t[len] == '\0' || t[len] == '.'))
		return true;
	if (n->kind == YNODE_SCALAR) {
		const char *p = strstr(n->str, "${");
		while (p) {
			if (strncmp(p + 2, logical_id, len) == 0 &&
			    (p[2 + len] == '}' || p[2 + len] == '.'))
				return true;
			p = strstr(p + 2, "${");
		}
		return false;
	}
	size_t count = n->kind == YNODE_MAP ? 2 * n->n : n->n;
	for (size_t i = 0; i < count; i++)
		if (mentions(n->kids[i], logical_id))
			return true;
	return false;
}

/* The trails and VPC flow logs of the catalog, found once per run: looking
 * for them again for every log group made the rule quadratic. */
typedef struct writers {
	const cat_entry **e;
	size_t n;
} writers;

static writers find_writers(const catalog *cat)
{
	writers w = {calloc(cat->nentries[SEC_RESOURCES] + 1, sizeof(cat_entry *)), 0};
	for (size_t i = 0; w.e && i < cat->nentries[SEC_RESOURCES]; i++) {
		const cat_entry *e = &cat->entries[SEC_RESOURCES][i];
		const char *t = type_of(e);
		if (t && (strcmp(t, "AWS::CloudTrail::Trail") == 0 ||
		          strcmp(t, "AWS::EC2::FlowLog") == 0))
			w.e[w.n++] = e;
	}
	return w;
}

/* A log group is an audit log when a trail or a VPC flow log writes to it. */
static const char *audit_writer(const writers *w, const cat_entry *group)
{
	for (size_t i = 0; i < w->n; i++)
		if (mentions(ynode_get(w->e[i]->value, "Properties"), group->name))
			return type_of(w->e[i]);
	return NULL;
}

static void check_log_group(const validate_ctx *ctx, const eval_ctx *ev, const writers *w,
                            const cat_entry *e)
{
	const ynode *props = ynode_get(e->value, "Properties");
	const ynode *kms = ynode_get(props, "KmsKeyId");
	const ynode *ret = ynode_get(props, "RetentionInDays");
	if (!kms || !eval_pick(ev, kms)) {
		findings_add(ctx->out, "OBS001", SEV_ERROR, "", "KmsKeyId: !GetAtt LogsKey.Arn",
		             "log group %s is not encrypted with a customer-managed key", e->name);
		rule_at(ctx, e, NULL);
	}
	long days = -1;
	if (!ret || !eval_pick(ev, ret)) {
		findings_add(ctx->out, "OBS001", SEV_ERROR, "",
		             "set RetentionInDays (PDPA retention limitation)",
		             "log group %s keeps its events forever", e->name);
		rule_at(ctx, e, NULL);
		return;
	}
	if (!eval_long(ev, ret, &days))
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
			rule_at(ctx, e, ret);
	}
}

/* OBS003: a bucket that Firehose delivers into is the data lake: it must
 * expire what it holds. */
static void check_data_lake(const validate_ctx *ctx, const eval_ctx *ev)
{
	const catalog *cat = ctx->cat;
	for (size_t i = 0; i < cat->nentries[SEC_RESOURCES]; i++) {
		const cat_entry *b = &cat->entries[SEC_RESOURCES][i];
		const char *t = type_of(b);
		if (!t || strcmp(t, "AWS::S3::Bucket") != 0 || eval_exists(ev, b) == 0)
			continue;
		bool lake = false;
		for (size_t j = 0; j < cat->nentries[SEC_RESOURCES] && !lake; j++) {
			const cat_entry *f = &cat->entries[SEC_RESOURCES][j];
			const char *ft = type_of(f);
			if (!ft || strcmp(ft, "AWS::KinesisFirehose::DeliveryStream") != 0)
				continue;
			const ynode *props = ynode_get(f->value, "Properties");
			const ynode *dest = ynode_get(props, "ExtendedS3DestinationConfiguration");
			if (!dest)
				dest = ynode_get(props, "S3DestinationConfiguration");
			lake = mentions(ynode_get(dest, "BucketARN"), b->name);
		}
		if (!lake)
			continue;
		const ynode *rules = ynode_get(
		    ynode_get(ynode_get(b->value, "Properties"), "LifecycleConfiguration"),
		    "Rules");
		bool expires = false;
		for (size_t r = 0; rules && rules->kind == YNODE_SEQ && r < rules->n; r++) {
			const ynode *rule = eval_pick(ev, rules->kids[r]);
			const char *status = eval_str(ev, ynode_get(rule, "Status"));
			bool enabled = status && strcmp(status, "Enabled") == 0;
			expires = expires || (enabled && (ynode_get(rule, "ExpirationInDays") ||
			                                  ynode_get(rule, "ExpirationDate")));
		}
		if (!expires) {
			findings_add(ctx->out, "OBS003", SEV_ERROR, "",
			             "add an enabled lifecycle rule with ExpirationInDays",
			             "data lake %s keeps personal data forever: PDPA's retention "
			             "limitation needs an expiry",
			             b->name);
			rule_at(ctx, b, NULL);
		}
	}
}

/* OBS004: in prod, a pipeline that deploys has a manual approval first. */
static void check_pipeline(const validate_ctx *ctx, const eval_ctx *ev, const cat_entry *e)
{
	if (strcmp(rule_env(ctx), "prod") != 0)
		return;
	const ynode *stages = ynode_get(ynode_get(e->value, "Properties"), "Stages");
	bool approval = false, deploys = false;
	for (size_t i = 0; stages && stages->kind == YNODE_SEQ && i < stages->n; i++) {
		const ynode *stage = eval_pick(ev, stages->kids[i]);
		const ynode *actions = ynode_get(stage, "Actions");
		/* a stage named Deploy deploys whatever its actions' category
		 * (the pipeline deploys through CodeBuild, category Build) */
		const char *sname = eval_str(ev, ynode_get(stage, "Name"));
		bool deploy_stage = sname && strcmp(sname, "Deploy") == 0;
		for (size_t a = 0; actions && actions->kind == YNODE_SEQ && a < actions->n; a++) {
			const ynode *act = eval_pick(ev, actions->kids[a]);
			const char *cat =
			    eval_str(ev, ynode_get(ynode_get(act, "ActionTypeId"), "Category"));
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
		             "pipeline %s deploys to prod without a manual approval", e->name);
		rule_at(ctx, e, stages);
	}
}

void rule_observe(const validate_ctx *ctx)
{
	eval_ctx ev = {ctx->cat, ctx->m};
	const catalog *cat = ctx->cat;
	writers w = find_writers(cat);
	for (size_t i = 0; i < cat->nentries[SEC_RESOURCES]; i++) {
		const cat_entry *e = &cat->entries[SEC_RESOURCES][i];
		const char *type = type_of(e);
		if (!type || eval_exists(&ev, e) == 0)
			continue;
		if (strcmp(type, "AWS::Logs::LogGroup") == 0)
			check_log_group(ctx, &ev, &w, e);
		else if (strcmp(type, "AWS::CodePipeline::Pipeline") == 0)
			check_pipeline(ctx, &ev, e);
	}
	free(w.e);
	check_data_lake(ctx, &ev);
}
