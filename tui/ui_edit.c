/* The one-line editor: a formw form of one field, in a window of its own on
 * a panel above the screen (the console redraws everything else each time;
 * the form keeps its own window, cursor and horizontal scrolling). Used for
 * a value being edited, the `:` and `/` prompts and the text of dialogs.
 * formw gives editing, wide characters and scrolling; the console decides
 * which keys reach it (numbers only in a Number field, no controls). */
#include "tui/ui.h"

#include "tui/ui_text.h"

#include <stdlib.h>
#include <string.h>

bool ui_edit_is_open(const ui_edit *e)
{
	return e->form != NULL;
}

void ui_edit_close(ui_edit *e)
{
	if (e->form) {
		unpost_form(e->form);
		free_form(e->form);
	}
	if (e->fields[0])
		free_field(e->fields[0]);
	if (e->panel)
		del_panel(e->panel);
	if (e->win)
		delwin(e->win);
	memset(e, 0, sizeof(*e));
}

bool ui_edit_open(ui_edit *e, int y, int x, int w, const char *value, unsigned flags, attr_t attr)
{
	memset(e, 0, sizeof(*e));
	if (w < 2)
		w = 2;
	e->flags = flags;
	e->attr = attr;
	e->y = y;
	e->x = x;
	e->w = w;
	e->max_chars = UI_EDIT_MAX_CHARS;
	e->win = newwin(1, w, y, x);
	if (!e->win)
		goto fail;
	e->panel = new_panel(e->win);
	e->fields[0] = new_field(1, w, 0, 0, 0, 0);
	if (!e->panel || !e->fields[0])
		goto fail;
	/* a growing field that scrolls sideways, limited to a sane size */
	field_opts_off(e->fields[0], O_STATIC | O_AUTOSKIP | O_BLANK);
	if (flags & EDIT_MASKED)
		field_opts_off(e->fields[0], O_PUBLIC);
	set_max_field(e->fields[0], (int)UI_EDIT_MAX_CHARS);
	set_field_back(e->fields[0], attr);
	set_field_fore(e->fields[0], attr);
	set_field_pad(e->fields[0], ' ');
	if (value && *value)
		set_field_buffer(e->fields[0], 0, value);
	e->form = new_form(e->fields);
	if (!e->form)
		goto fail;
	set_form_win(e->form, e->win);
	set_form_sub(e->form, e->win);
	wbkgdset(e->win, ' ' | attr);
	werase(e->win);
	if (post_form(e->form) != E_OK)
		goto fail;
	form_driver_w(e->form, KEY_CODE_YES, REQ_END_LINE);
	return true;
fail:
	ui_edit_close(e);
	return false;
}

void ui_edit_limit(ui_edit *e, long max)
{
	e->max_chars = max >= 1 && max <= UI_EDIT_MAX_CHARS ? max : UI_EDIT_MAX_CHARS;
}

/* Characters in the field now (formw pads its buffer with blanks: trailing ones do not
 * count, as ui_edit_value leaves them out). */
static long field_chars(ui_edit *e)
{
	form_driver_w(e->form, KEY_CODE_YES, REQ_VALIDATION);
	const char *b = field_buffer(e->fields[0], 0);
	size_t n = b ? strlen(b) : 0;
	while (n > 0 && b[n - 1] == ' ')
		n--;
	long chars = 0;
	for (size_t i = 0; i < n; i++)
		chars += ((unsigned char)b[i] & 0xC0) != 0x80; /* UTF-8 lead bytes */
	return chars;
}

/* Whether a Number field takes this character: digits, a sign, a point, an
 * exponent, and commas in a list. */
static bool numeric_char(unsigned flags, int k)
{
	if (k >= '0' && k <= '9')
		return true;
	if (k == '-' || k == '+' || k == '.' || k == 'e' || k == 'E')
		return true;
	return (flags & EDIT_LIST) && k == ',';
}

int ui_edit_key(ui_edit *e, int key)
{
	if (!e->form)
		return EDIT_IGNORED;
	int req = 0;
	switch (key) {
	case K_ESC:
		return EDIT_CANCEL;
	case K_ENTER_CR:
	case K_ENTER_LF:
	case K_FN(KEY_ENTER):
		return EDIT_ACCEPT;
	case K_TAB:
		return EDIT_TAB;
	case K_FN(KEY_LEFT):
	case K_CTRL('b'):
		req = REQ_PREV_CHAR;
		break;
	case K_FN(KEY_RIGHT):
	case K_CTRL('f'):
		req = REQ_NEXT_CHAR;
		break;
	case K_FN(KEY_HOME):
	case K_CTRL('a'):
		req = REQ_BEG_LINE;
		break;
	case K_FN(KEY_END):
	case K_CTRL('e'):
		req = REQ_END_LINE;
		break;
	case K_FN(KEY_BACKSPACE):
	case K_BACKSPACE:
	case K_CTRL('h'):
		req = REQ_DEL_PREV;
		break;
	case K_FN(KEY_DC):
	case K_CTRL('d'):
		req = REQ_DEL_CHAR;
		break;
	case K_CTRL('u'):
		req = REQ_CLR_FIELD;
		break;
	case K_CTRL('k'):
		req = REQ_CLR_EOL;
		break;
	case K_CTRL('w'):
		req = REQ_DEL_WORD;
		break;
	default:
		break;
	}
	if (req) {
		int before = form_driver_w(e->form, KEY_CODE_YES, req);
		form_driver_w(e->form, KEY_CODE_YES, REQ_VALIDATION);
		bool changes = req == REQ_DEL_PREV || req == REQ_DEL_CHAR || req == REQ_CLR_FIELD ||
		               req == REQ_CLR_EOL || req == REQ_DEL_WORD;
		if (before != E_OK && before != E_REQUEST_DENIED)
			return EDIT_IGNORED;
		return changes ? EDIT_CHANGED : EDIT_MOVED;
	}
	if (!key_is_text(key))
		return EDIT_IGNORED;
	if ((e->flags & EDIT_NUMERIC) && !numeric_char(e->flags, key))
		return EDIT_REJECTED;
	if (field_chars(e) >= e->max_chars)
		return EDIT_FULL;
	if (form_driver_w(e->form, OK, (wchar_t)key) != E_OK)
		return EDIT_REJECTED;
	form_driver_w(e->form, KEY_CODE_YES, REQ_VALIDATION);
	return EDIT_CHANGED;
}

char *ui_edit_value(ui_edit *e)
{
	if (!e->form)
		return strdup("");
	form_driver_w(e->form, KEY_CODE_YES, REQ_VALIDATION);
	const char *b = field_buffer(e->fields[0], 0);
	if (!b)
		return strdup("");
	size_t n = strlen(b);
	while (n > 0 && b[n - 1] == ' ')
		n--;
	char *v = malloc(n + 1);
	if (v) {
		memcpy(v, b, n);
		v[n] = '\0';
	}
	return v;
}

bool ui_edit_set(ui_edit *e, const char *value)
{
	if (!e->form)
		return false;
	bool ok = set_field_buffer(e->fields[0], 0, value ? value : "") == E_OK;
	form_driver_w(e->form, KEY_CODE_YES, REQ_END_LINE);
	/* formw ends a line at its last non-blank: step over trailing spaces
	 * ("env " completed: the cursor after the space) */
	for (size_t n = value ? strlen(value) : 0; n > 0 && value[n - 1] == ' '; n--)
		form_driver_w(e->form, KEY_CODE_YES, REQ_NEXT_CHAR);
	return ok;
}

bool ui_edit_move(ui_edit *e, int y, int x, int w)
{
	if (!e->form)
		return false;
	char *v = ui_edit_value(e);
	unsigned flags = e->flags;
	attr_t attr = e->attr;
	long max = e->max_chars;
	ui_edit_close(e);
	bool ok = v && ui_edit_open(e, y, x, w, v, flags, attr);
	ui_edit_limit(e, max);
	free(v);
	return ok;
}

void ui_edit_cursor(ui_edit *e)
{
	if (!e->form)
		return;
	pos_form_cursor(e->form);
	if (e->flags & EDIT_MASKED) {
		/* formw shows a field without O_PUBLIC as blanks: one '*' a character
		 * typed tells the operator the keys arrived, never what they were */
		char *v = ui_edit_value(e);
		int n = 0;
		for (const char *p = v ? v : ""; *p; p++)
			n += ((unsigned char)*p & 0xC0) != 0x80; /* UTF-8 lead bytes */
		free(v);
		int shown = n < e->w - 1 ? n : e->w - 1;
		wattrset(e->win, e->attr);
		mvwhline(e->win, 0, 0, ' ', e->w);
		mvwhline(e->win, 0, 0, '*', shown);
		wmove(e->win, 0, shown);
	}
	wnoutrefresh(e->win);
}
