/* cli: the command line. One table of commands (cli/cli.c), one list of exit statuses
 * (cli/exit.h); every subcommand shares its code paths with the console: model/ for the
 * model, ops/ for the stack operations. */
#ifndef LMSCTL_CLI_CLI_H
#define LMSCTL_CLI_CLI_H

#include "cli/exit.h"
#include "model/catalog.h"
#include "model/model.h"
#include "tui/console.h"

#include <stdbool.h>

/* The console, which only the program links (tui/): the library does not depend on it. */
typedef struct cli_console {
	/* console_main */
	int (*run)(const catalog *cat, model *m, const console_opts *opts);
	/* console_has_terminal */
	bool (*has_terminal)(void);
} cli_console;

/* Runs the command line; `console` opens the console (`lmsctl [MODEL]`); NULL: the
 * console is not there, and asking for it is a usage error. */
int cli_main(int argc, char **argv, const cli_console *console);

#endif
