/* keymap: the console's named global actions and the keys that do them, as the
 * configuration file's [keys] section rebinds them (cli/conffile.h). Curses-free, so that
 * the command line can check a configuration without a terminal.
 *
 * A key is written as one printable ASCII character ("x", "?"), "Ctrl-X" (a letter) or
 * "F1".."F12". Codes: a character is itself, Ctrl-X is X & 0x1f, Fn is KEYMAP_FN(n). A
 * binding replaces the action's default keys: the defaults no longer do it. */
#ifndef LMSCTL_TUI_KEYMAP_H
#define LMSCTL_TUI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
	KEYMAP_HELP,
	KEYMAP_CMD,
	KEYMAP_SEARCH,
	KEYMAP_UNDO,
	KEYMAP_REDO,
	KEYMAP_SAVE,
	KEYMAP_DEPLOY,
	KEYMAP_DESTROY,
	KEYMAP_MESSAGES,
	KEYMAP_QUIT,
	KEYMAP_VIEW_PARAMS, /* the five views, in tab order */
	KEYMAP_VIEW_FINDINGS,
	KEYMAP_VIEW_PREVIEW,
	KEYMAP_VIEW_STACK,
	KEYMAP_VIEW_LOG,
	KEYMAP_ACTIONS
} keymap_action;

#define KEYMAP_FN(n) (0x400000 + (n))

/* The bound keys: 0 for an action that keeps its defaults. */
typedef struct keymap {
	int key[KEYMAP_ACTIONS];
} keymap;

/* The action named `name` ("deploy", "view-stack"), or -1. */
int keymap_action_find(const char *name);
const char *keymap_action_name(keymap_action a);
/* The names, comma-separated, for messages. */
const char *keymap_action_names(void);
/* The key code of `text`, or 0 when it is not in the grammar above. */
int keymap_key_parse(const char *text);
/* Writes the key's name ("F5", "Ctrl-R", "M") into out. */
void keymap_key_name(int key, char *out, size_t size);
/* The action's default keys (up to 2; 0 ends). */
const int *keymap_defaults(keymap_action a);
/* The action that `key` does under `km` (its binding, or a default of an action that is not
 * rebound), or -1. */
int keymap_lookup(const keymap *km, int key);
/* Whether two actions would share a key: a bound key that is also another action's key
 * (bound, or its default while it is not rebound). *a is the rebound action, *b the other
 * one. */
bool keymap_clash(const keymap *km, int *a, int *b);
/* Whether `key` is one the console keeps for itself (n N, Tab, Esc, Enter, Backspace,
 * Ctrl-C, Ctrl-L, Ctrl-Z): never bindable. */
bool keymap_reserved(int key);

#endif
