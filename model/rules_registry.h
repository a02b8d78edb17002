/* rules_registry: every rule id lmsctl reports, with its family, severity and
 * one-line summary, from model/rules.def (the one list; see there). The
 * `--rules` listing, the man page's RULES section (checked by tests/man.sh)
 * and the check that every emitted id is registered (tests/rules_registry.sh)
 * all read it. Static data: nothing to free. */
#ifndef LMSCTL_MODEL_RULES_REGISTRY_H
#define LMSCTL_MODEL_RULES_REGISTRY_H

#include "common/buf.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct rule_info {
	const char *id;       /* "NET002" */
	const char *family;   /* "network" */
	const char *severity; /* "error", "warning", "info", or "varies": the call site decides */
	/* the obligations it supports, space-separated ("protection retention"),
	 * "" for none: see model/rules.def */
	const char *obligations;
	const char *summary;
} rule_info;

/* All rules, in id order. */
const rule_info *rules_registry(size_t *count);
/* The rule with this id, or NULL. */
const rule_info *rules_lookup(const char *id);
/* The listing of `lmsctl validate --rules`: "ID  SEVERITY  FAMILY  SUMMARY"
 * lines, or a JSON array of {"id", "severity", "family", "obligations":
 * [...], "summary"}. */
bool rules_registry_write(bool json, buf *out);
/* Whether rule `id` gates a deploy in prod (PROD_GATE in model/rules.def): its findings,
 * warnings in validate, stop `lmsctl deploy` and the console's D in prod. */
bool rules_gates_prod_deploy(const char *id);
/* Whether rule `r` supports obligation `name` (a whole word of its list). */
bool rules_supports(const rule_info *r, const char *name);

#endif
