/* The terminal's state, after htop's CRT.c: curses started and ended in one
 * place, the terminal restored on every way out, including a crash.
 *
 * SIGINT, SIGTERM and SIGHUP only set a flag and wake the loop through a
 * pipe: the loop then keeps the unsaved edits (the recovery file), ends
 * curses and returns 128+N. A fatal signal (SEGV, BUS, FPE, ILL, ABRT) ends
 * curses from the handler itself, says where the unsaved edits are, and
 * re-raises the signal with the previous disposition (a core dump, or the
 * sanitizer's report). Resizing is left to curses: it turns SIGWINCH into
 * KEY_RESIZE, read by the loop; nothing is redrawn in a handler. */
#define _GNU_SOURCE /* pipe2, sigaction with -std=c11 */
#include "tui/ui.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>

/* The signal state: a handler can reach nothing else. */
static volatile sig_atomic_t pending_signal;
static int signal_pipe[2] = {-1, -1};
static char recover_note[4096];
static volatile sig_atomic_t curses_on;

static const int ending_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
static struct sigaction old_ending[4], old_fatal[5];

static void on_ending(int sig)
{
	int saved = errno;
	pending_signal = sig;
	if (signal_pipe[1] >= 0) {
		char c = (char)sig;
		ssize_t w = write(signal_pipe[1], &c, 1);
		(void)w;
	}
	errno = saved;
}

static void on_fatal(int sig)
{
	/* endwin() is not async-signal-safe; htop does the same: the terminal
	 * left in raw mode with the alternate screen is worse than the risk */
	if (curses_on) {
		curses_on = 0;
		endwin();
	}
	char msg[64] = "\nlmsctl: crashed (signal ";
	size_t n = strlen(msg);
	if (sig >= 10)
		msg[n++] = (char)('0' + sig / 10 % 10);
	msg[n++] = (char)('0' + sig % 10);
	msg[n++] = ')';
	msg[n++] = '\n';
	/* nothing to do if stderr is gone: a failed write ends the message */
	bool ok = write(STDERR_FILENO, msg, n) >= 0;
	if (ok && recover_note[0]) {
		static const char msg2[] = "lmsctl: unsaved edits are kept in ";
		if (write(STDERR_FILENO, msg2, sizeof(msg2) - 1) >= 0 &&
		    write(STDERR_FILENO, recover_note, strlen(recover_note)) >= 0 &&
		    write(STDERR_FILENO, "\n", 1) < 0)
			recover_note[0] = '\0';
	}
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		if (fatal_signals[i] == sig)
			sigaction(sig, &old_fatal[i], NULL);
	raise(sig);
}

void crt_signals_install(void)
{
	if (signal_pipe[0] < 0 && pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		signal_pipe[0] = signal_pipe[1] = -1;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_ending;
	for (size_t i = 0; i < sizeof(ending_signals) / sizeof(ending_signals[0]); i++)
		sigaction(ending_signals[i], &sa, &old_ending[i]);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, &old_fatal[i]);
	/* a write to a closed SSH session must fail with EPIPE, not kill us
	 * before the recovery file is written */
	signal(SIGPIPE, SIG_IGN);
}

void crt_signals_restore(void)
{
	for (size_t i = 0; i < sizeof(ending_signals) / sizeof(ending_signals[0]); i++)
		sigaction(ending_signals[i], &old_ending[i], NULL);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &old_fatal[i], NULL);
	if (signal_pipe[0] >= 0) {
		close(signal_pipe[0]);
		close(signal_pipe[1]);
		signal_pipe[0] = signal_pipe[1] = -1;
	}
}

int crt_pending_signal(void)
{
	return pending_signal;
}

int crt_signal_fd(void)
{
	return signal_pipe[0];
}

void crt_drain_signal_fd(void)
{
	char b[16];
	while (signal_pipe[0] >= 0 && read(signal_pipe[0], b, sizeof(b)) > 0)
		;
}

void crt_set_recover_path(const char *path)
{
	snprintf(recover_note, sizeof(recover_note), "%s", path ? path : "");
}

void crt_bracketed_paste(bool on)
{
	/* xterm's bracketed paste: a paste arrives between ESC[200~ and
	 * ESC[201~, so that pasted text can never act as keys */
	const char *seq = on ? "\033[?2004h" : "\033[?2004l";
	ssize_t w = write(STDOUT_FILENO, seq, strlen(seq));
	(void)w;
}

static bool term_knows_paste(void)
{
	const char *t = getenv("TERM");
	if (!t)
		return false;
	return strncmp(t, "xterm", 5) == 0 || strncmp(t, "screen", 6) == 0 ||
	       strncmp(t, "tmux", 4) == 0 || strncmp(t, "rxvt", 4) == 0 ||
	       strncmp(t, "alacritty", 9) == 0 || strncmp(t, "foot", 4) == 0 ||
	       strncmp(t, "kitty", 5) == 0 || strncmp(t, "wezterm", 7) == 0 ||
	       strncmp(t, "vte", 3) == 0 || strncmp(t, "gnome", 5) == 0 ||
	       strncmp(t, "konsole", 7) == 0;
}

bool crt_init(console *c, char *why, size_t whylen)
{
	setlocale(LC_ALL, "");
	const char *cs = nl_langinfo(CODESET);
	c->utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	/* a terminal that cannot address the cursor cannot show the console */
	int terr = 0;
	if (setupterm(NULL, STDOUT_FILENO, &terr) != OK) {
		snprintf(why, whylen,
		         "the terminal type '%s' is unknown here (no terminfo entry); set TERM, "
		         "e.g. TERM=xterm-256color",
		         getenv("TERM") ? getenv("TERM") : "");
		return false;
	}
	bool addressable = cursor_address != NULL && !generic_type && !hard_copy;
	del_curterm(cur_term);
	if (!addressable) {
		snprintf(why, whylen,
		         "the terminal '%s' cannot move the cursor, so it cannot show the console; "
		         "use a command (lmsctl --help), or a terminal such as xterm, tmux or "
		         "screen",
		         getenv("TERM") ? getenv("TERM") : "dumb");
		return false;
	}
	/* keys go to us promptly: ESC alone is Esc after 25 ms */
	if (!getenv("ESCDELAY"))
		set_escdelay(25);
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		snprintf(why, whylen, "cannot start the terminal (TERM=%s)",
		         getenv("TERM") ? getenv("TERM") : "");
		return false;
	}
	c->screen = scr;
	curses_on = 1;
	raw(); /* Ctrl-C, Ctrl-Z, Ctrl-S reach us as keys */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	meta(stdscr, TRUE);
	define_key("\033[200~", KEY_MAX + 1);
	define_key("\033[201~", KEY_MAX + 2);
	if (term_knows_paste())
		crt_bracketed_paste(true);
	c->mouse = mousemask(BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON4_PRESSED | BUTTON5_PRESSED,
	                     NULL) != 0;
	mouseinterval(0);
	getmaxyx(stdscr, c->rows, c->cols);
	return true;
}

void crt_done(console *c)
{
	if (!curses_on)
		return;
	if (term_knows_paste())
		crt_bracketed_paste(false);
	mousemask(0, NULL);
	curs_set(1);
	endwin();
	curses_on = 0;
	/* no delscreen(): the panel library keeps its stdscr pseudo-panel in the
	 * SCREEN and nothing frees it, so freeing the SCREEN would only turn that
	 * memory into a leak; the process ends next */
	c->screen = NULL;
}

void crt_suspend(console *c)
{
	/* Ctrl-Z in raw mode is a key: stop the way the shell expects */
	def_prog_mode();
	endwin();
	raise(SIGTSTP);
	reset_prog_mode();
	refresh();
	(void)c;
}
