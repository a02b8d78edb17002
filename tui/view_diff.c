/* The diff view: the model against its saved file before a save (`y`
 * writes, n or Esc does not), and the generated template against the
 * deployed one. Unified hunks, colored, scrollable. */
#include "tui/ui.h"

#include "common/diff.h"
#include "tui/ui_text.h"

#include <stdlib.h>
#include <string.h>

typedef struct diff_state {
	char *title;
	char *old_text, *new_text;
	size_t old_len, new_len;
	diff_result d;
	bool valid;
	size_t top;
	int rows;
	bool confirm;
	char *confirm_what;
	diff_done_fn on_done;
	void *ctx;
} diff_state;

static const ui_binding diff_keys[] = {
    {"y", "yes, write it", CTX_DIFF_SAVE, "write"},
    {"n Esc", "no", CTX_DIFF_SAVE, "no"},
    {"Esc", "back", CTX_DONE, "back"},
    {"j k", "scroll", 0, "scroll"},
};

static diff_state *st(console *c)
{
	return c->vs[VIEW_DIFF];
}

static void diff_clear(console *c, bool confirmed_or_cancel_called)
{
	diff_state *s = st(c);
	if (s->on_done && !confirmed_or_cancel_called)
		s->on_done(c, s->ctx, false);
	s->on_done = NULL;
	s->ctx = NULL;
	diff_result_free(&s->d);
	free(s->title);
	free(s->old_text);
	free(s->new_text);
	free(s->confirm_what);
	s->title = s->old_text = s->new_text = s->confirm_what = NULL;
	s->valid = false;
	s->confirm = false;
	s->top = 0;
}

static bool diff_open(console *c)
{
	c->vs[VIEW_DIFF] = calloc(1, sizeof(diff_state));
	return c->vs[VIEW_DIFF] != NULL;
}

static void diff_close(console *c)
{
	if (!st(c))
		return;
	diff_clear(c, false);
	free(st(c));
	c->vs[VIEW_DIFF] = NULL;
}

static char *copy(const char *s, size_t len)
{
	char *d = malloc(len + 1);
	if (d) {
		if (len)
			memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

void diff_show(console *c, const char *title, const char *old_text, size_t old_len,
               const char *new_text, size_t new_len, bool confirm, const char *confirm_what,
               diff_done_fn on_done, void *ctx)
{
	diff_state *s = st(c);
	diff_clear(c, false);
	s->title = strdup(title ? title : "");
	s->old_text = copy(old_text, old_len);
	s->new_text = copy(new_text, new_len);
	s->old_len = old_len;
	s->new_len = new_len;
	s->confirm = confirm;
	s->confirm_what = strdup(confirm_what ? confirm_what : "");
	s->on_done = on_done;
	s->ctx = ctx;
	if (!s->title || !s->old_text || !s->new_text || !s->confirm_what ||
	    !diff_texts(s->old_text, old_len, s->new_text, new_len, 3, &s->d)) {
		diff_clear(c, false);
		console_msg(c, true, "out of memory: cannot show the diff");
		return;
	}
	s->valid = true;
	console_set_view(c, VIEW_DIFF);
}

static void diff_draw(console *c, WINDOW *w, int h, int wd)
{
	diff_state *s = st(c);
	buf t;
	buf_init(&t, 0);
	if (s->valid)
		buf_addf(&t, "Diff: %s  +%zu -%zu lines", s->title, s->d.added, s->d.deleted);
	else
		buf_adds(&t, "Diff");
	ui_box(c, w, 0, 0, h, wd, buf_cstr(&t), true);
	buf_free(&t);
	int rows = h - 2 - (s->confirm ? 2 : 0);
	s->rows = rows;
	if (!s->valid)
		return;
	if (s->d.n == 0) {
		ui_put_cut(c, w, 2, 3, "No differences.", wd - 6, th(&c->th, TH_OK));
	}
	if (s->top + (size_t)rows > s->d.n)
		s->top = s->d.n > (size_t)rows ? s->d.n - (size_t)rows : 0;
	for (int r = 0; r < rows && s->top + (size_t)r < s->d.n; r++) {
		const diff_line *l = &s->d.v[s->top + (size_t)r];
		int y = 1 + r;
		if (l->kind == DIFF_HUNK) {
			char hdr[96];
			snprintf(hdr, sizeof(hdr), "@@ -%zu,%zu +%zu,%zu @@", l->old_no, l->old_n,
			         l->new_no, l->new_n);
			ui_puts(c, w, y, 2, hdr, wd - 4, th(&c->th, TH_DIFF_HUNK));
			continue;
		}
		const char *sign = l->kind == DIFF_ADD ? "+" : l->kind == DIFF_DEL ? "-" : " ";
		attr_t a = l->kind == DIFF_ADD   ? th(&c->th, TH_DIFF_ADD)
		           : l->kind == DIFF_DEL ? th(&c->th, TH_DIFF_DEL)
		                                 : th(&c->th, TH_NORMAL);
		char num[24];
		snprintf(num, sizeof(num), "%5zu ", l->kind == DIFF_DEL ? l->old_no : l->new_no);
		ui_puts(c, w, y, 1, num, 6, th(&c->th, TH_DIM));
		ui_puts(c, w, y, 7, sign, 1, a);
		ui_put(c, w, y, 9, l->text, l->len, wd - 10, a);
	}
	if (s->confirm) {
		int y = h - 3;
		ui_hline(c, w, y, 1, wd - 2, th(&c->th, TH_BORDER));
		buf q;
		buf_init(&q, 0);
		buf_addf(&q, "%s? [y/N]", s->confirm_what);
		int x = 2;
		x +=
		    ui_put_cut(c, w, y + 1, x, buf_cstr(&q), wd - 4, th(&c->th, TH_TITLE) | A_BOLD);
		buf_free(&q);
		ui_put_cut(c, w, y + 1, x + 2, "y writes; n or Esc keeps the file as it is",
		           wd - x - 4, th(&c->th, TH_DIM));
	}
}

static int diff_key(console *c, int key)
{
	diff_state *s = st(c);
	int page = s->rows > 1 ? s->rows - 1 : 1;
	if (s->confirm && (key == 'y' || key == 'Y')) {
		diff_done_fn done = s->on_done;
		void *ctx = s->ctx;
		s->on_done = NULL;
		s->ctx = NULL;
		console_set_view(c, c->prev_view);
		diff_clear(c, true);
		return UI_HANDLED | UI_REDRAW | (done ? done(c, ctx, true) : 0);
	}
	if (key == K_ESC || key == 'n' || key == 'N' || key == 'q' ||
	    (!s->confirm && key_is_enter(key))) {
		console_set_view(c, c->prev_view);
		diff_clear(c, false);
		return UI_HANDLED | UI_REDRAW;
	}
	if (key_is_down(key))
		s->top++;
	else if (key_is_up(key))
		s->top = s->top ? s->top - 1 : 0;
	else if (key == K_FN(KEY_NPAGE) || key == ' ' || key == K_CTRL('f'))
		s->top += (size_t)page;
	else if (key == K_FN(KEY_PPAGE) || key == K_CTRL('b'))
		s->top = s->top > (size_t)page ? s->top - (size_t)page : 0;
	else if (key == 'g')
		s->top = 0;
	else if (key == 'G')
		s->top = s->d.n;
	else if (s->confirm && key != '?' && key != '/' && key != K_CTRL('l') && key != K_CTRL('c'))
		return UI_HANDLED; /* the question first: y or n */
	else
		return UI_IGNORED;
	return UI_HANDLED | UI_REDRAW;
}

static unsigned diff_context(console *c)
{
	return st(c)->confirm ? CTX_DIFF_SAVE : CTX_DONE;
}

static bool diff_search(console *c, const char *needle, int dir)
{
	diff_state *s = st(c);
	size_t n = s->d.n;
	for (size_t step = 1; step <= n; step++) {
		size_t i = dir >= 0 ? (s->top + step) % n : (s->top + n - step % n) % n;
		const diff_line *l = &s->d.v[i];
		if (l->text && ui_find_ci(l->text, l->len, needle) != (size_t)-1) {
			s->top = i;
			return true;
		}
	}
	return false;
}

const view_class view_diff_class = {
    .name = "diff",
    .title = "Diff",
    .tab_key = 0,
    .keys = diff_keys,
    .nkeys = sizeof(diff_keys) / sizeof(diff_keys[0]),
    .open = diff_open,
    .close = diff_close,
    .draw = diff_draw,
    .key = diff_key,
    .context = diff_context,
    .search = diff_search,
};
