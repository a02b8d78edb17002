/* institutions: the model's `institutions:` list (lmsctl-model(5)), the
 * institutions that call the REST API. Each one the checks accept gets an
 * API key, a usage plan, a rotation and a cleanup of its own, generated
 * from the model into the catalog as ordinary resources
 * (assemble_add_institutions, model/assemble.h). Loaded by model.c;
 * checked by rule_institutions (API001-API004, model/rules.def). */
#ifndef LMSCTL_MODEL_INSTITUTIONS_H
#define LMSCTL_MODEL_INSTITUTIONS_H

#include "common/buf.h"
#include "common/error.h"
#include "model/ydoc.h"

#include <stdbool.h>
#include <stddef.h>

/* The limits the checks apply (docs/api-limits.md). */
#define INSTITUTION_NAME_MAX 24
#define INSTITUTION_RATE_MAX 10000L       /* requests/s: the account's default */
#define INSTITUTION_BURST_MAX 5000L       /* requests: the account's bucket */
#define INSTITUTION_QUOTA_MAX 1000000000L /* requests a day */
/* API Gateway's throttle quota per account and Region (L-8A5B8E43) */
#define API_ACCOUNT_RATE_QUOTA 10000L

typedef struct model_institution {
	/* the item's values as written, NULL when absent */
	char *name, *rate, *burst, *quota, *principal;
	size_t line, col; /* the item's position in the model file */
} model_institution;

/* Reads the `institutions:` value `list` of the model file `path` (a list of
 * mappings with the keys name, rate, burst, quota and principal, each a
 * single value; null or empty: none) into a new array. Anything else is an
 * error at its position. */
bool institutions_load(const char *path, const ynode *list, model_institution **out, size_t *n,
                       lms_error *err);
void institutions_free(model_institution *v, size_t n);

/* Lower-case letters and digits in words joined by single hyphens, each
 * word starting with a letter, 1 to INSTITUTION_NAME_MAX characters: two
 * names never give one logical id. */
bool institution_name_ok(const char *name);
/* Whether v[i] passes every check and is the first of its name: the
 * institutions the assembler generates resources for. */
bool institution_usable(const model_institution *v, size_t n, size_t i);
/* "smu-law" -> "SmuLaw": the institution's part of its logical ids. */
void institution_logical_id(const char *name, buf *out);

#endif
