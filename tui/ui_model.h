/* ui_model: the model as the console edits it, without curses. It wraps the
 * model layer (model.h, validate.h) with what an editor needs: the values as
 * last saved (to count unsaved edits and show the saved value beside the new
 * one), the findings of the whole model with a summary per field and per
 * panel, a live check of a value being typed, and which resources a value
 * leaves out of the template through a false Condition.
 *
 * The ui_model borrows the catalog and the model; the caller keeps both
 * alive and frees them after ui_model_free(). */
#ifndef LMSCTL_TUI_UI_MODEL_H
#define LMSCTL_TUI_UI_MODEL_H

#include "common/buf.h"
#include "common/error.h"
#include "model/catalog.h"
#include "model/findings.h"
#include "model/model.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct ui_field_state {
	size_t nfind;   /* findings about the field */
	long first;     /* index of its most severe finding in ui_model.f, or -1 */
	severity worst; /* valid when nfind > 0 */
	size_t hidden;  /* resources its value leaves out of the template */
} ui_field_state;

typedef struct ui_model {
	const catalog *cat;
	model *m;
	/* the keys that can be edited and their values when last loaded or saved
	 * (NULL: absent, the template Default applies) */
	char **keys;
	char **saved;
	size_t nkeys;
	findings f; /* of the whole model, sorted (errors first) */
	size_t errors, warnings, infos;
	ui_field_state *fs;   /* per catalog parameter */
	size_t *group_errors; /* per group */
	size_t *group_warnings;
	/* conditions: which parameters each one depends on (ncond x nparams) */
	bool *cond_deps;
	size_t ncond;
	bool *res_hidden;         /* per catalog resource: its Condition is false */
	unsigned long generation; /* bumps on every change of a value */
	/* whole-model validations run so far (the console's bench log counts them per
	 * redraw) */
	unsigned long validations;
} ui_model;

bool ui_model_init(ui_model *um, const catalog *cat, model *m, lms_error *err);
void ui_model_free(ui_model *um);

/* The value lmsctl uses for `key` (a parameter or a top-level key): the
 * model's, else the template Default. Never NULL for a catalog parameter. */
const char *ui_model_value(const ui_model *um, const char *key);
/* The model's own value, NULL when absent. */
const char *ui_model_raw(const ui_model *um, const char *key);
/* The value when last saved, NULL when it was absent. */
const char *ui_model_saved(const ui_model *um, const char *key);
bool ui_model_is_dirty_key(const ui_model *um, const char *key);
/* How many keys differ from the saved file. */
size_t ui_model_dirty(const ui_model *um);

/* Sets `key` to `value`, or makes it absent again when `value` is NULL (only
 * for a key the file did not have). Then revalidates. */
bool ui_model_apply(ui_model *um, const char *key, const char *value);
/* Recomputes findings and hidden resources (after apply, undo, restore). */
void ui_model_refresh(ui_model *um);
/* The values now in the model become the saved ones (after a save). */
bool ui_model_mark_saved(ui_model *um);

/* The live check of a value being typed for catalog parameter `p`: its own
 * constraints into `own` (PRM rules), the cross-field rules with this value
 * in place into `cross` (findings about this field only). The model is left
 * as it was. */
void ui_model_check(ui_model *um, const cat_param *p, const char *value, findings *own,
                    findings *cross);
/* Errors the whole model would have with `key` set to `value`. */
size_t ui_model_errors_with(ui_model *um, const char *key, const char *value);

/* The catalog parameter a finding's field names (top-level keys map to their
 * bound parameters), or NULL. */
const cat_param *ui_model_field_param(const ui_model *um, const char *field);
/* Index of catalog parameter `p`. */
size_t ui_model_param_index(const ui_model *um, const cat_param *p);

/* The resources the value of parameter `p` leaves out, by the condition
 * that is false ("HasThirdAz false: PublicSubnet3, AppSubnet3"), appended
 * to `out`; returns how many. */
size_t ui_model_hidden_list(const ui_model *um, const cat_param *p, buf *out);
/* Whether catalog resource `i` is left out for this model. */
bool ui_model_resource_hidden(const ui_model *um, size_t i);

/* Appends the generated template for the model's values. */
bool ui_model_template(const ui_model *um, buf *out, lms_error *err);

/* Whether `value` is a choice of `p` that toggles (AllowedValues true/false). */
bool ui_param_is_bool(const cat_param *p);
bool ui_param_is_number(const cat_param *p);

#endif
