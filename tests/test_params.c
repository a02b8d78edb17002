/* params_json: the CloudFormation parameters file out of a model and back
 * in; an import sets nothing unless the whole file is valid. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "model/params_json.h"
#include "testutil.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
	lms_error err = {0};
	*state = catalog_load(tu_templates_dir(), &err);
	if (!*state) {
		print_error("templates (%s) do not load: %s\n", tu_templates_dir(),
		            err.msg ? err.msg : "?");
		lms_error_clear(&err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	catalog_free(*state);
	return 0;
}

static char *export_json(const catalog *cat, const model *m)
{
	buf out;
	buf_init(&out, 0);
	assert_true(params_json_export(cat, m, &out));
	char *s = buf_take(&out);
	assert_non_null(s);
	return s;
}

static bool import_text(const catalog *cat, model *m, const char *text, lms_error *err)
{
	return params_json_import(cat, m, "p.json", text, strlen(text), err);
}

/* A snapshot of every value of a model, to prove an import changed nothing. */
typedef struct snapshot {
	char **kv; /* key, value, key, value, ... */
	size_t n;
	bool *changed;
} snapshot;

static snapshot take_snapshot(const model *m)
{
	snapshot s = {calloc(2 * m->n + 1, sizeof(char *)), m->n, calloc(m->n + 1, sizeof(bool))};
	assert_non_null(s.kv);
	assert_non_null(s.changed);
	for (size_t i = 0; i < m->n; i++) {
		s.kv[2 * i] = strdup(m->entries[i].key);
		s.kv[2 * i + 1] = strdup(m->entries[i].value);
		s.changed[i] = m->entries[i].changed;
	}
	return s;
}

static void assert_unchanged(const model *m, snapshot *s)
{
	assert_int_equal(m->n, s->n);
	for (size_t i = 0; i < s->n; i++) {
		assert_string_equal(m->entries[i].key, s->kv[2 * i]);
		assert_string_equal(m->entries[i].value, s->kv[2 * i + 1]);
		assert_int_equal(m->entries[i].changed, s->changed[i]);
		free(s->kv[2 * i]);
		free(s->kv[2 * i + 1]);
	}
	free(s->kv);
	free(s->changed);
}

/* The import must fail, leave `m` as it was and report `what`; `line` 0
 * means the error carries no position. */
static void expect_import_error(const catalog *cat, model *m, const char *text, size_t line,
                                const char *what)
{
	snapshot s = take_snapshot(m);
	lms_error err = {0};
	if (import_text(cat, m, text, &err)) {
		print_error("import accepted: %s\n", text);
		fail();
	}
	assert_unchanged(m, &s);
	assert_string_equal(err.file, "p.json");
	assert_int_equal(err.line, line);
	if (line && err.col == 0) {
		print_error("no column in: %s:%zu: %s\n", err.file, err.line, err.msg);
		fail();
	}
	if (!line)
		assert_int_equal(err.col, 0); /* no position: no column either */
	assert_error(&err, what);
}

/* ---- export ------------------------------------------------------------------------------- */

static void test_export_lists_every_parameter(void **state)
{
	const catalog *cat = *state;
	model *m = model_new_from_catalog(cat, "prod", NULL);
	assert_non_null(m);
	assert_true(model_set(m, "VpcCidr", "10.9.0.0/16"));
	char *text = export_json(cat, m);
	assert_int_equal(text[strlen(text) - 1], '\n');
	json_error_t jerr;
	json_t *arr = json_loads(text, 0, &jerr);
	assert_non_null(arr);
	assert_true(json_is_array(arr));
	assert_int_equal(json_array_size(arr), cat->nparams);
	for (size_t i = 0; i < cat->nparams; i++) {
		json_t *o = json_array_get(arr, i);
		assert_true(json_is_object(o));
		assert_int_equal(json_object_size(o), 2);
		if (cat->params[i].pipeline_owned) {
			/* the pipeline's: an update keeps the stack's value */
			assert_true(json_is_true(json_object_get(o, "UsePreviousValue")));
			continue;
		}
		const char *key = json_string_value(json_object_get(o, "ParameterKey"));
		const char *value = json_string_value(json_object_get(o, "ParameterValue"));
		assert_non_null(key);
		assert_non_null(value);
		/* catalog order */
		assert_string_equal(key, cat->params[i].e.name);
		assert_string_equal(value, model_param_value(m, cat, key));
	}
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(arr, 0), "ParameterKey")),
	    "Environment");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(arr, 0), "ParameterValue")), "prod");
	/* key order inside each object is ParameterKey, ParameterValue */
	assert_contains(text,
	                "\"ParameterKey\": \"VpcCidr\",\n    \"ParameterValue\": \"10.9.0.0/16\"");
	json_decref(arr);
	free(text);
	model_free(m);
}

static void test_export_without_values_uses_defaults(void **state)
{
	const catalog *cat = *state;
	/* a model that sets almost nothing: every parameter still appears */
	char *dir = tu_mkdtemp();
	char *path = tu_write_file(dir, "m.yml", "stack: s\nenvironment: staging\n");
	model *m = model_load(path, NULL);
	assert_non_null(m);
	char *text = export_json(cat, m);
	json_t *arr = json_loads(text, 0, NULL);
	assert_int_equal(json_array_size(arr), cat->nparams);
	for (size_t i = 0; i < cat->nparams; i++) {
		json_t *o = json_array_get(arr, i);
		if (cat->params[i].pipeline_owned)
			continue;
		const char *key = json_string_value(json_object_get(o, "ParameterKey"));
		const char *want =
		    strcmp(key, "Environment") == 0 ? "staging" : cat->params[i].default_value;
		assert_string_equal(json_string_value(json_object_get(o, "ParameterValue")), want);
	}
	json_decref(arr);
	free(text);
	model_free(m);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

static void test_export_import_round_trip(void **state)
{
	const catalog *cat = *state;
	model *prod = model_new_from_catalog(cat, "prod", NULL);
	assert_true(model_set(prod, "VpcCidr", "10.77.0.0/16"));
	char *text = export_json(cat, prod);
	model *dev = model_new_from_catalog(cat, "dev", NULL);
	lms_error err = {0};
	assert_true(params_json_import(cat, dev, "p.json", text, strlen(text), &err));
	assert_null(err.msg);
	for (size_t i = 0; i < cat->nparams; i++) {
		const char *name = cat->params[i].e.name;
		assert_string_equal(model_param_value(dev, cat, name),
		                    model_param_value(prod, cat, name));
	}
	/* the bound parameters land on the top-level keys */
	assert_string_equal(model_get(dev, "environment"), "prod");
	assert_string_equal(model_get(dev, "suffix"), "prod");
	assert_true(model_find(dev, "NatGatewayMode")->changed);
	free(text);
	model_free(prod);
	model_free(dev);
}

/* ---- import ------------------------------------------------------------------------------- */

static void test_import_sets_values(void **state)
{
	const catalog *cat = *state;
	model *m = model_new_from_catalog(cat, "dev", NULL);
	lms_error err = {0};
	assert_true(import_text(
	    cat, m,
	    "[\n"
	    "  {\"ParameterKey\": \"NatGatewayMode\", \"ParameterValue\": \"per-az\"},\n"
	    "  {\"ParameterKey\": \"FlowLogRetentionDays\", \"ParameterValue\": 365},\n"
	    "  {\"ParameterKey\": \"VpcCidr\", \"ParameterValue\": \"10.1.0.0/16\",\n"
	    "   \"UsePreviousValue\": false},\n"
	    "  {\"ParameterKey\": \"EnvironmentSuffix\", \"ParameterValue\": \"q\"},\n"
	    "  {\"ParameterKey\": \"AvailabilityZoneCount\", \"UsePreviousValue\": true}\n"
	    "]\n",
	    &err));
	assert_null(err.msg);
	assert_string_equal(model_get(m, "NatGatewayMode"), "per-az");
	assert_string_equal(model_get(m, "FlowLogRetentionDays"), "365");
	assert_string_equal(model_get(m, "VpcCidr"), "10.1.0.0/16");
	assert_string_equal(model_get(m, "suffix"), "q");
	/* UsePreviousValue without a value keeps the model's */
	assert_string_equal(model_get(m, "AvailabilityZoneCount"), "2");
	assert_false(model_find(m, "AvailabilityZoneCount")->changed);
	assert_true(model_find(m, "NatGatewayMode")->changed);
	model_free(m);
}

static void test_import_numbers_and_booleans_as_text(void **state)
{
	const catalog *cat = *state;
	model *m = model_new_from_catalog(cat, "dev", NULL);
	lms_error err = {0};
	assert_true(
	    import_text(cat, m,
	                "[{\"ParameterKey\": \"VpcCidr\", \"ParameterValue\": 12},"
	                " {\"ParameterKey\": \"NatGatewayMode\", \"ParameterValue\": true},"
	                " {\"ParameterKey\": \"AppSubnetCidrs\", \"ParameterValue\": false},"
	                " {\"ParameterKey\": \"FlowLogRetentionDays\", \"ParameterValue\": 1.5}]",
	                &err));
	assert_string_equal(model_get(m, "VpcCidr"), "12");
	assert_string_equal(model_get(m, "NatGatewayMode"), "true");
	assert_string_equal(model_get(m, "AppSubnetCidrs"), "false");
	assert_string_equal(model_get(m, "FlowLogRetentionDays"), "1.5");
	model_free(m);
}

static void test_import_empty_list(void **state)
{
	const catalog *cat = *state;
	model *m = model_new_from_catalog(cat, "dev", NULL);
	snapshot s = take_snapshot(m);
	lms_error err = {0};
	assert_true(import_text(cat, m, "[]", &err));
	assert_unchanged(m, &s);
	model_free(m);
}

static void test_import_errors_set_nothing(void **state)
{
	const catalog *cat = *state;
	model *m = model_new_from_catalog(cat, "dev", NULL);
	assert_true(model_set(m, "VpcCidr", "10.5.0.0/16"));

	/* a valid first entry is not applied when a later one is wrong */
	expect_import_error(
	    cat, m,
	    "[{\"ParameterKey\": \"NatGatewayMode\", \"ParameterValue\": \"per-az\"},\n"
	    " {\"ParameterKey\": \"Nope\", \"ParameterValue\": \"x\"}]",
	    0, "entry 2: 'Nope' is not a parameter of the template");
	expect_import_error(
	    cat, m,
	    "[{\"ParameterKey\": \"NatGatewayMode\", \"ParameterValue\": \"per-az\"},\n"
	    " {\"ParameterKey\": \"NatGatewayMode\", \"ParameterValue\": \"single\"}]",
	    0, "entry 2: 'NatGatewayMode' is given twice");
	/* the same key twice inside one object is a JSON error with a position */
	expect_import_error(cat, m,
	                    "[{\"ParameterKey\": \"VpcCidr\",\n"
	                    "  \"ParameterValue\": \"10.0.0.0/16\",\n"
	                    "  \"ParameterValue\": \"10.1.0.0/16\"}]",
	                    3, "duplicate");
	expect_import_error(cat, m, "{\"ParameterKey\": \"VpcCidr\", \"ParameterValue\": \"x\"}", 1,
	                    "a parameters file is a list");
	/* a bare scalar is not even a JSON document to jansson */
	expect_import_error(cat, m, "\"just a string\"", 1, "'[' or '{' expected");
	expect_import_error(cat, m, "[{\"ParameterKey\": \"VpcCidr\",\n \"ParameterValue\": }]", 2,
	                    "");
	expect_import_error(cat, m, "[\n  {\"ParameterKey\": \"VpcCidr\"\n", 3, "");
	expect_import_error(cat, m, "", 1, "");
	expect_import_error(cat, m, "[{\"ParameterKey\": \"VpcCidr\", \"ParameterValue\": null}]",
	                    0, "ParameterValue must be a string");
	expect_import_error(cat, m,
	                    "[{\"ParameterKey\": \"VpcCidr\", \"ParameterValue\": [\"a\", \"b\"]}]",
	                    0, "ParameterValue must be a string");
	expect_import_error(cat, m,
	                    "[{\"ParameterKey\": \"VpcCidr\", \"ParameterValue\": {\"a\": 1}}]", 0,
	                    "ParameterValue must be a string");
	expect_import_error(cat, m, "[{\"ParameterKey\": \"VpcCidr\"}]", 0,
	                    "entry 1 (VpcCidr): ParameterValue must be a string");
	expect_import_error(cat, m, "[\"VpcCidr\"]", 0, "entry 1 has no ParameterKey string");
	expect_import_error(cat, m, "[{\"ParameterKey\": 5, \"ParameterValue\": \"x\"}]", 0,
	                    "entry 1 has no ParameterKey string");
	expect_import_error(cat, m, "[{\"ParameterValue\": \"x\"}]", 0,
	                    "entry 1 has no ParameterKey string");
	/* a NUL inside a string is refused by the JSON reader */
	expect_import_error(
	    cat, m, "[{\"ParameterKey\": \"VpcCidr\", \"ParameterValue\": \"a\\u0000b\"}]", 1, "");

	assert_string_equal(model_get(m, "VpcCidr"), "10.5.0.0/16");
	assert_string_equal(model_get(m, "NatGatewayMode"), "single");
	model_free(m);
}

/* The conditions of an entry one by one: UsePreviousValue with and without a
 * value, the pipeline's parameter, a value with a line break, a key given
 * twice after a skipped entry, the positions of a JSON error at the end. */
static void test_import_entry_edges(void **state)
{
	const catalog *cat = *state;
	model *m = model_new_from_catalog(cat, "dev", NULL);
	lms_error err = {0};
	/* UsePreviousValue true with a value: the value; the pipeline's parameter is skipped
	 * whatever it says */
	assert_true(
	    import_text(cat, m,
	                "[{\"ParameterKey\": \"VpcCidr\", \"ParameterValue\": \"10.9.0.0/16\","
	                " \"UsePreviousValue\": true},"
	                " {\"ParameterKey\": \"ContainerImage\", \"ParameterValue\": \"x\"},"
	                " {\"ParameterKey\": \"ContainerImage\", \"ParameterValue\": \"y\"}]",
	                &err));
	assert_string_equal(model_get(m, "VpcCidr"), "10.9.0.0/16");
	assert_null(model_get(m, "ContainerImage"));
	/* UsePreviousValue false without a value: no value */
	expect_import_error(cat, m,
	                    "[{\"ParameterKey\": \"VpcCidr\", \"UsePreviousValue\": false}]", 0,
	                    "entry 1 (VpcCidr): ParameterValue must be a string");
	/* one line: \n and \r alike */
	expect_import_error(cat, m,
	                    "[{\"ParameterKey\": \"VpcCidr\", \"ParameterValue\": \"a\\nb\"}]", 0,
	                    "entry 1 (VpcCidr): a parameter value is one line");
	expect_import_error(cat, m,
	                    "[{\"ParameterKey\": \"VpcCidr\", \"ParameterValue\": \"a\\rb\"}]", 0,
	                    "a parameter value is one line");
	/* twice, after an entry that sets nothing */
	expect_import_error(cat, m,
	                    "[{\"ParameterKey\": \"AvailabilityZoneCount\", "
	                    "\"UsePreviousValue\": true},"
	                    " {\"ParameterKey\": \"VpcCidr\", \"ParameterValue\": \"a\"},"
	                    " {\"ParameterKey\": \"VpcCidr\", \"ParameterValue\": \"b\"}]",
	                    0, "entry 3: 'VpcCidr' is given twice");
	/* a near name is another parameter, not a repeat */
	expect_import_error(cat, m,
	                    "[{\"ParameterKey\": \"VpcCidr\", \"ParameterValue\": \"a\"},"
	                    " {\"ParameterKey\": \"VpcCid\", \"ParameterValue\": \"b\"}]",
	                    0, "entry 2: 'VpcCid' is not a parameter");
	/* an error at the start of the last line (the file ends with a newline): column 1 */
	assert_false(import_text(cat, m, "[\n", &err));
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 1);
	lms_error_clear(&err);
	assert_false(import_text(cat, m, "[1,\n 2,\n", &err));
	assert_int_equal(err.line, 3);
	assert_int_equal(err.col, 1);
	lms_error_clear(&err);
	/* a column on the line */
	assert_false(import_text(cat, m, "[1,\n  x]", &err));
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 3);
	lms_error_clear(&err);
	model_free(m);
}

static void test_import_error_position(void **state)
{
	const catalog *cat = *state;
	model *m = model_new_from_catalog(cat, "dev", NULL);
	lms_error err = {0};
	const char text[] =
	    "[\n  {\"ParameterKey\": \"VpcCidr\", \"ParameterValue\": \"x\"},\n  oops\n]";
	assert_false(import_text(cat, m, text, &err));
	assert_int_equal(err.line, 3);
	assert_true(err.col >= 3);
	char *s = tu_error_text(&err);
	assert_true(strncmp(s, "p.json:3:", 9) == 0);
	free(s);
	lms_error_clear(&err);
	model_free(m);
}

/* jansson's parser failing its first allocation leaves its error at line -1,
 * column -1 and an empty text: the error has no position (line and column
 * 0, not a huge line) and says what happened. */
static void test_import_out_of_memory(void **state)
{
	const catalog *cat = *state;
	model *m = model_new_from_catalog(cat, "dev", NULL);
	lms_error err = {0};
	alloc_fail_jansson(true);
	alloc_fail_after(0);
	bool ok = import_text(cat, m, "[]", &err);
	bool fired = alloc_fail_fired();
	alloc_fail_off();
	assert_true(fired);
	assert_false(ok);
	assert_int_equal(err.line, 0);
	assert_int_equal(err.col, 0);
	assert_string_equal(err.msg, "out of memory");
	assert_string_equal(err.file, "p.json");
	lms_error_clear(&err);
	model_free(m);
}

/* Out of memory at each allocation of an import, jansson's own left alone
 * (its parser aborts on some): the error is "out of memory" with no
 * position, and the model is unchanged. */
static void test_import_out_of_memory_sweep(void **state)
{
	const catalog *cat = *state;
	model *m = model_new_from_catalog(cat, "dev", NULL);
	const char text[] =
	    "[{\"ParameterKey\": \"VpcCidr\", \"ParameterValue\": \"10.9.0.0/16\"},\n"
	    " {\"ParameterKey\": \"NatGatewayMode\", \"ParameterValue\": \"single\"}]";
	alloc_fail_jansson(false);
	size_t n = 0;
	for (;; n++) {
		lms_error err = {0};
		alloc_fail_after(n);
		bool ok = import_text(cat, m, text, &err);
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		if (!fired) {
			assert_true(ok);
			break;
		}
		if (ok) /* an allocation the call absorbs */
			continue;
		assert_string_equal(err.msg, "out of memory");
		assert_string_equal(err.file, "p.json");
		assert_int_equal(err.line, 0);
		assert_int_equal(err.col, 0);
		lms_error_clear(&err);
	}
	alloc_fail_jansson(true);
	assert_true(n >= 4);
	assert_string_equal(model_get(m, "VpcCidr"), "10.9.0.0/16");
	model_free(m);
}

/* A file that is JSON but not a list is wrong from its first character:
 * line 1, column 1 exactly. */
static void test_import_not_a_list_position(void **state)
{
	const catalog *cat = *state;
	model *m = model_new_from_catalog(cat, "dev", NULL);
	lms_error err = {0};
	assert_false(import_text(cat, m, "\n  {\"ParameterKey\": \"VpcCidr\"}", &err));
	assert_int_equal(err.line, 1);
	assert_int_equal(err.col, 1);
	assert_error(&err, "a parameters file is a list");
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_import_entry_edges),
	    cmocka_unit_test(test_export_lists_every_parameter),
	    cmocka_unit_test(test_export_without_values_uses_defaults),
	    cmocka_unit_test(test_export_import_round_trip),
	    cmocka_unit_test(test_import_sets_values),
	    cmocka_unit_test(test_import_numbers_and_booleans_as_text),
	    cmocka_unit_test(test_import_empty_list),
	    cmocka_unit_test(test_import_errors_set_nothing),
	    cmocka_unit_test(test_import_error_position),
	    cmocka_unit_test(test_import_out_of_memory),
	    cmocka_unit_test(test_import_not_a_list_position),
	    cmocka_unit_test(test_import_out_of_memory_sweep),
	};
	return cmocka_run_group_tests_name("params", tests, setup, teardown);
}
