/* The one program runner (common/proc.h). */
#include "common/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/lazy_crypto.h"

extern char **environ;

/* How often the loops look whether the program has exited while its pipes stay open (a
 * child holding them): short enough not to be felt, long enough to cost nothing. */
#define TICK_MS 20
/* After the program exits, how long what is already in the pipes may take to read. */
#define DRAIN_MS 200

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Whether the program has exited, without reaping it: while it is an unreaped zombie its
 * pid, and so its process group's id, cannot be given to another process, which makes
 * signalling the group safe. */
static bool has_exited(pid_t pid)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	for (;;) {
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0)
			return si.si_pid == pid;
		if (errno != EINTR)
			return true; /* not our child any more: nothing to wait for */
	}
}

/* Waits up to `ms` for the program to exit (not reaped). */
static bool wait_exit(pid_t pid, long ms)
{
	long long until = now_ms() + ms;
	while (!has_exited(pid)) {
		if (now_ms() >= until)
			return false;
		sleep_ms(TICK_MS / 4);
	}
	return true;
}

typedef struct reader {
	int fd[2]; /* stdout, stderr (-1 when closed or not captured) */
	const proc_spec *spec;
	size_t max_out;
	proc_result *res;
	bool flooded;
} reader;

/* Reads what one ready descriptor has; closes it at its end. */
static void read_one(reader *r, int i)
{
	char chunk[4096];
	ssize_t n = read(r->fd[i], chunk, sizeof chunk);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close_fd(&r->fd[i]);
		return;
	}
	if (i == 0) {
		size_t room = r->max_out - r->res->out.len;
		size_t take = (size_t)n < room ? (size_t)n : room;
		buf_add(&r->res->out, chunk, take);
		if ((size_t)n > room)
			r->flooded = true;
	} else if (r->res->err.len < PROC_MAX_ERR) {
		size_t room = PROC_MAX_ERR - r->res->err.len;
		buf_add(&r->res->err, chunk, (size_t)n < room ? (size_t)n : room);
	}
	if (r->spec->secret)
		OPENSSL_cleanse(chunk, sizeof chunk);
}

/* One poll of the open pipes, up to `wait` ms; how many were ready (0 when none is open). */
static int read_some(reader *r, int wait)
{
	if (r->fd[0] < 0 && r->fd[1] < 0)
		return 0;
	struct pollfd fds[2] = {{r->fd[0], POLLIN, 0}, {r->fd[1], POLLIN, 0}};
	int ready = poll(fds, 2, wait);
	if (ready < 0 && errno != EINTR) {
		close_fd(&r->fd[0]);
		close_fd(&r->fd[1]);
		return 0;
	}
	for (int i = 0; i < 2 && ready > 0; i++)
		if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
			read_one(r, i);
	return ready > 0 ? ready : 0;
}

/* Reads until the program exits, floods, detaches or the deadline passes. */
static proc_outcome watch(reader *r, pid_t pid, long timeout_ms, long exit_grace_ms)
{
	long long deadline = now_ms() + timeout_ms, closed_at = 0;
	for (;;) {
		if (has_exited(pid)) {
			/* What it wrote before exiting is in the pipes; a child that outlived it
			 * may keep them open, so read only what is there. */
			long long until = now_ms() + DRAIN_MS;
			while (!r->flooded && now_ms() < until && read_some(r, 0) > 0)
				;
			return r->flooded ? PROC_FLOODED : PROC_EXITED;
		}
		long long now = now_ms();
		if (now >= deadline)
			return PROC_TIMED_OUT;
		long left = (long)(deadline - now);
		int wait = left < TICK_MS ? (int)left : TICK_MS;
		if (r->fd[0] < 0 && r->fd[1] < 0) {
			if (!closed_at)
				closed_at = now;
			if (now - closed_at >= exit_grace_ms)
				return PROC_DETACHED;
			sleep_ms(wait < TICK_MS / 4 ? wait : TICK_MS / 4);
			continue;
		}
		read_some(r, wait);
		if (r->flooded)
			return PROC_FLOODED;
	}
}

/* SIGTERM to the group, SIGKILL after the grace; the leader is waited for, not reaped. */
static void stop_group(pid_t pid, long term_grace_ms, proc_result *res)
{
	kill(-pid, SIGTERM);
	kill(pid, SIGTERM);  /* in case it has not joined its group yet */
	kill(-pid, SIGCONT); /* a stopped process (a read from the terminal) gets it now */
	if (wait_exit(pid, term_grace_ms))
		return;
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	if (!wait_exit(pid, term_grace_ms))
		res->stuck = true;
}

/* Whether a member of the group still runs. kill(-pgid, 0) also counts the zombies that a
 * container's init may never reap; /proc, where there is one, tells them apart. */
static bool group_alive(pid_t pgid)
{
	if (kill(-pgid, 0) != 0)
		return false;
	DIR *proc = opendir("/proc");
	if (!proc)
		return true;
	bool alive = false;
	struct dirent *e;
	while (!alive && (e = readdir(proc)) != NULL) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		char path[300], stat[512];
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, stat, sizeof stat - 1);
		close(fd);
		if (n <= 0)
			continue;
		stat[n] = '\0';
		/* "pid (comm) state ppid pgrp ...": comm may hold anything, so from the last ')' */
		const char *p = strrchr(stat, ')');
		char state = 0;
		long ppid = 0, pgrp = 0;
		if (p && sscanf(p + 1, " %c %ld %ld", &state, &ppid, &pgrp) == 3 && pgrp == pgid &&
		    state != 'Z' && state != 'X')
			alive = true;
	}
	closedir(proc);
	return alive;
}

/* After the leader has been reaped: whatever is left in its group is stopped. The group
 * cannot have been reused: an id stays reserved while any member of the group exists. */
static void stop_stragglers(pid_t pgid, long term_grace_ms, proc_result *res)
{
	if (!group_alive(pgid))
		return;
	res->stragglers = true;
	kill(-pgid, SIGTERM);
	kill(-pgid, SIGCONT);
	long long until = now_ms() + term_grace_ms;
	while (group_alive(pgid) && now_ms() < until)
		sleep_ms(TICK_MS);
	if (!group_alive(pgid))
		return;
	/* SIGKILL cannot be caught: what is left dies as soon as it is scheduled. */
	kill(-pgid, SIGKILL);
	until = now_ms() + term_grace_ms;
	while (group_alive(pgid) && now_ms() < until)
		sleep_ms(TICK_MS / 4);
	if (group_alive(pgid))
		res->stuck = true;
}

static void reap(pid_t pid, proc_result *res, proc_outcome outcome)
{
	int status = 0;
	res->outcome = outcome; /* a program left stuck still timed out (or flooded, ...) */
	if (res->stuck)
		return;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (outcome != PROC_EXITED)
		return;
	if (WIFSIGNALED(status)) {
		res->outcome = PROC_SIGNALED;
		res->code = WTERMSIG(status);
	} else {
		res->code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	}
}

static int start(const proc_spec *spec, int out_pipe[2], int err_pipe[2], pid_t *pid)
{
	/* posix_spawn says so too (glibc's child reports a failed exec), but not where the
	 * clone it uses is emulated as a fork (valgrind): the child then exits 127 and the
	 * program looks started. Asked first, a missing program is the same failure
	 * everywhere (a race with its removal just after is posix_spawn's or the child's). */
	if (access(spec->argv[0], X_OK) != 0)
		return errno ? errno : ENOENT;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	if (posix_spawn_file_actions_init(&fa) != 0)
		return ENOMEM;
	if (posix_spawnattr_init(&attr) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return ENOMEM;
	}
	sigset_t all, none;
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
	                                    POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawn_file_actions_addopen(&fa, 0, spec->stdin_path ? spec->stdin_path : "/dev/null",
	                                 O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
	if (spec->stderr_path)
		posix_spawn_file_actions_addopen(&fa, 2, spec->stderr_path,
		                                 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	else
		posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
	int rc = posix_spawn(pid, spec->argv[0], &fa, &attr, spec->argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (rc == 0)
		setpgid(*pid, *pid); /* already done by the child; EACCES after its exec is fine */
	return rc;
}

static bool cloexec_pipe(int p[2])
{
	if (pipe(p) != 0)
		return false;
	for (int i = 0; i < 2; i++) {
		int flags = fcntl(p[i], F_GETFD);
		if (flags < 0 || fcntl(p[i], F_SETFD, flags | FD_CLOEXEC) != 0)
			return false;
	}
	return true;
}

bool proc_run(const proc_spec *spec, proc_result *res)
{
	memset(res, 0, sizeof *res);
	size_t max_out = spec->max_out ? spec->max_out : PROC_DEFAULT_MAX_OUT;
	buf_init(&res->out, max_out);
	buf_init(&res->err, PROC_MAX_ERR);
	/* Secrets are never copied by a growing buffer: room for all of them at once. */
	if (spec->secret && !buf_reserve(&res->out, max_out)) {
		res->outcome = PROC_START_FAILED;
		res->code = ENOMEM;
		return false;
	}
	int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
	pid_t pid = 0;
	int rc = 0;
	if (!cloexec_pipe(out_pipe) || (!spec->stderr_path && !cloexec_pipe(err_pipe)))
		rc = errno ? errno : EMFILE;
	else
		rc = start(spec, out_pipe, err_pipe, &pid);
	close_fd(&out_pipe[1]);
	close_fd(&err_pipe[1]);
	if (rc != 0) {
		close_fd(&out_pipe[0]);
		close_fd(&err_pipe[0]);
		res->outcome = PROC_START_FAILED;
		res->code = rc;
		return false;
	}
	reader r = {{out_pipe[0], err_pipe[0]}, spec, max_out, res, false};
	long term_grace =
	    spec->term_grace_ms > 0 ? spec->term_grace_ms : PROC_DEFAULT_TERM_GRACE_MS;
	proc_outcome outcome =
	    watch(&r, pid, spec->timeout_ms > 0 ? spec->timeout_ms : PROC_DEFAULT_TIMEOUT_MS,
	          spec->exit_grace_ms > 0 ? spec->exit_grace_ms : PROC_DEFAULT_EXIT_GRACE_MS);
	close_fd(&r.fd[0]);
	close_fd(&r.fd[1]);
	if (outcome != PROC_EXITED)
		stop_group(pid, term_grace, res);
	reap(pid, res, outcome);
	if (!res->stuck)
		stop_stragglers(pid, term_grace, res);
	return true;
}

void proc_result_free(proc_result *res)
{
	if (res->out.data)
		OPENSSL_cleanse(res->out.data, res->out.cap);
	if (res->err.data)
		OPENSSL_cleanse(res->err.data, res->err.cap);
	buf_free(&res->out);
	buf_free(&res->err);
	memset(res, 0, sizeof *res);
}

void proc_describe(const proc_spec *spec, const proc_result *res, buf *out)
{
	long timeout = spec->timeout_ms > 0 ? spec->timeout_ms : PROC_DEFAULT_TIMEOUT_MS;
	long grace = spec->exit_grace_ms > 0 ? spec->exit_grace_ms : PROC_DEFAULT_EXIT_GRACE_MS;
	size_t max_out = spec->max_out ? spec->max_out : PROC_DEFAULT_MAX_OUT;
	const char *stopped = "; it and the processes it started were stopped";
	switch (res->outcome) {
	case PROC_EXITED:
		buf_addf(out, "exited with status %d", res->code);
		break;
	case PROC_SIGNALED:
		buf_addf(out, "was killed by signal %d", res->code);
		break;
	case PROC_TIMED_OUT:
		buf_addf(out, "did not finish within %ld seconds%s", (timeout + 999) / 1000,
		         stopped);
		break;
	case PROC_DETACHED:
		buf_addf(out, "closed its output but did not exit within %ld seconds%s",
		         (grace + 999) / 1000, stopped);
		break;
	case PROC_FLOODED:
		buf_addf(out, "wrote more than %zu KiB%s", max_out / 1024, stopped);
		break;
	case PROC_START_FAILED:
		buf_addf(out, "could not start: %s", strerror(res->code));
		break;
	}
	if (res->stragglers && res->outcome != PROC_TIMED_OUT && res->outcome != PROC_DETACHED &&
	    res->outcome != PROC_FLOODED)
		buf_adds(out, " (processes it left running were stopped)");
	if (res->stuck)
		buf_adds(out, " (it did not die on SIGKILL and was left)");
}
