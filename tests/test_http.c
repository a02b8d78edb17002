/* http: endpoints, the retry and skew rules, masking for --debug, and the client against
 * tests/fault_server.py on 127.0.0.1: throttling then success, 503 then success, a reset
 * connection, a skewed clock, a server that never answers, truncated, malformed and
 * oversized bodies, HTML error pages, a refused connection, a wrong key, access denied.
 * Each is retried or reported as specified, in bounded time. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* fopencookie */
#endif
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "aws/curl_loader.h"
#include "aws/http.h"
#include "aws/json.h"
#include "aws/query.h"
#include "aws/s3.h"
#include "aws/sts.h"
#include "faultutil.h"

#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static fault_server server;
static int key_counter;

static credentials test_creds = {
    .access_key_id = (char *)"AKIDEXAMPLE",
    .secret_access_key = (char *)"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    .session_token = (char *)"SESSIONTOKENEXAMPLE",
    .source = (char *)"test credentials",
};

static int setup(void **state)
{
	(void)state;
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_CLOUDFORMATION");
	unsetenv("AWS_ENDPOINT_URL_STS");
	unsetenv("AWS_ENDPOINT_URL_S3");
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	unsetenv("AWS_CA_BUNDLE");
	return fault_server_start(&server, NULL) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fault_server_stop(&server);
	return 0;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A client whose endpoint is /SCENARIO/KEY on the fault server. */
static aws_client *client_for(const char *scenario, char *key, size_t keylen, long timeout_ms,
                              FILE *debug)
{
	snprintf(key, keylen, "k%d-%ld", ++key_counter, (long)getpid());
	char url[256];
	snprintf(url, sizeof url, "%s/%s/%s", server.url, scenario, key);
	aws_client_options o = {
	    .region = "eu-west-1",
	    .endpoint_url = url,
	    .timeout_ms = timeout_ms,
	    .connect_timeout_ms = 2000,
	    .backoff_unit_ms = 10,
	    .debug = debug,
	};
	lms_error err = {0};
	aws_client *c = aws_client_new(&o, &test_creds, &err);
	if (!c)
		fail_msg("client: %s", err.msg);
	return c;
}

/* How many requests the fault server has seen for key. */
static long server_count(const char *key)
{
	aws_client_options o = {.region = "eu-west-1", .endpoint_url = server.url};
	aws_client *c = aws_client_new(&o, NULL, NULL);
	assert_non_null(c);
	char path[128];
	snprintf(path, sizeof path, "/_count/%s", key);
	aws_request req = {.service = "sts", .operation = "Count", .method = "GET", .path = path};
	aws_response resp;
	aws_response_init(&resp);
	assert_true(aws_send(c, &req, &resp, NULL));
	long n = strtol(buf_cstr(&resp.body), NULL, 10);
	aws_response_free(&resp);
	aws_client_free(c);
	return n;
}

/* GetCallerIdentity through a scenario: returns whether it worked, with err and resp. */
static bool call_sts(aws_client *c, aws_response *resp, lms_error *err)
{
	aws_params p;
	aws_params_init(&p, "GetCallerIdentity", "2011-06-15");
	xml_doc *doc = NULL;
	bool ok = aws_query(c, "sts", &p, &doc, resp, err);
	if (ok)
		assert_string_equal(
		    xml_path_text(aws_query_result(doc, "GetCallerIdentity"), "Account"),
		    "123456789012");
	xml_free(doc);
	aws_params_free(&p);
	return ok;
}

/* ---- libcurl loaded on first use (aws/curl_loader.c) ------------------------------------------
 */

/* In a child (the load happens once per process): with LMSCTL_LIBCURL set to `path`, the
 * load fails with `want` in its message (or succeeds when want is NULL). The exit status
 * names the first check that failed. */
static int curl_load_child(const char *path, const char *want)
{
	if (path)
		setenv("LMSCTL_LIBCURL", path, 1);
	else
		unsetenv("LMSCTL_LIBCURL");
	lms_error err = {0};
	bool ok = lms_curl_load(&err);
	if (!want)
		return ok && !err.msg ? 0 : 10;
	if (ok)
		return 11; /* loaded already: this test must run before any client */
	if (!err.msg || !strstr(err.msg, want))
		return 12;
	lms_error_clear(&err);
	if (lms_curl_load(NULL))
		return 13;
	if (lms_curl_getdate("Thu, 01 Jan 2026 00:00:00 GMT", NULL) != -1)
		return 14;
	if (strcmp(lms_curl_easy_strerror(CURLE_OK), "libcurl not loaded") != 0)
		return 15;
	if (lms_curl_easy_init() || lms_curl_slist_append(NULL, "x"))
		return 16;
	if (lms_curl_global_init(0) != CURLE_FAILED_INIT)
		return 17;
	lms_curl_global_cleanup();
	lms_curl_slist_free_all(NULL);
	/* a client cannot start: the loader's reason, not a later one */
	aws_client_options o = {.region = "eu-west-1", .endpoint_url = "http://127.0.0.1:1"};
	aws_client *c = aws_client_new(&o, NULL, &err);
	if (c)
		return 18;
	if (!err.msg || !strstr(err.msg, want))
		return 19;
	lms_error_clear(&err);
	return 0;
}

static void check_curl_load(const char *path, const char *want)
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(curl_load_child(path, want));
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("LMSCTL_LIBCURL=%s: check %d failed", path ? path : "(unset)",
		         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* First in the list: no client has loaded libcurl in this process yet. */
static void test_curl_loader(void **state)
{
	(void)state;
	check_curl_load("/nonexistent/libcurl-lmsctl-test.so.4",
	                "cannot load /nonexistent/libcurl-lmsctl-test.so.4 (");
	check_curl_load("/nonexistent/libcurl-lmsctl-test.so.4",
	                "install the Debian package libcurl4");
	check_curl_load("libc.so.6",
	                "libc.so.6 lacks curl_global_init: AWS calls need libcurl 7.74 or later");
	/* unset or empty: the default library, which loads */
	check_curl_load(NULL, NULL);
	check_curl_load("", NULL);
}

/* ---- pure functions ------------------------------------------------------------------------ */

static void check_parse(const char *url, const char *scheme, const char *authority,
                        const char *path)
{
	buf s, a, p;
	buf_init(&s, 0);
	buf_init(&a, 0);
	buf_init(&p, 0);
	lms_error err = {0};
	if (!aws_endpoint_parse(url, &s, &a, &p, &err))
		fail_msg("%s: %s", url, err.msg);
	assert_string_equal(buf_cstr(&s), scheme);
	assert_string_equal(buf_cstr(&a), authority);
	assert_string_equal(buf_cstr(&p), path);
	/* and no byte more (a NUL inside would hide behind the strings) */
	assert_int_equal(s.len, strlen(scheme));
	assert_int_equal(a.len, strlen(authority));
	assert_int_equal(p.len, strlen(path));
	buf_free(&s);
	buf_free(&a);
	buf_free(&p);
}

static void check_refused(const char *url, const char *why)
{
	buf s, a, p;
	buf_init(&s, 0);
	buf_init(&a, 0);
	buf_init(&p, 0);
	lms_error err = {0};
	assert_false(aws_endpoint_parse(url, &s, &a, &p, &err));
	if (!strstr(err.msg, why))
		fail_msg("%s: '%s' lacks '%s'", url, err.msg, why);
	lms_error_clear(&err);
	buf_free(&s);
	buf_free(&a);
	buf_free(&p);
}

static void test_endpoint_parse(void **state)
{
	(void)state;
	check_parse("https://cloudformation.eu-west-1.amazonaws.com", "https",
	            "cloudformation.eu-west-1.amazonaws.com", "");
	check_parse("HTTPS://VPCE-1.example.com:8443/base/", "https", "vpce-1.example.com:8443",
	            "/base");
	check_parse("http://127.0.0.1:5000", "http", "127.0.0.1:5000", "");
	check_parse("http://localhost:5000/", "http", "localhost:5000", "");
	check_parse("http://[::1]:5000/x", "http", "[::1]:5000", "/x");
	check_refused("http://example.com:5000", "plain http");
	check_refused("http://127.0.0.1.example.com", "plain http");
	check_refused("ftp://127.0.0.1", "only https");
	check_refused("127.0.0.1:5000", "no scheme");
	check_refused("https://user:pw@example.com", "without user");
	check_refused("https://example.com/?a=b", "without user, query");
	check_refused("https://", "SCHEME://HOST");
}

static void check_endpoint(const char *service, const char *region, const char *option,
                           const char *want, bool want_custom)
{
	buf url;
	buf_init(&url, 0);
	bool custom = !want_custom;
	lms_error err = {0};
	if (!aws_endpoint_for(service, region, option, &url, &custom, &err))
		fail_msg("%s: %s", service, err.msg);
	assert_string_equal(buf_cstr(&url), want);
	assert_int_equal(custom, want_custom);
	buf_free(&url);
}

static void test_endpoint_resolution(void **state)
{
	(void)state;
	check_endpoint("cloudformation", "eu-west-1", NULL,
	               "https://cloudformation.eu-west-1.amazonaws.com", false);
	check_endpoint("sts", "cn-north-1", NULL, "https://sts.cn-north-1.amazonaws.com.cn", false);
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1111", 1);
	setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", "http://127.0.0.1:2222/", 1);
	check_endpoint("cloudformation", "eu-west-1", NULL, "http://127.0.0.1:2222", true);
	check_endpoint("s3", "eu-west-1", NULL, "http://127.0.0.1:1111", true);
	/* --endpoint-url beats both variables */
	check_endpoint("cloudformation", "eu-west-1", "http://127.0.0.1:3333",
	               "http://127.0.0.1:3333", true);
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	check_endpoint("cloudformation", "eu-west-1", NULL,
	               "https://cloudformation.eu-west-1.amazonaws.com", false);
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	/* a bad variable is named in the error */
	setenv("AWS_ENDPOINT_URL_STS", "http://sts.example.com", 1);
	buf url;
	buf_init(&url, 0);
	bool custom;
	lms_error err = {0};
	assert_false(aws_endpoint_for("sts", "eu-west-1", NULL, &url, &custom, &err));
	assert_non_null(strstr(err.msg, "AWS_ENDPOINT_URL_STS"));
	lms_error_clear(&err);
	buf_free(&url);
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_CLOUDFORMATION");
	unsetenv("AWS_ENDPOINT_URL_STS");
}

static void test_retry_classification(void **state)
{
	(void)state;
	assert_true(aws_error_is_retryable("Throttling", 400));
	assert_true(aws_error_is_retryable("ThrottlingException", 400));
	assert_true(aws_error_is_retryable("SlowDown", 503));
	assert_true(aws_error_is_retryable("RequestLimitExceeded", 400));
	assert_true(aws_error_is_retryable(NULL, 500));
	assert_true(aws_error_is_retryable(NULL, 502));
	assert_true(aws_error_is_retryable(NULL, 503));
	assert_true(aws_error_is_retryable(NULL, 504));
	assert_false(aws_error_is_retryable(NULL, 501));
	assert_false(aws_error_is_retryable("ValidationError", 400));
	assert_false(aws_error_is_retryable("AccessDenied", 403));
	assert_false(aws_error_is_retryable("SignatureDoesNotMatch", 403));
	assert_true(aws_error_is_skew("RequestTimeTooSkewed"));
	assert_true(aws_error_is_skew("SignatureDoesNotMatch"));
	assert_false(aws_error_is_skew("AccessDenied"));
	/* random in [0, min(20, 2^n)) seconds */
	assert_int_equal(aws_backoff_ms(2, 0.0, 1000), 0);
	assert_int_equal(aws_backoff_ms(2, 0.5, 1000), 1000);
	assert_int_equal(aws_backoff_ms(3, 0.999, 1000), 3996);
	assert_int_equal(aws_backoff_ms(6, 0.5, 1000), 10000);
	assert_int_equal(aws_backoff_ms(40, 0.5, 1000), 10000);
	assert_true(aws_backoff_ms(40, 0.9999, 1000) < 20000);
}

static void check_mask(const char *in, const char *const *values, size_t n, size_t limit,
                       const char *want)
{
	buf out;
	buf_init(&out, 0);
	aws_mask_for_log(in, strlen(in), values, n, limit, &out);
	assert_string_equal(buf_cstr(&out), want);
	assert_int_equal(out.len, strlen(want)); /* and no byte past the text (its NUL) */
	buf_free(&out);
}

static void test_masking(void **state)
{
	(void)state;
	check_mask("Action=AssumeRole&TokenCode=123456&NextToken=abc&ClientRequestToken=t1", NULL,
	           0, 0, "Action=AssumeRole&TokenCode=****&NextToken=abc&ClientRequestToken=t1");
	check_mask("<Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s/e+c</"
	           "SecretAccessKey><SessionToken>tok</SessionToken></Credentials>",
	           NULL, 0, 0,
	           "<Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>****</"
	           "SecretAccessKey><SessionToken>****</SessionToken></Credentials>");
	check_mask(
	    "{\"AccessKeyId\": \"ASIA\", \"SecretAccessKey\": \"s\\\"x\", \"Token\":\"t\"}", NULL,
	    0, 0, "{\"AccessKeyId\": \"ASIA\", \"SecretAccessKey\": \"****\", \"Token\":\"****\"}");
	const char *values[] = {"hunter2"};
	check_mask("Parameters.member.1.ParameterValue=hunter2&X=ahunter2b", values, 1, 0,
	           "Parameters.member.1.ParameterValue=****&X=a****b");
	check_mask("abcdefghij", NULL, 0, 4, "abcd... (6 more bytes)");
	/* a registered value in every encoding a log may meet it in */
	const char *pw[] = {"p@ss w+rd/=!%&?#\xc3\xa9\"<\\"};
	check_mask("A=1&Parameters.member.1.ParameterValue="
	           "p%40ss+w%2Brd%2F%3D%21%25%26%3F%23%C3%A9%22%3C%5C&B=2",
	           pw, 1, 0, "A=1&Parameters.member.1.ParameterValue=****&B=2");
	check_mask("/x/p%40ss%20w%2Brd%2F%3D%21%25%26%3F%23%C3%A9%22%3C%5C/y", pw, 1, 0,
	           "/x/****/y");
	check_mask("{\"V\": \"p@ss w+rd/=!%&?#\xc3\xa9\\\"<\\\\\"}", pw, 1, 0, "{\"V\": \"****\"}");
	check_mask("{\"V\": \"p@ss w+rd\\/=!%&?#\\u00e9\\\"<\\\\\"}", pw, 1, 0,
	           "{\"V\": \"****\"}");
	check_mask("<V>p@ss w+rd/=!%&amp;?#\xc3\xa9&quot;&lt;\\</V>", pw, 1, 0, "<V>****</V>");
	/* JSON's surrogate pairs at both ends of their ranges: U+10000 is
	 * \ud800\udc00, U+10FFFF is \udbff\udfff; a hex digit after the pair is
	 * not part of it, and a pair may end the text */
	const char *astral[] = {"a\xf0\x90\x80\x80"
	                        "f",
	                        "b\xf4\x8f\xbf\xbf"
	                        "f"};
	check_mask("{\"V\": \"a\\ud800\\udc00f\", \"W\": \"b\\uDBFF\\uDFFFf\"}", astral, 2, 0,
	           "{\"V\": \"****\", \"W\": \"****\"}");
	const char *at_end[] = {"x\xf0\x90\x80\x80"};
	check_mask("v=x\\ud800\\udc00", at_end, 1, 0, "v=****");
	/* a high surrogate before an escape that is no low one stays alone */
	const char *lone[] = {"\xed\xa0\x80"
	                      "A",
	                      "\xed\xa0\x80\xed\xaf\xbf", "\xed\xa0\x80\xee\x80\x80"};
	check_mask("{\"V\": \"\\ud800\\u0041\", \"W\": \"\\ud800\\udbff\", \"X\": "
	           "\"\\ud800\\ue000\"}",
	           lone, 3, 0, "{\"V\": \"****\", \"W\": \"****\", \"X\": \"****\"}");
	check_mask("<V>p@ss w+rd/=!%&amp;?#\xc3\xa9\"&lt;\\</V>", pw, 1, 0, "<V>****</V>");
	/* a NoEcho parameter's value in an answer, by its name, whatever it is */
	static const char *const names[] = {"DbPassword"};
	const char *answer = "<Parameters><member><ParameterKey>Env</ParameterKey><ParameterValue>"
	                     "dev</ParameterValue></member><member><ParameterKey>DbPassword</"
	                     "ParameterKey><ParameterValue>x&amp;y</ParameterValue></member>"
	                     "<member><ParameterValue>z</ParameterValue><ParameterKey>DbPassword"
	                     "</ParameterKey></member></Parameters><ParameterValue>";
	buf out;
	buf_init(&out, 0);
	aws_mask_parameters(&out, answer, strlen(answer), names, 1);
	assert_string_equal(buf_cstr(&out),
	                    "<Parameters><member><ParameterKey>Env</ParameterKey><ParameterValue>"
	                    "dev</ParameterValue></member><member><ParameterKey>DbPassword</"
	                    "ParameterKey><ParameterValue>****</ParameterValue></member>"
	                    "<member><ParameterValue>****</ParameterValue><ParameterKey>DbPassword"
	                    "</ParameterKey></member></Parameters><ParameterValue>");
	buf_free(&out);
}

/* ---- edges (issue 15: each threshold on both sides, each exact name against a near one) ---- */

static void test_endpoint_edges(void **state)
{
	(void)state;
	/* loopback: exact names, any case; 127.0.0.0/8 as a dotted quad only */
	check_parse("http://LOCALHOST", "http", "localhost", "");
	check_parse("HTTP://127.255.0.9:1/", "http", "127.255.0.9:1", "");
	check_parse("http://[::1]", "http", "[::1]", "");
	check_refused("http://localhostx", "plain http");
	check_refused("http://localhos", "plain http");
	check_refused("http://localhosx", "plain http"); /* the 9th letter too */
	check_refused("http://[::1x", "plain http");
	check_refused("http://[::2]", "plain http");
	check_refused("http://[::1", "plain http");
	check_refused("http://127...", "plain http");
	check_refused("http://127.0.0", "plain http");
	check_refused("http://127.0.0.1.5", "plain http");
	check_refused("http://127.0.0.a", "plain http");
	check_refused("http://128.0.0.1", "plain http");
	check_refused("http://1270.0.0.1", "plain http");
	/* a dotted quad is four numbers of 0-255: empty parts and over-large ones are no address */
	check_refused("http://127.0..", "plain http");
	check_refused("http://127..0.1", "plain http");
	check_refused("http://127.0.0.", "plain http");
	check_refused("http://127.256.0.1", "plain http");
	check_refused("http://127.0.0.1000", "plain http");
	check_parse("http://127.0.0.255", "http", "127.0.0.255", "");
	/* the scheme: exactly https or http, any case */
	check_parse("hTtPs://H.example.com//", "https", "h.example.com", "");
	check_parse("https://h.example.com/a/b//", "https", "h.example.com", "/a/b");
	check_parse("https://[2001:db8::1]:443/p", "https", "[2001:db8::1]:443", "/p");
	check_refused("httpss://h.example.com", "only https");
	check_refused("htt://127.0.0.1", "only https");
	check_refused("https:///path", "SCHEME://HOST");
	check_refused("https://h.example.com/a#frag", "without user");
	check_refused("https://h.example.com?x", "without user");
	check_refused("https://exa mple.com", "space");
	check_refused("https://exa\x01mple.com", "space");
	check_refused("https://exa\x1fmple.com", "space");  /* 0x1F, a control but not a blank */
	check_refused("https:// h.example.com", "space");   /* the first character too */
	check_refused("https://h.example.co\x01", "space"); /* and the last */
	/* endpoint variables: a service's name with '-' becomes '_'; the China partition
	 * is cn- exactly; the sso portal */
	setenv("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:4444", 1);
	check_endpoint("sso-oidc", "eu-west-1", NULL, "http://127.0.0.1:4444", true);
	unsetenv("AWS_ENDPOINT_URL_SSO_OIDC");
	check_endpoint("sso-oidc", "eu-west-1", NULL, "https://sso-oidc.eu-west-1.amazonaws.com",
	               false);
	check_endpoint("sso", "eu-west-1", NULL, "https://portal.sso.eu-west-1.amazonaws.com",
	               false);
	check_endpoint("ssox", "eu-west-1", NULL, "https://ssox.eu-west-1.amazonaws.com", false);
	check_endpoint("sts", "cnx-1", NULL, "https://sts.cnx-1.amazonaws.com", false);
	check_endpoint("sts", "cn-northwest-1", NULL, "https://sts.cn-northwest-1.amazonaws.com.cn",
	               false);
	/* AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is "true" in any case, nothing else */
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1111", 1);
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE", 1);
	check_endpoint("s3", "eu-west-1", NULL, "https://s3.eu-west-1.amazonaws.com", false);
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "truex", 1);
	check_endpoint("s3", "eu-west-1", NULL, "http://127.0.0.1:1111", true);
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false", 1);
	check_endpoint("s3", "eu-west-1", NULL, "http://127.0.0.1:1111", true);
	/* an empty --endpoint-url is none */
	check_endpoint("s3", "eu-west-1", "", "http://127.0.0.1:1111", true);
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	unsetenv("AWS_ENDPOINT_URL");
}

/* An allocation failure in any of the three parts (scheme, authority, base path) is "out
 * of memory", each on its own. */
static void test_endpoint_parse_out_of_memory(void **state)
{
	(void)state;
	size_t failures = 0;
	for (size_t n = 0;; n++) {
		buf s, a, p;
		buf_init(&s, 0);
		buf_init(&a, 0);
		buf_init(&p, 0);
		lms_error err = {0};
		alloc_fail_after(n);
		bool ok =
		    aws_endpoint_parse("https://h.example.com:8443/base/path", &s, &a, &p, &err);
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		if (!fired) {
			assert_true(ok);
			assert_string_equal(buf_cstr(&a), "h.example.com:8443");
			assert_string_equal(buf_cstr(&p), "/base/path");
		} else {
			if (ok)
				fail_msg("allocation %zu failed, yet the URL parsed", n);
			assert_string_equal(err.msg, "out of memory");
			failures++;
		}
		lms_error_clear(&err);
		buf_free(&s);
		buf_free(&a);
		buf_free(&p);
		if (!fired)
			break;
	}
	assert_true(failures >= 3);
}

/* A client whose start fails on any allocation (the record, the region, the endpoint, the
 * CA bundle's path: each copy checked alone) reports it and leaks nothing. */
static bool client_new_call(void *ctx)
{
	const aws_client_options *o = ctx;
	lms_error err = {0};
	aws_client *c = aws_client_new(o, &test_creds, &err);
	bool ok = c != NULL;
	if (!ok && !err.msg)
		fail_msg("aws_client_new failed without a reason");
	if (ok && strcmp(aws_client_region(c), "eu-west-1") != 0)
		fail_msg("a client with a wrong region");
	aws_client_free(c);
	lms_error_clear(&err);
	return ok;
}

static void test_client_new_out_of_memory(void **state)
{
	(void)state;
	char ca[] = "/tmp/lmsctl-test-ca-XXXXXX";
	int fd = mkstemp(ca);
	assert_true(fd >= 0);
	close(fd);
	aws_client_options o = {
	    .region = "eu-west-1", .endpoint_url = "http://127.0.0.1:1", .ca_bundle = ca};
	char why[256] = "";
	long steps = alloc_sweep(client_new_call, &o, ALLOC_MUST_FAIL, 64, why, sizeof why);
	unlink(ca);
	if (steps < 0)
		fail_msg("%s", why);
	assert_true(steps >= 4);
}

static void test_classification_edges(void **state)
{
	(void)state;
	static const char *const throttling[] = {"Throttling",
	                                         "ThrottlingException",
	                                         "ThrottledException",
	                                         "RequestThrottledException",
	                                         "TooManyRequestsException",
	                                         "ProvisionedThroughputExceededException",
	                                         "TransactionInProgressException",
	                                         "RequestLimitExceeded",
	                                         "BandwidthLimitExceeded",
	                                         "LimitExceededException",
	                                         "RequestThrottled",
	                                         "SlowDown",
	                                         "PriorRequestNotComplete",
	                                         "EC2ThrottledException"};
	char near[96];
	for (size_t i = 0; i < sizeof throttling / sizeof throttling[0]; i++) {
		assert_true(aws_error_is_throttling(throttling[i]));
		assert_true(aws_error_is_retryable(throttling[i], 400));
		snprintf(near, sizeof near, "%sX", throttling[i]);
		assert_false(aws_error_is_throttling(near));
		snprintf(near, sizeof near, "%.*s", (int)strlen(throttling[i]) - 1, throttling[i]);
		assert_false(aws_error_is_throttling(near));
	}
	assert_false(aws_error_is_throttling(NULL));
	static const char *const transient[] = {"RequestTimeout", "RequestTimeoutException",
	                                        "InternalError", "InternalFailure",
	                                        "ServiceUnavailable"};
	for (size_t i = 0; i < sizeof transient / sizeof transient[0]; i++) {
		assert_true(aws_error_is_retryable(transient[i], 400));
		assert_false(aws_error_is_throttling(transient[i]));
		snprintf(near, sizeof near, "%sX", transient[i]);
		assert_false(aws_error_is_retryable(near, 400));
	}
	assert_false(aws_error_is_retryable(NULL, 499));
	assert_false(aws_error_is_retryable(NULL, 505));
	assert_false(aws_error_is_retryable(NULL, 200));
	static const char *const expired[] = {"ExpiredToken", "ExpiredTokenException",
	                                      "TokenRefreshRequired"};
	for (size_t i = 0; i < sizeof expired / sizeof expired[0]; i++) {
		assert_true(aws_error_is_expired_token(expired[i]));
		snprintf(near, sizeof near, "%sX", expired[i]);
		assert_false(aws_error_is_expired_token(near));
		assert_false(aws_error_is_skew(expired[i]));
	}
	assert_false(aws_error_is_expired_token("Expired"));
	assert_false(aws_error_is_expired_token(NULL));
	static const char *const skew[] = {
	    "RequestTimeTooSkewed",  "RequestExpired", "InvalidSignatureException",
	    "SignatureDoesNotMatch", "AuthFailure",    "RequestInTheFuture"};
	for (size_t i = 0; i < sizeof skew / sizeof skew[0]; i++) {
		assert_true(aws_error_is_skew(skew[i]));
		snprintf(near, sizeof near, "%sX", skew[i]);
		assert_false(aws_error_is_skew(near));
		assert_false(aws_error_is_retryable(skew[i], 400));
	}
	assert_false(aws_error_is_skew(NULL));
	/* the cap doubles from 1 unit to 16 and stops at 20 from the sixth attempt on */
	assert_int_equal(aws_backoff_ms(1, 0.5, 1000), 500);
	assert_int_equal(aws_backoff_ms(1, 1.0, 1000), 1000);
	assert_int_equal(aws_backoff_ms(2, 1.0, 1000), 2000);
	assert_int_equal(aws_backoff_ms(4, 1.0, 1000), 8000);
	assert_int_equal(aws_backoff_ms(5, 1.0, 1000), 16000);
	assert_int_equal(aws_backoff_ms(5, 0.5, 10), 80);
	assert_int_equal(aws_backoff_ms(6, 1.0, 1000), 20000);
	assert_int_equal(aws_backoff_ms(7, 1.0, 1000), 20000);
}

static void check_secret(const char *name, bool want)
{
	if (aws_name_is_secret(name, strlen(name)) != want)
		fail_msg("%s: secret should be %d", name, (int)want);
}

static void test_secret_names(void **state)
{
	(void)state;
	/* the harmless tokens exactly, not a longer or shorter name */
	check_secret("NextToken", false);
	check_secret("ClientRequestToken", false);
	check_secret("ClientToken", false);
	check_secret("ContinuationToken", false);
	check_secret("NextTokens", true);
	check_secret("extToken", true);
	check_secret("ClientTokenX", true);
	check_secret("ContinuationTokens", true);
	check_secret("Parameters.member.1.NextToken", false);
	check_secret("NextToken.Value", false);
	check_secret(".NextToken", false); /* a dot at the very start too */
	check_secret("a.b.Password", true);
	check_secret("Password.a", false);
	/* each word anywhere, in any case, to the last character */
	check_secret("password", true);
	check_secret("DbPASSWORD", true);
	check_secret("passwor", false);
	check_secret("xsecret", true);
	check_secret("secre", false);
	check_secret("Token", true);
	check_secret("toke", false);
	check_secret("Authorization", true);
	check_secret("authorizatio", false);
	check_secret("", false);
	check_secret(".", false);
}

static void test_masking_edges(void **state)
{
	(void)state;
	/* form bodies: each pair, empty pairs, a pair without '=', the first '=' */
	check_mask("&&Token=a&", NULL, 0, 0, "&&Token=****&");
	check_mask("a=1&Token&b=2", NULL, 0, 0, "a=1&Token&b=2");
	check_mask("x=Token=1&Secret=", NULL, 0, 0, "x=Token=1&Secret=****");
	check_mask("NextToken=a&NextTokens=b", NULL, 0, 0, "NextToken=a&NextTokens=****");
	/* a line break, '<' or '{' makes it markup, no '=' neither */
	check_mask("Token=a\n", NULL, 0, 0, "Token=a\n");
	check_mask("Token", NULL, 0, 0, "Token");
	check_mask("", NULL, 0, 0, "");
	/* XML: a secret element's content, not a self-closed or blank one, nor a
	 * declaration, a comment or a closing tag */
	check_mask("<Password a=\"1\">x</Password>", NULL, 0, 0,
	           "<Password a=\"1\">****</Password>");
	check_mask("<Password/><Token />", NULL, 0, 0, "<Password/><Token />");
	check_mask("<Token> \n\t</Token>", NULL, 0, 0, "<Token> \n\t</Token>");
	check_mask("<?Token x?>a<!Token>b</Token>c", NULL, 0, 0, "<?Token x?>a<!Token>b</Token>c");
	check_mask("<Toke>a</Toke><Tokens>b</Tokens>", NULL, 0, 0,
	           "<Toke>a</Toke><Tokens>****</Tokens>");
	check_mask("<Token>x", NULL, 0, 0, "<Token>****");
	check_mask("<a>x<Token", NULL, 0, 0, "<a>x<Token");
	check_mask("x<", NULL, 0, 0, "x<");
	check_mask("<Token>\"a\": \"b\"</Token>", NULL, 0, 0, "<Token>****</Token>");
	/* JSON: spaces and tabs around the colon, escapes, only a string value */
	check_mask("{\"Password\" :\t\"x\"}", NULL, 0, 0, "{\"Password\" :\t\"****\"}");
	check_mask("{\"Password\":\"a\\\"b\", \"c\": \"d\"}", NULL, 0, 0,
	           "{\"Password\":\"****\", \"c\": \"d\"}");
	/* an escaped backslash or quote just before the closing quote */
	check_mask("{\"Password\": \"a\\\\\", \"c\": \"d\"}", NULL, 0, 0,
	           "{\"Password\": \"****\", \"c\": \"d\"}");
	check_mask("{\"Password\": \"a\\\"\", \"c\": \"d\"}", NULL, 0, 0,
	           "{\"Password\": \"****\", \"c\": \"d\"}");
	check_mask("{\"Password\": 5, \"Token\": null}", NULL, 0, 0,
	           "{\"Password\": 5, \"Token\": null}");
	check_mask("[\"Password\", \"x\"]", NULL, 0, 0, "[\"Password\", \"x\"]");
	check_mask("{\"Password\": \"abc", NULL, 0, 0, "{\"Password\": \"****\"");
	check_mask("{\"Password\":", NULL, 0, 0, "{\"Password\":");
	check_mask("{\"Password\"", NULL, 0, 0, "{\"Password\"");
	check_mask("{\"Passw", NULL, 0, 0, "{\"Passw");
	check_mask("{\"NextToken\": \"n\", \"Secret\": \"s\"}", NULL, 0, 0,
	           "{\"NextToken\": \"n\", \"Secret\": \"****\"}");
	/* the cut: at the limit nothing is cut, one byte over it is; never inside UTF-8 */
	check_mask("abcd", NULL, 0, 4, "abcd");
	check_mask("a=bc", NULL, 0, 4, "a=bc");
	check_mask("x<ab", NULL, 0, 4, "x<ab");
	check_mask("a=b&c=d", NULL, 0, 7, "a=b&c=d");
	check_mask("abcde", NULL, 0, 4, "abcd... (1 more bytes)");
	check_mask("ab\xc3\xa9"
	           "cd",
	           NULL, 0, 3, "ab... (4 more bytes)");
	check_mask("ab\xc3\xa9"
	           "cd",
	           NULL, 0, 4, "ab\xc3\xa9... (2 more bytes)");
	check_mask("\xa9\xa9\xa9", NULL, 0, 1, "... (3 more bytes)");
}

static void test_masking_encodings(void **state)
{
	(void)state;
	/* an empty value masks nothing; the second value is tried after the first */
	const char *two[] = {"", "x"};
	check_mask("axb", two, 2, 0, "a****b");
	const char *v7[] = {"hunter2"};
	check_mask("hunter hunter2", v7, 1, 0, "hunter ****");
	/* percent escapes: two hex digits of either case, not one */
	const char *slash[] = {"a/b"};
	check_mask("v=a%2fb v=a%2Fb v=a%2 v=a%2g", slash, 1, 0, "v=**** v=**** v=a%2 v=a%2g");
	check_mask("a%2", slash, 1, 0, "a%2");
	/* an escape starts with a backslash: "xt" is no tab */
	const char *qt[] = {"q\t"};
	check_mask("qxt q\\t", qt, 1, 0, "qxt ****");
	/* a JSON escape that ends the text, its two bytes exactly */
	const char *nl[] = {"a\n"};
	check_mask("za\\n", nl, 1, 0, "z****");
	/* a percent escape that ends the text, its three bytes exactly */
	const char *aslash[] = {"a/"};
	check_mask("xa%2F", aslash, 1, 0, "x****");
	/* a numeric reference starts with '&': "x#65;" is not an A */
	const char *a[] = {"A"};
	check_mask("x#65; &#65;", a, 1, 0, "x#65; ****");
	/* a value cut by the end of the text is not found */
	const char *abc[] = {"abc"};
	check_mask("xab", abc, 1, 0, "xab");
	check_mask("xabc", abc, 1, 0, "x****");
	/* \u takes four hex digits exactly: "\u00411" is A then 1 */
	const char *a1[] = {"A1"};
	check_mask("[\"\\u00411\"]", a1, 1, 0, "[\"****\"]");
	/* only \u reads four hex digits: "\x0041" is no A */
	check_mask("[\"\\x0041\"]", a, 1, 0, "[\"\\x0041\"]");
	/* '+' is a space, and itself */
	const char *sp[] = {"a b", "c+d"};
	check_mask("k=a+b&l=c+d&m=c%2Bd", sp, 2, 0, "k=****&l=****&m=****");
	/* JSON escapes, each of them, and \u at its length */
	const char *ctl[] = {"\"\\/\b\f\n\r\t"};
	check_mask("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", ctl, 1, 0, "[\"****\"]");
	const char *A[] = {"zA"};
	check_mask("x zA z\\u0041 z\\u004 z\\u004g z\\x41", A, 1, 0,
	           "x **** **** z\\u004 z\\u004g z\\x41");
	check_mask("z\\u0041", A, 1, 0, "****");
	check_mask("z\\u004", A, 1, 0, "z\\u004");
	/* UTF-8 lengths at each edge: U+007F/0080, U+07FF/0800, U+FFFF/10000 */
	const char *u[] = {"a\x7f",         "b\xc2\x80",     "c\xdf\xbf",
	                   "d\xe0\xa0\x80", "e\xef\xbf\xbf", "f\xf0\x90\x80\x80"};
	check_mask("a\\u007f b\\u0080 c\\u07FF d\\u0800 e\\uffff f\\ud800\\udc00", u, 6, 0,
	           "**** **** **** **** **** ****");
	check_mask("a&#127; b&#128; c&#x7ff; d&#X800; e&#65535; f&#x10000;", u, 6, 0,
	           "**** **** **** **** **** ****");
	/* no pair below the high surrogates, nor from a low one */
	const char *nopair[] = {"g\xed\x9f\xbf\xed\xb0\x80", "h\xed\xb0\x80\xed\xb0\x80",
	                        "i\xed\xaf\xbf\xed\xbf\xbf"};
	check_mask("g\\ud7ff\\udc00 h\\udc00\\udc00 i\\udbff\\udfff", nopair, 3, 0,
	           "**** **** i\\udbff\\udfff");
	/* XML: each named entity, at the very end; numeric references of 1 to 7 decimal or
	 * 6 hex digits, with their ';'; U+10FFFF and not past it */
	const char *named[] = {"&<>\"'"};
	check_mask("<V>&amp;&lt;&gt;&quot;&apos;</V>", named, 1, 0, "<V>****</V>");
	const char *lt[] = {"x<"};
	check_mask("x&lt;", lt, 1, 0, "****");
	check_mask("x&lt", lt, 1, 0, "x&lt");
	const char *dec[] = {"qA"};
	check_mask("qA q&#65; q&#0000065; q&#00000065; q&#x000041; q&#x0000041; q&#; q&#x; "
	           "q&#65 q&#x41",
	           dec, 1, 0,
	           "**** **** **** q&#00000065; **** q&#x0000041; q&#; q&#x; q&#65 q&#x41");
	/* one decimal digit, one hex digit */
	const char *tab[] = {"q\t", "r\n"};
	check_mask("q&#9; r&#xa; r&#xA", tab, 2, 0, "**** **** r&#xA");
	const char *top[] = {"m\xf4\x8f\xbf\xbf", "n"};
	check_mask("m&#x10FFFF; m&#x110000; m&#1114111; m&#1114112;", top, 2, 0,
	           "**** m&#x110000; **** m&#1114112;");
	/* a reference past U+10FFFF reads as nothing at all, not as an empty character: the
	 * value after it is masked alone */
	const char *after[] = {"n"};
	check_mask("&#x110000;n &#1114112;n", after, 1, 0, "&#x110000;**** &#1114112;****");
}

static void test_mask_parameters_edges(void **state)
{
	(void)state;
	static const char *const names[] = {"DbPassword"};
	struct {
		const char *in, *want;
		size_t n;
	} cases[] = {
	    /* no names: nothing */
	    {"<member><ParameterKey>DbPassword</ParameterKey><ParameterValue>x</ParameterValue>"
	     "</member>",
	     "<member><ParameterKey>DbPassword</ParameterKey><ParameterValue>x</ParameterValue>"
	     "</member>",
	     0},
	    /* the member at the start of the text */
	    {"<member><ParameterKey>DbPassword</ParameterKey><ParameterValue>x</ParameterValue>"
	     "</member>",
	     "<member><ParameterKey>DbPassword</ParameterKey><ParameterValue>****</"
	     "ParameterValue></member>",
	     1},
	    /* a longer and a shorter key */
	    {"<member><ParameterKey>DbPassword2</ParameterKey><ParameterValue>x</ParameterValue>"
	     "</member><member><ParameterKey>DbPasswor</ParameterKey><ParameterValue>y</"
	     "ParameterValue></member>",
	     "<member><ParameterKey>DbPassword2</ParameterKey><ParameterValue>x</ParameterValue>"
	     "</member><member><ParameterKey>DbPasswor</ParameterKey><ParameterValue>y</"
	     "ParameterValue></member>",
	     1},
	    /* the key of the member before is not this member's */
	    {"<member><ParameterKey>DbPassword</ParameterKey></member><member><ParameterValue>x"
	     "</ParameterValue></member>",
	     "<member><ParameterKey>DbPassword</ParameterKey></member><member><ParameterValue>x"
	     "</ParameterValue></member>",
	     1},
	    /* an unclosed key or value */
	    {"<member><ParameterKey>DbPassword<ParameterValue>x</ParameterValue></member>",
	     "<member><ParameterKey>DbPassword<ParameterValue>x</ParameterValue></member>", 1},
	    {"<member><ParameterKey>DbPassword</ParameterKey><ParameterValue>x",
	     "<member><ParameterKey>DbPassword</ParameterKey><ParameterValue>x", 1},
	    /* an element whose name starts with "member" is no member's start */
	    {"<member><ParameterKey>DbPassword</ParameterKey><memberships/><ParameterValue>x</"
	     "ParameterValue></member>",
	     "<member><ParameterKey>DbPassword</ParameterKey><memberships/><ParameterValue>****</"
	     "ParameterValue></member>",
	     1},
	    /* no member around it: the text from its start */
	    {"<ParameterKey>DbPassword</ParameterKey><ParameterValue>x</ParameterValue>",
	     "<ParameterKey>DbPassword</ParameterKey><ParameterValue>****</ParameterValue>", 1},
	};
	/* a text that starts inside a larger buffer: the byte before it is not read, even when
	 * with the text it would spell <member> */
	const char *whole = "<member><ParameterKey>DbPassword</ParameterKey><ParameterValue>x</"
	                    "ParameterValue></member>";
	buf cut;
	buf_init(&cut, 0);
	aws_mask_parameters(&cut, whole + 1, strlen(whole) - 1, names, 1);
	assert_string_equal(buf_cstr(&cut), "member><ParameterKey>DbPassword</ParameterKey>"
	                                    "<ParameterValue>****</ParameterValue></member>");
	buf_free(&cut);
	/* and at the start of a page whose page before is not readable: a read before the text
	 * would fault */
	long page = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
	                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map, (size_t)page, PROT_NONE), 0);
	const char *bare =
	    "<ParameterKey>DbPassword</ParameterKey><ParameterValue>x</ParameterValue>";
	memcpy(map + page, bare, strlen(bare) + 1);
	buf_init(&cut, 0);
	aws_mask_parameters(&cut, map + page, strlen(bare), names, 1);
	assert_string_equal(
	    buf_cstr(&cut),
	    "<ParameterKey>DbPassword</ParameterKey><ParameterValue>****</ParameterValue>");
	buf_free(&cut);
	/* a member that starts the text there too */
	const char *member = "<member><ParameterKey>DbPassword</ParameterKey><ParameterValue>x</"
	                     "ParameterValue></member>";
	memcpy(map + page, member, strlen(member) + 1);
	buf_init(&cut, 0);
	aws_mask_parameters(&cut, map + page, strlen(member), names, 1);
	assert_string_equal(buf_cstr(&cut), "<member><ParameterKey>DbPassword</ParameterKey>"
	                                    "<ParameterValue>****</ParameterValue></member>");
	buf_free(&cut);
	munmap(map, (size_t)page * 2);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf out;
		buf_init(&out, 0);
		aws_mask_parameters(&out, cases[i].in, strlen(cases[i].in), names, cases[i].n);
		if (strcmp(buf_cstr(&out), cases[i].want) != 0 || out.len != strlen(cases[i].want))
			fail_msg("case %zu: %s (%zu bytes)", i, buf_cstr(&out), out.len);
		buf_free(&out);
	}
}

/* The Query protocol's form: each end of each unreserved range and the bytes beside them,
 * a space as '+', NULL values left out, a secret as "****" in the log only. */
static void test_query_form_edges(void **state)
{
	(void)state;
	aws_params p;
	aws_params_init(&p, "Do It", "2010-05-15");
	aws_params_add(&p, "K", "AZaz09-_.~ @[`{/:+\x7f\x80\xff");
	aws_params_add(&p, "Skipped", NULL);
	aws_params_addf(&p, NULL, "Skipped.%d", 1);
	aws_params_add_secret(&p, "S", "p w");
	aws_params_addf_secret(&p, "x", "T.member.%d", 2);
	aws_params_addf_secret(&p, NULL, "U.member.%d", 3);
	aws_params_addf(&p, "v", "N.%s", "a b");
	assert_string_equal(buf_cstr(&p.body),
	                    "Action=Do+It&Version=2010-05-15&K=AZaz09-_.~+%40%5B%60%7B%2F%3A%2B%7F%"
	                    "80%FF&S=p+w&T.member.2=x&N.a+b=v");
	assert_string_equal(buf_cstr(&p.log),
	                    "Action=Do+It&Version=2010-05-15&K=AZaz09-_.~+%40%5B%60%7B%2F%3A%2B%7F%"
	                    "80%FF&S=****&T.member.2=****&N.a+b=v");
	aws_params_free(&p);
	/* the result element: <Action>Result exactly */
	static const struct {
		const char *xml;
		bool found;
	} answers[] = {
	    {"<R><DescribeStacksResult/></R>", true},
	    {"<R><X/><DescribeStacksResult>2</DescribeStacksResult></R>", true},
	    {"<R><DescribeStacksResults/></R>", false},
	    {"<R><DescribeStackResult/></R>", false},
	    {"<R><DescribeStacksResul/></R>", false},
	    {"<R><DescribeStacks/></R>", false},
	    {"<R><XDescribeStacksResult/></R>", false},
	    {"<R/>", false},
	};
	for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
		xml_doc *d = xml_parse(answers[i].xml, strlen(answers[i].xml), 0, NULL);
		assert_non_null(d);
		const xml_node *r = aws_query_result(d, "DescribeStacks");
		if ((r != NULL) != answers[i].found)
			fail_msg("%s", answers[i].xml);
		xml_free(d);
	}
	assert_null(aws_query_result(NULL, "DescribeStacks"));
}

/* ---- against the fault server --------------------------------------------------------------- */

static void test_ok_and_headers(void **state)
{
	(void)state;
	char key[64];
	char *log = NULL;
	size_t loglen = 0;
	FILE *debug = open_memstream(&log, &loglen);
	aws_client *c = client_for("echo", key, sizeof key, 5000, debug);
	aws_client_mask(c, "hunter2");
	static const sigv4_header hdr[] = {{"Content-Type", "application/x-www-form-urlencoded"}};
	const char body[] = "Action=X&Version=1&Parameters.member.1.ParameterValue=hunter2";
	aws_request req = {.service = "cloudformation",
	                   .operation = "X",
	                   .method = "POST",
	                   .path = "/",
	                   .headers = hdr,
	                   .nheaders = 1,
	                   .body = body,
	                   .body_len = strlen(body)};
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	if (!aws_send(c, &req, &resp, &err))
		fail_msg("%s", err.msg);
	json_t *echo = json_loadb(resp.body.data, resp.body.len, 0, NULL);
	assert_non_null(echo);
	json_t *h = json_object_get(echo, "headers");
	const char *auth = json_string_value(json_object_get(h, "Authorization"));
	assert_non_null(auth);
	assert_true(strncmp(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 40) == 0);
	assert_non_null(strstr(auth, "/eu-west-1/cloudformation/aws4_request"));
	assert_non_null(
	    strstr(auth, "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token"));
	assert_string_equal(json_string_value(json_object_get(h, "X-Amz-Security-Token")),
	                    "SESSIONTOKENEXAMPLE");
	char host[64];
	snprintf(host, sizeof host, "127.0.0.1:%d", server.port);
	assert_string_equal(json_string_value(json_object_get(h, "Host")), host);
	/* the endpoint's base path is kept */
	char path[128];
	snprintf(path, sizeof path, "/echo/%s/", key);
	assert_string_equal(json_string_value(json_object_get(echo, "path")), path);
	json_decref(echo);
	aws_response_free(&resp);
	aws_client_free(c);
	fclose(debug);
	/* the log shows the call, never the key id, signature, token, secret or masked value */
	assert_non_null(strstr(log, "> POST http://127.0.0.1:"));
	assert_non_null(strstr(log, "Authorization: AWS4-HMAC-SHA256 Credential=****/"));
	assert_non_null(strstr(log, "Signature=****"));
	assert_non_null(strstr(log, "X-Amz-Security-Token: ****"));
	assert_non_null(strstr(log, "< HTTP 200"));
	assert_null(strstr(log, "AKIDEXAMPLE"));
	assert_null(strstr(log, "SESSIONTOKENEXAMPLE"));
	assert_null(strstr(log, "wJalrXUtnFEMI"));
	assert_null(strstr(log, "hunter2"));
	free(log);
}

/* A NoEcho parameter added as a secret: sent as it is, "****" in the debug log and the
 * call hook's command line, whatever characters it holds; nothing registered. */
static char hook_cli[2048];

static void cli_hook(void *ctx, const aws_call_record *rec)
{
	(void)ctx;
	buf b;
	buf_init(&b, 0);
	aws_cli_command(rec, &b);
	snprintf(hook_cli, sizeof hook_cli, "%s", buf_cstr(&b));
	buf_free(&b);
}

static void test_secret_parameter_never_logged(void **state)
{
	(void)state;
	char key[64];
	char *log = NULL;
	size_t loglen = 0;
	FILE *debug = open_memstream(&log, &loglen);
	snprintf(key, sizeof key, "k%d-%ld", ++key_counter, (long)getpid());
	char url[256];
	snprintf(url, sizeof url, "%s/echo/%s", server.url, key);
	aws_client_options o = {.region = "eu-west-1",
	                        .endpoint_url = url,
	                        .timeout_ms = 5000,
	                        .debug = debug,
	                        .on_call = cli_hook};
	lms_error err = {0};
	aws_client *c = aws_client_new(&o, &test_creds, &err);
	assert_non_null(c);
	const char *secret = "Zq9 p@ss/w+r=d!%41&x?y#\xc3\xa9\"<\\";
	aws_params p;
	aws_params_init(&p, "CreateChangeSet", "2010-05-15");
	aws_params_add(&p, "Parameters.member.1.ParameterKey", "DbPassword");
	aws_params_addf_secret(&p, secret, "Parameters.member.%d.ParameterValue", 1);
	aws_params_add(&p, "Parameters.member.2.ParameterKey", "Other");
	aws_params_add_secret(&p, "Parameters.member.2.ParameterValue", "Zq9");
	aws_params_add(&p, "StackName", "lms-dev");
	/* the request only: the echo server's answer would repeat the body */
	xml_doc *doc = NULL;
	aws_query(c, "cloudformation", &p, &doc, NULL, &err);
	lms_error_clear(&err);
	aws_params_free(&p);
	aws_client_free(c);
	fclose(debug);
	char *answer = strstr(log, "[debug] < ");
	assert_non_null(answer);
	*answer = '\0';
	assert_non_null(strstr(log,
	                       "Parameters.member.1.ParameterKey=DbPassword&Parameters.member.1."
	                       "ParameterValue=****&Parameters.member.2.ParameterKey=Other&"
	                       "Parameters.member.2.ParameterValue=****&StackName=lms-dev"));
	assert_null(strstr(log, "Zq9"));
	assert_null(strstr(log, "p%40ss"));
	assert_non_null(strstr(hook_cli, "'ParameterKey=DbPassword,ParameterValue=****' "
	                                 "'ParameterKey=Other,ParameterValue=****'"));
	assert_null(strstr(hook_cli, "Zq9"));
	free(log);
}

/* ---- the call hook and the equivalent command line ------------------------------------- */

static void check_cli(const aws_request *req, const char *const *masked, size_t nmasked,
                      const char *endpoint, const char *want)
{
	aws_call_record rec = {.req = req,
	                       .region = "eu-west-1",
	                       .endpoint_url = endpoint,
	                       .masked = masked,
	                       .nmasked = nmasked};
	buf out;
	buf_init(&out, 0);
	assert_true(aws_cli_command(&rec, &out));
	assert_string_equal(buf_cstr(&out), want);
	buf_free(&out);
}

/* The `aws` command lines lmsctl suggests go where its calls go: --endpoint-url URL (quoted
 * for the shell) when the service's endpoint is a configured one, nothing otherwise. */
static void test_cli_endpoint_option(void **state)
{
	(void)state;
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_RDS");
	buf b;
	buf_init(&b, 0);
	aws_cli_endpoint_option(NULL, "rds", &b);
	assert_int_equal(b.len, 0); /* none configured: the default endpoint, no option */
	setenv("AWS_ENDPOINT_URL_RDS", "http://127.0.0.1:4566", 1);
	aws_cli_endpoint_option(NULL, "rds", &b);
	assert_string_equal(buf_cstr(&b), " --endpoint-url http://127.0.0.1:4566");
	buf_reset(&b);
	aws_cli_endpoint_option(NULL, "cloudformation", &b); /* another service's: not this one's */
	assert_int_equal(b.len, 0);
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	aws_cli_endpoint_option(NULL, "rds", &b);
	assert_int_equal(b.len, 0);
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	unsetenv("AWS_ENDPOINT_URL_RDS");
	setenv("AWS_ENDPOINT_URL", "http://localhost:4566/a b", 1);
	aws_cli_endpoint_option(NULL, "cloudformation", &b);
	assert_string_equal(buf_cstr(&b), " --endpoint-url 'http://localhost:4566/a b'");
	unsetenv("AWS_ENDPOINT_URL");
	/* the client's --endpoint-url, for every service */
	buf_reset(&b);
	aws_client_options o = {.region = "eu-west-1", .endpoint_url = "http://127.0.0.1:5000"};
	lms_error err = {0};
	aws_client *c = aws_client_new(&o, &test_creds, &err);
	assert_non_null(c);
	aws_cli_endpoint_option(c, "dynamodb", &b);
	assert_string_equal(buf_cstr(&b), " --endpoint-url http://127.0.0.1:5000");
	assert_string_equal(aws_client_endpoint_url(c, "rds"), "http://127.0.0.1:5000");
	aws_client_free(c);
	buf_free(&b);
}

static void test_cli_command(void **state)
{
	(void)state;
	const char *cs = "Action=CreateChangeSet&Version=2010-05-15&StackName=lms-dev"
	                 "&ChangeSetName=lmsctl-1&ChangeSetType=CREATE"
	                 "&TemplateBody=AWSTemplateFormatVersion%3A+x%0A"
	                 "&Parameters.member.1.ParameterKey=Environment"
	                 "&Parameters.member.1.ParameterValue=dev"
	                 "&Parameters.member.2.ParameterKey=AlertEmail"
	                 "&Parameters.member.2.ParameterValue=ops%40example.com"
	                 "&Parameters.member.3.ParameterKey=DbPassword"
	                 "&Parameters.member.3.ParameterValue=hunter2"
	                 "&Capabilities.member.1=CAPABILITY_NAMED_IAM"
	                 "&Capabilities.member.2=CAPABILITY_AUTO_EXPAND"
	                 "&RoleARN=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fd"
	                 "&Description=lmsctl+deploy+of+lms-dev+%28dev%29"
	                 "&ClientToken=lmsctl-abc";
	aws_request req = {.service = "cloudformation",
	                   .operation = "CreateChangeSet",
	                   .method = "POST",
	                   .body = cs,
	                   .body_len = strlen(cs)};
	static const char *const masked[] = {"hunter2"};
	check_cli(&req, masked, 1, NULL,
	          "aws cloudformation create-change-set --stack-name lms-dev --change-set-name "
	          "lmsctl-1 --change-set-type CREATE --template-body file://template.yaml "
	          "--parameters ParameterKey=Environment,ParameterValue=dev "
	          "ParameterKey=AlertEmail,ParameterValue=ops@example.com "
	          "'ParameterKey=DbPassword,ParameterValue=****' --capabilities "
	          "CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND --role-arn arn:aws:iam::1:role/d "
	          "--description 'lmsctl deploy of lms-dev (dev)' --client-token lmsctl-abc "
	          "--region eu-west-1");
	/* a masked value is masked wherever it stands inside another value */
	const char *inside = "Action=DescribeStacks&Version=2010-05-15&Description=with+hunter2+in";
	aws_request in = {.service = "cloudformation",
	                  .operation = "DescribeStacks",
	                  .method = "POST",
	                  .body = inside,
	                  .body_len = strlen(inside)};
	check_cli(&in, masked, 1, NULL,
	          "aws cloudformation describe-stacks --description 'with **** in' --region "
	          "eu-west-1");
	/* a parameter named like a secret is masked even when not registered; quotes */
	const char *q = "Action=GetCallerIdentity&Version=2011-06-15&SessionToken=abc"
	                "&Name=it%27s";
	aws_request sts = {.service = "sts",
	                   .operation = "GetCallerIdentity",
	                   .method = "POST",
	                   .body = q,
	                   .body_len = strlen(q)};
	check_cli(&sts, NULL, 0, "http://127.0.0.1:5000",
	          "aws sts get-caller-identity --session-token '****' --name 'it'\\''s' "
	          "--region eu-west-1 --endpoint-url http://127.0.0.1:5000");
	aws_request put = {.service = "s3",
	                   .operation = "PutObject",
	                   .method = "PUT",
	                   .bucket = "lmsctl-artifacts-1-eu-west-1",
	                   .path = "/lms-dev/20261125T000000Z-ab%20c.yaml"};
	check_cli(&put, NULL, 0, NULL,
	          "aws s3api put-object --bucket lmsctl-artifacts-1-eu-west-1 --key "
	          "'lms-dev/20261125T000000Z-ab c.yaml' --body template.yaml --region eu-west-1");
	aws_request head = {
	    .service = "s3", .operation = "HeadBucket", .method = "HEAD", .bucket = "b"};
	check_cli(&head, NULL, 0, NULL, "aws s3api head-bucket --bucket b --region eu-west-1");
	/* an acronym before a word: a dash before the word's capital, even
	 * before an "a" */
	aws_request db = {.service = "rds", .operation = "DescribeDBParameters", .method = "POST"};
	check_cli(&db, NULL, 0, NULL, "aws rds describe-db-parameters --region eu-west-1");
	/* and a one-letter word at the end: the rule holds up to the last byte */
	aws_request tail = {.service = "rds", .operation = "DescribeDBa", .method = "POST"};
	check_cli(&tail, NULL, 0, NULL, "aws rds describe-d-ba --region eu-west-1");
	aws_request zone = {.service = "rds", .operation = "DescribeDBzone", .method = "POST"};
	check_cli(&zone, NULL, 0, NULL, "aws rds describe-d-bzone --region eu-west-1");
	/* a member index is decimal: "1a" is index 1 and no leaf; 9 is an index */
	const char *odd_index = "Action=AddTags&Tags.member.1a.Key=k&Tags.member.9.Key=n";
	aws_request tags = {.service = "cloudformation",
	                    .operation = "AddTags",
	                    .method = "POST",
	                    .body = odd_index,
	                    .body_len = strlen(odd_index)};
	check_cli(&tags, NULL, 0, NULL,
	          "aws cloudformation add-tags --tags k Key=n --region eu-west-1");
	/* an empty body is no body: the query holds the options */
	aws_request get = {.service = "cloudformation",
	                   .operation = "DescribeStacks",
	                   .method = "GET",
	                   .body = "",
	                   .body_len = 0,
	                   .query = "Action=DescribeStacks&StackName=lms-dev"};
	check_cli(&get, NULL, 0, NULL,
	          "aws cloudformation describe-stacks --stack-name lms-dev --region eu-west-1");
	/* only the service named exactly s3 is s3api: s3control is its own */
	aws_request ctl = {
	    .service = "s3control", .operation = "GetPublicAccessBlock", .method = "GET"};
	check_cli(&ctl, NULL, 0, NULL, "aws s3control get-public-access-block --region eu-west-1");
	/* a malformed form never reads past its end */
	const char *bad = "Action=X&%&=&%4&Name=%z%";
	aws_request odd = {.service = "cloudformation",
	                   .operation = "DescribeStacks",
	                   .body = bad,
	                   .body_len = strlen(bad)};
	check_cli(&odd, NULL, 0, NULL,
	          "aws cloudformation describe-stacks --% '' -- '' --%4 '' --name %z% "
	          "--region eu-west-1");
}

/* A form body through aws_cli_command on `service`: what comes after "aws SERVICE OP". */
static void check_cli_form(const char *service, const char *form, const char *want)
{
	aws_request req = {.service = service,
	                   .operation = "Op",
	                   .method = "POST",
	                   .body = form,
	                   .body_len = strlen(form)};
	aws_call_record rec = {.req = &req, .region = "eu-west-1"};
	buf out;
	buf_init(&out, 0);
	assert_true(aws_cli_command(&rec, &out));
	buf prefix;
	buf_init(&prefix, 0);
	buf_addf(&prefix, "aws %s op", service);
	const char *got = buf_cstr(&out);
	assert_memory_equal(got, buf_cstr(&prefix), prefix.len);
	const char *tail = " --region eu-west-1";
	size_t gl = strlen(got);
	assert_true(gl >= prefix.len + strlen(tail));
	assert_string_equal(got + gl - strlen(tail), tail);
	buf rest;
	buf_init(&rest, 0);
	buf_add(&rest, got + prefix.len, gl - prefix.len - strlen(tail));
	if (strcmp(buf_cstr(&rest), want) != 0)
		fail_msg("%s: '%s', not '%s'", form, buf_cstr(&rest), want);
	buf_free(&rest);
	buf_free(&prefix);
	buf_free(&out);
}

static void test_cli_command_edges(void **state)
{
	(void)state;
	/* kebab case: a dash before a capital after a lower-case letter or a digit (each end of
	 * each range), or after a capital when a lower-case letter follows */
	check_cli_form("cloudformation", "aB=1&zB=1&a0B=1&a9B=1&AAb=1&ZZz=1&ABa=1&x@A=1&x[A=1",
	               " --a-b 1 --z-b 1 --a0-b 1 --a9-b 1 --a-ab 1 --z-zz 1 --a-ba 1 "
	               "--x@a 1 '--x[a' 1");
	check_cli_form("cloudformation", "AB=1&AZ=1&AB{=1&AB`=1&xyZ=1&x/Y=1",
	               " --ab 1 --az 1 '--ab{' 1 '--ab`' 1 --xy-z 1 --x/y 1");
	/* shell words: these characters need no quotes; others do; controls are shown as '?' */
	check_cli_form("cloudformation", "V=azAZ09-_.%2F%3A%3D%2C%40%2B%25",
	               " --v azAZ09-_./:=,@+%");
	check_cli_form("cloudformation", "V=%60&W=%7B&X=%5B&Y=%7E&Z=",
	               " --v '`' --w '{' --x '[' "
	               "--y '~' --z ''");
	check_cli_form("cloudformation", "V=a%1Fb%20c%7Fd%0Ae%09", " --v 'a?b c?d\\ne?'");
	/* Action and Version exactly are left out; TemplateBody is a file for cloudformation
	 * only */
	check_cli_form("cloudformation", "Action=A&Actions=B&Version=1&Versio=2&TemplateBodyX=t",
	               " --actions B --versio 2 --template-body-x t");
	check_cli_form("sts", "TemplateBody=t", " --template-body t");
	/* lists: members of the same prefix only, a structure's fields by index */
	check_cli_form("cloudformation",
	               "Tags.member.1.Key=a&Tabs.member.1.Key=b&Tags.member.1.Value=c&"
	               "Tag.member.1=d&Tags.member.2.Key=e&Tags.member.3=f",
	               " --tags Key=a,Value=c Key=e f --tabs Key=b --tag d");
	check_cli_form("cloudformation", "X.member.=1&Y.member=2", " --x.member. 1 --y.member 2");
	check_cli_form("cloudformation", "K&L=", " --k '' --l ''");
	/* a trailing '&' ends the form: nothing after the last field */
	check_cli_form("cloudformation", "Tags.member.1=a&", " --tags a");
	check_cli_form("cloudformation", "Tags.member.1.Key=a&&", " --tags Key=a -- ''");
}

static void test_cli_command_s3_edges(void **state)
{
	(void)state;
	aws_request root = {
	    .service = "s3", .operation = "PutObjectAcl", .bucket = "b", .path = "/"};
	check_cli(&root, NULL, 0, NULL, "aws s3api put-object-acl --bucket b --region eu-west-1");
	aws_request none = {.service = "s3", .operation = "ListBuckets"};
	check_cli(&none, NULL, 0, NULL, "aws s3api list-buckets --region eu-west-1");
	aws_request one = {.service = "s3", .operation = "GetObject", .bucket = "b", .path = "/k"};
	check_cli(&one, NULL, 0, NULL,
	          "aws s3api get-object --bucket b --key k --region eu-west-1");
	aws_request nothing = {.method = "GET"};
	aws_call_record rec = {.req = &nothing};
	buf out;
	buf_init(&out, 0);
	assert_true(aws_cli_command(&rec, &out));
	assert_string_equal(buf_cstr(&out), "aws ? ? --region '?'");
	buf_free(&out);
}

typedef struct seen_calls {
	int n;
	long status;
	int attempts;
	char request_id[64];
	char error[256];
	char cli[256];
	double ms;
} seen_calls;

static void on_call(void *ctx, const aws_call_record *rec)
{
	seen_calls *s = ctx;
	s->n++;
	s->status = rec->status;
	s->attempts = rec->attempts;
	s->ms = rec->ms;
	snprintf(s->request_id, sizeof s->request_id, "%s", rec->request_id ? rec->request_id : "");
	snprintf(s->error, sizeof s->error, "%s", rec->error ? rec->error : "");
	buf b;
	buf_init(&b, 0);
	aws_cli_command(rec, &b);
	snprintf(s->cli, sizeof s->cli, "%s", buf_cstr(&b));
	buf_free(&b);
}

static void test_call_hook(void **state)
{
	(void)state;
	char key[64];
	snprintf(key, sizeof key, "k%d-%ld", ++key_counter, (long)getpid());
	char url[256];
	snprintf(url, sizeof url, "%s/throttle-always/%s", server.url, key);
	seen_calls seen = {0};
	aws_client_options o = {.region = "eu-west-1",
	                        .endpoint_url = url,
	                        .connect_timeout_ms = 2000,
	                        .backoff_unit_ms = 10,
	                        .on_call = on_call,
	                        .on_call_ctx = &seen};
	lms_error err = {0};
	aws_client *c = aws_client_new(&o, &test_creds, &err);
	assert_non_null(c);
	aws_response resp;
	aws_response_init(&resp);
	assert_false(call_sts(c, &resp, &err));
	/* one record for the call, retries included */
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.status, 400);
	assert_int_equal(seen.attempts, 3);
	assert_non_null(strstr(seen.error, "Throttling: Rate exceeded"));
	assert_true(seen.ms >= 0);
	assert_non_null(strstr(seen.cli, "aws sts get-caller-identity --region eu-west-1"));
	lms_error_clear(&err);
	aws_response_free(&resp);
	aws_client_free(c);
}

/* 2xx is success, both ends: 200 and 299 are, 300 is not (and is not retried); the call hook
 * names a failure "failed" when the caller passed no error to fill. */
static void test_success_range_and_hook_without_error(void **state)
{
	(void)state;
	static const struct {
		const char *scenario;
		bool ok;
	} cases[] = {{"status/200", true}, {"status/299", true}, {"status/300", false}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char key[64];
		aws_client *c = client_for(cases[i].scenario, key, sizeof key, 5000, NULL);
		aws_request req = {
		    .service = "sts", .operation = "Op", .method = "GET", .path = "/"};
		aws_response resp;
		aws_response_init(&resp);
		lms_error err = {0};
		if (aws_send(c, &req, &resp, &err) != cases[i].ok)
			fail_msg("%s: %s", cases[i].scenario, err.msg ? err.msg : "ok");
		assert_int_equal(resp.attempts, 1);
		if (!cases[i].ok)
			assert_string_equal(
			    err.msg, "STS Op: an empty answer (HTTP 300, request id fault-req)");
		lms_error_clear(&err);
		aws_response_free(&resp);
		aws_client_free(c);
	}
	char key[64], url[256];
	snprintf(key, sizeof key, "k%d-%ld", ++key_counter, (long)getpid());
	snprintf(url, sizeof url, "%s/status/300/%s", server.url, key);
	seen_calls seen = {0};
	aws_client_options o = {
	    .region = "eu-west-1", .endpoint_url = url, .on_call = on_call, .on_call_ctx = &seen};
	aws_client *c = aws_client_new(&o, &test_creds, NULL);
	assert_non_null(c);
	aws_request req = {.service = "sts", .operation = "Op", .method = "GET", .path = "/"};
	aws_response resp;
	aws_response_init(&resp);
	assert_false(aws_send(c, &req, &resp, NULL));
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.status, 300);
	assert_string_equal(seen.error, "failed");
	/* a success has no error */
	aws_response_free(&resp);
	aws_client_free(c);
	snprintf(url, sizeof url, "%s/status/299/%s", server.url, key);
	c = aws_client_new(&o, &test_creds, NULL);
	assert_non_null(c);
	aws_response_init(&resp);
	assert_true(aws_send(c, &req, &resp, NULL));
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.status, 299);
	assert_string_equal(seen.error, "");
	aws_response_free(&resp);
	aws_client_free(c);
}

/* Registering an empty or no value, or an empty or no parameter name, registers nothing: the
 * hook sees no masked value, and an answer's member with an empty ParameterKey is logged as
 * it is. */
static void count_masked(void *ctx, const aws_call_record *rec)
{
	*(size_t *)ctx = rec->nmasked;
}

static void test_mask_registration_edges(void **state)
{
	(void)state;
	char key[64], url[256];
	snprintf(key, sizeof key, "k%d-%ld", ++key_counter, (long)getpid());
	snprintf(url, sizeof url, "%s/reply/200/%s", server.url, key);
	char *log = NULL;
	size_t loglen = 0;
	FILE *dbg = open_memstream(&log, &loglen);
	size_t nmasked = 99;
	aws_client_options o = {.region = "eu-west-1",
	                        .endpoint_url = url,
	                        .debug = dbg,
	                        .on_call = count_masked,
	                        .on_call_ctx = &nmasked};
	aws_client *c = aws_client_new(&o, &test_creds, NULL);
	assert_non_null(c);
	assert_true(aws_client_mask(c, ""));
	assert_true(aws_client_mask(c, NULL));
	assert_true(aws_client_mask_parameter(c, ""));
	assert_true(aws_client_mask_parameter(c, NULL));
	const char *answer = "<member><ParameterKey></ParameterKey><ParameterValue>seen</"
	                     "ParameterValue></member>";
	buf hex;
	buf_init(&hex, 0);
	for (const unsigned char *p = (const unsigned char *)answer; *p; p++)
		buf_addf(&hex, "%02x", *p);
	sigv4_header headers[2] = {{"X-Fault-Body", buf_cstr(&hex)}, {"X-Fault-Type", "text/xml"}};
	aws_request req = {.service = "sts",
	                   .operation = "Op",
	                   .method = "POST",
	                   .path = "/",
	                   .headers = headers,
	                   .nheaders = 2};
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	assert_true(aws_send(c, &req, &resp, &err));
	assert_int_equal(nmasked, 0);
	fflush(dbg);
	assert_non_null(strstr(log, "<ParameterValue>seen</ParameterValue>"));
	/* one value registered: the hook sees one */
	assert_true(aws_client_mask(c, "v"));
	assert_true(aws_send(c, &req, &resp, &err));
	assert_int_equal(nmasked, 1);
	aws_response_free(&resp);
	buf_free(&hex);
	aws_client_free(c);
	fclose(dbg);
	free(log);
}

/* NoEcho parameter names registered on a client: each one's value masked in the --debug log
 * of an answer, the first and the second name alike, a near name not; an allocation failure
 * while registering is reported, not ignored. */
static void test_mask_parameter_registered(void **state)
{
	(void)state;
	char key[64], url[256];
	snprintf(key, sizeof key, "k%d-%ld", ++key_counter, (long)getpid());
	snprintf(url, sizeof url, "%s/reply/200/%s", server.url, key);
	char *log = NULL;
	size_t loglen = 0;
	FILE *dbg = open_memstream(&log, &loglen);
	aws_client_options o = {.region = "eu-west-1", .endpoint_url = url, .debug = dbg};
	size_t live = alloc_live();
	aws_client *c = aws_client_new(&o, &test_creds, NULL);
	assert_non_null(c);
	assert_true(aws_client_mask_parameter(c, "DbPassword"));
	assert_true(aws_client_mask_parameter(c, "ApiKey"));
	/* a failed allocation: the slot, then the copy of the name */
	alloc_fail_after(0);
	assert_false(aws_client_mask_parameter(c, "Lost1"));
	alloc_fail_off();
	alloc_fail_after(1);
	bool second = aws_client_mask_parameter(c, "Lost2");
	alloc_fail_off();
	assert_false(second);
	const char *answer = "<member><ParameterKey>DbPassword</ParameterKey><ParameterValue>one</"
	                     "ParameterValue></member><member><ParameterKey>ApiKey</ParameterKey>"
	                     "<ParameterValue>two</ParameterValue></member><member><ParameterKey>"
	                     "ApiKeys</ParameterKey><ParameterValue>three</ParameterValue></member>"
	                     "<member><ParameterKey>Lost1</ParameterKey><ParameterValue>four</"
	                     "ParameterValue></member><member><ParameterKey>Lost2</ParameterKey>"
	                     "<ParameterValue>five</ParameterValue></member>";
	buf hex;
	buf_init(&hex, 0);
	for (const unsigned char *p = (const unsigned char *)answer; *p; p++)
		buf_addf(&hex, "%02x", *p);
	sigv4_header headers[2] = {{"X-Fault-Body", buf_cstr(&hex)}, {"X-Fault-Type", "text/xml"}};
	aws_request req = {.service = "sts",
	                   .operation = "Op",
	                   .method = "POST",
	                   .path = "/",
	                   .headers = headers,
	                   .nheaders = 2};
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	assert_true(aws_send(c, &req, &resp, &err));
	fflush(dbg);
	assert_null(strstr(log, ">one<"));
	assert_null(strstr(log, ">two<"));
	assert_non_null(
	    strstr(log, "<ParameterKey>DbPassword</ParameterKey><ParameterValue>****<"));
	assert_non_null(strstr(log, "<ParameterKey>ApiKey</ParameterKey><ParameterValue>****<"));
	assert_non_null(strstr(log, "<ParameterValue>three</ParameterValue>"));
	assert_non_null(strstr(log, "<ParameterValue>four</ParameterValue>"));
	assert_non_null(strstr(log, "<ParameterValue>five</ParameterValue>"));
	/* the answer itself is not masked */
	assert_non_null(strstr(buf_cstr(&resp.body), "<ParameterValue>one</ParameterValue>"));
	aws_response_free(&resp);
	buf_free(&hex);
	aws_client_free(c);
	assert_int_equal(alloc_live(), live); /* every name freed with the client */
	fclose(dbg);
	free(log);
}

/* libcurl is told to leave signals alone (CURLOPT_NOSIGNAL): the console runs requests on a
 * worker thread, where a process-wide change of SIGPIPE's handling would race with the
 * other thread. During a transfer (read from the progress callback) SIGPIPE is handled as the
 * program set it. */
typedef struct sigpipe_probe {
	int calls;
	bool changed;
} sigpipe_probe;

static bool sigpipe_seen(void *ctx)
{
	sigpipe_probe *p = ctx;
	struct sigaction now;
	sigaction(SIGPIPE, NULL, &now);
	p->calls++;
	if (now.sa_handler != SIG_DFL)
		p->changed = true;
	return false;
}

static void test_curl_leaves_signals_alone(void **state)
{
	(void)state;
	struct sigaction dfl = {.sa_handler = SIG_DFL}, old;
	sigemptyset(&dfl.sa_mask);
	assert_int_equal(sigaction(SIGPIPE, &dfl, &old), 0);
	char key[64], url[256];
	snprintf(key, sizeof key, "k%d-%ld", ++key_counter, (long)getpid());
	snprintf(url, sizeof url, "%s/ok/%s", server.url, key);
	sigpipe_probe probe = {0};
	aws_client_options o = {.region = "eu-west-1",
	                        .endpoint_url = url,
	                        .interrupted = sigpipe_seen,
	                        .interrupt_ctx = &probe};
	aws_client *c = aws_client_new(&o, &test_creds, NULL);
	assert_non_null(c);
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	assert_true(call_sts(c, &resp, &err));
	aws_response_free(&resp);
	aws_client_free(c);
	sigaction(SIGPIPE, &old, NULL);
	assert_true(probe.calls > 0);
	assert_false(probe.changed);
}

/* A CA bundle that holds no certificate: the TLS failure is named as one, with the hint for a
 * TLS inspecting proxy, not as an unreachable host; it is not retried. */
static void test_unusable_ca_bundle_named(void **state)
{
	(void)state;
	char ca[] = "/tmp/lmsctl-test-ca-XXXXXX";
	int fd = mkstemp(ca);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(strncmp(server.url, "http://", 7), 0);
	char url[256];
	snprintf(url, sizeof url, "https://%s/ok/k%d", server.url + 7, ++key_counter);
	aws_client_options o = {.region = "eu-west-1", .endpoint_url = url, .ca_bundle = ca};
	lms_error err = {0};
	aws_client *c = aws_client_new(&o, &test_creds, &err);
	assert_non_null(c);
	aws_response resp;
	aws_response_init(&resp);
	assert_false(call_sts(c, &resp, &err));
	unlink(ca);
	char want[256];
	snprintf(want, sizeof want,
	         "STS GetCallerIdentity: the TLS certificate of %s cannot be verified (",
	         server.url + 7);
	if (strncmp(err.msg, want, strlen(want)) != 0)
		fail_msg("%s", err.msg);
	assert_non_null(
	    strstr(err.msg, "); behind a TLS inspecting proxy, point AWS_CA_BUNDLE at its CA"));
	assert_int_equal(resp.attempts, 1);
	lms_error_clear(&err);
	aws_response_free(&resp);
	aws_client_free(c);
}

/* Credentials the signer refuses: the call fails before any request, with the signer's
 * reason, once. */
static void test_unsignable_request_refused(void **state)
{
	(void)state;
	char key[64];
	aws_client *c = client_for("ok", key, sizeof key, 5000, NULL);
	credentials bad = test_creds;
	bad.access_key_id = (char *)"AKID EXAMPLE";
	aws_client_set_credentials(c, &bad);
	aws_request req = {.service = "sts", .operation = "Op", .method = "GET", .path = "/"};
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	assert_false(aws_send(c, &req, &resp, &err));
	assert_string_equal(
	    err.msg, "STS Op: cannot sign the request: the access key id is empty or contains "
	             "'/', spaces or control characters: check the configured credentials");
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(server_count(key), 0);
	lms_error_clear(&err);
	aws_response_free(&resp);
	aws_client_free(c);
}

static void test_throttling_then_success(void **state)
{
	(void)state;
	char key[64];
	aws_client *c = client_for("throttle", key, sizeof key, 5000, NULL);
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	if (!call_sts(c, &resp, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(resp.attempts, 3);
	assert_int_equal(server_count(key), 3);
	aws_response_free(&resp);
	aws_client_free(c);
}

static void test_throttling_gives_up_after_three(void **state)
{
	(void)state;
	char key[64];
	aws_client *c = client_for("throttle-always", key, sizeof key, 5000, NULL);
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	assert_false(call_sts(c, &resp, &err));
	assert_string_equal(resp.error_code, "Throttling");
	assert_int_equal(resp.attempts, 3);
	assert_int_equal(server_count(key), 3);
	assert_non_null(strstr(err.msg, "STS GetCallerIdentity: Throttling: Rate exceeded"));
	assert_non_null(strstr(err.msg, "3 attempts"));
	lms_error_clear(&err);
	aws_response_free(&resp);
	aws_client_free(c);
}

static void test_503_then_success(void **state)
{
	(void)state;
	char key[64];
	aws_client *c = client_for("503", key, sizeof key, 5000, NULL);
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	if (!call_sts(c, &resp, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(resp.attempts, 2);
	aws_response_free(&resp);
	aws_client_free(c);
}

static void test_reset_then_success(void **state)
{
	(void)state;
	char key[64];
	aws_client *c = client_for("reset", key, sizeof key, 5000, NULL);
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	if (!call_sts(c, &resp, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(resp.attempts, 2);
	aws_response_free(&resp);
	aws_client_free(c);
}

static void check_skew(const char *scenario)
{
	char key[64];
	aws_client *c = client_for(scenario, key, sizeof key, 5000, NULL);
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	if (!call_sts(c, &resp, &err))
		fail_msg("%s: %s", scenario, err.msg);
	assert_int_equal(resp.attempts, 2);
	long off = aws_client_clock_offset(c);
	assert_true(off > 3590 && off < 3610);
	/* the next call is signed right the first time */
	aws_response_free(&resp);
	assert_true(call_sts(c, &resp, &err));
	assert_int_equal(resp.attempts, 1);
	aws_response_free(&resp);
	aws_client_free(c);
}

static void test_skew_corrected_and_retried_once(void **state)
{
	(void)state;
	check_skew("skew");
	check_skew("skew-sig");
	/* a server that keeps refusing: one skew retry, then reported */
	char key[64];
	aws_client *c = client_for("skew-always", key, sizeof key, 5000, NULL);
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	assert_false(call_sts(c, &resp, &err));
	assert_int_equal(resp.attempts, 2);
	assert_non_null(strstr(err.msg, "RequestTimeTooSkewed"));
	lms_error_clear(&err);
	aws_response_free(&resp);
	aws_client_free(c);
}

static void test_wrong_key_and_denied_explained(void **state)
{
	(void)state;
	char key[64];
	aws_client *c = client_for("wrong-key", key, sizeof key, 5000, NULL);
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	assert_false(call_sts(c, &resp, &err));
	assert_int_equal(resp.attempts, 1);
	assert_non_null(strstr(err.msg, "SignatureDoesNotMatch"));
	assert_non_null(strstr(err.msg, "secret access key does not match"));
	assert_non_null(strstr(err.msg, "(credentials: test credentials)"));
	assert_null(strstr(err.msg, "wJalrXUtnFEMI"));
	lms_error_clear(&err);
	aws_response_free(&resp);
	aws_client_free(c);

	c = client_for("denied", key, sizeof key, 5000, NULL);
	assert_false(call_sts(c, &resp, &err));
	assert_string_equal(resp.error_code, "AccessDenied");
	assert_non_null(strstr(err.msg, "docs/deployer-policy.json"));
	assert_non_null(strstr(err.msg, "HTTP 403, request id fault-req"));
	lms_error_clear(&err);
	aws_response_free(&resp);
	aws_client_free(c);

	/* a registered value that an error message repeats is masked in the message too */
	c = client_for("denied", key, sizeof key, 5000, NULL);
	aws_client_mask(c, "user/fault");
	assert_false(call_sts(c, &resp, &err));
	assert_null(strstr(err.msg, "user/fault"));
	assert_non_null(strstr(err.msg, "123456789012:****"));
	assert_null(strstr(resp.error_message, "user/fault"));
	lms_error_clear(&err);
	aws_response_free(&resp);
	aws_client_free(c);
}

/* S3 answers a HEAD with no body: the status names the error, 403 and 404
 * each their own, any other none. */
/* One call answered by the fault server's "reply" scenario: `status`, `ctype`, `body` and the
 * extra header lines `extra` ("N: v|N2: v2"). Returns whether it succeeded; resp and err tell
 * what came back. */
static bool reply(long status, const char *ctype, const char *body, const char *extra,
                  aws_response *resp, lms_error *err)
{
	char key[64], scenario[32];
	snprintf(scenario, sizeof scenario, "reply/%ld", status);
	aws_client *c = client_for(scenario, key, sizeof key, 5000, NULL);
	buf hex;
	buf_init(&hex, 0);
	for (const unsigned char *p = (const unsigned char *)body; *p; p++)
		buf_addf(&hex, "%02x", *p);
	sigv4_header headers[3] = {{"X-Fault-Body", buf_cstr(&hex)},
	                           {"X-Fault-Type", ctype},
	                           {"X-Fault-Extra", extra ? extra : ""}};
	aws_request req = {.service = "sts",
	                   .operation = "Op",
	                   .method = "POST",
	                   .path = "/",
	                   .headers = headers,
	                   .nheaders = 3};
	aws_response_free(resp);
	lms_error_clear(err);
	bool ok = aws_send(c, &req, resp, err);
	buf_free(&hex);
	aws_client_free(c);
	return ok;
}

static void expect_reply(long status, const char *ctype, const char *body, const char *extra,
                         const char *code, const char *message, const char *in_error)
{
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	assert_false(reply(status, ctype, body, extra, &resp, &err));
	if (code ? !resp.error_code || strcmp(resp.error_code, code) != 0 : resp.error_code != NULL)
		fail_msg("%s: code %s, not %s", body, resp.error_code ? resp.error_code : "(none)",
		         code ? code : "(none)");
	if (message ? !resp.error_message || strcmp(resp.error_message, message) != 0
	            : resp.error_message != NULL)
		fail_msg("%s: message %s, not %s", body,
		         resp.error_message ? resp.error_message : "(none)",
		         message ? message : "(none)");
	if (in_error && !strstr(err.msg, in_error))
		fail_msg("%s: '%s' lacks '%s'", body, err.msg, in_error);
	aws_response_free(&resp);
	lms_error_clear(&err);
}

static void test_error_answers(void **state)
{
	(void)state;
	const char *json = "application/x-amz-json-1.1";
	/* JSON: __type, then code, then Code, then the x-amzn-ErrorType header; the part after
	 * '#' and before ':'; message, then Message */
	expect_reply(400, json,
	             "{\"__type\": \"com.amazon.coral.service#ExpiredTokenException\", "
	             "\"message\": \"m\"}",
	             NULL, "ExpiredTokenException", "m", "the credentials have expired");
	expect_reply(400, json, "{\"code\": \"X:http://x/\", \"Message\": \"M\"}", NULL, "X", "M",
	             "X: M (HTTP 400, request id fault-req)");
	expect_reply(400, json, "{\"Code\": \"Y\"}", NULL, "Y", NULL,
	             "Op: Y (HTTP 400, request id fault-req)");
	expect_reply(400, json, "{\"__type\": \"A\", \"code\": \"B\", \"Code\": \"C\"}", NULL, "A",
	             NULL, NULL);
	expect_reply(400, json,
	             "{\"code\": \"B\", \"Code\": \"C\", \"message\": \"m\", "
	             "\"Message\": \"M\"}",
	             NULL, "B", "m", NULL);
	expect_reply(400, json, " \n\t{\"message\": \"only\"}",
	             "x-amzn-ErrorType: HdrType:http://i/", "HdrType", "only", NULL);
	expect_reply(400, json, "{\"message\": \"only\"}", "x-amzn-ErrorTypeX: H", NULL, NULL,
	             "an answer that is not an AWS error response (HTTP 400");
	expect_reply(400, json, "[\"__type\"]", "x-amzn-ErrorType: H", NULL, NULL,
	             "not an AWS error response");
	expect_reply(400, json, "{\"__type\": 5, \"code\": \"K\"}", NULL, "K", NULL, NULL);
	/* XML after white space; a code-less error is none */
	expect_reply(400, "text/xml", " \r\n<Error><Code>C</Code><Message>m</Message></Error>",
	             NULL, "C", "m", "Op: C: m (HTTP 400, request id fault-req)");
	expect_reply(400, "text/xml", "x<Error><Code>C</Code></Error>", NULL, NULL, NULL,
	             "not an AWS error response");
	/* no body: 403 and 404 named, others empty; a body is no bodyless answer */
	expect_reply(404, "text/xml", "", NULL, "NotFound", NULL, "Op: NotFound (HTTP 404");
	expect_reply(403, "text/xml", "", NULL, "Forbidden", NULL, "Op: Forbidden (HTTP 403");
	expect_reply(405, "text/xml", "", NULL, NULL, NULL, "Op: an empty answer (HTTP 405");
	expect_reply(402, "text/xml", "", NULL, NULL, NULL, "an empty answer");
	expect_reply(404, "text/plain", "gone", NULL, NULL, NULL, "not an AWS error response");
	/* HTML: the title, white space folded, at most 160 characters; the service's failure
	 * from 500 on */
	expect_reply(499, "TEXT/HTML; charset=utf-8",
	             "<html><TITLE> A \n\x01 B </title><title>x</title></html>", NULL, NULL, NULL,
	             "an HTML page, not an AWS response (\"A B\") (HTTP 499");
	/* 0x1F is a control (a blank), '!' (0x21) is text */
	expect_reply(400, "text/html",
	             "<title>a\x1f"
	             "b!c</title>",
	             NULL, NULL, NULL, "(\"a b!c\") (HTTP 400");
	expect_reply(500, "text/html", "<title>T</title>", NULL, NULL, NULL,
	             "(\"T\"); the service failed on this request");
	expect_reply(
	    501, "text/html", "<title>T</title>", NULL, NULL, NULL,
	    "(\"T\"); the service failed on this request (an emulator such as moto does "
	    "so for resource types it does not implement) (HTTP 501, request id fault-req)");
	expect_reply(400, "text/html", "<p>Hello   <b>world</b>\n</p>", NULL, NULL, NULL,
	             "(\"Hello world\") (HTTP 400, request id fault-req)");
	expect_reply(400, "text/html", "<title>unterminated", NULL, NULL, NULL,
	             "not an AWS response (HTTP 400, request id fault-req)");
	expect_reply(400, "text/xml", "<p>x</p>", "Content-TypeX: text/html", NULL, NULL,
	             "not an AWS error response (HTTP 400, request id fault-req)");
	/* 158 x, then y (the 160th character kept), then z (the 161st, cut) */
	char title[256];
	snprintf(title, sizeof title, "<title>%0159dyz</title>", 0);
	for (char *p = title + 7; *p == '0'; p++)
		*p = 'x';
	expect_reply(400, "text/html", title, NULL, NULL, NULL,
	             "xxy\") (HTTP 400, request id fault-req)");
	/* a hint for each code that has one, exactly that code */
	static const char *const hinted[] = {"SignatureDoesNotMatch",
	                                     "InvalidSignatureException",
	                                     "IncompleteSignature",
	                                     "InvalidClientTokenId",
	                                     "UnrecognizedClientException",
	                                     "InvalidAccessKeyId",
	                                     "ExpiredToken",
	                                     "ExpiredTokenException",
	                                     "RequestExpired",
	                                     "TokenRefreshRequired",
	                                     "AccessDenied",
	                                     "AccessDeniedException",
	                                     "UnauthorizedOperation"};
	for (size_t i = 0; i < sizeof hinted / sizeof hinted[0]; i++) {
		char body[160];
		snprintf(body, sizeof body, "<Error><Code>%s</Code></Error>", hinted[i]);
		expect_reply(400, "text/xml", body, NULL, hinted[i], NULL,
		             "(credentials: test credentials)");
		snprintf(body, sizeof body, "<Error><Code>%sX</Code></Error>", hinted[i]);
		aws_response resp;
		aws_response_init(&resp);
		lms_error err = {0};
		assert_false(reply(400, "text/xml", body, NULL, &resp, &err));
		assert_null(strstr(err.msg, "credentials:"));
		aws_response_free(&resp);
		lms_error_clear(&err);
	}
}

/* A hint names the credentials' source: "unsigned" with no credentials or no source. */
static void test_hint_source_unsigned(void **state)
{
	(void)state;
	credentials nameless = test_creds;
	nameless.source = NULL;
	const credentials *which[] = {NULL, &nameless};
	for (size_t i = 0; i < 2; i++) {
		char url[256];
		snprintf(url, sizeof url, "%s/denied/k%d-%ld", server.url, ++key_counter,
		         (long)getpid());
		aws_client_options o = {.region = "eu-west-1", .endpoint_url = url};
		aws_client *c = aws_client_new(&o, which[i], NULL);
		assert_non_null(c);
		aws_response resp;
		aws_response_init(&resp);
		lms_error err = {0};
		assert_false(call_sts(c, &resp, &err));
		if (!strstr(err.msg, "docs/deployer-policy.json (credentials: unsigned)"))
			fail_msg("%zu: %s", i, err.msg);
		lms_error_clear(&err);
		aws_response_free(&resp);
		aws_client_free(c);
	}
}

/* The error's parts at their caps: a message of 64 KiB, a code of 4 KiB, a body under
 * 1 MiB (79 bytes of the body are the XML around a one-letter code and the message). */
static void test_error_caps(void **state)
{
	(void)state;
	static const struct {
		long total, code_len;
		bool code, message;
	} cases[] = {
	    {65536 + 79, 1, true, true},       {65537 + 79, 1, true, false},
	    {4096 + 100, 4096, true, true},    {4097 + 100, 4097, false, false},
	    {1024 * 1024 - 1, 1, true, false}, {1024 * 1024, 1, false, false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char scenario[64], key[64];
		snprintf(scenario, sizeof scenario, "bigerror/%ld/%ld", cases[i].total,
		         cases[i].code_len);
		aws_client *c = client_for(scenario, key, sizeof key, 10000, NULL);
		aws_request req = {
		    .service = "sts", .operation = "Op", .method = "GET", .path = "/"};
		aws_response resp;
		aws_response_init(&resp);
		lms_error err = {0};
		assert_false(aws_send(c, &req, &resp, &err));
		assert_int_equal(resp.body.len, cases[i].total);
		if ((resp.error_code != NULL) != cases[i].code)
			fail_msg("case %zu: code %s", i, resp.error_code ? "set" : "none");
		if ((resp.error_message != NULL) != cases[i].message)
			fail_msg("case %zu: message %s", i, resp.error_message ? "set" : "none");
		aws_response_free(&resp);
		lms_error_clear(&err);
		aws_client_free(c);
	}
}

/* gzip of `first` and then spaces, 1 MiB in all, deflated by hand with the fixed codes (a
 * literal is 8 bits 0x30 + byte below 144; a match of 258 is symbol 285, 8 bits 0xC5, at
 * distance 1, 5 bits 0; the end of the block 7 bits 0): 6.6 KB that curl inflates
 * (CURLOPT_ACCEPT_ENCODING) into an error body at ERROR_BODY_PARSE_LIMIT. */
typedef struct gz_bits {
	unsigned char p[8192];
	size_t n;
	unsigned acc;
	int nb;
} gz_bits;

static void gz_put(gz_bits *g, unsigned v, int n) /* least significant bit first */
{
	for (int i = 0; i < n; i++) {
		g->acc |= ((v >> i) & 1u) << g->nb;
		if (++g->nb == 8) {
			assert_true(g->n < sizeof g->p);
			g->p[g->n++] = (unsigned char)g->acc;
			g->acc = 0;
			g->nb = 0;
		}
	}
}

static void gz_code(gz_bits *g, unsigned code, int len) /* a Huffman code: first bit first */
{
	for (int i = len - 1; i >= 0; i--)
		gz_put(g, (code >> i) & 1u, 1);
}

static void gz_spaces(gz_bits *g, char first)
{
	const size_t total = (size_t)1024 * 1024;
	static const unsigned char head[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
	memcpy(g->p, head, sizeof head);
	g->n = sizeof head;
	gz_put(g, 1, 1); /* the final block */
	gz_put(g, 1, 2); /* fixed codes */
	gz_code(g, 0x30u + (unsigned char)first, 8);
	gz_code(g, 0x30u + ' ', 8);
	size_t left = total - 2;
	for (; left >= 258; left -= 258) {
		gz_code(g, 0xC5, 8);
		gz_code(g, 0, 5);
	}
	for (; left; left--)
		gz_code(g, 0x30u + ' ', 8);
	gz_code(g, 0, 7);
	if (g->nb)
		gz_put(g, 0, 8 - g->nb);
	uint32_t crc = 0xFFFFFFFFu;
	for (size_t i = 0; i < total; i++) {
		crc ^= i ? (unsigned char)' ' : (unsigned char)first;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	crc ^= 0xFFFFFFFFu;
	const uint32_t trailer[2] = {crc, (uint32_t)total};
	for (int w = 0; w < 2; w++)
		for (int b = 0; b < 4; b++)
			g->p[g->n++] = (unsigned char)(trailer[w] >> (8 * b));
}

/* The allocations of a 400 answer whose error body is 1 MiB, `first` and then spaces. */
static size_t big_error_allocations(char first)
{
	static gz_bits g;
	memset(&g, 0, sizeof g);
	gz_spaces(&g, first);
	buf hex;
	buf_init(&hex, 0);
	for (size_t i = 0; i < g.n; i++)
		buf_addf(&hex, "%02x", g.p[i]);
	sigv4_header headers[3] = {{"X-Fault-Body", buf_cstr(&hex)},
	                           {"X-Fault-Type", "text/xml"},
	                           {"X-Fault-Extra", "Content-Encoding: gzip"}};
	aws_request req = {.service = "sts",
	                   .operation = "Op",
	                   .method = "POST",
	                   .path = "/",
	                   .headers = headers,
	                   .nheaders = 3};
	char key[64];
	aws_client *c = client_for("reply/400", key, sizeof key, 10000, NULL);
	size_t count = 0;
	for (int pass = 0; pass < 2; pass++) { /* the first warms the client up */
		aws_response resp;
		aws_response_init(&resp);
		lms_error err = {0};
		if (pass)
			alloc_fail_after(SIZE_MAX);
		bool ok = aws_send(c, &req, &resp, &err);
		count = alloc_fail_count();
		alloc_fail_off();
		assert_false(ok);
		assert_int_equal(resp.status, 400);
		assert_int_equal(resp.body.len, 1024 * 1024);
		assert_int_equal(resp.body.data[0], first);
		assert_null(resp.error_code);
		aws_response_free(&resp);
		lms_error_clear(&err);
	}
	aws_client_free(c);
	buf_free(&hex);
	return count;
}

/* An error body at ERROR_BODY_PARSE_LIMIT is not parsed at all, not even its first byte: one
 * that starts as JSON or XML allocates no more than one that starts as neither. */
static void test_error_body_at_limit_unparsed(void **state)
{
	(void)state;
	size_t plain = big_error_allocations('x');
	assert_int_equal(big_error_allocations('{'), plain);
	assert_int_equal(big_error_allocations('<'), plain);
}

/* The path a request goes to on a configured endpoint (the echo scenario answers it): S3
 * path-style below the endpoint's base path, "/" for no path, the query only when there is
 * one. */
static void expect_echo_path(const aws_request *req, const char *want_suffix)
{
	char key[64];
	aws_client *c = client_for("echo", key, sizeof key, 5000, NULL);
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	if (!aws_send(c, req, &resp, &err))
		fail_msg("%s", err.msg);
	json_error_t je;
	json_t *j = json_loads(buf_cstr(&resp.body), 0, &je);
	assert_non_null(j);
	const char *path = json_string_value(json_object_get(j, "path"));
	char want[256];
	snprintf(want, sizeof want, "/echo/%s%s", key, want_suffix);
	if (!path || strcmp(path, want) != 0)
		fail_msg("path %s, not %s", path ? path : "(none)", want);
	json_decref(j);
	aws_response_free(&resp);
	aws_client_free(c);
}

static void test_request_paths(void **state)
{
	(void)state;
	aws_request req = {
	    .service = "s3", .operation = "HeadBucket", .method = "GET", .bucket = "bkt"};
	expect_echo_path(&req, "/bkt");
	req.path = "/";
	expect_echo_path(&req, "/bkt");
	req.path = "";
	expect_echo_path(&req, "/bkt");
	req.path = "/a%20b/c";
	expect_echo_path(&req, "/bkt/a%20b/c");
	req.query = "x=1";
	expect_echo_path(&req, "/bkt/a%20b/c?x=1");
	req.query = "";
	expect_echo_path(&req, "/bkt/a%20b/c");
	aws_request plain = {.service = "sts", .operation = "X", .method = "GET", .path = ""};
	expect_echo_path(&plain, "/");
	plain.path = NULL;
	plain.query = "a=b&c=d";
	expect_echo_path(&plain, "/?a=b&c=d");
	plain.path = "/p/q";
	expect_echo_path(&plain, "/p/q?a=b&c=d");
}

/* What the echo scenario saw of a request: its method, headers and body. */
static json_t *echo_request(const aws_request *req, FILE *debug, lms_error *err)
{
	char key[64];
	aws_client *c = client_for("echo", key, sizeof key, 5000, debug);
	aws_response resp;
	aws_response_init(&resp);
	json_t *j = NULL;
	if (aws_send(c, req, &resp, err)) {
		json_error_t je;
		j = json_loads(buf_cstr(&resp.body), 0, &je);
		assert_non_null(j);
	}
	aws_response_free(&resp);
	aws_client_free(c);
	return j;
}

static const char *echo_header(json_t *j, const char *name)
{
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(j, "headers"), k, v)
	{
		if (strcasecmp(k, name) == 0)
			return json_string_value(v);
	}
	return NULL;
}

static void test_request_methods_and_headers(void **state)
{
	(void)state;
	lms_error err = {0};
	/* no Content-Type of curl's own, no Expect; a caller's Content-Type in any case */
	aws_request post = {.service = "sts",
	                    .operation = "X",
	                    .method = "POST",
	                    .path = "/",
	                    .body = "a=b",
	                    .body_len = 3};
	json_t *j = echo_request(&post, NULL, &err);
	assert_non_null(j);
	assert_null(echo_header(j, "Content-Type"));
	assert_null(echo_header(j, "Expect"));
	assert_null(echo_header(j, "x-amz-content-sha256"));
	assert_string_equal(json_string_value(json_object_get(j, "method")), "POST");
	assert_string_equal(json_string_value(json_object_get(j, "body")), "a=b");
	json_decref(j);
	const sigv4_header ct[] = {{"content-type", "text/plain"}};
	post.headers = ct;
	post.nheaders = 1;
	j = echo_request(&post, NULL, &err);
	assert_string_equal(echo_header(j, "Content-Type"), "text/plain");
	json_decref(j);
	/* S3 signs its body hash (the service exactly) */
	aws_request put = {.service = "s3",
	                   .operation = "PutObject",
	                   .method = "PUT",
	                   .bucket = "b",
	                   .path = "/k",
	                   .body = "xyz",
	                   .body_len = 3};
	j = echo_request(&put, NULL, &err);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "method")), "PUT");
	assert_string_equal(json_string_value(json_object_get(j, "body")), "xyz");
	assert_string_equal(echo_header(j, "x-amz-content-sha256"),
	                    "3608bca1e44ea6c4d268eb6db02260269892c0b42b86bbf1e77a6fa16c3c9282");
	json_decref(j);
	put.service = "s3x";
	put.bucket = NULL;
	j = echo_request(&put, NULL, &err);
	assert_null(echo_header(j, "x-amz-content-sha256"));
	json_decref(j);
	/* DELETE without a body and with one */
	aws_request del = {.service = "sts", .operation = "X", .method = "DELETE", .path = "/"};
	j = echo_request(&del, NULL, &err);
	assert_string_equal(json_string_value(json_object_get(j, "method")), "DELETE");
	assert_string_equal(json_string_value(json_object_get(j, "body")), "");
	json_decref(j);
	del.body = "q";
	del.body_len = 1;
	j = echo_request(&del, NULL, &err);
	assert_string_equal(json_string_value(json_object_get(j, "body")), "q");
	json_decref(j);
	/* sixteen headers of the caller's, not seventeen */
	sigv4_header many[AWS_MAX_REQUEST_HEADERS + 1];
	char names[AWS_MAX_REQUEST_HEADERS + 1][16];
	for (int i = 0; i <= AWS_MAX_REQUEST_HEADERS; i++) {
		snprintf(names[i], sizeof names[i], "X-H%d", i);
		many[i] = (sigv4_header){names[i], "v"};
	}
	aws_request lots = {.service = "sts",
	                    .operation = "X",
	                    .method = "GET",
	                    .path = "/",
	                    .headers = many,
	                    .nheaders = AWS_MAX_REQUEST_HEADERS};
	j = echo_request(&lots, NULL, &err);
	assert_non_null(j);
	assert_string_equal(echo_header(j, "X-H15"), "v");
	json_decref(j);
	lots.nheaders = AWS_MAX_REQUEST_HEADERS + 1;
	assert_null(echo_request(&lots, NULL, &err));
	assert_non_null(strstr(err.msg, "too many request headers"));
	lms_error_clear(&err);
	/* --debug: a header named like a token is "****", others as they are */
	char *log = NULL;
	size_t loglen = 0;
	FILE *dbg = open_memstream(&log, &loglen);
	const sigv4_header tok[] = {{"X-Sso-Bearer-TOKEN", "s3cr3t"}, {"X-Plain", "visible"}};
	aws_request t = {.service = "sts",
	                 .operation = "X",
	                 .method = "GET",
	                 .path = "/",
	                 .headers = tok,
	                 .nheaders = 2};
	j = echo_request(&t, dbg, &err);
	json_decref(j);
	fclose(dbg);
	assert_null(strstr(log, "s3cr3t"));
	assert_non_null(strstr(log, "X-Sso-Bearer-TOKEN: ****"));
	assert_non_null(strstr(log, "X-Plain: visible"));
	free(log);
}

/* A client on SCENARIO/KEY with the attempt budget and response cap given. */
static aws_client *client_with(const char *scenario, int max_attempts, size_t max_response,
                               char *key, size_t keylen)
{
	snprintf(key, keylen, "k%d-%ld", ++key_counter, (long)getpid());
	char url[256];
	snprintf(url, sizeof url, "%s/%s/%s", server.url, scenario, key);
	aws_client_options o = {.region = "eu-west-1",
	                        .endpoint_url = url,
	                        .backoff_unit_ms = 1,
	                        .max_attempts = max_attempts,
	                        .max_response_bytes = max_response};
	aws_client *c = aws_client_new(&o, &test_creds, NULL);
	assert_non_null(c);
	return c;
}

static void test_attempts_status_and_caps(void **state)
{
	(void)state;
	char key[64];
	lms_error err = {0};
	/* the attempt budget: 1, 2, and 3 when 0 or negative */
	static const struct {
		int max, want;
	} budgets[] = {{1, 1}, {2, 2}, {0, 3}, {-1, 3}, {4, 4}};
	for (size_t i = 0; i < sizeof budgets / sizeof budgets[0]; i++) {
		aws_client *c = client_with("throttle-always", budgets[i].max, 0, key, sizeof key);
		aws_response resp;
		aws_response_init(&resp);
		assert_false(call_sts(c, &resp, &err));
		assert_int_equal(resp.attempts, budgets[i].want);
		assert_int_equal(server_count(key), budgets[i].want);
		if (budgets[i].want > 1) {
			char n[32];
			snprintf(n, sizeof n, "%d attempts)", budgets[i].want);
			assert_non_null(strstr(err.msg, n));
		} else {
			assert_null(strstr(err.msg, "attempts"));
		}
		aws_response_free(&resp);
		lms_error_clear(&err);
		aws_client_free(c);
	}
	/* 2xx is success: 201, 299; 300 is not (and is not retried) */
	aws_response resp;
	aws_response_init(&resp);
	assert_true(reply(201, "text/plain", "x", NULL, &resp, &err));
	assert_int_equal(resp.status, 201);
	assert_true(reply(299, "text/plain", "x", NULL, &resp, &err));
	assert_false(reply(300, "text/plain", "x", NULL, &resp, &err));
	assert_int_equal(resp.attempts, 1);
	lms_error_clear(&err);
	aws_response_free(&resp);
	/* the answer's cap: exactly its size is read, one byte less refuses it */
	aws_client *probe = client_with("ok", 1, 0, key, sizeof key);
	aws_response_init(&resp);
	assert_true(call_sts(probe, &resp, &err));
	size_t size = resp.body.len; /* the same for every fresh key */
	aws_response_free(&resp);
	aws_client_free(probe);
	for (int d = 0; d < 2; d++) {
		aws_client *c = client_with("ok", 1, size - (size_t)d, key, sizeof key);
		aws_response_init(&resp);
		bool ok = call_sts(c, &resp, &err);
		assert_int_equal(ok, d == 0);
		if (!ok)
			assert_non_null(strstr(err.msg, "larger than"));
		aws_response_free(&resp);
		lms_error_clear(&err);
		aws_client_free(c);
	}
}

/* Messages name the service by its title, each exactly; other services by their name. */
static void test_service_titles(void **state)
{
	(void)state;
	static const struct {
		const char *service, *title;
	} titles[] = {{"cloudformation", "CloudFormation Op: "},
	              {"s3", "S3 Op: "},
	              {"sts", "STS Op: "},
	              {"cloudformationx", "cloudformationx Op: "},
	              {"s3x", "s3x Op: "},
	              {"st", "st Op: "},
	              {"logs", "logs Op: "}};
	for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++) {
		char key[64];
		aws_client *c = client_for("status/405", key, sizeof key, 5000, NULL);
		aws_request req = {
		    .service = titles[i].service, .operation = "Op", .method = "GET", .path = "/"};
		aws_response resp;
		aws_response_init(&resp);
		lms_error err = {0};
		assert_false(aws_send(c, &req, &resp, &err));
		if (strncmp(err.msg, titles[i].title, strlen(titles[i].title)) != 0)
			fail_msg("%s: %s", titles[i].service, err.msg);
		aws_response_free(&resp);
		lms_error_clear(&err);
		aws_client_free(c);
	}
	/* registering nothing masks nothing; each registered value is masked */
	char key[64];
	char *log = NULL;
	size_t loglen = 0;
	FILE *dbg = open_memstream(&log, &loglen);
	aws_client *c = client_for("echo", key, sizeof key, 5000, dbg);
	assert_true(aws_client_mask(c, ""));
	assert_true(aws_client_mask(c, NULL));
	assert_true(aws_client_mask(c, "first-secret"));
	assert_true(aws_client_mask(c, "second-secret"));
	assert_true(aws_client_mask_parameter(c, ""));
	assert_true(aws_client_mask_parameter(c, NULL));
	const char *body = "A=first-secret&B=second-secret&C=plain";
	aws_request req = {.service = "sts",
	                   .operation = "Op",
	                   .method = "POST",
	                   .path = "/",
	                   .body = body,
	                   .body_len = strlen(body)};
	aws_response resp;
	aws_response_init(&resp);
	assert_true(aws_send(c, &req, &resp, NULL));
	aws_response_free(&resp);
	aws_client_free(c);
	fclose(dbg);
	assert_null(strstr(log, "first-secret"));
	assert_null(strstr(log, "second-secret"));
	assert_non_null(strstr(log, "A=****&B=****&C=plain"));
	free(log);
}

/* A form that failed to grow (out of memory while adding a parameter) is not sent: the
 * body's failure or the log's alone is enough. */
static void test_query_failed_form_not_sent(void **state)
{
	(void)state;
	for (int which = 0; which < 2; which++) {
		char key[64];
		aws_client *c = client_for("ok", key, sizeof key, 5000, NULL);
		aws_params p;
		aws_params_init(&p, "GetCallerIdentity", "2011-06-15");
		if (which == 0)
			p.body.failed = true;
		else
			p.log.failed = true;
		xml_doc *doc = NULL;
		lms_error err = {0};
		assert_false(aws_query(c, "sts", &p, &doc, NULL, &err));
		assert_null(doc);
		assert_string_equal(err.msg, "GetCallerIdentity: out of memory");
		assert_int_equal(server_count(key), 0);
		lms_error_clear(&err);
		aws_params_free(&p);
		aws_client_free(c);
	}
}

/* Answer headers by exact name in any case, their values without the blanks around them;
 * the last of a repeated one wins. */
static void test_answer_headers(void **state)
{
	(void)state;
	static const struct {
		const char *extra, *request_id;
	} ids[] = {
	    {NULL, "fault-req"},
	    {"x-amz-request-id: r2", "r2"},
	    {"X-AMZN-REQUESTID: \t r3 \t|Other: 1", "r3"},
	    {"x-amzn-RequestIdX: r4", "fault-req"},
	    {"x-amzn-RequestI: r5", "fault-req"},
	    {"x-amz-request-idx: r6", "fault-req"},
	    {"x-amzn-RequestId:r7", "r7"},
	    {"x-amzn-RequestId: ", ""},
	};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		aws_response resp;
		aws_response_init(&resp);
		lms_error err = {0};
		assert_true(reply(200, "text/plain", "x", ids[i].extra, &resp, &err));
		if (!resp.request_id || strcmp(resp.request_id, ids[i].request_id) != 0)
			fail_msg("%s: request id %s", ids[i].extra ? ids[i].extra : "-",
			         resp.request_id ? resp.request_id : "(none)");
		aws_response_free(&resp);
	}
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	assert_true(reply(200, "text/plain", "x", "Content-Typex: text/html", &resp, &err));
	assert_string_equal(resp.content_type, "text/plain");
	assert_null(resp.error_type);
	/* (the server sends a Date of its own first: the last one counts) */
	assert_true(
	    reply(200, "text/plain", "x", "Date: Sun, 06 Nov 1994 08:49:37 GMT", &resp, &err));
	assert_int_equal(resp.server_date, 784111777);
	assert_true(reply(200, "text/plain", "x", "Date: yesterday", &resp, &err));
	assert_int_equal(resp.server_date, 0);
	assert_true(reply(200, "text/plain", "x", "x-amzn-ErrorType: T ", &resp, &err));
	assert_string_equal(resp.error_type, "T");
	assert_true(reply(200, "text/plain", "x", "x-amzn-ErrorTypes: T", &resp, &err));
	assert_null(resp.error_type);
	aws_response_free(&resp);
}

static void test_bodyless_errors_named(void **state)
{
	(void)state;
	aws_client_options o = {
	    .region = "eu-west-1", .endpoint_url = server.url, .backoff_unit_ms = 10};
	aws_client *c = aws_client_new(&o, &test_creds, NULL);
	assert_non_null(c);
	static const struct {
		const char *path, *code;
	} cases[] = {
	    {"/status/403", "Forbidden"}, {"/status/404", "NotFound"}, {"/status/400", NULL}};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		aws_request req = {.service = "s3",
		                   .operation = "HeadBucket",
		                   .method = "HEAD",
		                   .path = cases[i].path};
		aws_response resp;
		aws_response_init(&resp);
		lms_error err = {0};
		assert_false(aws_send(c, &req, &resp, &err));
		if (cases[i].code)
			assert_string_equal(resp.error_code ? resp.error_code : "(none)",
			                    cases[i].code);
		else
			assert_null(resp.error_code);
		lms_error_clear(&err);
		aws_response_free(&resp);
	}
	aws_client_free(c);
}

static void test_no_answer_times_out(void **state)
{
	(void)state;
	char key[64];
	aws_client *c = client_for("hang", key, sizeof key, 1500, NULL);
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_false(call_sts(c, &resp, &err));
	double took = seconds_since(&t0);
	assert_true(took < 4.0);
	assert_true(resp.timed_out);
	assert_int_equal(resp.attempts, 1);
	assert_non_null(strstr(err.msg, "no answer from 127.0.0.1"));
	assert_non_null(strstr(err.msg, "within 2 s"));
	lms_error_clear(&err);
	aws_response_free(&resp);
	aws_client_free(c);
}

static bool interrupt_now(void *ctx)
{
	return *(int *)ctx > 0;
}

static void test_interrupt_abandons_a_request(void **state)
{
	(void)state;
	int flag = 1;
	char url[256];
	snprintf(url, sizeof url, "%s/hang/int-%ld", server.url, (long)getpid());
	aws_client_options o = {.region = "eu-west-1",
	                        .endpoint_url = url,
	                        .timeout_ms = 20000,
	                        .interrupted = interrupt_now,
	                        .interrupt_ctx = &flag};
	aws_client *c = aws_client_new(&o, &test_creds, NULL);
	assert_non_null(c);
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_false(call_sts(c, &resp, &err));
	assert_true(seconds_since(&t0) < 3.0);
	assert_true(resp.interrupted);
	assert_non_null(strstr(err.msg, "interrupted"));
	lms_error_clear(&err);
	aws_response_free(&resp);
	aws_client_free(c);
}

/* A clock skew error with no Date header: nothing to correct the clock by, so no retry. */
static void test_skew_without_date_not_retried(void **state)
{
	(void)state;
	char key[64];
	aws_client *c = client_for("skewnodate", key, sizeof key, 5000, NULL);
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	assert_false(call_sts(c, &resp, &err));
	assert_int_equal(resp.server_date, 0);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(server_count(key), 1);
	assert_int_equal(aws_client_clock_offset(c), 0);
	assert_non_null(strstr(err.msg, "RequestTimeTooSkewed"));
	lms_error_clear(&err);
	aws_response_free(&resp);
	aws_client_free(c);
}

/* A Date that is not a date is none; one second after 1970 is a date (the clock is set by it,
 * and the call is signed again once). */
static void test_skew_date_edges(void **state)
{
	(void)state;
	static const struct {
		const char *scenario;
		int attempts;
	} cases[] = {{"skewat/bad", 1}, {"skewat/1", 2}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char key[64];
		aws_client *c = client_for(cases[i].scenario, key, sizeof key, 5000, NULL);
		aws_response resp;
		aws_response_init(&resp);
		lms_error err = {0};
		assert_false(call_sts(c, &resp, &err));
		assert_int_equal(resp.attempts, cases[i].attempts);
		if (cases[i].attempts == 1) {
			assert_int_equal(resp.server_date, 0);
			assert_int_equal(aws_client_clock_offset(c), 0);
		} else {
			assert_int_equal(resp.server_date, 1);
			assert_true(aws_client_clock_offset(c) < -1000000000L);
		}
		lms_error_clear(&err);
		aws_response_free(&resp);
		aws_client_free(c);
	}
}

/* The skew threshold: a server clock 240 s ahead is not skewed (the second may tick during the
 * call, which makes 239: the same answer), 242 s ahead is; behind the same. */
static void test_skew_threshold(void **state)
{
	(void)state;
	static const struct {
		long ahead;
		int attempts;
	} cases[] = {{240, 1}, {242, 2}, {-240, 1}, {-242, 2}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		/* behind, a tick of the second during the call makes 241 s: the case is run
		 * again then (a loaded machine), never judged on a call that crossed a second */
		for (int tries = 0;; tries++) {
			char scenario[64], key[64];
			time_t t0 = time(NULL);
			snprintf(scenario, sizeof scenario, "skewat/%ld",
			         (long)t0 + cases[i].ahead);
			aws_client *c = client_for(scenario, key, sizeof key, 5000, NULL);
			aws_response resp;
			aws_response_init(&resp);
			lms_error err = {0};
			assert_false(call_sts(c, &resp, &err));
			int attempts = resp.attempts;
			lms_error_clear(&err);
			aws_response_free(&resp);
			aws_client_free(c);
			if (attempts == cases[i].attempts)
				break;
			if (time(NULL) == t0 || tries == 4)
				fail_msg("%+ld s: %d attempts", cases[i].ahead, attempts);
		}
	}
}

/* The wait before a retry, read from the --debug log; the pause is then interrupted. */
typedef struct wait_probe {
	FILE *log;
	char **text;
} wait_probe;

static bool interrupt_when_waiting(void *ctx)
{
	wait_probe *w = ctx;
	fflush(w->log);
	return *w->text && strstr(*w->text, "retrying in ");
}

static long first_wait_ms_unit(long unit_ms)
{
	char key[64], url[256];
	snprintf(key, sizeof key, "k%d-%ld", ++key_counter, (long)getpid());
	snprintf(url, sizeof url, "%s/throttle-always/%s", server.url, key);
	char *text = NULL;
	size_t textlen = 0;
	wait_probe w = {open_memstream(&text, &textlen), &text};
	aws_client_options o = {.region = "eu-west-1",
	                        .endpoint_url = url,
	                        .backoff_unit_ms = unit_ms,
	                        .debug = w.log,
	                        .interrupted = interrupt_when_waiting,
	                        .interrupt_ctx = &w};
	aws_client *c = aws_client_new(&o, &test_creds, NULL);
	assert_non_null(c);
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	assert_false(call_sts(c, &resp, &err));
	assert_true(resp.interrupted);
	assert_int_equal(resp.attempts, 1);
	fflush(w.log);
	const char *at = strstr(text, "retrying in ");
	assert_non_null(at);
	long ms = strtol(at + strlen("retrying in "), NULL, 10);
	lms_error_clear(&err);
	aws_response_free(&resp);
	aws_client_free(c);
	fclose(w.log);
	free(text);
	return ms;
}

static long first_wait_ms(void)
{
	return first_wait_ms_unit(1000000);
}

/* The pause between attempts, on a clock of the test's own: from the moment the debug log
 * says "retrying in N ms", CLOCK_MONOTONIC stands still but for 1 ms per sleep, and each
 * sleep is recorded, not slept. The pause then sees every amount left from N down to 0, and
 * sleeps in slices of 100 ms, less when less is left, to the millisecond. These definitions
 * take the place of libc's for the whole program and pass through while the clock is real. */
long syscall(long number, ...);
static struct {
	bool on, seen_end;
	long long now, until;
	long wait;
	size_t n;
	struct timespec slices[4096];
} fake;

int clock_gettime(clockid_t id, struct timespec *ts)
{
	if (fake.on && id == CLOCK_MONOTONIC) {
		ts->tv_sec = (time_t)(fake.now / 1000);
		ts->tv_nsec = (long)(fake.now % 1000) * 1000000L;
		return 0;
	}
	return (int)syscall(SYS_clock_gettime, id, ts);
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (!fake.on)
		return (int)syscall(SYS_nanosleep, req, rem);
	if (fake.n < sizeof fake.slices / sizeof fake.slices[0])
		fake.slices[fake.n++] = *req;
	fake.now++;
	return 0;
}

static ssize_t fake_log_write(void *cookie, const char *data, size_t len)
{
	(void)cookie;
	const char *at = memmem(data, len, "retrying in ", strlen("retrying in "));
	if (at && !fake.on) {
		fake.wait = strtol(at + strlen("retrying in "), NULL, 10);
		fake.now = 999950; /* the pause crosses a second: now_ms's arithmetic there too */
		fake.until = fake.now + fake.wait;
		fake.on = true;
	}
	return (ssize_t)len;
}

/* At the end of the pause the amount left is 0 once (the pause must end there, not sleep 0
 * ms); the next look ends the test, in the next attempt's transfer or a pause it never
 * reaches. */
static bool fake_interrupted(void *ctx)
{
	(void)ctx;
	if (!fake.on)
		return false;
	if (fake.now >= fake.until && !fake.seen_end && fake.now == fake.until) {
		fake.seen_end = true;
		return false;
	}
	if (fake.now >= fake.until || fake.n == sizeof fake.slices / sizeof fake.slices[0]) {
		fake.on = false;
		return true;
	}
	return false;
}

static void test_pause_slices(void **state)
{
	(void)state;
	int runs = 0;
	for (int tries = 0; tries < 20 && runs < 2; tries++) {
		char key[64], url[256];
		snprintf(key, sizeof key, "k%d-%ld", ++key_counter, (long)getpid());
		snprintf(url, sizeof url, "%s/throttle-always/%s", server.url, key);
		memset(&fake, 0, sizeof fake);
		cookie_io_functions_t io = {.write = fake_log_write};
		FILE *log = fopencookie(NULL, "w", io);
		assert_non_null(log);
		setvbuf(log, NULL, _IONBF, 0);
		aws_client_options o = {.region = "eu-west-1",
		                        .endpoint_url = url,
		                        .backoff_unit_ms = 1000,
		                        .debug = log,
		                        .interrupted = fake_interrupted};
		aws_client *c = aws_client_new(&o, &test_creds, NULL);
		assert_non_null(c);
		aws_response resp;
		aws_response_init(&resp);
		lms_error err = {0};
		assert_false(call_sts(c, &resp, &err));
		bool was_on = fake.on;
		fake.on = false;
		fclose(log);
		assert_false(was_on);
		assert_true(resp.interrupted);
		assert_true(fake.seen_end);
		/* the pause ended at 0 left: the second attempt began */
		assert_int_equal(resp.attempts, 2);
		lms_error_clear(&err);
		aws_response_free(&resp);
		aws_client_free(c);
		if (fake.wait < 102)
			continue; /* too short to pass 101 and 100 ms left: again */
		runs++;
		if (fake.n != (size_t)fake.wait)
			fail_msg("a pause of %ld ms slept %zu times", fake.wait, fake.n);
		for (size_t i = 0; i < fake.n; i++) {
			long left = fake.wait - (long)i;
			long want = left > 100 ? 100 : left;
			if (fake.slices[i].tv_sec != 0 || fake.slices[i].tv_nsec != want * 1000000L)
				fail_msg("%ld ms left: slept %ld s %ld ns", left,
				         (long)fake.slices[i].tv_sec, fake.slices[i].tv_nsec);
		}
	}
	assert_int_equal(runs, 2);
}

/* The backoff unit at its edge: 0 (unset) is the default unit, 1000 ms, not a unit of 0 ms
 * (a retry storm); 1 ms is taken as given. The first wait is under 2 units, 1 unit or more
 * about every other time (20 tries: all under 1 unit has a chance of one in a million). */
static void test_backoff_unit_zero_is_default(void **state)
{
	(void)state;
	long most = 0;
	for (int i = 0; i < 20; i++) {
		long ms = first_wait_ms_unit(0);
		assert_true(ms >= 0 && ms < 2000);
		if (ms > most)
			most = ms;
	}
	assert_true(most >= 1000);
	for (int i = 0; i < 5; i++) {
		long ms = first_wait_ms_unit(1);
		assert_true(ms >= 0 && ms < 2);
	}
}

/* The wait before the second attempt is jitter times 2 units (aws_backoff_ms of attempt 2):
 * under 2 units always, and 1 unit or more about every other time (20 tries: all of them under
 * 1 unit has a chance of one in a million). */
static void test_first_retry_waits_up_to_two_units(void **state)
{
	(void)state;
	long most = 0;
	for (int i = 0; i < 20; i++) {
		long ms = first_wait_ms();
		assert_true(ms >= 0 && ms < 2000000);
		if (ms > most)
			most = ms;
	}
	assert_true(most >= 1000000);
}

/* The client's options at their edges: no options or an empty region refused; an empty
 * endpoint is no endpoint; an empty CA bundle option defers to AWS_CA_BUNDLE, an empty
 * AWS_CA_BUNDLE is none. */
static void test_client_option_edges(void **state)
{
	(void)state;
	lms_error err = {0};
	assert_null(aws_client_new(NULL, &test_creds, &err));
	assert_non_null(strstr(err.msg, "no AWS region given"));
	lms_error_clear(&err);
	aws_client_options o = {.region = ""};
	assert_null(aws_client_new(&o, &test_creds, &err));
	assert_non_null(strstr(err.msg, "no AWS region given"));
	lms_error_clear(&err);
	setenv("AWS_CONFIG_FILE", "/dev/null", 1);
	o = (aws_client_options){.region = "eu-west-1", .endpoint_url = ""};
	aws_client *c = aws_client_new(&o, &test_creds, &err);
	assert_non_null(c);
	assert_false(aws_client_custom_endpoint(c, "sts"));
	assert_false(aws_client_plain_http(c, "sts"));
	aws_client_free(c);
	setenv("AWS_CA_BUNDLE", "/nonexistent/env-ca.pem", 1);
	o = (aws_client_options){
	    .region = "eu-west-1", .endpoint_url = server.url, .ca_bundle = ""};
	assert_null(aws_client_new(&o, &test_creds, &err));
	assert_non_null(strstr(err.msg, "AWS_CA_BUNDLE /nonexistent/env-ca.pem: cannot read"));
	lms_error_clear(&err);
	setenv("AWS_CA_BUNDLE", "", 1);
	c = aws_client_new(&o, &test_creds, &err);
	assert_non_null(c);
	assert_true(aws_client_custom_endpoint(c, "sts"));
	assert_true(aws_client_plain_http(c, "sts"));
	aws_client_free(c);
	unsetenv("AWS_CA_BUNDLE");
	unsetenv("AWS_CONFIG_FILE");
}

/* The timeout in the message is rounded up to whole seconds: 1 ms and 1000 ms are 1 s (and
 * 1500 ms 2 s, test_no_answer_times_out). */
static void test_timeout_rounded_up(void **state)
{
	(void)state;
	static const struct {
		long ms;
		const char *want;
	} cases[] = {{1, "within 1 s"}, {1000, "within 1 s"}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char key[64];
		aws_client *c = client_for("hang", key, sizeof key, cases[i].ms, NULL);
		aws_response resp;
		aws_response_init(&resp);
		lms_error err = {0};
		assert_false(call_sts(c, &resp, &err));
		assert_true(resp.timed_out);
		if (!strstr(err.msg, cases[i].want))
			fail_msg("%ld ms: %s", cases[i].ms, err.msg);
		lms_error_clear(&err);
		aws_response_free(&resp);
		aws_client_free(c);
	}
}

/* --debug shows the body the caller chose to log: log_body when it has bytes, else the body
 * itself only when there is no log_body at all; an empty answer has no body line. */
static char *debug_log_of(const char *scenario, const aws_request *req)
{
	char key[64];
	char *log = NULL;
	size_t loglen = 0;
	FILE *dbg = open_memstream(&log, &loglen);
	aws_client *c = client_for(scenario, key, sizeof key, 5000, dbg);
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	assert_true(aws_send(c, req, &resp, &err));
	aws_response_free(&resp);
	aws_client_free(c);
	fclose(dbg);
	return log;
}

static void test_debug_body_lines(void **state)
{
	(void)state;
	aws_request req = {.service = "sts",
	                   .operation = "X",
	                   .method = "POST",
	                   .path = "/",
	                   .body = "a=plain",
	                   .body_len = 7};
	char *log = debug_log_of("echo", &req);
	assert_non_null(strstr(log, "[debug] > body: a=plain\n"));
	assert_non_null(strstr(log, "[debug] < body: {"));
	assert_non_null(strstr(log, "(STS X, attempt 1)"));
	free(log);
	req.log_body = "a=****";
	req.log_body_len = 6;
	log = debug_log_of("echo", &req);
	assert_non_null(strstr(log, "[debug] > body: a=****\n"));
	assert_null(strstr(log, "> body: a=plain"));
	free(log);
	req.log_body = "";
	req.log_body_len = 0;
	log = debug_log_of("echo", &req);
	assert_null(strstr(log, "> body:"));
	free(log);
	aws_request get = {.service = "sts", .operation = "X", .method = "GET", .path = "/"};
	log = debug_log_of("jsonreply/200/-", &get);
	assert_null(strstr(log, "> body:"));
	assert_null(strstr(log, "< body:"));
	assert_non_null(strstr(log, "[debug] < HTTP 200 in "));
	assert_non_null(strstr(log, " ms, 0 bytes, request id fault-req\n"));
	free(log);
}

/* Headers of an interim answer (100 Continue) are forgotten when the answer itself begins. */
static void test_interim_answer_headers_forgotten(void **state)
{
	(void)state;
	/* a header whose name starts with HTTP is no status line: nothing is forgotten */
	aws_response r;
	aws_response_init(&r);
	lms_error e = {0};
	assert_true(reply(200, "text/plain", "x", "HTTPX-Note: 1|HTTP: 2", &r, &e));
	assert_string_equal(r.request_id, "fault-req");
	assert_string_equal(r.content_type, "text/plain");
	assert_true(r.server_date > 0);
	aws_response_free(&r);
	char key[64];
	aws_client *c = client_for("continue", key, sizeof key, 5000, NULL);
	aws_request req = {.service = "sts", .operation = "X", .method = "GET", .path = "/"};
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	assert_true(aws_send(c, &req, &resp, &err));
	assert_int_equal(resp.status, 200);
	assert_string_equal(buf_cstr(&resp.body), "{}");
	assert_null(resp.request_id);
	assert_null(resp.content_type);
	assert_null(resp.error_type);
	assert_int_equal(resp.server_date, 0);
	aws_response_free(&resp);
	aws_client_free(c);
}

static void test_truncated_body_retried_then_reported(void **state)
{
	(void)state;
	char key[64];
	aws_client *c = client_for("truncated", key, sizeof key, 5000, NULL);
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	assert_false(call_sts(c, &resp, &err));
	assert_int_equal(resp.attempts, 3);
	assert_non_null(strstr(err.msg, "STS GetCallerIdentity: cannot reach 127.0.0.1"));
	assert_non_null(strstr(err.msg, "(3 attempts)"));
	lms_error_clear(&err);
	aws_response_free(&resp);
	aws_client_free(c);
}

static void test_bad_bodies_reported(void **state)
{
	(void)state;
	static const struct {
		const char *scenario;
		const char *want;
		int attempts;
	} cases[] = {
	    {"malformed", "GetCallerIdentity: the answer is not the XML expected (XML: line 1", 1},
	    {"doctype", "document type declaration is not accepted", 1},
	    {"html500",
	     "STS GetCallerIdentity: the endpoint answered with an HTML page, not an AWS response "
	     "(\"500 Internal Server Error\")",
	     3},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char key[64];
		aws_client *c = client_for(cases[i].scenario, key, sizeof key, 5000, NULL);
		aws_response resp;
		aws_response_init(&resp);
		lms_error err = {0};
		assert_false(call_sts(c, &resp, &err));
		if (!strstr(err.msg, cases[i].want))
			fail_msg("%s: '%s' lacks '%s'", cases[i].scenario, err.msg, cases[i].want);
		assert_int_equal(resp.attempts, cases[i].attempts);
		lms_error_clear(&err);
		aws_response_free(&resp);
		aws_client_free(c);
	}
}

static void test_oversized_answer_refused(void **state)
{
	(void)state;
	char url[256];
	snprintf(url, sizeof url, "%s/big/big-%ld", server.url, (long)getpid());
	aws_client_options o = {
	    .region = "eu-west-1", .endpoint_url = url, .max_response_bytes = (size_t)1024 * 1024};
	aws_client *c = aws_client_new(&o, &test_creds, NULL);
	assert_non_null(c);
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	assert_false(call_sts(c, &resp, &err));
	assert_non_null(strstr(err.msg, "larger than 1048576 bytes"));
	lms_error_clear(&err);
	aws_response_free(&resp);
	aws_client_free(c);
}

/* The cap holds when the answer arrives in pieces: a last piece of one byte past it is refused
 * (the body callback reports 0 bytes taken, not the 1 it was given), and at the cap it is read. */
static void test_answer_cap_in_pieces(void **state)
{
	(void)state;
	char key[64];
	for (size_t extra = 0; extra < 2; extra++) {
		aws_client *c = client_with("dribble/100", 1, 100 + extra, key, sizeof key);
		aws_request req = {
		    .service = "sts", .operation = "Op", .method = "GET", .path = "/"};
		aws_response resp;
		aws_response_init(&resp);
		lms_error err = {0};
		bool ok = aws_send(c, &req, &resp, &err);
		assert_int_equal(ok, extra == 1);
		if (ok) {
			assert_int_equal(resp.body.len, 101);
		} else {
			assert_non_null(strstr(err.msg, "larger than 100 bytes"));
			assert_int_equal(resp.attempts, 1);
		}
		aws_response_free(&resp);
		lms_error_clear(&err);
		aws_client_free(c);
	}
}

static void test_refused_connection(void **state)
{
	(void)state;
	/* a port nobody listens on: bind one, note it, close it */
	int port = server.port + 1;
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
	aws_client_options o = {.region = "eu-west-1", .endpoint_url = url, .backoff_unit_ms = 10};
	aws_client *c = aws_client_new(&o, &test_creds, NULL);
	assert_non_null(c);
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	bool ok = call_sts(c, &resp, &err);
	if (!ok) { /* unless something happens to listen there */
		assert_int_equal(resp.attempts, 3);
		assert_non_null(strstr(err.msg, "cannot reach 127.0.0.1"));
	}
	lms_error_clear(&err);
	aws_response_free(&resp);
	aws_client_free(c);
}

static void test_bad_options(void **state)
{
	(void)state;
	lms_error err = {0};
	aws_client_options o = {.region = "eu-west-1", .endpoint_url = "http://10.0.0.1:80"};
	assert_null(aws_client_new(&o, &test_creds, &err));
	assert_non_null(strstr(err.msg, "plain http"));
	lms_error_clear(&err);
	aws_client_options o2 = {.region = "eu-west-1", .ca_bundle = "/nonexistent/ca.pem"};
	assert_null(aws_client_new(&o2, &test_creds, &err));
	assert_non_null(strstr(err.msg, "/nonexistent/ca.pem"));
	lms_error_clear(&err);
	aws_client_options o3 = {.region = NULL};
	assert_null(aws_client_new(&o3, &test_creds, &err));
	lms_error_clear(&err);
}

/* ---- aws/json.c: JSON 1.1 and REST-JSON calls ----------------------------------------------- */

/* aws_json_call to the jsonreply scenario answering `status` with `body` ("" for none):
 * returns whether it worked, with *out and err. */
static bool json_reply(long status, const char *body, json_t **out, lms_error *err)
{
	char key[64], scenario[256];
	buf hex;
	buf_init(&hex, 0);
	for (const unsigned char *p = (const unsigned char *)body; *p; p++)
		buf_addf(&hex, "%02x", *p);
	snprintf(scenario, sizeof scenario, "jsonreply/%ld/%s", status,
	         hex.len ? buf_cstr(&hex) : "-");
	buf_free(&hex);
	aws_client *c = client_for(scenario, key, sizeof key, 5000, NULL);
	lms_error_clear(err);
	bool ok =
	    aws_json_call(c, "logs", "Logs_20140328", "DescribeLogGroups", NULL, out, NULL, err);
	aws_client_free(c);
	return ok;
}

static void test_json_answers(void **state)
{
	(void)state;
	lms_error err = {0};
	json_t *out = NULL;
	/* an empty answer is the empty object */
	assert_true(json_reply(200, "", &out, &err));
	assert_true(json_is_object(out));
	assert_int_equal(json_object_size(out), 0);
	json_decref(out);
	/* one byte, a blank, is not an object (nor taken for an empty answer) */
	assert_false(json_reply(200, " ", &out, &err));
	assert_null(out);
	assert_non_null(strstr(err.msg, "DescribeLogGroups: the answer is not the JSON expected"));
	assert_non_null(strstr(err.msg, "HTTP 200, 1 bytes, request id fault-req"));
	/* an object, its members as sent; a repeated key is accepted (the last one wins) */
	assert_true(json_reply(200, "{\"a\":1,\"a\":2,\"b\":\"x\"}", &out, &err));
	assert_int_equal(json_integer_value(json_object_get(out, "a")), 2);
	assert_string_equal(json_string_value(json_object_get(out, "b")), "x");
	json_decref(out);
	/* valid JSON that is not an object */
	assert_false(json_reply(200, "[1]", &out, &err));
	assert_null(out);
	assert_non_null(strstr(err.msg, "(not an object; HTTP 200, 3 bytes"));
	/* malformed: jansson's reason */
	assert_false(json_reply(200, "{\"a\":", &out, &err));
	assert_null(out);
	assert_null(strstr(err.msg, "not an object"));
	/* an error answer is the error, not a parse */
	assert_false(json_reply(400, "{\"__type\":\"ResourceNotFoundException\"}", &out, &err));
	assert_null(out);
	lms_error_clear(&err);
}

/* A JSON 1.1 call whose body text or target header cannot be allocated is refused before
 * any request, each on its own, with the operation named. */
static void test_json_call_out_of_memory(void **state)
{
	(void)state;
	char key[64];
	aws_client *c = client_for("echo", key, sizeof key, 5000, NULL);
	for (size_t n = 0; n < 2; n++) {
		json_t *out = NULL;
		lms_error err = {0};
		alloc_fail_after(n);
		bool ok = aws_json_call(c, "logs", "Logs_20140328", "DescribeLogGroups", NULL, &out,
		                        NULL, &err);
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		assert_true(fired);
		assert_false(ok);
		assert_null(out);
		assert_string_equal(err.msg, "DescribeLogGroups: out of memory");
		lms_error_clear(&err);
	}
	assert_int_equal(server_count(key), 0);
	aws_client_free(c);
}

static void test_json_requests(void **state)
{
	(void)state;
	char key[64];
	lms_error err = {0};
	aws_client *c = client_for("echo", key, sizeof key, 5000, NULL);
	json_t *out = NULL;
	/* JSON 1.1: POST / with the target header and the type; NULL is {} */
	aws_response resp;
	aws_response_init(&resp);
	assert_true(aws_json_call(c, "logs", "Logs_20140328", "DescribeLogGroups", NULL, &out,
	                          &resp, &err));
	assert_int_equal(resp.status, 200);
	assert_string_equal(json_string_value(json_object_get(out, "method")), "POST");
	assert_string_equal(echo_header(out, "X-Amz-Target"), "Logs_20140328.DescribeLogGroups");
	assert_string_equal(echo_header(out, "Content-Type"), "application/x-amz-json-1.1");
	assert_string_equal(json_string_value(json_object_get(out, "body")), "{}");
	json_decref(out);
	aws_response_free(&resp);
	json_t *body = json_pack("{s:s,s:i}", "logGroupNamePrefix", "/lms", "limit", 50);
	assert_true(
	    aws_json_call(c, "logs", "Logs_20140328", "DescribeLogGroups", body, &out, NULL, &err));
	json_decref(body);
	json_error_t je;
	json_t *sent = json_loads(json_string_value(json_object_get(out, "body")), 0, &je);
	assert_non_null(sent);
	assert_string_equal(json_string_value(json_object_get(sent, "logGroupNamePrefix")), "/lms");
	assert_int_equal(json_integer_value(json_object_get(sent, "limit")), 50);
	json_decref(sent);
	json_decref(out);
	/* REST-JSON: the method, path and query as given, the JSON type, no body */
	aws_response_init(&resp);
	assert_true(aws_rest_json(c, "backup", "ListRecoveryPoints", "GET", "/backup-vaults/v1/",
	                          "maxResults=5", &out, &resp, &err));
	assert_int_equal(resp.status, 200);
	assert_string_equal(json_string_value(json_object_get(out, "method")), "GET");
	const char *path = json_string_value(json_object_get(out, "path"));
	assert_non_null(strstr(path, "/backup-vaults/v1/?maxResults=5"));
	assert_string_equal(echo_header(out, "Content-Type"), "application/json");
	assert_null(echo_header(out, "X-Amz-Target"));
	assert_string_equal(json_string_value(json_object_get(out, "body")), "");
	json_decref(out);
	aws_response_free(&resp);
	aws_client_free(c);
}

static void test_rest_json_answers(void **state)
{
	(void)state;
	char key[64];
	lms_error err = {0};
	json_t *out = NULL;
	/* an empty answer is {}; a non-object refused */
	aws_client *c = client_for("jsonreply/200/-", key, sizeof key, 5000, NULL);
	assert_true(aws_rest_json(c, "backup", "DeleteRecoveryPoint", "DELETE", "/x", NULL, &out,
	                          NULL, &err));
	assert_true(json_is_object(out));
	assert_int_equal(json_object_size(out), 0);
	json_decref(out);
	aws_client_free(c);
	c = client_for("jsonreply/200/31", key, sizeof key, 5000, NULL); /* 1: not an object */
	assert_false(aws_rest_json(c, "backup", "DeleteRecoveryPoint", "DELETE", "/x", NULL, &out,
	                           NULL, &err));
	assert_null(out);
	assert_non_null(
	    strstr(err.msg, "DeleteRecoveryPoint: the answer is not the JSON expected"));
	aws_client_free(c);
	c = client_for("jsonreply/200/7b2278223a317d", key, sizeof key, 5000, NULL); /* {"x":1} */
	assert_true(aws_rest_json(c, "backup", "GetX", "GET", "/x", NULL, &out, NULL, &err));
	assert_int_equal(json_integer_value(json_object_get(out, "x")), 1);
	json_decref(out);
	aws_client_free(c);
	lms_error_clear(&err);
}

/* ---- aws/sts.c over the wire ----------------------------------------------------------------- */

/* A client whose every answer is 200 with `body` (the jsonreply scenario: any body). */
static aws_client *answering(const char *body, char *key, size_t keylen)
{
	snprintf(key, keylen, "k%d-%ld", ++key_counter, (long)getpid());
	buf url;
	buf_init(&url, 0);
	buf_addf(&url, "%s/jsonreply/200/", server.url);
	for (const unsigned char *p = (const unsigned char *)body; *p; p++)
		buf_addf(&url, "%02x", *p);
	buf_addf(&url, "/%s", key);
	aws_client_options o = {.region = "eu-west-1", .endpoint_url = buf_cstr(&url)};
	aws_client *c = aws_client_new(&o, &test_creds, NULL);
	assert_non_null(c);
	buf_free(&url);
	return c;
}

static void test_sts_identity_parts(void **state)
{
	(void)state;
	static const struct {
		const char *result;
		bool ok;
	} cases[] = {
	    {"<Account>1</Account><Arn>a</Arn><UserId>u</UserId>", true},
	    {"<Account>1</Account><Arn>a</Arn>", true},
	    {"<Account></Account><Arn>a</Arn>", false},
	    {"<Arn>a</Arn>", false},
	    {"<Account>1</Account>", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char body[512], key[64];
		snprintf(body, sizeof body,
		         "<GetCallerIdentityResponse><GetCallerIdentityResult>%s"
		         "</GetCallerIdentityResult></GetCallerIdentityResponse>",
		         cases[i].result);
		aws_client *c = answering(body, key, sizeof key);
		sts_identity id;
		lms_error err = {0};
		bool ok = sts_get_caller_identity(c, &id, &err);
		if (ok != cases[i].ok)
			fail_msg("%s: %s", cases[i].result, ok ? "accepted" : err.msg);
		if (ok) {
			assert_string_equal(id.account, "1");
			assert_string_equal(id.arn, "a");
			if (strstr(cases[i].result, "UserId"))
				assert_string_equal(id.user_id, "u");
			else
				assert_null(id.user_id);
		} else {
			assert_null(id.account);
			assert_null(id.arn);
			assert_non_null(strstr(err.msg, "the answer has no Account or Arn"));
		}
		sts_identity_free(&id);
		lms_error_clear(&err);
		aws_client_free(c);
	}
	sts_identity_free(NULL);
	/* an answer that is not XML: the parser's reason, the status, the size, the request id */
	char key[64];
	aws_client *c = answering("oops", key, sizeof key);
	sts_identity id;
	lms_error err = {0};
	assert_false(sts_get_caller_identity(c, &id, &err));
	assert_non_null(strstr(err.msg,
	                       "GetCallerIdentity: the answer is not the XML expected (XML: "
	                       "line 1: "));
	assert_non_null(strstr(err.msg, "; HTTP 200, 4 bytes, request id fault-req)"));
	assert_null(id.account);
	lms_error_clear(&err);
	aws_client_free(c);
}

/* AssumeRole and AssumeRoleWithWebIdentity read the result of their own action only. */
/* Reading AssumeRole's credentials with one allocation failing, each in turn: every one is
 * reported ("out of memory", nothing returned, nothing leaked), the key id, the secret, the
 * token and the source alike. */
static bool parse_assume_role_call(void *ctx)
{
	const xml_node *result = ctx;
	credentials *cr = NULL;
	lms_error err = {0};
	bool ok = sts_parse_assume_role(result, &cr, &err);
	bool consistent =
	    ok ? cr && !err.msg : !cr && err.msg && strcmp(err.msg, "out of memory") == 0;
	credentials_free(cr);
	lms_error_clear(&err);
	if (!consistent)
		fail_msg("sts_parse_assume_role: %s", ok ? "no credentials" : "no reason");
	return ok;
}

static void test_sts_parse_out_of_memory(void **state)
{
	(void)state;
	const char *answer =
	    "<AssumeRoleResult><Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s"
	    "</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2026-12-07T10:00:00Z"
	    "</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s"
	    "</Arn></AssumedRoleUser></AssumeRoleResult>";
	xml_doc *d = xml_parse(answer, strlen(answer), 0, NULL);
	assert_non_null(d);
	char why[256] = "";
	long steps = alloc_sweep(parse_assume_role_call, (void *)xml_root(d), ALLOC_MUST_FAIL, 64,
	                         why, sizeof why);
	if (steps < 0)
		fail_msg("%s", why);
	assert_true(steps >= 5); /* the record, three copies, the source */
	xml_free(d);
}

static void test_sts_assume_role_answers(void **state)
{
	(void)state;
	static const char creds[] =
	    "<Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
	    "<SessionToken>t</SessionToken></Credentials>"
	    "<AssumedRoleUser><Arn>arn:r</Arn></AssumedRoleUser>";
	static const struct {
		const char *result; /* the result element's name */
		bool web, ok;
	} cases[] = {
	    {"AssumeRoleResult", false, true},
	    {"AssumeRoleWithWebIdentityResult", true, true},
	    {"AssumeRoleResult", true, false},
	    {"AssumeRoleWithWebIdentityResult", false, false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char body[768], key[64];
		snprintf(body, sizeof body, "<R><%s>%s</%s></R>", cases[i].result, creds,
		         cases[i].result);
		aws_client *c = answering(body, key, sizeof key);
		sts_assume_request rq = {.role_arn = "arn:r",
		                         .session_name = "s",
		                         .web_identity_token = cases[i].web ? "jwt" : NULL};
		credentials *cr = NULL;
		lms_error err = {0};
		bool ok = sts_assume_role(c, &rq, &cr, &err);
		assert_int_equal(ok, cases[i].ok);
		if (ok) {
			assert_string_equal(cr->access_key_id, "ASIA1");
			assert_string_equal(cr->secret_access_key, "s");
			assert_string_equal(cr->session_token, "t");
			assert_string_equal(cr->source, "role arn:r (AssumeRole)");
		} else {
			assert_null(cr);
			assert_non_null(strstr(err.msg, "no credentials"));
		}
		credentials_free(cr);
		lms_error_clear(&err);
		aws_client_free(c);
	}
	/* a refused call: no credentials, the answer's error */
	char key[64];
	aws_client *c = client_for("denied", key, sizeof key, 5000, NULL);
	sts_assume_request rq = {.role_arn = "arn:r", .session_name = "s"};
	credentials *cr = NULL;
	lms_error err = {0};
	assert_false(sts_assume_role(c, &rq, &cr, &err));
	assert_null(cr);
	assert_non_null(err.msg);
	lms_error_clear(&err);
	aws_client_free(c);
}

/* ---- aws/s3.c: the artifact bucket -------------------------------------------------------- */

static void record_operation(void *ctx, const aws_call_record *rec)
{
	buf *ops = ctx;
	buf_addf(ops, "%s %s;", rec->req->method, rec->req->operation);
}

/* A bucket that is not there is created, then configured in order; the TLS-only policy is
 * left out on a plain-http endpoint (an emulator on this machine). */
static void test_s3_artifact_bucket_created(void **state)
{
	(void)state;
	char url[256];
	snprintf(url, sizeof url, "%s/s3new/k%d-%ld", server.url, ++key_counter, (long)getpid());
	buf ops;
	buf_init(&ops, 0);
	aws_client_options o = {.region = "eu-west-1",
	                        .endpoint_url = url,
	                        .on_call = record_operation,
	                        .on_call_ctx = &ops};
	aws_client *c = aws_client_new(&o, &test_creds, NULL);
	assert_non_null(c);
	bool created = false;
	lms_error err = {0};
	assert_int_equal(s3_head_bucket(c, "bkt", "1", &err), 0);
	assert_null(err.msg);
	buf_reset(&ops);
	if (!s3_ensure_artifact_bucket(c, "bkt", "1", "eu-west-1", &created, &err))
		fail_msg("%s", err.msg);
	assert_true(created);
	assert_string_equal(buf_cstr(&ops),
	                    "HEAD HeadBucket;PUT CreateBucket;PUT PutPublicAccessBlock;"
	                    "PUT PutBucketEncryption;"
	                    "PUT PutBucketLifecycleConfiguration;");
	aws_client_free(c);
	/* HeadBucket fails: nothing created, nothing else asked */
	snprintf(url, sizeof url, "%s/status/400/k%d-%ld", server.url, ++key_counter,
	         (long)getpid());
	c = aws_client_new(&o, &test_creds, NULL);
	assert_non_null(c);
	buf_reset(&ops);
	created = true;
	assert_false(s3_ensure_artifact_bucket(c, "bkt", "1", "eu-west-1", &created, &err));
	assert_false(created);
	assert_string_equal(buf_cstr(&ops), "HEAD HeadBucket;");
	lms_error_clear(&err);
	aws_client_free(c);
	buf_free(&ops);
}

/* ---- the refresh hook ------------------------------------------------------------------------ */

typedef struct fake_refresh {
	int calls, forced;
	bool give_plain, give_forced; /* credentials on an ordinary and on a forced call */
	const char *why;              /* the reason when none are given, NULL: none */
} fake_refresh;

static const credentials *fake_refresh_fn(void *ctx, bool force, lms_error *err)
{
	fake_refresh *f = ctx;
	f->calls++;
	f->forced += force;
	if (force ? f->give_forced : f->give_plain)
		return &test_creds;
	if (f->why)
		lms_error_set(err, NULL, 0, 0, "%s", f->why);
	return NULL;
}

/* One call answered 400 ExpiredToken, through the refresh hook f; the debug log in *log. */
static bool expired_call(fake_refresh *f, aws_response *resp, lms_error *err, char **log)
{
	char key[64], url[256];
	snprintf(key, sizeof key, "k%d-%ld", ++key_counter, (long)getpid());
	snprintf(url, sizeof url, "%s/reply/400/%s", server.url, key);
	size_t loglen = 0;
	FILE *dbg = open_memstream(log, &loglen);
	aws_client_options o = {.region = "eu-west-1",
	                        .endpoint_url = url,
	                        .backoff_unit_ms = 1,
	                        .debug = dbg,
	                        .refresh = fake_refresh_fn,
	                        .refresh_ctx = f};
	aws_client *c = aws_client_new(&o, NULL, NULL);
	assert_non_null(c);
	const char *body = "<Error><Code>ExpiredToken</Code><Message>old</Message></Error>";
	buf hex;
	buf_init(&hex, 0);
	for (const unsigned char *p = (const unsigned char *)body; *p; p++)
		buf_addf(&hex, "%02x", *p);
	sigv4_header headers[2] = {{"X-Fault-Body", buf_cstr(&hex)}, {"X-Fault-Type", "text/xml"}};
	aws_request req = {.service = "sts",
	                   .operation = "Op",
	                   .method = "POST",
	                   .path = "/",
	                   .headers = headers,
	                   .nheaders = 2};
	bool ok = aws_send(c, &req, resp, err);
	buf_free(&hex);
	aws_client_free(c);
	fclose(dbg);
	return ok;
}

static void test_refresh_hook(void **state)
{
	(void)state;
	aws_response resp;
	aws_response_init(&resp);
	lms_error err = {0};
	char *log = NULL;
	/* none before the call: the call is not made; the reason, or "no credentials" */
	fake_refresh none = {.why = "the profile is gone"};
	assert_false(expired_call(&none, &resp, &err, &log));
	assert_int_equal(resp.attempts, 0);
	assert_int_equal(none.calls, 1);
	assert_string_equal(err.msg, "STS Op: the profile is gone");
	free(log);
	lms_error_clear(&err);
	fake_refresh silent = {0};
	assert_false(expired_call(&silent, &resp, &err, &log));
	assert_string_equal(err.msg, "STS Op: no credentials");
	free(log);
	lms_error_clear(&err);
	/* ExpiredToken: renewed once, outside the attempt budget; expired again: reported */
	fake_refresh renews = {.give_plain = true, .give_forced = true};
	assert_false(expired_call(&renews, &resp, &err, &log));
	assert_int_equal(renews.forced, 1);
	assert_int_equal(resp.attempts, 2);
	assert_non_null(strstr(err.msg, "STS Op: ExpiredToken: old (HTTP 400"));
	assert_non_null(strstr(log, "[debug] STS Op: ExpiredToken; signing again with credentials "
	                            "taken again from their source\n"));
	free(log);
	lms_error_clear(&err);
	/* the renewal fails: the answer, then why */
	fake_refresh fails = {.give_plain = true, .why = "the SSO session ended"};
	assert_false(expired_call(&fails, &resp, &err, &log));
	assert_int_equal(fails.forced, 1);
	assert_int_equal(resp.attempts, 1);
	assert_non_null(strstr(err.msg, "STS Op: ExpiredToken: old (HTTP 400"));
	assert_non_null(strstr(err.msg, "; they could not be renewed: the SSO session ended"));
	assert_null(strstr(log, "signing again"));
	free(log);
	lms_error_clear(&err);
	fake_refresh fails_silently = {.give_plain = true};
	assert_false(expired_call(&fails_silently, &resp, &err, &log));
	assert_non_null(strstr(err.msg, "; they could not be renewed: error"));
	free(log);
	lms_error_clear(&err);
	aws_response_free(&resp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_curl_loader),
	    cmocka_unit_test(test_endpoint_parse),
	    cmocka_unit_test(test_endpoint_resolution),
	    cmocka_unit_test(test_retry_classification),
	    cmocka_unit_test(test_masking),
	    cmocka_unit_test(test_endpoint_edges),
	    cmocka_unit_test(test_endpoint_parse_out_of_memory),
	    cmocka_unit_test(test_client_new_out_of_memory),
	    cmocka_unit_test(test_classification_edges),
	    cmocka_unit_test(test_secret_names),
	    cmocka_unit_test(test_masking_edges),
	    cmocka_unit_test(test_masking_encodings),
	    cmocka_unit_test(test_mask_parameters_edges),
	    cmocka_unit_test(test_query_form_edges),
	    cmocka_unit_test(test_bad_options),
	    cmocka_unit_test(test_client_option_edges),
	    cmocka_unit_test(test_ok_and_headers),
	    cmocka_unit_test(test_cli_command),
	    cmocka_unit_test(test_cli_command_edges),
	    cmocka_unit_test(test_cli_command_s3_edges),
	    cmocka_unit_test(test_cli_endpoint_option),
	    cmocka_unit_test(test_secret_parameter_never_logged),
	    cmocka_unit_test(test_call_hook),
	    cmocka_unit_test(test_success_range_and_hook_without_error),
	    cmocka_unit_test(test_mask_registration_edges),
	    cmocka_unit_test(test_curl_leaves_signals_alone),
	    cmocka_unit_test(test_mask_parameter_registered),
	    cmocka_unit_test(test_throttling_then_success),
	    cmocka_unit_test(test_throttling_gives_up_after_three),
	    cmocka_unit_test(test_503_then_success),
	    cmocka_unit_test(test_reset_then_success),
	    cmocka_unit_test(test_skew_corrected_and_retried_once),
	    cmocka_unit_test(test_wrong_key_and_denied_explained),
	    cmocka_unit_test(test_bodyless_errors_named),
	    cmocka_unit_test(test_error_answers),
	    cmocka_unit_test(test_error_caps),
	    cmocka_unit_test(test_error_body_at_limit_unparsed),
	    cmocka_unit_test(test_hint_source_unsigned),
	    cmocka_unit_test(test_request_paths),
	    cmocka_unit_test(test_request_methods_and_headers),
	    cmocka_unit_test(test_debug_body_lines),
	    cmocka_unit_test(test_attempts_status_and_caps),
	    cmocka_unit_test(test_service_titles),
	    cmocka_unit_test(test_answer_headers),
	    cmocka_unit_test(test_query_failed_form_not_sent),
	    cmocka_unit_test(test_interim_answer_headers_forgotten),
	    cmocka_unit_test(test_no_answer_times_out),
	    cmocka_unit_test(test_timeout_rounded_up),
	    cmocka_unit_test(test_interrupt_abandons_a_request),
	    cmocka_unit_test(test_skew_without_date_not_retried),
	    cmocka_unit_test(test_skew_date_edges),
	    cmocka_unit_test(test_skew_threshold),
	    cmocka_unit_test(test_first_retry_waits_up_to_two_units),
	    cmocka_unit_test(test_backoff_unit_zero_is_default),
	    cmocka_unit_test(test_pause_slices),
	    cmocka_unit_test(test_truncated_body_retried_then_reported),
	    cmocka_unit_test(test_bad_bodies_reported),
	    cmocka_unit_test(test_oversized_answer_refused),
	    cmocka_unit_test(test_answer_cap_in_pieces),
	    cmocka_unit_test(test_refused_connection),
	    cmocka_unit_test(test_unsignable_request_refused),
	    cmocka_unit_test(test_unusable_ca_bundle_named),
	    cmocka_unit_test(test_json_answers),
	    cmocka_unit_test(test_json_requests),
	    cmocka_unit_test(test_json_call_out_of_memory),
	    cmocka_unit_test(test_rest_json_answers),
	    cmocka_unit_test(test_sts_identity_parts),
	    cmocka_unit_test(test_sts_assume_role_answers),
	    cmocka_unit_test(test_sts_parse_out_of_memory),
	    cmocka_unit_test(test_s3_artifact_bucket_created),
	    cmocka_unit_test(test_refresh_hook),
	};
	return cmocka_run_group_tests_name("http", tests, setup, teardown);
}
