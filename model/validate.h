/* validate: checks a model against the catalog.
 *
 * Each value is checked against its parameter as the template declares it
 * (Type, AllowedValues, AllowedPattern, Min/MaxLength, Min/MaxValue): the
 * constraints are read from the template, never written again in C. Cross-
 * field rules live in C, each with a stable id, registered in one table
 * (validate_rules()). */
#ifndef LMSCTL_MODEL_VALIDATE_H
#define LMSCTL_MODEL_VALIDATE_H

#include "model/catalog.h"
#include "model/findings.h"
#include "model/model.h"
#include "model/render/render.h"

typedef struct validate_ctx {
	const catalog *cat;
	const model *m;
	/* the template rendered for the model, once; NULL when it cannot be
	 * rendered (rule_traps reports why): the rules over the template read
	 * it, never the fragments' intrinsics */
	const rendered *r;
	findings *out;
} validate_ctx;

typedef struct validate_rule {
	const char *id;
	const char *summary;
	void (*check)(const validate_ctx *ctx);
} validate_rule;

/* The rule table, in id order. */
const validate_rule *validate_rules(size_t *count);

/* Runs every rule; findings about a field get the field's position in the
 * model file. Renders the template once (its REN findings included) and
 * hands the rendering to every rule. */
void validate_model(const catalog *cat, const model *m, findings *out);
/* validate_model that hands back the rendering it made and checked, for a
 * caller that goes on to use it (report, the console): NULL when the
 * template cannot be rendered (a REN003 finding says why). It points into
 * the catalog and the model: render_free() it before either changes. */
rendered *validate_and_render(const catalog *cat, const model *m, findings *out);

/* The same over a rendering the caller already has (report, deploy, the
 * console): `r` is render_template(cat, m, NULL, out, ...)'s result for
 * this model; the rendering's own findings (REN001-REN004) are the
 * caller's (render with `out`), and so is saying why it failed (NULL: the
 * rules over the template are skipped). */
void validate_rendered(const catalog *cat, const model *m, const rendered *r, findings *out);

/* Checks one value against its parameter's declared constraints (rules
 * PRM001-PRM006), as the console does while the operator types. */
void validate_param_value(const cat_param *p, const char *value, findings *out);

/* Java regular expression (CloudFormation's AllowedPattern) matched against
 * the whole of `value` with PCRE2. Returns 1 match, 0 no match, -1 a pattern
 * outside the supported subset (message in `why`, owned by the caller). */
int java_pattern_match(const char *pattern, const char *value, char **why);

#endif
