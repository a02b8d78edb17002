/* assemble: the fragments of a catalog merged into one CloudFormation
 * template, with a set of parameter values written as the parameters'
 * Defaults.
 *
 * The fragments' text is spliced, not re-emitted: comments, key order and
 * formatting survive, and the only bytes that change are the Default values
 * that differ from the fragment's. The output is deterministic. */
#ifndef LMSCTL_MODEL_ASSEMBLE_H
#define LMSCTL_MODEL_ASSEMBLE_H

#include "common/buf.h"
#include "common/error.h"
#include "model/catalog.h"
#include "model/model.h"

/* Looks up the value to write as `param`'s Default; NULL keeps the fragment's. */
typedef const char *(*assemble_value_fn)(void *ctx, const char *param);

bool assemble_template(const catalog *cat, assemble_value_fn value, void *ctx, buf *out,
                       lms_error *err);

/* Appends `value` to `out` as a YAML scalar that reads back as exactly
 * `value`: plain when that is unambiguous, else single-quoted. */
void yaml_quote_scalar(buf *out, const char *value);
/* The same for a parameter value of CloudFormation type `type`: numeric-
 * looking values of non-Number parameters are quoted. */
void yaml_quote_param(buf *out, const char *value, const char *type);

/* The per-institution resources, generated from the model rather than looped
 * over by Fn::ForEach, so that every reader of the catalog (the renderer, the
 * rules, the console, cfn-lint and cfn-guard) sees ordinary resources
 * (docs/api-limits.md). For each institution of `m` that passes the checks
 * (institution_usable; the others are API001-API003 findings): a usage plan
 * sized by the model, an API key secret, the rotation functions' policy for
 * both, the rotation and the key cleanup, and with a principal the secret's
 * resource policy; an output with the secret's ARN. */
#define ASSEMBLE_INSTITUTIONS_FRAGMENT "institutions.yml"
/* The fragment's text, appended to `out`; nothing without an institution. */
bool assemble_institutions(const model *m, buf *out);
/* Adds that fragment to `cat` (catalog_add_fragment): after loading the
 * model, before anything reads the catalog. */
bool assemble_add_institutions(catalog *cat, const model *m, lms_error *err);

#endif
