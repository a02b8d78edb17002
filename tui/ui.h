/* ui: what the console's modules share (internal to tui/). The console
 * (console.c) owns the screen, the loop and the global keys; each view is a
 * source of its own (view_*.c) registered in the view table, tig-style; key
 * handlers return a ui_result bitmask, htop-style; ui_crt.c owns the
 * terminal's state and the signals; ui_dialog.c the pop-ups (panels) and
 * ui_edit.c the one-line editor (formw).
 *
 * Global mutable state: only ui_crt.c's signal flags (a signal handler
 * cannot reach anything else). */
#ifndef LMSCTL_TUI_UI_H
#define LMSCTL_TUI_UI_H

#include "common/buf.h"
#include "ops/ops.h"
#include "tui/console.h"
#include "tui/theme.h"
#include "tui/ui_history.h"
#include "tui/ui_model.h"
#include "tui/ui_yaml.h"

#include <form.h>
#include <menu.h>
#include <panel.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* ---- keys -------------------------------------------------------------- */

/* A key is a code point, or a curses function key offset past Unicode. */
#define K_FN(k) (0x200000 + (k))
#define K_CTRL(c) ((c)&0x1f)
#define K_ESC 0x1b
#define K_ENTER_CR 0x0d
#define K_ENTER_LF 0x0a
#define K_TAB 0x09
#define K_BACKSPACE 0x7f
/* bracketed paste, bound with define_key() */
#define K_PASTE_BEGIN K_FN(KEY_MAX + 1)
#define K_PASTE_END K_FN(KEY_MAX + 2)

bool key_is_enter(int k);
bool key_is_up(int k);   /* k, up arrow */
bool key_is_down(int k); /* j, down arrow */
/* A printable character that may go into a text field. */
bool key_is_text(int k);

/* ---- results of key handlers (htop's HandlerResult) -------------------- */

enum {
	UI_IGNORED = 0,
	UI_HANDLED = 1 << 0,
	UI_REDRAW = 1 << 1,        /* redraw the screen */
	UI_MODEL_CHANGED = 1 << 2, /* a value changed: recovery file, preview */
	UI_QUIT = 1 << 3,
};

/* ---- key bindings, for help and the footer ------------------------------ */

/* Contexts a binding applies in (bits); 0: everywhere in its view. */
enum {
	CTX_SIDE = 1 << 0,      /* params: the panel list has the focus */
	CTX_LIST = 1 << 1,      /* params: the field list has the focus */
	CTX_EDIT = 1 << 2,      /* editing a value */
	CTX_REVIEW = 1 << 3,    /* deploy: reviewing a change set */
	CTX_RUNNING = 1 << 4,   /* deploy: a stack operation runs */
	CTX_DONE = 1 << 5,      /* deploy: finished, or nothing yet */
	CTX_RECOVERY = 1 << 6,  /* deploy: a failed create: delete it */
	CTX_DIFF_SAVE = 1 << 7, /* diff: before saving */
	CTX_PICK = 1 << 8,      /* a choice of AllowedValues */
	CTX_BOOL = 1 << 9,      /* a true/false field */
	CTX_CONTINUE = 1 << 10, /* deploy: a failed rollback: continue it */
};

typedef struct ui_binding {
	const char *keys; /* "j k" as shown */
	const char *what; /* for help */
	unsigned when;    /* contexts; 0: always */
	const char *hint; /* the footer's short label; NULL: help only */
} ui_binding;

/* ---- symbols: UTF-8, or ASCII when the locale is not UTF-8 ------------- */

typedef struct ui_syms {
	const char *error, *warning, *info, *ok, *unsaved, *hidden, *stateful, *cursor;
	const char *fold_closed, *fold_open, *ellipsis, *arrow, *replace, *add, *remove, *modify,
	    *progress, *sep;
	const char *cut_left, *cut_right; /* a line scrolled sideways: text cut on that side */
} ui_syms;

/* ---- views ------------------------------------------------------------- */

typedef enum {
	VIEW_PARAMS,
	VIEW_FINDINGS,
	VIEW_PREVIEW,
	VIEW_DEPLOY,
	VIEW_LOG,
	VIEW_DIFF, /* not a tab: the save review and the deployed-template diff */
	VIEW_COUNT
} view_id;

typedef struct console console;
typedef struct console_api console_api;

typedef struct view_class {
	const char *name;  /* for :commands and messages */
	const char *title; /* tab title */
	int tab_key;       /* '1'..'5', 0 for none */
	const ui_binding *keys;
	size_t nkeys;
	bool (*open)(console *c);
	void (*close)(console *c);
	/* draws the view into the body window */
	void (*draw)(console *c, WINDOW *w, int h, int wd);
	int (*key)(console *c, int key);
	/* a click at (y, x) of the body */
	int (*click)(console *c, int y, int x);
	unsigned (*context)(console *c);
	/* moves to the next (dir > 0) or previous match of `needle`; false
	 * when there is none */
	bool (*search)(console *c, const char *needle, int dir);
	/* the view became visible */
	void (*enter)(console *c);
	/* the model changed (edit, undo, load) */
	void (*model_changed)(console *c);
} view_class;

extern const view_class view_params_class;
extern const view_class view_findings_class;
extern const view_class view_preview_class;
extern const view_class view_deploy_class;
extern const view_class view_log_class;
extern const view_class view_diff_class;

/* ---- one-line editor (formw) ----------------------------------------- */

enum { EDIT_MASKED = 1 << 0, EDIT_NUMERIC = 1 << 1, EDIT_LIST = 1 << 2 };
enum {
	EDIT_IGNORED = 0,
	EDIT_MOVED = 1 << 0,
	EDIT_CHANGED = 1 << 1,
	EDIT_ACCEPT = 1 << 2,
	EDIT_CANCEL = 1 << 3,
	EDIT_TAB = 1 << 4,
	EDIT_REJECTED = 1 << 5, /* a key the field does not take (a letter in a number) */
	EDIT_FULL = 1 << 6,     /* the field holds its most characters (ui_edit_limit) */
};

/* The most characters a field takes unless told fewer: CloudFormation's limit on a
 * parameter value (4,096 bytes). */
#define UI_EDIT_MAX_CHARS 4096L

typedef struct ui_edit {
	FORM *form;
	FIELD *fields[2];
	WINDOW *win;
	PANEL *panel;
	unsigned flags;
	attr_t attr;
	int y, x, w;
	long max_chars; /* characters typed or pasted past it are refused (EDIT_FULL) */
} ui_edit;

bool ui_edit_open(ui_edit *e, int y, int x, int w, const char *value, unsigned flags, attr_t attr);
bool ui_edit_is_open(const ui_edit *e);
/* At most `max` characters (1..UI_EDIT_MAX_CHARS; others mean UI_EDIT_MAX_CHARS): a key
 * past it is refused with EDIT_FULL. A longer value already there is kept as it is. */
void ui_edit_limit(ui_edit *e, long max);
int ui_edit_key(ui_edit *e, int key);
/* The text, trailing padding removed; owned by the caller. */
char *ui_edit_value(ui_edit *e);
bool ui_edit_set(ui_edit *e, const char *value);
/* Moves it (after a resize); the text is kept, the cursor goes to the end. */
bool ui_edit_move(ui_edit *e, int y, int x, int w);
void ui_edit_close(ui_edit *e);
/* Puts the terminal's cursor in the field (after update_panels()). */
void ui_edit_cursor(ui_edit *e);

/* ---- dialogs (panels) ------------------------------------------------- */

typedef enum {
	DLG_MESSAGE, /* text; any key closes */
	DLG_CHOICE,  /* text and keys, each a choice; Esc is the default */
	DLG_TYPED,   /* text and a field: the operator types a word to confirm */
	DLG_INPUT,   /* text and a field: a path, a name */
	DLG_PICK,    /* a menu of values (menuw) */
	DLG_TEXT,    /* scrollable text (help) */
} dlg_kind;

typedef struct dlg_choice {
	int key; /* lower-case letter, or K_ESC */
	const char *label;
} dlg_choice;

typedef struct dialog dialog;
/* Called when the dialog ends: `choice` is the key chosen (K_ESC when
 * cancelled), `text` the field's text (TYPED, INPUT) or the picked item's
 * value (PICK), `index` the picked index. The dialog is freed after. */
typedef int (*dlg_done_fn)(console *c, dialog *d, int choice, const char *text, int index);

struct dialog {
	dlg_kind kind;
	char *title;
	buf body;    /* lines separated by '\n' */
	bool danger; /* a destructive confirmation: red, typed */
	dlg_choice choices[6];
	size_t nchoices;
	char *expect; /* TYPED: the word to type */
	char *initial;
	ui_edit edit;
	MENU *menu;
	ITEM **items;
	char **item_names, **item_descs;
	size_t nitems;
	int scroll;       /* TEXT */
	int choice_lines; /* CHOICE: lines the choices take */
	char *error;      /* TYPED/INPUT: why the text was refused */
	WINDOW *win;
	PANEL *panel;
	dlg_done_fn done;
	void *ctx;
	char *ctx_str;
	int h, w;
};

dialog *dlg_new(dlg_kind kind, const char *title, dlg_done_fn done);
void dlg_addf(dialog *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dlg_choice_add(dialog *d, int key, const char *label);
bool dlg_pick_add(dialog *d, const char *name, const char *desc);
/* Shows it on top (takes ownership); pending input is flushed first so that
 * keys typed ahead cannot answer it. */
void dlg_push(console *c, dialog *d);
void dlg_free(dialog *d);
/* The dialog's key handling; UI_* result. */
int dlg_key(console *c, int key);
void dlg_draw(console *c, dialog *d);
void dlg_layout(console *c, dialog *d);
dialog *dlg_top(console *c);
void dlg_pop(console *c);

/* ---- stack operations state (the deploy view and the header) ----------- */

typedef enum {
	DEP_IDLE,
	DEP_BLOCKED,  /* validation errors stop the deploy */
	DEP_PLANNING, /* creating the change set */
	DEP_REVIEW,   /* the change set, waiting for the operator */
	DEP_RUNNING,  /* executing, destroying, watching, cancelling */
	DEP_DONE,     /* settled: outputs or the root cause */
} dep_phase;

typedef struct dep_resource {
	char *logical_id, *type, *status, *reason;
	double started, finished; /* seconds since the epoch; 0 when unknown */
	bool failed;
	bool edge; /* the companion stack's (its logical id shown as "edge:Id") */
} dep_resource;

typedef struct stackops {
	ops_runner *runner; /* NULL: no backend in this build or session */
	char *backend_note; /* why there is none */
	char *account, *arn;
	char *identity_error;
	char *stack_status, *stack_reason;
	char *phase_text;
	double job_started, job_finished; /* finished: 0 while it runs */
	ops_changeset cs;                 /* the change set under review or applied */
	dep_resource *res;
	size_t nres, capres;
	size_t total; /* resources the operation works on */
	size_t done;
	long root_cause; /* index into res of the first failure, or -1 */
	char *root_reason;
	ops_output *outputs;
	size_t noutputs;
	char *error; /* the last error of a job */
	ops_call *calls;
	size_t ncalls, capcalls;
	long cursor;
	char *deployed_template; /* GetTemplate */
	ops_output *dparams;     /* DescribeStacks' parameters, for the deployed diff */
	size_t ndparams;
	/* ListStackResources, read for the destroy dialog (X) */
	ops_resource *dres;
	size_t ndres;
	char *drift; /* the last drift detection's result (OPS_MSG_DRIFT) */
	/* the edge's, read by the same drift or deployed diff job (side_edge): its drift result,
	 * deployed template and parameters; NULL when none came (not deployed, or an error) */
	char *edrift;
	char *edeployed_template;
	ops_output *edparams;
	size_t nedparams;
	bool side_edge;   /* the last drift or deployed diff job's request carried the edge */
	char *open_name;  /* :changeset NAME: the change set the OPS_OPEN job reads */
	char *open_stack; /* the model's stack when it was opened */
	dep_phase phase;
	ops_job job;     /* the last job started */
	ops_job pending; /* a job to start when the running one ends */
	int queued;      /* 'D' or 'X' pressed while the start-up job ran */
	int scroll;
	bool stack_known, stack_exists;
	bool have_cs;
	bool ok; /* the last job's result */
	bool has_pending;
	bool detached;
	bool destroy_waiting; /* X pressed: the dialog opens when the list arrives */
	/* the environment's companion stack (ops/envflow.h: the edge in us-east-1), as the
	 * model last resolved it (stackops_request); edge.stack NULL: one stack */
	ops_edge edge;
	char *edge_name;  /* the companion's name in the catalog ("edge") */
	char *edge_error; /* why it could not be resolved from the model: D and X refuse */
	char *edge_status, *edge_reason;
	bool edge_known, edge_exists;
	ops_changeset ecs; /* its change set under review (or pending: its resources) */
	bool have_ecs;
	ops_resource *edres; /* its ListStackResources, for the destroy dialog */
	size_t nedres;
	bool edge_listed;  /* edres came */
	bool edge_touched; /* the running deploy or destroy reached the edge stack */
} stackops;

/* ---- the console -------------------------------------------------------- */

typedef struct bench_log {
	FILE *f;
	double t0; /* console_main entered */
	double key_at;
	bool first_done;
	unsigned long validations; /* ui_model.validations at the last mark */
} bench_log;

typedef enum { PROMPT_NONE, PROMPT_COMMAND, PROMPT_SEARCH } prompt_kind;

/* How many messages the message log keeps (key M, :messages). */
#define CONSOLE_MSGLOG 200

struct console {
	const console_api *api; /* what the views call (console.c's) */
	const console_opts *opts;
	const catalog *cat;
	model *m;
	ui_model um;
	history hist;
	char *recover_path;

	/* terminal */
	SCREEN *screen;
	theme th;
	ui_syms sym;
	WINDOW *w_header, *w_tabs, *w_body, *w_msg, *w_footer;
	PANEL *p_header, *p_tabs, *p_body, *p_msg, *p_footer;

	/* views */
	void *vs[VIEW_COUNT]; /* each view's state */

	/* the prompt line: `:` commands, `/` search */
	ui_edit prompt_edit;
	char **completions;
	size_t ncompletions, completion_at;
	char *completion_base;
	char *last_search;

	/* dialogs, top last */
	dialog *dlg[4];
	size_t ndlg;

	/* the message line */
	char *msg;

	/* the generated template, rebuilt when the model changes */
	buf tpl;
	unsigned long tpl_generation;
	char *tpl_error;
	tpl_index tix;

	stackops ops;
	bench_log bench;

	/* (the small members last: no padding between them) */
	char tpl_sha[65];
	view_id view, prev_view;
	int tab_from[VIEW_COUNT], tab_to[VIEW_COUNT]; /* columns of the tabs drawn */
	prompt_kind prompt;
	int rows, cols;
	int search_dir;
	int exit_code;
	bool recover_failed;
	bool utf8;
	bool color_allowed;
	bool too_small;
	bool mouse;
	bool paste; /* inside a bracketed paste */
	bool msg_error;
	/* The message line's rule (docs/console.md, "The message line"): a key clears it
	 * before it acts; a stack job's result replaces or clears a message a key set. */
	bool msg_from_job; /* posted while the console read a job's messages */
	bool msg_progress; /* announces a job to come: goes when a job's result arrives */
	bool in_ops;       /* reading the backend's messages (read_ops) */
	/* The last CONSOLE_MSGLOG messages, oldest first from msglog_head (key M) */
	struct {
		char *text;
		bool error;
		time_t at;
	} msglog[CONSOLE_MSGLOG];
	/* the global keys as help and the footer show them: the configuration's [keys] in */
	ui_binding gkeys[20];
	char gkey_text[20][48];
	char gkey_what[20][160];
	size_t ngkeys;
	size_t msglog_head, msglog_n;
	bool tpl_valid;
	bool quit;
	bool discarded; /* quit dropping the unsaved edits */
	bool quit_after_save;
};

/* ---- the console, as its views reach it ---------------------------------- */

/* What console.c hands its views (c->api, set before any view runs): the only way a view
 * reaches the console. console.c drives the views through the view table; the views call
 * back through this, never into console.c itself, so no file depends on the other in a
 * circle. */
struct console_api {
	/* the message line: a note, or an error */
	void (*vmsg)(console *c, bool error, const char *fmt, va_list ap);
	/* the message log only (M): the message line keeps what it says */
	void (*vlog)(console *c, bool error, const char *fmt, va_list ap);
	void (*set_view)(console *c, view_id v);
	/* The template for the current model (rebuilt if stale); NULL on error
	 * (c->tpl_error says why). */
	const tpl_index *(*template_index)(console *c);
	/* Applies one edit as an undo step, revalidates, writes the recovery file. */
	int (*set_value)(console *c, const char *key, const char *value, const char *label);
	/* Selects a parameter in the params view and shows it. */
	void (*goto_param)(console *c, const cat_param *p);
	/* The preview at the resource with this logical id. */
	bool (*goto_resource)(console *c, const char *logical_id);
	void (*prompt_open)(console *c, prompt_kind kind, const char *initial);
	/* Copies text to the terminal's clipboard (OSC 52). */
	void (*copy)(console *c, const char *text);
};

/* The named global action (tui/keymap.h) that `key` does under the configuration's [keys],
 * or -1. */
static inline int console_action_of(const console *c, int key)
{
	int code =
	    key >= K_FN(KEY_F(1)) && key <= K_FN(KEY_F(12)) ? KEYMAP_FN(key - K_FN(KEY_F(0))) : key;
	return keymap_lookup(c->opts->keys, code);
}

/* The name of the key that does action `a` ("D", or its [keys] binding). */
static inline void console_action_key(const console *c, keymap_action a, char *out, size_t size)
{
	const keymap *km = c->opts->keys;
	keymap_key_name(km && km->key[a] ? km->key[a] : keymap_defaults(a)[0], out, size);
}

/* Whether the session is read-only (--readonly, or the configuration's readonly for the
 * model's environment without --write), and why, for messages. */
static inline bool console_readonly(const console *c)
{
	return c->opts->readonly ||
	       (c->opts->env_readonly &&
	        c->opts->env_readonly(c->opts->env_ctx, model_get(c->m, "environment")));
}

static inline const char *console_readonly_why(const console *c)
{
	return c->opts->readonly ? "--readonly"
	                         : "the configuration file makes this environment read-only; "
	                           "lmsctl --write lifts it";
}

static inline void console_log(console *c, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void console_log(console *c, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	c->api->vlog(c, error, fmt, ap);
	va_end(ap);
}

static inline void console_msg(console *c, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void console_msg(console *c, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	c->api->vmsg(c, error, fmt, ap);
	va_end(ap);
}

/* A note that announces a job ("reading the stack's state first; deploy follows"): the
 * next job result replaces it, the start-up check's included. */
static inline void console_progress(console *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void console_progress(console *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	c->api->vmsg(c, false, fmt, ap);
	va_end(ap);
	c->msg_progress = true;
}

static inline void console_set_view(console *c, view_id v)
{
	c->api->set_view(c, v);
}

static inline const tpl_index *console_template(console *c)
{
	return c->api->template_index(c);
}

static inline int console_set_value(console *c, const char *key, const char *value,
                                    const char *label)
{
	return c->api->set_value(c, key, value, label);
}

static inline void console_goto_param(console *c, const cat_param *p)
{
	c->api->goto_param(c, p);
}

static inline bool console_goto_resource(console *c, const char *logical_id)
{
	return c->api->goto_resource(c, logical_id);
}

static inline void console_prompt_open(console *c, prompt_kind kind, const char *initial)
{
	c->api->prompt_open(c, kind, initial);
}

static inline void console_copy(console *c, const char *text)
{
	c->api->copy(c, text);
}

/* The model's environment (dev when unset), whether it is prod, and a name of it for
 * typed confirmations (the suffix). */
static inline const char *console_env(const console *c)
{
	const char *e = model_get(c->m, "environment");
	return e ? e : "dev";
}

static inline bool console_is_prod(const console *c)
{
	return strcmp(console_env(c), "prod") == 0;
}

static inline const char *console_env_name(const console *c)
{
	const char *s = model_get(c->m, "suffix");
	return s && *s ? s : console_env(c);
}

/* view_params.c */
void params_select(console *c, const cat_param *p);
const cat_param *params_selected(console *c);
bool params_editing(console *c);
ui_edit *params_edit(console *c);
/* Commits or cancels an edit in progress (quit, signal): true if one was. */
char *params_pending_value(console *c, const char **key);

/* view_preview.c */
void preview_follow(console *c, const char *name);
bool preview_goto_resource(console *c, const char *logical_id);

/* view_diff.c: shows a diff. With `confirm`, `y` calls on_done(c, ctx,
 * true) and n or Esc calls on_done(c, ctx, false); on_done owns ctx. */
typedef int (*diff_done_fn)(console *c, void *ctx, bool confirmed);
void diff_show(console *c, const char *title, const char *old_text, size_t old_len,
               const char *new_text, size_t new_len, bool confirm, const char *confirm_what,
               diff_done_fn on_done, void *ctx);
/* The deployed diff (preview d, :diff deployed): the model against the deployed stack as
 * `lmsctl diff` computes it (stack_diff_compute): the parameters (NoEcho masked), the
 * resources added, removed and modified, then the unified diff of the rendered templates.
 * `deployed` is GetTemplate's body; the parameters are c->ops.dparams. */
void diff_show_deployed(console *c, const char *deployed, size_t len);
/* Starts the job that reads the deployed stack for it. */
void diff_deployed_start(console *c);

/* view_deploy.c: the one-key flows and the messages of the backend. */
int deploy_start(console *c);
int destroy_start(console *c);
int deploy_ctrl_c(console *c);
/* f in the stack view, :drift: drift detection on the ops worker; the result in a page of
 * its own (the Drift view). */
int drift_start(console *c);
/* :changeset NAME: opens the stack's pending change set NAME (OPS_OPEN: this stack's,
 * CREATE_COMPLETE, AVAILABLE, the check `lmsctl deploy --change-set` makes) for the same
 * review and confirmation as one D made; `a` executes it, n/Esc closes the review and
 * leaves it in AWS. */
int changeset_open(console *c, const char *name);
void deploy_on_msg(console *c, ops_msg *m);
bool deploy_running(const console *c);
void stackops_init(console *c);
void stackops_free(stackops *o);
void stackops_startup(console *c);
void stackops_request(console *c, ops_request *rq);
bool stackops_start(console *c, ops_job job);

/* ui_draw.c: drawing helpers */
/* Draws `s` (len bytes; any bytes) at (y, x) in at most `cols` columns;
 * returns the columns used. Controls and invalid bytes show as '?'. */
int ui_put(console *c, WINDOW *w, int y, int x, const char *s, size_t len, int cols, attr_t a);
int ui_puts(console *c, WINDOW *w, int y, int x, const char *s, int cols, attr_t a);
/* The same, with '…' when cut. */
int ui_put_cut(console *c, WINDOW *w, int y, int x, const char *s, int cols, attr_t a);
void ui_fill(WINDOW *w, int y, int x, int cols, attr_t a);
void ui_hline(console *c, WINDOW *w, int y, int x, int n, attr_t a);
void ui_vline(console *c, WINDOW *w, int y, int x, int n, attr_t a);
void ui_box(console *c, WINDOW *w, int y, int x, int h, int wd, const char *title, bool focus);
/* Wraps `s` into at most `maxlines` lines at (y, x) of width `cols`;
 * returns lines used. The last line ends with '…' when cut. */
int ui_wrap_put(console *c, WINDOW *w, int y, int x, const char *s, int cols, int maxlines,
                attr_t a);
size_t ui_width(console *c, const char *s);
void ui_syms_init(ui_syms *s, bool utf8);
const char *ui_sev_sym(const console *c, severity sev);
attr_t ui_sev_attr(const console *c, severity sev);

/* ui_crt.c: the terminal */
bool crt_init(console *c, char *why, size_t whylen);
void crt_done(console *c);
void crt_signals_install(void);
void crt_signals_restore(void);
/* 0 when none, else the signal that asks the console to end. */
int crt_pending_signal(void);
/* The fd that becomes readable when a signal arrives. */
int crt_signal_fd(void);
void crt_drain_signal_fd(void);
/* For the fatal-signal handler: the path of the recovery file to name. */
void crt_set_recover_path(const char *path);
void crt_suspend(console *c);
void crt_bracketed_paste(bool on);

#endif
