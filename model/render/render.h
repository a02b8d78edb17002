/* render: the assembled template resolved for one model (the "resolved
 * view").
 *
 * A partial evaluator of CloudFormation's intrinsic functions over the
 * catalog's fragments with the model's values: Ref to parameters and pseudo
 * parameters, the Conditions and Fn::If / Fn::Equals / Fn::And / Fn::Or /
 * Fn::Not / Condition, Fn::Sub (both forms), Fn::Join, Fn::Select,
 * Fn::Split, Fn::GetAZs (from a table of the regions' AZ names, or the
 * names given), Fn::Cidr, Fn::FindInMap and Fn::Base64. Resources, outputs
 * and properties whose condition is false disappear. What only AWS knows
 * (Fn::GetAtt, Ref to a resource, Fn::ImportValue, AWS::AccountId unless
 * given, AWS::StackId) stays symbolic: a node that keeps its intrinsic,
 * with what could be resolved inside it resolved. An unknown or malformed
 * intrinsic is a finding (REN001-REN004) at its place in the fragment,
 * never a crash; the node then stays symbolic.
 *
 * It is the only evaluator of intrinsic functions in lmsctl: the rules
 * (validate.h), the name-length checks (with the worst-case suffix), the
 * cfn-guard view and the deployed template's deletion protection all read
 * its output. Parameter values come from a render_params source: the
 * model, the model with the longest suffix, or a deployed stack's values.
 * Sources: values.c (arena, nodes), conditions.c, intrinsics.c, deps.c
 * (dependency graph, reading), emit.c (YAML/JSON), render.c (template),
 * source.c (a catalog over one deployed template).
 *
 * The rendered tree points into the catalog's fragments (strings and
 * positions): free it before the catalog. It is what `lmsctl render`
 * prints and what the whole-template checks (traps.c) and the analyses
 * (analysis.h) read. */
#ifndef LMSCTL_MODEL_RENDER_RENDER_H
#define LMSCTL_MODEL_RENDER_RENDER_H

#include "common/buf.h"
#include "common/error.h"
#include "model/catalog.h"
#include "model/findings.h"
#include "model/model.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum { RN_SCALAR, RN_SEQ, RN_MAP } rnode_kind;

typedef struct rnode rnode;
struct rnode {
	rnode_kind kind;
	/* A symbolic intrinsic: its long-form name ("Ref", "Fn::GetAtt",
	 * "Fn::Sub", "Fn::If", ...); the node itself is then the argument.
	 * NULL for a value. */
	const char *fn;
	const char *str; /* scalar: NUL-terminated */
	/* scalar written plain in the fragment (a number or a boolean may be
	 * meant); false for a quoted or computed string */
	bool plain;
	size_t n;         /* items (sequence) or pairs (mapping) */
	rnode **kids;     /* sequence: n items; mapping: 2n nodes, key then value */
	const ynode *src; /* the fragment node it comes from (position); NULL if none */
	const char *file; /* that fragment's path; NULL if none */
};

typedef struct render_resource {
	const char *id;
	const char *type;   /* NULL when the Type is not a string */
	const rnode *node;  /* the resource's mapping */
	const rnode *props; /* Properties, NULL when none */
	const cat_entry *entry;
	bool conditional; /* its Condition could not be decided: it may not exist */
	size_t *deps;     /* direct dependencies (DependsOn and references) */
	size_t ndeps;
} render_resource;

typedef struct rendered {
	rnode *root;          /* AWSTemplateFormatVersion, Description, Transform,
	                       * Parameters, Conditions (undecided ones), Resources, Outputs */
	render_resource *res; /* resources that exist for the model, in template order */
	size_t nres;
	const char *region;
	const char *const *azs; /* the region's AZ names Fn::GetAZs returned; NULL if unknown */
	size_t nazs;
	struct render_arena *arena;
} rendered;

/* Where the template's parameter values come from. The pseudo parameters
 * the source does not give take their values from one table
 * (render_pseudo_default). */
typedef struct render_params {
	/* The value of template parameter `name` (a list as "a,b"), NULL when
	 * none: the Ref then stays symbolic. */
	const char *(*value)(const void *ctx, const catalog *cat, const char *name);
	const void *ctx;
	/* AWS::Region and AWS::StackName; NULL: the default */
	const char *region, *stack_name;
	/* One parameter whose value replaces the source's (worst-case suffix) */
	const char *override_name, *override_value;
} render_params;

/* The model's values (model_param_value), region and stack; `m` may be
 * NULL: no values. */
render_params render_params_model(const model *m);
/* The model's values with EnvironmentSuffix at the longest its parameter
 * allows (MaxLength, else 12), written as RENDER_WORST_SUFFIX_CHAR in
 * `scratch` (owned by the caller, alive while the params are used): what
 * the name-length rules render with. */
#define RENDER_WORST_SUFFIX_CHAR 'x'
render_params render_params_worst_suffix(const catalog *cat, const model *m, buf *scratch);
/* An account id of the right length for checks that measure names
 * (AWS::AccountId is 12 digits); never written to a template. */
#define RENDER_PLACEHOLDER_ACCOUNT_ID "123456789012"
/* Whether `name` is a pseudo parameter; `value` gets its default (NULL:
 * only AWS knows it, it stays symbolic). The one table of defaults. */
bool render_pseudo_default(const char *name, const char **value);

typedef struct render_options {
	/* where parameter values come from; NULL: the model given to
	 * render_template (render_with: no values) */
	const render_params *params;
	/* AWS::AccountId; NULL leaves it symbolic */
	const char *account_id;
	/* Fn::GetAZs for the model's region; NULL: the built-in table */
	const char *const *azs;
	size_t nazs;
	/* the most memory the rendered tree may take; 0: 64 MiB */
	size_t max_bytes;
	/* the longest string Fn::Base64, Fn::Join or Fn::Sub may produce (a
	 * longer one is finding REN003); 0: what max_bytes has left */
	size_t max_string;
	/* NULL, or NULL-terminated: render only the resources of these types
	 * and no outputs (a rule that reads a few types, like the names'),
	 * every condition and reference still checked against the whole; no
	 * dependency graph (ndeps 0, render_after false) */
	const char *const *only_types;
	/* NULL, or NULL-terminated: of each resource's Properties, only these */
	const char *const *only_props;
} render_options;

/* Renders the catalog for the model. Problems in the template (an unknown
 * or malformed intrinsic, a reference to nothing, a value out of range) are
 * added to `out` with their fragment position; `out` may be NULL. Returns
 * NULL and fills `err` only when the rendering cannot finish (out of memory,
 * or the template would exceed max_bytes). */
rendered *render_template(const catalog *cat, const model *m, const render_options *opt,
                          findings *out, lms_error *err);
/* The same over any parameter source (opt->params). */
rendered *render_with(const catalog *cat, const render_options *opt, findings *out, lms_error *err);
void render_free(rendered *r);

/* A catalog of one CloudFormation template (YAML or JSON) as one fragment,
 * without the conventions catalog_load enforces: for rendering a template
 * read back from CloudFormation (GetTemplate). `name` names it in
 * messages. NULL with `err` when the text does not parse or is not a
 * template. Free with catalog_free(). */
catalog *render_catalog_of_text(const char *name, const char *text, size_t len, lms_error *err);

/* The value of the template's condition `name` in this rendering: 1, 0,
 * -1 undecided or unknown. */
int render_condition(const rendered *r, const char *name);
/* A fragment node with Fn::If resolved as this rendering decided it
 * (recursively); NULL when undecided or AWS::NoValue. For callers that
 * walk the fragment itself (a tool's path into the template). */
const ynode *render_pick(const rendered *r, const ynode *n);

typedef enum { RENDER_YAML, RENDER_JSON } render_format;

/* The rendered template as YAML (block style, short-form tags for what
 * stays symbolic, multi-line strings as literal blocks) or JSON (long
 * forms). The output parses back to the same tree. */
bool render_emit(const rendered *r, render_format format, buf *out);

/* Whether render_emit writes a symbolic function as a short-form tag
 * (`!Sub`); otherwise as its long form, a one-key mapping. */
bool render_tag_ok(const char *fn);

/* ---- reading the rendered tree ---------------------------------------- */

/* Mapping lookup; NULL-safe; a symbolic node has no keys. */
const rnode *rnode_get(const rnode *map, const char *key);
/* The scalar's string, or NULL if `n` is not a resolved scalar. */
const char *rnode_str(const rnode *n);
/* 1 true, 0 false, -1 neither or unknown. */
int rnode_bool(const rnode *n);
bool rnode_long(const rnode *n, long *out);
bool rnode_double(const rnode *n, double *out);
/* The logical id a symbolic Ref or GetAtt names; `attr` gets the GetAtt
 * attribute (NULL for a Ref). NULL for anything else. */
const char *rnode_ref(const rnode *n, const char **attr);
/* Whether `n` refers to resource `id` anywhere inside: Ref, GetAtt, or a
 * ${id} / ${id.Attr} of a symbolic Fn::Sub. */
bool rnode_mentions(const rnode *n, const char *id);
/* The template parameter a rendered value comes from: a Ref to it in the
 * fragment (the branch an Fn::If took), resolved or not; NULL otherwise.
 * The field a finding about the value names. */
const char *rnode_param(const rendered *r, const rnode *n);
/* The text of a string that may stay symbolic: the string, or a symbolic
 * Fn::Sub's template (with ${...} for what is unknown); NULL otherwise. */
const char *rnode_text(const rnode *n);

/* The resource with logical id `id`, NULL if it does not exist for the
 * model. */
const render_resource *render_find(const rendered *r, const char *id);
/* Whether resource `from` is created after resource `to`: a chain of
 * DependsOn and references leads from one to the other. */
bool render_after(const rendered *r, const render_resource *from, const render_resource *to);
/* The index (0-based) of an AZ name in the region's list, -1 if unknown. */
long render_az_index(const rendered *r, const char *az);

/* The AZ names of a region from the built-in table; NULL when unknown. */
const char *const *render_region_azs(const char *region, size_t *n);

#endif
