/* Allocation failure: each entry point of common/, model/ and aws/ made to
 * fail at each of its allocations in turn (tests/alloc_fail.h's sweep): a
 * clean error (or a documented fallback), nothing leaked, no crash, and
 * success once the countdown is past the call's last allocation. */
#undef _POSIX_C_SOURCE
#define _XOPEN_SOURCE 700 /* realpath, symlink */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/diff.h"
#include "common/error.h"
#include "common/file.h"
#include "common/str.h"
#include "common/term.h"
#include "common/vec.h"
#include "tests/alloc_fail.h"
#include "tests/testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The sweep of `fn`, failing the test with the step that went wrong; the
 * number of allocations the call makes. */
static long sweep(const char *what, alloc_call fn, void *ctx, unsigned flags, size_t max)
{
	char why[300];
	long n = alloc_sweep(fn, ctx, flags, max, why, sizeof why);
	if (n < 0)
		fail_msg("%s: %s", what, why);
	return n;
}

/* ---- the hook itself ---------------------------------------------------- */

static void test_countdown_fails_the_nth_once(void **state)
{
	(void)state;
	alloc_fail_after(2);
	void *a = malloc(8), *b = calloc(1, 8);
	assert_false(alloc_fail_fired());
	void *c = malloc(8); /* the third: fails */
	assert_true(alloc_fail_fired());
	int e = errno;
	void *d = strdup("x"); /* after it: succeeds again */
	assert_int_equal(alloc_fail_count(), 4);
	alloc_fail_off();
	assert_non_null(a);
	assert_non_null(b);
	assert_null(c);
	assert_int_equal(e, ENOMEM);
	assert_non_null(d);
	free(a);
	free(b);
	free(d);
	/* disarmed: nothing fails, nothing is counted */
	alloc_fail_after(0);
	alloc_fail_off();
	void *f = malloc(1);
	assert_non_null(f);
	free(f);
	assert_false(alloc_fail_fired());
}

/* realloc through a pointer: the compiler cannot tell whether it moved p */
static void *(*volatile realloc_fn)(void *, size_t) = realloc;

static void test_each_allocator_counts(void **state)
{
	(void)state;
	char *p = malloc(4);
	assert_non_null(p);
	/* each one is the allocation that fails, at 0 */
	alloc_fail_after(0);
	assert_null(malloc(1));
	alloc_fail_after(0);
	assert_null(calloc(2, 2));
	alloc_fail_after(0);
	assert_null(realloc_fn(p, 4096)); /* p stays the caller's */
	alloc_fail_after(0);
	assert_null(strdup("abc"));
	alloc_fail_after(0);
	assert_null(strndup("abc", 2));
	alloc_fail_after(0);
	assert_null(realpath(".", NULL));
	alloc_fail_after(0);
	assert_null(json_string("abc")); /* jansson's allocations too */
	alloc_fail_off();
	char *q = strndup("abcdef", 3);
	assert_string_equal(q, "abc");
	char *r = strdup("");
	assert_string_equal(r, "");
	char real[4096];
	assert_non_null(realpath(".", real)); /* the caller's buffer: not counted */
	p[0] = 'z';
	p = realloc_fn(p, 8192);
	assert_int_equal(p[0], 'z');
	free(p);
	free(q);
	free(r);
}

static void test_live_counts_leaks(void **state)
{
	(void)state;
	size_t before = alloc_live();
	char *a = malloc(3), *b = calloc(3, 3), *c = strdup("c"), *d = realpath(".", NULL);
	json_t *j = json_string("j");
	assert_true(alloc_live() >= before + 5);
	a = realloc_fn(a, 100000); /* a move: still one */
	size_t mid = alloc_live();
	free(a);
	free(b);
	free(c);
	free(d);
	json_decref(j);
	assert_int_equal(alloc_live(), before);
	assert_true(mid >= before + 5);
	/* many at once (the table grows), freed in another order */
	enum { N = 5000 };
	void **v = malloc(N * sizeof *v);
	for (size_t i = 0; i < N; i++)
		v[i] = malloc(i % 7 + 1);
	assert_int_equal(alloc_live(), before + N + 1);
	for (size_t i = 0; i < N; i += 2)
		free(v[i]);
	for (size_t i = 1; i < N; i += 2)
		free(v[i]);
	free(v);
	assert_int_equal(alloc_live(), before);
}

static bool leaky_call(void *ctx)
{
	(void)ctx;
	char *a = malloc(1), *b = malloc(1);
	free(a);
	if (!b)
		return false;
	if (!a)
		return true; /* the second allocation's failure "absorbed", the first leaked */
	free(b);
	return true;
}

static bool absorbing_call(void *ctx)
{
	char *a = malloc(1);
	if (a)
		free(a);
	*(int *)ctx += 1;
	return true;
}

static void test_sweep_sees_what_it_must(void **state)
{
	(void)state;
	char why[300];
	/* a leak on a failure path */
	assert_int_equal(alloc_sweep(leaky_call, NULL, 0, 10, why, sizeof why), -1);
	assert_non_null(strstr(why, "leaked"));
	/* a failure the call absorbs: fine unless ALLOC_MUST_FAIL */
	int calls = 0;
	assert_int_equal(alloc_sweep(absorbing_call, &calls, 0, 10, why, sizeof why), 1);
	assert_int_equal(calls, 3); /* once unarmed, at 0 (fails), at 1 (past the end) */
	assert_int_equal(alloc_sweep(absorbing_call, &calls, ALLOC_MUST_FAIL, 10, why, sizeof why),
	                 -1);
	assert_non_null(strstr(why, "still succeeds"));
	/* more allocations than allowed */
	assert_int_equal(alloc_sweep(absorbing_call, &calls, 0, 0, why, sizeof why), -1);
}

/* ---- common/ ------------------------------------------------------------ */

static bool call_buf(void *ctx)
{
	(void)ctx;
	buf b;
	buf_init(&b, 0);
	for (int i = 0; i < 40; i++)
		buf_addf(&b, "%d:%s;", i, "0123456789abcdef0123456789abcdef");
	buf_adds(&b, "tail");
	buf_addc(&b, '!');
	buf_add_percent_decoded(&b, "a%20b+c", 7, true);
	bool ok = !b.failed && b.len > 1000 && strcmp(buf_cstr(&b) + b.len - 10, "tail!a b c") == 0;
	char *s = buf_take(&b);
	ok = ok && s != NULL;
	free(s);
	buf_free(&b);
	/* an empty buffer handed over: a new empty string */
	buf e;
	buf_init(&e, 0);
	char *t = buf_take(&e);
	ok = ok && t && !*t;
	free(t);
	return ok;
}

static void test_buf_sweep(void **state)
{
	(void)state;
	/* 64 doubled to 2048 past 1000 bytes: 6 reallocs, and the empty take */
	assert_int_equal(sweep("buf", call_buf, NULL, ALLOC_MUST_FAIL, 50), 7);
}

static bool call_strdupf(void *ctx)
{
	(void)ctx;
	char *s = lms_strdupf("%s-%d", "abc", 42);
	bool ok = s && strcmp(s, "abc-42") == 0;
	free(s);
	return ok;
}

static bool call_error(void *ctx)
{
	(void)ctx;
	lms_error err = {0};
	lms_error_set(&err, "f.yml", 3, 4, "bad %s", "thing");
	char *s = lms_error_format(&err);
	bool ok = s && strcmp(s, "f.yml:3:4: bad thing") == 0 && err.file && err.msg;
	free(s);
	lms_error_clear(&err);
	return ok;
}

static void test_str_and_error_sweep(void **state)
{
	(void)state;
	assert_int_equal(sweep("lms_strdupf", call_strdupf, NULL, ALLOC_MUST_FAIL, 10), 1);
	assert_int_equal(sweep("lms_error", call_error, NULL, ALLOC_MUST_FAIL, 10), 3);
}

static bool call_term_buf(void *ctx)
{
	(void)ctx;
	buf b;
	buf_init(&b, 0);
	bool ok = term_addf(&b, "a\tb\x1b[%d\n", 31) && term_adds(&b, "x\x7fy");
	ok = ok && strcmp(buf_cstr(&b), "a\tb\\x1b[31\nx\\x7fy") == 0;
	buf_free(&b);
	return ok;
}

static bool call_term_print(void *ctx)
{
	FILE *f = ctx;
	return term_printf(f, "%s\x01", "ab") == 3 && term_puts(f, "c\x02");
}

static void test_term_text_sweep(void **state)
{
	(void)state;
	assert_int_equal(sweep("term_addf", call_term_buf, NULL, ALLOC_MUST_FAIL, 10), 2);
	FILE *f = fopen("/dev/null", "w");
	assert_non_null(f);
	assert_int_equal(sweep("term_printf", call_term_print, f, ALLOC_MUST_FAIL, 10), 3);
	fclose(f);
}

static bool call_term_json(void *ctx)
{
	(void)ctx;
	json_t *j = json_pack("{s:s, s:[s, i]}", "k", "a\x7f\xc2\x85", "l", "b\x1b", 3);
	if (!j)
		return false;
	char *s = term_json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	bool ok = s && strcmp(s, "{\"k\":\"a\\u007f\\u0085\",\"l\":[\"b\\u001B\",3]}") == 0;
	free(s);
	buf b;
	buf_init(&b, 0);
	ok = term_json_add(&b, j, JSON_COMPACT) && ok;
	buf_free(&b);
	json_decref(j);
	return ok;
}

/* term_json_clean on strings that need it: the array's and the object's
 * failures both reach the result */
static bool call_term_clean(void *ctx)
{
	int which = *(int *)ctx;
	json_t *j = which == 0   ? json_pack("[s, s]", "ok", "bad\x1b")
	            : which == 1 ? json_pack("{s:s, s:s}", "a", "bad\x1b", "b", "ok")
	                         : json_pack("[s, s]", "bad\x1b", "ok");
	if (!j)
		return false;
	bool ok = term_json_clean(j);
	json_decref(j);
	return ok;
}

static bool call_term_string(void *ctx)
{
	(void)ctx;
	json_t *j = term_json_string("a\xff"
	                             "b");
	bool ok = j && strcmp(json_string_value(j), "a\\xffb") == 0;
	json_decref(j);
	return ok;
}

static void test_term_json_sweep(void **state)
{
	(void)state;
	sweep("term_json_dumps", call_term_json, NULL, ALLOC_MUST_FAIL, 200);
	for (int which = 0; which < 3; which++)
		sweep("term_json_clean", call_term_clean, &which, ALLOC_MUST_FAIL, 200);
	sweep("term_json_string", call_term_string, NULL, ALLOC_MUST_FAIL, 50);
}

static bool call_diff(void *ctx)
{
	(void)ctx;
	const char *a = "one\ntwo\nthree\nfour\nfive\nsix\n";
	const char *b = "one\n2\nthree\nfour\nfive\nsix\nseven";
	diff_result r;
	bool ok = diff_texts(a, strlen(a), b, strlen(b), 1, &r);
	ok = ok && r.added == 2 && r.deleted == 1;
	if (ok)
		diff_result_free(&r);
	return ok;
}

static void test_diff_sweep(void **state)
{
	(void)state;
	sweep("diff_texts", call_diff, NULL, ALLOC_MUST_FAIL, 100);
}

static bool call_vec_arena(void *ctx)
{
	(void)ctx;
	int *v = NULL;
	size_t n = 0, cap = 0;
	bool ok = true;
	for (int i = 0; ok && i < 100; i++) {
		ok = VEC_RESERVE(v, cap, n + 1);
		if (ok)
			v[n++] = i;
	}
	ok = ok && VEC_RESIZE(v, 3) && v[2] == 2;
	free(v);
	lms_arena a;
	lms_arena_init(&a, 0);
	char *s = lms_arena_strdup(&a, "abc");
	void *big = lms_arena_alloc(&a, LMS_ARENA_CHUNK + 1);
	ok = ok && s && big && !a.failed;
	lms_arena_free(&a);
	return ok;
}

static void test_vec_arena_sweep(void **state)
{
	(void)state;
	/* 8, 16, 32, 64, 128; the resize; two chunks */
	assert_int_equal(sweep("vec and arena", call_vec_arena, NULL, ALLOC_MUST_FAIL, 50), 8);
}

typedef struct file_ctx {
	char *dir, *path, *link;
} file_ctx;

static bool call_file(void *ctx)
{
	file_ctx *fc = ctx;
	lms_error err = {0};
	buf b;
	bool ok = write_file_atomic(fc->path, "hello\n", 6, false, &err);
	if (ok && file_read(fc->path, 0, &b, &err)) {
		ok = b.len == 6 && memcmp(b.data, "hello\n", 6) == 0;
		file_seen seen = {.existed = true, .data = b.data, .len = b.len};
		ok = write_file_unchanged(fc->link, "bye\n", 4, &seen, &err) && ok;
		buf_free(&b);
	} else {
		ok = false;
	}
	lms_error_clear(&err);
	return ok;
}

static void test_file_sweep(void **state)
{
	(void)state;
	file_ctx fc;
	fc.dir = tu_mkdtemp();
	fc.path = tu_join(fc.dir, "f.txt");
	fc.link = tu_join(fc.dir, "link.txt");
	assert_int_equal(symlink("f.txt", fc.link), 0);
	sweep("file", call_file, &fc, ALLOC_MUST_FAIL, 50);
	/* no temporary file is left behind by any failure */
	assert_int_equal(tu_count_entries(fc.dir), 2);
	tu_rmtree(fc.dir);
	free(fc.dir);
	free(fc.path);
	free(fc.link);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_countdown_fails_the_nth_once),
	    cmocka_unit_test(test_each_allocator_counts),
	    cmocka_unit_test(test_live_counts_leaks),
	    cmocka_unit_test(test_sweep_sees_what_it_must),
	    cmocka_unit_test(test_buf_sweep),
	    cmocka_unit_test(test_str_and_error_sweep),
	    cmocka_unit_test(test_term_text_sweep),
	    cmocka_unit_test(test_term_json_sweep),
	    cmocka_unit_test(test_diff_sweep),
	    cmocka_unit_test(test_vec_arena_sweep),
	    cmocka_unit_test(test_file_sweep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
