#include "model/rules_registry.h"

#include <stdlib.h>
#include <string.h>

static const rule_info registry[] = {
#define RULE(id, family, severity, summary) {#id, #family, #severity, summary},
#include "model/rules.def"
};

const rule_info *rules_registry(size_t *count)
{
	*count = sizeof(registry) / sizeof(registry[0]);
	return registry;
}

static int cmp_id(const void *key, const void *elem)
{
	return strcmp(key, ((const rule_info *)elem)->id);
}

const rule_info *rules_lookup(const char *id)
{
	if (!id)
		return NULL;
	return bsearch(id, registry, sizeof(registry) / sizeof(registry[0]), sizeof(registry[0]),
	               cmp_id);
}
