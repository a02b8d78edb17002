/* The scripted backend: what tests and demos run instead of AWS. It keeps a
 * pretend stack between jobs so that a deploy, a detach, a re-attach and a
 * destroy follow each other as they would against CloudFormation. */
#include "ops/ops.h"

#include "common/buf.h"
#include "model/analysis.h"
#include "ops/stackflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fake {
	char *scenario;
	ops_fake_resource *res; /* strings owned */
	size_t nres;
	int step_ms;
	unsigned long seq;
	bool exists;
	char *status;
	/* a running operation, resumed by WATCH after a detach */
	ops_changeset running;
	bool has_running;
	size_t done;    /* changes of `running` finished */
	char *deployed; /* the template last applied */
	char *cs_id;
	/* the deployed stack's parameters: the model's when the session began, then those of
	 * each change set executed */
	ops_output *dparams;
	size_t ndparams;
	/* the companion stack (ops_request.edge), scripted beside the main one */
	bool edge_exists;
	char *edge_status;
	char *edge_cs_id;
} fake;

static void dparams_set(fake *f, const ops_request *rq)
{
	for (size_t i = 0; f->dparams && i < f->ndparams; i++) {
		free(f->dparams[i].key);
		free(f->dparams[i].value);
	}
	free(f->dparams);
	f->ndparams = 0;
	f->dparams = calloc(rq->nparams + 1, sizeof(*f->dparams));
	for (size_t i = 0; f->dparams && i < rq->nparams; i++) {
		f->dparams[i].key = strdup(rq->params[i].key);
		f->dparams[i].value = strdup(rq->params[i].no_echo ? "****" : rq->params[i].value);
		f->dparams[i].description = "";
		f->ndparams++;
	}
}

static bool is(const fake *f, const char *s)
{
	return strcmp(f->scenario, s) == 0;
}

static void set_status(fake *f, const char *status)
{
	char *s = strdup(status);
	if (s) {
		free(f->status);
		f->status = s;
	}
}

static void request_id(fake *f, char out[40])
{
	f->seq++;
	snprintf(out, 40, "f4ce%04lx-0000-4000-8000-%012lx", f->seq & 0xffff, f->seq);
}

static void call(fake *f, ops_sink *s, const char *action, int status, const char *error,
                 const char *cli)
{
	char rid[40];
	request_id(f, rid);
	double now = ops_now();
	ops_post_call(s, strncmp(action, "GetCallerIdentity", 17) == 0 ? "sts" : "cloudformation",
	              action, now, 40.0 + (double)(f->seq % 7) * 11.0, status, status ? rid : "",
	              error, cli);
}

static void post_event(ops_sink *s, const char *id, const char *type, const char *status,
                       const char *reason)
{
	ops_post_event(s, ops_now(), id, type, status, reason);
}

/* "aws cloudformation CMD --stack-name STACK EXTRA --region REGION" */
static char *cli_line(const ops_request *rq, const char *cmd, const char *extra)
{
	buf b;
	buf_init(&b, 0);
	buf_addf(&b, "aws cloudformation %s --stack-name %s%s%s --region %s", cmd, rq->stack,
	         extra ? " " : "", extra ? extra : "", rq->region);
	return buf_take(&b);
}

static void cli_call(fake *f, ops_sink *s, const ops_request *rq, const char *action, int status,
                     const char *error, const char *cmd, const char *extra)
{
	char *cli = cli_line(rq, cmd, extra);
	call(f, s, action, status, error, cli ? cli : "");
	free(cli);
}

/* ---- the companion ------------------------------------------------------------------ */

static void set_edge_status(fake *f, const char *status)
{
	char *s = strdup(status);
	if (s) {
		free(f->edge_status);
		f->edge_status = s;
	}
}

/* The request as one about the edge stack (its name and Region; borrowed). */
static ops_request edge_of(const ops_request *rq)
{
	ops_request e = *rq;
	e.stack = rq->edge.stack;
	e.region = rq->edge.region;
	return e;
}

static void edge_startup(fake *f, const ops_request *rq, ops_sink *s)
{
	ops_request e = edge_of(rq);
	ops_sink_edge(s, true);
	if (f->edge_exists) {
		cli_call(f, s, &e, "DescribeStacks", 200, "", "describe-stacks", NULL);
		ops_post_stack(s, true, f->edge_status, "");
	} else {
		cli_call(f, s, &e, "DescribeStacks", 400, "ValidationError: Stack does not exist",
		         "describe-stacks", NULL);
		ops_post_stack(s, false, "", "");
	}
	ops_sink_edge(s, false);
}

/* The edge's change set: made now when the main stack's outputs are known (it exists and
 * the edge's creation did not fail), else pending (its template's resources). */
static bool edge_plan(fake *f, const ops_request *rq, ops_sink *s)
{
	ops_request e = edge_of(rq);
	ops_sink_edge(s, true);
	bool pending =
	    !f->exists || (f->edge_status && strcmp(f->edge_status, "ROLLBACK_COMPLETE") == 0);
	ops_msg *m = calloc(1, sizeof(*m));
	if (!m) {
		ops_sink_edge(s, false);
		return false;
	}
	m->kind = OPS_MSG_CHANGESET;
	ops_changeset *cs = &m->u.cs;
	size_t n = rq->edge.nresources;
	cs->v = calloc(n + 1, sizeof(ops_change));
	cs->pending = pending;
	cs->creates_stack = !f->edge_exists;
	free(f->edge_cs_id);
	f->edge_cs_id = NULL;
	if (pending) {
		ops_post_text(s, OPS_MSG_PHASE,
		              "edge stack %s: its change set waits for the main stack's outputs",
		              e.stack);
		cs->id = strdup("");
		cs->name = strdup("");
	} else {
		cli_call(f, s, &e, "CreateChangeSet", 200, "", "create-change-set",
		         f->edge_exists ? "--change-set-type UPDATE --change-set-name lmsctl"
		                        : "--change-set-type CREATE --change-set-name lmsctl");
		cli_call(f, s, &e, "DescribeChangeSet", 200, "", "describe-change-set",
		         "--change-set-name lmsctl");
		buf b;
		buf_init(&b, 0);
		buf_addf(&b,
		         "arn:aws:cloudformation:%s:123456789012:changeSet/lmsctl-edge-%lu/fake",
		         e.region, f->seq);
		cs->id = buf_take(&b);
		buf_init(&b, 0);
		buf_addf(&b, "lmsctl-edge-%lu", f->seq);
		cs->name = buf_take(&b);
		f->edge_cs_id = cs->id ? strdup(cs->id) : NULL;
	}
	cs->status_reason = strdup("");
	for (size_t i = 0; cs->v && i < n; i++) {
		const ops_resource *r = &rq->edge.resources[i];
		/* an update: the distribution's settings change, nothing else */
		if (f->edge_exists && !pending && !strstr(r->type, "CloudFront::Distribution"))
			continue;
		/* "edge-replace": the edge replaces it, the main stack only modifies */
		bool replace = f->edge_exists && !pending && is(f, "edge-replace");
		ops_change *c = &cs->v[cs->n++];
		*c = (ops_change){f->edge_exists ? OPS_MODIFY : OPS_ADD,
		                  replace ? OPS_REPL_ALWAYS : OPS_REPL_NEVER,
		                  strdup(r->logical_id),
		                  strdup(""),
		                  strdup(r->type),
		                  strdup(replace ? "Name (Always)" : ""),
		                  type_is_stateful(r->type)};
	}
	ops_post(s, m);
	ops_sink_edge(s, false);
	return true;
}

/* The edge deployed after the main stack: its change set (made now when it was pending),
 * executed; "edge-fail" fails its creation. False when it did not deploy, said why. */
static bool edge_execute(fake *f, const ops_request *rq, ops_sink *s)
{
	ops_request e = edge_of(rq);
	bool pending = !*rq->edge.changeset_id;
	ops_sink_edge(s, true);
	if (f->edge_status && strcmp(f->edge_status, "ROLLBACK_COMPLETE") == 0) {
		cli_call(f, s, &e, "DeleteStack", 200, "", "delete-stack", NULL);
		post_event(s, e.stack, "AWS::CloudFormation::Stack", "DELETE_COMPLETE", "");
		f->edge_exists = false;
	}
	ops_post_text(s, OPS_MSG_PHASE, "edge stack %s: %s with the main stack's outputs", e.stack,
	              pending ? "creating its change set" : "executing its change set");
	if (pending)
		cli_call(f, s, &e, "CreateChangeSet", 200, "", "create-change-set",
		         "--change-set-name lmsctl");
	cli_call(f, s, &e, "ExecuteChangeSet", 200, "", "execute-change-set",
	         "--change-set-name lmsctl");
	bool creating = !f->edge_exists;
	f->edge_exists = true;
	set_edge_status(f, creating ? "CREATE_IN_PROGRESS" : "UPDATE_IN_PROGRESS");
	ops_post_stack(s, true, f->edge_status, "");
	post_event(s, e.stack, "AWS::CloudFormation::Stack", f->edge_status, "User Initiated");
	bool fail = is(f, "edge-fail");
	const char *failed_id = NULL;
	for (size_t i = 0; i < rq->edge.nresources; i++) {
		const ops_resource *r = &rq->edge.resources[i];
		if (!creating && !strstr(r->type, "CloudFront::Distribution"))
			continue;
		post_event(s, r->logical_id, r->type,
		           creating ? "CREATE_IN_PROGRESS" : "UPDATE_IN_PROGRESS", "");
		if (!ops_sleep(s, f->step_ms)) {
			ops_sink_edge(s, false);
			return false;
		}
		if (fail && strstr(r->type, "CloudFront::Distribution")) {
			failed_id = r->logical_id;
			post_event(s, r->logical_id, r->type, "CREATE_FAILED",
			           "Resource handler returned message: \"The VPC origin is not "
			           "ready (Service: CloudFront, Status Code: 409)\"");
			break;
		}
		post_event(s, r->logical_id, r->type,
		           creating ? "CREATE_COMPLETE" : "UPDATE_COMPLETE", "");
	}
	if (failed_id) {
		set_edge_status(f, "ROLLBACK_COMPLETE");
		post_event(s, e.stack, "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE", "");
		ops_post_stack(s, true, f->edge_status, "");
		ops_sink_edge(s, false);
		ops_post_text(s, OPS_MSG_ERROR,
		              "the edge stack %s failed (ROLLBACK_COMPLETE; first failure: %s "
		              "CREATE_FAILED); the main stack %s is %s and stays: fix the cause, "
		              "then D deploys again (the failed edge stack is deleted first)",
		              e.stack, failed_id, rq->stack, f->status);
		return false;
	}
	set_edge_status(f, creating ? "CREATE_COMPLETE" : "UPDATE_COMPLETE");
	post_event(s, e.stack, "AWS::CloudFormation::Stack", f->edge_status, "");
	ops_post_stack(s, true, f->edge_status, "");
	const ops_output v[] = {{(char *)"DistributionDomainName",
	                         (char *)"d111fake.cloudfront.net",
	                         (char *)"The distribution's name"}};
	ops_post_outputs(s, v, 1);
	ops_sink_edge(s, false);
	return true;
}

static bool edge_destroy(fake *f, const ops_request *rq, ops_sink *s)
{
	ops_request e = edge_of(rq);
	ops_sink_edge(s, true);
	cli_call(f, s, &e, "DeleteStack", 200, "", "delete-stack", NULL);
	set_edge_status(f, "DELETE_IN_PROGRESS");
	post_event(s, e.stack, "AWS::CloudFormation::Stack", f->edge_status, "User Initiated");
	for (size_t i = rq->edge.nresources; i-- > 0;) {
		const ops_resource *r = &rq->edge.resources[i];
		post_event(s, r->logical_id, r->type, "DELETE_IN_PROGRESS", "");
		if (i % 4 == 0 && !ops_sleep(s, f->step_ms)) {
			ops_sink_edge(s, false);
			return false;
		}
		post_event(s, r->logical_id, r->type, "DELETE_COMPLETE", "");
	}
	post_event(s, e.stack, "AWS::CloudFormation::Stack", "DELETE_COMPLETE", "");
	f->edge_exists = false;
	set_edge_status(f, "DELETE_COMPLETE");
	ops_post_stack(s, false, "DELETE_COMPLETE", "");
	ops_sink_edge(s, false);
	return true;
}

static void edge_resources(fake *f, const ops_request *rq, ops_sink *s)
{
	ops_request e = edge_of(rq);
	ops_sink_edge(s, true);
	cli_call(f, s, &e, "ListStackResources", f->edge_exists ? 200 : 400,
	         f->edge_exists ? "" : "ValidationError: Stack does not exist",
	         "list-stack-resources", NULL);
	if (f->edge_exists) {
		ops_resource *v = calloc(rq->edge.nresources + 1, sizeof(*v));
		for (size_t i = 0; v && i < rq->edge.nresources; i++)
			v[i] = (ops_resource){rq->edge.resources[i].logical_id,
			                      rq->edge.resources[i].type, "CREATE_COMPLETE"};
		if (v)
			ops_post_resources(s, v, rq->edge.nresources); /* copies */
		free(v);
	} else {
		ops_post_stack(s, false, "", "");
	}
	ops_sink_edge(s, false);
}

static void post_outputs(const fake *f, const ops_request *rq, ops_sink *s)
{
	char vpc[32], api[256];
	snprintf(vpc, sizeof vpc, "vpc-0fake%08lx", f->seq);
	snprintf(api, sizeof api, "https://fake0api.execute-api.%s.amazonaws.com/%s", rq->region,
	         rq->environment);
	const ops_output v[] = {{(char *)"VpcId", vpc, (char *)"The VPC"},
	                        {(char *)"ApiUrl", api, (char *)"The LMS API endpoint"}};
	ops_post_outputs(s, v, 2);
}

static bool stateful_type(const char *t)
{
	return type_is_stateful(t);
}

/* Whether the template creates the resource for this model. */
static bool in_template(const ops_request *rq, const char *id)
{
	if (!rq->resources)
		return true;
	for (size_t i = 0; i < rq->nresources; i++)
		if (strcmp(rq->resources[i], id) == 0)
			return true;
	return false;
}

/* How many changes of each kind an update has picked so far. */
typedef struct update_picks {
	size_t replaced_stateful, replaced_other, removed, modified;
} update_picks;

static void change_strings_free(ops_change *c)
{
	free(c->logical_id);
	free(c->physical_id);
	free(c->type);
	free(c->replace_because);
}

/* Whether this scenario's update changes the resource, and how (c's action, replacement
 * and its reasons): a few changes of every kind, picked by type; under "edge-replace"
 * modifications only (what is replaced is the edge's). */
static bool fake_update_change(const fake *f, const ops_fake_resource *r, ops_change *c,
                               update_picks *k)
{
	if (is(f, "edge-replace")) {
		if (k->modified < 3 && strstr(r->type, "Alarm") != NULL) {
			c->action = OPS_MODIFY;
			k->modified++;
			return true;
		}
		return false;
	}
	if (c->stateful && k->replaced_stateful == 0 && strstr(r->type, "DBCluster") != NULL) {
		c->action = OPS_MODIFY;
		c->replacement = OPS_REPL_ALWAYS;
		free(c->replace_because);
		c->replace_because =
		    strdup("DBClusterIdentifier (Always), StorageEncrypted (Always)");
		k->replaced_stateful++;
	} else if (!c->stateful && k->replaced_other == 0 &&
	           strstr(r->type, "SecurityGroup") != NULL) {
		c->action = OPS_MODIFY;
		c->replacement = OPS_REPL_CONDITIONAL;
		free(c->replace_because);
		c->replace_because = strdup("GroupDescription (Conditionally)");
		k->replaced_other++;
	} else if (k->removed == 0 && strstr(r->type, "LogGroup") != NULL) {
		c->action = OPS_REMOVE;
		k->removed++;
	} else if (k->modified < 3 &&
	           (strstr(r->type, "Subnet") != NULL || strstr(r->type, "Alarm") != NULL ||
	            strstr(r->type, "Role") != NULL)) {
		c->action = OPS_MODIFY;
		k->modified++;
	} else {
		return false;
	}
	return true;
}

/* The change set this scenario plans for `rq`. */
static bool plan_changes(fake *f, const ops_request *rq, ops_changeset *cs)
{
	memset(cs, 0, sizeof(*cs));
	cs->v = calloc(f->nres + 1, sizeof(ops_change));
	if (!cs->v)
		return false;
	buf b;
	buf_init(&b, 0);
	buf_addf(&b, "arn:aws:cloudformation:%s:123456789012:changeSet/lmsctl-%lu/fake", rq->region,
	         f->seq);
	cs->id = buf_take(&b);
	buf_init(&b, 0);
	buf_addf(&b, "lmsctl-%lu", f->seq);
	cs->name = buf_take(&b);
	cs->status_reason = strdup("");
	memcpy(cs->sha256, rq->sha256, sizeof(cs->sha256));
	cs->creates_stack = !f->exists;
	bool update = f->exists;
	update_picks k = {0};
	for (size_t i = 0; i < f->nres; i++) {
		const ops_fake_resource *r = &f->res[i];
		if (!in_template(rq, r->logical_id))
			continue;
		ops_change c = {OPS_ADD,         OPS_REPL_NEVER, strdup(r->logical_id), strdup(""),
		                strdup(r->type), strdup(""),     stateful_type(r->type)};
		if (update && !fake_update_change(f, r, &c, &k)) {
			change_strings_free(&c);
			continue;
		}
		if (update) {
			free(c.physical_id);
			buf_init(&b, 0);
			buf_addf(&b, "%s-%s-fake", rq->stack, r->logical_id);
			c.physical_id = buf_take(&b);
		}
		if (!c.logical_id || !c.physical_id || !c.type || !c.replace_because) {
			change_strings_free(&c);
			ops_changeset_free(cs);
			return false;
		}
		cs->v[cs->n++] = c;
	}
	ops_changeset_sort(cs);
	return cs->id && cs->name && cs->status_reason;
}

static const char *verb(const ops_change *c, bool rollback)
{
	if (rollback)
		return c->action == OPS_ADD ? "DELETE" : "UPDATE";
	return c->action == OPS_ADD ? "CREATE" : c->action == OPS_REMOVE ? "DELETE" : "UPDATE";
}

/* Plays the running change set from f->done; false when detached. */
static bool play(fake *f, const ops_request *rq, ops_sink *s)
{
	ops_changeset *cs = &f->running;
	bool creating = cs->creates_stack;
	const char *stack_verb = creating ? "CREATE" : "UPDATE";
	buf st;
	buf_init(&st, 0);
	size_t fail_at = is(f, "fail") ? (cs->n > 6 ? cs->n / 3 : 0) : (size_t)-1;
	while (f->done < cs->n) {
		/* a batch of up to four resources at a time, as CloudFormation
		 * works on independent resources in parallel */
		size_t end = f->done + 4 < cs->n ? f->done + 4 : cs->n;
		for (size_t i = f->done; i < end; i++) {
			buf_reset(&st);
			buf_addf(&st, "%s_IN_PROGRESS", verb(&cs->v[i], false));
			post_event(s, cs->v[i].logical_id, cs->v[i].type, buf_cstr(&st), "");
		}
		if (!ops_sleep(s, f->step_ms)) {
			buf_free(&st);
			return false;
		}
		for (size_t i = f->done; i < end; i++) {
			buf_reset(&st);
			if (i == fail_at) {
				buf_addf(&st, "%s_FAILED", verb(&cs->v[i], false));
				post_event(
				    s, cs->v[i].logical_id, cs->v[i].type, buf_cstr(&st),
				    "Resource handler returned message: \"The maximum number "
				    "of addresses has been reached. (Service: Ec2, Status "
				    "Code: 400, Request ID: 5e1f0fake)\"");
			} else if (fail_at != (size_t)-1 && i > fail_at) {
				buf_addf(&st, "%s_FAILED", verb(&cs->v[i], false));
				post_event(s, cs->v[i].logical_id, cs->v[i].type, buf_cstr(&st),
				           "Resource creation cancelled");
			} else {
				buf_addf(&st, "%s_COMPLETE", verb(&cs->v[i], false));
				post_event(s, cs->v[i].logical_id, cs->v[i].type, buf_cstr(&st),
				           "");
			}
		}
		f->done = end;
		if (fail_at != (size_t)-1 && end > fail_at) {
			/* roll back what was done */
			buf_reset(&st);
			buf_addf(&st, "%s_IN_PROGRESS", creating ? "ROLLBACK" : "UPDATE_ROLLBACK");
			set_status(f, buf_cstr(&st));
			post_event(s, rq->stack, "AWS::CloudFormation::Stack", buf_cstr(&st),
			           "The following resource(s) failed to create: [...]. Rollback "
			           "requested by user.");
			for (size_t i = fail_at; i-- > 0;) {
				post_event(s, cs->v[i].logical_id, cs->v[i].type,
				           creating ? "DELETE_COMPLETE" : "UPDATE_COMPLETE", "");
				if (i % 8 == 0 && !ops_sleep(s, f->step_ms)) {
					buf_free(&st);
					return false;
				}
			}
			buf_reset(&st);
			buf_addf(&st, "%s_COMPLETE", creating ? "ROLLBACK" : "UPDATE_ROLLBACK");
			set_status(f, buf_cstr(&st));
			post_event(s, rq->stack, "AWS::CloudFormation::Stack", buf_cstr(&st), "");
			ops_post_stack(s, true, f->status, "");
			f->has_running = false;
			ops_changeset_free(&f->running);
			buf_free(&st);
			return false;
		}
	}
	buf_reset(&st);
	buf_addf(&st, "%s_COMPLETE", stack_verb);
	set_status(f, buf_cstr(&st));
	post_event(s, rq->stack, "AWS::CloudFormation::Stack", buf_cstr(&st), "");
	ops_post_stack(s, true, f->status, "");
	f->has_running = false;
	ops_changeset_free(&f->running);
	free(f->deployed);
	f->deployed = rq->template_len ? strdup(rq->template_text) : f->deployed;
	buf_free(&st);
	cli_call(f, s, rq, "DescribeStacks", 200, "", "describe-stacks",
	         "--query Stacks[0].Outputs");
	post_outputs(f, rq, s);
	return true;
}

/* LMSCTL_FAKE_PIPELINE_VALUE=KEY=VALUE: the value the pipeline last deployed for KEY (a
 * parameter the pipeline owns), as the deployed stack holds it. */
static void pipeline_value(fake *f)
{
	const char *kv = getenv("LMSCTL_FAKE_PIPELINE_VALUE");
	const char *eq = kv ? strchr(kv, '=') : NULL;
	if (!eq || !f->dparams)
		return;
	size_t i = 0;
	while (i < f->ndparams && !(strlen(f->dparams[i].key) == (size_t)(eq - kv) &&
	                            strncmp(f->dparams[i].key, kv, (size_t)(eq - kv)) == 0))
		i++;
	char *v = strdup(eq + 1);
	if (!v)
		return;
	if (i < f->ndparams) {
		free(f->dparams[i].value);
		f->dparams[i].value = v;
		return;
	}
	/* not among the model's (the pipeline owns it): one more, and the list's terminator */
	char *k = strndup(kv, (size_t)(eq - kv));
	ops_output *more = k ? realloc(f->dparams, (f->ndparams + 2) * sizeof(*more)) : NULL;
	if (!more) {
		free(k);
		free(v);
		return;
	}
	f->dparams = more;
	f->dparams[i] = (ops_output){k, v, ""};
	f->dparams[i + 1] = (ops_output){NULL, NULL, NULL};
	f->ndparams++;
}

static bool job_startup(fake *f, const ops_request *rq, ops_sink *s)
{
	if (is(f, "nocreds")) {
		if (!ops_sleep(s, f->step_ms)) /* the credential chain takes its time too */
			return false;
		call(f, s, "GetCallerIdentity", 0, "NoCredentials", "aws sts get-caller-identity");
		ops_post_text(s, OPS_MSG_ERROR,
		              "no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID "
		              "and AWS_SECRET_ACCESS_KEY, or run `aws configure`");
		return false;
	}
	call(f, s, "GetCallerIdentity", 200, "", "aws sts get-caller-identity");
	ops_post_identity(s, "123456789012", "arn:aws:iam::123456789012:user/ops-fake");
	if (f->exists && !f->dparams)
		dparams_set(f, rq); /* deployed before this session, with the model's values */
	char *cli = cli_line(rq, "describe-stacks", NULL);
	if (!f->exists) {
		call(f, s, "DescribeStacks", 400, "ValidationError: Stack does not exist",
		     cli ? cli : "");
		ops_post_stack(s, false, "", "");
	} else {
		call(f, s, "DescribeStacks", 200, "", cli ? cli : "");
		pipeline_value(f);
		ops_post_parameters(s, f->dparams, f->ndparams);
		ops_post_stack(s, true, f->status,
		               is(f, "rollback-failed")
		                   ? "The following resource(s) failed to update: [DbCluster]."
		               : is(f, "failed-create")
		                   ? "The following resource(s) failed to create: [NatEip2]."
		                   : "");
	}
	free(cli);
	if (rq->edge.stack)
		edge_startup(f, rq, s);
	return true;
}

static bool job_plan(fake *f, const ops_request *rq, ops_sink *s)
{
	ops_post_text(s, OPS_MSG_PHASE, "creating change set (template %.12s)", rq->sha256);
	char *cli = cli_line(rq, "create-change-set",
	                     f->exists ? "--change-set-type UPDATE --change-set-name lmsctl "
	                                 "--template-url s3://BUCKET/template.yml --capabilities "
	                                 "CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND"
	                               : "--change-set-type CREATE --change-set-name lmsctl "
	                                 "--template-url s3://BUCKET/template.yml --capabilities "
	                                 "CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND");
	if (is(f, "denied")) {
		call(f, s, "CreateChangeSet", 403,
		     "AccessDenied: User arn:aws:iam::123456789012:user/ops-fake is not "
		     "authorized to perform: cloudformation:CreateChangeSet",
		     cli ? cli : "");
		free(cli);
		ops_post_text(s, OPS_MSG_ERROR,
		              "access denied: arn:aws:iam::123456789012:user/ops-fake may not "
		              "call cloudformation:CreateChangeSet on %s; ask for the deploy "
		              "role, or set AWS_PROFILE to it",
		              rq->stack);
		return false;
	}
	if (is(f, "throttled")) {
		for (int i = 0; i < 5; i++) {
			call(f, s, "CreateChangeSet", 400, "Throttling: Rate exceeded",
			     cli ? cli : "");
			if (!ops_sleep(s, f->step_ms))
				break;
		}
		free(cli);
		ops_post_text(s, OPS_MSG_ERROR,
		              "CloudFormation kept throttling CreateChangeSet (Rate exceeded); "
		              "gave up after 5 attempts: try again in a minute");
		return false;
	}
	call(f, s, "CreateChangeSet", 200, "", cli ? cli : "");
	free(cli);
	if (!ops_sleep(s, f->step_ms))
		return false;
	ops_post_text(s, OPS_MSG_PHASE, "waiting for the change set");
	cli_call(f, s, rq, "DescribeChangeSet", 200, "", "describe-change-set",
	         "--change-set-name lmsctl");
	ops_msg *m = calloc(1, sizeof(*m));
	if (!m)
		return false;
	m->kind = OPS_MSG_CHANGESET;
	if (!plan_changes(f, rq, &m->u.cs)) {
		free(m);
		return false;
	}
	free(f->cs_id);
	f->cs_id = strdup(m->u.cs.id);
	ops_changeset_free(&f->running);
	ops_changeset_copy(&f->running, &m->u.cs);
	ops_post(s, m);
	return !rq->edge.stack || edge_plan(f, rq, s);
}

/* The change sets waiting on the pretend stack (made "elsewhere"), as DescribeChangeSet
 * gives them: lms-pending (this stack's, executable: the scenario's changes),
 * lms-other-stack (another stack's: a change set ARN names its stack), lms-executed
 * (EXECUTE_COMPLETE); any other name is not found. The shared check decides. */
static bool job_open(fake *f, const ops_request *rq, ops_sink *s)
{
	const char *name = rq->changeset_id;
	buf a;
	buf_init(&a, 0);
	buf_addf(&a, "--change-set-name %s", name);
	char *cli = cli_line(rq, "describe-change-set", buf_cstr(&a));
	buf_free(&a);
	bool known = strcmp(name, "lms-pending") == 0 || strcmp(name, "lms-other-stack") == 0 ||
	             strcmp(name, "lms-executed") == 0;
	if (!f->exists || !known) {
		call(f, s, "DescribeChangeSet", 400,
		     f->exists ? "ChangeSetNotFound: ChangeSet [lms] does not exist"
		               : "ValidationError: Stack does not exist",
		     cli ? cli : "");
		free(cli);
		ops_post_text(s, OPS_MSG_ERROR, "change set %s of stack %s cannot be read: %s",
		              name, rq->stack,
		              f->exists ? "it does not exist" : "the stack does not exist");
		return false;
	}
	call(f, s, "DescribeChangeSet", 200, "", cli ? cli : "");
	free(cli);
	char id[160], other[160];
	snprintf(id, sizeof id, "arn:aws:cloudformation:%s:123456789012:stack/%s/fake", rq->region,
	         rq->stack);
	snprintf(other, sizeof other, "arn:aws:cloudformation:%s:123456789012:stack/%s-other/fake",
	         rq->region, rq->stack);
	cfn_stack st = {.name = rq->stack, .id = id, .status = f->status};
	bool executed = strcmp(name, "lms-executed") == 0;
	cfn_change_set cs = {.name = (char *)name,
	                     .stack_id = strcmp(name, "lms-other-stack") == 0 ? other : id,
	                     .status = (char *)"CREATE_COMPLETE",
	                     .execution_status =
	                         (char *)(executed ? "EXECUTE_COMPLETE" : "AVAILABLE")};
	const char *why = sf_change_set_refusal(&cs, &st);
	if (why) {
		ops_post_text(s, OPS_MSG_ERROR,
		              "refusing change set %s of stack %s: %s (status %s, execution "
		              "status %s)",
		              name, rq->stack, why, cs.status, cs.execution_status);
		return false;
	}
	ops_msg *m = calloc(1, sizeof(*m));
	if (!m)
		return false;
	m->kind = OPS_MSG_CHANGESET;
	if (!plan_changes(f, rq, &m->u.cs)) {
		free(m);
		return false;
	}
	free(m->u.cs.name);
	m->u.cs.name = strdup(name);
	m->u.cs.sha256[0] = '\0';
	m->u.cs.opened = true;
	free(f->cs_id);
	f->cs_id = strdup(m->u.cs.id);
	ops_changeset_free(&f->running);
	ops_changeset_copy(&f->running, &m->u.cs);
	ops_post(s, m);
	return true;
}

static bool job_execute(fake *f, const ops_request *rq, ops_sink *s)
{
	if (!f->cs_id || strcmp(rq->changeset_id, f->cs_id) != 0) {
		ops_post_text(s, OPS_MSG_ERROR, "change set %s not found: plan again",
		              rq->changeset_id);
		return false;
	}
	{
		buf a;
		buf_init(&a, 0);
		buf_addf(&a, "--change-set-name %s", rq->changeset_id);
		cli_call(f, s, rq, "ExecuteChangeSet", 200, "", "execute-change-set", buf_cstr(&a));
		buf_free(&a);
		dparams_set(f, rq);
	}
	bool creating = !f->exists;
	f->exists = true;
	set_status(f, creating ? "CREATE_IN_PROGRESS" : "UPDATE_IN_PROGRESS");
	ops_post_stack(s, true, f->status, "");
	post_event(s, rq->stack, "AWS::CloudFormation::Stack", f->status, "User Initiated");
	f->has_running = true;
	f->done = 0;
	if (!play(f, rq, s)) {
		if (rq->edge.stack && !ops_stopped(s))
			ops_post_text(s, OPS_MSG_PHASE, /* the error is the main stack's */
			              "%s is %s: the edge stack %s is not deployed (it follows the "
			              "main stack)",
			              rq->stack, f->status, rq->edge.stack);
		return false;
	}
	return !rq->edge.stack || edge_execute(f, rq, s);
}

static bool job_destroy(fake *f, const ops_request *rq, ops_sink *s)
{
	/* the edge first: its VPC origin holds an interface in the main stack's subnets */
	if (rq->edge.stack && f->edge_exists && !edge_destroy(f, rq, s))
		return false;
	if (rq->edge.stack && !f->exists)
		return true; /* the edge alone */
	char *cli = cli_line(rq, "delete-stack", NULL);
	call(f, s, "DeleteStack", 200, "", cli ? cli : "");
	free(cli);
	if (!f->exists) {
		ops_post_text(s, OPS_MSG_ERROR, "stack %s does not exist: nothing to delete",
		              rq->stack);
		return false;
	}
	set_status(f, "DELETE_IN_PROGRESS");
	post_event(s, rq->stack, "AWS::CloudFormation::Stack", f->status, "User Initiated");
	for (size_t i = f->nres; i-- > 0;) {
		if (!in_template(rq, f->res[i].logical_id))
			continue;
		post_event(s, f->res[i].logical_id, f->res[i].type, "DELETE_IN_PROGRESS", "");
		if (i % 4 == 0 && !ops_sleep(s, f->step_ms))
			return false;
		post_event(s, f->res[i].logical_id, f->res[i].type, "DELETE_COMPLETE", "");
	}
	post_event(s, rq->stack, "AWS::CloudFormation::Stack", "DELETE_COMPLETE", "");
	f->exists = false;
	set_status(f, "DELETE_COMPLETE");
	ops_post_stack(s, false, "DELETE_COMPLETE", "");
	return true;
}

/* The edge's update someone else started (edge-inprogress), followed to its end: its
 * distribution updated. Nothing when the edge is not in progress. */
static bool edge_watch(fake *f, const ops_request *rq, ops_sink *s)
{
	if (!f->edge_exists || !ops_status_in_progress(f->edge_status))
		return true;
	ops_request e = edge_of(rq);
	ops_sink_edge(s, true);
	cli_call(f, s, &e, "DescribeStackEvents", 200, "", "describe-stack-events", NULL);
	ops_post_stack(s, true, f->edge_status, "");
	for (size_t i = 0; i < rq->edge.nresources; i++) {
		const ops_resource *r = &rq->edge.resources[i];
		if (!strstr(r->type, "CloudFront::Distribution"))
			continue;
		post_event(s, r->logical_id, r->type, "UPDATE_IN_PROGRESS", "");
		if (!ops_sleep(s, f->step_ms)) {
			ops_sink_edge(s, false);
			return false;
		}
		post_event(s, r->logical_id, r->type, "UPDATE_COMPLETE", "");
	}
	set_edge_status(f, "UPDATE_COMPLETE");
	post_event(s, e.stack, "AWS::CloudFormation::Stack", f->edge_status, "");
	ops_post_stack(s, true, f->edge_status, "");
	ops_sink_edge(s, false);
	return true;
}

static bool job_watch(fake *f, const ops_request *rq, ops_sink *s)
{
	cli_call(f, s, rq, "DescribeStackEvents", 200, "", "describe-stack-events", NULL);
	if (!f->has_running && is(f, "inprogress") && ops_status_in_progress(f->status)) {
		/* the update someone else started: a handful of resources */
		ops_changeset cs = {0};
		cs.v = calloc(f->nres < 8 ? f->nres + 1 : 9, sizeof(ops_change));
		if (!cs.v)
			return false;
		for (size_t i = 0; i < f->nres && cs.n < 8; i++)
			if (in_template(rq, f->res[i].logical_id))
				cs.v[cs.n++] = (ops_change){OPS_MODIFY,
				                            OPS_REPL_NEVER,
				                            strdup(f->res[i].logical_id),
				                            strdup(""),
				                            strdup(f->res[i].type),
				                            strdup(""),
				                            false};
		cs.id = strdup("");
		cs.name = strdup("");
		cs.status_reason = strdup("");
		f->running = cs;
		f->has_running = true;
		f->done = 0;
	}
	if (!f->has_running) {
		ops_post_stack(s, f->exists, f->status, "");
		return !rq->edge.stack || edge_watch(f, rq, s);
	}
	return play(f, rq, s) && (!rq->edge.stack || edge_watch(f, rq, s));
}

static bool job_cancel(fake *f, const ops_request *rq, ops_sink *s)
{
	cli_call(f, s, rq, "CancelUpdateStack", 200, "", "cancel-update-stack", NULL);
	if (!f->has_running) {
		ops_post_text(s, OPS_MSG_ERROR, "no update is in progress on %s", rq->stack);
		return false;
	}
	set_status(f, "UPDATE_ROLLBACK_IN_PROGRESS");
	post_event(s, rq->stack, "AWS::CloudFormation::Stack", f->status, "User Initiated");
	for (size_t i = f->done; i-- > 0;) {
		post_event(s, f->running.v[i].logical_id, f->running.v[i].type, "UPDATE_COMPLETE",
		           "");
		if (i % 4 == 0 && !ops_sleep(s, f->step_ms))
			return false;
	}
	f->has_running = false;
	ops_changeset_free(&f->running);
	set_status(f, "UPDATE_ROLLBACK_COMPLETE");
	post_event(s, rq->stack, "AWS::CloudFormation::Stack", f->status, "");
	ops_post_stack(s, true, f->status, "");
	return true;
}

static bool job_continue(fake *f, const ops_request *rq, ops_sink *s)
{
	cli_call(f, s, rq, "ContinueUpdateRollback", 200, "", "continue-update-rollback", NULL);
	set_status(f, "UPDATE_ROLLBACK_IN_PROGRESS");
	post_event(s, rq->stack, "AWS::CloudFormation::Stack", f->status, "");
	if (!ops_sleep(s, f->step_ms))
		return false;
	set_status(f, "UPDATE_ROLLBACK_COMPLETE");
	post_event(s, rq->stack, "AWS::CloudFormation::Stack", f->status, "");
	ops_post_stack(s, true, f->status, "");
	return true;
}

/* The edge's STACK when it is not deployed (DescribeStacks refused); true when it is. */
static bool edge_deployed(fake *f, const ops_request *e, ops_sink *s)
{
	if (f->edge_exists)
		return true;
	cli_call(f, s, e, "DescribeStacks", 400, "ValidationError: Stack does not exist",
	         "describe-stacks", NULL);
	ops_post_stack(s, false, "", "");
	return false;
}

/* The deployed diff's view of the edge: its parameters (the values sent before the main
 * stack's outputs, and each output it takes as a pretend ARN) and its template as deployed
 * (HTTP/2 only where the model says HTTP/2 and 3: one resource differs). */
static void edge_template(fake *f, const ops_request *rq, ops_sink *s)
{
	ops_request e = edge_of(rq);
	ops_sink_edge(s, true);
	if (edge_deployed(f, &e, s)) {
		cli_call(f, s, &e, "DescribeStacks", 200, "", "describe-stacks", NULL);
		size_t n = rq->edge.nparams + rq->edge.nfrom;
		ops_output *v = calloc(n + 1, sizeof(*v));
		for (size_t i = 0; v && i < rq->edge.nparams; i++)
			v[i] = (ops_output){rq->edge.params[i].key, rq->edge.params[i].value, ""};
		for (size_t i = 0; v && i < rq->edge.nfrom; i++)
			v[rq->edge.nparams + i] = (ops_output){
			    rq->edge.from[i].key, "arn:aws:fake:eu-west-1:123456789012:x", ""};
		if (v)
			ops_post_parameters(s, v, n); /* copies */
		free(v);
		cli_call(f, s, &e, "GetTemplate", 200, "", "get-template",
		         "--query TemplateBody --output text");
		const char *t = rq->edge.template_text ? rq->edge.template_text : "";
		const char *h = strstr(t, "HttpVersion: http2and3");
		if (h)
			ops_post_text(s, OPS_MSG_TEMPLATE, "%.*sHttpVersion: http2%s", (int)(h - t),
			              t, h + strlen("HttpVersion: http2and3"));
		else
			ops_post_text(s, OPS_MSG_TEMPLATE, "%s", t);
	}
	ops_sink_edge(s, false);
}

/* Drift detection of the edge: under "update" its distribution was changed by hand. */
static void edge_drift(fake *f, const ops_request *rq, ops_sink *s)
{
	ops_request e = edge_of(rq);
	ops_sink_edge(s, true);
	if (edge_deployed(f, &e, s)) {
		cli_call(f, s, &e, "DetectStackDrift", 200, "", "detect-stack-drift", NULL);
		cli_call(f, s, &e, "DescribeStackResourceDrifts", 200, "",
		         "describe-stack-resource-drifts", NULL);
		size_t n = rq->edge.nresources;
		const ops_resource *d = NULL;
		for (size_t i = 0; i < n && !d && is(f, "update"); i++)
			if (strcmp(rq->edge.resources[i].type, "AWS::CloudFront::Distribution") ==
			    0)
				d = &rq->edge.resources[i];
		if (d)
			ops_post_text(
			    s, OPS_MSG_DRIFT,
			    "DRIFTED: 1 of %zu resource(s) drifted, %zu in sync, 0 not "
			    "checked\n"
			    "MODIFIED %s (%s)\n"
			    "    NOT_EQUAL /Properties/DistributionConfig/Comment: expected "
			    "lms, actual changed-by-hand\n",
			    n, n - 1, d->logical_id, d->type);
		else
			ops_post_text(s, OPS_MSG_DRIFT,
			              "IN_SYNC: 0 of %zu resource(s) drifted, %zu in sync, 0 not "
			              "checked\n",
			              n, n);
	}
	ops_sink_edge(s, false);
}

static bool job_template(fake *f, const ops_request *rq, ops_sink *s)
{
	cli_call(f, s, rq, "GetTemplate", f->exists ? 200 : 400,
	         f->exists ? "" : "ValidationError: Stack does not exist", "get-template",
	         "--query TemplateBody --output text");
	if (!f->exists) {
		ops_post_text(s, OPS_MSG_ERROR,
		              "stack %s does not exist: nothing deployed to compare", rq->stack);
		return false;
	}
	cli_call(f, s, rq, "DescribeStacks", 200, "", "describe-stacks", NULL);
	ops_post_parameters(s, f->dparams, f->ndparams);
	if (f->deployed) {
		ops_post_text(s, OPS_MSG_TEMPLATE, "%s", f->deployed);
		if (rq->edge.stack)
			edge_template(f, rq, s);
		return true;
	}
	/* a stack deployed before this session: the template with a few lines
	 * as they were */
	buf b;
	buf_init(&b, 0);
	const char *t = rq->template_text;
	size_t changed = 0;
	for (const char *line = t; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line + 1) : strlen(line);
		if (changed < 2 && strstr(line, "Default:") && memchr(line, '\n', len) &&
		    (size_t)(strstr(line, "Default:") - line) < len) {
			buf_add(&b, line, (size_t)(strstr(line, "Default:") - line));
			buf_adds(&b, "Default: previous-value\n");
			changed++;
		} else {
			buf_add(&b, line, len);
		}
		line += len;
	}
	ops_post_text(s, OPS_MSG_TEMPLATE, "%s", buf_cstr(&b));
	buf_free(&b);
	if (rq->edge.stack)
		edge_template(f, rq, s);
	return true;
}

/* ListStackResources: the pretend stack's resources, as deployed. */
static bool job_resources(fake *f, const ops_request *rq, ops_sink *s)
{
	if (rq->edge.stack)
		edge_resources(f, rq, s);
	if (!f->exists && rq->edge.stack && f->edge_exists) {
		ops_post_stack(s, false, "", ""); /* the edge alone */
		ops_post_resources(s, NULL, 0);
		return true;
	}
	if (!f->exists) {
		cli_call(f, s, rq, "ListStackResources", 400,
		         "ValidationError: Stack does not exist", "list-stack-resources", NULL);
		ops_post_text(s, OPS_MSG_ERROR, "stack %s does not exist", rq->stack);
		return false;
	}
	cli_call(f, s, rq, "ListStackResources", 200, "", "list-stack-resources", NULL);
	ops_resource *v = calloc(f->nres + 1, sizeof(*v));
	if (!v)
		return false;
	for (size_t i = 0; i < f->nres; i++)
		v[i] = (ops_resource){(char *)f->res[i].logical_id, (char *)f->res[i].type,
		                      "CREATE_COMPLETE"};
	ops_post_resources(s, v, f->nres); /* copies */
	free(v);
	return true;
}

/* Drift detection: "update" has drifted (the first resource that holds data was changed
 * outside CloudFormation), the other scenarios with a stack are in sync. */
static bool job_drift(fake *f, const ops_request *rq, ops_sink *s)
{
	if (!f->exists) {
		cli_call(f, s, rq, "DetectStackDrift", 400, "ValidationError: Stack does not exist",
		         "detect-stack-drift", NULL);
		ops_post_text(s, OPS_MSG_ERROR, "stack %s does not exist: nothing to check",
		              rq->stack);
		return false;
	}
	cli_call(f, s, rq, "DetectStackDrift", 200, "", "detect-stack-drift", NULL);
	for (int i = 0; i < 2; i++) {
		if (!ops_sleep(s, f->step_ms))
			return false;
		cli_call(f, s, rq, "DescribeStackDriftDetectionStatus", 200, "",
		         "describe-stack-drift-detection-status",
		         "--stack-drift-detection-id f4ce");
		ops_post_text(s, OPS_MSG_PHASE, "drift detection: %s (%d s)",
		              i ? "DETECTION_COMPLETE" : "DETECTION_IN_PROGRESS",
		              i * f->step_ms / 1000);
	}
	cli_call(f, s, rq, "DescribeStackResourceDrifts", 200, "", "describe-stack-resource-drifts",
	         NULL);
	const ops_fake_resource *drifted = NULL;
	for (size_t i = 0; i < f->nres && !drifted && is(f, "update"); i++)
		if (type_is_stateful(f->res[i].type))
			drifted = &f->res[i];
	if (drifted)
		ops_post_text(s, OPS_MSG_DRIFT,
		              "DRIFTED: 1 of %zu resource(s) drifted, %zu in sync, 0 not checked\n"
		              "MODIFIED %s (%s)\n"
		              "    NOT_EQUAL /Properties/Tags/0/Value: expected lms, actual "
		              "changed-by-hand\n",
		              f->nres, f->nres - 1, drifted->logical_id, drifted->type);
	else
		ops_post_text(s, OPS_MSG_DRIFT,
		              "IN_SYNC: 0 of %zu resource(s) drifted, %zu in sync, 0 not checked\n",
		              f->nres, f->nres);
	if (rq->edge.stack)
		edge_drift(f, rq, s);
	return true;
}

static bool fake_run(void *ctx, ops_job job, const ops_request *rq, ops_sink *s)
{
	fake *f = ctx;
	switch (job) {
	case OPS_STARTUP:
		return job_startup(f, rq, s);
	case OPS_PLAN:
		return job_plan(f, rq, s);
	case OPS_DISCARD:
		cli_call(f, s, rq, "DeleteChangeSet", 200, "", "delete-change-set",
		         "--change-set-name lmsctl");
		if (rq->edge.stack && *rq->edge.changeset_id) {
			ops_request e = edge_of(rq);
			cli_call(f, s, &e, "DeleteChangeSet", 200, "", "delete-change-set",
			         "--change-set-name lmsctl-edge");
		}
		return true;
	case OPS_EXECUTE:
		return job_execute(f, rq, s);
	case OPS_DESTROY:
		return job_destroy(f, rq, s);
	case OPS_WATCH:
		return job_watch(f, rq, s);
	case OPS_CANCEL:
		return job_cancel(f, rq, s);
	case OPS_CONTINUE_ROLLBACK:
		return job_continue(f, rq, s);
	case OPS_TEMPLATE:
		return job_template(f, rq, s);
	case OPS_RESOURCES:
		return job_resources(f, rq, s);
	case OPS_DRIFT:
		return job_drift(f, rq, s);
	case OPS_OPEN:
		return job_open(f, rq, s);
	default:
		ops_post_text(s, OPS_MSG_ERROR, "the fake backend cannot %s", ops_job_name(job));
		return false;
	}
}

static void fake_free(void *ctx)
{
	fake *f = ctx;
	if (!f)
		return;
	for (size_t i = 0; i < f->nres; i++) {
		free((char *)f->res[i].logical_id);
		free((char *)f->res[i].type);
	}
	free(f->res);
	free(f->scenario);
	free(f->status);
	free(f->deployed);
	free(f->cs_id);
	free(f->edge_status);
	free(f->edge_cs_id);
	for (size_t i = 0; i < f->ndparams; i++) {
		free(f->dparams[i].key);
		free(f->dparams[i].value);
	}
	free(f->dparams);
	ops_changeset_free(&f->running);
	free(f);
}

ops_backend *ops_fake_new(const char *scenario, const ops_fake_resource *res, size_t nres,
                          int step_ms, lms_error *err)
{
	static const char *const known[] = {
	    "new",     "update", "fail",      "inprogress", "failed-create", "rollback-failed",
	    "nocreds", "denied", "throttled", "edge-fail",  "edge-replace",  "edge-inprogress"};
	bool ok = false;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		ok = ok || strcmp(scenario, known[i]) == 0;
	if (!ok) {
		lms_error_set(err, NULL, 0, 0,
		              "unknown fake scenario '%s' (new, update, fail, inprogress, "
		              "failed-create, rollback-failed, nocreds, denied, throttled, "
		              "edge-fail, edge-replace, edge-inprogress)",
		              scenario);
		return NULL;
	}
	fake *f = calloc(1, sizeof(*f));
	ops_backend *b = calloc(1, sizeof(*b));
	if (!f || !b)
		goto oom;
	f->scenario = strdup(scenario);
	f->res = calloc(nres + 1, sizeof(*f->res));
	if (!f->scenario || !f->res)
		goto oom;
	for (size_t i = 0; i < nres; i++) {
		f->res[i].logical_id = strdup(res[i].logical_id);
		f->res[i].type =
		    strdup(res[i].type ? res[i].type : "AWS::CloudFormation::WaitConditionHandle");
		f->nres++;
		if (!f->res[i].logical_id || !f->res[i].type)
			goto oom;
	}
	f->step_ms = step_ms > 0 ? step_ms : 1;
	f->exists = !is(f, "new") && !is(f, "fail") && !is(f, "nocreds") && !is(f, "edge-fail");
	/* the companion, where the scenario has a stack: as deployed with it */
	f->edge_exists = f->exists && !is(f, "failed-create");
	set_edge_status(f, !f->edge_exists            ? ""
	                   : is(f, "edge-inprogress") ? "UPDATE_IN_PROGRESS"
	                                              : "UPDATE_COMPLETE");
	set_status(f, is(f, "inprogress")        ? "UPDATE_IN_PROGRESS"
	              : is(f, "failed-create")   ? "ROLLBACK_COMPLETE"
	              : is(f, "rollback-failed") ? "UPDATE_ROLLBACK_FAILED"
	              : f->exists                ? "UPDATE_COMPLETE"
	                                         : "");
	b->name = "fake";
	b->ctx = f;
	b->run = fake_run;
	b->free = fake_free;
	return b;
oom:
	fake_free(f);
	free(b);
	lms_error_set(err, NULL, 0, 0, "out of memory");
	return NULL;
}
