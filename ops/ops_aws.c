/* The console's AWS backend: the jobs of ops/ops.h run with the same calls as `lmsctl
 * deploy` and `destroy` (aws/, ops/stackflow.h), on the runner's worker thread. One
 * client at a time, used by one job at a time (the runner never runs two). */
#define _GNU_SOURCE /* gmtime_r */
#include "ops/ops.h"

#include "aws/cfn.h"
#include "aws/credentials.h"
#include "aws/http.h"
#include "aws/provider.h"
#include "aws/s3.h"
#include "aws/sts.h"
#include "common/buf.h"
#include "model/analysis.h"
#include "ops/envflow.h"
#include "ops/flow.h"
#include "ops/leftovers.h"
#include "ops/stackdrift.h"
#include "ops/stackflow.h"
#include "ops/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct awsb {
	char *profile, *endpoint_url;
	long timeout_ms, backoff_unit_ms;
	bool write_outputs;
	char *region;          /* the client's */
	provider_cache *creds; /* renewed by the client as they expire */
	aws_client *aws;
	sts_identity who;
	bool have_identity;
	ops_sink *sink;          /* the running job's */
	char *change_set;        /* the name of the last change set planned, for the journal */
	char *stack_id;          /* the stack's id when known: a deleted stack is found by id */
	const char *phase;       /* the running operation's, posted once it started (sf_run) */
	const char *plan_sha256; /* the planned template's, for the plan's phases */
	/* the companion stack (ops_request.edge): its client, and its deploy from PLAN to
	 * EXECUTE (ed.plan: the change set the review showed, or none when it was pending) */
	ef_companion edge;
	char *edge_region;
	ef_deploy ed;
} awsb;

static char *dup_opt(const char *s)
{
	return s && s[0] ? strdup(s) : NULL;
}

static void set_str(char **dst, const char *src)
{
	char *s = src ? strdup(src) : NULL;
	free(*dst);
	*dst = s;
}

/* ---- hooks ---------------------------------------------------------------- */

static void on_call(void *ctx, const aws_call_record *rec)
{
	awsb *b = ctx;
	if (!b->sink)
		return;
	buf cli;
	buf_init(&cli, 0);
	aws_cli_command(rec, &cli);
	ops_post_call(b->sink, rec->req->service, rec->req->operation, rec->started, rec->ms,
	              (int)rec->status, rec->request_id ? rec->request_id : "",
	              rec->error ? rec->error : "", cli.failed ? "" : buf_cstr(&cli));
	buf_free(&cli);
}

static bool hook_stopped(void *ctx)
{
	awsb *b = ctx;
	return b->sink && ops_stopped(b->sink);
}

static bool hook_pause(void *ctx, int seconds)
{
	awsb *b = ctx;
	return ops_sleep(b->sink, seconds * 1000);
}

static void hook_event(void *ctx, const cfn_event *e)
{
	awsb *b = ctx;
	ops_post_event(b->sink, e->timestamp ? (double)e->timestamp : ops_now(), e->logical_id,
	               e->resource_type, e->status, e->reason);
}

static sf_hooks hooks(awsb *b)
{
	return (sf_hooks){b, hook_event, hook_pause, hook_stopped};
}

/* ---- messages ----------------------------------------------------------------- */

static void post_error(awsb *b, const char *what, lms_error *err)
{
	if (ops_stopped(b->sink)) {
		lms_error_clear(err);
		return; /* detached: the console said so already */
	}
	bool has = err && err->msg;
	ops_post_text(b->sink, OPS_MSG_ERROR, "%s%s%s", what ? what : "", what && has ? ": " : "",
	              has    ? err->msg
	              : what ? ""
	                     : "failed");
	lms_error_clear(err);
}

static void post_outputs(awsb *b, const cfn_stack *s)
{
	ops_output *v = calloc(s->noutputs + 1, sizeof(*v));
	if (!v)
		return;
	for (size_t i = 0; i < s->noutputs; i++) /* borrowed: ops_post_outputs copies */
		v[i] =
		    (ops_output){s->outputs[i].key, s->outputs[i].value, s->outputs[i].description};
	ops_post_outputs(b->sink, v, s->noutputs);
	free(v);
}

static void journal(awsb *b, const ops_request *rq, const char *job, const char *change_set,
                    const char *result)
{
	char command[48];
	snprintf(command, sizeof command, "console %s", job);
	sf_journal_entry e = {.command = command,
	                      .caller = b->have_identity ? b->who.arn : NULL,
	                      .account = b->have_identity ? b->who.account : NULL,
	                      .region = rq->region,
	                      .stack = rq->stack,
	                      .change_set = change_set,
	                      .result = result};
	lms_error err = {0};
	if (!sf_journal(&e, &err))
		ops_post_text(b->sink, OPS_MSG_PHASE, "warning: %s", err.msg ? err.msg : "journal");
	lms_error_clear(&err);
}

/* ---- connecting --------------------------------------------------------------- */

static void edge_disconnect(awsb *b)
{
	ef_deploy_free(&b->ed);
	b->ed.c = NULL;
	ef_close(&b->edge); /* its client and stack name; it has no catalog or model here */
	free(b->edge_region);
	b->edge_region = NULL;
}

static void disconnect(awsb *b)
{
	edge_disconnect(b);
	aws_client_free(b->aws);
	b->aws = NULL;
	provider_cache_free(b->creds);
	b->creds = NULL;
	sts_identity_free(&b->who);
	memset(&b->who, 0, sizeof(b->who));
	b->have_identity = false;
	free(b->region);
	b->region = NULL;
}

/* The options of every client: the command line's, this backend's hooks. */
static sf_connect_options connect_options(awsb *b, const char *region)
{
	return (sf_connect_options){.profile = b->profile,
	                            .region = region,
	                            .endpoint_url = b->endpoint_url,
	                            .timeout_ms = b->timeout_ms,
	                            .backoff_unit_ms = b->backoff_unit_ms,
	                            .interrupted = hook_stopped,
	                            .interrupt_ctx = b,
	                            .on_call = on_call,
	                            .on_call_ctx = b};
}

/* Credentials, client and identity for the request's region; posts IDENTITY when it
 * connects. False with an ERROR posted when it cannot. */
static bool aws_connect(awsb *b, const ops_request *rq)
{
	if (b->aws && b->region && strcmp(b->region, rq->region) == 0)
		return true;
	disconnect(b);
	if (!rq->region[0]) {
		ops_post_text(b->sink, OPS_MSG_ERROR,
		              "the model has no region: set region (lmsctl-model(5))");
		return false;
	}
	lms_error err = {0};
	sf_connect_options co = connect_options(b, rq->region);
	sf_session ses;
	credentials_status st = CREDENTIALS_OK;
	sf_connect_step failed = sf_connect(&co, &ses, &st, &err);
	/* disconnect frees what was made */
	b->creds = ses.creds;
	b->aws = ses.aws;
	b->who = ses.who;
	b->have_identity = ses.have_identity;
	b->region = strdup(rq->region);
	if (failed == SF_CONNECT_CREDENTIALS) {
		post_error(b, NULL, &err); /* it says what is missing and where it looked */
		disconnect(b);
		return false;
	}
	if (failed == SF_CONNECT_CLIENT || !b->region) {
		post_error(b, "cannot make the AWS client", &err);
		disconnect(b);
		return false;
	}
	if (failed == SF_CONNECT_IDENTITY) {
		buf what;
		buf_init(&what, 0);
		buf_addf(&what, "cannot confirm who the credentials (%s) belong to",
		         provider_cache_source(b->creds));
		post_error(b, buf_cstr(&what), &err);
		buf_free(&what);
		disconnect(b);
		return false;
	}
	ops_post_identity(b->sink, b->who.account, b->who.arn);
	return true;
}

/* A client for the companion's Region (the same credentials), after aws_connect; true with
 * nothing to do when the request has no companion. False with an ERROR posted. */
static bool edge_connect(awsb *b, const ops_request *rq)
{
	const ops_edge *e = &rq->edge;
	if (!e->stack)
		return true;
	if (b->edge.aws && b->edge.stack && strcmp(b->edge.stack, e->stack) == 0 &&
	    strcmp(b->edge_region, e->region) == 0)
		return true;
	edge_disconnect(b);
	b->edge.stack = strdup(e->stack);
	b->edge_region = strdup(e->region);
	b->edge.region = b->edge_region;
	b->ed.c = &b->edge;
	lms_error err = {0};
	sf_connect_options co = connect_options(b, e->region);
	if (!b->edge.stack || !b->edge_region || !ef_connect(&b->edge, &co, b->creds, &err)) {
		post_error(b, "cannot make the AWS client for the edge stack's Region", &err);
		edge_disconnect(b);
		return false;
	}
	return true;
}

/* DescribeStacks; *s NULL when there is no stack. Posts STACK; false (ERROR posted) when
 * the call fails. */
static bool describe(awsb *b, const ops_request *rq, cfn_stack **s)
{
	lms_error err = {0};
	*s = NULL;
	if (!cfn_describe_stack(b->aws, rq->stack, s, &err)) {
		post_error(b, "cannot read the stack", &err);
		return false;
	}
	if (*s) {
		set_str(&b->stack_id, (*s)->id);
		ops_post_stack(b->sink, true, (*s)->status, (*s)->status_reason);
	} else {
		set_str(&b->stack_id, NULL); /* the model may name another stack now */
		ops_post_stack(b->sink, false, "", "");
	}
	return true;
}

/* ---- following ------------------------------------------------------------------- */

static void post_resources(awsb *b, aws_client *aws, const char *stack);

/* How an operation followed to its end came out (`fr`, the settled stack `final`, the first
 * failure): posts the stack's status, its resources and, when `outputs`, its outputs, and
 * journals it; returns whether it ended in `want` (NULL: any success). Frees final and
 * first. */
static bool settle(awsb *b, const ops_request *rq, sf_follow_result fr, cfn_stack *final,
                   sf_failure *first_failure, lms_error *error, const char *want, bool outputs,
                   const char *job)
{
	sf_failure first = *first_failure;
	lms_error err = *error;
	*error = (lms_error){0};
	bool ok = false;
	if (fr == SF_INTERRUPTED) {
		lms_error_clear(&err);
		journal(b, rq, job, b->change_set, "detached while following");
	} else if (fr == SF_ERROR) {
		post_error(b, "lost track of the stack (s in the console, or lmsctl status)", &err);
		journal(b, rq, job, b->change_set, "unknown: lost track");
	} else if (!final) {
		ops_post_stack(b->sink, false, "DELETE_COMPLETE", "");
		ok = want && strcmp(want, "DELETE_COMPLETE") == 0;
		if (!ok)
			ops_post_text(b->sink, OPS_MSG_ERROR, "stack %s disappeared", rq->stack);
		journal(b, rq, job, b->change_set, "DELETE_COMPLETE");
	} else {
		ops_post_stack(b->sink, strcmp(final->status, "DELETE_COMPLETE") != 0,
		               final->status, final->status_reason);
		ok = want ? strcmp(final->status, want) == 0 : ops_status_succeeded(final->status);
		if (strcmp(final->status, "DELETE_COMPLETE") != 0)
			post_resources(b, b->aws, final->id ? final->id : rq->stack);
		if (ok && outputs) {
			post_outputs(b, final);
			if (b->write_outputs && !sf_write_flat_outputs(final, &err))
				post_error(b, "the stack is deployed, but", &err);
		}
		if (!ok) {
			if (first.logical_id)
				ops_post_text(b->sink, OPS_MSG_ERROR,
				              "%s is %s; first failure: %s (%s) %s: %s", rq->stack,
				              final->status, first.logical_id, first.type,
				              first.status, first.reason);
			else
				ops_post_text(b->sink, OPS_MSG_ERROR, "%s is %s%s%s", rq->stack,
				              final->status, final->status_reason ? ": " : "",
				              final->status_reason ? final->status_reason : "");
		}
		journal(b, rq, job, b->change_set, final->status);
	}
	cfn_stack_free(final);
	sf_failure_free(&first);
	lms_error_clear(&err);
	return ok;
}

/* Follows the stack to the end of the operation running on it (settle says how it came
 * out). */
static bool follow(awsb *b, const ops_request *rq, cfn_event_tracker *t, const char *want,
                   bool outputs, const char *job)
{
	sf_hooks h = hooks(b);
	cfn_stack *final = NULL;
	sf_failure first = {0};
	lms_error err = {0};
	sf_follow_result fr =
	    sf_follow(b->aws, t, rq->stack, b->stack_id, false, &h, &final, &first, &err);
	return settle(b, rq, fr, final, &first, &err, want, outputs, job);
}

/* The state of every resource once the stack settles: what the events did not say
 * (an emulator without resource events, a watch that started late) is on screen. */
static void post_resources(awsb *b, aws_client *aws, const char *stack)
{
	cfn_event *res = NULL;
	size_t n = 0;
	lms_error err = {0};
	if (!cfn_list_stack_resources(aws, stack, &res, &n, &err)) {
		lms_error_clear(&err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		hook_event(b, &res[i]);
		cfn_event_clear(&res[i]);
	}
	free(res);
}

/* ---- jobs ----------------------------------------------------------------------------- */

/* The deployed stack's parameters (OPS_MSG_PARAMETERS): the deployed diff, and the values
 * the pipeline owns, which the params view shows read-only. */
static void post_stack_parameters(awsb *b, const cfn_stack *st)
{
	ops_output *v = calloc(st->nparameters + 1, sizeof(*v));
	for (size_t i = 0; v && i < st->nparameters; i++)
		v[i] = (ops_output){st->parameters[i].key, st->parameters[i].value, ""};
	if (v)
		ops_post_parameters(b->sink, v, st->nparameters); /* copies */
	free(v);
}

/* DescribeStacks of the companion, posted as the edge's STACK; *s NULL when there is none
 * (s NULL: not kept). False with an ERROR posted when the call fails. */
static bool edge_describe(awsb *b, cfn_stack **s)
{
	cfn_stack *st = NULL;
	lms_error err = {0};
	ops_sink_edge(b->sink, true);
	bool ok = cfn_describe_stack(b->edge.aws, b->edge.stack, &st, &err);
	if (!ok)
		post_error(b, "cannot read the edge stack", &err);
	else if (st)
		ops_post_stack(b->sink, true, st->status, st->status_reason);
	else
		ops_post_stack(b->sink, false, "", "");
	ops_sink_edge(b->sink, false);
	if (s)
		*s = st;
	else
		cfn_stack_free(st);
	return ok;
}

static bool job_startup(awsb *b, const ops_request *rq)
{
	if (!aws_connect(b, rq))
		return false;
	cfn_stack *s = NULL;
	bool ok = describe(b, rq, &s);
	if (ok && s)
		post_stack_parameters(b, s);
	cfn_stack_free(s);
	if (ok && rq->edge.stack)
		ok = edge_connect(b, rq) && edge_describe(b, NULL);
	return ok;
}

/* A change set message with its id, name and reason (NULL: "") and room for `n` changes;
 * NULL when out of memory. */
static ops_msg *changeset_msg(const char *id, const char *name, const char *reason, size_t n)
{
	ops_msg *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->kind = OPS_MSG_CHANGESET;
	ops_changeset *o = &m->u.cs;
	o->id = strdup(id ? id : "");
	o->name = strdup(name ? name : "");
	o->status_reason = strdup(reason ? reason : "");
	o->v = calloc(n + 1, sizeof(ops_change));
	if (!o->id || !o->name || !o->status_reason || !o->v) {
		ops_msg_free(m);
		return NULL;
	}
	return m;
}

/* Posts `m` when it was made whole (`ok`), else frees it; returns `ok`. */
static bool post_or_drop(awsb *b, ops_msg *m, bool ok)
{
	if (!ok) {
		ops_msg_free(m);
		return false;
	}
	ops_post(b->sink, m);
	return true;
}

/* Posts the change set for review; false when out of memory. */
static bool post_changeset(awsb *b, const ops_request *rq, const cfn_change_set *cs,
                           bool creates_stack, bool empty, bool opened)
{
	size_t n = empty ? 0 : cs->nchanges;
	ops_msg *m = changeset_msg(cs->id, cs->name, cs->status_reason, n);
	if (!m)
		return false;
	ops_changeset *o = &m->u.cs;
	memcpy(o->sha256, opened ? "" : rq->sha256, opened ? 1 : sizeof(o->sha256));
	o->creates_stack = creates_stack;
	o->opened = opened;
	bool ok = true;
	for (size_t i = 0; ok && i < n; i++) {
		const cfn_change *c = &cs->changes[i];
		ops_change *d = &o->v[i];
		d->action = ops_action_of(c->action);
		d->replacement = ops_replacement_of(c->replacement);
		d->logical_id = strdup(c->logical_id ? c->logical_id : "?");
		d->physical_id = strdup(c->physical_id ? c->physical_id : "");
		d->type = strdup(c->resource_type ? c->resource_type : "?");
		d->replace_because = strdup(c->replacing_properties ? c->replacing_properties : "");
		d->stateful = type_is_stateful(c->resource_type);
		o->n++;
		ok = d->logical_id && d->physical_id && d->type && d->replace_because;
	}
	return post_or_drop(b, m, ok);
}

/* The stack's state decides the change set's type; false (ERROR posted) when the stack
 * cannot take a change set now. */
static bool change_set_type(awsb *b, const cfn_stack *s, const char **type)
{
	const char *why = NULL;
	switch (ops_deploy_gate(s ? s->status : NULL)) {
	case OPS_GATE_CREATE:
		*type = "CREATE";
		return true;
	case OPS_GATE_UPDATE:
		*type = "UPDATE";
		return true;
	case OPS_GATE_DELETE_FIRST:
		why = "its creation failed: X deletes it, then D deploys it again";
		break;
	case OPS_GATE_CONTINUE_ROLLBACK:
		why = "an update and its rollback failed: c continues the rollback";
		break;
	case OPS_GATE_DELETE_FAILED:
		why = "a delete failed: X finishes deleting it";
		break;
	case OPS_GATE_BUSY:
		why = "an operation is running on it: wait for it to settle";
		break;
	}
	*type = "UPDATE";
	ops_post_text(b->sink, OPS_MSG_ERROR, "stack %s is %s: %s", s->name ? s->name : "?",
	              s->status, why);
	return false;
}

/* The plan's steps as the console's phases. */
static void plan_progress(void *ctx, const sf_plan_progress *p)
{
	awsb *b = ctx;
	if (p->step == SF_PLAN_UPLOAD && !p->done) {
		ops_post_text(b->sink, OPS_MSG_PHASE, "uploading the template (%zu bytes) to S3",
		              p->template_len);
	} else if (p->step == SF_PLAN_CREATE) {
		set_str(&b->change_set, p->name);
		ops_post_text(b->sink, OPS_MSG_PHASE, "creating change set %s (%s, template %.12s)",
		              p->name, p->type, b->plan_sha256 ? b->plan_sha256 : "");
	} else if (p->step == SF_PLAN_WAIT) {
		ops_post_text(b->sink, OPS_MSG_PHASE, "waiting for change set %s", p->name);
	}
}

static const char *plan_failure(sf_plan_step step)
{
	switch (step) {
	case SF_PLAN_UPLOAD:
		return "cannot upload the template";
	case SF_PLAN_CREATE:
		return "cannot create the change set";
	case SF_PLAN_WAIT:
		return "the change set did not become ready";
	default:
		return NULL;
	}
}

static bool discard(awsb *b, const ops_request *rq, const char *id);

/* The request as one about the edge stack (its name and Region; borrowed): the journal's. */
static ops_request edge_request(const ops_request *rq)
{
	ops_request e = *rq;
	e.stack = rq->edge.stack;
	e.region = rq->edge.region;
	return e;
}

/* The request's ops_param list as cfn_kv (the strings borrowed: free the array only). */
static cfn_kv *kv_of(const ops_param *v, size_t n)
{
	cfn_kv *kv = calloc(n + 1, sizeof(*kv));
	for (size_t i = 0; kv && i < n; i++)
		kv[i] = (cfn_kv){v[i].key, v[i].value, v[i].no_echo, v[i].keep_previous};
	return kv;
}

/* The values the edge's change set sends once the main stack is `main`; false (ERROR
 * posted) when out of memory. NoEcho ones are masked in the API log. */
static bool edge_params(awsb *b, const ops_request *rq, const cfn_stack *main, cfn_kv **p,
                        size_t *n)
{
	cfn_kv *base = kv_of(rq->edge.params, rq->edge.nparams);
	cfn_kv *from = kv_of(rq->edge.from, rq->edge.nfrom);
	bool ok = base && from &&
	          ef_params_from(base, rq->edge.nparams, from, rq->edge.nfrom, main, p, n);
	free(base);
	free(from);
	if (!ok) {
		ops_post_text(b->sink, OPS_MSG_ERROR, "out of memory");
		return false;
	}
	for (size_t i = 0; i < *n; i++)
		if ((*p)[i].no_echo)
			aws_client_mask(b->edge.aws, (*p)[i].value);
	return true;
}

/* What the edge's change set is made with besides its template and parameters: an update
 * keeps the edge stack's role, a creation takes the main stack's (IAM roles are global), as
 * `lmsctl deploy` does. */
static sf_plan_request edge_plan_request(awsb *b, const ops_request *rq, const cfn_stack *main)
{
	return (sf_plan_request){.account = b->who.account,
	                         .environment = rq->environment,
	                         .role_arn =
	                             b->ed.gate == EF_GATE_UPDATE || !main ? NULL : main->role_arn};
}

/* The edge's change set not made yet (its parameters wait for the main stack's outputs):
 * its template's resources, posted as a pending change set. */
static bool post_pending(awsb *b, const ops_request *rq)
{
	ops_msg *m = changeset_msg("", "", "", rq->edge.nresources);
	if (!m)
		return false;
	ops_changeset *o = &m->u.cs;
	bool update = b->ed.gate == EF_GATE_UPDATE;
	o->pending = true;
	o->creates_stack = !update;
	bool ok = true;
	for (size_t i = 0; ok && i < rq->edge.nresources; i++) {
		const ops_resource *r = &rq->edge.resources[i];
		ops_change *d = &o->v[o->n++];
		*d = (ops_change){update ? OPS_MODIFY : OPS_ADD,
		                  OPS_REPL_NEVER,
		                  strdup(r->logical_id),
		                  strdup(""),
		                  strdup(r->type),
		                  strdup(""),
		                  type_is_stateful(r->type)};
		ok = d->logical_id && d->physical_id && d->type && d->replace_because;
	}
	return post_or_drop(b, m, ok);
}

/* The edge's change set with the outputs of `main`, posted for the same review. */
static bool edge_change_set(awsb *b, const ops_request *rq, const cfn_stack *main)
{
	ef_deploy *e = &b->ed;
	cfn_kv *p = NULL;
	size_t n = 0;
	if (!edge_params(b, rq, main, &p, &n))
		return false;
	sf_plan_request pr = edge_plan_request(b, rq, main);
	sf_hooks h = hooks(b);
	lms_error err = {0};
	ops_post_text(b->sink, OPS_MSG_PHASE, "creating the change set of the edge stack %s (%s)",
	              b->edge.stack, b->edge.region);
	if (!ef_deploy_plan(e, &pr, rq->edge.template_text, rq->edge.template_len, p, n, &h,
	                    &err)) {
		post_error(b, "cannot create the edge stack's change set", &err);
		return false;
	}
	const cfn_change_set *cs = e->plan.cs;
	if (cfn_change_set_is_empty(cs)) {
		if (!cfn_delete_change_set(b->edge.aws, b->edge.stack, e->plan.cs_id, &err))
			lms_error_clear(&err);
		cfn_change_set shown = *cs;
		shown.id = NULL;
		shown.name = NULL;
		return post_changeset(b, rq, &shown, e->gate != EF_GATE_UPDATE, true, false);
	}
	if (strcmp(cs->status, "FAILED") == 0) {
		ops_post_text(b->sink, OPS_MSG_ERROR,
		              "the change set of the edge stack %s failed: %s", b->edge.stack,
		              cs->status_reason ? cs->status_reason : "no reason");
		if (!cfn_delete_change_set(b->edge.aws, b->edge.stack, e->plan.cs_id, &err))
			lms_error_clear(&err);
		return false;
	}
	return post_changeset(b, rq, cs, e->gate != EF_GATE_UPDATE, false, false);
}

/* The edge's part of the plan (ops/envflow.h): its gate, then its change set when the main
 * stack's outputs are known (`main`: an update), else its template's resources (pending).
 * Posted as the edge's; false with an ERROR posted. */
static bool edge_plan(awsb *b, const ops_request *rq, const cfn_stack *main)
{
	if (!edge_connect(b, rq))
		return false;
	ef_deploy *e = &b->ed;
	ef_deploy_free(e);
	e->c = &b->edge;
	ops_sink_edge(b->sink, true);
	buf why;
	buf_init(&why, 0);
	lms_error err = {0};
	ef_gate g = ef_deploy_gate(e, &why, &err);
	bool ok = false;
	if (g == EF_GATE_ERROR) {
		post_error(b, "cannot read the edge stack", &err);
	} else if (g == EF_GATE_REFUSED) {
		ops_post_text(b->sink, OPS_MSG_ERROR, "%s: nothing deployed", buf_cstr(&why));
		ops_post_stack(b->sink, true, e->stack->status, e->stack->status_reason);
	} else {
		ops_post_stack(b->sink, e->stack != NULL, e->stack ? e->stack->status : "",
		               e->stack ? e->stack->status_reason : "");
		ok = !main || g == EF_GATE_RECREATE ? post_pending(b, rq)
		                                    : edge_change_set(b, rq, main);
	}
	buf_free(&why);
	ops_sink_edge(b->sink, false);
	return ok;
}

static bool job_plan(awsb *b, const ops_request *rq)
{
	if (!aws_connect(b, rq))
		return false;
	cfn_stack *s = NULL;
	if (!describe(b, rq, &s))
		return false;
	const char *type;
	if (!change_set_type(b, s, &type)) {
		cfn_stack_free(s);
		return false;
	}
	bool update = strcmp(type, "UPDATE") == 0;
	/* an update keeps the stack's service role, as `lmsctl deploy` does */
	char *role = update && s->role_arn ? strdup(s->role_arn) : NULL;
	if (rq->template_len > CFN_MAX_TEMPLATE_URL_BODY) {
		ops_post_text(b->sink, OPS_MSG_ERROR,
		              "the template is %zu bytes, over CloudFormation's limit of %d",
		              rq->template_len, CFN_MAX_TEMPLATE_URL_BODY);
		free(role);
		cfn_stack_free(s);
		return false;
	}
	cfn_kv *params = calloc(rq->nparams + 1, sizeof(*params));
	if (!params) {
		ops_post_text(b->sink, OPS_MSG_ERROR, "out of memory");
		free(role);
		cfn_stack_free(s);
		return false;
	}
	for (size_t i = 0; i < rq->nparams; i++) {
		params[i] = (cfn_kv){rq->params[i].key, rq->params[i].value, rq->params[i].no_echo,
		                     rq->params[i].keep_previous};
		if (rq->params[i].no_echo)
			aws_client_mask(b->aws, rq->params[i].value);
	}
	sf_plan_request pr = {.stack = rq->stack,
	                      .region = rq->region,
	                      .environment = rq->environment,
	                      .account = b->who.account,
	                      .type = type,
	                      .role_arn = role,
	                      .template_text = rq->template_text,
	                      .template_len = rq->template_len,
	                      .params = params,
	                      .nparams = rq->nparams};
	sf_hooks h = hooks(b);
	sf_plan plan;
	lms_error err = {0};
	b->plan_sha256 = rq->sha256;
	bool ok = sf_plan_change_set(b->aws, &pr, &h, plan_progress, &plan, &err);
	b->plan_sha256 = NULL;
	if (!ok)
		post_error(b, plan_failure(plan.failed), &err);
	cfn_change_set *cs = plan.cs;
	if (ok && cs->stack_id)
		set_str(&b->stack_id, cs->stack_id);
	if (ok && cfn_change_set_is_empty(cs) && rq->edge.stack) {
		/* nothing to execute here: deleted now, the edge may still have work (its id "") */
		if (!cfn_delete_change_set(b->aws, rq->stack, plan.cs_id, &err))
			lms_error_clear(&err);
		cfn_change_set shown = *cs;
		shown.id = NULL;
		shown.name = NULL;
		ok = post_changeset(b, rq, &shown, !update, true, false) &&
		     edge_plan(b, rq, update ? s : NULL);
	} else if (ok && cfn_change_set_is_empty(cs)) {
		/* the console discards it (OPS_DISCARD) and says there is nothing to do */
		ok = post_changeset(b, rq, cs, !update, true, false);
	} else if (ok && strcmp(cs->status, "FAILED") == 0) {
		ops_post_text(b->sink, OPS_MSG_ERROR, "the change set failed: %s",
		              cs->status_reason ? cs->status_reason : "no reason given");
		if (!cfn_delete_change_set(b->aws, rq->stack, plan.cs_id, &err))
			lms_error_clear(&err);
		ok = false;
	} else if (ok) {
		ok = post_changeset(b, rq, cs, !update, false, false);
		if (ok && !update) /* CloudFormation made the stack, empty, for the change set */
			ops_post_stack(b->sink, true, "REVIEW_IN_PROGRESS", "");
		if (ok && rq->edge.stack && !edge_plan(b, rq, update ? s : NULL)) {
			discard(b, rq, plan.cs_id); /* no review of half the environment */
			ok = false;
		}
	}
	sf_plan_free(&plan);
	free(params);
	free(role);
	cfn_stack_free(s);
	return ok;
}

/* OPS_OPEN: the change set named in rq->changeset_id, if it is this stack's and can be
 * executed (sf_change_set_refusal, as `lmsctl deploy --change-set`), posted for review. */
static bool job_open(awsb *b, const ops_request *rq)
{
	if (!aws_connect(b, rq))
		return false;
	cfn_stack *s = NULL;
	if (!describe(b, rq, &s))
		return false;
	const char *name = rq->changeset_id;
	cfn_change_set *cs = NULL;
	lms_error err = {0};
	if (s && !cfn_describe_change_set(b->aws, rq->stack, name, &cs, &err)) {
		char what[320];
		snprintf(what, sizeof what, "change set %s of stack %s cannot be read", name,
		         rq->stack);
		post_error(b, what, &err);
		cfn_stack_free(s);
		return false;
	}
	const char *why = cs ? sf_change_set_refusal(cs, s) : "the stack does not exist";
	bool ok = why == NULL;
	if (!ok)
		ops_post_text(b->sink, OPS_MSG_ERROR,
		              "refusing change set %s of stack %s: %s (status %s, execution "
		              "status %s)",
		              name, rq->stack, why, cs && cs->status ? cs->status : "-",
		              cs && cs->execution_status ? cs->execution_status : "-");
	else {
		set_str(&b->change_set, cs->name ? cs->name : name); /* for the journal */
		ok = post_changeset(b, rq, cs, strcmp(s->status, "REVIEW_IN_PROGRESS") == 0,
		                    cfn_change_set_is_empty(cs), true);
	}
	cfn_change_set_free(cs);
	cfn_stack_free(s);
	return ok;
}

/* Deletes change set `id` of the main stack; a CREATE change set made an empty stack
 * (REVIEW_IN_PROGRESS): it goes too, so that a declined first deploy leaves nothing behind. */
static bool discard(awsb *b, const ops_request *rq, const char *id)
{
	lms_error err = {0};
	if (!cfn_delete_change_set(b->aws, rq->stack, id, &err)) {
		post_error(b, "cannot delete the change set", &err);
		return false;
	}
	journal(b, rq, "deploy", b->change_set, "discarded"); /* declined, or empty */
	cfn_stack *s = NULL;
	if (!describe(b, rq, &s))
		return false;
	bool ok = true;
	if (s && strcmp(s->status, "REVIEW_IN_PROGRESS") == 0) {
		buf token;
		buf_init(&token, 0);
		ok = cfn_new_token(&token) && cfn_delete_stack(b->aws, s->id ? s->id : rq->stack,
		                                               NULL, buf_cstr(&token), &err);
		buf_free(&token);
		if (ok) {
			ops_post_stack(b->sink, false, "", "");
			ops_post_text(b->sink, OPS_MSG_PHASE,
			              "deleted the empty stack the change set had made");
		} else {
			post_error(b, "cannot delete the empty stack (REVIEW_IN_PROGRESS)", &err);
		}
	}
	cfn_stack_free(s);
	return ok;
}

/* The declined review: the main stack's change set (none when it had no changes), then the
 * edge's (none when it was pending or empty). */
static bool job_discard(awsb *b, const ops_request *rq)
{
	if (!aws_connect(b, rq))
		return false;
	bool ok = !rq->changeset_id[0] || discard(b, rq, rq->changeset_id);
	if (rq->edge.stack && rq->edge.changeset_id[0] && edge_connect(b, rq)) {
		lms_error err = {0};
		ops_sink_edge(b->sink, true);
		if (!cfn_delete_change_set(b->edge.aws, b->edge.stack, rq->edge.changeset_id,
		                           &err)) {
			post_error(b, "cannot delete the edge stack's change set", &err);
			ok = false;
		}
		ops_sink_edge(b->sink, false);
		ef_deploy_free(&b->ed);
	}
	return ok;
}

/* ---- acting on the stack, then following it ---------------------------------------- */

typedef struct operation {
	const char *job;     /* for the journal: deploy, destroy, cancel, ... */
	const char *api;     /* for the journal: "failed: ExecuteChangeSet" */
	const char *refused; /* "cannot execute the change set" */
	const char *phase;   /* what the screen says while it runs */
	const char *want;    /* the status it should end in; NULL: any success */
	bool after_execute;  /* REVIEW_IN_PROGRESS is not settled yet */
	bool outputs;        /* post the outputs once it succeeds */
} operation;

typedef enum { OP_REFUSED, OP_FAILED, OP_DONE } op_result;

static void post_started(void *ctx)
{
	awsb *b = ctx;
	ops_post_text(b->sink, OPS_MSG_PHASE, "%s", b->phase);
}

/* Runs the operation `run` names (its call, target and role) on the stack: marks the
 * events so far as seen, makes the call, then follows the stack to the end of the
 * operation (sf_run). OP_REFUSED when the call failed, with the error posted. */
static op_result act(awsb *b, const ops_request *rq, sf_operation *run, const operation *op)
{
	run->events_of = b->stack_id ? b->stack_id : rq->stack;
	run->stack = rq->stack;
	run->id = b->stack_id;
	run->after_execute = op->after_execute;
	run->started = post_started;
	b->phase = op->phase;
	sf_hooks h = hooks(b);
	cfn_stack *final = NULL;
	sf_failure first = {0};
	lms_error err = {0};
	sf_run_result rr = sf_run(b->aws, run, &h, &final, &first, &err);
	b->phase = NULL;
	if (rr == SF_RUN_REFUSED) {
		post_error(b, op->refused, &err);
		char result[96];
		snprintf(result, sizeof result, "failed: %s", op->api);
		journal(b, rq, op->job, b->change_set, result);
		cfn_stack_free(final);
		sf_failure_free(&first);
		return OP_REFUSED;
	}
	sf_follow_result fr = rr == SF_RUN_SETTLED ? SF_SETTLED
	                      : rr == SF_RUN_LOST  ? SF_ERROR
	                                           : SF_INTERRUPTED;
	return settle(b, rq, fr, final, &first, &err, op->want, op->outputs, op->job) ? OP_DONE
	                                                                              : OP_FAILED;
}

/* The edge stack's state at the end, posted as the edge's: its status, resources and, when
 * it succeeded, outputs (and the flat outputs of both stacks); else why, and that the main
 * stack stays. Frees final and first. */
static bool edge_settled(awsb *b, const ops_request *rq, const cfn_stack *main, sf_run_result rr,
                         cfn_stack *final, sf_failure *first, lms_error *err)
{
	ops_request er = edge_request(rq);
	const char *stack = b->edge.stack;
	bool ok = false;
	if (rr == SF_RUN_REFUSED || rr == SF_RUN_LOST) {
		ops_post_text(
		    b->sink, OPS_MSG_ERROR,
		    "%s the edge stack %s: %s; the main stack %s is %s and stays: %s",
		    rr == SF_RUN_REFUSED ? "cannot execute the change set of" : "lost track of",
		    stack, err->msg ? err->msg : "no reason given", rq->stack, main->status,
		    rr == SF_RUN_REFUSED ? "D deploys the edge stack again"
		                         : "see its state (s), or lmsctl status");
		journal(b, &er, "deploy", NULL,
		        rr == SF_RUN_REFUSED ? "failed: ExecuteChangeSet" : "unknown: lost track");
	} else if (rr == SF_RUN_INTERRUPTED) {
		journal(b, &er, "deploy", NULL, "detached while following");
	} else if (final) {
		ops_post_stack(b->sink, true, final->status, final->status_reason);
		post_resources(b, b->edge.aws, final->id ? final->id : stack);
		ok = ops_status_succeeded(final->status);
		if (ok) {
			post_outputs(b, final);
			lms_error werr = {0};
			if (b->write_outputs &&
			    !sf_write_flat_outputs_env(main, final, SF_OUTPUTS_FILE, &werr))
				post_error(b, "both stacks are deployed, but", &werr);
		} else {
			ops_post_text(
			    b->sink, OPS_MSG_ERROR,
			    "the edge stack %s failed (%s%s%s%s%s); the main stack %s is %s "
			    "and stays: fix the cause, then D deploys again%s",
			    stack, final->status, first->logical_id ? "; first failure: " : "",
			    first->logical_id ? first->logical_id : "",
			    first->logical_id ? " " : "", first->logical_id ? first->status : "",
			    rq->stack, main->status,
			    strcmp(final->status, "ROLLBACK_COMPLETE") == 0
			        ? " (the failed edge stack is deleted first)"
			        : "");
		}
		journal(b, &er, "deploy", NULL, final->status);
	}
	cfn_stack_free(final);
	sf_failure_free(first);
	lms_error_clear(err);
	return ok;
}

/* A failed creation of the edge (ROLLBACK_COMPLETE: nothing in it) deleted before it is made
 * again; false with an ERROR posted. */
static bool edge_delete_failed(awsb *b, const ops_request *rq)
{
	ef_deploy *e = &b->ed;
	sf_hooks h = hooks(b);
	cfn_stack *final = NULL;
	sf_failure first = {0};
	lms_error err = {0};
	ops_post_text(b->sink, OPS_MSG_PHASE, "deleting the failed edge stack %s first",
	              b->edge.stack);
	sf_run_result rr = ef_destroy(&b->edge, e->stack, NULL, &h, NULL, &final, &first, &err);
	bool ok = rr == SF_RUN_SETTLED && (!final || strcmp(final->status, "DELETE_COMPLETE") == 0);
	if (!ok)
		ops_post_text(
		    b->sink, OPS_MSG_ERROR,
		    "the failed edge stack %s could not be deleted (%s); the main stack %s "
		    "is deployed and stays",
		    b->edge.stack,
		    err.msg ? err.msg
		    : final ? final->status
		            : "?",
		    rq->stack);
	e->gate = EF_GATE_CREATE;
	cfn_stack_free(e->stack);
	e->stack = NULL;
	cfn_stack_free(final);
	sf_failure_free(&first);
	lms_error_clear(&err);
	return ok;
}

/* After the main stack settled: the edge's change set (the reviewed one when the outputs it
 * was made with have not changed, else a new one), executed unless it replaces or removes
 * what the review did not show (ef_after_main_with), and followed. */
static bool edge_execute(awsb *b, const ops_request *rq, const cfn_stack *main)
{
	ef_deploy *e = &b->ed;
	if (!e->planned || !e->plan.cs_id || strcmp(e->plan.cs_id, rq->edge.changeset_id) != 0) {
		ef_deploy_free(e); /* not the reviewed one: nothing it replaces or removes passes */
		e->c = &b->edge;
	}
	buf why;
	buf_init(&why, 0);
	lms_error err = {0};
	ef_gate g = ef_deploy_gate(e, &why, &err);
	if (g == EF_GATE_ERROR || g == EF_GATE_REFUSED) {
		if (g == EF_GATE_ERROR)
			post_error(b, "cannot read the edge stack", &err);
		else
			ops_post_text(b->sink, OPS_MSG_ERROR, "%s; the main stack %s is deployed",
			              buf_cstr(&why), rq->stack);
		buf_free(&why);
		return false;
	}
	buf_free(&why);
	if (g == EF_GATE_RECREATE && !edge_delete_failed(b, rq))
		return false;
	cfn_kv *p = NULL;
	size_t n = 0;
	if (!edge_params(b, rq, main, &p, &n))
		return false;
	sf_plan_request pr = edge_plan_request(b, rq, main);
	sf_hooks h = hooks(b);
	const char *unreviewed = NULL;
	ef_next nx = ef_after_main_with(e, p, n, &pr, rq->edge.template_text, rq->edge.template_len,
	                                &h, &unreviewed, &err);
	if (nx == EF_NEXT_NOTHING) {
		ops_post_text(b->sink, OPS_MSG_PHASE, "no changes: the edge stack %s is up to date",
		              b->edge.stack);
		return true;
	}
	if (nx == EF_NEXT_FAILED) {
		char what[256];
		snprintf(what, sizeof what,
		         "the edge stack's change set (the main stack %s is deployed and stays; D "
		         "deploys the edge again)",
		         rq->stack);
		post_error(b, what, &err);
		return false;
	}
	if (nx == EF_NEXT_UNREVIEWED) {
		ops_post_text(
		    b->sink, OPS_MSG_ERROR,
		    "change set %s of the edge stack %s replaces or removes %s, which the "
		    "review did not show (the main stack's outputs changed): not executed, "
		    "left for review; the main stack %s is deployed: D reviews both again",
		    e->plan.cs->name ? e->plan.cs->name : "?", b->edge.stack, unreviewed,
		    rq->stack);
		return false;
	}
	char phase[192];
	snprintf(phase, sizeof phase, "executing the change set of the edge stack %s (%s)",
	         b->edge.stack, b->edge.region);
	b->phase = phase;
	const char *id = e->stack && e->stack->id ? e->stack->id : NULL;
	sf_operation run = {.call = SF_EXECUTE,
	                    .target = b->edge.stack,
	                    .change_set = e->plan.cs_id,
	                    .events_of = id ? id : b->edge.stack,
	                    .stack = b->edge.stack,
	                    .id = id,
	                    .after_execute = true,
	                    .started = post_started};
	cfn_stack *final = NULL;
	sf_failure first = {0};
	sf_run_result rr = sf_run(b->edge.aws, &run, &h, &final, &first, &err);
	b->phase = NULL;
	bool ok = edge_settled(b, rq, main, rr, final, &first, &err);
	ef_deploy_free(e);
	e->c = &b->edge;
	return ok;
}

/* The edge once the main stack deployed (or had nothing to change): its outputs read again,
 * then edge_execute, its messages the edge's. */
static bool edge_deploy(awsb *b, const ops_request *rq)
{
	cfn_stack *main = NULL;
	lms_error err = {0};
	if (!edge_connect(b, rq))
		return false;
	if (!cfn_describe_stack(b->aws, rq->stack, &main, &err) || !main) {
		post_error(
		    b,
		    "the edge stack is not deployed: the main stack's outputs cannot be read "
		    "(D deploys it)",
		    &err);
		return false;
	}
	ops_sink_edge(b->sink, true);
	bool ok = edge_execute(b, rq, main);
	ops_sink_edge(b->sink, false);
	cfn_stack_free(main);
	return ok;
}

static bool job_execute(awsb *b, const ops_request *rq)
{
	if (!aws_connect(b, rq))
		return false;
	if (!rq->changeset_id[0]) /* the main stack has no changes: the edge alone */
		return !rq->edge.stack || edge_deploy(b, rq);
	char phase[192];
	snprintf(phase, sizeof phase, "executing change set %s",
	         b->change_set ? b->change_set : "");
	operation op = {.job = "deploy",
	                .api = "ExecuteChangeSet",
	                .refused = "cannot execute the change set",
	                .phase = phase,
	                .after_execute = true,
	                .outputs = true};
	sf_operation run = {
	    .call = SF_EXECUTE, .target = rq->stack, .change_set = rq->changeset_id};
	op_result r = act(b, rq, &run, &op);
	if (r == OP_REFUSED) {
		cfn_stack *s = NULL; /* what it left: the console shows it, X deletes it */
		if (describe(b, rq, &s))
			cfn_stack_free(s);
	}
	if (r != OP_DONE && rq->edge.stack && !ops_stopped(b->sink)) /* the error is the main's */
		ops_post_text(b->sink, OPS_MSG_PHASE,
		              "the edge stack %s is not deployed: it follows the main stack, which "
		              "did not deploy",
		              rq->edge.stack);
	if (r != OP_DONE || !rq->edge.stack)
		return r == OP_DONE;
	return edge_deploy(b, rq);
}

/* Whether the dialog named the resource (ops_protected_resources of the same request). */
static bool named(char **names, size_t n, const char *logical_id)
{
	size_t k = strlen(logical_id);
	for (size_t i = 0; i < n; i++)
		if (strncmp(names[i], logical_id, k) == 0 && names[i][k] == ' ')
			return true;
	return false;
}

/* What stands in the way of deleting the stack; true when lmsctl may lift all of it: the
 * deletion protection it cannot lift, or that the dialog did not name, is posted as an
 * error (everything at once, as `lmsctl destroy` says it). */
static bool protection_liftable(awsb *b, const ops_request *rq, const cfn_stack *s,
                                sf_protection *p, size_t n)
{
	size_t nnames = 0;
	char **names = ops_protected_resources(rq->template_text, rq->template_len, rq->params,
	                                       rq->nparams, rq->stack, &nnames);
	bool clear = true;
	buf lift;
	buf_init(&lift, 0);
	for (size_t i = 0; i < n; i++) {
		if (p[i].on != 1 && !p[i].liftable)
			continue;
		if (!p[i].liftable) {
			buf_reset(&lift);
			sf_lift_command(b->aws, &p[i], rq->region, p[i].physical, &lift);
			ops_post_text(b->sink, OPS_MSG_ERROR,
			              "%s (%s) has %s on and the template names no parameter that "
			              "lifts it: nothing was deleted; lift it deliberately, then X "
			              "again: %s",
			              p[i].logical_id, p[i].type, p[i].property, buf_cstr(&lift));
			clear = false;
		} else if (!named(names, nnames, p[i].logical_id)) {
			ops_post_text(
			    b->sink, OPS_MSG_ERROR,
			    "the deployed stack %s has %s on %s (%s), which the question did "
			    "not name (the model's template differs from the deployed one): "
			    "nothing was deleted; `lmsctl destroy` names what it lifts",
			    s->name, p[i].property, p[i].logical_id, p[i].type);
			clear = false;
		}
	}
	buf_free(&lift);
	ops_strings_free(names, nnames);
	return clear;
}

/* Lifts the deletion protection (one change set) and the termination protection, each
 * journaled; true when the stack may go. */
static bool lift_protection(awsb *b, const ops_request *rq, const cfn_stack *s,
                            const sf_protection *p, size_t n, const cfn_kv *lift, size_t nlift)
{
	const char **ids = calloc(n ? n : 1, sizeof *ids);
	size_t nids = 0;
	for (size_t i = 0; ids && i < n; i++)
		if (p[i].liftable)
			ids[nids++] = p[i].logical_id;
	bool ok = ids != NULL;
	lms_error err = {0};
	if (ok && nids && nlift) {
		char phase[160];
		snprintf(phase, sizeof phase, "lifting deletion protection of %s", rq->stack);
		b->phase = phase;
		sf_lift_request lr = {s, NULL, lift, nlift, ids, nids, post_started};
		sf_hooks h = hooks(b);
		sf_lift l;
		sf_lift_result r = sf_lift_protection(b->aws, &lr, &h, &l, &err);
		b->phase = NULL;
		const char *cs = l.change_set.len ? buf_cstr(&l.change_set) : NULL;
		ok = r == SF_LIFT_DONE;
		if (ok) {
			ops_post_text(b->sink, OPS_MSG_PHASE,
			              "deletion protection lifted (change set %s)", cs ? cs : "?");
			journal(b, rq, "destroy", cs, "protection lifted");
		} else {
			post_error(b, "cannot lift the deletion protection", &err);
			journal(b, rq, "destroy", cs,
			        r == SF_LIFT_INTERRUPTED ? "interrupted while lifting protection"
			        : r == SF_LIFT_FAILED    ? "failed: lifting protection"
			                                 : "refused: lifting protection");
		}
		sf_lift_free(&l);
	}
	if (ok && s->termination_protection) {
		ok = cfn_update_termination_protection(b->aws, s->id ? s->id : rq->stack, false,
		                                       &err);
		if (ok) {
			ops_post_text(b->sink, OPS_MSG_PHASE, "termination protection lifted");
			journal(b, rq, "destroy", NULL, "termination protection lifted");
		} else {
			post_error(b, "cannot lift the termination protection", &err);
			journal(b, rq, "destroy", NULL, "failed: UpdateTerminationProtection");
		}
	}
	free(ids);
	return ok;
}

/* After DELETE_COMPLETE: what the environment left outside the stack, posted. */
static void post_leftovers(awsb *b, const ops_request *rq, const cfn_event *res, size_t nres)
{
	const char *suffix = NULL;
	for (size_t i = 0; i < rq->nparams; i++)
		if (strcmp(rq->params[i].key, "EnvironmentSuffix") == 0)
			suffix = rq->params[i].value;
	sf_leftover_scope sc = {rq->stack, suffix ? suffix : "", res, nres};
	aws_leftovers l = {0};
	lms_error err = {0};
	if (!sf_leftovers_find(b->aws, &sc, &l, &err))
		post_error(b, "warning", &err);
	for (size_t i = 0; i < l.n; i++)
		ops_post_text(b->sink, OPS_MSG_PHASE, "left outside the stack: %s %s",
		              sf_leftover_kind_name(l.v[i].kind), l.v[i].name);
	if (l.n)
		ops_post_text(
		    b->sink, OPS_MSG_PHASE,
		    "%zu item(s) left outside the stack: `lmsctl destroy --purge` removes "
		    "them",
		    l.n);
	aws_leftovers_free(&l);
}

/* The edge stack deleted first (its VPC origin holds an interface in the main stack's
 * subnets) and followed to DELETE_COMPLETE, its messages the edge's; true when it is gone
 * (or was not there). */
static bool edge_destroy(awsb *b, const ops_request *rq)
{
	cfn_stack *es = NULL;
	if (!edge_connect(b, rq) || !edge_describe(b, &es))
		return false;
	if (!es)
		return true;
	ops_request er = edge_request(rq);
	ops_sink_edge(b->sink, true);
	bool ok = false;
	if (!ops_status_settled(es->status)) {
		ops_post_text(
		    b->sink, OPS_MSG_ERROR,
		    "the edge stack %s is busy (%s): wait until it settles, then X again; "
		    "nothing was deleted",
		    b->edge.stack, es->status);
	} else {
		char phase[192];
		snprintf(phase, sizeof phase, "deleting the edge stack %s (%s) first",
		         b->edge.stack, b->edge.region);
		b->phase = phase;
		sf_hooks h = hooks(b);
		cfn_stack *final = NULL;
		sf_failure first = {0};
		lms_error err = {0};
		sf_run_result rr =
		    ef_destroy(&b->edge, es, NULL, &h, post_started, &final, &first, &err);
		b->phase = NULL;
		ok = rr == SF_RUN_SETTLED &&
		     (!final || strcmp(final->status, "DELETE_COMPLETE") == 0);
		if (ok) {
			ops_post_stack(b->sink, false, "DELETE_COMPLETE", "");
		} else if (rr != SF_RUN_INTERRUPTED) {
			if (final)
				ops_post_stack(b->sink, true, final->status, final->status_reason);
			ops_post_text(b->sink, OPS_MSG_ERROR,
			              "the edge stack %s is %s%s%s%s%s: the main stack %s is not "
			              "deleted; fix the cause, then X again",
			              b->edge.stack, final ? final->status : "not deleted",
			              first.logical_id ? "; first failure: " : "",
			              first.logical_id ? first.logical_id : "", err.msg ? ": " : "",
			              err.msg ? err.msg : "", rq->stack);
		}
		journal(b, &er, "destroy", NULL,
		        ok                         ? "DELETE_COMPLETE"
		        : rr == SF_RUN_INTERRUPTED ? "detached while following"
		        : final                    ? final->status
		                                   : "failed: DeleteStack");
		cfn_stack_free(final);
		sf_failure_free(&first);
		lms_error_clear(&err);
	}
	ops_sink_edge(b->sink, false);
	cfn_stack_free(es);
	return ok;
}

static bool job_destroy(awsb *b, const ops_request *rq)
{
	if (!aws_connect(b, rq))
		return false;
	cfn_stack *s = NULL;
	if (!describe(b, rq, &s))
		return false;
	if (!s && rq->edge.stack) /* the main stack gone: the edge alone */
		return edge_destroy(b, rq);
	set_str(&b->change_set, NULL);
	bool ok = false;
	sf_protection *p = NULL;
	size_t n = 0, nlift = 0, nres = 0;
	cfn_kv *lift = NULL;
	cfn_event *res = NULL;
	lms_error err = {0};
	if (!s) {
		ops_post_text(b->sink, OPS_MSG_ERROR, "stack %s does not exist: nothing to delete",
		              rq->stack);
	} else if (!ops_status_settled(s->status)) {
		ops_post_text(b->sink, OPS_MSG_ERROR,
		              "stack %s is busy (%s): wait until it settles, then X again",
		              rq->stack, s->status);
	} else if (!sf_deployed_protection(b->aws, s, &p, &n, &lift, &nlift, &err)) {
		post_error(b, "cannot read the deployed template to check deletion protection",
		           &err);
		journal(b, rq, "destroy", NULL, "failed: GetTemplate");
	} else if (!protection_liftable(b, rq, s, p, n)) {
		journal(b, rq, "destroy", NULL, "refused: deletion protection");
	} else {
		if (!cfn_list_stack_resources(b->aws, s->id ? s->id : rq->stack, &res, &nres, &err))
			post_error(b, "warning: cannot list the stack's resources", &err);
		char phase[192];
		snprintf(phase, sizeof phase, "deleting stack %s", rq->stack);
		operation op = {.job = "destroy",
		                .api = "DeleteStack",
		                .refused = "cannot delete the stack",
		                .phase = phase,
		                .want = "DELETE_COMPLETE"};
		sf_operation run = {.call = SF_DELETE,
		                    .target = s->id ? s->id : rq->stack,
		                    .role_arn = s->role_arn};
		ok = (!rq->edge.stack || edge_destroy(b, rq)) &&
		     lift_protection(b, rq, s, p, n, lift, nlift) &&
		     act(b, rq, &run, &op) == OP_DONE;
		if (ok)
			post_leftovers(b, rq, res, nres);
	}
	for (size_t i = 0; i < nres; i++)
		cfn_event_clear(&res[i]);
	free(res);
	sf_kv_free(lift, nlift);
	sf_protection_free(p, n);
	cfn_stack_free(s);
	return ok;
}

/* Follows the edge's operation already running, its messages the edge's; true when none
 * runs (its STACK says how it is). */
static bool edge_watch(awsb *b, const ops_request *rq)
{
	cfn_stack *es = NULL;
	if (!edge_connect(b, rq) || !edge_describe(b, &es))
		return false;
	if (!es || !ops_status_in_progress(es->status)) {
		cfn_stack_free(es);
		return true;
	}
	time_t since = es->updated ? es->updated : es->created;
	cfn_event_tracker t;
	bool ok =
	    cfn_event_tracker_init(&t, es->id ? es->id : b->edge.stack, since > 0 ? since - 1 : 0);
	if (ok) {
		ops_sink_edge(b->sink, true);
		sf_hooks h = hooks(b);
		cfn_stack *final = NULL;
		sf_failure first = {0};
		lms_error err = {0};
		sf_follow_result fr = sf_follow(b->edge.aws, &t, b->edge.stack, es->id, false, &h,
		                                &final, &first, &err);
		ok = fr == SF_SETTLED && final;
		if (final) {
			ops_post_stack(b->sink, true, final->status, final->status_reason);
			post_resources(b, b->edge.aws, final->id ? final->id : b->edge.stack);
			ok = ok && ops_status_succeeded(final->status);
		} else if (fr != SF_INTERRUPTED) {
			post_error(b, "lost track of the edge stack", &err);
		}
		ops_sink_edge(b->sink, false);
		cfn_stack_free(final);
		sf_failure_free(&first);
		lms_error_clear(&err);
		cfn_event_tracker_free(&t);
	}
	cfn_stack_free(es);
	return ok;
}

/* Follows an operation already running (after a re-attach or a recovery call): the main
 * stack's, then (with an edge) the edge's. */
static bool job_watch(awsb *b, const ops_request *rq)
{
	if (!aws_connect(b, rq))
		return false;
	cfn_stack *s = NULL;
	if (!describe(b, rq, &s))
		return false;
	if (!s || !ops_status_in_progress(s->status)) {
		cfn_stack_free(s);
		/* settled meanwhile: the STACK message says how */
		return !rq->edge.stack || edge_watch(b, rq);
	}
	/* the events since the operation began */
	time_t since = s->updated ? s->updated : s->created;
	cfn_event_tracker t;
	bool ok = cfn_event_tracker_init(&t, s->id ? s->id : rq->stack, since > 0 ? since - 1 : 0);
	bool deleting = strncmp(s->status, "DELETE_", 7) == 0;
	cfn_stack_free(s);
	if (ok) {
		ok = follow(b, rq, &t, deleting ? "DELETE_COMPLETE" : NULL, !deleting, "watch");
		cfn_event_tracker_free(&t);
	}
	return ok && (!rq->edge.stack || edge_watch(b, rq));
}

static bool job_cancel(awsb *b, const ops_request *rq)
{
	if (!aws_connect(b, rq))
		return false;
	operation op = {.job = "cancel",
	                .api = "CancelUpdateStack",
	                .refused = "cannot cancel the update",
	                .phase = "cancelling the update: rolling back",
	                .want = "UPDATE_ROLLBACK_COMPLETE"};
	sf_operation run = {.call = SF_CANCEL, .target = rq->stack};
	return act(b, rq, &run, &op) == OP_DONE;
}

static bool job_continue_rollback(awsb *b, const ops_request *rq)
{
	if (!aws_connect(b, rq))
		return false;
	cfn_stack *s = NULL;
	if (!describe(b, rq, &s))
		return false;
	if (!s) {
		ops_post_text(b->sink, OPS_MSG_ERROR, "stack %s does not exist", rq->stack);
		return false;
	}
	char *role = s->role_arn ? strdup(s->role_arn) : NULL;
	cfn_stack_free(s);
	operation op = {.job = "continue-rollback",
	                .api = "ContinueUpdateRollback",
	                .refused = "cannot continue the rollback",
	                .phase = "continuing the rollback",
	                .want = "UPDATE_ROLLBACK_COMPLETE"};
	sf_operation run = {.call = SF_CONTINUE_ROLLBACK, .target = rq->stack, .role_arn = role};
	bool ok = act(b, rq, &run, &op) == OP_DONE;
	free(role);
	return ok;
}

/* A read of one stack (`stack` through `aws`), posting what it finds; false with an ERROR
 * posted. */
typedef bool (*stack_read)(awsb *b, aws_client *aws, const char *stack);

/* After the main stack's: the edge's STACK, then, when it is deployed, `read` of it with its
 * messages marked as the edge's (one not deployed is said by its STACK alone). True without
 * an edge. */
static bool edge_too(awsb *b, const ops_request *rq, stack_read read)
{
	if (!rq->edge.stack)
		return true;
	cfn_stack *es = NULL;
	if (!edge_connect(b, rq) || !edge_describe(b, &es))
		return false;
	bool ok = true;
	if (es) {
		ops_sink_edge(b->sink, true);
		ok = read(b, b->edge.aws, es->id ? es->id : b->edge.stack);
		ops_sink_edge(b->sink, false);
	}
	cfn_stack_free(es);
	return ok;
}

/* DescribeStacks' parameters and GetTemplate of `stack` through `aws`, posted; false with an
 * ERROR posted. */
static bool post_deployed(awsb *b, aws_client *aws, const char *stack)
{
	buf tpl;
	buf_init(&tpl, 0);
	lms_error err = {0};
	/* the stack's parameters first: the console's deployed diff needs both */
	cfn_stack *st = NULL;
	if (!cfn_describe_stack(aws, stack, &st, &err)) {
		post_error(b, "cannot read the stack", &err);
		return false;
	}
	if (st) {
		post_stack_parameters(b, st);
		cfn_stack_free(st);
	}
	bool ok = cfn_get_template(aws, stack, &tpl, &err);
	if (!ok)
		post_error(b, "cannot read the deployed template", &err);
	else
		ops_post_text(b->sink, OPS_MSG_TEMPLATE, "%s", buf_cstr(&tpl));
	buf_free(&tpl);
	return ok;
}

/* The deployed stack's parameters and template; with an edge, the edge's after them (its
 * STACK first: one not deployed has neither). */
static bool job_template(awsb *b, const ops_request *rq)
{
	if (!aws_connect(b, rq))
		return false;
	return post_deployed(b, b->aws, rq->stack) && edge_too(b, rq, post_deployed);
}

/* ListStackResources: what a destroy would delete, for its dialog. */
/* ListStackResources of `stack`, posted (sorted, copied); false with an ERROR posted. */
static bool post_listed(awsb *b, aws_client *aws, const char *stack)
{
	cfn_event *res = NULL;
	size_t n = 0;
	lms_error err = {0};
	if (!cfn_list_stack_resources(aws, stack, &res, &n, &err)) {
		post_error(b, "cannot list the stack's resources", &err);
		return false;
	}
	ops_resource *v = calloc(n + 1, sizeof(*v));
	for (size_t i = 0; v && i < n; i++)
		v[i] = (ops_resource){res[i].logical_id, res[i].resource_type, res[i].status};
	if (v)
		ops_post_resources(b->sink, v, n); /* copies */
	free(v);
	for (size_t i = 0; i < n; i++)
		cfn_event_clear(&res[i]);
	free(res);
	return v != NULL;
}

/* ListStackResources: what a destroy would delete, for its dialog; with an edge, the edge's
 * too (the main stack gone: its list empty, the edge's alone). */
static bool job_resources(awsb *b, const ops_request *rq)
{
	if (!aws_connect(b, rq))
		return false;
	if (!rq->edge.stack)
		return post_listed(b, b->aws, rq->stack);
	cfn_stack *s = NULL, *es = NULL;
	if (!describe(b, rq, &s) || !edge_connect(b, rq) || !edge_describe(b, &es)) {
		cfn_stack_free(s);
		return false;
	}
	bool ok = true;
	if (es) {
		ops_sink_edge(b->sink, true);
		ok = post_listed(b, b->edge.aws, es->id ? es->id : b->edge.stack);
		ops_sink_edge(b->sink, false);
	}
	if (s)
		ok = post_listed(b, b->aws, s->id ? s->id : rq->stack) && ok;
	else
		ops_post_resources(b->sink, NULL, 0);
	cfn_stack_free(s);
	cfn_stack_free(es);
	return ok;
}

static void drift_progress(void *ctx, const cfn_drift_status *st, int waited)
{
	awsb *b = ctx;
	ops_post_text(b->sink, OPS_MSG_PHASE, "drift detection: %s (%d s)",
	              st->detection_status ? st->detection_status : "started", waited);
}

/* The result as the console shows it (the same facts as lmsctl drift prints). */
static void post_drift(awsb *b, const stack_drift *d)
{
	buf t;
	buf_init(&t, 0);
	buf_addf(&t, "%s: %zu of %zu resource(s) drifted, %zu in sync, %zu not checked\n",
	         d->status.drift_status ? d->status.drift_status : "UNKNOWN", d->drifted, d->nres,
	         d->in_sync, d->not_checked);
	if (d->status.detection_status &&
	    strcmp(d->status.detection_status, "DETECTION_FAILED") == 0)
		buf_addf(&t, "the detection failed for some resources: %s\n",
		         d->status.reason ? d->status.reason : "no reason given");
	for (size_t i = 0; i < d->nres; i++) {
		const cfn_resource_drift *r = &d->res[i];
		if (!stack_drift_is_drift(r))
			continue;
		buf_addf(&t, "%s %s (%s)%s%s%s\n", r->status, r->logical_id, r->resource_type,
		         r->physical_id ? " " : "", r->physical_id ? r->physical_id : "", "");
		for (size_t j = 0; j < r->ndiffs; j++) {
			const cfn_property_difference *x = &r->diffs[j];
			buf_addf(&t, "    %s %s: expected %s, actual %s\n", x->type, x->path,
			         x->expected ? x->expected : "(none)",
			         x->actual ? x->actual : "(none)");
		}
	}
	ops_post_text(b->sink, OPS_MSG_DRIFT, "%s", buf_cstr(&t));
	buf_free(&t);
}

/* Drift detection of `stack` through `aws`, its result posted; false with an ERROR posted. */
static bool drift_one(awsb *b, aws_client *aws, const char *stack)
{
	sf_hooks h = hooks(b);
	stack_drift d;
	lms_error err = {0};
	sd_drift_end end = stack_drift_detect(aws, stack, &h, drift_progress, &d, &err);
	bool ok = end == SD_DRIFT_DONE;
	if (ok)
		post_drift(b, &d);
	else if (end == SD_DRIFT_UNSUPPORTED)
		ops_post_text(
		    b->sink, OPS_MSG_ERROR,
		    "drift detection is not available at this endpoint: CloudFormation %s "
		    "is not implemented there (HTTP %ld%s); nothing was checked",
		    d.failed_call ? d.failed_call : "DetectStackDrift", d.http_status,
		    b->endpoint_url && b->endpoint_url[0]
		        ? "; an emulator such as moto has no drift detection"
		        : "");
	else if (end == SD_DRIFT_INTERRUPTED)
		ops_post_text(b->sink, OPS_MSG_ERROR,
		              "stopped waiting: the drift detection goes on in CloudFormation");
	else
		post_error(b, "drift detection", &err);
	lms_error_clear(&err);
	stack_drift_free(&d);
	return ok;
}

/* Drift detection of the main stack; with an edge, of the edge after it (its STACK first:
 * one not deployed is not checked). */
static bool job_drift(awsb *b, const ops_request *rq)
{
	if (!aws_connect(b, rq))
		return false;
	return drift_one(b, b->aws, b->stack_id ? b->stack_id : rq->stack) &&
	       edge_too(b, rq, drift_one);
}

static bool aws_run(void *ctx, ops_job job, const ops_request *rq, ops_sink *sink)
{
	awsb *b = ctx;
	b->sink = sink;
	bool ok;
	switch (job) {
	case OPS_STARTUP:
		ok = job_startup(b, rq);
		break;
	case OPS_PLAN:
		ok = job_plan(b, rq);
		break;
	case OPS_DISCARD:
		ok = job_discard(b, rq);
		break;
	case OPS_EXECUTE:
		ok = job_execute(b, rq);
		break;
	case OPS_DESTROY:
		ok = job_destroy(b, rq);
		break;
	case OPS_WATCH:
		ok = job_watch(b, rq);
		break;
	case OPS_CANCEL:
		ok = job_cancel(b, rq);
		break;
	case OPS_CONTINUE_ROLLBACK:
		ok = job_continue_rollback(b, rq);
		break;
	case OPS_TEMPLATE:
		ok = job_template(b, rq);
		break;
	case OPS_RESOURCES:
		ok = job_resources(b, rq);
		break;
	case OPS_DRIFT:
		ok = job_drift(b, rq);
		break;
	case OPS_OPEN:
		ok = job_open(b, rq);
		break;
	default:
		ops_post_text(sink, OPS_MSG_ERROR, "unknown operation");
		ok = false;
	}
	b->sink = NULL;
	return ok;
}

static void aws_free(void *ctx)
{
	awsb *b = ctx;
	if (!b)
		return;
	disconnect(b);
	free(b->profile);
	free(b->endpoint_url);
	free(b->change_set);
	free(b->stack_id);
	free(b);
}

ops_backend *ops_aws_new(const ops_aws_options *o, lms_error *err)
{
	/* libcurl is loaded (and started, once per process: aws/curl_loader.h) by the first job's
	 * first call, not here: the console's first screen makes no HTTP call */
	awsb *b = calloc(1, sizeof(*b));
	ops_backend *be = calloc(1, sizeof(*be));
	if (!b || !be) {
		free(b);
		free(be);
		lms_error_set(err, NULL, 0, 0, "out of memory");
		return NULL;
	}
	b->profile = dup_opt(o->profile);
	b->endpoint_url = dup_opt(o->endpoint_url);
	b->timeout_ms = o->timeout_ms;
	b->backoff_unit_ms = o->backoff_unit_ms;
	b->write_outputs = o->write_outputs;
	if ((o->profile && o->profile[0] && !b->profile) ||
	    (o->endpoint_url && o->endpoint_url[0] && !b->endpoint_url)) {
		aws_free(b);
		free(be);
		lms_error_set(err, NULL, 0, 0, "out of memory");
		return NULL;
	}
	be->name = "aws";
	be->ctx = b;
	be->run = aws_run;
	be->free = aws_free;
	return be;
}
