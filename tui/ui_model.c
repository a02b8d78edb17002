#include "tui/ui_model.h"

#include "model/assemble.h"
#include "model/validate.h"

#include <stdlib.h>
#include <string.h>

static bool is_bound(const char *name)
{
	return strcmp(name, MODEL_PARAM_ENVIRONMENT) == 0 || strcmp(name, MODEL_PARAM_SUFFIX) == 0;
}

static void free_saved(ui_model *um)
{
	for (size_t i = 0; i < um->nkeys; i++) {
		free(um->keys[i]);
		free(um->saved[i]);
	}
	free(um->keys);
	free(um->saved);
	um->keys = um->saved = NULL;
	um->nkeys = 0;
}

bool ui_model_mark_saved(ui_model *um)
{
	const catalog *cat = um->cat;
	size_t n = 4 + cat->nparams;
	char **keys = calloc(n, sizeof(char *)), **saved = calloc(n, sizeof(char *));
	if (!keys || !saved) {
		free(keys);
		free(saved);
		return false;
	}
	size_t k = 0;
	bool ok = true;
	for (size_t i = 0; i < 4 + cat->nparams; i++) {
		const char *key = i < 4 ? model_top_keys[i] : cat->params[i - 4].e.name;
		if (i >= 4 && is_bound(key))
			continue;
		keys[k] = strdup(key);
		const char *v = model_get(um->m, key);
		saved[k] = v ? strdup(v) : NULL;
		ok = ok && keys[k] && (!v || saved[k]);
		k++;
	}
	free_saved(um);
	um->keys = keys;
	um->saved = saved;
	um->nkeys = k;
	if (!ok)
		free_saved(um);
	return ok;
}

/* A scalar argument, short form (the tagged node itself) or long. */
static const char *scalar_arg(const ynode *arg)
{
	return arg && arg->kind == YNODE_SCALAR ? arg->str : NULL;
}

/* The intrinsic a fragment node is (`!Ref x` or `{Ref: x}`), by its short
 * name, and its argument; NULL for a value. Reading, not evaluating. */
static const char *fn_of(const ynode *n, const ynode **arg)
{
	if (n->tag && n->tag[0] == '!' && n->tag[1] != '!') {
		*arg = n;
		return n->tag + 1;
	}
	if (n->kind == YNODE_MAP && n->n == 1 && ynode_key(n, 0)->kind == YNODE_SCALAR) {
		const char *k = ynode_key(n, 0)->str;
		*arg = ynode_val(n, 0);
		return strncmp(k, "Fn::", 4) == 0 ? k + 4 : k;
	}
	return NULL;
}

/* The parameters a condition depends on, through Ref and Condition. */
static void collect_deps(const ui_model *um, const ynode *n, bool *deps, int depth)
{
	if (!n || depth > 32)
		return;
	const ynode *arg = NULL;
	const char *fn = fn_of(n, &arg);
	if (fn && strcmp(fn, "Ref") == 0 && scalar_arg(arg)) {
		const cat_param *p = catalog_param(um->cat, scalar_arg(arg));
		if (p)
			deps[p - um->cat->params] = true;
		return;
	}
	if (fn && strcmp(fn, "Condition") == 0 && scalar_arg(arg)) {
		const cat_entry *c = catalog_entry(um->cat, SEC_CONDITIONS, scalar_arg(arg));
		if (c)
			collect_deps(um, c->value, deps, depth + 1);
		return;
	}
	if (n->kind == YNODE_SCALAR)
		return;
	for (size_t i = 0; i < (n->kind == YNODE_MAP ? 2 * n->n : n->n); i++)
		collect_deps(um, n->kids[i], deps, depth + 1);
}

static long cond_index(const ui_model *um, const char *name)
{
	for (size_t i = 0; i < um->cat->nentries[SEC_CONDITIONS]; i++)
		if (strcmp(um->cat->entries[SEC_CONDITIONS][i].name, name) == 0)
			return (long)i;
	return -1;
}

static const char *resource_condition(const cat_entry *e)
{
	return ynode_str(ynode_get(e->value, "Condition"));
}

static void sev_count(ui_model *um)
{
	um->errors = findings_count(&um->f, SEV_ERROR);
	um->warnings = findings_count(&um->f, SEV_WARNING);
	um->infos = findings_count(&um->f, SEV_INFO);
}

const cat_param *ui_model_field_param(const ui_model *um, const char *field)
{
	if (strcmp(field, "environment") == 0)
		field = MODEL_PARAM_ENVIRONMENT;
	else if (strcmp(field, "suffix") == 0)
		field = MODEL_PARAM_SUFFIX;
	return catalog_param(um->cat, field);
}

size_t ui_model_param_index(const ui_model *um, const cat_param *p)
{
	return (size_t)(p - um->cat->params);
}

void ui_model_refresh(ui_model *um)
{
	const catalog *cat = um->cat;
	findings_free(&um->f);
	findings_init(&um->f);
	/* one rendering for validation and the hidden resources; it points
	 * into the model's strings, which edits free: not kept past here */
	um->validations++;
	rendered *rd = validate_and_render(cat, um->m, &um->f);
	findings_sort(&um->f);
	sev_count(um);
	memset(um->fs, 0, cat->nparams * sizeof(*um->fs));
	for (size_t i = 0; i < cat->nparams; i++)
		um->fs[i].first = -1;
	memset(um->group_errors, 0, (cat->ngroups + 1) * sizeof(size_t));
	memset(um->group_warnings, 0, (cat->ngroups + 1) * sizeof(size_t));
	for (size_t i = 0; i < um->f.n; i++) {
		const finding *x = &um->f.v[i];
		const cat_param *p = ui_model_field_param(um, x->field);
		if (!p)
			continue;
		ui_field_state *s = &um->fs[p - cat->params];
		if (s->nfind == 0 || x->sev < s->worst) {
			s->worst = x->sev;
			s->first = (long)i;
		}
		s->nfind++;
		if (p->group < cat->ngroups) {
			if (x->sev == SEV_ERROR)
				um->group_errors[p->group]++;
			else if (x->sev == SEV_WARNING)
				um->group_warnings[p->group]++;
		}
	}
	/* resources left out, charged to the parameters their condition reads */
	size_t nres = cat->nentries[SEC_RESOURCES];
	for (size_t r = 0; r < nres; r++) {
		const cat_entry *e = &cat->entries[SEC_RESOURCES][r];
		um->res_hidden[r] = false;
		const char *cond = resource_condition(e);
		if (!cond || !rd || render_condition(rd, cond) != 0)
			continue;
		um->res_hidden[r] = true;
		long c = cond_index(um, cond);
		if (c < 0)
			continue;
		for (size_t p = 0; p < cat->nparams; p++)
			if (um->cond_deps[(size_t)c * cat->nparams + p])
				um->fs[p].hidden++;
	}
	render_free(rd);
	um->generation++;
}

bool ui_model_init(ui_model *um, const catalog *cat, model *m, lms_error *err)
{
	memset(um, 0, sizeof(*um));
	um->cat = cat;
	um->m = m;
	findings_init(&um->f);
	um->ncond = cat->nentries[SEC_CONDITIONS];
	um->fs = calloc(cat->nparams + 1, sizeof(*um->fs));
	um->group_errors = calloc(cat->ngroups + 1, sizeof(size_t));
	um->group_warnings = calloc(cat->ngroups + 1, sizeof(size_t));
	um->cond_deps = calloc(um->ncond * cat->nparams + 1, sizeof(bool));
	um->res_hidden = calloc(cat->nentries[SEC_RESOURCES] + 1, sizeof(bool));
	if (!um->fs || !um->group_errors || !um->group_warnings || !um->cond_deps ||
	    !um->res_hidden || !ui_model_mark_saved(um)) {
		ui_model_free(um);
		lms_error_set(err, NULL, 0, 0, "out of memory");
		return false;
	}
	for (size_t c = 0; c < um->ncond; c++)
		collect_deps(um, cat->entries[SEC_CONDITIONS][c].value,
		             um->cond_deps + c * cat->nparams, 0);
	ui_model_refresh(um);
	return true;
}

void ui_model_free(ui_model *um)
{
	free_saved(um);
	findings_free(&um->f);
	free(um->fs);
	free(um->group_errors);
	free(um->group_warnings);
	free(um->cond_deps);
	free(um->res_hidden);
	memset(um, 0, sizeof(*um));
}

const char *ui_model_value(const ui_model *um, const char *key)
{
	const char *v = model_param_value(um->m, um->cat, key);
	return v ? v : "";
}

const char *ui_model_raw(const ui_model *um, const char *key)
{
	return model_get(um->m, key);
}

static long saved_index(const ui_model *um, const char *key)
{
	if (strcmp(key, MODEL_PARAM_ENVIRONMENT) == 0)
		key = "environment";
	else if (strcmp(key, MODEL_PARAM_SUFFIX) == 0)
		key = "suffix";
	for (size_t i = 0; i < um->nkeys; i++)
		if (strcmp(um->keys[i], key) == 0)
			return (long)i;
	return -1;
}

const char *ui_model_saved(const ui_model *um, const char *key)
{
	long i = saved_index(um, key);
	return i >= 0 ? um->saved[i] : NULL;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool ui_model_is_dirty_key(const ui_model *um, const char *key)
{
	long i = saved_index(um, key);
	if (i < 0)
		return model_get(um->m, key) != NULL;
	return !same(um->saved[i], model_get(um->m, um->keys[i]));
}

size_t ui_model_dirty(const ui_model *um)
{
	size_t n = 0;
	for (size_t i = 0; i < um->nkeys; i++)
		n += !same(um->saved[i], model_get(um->m, um->keys[i]));
	return n;
}

/* The model layer has no way to remove a key: an entry added in this
 * session (it has no position in the file) is taken out again here. */
static bool model_unset(model *m, const char *key)
{
	const model_entry *found = model_find(m, key);
	if (!found)
		return true;
	size_t i = (size_t)(found - m->entries);
	model_entry *e = &m->entries[i];
	if (e->line || e->val_to)
		return false; /* the file has it: it cannot become absent */
	free(e->key);
	free(e->value);
	memmove(e, e + 1, (m->n - i - 1) * sizeof(*e));
	m->n--;
	return true;
}

bool ui_model_apply(ui_model *um, const char *key, const char *value)
{
	bool ok = value ? model_set(um->m, key, value) : model_unset(um->m, key);
	ui_model_refresh(um);
	return ok;
}

/* Sets `key` for a moment and puts it back exactly (value and changed flag,
 * or absence): the live check must not touch the operator's model. */
typedef struct saved_entry {
	bool existed;
	char *value;
	bool changed;
} saved_entry;

static bool try_set(model *m, const char *key, const char *value, saved_entry *s)
{
	const model_entry *e = model_find(m, key);
	s->existed = e != NULL;
	s->value = e ? strdup(e->value) : NULL;
	s->changed = e ? e->changed : false;
	if (e && !s->value)
		return false;
	return model_set(m, key, value);
}

static void try_restore(model *m, const char *key, saved_entry *s)
{
	if (!s->existed) {
		model_unset(m, key);
		return;
	}
	model_set(m, key, s->value);
	model_entry *e = (model_entry *)model_find(m, key);
	if (e)
		e->changed = s->changed;
	free(s->value);
}

void ui_model_check(ui_model *um, const cat_param *p, const char *value, findings *own,
                    findings *cross)
{
	validate_param_value(p, value, own);
	if (!cross)
		return;
	saved_entry s;
	if (!try_set(um->m, p->e.name, value, &s)) {
		free(s.value);
		return;
	}
	findings all;
	findings_init(&all);
	um->validations++;
	validate_model(um->cat, um->m, &all);
	try_restore(um->m, p->e.name, &s);
	findings_sort(&all);
	for (size_t i = 0; i < all.n; i++) {
		const finding *x = &all.v[i];
		if (strncmp(x->rule, "PRM", 3) == 0 || ui_model_field_param(um, x->field) != p)
			continue;
		findings_add(cross, x->rule, x->sev, x->field, x->hint, "%s", x->message);
	}
	findings_free(&all);
}

size_t ui_model_errors_with(ui_model *um, const char *key, const char *value)
{
	saved_entry s;
	if (!try_set(um->m, key, value, &s)) {
		free(s.value);
		return 0;
	}
	findings all;
	findings_init(&all);
	um->validations++;
	validate_model(um->cat, um->m, &all);
	try_restore(um->m, key, &s);
	size_t n = findings_count(&all, SEV_ERROR);
	findings_free(&all);
	return n;
}

size_t ui_model_hidden_list(const ui_model *um, const cat_param *p, buf *out)
{
	const catalog *cat = um->cat;
	size_t pi = (size_t)(p - cat->params), count = 0;
	/* grouped by the condition that is false: "HasThirdAz false: A, B" */
	for (size_t c = 0; c < um->ncond; c++) {
		if (!um->cond_deps[c * cat->nparams + pi])
			continue;
		const char *cname = cat->entries[SEC_CONDITIONS][c].name;
		size_t here = 0;
		for (size_t r = 0; r < cat->nentries[SEC_RESOURCES]; r++) {
			if (!um->res_hidden[r])
				continue;
			const cat_entry *e = &cat->entries[SEC_RESOURCES][r];
			const char *rc = resource_condition(e);
			if (!rc || strcmp(rc, cname) != 0)
				continue;
			if (here == 0)
				buf_addf(out, "%s%s false: ", count ? "; " : "", cname);
			buf_addf(out, "%s%s", here ? ", " : "", e->name);
			here++;
			count++;
		}
	}
	return count;
}

bool ui_model_resource_hidden(const ui_model *um, size_t i)
{
	return i < um->cat->nentries[SEC_RESOURCES] && um->res_hidden[i];
}

static const char *value_cb(void *ctx, const char *param)
{
	const ui_model *um = ctx;
	return model_param_value(um->m, um->cat, param);
}

bool ui_model_template(const ui_model *um, buf *out, lms_error *err)
{
	return assemble_template(um->cat, value_cb, (void *)um, out, err);
}

bool ui_param_is_bool(const cat_param *p)
{
	const ynode *av = p->allowed_values;
	if (!av || av->n != 2)
		return false;
	const char *a = ynode_str(av->kids[0]), *b = ynode_str(av->kids[1]);
	return a && b &&
	       ((strcmp(a, "true") == 0 && strcmp(b, "false") == 0) ||
	        (strcmp(a, "false") == 0 && strcmp(b, "true") == 0));
}

bool ui_param_is_number(const cat_param *p)
{
	return strcmp(p->type, "Number") == 0 || strcmp(p->type, "List<Number>") == 0;
}
