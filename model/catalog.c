#include "model/catalog.h"

#include "common/buf.h"
#include "common/num.h"
#include "common/str.h"
#include "common/vec.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *const cat_section_names[SEC_COUNT] = {"Metadata", "Parameters", "Conditions",
                                                  "Mappings", "Resources",  "Outputs"};

/* A fragment is a few hundred lines; anything near this is not one. */
#define FRAGMENT_MAX_BYTES ((size_t)4 * 1024 * 1024)

static const char *const environments[] = {"dev", "staging", "prod"};

bool cat_type_is_list(const char *type)
{
	return type && (strcmp(type, "CommaDelimitedList") == 0 || strncmp(type, "List<", 5) == 0);
}

static bool fail_node(lms_error *err, const cat_fragment *f, const ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool fail_node(lms_error *err, const cat_fragment *f, const ynode *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = lms_vstrdupf(fmt, ap);
	va_end(ap);
	lms_error_set(err, f->path, n ? n->start.line : 0, n ? n->start.col : 0, "%s",
	              msg ? msg : "out of memory");
	free(msg);
	return false;
}

/* A name already taken, in the hash table of the names loaded so far (the
 * check of each name against every earlier one made loading quadratic in
 * the size of the catalog). */
typedef struct name_slot {
	const char *name; /* NULL: free */
	int sec;          /* the section the entry is in */
	size_t index;     /* in cat->params or cat->entries[sec] */
} name_slot;

typedef struct loader {
	catalog *cat;
	lms_error *err;
	size_t cap_params, cap_entries[SEC_COUNT], cap_groups, cap_profile;
	name_slot *names;
	size_t names_cap, names_count; /* names_cap: 0 or a power of two */
} loader;

/* A parameter, condition, mapping, resource or output shares one namespace
 * per section in CloudFormation; a logical id is also shared between
 * parameters and resources (Ref resolves both). */
static int name_space(int sec)
{
	return sec == SEC_RESOURCES ? SEC_PARAMETERS : sec;
}

static size_t name_hash(const char *name, int space)
{
	uint64_t h = UINT64_C(14695981039346656037); /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * UINT64_C(1099511628211);
	return (size_t)(h ^ (uint64_t)space);
}

/* The slot of (name, space): the taken one, or the free one to fill. */
static name_slot *name_find(const loader *ld, const char *name, int space)
{
	size_t mask = ld->names_cap - 1;
	for (size_t i = name_hash(name, space) & mask;; i = (i + 1) & mask) {
		name_slot *slot = &ld->names[i];
		if (!slot->name ||
		    (name_space(slot->sec) == space && strcmp(slot->name, name) == 0))
			return slot;
	}
}

static bool names_grow(loader *ld)
{
	size_t cap = ld->names_cap ? ld->names_cap * 2 : 256;
	name_slot *old = ld->names;
	size_t old_cap = ld->names_cap;
	ld->names = calloc(cap, sizeof(name_slot));
	if (!ld->names) {
		ld->names = old;
		return false;
	}
	ld->names_cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].name)
			*name_find(ld, old[i].name, name_space(old[i].sec)) = old[i];
	free(old);
	return true;
}

static bool check_name_unique(loader *ld, cat_section sec, const cat_fragment *f, const ynode *key)
{
	const catalog *cat = ld->cat;
	if (2 * (ld->names_count + 1) > ld->names_cap && !names_grow(ld))
		return fail_node(ld->err, f, key, "%s", "out of memory");
	name_slot *slot = name_find(ld, key->str, name_space((int)sec));
	if (slot->name) {
		const cat_entry *e = slot->sec == SEC_PARAMETERS
		                         ? &cat->params[slot->index].e
		                         : &cat->entries[slot->sec][slot->index];
		lms_error_set(ld->err, f->path, key->start.line, key->start.col,
		              "%s '%s' is already defined in %s:%zu", cat_section_names[sec],
		              key->str, e->frag->path, e->key->start.line);
		return false;
	}
	/* the entry the caller adds next */
	slot->name = key->str;
	slot->sec = (int)sec;
	slot->index = sec == SEC_PARAMETERS ? cat->nparams : cat->nentries[sec];
	ld->names_count++;
	return true;
}

static bool load_param(loader *ld, const cat_fragment *f, const ynode *key, const ynode *val)
{
	catalog *cat = ld->cat;
	if (val->kind != YNODE_MAP)
		return fail_node(ld->err, f, val, "parameter '%s' must be a mapping", key->str);
	if (!VEC_RESERVE(cat->params, ld->cap_params, cat->nparams + 1))
		return fail_node(ld->err, f, key, "%s", "out of memory");
	cat_param *p = &cat->params[cat->nparams];
	memset(p, 0, sizeof(*p));
	p->e.name = key->str;
	p->e.frag = f;
	p->e.key = key;
	p->e.value = val;
	p->label = key->str;
	p->group = (size_t)-1;
	static const char *const known[] = {"Type",
	                                    "Description",
	                                    "Default",
	                                    "AllowedValues",
	                                    "AllowedPattern",
	                                    "MinLength",
	                                    "MaxLength",
	                                    "MinValue",
	                                    "MaxValue",
	                                    "NoEcho",
	                                    "ConstraintDescription"};
	for (size_t i = 0; i < val->n; i++) {
		const ynode *k = ynode_key(val, i), *v = ynode_val(val, i);
		const char *attr = ynode_str(k); /* NULL for a key that is not a plain name */
		bool ok = false;
		for (size_t j = 0; attr && j < sizeof(known) / sizeof(known[0]); j++)
			ok = ok || strcmp(attr, known[j]) == 0;
		if (!ok)
			return fail_node(ld->err, f, k, "unknown parameter attribute '%s'",
			                 attr ? attr : "?");
		if (strcmp(k->str, "AllowedValues") == 0) {
			if (v->kind != YNODE_SEQ)
				return fail_node(ld->err, f, v, "%s",
				                 "AllowedValues must be a list");
			for (size_t j = 0; j < v->n; j++)
				if (!ynode_str(v->kids[j]))
					return fail_node(ld->err, f, v->kids[j], "%s",
					                 "AllowedValues must hold plain values");
			p->allowed_values = v;
		} else if (strcmp(k->str, "Default") != 0 && !ynode_str(v)) {
			return fail_node(ld->err, f, v,
			                 "parameter attribute %s must be a plain value", k->str);
		}
	}
	p->type = ynode_str(ynode_get(val, "Type"));
	p->description = ynode_str(ynode_get(val, "Description"));
	p->default_node = ynode_get(val, "Default");
	p->default_value = ynode_str(p->default_node);
	if (!p->type)
		return fail_node(ld->err, f, key, "parameter '%s' has no Type", key->str);
	if (!p->description)
		return fail_node(ld->err, f, key, "parameter '%s' has no Description", key->str);
	if (!p->default_value)
		return fail_node(
		    ld->err, f, key,
		    "parameter '%s' has no Default (the dev value; see docs/templates.md)",
		    key->str);
	p->constraint_description = ynode_str(ynode_get(val, "ConstraintDescription"));
	p->allowed_pattern = ynode_str(ynode_get(val, "AllowedPattern"));
	const char *s;
	if ((s = ynode_str(ynode_get(val, "MinLength"))) &&
	    !(p->has_min_length = lms_parse_long(s, LONG_MIN, LONG_MAX, &p->min_length)))
		return fail_node(ld->err, f, ynode_get(val, "MinLength"), "%s",
		                 "MinLength must be an integer");
	if ((s = ynode_str(ynode_get(val, "MaxLength"))) &&
	    !(p->has_max_length = lms_parse_long(s, LONG_MIN, LONG_MAX, &p->max_length)))
		return fail_node(ld->err, f, ynode_get(val, "MaxLength"), "%s",
		                 "MaxLength must be an integer");
	if ((s = ynode_str(ynode_get(val, "MinValue"))) &&
	    !(p->has_min_value = lms_parse_double(s, &p->min_value)))
		return fail_node(ld->err, f, ynode_get(val, "MinValue"), "%s",
		                 "MinValue must be a number");
	if ((s = ynode_str(ynode_get(val, "MaxValue"))) &&
	    !(p->has_max_value = lms_parse_double(s, &p->max_value)))
		return fail_node(ld->err, f, ynode_get(val, "MaxValue"), "%s",
		                 "MaxValue must be a number");
	s = ynode_str(ynode_get(val, "NoEcho"));
	p->no_echo = s && (strcmp(s, "true") == 0 || strcmp(s, "True") == 0);
	cat->nparams++;
	return true;
}

static bool load_entries(loader *ld, cat_fragment *f, cat_section sec)
{
	catalog *cat = ld->cat;
	const ynode *map = f->value[sec];
	for (size_t i = 0; i < map->n; i++) {
		const ynode *k = ynode_key(map, i), *v = ynode_val(map, i);
		if (!ynode_str(k))
			return fail_node(ld->err, f, k, "%s", "names must be plain strings");
		if (k->start.col != 3)
			return fail_node(ld->err, f, k,
			                 "'%s' must be indented by two spaces (docs/templates.md)",
			                 k->str);
		if (sec == SEC_METADATA)
			continue;
		if (!check_name_unique(ld, sec, f, k))
			return false;
		if (sec == SEC_PARAMETERS) {
			if (!load_param(ld, f, k, v))
				return false;
			continue;
		}
		if (!VEC_RESERVE(cat->entries[sec], ld->cap_entries[sec], cat->nentries[sec] + 1))
			return fail_node(ld->err, f, k, "%s", "out of memory");
		cat_entry *e = &cat->entries[sec][cat->nentries[sec]++];
		e->name = k->str;
		e->frag = f;
		e->key = k;
		e->value = v;
	}
	return true;
}

static bool load_groups(loader *ld, cat_fragment *f, const ynode *iface)
{
	catalog *cat = ld->cat;
	const ynode *groups = ynode_get(iface, "ParameterGroups");
	if (groups && groups->kind != YNODE_SEQ)
		return fail_node(ld->err, f, groups, "%s", "ParameterGroups must be a list");
	for (size_t i = 0; groups && i < groups->n; i++) {
		const ynode *g = groups->kids[i];
		const char *label = ynode_str(ynode_get(ynode_get(g, "Label"), "default"));
		const ynode *params = ynode_get(g, "Parameters");
		if (!label || !params || params->kind != YNODE_SEQ)
			return fail_node(ld->err, f, g, "%s",
			                 "a parameter group needs Label: {default: ...} and a "
			                 "Parameters list");
		if (!VEC_RESERVE(cat->groups, ld->cap_groups, cat->ngroups + 1))
			return fail_node(ld->err, f, g, "%s", "out of memory");
		cat_group *grp = &cat->groups[cat->ngroups];
		memset(grp, 0, sizeof(*grp));
		grp->label = label;
		grp->frag = f;
		grp->params = calloc(params->n ? params->n : 1, sizeof(size_t));
		if (!grp->params)
			return fail_node(ld->err, f, g, "%s", "out of memory");
		cat->ngroups++;
		for (size_t j = 0; j < params->n; j++) {
			const char *name = ynode_str(params->kids[j]);
			size_t idx = cat->nparams;
			for (size_t k = 0; name && k < cat->nparams; k++)
				if (strcmp(cat->params[k].e.name, name) == 0)
					idx = k;
			if (idx == cat->nparams)
				return fail_node(
				    ld->err, f, params->kids[j],
				    "parameter group lists '%s', which no fragment defines",
				    name ? name : "?");
			if (cat->params[idx].group != (size_t)-1)
				return fail_node(ld->err, f, params->kids[j],
				                 "parameter '%s' is listed in two parameter groups",
				                 name);
			cat->params[idx].group = cat->ngroups - 1;
			grp->params[grp->n++] = idx;
		}
	}
	const ynode *labels = ynode_get(iface, "ParameterLabels");
	if (labels && labels->kind != YNODE_MAP)
		return fail_node(ld->err, f, labels, "%s",
		                 "ParameterLabels must be a mapping of NAME: {default: TEXT}");
	for (size_t i = 0; labels && i < labels->n; i++) {
		const ynode *k = ynode_key(labels, i);
		const char *name = ynode_str(k);
		const char *label = ynode_str(ynode_get(ynode_val(labels, i), "default"));
		cat_param *p = name ? (cat_param *)catalog_param(cat, name) : NULL;
		if (!p)
			return fail_node(ld->err, f, k, "label for '%s', which no fragment defines",
			                 name ? name : "?");
		if (!label)
			return fail_node(ld->err, f, k, "label of '%s' needs default: TEXT",
			                 k->str);
		p->label = label;
	}
	return true;
}

static bool load_profiles(loader *ld, cat_fragment *f, const ynode *profiles)
{
	catalog *cat = ld->cat;
	if (profiles->kind != YNODE_MAP)
		return fail_node(ld->err, f, profiles, "%s", "LmsCtl::Profiles must be a mapping");
	for (size_t i = 0; i < profiles->n; i++) {
		const ynode *env = ynode_key(profiles, i), *vals = ynode_val(profiles, i);
		const char *env_name = ynode_str(env); /* NULL unless a plain name */
		const char *known = NULL;
		for (size_t e = 0; env_name && e < 3; e++)
			if (strcmp(env_name, environments[e]) == 0)
				known = environments[e];
		if (!known)
			return fail_node(
			    ld->err, f, env,
			    "profile '%s' is not an environment kind (dev, staging, prod)",
			    env_name ? env_name : "?");
		if (vals->kind != YNODE_MAP)
			return fail_node(ld->err, f, vals, "profile '%s' must be a mapping",
			                 env->str);
		for (size_t j = 0; j < vals->n; j++) {
			const ynode *k = ynode_key(vals, j), *v = ynode_val(vals, j);
			if (!ynode_str(k) || !catalog_param(cat, k->str))
				return fail_node(ld->err, f, k,
				                 "profile sets '%s', which no fragment defines",
				                 ynode_str(k) ? k->str : "?");
			if (!ynode_str(v))
				return fail_node(ld->err, f, v,
				                 "profile value of '%s' must be plain", k->str);
			if (!VEC_RESERVE(cat->profile, ld->cap_profile, cat->nprofile + 1))
				return fail_node(ld->err, f, k, "%s", "out of memory");
			cat_profile_value *pv = &cat->profile[cat->nprofile++];
			pv->env = known;
			pv->param = k->str;
			pv->value = v->str;
			pv->node = v;
		}
	}
	return true;
}

/* `LmsCtl::PipelineParameters`: a list of parameters (of any fragment) the pipeline owns. */
static bool load_pipeline_params(loader *ld, cat_fragment *f, const ynode *list)
{
	catalog *cat = ld->cat;
	if (list->kind != YNODE_SEQ)
		return fail_node(ld->err, f, list, "%s",
		                 "LmsCtl::PipelineParameters must be a list of parameter names");
	for (size_t i = 0; i < list->n; i++) {
		const char *name = ynode_str(list->kids[i]);
		cat_param *p = name ? (cat_param *)catalog_param(cat, name) : NULL;
		if (!p)
			return fail_node(ld->err, f, list->kids[i],
			                 "LmsCtl::PipelineParameters lists '%s', which no fragment "
			                 "defines",
			                 name ? name : "?");
		if (p->no_echo)
			return fail_node(ld->err, f, list->kids[i],
			                 "'%s' is NoEcho: a secret is not the pipeline's to set",
			                 name);
		for (size_t j = 0; j < cat->nprofile; j++)
			if (strcmp(cat->profile[j].param, name) == 0)
				return fail_node(ld->err, f, cat->profile[j].node,
				                 "profile sets '%s', which the pipeline owns "
				                 "(LmsCtl::PipelineParameters)",
				                 name);
		p->pipeline_owned = true;
	}
	return true;
}

static bool load_fragment(loader *ld, cat_fragment *f)
{
	lms_error *err = ld->err;
	if (!f->doc) /* a generated fragment comes parsed */
		f->doc = ydoc_load(f->path, FRAGMENT_MAX_BYTES, err);
	if (!f->doc)
		return false;
	const ynode *root = f->doc->root;
	if (!root || root->kind != YNODE_MAP || root->style != YSTYLE_BLOCK)
		return fail_node(err, f, root, "%s",
		                 "a fragment is a block mapping of CloudFormation sections");
	int last = -1;
	for (size_t i = 0; i < root->n; i++) {
		const ynode *k = ynode_key(root, i), *v = ynode_val(root, i);
		int sec = -1;
		for (int s = 0; s < SEC_COUNT; s++)
			if (ynode_str(k) && strcmp(k->str, cat_section_names[s]) == 0)
				sec = s;
		if (sec < 0)
			return fail_node(err, f, k,
			                 "'%s' is not a fragment section (Metadata, Parameters, "
			                 "Conditions, Mappings, Resources, Outputs)",
			                 k->str ? k->str : "?");
		if (sec <= last)
			return fail_node(err, f, k,
			                 "section '%s' is out of order (Metadata, Parameters, "
			                 "Conditions, Mappings, Resources, Outputs)",
			                 k->str);
		last = sec;
		f->key[sec] = k;
		if (ynode_is_null(v))
			continue;
		if (v->kind != YNODE_MAP || v->style != YSTYLE_BLOCK)
			return fail_node(err, f, v, "section '%s' must be a block mapping", k->str);
		f->value[sec] = v;
	}
	for (int s = SEC_PARAMETERS; s < SEC_COUNT; s++)
		if (f->value[s] && !load_entries(ld, f, (cat_section)s))
			return false;
	if (f->value[SEC_METADATA]) {
		const ynode *md = f->value[SEC_METADATA];
		if (!load_entries(ld, f, SEC_METADATA))
			return false;
		for (size_t i = 0; i < md->n; i++) {
			const ynode *k = ynode_key(md, i);
			if (strcmp(k->str, "AWS::CloudFormation::Interface") != 0 &&
			    strcmp(k->str, "LmsCtl::Profiles") != 0 &&
			    strcmp(k->str, "LmsCtl::PipelineParameters") != 0 &&
			    strcmp(k->str, "LmsCtl::FromStackOutputs") != 0)
				return fail_node(
				    err, f, k,
				    "fragment Metadata holds only "
				    "AWS::CloudFormation::Interface, LmsCtl::Profiles, "
				    "LmsCtl::PipelineParameters and LmsCtl::FromStackOutputs, not "
				    "'%s'",
				    k->str);
		}
	}
	return true;
}

static char *join_path(const char *dir, const char *name)
{
	buf b;
	buf_init(&b, 0);
	buf_addf(&b, "%s/%s", dir, name);
	return buf_take(&b);
}

/* `LmsCtl::FromStackOutputs`: parameter -> the main stack's output that gives its value. */
static bool load_from_outputs(loader *ld, cat_fragment *f, const ynode *map)
{
	if (map->kind != YNODE_MAP)
		return fail_node(ld->err, f, map, "%s",
		                 "LmsCtl::FromStackOutputs must map parameters to output names");
	for (size_t i = 0; i < map->n; i++) {
		const char *name = ynode_str(ynode_key(map, i));
		const char *output = ynode_str(ynode_val(map, i));
		cat_param *p = name ? (cat_param *)catalog_param(ld->cat, name) : NULL;
		if (!p)
			return fail_node(ld->err, f, ynode_key(map, i),
			                 "LmsCtl::FromStackOutputs lists '%s', which no fragment "
			                 "defines",
			                 name ? name : "?");
		if (!output || !*output)
			return fail_node(ld->err, f, ynode_val(map, i),
			                 "LmsCtl::FromStackOutputs: '%s' needs an output name",
			                 name);
		p->from_output = output;
	}
	return true;
}

/* `Companions:` of catalog.yml: a list of {Name, Catalog, Region}. */
static bool load_companions(catalog *cat, const cat_fragment *idx, const ynode *list,
                            lms_error *err)
{
	static const char *const keys[] = {"Name", "Catalog", "Region"};
	if (!list || list->kind != YNODE_SEQ)
		return fail_node(err, idx, list, "%s",
		                 "Companions must be a list of {Name, Catalog, Region}");
	cat->companions = calloc(list->n ? list->n : 1, sizeof(cat_companion));
	if (!cat->companions)
		return fail_node(err, idx, list, "%s", "out of memory");
	for (size_t i = 0; i < list->n; i++) {
		const ynode *e = list->kids[i];
		const char *v[3] = {NULL, NULL, NULL};
		for (size_t k = 0; k < 3; k++)
			v[k] = ynode_str(ynode_get(e, keys[k]));
		if (!e || e->kind != YNODE_MAP || e->n != 3 || !v[0] || !v[1] || !v[2] || !*v[0] ||
		    !*v[2])
			return fail_node(err, idx, e, "%s",
			                 "a companion is {Name, Catalog, Region}, each a string");
		/* inside the templates directory: relative, no .., ends in catalog.yml */
		size_t len = strlen(v[1]);
		if (v[1][0] == '/' || strstr(v[1], "..") || len < 12 ||
		    strcmp(v[1] + len - 12, "/catalog.yml") != 0)
			return fail_node(
			    err, idx, e,
			    "companion '%s': Catalog must be DIR/catalog.yml inside the "
			    "templates directory, not '%s'",
			    v[0], v[1]);
		if (catalog_companion(cat, v[0]))
			return fail_node(err, idx, e, "companion '%s' is named twice", v[0]);
		cat->companions[cat->ncompanions++] =
		    (cat_companion){.name = v[0], .catalog = v[1], .region = v[2], .node = e};
	}
	return true;
}

const cat_companion *catalog_companion(const catalog *cat, const char *name)
{
	for (size_t i = 0; i < cat->ncompanions; i++)
		if (strcmp(cat->companions[i].name, name) == 0)
			return &cat->companions[i];
	return NULL;
}

catalog *catalog_load_companion(const catalog *cat, const cat_companion *c, lms_error *err)
{
	buf dir;
	buf_init(&dir, 0);
	buf_addf(&dir, "%s/%.*s", cat->dir, (int)(strlen(c->catalog) - strlen("/catalog.yml")),
	         c->catalog);
	if (dir.failed) {
		lms_error_set(err, cat->dir, 0, 0, "out of memory");
		return NULL;
	}
	catalog *out = catalog_load(buf_cstr(&dir), err);
	buf_free(&dir);
	if (out && !(out->region = strdup(c->region))) {
		lms_error_set(err, cat->dir, 0, 0, "out of memory");
		catalog_free(out);
		return NULL;
	}
	return out;
}

catalog *catalog_load(const char *dir, lms_error *err)
{
	catalog *cat = calloc(1, sizeof(*cat));
	if (!cat) {
		lms_error_set(err, dir, 0, 0, "out of memory");
		return NULL;
	}
	loader ld = {.cat = cat, .err = err};
	cat->dir = strdup(dir);
	char *index_path = join_path(dir, "catalog.yml");
	if (!cat->dir || !index_path) {
		free(index_path);
		goto oom;
	}
	cat->index = ydoc_load(index_path, FRAGMENT_MAX_BYTES, err);
	if (!cat->index) {
		free(index_path);
		goto fail;
	}
	const ynode *root = cat->index->root;
	cat_fragment idx_frag = {.path = index_path};
	const ynode *frags = ynode_get(root, "Fragments");
	cat->description = ynode_get(root, "Description");
	cat->transform = ynode_str(ynode_get(root, "Transform"));
	/* a root that is not a mapping has no keys (ynode_key is NULL) and
	 * fails the Fragments check below */
	for (size_t i = 0; root && root->kind == YNODE_MAP && i < root->n; i++) {
		const char *k = ynode_str(ynode_key(root, i));
		if (!k || (strcmp(k, "Fragments") != 0 && strcmp(k, "Description") != 0 &&
		           strcmp(k, "Transform") != 0 && strcmp(k, "Companions") != 0)) {
			fail_node(
			    err, &idx_frag, ynode_key(root, i),
			    "unknown key '%s' (Description, Transform, Fragments, Companions)",
			    k ? k : "?");
			free(index_path);
			goto fail;
		}
		if (strcmp(k, "Companions") == 0 &&
		    !load_companions(cat, &idx_frag, ynode_val(root, i), err)) {
			free(index_path);
			goto fail;
		}
	}
	if (!frags || frags->kind != YNODE_SEQ || frags->n == 0 || !ynode_str(cat->description)) {
		fail_node(err, &idx_frag, root, "%s",
		          "catalog.yml needs a Description and a list of Fragments");
		free(index_path);
		goto fail;
	}
	/* one more: the fragment generated from the model (catalog_add_fragment) */
	cat->frags = calloc(frags->n + 1, sizeof(cat_fragment));
	cat->frags_cap = frags->n + 1;
	if (!cat->frags) {
		free(index_path);
		goto oom;
	}
	for (size_t i = 0; i < frags->n; i++) {
		const char *name = ynode_str(frags->kids[i]);
		if (!name || !*name || strchr(name, '/')) {
			fail_node(err, &idx_frag, frags->kids[i], "%s",
			          "a fragment is a file name in the templates directory");
			free(index_path);
			goto fail;
		}
		cat_fragment *f = &cat->frags[cat->nfrags++];
		f->name = strdup(name);
		f->path = join_path(dir, name);
		if (!f->name || !f->path) {
			free(index_path);
			goto oom;
		}
		if (!load_fragment(&ld, f)) {
			free(index_path);
			goto fail;
		}
	}
	free(index_path);
	/* groups and profiles refer to parameters of any fragment: second pass */
	for (size_t i = 0; i < cat->nfrags; i++) {
		cat_fragment *f = &cat->frags[i];
		const ynode *md = f->value[SEC_METADATA];
		const ynode *iface = ynode_get(md, "AWS::CloudFormation::Interface");
		const ynode *profiles = ynode_get(md, "LmsCtl::Profiles");
		const ynode *owned = ynode_get(md, "LmsCtl::PipelineParameters");
		if (iface && !load_groups(&ld, f, iface))
			goto fail;
		if (profiles && !load_profiles(&ld, f, profiles))
			goto fail;
		if (owned && !load_pipeline_params(&ld, f, owned))
			goto fail;
		const ynode *outs = ynode_get(md, "LmsCtl::FromStackOutputs");
		if (outs && !load_from_outputs(&ld, f, outs))
			goto fail;
	}
	for (size_t i = 0; i < cat->nparams; i++) {
		const cat_param *p = &cat->params[i];
		if (p->group == (size_t)-1) {
			fail_node(err, p->e.frag, p->e.key,
			          "parameter '%s' is in no ParameterGroups entry (every parameter "
			          "belongs to one console panel)",
			          p->e.name);
			goto fail;
		}
	}
	free(ld.names);
	return cat;
oom:
	lms_error_set(err, dir, 0, 0, "out of memory");
fail:
	free(ld.names);
	catalog_free(cat);
	return NULL;
}

/* Takes the names of the catalog loaded so far into a fresh loader. */
static bool loader_resume(loader *ld)
{
	const catalog *cat = ld->cat;
	for (int sec = SEC_PARAMETERS; sec < SEC_COUNT; sec++) {
		size_t n = sec == SEC_PARAMETERS ? cat->nparams : cat->nentries[sec];
		ld->cap_entries[sec] = cat->nentries[sec];
		for (size_t i = 0; i < n; i++) {
			if (2 * (ld->names_count + 1) > ld->names_cap && !names_grow(ld))
				return false;
			const cat_entry *e =
			    sec == SEC_PARAMETERS ? &cat->params[i].e : &cat->entries[sec][i];
			name_slot *slot = name_find(ld, e->name, name_space(sec));
			*slot = (name_slot){e->name, sec, i};
			ld->names_count++;
		}
	}
	ld->cap_params = cat->nparams;
	return true;
}

bool catalog_add_fragment(catalog *cat, const char *name, const char *text, size_t len,
                          lms_error *err)
{
	if (cat->nfrags >= cat->frags_cap) {
		lms_error_set(err, name, 0, 0, "%s", "the catalog takes one generated fragment");
		return false;
	}
	cat_fragment *f = &cat->frags[cat->nfrags];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	f->path = strdup(name);
	f->doc = f->name && f->path ? ydoc_parse(name, text, len, err) : NULL;
	loader ld = {.cat = cat, .err = err};
	bool ok = f->doc && loader_resume(&ld) && load_fragment(&ld, f);
	if (ok && f->value[SEC_PARAMETERS])
		ok = fail_node(err, f, f->key[SEC_PARAMETERS], "%s",
		               "a generated fragment defines no parameters");
	free(ld.names);
	if (!ok) {
		/* entries and parameters it added name its document: drop them
		 * with it */
		for (int sec = SEC_CONDITIONS; sec < SEC_COUNT; sec++)
			while (cat->nentries[sec] &&
			       cat->entries[sec][cat->nentries[sec] - 1].frag == f)
				cat->nentries[sec]--;
		while (cat->nparams && cat->params[cat->nparams - 1].e.frag == f)
			cat->nparams--;
		/* the copies of its name, or the resumed name table (loader_resume
		 * says nothing), found no memory */
		if (err && !err->msg)
			lms_error_set(err, name, 0, 0, "%s", "out of memory");
		free(f->name);
		free(f->path);
		ydoc_free(f->doc);
		memset(f, 0, sizeof(*f));
		return false;
	}
	cat->nfrags++;
	return true;
}

void catalog_free(catalog *cat)
{
	if (!cat)
		return;
	for (size_t i = 0; i < cat->nfrags; i++) {
		free(cat->frags[i].name);
		free(cat->frags[i].path);
		ydoc_free(cat->frags[i].doc);
	}
	free(cat->frags);
	free(cat->params);
	for (int s = 0; s < SEC_COUNT; s++)
		free(cat->entries[s]);
	for (size_t i = 0; i < cat->ngroups; i++)
		free(cat->groups[i].params);
	free(cat->groups);
	free(cat->profile);
	free(cat->companions);
	free(cat->region);
	ydoc_free(cat->index);
	free(cat->dir);
	free(cat);
}

const cat_param *catalog_param(const catalog *cat, const char *name)
{
	for (size_t i = 0; i < cat->nparams; i++)
		if (strcmp(cat->params[i].e.name, name) == 0)
			return &cat->params[i];
	return NULL;
}

const cat_entry *catalog_entry(const catalog *cat, cat_section sec, const char *name)
{
	for (size_t i = 0; i < cat->nentries[sec]; i++)
		if (strcmp(cat->entries[sec][i].name, name) == 0)
			return &cat->entries[sec][i];
	return NULL;
}

const char *catalog_profile_value(const catalog *cat, const char *env, const char *param)
{
	for (size_t i = 0; i < cat->nprofile; i++)
		if (strcmp(cat->profile[i].env, env) == 0 &&
		    strcmp(cat->profile[i].param, param) == 0)
			return cat->profile[i].value;
	const cat_param *p = catalog_param(cat, param);
	return p ? p->default_value : NULL;
}
