/* error: an error value with an actionable message and, when it concerns a
 * file, the position in it. Functions that can fail take an `lms_error *`
 * (may be NULL) and fill it in; the caller prints it and frees it. */
#ifndef LMSCTL_COMMON_ERROR_H
#define LMSCTL_COMMON_ERROR_H

#include <stddef.h>

typedef struct lms_error {
	char *file;  /* NULL when the error concerns no file */
	size_t line; /* 1-based; 0 when unknown */
	size_t col;  /* 1-based; 0 when unknown */
	char *msg;
} lms_error;

void lms_error_set(lms_error *err, const char *file, size_t line, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void lms_error_clear(lms_error *err);
/* "FILE:LINE:COL: message" (parts that are unknown are left out); owned by the caller. */
char *lms_error_format(const lms_error *err);

#endif
