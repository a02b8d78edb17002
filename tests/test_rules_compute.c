/* Compute and API rules CMP001-CMP007: each fires on a template or model
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
    "        Parameters: [Environment, EnvironmentSuffix, AvailabilityZoneCount, MinTasks,\n"
    "                     MaxTasks, TaskCpu, TaskMemory]\n"
    "Parameters:\n"
    "  Environment:\n"
    "    Type: String\n"
    "    Description: kind\n"
    "    Default: dev\n"
    "  EnvironmentSuffix:\n"
    "    Type: String\n"
    "    Description: suffix\n"
    "    Default: dev\n"
    "  AvailabilityZoneCount:\n"
    "    Type: String\n"
    "    Description: azs\n"
    "    Default: '3'\n"
    "  MinTasks:\n"
    "    Type: Number\n"
    "    Description: min\n"
    "    Default: 3\n"
    "  MaxTasks:\n"
    "    Type: Number\n"
    "    Description: max\n"
    "    Default: 60\n"
    "  TaskCpu:\n"
    "    Type: String\n"
    "    Description: cpu\n"
    "    Default: '1024'\n"
    "  TaskMemory:\n"
    "    Type: String\n"
    "    Description: memory\n"
    "    Default: '2048'\n";

#include "tests/rulefixture.h"

/* A compute and API tier that passes every CMP rule. */
static const char good_compute[] =
    "Resources:\n"
    "  TaskDefinition:\n"
    "    Type: AWS::ECS::TaskDefinition\n"
    "    Properties:\n"
    "      RequiresCompatibilities: [FARGATE]\n"
    "      Cpu: !Ref TaskCpu\n"
    "      Memory: !Ref TaskMemory\n"
    "  Service:\n"
    "    Type: AWS::ECS::Service\n"
    "    Properties:\n"
    "      DesiredCount: 3\n"
    "  ScalingTarget:\n"
    "    Type: AWS::ApplicationAutoScaling::ScalableTarget\n"
    "    Properties:\n"
    "      ServiceNamespace: ecs\n"
    "      ResourceId: !Sub 'service/${Cluster}/${Service.Name}'\n"
    "      MinCapacity: !Ref MinTasks\n"
    "      MaxCapacity: !Ref MaxTasks\n"
    "      ScheduledActions:\n"
    "        - ScheduledActionName: exam-up\n"
    "          Schedule: cron(30 6 ? * MON-FRI *)\n"
    "          Timezone: Asia/Singapore\n"
    "  TargetGroup:\n"
    "    Type: AWS::ElasticLoadBalancingV2::TargetGroup\n"
    "    Properties:\n"
    "      HealthCheckIntervalSeconds: 5\n"
    "      HealthyThresholdCount: 2\n"
    "  Alarm:\n"
    "    Type: AWS::CloudWatch::Alarm\n"
    "    Properties:\n"
    "      Namespace: AWS/ApplicationELB\n"
    "      Period: 60\n"
    "  MathAlarm:\n"
    "    Type: AWS::CloudWatch::Alarm\n"
    "    Properties:\n"
    "      Metrics:\n"
    "        - Id: errors\n"
    "          MetricStat:\n"
    "            Metric: {Namespace: AWS/ElastiCache, MetricName: Evictions}\n"
    "            Period: 300\n"
    "  Stage:\n"
    "    Type: AWS::ApiGateway::Stage\n"
    "    Properties:\n"
    "      MethodSettings:\n"
    "        - ThrottlingRateLimit: 5000\n"
    "          ThrottlingBurstLimit: 5000\n"
    "  Plan:\n"
    "    Type: AWS::ApiGateway::UsagePlan\n"
    "    Properties:\n"
    "      Throttle: {RateLimit: 100, BurstLimit: 200}\n"
    "  AuroraExamUp:\n"
    "    Type: AWS::Scheduler::Schedule\n"
    "    Properties:\n"
    "      ScheduleExpression: at(2026-12-01T07:30:00)\n"
    "      ScheduleExpressionTimezone: Asia/Singapore\n";

static void run(fixture *fx, const char *env, const char *from, const char *to)
{
	run_with(fx, good_compute, env, from, to, NULL);
}

static size_t cmp_findings(const fixture *fx)
{
	size_t n = 0;
	for (size_t i = 0; i < fx->f.n; i++)
		n += strncmp(fx->f.v[i].rule, "CMP", 3) == 0;
	return n;
}

static void test_good_passes(void **state)
{
	(void)state;
	const char *envs[] = {"dev", "prod"};
	for (size_t i = 0; i < 2; i++) {
		fixture fx;
		run(&fx, envs[i], NULL, NULL);
		if (cmp_findings(&fx))
			dump(&fx);
		assert_int_equal(cmp_findings(&fx), 0);
		done(&fx);
	}
}

static void test_fargate_sizes(void **state)
{
	(void)state;
	static const struct {
		const char *cpu, *mem;
		bool ok;
	} cases[] = {
	    {"'256'", "'512'", true},
	    {"'256'", "'1536'", false},
	    {"'512'", "'4096'", true},
	    {"'512'", "'5120'", false},
	    {"'1 vCPU'", "'2 GB'", true},
	    {"'4096'", "'30720'", true},
	    {"'4096'", "'31744'", false},
	    {"'8192'", "'20480'", true},
	    {"'8192'", "'18432'", false},
	    {"'2048'", "'3072'", false},
	    /* the units are read, so a bad pair in units is found too */
	    {"'1 vCPU'", "'9 GB'", false},
	    {"'1 vcpu'", "'9 gb'", false},
	    {"'1 vcpu'", "'8 gb'", true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char from[] = "Default: '1024'\n  TaskMemory:\n    Type: String\n    Description: "
		              "memory\n    Default: '2048'";
		char to[256];
		snprintf(to, sizeof(to),
		         "Default: %s\n  TaskMemory:\n    Type: String\n    Description: "
		         "memory\n    Default: %s",
		         cases[i].cpu, cases[i].mem);
		fixture fx;
		run(&fx, "dev", from, to);
		size_t n = 0;
		for (size_t j = 0; j < fx.f.n; j++)
			n += strcmp(fx.f.v[j].rule, "CMP001") == 0;
		if (n != (cases[i].ok ? 0u : 1u))
			fail_msg("cpu %s memory %s: %zu CMP001 findings", cases[i].cpu,
			         cases[i].mem, n);
		done(&fx);
	}
}

static void test_task_counts(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "dev", "Default: 60", "Default: 2");
	assert_true(has_message(&fx, "CMP002", "minimum task count is above the maximum"));
	done(&fx);
	run(&fx, "dev", "DesiredCount: 3", "DesiredCount: 100");
	assert_true(has_message(&fx, "CMP002", "desired task count is outside"));
	done(&fx);
	run(&fx, "prod", "Default: 3\n  MaxTasks", "Default: 2\n  MaxTasks");
	assert_int_equal(count(&fx, "CMP003", SEV_ERROR), 1);
	done(&fx);
	run(&fx, "dev", "Default: 3\n  MaxTasks", "Default: 1\n  MaxTasks");
	assert_int_equal(count(&fx, "CMP003", SEV_ERROR), 0);
	done(&fx);
}

static void test_health_check(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "dev", "      HealthCheckIntervalSeconds: 5\n      HealthyThresholdCount: 2\n",
	    "      HealthCheckIntervalSeconds: 1\n");
	/* the ALB default threshold (5) with a 1-s interval still fits */
	assert_int_equal(count(&fx, "CMP004", SEV_ERROR), 0);
	done(&fx);
	run(&fx, "dev", "HealthCheckIntervalSeconds: 5", "HealthCheckIntervalSeconds: 30");
	assert_true(has_message(&fx, "CMP004", "60 s of health checks"));
	done(&fx);
}

static void test_alarm_period(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "dev", "Period: 60", "Period: 10");
	assert_true(has_message(&fx, "CMP005", "under 60 s on a one-minute AWS metric"));
	done(&fx);
	run(&fx, "dev", "Namespace: AWS/ApplicationELB\n      Period: 60",
	    "Namespace: LMS/dev\n      Period: 10");
	assert_int_equal(count(&fx, "CMP005", SEV_ERROR), 0);
	done(&fx);
	/* PutMetricAlarm: "Valid values are 10, 20, 30, and any multiple of 60" */
	run(&fx, "dev", "Namespace: AWS/ApplicationELB\n      Period: 60",
	    "Namespace: LMS/dev\n      Period: 20");
	assert_int_equal(count(&fx, "CMP005", SEV_ERROR), 0);
	done(&fx);
	run(&fx, "dev", "Namespace: AWS/ApplicationELB\n      Period: 60",
	    "Namespace: LMS/dev\n      Period: 15");
	assert_true(has_message(&fx, "CMP005", "must be 10, 20, 30 or a multiple of 60 s"));
	done(&fx);
	run(&fx, "dev", "Period: 60", "Period: 90");
	assert_true(has_message(&fx, "CMP005", "multiple of 60"));
	done(&fx);
	run(&fx, "dev", "Period: 300", "Period: 30");
	assert_true(has_message(&fx, "CMP005", "MathAlarm: alarm period under 60 s"));
	done(&fx);
}

/* Alarm periods at each edge, on an AWS metric and a custom one: 59, 60, 61,
 * 120; the high-resolution 10, 20, 30 and their neighbours 29 and 31. */
static void test_alarm_period_edges(void **state)
{
	(void)state;
	static const char under[] = "under 60 s on a one-minute AWS metric";
	static const char high[] = "must be 10, 20, 30 or a multiple of 60 s";
	static const char above[] = "above 60 s must be a multiple of 60";
	static const struct {
		const char *ns;
		int period;
		const char *says; /* NULL: valid */
	} cases[] = {
	    {"AWS/ApplicationELB", 59, under},
	    {"AWS/ApplicationELB", 60, NULL},
	    {"AWS/ApplicationELB", 61, above},
	    {"AWS/ApplicationELB", 120, NULL},
	    {"AWS/ApplicationELB", 30, under},
	    {"LMS/dev", 59, high},
	    {"LMS/dev", 60, NULL},
	    {"LMS/dev", 61, above},
	    {"LMS/dev", 119, above},
	    {"LMS/dev", 120, NULL},
	    {"LMS/dev", 10, NULL},
	    {"LMS/dev", 20, NULL},
	    {"LMS/dev", 30, NULL},
	    {"LMS/dev", 29, high},
	    {"LMS/dev", 31, high},
	    {"LMS/dev", 9, high},
	    {"LMS/dev", 11, high},
	    {"LMS/dev", 21, high},
	    {"AWS", 30, NULL},
	    {"AWS/", 30, under},
	};
	int failed = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char to[128];
		snprintf(to, sizeof to, "Namespace: %s\n      Period: %d", cases[i].ns,
		         cases[i].period);
		fixture fx;
		run(&fx, "dev", "Namespace: AWS/ApplicationELB\n      Period: 60", to);
		size_t n = count(&fx, "CMP005", SEV_ERROR);
		bool ok =
		    cases[i].says ? n == 1 && has_message(&fx, "CMP005", cases[i].says) : n == 0;
		if (!ok) {
			dump(&fx);
			print_error("%s %d: %zu CMP005, wanted %s\n", cases[i].ns, cases[i].period,
			            n, cases[i].says ? cases[i].says : "none");
			failed++;
		}
		done(&fx);
	}
	assert_int_equal(failed, 0);
}

static void test_throttling(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "dev", "ThrottlingBurstLimit: 5000", "ThrottlingBurstLimit: 100");
	assert_int_equal(count(&fx, "CMP006", SEV_ERROR), 1);
	done(&fx);
	run(&fx, "dev", "BurstLimit: 200", "BurstLimit: 50");
	assert_int_equal(count(&fx, "CMP006", SEV_ERROR), 1);
	done(&fx);
}

static void test_schedules(void **state)
{
	(void)state;
	static const struct {
		const char *expr;
		bool ok;
	} cases[] = {
	    {"cron(30 6 ? * MON-FRI *)", true},
	    {"cron(0 7 1 * ? *)", true},
	    {"cron(0/15 6-9 ? JAN,DEC 2L 2026)", true},
	    {"rate(5 minutes)", true},
	    {"rate(1 day)", true},
	    {"at(2026-12-01T07:30:00)", true},
	    {"cron(30 6 * * MON-FRI *)", false},
	    {"cron(30 6 ? * MON-FRI)", false},
	    {"cron(61 6 ? * MON-FRI *)", false},
	    {"cron(30 24 ? * * *)", false},
	    {"rate(1 days)", false},
	    {"rate(5 weeks)", false},
	    {"at(2026-12-01 07:30)", false},
	    {"0 7 * * *", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char to[128];
		snprintf(to, sizeof(to), "Schedule: '%s'", cases[i].expr);
		fixture fx;
		run(&fx, "dev", "Schedule: cron(30 6 ? * MON-FRI *)", to);
		bool fired = has_message(&fx, "CMP007", "is not valid");
		if (fired == cases[i].ok)
			fail_msg("%s: expected %s", cases[i].expr,
			         cases[i].ok ? "valid" : "invalid");
		done(&fx);
	}
	fixture fx;
	run(&fx, "dev", "          Timezone: Asia/Singapore\n", "");
	assert_true(has_message(&fx, "CMP007", "no time zone"));
	done(&fx);
	run(&fx, "dev", "ScheduleExpressionTimezone: Asia/Singapore",
	    "ScheduleExpressionTimezone: Europe/Dublin");
	assert_true(has_message(&fx, "CMP007", "Singapore time"));
	done(&fx);
}

static void test_compute_params(void **state)
{
	(void)state;
	fixture fx;
	/* the real templates: every CMP008-CMP010 input is a parameter there */
	lms_error err = {0};
	const char *dir = getenv("LMSCTL_TEMPLATES") ? getenv("LMSCTL_TEMPLATES") : "templates";
	fx.cat = catalog_load(dir, &err);
	if (!fx.cat)
		fail_msg("%s", err.msg);
	fx.m = model_new_from_catalog(fx.cat, "prod", &err);
	assert_non_null(fx.m);
	findings_init(&fx.f);
	validate_model(fx.cat, fx.m, &fx.f);
	assert_int_equal(count(&fx, "CMP008", SEV_ERROR) + count(&fx, "CMP009", SEV_ERROR), 0);
	assert_int_equal(count(&fx, "CMP010", SEV_INFO), 1);
	findings_free(&fx.f);

	model_set(fx.m, "TargetSessionsPerTask", "250");
	model_set(fx.m, "ExamMinTasks", "1000");
	model_set(fx.m, "ExamDatabaseMinCapacity", "1");
	findings_init(&fx.f);
	validate_model(fx.cat, fx.m, &fx.f);
	assert_int_equal(count(&fx, "CMP008", SEV_ERROR), 1);
	assert_int_equal(count(&fx, "CMP009", SEV_ERROR), 2);
	findings_free(&fx.f);
	model_set(fx.m, "ExamDatabaseMinCapacity", "64.25");
	findings_init(&fx.f);
	validate_model(fx.cat, fx.m, &fx.f);
	assert_true(has_message(&fx, "CMP009", "not a Serverless v2 capacity"));
	findings_free(&fx.f);
	model_free(fx.m);
	catalog_free(fx.cat);
}

/* CMP011: the minimum's headroom absorbs the surge step of one reactive
 * minute. prod: 9 tasks x (250 - 175) = 675 against 500. */
static void test_surge_margin(void **state)
{
	(void)state;
	fixture fx;
	lms_error err = {0};
	const char *dir = getenv("LMSCTL_TEMPLATES") ? getenv("LMSCTL_TEMPLATES") : "templates";
	fx.cat = catalog_load(dir, &err);
	if (!fx.cat)
		fail_msg("%s", err.msg);
	static const char *const envs[] = {"dev", "staging", "prod"};
	for (size_t i = 0; i < 3; i++) {
		fx.m = model_new_from_catalog(fx.cat, envs[i], &err);
		assert_non_null(fx.m);
		findings_init(&fx.f);
		validate_model(fx.cat, fx.m, &fx.f);
		assert_int_equal(
		    count(&fx, "CMP011", SEV_ERROR) + count(&fx, "CMP011", SEV_WARNING), 0);
		findings_free(&fx.f);
		model_free(fx.m);
	}
	fx.m = model_new_from_catalog(fx.cat, "prod", &err);
	/* exactly absorbed: 675 */
	model_set(fx.m, "SurgeStepUsers", "675");
	findings_init(&fx.f);
	validate_model(fx.cat, fx.m, &fx.f);
	assert_int_equal(count(&fx, "CMP011", SEV_ERROR), 0);
	findings_free(&fx.f);
	/* one user more */
	model_set(fx.m, "SurgeStepUsers", "676");
	findings_init(&fx.f);
	validate_model(fx.cat, fx.m, &fx.f);
	assert_int_equal(count(&fx, "CMP011", SEV_ERROR), 1);
	assert_true(has_message(&fx, "CMP011", "675"));
	findings_free(&fx.f);
	/* or one task fewer: 600 */
	model_set(fx.m, "SurgeStepUsers", "675");
	model_set(fx.m, "ServiceMinTasks", "8");
	findings_init(&fx.f);
	validate_model(fx.cat, fx.m, &fx.f);
	assert_int_equal(count(&fx, "CMP011", SEV_ERROR), 1);
	findings_free(&fx.f);
	model_free(fx.m);
	/* a warning outside prod */
	fx.m = model_new_from_catalog(fx.cat, "dev", &err);
	model_set(fx.m, "SurgeStepUsers", "100000");
	findings_init(&fx.f);
	validate_model(fx.cat, fx.m, &fx.f);
	assert_int_equal(count(&fx, "CMP011", SEV_WARNING), 1);
	findings_free(&fx.f);
	model_free(fx.m);
	catalog_free(fx.cat);
}

/* Fargate's table edge by edge: each CPU value's smallest and largest
 * memory, one step outside each, a size between steps; the units. */
static void test_fargate_edges(void **state)
{
	(void)state;
	static const struct {
		const char *cpu, *mem;
		bool ok;
	} cases[] = {
	    {"'256'", "'1024'", true},         {"'256'", "'2048'", true},
	    {"'256'", "'2560'", false},        {"'256'", "'256'", false},
	    {"'512'", "'1024'", true},         {"'512'", "'512'", false},
	    {"'512'", "'4097'", false},        {"'1024'", "'2048'", true},
	    {"'1024'", "'1024'", false},       {"'1024'", "'8192'", true},
	    {"'1024'", "'9216'", false},       {"'1024'", "'2049'", false},
	    {"'2048'", "'4096'", true},        {"'2048'", "'16384'", true},
	    {"'2048'", "'17408'", false},      {"'4096'", "'8192'", true},
	    {"'4096'", "'7168'", false},       {"'8192'", "'16384'", true},
	    {"'8192'", "'61440'", true},       {"'8192'", "'65536'", false},
	    {"'8192'", "'12288'", false},      {"'16384'", "'32768'", true},
	    {"'16384'", "'122880'", true},     {"'16384'", "'131072'", false},
	    {"'16384'", "'24576'", false},     {"'16384'", "'36864'", false},
	    {"'128'", "'512'", false},         {"'257'", "'512'", false},
	    {"'0.25 vCPU'", "'0.5 GB'", true}, {"'2 vCPU'", "'3 GB'", false},
	    {"'1024'", "'2GB'", true},         {"'1vCPU'", "'9GB'", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char from[] = "Default: '1024'\n  TaskMemory:\n    Type: String\n    Description: "
		              "memory\n    Default: '2048'";
		char to[256];
		snprintf(to, sizeof(to),
		         "Default: %s\n  TaskMemory:\n    Type: String\n    Description: "
		         "memory\n    Default: %s",
		         cases[i].cpu, cases[i].mem);
		fixture fx;
		run(&fx, "dev", from, to);
		size_t n = count(&fx, "CMP001", SEV_ERROR);
		if (n != (cases[i].ok ? 0u : 1u))
			fail_msg("cpu %s memory %s: %zu CMP001 findings", cases[i].cpu,
			         cases[i].mem, n);
		done(&fx);
	}
	/* what is no size is not judged: a unit of the other kind, none at all, 0 */
	static const char *const unread[][2] = {
	    {"'1 GB'", "'1'"}, {"'1024'", "'2 vCPU'"}, {"'0'", "'1'"},
	    {"'vCPU'", "'1'"}, {"'1024'", "'2 GBs'"},  {"'-1024'", "'1'"},
	};
	for (size_t i = 0; i < sizeof(unread) / sizeof(unread[0]); i++) {
		char from[] = "Default: '1024'\n  TaskMemory:\n    Type: String\n    Description: "
		              "memory\n    Default: '2048'";
		char to[256];
		snprintf(to, sizeof(to),
		         "Default: %s\n  TaskMemory:\n    Type: String\n    Description: "
		         "memory\n    Default: %s",
		         unread[i][0], unread[i][1]);
		fixture fx;
		run(&fx, "dev", from, to);
		if (count(&fx, "CMP001", SEV_ERROR))
			fail_msg("cpu %s memory %s: judged", unread[i][0], unread[i][1]);
		done(&fx);
	}
	/* under one unit: 0 CPU units or 0 MiB, which no size has */
	static const char *const tiny[][2] = {{"'0.5'", "'512'"}, {"'256'", "'0.5'"}};
	for (size_t i = 0; i < 2; i++) {
		char from[] = "Default: '1024'\n  TaskMemory:\n    Type: String\n    Description: "
		              "memory\n    Default: '2048'";
		char to[256];
		snprintf(to, sizeof(to),
		         "Default: %s\n  TaskMemory:\n    Type: String\n    Description: "
		         "memory\n    Default: %s",
		         tiny[i][0], tiny[i][1]);
		fixture fx;
		run(&fx, "dev", from, to);
		if (count(&fx, "CMP001", SEV_ERROR) != 1)
			fail_msg("cpu %s memory %s: not judged", tiny[i][0], tiny[i][1]);
		done(&fx);
	}
	/* a task definition that is not FARGATE is not judged */
	fixture fx;
	run(&fx, "dev", "RequiresCompatibilities: [FARGATE]\n      Cpu: !Ref TaskCpu",
	    "RequiresCompatibilities: [EC2, FARGATEX]\n      Cpu: '3'");
	assert_int_equal(count(&fx, "CMP001", SEV_ERROR), 0);
	done(&fx);
	run(&fx, "dev", "RequiresCompatibilities: [FARGATE]\n      Cpu: !Ref TaskCpu",
	    "RequiresCompatibilities: [EC2, FARGATE]\n      Cpu: '3'");
	assert_int_equal(count(&fx, "CMP001", SEV_ERROR), 1);
	done(&fx);
}

/* A FARGATE task with no CPU or memory to read (left out, or an intrinsic
 * the rendering keeps) is not judged; RequiresCompatibilities written as a
 * single value or an intrinsic is no list of FARGATE. */
static void test_fargate_unread(void **state)
{
	(void)state;
	static const struct {
		const char *to;
		size_t want;
	} cases[] = {
	    {"RequiresCompatibilities: [FARGATE]\n      Memory: '3'", 0},
	    {"RequiresCompatibilities: [FARGATE]\n      Cpu: !GetAtt Service.Name\n      Memory: "
	     "'3'",
	     0},
	    {"RequiresCompatibilities: [FARGATE]\n      Cpu: '3'", 0},
	    {"RequiresCompatibilities: [FARGATE]\n      Cpu: '3'\n      Memory: '3'", 1},
	    {"RequiresCompatibilities: FARGATE\n      Cpu: '3'\n      Memory: '3'", 0},
	    {"RequiresCompatibilities: !Split [',', 'FARGATE']\n      Cpu: '3'\n      Memory: '3'",
	     1},
	    {"RequiresCompatibilities: [FARGATE, EC2]\n      Cpu: '3'\n      Memory: '3'", 1},
	};
	int failed = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fixture fx;
		run(&fx, "dev",
		    "RequiresCompatibilities: [FARGATE]\n      Cpu: !Ref TaskCpu\n      Memory: "
		    "!Ref "
		    "TaskMemory",
		    cases[i].to);
		size_t n = count(&fx, "CMP001", SEV_ERROR);
		if (n != cases[i].want) {
			dump(&fx);
			print_error("%s: %zu CMP001, wanted %zu\n", cases[i].to, n, cases[i].want);
			failed++;
		}
		done(&fx);
	}
	assert_int_equal(failed, 0);
}

/* The service a scaling target scales is found wherever it is: here the
 * first resource of the template (its desired count above the maximum) and
 * the target the last. */
static void test_service_first(void **state)
{
	(void)state;
	static const char text[] = "Resources:\n"
	                           "  Service:\n"
	                           "    Type: AWS::ECS::Service\n"
	                           "    Properties:\n"
	                           "      DesiredCount: 11\n"
	                           "  ScalingTarget:\n"
	                           "    Type: AWS::ApplicationAutoScaling::ScalableTarget\n"
	                           "    Properties:\n"
	                           "      ServiceNamespace: ecs\n"
	                           "      ResourceId: !Sub 'service/${Cluster}/${Service.Name}'\n"
	                           "      MinCapacity: 1\n"
	                           "      MaxCapacity: 10\n";
	fixture fx;
	run_with(&fx, text, "dev", "DesiredCount: 11", "DesiredCount: 11", NULL);
	assert_int_equal(count(&fx, "CMP002", SEV_ERROR), 1);
	done(&fx);
	run_with(&fx, text, "dev", "DesiredCount: 11", "DesiredCount: 10", NULL);
	assert_int_equal(count(&fx, "CMP002", SEV_ERROR), 0);
	done(&fx);
	/* the target first, the service last; and the minimum above the maximum */
	static const char target_first[] =
	    "Resources:\n"
	    "  ScalingTarget:\n"
	    "    Type: AWS::ApplicationAutoScaling::ScalableTarget\n"
	    "    Properties:\n"
	    "      ServiceNamespace: ecs\n"
	    "      ResourceId: !Sub 'service/${Cluster}/${Service.Name}'\n"
	    "      MinCapacity: 1\n"
	    "      MaxCapacity: 10\n"
	    "  Service:\n"
	    "    Type: AWS::ECS::Service\n"
	    "    Properties:\n"
	    "      DesiredCount: 11\n";
	run_with(&fx, target_first, "dev", "DesiredCount: 11", "DesiredCount: 11", NULL);
	assert_int_equal(count(&fx, "CMP002", SEV_ERROR), 1);
	done(&fx);
	run_with(&fx, target_first, "dev", "MinCapacity: 1", "MinCapacity: 11", NULL);
	assert_int_equal(count(&fx, "CMP002", SEV_ERROR), 2); /* min > max, desired > max */
	done(&fx);
}

/* Task counts, health checks, alarm periods and throttling at each edge. */
static void test_compute_edges(void **state)
{
	(void)state;
	static const struct {
		const char *env, *from, *to, *rule;
		size_t want;
	} cases[] = {
	    /* minimum against maximum (3 and 60) */
	    {"dev", "Default: 60", "Default: 3", "CMP002", 0},
	    {"dev", "Default: 60", "Default: 2", "CMP002", 2}, /* the desired 3 is above it too */
	    /* the desired count against the range [3, 60] */
	    {"dev", "DesiredCount: 3", "DesiredCount: 60", "CMP002", 0},
	    {"dev", "DesiredCount: 3", "DesiredCount: 61", "CMP002", 1},
	    {"dev", "DesiredCount: 3", "DesiredCount: 2", "CMP002", 1},
	    /* a service the target does not name (a name only sharing a prefix) */
	    {"dev", "  Service:\n", "  Serv:\n", "CMP002", 0},
	    {"dev",
	     "  Service:\n    Type: AWS::ECS::Service\n    Properties:\n      DesiredCount: 3",
	     "  Service:\n    Type: AWS::ECS::Service\n    Properties:\n      DesiredCount: 3\n"
	     "  Servic:\n    Type: AWS::ECS::Service\n    Properties:\n      DesiredCount: 99\n"
	     "  XService:\n    Type: AWS::ECS::Service\n    Properties:\n      DesiredCount: 99",
	     "CMP002", 0},
	    {"dev", "ServiceNamespace: ecs", "ServiceNamespace: ecsx", "CMP002", 0},
	    /* prod: at least one task per AZ (3) */
	    {"prod", "Default: 3\n  MaxTasks", "Default: 3\n  MaxTasks", "CMP003", 0},
	    {"prod", "Default: '3'", "Default: '2'", "CMP003", 0},
	    {"prod", "Default: '3'", "Default: '4'", "CMP003", 1},
	    /* health checks: 10 s fits, 11 does not */
	    {"dev", "HealthCheckIntervalSeconds: 5", "HealthCheckIntervalSeconds: 10\n      X: 1",
	     "CMP004", 1},
	    {"dev", "HealthyThresholdCount: 2", "HealthyThresholdCount: 1", "CMP004", 0},
	    {"dev", "HealthCheckIntervalSeconds: 5\n      HealthyThresholdCount: 2",
	     "HealthCheckIntervalSeconds: 10\n      HealthyThresholdCount: 1", "CMP004", 0},
	    {"dev", "HealthCheckIntervalSeconds: 5\n      HealthyThresholdCount: 2",
	     "HealthCheckIntervalSeconds: 11\n      HealthyThresholdCount: 1", "CMP004", 1},
	    {"dev", "HealthCheckIntervalSeconds: 5\n      HealthyThresholdCount: 2",
	     "HealthyThresholdCount: 2", "CMP004", 1}, /* the default interval, 30 s */
	    {"dev", "HealthCheckIntervalSeconds: 5\n      HealthyThresholdCount: 2",
	     "HealthCheckIntervalSeconds: 2", "CMP004", 0}, /* the default threshold, 5 */
	    {"dev", "HealthCheckIntervalSeconds: 5\n      HealthyThresholdCount: 2",
	     "HealthCheckIntervalSeconds: 3", "CMP004", 1},
	    /* alarm periods */
	    {"dev", "Period: 60", "Period: 59", "CMP005", 1},
	    {"dev", "Period: 60", "Period: 61", "CMP005", 1},
	    {"dev", "Period: 60", "Period: 120", "CMP005", 0},
	    {"dev", "Period: 60", "Period: 30", "CMP005", 1},
	    {"dev", "Namespace: AWS/ApplicationELB\n      Period: 60",
	     "Namespace: LMS/dev\n      Period: 30", "CMP005", 0},
	    {"dev", "Namespace: AWS/ApplicationELB\n      Period: 60",
	     "Namespace: LMS/dev\n      Period: 40", "CMP005", 1},
	    {"dev", "Namespace: AWS/ApplicationELB\n      Period: 60",
	     "Namespace: AWS\n      Period: 10", "CMP005", 0},
	    {"dev", "Namespace: AWS/ApplicationELB\n      Period: 60",
	     "Namespace: AWSX/dev\n      Period: 10", "CMP005", 0},
	    {"dev", "Namespace: AWS/ApplicationELB\n      Period: 60", "Period: 10", "CMP005", 0},
	    {"dev", "Period: 300", "Period: 60", "CMP005", 0},
	    {"dev", "Period: 300", "Period: 301", "CMP005", 1},
	    {"dev", "Metric: {Namespace: AWS/ElastiCache, MetricName: Evictions}",
	     "Metric: {Namespace: Custom, MetricName: Evictions}\n            Period: 20\n         "
	     " X: ",
	     "CMP005", 0},
	    /* throttling: a burst at the rate passes, one under it does not */
	    {"dev", "ThrottlingBurstLimit: 5000", "ThrottlingBurstLimit: 4999", "CMP006", 1},
	    {"dev", "ThrottlingRateLimit: 5000", "ThrottlingRateLimit: 5000.5", "CMP006", 1},
	    {"dev", "BurstLimit: 200", "BurstLimit: 100", "CMP006", 0},
	    {"dev", "BurstLimit: 200", "BurstLimit: 99", "CMP006", 1},
	    {"dev", "Type: AWS::ApiGateway::UsagePlan", "Type: AWS::ApiGateway::UsagePlanKey",
	     "CMP006", 0},
	    /* the same burst fault under a longer type name is not judged */
	    {"dev",
	     "Type: AWS::ApiGateway::UsagePlan\n    Properties:\n      Throttle: {RateLimit: 100, "
	     "BurstLimit: 200}",
	     "Type: AWS::ApiGateway::UsagePlanKey\n    Properties:\n      Throttle: {RateLimit: "
	     "100, BurstLimit: 99}",
	     "CMP006", 0},
	    {"dev", "Type: AWS::ApiGateway::Stage", "Type: AWS::ApiGateway::StageX", "CMP006", 0},
	    /* every type exactly: the same faults under a longer type name are not judged */
	    {"dev",
	     "Type: AWS::ECS::TaskDefinition\n    Properties:\n      RequiresCompatibilities: "
	     "[FARGATE]\n      Cpu: !Ref TaskCpu",
	     "Type: AWS::ECS::TaskDefinitionX\n    Properties:\n      RequiresCompatibilities: "
	     "[FARGATE]\n      Cpu: '3'",
	     "CMP001", 0},
	    {"dev",
	     "Type: AWS::ElasticLoadBalancingV2::TargetGroup\n    Properties:\n      "
	     "HealthCheckIntervalSeconds: 5",
	     "Type: AWS::ElasticLoadBalancingV2::TargetGroupX\n    Properties:\n      "
	     "HealthCheckIntervalSeconds: 30",
	     "CMP004", 0},
	    {"dev",
	     "Type: AWS::CloudWatch::Alarm\n    Properties:\n      Namespace: AWS/ApplicationELB\n "
	     "     Period: 60",
	     "Type: AWS::CloudWatch::AlarmX\n    Properties:\n      Namespace: "
	     "AWS/ApplicationELB\n      Period: 59",
	     "CMP005", 0},
	    {"dev", "Type: AWS::Scheduler::Schedule\n", "Type: AWS::Scheduler::ScheduleGroup\n",
	     "CMP007", 0},
	    {"dev", "ScheduleExpressionTimezone: Asia/Singapore",
	     "ScheduleExpressionTimezone: Asia/Singapore\n  Group:\n    Type: "
	     "AWS::Scheduler::ScheduleGroup\n    Properties:\n      ScheduleExpression: bad",
	     "CMP007", 0},
	    {"dev", "Schedule: cron(30 6 ? * MON-FRI *)", "Schedule: bad", "CMP007", 1},
	    {"dev", "ScalableTarget\n    Properties:\n      ServiceNamespace: ecs\n",
	     "ScalableTargetX\n    Properties:\n      ServiceNamespace: ecs\n", "CMP002", 0},
	    {"dev",
	     "ScalableTarget\n    Properties:\n      ServiceNamespace: ecs\n      ResourceId: !Sub "
	     "'service/${Cluster}/${Service.Name}'\n      MinCapacity: !Ref MinTasks",
	     "ScalableTargetX\n    Properties:\n      ServiceNamespace: ecs\n      ResourceId: "
	     "!Sub 'service/${Cluster}/${Service.Name}'\n      MinCapacity: 99",
	     "CMP002", 0},
	    {"dev", "Type: AWS::ECS::Service\n    Properties:\n      DesiredCount: 3",
	     "Type: AWS::ECS::ServiceX\n    Properties:\n      DesiredCount: 100", "CMP002", 0},
	};
	int failed = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fixture fx;
		run(&fx, cases[i].env, cases[i].from, cases[i].to);
		size_t n = count(&fx, cases[i].rule, SEV_ERROR);
		if (n != cases[i].want) {
			dump(&fx);
			print_error("case %zu (%s -> %s): %zu %s, wanted %zu\n", i, cases[i].from,
			            cases[i].to, n, cases[i].rule, cases[i].want);
			failed++;
		}
		done(&fx);
	}
	assert_int_equal(failed, 0);
}

/* Schedules edge by edge: each cron field at both ends of its range and one
 * past, names, steps, L/W/#, the rate units singular and plural, at()'s
 * exact shape; the time zone exactly Asia/Singapore. */
static void test_schedule_edges(void **state)
{
	(void)state;
	static const struct {
		const char *expr;
		bool ok;
	} cases[] = {
	    {"cron(0 0 ? * 1 1970)", true},
	    {"cron(59 23 31 12 ? 2199)", true},
	    {"cron(60 0 ? * 1 *)", false},
	    {"cron(0 24 ? * 1 *)", false},
	    {"cron(0 0 0 * ? *)", false},
	    {"cron(0 0 32 * ? *)", false},
	    {"cron(0 0 ? 0 1 *)", false},
	    {"cron(0 0 ? 13 1 *)", false},
	    {"cron(0 0 ? * 0 *)", false},
	    {"cron(0 0 ? * 7 *)", true},
	    {"cron(0 0 ? * 8 *)", false},
	    {"cron(0 0 ? * 1 1969)", false},
	    {"cron(0 0 ? * 1 2200)", false},
	    {"cron(0 0 1 jan ? *)", true},
	    {"cron(0 0 1 DEC ? *)", true},
	    {"cron(0 0 1 DECX ? *)", false},
	    {"cron(0 0 ? * sat *)", true},
	    {"cron(0 0 ? * SUN-SAT *)", true},
	    {"cron(0 0 ? * SATX *)", false},
	    {"cron(0 0 L * ? *)", true},
	    {"cron(0 0 LW * ? *)", true},
	    {"cron(0 0 15W * ? *)", true},
	    {"cron(0 0 ? * 6L *)", true},
	    {"cron(0 0 ? * MON#2 *)", true},
	    {"cron(L 0 ? * 1 *)", false},
	    {"cron(0 L ? * 1 *)", false},
	    {"cron(*/5 * ? * * *)", true},
	    {"cron(*/0 * ? * * *)", false},
	    {"cron(0/x * ? * * *)", false},
	    {"cron(5/1 * ? * * *)", true},
	    {"cron(0,30 6 ? * 1 *)", true},
	    {"cron(0,,30 6 ? * 1 *)", false},
	    {"cron(0 0 ? * ? *)", false},
	    {"cron(0 0 1 * 1 *)", false},
	    {"cron(0 0 ? * 1 * *)", false},
	    {"cron(0 0 ? * 1)", false},
	    {"cron(1-59 0 ? * 1 *)", true},
	    {"cron(1-60 0 ? * 1 *)", false},
	    {"cron(a 0 ? * 1 *)", false},
	    {"cron(1a 0 ? * 1 *)", false},
	    {"cron(0123456789012345678901234567890123 0 ? * 1 *)", false},
	    {"cron()", false},
	    {"cron(0 0 ? * 1 *", false},
	    {"rate(1 minute)", true},
	    {"rate(2 minutes)", true},
	    {"rate(1 hour)", true},
	    {"rate(3 hours)", true},
	    {"rate(2 days)", true},
	    {"rate(1 minutes)", false},
	    {"rate(2 minute)", false},
	    {"rate(1 hours)", false},
	    {"rate(2 hour)", false},
	    {"rate(2 day)", false},
	    {"rate(0 minutes)", false},
	    {"rate(-1 minutes)", false},
	    {"rate(5minutes)", false},
	    {"rate(5 minutesx)", false},
	    {"rate(5 minute)", false},
	    {"rate(5 minu)", false},
	    {"rate()", false},
	    {"at(2026-12-01T07:30:0)", false},
	    {"at(2026-12-01T07:30:000)", false},
	    {"at(2026-12-01T07-30:00)", false},
	    {"at(2026-12-01T07:30-00)", false},
	    {"at(2026-12-01 07:30:00)", false},
	    {"at(2026/12-01T07:30:00)", false},
	    {"at(2026-12/01T07:30:00)", false},
	    {"at(2026-12-01T07:30:00", false},
	    {"every(5)", false},
	    {"x()", false},
	};
	int failed = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char to[128];
		snprintf(to, sizeof(to), "ScheduleExpression: '%s'", cases[i].expr);
		fixture fx;
		run(&fx, "dev", "ScheduleExpression: at(2026-12-01T07:30:00)", to);
		bool fired = has_message(&fx, "CMP007", "is not valid");
		if (fired == cases[i].ok) {
			print_error("%s: expected %s\n", cases[i].expr,
			            cases[i].ok ? "valid" : "invalid");
			failed++;
		}
		done(&fx);
	}
	assert_int_equal(failed, 0);
	static const char *const zones[] = {"Asia/Singapor", "Asia/Singapore2", "asia/singapore"};
	for (size_t i = 0; i < 3; i++) {
		char to[128];
		snprintf(to, sizeof(to), "ScheduleExpressionTimezone: %s", zones[i]);
		fixture fx;
		run(&fx, "dev", "ScheduleExpressionTimezone: Asia/Singapore", to);
		if (!has_message(&fx, "CMP007", "Singapore time"))
			fail_msg("%s taken for Singapore", zones[i]);
		done(&fx);
	}
}

/* Each way a schedule is wrong says which: the exact reason for the first
 * rule it breaks (a near name of each function, each separator of at() alone,
 * rate()'s number and unit, each cron() field, the '?' rule); valid ones say
 * nothing. */
static void test_schedule_messages(void **state)
{
	(void)state;
	static const char expected[] = "expected at(...), rate(...) or cron(...)";
	static const char at_form[] = "at() takes yyyy-mm-ddThh:mm:ss";
	static const char rate_num[] = "rate() takes a positive number and a unit";
	static const char rate_unit[] = "rate() units are minutes, hours or days";
	static const char rate_plural[] =
	    "rate() uses the singular unit for 1 and the plural otherwise";
	static const struct {
		const char *expr, *why; /* why NULL: valid */
	} cases[] = {
	    {"rate)", expected},
	    {"rat())", expected},
	    {"rate(5 minutes", expected},
	    {"rated(5 minutes)", expected},
	    {"ratx(5 minutes)", expected},
	    {"cronx(0 0 ? * 1 *)", expected},
	    {"cro(0 0 ? * 1 *)", expected},
	    {"atx(2026-12-01T07:30:00)", expected},
	    {"at(2026-12-01T07:30:00)", NULL},
	    {"at(2026-12-01T07:30:0)", at_form},
	    {"at(2026-12-01T07:30:000)", at_form},
	    {"at(2026x12-01T07:30:00)", at_form},
	    {"at(2026-12x01T07:30:00)", at_form},
	    {"at(2026-12-01x07:30:00)", at_form},
	    {"at(2026-12-01T07x30:00)", at_form},
	    {"at(2026-12-01T07:30x00)", at_form},
	    {"rate(0 minutes)", rate_num},
	    {"rate(-1 minutes)", rate_num},
	    {"rate(1minute)", rate_num},
	    {"rate(1 minute)", NULL},
	    {"rate(2 minutes)", NULL},
	    {"rate(1 hour)", NULL},
	    {"rate(3 hours)", NULL},
	    {"rate(1 day)", NULL},
	    {"rate(7 days)", NULL},
	    {"rate(1 minutes)", rate_plural},
	    {"rate(2 minute)", rate_plural},
	    {"rate(1 days)", rate_plural},
	    {"rate(2 day)", rate_plural},
	    {"rate(5 minutesx)", rate_unit},
	    {"rate(5 minute )", rate_unit},
	    {"rate(5 minut)", rate_unit},
	    {"rate(5 )", rate_unit},
	    {"rate(5 weeks)", rate_unit},
	    {"cron(0 0 ? * 1)", "cron() takes six fields"},
	    {"cron(0 0 ? * 1 * *)", "cron() takes six fields"},
	    {"cron(0 0 ? * 1 * * *)", "cron() takes six fields"},
	    {"cron(60 0 ? * 1 *)", "cron() minutes must be 0-59"},
	    {"cron(0 24 ? * 1 *)", "cron() hours must be 0-23"},
	    {"cron(0 0 32 * ? *)", "cron() day-of-month must be 1-31, ?, L or W"},
	    {"cron(0 0 ? 13 1 *)", "cron() month must be 1-12 or JAN-DEC"},
	    {"cron(0 0 ? * 8 *)", "cron() day-of-week must be 1-7, SUN-SAT, ?, L or #"},
	    {"cron(0 0 ? * 1 2200)", "cron() year must be 1970-2199"},
	    {"cron(0 0 ? * ? *)",
	     "cron() needs '?' in exactly one of day-of-month and day-of-week"},
	    {"cron(0 0 1 * 1 *)",
	     "cron() needs '?' in exactly one of day-of-month and day-of-week"},
	    {"cron(0 0 1 * ? *)", NULL},
	    {"cron(0 0 ? * 1 *)", NULL},
	};
	int failed = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char to[256], want[512];
		snprintf(to, sizeof to, "ScheduleExpression: '%s'", cases[i].expr);
		fixture fx;
		run(&fx, "dev", "ScheduleExpression: at(2026-12-01T07:30:00)", to);
		snprintf(want, sizeof want, "schedule '%s' is not valid: %s", cases[i].expr,
		         cases[i].why ? cases[i].why : "");
		size_t n = count(&fx, "CMP007", SEV_ERROR);
		bool ok = cases[i].why ? n == 1 && has_message(&fx, "CMP007", want) : n == 0;
		if (!ok) {
			dump(&fx);
			print_error("%s: %zu CMP007, wanted %s\n", cases[i].expr, n,
			            cases[i].why ? cases[i].why : "none");
			failed++;
		}
		done(&fx);
	}
	assert_int_equal(failed, 0);
}

/* The first finding of `rule`, or fails. */
static const finding *first_of(const fixture *fx, const char *rule)
{
	for (size_t i = 0; i < fx->f.n; i++)
		if (strcmp(fx->f.v[i].rule, rule) == 0)
			return &fx->f.v[i];
	dump(fx);
	fail_msg("no %s finding", rule);
	return NULL;
}

/* The compute tier's own parameters (CMP008-CMP011), in a fragment of the
 * test's: 3 tasks x (250 - 175) = 225 users of headroom against a surge of
 * 225, the exam minimum 6 in [3, 60], the Aurora exam minimum 4 in [0.5, 64]. */
static const char compute_params[] =
    "Metadata:\n"
    "  AWS::CloudFormation::Interface:\n"
    "    ParameterGroups:\n"
    "      - Label: {default: Compute}\n"
    "        Parameters: [TaskSessionCapacity, TargetSessionsPerTask, ServiceMinTasks,\n"
    "                     ExamMinTasks, ServiceMaxTasks, DatabaseMinCapacity,\n"
    "                     ExamDatabaseMinCapacity, DatabaseMaxCapacity, SurgeStepUsers]\n"
    "Parameters:\n"
    "  TaskSessionCapacity:\n    Type: Number\n    Description: c\n    Default: 250\n"
    "  TargetSessionsPerTask:\n    Type: Number\n    Description: t\n    Default: 175\n"
    "  ServiceMinTasks:\n    Type: Number\n    Description: s\n    Default: 3\n"
    "  ExamMinTasks:\n    Type: Number\n    Description: e\n    Default: 6\n"
    "  ServiceMaxTasks:\n    Type: Number\n    Description: m\n    Default: 60\n"
    "  DatabaseMinCapacity:\n    Type: Number\n    Description: d\n    Default: 0.5\n"
    "  ExamDatabaseMinCapacity:\n    Type: Number\n    Description: x\n    Default: 4\n"
    "  DatabaseMaxCapacity:\n    Type: Number\n    Description: y\n    Default: 64\n"
    "  SurgeStepUsers:\n    Type: Number\n    Description: u\n    Default: 225\n"
    "Resources:\n"
    "  Topic:\n"
    "    Type: AWS::SNS::Topic\n";

/* CMP008-CMP011 at each edge: the target at and one under the capacity; the
 * exam minimum at and one past each end of its range (and which way the
 * message says it is out); the Aurora step; the surge exactly absorbed and
 * one user more; the vCPU quota's figure and a CPU of 0. */
static void test_compute_param_edges(void **state)
{
	(void)state;
	static const struct {
		const char *env, *from, *to, *rule;
		severity sev;
		size_t want;
		const char *text;
	} cases[] = {
	    {"dev", NULL, NULL, "CMP008", SEV_ERROR, 0, NULL},
	    {"dev", NULL, NULL, "CMP009", SEV_ERROR, 0, NULL},
	    {"dev", NULL, NULL, "CMP011", SEV_WARNING, 0, NULL},
	    {"dev", NULL, NULL, "CMP010", SEV_INFO, 1, "needs a Fargate vCPU quota of 60 in"},
	    {"dev", "Default: 175", "Default: 250", "CMP008", SEV_ERROR, 1,
	     "(250 sessions per task)"},
	    {"dev", "Default: 175", "Default: 249", "CMP008", SEV_ERROR, 0, NULL},
	    {"dev", "Default: 6", "Default: 3", "CMP009", SEV_ERROR, 0, NULL},
	    {"dev", "Default: 6", "Default: 2", "CMP009", SEV_ERROR, 1, "would lower capacity"},
	    {"dev", "Default: 6", "Default: 60", "CMP009", SEV_ERROR, 0, NULL},
	    {"dev", "Default: 6", "Default: 61", "CMP009", SEV_ERROR, 1,
	     "would ask for more than allowed"},
	    {"dev", "Default: 4\n", "Default: 0.5\n", "CMP009", SEV_ERROR, 0, NULL},
	    {"dev", "Default: 4\n", "Default: 64\n", "CMP009", SEV_ERROR, 0, NULL},
	    {"dev", "Default: 4\n", "Default: 4.5\n", "CMP009", SEV_ERROR, 0, NULL},
	    {"dev", "Default: 4\n", "Default: 64.5\n", "CMP009", SEV_ERROR, 1, "64.5 is outside"},
	    {"dev", "Default: 4\n", "Default: 4.25\n", "CMP009", SEV_ERROR, 1,
	     "4.25 ACU is not a Serverless v2"},
	    {"dev", "Default: 4\n", "Default: 0.25\n", "CMP009", SEV_ERROR, 2, NULL},
	    {"dev", "Default: 225", "Default: 226", "CMP011", SEV_WARNING, 1,
	     "3 tasks x 75 users of headroom absorb 225 users"},
	    {"prod", "Default: 225", "Default: 226", "CMP011", SEV_ERROR, 1, NULL},
	    {"prod", "Default: 225", "Default: 226", "CMP011", SEV_WARNING, 0, NULL},
	    {"prod", "Default: 225", "Default: 225", "CMP011", SEV_ERROR, 0, NULL},
	    {"dev", "Default: '1024'", "Default: '0'", "CMP010", SEV_INFO, 0, NULL},
	    {"dev", "Default: '1024'", "Default: '1'", "CMP010", SEV_INFO, 1,
	     "quota of 0.0585938 in"},
	    {"dev", "Default: '1024'", "Default: '512'", "CMP010", SEV_INFO, 1, "quota of 30 in"},
	};
	int failed = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fixture fx;
		run_with(&fx, compute_params, cases[i].env, cases[i].from, cases[i].to, NULL);
		size_t n = count(&fx, cases[i].rule, cases[i].sev);
		bool text_ok = !cases[i].text || has_message(&fx, cases[i].rule, cases[i].text);
		if (n != cases[i].want || !text_ok) {
			dump(&fx);
			print_error("case %zu (%s -> %s): %zu %s, wanted %zu%s%s\n", i,
			            cases[i].from ? cases[i].from : "-",
			            cases[i].to ? cases[i].to : "-", n, cases[i].rule,
			            cases[i].want, text_ok ? "" : " saying ",
			            text_ok ? "" : cases[i].text);
			failed++;
		}
		done(&fx);
	}
	assert_int_equal(failed, 0);
}

/* Task counts at the edges no other case sets: a maximum of 0, a minimum of
 * 0 (known, not unset), a desired count under it, the AZ count the model does
 * not give (3 by default), a scaling target naming the service in a mapping's
 * value or a list. */
static void test_count_edges(void **state)
{
	(void)state;
	static const char svc_to_min[] =
	    "DesiredCount: 3\n  ScalingTarget:\n    Type: "
	    "AWS::ApplicationAutoScaling::ScalableTarget\n"
	    "    Properties:\n      ServiceNamespace: ecs\n"
	    "      ResourceId: !Sub 'service/${Cluster}/${Service.Name}'\n"
	    "      MinCapacity: !Ref MinTasks";
	static const char svc_to_min_neg[] =
	    "DesiredCount: -1\n  ScalingTarget:\n    Type: "
	    "AWS::ApplicationAutoScaling::ScalableTarget\n"
	    "    Properties:\n      ServiceNamespace: ecs\n"
	    "      ResourceId: !Sub 'service/${Cluster}/${Service.Name}'\n"
	    "      MinCapacity: 0";
	static const char azs_to_min[] = "Default: '3'\n  MinTasks:\n    Type: Number\n    "
	                                 "Description: min\n    Default: 3";
	static const struct {
		const char *env, *from, *to, *rule;
		size_t want;
	} cases[] = {
	    /* a maximum of 0 is known: the minimum 1 and the desired 3 are both above */
	    {"dev", "MinCapacity: !Ref MinTasks\n      MaxCapacity: !Ref MaxTasks",
	     "MinCapacity: 1\n      MaxCapacity: 0", "CMP002", 2},
	    {"dev", "MinCapacity: !Ref MinTasks\n      MaxCapacity: !Ref MaxTasks",
	     "MinCapacity: 0\n      MaxCapacity: 0", "CMP002", 1},
	    /* a minimum of 0 is known: a desired count of -1 is under it */
	    {"dev", svc_to_min, svc_to_min_neg, "CMP002", 1},
	    {"prod", "MinCapacity: !Ref MinTasks", "MinCapacity: 0", "CMP003", 1},
	    {"prod", "MinCapacity: !Ref MinTasks", "MinCapacity: -1", "CMP003", 0},
	    /* no AZ count to read: three */
	    {"prod", azs_to_min,
	     "Default: 'x'\n  MinTasks:\n    Type: Number\n    "
	     "Description: min\n    Default: 3",
	     "CMP003", 0},
	    {"prod", azs_to_min,
	     "Default: 'x'\n  MinTasks:\n    Type: Number\n    "
	     "Description: min\n    Default: 2",
	     "CMP003", 1},
	    /* the service named in a mapping's value, or in a list */
	    {"dev", "ResourceId: !Sub 'service/${Cluster}/${Service.Name}'",
	     "ResourceId: {a: x, b: Service}", "CMP002", 0},
	    {"dev",
	     "DesiredCount: 3\n  ScalingTarget:\n    Type: "
	     "AWS::ApplicationAutoScaling::ScalableTarget\n"
	     "    Properties:\n      ServiceNamespace: ecs\n"
	     "      ResourceId: !Sub 'service/${Cluster}/${Service.Name}'",
	     "DesiredCount: 99\n  ScalingTarget:\n    Type: "
	     "AWS::ApplicationAutoScaling::ScalableTarget\n"
	     "    Properties:\n      ServiceNamespace: ecs\n"
	     "      ResourceId: {a: x, b: Service}",
	     "CMP002", 1},
	    {"dev",
	     "DesiredCount: 3\n  ScalingTarget:\n    Type: "
	     "AWS::ApplicationAutoScaling::ScalableTarget\n"
	     "    Properties:\n      ServiceNamespace: ecs\n"
	     "      ResourceId: !Sub 'service/${Cluster}/${Service.Name}'",
	     "DesiredCount: 99\n  ScalingTarget:\n    Type: "
	     "AWS::ApplicationAutoScaling::ScalableTarget\n"
	     "    Properties:\n      ServiceNamespace: ecs\n"
	     "      ResourceId: [x, y, Service]",
	     "CMP002", 1},
	    {"dev",
	     "DesiredCount: 3\n  ScalingTarget:\n    Type: "
	     "AWS::ApplicationAutoScaling::ScalableTarget\n"
	     "    Properties:\n      ServiceNamespace: ecs\n"
	     "      ResourceId: !Sub 'service/${Cluster}/${Service.Name}'",
	     "DesiredCount: 99\n  ScalingTarget:\n    Type: "
	     "AWS::ApplicationAutoScaling::ScalableTarget\n"
	     "    Properties:\n      ServiceNamespace: ecs\n"
	     "      ResourceId: {Service: x}",
	     "CMP002", 1},
	    {"dev",
	     "DesiredCount: 3\n  ScalingTarget:\n    Type: "
	     "AWS::ApplicationAutoScaling::ScalableTarget\n"
	     "    Properties:\n      ServiceNamespace: ecs\n"
	     "      ResourceId: !Sub 'service/${Cluster}/${Service.Name}'",
	     "DesiredCount: 99\n  ScalingTarget:\n    Type: "
	     "AWS::ApplicationAutoScaling::ScalableTarget\n"
	     "    Properties:\n      ServiceNamespace: ecs\n"
	     "      ResourceId: 'Service'",
	     "CMP002", 1},
	    /* a logical id is not checked to be alphanumeric: a service named _
	     * is named in a__ by its second match (the first has 'a' on its left) */
	    {"dev",
	     "  Service:\n    Type: AWS::ECS::Service\n    Properties:\n      DesiredCount: 3\n"
	     "  ScalingTarget:\n    Type: AWS::ApplicationAutoScaling::ScalableTarget\n"
	     "    Properties:\n      ServiceNamespace: ecs\n"
	     "      ResourceId: !Sub 'service/${Cluster}/${Service.Name}'",
	     "  _:\n    Type: AWS::ECS::Service\n    Properties:\n      DesiredCount: 99\n"
	     "  ScalingTarget:\n    Type: AWS::ApplicationAutoScaling::ScalableTarget\n"
	     "    Properties:\n      ServiceNamespace: ecs\n"
	     "      ResourceId: a__",
	     "CMP002", 1},
	    {"dev",
	     "  Service:\n    Type: AWS::ECS::Service\n    Properties:\n      DesiredCount: 3\n"
	     "  ScalingTarget:\n    Type: AWS::ApplicationAutoScaling::ScalableTarget\n"
	     "    Properties:\n      ServiceNamespace: ecs\n"
	     "      ResourceId: !Sub 'service/${Cluster}/${Service.Name}'",
	     "  _:\n    Type: AWS::ECS::Service\n    Properties:\n      DesiredCount: 99\n"
	     "  ScalingTarget:\n    Type: AWS::ApplicationAutoScaling::ScalableTarget\n"
	     "    Properties:\n      ServiceNamespace: ecs\n"
	     "      ResourceId: a_b",
	     "CMP002", 0},
	};
	int failed = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fixture fx;
		run(&fx, cases[i].env, cases[i].from, cases[i].to);
		size_t n = count(&fx, cases[i].rule, SEV_ERROR);
		if (n != cases[i].want) {
			dump(&fx);
			print_error("case %zu (%s -> %s): %zu %s, wanted %zu\n", i, cases[i].from,
			            cases[i].to, n, cases[i].rule, cases[i].want);
			failed++;
		}
		done(&fx);
	}
	assert_int_equal(failed, 0);
}

/* Which service a scaling target scales: the service's logical id as a whole
 * word of the ResourceId (a letter or digit on either side makes it another
 * name), found after a false match earlier in the text, or in no item of a
 * list. A desired count of 99 is above the maximum of the service it scales. */
static void test_refers_to_edges(void **state)
{
	(void)state;
	static const char from[] = "DesiredCount: 3\n  ScalingTarget:\n    Type: "
	                           "AWS::ApplicationAutoScaling::ScalableTarget\n"
	                           "    Properties:\n      ServiceNamespace: ecs\n"
	                           "      ResourceId: !Sub 'service/${Cluster}/${Service.Name}'";
	static const struct {
		const char *id;
		size_t want;
	} cases[] = {
	    {"MyService", 0},
	    {"Services", 0},
	    {"9Service", 0},
	    {"Service9", 0},
	    {"MyServiceX", 0},
	    {"MyService/Service", 1},
	    {"Services-Service", 1},
	    {"service/Service", 1},
	    {"_Service", 1},
	    {"Service_", 1},
	    {"[x, MyService]", 0},
	    {"[MyService, Service]", 1},
	    {"{a: Servicex, b: y}", 0},
	    {"x", 0},
	};
	int failed = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char to[512];
		snprintf(to, sizeof to,
		         "DesiredCount: 99\n  ScalingTarget:\n    Type: "
		         "AWS::ApplicationAutoScaling::ScalableTarget\n"
		         "    Properties:\n      ServiceNamespace: ecs\n"
		         "      ResourceId: %s",
		         cases[i].id);
		fixture fx;
		run(&fx, "dev", from, to);
		size_t n = count(&fx, "CMP002", SEV_ERROR);
		if (n != cases[i].want) {
			dump(&fx);
			print_error("ResourceId %s: %zu CMP002, wanted %zu\n", cases[i].id, n,
			            cases[i].want);
			failed++;
		}
		done(&fx);
	}
	assert_int_equal(failed, 0);
}

/* Where a finding points: on the parameter that sets the value (no
 * position), else at the property in the fragment; the health-check message
 * with each default in it. */
static void test_finding_places(void **state)
{
	(void)state;
	fixture fx;
	/* memory from a parameter: the finding is on TaskMemory */
	run(&fx, "dev", "Default: '2048'", "Default: '1536'");
	const finding *f = first_of(&fx, "CMP001");
	assert_string_equal(f->field, "TaskMemory");
	assert_null(f->file);
	done(&fx);
	/* memory written in the fragment: on the CPU's parameter */
	run(&fx, "dev", "Memory: !Ref TaskMemory", "Memory: '1536'");
	f = first_of(&fx, "CMP001");
	assert_string_equal(f->field, "TaskCpu");
	done(&fx);
	/* both written in the fragment: no parameter, a position */
	run(&fx, "dev", "Cpu: !Ref TaskCpu\n      Memory: !Ref TaskMemory",
	    "Cpu: '1024'\n      Memory: '1536'");
	f = first_of(&fx, "CMP001");
	assert_string_equal(f->field, "");
	assert_non_null(f->file);
	assert_non_null(strstr(f->file, "data.yml"));
	assert_int_equal(f->line, 6);
	done(&fx);
	/* the default interval, 30 s, and the default threshold, 5 */
	run(&fx, "dev", "      HealthCheckIntervalSeconds: 5\n", "");
	f = first_of(&fx, "CMP004");
	assert_string_equal(f->message,
	                    "TargetGroup: a new task needs 60 s of health checks (30 s "
	                    "x 2) before it serves; the one-minute scale-out leaves 10 s");
	assert_int_equal(f->line, 26);
	done(&fx);
	run(&fx, "dev", "      HealthyThresholdCount: 2\n", "");
	assert_int_equal(count(&fx, "CMP004", SEV_ERROR), 1);
	f = first_of(&fx, "CMP004");
	assert_non_null(strstr(f->message, "25 s of health checks (5 s x 5)"));
	assert_int_equal(f->line, 26);
	done(&fx);
}

/* Schedules: what each refusal says, field items at the item buffer's
 * size (31 characters) and one past, a step with trailing text, a `*` step
 * written `*x`, L and LW against longer names; a time zone with no
 * expression is not judged. */
static void test_schedule_more(void **state)
{
	(void)state;
	static const struct {
		const char *expr, *why;
	} cases[] = {
	    {"rate()", "rate() takes a positive number and a unit"},
	    {"at(x)", "expected at(...), rate(...) or cron(...)"},
	    {"rat()", "expected at(...), rate(...) or cron(...)"},
	    {"at(1234)", "at() takes yyyy-mm-ddThh:mm:ss"},
	    {"rate(1 minutes)", "singular unit for 1"},
	    {"rate(2 weeks)", "units are minutes, hours or days"},
	    {"cron(0 0 ? * 1)", "takes six fields"},
	    {"cron(60 0 ? * 1 *)", "minutes must be 0-59"},
	    {"cron(0 24 ? * 1 *)", "hours must be 0-23"},
	    {"cron(0 0 32 * ? *)", "day-of-month must be"},
	    {"cron(0 0 1 13 ? *)", "month must be 1-12"},
	    {"cron(0 0 ? * 8 *)", "day-of-week must be"},
	    {"cron(0 0 ? * 1 2200)", "year must be 1970-2199"},
	    {"cron(0 0 ? * ? *)", "exactly one of"},
	    {"cron(0/5x 0 ? * 1 *)", "minutes must be"},
	    {"cron(*x/5 0 ? * 1 *)", "minutes must be"},
	    {"cron(0 0 LX * ? *)", "day-of-month must be"},
	    {"cron(0 0 LWX * ? *)", "day-of-month must be"},
	    {"cron(00000000000000000000000000000005 0 ? * 1 *)", "minutes must be"},
	    {"cron(0 0 ? * W *)", "day-of-week must be"},
	    {"cron(0 0 1W-3 * ? *)", NULL},
	    {"cron(0000000000000000000000000000005 0 ? * 1 *)", NULL},
	    {"cron(0 0 ? * 2L-3 *)", NULL},
	    {"cron(0 0 L * ? *)", NULL},
	    {"cron(0 0 LW * ? *)", NULL},
	};
	int failed = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char to[128];
		snprintf(to, sizeof(to), "ScheduleExpression: '%s'", cases[i].expr);
		fixture fx;
		run(&fx, "dev", "ScheduleExpression: at(2026-12-01T07:30:00)", to);
		bool ok = cases[i].why ? has_message(&fx, "CMP007", cases[i].why)
		                       : !has_message(&fx, "CMP007", "is not valid");
		if (!ok) {
			dump(&fx);
			print_error("%s: expected %s\n", cases[i].expr,
			            cases[i].why ? cases[i].why : "valid");
			failed++;
		}
		done(&fx);
	}
	assert_int_equal(failed, 0);
	fixture fx;
	run(&fx, "dev", "      ScheduleExpression: at(2026-12-01T07:30:00)\n", "");
	assert_int_equal(count(&fx, "CMP007", SEV_ERROR), 0);
	done(&fx);
	run(&fx, "dev",
	    "      ScheduleExpression: at(2026-12-01T07:30:00)\n"
	    "      ScheduleExpressionTimezone: Asia/Singapore\n",
	    "      ScheduleExpressionTimezone: Europe/Dublin\n");
	assert_int_equal(count(&fx, "CMP007", SEV_ERROR), 0);
	done(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_passes),         cmocka_unit_test(test_fargate_sizes),
	    cmocka_unit_test(test_task_counts),         cmocka_unit_test(test_health_check),
	    cmocka_unit_test(test_alarm_period),        cmocka_unit_test(test_throttling),
	    cmocka_unit_test(test_schedules),           cmocka_unit_test(test_compute_params),
	    cmocka_unit_test(test_surge_margin),        cmocka_unit_test(test_fargate_edges),
	    cmocka_unit_test(test_compute_edges),       cmocka_unit_test(test_schedule_edges),
	    cmocka_unit_test(test_compute_param_edges), cmocka_unit_test(test_count_edges),
	    cmocka_unit_test(test_refers_to_edges),     cmocka_unit_test(test_schedule_messages),
	    cmocka_unit_test(test_fargate_unread),      cmocka_unit_test(test_service_first),
	    cmocka_unit_test(test_alarm_period_edges),  cmocka_unit_test(test_finding_places),
	    cmocka_unit_test(test_schedule_more),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
