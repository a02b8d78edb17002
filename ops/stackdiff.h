/* stackdiff: the model against its deployed stack (lmsctl diff), without AWS calls: the
 * caller hands in the stack (DescribeStacks) and its deployed template (GetTemplate).
 *
 * Parameters: each the model's template declares, with the value a deploy sends
 * (model_param_value), against the stack's value. A NoEcho parameter reads "****" from
 * CloudFormation: it is shown masked and not compared. A parameter the pipeline owns
 * (LmsCtl::PipelineParameters) is the pipeline's: an update keeps the stack's value, so it is shown
 * as owned, never as a difference.
 *
 * Resources: both templates through the one evaluator (model/render/): the catalog
 * rendered for the model, the deployed template rendered under the stack's parameter
 * values, each with NoEcho values as "****" and the pipeline's parameters at the stack's
 * value (what an update would send), so that only what the model changes differs. A
 * logical id in one and not the other is added or removed; one in both whose rendered
 * resource differs is modified, with the top-level keys (Properties.NAME, DependsOn,
 * DeletionPolicy, ...) that differ. With `unified`, the unified diff of the two rendered
 * templates (YAML) too. */
#ifndef LMSCTL_OPS_STACKDIFF_H
#define LMSCTL_OPS_STACKDIFF_H

#include "aws/cfn.h"
#include "common/buf.h"
#include "common/error.h"
#include "model/catalog.h"
#include "model/model.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum sd_param_state {
	SD_SAME,
	SD_CHANGED, /* the model's value is not the stack's */
	SD_ADDED,   /* the model sets it, the stack has no such parameter */
	SD_REMOVED, /* the stack has it, the model's template does not */
	SD_MASKED,  /* NoEcho: "****" on both sides, not compared */
	SD_OWNED,   /* the pipeline owns it: the stack's value is kept */
} sd_param_state;

typedef struct sd_param {
	char *key;
	char *deployed; /* NULL: not in the stack */
	char *model;    /* NULL: not in the model; "****" for NoEcho */
	sd_param_state state;
} sd_param;

typedef enum sd_resource_state { SD_RES_ADDED, SD_RES_REMOVED, SD_RES_MODIFIED } sd_resource_state;

typedef struct sd_resource {
	char *logical_id;
	char *type; /* the model's (the deployed one's when removed); "?" when not a string */
	sd_resource_state state;
	char **changed; /* MODIFIED: "Type", "Properties.Engine", "DependsOn", ...; nchanged */
	size_t nchanged;
} sd_resource;

typedef struct stack_diff {
	sd_param *params;
	size_t nparams;
	size_t params_differ; /* CHANGED, ADDED and REMOVED */
	sd_resource *res;     /* added, removed, modified, each in template order */
	size_t nres;
	size_t added, removed, modified;
	buf unified; /* --unified: deployed (---) against the model (+++); empty when the same */
	size_t unified_added, unified_deleted; /* lines */
} stack_diff;

typedef struct sd_input {
	const catalog *cat;
	const model *m;
	const cfn_stack *stack; /* DescribeStacks: parameters and name */
	const char *deployed;   /* GetTemplate's body (YAML or JSON) */
	size_t deployed_len;
	bool unified; /* also the unified diff */
	/* --template: the template the model's values go into instead of the catalog's (its
	 * parameters and resources); NULL: the catalog */
	const char *template_text, *template_name;
	size_t template_len;
	/* the values a deploy sends, in place of the model's (a companion stack's: ef_params);
	 * a parameter not among them takes its Default, the model's value in the assembled
	 * template (model_param_value). NULL: the model's */
	const cfn_kv *values;
	size_t nvalues;
} sd_input;

/* Fills *out (free with stack_diff_free, also after a failure). False with err when a
 * template cannot be rendered (the deployed one does not parse, out of memory). */
bool stack_diff_compute(const sd_input *in, stack_diff *out, lms_error *err);
void stack_diff_free(stack_diff *d);
/* Whether anything differs: a parameter or a resource. */
bool stack_diff_differs(const stack_diff *d);
const char *sd_param_state_name(sd_param_state s);       /* "changed", ... */
const char *sd_resource_state_name(sd_resource_state s); /* "added", ... */

#endif
