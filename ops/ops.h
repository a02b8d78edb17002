/* ops: the stack operations the console runs (who am I, what is deployed,
 * plan a change set, apply it, destroy, watch, cancel, recover), as an
 * interface a backend implements: the AWS layer, or a scripted fake for
 * tests (ops_fake_new). The console never blocks on a backend: each
 * operation runs on a worker thread and reports through a sink as messages;
 * the console's loop polls ops_runner_fd() and reads them with
 * ops_runner_next().
 *
 * Flow of a deploy: OPS_PLAN (posts OPS_MSG_CHANGESET) -> the operator
 * reviews and confirms -> OPS_EXECUTE (posts OPS_MSG_EVENT as they arrive,
 * OPS_MSG_STACK when it settles, then OPS_MSG_OUTPUTS) -> OPS_MSG_DONE.
 * Every backend call to AWS posts an OPS_MSG_CALL for the API log.
 *
 * An environment of two stacks (ops/envflow.h: the main stack, then its companion, the
 * edge in us-east-1) is one request with `edge` set: STARTUP reads both, PLAN makes both
 * change sets (or, while the main stack's outputs are not known, posts the edge's as
 * `pending`), EXECUTE runs the main stack's, then the edge's with the main stack's
 * outputs, DESTROY deletes the edge first, then the main stack, RESOURCES lists both.
 * Each message about the edge has `edge` set. */
#ifndef LMSCTL_OPS_OPS_H
#define LMSCTL_OPS_OPS_H

#include "common/error.h"
#include "model/catalog.h"
#include "model/model.h"
#include "ops/status.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum {
	/* identity, then the stack's state (OPS_MSG_IDENTITY, OPS_MSG_PARAMETERS when it
	 * exists, OPS_MSG_STACK) */
	OPS_STARTUP,
	OPS_PLAN,    /* create and describe a change set for the template */
	OPS_DISCARD, /* delete the change set the operator declined */
	OPS_EXECUTE, /* execute the change set, stream events until settled */
	OPS_DESTROY, /* delete the stack, stream events until gone */
	/* stream events of an operation already in progress: the main stack's, then (with an
	 * edge) the edge's, each followed to its end when one runs */
	OPS_WATCH,
	OPS_CANCEL,            /* CancelUpdateStack */
	OPS_CONTINUE_ROLLBACK, /* ContinueUpdateRollback */
	/* DescribeStacks' parameters (OPS_MSG_PARAMETERS), then GetTemplate (OPS_MSG_TEMPLATE):
	 * what the console's deployed diff compares the model with */
	OPS_TEMPLATE,
	OPS_RESOURCES, /* ListStackResources: what a destroy deletes (OPS_MSG_RESOURCES) */
	/* drift detection (stack_drift_detect): progress as OPS_MSG_PHASE, the result as
	 * OPS_MSG_DRIFT; where the endpoint has none (moto), an OPS_MSG_ERROR that says so */
	OPS_DRIFT,
	/* a change set made elsewhere (`lmsctl deploy --no-execute`, the AWS CLI), by the name
	 * in the request's changeset_id: DescribeStacks, DescribeChangeSet, the shared check
	 * (sf_change_set_refusal: this stack's, CREATE_COMPLETE, AVAILABLE), then
	 * OPS_MSG_CHANGESET with `opened` for the same review as a planned one; a refusal is
	 * an OPS_MSG_ERROR that says why. Nothing is created, executed or deleted */
	OPS_OPEN,
	OPS_JOB_COUNT
} ops_job;

const char *ops_job_name(ops_job j);

typedef enum {
	OPS_MSG_CALL,      /* an API call, for the log */
	OPS_MSG_IDENTITY,  /* account and caller ARN */
	OPS_MSG_STACK,     /* the stack's status (exists false: no stack) */
	OPS_MSG_PHASE,     /* what the job is doing now ("creating change set") */
	OPS_MSG_CHANGESET, /* a change set, ready for review */
	OPS_MSG_EVENT,     /* a stack event */
	OPS_MSG_OUTPUTS,   /* the stack's outputs */
	OPS_MSG_TEMPLATE,  /* the deployed template's text */
	/* the deployed stack's parameters (u.outputs: key and value; NoEcho ones "****") */
	OPS_MSG_PARAMETERS,
	/* drift detection's result (u.text): a first line "DRIFTED: 2 of 40 resource(s)
	 * drifted, 37 in sync, 1 not checked", then each drifted resource and its property
	 * differences (expected, actual) */
	OPS_MSG_DRIFT,
	OPS_MSG_RESOURCES, /* the deployed stack's resources (ListStackResources) */
	OPS_MSG_ERROR,     /* a failure, as a message the operator can act on */
	OPS_MSG_DONE,      /* the job ended (ok or not): always the last message */
} ops_msg_kind;

typedef enum { OPS_ADD, OPS_MODIFY, OPS_REMOVE, OPS_IMPORT, OPS_DYNAMIC } ops_action;
typedef enum { OPS_REPL_NEVER, OPS_REPL_CONDITIONAL, OPS_REPL_ALWAYS } ops_replacement;

typedef struct ops_change {
	ops_action action;
	ops_replacement replacement; /* Modify only */
	char *logical_id;
	char *physical_id; /* "" for an Add */
	char *type;        /* AWS::RDS::DBCluster */
	/* the properties that force the replacement ("MasterUsername (Always)");
	 * "" when none */
	char *replace_because;
	bool stateful; /* holds data that a replacement or removal loses */
} ops_change;

typedef struct ops_changeset {
	char *id; /* ARN */
	char *name;
	char *status_reason; /* "" or why it has no changes */
	char sha256[65];     /* of the template it was made from; "" when opened */
	bool creates_stack;  /* a CREATE change set */
	/* opened by name (OPS_OPEN), made outside this session: its template is not the
	 * previewed one, so no sha256 ties it to the model; declining it leaves it in place */
	bool opened;
	/* the edge's, not made yet: its parameters wait for the main stack's outputs (a first
	 * deploy, or a failed creation of the edge to delete first); v lists its template's
	 * resources, each an Add (a creation) or a Modify (an update: what changes is known
	 * after the main stack) */
	bool pending;
	ops_change *v;
	size_t n;
} ops_changeset;

typedef struct ops_event {
	double time; /* seconds since the epoch */
	char *logical_id;
	char *type;
	char *status; /* CREATE_IN_PROGRESS, ... */
	char *reason; /* "" when none */
} ops_event;

typedef struct ops_output {
	char *key, *value, *description;
} ops_output;

/* A resource of the deployed stack (ListStackResources). */
typedef struct ops_resource {
	char *logical_id, *type, *status;
} ops_resource;

typedef struct ops_call {
	double time;            /* when it started */
	double ms;              /* how long it took */
	char *service, *action; /* cloudformation, CreateChangeSet */
	int http_status;        /* 0: no response */
	char *request_id;       /* "" when none */
	char *error;            /* "" or "Throttling: Rate exceeded" */
	char *cli;              /* the equivalent `aws` command line */
} ops_call;

typedef struct ops_msg {
	ops_msg_kind kind;
	ops_job job;
	bool edge; /* about the companion stack (ops_request.edge), not the main one */
	union {
		ops_call call;
		struct {
			char *account, *arn;
		} identity;
		struct {
			bool exists;
			char *status, *reason;
		} stack;
		char *text; /* PHASE, ERROR, TEMPLATE */
		ops_changeset cs;
		ops_event event;
		struct {
			ops_output *v;
			size_t n;
		} outputs;
		struct {
			ops_resource *v;
			size_t n;
		} resources;
		struct {
			bool ok;
			char *status; /* the stack's status at the end, or "" */
		} done;
	} u;
} ops_msg;

void ops_msg_free(ops_msg *m);
void ops_changeset_free(ops_changeset *cs);
bool ops_changeset_copy(ops_changeset *dst, const ops_changeset *src);

/* A template parameter's value as the model sets it. */
typedef struct ops_param {
	char *key, *value;
	bool no_echo; /* never shown: masked in the API log */
	/* the pipeline owns it (LmsCtl::PipelineParameters): `value` is the template Default,
	 * sent on a CREATE; an UPDATE keeps the stack's value (UsePreviousValue) */
	bool keep_previous;
} ops_param;

/* The values a plan sends for the model's template: every catalog parameter the model
 * sets, with NoEcho, in catalog order; *n of them. A parameter the pipeline owns is
 * there with its Default and keep_previous. The strings are borrowed from `cat`
 * and `m` (free the array only); NULL when out of memory. The command line and the
 * console send the same. */
ops_param *ops_model_params(const catalog *cat, const model *m, size_t *n);

/* The resources of a template whose deletion protection is on (or may be) for these
 * parameter values, each as "LogicalId (Type)": what the destroy dialog names, and the
 * only protection the destroy job lifts (it refuses a deployed one the dialog did not
 * name). *n of them; free with ops_strings_free. */
char **ops_protected_resources(const char *text, size_t len, const ops_param *params,
                               size_t nparams, const char *stack, size_t *n);
void ops_strings_free(char **v, size_t n);

/* The companion stack of the environment (ops/envflow.h), as the console resolved it from
 * the model: ef_open, ef_template, ef_params with no main stack yet. */
typedef struct ops_edge {
	char *stack; /* NULL: the environment is one stack */
	char *region;
	char *template_text;
	size_t template_len;
	/* the values its change set sends before the main stack's outputs are known */
	ops_param *params;
	size_t nparams;
	/* its LmsCtl::FromStackOutputs parameters: key the parameter, value the main stack's
	 * output it takes */
	ops_param *from;
	size_t nfrom;
	/* its template's resources: logical id and type (status unused) */
	ops_resource *resources;
	size_t nresources;
	char *changeset_id; /* EXECUTE, DISCARD: the edge's reviewed change set; "" none */
} ops_edge;

/* What a job works on. The runner copies it; a backend reads it. */
typedef struct ops_request {
	char *stack;
	char *region;
	char *environment; /* dev, staging, prod */
	char *template_text;
	size_t template_len;
	char sha256[65];
	char *changeset_id; /* EXECUTE, DISCARD; OPEN: the name to open */
	/* the logical ids the template creates for this model (a resource
	 * whose Condition is false is not there); NULL when not known. For
	 * progress figures; a backend may ignore it */
	char **resources;
	size_t nresources;
	/* the template's parameter values (PLAN) */
	ops_param *params;
	size_t nparams;
	ops_edge edge; /* edge.stack NULL: one stack */
} ops_request;

/* Where a backend posts. Thread-safe. */
typedef struct ops_sink ops_sink;

/* Post a message; the sink takes ownership of its strings. */
void ops_post(ops_sink *s, ops_msg *m);
void ops_post_text(ops_sink *s, ops_msg_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ops_post_call(ops_sink *s, const char *service, const char *action, double started, double ms,
                   int http_status, const char *request_id, const char *error, const char *cli);
/* These post one message each, with their strings copied (NULL: ""); a message whose
 * copies fail is dropped and counted as lost, never posted half-made. */
/* The stack's status (exists false: there is no stack). */
void ops_post_stack(ops_sink *s, bool exists, const char *status, const char *reason);
/* A stack event at `time` (seconds since the epoch). */
void ops_post_event(ops_sink *s, double time, const char *logical_id, const char *type,
                    const char *status, const char *reason);
void ops_post_identity(ops_sink *s, const char *account, const char *arn);
void ops_post_outputs(ops_sink *s, const ops_output *v, size_t n);
/* The deployed stack's parameters (OPS_MSG_PARAMETERS): key and value of each. */
void ops_post_parameters(ops_sink *s, const ops_output *v, size_t n);
/* The deployed stack's resources (OPS_MSG_RESOURCES), sorted by ops_resources_sort. */
void ops_post_resources(ops_sink *s, const ops_resource *v, size_t n);
/* Marks the messages posted from now on as the edge's (true) or the main stack's; each job
 * starts with the main stack's. */
void ops_sink_edge(ops_sink *s, bool edge);
/* Whether the console asked the job to stop (the operator detached): a
 * backend checks between calls and returns soon; the stack goes on. */
bool ops_stopped(ops_sink *s);
/* Sleeps up to `ms`; returns early (false) when asked to stop. */
bool ops_sleep(ops_sink *s, int ms);

typedef struct ops_backend {
	const char *name; /* "aws", "fake" */
	void *ctx;
	/* Runs `job` to completion, posting messages; returns whether it
	 * succeeded (the runner posts OPS_MSG_DONE). Called on the worker. */
	bool (*run)(void *ctx, ops_job job, const ops_request *rq, ops_sink *sink);
	void (*free)(void *ctx);
} ops_backend;

/* ---- the runner: one job at a time on a worker thread ---------------- */

typedef struct ops_runner ops_runner;

/* Takes ownership of the backend. */
ops_runner *ops_runner_new(ops_backend *b, lms_error *err);
/* Stops a running job (detach), joins the worker and frees everything. */
void ops_runner_free(ops_runner *r);
/* Readable when messages are waiting. */
int ops_runner_fd(const ops_runner *r);
/* Starts a job; false when one is running or the thread cannot start. */
bool ops_runner_start(ops_runner *r, ops_job job, const ops_request *rq);
bool ops_runner_busy(ops_runner *r);
/* The job running, valid while busy. */
ops_job ops_runner_job(ops_runner *r);
/* Asks the running job to stop (detach); it posts DONE soon. */
void ops_runner_stop(ops_runner *r);
/* The next message, NULL when none; the caller frees it (ops_msg_free). */
ops_msg *ops_runner_next(ops_runner *r);
const char *ops_runner_backend(const ops_runner *r);

void ops_request_free(ops_request *rq);
void ops_edge_free(ops_edge *e);

/* ---- helpers --------------------------------------------------------- */

/* (Resource types whose replacement or removal loses data: type_is_stateful,
 * model/analysis.h, the one list.) */
/* CloudFormation's Action ("Add", "Modify", ...) and Replacement ("True",
 * "Conditional", "False") as the review's kinds. */
ops_action ops_action_of(const char *action);
ops_replacement ops_replacement_of(const char *replacement);
/* Risk order for the review, the console's and `lmsctl deploy`'s: higher first. A
 * stateful replacement, a stateful removal, a removal, a replacement (always, then
 * conditional), a modification, an import, an addition. */
int ops_change_risk(const ops_change *c);
/* Sorts changes by risk, then logical id. */
void ops_changeset_sort(ops_changeset *cs);
/* Counts: adds, modifies without replacement, replacements, removals. */
void ops_changeset_counts(const ops_changeset *cs, size_t *add, size_t *modify, size_t *replace,
                          size_t *remove);
/* Where a resource type stands in the destroy dialog: the kinds that hold data first, as
 * an operator weighs them (0 databases, 1 caches, 2 file systems, 3 buckets, 4 streams,
 * 5 secrets, 6 the other stateful types of type_is_stateful: keys, logs, repositories,
 * ...); -1 for a type that holds no data. */
int ops_stateful_rank(const char *type);
/* Sorts by that rank (stateful first), then type, then logical id. */
void ops_resources_sort(ops_resource *v, size_t n);
void ops_resources_free(ops_resource *v, size_t n);
/* SHA-256 of `len` bytes as 64 hex digits. */
void ops_sha256_hex(const char *data, size_t len, char out[65]);
/* (Stack statuses: ops/status.h, the one classifier.) */
/* The job the console's D starts for the stack as last reported (`known`: a STACK message
 * came; `exists`; its `status`): OPS_WATCH while an operation runs on it (ops_deploy_gate
 * says busy), else OPS_PLAN, whose backend refuses what the gate refuses, saying why. A
 * stack a CREATE change set made and left (REVIEW_IN_PROGRESS, after a failed or declined
 * ExecuteChangeSet) gets a new change set. */
ops_job ops_deploy_job(bool known, bool exists, const char *status);
double ops_now(void);

/* ---- the AWS backend (ops/ops_aws.c) --------------------------------- */

typedef struct ops_aws_options {
	const char *profile;      /* --profile, or NULL */
	const char *endpoint_url; /* --endpoint-url, or NULL */
	long timeout_ms;          /* per request; 0: the client's default */
	long backoff_unit_ms;     /* 0: the client's default */
	/* write cfn-outputs/flat-outputs.json after a successful deploy, as
	 * `lmsctl deploy` does */
	bool write_outputs;
} ops_aws_options;

/* The backend that runs the jobs against AWS (CloudFormation, S3 for large
 * templates, STS for the identity) with the credentials the command line
 * would use. Credentials are resolved on the worker, at the first job. Each
 * deploy, destroy, cancel and recovery is appended to the journal as
 * "console <job>". The options are copied. */
ops_backend *ops_aws_new(const ops_aws_options *o, lms_error *err);

/* ---- the fake backend (tests, demos) --------------------------------- */

typedef struct ops_fake_resource {
	const char *logical_id;
	const char *type;
} ops_fake_resource;

/* A scripted backend: scenarios "new" (no stack: everything is added),
 * "update" (a stack exists: modifications, a replacement of a stateful
 * resource, a removal), "fail" (the create fails at a resource and rolls
 * back), "inprogress" (an update is running at start), "failed-create"
 * (ROLLBACK_COMPLETE: delete offered), "rollback-failed"
 * (UPDATE_ROLLBACK_FAILED: continue offered), "nocreds" (no credentials),
 * "denied" (AccessDenied on CreateChangeSet), "throttled" (throttling given
 * up), "edge-fail" (a first deploy whose companion fails after the main stack is created),
 * "edge-replace" (an update: the main stack's changes modifications only, the companion's
 * a replacement), "edge-inprogress" (the companion's update runs at start; OPS_WATCH follows
 * it after the main stack's). A request with an edge gets a scripted companion: there with the main
 * stack except after a failed create, its change set pending while the main stack does
 * not exist. A scenario with a stack has the pending change sets OPS_OPEN reads: lms-pending
 * (executable), lms-other-stack (another stack's), lms-executed (EXECUTE_COMPLETE).
 * `step_ms` paces the events. The resources are copied. */
ops_backend *ops_fake_new(const char *scenario, const ops_fake_resource *res, size_t nres,
                          int step_ms, lms_error *err);

#endif
