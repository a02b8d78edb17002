/* proc: the one way lmsctl runs another program (credential_process, cfn-lint, cfn-guard),
 * under rules that bound the time it takes and leave no process behind:
 *
 *   - the program runs in a process group of its own (POSIX_SPAWN_SETPGROUP), with every
 *     signal at its default and an empty signal mask, stdin from a file (/dev/null unless
 *     given), stdout captured, stderr captured or written to a file;
 *   - its output is read with a deadline (timeout_ms) and a size cap (max_out): more is
 *     PROC_FLOODED, not buffered without end;
 *   - once it has closed both outputs it has exit_grace_ms to exit (PROC_DETACHED otherwise);
 *   - once it has exited, what is already in the pipes is read and the rest of its group
 *     (a child that outlived it, holding the output open or not) is stopped;
 *   - stopping is SIGTERM to the whole group, SIGKILL term_grace_ms later; every wait is
 *     bounded, so proc_run returns within about timeout_ms + 2 * term_grace_ms whatever
 *     the program does.
 *
 * A program that moves itself or a child into another process group or session (setsid,
 * a daemon) has left on purpose and is out of reach: it is not waited for.
 * No global state; safe to call from any thread (posix_spawn, no fork). */
#ifndef LMSCTL_COMMON_PROC_H
#define LMSCTL_COMMON_PROC_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

#define PROC_DEFAULT_TIMEOUT_MS 60000L
#define PROC_DEFAULT_EXIT_GRACE_MS 3000L
#define PROC_DEFAULT_TERM_GRACE_MS 1000L
#define PROC_DEFAULT_MAX_OUT ((size_t)16 * 1024 * 1024)
#define PROC_MAX_ERR ((size_t)16 * 1024) /* stderr kept; the rest is read and dropped */

typedef struct proc_spec {
	char *const *argv;       /* argv[0] is the path of the program; NULL-terminated */
	const char *stdin_path;  /* NULL: /dev/null */
	const char *stderr_path; /* NULL: captured into proc_result.err; else created 0600 */
	long timeout_ms;         /* 0: PROC_DEFAULT_TIMEOUT_MS */
	long exit_grace_ms;      /* 0: PROC_DEFAULT_EXIT_GRACE_MS */
	long term_grace_ms;      /* 0: PROC_DEFAULT_TERM_GRACE_MS */
	size_t max_out;          /* 0: PROC_DEFAULT_MAX_OUT */
	bool secret;             /* the output holds secrets: never reallocated, wiped on free */
} proc_spec;

typedef enum proc_outcome {
	PROC_EXITED,       /* exited by itself: code is its exit status */
	PROC_SIGNALED,     /* killed by a signal it did not get from us: code is the signal */
	PROC_TIMED_OUT,    /* still running at the deadline: stopped */
	PROC_DETACHED,     /* closed its output, still running exit_grace_ms later: stopped */
	PROC_FLOODED,      /* wrote more than max_out: stopped */
	PROC_START_FAILED, /* could not start: code is the errno */
} proc_outcome;

typedef struct proc_result {
	proc_outcome outcome;
	int code;
	buf out; /* stdout, at most max_out bytes, NUL-terminated */
	buf err; /* stderr when captured, at most PROC_MAX_ERR bytes */
	/* Processes of its group were still running after it exited (or was stopped) and were
	 * stopped in turn. */
	bool stragglers;
	bool stuck; /* something ignored SIGKILL past the bound (uninterruptible): not waited */
} proc_result;

/* Runs spec->argv to its end under the rules above; res is always initialized (free it with
 * proc_result_free) and says how it went. False only when the program did not start
 * (PROC_START_FAILED) or memory ran out. */
bool proc_run(const proc_spec *spec, proc_result *res);
/* Frees (and wipes, for a secret spec) the buffers; leaves res empty. */
void proc_result_free(proc_result *res);
/* Appends what happened, for a message: "did not finish within 60 seconds; it and the
 * processes it started were stopped", "exited with status 3", ... (no output quoted). */
void proc_describe(const proc_spec *spec, const proc_result *res, buf *out);

#endif
