/* The report is built once as a JSON document (the contract of
 * docs/report.md); the text and markdown forms are written from that same
 * document, so the three never disagree. */
#include "model/report.h"

#include "common/str.h"
#include "common/term.h"
#include "model/companion.h"
#include "model/rules_registry.h"
#include "model/validate.h"

#include <jansson.h>
#include <string.h>

/* The obligations the platform's controls support: the PDPA's that
 * infrastructure touches (docs/pdpa.md) and availability
 * (docs/availability.md). Their rules are the registry's (model/rules.def,
 * its obligations column): an obligation holds when none of them has an
 * error finding. */
static const struct {
	const char *key; /* as in rules.def */
	const char *obligation;
	const char *section;
	const char *operator_note;
} obligations[] = {
    {"protection", "Protection", "s24",
     "CMKs with rotation, TLS to every store, no ingress from anywhere, least privilege, "
     "30-day credential rotation"},
    {"retention", "Retention limitation", "s25",
     "explicit retention on every log group, backup and bucket; after the stack, only "
     "what lmsctl destroy lists (leftovers) and --purge removes"},
    {"transfer", "Transfer limitation", "s26",
     "the stack is in eu-west-1, outside Singapore: bind AWS by contract (AWS Customer "
     "Agreement and Data Processing Addendum) and record the transfer basis"},
    {"accountability", "Accountability", "s11-12",
     "CloudTrail with log file validation, audit logs kept a year or more, manual approval "
     "of prod changes"},
    {"access", "Access and correction", "s21-22",
     "access and disclosure logs kept at least a year (uses within a year before a "
     "request)"},
    {"breach-notification", "Data breach notification", "s26A-26E",
     "alarms reach the encrypted SNS topic; assess within 30 days, notify PDPC within 3 "
     "calendar days of assessing a breach as notifiable"},
    {"availability", "Availability", "99.99%",
     "every tier multi-AZ and surviving the loss of one AZ, capacity ahead of exams, every "
     "alarm routed to the alarm topic"},
};
#define PDPA_OBLIGATIONS 6 /* the first six; the last is availability */
_Static_assert(sizeof(obligations) / sizeof(obligations[0]) == PDPA_OBLIGATIONS + 1,
               "the PDPA's obligations, then availability");

static json_t *num_or_null(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

static json_t *int_or_null(long v)
{
	return v < 0 ? json_null() : json_integer(v);
}

static json_t *str_or_null(const char *s)
{
	return term_json_string(s);
}

/* One stack of the environment as the report reads it. */
typedef struct stack_view {
	const char *name; /* "main", or the companion's ("edge") */
	const catalog *cat;
	const model *m;
	const rendered *r; /* NULL when it did not render */
	const findings *f;
} stack_view;

/* The environment: its stacks, the main one first, and the main stack's
 * analysis. */
typedef struct env_view {
	const stack_view *s;
	size_t n;
	const analysis *a;
} env_view;

/* `file` relative to the main catalog's directory when it lies under it (a
 * fragment: "edge/edge.yml", the same on every checkout), else as it is
 * (the model file). */
static const char *rel_file(const env_view *v, const char *file)
{
	const char *dir = v->s[0].cat->dir;
	size_t n = dir ? strlen(dir) : 0;
	if (file && n && strncmp(file, dir, n) == 0 && file[n] == '/')
		return file + n + 1;
	return file;
}

static json_t *build_model(const env_view *v)
{
	json_t *mo = json_object();
	static const char *const keys[] = {"stack", "environment", "region", "suffix"};
	for (size_t i = 0; i < 4; i++)
		json_object_set_new(mo, keys[i], str_or_null(model_get(v->s[0].m, keys[i])));
	json_t *stacks = json_array();
	for (size_t k = 0; k < v->n; k++)
		json_array_append_new(
		    stacks, json_pack("{s:o, s:o, s:o}", "name", term_json_string(v->s[k].name),
		                      "stack", str_or_null(model_get(v->s[k].m, "stack")), "region",
		                      str_or_null(model_get(v->s[k].m, "region"))));
	json_object_set_new(mo, "stacks", stacks);
	return mo;
}

static json_t *build_finding(const env_view *v, const stack_view *sv, const finding *x)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", term_json_string(x->rule));
	json_object_set_new(o, "severity", term_json_string(severity_name(x->sev)));
	json_object_set_new(o, "field", term_json_string(x->field));
	json_object_set_new(o, "message", term_json_string(x->message));
	json_object_set_new(o, "hint", term_json_string(x->hint));
	json_object_set_new(o, "file", str_or_null(rel_file(v, x->file)));
	json_object_set_new(o, "line", json_integer((json_int_t)x->line));
	json_object_set_new(o, "column", json_integer((json_int_t)x->col));
	json_object_set_new(o, "stack", term_json_string(sv->name));
	return o;
}

/* every stack's findings, errors first */
static json_t *build_findings(const env_view *v)
{
	json_t *fs = json_array();
	for (int sev = SEV_ERROR; sev <= SEV_INFO; sev++)
		for (size_t k = 0; k < v->n; k++)
			for (size_t i = 0; i < v->s[k].f->n; i++)
				if ((int)v->s[k].f->v[i].sev == sev)
					json_array_append_new(
					    fs, build_finding(v, &v->s[k], &v->s[k].f->v[i]));
	return fs;
}

static json_int_t count_sev(const env_view *v, severity sev)
{
	size_t n = 0;
	for (size_t k = 0; k < v->n; k++)
		n += findings_count(v->s[k].f, sev);
	return (json_int_t)n;
}

static json_t *build_counts(const env_view *v)
{
	json_t *counts = json_object();
	json_object_set_new(counts, "errors", json_integer(count_sev(v, SEV_ERROR)));
	json_object_set_new(counts, "warnings", json_integer(count_sev(v, SEV_WARNING)));
	json_object_set_new(counts, "info", json_integer(count_sev(v, SEV_INFO)));
	return counts;
}

static json_t *build_scale_out(const analysis *a)
{
	const scale_timeline *t = &a->timeline;
	json_t *so = json_object();
	json_object_set_new(so, "known", json_boolean(t->known));
	json_object_set_new(so, "total_seconds", t->known ? json_real(t->total) : json_null());
	json_object_set_new(so, "target_seconds", json_real(SCALE_TARGET_SECONDS));
	json_object_set_new(so, "request_seconds", json_real(REQUEST_TARGET_SECONDS));
	json_object_set_new(so, "service", str_or_null(t->service));
	json_object_set_new(so, "policy", str_or_null(t->policy));
	json_object_set_new(so, "policy_type", str_or_null(t->policy_type));
	json_t *terms = json_array();
	for (size_t i = 0; i < t->nterms; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "name", term_json_string(t->terms[i].name));
		json_object_set_new(o, "seconds", json_real(t->terms[i].seconds));
		json_object_set_new(o, "budget_seconds", json_real(t->terms[i].budget));
		json_object_set_new(o, "from", str_or_null(t->terms[i].from));
		json_array_append_new(terms, o);
	}
	json_object_set_new(so, "terms", terms);
	json_object_set_new(so, "scale_out_cooldown_seconds", num_or_null(t->scale_out_cooldown));
	json_object_set_new(so, "deregistration_seconds", num_or_null(t->deregistration));
	json_object_set_new(so, "scheduled_prescaling", json_boolean(t->scheduled));
	return so;
}

static json_t *build_capacity(const analysis *a)
{
	const capacity *c = &a->cap;
	json_t *cap = json_object();
	json_object_set_new(cap, "target_users", json_integer(CAPACITY_TARGET_USERS));
	json_object_set_new(cap, "users", int_or_null(c->users));
	json_object_set_new(cap, "max_tasks", int_or_null(c->max_tasks));
	json_object_set_new(cap, "users_per_task", int_or_null(c->users_per_task));
	json_t *db = json_object();
	json_object_set_new(db, "max_acu", num_or_null(c->max_acu));
	json_object_set_new(db, "users_per_acu", json_integer(USERS_PER_ACU));
	json_object_set_new(db, "users", int_or_null(c->db_users));
	json_object_set_new(cap, "database", db);
	json_t *cache = json_object();
	json_object_set_new(cache, "node_type", str_or_null(c->cache_node_type));
	json_object_set_new(cache, "node_gib", num_or_null(c->cache_node_gib));
	json_object_set_new(cache, "shards", json_integer(c->cache_shards));
	json_object_set_new(cache, "users", int_or_null(c->cache_users));
	json_object_set_new(cap, "cache", cache);
	const db_connections *k = &c->conn;
	json_t *conn = json_object();
	json_object_set_new(conn, "max_connections", int_or_null(k->max_connections));
	json_object_set_new(conn, "max_connections_from", str_or_null(k->max_from));
	json_object_set_new(conn, "proxy", str_or_null(k->proxy));
	json_object_set_new(conn, "max_connections_percent", json_real(k->percent));
	json_object_set_new(conn, "allowed", int_or_null(k->allowed));
	json_object_set_new(conn, "per_task", int_or_null(k->per_task));
	json_object_set_new(conn, "at_max_tasks", int_or_null(k->demand));
	json_object_set_new(cap, "database_connections", k->database ? conn : json_null());
	if (!k->database)
		json_decref(conn);
	return cap;
}

/* What the environment shares with the others of its account and region. */
static json_t *build_shared(const analysis *a)
{
	const account_shares *s = &a->shared;
	json_t *sh = json_object();
	json_object_set_new(sh, "account_settings_owner",
	                    s->known ? json_boolean(s->owner) : json_null());
	json_t *items = json_array();
	struct {
		const char *what, *scope;
		char *here;
	} rows[] = {
	    {"API Gateway CloudWatch Logs role (AWS::ApiGateway::Account)", "account and region",
	     s->api_account
	         ? lms_strdupf("owned by this environment: every environment's API logging here "
	                       "uses it; delete this environment last")
	         : lms_strdupf("owned by another environment (AccountSettingsOwner false): this "
	                       "environment's stage logging uses it, and deleting this environment "
	                       "leaves it alone")},
	    {"CloudTrail trail", "account, every region",
	     s->trail ? lms_strdupf("owned by this environment: records every environment's "
	                            "management events and data-lake object access; delete this "
	                            "environment last")
	     : s->owner
	         ? lms_strdupf("none (EnableCloudTrail false): an organization trail records the "
	                       "account")
	         : lms_strdupf("owned by another environment (or an organization trail): this "
	                       "environment creates none")},
	    {"Elastic IP addresses", "account and region",
	     lms_strdupf("%ld of the %d Elastic IPs of the default quota, which every "
	                 "environment's NAT gateways share",
	                 s->eips, EIP_DEFAULT_QUOTA)},
	    {"API Gateway throttle", "account and region",
	     lms_strdupf("10,000 requests/s (default quota) across every environment's APIs "
	                 "(docs/api-limits.md)")},
	    {"Fargate On-Demand vCPU quota", "account and region",
	     lms_strdupf("every environment's tasks count against it (CMP010)")},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *o = json_object();
		json_object_set_new(o, "what", json_string(rows[i].what));
		json_object_set_new(o, "scope", json_string(rows[i].scope));
		json_object_set_new(o, "this_environment", str_or_null(rows[i].here));
		json_array_append_new(items, o);
		free(rows[i].here);
	}
	json_object_set_new(sh, "items", items);
	return sh;
}

static const render_resource *find_type(const rendered *r, const char *type)
{
	for (size_t i = 0; r && i < r->nres; i++)
		if (r->res[i].type && strcmp(r->res[i].type, type) == 0)
			return &r->res[i];
	return NULL;
}

/* The stack that holds the web path's distribution (the edge), or NULL. */
static const stack_view *web_stack(const env_view *v)
{
	for (size_t k = 0; k < v->n; k++)
		if (find_type(v->s[k].r, "AWS::CloudFront::Distribution"))
			return &v->s[k];
	return NULL;
}

static json_t *az_tier_json(const char *tier, long total, long remaining, tier_status st,
                            const char *note)
{
	json_t *tt = json_object();
	json_object_set_new(tt, "tier", term_json_string(tier));
	json_object_set_new(tt, "total", int_or_null(total));
	json_object_set_new(tt, "remaining", int_or_null(remaining));
	json_object_set_new(tt, "status", term_json_string(tier_status_name(st)));
	json_object_set_new(tt, "note", str_or_null(note));
	return tt;
}

/* The browser's path when an AZ of the platform's Region is lost: CloudFront
 * and WAF are global (their stack is in us-east-1), so what is left is what
 * the origin reaches, the load balancer's nodes in the other AZs. */
static json_t *az_web_path(const stack_view *web, const az_loss *l)
{
	const az_tier *lb = NULL;
	for (size_t k = 0; k < AZ_TIERS; k++)
		if (l->tiers[k].tier && strcmp(l->tiers[k].tier, "load balancer") == 0)
			lb = &l->tiers[k];
	const char *origin =
	    find_type(web->r, "AWS::CloudFront::VpcOrigin") ? "the VPC origin" : "the origin";
	const char *region = model_get(web->m, "region");
	char *note;
	if (!lb || lb->status == TIER_UNKNOWN || lb->status == TIER_ABSENT)
		note = lms_strdupf("CloudFront and WAF are global (%s stack, %s): untouched; what "
		                   "%s reaches of the ALB is unknown",
		                   web->name, region ? region : "?", origin);
	else if (lb->status == TIER_DOWN)
		note =
		    lms_strdupf("CloudFront and WAF are global (%s stack, %s): untouched; %s "
		                "has no ALB node left: pages fail, cached assets are still served",
		                web->name, region ? region : "?", origin);
	else
		note = lms_strdupf("CloudFront and WAF are global (%s stack, %s): untouched; %s "
		                   "reaches the ALB's nodes in the %ld other AZ(s)",
		                   web->name, region ? region : "?", origin, lb->remaining);
	json_t *tt = az_tier_json("web path", lb ? lb->total : -1, lb ? lb->remaining : -1,
	                          lb ? lb->status : TIER_UNKNOWN, note);
	free(note);
	return tt;
}

static json_t *build_az_loss(const env_view *v)
{
	const analysis *a = v->a;
	const stack_view *web = web_stack(v);
	json_t *azl = json_array();
	for (size_t i = 0; i < a->naz; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "az", term_json_string(a->az[i].az));
		json_object_set_new(o, "stops", json_boolean(a->az[i].stops));
		json_t *tiers = json_array();
		for (size_t k = 0; k < AZ_TIERS; k++) {
			const az_tier *x = &a->az[i].tiers[k];
			json_array_append_new(tiers, az_tier_json(x->tier, x->total, x->remaining,
			                                          x->status, x->note));
		}
		if (web)
			json_array_append_new(tiers, az_web_path(web, &a->az[i]));
		json_object_set_new(o, "tiers", tiers);
		json_array_append_new(azl, o);
	}
	return azl;
}

/* the findings of `rule` at `sev` in every stack */
static size_t count_of(const env_view *v, const char *rule, severity sev)
{
	size_t n = 0;
	for (size_t k = 0; k < v->n; k++)
		for (size_t i = 0; i < v->s[k].f->n; i++)
			n += v->s[k].f->v[i].sev == sev && strcmp(v->s[k].f->v[i].rule, rule) == 0;
	return n;
}

/* The resource of the template a finding is positioned in: the last one
 * of its fragment whose key comes at or before the finding's line; NULL
 * for a finding about a model field or without a position. */
static const render_resource *resource_at(const rendered *r, const finding *x)
{
	const render_resource *best = NULL;
	for (size_t i = 0; r && x->file && i < r->nres; i++) {
		const render_resource *res = &r->res[i];
		size_t line = res->entry->key->start.line;
		if (strcmp(res->entry->frag->path, x->file) == 0 && line <= x->line &&
		    (!best || line > best->entry->key->start.line))
			best = res;
	}
	return best;
}

/* {"id", "status": "ok|warning|error", "errors", "warnings"} for a rule */
static json_t *rule_status(const env_view *v, const char *id)
{
	size_t errors = count_of(v, id, SEV_ERROR), warnings = count_of(v, id, SEV_WARNING);
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "status",
	                    json_string(errors     ? "error"
	                                : warnings ? "warning"
	                                           : "ok"));
	json_object_set_new(o, "errors", json_integer((json_int_t)errors));
	json_object_set_new(o, "warnings", json_integer((json_int_t)warnings));
	return o;
}

/* {"rule", "resource", "type", "field", "message", "stack"} for an error
 * finding of stack `sv` */
static json_t *breaking(const stack_view *sv, const finding *x)
{
	const render_resource *res = resource_at(sv->r, x);
	json_t *o = json_object();
	json_object_set_new(o, "rule", term_json_string(x->rule));
	json_object_set_new(o, "resource", str_or_null(res ? res->id : NULL));
	json_object_set_new(o, "type", str_or_null(res ? res->type : NULL));
	json_object_set_new(o, "field", str_or_null(*x->field ? x->field : NULL));
	json_object_set_new(o, "message", term_json_string(x->message));
	json_object_set_new(o, "stack", term_json_string(sv->name));
	return o;
}

/* One obligation: its rules from the registry, each rule's status (over
 * every stack), whether it holds, and what breaks it. */
static json_t *build_obligation(const env_view *v, size_t i)
{
	json_t *o = json_object();
	json_object_set_new(o, "obligation", json_string(obligations[i].obligation));
	json_object_set_new(o, "key", json_string(obligations[i].key));
	json_object_set_new(o, "section", json_string(obligations[i].section));
	json_t *rules = json_array(), *status = json_array(), *breaks = json_array();
	size_t n, broken = 0;
	const rule_info *reg = rules_registry(&n);
	for (size_t k = 0; k < n; k++) {
		if (!rules_supports(&reg[k], obligations[i].key))
			continue;
		json_array_append_new(rules, json_string(reg[k].id));
		json_array_append_new(status, rule_status(v, reg[k].id));
		for (size_t s = 0; s < v->n; s++) {
			const findings *f = v->s[s].f;
			for (size_t j = 0; j < f->n; j++)
				if (f->v[j].sev == SEV_ERROR &&
				    strcmp(f->v[j].rule, reg[k].id) == 0) {
					json_array_append_new(breaks, breaking(&v->s[s], &f->v[j]));
					broken++;
				}
		}
	}
	json_object_set_new(o, "rules", rules);
	json_object_set_new(o, "holds", json_boolean(broken == 0));
	json_object_set_new(o, "errors", json_integer((json_int_t)broken));
	json_object_set_new(o, "rule_status", status);
	json_object_set_new(o, "breaking", breaks);
	json_object_set_new(o, "controls", json_string(obligations[i].operator_note));
	return o;
}

static void add_leftover(json_t *list, const render_resource *res, const char *kind,
                         const char *note)
{
	json_array_append_new(list,
	                      json_pack("{s:s, s:s, s:s, s:s}", "kind", kind, "resource", res->id,
	                                "type", res->type ? res->type : "?", "note", note));
}

/* What the environment leaves outside its stack once CloudFormation has deleted it, read
 * from the rendered template: what `lmsctl destroy` lists afterwards and `--purge`
 * removes (ops/leftovers.h). Secrets the stack made are not there: CloudFormation deletes
 * them without a recovery window. */
static void add_leftovers(json_t *list, const rendered *r)
{
	for (size_t i = 0; r && i < r->nres; i++) {
		const render_resource *res = &r->res[i];
		const char *type = res->type ? res->type : "";
		const char *policy = rnode_str(rnode_get(res->node, "DeletionPolicy"));
		const char *backups =
		    rnode_str(rnode_get(rnode_get(res->props, "BackupPolicy"), "Status"));
		if (strcmp(type, "AWS::EFS::FileSystem") == 0 && backups &&
		    strcmp(backups, "ENABLED") == 0)
			add_leftover(
			    list, res, "recovery points",
			    "EFS automatic backups in aws/efs/automatic-backup-vault, kept 35 "
			    "days after the file system");
		if (strcmp(type, "AWS::RDS::DBCluster") == 0 &&
		    (!policy || strcmp(policy, "Snapshot") == 0))
			add_leftover(
			    list, res, "cluster snapshot",
			    "the final snapshot of DeletionPolicy Snapshot (Aurora's default)");
		if (strcmp(type, "AWS::RDS::DBCluster") == 0 &&
		    rnode_bool(rnode_get(res->props, "ManageMasterUserPassword")) == 1)
			add_leftover(
			    list, res, "secret pending deletion",
			    "the RDS-managed master secret, if RDS schedules it for deletion "
			    "with the cluster: it blocks its name up to 30 days");
		if (strcmp(type, "AWS::SecretsManager::RotationSchedule") == 0 &&
		    rnode_get(res->props, "HostedRotationLambda"))
			add_leftover(
			    list, res, "log group",
			    "/aws/lambda/ of the hosted rotation function, which Lambda makes "
			    "itself");
		const rnode *settings = rnode_get(res->props, "ClusterSettings");
		for (size_t k = 0; strcmp(type, "AWS::ECS::Cluster") == 0 && settings &&
		                   settings->kind == RN_SEQ && k < settings->n;
		     k++) {
			const char *name = rnode_str(rnode_get(settings->kids[k], "Name"));
			const char *value = rnode_str(rnode_get(settings->kids[k], "Value"));
			if (name && value && strcmp(name, "containerInsights") == 0 &&
			    strcmp(value, "disabled") != 0)
				add_leftover(list, res, "log group",
				             "Container Insights' performance group, if ECS writes "
				             "after the stack deleted it");
		}
	}
}

/* ... of every stack of the environment */
static json_t *build_leftovers(const env_view *v)
{
	json_t *list = json_array();
	for (size_t k = 0; k < v->n; k++)
		add_leftovers(list, v->s[k].r);
	return list;
}

static json_t *build_pdpa(const env_view *v)
{
	json_t *pd = json_array();
	for (size_t i = 0; i < PDPA_OBLIGATIONS; i++) {
		json_t *o = build_obligation(v, i);
		if (strcmp(obligations[i].key, "retention") == 0) {
			json_t *left = build_leftovers(v);
			json_object_set_new(o, "leftover_count",
			                    json_integer((json_int_t)json_array_size(left)));
			json_object_set_new(o, "leftovers", left);
		}
		json_array_append_new(pd, o);
	}
	return pd;
}

/* The resources of each fragment of one stack: its tiers. */
static void add_tiers(json_t *tiers, const stack_view *sv)
{
	const catalog *cat = sv->cat;
	const rendered *r = sv->r;
	for (size_t fi = 0; r && fi < cat->nfrags; fi++) {
		const cat_fragment *frag = &cat->frags[fi];
		json_t *ids = json_array();
		for (size_t i = 0; i < r->nres; i++)
			if (r->res[i].entry->frag == frag) {
				json_t *o = json_object();
				json_object_set_new(o, "id", term_json_string(r->res[i].id));
				json_object_set_new(o, "type", str_or_null(r->res[i].type));
				json_array_append_new(ids, o);
			}
		json_t *o = json_object();
		size_t n = strlen(frag->name);
		buf name;
		buf_init(&name, 0);
		buf_add(&name, frag->name, n > 4 && lms_ends_with(frag->name, ".yml") ? n - 4 : n);
		json_object_set_new(o, "tier", term_json_string(buf_cstr(&name)));
		buf_free(&name);
		json_object_set_new(o, "count", json_integer((json_int_t)json_array_size(ids)));
		json_object_set_new(o, "resources", ids);
		json_object_set_new(o, "stack", term_json_string(sv->name));
		json_array_append_new(tiers, o);
	}
}

static json_t *build_tiers(const env_view *v)
{
	json_t *tiers = json_array();
	for (size_t k = 0; k < v->n; k++)
		add_tiers(tiers, &v->s[k]);
	return tiers;
}

static json_t *build_missing(const analysis *a)
{
	json_t *miss = json_array();
	for (size_t i = 0; i < a->nmissing; i++)
		json_array_append_new(miss, term_json_string(a->missing[i]));
	return miss;
}

static json_t *build_update(const update_plan *plan)
{
	json_t *up = json_array();
	for (size_t i = 0; i < plan->n; i++) {
		const update_change *x = &plan->v[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", term_json_string(x->id));
		json_object_set_new(o, "type", str_or_null(x->type));
		json_object_set_new(o, "change", term_json_string(update_kind_name(x->kind)));
		json_object_set_new(o, "stateful", json_boolean(x->stateful));
		json_object_set_new(o, "why", str_or_null(x->why));
		json_object_set_new(o, "stack", term_json_string(x->stack ? x->stack : "main"));
		json_array_append_new(up, o);
	}
	return up;
}

/* ---- composite availability by SLA arithmetic (docs/availability.md) ------ */

/* A service on a request path: the resource type that puts it there, in
 * which stack ("main", or "web": the stack of the distribution), and the
 * monthly uptime its SLA commits to (< 0: none of its own). The figures and
 * their sources are docs/availability.md's "SLA of each service"; the doc's
 * composite rows are these products (tests/pdpa_doc.py compares them). */
typedef struct sla_term {
	const char *service;
	const char *type;
	const char *scope; /* a web ACL's Scope; NULL for any */
	bool web_stack;
	double percent;
	const char *note;
} sla_term;

#define SLA_ALB                                                                                    \
	{                                                                                          \
		"ALB", "AWS::ElasticLoadBalancingV2::LoadBalancer", NULL, false, 99.99, NULL       \
	}
#define SLA_TASKS                                                                                  \
	{                                                                                          \
		"ECS on Fargate", "AWS::ECS::Service", NULL, false, 99.99, NULL                    \
	}
#define SLA_AURORA                                                                                 \
	{                                                                                          \
		"Aurora", "AWS::RDS::DBCluster", NULL, false, 99.99, NULL                          \
	}
#define SLA_PROXY                                                                                  \
	{                                                                                          \
		"RDS Proxy", "AWS::RDS::DBProxy", NULL, false, -1,                                 \
		    "no SLA of its own found: counted within Aurora's"                             \
	}
#define SLA_CACHE                                                                                  \
	{                                                                                          \
		"ElastiCache", "AWS::ElastiCache::ReplicationGroup", NULL, false, 99.99, NULL      \
	}

static const sla_term web_path[] = {
    {"CloudFront", "AWS::CloudFront::Distribution", NULL, true, 99.9,
     "per account, 5xx rate per five minutes; a cached asset needs nothing behind it"},
    {"AWS WAF", "AWS::WAFv2::WebACL", "CLOUDFRONT", true, 99.95, "per Region (us-east-1)"},
    {"CloudFront VPC origin", "AWS::CloudFront::VpcOrigin", NULL, true, -1,
     "a CloudFront feature: within CloudFront's"},
    SLA_ALB,
    SLA_TASKS,
    SLA_AURORA,
    SLA_PROXY,
    SLA_CACHE,
};

static const sla_term api_path[] = {
    {"API Gateway", "AWS::ApiGateway::RestApi", NULL, false, 99.95, "per Region, per request"},
    {"AWS WAF", "AWS::WAFv2::WebACL", "REGIONAL", false, 99.95, "per Region"},
    SLA_ALB,
    SLA_TASKS,
    SLA_AURORA,
    SLA_PROXY,
    SLA_CACHE,
};

/* Whether web ACL `acl` protects something of its stack: the
 * distribution names it (WebACLId), or an association attaches it (the
 * API's stage). A web ACL nothing uses is no term of a path. */
static bool web_acl_attached(const rendered *r, const render_resource *acl)
{
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *x = &r->res[i];
		const rnode *ref = NULL;
		if (x->type && strcmp(x->type, "AWS::CloudFront::Distribution") == 0)
			ref = rnode_get(rnode_get(x->props, "DistributionConfig"), "WebACLId");
		else if (x->type && strcmp(x->type, "AWS::WAFv2::WebACLAssociation") == 0)
			ref = rnode_get(x->props, "WebACLArn");
		if (ref && rnode_mentions(ref, acl->id))
			return true;
	}
	return false;
}

/* The first resource of `t`'s type (and Scope: a web ACL, attached) in
 * stack `sv`. */
static const render_resource *term_resource(const stack_view *sv, const sla_term *t)
{
	for (size_t i = 0; sv && sv->r && i < sv->r->nres; i++) {
		const render_resource *res = &sv->r->res[i];
		const char *scope = rnode_str(rnode_get(res->props, "Scope"));
		if (res->type && strcmp(res->type, t->type) == 0 &&
		    (!t->scope ||
		     (scope && strcmp(scope, t->scope) == 0 && web_acl_attached(sv->r, res))))
			return res;
	}
	return NULL;
}

/* {"path", "percent", "downtime_minutes_30_days", "components": [...]} of
 * the terms present in the environment's templates. */
static json_t *composite_path(const env_view *v, const char *name, const sla_term *terms, size_t n,
                              const stack_view *web)
{
	json_t *comps = json_array();
	double a = 1;
	for (size_t i = 0; i < n; i++) {
		const stack_view *sv = terms[i].web_stack ? web : &v->s[0];
		const render_resource *res = term_resource(sv, &terms[i]);
		if (!res)
			continue;
		if (terms[i].percent > 0)
			a *= terms[i].percent / 100;
		json_array_append_new(
		    comps,
		    json_pack("{s:s, s:o, s:s, s:s, s:o}", "service", terms[i].service,
		              "sla_percent",
		              terms[i].percent > 0 ? json_real(terms[i].percent) : json_null(),
		              "resource", res->id, "stack", sv->name, "note",
		              str_or_null(terms[i].note)));
	}
	json_t *o = json_object();
	json_object_set_new(o, "path", json_string(name));
	json_object_set_new(o, "percent", json_real(a * 100));
	json_object_set_new(o, "downtime_minutes_30_days", json_real((1 - a) * 30 * 24 * 60));
	json_object_set_new(o, "components", comps);
	return o;
}

/* The web path (browsers, through the edge stack) when the environment has
 * one, and the API path. */
static json_t *build_composite(const env_view *v)
{
	json_t *paths = json_array();
	const stack_view *web = web_stack(v);
	if (web)
		json_array_append_new(paths,
		                      composite_path(v, "web", web_path,
		                                     sizeof(web_path) / sizeof(web_path[0]), web));
	if (find_type(v->s[0].r, "AWS::ApiGateway::RestApi"))
		json_array_append_new(paths,
		                      composite_path(v, "api", api_path,
		                                     sizeof(api_path) / sizeof(api_path[0]), NULL));
	return paths;
}

static json_t *build(const env_view *v, const update_plan *plan)
{
	const analysis *a = v->a;
	json_t *root = json_object();
	json_object_set_new(root, "model", build_model(v));
	json_object_set_new(root, "findings", build_findings(v));
	json_object_set_new(root, "counts", build_counts(v));
	json_object_set_new(root, "scale_out", build_scale_out(a));
	json_object_set_new(root, "capacity", build_capacity(a));
	json_object_set_new(root, "az_loss", build_az_loss(v));
	json_object_set_new(root, "shared", build_shared(a));
	json_object_set_new(root, "pdpa", build_pdpa(v));
	json_t *av = build_obligation(v, PDPA_OBLIGATIONS);
	json_object_set_new(av, "composite", build_composite(v));
	json_object_set_new(root, "availability", av);
	json_object_set_new(root, "tiers", build_tiers(v));
	json_object_set_new(root, "missing_inputs", build_missing(a));
	if (plan)
		json_object_set_new(root, "update", build_update(plan));
	return root;
}

/* ---- text and markdown from the document -------------------------------- */

static const char *s_of(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* "123", "12.5" or "unknown" */
static void add_num(buf *out, json_t *v)
{
	if (json_is_integer(v))
		buf_addf(out, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		buf_addf(out, "%g", json_real_value(v));
	else
		buf_adds(out, "unknown");
}

/* Markdown table cells: no pipes or line breaks. */
static void add_cell(buf *out, const char *s, bool md)
{
	for (const char *p = s; *p; p++) {
		if (md && *p == '|')
			buf_adds(out, "\\|");
		else if (*p == '\n')
			buf_addc(out, ' ');
		else
			buf_addc(out, *p);
	}
}

static void heading(buf *out, bool md, const char *title)
{
	if (md)
		buf_addf(out, "\n## %s\n\n", title);
	else
		buf_addf(out, "\n%s\n", title);
}

/* the title line */
static void human_header(json_t *d, bool md, buf *out)
{
	json_t *mo = json_object_get(d, "model");
	if (md)
		buf_addf(out, "# Readiness report: %s (%s, %s)\n", s_of(mo, "stack"),
		         s_of(mo, "environment"), s_of(mo, "region"));
	else
		buf_addf(out, "READINESS REPORT  stack %s  environment %s  region %s  suffix %s\n",
		         s_of(mo, "stack"), s_of(mo, "environment"), s_of(mo, "region"),
		         s_of(mo, "suffix"));
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(mo, "stacks"), i, x)
	{
		if (i == 0)
			continue; /* the main stack: the title's */
		buf_addf(out,
		         md ? "\nWith the %s stack %s in %s (deployed after this one, "
		              "destroyed before it).\n"
		            : "  with the %s stack %s  region %s\n",
		         s_of(x, "name"), s_of(x, "stack"), s_of(x, "region"));
	}
}

/* the findings, errors first */
static void human_findings(json_t *d, bool md, buf *out)
{
	json_t *counts = json_object_get(d, "counts");
	heading(out, md, "Findings");
	buf_addf(out, "%s%lld error(s), %lld warning(s), %lld info\n", md ? "" : "  ",
	         (long long)json_integer_value(json_object_get(counts, "errors")),
	         (long long)json_integer_value(json_object_get(counts, "warnings")),
	         (long long)json_integer_value(json_object_get(counts, "info")));
	json_t *fs = json_object_get(d, "findings");
	size_t i;
	json_t *x;
	if (md && json_array_size(fs))
		buf_adds(out,
		         "\n| severity | id | field | message | where |\n|---|---|---|---|---|\n");
	json_array_foreach(fs, i, x)
	{
		buf where;
		buf_init(&where, 0);
		if (json_string_value(json_object_get(x, "file")))
			buf_addf(&where, "%s:%lld", s_of(x, "file"),
			         (long long)json_integer_value(json_object_get(x, "line")));
		const char *stack = s_of(x, "stack");
		bool main_stack = !*stack || strcmp(stack, "main") == 0;
		if (md) {
			buf_addf(out, "| %s | %s%s%s%s | ", s_of(x, "severity"), s_of(x, "id"),
			         main_stack ? "" : " (", main_stack ? "" : stack,
			         main_stack ? "" : ")");
			add_cell(out, s_of(x, "field"), true);
			buf_adds(out, " | ");
			add_cell(out, s_of(x, "message"), true);
			buf_adds(out, " | ");
			add_cell(out, buf_cstr(&where), true);
			buf_adds(out, " |\n");
		} else {
			buf_addf(out, "  %-7s %s %s%s%s%s%s%s%s\n", s_of(x, "severity"),
			         s_of(x, "id"), main_stack ? "" : "(", main_stack ? "" : stack,
			         main_stack ? "" : " stack) ", *s_of(x, "field") ? "[" : "",
			         s_of(x, "field"), *s_of(x, "field") ? "] " : "",
			         s_of(x, "message"));
		}
		buf_free(&where);
	}
}

/* the scale-out timeline and its terms */
static void human_scale_out(json_t *d, bool md, buf *out)
{
	size_t i;
	json_t *x;
	json_t *so = json_object_get(d, "scale_out");
	heading(out, md, "Scale-out timeline");
	buf_adds(out, md ? "From a load step to healthy new capacity: **" : "  total ");
	add_num(out, json_object_get(so, "total_seconds"));
	buf_addf(out,
	         md ? " s** (budget %g s; the request allows %g s)"
	            : " s (budget %g s; the request allows %g s)",
	         json_real_value(json_object_get(so, "target_seconds")),
	         json_real_value(json_object_get(so, "request_seconds")));
	buf_addf(out, "; policy %s (%s)\n", *s_of(so, "policy") ? s_of(so, "policy") : "none",
	         *s_of(so, "policy_type") ? s_of(so, "policy_type") : "-");
	if (md)
		buf_adds(out, "\n| term | seconds | budget | from |\n|---|---|---|---|\n");
	json_array_foreach(json_object_get(so, "terms"), i, x)
	{
		if (md) {
			buf_addf(out, "| %s | %g | %g | ", s_of(x, "name"),
			         json_real_value(json_object_get(x, "seconds")),
			         json_real_value(json_object_get(x, "budget_seconds")));
			add_cell(out, s_of(x, "from"), true);
			buf_adds(out, " |\n");
		} else {
			buf_addf(out, "    %-16s %4.0f s (budget %2.0f)  %s\n", s_of(x, "name"),
			         json_real_value(json_object_get(x, "seconds")),
			         json_real_value(json_object_get(x, "budget_seconds")),
			         s_of(x, "from"));
		}
	}
	if (json_is_true(json_object_get(so, "scheduled_prescaling")))
		buf_addf(out, "%sscheduled exam-window pre-scaling: known peaks need no reaction\n",
		         md ? "\n" : "  ");
}

/* capacity against the target number of users */
static void human_capacity(json_t *d, bool md, buf *out)
{
	json_t *cap = json_object_get(d, "capacity");
	heading(out, md, "Capacity");
	struct {
		const char *label;
		json_t *users;
	} rows[] = {
	    {"tasks (max tasks x users per task)", json_object_get(cap, "users")},
	    {"database (max ACU x users per ACU)",
	     json_object_get(json_object_get(cap, "database"), "users")},
	    {"cache (node memory / per-user memory)",
	     json_object_get(json_object_get(cap, "cache"), "users")},
	};
	if (md)
		buf_adds(out, "| tier | users | required |\n|---|---|---|\n");
	for (size_t k = 0; k < 3; k++) {
		buf_addf(out, md ? "| %s | " : "  %-40s ", rows[k].label);
		add_num(out, rows[k].users);
		buf_addf(out, md ? " | %lld |\n" : "  (required %lld)\n",
		         (long long)json_integer_value(json_object_get(cap, "target_users")));
	}
	buf_adds(out, md ? "\nInputs: " : "  inputs: ");
	add_num(out, json_object_get(cap, "max_tasks"));
	buf_adds(out, " max tasks x ");
	add_num(out, json_object_get(cap, "users_per_task"));
	buf_adds(out, " users per task; ");
	add_num(out, json_object_get(json_object_get(cap, "database"), "max_acu"));
	buf_addf(out, " ACU; cache %s\n",
	         s_of(json_object_get(cap, "cache"), "node_type")[0]
	             ? s_of(json_object_get(cap, "cache"), "node_type")
	             : "unknown");
	json_t *conn = json_object_get(cap, "database_connections");
	if (!json_is_object(conn))
		return;
	buf_adds(out, md ? "\nDatabase connections at the maximum task count: "
	                 : "  database connections at max tasks: ");
	add_num(out, json_object_get(cap, "max_tasks"));
	buf_adds(out, " tasks x ");
	add_num(out, json_object_get(conn, "per_task"));
	buf_adds(out, " = ");
	add_num(out, json_object_get(conn, "at_max_tasks"));
	buf_addf(out, "; %s may open ",
	         *s_of(conn, "proxy") ? s_of(conn, "proxy") : "(no RDS Proxy) the tasks");
	add_num(out, json_object_get(conn, "allowed"));
	buf_addf(out, " (%g%% of max_connections ",
	         json_real_value(json_object_get(conn, "max_connections_percent")));
	add_num(out, json_object_get(conn, "max_connections"));
	buf_addf(out, ", %s)\n",
	         *s_of(conn, "max_connections_from") ? s_of(conn, "max_connections_from")
	                                             : "unknown");
}

/* each AZ's loss, tier by tier */
static void human_az_loss(json_t *d, bool md, buf *out)
{
	size_t i;
	json_t *x;
	heading(out, md, "Losing one availability zone");
	json_t *first = json_object_get(json_array_get(json_object_get(d, "az_loss"), 0), "tiers");
	if (md && first) { /* the columns: the first AZ's tiers */
		buf_adds(out, "| AZ |");
		json_array_foreach(first, i, x) buf_addf(out, " %s |", s_of(x, "tier"));
		buf_adds(out, "\n|---|");
		json_array_foreach(first, i, x) buf_adds(out, "---|");
		buf_addc(out, '\n');
	}
	json_array_foreach(json_object_get(d, "az_loss"), i, x)
	{
		buf_addf(out, md ? "| %s%s |" : "  %s%s:", s_of(x, "az"),
		         json_is_true(json_object_get(x, "stops")) ? (md ? " (stops)" : " STOPS")
		                                                   : "");
		size_t k;
		json_t *tt;
		json_array_foreach(json_object_get(x, "tiers"), k, tt)
		{
			buf_adds(out, md ? " " : "\n    ");
			if (!md)
				buf_addf(out, "%-14s ", s_of(tt, "tier"));
			buf_addf(out, "%s ", s_of(tt, "status"));
			json_t *rem = json_object_get(tt, "remaining"),
			       *tot = json_object_get(tt, "total");
			if (json_is_integer(tot) && json_integer_value(tot) > 0) {
				add_num(out, rem);
				buf_adds(out, "/");
				add_num(out, tot);
			}
			if (!md && json_string_value(json_object_get(tt, "note")))
				buf_addf(out, "  %s", s_of(tt, "note"));
			if (md)
				buf_adds(out, "|");
		}
		buf_addc(out, '\n');
	}
	/* the browser's path: the same in every AZ but for the numbers */
	json_t *web = NULL;
	json_array_foreach(first, i, x) if (strcmp(s_of(x, "tier"), "web path") == 0) web = x;
	if (md && web && *s_of(web, "note"))
		buf_addf(out, "\nWeb path, for the first AZ: %s.\n", s_of(web, "note"));
}

/* what the environment shares with the others of its account */
static void human_shared(json_t *d, bool md, buf *out)
{
	size_t i;
	json_t *x;
	json_t *sh = json_object_get(d, "shared");
	heading(out, md, "Shared with other environments");
	if (md)
		buf_adds(out, "| what | scope | this environment |\n|---|---|---|\n");
	json_array_foreach(json_object_get(sh, "items"), i, x)
	{
		if (md) {
			buf_adds(out, "| ");
			add_cell(out, s_of(x, "what"), true);
			buf_addf(out, " | %s | ", s_of(x, "scope"));
			add_cell(out, s_of(x, "this_environment"), true);
			buf_adds(out, " |\n");
		} else {
			buf_addf(out, "  %s (%s)\n    %s\n", s_of(x, "what"), s_of(x, "scope"),
			         s_of(x, "this_environment"));
		}
	}
}

/* One obligation: whether it holds, its rules with the failing ones marked,
 * and what breaks it. */
static void human_obligation(json_t *x, bool md, buf *out)
{
	buf rules;
	buf_init(&rules, 0);
	size_t k;
	json_t *rr;
	json_array_foreach(json_object_get(x, "rule_status"), k, rr)
	{
		const char *st = s_of(rr, "status");
		buf_addf(&rules, "%s%s", k ? ", " : "", s_of(rr, "id"));
		if (strcmp(st, "ok") != 0)
			buf_addf(&rules, md ? " (**%s**)" : " (%s)", st);
	}
	bool holds = json_is_true(json_object_get(x, "holds"));
	if (md)
		buf_addf(out, "| %s | %s | %s | %s | %s |\n", s_of(x, "obligation"),
		         s_of(x, "section"), buf_cstr(&rules), holds ? "yes" : "**no**",
		         s_of(x, "controls"));
	else
		buf_addf(out, "  %-25s %-9s %-4s %s\n      %s\n", s_of(x, "obligation"),
		         s_of(x, "section"), holds ? "ok" : "NO", buf_cstr(&rules),
		         s_of(x, "controls"));
	buf_free(&rules);
	json_array_foreach(json_object_get(x, "breaking"), k, rr)
	{
		const char *res = json_string_value(json_object_get(rr, "resource"));
		const char *field = json_string_value(json_object_get(rr, "field"));
		buf_addf(
		    out, md ? "| | | broken by %s | | %s %s |\n" : "      broken by %s: %s %s\n",
		    s_of(rr, "rule"),
		    res     ? res
		    : field ? field
		            : "the template",
		    res && json_string_value(json_object_get(rr, "type")) ? s_of(rr, "type") : "");
	}
	json_t *left = json_object_get(x, "leftovers");
	if (left && json_array_size(left))
		buf_addf(out,
		         md ? "| | | %zu left outside the stack after destroy | | lmsctl destroy "
		              "--purge removes them |\n"
		            : "      %zu left outside the stack after destroy (lmsctl destroy "
		              "--purge removes them):\n",
		         json_array_size(left));
	json_array_foreach(left, k, rr)
	{
		buf_addf(out, md ? "| | | %s of %s | | %s |\n" : "        %s of %s: %s\n",
		         s_of(rr, "kind"), s_of(rr, "resource"), s_of(rr, "note"));
	}
}

/* The composite availability of each path: the product of its services'
 * SLAs. */
static void human_composite(json_t *paths, bool md, buf *out)
{
	size_t i, k;
	json_t *p, *c;
	if (!json_array_size(paths))
		return;
	buf_adds(out, md ? "\nComposite by SLA arithmetic (the services' SLA figures "
	                   "multiplied: a pessimistic floor, not a forecast):\n\n| path | "
	                   "composite | downtime per 30 "
	                   "days | services |\n|---|---|---|---|\n"
	                 : "  composite by SLA arithmetic (the services' SLA figures "
	                   "multiplied: a pessimistic floor, not a forecast):\n");
	json_array_foreach(paths, i, p)
	{
		const char *name = strcmp(s_of(p, "path"), "web") == 0 ? "web path" : "API path";
		buf_addf(out,
		         md ? "| %s | %.3f%% | %.1f min | "
		            : "    %-8s  %.3f%%  %5.1f min per 30 days: ",
		         name, json_real_value(json_object_get(p, "percent")),
		         json_real_value(json_object_get(p, "downtime_minutes_30_days")));
		json_array_foreach(json_object_get(p, "components"), k, c)
		{
			json_t *sla = json_object_get(c, "sla_percent");
			buf_addf(out, "%s%s", k ? " x " : "", s_of(c, "service"));
			if (json_is_real(sla))
				buf_addf(out, " %g%%", json_real_value(sla));
			else
				buf_adds(out, " (no SLA of its own)");
		}
		buf_adds(out, md ? " |\n" : "\n");
	}
}

/* PDPA obligations and availability, and the rules that hold them */
static void human_pdpa(json_t *d, bool md, buf *out)
{
	size_t i;
	json_t *x;
	heading(out, md, "PDPA coverage");
	if (md)
		buf_adds(
		    out,
		    "| obligation | section | rules | holds | controls |\n|---|---|---|---|---|\n");
	json_array_foreach(json_object_get(d, "pdpa"), i, x) human_obligation(x, md, out);
	json_t *av = json_object_get(d, "availability");
	if (av) {
		heading(out, md, "Availability (docs/availability.md)");
		if (md)
			buf_adds(out, "| claim | target | rules | holds | controls "
			              "|\n|---|---|---|---|---|\n");
		human_obligation(av, md, out);
		human_composite(json_object_get(av, "composite"), md, out);
	}
}

/* the resources of each tier (fragment) */
static void human_tiers(json_t *d, bool md, buf *out)
{
	size_t i;
	json_t *x;
	heading(out, md, "Resources by tier");
	json_array_foreach(json_object_get(d, "tiers"), i, x)
	{
		buf_addf(out, md ? "- **%s** (%lld): " : "  %-15s %3lld  ", s_of(x, "tier"),
		         (long long)json_integer_value(json_object_get(x, "count")));
		size_t k;
		json_t *rr;
		json_array_foreach(json_object_get(x, "resources"), k, rr)
		    buf_addf(out, "%s%s", k ? ", " : "", s_of(rr, "id"));
		buf_addc(out, '\n');
	}
}

/* inputs the analyses did not find */
static void human_missing(json_t *d, bool md, buf *out)
{
	size_t i;
	json_t *x;
	json_t *miss = json_object_get(d, "missing_inputs");
	if (json_array_size(miss)) {
		heading(out, md, "Inputs not found");
		json_array_foreach(miss, i, x)
		    buf_addf(out, md ? "- %s\n" : "  %s\n", json_string_value(x));
	}
}

/* update safety against the previous model */
static void human_update(json_t *d, bool md, buf *out)
{
	size_t i;
	json_t *x;
	json_t *up = json_object_get(d, "update");
	if (up) {
		heading(out, md, "Update safety (against the previous model)");
		if (!json_array_size(up))
			buf_adds(out, md ? "No resource is replaced, added or removed.\n"
			                 : "  nothing replaced, added or removed\n");
		if (md && json_array_size(up))
			buf_adds(out, "| change | resource | type | stateful | why "
			              "|\n|---|---|---|---|---|\n");
		json_array_foreach(up, i, x)
		{
			bool stateful = json_is_true(json_object_get(x, "stateful"));
			/* a companion's resource says its stack, as its findings do */
			const char *stack = s_of(x, "stack");
			bool main_stack = !*stack || strcmp(stack, "main") == 0;
			if (md) {
				buf_addf(out, "| %s | %s%s%s%s | %s | %s | ", s_of(x, "change"),
				         s_of(x, "id"), main_stack ? "" : " (",
				         main_stack ? "" : stack, main_stack ? "" : ")",
				         s_of(x, "type"), stateful ? "**yes**" : "no");
				add_cell(out, s_of(x, "why"), true);
				buf_adds(out, " |\n");
			} else {
				buf_addf(out, "  %-11s %s%s%s%s%s (%s): %s\n", s_of(x, "change"),
				         s_of(x, "id"), main_stack ? "" : " (",
				         main_stack ? "" : stack, main_stack ? "" : " stack)",
				         stateful ? " STATEFUL" : "", s_of(x, "type"),
				         s_of(x, "why"));
			}
		}
	}
}

static void write_human(json_t *d, bool md, buf *out)
{
	human_header(d, md, out);
	human_findings(d, md, out);
	human_scale_out(d, md, out);
	human_capacity(d, md, out);
	human_az_loss(d, md, out);
	human_shared(d, md, out);
	human_pdpa(d, md, out);
	human_tiers(d, md, out);
	human_missing(d, md, out);
	human_update(d, md, out);
}

/* Writes the document `d` in `format`; false on out of memory. */
static bool write_doc(json_t *d, report_format format, buf *out)
{
	bool ok = true;
	if (format == REPORT_JSON) {
		char *s = term_json_dumps(d, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
		                                 JSON_REAL_PRECISION(10));
		ok = s && buf_adds(out, s) && buf_addc(out, '\n');
		free(s);
	} else {
		/* every string the text shows, made visible once (common/term.h) */
		ok = term_json_clean(d);
		write_human(d, format == REPORT_MARKDOWN, out);
		ok = ok && !out->failed;
	}
	return ok;
}

bool report_write_env(const catalog *cat, const model *m, const rendered *r, const analysis *a,
                      const findings *f, const report_stack *stacks, size_t nstacks,
                      const update_plan *plan, report_format format, buf *out)
{
	stack_view *sv = calloc(nstacks + 1, sizeof(*sv));
	if (!sv)
		return false;
	sv[0] = (stack_view){"main", cat, m, r, f};
	for (size_t k = 0; k < nstacks; k++)
		sv[k + 1] = (stack_view){stacks[k].name, stacks[k].cat, stacks[k].m, stacks[k].r,
		                         &stacks[k].f};
	env_view v = {sv, nstacks + 1, a};
	json_t *d = build(&v, plan);
	bool ok = d && write_doc(d, format, out);
	json_decref(d);
	free(sv);
	return ok;
}

bool report_write(const catalog *cat, const model *m, const rendered *r, const analysis *a,
                  const findings *f, const update_plan *plan, report_format format, buf *out)
{
	return report_write_env(cat, m, r, a, f, NULL, 0, plan, format, out);
}

void report_companions_free(report_stack *v, size_t n)
{
	for (size_t k = 0; v && k < n; k++) {
		render_free(v[k].r);
		findings_free(&v[k].f);
		model_free(v[k].m);
		catalog_free(v[k].cat);
	}
	free(v);
}

bool report_companions(const catalog *cat, const model *m, report_stack **out, size_t *n,
                       lms_error *err)
{
	*out = NULL;
	*n = 0;
	if (!cat->ncompanions)
		return true;
	report_stack *v = calloc(cat->ncompanions, sizeof(*v));
	if (!v) {
		lms_error_set(err, NULL, 0, 0, "out of memory");
		return false;
	}
	for (size_t k = 0; k < cat->ncompanions; k++) {
		const cat_companion *comp = &cat->companions[k];
		report_stack *x = &v[k];
		x->name = comp->name;
		findings_init(&x->f);
		x->cat = catalog_load_companion(cat, comp, err);
		x->m = x->cat ? companion_model(cat, m, comp, x->cat, err) : NULL;
		if (!x->m) {
			report_companions_free(v, k + 1);
			return false;
		}
		x->r = validate_and_render(x->cat, x->m, &x->f);
	}
	*out = v;
	*n = cat->ncompanions;
	return true;
}
