/* catalog: the real templates load with groups, labels, defaults and
 * profiles; every broken fixture catalog fails with FILE:LINE:COL. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "model/catalog.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static catalog *load_ok(const char *dir)
{
	lms_error err = {0};
	catalog *cat = catalog_load(dir, &err);
	if (!cat) {
		char *s = tu_error_text(&err);
		print_error("catalog_load(%s): %s\n", dir, s);
		free(s);
		lms_error_clear(&err);
	}
	assert_non_null(cat);
	return cat;
}

static int setup_templates(void **state)
{
	lms_error err = {0};
	*state = catalog_load(tu_templates_dir(), &err);
	if (!*state) {
		char *s = lms_error_format(&err);
		print_error("templates (%s) do not load: %s\n", tu_templates_dir(), s);
		free(s);
		lms_error_clear(&err);
		return -1;
	}
	return 0;
}

static int teardown_catalog(void **state)
{
	catalog_free(*state);
	return 0;
}

/* ---- the real templates ------------------------------------------------------------------- */

static void test_templates_fragments(void **state)
{
	const catalog *cat = *state;
	assert_true(cat->nfrags >= 3);
	assert_string_equal(cat->frags[0].name, "environment.yml");
	assert_string_equal(cat->frags[1].name, "network.yml");
	for (size_t i = 0; i < cat->nfrags; i++) {
		assert_non_null(cat->frags[i].doc);
		assert_non_null(strstr(cat->frags[i].path, cat->frags[i].name));
	}
	assert_non_null(ynode_str(cat->description));
	assert_true(strlen(cat->description->str) > 10);
}

static void test_templates_params_complete(void **state)
{
	const catalog *cat = *state;
	assert_true(cat->nparams >= 10);
	size_t grouped = 0;
	for (size_t g = 0; g < cat->ngroups; g++) {
		const cat_group *grp = &cat->groups[g];
		assert_non_null(grp->label);
		assert_true(grp->n > 0);
		for (size_t i = 0; i < grp->n; i++) {
			assert_true(grp->params[i] < cat->nparams);
			assert_int_equal(cat->params[grp->params[i]].group, g);
		}
		grouped += grp->n;
	}
	/* every parameter in exactly one group */
	assert_int_equal(grouped, cat->nparams);
	for (size_t i = 0; i < cat->nparams; i++) {
		const cat_param *p = &cat->params[i];
		assert_non_null(p->e.name);
		assert_non_null(p->type);
		assert_non_null(p->description);
		assert_non_null(p->default_value);
		assert_non_null(p->default_node);
		assert_string_equal(p->default_node->str, p->default_value);
		assert_non_null(p->label);
		assert_true(p->group < cat->ngroups);
		assert_ptr_equal(catalog_param(cat, p->e.name), p);
		/* the Default node lies in its fragment's text */
		assert_true(p->default_node->start.offset < p->e.frag->doc->len);
	}
}

static void test_templates_environment_params(void **state)
{
	const catalog *cat = *state;
	const cat_param *env = catalog_param(cat, "Environment");
	assert_non_null(env);
	assert_string_equal(env->e.frag->name, "environment.yml");
	assert_string_equal(env->type, "String");
	assert_string_equal(env->default_value, "dev");
	assert_string_equal(env->label, "Environment kind");
	assert_string_equal(cat->groups[env->group].label, "Environment");
	assert_non_null(env->allowed_values);
	assert_int_equal(env->allowed_values->n, 3);
	assert_string_equal(env->allowed_values->kids[2]->str, "prod");
	assert_non_null(env->constraint_description);

	const cat_param *suffix = catalog_param(cat, "EnvironmentSuffix");
	assert_non_null(suffix);
	assert_true(suffix->has_min_length);
	assert_true(suffix->has_max_length);
	assert_int_equal(suffix->min_length, 1);
	assert_int_equal(suffix->max_length, 12);
	assert_non_null(suffix->allowed_pattern);
	assert_null(suffix->allowed_values);
	assert_string_equal(suffix->label, "Environment suffix");
	assert_int_equal(suffix->group, env->group);
}

static void test_templates_network_params(void **state)
{
	const catalog *cat = *state;
	const cat_param *nat = catalog_param(cat, "NatGatewayMode");
	assert_non_null(nat);
	assert_string_equal(nat->e.frag->name, "network.yml");
	assert_string_equal(nat->default_value, "single");
	assert_string_equal(nat->label, "NAT gateways");
	assert_string_equal(cat->groups[nat->group].label, "Network");

	const cat_param *days = catalog_param(cat, "FlowLogRetentionDays");
	assert_non_null(days);
	assert_string_equal(days->type, "Number");
	assert_string_equal(days->default_value, "90");
	assert_int_equal(days->allowed_values->style, YSTYLE_FLOW);

	const cat_param *azs = catalog_param(cat, "AvailabilityZoneCount");
	assert_non_null(azs);
	assert_string_equal(azs->default_value, "2");
	assert_int_equal(azs->default_node->style, YSTYLE_SINGLE);

	assert_true(cat_type_is_list(catalog_param(cat, "PublicSubnetCidrs")->type));
	assert_null(catalog_param(cat, "NoSuchParameter"));
}

static void test_templates_profiles(void **state)
{
	const catalog *cat = *state;
	assert_string_equal(catalog_profile_value(cat, "prod", "NatGatewayMode"), "per-az");
	assert_string_equal(catalog_profile_value(cat, "staging", "NatGatewayMode"), "per-az");
	assert_string_equal(catalog_profile_value(cat, "dev", "NatGatewayMode"), "single");
	assert_string_equal(catalog_profile_value(cat, "prod", "AvailabilityZoneCount"), "3");
	assert_string_equal(catalog_profile_value(cat, "prod", "FlowLogRetentionDays"), "365");
	assert_string_equal(catalog_profile_value(cat, "dev", "FlowLogRetentionDays"), "90");
	/* a parameter no profile mentions takes its Default everywhere */
	assert_string_equal(catalog_profile_value(cat, "prod", "VpcCidr"),
	                    catalog_param(cat, "VpcCidr")->default_value);
	assert_null(catalog_profile_value(cat, "prod", "NoSuchParameter"));
	/* exact names: a prefix of a profiled parameter, or of an environment,
	 * is not it */
	assert_null(catalog_profile_value(cat, "prod", "NatGateway"));
	assert_string_equal(catalog_profile_value(cat, "pro", "NatGatewayMode"),
	                    catalog_param(cat, "NatGatewayMode")->default_value);
	assert_string_equal(catalog_profile_value(cat, "prod-eu", "NatGatewayMode"),
	                    catalog_param(cat, "NatGatewayMode")->default_value);
	for (size_t i = 0; i < cat->nprofile; i++) {
		const cat_profile_value *pv = &cat->profile[i];
		assert_non_null(catalog_param(cat, pv->param));
		assert_true(strcmp(pv->env, "dev") == 0 || strcmp(pv->env, "staging") == 0 ||
		            strcmp(pv->env, "prod") == 0);
	}
}

static void test_templates_entries(void **state)
{
	const catalog *cat = *state;
	const cat_entry *is_prod = catalog_entry(cat, SEC_CONDITIONS, "IsProd");
	assert_non_null(is_prod);
	assert_string_equal(is_prod->frag->name, "environment.yml");
	assert_string_equal(is_prod->value->tag, "!Equals");
	const cat_entry *vpc = catalog_entry(cat, SEC_RESOURCES, "Vpc");
	assert_non_null(vpc);
	assert_string_equal(vpc->frag->name, "network.yml");
	assert_string_equal(ynode_str(ynode_get(vpc->value, "Type")), "AWS::EC2::VPC");
	assert_int_equal(vpc->key->start.col, 3);
	assert_non_null(catalog_entry(cat, SEC_RESOURCES, "LogsKey"));
	assert_null(catalog_entry(cat, SEC_RESOURCES, "IsProd"));
	assert_null(catalog_entry(cat, SEC_CONDITIONS, "Vpc"));
	/* Metadata is not indexed as entries */
	assert_int_equal(cat->nentries[SEC_METADATA], 0);
}

/* ---- fixtures that load ------------------------------------------------------------------- */

static void test_fixture_ok(void **state)
{
	(void)state;
	char *dir = tu_fixture("catalog-ok");
	catalog *cat = load_ok(dir);
	assert_int_equal(cat->nfrags, 2);
	assert_int_equal(cat->nparams, 6);
	assert_int_equal(cat->ngroups, 2);
	assert_null(cat->transform);
	/* parameters in fragment order */
	static const char *const order[] = {"Environment", "EnvironmentSuffix", "ZoneCount",
	                                    "TaskCount",   "Subnets",           "Greeting"};
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(cat->params[i].e.name, order[i]);
	assert_string_equal(cat->groups[1].label, "App — façade");
	assert_ptr_equal(cat->groups[1].frag, &cat->frags[1]);
	assert_string_equal(catalog_param(cat, "ZoneCount")->label, "Availability zones");
	/* no ParameterLabels entry: the label is the name */
	assert_string_equal(catalog_param(cat, "Greeting")->label, "Greeting");
	assert_string_equal(catalog_param(cat, "Greeting")->default_value, "héllo wörld");
	const cat_param *tasks = catalog_param(cat, "TaskCount");
	assert_true(tasks->has_min_value && tasks->has_max_value);
	assert_true(tasks->min_value == 1.0 && tasks->max_value == 10.0);
	assert_false(tasks->has_min_length);
	assert_string_equal(catalog_profile_value(cat, "prod", "TaskCount"), "4");
	assert_string_equal(catalog_profile_value(cat, "prod", "Greeting"), "bonjour — prod");
	assert_string_equal(catalog_profile_value(cat, "staging", "EnvironmentSuffix"), "stg");
	assert_string_equal(catalog_profile_value(cat, "staging", "TaskCount"), "1");
	/* sections present per fragment */
	assert_non_null(cat->frags[0].value[SEC_CONDITIONS]);
	assert_null(cat->frags[1].value[SEC_CONDITIONS]);
	assert_null(cat->frags[0].value[SEC_OUTPUTS]);
	assert_non_null(cat->frags[1].value[SEC_OUTPUTS]);
	assert_int_equal(cat->frags[1].key[SEC_OUTPUTS]->start.line, 47);
	catalog_free(cat);
	free(dir);
}

static void test_type_is_list(void **state)
{
	(void)state;
	assert_true(cat_type_is_list("CommaDelimitedList"));
	assert_true(cat_type_is_list("List<AWS::EC2::Subnet::Id>"));
	assert_true(cat_type_is_list("List<Number>"));
	assert_false(cat_type_is_list("String"));
	assert_false(cat_type_is_list("Number"));
	assert_false(cat_type_is_list("AWS::SSM::Parameter::Value<List<String>>"));
	assert_false(cat_type_is_list(NULL));
}

/* ---- fixtures that must fail -------------------------------------------------------------- */

/* Loads fixture `name`, which must fail with an error at FILE:LINE:COL
 * (FILE inside the fixture, `col` 0 to leave the column out) whose message
 * contains `what`; returns the full message for further checks (free it). */
static char *expect_failure(const char *name, const char *file, size_t line, size_t col,
                            const char *what)
{
	char *dir = tu_fixture(name);
	lms_error err = {0};
	catalog *cat = catalog_load(dir, &err);
	if (cat) {
		print_error("%s loaded, expected: %s\n", name, what);
		catalog_free(cat);
		fail();
	}
	char *s = tu_error_text(&err);
	buf want;
	buf_init(&want, 0);
	buf_addf(&want, "%s/%s", dir, file);
	if (line)
		buf_addf(&want, ":%zu", line);
	if (col)
		buf_addf(&want, ":%zu", col);
	buf_adds(&want, ": ");
	if (strncmp(s, buf_cstr(&want), want.len) != 0) {
		print_error("%s: expected the error to start with \"%s\", got \"%s\"\n", name,
		            buf_cstr(&want), s);
		fail();
	}
	assert_contains(s, what);
	assert_int_equal(err.line, line);
	buf_free(&want);
	lms_error_clear(&err);
	free(dir);
	return s;
}

/* Writes `fragment` as a.yml of a one-fragment catalog in a new directory
 * and loads it; NULL (err set) when it does not load. *dir gets the
 * directory (free it with tu_rmtree and free). */
static catalog *load_text(const char *fragment, char **dir, lms_error *err)
{
	*dir = tu_mkdtemp();
	free(tu_write_file(*dir, "catalog.yml", "Description: t\nFragments: [a.yml]\n"));
	free(tu_write_file(*dir, "a.yml", fragment));
	return catalog_load(*dir, err);
}

/* Whether the fragment fails at a.yml:LINE:COL (line 0: anywhere) with
 * `what` in the message; says what it did otherwise. */
static bool text_fails(const char *fragment, size_t line, size_t col, const char *what)
{
	char *dir;
	lms_error err = {0};
	catalog *cat = load_text(fragment, &dir, &err);
	bool ok = cat == NULL;
	if (cat) {
		print_error("loaded, expected: %s\n", what);
		catalog_free(cat);
	} else {
		char *s = tu_error_text(&err);
		if ((line && (err.line != line || err.col != col)) || !strstr(s, what)) {
			print_error("expected a.yml:%zu:%zu: %s, got %s\n", line, col, what, s);
			ok = false;
		}
		free(s);
	}
	lms_error_clear(&err);
	tu_rmtree(dir);
	free(dir);
	return ok;
}

static void expect_text_failure(const char *fragment, size_t line, size_t col, const char *what)
{
	assert_true(text_fails(fragment, line, col, what));
}

#define ONE_GROUP                                                                                  \
	"Metadata:\n  AWS::CloudFormation::Interface:\n    ParameterGroups:\n"                     \
	"      - Label: {default: G}\n        Parameters: [P]\n"

/* A parameter's attributes: each number read, each malformed one refused
 * where it is written. */
static void test_param_attributes(void **state)
{
	(void)state;
	char *dir;
	lms_error err = {0};
	catalog *cat = load_text(ONE_GROUP "Parameters:\n"
	                                   "  P:\n"
	                                   "    Type: Number\n"
	                                   "    Description: d\n"
	                                   "    Default: 5\n"
	                                   "    MinLength: 0\n"
	                                   "    MaxLength: 12\n"
	                                   "    MinValue: -1.5\n"
	                                   "    MaxValue: 1e3\n"
	                                   "    AllowedValues: [1, 5]\n"
	                                   "    ConstraintDescription: c\n"
	                                   "    AllowedPattern: '[0-9]+'\n"
	                                   "    NoEcho: 'false'\n",
	                         &dir, &err);
	assert_non_null(cat);
	const cat_param *p = catalog_param(cat, "P");
	assert_non_null(p);
	assert_true(p->has_min_length);
	assert_int_equal(p->min_length, 0);
	assert_true(p->has_max_length);
	assert_int_equal(p->max_length, 12);
	assert_true(p->has_min_value && p->min_value == -1.5);
	assert_true(p->has_max_value && p->max_value == 1000);
	assert_string_equal(p->constraint_description, "c");
	assert_string_equal(p->allowed_pattern, "[0-9]+");
	assert_false(p->no_echo);
	assert_int_equal(p->allowed_values->n, 2);
	assert_null(catalog_param(cat, "PP"));
	assert_null(catalog_param(cat, ""));
	catalog_free(cat);
	catalog_free(NULL); /* nothing to free */
	tu_rmtree(dir);
	free(dir);
	cat = load_text(ONE_GROUP "Parameters:\n  P: {Type: String, Description: d, Default: x}\n",
	                &dir, &err);
	assert_non_null(cat);
	p = catalog_param(cat, "P");
	assert_false(p->has_min_length || p->has_max_length || p->has_min_value ||
	             p->has_max_value);
	catalog_free(cat);
	tu_rmtree(dir);
	free(dir);

	static const struct {
		const char *attr;
		size_t col;
		const char *what;
	} bad[] = {
	    {"MinLength: x", 16, "MinLength must be an integer"},
	    {"MaxLength: 1.5", 16, "MaxLength must be an integer"},
	    {"MinValue: abc", 15, "MinValue must be a number"},
	    {"MaxValue: 1e", 15, "MaxValue must be a number"},
	    {"AllowedValues: x", 20, "AllowedValues must be a list"},
	    {"AllowedValues: [a, [b]]", 24, "AllowedValues must hold plain values"},
	    {"ConstraintDescription: [c]", 28, "must be a plain value"},
	    {"Typo: x", 5, "unknown parameter attribute 'Typo'"},
	    {"Types: x", 5, "unknown parameter attribute 'Types'"},
	    {"Typ: x", 5, "unknown parameter attribute 'Typ'"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char text[512];
		snprintf(text, sizeof text,
		         ONE_GROUP "Parameters:\n  P:\n    Type: String\n    Description: d\n"
		                   "    Default: x\n    %s\n",
		         bad[i].attr);
		expect_text_failure(text, 11, bad[i].col, bad[i].what);
	}
	expect_text_failure(ONE_GROUP "Parameters:\n  P: [a]\n", 7, 6,
	                    "parameter 'P' must be a mapping");
	expect_text_failure(ONE_GROUP "Parameters:\n  P: {Description: d, Default: x}\n", 7, 3,
	                    "parameter 'P' has no Type");
	expect_text_failure(ONE_GROUP "Parameters:\n  P: {Type: String, Default: x}\n", 7, 3,
	                    "parameter 'P' has no Description");
}

#define IFACE "Metadata:\n  AWS::CloudFormation::Interface:\n"
#define PARAM_P "Parameters:\n  P: {Type: String, Description: d, Default: x}\n"
#define PARAM_S "  S: {Type: String, Description: s, Default: x, NoEcho: 'true'}\n"

/* The Metadata a fragment may hold, each malformed piece refused where it
 * is written. */
static void test_metadata_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		size_t line, col;
		const char *what;
	} cases[] = {
	    {IFACE "    ParameterGroups: x\n" PARAM_P, 3, 22, "ParameterGroups must be a list"},
	    {IFACE "    ParameterGroups:\n      - Parameters: [P]\n" PARAM_P, 4, 9,
	     "a parameter group needs Label: {default: ...} and a Parameters list"},
	    {IFACE "    ParameterGroups:\n      - {Label: {default: G}, Parameters: P}\n" PARAM_P,
	     4, 9, "a parameter group needs"},
	    {IFACE "    ParameterGroups:\n      - {Label: G, Parameters: [P]}\n" PARAM_P, 4, 9,
	     "a parameter group needs"},
	    {IFACE
	     "    ParameterGroups:\n      - {Label: {default: G}, Parameters: [P, Q]}\n" PARAM_P,
	     4, 47, "parameter group lists 'Q', which no fragment defines"},
	    {IFACE "    ParameterGroups:\n      - {Label: {default: G}, Parameters: [P]}\n"
	           "    ParameterLabels: x\n" PARAM_P,
	     5, 22, "ParameterLabels must be a mapping"},
	    {IFACE "    ParameterGroups:\n      - {Label: {default: G}, Parameters: [P]}\n"
	           "    ParameterLabels: {Q: {default: q}}\n" PARAM_P,
	     5, 23, "label for 'Q', which no fragment defines"},
	    {IFACE "    ParameterGroups:\n      - {Label: {default: G}, Parameters: [P]}\n"
	           "    ParameterLabels: {P: {defaults: q}}\n" PARAM_P,
	     5, 23, "label of 'P' needs default: TEXT"},
	    {IFACE "    ParameterGroups:\n      - {Label: {default: G}, Parameters: [P]}\n"
	           "  LmsCtl::Profiles: x\n" PARAM_P,
	     5, 21, "LmsCtl::Profiles must be a mapping"},
	    {IFACE "    ParameterGroups:\n      - {Label: {default: G}, Parameters: [P]}\n"
	           "  LmsCtl::Profiles: {prod: x}\n" PARAM_P,
	     5, 28, "profile 'prod' must be a mapping"},
	    {IFACE "    ParameterGroups:\n      - {Label: {default: G}, Parameters: [P]}\n"
	           "  LmsCtl::Profiles: {prods: {P: y}}\n" PARAM_P,
	     5, 22, "profile 'prods' is not an environment kind"},
	    {IFACE "    ParameterGroups:\n      - {Label: {default: G}, Parameters: [P]}\n"
	           "  LmsCtl::Profiles: {de: {P: y}}\n" PARAM_P,
	     5, 22, "profile 'de' is not an environment kind"},
	    {IFACE "    ParameterGroups:\n      - {Label: {default: G}, Parameters: [P]}\n"
	           "  LmsCtl::Profiles: {dev: {Q: y}}\n" PARAM_P,
	     5, 28, "profile sets 'Q', which no fragment defines"},
	    {IFACE "    ParameterGroups:\n      - {Label: {default: G}, Parameters: [P]}\n"
	           "  LmsCtl::Profiles: {dev: {P: [y]}}\n" PARAM_P,
	     5, 31, "profile value of 'P' must be plain"},
	    {IFACE "    ParameterGroups:\n      - {Label: {default: G}, Parameters: [P]}\n"
	           "  LmsCtl::PipelineParameters: P\n" PARAM_P,
	     5, 31, "LmsCtl::PipelineParameters must be a list"},
	    {IFACE "    ParameterGroups:\n      - {Label: {default: G}, Parameters: [P]}\n"
	           "  LmsCtl::PipelineParameters: [Q]\n" PARAM_P,
	     5, 32, "LmsCtl::PipelineParameters lists 'Q', which no fragment defines"},
	    {IFACE "    ParameterGroups:\n      - {Label: {default: G}, Parameters: [P, S]}\n"
	           "  LmsCtl::PipelineParameters: [S]\n" PARAM_P PARAM_S,
	     5, 32, "'S' is NoEcho: a secret is not the pipeline's to set"},
	    {IFACE "    ParameterGroups:\n      - {Label: {default: G}, Parameters: [P]}\n"
	           "  LmsCtl::Profiles: {prod: {P: y}}\n"
	           "  LmsCtl::PipelineParameters: [P]\n" PARAM_P,
	     5, 32, "profile sets 'P', which the pipeline owns"},
	    {IFACE "    ParameterGroups:\n      - {Label: {default: G}, Parameters: [P]}\n"
	           "  LmsCtl::Profile: {}\n" PARAM_P,
	     5, 3, "fragment Metadata holds only"},
	    {"- a\n", 1, 1, "a fragment is a block mapping of CloudFormation sections"},
	    /* a mapping, but a flow one: its sections would not splice */
	    {"{}\n", 1, 1, "a fragment is a block mapping of CloudFormation sections"},
	    {"{Resources: {R: {Type: AWS::SNS::Topic}}}\n", 1, 1,
	     "a fragment is a block mapping of CloudFormation sections"},
	    {"Parameters: ~\nMetadata: ~\n", 2, 1, "section 'Metadata' is out of order"},
	    {"", 0, 0, "a fragment is a block mapping of CloudFormation sections"},
	    {"# only a comment\n", 0, 0, "a fragment is a block mapping"},
	    {"Resources: {R: {Type: AWS::SNS::Topic}}\n", 1, 12,
	     "section 'Resources' must be a block mapping"},
	    {"Resourcess:\n  R: {Type: AWS::SNS::Topic}\n", 1, 1,
	     "'Resourcess' is not a fragment section"},
	    {"Resources:\n  R: {Type: AWS::SNS::Topic}\nResources:\n  S: {Type: AWS::SNS::Topic}\n",
	     0, 0, "Resources"},
	    {"Outputs:\n  O: {Value: x}\nResources:\n  R: {Type: AWS::SNS::Topic}\n", 3, 1,
	     "section 'Resources' is out of order"},
	};
	size_t failed = 0;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		failed += !text_fails(cases[i].text, cases[i].line, cases[i].col, cases[i].what);
	assert_int_equal(failed, 0);
	/* a fragment with no root node: the error names the file, no position */
	static const char *const empty[] = {"", "# only a comment\n"};
	for (size_t i = 0; i < 2; i++) {
		char *edir;
		lms_error eerr = {0};
		assert_null(load_text(empty[i], &edir, &eerr));
		assert_int_equal(eerr.line, 0);
		assert_int_equal(eerr.col, 0);
		assert_non_null(strstr(eerr.msg, "a fragment is a block mapping"));
		lms_error_clear(&eerr);
		tu_rmtree(edir);
		free(edir);
	}
	/* what loads: a label, profiles for each environment, an owned parameter, an
	 * empty section */
	char *dir;
	lms_error err = {0};
	catalog *cat = load_text(
	    IFACE "    ParameterGroups:\n      - {Label: {default: G}, Parameters: [P, S, T]}\n"
	          "    ParameterLabels: {P: {default: Pretty}}\n"
	          "  LmsCtl::Profiles: {dev: {P: d}, staging: {P: s}, prod: {P: p}}\n"
	          "  LmsCtl::PipelineParameters: [T]\n" PARAM_P PARAM_S
	          "  T: {Type: String, Description: t, Default: x}\nResources:\n",
	    &dir, &err);
	if (!cat)
		fail_msg("%s", err.msg);
	assert_string_equal(catalog_param(cat, "P")->label, "Pretty");
	assert_string_equal(catalog_param(cat, "S")->label, "S");
	assert_true(catalog_param(cat, "T")->pipeline_owned);
	assert_false(catalog_param(cat, "P")->pipeline_owned);
	assert_true(catalog_param(cat, "S")->no_echo);
	assert_string_equal(catalog_profile_value(cat, "dev", "P"), "d");
	assert_string_equal(catalog_profile_value(cat, "staging", "P"), "s");
	assert_string_equal(catalog_profile_value(cat, "prod", "P"), "p");
	assert_int_equal(cat->ngroups, 1);
	assert_int_equal(cat->groups[0].n, 3);
	catalog_free(cat);
	tu_rmtree(dir);
	free(dir);
}

/* Names in a catalog of hundreds (the name table grows past 256): none is
 * taken for another; a duplicate is found after the growth, and a
 * condition or an output may share a resource's name. */
static void test_many_names(void **state)
{
	(void)state;
	buf t;
	buf_init(&t, 0);
	buf_adds(&t, "Conditions:\n");
	for (int i = 0; i < 300; i++)
		buf_addf(&t, "  R%d: !Equals [a, a]\n", i);
	buf_adds(&t, "Resources:\n");
	for (int i = 0; i < 300; i++)
		buf_addf(&t, "  R%d: {Type: AWS::SNS::Topic}\n", i);
	buf_adds(&t, "Outputs:\n  R7: {Value: x}\n");
	char *dir;
	lms_error err = {0};
	catalog *cat = load_text(buf_cstr(&t), &dir, &err);
	if (!cat)
		fail_msg("%s", err.msg);
	assert_int_equal(cat->nentries[SEC_RESOURCES], 300);
	assert_int_equal(cat->nentries[SEC_CONDITIONS], 300);
	assert_non_null(catalog_entry(cat, SEC_RESOURCES, "R299"));
	assert_non_null(catalog_entry(cat, SEC_RESOURCES, "R0"));
	assert_null(catalog_entry(cat, SEC_RESOURCES, "R300"));
	assert_null(catalog_entry(cat, SEC_RESOURCES, "R"));
	assert_null(catalog_entry(cat, SEC_OUTPUTS, "R8"));
	assert_non_null(catalog_entry(cat, SEC_OUTPUTS, "R7"));
	catalog_free(cat);
	tu_rmtree(dir);
	free(dir);
	/* a resource named like a parameter, after the growth */
	buf_reset(&t);
	buf_adds(&t, ONE_GROUP "Parameters:\n  P: {Type: String, Description: d, Default: x}\n"
	                       "Resources:\n");
	for (int i = 0; i < 300; i++)
		buf_addf(&t, "  R%d: {Type: AWS::SNS::Topic}\n", i);
	buf_adds(&t, "  P: {Type: AWS::SNS::Topic}\n");
	expect_text_failure(buf_cstr(&t), 309, 3, "Resources 'P' is already defined in");
	buf_free(&t);
}

static void test_duplicate_resource_names_both_files(void **state)
{
	(void)state;
	char *s = expect_failure("catalog-dup", "b.yml", 5, 3, "Resources 'Bucket'");
	char *first = tu_fixture("catalog-dup/a.yml:2");
	assert_contains(s, "already defined in");
	assert_contains(s, first);
	free(first);
	free(s);
}

static void test_parameter_and_resource_share_a_name(void **state)
{
	(void)state;
	char *s = expect_failure("catalog-dup-param", "b.yml", 2, 3, "'Store' is already defined");
	char *first = tu_fixture("catalog-dup-param/a.yml:9");
	assert_contains(s, first);
	free(first);
	free(s);
}

static void test_bad_indent(void **state)
{
	(void)state;
	free(expect_failure("catalog-badindent", "a.yml", 3, 5,
	                    "'Bucket' must be indented by two spaces"));
}

static void test_unparsable_fragment(void **state)
{
	(void)state;
	free(expect_failure("catalog-unparsable", "a.yml", 5, 8, "did not find expected ','"));
}

static void test_sections_out_of_order(void **state)
{
	(void)state;
	free(
	    expect_failure("catalog-order", "a.yml", 5, 1, "section 'Conditions' is out of order"));
}

static void test_unknown_section(void **state)
{
	(void)state;
	free(expect_failure("catalog-unknown-section", "a.yml", 4, 1,
	                    "'Description' is not a fragment section"));
}

static void test_parameter_in_no_group(void **state)
{
	(void)state;
	free(expect_failure("catalog-nogroup", "a.yml", 2, 3,
	                    "parameter 'Lonely' is in no ParameterGroups entry"));
}

static void test_parameter_in_two_groups(void **state)
{
	(void)state;
	free(expect_failure("catalog-twogroups", "a.yml", 11, 13,
	                    "'Size' is listed in two parameter groups"));
}

static void test_parameter_without_default(void **state)
{
	(void)state;
	free(expect_failure("catalog-nodefault", "a.yml", 6, 3,
	                    "parameter 'NoDefault' has no Default"));
}

static void test_misspelt_attribute(void **state)
{
	(void)state;
	free(expect_failure("catalog-badattr", "a.yml", 5, 5,
	                    "unknown parameter attribute 'Defualt'"));
}

static void test_profile_for_unknown_environment(void **state)
{
	(void)state;
	free(expect_failure("catalog-badprofile", "a.yml", 11, 5,
	                    "profile 'qa' is not an environment kind"));
}

static void test_profile_key_not_a_name(void **state)
{
	(void)state;
	free(expect_failure("catalog-badprofile-key", "a.yml", 9, 5, "is not an environment kind"));
}

static void test_labels_not_a_mapping(void **state)
{
	(void)state;
	free(expect_failure("catalog-badlabels", "a.yml", 9, 7,
	                    "ParameterLabels must be a mapping"));
}

static void test_missing_fragment(void **state)
{
	(void)state;
	free(expect_failure("catalog-missing", "nothere.yml", 0, 0, "cannot open"));
}

static void test_index_not_a_mapping(void **state)
{
	(void)state;
	free(expect_failure("catalog-index-list", "catalog.yml", 2, 1,
	                    "needs a Description and a list of Fragments"));
}

static void test_index_unknown_key(void **state)
{
	(void)state;
	free(expect_failure("catalog-index-unknown", "catalog.yml", 4, 1,
	                    "unknown key 'Parameters'"));
}

static void test_templates_pipeline_parameters(void **state)
{
	const catalog *cat = *state;
	/* the platform's one: the image the pipeline deploys */
	assert_true(catalog_param(cat, "ContainerImage")->pipeline_owned);
	size_t owned = 0;
	for (size_t i = 0; i < cat->nparams; i++)
		owned += cat->params[i].pipeline_owned;
	assert_int_equal(owned, 1);
}

static void test_pipeline_parameter_unknown(void **state)
{
	(void)state;
	free(expect_failure("catalog-pipeline-unknown", "a.yml", 10, 7,
	                    "LmsCtl::PipelineParameters lists 'Imgae', which no fragment"));
}

static void test_pipeline_parameter_in_profile(void **state)
{
	(void)state;
	free(expect_failure("catalog-pipeline-profile", "a.yml", 10, 14,
	                    "profile sets 'Image', which the pipeline owns"));
}

/* The main catalog names the edge; the edge's catalog loads, lives in
 * us-east-1, and every parameter it takes from the main stack names an
 * output the main catalog has (the interface of the two-stack deploy). */
static void test_templates_companions(void **state)
{
	const catalog *cat = *state;
	assert_null(cat->region);
	assert_int_equal(cat->ncompanions, 1);
	const cat_companion *edge = catalog_companion(cat, "edge");
	assert_non_null(edge);
	assert_null(catalog_companion(cat, "edg"));
	assert_null(catalog_companion(cat, "main"));
	assert_string_equal(edge->catalog, "edge/catalog.yml");
	assert_string_equal(edge->region, "us-east-1");
	lms_error err = {0};
	catalog *ec = catalog_load_companion(cat, edge, &err);
	assert_non_null(ec);
	assert_string_equal(ec->region, "us-east-1");
	assert_int_equal(ec->ncompanions, 0);
	size_t fed = 0;
	for (size_t i = 0; i < ec->nparams; i++) {
		const cat_param *p = &ec->params[i];
		if (!p->from_output)
			continue;
		fed++;
		if (!catalog_entry(cat, SEC_OUTPUTS, p->from_output)) {
			print_error("edge parameter %s: the main stack has no output %s\n",
			            p->e.name, p->from_output);
			fail();
		}
	}
	assert_int_equal(fed, 10);
	assert_string_equal(catalog_param(ec, "AlbArn")->from_output, "AlbArn");
	assert_null(catalog_param(ec, "EnvironmentSuffix")->from_output);
	catalog_free(ec);
}

static void test_companion_outside_templates(void **state)
{
	(void)state;
	free(expect_failure("catalog-companion-outside", "catalog.yml", 5, 5,
	                    "companion 'edge': Catalog must be DIR/catalog.yml inside"));
}

static void test_companion_named_twice(void **state)
{
	(void)state;
	free(expect_failure("catalog-companion-dup", "catalog.yml", 8, 5,
	                    "companion 'edge' is named twice"));
}

static void test_from_outputs_unknown_parameter(void **state)
{
	(void)state;
	free(expect_failure("catalog-from-outputs-unknown", "a.yml", 10, 5,
	                    "LmsCtl::FromStackOutputs lists 'AlbOrigin', which no fragment"));
}

static void test_missing_directory(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	lms_error err = {0};
	assert_null(catalog_load(dir, &err));
	char *s = tu_error_text(&err);
	char *want = tu_join(dir, "catalog.yml: cannot open");
	assert_contains(s, want);
	free(want);
	free(s);
	lms_error_clear(&err);
	/* err may be NULL */
	assert_null(catalog_load(dir, NULL));
	tu_rmtree(dir);
	free(dir);
}

/* Out of memory while loading: the error names the directory, no position
 * (line and column 0: not line 1 of some file). The first allocation is the
 * catalog itself; the second, the copy of the directory's name. */
static void test_out_of_memory_has_no_position(void **state)
{
	(void)state;
	for (size_t n = 0; n < 2; n++) {
		lms_error err = {0};
		alloc_fail_after(n);
		catalog *cat = catalog_load(tu_templates_dir(), &err);
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		assert_true(fired);
		assert_null(cat);
		assert_string_equal(err.msg, "out of memory");
		assert_string_equal(err.file, tu_templates_dir());
		assert_int_equal(err.line, 0);
		assert_int_equal(err.col, 0);
		lms_error_clear(&err);
	}
}

/* Out of memory in catalog_load_companion: the companion's directory name
 * (the first allocation) and its region (the last one) each fail with the
 * main catalog's directory and no position (line and column 0). */
static void test_companion_out_of_memory(void **state)
{
	const catalog *cat = *state;
	const cat_companion *edge = catalog_companion(cat, "edge");
	assert_non_null(edge);
	alloc_fail_after((size_t)-1);
	lms_error err = {0};
	catalog *ec = catalog_load_companion(cat, edge, &err);
	size_t total = alloc_fail_count();
	alloc_fail_off();
	assert_non_null(ec);
	catalog_free(ec);
	assert_true(total > 2);
	size_t at[] = {0, total - 1};
	for (size_t i = 0; i < 2; i++) {
		lms_error e2 = {0};
		alloc_fail_after(at[i]);
		ec = catalog_load_companion(cat, edge, &e2);
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		assert_true(fired);
		assert_null(ec);
		assert_string_equal(e2.msg, "out of memory");
		assert_string_equal(e2.file, cat->dir);
		assert_int_equal(e2.line, 0);
		assert_int_equal(e2.col, 0);
		lms_error_clear(&e2);
	}
}

/* Out of memory at each allocation of catalog_load (a small catalog with a
 * group, a parameter, a condition, resources and an output) and of
 * catalog_add_fragment: the error says so, and a position is a line and a
 * column or neither; the catalog a failed add leaves is whole. A second
 * generated fragment is refused with no position. */
static void oom_check(const lms_error *err)
{
	if (!err->msg ||
	    (!strstr(err->msg, "out of memory") && !strstr(err->msg, "Cannot allocate memory")))
		fail_msg("%s", err->msg ? err->msg : "no message");
	if ((err->line == 0) != (err->col == 0))
		fail_msg("%s:%zu:%zu: %s", err->file ? err->file : "?", err->line, err->col,
		         err->msg);
}

static void test_out_of_memory_sweep(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	free(tu_write_file(dir, "catalog.yml", "Description: t\nFragments: [a.yml]\n"));
	free(tu_write_file(dir, "a.yml",
	                   ONE_GROUP
	                   "Parameters:\n  P: {Type: String, Description: d, Default: x}\n"
	                   "Conditions:\n  C: !Equals [a, a]\nResources:\n"
	                   "  R: {Type: AWS::SNS::Topic}\n  S: {Type: AWS::SNS::Topic}\n"
	                   "Outputs:\n  O: {Value: x}\n"));
	size_t n = 0;
	for (;; n++) {
		lms_error err = {0};
		alloc_fail_after(n);
		catalog *cat = catalog_load(dir, &err);
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		if (!fired) {
			assert_non_null(cat);
			catalog_free(cat);
			break;
		}
		assert_null(cat);
		oom_check(&err);
		lms_error_clear(&err);
	}
	assert_true(n >= 8);
	static const char gen[] = "Conditions:\n  G: !Equals [a, a]\nResources:\n"
	                          "  G1: {Type: AWS::SNS::Topic}\n";
	for (n = 0;; n++) {
		lms_error err = {0};
		catalog *cat = catalog_load(dir, &err);
		assert_non_null(cat);
		alloc_fail_after(n);
		bool ok = catalog_add_fragment(cat, "gen.yml", gen, strlen(gen), &err);
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		if (!fired) {
			assert_true(ok);
			assert_false(catalog_add_fragment(cat, "gen2.yml", gen, strlen(gen), &err));
			assert_string_equal(err.msg, "the catalog takes one generated fragment");
			assert_string_equal(err.file, "gen2.yml");
			assert_int_equal(err.line, 0);
			assert_int_equal(err.col, 0);
			lms_error_clear(&err);
			catalog_free(cat);
			break;
		}
		if (!ok) {
			oom_check(&err);
			lms_error_clear(&err);
			assert_null(catalog_entry(cat, SEC_RESOURCES, "G1"));
			assert_null(catalog_entry(cat, SEC_CONDITIONS, "G"));
			assert_non_null(catalog_entry(cat, SEC_RESOURCES, "S"));
		}
		catalog_free(cat);
	}
	assert_true(n >= 4);
	tu_rmtree(dir);
	free(dir);
}

/* The first attribute of a parameter and the first of its AllowedValues
 * are checked like the others. */
static void test_first_attribute_checked(void **state)
{
	(void)state;
	expect_text_failure(ONE_GROUP "Parameters:\n  P: {Typo: x, Type: String, Description: d, "
	                              "Default: x}\n",
	                    7, 7, "unknown parameter attribute 'Typo'");
	expect_text_failure(ONE_GROUP "Parameters:\n  P: {AllowedValues: x, Type: String, "
	                              "Description: d, Default: x}\n",
	                    7, 22, "AllowedValues must be a list");
	expect_text_failure(ONE_GROUP
	                    "Parameters:\n  P: {Type: String, Description: d, Default: x, "
	                    "AllowedValues: [[x], x]}\n",
	                    7, 65, "AllowedValues must hold plain values");
}

/* FNV-1a of the catalog's name table (model/catalog.c name_hash). */
static size_t fnv_slot(const char *name, int space, size_t cap)
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * UINT64_C(1099511628211);
	return (size_t)(h ^ (uint64_t)space) & (cap - 1);
}

/* The name table keeps every name when it grows, the one in its first slot
 * too: a parameter whose name hashes to slot 0 of the first table (256
 * slots), then 200 resources (the table grows at 128 names), then a
 * resource of the parameter's name, refused as already defined. */
static void test_names_grow_keeps_slot_0(void **state)
{
	(void)state;
	char name[16] = "";
	for (int i = 0; i < 100000; i++) {
		snprintf(name, sizeof name, "P%d", i);
		if (fnv_slot(name, SEC_PARAMETERS, 256) == 0)
			break;
	}
	assert_int_equal(fnv_slot(name, SEC_PARAMETERS, 256), 0);
	buf t;
	buf_init(&t, 0);
	buf_addf(&t,
	         "Metadata:\n  AWS::CloudFormation::Interface:\n    ParameterGroups:\n"
	         "      - Label: {default: G}\n        Parameters: [%s]\n"
	         "Parameters:\n  %s: {Type: String, Description: d, Default: x}\nResources:\n",
	         name, name);
	for (int i = 0; i < 200; i++)
		buf_addf(&t, "  R%d: {Type: AWS::SNS::Topic}\n", i);
	buf_addf(&t, "  %s: {Type: AWS::SNS::Topic}\n", name);
	char what[64];
	snprintf(what, sizeof what, "Resources '%s' is already defined", name);
	expect_text_failure(buf_cstr(&t), 209, 3, what);
	buf_free(&t);
}

/* catalog_free releases everything a load took: every section's entries
 * (Metadata's too), groups, profiles, the pipeline's list, the fragments. */
static void test_free_releases_everything(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	free(tu_write_file(dir, "catalog.yml", "Description: t\nFragments: [a.yml]\n"));
	free(tu_write_file(dir, "a.yml",
	                   ONE_GROUP
	                   "  LmsCtl::Profiles: {prod: {P: y}}\n"
	                   "Parameters:\n  P: {Type: String, Description: d, Default: x}\n"
	                   "Conditions:\n  C: !Equals [a, a]\nResources:\n"
	                   "  R: {Type: AWS::SNS::Topic}\nOutputs:\n  O: {Value: x}\n"));
	size_t live = alloc_live();
	lms_error err = {0};
	catalog *cat = catalog_load(dir, &err);
	if (!cat)
		fail_msg("%s", err.msg);
	assert_non_null(catalog_profile_value(cat, "prod", "P"));
	catalog_free(cat);
	assert_int_equal(alloc_live(), live);
	tu_rmtree(dir);
	free(dir);
}

/* Writes catalog.yml `index` and a.yml `fragment` in a new directory and
 * loads it (NULL, err set, when it does not load). */
static catalog *load_index(const char *index, const char *fragment, char **dir, lms_error *err)
{
	*dir = tu_mkdtemp();
	free(tu_write_file(*dir, "catalog.yml", index));
	free(tu_write_file(*dir, "a.yml", fragment));
	return catalog_load(*dir, err);
}

/* Whether catalog.yml `index` fails to load with `what` in the message. */
static bool index_fails(const char *index, const char *what)
{
	char *dir;
	lms_error err = {0};
	catalog *cat = load_index(index, "Resources:\n  R: {Type: AWS::SNS::Topic}\n", &dir, &err);
	bool ok = !cat && err.msg && strstr(err.msg, what);
	if (!ok)
		print_error("%s: expected '%s', got %s\n", index, what,
		            cat ? "a catalog" : (err.msg ? err.msg : "no message"));
	catalog_free(cat);
	lms_error_clear(&err);
	tu_rmtree(dir);
	free(dir);
	return ok;
}

/* catalog.yml's keys exactly (each with one more character is unknown), its
 * Description and Fragments, fragment names; companions entry by entry:
 * four keys, an empty name or region, a catalog path at its edges. */
static void test_index_edges(void **state)
{
	(void)state;
	static const struct {
		const char *index, *what;
	} cases[] = {
	    {"Description: t\nFragments: [a.yml]\nFragmentsX: [a.yml]\n",
	     "unknown key 'FragmentsX'"},
	    {"Description: t\nDescriptionX: t\nFragments: [a.yml]\n", "unknown key 'DescriptionX'"},
	    {"Description: t\nTransformX: x\nFragments: [a.yml]\n", "unknown key 'TransformX'"},
	    {"Description: t\nCompanionsX: []\nFragments: [a.yml]\n", "unknown key 'CompanionsX'"},
	    {"Description: t\nFragments: []\n", "needs a Description and a list of Fragments"},
	    {"Description: t\nFragments: a.yml\n", "needs a Description and a list of Fragments"},
	    {"Description: [t]\nFragments: [a.yml]\n", "needs a Description and a list"},
	    {"Fragments: [a.yml]\n", "needs a Description and a list"},
	    {"Description: t\nFragments: ['']\n", "a fragment is a file name in the templates"},
	    {"Description: t\nFragments: [x/a.yml]\n",
	     "a fragment is a file name in the templates"},
	    {"Description: t\nFragments: [[a.yml]]\n",
	     "a fragment is a file name in the templates"},
	    {"Description: t\nCompanions: x\nFragments: [a.yml]\n", "Companions must be a list"},
	    {"Description: t\nCompanions:\n  - {Name: e, Catalog: e/catalog.yml, Region: r, X: 1}\n"
	     "Fragments: [a.yml]\n",
	     "a companion is {Name, Catalog, Region}"},
	    {"Description: t\nCompanions:\n  - {Name: e, Catalog: e/catalog.yml}\n"
	     "Fragments: [a.yml]\n",
	     "a companion is {Name, Catalog, Region}"},
	    {"Description: t\nCompanions:\n  - {Name: '', Catalog: e/catalog.yml, Region: r}\n"
	     "Fragments: [a.yml]\n",
	     "a companion is {Name, Catalog, Region}"},
	    {"Description: t\nCompanions:\n  - {Name: e, Catalog: e/catalog.yml, Region: ''}\n"
	     "Fragments: [a.yml]\n",
	     "a companion is {Name, Catalog, Region}"},
	    {"Description: t\nCompanions:\n  - {Name: e, Catalog: [e], Region: r}\n"
	     "Fragments: [a.yml]\n",
	     "a companion is {Name, Catalog, Region}"},
	    {"Description: t\nCompanions:\n  - {Name: e, Cat: e/catalog.yml, Region: r}\n"
	     "Fragments: [a.yml]\n",
	     "a companion is {Name, Catalog, Region}"},
	    {"Description: t\nCompanions:\n  - [e]\nFragments: [a.yml]\n",
	     "a companion is {Name, Catalog, Region}"},
	    {"Description: t\nCompanions:\n  - {Name: e, Catalog: catalog.yml, Region: r}\n"
	     "Fragments: [a.yml]\n",
	     "Catalog must be DIR/catalog.yml"},
	    {"Description: t\nCompanions:\n  - {Name: e, Catalog: /e/catalog.yml, Region: r}\n"
	     "Fragments: [a.yml]\n",
	     "Catalog must be DIR/catalog.yml"},
	    {"Description: t\nCompanions:\n  - {Name: e, Catalog: e/../catalog.yml, Region: r}\n"
	     "Fragments: [a.yml]\n",
	     "Catalog must be DIR/catalog.yml"},
	    {"Description: t\nCompanions:\n  - {Name: e, Catalog: e/xcatalog.yml, Region: r}\n"
	     "Fragments: [a.yml]\n",
	     "Catalog must be DIR/catalog.yml"},
	    {"Description: t\nCompanions:\n  - {Name: e, Catalog: e/catalog.ym, Region: r}\n"
	     "Fragments: [a.yml]\n",
	     "Catalog must be DIR/catalog.yml"},
	    {"Description: t\nCompanions:\n  - {Name: e, Catalog: e/catalog.yml, Region: r}\n"
	     "  - {Name: f, Catalog: f/catalog.yml, Region: r}\n"
	     "  - {Name: e, Catalog: g/catalog.yml, Region: r}\n"
	     "Fragments: [a.yml]\n",
	     "companion 'e' is named twice"},
	};
	size_t failed = 0;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		failed += !index_fails(cases[i].index, cases[i].what);
	assert_int_equal(failed, 0);
	/* what loads: two companions (named like each other's prefix), a catalog at the
	 * shortest (x/catalog.yml), none at all */
	char *dir;
	lms_error err = {0};
	catalog *cat =
	    load_index("Description: t\nTransform: AWS::Serverless-2016-10-31\n"
	               "Companions:\n  - {Name: ed, Catalog: x/catalog.yml, Region: r1}\n"
	               "  - {Name: edge, Catalog: e/f/catalog.yml, Region: r2}\n"
	               "Fragments: [a.yml]\n",
	               "Resources:\n  R: {Type: AWS::SNS::Topic}\n", &dir, &err);
	if (!cat)
		fail_msg("%s", err.msg);
	assert_int_equal(cat->ncompanions, 2);
	assert_string_equal(catalog_companion(cat, "ed")->region, "r1");
	assert_string_equal(catalog_companion(cat, "edge")->region, "r2");
	assert_null(catalog_companion(cat, "e"));
	assert_string_equal(cat->transform, "AWS::Serverless-2016-10-31");
	/* the companion's directory is its Catalog without /catalog.yml */
	free(tu_mkdir(dir, "x"));
	free(tu_write_file(dir, "x/catalog.yml", "Description: c\nFragments: [b.yml]\n"));
	free(tu_write_file(dir, "x/b.yml", "Resources:\n  B: {Type: AWS::SNS::Topic}\n"));
	catalog *cc = catalog_load_companion(cat, catalog_companion(cat, "ed"), &err);
	if (!cc)
		fail_msg("%s", err.msg);
	assert_string_equal(cc->region, "r1");
	assert_non_null(catalog_entry(cc, SEC_RESOURCES, "B"));
	catalog_free(cc);
	assert_null(catalog_load_companion(cat, catalog_companion(cat, "edge"), &err));
	lms_error_clear(&err);
	catalog_free(cat);
	tu_rmtree(dir);
	free(dir);
	cat = load_index("Description: t\nCompanions: []\nFragments: [a.yml]\n",
	                 "Resources:\n  R: {Type: AWS::SNS::Topic}\n", &dir, &err);
	assert_non_null(cat);
	assert_int_equal(cat->ncompanions, 0);
	assert_null(cat->transform);
	catalog_free(cat);
	tu_rmtree(dir);
	free(dir);
}

/* Attributes and Metadata keys exactly: NoEcho's spellings, a Default that is
 * no plain value, each Metadata key with one more character, FromStackOutputs'
 * forms, the list types. */
static void test_attribute_edges(void **state)
{
	(void)state;
	static const struct {
		const char *noecho;
		bool on;
	} echoes[] = {{"'true'", true},   {"'True'", true},   {"'TRUE'", false},
	              {"'truex'", false}, {"'Truex'", false}, {"'tru'", false}};
	for (size_t i = 0; i < sizeof echoes / sizeof *echoes; i++) {
		char text[256];
		snprintf(text, sizeof text,
		         ONE_GROUP "Parameters:\n  P: {Type: String, Description: d, Default: x, "
		                   "NoEcho: %s}\n",
		         echoes[i].noecho);
		char *dir;
		lms_error err = {0};
		catalog *cat = load_text(text, &dir, &err);
		if (!cat)
			fail_msg("%s: %s", echoes[i].noecho, err.msg);
		if (catalog_param(cat, "P")->no_echo != echoes[i].on)
			fail_msg("NoEcho %s read as %d", echoes[i].noecho, !echoes[i].on);
		catalog_free(cat);
		tu_rmtree(dir);
		free(dir);
	}
	expect_text_failure(ONE_GROUP "Parameters:\n  P: {Type: String, Description: d, "
	                              "Default: [x]}\n",
	                    7, 3, "parameter 'P' has no Default");
	expect_text_failure(ONE_GROUP "Parameters:\n  P: {Type: String, Description: [d], "
	                              "Default: x}\n",
	                    7, 34, "parameter attribute Description must be a plain value");
	expect_text_failure(ONE_GROUP "Parameters:\n  P: {Type: String, Description: d, "
	                              "Default: x, [a]: b}\n",
	                    7, 49, "unknown parameter attribute '?'");
	static const char *const keys[] = {"AWS::CloudFormation::InterfaceX", "LmsCtl::ProfilesX",
	                                   "LmsCtl::PipelineParametersX",
	                                   "LmsCtl::FromStackOutputsX"};
	for (size_t i = 0; i < 4; i++) {
		char text[512];
		snprintf(text, sizeof text, ONE_GROUP "  %s: {}\n" PARAM_P, keys[i]);
		expect_text_failure(text, 6, 3, "fragment Metadata holds only");
	}
	expect_text_failure(ONE_GROUP "  LmsCtl::FromStackOutputs: x\n" PARAM_P, 6, 29,
	                    "LmsCtl::FromStackOutputs must map parameters to output names");
	expect_text_failure(ONE_GROUP "  LmsCtl::FromStackOutputs: {P: ''}\n" PARAM_P, 6, 33,
	                    "'P' needs an output name");
	expect_text_failure(ONE_GROUP "  LmsCtl::FromStackOutputs: {P: [o]}\n" PARAM_P, 6, 33,
	                    "'P' needs an output name");
	char *dir;
	lms_error err = {0};
	catalog *cat =
	    load_text(ONE_GROUP "  LmsCtl::FromStackOutputs: {P: Out}\n" PARAM_P, &dir, &err);
	if (!cat)
		fail_msg("%s", err.msg);
	assert_string_equal(catalog_param(cat, "P")->from_output, "Out");
	catalog_free(cat);
	tu_rmtree(dir);
	free(dir);
	assert_false(cat_type_is_list("CommaDelimitedListX"));
	assert_false(cat_type_is_list("CommaDelimitedLis"));
	assert_false(cat_type_is_list("ListOfThings"));
	assert_false(cat_type_is_list("List"));
	assert_true(cat_type_is_list("List<"));
}

/* The one generated fragment: it joins the catalog once, defines no
 * parameters, shares no name with the catalog's (or its parameters'), and a
 * refused one leaves nothing of its entries behind. */
static void test_add_fragment(void **state)
{
	(void)state;
	char *dir;
	lms_error err = {0};
	/* enough names that the resumed table grows past 256 slots */
	buf t;
	buf_init(&t, 0);
	buf_adds(&t, ONE_GROUP "Parameters:\n  P: {Type: String, Description: d, Default: x}\n"
	                       "Conditions:\n  C: !Equals [a, a]\nResources:\n");
	for (int i = 0; i < 200; i++)
		buf_addf(&t, "  R%d: {Type: AWS::SNS::Topic}\n", i);
	catalog *cat = load_text(buf_cstr(&t), &dir, &err);
	buf_free(&t);
	if (!cat)
		fail_msg("%s", err.msg);
	size_t nfrags = cat->nfrags;
	static const struct {
		const char *text, *what;
	} bad[] = {
	    {"Resources:\n  R7: {Type: AWS::SNS::Topic}\n", "Resources 'R7' is already defined"},
	    {"Resources:\n  R199: {Type: AWS::SNS::Topic}\n",
	     "Resources 'R199' is already defined"},
	    {"Resources:\n  P: {Type: AWS::SNS::Topic}\n", "Resources 'P' is already defined"},
	    {"Conditions:\n  G: !Equals [a, a]\n  C: !Equals [a, b]\nResources:\n"
	     "  G1: {Type: AWS::SNS::Topic}\n",
	     "Conditions 'C' is already defined"},
	    {"Conditions:\n  G: !Equals [a, a]\nResources:\n  G1: {Type: AWS::SNS::Topic}\n"
	     "  R0: {Type: AWS::SNS::Topic}\n",
	     "Resources 'R0' is already defined"},
	    {"Parameters:\n  Q: {Type: String, Description: d, Default: x}\n",
	     "a generated fragment defines no parameters"},
	    {"Resources: [x]\n", "section 'Resources' must be a block mapping"},
	    {"Resources:\n  X: [\n", ""},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (catalog_add_fragment(cat, "gen.yml", bad[i].text, strlen(bad[i].text), &err))
			fail_msg("%s: added", bad[i].text);
		if (!err.msg || !strstr(err.msg, bad[i].what))
			fail_msg("%s: %s", bad[i].text, err.msg ? err.msg : "no message");
		lms_error_clear(&err);
		assert_int_equal(cat->nfrags, nfrags);
		assert_int_equal(cat->nentries[SEC_RESOURCES], 200);
		assert_int_equal(cat->nentries[SEC_CONDITIONS], 1);
		assert_null(catalog_entry(cat, SEC_CONDITIONS, "G"));
		assert_null(catalog_entry(cat, SEC_RESOURCES, "G1"));
		/* nor a parameter (it would name the freed document) */
		assert_int_equal(cat->nparams, 1);
		assert_null(catalog_param(cat, "Q"));
	}
	static const char good[] = "Conditions:\n  G: !Equals [a, a]\nResources:\n"
	                           "  G1: {Type: AWS::SNS::Topic}\nOutputs:\n  R0: {Value: x}\n";
	assert_true(catalog_add_fragment(cat, "gen.yml", good, strlen(good), &err));
	assert_int_equal(cat->nfrags, nfrags + 1);
	assert_string_equal(cat->frags[nfrags].name, "gen.yml");
	assert_non_null(catalog_entry(cat, SEC_RESOURCES, "G1"));
	assert_non_null(catalog_entry(cat, SEC_CONDITIONS, "G"));
	assert_int_equal(cat->nentries[SEC_RESOURCES], 201);
	/* a second one is refused */
	static const char more[] = "Resources:\n  H1: {Type: AWS::SNS::Topic}\n";
	assert_false(catalog_add_fragment(cat, "gen2.yml", more, strlen(more), &err));
	assert_non_null(strstr(err.msg, "the catalog takes one generated fragment"));
	lms_error_clear(&err);
	assert_int_equal(cat->nfrags, nfrags + 1);
	assert_null(catalog_entry(cat, SEC_RESOURCES, "H1"));
	catalog_free(cat);
	tu_rmtree(dir);
	free(dir);
}

/* A generated fragment that does not parse keeps the parser's message and
 * position (not "out of memory"); one that fails for want of memory before
 * it is parsed (the copies of its name) says so, with no position (line and
 * column 0, not line 1). */
static void test_add_fragment_errors(void **state)
{
	(void)state;
	char *dir;
	lms_error err = {0};
	catalog *cat =
	    load_text(ONE_GROUP "Parameters:\n  P: {Type: String, Description: d, "
	                        "Default: x}\nResources:\n  R: {Type: AWS::SNS::Topic}\n",
	              &dir, &err);
	if (!cat)
		fail_msg("%s", err.msg);
	static const char broken[] = "Resources:\n  X: [\n";
	assert_false(catalog_add_fragment(cat, "gen.yml", broken, strlen(broken), &err));
	assert_non_null(err.msg);
	if (strstr(err.msg, "out of memory"))
		fail_msg("a parse error reported as '%s'", err.msg);
	assert_string_equal(err.file, "gen.yml");
	assert_true(err.line >= 2);
	lms_error_clear(&err);
	static const char good[] = "Resources:\n  G1: {Type: AWS::SNS::Topic}\n";
	for (size_t n = 0; n < 2; n++) {
		alloc_fail_after(n);
		bool added = catalog_add_fragment(cat, "gen.yml", good, strlen(good), &err);
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		assert_true(fired);
		assert_false(added);
		assert_non_null(err.msg);
		assert_string_equal(err.msg, "out of memory");
		assert_string_equal(err.file, "gen.yml");
		assert_int_equal(err.line, 0);
		assert_int_equal(err.col, 0);
		lms_error_clear(&err);
		assert_null(catalog_entry(cat, SEC_RESOURCES, "G1"));
	}
	/* and with memory it is added */
	assert_true(catalog_add_fragment(cat, "gen.yml", good, strlen(good), &err));
	assert_non_null(catalog_entry(cat, SEC_RESOURCES, "G1"));
	catalog_free(cat);
	tu_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_templates_fragments, setup_templates,
	                                    teardown_catalog),
	    cmocka_unit_test_setup_teardown(test_templates_params_complete, setup_templates,
	                                    teardown_catalog),
	    cmocka_unit_test_setup_teardown(test_templates_environment_params, setup_templates,
	                                    teardown_catalog),
	    cmocka_unit_test_setup_teardown(test_templates_network_params, setup_templates,
	                                    teardown_catalog),
	    cmocka_unit_test_setup_teardown(test_templates_profiles, setup_templates,
	                                    teardown_catalog),
	    cmocka_unit_test_setup_teardown(test_templates_entries, setup_templates,
	                                    teardown_catalog),
	    cmocka_unit_test(test_fixture_ok),
	    cmocka_unit_test(test_type_is_list),
	    cmocka_unit_test(test_param_attributes),
	    cmocka_unit_test(test_many_names),
	    cmocka_unit_test(test_first_attribute_checked),
	    cmocka_unit_test(test_names_grow_keeps_slot_0),
	    cmocka_unit_test(test_free_releases_everything),
	    cmocka_unit_test(test_metadata_errors),
	    cmocka_unit_test(test_duplicate_resource_names_both_files),
	    cmocka_unit_test(test_parameter_and_resource_share_a_name),
	    cmocka_unit_test(test_bad_indent),
	    cmocka_unit_test(test_unparsable_fragment),
	    cmocka_unit_test(test_sections_out_of_order),
	    cmocka_unit_test(test_unknown_section),
	    cmocka_unit_test(test_parameter_in_no_group),
	    cmocka_unit_test(test_parameter_in_two_groups),
	    cmocka_unit_test(test_parameter_without_default),
	    cmocka_unit_test(test_misspelt_attribute),
	    cmocka_unit_test(test_profile_for_unknown_environment),
	    cmocka_unit_test(test_profile_key_not_a_name),
	    cmocka_unit_test(test_labels_not_a_mapping),
	    cmocka_unit_test(test_missing_fragment),
	    cmocka_unit_test(test_index_not_a_mapping),
	    cmocka_unit_test(test_index_unknown_key),
	    cmocka_unit_test(test_missing_directory),
	    cmocka_unit_test(test_out_of_memory_has_no_position),
	    cmocka_unit_test(test_add_fragment_errors),
	    cmocka_unit_test_setup_teardown(test_templates_pipeline_parameters, setup_templates,
	                                    teardown_catalog),
	    cmocka_unit_test_setup_teardown(test_templates_companions, setup_templates,
	                                    teardown_catalog),
	    cmocka_unit_test_setup_teardown(test_companion_out_of_memory, setup_templates,
	                                    teardown_catalog),
	    cmocka_unit_test(test_out_of_memory_sweep),
	    cmocka_unit_test(test_companion_outside_templates),
	    cmocka_unit_test(test_companion_named_twice),
	    cmocka_unit_test(test_from_outputs_unknown_parameter),
	    cmocka_unit_test(test_pipeline_parameter_unknown),
	    cmocka_unit_test(test_pipeline_parameter_in_profile),
	    cmocka_unit_test(test_index_edges),
	    cmocka_unit_test(test_attribute_edges),
	    cmocka_unit_test(test_add_fragment),
	};
	return cmocka_run_group_tests_name("catalog", tests, NULL, NULL);
}
