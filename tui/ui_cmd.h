/* ui_cmd: the console's `:` command line, without curses: the command table
 * (names, arguments, help), parsing a line into a command and its argument,
 * and completion. The console runs the parsed command. */
#ifndef LMSCTL_TUI_UI_CMD_H
#define LMSCTL_TUI_UI_CMD_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
	CMD_NONE,
	CMD_WRITE,    /* :write [PATH]  (:w) */
	CMD_WQ,       /* :wq */
	CMD_QUIT,     /* :quit (:q) asks when edits are unsaved */
	CMD_QUIT_NOW, /* :quit! (:q!) unsaved edits stay in the recovery file */
	CMD_DEPLOY,
	CMD_DESTROY,
	CMD_ENV,     /* :env dev|staging|prod */
	CMD_PROFILE, /* :profile dev|staging|prod */
	CMD_STACK,   /* :stack NAME */
	CMD_REGION,  /* :region NAME */
	CMD_SET,     /* :set PARAM VALUE */
	CMD_GOTO,    /* :goto PARAM */
	CMD_UNDO,
	CMD_REDO,
	CMD_EXPORT, /* :export PATH  the generated template */
	CMD_THEME,  /* :theme dark|light|mono */
	CMD_VIEW,   /* :params :findings :preview :log :deploy */
	CMD_HELP,
	CMD_DIFF,      /* :diff  the model against the saved file */
	CMD_MESSAGES,  /* :messages  the message log (key M) */
	CMD_DRIFT,     /* :drift  drift detection (f in the stack view) */
	CMD_CHANGESET, /* :changeset NAME  open a pending change set for review */
	CMD_COUNT
} cmd_id;

/* What a command's argument is, for completion and checking. */
typedef enum {
	ARG_NONE,
	ARG_OPTIONAL_PATH,
	ARG_PATH,
	ARG_ENV,
	ARG_NAME,
	ARG_PARAM,
	ARG_PARAM_VALUE,
	ARG_THEME,
} cmd_arg;

typedef struct cmd_def {
	const char *name;
	const char *alias; /* NULL when none */
	cmd_id id;
	cmd_arg arg;
	const char *args; /* "[PATH]", for help */
	const char *help;
	const char *view; /* CMD_VIEW: the view's name */
} cmd_def;

const cmd_def *cmd_table(size_t *n);
/* The command named by the first `len` bytes of `name`: a name, an alias or
 * a unique prefix of a name; NULL when none (`ambiguous` says whether more
 * than one name starts so; may be NULL). */
const cmd_def *cmd_find(const char *name, size_t len, bool *ambiguous);

typedef struct cmd_parsed {
	const cmd_def *def; /* NULL: unknown or ambiguous (see error) */
	char *arg;          /* the rest of the line, trimmed; NULL when empty */
	char *error;        /* why the line is not a command; owned */
} cmd_parsed;

/* Parses "write /tmp/x.yml", "w", "env prod", "q!". A unique prefix of a
 * name works ("dep" -> deploy). Free with cmd_parsed_free(). */
bool cmd_parse(const char *line, cmd_parsed *out);
void cmd_parsed_free(cmd_parsed *p);

/* Words the completion offers for an argument, given by the console: the
 * parameter names and the like. */
typedef struct cmd_words {
	const char *const *v;
	size_t n;
} cmd_words;

/* The candidates completing `line` (what the operator typed after ':'), as
 * full lines: "wri" -> {"write"}, "env p" -> {"env prod"}, "goto Vpc" ->
 * {"goto VpcCidr"}. `params` completes parameter names. Returns how many;
 * fills at most `max` of `out` with newly allocated strings. */
size_t cmd_complete(const char *line, cmd_words params, char **out, size_t max);

/* The names nearest `word`, for "no parameter 'X'; nearest: ..." messages: at most `max`
 * of `names` into `out` (borrowed), nearest first (then in their order). A name is near
 * when it differs by at most a third of the word's length (at least 2) ignoring case, or
 * contains the word ignoring case (3 characters or more); the word itself (exactly) is
 * not offered. Returns how many. */
size_t cmd_nearest(const char *word, cmd_words names, const char **out, size_t max);

/* The longest common prefix of `n` strings, newly allocated. */
char *cmd_common_prefix(char *const *v, size_t n);

#endif
