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

/* The stores the first template lacks: a cache, a file system and a task that mounts it,
 * an image repository, a trail, a secret, a PostgreSQL cluster; every control held. */
static const char stores[] =
    "Conditions:\n"
    "  Unknown: !Equals [!Ref AWS::AccountId, '111122223333']\n"
    "Resources:\n"
    "  Key:\n"
    "    Type: AWS::KMS::Key\n"
    "    Properties:\n"
    "      KeySpec: SYMMETRIC_DEFAULT\n"
    "      EnableKeyRotation: true\n"
    "  Cache:\n"
    "    Type: AWS::ElastiCache::ReplicationGroup\n"
    "    Properties:\n"
    "      ReplicationGroupDescription: c\n"
    "      AtRestEncryptionEnabled: true\n"
    "      KmsKeyId: !Ref Key\n"
    "      TransitEncryptionEnabled: true\n"
    "      TransitEncryptionMode: required\n"
    "  FileSystem:\n"
    "    Type: AWS::EFS::FileSystem\n"
    "    Properties:\n"
    "      Encrypted: true\n"
    "      KmsKeyId: !Ref Key\n"
    "      FileSystemPolicy:\n"
    "        Statement:\n"
    "          - Effect: Allow\n"
    "            Principal: {AWS: '*'}\n"
    "            Action: 'elasticfilesystem:ClientMount'\n"
    "          - Effect: Deny\n"
    "            Principal: {AWS: '*'}\n"
    "            Action: '*'\n"
    "            Condition: {Bool: {'aws:SecureTransport': 'false'}}\n"
    "  Task:\n"
    "    Type: AWS::ECS::TaskDefinition\n"
    "    Properties:\n"
    "      Volumes:\n"
    "        - Name: scratch\n"
    "        - Name: data\n"
    "          EFSVolumeConfiguration: {FilesystemId: !Ref FileSystem, TransitEncryption: "
    "ENABLED}\n"
    "  Repository:\n"
    "    Type: AWS::ECR::Repository\n"
    "    Properties:\n"
    "      ImageScanningConfiguration: {ScanOnPush: true}\n"
    "      ImageTagMutability: IMMUTABLE\n"
    "      EncryptionConfiguration: {EncryptionType: KMS, KmsKey: !Ref Key}\n"
    "  Trail:\n"
    "    Type: AWS::CloudTrail::Trail\n"
    "    Properties:\n"
    "      S3BucketName: trail-bucket\n"
    "      IsLogging: true\n"
    "      EnableLogFileValidation: true\n"
    "      KMSKeyId: !Ref Key\n"
    "  Secret:\n"
    "    Type: AWS::SecretsManager::Secret\n"
    "    Properties:\n"
    "      KmsKeyId: !Ref Key\n"
    "  PgParams:\n"
    "    Type: AWS::RDS::DBClusterParameterGroup\n"
    "    Properties:\n"
    "      Family: aurora-postgresql15\n"
    "      Parameters: {rds.force_ssl: '1'}\n"
    "  PgCluster:\n"
    "    Type: AWS::RDS::DBCluster\n"
    "    DeletionPolicy: Delete\n"
    "    UpdateReplacePolicy: Delete\n"
    "    Properties:\n"
    "      Engine: aurora-postgresql\n"
    "      StorageEncrypted: true\n"
    "      KmsKeyId: !Ref Key\n"
    "      DBClusterParameterGroupName: !Ref PgParams\n";

typedef struct claim_case {
	const char *from, *to, *rule;
	size_t n;
} claim_case;

static void expect_cases(const char *text, const claim_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		expect_among(text, claimed, sizeof(claimed) / sizeof(claimed[0]), "dev", c[i].from,
		             c[i].to, c[i].rule, c[i].n);
}

/* Each store's control by property, each value against a near one. */
static void test_store_edges(void **state)
{
	(void)state;
	static const claim_case cases[] = {
	    {NULL, NULL, NULL, 0},
	    /* the cache: at rest, its key, TLS and its mode */
	    {"AtRestEncryptionEnabled: true", "AtRestEncryptionEnabled: false", "SEC002", 1},
	    {"      AtRestEncryptionEnabled: true\n", "", "SEC002", 1},
	    {"      KmsKeyId: !Ref Key\n      TransitEncryptionEnabled",
	     "      TransitEncryptionEnabled", "SEC002", 1},
	    {"TransitEncryptionEnabled: true", "TransitEncryptionEnabled: false", "SEC005", 1},
	    {"      TransitEncryptionEnabled: true\n      TransitEncryptionMode: required\n", "",
	     "SEC005", 1},
	    {"TransitEncryptionMode: required", "TransitEncryptionMode: preferred", "SEC005", 1},
	    {"TransitEncryptionMode: required", "TransitEncryptionMode: preferredx", NULL, 0},
	    {"      TransitEncryptionMode: required\n", "", NULL, 0},
	    /* the file system: at rest, its policy's Deny without TLS */
	    {"      Encrypted: true\n", "      Encrypted: false\n", "SEC002", 1},
	    {"      Encrypted: true\n", "", "SEC002", 1},
	    {"'aws:SecureTransport': 'false'", "'aws:SecureTransport': 'falsex'", "SEC005", 1},
	    {"'aws:SecureTransport': 'false'", "'aws:SecureTransport': 'fals'", "SEC005", 1},
	    {"          - Effect: Deny\n", "          - Effect: Denyx\n", "SEC005", 1},
	    {"          - Effect: Deny\n", "          - Effect: Allow\n", "SEC005", 1},
	    {"{Bool: {'aws:SecureTransport'", "{Bool: {'aws:SecureTransportx'", "SEC005", 1},
	    {"            Condition: {Bool: {'aws:SecureTransport': 'false'}}\n", "", "SEC005", 1},
	    {"      FileSystemPolicy:\n", "      FileSystemPolicyX:\n", "SEC005", 1},
	    /* the task's EFS volume: TLS exactly; a volume without EFS asks nothing */
	    {"TransitEncryption: ENABLED}", "TransitEncryption: DISABLED}", "SEC005", 1},
	    {"TransitEncryption: ENABLED}", "TransitEncryption: ENABLEDX}", "SEC005", 1},
	    {"TransitEncryption: ENABLED}", "TransitEncryption: ENABLE}", "SEC005", 1},
	    {", TransitEncryption: ENABLED}", "}", "SEC005", 1},
	    {"        - Name: scratch\n",
	     "        - Name: scratch\n          EFSVolumeConfiguration: {FilesystemId: x}\n",
	     "SEC005", 1},
	    /* the repository: scanning, immutable tags, its key */
	    {"{ScanOnPush: true}", "{ScanOnPush: false}", "SEC010", 1},
	    {"      ImageScanningConfiguration: {ScanOnPush: true}\n", "", "SEC010", 1},
	    {"ImageTagMutability: IMMUTABLE", "ImageTagMutability: MUTABLE", "SEC010", 1},
	    {"ImageTagMutability: IMMUTABLE", "ImageTagMutability: IMMUTABLEX", "SEC010", 1},
	    {"      ImageTagMutability: IMMUTABLE\n", "", "SEC010", 1},
	    {"{EncryptionType: KMS, KmsKey", "{EncryptionType: KMS_DSSE, KmsKey", NULL, 0},
	    {"{EncryptionType: KMS, KmsKey", "{EncryptionType: AES256, KmsKey", "SEC002", 1},
	    {"{EncryptionType: KMS, KmsKey", "{EncryptionType: KM, KmsKey", "SEC002", 1},
	    {"{EncryptionType: KMS, KmsKey", "{KmsKey", NULL, 0},
	    {"{EncryptionType: KMS, KmsKey: !Ref Key}", "{EncryptionType: KMS}", "SEC002", 1},
	    {"      EncryptionConfiguration: {EncryptionType: KMS, KmsKey: !Ref Key}\n", "",
	     "SEC002", 1},
	    /* the trail */
	    {"EnableLogFileValidation: true", "EnableLogFileValidation: false", "OBS006", 1},
	    {"IsLogging: true", "IsLogging: false", "OBS006", 1},
	    {"      IsLogging: true\n", "", "OBS006", 1},
	    {"      KMSKeyId: !Ref Key\n", "", "OBS006", 1},
	    {"      IsLogging: true\n      EnableLogFileValidation: true\n      KMSKeyId: !Ref "
	     "Key\n",
	     "", "OBS006", 3},
	    /* the secret's key */
	    {"  Secret:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      KmsKeyId: "
	     "!Ref "
	     "Key\n",
	     "  Secret:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      Name: s\n",
	     "SEC002", 1},
	    /* PostgreSQL: rds.force_ssl 1, not MySQL's parameter; no engine, no rule */
	    {"{rds.force_ssl: '1'}", "{rds.force_ssl: '0'}", "SEC005", 1},
	    {"{rds.force_ssl: '1'}", "{require_secure_transport: 'ON'}", "SEC005", 1},
	    {"      Engine: aurora-postgresql\n", "      Engine: aurora-mysql\n", "SEC005", 1},
	    {"      Engine: aurora-postgresql\n", "", NULL, 0},
	    /* a symmetric key named as such rotates; a spec named like it but longer is
	     * another spec */
	    {"      EnableKeyRotation: true\n", "", "SEC004", 1},
	    {"      KeySpec: SYMMETRIC_DEFAULT\n      EnableKeyRotation: true\n",
	     "      KeySpec: SYMMETRIC_DEFAULTX\n", NULL, 0},
	    {"      EnableKeyRotation: true\n",
	     "      EnableKeyRotation: false\n      RotationPeriodInDays: 400\n", "SEC004", 2},
	    {"      EnableKeyRotation: true\n",
	     "      EnableKeyRotation: true\n      RotationPeriodInDays: 90\n", NULL, 0},
	    {"      EnableKeyRotation: true\n",
	     "      EnableKeyRotation: true\n      MultiRegion: false\n", NULL, 0},
	};
	expect_cases(stores, cases, sizeof cases / sizeof *cases);
	/* a control behind a condition the rendering cannot decide (the account is
	 * unknown) is not held: it may be off */
	static const claim_case undecided[] = {
	    {"  Secret:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      KmsKeyId: "
	     "!Ref "
	     "Key\n",
	     "  Secret:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      KmsKeyId: "
	     "!If "
	     "[Unknown, !Ref Key, !Ref AWS::NoValue]\n",
	     "SEC002", 1},
	    {"TransitEncryptionEnabled: true",
	     "TransitEncryptionEnabled: !If [Unknown, true, true]", "SEC005", 1},
	    {"      KMSKeyId: !Ref Key\n", "      KMSKeyId: !If [Unknown, !Ref Key, !Ref Key]\n",
	     "OBS006", 1},
	    {"      EncryptionConfiguration: {EncryptionType: KMS, KmsKey: !Ref Key}\n",
	     "      EncryptionConfiguration: !If [Unknown, {EncryptionType: KMS, KmsKey: !Ref "
	     "Key}, "
	     "{EncryptionType: KMS, KmsKey: !Ref Key}]\n",
	     "SEC002", 1},
	    {"{EncryptionType: KMS, KmsKey: !Ref Key}",
	     "{EncryptionType: KMS, KmsKey: !If [Unknown, !Ref Key, !Ref Key]}", "SEC002", 1},
	    {"      Encrypted: true\n", "      Encrypted: !If [Unknown, true, true]\n", "SEC002",
	     1},
	    /* the file system policy's statements behind an undecided condition: no Deny
	     * that holds */
	    {"        Statement:\n          - Effect: Allow\n",
	     "        Statement: !If\n"
	     "          - Unknown\n"
	     "          - Effect: Deny\n"
	     "            Principal: {AWS: '*'}\n"
	     "            Action: '*'\n"
	     "            Condition: {Bool: {'aws:SecureTransport': 'false'}}\n"
	     "          - Effect: Deny\n"
	     "            Principal: {AWS: '*'}\n"
	     "            Action: '*'\n"
	     "            Condition: {Bool: {'aws:SecureTransport': 'false'}}\n"
	     "        StatementX:\n          - Effect: Allow\n",
	     "SEC005", 1},
	    {"      EnableKeyRotation: true\n",
	     "      EnableKeyRotation: !If [Unknown, true, true]\n", "SEC004", 1},
	    {"      EnableKeyRotation: true\n",
	     "      EnableKeyRotation: true\n      RotationPeriodInDays: !If [Unknown, 400, 400]\n",
	     NULL, 0},
	    {"      Engine: aurora-postgresql\n",
	     "      Engine: aurora-postgresql\n      GlobalClusterIdentifier: !If [Unknown, g, "
	     "g]\n",
	     NULL, 0},
	};
	expect_cases(stores, undecided, sizeof undecided / sizeof *undecided);
	/* a bucket whose TLS-only policy is the template's first resource */
	static const claim_case first[] = {
	    {"Resources:\n",
	     "Resources:\n"
	     "  FirstPolicy:\n"
	     "    Type: AWS::S3::BucketPolicy\n"
	     "    Properties:\n"
	     "      Bucket: !Ref Lake\n"
	     "      PolicyDocument:\n"
	     "        Statement:\n"
	     "          - Effect: Deny\n"
	     "            Principal: '*'\n"
	     "            Action: 's3:*'\n"
	     "            Resource: '*'\n"
	     "            Condition: {Bool: {'aws:SecureTransport': 'false'}}\n"
	     "  Lake:\n"
	     "    Type: AWS::S3::Bucket\n"
	     "    Properties:\n"
	     "      BucketEncryption:\n"
	     "        ServerSideEncryptionConfiguration:\n"
	     "          - ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}\n"
	     "      PublicAccessBlockConfiguration: {BlockPublicAcls: true, BlockPublicPolicy: "
	     "true, IgnorePublicAcls: true, RestrictPublicBuckets: true}\n"
	     "      LifecycleConfiguration:\n"
	     "        Rules: [{Status: Enabled, ExpirationInDays: 30}]\n",
	     NULL, 0},
	};
	expect_cases(stores, first, 1);
}

/* SEC009: each global type and each replicating property. */
static void test_region_edges(void **state)
{
	(void)state;
	static const claim_case cases[] = {
	    {"  Secret:\n", "  Global:\n    Type: AWS::RDS::GlobalCluster\n  Secret:\n", "SEC009",
	     1},
	    {"  Secret:\n",
	     "  Global:\n    Type: AWS::ElastiCache::GlobalReplicationGroup\n  Secret:\n", "SEC009",
	     1},
	    {"  Secret:\n", "  Global:\n    Type: AWS::DynamoDB::GlobalTable\n  Secret:\n",
	     "SEC009", 1},
	    {"  Secret:\n", "  Global:\n    Type: AWS::S3::MultiRegionAccessPoint\n  Secret:\n",
	     "SEC009", 1},
	    {"  Secret:\n",
	     "  Global:\n    Type: AWS::ECR::ReplicationConfiguration\n    Properties:\n"
	     "      ReplicationConfiguration: {Rules: []}\n  Secret:\n",
	     "SEC009", 1},
	    {"  Secret:\n",
	     "  Global:\n    Type: AWS::ECR::ReplicationConfiguration\n    Properties: {}\n"
	     "  Secret:\n",
	     NULL, 0},
	    {"      Engine: aurora-postgresql\n",
	     "      Engine: aurora-postgresql\n      GlobalClusterIdentifier: g\n", "SEC009", 1},
	    {"      ReplicationGroupDescription: c\n",
	     "      ReplicationGroupDescription: c\n      GlobalReplicationGroupId: g\n", "SEC009",
	     1},
	    {"      Encrypted: true\n",
	     "      Encrypted: true\n      ReplicationConfiguration: {Destinations: []}\n",
	     "SEC009", 1},
	    /* the property of another type replicates nothing here */
	    {"      Engine: aurora-postgresql\n",
	     "      Engine: aurora-postgresql\n      GlobalReplicationGroupId: g\n", NULL, 0},
	};
	expect_cases(stores, cases, sizeof cases / sizeof *cases);
}

/* The first template's buckets, policies and alarms at their edges. */
static void test_bucket_and_alarm_edges(void **state)
{
	(void)state;
	static const claim_case cases[] = {
	    /* encryption: no rule, or a second rule without its key */
	    {"        ServerSideEncryptionConfiguration:\n"
	     "          - ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}\n",
	     "        ServerSideEncryptionConfiguration: []\n", "SEC003", 1},
	    {"          - ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}\n",
	     "          - ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}\n"
	     "          - ServerSideEncryptionByDefault: {SSEAlgorithm: 'aws:kms'}\n",
	     "SEC003", 1},
	    {"          - ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}\n",
	     "          - ServerSideEncryptionByDefault: {SSEAlgorithm: 'aws:kms'}\n"
	     "          - ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}\n",
	     "SEC003", 1},
	    /* public access: each flag */
	    {"BlockPublicAcls: true", "BlockPublicAcls: false", "SEC007", 1},
	    {"BlockPublicPolicy: true", "BlockPublicPolicy: false", "SEC007", 1},
	    {"RestrictPublicBuckets: true", "RestrictPublicBuckets: false", "SEC007", 1},
	    /* lifecycle: each expiry alone; enabled exactly; any enabled rule */
	    {"NoncurrentVersionExpiration: {NoncurrentDays: 7}", "ExpirationInDays: 30", NULL, 0},
	    {"NoncurrentVersionExpiration: {NoncurrentDays: 7}", "ExpirationDate: '2030-01-01'",
	     NULL, 0},
	    {"NoncurrentVersionExpiration: {NoncurrentDays: 7}",
	     "NoncurrentVersionExpirationInDays: 7", NULL, 0},
	    {"NoncurrentVersionExpiration: {NoncurrentDays: 7}", "Prefix: logs/", "OBS005", 1},
	    {"          - Status: Enabled\n", "          - Status: Enabledx\n", "OBS005", 1},
	    {"          - Status: Enabled\n", "          - Status: Enable\n", "OBS005", 1},
	    {"          - Status: Enabled\n",
	     "          - Status: Enabled\n            Prefix: a/\n"
	     "          - Status: Enabled\n",
	     NULL, 0},
	    {"          - Status: Enabled\n",
	     "          - Status: Disabled\n"
	     "            ExpirationInDays: 30\n"
	     "          - Status: Enabled\n            Prefix: a/\n"
	     "          - Status: Enabled\n",
	     NULL, 0},
	    {"          - Status: Enabled\n            NoncurrentVersionExpiration: "
	     "{NoncurrentDays: "
	     "7}\n",
	     "          - Status: Enabled\n            NoncurrentVersionExpiration: "
	     "{NoncurrentDays: "
	     "7}\n          - Status: Disabled\n            Prefix: b/\n",
	     NULL, 0},
	    /* the TLS-only statement: Deny exactly, the second statement may hold it */
	    {"          - Effect: Deny\n            Principal: '*'\n            Action: 's3:*'\n",
	     "          - Effect: Denyx\n            Principal: '*'\n            Action: 's3:*'\n",
	     "SEC006", 1},
	    {"          - Effect: Deny\n            Principal: '*'\n            Action: 's3:*'\n",
	     "          - Effect: Allow\n            Principal: '*'\n            Action: "
	     "'s3:Get*'\n"
	     "          - Effect: Deny\n            Principal: '*'\n            Action: 's3:*'\n",
	     NULL, 0},
	    {"    Type: AWS::S3::BucketPolicy\n", "    Type: AWS::S3::BucketPolicyX\n", "SEC006",
	     1},
	    {"    Type: AWS::SNS::TopicPolicy\n", "    Type: AWS::S3::BucketPolicy\n", "SEC006", 1},
	    {"      Topics: [!Ref Topic]\n", "      Topics: [!Ref Key, !Ref Topic]\n", NULL, 0},
	    /* alarms: an empty list notifies nobody; a scaling policy beside a topic is
	     * monitoring; either scaling type only scales; actions enabled exactly */
	    {"      AlarmActions: [!Ref Topic]\n", "      AlarmActions: []\n", "OBS007", 1},
	    {"      AlarmActions: [!Ref ScalingPolicy]\n",
	     "      AlarmActions: [!Ref ScalingPolicy, !Ref Topic]\n", "OBS007", 1},
	    {"      AlarmActions: [!Ref ScalingPolicy]\n",
	     "      AlarmActions: [!Ref Topic, !Ref ScalingPolicy]\n", "OBS007", 1},
	    {"      AlarmActions: [!Ref ScalingPolicy]\n",
	     "      AlarmActions: [!Ref ScalingPolicy, !Ref ScalingPolicy]\n", NULL, 0},
	    {"    Type: AWS::ApplicationAutoScaling::ScalingPolicy\n",
	     "    Type: AWS::AutoScaling::ScalingPolicy\n", NULL, 0},
	    {"    Type: AWS::ApplicationAutoScaling::ScalingPolicy\n",
	     "    Type: AWS::AutoScaling::ScalingPolicyX\n", "OBS007", 1},
	    {"      AlarmActions: [!Ref ScalingPolicy]\n", "      AlarmActions: [!Ref Topic]\n",
	     "OBS007", 1},
	    {"      AlarmActions: [!Ref Topic]\n",
	     "      ActionsEnabled: true\n      AlarmActions: [!Ref Topic]\n", NULL, 0},
	    {"      OKActions: [!Ref Topic]\n", "      OKActions: [!Ref Key, !Ref Topic]\n", NULL,
	     0},
	    {"      OKActions: [!Ref Topic]\n", "      OKActions: [!Ref Key]\n", "OBS007", 1},
	};
	expect_cases(good, cases, sizeof cases / sizeof *cases);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_passes),   cmocka_unit_test(test_key_rotation_edges),
	    cmocka_unit_test(test_buckets),       cmocka_unit_test(test_at_rest_and_transit),
	    cmocka_unit_test(test_alarm_routing), cmocka_unit_test(test_listener_policy),
	    cmocka_unit_test(test_bucket_edges),  cmocka_unit_test(test_store_edges),
	    cmocka_unit_test(test_region_edges),  cmocka_unit_test(test_bucket_and_alarm_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
