/* render/render.c: the template level of the renderer: where parameter
 * values come from (render_params), the one table of pseudo parameter
 * defaults, and render_template's steps (context, conditions, Parameters,
 * Resources, Outputs, the Conditions kept, the dependency graph). */
#include "model/render/internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- pseudo parameters ------------------------------------------------ */

/* What every evaluator in lmsctl assumes for a pseudo parameter nobody
 * gave: the one table (the platform's region; NULL stays symbolic). */
static const struct {
	const char *name;
	const char *value;
} pseudo_defaults[] = {
    {"AWS::Region", "eu-west-1"},    {"AWS::Partition", "aws"}, {"AWS::URLSuffix", "amazonaws.com"},
    {"AWS::AccountId", NULL},        {"AWS::StackName", NULL},  {"AWS::StackId", NULL},
    {"AWS::NotificationARNs", NULL}, {"AWS::NoValue", NULL},
};

bool render_pseudo_default(const char *name, const char **value)
{
	for (size_t i = 0; i < sizeof(pseudo_defaults) / sizeof(pseudo_defaults[0]); i++)
		if (strcmp(pseudo_defaults[i].name, name) == 0) {
			if (value)
				*value = pseudo_defaults[i].value;
			return true;
		}
	return false;
}

/* ---- parameter sources ------------------------------------------------ */

static const char *model_value(const void *ctx, const catalog *cat, const char *name)
{
	return ctx ? model_param_value(ctx, cat, name) : NULL;
}

render_params render_params_model(const model *m)
{
	render_params p = {0};
	p.value = model_value;
	p.ctx = m;
	p.region = m ? model_get(m, "region") : NULL;
	p.stack_name = m ? model_get(m, "stack") : NULL;
	return p;
}

render_params render_params_worst_suffix(const catalog *cat, const model *m, buf *scratch)
{
	render_params p = render_params_model(m);
	const cat_param *sp = catalog_param(cat, MODEL_PARAM_SUFFIX);
	/* without a MaxLength the name rules assume 12 characters */
	size_t longest =
	    sp && sp->has_max_length && sp->max_length > 0 ? (size_t)sp->max_length : 12;
	buf_reset(scratch);
	for (size_t i = 0; i < longest; i++)
		buf_addc(scratch, RENDER_WORST_SUFFIX_CHAR);
	p.override_name = MODEL_PARAM_SUFFIX;
	p.override_value = buf_cstr(scratch);
	return p;
}

/* Asks the source once per parameter: a reference is then a binary
 * search and an array read, whatever the source's own lookup costs. */
static bool ask_values(rctx *c)
{
	const catalog *cat = c->cat;
	c->pvalues = calloc(cat->nparams ? cat->nparams : 1, sizeof(char *));
	if (!c->pvalues)
		return false;
	for (size_t i = 0; i < cat->nparams; i++) {
		const char *name = cat->params[i].e.name;
		if (c->params.override_name && strcmp(c->params.override_name, name) == 0)
			c->pvalues[i] = c->params.override_value;
		else if (c->params.value)
			c->pvalues[i] = c->params.value(c->params.ctx, cat, name);
	}
	return true;
}

const char *rn_param_value(const rctx *c, size_t i)
{
	return c->pvalues[i];
}

/* ---- the template ------------------------------------------------------- */

static const char *param_name(const catalog *cat, size_t i)
{
	return cat->params[i].e.name;
}
static const char *cond_name(const catalog *cat, size_t i)
{
	return cat->entries[SEC_CONDITIONS][i].name;
}
static const char *res_name(const catalog *cat, size_t i)
{
	return cat->entries[SEC_RESOURCES][i].name;
}
static const char *map_name(const catalog *cat, size_t i)
{
	return cat->entries[SEC_MAPPINGS][i].name;
}

static rnode *map_add(rctx *c, rnode *map, const char *key, rnode *value)
{
	/* maps built here are allocated with room for their keys */
	if (!map || !value)
		return NULL;
	rnode *k = rn_mk_str(c, key, true, value->src);
	if (!k)
		return NULL;
	map->kids[2 * map->n] = k;
	map->kids[2 * map->n + 1] = value;
	map->n++;
	return value;
}

/* The properties only_props names, evaluated; the others left out. */
static rnode *some_properties(rctx *c, const ynode *props)
{
	if (props->kind != YNODE_MAP || props->tag)
		return rn_eval(c, props);
	rnode *r = rn_mk(c, RN_MAP, props->n, props);
	for (size_t i = 0; r && i < props->n; i++) {
		const ynode *k = ynode_key(props, i);
		bool wanted = false;
		for (size_t j = 0; k->kind == YNODE_SCALAR && c->opt->only_props[j]; j++)
			wanted = wanted || strcmp(c->opt->only_props[j], k->str) == 0;
		if (!wanted)
			continue;
		rnode *v = rn_eval(c, ynode_val(props, i));
		if (!v)
			return NULL;
		if (v != c->novalue && !map_add(c, r, k->str, v))
			return NULL;
	}
	return r;
}

/* A resource or output: the entry's mapping evaluated, its Condition
 * dropped when true and kept when undecided. NULL with *gone when the
 * condition is false. */
static rnode *render_entry(rctx *c, const cat_entry *e, int exists, bool *fail)
{
	*fail = false;
	c->file = e->frag->path;
	const ynode *v = e->value;
	if (v->kind != YNODE_MAP || v->tag) {
		rn_problem(c, "REN001", v, NULL, "a resource or output must be a mapping");
		rnode *r = rn_raw(c, v);
		*fail = r == NULL;
		return r;
	}
	rnode *r = rn_mk(c, RN_MAP, v->n, v);
	if (!r) {
		*fail = true;
		return NULL;
	}
	for (size_t i = 0; i < v->n; i++) {
		const ynode *k = ynode_key(v, i);
		const ynode *val = ynode_val(v, i);
		const char *key = k->kind == YNODE_SCALAR ? k->str : "?";
		rnode *x;
		if (strcmp(key, "Condition") == 0) {
			if (exists == 1)
				continue;
			x = rn_raw(c, val);
			long ci =
			    val->kind == YNODE_SCALAR ? rn_index_find(&c->conds, val->str) : -1;
			if (ci >= 0)
				c->cond_used_unknown[ci] = true;
		} else if (strcmp(key, "DependsOn") == 0) {
			x = rn_raw(c, val);
			const ynode *list = val;
			size_t count = val->kind == YNODE_SEQ ? val->n : 1;
			for (size_t j = 0; x && j < count; j++) {
				const ynode *d = val->kind == YNODE_SEQ ? val->kids[j] : list;
				if (d->kind != YNODE_SCALAR || d->tag) {
					rn_problem(c, "REN001", d, NULL,
					           "DependsOn lists logical ids, not functions");
					continue;
				}
				if (!rn_check_resource_ref(c, d->str, d, "DependsOn names"))
					rn_problem(c, "REN002", d, NULL,
					           "DependsOn names '%s', which is not a resource",
					           d->str);
			}
		} else if (strcmp(key, "Properties") == 0 && c->opt->only_props) {
			x = some_properties(c, val);
		} else {
			x = rn_eval(c, val);
		}
		if (!x) {
			*fail = true;
			return NULL;
		}
		if (x == c->novalue)
			continue;
		rnode *kn = rn_mk_str(c, key, true, k);
		if (!kn) {
			*fail = true;
			return NULL;
		}
		r->kids[2 * r->n] = kn;
		r->kids[2 * r->n + 1] = x;
		r->n++;
	}
	return r;
}

static const char *partition_of(const char *region)
{
	if (strncmp(region, "cn-", 3) == 0)
		return "aws-cn";
	if (strncmp(region, "us-gov-", 7) == 0)
		return "aws-us-gov";
	return "aws";
}

void render_free(rendered *r)
{
	if (!r)
		return;
	rn_arena_free(r->arena);
	free(r);
}

/* The context: the indexes over the catalog's names, the pseudo
 * parameters' values and the AZs. */
static bool context_init(rctx *c, rendered *r)
{
	const catalog *cat = c->cat;
	const render_options *opt = c->opt;
	size_t ncond = cat->nentries[SEC_CONDITIONS], nres = cat->nentries[SEC_RESOURCES];
	c->cond = calloc(ncond ? ncond : 1, sizeof(cond_state));
	c->cond_used_unknown = calloc(ncond ? ncond : 1, sizeof(bool));
	c->exists = malloc(nres ? nres : 1);
	if (!c->a || !c->cond || !c->cond_used_unknown || !c->exists)
		return false;
	r->arena = c->a;
	lms_arena_init(&c->a->mem, opt->max_bytes ? opt->max_bytes : RENDER_DEFAULT_MAX_BYTES);
	c->a->cat = cat;
	memset(c->exists, 2, nres ? nres : 1);
	if (!ask_values(c) || !rn_index_build(&c->params_ix, cat->nparams, param_name, cat) ||
	    !rn_index_build(&c->conds, ncond, cond_name, cat) ||
	    !rn_index_build(&c->resources, nres, res_name, cat) ||
	    !rn_index_build(&c->mappings, cat->nentries[SEC_MAPPINGS], map_name, cat))
		return false;
	const char *region = c->params.region;
	if (!region || !*region)
		render_pseudo_default("AWS::Region", &region);
	c->region = region;
	c->partition = partition_of(c->region);
	c->url_suffix = strcmp(c->partition, "aws-cn") == 0 ? "amazonaws.com.cn" : "amazonaws.com";
	c->stack = c->params.stack_name;
	c->account = opt->account_id;
	if (opt->azs && opt->nazs) {
		c->azs = opt->azs;
		c->nazs = opt->nazs;
	} else {
		c->azs = render_region_azs(c->region, &c->nazs);
	}
	r->region = c->region;
	r->azs = c->azs;
	r->nazs = c->nazs;
	c->novalue = rn_mk(c, RN_SCALAR, 0, NULL);
	return c->novalue != NULL;
}

/* Every condition, for its findings, even those nothing uses; their values
 * stay with the rendering (render_condition). */
static bool decide_conditions(rctx *c)
{
	size_t ncond = c->cat->nentries[SEC_CONDITIONS];
	for (size_t i = 0; i < ncond; i++)
		rn_cond_named(c, c->cat->entries[SEC_CONDITIONS][i].name, NULL);
	c->a->conds = ncond ? rn_arena_alloc(c->a, ncond) : NULL;
	if (ncond && !c->a->conds)
		return false;
	for (size_t i = 0; i < ncond; i++)
		c->a->conds[i] = c->cond[i] == COND_TRUE ? 1 : c->cond[i] == COND_FALSE ? 0 : -1;
	c->a->nconds = ncond;
	return true;
}

static bool add_header(rctx *c, rnode *root)
{
	const catalog *cat = c->cat;
	if (!map_add(c, root, "AWSTemplateFormatVersion", rn_mk_str(c, "2010-09-09", false, NULL)))
		return false;
	if (cat->description && cat->description->kind == YNODE_SCALAR &&
	    !map_add(c, root, "Description",
	             rn_mk_str(c, cat->description->str, false, cat->description)))
		return false;
	if (cat->transform &&
	    !map_add(c, root, "Transform", rn_mk_str(c, cat->transform, false, NULL)))
		return false;
	return true;
}

/* Parameters: the values the source gives (NoEcho ones masked) */
static bool add_parameters(rctx *c, rnode *root)
{
	const catalog *cat = c->cat;
	if (!cat->nparams)
		return true;
	rnode *params = rn_mk(c, RN_MAP, cat->nparams, NULL);
	for (size_t i = 0; params && i < cat->nparams; i++) {
		const cat_param *p = &cat->params[i];
		c->file = p->e.frag->path;
		rnode *def = rn_mk(c, RN_MAP, 2, p->e.value);
		const char *v = rn_param_value(c, i);
		bool number = p->type && strcmp(p->type, "Number") == 0;
		if (!def ||
		    !map_add(c, def, "Type",
		             rn_mk_str(c, p->type ? p->type : "String", true, p->e.value)) ||
		    (v && !map_add(c, def, "Default",
		                   rn_mk_str(c, p->no_echo ? "****" : v, number && !p->no_echo,
		                             p->default_node))) ||
		    !map_add(c, params, p->e.name, def))
			return false;
	}
	return params && map_add(c, root, "Parameters", params);
}

static bool type_wanted(const render_options *opt, const cat_entry *e)
{
	if (!opt->only_types)
		return true;
	const char *type = ynode_str(ynode_get(e->value, "Type"));
	for (size_t i = 0; type && opt->only_types[i]; i++)
		if (strcmp(opt->only_types[i], type) == 0)
			return true;
	return false;
}

/* Resources: those that exist for the values, with the list in r->res */
static bool add_resources(rctx *c, rnode *root, rendered *r)
{
	const catalog *cat = c->cat;
	size_t nres = cat->nentries[SEC_RESOURCES];
	r->res = calloc(nres ? nres : 1, sizeof(render_resource));
	rnode *resources = rn_mk(c, RN_MAP, nres, NULL);
	if (!r->res || !resources)
		return false;
	for (size_t i = 0; i < nres; i++) {
		const cat_entry *e = &cat->entries[SEC_RESOURCES][i];
		if (!type_wanted(c->opt, e))
			continue;
		c->file = e->frag->path;
		int exists = rn_resource_exists(c, (long)i);
		if (exists == 0)
			continue;
		bool fail;
		rnode *node = render_entry(c, e, exists, &fail);
		if (fail)
			return false;
		map_add(c, resources, e->name, node);
		render_resource *rr = &r->res[r->nres++];
		rr->id = e->name;
		rr->entry = e;
		rr->node = node;
		rr->type = rnode_str(rnode_get(node, "Type"));
		rr->props = rnode_get(node, "Properties");
		rr->conditional = exists < 0;
		if (!rr->type)
			rn_problem(c, "REN001",
			           ynode_get(e->value, "Type") ? ynode_get(e->value, "Type")
			                                       : e->key,
			           NULL, "resource %s has no Type string", e->name);
	}
	return map_add(c, root, "Resources", resources) != NULL;
}

static bool add_outputs(rctx *c, rnode *root)
{
	const catalog *cat = c->cat;
	size_t nout = cat->nentries[SEC_OUTPUTS];
	if (!nout || c->opt->only_types)
		return true;
	rnode *outputs = rn_mk(c, RN_MAP, nout, NULL);
	for (size_t i = 0; outputs && i < nout; i++) {
		const cat_entry *e = &cat->entries[SEC_OUTPUTS][i];
		c->file = e->frag->path;
		const ynode *cond = ynode_get(e->value, "Condition");
		int exists = 1;
		if (cond)
			exists = cond->kind == YNODE_SCALAR && !cond->tag
			             ? rn_cond_named(c, cond->str, cond)
			             : -1;
		if (exists == 0)
			continue;
		bool fail;
		rnode *node = render_entry(c, e, exists, &fail);
		if (fail || !map_add(c, outputs, e->name, node))
			return false;
	}
	if (!outputs)
		return false;
	return !outputs->n || map_add(c, root, "Outputs", outputs);
}

/* the conditions that stay in the rendered template: undecided ones
 * something still names */
static bool add_kept_conditions(rctx *c, rnode *root)
{
	size_t ncond = c->cat->nentries[SEC_CONDITIONS], kept = 0;
	for (size_t i = 0; i < ncond; i++)
		kept += c->cond_used_unknown[i] && c->cond[i] == COND_UNKNOWN;
	if (!kept)
		return true;
	rnode *conds = rn_mk(c, RN_MAP, kept, NULL);
	for (size_t i = 0; conds && i < ncond; i++) {
		if (!c->cond_used_unknown[i] || c->cond[i] != COND_UNKNOWN)
			continue;
		const cat_entry *e = &c->cat->entries[SEC_CONDITIONS][i];
		c->file = e->frag->path;
		if (!map_add(c, conds, e->name, rn_raw(c, e->value)))
			conds = NULL;
	}
	return conds && map_add(c, root, "Conditions", conds);
}

static void context_free(rctx *c)
{
	rn_index_free(&c->params_ix);
	rn_index_free(&c->conds);
	rn_index_free(&c->resources);
	rn_index_free(&c->mappings);
	free(c->cond);
	free(c->cond_used_unknown);
	free(c->exists);
	free(c->pvalues);
}

/* The resource list lives in the arena's lifetime: moved there. */
static bool keep_resources(rendered *r)
{
	render_resource *res =
	    r->nres ? rn_arena_alloc(r->arena, r->nres * sizeof(render_resource)) : NULL;
	if (r->nres && !res)
		return false;
	if (r->nres)
		memcpy(res, r->res, r->nres * sizeof(render_resource));
	free(r->res);
	r->res = res;
	return true;
}

rendered *render_with(const catalog *cat, const render_options *opt, findings *out, lms_error *err)
{
	render_options defaults = {0};
	if (!opt)
		opt = &defaults;
	rendered *r = calloc(1, sizeof(*r));
	rctx c = {.cat = cat, .opt = opt, .out = out, .a = calloc(1, sizeof(struct render_arena))};
	c.params = opt->params ? *opt->params : render_params_model(NULL);
	bool ok = r && context_init(&c, r) && decide_conditions(&c);
	rnode *root = ok ? rn_mk(&c, RN_MAP, 7, NULL) : NULL;
	if (root)
		r->root = root;
	ok = root && add_header(&c, root) && add_parameters(&c, root) &&
	     add_resources(&c, root, r) && add_outputs(&c, root) && add_kept_conditions(&c, root) &&
	     rn_build_deps(&c, r) && keep_resources(r);
	bool too_large = c.a && c.a->mem.failed && c.a->mem.total + CHUNK_MIN > c.a->mem.max;
	size_t max = c.a ? c.a->mem.max : 0;
	context_free(&c);
	if (ok)
		return r;
	if (too_large)
		lms_error_set(err, NULL, 0, 0,
		              "the rendered template would take more than %zu MiB: a "
		              "Fn::Sub or Fn::Join repeats values without bound",
		              max / ((size_t)1024 * 1024));
	else
		lms_error_set(err, NULL, 0, 0, "out of memory rendering the template");
	if (r)
		free(r->res); /* still the heap list: keep_resources moves it last */
	rn_arena_free(c.a);
	free(r);
	return NULL;
}

rendered *render_template(const catalog *cat, const model *m, const render_options *opt,
                          findings *out, lms_error *err)
{
	render_options o = {0};
	if (opt)
		o = *opt;
	render_params p = render_params_model(m);
	if (!o.params)
		o.params = &p;
	return render_with(cat, &o, out, err);
}

int render_condition(const rendered *r, const char *name)
{
	const catalog *cat = r->arena->cat;
	for (size_t i = 0; i < r->arena->nconds; i++)
		if (strcmp(cat->entries[SEC_CONDITIONS][i].name, name) == 0)
			return r->arena->conds[i];
	return -1;
}
