/* The diff view: the model against its saved file before a save (`y`
 * writes, n or Esc does not), and the generated template against the
 * deployed one. Unified hunks, colored, scrollable. */
#include "tui/ui.h"

#include "common/diff.h"
#include "ops/envflow.h"
#include "ops/stackdiff.h"
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

/* ---- the deployed diff ---------------------------------------------------------------- */

static void deployed_params_text(console *c, const stack_diff *d, dialog *dl)
{
	dlg_addf(dl, "# Parameters: %zu of %zu differ\n", d->params_differ, d->nparams);
	size_t shown = 0;
	for (size_t i = 0; i < d->nparams; i++) {
		const sd_param *p = &d->params[i];
		if (p->state == SD_SAME)
			continue;
		shown++;
		switch (p->state) {
		case SD_CHANGED:
			dlg_addf(dl, "  %s %s: %s %s %s\n", c->sym.modify, p->key,
			         p->deployed ? p->deployed : "", c->sym.arrow,
			         p->model ? p->model : "");
			break;
		case SD_ADDED:
			dlg_addf(dl, "  %s %s: %s (not in the stack)\n", c->sym.add, p->key,
			         p->model ? p->model : "");
			break;
		case SD_REMOVED:
			dlg_addf(dl, "  %s %s: %s (not in the model's template)\n", c->sym.remove,
			         p->key, p->deployed ? p->deployed : "");
			break;
		case SD_MASKED:
			dlg_addf(dl, "    %s: **** (NoEcho: not compared)\n", p->key);
			break;
		case SD_OWNED:
			dlg_addf(dl, "    %s: %s (the pipeline's: an update keeps it)\n", p->key,
			         p->deployed ? p->deployed : "");
			break;
		default:
			break;
		}
	}
	if (!shown)
		dlg_addf(dl, "  every parameter as deployed\n");
}

/* `tag`: "" for the main stack's resources, "edge:" for the edge's. */
static void deployed_resources_text(console *c, const stack_diff *d, dialog *dl, const char *tag)
{
	dlg_addf(dl, "\n# Resources: %s%zu added  %s%zu modified  %s%zu removed\n", c->sym.add,
	         d->added, c->sym.modify, d->modified, c->sym.remove, d->removed);
	for (size_t i = 0; i < d->nres; i++) {
		const sd_resource *r = &d->res[i];
		const char *sym = r->state == SD_RES_ADDED     ? c->sym.add
		                  : r->state == SD_RES_REMOVED ? c->sym.remove
		                                               : c->sym.modify;
		dlg_addf(dl, "  %s %s%s (%s)%s", sym, tag, r->logical_id, r->type,
		         r->nchanged ? ":" : "");
		for (size_t k = 0; k < r->nchanged; k++)
			dlg_addf(dl, "%s %s", k ? "," : "", r->changed[k]);
		dlg_addf(dl, "\n");
	}
	if (!d->nres)
		dlg_addf(dl, "  every resource as deployed\n");
}

/* The deployed parameters as a stack's (borrowed strings; free the array only). */
static cfn_kv *kv_of_outputs(const ops_output *v, size_t n)
{
	cfn_kv *kv = calloc(n + 1, sizeof(*kv));
	for (size_t i = 0; kv && i < n; i++)
		kv[i] = (cfn_kv){v[i].key, v[i].value, false, false};
	return kv;
}

/* One stack's part of the page: its parameters, resources (each with `tag`) and the
 * unified diff of the rendered templates. */
static void deployed_text(console *c, const stack_diff *d, dialog *dl, const char *tag)
{
	deployed_params_text(c, d, dl);
	deployed_resources_text(c, d, dl, tag);
	dlg_addf(dl, "\n# Template: rendered, deployed (-) against the model (+)\n");
	if (d->unified.len)
		dlg_addf(dl, "%s", buf_cstr(&d->unified));
	else
		dlg_addf(dl, "  the same\n");
}

/* The values a deploy of the edge sends (borrowed): those known before the main stack's
 * outputs, then each parameter it takes from them at its deployed value (the main stack's
 * outputs as they were; `lmsctl diff` reads them anew). */
static cfn_kv *edge_values(const stackops *o, size_t *n)
{
	const ops_edge *e = &o->edge;
	cfn_kv *kv = calloc(e->nparams + e->nfrom + 1, sizeof(*kv));
	*n = 0;
	for (size_t i = 0; kv && i < e->nparams; i++)
		kv[(*n)++] = (cfn_kv){e->params[i].key, e->params[i].value, e->params[i].no_echo,
		                      e->params[i].keep_previous};
	for (size_t i = 0; kv && i < e->nfrom; i++)
		for (size_t j = 0; j < o->nedparams; j++)
			if (strcmp(o->edparams[j].key, e->from[i].key) == 0)
				kv[(*n)++] =
				    (cfn_kv){e->from[i].key, o->edparams[j].value, false, false};
	return kv;
}

/* The edge's part of the page, under its own heading; its sum added to `msg`. */
static void deployed_edge_text(console *c, dialog *dl, buf *msg)
{
	const stackops *o = &c->ops;
	dlg_addf(dl, "\n# Edge stack %s (%s): ", o->edge.stack, o->edge.region);
	if (!o->edeployed_template) {
		bool none = o->edge_known && !o->edge_exists;
		dlg_addf(dl, "%s\n",
		         none ? "not deployed: nothing to compare with (D creates it "
		                "after the main stack)"
		              : "not read (the message line said why)");
		buf_addf(msg, "; %s %s", o->edge.stack, none ? "not deployed" : "not read");
		return;
	}
	ef_companion ec;
	lms_error err = {0};
	size_t nvalues = 0;
	cfn_kv *values = edge_values(o, &nvalues);
	cfn_kv *kv = kv_of_outputs(o->edparams, o->nedparams);
	stack_diff d = {0};
	bool ok = ef_open(c->cat, c->m, &ec, &err) && ec.comp && values && kv;
	if (ok) {
		cfn_stack st = {
		    .name = o->edge.stack, .parameters = kv, .nparameters = o->nedparams};
		sd_input in = {.cat = ec.cat,
		               .m = ec.m,
		               .stack = &st,
		               .deployed = o->edeployed_template,
		               .deployed_len = strlen(o->edeployed_template),
		               .unified = true,
		               .values = values,
		               .nvalues = nvalues};
		ok = stack_diff_compute(&in, &d, &err);
	}
	if (ok) {
		dlg_addf(dl, "%zu parameter(s) and %zu resource(s) differ\n", d.params_differ,
		         d.nres);
		buf tag;
		buf_init(&tag, 0);
		buf_addf(&tag, "%s:", o->edge_name ? o->edge_name : "edge");
		deployed_text(c, &d, dl, buf_cstr(&tag));
		buf_free(&tag);
		buf_addf(msg, "; %s: %zu parameter(s) and %zu resource(s)", o->edge.stack,
		         d.params_differ, d.nres);
	} else {
		char *why = err.msg ? lms_error_format(&err) : NULL;
		dlg_addf(dl, "not compared: %s\n", why ? why : "out of memory");
		buf_addf(msg, "; %s not compared", o->edge.stack);
		free(why);
	}
	stack_diff_free(&d);
	ef_close(&ec);
	lms_error_clear(&err);
	free(values);
	free(kv);
}

/* The deployed diff's page: the main stack's; with the edge (side_edge), the edge's after
 * it under its own heading. */
void diff_show_deployed(console *c, const char *deployed, size_t len)
{
	cfn_kv *kv = kv_of_outputs(c->ops.dparams, c->ops.ndparams);
	if (!kv)
		return;
	cfn_stack st = {.name = (char *)model_get(c->m, "stack"),
	                .parameters = kv,
	                .nparameters = c->ops.ndparams};
	sd_input in = {.cat = c->cat,
	               .m = c->m,
	               .stack = &st,
	               .deployed = deployed,
	               .deployed_len = len,
	               .unified = true};
	stack_diff d = {0};
	lms_error err = {0};
	if (!stack_diff_compute(&in, &d, &err)) {
		char *why = lms_error_format(&err);
		console_msg(c, true, "no deployed diff: %s", why ? why : "error");
		free(why);
	} else {
		buf msg;
		buf_init(&msg, 0);
		buf_addf(&msg, "%s: %zu parameter(s) and %zu resource(s) differ from the model",
		         st.name ? st.name : "the stack", d.params_differ, d.nres);
		dialog *dl = dlg_new(
		    DLG_TEXT, "Deployed diff: the stack against the model (lmsctl diff)", NULL);
		if (dl) {
			deployed_text(c, &d, dl, "");
			if (c->ops.side_edge)
				deployed_edge_text(c, dl, &msg);
			dlg_push(c, dl);
		}
		console_msg(c, false, "%s", buf_cstr(&msg));
		buf_free(&msg);
	}
	lms_error_clear(&err);
	stack_diff_free(&d);
	free(kv);
}

void diff_deployed_start(console *c)
{
	if (!c->ops.runner)
		console_msg(c, true, "%s",
		            c->ops.backend_note ? c->ops.backend_note : "no AWS access here");
	else if (!c->ops.stack_exists)
		console_msg(c, false, "no stack deployed yet: nothing to compare with");
	else if (stackops_start(c, OPS_TEMPLATE))
		console_progress(c, "reading the deployed stack (DescribeStacks, GetTemplate)...");
}
