/* The claims the Control Tower comparison found unchecked
 * (model/rules_controls.c: OBS009-OBS012, SEC011-SEC015) at their edges: a
 * small template that meets every control passes in dev and prod; each
 * mutation that breaks one makes its rule fail, an error in every
 * environment, naming the resource; the variants a control allows (a
 * service's Get* actions, a Deny of everything, a key policy's kms:*,
 * AssignPublicIp DISABLED, a Private ACL, a gateway load balancer, AUTH on
 * a Redis OSS before 6, a user that only looks like the default one) pass. */
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

static const char good[] =
    "Resources:\n"
    "  TrailLogGroup:\n"
    "    Type: AWS::Logs::LogGroup\n"
    "  TrailLogsRole:\n"
    "    Type: AWS::IAM::Role\n"
    "    Properties:\n"
    "      AssumeRolePolicyDocument:\n"
    "        Statement:\n"
    "          - Effect: Allow\n"
    "            Principal: {Service: cloudtrail.amazonaws.com}\n"
    "            Action: 'sts:AssumeRole'\n"
    "      Policies:\n"
    "        - PolicyName: logs\n"
    "          PolicyDocument:\n"
    "            Statement:\n"
    "              - Effect: Allow\n"
    "                Action: [logs:CreateLogStream, logs:PutLogEvents]\n"
    "                Resource: !GetAtt TrailLogGroup.Arn\n"
    "              - Effect: Allow\n"
    "                Action: 's3:Get*'\n"
    "                Resource: 'arn:aws:s3:::lms-bucket/*'\n"
    "              - Effect: Deny\n"
    "                Action: '*'\n"
    "                Resource: '*'\n"
    "  ReadPolicy:\n"
    "    Type: AWS::IAM::ManagedPolicy\n"
    "    Properties:\n"
    "      PolicyDocument:\n"
    "        Statement:\n"
    "          Effect: Allow\n"
    "          Action: 'ec2:Describe*'\n"
    "          Resource: '*'\n"
    "  Key:\n"
    "    Type: AWS::KMS::Key\n"
    "    Properties:\n"
    "      EnableKeyRotation: true\n"
    "      KeyPolicy:\n"
    "        Statement:\n"
    "          - Effect: Allow\n"
    "            Principal: {AWS: !Sub 'arn:aws:iam::${AWS::AccountId}:root'}\n"
    "            Action: 'kms:*'\n"
    "            Resource: '*'\n"
    "  Trail:\n"
    "    Type: AWS::CloudTrail::Trail\n"
    "    Properties:\n"
    "      IsLogging: true\n"
    "      S3BucketName: trail-bucket\n"
    "      CloudWatchLogsLogGroupArn: !GetAtt TrailLogGroup.Arn\n"
    "      CloudWatchLogsRoleArn: !GetAtt TrailLogsRole.Arn\n"
    "  ParameterGroup:\n"
    "    Type: AWS::RDS::DBClusterParameterGroup\n"
    "    Properties:\n"
    "      Family: aurora-postgresql17\n"
    "      Description: params\n"
    "      Parameters:\n"
    "        rds.force_ssl: '1'\n"
    "        log_connections: '1'\n"
    "        log_disconnections: 'on'\n"
    "  Cluster:\n"
    "    Type: AWS::RDS::DBCluster\n"
    "    Properties:\n"
    "      Engine: aurora-postgresql\n"
    "      DBClusterParameterGroupName: !Ref ParameterGroup\n"
    "      EnableCloudwatchLogsExports: [postgresql]\n"
    "  Writer:\n"
    "    Type: AWS::RDS::DBInstance\n"
    "    Properties:\n"
    "      DBClusterIdentifier: !Ref Cluster\n"
    "      Engine: aurora-postgresql\n"
    "      DBInstanceClass: db.serverless\n"
    "      PubliclyAccessible: false\n"
    "  Stage:\n"
    "    Type: AWS::ApiGateway::Stage\n"
    "    Properties:\n"
    "      RestApiId: api\n"
    "      MethodSettings:\n"
    "        - ResourcePath: '/*'\n"
    "          HttpMethod: '*'\n"
    "          LoggingLevel: ERROR\n"
    "        - ResourcePath: /~1health\n"
    "          HttpMethod: GET\n"
    "          LoggingLevel: INFO\n"
    "      AccessLogSetting:\n"
    "        DestinationArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:api'\n"
    "        Format: '$context.requestId'\n"
    "  HttpStage:\n"
    "    Type: AWS::ApiGatewayV2::Stage\n"
    "    Properties:\n"
    "      ApiId: http-api\n"
    "      StageName: v2\n"
    "      AccessLogSettings:\n"
    "        DestinationArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:http'\n"
    "        Format: '$context.requestId'\n"
    "  LogBucket:\n"
    "    Type: AWS::S3::Bucket\n"
    "    Properties:\n"
    "      AccessControl: Private\n"
    "      OwnershipControls:\n"
    "        Rules:\n"
    "          - ObjectOwnership: BucketOwnerEnforced\n"
    "  Alb:\n"
    "    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
    "    Properties:\n"
    "      Scheme: internal\n"
    "      LoadBalancerAttributes:\n"
    "        - Key: access_logs.s3.enabled\n"
    "          Value: 'true'\n"
    "        - Key: access_logs.s3.bucket\n"
    "          Value: !Ref LogBucket\n"
    "  GatewayLb:\n"
    "    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
    "    Properties:\n"
    "      Type: gateway\n"
    "  CacheDefaultUser:\n"
    "    Type: AWS::ElastiCache::User\n"
    "    Properties:\n"
    "      UserId: lms-default\n"
    "      UserName: default\n"
    "      Engine: redis\n"
    "      AccessString: 'on ~* off -@all'\n"
    "      AuthenticationMode: {Type: no-password-required}\n"
    "  CacheAppUser:\n"
    "    Type: AWS::ElastiCache::User\n"
    "    Properties:\n"
    "      UserId: lms-app\n"
    "      UserName: lmsapp\n"
    "      Engine: redis\n"
    "      AccessString: 'on ~* +@all'\n"
    "      AuthenticationMode: {Type: no-password-required}\n"
    "  CacheUserGroup:\n"
    "    Type: AWS::ElastiCache::UserGroup\n"
    "    Properties:\n"
    "      UserGroupId: lms-users\n"
    "      Engine: redis\n"
    "      UserIds: [!Ref CacheDefaultUser, !Ref CacheAppUser]\n"
    "  Cache:\n"
    "    Type: AWS::ElastiCache::ReplicationGroup\n"
    "    Properties:\n"
    "      ReplicationGroupDescription: cache\n"
    "      Engine: redis\n"
    "      EngineVersion: '7.1'\n"
    "      UserGroupIds: [!Ref CacheUserGroup]\n"
    "  Subnet:\n"
    "    Type: AWS::EC2::Subnet\n"
    "    Properties:\n"
    "      VpcId: vpc-1\n"
    "      CidrBlock: 10.0.0.0/24\n"
    "      MapPublicIpOnLaunch: false\n"
    "  Service:\n"
    "    Type: AWS::ECS::Service\n"
    "    Properties:\n"
    "      NetworkConfiguration:\n"
    "        AwsvpcConfiguration:\n"
    "          AssignPublicIp: DISABLED\n"
    "          Subnets: [!Ref Subnet]\n"
    "  LaunchTemplate:\n"
    "    Type: AWS::EC2::LaunchTemplate\n"
    "    Properties:\n"
    "      LaunchTemplateData:\n"
    "        NetworkInterfaces:\n"
    "          - DeviceIndex: 0\n"
    "            AssociatePublicIpAddress: false\n";

static const char *const controls[] = {"OBS009", "OBS010", "OBS011", "OBS012", "SEC011",
                                       "SEC012", "SEC013", "SEC014", "SEC015"};

/* The findings of these rules, all severities; `rule` and its count
 * checked against them. */
static void expect(const char *env, const char *from, const char *to, const char *rule, size_t n)
{
	expect_among(good, controls, sizeof(controls) / sizeof(controls[0]), env, from, to, rule,
	             n);
}

/* The finding of `rule` names the resource that breaks the control. */
static void expect_message(const char *from, const char *to, const char *rule, const char *text)
{
	fixture fx;
	run_with(&fx, good, "prod", from, to, NULL);
	if (!has_message(&fx, rule, text)) {
		dump(&fx);
		fail_msg("%s: no finding saying '%s'", rule, text);
	}
	done(&fx);
}

static void test_good_passes(void **state)
{
	(void)state;
	expect("dev", NULL, NULL, NULL, 0);
	expect("prod", NULL, NULL, NULL, 0);
}

static void test_trail_logs(void **state)
{
	(void)state;
	expect("prod", "      CloudWatchLogsRoleArn: !GetAtt TrailLogsRole.Arn\n", "", "OBS009", 1);
	expect("dev", "      CloudWatchLogsLogGroupArn: !GetAtt TrailLogGroup.Arn\n", "", "OBS009",
	       1);
	expect("prod", "      CloudWatchLogsLogGroupArn: !GetAtt TrailLogGroup.Arn\n",
	       "      CloudWatchLogsLogGroupArn: ''\n", "OBS009", 1);
	expect_message("      CloudWatchLogsRoleArn: !GetAtt TrailLogsRole.Arn\n", "", "OBS009",
	               "trail Trail");
}

static void test_database_logs(void **state)
{
	(void)state;
	expect("prod", "      EnableCloudwatchLogsExports: [postgresql]\n", "", "OBS010", 1);
	expect("dev", "EnableCloudwatchLogsExports: [postgresql]",
	       "EnableCloudwatchLogsExports: []", "OBS010", 1);
	/* the engine's own log, not another one */
	expect("prod", "EnableCloudwatchLogsExports: [postgresql]",
	       "EnableCloudwatchLogsExports: [upgrade]", "OBS010", 1);
	/* the record of use: connections and disconnections logged */
	expect("prod", "log_connections: '1'", "log_connections: '0'", "OBS010", 1);
	expect("prod", "log_disconnections: 'on'", "log_disconnections: 'off'", "OBS010", 1);
	expect("prod", "        log_disconnections: 'on'\n", "", "OBS010", 1);
	expect("prod", "log_connections: '1'", "log_connections: 'TRUE'", NULL, 0);
	expect("prod", "log_connections: '1'", "log_connections: '10'", "OBS010", 1);
	/* MySQL: the four log types Control Tower asks for */
	expect("prod",
	       "      Engine: aurora-postgresql\n"
	       "      DBClusterParameterGroupName: !Ref ParameterGroup\n"
	       "      EnableCloudwatchLogsExports: [postgresql]\n",
	       "      Engine: aurora-mysql\n"
	       "      EnableCloudwatchLogsExports: [audit, error, general, slowquery]\n",
	       NULL, 0);
	expect("prod",
	       "      Engine: aurora-postgresql\n"
	       "      DBClusterParameterGroupName: !Ref ParameterGroup\n"
	       "      EnableCloudwatchLogsExports: [postgresql]\n",
	       "      Engine: aurora-mysql\n"
	       "      EnableCloudwatchLogsExports: [error, general, slowquery]\n",
	       "OBS010", 1);
	expect("prod",
	       "      Engine: aurora-postgresql\n"
	       "      DBClusterParameterGroupName: !Ref ParameterGroup\n"
	       "      EnableCloudwatchLogsExports: [postgresql]\n",
	       "      Engine: aurora-mysql\n"
	       "      EnableCloudwatchLogsExports: [audit, error, general]\n",
	       "OBS010", 1);
	/* "aurora" (Aurora MySQL 1) is its own engine, not the start of
	 * aurora-postgresql's name */
	expect("prod", "      Engine: aurora-postgresql\n      DBClusterParameterGroupName",
	       "      Engine: aurora\n      DBClusterParameterGroupName", "OBS010", 1);
	/* an engine Control Tower names no logs for */
	expect("prod", "  Stage:\n",
	       "  Restored:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
	       "      DBSnapshotIdentifier: snap\n      PubliclyAccessible: false\n  Stage:\n",
	       NULL, 0);
	expect("prod", "  Stage:\n",
	       "  Single:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
	       "      Engine: sqlserver-ex\n      PubliclyAccessible: false\n  Stage:\n",
	       NULL, 0);
	/* an instance of its own logs by itself; one of a cluster through it */
	expect("prod", "  Stage:\n",
	       "  Single:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
	       "      Engine: postgres\n      PubliclyAccessible: false\n"
	       "      EnableCloudwatchLogsExports: [postgresql]\n  Stage:\n",
	       "OBS010", 1);
	expect("prod", "  Stage:\n",
	       "  Single:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
	       "      Engine: mysql\n      PubliclyAccessible: false\n"
	       "      EnableCloudwatchLogsExports: [audit, error, general, slowquery]\n  Stage:\n",
	       NULL, 0);
	expect_message("      EnableCloudwatchLogsExports: [postgresql]\n", "", "OBS010",
	               "database Cluster");
}

static void test_api_logs(void **state)
{
	(void)state;
	expect("prod", "          LoggingLevel: ERROR\n", "          LoggingLevel: OFF\n", "OBS011",
	       1);
	expect("dev", "          LoggingLevel: ERROR\n", "", "OBS011", 1);
	/* one method switched off is a hole in the record */
	expect("prod", "          LoggingLevel: INFO\n", "          LoggingLevel: OFF\n", "OBS011",
	       1);
	/* the catch-all must be every path and every method */
	expect("prod", "        - ResourcePath: '/*'\n", "        - ResourcePath: '/api'\n",
	       "OBS011", 1);
	expect("prod", "          HttpMethod: '*'\n", "          HttpMethod: GET\n", "OBS011", 1);
	expect("prod",
	       "      AccessLogSetting:\n"
	       "        DestinationArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:api'\n"
	       "        Format: '$context.requestId'\n",
	       "", "OBS011", 1);
	expect("prod",
	       "      AccessLogSettings:\n"
	       "        DestinationArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:http'\n",
	       "      AccessLogSettings:\n", "OBS011", 1);
	expect_message("          LoggingLevel: ERROR\n", "          LoggingLevel: OFF\n", "OBS011",
	               "stage Stage");
}

static void test_load_balancer_logs(void **state)
{
	(void)state;
	expect("prod", "          Value: 'true'\n", "          Value: 'false'\n", "OBS012", 1);
	expect("dev", "          Value: 'true'\n", "          Value: true\n", NULL, 0);
	expect("prod", "        - Key: access_logs.s3.bucket\n          Value: !Ref LogBucket\n",
	       "", "OBS012", 1);
	/* the exact attribute, not one that shares its prefix */
	expect("prod", "        - Key: access_logs.s3.enabled\n",
	       "        - Key: access_logs.s3.enabled.x\n", "OBS012", 1);
	/* a network load balancer logs too; a gateway one cannot */
	expect("prod", "      Type: gateway\n", "      Type: network\n", "OBS012", 1);
	/* a classic load balancer: its AccessLoggingPolicy */
	expect("prod", "  GatewayLb:\n",
	       "  ClassicLb:\n    Type: AWS::ElasticLoadBalancing::LoadBalancer\n    Properties:\n"
	       "      Listeners: [{LoadBalancerPort: '443', InstancePort: '443', Protocol: TCP}]\n"
	       "      AccessLoggingPolicy: {Enabled: false, S3BucketName: logs}\n  GatewayLb:\n",
	       "OBS012", 1);
	expect("prod", "  GatewayLb:\n",
	       "  ClassicLb:\n    Type: AWS::ElasticLoadBalancing::LoadBalancer\n    Properties:\n"
	       "      Listeners: [{LoadBalancerPort: '443', InstancePort: '443', Protocol: TCP}]\n"
	       "      AccessLoggingPolicy: {Enabled: true, S3BucketName: logs}\n  GatewayLb:\n",
	       NULL, 0);
	expect_message("          Value: 'true'\n", "          Value: 'false'\n", "OBS012",
	               "load balancer Alb");
}

static void test_cache_rbac(void **state)
{
	(void)state;
	expect("prod", "      UserGroupIds: [!Ref CacheUserGroup]\n", "", "SEC011", 1);
	expect("dev", "      UserGroupIds: [!Ref CacheUserGroup]\n", "      UserGroupIds: []\n",
	       "SEC011", 1);
	/* AUTH alone does not do on Redis OSS 6 and later (RBAC is claimed) */
	expect("prod", "      UserGroupIds: [!Ref CacheUserGroup]\n",
	       "      AuthToken: '{{resolve:secretsmanager:s:SecretString:token}}'\n", "SEC011", 1);
	expect("prod", "      EngineVersion: '7.1'\n      UserGroupIds: [!Ref CacheUserGroup]\n",
	       "      EngineVersion: '6.0'\n", "SEC011", 1);
	expect("prod", "      Engine: redis\n      EngineVersion: '7.1'\n",
	       "      Engine: valkey\n      EngineVersion: '7.2'\n", NULL, 0);
	expect("prod",
	       "      Engine: redis\n      EngineVersion: '7.1'\n"
	       "      UserGroupIds: [!Ref CacheUserGroup]\n",
	       "      Engine: valkey\n      EngineVersion: '7.2'\n", "SEC011", 1);
	/* Memcached has neither */
	expect("prod",
	       "      Engine: redis\n      EngineVersion: '7.1'\n"
	       "      UserGroupIds: [!Ref CacheUserGroup]\n",
	       "      Engine: memcached\n", NULL, 0);
	/* before 6, AUTH is the only authentication there is */
	expect("prod", "      EngineVersion: '7.1'\n      UserGroupIds: [!Ref CacheUserGroup]\n",
	       "      EngineVersion: '5.0.6'\n"
	       "      AuthToken: '{{resolve:secretsmanager:s:SecretString:token}}'\n",
	       NULL, 0);
	expect("prod", "      EngineVersion: '7.1'\n      UserGroupIds: [!Ref CacheUserGroup]\n",
	       "      EngineVersion: '5.0.6'\n", "SEC011", 1);
	expect("prod", "      EngineVersion: '7.1'\n      UserGroupIds: [!Ref CacheUserGroup]\n",
	       "      EngineVersion: '2.8.24'\n"
	       "      AuthToken: '{{resolve:secretsmanager:s:SecretString:token}}'\n",
	       NULL, 0);
	expect("prod", "      EngineVersion: '7.1'\n      UserGroupIds: [!Ref CacheUserGroup]\n",
	       "      EngineVersion: '2.8.24'\n", "SEC011", 1);
	/* the default user switched off: the last on/off of its access string */
	expect("prod", "AccessString: 'on ~* off -@all'", "AccessString: 'off ~* on -@all'",
	       "SEC011", 1);
	expect("dev", "AccessString: 'on ~* off -@all'", "AccessString: 'on -@all'", "SEC011", 1);
	/* neither on nor off: a Redis user starts off */
	expect("dev", "AccessString: 'on ~* off -@all'", "AccessString: '~* -@all'", NULL, 0);
	/* "on" as a word only, not inside another one */
	expect("dev", "AccessString: 'on ~* off -@all'", "AccessString: 'off ~on* -@all'", NULL, 0);
	/* a user named like the default one is not it */
	expect("prod", "      UserName: default\n", "      UserName: default2\n", NULL, 0);
	expect_message("      UserGroupIds: [!Ref CacheUserGroup]\n", "", "SEC011", "cache Cache");
}

static void test_wildcard_actions(void **state)
{
	(void)state;
	expect("prod", "Action: 's3:Get*'", "Action: 's3:*'", "SEC012", 1);
	expect("dev", "Action: 's3:Get*'", "Action: '*'", "SEC012", 1);
	expect("prod", "Action: 's3:Get*'", "Action: 'S3:*'", "SEC012", 1);
	expect("prod", "Action: 's3:Get*'", "Action: '*:*'", "SEC012", 1);
	expect("prod", "Action: 's3:Get*'", "Action: 's3:*Object'", NULL, 0);
	expect("prod", "Action: 's3:Get*'", "Action: '*Object'", NULL, 0);
	expect("prod", "Action: [logs:CreateLogStream, logs:PutLogEvents]",
	       "Action: [logs:CreateLogStream, 'logs:*']", "SEC012", 1);
	/* an Allow of everything but a list grants every other action */
	expect("prod", "Action: 's3:Get*'", "NotAction: 's3:Get*'", "SEC012", 1);
	/* a managed policy, and a statement that is a mapping, not a list */
	expect("prod", "Action: 'ec2:Describe*'", "Action: 'ec2:*'", "SEC012", 1);
	/* a Deny of everything narrows; a key policy is TRP008's, not this */
	expect("prod", "                Action: '*'\n                Resource: '*'\n",
	       "                Action: 'iam:*'\n                Resource: '*'\n", NULL, 0);
	expect_message("Action: 's3:Get*'", "Action: 's3:*'", "SEC012", "TrailLogsRole");
}

static void test_public_database(void **state)
{
	(void)state;
	expect("prod", "      PubliclyAccessible: false\n", "      PubliclyAccessible: true\n",
	       "SEC013", 1);
	/* unset, RDS decides by the subnets' VPC: public where it has an
	 * internet gateway */
	expect("dev", "      PubliclyAccessible: false\n", "", "SEC013", 1);
	expect("prod", "      EnableCloudwatchLogsExports: [postgresql]\n",
	       "      EnableCloudwatchLogsExports: [postgresql]\n      PubliclyAccessible: true\n",
	       "SEC013", 1);
	expect_message("      PubliclyAccessible: false\n", "      PubliclyAccessible: true\n",
	               "SEC013", "database instance Writer is publicly accessible");
	expect_message("      PubliclyAccessible: false\n", "", "SEC013",
	               "database instance Writer is not set private");
}

static void test_public_ips(void **state)
{
	(void)state;
	expect("prod", "MapPublicIpOnLaunch: false", "MapPublicIpOnLaunch: true", "SEC014", 1);
	expect("prod", "      MapPublicIpOnLaunch: false\n", "", NULL, 0);
	expect("prod", "AssignPublicIp: DISABLED", "AssignPublicIp: ENABLED", "SEC014", 1);
	expect("dev", "          AssignPublicIp: DISABLED\n", "", NULL, 0);
	expect("prod", "AssociatePublicIpAddress: false", "AssociatePublicIpAddress: true",
	       "SEC014", 1);
	expect("prod", "            AssociatePublicIpAddress: false\n", "", NULL, 0);
	/* instances and launch configurations, by type wherever they are */
	expect("prod", "  LaunchTemplate:\n",
	       "  Instance:\n    Type: AWS::EC2::Instance\n    Properties:\n"
	       "      NetworkInterfaces:\n        - {DeviceIndex: '0', AssociatePublicIpAddress: "
	       "true}\n  LaunchTemplate:\n",
	       "SEC014", 1);
	expect("prod", "  LaunchTemplate:\n",
	       "  Instance:\n    Type: AWS::EC2::Instance\n    Properties:\n"
	       "      NetworkInterfaces:\n        - {DeviceIndex: '0', AssociatePublicIpAddress: "
	       "false}\n  LaunchTemplate:\n",
	       NULL, 0);
	expect("dev", "  LaunchTemplate:\n",
	       "  LaunchConfiguration:\n    Type: AWS::AutoScaling::LaunchConfiguration\n"
	       "    Properties: {ImageId: ami-1, InstanceType: t3.micro, AssociatePublicIpAddress: "
	       "true}\n  LaunchTemplate:\n",
	       "SEC014", 1);
	expect_message("AssignPublicIp: DISABLED", "AssignPublicIp: ENABLED", "SEC014",
	               "service Service");
	expect_message("MapPublicIpOnLaunch: false", "MapPublicIpOnLaunch: true", "SEC014",
	               "subnet Subnet");
}

static void test_bucket_acls(void **state)
{
	(void)state;
	expect("prod", "AccessControl: Private", "AccessControl: PublicRead", "SEC015", 1);
	expect("dev", "AccessControl: Private", "AccessControl: AuthenticatedRead", "SEC015", 1);
	expect("prod", "      AccessControl: Private\n", "", NULL, 0);
	expect("prod", "ObjectOwnership: BucketOwnerEnforced", "ObjectOwnership: ObjectWriter",
	       "SEC015", 1);
	expect("prod", "ObjectOwnership: BucketOwnerEnforced",
	       "ObjectOwnership: BucketOwnerPreferred", "SEC015", 1);
	/* unset, S3 enforces bucket ownership: ACLs off */
	expect("prod",
	       "      OwnershipControls:\n        Rules:\n"
	       "          - ObjectOwnership: BucketOwnerEnforced\n",
	       "", NULL, 0);
	expect_message("AccessControl: Private", "AccessControl: PublicRead", "SEC015",
	               "bucket LogBucket");
}

/* Each control at the edges the tests above leave: blank strings, exact names against
 * longer ones, the second element of each list, each Redis version's first digit. */
static void test_control_edges(void **state)
{
	(void)state;
	static const struct {
		const char *env, *from, *to, *rule;
		size_t n;
	} cases[] = {
	    /* OBS009: a blank ARN is none; a value with a blank before it is one */
	    {"dev", "      CloudWatchLogsRoleArn: !GetAtt TrailLogsRole.Arn\n",
	     "      CloudWatchLogsRoleArn: ' \t '\n", "OBS009", 1},
	    {"dev", "      CloudWatchLogsRoleArn: !GetAtt TrailLogsRole.Arn\n",
	     "      CloudWatchLogsRoleArn: ' r'\n", NULL, 0},
	    {"dev", "      CloudWatchLogsRoleArn: !GetAtt TrailLogsRole.Arn\n",
	     "      CloudWatchLogsRoleArn: '\tr'\n", NULL, 0},
	    /* OBS010: engines exactly; a log type exactly; one log as a scalar */
	    {"dev", "      Engine: aurora-postgresql\n      DBClusterParameterGroupName",
	     "      Engine: aurora-postgresqlx\n      DBClusterParameterGroupName", NULL, 0},
	    {"dev", "      Engine: aurora-postgresql\n      DBClusterParameterGroupName",
	     "      Engine: aurora-postgres\n      DBClusterParameterGroupName", NULL, 0},
	    {"dev", "EnableCloudwatchLogsExports: [postgresql]",
	     "EnableCloudwatchLogsExports: [postgresqlx]", "OBS010", 1},
	    {"dev", "EnableCloudwatchLogsExports: [postgresql]",
	     "EnableCloudwatchLogsExports: [upgrade, postgresql]", NULL, 0},
	    {"dev", "EnableCloudwatchLogsExports: [postgresql]",
	     "EnableCloudwatchLogsExports: postgresql", NULL, 0},
	    {"dev", "log_connections: '1'", "log_connections: 'On'", NULL, 0},
	    {"dev", "log_connections: '1'", "log_connections: 'true'", NULL, 0},
	    {"dev", "log_connections: '1'", "log_connections: 'yes'", "OBS010", 1},
	    {"dev", "        log_connections: '1'\n", "", "OBS010", 1},
	    {"dev", "      DBClusterParameterGroupName: !Ref ParameterGroup\n", "", "OBS010", 1},
	    /* an instance of its own reads its DBParameterGroupName */
	    {"dev", "  Stage:\n",
	     "  Single:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
	     "      Engine: postgres\n      PubliclyAccessible: false\n"
	     "      DBParameterGroupName: !Ref ParameterGroup\n"
	     "      EnableCloudwatchLogsExports: [postgresql, upgrade]\n  Stage:\n",
	     NULL, 0},
	    {"dev", "  Stage:\n",
	     "  Single:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
	     "      Engine: postgres\n      PubliclyAccessible: false\n"
	     "      DBClusterParameterGroupName: !Ref ParameterGroup\n"
	     "      EnableCloudwatchLogsExports: [postgresql, upgrade]\n  Stage:\n",
	     "OBS010", 1},
	    {"dev", "  Stage:\n",
	     "  Single:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
	     "      Engine: mysql\n      PubliclyAccessible: false\n"
	     "      EnableCloudwatchLogsExports: [audit, error, general]\n  Stage:\n",
	     "OBS010", 1},
	    {"dev", "  Stage:\n",
	     "  Single:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
	     "      Engine: mysqlx\n      PubliclyAccessible: false\n  Stage:\n",
	     NULL, 0},
	    /* OBS011: a setting without a level asks nothing; the catch-all at INFO; the
	     * catch-all's path and method exactly; a blank destination */
	    {"dev", "        - ResourcePath: /~1health\n",
	     "        - ResourcePath: /~1quiet\n          ThrottlingRateLimit: 10\n"
	     "        - ResourcePath: /~1health\n",
	     NULL, 0},
	    {"dev", "          LoggingLevel: ERROR\n", "          LoggingLevel: INFO\n", NULL, 0},
	    {"dev", "          LoggingLevel: ERROR\n", "          LoggingLevel: ERRORX\n", "OBS011",
	     1},
	    {"dev", "        - ResourcePath: '/*'\n", "        - ResourcePath: '/*x'\n", "OBS011",
	     1},
	    {"dev", "          HttpMethod: '*'\n", "          HttpMethod: '**'\n", "OBS011", 1},
	    {"dev", "        DestinationArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:api'\n",
	     "        DestinationArn: ' '\n", "OBS011", 1},
	    {"dev",
	     "        DestinationArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:http'\n",
	     "        DestinationArn: ''\n", "OBS011", 1},
	    /* OBS012: the types that log, exactly; a blank bucket; a classic one's bucket */
	    {"dev", "      Type: gateway\n", "      Type: application\n", "OBS012", 1},
	    {"dev", "      Type: gateway\n", "      Type: applicationx\n", NULL, 0},
	    {"dev", "      Type: gateway\n", "      Type: networkx\n", NULL, 0},
	    {"dev", "          Value: !Ref LogBucket\n", "          Value: ' '\n", "OBS012", 1},
	    {"dev", "  GatewayLb:\n",
	     "  ClassicLb:\n    Type: AWS::ElasticLoadBalancing::LoadBalancer\n    Properties:\n"
	     "      Listeners: [{LoadBalancerPort: '443', InstancePort: '443', Protocol: TCP}]\n"
	     "      AccessLoggingPolicy: {Enabled: true}\n  GatewayLb:\n",
	     "OBS012", 1},
	    {"dev", "  GatewayLb:\n",
	     "  ClassicLb:\n    Type: AWS::ElasticLoadBalancing::LoadBalancer\n    Properties:\n"
	     "      Type: gateway\n"
	     "      AccessLoggingPolicy: {S3BucketName: logs}\n  GatewayLb:\n",
	     "OBS012", 1},
	    /* SEC011: engines exactly; versions by their first digit */
	    {"dev",
	     "      Engine: redis\n      EngineVersion: '7.1'\n"
	     "      UserGroupIds: [!Ref CacheUserGroup]\n",
	     "      Engine: redisx\n", NULL, 0},
	    {"dev",
	     "      Engine: redis\n      EngineVersion: '7.1'\n"
	     "      UserGroupIds: [!Ref CacheUserGroup]\n",
	     "      Engine: valkeyx\n", NULL, 0},
	    {"dev",
	     "      Engine: redis\n      EngineVersion: '7.1'\n"
	     "      UserGroupIds: [!Ref CacheUserGroup]\n",
	     "      EngineVersion: '7.1'\n", "SEC011", 1},
	    {"dev", "      EngineVersion: '7.1'\n      UserGroupIds: [!Ref CacheUserGroup]\n",
	     "      EngineVersion: '1.0'\n"
	     "      AuthToken: '{{resolve:secretsmanager:s:SecretString:token}}'\n",
	     "SEC011", 1},
	    {"dev", "      EngineVersion: '7.1'\n      UserGroupIds: [!Ref CacheUserGroup]\n",
	     "      EngineVersion: '6.0'\n"
	     "      AuthToken: '{{resolve:secretsmanager:s:SecretString:token}}'\n",
	     "SEC011", 1},
	    {"dev", "      EngineVersion: '7.1'\n      UserGroupIds: [!Ref CacheUserGroup]\n",
	     "      EngineVersion: '5'\n"
	     "      AuthToken: '{{resolve:secretsmanager:s:SecretString:token}}'\n",
	     "SEC011", 1},
	    {"dev", "      EngineVersion: '7.1'\n      UserGroupIds: [!Ref CacheUserGroup]\n",
	     "      EngineVersion: '50.1'\n"
	     "      AuthToken: '{{resolve:secretsmanager:s:SecretString:token}}'\n",
	     "SEC011", 1},
	    {"dev", "      EngineVersion: '7.1'\n      UserGroupIds: [!Ref CacheUserGroup]\n",
	     "      EngineVersion: '5.0.6'\n      UserGroupIds: [!Ref CacheUserGroup]\n", NULL, 0},
	    {"dev", "      EngineVersion: '7.1'\n      UserGroupIds: [!Ref CacheUserGroup]\n",
	     "      EngineVersion: '5.0.6'\n      AuthToken: ' '\n", "SEC011", 1},
	    /* the default user: on or off as whole words, the last one wins */
	    {"dev", "AccessString: 'on ~* off -@all'", "AccessString: 'off -@all on'", "SEC011", 1},
	    {"dev", "AccessString: 'on ~* off -@all'", "AccessString: 'off  on'", "SEC011", 1},
	    {"dev", "AccessString: 'on ~* off -@all'", "AccessString: 'on offx'", "SEC011", 1},
	    {"dev", "AccessString: 'on ~* off -@all'", "AccessString: 'on of'", "SEC011", 1},
	    {"dev", "AccessString: 'on ~* off -@all'", "AccessString: 'o ~*'", NULL, 0},
	    {"dev", "AccessString: 'on ~* off -@all'", "AccessString: 'onx ~*'", NULL, 0},
	    {"dev", "      AccessString: 'on ~* off -@all'\n", "", NULL, 0},
	    {"dev", "      UserName: default\n", "      UserName: defaul\n", NULL, 0},
	    /* a user of another type is no user; a second group is read too */
	    {"dev", "AccessString: 'on ~* off -@all'", "AccessString: 'on'", "SEC011", 1},
	    {"dev",
	     "    Type: AWS::ElastiCache::User\n    Properties:\n      UserId: lms-default\n",
	     "    Type: AWS::ElastiCache::UserX\n    Properties:\n      UserId: lms-default\n",
	     NULL, 0},
	    {"dev", "      UserGroupIds: [!Ref CacheUserGroup]\n",
	     "      UserGroupIds: [!Ref CacheAppUser, !Ref CacheUserGroup]\n", NULL, 0},
	    {"dev", "      UserIds: [!Ref CacheDefaultUser, !Ref CacheAppUser]\n",
	     "      UserIds: [!Ref CacheAppUser, !Ref CacheDefaultUser]\n", NULL, 0},
	    /* SEC012: Allow exactly; every policy of the list */
	    {"dev", "              - Effect: Allow\n                Action: 's3:Get*'\n",
	     "              - Effect: Allowx\n                Action: 's3:*'\n", NULL, 0},
	    {"dev", "      Policies:\n        - PolicyName: logs\n",
	     "      Policies:\n        - PolicyName: first\n          PolicyDocument: {}\n"
	     "        - PolicyName: logs\n",
	     NULL, 0},
	    {"dev", "Action: 's3:Get*'", "Action: 's3:**'", NULL, 0},
	    {"dev", "Action: 's3:Get*'", "Action: 's3*'", NULL, 0},
	    {"dev", "Action: 's3:Get*'", "Action: [s3:GetObject, 's3:*']", "SEC012", 1},
	    /* a Policies mapping that is no list: one policy, one finding */
	    {"dev", "      Policies:\n        - PolicyName: logs\n",
	     "      Policies:\n        PolicyName: one\n        PolicyDocument: {Statement: "
	     "{Effect: "
	     "Allow, Action: '*', Resource: '*'}}\n      PoliciesX:\n        - PolicyName: logs\n",
	     "SEC012", 1},
	    /* SEC013: a cluster unset or private is not public */
	    {"dev", "      Engine: aurora-postgresql\n      DBClusterParameterGroupName",
	     "      Engine: aurora-postgresql\n      PubliclyAccessible: false\n"
	     "      DBClusterParameterGroupName",
	     NULL, 0},
	    /* SEC014: a task set; the second interface; the launch configuration's false */
	    {"dev", "    Type: AWS::ECS::Service\n", "    Type: AWS::ECS::TaskSet\n", NULL, 0},
	    {"dev", "AssignPublicIp: DISABLED", "AssignPublicIp: ENABLEDX", NULL, 0},
	    {"dev",
	     "      NetworkConfiguration:\n        AwsvpcConfiguration:\n          AssignPublicIp: "
	     "DISABLED\n          Subnets: [!Ref Subnet]\n",
	     "", NULL, 0},
	    {"dev", "            AssociatePublicIpAddress: false\n",
	     "            AssociatePublicIpAddress: false\n          - DeviceIndex: 1\n"
	     "            AssociatePublicIpAddress: true\n",
	     "SEC014", 1},
	    {"dev", "  LaunchTemplate:\n",
	     "  LaunchConfiguration:\n    Type: AWS::AutoScaling::LaunchConfiguration\n"
	     "    Properties: {ImageId: ami-1, InstanceType: t3.micro, AssociatePublicIpAddress: "
	     "false}\n  LaunchTemplate:\n",
	     NULL, 0},
	    /* SEC015: Private exactly; the second ownership rule */
	    {"dev", "AccessControl: Private", "AccessControl: Privatex", "SEC015", 1},
	    {"dev", "          - ObjectOwnership: BucketOwnerEnforced\n",
	     "          - ObjectOwnership: BucketOwnerEnforced\n"
	     "          - ObjectOwnership: ObjectWriter\n",
	     "SEC015", 1},
	    {"dev", "          - ObjectOwnership: BucketOwnerEnforced\n",
	     "          - ObjectOwnership: BucketOwnerEnforcedx\n", "SEC015", 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		expect(cases[i].env, cases[i].from, cases[i].to, cases[i].rule, cases[i].n);
	/* the messages name what is wrong */
	expect_message("          LoggingLevel: INFO\n", "          LoggingLevel: OFF\n", "OBS011",
	               "does not log the execution of /~1health (LoggingLevel OFF)");
	expect_message("      UserGroupIds: [!Ref CacheUserGroup]\n",
	               "      AuthToken: '{{resolve:secretsmanager:s:SecretString:token}}'\n",
	               "SEC011", "one shared AUTH token");
	expect_message("      UserGroupIds: [!Ref CacheUserGroup]\n", "", "SEC011",
	               "any client gets in as the default user");
	expect_message("AccessString: 'on ~* off -@all'", "AccessString: 'on'", "SEC011",
	               "(CacheDefaultUser is on)");
	expect_message("Action: 's3:Get*'", "Action: 's3:*'", "SEC012",
	               "TrailLogsRole (policy logs) allows s3:*");
	expect_message("Action: 'ec2:Describe*'", "Action: 'ec2:*'", "SEC012",
	               "ReadPolicy allows ec2:*");
	expect_message("          Value: 'true'\n", "          Value: 'false'\n", "OBS012",
	               "Alb writes no access logs: no evidence");
	expect_message("          Value: !Ref LogBucket\n", "          Value: ''\n", "OBS012",
	               "Alb writes no access logs (no bucket)");
	expect_message("ObjectOwnership: BucketOwnerEnforced", "ObjectOwnership: ObjectWriter",
	               "SEC015", "(ObjectOwnership ObjectWriter)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_passes),        cmocka_unit_test(test_trail_logs),
	    cmocka_unit_test(test_database_logs),      cmocka_unit_test(test_api_logs),
	    cmocka_unit_test(test_load_balancer_logs), cmocka_unit_test(test_cache_rbac),
	    cmocka_unit_test(test_wildcard_actions),   cmocka_unit_test(test_public_database),
	    cmocka_unit_test(test_public_ips),         cmocka_unit_test(test_bucket_acls),
	    cmocka_unit_test(test_control_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
