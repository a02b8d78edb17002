/* The deploy and destroy steps both faces run (ops/flow.h). */
#include "ops/flow.h"

#include "aws/provider.h"

#include <stdlib.h>
#include <string.h>

/* ---- connecting ------------------------------------------------------------------------- */

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
	aws_client_options ao = {
	    .region = o->region,
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
	    .refresh_ctx = s->creds,
	};
	s->aws = aws_client_new(&ao, provider_cache_current(s->creds), err);
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
