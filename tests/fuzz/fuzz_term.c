/* Fuzz target: any bytes through the terminal's one output path (common/term.h). The
 * first byte picks the mode. Whatever the bytes: the text is valid UTF-8 with no control
 * character (newline and tab only in layout mode), cleaning it again changes nothing,
 * and as a JSON string (term_json_string, term_json_dumps) it is never dropped, holds no
 * raw control character and parses back. */
#include "common/buf.h"
#include "common/str.h"
#include "common/term.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* No byte a terminal could act on: checked apart from term.c's own loop. */
static void assert_visible(const char *s, size_t len, bool layout)
{
	if (lms_utf8_invalid(s, len) != len)
		abort();
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len; i++) {
		if ((p[i] < 0x20 && !(layout && (p[i] == '\n' || p[i] == '\t'))) || p[i] == 0x7F)
			abort();
		if (p[i] == 0xC2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	int mode = data[0] & 1 ? TERM_LAYOUT : TERM_VALUE;
	const char *in = (const char *)data + 1;
	size_t n = size - 1;
	buf out, again;
	buf_init(&out, 0);
	buf_init(&again, 0);
	if (!term_add(&out, in, n, mode) || !term_add(&again, out.data, out.len, mode))
		abort();
	assert_visible(buf_cstr(&out), out.len, mode == TERM_LAYOUT);
	if (out.len != again.len || memcmp(buf_cstr(&out), buf_cstr(&again), out.len) != 0)
		abort();

	/* as JSON: up to the first NUL, as a C string reaches it */
	char *cstr = strndup(in, n);
	json_t *j = cstr ? term_json_string(cstr) : NULL;
	if (cstr && !j)
		abort(); /* dropped */
	if (j) {
		char *text = term_json_dumps(j, JSON_ENCODE_ANY);
		if (!text)
			abort();
		assert_visible(text, strlen(text), false);
		json_t *back = json_loads(text, JSON_DECODE_ANY, NULL);
		if (!back || !json_equal(back, j))
			abort();
		if (lms_utf8_invalid(cstr, strlen(cstr)) == strlen(cstr) &&
		    strcmp(json_string_value(back), cstr) != 0)
			abort(); /* valid UTF-8 comes back exact */
		json_decref(back);
		free(text);
		json_decref(j);
	}
	free(cstr);
	buf_free(&out);
	buf_free(&again);
	return 0;
}
