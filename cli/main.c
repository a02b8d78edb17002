/* The program: the command line with the console (tui/) it opens. */
#include "cli/cli.h"
#include "tui/console.h"

#include <signal.h>

int main(int argc, char **argv)
{
	/* a file size limit (ulimit -f) reached while writing: the write fails
	 * with EFBIG and the writer reports it, naming the file, instead of the
	 * process dying by SIGXFSZ with a temporary file left behind */
	signal(SIGXFSZ, SIG_IGN);
	const cli_console console = {.run = console_main, .has_terminal = console_has_terminal};
	return cli_main(argc, argv, &console);
}
