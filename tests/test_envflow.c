/* The environment's two stacks (ops/envflow.c): the edge's parameters from the main stack's
 * outputs and the main model, and the check that stops an edge change set the review did
 * not show, on the fixture catalog tests/fixtures/deploy-pair (its edge: QueueUrl <-
 * WorkQueueUrl, OriginDomain <- OriginName; Environment, EnvironmentSuffix and
 * RetentionDays shared with the main template). */
#include "ops/envflow.h"

#include "model/catalog.h"
#include "model/model.h"
#include "ops/stackflow.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

typedef struct env {
	catalog *cat;
	model *m;
	ef_companion c;
} env;

static int setup(void **state)
{
	env *e = calloc(1, sizeof *e);
	assert_non_null(e);
	char *dir = tu_fixture("deploy-pair");
	lms_error err = {0};
	e->cat = catalog_load(dir, &err);
	free(dir);
	assert_non_null(e->cat);
	e->m = model_new_from_catalog(e->cat, "dev", &err);
	assert_non_null(e->m);
	assert_true(model_set(e->m, "stack", "lms-pair"));
	assert_true(model_set(e->m, "suffix", "prx"));
	assert_true(model_set(e->m, "RetentionDays", "7"));
	assert_true(ef_open(e->cat, e->m, &e->c, &err));
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	env *e = *state;
	ef_close(&e->c);
	model_free(e->m);
	catalog_free(e->cat);
	free(e);
	return 0;
}

static const char *kv(const cfn_kv *v, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].key, key) == 0)
			return v[i].value;
	return NULL;
}

static void test_companion_named_and_placed(void **state)
{
	env *e = *state;
	assert_non_null(e->c.comp);
	assert_string_equal(e->c.stack, "lms-pair-edge");
	assert_string_equal(e->c.region, "us-east-1");
}

static void test_params_from_outputs_and_shared_values(void **state)
{
	env *e = *state;
	cfn_output outs[] = {{.key = "WorkQueueUrl", .value = "https://q"},
	                     {.key = "OriginName", .value = "origin.example.org"},
	                     {.key = "QueueUrl", .value = "not this one"}};
	cfn_stack main = {.name = "lms-pair", .outputs = outs, .noutputs = 3};
	cfn_kv *p = NULL;
	size_t n = 0;
	assert_true(ef_params(&e->c, e->cat, e->m, &main, &p, &n));
	assert_string_equal(kv(p, n, "QueueUrl"), "https://q");
	assert_string_equal(kv(p, n, "OriginDomain"), "origin.example.org");
	assert_string_equal(kv(p, n, "EnvironmentSuffix"), "prx");
	assert_string_equal(kv(p, n, "Environment"), "dev");
	assert_string_equal(kv(p, n, "RetentionDays"), "7"); /* the main model's, not 4 */
	sf_kv_free(p, n);
}

static void test_absent_output_is_not_sent(void **state)
{
	env *e = *state;
	/* an output named like the one wanted but not it, and none at all */
	cfn_output outs[] = {{.key = "WorkQueueUrl2", .value = "x"},
	                     {.key = "OriginName", .value = "o"}};
	cfn_stack main = {.name = "lms-pair", .outputs = outs, .noutputs = 2};
	cfn_kv *p = NULL;
	size_t n = 0;
	assert_true(ef_params(&e->c, e->cat, e->m, &main, &p, &n));
	assert_null(kv(p, n, "QueueUrl"));
	assert_string_equal(kv(p, n, "OriginDomain"), "o");
	sf_kv_free(p, n);
	assert_true(ef_params(&e->c, e->cat, e->m, NULL, &p, &n));
	assert_null(kv(p, n, "QueueUrl"));
	assert_null(kv(p, n, "OriginDomain"));
	assert_non_null(kv(p, n, "EnvironmentSuffix"));
	sf_kv_free(p, n);
}

static void test_params_equal(void **state)
{
	(void)state;
	cfn_kv a[] = {{.key = "A", .value = "1"}, {.key = "B", .value = "2"}};
	cfn_kv b[] = {{.key = "B", .value = "2"}, {.key = "A", .value = "1"}};
	cfn_kv c[] = {{.key = "B", .value = "2"}, {.key = "A", .value = "10"}};
	cfn_kv d[] = {{.key = "A", .value = "1"}};
	assert_true(ef_params_equal(a, 2, b, 2));
	assert_false(ef_params_equal(a, 2, c, 2));
	assert_false(ef_params_equal(a, 2, d, 1));
	assert_false(ef_params_equal(d, 1, a, 2));
}

static void test_unreviewed_change(void **state)
{
	(void)state;
	cfn_change now[] = {
	    {.action = "Add", .logical_id = "New", .resource_type = "AWS::SQS::Queue"},
	    {.action = "Modify",
	     .logical_id = "Tweak",
	     .replacement = "False",
	     .resource_type = "AWS::SQS::Queue"},
	    {.action = "Modify",
	     .logical_id = "Dist",
	     .replacement = "True",
	     .resource_type = "AWS::CloudFront::Distribution"},
	};
	cfn_change_set cs = {.changes = now, .nchanges = 3};
	/* nothing shown: the replacement is unreviewed; adds and in-place changes are not */
	assert_string_equal(ef_unreviewed_change(&cs, NULL), "Dist");
	/* shown as modified in place only: still unreviewed */
	cfn_change seen_modify[] = {{.action = "Modify",
	                             .logical_id = "Dist",
	                             .replacement = "False",
	                             .resource_type = "AWS::CloudFront::Distribution"}};
	cfn_change_set seen = {.changes = seen_modify, .nchanges = 1};
	assert_string_equal(ef_unreviewed_change(&cs, &seen), "Dist");
	/* shown as a conditional replacement: reviewed */
	cfn_change seen_replace[] = {{.action = "Modify",
	                              .logical_id = "Dist",
	                              .replacement = "Conditional",
	                              .resource_type = "AWS::CloudFront::Distribution"}};
	seen.changes = seen_replace;
	assert_null(ef_unreviewed_change(&cs, &seen));
	/* a removal of a resource shown only as removed elsewhere (a near name) */
	cfn_change gone[] = {
	    {.action = "Remove", .logical_id = "WebAcl", .resource_type = "AWS::WAFv2::WebACL"}};
	cfn_change_set cs2 = {.changes = gone, .nchanges = 1};
	cfn_change near[] = {
	    {.action = "Remove", .logical_id = "WebAcl2", .resource_type = "AWS::WAFv2::WebACL"}};
	cfn_change_set seen2 = {.changes = near, .nchanges = 1};
	assert_string_equal(ef_unreviewed_change(&cs2, &seen2), "WebAcl");
	near[0].logical_id = "WebAcl";
	assert_null(ef_unreviewed_change(&cs2, &seen2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_companion_named_and_placed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_params_from_outputs_and_shared_values, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_absent_output_is_not_sent, setup, teardown),
	    cmocka_unit_test(test_params_equal),
	    cmocka_unit_test(test_unreviewed_change),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
