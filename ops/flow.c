/* The deploy and destroy steps both faces run (ops/flow.h). */
#define _GNU_SOURCE /* gmtime_r */
#include "ops/flow.h"

#include "aws/provider.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- connecting ------------------------------------------------------------------------- */

aws_client *sf_client(const sf_connect_options *o, provider_cache *creds, const char *region,
                      lms_error *err)
{
	aws_client_options ao = {
	    .region = region,
	    .endpoint_url = o->endpoint_url,
	    .profile = o->profile,
	    .timeout_ms = o->timeout_ms,
	    .backoff_unit_ms = o->backoff_unit_ms,
	    .debug = o->debug,
	    .interrupted = o->interrupted,
	    .interrupt_ctx = o->interrupt_ctx,
	    .on_call = o->on_call,
	    .on_call_ctx = o->on_call_ctx,
	    .refresh = provider_cache_refresh,
	    .refresh_ctx = creds,
	};
	return aws_client_new(&ao, provider_cache_current(creds), err);
}

sf_connect_step sf_connect(const sf_connect_options *o, sf_session *s, credentials_status *status,
                           lms_error *err)
{
	memset(s, 0, sizeof *s);
	provider_options po = {.profile = o->profile,
	                       .named_by = o->profile_named_by,
	                       .region = o->region,
	                       .endpoint_url = o->endpoint_url,
	                       .process_timeout_seconds = 60,
	                       .debug = o->debug,
	                       .clock = o->clock,
	                       .clock_ctx = o->clock_ctx,
	                       .mfa_prompt = o->mfa_prompt,
	                       .mfa_ctx = o->mfa_ctx};
	s->creds = provider_cache_new(&po, status, err);
	if (!s->creds)
		return SF_CONNECT_CREDENTIALS;
	s->aws = sf_client(o, s->creds, o->region, err);
	if (!s->aws)
		return SF_CONNECT_CLIENT;
	if (!sts_get_caller_identity(s->aws, &s->who, err))
		return SF_CONNECT_IDENTITY;
	s->have_identity = true;
	return SF_CONNECT_DONE;
}

void sf_session_close(sf_session *s)
{
	aws_client_free(s->aws);
	provider_cache_free(s->creds);
	sts_identity_free(&s->who);
	memset(s, 0, sizeof *s);
}

/* ---- planning a change set ---------------------------------------------------------------- */

static void report(void (*progress)(void *, const sf_plan_progress *), const sf_hooks *h,
                   const sf_plan_progress *p)
{
	if (progress)
		progress(h ? h->ctx : NULL, p);
}

bool sf_plan_change_set(aws_client *aws, const sf_plan_request *rq, const sf_hooks *h,
                        void (*progress)(void *ctx, const sf_plan_progress *p), sf_plan *plan,
                        lms_error *err)
{
	memset(plan, 0, sizeof *plan);
	sf_plan_progress p = {.type = rq->type, .template_len = rq->template_len};
	buf url;
	buf_init(&url, 0);
	bool ok = true;
	/* where the template goes: inline, or through the artifact bucket when large */
	if (rq->template_len > CFN_MAX_TEMPLATE_BODY) {
		plan->failed = SF_PLAN_UPLOAD;
		p.step = SF_PLAN_UPLOAD;
		report(progress, h, &p);
		buf bucket, key;
		buf_init(&bucket, 0);
		buf_init(&key, 0);
		bool created = false;
		ok = sf_upload_template(aws, rq->account, rq->region, rq->stack, rq->template_text,
		                        rq->template_len, &url, &bucket, &key, &created, err);
		if (ok || created) {
			p.done = true;
			p.uploaded = ok;
			p.bucket = buf_cstr(&bucket);
			p.key = buf_cstr(&key);
			p.bucket_created = created;
			report(progress, h, &p);
			p.done = false;
		}
		buf_free(&bucket);
		buf_free(&key);
	}
	/* the change set's name and tokens */
	if (ok) {
		plan->failed = SF_PLAN_NAMES;
		plan->named = sf_deploy_names_init(&plan->names, aws, rq->stack, rq->environment);
		ok = plan->named;
		if (!ok)
			lms_error_set(err, NULL, 0, 0, "out of memory");
	}
	/* the change set, created, then waited for */
	if (ok) {
		cfn_change_set_input in = {
		    .stack_name = rq->stack,
		    .change_set_name = buf_cstr(&plan->names.name),
		    .type = rq->type,
		    .template_body = url.len ? NULL : rq->template_text,
		    .template_url = url.len ? buf_cstr(&url) : NULL,
		    .parameters = rq->params,
		    .nparameters = rq->nparams,
		    .capabilities = sf_capabilities,
		    .ncapabilities = 2,
		    .tags = plan->names.tags,
		    .ntags = 2,
		    .role_arn = rq->role_arn,
		    .description = buf_cstr(&plan->names.description),
		    .client_token = buf_cstr(&plan->names.create_token),
		};
		p.name = buf_cstr(&plan->names.name);
		p.from_s3 = url.len > 0;
		p.step = plan->failed = SF_PLAN_CREATE;
		report(progress, h, &p);
		ok = cfn_create_change_set(aws, &in, &plan->cs_id, err);
	}
	if (ok) {
		p.step = plan->failed = SF_PLAN_WAIT;
		report(progress, h, &p);
		plan->cs = sf_wait_change_set(aws, rq->stack, plan->cs_id, h, err);
		ok = plan->cs != NULL;
	}
	if (ok)
		plan->failed = SF_PLAN_DONE;
	buf_free(&url);
	return ok;
}

void sf_plan_free(sf_plan *plan)
{
	if (plan->named)
		sf_deploy_names_free(&plan->names);
	free(plan->cs_id);
	cfn_change_set_free(plan->cs);
	memset(plan, 0, sizeof *plan);
}

/* ---- running a stack operation ------------------------------------------------------------ */

static bool start(aws_client *aws, const sf_operation *op, const char *token, lms_error *err)
{
	switch (op->call) {
	case SF_EXECUTE:
		return cfn_execute_change_set(aws, op->target, op->change_set, token, err);
	case SF_DELETE:
		return cfn_delete_stack(aws, op->target, op->role_arn, token, err);
	case SF_CANCEL:
		return cfn_cancel_update_stack(aws, op->target, token, err);
	case SF_CONTINUE_ROLLBACK:
		return cfn_continue_update_rollback(aws, op->target, op->role_arn, token, err);
	}
	return false;
}

sf_run_result sf_run(aws_client *aws, const sf_operation *op, const sf_hooks *h, cfn_stack **final,
                     sf_failure *first, lms_error *err)
{
	*final = NULL;
	cfn_event_tracker t;
	if (!cfn_event_tracker_init(&t, op->events_of, 0)) {
		lms_error_set(err, NULL, 0, 0, "out of memory");
		return SF_RUN_REFUSED;
	}
	/* what happened before is not this operation's: a stack without events yet is fine */
	if (!sf_events_baseline(aws, &t, err))
		lms_error_clear(err);
	buf token;
	buf_init(&token, 0);
	bool sent = op->token ? start(aws, op, op->token, err)
	                      : cfn_new_token(&token) && start(aws, op, buf_cstr(&token), err);
	buf_free(&token);
	sf_run_result r = SF_RUN_REFUSED;
	if (sent) {
		if (op->started)
			op->started(h ? h->ctx : NULL);
		switch (sf_follow(aws, &t, op->stack, op->id, op->after_execute, h, final, first,
		                  err)) {
		case SF_SETTLED:
			r = SF_RUN_SETTLED;
			break;
		case SF_ERROR:
			r = SF_RUN_LOST;
			break;
		case SF_INTERRUPTED:
			r = SF_RUN_INTERRUPTED;
			break;
		}
	}
	cfn_event_tracker_free(&t);
	return r;
}

/* ---- lifting deletion protection ---------------------------------------------------------- */

static bool stopped(const sf_hooks *h)
{
	return h && h->stopped && h->stopped(h->ctx);
}

void sf_lift_free(sf_lift *l)
{
	buf_free(&l->change_set);
	free(l->cs_id);
	cfn_stack_free(l->final);
	sf_failure_free(&l->first);
	memset(l, 0, sizeof *l);
}

/* Whether the change set does what lifting does and nothing else: modifications, without
 * replacement, of the protected resources, and of nested stacks (CloudFormation lists
 * every nested stack of an updated stack as modified, unable to tell beforehand: the
 * rotation application the Secrets Manager transform adds is one; with its template and
 * parameters unchanged its update changes nothing). Names the first other change in why. */
static bool only_the_lift(const cfn_change_set *cs, const sf_lift_request *rq, buf *why)
{
	for (size_t i = 0; i < cs->nchanges; i++) {
		const cfn_change *c = &cs->changes[i];
		bool protected_one =
		    c->resource_type && strcmp(c->resource_type, "AWS::CloudFormation::Stack") == 0;
		for (size_t j = 0; j < rq->nprotected; j++)
			protected_one |= strcmp(rq->protected_ids[j], c->logical_id) == 0;
		bool replaces = c->replacement && strcmp(c->replacement, "False") != 0;
		if (!protected_one || strcmp(c->action, "Modify") != 0 || replaces) {
			buf_addf(why, "%s %s (%s%s)", c->action, c->logical_id, c->resource_type,
			         replaces ? ", replacement" : "");
			return false;
		}
	}
	return true;
}

/* CreateChangeSet of the stack's own template with the lift values and every other
 * parameter UsePreviousValue; fills l->change_set and l->cs_id. */
static bool create_lift_change_set(aws_client *aws, const sf_lift_request *rq, sf_lift *l,
                                   lms_error *err)
{
	const cfn_stack *s = rq->stack;
	char stamp[32];
	time_t now = aws_client_now(aws);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	buf_addf(&l->change_set, "lmsctl-lift-%s", stamp);
	buf token, description;
	buf_init(&token, 0);
	buf_init(&description, 0);
	buf_addf(&description, "lmsctl destroy: lift deletion protection before deleting %s",
	         s->name);
	cfn_kv *params = calloc(s->nparameters ? s->nparameters : 1, sizeof *params);
	bool ok = params && cfn_new_token(&token) && !description.failed && !l->change_set.failed;
	for (size_t i = 0; ok && i < s->nparameters; i++) {
		params[i] = (cfn_kv){s->parameters[i].key, NULL, false, true};
		for (size_t j = 0; j < rq->nlift; j++)
			if (strcmp(rq->lift[j].key, s->parameters[i].key) == 0)
				params[i] =
				    (cfn_kv){s->parameters[i].key, rq->lift[j].value, false, false};
	}
	if (!ok) {
		lms_error_set(err, NULL, 0, 0, "out of memory");
	} else {
		/* by name: the stack is live (and moto finds a change set's stack by name only) */
		cfn_change_set_input in = {.stack_name = s->name,
		                           .change_set_name = buf_cstr(&l->change_set),
		                           .type = "UPDATE",
		                           .use_previous_template = true,
		                           .parameters = params,
		                           .nparameters = s->nparameters,
		                           .capabilities = sf_capabilities,
		                           .ncapabilities = 2,
		                           .tags = s->tags,
		                           .ntags = s->ntags,
		                           .role_arn = rq->role_arn ? rq->role_arn : s->role_arn,
		                           .description = buf_cstr(&description),
		                           .client_token = buf_cstr(&token)};
		ok = cfn_create_change_set(aws, &in, &l->cs_id, err);
	}
	free(params);
	buf_free(&token);
	buf_free(&description);
	return ok;
}

sf_lift_result sf_lift_protection(aws_client *aws, const sf_lift_request *rq, const sf_hooks *h,
                                  sf_lift *l, lms_error *err)
{
	memset(l, 0, sizeof *l);
	buf_init(&l->change_set, 0);
	const cfn_stack *s = rq->stack;
	if (!create_lift_change_set(aws, rq, l, err))
		return SF_LIFT_REFUSED;
	const char *target = s->name;
	cfn_change_set *cs = sf_wait_change_set(aws, target, l->cs_id, h, err);
	if (!cs)
		return stopped(h) ? SF_LIFT_INTERRUPTED : SF_LIFT_REFUSED;
	buf why;
	buf_init(&why, 0);
	sf_lift_result r = SF_LIFT_DONE;
	bool nothing = cfn_change_set_is_empty(cs) && strcmp(cs->status, "FAILED") == 0;
	if (!nothing && strcmp(cs->status, "FAILED") == 0) {
		lms_error_set(err, NULL, 0, 0,
		              "the change set that lifts the protection failed: %s",
		              cs->status_reason ? cs->status_reason : "no reason given");
		r = SF_LIFT_REFUSED;
	} else if (!nothing && !only_the_lift(cs, rq, &why)) {
		lms_error_set(err, NULL, 0, 0,
		              "the change set that lifts the protection would also make other "
		              "changes (%s): it was deleted, nothing was changed; deploy the model "
		              "first, or lift the protection by hand",
		              buf_cstr(&why));
		r = SF_LIFT_REFUSED;
	}
	cfn_change_set_free(cs);
	buf_free(&why);
	if (r != SF_LIFT_DONE || nothing) {
		lms_error ignored = {0}; /* a change set left behind does no harm */
		if (!cfn_delete_change_set(aws, target, l->cs_id, &ignored))
			lms_error_clear(&ignored);
		return r;
	}
	sf_operation op = {.call = SF_EXECUTE,
	                   .target = target,
	                   .change_set = l->cs_id,
	                   .events_of = s->id ? s->id : s->name,
	                   .stack = s->name,
	                   .id = s->id,
	                   .after_execute = true,
	                   .started = rq->started};
	switch (sf_run(aws, &op, h, &l->final, &l->first, err)) {
	case SF_RUN_REFUSED:
		return SF_LIFT_REFUSED;
	case SF_RUN_LOST:
		return SF_LIFT_FAILED;
	case SF_RUN_INTERRUPTED:
		return SF_LIFT_INTERRUPTED;
	case SF_RUN_SETTLED:
		break;
	}
	if (!l->final || strcmp(l->final->status, "UPDATE_COMPLETE") != 0) {
		lms_error_set(
		    err, NULL, 0, 0,
		    "the update that lifts the protection ended in %s: nothing was deleted",
		    l->final ? l->final->status : "a stack that is gone");
		return SF_LIFT_FAILED;
	}
	return SF_LIFT_DONE;
}
