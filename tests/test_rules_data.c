/* Data-tier rules DAT001-DAT006: each fires on a template or model that
 * breaks it and stays quiet on one that does not. The templates are small
 * catalogs written to a temporary directory, so the tests do not move when
 * the real fragments do. */
#define _GNU_SOURCE
#include "common/buf.h"
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
    "        Parameters: [Environment, EnvironmentSuffix, MinAcu, MaxAcu, Backup]\n"
    "Parameters:\n"
    "  Environment:\n"
    "    Type: String\n"
    "    Description: kind\n"
    "    Default: dev\n"
    "    AllowedValues: [dev, staging, prod]\n"
    "  EnvironmentSuffix:\n"
    "    Type: String\n"
    "    Description: suffix\n"
    "    Default: dev\n"
    "    MaxLength: 12\n"
    "  MinAcu:\n"
    "    Type: Number\n"
    "    Description: min\n"
    "    Default: 0.5\n"
    "  MaxAcu:\n"
    "    Type: Number\n"
    "    Description: max\n"
    "    Default: 4\n"
    "  Backup:\n"
    "    Type: Number\n"
    "    Description: days\n"
    "    Default: 7\n"
    "Conditions:\n"
    "  IsProd: !Equals [!Ref Environment, prod]\n";

/* A cluster that passes every DAT rule in dev and prod. */
static const char good_data[] = "Resources:\n"
                                "  Cluster:\n"
                                "    Type: AWS::RDS::DBCluster\n"
                                "    Properties:\n"
                                "      ServerlessV2ScalingConfiguration:\n"
                                "        MinCapacity: !Ref MinAcu\n"
                                "        MaxCapacity: !Ref MaxAcu\n"
                                "      ManageMasterUserPassword: true\n"
                                "      BackupRetentionPeriod: !Ref Backup\n"
                                "      DeletionProtection: !If [IsProd, true, false]\n"
                                "      PreferredBackupWindow: '17:00-18:00'\n"
                                "      PreferredMaintenanceWindow: 'sun:19:00-sun:20:00'\n"
                                "  Writer:\n"
                                "    Type: AWS::RDS::DBInstance\n"
                                "    Properties:\n"
                                "      DBClusterIdentifier: !Ref Cluster\n"
                                "      AvailabilityZone: !Select [0, !GetAZs '']\n"
                                "  Reader:\n"
                                "    Type: AWS::RDS::DBInstance\n"
                                "    Properties:\n"
                                "      DBClusterIdentifier: !Ref Cluster\n"
                                "      AvailabilityZone: !Select [1, !GetAZs '']\n"
                                "  MasterRotation:\n"
                                "    Type: AWS::SecretsManager::RotationSchedule\n"
                                "    Properties:\n"
                                "      SecretId: !GetAtt Cluster.MasterUserSecret.SecretArn\n"
                                "      RotationRules:\n"
                                "        ScheduleExpression: rate(30 days)\n"
                                "  AppSecret:\n"
                                "    Type: AWS::SecretsManager::Secret\n"
                                "    Properties:\n"
                                "      GenerateSecretString: {}\n"
                                "  AppAttachment:\n"
                                "    Type: AWS::SecretsManager::SecretTargetAttachment\n"
                                "    Properties:\n"
                                "      SecretId: !Ref AppSecret\n"
                                "      TargetId: !Ref Cluster\n"
                                "      TargetType: AWS::RDS::DBCluster\n"
                                "  AppRotation:\n"
                                "    Type: AWS::SecretsManager::RotationSchedule\n"
                                "    DependsOn: AppAttachment\n"
                                "    Properties:\n"
                                "      SecretId: !Ref AppSecret\n"
                                "      HostedRotationLambda:\n"
                                "        RotationType: PostgreSQLMultiUser\n"
                                "      RotationRules:\n"
                                "        AutomaticallyAfterDays: 30\n"
                                "  Cache:\n"
                                "    Type: AWS::ElastiCache::ReplicationGroup\n"
                                "    Properties:\n"
                                "      Engine: redis\n"
                                "      EngineVersion: '7.1'\n"
                                "      NumCacheClusters: 3\n"
                                "      MultiAZEnabled: true\n"
                                "      AutomaticFailoverEnabled: true\n"
                                "      TransitEncryptionEnabled: true\n";

#include "tests/rulefixture.h"

static void run(fixture *fx, const char *env, const char *from, const char *to,
                const char *transform)
{
	run_with(fx, good_data, env, from, to, transform);
}

static void test_good_passes_everywhere(void **state)
{
	(void)state;
	const char *envs[] = {"dev", "staging", "prod"};
	for (size_t i = 0; i < 3; i++) {
		fixture fx;
		run(&fx, envs[i], NULL, NULL, "AWS::SecretsManager-2024-09-16");
		size_t dat = 0;
		for (size_t j = 0; j < fx.f.n; j++)
			dat += strncmp(fx.f.v[j].rule, "DAT", 3) == 0;
		if (dat)
			dump(&fx);
		assert_int_equal(dat, 0);
		done(&fx);
	}
}

static void test_acu_bounds(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "dev", "Default: 0.5", "Default: 0.75", "AWS::SecretsManager-2024-09-16");
	assert_int_equal(count(&fx, "DAT001", SEV_ERROR), 1);
	assert_string_equal(fx.f.v[0].field, "MinAcu");
	done(&fx);
	run(&fx, "dev", "Default: 4", "Default: 300", "AWS::SecretsManager-2024-09-16");
	assert_int_equal(count(&fx, "DAT001", SEV_ERROR), 1);
	done(&fx);
	run(&fx, "dev", "Default: 0.5", "Default: 8", "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT001", "above its maximum"));
	done(&fx);
}

/* each ACU bound on both sides: minimum 0 (auto-pause) and -0.5, 256 and
 * 256.5, 0.25 off the step; maximum 1 and 0.5, 256 and 256.5; equal
 * minimum and maximum pass, one step above fails; a literal value */
static void test_acu_edges(void **state)
{
	(void)state;
	static const struct {
		const char *min, *max;
		size_t errors;
		const char *field;
	} cases[] = {
	    {"0", "4", 0, NULL},          {"-0.5", "4", 1, "MinAcu"},
	    {"256", "256", 0, NULL},      {"256.5", "256", 2, "MinAcu"},
	    {"0.25", "4", 1, "MinAcu"},   {"0.5", "1", 0, NULL},
	    {"0", "0.5", 1, "MaxAcu"},    {"0.5", "256.5", 1, "MaxAcu"},
	    {"0.5", "1.25", 1, "MaxAcu"}, {"4", "4", 0, NULL},
	    {"4.5", "4", 1, "MinAcu"},    {"0.5", "0", 2, "MaxAcu"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[sizeof(good_data) + 64];
		const char *a = strstr(good_data, "MinCapacity: !Ref MinAcu\n");
		const char *b = strstr(good_data, "      ManageMaster");
		snprintf(text, sizeof(text), "%.*sMinCapacity: %s\n        MaxCapacity: %s\n%s",
		         (int)(a - good_data), good_data, cases[i].min, cases[i].max, b);
		fixture fx;
		run_with(&fx, text, "dev", NULL, NULL, "AWS::SecretsManager-2024-09-16");
		if (count(&fx, "DAT001", SEV_ERROR) != cases[i].errors) {
			print_message("min %s max %s\n", cases[i].min, cases[i].max);
			dump(&fx);
		}
		assert_int_equal(count(&fx, "DAT001", SEV_ERROR), cases[i].errors);
		done(&fx);
		/* the same through the parameter: the finding names it */
		char min[32];
		snprintf(min, sizeof(min), "Default: %s\n  MaxAcu", cases[i].min);
		if (cases[i].field && strcmp(cases[i].field, "MinAcu") == 0 &&
		    strcmp(cases[i].max, "4") == 0) {
			run(&fx, "dev", "Default: 0.5\n  MaxAcu", min,
			    "AWS::SecretsManager-2024-09-16");
			assert_int_equal(count(&fx, "DAT001", SEV_ERROR), cases[i].errors);
			for (size_t k = 0; k < fx.f.n; k++)
				if (strcmp(fx.f.v[k].rule, "DAT001") == 0)
					assert_string_equal(fx.f.v[k].field, "MinAcu");
			done(&fx);
		}
	}
}

static void test_backup_retention(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "dev", "Default: 7", "Default: 36", "AWS::SecretsManager-2024-09-16");
	assert_int_equal(count(&fx, "DAT002", SEV_ERROR), 1);
	done(&fx);
	run(&fx, "dev", "Default: 7", "Default: 0", "AWS::SecretsManager-2024-09-16");
	assert_int_equal(count(&fx, "DAT002", SEV_ERROR), 1);
	done(&fx);
	run(&fx, "dev", "      BackupRetentionPeriod: !Ref Backup\n", "",
	    "AWS::SecretsManager-2024-09-16");
	assert_int_equal(count(&fx, "DAT002", SEV_WARNING), 1);
	done(&fx);
}

/* Retention on both sides of each bound: 1 and 35 days are allowed, 0 and 36
 * are not. */
static void test_backup_retention_edges(void **state)
{
	(void)state;
	fixture fx;
	static const struct {
		const char *days;
		size_t errors;
	} cases[] = {{"Default: 0", 1}, {"Default: 1", 0}, {"Default: 35", 0}, {"Default: 36", 1}};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		run(&fx, "dev", "Default: 7", cases[i].days, "AWS::SecretsManager-2024-09-16");
		if (count(&fx, "DAT002", SEV_ERROR) != cases[i].errors)
			fail_msg("%s: %zu DAT002 errors", cases[i].days,
			         count(&fx, "DAT002", SEV_ERROR));
		done(&fx);
	}
}

static void test_reader_in_other_az(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "prod", "[1, !GetAZs '']", "[0, !GetAZs '']", "AWS::SecretsManager-2024-09-16");
	assert_int_equal(count(&fx, "DAT003", SEV_ERROR), 1);
	done(&fx);
	/* only prod requires it */
	run(&fx, "dev", "[1, !GetAZs '']", "[0, !GetAZs '']", "AWS::SecretsManager-2024-09-16");
	assert_int_equal(count(&fx, "DAT003", SEV_ERROR), 0);
	done(&fx);
	run(&fx, "prod", "  Reader:\n    Type: AWS::RDS::DBInstance\n",
	    "  Reader:\n    Type: AWS::S3::Bucket\n", "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT003", "1 instance(s)"));
	done(&fx);
}

static void test_cache_replicas(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "dev", "NumCacheClusters: 3", "NumCacheClusters: 1",
	    "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT004", "without a replica"));
	done(&fx);
	run(&fx, "dev", "AutomaticFailoverEnabled: true", "AutomaticFailoverEnabled: false",
	    "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT004", "without automatic failover"));
	done(&fx);
	run(&fx, "prod", "MultiAZEnabled: true", "MultiAZEnabled: false",
	    "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT004", "not Multi-AZ in prod"));
	done(&fx);
	run(&fx, "dev", "      TransitEncryptionEnabled: true\n",
	    "      TransitEncryptionEnabled: false\n      AuthToken: x\n",
	    "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT004", "without TLS"));
	done(&fx);
}

static void test_rotation(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "dev", "rate(30 days)", "rate(31 days)", "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT005", "MasterRotation does not rotate within 30 days"));
	done(&fx);
	run(&fx, "dev", "AutomaticallyAfterDays: 30", "AutomaticallyAfterDays: 90",
	    "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT005", "AppRotation does not rotate"));
	done(&fx);
	run(&fx, "dev", "        ScheduleExpression: rate(30 days)\n",
	    "        ScheduleExpression: rate(30 days)\n        AutomaticallyAfterDays: 30\n",
	    "AWS::SecretsManager-2024-09-16");
	assert_true(
	    has_message(&fx, "DAT005", "both AutomaticallyAfterDays and ScheduleExpression"));
	done(&fx);
	/* a secret without a schedule; the managed master secret without one */
	run(&fx, "dev", "      SecretId: !Ref AppSecret\n      HostedRotationLambda",
	    "      SecretId: !Ref Other\n      HostedRotationLambda",
	    "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT005", "secret AppSecret has no rotation schedule"));
	done(&fx);
	run(&fx, "dev", "!GetAtt Cluster.MasterUserSecret.SecretArn", "!Ref AppSecret",
	    "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT005", "RDS-managed master secret"));
	done(&fx);
	/* HostedRotationLambda needs the transform */
	run(&fx, "dev", NULL, NULL, NULL);
	assert_true(has_message(&fx, "DAT005", "needs the Secrets Manager transform"));
	done(&fx);
	run(&fx, "dev", "    DependsOn: AppAttachment\n", "", "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT005", "does not DependsOn AppAttachment"));
	done(&fx);
	run(&fx, "dev", "        RotationType: PostgreSQLMultiUser\n",
	    "        RotationType: PostgreSQLMultiUser\n      RotationLambdaARN: x\n",
	    "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT005", "both a hosted and its own"));
	done(&fx);
}

static void test_deletion_protection(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "prod", "!If [IsProd, true, false]", "false", "AWS::SecretsManager-2024-09-16");
	assert_int_equal(count(&fx, "DAT006", SEV_ERROR), 1);
	done(&fx);
	run(&fx, "dev", "!If [IsProd, true, false]", "true", "AWS::SecretsManager-2024-09-16");
	assert_int_equal(count(&fx, "DAT006", SEV_WARNING), 1);
	done(&fx);
}

static void test_windows(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "dev", "'17:00-18:00'", "'19:30-20:30'", "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT007", "overlaps the maintenance window"));
	done(&fx);
	/* wrapping midnight, and a Saturday-to-Sunday maintenance window */
	run(&fx, "dev", "'17:00-18:00'", "'23:45-00:30'", "AWS::SecretsManager-2024-09-16");
	assert_int_equal(count(&fx, "DAT007", SEV_ERROR), 0);
	done(&fx);
	run(&fx, "dev", "'sun:19:00-sun:20:00'", "'sat:23:30-sun:00:30'",
	    "AWS::SecretsManager-2024-09-16");
	assert_int_equal(count(&fx, "DAT007", SEV_ERROR), 0);
	done(&fx);
	run(&fx, "dev", "'17:00-18:00'", "'23:45-00:05'", "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT007", "shorter than the 30 minutes"));
	done(&fx);
}

/* Each window at 29 and 30 minutes, and the two windows touching (no
 * overlap) and overlapping by one minute, on either side. */
static void test_windows_edges(void **state)
{
	(void)state;
	fixture fx;
	static const struct {
		const char *from, *to;
		const char *message; /* NULL: no DAT007 */
	} cases[] = {
	    {"'17:00-18:00'", "'17:00-17:29'", "backup window 17:00-17:29 is shorter"},
	    {"'17:00-18:00'", "'17:00-17:30'", NULL},
	    {"'17:00-18:00'", "'23:45-00:14'", "shorter than the 30 minutes"},
	    {"'17:00-18:00'", "'23:45-00:15'", NULL},
	    /* the longest daily window, 23 h 59 min, is long enough (and meets
	     * the maintenance window) */
	    {"'17:00-18:00'", "'00:00-23:59'", "overlaps"},
	    {"'sun:19:00-sun:20:00'", "'sun:19:00-sun:19:29'", "maintenance window"},
	    {"'sun:19:00-sun:20:00'", "'sun:19:00-sun:19:30'", NULL},
	    {"'sun:19:00-sun:20:00'", "'sun:18:00-sun:19:00'", NULL},
	    {"'sun:19:00-sun:20:00'", "'sun:17:59-sun:19:00'", "overlaps"},
	    {"'sun:19:00-sun:20:00'", "'sun:16:00-sun:17:00'", NULL},
	    {"'sun:19:00-sun:20:00'", "'sun:16:00-sun:17:01'", "overlaps"},
	    {"'sun:19:00-sun:20:00'", "'wed:17:30-wed:18:30'", "overlaps"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		run(&fx, "dev", cases[i].from, cases[i].to, "AWS::SecretsManager-2024-09-16");
		if (cases[i].message) {
			if (!has_message(&fx, "DAT007", cases[i].message))
				fail_msg("%s: no DAT007 '%s'", cases[i].to, cases[i].message);
			assert_int_equal(count(&fx, "DAT007", SEV_ERROR), 1);
		} else if (count(&fx, "DAT007", SEV_ERROR)) {
			fail_msg("%s: unexpected DAT007", cases[i].to);
		}
		done(&fx);
	}
}

static void test_cache_engine_version(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "dev", "EngineVersion: '7.1'", "EngineVersion: '8.0'",
	    "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT008", "engine redis has no version 8.0"));
	done(&fx);
	run(&fx, "dev", "Engine: redis", "Engine: valkey", "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT008", "engine valkey has no version 7.1"));
	done(&fx);
}

/* The window parser's edges: each character's range on both sides, the
 * length and the separator. A 10-minute window is too short when it parses;
 * one the parser refuses is no finding of DAT007. */
static void test_window_parsing(void **state)
{
	(void)state;
	static const struct {
		const char *backup, *maint;
		bool short_window; /* a "shorter" finding */
	} cases[] = {
	    {"'23:50-23:59'", NULL, true},          {"'24:00-24:09'", NULL, false},
	    {"'20:00-20:09'", NULL, true},          {"'30:00-30:09'", NULL, false},
	    {"'00:00-00:09'", NULL, true},          {"'/0:00-/0:09'", NULL, false},
	    {"'09:00-09:09'", NULL, true},          {"'0;:00-0;:09'", NULL, false},
	    {"'0/:00-0/:09'", NULL, false},         {"'00:50-00:59'", NULL, true},
	    {"'00:60-00:69'", NULL, false},         {"'00:/0-00:/9'", NULL, false},
	    {"'00:09-00:18'", NULL, true},          {"'00:0:-00:1:'", NULL, false},
	    {"'00:0/-00:1/'", NULL, false},         {"'00-00-00:09'", NULL, false},
	    {"'17:00-17:09x'", NULL, false},        {"'17:00x17:09'", NULL, false},
	    {"'17:00-17:9'", NULL, false},          {NULL, "'mon:19:00-mon:19:10'", true},
	    {NULL, "'tue:19:00-tue:19:10'", true},  {NULL, "'wed:19:00-wed:19:10'", true},
	    {NULL, "'thu:19:00-thu:19:10'", true},  {NULL, "'fri:19:00-fri:19:10'", true},
	    {NULL, "'sat:19:00-sat:19:10'", true},  {NULL, "'sun:19:00-sun:19:10'", true},
	    {NULL, "'sux:19:00-sun:19:10'", false}, {NULL, "'sunx19:00-sun:19:10'", false},
	    {NULL, "'sun:19:00-sunx19:10'", false}, {NULL, "'sun:19:00-sun:19:6'", false},
	    {NULL, "'sun:19:00'", false},           {NULL, "'sun:24:00-sun:24:10'", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		fixture fx;
		if (cases[i].backup)
			run(&fx, "dev", "'17:00-18:00'", cases[i].backup,
			    "AWS::SecretsManager-2024-09-16");
		else
			run(&fx, "dev", "'sun:19:00-sun:20:00'", cases[i].maint,
			    "AWS::SecretsManager-2024-09-16");
		bool found = has_message(&fx, "DAT007", "shorter than the 30 minutes");
		if (found != cases[i].short_window)
			fail_msg("%s: short %d, expected %d",
			         cases[i].backup ? cases[i].backup : cases[i].maint, found,
			         cases[i].short_window);
		done(&fx);
	}
	/* a maintenance window across Sunday midnight: Sunday is day 6, Monday day 0 */
	fixture fx;
	run(&fx, "dev", "'sun:19:00-sun:20:00'", "'sun:23:50-mon:00:30'",
	    "AWS::SecretsManager-2024-09-16");
	assert_int_equal(count(&fx, "DAT007", SEV_ERROR), 0);
	done(&fx);
}

static void test_cache_edges(void **state)
{
	(void)state;
	static const struct {
		const char *engine, *version;
		bool error;
	} versions[] = {
	    {"redis", "'7.1'", false},
	    {"redis", "'7.9'", true},
	    {"redis", "'9.0'", true},
	    {"redis", "'7.2'", true},
	    {"redis", "'7'", false},
	    {"redis", "'8'", true},
	    {"redis", "'6.9'", false},
	    {"valkey", "'7.2'", false},
	    {"valkey", "'7.1'", true},
	    {"valkey", "'7'", true},
	    {"valkey", "'8'", false},
	    {"valkey", "'7.3'", false},
	    {"redisx", "'8.0'", false},
	    {"valkeyx", "'7.0'", false},
	    {"redis", "'99999999999999999999'", true},
	    {"valkey", "'-99999999999999999999'", true},
	    {"redis", "'7.99999999999999999999'", true},
	    {"valkey", "'7.-99999999999999999999'", true},
	    /* a minor of 100 or more stays in its major: 6.102 is before 7.1 */
	    {"redis", "'6.100'", false},
	    {"redis", "'6.102'", false},
	    {"valkey", "'6.200'", true},
	    {"valkey", "'6.102'", true},
	    {"redis", "'7.100'", true},
	    {"valkey", "'7.100'", false},
	    {"redis", "'7.01'", false},
	    {"valkey", "'7.02'", false},
	    /* the major in decimal: a letter after it ends it (7a is 7, not base 11's 87) */
	    {"redis", "'7a'", false},
	    {"valkey", "'7a'", true},
	};
	for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
		char text[sizeof(good_data) + 128];
		const char *a = strstr(good_data, "      Engine: redis\n");
		const char *b = strstr(good_data, "      NumCacheClusters");
		snprintf(text, sizeof(text), "%.*s      Engine: %s\n      EngineVersion: %s\n%s",
		         (int)(a - good_data), good_data, versions[i].engine, versions[i].version,
		         b);
		fixture fx;
		run_with(&fx, text, "dev", NULL, NULL, "AWS::SecretsManager-2024-09-16");
		if ((count(&fx, "DAT008", SEV_ERROR) == 1) != versions[i].error)
			fail_msg("%s %s: DAT008 %zu", versions[i].engine, versions[i].version,
			         count(&fx, "DAT008", SEV_ERROR));
		done(&fx);
	}
	/* replicas: 2 clusters or 1 replica per node group; none known, no finding */
	static const struct {
		const char *to;
		bool error;
	} replicas[] = {
	    {"NumCacheClusters: 2", false},     {"NumCacheClusters: 1", true},
	    {"ReplicasPerNodeGroup: 1", false}, {"ReplicasPerNodeGroup: 0", true},
	    {"NumCacheClusters: 0", true},      {"Other: 1", false},
	};
	for (size_t i = 0; i < sizeof replicas / sizeof *replicas; i++) {
		fixture fx;
		run(&fx, "dev", "NumCacheClusters: 3", replicas[i].to,
		    "AWS::SecretsManager-2024-09-16");
		if (has_message(&fx, "DAT004", "without a replica") != replicas[i].error)
			fail_msg("%s", replicas[i].to);
		done(&fx);
	}
	/* failover undecided is no failover; Multi-AZ undecided is none in prod only */
	fixture fx;
	run(&fx, "dev", "AutomaticFailoverEnabled: true",
	    "AutomaticFailoverEnabled: !If [IsNeverTrue, true, false]",
	    "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT004", "without automatic failover"));
	done(&fx);
	/* prod exactly: an environment named prodx is not prod */
	run(&fx, "prodx", "MultiAZEnabled: true", "MultiAZEnabled: false",
	    "AWS::SecretsManager-2024-09-16");
	assert_false(has_message(&fx, "DAT004", "not Multi-AZ in prod"));
	assert_int_equal(count(&fx, "DAT006", SEV_ERROR), 0);
	done(&fx);
	run(&fx, "dev", "MultiAZEnabled: true", "MultiAZEnabled: false",
	    "AWS::SecretsManager-2024-09-16");
	assert_int_equal(count(&fx, "DAT004", SEV_ERROR), 0);
	done(&fx);
	/* TLS on with a token passes */
	run(&fx, "dev", "      TransitEncryptionEnabled: true\n",
	    "      TransitEncryptionEnabled: true\n      AuthToken: x\n",
	    "AWS::SecretsManager-2024-09-16");
	assert_false(has_message(&fx, "DAT004", "without TLS"));
	done(&fx);
}

/* DAT005's schedule: each unit and its plural, 30 and 31 days, hours, a
 * unit too long to read, cron, a near function name; the transform and
 * DependsOn exactly */
static void test_rotation_edges(void **state)
{
	(void)state;
	static const struct {
		const char *expr;
		bool error;
	} exprs[] = {
	    {"rate(30 days)", false},
	    {"rate(31 days)", true},
	    {"rate(1 day)", false},
	    {"rate(720 hours)", false},
	    {"rate(743 hours)", false},
	    {"rate(744 hours)", true},
	    {"rate(1 hour)", false},
	    {"rate(30 minutes)", true},
	    {"rate(30  days)", false},
	    {"rate(30 dayz)", true},
	    {"rate(30 day)", false},
	    {"rate(30 hourz)", true},
	    {"rate(30 daysdaysdaysdays)", true},
	    {"cron(0 0 1 * ? *)", true},
	    {"rates(3 days)", true},
	    {"rate 30 days)", true},
	    {"crons(0 0 1 * ? *)", true},
	    {"rate(30 dayss)", true},
	    {"rate(24 hour)", false},
	    {"rate(0 days)", false},
	    {"rate(-1 days)", true},
	};
	for (size_t i = 0; i < sizeof exprs / sizeof *exprs; i++) {
		char to[64];
		snprintf(to, sizeof(to), "ScheduleExpression: '%s'", exprs[i].expr);
		fixture fx;
		run(&fx, "dev", "ScheduleExpression: rate(30 days)", to,
		    "AWS::SecretsManager-2024-09-16");
		if (has_message(&fx, "DAT005", "MasterRotation does not rotate") != exprs[i].error)
			fail_msg("%s: expected error %d", exprs[i].expr, exprs[i].error);
		done(&fx);
	}
	/* a unit far longer than any: not read (and not copied past its room) */
	{
		char to[1200];
		char unit[1001];
		memset(unit, 'd', sizeof unit - 1);
		unit[sizeof unit - 1] = '\0';
		snprintf(to, sizeof(to), "ScheduleExpression: 'rate(30 %s)'", unit);
		fixture fx;
		run(&fx, "dev", "ScheduleExpression: rate(30 days)", to,
		    "AWS::SecretsManager-2024-09-16");
		assert_true(has_message(&fx, "DAT005", "MasterRotation does not rotate"));
		done(&fx);
	}
	static const struct {
		const char *days;
		bool error;
	} afters[] = {{"30", false}, {"31", true}, {"0", false}, {"-1", true}, {"x", true}};
	for (size_t i = 0; i < sizeof afters / sizeof *afters; i++) {
		char to[64];
		snprintf(to, sizeof(to), "AutomaticallyAfterDays: '%s'", afters[i].days);
		fixture fx;
		run(&fx, "dev", "AutomaticallyAfterDays: 30", to, "AWS::SecretsManager-2024-09-16");
		if (has_message(&fx, "DAT005", "AppRotation does not rotate") != afters[i].error)
			fail_msg("AutomaticallyAfterDays %s: expected error %d", afters[i].days,
			         afters[i].error);
		done(&fx);
	}
	fixture fx;
	/* the transform: the Secrets Manager one, any date; no other */
	run(&fx, "dev", NULL, NULL, "AWS::SecretsManager-2099-01-01");
	assert_false(has_message(&fx, "DAT005", "needs the Secrets Manager transform"));
	done(&fx);
	run(&fx, "dev", NULL, NULL, "AWS::SecretsManager2024-09-16");
	assert_true(has_message(&fx, "DAT005", "needs the Secrets Manager transform"));
	done(&fx);
	run(&fx, "dev", NULL, NULL, "AWS::Serverless-2016-10-31");
	assert_true(has_message(&fx, "DAT005", "needs the Secrets Manager transform"));
	done(&fx);
	/* DependsOn: a list holding it, a near name, a list without it */
	run(&fx, "dev", "    DependsOn: AppAttachment\n",
	    "    DependsOn: [Cluster, AppAttachment]\n", "AWS::SecretsManager-2024-09-16");
	assert_false(has_message(&fx, "DAT005", "does not DependsOn"));
	done(&fx);
	run(&fx, "dev", "    DependsOn: AppAttachment\n", "    DependsOn: [Cluster, AppSecret]\n",
	    "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT005", "does not DependsOn AppAttachment"));
	done(&fx);
	run(&fx, "dev", "    DependsOn: AppAttachment\n", "    DependsOn: Cluster\n",
	    "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT005", "does not DependsOn AppAttachment"));
	done(&fx);
	/* an attachment of another secret asks nothing */
	run(&fx, "dev", "      SecretId: !Ref AppSecret\n      TargetId",
	    "      SecretId: !Ref Other\n      TargetId", "AWS::SecretsManager-2024-09-16");
	assert_false(has_message(&fx, "DAT005", "does not DependsOn"));
	done(&fx);
	run(&fx, "dev", "    DependsOn: AppAttachment\n", "", "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT005", "does not DependsOn AppAttachment"));
	done(&fx);
	run(&fx, "dev", "    Type: AWS::SecretsManager::SecretTargetAttachment\n",
	    "    Type: AWS::SecretsManager::SecretTargetAttachmentX\n",
	    "AWS::SecretsManager-2024-09-16");
	assert_false(has_message(&fx, "DAT005", "does not DependsOn"));
	done(&fx);
	/* a secret whose name is a prefix of the rotated one is not rotated */
	run(&fx, "dev", "  AppAttachment:\n",
	    "  App:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n"
	    "      GenerateSecretString: {}\n  AppAttachment:\n",
	    "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT005", "secret App has no rotation schedule"));
	assert_false(has_message(&fx, "DAT005", "secret AppSecret has no"));
	done(&fx);
	/* the master secret is rotated only through MasterUserSecret */
	run(&fx, "dev", "!GetAtt Cluster.MasterUserSecret.SecretArn", "!GetAtt Cluster.Endpoint",
	    "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT005", "RDS-managed master secret"));
	done(&fx);
	run(&fx, "dev", "      ManageMasterUserPassword: true\n",
	    "      ManageMasterUserPassword: false\n", "AWS::SecretsManager-2024-09-16");
	assert_false(has_message(&fx, "DAT005", "RDS-managed master secret"));
	done(&fx);
	/* near type names are not schedules or secrets */
	run(&fx, "dev", "  AppSecret:\n    Type: AWS::SecretsManager::Secret\n",
	    "  AppSecret:\n    Type: AWS::SecretsManager::SecretX\n",
	    "AWS::SecretsManager-2024-09-16");
	assert_false(has_message(&fx, "DAT005", "secret AppSecret has no"));
	done(&fx);
	run(&fx, "dev", "  MasterRotation:\n    Type: AWS::SecretsManager::RotationSchedule\n",
	    "  MasterRotation:\n    Type: AWS::SecretsManager::RotationScheduleX\n",
	    "AWS::SecretsManager-2024-09-16");
	assert_true(has_message(&fx, "DAT005", "RDS-managed master secret"));
	done(&fx);
}

/* DAT003 looks at 16 instances: the 16th the only one in another AZ is a spread */
static void test_reader_sixteenth(void **state)
{
	(void)state;
	for (int last_az = 0; last_az <= 1; last_az++) {
		buf more;
		buf_init(&more, 0);
		for (int i = 0; i < 13; i++)
			buf_addf(&more,
			         "  R%d:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
			         "      DBClusterIdentifier: !Ref Cluster\n"
			         "      AvailabilityZone: !Select [0, !GetAZs '']\n",
			         i);
		buf_addf(&more,
		         "  Last:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
		         "      DBClusterIdentifier: !Ref Cluster\n"
		         "      AvailabilityZone: !Select [%d, !GetAZs '']\n  MasterRotation:\n",
		         last_az);
		char *text = malloc(sizeof(good_data) + more.len);
		assert_non_null(text);
		const char *reader = strstr(good_data, "[1, !GetAZs '']");
		assert_non_null(reader);
		snprintf(text, sizeof(good_data) + more.len, "%.*s[0%s", (int)(reader - good_data),
		         good_data, reader + 2);
		/* the writer and the reader in AZ 0, 13 more, then the 16th */
		char *full = malloc(sizeof(good_data) + more.len);
		assert_non_null(full);
		const char *at2 = strstr(text, "  MasterRotation:\n");
		snprintf(full, sizeof(good_data) + more.len, "%.*s%s%s", (int)(at2 - text), text,
		         buf_cstr(&more), at2 + strlen("  MasterRotation:\n"));
		fixture fx;
		run_with(&fx, full, "prod", NULL, NULL, "AWS::SecretsManager-2024-09-16");
		if (count(&fx, "DAT003", SEV_ERROR) != (size_t)(last_az == 0)) {
			dump(&fx);
			fail_msg("16th instance in AZ %d", last_az);
		}
		done(&fx);
		free(full);
		free(text);
		buf_free(&more);
	}
}

/* Each DAT rule's exact message, severity, field and position (the file's
 * last name, line and column; NULL: no position): the values they quote,
 * the parameter a value came from, the node or the resource key they
 * point at. `n` is the number of findings of `rule`; `message` is one of
 * them. (DATA_DUMP=1 prints every case's findings.) */
static const struct data_message {
	const char *env, *from, *to, *rule;
	size_t n;
	severity sev;
	const char *message, *field, *file;
	size_t line, col;
} data_messages[] = {
    {"dev", "    Default: 0.5\n", "    Default: 0.25\n", "DAT001", 1, SEV_ERROR,
     "Cluster minimum capacity 0.25 ACU is not a Serverless v2 capacity", "MinAcu", NULL, 0, 0},
    {"dev", "    Default: 4\n", "    Default: 256.5\n", "DAT001", 1, SEV_ERROR,
     "Cluster maximum capacity 256.5 ACU is not a Serverless v2 capacity", "MaxAcu", NULL, 0, 0},
    {"dev", "    Default: 0.5\n", "    Default: 8\n", "DAT001", 1, SEV_ERROR,
     "Cluster minimum capacity 8 ACU is above its maximum 4 ACU", "MinAcu", NULL, 0, 0},
    {"dev", "        MinCapacity: !Ref MinAcu\n", "        MinCapacity: 0.3\n", "DAT001", 1,
     SEV_ERROR, "Cluster minimum capacity 0.3 ACU is not a Serverless v2 capacity", "", NULL, 0, 0},
    {"dev", "        MaxCapacity: !Ref MaxAcu\n", "        MaxCapacity: 0.5\n", "DAT001", 1,
     SEV_ERROR, "Cluster maximum capacity 0.5 ACU is not a Serverless v2 capacity", "", NULL, 0, 0},
    {"dev", "      BackupRetentionPeriod: !Ref Backup\n", "", "DAT002", 1, SEV_WARNING,
     "Cluster relies on the default backup retention (1 day)", "", "data.yml", 2, 3},
    {"dev", "      BackupRetentionPeriod: !Ref Backup\n", "      BackupRetentionPeriod: 36\n",
     "DAT002", 1, SEV_ERROR, "Cluster keeps backups 36 days; Aurora allows 1 to 35", "", "data.yml",
     9, 30},
    {"dev", "    Default: 7\n", "    Default: 0\n", "DAT002", 1, SEV_ERROR,
     "Cluster keeps backups 0 days; Aurora allows 1 to 35", "Backup", NULL, 0, 0},
    {"prod", "      DeletionProtection: !If [IsProd, true, false]\n",
     "      DeletionProtection: false\n", "DAT006", 1, SEV_ERROR,
     "Cluster has no deletion protection in prod", "", "data.yml", 10, 27},
    {"prod", "      DeletionProtection: !If [IsProd, true, false]\n", "", "DAT006", 1, SEV_ERROR,
     "Cluster has no deletion protection in prod", "", "data.yml", 2, 3},
    {"dev", "      DeletionProtection: !If [IsProd, true, false]\n",
     "      DeletionProtection: true\n", "DAT006", 1, SEV_WARNING,
     "Cluster has deletion protection outside prod: destroy must lift it first", "", "data.yml", 10,
     27},
    {"dev", "'17:00-18:00'", "'17:00-17:29'", "DAT007", 1, SEV_ERROR,
     "backup window 17:00-17:29 is shorter than the 30 minutes RDS requires", "", NULL, 0, 0},
    {"dev", "'sun:19:00-sun:20:00'", "'sun:19:00-sun:19:29'", "DAT007", 1, SEV_ERROR,
     "maintenance window sun:19:00-sun:19:29 is shorter than the 30 minutes RDS requires", "", NULL,
     0, 0},
    {"dev", "'17:00-18:00'", "'19:10-19:50'", "DAT007", 1, SEV_ERROR,
     "backup window 19:10-19:50 overlaps the maintenance window sun:19:00-sun:20:00, which RDS "
     "rejects",
     "", NULL, 0, 0},
    {"dev", "      EngineVersion: '7.1'\n", "      EngineVersion: '7.2'\n", "DAT008", 1, SEV_ERROR,
     "Cache: engine redis has no version 7.2", "", NULL, 0, 0},
    {"dev", "      Engine: redis\n", "      Engine: valkey\n", "DAT008", 1, SEV_ERROR,
     "Cache: engine valkey has no version 7.1", "", NULL, 0, 0},
    {"prod", "  Reader:\n    Type: AWS::RDS::DBInstance\n",
     "  Reader:\n    Type: AWS::SNS::Topic\n", "DAT003", 1, SEV_ERROR,
     "Cluster has 1 instance(s) in prod: a failover has nowhere to go", "", "data.yml", 2, 3},
    {"prod", "      AvailabilityZone: !Select [1, !GetAZs '']\n",
     "      AvailabilityZone: !Select [0, !GetAZs '']\n", "DAT003", 1, SEV_ERROR,
     "every instance of Cluster is in the same AZ: losing it loses the database", "", "data.yml", 2,
     3},
    {"dev", "      NumCacheClusters: 3\n", "      NumCacheClusters: 1\n", "DAT004", 1, SEV_ERROR,
     "Cache is Multi-AZ without a replica to fail over to", "", "data.yml", 54, 23},
    {"dev", "      AutomaticFailoverEnabled: true\n", "", "DAT004", 1, SEV_ERROR,
     "Cache is Multi-AZ without automatic failover", "", "data.yml", 54, 23},
    {"prod", "      MultiAZEnabled: true\n", "", "DAT004", 1, SEV_ERROR,
     "Cache is not Multi-AZ in prod: sessions are lost with its AZ", "", "data.yml", 48, 3},
    {"dev", "      TransitEncryptionEnabled: true\n", "      AuthToken: x\n", "DAT004", 1,
     SEV_ERROR, "Cache has an AUTH token without TLS, which ElastiCache rejects", "", "data.yml",
     56, 18},
    {"dev", "      TransitEncryptionEnabled: true\n",
     "      TransitEncryptionEnabled: true\n      UserGroupIds: [g]\n      AuthToken: x\n",
     "DAT004", 1, SEV_ERROR, "Cache has an AUTH token and user groups, which ElastiCache rejects",
     "", "data.yml", 58, 18},
    {"dev", "        AutomaticallyAfterDays: 30\n",
     "        AutomaticallyAfterDays: 30\n        ScheduleExpression: rate(30 days)\n", "DAT005", 1,
     SEV_ERROR,
     "AppRotation sets both AutomaticallyAfterDays and ScheduleExpression, which Secrets "
     "Manager rejects",
     "", "data.yml", 47, 9},
    {"dev", "        AutomaticallyAfterDays: 30\n", "        AutomaticallyAfterDays: 31\n",
     "DAT005", 1, SEV_ERROR, "AppRotation does not rotate within 30 days", "", "data.yml", 47, 9},
    {"dev", "        RotationType: PostgreSQLMultiUser\n",
     "        RotationType: PostgreSQLMultiUser\n      RotationLambdaARN: x\n", "DAT005", 1,
     SEV_ERROR, "AppRotation names both a hosted and its own rotation function", "", "data.yml", 45,
     9},
    {"dev", "    DependsOn: AppAttachment\n", "", "DAT005", 1, SEV_ERROR,
     "AppRotation does not DependsOn AppAttachment: rotation can start before the secret knows "
     "its database",
     "", "data.yml", 39, 3},
    {"dev", "      SecretId: !Ref AppSecret\n      HostedRotationLambda",
     "      SecretId: !Ref AppAttachment\n      HostedRotationLambda", "DAT005", 1, SEV_ERROR,
     "secret AppSecret has no rotation schedule: every credential must rotate every 30 days", "",
     "data.yml", 29, 3},
    {"dev", "      SecretId: !GetAtt Cluster.MasterUserSecret.SecretArn\n",
     "      SecretId: !Ref AppSecret\n", "DAT005", 2, SEV_ERROR,
     "Cluster's RDS-managed master secret keeps RDS's default 7-day rotation with no schedule "
     "of ours",
     "", "data.yml", 2, 3},
};

static void test_data_messages(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(data_messages) / sizeof(data_messages[0]); i++) {
		const struct data_message *c = &data_messages[i];
		fixture fx;
		run(&fx, c->env, c->from, c->to, "AWS::SecretsManager-2024-09-16");
		const finding *x = NULL;
		size_t n = 0;
		for (size_t k = 0; k < fx.f.n; k++) {
			if (strcmp(fx.f.v[k].rule, c->rule) != 0)
				continue;
			n++;
			if (strcmp(fx.f.v[k].message, c->message) == 0)
				x = &fx.f.v[k];
		}
		const char *base = x && x->file ? strrchr(x->file, '/') : NULL;
		bool pos_ok = x && (c->file ? base && strcmp(base + 1, c->file) == 0 &&
		                                  x->line == c->line && x->col == c->col
		                            : !x->file);
		if (getenv("DATA_DUMP") || n != c->n || !x || x->sev != c->sev ||
		    strcmp(x->field, c->field) != 0 || !pos_ok) {
			for (size_t k = 0; k < fx.f.n; k++)
				print_message("  %s|%s|%s|%s|%zu|%zu|%s\n", fx.f.v[k].rule,
				              severity_name(fx.f.v[k].sev), fx.f.v[k].field,
				              fx.f.v[k].file ? strrchr(fx.f.v[k].file, '/') + 1
				                             : "-",
				              fx.f.v[k].line, fx.f.v[k].col, fx.f.v[k].message);
			if (!getenv("DATA_DUMP"))
				fail_msg("data message case %zu (%s -> %s)", i, c->from, c->to);
		}
		done(&fx);
	}
}

/* `text` with `from` replaced by `to`, then the block of resource `name`
 * moved to the front of Resources (a block runs to the next line indented
 * by two spaces). */
static char *edit_move_first(const char *text, const char *from, const char *to, const char *name)
{
	buf t;
	buf_init(&t, 0);
	const char *at = from ? strstr(text, from) : NULL;
	if (from && !at)
		fail_msg("no '%s'", from);
	if (at)
		buf_addf(&t, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	else
		buf_adds(&t, text);
	const char *s = buf_cstr(&t);
	char key[64];
	snprintf(key, sizeof(key), "\n  %s:\n", name);
	const char *b = strstr(s, key);
	if (!b)
		fail_msg("no resource %s", name);
	b++;
	const char *end = b + strlen(key) - 1;
	while (*end && !(end[0] == '\n' && end[1] == ' ' && end[2] == ' ' && end[3] != ' '))
		end++;
	if (*end)
		end++;
	const char *res = strstr(s, "Resources:\n") + strlen("Resources:\n");
	buf out;
	buf_init(&out, 0);
	buf_addf(&out, "%.*s%.*s%.*s%s", (int)(res - s), s, (int)(end - b), b, (int)(b - res), res,
	         end);
	buf_free(&t);
	return buf_take(&out);
}

/* Every resource is looked at, the template's first included: each of the
 * good template's resources moved first leaves it clean in prod (the
 * schedules that rotate the secrets, the instances of the cluster are
 * found), and each DAT rule fires with its resource first. */
static void test_data_first_resource(void **state)
{
	(void)state;
	static const struct {
		const char *first, *from, *to, *message; /* NULL: no DAT finding */
	} cases[] = {
	    {"Cluster", NULL, NULL, NULL},
	    {"Writer", NULL, NULL, NULL},
	    {"Reader", NULL, NULL, NULL},
	    {"MasterRotation", NULL, NULL, NULL},
	    {"AppSecret", NULL, NULL, NULL},
	    {"AppAttachment", NULL, NULL, NULL},
	    {"AppRotation", NULL, NULL, NULL},
	    {"Cache", NULL, NULL, NULL},
	    /* an instance without an AZ: RDS places it, no spread to judge */
	    {"Reader", "      AvailabilityZone: !Select [1, !GetAZs '']\n", "", NULL},
	    {"Writer", "      AvailabilityZone: !Select [1, !GetAZs '']\n",
	     "      AvailabilityZone: !Select [0, !GetAZs '']\n",
	     "every instance of Cluster is in the same AZ: losing it loses the database"},
	    {"AppAttachment", "    DependsOn: AppAttachment\n", "",
	     "AppRotation does not DependsOn AppAttachment: rotation can start before the secret "
	     "knows its database"},
	    {"Cache", "      MultiAZEnabled: true\n", "",
	     "Cache is not Multi-AZ in prod: sessions are lost with its AZ"},
	    {"AppRotation", "        AutomaticallyAfterDays: 30\n",
	     "        AutomaticallyAfterDays: 31\n", "AppRotation does not rotate within 30 days"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = edit_move_first(good_data, cases[i].from, cases[i].to, cases[i].first);
		fixture fx;
		run_with(&fx, text, "prod", NULL, NULL, "AWS::SecretsManager-2024-09-16");
		free(text);
		size_t dat = 0;
		bool said = false;
		for (size_t k = 0; k < fx.f.n; k++) {
			if (strncmp(fx.f.v[k].rule, "DAT", 3) != 0)
				continue;
			dat++;
			said = said || (cases[i].message &&
			                strcmp(fx.f.v[k].message, cases[i].message) == 0);
		}
		bool ok = cases[i].message ? dat == 1 && said : dat == 0;
		if (!ok) {
			dump(&fx);
			fail_msg("%s first (case %zu)", cases[i].first, i);
		}
		done(&fx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_passes_everywhere),
	    cmocka_unit_test(test_data_messages),
	    cmocka_unit_test(test_data_first_resource),
	    cmocka_unit_test(test_acu_bounds),
	    cmocka_unit_test(test_acu_edges),
	    cmocka_unit_test(test_window_parsing),
	    cmocka_unit_test(test_cache_edges),
	    cmocka_unit_test(test_rotation_edges),
	    cmocka_unit_test(test_reader_sixteenth),
	    cmocka_unit_test(test_backup_retention),
	    cmocka_unit_test(test_backup_retention_edges),
	    cmocka_unit_test(test_reader_in_other_az),
	    cmocka_unit_test(test_cache_replicas),
	    cmocka_unit_test(test_rotation),
	    cmocka_unit_test(test_deletion_protection),
	    cmocka_unit_test(test_windows),
	    cmocka_unit_test(test_windows_edges),
	    cmocka_unit_test(test_cache_engine_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
