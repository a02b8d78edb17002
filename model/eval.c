#include "model/eval.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Conditions may refer to conditions; a cycle is a template error that
 * CloudFormation rejects, here it ends as "unknown". */
#define EVAL_MAX_DEPTH 32

const char *eval_fn(const ynode *n, const ynode **arg)
{
	if (!n)
		return NULL;
	if (n->tag && n->tag[0] == '!' && n->tag[1] != '!') {
		*arg = n;
		return n->tag + 1;
	}
	if (n->kind == YNODE_MAP && n->n == 1) {
		const char *k = ynode_key(n, 0)->str;
		if (strcmp(k, "Ref") == 0 || strcmp(k, "Condition") == 0 ||
		    strncmp(k, "Fn::", 4) == 0) {
			*arg = ynode_val(n, 0);
			return strncmp(k, "Fn::", 4) == 0 ? k + 4 : k;
		}
	}
	return NULL;
}

/* The argument as a list: a short-form tagged sequence or a long-form value. */
static const ynode *arg_item(const ynode *arg, size_t i)
{
	if (!arg || arg->kind != YNODE_SEQ || i >= arg->n)
		return NULL;
	return arg->kids[i];
}

static const char *ref_value(const eval_ctx *ctx, const char *name)
{
	if (strcmp(name, "AWS::Region") == 0) {
		const char *r = model_get(ctx->m, "region");
		return r ? r : "eu-west-1";
	}
	if (strcmp(name, "AWS::StackName") == 0)
		return model_get(ctx->m, "stack");
	if (strcmp(name, "AWS::Partition") == 0)
		return "aws";
	if (strcmp(name, "AWS::URLSuffix") == 0)
		return "amazonaws.com";
	if (catalog_param(ctx->cat, name))
		return model_param_value(ctx->m, ctx->cat, name);
	return NULL;
}

static const char *str_depth(const eval_ctx *ctx, const ynode *n, int depth);
static int cond_node(const eval_ctx *ctx, const ynode *n, int depth);

static int cond_named(const eval_ctx *ctx, const char *name, int depth)
{
	const cat_entry *e = catalog_entry(ctx->cat, SEC_CONDITIONS, name);
	if (!e || depth > EVAL_MAX_DEPTH)
		return -1;
	return cond_node(ctx, e->value, depth + 1);
}

static int cond_node(const eval_ctx *ctx, const ynode *n, int depth)
{
	const ynode *arg = NULL;
	const char *fn = eval_fn(n, &arg);
	if (!fn || depth > EVAL_MAX_DEPTH)
		return -1;
	if (strcmp(fn, "Condition") == 0)
		return ynode_str(arg) || (arg && arg->kind == YNODE_SCALAR)
		           ? cond_named(ctx, arg->str, depth + 1)
		           : -1;
	if (strcmp(fn, "Equals") == 0) {
		const char *a = str_depth(ctx, arg_item(arg, 0), depth + 1);
		const char *b = str_depth(ctx, arg_item(arg, 1), depth + 1);
		return a && b ? strcmp(a, b) == 0 : -1;
	}
	if (strcmp(fn, "Not") == 0) {
		int v = cond_node(ctx, arg_item(arg, 0), depth + 1);
		return v < 0 ? -1 : !v;
	}
	if (strcmp(fn, "And") == 0 || strcmp(fn, "Or") == 0) {
		bool is_and = fn[0] == 'A';
		bool unknown = false;
		for (size_t i = 0; arg && arg->kind == YNODE_SEQ && i < arg->n; i++) {
			int v = cond_node(ctx, arg->kids[i], depth + 1);
			if (v < 0)
				unknown = true;
			else if (is_and && !v)
				return 0;
			else if (!is_and && v)
				return 1;
		}
		return unknown ? -1 : is_and;
	}
	return -1;
}

int eval_condition(const eval_ctx *ctx, const char *name)
{
	return cond_named(ctx, name, 0);
}

static const ynode *pick_depth(const eval_ctx *ctx, const ynode *n, int depth)
{
	const ynode *arg = NULL;
	const char *fn = eval_fn(n, &arg);
	if (!fn || strcmp(fn, "If") != 0)
		return n;
	if (depth > EVAL_MAX_DEPTH)
		return NULL;
	const ynode *name = arg_item(arg, 0);
	if (!name || name->kind != YNODE_SCALAR)
		return NULL;
	int c = cond_named(ctx, name->str, depth + 1);
	if (c < 0)
		return NULL;
	const ynode *branch = arg_item(arg, c ? 1 : 2);
	const ynode *rarg = NULL;
	const char *rfn = eval_fn(branch, &rarg);
	if (rfn && strcmp(rfn, "Ref") == 0 && rarg && rarg->kind == YNODE_SCALAR &&
	    strcmp(rarg->str, "AWS::NoValue") == 0)
		return NULL;
	return pick_depth(ctx, branch, depth + 1);
}

const ynode *eval_pick(const eval_ctx *ctx, const ynode *n)
{
	return pick_depth(ctx, n, 0);
}

static const char *str_depth(const eval_ctx *ctx, const ynode *n, int depth)
{
	n = pick_depth(ctx, n, depth);
	if (!n)
		return NULL;
	if (n->kind == YNODE_SCALAR && !n->tag)
		return n->str;
	const ynode *arg = NULL;
	const char *fn = eval_fn(n, &arg);
	if (fn && strcmp(fn, "Ref") == 0 && arg && arg->kind == YNODE_SCALAR)
		return ref_value(ctx, arg->str);
	return NULL;
}

const char *eval_str(const eval_ctx *ctx, const ynode *n)
{
	return str_depth(ctx, n, 0);
}

int eval_bool(const eval_ctx *ctx, const ynode *n)
{
	const char *s = eval_str(ctx, n);
	if (!s)
		return -1;
	if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
		return 1;
	if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
		return 0;
	return -1;
}

bool eval_long(const eval_ctx *ctx, const ynode *n, long *out)
{
	const char *s = eval_str(ctx, n);
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

int eval_exists(const eval_ctx *ctx, const cat_entry *e)
{
	const char *cond = ynode_str(ynode_get(e->value, "Condition"));
	return cond ? eval_condition(ctx, cond) : 1;
}

long eval_az_index(const eval_ctx *ctx, const ynode *n)
{
	n = eval_pick(ctx, n);
	const ynode *arg = NULL;
	const char *fn = eval_fn(n, &arg);
	if (!fn || strcmp(fn, "Select") != 0)
		return -1;
	const ynode *from = arg_item(arg, 1);
	const ynode *farg = NULL;
	const char *ffn = eval_fn(from, &farg);
	if (!ffn || strcmp(ffn, "GetAZs") != 0)
		return -1;
	long i;
	return eval_long(ctx, arg_item(arg, 0), &i) ? i : -1;
}

const char *eval_ref_target(const ynode *n, const char **attr)
{
	const ynode *arg = NULL;
	const char *fn = eval_fn(n, &arg);
	if (attr)
		*attr = NULL;
	if (!fn || !arg)
		return NULL;
	if (strcmp(fn, "Ref") == 0 && arg->kind == YNODE_SCALAR)
		return arg->str;
	if (strcmp(fn, "GetAtt") != 0)
		return NULL;
	if (arg->kind == YNODE_SEQ && arg->n == 2 && arg->kids[0]->kind == YNODE_SCALAR) {
		if (attr && arg->kids[1]->kind == YNODE_SCALAR)
			*attr = arg->kids[1]->str;
		return arg->kids[0]->str;
	}
	if (arg->kind == YNODE_SCALAR) {
		/* "X.Attr.Sub": the logical id is up to the first dot; the
		 * caller compares prefixes, so we return the whole string and
		 * point attr past the dot */
		const char *dot = strchr(arg->str, '.');
		if (attr && dot)
			*attr = dot + 1;
		return arg->str;
	}
	return NULL;
}
