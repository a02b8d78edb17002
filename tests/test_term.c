/* term: the one output path for the operator's terminal (common/term.h). Every control
 * character (all of C0, DEL, all of C1 as UTF-8) and every byte that is not UTF-8 (each
 * of 0x80-0xFF alone) is fed to each formatter the command line uses (term_add in both
 * modes, term_printf, the findings as text and JSON, term_json_dumps), and none may come
 * out raw; JSON keeps the data exact. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "common/term.h"
#include "model/findings.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Independent of term.c: the offset of the first byte a terminal could act on (C0 but
 * \n and \t when layout, DEL, C1 in UTF-8, a byte that starts no valid UTF-8 sequence),
 * or -1 when there is none. */
static long first_raw_control(const char *text, size_t len, bool layout)
{
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		if (c < 0x80) {
			if ((c < 0x20 && !(layout && (c == '\n' || c == '\t'))) || c == 0x7F)
				return (long)i;
			i++;
			continue;
		}
		size_t n = c >= 0xF0 && c <= 0xF4  ? 4
		           : c >= 0xE0             ? 3
		           : c >= 0xC2 && c < 0xE0 ? 2
		                                   : 0;
		if (n == 0 || i + n > len || c > 0xF4)
			return (long)i;
		for (size_t k = 1; k < n; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return (long)i;
		if (c == 0xC2 && s[i + 1] < 0xA0) /* U+0080-U+009F */
			return (long)i;
		if ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xF0 && s[i + 1] < 0x90) ||
		    (c == 0xED && s[i + 1] >= 0xA0) || (c == 0xF4 && s[i + 1] >= 0x90))
			return (long)i; /* overlong, surrogate, past U+10FFFF */
		i += n;
	}
	return -1;
}

#define assert_visible(s, len, layout)                                                             \
	do {                                                                                       \
		long at_ = first_raw_control((s), (len), (layout));                                \
		if (at_ >= 0)                                                                      \
			fail_msg("raw control byte 0x%02x at %ld in \"%s\"",                       \
			         (unsigned)(unsigned char)(s)[at_], at_, (s));                     \
	} while (0)

/* Every hostile piece of text: each C0, DEL, each C1 as UTF-8, each lone byte 0x80-0xFF. */
typedef struct hostile {
	char text[4];
	size_t len;
	const char *want; /* what term_add makes of it in value mode */
} hostile;

static size_t hostile_all(hostile *h)
{
	static char wants[256 + 32 + 1][8];
	size_t n = 0;
	for (unsigned c = 0; c < 0x20; c++, n++) {
		h[n].text[0] = (char)c;
		h[n].len = 1;
		snprintf(wants[n], sizeof wants[n], "\\x%02x", c);
		h[n].want = wants[n];
	}
	h[n].text[0] = 0x7F;
	h[n].len = 1;
	h[n].want = "\\x7f";
	n++;
	for (unsigned c = 0x80; c < 0xA0; c++, n++) {
		h[n].text[0] = (char)0xC2;
		h[n].text[1] = (char)c;
		h[n].len = 2;
		snprintf(wants[n], sizeof wants[n], "\\u%04x", c);
		h[n].want = wants[n];
	}
	for (unsigned c = 0x80; c < 0x100; c++, n++) {
		h[n].text[0] = (char)c;
		h[n].len = 1;
		snprintf(wants[n], sizeof wants[n], "\\x%02x", c);
		h[n].want = wants[n];
	}
	return n;
}

static hostile all[32 + 1 + 32 + 128];
static size_t nall;

/* "a" X "b" X ... : every hostile piece between letters. */
static void hostile_text(buf *b)
{
	for (size_t i = 0; i < nall; i++) {
		buf_addc(b, 'a');
		buf_add(b, all[i].text, all[i].len);
	}
	buf_addc(b, 'b');
}

static void test_every_control_character_is_escaped(void **state)
{
	(void)state;
	for (size_t i = 0; i < nall; i++) {
		for (int mode = TERM_VALUE; mode <= TERM_LAYOUT; mode++) {
			buf in, out;
			buf_init(&in, 0);
			buf_init(&out, 0);
			buf_adds(&in, "<");
			buf_add(&in, all[i].text, all[i].len);
			buf_adds(&in, ">");
			assert_true(term_add(&out, in.data, in.len, mode));
			bool kept = mode == TERM_LAYOUT && all[i].len == 1 &&
			            (all[i].text[0] == '\n' || all[i].text[0] == '\t');
			if (!kept) {
				char want[16];
				snprintf(want, sizeof want, "<%s>", all[i].want);
				assert_string_equal(buf_cstr(&out), want);
			}
			assert_visible(out.data, out.len, mode == TERM_LAYOUT);
			buf_free(&in);
			buf_free(&out);
		}
	}
}

static void test_valid_utf8_passes_and_cleaning_is_idempotent(void **state)
{
	(void)state;
	/* Thai, a euro sign, U+00A0 (the first after C1), an emoji: as they are */
	const char *ok =
	    "\xe0\xb8\x9a\xe0\xb8\xb2\xe0\xb8\x97 \xe2\x82\xac \xc2\xa0 \xf0\x9f\x98\x80";
	buf out;
	buf_init(&out, 0);
	assert_true(term_adds(&out, ok));
	assert_string_equal(buf_cstr(&out), ok);
	buf_reset(&out);
	/* overlongs, a surrogate, past U+10FFFF, a cut sequence: escaped byte by byte */
	assert_true(term_adds(&out, "\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xe2\x82"));
	assert_string_equal(buf_cstr(&out),
	                    "\\xc0\\xaf|\\xed\\xa0\\x80|\\xf4\\x90\\x80\\x80|\\xe2\\x82");
	buf in, again;
	buf_init(&in, 0);
	buf_init(&again, 0);
	hostile_text(&in);
	buf_reset(&out);
	assert_true(term_add(&out, in.data, in.len, TERM_LAYOUT));
	assert_true(term_add(&again, out.data, out.len, TERM_LAYOUT));
	assert_string_equal(buf_cstr(&again), buf_cstr(&out));
	buf_free(&in);
	buf_free(&out);
	buf_free(&again);
}

static void test_printf_to_a_stream(void **state)
{
	(void)state;
	buf in;
	buf_init(&in, 0);
	hostile_text(&in);
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	assert_non_null(f);
	/* the text goes through %s, as a message with a value in it */
	assert_true(term_printf(f, "value: %s\n", buf_cstr(&in)) > 0);
	assert_true(term_write(f, in.data, in.len));
	fclose(f);
	assert_visible(mem, len, true);
	/* the NUL (the first hostile piece) ends the %s; term_write keeps going */
	assert_non_null(strstr(mem, "value: a\n"));
	assert_non_null(strstr(mem, "a\\x00a\\x01"));
	assert_non_null(strstr(mem, "a\\u009ba"));
	free(mem);
	buf_free(&in);
	/* a write error is -1, as fprintf's */
	FILE *full = fopen("/dev/full", "w");
	if (full) {
		setvbuf(full, NULL, _IONBF, 0);
		assert_int_equal(term_printf(full, "value: %s\n", "x"), -1);
		assert_int_equal(term_printf(full, "%s", ""), 0);
		fclose(full);
	}
}

static void test_findings_text_and_json(void **state)
{
	(void)state;
	findings f;
	findings_init(&f);
	/* every piece in its own finding (a NUL would end the C string) and all at once */
	for (size_t i = 1; i < nall; i++) {
		char piece[5] = {0};
		memcpy(piece, all[i].text, all[i].len);
		findings_add(&f, "MOD001", SEV_ERROR, piece, piece, "value '%s'", piece);
		findings_set_position(&f, f.n - 1, piece, 3, 7);
	}
	buf in;
	buf_init(&in, 0);
	hostile_text(&in);
	findings_add(&f, "MOD002", SEV_WARNING, "field", "hint", "%s", buf_cstr(&in) + 2);
	assert_int_equal(f.n, nall);

	buf text;
	buf_init(&text, 0);
	findings_format_text(&f, &text);
	assert_false(text.failed);
	assert_visible(text.data, text.len, true);
	/* one line per finding: a newline in a value does not start another */
	size_t lines = 0;
	for (size_t i = 0; i < text.len; i++)
		lines += text.data[i] == '\n';
	assert_int_equal(lines, f.n + 1);

	buf js;
	buf_init(&js, 0);
	assert_true(findings_format_json(&f, &js));
	assert_visible(js.data, js.len, true);
	json_error_t je;
	json_t *root = json_loads(buf_cstr(&js), 0, &je);
	assert_non_null(root);
	json_t *arr = json_object_get(root, "findings");
	/* nothing dropped, not even what is not UTF-8 */
	assert_int_equal(json_array_size(arr), f.n);
	/* valid UTF-8 comes back exact (C0, DEL, C1); a byte that is not, as \xNN */
	for (size_t i = 1; i < nall; i++) {
		json_t *x = json_array_get(arr, i - 1);
		const char *field = json_string_value(json_object_get(x, "field"));
		char piece[5] = {0};
		memcpy(piece, all[i].text, all[i].len);
		assert_non_null(field);
		assert_string_equal(field, i < 32 + 1 + 32 ? piece : all[i].want);
	}
	json_decref(root);
	buf_free(&js);
	buf_free(&text);
	buf_free(&in);
	findings_free(&f);
}

static void test_json_escapes_del_and_c1_and_keeps_the_data(void **state)
{
	(void)state;
	buf in;
	buf_init(&in, 0);
	for (size_t i = 1; i < 32 + 1 + 32; i++) /* C0 but NUL, DEL, C1: valid UTF-8 */
		buf_add(&in, all[i].text, all[i].len);
	json_t *doc = json_pack("{s:s, s:[s]}", "v", buf_cstr(&in), "list", buf_cstr(&in));
	assert_non_null(doc);
	char *s = term_json_dumps(doc, JSON_INDENT(2));
	assert_non_null(s);
	assert_visible(s, strlen(s), true);
	assert_non_null(strstr(s, "\\u007f\\u0080\\u0081"));
	json_t *back = json_loads(s, 0, NULL);
	assert_non_null(back);
	assert_true(json_equal(doc, back));
	json_decref(back);
	free(s);
	json_decref(doc);

	/* not UTF-8: kept as \xNN text instead of dropped */
	json_t *j = term_json_string("a\x9b"
	                             "b\xff");
	assert_non_null(j);
	assert_string_equal(json_string_value(j), "a\\x9bb\\xff");
	json_decref(j);
	buf_free(&in);
}

static void test_json_clean_for_a_formatter(void **state)
{
	(void)state;
	json_t *doc = json_pack("{s:s, s:[s, i]}", "title", "\x1b]0;pwned\x07", "rows",
	                        "\xc2\x9b"
	                        "2J\nx",
	                        3);
	assert_true(term_json_clean(doc));
	assert_string_equal(json_string_value(json_object_get(doc, "title")), "\\x1b]0;pwned\\x07");
	assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "rows"), 0)),
	                    "\\u009b2J\\x0ax");
	json_decref(doc);
}

/* The exact text at the edges: U+007E and U+00A0 pass, U+007F and U+009F do
 * not, in term_add and in term_json_dumps; a lead byte at the very end;
 * term_adds of NULL; term_json_clean down nested arrays and objects, a
 * string it leaves as it was; term_json_string of NULL and of text that is
 * UTF-8. */
static void test_exact_edges(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int mode;
		const char *want;
	} cases[] = {
	    {"~\xc2\xa0", TERM_VALUE, "~\xc2\xa0"},
	    {"\x7f\xc2\x9f", TERM_VALUE, "\\x7f\\u009f"},
	    {"\x1f ", TERM_VALUE, "\\x1f "},
	    {"a\xc2", TERM_VALUE, "a\\xc2"},
	    {"a\n\tb", TERM_LAYOUT, "a\n\tb"},
	    {"a\n\tb", TERM_VALUE, "a\\x0a\\x09b"},
	    {"\xc2\x80\xc2\x9f\xc2\xa0", TERM_LAYOUT, "\\u0080\\u009f\xc2\xa0"},
	    {"\xe2\x82\xac\xf0\x9f\x98\x80", TERM_VALUE, "\xe2\x82\xac\xf0\x9f\x98\x80"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		buf b;
		buf_init(&b, 0);
		assert_true(term_add(&b, cases[i].in, strlen(cases[i].in), cases[i].mode));
		if (strcmp(buf_cstr(&b), cases[i].want) != 0)
			fail_msg("case %zu: %s", i, buf_cstr(&b));
		buf_free(&b);
	}
	/* the length given, not the string's: what follows it is not read */
	static const struct {
		const char *in;
		size_t len;
		int mode;
		const char *want;
	} cut[] = {
	    {"abc", 2, TERM_VALUE, "ab"},           {"ab\n", 2, TERM_LAYOUT, "ab"},
	    {"a\x1b", 1, TERM_VALUE, "a"},          {"\x1bx", 1, TERM_VALUE, "\\x1b"},
	    {"a\xc3\xa9", 2, TERM_VALUE, "a\\xc3"},
	};
	for (size_t i = 0; i < sizeof cut / sizeof *cut; i++) {
		buf c;
		buf_init(&c, 0);
		assert_true(term_add(&c, cut[i].in, cut[i].len, cut[i].mode));
		if (strcmp(buf_cstr(&c), cut[i].want) != 0)
			fail_msg("cut %zu: %s", i, buf_cstr(&c));
		buf_free(&c);
	}
	buf b;
	buf_init(&b, 0);
	assert_true(term_adds(&b, NULL));
	assert_true(term_add(&b, "", 0, TERM_VALUE));
	assert_string_equal(buf_cstr(&b), "");
	assert_non_null(b.data); /* a C string even when nothing was added */
	buf_free(&b);
	/* JSON: DEL and C1 escaped, U+00A0 and U+007E as they are */
	json_t *j = json_pack("[s, s, s]", "~\xc2\xa0", "\x7f", "\xc2\x9f\xc2\x80");
	char *s = term_json_dumps(j, JSON_COMPACT);
	assert_string_equal(s, "[\"~\xc2\xa0\",\"\\u007f\",\"\\u009f\\u0080\"]");
	free(s);
	json_decref(j);
	/* clean: nested, and a string that needs nothing keeps its text */
	j = json_pack("{s:[s, {s:s}], s:s, s:i}", "a", "\x1b", "b", "\x07", "c", "fine", "d", 1);
	assert_true(term_json_clean(j));
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"a\":[\"\\\\x1b\",{\"b\":\"\\\\x07\"}],\"c\":\"fine\",\"d\":1}");
	free(s);
	json_decref(j);
	j = term_json_string(NULL);
	assert_true(json_is_null(j));
	json_decref(j);
	j = term_json_string("caf\xc3\xa9");
	assert_string_equal(json_string_value(j), "caf\xc3\xa9");
	json_decref(j);
	j = term_json_string("\xc3");
	assert_string_equal(json_string_value(j), "\\xc3");
	json_decref(j);
}

/* Allocations, seen by failure injection: a character the buffer's max refuses
 * makes none (no empty add before the escape); term_json_string adds only the
 * text to its buffer (not the NUL after it): 63 bytes of fixed text fit the
 * first 64-byte allocation as 62 do. */
static void test_allocation_edges(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 3);
	alloc_fail_after(0);
	assert_false(term_add(&b, "\x01", 1, TERM_VALUE));
	bool fired = alloc_fail_fired();
	alloc_fail_off();
	assert_false(fired);
	assert_true(b.failed);
	assert_false(b.oom);
	buf_free(&b);
	char text[64];
	size_t count[2];
	for (size_t k = 0; k < 2; k++) {
		text[0] = '\xff'; /* "\\xff": 4 bytes */
		memset(text + 1, 'a', 58 + k);
		text[59 + k] = '\0';
		alloc_fail_after(SIZE_MAX);
		json_t *j = term_json_string(text);
		count[k] = alloc_fail_count();
		alloc_fail_off();
		assert_non_null(j);
		assert_int_equal(strlen(json_string_value(j)), 62 + k);
		json_decref(j);
	}
	assert_int_equal(count[0], count[1]);
}

int main(void)
{
	nall = hostile_all(all);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_control_character_is_escaped),
	    cmocka_unit_test(test_allocation_edges),
	    cmocka_unit_test(test_valid_utf8_passes_and_cleaning_is_idempotent),
	    cmocka_unit_test(test_printf_to_a_stream),
	    cmocka_unit_test(test_findings_text_and_json),
	    cmocka_unit_test(test_json_escapes_del_and_c1_and_keeps_the_data),
	    cmocka_unit_test(test_json_clean_for_a_formatter),
	    cmocka_unit_test(test_exact_edges),
	};
	return cmocka_run_group_tests_name("term", tests, NULL, NULL);
}
