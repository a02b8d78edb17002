/* The preview: the template generated for the model, as the reviewer and
 * CloudFormation will get it, or (r) its rendered view: the template
 * resolved for the model by model/render/render.h, conditions decided, what a
 * false condition removes gone, what only AWS knows left symbolic. Both are
 * syntax-colored, scrollable, searchable, folded by resource. The generated
 * template follows a field (p in the params view) to the lines that use it;
 * resources a condition leaves out are shown dimmed and marked. The status
 * line has the size, the resource count and the SHA-256 (the deploy's change
 * set is tied to it). */
#include "tui/ui.h"

#include "model/render/render.h"
#include "tui/ui_text.h"

#include <stdlib.h>
#include <string.h>

typedef struct preview_state {
	size_t top, cursor; /* lines */
	bool *folded;       /* per resource */
	size_t nfolded;
	unsigned long generation;
	char *follow;   /* the parameter followed, or NULL */
	int rows;       /* text rows of the last draw */
	size_t hscroll; /* columns scrolled to the right (h l, arrows) */
	int text_w;     /* text columns of the last draw */
	/* the rendered view, rebuilt when the model changes */
	bool rendered;
	buf rtext;
	tpl_index rix;
	unsigned long rgeneration;
	bool rvalid;
	char *rerror;
	size_t rproblems, rresources;
	/* the other view's position, kept across r */
	size_t other_top, other_cursor;
	/* caches for the text shown (rebuilt with it): the lines that use the
	 * followed field, and which resources a condition leaves out */
	size_t *uses;
	size_t nuses;
	char *uses_of;
	bool *hidden;
	unsigned long cache_generation;
	bool cache_valid;
} preview_state;

static const ui_binding preview_keys[] = {
    {"j k", "scroll", 0, NULL},
    {"] [", "next/previous use of the field", 0, "uses"},
    {"} {", "next/previous resource", 0, NULL},
    {"h l", "scroll sideways (arrows too; 0 back to the start); « » mark cut text", 0, NULL},
    {"z", "fold/unfold resource", 0, "fold"},
    {"Z", "fold/unfold all", 0, NULL},
    {"r", "rendered view", 0, "rendered"},
    {"w", "write to a file", 0, "write"},
    {"d",
     "the deployed diff: the stack's parameters and resources against the model (also :diff "
     "deployed)",
     0, "deployed"},
    {"f", "follow the selected field", 0, NULL},
    {"g G", "top/bottom", 0, NULL},
};

static preview_state *st(console *c)
{
	return c->vs[VIEW_PREVIEW];
}

static bool preview_open(console *c)
{
	preview_state *s = calloc(1, sizeof(preview_state));
	if (!s)
		return false;
	buf_init(&s->rtext, 0);
	c->vs[VIEW_PREVIEW] = s;
	return true;
}

static void preview_close(console *c)
{
	preview_state *s = st(c);
	if (!s)
		return;
	free(s->folded);
	free(s->follow);
	free(s->uses);
	free(s->uses_of);
	free(s->hidden);
	buf_free(&s->rtext);
	tpl_index_free(&s->rix);
	free(s->rerror);
	free(s);
	c->vs[VIEW_PREVIEW] = NULL;
}

/* The rendered view for the model, rebuilt when the model changed. */
static const tpl_index *rendered_view(console *c)
{
	preview_state *s = st(c);
	if (s->rvalid && s->rgeneration == c->um.generation)
		return &s->rix;
	tpl_index_free(&s->rix);
	buf_reset(&s->rtext);
	free(s->rerror);
	s->rerror = NULL;
	s->rvalid = false;
	findings problems;
	findings_init(&problems);
	lms_error err = {0};
	rendered *r = render_template(c->cat, c->m, NULL, &problems, &err);
	if (!r || !render_emit(r, RENDER_YAML, &s->rtext)) {
		s->rerror = r ? strdup("out of memory") : lms_error_format(&err);
		lms_error_clear(&err);
		render_free(r);
		findings_free(&problems);
		return NULL;
	}
	s->rproblems = problems.n;
	s->rresources = r->nres;
	render_free(r);
	findings_free(&problems);
	if (!tpl_index_build(&s->rix, s->rtext.data ? s->rtext.data : "", s->rtext.len)) {
		s->rerror = strdup("out of memory");
		return NULL;
	}
	s->rvalid = true;
	s->rgeneration = c->um.generation;
	return &s->rix;
}

/* The text shown (the template or the rendered view), with the fold table
 * matching it. */
static const tpl_index *tpl(console *c)
{
	preview_state *s = st(c);
	const tpl_index *ix = s->rendered ? rendered_view(c) : console_template(c);
	if (!ix)
		return NULL;
	unsigned long gen = s->rendered ? s->rgeneration + (1ul << 31) : c->tpl_generation;
	if (s->generation != gen || s->nfolded != ix->nres) {
		if (s->nfolded != ix->nres) {
			free(s->folded);
			s->folded = calloc(ix->nres + 1, sizeof(bool));
			s->nfolded = s->folded ? ix->nres : 0;
		}
		s->generation = gen;
		if (s->cursor >= ix->nlines)
			s->cursor = ix->nlines ? ix->nlines - 1 : 0;
	}
	return ix;
}

static bool folded_at(const preview_state *s, const tpl_index *ix, size_t line, long *res)
{
	long r = tpl_resource_at(ix, line);
	if (res)
		*res = r;
	return r >= 0 && (size_t)r < s->nfolded && s->folded[r];
}

/* The visible line after `line` (folded resources count as their first line). */
static size_t next_visible(const preview_state *s, const tpl_index *ix, size_t line)
{
	long r;
	if (folded_at(s, ix, line, &r))
		line = ix->res[r].last;
	return line + 1 < ix->nlines ? line + 1 : line;
}

static size_t prev_visible(const preview_state *s, const tpl_index *ix, size_t line)
{
	if (line == 0)
		return 0;
	line--;
	long r;
	if (folded_at(s, ix, line, &r))
		line = ix->res[r].first;
	return line;
}

static size_t visible_start(const preview_state *s, const tpl_index *ix, size_t line)
{
	long r;
	if (folded_at(s, ix, line, &r))
		return ix->res[r].first;
	return line;
}

/* Fills the caches for the text shown, when it changed. */
static void caches(console *c, const tpl_index *ix)
{
	preview_state *s = st(c);
	if (s->cache_valid && s->cache_generation == s->generation) {
		if (!s->follow || (s->uses_of && strcmp(s->uses_of, s->follow) == 0))
			return;
	} else {
		/* which resources a false condition leaves out, by index */
		free(s->hidden);
		s->hidden = calloc(ix->nres + 1, sizeof(bool));
		for (size_t r = 0; s->hidden && !s->rendered && r < ix->nres; r++) {
			char id[256];
			size_t n =
			    ix->res[r].id_len < sizeof(id) - 1 ? ix->res[r].id_len : sizeof(id) - 1;
			memcpy(id, ix->res[r].id, n);
			id[n] = '\0';
			const cat_entry *e = catalog_entry(c->cat, SEC_RESOURCES, id);
			if (e)
				s->hidden[r] = ui_model_resource_hidden(
				    &c->um, (size_t)(e - c->cat->entries[SEC_RESOURCES]));
		}
	}
	/* the lines that use the followed field, in order */
	free(s->uses);
	free(s->uses_of);
	s->uses = NULL;
	s->uses_of = NULL;
	s->nuses = 0;
	if (s->follow && !s->rendered) {
		s->uses = malloc((ix->nlines + 1) * sizeof(size_t));
		s->uses_of = strdup(s->follow);
		for (size_t l = 0; s->uses && l < ix->nlines; l++) {
			size_t ll;
			const char *t = tpl_line(ix, l, &ll);
			if (tpl_line_uses(t, ll, s->follow))
				s->uses[s->nuses++] = l;
		}
	}
	s->cache_generation = s->generation;
	s->cache_valid = true;
}

static bool line_used(const preview_state *s, size_t line)
{
	size_t lo = 0, hi = s->nuses;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->uses[mid] < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nuses && s->uses[lo] == line;
}

static bool resource_hidden(console *c, const tpl_index *ix, long r)
{
	preview_state *s = st(c);
	return r >= 0 && (size_t)r < ix->nres && s->hidden && s->hidden[r];
}

/* Draws line `s` from column `skip` on, in `width` columns, colored by its syntax; a
 * marker where text is cut on either side. Returns the columns the text takes. */
static int draw_line(console *c, WINDOW *w, int y, int x, int width, const char *s, size_t len,
                     size_t skip, bool dim, attr_t row)
{
	static const th_role roles[YS_COUNT] = {
	    [YS_PLAIN] = TH_NORMAL,     [YS_KEY] = TH_Y_KEY,       [YS_PUNCT] = TH_Y_PUNCT,
	    [YS_STRING] = TH_Y_STRING,  [YS_NUMBER] = TH_Y_NUMBER, [YS_TAG] = TH_Y_TAG,
	    [YS_COMMENT] = TH_Y_COMMENT};
	yspan spans[64];
	size_t n = yaml_spans(s, len, spans, 64);
	if (n > 64) {
		/* more pieces than we color: the rest plain */
		n = 64;
		spans[63].to = len;
	}
	size_t skipped = 0;
	size_t off = skip ? ui_text_fit(s, len, skip, c->utf8, &skipped) : 0;
	size_t total = ui_text_width(s, len, c->utf8);
	size_t rest = total - skipped;
	int cx = x;
	for (size_t i = 0; i < n && cx < x + width; i++) {
		if (spans[i].to <= off)
			continue;
		size_t from = spans[i].from > off ? spans[i].from : off;
		attr_t a = row ? row : dim ? th(&c->th, TH_DIM) : th(&c->th, roles[spans[i].syn]);
		cx += ui_put(c, w, y, cx, s + from, spans[i].to - from, x + width - cx, a);
	}
	attr_t mark = th(&c->th, TH_KEY);
	if (off > 0 && len > 0 && width > 1)
		ui_puts(c, w, y, x, c->sym.cut_left, 1, mark);
	if (rest > (size_t)width && width > 1)
		ui_puts(c, w, y, x + width - 1, c->sym.cut_right, 1, mark);
	return rest > (size_t)width ? width : (int)rest;
}

static void highlight(console *c, WINDOW *w, int y, int x, int width, const char *s, size_t len,
                      size_t skip, const char *needle)
{
	if (!needle || !*needle)
		return;
	size_t nl = strlen(needle);
	size_t from = 0;
	while (from < len) {
		size_t at = ui_find_ci(s + from, len - from, needle);
		if (at == (size_t)-1)
			break;
		at += from;
		size_t col = ui_text_width(s, at, c->utf8);
		from = at + nl;
		if (col < skip)
			continue; /* scrolled away (or cut on the left) */
		if (col - skip >= (size_t)width)
			break;
		ui_put(c, w, y, x + (int)(col - skip), s + at, nl, width - (int)(col - skip),
		       th(&c->th, TH_MATCH));
	}
}

static void status_line(console *c, WINDOW *w, int y, int width, const tpl_index *ix)
{
	preview_state *s = st(c);
	size_t hidden = 0;
	for (size_t i = 0; i < c->cat->nentries[SEC_RESOURCES]; i++)
		hidden += ui_model_resource_hidden(&c->um, i);
	buf b;
	buf_init(&b, 0);
	/* what matters first: where the text is scrolled to, the followed field, the hash a
	 * deploy is tied to */
	if (s->hscroll)
		buf_addf(&b, " from column %zu (0: back) %s", s->hscroll + 1, c->sym.sep);
	if (s->follow && !s->rendered) {
		size_t before = 0;
		while (before < s->nuses && s->uses[before] <= s->cursor)
			before++;
		buf_addf(&b, " %s use %zu/%zu %s", s->follow, before, s->nuses, c->sym.sep);
	}
	if (s->rendered) {
		buf_addf(&b, " rendered for %s %s %zu resources exist %s %zu bytes",
		         console_env_name(c), c->sym.sep, s->rresources, c->sym.sep, s->rtext.len);
		if (s->rproblems)
			buf_addf(&b, " %s %zu rendering problem(s): lmsctl render", c->sym.sep,
			         s->rproblems);
	} else {
		buf_addf(&b, " sha256 %.12s %s %zu bytes%s %s %zu resources", c->tpl_sha,
		         c->sym.sep, c->tpl.len, c->tpl.len > 51200 ? " (via S3)" : "", c->sym.sep,
		         ix->nres);
		if (hidden)
			buf_addf(&b, " (%zu left out)", hidden);
	}
	buf_addf(&b, " %s line %zu/%zu", c->sym.sep, s->cursor + 1, ix->nlines);
	ui_fill(w, y, 1, width, th(&c->th, TH_HEADER));
	ui_put_cut(c, w, y, 1, buf_cstr(&b), width, th(&c->th, TH_HEADER));
	buf_free(&b);
}

static void preview_draw(console *c, WINDOW *w, int h, int wd)
{
	preview_state *s = st(c);
	const tpl_index *ix = tpl(c);
	ui_box(c, w, 0, 0, h, wd,
	       s->rendered ? "Rendered view (lmsctl render): resolved for the model"
	                   : "Generated template (lmsctl generate)",
	       true);
	if (!ix) {
		const char *why = s->rendered ? s->rerror : c->tpl_error;
		ui_puts(c, w, 2, 3, c->sym.error, 1, th(&c->th, TH_ERROR));
		ui_wrap_put(c, w, 2, 5, why ? why : "nothing to show", wd - 8, h - 4,
		            th(&c->th, TH_ERROR));
		return;
	}
	int rows = h - 3;
	s->rows = rows;
	if (ix->nlines == 0)
		return;
	caches(c, ix);
	s->cursor = visible_start(s, ix, s->cursor);
	s->top = visible_start(s, ix, s->top);
	if (s->cursor < s->top)
		s->top = s->cursor;
	/* keep the cursor on screen: count visible lines from top */
	for (;;) {
		size_t l = s->top;
		int r = 0;
		while (r < rows - 1 && l < s->cursor) {
			size_t nx = next_visible(s, ix, l);
			if (nx == l)
				break;
			l = nx;
			r++;
		}
		if (l >= s->cursor)
			break;
		s->top = next_visible(s, ix, s->top);
	}
	char num[24];
	snprintf(num, sizeof(num), "%zu", ix->nlines);
	int gutter = (int)strlen(num) + 2;
	int tx = 1 + gutter, tw = wd - 2 - gutter;
	s->text_w = tw;
	size_t l = s->top;
	for (int r = 0; r < rows && l < ix->nlines; r++) {
		size_t len;
		const char *t = tpl_line(ix, l, &len);
		long res;
		bool fold = folded_at(s, ix, l, &res);
		bool hidden = resource_hidden(c, ix, res);
		bool uses = s->follow && !s->rendered && line_used(s, l);
		bool cur = l == s->cursor;
		attr_t row = cur ? th(&c->th, TH_CURSOR_DIM) : 0;
		if (cur)
			ui_fill(w, 1 + r, 1, wd - 2, row);
		snprintf(num, sizeof(num), "%*zu", gutter - 2, l + 1);
		ui_puts(c, w, 1 + r, 1, num, gutter - 2,
		        uses  ? th(&c->th, TH_MATCH)
		        : row ? row
		              : th(&c->th, TH_DIM));
		const char *mark = fold                                    ? c->sym.fold_closed
		                   : (res >= 0 && ix->res[res].first == l) ? c->sym.fold_open
		                   : uses                                  ? c->sym.cursor
		                                                           : " ";
		ui_puts(c, w, 1 + r, gutter - 1, mark, 1,
		        uses ? th(&c->th, TH_MATCH) : th(&c->th, TH_DIM));
		int used = draw_line(c, w, 1 + r, tx, tw, t, len, s->hscroll, hidden, row);
		if (fold || (hidden && res >= 0 && ix->res[res].first == l)) {
			char note[160];
			if (fold)
				snprintf(note, sizeof(note), "  %s %zu lines%s", c->sym.ellipsis,
				         ix->res[res].last - ix->res[res].first,
				         hidden ? ", left out" : "");
			else
				snprintf(note, sizeof(note),
				         "  %s left out: its condition is false", c->sym.hidden);
			ui_put_cut(c, w, 1 + r, tx + used, note, tw - used, th(&c->th, TH_INFO));
		}
		if (c->last_search)
			highlight(c, w, 1 + r, tx, tw, t, len, s->hscroll, c->last_search);
		size_t nx = next_visible(s, ix, l);
		if (nx == l)
			break;
		l = nx;
	}
	status_line(c, w, h - 2, wd - 2, ix);
}

static int on_write_path(console *c, dialog *d, int choice, const char *text, int index)
{
	(void)d;
	(void)index;
	if (choice != 'y' || !text || !*text)
		return UI_REDRAW;
	const tpl_index *ix = console_template(c);
	lms_error err = {0};
	if (!ix)
		console_msg(c, true, "no template: %s", c->tpl_error ? c->tpl_error : "error");
	else if (!write_file_atomic(text, c->tpl.data ? c->tpl.data : "", c->tpl.len, false,
	                            &err)) {
		char *s = lms_error_format(&err);
		console_msg(c, true, "not written: %s", s ? s : "error");
		free(s);
	} else {
		console_msg(c, false, "wrote %s (%zu bytes, sha256 %.12s)%s", text, c->tpl.len,
		            c->tpl_sha, c->um.errors ? "; note: the model has errors" : "");
	}
	lms_error_clear(&err);
	return UI_REDRAW;
}

bool preview_goto_resource(console *c, const char *logical_id)
{
	preview_state *s = st(c);
	const tpl_index *ix = tpl(c);
	if (!ix)
		return false;
	long r = tpl_resource_find(ix, logical_id);
	if (r < 0)
		return false;
	if ((size_t)r < s->nfolded)
		s->folded[r] = false;
	s->cursor = ix->res[r].first;
	s->top = s->cursor > 2 ? s->cursor - 2 : 0;
	return true;
}

void preview_follow(console *c, const char *name)
{
	preview_state *s = st(c);
	free(s->follow);
	s->follow = name ? strdup(name) : NULL;
	const tpl_index *ix = tpl(c);
	if (!ix || !s->follow)
		return;
	/* the first use after the parameter's own definition, else the first */
	long first = tpl_find_use(ix, s->follow, 0, 1);
	long use = first >= 0 ? tpl_find_use(ix, s->follow, (size_t)first + 1, 1) : -1;
	long at = use > first ? use : first;
	if (at >= 0) {
		long r = tpl_resource_at(ix, (size_t)at);
		if (r >= 0 && (size_t)r < s->nfolded)
			s->folded[r] = false;
		s->cursor = (size_t)at;
		s->top = s->cursor > 3 ? s->cursor - 3 : 0;
	} else {
		console_msg(c, false, "%s is not used in the template", name);
	}
}

/* r: the generated template or its rendered view; each keeps its own place. */
static int toggle_rendered(console *c, preview_state *s)
{
	size_t top = s->top, cursor = s->cursor;
	s->rendered = !s->rendered;
	s->top = s->other_top;
	s->cursor = s->other_cursor;
	s->other_top = top;
	s->other_cursor = cursor;
	s->generation = 0; /* the fold table is the other text's */
	s->nfolded = (size_t)-1;
	console_msg(c, false, "%s",
	            s->rendered ? "rendered view: the template resolved for "
	                          "this model (r: the generated template)"
	                        : "the generated template (r: rendered view)");
	return UI_HANDLED | UI_REDRAW;
}

/* ] and [: the next or previous use of the field followed, unfolding its resource. */
static void jump_to_use(console *c, preview_state *s, const tpl_index *ix, int key)
{
	if (!s->follow) {
		console_msg(c, false, "no field followed: p on a field in the params view, or f");
		return;
	}
	long at = key == ']' ? tpl_find_use(ix, s->follow, s->cursor + 1, 1)
	                     : tpl_find_use(ix, s->follow, s->cursor ? s->cursor - 1 : 0, -1);
	if (at >= 0) {
		long r = tpl_resource_at(ix, (size_t)at);
		if (r >= 0 && (size_t)r < s->nfolded)
			s->folded[r] = false;
		s->cursor = (size_t)at;
	}
}

/* } and {: the next resource, or the start of this one (then the previous one). */
static void jump_to_resource(preview_state *s, const tpl_index *ix, int key)
{
	long r = tpl_resource_at(ix, s->cursor);
	size_t i;
	if (key == '}') {
		for (i = 0; i < ix->nres && ix->res[i].first <= s->cursor; i++)
			;
		if (i < ix->nres)
			s->cursor = ix->res[i].first;
		return;
	}
	size_t target = s->cursor;
	if (r >= 0 && ix->res[r].first == s->cursor && r > 0)
		target = ix->res[r - 1].first;
	else if (r >= 0)
		target = ix->res[r].first;
	else {
		for (i = ix->nres; i-- > 0;)
			if (ix->res[i].first < s->cursor) {
				target = ix->res[i].first;
				break;
			}
	}
	s->cursor = target;
}

/* z folds the resource under the cursor; Z folds every one, or unfolds them all. */
static void fold(console *c, preview_state *s, const tpl_index *ix, int key)
{
	if (key == 'z') {
		long r = tpl_resource_at(ix, s->cursor);
		if (r >= 0 && (size_t)r < s->nfolded) {
			s->folded[r] = !s->folded[r];
			s->cursor = ix->res[r].first;
		} else {
			console_msg(c, false,
			            "z folds a resource: move into one (} jumps to the next)");
		}
		return;
	}
	bool any = false;
	for (size_t i = 0; i < s->nfolded; i++)
		any = any || s->folded[i];
	for (size_t i = 0; i < s->nfolded; i++)
		s->folded[i] = !any;
	s->cursor = visible_start(s, ix, s->cursor);
	console_msg(c, false, any ? "every resource unfolded" : "every resource folded");
}

/* w: asks where to write the generated template. */
static void ask_write_path(console *c)
{
	dialog *d = dlg_new(DLG_INPUT, "Write the template", on_write_path);
	if (!d)
		return;
	dlg_addf(d,
	         "The generated template (%zu bytes, sha256 %.12s) goes to (written "
	         "atomically; an existing file is replaced):",
	         c->tpl.len, c->tpl_sha);
	buf p;
	buf_init(&p, 0);
	buf_addf(&p, "template-%s.yml", console_env_name(c));
	d->initial = buf_take(&p);
	dlg_push(c, d);
}

/* Columns one h or l scrolls sideways. */
#define PREVIEW_HSTEP 8

/* l: eight columns further right, as long as the widest line on screen has text past the
 * right edge (it stops where that line's end shows). */
static size_t hscroll_right(console *c, const preview_state *s, const tpl_index *ix)
{
	size_t widest = 0, l = s->top;
	for (int r = 0; r < s->rows && l < ix->nlines; r++) {
		size_t len;
		const char *t = tpl_line(ix, l, &len);
		size_t wdt = ui_text_width(t, len, c->utf8);
		if (wdt > widest)
			widest = wdt;
		size_t nx = next_visible(s, ix, l);
		if (nx == l)
			break;
		l = nx;
	}
	size_t room = s->text_w > 1 ? (size_t)s->text_w : 1;
	if (widest <= s->hscroll + room)
		return s->hscroll;
	size_t to = s->hscroll + PREVIEW_HSTEP;
	return to + room > widest ? widest - room : to;
}

static int preview_key(console *c, int key)
{
	preview_state *s = st(c);
	if (key == 'r')
		return toggle_rendered(c, s);
	const tpl_index *ix = tpl(c);
	if (!ix || ix->nlines == 0)
		return UI_IGNORED;
	int page = s->rows > 1 ? s->rows - 1 : 1;
	switch (key) {
	case 'j':
	case K_FN(KEY_DOWN):
		s->cursor = next_visible(s, ix, s->cursor);
		break;
	case 'k':
	case K_FN(KEY_UP):
		s->cursor = prev_visible(s, ix, s->cursor);
		break;
	case K_FN(KEY_NPAGE):
	case K_CTRL('f'):
	case ' ':
		for (int i = 0; i < page; i++)
			s->cursor = next_visible(s, ix, s->cursor);
		break;
	case K_FN(KEY_PPAGE):
	case K_CTRL('b'):
		for (int i = 0; i < page; i++)
			s->cursor = prev_visible(s, ix, s->cursor);
		break;
	case 'g':
	case K_FN(KEY_HOME):
		s->cursor = 0;
		s->top = 0;
		break;
	case 'G':
	case K_FN(KEY_END):
		s->cursor = visible_start(s, ix, ix->nlines - 1);
		break;
	case ']':
	case '[':
		jump_to_use(c, s, ix, key);
		break;
	case '}':
	case '{':
		jump_to_resource(s, ix, key);
		break;
	case 'z':
	case 'Z':
		fold(c, s, ix, key);
		break;
	case 'f': {
		const cat_param *p = params_selected(c);
		if (p)
			preview_follow(c, p->e.name);
		break;
	}
	case 'h':
	case K_FN(KEY_LEFT):
		s->hscroll = s->hscroll > PREVIEW_HSTEP ? s->hscroll - PREVIEW_HSTEP : 0;
		break;
	case 'l':
	case K_FN(KEY_RIGHT):
		s->hscroll = hscroll_right(c, s, ix);
		break;
	case '0':
		s->hscroll = 0;
		break;
	case 'w':
		ask_write_path(c);
		break;
	case 'd':
		diff_deployed_start(c);
		break;
	default:
		return UI_IGNORED;
	}
	return UI_HANDLED | UI_REDRAW;
}

static int preview_click(console *c, int y, int x)
{
	(void)x;
	preview_state *s = st(c);
	const tpl_index *ix = tpl(c);
	if (!ix || y < 1 || y > s->rows)
		return UI_HANDLED;
	size_t l = s->top;
	for (int r = 1; r < y; r++)
		l = next_visible(s, ix, l);
	s->cursor = l;
	return UI_HANDLED | UI_REDRAW;
}

static bool preview_search(console *c, const char *needle, int dir)
{
	preview_state *s = st(c);
	const tpl_index *ix = tpl(c);
	if (!ix || ix->nlines == 0)
		return false;
	size_t n = ix->nlines;
	for (size_t step = 1; step <= n; step++) {
		size_t l = dir >= 0 ? (s->cursor + step) % n : (s->cursor + n - step % n) % n;
		size_t len;
		const char *t = tpl_line(ix, l, &len);
		if (ui_find_ci(t, len, needle) != (size_t)-1) {
			long r = tpl_resource_at(ix, l);
			if (r >= 0 && (size_t)r < s->nfolded)
				s->folded[r] = false;
			s->cursor = l;
			return true;
		}
	}
	return false;
}

static void preview_enter(console *c)
{
	preview_state *s = st(c);
	const cat_param *p = params_selected(c);
	if (p && (!s->follow || strcmp(s->follow, p->e.name) != 0))
		preview_follow(c, p->e.name);
}

const view_class view_preview_class = {
    .name = "preview",
    .title = "Preview",
    .tab_key = '3',
    .keys = preview_keys,
    .nkeys = sizeof(preview_keys) / sizeof(preview_keys[0]),
    .open = preview_open,
    .close = preview_close,
    .draw = preview_draw,
    .key = preview_key,
    .click = preview_click,
    .search = preview_search,
    .enter = preview_enter,
};
