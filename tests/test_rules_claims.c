/* The claimed controls (model/claims.c: SEC002-SEC010, OBS005-OBS007) at
 * their edges: a small template that has every control passes in dev and
 * prod; each mutation that breaks one makes its rule fail, an error in
 * every environment; the variants the docs allow (SSE-S3, an asymmetric
 * key, an alarm that only scales, expiry of old versions only) pass. */
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

#include "tests/rule_env.h"

#include "tests/rulefixture.h"

static const char good[] = "Resources:\n"
                           "  Key:\n"
                           "    Type: AWS::KMS::Key\n"
                           "    Properties:\n"
                           "      EnableKeyRotation: true\n"
                           "      RotationPeriodInDays: 365\n"
                           "  SigningKey:\n"
                           "    Type: AWS::KMS::Key\n"
                           "    Properties:\n"
                           "      KeySpec: RSA_2048\n"
                           "      KeyUsage: SIGN_VERIFY\n"
                           "  Bucket:\n"
                           "    Type: AWS::S3::Bucket\n"
                           "    Properties:\n"
                           "      BucketEncryption:\n"
                           "        ServerSideEncryptionConfiguration:\n"
                           "          - ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}\n"
                           "      PublicAccessBlockConfiguration:\n"
                           "        BlockPublicAcls: true\n"
                           "        BlockPublicPolicy: true\n"
                           "        IgnorePublicAcls: true\n"
                           "        RestrictPublicBuckets: true\n"
                           "      LifecycleConfiguration:\n"
                           "        Rules:\n"
                           "          - Status: Enabled\n"
                           "            NoncurrentVersionExpiration: {NoncurrentDays: 7}\n"
                           "  BucketPolicy:\n"
                           "    Type: AWS::S3::BucketPolicy\n"
                           "    Properties:\n"
                           "      Bucket: !Ref Bucket\n"
                           "      PolicyDocument:\n"
                           "        Statement:\n"
                           "          - Effect: Deny\n"
                           "            Principal: '*'\n"
                           "            Action: 's3:*'\n"
                           "            Resource: !Sub '${Bucket.Arn}/*'\n"
                           "            Condition: {Bool: {'aws:SecureTransport': 'false'}}\n"
                           "  Topic:\n"
                           "    Type: AWS::SNS::Topic\n"
                           "    Properties:\n"
                           "      KmsMasterKeyId: !GetAtt Key.Arn\n"
                           "  TopicPolicy:\n"
                           "    Type: AWS::SNS::TopicPolicy\n"
                           "    Properties:\n"
                           "      Topics: [!Ref Topic]\n"
                           "      PolicyDocument:\n"
                           "        Statement:\n"
                           "          - Effect: Deny\n"
                           "            Principal: '*'\n"
                           "            Action: sns:Publish\n"
                           "            Resource: !Ref Topic\n"
                           "            Condition: {Bool: {'aws:SecureTransport': 'false'}}\n"
                           "  Stream:\n"
                           "    Type: AWS::Kinesis::Stream\n"
                           "    Properties:\n"
                           "      StreamEncryption: {EncryptionType: KMS, KeyId: !GetAtt Key.Arn}\n"
                           "  Alarm:\n"
                           "    Type: AWS::CloudWatch::Alarm\n"
                           "    Properties:\n"
                           "      AlarmActions: [!Ref Topic]\n"
                           "      OKActions: [!Ref Topic]\n"
                           "  ScalingPolicy:\n"
                           "    Type: AWS::ApplicationAutoScaling::ScalingPolicy\n"
                           "  SurgeAlarm:\n"
                           "    Type: AWS::CloudWatch::Alarm\n"
                           "    Properties:\n"
                           "      AlarmActions: [!Ref ScalingPolicy]\n"
                           "  ParameterGroup:\n"
                           "    Type: AWS::RDS::DBClusterParameterGroup\n"
                           "    Properties:\n"
                           "      Family: aurora-mysql8.0\n"
                           "      Parameters: {require_secure_transport: 'ON'}\n"
                           "  Cluster:\n"
                           "    Type: AWS::RDS::DBCluster\n"
                           "    DeletionPolicy: Delete\n"
                           "    UpdateReplacePolicy: Delete\n"
                           "    Properties:\n"
                           "      Engine: aurora-mysql\n"
                           "      StorageEncrypted: true\n"
                           "      KmsKeyId: !GetAtt Key.Arn\n"
                           "      DBClusterParameterGroupName: !Ref ParameterGroup\n"
                           "  Proxy:\n"
                           "    Type: AWS::RDS::DBProxy\n"
                           "    Properties:\n"
                           "      EngineFamily: MYSQL\n"
                           "      RequireTLS: true\n";

static const char *const claimed[] = {"SEC002", "SEC003", "SEC004", "SEC005", "SEC006", "SEC007",
                                      "SEC008", "SEC009", "SEC010", "OBS005", "OBS006", "OBS007"};

/* The findings of the claimed rules, all severities; `rule` and its count
 * checked against them. */
static void expect(const char *env, const char *from, const char *to, const char *rule, size_t n)
{
	expect_among(good, claimed, sizeof(claimed) / sizeof(claimed[0]), env, from, to, rule, n);
}

static void test_good_passes(void **state)
{
	(void)state;
	expect("dev", NULL, NULL, NULL, 0);
	expect("prod", NULL, NULL, NULL, 0);
}

static void test_key_rotation_edges(void **state)
{
	(void)state;
	expect("dev", "RotationPeriodInDays: 365", "RotationPeriodInDays: 366", "SEC004", 1);
	expect("dev", "      EnableKeyRotation: true\n", "", "SEC004", 1);
	expect("prod", "EnableKeyRotation: true", "EnableKeyRotation: false", "SEC004", 1);
	/* an asymmetric key cannot rotate: it is not asked to (the good
	 * template has one); a multi-Region key is a transfer */
	expect("dev", "KeyUsage: SIGN_VERIFY", "KeyUsage: SIGN_VERIFY\n      MultiRegion: true",
	       "SEC009", 1);
}

static void test_buckets(void **state)
{
	(void)state;
	expect("dev", "{SSEAlgorithm: AES256}", "{SSEAlgorithm: 'aws:kms'}", "SEC003", 1);
	expect("dev", "{SSEAlgorithm: AES256}", "{SSEAlgorithm: 'aws:kms', KMSMasterKeyID: k}",
	       NULL, 0);
	expect("dev", "        RestrictPublicBuckets: true\n", "", "SEC007", 1);
	expect("dev", "IgnorePublicAcls: true", "IgnorePublicAcls: false", "SEC007", 1);
	expect("dev", "          - Status: Enabled\n", "          - Status: Disabled\n", "OBS005",
	       1);
	/* the policy must be the bucket's own, whatever its logical id */
	expect("dev", "      Bucket: !Ref Bucket\n", "      Bucket: other-bucket\n", "SEC006", 1);
	expect("dev", "'aws:SecureTransport': 'false'}}\n  Topic:",
	       "'aws:SecureTransport': 'true'}}\n  Topic:", "SEC006", 1);
	expect(
	    "dev", "      LifecycleConfiguration:\n",
	    "      ReplicationConfiguration: {Role: r, Rules: []}\n      LifecycleConfiguration:\n",
	    "SEC009", 1);
}

static void test_at_rest_and_transit(void **state)
{
	(void)state;
	expect("dev", "{EncryptionType: KMS, KeyId: !GetAtt Key.Arn}",
	       "{EncryptionType: NONE, KeyId: !GetAtt Key.Arn}", "SEC002", 1);
	expect("dev", "      KmsMasterKeyId: !GetAtt Key.Arn\n", "", "SEC002", 1);
	expect("dev", "      StorageEncrypted: true\n", "      StorageEncrypted: false\n", "SEC002",
	       1);
	expect("prod", "{require_secure_transport: 'ON'}", "{require_secure_transport: 'OFF'}",
	       "SEC005", 1);
	expect("dev", "      DBClusterParameterGroupName: !Ref ParameterGroup\n", "", "SEC005", 1);
	/* the RDS Proxy: TLS required, not merely allowed */
	expect("dev", "      RequireTLS: true\n", "      RequireTLS: false\n", "SEC005", 1);
	expect("prod", "      RequireTLS: true\n", "", "SEC005", 1);
	expect("dev",
	       "            Resource: !Ref Topic\n            Condition: {Bool: "
	       "{'aws:SecureTransport': 'false'}}\n",
	       "            Resource: !Ref Topic\n", "SEC006", 1);
}

static void test_alarm_routing(void **state)
{
	(void)state;
	expect("prod", "      OKActions: [!Ref Topic]\n", "", "OBS007", 1);
	/* the finding names the resource, which the report lists as breaking */
	fixture fx;
	run_with(&fx, good, "prod", "      OKActions: [!Ref Topic]\n", "", NULL);
	assert_true(has_message(&fx, "OBS007", "alarm Alarm does not notify its topic"));
	done(&fx);
	expect("dev", "      AlarmActions: [!Ref Topic]\n", "", "OBS007", 1);
	expect("dev", "      AlarmActions: [!Ref Topic]\n",
	       "      ActionsEnabled: false\n      AlarmActions: [!Ref Topic]\n", "OBS007", 1);
	/* an action that is not a topic of the template reaches nobody we know */
	expect("dev", "      AlarmActions: [!Ref Topic]\n", "      AlarmActions: [!Ref Key]\n",
	       "OBS007", 1);
}

/* SEC008 on an HTTPS listener: each policy family that keeps TLS 1.2 or
 * later passes (TLS13, TLS-1-2, FS-1-2), an older one or none fails; plain
 * HTTP is SEC001's. */
static void test_listener_policy(void **state)
{
	(void)state;
	static const struct {
		const char *props;
		size_t n;
	} cases[] = {
	    {"{Protocol: HTTPS, SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06}", 0},
	    {"{Protocol: HTTPS, SslPolicy: ELBSecurityPolicy-TLS-1-2-2017-01}", 0},
	    {"{Protocol: HTTPS, SslPolicy: ELBSecurityPolicy-FS-1-2-Res-2020-10}", 0},
	    {"{Protocol: HTTPS, SslPolicy: ELBSecurityPolicy-TLS-1-1-2017-01}", 1},
	    {"{Protocol: HTTPS, SslPolicy: ELBSecurityPolicy-2016-08}", 1},
	    {"{Protocol: HTTPS, SslPolicy: ELBSecurityPolicy-FS-1-1-2019-08}", 1},
	    {"{Protocol: HTTPS}", 1},
	    {"{Protocol: HTTP, SslPolicy: ELBSecurityPolicy-2016-08}", 0},
	    {"{Protocol: HTTPSX}", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char to[256];
		snprintf(to, sizeof to,
		         "  Listener:\n    Type: AWS::ElasticLoadBalancingV2::Listener\n"
		         "    Properties: %s\n  Proxy:\n",
		         cases[i].props);
		expect("dev", "  Proxy:\n", to, cases[i].n ? "SEC008" : NULL, cases[i].n);
	}
}

/* A bucket's keys: aws:kms:dsse is a KMS algorithm (it needs the key too),
 * a key with a near algorithm or none is not encryption;
 * its TLS-only policy as one statement not in a list, and a policy with no
 * statement. */
static void test_bucket_edges(void **state)
{
	(void)state;
	expect("dev", "{SSEAlgorithm: AES256}", "{SSEAlgorithm: 'aws:kms:dsse', KMSMasterKeyID: k}",
	       NULL, 0);
	expect("dev", "{SSEAlgorithm: AES256}", "{SSEAlgorithm: 'aws:kms:dsse'}", "SEC003", 1);
	expect("dev", "{SSEAlgorithm: AES256}", "{SSEAlgorithm: 'aws:kmx', KMSMasterKeyID: k}",
	       "SEC003", 1);
	expect("dev", "{SSEAlgorithm: AES256}", "{SSEAlgorithm: AES25, KMSMasterKeyID: k}",
	       "SEC003", 1);
	expect("dev", "{SSEAlgorithm: AES256}", "{KMSMasterKeyID: k}", "SEC003", 1);
	expect("dev", "{SSEAlgorithm: AES256}", "{SSEAlgorithm: AES25}", "SEC003", 1);
	expect("dev", "{SSEAlgorithm: AES256}", "{SSEAlgorithm: AES2566}", "SEC003", 1);
	expect("dev",
	       "        Statement:\n          - Effect: Deny\n            Principal: '*'\n"
	       "            Action: 's3:*'\n",
	       "        Statement:\n            Effect: Deny\n            Principal: '*'\n"
	       "            Action: 's3:*'\n",
	       NULL, 0);
	expect("dev",
	       "        Statement:\n          - Effect: Deny\n            Principal: '*'\n"
	       "            Action: 's3:*'\n            Resource: !Sub '${Bucket.Arn}/*'\n"
	       "            Condition: {Bool: {'aws:SecureTransport': 'false'}}\n",
	       "        Version: '2012-10-17'\n", "SEC006", 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_passes),   cmocka_unit_test(test_key_rotation_edges),
	    cmocka_unit_test(test_buckets),       cmocka_unit_test(test_at_rest_and_transit),
	    cmocka_unit_test(test_alarm_routing), cmocka_unit_test(test_listener_policy),
	    cmocka_unit_test(test_bucket_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
