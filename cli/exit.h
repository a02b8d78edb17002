/* exit: the one list of lmsctl's exit statuses, documented in lmsctl(1) (EXIT STATUS).
 * Every command and the console return one of these. */
#ifndef LMSCTL_CLI_EXIT_H
#define LMSCTL_CLI_EXIT_H

enum {
	EXIT_OK = 0,       /* success */
	EXIT_FINDINGS = 1, /* the command ran and found errors, or an operation failed */
	EXIT_USAGE = 2,    /* bad usage or unreadable input */
	/* diff: the stack differs from the model; drift: resources drifted from the template */
	EXIT_DIFFERS = 3,
	/* a command interrupted (Ctrl-C) while following a stack operation: the operation
	 * goes on in AWS (128 + SIGINT) */
	EXIT_INTERRUPTED = 130,
};

#endif
