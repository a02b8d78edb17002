/* term: the one path for text that reaches the operator's terminal.
 *
 * Everything the command line prints for a person (text and markdown formats, messages,
 * --debug) goes through this module, so that text from a model file, an AWS answer, a
 * file name or a helper's output can never move the cursor, set the title, clear the
 * screen or write the clipboard (OSC 52). Every control character is made visible:
 *
 *   C0 (0x00-0x1F) and DEL (0x7F)          \xNN   (e.g. ESC is \x1b)
 *   C1 as UTF-8 (U+0080-U+009F)            \u00NN (e.g. CSI is \u009b)
 *   a byte that is not valid UTF-8         \xNN   (e.g. a lone 0x9b is \x9b)
 *
 * except, for whole text with layout (TERM_LAYOUT), the newline and the tab. Valid UTF-8
 * above U+009F passes as it is. The result is valid UTF-8 with no control character
 * (bar \n and \t in layout mode); cleaning cleaned text changes nothing.
 *
 * JSON keeps the data exact instead: term_json_dumps() writes what json_dumps() writes
 * with DEL and C1 escaped as \u007f and \u0080-\u009f too (jansson escapes C0 itself), and
 * term_json_string() makes a string of text that is not valid UTF-8 (which jansson
 * refuses) by writing each invalid byte as the four characters \xNN, so that no value is
 * dropped. */
#ifndef LMSCTL_COMMON_TERM_H
#define LMSCTL_COMMON_TERM_H

#include "common/buf.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum {
	TERM_VALUE = 0,  /* a value inside a line: newline and tab made visible too */
	TERM_LAYOUT = 1, /* whole text: newline and tab kept */
};

/* Appends s[0..len) to b with every control character made visible (see above). */
bool term_add(buf *b, const char *s, size_t len, int mode);
/* term_add() of a C string as a value; NULL appends nothing. */
bool term_adds(buf *b, const char *s);
/* Formats, then appends the result in layout mode. */
bool term_addf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool term_vaddf(buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Writes s[0..len) to f in layout mode; false on a write error (errno set). */
bool term_write(FILE *f, const char *s, size_t len);
bool term_puts(FILE *f, const char *s);
/* fprintf through term_write: the only way the command line prints formatted text. */
int term_printf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int term_vprintf(FILE *f, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* json_dumps() with DEL and C1 escaped; free() the result; NULL when out of memory. */
char *term_json_dumps(const json_t *json, size_t flags);
/* Appends the JSON text of `json` (term_json_dumps) and a newline to b. */
bool term_json_add(buf *b, const json_t *json, size_t flags);
/* A JSON string of s (json_null() for NULL); invalid UTF-8 bytes as the text \xNN. */
json_t *term_json_string(const char *s);

/* Replaces every string in json (values, not keys) by its term_add() in value mode, for
 * a formatter that prints a document's strings as text; false when out of memory. */
bool term_json_clean(json_t *json);

#endif
