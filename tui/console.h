/* console: the interactive console, `lmsctl [MODEL]`. Panels from the
 * templates' parameter groups, forms with live validation, findings, the
 * template preview, undo/redo, atomic saves that keep comments, and deploy
 * and destroy through a stack-operations backend (ops/ops.h). See
 * docs/console.md. */
#ifndef LMSCTL_TUI_CONSOLE_H
#define LMSCTL_TUI_CONSOLE_H

#include "model/catalog.h"
#include "model/model.h"
#include "tui/keymap.h"

#include <stdbool.h>

struct ops_backend;

typedef struct console_opts {
	bool readonly; /* --readonly: deploy, destroy and saving disabled */
	/* Whether the configuration makes environment `environment` read-only (cli/conffile.h:
	 * `readonly = true` and no --write); asked again when the model's environment changes.
	 * NULL: never. */
	bool (*env_readonly)(void *ctx, const char *environment);
	void *env_ctx;
	bool no_color;             /* --no-color (NO_COLOR is read by the console) */
	const char *theme;         /* --theme dark|light|mono; NULL: dark */
	const keymap *keys;        /* the configuration's [keys]; NULL: the default keys */
	const char *templates_dir; /* for messages */
	/* The stack operations' backend (ops/ops.h), made when the console
	 * starts: the AWS one, given the command line's AWS options through
	 * `backend_ctx`. NULL: deploy and destroy say they are not available.
	 * LMSCTL_FAKE_AWS=SCENARIO replaces it with the scripted backend. */
	struct ops_backend *(*backend)(void *backend_ctx, const catalog *cat, const model *m,
	                               lms_error *err);
	void *backend_ctx;
} console_opts;

/* Runs the console on `m` (loaded from a file, or the built-in model when
 * m->path is NULL) until the operator quits. The model may be changed and
 * saved; the caller still owns and frees `cat` and `m`. Returns an exit
 * status: 0 after a normal quit, 2 when the terminal cannot show the console,
 * 128+N after signal N. Needs a terminal on standard input and output. */
int console_main(const catalog *cat, model *m, const console_opts *opts);

/* When a view binds `key` for its own use (so that a global action on it would be hidden
 * there): a description ("j is the Params view's key (move)"), to free; else NULL. */
char *console_key_taken(int key);

/* Whether the console can run here: both standard input and output are
 * terminals. */
bool console_has_terminal(void);

#endif
