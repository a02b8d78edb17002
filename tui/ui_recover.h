/* ui_recover: the recovery file that keeps unsaved edits safe from a signal,
 * a crash or a dropped SSH session. The console rewrites it after every
 * change while edits are unsaved and removes it once they are saved or
 * discarded; the next start on the same model offers to restore it.
 *
 * It sits next to the model (`.NAME.lmsctl-recover` beside NAME), or for the
 * built-in model in $XDG_STATE_HOME/lmsctl (~/.local/state/lmsctl). It is a
 * small YAML file: the model's path and each unsaved key's value (`~`: the
 * key is absent, the template Default applies). */
#ifndef LMSCTL_TUI_UI_RECOVER_H
#define LMSCTL_TUI_UI_RECOVER_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef struct recover_edit {
	char *key;
	char *value; /* NULL: absent */
} recover_edit;

typedef struct recover_data {
	char *model; /* the model's path, or "builtin:dev" */
	time_t written;
	recover_edit *v;
	size_t n;
} recover_data;

/* The recovery file's path for a model file (NULL: the built-in model);
 * NULL when there is nowhere to keep it (no HOME). Owned by the caller. */
char *recover_path(const char *model_path);

/* Writes the file atomically and privately (write_file_atomic_mode, 0600:
 * a temporary file, fsync, rename). */
bool recover_write(const char *path, const recover_data *d, lms_error *err);
/* Reads it; false with no error set when there is no file. */
bool recover_read(const char *path, recover_data *out, lms_error *err);
bool recover_add(recover_data *d, const char *key, const char *value);
void recover_data_free(recover_data *d);
/* Removes the file; a missing file is fine. */
void recover_remove(const char *path);

#endif
