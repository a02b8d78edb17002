#include "cli/errors.h"

#include "common/buf.h"
#include "common/term.h"

#include <stdio.h>
#include <stdlib.h>

/* One command runs per process (cli/errors.h). */
static bool json_wanted, json_emitted;
static buf first_message;

void cli_errors_start(void)
{
	buf_free(&first_message);
	buf_init(&first_message, 0);
	json_wanted = json_emitted = false;
}

void cli_errors_want_json(bool json)
{
	json_wanted = json;
}

void cli_errors_emitted(void)
{
	json_emitted = true;
}

void cli_error_vnote(const char *fmt, va_list ap)
{
	if (!first_message.len)
		buf_vaddf(&first_message, fmt, ap);
}

void cli_error_note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_error_vnote(fmt, ap);
	va_end(ap);
}

bool cli_error_noted(void)
{
	return first_message.len > 0;
}

void cli_verror(const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	term_puts(stderr, "lmsctl: ");
	term_vprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	cli_error_vnote(fmt, copy);
	va_end(copy);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_verror(fmt, ap);
	va_end(ap);
}

void cli_error_lms(const lms_error *err)
{
	char *s = lms_error_format(err);
	cli_error("%s", s ? s : "error");
	free(s);
}

json_t *cli_error_object(int rc)
{
	const char *msg = first_message.len ? buf_cstr(&first_message) : "see standard error";
	return json_pack("{s:i, s:o}", "code", rc, "message", term_json_string(msg));
}

int cli_errors_finish(int rc)
{
	if (json_wanted && rc != 0 && !json_emitted) {
		json_t *doc = json_pack("{s:o}", "error", cli_error_object(rc));
		char *text = doc ? term_json_dumps(doc, JSON_INDENT(2)) : NULL;
		if (text)
			term_printf(stdout, "%s\n", text);
		fflush(stdout);
		free(text);
		json_decref(doc);
	}
	json_wanted = json_emitted = false;
	buf_free(&first_message);
	buf_init(&first_message, 0);
	return rc;
}
