/* Data-tier rules: Aurora capacity and backups, reader placement, cache
 * failover, deletion protection, and 30-day rotation of every secret. They
 * read the template's resources as they will be for the model: the
 * rendered template (render.h). */
#include "common/num.h"
#include "model/rules.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Aurora Serverless v2: capacity in 0.5-ACU steps, at most 256 ACU per
 * instance (RDS API ServerlessV2ScalingConfiguration). */
#define ACU_STEP 0.5
#define ACU_MAX 256.0
/* RDS BackupRetentionPeriod: 1 to 35 days for Aurora. */
#define BACKUP_MIN_DAYS 1
#define BACKUP_MAX_DAYS 35
/* The request: every credential rotates at least every 30 days. */
#define ROTATION_MAX_DAYS 30

static bool parse_acu(const char *s, double *out)
{
	return lms_parse_double(s, out);
}

static void check_cluster(const validate_ctx *ctx, const render_resource *res)
{
	const cat_entry *e = res->entry;
	const rnode *props = res->props;
	const rnode *scaling = rnode_get(props, "ServerlessV2ScalingConfiguration");
	if (scaling) {
		const rnode *min_n = rnode_get(scaling, "MinCapacity");
		const rnode *max_n = rnode_get(scaling, "MaxCapacity");
		double min = 0, max = 0;
		bool has_min = parse_acu(rnode_str(min_n), &min);
		bool has_max = parse_acu(rnode_str(max_n), &max);
		const char *min_field = rule_param_of(ctx, min_n),
		           *max_field = rule_param_of(ctx, max_n);
		if (has_min && (min < 0 || min > ACU_MAX || fmod(min, ACU_STEP) != 0)) {
			findings_add(ctx->out, "DAT001", SEV_ERROR, min_field ? min_field : "",
			             "0 (auto-pause) or 0.5 to 256 in steps of 0.5",
			             "%s minimum capacity %g ACU is not a Serverless v2 capacity",
			             e->name, min);
		}
		if (has_max && (max < 1 || max > ACU_MAX || fmod(max, ACU_STEP) != 0)) {
			findings_add(ctx->out, "DAT001", SEV_ERROR, max_field ? max_field : "",
			             "1 to 256 in steps of 0.5",
			             "%s maximum capacity %g ACU is not a Serverless v2 capacity",
			             e->name, max);
		}
		if (has_min && has_max && min > max)
			findings_add(ctx->out, "DAT001", SEV_ERROR, min_field ? min_field : "",
			             "lower the minimum or raise the maximum",
			             "%s minimum capacity %g ACU is above its maximum %g ACU",
			             e->name, min, max);
	}
	const ynode *backup_at;
	const rnode *backup = rule_prop(props, "BackupRetentionPeriod", &backup_at);
	long days;
	if (!backup) {
		findings_add(ctx->out, "DAT002", SEV_WARNING, "", "set BackupRetentionPeriod",
		             "%s relies on the default backup retention (1 day)", e->name);
		rule_at(ctx, e, NULL);
	} else if (rnode_long(backup, &days) &&
	           (days < BACKUP_MIN_DAYS || days > BACKUP_MAX_DAYS)) {
		const char *f = rule_param_of(ctx, backup);
		findings_add(ctx->out, "DAT002", SEV_ERROR, f ? f : "", "1 to 35 days",
		             "%s keeps backups %ld days; Aurora allows 1 to 35", e->name, days);
		if (!f)
			rule_at(ctx, e, backup_at);
	}
	bool prod = strcmp(rule_env(ctx), "prod") == 0;
	const ynode *protection_at;
	int protection = rnode_bool(rule_prop(props, "DeletionProtection", &protection_at));
	if (prod && protection != 1) {
		findings_add(
		    ctx->out, "DAT006", SEV_ERROR, "",
		    "keep DeletionProtection on in prod (DatabaseDeletionProtection true): "
		    "lmsctl destroy lifts it itself",
		    "%s has no deletion protection in prod", e->name);
		rule_at(ctx, e, protection_at);
	} else if (!prod && protection == 1) {
		findings_add(ctx->out, "DAT006", SEV_WARNING, "",
		             "turn it off outside prod: teardown takes one more stack update",
		             "%s has deletion protection outside prod: destroy must lift it "
		             "first",
		             e->name);
		rule_at(ctx, e, protection_at);
	}
}

/* Minutes of the week a window starts and lasts: "hh:mm-hh:mm" (daily,
 * `day` = -1) or "ddd:hh:mm-ddd:hh:mm" (weekly). */
static bool parse_clock(const char *s, int *minutes)
{
	if (strlen(s) < 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' ||
	    s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return false;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23)
		return false;
	*minutes = h * 60 + m;
	return true;
}

static int parse_day(const char *s)
{
	static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
	for (int i = 0; i < 7; i++)
		if (strncmp(s, days[i], 3) == 0 && s[3] == ':')
			return i;
	return -1;
}

#define WEEK_MINUTES (7 * 24 * 60)

/* A weekly window as start minute and length; false if malformed. */
static bool parse_weekly(const char *s, int *start, int *len)
{
	int d1 = parse_day(s), a, b;
	const char *dash = strchr(s, '-');
	if (d1 < 0 || !dash || !parse_clock(s + 4, &a))
		return false;
	int d2 = parse_day(dash + 1);
	if (d2 < 0 || !parse_clock(dash + 5, &b))
		return false;
	*start = d1 * 1440 + a;
	int end = d2 * 1440 + b;
	*len = ((end - *start) % WEEK_MINUTES + WEEK_MINUTES) % WEEK_MINUTES;
	return true;
}

static bool parse_daily(const char *s, int *start, int *len)
{
	int a, b;
	if (strlen(s) != 11 || s[5] != '-' || !parse_clock(s, &a) || !parse_clock(s + 6, &b))
		return false;
	*start = a;
	*len = ((b - a) % 1440 + 1440) % 1440;
	return true;
}

static bool intervals_meet(int a, int alen, int b, int blen)
{
	/* on the week's circle: does [a, a+alen) meet [b, b+blen)? */
	int d = ((b - a) % WEEK_MINUTES + WEEK_MINUTES) % WEEK_MINUTES;
	int e = ((a - b) % WEEK_MINUTES + WEEK_MINUTES) % WEEK_MINUTES;
	return d < alen || e < blen;
}

/* DAT007: RDS needs a backup window of 30 minutes or more that does not
 * overlap the weekly maintenance window (CreateDBCluster API). */
static void check_windows(const validate_ctx *ctx, const render_resource *res)
{
	const rnode *props = res->props;
	const rnode *bn = rnode_get(props, "PreferredBackupWindow");
	const rnode *mn = rnode_get(props, "PreferredMaintenanceWindow");
	const char *backup = rnode_str(bn), *maint = rnode_str(mn);
	const char *bfield = rule_param_of(ctx, bn), *mfield = rule_param_of(ctx, mn);
	int bs = 0, bl = 0, ms = 0, ml = 0;
	bool bok = backup && parse_daily(backup, &bs, &bl);
	bool mok = maint && parse_weekly(maint, &ms, &ml);
	if (bok && bl < 30)
		findings_add(ctx->out, "DAT007", SEV_ERROR, bfield ? bfield : "",
		             "make the window 30 minutes or longer",
		             "backup window %s is shorter than the 30 minutes RDS requires",
		             backup);
	if (mok && ml < 30)
		findings_add(ctx->out, "DAT007", SEV_ERROR, mfield ? mfield : "",
		             "make the window 30 minutes or longer",
		             "maintenance window %s is shorter than the 30 minutes RDS requires",
		             maint);
	if (!bok || !mok)
		return;
	for (int day = 0; day < 7; day++) {
		if (intervals_meet(day * 1440 + bs, bl, ms, ml)) {
			findings_add(
			    ctx->out, "DAT007", SEV_ERROR, bfield ? bfield : "",
			    "move one of the windows",
			    "backup window %s overlaps the maintenance window %s, which RDS "
			    "rejects",
			    backup, maint);
			return;
		}
	}
}

/* DAT008: the cache engine and version belong together: Redis OSS ends at
 * 7.1, Valkey starts at 7.2 (ElastiCache supported engine versions). */
static void check_cache_version(const validate_ctx *ctx, const render_resource *res)
{
	const cat_entry *e = res->entry;
	const rnode *props = res->props;
	const rnode *vn = rnode_get(props, "EngineVersion");
	const char *engine = rnode_str(rnode_get(props, "Engine"));
	const char *version = rnode_str(vn);
	if (!engine || !version)
		return;
	char *end;
	long major = strtol(version, &end, 10);
	long minor = *end == '.' ? strtol(end + 1, NULL, 10) : 0;
	/* compared as a pair: a minor of 100 or more stays in its major
	 * (6.102 is before 7.1); strtol saturates, which keeps the side */
	bool after_71 = major > 7 || (major == 7 && minor > 1);
	bool before_72 = major < 7 || (major == 7 && minor < 2);
	const char *field = rule_param_of(ctx, vn);
	if (strcmp(engine, "redis") == 0 && after_71)
		findings_add(ctx->out, "DAT008", SEV_ERROR, field ? field : "",
		             "Redis OSS versions end at 7.1; use valkey for 7.2 and later",
		             "%s: engine redis has no version %s", e->name, version);
	else if (strcmp(engine, "valkey") == 0 && before_72)
		findings_add(ctx->out, "DAT008", SEV_ERROR, field ? field : "",
		             "Valkey starts at 7.2; use redis for 7.1 and earlier",
		             "%s: engine valkey has no version %s", e->name, version);
}

/* DAT003: in prod, the cluster has a reader in an AZ other than the writer's. */
static void check_instances(const validate_ctx *ctx, const cat_entry *cluster)
{
	const rendered *r = ctx->r;
	size_t count = 0;
	long azs[16];
	bool az_unknown = false;
	for (size_t i = 0; i < r->nres; i++) {
		const char *type = r->res[i].type;
		if (!type || strcmp(type, "AWS::RDS::DBInstance") != 0)
			continue;
		const rnode *props = r->res[i].props;
		const char *target = rnode_ref(rnode_get(props, "DBClusterIdentifier"), NULL);
		if (!target || strcmp(target, cluster->name) != 0)
			continue;
		const char *az_name = rnode_str(rnode_get(props, "AvailabilityZone"));
		long az = az_name ? render_az_index(r, az_name) : -1;
		if (az < 0)
			az_unknown = true;
		if (count < sizeof(azs) / sizeof(azs[0]))
			azs[count] = az;
		count++;
	}
	if (strcmp(rule_env(ctx), "prod") != 0)
		return;
	if (count < 2) {
		findings_add(ctx->out, "DAT003", SEV_ERROR, "",
		             "add a reader instance with PromotionTier 1 in another AZ",
		             "%s has %zu instance(s) in prod: a failover has nowhere to go",
		             cluster->name, count);
		rule_at(ctx, cluster, NULL);
		return;
	}
	if (az_unknown)
		return; /* RDS spreads unpinned instances itself */
	bool spread = false;
	for (size_t i = 1; i < count && i < 16; i++)
		spread = spread || azs[i] != azs[0];
	if (!spread) {
		findings_add(ctx->out, "DAT003", SEV_ERROR, "",
		             "place the reader in another AZ (!Select [1, !GetAZs ''])",
		             "every instance of %s is in the same AZ: losing it loses the database",
		             cluster->name);
		rule_at(ctx, cluster, NULL);
	}
}

/* DAT004: a Multi-AZ replication group has replicas and automatic failover;
 * AUTH needs TLS and cannot be combined with RBAC user groups. */
static void check_cache(const validate_ctx *ctx, const render_resource *res)
{
	const cat_entry *e = res->entry;
	const rnode *props = res->props;
	const ynode *multi_az_at, *auth_at;
	int multi_az = rnode_bool(rule_prop(props, "MultiAZEnabled", &multi_az_at));
	int failover = rnode_bool(rnode_get(props, "AutomaticFailoverEnabled"));
	long clusters = -1, replicas = -1;
	rnode_long(rnode_get(props, "NumCacheClusters"), &clusters);
	rnode_long(rnode_get(props, "ReplicasPerNodeGroup"), &replicas);
	bool has_replica = clusters >= 2 || replicas >= 1;
	bool replicas_known = clusters >= 0 || replicas >= 0;
	if (multi_az == 1 && replicas_known && !has_replica) {
		findings_add(ctx->out, "DAT004", SEV_ERROR, "",
		             "give the group at least one replica (NumCacheClusters 2 or more)",
		             "%s is Multi-AZ without a replica to fail over to", e->name);
		rule_at(ctx, e, multi_az_at);
	}
	if (multi_az == 1 && failover != 1) {
		findings_add(ctx->out, "DAT004", SEV_ERROR, "",
		             "set AutomaticFailoverEnabled: true",
		             "%s is Multi-AZ without automatic failover", e->name);
		rule_at(ctx, e, multi_az_at);
	}
	if (multi_az != 1 && strcmp(rule_env(ctx), "prod") == 0) {
		findings_add(ctx->out, "DAT004", SEV_ERROR, "",
		             "set MultiAZEnabled: true with replicas in other AZs",
		             "%s is not Multi-AZ in prod: sessions are lost with its AZ", e->name);
		rule_at(ctx, e, NULL);
	}
	const rnode *auth = rule_prop(props, "AuthToken", &auth_at);
	if (auth && rnode_bool(rnode_get(props, "TransitEncryptionEnabled")) != 1) {
		findings_add(
		    ctx->out, "DAT004", SEV_ERROR, "", "set TransitEncryptionEnabled: true",
		    "%s has an AUTH token without TLS, which ElastiCache rejects", e->name);
		rule_at(ctx, e, auth_at);
	}
	if (auth && rnode_get(props, "UserGroupIds")) {
		findings_add(
		    ctx->out, "DAT004", SEV_ERROR, "", "use RBAC user groups or AUTH, not both",
		    "%s has an AUTH token and user groups, which ElastiCache rejects", e->name);
		rule_at(ctx, e, auth_at);
	}
}

/* The number of days a RotationRules block rotates after, or -1. */
static long rotation_days(const rnode *rules, bool *both)
{
	const rnode *after = rnode_get(rules, "AutomaticallyAfterDays");
	const rnode *expr = rnode_get(rules, "ScheduleExpression");
	*both = after && expr;
	long days;
	if (after && rnode_long(after, &days))
		return days;
	const char *s = rnode_str(expr);
	if (!s)
		return -1;
	/* rate(N days) / rate(1 day) / rate(N hours); cron() is judged by its
	 * day-of-month field only when it fixes a day: treated as monthly */
	long n = 0;
	char unit[16] = "";
	if (strncmp(s, "rate(", 5) == 0) {
		char *end;
		n = strtol(s + 5, &end, 10);
		size_t ul = strcspn(end, ")");
		while (*end == ' ')
			end++, ul--;
		if (ul > 0 && ul < sizeof(unit)) {
			memcpy(unit, end, ul);
			unit[ul] = '\0';
		}
		if (strcmp(unit, "day") == 0 || strcmp(unit, "days") == 0)
			return n;
		if (strcmp(unit, "hour") == 0 || strcmp(unit, "hours") == 0)
			return n / 24;
		return -1;
	}
	if (strncmp(s, "cron(", 5) == 0)
		return 31; /* a monthly cron can be 31 days apart */
	return -1;
}

static bool depends_on(const ynode *entry, const char *logical_id)
{
	const ynode *dep = ynode_get(entry, "DependsOn");
	if (!dep)
		return false;
	if (dep->kind == YNODE_SCALAR)
		return strcmp(dep->str, logical_id) == 0;
	for (size_t i = 0; dep->kind == YNODE_SEQ && i < dep->n; i++)
		if (dep->kids[i]->kind == YNODE_SCALAR &&
		    strcmp(dep->kids[i]->str, logical_id) == 0)
			return true;
	return false;
}

/* The secret a RotationSchedule rotates: a logical id, or for an RDS-
 * managed master secret the cluster's id with attr "MasterUserSecret...". */
static const char *schedule_target(const render_resource *s, const char **attr)
{
	return rnode_ref(rnode_get(s->props, "SecretId"), attr);
}

static bool id_matches(const char *target, const char *logical_id)
{
	size_t n = strlen(logical_id);
	return strncmp(target, logical_id, n) == 0 && (target[n] == '\0' || target[n] == '.');
}

/* DAT005 for one RotationSchedule: its rules, its function, its
 * transform, and DependsOn the attachment of the secret it rotates. */
static void check_schedule(const validate_ctx *ctx, const render_resource *s)
{
	const rendered *r = ctx->r;
	const cat_entry *e = s->entry;
	const ynode *rules_at, *hosted_at;
	const rnode *rules = rule_prop(s->props, "RotationRules", &rules_at);
	bool both = false;
	long days = rotation_days(rules, &both);
	if (both) {
		findings_add(ctx->out, "DAT005", SEV_ERROR, "",
		             "keep ScheduleExpression: rate(30 days) only",
		             "%s sets both AutomaticallyAfterDays and ScheduleExpression, "
		             "which Secrets Manager rejects",
		             e->name);
		rule_at(ctx, e, rules_at);
	}
	if (!rules || days < 0 || days > ROTATION_MAX_DAYS) {
		findings_add(ctx->out, "DAT005", SEV_ERROR, "", "ScheduleExpression: rate(30 days)",
		             "%s does not rotate within %d days", e->name, ROTATION_MAX_DAYS);
		rule_at(ctx, e, rules_at);
	}
	const rnode *hosted = rule_prop(s->props, "HostedRotationLambda", &hosted_at);
	if (hosted && rnode_get(s->props, "RotationLambdaARN")) {
		findings_add(ctx->out, "DAT005", SEV_ERROR, "",
		             "keep one of HostedRotationLambda and RotationLambdaARN",
		             "%s names both a hosted and its own rotation function", e->name);
		rule_at(ctx, e, hosted_at);
	}
	const char *transform = ctx->cat->transform;
	if (hosted && (!transform || strncmp(transform, "AWS::SecretsManager-", 20) != 0)) {
		findings_add(ctx->out, "DAT005", SEV_ERROR, "",
		             "add Transform: AWS::SecretsManager-2024-09-16 to "
		             "templates/catalog.yml",
		             "%s uses HostedRotationLambda, which needs the Secrets "
		             "Manager transform",
		             e->name);
		rule_at(ctx, e, hosted_at);
	}
	/* the attachment must exist before the first rotation */
	const char *target = schedule_target(s, NULL);
	for (size_t j = 0; target && j < r->nres; j++) {
		const char *t = r->res[j].type;
		if (!t || strcmp(t, "AWS::SecretsManager::SecretTargetAttachment") != 0)
			continue;
		const char *secret_of = rnode_ref(rnode_get(r->res[j].props, "SecretId"), NULL);
		if (secret_of && strcmp(secret_of, target) == 0 &&
		    !depends_on(e->value, r->res[j].id)) {
			findings_add(ctx->out, "DAT005", SEV_ERROR, "",
			             "add DependsOn the attachment",
			             "%s does not DependsOn %s: rotation can start "
			             "before the secret knows its database",
			             e->name, r->res[j].id);
			rule_at(ctx, e, NULL);
		}
	}
}

/* DAT005 for a secret or an RDS-managed master secret: a schedule rotates it. */
static void check_rotated(const validate_ctx *ctx, const render_resource *res, bool managed)
{
	const rendered *r = ctx->r;
	bool rotated = false;
	for (size_t j = 0; j < r->nres && !rotated; j++) {
		const char *t = r->res[j].type;
		if (!t || strcmp(t, "AWS::SecretsManager::RotationSchedule") != 0)
			continue;
		const char *attr = NULL;
		const char *target = schedule_target(&r->res[j], &attr);
		if (!target || !id_matches(target, res->id))
			continue;
		rotated = !managed || (attr && strstr(attr, "MasterUserSecret"));
	}
	if (rotated)
		return;
	findings_add(ctx->out, "DAT005", SEV_ERROR, "",
	             "add an AWS::SecretsManager::RotationSchedule with "
	             "ScheduleExpression: rate(30 days)",
	             managed ? "%s's RDS-managed master secret keeps RDS's default "
	                       "7-day rotation with no schedule of ours"
	                     : "secret %s has no rotation schedule: every credential "
	                       "must rotate every 30 days",
	             res->id);
	rule_at(ctx, res->entry, NULL);
}

static void check_rotation(const validate_ctx *ctx)
{
	const rendered *r = ctx->r;
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *res = &r->res[i];
		const char *type = res->type;
		if (!type)
			continue;
		if (strcmp(type, "AWS::SecretsManager::RotationSchedule") == 0)
			check_schedule(ctx, res);
		else if (strcmp(type, "AWS::SecretsManager::Secret") == 0)
			check_rotated(ctx, res, false);
		else if (strcmp(type, "AWS::RDS::DBCluster") == 0 &&
		         rnode_bool(rnode_get(res->props, "ManageMasterUserPassword")) == 1)
			check_rotated(ctx, res, true);
	}
}

void rule_data(const validate_ctx *ctx)
{
	const rendered *r = ctx->r;
	if (!r)
		return;
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *res = &r->res[i];
		const char *type = res->type;
		if (!type)
			continue;
		if (strcmp(type, "AWS::RDS::DBCluster") == 0) {
			check_cluster(ctx, res);
			check_instances(ctx, res->entry);
			check_windows(ctx, res);
		} else if (strcmp(type, "AWS::ElastiCache::ReplicationGroup") == 0) {
			check_cache(ctx, res);
			check_cache_version(ctx, res);
		}
	}
	check_rotation(ctx);
}
