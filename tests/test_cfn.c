/* cfn, sts, s3, provider: the answers' parsing (stacks with outputs, parameters and tags; change
 * sets over two pages, replacements and their causes; events deduplicated over overlapping pages
 * and cut at the operation's start), the no-op rules, statuses, tokens and times, the AssumeRole
 * credentials, the artifact bucket's name, URL and policy; the credential chain's role profiles
 * (AssumeRole, chained), container credentials and IMDSv2. The calls run against recorded answers
 * served by tests/fault_server.py. */
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
#include "aws/cfn.h"
#include "aws/cleanup.h"
#include "aws/provider.h"
#include "aws/s3.h"
#include "aws/sts.h"
#include "faultutil.h"
#include "ops/status.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static fault_server server;
static int key_counter;

static credentials creds = {
    .access_key_id = (char *)"AKIDEXAMPLE",
    .secret_access_key = (char *)"secret",
    .source = (char *)"test",
};

static int setup(void **state)
{
	(void)state;
	char dir[4096];
	const char *top = getenv("TOP_SRCDIR");
	snprintf(dir, sizeof dir, "%s/tests/fixtures/deploy/recorded", top ? top : ".");
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_CLOUDFORMATION");
	return fault_server_start(&server, dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fault_server_stop(&server);
	return 0;
}

/* A client on a recorded scenario with a fresh key (numbered answers start at 1). */
static aws_client *recorded(const char *scenario)
{
	char url[256];
	snprintf(url, sizeof url, "%s/recorded/%s/c%d-%ld", server.url, scenario, ++key_counter,
	         (long)getpid());
	aws_client_options o = {.region = "eu-west-1", .endpoint_url = url, .backoff_unit_ms = 10};
	lms_error err = {0};
	aws_client *c = aws_client_new(&o, &creds, &err);
	if (!c)
		fail_msg("%s", err.msg);
	return c;
}

static xml_doc *parse(const char *text)
{
	lms_error err = {0};
	xml_doc *d = xml_parse(text, strlen(text), 0, &err);
	if (!d)
		fail_msg("%s", err.msg);
	return d;
}

static void test_describe_stack_recorded(void **state)
{
	(void)state;
	aws_client *c = recorded("outputs");
	cfn_stack *s = NULL;
	lms_error err = {0};
	if (!cfn_describe_stack(c, "lms-rec", &s, &err))
		fail_msg("%s", err.msg);
	assert_non_null(s);
	assert_string_equal(s->name, "lms-rec");
	assert_string_equal(s->status, "UPDATE_COMPLETE");
	assert_non_null(strstr(s->id, ":stack/lms-rec/"));
	assert_string_equal(s->role_arn, "arn:aws:iam::123456789012:role/lms-cfn-deployer");
	assert_false(s->termination_protection);
	assert_int_equal(s->created, 1714554000); /* 2024-05-01T09:00:00Z */
	assert_int_equal(s->updated, 1714645230); /* 2024-05-02T10:20:30.123Z */
	assert_int_equal(s->noutputs, 6);
	assert_string_equal(s->outputs[0].key, "VpcId");
	assert_string_equal(s->outputs[0].value, "vpc-0a1b2c3d4e5f67890");
	assert_string_equal(s->outputs[0].description, "The platform's VPC.");
	assert_null(s->outputs[0].export_name);
	assert_string_equal(s->outputs[1].export_name, "lms-rec-AlarmTopicArn");
	assert_null(s->outputs[3].description);
	assert_int_equal(s->nparameters, 2);
	assert_string_equal(s->parameters[1].key, "EnvironmentSuffix");
	assert_string_equal(s->parameters[1].value, "rec");
	assert_int_equal(s->ntags, 2);
	assert_string_equal(s->tags[1].value, "lmsctl");
	cfn_stack_free(s);
	aws_client_free(c);
}

static void test_missing_stack_is_not_an_error(void **state)
{
	(void)state;
	/* the fault server's "denied" answers AccessDenied; a missing stack is a
	 * ValidationError "does not exist": parsed from the answer directly */
	xml_doc *d = parse("<DescribeStacksResponse><DescribeStacksResult><Stacks/>"
	                   "</DescribeStacksResult></DescribeStacksResponse>");
	assert_null(cfn_parse_stack(xml_path(xml_root(d), "DescribeStacksResult/Stacks/member")));
	xml_free(d);
	/* against moto's and AWS's error form, through the client: see deploy_moto.py */
	char url[256];
	snprintf(url, sizeof url, "%s/denied/m%ld", server.url, (long)getpid());
	aws_client_options o = {.region = "eu-west-1", .endpoint_url = url};
	aws_client *c = aws_client_new(&o, &creds, NULL);
	cfn_stack *s = NULL;
	lms_error err = {0};
	assert_false(cfn_describe_stack(c, "x", &s, &err));
	assert_null(s);
	assert_non_null(strstr(err.msg, "CloudFormation DescribeStacks: AccessDenied"));
	lms_error_clear(&err);
	aws_client_free(c);
}

static void test_change_set_two_pages(void **state)
{
	(void)state;
	aws_client *c = recorded("deploy-update");
	cfn_change_set *cs = NULL;
	lms_error err = {0};
	if (!cfn_describe_change_set(c, "lms-rec", "lmsctl-recorded", &cs, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(cs->status, "CREATE_COMPLETE");
	assert_string_equal(cs->execution_status, "AVAILABLE");
	assert_string_equal(cs->name, "lmsctl-recorded");
	assert_int_equal(cs->nchanges, 2); /* one on each page */
	assert_string_equal(cs->changes[0].action, "Modify");
	assert_string_equal(cs->changes[0].replacement, "False");
	assert_string_equal(cs->changes[0].scope, "Properties");
	assert_null(cs->changes[0].replacing_properties); /* RequiresRecreation Never */
	assert_string_equal(cs->changes[1].action, "Add");
	assert_null(cs->changes[1].physical_id);
	assert_true(cfn_change_set_settled(cs));
	assert_false(cfn_change_set_is_empty(cs));
	cfn_change_set_free(cs);
	aws_client_free(c);
}

static void test_change_set_replacements(void **state)
{
	(void)state;
	aws_client *c = recorded("deploy-replace");
	cfn_change_set *cs = NULL;
	lms_error err = {0};
	if (!cfn_describe_change_set(c, "lms-rec", "x", &cs, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(cs->nchanges, 4);
	const cfn_change *db = &cs->changes[1];
	assert_string_equal(db->logical_id, "DatabaseCluster");
	assert_string_equal(db->resource_type, "AWS::RDS::DBCluster");
	assert_string_equal(db->replacement, "True");
	assert_string_equal(db->physical_id, "databasecluster-phys");
	assert_string_equal(db->replacing_properties, "DBClusterIdentifier, MasterUsername");
	assert_string_equal(cs->changes[2].replacing_properties, "ServiceName (conditionally)");
	assert_string_equal(cs->changes[3].action, "Remove");
	cfn_change_set_free(cs);
	aws_client_free(c);
}

static void check_empty(const char *status, const char *reason, size_t nchanges, bool empty)
{
	cfn_change_set cs = {
	    .status = (char *)status, .status_reason = (char *)reason, .nchanges = nchanges};
	assert_int_equal(cfn_change_set_is_empty(&cs), empty);
}

static void test_no_op_rules(void **state)
{
	(void)state;
	check_empty(
	    "FAILED",
	    "The submitted information didn't contain changes. Submit different information "
	    "to create a change set.",
	    0, true);
	check_empty("FAILED", "No updates are to be performed.", 0, true);
	check_empty("FAILED", "Template format error: unresolved resource", 0, false);
	check_empty("FAILED", NULL, 0, false);
	check_empty("CREATE_COMPLETE", NULL, 0, true); /* moto's way */
	check_empty("CREATE_COMPLETE", NULL, 3, false);
	check_empty("CREATE_PENDING", NULL, 0, false);
	/* through the client: the recorded FAILED answer */
	aws_client *c = recorded("deploy-nochanges");
	cfn_change_set *cs = NULL;
	assert_true(cfn_describe_change_set(c, "lms-rec", "x", &cs, NULL));
	assert_true(cfn_change_set_settled(cs));
	assert_true(cfn_change_set_is_empty(cs));
	assert_string_equal(cs->execution_status, "UNAVAILABLE");
	cfn_change_set_free(cs);
	aws_client_free(c);
}

/* The answers' parsing at its edges: exact "true", required name and status, members only,
 * missing texts as "", the replacing properties (Never left out, each once, conditionally
 * marked), the settled statuses exactly. */
static void test_parse_edges(void **state)
{
	(void)state;
	static const struct {
		const char *tp;
		bool want;
	} tps[] = {{"true", true}, {"True", false}, {"truex", false}, {"tru", false}, {"", false}};
	for (size_t i = 0; i < sizeof tps / sizeof tps[0]; i++) {
		char xml[256];
		snprintf(xml, sizeof xml,
		         "<m><StackName>s</StackName><StackStatus>X</StackStatus>"
		         "<EnableTerminationProtection>%s</EnableTerminationProtection></m>",
		         tps[i].tp);
		xml_doc *d = parse(xml);
		cfn_stack *s = cfn_parse_stack(xml_root(d));
		assert_non_null(s);
		assert_int_equal(s->termination_protection, tps[i].want);
		assert_int_equal(s->noutputs, 0);
		assert_null(s->outputs);
		assert_int_equal(s->nparameters, 0);
		cfn_stack_free(s);
		xml_free(d);
	}
	cfn_stack *s = NULL;
	xml_doc *d = parse("<m><StackStatus>X</StackStatus></m>");
	assert_null(cfn_parse_stack(xml_root(d)));
	xml_free(d);
	d = parse("<m><StackName>s</StackName></m>");
	assert_null(cfn_parse_stack(xml_root(d)));
	xml_free(d);
	assert_null(cfn_parse_stack(NULL));
	/* lists of elements named like member, but longer: no members */
	d = parse("<m><StackName>s</StackName><StackStatus>X</StackStatus>"
	          "<Outputs><members/></Outputs><Parameters><memberx/></Parameters>"
	          "<Tags><members/></Tags></m>");
	s = cfn_parse_stack(xml_root(d));
	assert_non_null(s);
	assert_int_equal(s->noutputs, 0);
	assert_null(s->outputs);
	assert_int_equal(s->nparameters, 0);
	assert_null(s->parameters);
	assert_null(s->tags);
	cfn_stack_free(s);
	xml_free(d);
	d = parse(
	    "<m><StackName>s</StackName><StackStatus>X</StackStatus>"
	    "<Outputs><x/><member><OutputValue>v</OutputValue></member><members/>"
	    "<member><OutputKey>k</OutputKey></member></Outputs>"
	    "<Parameters><member/><other/></Parameters>"
	    "<Tags><member><Key>a</Key></member><member><Value>b</Value></member></Tags></m>");
	s = cfn_parse_stack(xml_root(d));
	assert_non_null(s);
	assert_int_equal(s->noutputs, 2);
	assert_string_equal(s->outputs[0].key, "");
	assert_string_equal(s->outputs[0].value, "v");
	assert_string_equal(s->outputs[1].key, "k");
	assert_string_equal(s->outputs[1].value, "");
	assert_null(s->outputs[1].description);
	assert_int_equal(s->nparameters, 1);
	assert_string_equal(s->parameters[0].key, "");
	assert_string_equal(s->parameters[0].value, "");
	assert_int_equal(s->ntags, 2);
	assert_string_equal(s->tags[0].key, "a");
	assert_string_equal(s->tags[0].value, "");
	assert_string_equal(s->tags[1].key, "");
	assert_string_equal(s->tags[1].value, "b");
	cfn_stack_free(s);
	xml_free(d);
	/* change sets */
	d = parse("<r><Changes>"
	          "<member><ResourceChange><Action>Modify</Action><LogicalResourceId>A"
	          "</LogicalResourceId><ResourceType>T</ResourceType><Scope><member>Properties"
	          "</member><member>Tags</member></Scope><Details>"
	          "<member><Target><Name>P1</Name><RequiresRecreation>Never</RequiresRecreation>"
	          "</Target></member>"
	          "<member><Target><Name>P2</Name><RequiresRecreation>Always</RequiresRecreation>"
	          "</Target></member>"
	          "<member><Target><Name>P2</Name><RequiresRecreation>Always</RequiresRecreation>"
	          "</Target></member>"
	          "<member><Target><Name></Name><RequiresRecreation>Always</RequiresRecreation>"
	          "</Target></member>"
	          "<member><Target><Name>P4</Name></Target></member>"
	          "<member><Target><Name>P3</Name><RequiresRecreation>Conditionally"
	          "</RequiresRecreation></Target></member>"
	          "<member><Target><Name>P5</Name><RequiresRecreation>Conditional"
	          "</RequiresRecreation></Target></member>"
	          "</Details></ResourceChange></member>"
	          "<member><NotAChange/></member>"
	          "<member><ResourceChange><Scope><members>x</members></Scope><Details><member>"
	          "<Target><Name>N</Name>"
	          "<RequiresRecreation>Never</RequiresRecreation></Target></member></Details>"
	          "</ResourceChange></member>"
	          "</Changes><NextToken>t2</NextToken></r>");
	cfn_change_set *cs = NULL;
	char *next = NULL;
	assert_true(cfn_parse_change_set_page(xml_root(d), &cs, &next));
	assert_string_equal(next, "t2");
	free(next);
	assert_string_equal(cs->status, "UNKNOWN");
	assert_int_equal(cs->nchanges, 2);
	assert_string_equal(cs->changes[0].scope, "Properties, Tags");
	assert_string_equal(cs->changes[0].replacing_properties, "P2, P3 (conditionally), P5");
	assert_null(cs->changes[0].physical_id);
	assert_null(cs->changes[1].scope);
	assert_null(cs->changes[1].replacing_properties);
	assert_string_equal(cs->changes[1].action, "?");
	assert_string_equal(cs->changes[1].logical_id, "?");
	assert_string_equal(cs->changes[1].resource_type, "?");
	/* a second page adds to the first */
	assert_true(cfn_parse_change_set_page(xml_root(d), &cs, &next));
	assert_int_equal(cs->nchanges, 4);
	free(next);
	static const struct {
		const char *status;
		bool settled;
	} statuses[] = {{"CREATE_COMPLETE", true},    {"FAILED", true},
	                {"DELETE_COMPLETE", true},    {"DELETE_FAILED", true},
	                {"CREATE_COMPLETEX", false},  {"FAILE", false},
	                {"DELETE_COMPLET", false},    {"DELETE_FAILEDX", false},
	                {"CREATE_IN_PROGRESS", false}};
	char *orig = cs->status;
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		cs->status = (char *)statuses[i].status;
		if (cfn_change_set_settled(cs) != statuses[i].settled)
			fail_msg("%s", statuses[i].status);
	}
	/* empty: FAILED exactly with its reason; CREATE_COMPLETE exactly without changes */
	cs->status = (char *)"FAILEDX";
	cs->status_reason = strdup("No updates are to be performed.");
	assert_false(cfn_change_set_is_empty(cs));
	cs->status = (char *)"CREATE_COMPLETEX";
	size_t nchanges = cs->nchanges;
	cs->nchanges = 0;
	assert_false(cfn_change_set_is_empty(cs));
	cs->nchanges = nchanges;
	cs->status = orig;
	cfn_change_set_free(cs);
	xml_free(d);
}

static void free_events(cfn_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cfn_event_clear(&ev[i]);
	free(ev);
}

/* The seen set: every id marked is found whatever the order of marking, no near id is, a
 * look without mark adds nothing, a second mark adds nothing; events without an id are left
 * out and the missing texts are "?". */
static void test_tracker_and_event_edges(void **state)
{
	(void)state;
	cfn_event_tracker t;
	assert_true(cfn_event_tracker_init(&t, "s", 0));
	static const char *const marked[] = {"e05", "e01", "e09", "e03", "e07", "e0",
	                                     "e1",  "a",   "z",   "e08", "e02"};
	const size_t n = sizeof marked / sizeof marked[0];
	for (size_t i = 0; i < n; i++) {
		assert_false(cfn_event_tracker_seen(&t, marked[i], false));
		assert_int_equal(t.nseen, i);
		assert_false(cfn_event_tracker_seen(&t, marked[i], true));
		assert_int_equal(t.nseen, i + 1);
		for (size_t k = 0; k <= i; k++)
			if (!cfn_event_tracker_seen(&t, marked[k], false))
				fail_msg("%s lost after marking %s", marked[k], marked[i]);
	}
	assert_true(cfn_event_tracker_seen(&t, "e05", true));
	assert_int_equal(t.nseen, n);
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(t.seen[i - 1], t.seen[i]) < 0);
	static const char *const near[] = {"e04", "e10", "e", "e011", "", "b", "zz", "e00", "E01"};
	for (size_t i = 0; i < sizeof near / sizeof near[0]; i++)
		if (cfn_event_tracker_seen(&t, near[i], false))
			fail_msg("%s seen", near[i]);
	cfn_event_tracker_free(&t);
	xml_doc *d =
	    parse("<r><StackEvents><member><LogicalResourceId>x</LogicalResourceId>"
	          "</member><other/><member><EventId>b</EventId></member>"
	          "<member><EventId>c</EventId><ResourceStatus>S</ResourceStatus>"
	          "<Timestamp>2024-05-01T09:00:00Z</Timestamp></member></StackEvents></r>");
	cfn_event *ev = NULL;
	size_t nev = 0;
	char *next = NULL;
	assert_true(cfn_parse_events_page(xml_root(d), &ev, &nev, &next));
	assert_null(next);
	assert_int_equal(nev, 2);
	assert_string_equal(ev[0].id, "b");
	assert_string_equal(ev[0].logical_id, "?");
	assert_string_equal(ev[0].resource_type, "?");
	assert_string_equal(ev[0].status, "?");
	assert_int_equal(ev[0].timestamp, 0);
	assert_string_equal(ev[1].status, "S");
	assert_int_equal(ev[1].timestamp, 1714554000);
	free_events(ev, nev);
	xml_free(d);
	d = parse("<r><StackEvents/></r>");
	assert_true(cfn_parse_events_page(xml_root(d), &ev, &nev, &next));
	assert_int_equal(nev, 0);
	free(ev);
	xml_free(d);
}

static void test_events_once_oldest_first(void **state)
{
	(void)state;
	aws_client *c = recorded("deploy-update");
	cfn_event_tracker t;
	assert_true(cfn_event_tracker_init(&t, "lms-rec", 0));
	cfn_event *ev = NULL;
	size_t n = 0;
	lms_error err = {0};
	/* the first answer: the history (the baseline) */
	assert_true(cfn_poll_events(c, &t, &ev, &n, &err));
	assert_int_equal(n, 2);
	assert_string_equal(ev[0].id, "old-1");
	assert_string_equal(ev[1].id, "old-2");
	free_events(ev, n);
	/* the second: four new events ahead of the same history */
	assert_true(cfn_poll_events(c, &t, &ev, &n, &err));
	assert_int_equal(n, 4);
	const char *want[] = {"new-1", "new-2a", "new-2b", "new-3"};
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(ev[i].id, want[i]);
	assert_string_equal(ev[3].status, "UPDATE_COMPLETE");
	assert_string_equal(ev[0].reason, "User Initiated");
	assert_string_equal(ev[0].client_request_token, "lmsctl-token");
	assert_int_equal(ev[3].timestamp, 1714645230);
	free_events(ev, n);
	/* the same answer again: nothing new */
	assert_true(cfn_poll_events(c, &t, &ev, &n, &err));
	assert_int_equal(n, 0);
	free(ev);
	assert_int_equal(t.nseen, 6);
	cfn_event_tracker_free(&t);
	aws_client_free(c);
}

static void test_events_before_since_are_history(void **state)
{
	(void)state;
	aws_client *c = recorded("deploy-rollback");
	cfn_event_tracker t;
	/* from 2024-05-01T09:05:00Z: old-1 (09:00) is history, old-2 (09:10) is not */
	assert_true(cfn_event_tracker_init(&t, "lms-rec", 1714554300));
	cfn_event *ev = NULL;
	size_t n = 0;
	assert_true(cfn_poll_events(c, &t, &ev, &n, NULL));
	assert_int_equal(n, 1);
	assert_string_equal(ev[0].id, "old-2");
	free_events(ev, n);
	assert_true(cfn_poll_events(c, &t, &ev, &n, NULL));
	assert_int_equal(n, 6);
	assert_string_equal(ev[2].status, "UPDATE_FAILED");
	assert_true(ops_event_status_failed(ev[2].status));
	assert_non_null(strstr(ev[2].reason, "cache.t4g.huge is not a valid node type"));
	assert_string_equal(ev[5].status, "UPDATE_ROLLBACK_COMPLETE");
	free_events(ev, n);
	cfn_event_tracker_free(&t);
	aws_client_free(c);
}

static void test_event_pages_parse(void **state)
{
	(void)state;
	xml_doc *d =
	    parse("<R><DescribeStackEventsResult><StackEvents>"
	          "<member><EventId>b</EventId><LogicalResourceId>L</LogicalResourceId>"
	          "<ResourceStatus>CREATE_FAILED</ResourceStatus><Timestamp>2024-01-02T03:04:"
	          "05Z</Timestamp></member>"
	          "<member><LogicalResourceId>no id: skipped</LogicalResourceId></member>"
	          "<member><EventId>a</EventId></member>"
	          "</StackEvents><NextToken>tok</NextToken></DescribeStackEventsResult></R>");
	cfn_event *ev = NULL;
	size_t n = 0;
	char *next = NULL;
	assert_true(cfn_parse_events_page(xml_child(xml_root(d), "DescribeStackEventsResult"), &ev,
	                                  &n, &next));
	assert_int_equal(n, 2);
	assert_string_equal(next, "tok");
	assert_string_equal(ev[0].id, "b");
	assert_int_equal(ev[0].timestamp, 1704164645);
	assert_string_equal(ev[1].logical_id, "?");
	assert_string_equal(ev[1].status, "?");
	assert_null(ev[1].reason);
	free(next);
	free_events(ev, n);
	xml_free(d);

	cfn_event_tracker t;
	assert_true(cfn_event_tracker_init(&t, "s", 0));
	const char *ids[] = {"m", "c", "x", "a", "c", "z"};
	for (size_t i = 0; i < 6; i++)
		cfn_event_tracker_seen(&t, ids[i], true);
	assert_int_equal(t.nseen, 5);
	for (size_t i = 1; i < t.nseen; i++)
		assert_true(strcmp(t.seen[i - 1], t.seen[i]) < 0);
	assert_true(cfn_event_tracker_seen(&t, "x", false));
	assert_false(cfn_event_tracker_seen(&t, "y", false));
	cfn_event_tracker_free(&t);
}

static void test_tokens_times(void **state)
{
	(void)state;
	/* (the statuses' asserts moved with the classifier: tests/test_ops_status.c) */
	buf a, b;
	buf_init(&a, 0);
	buf_init(&b, 0);
	assert_true(cfn_new_token(&a));
	assert_true(cfn_new_token(&b));
	assert_int_equal(a.len, strlen("lmsctl-") + 32);
	assert_string_not_equal(buf_cstr(&a), buf_cstr(&b));
	buf_free(&a);
	buf_free(&b);
	assert_int_equal(cfn_parse_time("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(cfn_parse_time("2024-02-29T23:59:59.999Z"), 1709251199);
	assert_int_equal(cfn_parse_time("2024-13-01T00:00:00Z"), 0);
	assert_int_equal(cfn_parse_time("yesterday"), 0);
	assert_int_equal(cfn_parse_time(NULL), 0);
}

static void test_recovery_calls_and_template(void **state)
{
	(void)state;
	aws_client *c = recorded("protected");
	buf tpl;
	buf_init(&tpl, 0);
	lms_error err = {0};
	if (!cfn_get_template(c, "lms-rec", &tpl, &err))
		fail_msg("%s", err.msg);
	assert_non_null(strstr(buf_cstr(&tpl), "IsProd: !Equals [!Ref Environment, prod]"));
	assert_non_null(strstr(buf_cstr(&tpl), "DeletionProtection: !If [IsProd, true, false]"));
	buf_free(&tpl);
	char *phys = NULL;
	assert_true(cfn_describe_stack_resource(c, "lms-rec", "DatabaseCluster", &phys, &err));
	assert_string_equal(phys, "lms-db-cluster-rec");
	free(phys);
	aws_client_free(c);
	/* a scenario without the answer: reported, not crashed */
	c = recorded("outputs");
	assert_false(cfn_cancel_update_stack(c, "lms-rec", "tok", &err));
	assert_non_null(strstr(err.msg, "CloudFormation CancelUpdateStack: NoRecording"));
	lms_error_clear(&err);
	assert_false(cfn_continue_update_rollback(c, "lms-rec", NULL, "tok", &err));
	lms_error_clear(&err);
	aws_client_free(c);
}

static void test_sts(void **state)
{
	(void)state;
	aws_client *c = recorded("outputs");
	sts_identity id;
	lms_error err = {0};
	if (!sts_get_caller_identity(c, &id, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(id.account, "123456789012");
	assert_string_equal(id.arn, "arn:aws:sts::123456789012:assumed-role/lms-operator/ops");
	sts_identity_free(&id);
	aws_client_free(c);

	xml_doc *d =
	    parse("<AssumeRoleResponse><AssumeRoleResult><Credentials>"
	          "<AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>s3cr3t</"
	          "SecretAccessKey><SessionToken>tok</SessionToken><Expiration>2024-05-02T"
	          "11:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::1:"
	          "assumed-role/r/s</Arn></AssumedRoleUser></AssumeRoleResult>"
	          "</AssumeRoleResponse>");
	credentials *cr = NULL;
	assert_true(sts_parse_assume_role(xml_child(xml_root(d), "AssumeRoleResult"), &cr, &err));
	assert_string_equal(cr->access_key_id, "ASIAEXAMPLE");
	assert_string_equal(cr->secret_access_key, "s3cr3t");
	assert_string_equal(cr->session_token, "tok");
	assert_int_equal(cr->expiration, 1714647600);
	assert_string_equal(cr->source, "role arn:aws:sts::1:assumed-role/r/s (AssumeRole)");
	credentials_free(cr);
	xml_free(d);
	d = parse("<AssumeRoleResponse><AssumeRoleResult/></AssumeRoleResponse>");
	assert_false(sts_parse_assume_role(xml_child(xml_root(d), "AssumeRoleResult"), &cr, &err));
	assert_null(cr);
	lms_error_clear(&err);
	xml_free(d);
}

/* AssumeRole's answer: each credential part present and non-empty (an empty token is a
 * token); the request: DurationSeconds only when positive, the MFA and web identity
 * parameters, the secrets "****" in the log. */
static aws_client *recorded_with_log(const char *scenario);
static buf call_bodies;

static void test_sts_edges(void **state)
{
	(void)state;
	static const struct {
		const char *creds;
		bool ok;
	} answers[] = {
	    {"<AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey>"
	     "<SessionToken></SessionToken>",
	     true},
	    {"<AccessKeyId></AccessKeyId><SecretAccessKey>S</SecretAccessKey>"
	     "<SessionToken>T</SessionToken>",
	     false},
	    {"<AccessKeyId>A</AccessKeyId><SecretAccessKey></SecretAccessKey>"
	     "<SessionToken>T</SessionToken>",
	     false},
	    {"<AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey>", false},
	    {"<SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken>", false},
	    {"<AccessKeyId>A</AccessKeyId><SessionToken>T</SessionToken>", false},
	};
	for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
		char xml[512];
		snprintf(xml, sizeof xml, "<R><Credentials>%s</Credentials></R>", answers[i].creds);
		xml_doc *d = parse(xml);
		credentials *cr = NULL;
		lms_error err = {0};
		assert_int_equal(sts_parse_assume_role(xml_root(d), &cr, &err), answers[i].ok);
		if (answers[i].ok) {
			assert_string_equal(cr->session_token, "");
			assert_string_equal(cr->source, "role ? (AssumeRole)");
			assert_int_equal(cr->expiration, 0);
		} else {
			assert_null(cr);
			assert_non_null(strstr(err.msg, "no credentials"));
		}
		credentials_free(cr);
		lms_error_clear(&err);
		xml_free(d);
	}
	/* the requests */
	static const struct {
		sts_assume_request rq;
		const char *want;
	} requests[] = {
	    {{.role_arn = "r", .session_name = "s", .duration_seconds = 0},
	     "Action=AssumeRole&Version=2011-06-15&RoleArn=r&RoleSessionName=s\n"},
	    {{.role_arn = "r",
	      .session_name = "s",
	      .duration_seconds = 1,
	      .external_id = "e",
	      .serial_number = "m",
	      .token_code = "123456"},
	     "Action=AssumeRole&Version=2011-06-15&RoleArn=r&RoleSessionName=s&DurationSeconds=1&"
	     "ExternalId=e&SerialNumber=m&TokenCode=****\n"},
	    {{.role_arn = "r",
	      .session_name = "s",
	      .duration_seconds = -1,
	      .external_id = "e",
	      .web_identity_token = "jwt"},
	     "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=r&RoleSessionName=s&"
	     "WebIdentityToken=****\n"},
	};
	for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
		aws_client *c = recorded_with_log("outputs");
		credentials *cr = NULL;
		lms_error err = {0};
		assert_false(sts_assume_role(c, &requests[i].rq, &cr, &err));
		assert_null(cr);
		lms_error_clear(&err);
		assert_string_equal(buf_cstr(&call_bodies), requests[i].want);
		aws_client_free(c);
	}
	buf_free(&call_bodies);
}

static void test_s3_names_and_policy(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 0);
	assert_true(s3_artifact_bucket_name("123456789012", "eu-west-1", &b));
	assert_string_equal(buf_cstr(&b), "lmsctl-artifacts-123456789012-eu-west-1");
	assert_true(b.len <= 63);
	buf_reset(&b);
	assert_true(s3_object_url("bkt", "eu-west-1", "lms-dev/a b+c.yaml", &b));
	assert_string_equal(buf_cstr(&b),
	                    "https://bkt.s3.eu-west-1.amazonaws.com/lms-dev/a%20b%2Bc.yaml");
	buf_reset(&b);
	assert_true(s3_object_url("bkt", "cn-north-1", "k", &b));
	assert_string_equal(buf_cstr(&b), "https://bkt.s3.cn-north-1.amazonaws.com.cn/k");
	buf_reset(&b);
	assert_true(s3_tls_only_policy("bkt", &b));
	json_error_t je;
	json_t *p = json_loads(buf_cstr(&b), 0, &je);
	assert_non_null(p);
	json_t *st = json_array_get(json_object_get(p, "Statement"), 0);
	assert_string_equal(json_string_value(json_object_get(st, "Effect")), "Deny");
	assert_string_equal(json_string_value(json_array_get(json_object_get(st, "Resource"), 1)),
	                    "arn:aws:s3:::bkt/*");
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(json_object_get(st, "Condition"), "Bool"), "aws:SecureTransport")),
	    "false");
	json_decref(p);
	buf_free(&b);
}

typedef struct s3_seen {
	int n;
	char body[512];
	char headers[512];
	char path[256];
} s3_seen;

static void record_s3(void *ctx, const aws_call_record *rec)
{
	s3_seen *s = ctx;
	s->n++;
	const aws_request *req = rec->req;
	snprintf(s->body, sizeof s->body, "%.*s", (int)req->body_len,
	         req->body ? (const char *)req->body : "");
	s->headers[0] = '\0';
	for (size_t i = 0; i < req->nheaders; i++) {
		size_t used = strlen(s->headers);
		snprintf(s->headers + used, sizeof s->headers - used, "%s: %s\n",
		         req->headers[i].name, req->headers[i].value);
	}
	snprintf(s->path, sizeof s->path, "%s", req->path ? req->path : "");
}

static aws_client *s3_client(const char *scenario, s3_seen *seen)
{
	char url[256];
	snprintf(url, sizeof url, "%s/%s", server.url, scenario);
	aws_client_options o = {.region = "eu-west-1",
	                        .endpoint_url = url,
	                        .backoff_unit_ms = 10,
	                        .on_call = record_s3,
	                        .on_call_ctx = seen};
	aws_client *c = aws_client_new(&o, &creds, NULL);
	assert_non_null(c);
	memset(seen, 0, sizeof *seen);
	return c;
}

/* S3: the location constraint everywhere but us-east-1 exactly; the conflict codes exactly;
 * a PUT's headers; the China partition by its "cn-" prefix. */
static void test_s3_edges(void **state)
{
	(void)state;
	s3_seen seen;
	lms_error err = {0};
	static const struct {
		const char *region;
		bool constraint;
	} regions[] = {
	    {"us-east-1", false}, {"us-east-1x", true}, {"us-east-", true}, {"eu-west-1", true}};
	for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++) {
		aws_client *c = s3_client("echo/b1", &seen);
		if (!s3_create_bucket(c, "bkt", regions[i].region, &err))
			fail_msg("%s: %s", regions[i].region, err.msg);
		assert_int_equal(seen.n, 1);
		if (regions[i].constraint) {
			char want[128];
			snprintf(want, sizeof want, "<LocationConstraint>%s</LocationConstraint>",
			         regions[i].region);
			assert_non_null(strstr(seen.body, want));
			assert_non_null(strstr(seen.headers, "Content-MD5: "));
		} else {
			assert_string_equal(seen.body, "");
			assert_string_equal(seen.headers, "");
		}
		aws_client_free(c);
	}
	static const struct {
		const char *code;
		bool ok;
		bool taken;
	} codes[] = {
	    {"BucketAlreadyOwnedByYou", true, false}, {"BucketAlreadyOwnedByYouX", false, false},
	    {"BucketAlreadyOwnedByYo", false, false}, {"BucketAlreadyExists", false, true},
	    {"BucketAlreadyExistsX", false, false},   {"BucketAlreadyExist", false, false},
	};
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		char scenario[96];
		snprintf(scenario, sizeof scenario, "s3code/%s", codes[i].code);
		aws_client *c = s3_client(scenario, &seen);
		bool ok = s3_create_bucket(c, "bkt", "eu-west-1", &err);
		if (ok != codes[i].ok)
			fail_msg("%s: %d", codes[i].code, (int)ok);
		if (!ok) {
			bool taken = strstr(err.msg, "taken by another account") != NULL;
			if (taken != codes[i].taken)
				fail_msg("%s: %s", codes[i].code, err.msg);
		} else {
			assert_null(err.msg);
		}
		lms_error_clear(&err);
		aws_client_free(c);
	}
	/* a PUT of an object: MD5 and type of its body, the expected owner when known */
	aws_client *c = s3_client("echo/b2", &seen);
	assert_true(s3_put_object(c, "bkt", "123456789012", "a b/c", NULL, 0, NULL, &err));
	assert_string_equal(seen.headers, "Content-MD5: 1B2M2Y8AsgTpgAmY7PhCfg==\n"
	                                  "Content-Type: text/yaml\n"
	                                  "x-amz-expected-bucket-owner: 123456789012\n");
	assert_string_equal(seen.path, "/a%20b/c");
	assert_true(s3_put_object(c, "bkt", NULL, "k", "abc", 3, "text/plain", &err));
	assert_string_equal(seen.headers,
	                    "Content-MD5: kAFQmDzST7DWlj99KOF/cg==\nContent-Type: text/plain\n");
	assert_string_equal(seen.body, "abc");
	assert_true(s3_put_bucket_policy(c, "bkt", "1", &err));
	assert_non_null(strstr(seen.headers, "Content-Type: application/json\n"));
	assert_non_null(strstr(seen.body, "arn:aws:s3:::bkt/*"));
	assert_true(s3_put_bucket_lifecycle(c, "bkt", "1", &err));
	assert_non_null(strstr(seen.headers, "Content-Type: application/xml\n"));
	char days[64];
	snprintf(days, sizeof days, "<Days>%d</Days>", S3_ARTIFACT_EXPIRY_DAYS);
	assert_non_null(strstr(seen.body, days));
	/* the bucket exists (200): nothing created */
	bool created = true;
	seen.n = 0;
	assert_true(s3_ensure_artifact_bucket(c, "bkt", "1", "eu-west-1", &created, &err));
	assert_false(created);
	assert_int_equal(seen.n, 1);
	aws_client_free(c);
	/* HeadBucket: 200 is there, 404 is not there, 403 is someone else's, others errors */
	static const struct {
		const char *scenario;
		int want;
		bool taken;
	} heads[] = {{"echo/h", 1, false},
	             {"status/404", 0, false},
	             {"status/403", -1, true},
	             {"status/400", -1, false},
	             {"status/405", -1, false}};
	for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
		c = s3_client(heads[i].scenario, &seen);
		assert_int_equal(s3_head_bucket(c, "bkt", "123456789012", &err), heads[i].want);
		if (heads[i].want == 0 || heads[i].want == 1)
			assert_null(err.msg);
		else if ((strstr(err.msg, "is not this account's") != NULL) != heads[i].taken)
			fail_msg("%s: %s", heads[i].scenario, err.msg);
		assert_non_null(strstr(seen.headers, "x-amz-expected-bucket-owner: 123456789012"));
		lms_error_clear(&err);
		aws_client_free(c);
	}
	buf b;
	buf_init(&b, 0);
	assert_true(s3_object_url("bkt", "cnx-1", "k", &b));
	assert_string_equal(buf_cstr(&b), "https://bkt.s3.cnx-1.amazonaws.com/k");
	buf_reset(&b);
	assert_true(s3_object_url("bkt", "cn-northwest-1", "k", &b));
	assert_string_equal(buf_cstr(&b), "https://bkt.s3.cn-northwest-1.amazonaws.com.cn/k");
	buf_free(&b);
}

/* AWS Backup: a recovery point without a vault goes to an empty vault segment, with one to
 * its vault, encoded. */
static void test_cleanup_paths(void **state)
{
	(void)state;
	s3_seen seen;
	lms_error err = {0};
	aws_client *c = s3_client("echo/cl", &seen);
	aws_leftover l = {.kind = AWS_LEFTOVER_RECOVERY_POINT, .id = (char *)"arn:p/1"};
	assert_true(aws_delete_leftover(c, &l, &err));
	assert_string_equal(seen.path, "/backup-vaults//recovery-points/arn%3Ap%2F1");
	l.vault = (char *)"v 1";
	assert_true(aws_delete_leftover(c, &l, &err));
	assert_string_equal(seen.path, "/backup-vaults/v%201/recovery-points/arn%3Ap%2F1");
	aws_client_free(c);
}

/* ---- cleanup: lists and deletes against the "cleanup" recording ------------------------ */

typedef struct cleanup_seen {
	buf calls; /* "METHOD path?query body\n" per request */
} cleanup_seen;

static void record_cleanup(void *ctx, const aws_call_record *rec)
{
	cleanup_seen *s = ctx;
	const aws_request *req = rec->req;
	const char *path = req->path ? req->path : "/";
	buf_addf(&s->calls, "%s %s%s%s %.*s\n", req->method, path, req->query ? "?" : "",
	         req->query ? req->query : "", (int)req->body_len,
	         req->body ? (const char *)req->body : "");
}

/* A client on a fresh key of the "cleanup" recording (numbered answers from 1). */
static aws_client *cleanup_client(cleanup_seen *seen)
{
	char url[256];
	snprintf(url, sizeof url, "%s/recorded/cleanup/k%d-%ld", server.url, ++key_counter,
	         (long)getpid());
	buf_init(&seen->calls, 0);
	aws_client_options o = {.region = "eu-west-1",
	                        .endpoint_url = url,
	                        .backoff_unit_ms = 10,
	                        .on_call = record_cleanup,
	                        .on_call_ctx = seen};
	aws_client *c = aws_client_new(&o, &creds, NULL);
	assert_non_null(c);
	return c;
}

/* Log groups: every page to an empty nextToken, entries without a name skipped, the
 * prefix on every page and the token on the next. */
static void test_cleanup_log_groups(void **state)
{
	(void)state;
	cleanup_seen seen;
	lms_error err = {0};
	aws_leftovers l = {0};
	aws_client *c = cleanup_client(&seen);
	if (!aws_list_log_groups(c, "/lms/", &l, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].kind, AWS_LEFTOVER_LOG_GROUP);
	assert_string_equal(l.v[0].id, "/lms/a");
	assert_string_equal(l.v[0].name, "/lms/a");
	assert_null(l.v[0].owner);
	assert_null(l.v[0].vault);
	assert_null(l.v[0].when);
	assert_string_equal(l.v[1].id, "/lms/b");
	assert_string_equal(buf_cstr(&seen.calls),
	                    "POST / {\"logGroupNamePrefix\":\"/lms/\"}\n"
	                    "POST / {\"logGroupNamePrefix\":\"/lms/\",\"nextToken\":\"t 1\"}\n");
	/* take moves the item, the last one fills its place */
	aws_leftovers to = {0};
	assert_true(aws_leftovers_take(&l, 0, &to));
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].id, "/lms/b");
	assert_int_equal(to.n, 1);
	assert_string_equal(to.v[0].id, "/lms/a");
	aws_leftovers_free(&to);
	aws_leftovers_free(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
	buf_free(&seen.calls);
	aws_client_free(c);
}

/* Secrets: only those with a DeletedDate (a number to whole seconds, a string as sent, any
 * other value no date); the owner from the two tags exactly, the last one found; no ARN, no
 * entry; an empty name is the ARN. */
static void test_cleanup_secrets(void **state)
{
	(void)state;
	cleanup_seen seen;
	lms_error err = {0};
	aws_leftovers l = {0};
	aws_client *c = cleanup_client(&seen);
	if (!aws_list_deleted_secrets(c, &l, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.v[0].kind, AWS_LEFTOVER_SECRET);
	assert_string_equal(l.v[0].id, "arn:s1");
	assert_string_equal(l.v[0].name, "n1");
	assert_string_equal(l.v[0].owner, "lms-rec");
	assert_string_equal(l.v[0].when, "1714650000");
	assert_string_equal(l.v[1].id, "arn:s2");
	assert_string_equal(l.v[1].name, "arn:s2");
	assert_null(l.v[1].owner);
	assert_string_equal(l.v[1].when, "2024-05-02T10:00:00Z");
	assert_string_equal(l.v[2].id, "arn:s3");
	assert_string_equal(l.v[2].owner, "arn:c");
	assert_null(l.v[2].when);
	assert_string_equal(l.v[3].id, "arn:s7");
	assert_string_equal(l.v[3].name, "arn:s7");
	assert_string_equal(l.v[3].when, "0");
	assert_string_equal(buf_cstr(&seen.calls),
	                    "POST / {\"IncludePlannedDeletion\":true,\"MaxResults\":100}\n"
	                    "POST / {\"IncludePlannedDeletion\":true,\"MaxResults\":100,"
	                    "\"NextToken\":\"p2\"}\n");
	aws_leftovers_free(&l);
	buf_free(&seen.calls);
	aws_client_free(c);
}

/* Cluster snapshots: "automated" exactly is left out; pages to an empty Marker. */
static void test_cleanup_snapshots(void **state)
{
	(void)state;
	cleanup_seen seen;
	lms_error err = {0};
	aws_leftovers l = {0};
	aws_client *c = cleanup_client(&seen);
	if (!aws_list_cluster_snapshots(c, "lms-db", &l, &err))
		fail_msg("%s", err.msg);
	static const char *const ids[] = {"snap-manual", "snap-autox", "snap-autom", "snap-untyped",
	                                  "snap-2"};
	assert_int_equal(l.n, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(l.v[i].kind, AWS_LEFTOVER_CLUSTER_SNAPSHOT);
		assert_string_equal(l.v[i].id, ids[i]);
	}
	assert_string_equal(l.v[0].owner, "lms-db");
	assert_string_equal(l.v[0].when, "2024-05-01T00:00:00Z");
	assert_null(l.v[1].owner);
	assert_null(l.v[1].when);
	assert_string_equal(
	    buf_cstr(&seen.calls),
	    "POST / "
	    "Action=DescribeDBClusterSnapshots&Version=2014-10-31&DBClusterIdentifier=lms-db\n"
	    "POST / Action=DescribeDBClusterSnapshots&Version=2014-10-31&DBClusterIdentifier="
	    "lms-db&Marker=m+1\n");
	aws_leftovers_free(&l);
	buf_free(&seen.calls);
	aws_client_free(c);
}

/* Recovery points: every vault of every page, every page of each vault; a vault without a
 * name and a point without an ARN skipped. */
static void test_cleanup_recovery_points(void **state)
{
	(void)state;
	cleanup_seen seen;
	lms_error err = {0};
	aws_leftovers l = {0};
	aws_client *c = cleanup_client(&seen);
	if (!aws_list_recovery_points(c, &l, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].kind, AWS_LEFTOVER_RECOVERY_POINT);
	assert_string_equal(l.v[0].id, "arn:p1");
	assert_string_equal(l.v[0].owner, "arn:r1");
	assert_string_equal(l.v[0].vault, "v 1");
	assert_string_equal(l.v[1].id, "arn:p2");
	assert_null(l.v[1].owner);
	assert_string_equal(l.v[1].vault, "v 1");
	assert_string_equal(l.v[2].id, "arn:p3");
	assert_string_equal(l.v[2].vault, "v2");
	assert_string_equal(buf_cstr(&seen.calls),
	                    "GET /backup-vaults/?maxResults=1000 \n"
	                    "GET /backup-vaults/v%201/recovery-points/?maxResults=1000 \n"
	                    "GET /backup-vaults/v%201/recovery-points/"
	                    "?maxResults=1000&nextToken=x%2B1 \n"
	                    "GET /backup-vaults/?maxResults=1000&nextToken=n%2F1 \n"
	                    "GET /backup-vaults/v2/recovery-points/?maxResults=1000 \n");
	aws_leftovers_free(&l);
	buf_free(&seen.calls);
	aws_client_free(c);
}

/* Deletes: ResourceNotFoundException and DBClusterSnapshotNotFoundFault exactly count as
 * done, a longer or shorter code is an error; a secret is restored, then deleted, and a
 * refused restore deletes nothing. */
static void test_cleanup_deletes(void **state)
{
	(void)state;
	cleanup_seen seen;
	lms_error err = {0};
	aws_client *c = cleanup_client(&seen);
	aws_leftover g = {.kind = AWS_LEFTOVER_LOG_GROUP, .id = (char *)"/lms/a"};
	assert_true(aws_delete_leftover(c, &g, &err));
	assert_false(aws_delete_leftover(c, &g, &err));
	assert_non_null(strstr(err.msg, "ResourceNotFoundExceptionX"));
	lms_error_clear(&err);
	assert_false(aws_delete_leftover(c, &g, &err));
	assert_non_null(strstr(err.msg, "ResourceNotFoundExceptio"));
	lms_error_clear(&err);
	assert_true(aws_delete_leftover(c, &g, &err));
	aws_leftover s = {.kind = AWS_LEFTOVER_SECRET, .id = (char *)"arn:s1"};
	assert_true(aws_delete_leftover(c, &s, &err));
	assert_false(aws_delete_leftover(c, &s, &err));
	assert_non_null(strstr(err.msg, "AccessDeniedException"));
	lms_error_clear(&err);
	aws_leftover p = {
	    .kind = AWS_LEFTOVER_RECOVERY_POINT, .id = (char *)"arn:p1", .vault = (char *)"v"};
	assert_true(aws_delete_leftover(c, &p, &err));
	assert_true(aws_delete_leftover(c, &p, &err));
	aws_leftover n = {.kind = AWS_LEFTOVER_CLUSTER_SNAPSHOT, .id = (char *)"snap-1"};
	assert_true(aws_delete_leftover(c, &n, &err));
	assert_false(aws_delete_leftover(c, &n, &err));
	assert_non_null(strstr(err.msg, "DBClusterSnapshotNotFoundFaul"));
	lms_error_clear(&err);
	assert_true(aws_delete_leftover(c, &n, &err));
	aws_leftover bad = {.kind = (aws_leftover_kind)99, .id = (char *)"x"};
	assert_false(aws_delete_leftover(c, &bad, &err));
	assert_string_equal(
	    buf_cstr(&seen.calls),
	    "POST / {\"logGroupName\":\"/lms/a\"}\n"
	    "POST / {\"logGroupName\":\"/lms/a\"}\n"
	    "POST / {\"logGroupName\":\"/lms/a\"}\n"
	    "POST / {\"logGroupName\":\"/lms/a\"}\n"
	    "POST / {\"SecretId\":\"arn:s1\"}\n"
	    "POST / {\"SecretId\":\"arn:s1\",\"ForceDeleteWithoutRecovery\":true}\n"
	    "POST / {\"SecretId\":\"arn:s1\"}\n"
	    "DELETE /backup-vaults/v/recovery-points/arn%3Ap1 \n"
	    "DELETE /backup-vaults/v/recovery-points/arn%3Ap1 \n"
	    "POST / "
	    "Action=DeleteDBClusterSnapshot&Version=2014-10-31&DBClusterSnapshotIdentifier=snap-1\n"
	    "POST / "
	    "Action=DeleteDBClusterSnapshot&Version=2014-10-31&DBClusterSnapshotIdentifier=snap-1\n"
	    "POST / "
	    "Action=DeleteDBClusterSnapshot&Version=2014-10-31&DBClusterSnapshotIdentifier=snap-"
	    "1\n");
	buf_free(&seen.calls);
	aws_client_free(c);
}

/* ---- the credential chain ---------------------------------------------------------------- */

static char tmpdir[64];

static void write_text(const char *name, const char *text)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void chain_env(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/lmsctl-provider-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	static const char *const unset[] = {"AWS_ACCESS_KEY_ID",
	                                    "AWS_SECRET_ACCESS_KEY",
	                                    "AWS_SESSION_TOKEN",
	                                    "AWS_PROFILE",
	                                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	                                    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	                                    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
	                                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	                                    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
	                                    "AWS_REGION",
	                                    "AWS_DEFAULT_REGION"};
	for (size_t i = 0; i < sizeof unset / sizeof unset[0]; i++)
		unsetenv(unset[i]);
	setenv("HOME", tmpdir, 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	char path[128];
	snprintf(path, sizeof path, "%s/config", tmpdir);
	setenv("AWS_CONFIG_FILE", path, 1);
	snprintf(path, sizeof path, "%s/credentials", tmpdir);
	setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
	write_text("credentials", "[base]\naws_access_key_id = AKIDBASE\n"
	                          "aws_secret_access_key = base-secret\n");
	/* [default]'s keys are the default profile's only: a named profile that
	 * lacks mfa_serial does not take it from there */
	write_text("config", "[default]\n"
	                     "mfa_serial = arn:aws:iam::123456789012:mfa/default\n"
	                     "[profile defaultish]\n"
	                     "role_arn = arn:aws:iam::123456789012:role/lms-operator\n"
	                     "source_profile = base\n"
	                     "[profile ops]\n"
	                     "role_arn = arn:aws:iam::123456789012:role/lms-operator\n"
	                     "source_profile = base\n"
	                     "external_id = lms-ext\n"
	                     "duration_seconds = 3600\n"
	                     "[profile chained]\n"
	                     "role_arn = arn:aws:iam::123456789012:role/lms-cloudformation-x\n"
	                     "source_profile = ops\n"
	                     "[profile mfa]\n"
	                     "role_arn = arn:aws:iam::123456789012:role/lms-operator\n"
	                     "source_profile = base\n"
	                     "mfa_serial = arn:aws:iam::123456789012:mfa/ops\n"
	                     "[profile loop]\n"
	                     "role_arn = arn:aws:iam::123456789012:role/x\n"
	                     "source_profile = loop\n"
	                     "[profile nosource]\n"
	                     "role_arn = arn:aws:iam::123456789012:role/x\n"
	                     "[profile badsource]\n"
	                     "role_arn = arn:aws:iam::123456789012:role/x\n"
	                     "source_profile = nope\n");
}

static void chain_cleanup(void)
{
	const char *files[] = {"credentials", "config", "token"};
	for (size_t i = 0; i < 3; i++) {
		char path[128];
		snprintf(path, sizeof path, "%s/%s", tmpdir, files[i]);
		unlink(path);
	}
	rmdir(tmpdir);
	unsetenv("AWS_CONFIG_FILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
}

/* Role profiles at their edges: a chain of 5 source profiles but not 6, duration_seconds
 * from 900 to 43200, the credential_source names exactly, an empty setting as none, the web
 * identity token trimmed at its end only. */
static void test_role_profile_edges(void **state)
{
	(void)state;
	chain_env();
	buf cfg;
	buf_init(&cfg, 0);
	buf_adds(&cfg, "[profile r1]\nrole_arn = arn:aws:iam::123456789012:role/x\n"
	               "source_profile = base\n");
	for (int i = 2; i <= 6; i++)
		buf_addf(&cfg,
		         "[profile r%d]\nrole_arn = arn:aws:iam::123456789012:role/x\n"
		         "source_profile = r%d\n",
		         i, i - 1);
	static const char *const durations[] = {"899", "900", "43200", "43201", "900x"};
	for (size_t i = 0; i < 5; i++)
		buf_addf(&cfg,
		         "[profile d%s]\nrole_arn = arn:aws:iam::123456789012:role/x\n"
		         "source_profile = base\nduration_seconds = %s\n",
		         durations[i], durations[i]);
	static const char *const sources[] = {
	    "Environment",   "environment",         "EnvironmentX",      "EcsContainer",
	    "EcsContainerX", "Ec2InstanceMetadata", "Ec2InstanceMetadat"};
	for (size_t i = 0; i < 7; i++)
		buf_addf(&cfg,
		         "[profile s%zu]\nrole_arn = arn:aws:iam::123456789012:role/x\n"
		         "credential_source = %s\n",
		         i, sources[i]);
	buf_addf(&cfg,
	         "[profile emptysource]\nrole_arn = arn:aws:iam::123456789012:role/x\n"
	         "source_profile =\n"
	         "[profile w1]\nrole_arn = arn:aws:iam::123456789012:role/w\n"
	         "web_identity_token_file = %s/tok1\nrole_session_name = me\n"
	         "[profile w2]\nrole_arn = arn:aws:iam::123456789012:role/w\n"
	         "web_identity_token_file = %s/tok2\n"
	         "[profile w3]\nrole_arn = arn:aws:iam::123456789012:role/w\n"
	         "web_identity_token_file = %s/tok3\n"
	         "[profile w4]\nrole_arn = arn:aws:iam::123456789012:role/w\n"
	         "web_identity_token_file = %s/missing\n"
	         "[profile w5]\nweb_identity_token_file = %s/tok1\n",
	         tmpdir, tmpdir, tmpdir, tmpdir, tmpdir);
	write_text("config", buf_cstr(&cfg));
	buf_free(&cfg);
	write_text("tok1", "test-oidc-token\n \t\r\n");
	write_text("tok2", " \n\t\n");
	write_text("tok3", " test-oidc-token");
	char url[256];
	snprintf(url, sizeof url, "%s/recorded/assume/e%ld", server.url, (long)getpid());
	provider_options o = {.region = "eu-west-1", .endpoint_url = url};
	static const struct {
		const char *profile;
		credentials_status st;
		const char *why;
	} cases[] = {
	    {"r5", CREDENTIALS_OK, NULL},
	    {"r6", CREDENTIALS_BAD_CONFIG, "more than 5 profiles chained"},
	    {"d899", CREDENTIALS_BAD_CONFIG, "must be 900 to 43200, not 899"},
	    {"d900", CREDENTIALS_OK, NULL},
	    {"d43200", CREDENTIALS_OK, NULL},
	    {"d43201", CREDENTIALS_BAD_CONFIG, "must be 900 to 43200, not 43201"},
	    {"d900x", CREDENTIALS_BAD_CONFIG, "must be 900 to 43200"},
	    {"s0", CREDENTIALS_BAD_CONFIG, "AWS_ACCESS_KEY_ID is not set"},
	    {"s1", CREDENTIALS_BAD_CONFIG, "an unknown credential_source"},
	    {"s2", CREDENTIALS_BAD_CONFIG, "an unknown credential_source"},
	    {"s3", CREDENTIALS_NOT_FOUND, NULL},
	    {"s4", CREDENTIALS_BAD_CONFIG, "an unknown credential_source"},
	    {"s5", CREDENTIALS_NOT_FOUND, NULL},
	    {"s6", CREDENTIALS_BAD_CONFIG, "an unknown credential_source"},
	    {"emptysource", CREDENTIALS_BAD_CONFIG, "has role_arn but no source_profile"},
	    {"w1", CREDENTIALS_OK, NULL},
	    {"w2", CREDENTIALS_BAD_CONFIG, "is empty"},
	    {"w3", CREDENTIALS_PROCESS_FAILED, "cannot assume"},
	    {"w4", CREDENTIALS_BAD_CONFIG, "web identity token file"},
	    {"w5", CREDENTIALS_BAD_CONFIG, "but no role_arn"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		o.profile = cases[i].profile;
		credentials *c = NULL;
		lms_error err = {0};
		credentials_status st = provider_resolve(&o, &c, &err);
		if (st != cases[i].st)
			fail_msg("%s: status %d (%s)", cases[i].profile, st,
			         err.msg ? err.msg : "");
		if (cases[i].why && !strstr(err.msg, cases[i].why))
			fail_msg("%s: '%s' lacks '%s'", cases[i].profile, err.msg, cases[i].why);
		if (st == CREDENTIALS_OK)
			assert_string_equal(c->access_key_id, cases[i].profile[0] == 'w'
			                                          ? "ASIAWEBIDENTITY"
			                                          : "ASIAASSUMED");
		credentials_free(c);
		lms_error_clear(&err);
	}
	const char *extra[] = {"tok1", "tok2", "tok3"};
	for (size_t i = 0; i < 3; i++) {
		char path[128];
		snprintf(path, sizeof path, "%s/%s", tmpdir, extra[i]);
		unlink(path);
	}
	chain_cleanup();
}

static void test_role_profiles(void **state)
{
	(void)state;
	chain_env();
	char url[256];
	snprintf(url, sizeof url, "%s/recorded/assume/p%ld", server.url, (long)getpid());
	provider_options o = {.profile = "ops", .region = "eu-west-1", .endpoint_url = url};
	credentials *c = NULL;
	lms_error err = {0};
	if (provider_resolve(&o, &c, &err) != CREDENTIALS_OK)
		fail_msg("%s", err.msg);
	assert_string_equal(c->access_key_id, "ASIAASSUMED");
	assert_string_equal(c->session_token, "assumed-token");
	assert_int_equal(c->expiration, 1714647600);
	assert_non_null(strstr(c->source,
	                       "role arn:aws:iam::123456789012:role/lms-operator through "
	                       "profile \"ops\""));
	credentials_free(c);
	/* a role whose source is a role: two AssumeRole calls */
	o.profile = "chained";
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_OK);
	credentials_free(c);
	char key[128];
	snprintf(key, sizeof key, "/_count/assume/p%ld/AssumeRole", (long)getpid());
	aws_client_options co = {.region = "eu-west-1", .endpoint_url = server.url};
	aws_client *counter = aws_client_new(&co, NULL, NULL);
	aws_request req = {.service = "sts", .operation = "Count", .method = "GET", .path = key};
	aws_response resp;
	aws_response_init(&resp);
	assert_true(aws_send(counter, &req, &resp, NULL));
	assert_string_equal(buf_cstr(&resp.body), "3");
	aws_response_free(&resp);
	aws_client_free(counter);
	/* refused, with the reason */
	static const struct {
		const char *profile;
		credentials_status st;
		const char *why;
	} bad[] = {
	    {"mfa", CREDENTIALS_UNSUPPORTED, "needs an MFA code"},
	    {"loop", CREDENTIALS_BAD_CONFIG, "names itself as source_profile"},
	    {"nosource", CREDENTIALS_BAD_CONFIG, "has role_arn but no source_profile"},
	    /* the profile that was being read is named, and who named it: not --profile */
	    {"badsource", CREDENTIALS_BAD_CONFIG,
	     "profile \"nope\" (from source_profile of profile \"badsource\") is not in"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		o.profile = bad[i].profile;
		assert_int_equal(provider_resolve(&o, &c, &err), bad[i].st);
		assert_null(c);
		if (!strstr(err.msg, bad[i].why))
			fail_msg("%s: %s", bad[i].profile, err.msg);
		lms_error_clear(&err);
	}
	/* a plain profile still resolves as credentials.c does */
	o.profile = "base";
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_OK);
	assert_string_equal(c->access_key_id, "AKIDBASE");
	credentials_free(c);
	/* a name that starts like "default" is a named profile */
	o.profile = "defaultish";
	if (provider_resolve(&o, &c, &err) != CREDENTIALS_OK)
		fail_msg("defaultish: %s", err.msg);
	credentials_free(c);
	/* the default profile written [profile default] is read there */
	write_text("config", "[profile default]\n"
	                     "role_arn = arn:aws:iam::123456789012:role/lms-operator\n"
	                     "source_profile = base\n");
	o.profile = "default";
	if (provider_resolve(&o, &c, &err) != CREDENTIALS_OK)
		fail_msg("default: %s", err.msg);
	assert_string_equal(c->access_key_id, "ASIAASSUMED");
	credentials_free(c);
	/* and written [default], as the AWS CLI writes it */
	write_text("config", "[default]\n"
	                     "role_arn = arn:aws:iam::123456789012:role/lms-operator\n"
	                     "source_profile = base\n");
	if (provider_resolve(&o, &c, &err) != CREDENTIALS_OK)
		fail_msg("[default]: %s", err.msg);
	assert_string_equal(c->access_key_id, "ASIAASSUMED");
	credentials_free(c);
	chain_cleanup();
}

static bool mfa_answer(void *ctx, const char *profile, const char *serial, buf *code)
{
	int *asked = ctx;
	(*asked)++;
	assert_string_equal(profile, "mfa");
	assert_string_equal(serial, "arn:aws:iam::123456789012:mfa/ops");
	buf_adds(code, *asked == 1 ? "123456" : "654321");
	return true;
}

/* mfa_serial: the code comes from the caller's prompt and goes to STS with the serial; a
 * wrong code is STS's refusal, said as such; no prompt (no terminal): refused before any
 * call. */
static void test_mfa_prompt(void **state)
{
	(void)state;
	chain_env();
	char url[256];
	snprintf(url, sizeof url, "%s/recorded/assume/mfa%ld", server.url, (long)getpid());
	int asked = 0;
	provider_options o = {.profile = "mfa",
	                      .region = "eu-west-1",
	                      .endpoint_url = url,
	                      .mfa_prompt = mfa_answer,
	                      .mfa_ctx = &asked};
	credentials *c = NULL;
	lms_error err = {0};
	if (provider_resolve(&o, &c, &err) != CREDENTIALS_OK)
		fail_msg("%s", err.msg);
	assert_int_equal(asked, 1);
	assert_string_equal(c->access_key_id, "ASIAASSUMED");
	credentials_free(c);
	/* the second answer is a wrong code: STS refuses, the code is not in the message */
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_PROCESS_FAILED);
	assert_non_null(strstr(err.msg, "MultiFactorAuthentication failed"));
	assert_null(strstr(err.msg, "654321"));
	lms_error_clear(&err);
	o.mfa_prompt = NULL;
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "none can be asked here"));
	lms_error_clear(&err);
	chain_cleanup();
}

/* role_arn + web_identity_token_file, in a profile and in the environment: the token from
 * the file (whitespace trimmed), an unsigned AssumeRoleWithWebIdentity. */
static void test_web_identity(void **state)
{
	(void)state;
	chain_env();
	char token_path[128], config[512];
	snprintf(token_path, sizeof token_path, "%s/token", tmpdir);
	write_text("token", "test-oidc-token\n");
	snprintf(config, sizeof config,
	         "[profile web]\nrole_arn = arn:aws:iam::123456789012:role/ci\n"
	         "web_identity_token_file = %s\n"
	         "[profile webnorole]\nweb_identity_token_file = %s\n",
	         token_path, token_path);
	write_text("config", config);
	char url[256];
	snprintf(url, sizeof url, "%s/recorded/assume/web%ld", server.url, (long)getpid());
	provider_options o = {.profile = "web", .region = "eu-west-1", .endpoint_url = url};
	credentials *c = NULL;
	lms_error err = {0};
	if (provider_resolve(&o, &c, &err) != CREDENTIALS_OK)
		fail_msg("%s", err.msg);
	assert_string_equal(c->access_key_id, "ASIAWEBIDENTITY");
	assert_non_null(strstr(c->source, "through web identity (profile \"web\")"));
	credentials_free(c);
	/* the environment's pair, when no profile is named */
	o.profile = NULL;
	setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci", 1);
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token_path, 1);
	if (provider_resolve(&o, &c, &err) != CREDENTIALS_OK)
		fail_msg("%s", err.msg);
	assert_string_equal(c->access_key_id, "ASIAWEBIDENTITY");
	credentials_free(c);
	/* a token the provider refuses, an empty file, a missing file, no role */
	write_text("token", "other-token");
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_PROCESS_FAILED);
	assert_non_null(strstr(err.msg, "InvalidIdentityToken"));
	assert_null(strstr(err.msg, "other-token"));
	lms_error_clear(&err);
	write_text("token", " \n");
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_BAD_CONFIG);
	assert_non_null(strstr(err.msg, "is empty"));
	lms_error_clear(&err);
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/token", 1);
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_BAD_CONFIG);
	assert_non_null(strstr(err.msg, "/nonexistent/token"));
	lms_error_clear(&err);
	unsetenv("AWS_ROLE_ARN");
	unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	/* a profile with a token file and no role to assume: said so */
	o.profile = "webnorole";
	write_text("token", "test-oidc-token");
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_BAD_CONFIG);
	assert_non_null(strstr(err.msg, "has web_identity_token_file but no role_arn"));
	lms_error_clear(&err);
	chain_cleanup();
}

/* A token cache file as `aws sso login` leaves it, expiring `in` seconds from now. */
static void write_sso_cache(const char *hex, const char *token, long in)
{
	char name[128], text[256], when[32];
	time_t t = time(NULL) + in;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(name, sizeof name, ".aws/sso/cache/%s.json", hex);
	snprintf(text, sizeof text,
	         "{\"startUrl\": \"https://corp.awsapps.com/start\", \"region\": "
	         "\"eu-west-1\", \"accessToken\": \"%s\", \"expiresAt\": \"%s\"}",
	         token, when);
	write_text(name, text);
}

static void expect_sso(const char *profile, credentials_status want, const char *text)
{
	provider_options o = {.profile = profile, .region = "eu-west-1"};
	credentials *c = NULL;
	lms_error err = {0};
	credentials_status st = provider_resolve(&o, &c, &err);
	if (st != want)
		fail_msg("%s: status %d: %s", profile, st, err.msg ? err.msg : "");
	if (want == CREDENTIALS_OK) {
		assert_string_equal(c->access_key_id, "ASIASSO");
		assert_string_equal(c->session_token, "sso-session-token");
		assert_true(c->expiration > time(NULL) + 3000 && c->expiration < time(NULL) + 3700);
		assert_non_null(strstr(c->source, text));
		credentials_free(c);
	} else {
		assert_null(c);
		if (!strstr(err.msg, text))
			fail_msg("%s: \"%s\" lacks \"%s\"", profile, err.msg, text);
		assert_null(strstr(err.msg, "test-sso-token"));
		lms_error_clear(&err);
	}
}

/* IAM Identity Center: the token `aws sso login` cached (the file named by the SHA-1 of the
 * session name, or of the start URL for a legacy profile) exchanged through the portal's
 * GetRoleCredentials; an expired or missing token, a refused one and a profile without its
 * session's section each said so, with the command to run. */
static void test_sso_profiles(void **state)
{
	(void)state;
	chain_env();
	write_text("config",
	           "[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\n"
	           "sso_role_name = LmsOperator\n"
	           "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
	           "sso_region = eu-west-1\n"
	           "[profile legacy]\nsso_start_url = https://corp.awsapps.com/start\n"
	           "sso_region = eu-west-1\nsso_account_id = 111122223333\n"
	           "sso_role_name = LmsOperator\n"
	           "[profile otherrole]\nsso_session = corp\n"
	           "sso_account_id = 111122223333\nsso_role_name = LmsOperators\n"
	           "[profile nosection]\nsso_session = corpx\n"
	           "sso_account_id = 111122223333\nsso_role_name = LmsOperator\n"
	           "[profile norole]\nsso_session = corp\nsso_account_id = 111122223333\n");
	char dir[160];
	snprintf(dir, sizeof dir, "%s/.aws", tmpdir);
	mkdir(dir, 0700);
	snprintf(dir, sizeof dir, "%s/.aws/sso", tmpdir);
	mkdir(dir, 0700);
	snprintf(dir, sizeof dir, "%s/.aws/sso/cache", tmpdir);
	mkdir(dir, 0700);
	char url[256];
	snprintf(url, sizeof url, "%s/sso/s%ld", server.url, (long)getpid());
	setenv("AWS_ENDPOINT_URL_SSO", url, 1);
	/* no token cached yet */
	expect_sso("sso", CREDENTIALS_BAD_CONFIG, "has no cached token");
	expect_sso("sso", CREDENTIALS_BAD_CONFIG, "aws sso login --profile sso");
	/* sha1("corp") and sha1("https://corp.awsapps.com/start"), as the AWS CLI names them */
	write_sso_cache("ee0bfd2552fbd840c02cc48b6e823320543c450f", "test-sso-token", 3600);
	write_sso_cache("a51746d4aa793ae07b25e90c3a5db96fc7832bd7", "test-sso-token", 3600);
	expect_sso("sso", CREDENTIALS_OK,
	           "IAM Identity Center role LmsOperator in account "
	           "111122223333 (profile \"sso\")");
	expect_sso("legacy", CREDENTIALS_OK, "(profile \"legacy\")");
	/* a role the token does not reach (not the prefix's longer name either) */
	expect_sso("otherrole", CREDENTIALS_PROCESS_FAILED, "No access");
	expect_sso("nosection", CREDENTIALS_BAD_CONFIG, "no [sso-session corpx] section");
	expect_sso("norole", CREDENTIALS_BAD_CONFIG, "has no sso_role_name");
	/* a token the portal no longer accepts, then one past its expiry */
	write_sso_cache("ee0bfd2552fbd840c02cc48b6e823320543c450f", "revoked-token", 3600);
	expect_sso("sso", CREDENTIALS_PROCESS_FAILED, "refused the cached session");
	write_sso_cache("ee0bfd2552fbd840c02cc48b6e823320543c450f", "test-sso-token", -10);
	expect_sso("sso", CREDENTIALS_BAD_CONFIG, "has expired");
	/* each setting missing or empty, named; a cache file without its token or expiry */
	write_text("config",
	           "[profile noregion]\nsso_start_url = https://x\nsso_account_id = 1\n"
	           "sso_role_name = R\n"
	           "[profile noaccount]\nsso_session = edge\nsso_role_name = R\n"
	           "[profile s1]\nsso_session = bare1\nsso_account_id = 1\nsso_role_name = R\n"
	           "[profile s2]\nsso_session = bare2\nsso_account_id = 1\nsso_role_name = R\n"
	           "[profile s3]\nsso_session = bare3\nsso_account_id = 1\nsso_role_name = R\n"
	           "[profile edge]\nsso_session = edge\nsso_account_id = 1\nsso_role_name = R\n"
	           "[sso-session bare1]\nsso_start_url = https://x\n"
	           "[sso-session bare2]\nsso_start_url = https://x\nsso_region =\n"
	           "[sso-session bare3]\nsso_region = eu-west-1\nsso_start_url =\n"
	           "[sso-session edge]\nsso_start_url = https://x\nsso_region = eu-west-1\n");
	expect_sso("noregion", CREDENTIALS_BAD_CONFIG, "has no sso_region");
	expect_sso("noaccount", CREDENTIALS_BAD_CONFIG, "has no sso_account_id");
	expect_sso("s1", CREDENTIALS_BAD_CONFIG, "has no sso_region");
	expect_sso("s2", CREDENTIALS_BAD_CONFIG, "has no sso_region");
	expect_sso("s3", CREDENTIALS_BAD_CONFIG, "has no sso_start_url");
	static const char *const bad_caches[] = {
	    "{\"expiresAt\": \"2099-01-01T00:00:00Z\"}",
	    "{\"accessToken\": \"\", \"expiresAt\": \"2099-01-01T00:00:00Z\"}",
	    "{\"accessToken\": \"t\", \"expiresAt\": \"soon\"}",
	    "{\"accessToken\": \"t\"}",
	};
	for (size_t i = 0; i < sizeof bad_caches / sizeof bad_caches[0]; i++) {
		write_text(".aws/sso/cache/a0f2c69a18eaea9d4651f3938bbc4945ed454331.json",
		           bad_caches[i]);
		expect_sso("edge", CREDENTIALS_BAD_CONFIG, "without accessToken or expiresAt");
	}
	/* a token that expires within the minute is expired; one that lasts longer is not */
	write_sso_cache("a0f2c69a18eaea9d4651f3938bbc4945ed454331", "revoked-token", 55);
	expect_sso("edge", CREDENTIALS_BAD_CONFIG, "has expired");
	write_sso_cache("a0f2c69a18eaea9d4651f3938bbc4945ed454331", "revoked-token", 65);
	expect_sso("edge", CREDENTIALS_PROCESS_FAILED, "refused the cached session");
	char edge_path[192];
	snprintf(edge_path, sizeof edge_path,
	         "%s/.aws/sso/cache/a0f2c69a18eaea9d4651f3938bbc4945ed454331.json", tmpdir);
	unlink(edge_path);
	unsetenv("AWS_ENDPOINT_URL_SSO");
	const char *caches[] = {"ee0bfd2552fbd840c02cc48b6e823320543c450f",
	                        "a51746d4aa793ae07b25e90c3a5db96fc7832bd7"};
	for (size_t i = 0; i < 2; i++) {
		char path[192];
		snprintf(path, sizeof path, "%s/.aws/sso/cache/%s.json", tmpdir, caches[i]);
		unlink(path);
	}
	snprintf(dir, sizeof dir, "%s/.aws/sso/cache", tmpdir);
	rmdir(dir);
	snprintf(dir, sizeof dir, "%s/.aws/sso", tmpdir);
	rmdir(dir);
	snprintf(dir, sizeof dir, "%s/.aws", tmpdir);
	rmdir(dir);
	chain_cleanup();
}

/* endpoint_url in the profile's config reaches every call; the variables come first;
 * ignore_configured_endpoint_urls and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turn it off. */
static void test_config_endpoint_url(void **state)
{
	(void)state;
	chain_env();
	char config[512];
	snprintf(config, sizeof config,
	         "[profile cfg]\nendpoint_url = %s/recorded/outputs/cfg%ld\n"
	         "[profile cfgoff]\nendpoint_url = %s/recorded/outputs/cfg%ld\n"
	         "ignore_configured_endpoint_urls = true\n",
	         server.url, (long)getpid(), server.url, (long)getpid());
	write_text("config", config);
	aws_client_options o = {.region = "eu-west-1", .profile = "cfg", .backoff_unit_ms = 10};
	lms_error err = {0};
	aws_client *c = aws_client_new(&o, &creds, &err);
	if (!c)
		fail_msg("%s", err.msg);
	assert_true(aws_client_custom_endpoint(c, "sts"));
	assert_true(aws_client_plain_http(c, "cloudformation"));
	sts_identity id;
	if (!sts_get_caller_identity(c, &id, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(id.account, "123456789012");
	sts_identity_free(&id);
	/* the environment's endpoint beats the config's */
	setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1/nothing-here", 1);
	assert_false(sts_get_caller_identity(c, &id, &err));
	lms_error_clear(&err);
	unsetenv("AWS_ENDPOINT_URL_STS");
	/* the variable that ignores configured endpoints */
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	assert_false(aws_client_custom_endpoint(c, "sts"));
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	aws_client_free(c);
	/* the profile's own switch */
	o.profile = "cfgoff";
	c = aws_client_new(&o, &creds, &err);
	assert_non_null(c);
	assert_false(aws_client_custom_endpoint(c, "sts"));
	aws_client_free(c);
	/* a profile without endpoints: none */
	o.profile = "base";
	c = aws_client_new(&o, &creds, &err);
	assert_non_null(c);
	assert_false(aws_client_custom_endpoint(c, "sts"));
	aws_client_free(c);
	chain_cleanup();
}

static void test_container_and_instance_credentials(void **state)
{
	(void)state;
	chain_env();
	unsetenv("AWS_CONFIG_FILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	provider_options o = {.region = "eu-west-1", .metadata_timeout_ms = 2000};
	credentials *c = NULL;
	lms_error err = {0};
	/* nothing anywhere, metadata off */
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_NOT_FOUND);
	assert_non_null(strstr(err.msg, "no AWS credentials found"));
	assert_non_null(strstr(err.msg, "AWS_EC2_METADATA_DISABLED is true"));
	lms_error_clear(&err);
	/* container credentials, with the token from its file */
	char url[256];
	snprintf(url, sizeof url, "%s/container/c%ld", server.url, (long)getpid());
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	write_text("token", "Bearer-test\n");
	char token_path[128];
	snprintf(token_path, sizeof token_path, "%s/token", tmpdir);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_path, 1);
	if (provider_resolve(&o, &c, &err) != CREDENTIALS_OK)
		fail_msg("%s", err.msg);
	assert_string_equal(c->access_key_id, "ASIAMETADATA");
	assert_string_equal(c->session_token, "metadata-token");
	assert_string_equal(c->source, "container credentials");
	credentials_free(c);
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong", 1);
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_PROCESS_FAILED);
	assert_non_null(strstr(err.msg, "HTTP 401"));
	assert_null(strstr(err.msg, "wrong"));
	lms_error_clear(&err);
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://metadata.example.com/creds", 1);
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_BAD_CONFIG);
	lms_error_clear(&err);
	unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	/* IMDSv2 */
	unsetenv("AWS_EC2_METADATA_DISABLED");
	snprintf(url, sizeof url, "%s/imds/i%ld", server.url, (long)getpid());
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
	if (provider_resolve(&o, &c, &err) != CREDENTIALS_OK)
		fail_msg("%s", err.msg);
	assert_string_equal(c->secret_access_key, "metadata-secret");
	assert_string_equal(c->source, "EC2 instance role lms-instance-role");
	credentials_free(c);
	/* an endpoint that never answers: reported within the timeout */
	snprintf(url, sizeof url, "%s/hang/i%ld", server.url, (long)getpid());
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
	o.metadata_timeout_ms = 500;
	time_t t0 = time(NULL);
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_NOT_FOUND);
	assert_true(time(NULL) - t0 <= 2);
	assert_non_null(strstr(err.msg, "which did not answer"));
	lms_error_clear(&err);
	unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	/* a document without keys is refused without being quoted */
	const char *doc = "{\"Code\": \"Success\", \"Token\": \"sekrit\"}";
	assert_int_equal(provider_parse_metadata_json(doc, strlen(doc), "x", &c, &err),
	                 CREDENTIALS_PROCESS_FAILED);
	assert_null(strstr(err.msg, "sekrit"));
	lms_error_clear(&err);
	chain_cleanup();
}

/* IMDS: a role name of letters, digits and + = , . @ _ - only; no role is none; the endpoint's
 * trailing slashes; AWS_EC2_METADATA_DISABLED is "true" in any case, nothing else. */
static void test_imds_edges(void **state)
{
	(void)state;
	chain_env();
	unsetenv("AWS_CONFIG_FILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_EC2_METADATA_DISABLED");
	provider_options o = {.region = "eu-west-1", .metadata_timeout_ms = 2000};
	static const struct {
		const char *role, *suffix;
		credentials_status st;
		const char *why;
	} cases[] = {
	    {"a%2Bb%3Dc%2Cd.e%40f_g-h9Z", "", CREDENTIALS_OK,
	     "EC2 instance role a+b=c,d.e@f_g-h9Z"},
	    {"lms-instance-role", "///", CREDENTIALS_OK, "EC2 instance role lms-instance-role"},
	    {"lms-instance-role", "/", CREDENTIALS_OK, "EC2 instance role lms-instance-role"},
	    {"a%20b", "", CREDENTIALS_PROCESS_FAILED, "a role name that is not one"},
	    {"a%21b", "", CREDENTIALS_PROCESS_FAILED, "a role name that is not one"},
	    {"a%3Ab", "", CREDENTIALS_PROCESS_FAILED, "a role name that is not one"},
	    {"a%23b", "", CREDENTIALS_PROCESS_FAILED, "a role name that is not one"},
	    {"-", "", CREDENTIALS_NOT_FOUND, "no AWS credentials found"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char url[256];
		snprintf(url, sizeof url, "%s/imdsrole/%s/i%zu-%ld%s", server.url, cases[i].role, i,
		         (long)getpid(), cases[i].suffix);
		setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
		credentials *c = NULL;
		lms_error err = {0};
		credentials_status st = provider_resolve(&o, &c, &err);
		if (st != cases[i].st)
			fail_msg("%s: status %d (%s)", cases[i].role, st, err.msg ? err.msg : "");
		if (st == CREDENTIALS_OK)
			assert_string_equal(c->source, cases[i].why);
		else if (!strstr(err.msg, cases[i].why))
			fail_msg("%s: %s", cases[i].role, err.msg);
		credentials_free(c);
		lms_error_clear(&err);
	}
	static const struct {
		const char *value;
		bool disabled;
	} flags[] = {
	    {"TRUE", true}, {"true", true}, {"truex", false}, {"false", false}, {"1", false}};
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		char url[256];
		snprintf(url, sizeof url, "%s/imds/f%zu-%ld", server.url, i, (long)getpid());
		setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
		setenv("AWS_EC2_METADATA_DISABLED", flags[i].value, 1);
		credentials *c = NULL;
		lms_error err = {0};
		credentials_status st = provider_resolve(&o, &c, &err);
		assert_int_equal(st, flags[i].disabled ? CREDENTIALS_NOT_FOUND : CREDENTIALS_OK);
		credentials_free(c);
		lms_error_clear(&err);
	}
	/* a 200 with an empty token is no token (though this endpoint answers without one); a
	 * refused token is none, whatever its body */
	char url[256];
	snprintf(url, sizeof url, "%s/imdsnotoken/t-%ld", server.url, (long)getpid());
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
	unsetenv("AWS_EC2_METADATA_DISABLED");
	credentials *c = NULL;
	lms_error err = {0};
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_NOT_FOUND);
	assert_null(c);
	lms_error_clear(&err);
	snprintf(url, sizeof url, "%s/imdsdenied/t-%ld", server.url, (long)getpid());
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_NOT_FOUND);
	assert_null(c);
	lms_error_clear(&err);
	unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	chain_cleanup();
}

/* AWS_CONTAINER_CREDENTIALS_FULL_URI: https anywhere; http only to this machine and the ECS
 * and EKS agents, each host exactly; no empty host, https or not. A refused one is BAD_CONFIG
 * before any connection. */
static void test_container_uri_hosts(void **state)
{
	(void)state;
	chain_env();
	unsetenv("AWS_CONFIG_FILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	provider_options o = {.region = "eu-west-1", .metadata_timeout_ms = 300};
	static const char *const refused[] = {"http://localhostx/c",
	                                      "http://localhos/c",
	                                      "http://[::2]/c",
	                                      "http://128.0.0.1/c",
	                                      "http://1127.0.0.1/c",
	                                      "http://169.254.170.20/c",
	                                      "http://169.254.170.22/c",
	                                      "http://169.254.170.230/c",
	                                      "http://169.254.170.3/c",
	                                      "http://[fd00:ec2::24]/c",
	                                      "http://[fd00:ec2::2]/c",
	                                      "ftp://127.0.0.1/c",
	                                      "httpx://127.0.0.1/c",
	                                      "htt://127.0.0.1/c",
	                                      "127.0.0.1/c",
	                                      "http:///c",
	                                      "http://:80/c",
	                                      "https:///c",
	                                      "https://:443/c",
	                                      "https://?c",
	                                      "http://[::1/c"};
	credentials *c = NULL;
	lms_error err = {0};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", refused[i], 1);
		credentials_status st = provider_resolve(&o, &c, &err);
		if (st != CREDENTIALS_BAD_CONFIG)
			fail_msg("%s: status %d", refused[i], st);
		lms_error_clear(&err);
	}
	/* allowed: the scheme and the host in any case; the loopback by name, 127.0.0.0/8 and
	 * ::1 (here nothing listens on port 1: the request is made and fails) */
	char url[256];
	const char *port = strrchr(server.url, ':');
	assert_non_null(port);
	snprintf(url, sizeof url, "HTTP://LocalHost%s/container/h%ld", port, (long)getpid());
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer-test", 1);
	if (provider_resolve(&o, &c, &err) != CREDENTIALS_OK)
		fail_msg("%s: %s", url, err.msg);
	credentials_free(c);
	/* a redirect is not followed (to there or anywhere) */
	snprintf(url, sizeof url, "%s/redirect/container/r%ld", server.url, (long)getpid());
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_PROCESS_FAILED);
	assert_non_null(strstr(err.msg, "302"));
	lms_error_clear(&err);
	static const char *const allowed[] = {"http://127.9.9.9:1/c",
	                                      "http://[::1]:1/c",
	                                      "https://127.0.0.1:1/c",
	                                      "HTTPS://h.invalid:1/c",
	                                      "https://1:1/c",
	                                      "http://169.254.170.2:1/c",
	                                      "http://169.254.170.23:1/c",
	                                      "http://[FD00:EC2::23]:1/c",
	                                      "http://localhost:1/c"};
	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
		setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", allowed[i], 1);
		credentials_status st = provider_resolve(&o, &c, &err);
		if (st == CREDENTIALS_BAD_CONFIG || st == CREDENTIALS_OK)
			fail_msg("%s: status %d", allowed[i], st);
		lms_error_clear(&err);
	}
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	chain_cleanup();
}

/* The metadata document: both keys, non-empty; an empty token is none; the expiry parsed. */
static void test_metadata_document(void **state)
{
	(void)state;
	static const struct {
		const char *doc;
		credentials_status st;
	} docs[] = {
	    {"{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\"}", CREDENTIALS_OK},
	    {"{\"AccessKeyId\": \"\", \"SecretAccessKey\": \"S\"}", CREDENTIALS_PROCESS_FAILED},
	    {"{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"\"}", CREDENTIALS_PROCESS_FAILED},
	    {"{\"AccessKeyId\": \"A\"}", CREDENTIALS_PROCESS_FAILED},
	    {"{\"SecretAccessKey\": \"S\"}", CREDENTIALS_PROCESS_FAILED},
	    {"not json", CREDENTIALS_PROCESS_FAILED},
	};
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		credentials *c = NULL;
		lms_error err = {0};
		assert_int_equal(
		    provider_parse_metadata_json(docs[i].doc, strlen(docs[i].doc), "src", &c, &err),
		    docs[i].st);
		if (docs[i].st == CREDENTIALS_OK) {
			assert_string_equal(c->access_key_id, "A");
			assert_string_equal(c->secret_access_key, "S");
			assert_null(c->session_token);
			assert_int_equal(c->expiration, 0);
			assert_string_equal(c->source, "src");
		} else {
			assert_null(c);
			assert_non_null(strstr(err.msg, "src answered without"));
		}
		credentials_free(c);
		lms_error_clear(&err);
	}
	const char *doc = "{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\", \"Token\": \"\", "
	                  "\"Expiration\": \"2030-01-01T00:00:00Z\"}";
	credentials *c = NULL;
	assert_int_equal(provider_parse_metadata_json(doc, strlen(doc), "src", &c, NULL),
	                 CREDENTIALS_OK);
	assert_null(c->session_token);
	assert_int_equal(c->expiration, 1893456000);
	credentials_free(c);
	doc = "{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\", \"Token\": \"T\"}";
	assert_int_equal(provider_parse_metadata_json(doc, strlen(doc), "src", &c, NULL),
	                 CREDENTIALS_OK);
	assert_string_equal(c->session_token, "T");
	credentials_free(c);
}

/* The drift answers: the count absent or not a number is -1 (not 0), a resource without
 * differences has none, a difference without ExpectedValue (an ADD) has NULL. */
static void test_drift_parse(void **state)
{
	(void)state;
	const struct {
		const char *xml;
		long want;
	} counts[] = {{"<DriftedStackResourceCount>0</DriftedStackResourceCount>", 0},
	              {"<DriftedStackResourceCount>3</DriftedStackResourceCount>", 3},
	              {"<DriftedStackResourceCount>-1</DriftedStackResourceCount>", -1},
	              {"<DriftedStackResourceCount>x</DriftedStackResourceCount>", -1},
	              {"", -1}};
	for (size_t i = 0; i < 5; i++) {
		char text[512];
		snprintf(text, sizeof text,
		         "<R><X><StackDriftDetectionId>d</StackDriftDetectionId>"
		         "<StackDriftStatus>DRIFTED</StackDriftStatus>%s</X></R>",
		         counts[i].xml);
		xml_doc *d = parse(text);
		cfn_drift_status st;
		assert_true(cfn_parse_drift_status(xml_child(xml_root(d), "X"), &st));
		assert_int_equal(st.drifted, counts[i].want);
		assert_string_equal(st.detection_status, "?"); /* absent */
		assert_string_equal(st.drift_status, "DRIFTED");
		assert_null(st.reason);
		cfn_drift_status_clear(&st);
		assert_int_equal(st.drifted, -1);
		xml_free(d);
	}
	xml_doc *d = parse("<R><X><StackResourceDrifts>"
	                   "<member><LogicalResourceId>Q</LogicalResourceId>"
	                   "<StackResourceDriftStatus>MODIFIED</StackResourceDriftStatus>"
	                   "<PropertyDifferences><member><PropertyPath>/Tags/0</PropertyPath>"
	                   "<ExpectedValue></ExpectedValue><ActualValue>v</ActualValue>"
	                   "<DifferenceType>ADD</DifferenceType></member></PropertyDifferences>"
	                   "</member><member></member>"
	                   "</StackResourceDrifts></X></R>");
	cfn_resource_drift *v = NULL;
	size_t n = 0;
	char *next = NULL;
	assert_true(cfn_parse_resource_drifts_page(xml_child(xml_root(d), "X"), &v, &n, &next));
	assert_null(next);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].logical_id, "Q");
	assert_int_equal(v[0].ndiffs, 1);
	assert_null(v[0].diffs[0].expected);
	assert_string_equal(v[0].diffs[0].actual, "v");
	assert_string_equal(v[0].diffs[0].type, "ADD");
	assert_string_equal(v[1].logical_id, "?");
	assert_string_equal(v[1].status, "?");
	assert_int_equal(v[1].ndiffs, 0);
	cfn_resource_drifts_free(v, n);
	xml_free(d);
}

/* ---- edges (issue 15) ------------------------------------------------------------------------ */

static void test_parse_time_edges(void **state)
{
	(void)state;
	/* each field at its bounds and one past them */
	assert_int_equal(cfn_parse_time("2030-01-01T00:00:00Z"), 1893456000);
	assert_int_equal(cfn_parse_time("2030-12-31T23:59:59Z"), 1924991999);
	assert_int_equal(cfn_parse_time("2030-01-31T00:00:00Z"), 1893456000 + 30 * 86400);
	assert_int_equal(cfn_parse_time("2030-00-01T00:00:00Z"), 0);
	assert_int_equal(cfn_parse_time("2030-13-01T00:00:00Z"), 0);
	assert_int_equal(cfn_parse_time("2030-01-00T00:00:00Z"), 0);
	assert_int_equal(cfn_parse_time("2030-01-32T00:00:00Z"), 0);
	assert_int_equal(cfn_parse_time("2030-01-01T00:00"), 0);
	/* February against March, leap and century years, before 1970 and before year 0 */
	assert_int_equal(cfn_parse_time("2000-02-29T00:00:00Z"), 951782400);
	assert_int_equal(cfn_parse_time("2000-03-01T00:00:00Z"), 951868800);
	assert_int_equal(cfn_parse_time("2024-03-01T00:00:00Z"), 1709251200);
	assert_int_equal(cfn_parse_time("2100-02-28T00:00:00Z"), 4107456000);
	assert_int_equal(cfn_parse_time("2100-03-01T00:00:00Z"), 4107542400);
	assert_int_equal(cfn_parse_time("2039-09-09T09:09:09Z"), 2199172149);
	assert_int_equal(cfn_parse_time("1969-12-31T23:59:59Z"), -1);
	assert_int_equal(cfn_parse_time("1600-03-01T00:00:00Z"), -11670912000);
	assert_int_equal(cfn_parse_time("0000-03-01T00:00:00Z"), -62162035200);
	assert_int_equal(cfn_parse_time("0000-01-01T00:00:00Z"), -62167219200);
}

static buf call_bodies;

static void record_body(void *ctx, const aws_call_record *rec)
{
	(void)ctx;
	const aws_request *req = rec->req;
	buf_add(&call_bodies, req->log_body ? req->log_body : req->body,
	        req->log_body ? req->log_body_len : req->body_len);
	buf_addc(&call_bodies, '\n');
}

static aws_client *recorded_with_log(const char *scenario)
{
	char url[256];
	snprintf(url, sizeof url, "%s/recorded/%s/c%d-%ld", server.url, scenario, ++key_counter,
	         (long)getpid());
	aws_client_options o = {.region = "eu-west-1",
	                        .endpoint_url = url,
	                        .backoff_unit_ms = 10,
	                        .on_call = record_body};
	aws_client *c = aws_client_new(&o, &creds, NULL);
	assert_non_null(c);
	buf_free(&call_bodies);
	buf_init(&call_bodies, 0);
	return c;
}

static void test_change_set_request(void **state)
{
	(void)state;
	cfn_kv params[] = {
	    {.key = (char *)"Env", .value = (char *)"prod"},
	    {.key = (char *)"DbPassword", .value = (char *)"pw", .no_echo = true},
	    {.key = (char *)"ImageTag", .value = (char *)"v2", .keep_previous = true},
	};
	const char *caps[] = {"CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"};
	cfn_kv tags[] = {{.key = (char *)"app", .value = (char *)"lms"},
	                 {.key = (char *)"owner", .value = (char *)"it"}};
	cfn_change_set_input in = {.stack_name = "lms-rec",
	                           .change_set_name = "cs1",
	                           .type = "UPDATE",
	                           .use_previous_template = true,
	                           .parameters = params,
	                           .nparameters = 3,
	                           .capabilities = caps,
	                           .ncapabilities = 2,
	                           .tags = tags,
	                           .ntags = 2,
	                           .role_arn = "arn:aws:iam::123456789012:role/r",
	                           .client_token = "tok"};
	const char *types[] = {"UPDATE", "CREATE", "UPDATEX"};
	const char *want[] = {
	    "Parameters.member.1.ParameterKey=Env&Parameters.member.1.ParameterValue=prod&"
	    "Parameters.member.2.ParameterKey=DbPassword&Parameters.member.2.ParameterValue=****&"
	    "Parameters.member.3.ParameterKey=ImageTag&Parameters.member.3.UsePreviousValue=true&"
	    "Capabilities.member.1=CAPABILITY_NAMED_IAM&Capabilities.member.2=CAPABILITY_AUTO_"
	    "EXPAND&"
	    "Tags.member.1.Key=app&Tags.member.1.Value=lms&Tags.member.2.Key=owner&"
	    "Tags.member.2.Value=it&",
	    "Parameters.member.3.ParameterKey=ImageTag&Parameters.member.3.ParameterValue=v2&",
	    "Parameters.member.3.ParameterKey=ImageTag&Parameters.member.3.ParameterValue=v2&"};
	for (size_t i = 0; i < 3; i++) {
		in.type = types[i];
		aws_client *c = recorded_with_log("deploy-update");
		char *id = NULL;
		lms_error err = {0};
		if (!cfn_create_change_set(c, &in, &id, &err))
			fail_msg("%s", err.msg);
		free(id);
		if (!strstr(buf_cstr(&call_bodies), want[i]))
			fail_msg("%s: %s", types[i], buf_cstr(&call_bodies));
		assert_non_null(strstr(buf_cstr(&call_bodies), "UsePreviousTemplate=true"));
		assert_non_null(strstr(buf_cstr(&call_bodies), "&ClientToken=tok"));
		assert_null(strstr(buf_cstr(&call_bodies), ".member.0"));
		assert_null(strstr(buf_cstr(&call_bodies), ".member.4"));
		aws_client_free(c);
	}
	buf_free(&call_bodies);
}

/* A client on the "endless" recording (every answer has a NextToken), and how many requests
 * of `action` the fault server has seen from it. */
static aws_client *endless(char *key, size_t keylen)
{
	snprintf(key, keylen, "e%d-%ld", ++key_counter, (long)getpid());
	char url[256];
	snprintf(url, sizeof url, "%s/recorded/endless/%s", server.url, key);
	aws_client_options o = {.region = "eu-west-1", .endpoint_url = url};
	aws_client *c = aws_client_new(&o, &creds, NULL);
	assert_non_null(c);
	return c;
}

static long requests_of(const char *key, const char *action)
{
	aws_client_options o = {.region = "eu-west-1", .endpoint_url = server.url};
	aws_client *c = aws_client_new(&o, NULL, NULL);
	assert_non_null(c);
	char path[160];
	snprintf(path, sizeof path, "/_count/endless/%s/%s", key, action);
	aws_request req = {.service = "sts", .operation = "Count", .method = "GET", .path = path};
	aws_response resp;
	aws_response_init(&resp);
	assert_true(aws_send(c, &req, &resp, NULL));
	long n = strtol(buf_cstr(&resp.body), NULL, 10);
	aws_response_free(&resp);
	aws_client_free(c);
	return n;
}

static void test_page_limits(void **state)
{
	(void)state;
	char key[64];
	lms_error err = {0};
	/* drifts and resources: 20 pages exactly, then what was read */
	aws_client *c = endless(key, sizeof key);
	cfn_resource_drift *drifts = NULL;
	size_t n = 0;
	cfn_call_status st = {0};
	if (!cfn_describe_resource_drifts(c, "lms-rec", &drifts, &n, &st, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(n, 20);
	assert_int_equal(requests_of(key, "DescribeStackResourceDrifts"), 20);
	cfn_resource_drifts_free(drifts, n);
	cfn_event *res = NULL;
	if (!cfn_list_stack_resources(c, "lms-rec", &res, &n, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(n, 20);
	assert_int_equal(requests_of(key, "ListStackResources"), 20);
	free_events(res, n);
	aws_client_free(c);
	/* events: max_pages pages, no more; a known event ends the poll on its page */
	c = endless(key, sizeof key);
	cfn_event_tracker t;
	assert_true(cfn_event_tracker_init(&t, "lms-rec", 0));
	t.max_pages = 3;
	cfn_event *ev = NULL;
	assert_true(cfn_poll_events(c, &t, &ev, &n, &err));
	assert_int_equal(requests_of(key, "DescribeStackEvents"), 3);
	free_events(ev, n);
	assert_true(cfn_poll_events(c, &t, &ev, &n, &err));
	assert_int_equal(n, 0);
	free(ev);
	assert_int_equal(requests_of(key, "DescribeStackEvents"), 4);
	cfn_event_tracker_free(&t);
	aws_client_free(c);
	/* an event older than `since` is history and ends the poll; one at `since` is not */
	const time_t at = 1714554000; /* 2024-05-01T09:00:00Z */
	c = endless(key, sizeof key);
	assert_true(cfn_event_tracker_init(&t, "lms-rec", at + 1));
	t.max_pages = 2;
	assert_true(cfn_poll_events(c, &t, &ev, &n, &err));
	assert_int_equal(n, 0);
	free(ev);
	assert_int_equal(requests_of(key, "DescribeStackEvents"), 1);
	cfn_event_tracker_free(&t);
	assert_true(cfn_event_tracker_init(&t, "lms-rec", at));
	t.max_pages = 1;
	assert_true(cfn_poll_events(c, &t, &ev, &n, &err));
	assert_int_equal(n, 1);
	assert_string_equal(ev[0].id, "e-1");
	free_events(ev, n);
	cfn_event_tracker_free(&t);
	aws_client_free(c);
}

/* ---- edges (session 6) ----------------------------------------------------------------------- */

/* The replacing properties: RequiresRecreation "Never" and "Conditionally" exactly (a longer
 * value is neither); a property is listed once, and one whose name is part of an earlier one
 * (Protocol after ProtocolVersion, Name after ServiceName) is still listed. */
static void test_replacing_properties_names(void **state)
{
	(void)state;
	xml_doc *d =
	    parse("<r><Changes><member><ResourceChange><Action>Modify</Action>"
	          "<LogicalResourceId>T</LogicalResourceId><ResourceType>X</ResourceType><Details>"
	          "<member><Target><Name>ProtocolVersion</Name>"
	          "<RequiresRecreation>Always</RequiresRecreation></Target></member>"
	          "<member><Target><Name>Protocol</Name>"
	          "<RequiresRecreation>Always</RequiresRecreation></Target></member>"
	          "<member><Target><Name>Version</Name>"
	          "<RequiresRecreation>Always</RequiresRecreation></Target></member>"
	          "<member><Target><Name>Protocol</Name>"
	          "<RequiresRecreation>Conditionally</RequiresRecreation></Target></member>"
	          "<member><Target><Name>ServiceName</Name>"
	          "<RequiresRecreation>Conditionallyx</RequiresRecreation></Target></member>"
	          "<member><Target><Name>Name</Name>"
	          "<RequiresRecreation>Conditionally</RequiresRecreation></Target></member>"
	          "<member><Target><Name>Port</Name>"
	          "<RequiresRecreation>Neverx</RequiresRecreation></Target></member>"
	          "<member><Target><Name>Ports</Name>"
	          "<RequiresRecreation>Neve</RequiresRecreation></Target></member>"
	          "<member><Target><Name>Tags</Name>"
	          "<RequiresRecreation>Never</RequiresRecreation></Target></member>"
	          "</Details></ResourceChange></member></Changes></r>");
	cfn_change_set *cs = NULL;
	char *next = NULL;
	assert_true(cfn_parse_change_set_page(xml_root(d), &cs, &next));
	assert_null(next);
	assert_int_equal(cs->nchanges, 1);
	assert_string_equal(cs->changes[0].replacing_properties,
	                    "ProtocolVersion, Protocol, Version, ServiceName, "
	                    "Name (conditionally), Port, Ports");
	cfn_change_set_free(cs);
	xml_free(d);
}

/* A client on a fresh key of the "cfn-edges" recording, one attempt per call (the numbered
 * answers are consumed one per call, 5xx ones too). */
static aws_client *edges_client_seen(cleanup_seen *seen)
{
	char url[256];
	snprintf(url, sizeof url, "%s/recorded/cfn-edges/k%d-%ld", server.url, ++key_counter,
	         (long)getpid());
	if (seen)
		buf_init(&seen->calls, 0);
	aws_client_options o = {.region = "eu-west-1",
	                        .endpoint_url = url,
	                        .max_attempts = 1,
	                        .backoff_unit_ms = 10,
	                        .on_call = seen ? record_cleanup : NULL,
	                        .on_call_ctx = seen};
	aws_client *c = aws_client_new(&o, &creds, NULL);
	assert_non_null(c);
	return c;
}

static aws_client *edges_client(void)
{
	return edges_client_seen(NULL);
}

/* ListStackResources: an entry without its logical id, its type or its status is left out
 * (each alone); only members count; every page. */
static void test_resources_left_out(void **state)
{
	(void)state;
	aws_client *c = edges_client();
	cfn_event *res = NULL;
	size_t n = 0;
	lms_error err = {0};
	if (!cfn_list_stack_resources(c, "lms-rec", &res, &n, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(n, 2);
	assert_string_equal(res[0].logical_id, "Alb");
	assert_string_equal(res[0].physical_id, "lms-alb");
	assert_string_equal(res[0].status, "UPDATE_COMPLETE");
	assert_int_equal(res[0].timestamp, 1714554000);
	assert_null(res[0].reason);
	assert_string_equal(res[1].logical_id, "Queue");
	assert_null(res[1].physical_id);
	assert_string_equal(res[1].reason, "denied");
	free_events(res, n);
	aws_client_free(c);
}

/* Drift calls the endpoint does not implement: InvalidAction, NotImplemented,
 * UnknownOperationException and UnknownOperation exactly (not a longer or shorter code),
 * HTTP 501 whatever the body, a 5xx HTML page without a code (moto's); not a 500 or 502
 * XML body, nor an AWS error. An answer without the detection id is an error. */
static void test_drift_unsupported_codes(void **state)
{
	(void)state;
	aws_client *c = edges_client();
	static const struct {
		bool unsupported;
		long status;
	} want[] = {{true, 400}, {false, 400}, {true, 400},  {true, 400},
	            {true, 400}, {false, 400}, {false, 400}, {false, 400},
	            {true, 501}, {false, 500}, {false, 502}};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		cfn_call_status st = {.unsupported = !want[i].unsupported};
		char *id = NULL;
		lms_error err = {0};
		assert_false(cfn_detect_stack_drift(c, "lms-rec", &id, &st, &err));
		assert_null(id);
		if (st.unsupported != want[i].unsupported || st.http_status != want[i].status)
			fail_msg("answer %zu: unsupported %d, HTTP %ld", i + 1, st.unsupported,
			         st.http_status);
		lms_error_clear(&err);
	}
	char *id = NULL;
	lms_error err = {0};
	cfn_call_status st = {.unsupported = true};
	assert_false(cfn_detect_stack_drift(c, "lms-rec", &id, &st, &err));
	assert_null(id);
	assert_false(st.unsupported);
	assert_int_equal(st.http_status, 200);
	assert_non_null(strstr(err.msg, "the answer has no StackDriftDetectionId"));
	lms_error_clear(&err);
	assert_true(cfn_detect_stack_drift(c, "lms-rec", &id, NULL, &err));
	assert_string_equal(id, "det-13");
	free(id);
	aws_client_free(c);
	/* moto's HTML page for what it lacks: a 500 without an AWS code */
	char url[256];
	snprintf(url, sizeof url, "%s/html500/h%d-%ld", server.url, ++key_counter, (long)getpid());
	aws_client_options o = {
	    .region = "eu-west-1", .endpoint_url = url, .max_attempts = 1, .backoff_unit_ms = 10};
	c = aws_client_new(&o, &creds, NULL);
	assert_non_null(c);
	st = (cfn_call_status){0};
	assert_false(cfn_detect_stack_drift(c, "lms-rec", &id, &st, &err));
	assert_true(st.unsupported);
	assert_int_equal(st.http_status, 500);
	lms_error_clear(&err);
	aws_client_free(c);
}

/* The calls' answers other than the usual: an answer without its Result or Id, a missing
 * stack (ValidationError exactly, "does not exist" in its message) against other
 * refusals, every page's error dropping what earlier pages gave; the requests as sent. */
static void test_cfn_answer_edges(void **state)
{
	(void)state;
	cleanup_seen seen;
	aws_client *c = edges_client_seen(&seen);
	lms_error err = {0};
	/* DeleteChangeSet: its two names */
	assert_true(cfn_delete_change_set(c, "lms-rec", "lmsctl-1", &err));
	/* DescribeStackDriftDetectionStatus: parsed, 1 000 000 drifted at most */
	cfn_drift_status ds;
	cfn_call_status st = {.unsupported = true};
	assert_true(cfn_describe_drift_status(c, "det-1", &ds, &st, &err));
	assert_false(st.unsupported);
	assert_int_equal(st.http_status, 200);
	assert_string_equal(ds.detection_id, "det-1");
	assert_string_equal(ds.stack_id, "arn:s");
	assert_string_equal(ds.detection_status, "DETECTION_COMPLETE");
	assert_string_equal(ds.drift_status, "DRIFTED");
	assert_string_equal(ds.reason, "r");
	assert_int_equal(ds.drifted, 1000000);
	cfn_drift_status_clear(&ds);
	assert_true(cfn_describe_drift_status(c, "det-1", &ds, NULL, &err));
	assert_int_equal(ds.drifted, -1);
	assert_string_equal(ds.detection_status, "?");
	cfn_drift_status_clear(&ds);
	assert_false(cfn_describe_drift_status(c, "det-1", &ds, &st, &err));
	assert_true(st.unsupported);
	assert_int_equal(ds.drifted, -1);
	assert_null(ds.detection_status);
	lms_error_clear(&err);
	/* DescribeChangeSet: no Result; then an error on the second page: nothing */
	cfn_change_set *cs = (cfn_change_set *)1;
	assert_false(cfn_describe_change_set(c, "lms-rec", "x", &cs, &err));
	assert_null(cs);
	assert_non_null(
	    strstr(err.msg, "CloudFormation DescribeChangeSet: the answer has no result"));
	lms_error_clear(&err);
	assert_false(cfn_describe_change_set(c, "lms-rec", "x", &cs, &err));
	assert_null(cs);
	assert_non_null(strstr(err.msg, "ValidationError"));
	lms_error_clear(&err);
	/* CreateChangeSet: an answer without Id is an error */
	cfn_change_set_input in = {
	    .stack_name = "lms-rec", .change_set_name = "n", .type = "CREATE"};
	char *id = (char *)1;
	assert_false(cfn_create_change_set(c, &in, &id, &err));
	assert_null(id);
	assert_non_null(strstr(err.msg, "CreateChangeSet: the answer has no Id"));
	lms_error_clear(&err);
	assert_true(cfn_create_change_set(c, &in, &id, &err));
	assert_string_equal(id, "arn:cs");
	free(id);
	/* DescribeStackEvents: a missing stack has no events; another ValidationError or a
	 * longer code is an error */
	cfn_event_tracker t;
	assert_true(cfn_event_tracker_init(&t, "lms-rec", 0));
	cfn_event *ev = (cfn_event *)1;
	size_t n = 7;
	assert_true(cfn_poll_events(c, &t, &ev, &n, &err));
	assert_null(err.msg);
	assert_int_equal(n, 0);
	free(ev);
	assert_false(cfn_poll_events(c, &t, &ev, &n, &err));
	assert_non_null(strstr(err.msg, "UPDATE_IN_PROGRESS state"));
	lms_error_clear(&err);
	assert_false(cfn_poll_events(c, &t, &ev, &n, &err));
	assert_non_null(strstr(err.msg, "ValidationErrorX"));
	lms_error_clear(&err);
	cfn_event_tracker_free(&t);
	/* DescribeStacks: the same rule */
	cfn_stack *sk = (cfn_stack *)1;
	assert_true(cfn_describe_stack(c, "lms-rec", &sk, &err));
	assert_null(sk);
	assert_null(err.msg);
	assert_false(cfn_describe_stack(c, "lms-rec", &sk, &err));
	assert_non_null(strstr(err.msg, "in a bad state"));
	lms_error_clear(&err);
	assert_false(cfn_describe_stack(c, "lms-rec", &sk, &err));
	assert_non_null(strstr(err.msg, "ValidationErrorX"));
	lms_error_clear(&err);
	assert_true(cfn_describe_stack(c, "lms-rec", &sk, &err));
	assert_null(sk);
	/* DescribeStackResource: a ValidationError (exactly) is no such resource */
	char *phys = (char *)1;
	assert_true(cfn_describe_stack_resource(c, "lms-rec", "X", &phys, &err));
	assert_null(phys);
	assert_null(err.msg);
	assert_false(cfn_describe_stack_resource(c, "lms-rec", "X", &phys, &err));
	assert_null(phys);
	assert_non_null(strstr(err.msg, "ValidationErrorX"));
	lms_error_clear(&err);
	assert_true(cfn_describe_stack_resource(c, "lms-rec", "X", &phys, &err));
	assert_string_equal(phys, "phys-3");
	free(phys);
	/* GetTemplate: no TemplateBody, an error, the body */
	buf body;
	buf_init(&body, 0);
	assert_false(cfn_get_template(c, "lms-rec", &body, &err));
	assert_non_null(strstr(err.msg, "GetTemplate: the answer has no TemplateBody"));
	lms_error_clear(&err);
	assert_false(cfn_get_template(c, "lms-rec", &body, &err));
	assert_non_null(strstr(err.msg, "does not exist"));
	lms_error_clear(&err);
	assert_int_equal(body.len, 0);
	assert_true(cfn_get_template(c, "lms-rec", &body, &err));
	assert_string_equal(buf_cstr(&body), "Resources: {}");
	buf_free(&body);
	/* DescribeStackResourceDrifts: an error on the first page, then on the second */
	cfn_resource_drift *rd = (cfn_resource_drift *)1;
	assert_false(cfn_describe_resource_drifts(c, "lms-rec", &rd, &n, NULL, &err));
	assert_null(rd);
	assert_int_equal(n, 0);
	lms_error_clear(&err);
	assert_false(cfn_describe_resource_drifts(c, "lms-rec", &rd, &n, &st, &err));
	assert_null(rd);
	assert_int_equal(n, 0);
	assert_false(st.unsupported);
	assert_int_equal(st.http_status, 400);
	lms_error_clear(&err);
	const char *calls = buf_cstr(&seen.calls);
	static const char *const sent[] = {
	    "Action=DeleteChangeSet&Version=2010-05-15&StackName=lms-rec&ChangeSetName=lmsctl-1\n",
	    "Action=DescribeStackDriftDetectionStatus&Version=2010-05-15&StackDriftDetectionId="
	    "det-1\n",
	    "Action=DescribeChangeSet&Version=2010-05-15&StackName=lms-rec&ChangeSetName=x&"
	    "NextToken=n2\n",
	    "Action=DescribeStackResource&Version=2010-05-15&StackName=lms-rec&"
	    "LogicalResourceId=X\n",
	    "Action=GetTemplate&Version=2010-05-15&StackName=lms-rec&TemplateStage=Original\n",
	    "Action=DescribeStackResourceDrifts&Version=2010-05-15&StackName=lms-rec&"
	    "NextToken=n2\n"};
	for (size_t i = 0; i < sizeof sent / sizeof sent[0]; i++)
		if (!strstr(calls, sent[i]))
			fail_msg("not sent: %s", sent[i]);
	buf_free(&seen.calls);
	aws_client_free(c);
	/* a difference without its path or type: "?" and NOT_EQUAL */
	xml_doc *d = parse("<X><StackResourceDrifts><member><PropertyDifferences><member>"
	                   "<ActualValue>a</ActualValue></member></PropertyDifferences></member>"
	                   "</StackResourceDrifts></X>");
	cfn_resource_drift *v = NULL;
	size_t nv = 0;
	char *next = NULL;
	assert_true(cfn_parse_resource_drifts_page(xml_root(d), &v, &nv, &next));
	assert_int_equal(nv, 1);
	assert_int_equal(v[0].ndiffs, 1);
	assert_string_equal(v[0].diffs[0].path, "?");
	assert_string_equal(v[0].diffs[0].type, "NOT_EQUAL");
	assert_string_equal(v[0].diffs[0].actual, "a");
	assert_null(v[0].diffs[0].expected);
	cfn_resource_drifts_free(v, nv);
	xml_free(d);
}

/* A refused delete that is not "not found" is the refusal, with an error code or without. */
static void test_cleanup_delete_refused(void **state)
{
	(void)state;
	aws_client *c = edges_client();
	lms_error err = {0};
	aws_leftover p = {
	    .kind = AWS_LEFTOVER_RECOVERY_POINT, .id = (char *)"arn:p1", .vault = (char *)"v"};
	assert_false(aws_delete_leftover(c, &p, &err));
	assert_non_null(strstr(err.msg, "AccessDeniedException"));
	lms_error_clear(&err);
	/* refusals without an error code: not "gone" either */
	aws_leftover g = {.kind = AWS_LEFTOVER_LOG_GROUP, .id = (char *)"/lms/a"};
	assert_false(aws_delete_leftover(c, &g, &err));
	assert_non_null(err.msg);
	lms_error_clear(&err);
	aws_leftover n = {.kind = AWS_LEFTOVER_CLUSTER_SNAPSHOT, .id = (char *)"snap-1"};
	assert_false(aws_delete_leftover(c, &n, &err));
	assert_non_null(err.msg);
	lms_error_clear(&err);
	aws_client_free(c);
}

/* The credential chain's order at its edges: the environment's web identity only when no
 * profile is named (an empty one is none) and no key is set; a role profile named by
 * AWS_PROFILE or the default one; the container's relative URI before its full one; its
 * token file before the token variable, a missing file said so. */
static void test_provider_order_edges(void **state)
{
	(void)state;
	chain_env();
	char token_path[128], url[256];
	snprintf(token_path, sizeof token_path, "%s/token", tmpdir);
	write_text("token", "test-oidc-token\n");
	snprintf(url, sizeof url, "%s/recorded/assume/o%ld", server.url, (long)getpid());
	provider_options o = {.region = "eu-west-1", .endpoint_url = url};
	setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci", 1);
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token_path, 1);
	static const struct {
		const char *profile, *aws_profile, *key, *want;
	} cases[] = {
	    {NULL, NULL, NULL, "ASIAWEBIDENTITY"}, {"", NULL, NULL, "ASIAWEBIDENTITY"},
	    {"base", NULL, NULL, "AKIDBASE"},      {NULL, "base", NULL, "AKIDBASE"},
	    {NULL, "", NULL, "ASIAWEBIDENTITY"},   {NULL, NULL, "AKIAENV", "AKIAENV"},
	    {NULL, "ops", NULL, "ASIAASSUMED"},    {"", "ops", NULL, "ASIAASSUMED"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		o.profile = cases[i].profile;
		if (cases[i].aws_profile)
			setenv("AWS_PROFILE", cases[i].aws_profile, 1);
		else
			unsetenv("AWS_PROFILE");
		if (cases[i].key) {
			setenv("AWS_ACCESS_KEY_ID", cases[i].key, 1);
			setenv("AWS_SECRET_ACCESS_KEY", "s", 1);
		}
		credentials *c = NULL;
		lms_error err = {0};
		if (provider_resolve(&o, &c, &err) != CREDENTIALS_OK)
			fail_msg("case %zu: %s", i, err.msg);
		if (strcmp(c->access_key_id, cases[i].want) != 0)
			fail_msg("case %zu: %s", i, c->access_key_id);
		credentials_free(c);
		unsetenv("AWS_ACCESS_KEY_ID");
		unsetenv("AWS_SECRET_ACCESS_KEY");
	}
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_ROLE_ARN");
	unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	o.profile = NULL;
	/* role_arn in the credentials file: the AWS CLI reads roles from the config file only,
	 * so it is refused as credentials.c says, not taken for an SSO profile */
	write_text("credentials", "[inkeys]\nrole_arn = arn:aws:iam::123456789012:role/x\n"
	                          "[base]\naws_access_key_id = AKIDBASE\n"
	                          "aws_secret_access_key = base-secret\n");
	o.profile = "inkeys";
	{
		credentials *k = NULL;
		lms_error kerr = {0};
		assert_int_equal(provider_resolve(&o, &k, &kerr), CREDENTIALS_UNSUPPORTED);
		assert_null(k);
		assert_non_null(strstr(kerr.msg, "profile \"inkeys\" uses role_arn"));
		lms_error_clear(&kerr);
	}
	/* a source profile whose name starts with the profile's is another profile */
	write_text("config", "[profile bas]\n"
	                     "role_arn = arn:aws:iam::123456789012:role/lms-operator\n"
	                     "source_profile = base\n");
	o.profile = "bas";
	{
		credentials *b = NULL;
		lms_error berr = {0};
		if (provider_resolve(&o, &b, &berr) != CREDENTIALS_OK)
			fail_msg("bas: %s", berr.msg);
		assert_string_equal(b->access_key_id, "ASIAASSUMED");
		credentials_free(b);
	}
	/* credential_source = Environment: the environment's keys sign the AssumeRole */
	write_text("config", "[profile envsrc]\n"
	                     "role_arn = arn:aws:iam::123456789012:role/lms-operator\n"
	                     "credential_source = Environment\n");
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "s", 1);
	o.profile = "envsrc";
	{
		credentials *e = NULL;
		lms_error eerr = {0};
		if (provider_resolve(&o, &e, &eerr) != CREDENTIALS_OK)
			fail_msg("envsrc: %s", eerr.msg);
		assert_string_equal(e->access_key_id, "ASIAASSUMED");
		assert_non_null(strstr(e->source, "(from environment (AWS_ACCESS_KEY_ID))"));
		credentials_free(e);
	}
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	o.profile = NULL;
	/* the default profile as a role, nobody naming a profile */
	write_text("config", "[default]\n"
	                     "role_arn = arn:aws:iam::123456789012:role/lms-operator\n"
	                     "source_profile = base\n");
	credentials *c = NULL;
	lms_error err = {0};
	if (provider_resolve(&o, &c, &err) != CREDENTIALS_OK)
		fail_msg("default: %s", err.msg);
	assert_string_equal(c->access_key_id, "ASIAASSUMED");
	assert_non_null(strstr(c->source, "through profile \"default\""));
	credentials_free(c);
	/* the container: the relative URI first (the agent's address: here no answer in
	 * time), whatever the full one says */
	unsetenv("AWS_CONFIG_FILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	/* the loopback by address is 127. and three more numbers: not 1270. */
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://1270.0.0.1/c", 1);
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_BAD_CONFIG);
	lms_error_clear(&err);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127/c", 1);
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_BAD_CONFIG);
	lms_error_clear(&err);
	unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	o.metadata_timeout_ms = 20;
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://metadata.example.com/c", 1);
	setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials", 1);
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_PROCESS_FAILED);
	assert_non_null(strstr(err.msg, "(AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)"));
	lms_error_clear(&err);
	unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	o.metadata_timeout_ms = 2000;
	snprintf(url, sizeof url, "%s/container/o%ld", server.url, (long)getpid());
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	write_text("token", "Bearer-test \t\n");
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_path, 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong", 1);
	if (provider_resolve(&o, &c, &err) != CREDENTIALS_OK)
		fail_msg("token file: %s", err.msg);
	credentials_free(c);
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_PROCESS_FAILED);
	assert_non_null(strstr(err.msg, "(AWS_CONTAINER_CREDENTIALS_FULL_URI) did not answer"));
	assert_non_null(strstr(err.msg, "(HTTP 401)"));
	lms_error_clear(&err);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer-test", 1);
	if (provider_resolve(&o, &c, &err) != CREDENTIALS_OK)
		fail_msg("token: %s", err.msg);
	credentials_free(c);
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/nonexistent/token", 1);
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_BAD_CONFIG);
	assert_non_null(strstr(err.msg, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "));
	assert_string_equal(err.file, "/nonexistent/token");
	lms_error_clear(&err);
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	chain_cleanup();
}

/* The metadata endpoints' edges: a role name cut at its CR whose credentials do not answer;
 * a timeout of 1 ms is 1 ms (not the default); the container token up to its header's 4 KiB; a
 * document with a key twice is read (its last value). */
static void test_metadata_edges(void **state)
{
	(void)state;
	chain_env();
	unsetenv("AWS_CONFIG_FILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_EC2_METADATA_DISABLED");
	provider_options o = {.region = "eu-west-1", .metadata_timeout_ms = 2000};
	char url[256];
	snprintf(url, sizeof url, "%s/imdsrole/lms%%0D/m-%ld", server.url, (long)getpid());
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
	credentials *c = NULL;
	lms_error err = {0};
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_PROCESS_FAILED);
	assert_null(c);
	assert_non_null(
	    strstr(err.msg, "IMDS did not answer the credentials of role lms (HTTP 404)"));
	lms_error_clear(&err);
	snprintf(url, sizeof url, "%s/hang/t-%ld", server.url, (long)getpid());
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
	o.metadata_timeout_ms = 1;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_NOT_FOUND);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	if (ms >= 1500)
		fail_msg("a 1 ms timeout took %ld ms", ms);
	lms_error_clear(&err);
	unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	o.metadata_timeout_ms = 2000;
	/* the token file: up to 4 KiB is read and sent whole in "Authorization: TOKEN" (4081,
	 * 4082 and 4096 bytes are sent, and refused by the agent); 4097 bytes are refused as
	 * too large, before any request */
	snprintf(url, sizeof url, "%s/container/m%ld", server.url, (long)getpid());
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	char token_path[128];
	snprintf(token_path, sizeof token_path, "%s/token", tmpdir);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_path, 1);
	char *big = malloc(4098);
	assert_non_null(big);
	static const size_t sent[] = {4081, 4082, 4096};
	for (size_t i = 0; i < 3; i++) {
		memset(big, 'x', 4097);
		big[sent[i]] = '\0';
		write_text("token", big);
		if (provider_resolve(&o, &c, &err) != CREDENTIALS_PROCESS_FAILED ||
		    !strstr(err.msg, "(HTTP 401)"))
			fail_msg("%zu bytes: %s", sent[i], err.msg ? err.msg : "-");
		lms_error_clear(&err);
	}
	memset(big, 'x', 4097);
	big[4097] = '\0';
	write_text("token", big);
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_BAD_CONFIG);
	assert_string_equal(err.msg, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: larger than 4096 "
	                             "bytes: not a file lmsctl reads");
	assert_string_equal(err.file, token_path);
	lms_error_clear(&err);
	free(big);
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	/* a key given twice: its last value */
	const char *doc =
	    "{\"AccessKeyId\": \"A\", \"AccessKeyId\": \"B\", \"SecretAccessKey\": \"S\"}";
	assert_int_equal(provider_parse_metadata_json(doc, strlen(doc), "src", &c, &err),
	                 CREDENTIALS_OK);
	assert_string_equal(c->access_key_id, "B");
	credentials_free(c);
	chain_cleanup();
}

/* IAM Identity Center's refusals, each said its way: 403 is the role or the account, any
 * other status the portal's own message. */
static void test_sso_refusals(void **state)
{
	(void)state;
	chain_env();
	write_text("config", "[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\n"
	                     "sso_role_name = LmsOperators\n"
	                     "[profile good]\nsso_session = corp\nsso_account_id = 111122223333\n"
	                     "sso_role_name = LmsOperator\n"
	                     "[profile viasso]\nrole_arn = arn:aws:iam::123456789012:role/x\n"
	                     "source_profile = good\n"
	                     "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
	                     "sso_region = eu-west-1\n");
	char dir[160];
	static const char *const dirs[] = {"/.aws", "/.aws/sso", "/.aws/sso/cache"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(dir, sizeof dir, "%s%s", tmpdir, dirs[i]);
		mkdir(dir, 0700);
	}
	write_sso_cache("ee0bfd2552fbd840c02cc48b6e823320543c450f", "test-sso-token", 3600);
	char url[256];
	snprintf(url, sizeof url, "%s/sso/r%ld", server.url, (long)getpid());
	setenv("AWS_ENDPOINT_URL_SSO", url, 1);
	expect_sso("sso", CREDENTIALS_PROCESS_FAILED,
	           "may not take role LmsOperators in account 111122223333 (");
	expect_sso("sso", CREDENTIALS_PROCESS_FAILED, "check sso_account_id and sso_role_name");
	/* an SSO profile as a role's source: its role credentials sign the AssumeRole */
	char sts[256];
	snprintf(sts, sizeof sts, "%s/recorded/assume/v%ld", server.url, (long)getpid());
	provider_options vo = {.profile = "viasso", .region = "eu-west-1", .endpoint_url = sts};
	credentials *vc = NULL;
	lms_error verr = {0};
	if (provider_resolve(&vo, &vc, &verr) != CREDENTIALS_OK)
		fail_msg("viasso: %s", verr.msg);
	assert_string_equal(vc->access_key_id, "ASIAASSUMED");
	assert_non_null(strstr(vc->source, "(from IAM Identity Center role LmsOperator"));
	credentials_free(vc);
	/* the portal's answers (recording sso-edges: the fault server names a GET it does not
	 * know "Unknown"): both keys, non-empty, and an integer expiry in milliseconds, in
	 * roleCredentials; an empty session token is none */
	snprintf(url, sizeof url, "%s/recorded/sso-edges/a%ld", server.url, (long)getpid());
	setenv("AWS_ENDPOINT_URL_SSO", url, 1);
	provider_options go = {.profile = "good", .region = "eu-west-1"};
	for (int i = 1; i <= 7; i++) {
		credentials *gc = NULL;
		lms_error gerr = {0};
		if (provider_resolve(&go, &gc, &gerr) != CREDENTIALS_PROCESS_FAILED)
			fail_msg("answer %d: %s", i, gerr.msg ? gerr.msg : "accepted");
		assert_null(gc);
		assert_non_null(
		    strstr(gerr.msg, "profile \"good\": the IAM Identity Center answer has no role "
		                     "credentials"));
		lms_error_clear(&gerr);
	}
	credentials *gc = NULL;
	assert_int_equal(provider_resolve(&go, &gc, NULL), CREDENTIALS_OK);
	assert_string_equal(gc->access_key_id, "A");
	assert_string_equal(gc->secret_access_key, "s");
	assert_null(gc->session_token);
	assert_int_equal(gc->expiration, 4102444800);
	assert_string_equal(gc->source, "IAM Identity Center role LmsOperator in account "
	                                "111122223333 (profile \"good\")");
	credentials_free(gc);
	assert_int_equal(provider_resolve(&go, &gc, NULL), CREDENTIALS_OK);
	assert_string_equal(gc->session_token, "t");
	assert_int_equal(gc->expiration, 4102444801);
	credentials_free(gc);
	snprintf(url, sizeof url, "%s/status/404/r%ld", server.url, (long)getpid());
	setenv("AWS_ENDPOINT_URL_SSO", url, 1);
	provider_options o = {.profile = "sso", .region = "eu-west-1"};
	credentials *c = NULL;
	lms_error err = {0};
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_PROCESS_FAILED);
	assert_null(c);
	assert_memory_equal(err.msg, "profile \"sso\": ", strlen("profile \"sso\": "));
	assert_null(strstr(err.msg, "may not take role"));
	assert_null(strstr(err.msg, "refused the cached session"));
	lms_error_clear(&err);
	unsetenv("AWS_ENDPOINT_URL_SSO");
	char path[192];
	snprintf(path, sizeof path, "%s/.aws/sso/cache/%s.json", tmpdir,
	         "ee0bfd2552fbd840c02cc48b6e823320543c450f");
	unlink(path);
	for (size_t i = 3; i-- > 0;) {
		snprintf(dir, sizeof dir, "%s%s", tmpdir, dirs[i]);
		rmdir(dir);
	}
	chain_cleanup();
}

/* cfn_parse_time around the 400-year eras' edges: year 0 (January and February belong to
 * the year before), negative years, the first years of an era. */
static void test_parse_time_eras(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		long long want;
	} cases[] = {
	    {"0000-01-01T00:00:00Z", -62167219200LL}, {"0000-03-01T00:00:00Z", -62162035200LL},
	    {"-001-03-01T00:00:00Z", -62193657600LL}, {"-001-01-01T00:00:00Z", -62198755200LL},
	    {"0399-03-01T00:00:00Z", -49570876800LL}, {"0400-03-01T00:00:00Z", -49539254400LL},
	    {"0001-01-01T00:00:00Z", -62135596800LL}, {"0001-03-01T00:00:00Z", -62130499200LL},
	    {"-400-03-01T00:00:00Z", -74784816000LL}, {"-401-03-01T00:00:00Z", -74816438400LL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if ((long long)cfn_parse_time(cases[i].text) != cases[i].want)
			fail_msg("%s: %lld", cases[i].text,
			         (long long)cfn_parse_time(cases[i].text));
}

/* ---- allocation failures (session 7) ------------------------------------------------------ */

/* The parsers of cfn.c with each allocation failing in turn: false (NULL) or a result whose
 * required fields are all set ("?" when absent, so a failed "?" must not pass unnoticed), and
 * nothing leaked once freed. Returns the number of allocations of the call. */
typedef bool (*cfn_parse_call)(const xml_node *root);

static size_t cfn_sweep(const char *xml, cfn_parse_call fn)
{
	xml_doc *d = parse(xml);
	assert_true(fn(xml_root(d)));
	size_t n = 0;
	for (;; n++) {
		size_t live = alloc_live();
		alloc_fail_after(n);
		bool ok = fn(xml_root(d));
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		assert_int_equal(alloc_live(), live);
		if (!fired) {
			assert_true(ok);
			break;
		}
		assert_true(n < 400);
	}
	xml_free(d);
	return n;
}

static bool sweep_stack(const xml_node *root)
{
	cfn_stack *s = cfn_parse_stack(root);
	if (!s)
		return false;
	assert_string_equal(s->name, "s");
	assert_string_equal(s->status, "X");
	assert_int_equal(s->noutputs, 2);
	for (size_t i = 0; i < s->noutputs; i++) {
		assert_non_null(s->outputs[i].key);
		assert_non_null(s->outputs[i].value);
	}
	assert_int_equal(s->nparameters, 2);
	assert_int_equal(s->ntags, 1);
	for (size_t i = 0; i < s->nparameters; i++) {
		assert_non_null(s->parameters[i].key);
		assert_non_null(s->parameters[i].value);
	}
	assert_non_null(s->tags[0].key);
	assert_non_null(s->tags[0].value);
	cfn_stack_free(s);
	return true;
}

static bool sweep_change_set(const xml_node *root)
{
	cfn_change_set *cs = NULL;
	char *next = NULL;
	bool ok = cfn_parse_change_set_page(root, &cs, &next);
	if (ok) {
		/* a second page appended */
		free(next);
		ok = cfn_parse_change_set_page(root, &cs, &next);
	}
	if (ok) {
		assert_non_null(cs);
		assert_non_null(cs->status);
		assert_int_equal(cs->nchanges, 4);
		for (size_t i = 0; i < cs->nchanges; i++) {
			assert_non_null(cs->changes[i].action);
			assert_non_null(cs->changes[i].logical_id);
			assert_non_null(cs->changes[i].resource_type);
		}
	}
	free(next);
	cfn_change_set_free(cs);
	return ok;
}

static bool sweep_events(const xml_node *root)
{
	cfn_event *ev = NULL;
	size_t n = 0;
	char *next = NULL;
	bool ok = cfn_parse_events_page(root, &ev, &n, &next);
	if (ok) {
		/* an event whose id could not be copied is skipped like one without an id */
		assert_int_equal(n, alloc_fail_fired() ? n : 2);
		assert_true(n >= 1);
		for (size_t i = 0; i < n; i++) {
			assert_non_null(ev[i].id);
			assert_non_null(ev[i].logical_id);
			assert_non_null(ev[i].resource_type);
			assert_non_null(ev[i].status);
		}
	}
	free_events(ev, n);
	free(next);
	return ok;
}

static bool sweep_drift_status(const xml_node *root)
{
	cfn_drift_status s;
	bool ok = cfn_parse_drift_status(root, &s);
	if (ok) {
		assert_non_null(s.detection_status);
		assert_int_equal(s.drifted, 3);
	}
	cfn_drift_status_clear(&s);
	return ok;
}

static bool sweep_drifts(const xml_node *root)
{
	cfn_resource_drift *v = NULL;
	size_t n = 0;
	char *next = NULL;
	bool ok = cfn_parse_resource_drifts_page(root, &v, &n, &next);
	if (ok) {
		assert_int_equal(n, 2);
		for (size_t i = 0; i < n; i++) {
			assert_non_null(v[i].logical_id);
			assert_non_null(v[i].resource_type);
			assert_non_null(v[i].status);
			for (size_t j = 0; j < v[i].ndiffs; j++) {
				assert_non_null(v[i].diffs[j].path);
				assert_non_null(v[i].diffs[j].type);
			}
		}
		assert_int_equal(v[0].ndiffs, 2);
	}
	cfn_resource_drifts_free(v, n);
	free(next);
	return ok;
}

static void test_parsers_out_of_memory(void **state)
{
	(void)state;
	assert_true(
	    cfn_sweep("<m><StackName>s</StackName><StackStatus>X</StackStatus>"
	              "<StackId>i</StackId><RoleARN>r</RoleARN>"
	              "<Outputs><member><OutputKey>k</OutputKey><OutputValue>v</OutputValue>"
	              "<Description>d</Description><ExportName>e</ExportName></member>"
	              "<member/></Outputs>"
	              "<Parameters><member><ParameterKey>a</ParameterKey>"
	              "<ParameterValue>b</ParameterValue></member><member/></Parameters>"
	              "<Tags><member><Key>t</Key><Value>u</Value></member></Tags></m>",
	              sweep_stack) > 15);
	assert_true(cfn_sweep("<r><ChangeSetId>c</ChangeSetId><Changes>"
	                      "<member><ResourceChange><Action>Modify</Action><LogicalResourceId>A"
	                      "</LogicalResourceId><ResourceType>T</ResourceType><Scope><member>"
	                      "Properties</member></Scope><Details><member><Target><Name>P</Name>"
	                      "<RequiresRecreation>Always</RequiresRecreation></Target></member>"
	                      "</Details></ResourceChange></member>"
	                      "<member><ResourceChange/></member>"
	                      "</Changes><NextToken>t2</NextToken></r>",
	                      sweep_change_set) > 15);
	assert_true(
	    cfn_sweep("<r><StackEvents><member><EventId>1</EventId><StackName>s</StackName>"
	              "<LogicalResourceId>L</LogicalResourceId><ResourceType>T</ResourceType>"
	              "<ResourceStatus>S</ResourceStatus></member>"
	              "<member><EventId>2</EventId></member><member/></StackEvents>"
	              "<NextToken>n</NextToken></r>",
	              sweep_events) > 8);
	assert_true(cfn_sweep("<r><StackDriftDetectionId>d</StackDriftDetectionId>"
	                      "<DriftedStackResourceCount>3</DriftedStackResourceCount></r>",
	                      sweep_drift_status) >= 2);
	assert_true(cfn_sweep("<r><StackResourceDrifts><member><LogicalResourceId>L"
	                      "</LogicalResourceId><PropertyDifferences><member><PropertyPath>/p"
	                      "</PropertyPath><DifferenceType>ADD</DifferenceType></member>"
	                      "<member/></PropertyDifferences></member><member/>"
	                      "</StackResourceDrifts><NextToken>n</NextToken></r>",
	                      sweep_drifts) > 10);
}

/* An operation's start (`since`) against events at its edges (recording events-edges, newest
 * first): one without a Timestamp is not history, one at `since` is not, one a second before
 * is and ends the poll; with no `since`, every event. */
static void test_events_since_edges(void **state)
{
	(void)state;
	const time_t at = 1714554000; /* 2024-05-01T09:00:00Z */
	for (int with_since = 0; with_since < 2; with_since++) {
		aws_client *c = recorded("events-edges");
		cfn_event_tracker t;
		assert_true(cfn_event_tracker_init(&t, "lms-rec", with_since ? at : 0));
		cfn_event *ev = NULL;
		size_t n = 0;
		lms_error err = {0};
		if (!cfn_poll_events(c, &t, &ev, &n, &err))
			fail_msg("%s", err.msg);
		assert_int_equal(n, with_since ? 2 : 3);
		size_t k = 0;
		if (!with_since) {
			assert_string_equal(ev[k].id, "e-1");
			assert_int_equal(ev[k].timestamp, at - 1);
			k++;
		}
		assert_string_equal(ev[k].id, "e-2");
		assert_string_equal(ev[k].logical_id, "AtSince");
		assert_int_equal(ev[k].timestamp, at);
		assert_string_equal(ev[k + 1].id, "e-3");
		assert_int_equal(ev[k + 1].timestamp, 0);
		free_events(ev, n);
		cfn_event_tracker_free(&t);
		aws_client_free(c);
	}
}

/* The collected events' array grows only when it is full (recording events-eight: one page of
 * eight, newest first): eight fresh events fit its first allocation (eight) as seven do, so a
 * poll of all eight allocates only two more than a poll that stops at the known oldest: that
 * event's id copied into the tracker, and the tracker's own first array (the other's was made
 * when the oldest was marked, before counting). An allocation failure falls where the
 * allocations are. */
static void test_events_growth(void **state)
{
	(void)state;
	aws_client *c = recorded("events-eight");
	size_t count[2];
	for (int known = 0; known < 2; known++) {
		cfn_event_tracker t;
		assert_true(cfn_event_tracker_init(&t, "lms-rec", 0));
		cfn_event *ev = NULL;
		size_t n = 0;
		lms_error err = {0};
		/* a first poll warms the client up */
		if (!cfn_poll_events(c, &t, &ev, &n, &err))
			fail_msg("%s", err.msg);
		assert_int_equal(n, 8);
		free_events(ev, n);
		cfn_event_tracker_free(&t);
		assert_true(cfn_event_tracker_init(&t, "lms-rec", 0));
		if (known)
			assert_false(cfn_event_tracker_seen(&t, "e-1", true));
		alloc_fail_after(SIZE_MAX);
		bool ok = cfn_poll_events(c, &t, &ev, &n, &err);
		count[known] = alloc_fail_count();
		alloc_fail_off();
		if (!ok)
			fail_msg("%s", err.msg);
		assert_int_equal(n, known ? 7 : 8);
		assert_string_equal(ev[0].id, known ? "e-2" : "e-1");
		assert_string_equal(ev[n - 1].id, "e-8");
		free_events(ev, n);
		cfn_event_tracker_free(&t);
	}
	assert_int_equal(count[0], count[1] + 2);
	aws_client_free(c);
}

/* A role profile's settings come from [profile NAME] exactly: not from [profilexNAME], not
 * from [profile NAMEx], not from a longer key; [default] only for the default profile. */
static void test_role_settings_exact_section(void **state)
{
	(void)state;
	chain_env();
	write_text("config", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/x\n"
	                     "source_profilex = base\n"
	                     "[profilexr]\nsource_profile = base\n"
	                     "[profile rx]\nsource_profile = base\n"
	                     "[profile r x]\nsource_profile = base\n"
	                     "[default]\nsource_profile = base\n");
	provider_options o = {.profile = "r", .region = "eu-west-1", .endpoint_url = server.url};
	credentials *c = NULL;
	lms_error err = {0};
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_BAD_CONFIG);
	assert_null(c);
	assert_string_equal(err.msg, "profile \"r\" has role_arn but no source_profile: give it "
	                             "source_profile, or credential_source = Environment, "
	                             "EcsContainer or Ec2InstanceMetadata");
	lms_error_clear(&err);
	chain_cleanup();
}

/* The role's settings are read from the section credentials.c reads for the same profile:
 * [profile  r] (blanks after "profile", as the AWS CLI allows) is profile r. */
static void test_role_settings_section_as_credentials(void **state)
{
	(void)state;
	chain_env();
	write_text("config", "[profile  r]\nrole_arn = arn:aws:iam::123456789012:role/x\n");
	provider_options o = {.profile = "r", .region = "eu-west-1", .endpoint_url = server.url};
	credentials *c = NULL;
	lms_error err = {0};
	assert_int_equal(provider_resolve(&o, &c, &err), CREDENTIALS_BAD_CONFIG);
	assert_null(c);
	assert_non_null(err.msg);
	assert_non_null(strstr(err.msg, "profile \"r\" has role_arn but no source_profile"));
	lms_error_clear(&err);
	chain_cleanup();
}

/* provider_resolve for a role profile (its source's keys, then AssumeRole on the recorded
 * answer) with each allocation failing in turn: out of memory, never a half-made result, never
 * another diagnosis; nothing leaked. The metadata document's parser likewise. */
static void test_provider_out_of_memory(void **state)
{
	(void)state;
	chain_env();
	char url[256];
	snprintf(url, sizeof url, "%s/recorded/assume/oom%ld", server.url, (long)getpid());
	provider_options o = {.profile = "ops", .region = "eu-west-1", .endpoint_url = url};
	/* every allocation up to the role's call; after it (the HTTP client's, a request each)
	 * every 8th, to stay quick */
	size_t step = 1;
	for (size_t n = 0;; n += step) {
		size_t live = alloc_live();
		credentials *c = NULL;
		lms_error err = {0};
		alloc_fail_after(n);
		credentials_status st = provider_resolve(&o, &c, &err);
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		if (getenv("SWEEP_TRACE"))
			fprintf(stderr, "%zu %d %d %s\n", n, fired, (int)st,
			        err.msg ? err.msg : "-");
		if (!fired) {
			assert_int_equal(st, CREDENTIALS_OK);
			assert_string_equal(c->access_key_id, "ASIAASSUMED");
			credentials_free(c);
			assert_int_equal(alloc_live(), live);
			break;
		}
		/* some allocations are absorbed (a log line); a failure is out of memory or the
		 * role's call failing, never a profile read as unsupported, malformed or absent */
		if (st != CREDENTIALS_OK && st != CREDENTIALS_SYSTEM_ERROR &&
		    st != CREDENTIALS_PROCESS_FAILED)
			fail_msg("allocation %zu: %d %s", n, (int)st, err.msg ? err.msg : "-");
		if (st == CREDENTIALS_OK)
			assert_string_equal(c->access_key_id, "ASIAASSUMED");
		if (st == CREDENTIALS_PROCESS_FAILED)
			step = 8;
		credentials_free(c);
		lms_error_clear(&err);
		assert_int_equal(alloc_live(), live);
		assert_true(n < 3000);
	}
	chain_cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_time_edges),
	    cmocka_unit_test(test_replacing_properties_names),
	    cmocka_unit_test(test_resources_left_out),
	    cmocka_unit_test(test_drift_unsupported_codes),
	    cmocka_unit_test(test_cfn_answer_edges),
	    cmocka_unit_test(test_cleanup_delete_refused),
	    cmocka_unit_test(test_provider_order_edges),
	    cmocka_unit_test(test_sso_refusals),
	    cmocka_unit_test(test_metadata_edges),
	    cmocka_unit_test(test_change_set_request),
	    cmocka_unit_test(test_page_limits),
	    cmocka_unit_test(test_sts_edges),
	    cmocka_unit_test(test_parse_edges),
	    cmocka_unit_test(test_tracker_and_event_edges),
	    cmocka_unit_test(test_role_profile_edges),
	    cmocka_unit_test(test_s3_edges),
	    cmocka_unit_test(test_cleanup_paths),
	    cmocka_unit_test(test_cleanup_log_groups),
	    cmocka_unit_test(test_cleanup_secrets),
	    cmocka_unit_test(test_cleanup_snapshots),
	    cmocka_unit_test(test_cleanup_recovery_points),
	    cmocka_unit_test(test_cleanup_deletes),
	    cmocka_unit_test(test_container_uri_hosts),
	    cmocka_unit_test(test_imds_edges),
	    cmocka_unit_test(test_metadata_document),
	    cmocka_unit_test(test_describe_stack_recorded),
	    cmocka_unit_test(test_missing_stack_is_not_an_error),
	    cmocka_unit_test(test_change_set_two_pages),
	    cmocka_unit_test(test_change_set_replacements),
	    cmocka_unit_test(test_no_op_rules),
	    cmocka_unit_test(test_events_once_oldest_first),
	    cmocka_unit_test(test_events_before_since_are_history),
	    cmocka_unit_test(test_event_pages_parse),
	    cmocka_unit_test(test_drift_parse),
	    cmocka_unit_test(test_tokens_times),
	    cmocka_unit_test(test_recovery_calls_and_template),
	    cmocka_unit_test(test_sts),
	    cmocka_unit_test(test_s3_names_and_policy),
	    cmocka_unit_test(test_role_profiles),
	    cmocka_unit_test(test_config_endpoint_url),
	    cmocka_unit_test(test_mfa_prompt),
	    cmocka_unit_test(test_web_identity),
	    cmocka_unit_test(test_sso_profiles),
	    cmocka_unit_test(test_container_and_instance_credentials),
	    cmocka_unit_test(test_parsers_out_of_memory),
	    cmocka_unit_test(test_parse_time_eras),
	    cmocka_unit_test(test_provider_out_of_memory),
	    cmocka_unit_test(test_role_settings_exact_section),
	    cmocka_unit_test(test_role_settings_section_as_credentials),
	    cmocka_unit_test(test_events_since_edges),
	    cmocka_unit_test(test_events_growth),
	};
	return cmocka_run_group_tests_name("cfn", tests, setup, teardown);
}
