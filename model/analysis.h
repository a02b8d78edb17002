/* analysis: what the rendered template says about the platform as a whole.
 *
 *  - traps_check(): deploy and teardown failures cfn-lint does not catch
 *    (TRP001-TRP016), over the rendered template (traps.c);
 *  - analysis_run(): the scale-out timeline (seconds from a load step to
 *    healthy new capacity), the capacity figures against 50,000 users, and
 *    what remains of each tier when one AZ is lost; analysis_rules() turns
 *    them into findings (SCL001, SCL002, AZL001);
 *  - update_safety(): the resources a change of model would replace, from
 *    the resource provider schemas' createOnlyProperties
 *    (data/create-only.json, made by scripts/extract-create-only.py).
 *
 * Every figure that depends on an input the template does not have is
 * "unknown" (negative), and the inputs that were missing are listed. The
 * constants and rules of thumb are documented in docs/report.md. Strings
 * in the results are owned by the result (freed by its _free function) or
 * point into the rendered template. */
#ifndef LMSCTL_MODEL_ANALYSIS_H
#define LMSCTL_MODEL_ANALYSIS_H

#include "common/buf.h"
#include "common/error.h"
#include "model/catalog.h"
#include "model/findings.h"
#include "model/model.h"
#include "model/render/render.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- whole-template checks (traps.c) ---------------------------------- */

/* Adds a finding for every trap (TRP001-TRP016) in the rendered template. */
void traps_check(const catalog *cat, const model *m, const rendered *r, findings *out);

/* ---- scale-out timeline, capacity, AZ loss ------------------------------ */

/* Documented constants (docs/report.md, with their sources). */
/* The platform's budget: new capacity within one minute of a load step,
 * half the two minutes the request allows (the other half is margin). */
#define SCALE_TARGET_SECONDS 60.0
#define REQUEST_TARGET_SECONDS 120.0 /* the request: scale up within 2 minutes */
/* Fargate task from the scaling decision to RUNNING: AWS's ECS
 * high-resolution-metrics benchmark (June 2026) measured 86 s to the
 * scale-out trigger and 109 s to provisioned tasks, 23 s between them;
 * rounded up. A measured figure for a slim image, not a guarantee: measure
 * ours (docs/scaling.md). */
#define TASK_START_SECONDS 25.0
#define SCALING_ACTION_SECONDS 5.0 /* alarm state change to a new desired count */
/* How often CloudWatch evaluates an alarm: "If the alarm period is 10
 * seconds or 30 seconds, the alarm is evaluated every 10 seconds" (CloudWatch
 * User Guide, "Using Amazon CloudWatch alarms"); other alarms every minute.
 * A completed datapoint waits at most one interval, ingestion included. */
#define ALARM_EVAL_HIGH_RES_SECONDS 10.0
#define ALARM_EVAL_STANDARD_SECONDS 60.0
/* Each term's share of SCALE_TARGET_SECONDS (they add up to it). */
#define BUDGET_DETECTION 10.0
#define BUDGET_EVALUATION 10.0
#define BUDGET_HEALTH 10.0
#define TARGET_TRACKING_DATAPOINTS 3 /* AlarmHigh of target tracking: 3 of 3 */
#define CAPACITY_TARGET_USERS 50000L
#define USERS_PER_ACU 375L            /* 3,000 quiz users per 8 ACU (16 GiB) */
#define CACHE_KB_PER_USER 50.0        /* session and per-user cache */
#define CACHE_RESERVED_FRACTION 0.25  /* reserved memory left to the engine */
#define CACHE_APP_WORKING_SET_GIB 2.0 /* the LMS's shared application cache */

typedef struct timeline_term {
	const char *name; /* "detection", "alarm evaluation", ... */
	double seconds;
	double budget; /* its share of SCALE_TARGET_SECONDS */
	char *from;    /* where the figure comes from (template values or constant) */
} timeline_term;

#define TIMELINE_TERMS 6

typedef struct scale_timeline {
	bool known;
	double total;            /* seconds; -1 unknown */
	const char *service;     /* the ECS service's logical id */
	const char *policy;      /* the fastest scale-out policy's logical id */
	const char *policy_type; /* StepScaling, TargetTrackingScaling */
	timeline_term terms[TIMELINE_TERMS];
	size_t nterms;
	double scale_out_cooldown; /* shown, not added: a larger breach scales
	                            * out during the cooldown */
	double deregistration;     /* shown, not added: it drains on scale-in */
	bool scheduled;            /* exam windows pre-scale (0 s for known peaks) */
} scale_timeline;

/* Aurora PostgreSQL Serverless v2's default max_connections by maximum ACU
 * (Aurora User Guide, "Maximum connections for Aurora Serverless v2",
 * aurora-serverless-v2.setting-capacity.html#aurora-serverless-v2.max-connections):
 * a maximum between two rows counts as the lower one; a minimum of 0 or 0.5
 * ACU caps it at 2,000. The proxy keeps PROXY_DEFAULT_PERCENT of it unless
 * its target group says otherwise (RDS User Guide, "RDS Proxy connection
 * considerations", MaxConnectionsPercent). */
#define SV2_LOW_MIN_ACU_CAP 2000L
#define PROXY_DEFAULT_PERCENT 100.0

/* Database connections at the maximum task count (SCL003). */
typedef struct db_connections {
	bool database;        /* the template has an Aurora cluster */
	long max_connections; /* Aurora's max_connections; -1 unknown */
	char *max_from;       /* where it comes from (owned) */
	const char *proxy;    /* the RDS Proxy's logical id, NULL: none */
	double percent;       /* MaxConnectionsPercent; 100 without a proxy */
	long allowed;         /* max_connections x percent; -1 unknown */
	long per_task;        /* LMS_DB_POOL_SIZE of the task; -1 unknown */
	long demand;          /* max tasks x per task; -1 unknown */
} db_connections;

typedef struct capacity {
	long max_tasks;      /* -1 unknown */
	long users_per_task; /* the UsersPerTask parameter; -1 unknown */
	long users;          /* max tasks x users per task; -1 unknown */
	double max_acu;      /* -1 unknown */
	long db_users;       /* max ACU x USERS_PER_ACU; -1 unknown */
	const char *cache_node_type;
	double cache_node_gib; /* -1 unknown */
	long cache_shards;
	long cache_users; /* -1 unknown */
	db_connections conn;
} capacity;

typedef enum { TIER_OK, TIER_DEGRADED, TIER_DOWN, TIER_UNKNOWN, TIER_ABSENT } tier_status;

typedef struct az_tier {
	const char *tier; /* "tasks", "nat", "database", "cache", "file system", "load balancer" */
	long total;       /* before the loss; -1 unknown */
	long remaining;   /* after; -1 unknown */
	tier_status status;
	char *note;
} az_tier;

#define AZ_TIERS 6

typedef struct az_loss {
	const char *az; /* AZ name, or "AZ n" */
	az_tier tiers[AZ_TIERS];
	bool stops; /* some tier stops serving */
} az_loss;

/* Elastic IP addresses per account and region, the default quota (Amazon
 * VPC quotas): every environment's NAT gateways count against it. */
#define EIP_DEFAULT_QUOTA 5

/* What this environment shares with the other environments of its account
 * and region (docs/account-settings.md). */
typedef struct account_shares {
	bool known;       /* the template has AccountSettingsOwner */
	bool owner;       /* AccountSettingsOwner is true */
	bool api_account; /* the template sets AWS::ApiGateway::Account */
	bool trail;       /* the template creates a CloudTrail trail */
	long eips;        /* Elastic IPs the template allocates */
} account_shares;

typedef struct analysis {
	scale_timeline timeline;
	capacity cap;
	account_shares shared;
	az_loss *az;
	size_t naz;
	char **missing; /* inputs the template or model did not have */
	size_t nmissing;
} analysis;

void analysis_run(const catalog *cat, const model *m, const rendered *r, analysis *out);
void analysis_free(analysis *a);
/* SCL001 timeline above SCALE_TARGET_SECONDS, SCL002 capacity under 50,000 users, SCL003
 * database connections at the maximum task count beyond what the proxy
 * allows of Aurora's max_connections, AZL001 a tier stops when an AZ is
 * lost (errors in prod, warnings elsewhere). */
/* Aurora PostgreSQL Serverless v2's default max_connections for a capacity
 * range (the table above); -1 below 1 ACU. */
long sv2_max_connections(double min_acu, double max_acu);
void analysis_rules(const model *m, const analysis *a, findings *out);

const char *tier_status_name(tier_status s);

/* ---- update safety ------------------------------------------------------ */

typedef struct create_only create_only;

/* Loads data/create-only.json. */
create_only *create_only_load(const char *path, lms_error *err);
void create_only_free(create_only *db);
/* Whether the data file lists `type` (every type of the templates must be). */
bool create_only_has_type(const create_only *db, const char *type);

typedef enum { UPD_REPLACE, UPD_MAY_REPLACE, UPD_ADD, UPD_REMOVE } update_kind;

typedef struct update_change {
	const char *stack; /* the environment's stack: "main", or a companion's ("edge") */
	const char *id;
	const char *type;
	update_kind kind;
	bool stateful;
	char *why; /* the properties that force it, or the cause */
} update_change;

typedef struct update_plan {
	update_change *v;
	size_t n, cap;
	bool oom;
} update_plan;

/* The resources that the change from `before` to `after` replaces (their
 * changed properties are create-only, or a replaced resource they refer to
 * changes them), adds and removes; stateful ones flagged. Sorted: stateful
 * replacements first. The main stack's: each change's stack is "main". */
bool update_safety(const create_only *db, const rendered *before, const rendered *after,
                   update_plan *out);
/* The same for one stack of the environment (`stack`, kept by pointer: "main",
 * "edge"), its changes added to `out` (zeroed, or filled by this before) and
 * the whole plan sorted again: the stateful replacements of every stack
 * first, then by kind, stack (the main one first) and id. A logical id is
 * its stack's: the same id in two stacks is two resources. */
bool update_safety_add(const create_only *db, const char *stack, const rendered *before,
                       const rendered *after, update_plan *out);
void update_plan_free(update_plan *p);
const char *update_kind_name(update_kind k);
/* Whether a type holds data that a replacement loses. */
bool type_is_stateful(const char *type);

#endif
