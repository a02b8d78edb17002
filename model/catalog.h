/* catalog: the platform's CloudFormation fragments (templates/, one per tier),
 * and indexed: parameters with their constraints, parameter groups (the
 * console's panels), conditions, mappings, resources, outputs and the
 * per-environment profiles. The catalog owns every string and node it hands
 * out; they live until catalog_free(). */
#ifndef LMSCTL_MODEL_CATALOG_H
#define LMSCTL_MODEL_CATALOG_H

#include "common/error.h"
#include "model/ydoc.h"

#include <stdbool.h>
#include <stddef.h>

/* Top-level sections of a fragment, in the order they must appear and are
 * assembled. */
typedef enum {
	SEC_METADATA,
	SEC_PARAMETERS,
	SEC_CONDITIONS,
	SEC_MAPPINGS,
	SEC_RESOURCES,
	SEC_OUTPUTS,
	SEC_COUNT
} cat_section;

extern const char *const cat_section_names[SEC_COUNT];

typedef struct cat_fragment {
	char *name; /* file name inside the templates directory */
	char *path; /* full path, for messages */
	ydoc *doc;
	const ynode *key[SEC_COUNT];   /* the section's key node, or NULL */
	const ynode *value[SEC_COUNT]; /* the section's mapping, or NULL */
} cat_fragment;

/* One definition in a section (a parameter, condition, resource, ...). */
typedef struct cat_entry {
	const char *name;
	const cat_fragment *frag;
	const ynode *key;
	const ynode *value;
} cat_entry;

typedef struct cat_param {
	cat_entry e;
	const char *type;
	const char *description;
	const ynode *default_node; /* the Default scalar */
	const char *default_value;
	const char *constraint_description; /* NULL when absent */
	const ynode *allowed_values;        /* sequence, or NULL */
	const char *allowed_pattern;        /* NULL when absent */
	bool has_min_length, has_max_length, has_min_value, has_max_value;
	long min_length, max_length;
	double min_value, max_value;
	bool no_echo;
	const char *label; /* ParameterLabels default, or the name */
	size_t group;      /* index into catalog.groups */
	/* listed under a fragment's `Metadata: LmsCtl::PipelineParameters`: the pipeline,
	 * not the model, sets it (a first deploy sends the Default, an update keeps the
	 * stack's value: docs/deploy.md) */
	bool pipeline_owned;
	/* listed under `Metadata: LmsCtl::FromStackOutputs` (a companion's
	 * fragment): the output of the main stack that gives the value, or NULL */
	const char *from_output;
} cat_param;

/* A companion stack the main catalog names (catalog.yml `Companions:`): its
 * own catalog, deployed as `<main stack>-<name>` in its own Region. */
typedef struct cat_companion {
	const char *name;    /* e.g. edge */
	const char *catalog; /* relative to the templates directory, e.g. edge/catalog.yml */
	const char *region;  /* e.g. us-east-1 */
	const ynode *node;   /* its entry, for messages */
} cat_companion;

typedef struct cat_group {
	const char *label;
	const cat_fragment *frag;
	size_t *params; /* indexes into catalog.params */
	size_t n;
} cat_group;

typedef struct cat_profile_value {
	const char *env;   /* dev, staging, prod */
	const char *param; /* parameter name */
	const char *value;
	const ynode *node;
} cat_profile_value;

typedef struct catalog {
	char *dir;
	ydoc *index; /* catalog.yml */
	const ynode *description;
	const char *transform; /* NULL when none */
	cat_fragment *frags;
	size_t nfrags, frags_cap;
	cat_param *params;
	size_t nparams;
	cat_entry *entries[SEC_COUNT]; /* for CONDITIONS, MAPPINGS, RESOURCES, OUTPUTS */
	size_t nentries[SEC_COUNT];
	cat_group *groups;
	size_t ngroups;
	cat_profile_value *profile;
	size_t nprofile;
	cat_companion *companions;
	size_t ncompanions;
	/* the Region the stack is designed for: a companion's own (us-east-1 for
	 * the edge), NULL for the main catalog (eu-west-1) */
	char *region;
} catalog;

/* Loads `dir`/catalog.yml and every fragment it lists. A fragment that does
 * not parse, breaks the conventions of docs/templates.md or defines a name
 * another fragment defines is an error naming file and line. */
catalog *catalog_load(const char *dir, lms_error *err);
void catalog_free(catalog *cat);
/* Adds the fragment `text` (named `name` in messages and in the assembled
 * template), generated after loading: from the model
 * (assemble_add_institutions). It follows the conventions of every
 * fragment, defines no parameters and no name another fragment defines;
 * one at most. On failure the catalog is as it was. */
bool catalog_add_fragment(catalog *cat, const char *name, const char *text, size_t len,
                          lms_error *err);

const cat_param *catalog_param(const catalog *cat, const char *name);
const cat_entry *catalog_entry(const catalog *cat, cat_section sec, const char *name);
/* The companion named `name`, or NULL. */
const cat_companion *catalog_companion(const catalog *cat, const char *name);
/* Loads the companion's catalog (the directory of its catalog.yml). */
catalog *catalog_load_companion(const catalog *cat, const cat_companion *c, lms_error *err);

/* The value `lmsctl init --env env` writes for `param`: the profile's, else the Default. */
const char *catalog_profile_value(const catalog *cat, const char *env, const char *param);

/* Parameter types whose value is a comma-separated list. */
bool cat_type_is_list(const char *type);

#endif
