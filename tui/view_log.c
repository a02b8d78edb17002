/* The API log: every AWS call this session made (action, status, request
 * id, time), newest last; each one as the equivalent `aws` command line,
 * which y copies to the clipboard (OSC 52) and Enter shows in full. */
#include "tui/ui.h"

#include "tui/ui_text.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct log_state {
	size_t sel, top;
	bool follow; /* stay on the newest call */
	int rows;
} log_state;

static const ui_binding log_keys[] = {
    {"y", "copy as aws command", 0, "copy aws cmd"},
    {"Enter", "show the command", 0, "show"},
    {"j k", "move", 0, NULL},
    {"G", "follow the newest", 0, NULL},
};

static log_state *st(console *c)
{
	return c->vs[VIEW_LOG];
}

static bool log_open(console *c)
{
	log_state *s = calloc(1, sizeof(*s));
	if (!s)
		return false;
	s->follow = true;
	c->vs[VIEW_LOG] = s;
	return true;
}

static void log_close(console *c)
{
	free(c->vs[VIEW_LOG]);
	c->vs[VIEW_LOG] = NULL;
}

static void log_draw(console *c, WINDOW *w, int h, int wd)
{
	log_state *s = st(c);
	const stackops *o = &c->ops;
	char title[128];
	snprintf(title, sizeof(title), "API log  %zu call(s)  backend: %s", o->ncalls,
	         o->runner ? ops_runner_backend(o->runner) : "none");
	ui_box(c, w, 0, 0, h, wd, title, true);
	if (o->ncalls == 0) {
		ui_wrap_put(c, w, 2, 3,
		            o->runner ? "No AWS calls yet. Every call lmsctl makes appears here, "
		                        "with its request id and the equivalent aws command."
		                      : (o->backend_note ? o->backend_note : "No AWS access."),
		            wd - 6, 3, th(&c->th, TH_DIM));
		return;
	}
	int detail = 4;
	int rows = h - 2 - detail;
	s->rows = rows;
	if (s->follow)
		s->sel = o->ncalls - 1;
	if (s->sel >= o->ncalls)
		s->sel = o->ncalls - 1;
	if (s->sel < s->top)
		s->top = s->sel;
	if (s->sel >= s->top + (size_t)rows)
		s->top = s->sel - (size_t)rows + 1;
	char head[128];
	/* the columns of the rows below */
	snprintf(head, sizeof(head), "%-9s %-42s %-8s %-5s %s", "time", "service/action", "status",
	         "ms", "request id");
	ui_puts(c, w, 1, 2, head, wd - 4, th(&c->th, TH_DIM));
	for (int r = 0; r + 1 < rows && s->top + (size_t)r < o->ncalls; r++) {
		size_t i = s->top + (size_t)r;
		const ops_call *k = &o->calls[i];
		int y = 2 + r;
		bool sel = i == s->sel;
		attr_t row = sel ? th(&c->th, TH_CURSOR) : 0;
		if (sel)
			ui_fill(w, y, 1, wd - 2, row);
		char when[16] = "";
		time_t t = (time_t)k->time;
		struct tm tmv;
		if (localtime_r(&t, &tmv))
			strftime(when, sizeof(when), "%H:%M:%S", &tmv);
		bool bad = k->http_status == 0 || k->http_status >= 400;
		char line[512];
		char status[16];
		if (k->http_status)
			snprintf(status, sizeof(status), "%d", k->http_status);
		else
			snprintf(status, sizeof(status), "---");
		snprintf(line, sizeof(line), "%-9s %-42.42s %s %-6s %-5.0f %s", when, "",
		         bad ? c->sym.error : c->sym.ok, status, k->ms, k->request_id);
		ui_put_cut(c, w, y, 2, line, wd - 4, row ? row : th(&c->th, TH_NORMAL));
		char act[128];
		snprintf(act, sizeof(act), "%s:%s", k->service, k->action);
		ui_put_cut(c, w, y, 12, act, 42, row ? row : th(&c->th, TH_LABEL));
		if (bad && !row)
			ui_puts(c, w, y, 55, c->sym.error, 1, th(&c->th, TH_ERROR));
	}
	const ops_call *k = &o->calls[s->sel];
	int y = 1 + rows;
	ui_hline(c, w, y, 1, wd - 2, th(&c->th, TH_BORDER));
	buf b;
	buf_init(&b, 0);
	if (*k->error)
		buf_addf(&b, "%s  ", k->error);
	buf_addf(&b, "$ %s", k->cli);
	ui_wrap_put(c, w, y + 1, 2, buf_cstr(&b), wd - 4, detail - 1,
	            *k->error ? th(&c->th, TH_ERROR) : th(&c->th, TH_NORMAL));
	buf_free(&b);
}

static int log_key(console *c, int key)
{
	log_state *s = st(c);
	size_t n = c->ops.ncalls;
	if (n == 0)
		return UI_IGNORED;
	if (key_is_down(key)) {
		if (s->sel + 1 < n)
			s->sel++;
		s->follow = s->sel + 1 == n;
	} else if (key_is_up(key)) {
		if (s->sel > 0)
			s->sel--;
		s->follow = false;
	} else if (key == 'g' || key == K_FN(KEY_HOME)) {
		s->sel = 0;
		s->follow = false;
	} else if (key == 'G' || key == K_FN(KEY_END)) {
		s->follow = true;
	} else if (key == 'y') {
		console_copy(c, c->ops.calls[s->sel].cli);
		console_msg(c, false, "copied: %s", c->ops.calls[s->sel].cli);
	} else if (key_is_enter(key)) {
		dialog *d = dlg_new(DLG_MESSAGE, c->ops.calls[s->sel].action, NULL);
		if (d) {
			const ops_call *k = &c->ops.calls[s->sel];
			dlg_addf(d, "%s\n\nHTTP %d  request id %s  %.0f ms\n%s%s", k->cli,
			         k->http_status, *k->request_id ? k->request_id : "(none)", k->ms,
			         *k->error ? "\n" : "", k->error);
			dlg_push(c, d);
		}
	} else {
		return UI_IGNORED;
	}
	return UI_HANDLED | UI_REDRAW;
}

static bool log_search(console *c, const char *needle, int dir)
{
	log_state *s = st(c);
	size_t n = c->ops.ncalls;
	for (size_t step = 1; step <= n; step++) {
		size_t i = dir >= 0 ? (s->sel + step) % n : (s->sel + n - step % n) % n;
		const ops_call *k = &c->ops.calls[i];
		if (ui_find_ci(k->action, strlen(k->action), needle) != (size_t)-1 ||
		    ui_find_ci(k->cli, strlen(k->cli), needle) != (size_t)-1 ||
		    ui_find_ci(k->error, strlen(k->error), needle) != (size_t)-1 ||
		    ui_find_ci(k->request_id, strlen(k->request_id), needle) != (size_t)-1) {
			s->sel = i;
			s->follow = false;
			return true;
		}
	}
	return false;
}

static int log_click(console *c, int y, int x)
{
	(void)x;
	log_state *s = st(c);
	int row = y - 2;
	if (row >= 0 && row < s->rows && s->top + (size_t)row < c->ops.ncalls) {
		s->sel = s->top + (size_t)row;
		s->follow = false;
	}
	return UI_HANDLED | UI_REDRAW;
}

const view_class view_log_class = {
    .name = "log",
    .title = "Log",
    .tab_key = '5',
    .keys = log_keys,
    .nkeys = sizeof(log_keys) / sizeof(log_keys[0]),
    .open = log_open,
    .close = log_close,
    .draw = log_draw,
    .key = log_key,
    .click = log_click,
    .search = log_search,
};
