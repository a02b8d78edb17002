/* render/source.c: a catalog over one whole CloudFormation template, so
 * that the renderer evaluates a template read back from CloudFormation
 * (GetTemplate: one YAML or JSON document, not the catalog's fragments). */
#include "model/render/internal.h"

#include <stdlib.h>
#include <string.h>

static bool add_entries(catalog *cat, cat_fragment *f, cat_section sec)
{
	const ynode *map = f->value[sec];
	if (!map)
		return true;
	cat->entries[sec] = calloc(map->n ? map->n : 1, sizeof(cat_entry));
	if (!cat->entries[sec])
		return false;
	for (size_t i = 0; i < map->n; i++) {
		const ynode *k = ynode_key(map, i);
		if (k->kind != YNODE_SCALAR)
			continue; /* a complex key names nothing */
		cat->entries[sec][cat->nentries[sec]++] =
		    (cat_entry){k->str, f, k, ynode_val(map, i)};
	}
	return true;
}

static bool add_params(catalog *cat, cat_fragment *f)
{
	const ynode *map = f->value[SEC_PARAMETERS];
	if (!map)
		return true;
	cat->params = calloc(map->n ? map->n : 1, sizeof(cat_param));
	if (!cat->params)
		return false;
	for (size_t i = 0; i < map->n; i++) {
		const ynode *k = ynode_key(map, i), *v = ynode_val(map, i);
		if (k->kind != YNODE_SCALAR)
			continue;
		cat_param *p = &cat->params[cat->nparams++];
		p->e = (cat_entry){k->str, f, k, v};
		p->type = ynode_str(ynode_get(v, "Type"));
		if (!p->type)
			p->type = "String";
		p->default_node = ynode_get(v, "Default");
		p->default_value = ynode_str(p->default_node);
		const char *echo = ynode_str(ynode_get(v, "NoEcho"));
		p->no_echo = echo && (strcmp(echo, "true") == 0 || strcmp(echo, "True") == 0);
		p->label = k->str;
		p->group = (size_t)-1;
	}
	return true;
}

catalog *render_catalog_of_text(const char *name, const char *text, size_t len, lms_error *err)
{
	ydoc *doc = ydoc_parse(name, text, len, err);
	if (!doc)
		return NULL;
	if (!doc->root || doc->root->kind != YNODE_MAP) {
		lms_error_set(err, name, 0, 0, "the template is not a mapping");
		ydoc_free(doc);
		return NULL;
	}
	catalog *cat = calloc(1, sizeof(*cat));
	cat_fragment *f = calloc(1, sizeof(*f));
	if (!cat || !f) {
		free(cat);
		free(f);
		ydoc_free(doc);
		lms_error_set(err, name, 0, 0, "out of memory");
		return NULL;
	}
	cat->frags = f;
	cat->nfrags = 1;
	f->doc = doc;
	f->name = strdup(name);
	f->path = strdup(name);
	const ynode *root = doc->root;
	for (int s = 0; s < SEC_COUNT; s++) {
		for (size_t i = 0; i < root->n; i++)
			if (ynode_key(root, i)->kind == YNODE_SCALAR &&
			    strcmp(ynode_key(root, i)->str, cat_section_names[s]) == 0) {
				f->key[s] = ynode_key(root, i);
				f->value[s] = ynode_val(root, i)->kind == YNODE_MAP
				                  ? ynode_val(root, i)
				                  : NULL;
			}
	}
	cat->description = ynode_get(root, "Description");
	cat->transform = ynode_str(ynode_get(root, "Transform"));
	bool ok = f->name && f->path && add_params(cat, f);
	for (int s = SEC_CONDITIONS; ok && s < SEC_COUNT; s++)
		if (s != SEC_PARAMETERS)
			ok = add_entries(cat, f, (cat_section)s);
	if (!ok) {
		catalog_free(cat);
		lms_error_set(err, name, 0, 0, "out of memory");
		return NULL;
	}
	return cat;
}
