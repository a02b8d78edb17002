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

/* ---- edges (issue 15) ------------------------------------------------------------------------ */

static void test_names_exactly(void **state)
{
	(void)state;
	lms_error err = {0};
	xml_doc *doc = parse("<r><bb>1</bb><b>2</b><c:b>3</c:b><bc>4</bc><b>5</b>"
	                     "<x:y:member>6</x:y:member><members>7</members><member>8</member></r>",
	                     &err);
	assert_non_null(doc);
	const xml_node *r = xml_root(doc);
	/* a child and a path by exact name: not a longer or a shorter one */
	assert_string_equal(xml_child(r, "b")->text, "2");
	assert_string_equal(xml_child(r, "bb")->text, "1");
	assert_null(xml_child(r, "bbb"));
	assert_null(xml_child(r, ""));
	assert_null(xml_child(NULL, "b"));
	assert_string_equal(xml_path_text(r, "b"), "2");
	assert_string_equal(xml_path_text(r, "bb"), "1");
	assert_string_equal(xml_path_text(r, "bc"), "4");
	assert_null(xml_path_text(r, "bbb"));
	assert_null(xml_path_text(r, "bcd"));
	assert_ptr_equal(xml_path(r, ""), r);
	assert_string_equal(xml_path_text(r, "b/"), "2");
	assert_null(xml_path(NULL, "b"));
	assert_null(xml_path_dup(r, "nope"));
	/* the next sibling of the same name: over other names, the prefixed one included */
	const xml_node *b = xml_child(r, "b");
	const xml_node *b2 = xml_next_same(b);
	assert_non_null(b2);
	assert_string_equal(b2->text, "3");
	b2 = xml_next_same(b2);
	assert_non_null(b2);
	assert_string_equal(b2->text, "5");
	assert_null(xml_next_same(b2));
	assert_null(xml_next_same(r));
	assert_null(xml_next_same(NULL));
	const xml_node *m = xml_child(r, "member");
	assert_string_equal(m->text, "6");
	assert_string_equal(xml_next_same(m)->text, "8");
	assert_null(xml_next_same(xml_child(r, "bb")));
	xml_free(doc);
	/* text around a child element belongs to its parent, in order */
	doc = parse("<a>x<b>in</b>y<c/>z</a>", &err);
	assert_non_null(doc);
	assert_string_equal(xml_root(doc)->text, "xyz");
	assert_int_equal(xml_root(doc)->text_len, 3);
	assert_string_equal(xml_path_text(xml_root(doc), "b"), "in");
	assert_string_equal(xml_path_text(xml_root(doc), "c"), "");
	xml_free(doc);
}

static void test_size_and_depth_edges(void **state)
{
	(void)state;
	lms_error err = {0};
	/* exactly the cap is read; one byte over it is not */
	const char *small = "<a><b>123456789</b></a>";
	size_t len = strlen(small);
	xml_doc *doc = xml_parse(small, len, len, &err);
	assert_non_null(doc);
	assert_string_equal(xml_path_text(xml_root(doc), "b"), "123456789");
	xml_free(doc);
	assert_null(xml_parse(small, len, len - 1, &err));
	assert_non_null(strstr(err.msg, "larger than"));
	lms_error_clear(&err);
	/* siblings at the deepest level: the depth goes back up at each end tag */
	char deep[8192] = "";
	size_t n = 0;
	for (int i = 0; i < XML_MAX_DEPTH - 1; i++)
		n += (size_t)snprintf(deep + n, sizeof deep - n, "<a>");
	for (int i = 0; i < 4; i++)
		n += (size_t)snprintf(deep + n, sizeof deep - n, "<b>x</b>");
	for (int i = 0; i < XML_MAX_DEPTH - 1; i++)
		n += (size_t)snprintf(deep + n, sizeof deep - n, "</a>");
	doc = parse(deep, &err);
	if (!doc)
		fail_msg("%s", err.msg);
	xml_free(doc);
	/* a document that is only a declaration has no root */
	assert_null(parse("<?xml version=\"1.0\"?>", &err));
	assert_non_null(err.msg);
	lms_error_clear(&err);
	assert_null(xml_root(NULL));
}

static void test_aws_error_roots_exactly(void **state)
{
	(void)state;
	/* the roots exactly: Error, ErrorResponse, Response; not longer or shorter ones */
	static const char *const not_errors[] = {
	    "<Errors><Code>X</Code></Errors>",
	    "<Erro><Code>X</Code></Erro>",
	    "<ErrorResponses><Error><Code>X</Code></Error></ErrorResponses>",
	    "<ErrorRespons><Error><Code>X</Code></Error></ErrorRespons>",
	    "<Responses><Error><Code>X</Code></Error></Responses>",
	    "<Respons><Error><Code>X</Code></Error></Respons>",
	    "<ErrorResponse><Errorx><Code>X</Code></Errorx></ErrorResponse>",
	    "<Response><Errors><Errorx><Code>X</Code></Errorx></Errors></Response>",
	};
	for (size_t i = 0; i < sizeof not_errors / sizeof not_errors[0]; i++) {
		buf c;
		buf_init(&c, 0);
		if (xml_aws_error(not_errors[i], strlen(not_errors[i]), &c, NULL, NULL))
			fail_msg("%s read as an error (%s)", not_errors[i], buf_cstr(&c));
		buf_free(&c);
	}
	/* no message, no request id: empty; RequestId before RequestID; NULL outputs */
	check_error("<Error><Code>C</Code></Error>", "C", "", "");
	check_error("<ErrorResponse><Error><Code>C</Code><Message>m</Message></Error>"
	            "<RequestID>r-1</RequestID><RequestId>r-2</RequestId></ErrorResponse>",
	            "C", "m", "r-2");
	check_error("<Response><Error><Code>C</Code></Error><Errors><Error><Code>D</Code></Error>"
	            "</Errors></Response>",
	            "C", "", "");
	const char *e = "<Error><Code>C</Code><Message>m</Message></Error>";
	assert_true(xml_aws_error(e, strlen(e), NULL, NULL, NULL));
	/* the answer is read up to 1 MiB */
	buf big;
	buf_init(&big, 0);
	buf_adds(&big, "<Error><Code>C</Code><Message>");
	while (big.len < (size_t)1024 * 1024 - strlen("</Message></Error>"))
		buf_addc(&big, 'x');
	buf_adds(&big, "</Message></Error>");
	assert_int_equal(big.len, (size_t)1024 * 1024);
	assert_true(xml_aws_error(big.data, big.len, NULL, NULL, NULL));
	buf_reset(&big);
	buf_adds(&big, "<Error><Code>C</Code><Message>");
	while (big.len < (size_t)1024 * 1024 + 1 - strlen("</Message></Error>"))
		buf_addc(&big, 'x');
	buf_adds(&big, "</Message></Error>");
	assert_false(xml_aws_error(big.data, big.len, NULL, NULL, NULL));
	buf_free(&big);
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
	    cmocka_unit_test(test_names_exactly),
	    cmocka_unit_test(test_size_and_depth_edges),
	    cmocka_unit_test(test_aws_error_roots_exactly),
	};
	return cmocka_run_group_tests_name("xml", tests, NULL, NULL);
}
