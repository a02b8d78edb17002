/* buf: a growable byte buffer with a size cap (after curl's dynbuf).
 *
 * The buffer is always NUL-terminated once anything has been added, so
 * buf_cstr() can be passed to C string functions. On any failure (allocation
 * or cap exceeded) the buffer frees its memory and stays failed: every later
 * add returns false, so a caller may add many pieces and check once. */
#ifndef LMSCTL_COMMON_BUF_H
#define LMSCTL_COMMON_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* largest len allowed */
	bool failed;
	bool oom; /* the failure was an allocation's (failed is set too), not the cap's */
} buf;

/* Default cap: large enough for any template or API response we handle. */
#define BUF_DEFAULT_MAX ((size_t)64 * 1024 * 1024)

void buf_init(buf *b, size_t max);
void buf_free(buf *b);
void buf_reset(buf *b); /* empty, keep memory; clears the failed state */

/* A part built in a buffer of its own failed (out of memory or over its cap): `out` fails
 * too, so a text is never shown without a part; nothing when the part is whole. */
void buf_fail_with(buf *out, const buf *part);
/* Room for `extra` more bytes and a NUL without another allocation; false
 * (and the buffer failed) past the cap or out of memory. */
bool buf_reserve(buf *b, size_t extra);
bool buf_add(buf *b, const void *mem, size_t len);
bool buf_adds(buf *b, const char *s);
bool buf_addc(buf *b, char c);
bool buf_addf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool buf_vaddf(buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* The contents as a C string ("" when empty); owned by the buffer. */
const char *buf_cstr(const buf *b);
/* Hand the contents to the caller (free() it); the buffer is left empty.
 * Returns NULL if the buffer failed. */
char *buf_take(buf *b);
/* Appends s[0..len) percent-decoded: %XY is a byte, a '%' not followed by two hex digits
 * stays as it is, and '+' is a space when plus_is_space (a form). */
bool buf_add_percent_decoded(buf *b, const char *s, size_t len, bool plus_is_space);

#endif
