/* Network rules NET001-NET006 (model/network.c) at their edges, on a tiny
 * catalog of the parameters they read: each prefix bound on both sides,
 * the block count against the AZ count, overlaps among the blocks in use
 * only, prod exactly. */
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

static const char env_fragment[] =
    "Metadata:\n"
    "  AWS::CloudFormation::Interface:\n"
    "    ParameterGroups:\n"
    "      - Label: {default: Environment}\n"
    "        Parameters: [Environment, EnvironmentSuffix, VpcCidr, PublicSubnetCidrs,\n"
    "                     AppSubnetCidrs, DataSubnetCidrs, AvailabilityZoneCount,\n"
    "                     NatGatewayMode]\n"
    "Parameters:\n"
    "  Environment:\n"
    "    Type: String\n"
    "    Description: kind\n"
    "    Default: dev\n"
    "  EnvironmentSuffix:\n"
    "    Type: String\n"
    "    Description: suffix\n"
    "    Default: dev\n"
    "  VpcCidr:\n"
    "    Type: String\n"
    "    Description: vpc\n"
    "    Default: 10.40.0.0/16\n"
    "  PublicSubnetCidrs:\n"
    "    Type: CommaDelimitedList\n"
    "    Description: public\n"
    "    Default: 10.40.0.0/24,10.40.1.0/24,10.40.2.0/24\n"
    "  AppSubnetCidrs:\n"
    "    Type: CommaDelimitedList\n"
    "    Description: app\n"
    "    Default: 10.40.16.0/20,10.40.32.0/20,10.40.48.0/20\n"
    "  DataSubnetCidrs:\n"
    "    Type: CommaDelimitedList\n"
    "    Description: data\n"
    "    Default: 10.40.64.0/24,10.40.65.0/24,10.40.66.0/24\n"
    "  AvailabilityZoneCount:\n"
    "    Type: Number\n"
    "    Description: azs\n"
    "    Default: 3\n"
    "  NatGatewayMode:\n"
    "    Type: String\n"
    "    Description: nat\n"
    "    Default: per-az\n";

#include "tests/rulefixture.h"

static const char resources[] = "Resources:\n"
                                "  Topic:\n"
                                "    Type: AWS::SNS::Topic\n";

/* The NET findings of rule `rule` with severity `sev` on field `field`. */
static size_t net(const fixture *fx, const char *rule, severity sev, const char *field)
{
	size_t n = 0;
	for (size_t i = 0; i < fx->f.n; i++)
		n += strcmp(fx->f.v[i].rule, rule) == 0 && fx->f.v[i].sev == sev &&
		     strcmp(fx->f.v[i].field, field) == 0;
	return n;
}

static size_t all_net(const fixture *fx)
{
	size_t n = 0;
	for (size_t i = 0; i < fx->f.n; i++)
		n += strncmp(fx->f.v[i].rule, "NET", 3) == 0;
	return n;
}

static const struct net_case {
	const char *env, *from, *to, *rule, *field;
	severity sev;
	size_t count; /* of the rule on the field; and no other NET finding */
} net_cases[] = {
    {"dev", NULL, NULL, "NET001", "VpcCidr", SEV_ERROR, 0},
    /* the VPC's prefix: /16 to /28 */
    {"dev", "Default: 10.40.0.0/16", "Default: 10.40.0.0/15", "NET004", "VpcCidr", SEV_ERROR, 1},
    {"dev", "Default: 10.40.0.0/16", "Default: 10.40.0.0/17", "NET004", "VpcCidr", SEV_ERROR, 0},
    {"dev", "Default: 10.40.0.0/16", "Default: 10.40.0.1/16", "NET001", "VpcCidr", SEV_ERROR, 1},
    {"dev", "Default: 10.40.0.0/16", "Default: 10.40.0.0", "NET001", "VpcCidr", SEV_ERROR, 1},
    /* a subnet's prefix: /16 to /28, a warning under 21 addresses */
    {"dev", "Default: 10.40.0.0/24,", "Default: 10.40.0.0/28,", "NET004", "PublicSubnetCidrs",
     SEV_WARNING, 1},
    {"dev", "Default: 10.40.0.0/24,", "Default: 10.40.0.0/27,", "NET004", "PublicSubnetCidrs",
     SEV_WARNING, 0},
    {"dev", "Default: 10.40.0.0/24,", "Default: 10.40.0.0/29,", "NET004", "PublicSubnetCidrs",
     SEV_ERROR, 1},
    {"dev", "Default: 10.40.0.0/16", "Default: 10.40.0.0/18", "NET002", "DataSubnetCidrs",
     SEV_ERROR, 3},
    {"dev", "Default: 10.40.0.0/16", "Default: 10.40.0.0/17", "NET002", "DataSubnetCidrs",
     SEV_ERROR, 0},
    {"dev", "Default: 10.40.0.0/24,", "Default: 10.40.0.0/22,", "NET003", "PublicSubnetCidrs",
     SEV_ERROR, 2},
    {"dev", "Default: 10.40.0.0/24,", "Default: 10.40.0.1/24,", "NET001", "PublicSubnetCidrs",
     SEV_ERROR, 1},
    {"dev", "Default: 10.40.0.0/24,", "Default: x,", "NET001", "PublicSubnetCidrs", SEV_ERROR, 1},
    /* one block per AZ: 3 blocks for 3 AZs, 2 are short; a fourth unused block may overlap */
    {"dev", "10.40.1.0/24,10.40.2.0/24", "10.40.1.0/24", "NET001", "PublicSubnetCidrs", SEV_ERROR,
     1},
    {"dev", "10.40.1.0/24,10.40.2.0/24", "10.40.1.0/24,10.40.2.0/24,10.40.0.0/24", "NET003",
     "PublicSubnetCidrs", SEV_ERROR, 0},
    {"dev", "10.40.1.0/24,10.40.2.0/24", "10.40.1.0/24,10.40.1.0/24", "NET003", "PublicSubnetCidrs",
     SEV_ERROR, 1},
    {"dev", "Default: 10.40.64.0/24,", "Default: 10.40.2.0/24,", "NET003", "DataSubnetCidrs",
     SEV_ERROR, 1},
    {"dev", "    Default: 3\n", "    Default: 2\n", "NET003", "PublicSubnetCidrs", SEV_ERROR, 0},
    /* NET005: three AZs in prod, prod exactly */
    {"prod", "    Default: 3\n", "    Default: 2\n", "NET005", "AvailabilityZoneCount", SEV_ERROR,
     1},
    {"prod", NULL, NULL, "NET005", "AvailabilityZoneCount", SEV_ERROR, 0},
    {"prodx", "    Default: 3\n", "    Default: 2\n", "NET005", "AvailabilityZoneCount", SEV_ERROR,
     0},
    {"dev", "    Default: 3\n", "    Default: 2\n", "NET005", "AvailabilityZoneCount", SEV_ERROR,
     0},
    /* NET006: single exactly; an error in prod, a warning elsewhere */
    {"prod", "Default: per-az", "Default: single", "NET006", "NatGatewayMode", SEV_ERROR, 1},
    {"prodx", "Default: per-az", "Default: single", "NET006", "NatGatewayMode", SEV_WARNING, 1},
    {"dev", "Default: per-az", "Default: single", "NET006", "NatGatewayMode", SEV_WARNING, 1},
    {"dev", "Default: per-az", "Default: singlex", "NET006", "NatGatewayMode", SEV_WARNING, 0},
    {"dev", "Default: per-az", "Default: singl", "NET006", "NatGatewayMode", SEV_WARNING, 0},
};

static void test_net_edges(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof net_cases / sizeof *net_cases; i++) {
		const struct net_case *c = &net_cases[i];
		fixture fx;
		run_with(&fx, resources, c->env, c->from, c->to, NULL);
		size_t n = net(&fx, c->rule, c->sev, c->field);
		if (n != c->count || all_net(&fx) != c->count) {
			dump(&fx);
			fail_msg("case %zu (%s: %s -> %s): %zu %s, expected %zu", i, c->env,
			         c->from ? c->from : "-", c->to ? c->to : "-", n, c->rule,
			         c->count);
		}
		done(&fx);
	}
	/* the good catalog: nothing, by either helper */
	fixture fx;
	run_with(&fx, resources, "prod", NULL, NULL, NULL);
	assert_int_equal(count(&fx, "NET001", SEV_ERROR), 0);
	assert_false(has_message(&fx, "NET004", "prefix"));
	done(&fx);
}

/* The app subnets' capacity (ServiceMaxTasks from the model): 0 tasks
 * still need the 32 fixed addresses (a /27 holds 27), a negative count and
 * 0 AZs are not computed (no division by zero). */
static size_t app_short(const char *azs, const char *tasks, const char *app)
{
	fixture fx;
	run_with(&fx, resources, "dev", NULL, NULL, NULL);
	findings_free(&fx.f);
	assert_true(model_set(fx.m, "ServiceMaxTasks", tasks));
	assert_true(model_set(fx.m, "AvailabilityZoneCount", azs));
	assert_true(model_set(fx.m, "AppSubnetCidrs", app));
	findings_init(&fx.f);
	validate_model(fx.cat, fx.m, &fx.f);
	size_t n = 0;
	for (size_t i = 0; i < fx.f.n; i++)
		n += strcmp(fx.f.v[i].rule, "NET004") == 0 && fx.f.v[i].sev == SEV_ERROR &&
		     strstr(fx.f.v[i].message, "are needed") != NULL;
	done(&fx);
	return n;
}

static void test_app_capacity_edges(void **state)
{
	(void)state;
	const char *small = "10.40.16.0/27,10.40.32.0/27,10.40.48.0/27";
	const char *big = "10.40.16.0/26,10.40.32.0/26,10.40.48.0/26";
	assert_int_equal(app_short("3", "0", small), 3);
	assert_int_equal(app_short("3", "0", big), 0);
	assert_int_equal(app_short("3", "-1", small), 0);
	assert_int_equal(app_short("0", "10", small), 0);
	assert_int_equal(app_short("1", "0", small), 1);
	/* /26: 59 usable; 3 AZs: 54 tasks need 27 + 32 in each of two */
	assert_int_equal(app_short("3", "54", big), 0);
	assert_int_equal(app_short("3", "55", big), 3);
	assert_int_equal(app_short("2", "27", big), 0);
	assert_int_equal(app_short("2", "28", big), 2);
	assert_int_equal(app_short("1", "27", big), 0);
	assert_int_equal(app_short("1", "28", big), 1);
}

/* The VPC's upper prefix bound: /28 passes, /29 does not (its subnets then
 * fall outside it, NET002's concern) */
static void test_vpc_prefix_upper(void **state)
{
	(void)state;
	static const struct {
		const char *vpc;
		size_t n;
	} cases[] = {{"10.40.0.0/27", 0}, {"10.40.0.0/28", 0}, {"10.40.0.0/29", 1}};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char to[64];
		snprintf(to, sizeof to, "Default: %s\n", cases[i].vpc);
		fixture fx;
		run_with(&fx, resources, "dev", "Default: 10.40.0.0/16\n", to, NULL);
		if (net(&fx, "NET004", SEV_ERROR, "VpcCidr") != cases[i].n)
			fail_msg("VPC %s", cases[i].vpc);
		done(&fx);
	}
}

/* A subnet block with host bits set names its network address, each octet
 * exactly (203 and 113 are odd: a shift or mask one off shows). */
static void test_subnet_network_address(void **state)
{
	(void)state;
	static const struct {
		const char *block, *message;
	} cases[] = {
	    {"10.40.0.1/24", "10.40.0.1/24 has host bits set; the network address is 10.40.0.0/24"},
	    {"203.0.113.9/24",
	     "203.0.113.9/24 has host bits set; the network address is 203.0.113.0/24"},
	    {"255.255.255.1/28",
	     "255.255.255.1/28 has host bits set; the network address is 255.255.255.0/28"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char to[64];
		snprintf(to, sizeof to, "Default: %s,", cases[i].block);
		fixture fx;
		run_with(&fx, resources, "dev", "Default: 10.40.0.0/24,", to, NULL);
		if (net(&fx, "NET001", SEV_ERROR, "PublicSubnetCidrs") != 1 ||
		    !has_message(&fx, "NET001", cases[i].message)) {
			dump(&fx);
			fail_msg("%s: expected '%s'", cases[i].block, cases[i].message);
		}
		done(&fx);
	}
}

/* Each NET finding's exact message: the blocks, prefixes, counts and
 * subnet numbers it quotes (1-based), the VPC it names. (NET_DUMP=1
 * prints every case's findings.) `n`: the NET findings in all. */
static const struct net_message {
	const char *env, *from, *to, *tasks;
	size_t n;
	severity sev;
	const char *field, *message;
} net_messages[] = {
    {"dev", "Default: 10.40.0.0/16", "Default: 10.40.0.1/16", NULL, 1, SEV_ERROR, "VpcCidr",
     "'10.40.0.1/16' is not an IPv4 network block"},
    {"dev", "Default: 10.40.0.0/16", "Default: 10.40.0.0/15", NULL, 1, SEV_ERROR, "VpcCidr",
     "the VPC block has a /15 prefix"},
    {"dev", "Default: 10.40.0.0/24,", "Default: x,", NULL, 1, SEV_ERROR, "PublicSubnetCidrs",
     "'x' is not an IPv4 CIDR block"},
    {"dev", "Default: 10.40.0.0/24,", "Default: 10.40.0.0/29,", NULL, 1, SEV_ERROR,
     "PublicSubnetCidrs", "subnet 10.40.0.0/29 has a /29 prefix"},
    {"dev", "Default: 10.40.0.0/24,", "Default: 10.40.0.0/15,", NULL, 1, SEV_ERROR,
     "PublicSubnetCidrs", "subnet 10.40.0.0/15 has a /15 prefix"},
    {"dev", "Default: 10.40.0.0/24,", "Default: 10.41.0.0/24,", NULL, 1, SEV_ERROR,
     "PublicSubnetCidrs", "subnet 10.41.0.0/24 is not inside the VPC 10.40.0.0/16"},
    {"dev", "10.40.1.0/24,10.40.2.0/24", "10.40.1.0/24", NULL, 1, SEV_ERROR, "PublicSubnetCidrs",
     "2 public subnet block(s) for 3 availability zones"},
    {"dev", "10.40.1.0/24,10.40.2.0/24", "10.40.1.0/24,10.40.1.0/24", NULL, 1, SEV_ERROR,
     "PublicSubnetCidrs", "public subnet 3 overlaps public subnet 2"},
    {"dev", "10.40.0.0/24,10.40.1.0/24,10.40.2.0/24", "10.40.2.0/24,10.40.1.0/24,10.40.0.0/24",
     NULL, 0, SEV_ERROR, NULL, NULL},
    {"dev", "Default: 10.40.64.0/24,10.40.65.0/24,10.40.66.0/24",
     "Default: 10.40.64.0/24,10.40.2.0/24,10.40.66.0/24", NULL, 1, SEV_ERROR, "DataSubnetCidrs",
     "data subnet 2 overlaps public subnet 3"},
    {"dev", "Default: 10.40.64.0/24,10.40.65.0/24,10.40.66.0/24",
     "Default: 10.40.64.0/24,10.40.65.0/24,10.40.17.0/24", NULL, 1, SEV_ERROR, "DataSubnetCidrs",
     "data subnet 3 overlaps app subnet 1"},
    {"dev", "10.40.1.0/24,10.40.2.0/24", "10.40.1.0/28,10.40.2.0/24", NULL, 1, SEV_WARNING,
     "PublicSubnetCidrs", "public subnet 2 has only 11 usable addresses"},
    {"dev", "10.40.32.0/20,10.40.48.0/20", "10.40.32.0/27,10.40.48.0/20", "3", 1, SEV_ERROR,
     "AppSubnetCidrs",
     "app subnet 2 has 27 usable addresses; 34 are needed (3 tasks over 3 AZs, one AZ lost, "
     "plus 32 for endpoints and Lambdas)"},
    {"prod", "    Default: 3\n", "    Default: 2\n", NULL, 1, SEV_ERROR, "AvailabilityZoneCount",
     "prod runs in 2 availability zones; 99.99% needs three, so that losing one still leaves a "
     "majority"},
    {"prod", "Default: per-az", "Default: single", NULL, 1, SEV_ERROR, "NatGatewayMode",
     "a single NAT gateway: losing its AZ cuts every app subnet off the internet; prod needs "
     "one per AZ"},
    {"dev", "Default: per-az", "Default: single", NULL, 1, SEV_WARNING, "NatGatewayMode",
     "a single NAT gateway: losing its AZ cuts every app subnet off the internet (acceptable "
     "outside prod to save cost)"},
};

static void test_net_messages(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof net_messages / sizeof *net_messages; i++) {
		const struct net_message *c = &net_messages[i];
		fixture fx;
		run_with(&fx, resources, c->env, c->from, c->to, NULL);
		if (c->tasks) {
			findings_free(&fx.f);
			assert_true(model_set(fx.m, "ServiceMaxTasks", c->tasks));
			findings_init(&fx.f);
			validate_model(fx.cat, fx.m, &fx.f);
		}
		const finding *x = NULL;
		for (size_t k = 0; c->message && k < fx.f.n; k++)
			if (strcmp(fx.f.v[k].message, c->message) == 0)
				x = &fx.f.v[k];
		bool ok =
		    all_net(&fx) == c->n &&
		    (!c->message || (x && x->sev == c->sev && strcmp(x->field, c->field) == 0 &&
		                     strncmp(x->rule, "NET", 3) == 0));
		if (getenv("NET_DUMP") || !ok) {
			dump(&fx);
			if (!getenv("NET_DUMP"))
				fail_msg("case %zu (%s -> %s)", i, c->from, c->to);
		}
		done(&fx);
	}
	/* a /16 subnet is a subnet (it overlaps the others in a /16 VPC, no more) */
	fixture fx;
	run_with(&fx, resources, "dev", "Default: 10.40.0.0/24,", "Default: 10.40.0.0/16,", NULL);
	assert_int_equal(count(&fx, "NET004", SEV_ERROR) + count(&fx, "NET004", SEV_WARNING), 0);
	assert_int_equal(count(&fx, "NET002", SEV_ERROR), 0);
	assert_true(count(&fx, "NET003", SEV_ERROR) > 0);
	done(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_net_edges),
	    cmocka_unit_test(test_net_messages),
	    cmocka_unit_test(test_app_capacity_edges),
	    cmocka_unit_test(test_vpc_prefix_upper),
	    cmocka_unit_test(test_subnet_network_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
