/* model: building from the catalog, rendering and reloading, editing a
 * commented file in place (golden), atomic saves, and load errors. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "model/model.h"
#include "render_fixture.h"
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- helpers ------------------------------------------------------------------------------ */

typedef struct fixture {
	catalog *cat;
	char *dir; /* a fresh temporary directory */
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	lms_error err = {0};
	fx->cat = catalog_load(tu_templates_dir(), &err);
	if (!fx->cat) {
		print_error("templates (%s) do not load: %s\n", tu_templates_dir(),
		            err.msg ? err.msg : "?");
		lms_error_clear(&err);
		free(fx);
		return -1;
	}
	fx->dir = tu_mkdtemp();
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	catalog_free(fx->cat);
	tu_rmtree(fx->dir);
	free(fx->dir);
	free(fx);
	return 0;
}

static model *load_ok(const char *path)
{
	lms_error err = {0};
	model *m = model_load(path, &err);
	if (!m) {
		char *s = tu_error_text(&err);
		print_error("model_load: %s\n", s);
		free(s);
		lms_error_clear(&err);
	}
	assert_non_null(m);
	return m;
}

/* Writes `text` as DIR/NAME and loads it. */
static model *load_text(const fixture *fx, const char *name, const char *text)
{
	char *path = tu_write_file(fx->dir, name, text);
	model *m = load_ok(path);
	free(path);
	return m;
}

/* Writes `text` as DIR/NAME; loading it must fail with an error whose text
 * starts with "DIR/NAME:LINE:COL: " (when line is not 0) and contains `what`. */
static void expect_load_error(const fixture *fx, const char *name, const char *text, size_t line,
                              size_t col, const char *what)
{
	char *path = tu_write_file(fx->dir, name, text);
	lms_error err = {0};
	model *m = model_load(path, &err);
	if (m) {
		print_error("%s loaded; expected an error: %s\n", name, what);
		model_free(m);
		fail();
	}
	char *s = tu_error_text(&err);
	buf want;
	buf_init(&want, 0);
	buf_adds(&want, path);
	if (line)
		buf_addf(&want, ":%zu:%zu", line, col);
	buf_adds(&want, ": ");
	if (strncmp(s, buf_cstr(&want), want.len) != 0) {
		print_error("expected the error to start with \"%s\", got \"%s\"\n",
		            buf_cstr(&want), s);
		fail();
	}
	assert_contains(s, what);
	buf_free(&want);
	free(s);
	lms_error_clear(&err);
	free(path);
}

static char *render_update(const model *m)
{
	buf out;
	buf_init(&out, 0);
	assert_true(model_render_update(m, &out));
	char *s = buf_take(&out);
	assert_non_null(s);
	return s;
}

static char *render_new(const model *m, const catalog *cat)
{
	buf out;
	buf_init(&out, 0);
	assert_true(model_render_new(m, cat, &out));
	char *s = buf_take(&out);
	assert_non_null(s);
	return s;
}

/* Every entry of `a` is in `b` with the same value, and the reverse. */
static void assert_same_values(const model *a, const model *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const model_entry *e = &a->entries[i];
		const model_entry *f = model_find(b, e->key);
		if (!f) {
			print_error("'%s' lost\n", e->key);
			fail();
		}
		if (strcmp(e->value, f->value) != 0) {
			print_error("'%s': '%s' became '%s'\n", e->key, e->value, f->value);
			fail();
		}
		assert_int_equal(e->is_param, f->is_param);
	}
}

/* ---- from the catalog --------------------------------------------------------------------- */

/* A comment line keeps every character YAML allows in a comment and turns
 * each one it does not (C0 and C1 controls but tab, DEL, U+FFFE, U+FFFF)
 * or that ends a line (NEL, LS, PS) into a space: each range on both of
 * its sides. */
static void test_comment_characters(void **state)
{
	fixture *fx = *state;
	lms_error err = {0};
	model *m = model_new_from_catalog(fx->cat, "dev", &err);
	assert_non_null(m);
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"a\x1f"
	     "b",
	     "a b"},
	    {"a\tb", "a\tb"},
	    {"a b~", "a b~"},
	    {"a\x7f"
	     "b",
	     "a b"},
	    {"a\xc2\x80"
	     "b",
	     "a b"}, /* U+0080 */
	    {"a\xc2\x85"
	     "b",
	     "a b"}, /* NEL */
	    {"a\xc2\x9f"
	     "b",
	     "a b"}, /* U+009F */
	    {"a\xc2\xa0"
	     "b",
	     "a\xc2\xa0"
	     "b"}, /* U+00A0 */
	    {"a\xe2\x80\xa7"
	     "b",
	     "a\xe2\x80\xa7"
	     "b"}, /* U+2027 */
	    {"a\xe2\x80\xa8"
	     "b",
	     "a b"}, /* LS */
	    {"a\xe2\x80\xa9"
	     "b",
	     "a b"}, /* PS */
	    {"a\xe2\x80\xaa"
	     "b",
	     "a\xe2\x80\xaa"
	     "b"}, /* U+202A */
	    {"a\xe2\x81\xa8"
	     "b",
	     "a\xe2\x81\xa8"
	     "b"}, /* U+2068 */
	    {"a\xef\xbf\xbd"
	     "b",
	     "a\xef\xbf\xbd"
	     "b"}, /* U+FFFD */
	    {"a\xef\xbf\xbe"
	     "b",
	     "a b"}, /* U+FFFE */
	    {"a\xef\xbf\xbf"
	     "b",
	     "a b"}, /* U+FFFF */
	    {"a\xef\xbe\xbf"
	     "b",
	     "a\xef\xbe\xbf"
	     "b"},                   /* U+FFBF */
	    {"a\xc2\x85", "a "},     /* NEL, the last character */
	    {"a\xe2\x80\xa8", "a "}, /* LS, the last character */
	    {"a\xc2\x7f"
	     "b",
	     "a\xc2 b"}, /* DEL after a stray lead byte */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		assert_true(model_set(m, "environment", cases[i].in));
		char *out = render_new(m, fx->cat);
		buf want;
		buf_init(&want, 0);
		buf_addf(&want, "# lmsctl model: the LMS platform, %s environment.\n",
		         cases[i].out);
		if (strncmp(out, buf_cstr(&want), want.len) != 0)
			fail_msg("case %zu: %.60s", i, out);
		buf_free(&want);
		free(out);
	}
	model_free(m);
}

static void test_new_from_catalog_dev(void **state)
{
	fixture *fx = *state;
	lms_error err = {0};
	model *m = model_new_from_catalog(fx->cat, "dev", &err);
	assert_non_null(m);
	assert_null(m->path);
	assert_null(m->doc);
	assert_string_equal(model_get(m, "stack"), "lms-dev");
	assert_string_equal(model_get(m, "region"), "eu-west-1");
	assert_string_equal(model_get(m, "environment"), "dev");
	assert_string_equal(model_get(m, "suffix"), "dev");
	/* the bound parameters read the top-level keys */
	assert_string_equal(model_get(m, "Environment"), "dev");
	assert_string_equal(model_get(m, "EnvironmentSuffix"), "dev");
	assert_string_equal(model_find(m, "EnvironmentSuffix")->key, "suffix");
	assert_false(model_find(m, "stack")->is_param);
	assert_string_equal(model_get(m, "NatGatewayMode"), "single");
	assert_true(model_find(m, "NatGatewayMode")->is_param);
	/* four top-level keys and every other parameter at its Default, but the one the
	 * pipeline owns (ContainerImage): init leaves it out */
	assert_int_equal(m->n, 4 + fx->cat->nparams - 2 - 1);
	assert_null(model_find(m, "ContainerImage"));
	for (size_t i = 0; i < fx->cat->nparams; i++) {
		const cat_param *p = &fx->cat->params[i];
		if (strcmp(p->e.name, "Environment") == 0 ||
		    strcmp(p->e.name, "EnvironmentSuffix") == 0 || p->pipeline_owned)
			continue;
		const model_entry *e = model_find(m, p->e.name);
		assert_non_null(e);
		assert_string_equal(e->value, p->default_value);
		assert_int_equal(e->line, 0);
	}
	assert_null(model_get(m, "NoSuchParameter"));
	model_free(m);
}

static void test_new_from_catalog_prod(void **state)
{
	fixture *fx = *state;
	model *m = model_new_from_catalog(fx->cat, "prod", NULL);
	assert_non_null(m);
	assert_string_equal(model_get(m, "stack"), "lms-prod");
	assert_string_equal(model_get(m, "environment"), "prod");
	assert_string_equal(model_get(m, "NatGatewayMode"), "per-az");
	assert_string_equal(model_get(m, "AvailabilityZoneCount"), "3");
	assert_string_equal(model_get(m, "FlowLogRetentionDays"), "365");
	for (size_t i = 0; i < fx->cat->nparams; i++) {
		const char *name = fx->cat->params[i].e.name;
		bool bound =
		    strcmp(name, "Environment") == 0 || strcmp(name, "EnvironmentSuffix") == 0;
		const char *want = bound ? "prod" : catalog_profile_value(fx->cat, "prod", name);
		assert_string_equal(model_param_value(m, fx->cat, name), want);
	}
	model_free(m);
}

/* A new model's comment on each parameter's limits: a length with only its
 * minimum runs to 4096 and with only its maximum from 0; a value with only
 * one end says "at least" or "at most". */
static void test_constraint_comment_one_sided(void **state)
{
	(void)state;
	static const char fragment[] =
	    "Metadata:\n  AWS::CloudFormation::Interface:\n    ParameterGroups:\n"
	    "      - Label: {default: Limits}\n        Parameters: [A, B, C, D, E]\n"
	    "Parameters:\n"
	    "  A: {Type: String, Description: a, Default: xy, MinLength: 1}\n"
	    "  B: {Type: String, Description: b, Default: xy, MaxLength: 9}\n"
	    "  C: {Type: String, Description: c, Default: xy, MinLength: 2, MaxLength: 5}\n"
	    "  D: {Type: Number, Description: d, Default: 4, MinValue: 3}\n"
	    "  E: {Type: Number, Description: e, Default: 4, MaxValue: 1209600}\n"
	    "Resources:\n  T:\n    Type: AWS::SNS::Topic\n";
	rf_fixture fx;
	if (!rf_load(&fx, fragment, NULL))
		fail_msg("catalog: %s", fx.err.msg);
	fx.m = model_new_from_catalog(fx.cat, "dev", &fx.err);
	assert_non_null(fx.m);
	char *out = render_new(fx.m, fx.cat);
	static const char *want[] = {
	    "# Type String; length 1 to 4096.\n", "# Type String; length 0 to 9.\n",
	    "# Type String; length 2 to 5.\n",    "# Type Number; at least 3.\n",
	    "# Type Number; at most 1209600.\n",
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		if (!strstr(out, want[i]))
			fail_msg("no '%s' in:\n%s", want[i], out);
	free(out);
	rf_done(&fx);
}

static void test_new_from_fixture_catalog_suffix_profile(void **state)
{
	(void)state;
	char *dir = tu_fixture("catalog-ok");
	catalog *cat = catalog_load(dir, NULL);
	assert_non_null(cat);
	model *m = model_new_from_catalog(cat, "staging", NULL);
	assert_non_null(m);
	/* the staging profile sets EnvironmentSuffix: it names the stack */
	assert_string_equal(model_get(m, "suffix"), "stg");
	assert_string_equal(model_get(m, "stack"), "lms-stg");
	assert_string_equal(model_get(m, "TaskCount"), "1");
	model_free(m);
	m = model_new_from_catalog(cat, "prod", NULL);
	assert_string_equal(model_get(m, "TaskCount"), "4");
	assert_string_equal(model_get(m, "Greeting"), "bonjour — prod");
	model_free(m);
	catalog_free(cat);
	free(dir);
}

static void test_param_value_falls_back_to_default(void **state)
{
	fixture *fx = *state;
	model *m = load_text(fx, "small.yml", "stack: s\nparameters:\n  VpcCidr: 10.9.0.0/16\n");
	assert_string_equal(model_param_value(m, fx->cat, "VpcCidr"), "10.9.0.0/16");
	assert_string_equal(model_param_value(m, fx->cat, "NatGatewayMode"), "single");
	assert_string_equal(model_param_value(NULL, fx->cat, "NatGatewayMode"), "single");
	assert_null(model_param_value(m, fx->cat, "NoSuchParameter"));
	model_free(m);
}

/* ---- render and reload -------------------------------------------------------------------- */

static void test_render_new_round_trips(void **state)
{
	fixture *fx = *state;
	static const char *const envs[] = {"dev", "staging", "prod"};
	for (size_t e = 0; e < 3; e++) {
		model *m = model_new_from_catalog(fx->cat, envs[e], NULL);
		assert_non_null(m);
		char *text = render_new(m, fx->cat);
		buf head;
		buf_init(&head, 0);
		buf_addf(&head, "# lmsctl model: the LMS platform, %s environment.\n", envs[e]);
		assert_true(strncmp(text, buf_cstr(&head), head.len) == 0);
		buf_free(&head);
		assert_contains(text, "\nparameters:\n");
		assert_contains(text, "\n  # ==== Network ====\n");
		assert_contains(text, "\n  # NAT gateways.\n");
		assert_not_contains(text, "  Environment:");
		char *path = tu_write_file(fx->dir, "new.yml", text);
		model *back = load_ok(path);
		assert_same_values(m, back);
		assert_int_equal(back->nunknown, 0);
		assert_true(back->params_line > 0);
		/* nothing changed: the update render is the file itself */
		char *same = render_update(back);
		assert_string_equal(same, text);
		free(same);
		model_free(back);
		model_free(m);
		free(path);
		free(text);
	}
}

/* The whole text `init` writes, byte for byte, for each environment kind:
 * tests/golden/init-ENV.yml (tests/golden.sh checks the command; this, the
 * library's rendering: each group's header once, each comment, each value). */
static void test_render_new_matches_golden(void **state)
{
	fixture *fx = *state;
	static const char *const envs[] = {"dev", "staging", "prod"};
	for (size_t e = 0; e < 3; e++) {
		model *m = model_new_from_catalog(fx->cat, envs[e], NULL);
		assert_non_null(m);
		char *text = render_new(m, fx->cat);
		char rel[32];
		snprintf(rel, sizeof(rel), "init-%s.yml", envs[e]);
		char *golden_path = tu_golden(rel);
		char *golden = tu_read_file(golden_path, NULL);
		assert_non_null(golden);
		assert_string_equal(text, golden);
		free(golden);
		free(golden_path);
		free(text);
		model_free(m);
	}
}

static void test_render_new_round_trips_tricky_values(void **state)
{
	fixture *fx = *state;
	model *m = model_new_from_catalog(fx->cat, "dev", NULL);
	assert_non_null(m);
	static const char *const values[] = {
	    "",       "yes",   "no",   "0123", "1e3",    "a: b",   "#x",        "- x",
	    "it's",   " lead", "x:",   "~",    "null",   "日本 🚀", "tab\there", "[a]",
	    "{a: b}", "\"q\"", "a #b", "true", "trail ", "%x",     "@x",        "0x1F",
	};
	static const char *const keys[] = {"VpcCidr", "NatGatewayMode", "stack", "region"};
	buf name;
	buf_init(&name, 0);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		/* a parameter no catalog defines is rendered too */
		buf_reset(&name);
		buf_addf(&name, "Custom%zu", i);
		assert_true(model_set(m, buf_cstr(&name), values[i]));
		assert_true(model_set(m, keys[i % 4], values[i]));
		char *text = render_new(m, fx->cat);
		char *path = tu_write_file(fx->dir, "tricky.yml", text);
		model *back = load_ok(path);
		assert_same_values(m, back);
		model_free(back);
		free(path);
		free(text);
	}
	buf_free(&name);
	model_free(m);
}

/* ---- editing a commented file ------------------------------------------------------------- */

static void test_edit_matches_golden(void **state)
{
	fixture *fx = *state;
	char *input = tu_fixture("model-edit.yml");
	char *golden_path = tu_golden("model-edit.yml");
	model *m = load_ok(input);
	assert_string_equal(model_get(m, "stack"), "lms-edit");
	assert_string_equal(model_get(m, "suffix"), "ed");
	assert_string_equal(model_get(m, "Motto"), "héllo — 日本");
	assert_string_equal(model_get(m, "EmptyOne"), "");
	assert_int_equal(m->params_indent, 4);
	assert_int_equal(m->params_line, 7);

	assert_true(model_set(m, "stack", "lms-edited"));
	assert_true(model_set(m, "EnvironmentSuffix", "0123"));
	assert_true(model_set(m, "Motto", "adiós 🚀"));
	assert_true(model_set(m, "NatGatewayMode", "per-az"));
	assert_true(model_set(m, "AppSubnetCidrs", "10.1.0.0/20,10.1.16.0/20"));
	assert_true(model_set(m, "EmptyOne", "filled"));
	assert_true(model_set(m, "KeyDeletionWindowDays", "30"));
	assert_true(model_set(m, "Greeting", "yes"));
	assert_true(model_set(m, "FlowLogRetentionDays", "90")); /* unchanged */
	assert_false(model_find(m, "FlowLogRetentionDays")->changed);

	char *out = render_update(m);
	char *golden = tu_read_file(golden_path, NULL);
	assert_non_null(golden);
	if (strcmp(out, golden) != 0) {
		print_error("model_render_update differs from %s; got:\n%s", golden_path, out);
		fail();
	}
	/* and it reads back with the new values */
	char *path = tu_write_file(fx->dir, "edited.yml", out);
	model *back = load_ok(path);
	assert_same_values(m, back);
	model_free(back);
	free(path);
	free(golden);
	free(out);
	model_free(m);
	free(golden_path);
	free(input);
}

static void test_edit_changes_only_the_value_bytes(void **state)
{
	(void)state;
	char *input = tu_fixture("model-edit.yml");
	model *m = load_ok(input);
	const char *text = m->doc->text;
	static const struct {
		const char *key, *value, *written;
	} cases[] = {
	    {"VpcCidr", "10.50.0.0/16", "10.50.0.0/16"},
	    {"Motto", "naïve", "naïve"},
	    {"region", "yes", "'yes'"},
	    {"AppSubnetCidrs", "", "''"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		model *one = load_ok(input);
		const model_entry *e = model_find(one, cases[i].key);
		assert_non_null(e);
		size_t from = e->val_from, to = e->val_to;
		assert_true(to > from);
		assert_true(model_set(one, cases[i].key, cases[i].value));
		char *out = render_update(one);
		buf want;
		buf_init(&want, 0);
		buf_add(&want, text, from);
		buf_adds(&want, cases[i].written);
		buf_adds(&want, text + to);
		assert_string_equal(out, buf_cstr(&want));
		buf_free(&want);
		free(out);
		model_free(one);
	}
	/* the value range of a plain scalar is exactly its text */
	const model_entry *e = model_find(m, "VpcCidr");
	assert_memory_equal(text + e->val_from, "10.40.0.0/16", e->val_to - e->val_from);
	e = model_find(m, "Motto");
	assert_memory_equal(text + e->val_from, "\"héllo — 日本\"", e->val_to - e->val_from);
	assert_int_equal(e->line, 10);
	assert_int_equal(e->col, 12);
	/* no change: the text itself */
	char *same = render_update(m);
	assert_string_equal(same, text);
	free(same);
	model_free(m);
	free(input);
}

/* A loaded model with no entry yet (a null `parameters:`) takes a first new
 * parameter, its first entry, and a second one; the null goes. */
static void test_update_first_entry_new(void **state)
{
	fixture *fx = *state;
	model *m = load_text(fx, "none.yml", "parameters:\n");
	assert_int_equal(m->n, 0);
	assert_true(model_set(m, "Foo", "abc"));
	char *out = render_update(m);
	assert_string_equal(out, "parameters:\n  Foo: abc\n");
	free(out);
	assert_true(model_set(m, "Bar", "def"));
	out = render_update(m);
	assert_string_equal(out, "parameters:\n  Foo: abc\n  Bar: def\n");
	free(out);
	model_free(m);
	m = load_text(fx, "null.yml", "parameters: ~\n");
	assert_true(model_set(m, "Foo", "abc"));
	out = render_update(m);
	assert_int_equal(strncmp(out, "parameters:", 11), 0);
	assert_null(strchr(out, '~'));
	assert_non_null(strstr(out, "\n  Foo: abc\n"));
	free(out);
	model_free(m);
	/* a new top-level key as the first entry */
	m = load_text(fx, "top.yml", "parameters:\n");
	assert_true(model_set(m, "stack", "s"));
	out = render_update(m);
	assert_string_equal(out, "parameters:\nstack: s\n");
	free(out);
	model_free(m);
	/* no parameters: key and no entry (an unknown key only): the header too */
	m = load_text(fx, "unknown.yml", "extra: 1\n");
	assert_int_equal(m->n, 0);
	assert_true(model_set(m, "Foo", "abc"));
	out = render_update(m);
	assert_string_equal(out, "extra: 1\nparameters:\n  Foo: abc\n");
	free(out);
	model_free(m);
}

static void test_empty_value_gets_a_space(void **state)
{
	fixture *fx = *state;
	model *m = load_text(fx, "empty.yml",
	                     "stack: s\nparameters:\n  Foo:\n  Bar:   # why empty\n  Baz: x\n");
	assert_string_equal(model_get(m, "Foo"), "");
	assert_string_equal(model_get(m, "Bar"), "");
	assert_true(model_set(m, "Foo", "v"));
	assert_true(model_set(m, "Bar", "w x"));
	char *out = render_update(m);
	assert_string_equal(out, "stack: s\nparameters:\n  Foo: v\n  Bar: w x   # why empty\n"
	                         "  Baz: x\n");
	free(out);
	model_free(m);

	/* at the very end of a file without a final newline */
	m = load_text(fx, "empty-end.yml", "stack: s\nparameters:\n  Foo:");
	assert_true(model_set(m, "Foo", "v"));
	out = render_update(m);
	assert_string_equal(out, "stack: s\nparameters:\n  Foo: v");
	free(out);
	/* with a new parameter after it */
	assert_true(model_set(m, "Bar", "w"));
	out = render_update(m);
	assert_string_equal(out, "stack: s\nparameters:\n  Foo: v\n  Bar: w\n");
	free(out);
	model_free(m);

	/* an edit elsewhere adds no newline to a file that has none */
	m = load_text(fx, "no-final-newline.yml", "stack: s\nparameters:\n  A: 1");
	assert_true(model_set(m, "stack", "t"));
	out = render_update(m);
	assert_string_equal(out, "stack: t\nparameters:\n  A: 1");
	free(out);
	model_free(m);
}

static void test_new_parameter_appended_under_parameters(void **state)
{
	fixture *fx = *state;
	/* parameters followed by another top-level key */
	model *m =
	    load_text(fx, "add.yml", "parameters:\n  A: 1\n  # comment after A\n\nstack: s # é\n");
	assert_true(model_set(m, "B", "two words"));
	assert_true(model_set(m, "stack", "t"));
	char *out = render_update(m);
	assert_string_equal(out, "parameters:\n  A: 1\n  B: two words\n  # comment after A\n\n"
	                         "stack: t # é\n");
	free(out);
	model_free(m);

	/* an empty `parameters:` */
	m = load_text(fx, "add-empty.yml", "stack: s\nparameters:\nregion: r\n");
	assert_true(model_set(m, "A", "1"));
	out = render_update(m);
	assert_string_equal(out, "stack: s\nparameters:\n  A: 1\nregion: r\n");
	free(out);
	model_free(m);

	/* `parameters: ~` loses its null when it gets a parameter */
	m = load_text(fx, "add-null.yml", "stack: s\nparameters: ~\nregion: r\n");
	assert_true(model_set(m, "A", "1"));
	out = render_update(m);
	assert_not_contains(out, "~");
	assert_contains(out, "\n  A: 1\nregion: r\n");
	char *null_path = tu_write_file(fx->dir, "add-null-out.yml", out);
	model *reloaded = load_ok(null_path);
	assert_same_values(m, reloaded);
	model_free(reloaded);
	free(null_path);
	free(out);
	model_free(m);

	/* a new top-level key goes before a document end marker */
	m = load_text(fx, "add-end.yml", "stack: s\n...\n");
	assert_true(model_set(m, "region", "r"));
	out = render_update(m);
	assert_string_equal(out, "stack: s\nregion: r\n...\n");
	free(out);
	model_free(m);

	/* no `parameters:` at all, no final newline, and a new top-level key */
	m = load_text(fx, "add-none.yml", "stack: s");
	assert_true(model_set(m, "A", "1"));
	assert_true(model_set(m, "region", "eu-west-1"));
	out = render_update(m);
	assert_string_equal(out, "stack: s\nregion: eu-west-1\nparameters:\n  A: 1\n");
	char *path = tu_write_file(fx->dir, "add-none-out.yml", out);
	model *back = load_ok(path);
	assert_same_values(m, back);
	model_free(back);
	free(path);
	free(out);
	model_free(m);
}

/* ---- saving ------------------------------------------------------------------------------- */

static void test_save_is_atomic_and_keeps_mode(void **state)
{
	fixture *fx = *state;
	char *input = tu_fixture("model-edit.yml");
	char *text = tu_read_file(input, NULL);
	assert_non_null(text);
	char *path = tu_write_file(fx->dir, "m.yml", text);
	assert_int_equal(chmod(path, 0640), 0);
	model *m = load_ok(path);
	assert_true(model_set(m, "NatGatewayMode", "per-az"));
	assert_true(model_set(m, "NewOne", "1"));
	lms_error err = {0};
	assert_true(model_save(m, fx->cat, NULL, NULL, &err));
	assert_null(err.msg);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(tu_count_entries(fx->dir), 1); /* no temporary file left */
	char *saved = tu_read_file(path, NULL);
	assert_contains(saved, "\n    NatGatewayMode: per-az\n");
	assert_contains(saved, "\n    NewOne: 1\n");
	assert_contains(saved, "# Model for the édition test");
	/* the model now matches the file: positions are fresh, nothing pending */
	const model_entry *e = model_find(m, "NewOne");
	assert_non_null(e);
	assert_false(e->changed);
	assert_true(e->line > 0);
	assert_memory_equal(saved + e->val_from, "1", 1);
	/* a second edit splices at the new positions */
	assert_true(model_set(m, "NewOne", "22"));
	assert_true(model_save(m, fx->cat, NULL, NULL, &err));
	char *again = tu_read_file(path, NULL);
	assert_contains(again, "\n    NewOne: 22\n");
	assert_int_equal(strlen(again), strlen(saved) + 1);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	free(again);
	free(saved);
	model_free(m);
	free(path);
	free(text);
	free(input);
}

/* A change made to the file by another program after the load is never
 * overwritten: the check is made at the moment of writing. */
static void test_save_refuses_changed_on_disk(void **state)
{
	fixture *fx = *state;
	char *input = tu_fixture("model-edit.yml");
	char *text = tu_read_file(input, NULL);
	char *path = tu_write_file(fx->dir, "m.yml", text);
	model *m = load_ok(path);
	assert_true(model_set(m, "NatGatewayMode", "per-az"));
	/* another editor saves the file meanwhile */
	buf other;
	buf_init(&other, 0);
	buf_addf(&other, "%s# added in another editor\n", text);
	free(tu_write_file(fx->dir, "m.yml", buf_cstr(&other)));
	lms_error err = {0};
	errno = 0;
	assert_false(model_save(m, fx->cat, NULL, NULL, &err));
	assert_int_equal(errno, ESTALE);
	assert_string_equal(err.file, path);
	assert_error(&err, "changed on disk since it was read");
	char *now = tu_read_file(path, NULL);
	assert_string_equal(now, buf_cstr(&other));
	free(now);
	assert_int_equal(tu_count_entries(fx->dir), 1);
	/* the caller saw the new text (the console's diff): then it is written */
	file_seen seen = {true, other.data, other.len};
	assert_true(model_save(m, fx->cat, NULL, &seen, &err));
	now = tu_read_file(path, NULL);
	assert_contains(now, "NatGatewayMode: per-az");
	free(now);
	lms_error_clear(&err);
	buf_free(&other);
	model_free(m);
	free(path);
	free(text);
	free(input);
}

/* A result the loader would refuse (over its 1 MiB limit) is not written. */
static void test_save_refuses_unloadable_result(void **state)
{
	fixture *fx = *state;
	char *input = tu_fixture("model-edit.yml");
	char *text = tu_read_file(input, NULL);
	char *path = tu_write_file(fx->dir, "m.yml", text);
	model *m = load_ok(path);
	size_t big = (size_t)2 << 20;
	char *value = malloc(big + 1);
	assert_non_null(value);
	memset(value, 'x', big);
	value[big] = '\0';
	assert_true(model_set(m, "NatGatewayMode", value));
	lms_error err = {0};
	assert_false(model_save(m, fx->cat, NULL, NULL, &err));
	assert_string_equal(err.file, path);
	assert_error(&err, "larger than 1048576 bytes (the most a model file may hold): nothing "
	                   "written");
	char *now = tu_read_file(path, NULL);
	assert_string_equal(now, text);
	free(now);
	assert_int_equal(tu_count_entries(fx->dir), 1);
	lms_error_clear(&err);
	free(value);
	model_free(m);
	free(path);
	free(text);
	free(input);
}

static void test_save_new_model(void **state)
{
	fixture *fx = *state;
	model *m = model_new_from_catalog(fx->cat, "staging", NULL);
	lms_error err = {0};
	/* nowhere to save */
	assert_false(model_save(m, fx->cat, NULL, NULL, &err));
	assert_error(&err, "no file");
	char *path = tu_join(fx->dir, "staging.yml");
	assert_true(model_save(m, fx->cat, path, NULL, &err));
	assert_string_equal(m->path, path);
	char *text = tu_read_file(path, NULL);
	char *expect = render_new(m, fx->cat);
	assert_string_equal(text, expect);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	mode_t mask = umask(0);
	umask(mask);
	assert_int_equal(st.st_mode & 07777, 0666 & ~mask);
	model *back = load_ok(path);
	assert_same_values(m, back);
	model_free(back);
	free(expect);
	free(text);
	free(path);
	model_free(m);
}

static void test_write_file_atomic(void **state)
{
	fixture *fx = *state;
	char *path = tu_join(fx->dir, "out.txt");
	lms_error err = {0};
	assert_true(write_file_atomic(path, "first\n", 6, true, &err));
	char *s = tu_read_file(path, NULL);
	assert_string_equal(s, "first\n");
	free(s);
	/* exclusive: an existing file is refused and left alone */
	assert_false(write_file_atomic(path, "second\n", 7, true, &err));
	assert_string_equal(err.file, path);
	assert_error(&err, "already exists");
	s = tu_read_file(path, NULL);
	assert_string_equal(s, "first\n");
	free(s);
	assert_int_equal(tu_count_entries(fx->dir), 1);
	/* not exclusive: replaced, keeping the mode */
	assert_int_equal(chmod(path, 0600), 0);
	assert_true(write_file_atomic(path, "third", 5, false, &err));
	s = tu_read_file(path, NULL);
	assert_string_equal(s, "third");
	free(s);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(tu_count_entries(fx->dir), 1);
	/* empty content */
	assert_true(write_file_atomic(path, "", 0, false, &err));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	/* a directory that does not exist */
	char *nowhere = tu_join(fx->dir, "no/such/dir/f.yml");
	assert_false(write_file_atomic(nowhere, "x", 1, false, &err));
	assert_error(&err, "cannot create");
	assert_int_equal(tu_count_entries(fx->dir), 1);
	free(nowhere);
	free(path);
}

/* ---- load errors and unknown keys --------------------------------------------------------- */

/* The keys exactly: the top-level keys and the bound parameters against
 * near names, set, found and written where they belong. */
static void test_keys_exactly(void **state)
{
	fixture *fx = *state;
	model *m = load_text(fx, "keys.yml",
	                     "stack: s\nstacks: t\nregio: r\nenvironment: dev\n"
	                     "parameters:\n  VpcCidr: 10.0.0.0/16\n  Environment: prod\n"
	                     "  EnvironmentSuffix: x\n  region: y\n  EnvironmentX: z\n"
	                     "  Vpc: w\n");
	/* near top-level names are unknown keys; bound and top names under
	 * parameters are unknown too; the near ones are parameters */
	assert_string_equal(model_get(m, "stack"), "s");
	assert_null(model_get(m, "stacks"));
	assert_null(model_get(m, "region"));
	assert_string_equal(model_get(m, "environment"), "dev");
	assert_string_equal(model_get(m, "Environment"), "dev");
	assert_null(model_get(m, "EnvironmentSuffix"));
	assert_string_equal(model_get(m, "EnvironmentX"), "z");
	assert_string_equal(model_get(m, "Vpc"), "w");
	assert_string_equal(model_get(m, "VpcCidr"), "10.0.0.0/16");
	assert_null(model_get(m, "VpcCidrs"));
	assert_null(model_get(m, "VpcCid"));
	assert_int_equal(m->nunknown, 5);
	static const char *const unknown[] = {"stacks", "regio", "parameters.Environment",
	                                      "parameters.EnvironmentSuffix", "parameters.region"};
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(m->unknown[i].key, unknown[i]);
	assert_false(model_find(m, "stack")->is_param);
	assert_true(model_find(m, "Vpc")->is_param);
	/* set: the bound parameters write the top-level keys; a new top key is no parameter */
	assert_true(model_set(m, "EnvironmentSuffix", "sfx"));
	assert_string_equal(model_get(m, "suffix"), "sfx");
	assert_false(model_find(m, "suffix")->is_param);
	assert_true(model_set(m, "region", "eu-west-2"));
	assert_false(model_find(m, "region")->is_param);
	assert_true(model_set(m, "regions", "x"));
	assert_true(model_find(m, "regions")->is_param);
	assert_true(model_set(m, "suffixes", "x"));
	assert_true(model_find(m, "suffixes")->is_param);
	/* the same value changes nothing; another marks the entry */
	assert_true(model_set(m, "stack", "s"));
	assert_false(model_find(m, "stack")->changed);
	assert_true(model_set(m, "stack", "s2"));
	assert_true(model_find(m, "stack")->changed);
	assert_string_equal(model_get(m, "stack"), "s2");
	model_free(m);
}

/* A new model's suffix is its environment's unless the profile sets one;
 * the profile of another environment, or another parameter, does not. */
static void test_new_model_suffix_and_stack(void **state)
{
	fixture *fx = *state;
	model *m = model_new_from_catalog(fx->cat, "qa", NULL);
	assert_non_null(m);
	assert_string_equal(model_get(m, "suffix"), "qa");
	assert_string_equal(model_get(m, "stack"), "lms-qa");
	assert_string_equal(model_get(m, "region"), "eu-west-1");
	assert_string_equal(model_get(m, "environment"), "qa");
	assert_false(model_find(m, "stack")->is_param);
	assert_false(model_find(m, "environment")->is_param);
	assert_ptr_equal(model_find(m, "Environment"), model_find(m, "environment"));
	/* every parameter but the bound and the pipeline's */
	for (size_t i = 0; i < fx->cat->nparams; i++) {
		const cat_param *p = &fx->cat->params[i];
		const model_entry *e = NULL;
		for (size_t k = 0; k < m->n; k++)
			if (strcmp(m->entries[k].key, p->e.name) == 0)
				e = &m->entries[k];
		bool bound = strcmp(p->e.name, "Environment") == 0 ||
		             strcmp(p->e.name, "EnvironmentSuffix") == 0;
		if (bound || p->pipeline_owned)
			assert_null(e);
		else if (!e)
			fail_msg("%s missing", p->e.name);
		else
			assert_true(e->is_param);
	}
	model_free(m);
}

static void test_load_errors(void **state)
{
	fixture *fx = *state;
	expect_load_error(fx, "malformed.yml", "stack: s\nregion: [eu\n", 3, 1, "");
	expect_load_error(fx, "malformed2.yml", "stack: a: b\n", 1, 9,
	                  "mapping values are not allowed");
	expect_load_error(
	    fx, "list.yml", "stack: s\nparameters:\n  VpcCidr: [a, b]\n", 3, 12,
	    "'VpcCidr' must be a single value (a list is written 'a,b,c'), not a list");
	expect_load_error(fx, "block-list.yml", "stack:\n  - a\n  - b\n", 2, 3, "not a list");
	expect_load_error(fx, "map.yml", "stack: s\nregion:\n  a: b\n", 3, 3,
	                  "'region' must be a single value (a list is written 'a,b,c'), not a "
	                  "mapping");
	expect_load_error(fx, "tagged.yml", "stack: !Ref x\n", 1, 8, "not a tagged value");
	expect_load_error(fx, "dup.yml", "stack: a\nregion: r\nstack: b\n", 3, 1,
	                  "duplicate key 'stack' (first defined on line 1)");
	expect_load_error(fx, "dup-param.yml", "parameters:\n  A: 1\n  B: 2\n  A: 3\n", 4, 3,
	                  "duplicate key 'A'");
	expect_load_error(fx, "multiline.yml", "stack: |\n  a\n  b\n", 1, 8, "one-line value");
	/* a block scalar is refused even when its one line has no line break */
	expect_load_error(fx, "literal-strip.yml", "stack: |-\n  a\n", 1, 8, "one-line value");
	expect_load_error(fx, "folded-strip.yml", "stack: >-\n  a\n", 1, 8, "one-line value");
	expect_load_error(fx, "quoted-newline.yml", "stack: \"a\\nb\"\n", 1, 8, "one-line value");
	expect_load_error(fx, "nul.yml", "stack: \"a\\0b\"\n", 1, 8, "NUL");
	expect_load_error(fx, "root-list.yml", "- stack\n", 1, 1,
	                  "a model file is a mapping of keys");
	expect_load_error(fx, "params-list.yml", "parameters:\n  - A\n", 2, 3,
	                  "'parameters' must be a mapping");
	expect_load_error(fx, "params-flow.yml", "parameters: {A: 1}\n", 1, 13,
	                  "'parameters' must be a mapping");
	expect_load_error(fx, "key-list.yml", "[a]: 1\n", 1, 1, "keys must be plain names");
	expect_load_error(fx, "anchor.yml", "stack: &a s\nregion: *a\n", 1, 8, "anchors");
	expect_load_error(fx, "empty.yml", "", 1, 1, "empty model file");
	expect_load_error(fx, "comments-only.yml", "# nothing here\n", 1, 1, "empty model file");

	char *missing = tu_join(fx->dir, "missing.yml");
	lms_error err = {0};
	assert_null(model_load(missing, &err));
	assert_string_equal(err.file, missing);
	assert_error(&err, "cannot open");
	free(missing);
}

static void test_null_values_load_as_empty(void **state)
{
	fixture *fx = *state;
	model *m = load_text(fx, "nulls.yml", "stack: ~\nregion: null\nsuffix: ''\n");
	assert_string_equal(model_get(m, "stack"), "");
	assert_string_equal(model_get(m, "region"), "");
	assert_string_equal(model_get(m, "suffix"), "");
	assert_int_equal(m->params_line, 0);
	model_free(m);
}

static void test_unknown_keys_kept(void **state)
{
	fixture *fx = *state;
	model *m = load_text(fx, "unknown.yml",
	                     "stack: s\n"
	                     "colour: blue   # not a key of the format\n"
	                     "parameters:\n"
	                     "  VpcCidr: 10.0.0.0/16\n"
	                     "  Environment: prod\n"
	                     "  Mystery: x\n"
	                     "tags:\n"
	                     "  a: b\n");
	assert_int_equal(m->nunknown, 3);
	assert_string_equal(m->unknown[0].key, "colour");
	assert_int_equal(m->unknown[0].line, 2);
	assert_int_equal(m->unknown[0].col, 1);
	assert_string_equal(m->unknown[1].key, "parameters.Environment");
	assert_int_equal(m->unknown[1].line, 5);
	assert_int_equal(m->unknown[1].col, 3);
	assert_string_equal(m->unknown[2].key, "tags");
	assert_int_equal(m->unknown[2].line, 7);
	/* bound parameters under `parameters:` do not set the top-level keys */
	assert_null(model_get(m, "environment"));
	/* a parameter no catalog defines is still a parameter entry */
	assert_string_equal(model_get(m, "Mystery"), "x");
	assert_true(model_find(m, "Mystery")->is_param);
	assert_null(model_get(m, "colour"));
	/* unknown keys survive a save untouched */
	assert_true(model_set(m, "stack", "t"));
	char *out = render_update(m);
	assert_contains(out, "colour: blue   # not a key of the format\n");
	assert_contains(out, "tags:\n  a: b\n");
	free(out);
	model_free(m);
}

/* `init`'s text for a tiny catalog, whole: the header, each top key's
 * comment, a group header once, each parameter's label, description
 * wrapped at 76 columns (a line of exactly 76 kept, one of 77 cut at its
 * last blank, a word longer than a line kept whole, leading blanks and
 * line breaks skipped), its constraint (values, range, lengths, pattern,
 * constraint text), the pipeline's parameter as a note. */
/* A new model's stack and suffix take the suffix its environment's profile
 * sets, whichever profile entry it is (here the first), and the
 * environment's name when its profile sets none. */
static void test_new_suffix_from_profile(void **state)
{
	(void)state;
	static const char fragment[] =
	    "Metadata:\n  AWS::CloudFormation::Interface:\n    ParameterGroups:\n"
	    "      - Label: {default: Env}\n        Parameters: [A]\n"
	    "  LmsCtl::Profiles:\n"
	    "    prod: {EnvironmentSuffix: live, A: y}\n"
	    "    staging: {A: y}\n"
	    "    dev: {A: y, EnvironmentSuffix: play}\n"
	    "Parameters:\n"
	    "  A: {Type: String, Description: a, Default: x}\n"
	    "Resources:\n  T:\n    Type: AWS::SNS::Topic\n";
	static const char *const env[] = {"prod", "staging", "dev"};
	static const char *const suffix[] = {"live", "staging", "play"};
	static const char *const stack[] = {"lms-live", "lms-staging", "lms-play"};
	for (size_t i = 0; i < 3; i++) {
		rf_fixture fx;
		if (!rf_load(&fx, fragment, NULL))
			fail_msg("catalog: %s", fx.err.msg);
		fx.m = model_new_from_catalog(fx.cat, env[i], &fx.err);
		assert_non_null(fx.m);
		assert_string_equal(model_get(fx.m, "suffix"), suffix[i]);
		assert_string_equal(model_get(fx.m, "stack"), stack[i]);
		rf_done(&fx);
	}
}

/* A loaded model written anew keeps a parameter no template defines even
 * when it is the file's first entry (parameters: before every top-level
 * key), at the end of its parameters. */
static void test_render_new_unknown_first(void **state)
{
	fixture *fx = *state;
	model *m =
	    load_text(fx, "first.yml",
	              "parameters:\n  Nope: abc\n  Nope2: def\nstack: s\nenvironment: dev\n");
	char *out = render_new(m, fx->cat);
	const char *a = strstr(out, "\n  Nope: abc\n");
	assert_non_null(a);
	const char *b = strstr(out, "\n  Nope2: def\n");
	assert_non_null(b);
	assert_true(a < b);
	assert_string_equal(b + strlen("\n  Nope2: def\n"), "");
	free(out);
	model_free(m);
}

static void test_render_new_exact(void **state)
{
	(void)state;
	static const char fragment[] =
	    "Metadata:\n  AWS::CloudFormation::Interface:\n    ParameterGroups:\n"
	    "      - Label: {default: Sizes}\n        Parameters: [A, B, C, P]\n"
	    "      - Label: {default: Empty}\n        Parameters: [Q]\n"
	    "    ParameterLabels: {A: {default: The A}}\n"
	    "  LmsCtl::PipelineParameters: [P, Q]\n"
	    "Parameters:\n"
	    "  A: {Type: String, Description: '"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbbb', "
	    "Default: x, AllowedValues: [x, y]}\n"
	    "  B: {Type: Number, Description: '  "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbbbb', "
	    "Default: 5, MinValue: 1, MaxValue: 1209600}\n"
	    "  C: {Type: String, Description: "
	    "wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww, "
	    "Default: ab, MinLength: 2, MaxLength: 8, AllowedPattern: '[a-z]+', "
	    "ConstraintDescription: lower case}\n"
	    "  P: {Type: String, Description: p, Default: img}\n"
	    "  Q: {Type: String, Description: q, Default: img}\n"
	    "Resources:\n  T:\n    Type: AWS::SNS::Topic\n";
	rf_fixture fx;
	if (!rf_load(&fx, fragment, NULL))
		fail_msg("catalog: %s", fx.err.msg);
	fx.m = model_new_from_catalog(fx.cat, "staging", &fx.err);
	assert_non_null(fx.m);
	char *out = render_new(fx.m, fx.cat);
	static const char want[] =
	    "# lmsctl model: the LMS platform, staging environment.\n"
	    "# `lmsctl validate -m FILE` checks every value; the format is lmsctl-model(5).\n"
	    "# A parameter left out takes its template Default.\n"
	    "\n# CloudFormation stack name.\nstack: lms-staging\n"
	    "\n# AWS region of the stack. The platform is designed, sized and documented for\n"
	    "# eu-west-1.\nregion: eu-west-1\n"
	    "\n# Environment kind: dev, staging or prod (template parameter Environment).\n"
	    "environment: staging\n"
	    "\n# Suffix of every resource name, e.g. lms-db-cluster-<suffix> (template\n"
	    "# parameter EnvironmentSuffix).\nsuffix: staging\n"
	    "\n# Institutions that call the API, each with its own API key, usage plan\n"
	    "# and rotation (lmsctl-model(5), docs/api-limits.md); none by default.\n"
	    "# institutions:\n"
	    "#   - {name: nus, rate: 2000, burst: 2000, quota: 5000000}\n"
	    "\nparameters:\n"
	    "\n  # ==== Sizes ====\n"
	    "\n  # The A.\n"
	    "  # aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbbb\n"
	    "  # Type String; one of: x, y.\n"
	    "  A: 'x'\n"
	    "\n  # B.\n"
	    "  # aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
	    "  # bbbbbb\n"
	    "  # Type Number; from 1 to 1209600.\n"
	    "  B: 5\n"
	    "\n  # C.\n"
	    "  # wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww\n"
	    "  # Type String; length 2 to 8; pattern [a-z]+. lower case\n"
	    "  C: ab\n"
	    "\n  # P: the pipeline's (LmsCtl::PipelineParameters), not the model's: "
	    "docs/deploy.md.\n"
	    "\n  # ==== Empty ====\n"
	    "\n  # Q: the pipeline's (LmsCtl::PipelineParameters), not the model's: "
	    "docs/deploy.md.\n";
	if (strcmp(out, want) != 0) {
		print_error("got:\n");
		for (const char *l = out; *l;) {
			size_t n = strcspn(l, "\n");
			print_error("%.*s\n", (int)n, l);
			l += n + (l[n] == '\n');
		}
		fail();
	}
	free(out);
	/* a loaded model: no environment ("?"), a parameter no group lists written
	 * after the groups, a parameter the model leaves out not written, the
	 * pipeline's set by the model written as a value */
	model_free(fx.m);
	char *dir = tu_mkdtemp();
	char *path =
	    tu_write_file(dir, "m.yml", "stack: s\nparameters:\n  C: cd\n  Zed: 1\n  P: i\n");
	fx.m = load_ok(path);
	out = render_new(fx.m, fx.cat);
	assert_non_null(strstr(out, "# lmsctl model: the LMS platform, ? environment.\n"));
	assert_non_null(strstr(out, "\nstack: s\n"));
	assert_non_null(strstr(out, "\nregion: ''\n"));
	assert_non_null(strstr(out, "  # Type String; length 2 to 8; pattern [a-z]+. lower case\n"
	                            "  C: cd\n"
	                            "\n  # P.\n  # p\n  # Type String.\n  P: i\n"
	                            "\n  # ==== Empty ====\n"));
	assert_non_null(strstr(out, "docs/deploy.md.\n  Zed: 1\n"));
	assert_null(strstr(out, "  A: "));
	assert_null(strstr(out, "  B: "));
	free(out);
	free(path);
	tu_rmtree(dir);
	free(dir);
	rf_done(&fx);
}

/* Saving: a model with no file and no path; over another file than the one
 * read (the file read may change meanwhile), a name that only starts like
 * it included; a result of exactly the size limit, and one byte more; new
 * parameters at the file's own indentation; `? key` with no value. */
static void test_save_edges(void **state)
{
	fixture *fx = *state;
	lms_error err = {0};
	model *m = model_new_from_catalog(fx->cat, "dev", &err);
	assert_non_null(m);
	assert_false(model_save(m, fx->cat, NULL, NULL, &err));
	assert_error(&err, "the model has no file: give a path to save it to");
	lms_error_clear(&err);
	/* saved, a new model has nothing left to save: no entry is marked changed */
	assert_true(model_set(m, "stack", "lms-x"));
	char *first = tu_join(fx->dir, "new.yml");
	assert_true(model_save(m, fx->cat, first, NULL, &err));
	for (size_t i = 0; i < m->n; i++)
		if (m->entries[i].changed)
			fail_msg("%s still marked changed", m->entries[i].key);
	free(first);
	model_free(m);

	char *path = tu_write_file(fx->dir, "m.yml", "stack: s\n");
	m = load_ok(path);
	assert_true(model_set(m, "stack", "t"));
	/* the file read changes on disk: saving over it is refused, saving elsewhere is not */
	free(tu_write_file(fx->dir, "m.yml", "stack: x\n"));
	/* (a file there already, unlike the one read: nothing is checked against it) */
	free(tu_write_file(fx->dir, "m.yml.new", "stack: other\n"));
	char *other = tu_join(fx->dir, "m.yml.new");
	assert_true(model_save(m, fx->cat, other, NULL, &err));
	char *text = tu_read_file(other, NULL);
	assert_string_equal(text, "stack: t\n");
	free(text);
	free(other);
	model_free(m);

	/* the size limit, exactly: "stack: s\nparameters:\n  A: " 26 bytes, a value, "\n" */
	size_t limit = 1024 * 1024;
	for (size_t extra = 0; extra < 2; extra++) {
		free(tu_write_file(fx->dir, "m.yml", "stack: s\n"));
		m = load_ok(path);
		size_t vlen = limit - 27 + extra;
		char *v = malloc(vlen + 1);
		assert_non_null(v);
		memset(v, 'v', vlen);
		v[vlen] = '\0';
		assert_true(model_set(m, "A", v));
		free(v);
		bool ok = model_save(m, fx->cat, NULL, NULL, &err);
		if (extra) {
			assert_false(ok);
			assert_error(&err,
			             "the result would be 1048577 bytes, larger than 1048576");
			/* the whole file is at fault: no line, no column */
			assert_int_equal(err.line, 0);
			assert_int_equal(err.col, 0);
			lms_error_clear(&err);
		} else {
			if (!ok)
				fail_msg("%s", err.msg);
			struct stat st;
			assert_int_equal(stat(path, &st), 0);
			assert_int_equal(st.st_size, (off_t)limit);
		}
		model_free(m);
	}

	/* new parameters at the file's indentation, after the last one */
	free(tu_write_file(fx->dir, "m.yml",
	                   "stack: s\nparameters:\n    A: 1\n    B: 2\nregion: r\n"));
	m = load_ok(path);
	assert_true(model_set(m, "C", "3"));
	char *out = render_update(m);
	assert_string_equal(out,
	                    "stack: s\nparameters:\n    A: 1\n    B: 2\n    C: 3\nregion: r\n");
	free(out);
	model_free(m);
	free(path);

	expect_load_error(fx, "question.yml", "? stack\n", 1, 3, "'stack' has no ':'");
	expect_load_error(fx, "question2.yml", "region: r\n? stack\n", 2, 3, "'stack' has no ':'");
	m = load_text(fx, "colon.yml", "stack:\n");
	assert_string_equal(model_get(m, "stack"), "");
	model_free(m);
}

/* Parameters named like the bound ones but longer are parameters: in a new
 * model and in `init`'s text. */
static void test_bound_names_exactly(void **state)
{
	(void)state;
	static const char fragment[] =
	    "Metadata:\n  AWS::CloudFormation::Interface:\n    ParameterGroups:\n"
	    "      - Label: {default: Near}\n"
	    "        Parameters: [EnvironmentX, EnvironmentSuffixX]\n"
	    "Parameters:\n"
	    "  EnvironmentX: {Type: String, Description: e, Default: ab}\n"
	    "  EnvironmentSuffixX: {Type: String, Description: s, Default: cd}\n"
	    "Resources:\n  T:\n    Type: AWS::SNS::Topic\n";
	rf_fixture fx;
	if (!rf_load(&fx, fragment, NULL))
		fail_msg("catalog: %s", fx.err.msg);
	fx.m = model_new_from_catalog(fx.cat, "dev", &fx.err);
	assert_non_null(fx.m);
	assert_string_equal(model_get(fx.m, "EnvironmentX"), "ab");
	assert_string_equal(model_get(fx.m, "EnvironmentSuffixX"), "cd");
	char *out = render_new(fx.m, fx.cat);
	assert_non_null(strstr(out, "\n  EnvironmentX: ab\n"));
	assert_non_null(strstr(out, "\n  EnvironmentSuffixX: cd\n"));
	assert_null(strstr(out, "\n  EnvironmentSuffix: "));
	free(out);
	rf_done(&fx);
}

/* A new parameter after an empty last one, before the next top-level key. */
static void test_new_parameter_after_empty_one(void **state)
{
	fixture *fx = *state;
	model *m = load_text(fx, "empty-last.yml", "stack: s\nparameters:\n  Foo:\nregion: r\n");
	assert_true(model_set(m, "B", "1"));
	char *out = render_update(m);
	assert_string_equal(out, "stack: s\nparameters:\n  Foo:\n  B: 1\nregion: r\n");
	free(out);
	model_free(m);
	m = load_text(fx, "empty-last2.yml", "parameters:\n  A: x\n  Foo:\n\nregion: r\n");
	assert_true(model_set(m, "B", "1"));
	out = render_update(m);
	assert_string_equal(out, "parameters:\n  A: x\n  Foo:\n  B: 1\n\nregion: r\n");
	free(out);
	model_free(m);
}

/* Out of memory at each allocation of model_load and of model_save (an
 * update and a new file): the error names the model's file and says "out of
 * memory"; a position is a line and a column or neither (the model's own
 * out-of-memory errors have none). The model has an unknown key at the top and
 * a top-level key among its parameters (both kept for validate). */
static void oom_check(const lms_error *err, const char *path)
{
	assert_non_null(err->msg);
	if (!strstr(err->msg, "out of memory") && !strstr(err->msg, "Cannot allocate memory"))
		fail_msg("%s: %s", err->file ? err->file : "?", err->msg);
	assert_string_equal(err->file, path);
	if ((err->line == 0) != (err->col == 0))
		fail_msg("%s:%zu:%zu: %s", err->file, err->line, err->col, err->msg);
}

static void test_out_of_memory_positions(void **state)
{
	fixture *fx = *state;
	char *path = tu_write_file(fx->dir, "oom.yml",
	                           "stack: s\nenvironment: dev\nextra: 1\nparameters:\n  stack: "
	                           "t\n  VpcCidr: 10.9.0.0/16\n");
	char *fresh = tu_join(fx->dir, "oom-new.yml");
	size_t n = 0;
	for (;; n++) {
		lms_error err = {0};
		alloc_fail_after(n);
		model *m = model_load(path, &err);
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		if (!fired) {
			assert_non_null(m);
			model_free(m);
			break;
		}
		assert_null(m);
		oom_check(&err, path);
		lms_error_clear(&err);
	}
	assert_true(n >= 4);
	/* an update of the file: every allocation (a tiny model, a few dozen) */
	for (n = 0;; n++) {
		lms_error err = {0};
		model *m = load_ok(path);
		assert_true(model_set(m, "NatGatewayMode", "per-az"));
		alloc_fail_after(n);
		bool ok = model_save(m, fx->cat, path, NULL, &err);
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		model_free(m);
		if (!fired) {
			assert_true(ok);
			break;
		}
		if (!ok) {
			oom_check(&err, path);
			lms_error_clear(&err);
		}
	}
	assert_true(n >= 4);
	/* a new file from the whole catalog: its first allocations only (each
	 * turn renders every parameter) */
	for (n = 0; n < 3; n++) {
		lms_error err = {0};
		model *m = model_new_from_catalog(fx->cat, "dev", &err);
		assert_non_null(m);
		alloc_fail_after(n);
		bool ok = model_save(m, fx->cat, fresh, NULL, &err);
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		model_free(m);
		assert_true(fired);
		assert_false(ok);
		oom_check(&err, fresh);
		assert_int_equal(err.line, 0);
		lms_error_clear(&err);
	}
	free(fresh);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_new_from_catalog_dev, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_out_of_memory_positions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_comment_characters, setup, teardown),
	    cmocka_unit_test(test_constraint_comment_one_sided),
	    cmocka_unit_test_setup_teardown(test_new_from_catalog_prod, setup, teardown),
	    cmocka_unit_test(test_new_from_fixture_catalog_suffix_profile),
	    cmocka_unit_test_setup_teardown(test_param_value_falls_back_to_default, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_render_new_round_trips, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_render_new_matches_golden, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_keys_exactly, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_new_model_suffix_and_stack, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_render_new_round_trips_tricky_values, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_edit_matches_golden, setup, teardown),
	    cmocka_unit_test(test_edit_changes_only_the_value_bytes),
	    cmocka_unit_test_setup_teardown(test_empty_value_gets_a_space, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_new_parameter_appended_under_parameters, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_save_is_atomic_and_keeps_mode, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_save_new_model, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_file_atomic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_save_refuses_changed_on_disk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_save_refuses_unloadable_result, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_load_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_null_values_load_as_empty, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_keys_kept, setup, teardown),
	    cmocka_unit_test(test_render_new_exact),
	    cmocka_unit_test(test_new_suffix_from_profile),
	    cmocka_unit_test_setup_teardown(test_update_first_entry_new, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_render_new_unknown_first, setup, teardown),
	    cmocka_unit_test(test_bound_names_exactly),
	    cmocka_unit_test_setup_teardown(test_new_parameter_after_empty_one, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_save_edges, setup, teardown),
	};
	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
