/* The params view: the panels (the templates' AWS::CloudFormation::Interface
 * parameter groups) in a side list, and the selected panel's parameters as
 * a form: label, value, finding, and below the selected field's
 * description, constraint and findings. Enter edits a value (live
 * validation as you type), opens a pick list for AllowedValues, or toggles
 * a true/false value.
 *
 * The side list is a menuw menu. The form is drawn here rather than with
 * formw: a form of every parameter would need pages instead of scrolling,
 * validates only when leaving a field (not as the operator types), and has
 * to be rebuilt on every resize; formw is used where it fits, for the field
 * being edited (ui_edit.c). */
#include "common/str.h"
#include "tui/ui.h"

#include "tui/ui_text.h"

#include <stdlib.h>
#include <string.h>

typedef struct params_state {
	size_t group;
	size_t *sel; /* per group: the selected row */
	size_t *top; /* per group: the first row shown */
	bool focus_side;
	/* the side list */
	MENU *menu;
	ITEM **items;
	char **names, **descs;
	WINDOW *menu_sub;
	int menu_h, menu_w;
	unsigned long menu_generation;
	/* editing */
	const cat_param *edit_param;
	ui_edit edit;
	findings own, cross;
	char *typed;
	/* the field changed since own/cross were computed: the next draw checks it, so that a
	 * burst of keys (a paste) validates once per redraw, not once per key */
	bool check_pending;
	/* geometry of the last draw, relative to the body */
	bool side_wide; /* the side list counts fields (120 columns and more) */
	int side_w, list_y, list_x, list_h, list_w, field_y, field_x, field_w;
} params_state;

static const ui_binding params_keys[] = {
    {"Enter", "edit", CTX_LIST, "edit"},
    {"Enter", "choose", CTX_PICK, NULL},
    {"Space", "toggle", CTX_BOOL, NULL},
    {"Enter l", "open the panel", CTX_SIDE, "open"},
    {"j k", "move", CTX_SIDE | CTX_LIST, NULL},
    {"Tab", "panels/fields", CTX_SIDE | CTX_LIST, "switch"},
    {"[ ]", "previous/next panel", CTX_LIST, NULL},
    {"p", "preview: where it is used", CTX_LIST, "uses"},
    {"d", "set the template default", CTX_LIST, NULL},
    {"g G", "first/last field", CTX_LIST, NULL},
    {"Enter", "keep the value", CTX_EDIT, "keep"},
    {"Esc", "cancel", CTX_EDIT, "cancel"},
    {"Ctrl-U", "clear", CTX_EDIT, "clear"},
    {"Ctrl-A Ctrl-E", "start/end of the field", CTX_EDIT, NULL},
    {"Ctrl-W", "delete a word", CTX_EDIT, NULL},
};

static params_state *st(console *c)
{
	return c->vs[VIEW_PARAMS];
}

static const cat_group *group(console *c, size_t g)
{
	return g < c->cat->ngroups ? &c->cat->groups[g] : NULL;
}

static const cat_param *param_at(console *c, size_t g, size_t row)
{
	const cat_group *gr = group(c, g);
	if (!gr || row >= gr->n)
		return NULL;
	return &c->cat->params[gr->params[row]];
}

const cat_param *params_selected(console *c)
{
	params_state *s = st(c);
	return s ? param_at(c, s->group, s->sel[s->group]) : NULL;
}

bool params_editing(console *c)
{
	params_state *s = st(c);
	return s && s->edit_param != NULL;
}

ui_edit *params_edit(console *c)
{
	return &st(c)->edit;
}

char *params_pending_value(console *c, const char **key)
{
	params_state *s = st(c);
	if (!s || !s->edit_param)
		return NULL;
	*key = s->edit_param->e.name;
	return ui_edit_value(&s->edit);
}

static void menu_free(params_state *s)
{
	if (s->menu) {
		unpost_menu(s->menu);
		free_menu(s->menu);
		s->menu = NULL;
	}
	if (s->items) {
		for (size_t i = 0; s->items[i]; i++)
			free_item(s->items[i]);
		free(s->items);
		s->items = NULL;
	}
	if (s->menu_sub) {
		delwin(s->menu_sub);
		s->menu_sub = NULL;
	}
	if (s->names) {
		for (size_t i = 0; s->names[i]; i++) {
			free(s->names[i]);
			free(s->descs[i]);
		}
		free(s->names);
		free(s->descs);
		s->names = s->descs = NULL;
	}
}

static void edit_end(console *c)
{
	params_state *s = st(c);
	ui_edit_close(&s->edit);
	findings_free(&s->own);
	findings_free(&s->cross);
	free(s->typed);
	s->typed = NULL;
	s->edit_param = NULL;
}

static bool params_open(console *c)
{
	params_state *s = calloc(1, sizeof(*s));
	if (!s)
		return false;
	s->sel = calloc(c->cat->ngroups + 1, sizeof(size_t));
	s->top = calloc(c->cat->ngroups + 1, sizeof(size_t));
	if (!s->sel || !s->top) {
		free(s->sel);
		free(s->top);
		free(s);
		return false;
	}
	findings_init(&s->own);
	findings_init(&s->cross);
	/* start on the first panel with an error, else the first */
	for (size_t g = 0; g < c->cat->ngroups; g++)
		if (c->um.group_errors[g]) {
			s->group = g;
			break;
		}
	c->vs[VIEW_PARAMS] = s;
	return true;
}

static void params_close(console *c)
{
	params_state *s = st(c);
	if (!s)
		return;
	edit_end(c);
	menu_free(s);
	free(s->sel);
	free(s->top);
	free(s);
	c->vs[VIEW_PARAMS] = NULL;
}

/* ---- the side list (menuw) --------------------------------------------- */

static void group_counts(console *c, size_t g, char *out, size_t len)
{
	size_t e = c->um.group_errors[g], w = c->um.group_warnings[g];
	if (e && w)
		snprintf(out, len, "%s%zu%s%zu", c->sym.error, e, c->sym.warning, w);
	else if (e)
		snprintf(out, len, "%s%zu", c->sym.error, e);
	else if (w)
		snprintf(out, len, "%s%zu", c->sym.warning, w);
	else
		snprintf(out, len, " ");
}

static void menu_build(console *c, WINDOW *body, int h, int sw)
{
	params_state *s = st(c);
	menu_free(s);
	size_t n = c->cat->ngroups;
	s->items = calloc(n + 1, sizeof(ITEM *));
	s->names = calloc(n + 1, sizeof(char *));
	s->descs = calloc(n + 1, sizeof(char *));
	if (!s->items || !s->names || !s->descs) {
		menu_free(s);
		return;
	}
	/* a wide side list (120 columns and more) also counts each panel's fields */
	bool wide = s->side_wide;
	for (size_t g = 0; g < n; g++) {
		char cnt[48];
		group_counts(c, g, cnt, sizeof(cnt));
		s->names[g] = strdup(c->cat->groups[g].label);
		s->descs[g] =
		    wide ? lms_strdupf("%2zu fields %-6s", c->cat->groups[g].n, cnt) : strdup(cnt);
		if (!s->names[g] || !s->descs[g])
			break;
		s->items[g] = new_item(s->names[g], s->descs[g]);
		if (!s->items[g])
			break;
	}
	s->menu = new_menu(s->items);
	if (!s->menu) {
		menu_free(s);
		return;
	}
	s->menu_h = h - 2;
	s->menu_w = sw - 2;
	s->menu_sub = derwin(body, s->menu_h, s->menu_w, 1, 1);
	set_menu_win(s->menu, body);
	set_menu_sub(s->menu, s->menu_sub);
	set_menu_format(s->menu, s->menu_h, 1);
	set_menu_mark(s->menu, ">"); /* menuw counts the mark in bytes */
	menu_opts_on(s->menu, O_SHOWDESC);
	menu_opts_on(s->menu, O_NONCYCLIC);
	if (s->group < n && s->items[s->group])
		set_current_item(s->menu, s->items[s->group]);
	s->menu_generation = c->um.generation;
}

static void menu_sync(console *c)
{
	params_state *s = st(c);
	if (s->menu && s->group < c->cat->ngroups && s->items[s->group] &&
	    current_item(s->menu) != s->items[s->group])
		set_current_item(s->menu, s->items[s->group]);
}

/* ---- text for a parameter ----------------------------------------------- */

static void constraint_text(const cat_param *p, buf *out)
{
	buf_adds(out, p->type);
	if (p->allowed_values) {
		buf_adds(out, "; one of: ");
		for (size_t i = 0; i < p->allowed_values->n; i++)
			buf_addf(out, "%s%s", i ? ", " : "",
			         ynode_str(p->allowed_values->kids[i])
			             ? p->allowed_values->kids[i]->str
			             : "?");
	}
	if (p->has_min_value && p->has_max_value)
		buf_addf(out, "; %g to %g", p->min_value, p->max_value);
	else if (p->has_min_value)
		buf_addf(out, "; at least %g", p->min_value);
	else if (p->has_max_value)
		buf_addf(out, "; at most %g", p->max_value);
	if (p->has_min_length || p->has_max_length)
		buf_addf(out, "; %ld to %ld characters", p->has_min_length ? p->min_length : 0,
		         p->has_max_length ? p->max_length : UI_EDIT_MAX_CHARS);
	if (p->allowed_pattern)
		buf_addf(out, "; pattern %s", p->allowed_pattern);
	if (p->no_echo)
		buf_adds(out, "; NoEcho (hidden)");
	if (p->pipeline_owned)
		buf_adds(out, "; the pipeline's: read-only, an update keeps the deployed value");
}

/* The deployed stack's value of a parameter (read at start and with the deployed diff), or
 * NULL when the stack or its value is not known. */
static const char *deployed_value(const console *c, const char *name)
{
	for (size_t i = 0; i < c->ops.ndparams; i++)
		if (c->ops.dparams[i].key && strcmp(c->ops.dparams[i].key, name) == 0)
			return c->ops.dparams[i].value;
	return NULL;
}

static const char *shown_value(console *c, const cat_param *p, const char *v)
{
	if (p->no_echo && v && *v)
		return c->utf8 ? "••••••••" : "********";
	return v;
}

/* ---- drawing ------------------------------------------------------------ */

static size_t label_width(console *c, const cat_group *g)
{
	size_t w = 0;
	for (size_t i = 0; i < g->n; i++) {
		size_t lw = ui_width(c, c->cat->params[g->params[i]].label);
		if (lw > w)
			w = lw;
	}
	return w;
}

static void draw_row(console *c, WINDOW *w, int y, int x, int width, const cat_param *p,
                     bool selected, bool focus, size_t lw)
{
	params_state *s = st(c);
	size_t pi = ui_model_param_index(&c->um, p);
	const ui_field_state *fs = &c->um.fs[pi];
	attr_t row = selected ? th(&c->th, focus ? TH_CURSOR : TH_CURSOR_DIM) : 0;
	if (selected)
		ui_fill(w, y, x, width, row);
	bool editing = s->edit_param == p;
	bool dirty = ui_model_is_dirty_key(&c->um, p->e.name) || editing;
	int cx = x;
	/* the cursor as a mark too: it shows without attributes */
	cx += ui_puts(c, w, y, cx, selected ? ">" : " ", 1, row);
	cx += ui_puts(c, w, y, cx, dirty ? c->sym.unsaved : " ", 1,
	              row ? row : th(&c->th, TH_CHANGED));
	/* the worst finding: while editing, the live one */
	severity sev = SEV_INFO;
	size_t nf = 0;
	const finding *first = NULL;
	if (editing) {
		nf = s->own.n + s->cross.n;
		first = s->own.n ? &s->own.v[0] : s->cross.n ? &s->cross.v[0] : NULL;
		for (size_t i = 0; i < s->own.n; i++)
			if (s->own.v[i].sev < sev)
				sev = s->own.v[i].sev;
		for (size_t i = 0; i < s->cross.n; i++)
			if (s->cross.v[i].sev < sev) {
				sev = s->cross.v[i].sev;
				if (!s->own.n)
					first = &s->cross.v[i];
			}
	} else if (fs->nfind) {
		nf = fs->nfind;
		sev = fs->worst;
		first = &c->um.f.v[fs->first];
	}
	cx +=
	    ui_puts(c, w, y, cx, nf ? ui_sev_sym(c, sev) : " ", 1, row ? row : ui_sev_attr(c, sev));
	cx += ui_puts(c, w, y, cx, " ", 1, row);
	ui_put_cut(c, w, y, cx, p->label, (int)lw, row ? row : th(&c->th, TH_LABEL));
	int vx = x + 4 + (int)lw + 2;
	/* the suffix: the finding's rule id, the resources left out */
	char fsuf[48] = "", hsuf[48] = "";
	if (first)
		snprintf(fsuf, sizeof(fsuf), " %s", first->rule);
	if (fs->hidden && !editing)
		snprintf(hsuf, sizeof(hsuf), " %s-%zu", c->sym.hidden, fs->hidden);
	int fw = (int)ui_width(c, fsuf), hw = (int)ui_width(c, hsuf);
	int vw = x + width - vx - fw - hw - 1;
	const char *v;
	char *typed = NULL;
	if (editing) {
		typed = ui_edit_value(&s->edit);
		v = typed;
	} else {
		v = ui_model_value(&c->um, p->e.name);
	}
	/* a value the pipeline owns: what the stack runs, not the template's default */
	const char *deployed = p->pipeline_owned ? deployed_value(c, p->e.name) : NULL;
	if (deployed && !editing)
		v = deployed;
	attr_t va = row ? row | A_BOLD : (dirty ? th(&c->th, TH_CHANGED) : th(&c->th, TH_VALUE));
	if (!ui_model_raw(&c->um, p->e.name) && !editing && !row)
		va = th(&c->th, TH_DIM); /* absent from the file: the template Default */
	if (vw > 0)
		ui_put_cut(c, w, y, vx, shown_value(c, p, v ? v : ""), vw, va);
	free(typed);
	int sx = x + width - fw - hw - 1;
	sx += ui_puts(c, w, y, sx, fsuf, fw, row ? row : ui_sev_attr(c, sev));
	ui_puts(c, w, y, sx, hsuf, hw, row ? row : th(&c->th, TH_DIM));
}

static int draw_finding(console *c, WINDOW *w, int y, int x, int width, int maxl, const finding *f)
{
	if (maxl <= 0)
		return 0;
	buf b;
	buf_init(&b, 0);
	if (strncmp(f->rule, "PRM", 3) == 0 && f->hint && *f->hint)
		/* a value's own constraint: its ConstraintDescription says it best */
		buf_addf(&b, "%s %s (%s)", f->rule, f->hint, f->message);
	else if (f->hint && *f->hint)
		buf_addf(&b, "%s %s (fix: %s)", f->rule, f->message, f->hint);
	else
		buf_addf(&b, "%s %s", f->rule, f->message);
	ui_puts(c, w, y, x, ui_sev_sym(c, f->sev), 1, ui_sev_attr(c, f->sev));
	int n = ui_wrap_put(c, w, y, x + 2, buf_cstr(&b), width - 2, maxl, ui_sev_attr(c, f->sev));
	buf_free(&b);
	return n;
}

static void draw_detail(console *c, WINDOW *w, int y, int x, int width, int h, const cat_param *p)
{
	params_state *s = st(c);
	attr_t dim = th(&c->th, TH_DIM);
	buf b;
	buf_init(&b, 0);
	int line = y + 1;
	int end = y + h;
	if (s->edit_param) {
		buf_addf(&b, " Editing %s (%s) ", p->label, p->e.name);
		ui_hline(c, w, y, x, width, th(&c->th, TH_BORDER_FOCUS));
		ui_put_cut(c, w, y, x + 1, buf_cstr(&b), width - 2, th(&c->th, TH_TITLE));
		const char *saved = ui_model_saved(&c->um, p->e.name);
		int half = width / 2;
		int cx = x + 1;
		cx += ui_puts(c, w, line, cx, "saved   ", 8, dim);
		ui_put_cut(c, w, line, cx, saved ? shown_value(c, p, saved) : "(not in the file)",
		           half - 9, th(&c->th, TH_VALUE));
		cx = x + half;
		cx += ui_puts(c, w, line, cx, "default ", 8, dim);
		ui_put_cut(c, w, line, cx,
		           p->default_value ? shown_value(c, p, p->default_value) : "",
		           width - half - 9, th(&c->th, TH_VALUE));
		line++;
		ui_puts(c, w, line, x + 1, "new", 3, th(&c->th, TH_KEY));
		s->field_y = line;
		s->field_x = x + 9;
		s->field_w = width - 10;
		line++;
		for (size_t i = 0; i < s->own.n && line < end - 1; i++)
			line += draw_finding(c, w, line, x + 1, width - 2, 2, &s->own.v[i]);
		for (size_t i = 0; i < s->cross.n && line < end - 1; i++)
			line += draw_finding(c, w, line, x + 1, width - 2, 2, &s->cross.v[i]);
		if (s->own.n + s->cross.n == 0 && line < end) {
			ui_puts(c, w, line, x + 1, c->sym.ok, 1, th(&c->th, TH_OK));
			ui_put_cut(c, w, line, x + 3,
			           "valid: meets its constraint and every cross-field rule",
			           width - 4, th(&c->th, TH_OK));
			line++;
		}
		if (line < end) {
			buf_reset(&b);
			constraint_text(p, &b);
			if (p->constraint_description)
				buf_addf(&b, " %s %s", c->sym.sep, p->constraint_description);
			if (p->no_echo)
				buf_adds(&b, " (typing is not shown)");
			ui_wrap_put(c, w, line, x + 1, buf_cstr(&b), width - 2, end - line, dim);
		}
		buf_free(&b);
		return;
	}
	buf_addf(&b, " %s %s %s ", p->e.name, c->sym.sep, p->type);
	ui_hline(c, w, y, x, width, th(&c->th, TH_BORDER));
	ui_put_cut(c, w, y, x + 1, buf_cstr(&b), width - 2, th(&c->th, TH_TITLE));
	size_t pi = ui_model_param_index(&c->um, p);
	/* the field's findings first: they are what needs doing */
	for (size_t i = 0; i < c->um.f.n && line < end; i++) {
		const finding *f = &c->um.f.v[i];
		if (ui_model_field_param(&c->um, f->field) != p)
			continue;
		line +=
		    draw_finding(c, w, line, x + 1, width - 2, end - line > 2 ? 2 : end - line, f);
	}
	if (c->um.fs[pi].hidden && line < end) {
		buf_reset(&b);
		buf_addf(&b, "%s this value leaves out %zu resource(s): ", c->sym.hidden,
		         c->um.fs[pi].hidden);
		ui_model_hidden_list(&c->um, p, &b);
		line += ui_wrap_put(c, w, line, x + 1, buf_cstr(&b), width - 2,
		                    end - line > 2 ? 2 : end - line, th(&c->th, TH_INFO));
	}
	if (line < end) {
		buf_reset(&b);
		/* the value the stack runs first: the rest may not fit */
		const char *deployed = p->pipeline_owned ? deployed_value(c, p->e.name) : NULL;
		if (p->pipeline_owned)
			buf_addf(&b, "deployed: %s %s ",
			         deployed ? shown_value(c, p, deployed)
			                  : "(not read yet, or no stack)",
			         c->sym.sep);
		constraint_text(p, &b);
		if (p->constraint_description)
			buf_addf(&b, " %s %s", c->sym.sep, p->constraint_description);
		line += ui_wrap_put(c, w, line, x + 1, buf_cstr(&b), width - 2,
		                    end - line > 2 ? 2 : end - line, dim);
	}
	if (line < end && p->description)
		ui_wrap_put(c, w, line, x + 1, p->description, width - 2, end - line,
		            th(&c->th, TH_NORMAL));
	buf_free(&b);
}

static void live_check(console *c);

static void params_draw(console *c, WINDOW *w, int h, int wd)
{
	params_state *s = st(c);
	const catalog *cat = c->cat;
	if (s->edit_param && s->check_pending)
		live_check(c);
	if (cat->ngroups == 0) {
		ui_puts(c, w, 1, 2, "The templates define no parameter groups.", wd - 4,
		        th(&c->th, TH_ERROR));
		return;
	}
	if (s->group >= cat->ngroups)
		s->group = 0;
	/* the side list: as wide as the longest label and its counts */
	size_t lw = 8;
	for (size_t g = 0; g < cat->ngroups; g++) {
		size_t l = ui_width(c, cat->groups[g].label);
		if (l > lw)
			lw = l;
	}
	int sw = (int)lw + 9;
	if (sw > 26)
		sw = 26;
	if (sw > wd / 3)
		sw = wd / 3;
	/* 120 columns and more: room for each panel's field count ("11 fields ✖2▲2": 14
	 * columns, the mark and the spaces menuw puts between name and description) */
	bool wide = wd >= 120 && (int)lw + 20 <= wd / 3;
	if (wide)
		sw = (int)lw + 20;
	if (wide != s->side_wide) {
		s->side_wide = wide;
		menu_free(s);
	}
	if (!s->menu || s->menu_h != h - 2 || s->menu_w != sw - 2 ||
	    s->menu_generation != c->um.generation)
		menu_build(c, w, h, sw);
	s->side_w = sw;
	bool side_focus = s->focus_side && !s->edit_param;
	ui_box(c, w, 0, 0, h, sw, "Panels", side_focus);
	if (s->menu) {
		menu_sync(c);
		set_menu_fore(s->menu, th(&c->th, side_focus ? TH_CURSOR : TH_CURSOR_DIM));
		set_menu_back(s->menu, th(&c->th, TH_NORMAL));
		unpost_menu(s->menu);
		post_menu(s->menu);
	}
	/* the form */
	const cat_group *g = &cat->groups[s->group];
	int mx = sw, mw = wd - sw;
	char title[256];
	char cnt[48];
	group_counts(c, s->group, cnt, sizeof(cnt));
	snprintf(title, sizeof(title), "%s  %zu field%s", g->label, g->n, g->n == 1 ? "" : "s");
	ui_box(c, w, 0, mx, h, mw, title, !side_focus);
	int inner = h - 2;
	int detail = inner >= 30 ? 11 : inner >= 20 ? 9 : 7;
	if (s->edit_param && detail < 8)
		detail = 8;
	int list_h = inner - detail;
	if (list_h < 3)
		list_h = 3;
	size_t lw2 = label_width(c, g);
	int iw = mw - 2;
	if (lw2 > (size_t)(iw * 45 / 100))
		lw2 = (size_t)(iw * 45 / 100);
	size_t *sel = &s->sel[s->group], *top = &s->top[s->group];
	if (*sel >= g->n)
		*sel = g->n ? g->n - 1 : 0;
	if (*sel < *top)
		*top = *sel;
	if (*sel >= *top + (size_t)list_h)
		*top = *sel - (size_t)list_h + 1;
	s->list_y = 1;
	s->list_x = mx + 1;
	s->list_h = list_h;
	s->list_w = iw;
	for (int r = 0; r < list_h && *top + (size_t)r < g->n; r++) {
		const cat_param *p = &cat->params[g->params[*top + (size_t)r]];
		draw_row(c, w, 1 + r, mx + 1, iw, p, *top + (size_t)r == *sel, !side_focus, lw2);
	}
	if (g->n > (size_t)list_h) {
		char pos[64];
		snprintf(pos, sizeof(pos), " %zu/%zu ", *sel + 1, g->n);
		ui_puts(c, w, 0, mx + mw - 2 - (int)strlen(pos), pos, (int)strlen(pos),
		        th(&c->th, TH_BORDER));
	}
	const cat_param *p = params_selected(c);
	if (p)
		draw_detail(c, w, 1 + list_h, mx + 1, iw, detail, p);
	/* the field being edited sits in the detail pane; the body starts at
	 * the screen's third row */
	if (s->edit_param) {
		int y = 2 + s->field_y, x = s->field_x, fw = s->field_w;
		if (s->edit.y != y || s->edit.x != x || s->edit.w != fw)
			ui_edit_move(&s->edit, y, x, fw);
	}
}

/* ---- editing -------------------------------------------------------------- */

static void live_check(console *c)
{
	params_state *s = st(c);
	s->check_pending = false;
	char *v = ui_edit_value(&s->edit);
	if (!v)
		return;
	if (s->typed && strcmp(s->typed, v) == 0) {
		free(v);
		return;
	}
	free(s->typed);
	s->typed = v;
	findings_free(&s->own);
	findings_free(&s->cross);
	findings_init(&s->own);
	findings_init(&s->cross);
	ui_model_check(&c->um, s->edit_param, v, &s->own, &s->cross);
	findings_sort(&s->own);
	findings_sort(&s->cross);
}

static int on_pick(console *c, dialog *d, int choice, const char *text, int index)
{
	(void)index;
	if (choice == K_ESC || !text || !d->ctx_str)
		return UI_REDRAW;
	const cat_param *p = catalog_param(c->cat, d->ctx_str);
	if (!p)
		return UI_REDRAW;
	const char *v = strcmp(text, "''") == 0 ? "" : text;
	int r = console_set_value(c, p->e.name, v, p->e.name);
	size_t errors = c->um.fs[ui_model_param_index(&c->um, p)].nfind;
	console_msg(c, false, "%s = %s%s", p->e.name, v, errors ? " (see the findings below)" : "");
	return r;
}

/* The most characters the field takes: the parameter's MaxLength, 64 for a Number (no
 * number needs more), else CloudFormation's limit on a value (UI_EDIT_MAX_CHARS). A
 * paste of 100 KB stops there instead of filling the field. */
#define NUMBER_MAX_CHARS 64L
static long field_limit(const cat_param *p)
{
	if (p->has_max_length && p->max_length >= 1 && p->max_length < UI_EDIT_MAX_CHARS)
		return p->max_length;
	if (ui_param_is_number(p) && !cat_type_is_list(p->type))
		return NUMBER_MAX_CHARS;
	return UI_EDIT_MAX_CHARS;
}

/* A parameter the pipeline owns is read-only here: an update keeps the stack's value. */
static bool pipeline_owned_refused(console *c, const cat_param *p)
{
	if (!p->pipeline_owned)
		return false;
	console_msg(c, true,
	            "%s is the pipeline's, not the model's: read-only (an update keeps the "
	            "deployed value; lmsctl deploy --set-pipeline-parameter in an emergency)",
	            p->e.name);
	return true;
}

static int begin_edit(console *c, const cat_param *p)
{
	params_state *s = st(c);
	if (pipeline_owned_refused(c, p))
		return UI_HANDLED | UI_REDRAW;
	if (ui_param_is_bool(p)) {
		const char *v = ui_model_value(&c->um, p->e.name);
		const char *nv = strcmp(v, "true") == 0 ? "false" : "true";
		int r = console_set_value(c, p->e.name, nv, p->e.name);
		console_msg(c, false, "%s: %s %s %s (u undoes)", p->e.name, v, c->sym.arrow, nv);
		return r;
	}
	if (p->allowed_values && p->allowed_values->n) {
		dialog *d = dlg_new(DLG_PICK, p->label, on_pick);
		if (!d)
			return UI_HANDLED;
		dlg_addf(d, "%s", p->description ? p->description : "");
		/* a copy: the checks below set the value for a moment */
		char *cur = strdup(ui_model_value(&c->um, p->e.name));
		if (!cur) {
			dlg_free(d);
			return UI_HANDLED;
		}
		/* what the whole model would say with each choice, against now */
		size_t now = ui_model_errors_with(&c->um, p->e.name, cur);
		for (size_t i = 0; i < p->allowed_values->n; i++) {
			const char *v = ynode_str(p->allowed_values->kids[i]);
			if (!v)
				continue;
			size_t errors = ui_model_errors_with(&c->um, p->e.name, v);
			char desc[96];
			const char *mark = errors > now ? c->sym.error : c->sym.ok;
			if (strcmp(v, cur) == 0)
				snprintf(desc, sizeof(desc), "current");
			else if (errors > now)
				snprintf(desc, sizeof(desc), "%s %zu more error(s)", mark,
				         errors - now);
			else if (errors < now)
				snprintf(desc, sizeof(desc), "%s fixes %zu error(s)", mark,
				         now - errors);
			else
				snprintf(desc, sizeof(desc), "%s no new errors", mark);
			dlg_pick_add(d, v, desc);
		}
		d->initial = strdup(*cur ? cur : "''");
		free(cur);
		d->ctx_str = strdup(p->e.name);
		dlg_push(c, d);
		return UI_HANDLED | UI_REDRAW;
	}
	unsigned flags = 0;
	if (p->no_echo)
		flags |= EDIT_MASKED;
	if (ui_param_is_number(p))
		flags |= EDIT_NUMERIC;
	if (cat_type_is_list(p->type))
		flags |= EDIT_LIST;
	s->edit_param = p;
	s->focus_side = false;
	/* placed for real by the next draw, which knows the layout */
	if (!ui_edit_open(&s->edit, c->rows - 3, 9, c->cols - 20, ui_model_value(&c->um, p->e.name),
	                  flags, th(&c->th, TH_CURSOR_DIM))) {
		s->edit_param = NULL;
		console_msg(c, true, "cannot open the field");
		return UI_HANDLED | UI_REDRAW;
	}
	ui_edit_limit(&s->edit, field_limit(p));
	free(s->typed);
	s->typed = NULL;
	live_check(c);
	return UI_HANDLED | UI_REDRAW;
}

static int edit_key(console *c, int key)
{
	params_state *s = st(c);
	const cat_param *p = s->edit_param;
	int r = ui_edit_key(&s->edit, key);
	if (r & EDIT_CANCEL) {
		edit_end(c);
		console_msg(c, false, "%s unchanged", p->e.name);
		return UI_HANDLED | UI_REDRAW;
	}
	if (r & EDIT_ACCEPT) {
		if (s->check_pending)
			live_check(c); /* the findings of what was typed since the last draw */
		char *v = ui_edit_value(&s->edit);
		size_t own_errors = findings_count(&s->own, SEV_ERROR);
		size_t cross_errors = findings_count(&s->cross, SEV_ERROR);
		edit_end(c);
		if (!v)
			return UI_HANDLED | UI_REDRAW;
		int res = console_set_value(c, p->e.name, v, p->e.name);
		if (own_errors + cross_errors)
			console_msg(
			    c, true,
			    "%s kept with %zu error(s): see the field's findings (u undoes)",
			    p->e.name, own_errors + cross_errors);
		else if (res & UI_MODEL_CHANGED)
			console_msg(c, false, "%s = %s", p->e.name, p->no_echo ? "(hidden)" : v);
		free(v);
		return res | UI_HANDLED | UI_REDRAW;
	}
	if (r & EDIT_REJECTED) {
		console_msg(c, true, "%s is a number: digits only", p->e.name);
		return UI_HANDLED | UI_REDRAW;
	}
	if (r & EDIT_FULL) {
		long max = field_limit(p);
		console_msg(c, true, "%s takes at most %ld characters%s: the rest was not typed",
		            p->e.name, max,
		            p->has_max_length && max == p->max_length ? " (MaxLength)" : "");
		return UI_HANDLED | UI_REDRAW;
	}
	if (r & EDIT_CHANGED)
		s->check_pending = true; /* checked by the next draw */
	return UI_HANDLED | UI_REDRAW;
}

/* ---- keys ------------------------------------------------------------------ */

static void select_group(console *c, size_t g)
{
	params_state *s = st(c);
	if (g < c->cat->ngroups)
		s->group = g;
	menu_sync(c);
}

void params_select(console *c, const cat_param *p)
{
	params_state *s = st(c);
	if (!s || !p)
		return;
	const cat_group *g = group(c, p->group);
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		if (&c->cat->params[g->params[i]] == p) {
			select_group(c, p->group);
			s->sel[p->group] = i;
			s->focus_side = false;
		}
}

static int params_key(console *c, int key)
{
	params_state *s = st(c);
	if (s->edit_param)
		return edit_key(c, key);
	const cat_group *g = group(c, s->group);
	if (!g)
		return UI_IGNORED;
	size_t *sel = &s->sel[s->group];
	int page = s->list_h > 1 ? s->list_h - 1 : 1;
	if (key == K_TAB || key == K_FN(KEY_BTAB)) {
		s->focus_side = !s->focus_side;
		return UI_HANDLED | UI_REDRAW;
	}
	if (s->focus_side) {
		size_t n = c->cat->ngroups;
		if (key_is_down(key) && s->group + 1 < n)
			select_group(c, s->group + 1);
		else if (key_is_up(key) && s->group > 0)
			select_group(c, s->group - 1);
		else if (key == 'g' || key == K_FN(KEY_HOME))
			select_group(c, 0);
		else if (key == 'G' || key == K_FN(KEY_END))
			select_group(c, n - 1);
		else if (key_is_enter(key) || key == 'l' || key == K_FN(KEY_RIGHT))
			s->focus_side = false;
		else if (!key_is_down(key) && !key_is_up(key))
			return UI_IGNORED;
		return UI_HANDLED | UI_REDRAW;
	}
	const cat_param *p = params_selected(c);
	switch (key) {
	case 'j':
	case K_FN(KEY_DOWN):
		if (*sel + 1 < g->n)
			(*sel)++;
		break;
	case 'k':
	case K_FN(KEY_UP):
		if (*sel > 0)
			(*sel)--;
		break;
	case K_FN(KEY_NPAGE):
	case K_CTRL('f'):
		*sel = *sel + (size_t)page < g->n ? *sel + (size_t)page : (g->n ? g->n - 1 : 0);
		break;
	case K_FN(KEY_PPAGE):
	case K_CTRL('b'):
		*sel = *sel > (size_t)page ? *sel - (size_t)page : 0;
		break;
	case 'g':
	case K_FN(KEY_HOME):
		*sel = 0;
		break;
	case 'G':
	case K_FN(KEY_END):
		*sel = g->n ? g->n - 1 : 0;
		break;
	case 'h':
	case K_FN(KEY_LEFT):
		s->focus_side = true;
		break;
	case ']':
		if (s->group + 1 < c->cat->ngroups)
			select_group(c, s->group + 1);
		break;
	case '[':
		if (s->group > 0)
			select_group(c, s->group - 1);
		break;
	case K_ENTER_CR:
	case K_ENTER_LF:
	case K_FN(KEY_ENTER):
	case 'e':
		return p ? begin_edit(c, p) : UI_HANDLED;
	case ' ':
		if (p && ui_param_is_bool(p))
			return begin_edit(c, p);
		return UI_IGNORED;
	case 'd':
		if (p && pipeline_owned_refused(c, p))
			return UI_HANDLED | UI_REDRAW;
		if (p && p->default_value) {
			int r = console_set_value(c, p->e.name, p->default_value, p->e.name);
			console_msg(c, false, "%s = %s (the template default; u undoes)", p->e.name,
			            p->no_echo ? "(hidden)" : p->default_value);
			return r;
		}
		return UI_HANDLED;
	case 'p':
		if (p) {
			console_set_view(c, VIEW_PREVIEW);
			preview_follow(c, p->e.name);
		}
		break;
	default:
		return UI_IGNORED;
	}
	return UI_HANDLED | UI_REDRAW;
}

static int params_click(console *c, int y, int x)
{
	params_state *s = st(c);
	if (s->edit_param)
		return UI_HANDLED;
	if (x < s->side_w) {
		int row = y - 1;
		int top = s->menu ? top_row(s->menu) : 0;
		if (row >= 0 && top >= 0 && (size_t)top + (size_t)row < c->cat->ngroups) {
			select_group(c, (size_t)top + (size_t)row);
			s->focus_side = true;
		}
		return UI_HANDLED | UI_REDRAW;
	}
	int row = y - s->list_y;
	const cat_group *g = group(c, s->group);
	if (g && row >= 0 && row < s->list_h) {
		size_t i = s->top[s->group] + (size_t)row;
		if (i < g->n) {
			bool again = s->sel[s->group] == i && !s->focus_side;
			s->sel[s->group] = i;
			s->focus_side = false;
			if (again)
				return begin_edit(c, param_at(c, s->group, i));
		}
	}
	return UI_HANDLED | UI_REDRAW;
}

static unsigned params_context(console *c)
{
	params_state *s = st(c);
	if (s->edit_param)
		return CTX_EDIT;
	if (s->focus_side)
		return CTX_SIDE;
	const cat_param *p = params_selected(c);
	unsigned ctx = CTX_LIST;
	if (p && ui_param_is_bool(p))
		ctx |= CTX_BOOL;
	else if (p && p->allowed_values)
		ctx |= CTX_PICK;
	return ctx;
}

static bool matches(console *c, const cat_param *p, const char *needle)
{
	const char *v = ui_model_value(&c->um, p->e.name);
	return ui_find_ci(p->label, strlen(p->label), needle) != (size_t)-1 ||
	       ui_find_ci(p->e.name, strlen(p->e.name), needle) != (size_t)-1 ||
	       (!p->no_echo && v && ui_find_ci(v, strlen(v), needle) != (size_t)-1) ||
	       (p->description &&
	        ui_find_ci(p->description, strlen(p->description), needle) != (size_t)-1);
}

static bool params_search(console *c, const char *needle, int dir)
{
	params_state *s = st(c);
	/* every field of every panel, in panel order, from the selected one */
	size_t total = 0;
	for (size_t g = 0; g < c->cat->ngroups; g++)
		total += c->cat->groups[g].n;
	if (!total)
		return false;
	size_t at = 0;
	for (size_t g = 0; g < s->group; g++)
		at += c->cat->groups[g].n;
	at += s->sel[s->group];
	for (size_t step = 1; step <= total; step++) {
		size_t i = dir >= 0 ? (at + step) % total : (at + total - step % total) % total;
		size_t g = 0, k = i;
		while (g < c->cat->ngroups && k >= c->cat->groups[g].n)
			k -= c->cat->groups[g++].n;
		const cat_param *p = param_at(c, g, k);
		if (p && matches(c, p, needle)) {
			params_select(c, p);
			console_msg(c, false, "%s: %s (%s)", needle, p->label,
			            c->cat->groups[g].label);
			return true;
		}
	}
	return false;
}

static void params_model_changed(console *c)
{
	(void)c;
}

const view_class view_params_class = {
    .name = "params",
    .title = "Params",
    .tab_key = '1',
    .keys = params_keys,
    .nkeys = sizeof(params_keys) / sizeof(params_keys[0]),
    .open = params_open,
    .close = params_close,
    .draw = params_draw,
    .key = params_key,
    .click = params_click,
    .context = params_context,
    .search = params_search,
    .model_changed = params_model_changed,
};
