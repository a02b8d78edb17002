/* The resolved view: each intrinsic function against the examples of the
 * CloudFormation User Guide's intrinsic function reference, conditions,
 * pseudo parameters, what stays symbolic, the findings for broken
 * intrinsics (with their position, multibyte text before them included),
 * and the emitted YAML and JSON reading back as the same tree. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "render_fixture.h"
#include "testutil.h"

#include "model/companion.h"

#include <jansson.h>

static void assert_str_node(const rnode *n, const char *want)
{
	if (!rnode_str(n))
		fail_msg("expected the string '%s', got %s", want,
		         !n      ? "nothing"
		         : n->fn ? n->fn
		                 : "a collection");
	assert_string_equal(rnode_str(n), want);
}

static void assert_list(const rnode *n, const char *const *want, size_t count)
{
	assert_non_null(n);
	assert_null(n->fn);
	assert_int_equal(n->kind, RN_SEQ);
	assert_int_equal(n->n, count);
	for (size_t i = 0; i < count; i++)
		assert_str_node(n->kids[i], want[i]);
}

static void assert_no_findings(const rf_fixture *fx)
{
	if (fx->f.n)
		rf_dump(&fx->f);
	assert_int_equal(fx->f.n, 0);
}

/* Fn::Base64: "!Base64 AWS CloudFormation" is "QVdTIENsb3VkRm9ybWF0aW9u". */
static void test_base64(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      A: !Base64 AWS CloudFormation\n"
	          "      B: {Fn::Base64: 'a'}\n"
	          "      C: {Fn::Base64: 'ab'}\n"
	          "      D: !Base64 {Fn::Sub: 'x-${EnvironmentSuffix}'}\n"
	          "      E: !Base64 {Fn::GetAtt: [R, TopicName]}\n",
	          "dev");
	assert_no_findings(&fx);
	assert_str_node(rf_prop(&fx, "R", "A"), "QVdTIENsb3VkRm9ybWF0aW9u");
	assert_str_node(rf_prop(&fx, "R", "B"), "YQ==");
	assert_str_node(rf_prop(&fx, "R", "C"), "YWI=");
	assert_str_node(rf_prop(&fx, "R", "D"), "eC1kZXY="); /* x-dev */
	const rnode *e = rf_prop(&fx, "R", "E");
	assert_non_null(e);
	assert_string_equal(e->fn, "Fn::Base64");
	rf_done(&fx);
}

/* The longest string an intrinsic may produce (render_options.max_string):
 * Fn::Base64's output, Fn::Join's and Fn::Sub's result, each at the limit
 * and one past it. */
static void test_string_limit(void **state)
{
	(void)state;
	render_options opt = {.max_string = 8};
	rf_fixture fx;
	rf_render_opt(&fx,
	              "Resources:\n"
	              "  R:\n"
	              "    Type: AWS::SNS::Topic\n"
	              "    Properties:\n"
	              "      A: !Base64 abcdef\n"           /* 8 characters out */
	              "      B: !Base64 abcdefg\n"          /* 12 */
	              "      C: !Base64 abcde\n"            /* 8 */
	              "      D: !Join ['-', [abc, defg]]\n" /* 8 */
	              "      E: !Join ['-', [abc, defgh]]\n"
	              "      F: !Sub 'abc${EnvironmentSuffix}xy'\n" /* abcdevxy */
	              "      G: !Sub 'abc${EnvironmentSuffix}xyz'\n",
	              "dev", &opt);
	assert_str_node(rf_prop(&fx, "R", "A"), "YWJjZGVm");
	assert_str_node(rf_prop(&fx, "R", "C"), "YWJjZGU=");
	assert_str_node(rf_prop(&fx, "R", "D"), "abc-defg");
	assert_str_node(rf_prop(&fx, "R", "F"), "abcdevxy");
	assert_int_equal(rf_count(&fx.f, "REN003", SEV_ERROR), 3);
	assert_non_null(rf_find(&fx.f, "REN003", "Fn::Base64"));
	assert_non_null(rf_find(&fx.f, "REN003", "Fn::Join"));
	assert_non_null(rf_find(&fx.f, "REN003", "Fn::Sub"));
	assert_null(rnode_str(rf_prop(&fx, "R", "B")));
	rf_done(&fx);
	/* one less: six characters encode to eight, too many for seven */
	opt.max_string = 7;
	rf_render_opt(&fx,
	              "Resources:\n"
	              "  R:\n"
	              "    Type: AWS::SNS::Topic\n"
	              "    Properties:\n"
	              "      A: !Base64 abcdef\n"
	              "      B: !Base64 abcd\n",
	              "dev", &opt);
	assert_non_null(rf_find(&fx.f, "REN003", "Fn::Base64"));
	assert_int_equal(fx.f.n, 2);
	rf_done(&fx);
}

/* Plain values: YAML's null spellings become "" (a quoted or longer one
 * is text); a one-key mapping is an intrinsic only for Ref or Fn::...
 * exactly; a YAML tag (!!str) is no intrinsic. */
static void test_plain_values(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      Nulls: [~, null, Null, NULL, '', nulls, nUll, 'null', \"~\", NULl, x~]\n"
	          "      Empty:\n"
	          "      Refs: {Refs: x}\n"
	          "      Re: {Re: x}\n"
	          "      FnColon: {'Fn:Join': x}\n"
	          "      FnBare: {'Fn': x}\n"
	          "      Two: {Ref: x, Fn::Join: !Ref AWS::Region}\n"
	          "      Str: !!str 5\n",
	          "dev");
	assert_no_findings(&fx);
	const char *const nulls[] = {"",     "",     "",  "",     "",  "nulls",
	                             "nUll", "null", "~", "NULl", "x~"};
	assert_list(rf_prop(&fx, "R", "Nulls"), nulls, 11);
	assert_str_node(rf_prop(&fx, "R", "Empty"), "");
	const char *const plain_maps[] = {"Refs", "Re", "FnColon", "FnBare"};
	for (size_t i = 0; i < 4; i++) {
		const rnode *m = rf_prop(&fx, "R", plain_maps[i]);
		assert_non_null(m);
		assert_null(m->fn);
		assert_int_equal(m->kind, RN_MAP);
		assert_str_node(m->kids[1], "x");
	}
	const rnode *two = rf_prop(&fx, "R", "Two");
	assert_null(two->fn);
	assert_int_equal(two->n, 2);
	assert_str_node(two->kids[1], "x");
	assert_str_node(two->kids[3], "eu-west-1"); /* its values still evaluated */
	assert_str_node(rf_prop(&fx, "R", "Str"), "5");
	rf_done(&fx);
	/* unknown functions, each form */
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      A: !Refs x\n"
	          "      B: {'Fn::': x}\n"
	          "      C: !GetAZ ''\n",
	          "dev");
	assert_non_null(rf_find(&fx.f, "REN001", "Fn::Refs is not"));
	assert_non_null(rf_find(&fx.f, "REN001", "Fn:: is not"));
	assert_non_null(rf_find(&fx.f, "REN001", "Fn::GetAZ is not"));
	assert_int_equal(fx.f.n, 3);
	rf_done(&fx);
}

/* The built-in AZ table: the longest list (us-east-1, six), a shorter one,
 * and names that only start or end like a region. */
static void test_region_azs(void **state)
{
	(void)state;
	size_t n = 99;
	const char *const *azs = render_region_azs("us-east-1", &n);
	assert_int_equal(n, 6);
	assert_string_equal(azs[5], "us-east-1f");
	azs = render_region_azs("us-west-2", &n);
	assert_int_equal(n, 4);
	assert_string_equal(azs[3], "us-west-2d");
	azs = render_region_azs("sa-east-1", &n); /* the last of the table */
	assert_int_equal(n, 3);
	assert_string_equal(azs[0], "sa-east-1a");
	const char *const no[] = {"eu-west-1x", "eu-west-", "u-west-1", "", NULL};
	for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
		n = 99;
		assert_null(render_region_azs(no[i], &n));
		assert_int_equal(n, 0);
	}
}

/* Fn::Cidr: !Cidr ["192.168.0.0/24", 6, 5] is six /27 blocks. */
static void test_cidr(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::EC2::VPC\n"
	          "    Properties:\n"
	          "      A: !Cidr ['192.168.0.0/24', 6, 5]\n"
	          "      B: !Select [2, !Cidr ['10.0.0.0/16', 4, 8]]\n"
	          "      C: !Cidr ['2001:db8::/56', 2, 64]\n"
	          "      D: !Cidr [!Select [0, !GetAtt R.Ipv6CidrBlocks], 1, 64]\n"
	          "      E: !Cidr ['10.0.255.255/16', 2, 8]\n"
	          "      F: !Cidr ['10.0.129.255/17', 1, 8]\n",
	          "dev");
	assert_no_findings(&fx);
	/* host bits in the block are cleared from its prefix on: the blocks
	 * start at its network address */
	const char *const from_net[] = {"10.0.0.0/24", "10.0.1.0/24"};
	assert_list(rf_prop(&fx, "R", "E"), from_net, 2);
	const char *const upper_half[] = {"10.0.128.0/24"};
	assert_list(rf_prop(&fx, "R", "F"), upper_half, 1);
	const char *const six[] = {"192.168.0.0/27",  "192.168.0.32/27",  "192.168.0.64/27",
	                           "192.168.0.96/27", "192.168.0.128/27", "192.168.0.160/27"};
	assert_list(rf_prop(&fx, "R", "A"), six, 6);
	assert_str_node(rf_prop(&fx, "R", "B"), "10.0.2.0/24");
	const char *const v6[] = {"2001:db8::/64", "2001:db8:0:1::/64"};
	assert_list(rf_prop(&fx, "R", "C"), v6, 2);
	assert_string_equal(rf_prop(&fx, "R", "D")->fn, "Fn::Cidr");
	rf_done(&fx);
	/* more blocks than the range holds, and a malformed block */
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::EC2::VPC\n"
	          "    Properties:\n"
	          "      A: !Cidr ['192.168.0.0/24', 9, 5]\n"
	          "      B: !Cidr ['192.168.0/24', 1, 5]\n",
	          "dev");
	assert_int_equal(rf_count(&fx.f, "REN004", SEV_ERROR), 1);
	assert_int_equal(rf_count(&fx.f, "REN001", SEV_ERROR), 1);
	rf_done(&fx);
}

/* Fn::Cidr with a count or a size only known at deploy time (the block
 * known) stays symbolic, not an error. */
static void test_cidr_symbolic_count_or_bits(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  Q: {Type: AWS::SNS::Topic}\n"
	          "  R:\n"
	          "    Type: AWS::EC2::VPC\n"
	          "    Properties:\n"
	          "      A: !Cidr ['10.0.0.0/16', !GetAtt Q.Count, 8]\n"
	          "      B: !Cidr ['10.0.0.0/16', 2, !GetAtt Q.Bits]\n",
	          "dev");
	assert_no_findings(&fx);
	assert_string_equal(rf_prop(&fx, "R", "A")->fn, "Fn::Cidr");
	assert_string_equal(rf_prop(&fx, "R", "B")->fn, "Fn::Cidr");
	rf_done(&fx);
}

/* Fn::Cidr at its limits: 256 blocks and 257, host bits 1 and 0, all the
 * room and one bit more, a range holding exactly the blocks asked and one
 * fewer, prefixes 32/33 and 128/129, blocks that carry into the next byte,
 * shifts that are no multiple of 8 and past 64 bits. */
static void test_cidr_edges(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::EC2::VPC\n"
	          "    Properties:\n"
	          "      A: !Cidr ['10.0.0.0/16', 256, 8]\n"
	          "      B: !Cidr ['10.0.0.0/16', 3, 7]\n"
	          "      C: !Cidr ['10.0.0.0/16', 2, 12]\n"
	          "      D: !Cidr ['10.0.0.0/24', 1, 1]\n"
	          "      E: !Cidr ['10.0.0.0/24', 1, 8]\n"
	          "      F: !Cidr ['10.0.0.0/24', 2, 7]\n"
	          "      G: !Cidr ['10.0.0.7/32', 1, 0]\n"
	          "      H: !Cidr ['2001:db8::/48', 2, 72]\n"
	          "      I: !Cidr ['::/0', 2, 120]\n"
	          "      J: !Cidr ['10.1.2.3/0', 2, 24]\n"
	          "      K: !Cidr ['0.0.0.0/24', 4, 6]\n",
	          "dev");
	const rnode *a = rf_prop(&fx, "R", "A");
	assert_int_equal(a->n, 256);
	assert_str_node(a->kids[0], "10.0.0.0/24");
	assert_str_node(a->kids[1], "10.0.1.0/24");
	assert_str_node(a->kids[255], "10.0.255.0/24");
	const char *const b[] = {"10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/25"};
	assert_list(rf_prop(&fx, "R", "B"), b, 3);
	const char *const c[] = {"10.0.0.0/20", "10.0.16.0/20"};
	assert_list(rf_prop(&fx, "R", "C"), c, 2);
	const char *const d[] = {"10.0.0.0/31"};
	assert_list(rf_prop(&fx, "R", "D"), d, 1);
	const char *const e[] = {"10.0.0.0/24"};
	assert_list(rf_prop(&fx, "R", "E"), e, 1);
	const char *const f[] = {"10.0.0.0/25", "10.0.0.128/25"};
	assert_list(rf_prop(&fx, "R", "F"), f, 2);
	const char *const h[] = {"2001:db8::/56", "2001:db8:0:100::/56"};
	assert_list(rf_prop(&fx, "R", "H"), h, 2);
	const char *const i[] = {"::/8", "100::/8"};
	assert_list(rf_prop(&fx, "R", "I"), i, 2);
	const char *const j[] = {"0.0.0.0/8", "1.0.0.0/8"};
	assert_list(rf_prop(&fx, "R", "J"), j, 2);
	const char *const k[] = {"0.0.0.0/26", "0.0.0.64/26", "0.0.0.128/26", "0.0.0.192/26"};
	assert_list(rf_prop(&fx, "R", "K"), k, 4);
	/* G: 0 host bits */
	assert_non_null(rf_find(&fx.f, "REN004", "1 block(s) of 0 host bits out of 10.0.0.7/32"));
	assert_int_equal(fx.f.n, 1);
	rf_done(&fx);
	/* one past each limit */
	static const struct {
		const char *cidr;
		const char *rule, *text;
	} bad[] = {
	    {"['10.0.0.0/16', 257, 8]", "REN004", "257 block(s)"},
	    {"['10.0.0.0/16', 0, 8]", "REN004", "0 block(s)"},
	    {"['10.0.0.0/24', 1, 9]", "REN004", "host bits 1 to 8"},
	    {"['10.0.0.0/24', 3, 7]", "REN004", "holds 2 block(s) of 7 host bits, not 3"},
	    {"['10.0.0.0/24', 257, 0]", "REN004", "257 block(s) of 0"},
	    {"['10.0.0.0/33', 1, 1]", "REN001", "not an address block"},
	    {"['2001:db8::/129', 1, 1]", "REN001", "not an address block"},
	    {"['10.0.0.0', 1, 1]", "REN001", "not an address block"},
	    {"['10.0.0.256/8', 1, 1]", "REN001", "not an address block"},
	    {"['10.0.0.0/8', x, 1]", "REN001", "two whole numbers"},
	    {"['10.0.0.0/8', 1]", "REN001", "a count and a size in bits"},
	};
	for (size_t x = 0; x < sizeof bad / sizeof *bad; x++) {
		buf t;
		buf_init(&t, 0);
		buf_addf(&t,
		         "Resources:\n  R:\n    Type: AWS::EC2::VPC\n    Properties:\n"
		         "      A: !Cidr %s\n",
		         bad[x].cidr);
		rf_render(&fx, buf_cstr(&t), "dev");
		if (!rf_find(&fx.f, bad[x].rule, bad[x].text)) {
			rf_dump(&fx.f);
			fail_msg("%s: no %s '%s'", bad[x].cidr, bad[x].rule, bad[x].text);
		}
		assert_int_equal(fx.f.n, 1);
		rf_done(&fx);
		buf_free(&t);
	}
	/* a /32 holds one block of 0 bits... which is refused; a /31 one of 1 */
	rf_render(&fx,
	          "Resources:\n  R:\n    Type: AWS::EC2::VPC\n    Properties:\n"
	          "      A: !Cidr ['10.0.0.0/31', 1, 1]\n"
	          "      B: !Cidr ['2001:db8::/127', 2, 1]\n"
	          "      C: !Cidr ['2001:db8::/128', 1, 1]\n",
	          "dev");
	const char *const one[] = {"10.0.0.0/31"};
	assert_list(rf_prop(&fx, "R", "A"), one, 1);
	assert_null(rnode_str(rf_prop(&fx, "R", "B")));
	assert_non_null(rf_find(&fx.f, "REN004", "holds 1 block(s) of 1 host bits, not 2"));
	assert_non_null(rf_find(&fx.f, "REN004", "host bits 1 to 0"));
	assert_int_equal(fx.f.n, 2);
	rf_done(&fx);
}

static const char mapping_fragment[] =
    "Mappings:\n"
    "  RegionMap:\n"
    "    us-east-1:\n"
    "      HVM64: ami-0ff8a91507f77f867\n"
    "      HVMG2: ami-0a584ac55a7631c0c\n"
    "    eu-west-1:\n"
    "      HVM64: ami-047bb4163c506cd98\n"
    "      HVMG2: ami-0a7c483d527806435\n"
    "      Zones: [a, b]\n"
    "Resources:\n"
    "  R:\n"
    "    Type: AWS::EC2::Instance\n"
    "    Properties:\n"
    "      ImageId: !FindInMap [RegionMap, !Ref 'AWS::Region', HVM64]\n"
    "      Zones: !FindInMap [RegionMap, eu-west-1, Zones]\n"
    "      Long:\n"
    "        Fn::FindInMap: [RegionMap, us-east-1, HVMG2]\n";

static void test_findinmap(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx, mapping_fragment, "dev");
	assert_no_findings(&fx);
	assert_str_node(rf_prop(&fx, "R", "ImageId"), "ami-047bb4163c506cd98");
	const char *const zones[] = {"a", "b"};
	assert_list(rf_prop(&fx, "R", "Zones"), zones, 2);
	assert_str_node(rf_prop(&fx, "R", "Long"), "ami-0a584ac55a7631c0c");
	rf_done(&fx);
	rf_fixture bad;
	char *text = strdup(mapping_fragment);
	char *at = strstr(text, "HVM64]");
	memcpy(at, "HVM99]", 6);
	rf_render(&bad, text, "dev");
	free(text);
	const finding *f = rf_find(&bad.f, "REN002", "RegionMap > eu-west-1 > HVM99");
	assert_non_null(f);
	assert_int_equal(f->line, 14);
	rf_done(&bad);
}

/* Fn::FindInMap's fourth item: the DefaultValue when the entry is missing
 * (a missing mapping, top key or second key), not when it is there; kept
 * with a symbolic key; a fourth item that is no DefaultValue; each key
 * exact (a longer or shorter one is no entry). */
static void test_findinmap_default(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Mappings:\n"
	          "  M:\n"
	          "    eu-west-1: {Size: big, List: [a, b]}\n"
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      Found: !FindInMap [M, eu-west-1, Size, {DefaultValue: small}]\n"
	          "      NoSecond: !FindInMap [M, eu-west-1, Sizes, {DefaultValue: small}]\n"
	          "      NoTop: !FindInMap [M, eu-west-2, Size, {DefaultValue: [x]}]\n"
	          "      NoMap: !FindInMap [N, eu-west-1, Size, {DefaultValue: !Ref AWS::Region}]\n"
	          "      Symbolic: !FindInMap [M, !GetAtt R.TopicName, Size, {DefaultValue: d}]\n"
	          "      SymRef: !FindInMap [M, !GetAtt R.TopicName, !Ref EnvironmentSuffix,\n"
	          "                          {DefaultValue: d}]\n"
	          "      Shorter: !FindInMap [M, eu-west-1, Siz]\n"
	          "      Raw: {Fn::Join: {a: b}}\n"
	          "      Raw3: {Fn::Join: {a: b, c: d, e: f}}\n",
	          "dev");
	assert_str_node(rf_prop(&fx, "R", "Found"), "big");
	assert_str_node(rf_prop(&fx, "R", "NoSecond"), "small");
	const char *const x[] = {"x"};
	assert_list(rf_prop(&fx, "R", "NoTop"), x, 1);
	assert_str_node(rf_prop(&fx, "R", "NoMap"), "eu-west-1");
	const rnode *sym = rf_prop(&fx, "R", "Symbolic");
	assert_string_equal(sym->fn, "Fn::FindInMap");
	assert_int_equal(sym->n, 4);
	assert_str_node(rnode_get(sym->kids[3], "DefaultValue"), "d");
	/* the DefaultValue key is no parameter's Ref, though the key before it is */
	const rnode *symref = rf_prop(&fx, "R", "SymRef");
	assert_string_equal(symref->fn, "Fn::FindInMap");
	assert_int_equal(symref->n, 4);
	assert_str_node(symref->kids[3]->kids[0], "DefaultValue");
	assert_null(rnode_param(fx.r, symref->kids[3]->kids[0]));
	assert_str_node(rnode_get(symref->kids[3], "DefaultValue"), "d");
	assert_non_null(rf_find(&fx.f, "REN002", "M > eu-west-1 > Siz has no such entry"));
	/* a malformed function with a mapping argument stays as written */
	const rnode *raw = rf_prop(&fx, "R", "Raw");
	assert_non_null(raw);
	assert_string_equal(raw->fn, "Fn::Join");
	assert_int_equal(raw->kind, RN_MAP);
	assert_int_equal(raw->n, 1);
	assert_string_equal(raw->kids[0]->str, "a");
	assert_string_equal(raw->kids[1]->str, "b");
	const rnode *raw3 = rf_prop(&fx, "R", "Raw3");
	assert_non_null(raw3);
	assert_int_equal(raw3->n, 3);
	assert_string_equal(raw3->kids[4]->str, "e");
	assert_string_equal(raw3->kids[5]->str, "f");
	assert_int_equal(fx.f.n, 3);
	rf_done(&fx);
	rf_render(&fx,
	          "Mappings:\n"
	          "  M:\n"
	          "    eu-west-1: {Size: big}\n"
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      A: !FindInMap [M, eu-west-1, Size, {Default: small}]\n"
	          "      B: !FindInMap [M, eu-west-1, Size, x, y]\n"
	          "      C: !FindInMap [M, eu-west-1]\n"
	          "      D: !FindInMap [M, [eu-west-1], Size]\n",
	          "dev");
	assert_non_null(rf_find(&fx.f, "REN001", "fourth item is {DefaultValue: value}"));
	assert_int_equal(rf_count(&fx.f, "REN001", SEV_ERROR), 4);
	rf_done(&fx);
}

/* Fn::GetAZs: the region's AZs; !Select [0, !GetAZs ''] picks the first;
 * the list can be given for the model's region. */
static void test_getazs(void **state)
{
	(void)state;
	const char *frag = "Resources:\n"
	                   "  R:\n"
	                   "    Type: AWS::EC2::Subnet\n"
	                   "    Properties:\n"
	                   "      All: !GetAZs ''\n"
	                   "      Region: {Fn::GetAZs: !Ref 'AWS::Region'}\n"
	                   "      First: !Select [0, !GetAZs '']\n"
	                   "      Other: !GetAZs us-east-2\n";
	rf_fixture fx;
	rf_render(&fx, frag, "dev");
	assert_no_findings(&fx);
	const char *const eu[] = {"eu-west-1a", "eu-west-1b", "eu-west-1c"};
	assert_list(rf_prop(&fx, "R", "All"), eu, 3);
	assert_list(rf_prop(&fx, "R", "Region"), eu, 3);
	assert_str_node(rf_prop(&fx, "R", "First"), "eu-west-1a");
	const char *const us[] = {"us-east-2a", "us-east-2b", "us-east-2c"};
	assert_list(rf_prop(&fx, "R", "Other"), us, 3);
	assert_int_equal(render_az_index(fx.r, "eu-west-1c"), 2);
	rf_done(&fx);
	const char *given[] = {"eu-west-1b", "eu-west-1c"};
	render_options opt = {.azs = given, .nazs = 2};
	rf_render_opt(&fx, frag, "dev", &opt);
	assert_str_node(rf_prop(&fx, "R", "First"), "eu-west-1b");
	rf_done(&fx);
}

/* Fn::Join: !Join [":", [a, b, c]] is "a:b:c"; with an unknown part the
 * join stays, resolved inside. */
static void test_join(void **state)
{
	(void)state;
	const char *frag =
	    "Metadata:\n"
	    "  AWS::CloudFormation::Interface:\n"
	    "    ParameterGroups:\n"
	    "      - Label: {default: T}\n"
	    "        Parameters: [Names]\n"
	    "Parameters:\n"
	    "  Names:\n"
	    "    Type: CommaDelimitedList\n"
	    "    Description: n\n"
	    "    Default: x,y\n"
	    "Resources:\n"
	    "  R:\n"
	    "    Type: AWS::S3::Bucket\n"
	    "    Properties:\n"
	    "      A: !Join [':', [a, b, c]]\n"
	    "      B: !Join ['', ['arn:', !Ref AWS::Partition, ':s3:::elasticbeanstalk-*-', "
	    "!Ref AWS::AccountId]]\n"
	    "      C: !Join ['-', !Ref Names]\n"
	    "      D: !Join [',', []]\n";
	rf_fixture fx;
	rf_render(&fx, frag, "dev");
	assert_no_findings(&fx);
	assert_str_node(rf_prop(&fx, "R", "A"), "a:b:c");
	const rnode *b = rf_prop(&fx, "R", "B");
	assert_string_equal(b->fn, "Fn::Join");
	assert_str_node(b->kids[1]->kids[1], "aws");
	assert_string_equal(b->kids[1]->kids[3]->fn, "Ref");
	assert_str_node(rf_prop(&fx, "R", "C"), "x-y");
	assert_str_node(rf_prop(&fx, "R", "D"), "");
	rf_done(&fx);
	render_options opt = {.account_id = "123456789012"};
	rf_render_opt(&fx, frag, "dev", &opt);
	assert_str_node(rf_prop(&fx, "R", "B"), "arn:aws:s3:::elasticbeanstalk-*-123456789012");
	rf_done(&fx);
	rf_render(&fx,
	          "Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n"
	          "      A: !Join [':', 'not a list']\n",
	          "dev");
	assert_non_null(rf_find(&fx.f, "REN001", "Fn::Join"));
	rf_done(&fx);
}

/* Fn::Select: !Select ["1", [apples, grapes, oranges, mangoes]] is grapes. */
static void test_select(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Metadata:\n"
	          "  AWS::CloudFormation::Interface:\n"
	          "    ParameterGroups:\n"
	          "      - Label: {default: T}\n"
	          "        Parameters: [DbSubnetIpBlocks]\n"
	          "Parameters:\n"
	          "  DbSubnetIpBlocks:\n"
	          "    Type: CommaDelimitedList\n"
	          "    Description: n\n"
	          "    Default: '10.0.48.0/24, 10.0.112.0/24, 10.0.176.0/24'\n"
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::EC2::Subnet\n"
	          "    Properties:\n"
	          "      A: !Select ['1', [apples, grapes, oranges, mangoes]]\n"
	          "      CidrBlock: !Select [0, !Ref DbSubnetIpBlocks]\n"
	          "      Bad: !Select [4, [a, b]]\n"
	          "      Neg: !Select [-1, [a, b]]\n",
	          "dev");
	assert_str_node(rf_prop(&fx, "R", "A"), "grapes");
	assert_str_node(rf_prop(&fx, "R", "CidrBlock"), "10.0.48.0/24");
	const finding *f = rf_find(&fx.f, "REN004", "index 4 is out of range");
	assert_non_null(f);
	assert_int_equal(f->line, 17);
	assert_non_null(rf_find(&fx.f, "REN001", "whole number"));
	rf_done(&fx);
}

/* Fn::Split: !Split ["|", "a|b|c"] is [a, b, c]; "a||c|" keeps the empty
 * strings: [a, "", c, ""]. */
static void test_split(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::S3::Bucket\n"
	          "    Properties:\n"
	          "      A: !Split ['|', 'a|b|c']\n"
	          "      B: !Split ['|', 'a||c|']\n"
	          "      C: !Select [2, !Split [',', 'x,y,z']]\n"
	          "      D: !Split [',', !GetAtt R.Arn]\n",
	          "dev");
	assert_no_findings(&fx);
	const char *const abc[] = {"a", "b", "c"};
	assert_list(rf_prop(&fx, "R", "A"), abc, 3);
	const char *const gaps[] = {"a", "", "c", ""};
	assert_list(rf_prop(&fx, "R", "B"), gaps, 4);
	assert_str_node(rf_prop(&fx, "R", "C"), "z");
	assert_string_equal(rf_prop(&fx, "R", "D")->fn, "Fn::Split");
	rf_done(&fx);
	/* the delimiter is a string, and not an empty one */
	static const char *const bad[] = {"!Split ['', 'a,b']", "!Split [[','], 'a,b']",
	                                  "!Split [',', !Ref AWS::NoValue]"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		buf t;
		buf_init(&t, 0);
		buf_addf(
		    &t,
		    "Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n      A: %s\n",
		    bad[i]);
		rf_render(&fx, buf_cstr(&t), "dev");
		if (!rf_find(&fx.f, "REN001", "non-empty delimiter"))
			fail_msg("%s: no REN001", bad[i]);
		rf_done(&fx);
		buf_free(&t);
	}
}

/* Fn::Select's index at the list's last item and one past, 0, a sign or
 * text; Fn::Join with one item, none, an empty delimiter, a symbolic item;
 * Fn::Split with a delimiter at either end and a longer delimiter; the
 * functions whose inside is resolved and that stay (ImportValue, Length,
 * ToJsonString, Transform), NoValue inside one. */
static void test_list_function_edges(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      S0: !Select [0, [a, b, c]]\n"
	          "      S2: !Select [2, [a, b, c]]\n"
	          "      S3: !Select [3, [a, b, c]]\n"
	          "      SPlus: !Select ['+1', [a, b]]\n"
	          "      SText: !Select [x, [a, b]]\n"
	          "      SNotList: !Select [0, a]\n"
	          "      SOne: !Select [0]\n"
	          "      SSym: !Select [0, !Split [',', !GetAtt R.Arn]]\n"
	          "      J1: !Join ['-', [a]]\n"
	          "      J0: !Join ['-', []]\n"
	          "      JE: !Join ['', [a, b]]\n"
	          "      JSym: !Join ['-', [a, !GetAtt R.TopicName]]\n"
	          "      JList: !Join ['-', [a, [b]]]\n"
	          "      JOne: !Join ['-']\n"
	          "      P1: !Split [',', ',a,']\n"
	          "      P2: !Split ['::', 'a::b:c']\n"
	          "      P3: !Split [',', '']\n"
	          "      Imp: !ImportValue {Fn::Sub: '${EnvironmentSuffix}-vpc'}\n"
	          "      Len: {Fn::Length: [a, b]}\n"
	          "      Json: {Fn::ToJsonString: {a: !Ref EnvironmentSuffix}}\n"
	          "      ImpNone: !ImportValue {Ref: AWS::NoValue}\n",
	          "dev");
	assert_str_node(rf_prop(&fx, "R", "S0"), "a");
	assert_str_node(rf_prop(&fx, "R", "S2"), "c");
	assert_non_null(rf_find(&fx.f, "REN004", "index 3 is out of range: the list has 3"));
	assert_int_equal(rf_count(&fx.f, "REN001", SEV_ERROR), 6);
	assert_non_null(rf_find(&fx.f, "REN001", "Fn::Select selects from a list"));
	assert_non_null(rf_find(&fx.f, "REN001", "Fn::Select takes an index and a list"));
	assert_non_null(rf_find(&fx.f, "REN001", "Fn::Join joins strings, not lists"));
	assert_non_null(rf_find(&fx.f, "REN001", "Fn::Join takes a delimiter and a list"));
	assert_string_equal(rf_prop(&fx, "R", "SSym")->fn, "Fn::Select");
	assert_str_node(rf_prop(&fx, "R", "J1"), "a");
	assert_str_node(rf_prop(&fx, "R", "J0"), "");
	assert_str_node(rf_prop(&fx, "R", "JE"), "ab");
	assert_string_equal(rf_prop(&fx, "R", "JSym")->fn, "Fn::Join");
	const char *const p1[] = {"", "a", ""};
	assert_list(rf_prop(&fx, "R", "P1"), p1, 3);
	const char *const p2[] = {"a", "b:c"};
	assert_list(rf_prop(&fx, "R", "P2"), p2, 2);
	const char *const p3[] = {""};
	assert_list(rf_prop(&fx, "R", "P3"), p3, 1);
	const rnode *imp = rf_prop(&fx, "R", "Imp");
	assert_string_equal(imp->fn, "Fn::ImportValue");
	assert_str_node(&(rnode){.kind = RN_SCALAR, .str = imp->str}, "dev-vpc");
	assert_string_equal(rf_prop(&fx, "R", "Len")->fn, "Fn::Length");
	const rnode *json = rf_prop(&fx, "R", "Json");
	assert_string_equal(json->fn, "Fn::ToJsonString");
	assert_string_equal(json->kids[1]->str, "dev");
	const rnode *none = rf_prop(&fx, "R", "ImpNone");
	assert_string_equal(none->fn, "Fn::ImportValue");
	assert_int_equal(none->kind, RN_MAP); /* {Ref: AWS::NoValue} inside */
	assert_string_equal(none->kids[0]->str, "Ref");
	assert_string_equal(none->kids[1]->str, "AWS::NoValue");
	rf_done(&fx);
}

/* NoEcho is true spelled exactly true or True: a longer word is not. */
static void test_no_echo_spellings(void **state)
{
	(void)state;
	rf_fixture fx;
	if (!rf_load(&fx,
	             "Metadata:\n"
	             "  AWS::CloudFormation::Interface:\n"
	             "    ParameterGroups:\n"
	             "      - Label: {default: S}\n"
	             "        Parameters: [A, B, C, D]\n"
	             "Parameters:\n"
	             "  A: {Type: String, Description: a, Default: x, NoEcho: 'true'}\n"
	             "  B: {Type: String, Description: b, Default: x, NoEcho: 'True'}\n"
	             "  C: {Type: String, Description: c, Default: x, NoEcho: 'truex'}\n"
	             "  D: {Type: String, Description: d, Default: x, NoEcho: 'Truey'}\n"
	             "Resources:\n"
	             "  T: {Type: AWS::SNS::Topic}\n",
	             NULL))
		fail_msg("catalog: %s", fx.err.msg);
	assert_true(catalog_param(fx.cat, "A")->no_echo);
	assert_true(catalog_param(fx.cat, "B")->no_echo);
	assert_false(catalog_param(fx.cat, "C")->no_echo);
	assert_false(catalog_param(fx.cat, "D")->no_echo);
	rf_done(&fx);
}

/* rnode_bool: the spellings CloudFormation takes for a boolean, each
 * exactly; anything else is no boolean (-1). */
static void test_bool_spellings(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::S3::Bucket\n"
	          "    Properties:\n"
	          "      T1: 'true'\n"
	          "      T2: 'True'\n"
	          "      T3: 'TRUE'\n"
	          "      F1: 'false'\n"
	          "      F2: 'False'\n"
	          "      F3: 'FALSE'\n"
	          "      N1: 'tRUE'\n"
	          "      N2: 'falsey'\n"
	          "      N3: 'yes'\n"
	          "      N4: 'fals'\n"
	          "      N5: 'truex'\n"
	          "      N6: 'Truex'\n"
	          "      N7: 'TRUEX'\n"
	          "      N8: 'Falsey'\n"
	          "      N9: 'FALSEY'\n",
	          "dev");
	static const struct {
		const char *prop;
		int value;
	} cases[] = {{"T1", 1},  {"T2", 1},  {"T3", 1},  {"F1", 0},  {"F2", 0},
	             {"F3", 0},  {"N1", -1}, {"N2", -1}, {"N3", -1}, {"N4", -1},
	             {"N5", -1}, {"N6", -1}, {"N7", -1}, {"N8", -1}, {"N9", -1}};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		if (rnode_bool(rf_prop(&fx, "R", cases[i].prop)) != cases[i].value)
			fail_msg("%s: %d", cases[i].prop,
			         rnode_bool(rf_prop(&fx, "R", cases[i].prop)));
	assert_int_equal(rnode_bool(NULL), -1);
	rf_done(&fx);
}

/* Fn::Sub: both forms, pseudo parameters, ${!Literal}, what stays. */
static void test_sub(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Metadata:\n"
	          "  AWS::CloudFormation::Interface:\n"
	          "    ParameterGroups:\n"
	          "      - Label: {default: T}\n"
	          "        Parameters: [RootDomainName]\n"
	          "Parameters:\n"
	          "  RootDomainName:\n"
	          "    Type: String\n"
	          "    Description: d\n"
	          "    Default: example.com\n"
	          "Resources:\n"
	          "  Vpc:\n"
	          "    Type: AWS::EC2::VPC\n"
	          "  R:\n"
	          "    Type: AWS::S3::Bucket\n"
	          "    Properties:\n"
	          "      Name: !Sub\n"
	          "        - 'www.${Domain}'\n"
	          "        - Domain: !Ref RootDomainName\n"
	          "      Arn: !Sub "
	          "'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc/${Vpc}'\n"
	          "      Literal: !Sub '${!Literal}-${AWS::StackName}'\n"
	          "      Mixed: !Sub ['${A}-${B}', {A: x, B: !GetAtt Vpc.CidrBlock}]\n"
	          "      Url: !Sub 'https://s3.${AWS::URLSuffix}/${EnvironmentSuffix}'\n",
	          "dev");
	assert_no_findings(&fx);
	assert_str_node(rf_prop(&fx, "R", "Name"), "www.example.com");
	const rnode *arn = rf_prop(&fx, "R", "Arn");
	assert_string_equal(arn->fn, "Fn::Sub");
	assert_string_equal(arn->str, "arn:aws:ec2:eu-west-1:${AWS::AccountId}:vpc/${Vpc}");
	assert_true(rnode_mentions(arn, "Vpc"));
	assert_string_equal(rnode_text(arn), "arn:aws:ec2:eu-west-1:${AWS::AccountId}:vpc/${Vpc}");
	/* model_new_from_catalog names the stack lms-<suffix> */
	const char *stack = model_get(fx.m, "stack");
	buf want;
	buf_init(&want, 0);
	buf_addf(&want, "${Literal}-%s", stack);
	assert_str_node(rf_prop(&fx, "R", "Literal"), buf_cstr(&want));
	buf_free(&want);
	const rnode *mixed = rf_prop(&fx, "R", "Mixed");
	assert_string_equal(mixed->fn, "Fn::Sub");
	assert_int_equal(mixed->kind, RN_SEQ);
	assert_string_equal(mixed->kids[0]->str, "x-${B}");
	assert_non_null(rnode_get(mixed->kids[1], "B"));
	assert_null(rnode_get(mixed->kids[1], "A"));
	assert_str_node(rf_prop(&fx, "R", "Url"), "https://s3.amazonaws.com/dev");
	rf_done(&fx);
	/* a known value with "${" in it, inside a Sub that stays: escaped */
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::S3::Bucket\n"
	          "    Properties:\n"
	          "      A: !Sub ['${X}${R.Arn}', {X: '${!y}'}]\n"
	          "      B: !Sub '${Nope}'\n",
	          "dev");
	/* the literal text ${!y} written into a template is ${!!y} */
	assert_string_equal(rf_prop(&fx, "R", "A")->str, "${!!y}${R.Arn}");
	assert_non_null(rf_find(&fx.f, "REN002", "Nope"));
	rf_done(&fx);
}

/* Fn::Sub's names: a variable against a longer and a shorter one, the
 * characters a name may hold at each end of their ranges and the ones just
 * outside, ${!...} and an unclosed ${, a list or NoValue as a variable. */
static void test_sub_edges(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::S3::Bucket\n"
	          "    Properties:\n"
	          "      A: !Sub ['${A}|${AB}', {AB: long, A: short}]\n"
	          "      B: !Sub ['${AB}|${A}', {A: short, AB: long}]\n"
	          "      C: !Sub ['${az09AZ_}', {az09AZ_: ok}]\n"
	          "      D: !Sub '${!}x${!A}'\n"
	          "      E: !Sub 'a${b'\n"
	          "      F: !Sub ['${X}${R.Arn}', {X: 'a$'}]\n"
	          "      G: !Sub ['${Y}', {Y: !GetAtt R.Arn, Z: !GetAtt R.DomainName}]\n"
	          "      H: !Sub '${R.Arn}'\n"
	          "      I: !Sub ['${Environment}-${EnvironmentSuffix}', {}]\n"
	          "      J: !Sub '${Raz09AZ.Arn}|${Raz09AZ}'\n"
	          "  Raz09AZ:\n"
	          "    Type: AWS::S3::Bucket\n",
	          "dev");
	assert_no_findings(&fx);
	/* a resource's name with each end of the ranges, not a variable's */
	const rnode *j = rf_prop(&fx, "R", "J");
	assert_string_equal(j->fn, "Fn::Sub");
	assert_string_equal(j->str, "${Raz09AZ.Arn}|${Raz09AZ}");
	assert_str_node(rf_prop(&fx, "R", "A"), "short|long");
	assert_str_node(rf_prop(&fx, "R", "B"), "long|short");
	assert_str_node(rf_prop(&fx, "R", "C"), "ok");
	assert_str_node(rf_prop(&fx, "R", "D"), "${}x${A}");
	assert_str_node(rf_prop(&fx, "R", "E"), "a${b");
	assert_string_equal(rf_prop(&fx, "R", "F")->str, "a$${R.Arn}");
	const rnode *g = rf_prop(&fx, "R", "G");
	assert_string_equal(g->fn, "Fn::Sub");
	assert_int_equal(g->kind, RN_SEQ);
	assert_string_equal(g->kids[0]->str, "${Y}");
	assert_int_equal(g->kids[1]->n, 1); /* Z is not used */
	assert_non_null(rnode_get(g->kids[1], "Y"));
	const rnode *h = rf_prop(&fx, "R", "H");
	assert_string_equal(h->fn, "Fn::Sub");
	assert_int_equal(h->kind, RN_SCALAR);
	assert_str_node(rf_prop(&fx, "R", "I"), "dev-dev");
	rf_done(&fx);
	/* names with a character just outside the ranges */
	static const char *const bad[] = {"a@b", "a[b", "a`b", "a{b", "a/b",
	                                  "a;b", "a-b", "",    "@a",  "-a"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		buf t;
		buf_init(&t, 0);
		buf_addf(&t,
		         "Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n"
		         "      A: !Sub 'x${%s}'\n",
		         bad[i]);
		rf_render(&fx, buf_cstr(&t), "dev");
		if (!rf_find(&fx.f, "REN002", "is not a valid name"))
			fail_msg("${%s}: no REN002", bad[i]);
		assert_int_equal(fx.f.n, 1);
		rf_done(&fx);
		buf_free(&t);
	}
	/* variables that are no string; names that are near a parameter or
	 * a pseudo parameter */
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::S3::Bucket\n"
	          "    Properties:\n"
	          "      A: !Sub ['${L}', {L: [a, b]}]\n"
	          "      B: !Sub ['${N}', {N: !Ref AWS::NoValue}]\n"
	          "      C: !Sub '${EnvironmentSuffixes}'\n"
	          "      D: !Sub '${AWS::Regions}'\n",
	          "dev");
	assert_int_equal(rf_count(&fx.f, "REN001", SEV_ERROR), 2);
	assert_non_null(rf_find(&fx.f, "REN001", "a Fn::Sub variable must be a string"));
	assert_non_null(rf_find(&fx.f, "REN002", "'EnvironmentSuffixes', which is neither"));
	assert_non_null(rf_find(&fx.f, "REN002", "AWS::Regions, which is not a pseudo parameter"));
	assert_int_equal(fx.f.n, 4);
	rf_done(&fx);
}

/* Fn::GetAtt's forms: Resource.Attribute (an attribute may hold a dot) and
 * [Resource, Attribute]; a name with nothing before or after its dot, or
 * no dot, three items, NoValue as the attribute. */
static void test_getatt_forms(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::S3::Bucket\n"
	          "    Properties:\n"
	          "      A: !GetAtt R.Endpoint.Address\n"
	          "      B: !GetAtt [R, Arn]\n"
	          "      C: {Fn::GetAtt: [R, !Ref EnvironmentSuffix]}\n",
	          "dev");
	assert_no_findings(&fx);
	const rnode *a = rf_prop(&fx, "R", "A");
	assert_string_equal(a->fn, "Fn::GetAtt");
	assert_str_node(a->kids[0], "R");
	assert_str_node(a->kids[1], "Endpoint.Address");
	assert_str_node(rf_prop(&fx, "R", "B")->kids[1], "Arn");
	assert_str_node(rf_prop(&fx, "R", "C")->kids[1], "dev");
	rf_done(&fx);
	static const char *const bad[] = {"!GetAtt .Arn",
	                                  "!GetAtt R.",
	                                  "!GetAtt R",
	                                  "!GetAtt [R, Arn, X]",
	                                  "!GetAtt [R, !Ref AWS::NoValue]",
	                                  "!GetAtt [!Ref R, Arn]"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		buf t;
		buf_init(&t, 0);
		buf_addf(&t,
		         "Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n"
		         "      A: %s\n",
		         bad[i]);
		rf_render(&fx, buf_cstr(&t), "dev");
		if (!rf_find(&fx.f, "REN001", "Fn::GetAtt takes a resource and an attribute"))
			fail_msg("%s: no REN001", bad[i]);
		rf_done(&fx);
		buf_free(&t);
	}
}

static const char cond_fragment[] =
    "Metadata:\n"
    "  AWS::CloudFormation::Interface:\n"
    "    ParameterGroups:\n"
    "      - Label: {default: T}\n"
    "        Parameters: [ASecurityGroup]\n"
    "Parameters:\n"
    "  ASecurityGroup:\n"
    "    Type: String\n"
    "    Description: g\n"
    "    Default: sg-mysggroup\n"
    "Conditions:\n"
    "  SomeOtherCondition: !Equals [!Ref Environment, dev]\n"
    "  MyAndCondition: !And [!Equals ['sg-mysggroup', !Ref ASecurityGroup], !Condition "
    "SomeOtherCondition]\n"
    "  MyNotCondition: !Not [!Equals [!Ref Environment, prod]]\n"
    "  MyOrCondition: !Or [!Equals [sg-x, !Ref ASecurityGroup], !Condition IsProd]\n"
    "  LongForm:\n"
    "    Fn::And:\n"
    "      - Condition: MyAndCondition\n"
    "      - Fn::Not: [{Condition: MyOrCondition}]\n"
    "Resources:\n"
    "  ProdOnly:\n"
    "    Type: AWS::SNS::Topic\n"
    "    Condition: IsProd\n"
    "  Always:\n"
    "    Type: AWS::SNS::Topic\n"
    "    Condition: LongForm\n"
    "    Properties:\n"
    "      InstanceType: !If [IsProd, c1.xlarge, m1.small]\n"
    "      Gone: !If [IsProd, x, !Ref AWS::NoValue]\n"
    "      List: [a, !If [IsProd, b, !Ref AWS::NoValue], c]\n"
    "      Ref: !If [IsProd, !Ref ProdOnly, none]\n"
    "Outputs:\n"
    "  ProdOut:\n"
    "    Condition: IsProd\n"
    "    Value: !Ref ProdOnly\n"
    "  Out:\n"
    "    Condition: LongForm\n"
    "    Value: !Sub '${Always}'\n";

/* Conditions: the User Guide's Fn::And / Fn::Not / Fn::Or examples; what a
 * false condition guards disappears. */
static void test_conditions(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx, cond_fragment, "dev");
	assert_no_findings(&fx);
	assert_null(render_find(fx.r, "ProdOnly"));
	const render_resource *always = render_find(fx.r, "Always");
	assert_non_null(always);
	assert_null(rnode_get(always->node, "Condition")); /* true: dropped */
	assert_str_node(rf_prop(&fx, "Always", "InstanceType"), "m1.small");
	assert_null(rf_prop(&fx, "Always", "Gone"));
	const char *const ac[] = {"a", "c"};
	assert_list(rf_prop(&fx, "Always", "List"), ac, 2);
	assert_str_node(rf_prop(&fx, "Always", "Ref"), "none");
	const rnode *outputs = rnode_get(fx.r->root, "Outputs");
	assert_null(rnode_get(outputs, "ProdOut"));
	assert_non_null(rnode_get(outputs, "Out"));
	rf_done(&fx);
	rf_render(&fx, cond_fragment, "prod");
	assert_no_findings(&fx);
	/* in prod SomeOtherCondition is false, so LongForm is and Always goes */
	assert_null(render_find(fx.r, "Always"));
	assert_non_null(render_find(fx.r, "ProdOnly"));
	assert_non_null(rnode_get(rnode_get(fx.r->root, "Outputs"), "ProdOut"));
	assert_null(rnode_get(rnode_get(fx.r->root, "Outputs"), "Out"));
	rf_done(&fx);
}

/* Each condition function over true (T), false (F) and undecided (U)
 * operands, in both orders; Fn::Equals over lists and mappings that differ
 * in one place, in length, in a key, and that hold something undecided. */
static void test_condition_table(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		int want;
	} table[] = {
	    {"T", 1},      {"F", 0},         {"U", -1},        {"AndTT", 1},    {"AndTF", 0},
	    {"AndFT", 0},  {"AndTU", -1},    {"AndUT", -1},    {"AndFU", 0},    {"AndUF", 0},
	    {"AndUU", -1}, {"AndT", 1},      {"AndF", 0},      {"AndTTF", 0},   {"OrFF", 0},
	    {"OrTF", 1},   {"OrFT", 1},      {"OrFU", -1},     {"OrUF", -1},    {"OrTU", 1},
	    {"OrUT", 1},   {"OrUU", -1},     {"OrF", 0},       {"OrFFT", 1},    {"NotT", 0},
	    {"NotF", 1},   {"NotU", -1},     {"ListSame", 1},  {"ListDiff", 0}, {"ListLen", 0},
	    {"ListU", -1}, {"ListUDiff", 0}, {"ListDiffU", 0}, {"MapSame", 1},  {"MapVal", 0},
	    {"MapKey", 0}, {"MapLen", 0},    {"Kinds", 0},     {"NoValue", -1}, {"CondT", 1},
	    {"CondU", -1}, {"Empty", 1},     {"EmptyDiff", 0},
	};
	rf_fixture fx;
	rf_render(&fx,
	          "Conditions:\n"
	          "  T: !Equals [a, a]\n"
	          "  F: !Equals [a, b]\n"
	          "  U: !Equals [!GetAtt R.TopicName, a]\n"
	          "  AndTT: !And [!Condition T, !Condition T]\n"
	          "  AndTF: !And [!Condition T, !Condition F]\n"
	          "  AndFT: !And [!Condition F, !Condition T]\n"
	          "  AndTU: !And [!Condition T, !Condition U]\n"
	          "  AndUT: !And [!Condition U, !Condition T]\n"
	          "  AndFU: !And [!Condition F, !Condition U]\n"
	          "  AndUF: !And [!Condition U, !Condition F]\n"
	          "  AndUU: !And [!Condition U, !Condition U]\n"
	          "  AndT: !And [!Condition T]\n"
	          "  AndF: !And [!Condition F]\n"
	          "  AndTTF: !And [!Condition T, !Condition T, !Condition F]\n"
	          "  OrFF: !Or [!Condition F, !Condition F]\n"
	          "  OrTF: !Or [!Condition T, !Condition F]\n"
	          "  OrFT: !Or [!Condition F, !Condition T]\n"
	          "  OrFU: !Or [!Condition F, !Condition U]\n"
	          "  OrUF: !Or [!Condition U, !Condition F]\n"
	          "  OrTU: !Or [!Condition T, !Condition U]\n"
	          "  OrUT: !Or [!Condition U, !Condition T]\n"
	          "  OrUU: !Or [!Condition U, !Condition U]\n"
	          "  OrF: !Or [!Condition F]\n"
	          "  OrFFT: !Or [!Condition F, !Condition F, !Condition T]\n"
	          "  NotT: !Not [!Condition T]\n"
	          "  NotF: !Not [!Condition F]\n"
	          "  NotU: !Not [!Condition U]\n"
	          "  ListSame: !Equals [[a, b], [a, b]]\n"
	          "  ListDiff: !Equals [[a, b], [a, c]]\n"
	          "  ListLen: !Equals [[a, b], [a, b, c]]\n"
	          "  ListU: !Equals [[a, !GetAtt R.TopicName], [a, x]]\n"
	          "  ListUDiff: !Equals [[!GetAtt R.TopicName, b], [x, c]]\n"
	          "  ListDiffU: !Equals [[b, !GetAtt R.TopicName], [c, x]]\n"
	          "  MapSame: !Equals [{k: v, j: w}, {k: v, j: w}]\n"
	          "  MapVal: !Equals [{k: v}, {k: w}]\n"
	          "  MapKey: !Equals [{k: v}, {j: v}]\n"
	          "  MapLen: !Equals [{k: v}, {k: v, j: w}]\n"
	          "  Kinds: !Equals [[a], a]\n"
	          "  NoValue: !Equals [!Ref AWS::NoValue, '']\n"
	          "  CondT: {Condition: T}\n"
	          "  CondU: {Condition: U}\n"
	          "  Empty: !Equals ['', '']\n"
	          "  EmptyDiff: !Equals ['', ' ']\n"
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n",
	          "dev");
	assert_no_findings(&fx);
	for (size_t i = 0; i < sizeof table / sizeof *table; i++)
		if (render_condition(fx.r, table[i].name) != table[i].want)
			fail_msg("%s is %d, not %d", table[i].name,
			         render_condition(fx.r, table[i].name), table[i].want);
	assert_int_equal(render_condition(fx.r, "Tx"), -1); /* no such condition */
	/* a name is matched whole: "And" and "Map" only begin AndTT and MapSame */
	assert_int_equal(render_condition(fx.r, "And"), -1);
	assert_int_equal(render_condition(fx.r, "Map"), -1);
	rf_done(&fx);

	/* malformed condition functions: each a finding, undecided */
	rf_render(&fx,
	          "Conditions:\n"
	          "  Eq1: !Equals [a]\n"
	          "  Eq3: !Equals [a, a, a]\n"
	          "  Not0: !Not []\n"
	          "  Not2: !Not [!Equals [a, a], !Equals [a, a]]\n"
	          "  And0: !And []\n"
	          "  Or0: !Or []\n"
	          "  CondList: {Condition: [T]}\n"
	          "  NotFn: !Sub x\n"
	          "  Plain: x\n"
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Condition: !Ref Plain\n",
	          "dev");
	assert_non_null(rf_find(&fx.f, "REN001", "Fn::Equals takes a list of two values"));
	assert_non_null(rf_find(&fx.f, "REN001", "Fn::Not takes a list of one condition"));
	assert_non_null(rf_find(&fx.f, "REN001", "Fn::And takes a list of conditions"));
	assert_non_null(rf_find(&fx.f, "REN001", "Fn::Or takes a list of conditions"));
	assert_non_null(rf_find(&fx.f, "REN001", "Condition takes a condition name"));
	assert_non_null(rf_find(&fx.f, "REN001", "Fn::Sub is not a condition function"));
	assert_non_null(rf_find(&fx.f, "REN001", "a condition must be a condition function"));
	assert_non_null(rf_find(&fx.f, "REN001", "a resource's Condition is a condition name"));
	assert_int_equal(rf_count(&fx.f, "REN001", SEV_ERROR), 10);
	const char *const names[] = {"Eq1", "Eq3",      "Not0",  "Not2", "And0",
	                             "Or0", "CondList", "NotFn", "Plain"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		assert_int_equal(render_condition(fx.r, names[i]), -1);
	rf_done(&fx);
}

/* Evaluation nests 1024 deep: a chain of 1023 conditions ends in
 * Fn::Equals whose values are the 1024th level; with 1024 the values are one
 * too deep, with 1025 the last condition is. */
static void test_condition_depth(void **state)
{
	(void)state;
	for (int n = 1023; n <= 1025; n++) {
		buf t;
		buf_init(&t, 0);
		buf_adds(&t, "Conditions:\n");
		for (int i = 0; i < n - 1; i++)
			buf_addf(&t, "  C%d: !Condition C%d\n", i, i + 1);
		buf_addf(&t, "  C%d: !Equals [a, a]\n", n - 1);
		buf_adds(&t, "Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Condition: C0\n");
		rf_fixture fx;
		rf_render(&fx, buf_cstr(&t), "dev");
		buf_free(&t);
		if (n == 1023) {
			assert_no_findings(&fx);
			assert_int_equal(render_condition(fx.r, "C0"), 1);
		} else {
			assert_non_null(rf_find(&fx.f, "REN003",
			                        n == 1024 ? "intrinsic functions nest too deeply"
			                                  : "conditions nest too deeply"));
			if (n == 1025)
				assert_int_equal(render_condition(fx.r, "C0"), -1);
		}
		rf_done(&fx);
	}
}

/* What CloudFormation would refuse: a condition cycle, an undefined
 * condition, a Ref to a resource its condition removes, condition functions
 * in a value, unknown functions. */
static void test_condition_errors(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Conditions:\n"
	          "  A: !Condition B\n"
	          "  B: !Not [!Condition A]\n"
	          "Resources:\n"
	          "  ProdOnly:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Condition: IsProd\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    DependsOn: ProdOnly\n"
	          "    Properties:\n"
	          "      A: !If [Nope, a, b]\n"
	          "      B: !Ref ProdOnly\n"
	          "      C: !Equals [a, b]\n"
	          "      D: !Frobnicate x\n"
	          "      E: {Fn::Frobnicate: x}\n"
	          "      F: !GetAtt Missing.Arn\n"
	          "      G: !Ref Missing\n"
	          "      H: !If [Nope, !Ref EnvironmentSuffix, b]\n"
	          "  Cyclic:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Condition: A\n",
	          "dev");
	assert_non_null(rf_find(&fx.f, "REN001", "depends on itself"));
	/* a condition in a cycle is unknown, not false (nor, through its Not,
	 * true): its resource stays, conditional */
	assert_non_null(render_find(fx.r, "Cyclic"));
	assert_true(render_find(fx.r, "Cyclic")->conditional);
	assert_non_null(rf_find(&fx.f, "REN002", "condition 'Nope' is not defined"));
	const finding *f = rf_find(&fx.f, "REN002", "Ref names ProdOnly");
	assert_non_null(f);
	assert_int_equal(f->line, 13);
	assert_non_null(rf_find(&fx.f, "REN002", "DependsOn names ProdOnly"));
	assert_non_null(rf_find(&fx.f, "REN001", "only in Conditions"));
	f = rf_find(&fx.f, "REN001", "Fn::Frobnicate is not");
	assert_non_null(f);
	assert_int_equal(f->line, 15);
	assert_int_equal(f->col, 10);
	assert_non_null(rf_find(&fx.f, "REN002", "Fn::GetAtt reads 'Missing'"));
	assert_non_null(rf_find(&fx.f, "REN002", "Ref to 'Missing'"));
	/* the undecided If stays, with its condition in the rendered template */
	assert_string_equal(rf_prop(&fx, "R", "A")->fn, "Fn::If");
	/* its condition name is no parameter's Ref, whatever its branches hold */
	const rnode *kept = rf_prop(&fx, "R", "H");
	assert_string_equal(kept->fn, "Fn::If");
	assert_str_node(kept->kids[0], "Nope");
	assert_null(rnode_param(fx.r, kept->kids[0]));
	assert_string_equal(rnode_param(fx.r, kept->kids[1]), "EnvironmentSuffix");
	rf_done(&fx);
}

/* Positions count characters: a multibyte line before the error. */
static void test_position_after_multibyte(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      DisplayName: !Sub 'Lérning Mänägement — ${EnvironmentSuffix}'\n"
	          "      Tags: [{Key: 名前, Value: !Select [9, [ü]]}]\n",
	          "dev");
	assert_str_node(rf_prop(&fx, "R", "DisplayName"), "Lérning Mänägement — dev");
	const finding *f = rf_find(&fx.f, "REN004", NULL);
	assert_non_null(f);
	assert_int_equal(f->line, 6);
	assert_int_equal(f->col, 31); /* characters, not bytes (35) */
	rf_done(&fx);
}

/* Pseudo parameters and what stays symbolic. */
static void test_pseudo_and_symbolic(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      Region: !Ref AWS::Region\n"
	          "      Partition: !Ref AWS::Partition\n"
	          "      Suffix: !Ref AWS::URLSuffix\n"
	          "      Account: !Ref AWS::AccountId\n"
	          "      StackId: !Ref AWS::StackId\n"
	          "      Self: !Ref R\n"
	          "      Att: !GetAtt [R, TopicName]\n"
	          "      Import: !ImportValue {Fn::Sub: '${AWS::Region}-vpc'}\n"
	          "      Bogus: !Ref AWS::Bogus\n"
	          "      LongRegion: !Ref AWS::RegionX\n"
	          "      LongAccount: !Ref AWS::AccountIdX\n"
	          "      LongStack: !Ref AWS::StackNameX\n"
	          "      LongPartition: !Ref AWS::PartitionX\n"
	          "      LongSuffix: !Ref AWS::URLSuffixes\n",
	          "dev");
	assert_str_node(rf_prop(&fx, "R", "Region"), "eu-west-1");
	assert_str_node(rf_prop(&fx, "R", "Partition"), "aws");
	assert_str_node(rf_prop(&fx, "R", "Suffix"), "amazonaws.com");
	assert_string_equal(rf_prop(&fx, "R", "Account")->fn, "Ref");
	assert_string_equal(rf_prop(&fx, "R", "StackId")->fn, "Ref");
	const char *attr;
	assert_string_equal(rnode_ref(rf_prop(&fx, "R", "Self"), &attr), "R");
	assert_null(attr);
	assert_string_equal(rnode_ref(rf_prop(&fx, "R", "Att"), &attr), "R");
	assert_string_equal(attr, "TopicName");
	const rnode *imp = rf_prop(&fx, "R", "Import");
	assert_string_equal(imp->fn, "Fn::ImportValue");
	assert_int_equal(imp->kind, RN_SCALAR);
	assert_string_equal(imp->str, "eu-west-1-vpc");
	assert_non_null(rf_find(&fx.f, "REN002", "AWS::Bogus"));
	/* a name that only starts like a pseudo parameter is none: it stays a
	 * symbolic Ref, with a finding, and takes no pseudo parameter's value */
	const char *longer[][2] = {{"LongRegion", "AWS::RegionX"},
	                           {"LongAccount", "AWS::AccountIdX"},
	                           {"LongStack", "AWS::StackNameX"},
	                           {"LongPartition", "AWS::PartitionX"},
	                           {"LongSuffix", "AWS::URLSuffixes"}};
	for (size_t i = 0; i < sizeof(longer) / sizeof(longer[0]); i++) {
		const rnode *n = rf_prop(&fx, "R", longer[i][0]);
		assert_non_null(n);
		assert_non_null(n->fn);
		assert_string_equal(n->fn, "Ref");
		assert_non_null(rf_find(&fx.f, "REN002", longer[i][1]));
	}
	rf_done(&fx);
	/* with the account known, too */
	render_options opt = {.account_id = "123456789012"};
	rf_render_opt(&fx,
	              "Resources:\n"
	              "  R:\n"
	              "    Type: AWS::SNS::Topic\n"
	              "    Properties:\n"
	              "      Account: !Ref AWS::AccountId\n"
	              "      Longer: !Ref AWS::AccountIdX\n",
	              "dev", &opt);
	assert_str_node(rf_prop(&fx, "R", "Account"), "123456789012");
	assert_string_equal(rf_prop(&fx, "R", "Longer")->fn, "Ref");
	rf_done(&fx);
}

/* Dependencies: DependsOn and references, transitively. */
static void test_dependencies(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  A:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "  B:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties: {X: !Ref A}\n"
	          "  C:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    DependsOn: B\n"
	          "  D:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties: {Y: !Sub '${C.Arn}'}\n",
	          "dev");
	const render_resource *a = render_find(fx.r, "A"), *d = render_find(fx.r, "D");
	assert_true(render_after(fx.r, d, a));
	assert_false(render_after(fx.r, a, d));
	assert_true(render_after(fx.r, render_find(fx.r, "C"), render_find(fx.r, "B")));
	rf_done(&fx);
}

/* Whether `from` lists `to` among its direct dependencies. */
static bool depends(const rendered *r, const char *from, const char *to)
{
	const render_resource *f = render_find(r, from), *t = render_find(r, to);
	assert_non_null(f);
	assert_non_null(t);
	for (size_t i = 0; i < f->ndeps; i++)
		if (&r->res[f->deps[i]] == t)
			return true;
	return false;
}

/* The graph edge by edge: DependsOn as a name and a list (a duplicate, the
 * resource itself, a name that is none), Ref, GetAtt, Sub in both forms (an
 * attribute, a ${!literal}, a pseudo parameter), a mapping's key that names
 * a resource (no reference); lookups among many names against a longer and
 * a shorter one; render_after through a chain and around a cycle. */
static void test_dependency_edges(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(
	    &fx,
	    "Resources:\n"
	    "  Buck: {Type: AWS::SNS::Topic}\n"
	    "  Bucket: {Type: AWS::SNS::Topic}\n"
	    "  Bucket2: {Type: AWS::SNS::Topic}\n"
	    "  BucketPolicy: {Type: AWS::SNS::Topic}\n"
	    "  A: {Type: AWS::SNS::Topic, DependsOn: [Bucket, Bucket, A, Nothing]}\n"
	    "  B: {Type: AWS::SNS::Topic, DependsOn: Buck}\n"
	    "  C: {Type: AWS::SNS::Topic, Properties: {X: [!GetAtt Bucket2.Arn]}}\n"
	    "  D: {Type: AWS::SNS::Topic, Properties: {Y: !Sub '${!Buck}${AWS::Region}${C.Arn}'}}\n"
	    "  E: {Type: AWS::SNS::Topic, Properties: {Z: !Sub ['${V}-${BucketPolicy}', {V: !Ref "
	    "Bucket2}]}}\n"
	    "  F: {Type: AWS::SNS::Topic, Properties: {Bucket: {Buck: x}}}\n"
	    "  G: {Type: AWS::SNS::Topic, Properties: {W: !If [IsProd, !Ref Buck, !Ref Bucket]}}\n"
	    "  H: {Type: AWS::SNS::Topic, DependsOn: I}\n"
	    "  I: {Type: AWS::SNS::Topic, DependsOn: H}\n"
	    "  J: {Type: AWS::SNS::Topic, Properties: {V: !Ref A, U: !Ref H}}\n",
	    "dev");
	/* lookups: every name, and names just around each */
	const char *const ids[] = {
	    "Buck", "Bucket", "Bucket2", "BucketPolicy", "A", "B", "C", "D", "E", "F", "G",
	    "H",    "I",      "J"};
	for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
		const render_resource *res = render_find(fx.r, ids[i]);
		assert_non_null(res);
		assert_string_equal(res->id, ids[i]);
	}
	const char *const none[] = {"Bu", "Bucke", "Bucket1", "Bucket3", "BucketPolicyX", "AA",
	                            "",   "K",     "0",       "a",       "Nothing"};
	for (size_t i = 0; i < sizeof none / sizeof *none; i++)
		if (render_find(fx.r, none[i]))
			fail_msg("found '%s'", none[i]);
	assert_int_equal(render_find(fx.r, "A")->ndeps, 1);
	assert_true(depends(fx.r, "A", "Bucket"));
	assert_int_equal(render_find(fx.r, "B")->ndeps, 1);
	assert_true(depends(fx.r, "B", "Buck"));
	assert_int_equal(render_find(fx.r, "C")->ndeps, 1);
	assert_true(depends(fx.r, "C", "Bucket2"));
	assert_int_equal(render_find(fx.r, "D")->ndeps, 1);
	assert_true(depends(fx.r, "D", "C"));
	/* the template's name and the variable's value */
	assert_int_equal(render_find(fx.r, "E")->ndeps, 2);
	assert_true(depends(fx.r, "E", "BucketPolicy"));
	assert_true(depends(fx.r, "E", "Bucket2"));
	assert_int_equal(render_find(fx.r, "F")->ndeps, 0);
	assert_int_equal(render_find(fx.r, "G")->ndeps, 1); /* dev: the false branch */
	assert_true(depends(fx.r, "G", "Bucket"));
	assert_int_equal(render_find(fx.r, "J")->ndeps, 2);
	/* render_after: through a chain, around a cycle, never to itself */
	const render_resource *j = render_find(fx.r, "J");
	assert_true(render_after(fx.r, j, render_find(fx.r, "Bucket")));
	assert_true(render_after(fx.r, j, render_find(fx.r, "I")));
	assert_false(render_after(fx.r, j, render_find(fx.r, "Buck")));
	assert_true(render_after(fx.r, render_find(fx.r, "H"), render_find(fx.r, "I")));
	assert_true(render_after(fx.r, render_find(fx.r, "I"), render_find(fx.r, "H")));
	assert_false(render_after(fx.r, render_find(fx.r, "H"), render_find(fx.r, "A")));
	assert_false(render_after(fx.r, j, j));
	assert_false(render_after(fx.r, NULL, j));
	assert_false(render_after(fx.r, j, NULL));
	/* mentions are exact names */
	const rnode *g = rf_prop(&fx, "G", "W");
	assert_true(rnode_mentions(g, "Bucket"));
	assert_false(rnode_mentions(g, "Buck"));
	assert_false(rnode_mentions(g, "Bucket2"));
	assert_true(rnode_mentions(rf_prop(&fx, "D", "Y"), "C"));
	assert_false(rnode_mentions(rf_prop(&fx, "D", "Y"), "Buck")); /* ${!Buck} is text */
	assert_false(rnode_mentions(rf_prop(&fx, "F", "Bucket"), "Buck"));
	/* reading: a Ref, a GetAtt, text of each Sub form */
	const char *attr = "x";
	assert_null(rnode_ref(rf_prop(&fx, "F", "Bucket"), &attr));
	assert_null(attr);
	assert_string_equal(rnode_ref(rf_prop(&fx, "C", "X")->kids[0], &attr), "Bucket2");
	assert_string_equal(attr, "Arn");
	assert_string_equal(rnode_ref(g, NULL), "Bucket");
	assert_null(rnode_ref(rf_prop(&fx, "D", "Y"), &attr));
	assert_string_equal(rnode_text(rf_prop(&fx, "D", "Y")), "${!Buck}eu-west-1${C.Arn}");
	assert_string_equal(rnode_text(rf_prop(&fx, "E", "Z")), "${V}-${BucketPolicy}");
	assert_null(rnode_text(g));
	assert_null(rnode_text(NULL));
	assert_null(rnode_text(rf_prop(&fx, "F", "Bucket")));
	assert_int_equal(render_az_index(fx.r, "eu-west-1a"), 0);
	assert_int_equal(render_az_index(fx.r, "eu-west-1"), -1);
	assert_int_equal(render_az_index(fx.r, "eu-west-1d"), -1);
	assert_int_equal(render_az_index(fx.r, "eu-west-1ab"), -1);
	assert_int_equal(render_az_index(fx.r, NULL), -1);
	rf_done(&fx);
}

/* A malformed Fn::GetAtt of one item ([Name], an error) still names the
 * resource it reads: the dependency is kept. */
static void test_getatt_one_item_dependency(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  Q: {Type: AWS::SNS::Topic}\n"
	          "  R: {Type: AWS::SNS::Topic, Properties: {X: !GetAtt [Q]}}\n",
	          "dev");
	assert_int_equal(rf_count(&fx.f, "REN001", SEV_ERROR), 1);
	assert_int_equal(render_find(fx.r, "R")->ndeps, 1);
	assert_true(depends(fx.r, "R", "Q"));
	rf_done(&fx);
}

static const char emit_fragment[] =
    "Resources:\n"
    "  R:\n"
    "    Type: AWS::SNS::Topic\n"
    "    Properties:\n"
    "      Lit: \"a\\nb\"\n"
    "      LitNl: \"a\\nb\\n\"\n"
    "      LitKeep: \"a\\n\\n\"\n"
    "      LitEmptyLine: \"a\\n\\nb\"\n"
    "      NotLit: \" a\\nb\"\n"
    "      NotLitTab: \"a\\tb\\nc\"\n"
    "      NotLitSpaces: \"a\\n  \\nb\"\n"
    "      NotLitTrail: \"a\\nb \"\n"
    "      Words: [true, 'true', yes, ~, '', 1, '1', 1.5, -2, +3, 0x1F, .5, '.x', 1e3, 1:20]\n"
    "      Ints: [123456789012345, 1234567890123456, 007, -0, '-5', 1.0, 2e5, 1.5.5]\n"
    "      Empty: {E1: [], E2: {}}\n"
    "      Nested: [[a, b], {k: v, l: [w]}, []]\n"
    "      Att: !GetAtt R.TopicName\n"
    "      AttOdd: !GetAtt [R, -x]\n"
    "      AttTyped: !GetAtt [R, 'true']\n"
    "      Tagged: !Sub '${R}'\n"
    "      TaggedEmpty: !ImportValue ''\n"
    "      Odd: {Fn::Odd/Name: x}\n"
    "      Key with space: x\n";

static void check_round_trip(const rendered *r);

static const char emit_yaml_want[] = "    Properties:\n"
                                     "      Lit: |-\n"
                                     "        a\n"
                                     "        b\n"
                                     "      LitNl: |\n"
                                     "        a\n"
                                     "        b\n"
                                     "      LitKeep: |+\n"
                                     "        a\n"
                                     "\n"
                                     "      LitEmptyLine: |-\n"
                                     "        a\n"
                                     "\n"
                                     "        b\n"
                                     "      NotLit: \" a\\x0ab\"\n"
                                     "      NotLitTab: \"a\\x09b\\x0ac\"\n"
                                     "      NotLitSpaces: \"a\\x0a  \\x0ab\"\n"
                                     "      NotLitTrail: \"a\\x0ab \"\n"
                                     "      Words:\n"
                                     "        - true\n"
                                     "        - 'true'\n"
                                     "        - yes\n"
                                     "        - null\n"
                                     "        - ''\n"
                                     "        - 1\n"
                                     "        - '1'\n"
                                     "        - 1.5\n"
                                     "        - -2\n"
                                     "        - +3\n"
                                     "        - 0x1F\n"
                                     "        - .5\n"
                                     "        - '.x'\n"
                                     "        - 1e3\n"
                                     "        - 1:20\n"
                                     "      Ints:\n"
                                     "        - 123456789012345\n"
                                     "        - 1234567890123456\n"
                                     "        - 007\n"
                                     "        - -0\n"
                                     "        - '-5'\n"
                                     "        - 1.0\n"
                                     "        - 2e5\n"
                                     "        - 1.5.5\n"
                                     "      Empty:\n"
                                     "        'E1': []\n"
                                     "        'E2': {}\n"
                                     "      Nested:\n"
                                     "        - - a\n"
                                     "          - b\n"
                                     "        - k: v\n"
                                     "          l:\n"
                                     "            - w\n"
                                     "        - []\n"
                                     "      Att: !GetAtt R.TopicName\n"
                                     "      AttOdd: !GetAtt\n"
                                     "        - R\n"
                                     "        - '-x'\n"
                                     "      AttTyped: !GetAtt\n"
                                     "        - R\n"
                                     "        - 'true'\n"
                                     "      Tagged: !Sub ${R}\n"
                                     "      TaggedEmpty: !ImportValue ''\n"
                                     "      Odd:\n"
                                     "        Fn::Odd/Name: 'x'\n"
                                     "      Key with space: 'x'\n";

/* The emitted YAML and JSON, exactly: literal blocks (|-, |, |+) and the
 * text they cannot hold, YAML's typed words plain, JSON numbers (15 digits
 * and 16, a leading zero, a decimal), tags, short and long GetAtt (an
 * attribute that is a YAML word stays a string), empty and nested
 * collections, a function with no tag form. */
static void test_emit_exact(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx, emit_fragment, "dev");
	assert_int_equal(fx.f.n, 1); /* Fn::Odd/Name is no function */
	assert_non_null(rf_find(&fx.f, "REN001", "Fn::Odd/Name"));
	buf out;
	buf_init(&out, 0);
	assert_true(render_emit(fx.r, RENDER_YAML, &out));
	const char *yaml = strstr(buf_cstr(&out), "    Properties:\n");
	assert_non_null(yaml);
	if (strcmp(yaml, emit_yaml_want) != 0)
		fail_msg("emitted:\n%s", yaml);
	check_round_trip(fx.r);
	buf_reset(&out);
	assert_true(render_emit(fx.r, RENDER_JSON, &out));
	json_error_t jerr;
	json_t *j = json_loads(buf_cstr(&out), 0, &jerr);
	assert_non_null(j);
	json_t *props =
	    json_object_get(json_object_get(json_object_get(j, "Resources"), "R"), "Properties");
	char *got = json_dumps(props, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	const char *want_json =
	    "{\"Lit\":\"a\\nb\",\"LitNl\":\"a\\nb\\n\",\"LitKeep\":\"a\\n\\n\",\"LitEmptyLine\":"
	    "\"a\\n\\nb\",\"NotLit\":\" a\\nb\",\"NotLitTab\":\"a\\tb\\nc\",\"NotLitSpaces\":"
	    "\"a\\n  \\nb\",\"NotLitTrail\":\"a\\nb \",\"Words\":[true,\"true\",\"yes\",null,\"\","
	    "1,\"1\",1.5,-2,\"+3\",\"0x1F\",0.5,\".x\",1000.0,\"1:20\"],\"Ints\":[123456789012345,"
	    "\"1234567890123456\",\"007\",0,\"-5\",1.0,200000.0,\"1.5.5\"],\"Empty\":{\"E1\":[],"
	    "\"E2\":{}},\"Nested\":[[\"a\",\"b\"],{\"k\":\"v\",\"l\":[\"w\"]},[]],\"Att\":{"
	    "\"Fn::GetAtt\":[\"R\",\"TopicName\"]},\"AttOdd\":{\"Fn::GetAtt\":[\"R\",\"-x\"]},"
	    "\"AttTyped\":{\"Fn::GetAtt\":[\"R\",\"true\"]},\"Tagged\":{\"Fn::Sub\":\"${R}\"},"
	    "\"TaggedEmpty\":{\"Fn::ImportValue\":\"\"},\"Odd\":{\"Fn::Odd/Name\":\"x\"},"
	    "\"Key with space\":\"x\"}";
	if (strcmp(got, want_json) != 0)
		fail_msg("JSON:\n%s", got);
	free(got);
	json_decref(j);
	buf_free(&out);
	rf_done(&fx);
}

/* More of the emitted forms: text a literal block cannot keep (NEL, LS, PS,
 * a BOM, DEL, a trailing space, a line of spaces), |+ with several final
 * line breaks, YAML's typed words at their edges (a sign alone, a dot
 * alone, a leading dot), each reading back the same. */
static void test_emit_forms(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      Nel: \"a\\nb\\N\"\n"
	          "      Ls: \"a\\nb\\L\"\n"
	          "      Ps: \"a\\nb\\P\"\n"
	          "      Bom: \"a\\n\\uFEFFb\"\n"
	          "      Del: \"a\\n\\x7fb\"\n"
	          "      Keep3: \"a\\n\\n\\n\"\n"
	          "      Spaces: \"a\\n   \"\n"
	          "      SpaceLine: \"a\\n \\nb\"\n"
	          "      Indented: \"a\\n  b\"\n"
	          "      Words: [-, +, ., '-', +.5, 1., -.5, '+x', 12:30, 1e]\n",
	          "dev");
	buf out;
	buf_init(&out, 0);
	assert_true(render_emit(fx.r, RENDER_YAML, &out));
	const char *y = buf_cstr(&out);
	static const char *const quoted[] = {"Nel: \"", "Ls: \"",     "Ps: \"",       "Bom: \"",
	                                     "Del: \"", "Spaces: \"", "SpaceLine: \""};
	for (size_t i = 0; i < sizeof quoted / sizeof *quoted; i++)
		assert_contains(y, quoted[i]);
	assert_contains(y, "      Keep3: |+\n        a\n\n\n");
	assert_contains(y, "      Indented: |-\n        a\n          b\n");
	assert_contains(y, "        - '-'\n        - '+'\n        - '.'\n        - '-'\n");
	assert_contains(y, "        - +.5\n        - 1.\n        - -.5\n");
	check_round_trip(fx.r);
	buf_free(&out);
	rf_done(&fx);
}

/* A function name has a tag form when its name after Fn:: holds only
 * letters, digits and - _ . : (each range at both ends, the characters just
 * outside); a GetAtt has the short form when both names are plain names. */
static void test_tag_and_name_forms(void **state)
{
	(void)state;
	const char *const ok[] = {"Ref",   "Fn::Sub", "Fn::a",   "Fn::z", "Fn::A",
	                          "Fn::Z", "Fn::0",   "Fn::9",   "Fn::-", "Fn::_",
	                          "Fn::.", "Fn:::",   "Fn::a-b", "X",     "Fn:x"};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		if (!render_tag_ok(ok[i]))
			fail_msg("%s has no tag form", ok[i]);
	const char *const no[] = {"Fn::",  "",      "Fn::`", "Fn::{",   "Fn::@", "Fn::[", "Fn::/",
	                          "Fn::;", "Fn::,", "Fn:: ", "Fn::a b", "Fn::é", "Fn::a/"};
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		if (render_tag_ok(no[i]))
			fail_msg("'%s' has a tag form", no[i]);
	/* GetAtt names */
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      A: !GetAtt [R, az_AZ09.x-y]\n"
	          "      B: !GetAtt [R, 'a`']\n"
	          "      C: !GetAtt [R, 'a{']\n"
	          "      D: !GetAtt [R, 'a@']\n"
	          "      Q: !GetAtt [R, 'a[']\n"
	          "      F: !GetAtt [R, 'a/']\n"
	          "      G: !GetAtt [R, 'a:']\n"
	          "      H: !GetAtt [R, '.a']\n"
	          "      I: !GetAtt [R, '']\n"
	          "      J: !GetAtt [R, '1']\n",
	          "dev");
	buf out;
	buf_init(&out, 0);
	assert_true(render_emit(fx.r, RENDER_YAML, &out));
	const char *y = buf_cstr(&out);
	assert_contains(y, "      A: !GetAtt R.az_AZ09.x-y\n");
	const char *const longs[] = {"B", "C", "D", "Q", "F", "G", "H", "I", "J"};
	for (size_t i = 0; i < sizeof longs / sizeof *longs; i++) {
		char want[32];
		snprintf(want, sizeof want, "      %s: !GetAtt\n        - R\n", longs[i]);
		assert_contains(y, want);
	}
	check_round_trip(fx.r);
	buf_free(&out);
	rf_done(&fx);
}

static void check_round_trip(const rendered *r)
{
	buf out;
	buf_init(&out, 0);
	assert_true(render_emit(r, RENDER_YAML, &out));
	lms_error err = {0};
	ydoc *doc = ydoc_parse("rendered", buf_cstr(&out), out.len, &err);
	if (!doc)
		fail_msg("rendered YAML does not parse: %s:%zu: %s\n%s", err.file, err.line,
		         err.msg, buf_cstr(&out));
	if (!rf_same(r->root, doc->root))
		fail_msg("rendered YAML reads back differently:\n%s", buf_cstr(&out));
	ydoc_free(doc);
	buf_reset(&out);
	assert_true(render_emit(r, RENDER_JSON, &out));
	json_error_t jerr;
	json_t *j = json_loads(buf_cstr(&out), 0, &jerr);
	if (!j)
		fail_msg("rendered JSON does not parse: %s", jerr.text);
	assert_int_equal(json_object_size(json_object_get(j, "Resources")),
	                 rnode_get(r->root, "Resources")->n);
	json_decref(j);
	buf_free(&out);
}

/* Emitted YAML reads back as the same tree: multi-line text, strings that
 * look like numbers, empty values, tags on collections. */
static void test_emit_round_trip(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::Lambda::Function\n"
	          "    Properties:\n"
	          "      Code:\n"
	          "        ZipFile: |\n"
	          "          import os\n"
	          "\n"
	          "          def handler(e, c):\n"
	          "              return 'ok: yes'\n"
	          "      Kept: \"a\\n\\n\"\n"
	          "      Spaces: \"a\\n  \\nb\"\n"
	          "      Lead: \" x\\ny\"\n"
	          "      Version: '17.5'\n"
	          "      Number: 17.5\n"
	          "      Bool: true\n"
	          "      Str: 'true'\n"
	          "      Empty:\n"
	          "      Quote: \"it's: a #test\"\n"
	          "      Nested: [[a, b], {k: v, l: [1]}, []]\n"
	          "      Sym: !Join [',', [!GetAtt R.Arn, x]]\n"
	          "      Cond: !If [IsProd, [a], {Ref: AWS::NoValue}]\n"
	          "      Uni: 'Ünïcode — 名前'\n",
	          "dev");
	check_round_trip(fx.r);
	rf_done(&fx);
}

/* The real templates render without a finding, for every environment, and
 * read back. */
static void test_real_templates(void **state)
{
	(void)state;
	lms_error err = {0};
	catalog *cat = catalog_load(tu_templates_dir(), &err);
	if (!cat)
		fail_msg("%s", err.msg);
	const char *envs[] = {"dev", "staging", "prod"};
	for (size_t i = 0; i < 3; i++) {
		model *m = model_new_from_catalog(cat, envs[i], &err);
		assert_non_null(m);
		findings f;
		findings_init(&f);
		rendered *r = render_template(cat, m, NULL, &f, &err);
		assert_non_null(r);
		if (f.n)
			rf_dump(&f);
		assert_int_equal(f.n, 0);
		assert_true(r->nres > 0);
		check_round_trip(r);
		render_free(r);
		findings_free(&f);
		model_free(m);
	}
	catalog_free(cat);
}

/* A template whose Fn::Sub doubles a value at every level: an error, not
 * the machine's memory. */
static void test_size_limit(void **state)
{
	(void)state;
	buf frag;
	buf_init(&frag, 0);
	buf_adds(&frag, "Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties:\n      A: ");
	for (int i = 0; i < 40; i++)
		buf_adds(&frag, "!Sub ['${x}${x}${x}${x}', {x: ");
	buf_adds(&frag, "abcdefgh");
	for (int i = 0; i < 40; i++)
		buf_adds(&frag, "}]");
	buf_adds(&frag, "\n");
	rf_fixture fx;
	assert_true(rf_load(&fx, buf_cstr(&frag), NULL));
	buf_free(&frag);
	fx.m = model_new_from_catalog(fx.cat, "dev", &fx.err);
	render_options opt = {.max_bytes = 8 * 1024 * 1024};
	fx.r = render_template(fx.cat, fx.m, &opt, &fx.f, &fx.err);
	if (fx.r) {
		/* finished: the oversized strings became findings */
		assert_non_null(rf_find(&fx.f, "REN003", NULL));
	} else {
		assert_non_null(strstr(fx.err.msg, "MiB"));
	}
	rf_done(&fx);
}

/* The rendered template's parts: Parameters (a NoEcho value masked, a
 * Number plain, a String that looks like one quoted), a resource that is
 * no mapping or has no Type string, DependsOn naming a function or
 * nothing, an undecided condition kept on a resource and an output and in
 * Conditions; only_types and only_props. */
static void test_template_parts(void **state)
{
	(void)state;
	static const char frag[] =
	    "Metadata:\n"
	    "  AWS::CloudFormation::Interface:\n"
	    "    ParameterGroups:\n"
	    "      - Label: {default: T}\n"
	    "        Parameters: [Secret, Count, Text]\n"
	    "Parameters:\n"
	    "  Secret: {Type: String, Description: s, Default: hunter2, NoEcho: 'true'}\n"
	    "  Count: {Type: Number, Description: c, Default: 3}\n"
	    "  Text: {Type: String, Description: t, Default: '3'}\n"
	    "Conditions:\n"
	    "  Maybe: !Equals [!GetAtt T.TopicName, x]\n"
	    "  Unused: !Equals [!GetAtt T.TopicName, y]\n"
	    "Resources:\n"
	    "  T: {Type: AWS::SNS::Topic, Properties: {DisplayName: !Ref Count, Other: x}}\n"
	    "  U: {Type: AWS::SNS::Topic, Condition: Maybe, DependsOn: [T, Nothing, !Ref T]}\n"
	    "  Q: {Type: AWS::SQS::Queue, Properties: {DelaySeconds: 5}}\n"
	    "  NoType: {Type: [a]}\n"
	    "  NotMap: [a]\n"
	    "Outputs:\n"
	    "  O: {Condition: Maybe, Value: x}\n"
	    "  P: {Value: y}\n";
	rf_fixture fx;
	rf_render(&fx, frag, "dev");
	const rnode *params = rnode_get(fx.r->root, "Parameters");
	assert_str_node(rnode_get(rnode_get(params, "Secret"), "Default"), "****");
	const rnode *count = rnode_get(rnode_get(params, "Count"), "Default");
	assert_str_node(count, "3");
	assert_true(count->plain);
	const rnode *text = rnode_get(rnode_get(params, "Text"), "Default");
	assert_false(text->plain);
	assert_str_node(rnode_get(rnode_get(params, "Text"), "Type"), "String");
	const render_resource *u = render_find(fx.r, "U");
	assert_non_null(u);
	assert_true(u->conditional);
	assert_str_node(rnode_get(u->node, "Condition"), "Maybe");
	assert_false(render_find(fx.r, "T")->conditional);
	assert_null(rnode_get(render_find(fx.r, "T")->node, "Condition"));
	assert_non_null(rf_find(&fx.f, "REN001", "DependsOn lists logical ids, not functions"));
	assert_non_null(
	    rf_find(&fx.f, "REN002", "DependsOn names 'Nothing', which is not a resource"));
	assert_non_null(rf_find(&fx.f, "REN001", "resource NoType has no Type string"));
	assert_non_null(rf_find(&fx.f, "REN001", "a resource or output must be a mapping"));
	const rnode *conds = rnode_get(fx.r->root, "Conditions");
	assert_non_null(rnode_get(conds, "Maybe"));
	assert_null(rnode_get(conds, "Unused")); /* undecided, but nothing names it */
	assert_int_equal(conds->n, 1);
	const rnode *outs = rnode_get(fx.r->root, "Outputs");
	assert_str_node(rnode_get(rnode_get(outs, "O"), "Condition"), "Maybe");
	assert_null(rnode_get(rnode_get(outs, "P"), "Condition"));
	rf_done(&fx);
	/* a few types and properties only */
	const char *const types[] = {"AWS::SNS::Topic", NULL};
	const char *const props[] = {"DisplayName", NULL};
	render_options opt = {.only_types = types, .only_props = props};
	rf_render_opt(&fx, frag, "dev", &opt);
	assert_non_null(render_find(fx.r, "T"));
	assert_null(render_find(fx.r, "Q"));
	assert_str_node(rf_prop(&fx, "T", "DisplayName"), "3");
	assert_null(rf_prop(&fx, "T", "Other"));
	assert_null(rnode_get(fx.r->root, "Outputs"));
	assert_int_equal(render_find(fx.r, "U")->ndeps, 0); /* no graph */
	rf_done(&fx);
	const char *const near[] = {"AWS::SNS::Topi", "AWS::SNS::TopicX", NULL};
	opt.only_types = near;
	opt.only_props = NULL;
	rf_render_opt(&fx, frag, "dev", &opt);
	assert_null(render_find(fx.r, "T"));
	rf_done(&fx);
}

/* Parameter sources: the worst-case suffix, a source of the caller's, the
 * one table of pseudo-parameter defaults, and what the rendering decided
 * (render_condition, render_pick, rnode_param). */
static const char source_fragment[] = "Metadata:\n"
                                      "  AWS::CloudFormation::Interface:\n"
                                      "    ParameterGroups:\n"
                                      "      - Label: {default: Sizes}\n"
                                      "        Parameters: [Size]\n"
                                      "Parameters:\n"
                                      "  Size:\n"
                                      "    Type: String\n"
                                      "    Description: size\n"
                                      "    Default: small\n"
                                      "Conditions:\n"
                                      "  IsBig: !Equals [!Ref Size, big]\n"
                                      "Resources:\n"
                                      "  Bucket:\n"
                                      "    Type: AWS::S3::Bucket\n"
                                      "    Properties:\n"
                                      "      BucketName: !Sub 'lms-${EnvironmentSuffix}'\n"
                                      "      Tier: !If\n"
                                      "        - IsBig\n"
                                      "        - !Ref Size\n"
                                      "        - tiny\n"
                                      "      Where: !Ref AWS::Region\n";

static const char *source_value(const void *ctx, const catalog *cat, const char *name)
{
	(void)cat;
	(void)ctx;
	return strcmp(name, "Size") == 0 ? "big" : NULL;
}

static void test_param_sources(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx, source_fragment, "dev");
	assert_no_findings(&fx);
	assert_str_node(rf_prop(&fx, "Bucket", "BucketName"), "lms-dev");
	assert_str_node(rf_prop(&fx, "Bucket", "Tier"), "tiny");
	assert_int_equal(render_condition(fx.r, "IsBig"), 0);
	assert_int_equal(render_condition(fx.r, "NoSuchCondition"), -1);
	/* a plain branch names no field; the region is the table's default */
	assert_null(rnode_param(fx.r, rf_prop(&fx, "Bucket", "Tier")));
	const char *region = NULL;
	assert_true(render_pseudo_default("AWS::Region", &region));
	assert_string_equal(region, "eu-west-1");
	assert_false(render_pseudo_default("AWS::Nothing", NULL));
	/* exact names: neither a prefix nor a longer name is the pseudo parameter */
	assert_false(render_pseudo_default("AWS::Reg", NULL));
	assert_false(render_pseudo_default("AWS::RegionX", NULL));
	assert_false(render_pseudo_default("AWS::", NULL));
	assert_str_node(rf_prop(&fx, "Bucket", "Where"), "eu-west-1");
	/* render_pick over the fragment takes the branch the rendering took */
	const cat_entry *e = catalog_entry(fx.cat, SEC_RESOURCES, "Bucket");
	const ynode *tier = ynode_get(ynode_get(e->value, "Properties"), "Tier");
	const ynode *picked = render_pick(fx.r, tier);
	assert_non_null(picked);
	assert_string_equal(picked->str, "tiny");

	/* the longest suffix the parameter allows (MaxLength 12) */
	buf scratch;
	buf_init(&scratch, 0);
	render_params worst = render_params_worst_suffix(fx.cat, fx.m, &scratch);
	render_options wopt = {.params = &worst};
	rendered *w = render_with(fx.cat, &wopt, NULL, &fx.err);
	assert_non_null(w);
	assert_str_node(rnode_get(render_find(w, "Bucket")->props, "BucketName"),
	                "lms-xxxxxxxxxxxx");
	render_free(w);
	buf_free(&scratch);

	/* a source of the caller's: Size is big, so the If takes the Ref */
	render_params own = {.value = source_value, .region = "eu-west-2"};
	render_options oopt = {.params = &own};
	rendered *o = render_with(fx.cat, &oopt, NULL, &fx.err);
	assert_non_null(o);
	assert_int_equal(render_condition(o, "IsBig"), 1);
	const rnode *otier = rnode_get(render_find(o, "Bucket")->props, "Tier");
	assert_str_node(otier, "big");
	assert_string_equal(rnode_param(o, otier), "Size");
	assert_str_node(rnode_get(render_find(o, "Bucket")->props, "Where"), "eu-west-2");
	render_free(o);
	rf_done(&fx);
}

/* A whole template (as GetTemplate returns it, JSON here) rendered with a
 * stack's values. */
static void test_catalog_of_text(void **state)
{
	(void)state;
	static const char text[] =
	    "{\"Parameters\": {\"Env\": {\"Type\": \"String\"}},\n"
	    " \"Conditions\": {\"IsProd\": {\"Fn::Equals\": [{\"Ref\": \"Env\"}, \"prod\"]}},\n"
	    " \"Resources\": {\n"
	    "  \"Db\": {\"Type\": \"AWS::RDS::DBCluster\", \"Properties\":\n"
	    "    {\"DeletionProtection\": {\"Fn::If\": [\"IsProd\", \"true\", \"false\"]}}},\n"
	    "  \"Extra\": {\"Type\": \"AWS::S3::Bucket\", \"Condition\": \"IsProd\"}}}\n";
	lms_error err = {0};
	catalog *cat = render_catalog_of_text("deployed", text, strlen(text), &err);
	assert_non_null(cat);
	render_params params = {.value = source_value};
	render_options opt = {.params = &params};
	rendered *r = render_with(cat, &opt, NULL, &err);
	assert_non_null(r);
	/* Env has no value here: the condition is undecided, both stay */
	assert_int_equal(render_condition(r, "IsProd"), -1);
	assert_non_null(render_find(r, "Extra"));
	assert_true(render_find(r, "Extra")->conditional);
	/* and the undecided condition stays in the template, though the first */
	buf out;
	buf_init(&out, 0);
	assert_true(render_emit(r, RENDER_JSON, &out));
	assert_non_null(strstr(buf_cstr(&out), "\"Conditions\""));
	assert_non_null(strstr(buf_cstr(&out), "\"IsProd\""));
	buf_free(&out);
	render_free(r);
	catalog_free(cat);

	/* the partition of a region: by its prefix */
	static const char part[] = "{\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\", "
	                           "\"Properties\": {\"P\": {\"Ref\": \"AWS::Partition\"}}}}}";
	static const char *const regions[][2] = {{"us-gov-west-1", "aws-us-gov"},
	                                         {"cn-north-1", "aws-cn"},
	                                         {"us-govx-1", "aws"},
	                                         {"us-east-1", "aws"},
	                                         {"eu-west-1", "aws"}};
	for (size_t i = 0; i < sizeof regions / sizeof *regions; i++) {
		cat = render_catalog_of_text("partition", part, strlen(part), &err);
		assert_non_null(cat);
		render_params at = {.value = source_value, .region = regions[i][0]};
		render_options aopt = {.params = &at};
		r = render_with(cat, &aopt, NULL, &err);
		assert_non_null(r);
		assert_str_node(rnode_get(render_find(r, "T")->props, "P"), regions[i][1]);
		render_free(r);
		catalog_free(cat);
	}
	assert_null(render_catalog_of_text("deployed", "[1, 2]", 6, &err));
	assert_string_equal(err.file, "deployed");
	assert_int_equal(err.line, 0);
	assert_int_equal(err.col, 0);
	assert_string_equal(err.msg, "the template is not a mapping");
	lms_error_clear(&err);

	/* what a deployed template's catalog holds: a parameter's Type (String when none),
	 * NoEcho spelled true or True only, complex keys and sections that are no mapping
	 * skipped, the Description and Transform */
	static const char whole[] = "Description: d\n"
	                            "Metadata: {M: v}\n"
	                            "Transform: AWS::LanguageExtensions\n"
	                            "Parameters:\n"
	                            "  A: {Type: Number, Default: '5', NoEcho: 'true'}\n"
	                            "  B: {NoEcho: 'True'}\n"
	                            "  C: {NoEcho: 'TRUE'}\n"
	                            "  D: {NoEcho: 'truex'}\n"
	                            "  E: {NoEcho: 'Truex'}\n"
	                            "  F: {NoEcho: 'Tru'}\n"
	                            "  ? [x]\n"
	                            "  : {Type: String}\n"
	                            "Mappings: [a]\n"
	                            "Resources:\n"
	                            "  T: {Type: AWS::SNS::Topic}\n"
	                            "  ? [y]\n"
	                            "  : {Type: AWS::SNS::Topic}\n"
	                            "Outputs:\n"
	                            "  O: {Value: x}\n";
	cat = render_catalog_of_text("whole", whole, strlen(whole), &err);
	assert_non_null(cat);
	assert_int_equal(cat->nparams, 6);
	assert_false(catalog_param(cat, "E")->no_echo);
	assert_false(catalog_param(cat, "F")->no_echo);
	assert_string_equal(catalog_param(cat, "A")->type, "Number");
	assert_string_equal(catalog_param(cat, "A")->default_value, "5");
	assert_string_equal(catalog_param(cat, "B")->type, "String");
	assert_true(catalog_param(cat, "A")->no_echo);
	assert_true(catalog_param(cat, "B")->no_echo);
	assert_false(catalog_param(cat, "C")->no_echo);
	assert_false(catalog_param(cat, "D")->no_echo);
	assert_null(catalog_param(cat, "B")->default_value);
	assert_int_equal(cat->nentries[SEC_RESOURCES], 1);
	assert_int_equal(cat->nentries[SEC_OUTPUTS], 1);
	assert_int_equal(cat->nentries[SEC_MAPPINGS], 0);
	assert_string_equal(cat->transform, "AWS::LanguageExtensions");
	assert_string_equal(ynode_str(cat->description), "d");
	/* every section's key and mapping, the first (Metadata) too */
	const cat_fragment *wf = &cat->frags[0];
	assert_non_null(wf->key[SEC_METADATA]);
	assert_string_equal(wf->key[SEC_METADATA]->str, "Metadata");
	assert_string_equal(ynode_str(ynode_get(wf->value[SEC_METADATA], "M")), "v");
	assert_non_null(wf->key[SEC_MAPPINGS]); /* a list: its key, no mapping */
	assert_null(wf->value[SEC_MAPPINGS]);
	assert_non_null(wf->value[SEC_OUTPUTS]);
	assert_null(wf->key[SEC_CONDITIONS]);
	catalog_free(cat);
}

/* The real templates rendered, against tests/golden/render-*: every value
 * the renderer resolves, keeps symbolic or leaves out on the platform's own
 * templates, and the YAML and JSON it writes, byte for byte, as `lmsctl
 * render` writes them (UPDATE_GOLDEN=1 rewrites the files: review the
 * diff). prod with a known account (AWS::AccountId resolved), dev without
 * (symbolic), the prod model's edge stack (us-east-1) in both forms. */
static void golden_render(const char *env, const char *stack, const char *account,
                          render_format fmt, const char *golden)
{
	lms_error err = {0};
	catalog *cat = catalog_load(tu_templates_dir(), &err);
	if (!cat)
		fail_msg("%s", err.msg);
	char rel[32];
	snprintf(rel, sizeof rel, "init-%s.yml", env);
	char *mpath = tu_golden(rel);
	model *m = model_load(mpath, &err);
	if (!m)
		fail_msg("%s", err.msg);
	free(mpath);
	if (stack) {
		const cat_companion *comp = catalog_companion(cat, stack);
		assert_non_null(comp);
		catalog *ccat = catalog_load_companion(cat, comp, &err);
		assert_non_null(ccat);
		model *cm = companion_model(cat, m, comp, ccat, &err);
		assert_non_null(cm);
		model_free(m);
		catalog_free(cat);
		m = cm;
		cat = ccat;
	}
	render_options opt = {.account_id = account};
	findings f;
	findings_init(&f);
	rendered *r = render_template(cat, m, &opt, &f, &err);
	if (!r)
		fail_msg("%s", err.msg);
	assert_int_equal(f.n, 0);
	buf out;
	buf_init(&out, 0);
	assert_true(render_emit(r, fmt, &out));
	char *path = tu_golden(golden);
	if (getenv("UPDATE_GOLDEN") && strcmp(getenv("UPDATE_GOLDEN"), "1") == 0) {
		tu_write_bytes(path, out.data, out.len);
	} else {
		size_t len = 0;
		char *want = tu_read_file(path, &len);
		if (!want)
			fail_msg("%s: cannot read (UPDATE_GOLDEN=1 make check writes it)", path);
		if (len != out.len || memcmp(want, out.data, len) != 0) {
			size_t k = 0;
			while (k < len && k < out.len && want[k] == out.data[k])
				k++;
			size_t from = k > 80 ? k - 80 : 0;
			fail_msg("%s differs at byte %zu (UPDATE_GOLDEN=1 make check to accept):\n"
			         " got: %.160s\nwant: %.160s",
			         golden, k, buf_cstr(&out) + from, want + from);
		}
		free(want);
	}
	free(path);
	buf_free(&out);
	render_free(r);
	findings_free(&f);
	model_free(m);
	catalog_free(cat);
}

static void test_render_golden(void **state)
{
	(void)state;
	golden_render("prod", NULL, "123456789012", RENDER_YAML, "render-prod.yml");
	golden_render("dev", NULL, NULL, RENDER_YAML, "render-dev.yml");
	golden_render("prod", "edge", NULL, RENDER_YAML, "render-prod-edge.yml");
	golden_render("prod", "edge", "123456789012", RENDER_JSON, "render-prod-edge.json");
}

/* A symbolic Fn::Sub keeps every variable it still uses, each at its own
 * place in the mapping; Fn::Base64 of AWS::NoValue or a list is no string. */
static void test_sub_symbolic_vars_and_base64_kinds(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::S3::Bucket\n"
	          "    Properties:\n"
	          "      A: !Sub ['${Y}|${Z}|${W}', {Y: !GetAtt R.Arn, Z: !GetAtt R.DomainName, "
	          "W: !Ref R}]\n",
	          "dev");
	assert_no_findings(&fx);
	const rnode *a = rf_prop(&fx, "R", "A");
	assert_string_equal(a->fn, "Fn::Sub");
	assert_int_equal(a->kind, RN_SEQ);
	assert_int_equal(a->n, 2);
	assert_string_equal(a->kids[0]->str, "${Y}|${Z}|${W}");
	const rnode *map = a->kids[1];
	assert_int_equal(map->kind, RN_MAP);
	assert_int_equal(map->n, 3);
	static const char *const keys[] = {"Y", "Z", "W"};
	static const char *const fns[] = {"Fn::GetAtt", "Fn::GetAtt", "Ref"};
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(map->kids[2 * i]->str, keys[i]);
		assert_string_equal(map->kids[2 * i + 1]->fn, fns[i]);
		assert_true(rnode_get(map, keys[i]) == map->kids[2 * i + 1]);
	}
	buf out;
	buf_init(&out, 0);
	assert_true(render_emit(fx.r, RENDER_YAML, &out));
	assert_contains(buf_cstr(&out), "      A: !Sub\n        - ${Y}|${Z}|${W}\n        - 'Y': "
	                                "!GetAtt R.Arn\n          Z: !GetAtt R.DomainName\n"
	                                "          W: !Ref R\n");
	buf_free(&out);
	rf_done(&fx);
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::S3::Bucket\n"
	          "    Properties:\n"
	          "      A: !Base64 {Ref: AWS::NoValue}\n"
	          "      B: !Base64 [a, b]\n"
	          "      C: !Base64 {a: b}\n",
	          "dev");
	assert_int_equal(rf_count(&fx.f, "REN001", SEV_ERROR), 3);
	assert_non_null(rf_find(&fx.f, "REN001", "Fn::Base64 encodes a string"));
	assert_int_equal(fx.f.n, 3);
	rf_done(&fx);
}

/* Malformed forms of Ref, Fn::Sub, Fn::Split and Fn::GetAZs, each refused
 * with its own message at its own node; GetAZs of a region only AWS knows
 * stays symbolic; a list parameter in Fn::Sub. */
static void test_malformed_forms(void **state)
{
	(void)state;
	static const struct {
		const char *value, *rule, *text;
	} cases[] = {
	    {"!Ref [a]", "REN001", "Ref takes the name of a parameter or resource"},
	    {"{Ref: {a: b}}", "REN001", "Ref takes the name of a parameter or resource"},
	    {"!Sub [a, b, c]", "REN001", "Fn::Sub takes a string, or a string and a mapping"},
	    {"!Sub [a]", "REN001", "Fn::Sub takes a string, or a string and a mapping"},
	    {"!Sub [a, [b]]", "REN001", "Fn::Sub takes a string, or a string and a mapping"},
	    {"!Sub [[a], {}]", "REN001", "Fn::Sub takes a string, or a string and a mapping"},
	    {"!Sub [!Ref EnvironmentSuffix, {}]", "REN001",
	     "Fn::Sub takes a string, or a string and a mapping"},
	    {"!Sub [a, !GetAtt R.Arn]", "REN001",
	     "Fn::Sub takes a string, or a string and a mapping"},
	    {"!Sub {a: b}", "REN001", "Fn::Sub takes a string, or a string and a mapping"},
	    {"!Split [',']", "REN001", "Fn::Split takes a delimiter and a string"},
	    {"!Split [',', a, b]", "REN001", "Fn::Split takes a delimiter and a string"},
	    {"!Split a", "REN001", "Fn::Split takes a delimiter and a string"},
	    {"!GetAZs [a]", "REN001", "Fn::GetAZs takes a region name"},
	    {"!GetAZs {a: b}", "REN001", "Fn::GetAZs takes a region name"},
	    {"{Fn::GetAZs: {Ref: AWS::NoValue}}", "REN001", "Fn::GetAZs takes a region name"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf t;
		buf_init(&t, 0);
		buf_addf(&t,
		         "Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n"
		         "      Ok: fine\n      A: %s\n",
		         cases[i].value);
		rf_fixture fx;
		rf_render(&fx, buf_cstr(&t), "dev");
		const finding *f = rf_find(&fx.f, cases[i].rule, cases[i].text);
		if (!f || fx.f.n != 1) {
			rf_dump(&fx.f);
			fail_msg("%s: want one %s '%s'", cases[i].value, cases[i].rule,
			         cases[i].text);
		}
		assert_int_equal(f->line, 6);
		assert_int_equal(f->col, 10);
		assert_str_node(rf_prop(&fx, "R", "Ok"), "fine");
		rf_done(&fx);
		buf_free(&t);
	}
	/* the region only AWS knows: the list stays Fn::GetAZs of it */
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n"
	          "      A: !GetAZs {Fn::GetAtt: [R, Region]}\n"
	          "      B: !Sub ['${L}', {L: !GetAZs ''}]\n",
	          "dev");
	const rnode *a = rf_prop(&fx, "R", "A");
	assert_string_equal(a->fn, "Fn::GetAZs");
	assert_int_equal(rf_count(&fx.f, "REN001", SEV_ERROR), 1);
	assert_non_null(rf_find(&fx.f, "REN001", "a Fn::Sub variable must be a string"));
	rf_done(&fx);
}

/* render_pick over each form of Fn::If (short, long, nested, NoValue in
 * each form, a malformed one, a mapping of two keys that is no Fn::If),
 * and Fn::If's refusal of a wrong arity or a condition that is no name. */
static const ynode *frag_prop(const rf_fixture *fx, const char *id, const char *prop)
{
	const render_resource *res = render_find(fx->r, id);
	assert_non_null(res);
	return ynode_get(ynode_get(res->entry->value, "Properties"), prop);
}

static void test_pick_forms(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::S3::Bucket\n"
	          "    Properties:\n"
	          "      A: !If [IsProd, x, y]\n"
	          "      B: {Fn::If: [IsProd, x, y]}\n"
	          "      C: !If [IsProd, x, !Ref AWS::NoValue]\n"
	          "      D: !If [IsProd, x, {Ref: AWS::NoValue}]\n"
	          "      E: !If [IsProd, x, !If [IsProd, a, b]]\n"
	          "      F: {Fn::If: [IsProd, x, y], Other: 1}\n"
	          "      G: plain\n"
	          "      H: !If [IsProd, x, !Ref AWS::NoValueX]\n"
	          "      I: !If [IsProd, x, {Ref: AWS::NoValue, Other: 1}]\n"
	          "      J: {Fn::Iff: [IsProd, x, y]}\n"
	          "      K: !If [IsProd, !Ref AWS::NoValue, y]\n",
	          "dev");
	const char *want[][2] = {{"A", "y"}, {"B", "y"}, {"E", "b"}};
	for (size_t i = 0; i < 3; i++) {
		const ynode *p = render_pick(fx.r, frag_prop(&fx, "R", want[i][0]));
		assert_non_null(p);
		assert_string_equal(ynode_str(p), want[i][1]);
	}
	assert_null(render_pick(fx.r, frag_prop(&fx, "R", "C")));
	assert_null(render_pick(fx.r, frag_prop(&fx, "R", "D")));
	const char *self[] = {"F", "G", "J"};
	for (size_t i = 0; i < 3; i++) {
		const ynode *n = frag_prop(&fx, "R", self[i]);
		assert_true(render_pick(fx.r, n) == n);
	}
	/* a NoValue with a longer name, or in a mapping of two keys, is a value */
	const ynode *h = render_pick(fx.r, frag_prop(&fx, "R", "H"));
	assert_non_null(h);
	assert_string_equal(h->tag, "!Ref");
	const ynode *i = render_pick(fx.r, frag_prop(&fx, "R", "I"));
	assert_non_null(i);
	assert_int_equal(i->kind, YNODE_MAP);
	/* the branch not taken does not matter */
	const ynode *k = render_pick(fx.r, frag_prop(&fx, "R", "K"));
	assert_non_null(k);
	assert_string_equal(ynode_str(k), "y");
	assert_null(render_pick(fx.r, NULL));
	rf_done(&fx);
	/* in prod the other branch: K's NoValue */
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::S3::Bucket\n"
	          "    Properties:\n"
	          "      A: !If [IsProd, x, y]\n"
	          "      K: !If [IsProd, !Ref AWS::NoValue, y]\n",
	          "prod");
	assert_string_equal(ynode_str(render_pick(fx.r, frag_prop(&fx, "R", "A"))), "x");
	assert_null(render_pick(fx.r, frag_prop(&fx, "R", "K")));
	rf_done(&fx);
	/* malformed: refused at the node; render_pick has nothing to pick */
	static const char *const bad[] = {"!If [IsProd, a]", "!If [IsProd, a, b, c]",
	                                  "!If [[IsProd], a, b]", "!If [!Ref IsProd, a, b]",
	                                  "!If IsProd"};
	for (size_t n = 0; n < sizeof bad / sizeof *bad; n++) {
		buf t;
		buf_init(&t, 0);
		buf_addf(&t,
		         "Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n"
		         "      A: %s\n",
		         bad[n]);
		rf_render(&fx, buf_cstr(&t), "dev");
		const finding *f =
		    rf_find(&fx.f, "REN001", "Fn::If takes a condition name and two values");
		if (!f || fx.f.n != 1) {
			rf_dump(&fx.f);
			fail_msg("%s: want one REN001", bad[n]);
		}
		assert_int_equal(f->line, 5);
		if (n < 3)
			assert_null(render_pick(fx.r, frag_prop(&fx, "R", "A")));
		rf_done(&fx);
		buf_free(&t);
	}
}

/* render_after: never of a resource and itself, even one that names itself
 * (DependsOn, Ref) or is in a cycle, nor with either end missing. */
static void test_after_self(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::S3::Bucket\n"
	          "    DependsOn: [R]\n"
	          "    Properties: {A: !Ref R}\n"
	          "  S:\n"
	          "    Type: AWS::S3::Bucket\n"
	          "    Properties: {A: !Ref R}\n"
	          "  T:\n"
	          "    Type: AWS::S3::Bucket\n"
	          "    DependsOn: U\n"
	          "  U:\n"
	          "    Type: AWS::S3::Bucket\n"
	          "    DependsOn: T\n",
	          "dev");
	const render_resource *r = render_find(fx.r, "R"), *s = render_find(fx.r, "S");
	assert_non_null(r);
	assert_non_null(s);
	assert_false(render_after(fx.r, r, r));
	assert_false(render_after(fx.r, r, NULL));
	assert_false(render_after(fx.r, NULL, r));
	assert_true(render_after(fx.r, s, r));
	assert_false(render_after(fx.r, r, s));
	/* around a cycle, still not after itself */
	const render_resource *t = render_find(fx.r, "T");
	assert_true(render_after(fx.r, t, render_find(fx.r, "U")));
	assert_false(render_after(fx.r, t, t));
	rf_done(&fx);
}

/* Fn::Sub cannot substitute a list parameter (each list type), a string
 * parameter it can; the list joins with Fn::Join. */
static void test_sub_list_parameter(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Metadata:\n"
	          "  AWS::CloudFormation::Interface:\n"
	          "    ParameterGroups:\n"
	          "      - Label: {default: T}\n"
	          "        Parameters: [L, S, N]\n"
	          "Parameters:\n"
	          "  L: {Type: CommaDelimitedList, Description: l, Default: 'a,b'}\n"
	          "  S: {Type: 'List<AWS::EC2::Subnet::Id>', Description: s, Default: 'subnet-1'}\n"
	          "  N: {Type: String, Description: n, Default: 'a,b'}\n"
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::S3::Bucket\n"
	          "    Properties:\n"
	          "      A: !Sub 'x-${L}'\n"
	          "      B: !Join ['+', !Ref L]\n"
	          "      C: !Sub 'x-${S}'\n"
	          "      D: !Sub 'x-${N}'\n",
	          "dev");
	assert_int_equal(rf_count(&fx.f, "REN001", SEV_ERROR), 2);
	const finding *f = rf_find(&fx.f, "REN001", "cannot substitute the list parameter L");
	assert_non_null(f);
	assert_string_equal(f->hint, "use Fn::Join for list parameters");
	assert_int_equal(f->line, 14);
	assert_non_null(rf_find(&fx.f, "REN001", "cannot substitute the list parameter S"));
	assert_int_equal(fx.f.n, 2);
	assert_str_node(rf_prop(&fx, "R", "B"), "a+b");
	assert_str_node(rf_prop(&fx, "R", "D"), "x-a,b");
	rf_done(&fx);
}

/* A function kept around another kept function: the inner one becomes a
 * one-key mapping of its name to its argument. */
static void test_symbolic_of_symbolic(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      A: !Base64 {Fn::GetAtt: [R, TopicName]}\n"
	          "      B: !ImportValue {Fn::Sub: 'x-${R.TopicName}'}\n",
	          "dev");
	assert_no_findings(&fx);
	const rnode *a = rf_prop(&fx, "R", "A");
	assert_string_equal(a->fn, "Fn::Base64");
	assert_int_equal(a->kind, RN_MAP);
	assert_int_equal(a->n, 1);
	assert_string_equal(a->kids[0]->str, "Fn::GetAtt");
	const rnode *inner = a->kids[1];
	assert_non_null(inner);
	assert_null(inner->fn);
	assert_int_equal(inner->kind, RN_SEQ);
	assert_str_node(inner->kids[1], "TopicName");
	const rnode *b = rf_prop(&fx, "R", "B");
	assert_string_equal(b->fn, "Fn::ImportValue");
	assert_int_equal(b->n, 1);
	assert_string_equal(b->kids[0]->str, "Fn::Sub");
	assert_string_equal(b->kids[1]->str, "x-${R.TopicName}");
	buf out;
	buf_init(&out, 0);
	assert_true(render_emit(fx.r, RENDER_YAML, &out));
	assert_contains(buf_cstr(&out),
	                "      A: !Base64\n        Fn::GetAtt:\n          - R\n"
	                "          - TopicName\n"
	                "      B: !ImportValue\n        Fn::Sub: x-${R.TopicName}\n");
	buf_reset(&out);
	assert_true(render_emit(fx.r, RENDER_JSON, &out));
	assert_contains(buf_cstr(&out), "\"A\": {\n          \"Fn::Base64\": {\n"
	                                "            \"Fn::GetAtt\": [\n");
	buf_free(&out);
	rf_done(&fx);
}

/* rnode_param: a Ref left symbolic (the parameter has no value) names the
 * parameter; another kept function of the same text does not, nor a Ref
 * to a resource. */
static void test_param_of_symbolic_ref(void **state)
{
	(void)state;
	static const char text[] = "Parameters:\n"
	                           "  Env: {Type: String}\n"
	                           "Resources:\n"
	                           "  R:\n"
	                           "    Type: AWS::S3::Bucket\n"
	                           "    Properties:\n"
	                           "      A: !Ref Env\n"
	                           "      B: !ImportValue Env\n"
	                           "      C: !Ref R\n";
	lms_error err = {0};
	catalog *cat = render_catalog_of_text("t", text, strlen(text), &err);
	assert_non_null(cat);
	render_params params = {.value = source_value};
	render_options opt = {.params = &params};
	rendered *r = render_with(cat, &opt, NULL, &err);
	assert_non_null(r);
	const rnode *props = render_find(r, "R")->props;
	const rnode *a = rnode_get(props, "A");
	assert_string_equal(a->fn, "Ref");
	assert_string_equal(rnode_param(r, a), "Env");
	const rnode *b = rnode_get(props, "B");
	assert_string_equal(b->fn, "Fn::ImportValue");
	assert_null(rnode_param(r, b));
	assert_null(rnode_param(r, rnode_get(props, "C")));
	assert_null(rnode_param(r, NULL));
	render_free(r);
	catalog_free(cat);
}

/* Outputs: one whose condition is false is left out, and with it the
 * section when it was the only one; a tagged Condition is undecided (the
 * output stays, with its Condition); a true one drops its Condition. */
static void test_outputs_by_condition(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n  R: {Type: AWS::SNS::Topic}\nOutputs:\n"
	          "  O: {Condition: IsProd, Value: x}\n",
	          "dev");
	assert_null(rnode_get(fx.r->root, "Outputs"));
	rf_done(&fx);
	rf_render(&fx,
	          "Resources:\n  R: {Type: AWS::SNS::Topic}\nOutputs:\n"
	          "  O: {Condition: IsProd, Value: x}\n"
	          "  P: {Condition: !Ref IsProd, Value: y}\n",
	          "prod");
	const rnode *outs = rnode_get(fx.r->root, "Outputs");
	assert_non_null(outs);
	assert_int_equal(outs->n, 2);
	const rnode *o = rnode_get(outs, "O");
	assert_int_equal(o->n, 1);
	assert_str_node(rnode_get(o, "Value"), "x");
	assert_null(rnode_get(o, "Condition"));
	const rnode *p = rnode_get(outs, "P");
	assert_non_null(rnode_get(p, "Condition"));
	rf_done(&fx);
}

/* The worst-case suffix is as long as the parameter's MaxLength (13, 12, 5
 * and 1 characters), else 12: a MaxLength of 0 or none, or no suffix
 * parameter at all. */
static size_t worst_len(const catalog *cat)
{
	buf scratch;
	buf_init(&scratch, 0);
	render_params p = render_params_worst_suffix(cat, NULL, &scratch);
	assert_string_equal(p.override_name, "EnvironmentSuffix");
	size_t n = strlen(p.override_value);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(p.override_value[i], 'x');
	buf_free(&scratch);
	return n;
}

static void test_worst_suffix_length(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx, "Resources:\n  R: {Type: AWS::SNS::Topic}\n", "dev");
	cat_param *sp = (cat_param *)catalog_param(fx.cat, "EnvironmentSuffix");
	assert_non_null(sp);
	const long lens[] = {13, 12, 11, 5, 1};
	for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
		sp->max_length = lens[i];
		assert_int_equal(worst_len(fx.cat), (size_t)lens[i]);
	}
	sp->max_length = 0;
	assert_int_equal(worst_len(fx.cat), 12);
	sp->max_length = -1;
	assert_int_equal(worst_len(fx.cat), 12);
	sp->max_length = 5;
	sp->has_max_length = false;
	assert_int_equal(worst_len(fx.cat), 12);
	rf_done(&fx);
	lms_error err = {0};
	const char text[] = "Resources:\n  R: {Type: AWS::SNS::Topic}\n";
	catalog *cat = render_catalog_of_text("t", text, strlen(text), &err);
	assert_non_null(cat);
	assert_int_equal(worst_len(cat), 12);
	catalog_free(cat);
}

/* Text a literal block keeps: multi-line text with bytes that share a first
 * byte with NEL (C2 85), LS and PS (E2 80 A8, A9) or the BOM (EF BB BF) but
 * are other characters (©, Å whose second byte is 85, …, —, €, ﻼ, ｱ); a
 * tab or a space first is quoted. */
static void test_emit_literal_neighbours(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      Copy: \"a\\n\\u00A9b\"\n"
	          "      Ring: \"a\\n\\u00C5b\"\n"
	          "      Dots: \"a\\n\\u2026b\"\n"
	          "      Dash: \"a\\n\\u2014b\"\n"
	          "      Lsm: \"a\\n\\u2027b\"\n"
	          "      Psp: \"a\\n\\u202Ab\"\n"
	          "      Euro: \"a\\n\\u20ACb\"\n"
	          "      Lam: \"a\\n\\uFEFCb\"\n"
	          "      Kana: \"a\\n\\uFF71b\"\n"
	          "      Bome: \"a\\n\\uFEFEb\"\n"
	          "      Tab: \"\\ta\\nb\"\n"
	          "      Lf: \"\\na\\nb\"\n"
	          "      Ctl: \"a\\n\\x1fb\"\n"
	          "      Us: \"a\\n b\"\n",
	          "dev");
	buf out;
	buf_init(&out, 0);
	assert_true(render_emit(fx.r, RENDER_YAML, &out));
	const char *y = buf_cstr(&out);
	static const char *const lit[] = {"Copy", "Ring", "Dots", "Dash", "Lsm",
	                                  "Psp",  "Euro", "Lam",  "Kana", "Bome"};
	static const char *const body[] = {
	    "\xC2\xA9",     "\xC3\x85",     "\xE2\x80\xA6", "\xE2\x80\x94", "\xE2\x80\xA7",
	    "\xE2\x80\xAA", "\xE2\x82\xAC", "\xEF\xBB\xBC", "\xEF\xBD\xB1", "\xEF\xBB\xBE"};
	for (size_t i = 0; i < sizeof lit / sizeof *lit; i++) {
		char want[64];
		snprintf(want, sizeof want, "      %s: |-\n        a\n        %sb\n", lit[i],
		         body[i]);
		assert_contains(y, want);
	}
	assert_contains(y, "      Tab: \"");
	assert_contains(y, "      Lf: \"");
	assert_contains(y, "      Ctl: \"");
	assert_contains(y, "      Us: |-\n        a\n         b\n");
	check_round_trip(fx.r);
	buf_free(&out);
	rf_done(&fx);
}

/* Condition functions whose argument is no list (a scalar, a mapping): one
 * finding each, at the function, undecided; {Condition: Name} is a
 * condition only as the one key named exactly Condition. */
static void test_condition_scalar_args(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Conditions:\n"
	          "  T: !Equals [a, a]\n"
	          "  NotS: !Not T\n"
	          "  AndS: !And T\n"
	          "  OrM: !Or {Condition: T}\n"
	          "  EqS: !Equals a\n"
	          "  CondTwo: {Condition: T, Other: x}\n"
	          "  CondLong: {Conditions: T}\n"
	          "  CondShort: {Conditio: T}\n"
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n",
	          "dev");
	static const struct {
		const char *text;
		size_t line;
	} want[] = {
	    {"Fn::Not takes a list of one condition", 3},
	    {"Fn::And takes a list of conditions", 4},
	    {"Fn::Or takes a list of conditions", 5},
	    {"Fn::Equals takes a list of two values", 6},
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		const finding *f = rf_find(&fx.f, "REN001", want[i].text);
		if (!f)
			fail_msg("no finding '%s'", want[i].text);
		assert_int_equal(f->line, want[i].line);
	}
	size_t must = 0;
	for (size_t i = 0; i < fx.f.n; i++)
		if (strstr(fx.f.v[i].message, "a condition must be a condition function")) {
			must++;
			assert_true(fx.f.v[i].line >= 7 && fx.f.v[i].line <= 9);
		}
	assert_int_equal(must, 3);
	assert_int_equal(rf_count(&fx.f, "REN001", SEV_ERROR), 7);
	assert_int_equal(fx.f.n, 7);
	assert_int_equal(render_condition(fx.r, "T"), 1);
	const char *const names[] = {"NotS",    "AndS",     "OrM",      "EqS",
	                             "CondTwo", "CondLong", "CondShort"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		assert_int_equal(render_condition(fx.r, names[i]), -1);
	rf_done(&fx);
}

/* The rendering's context: an empty region is the default one; the
 * caller's AZs only with a count (no AZs with a count, or AZs with none,
 * is the built-in table); the partition by the prefix "cn-" exactly. */
static void test_context_edges(void **state)
{
	(void)state;
	static const char text[] =
	    "{\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\", \"Properties\": {"
	    "\"P\": {\"Ref\": \"AWS::Partition\"}, \"R\": {\"Ref\": \"AWS::Region\"}, "
	    "\"U\": {\"Ref\": \"AWS::URLSuffix\"}, \"Z\": {\"Fn::GetAZs\": \"\"}}}}}";
	static const struct {
		const char *region, *partition, *effective, *suffix;
	} regions[] = {
	    {"", "aws", "eu-west-1", "amazonaws.com"},
	    {"cnorth-1", "aws", "cnorth-1", "amazonaws.com"},
	    {"c-north-1", "aws", "c-north-1", "amazonaws.com"},
	    {"cn-north-1", "aws-cn", "cn-north-1", "amazonaws.com.cn"},
	    {"us-gov-1", "aws-us-gov", "us-gov-1", "amazonaws.com"},
	    {"us-go-1", "aws", "us-go-1", "amazonaws.com"},
	};
	lms_error err = {0};
	for (size_t i = 0; i < sizeof regions / sizeof *regions; i++) {
		catalog *cat = render_catalog_of_text("ctx", text, strlen(text), &err);
		assert_non_null(cat);
		render_params at = {.region = regions[i].region};
		render_options opt = {.params = &at};
		rendered *r = render_with(cat, &opt, NULL, &err);
		assert_non_null(r);
		const rnode *props = render_find(r, "T")->props;
		assert_str_node(rnode_get(props, "P"), regions[i].partition);
		assert_str_node(rnode_get(props, "R"), regions[i].effective);
		assert_str_node(rnode_get(props, "U"), regions[i].suffix);
		assert_string_equal(r->region, regions[i].effective);
		render_free(r);
		catalog_free(cat);
	}
	/* AZs: the caller's with a count; else the table (eu-west-1: a, b, c) */
	static const char *const mine[] = {"my-az-1", "my-az-2"};
	static const char *const table[] = {"eu-west-1a", "eu-west-1b", "eu-west-1c"};
	const struct {
		const char *const *azs;
		size_t n;
		const char *const *want;
		size_t nwant;
	} cases[] = {
	    {mine, 2, mine, 2},
	    {mine, 1, mine, 1},
	    {mine, 0, table, 3},
	    {NULL, 2, table, 3},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		catalog *cat = render_catalog_of_text("ctx", text, strlen(text), &err);
		assert_non_null(cat);
		render_params at = {.region = "eu-west-1"};
		render_options opt = {.params = &at, .azs = cases[i].azs, .nazs = cases[i].n};
		rendered *r = render_with(cat, &opt, NULL, &err);
		assert_non_null(r);
		assert_list(rnode_get(render_find(r, "T")->props, "Z"), cases[i].want,
		            cases[i].nwant);
		assert_int_equal(r->nazs, cases[i].nwant);
		render_free(r);
		catalog_free(cat);
	}
}

/* only_props: each name of the list (the first and a later one), a wanted
 * property that is AWS::NoValue left out, and Properties that are no
 * mapping evaluated whole. */
static void test_only_props_edges(void **state)
{
	(void)state;
	const char *const props[] = {"A", "B", NULL};
	render_options opt = {.only_props = props};
	rf_fixture fx;
	rf_render_opt(&fx,
	              "Resources:\n"
	              "  R:\n"
	              "    Type: AWS::SNS::Topic\n"
	              "    Properties:\n"
	              "      A: !Ref AWS::NoValue\n"
	              "      B: b\n"
	              "      Bx: c\n"
	              "      C: !Ref EnvironmentSuffix\n"
	              "  S:\n"
	              "    Type: AWS::SNS::Topic\n"
	              "    Properties: !If [IsProd, {A: p}, {A: d, C: e}]\n"
	              "  U:\n"
	              "    Type: AWS::SNS::Topic\n"
	              "    Properties: !!map {A: f, C: g}\n",
	              "dev", &opt);
	assert_no_findings(&fx);
	/* a tagged mapping is evaluated whole too (every key) */
	const rnode *u = render_find(fx.r, "U")->props;
	assert_non_null(u);
	assert_int_equal(u->n, 2);
	assert_str_node(rnode_get(u, "C"), "g");
	const rnode *r = render_find(fx.r, "R")->props;
	assert_non_null(r);
	assert_int_equal(r->n, 1);
	assert_str_node(rnode_get(r, "B"), "b");
	const rnode *s = render_find(fx.r, "S")->props;
	assert_non_null(s);
	assert_int_equal(s->kind, RN_MAP);
	assert_int_equal(s->n, 2);
	assert_str_node(rnode_get(s, "A"), "d");
	assert_str_node(rnode_get(s, "C"), "e");
	rf_done(&fx);
}

/* JSON scalars at their edges: a sign alone, 15 and 16 digits after a
 * minus, one zero and two, true and false only in lower case, a number
 * with an exponent and one that only looks like it. */
static void test_json_scalars(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      W: [-, '-', -123456789012345, -1234567890123456, 0, 00, -00, 9, -9,\n"
	          "          True, 'true', false, FALSE, 2E2, 1e, .e1, 5., '', x]\n",
	          "dev");
	buf out;
	buf_init(&out, 0);
	assert_true(render_emit(fx.r, RENDER_JSON, &out));
	json_error_t jerr;
	json_t *j = json_loads(buf_cstr(&out), 0, &jerr);
	assert_non_null(j);
	json_t *w = json_object_get(
	    json_object_get(json_object_get(json_object_get(j, "Resources"), "R"), "Properties"),
	    "W");
	char *got = json_dumps(w, JSON_COMPACT | JSON_REAL_PRECISION(6));
	const char *want = "[\"-\",\"-\",-123456789012345,\"-1234567890123456\",0,\"00\",\"-00\",9,"
	                   "-9,\"True\",\"true\",false,\"FALSE\",200.0,\"1e\",\".e1\",5.0,\"\","
	                   "\"x\"]";
	if (strcmp(got, want) != 0)
		fail_msg("JSON: %s", got);
	free(got);
	json_decref(j);
	buf_free(&out);
	rf_done(&fx);
}

/* The smallest arena a template renders in (below LMS_ARENA_CHUNK every
 * allocation is its own chunk, so the total is exact). */
static size_t least_arena(const char *frag)
{
	rf_fixture fx;
	if (!rf_load(&fx, frag, NULL))
		fail_msg("catalog: %s", fx.err.msg);
	fx.m = model_new_from_catalog(fx.cat, "dev", &fx.err);
	assert_non_null(fx.m);
	size_t lo = 1, hi = 60000;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		render_options opt = {.max_bytes = mid};
		rendered *r = render_template(fx.cat, fx.m, &opt, NULL, &fx.err);
		lms_error_clear(&fx.err);
		if (r)
			hi = mid;
		else
			lo = mid + 1;
		render_free(r);
	}
	assert_true(lo < 60000);
	rf_done(&fx);
	return lo;
}

/* What a rendered value costs: one more plain property is two scalar nodes
 * (its key and its value, neither with a list of children) and one more
 * key and value slot in the properties' mapping, exactly. */
static void test_arena_cost_of_a_scalar(void **state)
{
	(void)state;
	const size_t align = alignof(max_align_t);
	const size_t node = (sizeof(rnode) + align - 1) / align * align;
	const size_t slots = (2 * sizeof(rnode *) + align - 1) / align * align;
	size_t one = least_arena("Resources:\n  R:\n    Type: AWS::SNS::Topic\n"
	                         "    Properties: {A: x}\n");
	size_t two = least_arena("Resources:\n  R:\n    Type: AWS::SNS::Topic\n"
	                         "    Properties: {A: x, B: y}\n");
	assert_int_equal(two - one, 2 * node + slots);
}

/* Condition functions by exact name: a longer name sharing the prefix
 * (short and long form) is no condition function. */
static void test_condition_near_names(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Conditions:\n"
	          "  T: !Equals [a, a]\n"
	          "  EqX: !EqualsX [a, a]\n"
	          "  EqL: {Fn::Equalss: [a, a]}\n"
	          "  AndX: !AndX [!Condition T]\n"
	          "  OrX: !Orx [!Condition T]\n"
	          "  NotX: !NotX [!Condition T]\n"
	          "  NotL: {Fn::Nott: [!Condition T]}\n"
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n",
	          "dev");
	static const struct {
		const char *fn;
		size_t line;
	} want[] = {
	    {"Fn::EqualsX is not a condition function", 3},
	    {"Fn::Equalss is not a condition function", 4},
	    {"Fn::AndX is not a condition function", 5},
	    {"Fn::Orx is not a condition function", 6},
	    {"Fn::NotX is not a condition function", 7},
	    {"Fn::Nott is not a condition function", 8},
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		const finding *f = rf_find(&fx.f, "REN001", want[i].fn);
		if (!f)
			fail_msg("no finding '%s'", want[i].fn);
		assert_int_equal(f->line, want[i].line);
	}
	assert_int_equal(fx.f.n, 6);
	const char *const names[] = {"EqX", "EqL", "AndX", "OrX", "NotX", "NotL"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		assert_int_equal(render_condition(fx.r, names[i]), -1);
	assert_int_equal(render_condition(fx.r, "T"), 1);
	rf_done(&fx);
}

/* Intrinsic edges no other test sets up: Fn::FindInMap with only its
 * mapping name or only its second key symbolic; Fn::GetAtt whose attribute
 * stays symbolic; ${AWS::NoValue} and a name with '_' in a Fn::Sub; a
 * Number parameter whose value is no number (a string, not plain). */
static void test_intrinsic_edges(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Metadata:\n"
	          "  AWS::CloudFormation::Interface:\n"
	          "    ParameterGroups:\n"
	          "      - Label: {default: T}\n"
	          "        Parameters: [Count, Good]\n"
	          "Parameters:\n"
	          "  Count: {Type: Number, Description: c, Default: '12x'}\n"
	          "  Good: {Type: Number, Description: g, Default: '12'}\n"
	          "Mappings:\n"
	          "  M:\n"
	          "    eu-west-1: {Size: big}\n"
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      K0: !FindInMap [!GetAtt R.TopicName, eu-west-1, Size]\n"
	          "      K2: !FindInMap [M, eu-west-1, !GetAtt R.TopicName]\n"
	          "      Att: !GetAtt [R, !GetAtt R.TopicName]\n"
	          "      NoV: !Sub 'a${AWS::NoValue}'\n"
	          "      Und: !Sub 'a${a_b}'\n"
	          "      Num: !Ref Count\n"
	          "      Good: !Ref Good\n",
	          "dev");
	for (size_t i = 0; i < 2; i++) {
		const rnode *k = rf_prop(&fx, "R", i ? "K2" : "K0");
		assert_non_null(k);
		assert_string_equal(k->fn, "Fn::FindInMap");
		assert_int_equal(k->n, 3);
		assert_string_equal(k->kids[i ? 2 : 0]->fn, "Fn::GetAtt");
		assert_str_node(k->kids[1], "eu-west-1");
	}
	const rnode *att = rf_prop(&fx, "R", "Att");
	assert_string_equal(att->fn, "Fn::GetAtt");
	assert_int_equal(att->n, 2);
	assert_str_node(att->kids[0], "R");
	assert_string_equal(att->kids[1]->fn, "Fn::GetAtt");
	const rnode *nov = rf_prop(&fx, "R", "NoV");
	assert_string_equal(nov->fn, "Fn::Sub");
	assert_string_equal(nov->str, "a${AWS::NoValue}");
	assert_non_null(rf_find(&fx.f, "REN002",
	                        "Fn::Sub names AWS::NoValue, which is not a pseudo parameter"));
	assert_non_null(rf_find(
	    &fx.f, "REN002", "Fn::Sub names 'a_b', which is neither a parameter nor a resource"));
	const rnode *num = rf_prop(&fx, "R", "Num");
	assert_str_node(num, "12x");
	assert_false(num->plain);
	assert_true(rf_prop(&fx, "R", "Good")->plain);
	assert_int_equal(fx.f.n, 2);
	rf_done(&fx);
}

/* rnode_get reads plain mappings only: not a list (whose items could read
 * as keys), not a symbolic function whose argument is a mapping, not a
 * scalar. */
static void test_rnode_get_kinds(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      L: [a, b]\n"
	          "      J: {Fn::ToJsonString: {a: b}}\n"
	          "      M: {a: b}\n"
	          "      S: a\n",
	          "dev");
	assert_no_findings(&fx);
	assert_null(rnode_get(rf_prop(&fx, "R", "L"), "a"));
	const rnode *j = rf_prop(&fx, "R", "J");
	assert_int_equal(j->kind, RN_MAP);
	assert_string_equal(j->fn, "Fn::ToJsonString");
	assert_null(rnode_get(j, "a"));
	assert_str_node(rnode_get(rf_prop(&fx, "R", "M"), "a"), "b");
	assert_null(rnode_get(rf_prop(&fx, "R", "M"), "b"));
	assert_null(rnode_get(rf_prop(&fx, "R", "S"), "a"));
	assert_null(rnode_get(NULL, "a"));
	rf_done(&fx);
}

/* The arena each construct renders in, exactly (bytes, with 16-byte
 * alignment; least_arena): the size of every node and list of children the
 * renderer allocates is behaviour a max_bytes limit sees, so a list of
 * children one slot longer or shorter is a template that no longer fits.
 * When an allocation changes on purpose, the failure prints the new
 * values: check that each change is the one intended, then copy them. */
static void test_arena_costs(void **state)
{
	(void)state;
	static const struct {
		const char *props;
		size_t want;
	} cases[] = {
	    {"{A: x}", 2688},
	    {"{A: !GetAtt R.TopicName}", 2848},
	    {"{A: !Sub ['${V}-${R.TopicName}', {V: !GetAtt R.TopicName}]}", 3232},
	    {"{A: !Sub '${R.TopicName}'}", 2736},
	    {"{A: !Join ['-', [!GetAtt R.TopicName]]}", 3072},
	    {"{A: !Select [0, !GetAtt R.TopicName]}", 2992},
	    {"{A: !Split [',', !GetAtt R.TopicName]}", 2992},
	    {"{A: !Cidr [!GetAtt R.TopicName, 2, 8]}", 3072},
	    {"{A: !FindInMap [!GetAtt R.TopicName, a, b, {DefaultValue: d}]}", 3280},
	    {"{A: !If [U, a, b]}", 3328},
	    {"{A: !ImportValue {Fn::Sub: '${R.TopicName}'}}", 2944},
	    {"{A: !Base64 {Fn::GetAtt: [R, TopicName]}}", 3120},
	    {"{A: !Base64 abcdefghijkl}", 2784},
	};
	size_t got[sizeof cases / sizeof *cases];
	bool same = true;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		buf t;
		buf_init(&t, 0);
		buf_addf(&t,
		         "Conditions:\n  U: !Equals [!GetAtt R.TopicName, x]\n"
		         "Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties: %s\n",
		         cases[i].props);
		got[i] = least_arena(buf_cstr(&t));
		buf_free(&t);
		same = same && got[i] == cases[i].want;
	}
	if (!same) {
		for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
			print_message("%s %zu (want %zu)\n", cases[i].props, got[i], cases[i].want);
		fail_msg("the arena costs changed");
	}
}

/* A Ref inside a symbolic function's argument (the long form {Ref: Q} the
 * renderer wraps it in) is a dependency; a mapping with a Ref key and
 * another key is data, not one; nor is {Ref: [list]}. */
static void test_wrapped_ref_dependency(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  Q: {Type: AWS::SNS::Topic}\n"
	          "  P: {Type: AWS::SNS::Topic}\n"
	          "  R: {Type: AWS::SNS::Topic, Properties: {X: !Base64 {Ref: Q}}}\n"
	          "  S: {Type: AWS::SNS::Topic, Properties: {Y: {Ref: P, Other: x}}}\n"
	          "  T: {Type: AWS::SNS::Topic, Properties: {Z: !ImportValue {Ref: Q}}}\n",
	          "dev");
	assert_no_findings(&fx);
	assert_int_equal(render_find(fx.r, "R")->ndeps, 1);
	assert_true(depends(fx.r, "R", "Q"));
	assert_true(rnode_mentions(rf_prop(&fx, "R", "X"), "Q"));
	assert_false(rnode_mentions(rf_prop(&fx, "R", "X"), "P"));
	assert_int_equal(render_find(fx.r, "S")->ndeps, 0);
	assert_false(rnode_mentions(rf_prop(&fx, "S", "Y"), "P"));
	assert_int_equal(render_find(fx.r, "T")->ndeps, 1);
	assert_true(depends(fx.r, "T", "Q"));
	rf_done(&fx);
}

/* Each list function given what it cannot take, one at a time: NoValue or
 * a mapping or a scalar where a list goes, a list where a string goes, a
 * symbolic index (kept), a block that is a list or has a host part of 64
 * characters or a prefix that is no number; each one finding with its text
 * at its line, nothing else. */
static void test_list_function_kinds(void **state)
{
	(void)state;
	static const struct {
		const char *value;
		const char *rule, *text; /* NULL: no finding, the function stays */
	} cases[] = {
	    {"!Join ['-', !Ref AWS::NoValue]", "REN001",
	     "Fn::Join takes a string delimiter and a list"},
	    {"!Join ['-', a]", "REN001", "Fn::Join takes a string delimiter and a list"},
	    {"!Join ['-', {a: b}]", "REN001", "Fn::Join takes a string delimiter and a list"},
	    {"!Join [[a], [b]]", "REN001", "Fn::Join takes a string delimiter and a list"},
	    {"!Join ['-', !GetAtt R.TopicName]", NULL, "Fn::Join"},
	    {"!Select [!GetAtt R.TopicName, [a, b]]", NULL, "Fn::Select"},
	    {"!Select [0, !Ref AWS::NoValue]", "REN001", "Fn::Select selects from a list"},
	    {"!Select [0, {a: b}]", "REN001", "Fn::Select selects from a list"},
	    {"!Select [[0], [a]]", "REN001", "Fn::Select's index must be a whole number"},
	    {"!Select [9, [a, b, c, d, e, f, g, h, i, j]]", NULL, NULL},
	    {"!Split [',', [a]]", "REN001", "Fn::Split takes a non-empty delimiter and a string"},
	    {"!Split [',', {a: b}]", "REN001",
	     "Fn::Split takes a non-empty delimiter and a string"},
	    {"!Cidr [[a], 2, 8]", "REN001",
	     "Fn::Cidr takes an address block and two whole numbers"},
	    {"!Cidr ['10.0.0.0/x', 2, 8]", "REN001", "'10.0.0.0/x' is not an address block"},
	    {"!Cidr ['10.0.0.0/', 2, 8]", "REN001", "'10.0.0.0/' is not an address block"},
	    {"!Cidr ['0000000000000000000000000000000000000000000000000000000010.0.0.0/8', 2, 8]",
	     "REN001", "is not an address block"},
	    {"!FindInMap [M, !Ref AWS::NoValue, b]", "REN001",
	     "Fn::FindInMap's names and keys are strings"},
	    {"!FindInMap [[M], a, b]", "REN001", "Fn::FindInMap's names and keys are strings"},
	    {"!FindInMap [M, a, {b: c}]", "REN001", "Fn::FindInMap's names and keys are strings"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		buf t;
		buf_init(&t, 0);
		buf_addf(&t,
		         "Mappings:\n  M:\n    a: {b: c}\n"
		         "Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties:\n"
		         "      A: %s\n",
		         cases[i].value);
		rf_fixture fx;
		rf_render(&fx, buf_cstr(&t), "dev");
		buf_free(&t);
		const rnode *a = rf_prop(&fx, "R", "A");
		if (cases[i].rule) {
			const finding *f = rf_find(&fx.f, cases[i].rule, cases[i].text);
			if (!f || fx.f.n != 1) {
				rf_dump(&fx.f);
				fail_msg("%s: want one %s '%s'", cases[i].value, cases[i].rule,
				         cases[i].text);
			}
			assert_int_equal(f->line, 8);
		} else {
			if (fx.f.n)
				rf_dump(&fx.f);
			assert_int_equal(fx.f.n, 0);
			if (cases[i].text)
				assert_string_equal(a->fn, cases[i].text);
			else
				assert_str_node(a, "j");
		}
		rf_done(&fx);
	}
}

/* Fn::GetAZs takes the caller's AZs for the model's region exactly: a
 * longer or a shorter region name is another region (the table's, or
 * symbolic when the table has none). */
static void test_getazs_near_regions(void **state)
{
	(void)state;
	const char *given[] = {"my-az-1"};
	render_options opt = {.azs = given, .nazs = 1};
	rf_fixture fx;
	rf_render_opt(&fx,
	              "Resources:\n"
	              "  R:\n"
	              "    Type: AWS::EC2::Subnet\n"
	              "    Properties:\n"
	              "      Same: !GetAZs eu-west-1\n"
	              "      Longer: !GetAZs eu-west-1x\n"
	              "      Shorter: !GetAZs eu-west-\n"
	              "      Other: !GetAZs eu-west-2\n",
	              "dev", &opt);
	assert_no_findings(&fx);
	assert_list(rf_prop(&fx, "R", "Same"), given, 1);
	assert_string_equal(rf_prop(&fx, "R", "Longer")->fn, "Fn::GetAZs");
	assert_string_equal(rf_prop(&fx, "R", "Shorter")->fn, "Fn::GetAZs");
	const char *const eu2[] = {"eu-west-2a", "eu-west-2b", "eu-west-2c"};
	assert_list(rf_prop(&fx, "R", "Other"), eu2, 3);
	rf_done(&fx);
}

/* Fn::Sub at the string limit: the template a symbolic Sub keeps counts,
 * not only the resolved text (2 characters resolved, 16 kept, limit 8);
 * at 16 it fits. */
static void test_sub_symbolic_limit(void **state)
{
	(void)state;
	const char *frag = "Resources:\n"
	                   "  R:\n"
	                   "    Type: AWS::SNS::Topic\n"
	                   "    Properties:\n"
	                   "      A: !Sub 'ab${R.TopicName}'\n";
	render_options opt = {.max_string = 8};
	rf_fixture fx;
	rf_render_opt(&fx, frag, "dev", &opt);
	assert_int_equal(fx.f.n, 1);
	assert_non_null(rf_find(&fx.f, "REN003", "Fn::Sub produces a string too large"));
	rf_done(&fx);
	opt.max_string = 16;
	rf_render_opt(&fx, frag, "dev", &opt);
	assert_no_findings(&fx);
	const rnode *a = rf_prop(&fx, "R", "A");
	assert_string_equal(a->fn, "Fn::Sub");
	assert_string_equal(a->str, "ab${R.TopicName}");
	rf_done(&fx);
	opt.max_string = 15;
	rf_render_opt(&fx, frag, "dev", &opt);
	assert_int_equal(fx.f.n, 1);
	assert_non_null(rf_find(&fx.f, "REN003", "Fn::Sub produces a string too large"));
	rf_done(&fx);
}

/* The other side of each condition check: Fn::Equals with its second value
 * symbolic or NoValue (undecided), a resource Condition that is a list (a
 * finding), an undecided Fn::If whose true branch is NoValue (kept as
 * !Ref AWS::NoValue). */
static void test_condition_sides(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Conditions:\n"
	          "  U: !Equals [!GetAtt R.TopicName, x]\n"
	          "  EqSym2: !Equals [a, !GetAtt R.TopicName]\n"
	          "  EqNoV2: !Equals ['', !Ref AWS::NoValue]\n"
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      A: !If [U, !Ref AWS::NoValue, b]\n"
	          "      B: !If [U, a, !Ref AWS::NoValue]\n"
	          "  L:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Condition: [U]\n",
	          "dev");
	assert_int_equal(render_condition(fx.r, "EqSym2"), -1);
	assert_int_equal(render_condition(fx.r, "EqNoV2"), -1);
	const finding *f = rf_find(&fx.f, "REN001", "a resource's Condition is a condition name");
	assert_non_null(f);
	assert_int_equal(f->line, 13);
	assert_int_equal(fx.f.n, 1);
	assert_true(render_find(fx.r, "L")->conditional);
	const rnode *a = rf_prop(&fx, "R", "A");
	assert_string_equal(a->fn, "Fn::If");
	assert_int_equal(a->n, 3);
	assert_string_equal(a->kids[1]->fn, "Ref");
	assert_string_equal(a->kids[1]->str, "AWS::NoValue");
	assert_str_node(a->kids[2], "b");
	const rnode *b = rf_prop(&fx, "R", "B");
	assert_str_node(b->kids[1], "a");
	assert_string_equal(b->kids[2]->fn, "Ref");
	assert_string_equal(b->kids[2]->str, "AWS::NoValue");
	/* each kept NoValue comes from its own branch (its position) */
	assert_non_null(a->kids[1]->src);
	assert_string_equal(a->kids[1]->src->tag, "!Ref");
	assert_int_equal(a->kids[1]->src->start.line, a->kids[2]->src->start.line);
	assert_true(a->kids[1]->src->start.col < a->kids[2]->src->start.col);
	assert_non_null(b->kids[2]->src);
	assert_string_equal(b->kids[2]->src->tag, "!Ref");
	assert_true(b->kids[1]->src->start.col < b->kids[2]->src->start.col);
	rf_done(&fx);
}

/* YAML's typed words at the ends of each character range: a dot before 0
 * and 9 reads as a number (plain), before a letter or ':' as text; digits
 * 0 and 9 first, '/' and ':' first (text). */
static void test_typed_word_edges(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      W: [.0, .9, .x, '.:', ./, 0, 9, 0x, 9f, /9, ':9', -.9, +.0]\n",
	          "dev");
	buf out;
	buf_init(&out, 0);
	assert_true(render_emit(fx.r, RENDER_YAML, &out));
	assert_contains(buf_cstr(&out), "      W:\n"
	                                "        - .0\n"
	                                "        - .9\n"
	                                "        - '.x'\n"
	                                "        - '.:'\n"
	                                "        - ./\n"
	                                "        - 0\n"
	                                "        - 9\n"
	                                "        - 0x\n"
	                                "        - 9f\n"
	                                "        - /9\n"
	                                "        - ':9'\n"
	                                "        - -.9\n"
	                                "        - +.0\n");
	check_round_trip(fx.r);
	buf_free(&out);
	rf_done(&fx);
}

/* The template's header: a Description that is no string, no Parameters
 * section when there are none, the root's keys in order. */
static void test_header_parts(void **state)
{
	(void)state;
	static const char text[] = "Description: [a]\n"
	                           "Resources:\n  T: {Type: AWS::SNS::Topic}\n";
	lms_error err = {0};
	catalog *cat = render_catalog_of_text("h", text, strlen(text), &err);
	assert_non_null(cat);
	rendered *r = render_with(cat, NULL, NULL, &err);
	assert_non_null(r);
	assert_int_equal(r->root->n, 2);
	assert_str_node(r->root->kids[0], "AWSTemplateFormatVersion");
	assert_str_node(r->root->kids[1], "2010-09-09");
	assert_str_node(r->root->kids[2], "Resources");
	assert_null(rnode_get(r->root, "Description"));
	assert_null(rnode_get(r->root, "Parameters"));
	assert_null(rnode_get(r->root, "Transform"));
	render_free(r);
	catalog_free(cat);
	static const char text2[] = "Description: d\nTransform: X\n"
	                            "Resources:\n  T: {Type: AWS::SNS::Topic}\n";
	cat = render_catalog_of_text("h", text2, strlen(text2), &err);
	assert_non_null(cat);
	r = render_with(cat, NULL, NULL, &err);
	assert_non_null(r);
	assert_int_equal(r->root->n, 4);
	assert_str_node(r->root->kids[2], "Description");
	assert_str_node(r->root->kids[3], "d");
	assert_str_node(r->root->kids[4], "Transform");
	assert_str_node(r->root->kids[5], "X");
	render_free(r);
	catalog_free(cat);
}

/* A one-key mapping is an intrinsic only when its key is a plain string: a
 * tagged key (!!str Ref) or a complex key is data. */
static void test_intrinsic_key_kinds(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      Tagged: {!!str Ref: x}\n"
	          "      TaggedFn: {!!str 'Fn::Join': x}\n"
	          "      Complex: {? [Ref] : x}\n",
	          "dev");
	assert_no_findings(&fx);
	const char *const keys[] = {"Tagged", "TaggedFn", "Complex"};
	const char *const names[] = {"Ref", "Fn::Join", "?"};
	for (size_t i = 0; i < 3; i++) {
		const rnode *m = rf_prop(&fx, "R", keys[i]);
		assert_non_null(m);
		assert_null(m->fn);
		assert_int_equal(m->kind, RN_MAP);
		assert_int_equal(m->n, 1);
		assert_str_node(m->kids[0], names[i]);
		assert_str_node(m->kids[1], "x");
	}
	rf_done(&fx);
}

/* Allocations rendering a template whose resource R depends on `deps`
 * others (the heap's, counted by the test hook; the catalog and the model
 * made before). */
static size_t render_allocations(size_t deps)
{
	buf t;
	buf_init(&t, 0);
	buf_adds(&t, "Resources:\n");
	for (size_t i = 0; i < 9; i++)
		buf_addf(&t, "  D%zu: {Type: AWS::SNS::Topic}\n", i);
	buf_adds(&t, "  R: {Type: AWS::SNS::Topic, DependsOn: [");
	for (size_t i = 0; i < deps; i++)
		buf_addf(&t, "%sD%zu", i ? ", " : "", i);
	buf_adds(&t, "]}\n");
	rf_fixture fx;
	if (!rf_load(&fx, buf_cstr(&t), NULL))
		fail_msg("catalog: %s", fx.err.msg);
	buf_free(&t);
	fx.m = model_new_from_catalog(fx.cat, "dev", &fx.err);
	assert_non_null(fx.m);
	alloc_fail_after(SIZE_MAX);
	fx.r = render_template(fx.cat, fx.m, NULL, &fx.f, &fx.err);
	size_t n = alloc_fail_count();
	alloc_fail_off();
	assert_non_null(fx.r);
	assert_int_equal(render_find(fx.r, "R")->ndeps, deps);
	rf_done(&fx);
	return n;
}

/* The dependency list grows only when it is full: 8 dependencies fit the
 * first allocation (as 7 do), the 9th takes one more. */
static void test_dependency_list_growth(void **state)
{
	(void)state;
	size_t seven = render_allocations(7), eight = render_allocations(8),
	       nine = render_allocations(9);
	assert_int_equal(eight, seven);
	assert_int_equal(nine, eight + 1);
}

/* Reading a fragment's Ref by exact name: `{Refs: AWS::NoValue}` and
 * `!Refs AWS::NoValue` are no NoValue for render_pick, and a plain mapping
 * `{Refs: EnvironmentSuffix}` names no parameter for rnode_param, while
 * `{Ref: ...}` and `!Ref ...` do. */
static void test_ref_name_exact(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::S3::Bucket\n"
	          "    Properties:\n"
	          "      A: !If [IsProd, x, {Refs: AWS::NoValue}]\n"
	          "      B: !If [IsProd, x, !Refs AWS::NoValue]\n"
	          "      C: {Refs: EnvironmentSuffix}\n"
	          "      D: !If [IsProd, x, !Ref EnvironmentSuffix]\n"
	          "      E: !If [IsProd, x, {Ref: EnvironmentSuffix}]\n"
	          "      F: !Iff [IsProd, x, y]\n",
	          "dev");
	const ynode *f = frag_prop(&fx, "R", "F");
	assert_true(render_pick(fx.r, f) == f); /* !Iff is no Fn::If */
	const ynode *a = render_pick(fx.r, frag_prop(&fx, "R", "A"));
	assert_non_null(a);
	assert_int_equal(a->kind, YNODE_MAP);
	const ynode *b = render_pick(fx.r, frag_prop(&fx, "R", "B"));
	assert_non_null(b);
	assert_string_equal(b->tag, "!Refs");
	const rnode *c = rf_prop(&fx, "R", "C");
	assert_null(c->fn);
	assert_null(rnode_param(fx.r, c));
	assert_string_equal(rnode_param(fx.r, rf_prop(&fx, "R", "D")), "EnvironmentSuffix");
	assert_string_equal(rnode_param(fx.r, rf_prop(&fx, "R", "E")), "EnvironmentSuffix");
	rf_done(&fx);
}

/* Out of memory inside a function's first argument (a Fn::Sub's buffer,
 * from the heap: the arena still works) must fail the rendering, whatever
 * the function: each allocation fails in turn, and each failure makes
 * render_template fail with nothing leaked. */
static bool call_render_fx(void *ctx)
{
	rf_fixture *fx = ctx;
	findings f;
	findings_init(&f);
	lms_error err = {0};
	rendered *r = render_template(fx->cat, fx->m, NULL, &f, &err);
	bool ok = r != NULL && !f.oom;
	render_free(r);
	findings_free(&f);
	lms_error_clear(&err);
	return ok;
}

static void test_oom_in_first_argument(void **state)
{
	(void)state;
	rf_fixture fx;
	if (!rf_load(&fx,
	             "Conditions:\n"
	             "  U: !Equals [!GetAtt R.TopicName, x]\n"
	             "  E: !Equals [!Sub 'a', b]\n"
	             "Mappings:\n"
	             "  M:\n"
	             "    a: {b: c}\n"
	             "Resources:\n"
	             "  R:\n"
	             "    Type: AWS::SNS::Topic\n"
	             "    Properties:\n"
	             "      J: !Join [!Sub '-', [a, b]]\n"
	             "      S: !Select [!Sub '0', [a, b]]\n"
	             "      P: !Split [!Sub ',', 'a,b']\n"
	             "      C: !Cidr [!Sub '10.0.0.0/16', 2, 8]\n"
	             "      F: !FindInMap [!Sub 'M', a, b]\n"
	             "      I: !If [U, !Sub 'a', b]\n",
	             NULL))
		fail_msg("catalog: %s", fx.err.msg);
	fx.m = model_new_from_catalog(fx.cat, "dev", &fx.err);
	assert_non_null(fx.m);
	char why[256];
	long n = alloc_sweep(call_render_fx, &fx, ALLOC_MUST_FAIL, 2000, why, sizeof why);
	if (n < 0)
		fail_msg("%s", why);
	rf_done(&fx);
}

/* Fn::Cidr's address-block findings point at the block (its column), not
 * at the function or the count; Fn::Select's index finding at the index. */
static void test_cidr_finding_position(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::EC2::VPC\n"
	          "    Properties:\n"
	          "      A: !Cidr ['10.0.0.0/x', 2, 8]\n"
	          "      B: !Cidr ['10.0.0.256/8', 2, 8]\n"
	          "      C: !Select [x, [a, b]]\n",
	          "dev");
	assert_int_equal(fx.f.n, 3);
	const finding *c = rf_find(&fx.f, "REN001", "Fn::Select's index must be a whole number");
	assert_non_null(c);
	assert_int_equal(c->line, 7);
	assert_int_equal(c->col, 19); /* the index, not !Select (10) or the list (22) */
	const finding *a = rf_find(&fx.f, "REN001", "'10.0.0.0/x' is not an address block");
	const finding *b = rf_find(&fx.f, "REN001", "'10.0.0.256/8' is not an address block");
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(a->line, 5);
	assert_int_equal(b->line, 6);
	assert_int_equal(a->col, 17); /* the quote opening the block, not !Cidr (10) or 2 */
	assert_int_equal(b->col, 17);
	rf_done(&fx);
}

/* A function named like Fn::GetAtt or Fn::Sub but longer (an unknown one,
 * kept as written) reads no resource: no dependency, no mention, no Ref or
 * text read from it, and it is written with its own tag. */
static void test_getatt_near_name_no_dependency(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  Q: {Type: AWS::SNS::Topic}\n"
	          "  R: {Type: AWS::SNS::Topic, Properties: {X: !GetAttX [Q, Arn]}}\n"
	          "  S: {Type: AWS::SNS::Topic, Properties: {X: !GetAtt [Q, Arn]}}\n"
	          "  T: {Type: AWS::SNS::Topic, Properties: {X: !SubX '${Q}'}}\n",
	          "dev");
	assert_int_equal(fx.f.n, 2);
	assert_non_null(rf_find(&fx.f, "REN001", "Fn::GetAttX is not"));
	assert_non_null(rf_find(&fx.f, "REN001", "Fn::SubX is not"));
	const rnode *x = rf_prop(&fx, "R", "X");
	assert_string_equal(x->fn, "Fn::GetAttX");
	assert_false(rnode_mentions(x, "Q"));
	assert_null(rnode_ref(x, NULL));
	assert_int_equal(render_find(fx.r, "R")->ndeps, 0);
	assert_int_equal(render_find(fx.r, "S")->ndeps, 1);
	const rnode *t = rf_prop(&fx, "T", "X");
	assert_string_equal(t->fn, "Fn::SubX");
	assert_false(rnode_mentions(t, "Q"));
	assert_null(rnode_text(t));
	assert_int_equal(render_find(fx.r, "T")->ndeps, 0);
	buf out;
	buf_init(&out, 0);
	assert_true(render_emit(fx.r, RENDER_YAML, &out));
	assert_contains(buf_cstr(&out), "      'X': !GetAttX\n        - Q\n        - Arn\n");
	buf_free(&out);
	rf_done(&fx);
}

/* Ref's names by their exact spelling: AWS::NoValueX is no NoValue (a
 * finding, the value stays), AWS:Region (one colon) is no pseudo parameter
 * but an unknown name. */
static void test_ref_near_pseudo_names(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx,
	          "Resources:\n"
	          "  R:\n"
	          "    Type: AWS::SNS::Topic\n"
	          "    Properties:\n"
	          "      A: !Ref AWS::NoValueX\n"
	          "      B: !Ref AWS:Region\n"
	          "      C: !Ref AWS::NoValue\n"
	          "      D: !Sub '${AWS:Region}'\n",
	          "dev");
	assert_int_equal(fx.f.n, 3);
	assert_non_null(
	    rf_find(&fx.f, "REN002",
	            "Fn::Sub names 'AWS:Region', which is neither a parameter nor a resource"));
	assert_non_null(rf_find(&fx.f, "REN002", "AWS::NoValueX is not a pseudo parameter"));
	assert_non_null(rf_find(
	    &fx.f, "REN002", "Ref to 'AWS:Region', which is neither a parameter nor a resource"));
	const rnode *a = rf_prop(&fx, "R", "A");
	assert_non_null(a);
	assert_string_equal(a->fn, "Ref");
	assert_string_equal(a->str, "AWS::NoValueX");
	assert_null(rf_prop(&fx, "R", "C"));
	rf_done(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_base64),
	    cmocka_unit_test(test_string_limit),
	    cmocka_unit_test(test_plain_values),
	    cmocka_unit_test(test_region_azs),
	    cmocka_unit_test(test_cidr),
	    cmocka_unit_test(test_cidr_symbolic_count_or_bits),
	    cmocka_unit_test(test_getatt_one_item_dependency),
	    cmocka_unit_test(test_cidr_edges),
	    cmocka_unit_test(test_findinmap),
	    cmocka_unit_test(test_findinmap_default),
	    cmocka_unit_test(test_getazs),
	    cmocka_unit_test(test_join),
	    cmocka_unit_test(test_select),
	    cmocka_unit_test(test_split),
	    cmocka_unit_test(test_list_function_edges),
	    cmocka_unit_test(test_bool_spellings),
	    cmocka_unit_test(test_no_echo_spellings),
	    cmocka_unit_test(test_sub),
	    cmocka_unit_test(test_sub_edges),
	    cmocka_unit_test(test_getatt_forms),
	    cmocka_unit_test(test_conditions),
	    cmocka_unit_test(test_condition_errors),
	    cmocka_unit_test(test_condition_table),
	    cmocka_unit_test(test_condition_depth),
	    cmocka_unit_test(test_position_after_multibyte),
	    cmocka_unit_test(test_pseudo_and_symbolic),
	    cmocka_unit_test(test_dependencies),
	    cmocka_unit_test(test_dependency_edges),
	    cmocka_unit_test(test_emit_round_trip),
	    cmocka_unit_test(test_emit_exact),
	    cmocka_unit_test(test_tag_and_name_forms),
	    cmocka_unit_test(test_emit_forms),
	    cmocka_unit_test(test_real_templates),
	    cmocka_unit_test(test_size_limit),
	    cmocka_unit_test(test_template_parts),
	    cmocka_unit_test(test_param_sources),
	    cmocka_unit_test(test_catalog_of_text),
	    cmocka_unit_test(test_render_golden),
	    cmocka_unit_test(test_sub_symbolic_vars_and_base64_kinds),
	    cmocka_unit_test(test_malformed_forms),
	    cmocka_unit_test(test_pick_forms),
	    cmocka_unit_test(test_after_self),
	    cmocka_unit_test(test_sub_list_parameter),
	    cmocka_unit_test(test_symbolic_of_symbolic),
	    cmocka_unit_test(test_param_of_symbolic_ref),
	    cmocka_unit_test(test_outputs_by_condition),
	    cmocka_unit_test(test_worst_suffix_length),
	    cmocka_unit_test(test_emit_literal_neighbours),
	    cmocka_unit_test(test_condition_scalar_args),
	    cmocka_unit_test(test_context_edges),
	    cmocka_unit_test(test_only_props_edges),
	    cmocka_unit_test(test_json_scalars),
	    cmocka_unit_test(test_arena_cost_of_a_scalar),
	    cmocka_unit_test(test_condition_near_names),
	    cmocka_unit_test(test_intrinsic_edges),
	    cmocka_unit_test(test_rnode_get_kinds),
	    cmocka_unit_test(test_arena_costs),
	    cmocka_unit_test(test_wrapped_ref_dependency),
	    cmocka_unit_test(test_list_function_kinds),
	    cmocka_unit_test(test_getazs_near_regions),
	    cmocka_unit_test(test_sub_symbolic_limit),
	    cmocka_unit_test(test_condition_sides),
	    cmocka_unit_test(test_typed_word_edges),
	    cmocka_unit_test(test_header_parts),
	    cmocka_unit_test(test_intrinsic_key_kinds),
	    cmocka_unit_test(test_dependency_list_growth),
	    cmocka_unit_test(test_ref_name_exact),
	    cmocka_unit_test(test_oom_in_first_argument),
	    cmocka_unit_test(test_cidr_finding_position),
	    cmocka_unit_test(test_getatt_near_name_no_dependency),
	    cmocka_unit_test(test_ref_near_pseudo_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
