/* faultutil: starts tests/fault_server.py for a C test and stops it.
 *
 * The server prints its port on its first line and stops when its standard input closes,
 * so a test that dies leaves nothing behind. */
#ifndef LMSCTL_TESTS_FAULTUTIL_H
#define LMSCTL_TESTS_FAULTUTIL_H

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct fault_server {
	pid_t pid;
	int stdin_fd; /* closing it stops the server */
	int port;
	char url[64]; /* http://127.0.0.1:PORT */
} fault_server;

/* Starts the server; false (with a message on stderr) when it does not come up in 15 s. */
static inline bool fault_server_start(fault_server *fs, const char *recorded_dir)
{
	const char *top = getenv("TOP_SRCDIR");
	char script[4096];
	snprintf(script, sizeof script, "%s/tests/fault_server.py", top ? top : ".");
	int in[2], out[2];
	if (pipe(in) != 0 || pipe(out) != 0)
		return false;
	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		if (recorded_dir)
			execlp("python3", "python3", script, "--lifetime", "240", "--recorded",
			       recorded_dir, (char *)NULL);
		else
			execlp("python3", "python3", script, "--lifetime", "240", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	fs->pid = pid;
	fs->stdin_fd = in[1];
	char line[32] = {0};
	size_t got = 0;
	struct pollfd p = {.fd = out[0], .events = POLLIN};
	while (got < sizeof line - 1 && !memchr(line, '\n', got)) {
		if (poll(&p, 1, 15000) <= 0)
			break;
		ssize_t n = read(out[0], line + got, sizeof line - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(out[0]);
	long port = strtol(line, NULL, 10);
	if (port <= 0 || port > 65535) {
		fprintf(stderr, "fault server did not start (%s)\n", script);
		close(fs->stdin_fd);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return false;
	}
	fs->port = (int)port;
	snprintf(fs->url, sizeof fs->url, "http://127.0.0.1:%d", fs->port);
	return true;
}

static inline void fault_server_stop(fault_server *fs)
{
	if (fs->pid <= 0)
		return;
	close(fs->stdin_fd);
	for (int i = 0; i < 50; i++) {
		if (waitpid(fs->pid, NULL, WNOHANG) == fs->pid) {
			fs->pid = 0;
			return;
		}
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
	kill(fs->pid, SIGKILL);
	waitpid(fs->pid, NULL, 0);
	fs->pid = 0;
}

#endif
