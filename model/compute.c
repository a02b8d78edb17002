/* Compute and API rules: Fargate sizes, task counts, health checks, alarm
 * periods, API throttling and the exam-window schedules. They read the
 * template's resources by type, so they hold whatever the parameters are
 * called. */
#include "common/num.h"
#include "model/rules.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A property as rendered, and where the fragment writes it. */
typedef struct prop {
	const rnode *v;
	const ynode *at;
} prop;

static prop get(const rnode *map, const char *key)
{
	prop p;
	p.v = rule_prop(map, key, &p.at);
	return p;
}

/* Adds a finding about `p`: on its parameter when it has one, else on the
 * template position. */
static void report(const validate_ctx *ctx, const cat_entry *e, prop p, const char *rule,
                   severity sev, const char *hint, const char *msg)
{
	const char *field = rule_param_of(ctx, p.v);
	findings_add(ctx->out, rule, sev, field ? field : "", hint, "%s: %s", e->name, msg);
	if (!field)
		rule_at(ctx, e, p.at);
}

/* ---- CMP001: Fargate CPU and memory ------------------------------------ */

/* Task CPU units and memory MiB as ECS accepts them: "1024", "1 vCPU",
 * "2048", "2 GB". */
static long parse_units(const char *s, bool memory)
{
	if (!s)
		return -1;
	char *end;
	double v = strtod(s, &end);
	if (end == s || v <= 0)
		return -1;
	while (*end == ' ')
		end++;
	if (!*end)
		return (long)v;
	if (!memory && (strcmp(end, "vCPU") == 0 || strcmp(end, "vcpu") == 0))
		return (long)(v * 1024);
	if (memory && (strcmp(end, "GB") == 0 || strcmp(end, "gb") == 0))
		return (long)(v * 1024);
	return -1;
}

/* Fargate's task sizes (Amazon ECS Developer Guide, "Task CPU and memory"):
 * for each CPU value, the memory range and step in MiB. */
static const struct {
	long cpu, min, max, step;
} fargate_sizes[] = {
    {256, 512, 2048, 512}, /* 512, 1024, 2048 (1536 is not offered) */
    {512, 1024, 4096, 1024},   {1024, 2048, 8192, 1024},   {2048, 4096, 16384, 1024},
    {4096, 8192, 30720, 1024}, {8192, 16384, 61440, 4096}, {16384, 32768, 122880, 8192},
};

static bool fargate_ok(long cpu, long mem)
{
	for (size_t i = 0; i < sizeof(fargate_sizes) / sizeof(fargate_sizes[0]); i++) {
		if (fargate_sizes[i].cpu != cpu)
			continue;
		if (cpu == 256)
			return mem == 512 || mem == 1024 || mem == 2048;
		return mem >= fargate_sizes[i].min && mem <= fargate_sizes[i].max &&
		       (mem - fargate_sizes[i].min) % fargate_sizes[i].step == 0;
	}
	return false;
}

static void check_task_definition(const validate_ctx *ctx, const render_resource *res)
{
	const cat_entry *e = res->entry;
	const rnode *props = res->props;
	const rnode *compat = rnode_get(props, "RequiresCompatibilities");
	bool fargate = false;
	for (size_t i = 0; compat && compat->kind == RN_SEQ && !compat->fn && i < compat->n; i++) {
		const char *c = rnode_str(compat->kids[i]);
		fargate = fargate || (c && strcmp(c, "FARGATE") == 0);
	}
	if (!fargate)
		return;
	prop cn = get(props, "Cpu"), mn = get(props, "Memory");
	long cpu = parse_units(rnode_str(cn.v), false);
	long mem = parse_units(rnode_str(mn.v), true);
	if (cpu < 0 || mem < 0)
		return;
	if (!fargate_ok(cpu, mem)) {
		buf msg;
		buf_init(&msg, 0);
		buf_addf(&msg, "Fargate has no task size of %ld CPU units with %ld MiB", cpu, mem);
		report(ctx, e, rule_param_of(ctx, mn.v) ? mn : cn, "CMP001", SEV_ERROR,
		       "256: 512-2048; 512: 1024-4096; 1024: 2048-8192; 2048: 4096-16384; "
		       "4096: 8192-30720 (1024 steps); 8192: 16384-61440 (4096 steps); "
		       "16384: 32768-122880 (8192 steps)",
		       buf_cstr(&msg));
		buf_free(&msg);
	}
}

/* ---- CMP002/CMP003: task counts ---------------------------------------- */

static bool refers_to(const rnode *n, const char *logical_id)
{
	/* a ResourceId like !Sub 'service/${Cluster}/${Service.Name}' or a
	 * !Join, symbolic in the rendering; scanning its scalars for the id is
	 * enough here */
	if (!n)
		return false;
	if (n->kind == RN_SCALAR) {
		const char *p = strstr(n->str, logical_id);
		size_t len = strlen(logical_id);
		while (p) {
			bool left = p == n->str || !isalnum((unsigned char)p[-1]);
			bool right = !isalnum((unsigned char)p[len]);
			if (left && right)
				return true;
			p = strstr(p + 1, logical_id);
		}
		return false;
	}
	size_t count = n->kind == RN_MAP ? 2 * n->n : n->n;
	for (size_t i = 0; i < count; i++)
		if (refers_to(n->kids[i], logical_id))
			return true;
	return false;
}

static void check_counts(const validate_ctx *ctx)
{
	const rendered *r = ctx->r;
	long azs = 3;
	rule_long(ctx, "AvailabilityZoneCount", &azs);
	bool prod = strcmp(rule_env(ctx), "prod") == 0;
	for (size_t i = 0; i < r->nres; i++) {
		const cat_entry *e = r->res[i].entry;
		const char *type = r->res[i].type;
		if (!type || strcmp(type, "AWS::ApplicationAutoScaling::ScalableTarget") != 0)
			continue;
		const rnode *props = r->res[i].props;
		const char *ns = rnode_str(rnode_get(props, "ServiceNamespace"));
		if (!ns || strcmp(ns, "ecs") != 0)
			continue;
		prop min_n = get(props, "MinCapacity");
		prop max_n = get(props, "MaxCapacity");
		long min = -1, max = -1, desired = -1;
		rnode_long(min_n.v, &min);
		rnode_long(max_n.v, &max);
		if (min >= 0 && max >= 0 && min > max)
			report(ctx, e, min_n, "CMP002", SEV_ERROR,
			       "lower the minimum or raise the maximum",
			       "the minimum task count is above the maximum");
		/* the service this target scales */
		const rnode *rid = rnode_get(props, "ResourceId");
		for (size_t j = 0; j < r->nres; j++) {
			const cat_entry *s = r->res[j].entry;
			const char *st = r->res[j].type;
			if (!st || strcmp(st, "AWS::ECS::Service") != 0 || !refers_to(rid, s->name))
				continue;
			prop dn = get(r->res[j].props, "DesiredCount");
			if (rnode_long(dn.v, &desired) &&
			    ((min >= 0 && desired < min) || (max >= 0 && desired > max)))
				report(ctx, s, dn, "CMP002", SEV_ERROR,
				       "keep minimum <= desired <= maximum",
				       "the desired task count is outside the scaling range");
		}
		if (prod && min >= 0 && min < azs)
			report(
			    ctx, e, min_n, "CMP003", SEV_ERROR,
			    "keep at least one task per availability zone",
			    "prod runs fewer tasks than availability zones: losing the AZ of the "
			    "only task stops the LMS");
	}
}

/* ---- CMP004: health checks within the one-minute budget ---------------- */

/* The scale-out budget (SCALE_TARGET_SECONDS, 60 s): one 10-s datapoint,
 * 10 s of alarm evaluation, 5 s of scaling action and 25 s of Fargate task
 * start leave BUDGET_HEALTH (10 s) for the load balancer to see the task
 * healthy (analysis.h). */
#define HEALTH_BUDGET_SECONDS                                                                      \
	10L /* = BUDGET_HEALTH of analysis.h, whose header this file cannot include (its capacity  \
	       type) */

static void check_target_group(const validate_ctx *ctx, const render_resource *res)
{
	const cat_entry *e = res->entry;
	prop in = get(res->props, "HealthCheckIntervalSeconds");
	prop tn = get(res->props, "HealthyThresholdCount");
	long interval = 30, threshold = 5; /* the ALB defaults */
	if (in.v)
		rnode_long(in.v, &interval);
	if (tn.v)
		rnode_long(tn.v, &threshold);
	if (interval * threshold > HEALTH_BUDGET_SECONDS) {
		buf msg;
		buf_init(&msg, 0);
		buf_addf(
		    &msg,
		    "a new task needs %ld s of health checks (%ld s x %ld) before it serves; the "
		    "one-minute scale-out leaves %ld s",
		    interval * threshold, interval, threshold, HEALTH_BUDGET_SECONDS);
		report(ctx, e, in.v ? in : tn, "CMP004", SEV_ERROR,
		       "HealthCheckIntervalSeconds 5 and HealthyThresholdCount 2", buf_cstr(&msg));
		buf_free(&msg);
	}
}

/* ---- CMP005: alarm periods --------------------------------------------- */

static void check_period(const validate_ctx *ctx, const cat_entry *e, prop pn, const char *ns)
{
	long period;
	if (!pn.v || !rnode_long(pn.v, &period))
		return;
	/* AWS services publish one-minute (or coarser) metrics: a shorter
	 * period only ever sees missing data. Custom metrics may be
	 * high-resolution: PutMetricAlarm's Period "Valid values are 10, 20,
	 * 30, and any multiple of 60" (CloudWatch API Reference). */
	bool aws_metric = ns && strncmp(ns, "AWS/", 4) == 0;
	bool high_res = period == 10 || period == 20 || period == 30;
	if (period < 60 && (aws_metric || !high_res))
		report(ctx, e, pn, "CMP005", SEV_ERROR, "use a period of 60 s or a multiple of it",
		       aws_metric ? "alarm period under 60 s on a one-minute AWS metric"
		                  : "alarm period must be 10, 20, 30 or a multiple of 60 s");
	else if (period >= 60 && period % 60 != 0)
		report(ctx, e, pn, "CMP005", SEV_ERROR, "use a multiple of 60 s",
		       "alarm period above 60 s must be a multiple of 60");
}

static void check_alarm(const validate_ctx *ctx, const render_resource *res)
{
	const rnode *props = res->props;
	check_period(ctx, res->entry, get(props, "Period"),
	             rnode_str(rnode_get(props, "Namespace")));
	/* metric-math alarms carry a period per metric */
	const rnode *metrics = rnode_get(props, "Metrics");
	for (size_t i = 0; metrics && metrics->kind == RN_SEQ && !metrics->fn && i < metrics->n;
	     i++) {
		const rnode *stat = rnode_get(metrics->kids[i], "MetricStat");
		if (!stat)
			continue;
		const char *ns = rnode_str(rnode_get(rnode_get(stat, "Metric"), "Namespace"));
		check_period(ctx, res->entry, get(stat, "Period"), ns);
	}
}

/* ---- CMP006: API throttling -------------------------------------------- */

static void check_throttle(const validate_ctx *ctx, const cat_entry *e, const rnode *holder,
                           const char *rate_key, const char *burst_key)
{
	prop bn = get(holder, burst_key);
	const char *rs = rnode_str(rnode_get(holder, rate_key));
	long burst;
	if (!rs || !rnode_long(bn.v, &burst))
		return;
	double rate = strtod(rs, NULL);
	if ((double)burst < rate)
		report(ctx, e, bn, "CMP006", SEV_ERROR, "set the burst at or above the rate",
		       "the throttling burst is below the steady rate: every second would start "
		       "throttled");
}

static void check_api(const validate_ctx *ctx, const render_resource *res, const char *type)
{
	const rnode *props = res->props;
	if (strcmp(type, "AWS::ApiGateway::Stage") == 0) {
		const rnode *ms = rnode_get(props, "MethodSettings");
		for (size_t i = 0; ms && ms->kind == RN_SEQ && !ms->fn && i < ms->n; i++)
			check_throttle(ctx, res->entry, ms->kids[i], "ThrottlingRateLimit",
			               "ThrottlingBurstLimit");
	} else if (strcmp(type, "AWS::ApiGateway::UsagePlan") == 0) {
		check_throttle(ctx, res->entry, rnode_get(props, "Throttle"), "RateLimit",
		               "BurstLimit");
	}
}

/* ---- CMP007: schedules --------------------------------------------------- */

static bool field_ok(const char *f, long lo, long hi, const char *const *names, bool allow_q,
                     bool allow_lw)
{
	if (strcmp(f, "*") == 0 || (allow_q && strcmp(f, "?") == 0))
		return true;
	/* a list of items, each a value, range or step, with names allowed */
	const char *p = f;
	while (*p) {
		size_t n = strcspn(p, ",");
		char item[32];
		if (n == 0 || n >= sizeof(item))
			return false;
		memcpy(item, p, n);
		item[n] = '\0';
		p += n + (p[n] == ',');
		char *tok = item;
		if (allow_lw && (strcmp(tok, "L") == 0 || strcmp(tok, "LW") == 0))
			continue;
		char *slash = strchr(tok, '/');
		if (slash) {
			*slash = '\0';
			char *end;
			long step = strtol(slash + 1, &end, 10);
			if (*end || step <= 0)
				return false;
			if (strcmp(tok, "*") == 0)
				continue;
		}
		char *hash = allow_lw ? strchr(tok, '#') : NULL;
		if (hash)
			*hash = '\0';
		char *dash = strchr(tok, '-');
		char *parts[2] = {tok, dash ? dash + 1 : NULL};
		if (dash)
			*dash = '\0';
		for (int k = 0; k < 2 && parts[k]; k++) {
			char *v = parts[k];
			size_t len = strlen(v);
			if (allow_lw && len > 1 && (v[len - 1] == 'L' || v[len - 1] == 'W'))
				v[len - 1] = '\0';
			long x = -1;
			for (long j = 0; names && names[j]; j++)
				if (strcasecmp(v, names[j]) == 0)
					x = lo + j;
			if (x < 0) {
				char *end;
				x = strtol(v, &end, 10);
				if (end == v || *end)
					return false;
			}
			if (x < lo || x > hi)
				return false;
		}
	}
	return true;
}

/* Validates an Application Auto Scaling or EventBridge Scheduler
 * expression: at(yyyy-mm-ddThh:mm:ss), rate(N unit), or a six-field cron()
 * with exactly one of day-of-month and day-of-week set to '?'. Returns
 * NULL when valid, else why not. */
static const char *schedule_error(const char *s)
{
	size_t n = strlen(s);
	if (n < 6 || s[n - 1] != ')')
		return "expected at(...), rate(...) or cron(...)";
	if (strncmp(s, "at(", 3) == 0) {
		/* yyyy-mm-ddThh:mm:ss */
		const char *t = s + 3;
		if (n != 3 + 19 + 1 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' ||
		    t[16] != ':')
			return "at() takes yyyy-mm-ddThh:mm:ss";
		return NULL;
	}
	if (strncmp(s, "rate(", 5) == 0) {
		char *end;
		long v = strtol(s + 5, &end, 10);
		if (v <= 0 || *end != ' ')
			return "rate() takes a positive number and a unit";
		end++;
		size_t ul = strlen(end) - 1;
		static const char *const units[] = {"minute", "minutes", "hour",
		                                    "hours",  "day",     "days"};
		for (size_t i = 0; i < 6; i++)
			if (ul == strlen(units[i]) && strncmp(end, units[i], ul) == 0)
				return (v == 1) == (units[i][strlen(units[i]) - 1] != 's')
				           ? NULL
				           : "rate() uses the singular unit for 1 and the plural "
				             "otherwise";
		return "rate() units are minutes, hours or days";
	}
	if (strncmp(s, "cron(", 5) != 0)
		return "expected at(...), rate(...) or cron(...)";
	char *copy = strndup(s + 5, n - 6);
	if (!copy)
		return "out of memory";
	char *fields[7] = {0};
	size_t count = 0;
	char *save = NULL;
	for (char *f = strtok_r(copy, " ", &save); f; f = strtok_r(NULL, " ", &save))
		if (count < 7)
			fields[count++] = f;
	static const char *const months[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL",
	                                     "AUG", "SEP", "OCT", "NOV", "DEC", NULL};
	static const char *const days[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL};
	const char *why = NULL;
	if (count != 6)
		why = "cron() takes six fields: minutes hours day-of-month month day-of-week year";
	else if (!field_ok(fields[0], 0, 59, NULL, false, false))
		why = "cron() minutes must be 0-59";
	else if (!field_ok(fields[1], 0, 23, NULL, false, false))
		why = "cron() hours must be 0-23";
	else if (!field_ok(fields[2], 1, 31, NULL, true, true))
		why = "cron() day-of-month must be 1-31, ?, L or W";
	else if (!field_ok(fields[3], 1, 12, months, false, false))
		why = "cron() month must be 1-12 or JAN-DEC";
	else if (!field_ok(fields[4], 1, 7, days, true, true))
		why = "cron() day-of-week must be 1-7, SUN-SAT, ?, L or #";
	else if (!field_ok(fields[5], 1970, 2199, NULL, false, false))
		why = "cron() year must be 1970-2199";
	else if ((strcmp(fields[2], "?") == 0) == (strcmp(fields[4], "?") == 0))
		why = "cron() needs '?' in exactly one of day-of-month and day-of-week";
	free(copy);
	return why;
}

#define EXAM_TIMEZONE "Asia/Singapore"

static void check_schedule(const validate_ctx *ctx, const cat_entry *e, prop expr_n, prop tz_n)
{
	const char *expr = rnode_str(expr_n.v);
	if (expr) {
		const char *why = schedule_error(expr);
		if (why) {
			buf msg;
			buf_init(&msg, 0);
			buf_addf(&msg, "schedule '%s' is not valid: %s", expr, why);
			report(ctx, e, expr_n, "CMP007", SEV_ERROR,
			       "e.g. cron(30 6 ? * MON-FRI *) or at(2026-12-01T07:30:00)",
			       buf_cstr(&msg));
			buf_free(&msg);
		}
	}
	const char *tz = rnode_str(tz_n.v);
	if (expr && (!tz || strcmp(tz, EXAM_TIMEZONE) != 0))
		report(ctx, e, tz_n.v ? tz_n : expr_n, "CMP007", SEV_ERROR,
		       "set the time zone to Asia/Singapore",
		       tz ? "exam windows are set in Singapore time, not this time zone"
		          : "the schedule has no time zone: it would run in UTC, eight hours "
		            "off Singapore's exam times");
}

/* ---- CMP008-CMP010: the compute tier's own parameters ------------------ */

static bool value_double(const validate_ctx *ctx, const char *param, double *out)
{
	const char *v = catalog_param(ctx->cat, param) ? rule_value(ctx, param) : NULL;
	return lms_parse_double(v, out);
}

/* `lo <= mid <= hi` over three parameters; a finding on `mid` otherwise. */
static void check_between(const validate_ctx *ctx, const char *lo, const char *mid, const char *hi,
                          const char *what)
{
	double a, b, c;
	if (!value_double(ctx, lo, &a) || !value_double(ctx, mid, &b) || !value_double(ctx, hi, &c))
		return;
	if (b < a || b > c)
		findings_add(ctx->out, "CMP009", SEV_ERROR, mid, "keep it between the two",
		             "%s %g is outside %s %g .. %s %g: the exam window would %s", what, b,
		             lo, a, hi, c, b < a ? "lower capacity" : "ask for more than allowed");
}

static void check_compute_params(const validate_ctx *ctx)
{
	double capacity, target;
	if (value_double(ctx, "TaskSessionCapacity", &capacity) &&
	    value_double(ctx, "TargetSessionsPerTask", &target) && target >= capacity)
		findings_add(ctx->out, "CMP008", SEV_ERROR, "TargetSessionsPerTask",
		             "target about 70% of what a task can hold",
		             "the scaling target (%g sessions per task) leaves no headroom below "
		             "a task's capacity (%g): a surge overloads tasks before new ones "
		             "start",
		             target, capacity);
	check_between(ctx, "ServiceMinTasks", "ExamMinTasks", "ServiceMaxTasks",
	              "the exam-window task minimum");
	check_between(ctx, "DatabaseMinCapacity", "ExamDatabaseMinCapacity", "DatabaseMaxCapacity",
	              "the exam-window Aurora minimum");
	double exam_acu;
	if (value_double(ctx, "ExamDatabaseMinCapacity", &exam_acu) &&
	    (exam_acu * 2 != (double)(long)(exam_acu * 2)))
		findings_add(ctx->out, "CMP009", SEV_ERROR, "ExamDatabaseMinCapacity",
		             "use steps of 0.5 ACU", "%g ACU is not a Serverless v2 capacity",
		             exam_acu);
	/* CMP011: until new tasks serve, the minimum's headroom carries the
	 * surge (docs/scaling.md, the spare-capacity margin) */
	double min_tasks, surge;
	if (value_double(ctx, "ServiceMinTasks", &min_tasks) &&
	    value_double(ctx, "TaskSessionCapacity", &capacity) &&
	    value_double(ctx, "TargetSessionsPerTask", &target) &&
	    value_double(ctx, "SurgeStepUsers", &surge) &&
	    min_tasks * (capacity - target) < surge) {
		const char *env = model_get(ctx->m, "environment");
		bool prod = env && strcmp(env, "prod") == 0;
		findings_add(ctx->out, "CMP011", prod ? SEV_ERROR : SEV_WARNING, "ServiceMinTasks",
		             "raise ServiceMinTasks (a multiple of the AZs) or the headroom "
		             "(TaskSessionCapacity - TargetSessionsPerTask)",
		             "%g tasks x %g users of headroom absorb %g users while new tasks "
		             "start, under the surge step of %g (SurgeStepUsers)",
		             min_tasks, capacity - target, min_tasks * (capacity - target), surge);
	}
	/* the Fargate On-Demand vCPU quota is per account and region and
	 * adjustable; new accounts start low: say what the maximum needs */
	double max_tasks, cpu;
	if (value_double(ctx, "ServiceMaxTasks", &max_tasks) &&
	    value_double(ctx, "TaskCpu", &cpu) && cpu > 0)
		findings_add(ctx->out, "CMP010", SEV_INFO, "ServiceMaxTasks",
		             "check Service Quotas: Fargate On-Demand vCPU resource count",
		             "the maximum of %g tasks needs a Fargate vCPU quota of %g in this "
		             "region (plus other services' tasks)",
		             max_tasks, max_tasks * cpu / 1024);
}

void rule_compute(const validate_ctx *ctx)
{
	check_compute_params(ctx);
	const rendered *r = ctx->r;
	if (!r)
		return;
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *res = &r->res[i];
		const char *type = res->type;
		if (!type)
			continue;
		const rnode *props = res->props;
		if (strcmp(type, "AWS::ECS::TaskDefinition") == 0) {
			check_task_definition(ctx, res);
		} else if (strcmp(type, "AWS::ElasticLoadBalancingV2::TargetGroup") == 0) {
			check_target_group(ctx, res);
		} else if (strcmp(type, "AWS::CloudWatch::Alarm") == 0) {
			check_alarm(ctx, res);
		} else if (strncmp(type, "AWS::ApiGateway::", 17) == 0) {
			check_api(ctx, res, type);
		} else if (strcmp(type, "AWS::ApplicationAutoScaling::ScalableTarget") == 0) {
			const rnode *actions = rnode_get(props, "ScheduledActions");
			for (size_t j = 0;
			     actions && actions->kind == RN_SEQ && !actions->fn && j < actions->n;
			     j++) {
				const rnode *a = actions->kids[j];
				if (a && a->kind == RN_MAP && !a->fn)
					check_schedule(ctx, res->entry, get(a, "Schedule"),
					               get(a, "Timezone"));
			}
		} else if (strcmp(type, "AWS::Scheduler::Schedule") == 0) {
			check_schedule(ctx, res->entry, get(props, "ScheduleExpression"),
			               get(props, "ScheduleExpressionTimezone"));
		}
	}
	check_counts(ctx);
}
