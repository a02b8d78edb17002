/* The console's named global actions and their keys (tui/keymap.h). */
#include "tui/keymap.h"

#include <stdio.h>
#include <string.h>

static const char *const names[KEYMAP_ACTIONS] = {
    [KEYMAP_HELP] = "help",
    [KEYMAP_CMD] = "cmd",
    [KEYMAP_SEARCH] = "search",
    [KEYMAP_UNDO] = "undo",
    [KEYMAP_REDO] = "redo",
    [KEYMAP_SAVE] = "save",
    [KEYMAP_DEPLOY] = "deploy",
    [KEYMAP_DESTROY] = "destroy",
    [KEYMAP_MESSAGES] = "messages",
    [KEYMAP_QUIT] = "quit",
    [KEYMAP_VIEW_PARAMS] = "view-params",
    [KEYMAP_VIEW_FINDINGS] = "view-findings",
    [KEYMAP_VIEW_PREVIEW] = "view-preview",
    [KEYMAP_VIEW_STACK] = "view-stack",
    [KEYMAP_VIEW_LOG] = "view-log",
};

static const int defaults[KEYMAP_ACTIONS][3] = {
    [KEYMAP_HELP] = {'?', KEYMAP_FN(1)},
    [KEYMAP_CMD] = {':'},
    [KEYMAP_SEARCH] = {'/'},
    [KEYMAP_UNDO] = {'u'},
    [KEYMAP_REDO] = {'r' & 0x1f},
    [KEYMAP_SAVE] = {'S'},
    [KEYMAP_DEPLOY] = {'D'},
    [KEYMAP_DESTROY] = {'X'},
    [KEYMAP_MESSAGES] = {'M'},
    [KEYMAP_QUIT] = {'q'},
    [KEYMAP_VIEW_PARAMS] = {'1'},
    [KEYMAP_VIEW_FINDINGS] = {'2'},
    [KEYMAP_VIEW_PREVIEW] = {'3'},
    [KEYMAP_VIEW_STACK] = {'4'},
    [KEYMAP_VIEW_LOG] = {'5'},
};

int keymap_action_find(const char *name)
{
	for (int a = 0; name && a < KEYMAP_ACTIONS; a++)
		if (strcmp(names[a], name) == 0)
			return a;
	return -1;
}

const char *keymap_action_name(keymap_action a)
{
	return a < KEYMAP_ACTIONS ? names[a] : "?";
}

const char *keymap_action_names(void)
{
	return "help, cmd, search, undo, redo, save, deploy, destroy, messages, quit, "
	       "view-params, view-findings, view-preview, view-stack, view-log";
}

int keymap_key_parse(const char *t)
{
	if (!t)
		return 0;
	size_t n = strlen(t);
	if (n == 1 && t[0] > ' ' && t[0] < 0x7f)
		return (unsigned char)t[0];
	if (n == 6 && strncmp(t, "Ctrl-", 5) == 0 &&
	    ((t[5] >= 'A' && t[5] <= 'Z') || (t[5] >= 'a' && t[5] <= 'z')))
		return t[5] & 0x1f;
	if ((n == 2 || n == 3) && t[0] == 'F' && t[1] >= '1' && t[1] <= '9') {
		int f = t[1] - '0';
		if (n == 3) {
			if (f != 1 || t[2] < '0' || t[2] > '2')
				return 0;
			f = 10 + (t[2] - '0');
		}
		return KEYMAP_FN(f);
	}
	return 0;
}

void keymap_key_name(int key, char *out, size_t size)
{
	if (key > KEYMAP_FN(0) && key <= KEYMAP_FN(12))
		snprintf(out, size, "F%d", key - KEYMAP_FN(0));
	else if (key > 0 && key < 0x20)
		snprintf(out, size, "Ctrl-%c", 'A' + key - 1);
	else
		snprintf(out, size, "%c", key > ' ' && key < 0x7f ? key : '?');
}

const int *keymap_defaults(keymap_action a)
{
	return defaults[a];
}

int keymap_lookup(const keymap *km, int key)
{
	for (int a = 0; key && a < KEYMAP_ACTIONS; a++) {
		if (km && km->key[a]) {
			if (km->key[a] == key)
				return a;
			continue;
		}
		for (const int *d = defaults[a]; *d; d++)
			if (*d == key)
				return a;
	}
	return -1;
}

bool keymap_clash(const keymap *km, int *a, int *b)
{
	for (int x = 0; x < KEYMAP_ACTIONS; x++) {
		if (!km->key[x])
			continue;
		for (int y = 0; y < KEYMAP_ACTIONS; y++) {
			if (y == x)
				continue;
			bool same = km->key[y] == km->key[x];
			for (const int *d = defaults[y]; !km->key[y] && *d; d++)
				same = same || *d == km->key[x];
			if (same) {
				*a = x;
				*b = y;
				return true;
			}
		}
	}
	return false;
}

bool keymap_reserved(int key)
{
	static const int kept[] = {'n',  'N',  '\t',       0x1b,       '\r',      '\n',
	                           0x08, 0x7f, 'c' & 0x1f, 'l' & 0x1f, 'z' & 0x1f};
	for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
		if (kept[i] == key)
			return true;
	return false;
}
