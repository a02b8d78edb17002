/* buf: growth, the size cap and its sticky failed state, take and reset. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/buf.h"
#include "tests/alloc_fail.h"

#include <stdlib.h>
#include <string.h>

static void test_init_is_empty(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 0);
	assert_int_equal(b.len, 0);
	assert_false(b.failed);
	assert_int_equal(b.max, BUF_DEFAULT_MAX);
	assert_string_equal(buf_cstr(&b), "");
	buf_free(&b);
}

/* A freed buffer is empty and usable again: adding nothing to it still makes
 * it a C string of its own (buf_free leaves no capacity behind). */
static void test_free_then_reuse(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 0);
	assert_true(buf_adds(&b, "abc"));
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_true(buf_add(&b, "", 0));
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_true(buf_adds(&b, "x"));
	assert_string_equal(buf_cstr(&b), "x");
	buf_free(&b);
}

static void test_add_grows_and_terminates(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 0);
	char expect[3001];
	for (size_t i = 0; i < 3000; i++) {
		char c = (char)('a' + i % 26);
		expect[i] = c;
		assert_true(buf_add(&b, &c, 1));
		assert_int_equal(b.len, i + 1);
		assert_true(b.cap >= b.len + 1);
		assert_int_equal(b.data[b.len], '\0');
	}
	expect[3000] = '\0';
	assert_string_equal(buf_cstr(&b), expect);
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void test_adds_addc_and_binary(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 0);
	assert_true(buf_adds(&b, "ab"));
	assert_true(buf_addc(&b, 'c'));
	assert_true(buf_add(&b, "\0d", 2));
	assert_true(buf_add(&b, "", 0));
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "abc\0d", 6);
	buf_free(&b);
}

static void test_addf_formats_and_grows(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 0);
	char big[1000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_true(buf_addf(&b, "%d-%s", 42, "é"));
	assert_string_equal(buf_cstr(&b), "42-é");
	assert_true(buf_addf(&b, "[%s]", big));
	assert_int_equal(b.len, strlen("42-é") + 2 + 999);
	assert_int_equal(b.data[strlen("42-é")], '[');
	assert_int_equal(b.data[b.len - 1], ']');
	assert_int_equal(b.data[b.len], '\0');
	assert_true(buf_addf(&b, "%s", ""));
	assert_int_equal(b.len, strlen("42-é") + 2 + 999);
	buf_free(&b);
}

static void test_cap_allows_exactly_max(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 8);
	assert_true(buf_adds(&b, "12345678"));
	assert_false(b.failed);
	assert_string_equal(buf_cstr(&b), "12345678");
	assert_false(buf_addc(&b, '9'));
	assert_true(b.failed);
	buf_free(&b);
}

static void test_cap_exceeded_fails_frees_and_sticks(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 8);
	assert_true(buf_adds(&b, "12345"));
	assert_false(buf_adds(&b, "6789"));
	assert_true(b.failed);
	assert_null(b.data); /* freed at once, not at buf_free */
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_cstr(&b), "");
	/* sticky: even what would fit now is refused */
	assert_false(buf_addc(&b, 'x'));
	assert_false(buf_adds(&b, ""));
	assert_false(buf_addf(&b, "%d", 1));
	assert_true(b.failed);
	assert_null(b.data);
	assert_null(buf_take(&b));
	buf_free(&b);
}

static void test_addf_cap_exceeded(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 10);
	assert_true(buf_addf(&b, "%s", "0123456789"));
	assert_false(buf_addf(&b, "%d", 7));
	assert_true(b.failed);
	assert_null(b.data);
	assert_string_equal(buf_cstr(&b), "");
	buf_free(&b);
}

static void test_take_hands_over_and_empties(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 0);
	buf_adds(&b, "hello");
	char *s = buf_take(&b);
	assert_non_null(s);
	assert_string_equal(s, "hello");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_string_equal(buf_cstr(&b), "");
	/* still usable, and independent of the string handed out */
	assert_true(buf_adds(&b, "again"));
	assert_string_equal(buf_cstr(&b), "again");
	assert_string_equal(s, "hello");
	free(s);
	buf_free(&b);
	/* an empty buffer hands out an empty string, not NULL */
	buf_init(&b, 0);
	s = buf_take(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

static void test_reset_keeps_memory_and_clears_failure(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 0);
	buf_adds(&b, "some text");
	char *mem = b.data;
	size_t cap = b.cap;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_ptr_equal(b.data, mem);
	assert_int_equal(b.cap, cap);
	assert_string_equal(buf_cstr(&b), "");
	assert_true(buf_adds(&b, "new"));
	assert_string_equal(buf_cstr(&b), "new");
	buf_free(&b);

	buf_init(&b, 4);
	assert_false(buf_adds(&b, "too long"));
	assert_true(b.failed);
	buf_reset(&b);
	assert_false(b.failed);
	assert_true(buf_adds(&b, "ok"));
	assert_string_equal(buf_cstr(&b), "ok");
	buf_free(&b);
}

/* Percent-decoding at its edges: each end of the three hex-digit ranges
 * and the characters just outside them, an escape cut short at the end,
 * '+' as a space only when asked. */
static void test_percent_decoded(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool plus;
		const char *want;
	} cases[] = {
	    {"%30%39%41%46%61%66", false, "09AFaf"},
	    {"%2f%2F", false, "//"},
	    {"%aA%Aa%fF%Ff", false, "\xaa\xaa\xff\xff"}, /* a-f and A-F at both ends */
	    {"%/0%:0%@0%G0%`0%g0", false, "%/0%:0%@0%G0%`0%g0"},
	    {"%0/%0:%0@%0G%0`%0g", false, "%0/%0:%0@%0G%0`%0g"},
	    {"a%4", false, "a%4"},
	    {"a%", false, "a%"},
	    {"%41", false, "A"},
	    {"a+b", false, "a+b"},
	    {"a+b", true, "a b"},
	    {"%2B+", true, "+ "},
	    {"", false, ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		buf b;
		buf_init(&b, 0);
		assert_true(
		    buf_add_percent_decoded(&b, cases[i].in, strlen(cases[i].in), cases[i].plus));
		if (strcmp(buf_cstr(&b), cases[i].want) != 0)
			fail_msg("'%s': '%s'", cases[i].in, buf_cstr(&b));
		buf_free(&b);
	}
	/* the length given, not the string's: "%41" cut after "%4" */
	buf b;
	buf_init(&b, 0);
	assert_true(buf_add_percent_decoded(&b, "%41", 2, false));
	assert_string_equal(buf_cstr(&b), "%4");
	buf_free(&b);
	/* a NUL decoded is a byte of the text */
	buf_init(&b, 0);
	assert_true(buf_add_percent_decoded(&b, "a%00b", 5, false));
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 3);
	buf_free(&b);
	/* past the cap: false */
	buf_init(&b, 2);
	assert_false(buf_add_percent_decoded(&b, "abc", 3, false));
	buf_free(&b);
}

/* oom tells a failed allocation from the cap: the cap alone is not oom */
static void test_oom_is_not_the_cap(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 4);
	assert_false(buf_adds(&b, "12345"));
	assert_true(b.failed);
	assert_false(b.oom);
	buf_reset(&b);
	alloc_fail_after(0);
	bool added = buf_adds(&b, "12");
	alloc_fail_off();
	assert_false(added);
	assert_true(b.failed);
	assert_true(b.oom);
	assert_null(b.data);
	buf_reset(&b); /* clears both */
	assert_false(b.failed);
	assert_false(b.oom);
	assert_true(buf_adds(&b, "12"));
	assert_false(b.oom);
	buf_free(&b);
}

/* A whole part leaves the text as it is; a failed one fails it, out of memory or not. */
static void test_fail_with(void **state)
{
	(void)state;
	buf out, part;
	buf_init(&out, 0);
	buf_init(&part, 4);
	buf_adds(&out, "kept");
	buf_adds(&part, "abcd");
	buf_fail_with(&out, &part);
	assert_false(out.failed);
	assert_string_equal(buf_cstr(&out), "kept");
	buf_adds(&part, "e"); /* over its cap of 4 */
	assert_true(part.failed);
	buf_fail_with(&out, &part);
	assert_true(out.failed);
	assert_false(out.oom);
	assert_int_equal(out.len, 0);
	buf_free(&out);
	buf_free(&part);
	buf_init(&out, 0);
	buf_init(&part, 0);
	part.failed = part.oom = true;
	buf_fail_with(&out, &part);
	assert_true(out.failed && out.oom);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_is_empty),
	    cmocka_unit_test(test_add_grows_and_terminates),
	    cmocka_unit_test(test_adds_addc_and_binary),
	    cmocka_unit_test(test_addf_formats_and_grows),
	    cmocka_unit_test(test_cap_allows_exactly_max),
	    cmocka_unit_test(test_cap_exceeded_fails_frees_and_sticks),
	    cmocka_unit_test(test_addf_cap_exceeded),
	    cmocka_unit_test(test_take_hands_over_and_empties),
	    cmocka_unit_test(test_reset_keeps_memory_and_clears_failure),
	    cmocka_unit_test(test_percent_decoded),
	    cmocka_unit_test(test_free_then_reuse),
	    cmocka_unit_test(test_oom_is_not_the_cap),
	    cmocka_unit_test(test_fail_with),
	};
	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
