/* The scale-out timeline, the capacity figures, the AZ-loss table and the
 * update-safety plan, read from the rendered template. The constants and
 * rules of thumb, with their sources, are in analysis.h and docs/report.md. */
#include "model/analysis.h"

#include "common/num.h"
#include "common/str.h"
#include "common/vec.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ALB target group defaults for ip targets (Elastic Load Balancing User
 * Guide, "Health checks for your target groups"; "deregistration delay"). */
#define TG_DEFAULT_INTERVAL 30.0
#define TG_DEFAULT_HEALTHY 5L
#define TG_DEFAULT_DEREGISTRATION 300.0
/* Target tracking's AlarmHigh evaluates the metric at 60 s, or 20 s for
 * the ECS high-resolution metrics (ECS Developer Guide, faster auto
 * scaling). */
#define TT_METRIC_PERIOD 60.0
#define TT_HIGH_RES_PERIOD 20.0

static const char *const tier_names[AZ_TIERS] = {"tasks", "nat",         "database",
                                                 "cache", "file system", "load balancer"};

const char *tier_status_name(tier_status s)
{
	switch (s) {
	case TIER_OK:
		return "ok";
	case TIER_DEGRADED:
		return "degraded";
	case TIER_DOWN:
		return "down";
	case TIER_UNKNOWN:
		return "unknown";
	case TIER_ABSENT:
		return "absent";
	}
	return "?";
}

static void missing(analysis *a, const char *what)
{
	for (size_t i = 0; i < a->nmissing; i++)
		if (strcmp(a->missing[i], what) == 0)
			return;
	if (!VEC_RESIZE(a->missing, a->nmissing + 1))
		return;
	a->missing[a->nmissing] = strdup(what);
	if (a->missing[a->nmissing])
		a->nmissing++;
}

static bool is_type(const render_resource *res, const char *type)
{
	return res && res->type && strcmp(res->type, type) == 0;
}

static const render_resource *ref_target(const rendered *r, const rnode *n)
{
	const char *id = rnode_ref(n, NULL);
	return id ? render_find(r, id) : NULL;
}

/* Far beyond any count, capacity or period a template holds; a number past
 * it would overflow the conversions to long and the products below. */
#define NUM_LIMIT 1e9

/* A finite number within NUM_LIMIT; `out` is left alone otherwise. */
static bool num(const rnode *n, double *out)
{
	double v;
	if (!rnode_double(n, &v) || !isfinite(v) || fabs(v) > NUM_LIMIT)
		return false;
	*out = v;
	return true;
}

/* ---- scale-out timeline ------------------------------------------------- */

static const render_resource *find_service(const rendered *r)
{
	const render_resource *first = NULL;
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *res = &r->res[i];
		if (!is_type(res, "AWS::ECS::Service"))
			continue;
		if (rnode_get(res->props, "LoadBalancers"))
			return res;
		if (!first)
			first = res;
	}
	return first;
}

static const render_resource *find_scalable_target(const rendered *r, const render_resource *svc)
{
	for (size_t i = 0; svc && i < r->nres; i++) {
		const render_resource *res = &r->res[i];
		if (is_type(res, "AWS::ApplicationAutoScaling::ScalableTarget") &&
		    rnode_mentions(rnode_get(res->props, "ResourceId"), svc->id))
			return res;
	}
	return NULL;
}

static const render_resource *find_target_group(const rendered *r, const render_resource *svc)
{
	const rnode *lbs = rnode_get(svc ? svc->props : NULL, "LoadBalancers");
	for (size_t i = 0; lbs && lbs->kind == RN_SEQ && i < lbs->n; i++) {
		const render_resource *tg =
		    ref_target(r, rnode_get(lbs->kids[i], "TargetGroupArn"));
		if (is_type(tg, "AWS::ElasticLoadBalancingV2::TargetGroup"))
			return tg;
	}
	return NULL;
}

/* How long a completed datapoint of a `period`-second alarm waits for its
 * evaluation, at most (analysis.h). */
static double alarm_evaluation(double period)
{
	return period < 60 ? ALARM_EVAL_HIGH_RES_SECONDS : ALARM_EVAL_STANDARD_SECONDS;
}

/* The detection time of one scale-out policy, -1 unknown; *period the
 * alarm's period (for its evaluation interval). */
static double policy_detection(const rendered *r, const render_resource *p, double *cooldown,
                               char **from, const char **kind, double *eval_period)
{
	const char *type = rnode_str(rnode_get(p->props, "PolicyType"));
	*kind = type;
	*cooldown = -1;
	if (type && strcmp(type, "TargetTrackingScaling") == 0) {
		const rnode *cfg = rnode_get(p->props, "TargetTrackingScalingPolicyConfiguration");
		num(rnode_get(cfg, "ScaleOutCooldown"), cooldown);
		const char *metric = rnode_str(rnode_get(
		    rnode_get(cfg, "PredefinedMetricSpecification"), "PredefinedMetricType"));
		double period = metric && strstr(metric, "HighResolution") ? TT_HIGH_RES_PERIOD
		                                                           : TT_METRIC_PERIOD;
		*from = lms_strdupf("target tracking %s: %d datapoints of %g s (%s)", p->id,
		                    TARGET_TRACKING_DATAPOINTS, period,
		                    metric ? metric : "custom metric");
		*eval_period = period;
		return TARGET_TRACKING_DATAPOINTS * period;
	}
	if (!type || strcmp(type, "StepScaling") != 0)
		return -1;
	const rnode *cfg = rnode_get(p->props, "StepScalingPolicyConfiguration");
	num(rnode_get(cfg, "Cooldown"), cooldown);
	/* scale-out steps only: an adjustment above zero */
	const rnode *steps = rnode_get(cfg, "StepAdjustments");
	bool out = false;
	for (size_t i = 0; steps && steps->kind == RN_SEQ && i < steps->n; i++) {
		double adj;
		if (num(rnode_get(steps->kids[i], "ScalingAdjustment"), &adj) && adj > 0)
			out = true;
	}
	if (!out)
		return -1;
	double best = -1;
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *al = &r->res[i];
		if (!is_type(al, "AWS::CloudWatch::Alarm") ||
		    !rnode_mentions(rnode_get(al->props, "AlarmActions"), p->id))
			continue;
		double period, points;
		if (!num(rnode_get(al->props, "Period"), &period))
			continue;
		if (!num(rnode_get(al->props, "DatapointsToAlarm"), &points) &&
		    !num(rnode_get(al->props, "EvaluationPeriods"), &points))
			continue;
		double d = period * points;
		if (best < 0 ||
		    d + alarm_evaluation(period) < best + alarm_evaluation(*eval_period)) {
			best = d;
			*eval_period = period;
			free(*from);
			*from = lms_strdupf("step scaling %s on alarm %s: %g datapoint(s) of %g s",
			                    p->id, al->id, points, period);
		}
	}
	return best;
}

static void add_term(scale_timeline *t, const char *name, double s, double budget, char *from)
{
	if (t->nterms >= TIMELINE_TERMS) {
		free(from);
		return;
	}
	t->terms[t->nterms].name = name;
	t->terms[t->nterms].seconds = s;
	t->terms[t->nterms].budget = budget;
	t->terms[t->nterms].from = from;
	t->nterms++;
}

static void timeline(const rendered *r, analysis *a)
{
	scale_timeline *t = &a->timeline;
	t->total = -1;
	t->scale_out_cooldown = -1;
	t->deregistration = -1;
	const render_resource *svc = find_service(r);
	if (!svc) {
		missing(a, "an ECS service (AWS::ECS::Service)");
		return;
	}
	t->service = svc->id;
	const render_resource *target = find_scalable_target(r, svc);
	if (!target) {
		missing(a, "a scalable target for the ECS service");
		return;
	}
	const rnode *sched = rnode_get(target->props, "ScheduledActions");
	t->scheduled = sched && sched->kind == RN_SEQ && sched->n > 0;
	double detection = -1, eval_period = 60;
	char *from = NULL;
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *p = &r->res[i];
		if (!is_type(p, "AWS::ApplicationAutoScaling::ScalingPolicy"))
			continue;
		const char *tid = rnode_ref(rnode_get(p->props, "ScalingTargetId"), NULL);
		if (!(tid && strcmp(tid, target->id) == 0) &&
		    !rnode_mentions(rnode_get(p->props, "ResourceId"), svc->id))
			continue;
		double cooldown, period = 60;
		char *pf = NULL;
		const char *kind;
		double d = policy_detection(r, p, &cooldown, &pf, &kind, &period);
		if (d >= 0 && (detection < 0 || d + alarm_evaluation(period) <
		                                    detection + alarm_evaluation(eval_period))) {
			detection = d;
			eval_period = period;
			free(from);
			from = pf;
			t->policy = p->id;
			t->policy_type = kind;
			t->scale_out_cooldown = cooldown;
		} else {
			free(pf);
		}
	}
	if (detection < 0) {
		missing(a, "a scale-out policy with a known alarm period");
		free(from);
		return;
	}
	const render_resource *tg = find_target_group(r, svc);
	double interval = TG_DEFAULT_INTERVAL, healthy = TG_DEFAULT_HEALTHY;
	t->deregistration = TG_DEFAULT_DEREGISTRATION;
	if (!tg) {
		missing(a, "the ECS service's target group (health check)");
		free(from);
		return;
	}
	num(rnode_get(tg->props, "HealthCheckIntervalSeconds"), &interval);
	num(rnode_get(tg->props, "HealthyThresholdCount"), &healthy);
	const rnode *attrs = rnode_get(tg->props, "TargetGroupAttributes");
	for (size_t i = 0; attrs && attrs->kind == RN_SEQ && i < attrs->n; i++) {
		const char *k = rnode_str(rnode_get(attrs->kids[i], "Key"));
		if (k && strcmp(k, "deregistration_delay.timeout_seconds") == 0)
			num(rnode_get(attrs->kids[i], "Value"), &t->deregistration);
	}
	add_term(t, "detection", detection, BUDGET_DETECTION, from);
	add_term(t, "alarm evaluation", alarm_evaluation(eval_period), BUDGET_EVALUATION,
	         lms_strdupf("CloudWatch evaluates a %g-s alarm every %g s, metric ingestion "
	                     "included (CloudWatch User Guide, alarms)",
	                     eval_period, alarm_evaluation(eval_period)));
	add_term(t, "scaling action", SCALING_ACTION_SECONDS, SCALING_ACTION_SECONDS,
	         lms_strdupf("estimate: alarm state change to a new desired count"));
	add_term(t, "cooldown", 0, 0,
	         lms_strdupf("%g s scale-out cooldown does not delay the first step (a larger "
	                     "breach scales out during it)",
	                     t->scale_out_cooldown < 0 ? 0 : t->scale_out_cooldown));
	add_term(t, "task start", TASK_START_SECONDS, TASK_START_SECONDS,
	         lms_strdupf("measured by AWS: 23 s from trigger to provisioned Fargate tasks "
	                     "(ECS high-resolution metrics benchmark, 2026), rounded up; measure "
	                     "ours: docs/scaling.md"));
	add_term(t, "health check", interval * healthy, BUDGET_HEALTH,
	         lms_strdupf("target group %s: %g s interval x %g healthy checks", tg->id, interval,
	                     healthy));
	t->total = 0;
	for (size_t i = 0; i < t->nterms; i++)
		t->total += t->terms[i].seconds;
	t->known = true;
}

/* ---- capacity ----------------------------------------------------------- */

/* Memory of ElastiCache node types, GiB (ElastiCache User Guide, "Supported
 * node types"). */
static const struct {
	const char *type;
	double gib;
} cache_nodes[] = {
    {"cache.t3.micro", 0.5},       {"cache.t3.small", 1.37},       {"cache.t3.medium", 3.09},
    {"cache.t4g.micro", 0.5},      {"cache.t4g.small", 1.37},      {"cache.t4g.medium", 3.09},
    {"cache.m5.large", 6.38},      {"cache.m5.xlarge", 12.93},     {"cache.m5.2xlarge", 26.04},
    {"cache.m5.4xlarge", 52.26},   {"cache.m6g.large", 6.38},      {"cache.m6g.xlarge", 12.93},
    {"cache.m6g.2xlarge", 26.04},  {"cache.m6g.4xlarge", 52.26},   {"cache.m7g.large", 6.38},
    {"cache.m7g.xlarge", 12.93},   {"cache.m7g.2xlarge", 26.04},   {"cache.m7g.4xlarge", 52.26},
    {"cache.r5.large", 13.07},     {"cache.r5.xlarge", 26.32},     {"cache.r5.2xlarge", 52.82},
    {"cache.r5.4xlarge", 105.81},  {"cache.r6g.large", 13.07},     {"cache.r6g.xlarge", 26.32},
    {"cache.r6g.2xlarge", 52.82},  {"cache.r6g.4xlarge", 105.81},  {"cache.r7g.large", 13.07},
    {"cache.r7g.xlarge", 26.32},   {"cache.r7g.2xlarge", 52.82},   {"cache.r7g.4xlarge", 105.81},
    {"cache.r7g.8xlarge", 209.55}, {"cache.r7g.16xlarge", 419.09},
};

static void capacity_figures(const catalog *cat, const model *m, const rendered *r, analysis *a)
{
	capacity *c = &a->cap;
	c->max_tasks = c->users_per_task = c->users = c->db_users = c->cache_users = -1;
	c->max_acu = c->cache_node_gib = -1;
	c->cache_shards = 1;
	const render_resource *target = find_scalable_target(r, find_service(r));
	double v;
	if (target && num(rnode_get(target->props, "MaxCapacity"), &v))
		c->max_tasks = (long)v;
	else
		missing(a, "the ECS service's maximum tasks (ScalableTarget MaxCapacity)");
	/* users one task serves: the template's own figure, from a load test */
	static const char *const per_task[] = {"TaskSessionCapacity", "UsersPerTask"};
	for (size_t i = 0; i < 2 && c->users_per_task < 0; i++) {
		const char *s =
		    catalog_param(cat, per_task[i]) ? model_param_value(m, cat, per_task[i]) : NULL;
		long n;
		if (s && lms_parse_long(s, 1, (long)NUM_LIMIT, &n))
			c->users_per_task = n;
	}
	if (c->users_per_task < 0)
		missing(a, "users per task (parameter TaskSessionCapacity)");
	if (c->max_tasks >= 0 && c->users_per_task > 0)
		c->users = c->max_tasks * c->users_per_task;
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *res = &r->res[i];
		if (is_type(res, "AWS::RDS::DBCluster")) {
			const rnode *sc = rnode_get(res->props, "ServerlessV2ScalingConfiguration");
			if (num(rnode_get(sc, "MaxCapacity"), &v)) {
				c->max_acu = v;
				c->db_users = (long)(v * USERS_PER_ACU);
			}
		}
		if (is_type(res, "AWS::ElastiCache::ReplicationGroup")) {
			c->cache_node_type = rnode_str(rnode_get(res->props, "CacheNodeType"));
			if (num(rnode_get(res->props, "NumNodeGroups"), &v) && v >= 1)
				c->cache_shards = (long)v;
			for (size_t k = 0;
			     c->cache_node_type && k < sizeof(cache_nodes) / sizeof(cache_nodes[0]);
			     k++)
				if (strcmp(cache_nodes[k].type, c->cache_node_type) == 0)
					c->cache_node_gib = cache_nodes[k].gib;
		}
	}
	if (c->max_acu < 0)
		missing(a, "Aurora's maximum capacity (ServerlessV2ScalingConfiguration)");
	if (c->cache_node_gib < 0)
		missing(a, "the cache node type's memory");
	if (c->cache_node_gib > 0) {
		double usable =
		    c->cache_node_gib * (1 - CACHE_RESERVED_FRACTION) * c->cache_shards -
		    CACHE_APP_WORKING_SET_GIB;
		c->cache_users = usable > 0 ? (long)(usable * 1024 * 1024 / CACHE_KB_PER_USER) : 0;
	}
}

/* ---- database connections ---------------------------------------------- */

long sv2_max_connections(double min_acu, double max_acu)
{
	/* Aurora PostgreSQL rows of the table (analysis.h) */
	static const struct {
		double acu;
		long connections;
	} rows[] = {{1, 189}, {4, 823}, {8, 1669}, {16, 3360}, {32, 5000}};
	long n = -1;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (max_acu >= rows[i].acu)
			n = rows[i].connections;
	if (n > SV2_LOW_MIN_ACU_CAP && min_acu <= 0.5)
		n = SV2_LOW_MIN_ACU_CAP;
	return n;
}

/* max_connections set in a parameter group `ref` names; -1 none. */
static long group_max_connections(const rendered *r, const rnode *ref, const char **group)
{
	const render_resource *g = ref_target(r, ref);
	if (!is_type(g, "AWS::RDS::DBClusterParameterGroup") &&
	    !is_type(g, "AWS::RDS::DBParameterGroup"))
		return -1;
	double v;
	if (!num(rnode_get(rnode_get(g->props, "Parameters"), "max_connections"), &v) || v < 1)
		return -1;
	*group = g->id;
	return (long)v;
}

/* Aurora's max_connections: a parameter group's value (the lowest of the
 * cluster's and its instances'), else the Serverless v2 table. */
static void cluster_max_connections(const rendered *r, const render_resource *cluster,
                                    db_connections *c)
{
	const char *group = NULL;
	long set = group_max_connections(
	    r, rnode_get(cluster->props, "DBClusterParameterGroupName"), &group);
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *in = &r->res[i];
		const char *g = NULL;
		if (!is_type(in, "AWS::RDS::DBInstance") ||
		    !rnode_mentions(rnode_get(in->props, "DBClusterIdentifier"), cluster->id))
			continue;
		long v = group_max_connections(r, rnode_get(in->props, "DBParameterGroupName"), &g);
		if (v > 0 && (set < 0 || v < set)) {
			set = v;
			group = g;
		}
	}
	if (set > 0) {
		c->max_connections = set;
		c->max_from = lms_strdupf("max_connections of parameter group %s", group);
		return;
	}
	const rnode *sc = rnode_get(cluster->props, "ServerlessV2ScalingConfiguration");
	double min = 0.5, max;
	if (!num(rnode_get(sc, "MaxCapacity"), &max))
		return;
	num(rnode_get(sc, "MinCapacity"), &min);
	c->max_connections = sv2_max_connections(min, max);
	if (c->max_connections > 0)
		c->max_from = lms_strdupf("Aurora Serverless v2 default at %g-%g ACU", min, max);
}

/* LMS_DB_POOL_SIZE of the service's task definition; -1 unknown. */
static long pool_size(const rendered *r, const render_resource *svc)
{
	const render_resource *td =
	    ref_target(r, rnode_get(svc ? svc->props : NULL, "TaskDefinition"));
	const rnode *cds = rnode_get(td ? td->props : NULL, "ContainerDefinitions");
	long total = -1;
	for (size_t i = 0; cds && cds->kind == RN_SEQ && i < cds->n; i++) {
		const rnode *env = rnode_get(cds->kids[i], "Environment");
		for (size_t k = 0; env && env->kind == RN_SEQ && k < env->n; k++) {
			const char *name = rnode_str(rnode_get(env->kids[k], "Name"));
			double v;
			if (name && strcmp(name, "LMS_DB_POOL_SIZE") == 0 &&
			    num(rnode_get(env->kids[k], "Value"), &v) && v >= 0)
				total = (total < 0 ? 0 : total) + (long)v;
		}
	}
	return total;
}

static void connection_figures(const rendered *r, analysis *a)
{
	db_connections *c = &a->cap.conn;
	c->max_connections = c->allowed = c->per_task = c->demand = -1;
	c->percent = PROXY_DEFAULT_PERCENT;
	const render_resource *cluster = NULL;
	for (size_t i = 0; i < r->nres && !cluster; i++)
		if (is_type(&r->res[i], "AWS::RDS::DBCluster"))
			cluster = &r->res[i];
	if (!cluster)
		return; /* no database: nothing to size */
	c->database = true;
	cluster_max_connections(r, cluster, c);
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *tg = &r->res[i];
		if (!is_type(tg, "AWS::RDS::DBProxyTargetGroup") ||
		    !rnode_mentions(rnode_get(tg->props, "DBClusterIdentifiers"), cluster->id))
			continue;
		const render_resource *proxy = ref_target(r, rnode_get(tg->props, "DBProxyName"));
		c->proxy = proxy ? proxy->id : tg->id;
		num(rnode_get(rnode_get(tg->props, "ConnectionPoolConfigurationInfo"),
		              "MaxConnectionsPercent"),
		    &c->percent);
	}
	if (c->max_connections > 0)
		c->allowed = (long)floor((double)c->max_connections * c->percent / 100.0);
	else
		missing(a, "Aurora's max_connections (parameter group or Serverless v2 capacity)");
	c->per_task = pool_size(r, find_service(r));
	if (c->per_task < 0)
		missing(a, "database connections per task (LMS_DB_POOL_SIZE of the task)");
	else if (a->cap.max_tasks >= 0)
		c->demand = a->cap.max_tasks * c->per_task;
}

/* ---- AZ loss ------------------------------------------------------------ */

/* The AZ index of a subnet (Ref to an AWS::EC2::Subnet), -1 unknown. */
static long subnet_az(const rendered *r, const rnode *ref)
{
	const render_resource *s = ref_target(r, ref);
	if (!is_type(s, "AWS::EC2::Subnet"))
		return -1;
	return render_az_index(r, rnode_str(rnode_get(s->props, "AvailabilityZone")));
}

/* Bit set of the AZs of a list of subnet references; *unknown when one
 * could not be placed. */
static unsigned long subnets_azs(const rendered *r, const rnode *list, bool *unknown)
{
	unsigned long set = 0;
	for (size_t i = 0; list && list->kind == RN_SEQ && i < list->n; i++) {
		long az = subnet_az(r, list->kids[i]);
		if (az < 0 || az >= 32)
			*unknown = true;
		else
			set |= 1UL << az;
	}
	return set;
}

static int popcount(unsigned long x)
{
	int n = 0;
	for (; x; x &= x - 1)
		n++;
	return n;
}

static void tier_set(az_tier *t, long total, long remaining, tier_status s, char *note)
{
	t->total = total;
	t->remaining = remaining;
	t->status = s;
	free(t->note);
	t->note = note;
}

static void az_tasks(const rendered *r, const render_resource *svc, long k, az_tier *t)
{
	if (!svc) {
		tier_set(t, -1, -1, TIER_ABSENT, NULL);
		return;
	}
	const render_resource *target = find_scalable_target(r, svc);
	double min = -1;
	if (!target || !num(rnode_get(target->props, "MinCapacity"), &min))
		num(rnode_get(svc->props, "DesiredCount"), &min);
	bool unknown = false;
	unsigned long azs =
	    subnets_azs(r,
	                rnode_get(rnode_get(rnode_get(svc->props, "NetworkConfiguration"),
	                                    "AwsvpcConfiguration"),
	                          "Subnets"),
	                &unknown);
	int n = popcount(azs);
	if (min < 0 || unknown || n == 0) {
		tier_set(t, (long)min, -1, TIER_UNKNOWN,
		         lms_strdupf("tasks' AZs or minimum unknown"));
		return;
	}
	long total = (long)min;
	if (!(azs & (1UL << k))) {
		tier_set(t, total, total, TIER_OK, NULL);
		return;
	}
	long lost = (total + n - 1) / n; /* spread evenly; the worst AZ */
	long left = total - lost;
	tier_set(t, total, left, left > 0 ? TIER_DEGRADED : TIER_DOWN,
	         left > 0 ? lms_strdupf("%ld of %ld minimum tasks; ECS starts replacements in the "
	                                "other AZ(s)",
	                                left, total)
	                  : lms_strdupf("every task ran in this AZ"));
}

static void az_nat(const rendered *r, long k, az_tier *t)
{
	long total = 0, left = 0;
	bool unknown = false;
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *nat = &r->res[i];
		if (!is_type(nat, "AWS::EC2::NatGateway"))
			continue;
		total++;
		long az = subnet_az(r, rnode_get(nat->props, "SubnetId"));
		if (az < 0)
			unknown = true;
		else if (az != k)
			left++;
	}
	if (!total) {
		tier_set(t, 0, 0, TIER_ABSENT, NULL);
		return;
	}
	if (unknown) {
		tier_set(t, total, -1, TIER_UNKNOWN, NULL);
		return;
	}
	/* surviving subnets whose default route goes through a NAT in AZ k */
	buf stranded;
	buf_init(&stranded, 0);
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *route = &r->res[i];
		if (!is_type(route, "AWS::EC2::Route"))
			continue;
		const render_resource *nat = ref_target(r, rnode_get(route->props, "NatGatewayId"));
		if (!nat || subnet_az(r, rnode_get(nat->props, "SubnetId")) != k)
			continue;
		const char *rt = rnode_ref(rnode_get(route->props, "RouteTableId"), NULL);
		for (size_t j = 0; rt && j < r->nres; j++) {
			const render_resource *as = &r->res[j];
			const char *of = rnode_ref(rnode_get(as->props, "RouteTableId"), NULL);
			if (!is_type(as, "AWS::EC2::SubnetRouteTableAssociation") || !of ||
			    strcmp(of, rt) != 0)
				continue;
			long az = subnet_az(r, rnode_get(as->props, "SubnetId"));
			if (az >= 0 && az != k) {
				const char *sid = rnode_ref(rnode_get(as->props, "SubnetId"), NULL);
				buf_addf(&stranded, "%s%s", stranded.len ? ", " : "",
				         sid ? sid : "?");
			}
		}
	}
	if (stranded.len)
		tier_set(
		    t, total, left, TIER_DOWN,
		    lms_strdupf("%s lose Internet egress: their route goes through this AZ's NAT",
		                buf_cstr(&stranded)));
	else
		tier_set(t, total, left, left < total ? TIER_DEGRADED : TIER_OK,
		         left < total ? lms_strdupf("only this AZ's own subnets used its NAT")
		                      : NULL);
	buf_free(&stranded);
}

static void az_database(const rendered *r, long k, az_tier *t)
{
	long total = 0, left = 0;
	bool writer_lost = false, unknown = false, any_cluster = false;
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *res = &r->res[i];
		any_cluster = any_cluster || is_type(res, "AWS::RDS::DBCluster");
		if (!is_type(res, "AWS::RDS::DBInstance"))
			continue;
		total++;
		long az = render_az_index(r, rnode_str(rnode_get(res->props, "AvailabilityZone")));
		double tier = 1;
		bool writer =
		    num(rnode_get(res->props, "PromotionTier"), &tier) ? tier == 0 : total == 1;
		if (az < 0)
			unknown = true;
		else if (az != k)
			left++;
		else if (writer)
			writer_lost = true;
	}
	if (!total) {
		tier_set(t, 0, 0, any_cluster ? TIER_DOWN : TIER_ABSENT,
		         any_cluster ? lms_strdupf("the cluster has no instance") : NULL);
		return;
	}
	if (unknown) {
		tier_set(t, total, -1, TIER_UNKNOWN, lms_strdupf("instances not pinned to an AZ"));
		return;
	}
	if (!left)
		tier_set(t, total, 0, TIER_DOWN, lms_strdupf("every instance was in this AZ"));
	else if (writer_lost)
		tier_set(t, total, left, TIER_DEGRADED,
		         lms_strdupf("the writer fails over to a reader (typically under 60 s)"));
	else
		tier_set(t, total, left, left < total ? TIER_DEGRADED : TIER_OK,
		         left < total ? lms_strdupf("a reader is lost; the writer serves") : NULL);
}

static void az_cache(const rendered *r, long k, az_tier *t)
{
	const render_resource *rg = NULL;
	for (size_t i = 0; i < r->nres && !rg; i++)
		if (is_type(&r->res[i], "AWS::ElastiCache::ReplicationGroup"))
			rg = &r->res[i];
	if (!rg) {
		tier_set(t, 0, 0, TIER_ABSENT, NULL);
		return;
	}
	double nodes = -1, replicas;
	if (!num(rnode_get(rg->props, "NumCacheClusters"), &nodes) &&
	    num(rnode_get(rg->props, "ReplicasPerNodeGroup"), &replicas))
		nodes = replicas + 1;
	if (nodes < 0)
		nodes = 1;
	/* where the nodes are: PreferredCacheClusterAZs, else spread over the
	 * subnet group's AZs in order, primary first (ElastiCache places
	 * Multi-AZ nodes in different AZs; which one is primary is its choice) */
	long az_of[16];
	size_t count = nodes > 16 ? 16 : (size_t)nodes;
	const rnode *pref = rnode_get(rg->props, "PreferredCacheClusterAZs");
	bool unknown = false;
	if (pref && pref->kind == RN_SEQ && pref->n >= count) {
		for (size_t i = 0; i < count; i++) {
			az_of[i] = render_az_index(r, rnode_str(pref->kids[i]));
			unknown = unknown || az_of[i] < 0;
		}
	} else {
		const render_resource *sg =
		    ref_target(r, rnode_get(rg->props, "CacheSubnetGroupName"));
		bool u = false;
		unsigned long azs = sg ? subnets_azs(r, rnode_get(sg->props, "SubnetIds"), &u) : 0;
		long list[32];
		size_t n = 0;
		for (long b = 0; b < 32; b++)
			if (azs & (1UL << b))
				list[n++] = b;
		if (!n || u) {
			tier_set(t, (long)nodes, -1, TIER_UNKNOWN,
			         lms_strdupf("nodes' AZs unknown"));
			return;
		}
		for (size_t i = 0; i < count; i++)
			az_of[i] = list[i % n];
	}
	if (unknown) {
		tier_set(t, (long)nodes, -1, TIER_UNKNOWN, lms_strdupf("nodes' AZs unknown"));
		return;
	}
	long left = 0;
	for (size_t i = 0; i < count; i++)
		left += az_of[i] != k;
	bool primary_lost = count > 0 && az_of[0] == k;
	bool failover = rnode_bool(rnode_get(rg->props, "AutomaticFailoverEnabled")) == 1;
	if (!left)
		tier_set(t, (long)count, 0, TIER_DOWN, lms_strdupf("every node was in this AZ"));
	else if (primary_lost && !failover)
		tier_set(t, (long)count, left, TIER_DOWN,
		         lms_strdupf("the primary is lost and automatic failover is off"));
	else if (primary_lost)
		tier_set(
		    t, (long)count, left, TIER_DEGRADED,
		    lms_strdupf("a replica is promoted (a few seconds); assumed primary in the "
		                "first AZ"));
	else
		tier_set(t, (long)count, left, left < (long)count ? TIER_DEGRADED : TIER_OK,
		         left < (long)count ? lms_strdupf("a replica is lost") : NULL);
}

static void az_files(const rendered *r, const render_resource *svc, long k, az_tier *t)
{
	long total = 0, left = 0;
	unsigned long mt_azs = 0;
	bool unknown = false;
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *mt = &r->res[i];
		if (!is_type(mt, "AWS::EFS::MountTarget"))
			continue;
		total++;
		long az = subnet_az(r, rnode_get(mt->props, "SubnetId"));
		if (az < 0 || az >= 32) {
			unknown = true;
			continue;
		}
		mt_azs |= 1UL << az;
		left += az != k;
	}
	if (!total) {
		tier_set(t, 0, 0, TIER_ABSENT, NULL);
		return;
	}
	if (unknown) {
		tier_set(t, total, -1, TIER_UNKNOWN, NULL);
		return;
	}
	/* tasks in a surviving AZ without a mount target there cannot mount */
	bool u = false;
	unsigned long task_azs =
	    svc ? subnets_azs(r,
	                      rnode_get(rnode_get(rnode_get(svc->props, "NetworkConfiguration"),
	                                          "AwsvpcConfiguration"),
	                                "Subnets"),
	                      &u)
	        : 0;
	unsigned long orphan = task_azs & ~mt_azs & ~(1UL << k);
	if (!left)
		tier_set(t, total, 0, TIER_DOWN, lms_strdupf("every mount target was in this AZ"));
	else if (orphan)
		tier_set(t, total, left, TIER_DOWN,
		         lms_strdupf(
		             "tasks in an AZ without a mount target cannot mount the file system"));
	else
		tier_set(t, total, left, left < total ? TIER_DEGRADED : TIER_OK, NULL);
}

static void az_alb(const rendered *r, long k, az_tier *t)
{
	const render_resource *lb = NULL;
	for (size_t i = 0; i < r->nres && !lb; i++)
		if (is_type(&r->res[i], "AWS::ElasticLoadBalancingV2::LoadBalancer"))
			lb = &r->res[i];
	if (!lb) {
		tier_set(t, 0, 0, TIER_ABSENT, NULL);
		return;
	}
	bool unknown = false;
	unsigned long azs = subnets_azs(r, rnode_get(lb->props, "Subnets"), &unknown);
	if (unknown || !azs) {
		tier_set(t, -1, -1, TIER_UNKNOWN, NULL);
		return;
	}
	long total = popcount(azs), left = popcount(azs & ~(1UL << k));
	tier_set(t, total, left,
	         !left          ? TIER_DOWN
	         : left < total ? TIER_DEGRADED
	                        : TIER_OK,
	         left && left < total ? lms_strdupf("nodes in the other AZ(s) serve") : NULL);
}

static void az_loss_table(const rendered *r, analysis *a)
{
	/* the AZs the subnets use */
	long naz = 0;
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *s = &r->res[i];
		if (!is_type(s, "AWS::EC2::Subnet"))
			continue;
		long az = render_az_index(r, rnode_str(rnode_get(s->props, "AvailabilityZone")));
		if (az >= 0 && az < 32 && az + 1 > naz)
			naz = az + 1;
	}
	if (!naz) {
		missing(a, "subnets placed in known AZs (Fn::GetAZs for the region)");
		return;
	}
	a->az = calloc((size_t)naz, sizeof(az_loss));
	if (!a->az)
		return;
	a->naz = (size_t)naz;
	const render_resource *svc = find_service(r);
	for (long k = 0; k < naz; k++) {
		az_loss *l = &a->az[k];
		l->az = r->azs[k];
		for (size_t i = 0; i < AZ_TIERS; i++)
			l->tiers[i].tier = tier_names[i];
		az_tasks(r, svc, k, &l->tiers[0]);
		az_nat(r, k, &l->tiers[1]);
		az_database(r, k, &l->tiers[2]);
		az_cache(r, k, &l->tiers[3]);
		az_files(r, svc, k, &l->tiers[4]);
		az_alb(r, k, &l->tiers[5]);
		for (size_t i = 0; i < AZ_TIERS; i++)
			l->stops = l->stops || l->tiers[i].status == TIER_DOWN;
	}
}

/* ---- account-wide shares ------------------------------------------------ */

static void shared_figures(const catalog *cat, const model *m, const rendered *r, analysis *a)
{
	account_shares *s = &a->shared;
	const char *own = catalog_param(cat, "AccountSettingsOwner")
	                      ? model_param_value(m, cat, "AccountSettingsOwner")
	                      : NULL;
	s->known = own != NULL;
	s->owner = own && strcmp(own, "true") == 0;
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *res = &r->res[i];
		s->api_account = s->api_account || is_type(res, "AWS::ApiGateway::Account");
		s->trail = s->trail || is_type(res, "AWS::CloudTrail::Trail");
		s->eips += is_type(res, "AWS::EC2::EIP");
	}
}

void analysis_run(const catalog *cat, const model *m, const rendered *r, analysis *out)
{
	memset(out, 0, sizeof(*out));
	timeline(r, out);
	capacity_figures(cat, m, r, out);
	connection_figures(r, out);
	shared_figures(cat, m, r, out);
	az_loss_table(r, out);
}

void analysis_free(analysis *a)
{
	for (size_t i = 0; i < a->timeline.nterms; i++)
		free(a->timeline.terms[i].from);
	for (size_t i = 0; i < a->naz; i++)
		for (size_t t = 0; t < AZ_TIERS; t++)
			free(a->az[i].tiers[t].note);
	free(a->az);
	free(a->cap.conn.max_from);
	for (size_t i = 0; i < a->nmissing; i++)
		free(a->missing[i]);
	free(a->missing);
	memset(a, 0, sizeof(*a));
}

/* SCL003: even if every connection of every task is pinned to a database
 * connection, they fit in what the proxy may open. */
static void connection_rule(bool prod, const db_connections *c, findings *out)
{
	if (!c->database)
		return;
	if (c->demand < 0 || c->allowed < 0) {
		if (prod)
			findings_add(out, "SCL003", SEV_WARNING, "", "see lmsctl report",
			             "database connections at the maximum task count unknown: an "
			             "input is missing");
		return;
	}
	if (c->demand <= c->allowed)
		return;
	findings_add(out, "SCL003", prod ? SEV_ERROR : SEV_WARNING, "DatabaseConnectionsPerTask",
	             "lower DatabaseConnectionsPerTask or ServiceMaxTasks, or raise "
	             "DatabaseMaxCapacity (max_connections grows to 5,000 at 32 ACU)",
	             "%ld connections at the maximum task count exceed the %ld %s may open "
	             "(%g%% of max_connections %ld, %s)",
	             c->demand, c->allowed, c->proxy ? c->proxy : "the tasks (no RDS Proxy)",
	             c->percent, c->max_connections, c->max_from ? c->max_from : "");
}

void analysis_rules(const model *m, const analysis *a, findings *out)
{
	const char *env = model_get(m, "environment");
	bool prod = env && strcmp(env, "prod") == 0;
	const scale_timeline *t = &a->timeline;
	if (t->known && t->total > SCALE_TARGET_SECONDS) {
		buf over;
		buf_init(&over, 0);
		for (size_t i = 0; i < t->nterms; i++)
			if (t->terms[i].seconds > t->terms[i].budget)
				buf_addf(&over, "%s%s %g s (share %g s)", over.len ? ", " : "",
				         t->terms[i].name, t->terms[i].seconds, t->terms[i].budget);
		findings_add(out, "SCL001", prod ? SEV_ERROR : SEV_WARNING, "",
		             "a step policy on a one-datapoint 10-s alarm of the high-resolution "
		             "metric, health checks 5 s x 2, or pre-scaling for known peaks",
		             "new capacity takes %.0f s from a load step (%s), over the %.0f s "
		             "budget (the request allows %.0f s); over their share: %s",
		             t->total, t->policy ? t->policy : "?", SCALE_TARGET_SECONDS,
		             REQUEST_TARGET_SECONDS, over.len ? buf_cstr(&over) : "none");
		buf_free(&over);
	} else if (!t->known && prod) {
		buf miss;
		buf_init(&miss, 0);
		for (size_t i = 0; i < a->nmissing; i++)
			buf_addf(&miss, "%s%s", i ? "; " : "", a->missing[i]);
		findings_add(out, "SCL001", SEV_WARNING, "", "see lmsctl report",
		             "the scale-out timeline cannot be computed: missing %s",
		             buf_cstr(&miss));
		buf_free(&miss);
	}
	connection_rule(prod, &a->cap.conn, out);
	if (prod) {
		const capacity *c = &a->cap;
		struct {
			long users;
			const char *what, *hint, *field;
		} figures[] = {
		    {c->users, "tasks", "raise ServiceMaxTasks (and the Fargate vCPU quota)",
		     "ServiceMaxTasks"},
		    {c->db_users, "Aurora", "raise DatabaseMaxCapacity", "DatabaseMaxCapacity"},
		    {c->cache_users, "the cache", "choose a larger CacheNodeType", "CacheNodeType"},
		};
		for (size_t i = 0; i < 3; i++) {
			if (figures[i].users < 0)
				findings_add(out, "SCL002", SEV_WARNING, "", "see lmsctl report",
				             "capacity of %s unknown: an input is missing",
				             figures[i].what);
			else if (figures[i].users < CAPACITY_TARGET_USERS)
				findings_add(
				    out, "SCL002", SEV_ERROR, figures[i].field, figures[i].hint,
				    "%s: about %ld concurrent users at most, under the "
				    "%ld required (rule of thumb: docs/report.md)",
				    figures[i].what, figures[i].users, CAPACITY_TARGET_USERS);
		}
		for (size_t i = 0; i < a->naz; i++) {
			if (!a->az[i].stops)
				continue;
			buf tiers;
			buf_init(&tiers, 0);
			for (size_t k = 0; k < AZ_TIERS; k++)
				if (a->az[i].tiers[k].status == TIER_DOWN)
					buf_addf(&tiers, "%s%s (%s)", tiers.len ? ", " : "",
					         a->az[i].tiers[k].tier,
					         a->az[i].tiers[k].note ? a->az[i].tiers[k].note
					                                : "");
			findings_add(
			    out, "AZL001", SEV_ERROR, "",
			    "spread every tier over the AZs (NAT per AZ, reader and replicas "
			    "in other AZs, a mount target per AZ)",
			    "losing %s stops: %s", a->az[i].az, buf_cstr(&tiers));
			buf_free(&tiers);
		}
	}
}

/* ---- update safety ------------------------------------------------------ */

typedef struct co_type {
	char *type;
	char **paths; /* "A/B" (a level may be "*"), without "/properties/" */
	size_t npaths;
	char **conditional;
	size_t nconditional;
} co_type;

struct create_only {
	co_type *types;
	size_t n;
};

static void co_type_free(co_type *t)
{
	free(t->type);
	for (size_t i = 0; i < t->npaths; i++)
		free(t->paths[i]);
	for (size_t i = 0; i < t->nconditional; i++)
		free(t->conditional[i]);
	free(t->paths);
	free(t->conditional);
}

void create_only_free(create_only *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->n; i++)
		co_type_free(&db->types[i]);
	free(db->types);
	free(db);
}

static bool load_paths(json_t *arr, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!arr)
		return true;
	if (!json_is_array(arr))
		return false;
	*out = calloc(json_array_size(arr) + 1, sizeof(char *));
	if (!*out)
		return false;
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		const char *s = json_string_value(v);
		if (!s)
			return false;
		/* a path that failed to copy fails the load: no hole in the table */
		(*out)[*n] = strdup(s);
		if (!(*out)[*n])
			return false;
		(*n)++;
	}
	return true;
}

create_only *create_only_load(const char *path, lms_error *err)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	if (!root) {
		lms_error_set(err, path, (size_t)(jerr.line > 0 ? jerr.line : 0),
		              (size_t)(jerr.column > 0 ? jerr.column : 0), "%s", jerr.text);
		return NULL;
	}
	json_t *types = json_object_get(root, "types");
	create_only *db = calloc(1, sizeof(*db));
	if (!db || !json_is_object(types)) {
		lms_error_set(err, path, 0, 0, "no \"types\" object: not a create-only data file");
		json_decref(root);
		free(db);
		return NULL;
	}
	db->types = calloc(json_object_size(types) + 1, sizeof(co_type));
	const char *key;
	json_t *v;
	bool ok = db->types != NULL;
	json_object_foreach(types, key, v)
	{
		if (!ok)
			break;
		co_type *t = &db->types[db->n++];
		t->type = strdup(key);
		ok = t->type &&
		     load_paths(json_object_get(v, "createOnly"), &t->paths, &t->npaths) &&
		     load_paths(json_object_get(v, "conditionalCreateOnly"), &t->conditional,
		                &t->nconditional);
	}
	json_decref(root);
	if (!ok) {
		lms_error_set(err, path, 0, 0, "malformed create-only data file");
		create_only_free(db);
		return NULL;
	}
	return db;
}

static const co_type *co_find(const create_only *db, const char *type)
{
	for (size_t i = 0; db && type && i < db->n; i++)
		if (strcmp(db->types[i].type, type) == 0)
			return &db->types[i];
	return NULL;
}

bool create_only_has_type(const create_only *db, const char *type)
{
	return co_find(db, type) != NULL;
}

bool type_is_stateful(const char *type)
{
	/* the one list: the review (lmsctl deploy, the console) and the update analysis */
	static const char *const stateful[] = {
	    "AWS::RDS::DBCluster",
	    "AWS::RDS::DBInstance",
	    "AWS::ElastiCache::ReplicationGroup",
	    "AWS::ElastiCache::CacheCluster",
	    "AWS::ElastiCache::ServerlessCache",
	    "AWS::EFS::FileSystem",
	    "AWS::S3::Bucket",
	    "AWS::DynamoDB::Table",
	    "AWS::Kinesis::Stream",
	    "AWS::KinesisFirehose::DeliveryStream",
	    "AWS::KMS::Key",
	    "AWS::SecretsManager::Secret",
	    "AWS::Logs::LogGroup",
	    "AWS::ECR::Repository",
	    "AWS::Cognito::UserPool",
	    "AWS::SQS::Queue",
	    "AWS::OpenSearchService::Domain",
	    "AWS::DocDB::DBCluster",
	    "AWS::Neptune::DBCluster",
	    "AWS::Backup::BackupVault",
	    "AWS::MemoryDB::Cluster",
	};
	for (size_t i = 0; type && i < sizeof(stateful) / sizeof(stateful[0]); i++)
		if (strcmp(type, stateful[i]) == 0)
			return true;
	return false;
}

const char *update_kind_name(update_kind k)
{
	switch (k) {
	case UPD_REPLACE:
		return "replace";
	case UPD_MAY_REPLACE:
		return "may replace";
	case UPD_ADD:
		return "add";
	case UPD_REMOVE:
		return "remove";
	}
	return "?";
}

static bool same_node(const rnode *a, const rnode *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || (a->fn == NULL) != (b->fn == NULL) ||
	    (a->fn && strcmp(a->fn, b->fn) != 0))
		return false;
	if (a->kind == RN_SCALAR)
		return strcmp(a->str, b->str) == 0;
	if (a->n != b->n)
		return false;
	size_t slots = a->kind == RN_MAP ? 2 * a->n : a->n;
	for (size_t i = 0; i < slots; i++)
		if (!same_node(a->kids[i], b->kids[i]))
			return false;
	return true;
}

/* The node at a create-only path ("A/B"; a "*" level stops the walk, so
 * the whole list there is compared). */
static const rnode *at_path(const rnode *props, const char *path)
{
	const rnode *n = props;
	const char *p = path;
	while (n && *p) {
		size_t len = strcspn(p, "/");
		if (len == 1 && p[0] == '*')
			return n;
		char key[256];
		if (len >= sizeof(key))
			return NULL;
		memcpy(key, p, len);
		key[len] = '\0';
		n = rnode_get(n, key);
		p += len;
		if (*p == '/')
			p++;
	}
	return n;
}

static bool plan_add(update_plan *p, const render_resource *res, update_kind kind, char *why)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].id, res->id) == 0) {
			if (kind == UPD_REPLACE && p->v[i].kind == UPD_MAY_REPLACE) {
				p->v[i].kind = UPD_REPLACE;
				free(p->v[i].why);
				p->v[i].why = why;
				return true;
			}
			free(why);
			return false;
		}
	if (!VEC_RESERVE(p->v, p->cap, p->n + 1)) {
		p->oom = true;
		free(why);
		return false;
	}
	p->v[p->n++] =
	    (update_change){NULL, res->id, res->type, kind, type_is_stateful(res->type), why};
	return true;
}

/* the main stack before the companions, then the companions by name */
static int cmp_stack(const char *x, const char *y)
{
	bool mx = strcmp(x, "main") == 0, my = strcmp(y, "main") == 0;
	if (mx != my)
		return mx ? -1 : 1;
	return strcmp(x, y);
}

static int cmp_change(const void *a, const void *b)
{
	const update_change *x = a, *y = b;
	int rx = x->kind == UPD_REPLACE || x->kind == UPD_REMOVE;
	int ry = y->kind == UPD_REPLACE || y->kind == UPD_REMOVE;
	if (x->stateful * 2 + rx != y->stateful * 2 + ry)
		return (y->stateful * 2 + ry) - (x->stateful * 2 + rx);
	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	int s = cmp_stack(x->stack, y->stack);
	return s ? s : strcmp(x->id, y->id);
}

/* One stack's plan, in `out` (zeroed here), its changes not tagged yet. */
static bool stack_plan(const create_only *db, const rendered *before, const rendered *after,
                       update_plan *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < after->nres; i++) {
		const render_resource *now = &after->res[i];
		const render_resource *was = render_find(before, now->id);
		if (!was) {
			plan_add(out, now, UPD_ADD, lms_strdupf("new in this model"));
			continue;
		}
		if (!now->type || !was->type || strcmp(now->type, was->type) != 0) {
			plan_add(out, now, UPD_REPLACE, lms_strdupf("its Type changes"));
			continue;
		}
		const co_type *co = co_find(db, now->type);
		buf why;
		buf_init(&why, 0);
		for (size_t k = 0; co && k < co->npaths; k++)
			if (!same_node(at_path(was->props, co->paths[k]),
			               at_path(now->props, co->paths[k])))
				buf_addf(&why, "%s%s", why.len ? ", " : "", co->paths[k]);
		if (why.len) {
			plan_add(out, now, UPD_REPLACE, buf_take(&why));
			continue;
		}
		for (size_t k = 0; co && k < co->nconditional; k++)
			if (!same_node(at_path(was->props, co->conditional[k]),
			               at_path(now->props, co->conditional[k])))
				buf_addf(&why, "%s%s", why.len ? ", " : "", co->conditional[k]);
		if (why.len)
			plan_add(out, now, UPD_MAY_REPLACE, buf_take(&why));
		buf_free(&why);
	}
	for (size_t i = 0; i < before->nres; i++)
		if (!render_find(after, before->res[i].id))
			plan_add(out, &before->res[i], UPD_REMOVE,
			         lms_strdupf("not in this model"));
	/* a replaced resource gets a new id and ARN: a create-only property that
	 * refers to it changes too */
	for (bool changed = true; changed && !out->oom;) {
		changed = false;
		for (size_t i = 0; i < after->nres; i++) {
			const render_resource *res = &after->res[i];
			const co_type *co = co_find(db, res->type);
			for (size_t k = 0; co && k < co->npaths; k++) {
				const rnode *v = at_path(res->props, co->paths[k]);
				for (size_t c = 0; v && c < out->n; c++) {
					if (out->v[c].kind != UPD_REPLACE ||
					    strcmp(out->v[c].id, res->id) == 0 ||
					    !rnode_mentions(v, out->v[c].id))
						continue;
					if (plan_add(
					        out, res, UPD_REPLACE,
					        lms_strdupf("%s refers to %s, which is replaced",
					                    co->paths[k], out->v[c].id)))
						changed = true;
					break;
				}
			}
		}
	}
	return !out->oom;
}

bool update_safety_add(const create_only *db, const char *stack, const rendered *before,
                       const rendered *after, update_plan *out)
{
	update_plan one;
	bool ok = stack_plan(db, before, after, &one);
	if (ok && one.n && !VEC_RESERVE(out->v, out->cap, out->n + one.n))
		ok = false;
	if (!ok) {
		out->oom = true;
		update_plan_free(&one);
		return false;
	}
	for (size_t i = 0; i < one.n; i++) {
		out->v[out->n] = one.v[i];
		out->v[out->n++].stack = stack;
	}
	free(one.v); /* the `why`s are out's now */
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(update_change), cmp_change);
	return !out->oom;
}

bool update_safety(const create_only *db, const rendered *before, const rendered *after,
                   update_plan *out)
{
	memset(out, 0, sizeof(*out));
	return update_safety_add(db, "main", before, after, out);
}

void update_plan_free(update_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].why);
	free(p->v);
	memset(p, 0, sizeof(*p));
}
