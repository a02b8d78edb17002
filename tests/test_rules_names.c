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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_suffix_hyphens),
	    cmocka_unit_test(test_length_limits),
	    cmocka_unit_test(test_lower_case_and_types),
	    cmocka_unit_test(test_suffix_in_the_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
