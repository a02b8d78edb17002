/* The small model/ modules' edges (issue 15, mutation testing): the rule
 * registry's lookups and listing, the findings list, the names rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/buf.h"
#include "model/catalog.h"
#include "model/companion.h"
#include "model/findings.h"
#include "model/model.h"
#include "model/rules.h"
#include "model/rules_registry.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/testutil.h"

/* ---- model/rules_registry.c ---------------------------------------------- */

static void test_prod_gates_exact(void **state)
{
	(void)state;
	assert_true(rules_gates_prod_deploy("OBS008"));
	assert_true(rules_gates_prod_deploy("SEC001"));
	/* the first and the last gate against near names */
	assert_false(rules_gates_prod_deploy("OBS00"));
	assert_false(rules_gates_prod_deploy("OBS0081"));
	assert_false(rules_gates_prod_deploy("SEC00"));
	assert_false(rules_gates_prod_deploy("SEC0011"));
	assert_false(rules_gates_prod_deploy("OBS007"));
	assert_false(rules_gates_prod_deploy(""));
	assert_false(rules_gates_prod_deploy(NULL));
}

static void test_supports_whole_words(void **state)
{
	(void)state;
	rule_info r = {"XXX001", "f", "error", "protection availability", "s"};
	assert_true(rules_supports(&r, "protection"));
	assert_true(rules_supports(&r, "availability"));
	assert_false(rules_supports(&r, "protect"));     /* a prefix of the first */
	assert_false(rules_supports(&r, "rotection"));   /* a suffix of the first */
	assert_false(rules_supports(&r, "availabilit")); /* a prefix of the last */
	assert_false(rules_supports(&r, "vailability")); /* a suffix of the last */
	assert_false(rules_supports(&r, "protection availability x"));
	assert_false(rules_supports(&r, ""));
	assert_false(rules_supports(&r, NULL));
	assert_false(rules_supports(NULL, "protection"));
	/* a match inside a word, then the word itself later */
	rule_info w = {"XXX002", "f", "error", "retentionx retention", "s"};
	assert_true(rules_supports(&w, "retention"));
	rule_info x = {"XXX003", "f", "error", "xretention", "s"};
	assert_false(rules_supports(&x, "retention"));
	rule_info none = {"XXX004", "f", "error", "", "s"};
	assert_false(rules_supports(&none, "protection"));
	rule_info nul = {"XXX005", "f", "error", NULL, "s"};
	assert_false(rules_supports(&nul, "protection"));
	/* the registry's own */
	assert_true(rules_supports(rules_lookup("OBS001"), "retention"));
	assert_true(rules_supports(rules_lookup("OBS001"), "protection"));
	assert_false(rules_supports(rules_lookup("OBS001"), "availability"));
}

static void test_registry_listing(void **state)
{
	(void)state;
	size_t n;
	const rule_info *r = rules_registry(&n);
	buf text;
	buf_init(&text, 0);
	assert_true(rules_registry_write(false, &text));
	/* one line a rule, the first and the last included */
	size_t lines = 0;
	for (const char *p = buf_cstr(&text); *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, n);
	assert_non_null(strstr(buf_cstr(&text), "API001  error    api           "));
	char last[16];
	snprintf(last, sizeof(last), "\n%s  ", r[n - 1].id);
	assert_non_null(strstr(buf_cstr(&text), last));
	buf_free(&text);

	buf js;
	buf_init(&js, 0);
	assert_true(rules_registry_write(true, &js));
	assert_int_equal(buf_cstr(&js)[js.len - 1], '\n');
	json_error_t e;
	json_t *a = json_loads(buf_cstr(&js), 0, &e);
	assert_non_null(a);
	assert_int_equal(json_array_size(a), n);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(a, i);
		assert_string_equal(json_string_value(json_object_get(o, "id")), r[i].id);
		assert_string_equal(json_string_value(json_object_get(o, "severity")),
		                    r[i].severity);
		assert_string_equal(json_string_value(json_object_get(o, "family")), r[i].family);
		assert_string_equal(json_string_value(json_object_get(o, "summary")), r[i].summary);
		/* the obligations, split on single spaces, joined back equal */
		json_t *ob = json_object_get(o, "obligations");
		buf joined;
		buf_init(&joined, 0);
		for (size_t k = 0; k < json_array_size(ob); k++) {
			const char *w = json_string_value(json_array_get(ob, k));
			assert_true(*w && !strchr(w, ' '));
			buf_addf(&joined, "%s%s", k ? " " : "", w);
		}
		assert_string_equal(buf_cstr(&joined), r[i].obligations);
		buf_free(&joined);
	}
	/* DAT004 has two */
	const rule_info *d = rules_lookup("DAT004");
	json_t *dj = json_array_get(a, (size_t)(d - r));
	json_t *dob = json_object_get(dj, "obligations");
	assert_int_equal(json_array_size(dob), 2);
	assert_string_equal(json_string_value(json_array_get(dob, 0)), "protection");
	assert_string_equal(json_string_value(json_array_get(dob, 1)), "availability");
	json_decref(a);
	buf_free(&js);
}

/* ---- model/findings.c ------------------------------------------------------ */

static void test_findings_sort_and_count(void **state)
{
	(void)state;
	findings f;
	findings_init(&f);
	findings_sort(&f); /* empty */
	findings_add(&f, "ZZZ002", SEV_INFO, NULL, NULL, "i");
	findings_sort(&f); /* one */
	assert_string_equal(f.v[0].rule, "ZZZ002");
	findings_add(&f, "BBB001", SEV_WARNING, "b", "", "w1");
	findings_add(&f, "AAA001", SEV_WARNING, "b", "", "w0");
	findings_add(&f, "AAA001", SEV_WARNING, "a", "", "w-a");
	findings_add(&f, "CCC001", SEV_ERROR, "", "", "e-late");
	findings_add(&f, "DDD001", SEV_ERROR, "", "", "e-early");
	findings_add(&f, "AAA000", SEV_ERROR, "", "", "e-latest");
	findings_set_position(&f, 4, "t.yml", 9, 2);
	findings_set_position(&f, 5, "t.yml", 3, 1);
	findings_set_position(&f, 6, "t.yml", 10, 1);
	findings_set_position(&f, 7, "t.yml", 1, 1); /* past the end: ignored */
	findings_set_position(&f, 0, NULL, 1, 1);    /* no file: ignored */
	assert_null(f.v[0].file);
	assert_int_equal(findings_count(&f, SEV_ERROR), 3);
	assert_int_equal(findings_count(&f, SEV_WARNING), 3);
	assert_int_equal(findings_count(&f, SEV_INFO), 1);
	findings_sort(&f);
	const char *order[] = {"e-early", "e-late", "e-latest", "w-a", "w0", "w1", "i"};
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(f.v[i].message, order[i]);
	assert_int_equal(f.v[0].line, 3);
	assert_int_equal(f.v[1].line, 9);
	assert_int_equal(f.v[1].col, 2);
	findings_free(&f);
	assert_int_equal(f.n, 0);
}

static void test_findings_text(void **state)
{
	(void)state;
	findings f;
	findings_init(&f);
	findings_add(&f, "AAA001", SEV_ERROR, "x", "do y", "m %d", 1);
	findings_add(&f, "AAA002", SEV_WARNING, "", "", "m2");
	findings_add(&f, "AAA003", SEV_INFO, NULL, NULL, "m3");
	findings_set_position(&f, 1, "f.yml", 4, 5);
	findings_set_position(&f, 2, "g.yml", 0, 0);
	buf out;
	buf_init(&out, 0);
	findings_format_text(&f, &out);
	assert_string_equal(buf_cstr(&out), "error AAA001 [x] m 1 (fix: do y)\n"
	                                    "f.yml:4:5: warning AAA002 m2\n"
	                                    "g.yml: info AAA003 m3\n"
	                                    "1 error(s), 1 warning(s), 1 info\n");
	buf_free(&out);
	assert_string_equal(severity_name(SEV_ERROR), "error");
	assert_string_equal(severity_name(SEV_WARNING), "warning");
	assert_string_equal(severity_name(SEV_INFO), "info");
	findings_free(&f);
}

static void test_findings_json(void **state)
{
	(void)state;
	findings f;
	findings_init(&f);
	findings_add(&f, "DAT004", SEV_ERROR, "x", "h", "m");
	findings_add(&f, "cfn-lint:E3012", SEV_WARNING, "", "", "w");
	findings_add(&f, "AAA003", SEV_INFO, NULL, NULL, "i");
	findings_add(&f, "AAA004", SEV_INFO, NULL, NULL, "i2");
	findings_set_position(&f, 1, "f.yml", 4, 5);
	buf out;
	buf_init(&out, 0);
	assert_true(findings_format_json(&f, &out));
	json_error_t e;
	json_t *root = json_loads(buf_cstr(&out), 0, &e);
	assert_non_null(root);
	assert_int_equal(json_integer_value(json_object_get(root, "errors")), 1);
	assert_int_equal(json_integer_value(json_object_get(root, "warnings")), 1);
	assert_int_equal(json_integer_value(json_object_get(root, "info")), 2);
	json_t *arr = json_object_get(root, "findings");
	assert_int_equal(json_array_size(arr), 4);
	json_t *a = json_array_get(arr, 0), *b = json_array_get(arr, 1);
	assert_string_equal(json_string_value(json_object_get(a, "id")), "DAT004");
	assert_string_equal(json_string_value(json_object_get(a, "severity")), "error");
	assert_string_equal(json_string_value(json_object_get(a, "family")), "data");
	assert_null(json_object_get(a, "file"));
	assert_null(json_object_get(b, "family"));
	assert_string_equal(json_string_value(json_object_get(b, "file")), "f.yml");
	assert_int_equal(json_integer_value(json_object_get(b, "line")), 4);
	assert_int_equal(json_integer_value(json_object_get(b, "column")), 5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 2), "severity")),
	                    "info");
	json_decref(root);
	buf_free(&out);
	findings_free(&f);
}

/* ---- model/companion.c ----------------------------------------------------- */

/* tests/fixtures/deploy-pair: OriginName is a plain string for the model,
 * WorkQueueUrl a Ref only AWS resolves */
static void test_companion_model(void **state)
{
	(void)state;
	char *dir = tu_fixture("deploy-pair");
	lms_error err = {0};
	catalog *cat = catalog_load(dir, &err);
	free(dir);
	assert_non_null(cat);
	const cat_companion *comp = catalog_companion(cat, "edge");
	assert_non_null(comp);
	catalog *ccat = catalog_load_companion(cat, comp, &err);
	assert_non_null(ccat);
	model *m = model_new_from_catalog(cat, "staging", &err);
	assert_non_null(m);
	assert_true(model_set(m, "stack", "lms-pair"));
	assert_true(model_set(m, "suffix", "prx"));
	model *cm = companion_model(cat, m, comp, ccat, &err);
	assert_non_null(cm);
	assert_string_equal(model_get(cm, "stack"), "lms-pair-edge");
	assert_string_equal(model_get(cm, "region"), "us-east-1");
	assert_string_equal(model_get(cm, "suffix"), "prx");
	assert_string_equal(model_get(cm, "environment"), "staging");
	assert_string_equal(model_param_value(cm, ccat, "OriginDomain"), "origin-prx.example.org");
	assert_string_equal(model_param_value(cm, ccat, "QueueUrl"), "none");
	model_free(cm);
	model_free(m);
	/* a model file with no stack and no suffix: lms-edge, the companion's default suffix */
	char path[] = "/tmp/lmsctl-companion-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "environment: prod\n", 18), 18);
	close(fd);
	m = model_load(path, &err);
	unlink(path);
	assert_non_null(m);
	assert_null(model_get(m, "stack"));
	cm = companion_model(cat, m, comp, ccat, &err);
	assert_non_null(cm);
	assert_string_equal(model_get(cm, "stack"), "lms-edge");
	assert_string_equal(model_get(cm, "environment"), "prod");
	model_free(cm);
	model_free(m);
	catalog_free(ccat);
	/* the companion's first parameter takes an output too */
	char cdir[] = "/tmp/lmsctl-companion-cat-XXXXXX";
	assert_non_null(mkdtemp(cdir));
	static const char *const files[][2] = {
	    {"catalog.yml", "Description: c\nFragments: [c.yml]\n"},
	    {"c.yml", "Metadata:\n  AWS::CloudFormation::Interface:\n    ParameterGroups:\n"
	              "      - Label: {default: G}\n"
	              "        Parameters: [OriginDomain, EnvironmentSuffix]\n"
	              "  LmsCtl::FromStackOutputs:\n    OriginDomain: OriginName\n"
	              "Parameters:\n"
	              "  OriginDomain: {Type: String, Description: o, Default: origin.invalid}\n"
	              "  EnvironmentSuffix: {Type: String, Description: s, Default: dev}\n"
	              "Resources:\n  Q: {Type: AWS::SQS::Queue}\n"}};
	for (size_t i = 0; i < 2; i++) {
		char p[128];
		snprintf(p, sizeof p, "%s/%s", cdir, files[i][0]);
		FILE *fp = fopen(p, "w");
		assert_non_null(fp);
		fputs(files[i][1], fp);
		fclose(fp);
	}
	ccat = catalog_load(cdir, &err);
	if (!ccat)
		fail_msg("%s", err.msg);
	m = model_new_from_catalog(cat, "staging", &err);
	assert_true(model_set(m, "suffix", "prx"));
	cm = companion_model(cat, m, comp, ccat, &err);
	assert_non_null(cm);
	assert_string_equal(model_param_value(cm, ccat, "OriginDomain"), "origin-prx.example.org");
	model_free(cm);
	model_free(m);
	catalog_free(ccat);
	for (size_t i = 0; i < 2; i++) {
		char p[128];
		snprintf(p, sizeof p, "%s/%s", cdir, files[i][0]);
		unlink(p);
	}
	rmdir(cdir);
	catalog_free(cat);
}

/* ---- model/network.c: the CIDR arithmetic ---------------------------------- */

static void test_cidr4_parse_edges(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		bool ok, zero;
		uint32_t addr;
		unsigned prefix;
	} cases[] = {
	    {"10.0.0.0/8", true, true, 0x0A000000u, 8},
	    {"0.0.0.0/0", true, true, 0, 0},
	    {"255.255.255.255/32", true, true, 0xFFFFFFFFu, 32},
	    {"255.255.255.255/0", true, false, 0, 0},
	    {"10.0.0.1/31", true, false, 0x0A000000u, 31},
	    {"10.0.0.1/32", true, true, 0x0A000001u, 32},
	    {"10.0.0.128/25", true, true, 0x0A000080u, 25},
	    {"10.0.0.128/24", true, false, 0x0A000000u, 24},
	    {"9.9.9.9/32", true, true, 0x09090909u, 32},
	    {"256.0.0.0/8", false, false, 0, 0},
	    {"10.256.0.0/16", false, false, 0, 0},
	    {"10.0.0.0/33", false, false, 0, 0},
	    {"10.0.0.0/032", false, false, 0, 0},
	    {"010.0.0.0/8", false, false, 0, 0},
	    {"10.00.0.0/16", false, false, 0, 0},
	    {"1000.0.0.0/8", false, false, 0, 0},
	    {"10.0.0.0/8x", false, false, 0, 0},
	    {"10.0.0.0/", false, false, 0, 0},
	    {"10.0.0.0", false, false, 0, 0},
	    {"10.0.0/8", false, false, 0, 0},
	    {"10.0.0.0.0/8", false, false, 0, 0},
	    {"10,0.0.0/8", false, false, 0, 0},
	    {"10.0.0.0-8", false, false, 0, 0},
	    {"a.0.0.0/8", false, false, 0, 0},
	    {"/8", false, false, 0, 0},
	    {"10.0.0.:/8", false, false, 0, 0},
	    {"10.0.0.//8", false, false, 0, 0},
	    {"", false, false, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		cidr4 c = {0, 0};
		bool zero = !cases[i].zero;
		bool ok = cidr4_parse(cases[i].text, &c, &zero);
		if (ok != cases[i].ok)
			fail_msg("%s: parsed %d", cases[i].text, ok);
		if (!ok)
			continue;
		if (zero != cases[i].zero || c.addr != cases[i].addr || c.prefix != cases[i].prefix)
			fail_msg("%s: zero %d addr %08x prefix %u", cases[i].text, zero, c.addr,
			         c.prefix);
		/* without the host-bits flag */
		assert_true(cidr4_parse(cases[i].text, &c, NULL));
	}
}

static void test_cidr4_contains_size(void **state)
{
	(void)state;
	cidr4 a, b;
	assert_true(cidr4_parse("10.0.0.0/8", &a, NULL));
	assert_true(cidr4_parse("10.0.0.0/8", &b, NULL));
	assert_true(cidr4_contains(a, b)); /* equal blocks */
	assert_true(cidr4_parse("10.0.0.0/7", &b, NULL));
	assert_false(cidr4_contains(a, b)); /* a larger one */
	assert_true(cidr4_contains(b, a));
	assert_true(cidr4_overlap(a, b));
	assert_true(cidr4_overlap(b, a));
	assert_true(cidr4_parse("10.255.255.255/32", &b, NULL));
	assert_true(cidr4_contains(a, b));
	assert_true(cidr4_parse("11.0.0.0/32", &b, NULL));
	assert_false(cidr4_contains(a, b));
	assert_false(cidr4_overlap(a, b));
	assert_true(cidr4_parse("9.255.255.255/32", &b, NULL));
	assert_false(cidr4_contains(a, b));
	assert_true(cidr4_parse("0.0.0.0/0", &b, NULL));
	assert_true(cidr4_contains(b, a));
	assert_false(cidr4_contains(a, b));
	assert_true(cidr4_parse("255.255.255.255/32", &a, NULL));
	assert_true(cidr4_contains(b, a));
	assert_true(cidr4_parse("255.255.255.254/32", &b, NULL));
	assert_false(cidr4_contains(a, b));
	assert_false(cidr4_contains(b, a));
	assert_int_equal(cidr4_size(a), 1);
	assert_true(cidr4_parse("10.0.0.0/31", &a, NULL));
	assert_int_equal(cidr4_size(a), 2);
	assert_true(cidr4_parse("10.0.0.0/28", &a, NULL));
	assert_int_equal(cidr4_size(a), 16);
	assert_true(cidr4_parse("0.0.0.0/0", &a, NULL));
	assert_true(cidr4_size(a) == UINT64_C(4294967296));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prod_gates_exact),
	    cmocka_unit_test(test_supports_whole_words),
	    cmocka_unit_test(test_registry_listing),
	    cmocka_unit_test(test_findings_sort_and_count),
	    cmocka_unit_test(test_findings_text),
	    cmocka_unit_test(test_findings_json),
	    cmocka_unit_test(test_companion_model),
	    cmocka_unit_test(test_cidr4_parse_edges),
	    cmocka_unit_test(test_cidr4_contains_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
