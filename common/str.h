/* str: small string helpers and formatted allocation.
 *
 * Formatted allocation builds on buf (common/buf.h): lms_strdupf() is
 * buf_addf() into a fresh buffer, then buf_take(). Every returned string is
 * owned by the caller (free() it); NULL means out of memory. */
#ifndef LMSCTL_COMMON_STR_H
#define LMSCTL_COMMON_STR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* A new string formatted like printf; NULL when out of memory (or when the
 * result would exceed BUF_DEFAULT_MAX). */
char *lms_strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *lms_vstrdupf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Whether `s` ends (starts) with `suffix` (`prefix`); false when `s` is NULL. */
bool lms_ends_with(const char *s, const char *suffix);
bool lms_starts_with(const char *s, const char *prefix);

/* The length of the valid UTF-8 sequence at s[0..n) (1 for ASCII), 0 when s[0] starts
 * none: a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, cut
 * short. The one UTF-8 decoder (common/term.c, model/ydoc.c, model/validate.c). */
size_t lms_utf8_sequence(const char *s, size_t n);
/* The offset of the first byte of s[0..len) that starts no valid UTF-8 sequence; len when
 * all of it is UTF-8. */
size_t lms_utf8_invalid(const char *s, size_t len);

#endif
