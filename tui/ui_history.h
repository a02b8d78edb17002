/* ui_history: undo and redo of the operator's edits. A step is one action
 * (an edit, a pick, `:profile prod` setting many values) and holds each
 * changed key's value before and after; NULL means the key was absent (the
 * template Default applies). The history owns copies of everything. */
#ifndef LMSCTL_TUI_UI_HISTORY_H
#define LMSCTL_TUI_UI_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

typedef struct hist_change {
	char *key;
	char *before; /* NULL: absent */
	char *after;  /* NULL: absent */
} hist_change;

typedef struct hist_step {
	char *label; /* "VpcCidr", ":profile prod" */
	hist_change *v;
	size_t n;
} hist_step;

typedef struct history {
	hist_step *steps;
	size_t n;   /* steps held */
	size_t pos; /* steps[0..pos) are done; steps[pos..n) can be redone */
	size_t cap;
	size_t limit; /* oldest steps are dropped past this many; 0: 1000 */
} history;

void history_init(history *h);
void history_free(history *h);

/* A new step, to fill with history_add() and close with history_commit().
 * Starting a step drops every step that could be redone. */
bool history_begin(history *h, const char *label);
/* Records one change in the open step; a key already in the step keeps its
 * first `before` and takes the new `after`. */
bool history_add(history *h, const char *key, const char *before, const char *after);
/* Closes the open step; a step whose changes all cancel out is dropped.
 * Returns whether a step was kept. */
bool history_commit(history *h);
/* Abandons the open step. */
void history_abort(history *h);

/* The step to undo (apply each change's `before`, last change first) or
 * redo (apply `after`); NULL when there is none. The position moves. */
const hist_step *history_undo(history *h);
const hist_step *history_redo(history *h);

bool history_can_undo(const history *h);
bool history_can_redo(const history *h);

#endif
