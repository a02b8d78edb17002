/* theme: the console's colors and attributes by role. Three themes: dark
 * (for dark terminal backgrounds, the default), light and mono (attributes
 * only: bold, reverse, underline). No color at all when NO_COLOR is set,
 * with --no-color, or when the terminal has none: mono then. Every status
 * the console shows also has a symbol or a word, so no theme carries
 * meaning by color alone. */
#ifndef LMSCTL_TUI_THEME_H
#define LMSCTL_TUI_THEME_H

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdbool.h>

typedef enum {
	TH_NORMAL,
	TH_DIM,
	TH_HEADER,
	TH_HEADER_PROD, /* the prod band */
	TH_BADGE,       /* READONLY, PROD */
	TH_TAB,
	TH_TAB_ACTIVE,
	TH_BORDER,
	TH_BORDER_FOCUS,
	TH_TITLE,
	TH_CURSOR,     /* the selected row where the focus is */
	TH_CURSOR_DIM, /* the selected row elsewhere */
	TH_LABEL,
	TH_VALUE,
	TH_CHANGED, /* an unsaved value */
	TH_ERROR,
	TH_WARNING,
	TH_INFO,
	TH_OK,
	TH_KEY, /* a key in the footer and help */
	TH_MSG_ERROR,
	TH_Y_KEY,
	TH_Y_PUNCT,
	TH_Y_STRING,
	TH_Y_NUMBER,
	TH_Y_TAG,
	TH_Y_COMMENT,
	TH_DIFF_ADD,
	TH_DIFF_DEL,
	TH_DIFF_HUNK,
	TH_MATCH,  /* a search match, the followed field's lines */
	TH_DANGER, /* stateful replacement or removal, failure */
	TH_DIALOG,
	TH_COUNT
} th_role;

typedef enum { THEME_DARK, THEME_LIGHT, THEME_MONO } theme_kind;

typedef struct theme {
	theme_kind kind;
	bool color; /* colors in use */
	attr_t attr[TH_COUNT];
} theme;

/* Sets up the theme's color pairs (curses must be started). `color_allowed`
 * false, or a terminal without colors, gives mono. */
void theme_init(theme *t, theme_kind kind, bool color_allowed);
const char *theme_name(theme_kind k);
/* "dark", "light", "mono"; false for anything else. */
bool theme_parse(const char *name, theme_kind *out);

static inline attr_t th(const theme *t, th_role r)
{
	return t->attr[r];
}

#endif
