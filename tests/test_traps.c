/* Whole-template checks TRP001-TRP016: a small template that has none of
 * the traps passes in dev and prod; each mutation that brings one trap back
 * makes exactly that rule fire. The real templates pass too. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "render_fixture.h"
#include "testutil.h"

#include "model/analysis.h"
#include "model/validate.h"

static const char good[] =
    "Resources:\n"
    "  LogsKey:\n"
    "    Type: AWS::KMS::Key\n"
    "    DeletionPolicy: Delete\n"
    "    UpdateReplacePolicy: Delete\n"
    "    Properties:\n"
    "      KeyPolicy:\n"
    "        Statement:\n"
    "          - Effect: Allow\n"
    "            Principal: {AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'}\n"
    "            Action: 'kms:*'\n"
    "            Resource: '*'\n"
    "          - Effect: Allow # logs\n"
    "            Principal: {Service: !Sub 'logs.${AWS::Region}.amazonaws.com'}\n"
    "            Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*']\n"
    "            Resource: '*'\n"
    "          - Effect: Allow # trail\n"
    "            Principal: {Service: cloudtrail.amazonaws.com}\n"
    "            Action: 'kms:GenerateDataKey*'\n"
    "            Resource: '*'\n"
    "  Group:\n"
    "    Type: AWS::Logs::LogGroup\n"
    "    Properties:\n"
    "      LogGroupName: !Sub '/aws/lambda/fn-${EnvironmentSuffix}'\n"
    "      KmsKeyId: !GetAtt LogsKey.Arn\n"
    "      RetentionInDays: 30\n"
    "  FnRole:\n"
    "    Type: AWS::IAM::Role\n"
    "    Properties:\n"
    "      Policies:\n"
    "        - PolicyName: p\n"
    "          PolicyDocument:\n"
    "            Statement:\n"
    "              - Effect: Allow\n"
    "                Action: [logs:CreateLogStream, logs:PutLogEvents]\n"
    "                Resource: !GetAtt Group.Arn\n"
    "              - Effect: Allow\n"
    "                Action: s3:GetObject\n"
    "                Resource: !Sub '${Bucket.Arn}/*'\n"
    "  Fn:\n"
    "    Type: AWS::Lambda::Function\n"
    "    Properties:\n"
    "      FunctionName: !Sub 'fn-${EnvironmentSuffix}'\n"
    "      Role: !GetAtt FnRole.Arn\n"
    "      LoggingConfig: {LogGroup: !Ref Group}\n"
    "  Bucket:\n"
    "    Type: AWS::S3::Bucket\n"
    "  Emptier:\n"
    "    Type: Custom::EmptyBucket\n"
    "    Properties:\n"
    "      ServiceToken: !GetAtt Fn.Arn\n"
    "      Bucket: !Ref Bucket\n"
    "  BucketPolicy:\n"
    "    Type: AWS::S3::BucketPolicy\n"
    "    Properties:\n"
    "      Bucket: !Ref Bucket\n"
    "      PolicyDocument: {}\n"
    "  Trail:\n"
    "    Type: AWS::CloudTrail::Trail\n"
    "    DependsOn: BucketPolicy\n"
    "    Properties:\n"
    "      S3BucketName: !Ref Bucket\n"
    "      KMSKeyId: !Ref LogsKey\n"
    "      IsLogging: true\n"
    "  Repo:\n"
    "    Type: AWS::ECR::Repository\n"
    "    Properties:\n"
    "      EmptyOnDelete: true\n"
    "  Db:\n"
    "    Type: AWS::RDS::DBCluster\n"
    "    DeletionPolicy: Delete\n"
    "    UpdateReplacePolicy: Delete\n"
    "  Fs:\n"
    "    Type: AWS::EFS::FileSystem\n"
    "  Mt1:\n"
    "    Type: AWS::EFS::MountTarget\n"
    "    Properties: {FileSystemId: !Ref Fs}\n"
    "  Task:\n"
    "    Type: AWS::ECS::TaskDefinition\n"
    "    Properties:\n"
    "      Volumes:\n"
    "        - Name: files\n"
    "          EFSVolumeConfiguration:\n"
    "            FilesystemId: !Ref Fs\n"
    "            TransitEncryption: ENABLED\n"
    "            AuthorizationConfig: {IAM: ENABLED}\n"
    "  Service:\n"
    "    Type: AWS::ECS::Service\n"
    "    DependsOn: Mt1\n"
    "    Properties: {TaskDefinition: !Ref Task}\n"
    "  Api:\n"
    "    Type: AWS::ApiGateway::RestApi\n"
    "  Method:\n"
    "    Type: AWS::ApiGateway::Method\n"
    "    Properties: {RestApiId: !Ref Api}\n"
    "  Deployment:\n"
    "    Type: AWS::ApiGateway::Deployment\n"
    "    DependsOn: Method\n"
    "    Properties: {RestApiId: !Ref Api}\n"
    "  Account:\n"
    "    Type: AWS::ApiGateway::Account\n"
    "    Properties: {CloudWatchRoleArn: 'arn:aws:iam::123456789012:role/x'}\n"
    "  Stage:\n"
    "    Type: AWS::ApiGateway::Stage\n"
    "    DependsOn: Account\n"
    "    Properties:\n"
    "      RestApiId: !Ref Api\n"
    "      DeploymentId: !Ref Deployment\n"
    "      MethodSettings: [{ResourcePath: '/*', HttpMethod: '*', LoggingLevel: INFO}]\n"
    "  Alarm:\n"
    "    Type: AWS::CloudWatch::Alarm\n"
    "    Properties: {Namespace: AWS/ECS, MetricName: CPUUtilization, Period: 60}\n"
    "  Sg:\n"
    "    Type: AWS::EC2::SecurityGroup\n"
    "    Properties:\n"
    "      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: "
    "10.0.0.0/16}]\n"
    "  Secret:\n"
    "    Type: AWS::SecretsManager::Secret\n"
    "    Properties:\n"
    "      GenerateSecretString: {PasswordLength: 64, ExcludePunctuation: true}\n"
    "  Cache:\n"
    "    Type: AWS::ElastiCache::ReplicationGroup\n"
    "    DeletionPolicy: Delete\n"
    "    Properties:\n"
    "      AuthToken: !Sub '{{resolve:secretsmanager:${Secret}}}'\n";

/* Renders `good` with `from` replaced by `to` (which must occur) and runs
 * the trap checks. */
static void run_with(rf_fixture *fx, const char *env, const char *from, const char *to,
                     const char *more)
{
	const char *text = good;
	char *mutated = NULL;
	if (from) {
		const char *at = strstr(good, from);
		if (!at)
			fail_msg("mutation '%s' does not apply", from);
		size_t n = strlen(good) - strlen(from) + strlen(to) + strlen(more) + 1;
		mutated = malloc(n);
		assert_non_null(mutated);
		snprintf(mutated, n, "%.*s%s%s%s", (int)(at - good), good, to, at + strlen(from),
		         more);
		text = mutated;
	}
	rf_render(fx, text, env);
	free(mutated);
	if (fx->f.n) {
		rf_dump(&fx->f);
		fail_msg("the template does not render cleanly");
	}
	traps_check(fx->cat, fx->m, fx->r, &fx->f);
}

static void run(rf_fixture *fx, const char *env, const char *from, const char *to)
{
	run_with(fx, env, from, to, "");
}

static size_t trp(const rf_fixture *fx)
{
	size_t n = 0;
	for (size_t i = 0; i < fx->f.n; i++)
		n += strncmp(fx->f.v[i].rule, "TRP", 3) == 0 && fx->f.v[i].sev != SEV_INFO;
	return n;
}

/* Exactly `count` findings, all of `rule` with `sev`. */
static void expect(rf_fixture *fx, const char *rule, severity sev, size_t count)
{
	if (trp(fx) != count || rf_count(&fx->f, rule, sev) != count) {
		rf_dump(&fx->f);
		fail_msg("expected %zu %s %s", count, severity_name(sev), rule);
	}
	rf_done(fx);
}

static void test_good_passes(void **state)
{
	(void)state;
	const char *envs[] = {"dev", "prod"};
	for (size_t i = 0; i < 2; i++) {
		rf_fixture fx;
		run(&fx, envs[i], NULL, NULL);
		expect(&fx, "TRP001", SEV_ERROR, 0);
	}
}

static void test_retain_snapshot(void **state)
{
	(void)state;
	rf_fixture fx;
	run(&fx, "dev", "  Db:\n    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Delete\n",
	    "  Db:\n    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Retain\n");
	expect(&fx, "TRP001", SEV_ERROR, 1);
	run(&fx, "dev",
	    "  Db:\n    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Delete\n    "
	    "UpdateReplacePolicy: Delete\n",
	    "  Db:\n    Type: AWS::RDS::DBCluster\n");
	expect(&fx, "TRP001", SEV_ERROR, 2); /* both default to Snapshot */
	run(&fx, "dev", "    UpdateReplacePolicy: Delete\n    Properties:\n      KeyPolicy",
	    "    UpdateReplacePolicy: Snapshot\n    Properties:\n      KeyPolicy");
	expect(&fx, "TRP001", SEV_ERROR, 1);
}

static void test_nonempty_delete(void **state)
{
	(void)state;
	rf_fixture fx;
	run(&fx, "dev", "EmptyOnDelete: true", "EmptyOnDelete: false");
	expect(&fx, "TRP002", SEV_ERROR, 1);
	run(&fx, "dev", "      Bucket: !Ref Bucket\n  BucketPolicy",
	    "      Bucket: other\n  BucketPolicy");
	expect(&fx, "TRP002", SEV_ERROR, 1);
}

static void test_efs_transit(void **state)
{
	(void)state;
	rf_fixture fx;
	run(&fx, "dev", "TransitEncryption: ENABLED", "TransitEncryption: DISABLED");
	expect(&fx, "TRP003", SEV_ERROR, 1);
}

static void test_service_before_mount_targets(void **state)
{
	(void)state;
	rf_fixture fx;
	run(&fx, "dev", "    DependsOn: Mt1\n", "");
	expect(&fx, "TRP004", SEV_ERROR, 1);
}

static void test_deployment_before_methods(void **state)
{
	(void)state;
	rf_fixture fx;
	run(&fx, "dev", "    DependsOn: Method\n", "");
	expect(&fx, "TRP005", SEV_ERROR, 1);
}

static void test_stage_logging_account(void **state)
{
	(void)state;
	rf_fixture fx;
	run(&fx, "dev", "    DependsOn: Account\n", "");
	expect(&fx, "TRP006", SEV_ERROR, 1);
	run(&fx, "dev", "Type: AWS::ApiGateway::Account", "Type: AWS::SNS::Topic");
	expect(&fx, "TRP006", SEV_ERROR, 1);
}

/* Every resource is looked at, the first of the template included: the
 * account's CloudWatch role, and a stage that logs before it. */
static void test_stage_logging_account_first(void **state)
{
	(void)state;
	static const char account[] =
	    "  Account:\n    Type: AWS::ApiGateway::Account\n"
	    "    Properties: {CloudWatchRoleArn: 'arn:aws:iam::123456789012:role/x'}\n";
	static const char stage[] =
	    "  Stage:\n    Type: AWS::ApiGateway::Stage\n%s"
	    "    Properties:\n      RestApiId: !Ref Api\n"
	    "      MethodSettings: [{ResourcePath: '/*', HttpMethod: '*', LoggingLevel: INFO}]\n";
	static const struct {
		bool account_first, depends;
		size_t errors;
	} cases[] = {{true, true, 0}, {true, false, 1}, {false, true, 0}, {false, false, 1}};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		buf st, t;
		buf_init(&st, 0);
		buf_init(&t, 0);
		buf_addf(&st, stage, cases[i].depends ? "    DependsOn: Account\n" : "");
		buf_addf(&t, "Resources:\n%s%s  Api:\n    Type: AWS::ApiGateway::RestApi\n%s",
		         cases[i].account_first ? account : buf_cstr(&st),
		         cases[i].account_first ? buf_cstr(&st) : account, "");
		rf_fixture fx;
		rf_render(&fx, buf_cstr(&t), "dev");
		traps_check(fx.cat, fx.m, fx.r, &fx.f);
		if (rf_count(&fx.f, "TRP006", SEV_ERROR) != cases[i].errors)
			fail_msg("case %zu: %zu TRP006", i, rf_count(&fx.f, "TRP006", SEV_ERROR));
		rf_done(&fx);
		buf_free(&st);
		buf_free(&t);
	}
}

/* Another environment owns the account settings only when
 * AccountSettingsOwner is exactly "false": then a logging stage without the
 * account resource is no trap; "falsex", "fals", "False" and "true" are not
 * that. With the account resource in the template, its DependsOn is still
 * needed. */
static void test_stage_logging_other_owner(void **state)
{
	(void)state;
	static const char text[] =
	    "Metadata:\n  AWS::CloudFormation::Interface:\n    ParameterGroups:\n"
	    "      - Label: {default: Api}\n        Parameters: [AccountSettingsOwner]\n"
	    "Parameters:\n  AccountSettingsOwner:\n    Type: String\n"
	    "    Description: owner\n    Default: '%s'\n"
	    "Resources:\n%s"
	    "  Stage:\n    Type: AWS::ApiGateway::Stage\n"
	    "    Properties:\n      RestApiId: !Ref Api\n"
	    "      MethodSettings: [{ResourcePath: '/*', HttpMethod: '*', LoggingLevel: INFO}]\n"
	    "  Api:\n    Type: AWS::ApiGateway::RestApi\n";
	static const char account[] =
	    "  Account:\n    Type: AWS::ApiGateway::Account\n"
	    "    Properties: {CloudWatchRoleArn: 'arn:aws:iam::123456789012:role/x'}\n";
	static const struct {
		const char *owner;
		bool account;
		size_t errors;
	} cases[] = {
	    {"false", false, 0}, {"falsex", false, 1}, {"fals", false, 1},
	    {"False", false, 1}, {"true", false, 1},   {"false", true, 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		buf t;
		buf_init(&t, 0);
		buf_addf(&t, text, cases[i].owner, cases[i].account ? account : "");
		rf_fixture fx;
		rf_render(&fx, buf_cstr(&t), "dev");
		traps_check(fx.cat, fx.m, fx.r, &fx.f);
		if (rf_count(&fx.f, "TRP006", SEV_ERROR) != cases[i].errors)
			fail_msg("owner '%s' (account %d): %zu TRP006", cases[i].owner,
			         cases[i].account, rf_count(&fx.f, "TRP006", SEV_ERROR));
		rf_done(&fx);
		buf_free(&t);
	}
}

/* The trail's bucket policy is the one of its bucket, named exactly: a
 * policy of BucketLogs is not one of Bucket. */
static void test_trail_policy_of_its_bucket(void **state)
{
	(void)state;
	rf_fixture fx;
	run_with(&fx, "dev", "      Bucket: !Ref Bucket\n      PolicyDocument: {}\n",
	         "      Bucket: !Ref BucketLogs\n      PolicyDocument: {}\n",
	         "  BucketLogs:\n    Type: AWS::S3::Bucket\n");
	assert_int_equal(rf_count(&fx.f, "TRP007", SEV_ERROR), 1);
	rf_done(&fx);
}

static void test_trail_before_policy(void **state)
{
	(void)state;
	rf_fixture fx;
	run(&fx, "dev", "    DependsOn: BucketPolicy\n", "");
	expect(&fx, "TRP007", SEV_ERROR, 1);
}

static void test_key_principals(void **state)
{
	(void)state;
	rf_fixture fx;
	run(&fx, "dev", "          - Effect: Allow # logs\n", "          - Effect: Deny # logs\n");
	expect(&fx, "TRP008", SEV_ERROR, 2); /* GenerateDataKey and Decrypt */
	run(&fx, "dev", "Principal: {Service: cloudtrail.amazonaws.com}",
	    "Principal: {Service: s3.amazonaws.com}");
	expect(&fx, "TRP008", SEV_ERROR, 1);
}

/* The account root as a key principal: its ARN, a bare 12-digit account id,
 * or Ref AWS::AccountId; 11 or 13 digits, a non-digit, or ":root" alone are
 * not it. A queue uses the key through IAM (no service principal), so the
 * root statement is what lets it. */
static void test_key_account_principal(void **state)
{
	(void)state;
	static const struct {
		const char *principal;
		size_t errors;
	} cases[] = {
	    {"{AWS: '123456789012'}", 0},
	    {"{AWS: [arn:aws:iam::123456789012:root]}", 0},
	    {"{AWS: !Ref AWS::AccountId}", 0},
	    {"{AWS: ['111111111111', !Ref AWS::AccountId]}", 0},
	    {"{AWS: '12345678901'}", 1},
	    {"{AWS: '1234567890123'}", 1},
	    {"{AWS: '12345678901x'}", 1},
	    {"{AWS: ':root'}", 1},
	    {"{AWS: 'x:root'}", 0},
	    {"{AWS: !Ref AWS::Region}", 1},
	    {"{AWS: 'AWS::AccountId'}", 1}, /* the name as a string is no Ref */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		rf_fixture fx;
		run_with(
		    &fx, "dev", "{AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'}",
		    cases[i].principal,
		    "  Queue:\n    Type: AWS::SQS::Queue\n    Properties: {KmsMasterKeyId: !Ref "
		    "LogsKey}\n");
		if (trp(&fx) != cases[i].errors)
			print_message("principal %s\n", cases[i].principal);
		expect(&fx, "TRP008", SEV_ERROR, cases[i].errors);
	}
}

/* TRP008's uses: through a service (kms:ViaService under any operator, the
 * Region and the service exactly), grants and aliases are not uses, the
 * services that publish to an encrypted topic, the default key policy. */
static void test_key_uses(void **state)
{
	(void)state;
	static const char root[] =
	    "{AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'}";
	static const char queue[] =
	    "  Queue:\n    Type: AWS::SQS::Queue\n    Properties: {KmsMasterKeyId: !Ref LogsKey}\n";
	static const struct {
		const char *principal, *condition, *more;
		size_t errors;
	} cases[] = {
	    /* a queue through SQS: ViaService of its service and Region */
	    {"{AWS: '*'}", "{StringEquals: {'kms:ViaService': sqs.eu-west-1.amazonaws.com}}", queue,
	     0},
	    {"{AWS: '*'}", "{StringLike: {'kms:ViaService': [x, sqs.eu-west-1.amazonaws.com]}}",
	     queue, 0},
	    {"{AWS: '*'}", "{StringEquals: {'kms:ViaService': sqs.us-east-1.amazonaws.com}}", queue,
	     1},
	    {"{AWS: '*'}", "{StringEquals: {'kms:ViaService': sns.eu-west-1.amazonaws.com}}", queue,
	     1},
	    {"{AWS: '*'}", "{StringEquals: {'kms:CallerAccount': '123456789012'}}", queue, 1},
	    /* each prefix of a via service, and a near one */
	    {"{AWS: '*'}", "{StringEquals: {'kms:ViaService': rds.eu-west-1.amazonaws.com}}",
	     "  Db2:\n    Type: AWS::RDS::DBInstance\n    DeletionPolicy: Delete\n"
	     "    UpdateReplacePolicy: Delete\n    Properties: {KmsKeyId: !Ref LogsKey, "
	     "DBClusterIdentifier: x}\n",
	     0},
	    {"{AWS: '*'}", "{StringEquals: {'kms:ViaService': rds.eu-west-1.amazonaws.com}}",
	     "  Ssm:\n    Type: AWS::SSM::Parameter\n    Properties: {Value: !Ref LogsKey}\n", 1},
	    {"{AWS: '*'}", "{StringEquals: {'kms:ViaService': ssm.eu-west-1.amazonaws.com}}",
	     "  Ssm:\n    Type: AWS::SSM::Parameter\n    Properties: {Value: !Ref LogsKey}\n", 0},
	    {"{AWS: '*'}", "{StringEquals: {'kms:ViaService': s3.eu-west-1.amazonaws.com}}",
	     "  Pipe:\n    Type: AWS::CodePipeline::Pipeline\n    Properties: {Key: !Ref "
	     "LogsKey}\n",
	     0},
	    {"{AWS: '*'}", "{StringEquals: {'kms:ViaService': backup.eu-west-1.amazonaws.com}}",
	     "  Vault:\n    Type: AWS::Backup::BackupVault\n    Properties: {EncryptionKeyArn: "
	     "!GetAtt LogsKey.Arn}\n",
	     0},
	    {"{AWS: '*'}", "{StringEquals: {'kms:ViaService': sqs.eu-west-1.amazonaws.com}}",
	     "  Other:\n    Type: AWS::SQSX::Queue\n    Properties: {KmsMasterKeyId: !Ref "
	     "LogsKey}\n",
	     0},
	    /* grants, aliases and custom resources are not uses */
	    {"{AWS: '*'}", "{StringEquals: {'kms:CallerAccount': '1'}}",
	     "  Alias:\n    Type: AWS::KMS::Alias\n    Properties: {TargetKeyId: !Ref LogsKey, "
	     "AliasName: alias/x}\n",
	     0},
	    {"{AWS: '*'}", "{StringEquals: {'kms:CallerAccount': '1'}}",
	     "  Alias:\n    Type: AWS::KMS::AliasX\n    Properties: {TargetKeyId: !Ref LogsKey}\n",
	     0},
	    {"{AWS: '*'}", "{StringEquals: {'kms:CallerAccount': '1'}}",
	     "  Grant:\n    Type: AWS::IAM::Policy\n    Properties: {Resource: !GetAtt "
	     "LogsKey.Arn}\n",
	     0},
	    {"{AWS: '*'}", "{StringEquals: {'kms:CallerAccount': '1'}}",
	     "  Cr:\n    Type: Custom::Thing\n    Properties: {ServiceToken: x, Key: !Ref "
	     "LogsKey}\n",
	     0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char to[512];
		snprintf(to, sizeof to, "%s\n            Condition: %s", cases[i].principal,
		         cases[i].condition);
		rf_fixture fx;
		run_with(&fx, "dev", root, to, cases[i].more);
		if (trp(&fx) != cases[i].errors ||
		    rf_count(&fx.f, "TRP008", SEV_ERROR) != trp(&fx)) {
			rf_dump(&fx.f);
			fail_msg("case %zu: expected %zu TRP008", i, cases[i].errors);
		}
		rf_done(&fx);
	}
	/* no key policy: the account's IAM decides, a service principal is not let in */
	rf_fixture fx;
	run_with(&fx, "dev", "    Properties:\n      KeyPolicy:\n        Statement:\n",
	         "    Properties:\n      Other:\n        Statement:\n", queue);
	assert_int_equal(rf_count(&fx.f, "TRP008", SEV_ERROR), 2 + 1); /* logs 2, trail 1 */
	rf_done(&fx);
}

static void test_topic_publishers(void **state)
{
	(void)state;
	static const char topic[] =
	    "  Topic:\n    Type: AWS::SNS::Topic\n    Properties: {KmsMasterKeyId: !Ref LogsKey}\n";
	static const struct {
		const char *more;
		size_t errors;
	} cases[] = {
	    {"  A2:\n    Type: AWS::CloudWatch::Alarm\n    Properties: {AlarmActions: [!Ref "
	     "Topic]}\n",
	     2},
	    {"  A2:\n    Type: AWS::CloudWatch::Alarm\n    Properties: {OKActions: [!Ref Topic]}\n",
	     2},
	    {"  A2:\n    Type: AWS::CloudWatch::Alarm\n    Properties: {InsufficientDataActions: "
	     "[!Ref "
	     "Topic]}\n",
	     2},
	    {"  A2:\n    Type: AWS::CloudWatch::Alarm\n    Properties: {OtherActions: [!Ref "
	     "Topic]}\n",
	     0},
	    {"  A2:\n    Type: AWS::CloudWatch::AlarmX\n    Properties: {AlarmActions: [!Ref "
	     "Topic]}\n",
	     0},
	    {"  R:\n    Type: AWS::Events::Rule\n    Properties: {Targets: [{Arn: !Ref Topic, Id: "
	     "t}]}\n",
	     2},
	    {"  R:\n    Type: AWS::Events::RuleX\n    Properties: {Targets: [{Arn: !Ref Topic, Id: "
	     "t}]}\n",
	     0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char more[512];
		snprintf(more, sizeof more, "%s%s", topic, cases[i].more);
		rf_fixture fx;
		/* the root statement lets the topic itself (through SNS) */
		run_with(&fx, "dev", "Resources:\n", "Resources:\n", more);
		if (rf_count(&fx.f, "TRP008", SEV_ERROR) != cases[i].errors) {
			rf_dump(&fx.f);
			fail_msg("case %zu: expected %zu TRP008", i, cases[i].errors);
		}
		rf_done(&fx);
	}
	/* the publisher's service named: regional and global principals */
	static const char *const principals[] = {"cloudwatch.amazonaws.com",
	                                         "cloudwatch.eu-west-1.amazonaws.com"};
	for (size_t i = 0; i < 2; i++) {
		char more[1024];
		snprintf(
		    more, sizeof more,
		    "%s  A2:\n    Type: AWS::CloudWatch::Alarm\n    Properties: {AlarmActions: "
		    "[!Ref Topic]}\n",
		    topic);
		char to[256];
		snprintf(to, sizeof to,
		         "Principal: {Service: [cloudtrail.amazonaws.com, %s]}\n"
		         "            Action: ['kms:GenerateDataKey*', 'kms:Decrypt']",
		         principals[i]);
		rf_fixture fx;
		run_with(&fx, "dev",
		         "Principal: {Service: cloudtrail.amazonaws.com}\n            Action: "
		         "'kms:GenerateDataKey*'",
		         to, more);
		if (rf_count(&fx.f, "TRP008", SEV_ERROR) != 0) {
			rf_dump(&fx.f);
			fail_msg("principal %s", principals[i]);
		}
		rf_done(&fx);
	}
}

static void test_alarm_period(void **state)
{
	(void)state;
	rf_fixture fx;
	run(&fx, "dev", "Period: 60}", "Period: 10}");
	expect(&fx, "TRP009", SEV_ERROR, 1);
	/* a custom namespace may be high resolution */
	run(&fx, "dev", "{Namespace: AWS/ECS, MetricName: CPUUtilization, Period: 60}",
	    "{Namespace: LMS/dev, MetricName: ActiveSessions, Period: 10}");
	expect(&fx, "TRP009", SEV_ERROR, 0);
}

static void test_log_groups(void **state)
{
	(void)state;
	rf_fixture fx;
	run(&fx, "dev", "      RetentionInDays: 30\n", "");
	expect(&fx, "TRP010", SEV_ERROR, 1);
	run(&fx, "dev", "      KmsKeyId: !GetAtt LogsKey.Arn\n", "");
	expect(&fx, "TRP010", SEV_ERROR, 1);
}

static void test_lambda_log_group(void **state)
{
	(void)state;
	rf_fixture fx;
	/* no LoggingConfig: the default /aws/lambda/NAME is the template's Group */
	run(&fx, "dev", "      LoggingConfig: {LogGroup: !Ref Group}\n", "");
	expect(&fx, "TRP011", SEV_WARNING, 0);
	/* a log group the template does not have */
	run(&fx, "dev", "      LoggingConfig: {LogGroup: !Ref Group}\n",
	    "      LoggingConfig: {LogGroup: /aws/lambda/elsewhere}\n");
	expect(&fx, "TRP011", SEV_ERROR, 1);
	run(&fx, "dev", "[logs:CreateLogStream, logs:PutLogEvents]",
	    "[logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents]");
	expect(&fx, "TRP011", SEV_WARNING, 1);
	/* a role with managed policies only (no Policies): the basic execution role
	 * creates log groups, a read-only one does not */
	static const char inline_policies[] =
	    "      Policies:\n"
	    "        - PolicyName: p\n"
	    "          PolicyDocument:\n"
	    "            Statement:\n"
	    "              - Effect: Allow\n"
	    "                Action: [logs:CreateLogStream, logs:PutLogEvents]\n"
	    "                Resource: !GetAtt Group.Arn\n"
	    "              - Effect: Allow\n"
	    "                Action: s3:GetObject\n"
	    "                Resource: !Sub '${Bucket.Arn}/*'\n";
	run(&fx, "dev", inline_policies,
	    "      ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess']\n");
	expect(&fx, "TRP011", SEV_WARNING, 0);
	run(&fx, "dev", inline_policies,
	    "      ManagedPolicyArns:\n"
	    "        - 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'\n");
	expect(&fx, "TRP011", SEV_WARNING, 1);
}

static void test_open_ingress(void **state)
{
	(void)state;
	rf_fixture fx;
	run(&fx, "dev", "CidrIp: 10.0.0.0/16", "CidrIp: 0.0.0.0/0");
	expect(&fx, "TRP012", SEV_ERROR, 1);
	/* the Internet written otherwise: half of it, a public range, IPv6 */
	run(&fx, "dev", "CidrIp: 10.0.0.0/16", "CidrIp: 0.0.0.0/1");
	expect(&fx, "TRP012", SEV_ERROR, 1);
	run(&fx, "dev", "CidrIp: 10.0.0.0/16", "CidrIp: 203.0.113.0/24");
	expect(&fx, "TRP012", SEV_ERROR, 1);
	run(&fx, "dev", "CidrIp: 10.0.0.0/16", "CidrIpv6: '::/0'");
	expect(&fx, "TRP012", SEV_ERROR, 1);
	run(&fx, "dev", "CidrIp: 10.0.0.0/16", "CidrIpv6: '0::0/0'");
	expect(&fx, "TRP012", SEV_ERROR, 1);
	run(&fx, "dev", "CidrIp: 10.0.0.0/16", "CidrIpv6: '2001:db8::/32'");
	expect(&fx, "TRP012", SEV_ERROR, 1);
	/* private ranges at their edges are not the Internet */
	run(&fx, "dev", "CidrIp: 10.0.0.0/16", "CidrIp: 10.0.0.0/8");
	expect(&fx, "TRP012", SEV_ERROR, 0);
	run(&fx, "dev", "CidrIp: 10.0.0.0/16", "CidrIp: 172.16.0.0/12");
	expect(&fx, "TRP012", SEV_ERROR, 0);
	run(&fx, "dev", "CidrIp: 10.0.0.0/16", "CidrIp: 172.16.0.0/11");
	expect(&fx, "TRP012", SEV_ERROR, 1);
	run(&fx, "dev", "CidrIp: 10.0.0.0/16", "CidrIp: 192.168.0.0/16");
	expect(&fx, "TRP012", SEV_ERROR, 0);
	run(&fx, "dev", "CidrIp: 10.0.0.0/16", "CidrIpv6: 'fd00:40::/56'");
	expect(&fx, "TRP012", SEV_ERROR, 0);
}

static void test_wildcard_data_plane(void **state)
{
	(void)state;
	rf_fixture fx;
	run(&fx, "dev", "Resource: !Sub '${Bucket.Arn}/*'", "Resource: '*'");
	expect(&fx, "TRP013", SEV_ERROR, 1);
	run(&fx, "dev", "Resource: !Sub '${Bucket.Arn}/*'", "Resource: 'arn:aws:s3:::*'");
	expect(&fx, "TRP013", SEV_ERROR, 1);
	run(&fx, "dev", "Action: s3:GetObject", "Action: 's3:*'");
	expect(&fx, "TRP013", SEV_ERROR, 0); /* still on the bucket's objects only */
	run(&fx, "dev", "Resource: !GetAtt Group.Arn",
	    "Resource: !Sub "
	    "'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*'");
	expect(&fx, "TRP013", SEV_ERROR, 1);
}

static void test_eip_quota(void **state)
{
	(void)state;
	buf eips;
	buf_init(&eips, 0);
	buf_adds(&eips, "Resources:\n");
	for (int i = 1; i <= 5; i++)
		buf_addf(&eips, "  Eip%d:\n    Type: AWS::EC2::EIP\n", i);
	rf_fixture fx;
	/* five fit the default quota, the sixth does not */
	run(&fx, "dev", "Resources:\n", buf_cstr(&eips));
	expect(&fx, "TRP014", SEV_ERROR, 0);
	buf_adds(&eips, "  Eip6:\n    Type: AWS::EC2::EIP\n");
	run(&fx, "dev", "Resources:\n", buf_cstr(&eips));
	expect(&fx, "TRP014", SEV_ERROR, 1);
	/* an EIP association is no EIP */
	buf_adds(&eips, "  Assoc:\n    Type: AWS::EC2::EIPAssociation\n");
	run(&fx, "dev", "Resources:\n", buf_cstr(&eips));
	expect(&fx, "TRP014", SEV_ERROR, 1);
	buf_free(&eips);
}

static void test_template_limits(void **state)
{
	(void)state;
	buf many;
	buf_init(&many, 0);
	buf_adds(&many, "Resources:\n");
	for (int i = 0; i < 480; i++)
		buf_addf(&many, "  T%d: {Type: AWS::SNS::Topic}\n", i);
	rf_fixture fx;
	run(&fx, "dev", "Resources:\n", buf_cstr(&many)); /* 480 + 27 > 500 */
	expect(&fx, "TRP015", SEV_ERROR, 1);
	buf_free(&many);
}

/* Each count at its limit and one past it: 500 resources, 200 outputs, 200
 * mappings (the template's own resources counted first, no outputs or mappings). */
static void test_template_limit_edges(void **state)
{
	(void)state;
	rf_fixture base;
	run(&base, "dev", NULL, NULL);
	int own = (int)base.cat->nentries[SEC_RESOURCES];
	assert_int_equal(base.cat->nentries[SEC_OUTPUTS], 0);
	assert_int_equal(base.cat->nentries[SEC_MAPPINGS], 0);
	rf_done(&base);
	for (int extra = 0; extra <= 1; extra++) {
		buf many;
		buf_init(&many, 0);
		buf_adds(&many, "Resources:\n");
		for (int i = 0; i < 500 - own + extra; i++)
			buf_addf(&many, "  T%d: {Type: AWS::SNS::Topic}\n", i);
		rf_fixture fx;
		run(&fx, "dev", "Resources:\n", buf_cstr(&many));
		assert_int_equal(fx.cat->nentries[SEC_RESOURCES], 500 + extra);
		expect(&fx, "TRP015", SEV_ERROR, extra);
		buf_free(&many);

		buf outs;
		buf_init(&outs, 0);
		buf_adds(&outs, "Outputs:\n");
		for (int i = 0; i < 200 + extra; i++)
			buf_addf(&outs, "  O%d: {Description: o, Value: x}\n", i);
		run_with(&fx, "dev", "Resources:\n", "Resources:\n", buf_cstr(&outs));
		assert_int_equal(fx.cat->nentries[SEC_OUTPUTS], 200 + extra);
		expect(&fx, "TRP015", SEV_ERROR, extra);
		buf_free(&outs);

		buf maps;
		buf_init(&maps, 0);
		buf_adds(&maps, "Mappings:\n");
		for (int i = 0; i < 200 + extra; i++)
			buf_addf(&maps, "  M%d: {a: {b: c}}\n", i);
		buf_adds(&maps, "Resources:\n");
		run(&fx, "dev", "Resources:\n", buf_cstr(&maps));
		assert_int_equal(fx.cat->nentries[SEC_MAPPINGS], 200 + extra);
		expect(&fx, "TRP015", SEV_ERROR, extra);
		buf_free(&maps);
	}
}

static void test_auth_token_characters(void **state)
{
	(void)state;
	rf_fixture fx;
	run(&fx, "dev", "ExcludePunctuation: true", "ExcludePunctuation: false");
	expect(&fx, "TRP016", SEV_ERROR, 1);
	run(&fx, "dev", "AuthToken: !Sub '{{resolve:secretsmanager:${Secret}}}'",
	    "AuthToken: 'short@token'");
	expect(&fx, "TRP016", SEV_ERROR, 1);
}

/* The real templates have no trap, in dev and prod (through validate). */
/* Each trap's edges in one table: the exact values and type names against
 * near ones, each threshold on both sides, each condition set up. `count`
 * TRP findings of `rule`, and no other (0: none at all). */
static const struct trap_case {
	const char *from, *to, *rule;
	severity sev;
	size_t count;
} trap_cases[] = {
    /* TRP001: the policies by name; the snapshot defaults by type */
    {"    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Delete\n    UpdateReplacePolicy: Delete\n",
     "    Type: AWS::RDS::DBClusterX\n", "TRP001", SEV_ERROR, 0},
    {"    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Delete\n    UpdateReplacePolicy: Delete\n",
     "    Type: AWS::RDS::DBInstance\n", "TRP001", SEV_ERROR, 2},
    {"    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Delete\n    UpdateReplacePolicy: Delete\n",
     "    Type: AWS::RDS::DBInstance\n    Properties: {DBClusterIdentifier: x}\n", "TRP001",
     SEV_ERROR, 0},
    {"    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Delete\n    UpdateReplacePolicy: Delete\n",
     "    Type: AWS::RDS::DBInstanceX\n", "TRP001", SEV_ERROR, 0},
    {"    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Delete\n",
     "    Type: AWS::RDS::DBCluster\n    DeletionPolicy: RetainExceptOnCreate\n", "TRP001",
     SEV_ERROR, 1},
    {"    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Delete\n",
     "    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Snapshot\n", "TRP001", SEV_ERROR, 1},
    {"    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Delete\n",
     "    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Retain\n", "TRP001", SEV_ERROR, 1},
    {"    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Delete\n",
     "    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Retai\n", "TRP001", SEV_ERROR, 0},
    {"    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Delete\n",
     "    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Snapshots\n", "TRP001", SEV_ERROR, 0},
    {"    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Delete\n",
     "    Type: AWS::RDS::DBCluster\n    DeletionPolicy: RetainExceptOnCreat\n", "TRP001",
     SEV_ERROR, 0},
    {"    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Delete\n",
     "    Type: AWS::RDS::DBCluster\n    DeletionPolicy: RetainExceptOnCreates\n", "TRP001",
     SEV_ERROR, 0},
    {"    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Delete\n    UpdateReplacePolicy: "
     "Delete\n",
     "    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Delete\n    UpdateReplacePolicy: "
     "Retain\n",
     "TRP001", SEV_ERROR, 1},
    /* TRP002 */
    {"      EmptyOnDelete: true\n", "      EmptyOnDelete: false\n", "TRP002", SEV_ERROR, 1},
    {"    Type: AWS::ECR::Repository\n    Properties:\n      EmptyOnDelete: true\n",
     "    Type: AWS::ECR::RepositoryX\n", "TRP002", SEV_ERROR, 0},
    {"Type: Custom::EmptyBucket", "Type: AWS::CloudFormation::CustomResource", "TRP002", SEV_ERROR,
     0},
    {"Type: Custom::EmptyBucket", "Type: AWS::CloudFormation::CustomResourceX", "TRP002", SEV_ERROR,
     1},
    {"Type: Custom::EmptyBucket", "Type: Custom:EmptyBucket", "TRP002", SEV_ERROR, 1},
    {"Type: Custom::EmptyBucket", "Type: 'Custom::'", "TRP002", SEV_ERROR, 0},
    {"      Bucket: !Ref Bucket\n  BucketPolicy", "      Other: x\n  BucketPolicy", "TRP002",
     SEV_ERROR, 1},
    /* TRP003: IAM ENABLED or an access point needs transit encryption */
    {"TransitEncryption: ENABLED", "TransitEncryption: ENABLEDX", "TRP003", SEV_ERROR, 1},
    {"TransitEncryption: ENABLED", "TransitEncryption: ENABLE", "TRP003", SEV_ERROR, 1},
    {"            TransitEncryption: ENABLED\n            AuthorizationConfig: {IAM: ENABLED}\n",
     "            AuthorizationConfig: {IAM: DISABLED}\n", "TRP003", SEV_ERROR, 0},
    {"            TransitEncryption: ENABLED\n            AuthorizationConfig: {IAM: ENABLED}\n",
     "            AuthorizationConfig: {IAM: ENABLEDX}\n", "TRP003", SEV_ERROR, 0},
    {"            TransitEncryption: ENABLED\n            AuthorizationConfig: {IAM: ENABLED}\n",
     "            AuthorizationConfig: {AccessPointId: ap}\n", "TRP003", SEV_ERROR, 1},
    {"            TransitEncryption: ENABLED\n            AuthorizationConfig: {IAM: ENABLED}\n",
     "            AuthorizationConfig: {IAM: ENABLED}\n", "TRP003", SEV_ERROR, 1},
    {"    Type: AWS::ECS::TaskDefinition\n", "    Type: AWS::ECS::TaskDefinitionX\n", "TRP003",
     SEV_ERROR, 0},
    /* TRP004: the service after each mount target of its file system */
    {"    DependsOn: Mt1\n", "", "TRP004", SEV_ERROR, 1},
    {"    Properties: {FileSystemId: !Ref Fs}\n",
     "    Properties: {FileSystemId: !Ref Fs}\n  Mt2:\n    Type: AWS::EFS::MountTarget\n"
     "    Properties: {FileSystemId: !Ref Fs}\n",
     "TRP004", SEV_ERROR, 1},
    {"    Properties: {FileSystemId: !Ref Fs}\n",
     "    Properties: {FileSystemId: !Ref Fs}\n  Mt2:\n    Type: AWS::EFS::MountTargetX\n"
     "    Properties: {FileSystemId: !Ref Fs}\n",
     "TRP004", SEV_ERROR, 0},
    {"    Properties: {FileSystemId: !Ref Fs}\n",
     "    Properties: {FileSystemId: !Ref Fs}\n  Fs2:\n    Type: AWS::EFS::FileSystem\n"
     "  Mt2:\n    Type: AWS::EFS::MountTarget\n    Properties: {FileSystemId: !Ref Fs2}\n",
     "TRP004", SEV_ERROR, 0},
    {"    Type: AWS::ECS::Service\n    DependsOn: Mt1\n", "    Type: AWS::ECS::ServiceX\n",
     "TRP004", SEV_ERROR, 0},
    /* TRP005: a method of the deployment's API, not another's */
    {"    DependsOn: Method\n", "", "TRP005", SEV_ERROR, 1},
    {"    Type: AWS::ApiGateway::Method\n    Properties: {RestApiId: !Ref Api}\n",
     "    Type: AWS::ApiGateway::Method\n    Properties: {RestApiId: !Ref Api}\n  Api2:\n"
     "    Type: AWS::ApiGateway::RestApi\n  Method2:\n    Type: AWS::ApiGateway::Method\n"
     "    Properties: {RestApiId: !Ref Api2}\n",
     "TRP005", SEV_ERROR, 0},
    {"    Type: AWS::ApiGateway::Method\n    Properties: {RestApiId: !Ref Api}\n",
     "    Type: AWS::ApiGateway::Method\n    Properties: {RestApiId: !Ref Api}\n  Method2:\n"
     "    Type: AWS::ApiGateway::MethodX\n    Properties: {RestApiId: !Ref Api}\n",
     "TRP005", SEV_ERROR, 0},
    /* TRP006: what turns logging on; the account resource by type and role */
    {"    Type: AWS::ApiGateway::Stage\n    DependsOn: Account\n",
     "    Type: AWS::ApiGateway::Stage\n", "TRP006", SEV_ERROR, 1},
    {"    Type: AWS::ApiGateway::Stage\n    DependsOn: Account\n",
     "    Type: AWS::ApiGateway::StageX\n", "TRP006", SEV_ERROR, 0},
    {"LoggingLevel: INFO}]", "LoggingLevel: 'OFF'}]", "TRP006", SEV_ERROR, 0},
    {"    Type: AWS::ApiGateway::Account\n", "    Type: AWS::ApiGateway::AccountX\n", "TRP006",
     SEV_ERROR, 1},
    {"    Properties: {CloudWatchRoleArn: 'arn:aws:iam::123456789012:role/x'}\n",
     "    Properties: {Other: x}\n", "TRP006", SEV_ERROR, 1},
    {"    DependsOn: Account\n    Properties:\n", "    Properties:\n      LoggingLevel: 'OFF'\n",
     "TRP006", SEV_ERROR, 1}, /* the method settings still log */
    {"      MethodSettings: [{ResourcePath: '/*', HttpMethod: '*', LoggingLevel: INFO}]\n",
     "      MethodSettings: [{ResourcePath: '/*', HttpMethod: '*', LoggingLevel: 'OFF'}, "
     "{DataTraceEnabled: true}]\n",
     "TRP006", SEV_ERROR, 0},
    {"    DependsOn: Account\n    Properties:\n      RestApiId: !Ref Api\n      DeploymentId: "
     "!Ref Deployment\n      MethodSettings: [{ResourcePath: '/*', HttpMethod: '*', "
     "LoggingLevel: INFO}]\n",
     "    Properties:\n      RestApiId: !Ref Api\n      DeploymentId: !Ref Deployment\n"
     "      MethodSettings: [{DataTraceEnabled: true}]\n",
     "TRP006", SEV_ERROR, 1},
    {"    DependsOn: Account\n    Properties:\n      RestApiId: !Ref Api\n      DeploymentId: "
     "!Ref Deployment\n      MethodSettings: [{ResourcePath: '/*', HttpMethod: '*', "
     "LoggingLevel: INFO}]\n",
     "    Properties:\n      RestApiId: !Ref Api\n      DeploymentId: !Ref Deployment\n"
     "      MethodSettings: [{DataTraceEnabled: false, LoggingLevel: 'OFF'}]\n",
     "TRP006", SEV_ERROR, 0},
    {"    DependsOn: Account\n    Properties:\n      RestApiId: !Ref Api\n      DeploymentId: "
     "!Ref Deployment\n      MethodSettings: [{ResourcePath: '/*', HttpMethod: '*', "
     "LoggingLevel: INFO}]\n",
     "    Properties:\n      RestApiId: !Ref Api\n      DeploymentId: !Ref Deployment\n"
     "      DataTraceEnabled: true\n",
     "TRP006", SEV_ERROR, 1},
    {"    DependsOn: Account\n    Properties:\n      RestApiId: !Ref Api\n      DeploymentId: "
     "!Ref Deployment\n      MethodSettings: [{ResourcePath: '/*', HttpMethod: '*', "
     "LoggingLevel: INFO}]\n",
     "    Properties:\n      RestApiId: !Ref Api\n      DeploymentId: !Ref Deployment\n"
     "      AccessLogSetting: {DestinationArn: x}\n",
     "TRP006", SEV_ERROR, 1},
    {"    DependsOn: Account\n    Properties:\n      RestApiId: !Ref Api\n      DeploymentId: "
     "!Ref Deployment\n      MethodSettings: [{ResourcePath: '/*', HttpMethod: '*', "
     "LoggingLevel: INFO}]\n",
     "    Properties:\n      RestApiId: !Ref Api\n      DeploymentId: !Ref Deployment\n"
     "      LoggingLevel: ERROR\n",
     "TRP006", SEV_ERROR, 1},
    {"    DependsOn: Method\n    Properties: {RestApiId: !Ref Api}\n",
     "    DependsOn: Method\n    Properties:\n      RestApiId: !Ref Api\n"
     "      StageDescription: {LoggingLevel: INFO}\n",
     "TRP006", SEV_ERROR, 1},
    {"    DependsOn: Method\n    Properties: {RestApiId: !Ref Api}\n",
     "    DependsOn: [Method, Account]\n    Properties:\n      RestApiId: !Ref Api\n"
     "      StageDescription: {LoggingLevel: INFO}\n",
     "TRP006", SEV_ERROR, 0},
    /* TRP007: the policy of the trail's bucket, by type */
    {"    DependsOn: BucketPolicy\n    Properties:\n      S3BucketName",
     "    Properties:\n      S3BucketName", "TRP007", SEV_ERROR, 1},
    {"    Type: AWS::S3::BucketPolicy\n", "    Type: AWS::S3::BucketPolicyX\n", "TRP007", SEV_ERROR,
     1},
    {"    Type: AWS::CloudTrail::Trail\n    DependsOn: BucketPolicy\n",
     "    Type: AWS::CloudTrail::TrailX\n", "TRP007", SEV_ERROR, 0},
    /* TRP009: one minute on both sides, AWS/ namespaces only */
    {"Period: 60}", "Period: 59}", "TRP009", SEV_ERROR, 1},
    {"Period: 60}", "Period: 61}", "TRP009", SEV_ERROR, 0},
    {"Namespace: AWS/ECS, MetricName: CPUUtilization, Period: 60}",
     "Namespace: Custom/ECS, MetricName: CPUUtilization, Period: 10}", "TRP009", SEV_ERROR, 0},
    {"Namespace: AWS/ECS, MetricName: CPUUtilization, Period: 60}",
     "Namespace: AWS, MetricName: CPUUtilization, Period: 10}", "TRP009", SEV_ERROR, 0},
    {"Namespace: AWS/ECS, MetricName: CPUUtilization, Period: 60}",
     "Namespace: AWS/, MetricName: CPUUtilization, Period: 10}", "TRP009", SEV_ERROR, 1},
    {"    Properties: {Namespace: AWS/ECS, MetricName: CPUUtilization, Period: 60}\n",
     "    Properties:\n      Metrics:\n        - Id: a\n          MetricStat:\n"
     "            Metric: {Namespace: AWS/ECS, MetricName: CPUUtilization}\n"
     "            Period: 30\n        - Id: b\n          MetricStat:\n"
     "            Metric: {Namespace: AWS/ECS, MetricName: CPUUtilization}\n"
     "            Period: 60\n",
     "TRP009", SEV_ERROR, 1},
    {"    Type: AWS::CloudWatch::Alarm\n    Properties: {Namespace: AWS/ECS, MetricName: "
     "CPUUtilization, Period: 60}\n",
     "    Type: AWS::CloudWatch::AlarmX\n    Properties: {Namespace: AWS/ECS, MetricName: "
     "CPUUtilization, Period: 10}\n",
     "TRP009", SEV_ERROR, 0},
    /* TRP010 */
    {"      RetentionInDays: 30\n  FnRole", "  FnRole", "TRP010", SEV_ERROR, 1},
    {"      RetentionInDays: 30\n  FnRole",
     "      RetentionInDays: 30\n      DeletionProtectionEnabled: true\n  FnRole", "TRP010",
     SEV_ERROR, 1},
    {"      RetentionInDays: 30\n  FnRole",
     "      RetentionInDays: 30\n      DeletionProtectionEnabled: false\n  FnRole", "TRP010",
     SEV_ERROR, 0},
    /* TRP011: the function's log group by Ref, by name, by its default name */
    {"      LoggingConfig: {LogGroup: !Ref Group}\n",
     "      LoggingConfig: {LogGroup: !Sub '/aws/lambda/fn-${EnvironmentSuffix}'}\n", "TRP011",
     SEV_WARNING, 0}, /* after its group through its role */
    {"      LoggingConfig: {LogGroup: !Ref Group}\n",
     "      LoggingConfig: {LogGroup: /aws/lambda/other}\n", "TRP011", SEV_ERROR, 1},
    {"      LoggingConfig: {LogGroup: !Ref Group}\n", "", "TRP011", SEV_ERROR,
     0}, /* its default name */
    {"      FunctionName: !Sub 'fn-${EnvironmentSuffix}'\n      Role: !GetAtt FnRole.Arn\n"
     "      LoggingConfig: {LogGroup: !Ref Group}\n",
     "      FunctionName: !Sub 'fnx-${EnvironmentSuffix}'\n      Role: !GetAtt FnRole.Arn\n",
     "TRP011", SEV_ERROR, 1},
    {"      FunctionName: !Sub 'fn-${EnvironmentSuffix}'\n      Role: !GetAtt FnRole.Arn\n"
     "      LoggingConfig: {LogGroup: !Ref Group}\n",
     "      FunctionName: !Sub 'fn-${EnvironmentSuffix}'\n      Role: !GetAtt FnRole.Arn\n"
     "    DependsOn: Group\n",
     "TRP011", SEV_ERROR, 0},
    {"Action: [logs:CreateLogStream, logs:PutLogEvents]",
     "Action: [logs:CreateLogStream, logs:PutLogEvents, 'logs:Create*']", "TRP011", SEV_WARNING, 1},
    {"Action: [logs:CreateLogStream, logs:PutLogEvents]",
     "Action: [logs:CreateLogStream, logs:PutLogEvents, 'logs:CreateLogGroupX']", "TRP011",
     SEV_WARNING, 0},
    {"Action: [logs:CreateLogStream, logs:PutLogEvents]",
     "Action: [logs:CreateLogStream, logs:PutLogEvents, 'LOGS:createloggroup']", "TRP011",
     SEV_WARNING, 1},
    {"Action: [logs:CreateLogStream, logs:PutLogEvents]",
     "Action: [logs:CreateLogStream, logs:PutLogEvents, 'logs:CreateLogGrou?']", "TRP011",
     SEV_WARNING, 1},
    {"Action: [logs:CreateLogStream, logs:PutLogEvents]",
     "Action: [logs:CreateLogStream, logs:PutLogEvents, 'logs:CreateLogGrou']", "TRP011",
     SEV_WARNING, 0},
    {"    Properties:\n      Policies:\n",
     "    Properties:\n      ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/"
     "AWSLambdaBasicExecutionRole']\n      Policies:\n",
     "TRP011", SEV_WARNING, 1},
    {"    Properties:\n      Policies:\n",
     "    Properties:\n      ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/"
     "AWSLambdaVPCAccessExecutionRole']\n      Policies:\n",
     "TRP011", SEV_WARNING, 1},
    {"    Properties:\n      Policies:\n",
     "    Properties:\n      ManagedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess']\n"
     "      Policies:\n",
     "TRP011", SEV_WARNING, 0},
    /* TRP012: each private space at its edges, IPv6 unique local only */
    {"CidrIp: 10.0.0.0/16", "CidrIp: 10.255.255.255/32", "TRP012", SEV_ERROR, 0},
    {"CidrIp: 10.0.0.0/16", "CidrIp: 9.255.255.255/32", "TRP012", SEV_ERROR, 1},
    {"CidrIp: 10.0.0.0/16", "CidrIp: 11.0.0.0/32", "TRP012", SEV_ERROR, 1},
    {"CidrIp: 10.0.0.0/16", "CidrIp: 172.31.255.255/32", "TRP012", SEV_ERROR, 0},
    {"CidrIp: 10.0.0.0/16", "CidrIp: 172.32.0.0/32", "TRP012", SEV_ERROR, 1},
    {"CidrIp: 10.0.0.0/16", "CidrIp: 172.15.255.255/32", "TRP012", SEV_ERROR, 1},
    {"CidrIp: 10.0.0.0/16", "CidrIp: 192.168.255.255/32", "TRP012", SEV_ERROR, 0},
    {"CidrIp: 10.0.0.0/16", "CidrIp: 192.169.0.0/32", "TRP012", SEV_ERROR, 1},
    {"CidrIp: 10.0.0.0/16", "CidrIp: 100.64.0.0/10", "TRP012", SEV_ERROR, 0},
    {"CidrIp: 10.0.0.0/16", "CidrIp: 100.127.255.255/32", "TRP012", SEV_ERROR, 0},
    {"CidrIp: 10.0.0.0/16", "CidrIp: 100.128.0.0/32", "TRP012", SEV_ERROR, 1},
    {"CidrIp: 10.0.0.0/16", "CidrIp: 100.63.255.255/32", "TRP012", SEV_ERROR, 1},
    {"CidrIp: 10.0.0.0/16", "CidrIp: 10.0.0.0/33", "TRP012", SEV_ERROR, 1},
    {"CidrIp: 10.0.0.0/16", "CidrIpv6: 'fc00::/7'", "TRP012", SEV_ERROR, 0},
    {"CidrIp: 10.0.0.0/16", "CidrIpv6: 'fc00::/6'", "TRP012", SEV_ERROR, 1},
    {"CidrIp: 10.0.0.0/16", "CidrIpv6: 'fd00::1/128'", "TRP012", SEV_ERROR, 0},
    {"CidrIp: 10.0.0.0/16", "CidrIpv6: 'fd00::1/129'", "TRP012", SEV_ERROR, 1},
    {"CidrIp: 10.0.0.0/16", "CidrIpv6: 'FD00::/8'", "TRP012", SEV_ERROR, 0},
    {"CidrIp: 10.0.0.0/16", "CidrIpv6: 'fe00::/8'", "TRP012", SEV_ERROR, 1},
    {"CidrIp: 10.0.0.0/16", "CidrIpv6: 'fb00::/8'", "TRP012", SEV_ERROR, 1},
    {"CidrIp: 10.0.0.0/16", "CidrIpv6: 'ec00::/8'", "TRP012", SEV_ERROR, 1},
    {"CidrIp: 10.0.0.0/16", "CidrIpv6: 'fd0::/8'", "TRP012", SEV_ERROR, 1},
    {"CidrIp: 10.0.0.0/16", "CidrIpv6: 'fd000::/8'", "TRP012", SEV_ERROR, 1},
    {"CidrIp: 10.0.0.0/16", "CidrIpv6: 'fd00::'", "TRP012", SEV_ERROR, 1},
    {"CidrIp: 10.0.0.0/16}]", "CidrIp: 10.0.0.0/16, CidrIpv6: '::/0'}]", "TRP012", SEV_ERROR, 1},
    {"    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress: "
     "[{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/16}]\n",
     "    Type: AWS::EC2::SecurityGroupIngress\n    Properties: {GroupId: x, CidrIp: 0.0.0.0/0}\n",
     "TRP012", SEV_ERROR, 1},
    {"    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress: "
     "[{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/16}]\n",
     "    Type: AWS::EC2::SecurityGroupIngressX\n    Properties: {GroupId: x, CidrIp: 0.0.0.0/0}\n",
     "TRP012", SEV_ERROR, 0},
    {"    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress: "
     "[{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/16}]\n",
     "    Type: AWS::EC2::SecurityGroupX\n    Properties:\n      SecurityGroupIngress: [{CidrIp: "
     "0.0.0.0/0}]\n",
     "TRP012", SEV_ERROR, 0},
    /* TRP013: every wildcard form, and what is not one */
    /* IAM types by their whole prefix `AWS::IAM::` */
    {"  FnRole:\n    Type: AWS::IAM::Role\n",
     "  Odd:\n    Type: AWS::IAM:Policy\n    Properties:\n      PolicyDocument: {Statement: "
     "{Effect: Allow, Action: 's3:GetObject', Resource: '*'}}\n  FnRole:\n    Type: "
     "AWS::IAM::Role\n",
     "TRP013", SEV_ERROR, 0},
    {"  FnRole:\n    Type: AWS::IAM::Role\n",
     "  Odd:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyDocument: {Statement: "
     "{Effect: Allow, Action: 's3:GetObject', Resource: '*'}}\n  FnRole:\n    Type: "
     "AWS::IAM::Role\n",
     "TRP013", SEV_ERROR, 1},
    {"Resource: !Sub '${Bucket.Arn}/*'", "Resource: 'arn:aws:s3:::*/*'", "TRP013", SEV_ERROR, 1},
    {"Resource: !Sub '${Bucket.Arn}/*'", "Resource: 'arn:aws:s3:::b/*'", "TRP013", SEV_ERROR, 0},
    {"Resource: !Sub '${Bucket.Arn}/*'", "Resource: 'arn:$aws:s3:::b/*'", "TRP013", SEV_ERROR,
     0}, /* a $ with no { is no span */
    {"Resource: !Sub '${Bucket.Arn}/*'", "Resource: !Sub 'arn:${AWS::AccountId}:s3:::b/*'",
     "TRP013", SEV_ERROR, 0}, /* a span that stays, in the partition's place */
    {"Resource: !Sub '${Bucket.Arn}/*'", "Resource: !Sub 'arn:${AWS::Partition}:s3:::b/*'",
     "TRP013", SEV_ERROR, 0},
    {"Resource: !Sub '${Bucket.Arn}/*'", "Resource: !Sub 'arn:${AWS::Partition}:s3:::*'", "TRP013",
     SEV_ERROR, 1},
    {"Resource: !Sub '${Bucket.Arn}/*'", "Resource: 'arn:aws:s3x:::b/*'", "TRP013", SEV_ERROR, 1},
    {"Resource: !Sub '${Bucket.Arn}/*'",
     "Resource: 'arn:aws:ecr:eu-west-1:123456789012:repository/*'", "TRP013", SEV_ERROR, 1},
    {"Resource: !Sub '${Bucket.Arn}/*'",
     "Resource: 'arn:aws:s3:eu-west-1:123456789012:accesspoint/*'", "TRP013", SEV_ERROR, 1},
    {"Resource: !Sub '${Bucket.Arn}/*'", "Resource: 'arn:aws:s3:::**'", "TRP013", SEV_ERROR, 0},
    {"Resource: !Sub '${Bucket.Arn}/*'",
     "Resource: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:*'", "TRP013", SEV_ERROR, 1},
    {"Resource: !Sub '${Bucket.Arn}/*'",
     "Resource: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-*'", "TRP013", SEV_ERROR,
     0},
    {"Resource: !Sub '${Bucket.Arn}/*'", "Resource: 'arn:aws:s3:*'", "TRP013", SEV_ERROR, 0},
    {"Resource: !Sub '${Bucket.Arn}/*'", "Resource: 'arn:aws:s3::::*'", "TRP013", SEV_ERROR,
     0}, /* a sixth colon */
    {"Resource: !Sub '${Bucket.Arn}/*'", "Resource: 'arx:aws:s3:::*'", "TRP013", SEV_ERROR, 0},
    {"Resource: !Sub '${Bucket.Arn}/*'", "Resource: '**'", "TRP013", SEV_ERROR, 0},
    {"Resource: !Sub '${Bucket.Arn}/*'", "Resource: 'arn:aws:logs:${Unclosed:*'", "TRP013",
     SEV_ERROR, 0},
    {"Resource: !Sub '${Bucket.Arn}/*'", "NotResource: 'arn:aws:s3:::b/*'", "TRP013", SEV_ERROR, 1},
    {"Action: s3:GetObject\n                Resource: !Sub '${Bucket.Arn}/*'",
     "NotAction: s3:GetObject\n                Resource: '*'", "TRP013", SEV_ERROR, 1},
    {"Action: s3:GetObject\n                Resource: !Sub '${Bucket.Arn}/*'",
     "Action: s3:ListAllMyBuckets\n                Resource: '*'", "TRP013", SEV_ERROR, 0},
    {"Action: s3:GetObject\n                Resource: !Sub '${Bucket.Arn}/*'",
     "Action: 's3:Get*'\n                Resource: '*'", "TRP013", SEV_ERROR, 1},
    {"Action: s3:GetObject\n                Resource: !Sub '${Bucket.Arn}/*'",
     "Action: 'elasticache:Connect'\n                Resource: '*'", "TRP013", SEV_ERROR, 1},
    {"Action: s3:GetObject\n                Resource: !Sub '${Bucket.Arn}/*'",
     "Action: 's3:GetObjec'\n                Resource: '*'", "TRP013", SEV_ERROR, 0},
    {"Action: s3:GetObject\n                Resource: !Sub '${Bucket.Arn}/*'",
     "Action: 's3:GetObjectX'\n                Resource: '*'", "TRP013", SEV_ERROR, 0},
    {"              - Effect: Allow\n                Action: s3:GetObject\n",
     "              - Effect: Deny\n                Action: s3:GetObject\n", "TRP013", SEV_ERROR,
     0},
    {"  FnRole:\n    Type: AWS::IAM::Role\n", "  FnRole:\n    Type: AWS::IAMX::Role\n", "TRP013",
     SEV_ERROR, 0},
    /* a $ with no { counts its colon; an S3 ARN with an account has a type; the
     * resource part only a wildcard, not one that starts with one */
    {"Resource: !Sub '${Bucket.Arn}/*'", "Resource: 'arn:$aws:s3:::*'", "TRP013", SEV_ERROR, 1},
    {"Resource: !Sub '${Bucket.Arn}/*'", "Resource: 'arn:aws:s3::123456789012:accesspoint/*'",
     "TRP013", SEV_ERROR, 1},
    {"Resource: !Sub '${Bucket.Arn}/*'", "Resource: 'arn:aws:s3:::*/*x'", "TRP013", SEV_ERROR, 0},
    /* TRP006: a stage whose own level is OFF and no method logs */
    {"    DependsOn: Account\n    Properties:\n      RestApiId: !Ref Api\n      DeploymentId: "
     "!Ref Deployment\n      MethodSettings: [{ResourcePath: '/*', HttpMethod: '*', "
     "LoggingLevel: INFO}]\n",
     "    Properties:\n      RestApiId: !Ref Api\n      DeploymentId: !Ref Deployment\n"
     "      LoggingLevel: 'OFF'\n",
     "TRP006", SEV_ERROR, 0},
    /* TRP016: token length 16 and 128 on both sides, the characters */
    {"      AuthToken: !Sub '{{resolve:secretsmanager:${Secret}}}'\n",
     "      AuthToken: 'abcdefghijklmnop'\n", "TRP016", SEV_ERROR, 0},
    {"      AuthToken: !Sub '{{resolve:secretsmanager:${Secret}}}'\n",
     "      AuthToken: 'abcdefghijklmno'\n", "TRP016", SEV_ERROR, 1},
    {"      AuthToken: !Sub '{{resolve:secretsmanager:${Secret}}}'\n",
     "      AuthToken: 'abcdefghijklmno!&#$^<>-'\n", "TRP016", SEV_ERROR, 0},
    {"      AuthToken: !Sub '{{resolve:secretsmanager:${Secret}}}'\n",
     "      AuthToken: 'abcdefghijklmnop@'\n", "TRP016", SEV_ERROR, 1},
    {"      AuthToken: !Sub '{{resolve:secretsmanager:${Secret}}}'\n",
     "      AuthToken: 'abcdefghijklmnop q'\n", "TRP016", SEV_ERROR, 1},
    {"GenerateSecretString: {PasswordLength: 64, ExcludePunctuation: true}",
     "GenerateSecretString: {PasswordLength: 64}", "TRP016", SEV_ERROR, 1},
    {"GenerateSecretString: {PasswordLength: 64, ExcludePunctuation: true}",
     "GenerateSecretString: {PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: "
     "true}",
     "TRP016", SEV_ERROR, 1},
    {"GenerateSecretString: {PasswordLength: 64, ExcludePunctuation: true}",
     "GenerateSecretString: {PasswordLength: 64, ExcludeCharacters: "
     "'\"%''()*+,./:;=?@[\\]_`{|}~'}",
     "TRP016", SEV_ERROR, 0},
    {"GenerateSecretString: {PasswordLength: 64, ExcludePunctuation: true}",
     "GenerateSecretString: {PasswordLength: 64, ExcludeCharacters: "
     "'\"%''()*+,./:;=?@[\\]_`{|}'}",
     "TRP016", SEV_ERROR, 1},
    {"GenerateSecretString: {PasswordLength: 64, ExcludePunctuation: true}",
     "GenerateSecretString: {PasswordLength: 64, ExcludeCharacters: "
     "'%''()*+,./:;=?@[\\]_`{|}~'}",
     "TRP016", SEV_ERROR, 1},
    {"    Type: AWS::SecretsManager::Secret\n", "    Type: AWS::SecretsManager::SecretX\n",
     "TRP016", SEV_ERROR, 0},
    {"    Type: AWS::ElastiCache::ReplicationGroup\n",
     "    Type: AWS::ElastiCache::ReplicationGroupX\n", "TRP016", SEV_ERROR, 0},
};

static void test_trap_edges(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(trap_cases) / sizeof(trap_cases[0]); i++) {
		const struct trap_case *c = &trap_cases[i];
		rf_fixture fx;
		run(&fx, "dev", c->from, c->to);
		if (trp(&fx) != c->count || rf_count(&fx.f, c->rule, c->sev) != c->count) {
			rf_dump(&fx.f);
			fail_msg("case %zu (%s -> %s): expected %zu %s %s", i, c->from, c->to,
			         c->count, severity_name(c->sev), c->rule);
		}
		rf_done(&fx);
	}
}

/* Each trap's message and position: the resource and property it names,
 * the values it quotes, and the line and column of the node it points at
 * in the fragment (or of the resource's key; line 0: no position). One
 * case may bring several findings (`count` TRP findings); `message` is one
 * of them, exactly. */
/* (TRAP_DUMP=1 prints every case's findings with their positions.) */
static const struct trap_message {
	const char *from, *to, *more, *rule;
	size_t count;
	const char *message;
	size_t line, col;
} trap_messages[] = {
    {"    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Delete\n",
     "    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Retain\n", "", "TRP001", 1,
     "Db has DeletionPolicy Retain: the stack leaves the resource behind, and the next "
     "deploy collides with it",
     71, 21},
    {"    DeletionPolicy: Delete\n    UpdateReplacePolicy: Delete\n  Fs:",
     "    DeletionPolicy: Delete\n    UpdateReplacePolicy: Snapshot\n  Fs:", "", "TRP001", 1,
     "Db has UpdateReplacePolicy Snapshot: the stack leaves a snapshot behind, and the next "
     "deploy collides with it",
     72, 26},
    {"    DeletionPolicy: Delete\n    UpdateReplacePolicy: Delete\n  Fs:", "  Fs:", "", "TRP001", 2,
     "Db has no UpdateReplacePolicy: for AWS::RDS::DBCluster it defaults to Snapshot, which "
     "outlives the stack",
     69, 3},
    {"EmptyOnDelete: true", "EmptyOnDelete: false", "", "TRP002", 1,
     "ECR repository Repo is not emptied on delete: a repository with images fails DELETE", 68, 22},
    {"    Properties:\n      EmptyOnDelete: true\n", "", "", "TRP002", 1,
     "ECR repository Repo is not emptied on delete: a repository with images fails DELETE", 65, 3},
    {"      Bucket: !Ref Bucket\n  BucketPolicy", "      Other: x\n  BucketPolicy", "", "TRP002", 1,
     "bucket Bucket has nothing to empty it: CloudFormation cannot delete a bucket with "
     "objects (DELETE_FAILED)",
     46, 3},
    {"TransitEncryption: ENABLED", "TransitEncryption: DISABLED", "", "TRP003", 1,
     "Task mounts EFS with IAM authorization or an access point but without transit "
     "encryption, which ECS rejects",
     84, 13},
    {"    DependsOn: Mt1\n", "", "", "TRP004", 1,
     "ECS service Service can start tasks before EFS mount target Mt1 exists: they fail with "
     "ResourceInitializationError",
     87, 3},
    {"    DependsOn: Method\n", "", "", "TRP005", 1,
     "API deployment Deployment does not depend on method Method: it can be created first "
     "(\"The REST API doesn't contain any methods\") or miss the method",
     96, 3},
    {"    Type: AWS::ApiGateway::Stage\n    DependsOn: Account\n",
     "    Type: AWS::ApiGateway::Stage\n", "", "TRP006", 1,
     "Stage turns on logging and can be created before Account sets the account's "
     "CloudWatch role",
     103, 3},
    {"    Type: AWS::ApiGateway::Account\n", "    Type: AWS::ApiGateway::AccountX\n", "", "TRP006",
     1,
     "Stage turns on logging, but the template sets no account CloudWatch role: "
     "\"CloudWatch Logs role ARN must be set in account settings\"",
     103, 3},
    {"    DependsOn: BucketPolicy\n", "", "", "TRP007", 1,
     "trail Trail can be created before bucket policy BucketPolicy: \"Incorrect S3 bucket "
     "policy is detected\"",
     58, 3},
    {"    Type: AWS::S3::BucketPolicy\n", "    Type: AWS::S3::BucketPolicyX\n", "", "TRP007", 1,
     "trail Trail writes to bucket Bucket, which has no bucket policy: \"Incorrect S3 bucket "
     "policy is detected\"",
     58, 3},
    {"          - Effect: Allow # logs\n", "          - Effect: Deny # logs\n", "", "TRP008", 2,
     "key LogsKey is used by Group, but its policy does not allow logs.eu-west-1.amazonaws.com "
     "(or logs.amazonaws.com) kms:Decrypt: creating Group fails",
     8, 9},
    {"Principal: {Service: cloudtrail.amazonaws.com}", "Principal: {Service: s3.amazonaws.com}", "",
     "TRP008", 1,
     "key LogsKey is used by Trail, but its policy does not allow "
     "cloudtrail.eu-west-1.amazonaws.com (or cloudtrail.amazonaws.com) kms:GenerateDataKey: "
     "creating Trail fails",
     8, 9},
    {"{AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'}", "{AWS: '1'}",
     "  Queue:\n    Type: AWS::SQS::Queue\n    Properties: {KmsMasterKeyId: !Ref LogsKey}\n",
     "TRP008", 1,
     "key LogsKey is used by Queue through sqs, but its policy allows neither the account's "
     "IAM nor kms:ViaService sqs.eu-west-1.amazonaws.com",
     8, 9},
    {"Period: 60}", "Period: 59}", "", "TRP009", 1,
     "alarm Alarm evaluates AWS/ECS every 59 s: the metric has one datapoint a minute, so the "
     "alarm sits in INSUFFICIENT_DATA or misses breaches",
     112, 74},
    {"      RetentionInDays: 30\n  FnRole", "  FnRole", "", "TRP010", 1,
     "log group Group keeps its events forever: no retention", 21, 3},
    {"      KmsKeyId: !GetAtt LogsKey.Arn\n", "", "", "TRP010", 1,
     "log group Group is not encrypted with a customer-managed key", 21, 3},
    {"      RetentionInDays: 30\n  FnRole",
     "      RetentionInDays: 30\n      DeletionProtectionEnabled: true\n  FnRole", "", "TRP010", 1,
     "log group Group has deletion protection: the stack cannot delete it", 27, 34},
    {"      FunctionName: !Sub 'fn-${EnvironmentSuffix}'\n      Role: !GetAtt FnRole.Arn\n"
     "      LoggingConfig: {LogGroup: !Ref Group}\n",
     "      FunctionName: !Sub 'fnx-${EnvironmentSuffix}'\n      Role: !GetAtt FnRole.Arn\n", "",
     "TRP011", 1,
     "function Fn has no log group of the template's: Lambda creates /aws/lambda/fnx-dev "
     "itself, unencrypted, kept forever and left after the stack",
     40, 3},
    {"      LoggingConfig: {LogGroup: !Ref Group}\n",
     "      LoggingConfig: {LogGroup: /aws/lambda/other}\n", "", "TRP011", 1,
     "function Fn has no log group of the template's: Lambda creates one itself, "
     "unencrypted, kept forever and left after the stack",
     40, 3},
    {"      Role: !GetAtt FnRole.Arn\n      LoggingConfig: {LogGroup: !Ref Group}\n",
     "      Role: 'arn:aws:iam::123456789012:role/r'\n      LoggingConfig: {LogGroup: "
     "/aws/lambda/fn-dev}\n",
     "", "TRP011", 1,
     "function Fn does not depend on its log group Group: on delete the group can go first "
     "and a late invocation recreates it",
     40, 3},
    {"Action: [logs:CreateLogStream, logs:PutLogEvents]",
     "Action: [logs:CreateLogStream, logs:PutLogEvents, 'logs:Create*']", "", "TRP011", 1,
     "role FnRole of function Fn may create log groups: an invocation during teardown "
     "recreates the deleted group, which then blocks the next deploy",
     27, 3},
    {"CidrIp: 10.0.0.0/16", "CidrIp: 0.0.0.0/0, CidrIpv6: 'fd00::/8'", "", "TRP012", 1,
     "Sg admits traffic from the Internet (0.0.0.0/0)", 116, 30},
    {"CidrIp: 10.0.0.0/16", "CidrIp: 10.0.0.0/8, CidrIpv6: '::/0'", "", "TRP012", 1,
     "Sg admits traffic from the Internet (::/0)", 116, 30},
    {"Resource: !Sub '${Bucket.Arn}/*'", "Resource: '*'", "", "TRP013", 1,
     "FnRole (policy p) allows s3:GetObject on every resource of the account", 37, 17},
    {"Resources:\n", "Resources:\n",
     "  Role2:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies:\n"
     "        - PolicyDocument: {Statement: {Effect: Allow, NotAction: 'iam:*', Resource: "
     "'*'}}\n",
     "TRP013", 1, "Role2 (policy ?) allows NotAction on every resource of the account", 130, 39},
    {"  FnRole:\n    Type: AWS::IAM::Role\n",
     "  Odd:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: "
     "{Statement: {Effect: Allow, Action: 'kms:*', Resource: '*'}}\n  FnRole:\n    Type: "
     "AWS::IAM::Role\n",
     "", "TRP013", 1, "Odd allows kms:Decrypt on every resource of the account", 30, 35},
    {"GenerateSecretString: {PasswordLength: 64, ExcludePunctuation: true}",
     "GenerateSecretString: {PasswordLength: 64}", "", "TRP016", 1,
     "secret Secret generates the AUTH token of Cache with punctuation ElastiCache refuses "
     "(\"Invalid AuthToken provided\")",
     120, 29},
    {"AuthToken: !Sub '{{resolve:secretsmanager:${Secret}}}'", "AuthToken: 'short@token'", "",
     "TRP016", 1, "Cache's AuthToken is not a valid AUTH token", 125, 18},
};

static void test_trap_messages(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(trap_messages) / sizeof(trap_messages[0]); i++) {
		const struct trap_message *c = &trap_messages[i];
		rf_fixture fx;
		run_with(&fx, "dev", c->from, c->to, c->more);
		const finding *x = NULL;
		for (size_t k = 0; k < fx.f.n && !x; k++)
			if (strcmp(fx.f.v[k].rule, c->rule) == 0 &&
			    strcmp(fx.f.v[k].message, c->message) == 0)
				x = &fx.f.v[k];
		bool file_ok = x && (c->line ? x->file && strstr(x->file, "/t.yml") : !x->file);
		size_t of_rule = 0;
		for (size_t k = 0; k < fx.f.n; k++)
			of_rule += strcmp(fx.f.v[k].rule, c->rule) == 0;
		if (getenv("TRAP_DUMP") || trp(&fx) != c->count || of_rule != c->count || !x ||
		    !file_ok || x->line != c->line || x->col != c->col) {
			for (size_t k = 0; k < fx.f.n; k++)
				print_message("  %s %s:%zu:%zu %s\n", fx.f.v[k].rule,
				              fx.f.v[k].file ? fx.f.v[k].file : "-", fx.f.v[k].line,
				              fx.f.v[k].col, fx.f.v[k].message);
			if (!getenv("TRAP_DUMP"))
				fail_msg("message case %zu (%s -> %s)", i, c->from, c->to);
		}
		rf_done(&fx);
	}
}

/* Edges the table above cannot write as one replacement: the names a key
 * policy must give exactly, conditions under a second operator, a secret
 * whose IncludeSpace is false, functions whose default log group has no
 * name, and CloudFormation's limits on parameters and template size, each
 * at the limit and one past it, with the message. */
static void test_trap_more_edges(void **state)
{
	(void)state;
	static const char queue[] =
	    "  Queue:\n    Type: AWS::SQS::Queue\n    Properties: {KmsMasterKeyId: !Ref LogsKey}\n";
	static const struct {
		const char *from, *to, *more, *rule;
		size_t count;
	} cases[] = {
	    /* a service principal and a kms:ViaService value are whole names */
	    {"Principal: {Service: cloudtrail.amazonaws.com}",
	     "Principal: {Service: cloudtrail.amazonaws.comx}", "", "TRP008", 1},
	    {"Principal: {Service: cloudtrail.amazonaws.com}",
	     "Principal: {Service: cloudtrail.amazonaws.co}", "", "TRP008", 1},
	    {"Principal: {AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'}",
	     "Principal: {AWS: '*'}\n            Condition: {StringEquals: {'kms:ViaService': "
	     "sqs.eu-west-1.amazonaws.comx}}",
	     queue, "TRP008", 1},
	    /* the ViaService under the second operator, or under the first only */
	    {"Principal: {AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'}",
	     "Principal: {AWS: '*'}\n            Condition: {StringEquals: {'kms:CallerAccount': "
	     "'1'}, StringLike: {'kms:ViaService': sqs.eu-west-1.amazonaws.com}}",
	     queue, "TRP008", 0},
	    {"Principal: {AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'}",
	     "Principal: {AWS: '*'}\n            Condition: {StringLike: {'kms:ViaService': "
	     "sqs.eu-west-1.amazonaws.com}, StringEquals: {'kms:CallerAccount': '1'}}",
	     queue, "TRP008", 0},
	    {"Principal: {AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'}",
	     "Principal: {AWS: '*'}\n            Condition: {StringEquals: {'kms:CallerAccount': "
	     "'1'}, StringLike: {'kms:CallerAccount': '2'}}",
	     queue, "TRP008", 1},
	    /* the first service of the table (RDS) is a use through its service */
	    {"Principal: {AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'}",
	     "Principal: {AWS: '*'}\n            Condition: {StringEquals: {'kms:ViaService': "
	     "sqs.eu-west-1.amazonaws.com}}",
	     "  Db2:\n    Type: AWS::RDS::DBInstance\n    DeletionPolicy: Delete\n"
	     "    UpdateReplacePolicy: Delete\n    Properties: {KmsKeyId: !Ref LogsKey, "
	     "DBClusterIdentifier: x}\n",
	     "TRP008", 1},
	    /* a secret the token does not name is not its secret */
	    {"  Cache:\n",
	     "  Secret2:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n"
	     "      GenerateSecretString: {PasswordLength: 64}\n  Cache:\n",
	     "", "TRP016", 0},
	    {"      AuthToken: !Sub '{{resolve:secretsmanager:${Secret}}}'\n",
	     "      AuthToken: !Sub '{{resolve:secretsmanager:${Secret2}}}'\n",
	     "  Secret2:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n"
	     "      GenerateSecretString: {PasswordLength: 64}\n",
	     "TRP016", 1},
	    /* a log group named by a prefix of its name, or a longer one, is not it */
	    {"      LoggingConfig: {LogGroup: !Ref Group}\n",
	     "      LoggingConfig: {LogGroup: /aws/lambda/fn-de}\n", "", "TRP011", 1},
	    {"      LoggingConfig: {LogGroup: !Ref Group}\n",
	     "      LoggingConfig: {LogGroup: /aws/lambda/fn-devx}\n", "", "TRP011", 1},
	    /* IncludeSpace false is not true */
	    {"GenerateSecretString: {PasswordLength: 64, ExcludePunctuation: true}",
	     "GenerateSecretString: {PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: "
	     "false}",
	     "", "TRP016", 0},
	    {"GenerateSecretString: {PasswordLength: 64, ExcludePunctuation: true}",
	     "GenerateSecretString: {PasswordLength: 64, ExcludePunctuation: false}", "", "TRP016",
	     1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rf_fixture fx;
		run_with(&fx, "dev", cases[i].from, cases[i].to, cases[i].more);
		if (trp(&fx) != cases[i].count ||
		    rf_count(&fx.f, cases[i].rule, SEV_ERROR) != cases[i].count) {
			rf_dump(&fx.f);
			fail_msg("case %zu: expected %zu %s", i, cases[i].count, cases[i].rule);
		}
		rf_done(&fx);
	}

	/* a resource without a type (REN001's) that names the key is no use of it,
	 * and no trap reads its type */
	{
		buf t;
		buf_init(&t, 0);
		buf_addf(&t, "%s  NoType:\n    Properties: {K: !Ref LogsKey}\n", good);
		rf_fixture fx;
		rf_render(&fx, buf_cstr(&t), "dev");
		buf_free(&t);
		assert_int_equal(fx.f.n, 1);
		assert_string_equal(fx.f.v[0].rule, "REN001");
		findings_free(&fx.f);
		findings_init(&fx.f);
		traps_check(fx.cat, fx.m, fx.r, &fx.f);
		expect(&fx, "TRP008", SEV_ERROR, 0);
	}

	/* a function with no name, or a name that stays unresolved: Lambda's
	 * default group has no name to look for */
	static const char *const names[] = {"",
	                                    "      FunctionName: !Sub 'fn-${AWS::AccountId}'\n"};
	for (size_t i = 0; i < 2; i++) {
		rf_fixture fx;
		run(&fx, "dev",
		    "      FunctionName: !Sub 'fn-${EnvironmentSuffix}'\n      Role: !GetAtt "
		    "FnRole.Arn\n      LoggingConfig: {LogGroup: !Ref Group}\n",
		    names[i]);
		const finding *x = rf_find(&fx.f, "TRP011", "Lambda creates one itself");
		if (trp(&fx) != 1 || !x || x->sev != SEV_ERROR) {
			rf_dump(&fx.f);
			fail_msg("function name case %zu", i);
		}
		rf_done(&fx);
	}
}

/* TRP014's message names the count and points at the last EIP. */
static void test_eip_message(void **state)
{
	(void)state;
	buf eips;
	buf_init(&eips, 0);
	buf_adds(&eips, "Resources:\n");
	for (int i = 1; i <= 6; i++)
		buf_addf(&eips, "  Eip%d:\n    Type: AWS::EC2::EIP\n", i);
	rf_fixture fx;
	run(&fx, "dev", "Resources:\n", buf_cstr(&eips));
	buf_free(&eips);
	assert_int_equal(trp(&fx), 1);
	const finding *x = rf_find(&fx.f, "TRP014", NULL);
	assert_non_null(x);
	assert_string_equal(x->message, "the template allocates 6 Elastic IPs; the default quota "
	                                "is 5 per region (other stacks of the account count too)");
	assert_int_equal(x->line, 12); /* Eip6 */
	assert_int_equal(x->col, 3);
	rf_done(&fx);
}

/* 200 parameters are allowed, 201 are not (the environment fragment has 2);
 * the template's size from S3 at 1,000,000 bytes and one past. */
static void test_template_limit_messages(void **state)
{
	(void)state;
	for (int extra = 0; extra <= 1; extra++) {
		buf p;
		buf_init(&p, 0);
		buf_adds(&p, "Metadata:\n  AWS::CloudFormation::Interface:\n    ParameterGroups:\n"
		             "      - Label: {default: P}\n        Parameters:\n");
		for (int i = 0; i < 198 + extra; i++)
			buf_addf(&p, "          - P%d\n", i);
		buf_adds(&p, "Parameters:\n");
		for (int i = 0; i < 198 + extra; i++)
			buf_addf(&p, "  P%d: {Type: String, Description: p, Default: x}\n", i);
		buf_adds(&p, "Resources:\n");
		rf_fixture fx;
		run(&fx, "dev", "Resources:\n", buf_cstr(&p));
		buf_free(&p);
		assert_int_equal(fx.cat->nparams, 200 + extra);
		assert_int_equal(trp(&fx), extra);
		if (extra)
			assert_string_equal(rf_find(&fx.f, "TRP015", NULL)->message,
			                    "the template declares 201 parameters; CloudFormation "
			                    "allows 200");
		rf_done(&fx);
	}
	rf_fixture fx;
	buf o;
	buf_init(&o, 0);
	buf_adds(&o, "Outputs:\n");
	for (int i = 0; i < 201; i++)
		buf_addf(&o, "  O%d: {Description: o, Value: x}\n", i);
	run_with(&fx, "dev", "Resources:\n", "Resources:\n", buf_cstr(&o));
	buf_free(&o);
	const finding *x = rf_find(&fx.f, "TRP015", NULL);
	assert_non_null(x);
	assert_string_equal(x->message,
	                    "the template declares 201 outputs; CloudFormation allows 200");
	assert_null(x->file);
	rf_done(&fx);

	/* one topic with a long display name: its length moves the template's
	 * size byte for byte; measured once past the limit */
	size_t base = 0;
	for (int round = 0; round < 3; round++) {
		size_t want = round == 0 ? 1000100 : round == 1 ? 1000000 : 1000001;
		size_t len = round == 0 ? 1000000 : want - base;
		buf big;
		buf_init(&big, 0);
		buf_adds(&big, "  Big:\n    Type: AWS::SNS::Topic\n    Properties: {DisplayName: ");
		for (size_t i = 0; i < len; i++)
			buf_addc(&big, 'x');
		buf_adds(&big, "}\n");
		run_with(&fx, "dev", "Resources:\n", "Resources:\n", buf_cstr(&big));
		buf_free(&big);
		x = rf_find(&fx.f, "TRP015", NULL);
		if (round == 0) {
			size_t bytes = 0;
			assert_non_null(x);
			assert_int_equal(sscanf(x->message, "the template is %zu bytes", &bytes),
			                 1);
			base = bytes - len;
		} else if (want == 1000000) {
			assert_null(x);
		} else {
			assert_non_null(x);
			assert_string_equal(x->message,
			                    "the template is 1000001 bytes; CloudFormation "
			                    "accepts at most 1000000 from S3");
		}
		rf_done(&fx);
	}
}

/* `text` with the block of resource `name` moved to the front of Resources
 * (a resource's block runs to the next line indented by two spaces). */
static char *move_first(const char *text, const char *name)
{
	char key[64];
	snprintf(key, sizeof(key), "\n  %s:\n", name);
	const char *at = strstr(text, key);
	if (!at)
		fail_msg("no resource %s", name);
	at++;
	const char *end = at + strlen(key) - 1;
	while (*end && !(end[0] == '\n' && end[1] == ' ' && end[2] == ' ' && end[3] != ' '))
		end++;
	if (*end)
		end++;
	const char *res = strstr(text, "Resources:\n");
	assert_non_null(res);
	res += strlen("Resources:\n");
	buf b;
	buf_init(&b, 0);
	buf_addf(&b, "%.*s%.*s%.*s%s", (int)(res - text), text, (int)(end - at), at,
	         (int)(at - res), res, end);
	return buf_take(&b);
}

/* Every resource is looked at, the template's first included: each of the
 * good template's resources moved first leaves it clean (the lookups find
 * the bucket's emptier, the trail's policy, the account, the log group
 * first), and each trap with its resource first is found. */
static void test_trap_first_resource(void **state)
{
	(void)state;
	static const char *const ids[] = {"LogsKey", "Group",        "FnRole",  "Fn",      "Bucket",
	                                  "Emptier", "BucketPolicy", "Trail",   "Repo",    "Db",
	                                  "Fs",      "Mt1",          "Task",    "Service", "Api",
	                                  "Method",  "Deployment",   "Account", "Stage",   "Alarm",
	                                  "Sg",      "Secret",       "Cache"};
	static const char topic[] = "  Topic:\n    Type: AWS::SNS::Topic\n    Properties: "
	                            "{KmsMasterKeyId: !Ref LogsKey}\n  A2:\n    Type: "
	                            "AWS::CloudWatch::Alarm\n    Properties: {AlarmActions: [!Ref "
	                            "Topic]}\n";
	static const struct {
		const char *first, *from, *to, *more, *rule;
		severity sev;
		size_t count;
	} cases[] = {
	    {"Db", "    DeletionPolicy: Delete\n    UpdateReplacePolicy: Delete\n  Fs:",
	     "    DeletionPolicy: Retain\n    UpdateReplacePolicy: Delete\n  Fs:", "", "TRP001",
	     SEV_ERROR, 1},
	    {"Repo", "EmptyOnDelete: true", "EmptyOnDelete: false", "", "TRP002", SEV_ERROR, 1},
	    {"Bucket", "      Bucket: !Ref Bucket\n  BucketPolicy",
	     "      Other: x\n  BucketPolicy", "", "TRP002", SEV_ERROR, 1},
	    {"Task", "TransitEncryption: ENABLED", "TransitEncryption: DISABLED", "", "TRP003",
	     SEV_ERROR, 1},
	    {"Service", "    DependsOn: Mt1\n", "", "", "TRP004", SEV_ERROR, 1},
	    {"Mt1", "    DependsOn: Mt1\n", "", "", "TRP004", SEV_ERROR, 1},
	    {"Deployment", "    DependsOn: Method\n", "", "", "TRP005", SEV_ERROR, 1},
	    {"Method", "    DependsOn: Method\n", "", "", "TRP005", SEV_ERROR, 1},
	    {"Stage", "    DependsOn: Account\n", "", "", "TRP006", SEV_ERROR, 1},
	    {"Trail", "    DependsOn: BucketPolicy\n", "", "", "TRP007", SEV_ERROR, 1},
	    {"BucketPolicy", "    DependsOn: BucketPolicy\n", "", "", "TRP007", SEV_ERROR, 1},
	    {"Group", "          - Effect: Allow # logs\n", "          - Effect: Deny # logs\n", "",
	     "TRP008", SEV_ERROR, 2},
	    {"A2", "Resources:\n", "Resources:\n", topic, "TRP008", SEV_ERROR, 2},
	    {"Alarm", "Period: 60}", "Period: 59}", "", "TRP009", SEV_ERROR, 1},
	    {"Group", "      RetentionInDays: 30\n", "", "", "TRP010", SEV_ERROR, 1},
	    {"Fn", "      LoggingConfig: {LogGroup: !Ref Group}\n",
	     "      LoggingConfig: {LogGroup: /aws/lambda/other}\n", "", "TRP011", SEV_ERROR, 1},
	    {"Group",
	     "      Role: !GetAtt FnRole.Arn\n      LoggingConfig: {LogGroup: !Ref Group}\n",
	     "      Role: 'arn:aws:iam::123456789012:role/r'\n      LoggingConfig: {LogGroup: "
	     "/aws/lambda/fn-dev}\n",
	     "", "TRP011", SEV_WARNING, 1},
	    {"Sg", "CidrIp: 10.0.0.0/16", "CidrIp: 0.0.0.0/0", "", "TRP012", SEV_ERROR, 1},
	    {"FnRole", "Resource: !Sub '${Bucket.Arn}/*'", "Resource: '*'", "", "TRP013", SEV_ERROR,
	     1},
	    {"Secret", "ExcludePunctuation: true", "ExcludePunctuation: false", "", "TRP016",
	     SEV_ERROR, 1},
	    {"Cache", "AuthToken: !Sub '{{resolve:secretsmanager:${Secret}}}'",
	     "AuthToken: 'short@token'", "", "TRP016", SEV_ERROR, 1},
	};
	size_t n = sizeof(ids) / sizeof(ids[0]) + sizeof(cases) / sizeof(cases[0]);
	for (size_t i = 0; i < n; i++) {
		bool clean = i < sizeof(ids) / sizeof(ids[0]);
		const char *first = clean ? ids[i] : cases[i - sizeof(ids) / sizeof(ids[0])].first;
		const char *from =
		    clean ? "Resources:\n" : cases[i - sizeof(ids) / sizeof(ids[0])].from;
		const char *to =
		    clean ? "Resources:\n" : cases[i - sizeof(ids) / sizeof(ids[0])].to;
		const char *more = clean ? "" : cases[i - sizeof(ids) / sizeof(ids[0])].more;
		const char *at = strstr(good, from);
		assert_non_null(at);
		buf t;
		buf_init(&t, 0);
		buf_addf(&t, "%.*s%s%s%s", (int)(at - good), good, to, at + strlen(from), more);
		char *text = move_first(buf_cstr(&t), first);
		buf_free(&t);
		rf_fixture fx;
		rf_render(&fx, text, "dev");
		free(text);
		assert_int_equal(fx.f.n, 0);
		traps_check(fx.cat, fx.m, fx.r, &fx.f);
		size_t want = clean ? 0 : cases[i - sizeof(ids) / sizeof(ids[0])].count;
		bool ok = trp(&fx) == want;
		if (!clean) {
			const char *rule = cases[i - sizeof(ids) / sizeof(ids[0])].rule;
			ok = ok && rf_count(&fx.f, rule,
			                    cases[i - sizeof(ids) / sizeof(ids[0])].sev) == want;
		}
		if (!ok) {
			rf_dump(&fx.f);
			fail_msg("%s first (case %zu): expected %zu", first, i, want);
		}
		rf_done(&fx);
	}
}

static void test_auth_token_128(void **state)
{
	(void)state;
	char to[200];
	for (size_t n = 127; n <= 129; n++) {
		char tok[130];
		memset(tok, 'a', n);
		tok[n] = '\0';
		snprintf(to, sizeof(to), "      AuthToken: '%s'\n", tok);
		rf_fixture fx;
		run(&fx, "dev", "      AuthToken: !Sub '{{resolve:secretsmanager:${Secret}}}'\n",
		    to);
		expect(&fx, "TRP016", SEV_ERROR, n > 128);
	}
}

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
		findings f;
		findings_init(&f);
		validate_model(cat, m, &f);
		size_t bad = 0;
		for (size_t k = 0; k < f.n; k++)
			if (f.v[k].sev == SEV_ERROR && (strncmp(f.v[k].rule, "TRP", 3) == 0 ||
			                                strncmp(f.v[k].rule, "REN", 3) == 0)) {
				print_message("%s: %s %s:%zu %s\n", envs[i], f.v[k].rule,
				              f.v[k].file ? f.v[k].file : "", f.v[k].line,
				              f.v[k].message);
				bad++;
			}
		assert_int_equal(bad, 0);
		findings_free(&f);
		model_free(m);
	}
	catalog_free(cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_template_limit_edges),
	    cmocka_unit_test(test_key_uses),
	    cmocka_unit_test(test_topic_publishers),
	    cmocka_unit_test(test_trap_edges),
	    cmocka_unit_test(test_trap_messages),
	    cmocka_unit_test(test_trap_first_resource),
	    cmocka_unit_test(test_trap_more_edges),
	    cmocka_unit_test(test_eip_message),
	    cmocka_unit_test(test_template_limit_messages),
	    cmocka_unit_test(test_auth_token_128),
	    cmocka_unit_test(test_stage_logging_other_owner),
	    cmocka_unit_test(test_good_passes),
	    cmocka_unit_test(test_retain_snapshot),
	    cmocka_unit_test(test_nonempty_delete),
	    cmocka_unit_test(test_efs_transit),
	    cmocka_unit_test(test_service_before_mount_targets),
	    cmocka_unit_test(test_deployment_before_methods),
	    cmocka_unit_test(test_stage_logging_account),
	    cmocka_unit_test(test_trail_before_policy),
	    cmocka_unit_test(test_stage_logging_account_first),
	    cmocka_unit_test(test_trail_policy_of_its_bucket),
	    cmocka_unit_test(test_key_principals),
	    cmocka_unit_test(test_key_account_principal),
	    cmocka_unit_test(test_alarm_period),
	    cmocka_unit_test(test_log_groups),
	    cmocka_unit_test(test_lambda_log_group),
	    cmocka_unit_test(test_open_ingress),
	    cmocka_unit_test(test_wildcard_data_plane),
	    cmocka_unit_test(test_eip_quota),
	    cmocka_unit_test(test_template_limits),
	    cmocka_unit_test(test_auth_token_characters),
	    cmocka_unit_test(test_real_templates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
