/* xml: the tree, paths and member lists; the limits (size, depth, no DTD, no entities of
 * any kind); malformed input reported with its line; the three AWS error forms. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "aws/xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static xml_doc *parse(const char *text, lms_error *err)
{
	return xml_parse(text, strlen(text), 0, err);
}

static void test_tree_paths_and_members(void **state)
{
	(void)state;
	lms_error err = {0};
	xml_doc *doc = parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                     "<DescribeStacksResponse xmlns=\"http://cloudformation.amazonaws.com/"
	                     "doc/2010-05-15/\">\n"
	                     "  <DescribeStacksResult><Stacks>\n"
	                     "    <member><StackName>a</StackName><Outputs/></member>\n"
	                     "    <member><StackName>b &amp; c</StackName></member>\n"
	                     "    <member><StackName><![CDATA[<d>]]></StackName></member>\n"
	                     "  </Stacks></DescribeStacksResult>\n"
	                     "</DescribeStacksResponse>\n",
	                     &err);
	assert_non_null(doc);
	const xml_node *root = xml_root(doc);
	assert_string_equal(root->name, "DescribeStacksResponse");
	const xml_node *m = xml_path(root, "DescribeStacksResult/Stacks/member");
	assert_non_null(m);
	const char *want[] = {"a", "b & c", "<d>"};
	size_t i = 0;
	for (; m; m = xml_next_same(m), i++) {
		assert_true(i < 3);
		assert_string_equal(xml_path_text(m, "StackName"), want[i]);
	}
	assert_int_equal(i, 3);
	/* an empty element has "" as text, a missing one NULL */
	const xml_node *first = xml_path(root, "DescribeStacksResult/Stacks/member");
	assert_string_equal(xml_path_text(first, "Outputs"), "");
	assert_null(xml_path_text(first, "Nope"));
	assert_null(xml_path(root, "DescribeStacksResult/Nope/member"));
	char *dup = xml_path_dup(first, "StackName");
	assert_string_equal(dup, "a");
	free(dup);
	xml_free(doc);
}

static void test_namespace_prefix_dropped(void **state)
{
	(void)state;
	xml_doc *doc = parse("<ns:A xmlns:ns=\"urn:x\"><ns:B>t</ns:B></ns:A>", NULL);
	assert_non_null(doc);
	assert_string_equal(xml_root(doc)->name, "A");
	assert_string_equal(xml_path_text(xml_root(doc), "B"), "t");
	xml_free(doc);
}

static void test_text_with_multibyte_and_split_chunks(void **state)
{
	(void)state;
	/* expat may hand text over in pieces (around entities): they are joined */
	xml_doc *doc = parse("<a>caf\xc3\xa9 &lt;x&gt; &#x4e2d;\xe6\x96\x87</a>", NULL);
	assert_non_null(doc);
	assert_string_equal(xml_root(doc)->text, "caf\xc3\xa9 <x> \xe4\xb8\xad\xe6\x96\x87");
	xml_free(doc);
}

static void test_malformed_reports_line(void **state)
{
	(void)state;
	lms_error err = {0};
	assert_null(parse("<a>\n<b>\n</a>", &err));
	assert_non_null(err.msg);
	assert_non_null(strstr(err.msg, "line 3"));
	lms_error_clear(&err);
	assert_null(parse("", &err));
	assert_non_null(err.msg);
	lms_error_clear(&err);
	assert_null(parse("<a>unterminated", &err));
	lms_error_clear(&err);
	/* truncated in the middle of a tag */
	assert_null(parse("<DescribeStacksRespo", &err));
	lms_error_clear(&err);
}

static void test_doctype_and_entities_refused(void **state)
{
	(void)state;
	lms_error err = {0};
	/* an entity expansion bomb */
	assert_null(parse("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaa\">"
	                  "<!ENTITY b \"&a;&a;&a;&a;\">]><r>&b;</r>",
	                  &err));
	assert_non_null(strstr(err.msg, "document type"));
	lms_error_clear(&err);
	/* an external entity */
	assert_null(
	    parse("<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>", &err));
	lms_error_clear(&err);
	assert_null(parse("<!DOCTYPE r SYSTEM \"http://127.0.0.1:1/x.dtd\"><r/>", &err));
	lms_error_clear(&err);
	/* an undeclared entity is an error too */
	assert_null(parse("<r>&x;</r>", &err));
	lms_error_clear(&err);
}

static void test_limits(void **state)
{
	(void)state;
	lms_error err = {0};
	const char *small = "<a><b>123456789</b></a>";
	assert_null(xml_parse(small, strlen(small), 10, &err));
	assert_non_null(strstr(err.msg, "larger than 10 bytes"));
	lms_error_clear(&err);
	/* nesting: XML_MAX_DEPTH is fine, one more is not */
	char deep[4096] = "";
	size_t n = 0;
	for (int i = 0; i < XML_MAX_DEPTH; i++)
		n += (size_t)snprintf(deep + n, sizeof deep - n, "<a>");
	for (int i = 0; i < XML_MAX_DEPTH; i++)
		n += (size_t)snprintf(deep + n, sizeof deep - n, "</a>");
	xml_doc *doc = parse(deep, &err);
	assert_non_null(doc);
	xml_free(doc);
	char deeper[4096] = "";
	n = 0;
	for (int i = 0; i <= XML_MAX_DEPTH; i++)
		n += (size_t)snprintf(deeper + n, sizeof deeper - n, "<a>");
	for (int i = 0; i <= XML_MAX_DEPTH; i++)
		n += (size_t)snprintf(deeper + n, sizeof deeper - n, "</a>");
	assert_null(parse(deeper, &err));
	assert_non_null(strstr(err.msg, "too deep"));
	lms_error_clear(&err);
}

static void check_error(const char *xml, const char *code, const char *message, const char *rid)
{
	buf c, m, r;
	buf_init(&c, 0);
	buf_init(&m, 0);
	buf_init(&r, 0);
	assert_true(xml_aws_error(xml, strlen(xml), &c, &m, &r));
	assert_string_equal(buf_cstr(&c), code);
	assert_string_equal(buf_cstr(&m), message);
	assert_string_equal(buf_cstr(&r), rid);
	buf_free(&c);
	buf_free(&m);
	buf_free(&r);
}

static void test_aws_error_forms(void **state)
{
	(void)state;
	check_error("<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\">"
	            "<Error><Type>Sender</Type><Code>ValidationError</Code>"
	            "<Message>Stack with id x does not exist</Message></Error>"
	            "<RequestId>r-1</RequestId></ErrorResponse>",
	            "ValidationError", "Stack with id x does not exist", "r-1");
	check_error("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>"
	            "<Message>The specified bucket does not exist</Message>"
	            "<BucketName>b</BucketName><RequestId>r-2</RequestId></Error>",
	            "NoSuchBucket", "The specified bucket does not exist", "r-2");
	check_error("<Response><Errors><Error><Code>AuthFailure</Code><Message>m</Message>"
	            "</Error></Errors><RequestID>r-3</RequestID></Response>",
	            "AuthFailure", "m", "r-3");
	/* not an error, or not XML */
	buf c;
	buf_init(&c, 0);
	const char *ok = "<GetCallerIdentityResponse/>";
	assert_false(xml_aws_error(ok, strlen(ok), &c, NULL, NULL));
	const char *html = "<html><head><title>500</title></head></html>";
	assert_false(xml_aws_error(html, strlen(html), &c, NULL, NULL));
	assert_false(xml_aws_error("oops", 4, &c, NULL, NULL));
	assert_false(xml_aws_error("<Error><Code></Code></Error>", 28, &c, NULL, NULL));
	assert_int_equal(c.len, 0);
	buf_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tree_paths_and_members),
	    cmocka_unit_test(test_namespace_prefix_dropped),
	    cmocka_unit_test(test_text_with_multibyte_and_split_chunks),
	    cmocka_unit_test(test_malformed_reports_line),
	    cmocka_unit_test(test_doctype_and_entities_refused),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_aws_error_forms),
	};
	return cmocka_run_group_tests_name("xml", tests, NULL, NULL);
}
