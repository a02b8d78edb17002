#define _GNU_SOURCE /* getopt_long */
#include "cli/options.h"

#include "cli/errors.h"
#include "cli/exit.h"
#include "common/term.h"
#include "common/vec.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* getopt_long's value of the table's entry i: its short name, or one past any char */
#define LONG_ONLY_BASE 256

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	term_printf(stderr, "lmsctl%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_list ap;
	va_start(ap, fmt);
	va_list copy;
	va_copy(copy, ap);
	term_vprintf(stderr, fmt, ap);
	va_end(ap);
	cli_error_vnote(fmt, copy); /* the message of a JSON error object (cli/errors.h) */
	va_end(copy);
	term_printf(stderr, "\nTry 'lmsctl %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
	return EXIT_USAGE;
}

/* The formats of every command that prints data; the first is the default. */
static const struct {
	const char *cmd;
	const char *formats;
} output_formats[] = {
    {"validate", "text|json"}, {"render", "yaml|json"},  {"report", "text|markdown|json"},
    {"params", "json"},        {"status", "text|json"},  {"outputs", "text|json|flat"},
    {"deploy", "text|json"},   {"destroy", "text|json"}, {"diff", "text|json"},
    {"drift", "text|json"},
};

const char *cli_output_formats(const char *cmd)
{
	for (size_t i = 0; cmd && i < sizeof(output_formats) / sizeof(output_formats[0]); i++)
		if (strcmp(output_formats[i].cmd, cmd) == 0)
			return output_formats[i].formats;
	return NULL;
}

bool cli_output_format_ok(const char *cmd, const char *value)
{
	const char *formats = cli_output_formats(cmd);
	size_t n = strlen(value);
	for (const char *f = formats; f && *f;) {
		size_t len = strcspn(f, "|");
		if (len == n && strncmp(f, value, n) == 0)
			return true;
		f += len + (f[len] == '|');
	}
	if (!formats)
		cli_usage_error(
		    cmd,
		    "--output names an output format and %s prints one only; write to a "
		    "file with -o FILE or --output-file FILE",
		    cmd ? cmd : "lmsctl");
	else
		cli_usage_error(
		    cmd,
		    "--output/--format must be one of %s, not '%s' (to write a file: -o "
		    "FILE or --output-file FILE)",
		    formats, value);
	return false;
}

static const cli_opt *entry_for(const cli_command_line *cl, int ch)
{
	for (size_t i = 0; i < cl->nopts; i++) {
		const cli_opt *o = &cl->opts[i];
		if (o->short_name ? ch == o->short_name : ch == LONG_ONLY_BASE + (int)i)
			return o;
	}
	return NULL;
}

/* A bad option: getopt has named it; lmsctl itself only points to --help. */
/* getopt's own message (opterr) would print the word raw: ours goes through term. */
static int invalid_option(const cli_command_line *cl, int argc, char **argv)
{
	const char *word = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
	if (optopt && entry_for(cl, optopt)) /* getopt sets optopt for a missing value */
		return cli_usage_error(cl->cmd, "option '%s' needs a value", word);
	return cli_usage_error(cl->cmd, "unknown option '%s'", word);
}

int cli_parse(const cli_command_line *cl, int argc, char **argv, int *first)
{
	/* getopt_long's tables: every entry, then --help */
	struct option *longs = calloc(cl->nopts + 2, sizeof *longs);
	char *shorts = malloc(2 * cl->nopts + 4);
	if (!longs || !shorts) {
		free(longs);
		free(shorts);
		fputs("lmsctl: out of memory\n", stderr);
		return EXIT_FINDINGS;
	}
	size_t ns = 0;
	if (!cl->permute)
		shorts[ns++] = '+';
	for (size_t i = 0; i < cl->nopts; i++) {
		const cli_opt *o = &cl->opts[i];
		bool arg = o->kind == CLI_OPT_STRING || o->kind == CLI_OPT_LIST;
		longs[i] = (struct option){o->name, arg ? required_argument : no_argument, NULL,
		                           o->short_name ? o->short_name : LONG_ONLY_BASE + (int)i};
		if (o->short_name) {
			shorts[ns++] = o->short_name;
			if (arg)
				shorts[ns++] = ':';
		}
	}
	longs[cl->nopts] = (struct option){"help", no_argument, NULL, 'h'};
	shorts[ns++] = 'h';
	shorts[ns] = '\0';

	int rc = CLI_CONTINUE;
	int ch;
	opterr = 0;
	optind = 0; /* glibc: a full reset, for each command's own options */
	while (rc == CLI_CONTINUE && (ch = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		const cli_opt *o = ch == 'h' ? NULL : entry_for(cl, ch);
		if (ch == 'h') {
			fputs(cl->usage, stdout);
			rc = EXIT_OK;
		} else if (!o) {
			rc = invalid_option(cl, argc, argv);
		} else if (o->kind == CLI_OPT_STRING) {
			if (o->check && !o->check(cl->cmd, optarg))
				rc = EXIT_USAGE;
			else
				*(const char **)o->dest = optarg;
		} else if (o->kind == CLI_OPT_LIST) {
			cli_strings *l = o->dest;
			if (!VEC_RESERVE(l->v, l->cap, l->n + 1)) {
				fputs("lmsctl: out of memory\n", stderr);
				rc = EXIT_FINDINGS;
			} else {
				l->v[l->n++] = optarg;
			}
		} else {
			*(bool *)o->dest = true;
			if (o->kind == CLI_OPT_STOP)
				break;
		}
	}
	free(longs);
	free(shorts);
	if (rc != CLI_CONTINUE)
		return rc;
	*first = optind;
	if (!cl->operands && optind < argc)
		return cli_usage_error(cl->cmd, "unexpected argument '%s'", argv[optind]);
	return CLI_CONTINUE;
}
