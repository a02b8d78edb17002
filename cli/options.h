/* options: the one option parser of the command line. Every command (and lmsctl itself)
 * describes its options as a table of cli_opt, each naming where its value goes; the
 * parser runs getopt_long over that table, so that every command reads options, reports
 * a bad one and answers --help the same way. */
#ifndef LMSCTL_CLI_OPTIONS_H
#define LMSCTL_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum cli_opt_kind {
	CLI_OPT_FLAG,   /* no argument: *(bool *)dest = true */
	CLI_OPT_STRING, /* an argument: *(const char **)dest = it (last one wins) */
	CLI_OPT_STOP,   /* no argument: *(bool *)dest = true, and parsing stops (--version) */
	CLI_OPT_LIST,   /* an argument, repeatable: appended to *(cli_strings *)dest */
} cli_opt_kind;

/* The values of a repeatable option, in the order given; they point into argv. Free v. */
typedef struct cli_strings {
	const char **v;
	size_t n, cap;
} cli_strings;

typedef struct cli_opt {
	const char *name; /* the long name, without "--" */
	char short_name;  /* 0: none */
	cli_opt_kind kind;
	void *dest;
	/* STRING: a check made as soon as the option is read; it prints its own message and
	 * returns false to stop with EXIT_USAGE. NULL: none */
	bool (*check)(const char *cmd, const char *value);
} cli_opt;

#define CLI_FLAG(name, short_name, dest)                                                           \
	{                                                                                          \
		(name), (short_name), CLI_OPT_FLAG, (dest), NULL                                   \
	}
#define CLI_STRING(name, short_name, dest)                                                         \
	{                                                                                          \
		(name), (short_name), CLI_OPT_STRING, (dest), NULL                                 \
	}
#define CLI_CHECKED(name, short_name, dest, check)                                                 \
	{                                                                                          \
		(name), (short_name), CLI_OPT_STRING, (dest), (check)                              \
	}
#define CLI_LIST(name, short_name, dest)                                                           \
	{                                                                                          \
		(name), (short_name), CLI_OPT_LIST, (dest), NULL                                   \
	}
#define CLI_STOP(name, short_name, dest)                                                           \
	{                                                                                          \
		(name), (short_name), CLI_OPT_STOP, (dest), NULL                                   \
	}

/* One output convention, as in the AWS CLI: `--output FORMAT` (and its synonym `--format`)
 * is the format of what a command prints; a file to write is `-o FILE` or `--output-file
 * FILE`. No option takes a format word as a file name, and a file name given to --output
 * (its meaning before) is refused with the new spelling. */
#define CLI_OUTPUT_FORMAT(dest)                                                                    \
	CLI_CHECKED("output", 0, (dest), cli_output_format_ok),                                    \
	    CLI_CHECKED("format", 0, (dest), cli_output_format_ok)
#define CLI_OUTPUT_FILE(dest) CLI_STRING("output-file", 'o', (dest))
/* For a command that prints one format only: --output is refused with the spelling of a
 * file destination. */
#define CLI_OUTPUT_NONE(dest) CLI_CHECKED("output", 0, (dest), cli_output_format_ok)

/* The formats `cmd` prints ("text|json"); NULL for a command that prints one only. */
const char *cli_output_formats(const char *cmd);
/* The check of --output/--format: `value` is one of cmd's formats, or a usage error that
 * says which formats there are and how to write a file. */
bool cli_output_format_ok(const char *cmd, const char *value);

typedef struct cli_command_line {
	const char *cmd;   /* the command's name for messages ("init"); NULL: lmsctl itself */
	const char *usage; /* printed on -h/--help, which every command takes */
	const cli_opt *opts;
	size_t nopts;
	/* operands allowed after the options; false: one is "unexpected argument" */
	bool operands;
	/* options may follow operands (GNU order); false: the first operand ends them */
	bool permute;
} cli_command_line;

/* What cli_parse returns when the command goes on. */
#define CLI_CONTINUE (-1)

/* Parses argv (argv[0]: the command's name) by the table. CLI_CONTINUE with *first = the
 * index of the first operand; else the exit status to end with: EXIT_OK after printing
 * the usage for -h/--help, EXIT_USAGE after saying what is wrong (getopt's message, then
 * "invalid option" or "unexpected argument" and where to find help). */
int cli_parse(const cli_command_line *cl, int argc, char **argv, int *first);

/* "lmsctl CMD: message" and "Try 'lmsctl CMD --help'." on stderr (cmd NULL: lmsctl's own
 * options). Returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
