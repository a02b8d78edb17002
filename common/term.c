#include "common/term.h"

#include "common/str.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool term_add(buf *b, const char *s, size_t len, int mode)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		/* the longest run that passes as it is, added at once */
		size_t start = i;
		size_t seq = 0;
		while (i < len) {
			unsigned char c = p[i];
			seq = 0;
			if (c == '\n' || c == '\t') {
				if (mode != TERM_LAYOUT)
					break;
				i++;
				continue;
			}
			if (c < 0x20 || c == 0x7F)
				break;
			seq = lms_utf8_sequence((const char *)p + i, len - i);
			if (seq == 0 || (seq == 2 && c == 0xC2 && p[i + 1] < 0xA0))
				break;
			i += seq;
		}
		if (i > start && !buf_add(b, p + start, i - start))
			return false;
		if (i >= len)
			break;
		unsigned char c = p[i];
		char esc[7];
		if (c == 0xC2 && seq == 2) { /* C1: U+0080-U+009F */
			unsigned char c1 = p[i + 1];
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c1 >> 4];
			esc[5] = hex[c1 & 0xF];
			if (!buf_add(b, esc, 6))
				return false;
			i += 2;
		} else {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 0xF];
			if (!buf_add(b, esc, 4))
				return false;
			i++;
		}
	}
	/* an empty value still leaves the buffer a C string (buf_reserve alone
	 * would leave a fresh buffer's bytes unwritten: no NUL) */
	return buf_add(b, "", 0);
}

bool term_adds(buf *b, const char *s)
{
	return s ? term_add(b, s, strlen(s), TERM_VALUE) : !b->failed;
}

bool term_vaddf(buf *b, const char *fmt, va_list ap)
{
	buf raw;
	buf_init(&raw, 0);
	bool ok = buf_vaddf(&raw, fmt, ap) && term_add(b, raw.data, raw.len, TERM_LAYOUT);
	if (raw.failed) { /* as if b had failed the add itself */
		buf_free(b);
		b->failed = true;
	}
	buf_free(&raw);
	return ok;
}

bool term_addf(buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool ok = term_vaddf(b, fmt, ap);
	va_end(ap);
	return ok;
}

bool term_write(FILE *f, const char *s, size_t len)
{
	buf clean;
	buf_init(&clean, 0);
	bool ok = term_add(&clean, s, len, TERM_LAYOUT) &&
	          fwrite(clean.data, 1, clean.len, f) == clean.len;
	buf_free(&clean);
	return ok;
}

bool term_puts(FILE *f, const char *s)
{
	return term_write(f, s, strlen(s));
}

int term_vprintf(FILE *f, const char *fmt, va_list ap)
{
	buf raw;
	buf_init(&raw, 0);
	int n = -1;
	if (buf_vaddf(&raw, fmt, ap) && term_write(f, buf_cstr(&raw), raw.len))
		n = (int)raw.len;
	buf_free(&raw);
	return n;
}

int term_printf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = term_vprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

char *term_json_dumps(const json_t *json, size_t flags)
{
	char *raw = json_dumps(json, flags);
	if (!raw)
		return NULL;
	/* Outside its strings JSON text is ASCII, so DEL and a C1 sequence can only be inside
	 * a string, where \u007f and \u0080-\u009f mean the same character. */
	buf out;
	buf_init(&out, 0);
	for (const unsigned char *p = (const unsigned char *)raw; *p; p++) {
		if (*p == 0x7F)
			buf_adds(&out, "\\u007f");
		else if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
			buf_addf(&out, "\\u%04x", (unsigned)*++p);
		else
			buf_addc(&out, (char)*p);
	}
	free(raw);
	return buf_take(&out);
}

bool term_json_add(buf *b, const json_t *json, size_t flags)
{
	char *s = term_json_dumps(json, flags);
	if (!s) {
		buf_free(b);
		b->failed = true;
		return false;
	}
	bool ok = buf_adds(b, s) && buf_addc(b, '\n');
	free(s);
	return ok;
}

json_t *term_json_string(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	if (j)
		return j;
	/* not valid UTF-8: keep every valid character, the invalid bytes as \xNN */
	buf fixed;
	buf_init(&fixed, 0);
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		size_t seq = lms_utf8_sequence((const char *)p + i, n - i);
		if (seq) {
			buf_add(&fixed, p + i, seq);
			i += seq;
		} else {
			buf_addf(&fixed, "\\x%02x", p[i]);
			i++;
		}
	}
	j = fixed.failed ? NULL : json_string(buf_cstr(&fixed));
	buf_free(&fixed);
	return j;
}

static bool clean_string(json_t *j)
{
	buf clean;
	buf_init(&clean, 0);
	const char *v = json_string_value(j);
	bool ok = term_add(&clean, v, json_string_length(j), TERM_VALUE) &&
	          (clean.len == json_string_length(j) ||
	           json_string_setn(j, buf_cstr(&clean), clean.len) == 0);
	buf_free(&clean);
	return ok;
}

bool term_json_clean(json_t *json)
{
	bool ok = true;
	if (json_is_string(json)) {
		ok = clean_string(json);
	} else if (json_is_array(json)) {
		size_t i;
		json_t *v;
		json_array_foreach(json, i, v) ok = term_json_clean(v) && ok;
	} else if (json_is_object(json)) {
		const char *k;
		json_t *v;
		json_object_foreach(json, k, v) ok = term_json_clean(v) && ok;
	}
	return ok;
}
