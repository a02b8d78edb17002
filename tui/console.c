/* The console: the screen's frame (header, tabs, body, message line,
 * footer), the loop, the global keys, the `:` commands, saving, undo and
 * redo, and the recovery file. Views draw the body (view_*.c). */
#define _GNU_SOURCE /* realpath, poll with -std=c11 */
#include "tui/console.h"
#include "common/file.h"
#include "common/str.h"

#include "common/file.h"
#include "common/str.h"
#include "common/term.h"
#include "tui/ui.h"
#include "tui/ui_cmd.h"
#include "tui/ui_recover.h"
#include "tui/ui_text.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MIN_ROWS 24
#define MIN_COLS 80

static const view_class *const views[VIEW_COUNT] = {
    [VIEW_PARAMS] = &view_params_class,   [VIEW_FINDINGS] = &view_findings_class,
    [VIEW_PREVIEW] = &view_preview_class, [VIEW_DEPLOY] = &view_deploy_class,
    [VIEW_LOG] = &view_log_class,         [VIEW_DIFF] = &view_diff_class,
};

/* The global keys; `global_actions` says which named action (tui/keymap.h) each row is, for
 * the configuration's [keys]: -1 none, GLOBAL_VIEWS the row of the five views. */
#define GLOBAL_VIEWS (-2)
static const ui_binding global_keys[] = {
    {"?", "help: every key and command", 0, "help"},
    {":", "command line (Tab completes): :w :q :deploy :env prod ...", 0, "cmd"},
    {"/", "search", 0, "search"},
    {"n N", "next match, previous match", 0, NULL},
    {"1-5", "views: params, findings, preview, stack, API log", 0, NULL},
    {"Tab S-Tab", "next area, or next view", 0, NULL},
    {"u", "undo the last edit", 0, "undo"},
    {"Ctrl-R", "redo", 0, NULL},
    {"S", "save the model (:write; shows the diff first)", 0, NULL},
    {"D", "deploy: validate, change set review, confirm, events", 0, "deploy"},
    {"X", "destroy the stack (asks for the environment name)", 0, NULL},
    {"M", "messages: the last 200, in full", 0, "messages"},
    {"Esc", "back to the params view (from another view)", 0, NULL},
    {"q", "close the view; in the params view quit (asks when edits are unsaved)", 0, "quit"},
    {"Ctrl-C", "during a stack operation: detach, cancel or keep watching; else quit", 0, false},
    {"Ctrl-L", "redraw the screen", 0, NULL},
    {"Ctrl-Z", "suspend (fg to come back)", 0, NULL},
};
static const int global_actions[] = {
    KEYMAP_HELP,
    KEYMAP_CMD,
    KEYMAP_SEARCH,
    -1,
    GLOBAL_VIEWS,
    -1,
    KEYMAP_UNDO,
    KEYMAP_REDO,
    KEYMAP_SAVE,
    KEYMAP_DEPLOY,
    KEYMAP_DESTROY,
    KEYMAP_MESSAGES,
    -1,
    KEYMAP_QUIT,
    -1,
    -1,
    -1,
};
#define NGLOBAL (sizeof(global_keys) / sizeof(global_keys[0]))
_Static_assert(NGLOBAL == sizeof(global_actions) / sizeof(global_actions[0]),
               "a global key without its action");

/* The key that does action `a`: its binding, or its first default. */
static int action_key(const console *c, keymap_action a)
{
	const keymap *km = c->opts->keys;
	return km && km->key[a] ? km->key[a] : keymap_defaults(a)[0];
}

/* A view's row that names a global action's default key (the stack view's D and X): shown
 * with the key that does it now. */
static const char *view_row_keys(const console *c, const ui_binding *b)
{
	for (size_t i = 0; i < NGLOBAL; i++)
		if ((global_actions[i] == KEYMAP_DEPLOY || global_actions[i] == KEYMAP_DESTROY) &&
		    strcmp(b->keys, global_keys[i].keys) == 0)
			return c->gkeys[i].keys;
	return b->keys;
}

/* Keys the views handle beyond their help tables: a global binding there would be hidden
 * too. */
static const struct {
	int key;
	const char *what;
} unlisted_view_keys[] = {
    {'e', "the Params view's key (edit)"},
    {'0', "the Preview view's key (back to the first column)"},
    {'Y', "the save review's key (yes)"},
    {'f' & 0x1f, "the lists' key (page down)"},
    {'b' & 0x1f, "the lists' key (page up)"},
};

/* Fills c->gkeys: the global keys with the configuration's bindings in place, and the
 * help saying which default keys no longer act. */
static void global_keys_build(console *c)
{
	_Static_assert(NGLOBAL <= sizeof(c->gkeys) / sizeof(c->gkeys[0]), "gkeys too small");
	const keymap *km = c->opts->keys;
	for (size_t i = 0; i < NGLOBAL; i++) {
		ui_binding *b = &c->gkeys[i];
		*b = global_keys[i];
		int a = global_actions[i];
		char *text = c->gkey_text[i], *what = c->gkey_what[i];
		size_t tsize = sizeof(c->gkey_text[i]), wsize = sizeof(c->gkey_what[i]);
		if (a == GLOBAL_VIEWS) {
			bool any = false;
			text[0] = 0;
			for (int v = KEYMAP_VIEW_PARAMS; v <= KEYMAP_VIEW_LOG; v++) {
				char name[16];
				any = any || (km && km->key[v]);
				keymap_key_name(action_key(c, (keymap_action)v), name, sizeof name);
				size_t at = strlen(text);
				snprintf(text + at, tsize - at, "%s%s", at ? " " : "", name);
			}
			if (any) {
				snprintf(what, wsize, "%s (the configuration file's [keys])",
				         b->what);
				b->keys = text;
				b->what = what;
			}
		} else if (a >= 0 && km && km->key[a]) {
			keymap_key_name(km->key[a], text, tsize);
			char defs[32] = "";
			for (const int *d = keymap_defaults((keymap_action)a); *d; d++) {
				char name[16];
				keymap_key_name(*d, name, sizeof name);
				size_t at = strlen(defs);
				snprintf(defs + at, sizeof defs - at, "%s%s", at ? " " : "", name);
			}
			snprintf(what, wsize,
			         "%s (the configuration file's [keys]; %s no longer does)", b->what,
			         defs);
			b->keys = text;
			b->what = what;
		}
	}
	c->ngkeys = NGLOBAL;
}

char *console_key_taken(int key)
{
	for (size_t i = 0; i < sizeof unlisted_view_keys / sizeof unlisted_view_keys[0]; i++) {
		if (unlisted_view_keys[i].key == key) {
			char name[16];
			keymap_key_name(key, name, sizeof name);
			return lms_strdupf(
			    "%s is %s: there it would hide the binding; pick another "
			    "key",
			    name, unlisted_view_keys[i].what);
		}
	}
	for (int v = 0; v < VIEW_COUNT; v++) {
		const view_class *vc = views[v];
		for (size_t i = 0; i < vc->nkeys; i++) {
			/* "j k", "Ctrl-A Ctrl-E": each word that is a key in the [keys] grammar */
			const char *p = vc->keys[i].keys;
			while (*p) {
				size_t n = strcspn(p, " ");
				char word[16];
				snprintf(word, sizeof word, "%.*s", (int)(n < 15 ? n : 15), p);
				if (n < 16 && keymap_key_parse(word) == key)
					return lms_strdupf(
					    "%s is the %s view's key (%s): there it would hide "
					    "the binding; pick another key",
					    word, vc->title ? vc->title : vc->name,
					    vc->keys[i].what);
				p += n;
				p += strspn(p, " ");
			}
		}
	}
	return NULL;
}

static double console_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool console_has_terminal(void)
{
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

/* The message log keeps its own copy; the oldest goes when it is full. */
static void msglog_add(console *c, const char *text, bool error)
{
	size_t at = (c->msglog_head + c->msglog_n) % CONSOLE_MSGLOG;
	if (c->msglog_n == CONSOLE_MSGLOG) {
		free(c->msglog[c->msglog_head].text);
		c->msglog_head = (c->msglog_head + 1) % CONSOLE_MSGLOG;
	} else {
		c->msglog_n++;
	}
	c->msglog[at].text = strdup(text);
	c->msglog[at].error = error;
	c->msglog[at].at = time(NULL);
}

static void vmsg(console *c, bool error, const char *fmt, va_list ap)
{
	free(c->msg);
	c->msg = lms_vstrdupf(fmt, ap);
	c->msg_error = error;
	c->msg_from_job = c->in_ops;
	c->msg_progress = false;
	if (c->msg)
		msglog_add(c, c->msg, error);
}

static void vlog(console *c, bool error, const char *fmt, va_list ap)
{
	char *text = lms_vstrdupf(fmt, ap);
	if (text)
		msglog_add(c, text, error);
	free(text);
}

/* The message log (M, :messages): newest first, each message in full. */
static int show_messages(console *c)
{
	dialog *d = dlg_new(DLG_TEXT, "Messages (newest first)", NULL);
	if (!d)
		return UI_HANDLED;
	if (!c->msglog_n)
		dlg_addf(d, "No message yet.\n");
	for (size_t k = c->msglog_n; k-- > 0;) {
		size_t i = (c->msglog_head + k) % CONSOLE_MSGLOG;
		char when[16] = "";
		struct tm tm;
		if (localtime_r(&c->msglog[i].at, &tm))
			strftime(when, sizeof when, "%H:%M:%S", &tm);
		dlg_addf(d, "%s %s %s\n", when, c->msglog[i].error ? "!" : " ",
		         c->msglog[i].text ? c->msglog[i].text : "(out of memory)");
	}
	dlg_push(c, d);
	return UI_HANDLED | UI_REDRAW;
}

static void msg_clear(console *c)
{
	free(c->msg);
	c->msg = NULL;
	c->msg_error = c->msg_from_job = c->msg_progress = false;
}

static void copy_to_clipboard(console *c, const char *text)
{
	/* OSC 52: the terminal (or tmux with set-clipboard) takes it */
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	buf b;
	buf_init(&b, 0);
	buf_adds(&b, "\033]52;c;");
	size_t n = strlen(text);
	const unsigned char *p = (const unsigned char *)text;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		buf_addc(&b, b64[(v >> 18) & 63]);
		buf_addc(&b, b64[(v >> 12) & 63]);
		buf_addc(&b, i + 1 < n ? b64[(v >> 6) & 63] : '=');
		buf_addc(&b, i + 2 < n ? b64[v & 63] : '=');
	}
	buf_adds(&b, "\a");
	if (!b.failed) {
		ssize_t w = write(STDOUT_FILENO, b.data, b.len);
		(void)w;
	}
	buf_free(&b);
	(void)c;
}

/* ---- the recovery file -------------------------------------------------- */

static char *model_identity(const console *c)
{
	if (!c->m->path)
		return strdup("builtin:dev");
	char *real = realpath(c->m->path, NULL);
	return real ? real : strdup(c->m->path);
}

static void recovery_update(console *c, const char *pending_key, const char *pending_value)
{
	if (!c->recover_path)
		return;
	size_t dirty = ui_model_dirty(&c->um);
	if (dirty == 0 && !pending_key) {
		recover_remove(c->recover_path);
		return;
	}
	recover_data d = {0};
	d.model = model_identity(c);
	d.written = time(NULL);
	bool ok = d.model != NULL;
	for (size_t i = 0; ok && i < c->um.nkeys; i++) {
		const char *k = c->um.keys[i];
		if (pending_key &&
		    (strcmp(k, pending_key) == 0 ||
		     ui_model_field_param(&c->um, k) == ui_model_field_param(&c->um, pending_key)))
			continue;
		if (ui_model_is_dirty_key(&c->um, k))
			ok = recover_add(&d, k, ui_model_raw(&c->um, k));
	}
	if (ok && pending_key)
		ok = recover_add(&d, pending_key, pending_value);
	lms_error err = {0};
	if (ok && !recover_write(c->recover_path, &d, &err)) {
		if (!c->recover_failed) {
			char *s = lms_error_format(&err);
			console_msg(c, true, "%s: unsaved edits are not protected",
			            s ? s : "recovery");
			free(s);
		}
		c->recover_failed = true;
	} else {
		c->recover_failed = false;
	}
	lms_error_clear(&err);
	recover_data_free(&d);
}

static int on_recover_choice(console *c, dialog *d, int choice, const char *text, int index)
{
	(void)text;
	(void)index;
	if (choice == 'r') {
		recover_data rd = {0};
		lms_error err = {0};
		if (recover_read(c->recover_path, &rd, &err)) {
			history_begin(&c->hist, "restore");
			for (size_t i = 0; i < rd.n; i++) {
				const char *before = ui_model_raw(&c->um, rd.v[i].key);
				char *b = before ? strdup(before) : NULL;
				history_add(&c->hist, rd.v[i].key, b, rd.v[i].value);
				if (rd.v[i].value)
					model_set(c->m, rd.v[i].key, rd.v[i].value);
				free(b);
			}
			history_commit(&c->hist);
			ui_model_refresh(&c->um);
			console_msg(c, false, "restored %zu unsaved value(s); u undoes it", rd.n);
			recover_data_free(&rd);
			return UI_MODEL_CHANGED | UI_REDRAW;
		}
		char *s = lms_error_format(&err);
		console_msg(c, true, "cannot read the recovery file: %s", s ? s : "");
		free(s);
		lms_error_clear(&err);
	} else if (choice == 'd') {
		recover_remove(c->recover_path);
		console_msg(c, false, "discarded the unsaved edits of the previous session");
	} else {
		console_msg(c, false, "the recovery file stays: %s", c->recover_path);
	}
	(void)d;
	return UI_REDRAW;
}

static void recovery_offer(console *c)
{
	if (!c->recover_path)
		return;
	recover_data rd = {0};
	lms_error err = {0};
	if (!recover_read(c->recover_path, &rd, &err)) {
		if (err.msg) {
			char *s = lms_error_format(&err);
			console_msg(c, true, "%s", s ? s : "bad recovery file");
			free(s);
		}
		lms_error_clear(&err);
		return;
	}
	char *me = model_identity(c);
	bool mine = me && strcmp(me, rd.model) == 0;
	free(me);
	if (!mine || rd.n == 0) {
		recover_data_free(&rd);
		return;
	}
	dialog *d = dlg_new(DLG_CHOICE, "Unsaved edits from a previous session", on_recover_choice);
	if (d) {
		char when[64] = "";
		struct tm tmv;
		if (localtime_r(&rd.written, &tmv))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tmv);
		dlg_addf(d, "A session on this model ended with %zu unsaved value(s) (%s):\n", rd.n,
		         when);
		for (size_t i = 0; i < rd.n && i < 8; i++)
			dlg_addf(d, "  %s: %s\n", rd.v[i].key,
			         rd.v[i].value ? rd.v[i].value : "(template default)");
		if (rd.n > 8)
			dlg_addf(d, "  and %zu more\n", rd.n - 8);
		dlg_addf(d, "They are in %s.", c->recover_path);
		dlg_choice_add(d, 'r', "restore them");
		dlg_choice_add(d, 'd', "discard them");
		dlg_choice_add(d, K_ESC, "later (keep the file)");
		dlg_push(c, d);
	}
	recover_data_free(&rd);
}

/* ---- edits, undo, redo ---------------------------------------------------- */

static void model_changed(console *c)
{
	recovery_update(c, NULL, NULL);
	for (int v = 0; v < VIEW_COUNT; v++)
		if (views[v]->model_changed)
			views[v]->model_changed(c);
}

static int set_value(console *c, const char *key, const char *value, const char *label)
{
	const char *before = ui_model_raw(&c->um, key);
	if (before && value && strcmp(before, value) == 0)
		return UI_HANDLED;
	char *b = before ? strdup(before) : NULL;
	if (before && !b)
		return UI_HANDLED;
	if (!history_begin(&c->hist, label ? label : key) ||
	    !history_add(&c->hist, key, b, value)) {
		history_abort(&c->hist);
		free(b);
		console_msg(c, true, "out of memory: the edit was not made");
		return UI_HANDLED | UI_REDRAW;
	}
	if (!ui_model_apply(&c->um, key, value)) {
		history_abort(&c->hist);
		free(b);
		console_msg(c, true, "out of memory: the edit was not made");
		return UI_HANDLED | UI_REDRAW;
	}
	history_commit(&c->hist);
	free(b);
	model_changed(c);
	return UI_HANDLED | UI_REDRAW | UI_MODEL_CHANGED;
}

/* What a value looks like in a message: masked for a NoEcho parameter, the template
 * default named when the model has none. */
static void value_words(console *c, buf *b, const char *key, const char *value)
{
	const cat_param *p = ui_model_field_param(&c->um, key);
	if (value && p && p->no_echo && strcmp(p->e.name, key) == 0)
		buf_addf(b, "%s", "******** (NoEcho)");
	else if (value)
		buf_addf(b, "%s", value);
	else if (p && p->default_value && strcmp(p->e.name, key) == 0)
		buf_addf(b, "the template default %s", p->no_echo ? "(NoEcho)" : p->default_value);
	else
		buf_adds(b, "unset");
}

/* :set, :stack, :region, :env: the edit, then what it did ("X = V (was W)"), with the
 * worst finding the value now has. */
static int set_and_say(console *c, const char *key, const char *value, const char *extra)
{
	const char *raw = ui_model_raw(&c->um, key);
	char *before = raw ? strdup(raw) : NULL;
	bool same = raw && strcmp(raw, value) == 0;
	int r = set_value(c, key, value, key);
	if (!(r & UI_MODEL_CHANGED) && !same) {
		free(before);
		return r; /* set_value said why */
	}
	buf b;
	buf_init(&b, 0);
	buf_addf(&b, "%s = ", key);
	value_words(c, &b, key, value);
	if (same) {
		buf_adds(&b, " (unchanged)");
	} else {
		buf_adds(&b, " (was ");
		value_words(c, &b, key, before);
		buf_adds(&b, ")");
	}
	const cat_param *p = ui_model_field_param(&c->um, key);
	const ui_field_state *fs = p ? &c->um.fs[ui_model_param_index(&c->um, p)] : NULL;
	bool bad = fs && fs->nfind && fs->first >= 0 && fs->worst == SEV_ERROR;
	if (bad) {
		const finding *f = &c->um.f.v[fs->first];
		buf_addf(&b, "; %s %s", f->rule, f->message);
	}
	if (extra)
		buf_adds(&b, extra);
	console_msg(c, bad, "%s", b.failed ? "out of memory" : buf_cstr(&b));
	buf_free(&b);
	free(before);
	return r | UI_HANDLED | UI_REDRAW;
}

/* "no parameter 'X'; nearest: A, B, C" for :set and :goto. */
static void say_unknown(console *c, const char *what, const char *name, bool resources)
{
	size_t nres = 0;
	const tpl_index *ix = resources ? console_template(c) : NULL;
	if (ix)
		nres = ix->nres;
	const char **names = calloc(c->cat->nparams + nres + 1, sizeof(char *));
	char **res_ids = calloc(nres + 1, sizeof(char *));
	size_t n = 0;
	if (names && res_ids) {
		for (size_t i = 0; i < c->cat->nparams; i++)
			names[n++] = c->cat->params[i].e.name;
		for (size_t i = 0; i < nres; i++)
			if ((res_ids[i] = strndup(ix->res[i].id, ix->res[i].id_len)) != NULL)
				names[n++] = res_ids[i];
	}
	const char *near[3];
	size_t k = names ? cmd_nearest(name, (cmd_words){names, n}, near, 3) : 0;
	buf b;
	buf_init(&b, 0);
	buf_addf(&b, "no %s '%s'", what, name);
	for (size_t i = 0; i < k; i++)
		buf_addf(&b, "%s%s", i ? ", " : "; nearest: ", near[i]);
	buf_adds(&b, k ? " (Tab completes the names)" : " (none close; Tab completes the names)");
	console_msg(c, true, "%s", b.failed ? "out of memory" : buf_cstr(&b));
	buf_free(&b);
	for (size_t i = 0; res_ids && i < nres; i++)
		free(res_ids[i]);
	free(res_ids);
	free(names);
}

/* :goto NAME: a parameter, else a resource of the preview; says where it went. */
static void goto_and_say(console *c, const char *name)
{
	const cat_param *cp = catalog_param(c->cat, name);
	if (cp) {
		console_goto_param(c, cp);
		console_msg(c, false, "%s: %s panel, %s", name,
		            cp->group < c->cat->ngroups ? c->cat->groups[cp->group].label : "no",
		            cp->label ? cp->label : name);
	} else if (console_goto_resource(c, name)) {
		const tpl_index *ix = console_template(c);
		long at = ix ? tpl_resource_find(ix, name) : -1;
		if (at >= 0 && ix->res[at].type)
			console_msg(c, false, "%s: %.*s, line %zu of the preview", name,
			            (int)ix->res[at].type_len, ix->res[at].type,
			            ix->res[at].first + 1);
		else
			console_msg(c, false, "%s: a resource in the preview", name);
	} else {
		say_unknown(c, "parameter or resource", name, true);
	}
}

static int undo_redo(console *c, bool redo)
{
	const hist_step *s = redo ? history_redo(&c->hist) : history_undo(&c->hist);
	if (!s) {
		console_msg(c, false, redo ? "nothing to redo" : "nothing to undo");
		return UI_HANDLED | UI_REDRAW;
	}
	for (size_t i = 0; i < s->n; i++) {
		size_t k = redo ? i : s->n - 1 - i;
		const hist_change *ch = &s->v[k];
		const char *v = redo ? ch->after : ch->before;
		if (v)
			model_set(c->m, ch->key, v);
		else
			ui_model_apply(&c->um, ch->key, NULL);
	}
	ui_model_refresh(&c->um);
	model_changed(c);
	if (s->n == 1) {
		const hist_change *ch = &s->v[0];
		const char *v = redo ? ch->after : ch->before;
		console_msg(c, false, "%s %s: %s", redo ? "redid" : "undid", ch->key,
		            v ? v : "(template default)");
		const cat_param *p = ui_model_field_param(&c->um, ch->key);
		if (p)
			params_select(c, p);
	} else {
		console_msg(c, false, "%s %s (%zu values)", redo ? "redid" : "undid", s->label,
		            s->n);
	}
	return UI_HANDLED | UI_REDRAW | UI_MODEL_CHANGED;
}

static int apply_profile(console *c, const char *env)
{
	if (!history_begin(&c->hist, env))
		return UI_HANDLED;
	size_t n = 0;
	for (size_t i = 0; i < c->cat->nparams; i++) {
		const cat_param *p = &c->cat->params[i];
		if (strcmp(p->e.name, MODEL_PARAM_SUFFIX) == 0)
			continue;
		const char *v = strcmp(p->e.name, MODEL_PARAM_ENVIRONMENT) == 0
		                    ? env
		                    : catalog_profile_value(c->cat, env, p->e.name);
		const char *before = ui_model_raw(&c->um, p->e.name);
		if (!v || (before && strcmp(before, v) == 0))
			continue;
		char *b = before ? strdup(before) : NULL;
		history_add(&c->hist, p->e.name, b, v);
		model_set(c->m, p->e.name, v);
		free(b);
		n++;
	}
	history_commit(&c->hist);
	ui_model_refresh(&c->um);
	model_changed(c);
	console_msg(c, false, "profile %s: %zu value(s) changed; u undoes it", env, n);
	return UI_HANDLED | UI_REDRAW | UI_MODEL_CHANGED;
}

/* ---- the template ----------------------------------------------------------- */

static const tpl_index *template_index(console *c)
{
	if (c->tpl_valid && c->tpl_generation == c->um.generation)
		return &c->tix;
	tpl_index_free(&c->tix);
	buf_reset(&c->tpl);
	free(c->tpl_error);
	c->tpl_error = NULL;
	c->tpl_valid = false;
	lms_error err = {0};
	if (!ui_model_template(&c->um, &c->tpl, &err)) {
		c->tpl_error = lms_error_format(&err);
		lms_error_clear(&err);
		return NULL;
	}
	ops_sha256_hex(c->tpl.data ? c->tpl.data : "", c->tpl.len, c->tpl_sha);
	if (!tpl_index_build(&c->tix, c->tpl.data ? c->tpl.data : "", c->tpl.len)) {
		c->tpl_error = strdup("out of memory");
		return NULL;
	}
	c->tpl_valid = true;
	c->tpl_generation = c->um.generation;
	return &c->tix;
}

/* ---- saving --------------------------------------------------------------- */

/* A save the operator is looking at: the file as the diff showed it, which is
 * what the write must still find there (file_seen). */
typedef struct save_job {
	char *path;
	bool then_quit;
	bool existed;
	buf seen; /* the file when the diff was made */
} save_job;

static void save_job_free(save_job *sj)
{
	if (!sj)
		return;
	free(sj->path);
	buf_free(&sj->seen);
	free(sj);
}

static int save_to(console *c, const char *path, bool then_quit);

/* Reloads the model's file and puts the unsaved edits back on top of it: the
 * other program's changes and the operator's, for the next :w to show. */
static int reload_keeping_edits(console *c)
{
	recover_data edits = {0};
	bool ok = true;
	for (size_t i = 0; ok && i < c->um.nkeys; i++)
		if (ui_model_is_dirty_key(&c->um, c->um.keys[i]))
			ok =
			    recover_add(&edits, c->um.keys[i], ui_model_raw(&c->um, c->um.keys[i]));
	lms_error err = {0};
	model *fresh = ok && c->m->path ? model_load(c->m->path, &err) : NULL;
	if (!fresh) {
		char *s = lms_error_format(&err);
		console_msg(c, true, "cannot reload: %s; nothing changed", s ? s : "out of memory");
		free(s);
		lms_error_clear(&err);
		recover_data_free(&edits);
		return UI_REDRAW;
	}
	model tmp = *c->m;
	*c->m = *fresh;
	*fresh = tmp;
	model_free(fresh);
	ui_model_mark_saved(&c->um);
	for (size_t i = 0; i < edits.n; i++)
		if (edits.v[i].value || !model_find(c->m, edits.v[i].key))
			ui_model_apply(&c->um, edits.v[i].key, edits.v[i].value);
	ui_model_refresh(&c->um);
	console_msg(c, false, "reloaded %s; your %zu unsaved edit(s) are on top: :w shows the diff",
	            c->m->path, edits.n);
	recover_data_free(&edits);
	model_changed(c);
	return UI_MODEL_CHANGED | UI_REDRAW;
}

static int on_save_path(console *c, dialog *d, int choice, const char *text, int index);

static int on_save_conflict(console *c, dialog *d, int choice, const char *text, int index)
{
	(void)text;
	(void)index;
	bool then_quit = c->quit_after_save;
	if (choice == 'r' && c->m->path && strcmp(d->ctx_str, c->m->path) == 0) {
		c->quit_after_save = false;
		return reload_keeping_edits(c);
	}
	if (choice == 'd')
		return save_to(c, d->ctx_str, then_quit);
	if (choice == 's') {
		dialog *in = dlg_new(DLG_INPUT, "Save the model as", on_save_path);
		if (in) {
			dlg_addf(in, "Save the model, with your edits, to another file:");
			in->initial = lms_strdupf("%s.mine", d->ctx_str);
			in->ctx_str = strdup(then_quit ? "quit" : "");
			dlg_push(c, in);
		}
		return UI_REDRAW;
	}
	c->quit_after_save = false;
	console_msg(c, false, "not saved: %s is as the other program left it", d->ctx_str);
	return UI_REDRAW;
}

/* The file changed between the diff and the write: nothing was written; the
 * operator chooses (never an overwrite without seeing the change). */
static void save_conflict(console *c, const char *path)
{
	dialog *d = dlg_new(DLG_CHOICE, "Changed on disk: not saved", on_save_conflict);
	if (!d)
		return;
	dlg_addf(d,
	         "%s was changed by another program after lmsctl read it (while the diff "
	         "was open). Nothing was written; your edits are kept.",
	         path);
	/* reloading is for the model's own file (not a file saved as) */
	if (c->m->path && strcmp(path, c->m->path) == 0)
		dlg_choice_add(d, 'r', "reload it, your edits on top");
	dlg_choice_add(d, 'd', "diff against it now, then write");
	dlg_choice_add(d, 's', "save as another file");
	dlg_choice_add(d, K_ESC, "cancel");
	d->ctx_str = strdup(path);
	dlg_push(c, d);
}

static int do_save(console *c, void *ctx, bool confirmed)
{
	save_job *sj = ctx;
	if (!confirmed) {
		console_msg(c, false, "not saved");
		c->quit_after_save = false;
		save_job_free(sj);
		return UI_HANDLED | UI_REDRAW;
	}
	lms_error err = {0};
	bool was_new = c->m->doc == NULL;
	char *old_recover = c->recover_path ? strdup(c->recover_path) : NULL;
	const file_seen seen = {sj->existed, sj->seen.data ? sj->seen.data : "", sj->seen.len};
	bool ok = model_save(c->m, c->cat, sj->path, &seen, &err);
	bool conflict = !ok && errno == ESTALE;
	if (ok && was_new) {
		/* from now on the file is the model: later saves keep its
		 * comments like any loaded model's */
		model *fresh = model_load(sj->path, &err);
		if (fresh) {
			model tmp = *c->m;
			*c->m = *fresh;
			*fresh = tmp;
			model_free(fresh);
		}
	}
	int r = UI_HANDLED | UI_REDRAW;
	if (conflict) {
		save_conflict(c, sj->path);
	} else if (!ok) {
		char *s = lms_error_format(&err);
		console_msg(c, true, "not saved: %s", s ? s : "error");
		free(s);
		c->quit_after_save = false;
	} else {
		ui_model_mark_saved(&c->um);
		ui_model_refresh(&c->um);
		if (old_recover)
			recover_remove(old_recover);
		free(c->recover_path);
		c->recover_path = recover_path(c->m->path);
		crt_set_recover_path(c->recover_path);
		recover_remove(c->recover_path);
		console_msg(c, false, "wrote %s", c->m->path ? c->m->path : sj->path);
		if (sj->then_quit) {
			c->quit = true;
			r |= UI_QUIT;
		}
		model_changed(c);
	}
	lms_error_clear(&err);
	free(old_recover);
	save_job_free(sj);
	return r;
}

static int save_to(console *c, const char *path, bool then_quit)
{
	if (console_readonly(c)) {
		console_msg(c, true, "read-only session (%s): the model is not saved",
		            console_readonly_why(c));
		return UI_HANDLED | UI_REDRAW;
	}
	save_job *sj = calloc(1, sizeof(*sj));
	if (!sj || !(sj->path = strdup(path))) {
		free(sj);
		console_msg(c, true, "out of memory: not saved");
		return UI_HANDLED | UI_REDRAW;
	}
	sj->then_quit = then_quit;
	lms_error err = {0};
	/* what the diff shows is what the write must find: read once, kept */
	sj->existed = file_read(path, (size_t)16 * 1024 * 1024, &sj->seen, &err);
	if (!sj->existed && errno != ENOENT) {
		char *s = lms_error_format(&err);
		console_msg(c, true, "not saved: %s", s ? s : "cannot read it");
		free(s);
		lms_error_clear(&err);
		save_job_free(sj);
		c->quit_after_save = false;
		return UI_HANDLED | UI_REDRAW;
	}
	lms_error_clear(&err);
	buf now;
	buf_init(&now, 0);
	bool ok =
	    c->m->doc ? model_render_update(c->m, &now) : model_render_new(c->m, c->cat, &now);
	if (!ok) {
		buf_free(&now);
		save_job_free(sj);
		console_msg(c, true, "out of memory: not saved");
		return UI_HANDLED | UI_REDRAW;
	}
	const char *old = sj->seen.data ? sj->seen.data : "";
	size_t old_len = sj->seen.len;
	buf title;
	buf_init(&title, 0);
	if (!sj->existed)
		buf_addf(&title, "new file %s", path);
	else if (c->m->doc &&
	         (old_len != c->m->doc->len || memcmp(old, c->m->doc->text, old_len) != 0) &&
	         c->m->path && strcmp(path, c->m->path) == 0)
		buf_addf(&title,
		         "%s CHANGED ON DISK since it was loaded: saving replaces those "
		         "changes",
		         path);
	else
		buf_addf(&title, "%s", path);
	c->quit_after_save = then_quit;
	diff_show(c, buf_cstr(&title), old, old_len, buf_cstr(&now), now.len, true, "write it",
	          do_save, sj);
	buf_free(&title);
	buf_free(&now);
	return UI_HANDLED | UI_REDRAW;
}

static int on_save_path(console *c, dialog *d, int choice, const char *text, int index)
{
	(void)index;
	if (choice != 'y' || !text || !*text) {
		console_msg(c, false, "not saved");
		c->quit_after_save = false;
		return UI_REDRAW;
	}
	return save_to(c, text, d->ctx_str && strcmp(d->ctx_str, "quit") == 0);
}

static void console_save(console *c, const char *path, bool then_quit)
{
	if (path) {
		save_to(c, path, then_quit);
		return;
	}
	if (c->m->path) {
		if (ui_model_dirty(&c->um) == 0 && !then_quit) {
			console_msg(c, false, "no unsaved edits: %s is up to date", c->m->path);
			return;
		}
		save_to(c, c->m->path, then_quit);
		return;
	}
	dialog *d = dlg_new(DLG_INPUT, "Save the model", on_save_path);
	if (!d)
		return;
	dlg_addf(d,
	         "This is the built-in %s model: it has no file yet. Save it to (a new "
	         "file; comments with each parameter's description are written too):",
	         console_env(c));
	buf p;
	buf_init(&p, 0);
	buf_addf(&p, "%s.yml", model_get(c->m, "stack") ? model_get(c->m, "stack") : "lms-dev");
	d->initial = buf_take(&p);
	d->ctx_str = strdup(then_quit ? "quit" : "");
	dlg_push(c, d);
}

/* ---- quitting ----------------------------------------------------------- */

static int on_quit_choice(console *c, dialog *d, int choice, const char *text, int index)
{
	(void)d;
	(void)text;
	(void)index;
	if (choice == 'w') {
		console_save(c, NULL, true);
		return UI_REDRAW;
	}
	if (choice == 'd') {
		recover_remove(c->recover_path);
		c->discarded = true;
		c->quit = true;
		return UI_QUIT;
	}
	if (choice == 'k') {
		c->quit = true; /* the recovery file keeps them */
		return UI_QUIT;
	}
	return UI_REDRAW;
}

static int console_quit(console *c)
{
	size_t dirty = ui_model_dirty(&c->um);
	if (dirty == 0 && !deploy_running(c)) {
		c->quit = true;
		return UI_QUIT;
	}
	dialog *d = dlg_new(DLG_CHOICE, "Quit lmsctl?", on_quit_choice);
	if (!d)
		return UI_HANDLED;
	if (dirty)
		dlg_addf(d, "%zu unsaved edit(s) to %s.\n", dirty,
		         c->m->path ? c->m->path : "the built-in model");
	if (deploy_running(c))
		dlg_addf(d, "A stack operation is running: quitting detaches from it; it goes "
		            "on in AWS.\n");
	if (dirty) {
		dlg_choice_add(d, 'w', "write, then quit");
		dlg_choice_add(d, 'd', "discard edits and quit");
		dlg_choice_add(d, 'k', "quit, keep them for next time");
	} else {
		dlg_choice_add(d, 'k', "quit");
	}
	dlg_choice_add(d, K_ESC, "stay");
	dlg_push(c, d);
	return UI_HANDLED | UI_REDRAW;
}

/* ---- views --------------------------------------------------------------- */

static void set_view(console *c, view_id v)
{
	if (v >= VIEW_COUNT || v == c->view)
		return;
	if (c->view != VIEW_DIFF)
		c->prev_view = c->view;
	c->view = v;
	if (views[v]->enter)
		views[v]->enter(c);
}

static void goto_param(console *c, const cat_param *p)
{
	console_set_view(c, VIEW_PARAMS);
	params_select(c, p);
}

static bool goto_resource(console *c, const char *logical_id)
{
	console_set_view(c, VIEW_PREVIEW);
	return preview_goto_resource(c, logical_id);
}

/* ---- help ----------------------------------------------------------------- */

/* One help entry: `head` (its keys, padded to `indent` columns), then `text` wrapped to the
 * dialog's width with the continuation lines under the text's start (the help dialog takes
 * the screen's width: dlg_layout). */
static void help_entry(console *c, dialog *d, const char *head, int indent, const char *text)
{
	int inner = c->cols - 8; /* dlg_layout: the text dialog is cols - 4 wide, 2 each side */
	size_t room = inner - indent > 20 ? (size_t)(inner - indent) : 20;
	size_t len = strlen(text);
	ui_line lines[32];
	size_t n = ui_wrap(text, len, room, c->utf8, lines, 32);
	if (n == 0) {
		dlg_addf(d, "%s\n", head);
		return;
	}
	for (size_t i = 0; i < n && i < 32; i++)
		dlg_addf(d, "%-*s%.*s\n", indent, i ? "" : head, (int)(lines[i].to - lines[i].from),
		         text + lines[i].from);
}

static void help_bindings(console *c, dialog *d, const char *title, const ui_binding *b, size_t n)
{
	dlg_addf(d, "# %s\n", title);
	for (size_t i = 0; i < n; i++) {
		char head[64];
		snprintf(head, sizeof(head), "  %-12s ", view_row_keys(c, &b[i]));
		help_entry(c, d, head, 15, b[i].what);
	}
	dlg_addf(d, "\n");
}

static int show_help(console *c)
{
	dialog *d = dlg_new(DLG_TEXT, "Help: every key and command", NULL);
	if (!d)
		return UI_HANDLED;
	const view_class *cur = views[c->view];
	help_bindings(c, d, cur->title ? cur->title : cur->name, cur->keys, cur->nkeys);
	help_bindings(c, d, "Everywhere", c->gkeys, c->ngkeys);
	for (int v = 0; v < VIEW_COUNT; v++)
		if (views[v] != cur && views[v]->nkeys)
			help_bindings(c, d, views[v]->title ? views[v]->title : views[v]->name,
			              views[v]->keys, views[v]->nkeys);
	dlg_addf(d, "# Commands (after :)\n");
	size_t n;
	const cmd_def *t = cmd_table(&n);
	for (size_t i = 0; i < n; i++) {
		char head[96];
		snprintf(head, sizeof(head), "  :%s%s%s ", t[i].name, *t[i].args ? " " : "",
		         t[i].args);
		char *what = t[i].alias ? lms_strdupf("%s (:%s)", t[i].help, t[i].alias) : NULL;
		help_entry(c, d, head, 30, what ? what : t[i].help);
		free(what);
	}
	dlg_addf(d, "\n# Editing a value\n");
	help_entry(c, d, "  ", 2,
	           "Typing checks the value at once: its own constraint (the template's "
	           "AllowedPattern, AllowedValues, Min/Max), then the cross-field rules. Enter "
	           "keeps it, Esc drops it. Ctrl-A/E start/end, Ctrl-U clears, Ctrl-W deletes a "
	           "word. A value with choices opens a pick list; a true/false value toggles. "
	           "Pasted text goes only into a field.");
	dlg_addf(d, "\n# The message line\n");
	help_entry(c, d, "  ", 2,
	           "A key clears it before it acts; a stack job's result replaces what a key "
	           "said before it. M shows the last 200 messages in full.");
	dlg_addf(d, "\n# Safety\n");
	help_entry(c, d, "  ", 2,
	           "Deploy and destroy ask before acting: y/N (No by default) for additions and "
	           "changes; the environment name typed for any replacement, removal or "
	           "destroy. Keys typed ahead are dropped before each question. --readonly (or "
	           "readonly = true for the environment in ~/.config/lmsctl/config, lifted by "
	           "--write) disables both and saving. Unsaved edits are kept in a recovery file "
	           "until saved.");
	dlg_push(c, d);
	return UI_HANDLED | UI_REDRAW;
}

/* ---- commands ------------------------------------------------------------- */

/* :set PARAM VALUE (also stack and region, which are no parameters). */
static int set_command(console *c, const char *arg)
{
	int r = 0;
	size_t nl = strcspn(arg, " \t");
	char *name = strndup(arg, nl);
	const char *value = arg + nl;
	while (*value == ' ' || *value == '\t')
		value++;
	const cat_param *cp = name ? catalog_param(c->cat, name) : NULL;
	if (!name)
		console_msg(c, true, "out of memory");
	else if (!cp && strcmp(name, "stack") != 0 && strcmp(name, "region") != 0)
		say_unknown(c, "parameter", name, false);
	else {
		r = set_and_say(c, name, value, NULL);
		if (cp)
			params_select(c, cp);
	}
	free(name);
	return r;
}

/* :export PATH: the generated template, written atomically. */
static void export_template(console *c, const char *path)
{
	const tpl_index *ix = console_template(c);
	lms_error err = {0};
	if (!ix) {
		console_msg(c, true, "no template: %s", c->tpl_error ? c->tpl_error : "error");
	} else if (!write_file_atomic(path, c->tpl.data ? c->tpl.data : "", c->tpl.len, false,
	                              &err)) {
		char *s = lms_error_format(&err);
		console_msg(c, true, "not written: %s", s ? s : "error");
		free(s);
	} else {
		console_msg(c, false, "wrote the template to %s (%zu bytes, sha256 %.12s%s)", path,
		            c->tpl.len, c->tpl_sha, c->um.errors ? "; the model has errors" : "");
	}
	lms_error_clear(&err);
}

/* :diff (the model against its saved file) or :diff deployed. */
static void diff_command(console *c, const char *arg)
{
	if (arg && strcmp(arg, "deployed") == 0) {
		diff_deployed_start(c);
		return;
	}
	if (arg) {
		console_msg(c, true, ":diff takes nothing (the saved file) or deployed");
		return;
	}
	buf now;
	buf_init(&now, 0);
	if (c->m->doc && model_render_update(c->m, &now))
		diff_show(c, c->m->path, c->m->doc->text, c->m->doc->len, buf_cstr(&now), now.len,
		          false, NULL, NULL, NULL);
	else if (!c->m->doc)
		console_msg(c, false, "the built-in model has no file to compare with");
	buf_free(&now);
}

static int run_command(console *c, const char *line)
{
	cmd_parsed p;
	if (!cmd_parse(line, &p)) {
		console_msg(c, true, "out of memory");
		return UI_HANDLED | UI_REDRAW;
	}
	int r = UI_HANDLED | UI_REDRAW;
	if (!p.def) {
		console_msg(c, true, "%s", p.error ? p.error : "not a command");
		cmd_parsed_free(&p);
		return r;
	}
	switch (p.def->id) {
	case CMD_WRITE:
		console_save(c, p.arg, false);
		break;
	case CMD_WQ:
		if (ui_model_dirty(&c->um) == 0 && !p.arg && c->m->path) {
			c->quit = true;
			r |= UI_QUIT;
		} else {
			console_save(c, p.arg, true);
		}
		break;
	case CMD_QUIT:
		r |= console_quit(c);
		break;
	case CMD_QUIT_NOW:
		c->quit = true;
		r |= UI_QUIT;
		break;
	case CMD_DEPLOY:
		r |= deploy_start(c);
		break;
	case CMD_DESTROY:
		r |= destroy_start(c);
		break;
	case CMD_DRIFT:
		r |= drift_start(c);
		break;
	case CMD_CHANGESET:
		r |= changeset_open(c, p.arg);
		break;
	case CMD_ENV:
		r |= set_and_say(c, "environment", p.arg,
		                 strcmp(p.arg, "prod") == 0
		                     ? " (PROD: the findings show what prod needs; "
		                       ":profile prod sets its values)"
		                     : NULL);
		break;
	case CMD_PROFILE:
		r |= apply_profile(c, p.arg);
		break;
	case CMD_STACK:
		r |= set_and_say(c, "stack", p.arg, NULL);
		break;
	case CMD_REGION:
		r |= set_and_say(c, "region", p.arg, NULL);
		break;
	case CMD_SET:
		r |= set_command(c, p.arg);
		break;
	case CMD_GOTO:
		goto_and_say(c, p.arg);
		break;
	case CMD_UNDO:
		r |= undo_redo(c, false);
		break;
	case CMD_REDO:
		r |= undo_redo(c, true);
		break;
	case CMD_EXPORT:
		export_template(c, p.arg);
		break;
	case CMD_THEME: {
		theme_kind k;
		if (theme_parse(p.arg, &k)) {
			theme_init(&c->th, k, c->color_allowed);
			if (!c->color_allowed && k != THEME_MONO)
				console_msg(c, false,
				            "colors are off (NO_COLOR or --no-color): mono");
			clearok(curscr, TRUE);
		}
		break;
	}
	case CMD_VIEW:
		for (int v = 0; v < VIEW_COUNT; v++)
			if (strcmp(views[v]->name, p.def->view) == 0)
				console_set_view(c, (view_id)v);
		break;
	case CMD_HELP:
		r |= show_help(c);
		break;
	case CMD_MESSAGES:
		r |= show_messages(c);
		break;
	case CMD_DIFF:
		diff_command(c, p.arg);
		break;
	default:
		break;
	}
	cmd_parsed_free(&p);
	return r;
}

/* ---- the prompt line -------------------------------------------------------- */

static void completions_clear(console *c)
{
	for (size_t i = 0; i < c->ncompletions; i++)
		free(c->completions[i]);
	free(c->completions);
	c->completions = NULL;
	c->ncompletions = c->completion_at = 0;
	free(c->completion_base);
	c->completion_base = NULL;
}

static void prompt_open(console *c, prompt_kind kind, const char *initial)
{
	ui_edit_close(&c->prompt_edit);
	completions_clear(c);
	c->prompt = kind;
	if (c->rows >= 2)
		ui_edit_open(&c->prompt_edit, c->rows - 2, 1, c->cols - 2, initial ? initial : "",
		             0, th(&c->th, TH_NORMAL));
}

static void prompt_close(console *c)
{
	ui_edit_close(&c->prompt_edit);
	completions_clear(c);
	c->prompt = PROMPT_NONE;
}

static void complete(console *c)
{
	char *line = ui_edit_value(&c->prompt_edit);
	if (!line)
		return;
	if (c->ncompletions && c->completion_base) {
		/* Tab again: the next candidate */
		c->completion_at = (c->completion_at + 1) % c->ncompletions;
		ui_edit_set(&c->prompt_edit, c->completions[c->completion_at]);
		free(line);
		return;
	}
	const char **names = calloc(c->cat->nparams + 1, sizeof(char *));
	if (!names) {
		free(line);
		return;
	}
	for (size_t i = 0; i < c->cat->nparams; i++)
		names[i] = c->cat->params[i].e.name;
	cmd_words words = {names, c->cat->nparams};
	char *cands[64];
	size_t n = cmd_complete(line, words, cands, 64);
	free(names);
	if (n == 0) {
		console_msg(c, true, "no completion");
	} else if (n == 1) {
		buf b;
		buf_init(&b, 0);
		buf_addf(&b, "%s ", cands[0]);
		ui_edit_set(&c->prompt_edit, buf_cstr(&b));
		buf_free(&b);
		free(cands[0]);
		msg_clear(c);
	} else {
		char *common = cmd_common_prefix(cands, n);
		if (common && strlen(common) > strlen(line)) {
			ui_edit_set(&c->prompt_edit, common);
			for (size_t i = 0; i < n; i++)
				free(cands[i]);
		} else {
			completions_clear(c);
			c->completions = calloc(n, sizeof(char *));
			if (c->completions) {
				for (size_t i = 0; i < n; i++)
					c->completions[i] = cands[i];
				c->ncompletions = n;
				c->completion_at = n - 1; /* the next Tab shows the first */
				c->completion_base = strdup(line);
			} else {
				for (size_t i = 0; i < n; i++)
					free(cands[i]);
			}
		}
		free(common);
	}
	free(line);
}

static int prompt_key(console *c, int key)
{
	if (key == K_TAB && c->prompt == PROMPT_COMMAND) {
		complete(c);
		return UI_HANDLED | UI_REDRAW;
	}
	int r = ui_edit_key(&c->prompt_edit, key);
	if (r & EDIT_CANCEL) {
		prompt_close(c);
		return UI_HANDLED | UI_REDRAW;
	}
	if (r & EDIT_ACCEPT) {
		char *line = ui_edit_value(&c->prompt_edit);
		prompt_kind kind = c->prompt;
		prompt_close(c);
		if (!line)
			return UI_HANDLED | UI_REDRAW;
		int res = UI_HANDLED | UI_REDRAW;
		if (kind == PROMPT_COMMAND) {
			if (*line)
				res |= run_command(c, line);
		} else if (*line) {
			free(c->last_search);
			c->last_search = strdup(line);
			c->search_dir = 1;
			const view_class *vc = views[c->view];
			if (!vc->search)
				console_msg(c, true, "this view cannot be searched");
			else if (!vc->search(c, line, 1))
				console_msg(c, true, "not found: %s", line);
		}
		free(line);
		return res;
	}
	if (r & (EDIT_CHANGED | EDIT_MOVED))
		completions_clear(c);
	return UI_HANDLED | UI_REDRAW;
}

/* ---- drawing ------------------------------------------------------------------ */

static const char *short_arn(const char *arn)
{
	const char *s = strrchr(arn, '/');
	if (!s)
		s = strrchr(arn, ':');
	return s ? s + 1 : arn;
}

static void draw_header(console *c)
{
	WINDOW *w = c->w_header;
	bool prod = console_is_prod(c);
	attr_t base = th(&c->th, prod ? TH_HEADER_PROD : TH_HEADER);
	werase(w);
	ui_fill(w, 0, 0, c->cols, base);
	int x = 0;
	const int end = c->cols;
	if (prod)
		x += ui_puts(c, w, 0, x, " PROD ", end - x, th(&c->th, TH_BADGE) | A_BOLD);
	x += ui_puts(c, w, 0, x, " lmsctl ", end - x, base | A_BOLD);
	const char *sep = c->sym.sep;
	buf b;
	buf_init(&b, 0);
	const char *stack = model_get(c->m, "stack");
	const char *region = model_get(c->m, "region");
	buf_addf(&b, "%s %s %s %s %s ", sep, stack ? stack : "?", sep,
	         prod ? "PROD" : console_env(c), sep);
	buf_addf(&b, "%s ", region ? region : "?");
	if (c->ops.account)
		buf_addf(&b, "%s %s ", sep, c->ops.account);
	else if (c->ops.runner)
		buf_addf(&b, "%s account ? ", sep);
	const char *right_dirty = NULL;
	size_t dirty = ui_model_dirty(&c->um);
	char dirtybuf[48];
	if (dirty) {
		snprintf(dirtybuf, sizeof(dirtybuf), " %s %zu unsaved ", c->sym.unsaved, dirty);
		right_dirty = dirtybuf;
	} else {
		snprintf(dirtybuf, sizeof(dirtybuf), " saved ");
		right_dirty = dirtybuf;
	}
	const char *ro = console_readonly(c) ? " READ-ONLY " : NULL;
	int right_w = (int)ui_width(c, right_dirty) + (ro ? (int)ui_width(c, ro) + 1 : 0);
	x += ui_put_cut(c, w, 0, x, buf_cstr(&b), end - x - right_w, base);
	if (c->ops.arn && x + 2 + (int)ui_width(c, short_arn(c->ops.arn)) < end - right_w) {
		buf_reset(&b);
		buf_addf(&b, "%s %s ", sep, short_arn(c->ops.arn));
		ui_put_cut(c, w, 0, x, buf_cstr(&b), end - x - right_w, base);
	}
	buf_free(&b);
	int rx = end - right_w;
	if (ro) {
		rx += ui_puts(c, w, 0, rx, ro, end - rx, th(&c->th, TH_BADGE) | A_BOLD);
		rx += 1;
	}
	ui_puts(c, w, 0, rx, right_dirty, end - rx, dirty ? (base | A_BOLD) : base);
}

static void draw_tabs(console *c)
{
	WINDOW *w = c->w_tabs;
	werase(w);
	int x = 0;
	for (int v = 0; v < VIEW_COUNT; v++) {
		const view_class *vc = views[v];
		if (!vc->tab_key)
			continue;
		bool active =
		    c->view == (view_id)v || (c->view == VIEW_DIFF && c->prev_view == (view_id)v);
		attr_t a = th(&c->th, active ? TH_TAB_ACTIVE : TH_TAB);
		char label[64], key[16];
		keymap_key_name(action_key(c, (keymap_action)(KEYMAP_VIEW_PARAMS + v)), key,
		                sizeof key);
		snprintf(label, sizeof(label), " %s %s", key, vc->title);
		c->tab_from[v] = x;
		x += ui_puts(c, w, 0, x, label, c->cols - x, a);
		if (v == VIEW_FINDINGS) {
			char cnt[48];
			if (c->um.errors) {
				snprintf(cnt, sizeof(cnt), " %s%zu", c->sym.error, c->um.errors);
				x += ui_puts(c, w, 0, x, cnt, c->cols - x,
				             active ? a : th(&c->th, TH_ERROR));
			}
			if (c->um.warnings) {
				snprintf(cnt, sizeof(cnt), " %s%zu", c->sym.warning,
				         c->um.warnings);
				x += ui_puts(c, w, 0, x, cnt, c->cols - x,
				             active ? a : th(&c->th, TH_WARNING));
			}
			if (!c->um.errors && !c->um.warnings) {
				snprintf(cnt, sizeof(cnt), " %s", c->sym.ok);
				x += ui_puts(c, w, 0, x, cnt, c->cols - x,
				             active ? a : th(&c->th, TH_OK));
			}
		}
		if (v == VIEW_DEPLOY && deploy_running(c)) {
			char cnt[48];
			if (c->ops.total)
				snprintf(cnt, sizeof(cnt), " %zu/%zu", c->ops.done, c->ops.total);
			else
				snprintf(cnt, sizeof(cnt), " %zu", c->ops.done);
			x +=
			    ui_puts(c, w, 0, x, cnt, c->cols - x, active ? a : th(&c->th, TH_INFO));
		}
		x += ui_puts(c, w, 0, x, " ", c->cols - x, a);
		x += ui_puts(c, w, 0, x, " ", c->cols - x, th(&c->th, TH_TAB));
		c->tab_to[v] = x;
	}
	/* the right side: the model's file and the stack's state */
	buf b;
	buf_init(&b, 0);
	if (c->ops.stack_known) {
		buf_addf(&b, "%s ", c->ops.stack_exists ? c->ops.stack_status : "no stack");
		if (c->ops.edge_known) /* the environment's companion (view 4) */
			buf_addf(&b, "+ edge %s ",
			         c->ops.edge_exists ? c->ops.edge_status : "none");
	} else if (c->ops.identity_error)
		buf_addf(&b, "AWS: %s ", "no access");
	buf_addf(&b, "%s ", c->m->path ? c->m->path : "(built-in model)");
	int wd = (int)ui_width(c, buf_cstr(&b));
	if (x + wd < c->cols)
		ui_puts(c, w, 0, c->cols - wd, buf_cstr(&b), wd, th(&c->th, TH_DIM));
	else if (c->cols - x > 8)
		ui_put_cut(c, w, 0, x, buf_cstr(&b), c->cols - x - 1, th(&c->th, TH_DIM));
	buf_free(&b);
}

static void draw_msg(console *c)
{
	WINDOW *w = c->w_msg;
	werase(w);
	if (c->prompt != PROMPT_NONE) {
		ui_puts(c, w, 0, 0, c->prompt == PROMPT_COMMAND ? ":" : "/", 1, th(&c->th, TH_KEY));
		return;
	}
	if (c->msg) {
		int x = 0;
		if (c->msg_error)
			x += ui_puts(c, w, 0, 0, c->sym.error, 2, th(&c->th, TH_MSG_ERROR)) + 1;
		/* a message longer than the line says where it is in full */
		static const char more[] = " (M: in full)";
		int room = c->cols - x - 1;
		bool cut = (int)ui_width(c, c->msg) > room;
		x += ui_put_cut(c, w, 0, x, c->msg, cut ? room - (int)sizeof more + 1 : room,
		                th(&c->th, c->msg_error ? TH_MSG_ERROR : TH_NORMAL));
		if (cut)
			ui_puts(c, w, 0, x, more, (int)sizeof more - 1, th(&c->th, TH_KEY));
	}
}

static void draw_footer(console *c)
{
	WINDOW *w = c->w_footer;
	werase(w);
	int x = 0;
	attr_t key = th(&c->th, TH_KEY), text = th(&c->th, TH_DIM);
	if (c->prompt == PROMPT_COMMAND && c->ncompletions) {
		for (size_t i = 0; i < c->ncompletions && x < c->cols - 2; i++) {
			attr_t a =
			    i == c->completion_at ? th(&c->th, TH_CURSOR) : th(&c->th, TH_NORMAL);
			x += ui_put_cut(c, w, 0, x, c->completions[i], c->cols - x - 1, a);
			x += ui_puts(c, w, 0, x, "  ", c->cols - x, text);
		}
		return;
	}
	static const ui_binding prompt_keys[] = {{"Enter", "run", 0, "run"},
	                                         {"Esc", "cancel", 0, "cancel"},
	                                         {"Tab", "complete", 0, "complete"},
	                                         {"Ctrl-U", "clear", 0, "clear"}};
	const ui_binding *b;
	size_t n;
	unsigned ctx = 0;
	if (c->prompt != PROMPT_NONE) {
		b = prompt_keys;
		n = c->prompt == PROMPT_COMMAND ? 4 : 2;
	} else {
		b = views[c->view]->keys;
		n = views[c->view]->nkeys;
		ctx = views[c->view]->context ? views[c->view]->context(c) : 0;
	}
	const char *shown[32];
	size_t nshown = 0;
	for (int pass = 0; pass < 2; pass++) {
		/* the view's keys for where the cursor is, then the global ones */
		for (size_t i = 0; i < n; i++) {
			if (!b[i].hint || (b[i].when && !(b[i].when & ctx)))
				continue;
			/* a read-only session does not offer what it refuses */
			const char *keys = b == c->gkeys ? b[i].keys : view_row_keys(c, &b[i]);
			bool dup = console_readonly(c) &&
			           (strcmp(b[i].keys, "D") == 0 || strcmp(b[i].keys, "X") == 0 ||
			            (b == c->gkeys && (global_actions[i] == KEYMAP_DEPLOY ||
			                               global_actions[i] == KEYMAP_DESTROY)));
			for (size_t k = 0; k < nshown; k++)
				dup = dup || strcmp(shown[k], keys) == 0;
			if (dup)
				continue;
			if (nshown < 32)
				shown[nshown++] = keys;
			int need = (int)ui_width(c, keys) + 1 + (int)ui_width(c, b[i].hint) + 2;
			if (x + need > c->cols)
				continue;
			x += ui_puts(c, w, 0, x, keys, c->cols - x, key);
			x += ui_puts(c, w, 0, x, " ", 1, text);
			x += ui_puts(c, w, 0, x, b[i].hint, c->cols - x, text);
			x += ui_puts(c, w, 0, x, "  ", c->cols - x, text);
		}
		if (c->prompt != PROMPT_NONE || (ctx & (CTX_EDIT | CTX_DIFF_SAVE)))
			break;
		b = c->gkeys;
		n = c->ngkeys;
		ctx = 0;
	}
}

static void draw_too_small(console *c)
{
	WINDOW *w = c->w_body;
	werase(w);
	char line[160];
	snprintf(line, sizeof(line), "Terminal too small: %dx%d", c->cols, c->rows);
	int y = c->rows / 2 - 2;
	ui_puts(c, w, y > 0 ? y : 0, 1, line, c->cols - 2, th(&c->th, TH_ERROR));
	snprintf(line, sizeof(line), "lmsctl needs at least %dx%d: enlarge the window.", MIN_COLS,
	         MIN_ROWS);
	ui_put_cut(c, w, y + 1, 1, line, c->cols - 2, th(&c->th, TH_NORMAL));
	if (ui_model_dirty(&c->um))
		ui_put_cut(c, w, y + 2, 1,
		           "Unsaved edits are kept in the recovery file. Q quits now.", c->cols - 2,
		           th(&c->th, TH_NORMAL));
	else
		ui_put_cut(c, w, y + 2, 1, "q quits.", c->cols - 2, th(&c->th, TH_NORMAL));
}

/* Panels above the frame, in order: the params edit field, the prompt,
 * then the dialogs (each with its field above it). Hidden when the screen
 * is too small. */
static void stack_panels(console *c)
{
	ui_edit *pe = NULL;
	if (c->prompt != PROMPT_NONE && ui_edit_is_open(&c->prompt_edit))
		pe = &c->prompt_edit;
	if (pe && pe->panel) {
		if (c->too_small)
			hide_panel(pe->panel);
		else {
			show_panel(pe->panel);
			top_panel(pe->panel);
		}
	}
	for (size_t i = 0; i < c->ndlg; i++) {
		dialog *d = c->dlg[i];
		PANEL *ps[2] = {d->panel, d->edit.panel};
		for (int k = 0; k < 2; k++) {
			if (!ps[k])
				continue;
			if (c->too_small)
				hide_panel(ps[k]);
			else {
				show_panel(ps[k]);
				top_panel(ps[k]);
			}
		}
	}
}

static void redraw(console *c)
{
	if (c->too_small) {
		draw_too_small(c);
	} else {
		draw_header(c);
		draw_tabs(c);
		werase(c->w_body);
		int h, w;
		getmaxyx(c->w_body, h, w);
		views[c->view]->draw(c, c->w_body, h, w);
		draw_msg(c);
		draw_footer(c);
		for (size_t i = 0; i < c->ndlg; i++)
			dlg_draw(c, c->dlg[i]);
	}
	stack_panels(c);
	update_panels();
	/* the terminal's cursor: in the topmost field being edited */
	ui_edit *cur = NULL;
	if (!c->too_small) {
		dialog *d = dlg_top(c);
		if (d && ui_edit_is_open(&d->edit))
			cur = &d->edit;
		else if (!d && c->prompt != PROMPT_NONE)
			cur = &c->prompt_edit;
		else if (!d && params_editing(c) && c->view == VIEW_PARAMS)
			cur = params_edit(c);
	}
	if (cur && ui_edit_is_open(cur)) {
		curs_set(1);
		ui_edit_cursor(cur);
	} else {
		curs_set(0);
	}
	doupdate();
}

/* ---- layout ---------------------------------------------------------------- */

static void free_frame(console *c)
{
	PANEL **ps[] = {&c->p_header, &c->p_tabs, &c->p_body, &c->p_msg, &c->p_footer};
	WINDOW **ws[] = {&c->w_header, &c->w_tabs, &c->w_body, &c->w_msg, &c->w_footer};
	for (size_t i = 0; i < 5; i++) {
		if (*ps[i])
			del_panel(*ps[i]);
		if (*ws[i])
			delwin(*ws[i]);
		*ps[i] = NULL;
		*ws[i] = NULL;
	}
}

static bool layout(console *c)
{
	getmaxyx(stdscr, c->rows, c->cols);
	free_frame(c);
	c->too_small = c->rows < MIN_ROWS || c->cols < MIN_COLS;
	if (c->too_small) {
		int r = c->rows > 0 ? c->rows : 1, k = c->cols > 0 ? c->cols : 1;
		c->w_body = newwin(r, k, 0, 0);
		c->p_body = c->w_body ? new_panel(c->w_body) : NULL;
		bottom_panel(c->p_body);
		return c->p_body != NULL;
	}
	c->w_header = newwin(1, c->cols, 0, 0);
	c->w_tabs = newwin(1, c->cols, 1, 0);
	c->w_body = newwin(c->rows - 4, c->cols, 2, 0);
	c->w_msg = newwin(1, c->cols, c->rows - 2, 0);
	c->w_footer = newwin(1, c->cols, c->rows - 1, 0);
	if (!c->w_header || !c->w_tabs || !c->w_body || !c->w_msg || !c->w_footer)
		return false;
	c->p_header = new_panel(c->w_header);
	c->p_tabs = new_panel(c->w_tabs);
	c->p_body = new_panel(c->w_body);
	c->p_msg = new_panel(c->w_msg);
	c->p_footer = new_panel(c->w_footer);
	PANEL *ps[] = {c->p_footer, c->p_msg, c->p_body, c->p_tabs, c->p_header};
	for (size_t i = 0; i < 5; i++)
		if (ps[i])
			bottom_panel(ps[i]);
	if (c->prompt != PROMPT_NONE)
		ui_edit_move(&c->prompt_edit, c->rows - 2, 1, c->cols - 2);
	for (size_t i = 0; i < c->ndlg; i++)
		dlg_layout(c, c->dlg[i]);
	return true;
}

/* ---- keys ----------------------------------------------------------------- */

/* Does the named global action `a`. */
static int global_action(console *c, keymap_action a)
{
	switch (a) {
	case KEYMAP_HELP:
		return show_help(c);
	case KEYMAP_CMD:
		console_prompt_open(c, PROMPT_COMMAND, "");
		return UI_HANDLED | UI_REDRAW;
	case KEYMAP_SEARCH:
		console_prompt_open(c, PROMPT_SEARCH, "");
		return UI_HANDLED | UI_REDRAW;
	case KEYMAP_UNDO:
		return undo_redo(c, false);
	case KEYMAP_REDO:
		return undo_redo(c, true);
	case KEYMAP_SAVE:
		console_save(c, NULL, false);
		return UI_HANDLED | UI_REDRAW;
	case KEYMAP_DEPLOY:
		return deploy_start(c);
	case KEYMAP_DESTROY:
		return destroy_start(c);
	case KEYMAP_MESSAGES:
		return show_messages(c);
	case KEYMAP_QUIT:
		/* as in tig: q closes a view, and quits from the first one */
		if (c->view != VIEW_PARAMS) {
			console_set_view(c, VIEW_PARAMS);
			return UI_HANDLED | UI_REDRAW;
		}
		return console_quit(c);
	case KEYMAP_VIEW_PARAMS:
	case KEYMAP_VIEW_FINDINGS:
	case KEYMAP_VIEW_PREVIEW:
	case KEYMAP_VIEW_STACK:
	case KEYMAP_VIEW_LOG:
		console_set_view(c, (view_id)(VIEW_PARAMS + (a - KEYMAP_VIEW_PARAMS)));
		return UI_HANDLED | UI_REDRAW;
	default:
		return UI_IGNORED;
	}
}

static int global_key(console *c, int key)
{
	/* the named actions, through the configuration's [keys] */
	int a = console_action_of(c, key);
	if (a >= 0)
		return global_action(c, (keymap_action)a);
	switch (key) {
	case 'n':
	case 'N': {
		if (!c->last_search) {
			console_msg(c, false, "no search yet: / searches");
			return UI_HANDLED | UI_REDRAW;
		}
		const view_class *vc = views[c->view];
		if (vc->search && !vc->search(c, c->last_search, key == 'n' ? 1 : -1))
			console_msg(c, true, "not found: %s", c->last_search);
		return UI_HANDLED | UI_REDRAW;
	}
	case K_CTRL('c'):
		if (deploy_running(c))
			return deploy_ctrl_c(c);
		return console_quit(c);
	case K_TAB:
	case K_FN(KEY_BTAB): {
		/* views with one area: Tab moves through the views */
		static const view_id order[] = {VIEW_PARAMS, VIEW_FINDINGS, VIEW_PREVIEW,
		                                VIEW_DEPLOY, VIEW_LOG};
		int at = 0;
		for (int i = 0; i < 5; i++)
			if (order[i] == c->view)
				at = i;
		at = (at + (key == K_TAB ? 1 : 4)) % 5;
		console_set_view(c, order[at]);
		return UI_HANDLED | UI_REDRAW;
	}
	case K_ESC:
		if (c->view == VIEW_DIFF) {
			console_set_view(c, c->prev_view);
			return UI_HANDLED | UI_REDRAW;
		}
		msg_clear(c);
		if (c->view != VIEW_PARAMS)
			console_set_view(c, VIEW_PARAMS);
		return UI_HANDLED | UI_REDRAW;
	default:
		return UI_IGNORED;
	}
}

static int mouse_event(console *c)
{
	MEVENT ev;
	if (getmouse(&ev) != OK || c->too_small)
		return UI_IGNORED;
	if (c->ndlg) {
		dialog *d = dlg_top(c);
		if (d->kind == DLG_TEXT && (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)))
			return dlg_key(c, ev.bstate & BUTTON4_PRESSED ? 'k' : 'j');
		return UI_IGNORED; /* a question is answered with keys */
	}
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED)))
		return UI_IGNORED;
	if (ev.y == 1 && (ev.bstate & BUTTON1_PRESSED)) {
		/* a tab, where draw_tabs put it */
		for (int v = 0; v < VIEW_COUNT; v++) {
			if (views[v]->tab_key && ev.x >= c->tab_from[v] && ev.x < c->tab_to[v]) {
				console_set_view(c, (view_id)v);
				return UI_HANDLED | UI_REDRAW;
			}
		}
		return UI_IGNORED;
	}
	if (ev.y >= 2 && ev.y < c->rows - 2) {
		const view_class *vc = views[c->view];
		if (ev.bstate & BUTTON4_PRESSED)
			return vc->key ? vc->key(c, K_FN(KEY_UP)) : UI_IGNORED;
		if (ev.bstate & BUTTON5_PRESSED)
			return vc->key ? vc->key(c, K_FN(KEY_DOWN)) : UI_IGNORED;
		if (vc->click)
			return vc->click(c, ev.y - 2, ev.x);
	}
	return UI_IGNORED;
}

static int handle_key(console *c, int key)
{
	if (key == K_PASTE_BEGIN) {
		c->paste = true;
		return UI_HANDLED;
	}
	if (key == K_PASTE_END) {
		c->paste = false;
		return UI_HANDLED;
	}
	if (key == K_FN(KEY_RESIZE)) {
		layout(c);
		return UI_HANDLED | UI_REDRAW;
	}
	if (key == K_CTRL('l')) {
		clearok(curscr, TRUE);
		return UI_HANDLED | UI_REDRAW;
	}
	if (key == K_CTRL('z')) {
		crt_suspend(c);
		layout(c);
		return UI_HANDLED | UI_REDRAW;
	}
	if (c->too_small) {
		if (key == 'Q' || (key == 'q' && ui_model_dirty(&c->um) == 0)) {
			c->quit = true;
			return UI_QUIT;
		}
		return UI_HANDLED;
	}
	if (key == K_FN(KEY_MOUSE))
		return mouse_event(c);
	/* a key clears the message line before it acts (the log keeps it: M); what the key
	 * does may set a new one */
	msg_clear(c);
	if (c->paste) {
		/* pasted text is text: it may fill a field, never act as keys */
		dialog *d = dlg_top(c);
		if (d && d->kind == DLG_INPUT)
			return key_is_text(key) ? dlg_key(c, key) : UI_HANDLED;
		if (d) {
			console_msg(c, true, "a confirmation must be typed, not pasted");
			return UI_HANDLED | UI_REDRAW;
		}
		if (c->prompt != PROMPT_NONE)
			return key_is_text(key) ? prompt_key(c, key) : UI_HANDLED;
		if (c->view == VIEW_PARAMS && params_editing(c))
			return key_is_text(key) ? views[VIEW_PARAMS]->key(c, key) : UI_HANDLED;
		console_msg(c, true, "paste ignored: press Enter on a field first");
		return UI_HANDLED | UI_REDRAW;
	}
	if (c->ndlg)
		return dlg_key(c, key);
	if (c->prompt != PROMPT_NONE)
		return prompt_key(c, key);
	if (key == K_CTRL('c') && deploy_running(c))
		return deploy_ctrl_c(c);
	int r = views[c->view]->key ? views[c->view]->key(c, key) : UI_IGNORED;
	if (r & UI_HANDLED)
		return r;
	return global_key(c, key);
}

/* ---- the loop --------------------------------------------------------------- */

static void bench_mark(console *c, const char *what, int key)
{
	if (!c->bench.f)
		return;
	double now = console_now();
	if (!c->bench.first_done) {
		fprintf(c->bench.f, "first_screen_ms %.3f\n", (now - c->bench.t0) * 1000.0);
		c->bench.first_done = true;
	} else if (what) {
		fprintf(c->bench.f, "key %d %s_ms %.3f validations %lu\n", key, what,
		        (now - c->bench.key_at) * 1000.0, c->um.validations - c->bench.validations);
	}
	c->bench.validations = c->um.validations;
	fflush(c->bench.f);
}

static void read_ops(console *c)
{
	if (!c->ops.runner)
		return;
	ops_msg *m;
	int guard = 0;
	while ((m = ops_runner_next(c->ops.runner)) != NULL && guard++ < 4096) {
		/* a job's result replaces what a key said before it (or while it ran): cleared
		 * unless the result says something; the job's own messages stay. The start-up
		 * check ends only a note that announced it. */
		if (m->kind == OPS_MSG_DONE && c->msg && !c->msg_from_job &&
		    (m->job != OPS_STARTUP || c->msg_progress))
			msg_clear(c);
		c->in_ops = true;
		deploy_on_msg(c, m);
		c->in_ops = false;
		ops_msg_free(m);
	}
}

static void run(console *c)
{
	redraw(c);
	bench_mark(c, NULL, 0);
	while (!c->quit) {
		struct pollfd fds[3] = {
		    {STDIN_FILENO, POLLIN, 0},
		    {crt_signal_fd(), POLLIN, 0},
		    {c->ops.runner ? ops_runner_fd(c->ops.runner) : -1, POLLIN, 0}};
		/* while a stack operation runs, the elapsed times tick every second;
		 * a stale template is rebuilt when the operator pauses, so that the
		 * preview and a deploy find it ready */
		bool stale = !c->tpl_valid || c->tpl_generation != c->um.generation;
		int timeout = deploy_running(c) || c->ops.phase == DEP_PLANNING ? 1000 : -1;
		if (stale && !c->too_small)
			timeout = 40;
		int n = poll(fds, 3, timeout);
		if (n < 0 && errno != EINTR)
			break;
		if (n == 0 && stale) {
			console_template(c);
			if (timeout == 40)
				continue;
		}
		if (crt_pending_signal()) {
			crt_drain_signal_fd();
			const char *key = NULL;
			char *pending = params_pending_value(c, &key);
			/* the edit being typed is kept too */
			recovery_update(c, pending ? key : NULL, pending);
			free(pending);
			c->exit_code = 128 + crt_pending_signal();
			break;
		}
		if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			recovery_update(c, NULL, NULL);
			c->exit_code = 128 + 1; /* the terminal went away: as SIGHUP */
			break;
		}
		read_ops(c);
		int r = 0;
		wint_t wch;
		int got;
		int last_key = 0;
		while (!c->quit && (got = wget_wch(stdscr, &wch)) != ERR) {
			c->bench.key_at = console_now();
			int key = got == KEY_CODE_YES ? K_FN((int)wch) : (int)wch;
			last_key = key;
			r |= handle_key(c, key);
			if (r & UI_QUIT)
				break;
		}
		if (c->quit)
			break;
		redraw(c);
		if (last_key)
			bench_mark(c, "redraw", last_key);
	}
}

/* ---- start and end ---------------------------------------------------------- */

static bool views_open(console *c)
{
	for (int v = 0; v < VIEW_COUNT; v++)
		if (views[v]->open && !views[v]->open(c))
			return false;
	return true;
}

static void views_close(console *c)
{
	for (int v = VIEW_COUNT; v-- > 0;)
		if (views[v]->close)
			views[v]->close(c);
}

/* What the views reach the console through (ui.h). */
static const console_api api = {
    .vmsg = vmsg,
    .vlog = vlog,
    .set_view = set_view,
    .template_index = template_index,
    .set_value = set_value,
    .goto_param = goto_param,
    .goto_resource = goto_resource,
    .prompt_open = prompt_open,
    .copy = copy_to_clipboard,
};

int console_main(const catalog *cat, model *m, const console_opts *opts)
{
	console *c = calloc(1, sizeof(*c));
	if (!c) {
		term_printf(stderr, "lmsctl: out of memory\n");
		return 1;
	}
	c->bench.t0 = console_now();
	const char *bench = getenv("LMSCTL_BENCH");
	if (bench && *bench)
		c->bench.f = fopen(bench, "a");
	c->api = &api;
	c->opts = opts;
	global_keys_build(c);
	c->cat = cat;
	c->m = m;
	c->exit_code = 0;
	buf_init(&c->tpl, 0);
	history_init(&c->hist);
	lms_error err = {0};
	if (!ui_model_init(&c->um, cat, m, &err)) {
		char *s = lms_error_format(&err);
		term_printf(stderr, "lmsctl: %s\n", s ? s : "out of memory");
		free(s);
		lms_error_clear(&err);
		if (c->bench.f)
			fclose(c->bench.f);
		free(c);
		return 1;
	}
	c->recover_path = recover_path(m->path);
	crt_set_recover_path(c->recover_path);
	const char *no_color = getenv("NO_COLOR");
	c->color_allowed = !opts->no_color && !(no_color && *no_color);
	char why[512];
	int rc = 0;
	/* ours first: curses then leaves SIGINT, SIGTERM and SIGHUP alone (it
	 * installs handlers only where it finds the default) */
	crt_signals_install();
	if (!crt_init(c, why, sizeof(why))) {
		crt_signals_restore();
		term_printf(stderr, "lmsctl: %s\n", why);
		rc = 2;
		goto out;
	}
	theme_kind tk = THEME_DARK;
	if (opts->theme)
		theme_parse(opts->theme, &tk);
	theme_init(&c->th, tk, c->color_allowed);
	ui_syms_init(&c->sym, c->utf8);
	if (!views_open(c) || !layout(c)) {
		crt_done(c);
		term_printf(stderr, "lmsctl: cannot set up the screen (out of memory)\n");
		rc = 1;
		goto out_views;
	}
	stackops_init(c);
	console_set_view(c, VIEW_PARAMS);
	recovery_offer(c);
	stackops_startup(c);
	run(c);
	rc = c->exit_code;
	bool was_running = deploy_running(c);
	prompt_close(c);
	while (c->ndlg)
		dlg_pop(c);
	views_close(c);
	free_frame(c);
	crt_done(c);
	crt_signals_restore();
	if (was_running)
		term_printf(stderr,
		            "lmsctl: detached from the stack operation on %s; it goes on in AWS\n",
		            model_get(m, "stack") ? model_get(m, "stack") : "the stack");
	if (ui_model_dirty(&c->um) && c->recover_path && !c->discarded)
		term_printf(stderr,
		            "lmsctl: %zu unsaved edit(s) kept in %s; the next `lmsctl%s%s` "
		            "offers them\n",
		            ui_model_dirty(&c->um), c->recover_path, m->path ? " " : "",
		            m->path ? m->path : "");
	goto out;
out_views:
	views_close(c);
	free_frame(c);
	crt_signals_restore();
out:
	stackops_free(&c->ops);
	tpl_index_free(&c->tix);
	buf_free(&c->tpl);
	free(c->tpl_error);
	history_free(&c->hist);
	ui_model_free(&c->um);
	free(c->recover_path);
	free(c->msg);
	for (size_t i = 0; i < c->msglog_n; i++)
		free(c->msglog[(c->msglog_head + i) % CONSOLE_MSGLOG].text);
	free(c->last_search);
	completions_clear(c);
	if (c->bench.f) {
		fprintf(c->bench.f, "exit %d\n", rc);
		fclose(c->bench.f);
	}
	free(c);
	return rc;
}
