/* The program: the command line with the console (tui/) it opens. */
#include "cli/cli.h"
#include "tui/console.h"

int main(int argc, char **argv)
{
	const cli_console console = {.run = console_main, .has_terminal = console_has_terminal};
	return cli_main(argc, argv, &console);
}
