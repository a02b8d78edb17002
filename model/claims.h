/* claims.h: what the rules of the claimed controls share (model/claims.c,
 * model/rules_controls.c, model/observe.c): reading the rendered template by resource type
 * and property, and reporting an error at the resource that breaks a
 * control. Internal to model/. */
#ifndef LMSCTL_MODEL_CLAIMS_H
#define LMSCTL_MODEL_CLAIMS_H

#include "model/validate.h"

#include <stdbool.h>
#include <stddef.h>

bool claim_is_type(const render_resource *res, const char *type);
/* Whether `n` is the resolved string `s` (exactly). */
bool claim_str_is(const rnode *n, const char *s);
/* The resource of the template a Ref or GetAtt names, or NULL. */
const render_resource *claim_ref_res(const rendered *r, const rnode *n);
/* A property that is set for the model: present, and not an Fn::If the
 * rendering could not decide; NULL otherwise. */
const rnode *claim_set(const rnode *v);
/* The items of a value that may be one item or a list (0 for NULL). */
size_t claim_count(const rnode *n);
const rnode *claim_item(const rnode *n, size_t i);
/* An error of `rule` about `res`, at property `key` when it is written,
 * else at the resource: the report names the resource as breaking the
 * rule's obligations. */
void claim_flag(const validate_ctx *ctx, const char *rule, const render_resource *res,
                const char *key, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* rules_controls.c: the claims the Control Tower comparison found unchecked
 * (docs/security-posture.md), for one resource: OBS009-OBS012 (logging),
 * SEC011-SEC015 (exposure). */
void claims_controls(const validate_ctx *ctx, const render_resource *res);

#endif
