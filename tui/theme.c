#include "tui/theme.h"

#include <string.h>

typedef struct role_style {
	short fg, bg; /* -1: the terminal's default */
	attr_t attr;
} role_style;

/* The mono theme: what every role looks like without color. Color themes
 * add their colors on top of these attributes. */
static const attr_t mono[TH_COUNT] = {
    [TH_NORMAL] = A_NORMAL,
    [TH_DIM] = A_DIM,
    [TH_HEADER] = A_REVERSE,
    [TH_HEADER_PROD] = A_REVERSE | A_BOLD,
    [TH_BADGE] = A_BOLD,
    [TH_TAB] = A_NORMAL,
    [TH_TAB_ACTIVE] = A_REVERSE | A_BOLD,
    [TH_BORDER] = A_NORMAL,
    [TH_BORDER_FOCUS] = A_BOLD,
    [TH_TITLE] = A_BOLD,
    [TH_CURSOR] = A_REVERSE,
    [TH_CURSOR_DIM] = A_UNDERLINE,
    [TH_LABEL] = A_NORMAL,
    [TH_VALUE] = A_BOLD,
    [TH_CHANGED] = A_BOLD | A_UNDERLINE,
    [TH_ERROR] = A_BOLD,
    [TH_WARNING] = A_BOLD,
    [TH_INFO] = A_NORMAL,
    [TH_OK] = A_NORMAL,
    [TH_KEY] = A_BOLD,
    [TH_MSG_ERROR] = A_BOLD,
    [TH_Y_KEY] = A_BOLD,
    [TH_Y_PUNCT] = A_NORMAL,
    [TH_Y_STRING] = A_NORMAL,
    [TH_Y_NUMBER] = A_NORMAL,
    [TH_Y_TAG] = A_UNDERLINE,
    [TH_Y_COMMENT] = A_DIM,
    [TH_DIFF_ADD] = A_BOLD,
    [TH_DIFF_DEL] = A_DIM,
    [TH_DIFF_HUNK] = A_UNDERLINE,
    [TH_MATCH] = A_REVERSE,
    [TH_DANGER] = A_BOLD | A_REVERSE,
    [TH_DIALOG] = A_NORMAL,
};

static const role_style dark[TH_COUNT] = {
    [TH_NORMAL] = {-1, -1, A_NORMAL},
    [TH_DIM] = {-1, -1, A_DIM},
    [TH_HEADER] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL},
    [TH_HEADER_PROD] = {COLOR_WHITE, COLOR_RED, A_BOLD},
    [TH_BADGE] = {COLOR_BLACK, COLOR_YELLOW, A_BOLD},
    [TH_TAB] = {-1, -1, A_NORMAL},
    [TH_TAB_ACTIVE] = {COLOR_BLACK, COLOR_WHITE, A_BOLD},
    [TH_BORDER] = {COLOR_BLUE, -1, A_NORMAL},
    [TH_BORDER_FOCUS] = {COLOR_CYAN, -1, A_BOLD},
    [TH_TITLE] = {COLOR_CYAN, -1, A_BOLD},
    [TH_CURSOR] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL},
    [TH_CURSOR_DIM] = {-1, -1, A_REVERSE},
    [TH_LABEL] = {-1, -1, A_NORMAL},
    [TH_VALUE] = {COLOR_WHITE, -1, A_BOLD},
    [TH_CHANGED] = {COLOR_YELLOW, -1, A_BOLD},
    [TH_ERROR] = {COLOR_RED, -1, A_BOLD},
    [TH_WARNING] = {COLOR_YELLOW, -1, A_BOLD},
    [TH_INFO] = {COLOR_CYAN, -1, A_NORMAL},
    [TH_OK] = {COLOR_GREEN, -1, A_NORMAL},
    [TH_KEY] = {COLOR_CYAN, -1, A_BOLD},
    [TH_MSG_ERROR] = {COLOR_RED, -1, A_BOLD},
    [TH_Y_KEY] = {COLOR_CYAN, -1, A_NORMAL},
    [TH_Y_PUNCT] = {-1, -1, A_DIM},
    [TH_Y_STRING] = {COLOR_GREEN, -1, A_NORMAL},
    [TH_Y_NUMBER] = {COLOR_MAGENTA, -1, A_NORMAL},
    [TH_Y_TAG] = {COLOR_YELLOW, -1, A_NORMAL},
    [TH_Y_COMMENT] = {COLOR_BLUE, -1, A_BOLD},
    [TH_DIFF_ADD] = {COLOR_GREEN, -1, A_NORMAL},
    [TH_DIFF_DEL] = {COLOR_RED, -1, A_NORMAL},
    [TH_DIFF_HUNK] = {COLOR_CYAN, -1, A_NORMAL},
    [TH_MATCH] = {COLOR_BLACK, COLOR_YELLOW, A_NORMAL},
    [TH_DANGER] = {COLOR_WHITE, COLOR_RED, A_BOLD},
    [TH_DIALOG] = {-1, -1, A_NORMAL},
};

/* For light backgrounds: no white or yellow text, darker accents. */
static const role_style light[TH_COUNT] = {
    [TH_NORMAL] = {-1, -1, A_NORMAL},
    [TH_DIM] = {-1, -1, A_DIM},
    [TH_HEADER] = {COLOR_WHITE, COLOR_BLUE, A_NORMAL},
    [TH_HEADER_PROD] = {COLOR_WHITE, COLOR_RED, A_BOLD},
    [TH_BADGE] = {COLOR_WHITE, COLOR_MAGENTA, A_BOLD},
    [TH_TAB] = {-1, -1, A_NORMAL},
    [TH_TAB_ACTIVE] = {COLOR_WHITE, COLOR_BLUE, A_BOLD},
    [TH_BORDER] = {COLOR_BLUE, -1, A_NORMAL},
    [TH_BORDER_FOCUS] = {COLOR_BLUE, -1, A_BOLD},
    [TH_TITLE] = {COLOR_BLUE, -1, A_BOLD},
    [TH_CURSOR] = {COLOR_WHITE, COLOR_BLUE, A_NORMAL},
    [TH_CURSOR_DIM] = {-1, -1, A_REVERSE},
    [TH_LABEL] = {-1, -1, A_NORMAL},
    [TH_VALUE] = {COLOR_BLACK, -1, A_BOLD},
    [TH_CHANGED] = {COLOR_MAGENTA, -1, A_BOLD},
    [TH_ERROR] = {COLOR_RED, -1, A_BOLD},
    [TH_WARNING] = {COLOR_MAGENTA, -1, A_BOLD},
    [TH_INFO] = {COLOR_BLUE, -1, A_NORMAL},
    [TH_OK] = {COLOR_GREEN, -1, A_BOLD},
    [TH_KEY] = {COLOR_BLUE, -1, A_BOLD},
    [TH_MSG_ERROR] = {COLOR_RED, -1, A_BOLD},
    [TH_Y_KEY] = {COLOR_BLUE, -1, A_NORMAL},
    [TH_Y_PUNCT] = {-1, -1, A_NORMAL},
    [TH_Y_STRING] = {COLOR_GREEN, -1, A_NORMAL},
    [TH_Y_NUMBER] = {COLOR_MAGENTA, -1, A_NORMAL},
    [TH_Y_TAG] = {COLOR_RED, -1, A_NORMAL},
    [TH_Y_COMMENT] = {COLOR_CYAN, -1, A_NORMAL},
    [TH_DIFF_ADD] = {COLOR_GREEN, -1, A_BOLD},
    [TH_DIFF_DEL] = {COLOR_RED, -1, A_BOLD},
    [TH_DIFF_HUNK] = {COLOR_BLUE, -1, A_NORMAL},
    [TH_MATCH] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL},
    [TH_DANGER] = {COLOR_WHITE, COLOR_RED, A_BOLD},
    [TH_DIALOG] = {-1, -1, A_NORMAL},
};

void theme_init(theme *t, theme_kind kind, bool color_allowed)
{
	memset(t, 0, sizeof(*t));
	bool color = color_allowed && kind != THEME_MONO && has_colors() && start_color() == OK;
	t->kind = color ? kind : THEME_MONO;
	t->color = color;
	if (!color) {
		memcpy(t->attr, mono, sizeof(mono));
		return;
	}
	use_default_colors();
	const role_style *s = kind == THEME_LIGHT ? light : dark;
	for (int r = 0; r < TH_COUNT; r++) {
		short pair = (short)(r + 1);
		if (pair < COLOR_PAIRS && init_pair(pair, s[r].fg, s[r].bg) == OK)
			t->attr[r] = COLOR_PAIR(pair) | s[r].attr;
		else
			t->attr[r] = mono[r];
	}
}

const char *theme_name(theme_kind k)
{
	return k == THEME_LIGHT ? "light" : k == THEME_MONO ? "mono" : "dark";
}

bool theme_parse(const char *name, theme_kind *out)
{
	if (strcmp(name, "dark") == 0)
		*out = THEME_DARK;
	else if (strcmp(name, "light") == 0)
		*out = THEME_LIGHT;
	else if (strcmp(name, "mono") == 0)
		*out = THEME_MONO;
	else
		return false;
	return true;
}
