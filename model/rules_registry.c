#include "model/rules_registry.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const rule_info registry[] = {
#define RULE(id, family, severity, obligations, summary)                                           \
	{#id, #family, #severity, obligations, summary},
#include "model/rules.def"
};

const rule_info *rules_registry(size_t *count)
{
	*count = sizeof(registry) / sizeof(registry[0]);
	return registry;
}

static const char *const prod_gates[] = {
#define PROD_GATE(id) #id,
#define RULE(id, family, severity, obligations, summary)
#include "model/rules.def"
};

bool rules_gates_prod_deploy(const char *id)
{
	for (size_t i = 0; id && i < sizeof(prod_gates) / sizeof(prod_gates[0]); i++)
		if (strcmp(prod_gates[i], id) == 0)
			return true;
	return false;
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

bool rules_supports(const rule_info *r, const char *name)
{
	if (!r || !r->obligations || !name || !*name)
		return false;
	/* a whole word of the space-separated list, not a prefix of a longer one */
	const char *all = r->obligations;
	size_t n = strlen(name);
	for (const char *p = all; (p = strstr(p, name)) != NULL; p += n)
		if ((p == all || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

static json_t *obligations_of(const rule_info *r)
{
	json_t *a = json_array();
	for (const char *p = r->obligations; *p;) {
		size_t n = strcspn(p, " ");
		json_array_append_new(a, json_stringn(p, n));
		p += n + (p[n] == ' ');
	}
	return a;
}

bool rules_registry_write(bool json, buf *out)
{
	size_t n = sizeof(registry) / sizeof(registry[0]);
	if (!json) {
		for (size_t i = 0; i < n; i++)
			buf_addf(out, "%s  %-7s  %-12s  %s\n", registry[i].id, registry[i].severity,
			         registry[i].family, registry[i].summary);
		return !out->failed;
	}
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(registry[i].id));
		json_object_set_new(o, "severity", json_string(registry[i].severity));
		json_object_set_new(o, "family", json_string(registry[i].family));
		json_object_set_new(o, "obligations", obligations_of(&registry[i]));
		json_object_set_new(o, "summary", json_string(registry[i].summary));
		json_array_append_new(a, o);
	}
	char *s = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	bool ok = s && buf_adds(out, s) && buf_addc(out, '\n');
	free(s);
	json_decref(a);
	return ok;
}
