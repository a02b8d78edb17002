/* Validation: every rule id the validator emits fires on a model broken in
 * one value and stays quiet on a correct one, against the real templates
 * (LMSCTL_TEMPLATES, else ./templates); findings from a model file carry the
 * field's line; the Java pattern matcher and the CIDR helpers on their own;
 * NAM002/NAM003 against small fixture catalogs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/error.h"
#include "model/catalog.h"
#include "model/findings.h"
#include "model/model.h"
#include "model/rules.h"
#include "model/validate.h"
#include "model/ydoc.h"

#ifndef LMSCTL_SRCDIR
#define LMSCTL_SRCDIR "."
#endif

/* ---- helpers --------------------------------------------------------- */

static catalog *real_cat;

static const char *templates_dir(void)
{
	const char *dir = getenv("LMSCTL_TEMPLATES");
	return dir && *dir ? dir : "templates";
}

static const char *srcdir(void)
{
	const char *dir = getenv("TOP_SRCDIR");
	return dir && *dir ? dir : LMSCTL_SRCDIR;
}

static catalog *load_catalog(const char *dir)
{
	lms_error err = {0};
	catalog *cat = catalog_load(dir, &err);
	if (!cat) {
		char *msg = lms_error_format(&err);
		print_error("catalog_load(%s): %s\n", dir, msg ? msg : "?");
		free(msg);
	}
	lms_error_clear(&err);
	return cat;
}

static int group_setup(void **state)
{
	(void)state;
	real_cat = load_catalog(templates_dir());
	return real_cat ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	catalog_free(real_cat);
	real_cat = NULL;
	return 0;
}

static model *new_model(const catalog *cat, const char *env)
{
	lms_error err = {0};
	model *m = model_new_from_catalog(cat, env, &err);
	assert_non_null(m);
	lms_error_clear(&err);
	return m;
}

/* A model of the real templates for `env` with `key` set to `value` (no
 * change when key is NULL), validated into `f`. */
static void validate_with(const char *env, const char *key, const char *value, findings *f)
{
	model *m = new_model(real_cat, env);
	if (key)
		assert_true(model_set(m, key, value));
	findings_init(f);
	validate_model(real_cat, m, f);
	assert_false(f->oom);
	model_free(m);
}

static void dump_findings(const findings *f)
{
	buf b;
	buf_init(&b, 0);
	findings_format_text(f, &b);
	print_message("%s", buf_cstr(&b));
	buf_free(&b);
}

static const finding *find(const findings *f, const char *id, severity sev, const char *field)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].rule, id) == 0 && f->v[i].sev == sev &&
		    strcmp(f->v[i].field, field) == 0)
			return &f->v[i];
	return NULL;
}

static bool has_finding(const findings *f, const char *id, severity sev, const char *field)
{
	if (find(f, id, sev, field))
		return true;
	print_message("no %s %s [%s] among:\n", severity_name(sev), id, field);
	dump_findings(f);
	return false;
}

static size_t count_rule(const findings *f, const char *id)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		n += strcmp(f->v[i].rule, id) == 0;
	return n;
}

/* Breaks one value of an `env` model and asserts the finding. */
static void expect_finding(const char *env, const char *key, const char *value, const char *id,
                           severity sev, const char *field)
{
	findings f;
	validate_with(env, key, value, &f);
	assert_true(has_finding(&f, id, sev, field));
	findings_free(&f);
}

/* Sets one value of an `env` model and asserts that rule `id` stays quiet. */
static void expect_no_rule(const char *env, const char *key, const char *value, const char *id)
{
	findings f;
	validate_with(env, key, value, &f);
	if (count_rule(&f, id) != 0) {
		print_message("unexpected %s with %s=%s:\n", id, key ? key : "-",
		              value ? value : "-");
		dump_findings(&f);
	}
	assert_int_equal(count_rule(&f, id), 0);
	findings_free(&f);
}

static char *make_temp_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	buf b;
	buf_init(&b, 0);
	buf_addf(&b, "%s/lmsctl-test-validate-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char *dir = buf_take(&b);
	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static char *join(const char *dir, const char *name)
{
	buf b;
	buf_init(&b, 0);
	buf_addf(&b, "%s/%s", dir, name);
	char *p = buf_take(&b);
	assert_non_null(p);
	return p;
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

/* Removes the files `names` (NULL-terminated) in `dir`, then `dir`. */
static void remove_dir(char *dir, const char *const *names)
{
	for (size_t i = 0; names[i]; i++) {
		char *p = join(dir, names[i]);
		unlink(p);
		free(p);
	}
	rmdir(dir);
	free(dir);
}

/* The 1-based line of the first line of `text` that starts with `prefix`. */
static size_t line_of(const char *text, const char *prefix)
{
	size_t line = 1;
	for (const char *p = text; *p; line++) {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			return line;
		const char *nl = strchr(p, '\n');
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

/* ---- whole models ---------------------------------------------------- */

static void test_rule_table_in_id_order(void **state)
{
	(void)state;
	size_t n;
	const validate_rule *r = validate_rules(&n);
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(strlen(r[i].id), 6);
		assert_non_null(r[i].check);
		assert_non_null(r[i].summary);
		if (i)
			assert_true(strcmp(r[i - 1].id, r[i].id) < 0);
	}
}

/* Prod is deployed with a certificate on the internal ALB and an address for the alarms;
 * no default can hold either, so a fresh prod model has exactly those two warnings, the
 * deploy gates of prod (SEC001, OBS008). */
#define TEST_CERTIFICATE                                                                           \
	"arn:aws:acm:eu-west-1:111122223333:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

static void test_fresh_prod_has_no_findings(void **state)
{
	(void)state;
	findings f;
	model *m = new_model(real_cat, "prod");
	assert_true(model_set(m, "AlbCertificateArn", TEST_CERTIFICATE));
	assert_true(model_set(m, "AlarmEmail", "ops@example.com"));
	findings_init(&f);
	validate_model(real_cat, m, &f);
	model_free(m);
	if (findings_count(&f, SEV_ERROR) || findings_count(&f, SEV_WARNING))
		dump_findings(&f);
	assert_int_equal(findings_count(&f, SEV_ERROR), 0);
	assert_int_equal(findings_count(&f, SEV_WARNING), 0);
	findings_free(&f);
	/* without them: warnings (deploy refuses prod), never errors, so that a fresh prod
	 * model validates */
	validate_with("prod", NULL, NULL, &f);
	assert_int_equal(findings_count(&f, SEV_ERROR), 0);
	assert_int_equal(findings_count(&f, SEV_WARNING), 2);
	assert_non_null(find(&f, "SEC001", SEV_WARNING, "AlbCertificateArn"));
	assert_non_null(find(&f, "OBS008", SEV_WARNING, "AlarmEmail"));
	findings_free(&f);
	/* each gate on its own */
	validate_with("prod", "AlarmEmail", "ops@example.com", &f);
	assert_int_equal(findings_count(&f, SEV_WARNING), 1);
	assert_non_null(find(&f, "SEC001", SEV_WARNING, "AlbCertificateArn"));
	findings_free(&f);
	validate_with("prod", "AlbCertificateArn", TEST_CERTIFICATE, &f);
	assert_int_equal(findings_count(&f, SEV_WARNING), 1);
	assert_non_null(find(&f, "OBS008", SEV_WARNING, "AlarmEmail"));
	findings_free(&f);
}

static void test_fresh_staging_has_no_errors(void **state)
{
	(void)state;
	findings f;
	validate_with("staging", NULL, NULL, &f);
	if (findings_count(&f, SEV_ERROR))
		dump_findings(&f);
	assert_int_equal(findings_count(&f, SEV_ERROR), 0);
	findings_free(&f);
}

static void test_dev_single_nat_is_a_warning(void **state)
{
	(void)state;
	findings f;
	validate_with("dev", NULL, NULL, &f);
	assert_int_equal(findings_count(&f, SEV_ERROR), 0);
	assert_int_equal(count_rule(&f, "NET006"), 1);
	assert_true(has_finding(&f, "NET006", SEV_WARNING, "NatGatewayMode"));
	/* an in-memory model has no file to point into */
	assert_null(find(&f, "NET006", SEV_WARNING, "NatGatewayMode")->file);
	findings_free(&f);
}

static void test_prod_single_nat_is_an_error(void **state)
{
	(void)state;
	findings f;
	validate_with("prod", "NatGatewayMode", "single", &f);
	assert_true(has_finding(&f, "NET006", SEV_ERROR, "NatGatewayMode"));
	assert_null(find(&f, "NET006", SEV_WARNING, "NatGatewayMode"));
	assert_true(strlen(find(&f, "NET006", SEV_ERROR, "NatGatewayMode")->hint) > 0);
	findings_free(&f);
	expect_no_rule("prod", "NatGatewayMode", "per-az", "NET006");
	expect_no_rule("dev", "NatGatewayMode", "per-az", "NET006");
}

/* ---- PRM: each value against its declared constraints ---------------- */

static void test_prm001_type(void **state)
{
	(void)state;
	expect_finding("prod", "FlowLogRetentionDays", "ninety", "PRM001", SEV_ERROR,
	               "FlowLogRetentionDays");
	expect_finding("prod", "KeyDeletionWindowDays", "0x10", "PRM001", SEV_ERROR,
	               "KeyDeletionWindowDays");
	expect_finding("prod", "KeyDeletionWindowDays", " 10", "PRM001", SEV_ERROR,
	               "KeyDeletionWindowDays");
	expect_finding("prod", "KeyDeletionWindowDays", "nan", "PRM001", SEV_ERROR,
	               "KeyDeletionWindowDays");
	expect_finding("prod", "KeyDeletionWindowDays", "1e999", "PRM001", SEV_ERROR,
	               "KeyDeletionWindowDays");
	/* a parameter value is one line */
	expect_finding("prod", "DatabaseName", "lms\nx", "PRM001", SEV_ERROR, "DatabaseName");
	expect_no_rule("prod", "FlowLogRetentionDays", "365", "PRM001");
	expect_no_rule("prod", "KeyDeletionWindowDays", "7.0", "PRM001");
}

static void test_prm002_allowed_values(void **state)
{
	(void)state;
	expect_finding("prod", "NatGatewayMode", "triple", "PRM002", SEV_ERROR, "NatGatewayMode");
	/* case matters */
	expect_finding("prod", "NatGatewayMode", "Per-AZ", "PRM002", SEV_ERROR, "NatGatewayMode");
	expect_finding("prod", "FlowLogRetentionDays", "2", "PRM002", SEV_ERROR,
	               "FlowLogRetentionDays");
	/* the bound parameter Environment reads the top-level key */
	expect_finding("prod", "environment", "production", "PRM002", SEV_ERROR, "Environment");
	expect_no_rule("prod", "NatGatewayMode", "single", "PRM002");
	expect_no_rule("prod", "FlowLogRetentionDays", "3653", "PRM002");
}

static void test_prm003_pattern(void **state)
{
	(void)state;
	expect_finding("prod", "DatabaseName", "1lms", "PRM003", SEV_ERROR, "DatabaseName");
	/* anchored: a matching prefix is not enough */
	expect_finding("prod", "DatabaseName", "lms-app", "PRM003", SEV_ERROR, "DatabaseName");
	/* list parameters: the pattern applies to each element */
	expect_finding("prod", "PublicSubnetCidrs", "10.40.0.0/24,10.40.1.0/24,x", "PRM003",
	               SEV_ERROR, "PublicSubnetCidrs");
	/* CloudFormation does not trim list elements */
	expect_finding("prod", "PublicSubnetCidrs", "10.40.0.0/24, 10.40.1.0/24,10.40.2.0/24",
	               "PRM003", SEV_ERROR, "PublicSubnetCidrs");
	expect_finding("prod", "suffix", "Prod", "PRM003", SEV_ERROR, "EnvironmentSuffix");
	expect_no_rule("prod", "DatabaseName", "lms_app2", "PRM003");
	expect_no_rule("prod", "PublicSubnetCidrs", "10.40.0.0/24,10.40.1.0/24,10.40.2.0/24",
	               "PRM003");
}

static void test_prm004_length(void **state)
{
	(void)state;
	char long_name[65];
	memset(long_name, 'a', 64);
	long_name[64] = '\0';
	expect_finding("prod", "DatabaseName", long_name, "PRM004", SEV_ERROR, "DatabaseName");
	expect_finding("prod", "suffix", "", "PRM004", SEV_ERROR, "EnvironmentSuffix");
	expect_finding("prod", "suffix", "abcdefghijklm", "PRM004", SEV_ERROR, "EnvironmentSuffix");
	long_name[63] = '\0';
	expect_no_rule("prod", "DatabaseName", long_name, "PRM004");
	expect_no_rule("prod", "suffix", "abcdefghijkl", "PRM004");
}

static void test_prm005_range(void **state)
{
	(void)state;
	expect_finding("prod", "KeyDeletionWindowDays", "31", "PRM005", SEV_ERROR,
	               "KeyDeletionWindowDays");
	expect_finding("prod", "KeyDeletionWindowDays", "6.5", "PRM005", SEV_ERROR,
	               "KeyDeletionWindowDays");
	expect_finding("prod", "DatabaseMinCapacity", "0.25", "PRM005", SEV_ERROR,
	               "DatabaseMinCapacity");
	expect_no_rule("prod", "KeyDeletionWindowDays", "30", "PRM005");
	expect_no_rule("prod", "KeyDeletionWindowDays", "7", "PRM005");
	expect_no_rule("prod", "DatabaseMinCapacity", "0.5", "PRM005");
}

static void test_prm006_unsupported_pattern(void **state)
{
	(void)state;
	/* no real template uses a pattern outside the subset: a parameter of our own */
	cat_param p;
	memset(&p, 0, sizeof(p));
	p.e.name = "Custom";
	p.type = "String";
	p.allowed_pattern = "\\p{javaLowerCase}+";
	findings f;
	findings_init(&f);
	validate_param_value(&p, "abc", &f);
	assert_true(has_finding(&f, "PRM006", SEV_WARNING, "Custom"));
	assert_int_equal(findings_count(&f, SEV_ERROR), 0);
	findings_free(&f);

	p.allowed_pattern = "[a-";
	findings_init(&f);
	validate_param_value(&p, "abc", &f);
	assert_true(has_finding(&f, "PRM006", SEV_WARNING, "Custom"));
	assert_non_null(strstr(find(&f, "PRM006", SEV_WARNING, "Custom")->message, "offset"));
	findings_free(&f);

	p.allowed_pattern = "\\p{Lower}+";
	findings_init(&f);
	validate_param_value(&p, "abc", &f);
	assert_int_equal(f.n, 0);
	findings_free(&f);

	/* and the real templates' patterns are all in the subset */
	expect_no_rule("prod", NULL, NULL, "PRM006");
	expect_no_rule("dev", NULL, NULL, "PRM006");
}

static void test_prm_invalid_utf8_value_is_an_error(void **state)
{
	(void)state;
	/* the value is at fault, not the pattern: an error, not PRM006 */
	findings f;
	validate_with("prod", "DatabaseName", "lms\xff", &f);
	assert_true(has_finding(&f, "PRM001", SEV_ERROR, "DatabaseName"));
	assert_int_equal(count_rule(&f, "PRM006"), 0);
	findings_free(&f);
	validate_with("prod", "DatabaseName", "lms\xc3", &f);
	assert_true(has_finding(&f, "PRM001", SEV_ERROR, "DatabaseName"));
	findings_free(&f);
	/* multibyte UTF-8 is a value like any other: the pattern rejects it */
	validate_with("prod", "DatabaseName", "lms\xc3\xa9", &f);
	assert_true(has_finding(&f, "PRM003", SEV_ERROR, "DatabaseName"));
	assert_int_equal(count_rule(&f, "PRM001"), 0);
	findings_free(&f);
}

static void test_prm_aws_and_list_types(void **state)
{
	(void)state;
	cat_param p;
	memset(&p, 0, sizeof(p));
	p.e.name = "Subnets";
	p.type = "List<AWS::EC2::Subnet::Id>";
	findings f;
	findings_init(&f);
	validate_param_value(&p, "subnet-0123456789abcdef0,subnet-01234567", &f);
	assert_int_equal(f.n, 0);
	findings_free(&f);
	findings_init(&f);
	validate_param_value(&p, "subnet-0123456789abcdef0,vpc-01234567", &f);
	assert_true(has_finding(&f, "PRM001", SEV_ERROR, "Subnets"));
	findings_free(&f);

	/* a List<> whose element type does not fit the copy (64 bytes) is a
	 * list of Strings, whatever the name: it is never copied */
	char long_type[5 + 200 + 2];
	memcpy(long_type, "List<", 5);
	memset(long_type + 5, 'X', 200);
	memcpy(long_type + 205, ">", 2);
	p.type = long_type;
	findings_init(&f);
	validate_param_value(&p, "a,b", &f);
	assert_int_equal(f.n, 0);
	findings_free(&f);
	/* 64 bytes exactly: one more than the copy holds with its NUL */
	char type64[5 + 64 + 2];
	memcpy(type64, "List<", 5);
	memset(type64 + 5, 'X', 64);
	memcpy(type64 + 69, ">", 2);
	p.type = type64;
	findings_init(&f);
	validate_param_value(&p, "a,b", &f);
	assert_int_equal(f.n, 0);
	findings_free(&f);

	p.e.name = "Vpc";
	p.type = "AWS::EC2::VPC::Id";
	findings_init(&f);
	validate_param_value(&p, "vpc-0123456789ABCDEF0", &f);
	assert_true(has_finding(&f, "PRM001", SEV_ERROR, "Vpc"));
	findings_free(&f);
}

/* The findings of one value of a parameter `p`, as "RULE message" lines. */
static char *value_findings(const cat_param *p, const char *value)
{
	findings f;
	findings_init(&f);
	validate_param_value(p, value, &f);
	buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < f.n; i++)
		buf_addf(&b, "%s %s\n", f.v[i].rule, f.v[i].message);
	findings_free(&f);
	char *s = buf_take(&b);
	return s ? s : strdup("");
}

static void check_value(const cat_param *p, const char *value, const char *want)
{
	char *got = value_findings(p, value);
	if (strcmp(got, want) != 0)
		fail_msg("%s '%s': got [%s], want [%s]", p->e.name, value, got, want);
	free(got);
}

/* Each constraint at its edges, with the exact message: MinValue and
 * MaxValue on both sides, MinLength and MaxLength, AllowedValues against a
 * longer and a shorter value, the AWS id formats at 8 and 17 hex digits
 * and one off, list elements one by one (an empty one, List<...> types). */
static void test_param_value_edges(void **state)
{
	(void)state;
	cat_param p;
	memset(&p, 0, sizeof(p));
	p.e.name = "N";
	p.type = "Number";
	p.has_min_value = p.has_max_value = true;
	p.min_value = 1;
	p.max_value = 10;
	check_value(&p, "1", "");
	check_value(&p, "10", "");
	check_value(&p, "0.99",
	            "PRM005 value out of range: 0.99 is outside MinValue 1 MaxValue 10\n");
	check_value(&p, "10.5",
	            "PRM005 value out of range: 10.5 is outside MinValue 1 MaxValue 10\n");
	check_value(&p, "x", "PRM001 value has the wrong type: 'x' is not a number\n");
	check_value(&p, "0x5", "PRM001 value has the wrong type: '0x5' is not a number\n");
	p.has_max_value = false;
	check_value(&p, "1000", "");
	check_value(&p, "0", "PRM005 value out of range: 0 is outside MinValue 1\n");
	p.has_min_value = false;
	p.has_max_value = true;
	check_value(&p, "-5", "");
	check_value(&p, "11", "PRM005 value out of range: 11 is outside MaxValue 10\n");

	memset(&p, 0, sizeof(p));
	p.e.name = "S";
	p.type = "String";
	p.has_min_length = p.has_max_length = true;
	p.min_length = 2;
	p.max_length = 3;
	check_value(&p, "ab", "");
	check_value(&p, "abc", "");
	check_value(&p, "a",
	            "PRM004 value has the wrong length: 1 characters, allowed at least 2 and at "
	            "most 3\n");
	check_value(&p, "abcd",
	            "PRM004 value has the wrong length: 4 characters, allowed at least 2 and at "
	            "most 3\n");
	p.has_min_length = false;
	check_value(&p, "", "");
	check_value(&p, "abcd",
	            "PRM004 value has the wrong length: 4 characters, allowed at most 3\n");
	p.has_max_length = false;
	p.has_min_length = true;
	check_value(&p, "a",
	            "PRM004 value has the wrong length: 1 characters, allowed at least 2\n");
	check_value(&p, "x\ny", "PRM001 value spans several lines; parameters are one line\n");

	/* AllowedValues: exact */
	lms_error err = {0};
	ydoc *doc = ydoc_parse("v.yml", "[dev, prod]", 11, &err);
	assert_non_null(doc);
	memset(&p, 0, sizeof(p));
	p.e.name = "E";
	p.type = "String";
	p.allowed_values = doc->root;
	check_value(&p, "dev", "");
	check_value(&p, "prod", "");
	check_value(&p, "de", "PRM002 value not allowed: 'de' is not one of dev, prod\n");
	check_value(&p, "devx", "PRM002 value not allowed: 'devx' is not one of dev, prod\n");
	p.type = "CommaDelimitedList";
	check_value(&p, "dev,prod", "");
	check_value(&p, "dev, prod", "PRM002 value not allowed: ' prod' is not one of dev, prod\n");
	check_value(&p, "dev,", "PRM002 value not allowed: '' is not one of dev, prod\n");
	ydoc_free(doc);

	/* AWS ids */
	memset(&p, 0, sizeof(p));
	p.e.name = "A";
	static const struct {
		const char *type, *value;
		bool ok;
	} ids[] = {
	    {"AWS::EC2::VPC::Id", "vpc-01234567", true},
	    {"AWS::EC2::VPC::Id", "vpc-0123456", false},
	    {"AWS::EC2::VPC::Id", "vpc-012345678", false},
	    {"AWS::EC2::VPC::Id", "vpc-0123456789abcdef0", true},
	    {"AWS::EC2::VPC::Id", "vpc-0123456789abcdef01", false},
	    {"AWS::EC2::VPC::Id", "", true},
	    {"AWS::EC2::Subnet::Id", "subnet-0123456g", false},
	    {"AWS::EC2::SecurityGroup::Id", "sg-01234567", true},
	    {"AWS::EC2::Image::Id", "ami-01234567", true},
	    {"AWS::EC2::Instance::Id", "i-01234567", true},
	    {"AWS::EC2::Volume::Id", "vol-01234567", true},
	    {"AWS::EC2::Volume::Id", "vo-01234567", false},
	    {"AWS::EC2::AvailabilityZone::Name", "eu-west-1a", true},
	    {"AWS::EC2::AvailabilityZone::Name", "eu-west-1", false},
	    {"AWS::Route53::HostedZone::Id", "Z1", true},
	    {"AWS::Route53::HostedZone::Id", "Z", false},
	    {"AWS::Route53::HostedZone::Id", "Z01234567890123456789012345678901", true},
	    {"AWS::Route53::HostedZone::Id", "Z012345678901234567890123456789012", false},
	    {"AWS::EC2::VPC::IdX", "x", true}, /* no such type: not checked */
	    {"List<AWS::EC2::VPC::Id>", "vpc-01234567,vpc-x", false},
	    {"List<AWS::EC2::VPC::Id>", "vpc-01234567,vpc-89abcdef", true},
	    {"List<AWS::EC2::VPC::Id", "vpc-x", true}, /* not a list type: a string */
	    {"List<>", "x", true},
	};
	for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
		p.type = ids[i].type;
		char *got = value_findings(&p, ids[i].value);
		if ((*got == '\0') != ids[i].ok)
			fail_msg("%s '%s': [%s]", ids[i].type, ids[i].value, got);
		free(got);
	}
	p.type = "AWS::EC2::VPC::Id";
	check_value(&p, "vpc-1",
	            "PRM001 value has the wrong type: 'vpc-1' is not a AWS::EC2::VPC::Id (like "
	            "vpc-0123456789abcdef0)\n");
	/* the pattern and its ConstraintDescription as the hint */
	memset(&p, 0, sizeof(p));
	p.e.name = "P";
	p.type = "String";
	p.allowed_pattern = "[a-z]+";
	check_value(&p, "abc", "");
	check_value(&p, "abc1",
	            "PRM003 value does not match the pattern: 'abc1' does not match [a-z]+\n");
	check_value(&p, "", "PRM003 value does not match the pattern: '' does not match [a-z]+\n");
}

/* ---- MDL: the model itself ------------------------------------------- */

static void test_mdl001_unknown_parameter(void **state)
{
	(void)state;
	findings f;
	validate_with("prod", "NatGatewayMod", "per-az", &f);
	assert_true(has_finding(&f, "MDL001", SEV_ERROR, "NatGatewayMod"));
	assert_non_null(
	    strstr(find(&f, "MDL001", SEV_ERROR, "NatGatewayMod")->hint, "NatGatewayMode"));
	findings_free(&f);
	expect_no_rule("prod", "NatGatewayMode", "per-az", "MDL001");
	/* the suggestion reaches three edits, each insertion one edit, and
	 * stops at four */
	static const struct {
		const char *key;
		bool suggested;
	} near[] = {{"NatGatewayMo", true}, {"NatGatewayM", true}, {"NatGateway", false}};
	for (size_t i = 0; i < sizeof near / sizeof *near; i++) {
		validate_with("prod", near[i].key, "per-az", &f);
		const finding *x = find(&f, "MDL001", SEV_ERROR, near[i].key);
		assert_non_null(x);
		bool named = x->hint && strstr(x->hint, "NatGatewayMode");
		if (named != near[i].suggested)
			fail_msg("%s: hint %s", near[i].key, x->hint ? x->hint : "(none)");
		findings_free(&f);
	}
}

/* a parameter the pipeline owns is not the model's: the finding names its owner */
static void test_mdl001_pipeline_parameter(void **state)
{
	(void)state;
	findings f;
	validate_with("prod", "ContainerImage",
	              "123456789012.dkr.ecr.eu-west-1.amazonaws.com/lms:1", &f);
	const finding *x = find(&f, "MDL001", SEV_ERROR, "ContainerImage");
	assert_non_null(x);
	assert_non_null(strstr(x->message, "owned by the pipeline"));
	assert_non_null(strstr(x->message, "compute.yml"));
	assert_non_null(strstr(x->hint, "--set-pipeline-parameter ContainerImage=VALUE"));
	findings_free(&f);
}

/* The pipeline's parameter written in a model file is found where it is
 * written (line 6, at its value: column 19); set by model_set (no line) it
 * has no position. */
static void test_mdl001_pipeline_parameter_position(void **state)
{
	(void)state;
	char *dir = make_temp_dir();
	char *path = join(dir, "model.yml");
	write_text(path, "stack: lms-prod\nregion: eu-west-1\nenvironment: prod\nsuffix: prod\n"
	                 "parameters:\n  ContainerImage: x\n");
	lms_error err = {0};
	model *m = model_load(path, &err);
	assert_non_null(m);
	findings f;
	findings_init(&f);
	validate_model(real_cat, m, &f);
	const finding *x = find(&f, "MDL001", SEV_ERROR, "ContainerImage");
	assert_non_null(x);
	assert_non_null(x->file);
	assert_string_equal(x->file, path);
	assert_int_equal(x->line, 6);
	assert_int_equal(x->col, 19); /* at its value */
	findings_free(&f);
	model_free(m);
	validate_with("prod", "ContainerImage", "x", &f);
	x = find(&f, "MDL001", SEV_ERROR, "ContainerImage");
	assert_non_null(x);
	assert_null(x->file);
	assert_int_equal(x->line, 0);
	findings_free(&f);
	remove(path);
	rmdir(dir);
	free(path);
	free(dir);
}

/* A finding about a field the model file does not have (MDL002's missing
 * key) names the file with no position: line 0, column 0. */
static void test_missing_field_position(void **state)
{
	(void)state;
	char *dir = make_temp_dir();
	char *path = join(dir, "model.yml");
	write_text(path, "stack: lms-prod\nenvironment: prod\nsuffix: prod\n");
	lms_error err = {0};
	model *m = model_load(path, &err);
	assert_non_null(m);
	findings f;
	findings_init(&f);
	validate_model(real_cat, m, &f);
	const finding *x = find(&f, "MDL002", SEV_ERROR, "region");
	assert_non_null(x);
	assert_non_null(x->file);
	assert_string_equal(x->file, path);
	assert_int_equal(x->line, 0);
	assert_int_equal(x->col, 0);
	findings_free(&f);
	model_free(m);
	remove(path);
	rmdir(dir);
	free(path);
	free(dir);
}

/* The model's first entry is checked like any other: an unknown parameter
 * (with its suggestion) and the pipeline's parameter written before every
 * top-level key. */
static void test_mdl001_first_entry(void **state)
{
	(void)state;
	static const char *const texts[] = {
	    "parameters:\n  NatGatewayMod: x\nstack: lms-prod\nregion: eu-west-1\n"
	    "environment: prod\nsuffix: prod\n",
	    "parameters:\n  ContainerImage: x\nstack: lms-prod\nregion: eu-west-1\n"
	    "environment: prod\nsuffix: prod\n",
	};
	static const char *const keys[] = {"NatGatewayMod", "ContainerImage"};
	for (size_t i = 0; i < 2; i++) {
		char *dir = make_temp_dir();
		char *path = join(dir, "model.yml");
		write_text(path, texts[i]);
		lms_error err = {0};
		model *m = model_load(path, &err);
		assert_non_null(m);
		findings f;
		findings_init(&f);
		validate_model(real_cat, m, &f);
		const finding *x = find(&f, "MDL001", SEV_ERROR, keys[i]);
		assert_non_null(x);
		assert_int_equal(x->line, 2);
		assert_int_equal(count_rule(&f, "MDL001"), 1);
		if (i == 0)
			assert_non_null(strstr(x->hint, "did you mean NatGatewayMode?"));
		findings_free(&f);
		model_free(m);
		remove(path);
		rmdir(dir);
		free(path);
		free(dir);
	}
}

/* The suggestion for an unknown parameter is searched among every template
 * parameter, the first one included (Environment, the catalog's first). */
static void test_mdl001_suggests_first_parameter(void **state)
{
	(void)state;
	assert_string_equal(real_cat->params[0].e.name, "Environment");
	findings f;
	validate_with("dev", "Environmen", "x", &f);
	const finding *x = find(&f, "MDL001", SEV_ERROR, "Environmen");
	assert_non_null(x);
	assert_string_equal(x->hint, "did you mean Environment?");
	findings_free(&f);
}

static void test_mdl002_missing_top_key(void **state)
{
	(void)state;
	char *dir = make_temp_dir();
	char *path = join(dir, "model.yml");
	write_text(path, "stack: lms-prod\nenvironment: prod\nsuffix: prod\n");
	lms_error err = {0};
	model *m = model_load(path, &err);
	assert_non_null(m);
	findings f;
	findings_init(&f);
	validate_model(real_cat, m, &f);
	assert_true(has_finding(&f, "MDL002", SEV_ERROR, "region"));
	assert_int_equal(count_rule(&f, "MDL002"), 1);
	findings_free(&f);
	model_free(m);

	write_text(path, "stack: lms-prod\nregion: eu-west-1\nenvironment: prod\nsuffix: prod\n");
	m = model_load(path, &err);
	assert_non_null(m);
	findings_init(&f);
	validate_model(real_cat, m, &f);
	assert_int_equal(count_rule(&f, "MDL002"), 0);
	findings_free(&f);
	model_free(m);
	/* each of the four keys missing in turn, the first and the last included */
	static const char *const keys[] = {"stack", "region", "environment", "suffix"};
	static const char *const values[] = {"lms-prod", "eu-west-1", "prod", "prod"};
	for (size_t miss = 0; miss < 4; miss++) {
		buf text;
		buf_init(&text, 0);
		for (size_t k = 0; k < 4; k++)
			if (k != miss)
				buf_addf(&text, "%s: %s\n", keys[k], values[k]);
		write_text(path, buf_cstr(&text));
		buf_free(&text);
		m = model_load(path, &err);
		assert_non_null(m);
		findings_init(&f);
		validate_model(real_cat, m, &f);
		if (!has_finding(&f, "MDL002", SEV_ERROR, keys[miss]) ||
		    count_rule(&f, "MDL002") != 1)
			fail_msg("no '%s': MDL002 not reported once for it", keys[miss]);
		findings_free(&f);
		model_free(m);
	}
	lms_error_clear(&err);
	free(path);
	remove_dir(dir, (const char *const[]){"model.yml", NULL});
}

static void test_mdl003_stack_name(void **state)
{
	(void)state;
	expect_finding("prod", "stack", "1-lms", "MDL003", SEV_ERROR, "stack");
	expect_finding("prod", "stack", "lms_prod", "MDL003", SEV_ERROR, "stack");
	char long_stack[130];
	memset(long_stack, 'a', 129);
	long_stack[129] = '\0';
	expect_finding("prod", "stack", long_stack, "MDL003", SEV_ERROR, "stack");
	long_stack[128] = '\0';
	expect_no_rule("prod", "stack", long_stack, "MDL003");
	expect_no_rule("prod", "stack", "lms-prod-2", "MDL003");
}

static void test_mdl004_region(void **state)
{
	(void)state;
	expect_finding("prod", "region", "mars-1", "MDL004", SEV_ERROR, "region");
	expect_finding("prod", "region", "eu-west-1a", "MDL004", SEV_ERROR, "region");
	expect_finding("prod", "region", "us-east-1", "MDL004", SEV_WARNING, "region");
	expect_no_rule("prod", "region", "eu-west-1", "MDL004");
}

/* ---- NAM: names ------------------------------------------------------ */

static void test_nam001_suffix_hyphens(void **state)
{
	(void)state;
	expect_finding("prod", "suffix", "prod-", "NAM001", SEV_ERROR, "suffix");
	expect_finding("prod", "suffix", "pr--od", "NAM001", SEV_ERROR, "suffix");
	expect_no_rule("prod", "suffix", "pr-od", "NAM001");
}

static void test_nam002_name_too_long_now(void **state)
{
	(void)state;
	/* longer than the parameter allows (PRM004 too), and than the names */
	expect_finding("prod", "suffix", "abcdefghijabcdefghijabcdefghijabcdefghij", "NAM002",
	               SEV_ERROR, "suffix");
	/* bucket, database and cache names are lower case only */
	expect_finding("prod", "suffix", "Prod", "NAM002", SEV_ERROR, "suffix");
	/* the real templates fit at the longest suffix */
	expect_no_rule("prod", "suffix", "abcdefghijkl", "NAM002");
}

static void test_nam002_fixture_longest_suffix(void **state)
{
	(void)state;
	char *dir = join(srcdir(), "tests/fixtures/names-long");
	catalog *cat = load_catalog(dir);
	assert_non_null(cat);
	model *m = new_model(cat, "dev");
	findings f;
	findings_init(&f);
	validate_model(cat, m, &f);
	assert_true(has_finding(&f, "NAM002", SEV_ERROR, ""));
	/* the cache id only: the load balancer's name fits */
	assert_int_equal(count_rule(&f, "NAM002"), 1);
	assert_int_equal(count_rule(&f, "NAM003"), 0);
	const finding *x = find(&f, "NAM002", SEV_ERROR, "");
	assert_non_null(strstr(x->message, "CacheReplicationGroup"));
	assert_non_null(strstr(x->message, "44"));
	/* points at the name in the fragment */
	assert_non_null(x->file);
	assert_non_null(strstr(x->file, "cache.yml"));
	const cat_entry *e = catalog_entry(cat, SEC_RESOURCES, "CacheReplicationGroup");
	assert_non_null(e);
	assert_int_equal(
	    x->line,
	    ynode_get(ynode_get(e->value, "Properties"), "ReplicationGroupId")->start.line);
	findings_free(&f);
	model_free(m);
	catalog_free(cat);
	free(dir);
}

static const char nosuffix_catalog[] = "Description: lmsctl test fixture (names without the "
                                       "suffix).\nFragments:\n  - app.yml\n";
static const char nosuffix_fragment[] = "Metadata:\n"
                                        "  AWS::CloudFormation::Interface:\n"
                                        "    ParameterGroups:\n"
                                        "      - Label:\n"
                                        "          default: Environment\n"
                                        "        Parameters:\n"
                                        "          - Environment\n"
                                        "          - EnvironmentSuffix\n"
                                        "    ParameterLabels:\n"
                                        "      Environment:\n"
                                        "        default: Environment kind\n"
                                        "      EnvironmentSuffix:\n"
                                        "        default: Environment suffix\n"
                                        "\n"
                                        "Parameters:\n"
                                        "  Environment:\n"
                                        "    Type: String\n"
                                        "    Description: Kind of environment.\n"
                                        "    Default: dev\n"
                                        "    AllowedValues: [dev, staging, prod]\n"
                                        "  EnvironmentSuffix:\n"
                                        "    Type: String\n"
                                        "    Description: Suffix of every name.\n"
                                        "    Default: dev\n"
                                        "    MaxLength: 12\n"
                                        "\n"
                                        "Resources:\n"
                                        "  Bucket:\n"
                                        "    Type: AWS::S3::Bucket\n"
                                        "    DeletionPolicy: Delete\n"
                                        "    UpdateReplacePolicy: Delete\n"
                                        "    Properties:\n"
                                        "      BucketName: !Sub 'lms-shared-${AWS::AccountId}'\n"
                                        "  Role:\n"
                                        "    Type: AWS::IAM::Role\n"
                                        "    Properties:\n"
                                        "      RoleName:\n"
                                        "        Fn::Sub:\n"
                                        "          - 'lms-${Tier}-role-${EnvironmentSuffix}'\n"
                                        "          - Tier: app\n"
                                        "  Function:\n"
                                        "    Type: AWS::Lambda::Function\n"
                                        "    Properties:\n"
                                        "      FunctionName: !Sub 'lms-${Role.Arn}'\n";

static void test_nam003_name_without_suffix(void **state)
{
	(void)state;
	char *dir = make_temp_dir();
	char *cat_path = join(dir, "catalog.yml"), *frag_path = join(dir, "app.yml");
	write_text(cat_path, nosuffix_catalog);
	write_text(frag_path, nosuffix_fragment);
	catalog *cat = load_catalog(dir);
	assert_non_null(cat);
	model *m = new_model(cat, "dev");
	findings f;
	findings_init(&f);
	validate_model(cat, m, &f);
	assert_true(has_finding(&f, "NAM003", SEV_WARNING, ""));
	/* the bucket only: the role carries the suffix (long form of Fn::Sub with
	 * variables) and the function's name depends on an attribute */
	assert_int_equal(count_rule(&f, "NAM003"), 1);
	const finding *x = find(&f, "NAM003", SEV_WARNING, "");
	assert_non_null(strstr(x->message, "Bucket"));
	assert_string_equal(x->file, frag_path);
	assert_int_equal(x->line, line_of(nosuffix_fragment, "      BucketName:"));
	assert_int_equal(count_rule(&f, "NAM002"), 0);
	findings_free(&f);
	model_free(m);
	catalog_free(cat);
	free(cat_path);
	free(frag_path);
	remove_dir(dir, (const char *const[]){"catalog.yml", "app.yml", NULL});

	/* the real templates: every name carries the suffix */
	expect_no_rule("prod", NULL, NULL, "NAM003");
	expect_no_rule("dev", NULL, NULL, "NAM003");
}

/* ---- NET: network ---------------------------------------------------- */

static void test_net001_cidr_syntax(void **state)
{
	(void)state;
	expect_finding("prod", "VpcCidr", "10.40.0.1/16", "NET001", SEV_ERROR, "VpcCidr");
	expect_finding("prod", "VpcCidr", "10.40.0.0", "NET001", SEV_ERROR, "VpcCidr");
	expect_finding("prod", "PublicSubnetCidrs", "10.40.0.5/24,10.40.1.0/24,10.40.2.0/24",
	               "NET001", SEV_ERROR, "PublicSubnetCidrs");
	expect_finding("prod", "AppSubnetCidrs", "10.40.016.0/20,10.40.32.0/20,10.40.48.0/20",
	               "NET001", SEV_ERROR, "AppSubnetCidrs");
	/* prod runs in three AZs: three blocks each */
	expect_finding("prod", "DataSubnetCidrs", "10.40.64.0/24,10.40.65.0/24", "NET001",
	               SEV_ERROR, "DataSubnetCidrs");
	/* two are enough for two AZs */
	expect_no_rule("dev", "DataSubnetCidrs", "10.40.64.0/24,10.40.65.0/24", "NET001");
	expect_no_rule("prod", "VpcCidr", "10.40.0.0/16", "NET001");
}

static void test_net002_subnet_outside_vpc(void **state)
{
	(void)state;
	expect_finding("prod", "AppSubnetCidrs", "10.41.16.0/20,10.40.32.0/20,10.40.48.0/20",
	               "NET002", SEV_ERROR, "AppSubnetCidrs");
	/* a subnet larger than the VPC is not inside it */
	expect_finding("prod", "VpcCidr", "10.40.0.0/20", "NET002", SEV_ERROR, "AppSubnetCidrs");
	expect_no_rule("prod", "VpcCidr", "10.40.0.0/17", "NET002");
}

static void test_net003_overlap(void **state)
{
	(void)state;
	/* across tiers */
	expect_finding("prod", "DataSubnetCidrs", "10.40.0.0/24,10.40.65.0/24,10.40.66.0/24",
	               "NET003", SEV_ERROR, "DataSubnetCidrs");
	/* within a tier, one block inside another */
	expect_finding("prod", "AppSubnetCidrs", "10.40.16.0/20,10.40.16.0/24,10.40.48.0/20",
	               "NET003", SEV_ERROR, "AppSubnetCidrs");
	/* a fourth block is not in use with three AZs, so it may overlap */
	expect_no_rule("prod", "PublicSubnetCidrs",
	               "10.40.0.0/24,10.40.1.0/24,10.40.2.0/24,10.40.64.0/24", "NET003");
	/* nor the third with two AZs */
	expect_no_rule("dev", "PublicSubnetCidrs", "10.40.0.0/24,10.40.1.0/24,10.40.64.0/24",
	               "NET003");
}

static void test_net004_prefix_and_size(void **state)
{
	(void)state;
	expect_finding("prod", "VpcCidr", "10.0.0.0/12", "NET004", SEV_ERROR, "VpcCidr");
	expect_finding("prod", "PublicSubnetCidrs", "10.40.0.0/29,10.40.1.0/24,10.40.2.0/24",
	               "NET004", SEV_ERROR, "PublicSubnetCidrs");
	/* a /28 is legal but holds 11 usable addresses */
	expect_finding("prod", "PublicSubnetCidrs", "10.40.0.0/28,10.40.1.0/24,10.40.2.0/24",
	               "NET004", SEV_WARNING, "PublicSubnetCidrs");
	expect_no_rule("prod", "PublicSubnetCidrs", "10.40.0.0/27,10.40.1.0/24,10.40.2.0/24",
	               "NET004");
}

static void test_net004_app_subnet_capacity(void **state)
{
	(void)state;
	/* task count is read from the model when the catalog has no such parameter */
	model *m = new_model(real_cat, "prod");
	assert_true(model_set(m, "AppSubnetCidrs", "10.40.16.0/26,10.40.32.0/26,10.40.48.0/26"));
	assert_true(model_set(m, "ServiceMaxTasks", "100"));
	findings f;
	findings_init(&f);
	validate_model(real_cat, m, &f);
	if (!catalog_param(real_cat, "ServiceMaxTasks"))
		assert_true(has_finding(&f, "MDL001", SEV_ERROR, "ServiceMaxTasks"));
	assert_true(has_finding(&f, "NET004", SEV_ERROR, "AppSubnetCidrs"));
	findings_free(&f);
	/* out-of-range numbers do not overflow the arithmetic */
	const char *extremes[][2] = {{"9223372036854775807", "3"},
	                             {"-9223372036854775807", "3"},
	                             {"100", "9223372036854775807"},
	                             {"100", "-9223372036854775807"},
	                             {"9223372036854775807", "9223372036854775807"},
	                             {"-9223372036854775808", "1"}};
	for (size_t i = 0; i < sizeof(extremes) / sizeof(extremes[0]); i++) {
		assert_true(model_set(m, "ServiceMaxTasks", extremes[i][0]));
		assert_true(model_set(m, "AvailabilityZoneCount", extremes[i][1]));
		findings_init(&f);
		validate_model(real_cat, m, &f);
		findings_free(&f);
	}
	model_free(m);
}

/* Whether app subnets of /26 (59 usable addresses) are too small for
 * `tasks` over `azs` AZs: each must hold its share after one AZ is lost,
 * ceil(tasks / (azs - 1)) (all of them with one AZ), plus 32. */
static bool app_subnets_short(const char *azs, const char *tasks)
{
	model *m = new_model(real_cat, "prod");
	assert_true(model_set(m, "AppSubnetCidrs", "10.40.16.0/26,10.40.32.0/26,10.40.48.0/26"));
	assert_true(model_set(m, "AvailabilityZoneCount", azs));
	assert_true(model_set(m, "ServiceMaxTasks", tasks));
	findings f;
	findings_init(&f);
	validate_model(real_cat, m, &f);
	bool short_ = find(&f, "NET004", SEV_ERROR, "AppSubnetCidrs") != NULL;
	findings_free(&f);
	model_free(m);
	return short_;
}

static void test_net004_app_subnet_capacity_edges(void **state)
{
	(void)state;
	/* three AZs: 54 tasks need 27 + 32 = 59 in each of the two left; 55 need 60 */
	assert_false(app_subnets_short("3", "54"));
	assert_true(app_subnets_short("3", "55"));
	/* two AZs: the one left holds them all */
	assert_false(app_subnets_short("2", "27"));
	assert_true(app_subnets_short("2", "28"));
	/* one AZ (no AZ to lose): all of them, and no division by zero */
	assert_false(app_subnets_short("1", "27"));
	assert_true(app_subnets_short("1", "28"));
	assert_false(app_subnets_short("3", "0"));
}

static void test_net005_three_azs_in_prod(void **state)
{
	(void)state;
	expect_finding("prod", "AvailabilityZoneCount", "2", "NET005", SEV_ERROR,
	               "AvailabilityZoneCount");
	expect_no_rule("prod", "AvailabilityZoneCount", "3", "NET005");
	expect_no_rule("dev", "AvailabilityZoneCount", "2", "NET005");
	expect_no_rule("staging", "AvailabilityZoneCount", "2", "NET005");
}

/* ---- positions from a model file -------------------------------------- */

static void test_findings_carry_the_line(void **state)
{
	(void)state;
	model *m = new_model(real_cat, "prod");
	assert_true(model_set(m, "NatGatewayMode", "single"));
	assert_true(model_set(m, "stack", "1-bad"));
	buf text;
	buf_init(&text, 0);
	assert_true(model_render_new(m, real_cat, &text));
	buf_adds(&text, "stak: typo\n");
	model_free(m);

	char *dir = make_temp_dir();
	char *path = join(dir, "prod.yml");
	write_text(path, buf_cstr(&text));
	lms_error err = {0};
	m = model_load(path, &err);
	assert_non_null(m);
	findings f;
	findings_init(&f);
	validate_model(real_cat, m, &f);

	const finding *x = find(&f, "NET006", SEV_ERROR, "NatGatewayMode");
	assert_non_null(x);
	assert_string_equal(x->file, path);
	assert_int_equal(x->line, line_of(buf_cstr(&text), "  NatGatewayMode:"));
	assert_int_equal(x->col, strlen("  NatGatewayMode: ") + 1);

	x = find(&f, "MDL003", SEV_ERROR, "stack");
	assert_non_null(x);
	assert_int_equal(x->line, line_of(buf_cstr(&text), "stack:"));

	x = find(&f, "MDL001", SEV_ERROR, "stak");
	assert_non_null(x);
	assert_string_equal(x->file, path);
	assert_int_equal(x->line, line_of(buf_cstr(&text), "stak:"));
	assert_int_equal(x->col, 1);

	/* the text form names file and line */
	buf out;
	buf_init(&out, 0);
	findings_format_text(&f, &out);
	buf want;
	buf_init(&want, 0);
	buf_addf(&want, "%s:%zu:", path, line_of(buf_cstr(&text), "  NatGatewayMode:"));
	assert_non_null(strstr(buf_cstr(&out), buf_cstr(&want)));
	buf_free(&want);
	buf_free(&out);

	findings_free(&f);
	model_free(m);
	lms_error_clear(&err);
	buf_free(&text);
	free(path);
	remove_dir(dir, (const char *const[]){"prod.yml", NULL});
}

static void test_bound_parameter_in_file(void **state)
{
	(void)state;
	char *dir = make_temp_dir();
	char *path = join(dir, "m.yml");
	const char *text = "stack: lms-dev\nregion: eu-west-1\nenvironment: dev\nsuffix: dev\n"
	                   "parametersx: 1\n"
	                   "parameters:\n  NatGatewayMode: per-az\n  Environment: prod\n"
	                   "  region: us-east-1\n";
	write_text(path, text);
	lms_error err = {0};
	model *m = model_load(path, &err);
	assert_non_null(m);
	findings f;
	findings_init(&f);
	validate_model(real_cat, m, &f);
	const finding *x = find(&f, "MDL001", SEV_ERROR, "parameters.Environment");
	assert_non_null(x);
	assert_int_equal(x->line, line_of(text, "  Environment:"));
	assert_int_equal(x->col, 3);
	assert_non_null(strstr(x->message, "'Environment' is bound to a top-level key"));
	assert_non_null(strstr(x->hint, "top-level key"));
	/* a key that only starts like "parameters" is an unknown key, not a
	 * parameter */
	x = find(&f, "MDL001", SEV_ERROR, "parametersx");
	assert_non_null(x);
	assert_non_null(strstr(x->message, "unknown key 'parametersx'"));
	/* a parameter named like a top-level key does not shadow it */
	x = find(&f, "MDL001", SEV_ERROR, "parameters.region");
	assert_non_null(x);
	assert_int_equal(x->line, line_of(text, "  region:"));
	assert_string_equal(model_get(m, "region"), "eu-west-1");
	assert_int_equal(count_rule(&f, "MDL004"), 0);
	assert_int_equal(findings_count(&f, SEV_ERROR), 3);
	findings_free(&f);
	model_free(m);
	lms_error_clear(&err);
	free(path);
	remove_dir(dir, (const char *const[]){"m.yml", NULL});
}

/* A finding about a field the model file does not write (a default) names
 * the file with no position: line and column 0, not line 1. */
static void test_finding_on_default_has_no_line(void **state)
{
	(void)state;
	char *dir = make_temp_dir();
	char *path = join(dir, "m.yml");
	const char *text = "stack: lms-prod\nregion: eu-west-1\nenvironment: prod\nsuffix: prod\n"
	                   "parameters:\n  NatGatewayMode: single\n";
	write_text(path, text);
	lms_error err = {0};
	model *m = model_load(path, &err);
	assert_non_null(m);
	findings f;
	findings_init(&f);
	validate_model(real_cat, m, &f);
	/* in the file: its line */
	const finding *x = find(&f, "NET006", SEV_ERROR, "NatGatewayMode");
	assert_non_null(x);
	assert_int_equal(x->line, line_of(text, "  NatGatewayMode:"));
	/* not in the file: the file, no line */
	x = find(&f, "NET005", SEV_ERROR, "AvailabilityZoneCount");
	assert_non_null(x);
	assert_string_equal(x->file, path);
	assert_int_equal(x->line, 0);
	assert_int_equal(x->col, 0);
	findings_free(&f);
	model_free(m);
	lms_error_clear(&err);
	free(path);
	remove_dir(dir, (const char *const[]){"m.yml", NULL});
}

/* ---- Java patterns ----------------------------------------------------- */

static void test_pattern_anchoring(void **state)
{
	(void)state;
	assert_int_equal(java_pattern_match("[a-z]+", "abc", NULL), 1);
	assert_int_equal(java_pattern_match("[a-z]+", "abc1", NULL), 0);
	assert_int_equal(java_pattern_match("[a-z]+", "1abc", NULL), 0);
	assert_int_equal(java_pattern_match("b", "abc", NULL), 0);
	assert_int_equal(java_pattern_match("a|ab", "ab", NULL), 1);
	assert_int_equal(java_pattern_match("ab|a", "abc", NULL), 0);
	assert_int_equal(java_pattern_match(".*", "", NULL), 1);
	assert_int_equal(java_pattern_match("a?", "", NULL), 1);
	assert_int_equal(java_pattern_match("a", "", NULL), 0);
	/* no multi-line: `$` before a final newline does not end the match */
	assert_int_equal(java_pattern_match("abc", "abc\n", NULL), 0);
	/* lazy, possessive and lookaround mean the same */
	assert_int_equal(java_pattern_match("a+?", "aaa", NULL), 1);
	assert_int_equal(java_pattern_match("a++a", "aaa", NULL), 0);
	assert_int_equal(java_pattern_match("(?!x)[a-z]+", "abc", NULL), 1);
	/* multibyte values count in characters */
	assert_int_equal(java_pattern_match(".{2}", "\xc3\xa9\xc3\xa8", NULL), 1);
	/* the real templates' patterns */
	assert_int_equal(
	    java_pattern_match("(\\d{1,3}\\.){3}\\d{1,3}/(1[6-9]|2[0-8])", "10.40.0.0/16", NULL),
	    1);
	assert_int_equal(
	    java_pattern_match("(\\d{1,3}\\.){3}\\d{1,3}/(1[6-9]|2[0-8])", "10.40.0.0/29", NULL),
	    0);
}

static void test_pattern_posix_classes(void **state)
{
	(void)state;
	assert_int_equal(java_pattern_match("\\p{Lower}+", "abc", NULL), 1);
	assert_int_equal(java_pattern_match("\\p{Lower}+", "aBc", NULL), 0);
	assert_int_equal(java_pattern_match("\\p{Upper}{2}", "AB", NULL), 1);
	assert_int_equal(java_pattern_match("\\p{Alpha}\\p{Digit}", "a1", NULL), 1);
	assert_int_equal(java_pattern_match("\\p{Alnum}+", "a1B2", NULL), 1);
	assert_int_equal(java_pattern_match("\\p{Alnum}+", "a-1", NULL), 0);
	assert_int_equal(java_pattern_match("\\p{Punct}+", "!-/[`{~", NULL), 1);
	assert_int_equal(java_pattern_match("\\p{XDigit}+", "0aF", NULL), 1);
	assert_int_equal(java_pattern_match("\\p{XDigit}+", "g", NULL), 0);
	assert_int_equal(java_pattern_match("\\p{Space}", "\t", NULL), 1);
	assert_int_equal(java_pattern_match("\\p{ASCII}+", "a\x7f", NULL), 1);
	assert_int_equal(java_pattern_match("\\p{ASCII}", "\xc3\xa9", NULL), 0);
	assert_int_equal(java_pattern_match("\\p{Graph}", " ", NULL), 0);
	assert_int_equal(java_pattern_match("\\p{Print}", " ", NULL), 1);
	/* inside a character class, as Java allows */
	assert_int_equal(java_pattern_match("[\\p{Lower}\\p{Digit}-]+", "a-1", NULL), 1);
	assert_int_equal(java_pattern_match("[\\p{Lower}\\p{Digit}-]+", "a-1B", NULL), 0);
	assert_int_equal(java_pattern_match("[^\\p{Upper}]+", "ab", NULL), 1);
	assert_int_equal(java_pattern_match("[^\\p{Upper}]+", "aB", NULL), 0);
	assert_int_equal(java_pattern_match("[\\]\\p{Digit}]+", "]1", NULL), 1);
	/* an escaped backslash before p is a literal backslash, not a class */
	assert_int_equal(java_pattern_match("\\\\p\\{Lower\\}", "\\p{Lower}", NULL), 1);
}

static void test_pattern_unsupported_and_invalid(void **state)
{
	(void)state;
	char *why = NULL;
	assert_int_equal(java_pattern_match("\\p{javaLowerCase}+", "abc", &why), -1);
	assert_non_null(why);
	assert_non_null(strstr(why, "java"));
	free(why);
	why = NULL;
	assert_int_equal(java_pattern_match("\\p{IsAlphabetic}", "a", &why), -1);
	assert_non_null(why);
	free(why);
	why = NULL;
	assert_int_equal(java_pattern_match("\\p{InGreek}", "a", &why), -1);
	assert_non_null(why);
	free(why);

	why = NULL;
	assert_int_equal(java_pattern_match("[a-", "a", &why), -1);
	assert_non_null(why);
	assert_true(strlen(why) > 0);
	free(why);
	why = NULL;
	assert_int_equal(java_pattern_match("(a", "a", &why), -1);
	assert_non_null(why);
	free(why);
	/* no message asked for */
	assert_int_equal(java_pattern_match("(a", "a", NULL), -1);
	/* a pattern that is not UTF-8 */
	why = NULL;
	assert_int_equal(java_pattern_match("a\xff", "a", &why), -1);
	assert_non_null(why);
	free(why);
	/* *why is reset when there is nothing to report */
	why = (char *)1;
	assert_int_equal(java_pattern_match("a", "a", &why), 1);
	assert_null(why);
}

static void test_pattern_invalid_utf8_value(void **state)
{
	(void)state;
	const char *values[] = {"\xff",     "abc\xc3",      "\xc3\x28",
	                        "\xe2\x82", "\xed\xa0\x80", "\xf8\x88\x80\x80\x80",
	                        "\xc0\xaf"};
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char *why = NULL;
		assert_int_equal(java_pattern_match(".*", values[i], &why), -1);
		assert_non_null(why);
		assert_non_null(strstr(why, "UTF-8"));
		free(why);
		assert_int_equal(java_pattern_match("[a-z]+", values[i], NULL), -1);
	}
}

/* A parameter value must be UTF-8, each bound on both sides: the last code
 * point before the surrogates and the first after, the last code point,
 * overlong forms. */
static void test_value_utf8_edges(void **state)
{
	(void)state;
	static const struct {
		const char *value;
		bool valid;
	} cases[] = {
	    {"a\xed\x9f\xbf", true},
	    {"a\xed\xa0\x80", false},
	    {"a\xed\xbf\xbf", false},
	    {"a\xee\x80\x80", true},
	    {"a\xf4\x8f\xbf\xbf", true},
	    {"a\xf4\x90\x80\x80", false},
	    {"a\xe0\x9f\xbf", false},
	    {"a\xe0\xa0\x80", true},
	    {"a\xc1\xbf", false},
	    {"a\xc2\x80", true},
	    {"a\xf0\x8f\xbf\xbf", false},
	    {"a\xf0\x90\x80\x80", true},
	    /* lead bytes past the table, stray continuations, sequences cut
	     * short by the end of the value or by an ASCII byte */
	    {"a\xdf\xbf", true},
	    {"a\xef\xbf\xbf", true},
	    {"a\xf5\x80\x80\x80", false},
	    {"a\xf8\x88\x80\x80", false},
	    {"a\x80", false},
	    {"a\xbf", false},
	    {"a\xc0\x80", false},
	    {"a\xc2", false},
	    {"a\xe2\x82", false},
	    {"a\xf0\x90\x80", false},
	    {"a\xe2\x82"
	     "b",
	     false},
	    {"\xc3\xa9\xe2\x82\xac", true},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		findings f;
		validate_with("dev", "VpcCidr", cases[i].value, &f);
		bool flagged = false;
		for (size_t k = 0; k < f.n; k++)
			flagged = flagged || strstr(f.v[k].message, "not valid UTF-8") != NULL;
		if (flagged == cases[i].valid)
			fail_msg("case %zu: %s", i, flagged ? "flagged" : "not flagged");
		findings_free(&f);
	}
}

static void test_pattern_match_limit(void **state)
{
	(void)state;
	/* catastrophic backtracking ends at PCRE2's match limit: -1 with a
	 * message about the pattern, not about the value's encoding */
	char value[32];
	memset(value, 'a', sizeof(value) - 2);
	value[sizeof(value) - 2] = '!';
	value[sizeof(value) - 1] = '\0';
	char *why = NULL;
	assert_int_equal(java_pattern_match("(a|a)+[b-z]", value, &why), -1);
	assert_non_null(why);
	assert_null(strstr(why, "UTF-8"));
	free(why);
}

/* ---- CIDR helpers ------------------------------------------------------ */

static cidr4 cidr(const char *s)
{
	cidr4 c;
	bool zero;
	assert_true(cidr4_parse(s, &c, &zero));
	return c;
}

static void test_cidr4_parse(void **state)
{
	(void)state;
	cidr4 c;
	bool zero = false;
	assert_true(cidr4_parse("10.40.0.0/16", &c, &zero));
	assert_true(zero);
	assert_int_equal(c.addr, 0x0A280000u);
	assert_int_equal(c.prefix, 16);
	assert_true(cidr4_parse("10.40.0.1/16", &c, &zero));
	assert_false(zero);
	assert_int_equal(c.addr, 0x0A280000u);
	assert_true(cidr4_parse("0.0.0.0/0", &c, &zero));
	assert_true(zero);
	assert_true(cidr4_parse("1.2.3.4/0", &c, &zero));
	assert_false(zero);
	assert_int_equal(c.addr, 0);
	assert_true(cidr4_parse("255.255.255.255/32", &c, &zero));
	assert_true(zero);
	assert_int_equal(c.addr, 0xFFFFFFFFu);
	/* host_bits_zero may be NULL */
	assert_true(cidr4_parse("10.0.0.0/8", &c, NULL));

	static const char *const bad[] = {
	    "",
	    "10.40.0.0",
	    "10.40.0.0/",
	    "10.40.0/16",
	    "10.40.0.0.0/16",
	    "010.40.0.0/16",
	    "10.040.0.0/16",
	    "10.40.00.0/16",
	    "10.40.0.0/016",
	    "10.40.0.0/08",
	    "256.0.0.0/8",
	    "10.40.0.300/24",
	    "1000.0.0.0/8",
	    "10.40.0.0/33",
	    "10.40.0.0/99",
	    "10.40.0.0/-1",
	    " 10.40.0.0/16",
	    "10.40.0.0/16 ",
	    "10.40.0.0 /16",
	    "10.40.0.0/ 16",
	    "10. 40.0.0/16",
	    "+10.40.0.0/16",
	    "10.40.0.0/+16",
	    "a.b.c.d/8",
	    "10.40.0.0/16/16",
	    "10.40.0.0//16",
	    "10..0.0/16",
	    "10.40.0.0/1a",
	    "0x0a.0.0.0/8",
	    "10.40.0.0/16\n",
	    "4294967296/8",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (cidr4_parse(bad[i], &c, &zero))
			fail_msg("cidr4_parse accepted '%s'", bad[i]);
	}
}

static void test_cidr4_contains_overlap(void **state)
{
	(void)state;
	cidr4 vpc = cidr("10.40.0.0/16");
	assert_true(cidr4_contains(vpc, cidr("10.40.16.0/20")));
	assert_true(cidr4_contains(vpc, vpc));
	assert_true(cidr4_contains(vpc, cidr("10.40.255.255/32")));
	assert_false(cidr4_contains(cidr("10.40.16.0/20"), vpc));
	assert_false(cidr4_contains(vpc, cidr("10.41.0.0/24")));
	assert_false(cidr4_contains(vpc, cidr("10.0.0.0/8")));
	assert_true(cidr4_contains(cidr("0.0.0.0/0"), cidr("192.168.1.0/24")));
	assert_true(cidr4_contains(cidr("0.0.0.0/0"), cidr("0.0.0.0/0")));

	assert_true(cidr4_overlap(vpc, cidr("10.40.1.0/24")));
	assert_true(cidr4_overlap(cidr("10.40.1.0/24"), vpc));
	assert_true(cidr4_overlap(cidr("10.40.1.0/24"), cidr("10.40.1.0/24")));
	assert_false(cidr4_overlap(cidr("10.40.1.0/24"), cidr("10.40.2.0/24")));
	assert_false(cidr4_overlap(cidr("10.40.0.0/25"), cidr("10.40.0.128/25")));
	assert_true(cidr4_overlap(cidr("10.40.0.0/23"), cidr("10.40.1.128/25")));

	assert_int_equal(cidr4_size(cidr("10.0.0.0/32")), 1);
	assert_int_equal(cidr4_size(cidr("10.0.0.0/24")), 256);
	assert_int_equal(cidr4_size(cidr("0.0.0.0/0")), (uint64_t)1 << 32);
}

/* Java classes around character classes: a ']' first in a class (after
 * '[' or '[^') is a literal, a POSIX bracket class inside a class is kept,
 * a class that ended is not re-entered by the next \p{...}, an escaped
 * bracket is no class; the messages of a refused pattern and value. */
static void test_translate_edges(void **state)
{
	(void)state;
	static const struct {
		const char *pattern, *value;
		int want;
	} cases[] = {
	    {"[]a]+", "]a]", 1},
	    {"[]a]+", "b", 0},
	    {"[^]a]+", "bc", 1},
	    {"[^]a]+", "b]", 0},
	    {"[^]]", "a", 1},
	    {"[[:alpha:]]+", "ab", 1},
	    {"[[:alpha:]]+", "a1", 0},
	    {"[[:digit:]\\p{Lower}]+", "1a", 1},
	    {"[[:digit:]\\p{Lower}]+", "1A", 0},
	    {"[0-9]\\p{Lower}", "1a", 1},
	    {"[0-9]\\p{Lower}", "1A", 0},
	    {"[0-9]]\\p{Upper}", "1]A", 1},
	    {"\\[\\p{Digit}", "[1", 1},
	    {"\\[\\p{Digit}", "1", 0},
	    {"[\\p{Upper}]\\p{Digit}", "A1", 1},
	    {"[\\p{Upper}]\\p{Digit}", "A]", 0},
	    {"\\p{Lower}\\p{Upper}\\p{Digit}", "aB3", 1},
	    {"\\p{Blank}", " ", 1},
	    {"\\p{Blank}", "\n", 0},
	    {"[\\p{Blank}x]+", " x\t", 1},
	    {"\\p{Alpha}", "1", 0},
	    {"x:\\p{Lower}:]", "x:a:]", 1},
	    {"x:\\p{Lower}:]", "x:\xc3\xa9:]", 0}, /* Java's Lower is ASCII, PCRE2's is not */
	    {"[a\\p{Digit}]+", "a1", 1},
	    {"[a\\p{Digit}]+", "a1]", 0},
	    {"[]\\p{Lower}]+", "ab", 1},
	    {"[]\\p{Lower}]+", "a]", 1},
	    {"[^]\\p{Lower}]", "B", 1},
	    {"[^]\\p{Lower}]", "b", 0},
	    {"[^]\\p{Lower}]", "]", 0},
	    {"[^x]\\p{Upper}", "aB", 1},
	    {"[^x]\\p{Upper}", "xB", 0},
	    {"\\p{Lowe}", "a", -1},
	    {"a\\", "a", -1},
	};
	int failed = 0;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *why = NULL;
		int rc = java_pattern_match(cases[i].pattern, cases[i].value, &why);
		if (rc != cases[i].want) {
			print_error("%s against '%s': %d, want %d (%s)\n", cases[i].pattern,
			            cases[i].value, rc, cases[i].want, why ? why : "");
			failed++;
		}
		free(why);
	}
	assert_int_equal(failed, 0);
	char *why = NULL;
	assert_int_equal(java_pattern_match("(a", "a", &why), -1);
	assert_non_null(strstr(why, " at offset 2"));
	free(why);
	why = NULL;
	assert_int_equal(java_pattern_match("[a-z]", "\xff", &why), -1);
	assert_string_equal(why, "the value is not valid UTF-8");
	free(why);
	why = NULL;
	assert_int_equal(java_pattern_match("\\p{javaLowerCase}", "a", &why), -1);
	assert_string_equal(why, "Java-only character classes (\\p{javaX}, \\p{InX}, \\p{IsX}) "
	                         "are not supported");
	free(why);
	/* each Java-only family alone is refused as such, not by PCRE2 */
	static const char *const java_only[] = {"\\p{IsAlphabetic}", "\\p{InGreek}",
	                                        "\\p{javaUpperCase}"};
	for (size_t i = 0; i < 3; i++) {
		why = NULL;
		assert_int_equal(java_pattern_match(java_only[i], "a", &why), -1);
		if (!why || !strstr(why, "Java-only character classes"))
			fail_msg("%s: %s", java_only[i], why ? why : "no reason");
		free(why);
	}
	/* names that only start like the Java-only ones are PCRE2's to judge */
	assert_int_equal(java_pattern_match("\\p{L}", "a", NULL), 1);
	assert_int_equal(java_pattern_match("\\p{Lu}", "a", NULL), 0);
}

/* A companion catalog's own Region is its home: the edge's model in
 * us-east-1 is fine, eu-west-1 is the warning, naming us-east-1. */
static void test_mdl004_home_region(void **state)
{
	(void)state;
	char *saved = real_cat->region;
	real_cat->region = "us-east-1";
	findings f;
	validate_with("prod", "region", "us-east-1", &f);
	size_t n = count_rule(&f, "MDL004");
	findings_free(&f);
	validate_with("prod", "region", "eu-west-1", &f);
	const finding *x = find(&f, "MDL004", SEV_WARNING, "region");
	bool named = x && strstr(x->hint, "use us-east-1,") &&
	             strstr(x->message, "documented for us-east-1, not eu-west-1");
	findings_free(&f);
	real_cat->region = saved;
	assert_int_equal(n, 0);
	assert_true(named);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rule_table_in_id_order),
	    cmocka_unit_test(test_fresh_prod_has_no_findings),
	    cmocka_unit_test(test_fresh_staging_has_no_errors),
	    cmocka_unit_test(test_dev_single_nat_is_a_warning),
	    cmocka_unit_test(test_prod_single_nat_is_an_error),
	    cmocka_unit_test(test_prm001_type),
	    cmocka_unit_test(test_prm002_allowed_values),
	    cmocka_unit_test(test_prm003_pattern),
	    cmocka_unit_test(test_prm004_length),
	    cmocka_unit_test(test_prm005_range),
	    cmocka_unit_test(test_prm006_unsupported_pattern),
	    cmocka_unit_test(test_prm_invalid_utf8_value_is_an_error),
	    cmocka_unit_test(test_prm_aws_and_list_types),
	    cmocka_unit_test(test_mdl001_unknown_parameter),
	    cmocka_unit_test(test_mdl001_pipeline_parameter),
	    cmocka_unit_test(test_mdl001_pipeline_parameter_position),
	    cmocka_unit_test(test_missing_field_position),
	    cmocka_unit_test(test_mdl001_first_entry),
	    cmocka_unit_test(test_mdl001_suggests_first_parameter),
	    cmocka_unit_test(test_mdl002_missing_top_key),
	    cmocka_unit_test(test_mdl003_stack_name),
	    cmocka_unit_test(test_mdl004_region),
	    cmocka_unit_test(test_nam001_suffix_hyphens),
	    cmocka_unit_test(test_nam002_name_too_long_now),
	    cmocka_unit_test(test_nam002_fixture_longest_suffix),
	    cmocka_unit_test(test_nam003_name_without_suffix),
	    cmocka_unit_test(test_net001_cidr_syntax),
	    cmocka_unit_test(test_net002_subnet_outside_vpc),
	    cmocka_unit_test(test_net003_overlap),
	    cmocka_unit_test(test_net004_prefix_and_size),
	    cmocka_unit_test(test_net004_app_subnet_capacity),
	    cmocka_unit_test(test_net004_app_subnet_capacity_edges),
	    cmocka_unit_test(test_net005_three_azs_in_prod),
	    cmocka_unit_test(test_findings_carry_the_line),
	    cmocka_unit_test(test_bound_parameter_in_file),
	    cmocka_unit_test(test_finding_on_default_has_no_line),
	    cmocka_unit_test(test_pattern_anchoring),
	    cmocka_unit_test(test_pattern_posix_classes),
	    cmocka_unit_test(test_pattern_unsupported_and_invalid),
	    cmocka_unit_test(test_pattern_invalid_utf8_value),
	    cmocka_unit_test(test_value_utf8_edges),
	    cmocka_unit_test(test_param_value_edges),
	    cmocka_unit_test(test_pattern_match_limit),
	    cmocka_unit_test(test_cidr4_parse),
	    cmocka_unit_test(test_cidr4_contains_overlap),
	    cmocka_unit_test(test_translate_edges),
	    cmocka_unit_test(test_mdl004_home_region),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
