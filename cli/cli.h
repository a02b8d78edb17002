/* cli: the command line. Every subcommand shares its code paths with the
 * console: they call the same model/ and aws/ functions. */
#ifndef LMSCTL_CLI_CLI_H
#define LMSCTL_CLI_CLI_H

/* Exit codes, documented in lmsctl(1). */
enum {
	EXIT_OK = 0,       /* success */
	EXIT_FINDINGS = 1, /* the command ran and found errors, or an operation failed */
	EXIT_USAGE = 2,    /* bad usage or unreadable input */
};

int cli_main(int argc, char **argv);

#endif
