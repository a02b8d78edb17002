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

#include "aws/cfn.h"
#include "aws/credentials.h"
#include "aws/http.h"
#include "aws/sigv4.h"
#include "aws/xml.h"
#include "common/arena.h"
#include "common/buf.h"
#include "common/diff.h"
#include "common/error.h"
#include "common/file.h"
#include "common/str.h"
#include "common/term.h"
#include "common/vec.h"
#include "model/analysis.h"
#include "model/assemble.h"
#include "model/findings.h"
#include "model/params_json.h"
#include "model/report.h"
#include "model/rules_registry.h"
#include "model/validate.h"
#include "tests/alloc_fail.h"
#include "tests/render_fixture.h"
#include "tests/testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a call that reported success gave must be whole: a success with a
 * part missing fails the test at once (returning false would read as the
 * call's clean failure). */
#define WHOLE(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fail_msg("%s:%d: a success that is not whole: %s", __FILE__, __LINE__,     \
			         #cond);                                                           \
	} while (0)

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

/* a test that failed inside a sweep leaves the countdown armed */
static int disarm(void **state)
{
	(void)state;
	alloc_fail_off();
	alloc_fail_jansson(true);
	return 0;
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
	bool ok = !b.failed;
	if (ok)
		WHOLE(b.len > 1000 && strcmp(buf_cstr(&b) + b.len - 10, "tail!a b c") == 0);
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
	bool ok = s != NULL;
	if (ok)
		WHOLE(strcmp(s, "abc-42") == 0);
	free(s);
	return ok;
}

static bool call_error(void *ctx)
{
	(void)ctx;
	lms_error err = {0};
	lms_error_set(&err, "f.yml", 3, 4, "bad %s", "thing");
	char *s = lms_error_format(&err);
	/* out of memory may cost the message or the file (lms_error_set has no
	 * result), never the position or a crash */
	bool ok = s && err.file && err.msg;
	if (ok)
		WHOLE(strcmp(s, "f.yml:3:4: bad thing") == 0);
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
	if (ok)
		WHOLE(strcmp(buf_cstr(&b), "a\tb\\x1b[31\nx\\x7fy") == 0);
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
	bool ok = s != NULL;
	if (ok)
		WHOLE(strcmp(s, "{\"k\":\"a\\u007f\\u0085\",\"l\":[\"b\\u001B\",3]}") == 0);
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
	if (ok) /* every string clean (read without allocating: the countdown runs) */
		for (size_t i = 0; i < 2; i++) {
			json_t *v = json_is_array(j) ? json_array_get(j, i)
			                             : json_object_get(j, i ? "b" : "a");
			WHOLE(v && !strchr(json_string_value(v), '\x1b'));
		}
	json_decref(j);
	return ok;
}

static bool call_term_string(void *ctx)
{
	(void)ctx;
	json_t *j = term_json_string("a\xff"
	                             "b");
	bool ok = j != NULL;
	if (ok)
		WHOLE(strcmp(json_string_value(j), "a\\xffb") == 0);
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
	if (ok)
		WHOLE(r.added == 2 && r.deleted == 1 && r.n == 8 && r.v[0].kind == DIFF_HUNK);
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
		WHOLE(b.len == 6 && memcmp(b.data, "hello\n", 6) == 0);
		file_seen seen = {.existed = true, .data = b.data, .len = b.len};
		ok = write_file_unchanged(fc->link, "bye\n", 4, &seen, &err);
		buf_free(&b);
	} else {
		ok = false;
	}
	/* out of memory says so: not "larger than N bytes", not "changed on
	 * disk since it was read" (file_read's buffer failing) */
	if (!ok && err.msg)
		WHOLE(!strstr(err.msg, "larger than") && !strstr(err.msg, "changed on disk"));
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

/* ---- model/ ------------------------------------------------------------- */

static const char frag_text[] =
    "Metadata:\n"
    "  AWS::CloudFormation::Interface:\n"
    "    ParameterGroups:\n"
    "      - Label: {default: Sizes}\n"
    "        Parameters: [Size, Names]\n"
    "Parameters:\n"
    "  Size:\n"
    "    Type: Number\n"
    "    Description: size\n"
    "    Default: 2\n"
    "    MinValue: 1\n"
    "  Names:\n"
    "    Type: CommaDelimitedList\n"
    "    Description: names\n"
    "    Default: a,b\n"
    "Conditions:\n"
    "  Big: !Not [!Equals [!Ref Size, 1]]\n"
    "  Both: !And [!Condition Big, !Condition IsProd]\n"
    "Mappings:\n"
    "  M:\n"
    "    dev: {v: one}\n"
    "    prod: {v: two}\n"
    "Resources:\n"
    "  Bucket:\n"
    "    Type: AWS::S3::Bucket\n"
    "    Metadata: {Note: [1, {k: v}]}\n"
    "    Properties:\n"
    "      BucketName: !Sub 'b-${EnvironmentSuffix}-${AWS::Region}'\n"
    "      Odd: !Ref {a: b, c: [d]}\n"
    "      Tags:\n"
    "        - Key: n\n"
    "          Value: !Join ['-', !Ref Names]\n"
    "        - Key: m\n"
    "          Value: !FindInMap [M, !Ref Environment, v]\n"
    "        - Key: s\n"
    "          Value: !Select [1, !Ref Names]\n"
    "        - Key: i\n"
    "          Value: !If [Big, !Ref Size, !Ref AWS::NoValue]\n"
    "        - Key: g\n"
    "          Value: !GetAtt {Queue: Arn}\n"
    "  Queue:\n"
    "    Type: AWS::SQS::Queue\n"
    "    Condition: Big\n"
    "    Properties:\n"
    "      QueueName: !Join ['', [q, !Select [0, !GetAZs '']]]\n"
    "      Policy: {Statement: [{Effect: Allow, Resource: !GetAtt Bucket.Arn}]}\n"
    "Outputs:\n"
    "  B:\n"
    "    Value: !Ref Bucket\n"
    "    Condition: Both\n";

typedef struct model_ctx {
	rf_fixture fx;
	char *model_path;
} model_ctx;

static bool call_ydoc(void *ctx)
{
	(void)ctx;
	lms_error err = {0};
	ydoc *d = ydoc_parse("t.yml", frag_text, strlen(frag_text), &err);
	bool ok = d && d->root && ynode_get(d->root, "Outputs") != NULL;
	ydoc_free(d);
	lms_error_clear(&err);
	return ok;
}

static const char model_text[] = "# a model\n"
                                 "stack: lms-t\n"
                                 "region: eu-west-1\n"
                                 "environment: dev\n"
                                 "suffix: t1\n"
                                 "extra: kept\n"
                                 "parameters:\n"
                                 "  Size: 3   # a comment\n"
                                 "  Names: 'x,y'\n"
                                 "  Unknown: 1\n";

static bool call_model_load(void *ctx)
{
	model_ctx *mc = ctx;
	lms_error err = {0};
	model *m = model_load(mc->model_path, &err);
	bool ok = m != NULL;
	if (ok)
		WHOLE(m->nunknown == 1 && m->unknown[0].key &&
		      strcmp(m->unknown[0].key, "extra") == 0 && m->unknown[0].value &&
		      strcmp(m->unknown[0].value, "") == 0 && model_get(m, "Size") &&
		      strcmp(model_get(m, "Size"), "3") == 0 && model_get(m, "Unknown") &&
		      model_get(m, "Names") && strcmp(model_get(m, "Names"), "x,y") == 0);
	/* an edit spliced into the file, and saved */
	if (ok) {
		ok = model_set(m, "Size", "4") && model_set(m, "stack", "lms-u");
		buf out;
		buf_init(&out, 0);
		ok = ok && model_render_update(m, &out);
		if (ok)
			WHOLE(strstr(buf_cstr(&out), "Size: 4   # a comment") &&
			      strstr(buf_cstr(&out), "stack: lms-u"));
		buf_free(&out);
	}
	model_free(m);
	lms_error_clear(&err);
	return ok;
}

static bool call_catalog(void *ctx)
{
	model_ctx *mc = ctx;
	lms_error err = {0};
	catalog *cat = catalog_load(mc->fx.dir, &err);
	bool ok = cat && catalog_param(cat, "Names") && catalog_entry(cat, SEC_RESOURCES, "Queue");
	catalog_free(cat);
	lms_error_clear(&err);
	return ok;
}

static bool call_model_new(void *ctx)
{
	model_ctx *mc = ctx;
	lms_error err = {0};
	model *m = model_new_from_catalog(mc->fx.cat, "prod", &err);
	bool ok = m != NULL;
	if (ok)
		WHOLE(strcmp(model_get(m, "environment"), "prod") == 0 &&
		      strcmp(model_get(m, "stack"), "lms-prod") == 0 && model_get(m, "Names"));
	if (ok) {
		buf out;
		buf_init(&out, 0);
		ok = model_render_new(m, mc->fx.cat, &out);
		if (ok)
			WHOLE(strstr(buf_cstr(&out), "Size: 2") &&
			      strstr(buf_cstr(&out), "# Type Number; at least 1.") &&
			      strstr(buf_cstr(&out), "stack: lms-prod"));
		buf_free(&out);
	}
	model_free(m);
	lms_error_clear(&err);
	return ok;
}

/* Each allocation of the rendered tree its own: below 64 KiB the arena
 * takes a block per allocation (common/arena.c), so the countdown reaches
 * every node (the rendering of this template takes far less). */
#define RENDER_SMALL ((size_t)60000)

static bool call_render(void *ctx)
{
	model_ctx *mc = ctx;
	render_options opt = {.max_bytes = RENDER_SMALL};
	findings f;
	findings_init(&f);
	lms_error err = {0};
	rendered *r = render_template(mc->fx.cat, mc->fx.m, &opt, &f, &err);
	bool ok = r != NULL && !f.oom;
	/* out of memory is never the string limit (REN003 "too large") */
	WHOLE(!rf_find(&f, "REN003", "too large"));
	if (ok) {
		/* what it rendered is whole: the mapping inside the malformed GetAtt, the
		 * strings, the list */
		const render_resource *b = render_find(r, "Bucket");
		const rnode *tags = b ? rnode_get(b->props, "Tags") : NULL;
		const char *name = b ? rnode_str(rnode_get(b->props, "BucketName")) : NULL;
		WHOLE(tags && tags->kind == RN_SEQ && tags->n == 5 && name &&
		      strcmp(name, "b-dev-eu-west-1") == 0);
		for (size_t i = 0; i < tags->n; i++)
			WHOLE(rnode_get(tags->kids[i], "Key") && rnode_get(tags->kids[i], "Value"));
		const rnode *g = rnode_get(tags->kids[4], "Value");
		WHOLE(g->kind == RN_MAP && g->n == 1 && g->kids[0] && g->kids[1] &&
		      strcmp(g->kids[0]->str, "Queue") == 0 && strcmp(g->kids[1]->str, "Arn") == 0);
		/* a malformed Ref as it is: each key and value of its mapping */
		const rnode *odd = rnode_get(b->props, "Odd");
		WHOLE(odd && odd->kind == RN_MAP && odd->n == 2);
		for (size_t i = 0; i < 4; i++)
			WHOLE(odd->kids[i] != NULL);
		WHOLE(odd->kids[3]->kind == RN_SEQ && odd->kids[3]->n == 1 &&
		      odd->kids[3]->kids[0]);
		const char *joined = rnode_str(rnode_get(tags->kids[0], "Value"));
		const char *mapped = rnode_str(rnode_get(tags->kids[1], "Value"));
		WHOLE(joined && mapped && strcmp(joined, "a-b") == 0 && strcmp(mapped, "one") == 0);
		buf out;
		buf_init(&out, 0);
		ok = render_emit(r, RENDER_YAML, &out);
		if (ok)
			WHOLE(strstr(buf_cstr(&out), "QueueName: qeu-west-1a") != NULL);
		buf_free(&out);
	}
	render_free(r);
	findings_free(&f);
	lms_error_clear(&err);
	return ok;
}

static bool call_render_text(void *ctx)
{
	(void)ctx;
	lms_error err = {0};
	catalog *cat = render_catalog_of_text("got.yml", frag_text, strlen(frag_text), &err);
	bool ok = cat != NULL;
	if (ok) {
		render_options opt = {.max_bytes = RENDER_SMALL};
		findings f;
		findings_init(&f);
		rendered *r = render_with(cat, &opt, &f, &err);
		ok = r && render_find(r, "Bucket") && !f.oom;
		WHOLE(!rf_find(&f, "REN003", "too large"));
		render_free(r);
		findings_free(&f);
	}
	catalog_free(cat);
	lms_error_clear(&err);
	return ok;
}

static void model_setup(model_ctx *mc)
{
	memset(mc, 0, sizeof *mc);
	rf_render(&mc->fx, frag_text, "dev");
	mc->model_path = tu_write_file(mc->fx.dir, "m.yml", model_text);
}

static void model_teardown(model_ctx *mc)
{
	unlink(mc->model_path);
	free(mc->model_path);
	rf_done(&mc->fx);
}

/* the rest of YAML ydoc reads: a BOM, block and flow collections, literal
 * and folded scalars, tags, multibyte text (anchors it refuses) */
static const char yaml_rich[] = "\xEF\xBB\xBF# comment \xC3\xA9\n"
                                "a: {k: [1, 2, 'three'], m: !Ref n}\n"
                                "b: {k: v}\n"
                                "c: |\n  line one\n  line two \xE6\x97\xA5\n"
                                "d: >-\n  folded\n  text\n"
                                "e:\n  - - nested\n    - !Sub '${x}'\n  - ~\n"
                                "\"quoted key\": \"v\\u00e9\"\n";

static bool call_ydoc_rich(void *ctx)
{
	(void)ctx;
	lms_error err = {0};
	ydoc *d = ydoc_parse("r.yml", yaml_rich, strlen(yaml_rich), &err);
	bool ok = d != NULL;
	if (ok) {
		const ynode *b = ynode_get(d->root, "b"), *c = ynode_get(d->root, "c");
		const ynode *e = ynode_get(d->root, "e");
		WHOLE(b && b->kind == YNODE_MAP && ynode_get(b, "k") && c &&
		      strcmp(ynode_str(c), "line one\nline two \xE6\x97\xA5\n") == 0 && e &&
		      e->kind == YNODE_SEQ && e->n == 2 && ynode_get(d->root, "quoted key"));
		WHOLE(ydoc_line_offset(d, 3) == strlen("\xEF\xBB\xBF# comment \xC3\xA9\n") +
		                                    strlen("a: {k: [1, 2, 'three'], m: !Ref n}\n"));
	}
	ydoc_free(d);
	lms_error_clear(&err);
	return ok;
}

static const char xml_rich[] = "<?xml version=\"1.0\"?><R xmlns=\"urn:x\"><A k=\"v\">one &amp; "
                               "&#233;</A><B><C>1</C><C>2</C><C><![CDATA[<3>]]></C></B></R>";

static bool call_xml_rich(void *ctx)
{
	(void)ctx;
	lms_error err = {0};
	xml_doc *d = xml_parse(xml_rich, strlen(xml_rich), 0, &err);
	bool ok = d != NULL;
	if (ok) {
		const char *a = xml_path_text(xml_root(d), "A");
		const xml_node *c = xml_path(xml_root(d), "B/C");
		WHOLE(a && strcmp(a, "one & \xC3\xA9") == 0 && c && xml_next_same(c) &&
		      xml_next_same(xml_next_same(c)) &&
		      strcmp(xml_next_same(xml_next_same(c))->text, "<3>") == 0);
		char *dup = xml_path_dup(xml_root(d), "B/C");
		ok = dup != NULL;
		if (ok)
			WHOLE(strcmp(dup, "1") == 0);
		free(dup);
	}
	xml_free(d);
	lms_error_clear(&err);
	return ok;
}

static void test_ydoc_sweep(void **state)
{
	(void)state;
	sweep("ydoc_parse", call_ydoc, NULL, ALLOC_MUST_FAIL, 2000);
	sweep("ydoc_parse (rich)", call_ydoc_rich, NULL, ALLOC_MUST_FAIL, 2000);
	sweep("xml_parse (rich)", call_xml_rich, NULL, ALLOC_MUST_FAIL, 2000);
}

static void test_model_sweep(void **state)
{
	(void)state;
	model_ctx mc;
	model_setup(&mc);
	sweep("model_load", call_model_load, &mc, ALLOC_MUST_FAIL, 2000);
	sweep("model_new_from_catalog", call_model_new, &mc, ALLOC_MUST_FAIL, 2000);
	sweep("catalog_load", call_catalog, &mc, ALLOC_MUST_FAIL, 5000);
	model_teardown(&mc);
}

static void test_render_sweep(void **state)
{
	(void)state;
	model_ctx mc;
	model_setup(&mc);
	sweep("render_template", call_render, &mc, ALLOC_MUST_FAIL, 5000);
	sweep("render_catalog_of_text", call_render_text, &mc, ALLOC_MUST_FAIL, 5000);
	model_teardown(&mc);
}

/* validate_model over the small catalog: every rule runs (most find
 * nothing to read here). Out of memory may cost findings (Known: several
 * rules drop what a failed buffer held) but never adds one: no finding
 * appears that the run without a failure does not have (a valid stack name
 * called invalid because its pattern could not be evaluated), no finding
 * loses a part, nothing leaks, nothing crashes. */
static char validate_rules_seen[4096];

static bool call_validate(void *ctx)
{
	model_ctx *mc = ctx;
	findings f;
	findings_init(&f);
	validate_model(mc->fx.cat, mc->fx.m, &f);
	bool fired = alloc_fail_fired();
	bool ok = !f.oom && !(fired && rf_find(&f, "REN003", NULL));
	WHOLE(!rf_find(&f, "REN003", "too large"));
	for (size_t i = 0; i < f.n; i++) {
		WHOLE(f.v[i].rule && f.v[i].field && f.v[i].message && f.v[i].hint);
		if (!fired && strlen(validate_rules_seen) + 8 < sizeof validate_rules_seen &&
		    !strstr(validate_rules_seen, f.v[i].rule)) {
			strcat(validate_rules_seen, f.v[i].rule); /* banned-ok: bounded above */
			strcat(validate_rules_seen, " ");         /* banned-ok: bounded above */
		}
		if (fired && strcmp(f.v[i].rule, "REN003") != 0 &&
		    !strstr(validate_rules_seen, f.v[i].rule))
			fail_msg("out of memory adds finding %s: %s", f.v[i].rule, f.v[i].message);
	}
	if (ok) {
		buf out;
		buf_init(&out, 0);
		ok = findings_format_json(&f, &out);
		if (ok) {
			/* every finding, each with its file and its family. Known, left:
			 * jansson 2.14's json_dumps can lose a piece of the text when one
			 * of its own allocations fails and still succeed (a key's name,
			 * seen here): such text does not parse, and is let through; text
			 * that parses must be whole. (The failure is one-shot and has
			 * happened: parsing it here allocates freely.) */
			json_t *back = json_loadb(out.data, out.len, 0, NULL);
			WHOLE(back || alloc_fail_fired());
			json_t *arr = json_object_get(back, "findings");
			if (back)
				WHOLE(json_array_size(arr) == f.n && json_object_get(back, "info"));
			for (size_t i = 0; back && i < f.n; i++) {
				json_t *o = json_array_get(arr, i);
				WHOLE(json_object_get(o, "id") && json_object_get(o, "message"));
				WHOLE(!f.v[i].file || json_object_get(o, "file"));
				WHOLE(!rules_lookup(f.v[i].rule) || json_object_get(o, "family"));
			}
			json_decref(back);
		}
		buf_free(&out);
	}
	findings_free(&f);
	return ok;
}

static const char *assemble_value(void *ctx, const char *param)
{
	(void)ctx;
	return strcmp(param, "Size") == 0 ? "7" : NULL;
}

static bool call_assemble(void *ctx)
{
	model_ctx *mc = ctx;
	buf out;
	buf_init(&out, 0);
	lms_error err = {0};
	bool ok = assemble_template(mc->fx.cat, assemble_value, NULL, &out, &err);
	if (ok)
		WHOLE(strstr(buf_cstr(&out), "Default: 7") && strstr(buf_cstr(&out), "Queue:"));
	buf_free(&out);
	lms_error_clear(&err);
	return ok;
}

static void test_validate_assemble_sweep(void **state)
{
	(void)state;
	model_ctx mc;
	model_setup(&mc);
	validate_rules_seen[0] = '\0';
	sweep("validate_model", call_validate, &mc, 0, 20000);
	sweep("assemble_template", call_assemble, &mc, ALLOC_MUST_FAIL, 5000);
	model_teardown(&mc);
}

static bool call_params_json(void *ctx)
{
	model_ctx *mc = ctx;
	buf out;
	buf_init(&out, 0);
	bool ok = params_json_export(mc->fx.cat, mc->fx.m, &out);
	if (ok)
		WHOLE(strstr(buf_cstr(&out), "\"ParameterKey\": \"Names\"") &&
		      strstr(buf_cstr(&out), "\"ParameterValue\": \"2\""));
	buf_free(&out);
	if (!ok)
		return false;
	static const char in[] = "[{\"ParameterKey\": \"Size\", \"ParameterValue\": \"5\"}]";
	lms_error err = {0};
	alloc_fail_jansson(false); /* json_loadb may abort (alloc_fail.h) */
	model *m = model_new_from_catalog(mc->fx.cat, "dev", &err);
	ok = m && params_json_import(mc->fx.cat, m, "p.json", in, strlen(in), &err);
	alloc_fail_jansson(true);
	if (ok)
		WHOLE(model_get(m, "Size") && strcmp(model_get(m, "Size"), "5") == 0);
	model_free(m);
	lms_error_clear(&err);
	return ok;
}

static bool call_model_save(void *ctx)
{
	model_ctx *mc = ctx;
	lms_error err = {0};
	model *m = model_load(mc->model_path, &err);
	bool ok =
	    m && model_set(m, "Size", "6") && model_save(m, mc->fx.cat, mc->model_path, NULL, &err);
	model_free(m);
	lms_error_clear(&err);
	/* back as it was for the next step (fopen and fwrite: no allocation
	 * of ours, so the countdown does not reach here) */
	tu_write_bytes(mc->model_path, model_text, strlen(model_text));
	return ok;
}

static void test_params_save_sweep(void **state)
{
	(void)state;
	model_ctx mc;
	model_setup(&mc);
	/* jansson's json_dumps absorbs some failures of its own (the text is
	 * still whole: WHOLE above) */
	sweep("params_json", call_params_json, &mc, 0, 5000);
	sweep("model_save", call_model_save, &mc, ALLOC_MUST_FAIL, 5000);
	/* no temporary file left: the fragments, the model */
	assert_int_equal(tu_count_entries(mc.fx.dir), 4);
	model_teardown(&mc);
}

/* (report_write is left out: a sweep of it takes seconds, each report a few
 * milliseconds times its thousands of allocations; tried: its JSON may lose
 * a key under a failure, model/report.c sets keys without checking) */

/* create_only_load: each failure (the types table, a type's name, a path)
 * is the load's failure, never a table with a hole in it */
static bool call_create_only(void *ctx)
{
	const char *path = ctx;
	lms_error err = {0};
	alloc_fail_jansson(false); /* json_load_file may abort (alloc_fail.h) */
	create_only *db = create_only_load(path, &err);
	alloc_fail_jansson(true);
	if (db)
		WHOLE(create_only_has_type(db, "A") && create_only_has_type(db, "B"));
	create_only_free(db);
	lms_error_clear(&err);
	return db != NULL;
}

static void test_create_only_sweep(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *path = tu_write_file(dir, "co.json",
	                           "{\"types\": {\"A\": {\"createOnly\": [\"X\", \"Y/*\"], "
	                           "\"conditionalCreateOnly\": [\"Z\"]}, \"B\": {}}}");
	sweep("create_only_load", call_create_only, path, ALLOC_MUST_FAIL, 50);
	tu_rmtree(dir);
	free(dir);
	free(path);
}

/* report_write in text under each failure (not a sweep: it may absorb some,
 * see above): a resource's type is shown only beside its resource, so a
 * breaking entry that lost its "resource" key to a failure does not show a
 * type with no resource ("broken by TRP001: the template AWS::...") */
static void test_report_breaking_type_needs_resource(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  Db:\n"
	          "    Type: AWS::RDS::DBCluster\n"
	          "    DeletionPolicy: Retain\n"
	          "    UpdateReplacePolicy: Delete\n",
	          "dev");
	findings f;
	findings_init(&f);
	validate_model(fx.cat, fx.m, &f);
	analysis a;
	analysis_run(fx.cat, fx.m, fx.r, &a);
	buf out;
	buf_init(&out, 0);
	assert_true(report_write(fx.cat, fx.m, fx.r, &a, &f, NULL, REPORT_TEXT, &out));
	assert_non_null(strstr(buf_cstr(&out), "broken by TRP001: Db AWS::RDS::DBCluster"));
	bool fired = true;
	for (size_t n = 0; fired; n++) {
		buf_reset(&out);
		alloc_fail_after(n);
		bool ok = report_write(fx.cat, fx.m, fx.r, &a, &f, NULL, REPORT_TEXT, &out);
		fired = alloc_fail_fired();
		alloc_fail_off();
		const char *t = buf_cstr(&out);
		if (ok && t && strstr(t, "AWS::RDS::DBCluster") &&
		    !strstr(t, "broken by TRP001: Db AWS::RDS::DBCluster") &&
		    strstr(t, "broken by TRP001: "))
			for (const char *l = strstr(t, "broken by TRP001: "); l;
			     l = strstr(l + 1, "broken by TRP001: ")) {
				const char *eol = strchr(l, '\n');
				const char *ty = strstr(l, "AWS::RDS::DBCluster");
				if (ty && (!eol || ty < eol))
					fail_msg("failure %zu: a type without its resource: %.*s",
					         n, (int)(eol ? eol - l : 60), l);
			}
	}
	buf_free(&out);
	analysis_free(&a);
	findings_free(&f);
	rf_done(&fx);
}

/* ---- aws/ --------------------------------------------------------------- */

static const char change_set_xml[] =
    "<r><ChangeSetId>arn:cs</ChangeSetId><ChangeSetName>n</ChangeSetName>"
    "<StackId>arn:st</StackId><Status>CREATE_COMPLETE</Status>"
    "<ExecutionStatus>AVAILABLE</ExecutionStatus><Changes>"
    "<member><ResourceChange><Action>Modify</Action><LogicalResourceId>A"
    "</LogicalResourceId><PhysicalResourceId>p</PhysicalResourceId><ResourceType>T"
    "</ResourceType><Replacement>True</Replacement><Scope><member>Properties</member>"
    "<member>Tags</member></Scope><Details>"
    "<member><Target><Name>P2</Name><RequiresRecreation>Always</RequiresRecreation>"
    "</Target></member></Details></ResourceChange></member>"
    "<member><ResourceChange><Details/></ResourceChange></member>"
    "</Changes><NextToken>t2</NextToken></r>";

static bool call_change_set(void *ctx)
{
	(void)ctx;
	lms_error err = {0};
	xml_doc *d = xml_parse(change_set_xml, strlen(change_set_xml), 0, &err);
	lms_error_clear(&err);
	if (!d)
		return false;
	cfn_change_set *cs = NULL;
	char *next = NULL;
	bool ok = cfn_parse_change_set_page(xml_root(d), &cs, &next);
	/* Success has every change with its action, logical id and type (a
	 * "?" for what the answer lacks). Known, left: an optional text whose
	 * copy fails reads as absent (aws/cfn.c's dup_text), so under a failed
	 * allocation the rest may be missing; without one it is all there. */
	for (size_t i = 0; ok && i < cs->nchanges; i++)
		if (!cs->changes[i].action || !cs->changes[i].logical_id ||
		    !cs->changes[i].resource_type)
			fail_msg("change %zu without its action, id or type", i);
	if (ok && !alloc_fail_fired()) {
		ok = cs && next && strcmp(next, "t2") == 0 && cs->nchanges == 2 && cs->status &&
		     strcmp(cs->status, "CREATE_COMPLETE") == 0 && cs->id &&
		     cs->changes[0].physical_id && cs->changes[0].scope &&
		     cs->changes[0].replacing_properties;
		ok = ok && strcmp(cs->changes[0].action, "Modify") == 0 &&
		     strcmp(cs->changes[1].action, "?") == 0 &&
		     strcmp(cs->changes[1].logical_id, "?") == 0 &&
		     strcmp(cs->changes[1].resource_type, "?") == 0;
	}
	cfn_change_set_free(cs);
	free(next);
	xml_free(d);
	return ok;
}

static const char events_xml[] =
    "<r><StackEvents><member><EventId>b</EventId><LogicalResourceId>L</LogicalResourceId>"
    "<ResourceType>T</ResourceType><ResourceStatus>S</ResourceStatus>"
    "<ResourceStatusReason>why</ResourceStatusReason>"
    "<Timestamp>2024-05-01T09:00:00Z</Timestamp></member>"
    "<member><EventId>c</EventId></member></StackEvents><NextToken>n</NextToken></r>";

static bool call_events(void *ctx)
{
	(void)ctx;
	lms_error err = {0};
	xml_doc *d = xml_parse(events_xml, strlen(events_xml), 0, &err);
	lms_error_clear(&err);
	if (!d)
		return false;
	cfn_event *ev = NULL;
	size_t nev = 0;
	char *next = NULL;
	bool ok = cfn_parse_events_page(xml_root(d), &ev, &nev, &next);
	/* as for the change set: under a failed allocation an optional text
	 * may read as absent ("?"); without one it is all there */
	for (size_t i = 0; ok && i < nev; i++)
		if (!ev[i].id || !ev[i].logical_id || !ev[i].status || !ev[i].resource_type)
			fail_msg("event %zu without its id, logical id, status or type", i);
	ok = ok && nev == 2 && next && strcmp(ev[0].id, "b") == 0 &&
	     strcmp(ev[0].logical_id, "L") == 0 && strcmp(ev[1].status, "?") == 0;
	for (size_t i = 0; i < nev; i++)
		cfn_event_clear(&ev[i]);
	free(ev);
	free(next);
	xml_free(d);
	return ok;
}

static const char stack_xml[] =
    "<member><StackName>s</StackName><StackId>id</StackId>"
    "<StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2024-05-01T09:00:00Z"
    "</CreationTime><Outputs><member><OutputKey>K</OutputKey><OutputValue>V</OutputValue>"
    "<Description>d</Description></member></Outputs><Parameters><member>"
    "<ParameterKey>P</ParameterKey><ParameterValue>v</ParameterValue></member>"
    "</Parameters><Tags><member><Key>t</Key><Value>u</Value></member></Tags></member>";

static bool call_stack(void *ctx)
{
	(void)ctx;
	lms_error err = {0};
	xml_doc *d = xml_parse(stack_xml, strlen(stack_xml), 0, &err);
	lms_error_clear(&err);
	if (!d)
		return false;
	cfn_stack *st = cfn_parse_stack(xml_root(d));
	bool ok = st && st->noutputs == 1 && st->nparameters == 1 && st->ntags == 1 &&
	          st->outputs[0].value && strcmp(st->outputs[0].value, "V") == 0 &&
	          st->parameters[0].value && strcmp(st->parameters[0].value, "v") == 0 &&
	          st->tags[0].key && strcmp(st->tags[0].key, "t") == 0;
	cfn_stack_free(st);
	xml_free(d);
	return ok;
}

static const char cli_form[] = "Action=CreateChangeSet&Version=2010-05-15&StackName=lms-dev"
                               "&TemplateBody=x"
                               "&Parameters.member.1.ParameterKey=Environment"
                               "&Parameters.member.1.ParameterValue=dev"
                               "&Parameters.member.2.ParameterKey=DbPassword"
                               "&Parameters.member.2.ParameterValue=hunter2"
                               "&Capabilities.member.1=CAPABILITY_NAMED_IAM"
                               "&Description=a+b";

static bool call_cli_command(void *ctx)
{
	(void)ctx;
	aws_request req = {.service = "cloudformation",
	                   .operation = "CreateChangeSet",
	                   .method = "POST",
	                   .body = cli_form,
	                   .body_len = strlen(cli_form)};
	static const char *const masked[] = {"hunter2"};
	aws_call_record rec = {.req = &req,
	                       .region = "eu-west-1",
	                       .endpoint_url = "http://127.0.0.1:5000",
	                       .masked = masked,
	                       .nmasked = 1};
	buf out;
	buf_init(&out, 0);
	bool ok = aws_cli_command(&rec, &out);
	/* success is the whole line, never a part */
	if (ok)
		WHOLE(strcmp(buf_cstr(&out),
		             "aws cloudformation create-change-set --stack-name lms-dev "
		             "--template-body file://template.yaml --parameters "
		             "ParameterKey=Environment,ParameterValue=dev "
		             "'ParameterKey=DbPassword,ParameterValue=****' "
		             "--capabilities CAPABILITY_NAMED_IAM --description 'a b' "
		             "--region eu-west-1 --endpoint-url "
		             "http://127.0.0.1:5000") == 0);
	buf_free(&out);
	return ok;
}

static const char ini_text[] = "[default]\n"
                               "aws_access_key_id = AKIDEXAMPLE\n"
                               "aws_secret_access_key: secret\n"
                               "s3 =\n"
                               "  max_concurrent_requests = 2\n"
                               "# comment\n"
                               "[profile dev]\n"
                               "region = eu-west-1\n";

static bool call_ini(void *ctx)
{
	(void)ctx;
	lms_error err = {0};
	aws_ini *ini = aws_ini_parse(ini_text, strlen(ini_text), &err);
	const char *k = ini ? aws_ini_get(ini, "default", "aws_access_key_id") : NULL;
	const char *r = ini ? aws_ini_get(ini, "profile dev", "region") : NULL;
	bool ok = ini != NULL;
	if (ok)
		WHOLE(k && r && strcmp(k, "AKIDEXAMPLE") == 0 && strcmp(r, "eu-west-1") == 0);
	aws_ini_free(ini);
	lms_error_clear(&err);
	return ok;
}

static bool call_process_output(void *ctx)
{
	(void)ctx;
	static const char json[] = "{\"Version\": 1, \"AccessKeyId\": \"AKID\", "
	                           "\"SecretAccessKey\": \"s\", \"SessionToken\": \"t\", "
	                           "\"Expiration\": \"2030-01-01T00:00:00Z\"}";
	credentials *c = NULL;
	lms_error err = {0};
	credentials_status st =
	    credentials_parse_process_output(json, strlen(json), 1700000000, &c, &err);
	bool ok = st == CREDENTIALS_OK;
	if (ok)
		WHOLE(c && strcmp(c->access_key_id, "AKID") == 0 && c->session_token &&
		      strcmp(c->session_token, "t") == 0 && c->expiration == 1893456000);
	/* Known, left: json_loadb out of memory reads as output that does not
	 * parse (CREDENTIALS_PROCESS_FAILED), not as CREDENTIALS_SYSTEM_ERROR */
	if (st != CREDENTIALS_OK && st != CREDENTIALS_SYSTEM_ERROR &&
	    st != CREDENTIALS_PROCESS_FAILED)
		fail_msg("out of memory answered as %d", (int)st);
	credentials_free(c);
	lms_error_clear(&err);
	return ok;
}

static void test_aws_parse_sweep(void **state)
{
	(void)state;
	sweep("cfn_parse_change_set_page", call_change_set, NULL, 0, 2000);
	sweep("cfn_parse_events_page", call_events, NULL, 0, 2000);
	sweep("cfn_parse_stack", call_stack, NULL, 0, 2000); /* the id: as above */
	sweep("aws_ini_parse", call_ini, NULL, ALLOC_MUST_FAIL, 2000);
	sweep("credentials_parse_process_output", call_process_output, NULL, ALLOC_MUST_FAIL, 2000);
}

static void test_cli_command_sweep(void **state)
{
	(void)state;
	sweep("aws_cli_command", call_cli_command, NULL, ALLOC_MUST_FAIL, 2000);
}

static bool call_sigv4(void *ctx)
{
	(void)ctx;
	sigv4_config cfg = {.access_key_id = "AKIDEXAMPLE",
	                    .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	                    .session_token = "tok",
	                    .region = "us-east-1",
	                    .service = "service",
	                    .timestamp = 1440938160,
	                    .normalize_path = true,
	                    .sign_body = true,
	                    .expires_in = 3600};
	sigv4_header h[] = {{"Host", "example.amazonaws.com"}, {"X-A", " a  b "}};
	sigv4_request req = {.method = "GET",
	                     .path = "/a/./b/../c%20d",
	                     .query = "b=2&a=1&c",
	                     .headers = h,
	                     .header_count = 2};
	sigv4_added_headers added;
	sigv4_added_headers_init(&added);
	lms_error err = {0};
	bool ok = sigv4_sign_headers(&cfg, &req, &added, &err);
	if (ok)
		WHOLE(added.count == 4 && strstr(buf_cstr(&added.values[3]), "Signature=") &&
		      strstr(buf_cstr(&added.values[3]), "SignedHeaders=host;x-a;x-amz-content-"
		                                         "sha256;x-amz-date;x-amz-security-token"));
	sigv4_added_headers_free(&added);
	buf q;
	buf_init(&q, 0);
	ok = ok && sigv4_presign_query(&cfg, &req, &q, &err);
	if (ok)
		WHOLE(strstr(buf_cstr(&q), "X-Amz-Signature=") &&
		      strstr(buf_cstr(&q), "X-Amz-Expires=3600"));
	buf_free(&q);
	lms_error_clear(&err);
	return ok;
}

static bool call_endpoints(void *ctx)
{
	(void)ctx;
	buf url;
	buf_init(&url, 0);
	bool custom = true;
	lms_error err = {0};
	bool ok = aws_endpoint_for("cloudformation", "eu-west-1", NULL, &url, &custom, &err);
	if (ok)
		WHOLE(!custom && strcmp(buf_cstr(&url),
		                        "https://cloudformation.eu-west-1.amazonaws.com") == 0);
	buf_reset(&url);
	ok = ok &&
	     aws_endpoint_for("s3", "eu-west-1", "http://127.0.0.1:5000/p", &url, &custom, &err);
	if (ok)
		WHOLE(custom && strcmp(buf_cstr(&url), "http://127.0.0.1:5000/p") == 0);
	buf_free(&url);
	static const char e[] = "<ErrorResponse><Error><Code>Throttling</Code><Message>slow "
	                        "down</Message></Error><RequestId>r1</RequestId></ErrorResponse>";
	buf code, msg, rid;
	buf_init(&code, 0);
	buf_init(&msg, 0);
	buf_init(&rid, 0);
	bool found = ok && xml_aws_error(e, strlen(e), &code, &msg, &rid);
	/* out of memory: no code found (or a failed buffer), never a wrong one */
	if (found && !code.failed && !msg.failed && !rid.failed)
		WHOLE(strcmp(buf_cstr(&code), "Throttling") == 0 &&
		      strcmp(buf_cstr(&msg), "slow down") == 0 &&
		      strcmp(buf_cstr(&rid), "r1") == 0);
	ok = found && !code.failed && !msg.failed && !rid.failed;
	buf_free(&code);
	buf_free(&msg);
	buf_free(&rid);
	lms_error_clear(&err);
	return ok;
}

static void test_sigv4_endpoint_sweep(void **state)
{
	(void)state;
	sweep("sigv4", call_sigv4, NULL, ALLOC_MUST_FAIL, 2000);
	/* Known, left (aws/http.c configured_endpoint): the name
	 * AWS_ENDPOINT_URL_<SERVICE> that runs out of memory reads as no such
	 * variable, so the endpoint falls back to AWS_ENDPOINT_URL or AWS's */
	sweep("endpoints and errors", call_endpoints, NULL, 0, 2000);
}

typedef struct cred_ctx {
	char *dir, *creds, *config;
} cred_ctx;

static bool call_credentials(void *ctx)
{
	(void)ctx;
	credentials_options o = {.profile = "dev"};
	credentials *c = NULL;
	lms_error err = {0};
	credentials_status st = credentials_resolve(&o, &c, &err);
	bool ok = st == CREDENTIALS_OK;
	if (ok)
		WHOLE(c && strcmp(c->access_key_id, "AKIDDEV") == 0 &&
		      strcmp(c->secret_access_key, "sdev") == 0 && c->session_token &&
		      strcmp(c->session_token, "tdev") == 0 && c->source &&
		      strstr(c->source, "dev"));
	/* out of memory is a system error, never the file's fault */
	else if (st != CREDENTIALS_SYSTEM_ERROR)
		fail_msg("out of memory answered as %d: %s", (int)st, err.msg ? err.msg : "");
	credentials_free(c);
	lms_error_clear(&err);
	buf region;
	buf_init(&region, 0);
	st = ok ? credentials_region("dev", &region, &err) : CREDENTIALS_SYSTEM_ERROR;
	if (st == CREDENTIALS_OK)
		WHOLE(strcmp(buf_cstr(&region), "eu-west-1") == 0);
	ok = ok && st == CREDENTIALS_OK;
	buf_free(&region);
	lms_error_clear(&err);
	return ok;
}

static void test_credentials_sweep(void **state)
{
	(void)state;
	cred_ctx cc;
	cc.dir = tu_mkdtemp();
	cc.creds = tu_write_file(cc.dir, "credentials",
	                         "[default]\naws_access_key_id = AKIDDEF\n"
	                         "aws_secret_access_key = sdef\n"
	                         "[dev]\naws_access_key_id = AKIDDEV\n"
	                         "aws_secret_access_key = sdev\naws_session_token = tdev\n");
	cc.config = tu_write_file(cc.dir, "config",
	                          "[default]\nregion = us-east-1\n"
	                          "[profile dev]\nregion = eu-west-1\n");
	static const char *const vars[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
	                                   "AWS_SESSION_TOKEN", "AWS_PROFILE",
	                                   "AWS_REGION",        "AWS_DEFAULT_REGION"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
	setenv("AWS_SHARED_CREDENTIALS_FILE", cc.creds, 1);
	setenv("AWS_CONFIG_FILE", cc.config, 1);
	sweep("credentials_resolve", call_credentials, NULL, ALLOC_MUST_FAIL, 5000);
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_CONFIG_FILE");
	tu_rmtree(cc.dir);
	free(cc.dir);
	free(cc.creds);
	free(cc.config);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_countdown_fails_the_nth_once, disarm),
	    cmocka_unit_test_teardown(test_each_allocator_counts, disarm),
	    cmocka_unit_test_teardown(test_live_counts_leaks, disarm),
	    cmocka_unit_test_teardown(test_sweep_sees_what_it_must, disarm),
	    cmocka_unit_test_teardown(test_buf_sweep, disarm),
	    cmocka_unit_test_teardown(test_str_and_error_sweep, disarm),
	    cmocka_unit_test_teardown(test_term_text_sweep, disarm),
	    cmocka_unit_test_teardown(test_term_json_sweep, disarm),
	    cmocka_unit_test_teardown(test_diff_sweep, disarm),
	    cmocka_unit_test_teardown(test_vec_arena_sweep, disarm),
	    cmocka_unit_test_teardown(test_file_sweep, disarm),
	    cmocka_unit_test_teardown(test_ydoc_sweep, disarm),
	    cmocka_unit_test_teardown(test_model_sweep, disarm),
	    cmocka_unit_test_teardown(test_render_sweep, disarm),
	    cmocka_unit_test_teardown(test_validate_assemble_sweep, disarm),
	    cmocka_unit_test_teardown(test_params_save_sweep, disarm),
	    cmocka_unit_test_teardown(test_create_only_sweep, disarm),
	    cmocka_unit_test_teardown(test_report_breaking_type_needs_resource, disarm),
	    cmocka_unit_test_teardown(test_aws_parse_sweep, disarm),
	    cmocka_unit_test_teardown(test_credentials_sweep, disarm),
	    cmocka_unit_test_teardown(test_sigv4_endpoint_sweep, disarm),
	    cmocka_unit_test_teardown(test_cli_command_sweep, disarm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
