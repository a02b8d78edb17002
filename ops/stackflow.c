#define _GNU_SOURCE /* gmtime_r */
#include "ops/stackflow.h"

#include "aws/s3.h"
#include "common/lazy_crypto.h"
#include "common/term.h"
#include "common/vec.h"
#include "model/model.h"
#include "model/render/render.h"
#include "model/ydoc.h"
#include "ops/status.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- the change set ------------------------------------------------------------------------- */

const char *const sf_capabilities[2] = {"CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"};

bool sf_deploy_names_init(sf_deploy_names *n, aws_client *aws, const char *stack,
                          const char *environment)
{
	memset(n, 0, sizeof *n);
	buf_init(&n->name, 0);
	buf_init(&n->create_token, 0);
	buf_init(&n->execute_token, 0);
	buf_init(&n->description, 0);
	char stamp[32];
	time_t now = aws_client_now(aws);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	buf_addf(&n->name, "lmsctl-%s", stamp);
	buf_addf(&n->description, "lmsctl %s deploy of %s (%s)", PACKAGE_VERSION, stack,
	         environment);
	n->tags[0] = (cfn_kv){(char *)SF_TAG_ENVIRONMENT, (char *)environment, false, false};
	n->tags[1] = (cfn_kv){(char *)SF_TAG_TOOL, (char *)"lmsctl", false, false};
	bool ok = cfn_new_token(&n->create_token) && cfn_new_token(&n->execute_token) &&
	          !n->name.failed && !n->description.failed;
	if (!ok)
		sf_deploy_names_free(n);
	return ok;
}

void sf_deploy_names_free(sf_deploy_names *n)
{
	buf_free(&n->name);
	buf_free(&n->create_token);
	buf_free(&n->execute_token);
	buf_free(&n->description);
}

bool sf_upload_template(aws_client *aws, const char *account, const char *region, const char *stack,
                        const char *data, size_t len, buf *url, buf *bucket, buf *key,
                        bool *created, lms_error *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	char stamp[32];
	time_t now = aws_client_now(aws);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	buf_addf(key, "%s/%s-", stack, stamp);
	for (unsigned i = 0; i < 6 && i < mdlen; i++)
		buf_addf(key, "%02x", md[i]);
	buf_adds(key, ".yaml");
	s3_artifact_bucket_name(account, region, bucket);
	*created = false;
	if (bucket->failed || key->failed) {
		lms_error_set(err, NULL, 0, 0, "out of memory");
		return false;
	}
	return s3_ensure_artifact_bucket(aws, buf_cstr(bucket), account, region, created, err) &&
	       s3_put_object(aws, buf_cstr(bucket), account, buf_cstr(key), data, len, "text/yaml",
	                     err) &&
	       s3_object_url(buf_cstr(bucket), region, buf_cstr(key), url);
}

static bool stopped(const sf_hooks *h)
{
	return h && h->stopped && h->stopped(h->ctx);
}

static bool pause_for(const sf_hooks *h, int seconds)
{
	return h && h->pause ? h->pause(h->ctx, seconds) : !stopped(h);
}

const char *sf_change_set_refusal(const cfn_change_set *cs, const cfn_stack *s)
{
	if (!s)
		return "the stack does not exist";
	if (!cs->stack_id || !s->id || strcmp(cs->stack_id, s->id) != 0)
		return "it belongs to another stack";
	if (!cs->status || strcmp(cs->status, "CREATE_COMPLETE") != 0)
		return "its status is not CREATE_COMPLETE";
	if (!cs->execution_status || strcmp(cs->execution_status, "AVAILABLE") != 0)
		return "its execution status is not AVAILABLE (executed, obsolete or failed)";
	return NULL;
}

cfn_change_set *sf_wait_change_set(aws_client *aws, const char *stack, const char *id,
                                   const sf_hooks *h, lms_error *err)
{
	time_t deadline = time(NULL) + SF_CHANGE_SET_WAIT_SECONDS;
	for (int round = 0;; round++) {
		cfn_change_set *cs = NULL;
		if (!cfn_describe_change_set(aws, stack, id, &cs, err))
			return NULL;
		if (cfn_change_set_settled(cs))
			return cs;
		cfn_change_set_free(cs);
		if (time(NULL) > deadline) {
			lms_error_set(err, NULL, 0, 0,
			              "the change set was not ready after %d minutes",
			              SF_CHANGE_SET_WAIT_SECONDS / 60);
			return NULL;
		}
		if (!pause_for(h, round < 3 ? 1 : 2)) {
			lms_error_set(err, NULL, 0, 0, "interrupted");
			return NULL;
		}
	}
}

/* ---- events ------------------------------------------------------------------------------ */

bool sf_event_is_consequence(const cfn_event *e)
{
	/* failures caused by another failure: not the one to pin */
	return e->reason && (strstr(e->reason, "Resource creation cancelled") ||
	                     strstr(e->reason, "Resource update cancelled") ||
	                     strstr(e->reason, "resource creation cancelled") ||
	                     strstr(e->reason, "The following resource(s) failed"));
}

void sf_failure_free(sf_failure *f)
{
	free(f->logical_id);
	free(f->type);
	free(f->status);
	free(f->reason);
	memset(f, 0, sizeof *f);
}

/* Remembers the first failure; all or nothing. */
static void pin_failure(sf_failure *f, const cfn_event *e)
{
	f->logical_id = strdup(e->logical_id);
	f->type = strdup(e->resource_type);
	f->status = strdup(e->status);
	f->reason = strdup(e->reason ? e->reason : "no reason given");
	if (!f->logical_id || !f->type || !f->status || !f->reason)
		sf_failure_free(f);
}

bool sf_events_baseline(aws_client *aws, cfn_event_tracker *t, lms_error *err)
{
	size_t saved = t->max_pages;
	t->max_pages = 1;
	cfn_event *ev = NULL;
	size_t n = 0;
	bool ok = cfn_poll_events(aws, t, &ev, &n, err);
	for (size_t i = 0; i < n; i++)
		cfn_event_clear(&ev[i]);
	free(ev);
	t->max_pages = saved;
	return ok;
}

/* Hands out a poll's events; false when the poll failed. */
static bool poll_events(aws_client *aws, cfn_event_tracker *t, const sf_hooks *h, sf_failure *first,
                        lms_error *err)
{
	cfn_event *ev = NULL;
	size_t n = 0;
	if (!cfn_poll_events(aws, t, &ev, &n, err))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (h && h->event)
			h->event(h->ctx, &ev[i]);
		if (first && !first->logical_id && ops_event_status_failed(ev[i].status) &&
		    !sf_event_is_consequence(&ev[i]))
			pin_failure(first, &ev[i]);
		cfn_event_clear(&ev[i]);
	}
	free(ev);
	return true;
}

sf_follow_result sf_follow(aws_client *aws, cfn_event_tracker *t, const char *stack, const char *id,
                           bool after_execute, const sf_hooks *h, cfn_stack **final,
                           sf_failure *first, lms_error *err)
{
	*final = NULL;
	for (int round = 0;; round++) {
		if (!poll_events(aws, t, h, first, err))
			return stopped(h) ? SF_INTERRUPTED : SF_ERROR;
		cfn_stack *s = NULL;
		if (!cfn_describe_stack(aws, id ? id : stack, &s, err))
			return stopped(h) ? SF_INTERRUPTED : SF_ERROR;
		/* right after ExecuteChangeSet the stack may still show REVIEW_IN_PROGRESS */
		bool settled = s && ops_status_settled(s->status) &&
		               !(after_execute && strcmp(s->status, "REVIEW_IN_PROGRESS") == 0);
		if (!s || settled) {
			/* the events of the last moments */
			if (!poll_events(aws, t, h, first, err))
				lms_error_clear(err);
			*final = s;
			return SF_SETTLED;
		}
		cfn_stack_free(s);
		int wait = round + 1 < SF_POLL_MAX_SECONDS ? round + 1 : SF_POLL_MAX_SECONDS;
		if (!pause_for(h, wait))
			return SF_INTERRUPTED;
	}
}

/* ---- outputs and the journal ------------------------------------------------------------- */

json_t *sf_outputs_flat(const cfn_stack *s)
{
	json_t *o = json_object();
	for (size_t i = 0; o && i < s->noutputs; i++)
		json_object_set_new(o, s->outputs[i].key, json_string(s->outputs[i].value));
	return o;
}

json_t *sf_outputs_flat_env(const cfn_stack *s, const cfn_stack *edge)
{
	json_t *o = sf_outputs_flat(s);
	buf key;
	buf_init(&key, 0);
	for (size_t i = 0; o && edge && i < edge->noutputs; i++) {
		buf_reset(&key);
		buf_addf(&key, "%s%s", SF_EDGE_OUTPUT_PREFIX, edge->outputs[i].key);
		if (key.failed || json_object_set_new(o, buf_cstr(&key),
		                                      json_string(edge->outputs[i].value)) != 0) {
			json_decref(o);
			o = NULL;
		}
	}
	buf_free(&key);
	return o;
}

static bool mkdir_p(const char *path, mode_t mode)
{
	buf p;
	buf_init(&p, 0);
	buf_adds(&p, path);
	if (p.failed)
		return false;
	for (char *s = p.data + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p.data, mode) != 0 && errno != EEXIST) {
			buf_free(&p);
			return false;
		}
		*s = '/';
	}
	bool ok = mkdir(p.data, mode) == 0 || errno == EEXIST;
	buf_free(&p);
	return ok;
}

bool sf_write_flat_outputs(const cfn_stack *s, lms_error *err)
{
	return sf_write_flat_outputs_to(s, SF_OUTPUTS_FILE, err);
}

bool sf_write_flat_outputs_to(const cfn_stack *s, const char *path, lms_error *err)
{
	return sf_write_flat_outputs_env(s, NULL, path, err);
}

bool sf_write_flat_outputs_env(const cfn_stack *s, const cfn_stack *edge, const char *path,
                               lms_error *err)
{
	json_t *flat = sf_outputs_flat_env(s, edge);
	char *text = flat ? term_json_dumps(flat, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	json_decref(flat);
	const char *slash = strrchr(path, '/');
	char *dir = slash && slash != path ? strndup(path, (size_t)(slash - path)) : NULL;
	bool ok = false;
	if (!text || (slash && slash != path && !dir)) {
		lms_error_set(err, NULL, 0, 0, "out of memory");
	} else if (dir && !mkdir_p(dir, 0755)) {
		lms_error_set(err, dir, 0, 0, "cannot create the directory: %s", strerror(errno));
	} else {
		buf b;
		buf_init(&b, 0);
		buf_addf(&b, "%s\n", text);
		ok = !b.failed && write_file_atomic(path, b.data, b.len, false, err);
		buf_free(&b);
	}
	free(dir);
	free(text);
	return ok;
}

bool sf_journal(const sf_journal_entry *e, lms_error *err)
{
	buf dir;
	buf_init(&dir, 0);
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	if (state && state[0] == '/')
		buf_addf(&dir, "%s/lmsctl", state);
	else if (home && home[0])
		buf_addf(&dir, "%s/.local/state/lmsctl", home);
	else {
		buf_free(&dir);
		lms_error_set(err, NULL, 0, 0, "neither XDG_STATE_HOME nor HOME is set");
		return false;
	}
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *line =
	    json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s, s:s?, s:s}", "time", stamp, "command",
	              e->command, "caller", e->caller, "account", e->account, "region", e->region,
	              "stack", e->stack, "changeSet", e->change_set, "result", e->result);
	char *text = line ? term_json_dumps(line, JSON_COMPACT) : NULL;
	json_decref(line);
	bool ok = false;
	if (text && !dir.failed && mkdir_p(buf_cstr(&dir), 0700)) {
		buf_adds(&dir, "/journal.log");
		int fd = open(buf_cstr(&dir), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0) {
			buf rec;
			buf_init(&rec, 0);
			buf_addf(&rec, "%s\n", text);
			/* one write: lines of concurrent runs do not interleave */
			ok = !rec.failed && write(fd, rec.data, rec.len) == (ssize_t)rec.len;
			ok = close(fd) == 0 && ok;
			buf_free(&rec);
		}
	}
	if (!ok)
		lms_error_set(err, NULL, 0, 0, "cannot append to the journal %s",
		              dir.failed ? "" : buf_cstr(&dir));
	free(text);
	buf_free(&dir);
	return ok;
}

/* ---- deletion protection ----------------------------------------------------------------- */

/* The deployed stack's parameter values, with some replaced: the source the renderer
 * reads the deployed template with (render.h is the one evaluator). */
typedef struct stack_values {
	const cfn_stack *s;
	const cfn_kv *over;
	size_t nover;
} stack_values;

static const char *stack_param(const void *ctx, const catalog *cat, const char *name)
{
	(void)cat;
	const stack_values *sv = ctx;
	for (size_t i = 0; i < sv->nover; i++)
		if (strcmp(sv->over[i].key, name) == 0)
			return sv->over[i].value;
	for (size_t i = 0; i < sv->s->nparameters; i++)
		if (strcmp(sv->s->parameters[i].key, name) == 0)
			return sv->s->parameters[i].value;
	return NULL;
}

static bool value_is_on(const char *v)
{
	return strcmp(v, "true") == 0 || strcmp(v, "True") == 0 || strcmp(v, "ACTIVE") == 0 ||
	       strcmp(v, "Enabled") == 0;
}

/* The resource's deletion protection as rendered: the property and its
 * value node; NULL when it has none. */
static const rnode *protection_of(const rnode *props, const char **prop)
{
	static const char *const names[] = {"DeletionProtection", "DeletionProtectionEnabled"};
	for (size_t k = 0; k < 2; k++) {
		const rnode *val = rnode_get(props, names[k]);
		if (val) {
			*prop = names[k];
			return val;
		}
	}
	/* load balancers: LoadBalancerAttributes [{Key: deletion_protection.enabled}] */
	const rnode *attrs = rnode_get(props, "LoadBalancerAttributes");
	for (size_t k = 0; attrs && attrs->kind == RN_SEQ && !attrs->fn && k < attrs->n; k++) {
		const char *key = rnode_str(rnode_get(attrs->kids[k], "Key"));
		if (key && strcmp(key, "deletion_protection.enabled") == 0) {
			*prop = "deletion_protection.enabled";
			return rnode_get(attrs->kids[k], "Value");
		}
	}
	return NULL;
}

void sf_kv_free(cfn_kv *kv, size_t n)
{
	cfn_kv_free(kv, n);
}

/* Adds the resource's LmsCtl::LiftProtection values to *lift (once per parameter); false
 * when out of memory. */
static bool add_lift_values(const render_resource *res, cfn_kv **lift, size_t *nlift)
{
	const rnode *map = rnode_get(rnode_get(res->node, "Metadata"), "LmsCtl::LiftProtection");
	for (size_t k = 0; map && map->kind == RN_MAP && !map->fn && k < map->n; k++) {
		const char *key = rnode_str(map->kids[2 * k]);
		const char *value = rnode_str(map->kids[2 * k + 1]);
		bool known = false;
		for (size_t j = 0; key && j < *nlift; j++)
			known |= strcmp((*lift)[j].key, key) == 0;
		if (!key || !value || known)
			continue;
		if (!VEC_RESIZE(*lift, *nlift + 1))
			return false;
		(*lift)[*nlift] = (cfn_kv){strdup(key), strdup(value), false, false};
		if (!(*lift)[*nlift].key || !(*lift)[*nlift].value) {
			free((*lift)[*nlift].key);
			free((*lift)[*nlift].value);
			return false;
		}
		(*nlift)++;
	}
	return true;
}

size_t sf_find_protection(const char *text, size_t len, const cfn_stack *s, const cfn_kv *over,
                          size_t nover, sf_protection **out, cfn_kv **lift, size_t *nlift)
{
	*out = NULL;
	if (lift) {
		*lift = NULL;
		*nlift = 0;
	}
	size_t n = 0;
	catalog *cat = render_catalog_of_text("deployed template", text, len, NULL);
	if (!cat)
		return 0;
	stack_values sv = {s, over, nover};
	render_params params = {.value = stack_param, .ctx = &sv, .stack_name = s->name};
	render_options opt = {.params = &params};
	rendered *r = render_with(cat, &opt, NULL, NULL);
	for (size_t i = 0; r && i < r->nres; i++) {
		const render_resource *res = &r->res[i]; /* not those not deployed */
		const char *prop = NULL;
		const rnode *val = protection_of(res->props, &prop);
		if (!val)
			continue;
		const char *v = rnode_str(val);
		int on = v ? (value_is_on(v) ? 1 : 0) : -1;
		if (!on)
			continue;
		if (!VEC_RESIZE(*out, n + 1))
			break;
		sf_protection *p = &(*out)[n];
		*p = (sf_protection){strdup(res->id),
		                     strdup(res->type ? res->type : "?"),
		                     strdup(prop),
		                     on,
		                     NULL,
		                     false};
		if (!p->logical_id || !p->type || !p->property) {
			free(p->logical_id); /* out of memory: what was found so far */
			free(p->type);
			free(p->property);
			break;
		}
		n++;
		if (lift && !add_lift_values(res, lift, nlift))
			break;
	}
	render_free(r);
	catalog_free(cat);
	return n;
}

void sf_protection_free(sf_protection *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].logical_id);
		free(p[i].type);
		free(p[i].property);
		free(p[i].physical);
	}
	free(p);
}

/* Keeps the lift values of parameters the stack has with another value: the others
 * cannot be sent (an unknown parameter) or change nothing. */
static void keep_useful_lift(const cfn_stack *s, cfn_kv *lift, size_t *nlift)
{
	size_t kept = 0;
	for (size_t i = 0; i < *nlift; i++) {
		const char *now = NULL;
		for (size_t j = 0; j < s->nparameters; j++)
			if (strcmp(s->parameters[j].key, lift[i].key) == 0)
				now = s->parameters[j].value;
		if (now && strcmp(now, lift[i].value) != 0) {
			lift[kept++] = lift[i];
		} else {
			free(lift[i].key);
			free(lift[i].value);
		}
	}
	*nlift = kept;
}

/* Marks what the lift values turn off: the template rendered with them no longer has
 * the resource's protection on (nor undecided). */
static void mark_liftable(const char *text, size_t len, const cfn_stack *s, const cfn_kv *lift,
                          size_t nlift, sf_protection *p, size_t n)
{
	if (!nlift)
		return;
	sf_protection *after = NULL;
	size_t nafter = sf_find_protection(text, len, s, lift, nlift, &after, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		bool still = false;
		for (size_t j = 0; j < nafter; j++)
			still |= strcmp(after[j].logical_id, p[i].logical_id) == 0;
		p[i].liftable = !still;
	}
	sf_protection_free(after, nafter);
}

bool sf_deployed_protection(aws_client *aws, const cfn_stack *s, sf_protection **out, size_t *n,
                            cfn_kv **lift, size_t *nlift, lms_error *err)
{
	*out = NULL;
	*n = 0;
	*lift = NULL;
	*nlift = 0;
	const char *id = s->id ? s->id : s->name;
	buf tpl;
	buf_init(&tpl, 0);
	if (!cfn_get_template(aws, id, &tpl, err)) {
		buf_free(&tpl);
		return false;
	}
	*n = sf_find_protection(buf_cstr(&tpl), tpl.len, s, NULL, 0, out, lift, nlift);
	keep_useful_lift(s, *lift, nlift);
	mark_liftable(buf_cstr(&tpl), tpl.len, s, *lift, *nlift, *out, *n);
	buf_free(&tpl);
	for (size_t i = 0; i < *n; i++) {
		lms_error ignored = {0}; /* without it, the lift command names a placeholder */
		if (!cfn_describe_stack_resource(aws, id, (*out)[i].logical_id, &(*out)[i].physical,
		                                 &ignored))
			lms_error_clear(&ignored);
	}
	return true;
}

/* One line, no newline. */
void sf_lift_command(const aws_client *aws, const sf_protection *p, const char *region,
                     const char *physical, buf *out)
{
	const char *id = physical ? physical : "<physical id>";
	const char *service = NULL; /* of the aws command; NULL: none */
	if (strcmp(p->type, "AWS::RDS::DBCluster") == 0) {
		service = "rds";
		buf_addf(out,
		         "aws rds modify-db-cluster --region %s --db-cluster-identifier %s "
		         "--no-deletion-protection --apply-immediately",
		         region, id);
	} else if (strcmp(p->type, "AWS::RDS::DBInstance") == 0) {
		service = "rds";
		buf_addf(out,
		         "aws rds modify-db-instance --region %s --db-instance-identifier %s "
		         "--no-deletion-protection --apply-immediately",
		         region, id);
	} else if (strcmp(p->type, "AWS::ElasticLoadBalancingV2::LoadBalancer") == 0) {
		/* the endpoint's service id, as AWS_ENDPOINT_URL_<SERVICE> names it */
		service = "elastic-load-balancing-v2";
		buf_addf(out,
		         "aws elbv2 modify-load-balancer-attributes --region %s "
		         "--load-balancer-arn "
		         "%s --attributes Key=deletion_protection.enabled,Value=false",
		         region, id);
	} else if (strcmp(p->type, "AWS::DynamoDB::Table") == 0) {
		service = "dynamodb";
		buf_addf(out,
		         "aws dynamodb update-table --region %s --table-name %s "
		         "--no-deletion-protection-enabled",
		         region, id);
	} else {
		buf_addf(out, "turn %s off on %s in the %s console", p->property, id, p->type);
	}
	if (service)
		aws_cli_endpoint_option(aws, service, out);
}
