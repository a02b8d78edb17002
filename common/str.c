#include "common/str.h"

#include "common/buf.h"

#include <string.h>

char *lms_vstrdupf(const char *fmt, va_list ap)
{
	buf b;
	buf_init(&b, 0);
	buf_vaddf(&b, fmt, ap);
	return buf_take(&b);
}

char *lms_strdupf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = lms_vstrdupf(fmt, ap);
	va_end(ap);
	return s;
}

bool lms_ends_with(const char *s, const char *suffix)
{
	if (!s)
		return false;
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

bool lms_starts_with(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}
