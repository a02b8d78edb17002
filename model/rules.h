/* rules: the cross-field validation rules, one function per rule family,
 * registered in validate.c's table. Shared helpers for rule code. */
#ifndef LMSCTL_MODEL_RULES_H
#define LMSCTL_MODEL_RULES_H

#include "model/validate.h"

#include <stdbool.h>
#include <stdint.h>

/* network.c */
void rule_cidrs(const validate_ctx *ctx);
void rule_az_count(const validate_ctx *ctx);
void rule_nat(const validate_ctx *ctx);

/* data.c (its ids: model/rules.def) */
void rule_data(const validate_ctx *ctx);

/* compute.c (its ids: model/rules.def) */
void rule_compute(const validate_ctx *ctx);

/* observe.c (its ids: model/rules.def) */
void rule_observe(const validate_ctx *ctx);

/* posture.c: the prod deploy gates, OBS008 (an alarm recipient) and SEC001 (no plain
 * HTTP) */
void rule_posture(const validate_ctx *ctx);

/* claims.c: the controls the report and the docs claim (its ids: model/rules.def) */
void rule_claims(const validate_ctx *ctx);

/* edge.c: CloudFront and its WAF (its ids: model/rules.def) */
void rule_edge(const validate_ctx *ctx);

/* names.c */
void rule_suffix(const validate_ctx *ctx);
void rule_name_lengths(const validate_ctx *ctx);

/* traps.c: over the rendered template (rendered once): the renderer's problems, the
 * deploy traps, and analysis.c's scale-out, capacity and AZ-loss checks (their ids:
 * model/rules.def) */
void rule_traps(const validate_ctx *ctx);

void rule_institutions(const validate_ctx *ctx);

/* An IPv4 CIDR block. */
typedef struct cidr4 {
	uint32_t addr;
	unsigned prefix;
} cidr4;

/* Parses "a.b.c.d/n" strictly (no leading zeros, no spaces); `host_bits_zero`
 * is set to whether the address is the network address. */
bool cidr4_parse(const char *s, cidr4 *out, bool *host_bits_zero);
bool cidr4_contains(cidr4 outer, cidr4 inner);
bool cidr4_overlap(cidr4 a, cidr4 b);
uint64_t cidr4_size(cidr4 c);

/* Helpers over the model's values. */
const char *rule_value(const validate_ctx *ctx, const char *param);
bool rule_long(const validate_ctx *ctx, const char *param, long *out);
const char *rule_env(const validate_ctx *ctx); /* "dev" when unset */
/* Points the finding just added at `n` (or at its resource's key) in the
 * fragment: for findings about the template rather than a model field. */
void rule_at(const validate_ctx *ctx, const cat_entry *e, const ynode *n);
/* The template parameter a rendered value comes from (through Ref, in the
 * branch Fn::If picked), or NULL: the field to report a finding on. */
const char *rule_param_of(const validate_ctx *ctx, const rnode *n);
/* A property of a rendered mapping (NULL when absent or symbolic), and in
 * `at` (may be NULL) where it is written in the fragment (its own value
 * node, Fn::If and all): the position of a finding about it. */
const rnode *rule_prop(const rnode *map, const char *key, const ynode **at);

#endif
