#include "common/error.h"

#include "common/buf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void lms_error_set(lms_error *err, const char *file, size_t line, size_t col, const char *fmt, ...)
{
	if (!err)
		return;
	lms_error_clear(err);
	buf b;
	buf_init(&b, 0);
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	err->msg = buf_take(&b);
	err->file = file ? strdup(file) : NULL;
	err->line = line;
	err->col = col;
}

void lms_error_clear(lms_error *err)
{
	if (!err)
		return;
	free(err->file);
	free(err->msg);
	err->file = NULL;
	err->msg = NULL;
	err->line = 0;
	err->col = 0;
}

char *lms_error_format(const lms_error *err)
{
	buf b;
	buf_init(&b, 0);
	if (err->file) {
		buf_adds(&b, err->file);
		if (err->line) {
			buf_addf(&b, ":%zu", err->line);
			if (err->col)
				buf_addf(&b, ":%zu", err->col);
		}
		buf_adds(&b, ": ");
	}
	buf_adds(&b, err->msg ? err->msg : "unknown error");
	return buf_take(&b);
}
