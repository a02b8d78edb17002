/* institutions: the model's `institutions:` list (lmsctl-model(5)), its
 * load errors, the API001-API004 findings at each edge, and the
 * per-institution resources the assembler generates from it into the real
 * catalog (a plan, a secret, a rotation, a cleanup, a reader policy). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model/assemble.h"
#include "model/catalog.h"
#include "model/findings.h"
#include "model/institutions.h"
#include "model/model.h"
#include "model/validate.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static const char head[] = "stack: lms-dev\nregion: eu-west-1\nenvironment: dev\nsuffix: dev\n";

/* The model of `head` followed by `tail`, loaded from a temporary file;
 * NULL with the error's message in `why` (owned by the caller). */
static model *load(const char *tail, char **why)
{
	char dir[] = "/tmp/lmsctl-inst-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = tu_join(dir, "m.yml");
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(head, fp);
	fputs(tail, fp);
	fclose(fp);
	lms_error err = {0};
	model *m = model_load(path, &err);
	if (why)
		*why = m ? NULL : lms_error_format(&err);
	lms_error_clear(&err);
	unlink(path);
	rmdir(dir);
	free(path);
	return m;
}

static catalog *templates(void)
{
	lms_error err = {0};
	catalog *cat = catalog_load(tu_templates_dir(), &err);
	assert_non_null(cat);
	return cat;
}

/* The findings of rule `rule` (NULL: every API rule) for the model `tail`. */
static size_t count_findings(const char *tail, const char *rule, severity *sev, char **msg)
{
	model *m = load(tail, NULL);
	assert_non_null(m);
	catalog *cat = templates();
	findings f;
	findings_init(&f);
	validate_model(cat, m, &f);
	size_t n = 0;
	for (size_t i = 0; i < f.n; i++) {
		if (rule ? strcmp(f.v[i].rule, rule) != 0 : strncmp(f.v[i].rule, "API", 3) != 0)
			continue;
		if (sev)
			*sev = f.v[i].sev;
		if (msg && !*msg)
			*msg = strdup(f.v[i].message);
		n++;
	}
	findings_free(&f);
	catalog_free(cat);
	model_free(m);
	return n;
}

static size_t api_findings(const char *tail)
{
	return count_findings(tail, NULL, NULL, NULL);
}

/* ---- loading -------------------------------------------------------------------------------- */

static void test_loads_the_list(void **state)
{
	(void)state;
	model *m = load("institutions:\n"
	                "  - name: nus\n"
	                "    rate: 2000\n"
	                "    burst: 3000\n"
	                "    quota: 5000000\n"
	                "    principal: arn:aws:iam::123456789012:role/nus-lms\n"
	                "  - {name: ntu, rate: 500, burst: 500}\n"
	                "parameters:\n  VpcCidr: 10.40.0.0/16\n",
	                NULL);
	assert_non_null(m);
	assert_int_equal(m->ninst, 2);
	assert_string_equal(m->inst[0].name, "nus");
	assert_string_equal(m->inst[0].rate, "2000");
	assert_string_equal(m->inst[0].burst, "3000");
	assert_string_equal(m->inst[0].quota, "5000000");
	assert_string_equal(m->inst[0].principal, "arn:aws:iam::123456789012:role/nus-lms");
	assert_int_equal(m->inst[0].line, 6);
	assert_string_equal(m->inst[1].name, "ntu");
	assert_null(m->inst[1].quota);
	assert_null(m->inst[1].principal);
	assert_string_equal(model_get(m, "VpcCidr"), "10.40.0.0/16");
	assert_int_equal(m->nunknown, 0); /* a key of the format, not MDL001 */
	model_free(m);
	/* empty: none */
	m = load("institutions:\n", NULL);
	assert_non_null(m);
	assert_int_equal(m->ninst, 0);
	model_free(m);
}

static void test_load_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *says, *at; /* the position after the 4 lines of head */
	} cases[] = {
	    {"institutions: nus\n", "list", ":5:"},
	    {"institutions:\n  nus: 1\n", "list", ":6:"},
	    {"institutions:\n  - nus\n", "mapping", ":6:"},
	    {"institutions:\n  - name: nus\n    colour: blue\n", "colour", ":7:"},
	    {"institutions:\n  - name: [nus]\n", "single value", ":6:"},
	    {"institutions:\n  - name: nus\n    rate: {a: 1}\n", "single value", ":7:"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *why = NULL;
		model *m = load(cases[i].text, &why);
		if (m)
			fail_msg("loaded: %s", cases[i].text);
		assert_non_null(why);
		if (!strstr(why, cases[i].says))
			fail_msg("'%s' does not say '%s'", why, cases[i].says);
		if (!strstr(why, cases[i].at))
			fail_msg("'%s' is not at %s", why, cases[i].at);
		free(why);
	}
}

/* ---- findings ------------------------------------------------------------------------------- */

#define ONE(fields) "institutions:\n  - {" fields "}\n"

static void test_valid_institutions_have_no_findings(void **state)
{
	(void)state;
	assert_int_equal(api_findings(""), 0);
	assert_int_equal(api_findings(ONE("name: nus, rate: 2000, burst: 2000")), 0);
	assert_int_equal(api_findings("institutions:\n"
	                              "  - {name: nus, rate: 1, burst: 1, quota: 1}\n"
	                              "  - {name: ntu, rate: 9000, burst: 5000}\n"
	                              "  - {name: smu-law2, rate: 10, burst: 20, principal: "
	                              "'arn:aws:iam::123456789012:role/smu/lms-reader'}\n"),
	                 0);
}

static void test_names(void **state)
{
	(void)state;
	/* lower-case letters and digits in hyphen-separated words, each
	 * starting with a letter (so two names never give one logical id),
	 * 1 to 24 characters */
	assert_int_equal(count_findings(ONE("name: a, rate: 1, burst: 1"), "API001", NULL, NULL),
	                 0);
	assert_int_equal(count_findings(ONE("name: abcdefghijklmnopqrstuvwx, rate: 1, burst: 1"),
	                                "API001", NULL, NULL),
	                 0);
	static const char *const bad[] = {
	    ONE("name: abcdefghijklmnopqrstuvwxy, rate: 1, burst: 1"), /* 25 */
	    ONE("name: NUS, rate: 1, burst: 1"),
	    ONE("name: a-1, rate: 1, burst: 1"),
	    ONE("name: 1a, rate: 1, burst: 1"),
	    ONE("name: a--b, rate: 1, burst: 1"),
	    ONE("name: a-, rate: 1, burst: 1"),
	    ONE("name: a_b, rate: 1, burst: 1"),
	    ONE("name: '', rate: 1, burst: 1"),
	    ONE("rate: 1, burst: 1"),
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		severity sev = SEV_INFO;
		if (count_findings(bad[i], "API001", &sev, NULL) != 1)
			fail_msg("no API001 for %s", bad[i]);
		assert_int_equal(sev, SEV_ERROR);
	}
}

static void test_duplicates(void **state)
{
	(void)state;
	char *msg = NULL;
	assert_int_equal(count_findings("institutions:\n"
	                                "  - {name: nus, rate: 1, burst: 1}\n"
	                                "  - {name: nus, rate: 2, burst: 2}\n",
	                                "API002", NULL, &msg),
	                 1);
	assert_non_null(strstr(msg, "line 6"));
	free(msg);
	/* a near name is another institution */
	assert_int_equal(count_findings("institutions:\n"
	                                "  - {name: nus, rate: 1, burst: 1}\n"
	                                "  - {name: nus1, rate: 1, burst: 1}\n",
	                                "API002", NULL, NULL),
	                 0);
}

static void test_limits(void **state)
{
	(void)state;
	static const struct {
		const char *fields;
		size_t n;
	} cases[] = {
	    {"name: a, rate: 1, burst: 1", 0},
	    {"name: a, rate: 0, burst: 1", 1},
	    {"name: a, rate: 10000, burst: 5000", 0},
	    {"name: a, rate: 10001, burst: 5000", 1},
	    {"name: a, rate: 1, burst: 0", 1},
	    {"name: a, rate: 1, burst: 5001", 1},
	    {"name: a, rate: 1.5, burst: 2", 1},
	    {"name: a, rate: x, burst: 2", 1},
	    {"name: a, burst: 2", 1},
	    {"name: a, rate: 2", 1},
	    {"name: a, rate: 1, burst: 1, quota: 0", 1},
	    {"name: a, rate: 1, burst: 1, quota: 1000000000", 0},
	    {"name: a, rate: 1, burst: 1, quota: 1000000001", 1},
	    {"name: a, rate: 1, burst: 1, principal: 'arn:aws:iam::123456789012:role/r'", 0},
	    {"name: a, rate: 1, burst: 1, principal: 'arn:aws:iam::12345678901:role/r'", 1},
	    {"name: a, rate: 1, burst: 1, principal: '123456789012'", 1},
	    {"name: a, rate: 1, burst: 1, principal: 'arn:aws:iam::123456789012:user/u'", 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), "institutions:\n  - {%s}\n", cases[i].fields);
		size_t n = count_findings(text, "API003", NULL, NULL);
		if (n != cases[i].n)
			fail_msg("%s: %zu API003 findings, expected %zu", cases[i].fields, n,
			         cases[i].n);
	}
}

/* The name check character by character (each range's ends and the
 * characters next to them), the logical id, what makes an institution
 * usable, the duplicate's line and the keys exactly. */
static void test_name_and_usable_edges(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		bool ok;
	} names[] = {
	    {"a", true},
	    {"z", true},
	    {"`", false},
	    {"{", false},
	    {"az09", true},
	    {"a0", true},
	    {"a9", true},
	    {"a/", false},
	    {"a:", false},
	    {"a-z", true},
	    {"a-a", true},
	    {"a-`", false},
	    {"a-{", false},
	    {"a-0", false},
	    {"-a", false},
	    {"A", false},
	    {"aZ", false},
	    {"a-", false},
	    {"", false},
	    {NULL, false},
	    {"abcdefghijklmnopqrstuvwx", true},
	    {"abcdefghijklmnopqrstuvwxy", false},
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (institution_name_ok(names[i].name) != names[i].ok)
			fail_msg("name '%s': expected %d", names[i].name ? names[i].name : "(null)",
			         names[i].ok);

	buf id;
	buf_init(&id, 0);
	institution_logical_id("smu-law2-x", &id);
	assert_string_equal(buf_cstr(&id), "SmuLaw2X");
	buf_free(&id);
	buf_init(&id, 0);
	institution_logical_id("a", &id);
	assert_string_equal(buf_cstr(&id), "A");
	buf_free(&id);
	/* each end of the lower-case range is raised, the next characters are not */
	buf_init(&id, 0);
	institution_logical_id("z-a9-`x-{y", &id);
	assert_string_equal(buf_cstr(&id), "ZA9`x{y");
	buf_free(&id);

	model_institution v[] = {
	    {"nus", "1", "1", NULL, NULL, 1, 1},
	    {"nus", "1", "1", NULL, NULL, 2, 1},
	    {"ntu", "10000", "5000", "1000000000", "arn:aws:iam::123456789012:role/r", 3, 1},
	    {"smu", "10001", "1", NULL, NULL, 4, 1},
	    {"smu2", "1", "5001", NULL, NULL, 5, 1},
	    {"smu3", "1", "1", "1000000001", NULL, 6, 1},
	    {"smu4", "1", "1", NULL, "arn:aws:iam::123456789012:user/u", 7, 1},
	    {"Smu5", "1", "1", NULL, NULL, 8, 1},
	    {"smu6", NULL, "1", NULL, NULL, 9, 1},
	    {"smu7", "1", NULL, NULL, NULL, 10, 1},
	    {"smu8", "0", "1", NULL, NULL, 11, 1},
	    {"smu9", "1", "1", "0", NULL, 12, 1},
	    {"sm", "1", "1", "1", "arn:aws-cn:iam::123456789012:role/a/b", 13, 1},
	};
	const bool usable[] = {true,  false, true,  false, false, false, false,
	                       false, false, false, false, false, true};
	size_t n = sizeof v / sizeof *v;
	for (size_t i = 0; i < n; i++)
		if (institution_usable(v, n, i) != usable[i])
			fail_msg("institution %zu (%s): usable expected %d", i, v[i].name,
			         usable[i]);
	assert_false(institution_usable(v, 1, 1)); /* past the end */
	/* past the end, where the array holds a usable entry (ntu after nus): only
	 * n says no */
	assert_true(institution_usable(&v[1], 2, 1));
	assert_false(institution_usable(&v[1], 1, 1));
}

static void test_duplicate_names_its_first_entry(void **state)
{
	(void)state;
	/* a longer name before it is another institution: the line is the same name's */
	char *msg = NULL;
	assert_int_equal(count_findings("institutions:\n"
	                                "  - {name: nus1, rate: 1, burst: 1}\n"
	                                "  - {name: nus, rate: 1, burst: 1}\n"
	                                "  - {name: nus, rate: 2, burst: 2}\n",
	                                "API002", NULL, &msg),
	                 1);
	assert_non_null(strstr(msg, "already listed at line 7"));
	free(msg);
}

static void test_keys_exactly(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "institutions:\n  - {nam: a, rate: 1, burst: 1}\n",
	    "institutions:\n  - {names: a, rate: 1, burst: 1}\n",
	    "institutions:\n  - {name: a, rates: 1, burst: 1}\n",
	    "institutions:\n  - {name: a, rate: 1, burst: 1, principals: x}\n",
	    "institutions:\n  - {name: a, rate: !!str 1, burst: 1}\n",
	    "institutions:\n  - {name: \"a\\nb\", rate: 1, burst: 1}\n",
	    "institutions:\n  - {name: \"a\\0b\", rate: 1, burst: 1}\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *why = NULL;
		model *m = load(bad[i], &why);
		if (m)
			fail_msg("loaded: %s", bad[i]);
		free(why);
	}
	/* each known key, and a null value read as empty */
	model *m = load("institutions:\n  - {name: a, rate: 1, burst: 2, quota: 3, principal: p}\n"
	                "  - {name: b, rate: 1, burst: 2, quota: ~}\n"
	                "institutions_extra: 1\n",
	                NULL);
	assert_non_null(m);
	assert_int_equal(m->ninst, 2);
	assert_string_equal(m->inst[0].name, "a");
	assert_string_equal(m->inst[0].rate, "1");
	assert_string_equal(m->inst[0].burst, "2");
	assert_string_equal(m->inst[0].quota, "3");
	assert_string_equal(m->inst[0].principal, "p");
	assert_string_equal(m->inst[1].quota, "");
	assert_null(m->inst[1].principal);
	assert_int_equal(m->inst[0].line, 6);
	assert_int_equal(m->inst[1].line, 7);
	model_free(m);
	/* none: null and an empty list */
	m = load("institutions:\n", NULL);
	assert_non_null(m);
	assert_int_equal(m->ninst, 0);
	model_free(m);
	m = load("institutions: []\n", NULL);
	assert_non_null(m);
	assert_int_equal(m->ninst, 0);
	model_free(m);
}

static void test_sum_of_rates_against_the_account_quota(void **state)
{
	(void)state;
	/* the integration tier's key (ApiIntegrationRateLimit, 20 in dev) counts
	 * too: 9,980 + 20 is the account's 10,000 */
	severity sev = SEV_ERROR;
	char *msg = NULL;
	assert_int_equal(count_findings("institutions:\n"
	                                "  - {name: a, rate: 5000, burst: 5000}\n"
	                                "  - {name: b, rate: 4980, burst: 5000}\n",
	                                "API004", NULL, NULL),
	                 0);
	assert_int_equal(count_findings("institutions:\n"
	                                "  - {name: a, rate: 5000, burst: 5000}\n"
	                                "  - {name: b, rate: 4981, burst: 5000}\n",
	                                "API004", &sev, &msg),
	                 1);
	assert_int_equal(sev, SEV_WARNING);
	assert_non_null(strstr(msg, "10001"));
	assert_non_null(strstr(msg, "L-8A5B8E43"));
	free(msg);
}

/* Each API finding's exact message and position (the institution's item,
 * line and column in the model file; API004 the `institutions:` key),
 * `n` API findings in all; and the rates the API004 sum takes: each valid
 * rate from 1, no out-of-range one. */
static void test_api_messages(void **state)
{
	(void)state;
	static const struct {
		const char *tail, *rule, *message;
		size_t n, line, col;
	} cases[] = {
	    {ONE("name: NUS, rate: 1, burst: 1"), "API001", "institution name 'NUS' is not valid",
	     1, 6, 5},
	    {ONE("rate: 1, burst: 1"), "API001", "institution name '' is not valid", 1, 6, 5},
	    {"institutions:\n  - {name: nus, rate: 1, burst: 1}\n    # x\n"
	     "  - {name: nus, rate: 2, burst: 2}\n",
	     "API002", "institution 'nus' is already listed at line 6", 1, 8, 5},
	    {"institutions:\n  - {rate: 1, burst: 1}\n  - {name: a, rate: 1, burst: 1}\n"
	     "  - {name: a, rate: 1, burst: 1}\n",
	     "API002", "institution 'a' is already listed at line 7", 2, 8, 5},
	    {ONE("name: a, burst: 2"), "API003", "institution 'a' has no rate", 1, 6, 5},
	    {ONE("name: a, rate: 2"), "API003", "institution 'a' has no burst", 1, 6, 5},
	    {ONE("name: a, rate: 0, burst: 2"), "API003", "institution 'a': rate is out of range",
	     1, 6, 5},
	    {ONE("name: a, rate: 1, burst: 5001"), "API003",
	     "institution 'a': burst is out of range", 1, 6, 5},
	    {ONE("name: a, rate: 1, burst: 1, quota: 0"), "API003",
	     "institution 'a': quota is out of range", 1, 6, 5},
	    {"institutions:\n  -   name: a\n      rate: 1\n      burst: 1\n      principal: '1'\n",
	     "API003", "institution 'a': principal '1' is not an IAM role ARN", 1, 6, 7},
	    {"institutions:\n  - {name: a, rate: 5000, burst: 1}\n  - {name: b, rate: 4980, burst: "
	     "1}\n  - {name: c, rate: 1, burst: 1}\n",
	     "API004",
	     "the institutions' and the integration key's rates add up to 10001 requests/s, above "
	     "the account's default quota of 10000 (L-8A5B8E43)",
	     1, 5, 1},
	    {"institutions:\n  - {name: a, rate: 5000, burst: 1}\n  - {name: b, rate: 10001, "
	     "burst: "
	     "1}\n",
	     "API003", "institution 'b': rate is out of range", 1, 7, 5},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		model *m = load(cases[i].tail, NULL);
		assert_non_null(m);
		catalog *cat = templates();
		findings f;
		findings_init(&f);
		validate_model(cat, m, &f);
		size_t n = 0;
		const finding *x = NULL;
		for (size_t k = 0; k < f.n; k++) {
			if (strncmp(f.v[k].rule, "API", 3) != 0)
				continue;
			n++;
			if (strcmp(f.v[k].rule, cases[i].rule) == 0 &&
			    strcmp(f.v[k].message, cases[i].message) == 0)
				x = &f.v[k];
		}
		if (n != cases[i].n || !x || !x->file || x->line != cases[i].line ||
		    x->col != cases[i].col || strcmp(x->field, "institutions") != 0) {
			for (size_t k = 0; k < f.n; k++)
				if (strncmp(f.v[k].rule, "API", 3) == 0)
					print_message("  %s %zu:%zu %s\n", f.v[k].rule, f.v[k].line,
					              f.v[k].col, f.v[k].message);
			fail_msg("case %zu: %s", i, cases[i].message);
		}
		findings_free(&f);
		catalog_free(cat);
		model_free(m);
	}
	/* a key that is no scalar is named '?' */
	char *why = NULL;
	model *m = load("institutions:\n  - {[a]: 1}\n", &why);
	assert_null(m);
	assert_non_null(strstr(why, ":6:6: unknown institution key '?'"));
	free(why);
}

/* ---- the generated resources ---------------------------------------------------------------- */

typedef struct mc {
	const model *m;
	const catalog *cat;
} mc;

static const char *value_of(void *ctx, const char *param)
{
	const mc *x = ctx;
	return model_param_value(x->m, x->cat, param);
}

static void test_generated_resources(void **state)
{
	(void)state;
	model *m = load("institutions:\n"
	                "  - {name: nus, rate: 2000, burst: 3000, quota: 5000000, principal: "
	                "'arn:aws:iam::123456789012:role/nus-lms'}\n"
	                "  - {name: smu-law, rate: 100, burst: 200}\n"
	                "  - {name: BAD, rate: 100, burst: 200}\n",
	                NULL);
	assert_non_null(m);
	catalog *cat = templates();
	size_t nfrags = cat->nfrags;
	lms_error err = {0};
	assert_true(assemble_add_institutions(cat, m, &err));
	assert_int_equal(cat->nfrags, nfrags + 1);
	static const char *const ids[] = {
	    "ApiInstitutionNusPlan",        "ApiInstitutionNusKeySecret",
	    "ApiInstitutionNusKeyPolicy",   "ApiInstitutionNusKeyRotationPermission",
	    "ApiInstitutionNusKeyRotation", "ApiInstitutionNusKeyCleanup",
	    "ApiInstitutionNusKeyReaders",  "ApiInstitutionSmuLawPlan",
	    "ApiInstitutionSmuLawKeySecret"};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (!catalog_entry(cat, SEC_RESOURCES, ids[i]))
			fail_msg("no resource %s", ids[i]);
	/* no principal: no reader policy; an invalid institution: nothing */
	assert_null(catalog_entry(cat, SEC_RESOURCES, "ApiInstitutionSmuLawKeyReaders"));
	assert_null(catalog_entry(cat, SEC_RESOURCES, "ApiInstitutionBADPlan"));
	assert_non_null(catalog_entry(cat, SEC_OUTPUTS, "ApiInstitutionNusKeySecretArn"));
	buf out;
	buf_init(&out, 0);
	mc x = {m, cat};
	assert_true(assemble_template(cat, value_of, &x, &out, &err));
	const char *t = buf_cstr(&out);
	assert_non_null(strstr(t, "UsagePlanName: !Sub 'lms-inst-nus-${EnvironmentSuffix}'"));
	assert_non_null(strstr(t, "RateLimit: 2000\n"));
	assert_non_null(strstr(t, "BurstLimit: 3000\n"));
	assert_non_null(strstr(t, "Limit: 5000000\n"));
	assert_non_null(strstr(t, "Name: !Sub 'lms-api-key-inst-smu-law-${EnvironmentSuffix}'"));
	assert_non_null(strstr(t, "AWS: arn:aws:iam::123456789012:role/nus-lms\n"));
	buf_free(&out);
	catalog_free(cat);
	model_free(m);

	/* none: nothing added */
	m = load("", NULL);
	cat = templates();
	assert_true(assemble_add_institutions(cat, m, &err));
	assert_int_equal(cat->nfrags, nfrags);
	catalog_free(cat);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_name_and_usable_edges),
	    cmocka_unit_test(test_duplicate_names_its_first_entry),
	    cmocka_unit_test(test_keys_exactly),
	    cmocka_unit_test(test_api_messages),
	    cmocka_unit_test(test_loads_the_list),
	    cmocka_unit_test(test_load_errors),
	    cmocka_unit_test(test_valid_institutions_have_no_findings),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_duplicates),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_sum_of_rates_against_the_account_quota),
	    cmocka_unit_test(test_generated_resources),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
