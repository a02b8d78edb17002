/* flow: the steps of a deploy or a destroy, written once for both faces, the command line
 * (cli/deploy.c) and the console's AWS backend (ops/ops_aws.c): connecting (credentials,
 * client, identity), planning a change set (the template inline or through S3, the
 * names and tokens, CreateChangeSet, the wait), and running a stack operation
 * (ExecuteChangeSet, DeleteStack, CancelUpdateStack, ContinueUpdateRollback) to its end
 * with its events followed. The gate is ops/status.h's, the events, the journal and the
 * outputs ops/stackflow.h's.
 *
 * Nothing here prints or prompts: each step says which part failed and why (lms_error),
 * and reports progress through hooks, so that the command line prints it and the console
 * posts it to its screen, each in its own words. */
#ifndef LMSCTL_OPS_FLOW_H
#define LMSCTL_OPS_FLOW_H

#include "aws/cfn.h"
#include "aws/credentials.h"
#include "aws/http.h"
#include "aws/provider.h"
#include "aws/sts.h"
#include "common/buf.h"
#include "common/error.h"
#include "ops/stackflow.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* ---- connecting ------------------------------------------------------------------------- */

typedef struct sf_session {
	/* The credentials, renewed by the client before they expire (aws/provider.h):
	 * provider_cache_current() gives the ones in use. */
	provider_cache *creds;
	aws_client *aws;
	sts_identity who;
	bool have_identity;
} sf_session;

typedef struct sf_connect_options {
	const char *profile, *region, *endpoint_url;
	const char *profile_named_by;     /* what named the profile; NULL: --profile */
	long timeout_ms, backoff_unit_ms; /* 0: the client's defaults */
	FILE *debug;                      /* --debug: requests and answers, secrets masked */
	bool (*interrupted)(void *ctx);
	void *interrupt_ctx;
	void (*on_call)(void *ctx, const aws_call_record *rec); /* the API log */
	void *on_call_ctx;
	time_t (*clock)(void *ctx); /* for the credentials' expiry; NULL: time() (tests) */
	void *clock_ctx;
	/* asks for an MFA code (aws/provider.h); NULL: a profile with mfa_serial is refused */
	bool (*mfa_prompt)(void *ctx, const char *profile, const char *serial, buf *code);
	void *mfa_ctx;
} sf_connect_options;

typedef enum sf_connect_step {
	SF_CONNECT_DONE,
	SF_CONNECT_CREDENTIALS, /* none found, or a source failed: *status says which */
	SF_CONNECT_CLIENT,      /* the client could not be made */
	SF_CONNECT_IDENTITY,    /* STS GetCallerIdentity failed */
} sf_connect_step;

/* Resolves the credentials, makes the client and asks STS whose they are. Returns the step
 * that failed (SF_CONNECT_DONE: none) with err and, for the credentials, the provider's
 * *status; `s` keeps what was made either way (sf_session_close frees it). */
sf_connect_step sf_connect(const sf_connect_options *o, sf_session *s, credentials_status *status,
                           lms_error *err);
void sf_session_close(sf_session *s);
/* A client as sf_connect makes it, for `region` (a companion stack's), with the credentials
 * of `creds` (renewed through it). */
aws_client *sf_client(const sf_connect_options *o, provider_cache *creds, const char *region,
                      lms_error *err);

/* ---- planning a change set ---------------------------------------------------------------- */

typedef struct sf_plan_request {
	const char *stack, *region, *environment;
	const char *account;  /* for the artifact bucket's name */
	const char *type;     /* CREATE or UPDATE (ops_deploy_gate) */
	const char *role_arn; /* NULL: none */
	const char *template_text;
	size_t template_len; /* over CFN_MAX_TEMPLATE_BODY: through S3 */
	const cfn_kv *params;
	size_t nparams;
} sf_plan_request;

typedef enum sf_plan_step {
	SF_PLAN_NAMES,  /* the change set's name and tokens (out of memory) */
	SF_PLAN_UPLOAD, /* the template to the artifact bucket */
	SF_PLAN_CREATE, /* CreateChangeSet */
	SF_PLAN_WAIT,   /* DescribeChangeSet until it is made */
	SF_PLAN_DONE,
} sf_plan_step;

/* What a plan reports as it goes: a step starting, or the upload done. */
typedef struct sf_plan_progress {
	sf_plan_step step;
	bool done;        /* SF_PLAN_UPLOAD: the attempt is over (see uploaded) */
	const char *name; /* the change set's name (from SF_PLAN_UPLOAD on) */
	const char *type;
	size_t template_len;
	bool from_s3; /* SF_PLAN_CREATE: the template is sent as an S3 URL */
	/* SF_PLAN_UPLOAD done (reported when the template went up or the bucket was made) */
	bool uploaded; /* the template is in the bucket */
	const char *bucket, *key;
	bool bucket_created; /* the artifact bucket was made now */
} sf_plan_progress;

typedef struct sf_plan {
	sf_deploy_names names; /* valid when `named` */
	bool named;
	char *cs_id;         /* the change set's ARN, once created */
	cfn_change_set *cs;  /* once made (CREATE_COMPLETE or FAILED); NULL when not */
	sf_plan_step failed; /* SF_PLAN_DONE when cs is there */
} sf_plan;

/* Makes the change set and waits for it: names it, uploads a large template, creates the
 * change set and polls it until it is made. False with err and plan->failed when a step
 * fails; plan holds what was made either way (sf_plan_free). `progress` (NULL: none)
 * hears each step as it starts. An empty or FAILED change set is the caller's to judge
 * (cfn_change_set_is_empty, cs->status). */
bool sf_plan_change_set(aws_client *aws, const sf_plan_request *rq, const sf_hooks *h,
                        void (*progress)(void *ctx, const sf_plan_progress *p), sf_plan *plan,
                        lms_error *err);
void sf_plan_free(sf_plan *plan);

/* ---- running a stack operation ------------------------------------------------------------ */

typedef enum sf_call {
	SF_EXECUTE,           /* ExecuteChangeSet of target.change_set */
	SF_DELETE,            /* DeleteStack (target.role_arn: the role; NULL: the stack's) */
	SF_CANCEL,            /* CancelUpdateStack */
	SF_CONTINUE_ROLLBACK, /* ContinueUpdateRollback (target.role_arn) */
} sf_call;

typedef struct sf_operation {
	sf_call call;
	const char *target;     /* the stack name or id the call names */
	const char *change_set; /* SF_EXECUTE */
	const char *role_arn;   /* SF_DELETE, SF_CONTINUE_ROLLBACK; NULL: none */
	const char *token;      /* the idempotency token; NULL: a new one */
	const char *events_of;  /* the stack (id, or name) whose events are followed */
	const char *stack;      /* its name, and its id when known (NULL: by name): sf_follow */
	const char *id;
	bool after_execute; /* REVIEW_IN_PROGRESS is not settled yet */
	/* once the call is accepted, before following (NULL: nothing); ctx is the hooks' */
	void (*started)(void *ctx);
} sf_operation;

typedef enum sf_run_result {
	SF_RUN_REFUSED,     /* the call failed (err): nothing started */
	SF_RUN_SETTLED,     /* the stack settled: *final, NULL when it is gone */
	SF_RUN_LOST,        /* following it failed (err): see the stack's status */
	SF_RUN_INTERRUPTED, /* following was cut short: the operation goes on in AWS */
} sf_run_result;

/* Marks the stack's events so far as seen, makes the call, then follows the stack's
 * events until it settles (sf_follow: each new event to the hooks, the first failure
 * pinned in *first, the settled stack in *final, to free). */
sf_run_result sf_run(aws_client *aws, const sf_operation *op, const sf_hooks *h, cfn_stack **final,
                     sf_failure *first, lms_error *err);

/* ---- lifting deletion protection ----------------------------------------------------------- */

/* What lifting a stack's deletion protection through CloudFormation needs: the values
 * (sf_deployed_protection) and the resources whose protection they turn off. */
typedef struct sf_lift_request {
	const cfn_stack *stack; /* as described: name, id, parameters, tags, role */
	const char *role_arn;   /* NULL: the stack's */
	const cfn_kv *lift;     /* the parameter values that lift it */
	size_t nlift;
	const char *const *protected_ids; /* the logical ids the change set may modify */
	size_t nprotected;
	/* once ExecuteChangeSet is accepted (NULL: nothing); ctx is the hooks' */
	void (*started)(void *ctx);
} sf_lift_request;

typedef enum sf_lift_result {
	SF_LIFT_DONE,        /* the update is complete (or there was nothing to change) */
	SF_LIFT_REFUSED,     /* nothing changed (err): a call failed, the change set failed or
	                      * would change more than the protection */
	SF_LIFT_FAILED,      /* the update failed or rolled back, or following it failed (err) */
	SF_LIFT_INTERRUPTED, /* following was cut short: the update goes on in AWS */
} sf_lift_result;

typedef struct sf_lift {
	buf change_set; /* its name (lmsctl-lift-YYYYMMDD-HHMMSS) once made */
	char *cs_id;
	cfn_stack *final; /* the stack after the update; NULL when not followed to its end */
	sf_failure first; /* the update's first failure */
} sf_lift;

/* Turns the protection off the CloudFormation way: a change set of type UPDATE on the
 * stack's own template (UsePreviousTemplate) with the lift values and UsePreviousValue for
 * every other parameter, the stack's tags and role; the wait for it; a refusal (the change
 * set deleted) when it would do anything but modify the protected resources (and nested
 * stacks, which CloudFormation always lists) without replacing them; then ExecuteChangeSet,
 * followed to UPDATE_COMPLETE (events through the hooks). A change set FAILED for want of changes
 * is deleted and counts as done. `l` holds what was made (sf_lift_free). */
sf_lift_result sf_lift_protection(aws_client *aws, const sf_lift_request *rq, const sf_hooks *h,
                                  sf_lift *l, lms_error *err);
void sf_lift_free(sf_lift *l);

#endif
