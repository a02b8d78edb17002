#include "tui/ui_cmd.h"

#include "common/buf.h"
#include "common/names.h"

#include <strings.h>

#include <stdlib.h>
#include <string.h>

static const cmd_def commands[] = {
    {"write", "w", CMD_WRITE, ARG_OPTIONAL_PATH, "[PATH]",
     "save the model (shows the diff first); PATH for the built-in model", NULL},
    {"wq", NULL, CMD_WQ, ARG_OPTIONAL_PATH, "[PATH]", "save, then quit", NULL},
    {"quit", "q", CMD_QUIT, ARG_NONE, "", "quit (asks when edits are unsaved)", NULL},
    {"quit!", "q!", CMD_QUIT_NOW, ARG_NONE, "", "quit now; unsaved edits stay in the recovery file",
     NULL},
    {"deploy", NULL, CMD_DEPLOY, ARG_NONE, "", "review and deploy the stack (key D)", NULL},
    {"destroy", NULL, CMD_DESTROY, ARG_NONE, "", "delete the stack (key X)", NULL},
    {"drift", NULL, CMD_DRIFT, ARG_NONE, "",
     "detect drift: resources changed outside CloudFormation (key f in the stack view)", NULL},
    {"changeset", NULL, CMD_CHANGESET, ARG_NAME, "NAME",
     "open the stack's pending change set NAME (made by deploy --no-execute) for review; "
     "a applies it",
     NULL},
    {"env", NULL, CMD_ENV, ARG_ENV, "dev|staging|prod", "set the environment kind", NULL},
    {"profile", NULL, CMD_PROFILE, ARG_ENV, "dev|staging|prod",
     "set every parameter to that environment's profile value (one undo step)", NULL},
    {"stack", NULL, CMD_STACK, ARG_NAME, "NAME", "set the CloudFormation stack name", NULL},
    {"region", NULL, CMD_REGION, ARG_NAME, "REGION", "set the AWS region", NULL},
    {"set", NULL, CMD_SET, ARG_PARAM_VALUE, "PARAM VALUE", "set a parameter's value", NULL},
    {"goto", "g", CMD_GOTO, ARG_PARAM, "PARAM", "select a parameter", NULL},
    {"undo", "u", CMD_UNDO, ARG_NONE, "", "undo the last edit", NULL},
    {"redo", NULL, CMD_REDO, ARG_NONE, "", "redo the edit undone last", NULL},
    {"export", NULL, CMD_EXPORT, ARG_PATH, "PATH",
     "write the generated template to PATH (atomically)", NULL},
    {"theme", NULL, CMD_THEME, ARG_THEME, "dark|light|mono", "switch the color theme", NULL},
    {"diff", NULL, CMD_DIFF, ARG_OPTIONAL_PATH, "[deployed]",
     "the model against the saved file; deployed: against the deployed stack", NULL},
    {"params", NULL, CMD_VIEW, ARG_NONE, "", "the parameter panels (key 1)", "params"},
    {"findings", NULL, CMD_VIEW, ARG_NONE, "", "every finding (key 2)", "findings"},
    {"preview", NULL, CMD_VIEW, ARG_NONE, "", "the generated template (key 3)", "preview"},
    {"events", NULL, CMD_VIEW, ARG_NONE, "", "the stack: change set, events, outputs (key 4)",
     "deploy"},
    {"log", NULL, CMD_VIEW, ARG_NONE, "", "every AWS API call made (key 5)", "log"},
    {"help", "h", CMD_HELP, ARG_NONE, "", "every key and command (key ?)", NULL},
    {"messages", NULL, CMD_MESSAGES, ARG_NONE, "", "the last 200 messages, in full (key M)", NULL},
};

const cmd_def *cmd_table(size_t *n)
{
	*n = sizeof(commands) / sizeof(commands[0]);
	return commands;
}

static const char *const env_words[] = {"dev", "staging", "prod"};
static const char *const theme_words[] = {"dark", "light", "mono"};

static char *trimmed(const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (!len)
		return NULL;
	char *d = malloc(len + 1);
	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

const cmd_def *cmd_find(const char *name, size_t nlen, bool *ambiguous)
{
	size_t n;
	const cmd_def *t = cmd_table(&n);
	const cmd_def *exact = NULL, *prefix = NULL;
	size_t nprefix = 0;
	for (size_t i = 0; i < n; i++) {
		const char *names[2] = {t[i].name, t[i].alias};
		for (size_t k = 0; k < 2; k++) {
			if (!names[k])
				continue;
			if (strlen(names[k]) == nlen && strncmp(names[k], name, nlen) == 0)
				exact = &t[i];
			else if (k == 0 && nlen && strncmp(names[k], name, nlen) == 0) {
				nprefix++;
				prefix = &t[i];
			}
		}
	}
	if (ambiguous)
		*ambiguous = !exact && nprefix > 1;
	return exact ? exact : nprefix == 1 ? prefix : NULL;
}

bool cmd_parse(const char *line, cmd_parsed *out)
{
	memset(out, 0, sizeof(*out));
	while (*line == ' ' || *line == ':')
		line++;
	size_t nlen = strcspn(line, " \t");
	const char *rest = line + nlen;
	buf err;
	buf_init(&err, 0);
	if (nlen == 0) {
		out->error = strdup("no command: try :help");
		buf_free(&err);
		return out->error != NULL;
	}
	bool ambiguous = false;
	const cmd_def *def = cmd_find(line, nlen, &ambiguous);
	if (!def) {
		if (ambiguous)
			buf_addf(&err, "'%.*s' is ambiguous: press Tab to see the commands",
			         (int)nlen, line);
		else
			buf_addf(&err, "unknown command '%.*s': try :help", (int)nlen, line);
		out->error = buf_take(&err);
		return out->error != NULL;
	}
	out->def = def;
	out->arg = trimmed(rest, strlen(rest));
	bool needs = def->arg == ARG_PATH || def->arg == ARG_ENV || def->arg == ARG_NAME ||
	             def->arg == ARG_PARAM || def->arg == ARG_PARAM_VALUE || def->arg == ARG_THEME;
	/* a value with no space in it is a PARAM without its VALUE */
	if ((needs && !out->arg) ||
	    (def->arg == ARG_PARAM_VALUE && out->arg && !strpbrk(out->arg, " \t")))
		buf_addf(&err, ":%s needs %s", def->name, def->args);
	else if (def->arg == ARG_NONE && out->arg)
		buf_addf(&err, ":%s takes no argument", def->name);
	else if (def->arg == ARG_ENV && strcmp(out->arg, "dev") != 0 &&
	         strcmp(out->arg, "staging") != 0 && strcmp(out->arg, "prod") != 0)
		buf_addf(&err, ":%s takes dev, staging or prod", def->name);
	else if (def->arg == ARG_THEME && strcmp(out->arg, "dark") != 0 &&
	         strcmp(out->arg, "light") != 0 && strcmp(out->arg, "mono") != 0)
		buf_addf(&err, ":%s takes dark, light or mono", def->name);
	if (err.len || err.failed) {
		out->def = NULL;
		out->error = buf_take(&err);
		if (!out->error)
			out->error = strdup("out of memory");
	}
	buf_free(&err);
	return true;
}

void cmd_parsed_free(cmd_parsed *p)
{
	free(p->arg);
	free(p->error);
	memset(p, 0, sizeof(*p));
}

static size_t add_candidate(char **out, size_t max, size_t count, const char *head, size_t hlen,
                            const char *word)
{
	if (count < max) {
		buf b;
		buf_init(&b, 0);
		buf_add(&b, head, hlen);
		buf_adds(&b, word);
		out[count] = buf_take(&b);
		if (!out[count])
			return count;
	}
	return count + 1;
}

size_t cmd_complete(const char *line, cmd_words params, char **out, size_t max)
{
	while (*line == ' ' || *line == ':')
		line++;
	size_t nlen = strcspn(line, " \t");
	size_t count = 0;
	size_t n;
	const cmd_def *t = cmd_table(&n);
	if (line[nlen] == '\0') {
		/* the command name */
		for (size_t i = 0; i < n; i++)
			if (strncmp(t[i].name, line, nlen) == 0)
				count = add_candidate(out, max, count, "", 0, t[i].name);
		return count < max ? count : max;
	}
	const cmd_def *def = cmd_find(line, nlen, NULL);
	if (!def)
		return 0;
	const char *arg = line + nlen;
	while (*arg == ' ' || *arg == '\t')
		arg++;
	size_t head = (size_t)(arg - line);
	/* only the first word of the argument completes */
	if (strpbrk(arg, " \t"))
		return 0;
	const char *const *words = NULL;
	size_t nwords = 0;
	switch (def->arg) {
	case ARG_ENV:
		words = env_words;
		nwords = 3;
		break;
	case ARG_THEME:
		words = theme_words;
		nwords = 3;
		break;
	case ARG_PARAM:
	case ARG_PARAM_VALUE:
		words = params.v;
		nwords = params.n;
		break;
	default:
		break;
	}
	size_t alen = strlen(arg);
	for (size_t i = 0; i < nwords; i++)
		if (strncmp(words[i], arg, alen) == 0)
			count = add_candidate(out, max, count, line, head, words[i]);
	return count < max ? count : max;
}

static bool contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

size_t cmd_nearest(const char *word, cmd_words names, const char **out, size_t max)
{
	size_t wlen = strlen(word), count = 0;
	size_t limit = wlen / 3 > 2 ? wlen / 3 : 2;
	size_t dist[16];
	if (max > 16)
		max = 16;
	for (size_t i = 0; i < names.n && max; i++) {
		const char *name = names.v[i];
		if (!name || strcmp(name, word) == 0)
			continue;
		size_t d = lms_edit_distance(word, name, true);
		/* a name that contains the word ranks after the near misspellings of it */
		if (d > limit && wlen >= 3 && contains_nocase(name, word))
			d = limit + 1;
		else if (d > limit)
			continue;
		/* insert by distance; equal distances keep the names' order */
		size_t at = count;
		while (at > 0 && dist[at - 1] > d)
			at--;
		if (at >= max)
			continue;
		size_t last = count < max ? count : max - 1;
		for (size_t k = last; k > at; k--) {
			out[k] = out[k - 1];
			dist[k] = dist[k - 1];
		}
		out[at] = name;
		dist[at] = d;
		if (count < max)
			count++;
	}
	return count;
}

char *cmd_common_prefix(char *const *v, size_t n)
{
	if (n == 0)
		return strdup("");
	size_t len = strlen(v[0]);
	for (size_t i = 1; i < n; i++) {
		size_t j = 0;
		while (j < len && v[i][j] == v[0][j])
			j++;
		len = j;
	}
	char *d = malloc(len + 1);
	if (d) {
		memcpy(d, v[0], len);
		d[len] = '\0';
	}
	return d;
}
