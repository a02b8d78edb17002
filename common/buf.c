#include "common/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : BUF_DEFAULT_MAX;
	b->failed = false;
	b->oom = false;
}

void buf_free(buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_reset(buf *b)
{
	b->len = 0;
	b->failed = false;
	b->oom = false;
	if (b->data)
		b->data[0] = '\0';
}

static bool buf_fail(buf *b)
{
	buf_free(b);
	b->failed = true;
	return false;
}

void buf_fail_with(buf *out, const buf *part)
{
	if (part->failed) {
		bool oom = part->oom;
		buf_fail(out);
		out->oom = oom;
	}
}

bool buf_reserve(buf *b, size_t extra)
{
	if (b->failed)
		return false;
	if (extra > b->max - b->len)
		return buf_fail(b);
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *p = realloc(b->data, cap);
	if (!p) {
		b->oom = true;
		return buf_fail(b);
	}
	b->data = p;
	b->cap = cap;
	return true;
}

bool buf_add(buf *b, const void *mem, size_t len)
{
	if (!buf_reserve(b, len))
		return false;
	if (len)
		memcpy(b->data + b->len, mem, len);
	b->len += len;
	b->data[b->len] = '\0';
	return true;
}

bool buf_adds(buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

bool buf_addc(buf *b, char c)
{
	return buf_add(b, &c, 1);
}

bool buf_vaddf(buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return buf_fail(b);
	if (!buf_reserve(b, (size_t)n))
		return false;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return true;
}

bool buf_addf(buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool ok = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return ok;
}

const char *buf_cstr(const buf *b)
{
	return b->data && !b->failed ? b->data : "";
}

char *buf_take(buf *b)
{
	if (b->failed)
		return NULL;
	char *p = b->data;
	if (!p) {
		p = calloc(1, 1);
	}
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool buf_add_percent_decoded(buf *b, const char *s, size_t len, bool plus_is_space)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && hex_value(s[i + 1]) >= 0 &&
		    hex_value(s[i + 2]) >= 0) {
			buf_addc(b, (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
			i += 2;
		} else {
			buf_addc(b, s[i] == '+' && plus_is_space ? ' ' : s[i]);
		}
	}
	return !b->failed;
}
