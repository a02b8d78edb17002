/* errors: what a command says when it fails, in one place. Every message goes to standard
 * error as "lmsctl: ..."; the first one is kept, and with --output json a command that
 * fails (exit status not 0) and printed no document of its own leaves on standard output
 *
 *     {"error": {"code": N, "message": "..."}}
 *
 * N the exit status (which stays what it is), the message the first failure's. A command
 * that prints its own JSON document carries the same object as that document's "error"
 * member (cli_error_object) and says so (cli_errors_emitted).
 *
 * One command runs per process: the state lives here, set up by cli_errors_start and
 * ended by cli_errors_finish around each command. */
#ifndef LMSCTL_CLI_ERRORS_H
#define LMSCTL_CLI_ERRORS_H

#include "common/error.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>

/* Forgets the last command's message; no JSON wanted until cli_errors_want_json. */
void cli_errors_start(void);
/* The command prints JSON (--output json): a failure leaves the error object on stdout. */
void cli_errors_want_json(bool json);
/* The command has printed its own document (with the error object as a member, if any). */
void cli_errors_emitted(void);

/* "lmsctl: MESSAGE" on stderr, the message kept when it is the first. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_verror(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* cli_error of an lms_error (FILE:LINE:COL: message) */
void cli_error_lms(const lms_error *err);
/* Keeps the message (when it is the first) without printing it: for a message printed
 * otherwise (a usage error). */
void cli_error_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_error_vnote(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* Whether a message has been kept. */
bool cli_error_noted(void);

/* {"code": rc, "message": the first message, or "see standard error"}; NULL: no memory */
json_t *cli_error_object(int rc);

/* Returns rc, after printing the error object when one is owed. */
int cli_errors_finish(int rc);

#endif
