#include "model/companion.h"

#include "common/buf.h"
#include "model/render/render.h"

#include <string.h>

/* The rendered value of the main stack's output `name` when it is a plain
 * string (resolved for the model), else NULL. */
static const char *output_value(const rendered *r, const char *name)
{
	const rnode *out = rnode_get(rnode_get(r->root, "Outputs"), name);
	const rnode *value = rnode_get(out, "Value");
	if (!value || value->kind != RN_SCALAR || value->fn)
		return NULL;
	return value->str;
}

model *companion_model(const catalog *main_cat, const model *main_m, const cat_companion *comp,
                       const catalog *comp_cat, lms_error *err)
{
	const char *env = model_get(main_m, "environment");
	model *m = model_new_from_catalog(comp_cat, env ? env : "dev", err);
	if (!m)
		return NULL;
	rendered *r = render_template(main_cat, main_m, NULL, NULL, err);
	if (!r) {
		model_free(m);
		return NULL;
	}
	buf stack;
	buf_init(&stack, 0);
	buf_addf(&stack, "%s-%s", model_get(main_m, "stack") ? model_get(main_m, "stack") : "lms",
	         comp->name);
	const char *suffix = model_get(main_m, "suffix");
	bool ok = !stack.failed && model_set(m, "stack", buf_cstr(&stack)) &&
	          model_set(m, "region", comp->region) &&
	          (!suffix || model_set(m, "suffix", suffix));
	for (size_t i = 0; ok && i < comp_cat->nparams; i++) {
		const cat_param *p = &comp_cat->params[i];
		const char *v = p->from_output ? output_value(r, p->from_output) : NULL;
		if (v)
			ok = model_set(m, p->e.name, v);
	}
	buf_free(&stack);
	render_free(r);
	if (!ok) {
		lms_error_set(err, NULL, 0, 0, "out of memory");
		model_free(m);
		return NULL;
	}
	return m;
}
