/* The findings view: every finding of the model, errors first, each with
 * its rule id, field and message; the selected one's hint and position
 * below. Enter jumps to the field (params view) or, for a finding about a
 * resource, to the resource in the preview. */
#include "tui/ui.h"

#include "ops/status.h"
#include "tui/ui_text.h"

#include <stdlib.h>
#include <string.h>

typedef struct findings_state {
	size_t sel, top;
	int list_h;
} findings_state;

static const ui_binding findings_keys[] = {
    {"Enter", "go to the field", 0, "go to field"},
    {"j k", "move", 0, NULL},
    {"g G", "first/last", 0, NULL},
};

static findings_state *st(console *c)
{
	return c->vs[VIEW_FINDINGS];
}

static bool findings_open(console *c)
{
	c->vs[VIEW_FINDINGS] = calloc(1, sizeof(findings_state));
	return c->vs[VIEW_FINDINGS] != NULL;
}

static void findings_close(console *c)
{
	free(c->vs[VIEW_FINDINGS]);
	c->vs[VIEW_FINDINGS] = NULL;
}

/* A warning that stops a deploy all the same: a prod gate (PROD_GATE in model/rules.def),
 * decided where lmsctl deploy and D decide it. Errors stop every deploy and say so. */
static bool blocks_deploy(const console *c, const finding *x)
{
	return x->sev != SEV_ERROR && ops_finding_stops_deploy(x, console_env(c), false);
}

#define BLOCKS_DEPLOY "[blocks deploy] "

static void findings_draw(console *c, WINDOW *w, int h, int wd)
{
	findings_state *s = st(c);
	const findings *f = &c->um.f;
	char title[128];
	snprintf(title, sizeof(title), "Findings  %zu error(s), %zu warning(s), %zu info",
	         c->um.errors, c->um.warnings, c->um.infos);
	ui_box(c, w, 0, 0, h, wd, title, true);
	if (f->n == 0) {
		ui_puts(c, w, 2, 3, c->sym.ok, 1, th(&c->th, TH_OK));
		ui_put_cut(
		    c, w, 2, 5,
		    "No findings: every value meets its constraint and every cross-field rule.",
		    wd - 7, th(&c->th, TH_OK));
		return;
	}
	int detail = 5;
	int list_h = h - 2 - detail - 1;
	if (list_h < 3)
		list_h = 3;
	s->list_h = list_h;
	if (s->sel >= f->n)
		s->sel = f->n - 1;
	if (s->sel < s->top)
		s->top = s->sel;
	if (s->sel >= s->top + (size_t)list_h)
		s->top = s->sel - (size_t)list_h + 1;
	int iw = wd - 2;
	for (int r = 0; r < list_h && s->top + (size_t)r < f->n; r++) {
		size_t i = s->top + (size_t)r;
		const finding *x = &f->v[i];
		bool sel = i == s->sel;
		attr_t row = sel ? th(&c->th, TH_CURSOR) : 0;
		int y = 1 + r;
		if (sel)
			ui_fill(w, y, 1, iw, row);
		int cx = 1;
		cx += ui_puts(c, w, y, cx, sel ? ">" : " ", 1, row);
		cx += ui_puts(c, w, y, cx, ui_sev_sym(c, x->sev), 1,
		              row ? row : ui_sev_attr(c, x->sev));
		cx += ui_puts(c, w, y, cx, " ", 1, row);
		char id[16];
		snprintf(id, sizeof(id), "%-7s", x->rule);
		cx += ui_puts(c, w, y, cx, id, 7, row ? row : ui_sev_attr(c, x->sev));
		cx += ui_puts(c, w, y, cx, " ", 1, row);
		const char *field = *x->field ? x->field : "(template)";
		int fw = 22;
		ui_put_cut(c, w, y, cx, field, fw, row ? row : th(&c->th, TH_LABEL));
		cx += fw + 1;
		if (blocks_deploy(c, x))
			cx += ui_put_cut(c, w, y, cx, BLOCKS_DEPLOY, 1 + iw - cx,
			                 row ? row : th(&c->th, TH_ERROR));
		ui_put_cut(c, w, y, cx, x->message, 1 + iw - cx, row ? row : th(&c->th, TH_NORMAL));
	}
	if (f->n > (size_t)list_h) {
		char pos[64];
		snprintf(pos, sizeof(pos), " %zu/%zu ", s->sel + 1, f->n);
		ui_puts(c, w, h - 1, wd - 2 - (int)strlen(pos), pos, (int)strlen(pos),
		        th(&c->th, TH_BORDER));
	}
	/* the selected finding in full */
	const finding *x = &f->v[s->sel];
	int y = 1 + list_h;
	ui_hline(c, w, y, 1, iw, th(&c->th, TH_BORDER));
	buf b;
	buf_init(&b, 0);
	buf_addf(&b, " %s %s %s %s", x->rule, severity_name(x->sev), *x->field ? x->field : "",
	         blocks_deploy(c, x) ? BLOCKS_DEPLOY : "");
	ui_put_cut(c, w, y, 2, buf_cstr(&b), iw - 2, th(&c->th, TH_TITLE));
	buf_reset(&b);
	buf_addf(&b, "%s", x->message);
	if (*x->hint)
		buf_addf(&b, "  Fix: %s", x->hint);
	int used =
	    ui_wrap_put(c, w, y + 1, 2, buf_cstr(&b), iw - 2, detail - 1, th(&c->th, TH_NORMAL));
	if (x->file && used < detail) {
		buf_reset(&b);
		buf_addf(&b, "%s:%zu:%zu", x->file, x->line, x->col);
		ui_put_cut(c, w, y + 1 + used, 2, buf_cstr(&b), iw - 2, th(&c->th, TH_DIM));
	}
	buf_free(&b);
}

static int jump(console *c)
{
	findings_state *s = st(c);
	if (s->sel >= c->um.f.n)
		return UI_HANDLED;
	const finding *x = &c->um.f.v[s->sel];
	const cat_param *p = ui_model_field_param(&c->um, x->field);
	if (p) {
		console_goto_param(c, p);
		return UI_HANDLED | UI_REDRAW;
	}
	if (strcmp(x->field, "stack") == 0 || strcmp(x->field, "region") == 0) {
		buf b;
		buf_init(&b, 0);
		const char *v = model_get(c->m, x->field);
		buf_addf(&b, "%s %s", x->field, v ? v : "");
		console_prompt_open(c, PROMPT_COMMAND, buf_cstr(&b));
		buf_free(&b);
		return UI_HANDLED | UI_REDRAW;
	}
	if (*x->field && console_goto_resource(c, x->field))
		return UI_HANDLED | UI_REDRAW;
	console_msg(c, false, "%s concerns the model file as a whole%s%s", x->rule,
	            x->file ? ": " : "", x->file ? x->file : "");
	return UI_HANDLED | UI_REDRAW;
}

static int findings_key(console *c, int key)
{
	findings_state *s = st(c);
	size_t n = c->um.f.n;
	int page = s->list_h > 1 ? s->list_h - 1 : 1;
	if (key_is_down(key)) {
		if (s->sel + 1 < n)
			s->sel++;
	} else if (key_is_up(key)) {
		if (s->sel > 0)
			s->sel--;
	} else if (key == K_FN(KEY_NPAGE) || key == K_CTRL('f')) {
		s->sel = s->sel + (size_t)page < n ? s->sel + (size_t)page : (n ? n - 1 : 0);
	} else if (key == K_FN(KEY_PPAGE) || key == K_CTRL('b')) {
		s->sel = s->sel > (size_t)page ? s->sel - (size_t)page : 0;
	} else if (key == 'g' || key == K_FN(KEY_HOME)) {
		s->sel = 0;
	} else if (key == 'G' || key == K_FN(KEY_END)) {
		s->sel = n ? n - 1 : 0;
	} else if (key_is_enter(key) || key == 'l') {
		return jump(c);
	} else {
		return UI_IGNORED;
	}
	return UI_HANDLED | UI_REDRAW;
}

static int findings_click(console *c, int y, int x)
{
	(void)x;
	findings_state *s = st(c);
	int row = y - 1;
	if (row >= 0 && row < s->list_h && s->top + (size_t)row < c->um.f.n) {
		size_t i = s->top + (size_t)row;
		if (i == s->sel)
			return jump(c);
		s->sel = i;
	}
	return UI_HANDLED | UI_REDRAW;
}

static bool findings_search(console *c, const char *needle, int dir)
{
	findings_state *s = st(c);
	size_t n = c->um.f.n;
	for (size_t step = 1; step <= n; step++) {
		size_t i = dir >= 0 ? (s->sel + step) % n : (s->sel + n - step % n) % n;
		const finding *x = &c->um.f.v[i];
		if (ui_find_ci(x->message, strlen(x->message), needle) != (size_t)-1 ||
		    ui_find_ci(x->rule, strlen(x->rule), needle) != (size_t)-1 ||
		    ui_find_ci(x->field, strlen(x->field), needle) != (size_t)-1 ||
		    ui_find_ci(x->hint, strlen(x->hint), needle) != (size_t)-1) {
			s->sel = i;
			return true;
		}
	}
	return false;
}

const view_class view_findings_class = {
    .name = "findings",
    .title = "Findings",
    .tab_key = '2',
    .keys = findings_keys,
    .nkeys = sizeof(findings_keys) / sizeof(findings_keys[0]),
    .open = findings_open,
    .close = findings_close,
    .draw = findings_draw,
    .key = findings_key,
    .click = findings_click,
    .search = findings_search,
};
