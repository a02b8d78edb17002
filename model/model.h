/* model: one environment of the platform — stack name, region, environment
 * kind, name suffix and a value for each template parameter — as stored in a
 * commented YAML file (format: lmsctl-model(5)).
 *
 * A model loaded from a file keeps the file's text; model_save() splices the
 * changed values into it, so comments, order and formatting survive and only
 * the changed values' text changes. The model owns all its strings. */
#ifndef LMSCTL_MODEL_MODEL_H
#define LMSCTL_MODEL_MODEL_H

#include "common/buf.h"
#include "common/error.h"
#include "common/file.h" /* write_file_atomic, which moved there; callers still find it here */
#include "model/catalog.h"
#include "model/institutions.h"
#include "model/ydoc.h"

#include <stdbool.h>
#include <stddef.h>

/* The template parameters bound to the model's top-level keys. */
#define MODEL_PARAM_ENVIRONMENT "Environment"
#define MODEL_PARAM_SUFFIX "EnvironmentSuffix"

typedef struct model_entry {
	char *key;   /* top-level key, or parameter name */
	char *value; /* current value */
	bool changed;
	bool is_param; /* under `parameters:` */
	/* in the loaded file; all zero for an entry added since */
	size_t line, col;
	size_t val_from, val_to; /* byte range of the value's text */
} model_entry;

typedef struct model {
	char *path; /* NULL for a model built in memory */
	ydoc *doc;  /* the loaded file, NULL when built in memory */
	model_entry *entries;
	size_t n, cap;
	/* keys of the file that are not part of the format, kept so that the
	 * validator can report them as findings with their position */
	model_entry *unknown;
	size_t nunknown;
	size_t params_line;   /* line of `parameters:` in the file, 0 if none */
	size_t params_end;    /* byte offset where a new parameter line is inserted */
	size_t params_indent; /* indentation of parameter keys in the file */
	/* `institutions:` (lmsctl-model(5)): the API's institutions, each with
	 * its own key and usage plan; inst_line is the key's line, 0 if none */
	model_institution *inst;
	size_t ninst, inst_line;
} model;

/* Top-level keys of the format, in the order `init` writes them. */
extern const char *const model_top_keys[4]; /* stack, region, environment, suffix */

/* Loads a model file. Malformed YAML, a value that is not a plain scalar and
 * a duplicate key are errors ("FILE:LINE:COL: message"); unknown keys are
 * kept for the validator. */
model *model_load(const char *path, lms_error *err);

/* A model for environment kind `env` with every parameter at its profile
 * value (catalog_profile_value), in memory. */
model *model_new_from_catalog(const catalog *cat, const char *env, lms_error *err);
void model_free(model *m);

/* A value by top-level key (stack, region, environment, suffix) or parameter
 * name; the bound parameters Environment and EnvironmentSuffix read the
 * top-level keys. NULL when unset. */
const char *model_get(const model *m, const char *key);
/* The value lmsctl uses for a template parameter: the model's, else the
 * template Default. */
const char *model_param_value(const model *m, const catalog *cat, const char *param);
bool model_set(model *m, const char *key, const char *value);
const model_entry *model_find(const model *m, const char *key);

/* Writes the model as a new commented file (what `init` writes). */
bool model_render_new(const model *m, const catalog *cat, buf *out);
/* The loaded file with changed values spliced in (new entries appended). */
bool model_render_update(const model *m, buf *out);
/* Saves to m->path (or `path` when non-NULL) with write_file_unchanged():
 * atomically, through a symbolic link to its target, keeping mode and owner.
 * The whole result is first read back by the loader, with the loader's size
 * limit (1 MiB): one it would refuse is not written, and the file is left as
 * it was. `seen` is what the file held when the caller read it; NULL: the
 * text the model was loaded from when saving over m->path (so a change made
 * on disk since the load is never overwritten: errno ESTALE), else no check.
 * On success a loaded model is the file as written (positions, text). */
bool model_save(model *m, const catalog *cat, const char *path, const file_seen *seen,
                lms_error *err);

#endif
