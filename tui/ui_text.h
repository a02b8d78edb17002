/* ui_text: UTF-8 text as the console shows it, without curses: decoding that
 * never fails (an invalid byte reads as U+FFFD and consumes one byte),
 * display widths, cutting to a width and wrapping to lines.
 *
 * Every string the console draws may come from an operator's file, an AWS
 * response or a paste: these functions accept any bytes. Widths follow
 * wcwidth() for the current locale; a control character or a code point the
 * locale cannot show counts as one column (it is drawn as a replacement). */
#ifndef LMSCTL_TUI_UI_TEXT_H
#define LMSCTL_TUI_UI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UI_REPLACEMENT 0xFFFDu

/* Decodes one code point from `s` (at most `len` bytes, len > 0). Returns the
 * bytes consumed (1 to 4); an invalid or truncated sequence, an overlong form,
 * a surrogate or a value past U+10FFFF gives U+FFFD and consumes 1 byte. */
size_t ui_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Encodes `cp` (a valid scalar value) into `out` (4 bytes); returns the length. */
size_t ui_utf8_encode(uint32_t cp, char out[4]);

/* Whether `s` is well-formed UTF-8 in full. */
bool ui_utf8_valid(const char *s, size_t len);

/* The code point drawn for `cp`: controls and code points the terminal cannot
 * show (width < 0) become '?'; everything else is itself. */
uint32_t ui_printable(uint32_t cp, bool utf8_locale);

/* Display columns of one (printable) code point: 0, 1 or 2. */
int ui_cp_width(uint32_t cp, bool utf8_locale);

/* Display columns of the first `len` bytes of `s`. */
size_t ui_text_width(const char *s, size_t len, bool utf8_locale);

/* The number of bytes of `s` (of `len`) that fit in `cols` columns, never
 * splitting a code point; `*used` (may be NULL) gets the columns they take. */
size_t ui_text_fit(const char *s, size_t len, size_t cols, bool utf8_locale, size_t *used);

/* One line of a wrapped paragraph: a byte range of the source. */
typedef struct ui_line {
	size_t from, to;
} ui_line;

/* Wraps `s` to lines of at most `cols` columns, breaking at spaces where it
 * can (a word longer than a line is cut), and at '\n'. Runs of spaces at a
 * break are dropped. Returns the number of lines; fills at most `max` of
 * `out` (which may be NULL to count). */
size_t ui_wrap(const char *s, size_t len, size_t cols, bool utf8_locale, ui_line *out, size_t max);

/* Case-insensitive (ASCII) substring search in the first `len` bytes of
 * `hay`; returns the offset of the match or (size_t)-1. */
size_t ui_find_ci(const char *hay, size_t len, const char *needle);

#endif
