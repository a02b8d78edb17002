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

#endif
