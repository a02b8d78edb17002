#include "common/num.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Not empty, no leading space; strtoX skip leading space themselves. */
static bool starts_well(const char *s)
{
	return s && *s && !isspace((unsigned char)*s);
}

static bool fail(int e)
{
	errno = e;
	return false;
}

bool lms_parse_long(const char *s, long min, long max, long *out)
{
	if (!starts_well(s))
		return fail(EINVAL);
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || *end)
		return fail(EINVAL);
	if (errno == ERANGE || v < min || v > max)
		return fail(ERANGE);
	*out = v;
	return true;
}

bool lms_parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	if (!s || !isdigit((unsigned char)*s))
		return fail(EINVAL);
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*end)
		return fail(EINVAL);
	if (errno == ERANGE || v > max)
		return fail(ERANGE);
	*out = v;
	return true;
}

bool lms_parse_double(const char *s, double *out)
{
	if (!starts_well(s))
		return fail(EINVAL);
	/* decimal only: strtod also reads hex floats, inf and nan */
	for (const char *p = s; *p; p++)
		if (!strchr("0123456789+-.eE", *p))
			return fail(EINVAL);
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end)
		return fail(EINVAL);
	if (errno == ERANGE && fabs(v) > 1.0) /* overflow; underflow to ~0 is a number */
		return fail(ERANGE);
	if (!isfinite(v))
		return fail(ERANGE);
	*out = v;
	return true;
}
