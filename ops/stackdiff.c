#include "ops/stackdiff.h"

#include "common/diff.h"
#include "common/str.h"
#include "common/vec.h"
#include "model/render/render.h"

#include <stdlib.h>
#include <string.h>

/* What CloudFormation answers for a NoEcho parameter's value. */
#define SD_MASK "****"

const char *sd_param_state_name(sd_param_state s)
{
	switch (s) {
	case SD_SAME:
		return "same";
	case SD_CHANGED:
		return "changed";
	case SD_ADDED:
		return "added";
	case SD_REMOVED:
		return "removed";
	case SD_MASKED:
		return "noecho";
	case SD_OWNED:
		return "pipeline";
	}
	return "?";
}

const char *sd_resource_state_name(sd_resource_state s)
{
	switch (s) {
	case SD_RES_ADDED:
		return "added";
	case SD_RES_REMOVED:
		return "removed";
	case SD_RES_MODIFIED:
		return "modified";
	}
	return "?";
}

static const char *stack_value(const cfn_stack *s, const char *name)
{
	for (size_t i = 0; s && i < s->nparameters; i++)
		if (s->parameters[i].key && strcmp(s->parameters[i].key, name) == 0)
			return s->parameters[i].value ? s->parameters[i].value : "";
	return NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static bool add_param(stack_diff *d, const char *key, const char *deployed, const char *wanted,
                      sd_param_state st)
{
	if (!VEC_RESIZE(d->params, d->nparams + 1))
		return false;
	sd_param *p = &d->params[d->nparams++];
	*p = (sd_param){strdup(key), dup_or_null(deployed), dup_or_null(wanted), st};
	if (st == SD_CHANGED || st == SD_ADDED || st == SD_REMOVED)
		d->params_differ++;
	return p->key && (!deployed || p->deployed) && (!wanted || p->model);
}

/* The value a deploy gives `name`: in->values' when they name it, else the model's (a
 * parameter not sent takes its Default, which the assembled template has from the model);
 * NULL: none. */
static const char *sent_value(const sd_input *in, const char *name)
{
	for (size_t i = 0; in->values && i < in->nvalues; i++)
		if (strcmp(in->values[i].key, name) == 0)
			return in->values[i].value;
	return model_param_value(in->m, in->cat, name);
}

/* The model's parameters against the stack's: those the model's template (mcat: the
 * catalog, or --template's) declares, each with the value a deploy sends (a NoEcho one
 * masked on both sides: never shown, never compared). */
static bool diff_params(const sd_input *in, const catalog *mcat, stack_diff *d)
{
	bool ok = true;
	for (size_t i = 0; ok && i < mcat->nparams; i++) {
		const cat_param *p = &mcat->params[i];
		const cat_param *cp = catalog_param(in->cat, p->e.name);
		const char *value = sent_value(in, p->e.name);
		if (!value)
			continue; /* nothing sent: the template's Default */
		bool owned = cp && cp->pipeline_owned;
		bool no_echo = p->no_echo || (cp && cp->no_echo);
		const char *dep = stack_value(in->stack, p->e.name);
		sd_param_state st = owned                     ? SD_OWNED
		                    : no_echo                 ? SD_MASKED
		                    : !dep                    ? SD_ADDED
		                    : strcmp(dep, value) == 0 ? SD_SAME
		                                              : SD_CHANGED;
		if (no_echo)
			value = SD_MASK;
		else if (owned && dep)
			value = NULL; /* an update keeps the stack's */
		ok = add_param(d, p->e.name, dep && no_echo ? SD_MASK : dep, value, st);
	}
	/* the stack's parameters the model's template no longer declares */
	for (size_t j = 0; ok && j < in->stack->nparameters; j++) {
		const cfn_kv *kv = &in->stack->parameters[j];
		if (kv->key && !catalog_param(mcat, kv->key))
			ok = add_param(d, kv->key,
			               kv->no_echo ? SD_MASK
			               : kv->value ? kv->value
			                           : "",
			               NULL, SD_REMOVED);
	}
	return ok;
}

/* The model's values as an update sends them: NoEcho masked as CloudFormation shows the
 * stack's, the pipeline's parameters at the stack's value. */
static const char *model_side_value(const void *ctx, const catalog *cat, const char *name)
{
	const sd_input *in = ctx; /* in->cat: the model's catalog; cat: the template rendered */
	const cat_param *p = catalog_param(cat, name);
	const cat_param *cp = catalog_param(in->cat, name);
	if ((p && p->no_echo) || (cp && cp->no_echo))
		return SD_MASK;
	const char *dep = cp && cp->pipeline_owned ? stack_value(in->stack, name) : NULL;
	return dep ? dep : sent_value(in, name);
}

/* The stack's values, a NoEcho one as CloudFormation answers it ("****"; moto answers the
 * value itself). */
static const char *stack_side_value(const void *ctx, const catalog *cat, const char *name)
{
	const cat_param *p = catalog_param(cat, name);
	if (p && p->no_echo && stack_value(ctx, name))
		return SD_MASK;
	return stack_value(ctx, name);
}

/* ---- comparing rendered resources ---------------------------------------------------------- */

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool rnode_same(const rnode *a, const rnode *b);

static bool map_same(const rnode *a, const rnode *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const char *k = rnode_str(a->kids[2 * i]);
		const rnode *other = k ? rnode_get(b, k) : NULL;
		if (!other || !rnode_same(a->kids[2 * i + 1], other))
			return false;
	}
	return true;
}

/* Equal as CloudFormation reads them: the same values and symbols, mapping keys in any
 * order. */
static bool rnode_same(const rnode *a, const rnode *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || !same_str(a->fn, b->fn))
		return false;
	if (a->kind == RN_SCALAR)
		return same_str(a->str, b->str);
	if (a->kind == RN_MAP)
		return map_same(a, b);
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!rnode_same(a->kids[i], b->kids[i]))
			return false;
	return true;
}

static bool add_changed(sd_resource *r, const char *prefix, const char *key)
{
	if (!VEC_RESIZE(r->changed, r->nchanged + 1))
		return false;
	char *s = lms_strdupf("%s%s", prefix, key);
	if (!s)
		return false;
	r->changed[r->nchanged++] = s;
	return true;
}

/* The keys of map a or b (b's not in a after a's) whose values differ, as prefix+key. */
static bool changed_keys(const rnode *a, const rnode *b, const char *prefix, sd_resource *r,
                         const char *skip)
{
	const rnode *maps[2] = {a, b};
	for (int side = 0; side < 2; side++) {
		const rnode *m = maps[side], *o = maps[1 - side];
		if (!m || m->kind != RN_MAP || m->fn)
			continue;
		for (size_t i = 0; i < m->n; i++) {
			const char *k = rnode_str(m->kids[2 * i]);
			if (!k || (skip && strcmp(k, skip) == 0))
				continue;
			const rnode *ov = o && o->kind == RN_MAP && !o->fn ? rnode_get(o, k) : NULL;
			if (side == 1 && ov)
				continue; /* compared from a's side */
			if (!ov || !rnode_same(m->kids[2 * i + 1], ov))
				if (!add_changed(r, prefix, k))
					return false;
		}
	}
	return true;
}

static sd_resource *add_resource(stack_diff *d, const render_resource *rr, sd_resource_state st)
{
	if (!VEC_RESIZE(d->res, d->nres + 1))
		return NULL;
	sd_resource *r = &d->res[d->nres];
	*r = (sd_resource){strdup(rr->id), strdup(rr->type ? rr->type : "?"), st, NULL, 0};
	if (!r->logical_id || !r->type) {
		free(r->logical_id);
		free(r->type);
		return NULL;
	}
	d->nres++;
	*(st == SD_RES_ADDED ? &d->added : st == SD_RES_REMOVED ? &d->removed : &d->modified) += 1;
	return r;
}

static bool diff_resources(const rendered *dep, const rendered *mod, stack_diff *d)
{
	for (size_t i = 0; i < mod->nres; i++) {
		const render_resource *mr = &mod->res[i];
		const render_resource *dr = render_find(dep, mr->id);
		if (!dr) {
			if (!add_resource(d, mr, SD_RES_ADDED))
				return false;
			continue;
		}
		if (rnode_same(dr->node, mr->node))
			continue;
		sd_resource *r = add_resource(d, mr, SD_RES_MODIFIED);
		if (!r)
			return false;
		const rnode *dp = rnode_get(dr->node, "Properties");
		const rnode *mp = rnode_get(mr->node, "Properties");
		bool ok = changed_keys(dr->node, mr->node, "", r, "Properties");
		if (ok && !rnode_same(dp, mp)) {
			bool maps = dp && mp && dp->kind == RN_MAP && mp->kind == RN_MAP &&
			            !dp->fn && !mp->fn;
			ok = maps ? changed_keys(dp, mp, "Properties.", r, NULL)
			          : add_changed(r, "", "Properties");
		}
		if (!ok)
			return false;
	}
	for (size_t i = 0; i < dep->nres; i++)
		if (!render_find(mod, dep->res[i].id) &&
		    !add_resource(d, &dep->res[i], SD_RES_REMOVED))
			return false;
	return true;
}

static bool unified_diff(const rendered *dep, const rendered *mod, stack_diff *d)
{
	buf a, b;
	buf_init(&a, 0);
	buf_init(&b, 0);
	diff_result r = {0};
	bool ok = render_emit(dep, RENDER_YAML, &a) && render_emit(mod, RENDER_YAML, &b) &&
	          diff_texts(a.data ? a.data : "", a.len, b.data ? b.data : "", b.len, 3, &r);
	if (ok && r.n) {
		buf_adds(&d->unified, "--- deployed\n+++ model\n");
		for (size_t i = 0; i < r.n; i++) {
			const diff_line *l = &r.v[i];
			if (l->kind == DIFF_HUNK)
				buf_addf(&d->unified, "@@ -%zu,%zu +%zu,%zu @@\n", l->old_no,
				         l->old_n, l->new_no, l->new_n);
			else
				buf_addf(&d->unified, "%c%.*s\n",
				         l->kind == DIFF_ADD   ? '+'
				         : l->kind == DIFF_DEL ? '-'
				                               : ' ',
				         (int)l->len, l->text);
		}
		ok = !d->unified.failed;
	}
	d->unified_added = r.added;
	d->unified_deleted = r.deleted;
	diff_result_free(&r);
	buf_free(&a);
	buf_free(&b);
	return ok;
}

bool stack_diff_compute(const sd_input *in, stack_diff *out, lms_error *err)
{
	memset(out, 0, sizeof *out);
	buf_init(&out->unified, 0);
	catalog *tcat = NULL, *dcat = NULL;
	rendered *dep = NULL, *mod = NULL;
	bool ok = false;
	if (in->template_text &&
	    !(tcat = render_catalog_of_text(in->template_name ? in->template_name : "template",
	                                    in->template_text, in->template_len, err)))
		return false;
	const catalog *mcat = tcat ? tcat : in->cat;
	if (!diff_params(in, mcat, out)) {
		lms_error_set(err, NULL, 0, 0, "out of memory comparing the parameters");
		goto done;
	}
	dcat = render_catalog_of_text("deployed template", in->deployed, in->deployed_len, err);
	if (!dcat)
		goto done;
	const char *region = model_get(in->m, "region");
	render_params dp = {.value = stack_side_value,
	                    .ctx = in->stack,
	                    .region = region,
	                    .stack_name = in->stack->name};
	render_params mp = {
	    .value = model_side_value, .ctx = in, .region = region, .stack_name = in->stack->name};
	render_options dopt = {.params = &dp}, mopt = {.params = &mp};
	dep = render_with(dcat, &dopt, NULL, err);
	mod = dep ? render_with(mcat, &mopt, NULL, err) : NULL;
	ok = mod && diff_resources(dep, mod, out) && (!in->unified || unified_diff(dep, mod, out));
	if (mod && !ok)
		lms_error_set(err, NULL, 0, 0, "out of memory comparing the templates");
done:
	render_free(mod);
	render_free(dep);
	catalog_free(dcat);
	catalog_free(tcat);
	return ok;
}

bool stack_diff_differs(const stack_diff *d)
{
	return d->params_differ > 0 || d->nres > 0;
}

void stack_diff_free(stack_diff *d)
{
	for (size_t i = 0; i < d->nparams; i++) {
		free(d->params[i].key);
		free(d->params[i].deployed);
		free(d->params[i].model);
	}
	free(d->params);
	for (size_t i = 0; i < d->nres; i++) {
		free(d->res[i].logical_id);
		free(d->res[i].type);
		for (size_t j = 0; j < d->res[i].nchanged; j++)
			free(d->res[i].changed[j]);
		free(d->res[i].changed);
	}
	free(d->res);
	buf_free(&d->unified);
	memset(d, 0, sizeof *d);
}
