#define _XOPEN_SOURCE 700 /* wcwidth */
#include "tui/ui_text.h"

#include <ctype.h>
#include <string.h>
#include <wchar.h>

size_t ui_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	static const uint32_t least[] = {0, 0x80, 0x800, 0x10000};
	const unsigned char *p = (const unsigned char *)s;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	size_t more = (p[0] & 0xE0) == 0xC0   ? 1
	              : (p[0] & 0xF0) == 0xE0 ? 2
	              : (p[0] & 0xF8) == 0xF0 ? 3
	                                      : 0;
	if (!more || more >= len) {
		*cp = UI_REPLACEMENT;
		return 1;
	}
	uint32_t v = p[0] & (0x7Fu >> (more + 1));
	for (size_t i = 1; i <= more; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			*cp = UI_REPLACEMENT;
			return 1;
		}
		v = (v << 6) | (p[i] & 0x3Fu);
	}
	if (v < least[more] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
		*cp = UI_REPLACEMENT;
		return 1;
	}
	*cp = v;
	return more + 1;
}

size_t ui_utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

bool ui_utf8_valid(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = ui_utf8_decode(s + i, len - i, &cp);
		if (cp == UI_REPLACEMENT && n == 1 && (unsigned char)s[i] >= 0x80)
			return false;
		i += n;
	}
	return true;
}

uint32_t ui_printable(uint32_t cp, bool utf8_locale)
{
	if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
		return '?';
	if (cp >= 0x80 && !utf8_locale)
		return '?';
	if (cp >= 0x80 && wcwidth((wchar_t)cp) < 0)
		return '?';
	return cp;
}

int ui_cp_width(uint32_t cp, bool utf8_locale)
{
	cp = ui_printable(cp, utf8_locale);
	if (cp < 0x80)
		return 1;
	int w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

size_t ui_text_width(const char *s, size_t len, bool utf8_locale)
{
	size_t w = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		i += ui_utf8_decode(s + i, len - i, &cp);
		w += (size_t)ui_cp_width(cp, utf8_locale);
	}
	return w;
}

size_t ui_text_fit(const char *s, size_t len, size_t cols, bool utf8_locale, size_t *used)
{
	size_t w = 0, i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = ui_utf8_decode(s + i, len - i, &cp);
		size_t cw = (size_t)ui_cp_width(cp, utf8_locale);
		if (w + cw > cols)
			break;
		w += cw;
		i += n;
	}
	if (used)
		*used = w;
	return i;
}

size_t ui_wrap(const char *s, size_t len, size_t cols, bool utf8_locale, ui_line *out, size_t max)
{
	size_t count = 0;
	size_t i = 0;
	bool soft = false; /* the last line ended at a space, not at '\n' */
	if (cols == 0)
		cols = 1;
	while (i < len) {
		/* a line starts after any spaces left over from a break; a line's own indentation
		 * (after '\n', or at the start) is kept: a diff, YAML, an indented list */
		while (soft && i < len && s[i] == ' ')
			i++;
		if (i >= len)
			break;
		size_t start = i, w = 0, last_space = (size_t)-1;
		while (i < len && s[i] != '\n') {
			uint32_t cp;
			size_t n = ui_utf8_decode(s + i, len - i, &cp);
			size_t cw = (size_t)ui_cp_width(cp, utf8_locale);
			if (w + cw > cols)
				break;
			if (s[i] == ' ')
				last_space = i;
			w += cw;
			i += n;
		}
		size_t end = i;
		soft = i < len && s[i] != '\n';
		if (soft && last_space != (size_t)-1 && last_space > start) {
			end = last_space;
			i = last_space + 1;
		}
		while (end > start && s[end - 1] == ' ')
			end--;
		if (out && count < max)
			out[count] = (ui_line){start, end};
		count++;
		if (i < len && s[i] == '\n')
			i++;
		if (i == start) /* a single character wider than the line */
			i += ui_utf8_decode(s + i, len - i, &(uint32_t){0});
	}
	return count;
}

size_t ui_find_ci(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0 || n > len)
		return n == 0 ? 0 : (size_t)-1;
	for (size_t i = 0; i + n <= len; i++) {
		size_t j = 0;
		while (j < n &&
		       tolower((unsigned char)hay[i + j]) == tolower((unsigned char)needle[j]))
			j++;
		if (j == n)
			return i;
	}
	return (size_t)-1;
}
