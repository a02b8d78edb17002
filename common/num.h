/* num: strict number parsing.
 *
 * The whole string is the number: no leading or trailing space, no empty
 * string, decimal only (no hex, no "inf"/"nan"). On failure `*out` is left
 * as it was and errno is EINVAL (not a number of that kind) or ERANGE (a
 * number outside the range asked for, or outside the type). Nothing to free. */
#ifndef LMSCTL_COMMON_NUM_H
#define LMSCTL_COMMON_NUM_H

#include <stdbool.h>

/* An optional sign then digits, within [min, max]. */
bool lms_parse_long(const char *s, long min, long max, long *out);
/* Digits only (no sign: strtoul's "-1" is not a number here), at most max. */
bool lms_parse_ulong(const char *s, unsigned long max, unsigned long *out);
/* A finite decimal number ("1", "-0.5", "2e3", ".5"). */
bool lms_parse_double(const char *s, double *out);

#endif
