/* Dialogs: confirmations, typed confirmations, inputs, pick lists and the
 * help text, each a window on a panel (panelw) above the screen, so that the
 * screen below is redrawn as usual and the panel library composes them. A
 * pick list is a menuw menu. Dialogs are not modal loops: the console's loop
 * keeps running (resize, stack events, signals) and sends keys to the top
 * dialog. */
#include "tui/ui.h"

#include "common/vec.h"
#include "tui/ui_text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

dialog *dlg_new(dlg_kind kind, const char *title, dlg_done_fn done)
{
	dialog *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->kind = kind;
	d->title = strdup(title ? title : "");
	buf_init(&d->body, (size_t)1024 * 1024);
	d->done = done;
	if (!d->title) {
		free(d);
		return NULL;
	}
	return d;
}

void dlg_addf(dialog *d, const char *fmt, ...)
{
	if (!d)
		return;
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&d->body, fmt, ap);
	va_end(ap);
}

void dlg_choice_add(dialog *d, int key, const char *label)
{
	if (d && d->nchoices < sizeof(d->choices) / sizeof(d->choices[0]))
		d->choices[d->nchoices++] = (dlg_choice){key, label};
}

bool dlg_pick_add(dialog *d, const char *name, const char *desc)
{
	if (!VEC_RESIZE(d->item_names, d->nitems + 1) || !VEC_RESIZE(d->item_descs, d->nitems + 1))
		return false;
	d->item_names[d->nitems] = strdup(*name ? name : "''");
	d->item_descs[d->nitems] = strdup(desc ? desc : "");
	if (!d->item_names[d->nitems] || !d->item_descs[d->nitems]) {
		free(d->item_names[d->nitems]);
		free(d->item_descs[d->nitems]);
		return false;
	}
	d->nitems++;
	return true;
}

static void menu_drop(dialog *d)
{
	if (d->menu) {
		unpost_menu(d->menu);
		WINDOW *sub = menu_sub(d->menu);
		free_menu(d->menu);
		if (sub && sub != d->win)
			delwin(sub);
		d->menu = NULL;
	}
	if (d->items) {
		for (size_t i = 0; i < d->nitems; i++)
			if (d->items[i])
				free_item(d->items[i]);
		free(d->items);
		d->items = NULL;
	}
}

void dlg_free(dialog *d)
{
	if (!d)
		return;
	ui_edit_close(&d->edit);
	menu_drop(d);
	for (size_t i = 0; i < d->nitems; i++) {
		free(d->item_names[i]);
		free(d->item_descs[i]);
	}
	free(d->item_names);
	free(d->item_descs);
	if (d->panel)
		del_panel(d->panel);
	if (d->win)
		delwin(d->win);
	buf_free(&d->body);
	free(d->title);
	free(d->expect);
	free(d->initial);
	free(d->error);
	free(d->ctx_str);
	free(d);
}

dialog *dlg_top(console *c)
{
	return c->ndlg ? c->dlg[c->ndlg - 1] : NULL;
}

void dlg_pop(console *c)
{
	if (!c->ndlg)
		return;
	dlg_free(c->dlg[--c->ndlg]);
	if (c->ndlg)
		dlg_layout(c, c->dlg[c->ndlg - 1]); /* its panel back on top */
}

static int body_lines(console *c, dialog *d, int width)
{
	const char *s = buf_cstr(&d->body);
	return (int)ui_wrap(s, strlen(s), (size_t)width, c->utf8, NULL, 0);
}

static void choice_key(const dlg_choice *ch, char *out, size_t len)
{
	if (ch->key == K_ESC)
		snprintf(out, len, "Esc");
	else
		snprintf(out, len, "%c", ch->key);
}

/* Lays out the choices over lines of `inner` columns; draws them when `w`
 * is set. Returns the lines used. */
static int choices_flow(console *c, dialog *d, WINDOW *w, int y, int inner)
{
	int lines = 1, x = 0;
	for (size_t i = 0; i < d->nchoices; i++) {
		char k[16];
		choice_key(&d->choices[i], k, sizeof(k));
		int need = (int)strlen(k) + 1 + (int)ui_width(c, d->choices[i].label);
		if (x > 0 && x + need > inner) {
			lines++;
			x = 0;
		}
		if (w) {
			int yy = y + lines - 1;
			ui_puts(c, w, yy, 2 + x, k, inner - x, th(&c->th, TH_KEY));
			ui_put_cut(c, w, yy, 2 + x + (int)strlen(k) + 1, d->choices[i].label,
			           inner - x - (int)strlen(k) - 1, th(&c->th, TH_DIALOG));
		}
		x += need + 3;
	}
	return lines;
}

static bool has_field(const dialog *d)
{
	return d->kind == DLG_TYPED || d->kind == DLG_INPUT;
}

/* Places the dialog for the current screen size; the field and the menu
 * are made again (their text and choice kept). */
void dlg_layout(console *c, dialog *d)
{
	int maxw = c->cols - 4 > 20 ? c->cols - 4 : c->cols;
	int w = d->kind == DLG_TEXT ? maxw : (maxw < 72 ? maxw : 72);
	int inner = w - 4;
	int lines = body_lines(c, d, inner);
	int nchoice_lines = d->kind == DLG_CHOICE ? choices_flow(c, d, NULL, 0, inner) : 1;
	d->choice_lines = nchoice_lines;
	int extra = 2 /* border */ + 1 /* space after body */ + nchoice_lines;
	if (has_field(d))
		extra += 2; /* field and its error line */
	int menu_rows = 0;
	if (d->kind == DLG_PICK) {
		menu_rows = (int)d->nitems;
		extra += menu_rows + 1;
	}
	int maxh = c->rows - 2 > 6 ? c->rows - 2 : c->rows;
	int h = d->kind == DLG_TEXT ? maxh : lines + extra;
	if (h > maxh) {
		if (d->kind == DLG_PICK) {
			menu_rows -= h - maxh;
			if (menu_rows < 3)
				menu_rows = 3;
		}
		h = maxh;
	}
	d->h = h;
	d->w = w;
	int y = (c->rows - h) / 2, x = (c->cols - w) / 2;
	char *field_text =
	    has_field(d) && ui_edit_is_open(&d->edit) ? ui_edit_value(&d->edit) : NULL;
	int current = d->menu && current_item(d->menu) ? item_index(current_item(d->menu)) : -1;
	ui_edit_close(&d->edit);
	menu_drop(d);
	if (d->panel)
		del_panel(d->panel);
	if (d->win)
		delwin(d->win);
	d->win = newwin(h, w, y, x);
	d->panel = d->win ? new_panel(d->win) : NULL;
	if (!d->win || !d->panel)
		return;
	if (d->kind == DLG_PICK && d->nitems) {
		d->items = calloc(d->nitems + 1, sizeof(ITEM *));
		for (size_t i = 0; d->items && i < d->nitems; i++)
			d->items[i] = new_item(d->item_names[i], d->item_descs[i]);
		d->menu = d->items ? new_menu(d->items) : NULL;
		if (d->menu) {
			int top = 1 + (lines > h - 4 ? h - 4 : lines) + 1;
			if (top + menu_rows > h - 2)
				menu_rows = h - 2 - top;
			if (menu_rows < 1)
				menu_rows = 1;
			set_menu_win(d->menu, d->win);
			set_menu_sub(d->menu, derwin(d->win, menu_rows, w - 4, top, 2));
			set_menu_format(d->menu, menu_rows, 1);
			set_menu_mark(d->menu, "> "); /* menuw counts the mark in bytes */
			set_menu_fore(d->menu, th(&c->th, TH_CURSOR));
			set_menu_back(d->menu, th(&c->th, TH_DIALOG));
			set_menu_grey(d->menu, th(&c->th, TH_DIM));
			menu_opts_on(d->menu, O_SHOWDESC);
			menu_opts_off(d->menu, O_NONCYCLIC);
			if (current >= 0 && (size_t)current < d->nitems)
				set_current_item(d->menu, d->items[current]);
			else if (d->initial) {
				for (size_t i = 0; i < d->nitems; i++)
					if (strcmp(d->item_names[i], d->initial) == 0)
						set_current_item(d->menu, d->items[i]);
			}
		}
	}
	if (has_field(d)) {
		int fy = y + 1 + (lines > h - 6 ? h - 6 : lines) + 1;
		ui_edit_open(&d->edit, fy, x + 4, w - 6,
		             field_text ? field_text : (d->initial ? d->initial : ""), 0,
		             th(&c->th, TH_CURSOR_DIM));
	}
	free(field_text);
}

void dlg_push(console *c, dialog *d)
{
	if (!d)
		return;
	if (c->ndlg == sizeof(c->dlg) / sizeof(c->dlg[0])) {
		dlg_free(d);
		return;
	}
	/* keys typed before the question appeared must not answer it */
	flushinp();
	c->dlg[c->ndlg++] = d;
	dlg_layout(c, d);
}

void dlg_draw(console *c, dialog *d)
{
	WINDOW *w = d->win;
	if (!w)
		return;
	attr_t base = th(&c->th, TH_DIALOG);
	wbkgdset(w, ' ' | (base & ~A_COLOR));
	werase(w);
	for (int y = 0; y < d->h; y++)
		ui_fill(w, y, 0, d->w, base);
	ui_box(c, w, 0, 0, d->h, d->w, d->title, true);
	if (d->danger) {
		/* a destructive question: a red frame, and the word in the title */
		attr_t a = th(&c->th, TH_DANGER);
		ui_hline(c, w, 0, 1, d->w - 2, a);
		ui_hline(c, w, d->h - 1, 1, d->w - 2, a);
		buf t;
		buf_init(&t, 0);
		buf_addf(&t, " %s ", d->title);
		ui_put_cut(c, w, 0, 2, buf_cstr(&t), d->w - 4, a);
		buf_free(&t);
	}
	int inner = d->w - 4;
	const char *s = buf_cstr(&d->body);
	int avail = d->h - 2 - d->choice_lines - 1;
	if (has_field(d))
		avail -= 2;
	if (d->kind == DLG_PICK && d->menu) {
		int rows, cols;
		menu_format(d->menu, &rows, &cols);
		avail -= rows + 1;
	}
	if (d->kind == DLG_TEXT) {
		/* scrolled text; lines starting with "# " are headings */
		size_t len = strlen(s);
		size_t total = ui_wrap(s, len, (size_t)inner, c->utf8, NULL, 0);
		ui_line *lines = calloc(total + 1, sizeof(ui_line));
		if (lines) {
			ui_wrap(s, len, (size_t)inner, c->utf8, lines, total);
			int rows = d->h - 3;
			if (d->scroll > (int)total - rows)
				d->scroll = (int)total - rows;
			if (d->scroll < 0)
				d->scroll = 0;
			for (int i = 0; i < rows && (size_t)d->scroll + (size_t)i < total; i++) {
				ui_line l = lines[(size_t)d->scroll + (size_t)i];
				bool heading =
				    l.to - l.from > 2 && s[l.from] == '#' && s[l.from + 1] == ' ';
				if (heading)
					ui_put(c, w, 1 + i, 2, s + l.from + 2, l.to - l.from - 2,
					       inner, th(&c->th, TH_TITLE));
				else
					ui_put(c, w, 1 + i, 2, s + l.from, l.to - l.from, inner,
					       base);
			}
			char pos[64];
			snprintf(pos, sizeof(pos), " %d/%zu ",
			         d->scroll + rows < (int)total ? d->scroll + rows : (int)total,
			         total);
			ui_puts(c, w, d->h - 1, d->w - 2 - (int)strlen(pos), pos, (int)strlen(pos),
			        th(&c->th, TH_BORDER_FOCUS));
			free(lines);
		}
	} else {
		int used = ui_wrap_put(c, w, 1, 2, s, inner, avail > 0 ? avail : 1, base);
		(void)used;
	}
	/* the choices, or the keys of the dialog, on the last inner line */
	int y = d->h - 2;
	int x = 2;
	attr_t key = th(&c->th, TH_KEY);
	if (has_field(d))
		ui_puts(c, w, d->edit.y - (d->h ? getbegy(w) : 0), 2, ">", 1, th(&c->th, TH_KEY));
	if (has_field(d) && d->error)
		ui_put_cut(c, w, y - 1, 2, d->error, inner, th(&c->th, TH_MSG_ERROR));
	switch (d->kind) {
	case DLG_CHOICE:
		choices_flow(c, d, w, d->h - 1 - d->choice_lines, inner);
		break;
	case DLG_TYPED:
	case DLG_INPUT:
		x += ui_puts(c, w, y, x, "Enter", 5, key);
		x += ui_puts(c, w, y, x, d->kind == DLG_TYPED ? " confirm   " : " accept   ",
		             d->w - x - 2, base);
		x += ui_puts(c, w, y, x, "Esc", 3, key);
		ui_puts(c, w, y, x, " cancel", d->w - x - 2, base);
		break;
	case DLG_PICK:
		x += ui_puts(c, w, y, x, "Enter", 5, key);
		x += ui_puts(c, w, y, x, " choose   ", d->w - x - 2, base);
		x += ui_puts(c, w, y, x, "Esc", 3, key);
		ui_puts(c, w, y, x, " cancel", d->w - x - 2, base);
		break;
	case DLG_TEXT:
		x += ui_puts(c, w, y, x, "j/k PgDn/PgUp", 13, key);
		x += ui_puts(c, w, y, x, " scroll   ", d->w - x - 2, base);
		x += ui_puts(c, w, y, x, "q Esc", 5, key);
		ui_puts(c, w, y, x, " close", d->w - x - 2, base);
		break;
	case DLG_MESSAGE:
		x += ui_puts(c, w, y, x, "any key", 7, key);
		ui_puts(c, w, y, x, " close", d->w - x - 2, base);
		break;
	}
	if (d->menu) {
		unpost_menu(d->menu);
		post_menu(d->menu);
	}
}

static int finish(console *c, dialog *d, int choice, const char *text, int index)
{
	/* the callback may push another dialog: take this one off first */
	c->dlg[--c->ndlg] = NULL;
	int r = UI_HANDLED | UI_REDRAW;
	if (d->done)
		r |= d->done(c, d, choice, text, index);
	dlg_free(d);
	if (c->ndlg)
		dlg_layout(c, c->dlg[c->ndlg - 1]); /* back on top, field above it */
	return r;
}

static int lower(int k)
{
	return k >= 'A' && k <= 'Z' ? k - 'A' + 'a' : k;
}

int dlg_key(console *c, int key)
{
	dialog *d = dlg_top(c);
	if (!d)
		return UI_IGNORED;
	switch (d->kind) {
	case DLG_MESSAGE:
		return finish(c, d, key, NULL, -1);
	case DLG_CHOICE:
		if (key == K_ESC || key_is_enter(key))
			return finish(c, d, K_ESC, NULL, -1); /* Enter: the safe default */
		for (size_t i = 0; i < d->nchoices; i++)
			if (d->choices[i].key == lower(key))
				return finish(c, d, d->choices[i].key, NULL, -1);
		return UI_HANDLED;
	case DLG_TEXT: {
		int page = d->h - 4 > 1 ? d->h - 4 : 1;
		if (key == K_ESC || key == 'q' || key == '?')
			return finish(c, d, K_ESC, NULL, -1);
		if (key_is_down(key))
			d->scroll++;
		else if (key_is_up(key))
			d->scroll--;
		else if (key == K_FN(KEY_NPAGE) || key == ' ' || key == K_CTRL('f'))
			d->scroll += page;
		else if (key == K_FN(KEY_PPAGE) || key == 'b' || key == K_CTRL('b'))
			d->scroll -= page;
		else if (key == 'g' || key == K_FN(KEY_HOME))
			d->scroll = 0;
		else if (key == 'G' || key == K_FN(KEY_END))
			d->scroll = 1 << 20;
		return UI_HANDLED | UI_REDRAW;
	}
	case DLG_PICK: {
		if (key == K_ESC || key == 'q')
			return finish(c, d, K_ESC, NULL, -1);
		if (!d->menu)
			return UI_HANDLED;
		if (key_is_enter(key) || key == ' ') {
			ITEM *it = current_item(d->menu);
			int i = it ? item_index(it) : -1;
			return finish(c, d, '\n', i >= 0 ? d->item_names[i] : NULL, i);
		}
		int req = key_is_down(key)                      ? REQ_DOWN_ITEM
		          : key_is_up(key)                      ? REQ_UP_ITEM
		          : key == K_FN(KEY_NPAGE)              ? REQ_SCR_DPAGE
		          : key == K_FN(KEY_PPAGE)              ? REQ_SCR_UPAGE
		          : key == 'g' || key == K_FN(KEY_HOME) ? REQ_FIRST_ITEM
		          : key == 'G' || key == K_FN(KEY_END)  ? REQ_LAST_ITEM
		                                                : 0;
		if (req)
			menu_driver(d->menu, req);
		return UI_HANDLED | UI_REDRAW;
	}
	case DLG_TYPED:
	case DLG_INPUT: {
		int r = ui_edit_key(&d->edit, key);
		if (r & EDIT_CANCEL)
			return finish(c, d, K_ESC, NULL, -1);
		if (r & EDIT_ACCEPT) {
			char *v = ui_edit_value(&d->edit);
			if (!v)
				return UI_HANDLED;
			if (d->kind == DLG_TYPED && (!d->expect || strcmp(v, d->expect) != 0)) {
				free(d->error);
				buf e;
				buf_init(&e, 0);
				buf_addf(&e,
				         "'%s' is not '%s': nothing done; type it exactly, or Esc",
				         v, d->expect ? d->expect : "");
				d->error = buf_take(&e);
				ui_edit_set(&d->edit, "");
				free(v);
				return UI_HANDLED | UI_REDRAW;
			}
			int res = finish(c, d, 'y', v, -1);
			free(v);
			return res;
		}
		return UI_HANDLED | UI_REDRAW;
	}
	}
	return UI_HANDLED;
}
