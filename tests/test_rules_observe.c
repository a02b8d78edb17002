/* Observability and delivery rules OBS001-OBS004: each fires on a template
 * that breaks it and stays quiet on one that does not. */
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
    "        Parameters: [Environment, EnvironmentSuffix, AuditDays]\n"
    "Parameters:\n"
    "  Environment:\n"
    "    Type: String\n"
    "    Description: kind\n"
    "    Default: dev\n"
    "  EnvironmentSuffix:\n"
    "    Type: String\n"
    "    Description: suffix\n"
    "    Default: dev\n"
    "  AuditDays:\n"
    "    Type: Number\n"
    "    Description: days\n"
    "    Default: 365\n"
    "Conditions:\n"
    "  IsProd: !Equals [!Ref Environment, prod]\n";

#include "tests/rulefixture.h"

static const char good_observe[] = "Resources:\n"
                                   "  AppLogs:\n"
                                   "    Type: AWS::Logs::LogGroup\n"
                                   "    Properties:\n"
                                   "      KmsKeyId: !GetAtt LogsKey.Arn\n"
                                   "      RetentionInDays: 30\n"
                                   "  TrailLogs:\n"
                                   "    Type: AWS::Logs::LogGroup\n"
                                   "    Properties:\n"
                                   "      KmsKeyId: !GetAtt LogsKey.Arn\n"
                                   "      RetentionInDays: !Ref AuditDays\n"
                                   "  Trail:\n"
                                   "    Type: AWS::CloudTrail::Trail\n"
                                   "    Properties:\n"
                                   "      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn\n"
                                   "      CloudWatchLogsRoleArn: "
                                   "arn:aws:iam::123456789012:role/trail-logs\n"
                                   "      IsLogging: true\n"
                                   "      EnableLogFileValidation: true\n"
                                   "      KMSKeyId: !GetAtt LogsKey.Arn\n"
                                   "  Lake:\n"
                                   "    Type: AWS::S3::Bucket\n"
                                   "    Properties:\n"
                                   "      LifecycleConfiguration:\n"
                                   "        Rules:\n"
                                   "          - Id: expire\n"
                                   "            Status: Enabled\n"
                                   "            ExpirationInDays: 365\n"
                                   "  Firehose:\n"
                                   "    Type: AWS::KinesisFirehose::DeliveryStream\n"
                                   "    Properties:\n"
                                   "      ExtendedS3DestinationConfiguration:\n"
                                   "        BucketARN: !GetAtt Lake.Arn\n"
                                   "  Pipeline:\n"
                                   "    Type: AWS::CodePipeline::Pipeline\n"
                                   "    Properties:\n"
                                   "      Stages:\n"
                                   "        - Name: Source\n"
                                   "          Actions:\n"
                                   "            - ActionTypeId: {Category: Source}\n"
                                   "        - !If\n"
                                   "          - IsProd\n"
                                   "          - Name: Approve\n"
                                   "            Actions:\n"
                                   "              - ActionTypeId: {Category: Approval}\n"
                                   "          - !Ref AWS::NoValue\n"
                                   "        - Name: Deploy\n"
                                   "          Actions:\n"
                                   "            - ActionTypeId: {Category: Deploy}\n";

static void run(fixture *fx, const char *env, const char *from, const char *to)
{
	run_with(fx, good_observe, env, from, to, NULL);
}

static size_t obs_errors(const fixture *fx)
{
	size_t n = 0;
	for (size_t i = 0; i < fx->f.n; i++)
		n += strncmp(fx->f.v[i].rule, "OBS", 3) == 0 && fx->f.v[i].sev != SEV_INFO;
	return n;
}

static void test_good_passes(void **state)
{
	(void)state;
	const char *envs[] = {"dev", "prod"};
	for (size_t i = 0; i < 2; i++) {
		fixture fx;
		run(&fx, envs[i], NULL, NULL);
		if (obs_errors(&fx))
			dump(&fx);
		assert_int_equal(obs_errors(&fx), 0);
		done(&fx);
	}
}

static void test_log_groups(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "dev", "      KmsKeyId: !GetAtt LogsKey.Arn\n      RetentionInDays: 30\n",
	    "      RetentionInDays: 30\n");
	assert_true(has_message(&fx, "OBS001", "AppLogs is not encrypted"));
	done(&fx);
	run(&fx, "dev", "      RetentionInDays: 30\n", "");
	assert_true(has_message(&fx, "OBS001", "AppLogs keeps its events forever"));
	done(&fx);
}

static void test_audit_retention(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "prod", "Default: 365", "Default: 90");
	assert_int_equal(count(&fx, "OBS002", SEV_ERROR), 1);
	assert_string_equal(fx.f.v[0].field, "AuditDays");
	done(&fx);
	run(&fx, "dev", "Default: 365", "Default: 90");
	assert_int_equal(count(&fx, "OBS002", SEV_ERROR), 0);
	assert_int_equal(count(&fx, "OBS002", SEV_INFO), 1);
	done(&fx);
}

static void test_data_lake_expiry(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "dev", "            ExpirationInDays: 365\n",
	    "            NoncurrentVersionExpirationInDays: 30\n");
	assert_true(has_message(&fx, "OBS003", "data lake Lake"));
	done(&fx);
	run(&fx, "dev", "Status: Enabled", "Status: Disabled");
	assert_int_equal(count(&fx, "OBS003", SEV_ERROR), 1);
	done(&fx);
}

static void test_manual_approval(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "prod", "          - IsProd\n", "          - IsNeverTrue\n");
	/* an unknown condition is not a pass: the approval cannot be shown */
	assert_int_equal(count(&fx, "OBS004", SEV_ERROR), 1);
	done(&fx);
	run(&fx, "prod", "{Category: Approval}", "{Category: Invoke}");
	assert_true(has_message(&fx, "OBS004", "without a manual approval"));
	done(&fx);
	run(&fx, "dev", "{Category: Approval}", "{Category: Invoke}");
	assert_int_equal(count(&fx, "OBS004", SEV_ERROR), 0);
	done(&fx);
	/* a CodeBuild deploy (category Build) in a stage named Deploy counts */
	run(&fx, "prod",
	    "{Category: Approval}\n          - !Ref AWS::NoValue\n        - Name: Deploy\n"
	    "          Actions:\n            - ActionTypeId: {Category: Deploy}",
	    "{Category: Invoke}\n          - !Ref AWS::NoValue\n        - Name: Deploy\n"
	    "          Actions:\n            - ActionTypeId: {Category: Build}");
	assert_true(has_message(&fx, "OBS004", "without a manual approval"));
	done(&fx);
}

/* the edges: 364 and 365 days, a literal retention, each writer and each
 * near type name, an undecided key or retention */
static void test_audit_edges(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "prod", "Default: 365", "Default: 364");
	assert_int_equal(count(&fx, "OBS002", SEV_ERROR), 1);
	assert_true(has_message(&fx, "OBS002",
	                        "TrailLogs is an audit log "
	                        "(AWS::CloudTrail::Trail writes it) kept 364 days"));
	done(&fx);
	/* a writer that is the template's first resource */
	run(&fx, "prod", "Resources:\n",
	    "Resources:\n"
	    "  FirstTrail:\n"
	    "    Type: AWS::CloudTrail::Trail\n"
	    "    Properties:\n"
	    "      CloudWatchLogsLogGroupArn: !GetAtt AppLogs.Arn\n");
	assert_true(has_message(&fx, "OBS002", "AppLogs is an audit log"));
	done(&fx);
	/* a delivery stream that is the template's first resource, by its plain S3
	 * destination */
	run(&fx, "dev", "Resources:\n",
	    "Resources:\n"
	    "  FirstHose:\n"
	    "    Type: AWS::KinesisFirehose::DeliveryStream\n"
	    "    Properties:\n"
	    "      S3DestinationConfiguration:\n"
	    "        BucketARN: !GetAtt Raw.Arn\n"
	    "  Raw:\n"
	    "    Type: AWS::S3::Bucket\n");
	assert_int_equal(count(&fx, "OBS003", SEV_ERROR), 1);
	done(&fx);
	/* ... and the bucket as the first resource */
	run(&fx, "dev", "Resources:\n",
	    "Resources:\n"
	    "  Raw:\n"
	    "    Type: AWS::S3::Bucket\n"
	    "  FirstHose:\n"
	    "    Type: AWS::KinesisFirehose::DeliveryStream\n"
	    "    Properties:\n"
	    "      S3DestinationConfiguration:\n"
	    "        BucketARN: !GetAtt Raw.Arn\n");
	assert_int_equal(count(&fx, "OBS003", SEV_ERROR), 1);
	done(&fx);
	/* a Deploy action in the first stage, named otherwise, before the approval */
	run(&fx, "prod",
	    "        - Name: Source\n          Actions:\n            - ActionTypeId: {Category: "
	    "Source}\n",
	    "        - Name: Early\n          Actions:\n            - ActionTypeId: {Category: "
	    "Deploy}\n");
	assert_int_equal(count(&fx, "OBS004", SEV_ERROR), 1);
	done(&fx);
	/* prod exactly: prodx is not prod (info, as outside prod) */
	run(&fx, "prodx", "Default: 365", "Default: 364");
	assert_int_equal(count(&fx, "OBS002", SEV_ERROR), 0);
	assert_int_equal(count(&fx, "OBS002", SEV_INFO), 1);
	done(&fx);
	run(&fx, "prod", "Default: 365", "Default: 366");
	assert_int_equal(obs_errors(&fx), 0);
	done(&fx);
	/* a literal: no parameter to name, the position of the value */
	run(&fx, "prod", "RetentionInDays: !Ref AuditDays", "RetentionInDays: 364");
	assert_int_equal(count(&fx, "OBS002", SEV_ERROR), 1);
	for (size_t i = 0; i < fx.f.n; i++)
		if (strcmp(fx.f.v[i].rule, "OBS002") == 0) {
			assert_string_equal(fx.f.v[i].field, "");
			assert_non_null(fx.f.v[i].file);
			assert_true(fx.f.v[i].line > 0);
		}
	done(&fx);
	run(&fx, "prod", "RetentionInDays: !Ref AuditDays", "RetentionInDays: 365");
	assert_int_equal(obs_errors(&fx), 0);
	done(&fx);
	/* a flow log writes an audit log too */
	run(&fx, "prod",
	    "Type: AWS::CloudTrail::Trail\n    Properties:\n      CloudWatchLogsLogGroupArn",
	    "Type: AWS::EC2::FlowLog\n    Properties:\n      LogDestination");
	assert_true(has_message(&fx, "OBS002", "(AWS::EC2::FlowLog writes it) kept 365") == false);
	assert_int_equal(obs_errors(&fx), 0);
	done(&fx);
	/* each writer's type makes an audit log of a 30-day group; a longer type name does not */
	static const struct {
		const char *type;
		size_t errors;
	} writers[] = {{"AWS::EC2::FlowLog", 1},
	               {"AWS::CloudTrail::Trail", 1},
	               {"AWS::EC2::FlowLogX", 0},
	               {"AWS::CloudTrail::TrailX", 0}};
	static const char trail[] = "Type: AWS::CloudTrail::Trail\n";
	const char *at = strstr(good_observe, trail);
	assert_non_null(at);
	for (size_t i = 0; i < sizeof writers / sizeof *writers; i++) {
		char text[sizeof(good_observe) + 64];
		snprintf(text, sizeof text, "%.*sType: %s\n%s", (int)(at - good_observe),
		         good_observe, writers[i].type, at + strlen(trail));
		run_with(&fx, text, "prod", "Default: 365", "Default: 30", NULL);
		if (count(&fx, "OBS002", SEV_ERROR) != writers[i].errors)
			fail_msg("writer %s", writers[i].type);
		done(&fx);
	}
	/* a log group type with a suffix is no log group */
	run(&fx, "dev",
	    "    Type: AWS::Logs::LogGroup\n    Properties:\n      KmsKeyId: !GetAtt LogsKey.Arn\n"
	    "      RetentionInDays: 30\n",
	    "    Type: AWS::Logs::LogGroupX\n    Properties:\n      Other: 30\n");
	assert_int_equal(count(&fx, "OBS001", SEV_ERROR), 0);
	done(&fx);
	/* an undecided key or retention is none */
	run(&fx, "dev", "      KmsKeyId: !GetAtt LogsKey.Arn\n      RetentionInDays: 30\n",
	    "      KmsKeyId: !If [IsNeverTrue, !GetAtt LogsKey.Arn, !Ref AWS::NoValue]\n"
	    "      RetentionInDays: !If [IsNeverTrue, 30, !Ref AWS::NoValue]\n");
	assert_true(has_message(&fx, "OBS001", "AppLogs is not encrypted"));
	assert_true(has_message(&fx, "OBS001", "AppLogs keeps its events forever"));
	done(&fx);
	/* a function that only starts like Fn::If (refused by the rendering, REN001, which
	 * goes on) is no undecided Fn::If: the key is set */
	run(&fx, "dev", "      KmsKeyId: !GetAtt LogsKey.Arn\n      RetentionInDays: 30\n",
	    "      KmsKeyId: !IfX [IsNeverTrue, !GetAtt LogsKey.Arn, !Ref AWS::NoValue]\n"
	    "      RetentionInDays: 30\n");
	assert_true(has_message(&fx, "REN001", ""));
	assert_false(has_message(&fx, "OBS001", "AppLogs is not encrypted"));
	done(&fx);
}

static void test_data_lake_edges(void **state)
{
	(void)state;
	fixture fx;
	/* an expiry date counts; so does a later enabled rule */
	run(&fx, "dev", "            ExpirationInDays: 365\n",
	    "            ExpirationDate: '2030-01-01T00:00:00'\n");
	assert_int_equal(count(&fx, "OBS003", SEV_ERROR), 0);
	done(&fx);
	run(&fx, "dev", "          - Id: expire\n            Status: Enabled\n",
	    "          - Id: off\n            Status: Disabled\n            ExpirationInDays: 1\n"
	    "          - Id: expire\n            Status: Enabled\n");
	assert_int_equal(count(&fx, "OBS003", SEV_ERROR), 0);
	done(&fx);
	run(&fx, "dev", "Status: Enabled", "Status: Enabledx");
	assert_int_equal(count(&fx, "OBS003", SEV_ERROR), 1);
	done(&fx);
	/* a plain S3 destination makes a data lake too */
	run(&fx, "dev", "            Status: Enabled\n            ExpirationInDays: 365\n",
	    "            Status: Enabled\n");
	assert_int_equal(count(&fx, "OBS003", SEV_ERROR), 1);
	done(&fx);
	run(&fx, "dev",
	    "            Status: Enabled\n            ExpirationInDays: 365\n"
	    "  Firehose:\n    Type: AWS::KinesisFirehose::DeliveryStream\n    Properties:\n"
	    "      ExtendedS3DestinationConfiguration:",
	    "            Status: Enabled\n"
	    "  Firehose:\n    Type: AWS::KinesisFirehose::DeliveryStream\n    Properties:\n"
	    "      S3DestinationConfiguration:");
	assert_int_equal(count(&fx, "OBS003", SEV_ERROR), 1);
	done(&fx);
	/* near type names: no stream, no bucket */
	run(&fx, "dev",
	    "            Status: Enabled\n            ExpirationInDays: 365\n"
	    "  Firehose:\n    Type: AWS::KinesisFirehose::DeliveryStream\n",
	    "            Status: Enabled\n"
	    "  Firehose:\n    Type: AWS::KinesisFirehose::DeliveryStreamX\n");
	assert_int_equal(count(&fx, "OBS003", SEV_ERROR), 0);
	done(&fx);
	run(&fx, "dev",
	    "  Lake:\n    Type: AWS::S3::Bucket\n    Properties:\n      LifecycleConfiguration:\n"
	    "        Rules:\n          - Id: expire\n            Status: Enabled\n"
	    "            ExpirationInDays: 365\n",
	    "  Lake:\n    Type: AWS::S3::BucketX\n    Properties: {}\n");
	assert_int_equal(count(&fx, "OBS003", SEV_ERROR), 0);
	done(&fx);
}

static void test_approval_edges(void **state)
{
	(void)state;
	fixture fx;
	/* an approval after the deploy is too late */
	run(&fx, "prod",
	    "        - Name: Deploy\n          Actions:\n            - ActionTypeId: {Category: "
	    "Deploy}\n",
	    "        - Name: Deploy\n          Actions:\n            - ActionTypeId: {Category: "
	    "Deploy}\n        - Name: Late\n          Actions:\n"
	    "            - ActionTypeId: {Category: Approval}\n");
	assert_int_equal(count(&fx, "OBS004", SEV_ERROR), 0); /* the first approval counts */
	done(&fx);
	run(&fx, "prod",
	    "          - IsProd\n          - Name: Approve\n            Actions:\n"
	    "              - ActionTypeId: {Category: Approval}\n          - !Ref AWS::NoValue\n"
	    "        - Name: Deploy\n          Actions:\n            - ActionTypeId: {Category: "
	    "Deploy}\n",
	    "          - IsProd\n          - Name: Approve\n            Actions:\n"
	    "              - ActionTypeId: {Category: Invoke}\n          - !Ref AWS::NoValue\n"
	    "        - Name: Deploy\n          Actions:\n            - ActionTypeId: {Category: "
	    "Deploy}\n        - Name: Late\n          Actions:\n"
	    "            - ActionTypeId: {Category: Approval}\n");
	assert_int_equal(count(&fx, "OBS004", SEV_ERROR), 1);
	done(&fx);
	/* a Build stage named Deployx, or Deplo, does not deploy */
	const char *names[] = {"Deployx", "Deplo"};
	for (size_t i = 0; i < 2; i++) {
		char to[256];
		snprintf(to, sizeof(to),
		         "{Category: Invoke}\n          - !Ref AWS::NoValue\n        - Name: %s\n"
		         "          Actions:\n            - ActionTypeId: {Category: Build}",
		         names[i]);
		run(&fx, "prod",
		    "{Category: Approval}\n          - !Ref AWS::NoValue\n        - Name: Deploy\n"
		    "          Actions:\n            - ActionTypeId: {Category: Deploy}",
		    to);
		assert_int_equal(count(&fx, "OBS004", SEV_ERROR), 0);
		done(&fx);
	}
	/* an approval in the stage named Deploy is no deploy; a Deployx category none */
	run(&fx, "prod",
	    "{Category: Approval}\n          - !Ref AWS::NoValue\n        - Name: Deploy\n"
	    "          Actions:\n            - ActionTypeId: {Category: Deploy}",
	    "{Category: Invoke}\n          - !Ref AWS::NoValue\n        - Name: Deploy\n"
	    "          Actions:\n            - ActionTypeId: {Category: Approval}\n"
	    "            - ActionTypeId: {Category: Build}");
	assert_int_equal(count(&fx, "OBS004", SEV_ERROR), 0);
	done(&fx);
	run(&fx, "prod", "{Category: Approval}", "{Category: Approvalx}");
	assert_int_equal(count(&fx, "OBS004", SEV_ERROR), 1);
	done(&fx);
	run(&fx, "prod",
	    "{Category: Approval}\n          - !Ref AWS::NoValue\n        - Name: Deploy\n"
	    "          Actions:\n            - ActionTypeId: {Category: Deploy}",
	    "{Category: Invoke}\n          - !Ref AWS::NoValue\n        - Name: Other\n"
	    "          Actions:\n            - ActionTypeId: {Category: Deployx}");
	assert_int_equal(count(&fx, "OBS004", SEV_ERROR), 0);
	done(&fx);
	/* a pipeline type with a suffix is no pipeline */
	run(&fx, "prod", "{Category: Approval}", "{Category: Invoke}");
	assert_int_equal(count(&fx, "OBS004", SEV_ERROR), 1);
	done(&fx);
	run(&fx, "prod",
	    "Type: AWS::CodePipeline::Pipeline\n    Properties:\n      Stages:\n        - Name: "
	    "Source\n"
	    "          Actions:\n            - ActionTypeId: {Category: Source}\n        - !If\n"
	    "          - IsProd\n          - Name: Approve\n            Actions:\n"
	    "              - ActionTypeId: {Category: Approval}\n",
	    "Type: AWS::CodePipeline::PipelineX\n    Properties:\n      Stages:\n        - Name: "
	    "Source\n"
	    "          Actions:\n            - ActionTypeId: {Category: Source}\n        - !If\n"
	    "          - IsProd\n          - Name: Approve\n            Actions:\n"
	    "              - ActionTypeId: {Category: Invoke}\n");
	assert_int_equal(count(&fx, "OBS004", SEV_ERROR), 0);
	done(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_passes),     cmocka_unit_test(test_log_groups),
	    cmocka_unit_test(test_audit_retention), cmocka_unit_test(test_data_lake_expiry),
	    cmocka_unit_test(test_manual_approval), cmocka_unit_test(test_audit_edges),
	    cmocka_unit_test(test_data_lake_edges), cmocka_unit_test(test_approval_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
