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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_passes),     cmocka_unit_test(test_log_groups),
	    cmocka_unit_test(test_audit_retention), cmocka_unit_test(test_data_lake_expiry),
	    cmocka_unit_test(test_manual_approval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
