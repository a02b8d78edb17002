/* Drawing helpers: every string reaches the screen through ui_put(), which
 * takes any bytes (values from files, AWS messages, pastes), shows controls
 * and invalid UTF-8 as '?', and never writes past the columns it is given,
 * wide characters included. */
#include "tui/ui.h"

#include "tui/ui_text.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

bool key_is_enter(int k)
{
	return k == K_ENTER_CR || k == K_ENTER_LF || k == K_FN(KEY_ENTER);
}

bool key_is_up(int k)
{
	return k == 'k' || k == K_FN(KEY_UP);
}

bool key_is_down(int k)
{
	return k == 'j' || k == K_FN(KEY_DOWN);
}

bool key_is_text(int k)
{
	return k >= 0x20 && k < 0x110000 && k != 0x7f && !(k >= 0x80 && k < 0xa0) &&
	       !(k >= 0xd800 && k <= 0xdfff) && k != (int)UI_REPLACEMENT;
}

void ui_syms_init(ui_syms *s, bool utf8)
{
	if (utf8)
		*s = (ui_syms){.error = "✖",
		               .warning = "▲",
		               .info = "•",
		               .ok = "✔",
		               .unsaved = "●",
		               .hidden = "◌",
		               .stateful = "◆",
		               .cursor = "▶",
		               .fold_closed = "▸",
		               .fold_open = "▾",
		               .ellipsis = "…",
		               .arrow = "→",
		               .replace = "±",
		               .add = "+",
		               .remove = "−",
		               .modify = "~",
		               .progress = "█",
		               .sep = "│",
		               .cut_left = "«",
		               .cut_right = "»"};
	else
		*s = (ui_syms){.error = "X",
		               .warning = "!",
		               .info = "i",
		               .ok = "+",
		               .unsaved = "*",
		               .hidden = "~",
		               .stateful = "#",
		               .cursor = ">",
		               .fold_closed = "+",
		               .fold_open = "-",
		               .ellipsis = "~",
		               .arrow = "->",
		               .replace = "R",
		               .add = "+",
		               .remove = "-",
		               .modify = "~",
		               .progress = "#",
		               .sep = "|",
		               .cut_left = "<",
		               .cut_right = ">"};
}

const char *ui_sev_sym(const console *c, severity sev)
{
	return sev == SEV_ERROR ? c->sym.error : sev == SEV_WARNING ? c->sym.warning : c->sym.info;
}

attr_t ui_sev_attr(const console *c, severity sev)
{
	return th(&c->th, sev == SEV_ERROR ? TH_ERROR : sev == SEV_WARNING ? TH_WARNING : TH_INFO);
}

size_t ui_width(console *c, const char *s)
{
	return ui_text_width(s, strlen(s), c->utf8);
}

int ui_put(console *c, WINDOW *w, int y, int x, const char *s, size_t len, int cols, attr_t a)
{
	if (cols <= 0 || !s)
		return 0;
	int maxy, maxx;
	getmaxyx(w, maxy, maxx);
	if (y < 0 || y >= maxy || x < 0 || x >= maxx)
		return 0;
	if (x + cols > maxx)
		cols = maxx - x;
	/* a stack buffer for short strings, the heap for long ones */
	wchar_t small[256];
	size_t need = len + 1 < (size_t)cols + 1 ? len + 1 : (size_t)cols + 1;
	wchar_t *wb = need <= 256 ? small : malloc(need * sizeof(wchar_t));
	if (!wb)
		return 0;
	size_t nw = 0, used = 0;
	for (size_t i = 0; i < len && nw + 1 < need;) {
		uint32_t cp;
		i += ui_utf8_decode(s + i, len - i, &cp);
		cp = ui_printable(cp, c->utf8);
		size_t cw = (size_t)ui_cp_width(cp, c->utf8);
		if (used + cw > (size_t)cols)
			break;
		if (cw == 0 && nw == 0)
			continue; /* a combining mark with nothing to combine with */
		wb[nw++] = (wchar_t)cp;
		used += cw;
	}
	wb[nw] = L'\0';
	wattr_set(w, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
	mvwaddnwstr(w, y, x, wb, (int)nw);
	wattr_set(w, A_NORMAL, 0, NULL);
	if (wb != small)
		free(wb);
	return (int)used;
}

int ui_puts(console *c, WINDOW *w, int y, int x, const char *s, int cols, attr_t a)
{
	return ui_put(c, w, y, x, s, s ? strlen(s) : 0, cols, a);
}

int ui_put_cut(console *c, WINDOW *w, int y, int x, const char *s, int cols, attr_t a)
{
	if (!s || cols <= 0)
		return 0;
	size_t len = strlen(s);
	size_t width = ui_text_width(s, len, c->utf8);
	if ((int)width <= cols)
		return ui_put(c, w, y, x, s, len, cols, a);
	size_t ew = ui_width(c, c->sym.ellipsis);
	if ((size_t)cols <= ew)
		return ui_put(c, w, y, x, s, len, cols, a);
	size_t used;
	size_t fit = ui_text_fit(s, len, (size_t)cols - ew, c->utf8, &used);
	ui_put(c, w, y, x, s, fit, (int)used, a);
	ui_puts(c, w, y, x + (int)used, c->sym.ellipsis, (int)ew, a);
	return (int)(used + ew);
}

void ui_fill(WINDOW *w, int y, int x, int cols, attr_t a)
{
	int maxy, maxx;
	getmaxyx(w, maxy, maxx);
	if (y < 0 || y >= maxy || x >= maxx)
		return;
	if (x + cols > maxx)
		cols = maxx - x;
	wattr_set(w, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
	for (int i = 0; i < cols; i++)
		mvwaddch(w, y, x + i, ' ');
	wattr_set(w, A_NORMAL, 0, NULL);
}

void ui_hline(console *c, WINDOW *w, int y, int x, int n, attr_t a)
{
	if (n <= 0)
		return;
	wattr_set(w, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
	if (c->utf8)
		mvwhline_set(w, y, x, WACS_HLINE, n);
	else
		mvwhline(w, y, x, '-', n);
	wattr_set(w, A_NORMAL, 0, NULL);
}

void ui_vline(console *c, WINDOW *w, int y, int x, int n, attr_t a)
{
	if (n <= 0)
		return;
	wattr_set(w, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
	if (c->utf8)
		mvwvline_set(w, y, x, WACS_VLINE, n);
	else
		mvwvline(w, y, x, '|', n);
	wattr_set(w, A_NORMAL, 0, NULL);
}

static void corner(console *c, WINDOW *w, int y, int x, const cchar_t *wide, char ascii)
{
	if (c->utf8)
		mvwadd_wch(w, y, x, wide);
	else
		mvwaddch(w, y, x, (chtype)ascii);
}

void ui_box(console *c, WINDOW *w, int y, int x, int h, int wd, const char *title, bool focus)
{
	if (h < 2 || wd < 2)
		return;
	attr_t a = th(&c->th, focus ? TH_BORDER_FOCUS : TH_BORDER);
	ui_hline(c, w, y, x + 1, wd - 2, a);
	ui_hline(c, w, y + h - 1, x + 1, wd - 2, a);
	ui_vline(c, w, y + 1, x, h - 2, a);
	ui_vline(c, w, y + 1, x + wd - 1, h - 2, a);
	wattr_set(w, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
	corner(c, w, y, x, WACS_ULCORNER, '+');
	corner(c, w, y, x + wd - 1, WACS_URCORNER, '+');
	corner(c, w, y + h - 1, x, WACS_LLCORNER, '+');
	corner(c, w, y + h - 1, x + wd - 1, WACS_LRCORNER, '+');
	wattr_set(w, A_NORMAL, 0, NULL);
	if (title && *title && wd > 6) {
		int used = ui_put_cut(c, w, y, x + 2, " ", 1, a);
		used += ui_put_cut(c, w, y, x + 3, title, wd - 6,
		                   th(&c->th, focus ? TH_TITLE : TH_BORDER) | (focus ? A_BOLD : 0));
		ui_puts(c, w, y, x + 2 + used, " ", 1, a);
	}
}

int ui_wrap_put(console *c, WINDOW *w, int y, int x, const char *s, int cols, int maxlines,
                attr_t a)
{
	if (!s || maxlines <= 0 || cols <= 0)
		return 0;
	size_t len = strlen(s);
	ui_line lines[64];
	size_t n = ui_wrap(s, len, (size_t)cols, c->utf8, lines, 64);
	size_t shown = n < (size_t)maxlines ? n : (size_t)maxlines;
	if (shown > 64)
		shown = 64;
	for (size_t i = 0; i < shown; i++) {
		ui_line l = lines[i];
		if (i + 1 == shown && n > shown) {
			/* the last line that fits ends with an ellipsis */
			size_t used;
			size_t fit = ui_text_fit(s + l.from, l.to - l.from, (size_t)cols - 1,
			                         c->utf8, &used);
			ui_put(c, w, y + (int)i, x, s + l.from, fit, (int)used, a);
			ui_puts(c, w, y + (int)i, x + (int)used, c->sym.ellipsis, 1, a);
			continue;
		}
		ui_put(c, w, y + (int)i, x, s + l.from, l.to - l.from, cols, a);
	}
	return (int)shown;
}
