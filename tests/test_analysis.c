/* Analyses: the scale-out timeline from the template's own values, the
 * capacity figures, the AZ-loss table and its rule, update safety from the
 * create-only data file, and the report's JSON contract. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "render_fixture.h"
#include "testutil.h"

#include "common/str.h"
#include "common/term.h"
#include "model/analysis.h"
#include "model/report.h"
#include "model/rules_registry.h"
#include "model/validate.h"

#include <jansson.h>
#include <math.h>

static const char platform[] =
    "Metadata:\n"
    "  AWS::CloudFormation::Interface:\n"
    "    ParameterGroups:\n"
    "      - Label: {default: T}\n"
    "        Parameters: [TaskSessionCapacity, MaxTasks, MaxAcu, FsMode, PoolSize]\n"
    "Parameters:\n"
    "  TaskSessionCapacity: {Type: Number, Description: users, Default: 250}\n"
    "  MaxTasks: {Type: Number, Description: tasks, Default: 300}\n"
    "  MaxAcu: {Type: Number, Description: acu, Default: 256}\n"
    "  FsMode: {Type: String, Description: mode, Default: generalPurpose}\n"
    "  PoolSize: {Type: Number, Description: pool, Default: 15}\n"
    "Resources:\n"
    "  Sub1: {Type: AWS::EC2::Subnet, Properties: {AvailabilityZone: !Select [0, !GetAZs '']}}\n"
    "  Sub2: {Type: AWS::EC2::Subnet, Properties: {AvailabilityZone: !Select [1, !GetAZs '']}}\n"
    "  Sub3: {Type: AWS::EC2::Subnet, Properties: {AvailabilityZone: !Select [2, !GetAZs '']}}\n"
    "  Nat1: {Type: AWS::EC2::NatGateway, Properties: {SubnetId: !Ref Sub1}}\n"
    "  Nat2: {Type: AWS::EC2::NatGateway, Properties: {SubnetId: !Ref Sub2}}\n"
    "  Nat3: {Type: AWS::EC2::NatGateway, Properties: {SubnetId: !Ref Sub3}}\n"
    "  Rt1: {Type: AWS::EC2::RouteTable}\n"
    "  Rt2: {Type: AWS::EC2::RouteTable}\n"
    "  Rt3: {Type: AWS::EC2::RouteTable}\n"
    "  R1: {Type: AWS::EC2::Route, Properties: {RouteTableId: !Ref Rt1, NatGatewayId: !Ref Nat1}}\n"
    "  R2: {Type: AWS::EC2::Route, Properties: {RouteTableId: !Ref Rt2, NatGatewayId: !Ref Nat2}}\n"
    "  R3: {Type: AWS::EC2::Route, Properties: {RouteTableId: !Ref Rt3, NatGatewayId: !Ref Nat3}}\n"
    "  A1: {Type: AWS::EC2::SubnetRouteTableAssociation, Properties: {SubnetId: !Ref Sub1, "
    "RouteTableId: !Ref Rt1}}\n"
    "  A2: {Type: AWS::EC2::SubnetRouteTableAssociation, Properties: {SubnetId: !Ref Sub2, "
    "RouteTableId: !Ref Rt2}}\n"
    "  A3: {Type: AWS::EC2::SubnetRouteTableAssociation, Properties: {SubnetId: !Ref Sub3, "
    "RouteTableId: !Ref Rt3}}\n"
    "  Alb:\n"
    "    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
    "    Properties: {Subnets: [!Ref Sub1, !Ref Sub2, !Ref Sub3]}\n"
    "  Tg:\n"
    "    Type: AWS::ElasticLoadBalancingV2::TargetGroup\n"
    "    Properties:\n"
    "      HealthCheckIntervalSeconds: 5\n"
    "      HealthyThresholdCount: 2\n"
    "      TargetGroupAttributes: [{Key: deregistration_delay.timeout_seconds, Value: '30'}]\n"
    "  Service:\n"
    "    Type: AWS::ECS::Service\n"
    "    Properties:\n"
    "      DesiredCount: 3\n"
    "      TaskDefinition: !Ref Td\n"
    "      LoadBalancers: [{TargetGroupArn: !Ref Tg}]\n"
    "      NetworkConfiguration:\n"
    "        AwsvpcConfiguration: {Subnets: [!Ref Sub1, !Ref Sub2, !Ref Sub3]}\n"
    "  Td:\n"
    "    Type: AWS::ECS::TaskDefinition\n"
    "    Properties:\n"
    "      ContainerDefinitions: [{Name: lms, Environment: [{Name: LMS_DB_POOL_SIZE, Value: !Ref "
    "PoolSize}]}]\n"
    "  Target:\n"
    "    Type: AWS::ApplicationAutoScaling::ScalableTarget\n"
    "    Properties:\n"
    "      ResourceId: !Sub 'service/cluster/${Service.Name}'\n"
    "      MinCapacity: 3\n"
    "      MaxCapacity: !Ref MaxTasks\n"
    "  Tracking:\n"
    "    Type: AWS::ApplicationAutoScaling::ScalingPolicy\n"
    "    Properties:\n"
    "      PolicyType: TargetTrackingScaling\n"
    "      ScalingTargetId: !Ref Target\n"
    "      TargetTrackingScalingPolicyConfiguration:\n"
    "        ScaleOutCooldown: 60\n"
    "        PredefinedMetricSpecification: {PredefinedMetricType: "
    "ECSServiceAverageCPUUtilization}\n"
    "  Step:\n"
    "    Type: AWS::ApplicationAutoScaling::ScalingPolicy\n"
    "    Properties:\n"
    "      PolicyType: StepScaling\n"
    "      ScalingTargetId: !Ref Target\n"
    "      StepScalingPolicyConfiguration:\n"
    "        Cooldown: 60\n"
    "        StepAdjustments: [{MetricIntervalLowerBound: 0, ScalingAdjustment: 50}]\n"
    "  Surge:\n"
    "    Type: AWS::CloudWatch::Alarm\n"
    "    Properties: {Period: 10, EvaluationPeriods: 1, DatapointsToAlarm: 1, AlarmActions: [!Ref "
    "Step]}\n"
    "  Cluster:\n"
    "    Type: AWS::RDS::DBCluster\n"
    "    Properties:\n"
    "      DatabaseName: lms\n"
    "      ServerlessV2ScalingConfiguration: {MinCapacity: 2, MaxCapacity: !Ref MaxAcu}\n"
    "  Writer:\n"
    "    Type: AWS::RDS::DBInstance\n"
    "    Properties: {DBClusterIdentifier: !Ref Cluster, PromotionTier: 0, AvailabilityZone: "
    "!Select [0, !GetAZs '']}\n"
    "  Reader:\n"
    "    Type: AWS::RDS::DBInstance\n"
    "    Properties: {DBClusterIdentifier: !Ref Cluster, PromotionTier: 1, AvailabilityZone: "
    "!Select [1, !GetAZs '']}\n"
    "  Proxy: {Type: AWS::RDS::DBProxy, Properties: {EngineFamily: POSTGRESQL}}\n"
    "  ProxyTargets:\n"
    "    Type: AWS::RDS::DBProxyTargetGroup\n"
    "    Properties:\n"
    "      DBProxyName: !Ref Proxy\n"
    "      TargetGroupName: default\n"
    "      DBClusterIdentifiers: [!Ref Cluster]\n"
    "      ConnectionPoolConfigurationInfo: {MaxConnectionsPercent: 90}\n"
    "  CacheSubnets: {Type: AWS::ElastiCache::SubnetGroup, Properties: {SubnetIds: [!Ref Sub1, "
    "!Ref Sub2, !Ref Sub3]}}\n"
    "  Cache:\n"
    "    Type: AWS::ElastiCache::ReplicationGroup\n"
    "    Properties:\n"
    "      CacheNodeType: cache.r7g.large\n"
    "      NumCacheClusters: 3\n"
    "      AutomaticFailoverEnabled: true\n"
    "      CacheSubnetGroupName: !Ref CacheSubnets\n"
    "  Fs: {Type: AWS::EFS::FileSystem, Properties: {PerformanceMode: !Ref FsMode}}\n"
    "  Mt1: {Type: AWS::EFS::MountTarget, Properties: {FileSystemId: !Ref Fs, SubnetId: !Ref "
    "Sub1}}\n"
    "  Mt2: {Type: AWS::EFS::MountTarget, Properties: {FileSystemId: !Ref Fs, SubnetId: !Ref "
    "Sub2}}\n"
    "  Mt3: {Type: AWS::EFS::MountTarget, Properties: {FileSystemId: !Ref Fs, SubnetId: !Ref "
    "Sub3}}\n";

static char *mutate(const char *from, const char *to)
{
	const char *at = strstr(platform, from);
	if (!at)
		fail_msg("mutation '%s' does not apply", from);
	size_t n = strlen(platform) - strlen(from) + strlen(to) + 1;
	char *s = malloc(n);
	assert_non_null(s);
	snprintf(s, n, "%.*s%s%s", (int)(at - platform), platform, to, at + strlen(from));
	return s;
}

/* `text` with its first `from` replaced by `to`; `text` is freed. */
static char *mutate_more(char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	if (!at)
		fail_msg("mutation '%s' does not apply", from);
	size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
	char *s = malloc(n);
	assert_non_null(s);
	snprintf(s, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	free(text);
	return s;
}

static void analyse(rf_fixture *fx, const char *text, const char *env, analysis *a)
{
	rf_render(fx, text, env);
	if (fx->f.n) {
		rf_dump(&fx->f);
		fail_msg("the template does not render cleanly");
	}
	analysis_run(fx->cat, fx->m, fx->r, a);
	analysis_rules(fx->m, a, &fx->f);
}

static void test_timeline(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	analyse(&fx, platform, "prod", &a);
	assert_true(a.timeline.known);
	/* 10 (one 10-s datapoint) + 10 (evaluated every 10 s) + 5 + 0 + 25 + 10
	 * (5 s x 2): the one-minute budget exactly */
	assert_true(fabs(a.timeline.total - 60) < 1e-9);
	assert_true(fabs(SCALE_TARGET_SECONDS - 60) < 1e-9);
	assert_string_equal(a.timeline.policy, "Step");
	assert_int_equal(a.timeline.nterms, TIMELINE_TERMS);
	static const struct {
		const char *name;
		double seconds;
	} want[] = {{"detection", 10}, {"alarm evaluation", 10}, {"scaling action", 5},
	            {"cooldown", 0},   {"task start", 25},       {"health check", 10}};
	for (size_t i = 0; i < TIMELINE_TERMS; i++) {
		assert_string_equal(a.timeline.terms[i].name, want[i].name);
		assert_true(fabs(a.timeline.terms[i].seconds - want[i].seconds) < 1e-9);
		/* no term over its share of the budget, and every term sourced */
		assert_true(a.timeline.terms[i].seconds <= a.timeline.terms[i].budget);
		assert_non_null(a.timeline.terms[i].from);
	}
	assert_true(fabs(a.timeline.deregistration - 30) < 1e-9);
	assert_int_equal(rf_count(&fx.f, "SCL001", SEV_ERROR), 0);
	analysis_free(&a);
	rf_done(&fx);

	/* a 30-s datapoint: 80 s, over the minute; detection over its share */
	char *p30 = mutate("Properties: {Period: 10,", "Properties: {Period: 30,");
	analyse(&fx, p30, "prod", &a);
	assert_true(fabs(a.timeline.total - 80) < 1e-9);
	assert_true(a.timeline.terms[0].seconds > a.timeline.terms[0].budget);
	const finding *f = rf_find(&fx.f, "SCL001", "detection");
	assert_non_null(f);
	assert_int_equal(f->sev, SEV_ERROR);
	analysis_free(&a);
	rf_done(&fx);
	free(p30);

	/* a one-minute datapoint, evaluated every minute: 160 s */
	char *p60 = mutate("Properties: {Period: 10,", "Properties: {Period: 60,");
	analyse(&fx, p60, "prod", &a);
	assert_true(fabs(a.timeline.total - 160) < 1e-9);
	assert_int_equal(rf_count(&fx.f, "SCL001", SEV_ERROR), 1);
	analysis_free(&a);
	rf_done(&fx);
	free(p60);

	/* health checks one 5-s check slower: 65 s */
	char *h3 = mutate("      HealthyThresholdCount: 2\n", "      HealthyThresholdCount: 3\n");
	analyse(&fx, h3, "prod", &a);
	assert_true(fabs(a.timeline.total - 65) < 1e-9);
	assert_non_null(rf_find(&fx.f, "SCL001", "health check"));
	analysis_free(&a);
	rf_done(&fx);
	free(h3);

	/* the ALB defaults (30 s x 5) put it over two minutes */
	char *slow =
	    mutate("      HealthCheckIntervalSeconds: 5\n      HealthyThresholdCount: 2\n", "");
	analyse(&fx, slow, "prod", &a);
	/* 10 + 10 + 5 + 0 + 25 + 150 */
	assert_true(fabs(a.timeline.total - 200) < 1e-9);
	assert_int_equal(rf_count(&fx.f, "SCL001", SEV_ERROR), 1);
	analysis_free(&a);
	rf_done(&fx);
	analyse(&fx, slow, "dev", &a);
	assert_int_equal(rf_count(&fx.f, "SCL001", SEV_WARNING), 1);
	analysis_free(&a);
	rf_done(&fx);
	free(slow);

	/* target tracking alone: three one-minute datapoints */
	char *tt = mutate("AlarmActions: [!Ref Step]", "AlarmActions: []");
	analyse(&fx, tt, "prod", &a);
	assert_string_equal(a.timeline.policy, "Tracking");
	/* 3 x 60 + 60 (evaluated every minute) + 5 + 0 + 25 + 10 */
	assert_true(fabs(a.timeline.total - 280) < 1e-9);
	assert_int_equal(rf_count(&fx.f, "SCL001", SEV_ERROR), 1);
	analysis_free(&a);
	rf_done(&fx);
	free(tt);
}

/* The timeline's edges: a 59-s period is high-resolution (evaluated every
 * 10 s), 60 is not; a step of 0 is no scale-out; EvaluationPeriods when
 * DatapointsToAlarm is missing; of two alarms the quicker; a
 * high-resolution tracking metric; a policy that names the target only
 * through the service's ResourceId. */
static void test_timeline_edges(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to, *from2, *to2;
		double total;
		const char *policy;
	} cases[] = {
	    /* 59 + 10 + 5 + 0 + 25 + 10 */
	    {"Properties: {Period: 10,", "Properties: {Period: 59,", NULL, NULL, 109, "Step"},
	    /* 60 + 60 + 40 */
	    {"Properties: {Period: 10,", "Properties: {Period: 60,", NULL, NULL, 160, "Step"},
	    /* a step that adds nothing: target tracking, 3 x 60 + 60 + 40 */
	    {"ScalingAdjustment: 50", "ScalingAdjustment: 0", NULL, NULL, 280, "Tracking"},
	    {"EvaluationPeriods: 1, DatapointsToAlarm: 1", "EvaluationPeriods: 3", NULL, NULL, 80,
	     "Step"},
	    {"EvaluationPeriods: 1, DatapointsToAlarm: 1",
	     "EvaluationPeriods: 3, DatapointsToAlarm: 2", NULL, NULL, 70, "Step"},
	    /* a second, slower alarm on the same policy does not count */
	    {"  Cluster:\n",
	     "  Slow: {Type: AWS::CloudWatch::Alarm, Properties: {Period: 60, EvaluationPeriods: "
	     "1, "
	     "AlarmActions: [!Ref Step]}}\n  Cluster:\n",
	     NULL, NULL, 60, "Step"},
	    /* high-resolution tracking alone: 3 x 20 + 10 + 40 */
	    {"AlarmActions: [!Ref Step]", "AlarmActions: []", "ECSServiceAverageCPUUtilization",
	     "ECSServiceAverageCPUUtilizationHighResolution", 110, "Tracking"},
	    /* the target named only through the service */
	    {"      PolicyType: StepScaling\n      ScalingTargetId: !Ref Target\n",
	     "      PolicyType: StepScaling\n      ResourceId: !Sub 'service/c/${Service.Name}'\n",
	     NULL, NULL, 60, "Step"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *t = mutate(cases[i].from, cases[i].to);
		if (cases[i].from2)
			t = mutate_more(t, cases[i].from2, cases[i].to2);
		rf_fixture fx;
		analysis a;
		analyse(&fx, t, "prod", &a);
		if (!a.timeline.known || fabs(a.timeline.total - cases[i].total) > 1e-9 ||
		    !a.timeline.policy || strcmp(a.timeline.policy, cases[i].policy) != 0)
			fail_msg("case %zu: %s %g s by %s", i,
			         a.timeline.known ? "known" : "unknown", a.timeline.total,
			         a.timeline.policy ? a.timeline.policy : "-");
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
}

static void test_missing_inputs(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	char *none = mutate("    Type: AWS::ECS::Service\n", "    Type: AWS::SNS::Topic\n");
	analyse(&fx, none, "prod", &a);
	assert_false(a.timeline.known);
	assert_true(a.nmissing > 0);
	assert_non_null(strstr(a.missing[0], "ECS service"));
	assert_int_equal(rf_count(&fx.f, "SCL001", SEV_WARNING), 1);
	assert_int_equal(a.cap.users, -1);
	analysis_free(&a);
	rf_done(&fx);
	free(none);
}

static void test_capacity(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	analyse(&fx, platform, "prod", &a);
	assert_int_equal(a.cap.users, 300 * 250);
	assert_int_equal(a.cap.db_users, 256 * USERS_PER_ACU);
	/* 13.07 GiB x 0.75 - 2 GiB of application cache, 50 KB a user */
	assert_int_equal(a.cap.cache_users, (long)((13.07 * 0.75 - 2.0) * 1024 * 1024 / 50.0));
	assert_int_equal(rf_count(&fx.f, "SCL002", SEV_ERROR), 0);
	analysis_free(&a);
	rf_done(&fx);
	char *small = mutate("Default: 256", "Default: 128");
	analyse(&fx, small, "prod", &a);
	assert_int_equal(a.cap.db_users, 48000);
	const finding *f = rf_find(&fx.f, "SCL002", "Aurora");
	assert_non_null(f);
	assert_string_equal(f->field, "DatabaseMaxCapacity");
	analysis_free(&a);
	rf_done(&fx);
	free(small);
	/* a capacity past the analysis' range (1e9) is no figure */
	char *huge = mutate("Default: 256", "Default: 2000000000");
	analyse(&fx, huge, "prod", &a);
	assert_true(a.cap.max_acu == -1);
	analysis_free(&a);
	rf_done(&fx);
	free(huge);
	char *t4g = mutate("cache.r7g.large", "cache.t4g.medium");
	analyse(&fx, t4g, "prod", &a);
	assert_non_null(rf_find(&fx.f, "SCL002", "the cache"));
	analysis_free(&a);
	rf_done(&fx);
	free(t4g);
}

/* The Serverless v2 table: each row, between rows, and the 2,000 cap of a
 * 0.5-ACU minimum. */
static void test_sv2_max_connections(void **state)
{
	(void)state;
	assert_int_equal(sv2_max_connections(1, 0.5), -1);
	assert_int_equal(sv2_max_connections(1, 1), 189);
	assert_int_equal(sv2_max_connections(0.5, 4), 823);
	/* each row's ACU on both sides */
	assert_int_equal(sv2_max_connections(1, 3.5), 189);
	assert_int_equal(sv2_max_connections(1, 4), 823);
	assert_int_equal(sv2_max_connections(1, 7.5), 823);
	assert_int_equal(sv2_max_connections(1, 8), 1669);
	assert_int_equal(sv2_max_connections(1, 15.5), 1669);
	assert_int_equal(sv2_max_connections(1, 16), 3360);
	assert_int_equal(sv2_max_connections(0.5, 16), 2000);
	assert_int_equal(sv2_max_connections(1, 31.5), 3360);
	assert_int_equal(sv2_max_connections(1, 32), 5000);
	assert_int_equal(sv2_max_connections(4, 256), 5000);
	assert_int_equal(sv2_max_connections(0.5, 256), 2000);
}

/* SCL003 at its threshold: 300 tasks x 15 = 4,500 = 90% of 5,000. */
static void test_connections(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	analyse(&fx, platform, "prod", &a);
	assert_int_equal(a.cap.conn.max_connections, 5000);
	assert_int_equal(a.cap.conn.allowed, 4500);
	assert_int_equal(a.cap.conn.per_task, 15);
	assert_int_equal(a.cap.conn.demand, 4500);
	assert_string_equal(a.cap.conn.proxy, "Proxy");
	assert_int_equal(rf_count(&fx.f, "SCL003", SEV_ERROR), 0);
	assert_int_equal(rf_count(&fx.f, "SCL003", SEV_WARNING), 0);
	analysis_free(&a);
	rf_done(&fx);

	/* one connection more per task: 4,800 */
	char *more = mutate("Description: pool, Default: 15", "Description: pool, Default: 16");
	analyse(&fx, more, "prod", &a);
	assert_int_equal(a.cap.conn.demand, 4800);
	const finding *f = rf_find(&fx.f, "SCL003", "4800 connections");
	assert_non_null(f);
	assert_int_equal(f->sev, SEV_ERROR);
	assert_string_equal(f->field, "DatabaseConnectionsPerTask");
	analysis_free(&a);
	rf_done(&fx);
	analyse(&fx, more, "dev", &a);
	assert_int_equal(rf_count(&fx.f, "SCL003", SEV_WARNING), 1);
	analysis_free(&a);
	rf_done(&fx);
	free(more);

	/* one percent less of the cluster: 4,450 */
	char *less = mutate("MaxConnectionsPercent: 90", "MaxConnectionsPercent: 89");
	analyse(&fx, less, "prod", &a);
	assert_int_equal(a.cap.conn.allowed, 4450);
	assert_int_equal(rf_count(&fx.f, "SCL003", SEV_ERROR), 1);
	analysis_free(&a);
	rf_done(&fx);
	free(less);

	/* no proxy: the tasks' connections against max_connections itself */
	char *direct = mutate("    Type: AWS::RDS::DBProxyTargetGroup\n",
	                      "    Type: AWS::RDS::DBProxyEndpoint\n");
	analyse(&fx, direct, "prod", &a);
	assert_null(a.cap.conn.proxy);
	assert_int_equal(a.cap.conn.allowed, 5000);
	assert_int_equal(rf_count(&fx.f, "SCL003", SEV_ERROR), 0);
	analysis_free(&a);
	rf_done(&fx);
	free(direct);

	/* a parameter group's max_connections wins over the table */
	char *pg = mutate("      DatabaseName: lms\n",
	                  "      DatabaseName: lms\n      DBClusterParameterGroupName: !Ref Pg\n");
	pg = mutate_more(pg, "  Writer:\n",
	                 "  Pg: {Type: AWS::RDS::DBClusterParameterGroup, Properties: "
	                 "{Parameters: {max_connections: 5001}}}\n  Writer:\n");
	analyse(&fx, pg, "prod", &a);
	assert_int_equal(a.cap.conn.max_connections, 5001);
	assert_int_equal(a.cap.conn.allowed, 4500);
	assert_non_null(strstr(a.cap.conn.max_from, "Pg"));
	assert_int_equal(rf_count(&fx.f, "SCL003", SEV_ERROR), 0);
	analysis_free(&a);
	rf_done(&fx);
	pg = mutate_more(pg, "max_connections: 5001", "max_connections: 4999");
	analyse(&fx, pg, "prod", &a);
	assert_int_equal(a.cap.conn.allowed, 4499);
	assert_int_equal(rf_count(&fx.f, "SCL003", SEV_ERROR), 1);
	analysis_free(&a);
	rf_done(&fx);
	free(pg);

	/* the pool size unknown: a warning in prod */
	char *nopool = mutate("Name: LMS_DB_POOL_SIZE", "Name: LMS_DB_OTHER");
	analyse(&fx, nopool, "prod", &a);
	assert_int_equal(a.cap.conn.per_task, -1);
	assert_non_null(rf_find(&fx.f, "SCL003", "unknown"));
	analysis_free(&a);
	rf_done(&fx);
	free(nopool);
}

/* max_connections from parameter groups: the lowest of the cluster's and
 * its instances', 1 counts and 0 does not, a tie keeps the cluster's group,
 * another cluster's instance does not count. */
static void test_connection_groups(void **state)
{
	(void)state;
	static const struct {
		const char *cluster, *writer; /* max_connections, NULL: no group */
		long want;
		const char *from;
	} cases[] = {
	    {"5001", "1", 1, "Wpg"},         {"5001", "0", 5001, "Pg"},
	    {"5001", "5001", 5001, "Pg"},    {"5001", "5000", 5000, "Wpg"},
	    {NULL, "7", 7, "Wpg"},           {"1", NULL, 1, "Pg"},
	    {"0", NULL, 5000, "Serverless"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *t = mutate(
		    "      DatabaseName: lms\n",
		    cases[i].cluster
		        ? "      DatabaseName: lms\n      DBClusterParameterGroupName: !Ref Pg\n"
		        : "      DatabaseName: lms\n");
		char groups[512];
		snprintf(groups, sizeof groups,
		         "  Pg: {Type: AWS::RDS::DBClusterParameterGroup, Properties: {Parameters: "
		         "{max_connections: %s}}}\n"
		         "  Wpg: {Type: AWS::RDS::DBParameterGroup, Properties: {Parameters: "
		         "{max_connections: %s}}}\n"
		         "  Opg: {Type: AWS::RDS::DBParameterGroup, Properties: {Parameters: "
		         "{max_connections: 2}}}\n"
		         "  Other: {Type: AWS::RDS::DBInstance, Properties: {DBClusterIdentifier: "
		         "OtherCluster, DBParameterGroupName: !Ref Opg}}\n"
		         "  Writer:\n",
		         cases[i].cluster ? cases[i].cluster : "9",
		         cases[i].writer ? cases[i].writer : "9");
		t = mutate_more(t, "  Writer:\n", groups);
		if (cases[i].writer)
			t = mutate_more(
			    t, "{DBClusterIdentifier: !Ref Cluster, PromotionTier: 0,",
			    "{DBClusterIdentifier: !Ref Cluster, DBParameterGroupName: !Ref Wpg, "
			    "PromotionTier: 0,");
		rf_fixture fx;
		analysis a;
		analyse(&fx, t, "prod", &a);
		if (a.cap.conn.max_connections != cases[i].want || !a.cap.conn.max_from ||
		    !strstr(a.cap.conn.max_from, cases[i].from))
			fail_msg("case %zu: %ld from %s", i, a.cap.conn.max_connections,
			         a.cap.conn.max_from ? a.cap.conn.max_from : "(none)");
		/* 90 % of it, rounded down: 0 of a max_connections of 1, still known */
		assert_int_equal(a.cap.conn.allowed, (long)floor((double)cases[i].want * 0.9));
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
}

/* Resource types are matched whole: a DB cluster parameter group is no DB
 * cluster (its type starts with AWS::RDS::DBCluster), so its MaxCapacity is
 * no Aurora capacity. */
static void test_exact_resource_types(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	char *group = mutate("    Type: AWS::RDS::DBCluster\n",
	                     "    Type: AWS::RDS::DBClusterParameterGroup\n");
	analyse(&fx, group, "prod", &a);
	assert_true(a.cap.max_acu == -1);
	assert_int_equal(a.cap.db_users, -1);
	analysis_free(&a);
	rf_done(&fx);
	free(group);
}

/* A target-tracking policy without ScaleOutCooldown: the cooldown is
 * unknown (-1, null in the JSON), not zero. */
static void test_unknown_cooldown(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	char *tt = mutate("AlarmActions: [!Ref Step]", "AlarmActions: []");
	analyse(&fx, tt, "prod", &a);
	assert_string_equal(a.timeline.policy, "Tracking");
	assert_true(a.timeline.scale_out_cooldown == 60);
	analysis_free(&a);
	rf_done(&fx);
	tt = mutate_more(tt, "        ScaleOutCooldown: 60\n", "");
	analyse(&fx, tt, "prod", &a);
	assert_string_equal(a.timeline.policy, "Tracking");
	assert_true(a.timeline.scale_out_cooldown == -1);
	analysis_free(&a);
	rf_done(&fx);
	free(tt);
}

static const az_tier *tier(const analysis *a, size_t az, const char *name);

/* The tasks' tier is unknown when a subnet of the service cannot be placed,
 * even with its minimum known, and when the minimum is unknown. */
static void test_tasks_tier_unknown(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	char *unplaced = mutate("AwsvpcConfiguration: {Subnets: [!Ref Sub1, !Ref Sub2, !Ref Sub3]}",
	                        "AwsvpcConfiguration: {Subnets: [!Ref Sub1, !Ref Sub2, subnet-1]}");
	analyse(&fx, unplaced, "prod", &a);
	assert_int_equal(a.naz, 3);
	for (size_t k = 0; k < a.naz; k++)
		assert_int_equal(tier(&a, k, "tasks")->status, TIER_UNKNOWN);
	analysis_free(&a);
	rf_done(&fx);
	free(unplaced);
	char *no_min =
	    mutate_more(mutate("      MinCapacity: 3\n", ""), "      DesiredCount: 3\n", "");
	analyse(&fx, no_min, "prod", &a);
	assert_int_equal(tier(&a, 0, "tasks")->status, TIER_UNKNOWN);
	analysis_free(&a);
	rf_done(&fx);
	free(no_min);
	/* cache nodes pinned to AZs the region does not have: unknown, with
	 * the remaining count unknown (-1) */
	char *nowhere = mutate("      CacheSubnetGroupName: !Ref CacheSubnets\n",
	                       "      CacheSubnetGroupName: !Ref CacheSubnets\n"
	                       "      PreferredCacheClusterAZs: [xx-1a, xx-1b, xx-1c]\n");
	analyse(&fx, nowhere, "prod", &a);
	assert_int_equal(tier(&a, 0, "cache")->status, TIER_UNKNOWN);
	assert_int_equal(tier(&a, 0, "cache")->remaining, -1);
	assert_int_equal(tier(&a, 0, "cache")->total, 3);
	analysis_free(&a);
	rf_done(&fx);
	free(nowhere);
	/* known at the edges: a minimum of 0 tasks, tasks in one AZ only */
	char *zero = mutate("      MinCapacity: 3\n", "      MinCapacity: 0\n");
	analyse(&fx, zero, "prod", &a);
	assert_int_not_equal(tier(&a, 0, "tasks")->status, TIER_UNKNOWN);
	assert_int_equal(tier(&a, 0, "tasks")->total, 0);
	analysis_free(&a);
	rf_done(&fx);
	free(zero);
	char *one_az = mutate("AwsvpcConfiguration: {Subnets: [!Ref Sub1, !Ref Sub2, !Ref Sub3]}",
	                      "AwsvpcConfiguration: {Subnets: [!Ref Sub1]}");
	analyse(&fx, one_az, "prod", &a);
	assert_int_equal(tier(&a, 0, "tasks")->status, TIER_DOWN);
	assert_int_not_equal(tier(&a, 1, "tasks")->status, TIER_UNKNOWN);
	analysis_free(&a);
	rf_done(&fx);
	free(one_az);
}

static const az_tier *tier(const analysis *a, size_t az, const char *name)
{
	for (size_t i = 0; i < AZ_TIERS; i++)
		if (strcmp(a->az[az].tiers[i].tier, name) == 0)
			return &a->az[az].tiers[i];
	fail_msg("no tier %s", name);
	return NULL;
}

static void test_az_loss(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	analyse(&fx, platform, "prod", &a);
	assert_int_equal(a.naz, 3);
	assert_string_equal(a.az[0].az, "eu-west-1a");
	for (size_t i = 0; i < 3; i++)
		assert_false(a.az[i].stops);
	assert_int_equal(tier(&a, 0, "tasks")->remaining, 2);
	assert_int_equal(tier(&a, 0, "database")->status, TIER_DEGRADED); /* writer fails over */
	assert_int_equal(tier(&a, 2, "database")->status, TIER_OK);
	assert_int_equal(tier(&a, 0, "cache")->remaining, 2);
	assert_int_equal(tier(&a, 1, "file system")->remaining, 2);
	assert_int_equal(rf_count(&fx.f, "AZL001", SEV_ERROR), 0);
	analysis_free(&a);
	rf_done(&fx);

	/* one NAT for every AZ, the reader beside the writer */
	char *one_nat = mutate("NatGatewayId: !Ref Nat2", "NatGatewayId: !Ref Nat1");
	analyse(&fx, one_nat, "prod", &a);
	assert_int_equal(tier(&a, 0, "nat")->status, TIER_DOWN);
	assert_true(a.az[0].stops);
	assert_false(a.az[1].stops);
	assert_non_null(rf_find(&fx.f, "AZL001", "eu-west-1a"));
	analysis_free(&a);
	rf_done(&fx);
	free(one_nat);
	char *same_az = mutate("PromotionTier: 1, AvailabilityZone: !Select [1, !GetAZs '']",
	                       "PromotionTier: 1, AvailabilityZone: !Select [0, !GetAZs '']");
	analyse(&fx, same_az, "prod", &a);
	assert_int_equal(tier(&a, 0, "database")->status, TIER_DOWN);
	assert_non_null(rf_find(&fx.f, "AZL001", "database"));
	analysis_free(&a);
	rf_done(&fx);
	/* outside prod the table is there, the rule is not */
	analyse(&fx, same_az, "dev", &a);
	assert_true(a.az[0].stops);
	assert_int_equal(rf_count(&fx.f, "AZL001", SEV_ERROR), 0);
	analysis_free(&a);
	rf_done(&fx);
	free(same_az);
}

/* The file-system tier: every mount target but one gone, each AZ's own
 * mount target, and tasks in an AZ (the first) that has none. */
static void test_files_tier(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	analyse(&fx, platform, "prod", &a);
	assert_int_equal(tier(&a, 0, "file system")->status, TIER_DEGRADED);
	assert_int_equal(tier(&a, 0, "file system")->total, 3);
	analysis_free(&a);
	rf_done(&fx);
	/* no mount target in the first AZ (two in the second) */
	char *none_in_a = mutate("FileSystemId: !Ref Fs, SubnetId: !Ref Sub1",
	                         "FileSystemId: !Ref Fs, SubnetId: !Ref Sub2");
	analyse(&fx, none_in_a, "prod", &a);
	/* losing the first AZ loses no mount target */
	assert_int_equal(tier(&a, 0, "file system")->status, TIER_OK);
	assert_int_equal(tier(&a, 0, "file system")->remaining, 3);
	/* losing another leaves the first AZ's tasks without one */
	for (size_t k = 1; k < 3; k++) {
		const az_tier *t = tier(&a, k, "file system");
		assert_int_equal(t->status, TIER_DOWN);
		assert_non_null(t->note);
		assert_non_null(strstr(t->note, "without a mount target"));
	}
	assert_int_equal(tier(&a, 1, "file system")->remaining, 1);
	assert_int_equal(tier(&a, 2, "file system")->remaining, 2);
	analysis_free(&a);
	rf_done(&fx);
	free(none_in_a);
	/* every mount target in one AZ */
	char *all_in_b = mutate("FileSystemId: !Ref Fs, SubnetId: !Ref Sub1",
	                        "FileSystemId: !Ref Fs, SubnetId: !Ref Sub2");
	all_in_b = mutate_more(all_in_b, "FileSystemId: !Ref Fs, SubnetId: !Ref Sub3",
	                       "FileSystemId: !Ref Fs, SubnetId: !Ref Sub2");
	analyse(&fx, all_in_b, "prod", &a);
	assert_int_equal(tier(&a, 1, "file system")->status, TIER_DOWN);
	assert_int_equal(tier(&a, 1, "file system")->remaining, 0);
	assert_non_null(strstr(tier(&a, 1, "file system")->note, "every mount target"));
	analysis_free(&a);
	rf_done(&fx);
	free(all_in_b);
}

/* The cache tier over where its nodes are and whether it fails over: the
 * primary's AZ and a replica's, failover on and off, one node, replicas
 * per node group, preferred AZs (in another order, one unknown, too few);
 * the memory of shards and of a node type named near a known one. */
static void test_cache_tier(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to;
		tier_status az0, az1, az2;
		const char *note0;
	} cases[] = {
	    {NULL, NULL, TIER_DEGRADED, TIER_DEGRADED, TIER_DEGRADED, "replica is promoted"},
	    {"AutomaticFailoverEnabled: true", "AutomaticFailoverEnabled: false", TIER_DOWN,
	     TIER_DEGRADED, TIER_DEGRADED, "automatic failover is off"},
	    {"NumCacheClusters: 3", "NumCacheClusters: 1", TIER_DOWN, TIER_OK, TIER_OK,
	     "every node was in this AZ"},
	    {"NumCacheClusters: 3", "ReplicasPerNodeGroup: 1", TIER_DEGRADED, TIER_DEGRADED,
	     TIER_OK, "replica is promoted"},
	    {"NumCacheClusters: 3",
	     "NumCacheClusters: 3\n      PreferredCacheClusterAZs: [eu-west-1b, eu-west-1c, "
	     "eu-west-1a]",
	     TIER_DEGRADED, TIER_DEGRADED, TIER_DEGRADED, "a replica is lost"},
	    {"NumCacheClusters: 3",
	     "NumCacheClusters: 3\n      PreferredCacheClusterAZs: [eu-west-1b, eu-west-1x, "
	     "eu-west-1a]",
	     TIER_UNKNOWN, TIER_UNKNOWN, TIER_UNKNOWN, "AZs unknown"},
	    {"NumCacheClusters: 3",
	     "NumCacheClusters: 3\n      PreferredCacheClusterAZs: [eu-west-1b, eu-west-1x]",
	     TIER_DEGRADED, TIER_DEGRADED, TIER_DEGRADED, "replica is promoted"},
	    {"CacheSubnetGroupName: !Ref CacheSubnets", "CacheSubnetGroupName: none", TIER_UNKNOWN,
	     TIER_UNKNOWN, TIER_UNKNOWN, "AZs unknown"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *t = cases[i].from ? mutate(cases[i].from, cases[i].to) : strdup(platform);
		rf_fixture fx;
		analysis a;
		analyse(&fx, t, "prod", &a);
		const az_tier *t0 = tier(&a, 0, "cache"), *t1 = tier(&a, 1, "cache"),
		              *t2 = tier(&a, 2, "cache");
		if (t0->status != cases[i].az0 || t1->status != cases[i].az1 ||
		    t2->status != cases[i].az2 || !t0->note || !strstr(t0->note, cases[i].note0))
			fail_msg("case %zu: %s %s %s (%s)", i, tier_status_name(t0->status),
			         tier_status_name(t1->status), tier_status_name(t2->status),
			         t0->note ? t0->note : "no note");
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
	/* a tier that loses nothing has no note; more than 16 nodes count as 16 */
	char *one = mutate("NumCacheClusters: 3", "NumCacheClusters: 1");
	rf_fixture f1;
	analysis a1;
	analyse(&f1, one, "prod", &a1);
	assert_int_equal(tier(&a1, 1, "cache")->status, TIER_OK);
	assert_null(tier(&a1, 1, "cache")->note);
	analysis_free(&a1);
	rf_done(&f1);
	free(one);
	char *many = mutate("NumCacheClusters: 3", "NumCacheClusters: 17");
	analyse(&f1, many, "prod", &a1);
	assert_int_equal(tier(&a1, 0, "cache")->total, 16);
	assert_int_equal(tier(&a1, 0, "cache")->remaining, 10);
	analysis_free(&a1);
	rf_done(&f1);
	free(many);
	/* memory: two shards, and a node type only named like a known one */
	char *t = mutate("NumCacheClusters: 3", "NumNodeGroups: 2\n      ReplicasPerNodeGroup: 1");
	rf_fixture fx;
	analysis a;
	analyse(&fx, t, "prod", &a);
	assert_int_equal(a.cap.cache_shards, 2);
	assert_int_equal(a.cap.cache_users, (long)((13.07 * 0.75 * 2 - 2.0) * 1024 * 1024 / 50.0));
	analysis_free(&a);
	rf_done(&fx);
	free(t);
	t = mutate("NumCacheClusters: 3", "NumNodeGroups: 0");
	analyse(&fx, t, "prod", &a);
	assert_int_equal(a.cap.cache_shards, 1);
	analysis_free(&a);
	rf_done(&fx);
	free(t);
	static const char *const near[] = {"cache.r7g.larg", "cache.r7g.largex", "cache.r7g"};
	for (size_t i = 0; i < 3; i++) {
		char to[64];
		snprintf(to, sizeof to, "CacheNodeType: %s", near[i]);
		t = mutate("CacheNodeType: cache.r7g.large", to);
		analyse(&fx, t, "prod", &a);
		assert_true(a.cap.cache_node_gib < 0);
		assert_int_equal(a.cap.cache_users, -1);
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
	t = mutate("CacheNodeType: cache.r7g.large", "CacheNodeType: cache.t3.micro");
	analyse(&fx, t, "prod", &a);
	assert_true(a.cap.cache_node_gib == 0.5);
	assert_int_equal(a.cap.cache_users, 0); /* less than the working set */
	analysis_free(&a);
	rf_done(&fx);
	free(t);
}

/* The database tier: the writer's AZ and a reader's, the writer by
 * PromotionTier 0 or, without tiers, the first instance; an instance not
 * pinned; a cluster with no instance. */
static void test_database_tier(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to;
		tier_status az0, az1, az2;
		const char *note0, *note1;
	} cases[] = {
	    {NULL, NULL, TIER_DEGRADED, TIER_DEGRADED, TIER_OK, "writer fails over",
	     "a reader is lost"},
	    /* the reader is the first instance written, PromotionTier 0 makes the other the
	     * writer */
	    {"PromotionTier: 0,", "PromotionTier: 1,", TIER_DEGRADED, TIER_DEGRADED, TIER_OK,
	     "a reader is lost", "a reader is lost"},
	    {"PromotionTier: 1,", "PromotionTier: 0,", TIER_DEGRADED, TIER_DEGRADED, TIER_OK,
	     "writer fails over", "writer fails over"},
	    {"PromotionTier: 1, AvailabilityZone: !Select [1, !GetAZs '']",
	     "PromotionTier: 1, AvailabilityZone: eu-west-1x", TIER_UNKNOWN, TIER_UNKNOWN,
	     TIER_UNKNOWN, "not pinned", "not pinned"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *t = cases[i].from ? mutate(cases[i].from, cases[i].to) : strdup(platform);
		rf_fixture fx;
		analysis a;
		analyse(&fx, t, "prod", &a);
		const az_tier *t0 = tier(&a, 0, "database"), *t1 = tier(&a, 1, "database"),
		              *t2 = tier(&a, 2, "database");
		if (t0->status != cases[i].az0 || t1->status != cases[i].az1 ||
		    t2->status != cases[i].az2 || !t0->note || !strstr(t0->note, cases[i].note0) ||
		    !t1->note || !strstr(t1->note, cases[i].note1))
			fail_msg("case %zu: %s (%s) %s (%s) %s", i, tier_status_name(t0->status),
			         t0->note ? t0->note : "-", tier_status_name(t1->status),
			         t1->note ? t1->note : "-", tier_status_name(t2->status));
		assert_int_equal(t0->total, 2);
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
	/* without PromotionTier the first instance is the writer */
	char *t = mutate("PromotionTier: 0, ", "");
	t = mutate_more(t, "PromotionTier: 1, ", "");
	rf_fixture fx;
	analysis a;
	analyse(&fx, t, "prod", &a);
	assert_non_null(strstr(tier(&a, 0, "database")->note, "writer fails over"));
	assert_non_null(strstr(tier(&a, 1, "database")->note, "a reader is lost"));
	analysis_free(&a);
	rf_done(&fx);
	free(t);
	/* no instance at all */
	t = mutate(
	    "    Type: AWS::RDS::DBInstance\n    Properties: {DBClusterIdentifier: !Ref Cluster, "
	    "PromotionTier: 0",
	    "    Type: AWS::RDS::DBProxyEndpoint\n    Properties: {DBClusterIdentifier: !Ref "
	    "Cluster, PromotionTier: 0");
	t = mutate_more(
	    t,
	    "    Type: AWS::RDS::DBInstance\n    Properties: {DBClusterIdentifier: !Ref "
	    "Cluster, PromotionTier: 1",
	    "    Type: AWS::RDS::DBProxyEndpoint\n    Properties: {DBClusterIdentifier: "
	    "!Ref Cluster, PromotionTier: 1");
	analyse(&fx, t, "prod", &a);
	assert_int_equal(tier(&a, 0, "database")->status, TIER_DOWN);
	assert_non_null(strstr(tier(&a, 0, "database")->note, "no instance"));
	analysis_free(&a);
	rf_done(&fx);
	free(t);
}

/* The NAT tier: each AZ's own NAT (degraded), one NAT for two AZs (the other
 * AZ's subnet stranded, named), a NAT in an unknown subnet, no NAT. */
static void test_nat_tier(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	analyse(&fx, platform, "prod", &a);
	for (size_t k = 0; k < 3; k++) {
		const az_tier *t = tier(&a, k, "nat");
		assert_int_equal(t->status, TIER_DEGRADED);
		assert_int_equal(t->total, 3);
		assert_int_equal(t->remaining, 2);
		assert_non_null(strstr(t->note, "only this AZ's own subnets"));
	}
	analysis_free(&a);
	rf_done(&fx);
	char *t = mutate("NatGatewayId: !Ref Nat3", "NatGatewayId: !Ref Nat2");
	analyse(&fx, t, "prod", &a);
	assert_int_equal(tier(&a, 1, "nat")->status, TIER_DOWN);
	assert_string_equal(tier(&a, 1, "nat")->note,
	                    "Sub3 lose Internet egress: their route goes through this AZ's NAT");
	assert_int_equal(tier(&a, 2, "nat")->status, TIER_DEGRADED);
	assert_int_equal(tier(&a, 0, "nat")->status, TIER_DEGRADED);
	analysis_free(&a);
	rf_done(&fx);
	free(t);
	/* two subnets stranded, both named */
	t = mutate("NatGatewayId: !Ref Nat3", "NatGatewayId: !Ref Nat1");
	t = mutate_more(t, "NatGatewayId: !Ref Nat2", "NatGatewayId: !Ref Nat1");
	analyse(&fx, t, "prod", &a);
	assert_string_equal(
	    tier(&a, 0, "nat")->note,
	    "Sub2, Sub3 lose Internet egress: their route goes through this AZ's NAT");
	assert_int_equal(tier(&a, 1, "nat")->status, TIER_DEGRADED);
	analysis_free(&a);
	rf_done(&fx);
	free(t);
	t = mutate("  Nat3: {Type: AWS::EC2::NatGateway, Properties: {SubnetId: !Ref Sub3}}",
	           "  Nat3: {Type: AWS::EC2::NatGateway, Properties: {SubnetId: subnet-1}}");
	analyse(&fx, t, "prod", &a);
	assert_int_equal(tier(&a, 0, "nat")->status, TIER_UNKNOWN);
	assert_int_equal(tier(&a, 0, "nat")->remaining, -1);
	analysis_free(&a);
	rf_done(&fx);
	free(t);
}

/* The scaling policy that decides is found wherever it is in the template,
 * the first resource too. */
static void test_timeline_policy_first(void **state)
{
	(void)state;
	const char *step = "  Step:\n"
	                   "    Type: AWS::ApplicationAutoScaling::ScalingPolicy\n"
	                   "    Properties:\n"
	                   "      PolicyType: StepScaling\n"
	                   "      ScalingTargetId: !Ref Target\n"
	                   "      StepScalingPolicyConfiguration:\n"
	                   "        Cooldown: 60\n"
	                   "        StepAdjustments: [{MetricIntervalLowerBound: 0, "
	                   "ScalingAdjustment: 50}]\n";
	char *t = mutate(step, "");
	size_t n = strlen(t) + strlen(step) + 1;
	char *moved = malloc(n);
	assert_non_null(moved);
	const char *res = strstr(t, "Resources:\n");
	assert_non_null(res);
	res += strlen("Resources:\n");
	snprintf(moved, n, "%.*s%s%s", (int)(res - t), t, step, res);
	free(t);
	rf_fixture fx;
	analysis a;
	analyse(&fx, moved, "prod", &a);
	assert_string_equal(fx.r->res[0].id, "Step");
	assert_true(a.timeline.known);
	assert_string_equal(a.timeline.policy, "Step");
	assert_true(fabs(a.timeline.total - 60) < 1e-9);
	analysis_free(&a);
	rf_done(&fx);
	free(moved);
}

/* SCL002 at 50,000 users and one under, for the tasks (200 x 250 and
 * 199 x 250); the users per task from TaskSessionCapacity (1 counts, 0 does
 * not); only prod judges. */
static void test_capacity_edges(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to, *env;
		size_t errors;
		long users;
	} cases[] = {
	    {"Description: tasks, Default: 300", "Description: tasks, Default: 200", "prod", 0,
	     50000},
	    {"Description: tasks, Default: 300", "Description: tasks, Default: 199", "prod", 1,
	     49750},
	    {"Description: tasks, Default: 300", "Description: tasks, Default: 199", "dev", 0,
	     49750},
	    {"Description: users, Default: 250", "Description: users, Default: 1", "prod", 1, 300},
	    {"Description: users, Default: 250", "Description: users, Default: 0", "prod", 0, -1},
	    /* no task at most: 0 users, known (and under the target) */
	    {"Description: tasks, Default: 300", "Description: tasks, Default: 0", "prod", 1, 0},
	    {"Description: tasks, Default: 300", "Description: tasks, Default: 1", "prod", 1, 250},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *t = mutate(cases[i].from, cases[i].to);
		rf_fixture fx;
		analysis a;
		analyse(&fx, t, cases[i].env, &a);
		size_t n = 0;
		for (size_t k = 0; k < fx.f.n; k++)
			n += strcmp(fx.f.v[k].rule, "SCL002") == 0 && fx.f.v[k].sev == SEV_ERROR &&
			     strcmp(fx.f.v[k].field, "ServiceMaxTasks") == 0;
		if (n != cases[i].errors || a.cap.users != cases[i].users)
			fail_msg("case %zu: %zu SCL002 on the tasks, %ld users", i, n, a.cap.users);
		/* the users per task are missing exactly when they are refused */
		bool listed = false;
		for (size_t k = 0; k < a.nmissing; k++)
			listed =
			    listed || strcmp(a.missing[k],
			                     "users per task (parameter TaskSessionCapacity)") == 0;
		assert_int_equal(listed, cases[i].users < 0);
		if (cases[i].users < 0)
			assert_non_null(rf_find(&fx.f, "SCL002", "capacity of tasks unknown"));
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
}

static create_only *load_db(void)
{
	char *path = tu_join(tu_top_srcdir(), "data/create-only.json");
	lms_error err = {0};
	create_only *db = create_only_load(path, &err);
	if (!db)
		fail_msg("%s: %s", path, err.msg);
	free(path);
	return db;
}

static void test_update_safety(void **state)
{
	(void)state;
	create_only *db = load_db();
	rf_fixture fx;
	rf_render(&fx, platform, "prod");
	/* the same template with a create-only property of the file system
	 * changed (and, by reference, the mount targets) and a new limit */
	model *next = model_new_from_catalog(fx.cat, "prod", &fx.err);
	assert_true(model_set(next, "FsMode", "maxIO"));
	assert_true(model_set(next, "MaxTasks", "400"));
	rendered *after = render_template(fx.cat, next, NULL, NULL, &fx.err);
	assert_non_null(after);
	update_plan plan;
	assert_true(update_safety(db, fx.r, after, &plan));
	assert_true(plan.n >= 4);
	assert_string_equal(plan.v[0].id, "Fs"); /* stateful replacements first */
	assert_int_equal(plan.v[0].kind, UPD_REPLACE);
	assert_true(plan.v[0].stateful);
	assert_non_null(strstr(plan.v[0].why, "PerformanceMode"));
	size_t mts = 0;
	for (size_t i = 0; i < plan.n; i++) {
		if (strncmp(plan.v[i].id, "Mt", 2) == 0) {
			mts++;
			assert_int_equal(plan.v[i].kind, UPD_REPLACE);
			assert_non_null(strstr(plan.v[i].why, "refers to Fs"));
		}
		assert_string_not_equal(plan.v[i].id, "Target"); /* MaxCapacity updates in place */
	}
	assert_int_equal(mts, 3);
	update_plan_free(&plan);
	/* no change, no plan */
	assert_true(update_safety(db, fx.r, fx.r, &plan));
	assert_int_equal(plan.n, 0);
	update_plan_free(&plan);
	render_free(after);
	model_free(next);
	rf_done(&fx);
	create_only_free(db);
}

/* The update plan over a data file of the test's own: each kind of change
 * (a create-only path at the top, nested, under a "*" level; a conditional
 * one; a Type; added and removed resources; a reference to a replaced
 * resource, and one to a resource that only may be), the reasons joined,
 * and the order (stateful replacements first, then by kind, then by id). */
static void test_update_plan(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *path = tu_write_file(dir, "co.json",
	                           "{\"types\": {\n"
	                           " \"AWS::S3::Bucket\": {\"createOnly\": [\"BucketName\", "
	                           "\"Nested/Inner\", \"Rules/*\"],\n"
	                           "  \"conditionalCreateOnly\": [\"Soft\"]},\n"
	                           " \"AWS::SNS::Topic\": {\"createOnly\": [\"TopicName\"]},\n"
	                           " \"AWS::SQS::Queue\": {\"createOnly\": [\"Target\"]}}}\n");
	lms_error err = {0};
	create_only *db = create_only_load(path, &err);
	assert_non_null(db);
	assert_true(create_only_has_type(db, "AWS::SQS::Queue"));
	assert_false(create_only_has_type(db, "AWS::SQS::QueueX"));
	assert_false(create_only_has_type(db, "AWS::SQS::Queu"));
	rf_fixture was, now;
	rf_render(
	    &was,
	    "Resources:\n"
	    "  B1: {Type: AWS::S3::Bucket, Properties: {BucketName: n1, Nested: {Inner: i, "
	    "Other: o}, Rules: [x, y], Soft: s, Free: f}}\n"
	    "  B2: {Type: AWS::S3::Bucket, Properties: {BucketName: n2, Nested: {Inner: i}}}\n"
	    "  B3: {Type: AWS::S3::Bucket, Properties: {Nested: {Other: o}, Soft: s}}\n"
	    "  B4: {Type: AWS::S3::Bucket, Properties: {Rules: [x]}}\n"
	    "  B5: {Type: AWS::S3::Bucket, Properties: {BucketName: a, Soft: s}}\n"
	    "  B6: {Type: AWS::S3::Bucket, Properties: {BucketName: !Sub '${AWS::StackId}-a'}}\n"
	    "  B8: {Type: AWS::S3::Bucket, Properties: {BucketName: !Sub '${AWS::StackId}-a'}}\n"
	    "  B9: {Type: AWS::S3::Bucket, Properties: {BucketName: a, Nested: {Inner: i}}}\n"
	    "  T1: {Type: AWS::SNS::Topic, Properties: {TopicName: t}}\n"
	    "  Q1: {Type: AWS::SQS::Queue, Properties: {Target: !Ref B2}}\n"
	    "  Q2: {Type: AWS::SQS::Queue, Properties: {Target: !Ref B3}}\n"
	    "  Old: {Type: AWS::SNS::Topic}\n",
	    "dev");
	rf_render(
	    &now,
	    "Resources:\n"
	    "  B1: {Type: AWS::S3::Bucket, Properties: {BucketName: n1, Nested: {Inner: i, "
	    "Other: o}, Rules: [x, y], Soft: s, Free: g}}\n"
	    "  B2: {Type: AWS::S3::Bucket, Properties: {BucketName: n2, Nested: {Inner: j}}}\n"
	    "  B3: {Type: AWS::S3::Bucket, Properties: {Nested: {Other: p}, Soft: t}}\n"
	    "  B4: {Type: AWS::S3::Bucket, Properties: {Rules: [x, y]}}\n"
	    "  B5: {Type: AWS::S3::Bucket, Properties: {BucketName: b, Soft: t}}\n"
	    "  B6: {Type: AWS::S3::Bucket, Properties: {BucketName: !Sub '${AWS::StackId}-a'}}\n"
	    "  B8: {Type: AWS::S3::Bucket, Properties: {BucketName: !Sub '${AWS::StackId}-b'}}\n"
	    "  B9: {Type: AWS::S3::Bucket, Properties: {BucketName: b, Nested: {Inner: j}}}\n"
	    "  T1: {Type: AWS::SQS::Queue, Properties: {TopicName: t}}\n"
	    "  Q1: {Type: AWS::SQS::Queue, Properties: {Target: !Ref B2}}\n"
	    "  Q2: {Type: AWS::SQS::Queue, Properties: {Target: !Ref B3}}\n"
	    "  New: {Type: AWS::SNS::Topic}\n",
	    "dev");
	update_plan plan;
	assert_true(update_safety(db, was.r, now.r, &plan));
	static const struct {
		const char *id;
		update_kind kind;
		bool stateful;
		const char *why;
	} want[] = {
	    {"B2", UPD_REPLACE, true, "Nested/Inner"},
	    {"B4", UPD_REPLACE, true, "Rules/*"},
	    {"B5", UPD_REPLACE, true, "BucketName"},
	    {"B8", UPD_REPLACE, true, "BucketName"},
	    {"B9", UPD_REPLACE, true, "BucketName, Nested/Inner"},
	    {"Q1", UPD_REPLACE, true, "Target refers to B2, which is replaced"},
	    {"T1", UPD_REPLACE, true, "its Type changes"},
	    {"B3", UPD_MAY_REPLACE, true, "Soft"},
	    {"Old", UPD_REMOVE, false, "not in this model"},
	    {"New", UPD_ADD, false, "new in this model"},
	};
	assert_int_equal(plan.n, sizeof want / sizeof *want);
	for (size_t i = 0; i < plan.n; i++) {
		assert_string_equal(plan.v[i].id, want[i].id);
		assert_int_equal(plan.v[i].kind, want[i].kind);
		assert_int_equal(plan.v[i].stateful, want[i].stateful);
		assert_string_equal(plan.v[i].why, want[i].why);
	}
	update_plan_free(&plan);
	/* the other way round: what was added is removed and the reverse */
	assert_true(update_safety(db, now.r, was.r, &plan));
	assert_int_equal(plan.n, sizeof want / sizeof *want);
	assert_string_equal(plan.v[8].id, "New");
	assert_int_equal(plan.v[8].kind, UPD_REMOVE);
	assert_string_equal(plan.v[9].id, "Old");
	assert_int_equal(plan.v[9].kind, UPD_ADD);
	update_plan_free(&plan);
	rf_done(&was);
	rf_done(&now);
	create_only_free(db);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* The first resource of the template counts like any other: the Aurora
 * cluster's maximum capacity, the account's API Gateway settings, the
 * trail and an Elastic IP read when each is the template's first resource
 * (and the only one of its kind). */
static void test_first_resource_counts(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	analyse(&fx,
	        "Resources:\n"
	        "  Cluster:\n"
	        "    Type: AWS::RDS::DBCluster\n"
	        "    Properties: {ServerlessV2ScalingConfiguration: {MinCapacity: 2, "
	        "MaxCapacity: 64}}\n"
	        "  Topic: {Type: AWS::SNS::Topic}\n",
	        "prod", &a);
	assert_true(a.cap.max_acu == 64);
	assert_int_equal(a.cap.db_users, (long)(64 * USERS_PER_ACU));
	analysis_free(&a);
	rf_done(&fx);
	static const char *const first[] = {
	    "  Ip: {Type: AWS::EC2::EIP}\n",
	    "  Account: {Type: AWS::ApiGateway::Account}\n",
	    "  Trail: {Type: AWS::CloudTrail::Trail}\n",
	};
	for (size_t k = 0; k < sizeof first / sizeof *first; k++) {
		char t[256];
		snprintf(t, sizeof t, "Resources:\n%s  Topic: {Type: AWS::SNS::Topic}\n", first[k]);
		analyse(&fx, t, "prod", &a);
		assert_int_equal(a.shared.eips, k == 0 ? 1 : 0);
		assert_int_equal(a.shared.api_account, k == 1);
		assert_int_equal(a.shared.trail, k == 2);
		analysis_free(&a);
		rf_done(&fx);
	}
}

/* A resource that may be replaced (a conditional create-only property
 * changes) and whose create-only property refers to a replaced resource is
 * replaced, for the reference's reason. */
static void test_update_plan_may_to_replace(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *path = tu_write_file(dir, "co.json",
	                           "{\"types\": {\n"
	                           " \"AWS::S3::Bucket\": {\"createOnly\": [\"BucketName\"],\n"
	                           "  \"conditionalCreateOnly\": [\"Soft\"]}}}\n");
	lms_error err = {0};
	create_only *db = create_only_load(path, &err);
	assert_non_null(db);
	rf_fixture was, now;
	rf_render(&was,
	          "Resources:\n"
	          "  B1: {Type: AWS::S3::Bucket, Properties: {BucketName: a}}\n"
	          "  B2: {Type: AWS::S3::Bucket, Properties: {BucketName: !Ref B1, Soft: s}}\n",
	          "dev");
	rf_render(&now,
	          "Resources:\n"
	          "  B1: {Type: AWS::S3::Bucket, Properties: {BucketName: b}}\n"
	          "  B2: {Type: AWS::S3::Bucket, Properties: {BucketName: !Ref B1, Soft: t}}\n",
	          "dev");
	update_plan plan;
	assert_true(update_safety(db, was.r, now.r, &plan));
	assert_int_equal(plan.n, 2);
	assert_string_equal(plan.v[0].id, "B1");
	assert_int_equal(plan.v[0].kind, UPD_REPLACE);
	assert_string_equal(plan.v[0].why, "BucketName");
	assert_string_equal(plan.v[1].id, "B2");
	assert_int_equal(plan.v[1].kind, UPD_REPLACE);
	assert_string_equal(plan.v[1].why, "BucketName refers to B1, which is replaced");
	update_plan_free(&plan);
	rf_done(&was);
	rf_done(&now);
	create_only_free(db);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* The data file's errors: not JSON (with its line and column), no "types"
 * object, a path list that is no list or holds no string. */
static void test_create_only_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *what;
		size_t line;
	} bad[] = {
	    {"{\n \"types\": x}", "invalid", 2},
	    {"{\"type\": {}}", "no \"types\" object: not a create-only data file", 0},
	    {"{\"types\": []}", "no \"types\" object", 0},
	    {"{\"types\": {\"A\": {\"createOnly\": \"x\"}}}", "malformed create-only data file", 0},
	    {"{\"types\": {\"A\": {\"createOnly\": [1]}}}", "malformed create-only data file", 0},
	    {"{\"types\": {\"A\": {\"conditionalCreateOnly\": {}}}}", "malformed create-only", 0},
	};
	char *dir = tu_mkdtemp();
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *path = tu_write_file(dir, "co.json", bad[i].text);
		lms_error err = {0};
		assert_null(create_only_load(path, &err));
		/* no column without a line: 0, as for every error of no place */
		if (!err.msg || !strstr(err.msg, bad[i].what) || err.line != bad[i].line ||
		    (err.line == 0 && err.col != 0) || strcmp(err.file, path) != 0)
			fail_msg("case %zu: %s:%zu:%zu: %s", i, err.file, err.line, err.col,
			         err.msg);
		lms_error_clear(&err);
		free(path);
	}
	/* a type with neither list is a type with no create-only property */
	char *path = tu_write_file(dir, "co.json", "{\"types\": {\"A\": {}}}");
	lms_error err = {0};
	create_only *db = create_only_load(path, &err);
	assert_non_null(db);
	assert_true(create_only_has_type(db, "A"));
	assert_false(create_only_has_type(db, "B"));
	assert_false(create_only_has_type(NULL, "A"));
	create_only_free(db);
	create_only_free(NULL);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* Names: each kind and status, the stateful list exact (a parameter group
 * or a policy is not the data store its type starts like). */
static void test_names_and_stateful(void **state)
{
	(void)state;
	assert_string_equal(update_kind_name(UPD_REPLACE), "replace");
	assert_string_equal(update_kind_name(UPD_MAY_REPLACE), "may replace");
	assert_string_equal(update_kind_name(UPD_ADD), "add");
	assert_string_equal(update_kind_name(UPD_REMOVE), "remove");
	assert_string_equal(tier_status_name(TIER_OK), "ok");
	assert_string_equal(tier_status_name(TIER_DEGRADED), "degraded");
	assert_string_equal(tier_status_name(TIER_DOWN), "down");
	assert_string_equal(tier_status_name(TIER_UNKNOWN), "unknown");
	assert_string_equal(tier_status_name(TIER_ABSENT), "absent");
	const char *const yes[] = {"AWS::RDS::DBCluster", "AWS::S3::Bucket",
	                           "AWS::SQS::Queue",     "AWS::KMS::Key",
	                           "AWS::Logs::LogGroup", "AWS::MemoryDB::Cluster"};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		assert_true(type_is_stateful(yes[i]));
	const char *const no[] = {"AWS::RDS::DBClusterParameterGroup",
	                          "AWS::S3::BucketPolicy",
	                          "AWS::SQS::QueuePolicy",
	                          "AWS::KMS::KeyPolicy",
	                          "AWS::RDS::DBCluste",
	                          "AWS::EC2::Subnet",
	                          "",
	                          NULL};
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		assert_false(type_is_stateful(no[i]));
}

/* Every type the real templates use is in the data file (rerun
 * scripts/extract-create-only.py when this fails). */
static void test_data_file_covers_templates(void **state)
{
	(void)state;
	create_only *db = load_db();
	lms_error err = {0};
	catalog *cat = catalog_load(tu_templates_dir(), &err);
	if (!cat)
		fail_msg("%s", err.msg);
	for (size_t i = 0; i < cat->nentries[SEC_RESOURCES]; i++) {
		const char *type =
		    ynode_str(ynode_get(cat->entries[SEC_RESOURCES][i].value, "Type"));
		if (!type || strncmp(type, "AWS::", 5) != 0 ||
		    strcmp(type, "AWS::CloudFormation::CustomResource") == 0)
			continue;
		if (!create_only_has_type(db, type))
			fail_msg("data/create-only.json has no %s: rerun "
			         "scripts/extract-create-only.py",
			         type);
	}
	catalog_free(cat);
	create_only_free(db);
}

/* The JSON form is a contract (docs/report.md). */
static void test_report_contract(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	char *one_nat = mutate("NatGatewayId: !Ref Nat2", "NatGatewayId: !Ref Nat1");
	analyse(&fx, one_nat, "prod", &a);
	free(one_nat);
	buf out;
	buf_init(&out, 0);
	assert_true(report_write(fx.cat, fx.m, fx.r, &a, &fx.f, NULL, REPORT_JSON, &out));
	json_error_t jerr;
	json_t *j = json_loads(buf_cstr(&out), 0, &jerr);
	if (!j)
		fail_msg("%s", jerr.text);
	json_t *f0 = json_array_get(json_object_get(j, "findings"), 0);
	assert_non_null(f0);
	const char *keys[] = {"id", "severity", "field", "message"};
	for (size_t i = 0; i < 4; i++)
		assert_true(json_is_string(json_object_get(f0, keys[i])));
	json_t *so = json_object_get(j, "scale_out");
	assert_true(fabs(json_real_value(json_object_get(so, "total_seconds")) - 60) < 1e-9);
	assert_true(fabs(json_real_value(json_object_get(so, "target_seconds")) - 60) < 1e-9);
	assert_true(fabs(json_real_value(json_object_get(so, "request_seconds")) - 120) < 1e-9);
	assert_int_equal(json_array_size(json_object_get(so, "terms")), TIMELINE_TERMS);
	json_t *start = json_array_get(json_object_get(so, "terms"), 4);
	assert_string_equal(json_string_value(json_object_get(start, "name")), "task start");
	assert_true(fabs(json_real_value(json_object_get(start, "budget_seconds")) - 25) < 1e-9);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(j, "capacity"), "users")), 75000);
	json_t *azl = json_object_get(j, "az_loss");
	assert_int_equal(json_array_size(azl), 3);
	assert_true(json_is_true(json_object_get(json_array_get(azl, 0), "stops")));
	assert_int_equal(json_array_size(json_object_get(j, "pdpa")), 6);
	/* an obligation is broken by its own rules' errors only: the AZ-loss
	 * error breaks availability, no PDPA obligation */
	json_t *pdpa = json_object_get(j, "pdpa");
	for (size_t i = 0; i < json_array_size(pdpa); i++) {
		json_t *o = json_array_get(pdpa, i);
		json_t *rules = json_object_get(o, "rules"),
		       *breaking = json_object_get(o, "breaking");
		for (size_t k = 0; k < json_array_size(breaking); k++) {
			const char *rule =
			    json_string_value(json_object_get(json_array_get(breaking, k), "rule"));
			bool own = false;
			for (size_t m = 0; m < json_array_size(rules); m++)
				own = own || strcmp(json_string_value(json_array_get(rules, m)),
				                    rule) == 0;
			if (!own)
				fail_msg("%s is broken by %s, not one of its rules",
				         json_string_value(json_object_get(o, "key")), rule);
		}
	}
	json_t *avail = json_object_get(j, "availability");
	assert_true(json_is_false(json_object_get(avail, "holds")));
	assert_true(json_array_size(json_object_get(avail, "breaking")) >= 1);
	json_decref(j);
	/* the human forms carry the same figures */
	for (int fmt = REPORT_TEXT; fmt <= REPORT_MARKDOWN; fmt++) {
		buf_reset(&out);
		assert_true(
		    report_write(fx.cat, fx.m, fx.r, &a, &fx.f, NULL, (report_format)fmt, &out));
		assert_contains(buf_cstr(&out), fmt == REPORT_TEXT ? "total 60 s (budget 60 s"
		                                                   : "60 s** (budget 60 s");
		assert_contains(buf_cstr(&out), "75000");
		assert_contains(buf_cstr(&out), "AZL001");
		assert_contains(buf_cstr(&out), "Transfer limitation");
	}
	assert_contains(buf_cstr(&out), "| eu-west-1a (stops) |");
	buf_free(&out);
	analysis_free(&a);
	rf_done(&fx);
}

/* The retention claim counts what a destroy leaves outside the stack, from the template. */
static size_t leftovers_of(const char *text, const char *env)
{
	rf_fixture fx;
	analysis a;
	analyse(&fx, text, env, &a);
	buf out;
	buf_init(&out, 0);
	assert_true(report_write(fx.cat, fx.m, fx.r, &a, &fx.f, NULL, REPORT_JSON, &out));
	json_t *j = json_loads(buf_cstr(&out), 0, NULL);
	assert_non_null(j);
	json_t *retention = NULL, *o;
	size_t i;
	json_array_foreach(json_object_get(j, "pdpa"), i,
	                   o) if (strcmp(json_string_value(json_object_get(o, "key")),
	                                 "retention") == 0) retention = o;
	assert_non_null(retention);
	size_t n = (size_t)json_integer_value(json_object_get(retention, "leftover_count"));
	assert_int_equal(n, json_array_size(json_object_get(retention, "leftovers")));
	json_decref(j);
	buf_free(&out);
	analysis_free(&a);
	rf_done(&fx);
	return n;
}

static void test_report_counts_leftovers(void **state)
{
	(void)state;
	/* Aurora's default DeletionPolicy is Snapshot: the final snapshot stays */
	assert_int_equal(leftovers_of(platform, "prod"), 1);
	char *t = mutate("  Cluster:\n    Type: AWS::RDS::DBCluster\n",
	                 "  Cluster:\n    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Delete\n");
	assert_int_equal(leftovers_of(t, "prod"), 0);
	free(t);
	t = mutate("Properties: {PerformanceMode: !Ref FsMode}",
	           "Properties: {PerformanceMode: !Ref FsMode, BackupPolicy: {Status: ENABLED}}");
	assert_int_equal(leftovers_of(t, "prod"), 2);
	free(t);
	t = mutate("Properties: {PerformanceMode: !Ref FsMode}",
	           "Properties: {PerformanceMode: !Ref FsMode, BackupPolicy: {Status: DISABLED}}");
	assert_int_equal(leftovers_of(t, "prod"), 1);
	free(t);
}

static size_t count_type(const rendered *r, const char *type)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nres; i++)
		n += r->res[i].type && strcmp(r->res[i].type, type) == 0;
	return n;
}

/* Account-wide settings: the owning environment creates them, any other
 * environment of the account and region creates none and says so. */
static void test_account_shared(void **state)
{
	(void)state;
	lms_error err = {0};
	catalog *cat = catalog_load(tu_templates_dir(), &err);
	if (!cat)
		fail_msg("%s", err.msg);
	static const char *const owner[] = {"true", "false"};
	for (size_t k = 0; k < 2; k++) {
		model *m = model_new_from_catalog(cat, "prod", &err);
		assert_non_null(m);
		assert_true(model_set(m, "AccountSettingsOwner", owner[k]));
		findings f;
		findings_init(&f);
		rendered *r = validate_and_render(cat, m, &f);
		assert_non_null(r);
		for (size_t i = 0; i < f.n; i++)
			if (f.v[i].sev == SEV_ERROR)
				fail_msg("%s: %s %s", owner[k], f.v[i].rule, f.v[i].message);
		size_t want = k == 0 ? 1 : 0;
		assert_int_equal(count_type(r, "AWS::ApiGateway::Account"), want);
		assert_int_equal(count_type(r, "AWS::CloudTrail::Trail"), want);
		assert_int_equal(count_type(r, "AWS::ApiGateway::Stage"), 1);
		analysis a;
		analysis_run(cat, m, r, &a);
		assert_true(a.shared.known);
		assert_int_equal(a.shared.owner, k == 0);
		assert_int_equal(a.shared.eips, 3);
		buf out;
		buf_init(&out, 0);
		assert_true(report_write(cat, m, r, &a, &f, NULL, REPORT_TEXT, &out));
		assert_contains(buf_cstr(&out), "Shared with other environments");
		assert_contains(buf_cstr(&out), k == 0 ? "owned by this environment"
		                                       : "owned by another environment");
		assert_contains(buf_cstr(&out), "3 of the 5 Elastic IPs");
		buf_reset(&out);
		assert_true(report_write(cat, m, r, &a, &f, NULL, REPORT_JSON, &out));
		json_t *j = json_loads(buf_cstr(&out), 0, NULL);
		assert_non_null(j);
		json_t *sh = json_object_get(j, "shared");
		assert_int_equal(json_is_true(json_object_get(sh, "account_settings_owner")),
		                 k == 0);
		assert_true(json_array_size(json_object_get(sh, "items")) >= 3);
		json_decref(j);
		buf_free(&out);
		analysis_free(&a);
		render_free(r);
		findings_free(&f);
		model_free(m);
	}
	catalog_free(cat);
}

/* An edge stack for the two-stack plan: a log group whose name is a parameter
 * (stateful, replaced when it changes), and a topic with the main stack's
 * logical id "Target" (replaced too: its name is create-only). */
static const char edge_stack[] =
    "Metadata:\n"
    "  AWS::CloudFormation::Interface:\n"
    "    ParameterGroups:\n"
    "      - Label: {default: E}\n"
    "        Parameters: [LogName]\n"
    "Parameters:\n"
    "  LogName: {Type: String, Description: name, Default: a}\n"
    "Resources:\n"
    "  Logs:\n"
    "    Type: AWS::Logs::LogGroup\n"
    "    Properties: {LogGroupName: !Ref LogName, RetentionInDays: 365}\n"
    "  Target:\n"
    "    Type: AWS::SNS::Topic\n"
    "    Properties: {TopicName: !Ref LogName}\n";

static const update_change *find_change(const update_plan *p, const char *stack, const char *id)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].stack && strcmp(p->v[i].stack, stack) == 0 &&
		    strcmp(p->v[i].id, id) == 0)
			return &p->v[i];
	return NULL;
}

static rendered *render_set(rf_fixture *fx, const char *key, const char *value, model **m)
{
	*m = model_new_from_catalog(fx->cat, "prod", &fx->err);
	assert_non_null(*m);
	assert_true(model_set(*m, key, value));
	rendered *r = render_template(fx->cat, *m, NULL, NULL, &fx->err);
	assert_non_null(r);
	return r;
}

/* Two stacks before and after: the main one's file system mode changed (Fs
 * replaced), the edge's log name (Logs and its Target replaced); `plan` both. */
typedef struct two_stacks {
	create_only *db;
	rf_fixture fx, ex;
	model *next, *enext;
	rendered *after, *eafter;
	update_plan plan;
} two_stacks;

static void two_stacks_init(two_stacks *t)
{
	t->db = load_db();
	rf_render(&t->fx, platform, "prod");
	rf_render(&t->ex, edge_stack, "prod");
	t->after = render_set(&t->fx, "FsMode", "maxIO", &t->next);
	t->eafter = render_set(&t->ex, "LogName", "b", &t->enext);
	memset(&t->plan, 0, sizeof(t->plan));
	assert_true(update_safety_add(t->db, "main", t->fx.r, t->after, &t->plan));
	assert_true(update_safety_add(t->db, "edge", t->ex.r, t->eafter, &t->plan));
}

static void two_stacks_done(two_stacks *t)
{
	update_plan_free(&t->plan);
	render_free(t->eafter);
	render_free(t->after);
	model_free(t->enext);
	model_free(t->next);
	rf_done(&t->ex);
	rf_done(&t->fx);
	create_only_free(t->db);
}

/* The environment's two stacks in one plan (report --previous): each change
 * tagged with its stack, the same logical id in both kept apart, the stateful
 * replacements of either stack first; update_safety alone is the main stack's. */
static void test_update_safety_two_stacks(void **state)
{
	(void)state;
	two_stacks t;
	two_stacks_init(&t);
	update_plan plan = t.plan;
	const update_change *fs = find_change(&plan, "main", "Fs");
	const update_change *logs = find_change(&plan, "edge", "Logs");
	const update_change *topic = find_change(&plan, "edge", "Target");
	assert_non_null(fs);
	assert_non_null(logs);
	assert_non_null(topic);
	assert_int_equal(logs->kind, UPD_REPLACE);
	assert_true(logs->stateful);
	assert_non_null(strstr(logs->why, "LogGroupName"));
	assert_int_equal(topic->kind, UPD_REPLACE);
	assert_false(topic->stateful);
	assert_string_equal(topic->type, "AWS::SNS::Topic");
	/* the main stack's Target (MaxCapacity, in place) is not the edge's */
	assert_null(find_change(&plan, "main", "Target"));
	assert_null(find_change(&plan, "edge", "Fs"));
	assert_null(find_change(&plan, "edg", "Logs"));
	/* stateful replacements of both stacks before every other change */
	size_t i = 0;
	while (i < plan.n && plan.v[i].stateful)
		i++;
	assert_true(i >= 2);
	for (; i < plan.n; i++)
		assert_false(plan.v[i].stateful);
	assert_true(fs < topic && logs < topic);
	size_t n = plan.n;
	/* one stack: the main one's, tagged so */
	assert_true(update_safety(t.db, t.fx.r, t.after, &plan));
	assert_int_equal(plan.n, n - 2);
	for (i = 0; i < plan.n; i++)
		assert_string_equal(plan.v[i].stack, "main");
	update_plan_free(&plan);
	/* no change in either: nothing */
	memset(&plan, 0, sizeof(plan));
	assert_true(update_safety_add(t.db, "main", t.fx.r, t.fx.r, &plan));
	assert_true(update_safety_add(t.db, "edge", t.ex.r, t.ex.r, &plan));
	assert_int_equal(plan.n, 0);
	update_plan_free(&plan);
	two_stacks_done(&t);
}

/* The report's update section says which stack each change is in: JSON
 * "stack", the text "(edge stack)", markdown "(edge)"; the main stack's
 * lines stay as they were. */
static void test_report_update_stacks(void **state)
{
	(void)state;
	two_stacks t;
	two_stacks_init(&t);
	const update_plan *plan = &t.plan;
	rf_fixture *fx = &t.fx;
	rendered *after = t.after;
	model *next = t.next;
	analysis a;
	analysis_run(fx->cat, next, after, &a);
	report_stack edge = {"edge", t.ex.cat, t.enext, t.eafter, t.ex.f};
	buf out;
	buf_init(&out, 0);
	assert_true(
	    report_write_env(fx->cat, next, after, &a, &fx->f, &edge, 1, plan, REPORT_JSON, &out));
	json_t *j = json_loads(buf_cstr(&out), 0, NULL);
	assert_non_null(j);
	json_t *up = json_object_get(j, "update");
	assert_int_equal(json_array_size(up), plan->n);
	size_t edge_n = 0, x;
	json_t *o;
	json_array_foreach(up, x, o)
	{
		const char *stack = json_string_value(json_object_get(o, "stack"));
		assert_non_null(stack);
		const char *id = json_string_value(json_object_get(o, "id"));
		bool on_edge =
		    strcmp(id, "Logs") == 0 ||
		    (strcmp(id, "Target") == 0 &&
		     strcmp(json_string_value(json_object_get(o, "type")), "AWS::SNS::Topic") == 0);
		assert_string_equal(stack, on_edge ? "edge" : "main");
		edge_n += on_edge;
	}
	assert_int_equal(edge_n, 2);
	json_decref(j);
	buf_reset(&out);
	assert_true(
	    report_write_env(fx->cat, next, after, &a, &fx->f, &edge, 1, plan, REPORT_TEXT, &out));
	assert_contains(buf_cstr(&out), "  replace     Logs (edge stack) STATEFUL "
	                                "(AWS::Logs::LogGroup): LogGroupName\n");
	assert_contains(buf_cstr(&out), "  replace     Fs STATEFUL (AWS::EFS::FileSystem)");
	assert_null(strstr(buf_cstr(&out), "Fs (main"));
	buf_reset(&out);
	assert_true(report_write_env(fx->cat, next, after, &a, &fx->f, &edge, 1, plan,
	                             REPORT_MARKDOWN, &out));
	assert_contains(buf_cstr(&out),
	                "| replace | Target (edge) | AWS::SNS::Topic | no | TopicName |\n");
	assert_contains(buf_cstr(&out), "| replace | Fs | AWS::EFS::FileSystem | **yes** |");
	buf_free(&out);
	analysis_free(&a);
	two_stacks_done(&t);
}

/* The report of the real templates, in its three formats, is the command's
 * (tests/golden/report-prod.*, which tests/golden.sh writes with `lmsctl
 * report` and checks): every figure, note and column of the report and of
 * the analyses under it, pinned on the platform's own templates. Built the
 * way cmd_report builds it, in a directory holding prod.yml and dev.yml
 * (the golden models), so that the findings name "prod.yml" as the command
 * does. */
static char *real_report(const char *model_file, report_format fmt, bool previous)
{
	lms_error err = {0};
	catalog *cat = catalog_load(tu_templates_dir(), &err);
	if (!cat)
		fail_msg("%s", err.msg);
	model *m = model_load(model_file, &err);
	if (!m)
		fail_msg("%s", err.msg);
	findings f;
	findings_init(&f);
	rendered *r = validate_and_render(cat, m, &f);
	assert_non_null(r);
	report_stack *stacks = NULL;
	size_t nstacks = 0;
	assert_true(report_companions(cat, m, &stacks, &nstacks, &err));
	model *pm = NULL;
	rendered *pr = NULL;
	report_stack *pstacks = NULL;
	size_t npstacks = 0;
	create_only *db = NULL;
	update_plan plan = {0};
	bool have_plan = false;
	if (previous) {
		pm = model_load("dev.yml", &err);
		assert_non_null(pm);
		pr = render_template(cat, pm, NULL, NULL, &err);
		assert_non_null(pr);
		assert_true(report_companions(cat, pm, &pstacks, &npstacks, &err));
		db = load_db();
		have_plan = update_safety(db, pr, r, &plan);
		for (size_t k = 0; k < nstacks && k < npstacks; k++)
			if (stacks[k].r && pstacks[k].r)
				have_plan = update_safety_add(db, stacks[k].name, pstacks[k].r,
				                              stacks[k].r, &plan) &&
				            have_plan;
	}
	analysis a;
	analysis_run(cat, m, r, &a);
	buf out;
	buf_init(&out, 0);
	assert_true(report_write_env(cat, m, r, &a, &f, stacks, nstacks, have_plan ? &plan : NULL,
	                             fmt, &out));
	buf clean; /* the command makes the human forms terminal-safe (cli/cli.c emit) */
	buf_init(&clean, 0);
	if (fmt == REPORT_JSON)
		buf_add(&clean, out.data, out.len);
	else
		assert_true(term_add(&clean, out.data, out.len, TERM_LAYOUT));
	buf_free(&out);
	analysis_free(&a);
	update_plan_free(&plan);
	create_only_free(db);
	report_companions_free(pstacks, npstacks);
	render_free(pr);
	model_free(pm);
	report_companions_free(stacks, nstacks);
	render_free(r);
	findings_free(&f);
	model_free(m);
	catalog_free(cat);
	lms_error_clear(&err);
	return buf_take(&clean);
}

/* The report of a fixture in `fmt` (no plan unless given). */
static char *report_of(rf_fixture *fx, const analysis *a, const update_plan *plan,
                       report_format fmt)
{
	buf out;
	buf_init(&out, 0);
	assert_true(report_write(fx->cat, fx->m, fx->r, a, &fx->f, plan, fmt, &out));
	return buf_take(&out);
}

/* Subnets in the first AZ only: a one-AZ table (AZ index 0 counts). */
static void test_az_loss_first_az_only(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	char *t = mutate("Properties: {AvailabilityZone: !Select [1, !GetAZs '']}}\n",
	                 "Properties: {AvailabilityZone: !Select [0, !GetAZs '']}}\n");
	t = mutate_more(t, "Properties: {AvailabilityZone: !Select [2, !GetAZs '']}}\n",
	                "Properties: {AvailabilityZone: !Select [0, !GetAZs '']}}\n");
	analyse(&fx, t, "dev", &a);
	assert_int_equal(a.naz, 1);
	assert_string_equal(a.az[0].az, "eu-west-1a");
	for (size_t i = 0; i < a.nmissing; i++)
		assert_null(strstr(a.missing[i], "subnets placed"));
	/* every task, NAT and ALB node was in it */
	assert_int_equal(tier(&a, 0, "tasks")->status, TIER_DOWN);
	assert_int_equal(tier(&a, 0, "load balancer")->status, TIER_DOWN);
	assert_true(a.az[0].stops);
	/* the markdown table's columns with one AZ */
	char *md = report_of(&fx, &a, NULL, REPORT_MARKDOWN);
	assert_contains(md,
	                "\n## Losing one availability zone\n\n| AZ | tasks | nat | database | "
	                "cache | file system | load balancer |\n|---|---|---|---|---|---|---|\n| "
	                "eu-west-1a (stops) |");
	free(md);
	analysis_free(&a);
	rf_done(&fx);
	free(t);
	/* the subnets in reverse order of their AZs: the last one does not
	 * shorten the table */
	t = mutate("Properties: {AvailabilityZone: !Select [0, !GetAZs '']}}\n",
	           "Properties: {AvailabilityZone: !Select [2, !GetAZs '']}}\n");
	t = mutate_more(
	    t, "  Sub3: {Type: AWS::EC2::Subnet, Properties: {AvailabilityZone: !Select [2,",
	    "  Sub3: {Type: AWS::EC2::Subnet, Properties: {AvailabilityZone: !Select [0,");
	analyse(&fx, t, "dev", &a);
	assert_int_equal(a.naz, 3);
	analysis_free(&a);
	rf_done(&fx);
	free(t);
}

/* The AZ table holds the first 32 AZs (a bit each): a subnet in the 33rd
 * of a long AZ list adds no column; one in the 32nd does. */
static void test_az_loss_32_azs(void **state)
{
	(void)state;
	static char names[34][16];
	const char *azs[34];
	for (size_t i = 0; i < 34; i++) {
		snprintf(names[i], sizeof names[i], "eu-west-1-%zu", i);
		azs[i] = names[i];
	}
	render_options opt = {.azs = azs, .nazs = 34};
	for (int last = 31; last <= 32; last++) {
		char to[128];
		snprintf(to, sizeof to,
		         "Properties: {AvailabilityZone: !Select [%d, !GetAZs '']}}\n", last);
		char *t = mutate("Properties: {AvailabilityZone: !Select [2, !GetAZs '']}}\n", to);
		rf_fixture fx;
		rf_render_opt(&fx, t, "prod", &opt);
		analysis a;
		analysis_run(fx.cat, fx.m, fx.r, &a);
		assert_int_equal(a.naz, last == 31 ? 32 : 2);
		assert_string_equal(a.az[a.naz - 1].az, names[a.naz - 1]);
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
}

/* A step alarm of zero datapoints detects at once: a detection time of 0
 * is known, not missing. */
static void test_detection_zero(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	char *t = mutate("Properties: {Period: 10, EvaluationPeriods: 1, DatapointsToAlarm: 1,",
	                 "Properties: {Period: 10, EvaluationPeriods: 1, DatapointsToAlarm: 0,");
	analyse(&fx, t, "prod", &a);
	assert_true(a.timeline.known);
	assert_string_equal(a.timeline.policy, "Step");
	assert_true(a.timeline.terms[0].seconds == 0);
	assert_int_equal(a.nmissing, 0);
	analysis_free(&a);
	rf_done(&fx);
	/* a later, slower policy does not replace a detection of 0 */
	t = mutate_more(t, "  Surge:\n",
	                "  Step2:\n"
	                "    Type: AWS::ApplicationAutoScaling::ScalingPolicy\n"
	                "    Properties:\n"
	                "      PolicyType: StepScaling\n"
	                "      ScalingTargetId: !Ref Target\n"
	                "      StepScalingPolicyConfiguration:\n"
	                "        StepAdjustments: [{MetricIntervalLowerBound: 0, "
	                "ScalingAdjustment: 50}]\n"
	                "  Surge2:\n"
	                "    Type: AWS::CloudWatch::Alarm\n"
	                "    Properties: {Period: 10, DatapointsToAlarm: 1, AlarmActions: [!Ref "
	                "Step2]}\n"
	                "  Surge:\n");
	analyse(&fx, t, "prod", &a);
	assert_string_equal(a.timeline.policy, "Step");
	assert_true(a.timeline.terms[0].seconds == 0);
	analysis_free(&a);
	rf_done(&fx);
	free(t);
	/* nor does a later, slower alarm of the same policy */
	t = mutate("Properties: {Period: 10, EvaluationPeriods: 1, DatapointsToAlarm: 1,",
	           "Properties: {Period: 10, EvaluationPeriods: 1, DatapointsToAlarm: 0,");
	t = mutate_more(t, "  Cluster:\n",
	                "  Surge2:\n"
	                "    Type: AWS::CloudWatch::Alarm\n"
	                "    Properties: {Period: 10, DatapointsToAlarm: 1, AlarmActions: [!Ref "
	                "Step]}\n"
	                "  Cluster:\n");
	analyse(&fx, t, "prod", &a);
	assert_string_equal(a.timeline.terms[0].from,
	                    "step scaling Step on alarm Surge: 0 datapoint(s) of 10 s");
	analysis_free(&a);
	rf_done(&fx);
	free(t);
}

/* No ECS service: the tasks tier is absent with no figures (null in the
 * report, no numbers in the text), and the report lists what is missing. */
static void test_report_no_service(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	char *none = mutate("    Type: AWS::ECS::Service\n", "    Type: AWS::SNS::Topic\n");
	analyse(&fx, none, "prod", &a);
	assert_int_equal(a.naz, 3);
	const az_tier *tasks = tier(&a, 0, "tasks");
	assert_int_equal(tasks->status, TIER_ABSENT);
	assert_int_equal(tasks->total, -1);
	assert_int_equal(tasks->remaining, -1);
	char *js = report_of(&fx, &a, NULL, REPORT_JSON);
	json_t *j = json_loads(js, 0, NULL);
	assert_non_null(j);
	json_t *t0 = json_array_get(
	    json_object_get(json_array_get(json_object_get(j, "az_loss"), 0), "tiers"), 0);
	assert_string_equal(json_string_value(json_object_get(t0, "tier")), "tasks");
	assert_string_equal(json_string_value(json_object_get(t0, "status")), "absent");
	assert_true(json_is_null(json_object_get(t0, "total")));
	assert_true(json_is_null(json_object_get(t0, "remaining")));
	json_t *miss = json_object_get(j, "missing_inputs");
	assert_int_equal(json_array_size(miss), a.nmissing);
	assert_string_equal(json_string_value(json_array_get(miss, 0)),
	                    "an ECS service (AWS::ECS::Service)");
	json_decref(j);
	free(js);
	char *text = report_of(&fx, &a, NULL, REPORT_TEXT);
	assert_contains(text, "\n    tasks          absent \n");
	assert_contains(text, "\nInputs not found\n  an ECS service (AWS::ECS::Service)\n");
	assert_contains(text, "  total unknown s (budget 60 s; the request allows 120 s); policy "
	                      "none (-)\n");
	free(text);
	char *md = report_of(&fx, &a, NULL, REPORT_MARKDOWN);
	assert_contains(md, "\n## Inputs not found\n\n- an ECS service (AWS::ECS::Service)\n");
	assert_contains(md, "| eu-west-1a | absent |");
	free(md);
	analysis_free(&a);
	rf_done(&fx);
	free(none);
}

/* An empty update plan says so; a finding's pipe does not break the
 * markdown table (its line break is shown as \x0a, term_json_clean); a finding without a field has
 * no brackets. */
static void test_report_cells(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	analyse(&fx, platform, "prod", &a);
	findings_add(&fx.f, "SEC001", SEV_WARNING, "A|B", "", "one|two\nthree");
	findings_add(&fx.f, "OBS008", SEV_WARNING, "", "", "no field here");
	update_plan none = {0};
	char *md = report_of(&fx, &a, &none, REPORT_MARKDOWN);
	assert_contains(md, "| warning | SEC001 | A\\|B | one\\|two\\x0athree |  |\n");
	assert_contains(md, "| warning | OBS008 |  | no field here |  |\n");
	assert_contains(md, "\n## Update safety (against the previous model)\n\nNo resource is "
	                    "replaced, added or removed.\n");
	assert_null(strstr(md, "| change | resource |"));
	free(md);
	char *text = report_of(&fx, &a, &none, REPORT_TEXT);
	assert_contains(text, "  warning SEC001 [A|B] one|two");
	assert_contains(text, "  warning OBS008 no field here\n");
	assert_contains(text, "\nUpdate safety (against the previous model)\n  nothing replaced, "
	                      "added or removed\n");
	free(text);
	/* no plan: no section */
	text = report_of(&fx, &a, NULL, REPORT_TEXT);
	assert_null(strstr(text, "Update safety"));
	free(text);
	analysis_free(&a);
	rf_done(&fx);
}

/* The web-path column (a stack with a CloudFront distribution: here the
 * main one) under each state of the ALB tier, and the composite's web
 * path. */
static json_t *web_tier(const char *text, size_t az, rf_fixture *fx, analysis *a, char **md)
{
	analyse(fx, text, "prod", a);
	char *js = report_of(fx, a, NULL, REPORT_JSON);
	json_t *j = json_loads(js, 0, NULL);
	assert_non_null(j);
	free(js);
	*md = report_of(fx, a, NULL, REPORT_MARKDOWN);
	json_t *tiers = json_object_get(json_array_get(json_object_get(j, "az_loss"), az), "tiers");
	assert_int_equal(json_array_size(tiers), AZ_TIERS + 1);
	json_t *w = json_incref(json_array_get(tiers, AZ_TIERS));
	assert_string_equal(json_string_value(json_object_get(w, "tier")), "web path");
	json_t *paths = json_object_get(j, "availability");
	paths = json_object_get(paths, "composite");
	assert_int_equal(json_array_size(paths), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(paths, 0), "path")),
	                    "web");
	json_decref(j);
	return w;
}

static void test_report_web_path(void **state)
{
	(void)state;
	static const char cdn[] =
	    "  Cdn: {Type: AWS::CloudFront::Distribution, Properties: {DistributionConfig: "
	    "{Enabled: true}}}\n";
	size_t n = strlen(platform) + strlen(cdn) + 64;
	char *t = malloc(n);
	assert_non_null(t);
	snprintf(t, n, "%s%s", platform, cdn);
	rf_fixture fx;
	analysis a;
	char *md;
	json_t *w = web_tier(t, 0, &fx, &a, &md);
	assert_string_equal(json_string_value(json_object_get(w, "status")), "degraded");
	assert_int_equal(json_integer_value(json_object_get(w, "total")), 3);
	assert_int_equal(json_integer_value(json_object_get(w, "remaining")), 2);
	assert_string_equal(json_string_value(json_object_get(w, "note")),
	                    "CloudFront and WAF are global (main stack, eu-west-1): untouched; "
	                    "the origin reaches the ALB's nodes in the 2 other AZ(s)");
	assert_contains(md, "| web path |\n");
	assert_contains(md, "\nWeb path, for the first AZ: CloudFront and WAF are global (main "
	                    "stack, eu-west-1): untouched; the origin reaches the ALB's nodes in "
	                    "the 2 other AZ(s).\n");
	free(md);
	json_decref(w);
	analysis_free(&a);
	rf_done(&fx);

	/* the ALB in the first AZ only, behind a VPC origin */
	char *one =
	    mutate_more(strdup(t), "Properties: {Subnets: [!Ref Sub1, !Ref Sub2, !Ref Sub3]}",
	                "Properties: {Subnets: [!Ref Sub1]}");
	one = mutate_more(one, "  Cdn:", "  Vo: {Type: AWS::CloudFront::VpcOrigin}\n  Cdn:");
	w = web_tier(one, 0, &fx, &a, &md);
	assert_string_equal(json_string_value(json_object_get(w, "status")), "down");
	assert_int_equal(json_integer_value(json_object_get(w, "total")), 1);
	assert_int_equal(json_integer_value(json_object_get(w, "remaining")), 0);
	assert_string_equal(json_string_value(json_object_get(w, "note")),
	                    "CloudFront and WAF are global (main stack, eu-west-1): untouched; "
	                    "the VPC origin has no ALB node left: pages fail, cached assets are "
	                    "still served");
	free(md);
	json_decref(w);
	analysis_free(&a);
	rf_done(&fx);
	w = web_tier(one, 1, &fx, &a, &md);
	assert_string_equal(json_string_value(json_object_get(w, "status")), "ok");
	assert_string_equal(json_string_value(json_object_get(w, "note")),
	                    "CloudFront and WAF are global (main stack, eu-west-1): untouched; "
	                    "the VPC origin reaches the ALB's nodes in the 1 other AZ(s)");
	free(md);
	json_decref(w);
	analysis_free(&a);
	rf_done(&fx);
	free(one);

	/* no ALB, or one in unplaced subnets: what the origin reaches is unknown */
	const char *why[][2] = {{"    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n",
	                         "    Type: AWS::SNS::Topic\n"},
	                        {"Properties: {Subnets: [!Ref Sub1, !Ref Sub2, !Ref Sub3]}",
	                         "Properties: {Subnets: [subnet-1]}"}};
	const char *status[] = {"absent", "unknown"};
	for (size_t k = 0; k < 2; k++) {
		char *x = mutate_more(strdup(t), why[k][0], why[k][1]);
		w = web_tier(x, 0, &fx, &a, &md);
		assert_string_equal(json_string_value(json_object_get(w, "status")), status[k]);
		assert_string_equal(json_string_value(json_object_get(w, "note")),
		                    "CloudFront and WAF are global (main stack, eu-west-1): "
		                    "untouched; what the origin reaches of the ALB is unknown");
		free(md);
		json_decref(w);
		analysis_free(&a);
		rf_done(&fx);
		free(x);
	}
	free(t);
}

/* A CloudFront distribution tenant is no distribution: a stack with only a
 * tenant has no web path. */
static void test_report_tenant_no_web_path(void **state)
{
	(void)state;
	static const char tenant[] = "  Tenant: {Type: AWS::CloudFront::DistributionTenant}\n";
	size_t n = strlen(platform) + strlen(tenant) + 1;
	char *t = malloc(n);
	assert_non_null(t);
	snprintf(t, n, "%s%s", platform, tenant);
	rf_fixture fx;
	analysis a;
	analyse(&fx, t, "prod", &a);
	char *js = report_of(&fx, &a, NULL, REPORT_JSON);
	json_t *j = json_loads(js, 0, NULL);
	assert_non_null(j);
	json_t *tiers = json_object_get(json_array_get(json_object_get(j, "az_loss"), 0), "tiers");
	assert_int_equal(json_array_size(tiers), AZ_TIERS);
	assert_int_equal(
	    json_array_size(json_object_get(json_object_get(j, "availability"), "composite")), 0);
	json_decref(j);
	free(js);
	analysis_free(&a);
	rf_done(&fx);
	free(t);
}

/* Tiers with nothing in them (no NAT, no cache, no mount target) are
 * absent with 0 of 0; a mount target in an unplaced subnet makes the file
 * system's tier unknown. */
static void test_absent_tiers(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	char *t = mutate("  Nat1: {Type: AWS::EC2::NatGateway,", "  Nat1: {Type: AWS::SNS::Topic,");
	t = mutate_more(t, "  Nat2: {Type: AWS::EC2::NatGateway,",
	                "  Nat2: {Type: AWS::SNS::Topic,");
	t = mutate_more(t, "  Nat3: {Type: AWS::EC2::NatGateway,",
	                "  Nat3: {Type: AWS::SNS::Topic,");
	t = mutate_more(t, "    Type: AWS::ElastiCache::ReplicationGroup\n",
	                "    Type: AWS::SNS::Topic\n");
	for (int i = 1; i <= 3; i++) {
		char from[64], to[64];
		snprintf(from, sizeof from, "  Mt%d: {Type: AWS::EFS::MountTarget,", i);
		snprintf(to, sizeof to, "  Mt%d: {Type: AWS::SNS::Topic,", i);
		t = mutate_more(t, from, to);
	}
	analyse(&fx, t, "prod", &a);
	assert_int_equal(a.naz, 3);
	const char *absent[] = {"nat", "cache", "file system"};
	for (size_t i = 0; i < 3; i++) {
		const az_tier *x = tier(&a, 1, absent[i]);
		assert_int_equal(x->status, TIER_ABSENT);
		assert_int_equal(x->total, 0);
		assert_int_equal(x->remaining, 0);
		assert_null(x->note);
	}
	assert_false(a.az[1].stops);
	char *js = report_of(&fx, &a, NULL, REPORT_JSON);
	json_t *j = json_loads(js, 0, NULL);
	assert_non_null(j);
	json_t *nat = json_array_get(
	    json_object_get(json_array_get(json_object_get(j, "az_loss"), 1), "tiers"), 1);
	assert_string_equal(json_string_value(json_object_get(nat, "tier")), "nat");
	assert_string_equal(json_string_value(json_object_get(nat, "status")), "absent");
	assert_int_equal(json_integer_value(json_object_get(nat, "total")), 0);
	assert_true(json_is_integer(json_object_get(nat, "remaining")));
	assert_int_equal(json_integer_value(json_object_get(nat, "remaining")), 0);
	assert_true(json_is_null(json_object_get(nat, "note")));
	json_decref(j);
	free(js);
	char *text = report_of(&fx, &a, NULL, REPORT_TEXT);
	assert_contains(text, "\n    nat            absent \n");
	free(text);
	analysis_free(&a);
	rf_done(&fx);
	free(t);

	t = mutate("Properties: {FileSystemId: !Ref Fs, SubnetId: !Ref "
	           "Sub1}}",
	           "Properties: {FileSystemId: !Ref Fs, SubnetId: subnet-1}}");
	analyse(&fx, t, "prod", &a);
	for (size_t k = 0; k < 3; k++) {
		const az_tier *x = tier(&a, k, "file system");
		assert_int_equal(x->status, TIER_UNKNOWN);
		assert_int_equal(x->total, 3);
		assert_int_equal(x->remaining, -1);
	}
	analysis_free(&a);
	rf_done(&fx);
	free(t);
	/* an ALB in two of three AZs: losing the third leaves it whole, no note */
	t = mutate("Properties: {Subnets: [!Ref Sub1, !Ref Sub2, !Ref Sub3]}",
	           "Properties: {Subnets: [!Ref Sub1, !Ref Sub2]}");
	analyse(&fx, t, "prod", &a);
	const az_tier *lb = tier(&a, 2, "load balancer");
	assert_int_equal(lb->status, TIER_OK);
	assert_int_equal(lb->total, 2);
	assert_int_equal(lb->remaining, 2);
	assert_null(lb->note);
	lb = tier(&a, 0, "load balancer");
	assert_int_equal(lb->status, TIER_DEGRADED);
	assert_int_equal(lb->remaining, 1);
	assert_string_equal(lb->note, "nodes in the other AZ(s) serve");
	analysis_free(&a);
	rf_done(&fx);
	free(t);
	/* two NATs, in the first two AZs: losing the third loses none; one NAT
	 * for three route tables strands the other AZs' subnets, each named */
	t = mutate("  Nat3: {Type: AWS::EC2::NatGateway,", "  Nat3: {Type: AWS::SNS::Topic,");
	analyse(&fx, t, "dev", &a);
	const az_tier *nt = tier(&a, 2, "nat");
	assert_int_equal(nt->status, TIER_OK);
	assert_int_equal(nt->total, 2);
	assert_int_equal(nt->remaining, 2);
	assert_null(nt->note);
	assert_null(tier(&a, 2, "database")->note);
	assert_int_equal(tier(&a, 2, "database")->status, TIER_OK);
	analysis_free(&a);
	rf_done(&fx);
	free(t);
	t = mutate("NatGatewayId: !Ref Nat2", "NatGatewayId: !Ref Nat1");
	t = mutate_more(t, "NatGatewayId: !Ref Nat3", "NatGatewayId: !Ref Nat1");
	analyse(&fx, t, "dev", &a);
	nt = tier(&a, 0, "nat");
	assert_int_equal(nt->status, TIER_DOWN);
	assert_string_equal(
	    nt->note, "Sub2, Sub3 lose Internet egress: their route goes through this AZ's NAT");
	nt = tier(&a, 1, "nat");
	assert_int_equal(nt->status, TIER_DEGRADED);
	assert_string_equal(nt->note, "only this AZ's own subnets used its NAT");
	analysis_free(&a);
	rf_done(&fx);
	free(t);
	/* the stranding route as the template's first resource */
	t = mutate(
	    "  R2: {Type: AWS::EC2::Route, Properties: {RouteTableId: !Ref Rt2, NatGatewayId: "
	    "!Ref Nat2}}\n",
	    "");
	t = mutate_more(t, "Resources:\n",
	                "Resources:\n  R2: {Type: AWS::EC2::Route, Properties: {RouteTableId: !Ref "
	                "Rt2, NatGatewayId: !Ref Nat1}}\n");
	analyse(&fx, t, "dev", &a);
	assert_string_equal(fx.r->res[0].id, "R2");
	nt = tier(&a, 0, "nat");
	assert_int_equal(nt->status, TIER_DOWN);
	assert_string_equal(nt->note,
	                    "Sub2 lose Internet egress: their route goes through this AZ's NAT");
	analysis_free(&a);
	rf_done(&fx);
	free(t);
}

/* The policy the timeline takes: one of another scalable target, of
 * another type, or whose alarm has no period or no datapoints is passed
 * over; EvaluationPeriods stands for a missing DatapointsToAlarm; without
 * the service's target group the timeline is not known. */
static void test_timeline_policy_choice(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to, *policy;
		double detection;
	} cases[] = {
	    {"      PolicyType: StepScaling\n      ScalingTargetId: !Ref Target\n",
	     "      PolicyType: StepScaling\n      ScalingTargetId: other\n", "Tracking", 180},
	    {"      PolicyType: StepScaling\n", "      PolicyType: StepScalingX\n", "Tracking",
	     180},
	    {"      PolicyType: StepScaling\n", "      PolicyType: StepScalin\n", "Tracking", 180},
	    {"Properties: {Period: 10, EvaluationPeriods: 1, DatapointsToAlarm: 1,",
	     "Properties: {EvaluationPeriods: 1, DatapointsToAlarm: 1,", "Tracking", 180},
	    {"Properties: {Period: 10, EvaluationPeriods: 1, DatapointsToAlarm: 1,",
	     "Properties: {Period: 10,", "Tracking", 180},
	    {"Properties: {Period: 10, EvaluationPeriods: 1, DatapointsToAlarm: 1,",
	     "Properties: {Period: 10, EvaluationPeriods: 2,", "Step", 20},
	    {"Properties: {Period: 10, EvaluationPeriods: 1, DatapointsToAlarm: 1,",
	     "Properties: {Period: 10, EvaluationPeriods: 3, DatapointsToAlarm: 2,", "Step", 20},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		rf_fixture fx;
		analysis a;
		char *t = mutate(cases[i].from, cases[i].to);
		analyse(&fx, t, "prod", &a);
		if (!a.timeline.known || strcmp(a.timeline.policy, cases[i].policy) != 0 ||
		    a.timeline.terms[0].seconds != cases[i].detection)
			fail_msg("case %zu: policy %s, detection %g", i,
			         a.timeline.policy ? a.timeline.policy : "none",
			         a.timeline.terms[0].seconds);
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
	/* a tie keeps the first: another policy, or another alarm of the same
	 * policy, that detects as fast */
	static const char *const ties[] = {"Step2", "Step"};
	for (size_t i = 0; i < 2; i++) {
		rf_fixture fx;
		analysis a;
		buf add;
		buf_init(&add, 0);
		if (i == 0)
			buf_adds(&add, "  Step2:\n"
			               "    Type: AWS::ApplicationAutoScaling::ScalingPolicy\n"
			               "    Properties:\n"
			               "      PolicyType: StepScaling\n"
			               "      ScalingTargetId: !Ref Target\n"
			               "      StepScalingPolicyConfiguration:\n"
			               "        StepAdjustments: [{MetricIntervalLowerBound: 0, "
			               "ScalingAdjustment: 50}]\n");
		buf_addf(&add,
		         "  Surge2:\n"
		         "    Type: AWS::CloudWatch::Alarm\n"
		         "    Properties: {Period: 10, DatapointsToAlarm: 1, AlarmActions: [!Ref "
		         "%s]}\n"
		         "  Cluster:\n",
		         ties[i]);
		char *t = mutate("  Cluster:\n", buf_cstr(&add));
		buf_free(&add);
		analyse(&fx, t, "prod", &a);
		assert_string_equal(a.timeline.policy, "Step");
		assert_string_equal(a.timeline.terms[0].from,
		                    "step scaling Step on alarm Surge: 1 datapoint(s) of 10 s");
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
	rf_fixture fx;
	analysis a;
	char *t = mutate("LoadBalancers: [{TargetGroupArn: !Ref Tg}]",
	                 "LoadBalancers: [{TargetGroupArn: arn:aws:x}]");
	analyse(&fx, t, "prod", &a);
	assert_false(a.timeline.known);
	assert_int_equal(a.nmissing, 1);
	assert_string_equal(a.missing[0], "the ECS service's target group (health check)");
	assert_true(a.timeline.deregistration == 300); /* the default, before the target group */
	analysis_free(&a);
	rf_done(&fx);
	free(t);
}

/* The shared rows from the template's own resources and the
 * AccountSettingsOwner parameter: unknown without it, each owner value
 * exactly (`truex` is not true), the trail and API account owned or not,
 * the Elastic IPs counted by exact type. */
static json_t *shared_items(const char *text, json_t **owner)
{
	rf_fixture fx;
	analysis a;
	analyse(&fx, text, "prod", &a);
	char *js = report_of(&fx, &a, NULL, REPORT_JSON);
	json_t *j = json_loads(js, 0, NULL);
	assert_non_null(j);
	free(js);
	json_t *sh = json_object_get(j, "shared");
	*owner = json_incref(json_object_get(sh, "account_settings_owner"));
	json_t *items = json_incref(json_object_get(sh, "items"));
	json_decref(j);
	analysis_free(&a);
	rf_done(&fx);
	return items;
}

static const char *row(json_t *items, size_t i)
{
	return json_string_value(json_object_get(json_array_get(items, i), "this_environment"));
}

static void test_report_shared_rows(void **state)
{
	(void)state;
	json_t *owner;
	json_t *items = shared_items(platform, &owner);
	assert_true(json_is_null(owner));
	assert_int_equal(json_array_size(items), 5);
	assert_contains(row(items, 0), "owned by another environment (AccountSettingsOwner false)");
	assert_contains(row(items, 1), "owned by another environment (or an organization trail)");
	assert_string_equal(row(items, 2), "0 of the 5 Elastic IPs of the default quota, which "
	                                   "every environment's NAT gateways share");
	json_decref(items);
	json_decref(owner);
	static const struct {
		const char *value;
		bool owner;
	} cases[] = {{"'true'", true}, {"'false'", false}, {"truex", false}, {"'tru'", false}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char param[160];
		snprintf(
		    param, sizeof param,
		    "Parameters:\n  AccountSettingsOwner: {Type: String, Description: o, Default: "
		    "%s}\n",
		    cases[i].value);
		char *t = mutate("Parameters:\n", param);
		t = mutate_more(t, "Parameters: [TaskSessionCapacity,",
		                "Parameters: [AccountSettingsOwner, TaskSessionCapacity,");
		items = shared_items(t, &owner);
		assert_true(json_is_boolean(owner));
		assert_int_equal(json_is_true(owner), cases[i].owner);
		assert_contains(row(items, 1),
		                cases[i].owner ? "none (EnableCloudTrail false): an organization "
		                                 "trail records the account"
		                               : "owned by another environment (or an "
		                                 "organization trail)");
		json_decref(items);
		json_decref(owner);
		free(t);
	}
	/* the trail, the API account and two EIPs (an association is none) here */
	char *t = mutate("  Cluster:\n", "  Trail: {Type: AWS::CloudTrail::Trail}\n"
	                                 "  ApiAccount: {Type: AWS::ApiGateway::Account}\n"
	                                 "  Eip1: {Type: AWS::EC2::EIP}\n"
	                                 "  Eip2: {Type: AWS::EC2::EIP}\n"
	                                 "  EipA: {Type: AWS::EC2::EIPAssociation}\n"
	                                 "  Cluster:\n");
	items = shared_items(t, &owner);
	assert_contains(row(items, 0),
	                "owned by this environment: every environment's API logging");
	assert_contains(row(items, 1), "owned by this environment: records every environment's");
	assert_contains(row(items, 2), "2 of the 5 Elastic IPs");
	json_decref(items);
	json_decref(owner);
	free(t);
}

/* A catalog without companions: no stacks, nothing allocated. */
static void test_report_no_companions(void **state)
{
	(void)state;
	rf_fixture fx;
	rf_render(&fx, platform, "prod");
	report_stack *v = (report_stack *)&fx;
	size_t n = 7;
	lms_error err = {0};
	assert_true(report_companions(fx.cat, fx.m, &v, &n, &err));
	assert_null(v);
	assert_int_equal(n, 0);
	assert_null(err.msg);
	rf_done(&fx);
}

/* What breaks an obligation: the resource whose key is the last at or
 * before the finding's line in the finding's own fragment; none for a
 * finding elsewhere or without a position (then its field, or the
 * template). Finding files under the catalog's directory are shown
 * relative to it, only when a '/' follows the directory. */
static size_t line_of(const char *text, const char *key)
{
	const char *at = strstr(text, key);
	assert_non_null(at);
	size_t line = 1;
	for (const char *p = text; p < at; p++)
		line += *p == '\n';
	return line;
}

static void test_report_breaking(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	analyse(&fx, platform, "dev", &a);
	const char *frag = fx.cat->frags[fx.cat->nfrags - 1].path;
	size_t nat1 = line_of(platform, "  Nat1:"), alb = line_of(platform, "  Alb:");
	char *near = lms_strdupf("%sx/t.yml", fx.cat->dir);
	char *shorter = strndup(frag, strlen(frag) - 1); /* DIR/t.ym: no fragment's */
	struct {
		const char *file;
		size_t line;
		const char *field, *resource, *shown;
	} cases[] = {
	    {frag, nat1, "", "Nat1", "t.yml"},
	    {frag, nat1 - 1, "", "Sub3", "t.yml"},
	    {frag, alb + 2, "", "Alb", "t.yml"},
	    {frag, 1, "", NULL, "t.yml"}, /* before the first resource */
	    {frag, line_of(platform, "  Sub1:"), "", "Sub1", "t.yml"}, /* the first itself */
	    {near, nat1, "F", NULL, near},
	    {fx.cat->dir, nat1, "F", NULL, fx.cat->dir},
	    {shorter, nat1, "F", NULL, "t.ym"},
	    {NULL, 0, "F", NULL, NULL},
	    {NULL, 0, "", NULL, NULL},
	};
	size_t n = sizeof cases / sizeof cases[0];
	for (size_t i = 0; i < n; i++) {
		findings_add(&fx.f, "SEC002", SEV_ERROR, cases[i].field, "", "case %zu", i);
		if (cases[i].file)
			findings_set_position(&fx.f, fx.f.n - 1, cases[i].file, cases[i].line, 1);
	}
	char *js = report_of(&fx, &a, NULL, REPORT_JSON);
	json_t *j = json_loads(js, 0, NULL);
	assert_non_null(j);
	free(js);
	json_t *prot = json_array_get(json_object_get(j, "pdpa"), 0);
	assert_string_equal(json_string_value(json_object_get(prot, "key")), "protection");
	assert_true(json_is_false(json_object_get(prot, "holds")));
	json_t *br = json_object_get(prot, "breaking");
	assert_int_equal(json_array_size(br), n);
	json_t *fs = json_object_get(j, "findings");
	for (size_t i = 0; i < n; i++) {
		char msg[16];
		snprintf(msg, sizeof msg, "case %zu", i);
		json_t *b = NULL, *f = NULL, *x;
		size_t k;
		json_array_foreach(br, k,
		                   x) if (strcmp(json_string_value(json_object_get(x, "message")),
		                                 msg) == 0) b = x;
		json_array_foreach(fs, k,
		                   x) if (strcmp(json_string_value(json_object_get(x, "message")),
		                                 msg) == 0) f = x;
		assert_non_null(b);
		assert_non_null(f);
		const char *res = json_string_value(json_object_get(b, "resource"));
		if (cases[i].resource)
			assert_string_equal(res, cases[i].resource);
		else
			assert_null(res);
		const char *file = json_string_value(json_object_get(f, "file"));
		if (cases[i].shown)
			assert_string_equal(file, cases[i].shown);
		else
			assert_null(file);
		const char *field = json_string_value(json_object_get(b, "field"));
		if (*cases[i].field)
			assert_string_equal(field, cases[i].field);
		else
			assert_null(field);
	}
	json_decref(j);
	char *text = report_of(&fx, &a, NULL, REPORT_TEXT);
	assert_contains(text, "      broken by SEC002: Nat1 AWS::EC2::NatGateway\n");
	assert_contains(text, "      broken by SEC002: F \n");
	assert_contains(text, "      broken by SEC002: the template \n");
	assert_contains(text, "  Protection                s24       NO   ");
	assert_contains(text, "SEC002 (error)");
	free(text);
	char *md = report_of(&fx, &a, NULL, REPORT_MARKDOWN);
	assert_contains(
	    md, "| | | broken by SEC002 | | Alb AWS::ElasticLoadBalancingV2::LoadBalancer |\n");
	assert_contains(md, "SEC002 (**error**)");
	assert_contains(md, "| **no** |");
	free(md);
	free(near);
	free(shorter);
	analysis_free(&a);
	rf_done(&fx);
}

/* The cache's capacity: a node too small for the application's working
 * set serves 0 users (not a negative count); NumNodeGroups multiplies the
 * memory from 1 up (0 counts as 1); node types by exact name. */
static void test_cache_capacity(void **state)
{
	(void)state;
	static const struct {
		const char *type, *groups;
		long users;
		bool known;
	} cases[] = {
	    {"cache.r7g.large", NULL, 163630, true}, {"cache.t3.micro", NULL, 0, true},
	    {"cache.r7g.large", "0", 163630, true},  {"cache.r7g.large", "1", 163630, true},
	    {"cache.r7g.large", "2", 369203, true},  {"cache.r7g.larg", NULL, -1, false},
	    {"cache.r7g.largex", NULL, -1, false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char to[160];
		if (cases[i].groups)
			snprintf(to, sizeof to,
			         "      CacheNodeType: %s\n      NumNodeGroups: %s\n",
			         cases[i].type, cases[i].groups);
		else
			snprintf(to, sizeof to, "      CacheNodeType: %s\n", cases[i].type);
		char *t = mutate("      CacheNodeType: cache.r7g.large\n", to);
		rf_fixture fx;
		analysis a;
		analyse(&fx, t, "prod", &a);
		if (a.cap.cache_users != cases[i].users)
			fail_msg("%s x %s: %ld users", cases[i].type,
			         cases[i].groups ? cases[i].groups : "-", a.cap.cache_users);
		bool listed = false;
		for (size_t k = 0; k < a.nmissing; k++)
			listed =
			    listed || strcmp(a.missing[k], "the cache node type's memory") == 0;
		assert_int_equal(listed, !cases[i].known);
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
	/* two replication groups: the node type and the shard count are both
	 * the last group's (its NumNodeGroups: 1 replaces the first's 3), never
	 * one group's type with the other's shards */
	char *t = mutate("      NumCacheClusters: 3\n",
	                 "      NumNodeGroups: 3\n      ReplicasPerNodeGroup: 1\n");
	t = mutate_more(t, "  Fs: {",
	                "  Cache2:\n    Type: AWS::ElastiCache::ReplicationGroup\n"
	                "    Properties:\n      CacheNodeType: cache.r7g.large\n"
	                "      NumNodeGroups: 1\n      ReplicasPerNodeGroup: 1\n"
	                "      AutomaticFailoverEnabled: true\n"
	                "      CacheSubnetGroupName: !Ref CacheSubnets\n  Fs: {");
	rf_fixture fx;
	analysis a;
	analyse(&fx, t, "prod", &a);
	assert_int_equal(a.cap.cache_shards, 1);
	assert_int_equal(a.cap.cache_users, 163630);
	analysis_free(&a);
	rf_done(&fx);
	free(t);
}

/* Connections per task: LMS_DB_POOL_SIZE exactly, 0 counts, a negative
 * value does not, two containers add up; the proxy of another cluster is
 * not this one's (then every connection is allowed); allowed is rounded
 * down. */
static void test_pool_and_proxy(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to;
		long per_task, demand;
		const char *proxy;
		long allowed;
	} cases[] = {
	    {"Value: !Ref PoolSize}", "Value: 0}", 0, 0, "Proxy", 4500},
	    {"Value: !Ref PoolSize}", "Value: -1}", -1, -1, "Proxy", 4500},
	    {"Name: LMS_DB_POOL_SIZE,", "Name: LMS_DB_POOL_SIZEX,", -1, -1, "Proxy", 4500},
	    {"Name: LMS_DB_POOL_SIZE,", "Name: LMS_DB_POOL_SIZ,", -1, -1, "Proxy", 4500},
	    {"PoolSize}]}]\n",
	     "PoolSize}]}, {Name: side, Environment: [{Name: LMS_DB_POOL_SIZE, "
	     "Value: 5}]}]\n",
	     20, 6000, "Proxy", 4500},
	    {"DBClusterIdentifiers: [!Ref Cluster]", "DBClusterIdentifiers: [other]", 15, 4500,
	     NULL, 5000},
	    {"DBProxyName: !Ref Proxy", "DBProxyName: elsewhere", 15, 4500, "ProxyTargets", 4500},
	    {"MaxConnectionsPercent: 90", "MaxConnectionsPercent: 33.3", 15, 4500, "Proxy", 1665},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *t = mutate(cases[i].from, cases[i].to);
		rf_fixture fx;
		analysis a;
		analyse(&fx, t, "dev", &a);
		const db_connections *c = &a.cap.conn;
		if (c->per_task != cases[i].per_task || c->demand != cases[i].demand ||
		    c->allowed != cases[i].allowed)
			fail_msg("case %zu: %ld per task, %ld demand, %ld allowed", i, c->per_task,
			         c->demand, c->allowed);
		if (cases[i].proxy)
			assert_string_equal(c->proxy, cases[i].proxy);
		else
			assert_null(c->proxy);
		bool listed = false;
		for (size_t k = 0; k < a.nmissing; k++)
			listed = listed || strstr(a.missing[k], "LMS_DB_POOL_SIZE") != NULL;
		assert_int_equal(listed, cases[i].per_task < 0);
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
}

/* The target group's attributes by exact key: a longer or shorter key
 * leaves the default deregistration delay; the cooldown note shows 0 for
 * an unknown cooldown. */
static void test_target_group_keys(void **state)
{
	(void)state;
	static const struct {
		const char *key;
		double deregistration;
	} cases[] = {{"deregistration_delay.timeout_seconds", 30},
	             {"deregistration_delay.timeout_secondsx", 300},
	             {"deregistration_delay.timeout_second", 300}};
	for (size_t i = 0; i < 3; i++) {
		char to[96];
		snprintf(to, sizeof to, "[{Key: %s, Value: '30'}]", cases[i].key);
		char *t = mutate("[{Key: deregistration_delay.timeout_seconds, Value: '30'}]", to);
		rf_fixture fx;
		analysis a;
		analyse(&fx, t, "prod", &a);
		assert_true(a.timeline.deregistration == cases[i].deregistration);
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
	char *t = mutate("        Cooldown: 60\n", "");
	rf_fixture fx;
	analysis a;
	analyse(&fx, t, "prod", &a);
	assert_true(a.timeline.scale_out_cooldown == -1);
	assert_string_equal(a.timeline.terms[3].from,
	                    "0 s scale-out cooldown does not delay the first step (a larger breach "
	                    "scales out during it)");
	analysis_free(&a);
	rf_done(&fx);
	free(t);
}

/* A create-only property compared node by node: kind, function (none
 * against one, one against another), each key and value of a mapping,
 * each item of a list, the number of entries, absent against present. */
static void test_update_same_node(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *path = tu_write_file(
	    dir, "co.json", "{\"types\": {\"AWS::SNS::Topic\": {\"createOnly\": [\"P\"]}}}\n");
	lms_error err = {0};
	create_only *db = create_only_load(path, &err);
	assert_non_null(db);
	static const struct {
		const char *was, *now;
		bool replaced;
	} cases[] = {
	    {"P: a", "P: [a]", true},
	    {"P: ab", "P: a", true},
	    {"P: a", "P: ab", true},
	    {"P: X", "P: !Ref X", true},
	    {"P: !Ref X", "P: X", true},
	    {"P: !Ref X", "P: !Ref X", false},
	    {"P: !ImportValue a", "P: {Fn::Transform: a}", true},
	    {"P: !ImportValue a", "P: !ImportValue a", false},
	    {"P: {a: '1'}", "P: {b: '1'}", true},
	    {"P: {a: '1'}", "P: {a: '2'}", true},
	    {"P: {a: '1', b: '2'}", "P: {a: '1'}", true},
	    {"P: {a: '1', b: '2'}", "P: {a: '1', b: '2'}", false},
	    {"P: [a, b]", "P: [a, c]", true},
	    {"P: [a, b]", "P: [a, b]", false},
	    {"P: [a, b]", "P: [a]", true},
	    {"Q: a", "P: a", true},
	    {"P: a", "Q: a", true},
	    {"Q: a", "Q: b", false},
	};
	size_t n = sizeof cases / sizeof cases[0];
	buf was, now;
	buf_init(&was, 0);
	buf_init(&now, 0);
	buf_adds(&was, "Resources:\n  X: {Type: AWS::SQS::Queue}\n");
	buf_adds(&now, "Resources:\n  X: {Type: AWS::SQS::Queue}\n");
	for (size_t i = 0; i < n; i++) {
		buf_addf(&was, "  R%zu: {Type: AWS::SNS::Topic, Properties: {%s}}\n", i,
		         cases[i].was);
		buf_addf(&now, "  R%zu: {Type: AWS::SNS::Topic, Properties: {%s}}\n", i,
		         cases[i].now);
	}
	rf_fixture a, b;
	rf_render(&a, buf_cstr(&was), "dev");
	rf_render(&b, buf_cstr(&now), "dev");
	update_plan plan;
	assert_true(update_safety(db, a.r, b.r, &plan));
	for (size_t i = 0; i < n; i++) {
		char id[8];
		snprintf(id, sizeof id, "R%zu", i);
		const update_change *x = NULL;
		for (size_t k = 0; k < plan.n; k++)
			if (strcmp(plan.v[k].id, id) == 0)
				x = &plan.v[k];
		if ((x != NULL) != cases[i].replaced)
			fail_msg("%s -> %s: %s", cases[i].was, cases[i].now,
			         x ? "replaced" : "not replaced");
		if (x) {
			assert_int_equal(x->kind, UPD_REPLACE);
			assert_string_equal(x->why, "P");
		}
	}
	update_plan_free(&plan);
	rf_done(&a);
	rf_done(&b);
	buf_free(&was);
	buf_free(&now);
	create_only_free(db);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* The capacity section's connection line: without a proxy the tasks open
 * every connection; without a database there is no line (null in JSON);
 * without a cache node type, "unknown". */
static void test_report_connections_line(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to, *want, *absent;
	} cases[] = {
	    {"DBClusterIdentifiers: [!Ref Cluster]", "DBClusterIdentifiers: [other]",
	     "  database connections at max tasks: 300 tasks x 15 = 4500; (no RDS Proxy) the tasks "
	     "may open 5000 (100% of max_connections 5000, Aurora Serverless v2 default at 2-256 "
	     "ACU)\n",
	     NULL},
	    {"    Type: AWS::RDS::DBCluster\n", "    Type: AWS::SNS::Topic\n",
	     "  inputs: 300 max tasks x 250 users per task; unknown ACU; cache cache.r7g.large\n",
	     "database connections"},
	    {"      CacheNodeType: cache.r7g.large\n", "",
	     "  inputs: 300 max tasks x 250 users per task; 256 ACU; cache unknown\n", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *t = mutate(cases[i].from, cases[i].to);
		rf_fixture fx;
		analysis a;
		analyse(&fx, t, "dev", &a);
		char *text = report_of(&fx, &a, NULL, REPORT_TEXT);
		assert_contains(text, cases[i].want);
		if (cases[i].absent)
			assert_null(strstr(text, cases[i].absent));
		free(text);
		char *js = report_of(&fx, &a, NULL, REPORT_JSON);
		json_t *j = json_loads(js, 0, NULL);
		assert_non_null(j);
		json_t *conn =
		    json_object_get(json_object_get(j, "capacity"), "database_connections");
		assert_int_equal(json_is_null(conn), cases[i].absent != NULL);
		json_decref(j);
		free(js);
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
}

static bool update_golden(void)
{
	const char *u = getenv("UPDATE_GOLDEN");
	return u && strcmp(u, "1") == 0;
}

static void test_report_golden(void **state)
{
	(void)state;
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof cwd));
	char *dir = tu_mkdtemp();
	const char *envs[] = {"prod", "dev"};
	for (size_t i = 0; i < 2; i++) {
		char name[32], rel[32];
		snprintf(rel, sizeof rel, "init-%s.yml", envs[i]);
		snprintf(name, sizeof name, "%s.yml", envs[i]);
		char *g = tu_golden(rel);
		char *text = tu_read_file(g, NULL);
		assert_non_null(text);
		free(tu_write_file(dir, name, text));
		free(text);
		free(g);
	}
	/* report-prod.* are tests/golden.sh's (it rewrites them); report-dev.*,
	 * the dev model's report (one NAT, an AZ that stops, leftovers), are
	 * this test's */
	const struct {
		const char *model;
		report_format fmt;
		bool previous, ours;
		const char *golden;
	} cases[] = {{"prod.yml", REPORT_TEXT, true, false, "report-prod.txt"},
	             {"prod.yml", REPORT_MARKDOWN, true, false, "report-prod.md"},
	             {"prod.yml", REPORT_JSON, false, false, "report-prod.json"},
	             {"dev.yml", REPORT_TEXT, false, true, "report-dev.txt"},
	             {"dev.yml", REPORT_MARKDOWN, false, true, "report-dev.md"}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (update_golden() && !cases[i].ours)
			continue;
		char *g = tu_golden(cases[i].golden);
		char *want = update_golden() ? NULL : tu_read_file(g, NULL);
		assert_int_equal(chdir(dir), 0);
		char *got = real_report(cases[i].model, cases[i].fmt, cases[i].previous);
		assert_int_equal(chdir(cwd), 0);
		if (update_golden()) {
			tu_write_bytes(g, got, strlen(got));
		} else if (!want) {
			fail_msg("%s: cannot read (UPDATE_GOLDEN=1 make check writes it)", g);
		} else if (strcmp(got, want) != 0) {
			size_t k = 0;
			while (got[k] && got[k] == want[k])
				k++;
			size_t from = k > 80 ? k - 80 : 0;
			fail_msg("%s differs at byte %zu (UPDATE_GOLDEN=1 make check to accept):\n"
			         " got: %.160s\nwant: %.160s",
			         cases[i].golden, k, got + from, want + from);
		}
		free(got);
		free(want);
		free(g);
	}
	tu_rmtree(dir);
	free(dir);
}

/* The report's JSON document for `text` rendered for `env` (the fixture
 * and the analysis freed). */
static json_t *report_json(const char *text, const char *env)
{
	rf_fixture fx;
	analysis a;
	analyse(&fx, text, env, &a);
	char *js = report_of(&fx, &a, NULL, REPORT_JSON);
	json_t *j = json_loads(js, 0, NULL);
	assert_non_null(j);
	free(js);
	analysis_free(&a);
	rf_done(&fx);
	return j;
}

/* "KIND RESOURCE; ..." of the retention obligation's leftovers. */
static char *leftover_list(const char *resources)
{
	char *t = lms_strdupf("Resources:\n%s", resources);
	json_t *j = report_json(t, "dev");
	free(t);
	json_t *ret = NULL, *o;
	size_t i;
	json_array_foreach(json_object_get(j, "pdpa"), i, o)
	{
		if (strcmp(json_string_value(json_object_get(o, "key")), "retention") == 0)
			ret = o;
		else
			assert_null(json_object_get(o, "leftovers"));
	}
	assert_non_null(ret);
	json_t *left = json_object_get(ret, "leftovers");
	assert_int_equal(json_integer_value(json_object_get(ret, "leftover_count")),
	                 json_array_size(left));
	buf b;
	buf_init(&b, 0);
	json_array_foreach(left, i, o)
	{
		buf_addf(&b, "%s%s %s", i ? "; " : "",
		         json_string_value(json_object_get(o, "kind")),
		         json_string_value(json_object_get(o, "resource")));
		assert_non_null(json_string_value(json_object_get(o, "type")));
		assert_non_null(json_string_value(json_object_get(o, "note")));
	}
	json_decref(j);
	return buf_take(&b);
}

/* Each kind of leftover by its exact type, policy, status and setting,
 * against a longer and a shorter name. */
static void test_report_leftover_kinds(void **state)
{
	(void)state;
	static const struct {
		const char *res, *want;
	} cases[] = {
	    {"  C: {Type: AWS::RDS::DBCluster}\n", "cluster snapshot C"},
	    {"  C: {Type: AWS::RDS::DBCluster, DeletionPolicy: Snapshot}\n", "cluster snapshot C"},
	    {"  C: {Type: AWS::RDS::DBCluster, DeletionPolicy: Snapshotx}\n", ""},
	    {"  C: {Type: AWS::RDS::DBCluster, DeletionPolicy: Snapsho}\n", ""},
	    {"  C: {Type: AWS::RDS::DBCluster, DeletionPolicy: Retain}\n", ""},
	    {"  C: {Type: AWS::RDS::DBClusterX}\n", ""},
	    {"  C: {Type: AWS::RDS::DBCluste}\n", ""},
	    {"  C: {Type: AWS::RDS::DBCluster, DeletionPolicy: Delete, Properties: "
	     "{ManageMasterUserPassword: true}}\n",
	     "secret pending deletion C"},
	    {"  C: {Type: AWS::RDS::DBCluster, Properties: {ManageMasterUserPassword: true}}\n",
	     "cluster snapshot C; secret pending deletion C"},
	    {"  C: {Type: AWS::RDS::DBCluster, DeletionPolicy: Delete, Properties: "
	     "{ManageMasterUserPassword: false}}\n",
	     ""},
	    {"  C: {Type: AWS::RDS::DBClusterX, Properties: {ManageMasterUserPassword: true}}\n",
	     ""},
	    {"  F: {Type: AWS::EFS::FileSystem, Properties: {BackupPolicy: {Status: ENABLED}}}\n",
	     "recovery points F"},
	    {"  F: {Type: AWS::EFS::FileSystem, Properties: {BackupPolicy: {Status: ENABLEDx}}}\n",
	     ""},
	    {"  F: {Type: AWS::EFS::FileSystem, Properties: {BackupPolicy: {Status: ENABLE}}}\n",
	     ""},
	    {"  F: {Type: AWS::EFS::FileSystem, Properties: {BackupPolicy: {Mode: ENABLED}}}\n",
	     ""},
	    {"  F: {Type: AWS::EFS::FileSystemX, Properties: {BackupPolicy: {Status: ENABLED}}}\n",
	     ""},
	    {"  F: {Type: AWS::EFS::FileSyste, Properties: {BackupPolicy: {Status: ENABLED}}}\n",
	     ""},
	    {"  R: {Type: AWS::SecretsManager::RotationSchedule, Properties: "
	     "{HostedRotationLambda: "
	     "{RotationType: PostgreSQLSingleUser}}}\n",
	     "log group R"},
	    {"  R: {Type: AWS::SecretsManager::RotationSchedule, Properties: {RotationLambdaARN: "
	     "x}}\n",
	     ""},
	    {"  R: {Type: AWS::SecretsManager::RotationScheduleX, Properties: "
	     "{HostedRotationLambda: {RotationType: PostgreSQLSingleUser}}}\n",
	     ""},
	    {"  R: {Type: AWS::SecretsManager::RotationSchedul, Properties: "
	     "{HostedRotationLambda: {RotationType: PostgreSQLSingleUser}}}\n",
	     ""},
	    {"  E: {Type: AWS::ECS::Cluster, Properties: {ClusterSettings: [{Name: "
	     "containerInsights, Value: enabled}]}}\n",
	     "log group E"},
	    {"  E: {Type: AWS::ECS::Cluster, Properties: {ClusterSettings: [{Name: "
	     "containerInsights, Value: disabled}]}}\n",
	     ""},
	    {"  E: {Type: AWS::ECS::Cluster, Properties: {ClusterSettings: [{Name: "
	     "containerInsights, Value: disabledx}]}}\n",
	     "log group E"},
	    {"  E: {Type: AWS::ECS::Cluster, Properties: {ClusterSettings: [{Name: "
	     "containerInsights, Value: disable}]}}\n",
	     "log group E"},
	    {"  E: {Type: AWS::ECS::Cluster, Properties: {ClusterSettings: [{Name: "
	     "containerInsightsX, Value: enabled}]}}\n",
	     ""},
	    {"  E: {Type: AWS::ECS::Cluster, Properties: {ClusterSettings: [{Name: "
	     "containerInsight, Value: enabled}]}}\n",
	     ""},
	    {"  E: {Type: AWS::ECS::Cluster, Properties: {ClusterSettings: [{Name: "
	     "containerInsights}]}}\n",
	     ""},
	    {"  E: {Type: AWS::ECS::Cluster, Properties: {ClusterSettings: [{Value: enabled}]}}\n",
	     ""},
	    {"  E: {Type: AWS::ECS::Cluster, Properties: {ClusterSettings: [{Name: other, Value: "
	     "enabled}, {Name: containerInsights, Value: enhanced}]}}\n",
	     "log group E"},
	    {"  E: {Type: AWS::ECS::Cluster, Properties: {ClusterSettings: {Name: "
	     "containerInsights, Value: enabled}}}\n",
	     ""},
	    {"  E: {Type: AWS::ECS::ClusterX, Properties: {ClusterSettings: [{Name: "
	     "containerInsights, Value: enabled}]}}\n",
	     ""},
	    {"  E: {Type: AWS::ECS::Cluste, Properties: {ClusterSettings: [{Name: "
	     "containerInsights, Value: enabled}]}}\n",
	     ""},
	    {"  F: {Type: AWS::EFS::FileSystem, Properties: {BackupPolicy: {Status: ENABLED}}}\n"
	     "  C: {Type: AWS::RDS::DBCluster}\n",
	     "recovery points F; cluster snapshot C"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = leftover_list(cases[i].res);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: '%s', want '%s'", i, got, cases[i].want);
		free(got);
	}
}

/* A companion's findings say its stack; only "main" (or no name) is the
 * main stack: "mainx" and "mai" are companions. The title lists each
 * companion after the main stack. */
static void test_report_stack_names(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	analyse(&fx, platform, "prod", &a);
	static const char *const names[] = {"mainx", "mai", ""};
	report_stack c[3];
	for (size_t k = 0; k < 3; k++) {
		c[k] = (report_stack){names[k], fx.cat, fx.m, fx.r, {0}};
		findings_init(&c[k].f);
	}
	findings_add(&c[0].f, "SEC001", SEV_WARNING, "", "", "in mainx");
	findings_add(&c[1].f, "SEC001", SEV_WARNING, "F", "", "in mai");
	findings_add(&c[2].f, "SEC001", SEV_WARNING, "", "", "in the unnamed");
	findings_add(&c[1].f, "SEC001", SEV_INFO, "", "", "an info");
	char why[] = "new";
	update_change ch[] = {{"mainx", "Q", "AWS::SNS::Topic", UPD_ADD, false, why},
	                      {"main", "R", "AWS::SNS::Topic", UPD_ADD, false, why},
	                      {"mai", "S", "AWS::SNS::Topic", UPD_ADD, false, why}};
	update_plan plan = {ch, 3, 3, false};
	buf out;
	buf_init(&out, 0);
	assert_true(
	    report_write_env(fx.cat, fx.m, fx.r, &a, &fx.f, c, 3, &plan, REPORT_TEXT, &out));
	const char *t = buf_cstr(&out);
	assert_contains(t, "  add         Q (mainx stack) (AWS::SNS::Topic): new\n"
	                   "  add         R (AWS::SNS::Topic): new\n"
	                   "  add         S (mai stack) (AWS::SNS::Topic): new\n");
	assert_contains(t, "  warning SEC001 (mainx stack) in mainx\n");
	assert_contains(t, "  warning SEC001 (mai stack) [F] in mai\n");
	assert_contains(t, "  warning SEC001 in the unnamed\n");
	assert_contains(t, "  info    SEC001 (mai stack) an info\n");
	char *title = lms_strdupf(
	    "READINESS REPORT  stack %s  environment prod  region %s  "
	    "suffix %s\n  with the mainx stack %s  region %s\n  with the "
	    "mai stack %s  region %s\n  with the  stack %s  region %s\n",
	    model_get(fx.m, "stack"), model_get(fx.m, "region"), model_get(fx.m, "suffix"),
	    model_get(fx.m, "stack"), model_get(fx.m, "region"), model_get(fx.m, "stack"),
	    model_get(fx.m, "region"), model_get(fx.m, "stack"), model_get(fx.m, "region"));
	assert_true(strncmp(t, title, strlen(title)) == 0);
	free(title);
	buf_reset(&out);
	assert_true(
	    report_write_env(fx.cat, fx.m, fx.r, &a, &fx.f, c, 3, &plan, REPORT_MARKDOWN, &out));
	t = buf_cstr(&out);
	assert_contains(t, "| add | Q (mainx) | AWS::SNS::Topic | no | new |\n"
	                   "| add | R | AWS::SNS::Topic | no | new |\n"
	                   "| add | S (mai) | AWS::SNS::Topic | no | new |\n");
	assert_contains(t, "| warning | SEC001 (mainx) |  | in mainx |  |\n");
	assert_contains(t, "| warning | SEC001 (mai) | F | in mai |  |\n");
	assert_contains(t, "| warning | SEC001 |  | in the unnamed |  |\n");
	assert_contains(t, "\nWith the mainx stack ");
	buf_reset(&out);
	assert_true(report_write_env(fx.cat, fx.m, fx.r, &a, &fx.f, c, 3, NULL, REPORT_JSON, &out));
	json_t *j = json_loads(buf_cstr(&out), 0, NULL);
	assert_non_null(j);
	json_t *stacks = json_object_get(json_object_get(j, "model"), "stacks");
	assert_int_equal(json_array_size(stacks), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(stacks, 0), "name")),
	                    "main");
	assert_string_equal(json_string_value(json_object_get(json_array_get(stacks, 3), "name")),
	                    "");
	json_t *counts = json_object_get(j, "counts");
	assert_int_equal(json_integer_value(json_object_get(counts, "warnings")),
	                 (json_int_t)(findings_count(&fx.f, SEV_WARNING) + 3));
	assert_int_equal(json_integer_value(json_object_get(counts, "info")),
	                 (json_int_t)(findings_count(&fx.f, SEV_INFO) + 1));
	json_t *fl = json_object_get(j, "findings");
	json_t *last = json_array_get(fl, json_array_size(fl) - 1);
	assert_string_equal(json_string_value(json_object_get(last, "message")), "an info");
	assert_string_equal(json_string_value(json_object_get(last, "severity")), "info");
	assert_string_equal(json_string_value(json_object_get(last, "stack")), "mai");
	json_decref(j);
	buf_free(&out);
	for (size_t k = 0; k < 3; k++)
		findings_free(&c[k].f);
	analysis_free(&a);
	rf_done(&fx);
}

/* The plan's changes of several stacks: the main stack's first, then the
 * companions by name; "mainx" and "mai" are companions. */
static void test_update_stack_order(void **state)
{
	(void)state;
	rf_fixture before, after;
	rf_render(&before, "Resources:\n  Q: {Type: AWS::SNS::Topic}\n", "dev");
	rf_render(&after,
	          "Resources:\n  Q: {Type: AWS::SNS::Topic}\n  N: {Type: AWS::SNS::Topic}\n",
	          "dev");
	update_plan plan = {0};
	static const char *const order[] = {"mainx", "b", "main", "mai", "a"};
	for (size_t k = 0; k < 5; k++)
		assert_true(update_safety_add(NULL, order[k], before.r, after.r, &plan));
	assert_int_equal(plan.n, 5);
	static const char *const want[] = {"main", "a", "b", "mai", "mainx"};
	for (size_t k = 0; k < 5; k++) {
		assert_string_equal(plan.v[k].stack, want[k]);
		assert_string_equal(plan.v[k].id, "N");
		assert_int_equal(plan.v[k].kind, UPD_ADD);
	}
	update_plan_free(&plan);
	rf_done(&before);
	rf_done(&after);
}

/* The service the timeline reads (the first with a load balancer, else the
 * first), an alarm with DatapointsToAlarm alone or no Period, a policy on
 * another scalable target whose id starts with the service's target's, and
 * the scheduled pre-scaling of an empty, a one-element and a mapping
 * ScheduledActions. */
static void test_timeline_choices(void **state)
{
	(void)state;
	static const char fast_other[] =
	    "  TargetX: {Type: AWS::ApplicationAutoScaling::ScalableTarget, Properties: "
	    "{ResourceId: service/cluster/other, MinCapacity: 1, MaxCapacity: 2}}\n"
	    "  Fast:\n"
	    "    Type: AWS::ApplicationAutoScaling::ScalingPolicy\n"
	    "    Properties:\n"
	    "      PolicyType: StepScaling\n"
	    "      ScalingTargetId: !Ref TargetX\n"
	    "      StepScalingPolicyConfiguration:\n"
	    "        StepAdjustments: [{MetricIntervalLowerBound: 0, ScalingAdjustment: 5}]\n"
	    "  FastAlarm: {Type: AWS::CloudWatch::Alarm, Properties: {Period: 1, "
	    "EvaluationPeriods: 1, AlarmActions: [!Ref Fast]}}\n"
	    "  Cluster:\n";
	static const struct {
		const char *from, *to;
		double total; /* < 0: unknown */
		const char *service, *policy;
		int scheduled;
	} cases[] = {
	    /* a service without a load balancer before the one with it */
	    {"  Service:\n",
	     "  Early: {Type: AWS::ECS::Service, Properties: {DesiredCount: 1}}\n"
	     "  Service:\n",
	     60, "Service", "Step", 0},
	    /* only services without one: the first (no scalable target names it) */
	    {"      LoadBalancers: [{TargetGroupArn: !Ref Tg}]\n", "", -1, "Early", NULL, 0},
	    {"EvaluationPeriods: 1, DatapointsToAlarm: 1", "DatapointsToAlarm: 1", 60, "Service",
	     "Step", 0},
	    {"Properties: {Period: 10, ", "Properties: {", 280, "Service", "Tracking", 0},
	    {"  Cluster:\n", fast_other, 60, "Service", "Step", 0},
	    {"      MaxCapacity: !Ref MaxTasks\n",
	     "      MaxCapacity: !Ref MaxTasks\n      ScheduledActions: []\n", 60, "Service",
	     "Step", 0},
	    {"      MaxCapacity: !Ref MaxTasks\n",
	     "      MaxCapacity: !Ref MaxTasks\n      ScheduledActions: [{ScheduledActionName: "
	     "exam, Schedule: 'cron(0 7 * * ? *)', ScalableTargetAction: {MinCapacity: 100}}]\n",
	     60, "Service", "Step", 1},
	    {"      MaxCapacity: !Ref MaxTasks\n",
	     "      MaxCapacity: !Ref MaxTasks\n      ScheduledActions: {ScheduledActionName: "
	     "exam}\n",
	     60, "Service", "Step", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *t = mutate(cases[i].from, cases[i].to);
		if (i == 1) /* the service itself loses its load balancer */
			t = mutate_more(t, "  Service:\n",
			                "  Early: {Type: AWS::ECS::Service}\n  Service:\n");
		rf_fixture fx;
		analysis a;
		analyse(&fx, t, "prod", &a);
		const scale_timeline *tl = &a.timeline;
		bool ok = cases[i].total < 0 ? !tl->known && fabs(tl->total + 1) < 1e-9
		                             : tl->known && fabs(tl->total - cases[i].total) < 1e-9;
		ok = ok && tl->scheduled == (cases[i].scheduled == 1);
		ok = ok && (cases[i].policy ? tl->policy && strcmp(tl->policy, cases[i].policy) == 0
		                            : !tl->policy);
		ok = ok && tl->service && strcmp(tl->service, cases[i].service) == 0;
		if (!ok)
			fail_msg("case %zu: %s %g s, service %s, policy %s, scheduled %d", i,
			         tl->known ? "known" : "unknown", tl->total,
			         tl->service ? tl->service : "-", tl->policy ? tl->policy : "-",
			         tl->scheduled);
		if (i == 1)
			assert_string_equal(a.missing[0], "a scalable target for the ECS service");
		char *text = report_of(&fx, &a, NULL, REPORT_TEXT);
		bool said = strstr(text, "  scheduled exam-window pre-scaling: known peaks need no "
		                         "reaction\n") != NULL;
		assert_int_equal(said, cases[i].scheduled == 1);
		free(text);
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
}

/* Users per task: TaskSessionCapacity first, UsersPerTask when it is
 * missing or refused (0), neither: unknown. */
static void test_users_per_task(void **state)
{
	(void)state;
	static const struct {
		const char *tsc, *upt;
		long per_task;
	} cases[] = {
	    {"250", NULL, 250}, {NULL, "120", 120}, {"250", "120", 250},
	    {"0", "120", 120},  {"0", "0", -1},     {NULL, NULL, -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		buf t;
		buf_init(&t, 0);
		const char *groups = "Parameters: [TaskSessionCapacity, MaxTasks,";
		const char *at = strstr(platform, groups);
		assert_non_null(at);
		buf_add(&t, platform, (size_t)(at - platform));
		buf_adds(&t, "Parameters: [");
		if (cases[i].tsc)
			buf_adds(&t, "TaskSessionCapacity, ");
		if (cases[i].upt)
			buf_adds(&t, "UsersPerTask, ");
		buf_adds(&t, "MaxTasks,");
		const char *rest = at + strlen(groups);
		const char *param = "  TaskSessionCapacity: {Type: Number, Description: users, "
		                    "Default: 250}\n";
		const char *p = strstr(rest, param);
		assert_non_null(p);
		buf_add(&t, rest, (size_t)(p - rest));
		if (cases[i].tsc)
			buf_addf(&t,
			         "  TaskSessionCapacity: {Type: Number, Description: users, "
			         "Default: %s}\n",
			         cases[i].tsc);
		if (cases[i].upt)
			buf_addf(
			    &t, "  UsersPerTask: {Type: Number, Description: users, Default: %s}\n",
			    cases[i].upt);
		buf_adds(&t, p + strlen(param));
		rf_fixture fx;
		analysis a;
		analyse(&fx, buf_cstr(&t), "prod", &a);
		if (a.cap.users_per_task != cases[i].per_task ||
		    a.cap.users != (cases[i].per_task < 0 ? -1 : 300 * cases[i].per_task))
			fail_msg("case %zu: %ld per task, %ld users", i, a.cap.users_per_task,
			         a.cap.users);
		analysis_free(&a);
		rf_done(&fx);
		buf_free(&t);
	}
}

/* "PATH: SERVICE SERVICE ...; ..." of the report's composite paths. */
static char *composite_of(const char *extra)
{
	char *t = lms_strdupf("%s%s", platform, extra);
	json_t *j = report_json(t, "prod");
	free(t);
	buf b;
	buf_init(&b, 0);
	json_t *p, *c;
	size_t i, k;
	json_array_foreach(json_object_get(json_object_get(j, "availability"), "composite"), i, p)
	{
		buf_addf(&b, "%s%s:", i ? "; " : "", json_string_value(json_object_get(p, "path")));
		double a = 1;
		json_array_foreach(json_object_get(p, "components"), k, c)
		{
			buf_addf(&b, " %s", json_string_value(json_object_get(c, "service")));
			json_t *sla = json_object_get(c, "sla_percent");
			if (json_is_real(sla))
				a *= json_real_value(sla) / 100;
			else
				assert_true(json_is_null(sla));
		}
		assert_true(fabs(json_real_value(json_object_get(p, "percent")) - a * 100) < 1e-6);
		assert_true(fabs(json_real_value(json_object_get(p, "downtime_minutes_30_days")) -
		                 (1 - a) * 30 * 24 * 60) < 1e-3);
	}
	json_decref(j);
	return buf_take(&b);
}

/* The composite paths' terms: a web ACL counts on the API path when its
 * Scope is REGIONAL exactly and an association attaches it, on the web path
 * when CLOUDFRONT and the distribution names it; an API only by its exact
 * type. */
static void test_report_composite_terms(void **state)
{
	(void)state;
	static const char api[] = "  Api: {Type: AWS::ApiGateway::RestApi}\n";
	static const char rest[] = " ALB ECS on Fargate Aurora RDS Proxy ElastiCache";
	static const struct {
		const char *extra, *want;
	} cases[] = {
	    {"", ""},
	    {api, "api: API Gateway%s"},
	    {"  Api: {Type: AWS::ApiGateway::RestApiX}\n", ""},
	    {"  Api: {Type: AWS::ApiGateway::RestAp}\n", ""},
	    {"  Acl: {Type: AWS::WAFv2::WebACL, Properties: {Scope: REGIONAL}}\n"
	     "  Assoc: {Type: AWS::WAFv2::WebACLAssociation, Properties: {WebACLArn: !GetAtt "
	     "Acl.Arn, ResourceArn: x}}\n",
	     "api: API Gateway AWS WAF%s"},
	    {"  Acl: {Type: AWS::WAFv2::WebACL, Properties: {Scope: REGIONALX}}\n"
	     "  Assoc: {Type: AWS::WAFv2::WebACLAssociation, Properties: {WebACLArn: !GetAtt "
	     "Acl.Arn, ResourceArn: x}}\n",
	     "api: API Gateway%s"},
	    {"  Acl: {Type: AWS::WAFv2::WebACL, Properties: {Scope: REGIONA}}\n"
	     "  Assoc: {Type: AWS::WAFv2::WebACLAssociation, Properties: {WebACLArn: !GetAtt "
	     "Acl.Arn, ResourceArn: x}}\n",
	     "api: API Gateway%s"},
	    {"  Acl: {Type: AWS::WAFv2::WebACL}\n"
	     "  Assoc: {Type: AWS::WAFv2::WebACLAssociation, Properties: {WebACLArn: !GetAtt "
	     "Acl.Arn, ResourceArn: x}}\n",
	     "api: API Gateway%s"},
	    {"  Acl: {Type: AWS::WAFv2::WebACL, Properties: {Scope: REGIONAL}}\n",
	     "api: API Gateway%s"},
	    /* the association attaches another web ACL */
	    {"  Acl: {Type: AWS::WAFv2::WebACL, Properties: {Scope: REGIONAL}}\n"
	     "  Other: {Type: AWS::WAFv2::WebACL, Properties: {Scope: CLOUDFRONT}}\n"
	     "  Assoc: {Type: AWS::WAFv2::WebACLAssociation, Properties: {WebACLArn: !GetAtt "
	     "Other.Arn, ResourceArn: x}}\n",
	     "api: API Gateway%s"},
	    {"  Acl: {Type: AWS::WAFv2::WebACL, Properties: {Scope: REGIONAL}}\n"
	     "  Assoc: {Type: AWS::WAFv2::WebACLAssociationX, Properties: {WebACLArn: !GetAtt "
	     "Acl.Arn, ResourceArn: x}}\n",
	     "api: API Gateway%s"},
	    {"  Acl: {Type: AWS::WAFv2::WebACL, Properties: {Scope: REGIONAL}}\n"
	     "  Assoc: {Type: AWS::WAFv2::WebACLAssociation, Properties: {ResourceArn: !GetAtt "
	     "Acl.Arn}}\n",
	     "api: API Gateway%s"},
	    {"  Acl: {Type: AWS::WAFv2::WebACL, Properties: {Scope: CLOUDFRONT}}\n"
	     "  Cdn: {Type: AWS::CloudFront::Distribution, Properties: {DistributionConfig: "
	     "{WebACLId: !GetAtt Acl.Arn}}}\n",
	     "web: CloudFront AWS WAF%s; api: API Gateway%s"},
	    {"  Acl: {Type: AWS::WAFv2::WebACL, Properties: {Scope: CLOUDFRONT}}\n"
	     "  Cdn: {Type: AWS::CloudFront::Distribution, Properties: {DistributionConfig: "
	     "{Enabled: true}, WebACLId: !GetAtt Acl.Arn}}\n",
	     "web: CloudFront%s; api: API Gateway%s"},
	    {"  Acl: {Type: AWS::WAFv2::WebACL, Properties: {Scope: CLOUDFRONT}}\n"
	     "  Cdn: {Type: AWS::CloudFront::DistributionTenant, Properties: {DistributionConfig: "
	     "{WebACLId: !GetAtt Acl.Arn}}}\n",
	     "api: API Gateway%s"},
	    {"  Acl: {Type: AWS::WAFv2::WebACL, Properties: {Scope: REGIONAL}}\n"
	     "  Cdn: {Type: AWS::CloudFront::DistributionTenant, Properties: {DistributionConfig: "
	     "{WebACLId: !GetAtt Acl.Arn}}}\n",
	     "api: API Gateway%s"},
	    {"  Acl: {Type: AWS::WAFv2::WebACL, Properties: {Scope: REGIONAL}}\n"
	     "  Cdn: {Type: AWS::CloudFront::Distribution, Properties: {DistributionConfig: "
	     "{WebACLId: !GetAtt Acl.Arn}}}\n",
	     "web: CloudFront%s; api: API Gateway AWS WAF%s"},
	    {"  Vo: {Type: AWS::CloudFront::VpcOrigin}\n"
	     "  Cdn: {Type: AWS::CloudFront::Distribution}\n",
	     "web: CloudFront CloudFront VPC origin%s; api: API Gateway%s"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		bool with_api = i > 3;
		char *extra = lms_strdupf("%s%s", with_api ? api : "", cases[i].extra);
		char *got = composite_of(extra);
		buf w; /* each %s of the case: the services every path ends with */
		buf_init(&w, 0);
		for (const char *q = cases[i].want; *q; q++)
			if (q[0] == '%' && q[1] == 's') {
				buf_adds(&w, rest);
				q++;
			} else {
				buf_addc(&w, *q);
			}
		char *want = buf_take(&w);
		if (strcmp(got, want) != 0)
			fail_msg("case %zu: '%s', want '%s'", i, got, want);
		free(want);
		free(got);
		free(extra);
	}
}

/* The parts of the report that do not list resources in template order. */
static json_t *order_free_parts(const char *text)
{
	json_t *j = report_json(text, "prod");
	json_t *o = json_object();
	static const char *const keys[] = {"scale_out", "capacity",       "az_loss",
	                                   "shared",    "missing_inputs", "counts"};
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		json_object_set(o, keys[i], json_object_get(j, keys[i]));
	json_object_set(o, "composite",
	                json_object_get(json_object_get(j, "availability"), "composite"));
	json_t *left = NULL, *x;
	size_t i;
	json_array_foreach(json_object_get(j, "pdpa"), i, x) if (json_object_get(x, "leftovers"))
	    left = json_object_get(x, "leftovers");
	json_object_set(o, "leftover_count", json_integer((json_int_t)json_array_size(left)));
	json_decref(j);
	return o;
}

/* Every analysis finds its resource wherever it is in the template: each
 * resource of the platform (with an edge, an API, a web ACL and a shared
 * setting added) moved to the front gives the same figures. */
static void test_resource_first(void **state)
{
	(void)state;
	static const char extra[] =
	    "  Api: {Type: AWS::ApiGateway::RestApi}\n"
	    "  Acl: {Type: AWS::WAFv2::WebACL, Properties: {Scope: REGIONAL}}\n"
	    "  Assoc: {Type: AWS::WAFv2::WebACLAssociation, Properties: {WebACLArn: !GetAtt "
	    "Acl.Arn, ResourceArn: x}}\n"
	    "  Cacl: {Type: AWS::WAFv2::WebACL, Properties: {Scope: CLOUDFRONT}}\n"
	    "  Cdn: {Type: AWS::CloudFront::Distribution, Properties: {DistributionConfig: "
	    "{WebACLId: !GetAtt Cacl.Arn}}}\n"
	    "  Vo: {Type: AWS::CloudFront::VpcOrigin}\n"
	    "  Eip: {Type: AWS::EC2::EIP}\n"
	    "  Trail: {Type: AWS::CloudTrail::Trail}\n"
	    "  ApiAccount: {Type: AWS::ApiGateway::Account}\n"
	    "  Pg: {Type: AWS::RDS::DBClusterParameterGroup, Properties: {Parameters: "
	    "{max_connections: 4000}}}\n";
	char *base = lms_strdupf("%s%s", platform, extra);
	base = mutate_more(base, "      DatabaseName: lms\n",
	                   "      DatabaseName: lms\n      DBClusterParameterGroupName: !Ref Pg\n");
	/* one NAT for two AZs: the stranded subnet is found through its association */
	base = mutate_more(base, "NatGatewayId: !Ref Nat2", "NatGatewayId: !Ref Nat1");
	const char *res = strstr(base, "Resources:\n");
	assert_non_null(res);
	res += strlen("Resources:\n");
	/* the resources: blocks starting with two spaces and a name */
	const char *starts[64];
	size_t n = 0;
	for (const char *q = res; *q; q = strchr(q, '\n') + 1) {
		if (q[0] == ' ' && q[1] == ' ' && q[2] != ' ') {
			assert_true(n < 64);
			starts[n++] = q;
		}
		if (!strchr(q, '\n'))
			break;
	}
	assert_true(n > 40);
	json_t *want = order_free_parts(base);
	json_t *azl = json_object_get(want, "az_loss");
	json_t *nat0 = json_array_get(json_object_get(json_array_get(azl, 0), "tiers"), 1);
	assert_string_equal(json_string_value(json_object_get(nat0, "status")), "down");
	assert_int_equal(json_integer_value(json_object_get(want, "leftover_count")), 1);
	assert_int_equal(json_array_size(json_object_get(want, "composite")), 2);
	for (size_t k = 0; k < n; k++) {
		const char *end = k + 1 < n ? starts[k + 1] : base + strlen(base);
		buf t;
		buf_init(&t, 0);
		buf_add(&t, base, (size_t)(res - base));
		buf_add(&t, starts[k], (size_t)(end - starts[k]));
		buf_add(&t, res, (size_t)(starts[k] - res));
		buf_adds(&t, end);
		json_t *got = order_free_parts(buf_cstr(&t));
		if (!json_equal(got, want)) {
			char *g = json_dumps(got, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
			fail_msg("resource %zu (%.20s) first: %s", k, starts[k] + 2, g);
		}
		json_decref(got);
		buf_free(&t);
	}
	json_decref(want);
	free(base);
}

/* A tier is its fragment's name without ".yml": a name of just ".yml" or
 * without that ending is kept whole. */
static void test_report_tier_names(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	char *dir = lms_strdupf("%s/lmsctl-tiers-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	static const char *const files[][2] = {
	    {"catalog.yml", "Description: test\nFragments: [env.yml, .yml, a.yml, b.yaml, yml, "
	                    "ab.yml]\n"},
	    {"env.yml", rf_env_fragment},
	    {".yml", "Resources:\n  A: {Type: AWS::SNS::Topic}\n"},
	    {"a.yml", "Resources:\n  B: {Type: AWS::SNS::Topic}\n  B2: {Type: AWS::SNS::Topic}\n"},
	    {"b.yaml", "Resources:\n  C: {Type: AWS::SNS::Topic}\n"},
	    {"yml", "Resources:\n  D: {Type: AWS::SNS::Topic}\n"},
	    {"ab.yml", "Resources:\n  E: {Type: AWS::SNS::Topic}\n"},
	};
	for (size_t n = 0; n < sizeof files / sizeof *files; n++)
		rf_write(dir, files[n][0], files[n][1]);
	lms_error err = {0};
	catalog *cat = catalog_load(dir, &err);
	if (!cat)
		fail_msg("%s", err.msg);
	model *m = model_new_from_catalog(cat, "dev", &err);
	assert_non_null(m);
	findings f;
	findings_init(&f);
	rendered *r = render_template(cat, m, NULL, &f, &err);
	assert_non_null(r);
	analysis a;
	analysis_run(cat, m, r, &a);
	buf out;
	buf_init(&out, 0);
	assert_true(report_write(cat, m, r, &a, &f, NULL, REPORT_JSON, &out));
	json_t *j = json_loads(buf_cstr(&out), 0, NULL);
	assert_non_null(j);
	buf got;
	buf_init(&got, 0);
	json_t *x, *y;
	size_t i, k;
	json_array_foreach(json_object_get(j, "tiers"), i, x)
	{
		buf_addf(&got, "%s%s %lld", i ? "; " : "",
		         json_string_value(json_object_get(x, "tier")),
		         (long long)json_integer_value(json_object_get(x, "count")));
		json_array_foreach(json_object_get(x, "resources"), k, y)
		    buf_addf(&got, " %s", json_string_value(json_object_get(y, "id")));
	}
	assert_string_equal(buf_cstr(&got),
	                    "env 0; .yml 1 A; a 2 B B2; b.yaml 1 C; yml 1 D; ab 1 E");
	json_decref(j);
	buf_reset(&out);
	assert_true(report_write(cat, m, r, &a, &f, NULL, REPORT_TEXT, &out));
	assert_contains(buf_cstr(&out), "\nResources by tier\n  env               0  \n  .yml     "
	                                "         1  A\n  a                 2  B, B2\n");
	buf_free(&got);
	buf_free(&out);
	analysis_free(&a);
	render_free(r);
	findings_free(&f);
	model_free(m);
	catalog_free(cat);
	lms_error_clear(&err);
	for (size_t n = 0; n < sizeof files / sizeof *files; n++) {
		char *p = lms_strdupf("%s/%s", dir, files[n][0]);
		unlink(p);
		free(p);
	}
	rmdir(dir);
	free(dir);
}

static const finding *only_finding(const findings *f, const char *rule)
{
	const finding *x = NULL;
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].rule, rule) == 0) {
			if (x)
				fail_msg("two %s findings", rule);
			x = &f->v[i];
		}
	if (!x)
		fail_msg("no %s finding", rule);
	return x;
}

/* The rules' messages whole: each term over its share (and none at it),
 * the inputs missing, each tier that stops, a note-less one included. */
static void test_rule_messages(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	char *t =
	    mutate_more(mutate("Properties: {Period: 10,", "Properties: {Period: 30,"),
	                "      HealthyThresholdCount: 2\n", "      HealthyThresholdCount: 3\n");
	analyse(&fx, t, "prod", &a);
	const finding *x = only_finding(&fx.f, "SCL001");
	assert_int_equal(x->sev, SEV_ERROR);
	assert_string_equal(x->field, "");
	assert_string_equal(x->message,
	                    "new capacity takes 85 s from a load step (Step), over the 60 s budget "
	                    "(the request allows 120 s); over their share: detection 30 s (share "
	                    "10 s), health check 15 s (share 10 s)");
	analysis_free(&a);
	rf_done(&fx);
	free(t);

	t = mutate("    Type: AWS::ECS::Service\n", "    Type: AWS::SNS::Topic\n");
	analyse(&fx, t, "prod", &a);
	assert_true(a.nmissing >= 3);
	buf want;
	buf_init(&want, 0);
	buf_adds(&want, "the scale-out timeline cannot be computed: missing ");
	for (size_t i = 0; i < a.nmissing; i++)
		buf_addf(&want, "%s%s", i ? "; " : "", a.missing[i]);
	x = only_finding(&fx.f, "SCL001");
	assert_int_equal(x->sev, SEV_WARNING);
	assert_string_equal(x->message, buf_cstr(&want));
	assert_string_equal(x->hint, "see lmsctl report");
	buf_free(&want);
	analysis_free(&a);
	rf_done(&fx);
	analyse(&fx, t, "dev", &a);
	assert_null(rf_find(&fx.f, "SCL001", NULL));
	assert_null(rf_find(&fx.f, "SCL002", NULL));
	analysis_free(&a);
	rf_done(&fx);
	free(t);

	/* AZ a loses its NAT for AZ b's subnet, both database instances and the
	 * one-AZ load balancer (no note) */
	t = mutate("NatGatewayId: !Ref Nat2", "NatGatewayId: !Ref Nat1");
	t = mutate_more(t, "Properties: {Subnets: [!Ref Sub1, !Ref Sub2, !Ref Sub3]}",
	                "Properties: {Subnets: [!Ref Sub1]}");
	t = mutate_more(t, "PromotionTier: 1, AvailabilityZone: !Select [1,",
	                "PromotionTier: 1, AvailabilityZone: !Select [0,");
	analyse(&fx, t, "prod", &a);
	x = only_finding(&fx.f, "AZL001");
	assert_int_equal(x->sev, SEV_ERROR);
	assert_string_equal(
	    x->message, "losing eu-west-1a stops: nat (Sub2 lose Internet egress: their route "
	                "goes through this AZ's NAT), database (every instance was in this AZ), "
	                "load balancer ()");
	analysis_free(&a);
	rf_done(&fx);
	analyse(&fx, t, "staging", &a);
	assert_null(rf_find(&fx.f, "AZL001", NULL));
	analysis_free(&a);
	rf_done(&fx);
	free(t);
}

/* Create-only paths: a nested key, a list by "*", a one-character key, a
 * key "**" (no wildcard), keys of 255 (compared) and 256 characters (too
 * long: never compared). */
static void test_update_paths(void **state)
{
	(void)state;
	char k255[256], k256[257];
	memset(k255, 'k', 255);
	k255[255] = '\0';
	memset(k256, 'm', 256);
	k256[256] = '\0';
	char *dir = tu_mkdtemp();
	char *json = lms_strdupf("{\"types\": {\"AWS::SNS::Topic\": {\"createOnly\": [\"A/B\", "
	                         "\"L/*\", \"X\", \"**\", \"%s\", \"%s\"]}}}\n",
	                         k255, k256);
	char *path = tu_write_file(dir, "co.json", json);
	free(json);
	lms_error err = {0};
	create_only *db = create_only_load(path, &err);
	assert_non_null(db);
	struct {
		char *was, *now;
		const char *why; /* NULL: not replaced */
	} cases[] = {
	    {strdup("A: {B: '1'}, X: '1'"), strdup("A: {B: '2'}, X: '1'"), "A/B"},
	    {strdup("A: {C: '1'}"), strdup("A: {C: '2'}"), NULL},
	    {strdup("L: [a]"), strdup("L: [b]"), "L/*"},
	    {strdup("X: '1', Y: '1'"), strdup("X: '1', Y: '2'"), NULL},
	    {strdup("X: '1'"), strdup("X: '2'"), "X"},
	    {strdup("'**': '1'"), strdup("'**': '2'"), "**"},
	    {strdup("'**': '1', Y: '1'"), strdup("'**': '1', Y: '2'"), NULL},
	    {lms_strdupf("%s: '1'", k255), lms_strdupf("%s: '2'", k255), k255},
	    {lms_strdupf("%s: '1'", k256), lms_strdupf("%s: '2'", k256), NULL},
	};
	size_t n = sizeof cases / sizeof cases[0];
	buf was, now;
	buf_init(&was, 0);
	buf_init(&now, 0);
	buf_adds(&was, "Resources:\n");
	buf_adds(&now, "Resources:\n");
	for (size_t i = 0; i < n; i++) {
		buf_addf(&was, "  R%zu: {Type: AWS::SNS::Topic, Properties: {%s}}\n", i,
		         cases[i].was);
		buf_addf(&now, "  R%zu: {Type: AWS::SNS::Topic, Properties: {%s}}\n", i,
		         cases[i].now);
	}
	rf_fixture a, b;
	rf_render(&a, buf_cstr(&was), "dev");
	rf_render(&b, buf_cstr(&now), "dev");
	update_plan plan;
	assert_true(update_safety(db, a.r, b.r, &plan));
	for (size_t i = 0; i < n; i++) {
		char id[8];
		snprintf(id, sizeof id, "R%zu", i);
		const update_change *x = NULL;
		for (size_t k = 0; k < plan.n; k++)
			if (strcmp(plan.v[k].id, id) == 0)
				x = &plan.v[k];
		if ((x != NULL) != (cases[i].why != NULL) ||
		    (x && (x->kind != UPD_REPLACE || strcmp(x->why, cases[i].why) != 0)))
			fail_msg("case %zu: %s", i, x ? x->why : "not replaced");
		free(cases[i].was);
		free(cases[i].now);
	}
	update_plan_free(&plan);
	rf_done(&a);
	rf_done(&b);
	buf_free(&was);
	buf_free(&now);
	create_only_free(db);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* The tasks' tier: the worst AZ loses the minimum spread evenly, rounded
 * up; MinCapacity, else the service's DesiredCount. */
static void test_tasks_tier_table(void **state)
{
	(void)state;
	static const char two_azs[] = "AwsvpcConfiguration: {Subnets: [!Ref Sub1, !Ref Sub2]}";
	static const struct {
		const char *min, *subnets;
		size_t az;
		long total, remaining;
		tier_status st;
		const char *note;
	} cases[] = {
	    {"4", NULL, 0, 4, 2, TIER_DEGRADED,
	     "2 of 4 minimum tasks; ECS starts replacements in the other AZ(s)"},
	    {"2", NULL, 1, 2, 1, TIER_DEGRADED,
	     "1 of 2 minimum tasks; ECS starts replacements in the other AZ(s)"},
	    {"6", NULL, 2, 6, 4, TIER_DEGRADED,
	     "4 of 6 minimum tasks; ECS starts replacements in the other AZ(s)"},
	    {"1", NULL, 0, 1, 0, TIER_DOWN, "every task ran in this AZ"},
	    {"3", two_azs, 0, 3, 1, TIER_DEGRADED,
	     "1 of 3 minimum tasks; ECS starts replacements in the other AZ(s)"},
	    {"3", two_azs, 2, 3, 3, TIER_OK, NULL},
	    {"5", two_azs, 1, 5, 2, TIER_DEGRADED,
	     "2 of 5 minimum tasks; ECS starts replacements in the other AZ(s)"},
	    /* no MinCapacity: the DesiredCount (3) */
	    {NULL, NULL, 0, 3, 2, TIER_DEGRADED,
	     "2 of 3 minimum tasks; ECS starts replacements in the other AZ(s)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *to = cases[i].min ? lms_strdupf("      MinCapacity: %s\n", cases[i].min)
		                        : strdup("");
		char *t = mutate("      MinCapacity: 3\n", to);
		free(to);
		if (cases[i].subnets)
			t = mutate_more(
			    t, "AwsvpcConfiguration: {Subnets: [!Ref Sub1, !Ref Sub2, !Ref Sub3]}",
			    cases[i].subnets);
		rf_fixture fx;
		analysis a;
		analyse(&fx, t, "prod", &a);
		const az_tier *x = tier(&a, cases[i].az, "tasks");
		if (x->total != cases[i].total || x->remaining != cases[i].remaining ||
		    x->status != cases[i].st || (x->note == NULL) != (cases[i].note == NULL) ||
		    (x->note && strcmp(x->note, cases[i].note) != 0))
			fail_msg("case %zu: %ld/%ld %s '%s'", i, x->remaining, x->total,
			         tier_status_name(x->status), x->note ? x->note : "(none)");
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
}

/* The plan grows its array only when it is full: eight changes fit the
 * first reservation (8), the ninth needs one allocation more (an
 * allocation that can fail, tests/alloc_fail.h). */
static size_t plan_allocations(size_t changes)
{
	buf now;
	buf_init(&now, 0);
	buf_adds(&now, "Resources:\n");
	for (size_t i = 0; i < changes; i++)
		buf_addf(&now, "  T%zu: {Type: AWS::SNS::Topic}\n", i);
	rf_fixture a, b;
	rf_render(&a, "Resources:\n  Q: {Type: AWS::SQS::Queue}\n", "dev");
	rf_render(&b, buf_cstr(&now), "dev");
	buf_adds(&now, "  Q: {Type: AWS::SQS::Queue}\n");
	update_plan plan;
	alloc_fail_after(1000000);
	bool ok = update_safety(NULL, a.r, b.r, &plan);
	size_t n = alloc_fail_count();
	alloc_fail_off();
	assert_true(ok);
	assert_int_equal(plan.n, changes + 1); /* and Q removed */
	update_plan_free(&plan);
	rf_done(&a);
	rf_done(&b);
	buf_free(&now);
	return n;
}

static void test_plan_reservation(void **state)
{
	(void)state;
	size_t c6 = plan_allocations(6), c7 = plan_allocations(7), c8 = plan_allocations(8);
	/* 7 and 8 entries (with Q's removal) fit the first 8; the 9th grows it */
	assert_true(c7 > c6);
	assert_int_equal(c8 - c7, (c7 - c6) + 1);
}

static double jreal(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_real(v))
		fail_msg("%s is not a real", k);
	return json_real_value(v);
}

static long long jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_integer(v))
		fail_msg("%s is not an integer", k);
	return json_integer_value(v);
}

/* Figures of 0 (and 0.5) are known figures, not null: a cooldown and a
 * deregistration delay of 0, no task at most, the smallest node and ACU. */
static void test_report_zero_figures(void **state)
{
	(void)state;
	char *t = mutate("        Cooldown: 60\n", "        Cooldown: 0\n");
	t = mutate_more(t, "Value: '30'}]", "Value: '0'}]");
	t = mutate_more(t, "Description: tasks, Default: 300", "Description: tasks, Default: 0");
	t = mutate_more(t, "Description: acu, Default: 256", "Description: acu, Default: 0.5");
	t = mutate_more(t, "cache.r7g.large", "cache.t3.micro");
	json_t *j = report_json(t, "dev");
	free(t);
	json_t *so = json_object_get(j, "scale_out");
	assert_true(json_is_true(json_object_get(so, "known")));
	assert_true(jreal(so, "scale_out_cooldown_seconds") == 0);
	assert_true(jreal(so, "deregistration_seconds") == 0);
	json_t *cap = json_object_get(j, "capacity");
	assert_int_equal(jint(cap, "users"), 0);
	assert_int_equal(jint(cap, "max_tasks"), 0);
	assert_int_equal(jint(cap, "users_per_task"), 250);
	json_t *db = json_object_get(cap, "database");
	assert_true(jreal(db, "max_acu") == 0.5);
	assert_int_equal(jint(db, "users"), 187);
	json_t *cache = json_object_get(cap, "cache");
	assert_true(jreal(cache, "node_gib") == 0.5);
	assert_int_equal(jint(cache, "users"), 0);
	assert_int_equal(jint(cache, "shards"), 1);
	json_t *conn = json_object_get(cap, "database_connections");
	assert_int_equal(jint(conn, "at_max_tasks"), 0);
	assert_int_equal(jint(conn, "per_task"), 15);
	json_decref(j);
}

/* The NAT tier's edges: a subnet of the first AZ (index 0) stranded; an AZ
 * without a NAT loses nothing (ok, no note); routes through no NAT,
 * associations without a route table or of an unplaced subnet strand
 * nothing. */
static void test_nat_tier_edges(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to;
		size_t az;
		long total, remaining;
		tier_status st;
		const char *note;
	} cases[] = {
	    {"RouteTableId: !Ref Rt1, NatGatewayId: !Ref Nat1",
	     "RouteTableId: !Ref Rt1, NatGatewayId: !Ref Nat2", 1, 3, 2, TIER_DOWN,
	     "Sub1 lose Internet egress: their route goes through this AZ's NAT"},
	    {"{SubnetId: !Ref Sub3}}\n  Rt1:", "{SubnetId: !Ref Sub1}}\n  Rt1:", 2, 3, 3, TIER_OK,
	     NULL},
	    {"RouteTableId: !Ref Rt2, NatGatewayId: !Ref Nat2",
	     "RouteTableId: !Ref Rt2, GatewayId: !Ref Nat1", 0, 3, 2, TIER_DEGRADED,
	     "only this AZ's own subnets used its NAT"},
	    {"RouteTableId: !Ref Rt2, NatGatewayId: !Ref Nat2", "NatGatewayId: !Ref Nat1", 0, 3, 2,
	     TIER_DEGRADED, "only this AZ's own subnets used its NAT"},
	    {"Properties: {SubnetId: !Ref Sub2, RouteTableId: !Ref Rt2}",
	     "Properties: {SubnetId: subnet-2, RouteTableId: !Ref Rt1}", 0, 3, 2, TIER_DEGRADED,
	     "only this AZ's own subnets used its NAT"},
	    {"Properties: {SubnetId: !Ref Sub2, RouteTableId: !Ref Rt2}",
	     "Properties: {SubnetId: !Ref Sub2, RouteTable: !Ref Rt1}", 0, 3, 2, TIER_DEGRADED,
	     "only this AZ's own subnets used its NAT"},
	    {"  A2: {Type: AWS::EC2::SubnetRouteTableAssociation,",
	     "  A2: {Type: AWS::EC2::SubnetRouteTableAssociationX,", 0, 3, 2, TIER_DEGRADED,
	     "only this AZ's own subnets used its NAT"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *t = mutate(cases[i].from, cases[i].to);
		if (i == 6) /* Sub2's association is no association: Rt1 routes it */
			t = mutate_more(t, "NatGatewayId: !Ref Nat2", "NatGatewayId: !Ref Nat1");
		rf_fixture fx;
		analysis a;
		analyse(&fx, t, "prod", &a);
		const az_tier *x = tier(&a, cases[i].az, "nat");
		if (x->total != cases[i].total || x->remaining != cases[i].remaining ||
		    x->status != cases[i].st || (x->note == NULL) != (cases[i].note == NULL) ||
		    (x->note && strcmp(x->note, cases[i].note) != 0))
			fail_msg("case %zu: %ld/%ld %s '%s'", i, x->remaining, x->total,
			         tier_status_name(x->status), x->note ? x->note : "(none)");
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
}

/* Types by exact name; a syntax error's line and column from 1 (a missing
 * file has none). */
static void test_create_only_names_positions(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *path = tu_write_file(dir, "co.json", "{\"types\": {\"AWS::X::AB\": {}}}");
	lms_error err = {0};
	create_only *db = create_only_load(path, &err);
	assert_non_null(db);
	assert_true(create_only_has_type(db, "AWS::X::AB"));
	assert_false(create_only_has_type(db, "AWS::X::A"));
	assert_false(create_only_has_type(db, "AWS::X::ABC"));
	assert_false(create_only_has_type(db, NULL));
	create_only_free(db);
	free(path);
	static const struct {
		const char *text;
		size_t line, col;
	} bad[] = {{"x", 1, 1}, {"{\"types\": x}", 1, 11}, {"{\n\"types\": x}", 2, 10}};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		path = tu_write_file(dir, "co.json", bad[i].text);
		assert_null(create_only_load(path, &err));
		if (err.line != bad[i].line || err.col != bad[i].col)
			fail_msg("case %zu: %zu:%zu: %s", i, err.line, err.col, err.msg);
		lms_error_clear(&err);
		free(path);
	}
	path = tu_join(dir, "none.json");
	assert_null(create_only_load(path, &err));
	assert_int_equal(err.line, 0);
	assert_int_equal(err.col, 0);
	assert_string_equal(err.file, path);
	lms_error_clear(&err);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* Target tracking alone: its detection's source names the metric (or a
 * custom one) and its period; its type by exact name; its cooldown. */
static void test_target_tracking_terms(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to;
		const char *policy, *from_text, *type;
		double cooldown;
	} cases[] = {
	    {NULL, NULL, "Tracking",
	     "target tracking Tracking: 3 datapoints of 60 s (ECSServiceAverageCPUUtilization)",
	     "TargetTrackingScaling", 60},
	    {"PredefinedMetricType: ECSServiceAverageCPUUtilization}",
	     "PredefinedMetricType: ECSServiceAverageCPUUtilizationHighResolution}", "Tracking",
	     "target tracking Tracking: 3 datapoints of 20 s "
	     "(ECSServiceAverageCPUUtilizationHighResolution)",
	     "TargetTrackingScaling", 60},
	    {"        PredefinedMetricSpecification: {PredefinedMetricType: "
	     "ECSServiceAverageCPUUtilization}\n",
	     "        CustomizedMetricSpecification: {MetricName: Sessions}\n", "Tracking",
	     "target tracking Tracking: 3 datapoints of 60 s (custom metric)",
	     "TargetTrackingScaling", 60},
	    {"        ScaleOutCooldown: 60\n", "", "Tracking",
	     "target tracking Tracking: 3 datapoints of 60 s (ECSServiceAverageCPUUtilization)",
	     "TargetTrackingScaling", -1},
	    {"      PolicyType: TargetTrackingScaling\n",
	     "      PolicyType: TargetTrackingScalingX\n", NULL, NULL, NULL, -1},
	    {"      PolicyType: TargetTrackingScaling\n",
	     "      PolicyType: TargetTrackingScalin\n", NULL, NULL, NULL, -1},
	    {"      PolicyType: TargetTrackingScaling\n", "", NULL, NULL, NULL, -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *t = mutate("AlarmActions: [!Ref Step]", "AlarmActions: []");
		if (cases[i].from)
			t = mutate_more(t, cases[i].from, cases[i].to);
		rf_fixture fx;
		analysis a;
		analyse(&fx, t, "prod", &a);
		const scale_timeline *tl = &a.timeline;
		if (!cases[i].policy) {
			assert_false(tl->known);
			assert_null(tl->policy);
			assert_string_equal(a.missing[0],
			                    "a scale-out policy with a known alarm period");
		} else {
			assert_true(tl->known);
			assert_string_equal(tl->policy, cases[i].policy);
			assert_string_equal(tl->terms[0].from, cases[i].from_text);
			assert_string_equal(tl->policy_type, cases[i].type);
			assert_true(tl->scale_out_cooldown == cases[i].cooldown);
		}
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
}

/* A replication group without a node count is one node (in the subnet
 * group's first AZ); 0 nodes stop the tier; a load balancer without
 * subnets is unknown, one in two of three AZs degrades one and not the
 * third. */
static void test_cache_alb_edges(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to, *name;
		size_t az;
		long total, remaining;
		tier_status st;
		const char *note;
	} cases[] = {
	    {"      NumCacheClusters: 3\n", "", "cache", 0, 1, 0, TIER_DOWN,
	     "every node was in this AZ"},
	    {"      NumCacheClusters: 3\n", "", "cache", 1, 1, 1, TIER_OK, NULL},
	    {"      NumCacheClusters: 3\n", "      NumCacheClusters: 2\n", "cache", 1, 2, 1,
	     TIER_DEGRADED, "a replica is lost"},
	    {"      NumCacheClusters: 3\n", "      NumCacheClusters: 2\n", "cache", 2, 2, 2,
	     TIER_OK, NULL},
	    /* the subnet group in the second and third AZs: the primary in the second */
	    {"SubnetIds: [!Ref Sub1, !Ref Sub2, !Ref Sub3]", "SubnetIds: [!Ref Sub2, !Ref Sub3]",
	     "cache", 1, 3, 1, TIER_DEGRADED,
	     "a replica is promoted (a few seconds); assumed primary in the first AZ"},
	    {"      NumCacheClusters: 3\n", "      NumCacheClusters: 0\n", "cache", 2, 0, 0,
	     TIER_DOWN, "every node was in this AZ"},
	    {"Properties: {Subnets: [!Ref Sub1, !Ref Sub2, !Ref Sub3]}",
	     "Properties: {Subnets: []}", "load balancer", 0, -1, -1, TIER_UNKNOWN, NULL},
	    {"Properties: {Subnets: [!Ref Sub1, !Ref Sub2, !Ref Sub3]}",
	     "Properties: {Subnets: [!Ref Sub1, !Ref Sub2]}", "load balancer", 1, 2, 1,
	     TIER_DEGRADED, "nodes in the other AZ(s) serve"},
	    {"Properties: {Subnets: [!Ref Sub1, !Ref Sub2, !Ref Sub3]}",
	     "Properties: {Subnets: [!Ref Sub1, !Ref Sub2]}", "load balancer", 2, 2, 2, TIER_OK,
	     NULL},
	    {"Properties: {Subnets: [!Ref Sub1, !Ref Sub2, !Ref Sub3]}",
	     "Properties: {Subnets: [!Ref Sub1, !Ref Sub2, subnet-9]}", "load balancer", 2, -1, -1,
	     TIER_UNKNOWN, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *t = mutate(cases[i].from, cases[i].to);
		rf_fixture fx;
		analysis a;
		analyse(&fx, t, "prod", &a);
		const az_tier *x = tier(&a, cases[i].az, cases[i].name);
		if (x->total != cases[i].total || x->remaining != cases[i].remaining ||
		    x->status != cases[i].st || (x->note == NULL) != (cases[i].note == NULL) ||
		    (x->note && strcmp(x->note, cases[i].note) != 0))
			fail_msg("case %zu: %ld/%ld %s '%s'", i, x->remaining, x->total,
			         tier_status_name(x->status), x->note ? x->note : "(none)");
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
}

/* report_companions_free releases every companion, the first one too
 * (tests/alloc_fail.h counts the live allocations). */
static void test_companions_freed(void **state)
{
	(void)state;
	lms_error err = {0};
	catalog *cat = catalog_load(tu_templates_dir(), &err);
	if (!cat)
		fail_msg("%s", err.msg);
	model *m = model_new_from_catalog(cat, "prod", &err);
	assert_non_null(m);
	report_stack *v = NULL;
	size_t n = 0;
	assert_true(report_companions(cat, m, &v, &n, &err)); /* caches filled */
	report_companions_free(v, n);
	size_t before = alloc_live();
	assert_true(report_companions(cat, m, &v, &n, &err));
	assert_true(n >= 1);
	assert_non_null(v[0].cat);
	report_companions_free(v, n);
	assert_int_equal(alloc_live(), before);
	report_companions_free(NULL, 3);
	model_free(m);
	catalog_free(cat);
}

/* Every free function releases all it holds, the first element of each
 * list too (live allocations counted: tests/alloc_fail.h). */
static void test_frees_everything(void **state)
{
	(void)state;
	char *none = mutate("    Type: AWS::ECS::Service\n", "    Type: AWS::SNS::Topic\n");
	const char *texts[] = {platform, none};
	for (size_t i = 0; i < 2; i++) {
		rf_fixture fx;
		rf_render(&fx, texts[i], "prod");
		analysis a;
		size_t before = alloc_live();
		analysis_run(fx.cat, fx.m, fx.r, &a);
		assert_true(i == 0 ? a.timeline.nterms > 0 && a.cap.conn.max_from != NULL
		                   : a.nmissing > 1);
		assert_true(a.naz > 0 && a.az[0].tiers[i == 0 ? 0 : 1].note != NULL);
		analysis_free(&a);
		assert_int_equal(alloc_live(), before);
		rf_done(&fx);
	}
	free(none);
	char *dir = tu_mkdtemp();
	char *path =
	    tu_write_file(dir, "co.json",
	                  "{\"types\": {\"AWS::SNS::Topic\": {\"createOnly\": [\"A\", \"B\"], "
	                  "\"conditionalCreateOnly\": [\"C\", \"D\"]}, \"AWS::SQS::Queue\": "
	                  "{\"createOnly\": [\"E\"], \"conditionalCreateOnly\": [\"F\"]}}}");
	lms_error err = {0};
	size_t before = alloc_live();
	create_only *db = create_only_load(path, &err);
	assert_non_null(db);
	create_only_free(db);
	assert_int_equal(alloc_live(), before);
	db = create_only_load(path, &err);
	rf_fixture was, now;
	rf_render(&was, "Resources:\n  T: {Type: AWS::SNS::Topic, Properties: {A: '1'}}\n", "dev");
	rf_render(&now,
	          "Resources:\n  T: {Type: AWS::SNS::Topic, Properties: {A: '2'}}\n"
	          "  U: {Type: AWS::SNS::Topic}\n",
	          "dev");
	update_plan plan;
	before = alloc_live();
	assert_true(update_safety(db, was.r, now.r, &plan));
	assert_int_equal(plan.n, 2);
	update_plan_free(&plan);
	assert_int_equal(alloc_live(), before);
	rf_done(&was);
	rf_done(&now);
	create_only_free(db);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* Writing a report leaves nothing allocated, with and without a database,
 * a web path and an update plan, in each format. */
static void test_report_frees_everything(void **state)
{
	(void)state;
	char *nodb = mutate("    Type: AWS::RDS::DBCluster\n", "    Type: AWS::SNS::Topic\n");
	char *web = lms_strdupf("%s  Cdn: {Type: AWS::CloudFront::Distribution}\n  Api: {Type: "
	                        "AWS::ApiGateway::RestApi}\n",
	                        platform);
	const char *texts[] = {platform, nodb, web};
	for (size_t i = 0; i < 3; i++) {
		rf_fixture fx;
		analysis a;
		analyse(&fx, texts[i], "prod", &a);
		char why[] = "new";
		update_change ch[] = {{"edge", "Q", "AWS::SNS::Topic", UPD_ADD, false, why}};
		update_plan plan = {ch, 1, 1, false};
		for (int fmt = REPORT_TEXT; fmt <= REPORT_JSON; fmt++) {
			buf out;
			buf_init(&out, 0);
			size_t before = alloc_live();
			assert_true(report_write(fx.cat, fx.m, fx.r, &a, &fx.f, &plan,
			                         (report_format)fmt, &out));
			buf_free(&out);
			if (alloc_live() != before)
				fail_msg("case %zu, format %d: %zu allocations left", i, fmt,
				         alloc_live() - before);
		}
		analysis_free(&a);
		rf_done(&fx);
	}
	free(nodb);
	free(web);
}

/* A subnet in the 33rd AZ of a long list (index 32) has no bit in the AZ
 * sets: the tiers that use it are unknown; in the 32nd (index 31) they are
 * known. */
static void test_tiers_past_32_azs(void **state)
{
	(void)state;
	static char names[34][16];
	const char *azs[34];
	for (size_t i = 0; i < 34; i++) {
		snprintf(names[i], sizeof names[i], "eu-west-1-%zu", i);
		azs[i] = names[i];
	}
	render_options opt = {.azs = azs, .nazs = 34};
	static const char *const tiers[] = {"tasks", "cache", "file system", "load balancer"};
	for (int last = 31; last <= 32; last++) {
		char to[128];
		snprintf(to, sizeof to,
		         "Properties: {AvailabilityZone: !Select [%d, !GetAZs '']}}\n", last);
		char *t = mutate("Properties: {AvailabilityZone: !Select [2, !GetAZs '']}}\n", to);
		rf_fixture fx;
		rf_render_opt(&fx, t, "prod", &opt);
		analysis a;
		analysis_run(fx.cat, fx.m, fx.r, &a);
		for (size_t k = 0; k < 4; k++) {
			tier_status st = tier(&a, 0, tiers[k])->status;
			if ((st == TIER_UNKNOWN) != (last == 32))
				fail_msg("AZ index %d: %s %s", last, tiers[k],
				         tier_status_name(st));
		}
		if (last == 31) /* the third cache node in the 32nd AZ: two left */
			assert_int_equal(tier(&a, 0, "cache")->remaining, 2);
		else /* unknown: none counted left */
			assert_int_equal(tier(&a, 0, "cache")->remaining, -1);
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
}

/* A node type the table does not hold is unknown, whatever string it is
 * (here a parameter's name: in the -O0 build of the mutation harness the
 * string after the table's last entry, so a loop that ran one entry too
 * far would read it as a node type). */
static void test_cache_type_outside_table(void **state)
{
	(void)state;
	static const char *const types[] = {"TaskSessionCapacity", "UsersPerTask",
	                                    "cache.r7g.16xlarge"};
	for (size_t i = 0; i < 3; i++) {
		char *to = lms_strdupf("CacheNodeType: %s", types[i]);
		char *t = mutate("CacheNodeType: cache.r7g.large", to);
		free(to);
		rf_fixture fx;
		analysis a;
		analyse(&fx, t, "prod", &a);
		bool listed = false;
		for (size_t k = 0; k < a.nmissing; k++)
			listed =
			    listed || strcmp(a.missing[k], "the cache node type's memory") == 0;
		if (i < 2) {
			assert_true(a.cap.cache_node_gib == -1);
			assert_int_equal(a.cap.cache_users, -1);
			assert_true(listed);
		} else { /* the table's last entry */
			assert_true(a.cap.cache_node_gib == 419.09);
			assert_false(listed);
		}
		analysis_free(&a);
		rf_done(&fx);
		free(t);
	}
}

/* A report that does not fit its buffer (buf's cap) is a failure, in each
 * format, by one byte too (the JSON's last newline); exactly at the cap it
 * is whole. */
static void test_report_capped_buffer(void **state)
{
	(void)state;
	rf_fixture fx;
	analysis a;
	analyse(&fx, platform, "prod", &a);
	for (int fmt = REPORT_TEXT; fmt <= REPORT_JSON; fmt++) {
		char *full = report_of(&fx, &a, NULL, (report_format)fmt);
		size_t len = strlen(full);
		buf out;
		buf_init(&out, len);
		assert_true(
		    report_write(fx.cat, fx.m, fx.r, &a, &fx.f, NULL, (report_format)fmt, &out));
		assert_string_equal(buf_cstr(&out), full);
		buf_free(&out);
		buf_init(&out, len - 1);
		if (report_write(fx.cat, fx.m, fx.r, &a, &fx.f, NULL, (report_format)fmt, &out))
			fail_msg("format %d: a report one byte over the cap succeeded", fmt);
		assert_true(out.failed);
		buf_free(&out);
		buf_init(&out, 100);
		assert_false(
		    report_write(fx.cat, fx.m, fx.r, &a, &fx.f, NULL, (report_format)fmt, &out));
		buf_free(&out);
		free(full);
	}
	analysis_free(&a);
	rf_done(&fx);
}

/* A companion whose model runs out of memory (the allocations just after
 * its catalog's) fails the call and leaves nothing behind, its loaded
 * catalog included. */
static void test_companion_model_oom(void **state)
{
	(void)state;
	lms_error err = {0};
	catalog *cat = catalog_load(tu_templates_dir(), &err);
	if (!cat)
		fail_msg("%s", err.msg);
	model *m = model_new_from_catalog(cat, "prod", &err);
	assert_non_null(m);
	assert_true(cat->ncompanions >= 1);
	report_stack *v = NULL;
	size_t n = 0;
	assert_true(report_companions(cat, m, &v, &n, &err)); /* caches filled */
	report_companions_free(v, n);
	alloc_fail_after(100000000);
	catalog *cc = catalog_load_companion(cat, &cat->companions[0], &err);
	size_t c1 = alloc_fail_count();
	alloc_fail_off();
	assert_non_null(cc);
	catalog_free(cc);
	size_t before = alloc_live();
	size_t failed = 0;
	/* allocation 0 is the list, 1..c1 the first companion's catalog */
	for (size_t k = c1 - 1; k <= c1 + 4; k++) {
		alloc_fail_after(k);
		bool ok = report_companions(cat, m, &v, &n, &err);
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		assert_true(fired);
		if (ok)
			report_companions_free(v, n);
		else
			failed++;
		lms_error_clear(&err);
		if (alloc_live() != before)
			fail_msg("allocation %zu failing (catalog: %zu): %zu left", k, c1,
			         alloc_live() - before);
	}
	assert_true(failed >= 2);
	model_free(m);
	catalog_free(cat);
}

/* The retention row lists the leftovers in the human forms, and says
 * nothing of them when there are none. */
static void test_report_leftover_lines(void **state)
{
	(void)state;
	char *del =
	    mutate("  Cluster:\n    Type: AWS::RDS::DBCluster\n",
	           "  Cluster:\n    Type: AWS::RDS::DBCluster\n    DeletionPolicy: Delete\n");
	const char *texts[] = {platform, del};
	for (size_t i = 0; i < 2; i++) {
		rf_fixture fx;
		analysis a;
		analyse(&fx, texts[i], "prod", &a);
		char *text = report_of(&fx, &a, NULL, REPORT_TEXT);
		char *md = report_of(&fx, &a, NULL, REPORT_MARKDOWN);
		if (i == 0) {
			assert_contains(text,
			                "      1 left outside the stack after destroy (lmsctl "
			                "destroy --purge removes them):\n        cluster snapshot "
			                "of Cluster: the final snapshot of DeletionPolicy Snapshot "
			                "(Aurora's default)\n");
			assert_contains(md,
			                "| | | 1 left outside the stack after destroy | | lmsctl "
			                "destroy --purge removes them |\n| | | cluster snapshot of "
			                "Cluster | | the final snapshot");
		} else {
			assert_null(strstr(text, "left outside the stack"));
			assert_null(strstr(md, "left outside the stack"));
		}
		free(text);
		free(md);
		analysis_free(&a);
		rf_done(&fx);
	}
	free(del);
}

/* Each obligation lists exactly the registry's rules that support it, in
 * the registry's order, with a status each. */
static void test_report_obligation_rules(void **state)
{
	(void)state;
	json_t *j = report_json(platform, "prod");
	size_t n;
	const rule_info *reg = rules_registry(&n);
	json_t *all = json_copy(json_object_get(j, "pdpa"));
	json_array_append(all, json_object_get(j, "availability"));
	assert_int_equal(json_array_size(all), 7);
	json_t *o;
	size_t i;
	json_array_foreach(all, i, o)
	{
		const char *key = json_string_value(json_object_get(o, "key"));
		json_t *rules = json_object_get(o, "rules"),
		       *st = json_object_get(o, "rule_status");
		size_t m = 0;
		for (size_t k = 0; k < n; k++) {
			if (!rules_supports(&reg[k], key))
				continue;
			const char *id = json_string_value(json_array_get(rules, m));
			if (!id || strcmp(id, reg[k].id) != 0)
				fail_msg("%s: rule %zu is %s, want %s", key, m, id ? id : "none",
				         reg[k].id);
			assert_string_equal(
			    json_string_value(json_object_get(json_array_get(st, m), "id")),
			    reg[k].id);
			m++;
		}
		assert_int_equal(json_array_size(rules), m);
		assert_int_equal(json_array_size(st), m);
		assert_true(m > 0);
	}
	json_decref(all);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timeline),
	    cmocka_unit_test(test_timeline_edges),
	    cmocka_unit_test(test_report_counts_leftovers),
	    cmocka_unit_test(test_missing_inputs),
	    cmocka_unit_test(test_capacity),
	    cmocka_unit_test(test_sv2_max_connections),
	    cmocka_unit_test(test_connection_groups),
	    cmocka_unit_test(test_connections),
	    cmocka_unit_test(test_exact_resource_types),
	    cmocka_unit_test(test_unknown_cooldown),
	    cmocka_unit_test(test_az_loss),
	    cmocka_unit_test(test_tasks_tier_unknown),
	    cmocka_unit_test(test_update_safety),
	    cmocka_unit_test(test_files_tier),
	    cmocka_unit_test(test_cache_tier),
	    cmocka_unit_test(test_database_tier),
	    cmocka_unit_test(test_nat_tier),
	    cmocka_unit_test(test_capacity_edges),
	    cmocka_unit_test(test_timeline_policy_first),
	    cmocka_unit_test(test_update_plan),
	    cmocka_unit_test(test_update_plan_may_to_replace),
	    cmocka_unit_test(test_first_resource_counts),
	    cmocka_unit_test(test_create_only_errors),
	    cmocka_unit_test(test_names_and_stateful),
	    cmocka_unit_test(test_data_file_covers_templates),
	    cmocka_unit_test(test_report_contract),
	    cmocka_unit_test(test_account_shared),
	    cmocka_unit_test(test_update_safety_two_stacks),
	    cmocka_unit_test(test_report_update_stacks),
	    cmocka_unit_test(test_report_golden),
	    cmocka_unit_test(test_az_loss_first_az_only),
	    cmocka_unit_test(test_detection_zero),
	    cmocka_unit_test(test_az_loss_32_azs),
	    cmocka_unit_test(test_report_no_service),
	    cmocka_unit_test(test_report_cells),
	    cmocka_unit_test(test_report_web_path),
	    cmocka_unit_test(test_report_tenant_no_web_path),
	    cmocka_unit_test(test_absent_tiers),
	    cmocka_unit_test(test_report_shared_rows),
	    cmocka_unit_test(test_report_no_companions),
	    cmocka_unit_test(test_report_breaking),
	    cmocka_unit_test(test_cache_capacity),
	    cmocka_unit_test(test_pool_and_proxy),
	    cmocka_unit_test(test_target_group_keys),
	    cmocka_unit_test(test_update_same_node),
	    cmocka_unit_test(test_report_connections_line),
	    cmocka_unit_test(test_timeline_policy_choice),
	    cmocka_unit_test(test_report_leftover_kinds),
	    cmocka_unit_test(test_report_stack_names),
	    cmocka_unit_test(test_update_stack_order),
	    cmocka_unit_test(test_timeline_choices),
	    cmocka_unit_test(test_users_per_task),
	    cmocka_unit_test(test_report_composite_terms),
	    cmocka_unit_test(test_resource_first),
	    cmocka_unit_test(test_report_tier_names),
	    cmocka_unit_test(test_rule_messages),
	    cmocka_unit_test(test_update_paths),
	    cmocka_unit_test(test_tasks_tier_table),
	    cmocka_unit_test(test_plan_reservation),
	    cmocka_unit_test(test_report_zero_figures),
	    cmocka_unit_test(test_nat_tier_edges),
	    cmocka_unit_test(test_create_only_names_positions),
	    cmocka_unit_test(test_target_tracking_terms),
	    cmocka_unit_test(test_cache_alb_edges),
	    cmocka_unit_test(test_companions_freed),
	    cmocka_unit_test(test_frees_everything),
	    cmocka_unit_test(test_report_frees_everything),
	    cmocka_unit_test(test_tiers_past_32_azs),
	    cmocka_unit_test(test_cache_type_outside_table),
	    cmocka_unit_test(test_report_capped_buffer),
	    cmocka_unit_test(test_companion_model_oom),
	    cmocka_unit_test(test_report_leftover_lines),
	    cmocka_unit_test(test_report_obligation_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
