/* rules_registry: every rule id lmsctl reports, with its family, severity and
 * one-line summary, from model/rules.def (the one list; see there). The
 * `--rules` listing, the man page's RULES section (checked by tests/man.sh)
 * and the check that every emitted id is registered (tests/rules_registry.sh)
 * all read it. Static data: nothing to free. */
#ifndef LMSCTL_MODEL_RULES_REGISTRY_H
#define LMSCTL_MODEL_RULES_REGISTRY_H

#include <stddef.h>

typedef struct rule_info {
	const char *id;       /* "NET002" */
	const char *family;   /* "network" */
	const char *severity; /* "error", "warning", "info", or "varies": the call site decides */
	const char *summary;
} rule_info;

/* All rules, in id order. */
const rule_info *rules_registry(size_t *count);
/* The rule with this id, or NULL. */
const rule_info *rules_lookup(const char *id);

#endif
