#include "common/str.h"

#include <stdint.h>

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

size_t lms_utf8_sequence(const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		cp = c & 0x1Fu;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		cp = c & 0x0Fu;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		cp = c & 0x07u;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3Fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

size_t lms_utf8_invalid(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = lms_utf8_sequence(s + i, len - i);
		if (!n)
			return i;
		i += n;
	}
	return len;
}
