/* Name rules NAM001-NAM003 (model/names.c) at their edges on a tiny
 * catalog: the suffix's hyphens, each length limit on both sides for the
 * model's suffix and for the longest one allowed, upper case, the suffix in
 * the name, the types exactly. */
#define _GNU_SOURCE
#include "model/catalog.h"
#include "model/model.h"
#include "model/validate.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static const char env_fragment[] = "Metadata:\n"
                                   "  AWS::CloudFormation::Interface:\n"
                                   "    ParameterGroups:\n"
                                   "      - Label: {default: Environment}\n"
                                   "        Parameters: [Environment, EnvironmentSuffix]\n"
                                   "Parameters:\n"
                                   "  Environment:\n"
                                   "    Type: String\n"
                                   "    Description: kind\n"
                                   "    Default: dev\n"
                                   "  EnvironmentSuffix:\n"
                                   "    Type: String\n"
                                   "    Description: suffix\n"
                                   "    Default: dev\n"
                                   "    MaxLength: 12\n";

#include "tests/rulefixture.h"

/* A role (64 characters, any case) named `name`, for a model of suffix `suffix`. */
static void run_role(fixture *fx, const char *name, const char *suffix)
{
	char text[512];
	snprintf(text, sizeof text,
	         "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
	         "      RoleName: %s\n      AssumeRolePolicyDocument: {}\n",
	         name);
	run_with(fx, text, "dev", NULL, NULL, NULL);
	/* the model's suffix, validated again */
	findings_free(&fx->f);
	assert_true(model_set(fx->m, "suffix", suffix));
	findings_init(&fx->f);
	validate_model(fx->cat, fx->m, &fx->f);
}

static size_t nam(const fixture *fx, const char *rule, severity sev)
{
	return count(fx, rule, sev);
}

static void test_suffix_hyphens(void **state)
{
	(void)state;
	static const struct {
		const char *suffix;
		size_t n;
	} cases[] = {{"a-", 1}, {"a-b", 0}, {"a--b", 1}, {"-a", 0}, {"a", 0}, {"ab-c-d", 0}};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		fixture fx;
		run_role(&fx, "!Sub 'r-${EnvironmentSuffix}'", cases[i].suffix);
		if (nam(&fx, "NAM001", SEV_ERROR) != cases[i].n) {
			dump(&fx);
			fail_msg("suffix '%s': expected %zu NAM001", cases[i].suffix, cases[i].n);
		}
		done(&fx);
	}
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void test_length_limits(void **state)
{
	(void)state;
	/* with the model's suffix: a literal of 64 and 65 characters (the limit is 64) */
	for (size_t len = 63; len <= 65; len++) {
		char *lit = repeat('r', len);
		fixture fx;
		run_role(&fx, lit, "dev");
		if (nam(&fx, "NAM002", SEV_ERROR) != (len > 64)) {
			dump(&fx);
			fail_msg("a %zu-character role name", len);
		}
		/* a literal carries no suffix */
		assert_int_equal(nam(&fx, "NAM003", SEV_WARNING), 1);
		done(&fx);
		free(lit);
	}
	/* with the longest suffix (12): prefix + '-' + 12 = 64 passes, 65 fails */
	for (size_t prefix = 50; prefix <= 52; prefix++) {
		char *p = repeat('r', prefix);
		char name[128];
		snprintf(name, sizeof name, "!Sub '%s-${EnvironmentSuffix}'", p);
		fixture fx;
		run_role(&fx, name, "dev");
		size_t want = prefix + 13 > 64;
		if (nam(&fx, "NAM002", SEV_ERROR) != want ||
		    has_message(&fx, "NAM002", "longest suffix") != (want == 1)) {
			dump(&fx);
			fail_msg("prefix %zu", prefix);
		}
		assert_int_equal(nam(&fx, "NAM003", SEV_WARNING), 0);
		done(&fx);
		free(p);
	}
}

static void test_lower_case_and_types(void **state)
{
	(void)state;
	static const struct {
		const char *type, *prop, *name;
		size_t errors;
	} cases[] = {
	    {"AWS::S3::Bucket", "BucketName", "!Sub 'b-${EnvironmentSuffix}'", 0},
	    {"AWS::S3::Bucket", "BucketName", "!Sub 'bA-${EnvironmentSuffix}'", 1},
	    {"AWS::S3::Bucket", "BucketName", "!Sub 'bZ-${EnvironmentSuffix}'", 1},
	    {"AWS::S3::Bucket", "BucketName", "!Sub 'b@-${EnvironmentSuffix}'", 0},
	    {"AWS::S3::Bucket", "BucketName", "!Sub 'b[-${EnvironmentSuffix}'", 0},
	    {"AWS::S3::Bucket", "BucketName", "!Sub 'AZ-${EnvironmentSuffix}'", 1},
	    {"AWS::S3::BucketX", "BucketName", "!Sub 'AZ-${EnvironmentSuffix}'", 0},
	    {"AWS::S3::Bucket", "BucketNameX", "!Sub 'AZ-${EnvironmentSuffix}'", 0},
	    {"AWS::IAM::Role", "RoleName", "!Sub 'AZ-${EnvironmentSuffix}'", 0},
	    /* the first type of the table (a load balancer's 32 characters) */
	    {"AWS::ElasticLoadBalancingV2::LoadBalancer", "Name",
	     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0},
	    {"AWS::ElasticLoadBalancingV2::LoadBalancer", "Name",
	     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char text[512];
		snprintf(text, sizeof text,
		         "Resources:\n  R:\n    Type: %s\n    Properties:\n"
		         "      %s: %s\n",
		         cases[i].type, cases[i].prop, cases[i].name);
		fixture fx;
		run_with(&fx, text, "dev", NULL, NULL, NULL);
		if (nam(&fx, "NAM002", SEV_ERROR) != cases[i].errors) {
			dump(&fx);
			fail_msg("%s %s %s", cases[i].type, cases[i].prop, cases[i].name);
		}
		done(&fx);
	}
}

static void test_suffix_in_the_name(void **state)
{
	(void)state;
	fixture fx;
	/* a literal that happens to hold the suffix does not carry it */
	run_role(&fx, "r-dev", "dev");
	assert_int_equal(nam(&fx, "NAM003", SEV_WARNING), 1);
	done(&fx);
	/* the model's suffix is already the longest: the name is the same with both */
	run_role(&fx, "!Sub 'r-${EnvironmentSuffix}'", "xxxxxxxxxxxx");
	assert_int_equal(nam(&fx, "NAM003", SEV_WARNING), 0);
	done(&fx);
	run_role(&fx, "!Sub 'r-${EnvironmentSuffix}'", "dev");
	assert_int_equal(nam(&fx, "NAM003", SEV_WARNING), 0);
	done(&fx);
}

/* The first finding of `rule`, or fails. */
static const finding *nam_first(const fixture *fx, const char *rule)
{
	for (size_t i = 0; i < fx->f.n; i++)
		if (strcmp(fx->f.v[i].rule, rule) == 0)
			return &fx->f.v[i];
	dump(fx);
	fail_msg("no %s", rule);
	return NULL;
}

/* Each NAM finding's exact message, field and position: the lengths and
 * the limit it quotes, the name property's node in data.yml (line 5,
 * column 17) where the template must change, no position where the
 * suffix must. A literal name with the longest suffix as the model's
 * suffix carries it; with an empty suffix nothing does. */
static void test_name_messages(void **state)
{
	(void)state;
	fixture fx;
	run_role(&fx, "!Sub 'r-${EnvironmentSuffix}'", "a-");
	const finding *x = nam_first(&fx, "NAM001");
	assert_string_equal(x->message, "suffix 'a-' would end names with a hyphen or put two in a "
	                                "row, which S3 and ElastiCache reject");
	assert_string_equal(x->field, "suffix");
	done(&fx);

	char *lit = repeat('r', 65);
	run_role(&fx, lit, "dev");
	x = nam_first(&fx, "NAM002");
	char want[256];
	snprintf(want, sizeof want, "Role RoleName '%s' is 65 characters; the limit is 64", lit);
	assert_string_equal(x->message, want);
	assert_string_equal(x->field, "suffix");
	assert_null(x->file);
	x = nam_first(&fx, "NAM003");
	assert_string_equal(x->message, "Role RoleName does not carry the environment suffix: two "
	                                "environments in one account would collide");
	assert_string_equal(x->field, "");
	assert_non_null(x->file);
	assert_non_null(strstr(x->file, "/data.yml"));
	assert_int_equal(x->line, 5);
	assert_int_equal(x->col, 17);
	done(&fx);
	free(lit);

	char *p = repeat('r', 52);
	char name[128];
	snprintf(name, sizeof name, "!Sub '%s-${EnvironmentSuffix}'", p);
	run_role(&fx, name, "dev");
	x = nam_first(&fx, "NAM002");
	assert_string_equal(x->message, "Role RoleName would be 65 characters with the longest "
	                                "suffix allowed; the limit is 64");
	assert_string_equal(x->field, "");
	assert_non_null(x->file);
	assert_int_equal(x->line, 5);
	assert_int_equal(x->col, 17);
	done(&fx);
	free(p);

	run_with(&fx,
	         "Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n"
	         "      BucketName: !Sub 'bA-${EnvironmentSuffix}'\n",
	         "dev", NULL, NULL, NULL);
	x = nam_first(&fx, "NAM002");
	assert_string_equal(x->message, "R BucketName 'bA-dev' must be lower case");
	assert_string_equal(x->field, "suffix");
	done(&fx);

	/* a literal holding the longest suffix, the model's suffix that one */
	run_role(&fx, "r-xxxxxxxxxxxx", "xxxxxxxxxxxx");
	assert_int_equal(nam(&fx, "NAM003", SEV_WARNING), 0);
	done(&fx);
	run_role(&fx, "r-xxxxxxxxxxxy", "xxxxxxxxxxxy");
	assert_int_equal(nam(&fx, "NAM003", SEV_WARNING), 1);
	done(&fx);
	run_role(&fx, "r", "");
	assert_int_equal(nam(&fx, "NAM003", SEV_WARNING), 1);
	done(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_suffix_hyphens),       cmocka_unit_test(test_length_limits),
	    cmocka_unit_test(test_lower_case_and_types), cmocka_unit_test(test_suffix_in_the_name),
	    cmocka_unit_test(test_name_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
