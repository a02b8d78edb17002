/* The one stack-status classifier (ops/status.c) and the deploy gate on it: every status
 * of CloudFormation's StackStatus enumeration in the class AWS's descriptions give it (see
 * ops/status.h for the sources). */
#include "ops/ops.h"
#include "ops/status.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

/* The API reference's StackStatus values, each with what it means for lmsctl. */
static const struct {
	const char *status;
	ops_stack_class cls;
	bool in_progress, settled, failed, succeeded;
	ops_gate gate;
} table[] = {
    {"CREATE_IN_PROGRESS", OPS_STACK_RUNNING, true, false, false, false, OPS_GATE_BUSY},
    {"CREATE_FAILED", OPS_STACK_FAILED, false, true, true, false, OPS_GATE_UPDATE},
    {"CREATE_COMPLETE", OPS_STACK_SUCCEEDED, false, true, false, true, OPS_GATE_UPDATE},
    {"ROLLBACK_IN_PROGRESS", OPS_STACK_ROLLING_BACK, true, false, true, false, OPS_GATE_BUSY},
    {"ROLLBACK_FAILED", OPS_STACK_FAILED, false, true, true, false, OPS_GATE_DELETE_FIRST},
    {"ROLLBACK_COMPLETE", OPS_STACK_ROLLED_BACK, false, true, true, false, OPS_GATE_DELETE_FIRST},
    {"DELETE_IN_PROGRESS", OPS_STACK_RUNNING, true, false, false, false, OPS_GATE_BUSY},
    {"DELETE_FAILED", OPS_STACK_FAILED, false, true, true, false, OPS_GATE_DELETE_FAILED},
    {"DELETE_COMPLETE", OPS_STACK_DELETED, false, true, false, false, OPS_GATE_UPDATE},
    {"UPDATE_IN_PROGRESS", OPS_STACK_RUNNING, true, false, false, false, OPS_GATE_BUSY},
    {"UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", OPS_STACK_RUNNING, true, false, false, false,
     OPS_GATE_BUSY},
    {"UPDATE_COMPLETE", OPS_STACK_SUCCEEDED, false, true, false, true, OPS_GATE_UPDATE},
    {"UPDATE_FAILED", OPS_STACK_FAILED, false, true, true, false, OPS_GATE_UPDATE},
    {"UPDATE_ROLLBACK_IN_PROGRESS", OPS_STACK_ROLLING_BACK, true, false, true, false,
     OPS_GATE_BUSY},
    {"UPDATE_ROLLBACK_FAILED", OPS_STACK_FAILED, false, true, true, false,
     OPS_GATE_CONTINUE_ROLLBACK},
    {"UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", OPS_STACK_ROLLING_BACK, true, false, true,
     false, OPS_GATE_BUSY},
    {"UPDATE_ROLLBACK_COMPLETE", OPS_STACK_ROLLED_BACK, false, true, true, false, OPS_GATE_UPDATE},
    {"REVIEW_IN_PROGRESS", OPS_STACK_REVIEW, false, true, false, false, OPS_GATE_CREATE},
    {"IMPORT_IN_PROGRESS", OPS_STACK_RUNNING, true, false, false, false, OPS_GATE_BUSY},
    {"IMPORT_COMPLETE", OPS_STACK_SUCCEEDED, false, true, false, true, OPS_GATE_UPDATE},
    {"IMPORT_ROLLBACK_IN_PROGRESS", OPS_STACK_ROLLING_BACK, true, false, true, false,
     OPS_GATE_BUSY},
    {"IMPORT_ROLLBACK_FAILED", OPS_STACK_FAILED, false, true, true, false, OPS_GATE_UPDATE},
    {"IMPORT_ROLLBACK_COMPLETE", OPS_STACK_ROLLED_BACK, false, true, true, false, OPS_GATE_UPDATE},
};

static void test_every_documented_status(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		const char *s = table[i].status;
		if ((int)ops_status_class(s) != (int)table[i].cls ||
		    ops_status_in_progress(s) != table[i].in_progress ||
		    ops_status_settled(s) != table[i].settled ||
		    ops_status_failed(s) != table[i].failed ||
		    ops_status_succeeded(s) != table[i].succeeded ||
		    (int)ops_deploy_gate(s) != (int)table[i].gate)
			fail_msg(
			    "%s: class %d in_progress %d settled %d failed %d succeeded %d gate %d",
			    s, (int)ops_status_class(s), ops_status_in_progress(s),
			    ops_status_settled(s), ops_status_failed(s), ops_status_succeeded(s),
			    (int)ops_deploy_gate(s));
		/* settled and in progress are each other's opposite */
		assert_true(ops_status_settled(s) != ops_status_in_progress(s));
	}
	/* no stack: a deploy creates it */
	assert_int_equal(ops_deploy_gate(NULL), OPS_GATE_CREATE);
	assert_int_equal(ops_status_class(NULL), OPS_STACK_UNKNOWN);
	assert_false(ops_status_settled(NULL));
	assert_false(ops_status_in_progress(NULL));
	assert_false(ops_status_failed(NULL));
}

/* What the two classifiers this one replaced agreed on (tests/test_cfn.c and
 * tests/test_console.c asserted it): it still holds. */
static void test_what_the_old_classifiers_agreed_on(void **state)
{
	(void)state;
	assert_true(ops_status_settled("CREATE_COMPLETE"));
	assert_true(ops_status_settled("UPDATE_ROLLBACK_COMPLETE"));
	assert_true(ops_status_settled("REVIEW_IN_PROGRESS"));
	assert_false(ops_status_settled("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"));
	assert_false(ops_status_settled("DELETE_IN_PROGRESS"));
	assert_true(ops_status_failed("ROLLBACK_COMPLETE"));
	assert_true(ops_status_failed("UPDATE_ROLLBACK_COMPLETE"));
	assert_true(ops_status_failed("DELETE_FAILED"));
	assert_false(ops_status_failed("UPDATE_COMPLETE"));
	assert_true(ops_status_succeeded("UPDATE_COMPLETE"));
	assert_false(ops_status_succeeded("REVIEW_IN_PROGRESS"));
	assert_true(ops_event_status_failed("CREATE_FAILED"));
	assert_false(ops_event_status_failed("CREATE_COMPLETE"));
}

/* Where they disagreed, AWS's descriptions decide (ops/status.h). */
static void test_where_they_disagreed(void **state)
{
	(void)state;
	/* a failed creation being rolled back: running, and failed */
	assert_true(ops_status_in_progress("ROLLBACK_IN_PROGRESS"));
	assert_true(ops_status_failed("ROLLBACK_IN_PROGRESS"));
	/* a stack made by a CREATE change set not executed: nothing runs, D makes a new one */
	assert_false(ops_status_in_progress("REVIEW_IN_PROGRESS"));
	assert_false(ops_status_failed("REVIEW_IN_PROGRESS"));
	assert_int_equal(ops_deploy_gate("REVIEW_IN_PROGRESS"), OPS_GATE_CREATE);
}

/* A status AWS adds later is classed by its suffix. */
static void test_unknown_statuses(void **state)
{
	(void)state;
	assert_int_equal(ops_status_class("RESHAPE_IN_PROGRESS"), OPS_STACK_RUNNING);
	assert_int_equal(ops_status_class("RESHAPE_ROLLBACK_IN_PROGRESS"), OPS_STACK_ROLLING_BACK);
	assert_int_equal(ops_status_class("RESHAPE_FAILED"), OPS_STACK_FAILED);
	assert_int_equal(ops_status_class("RESHAPE_COMPLETE"), OPS_STACK_SUCCEEDED);
	assert_int_equal(ops_status_class("RESHAPE_ROLLBACK_COMPLETE"), OPS_STACK_ROLLED_BACK);
	assert_int_equal(ops_status_class("SOMETHING"), OPS_STACK_UNKNOWN);
	assert_true(ops_status_settled("SOMETHING"));
}

/* The model's side of the gate, the same for lmsctl deploy and the console's D. */
static void test_findings_that_stop_a_deploy(void **state)
{
	(void)state;
	finding error = {.rule = (char *)"NET002", .sev = SEV_ERROR};
	finding plain_http = {.rule = (char *)"SEC001", .sev = SEV_WARNING};
	finding other = {.rule = (char *)"SCL001", .sev = SEV_WARNING};
	finding no_recipient = {.rule = (char *)"OBS008", .sev = SEV_WARNING};
	finding sibling = {.rule = (char *)"OBS007", .sev = SEV_WARNING};
	assert_true(ops_finding_stops_deploy(&error, "dev", false));
	assert_true(ops_finding_stops_deploy(&error, "prod", true));
	assert_true(ops_finding_stops_deploy(&plain_http, "prod", false));
	assert_false(ops_finding_stops_deploy(&plain_http, "prod", true));
	assert_false(ops_finding_stops_deploy(&plain_http, "staging", false));
	assert_false(ops_finding_stops_deploy(&plain_http, NULL, false));
	assert_false(ops_finding_stops_deploy(&other, "prod", false));
	/* no alarm recipient: a gate of prod only, which --allow-plain-http does not open */
	assert_true(ops_finding_stops_deploy(&no_recipient, "prod", false));
	assert_true(ops_finding_stops_deploy(&no_recipient, "prod", true));
	assert_false(ops_finding_stops_deploy(&no_recipient, "dev", false));
	assert_false(ops_finding_stops_deploy(&no_recipient, "staging", false));
	assert_false(ops_finding_stops_deploy(&no_recipient, "production", false));
	assert_false(ops_finding_stops_deploy(&no_recipient, "pro", false));
	assert_false(ops_finding_stops_deploy(&no_recipient, NULL, false));
	assert_false(ops_finding_stops_deploy(&sibling, "prod", false));
}

/* The destroy dialog's order: databases, caches, file systems, buckets, streams, secrets,
 * the other kinds that hold data, then the rest; names near a kind are not it. */
static void test_stateful_rank(void **state)
{
	(void)state;
	assert_int_equal(ops_stateful_rank("AWS::RDS::DBCluster"), 0);
	assert_int_equal(ops_stateful_rank("AWS::RDS::DBInstance"), 0);
	assert_int_equal(ops_stateful_rank("AWS::ElastiCache::ReplicationGroup"), 1);
	assert_int_equal(ops_stateful_rank("AWS::EFS::FileSystem"), 2);
	assert_int_equal(ops_stateful_rank("AWS::S3::Bucket"), 3);
	assert_int_equal(ops_stateful_rank("AWS::Kinesis::Stream"), 4);
	assert_int_equal(ops_stateful_rank("AWS::KinesisFirehose::DeliveryStream"), 4);
	assert_int_equal(ops_stateful_rank("AWS::SecretsManager::Secret"), 5);
	assert_int_equal(ops_stateful_rank("AWS::KMS::Key"), 6);
	assert_int_equal(ops_stateful_rank("AWS::Logs::LogGroup"), 6);
	/* holds no data: the subnet group of a database, a bucket's policy, a mount target */
	assert_int_equal(ops_stateful_rank("AWS::RDS::DBSubnetGroup"), -1);
	assert_int_equal(ops_stateful_rank("AWS::S3::BucketPolicy"), -1);
	assert_int_equal(ops_stateful_rank("AWS::EFS::MountTarget"), -1);
	assert_int_equal(ops_stateful_rank(NULL), -1);
	ops_resource v[] = {
	    {"Role", "AWS::IAM::Role", "CREATE_COMPLETE"},
	    {"Logs", "AWS::Logs::LogGroup", "CREATE_COMPLETE"},
	    {"Bucket", "AWS::S3::Bucket", "CREATE_COMPLETE"},
	    {"Writer", "AWS::RDS::DBInstance", "CREATE_COMPLETE"},
	    {"Cluster", "AWS::RDS::DBCluster", "CREATE_COMPLETE"},
	    {"Cache", "AWS::ElastiCache::ReplicationGroup", "CREATE_COMPLETE"},
	    {"Reader", "AWS::RDS::DBInstance", "CREATE_COMPLETE"},
	};
	ops_resources_sort(v, 7);
	const char *want[] = {"Cluster", "Reader", "Writer", "Cache", "Bucket", "Logs", "Role"};
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(v[i].logical_id, want[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_documented_status),
	    cmocka_unit_test(test_stateful_rank),
	    cmocka_unit_test(test_what_the_old_classifiers_agreed_on),
	    cmocka_unit_test(test_where_they_disagreed),
	    cmocka_unit_test(test_unknown_statuses),
	    cmocka_unit_test(test_findings_that_stop_a_deploy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
