/* cfn: the CloudFormation calls lmsctl makes, over the Query protocol (API 2010-05-15).
 *
 * Stacks, change sets (created, described with every page of changes, executed with a
 * client request token, deleted), stack events (newest first from the API, handed out
 * oldest first, each once), templates, the recovery calls CancelUpdateStack and
 * ContinueUpdateRollback, and drift detection (DetectStackDrift, its status, the resources'
 * drifts). Every structure is created by this module and freed by its
 * *_free function; strings are owned by the structure. The parse functions take the
 * XML of an answer, so that tests can feed recorded answers. */
#ifndef LMSCTL_AWS_CFN_H
#define LMSCTL_AWS_CFN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "aws/http.h"
#include "aws/xml.h"
#include "common/buf.h"
#include "common/error.h"

/* Largest TemplateBody CloudFormation accepts inline; larger templates go through S3. */
#define CFN_MAX_TEMPLATE_BODY 51200
/* Largest template CloudFormation reads from S3. */
#define CFN_MAX_TEMPLATE_URL_BODY 1000000

typedef struct cfn_kv {
	char *key;
	char *value;
	/* a NoEcho parameter's value: sent as a change-set parameter, "****" in every log */
	bool no_echo;
	/* an UPDATE change set sends UsePreviousValue instead of the value (a parameter the
	 * pipeline owns: the stack keeps what it last deployed); a CREATE sends the value */
	bool keep_previous;
} cfn_kv;

/* Frees `n` pairs and the array (NULL with 0: nothing). */
void cfn_kv_free(cfn_kv *kv, size_t n);

typedef struct cfn_output {
	char *key;
	char *value;
	char *description; /* NULL when none */
	char *export_name; /* NULL when none */
} cfn_output;

typedef struct cfn_stack {
	char *name;
	char *id;
	char *status;
	char *status_reason; /* NULL when none */
	char *role_arn;      /* NULL when none */
	bool termination_protection;
	time_t created;
	time_t updated; /* 0 when never updated */
	cfn_output *outputs;
	size_t noutputs;
	cfn_kv *parameters;
	size_t nparameters;
	cfn_kv *tags;
	size_t ntags;
} cfn_stack;

void cfn_stack_free(cfn_stack *s);

/* DescribeStacks for one stack. True with *out NULL when the stack does not exist (the
 * "Stack with id X does not exist" ValidationError); false only on a failed call. */
bool cfn_describe_stack(aws_client *c, const char *name, cfn_stack **out, lms_error *err);
/* The first stack of a DescribeStacks answer's Result element, or NULL. */
cfn_stack *cfn_parse_stack(const xml_node *member);

/* ---- change sets ---- */

typedef struct cfn_change {
	char *action; /* Add, Modify, Remove, Import, Dynamic */
	char *logical_id;
	char *physical_id; /* NULL for Add */
	char *resource_type;
	char *replacement; /* Modify only: True, False or Conditional; NULL otherwise */
	char *scope;       /* "Properties, Tags", NULL when none */
	/* the properties whose change requires re-creation ("Always") or may ("Conditionally"),
	 * comma-separated, NULL when none */
	char *replacing_properties;
} cfn_change;

typedef struct cfn_change_set {
	char *id;
	char *name;
	char *stack_id;
	char *status;           /* CREATE_PENDING, CREATE_IN_PROGRESS, CREATE_COMPLETE, FAILED */
	char *status_reason;    /* NULL when none */
	char *execution_status; /* UNAVAILABLE, AVAILABLE, EXECUTE_*, OBSOLETE */
	cfn_change *changes;
	size_t nchanges;
} cfn_change_set;

void cfn_change_set_free(cfn_change_set *cs);

typedef struct cfn_change_set_input {
	const char *stack_name;
	const char *change_set_name; /* starts with a letter; [A-Za-z0-9-], 128 at most */
	const char *type;            /* "CREATE" or "UPDATE" */
	const char *template_body;   /* one of template_body, template_url and */
	const char *template_url;
	bool use_previous_template; /* UPDATE: the stack's current template (UsePreviousTemplate) */
	const cfn_kv *parameters;
	size_t nparameters;
	const char *const *capabilities;
	size_t ncapabilities;
	const cfn_kv *tags;
	size_t ntags;
	const char *role_arn;     /* NULL for none */
	const char *description;  /* NULL for none */
	const char *client_token; /* idempotency of the creation; NULL for none */
} cfn_change_set_input;

/* CreateChangeSet; *id_out gets the change set's ARN (free it). */
bool cfn_create_change_set(aws_client *c, const cfn_change_set_input *in, char **id_out,
                           lms_error *err);
/* DescribeChangeSet, every page of changes. */
bool cfn_describe_change_set(aws_client *c, const char *stack, const char *change_set,
                             cfn_change_set **out, lms_error *err);
/* Appends one page (a DescribeChangeSet Result element) to cs, creating it when *cs is
 * NULL; *next_token (free it) gets the NextToken or NULL. False when out of memory. */
bool cfn_parse_change_set_page(const xml_node *result, cfn_change_set **cs, char **next_token);
/* Whether a change set is finished being created: CREATE_COMPLETE or FAILED. */
bool cfn_change_set_settled(const cfn_change_set *cs);
/* Whether a change set holds nothing to do: FAILED because it "didn't contain changes" (or
 * "No updates are to be performed"), or (moto) CREATE_COMPLETE with no changes. */
bool cfn_change_set_is_empty(const cfn_change_set *cs);
bool cfn_execute_change_set(aws_client *c, const char *stack, const char *change_set,
                            const char *client_request_token, lms_error *err);
bool cfn_delete_change_set(aws_client *c, const char *stack, const char *change_set,
                           lms_error *err);

/* ---- events ---- */

typedef struct cfn_event {
	char *id;
	char *stack_name;
	char *logical_id;
	char *physical_id;
	char *resource_type;
	char *status;
	char *reason;               /* NULL when none */
	char *client_request_token; /* NULL when none */
	time_t timestamp;
} cfn_event;

void cfn_event_clear(cfn_event *e);

/* Follows a stack's events: remembers what it has handed out, so that each event is
 * reported once however the pages overlap. */
typedef struct cfn_event_tracker {
	char *stack;  /* name or id */
	time_t since; /* events older than this are history, never reported */
	char **seen;  /* event ids handed out or skipped, sorted */
	size_t nseen, capseen;
	size_t max_pages; /* pages read per poll at most (0: 20) */
} cfn_event_tracker;

/* since: report events from this time on (the operation's start, in AWS time). */
bool cfn_event_tracker_init(cfn_event_tracker *t, const char *stack, time_t since);
void cfn_event_tracker_free(cfn_event_tracker *t);
/* Whether the tracker has seen `id`; marks it seen when mark is true. */
bool cfn_event_tracker_seen(cfn_event_tracker *t, const char *id, bool mark);

/* DescribeStackEvents, newest first, page by page until a page reaches events already seen
 * or older than `since`; the new ones come back oldest first in *events (free each with
 * cfn_event_clear, then the array). */
bool cfn_poll_events(aws_client *c, cfn_event_tracker *t, cfn_event **events, size_t *nevents,
                     lms_error *err);
/* One DescribeStackEvents Result element: its events in answer order (newest first). */
bool cfn_parse_events_page(const xml_node *result, cfn_event **events, size_t *nevents,
                           char **next_token);

/* ListStackResources, every page: the stack's resources as they are now, in the form of
 * events (no id; timestamp: LastUpdatedTimestamp). Free each with cfn_event_clear, then
 * the array. */
bool cfn_list_stack_resources(aws_client *c, const char *stack, cfn_event **out, size_t *n,
                              lms_error *err);

/* ---- stacks ---- */

bool cfn_delete_stack(aws_client *c, const char *stack, const char *role_arn,
                      const char *client_request_token, lms_error *err);
/* UpdateTerminationProtection: turns the stack's termination protection on or off. */
bool cfn_update_termination_protection(aws_client *c, const char *stack, bool enable,
                                       lms_error *err);
/* DescribeStackResource: the physical id of a resource (free it); NULL without error when
 * the stack has no such resource. */
bool cfn_describe_stack_resource(aws_client *c, const char *stack, const char *logical_id,
                                 char **physical_id, lms_error *err);
/* GetTemplate (the original template, as deployed) into out. */
bool cfn_get_template(aws_client *c, const char *stack, buf *out, lms_error *err);
bool cfn_cancel_update_stack(aws_client *c, const char *stack, const char *client_request_token,
                             lms_error *err);
bool cfn_continue_update_rollback(aws_client *c, const char *stack, const char *role_arn,
                                  const char *client_request_token, lms_error *err);

/* ---- drift ---- */

/* A drift call's failure: whether the endpoint does not implement the action at all (an
 * InvalidAction, NotImplemented or UnknownOperation error, HTTP 501, or a 5xx that is no
 * AWS answer, as moto gives for what it lacks) rather than failing it. */
typedef struct cfn_call_status {
	bool unsupported;
	long http_status; /* of the last attempt; 0 when none arrived */
} cfn_call_status;

typedef struct cfn_drift_status {
	char *detection_id;
	char *stack_id;
	char *detection_status; /* DETECTION_IN_PROGRESS, DETECTION_COMPLETE, DETECTION_FAILED */
	char *drift_status;     /* DRIFTED, IN_SYNC, UNKNOWN, NOT_CHECKED; NULL when absent */
	char *reason;           /* DetectionStatusReason, NULL when none */
	long drifted;           /* DriftedStackResourceCount; -1 when absent */
} cfn_drift_status;

void cfn_drift_status_clear(cfn_drift_status *s);

typedef struct cfn_property_difference {
	char *path;     /* PropertyPath: /Properties/Tags/0/Value */
	char *expected; /* ExpectedValue, NULL when none (an ADD) */
	char *actual;   /* ActualValue, NULL when none (a REMOVE) */
	char *type;     /* DifferenceType: ADD, REMOVE, NOT_EQUAL */
} cfn_property_difference;

typedef struct cfn_resource_drift {
	char *logical_id, *physical_id, *resource_type;
	char *status; /* StackResourceDriftStatus: IN_SYNC, MODIFIED, DELETED, NOT_CHECKED */
	cfn_property_difference *diffs;
	size_t ndiffs;
} cfn_resource_drift;

void cfn_resource_drifts_free(cfn_resource_drift *v, size_t n);

/* DetectStackDrift: starts drift detection; *detection_id (free it) to poll with. */
bool cfn_detect_stack_drift(aws_client *c, const char *stack, char **detection_id,
                            cfn_call_status *st, lms_error *err);
/* DescribeStackDriftDetectionStatus of one detection. */
bool cfn_describe_drift_status(aws_client *c, const char *detection_id, cfn_drift_status *out,
                               cfn_call_status *st, lms_error *err);
/* The DescribeStackDriftDetectionStatus Result element; false when out of memory. */
bool cfn_parse_drift_status(const xml_node *result, cfn_drift_status *out);
/* DescribeStackResourceDrifts, every page: every resource's drift (each status). */
bool cfn_describe_resource_drifts(aws_client *c, const char *stack, cfn_resource_drift **out,
                                  size_t *n, cfn_call_status *st, lms_error *err);
/* Appends one page (a DescribeStackResourceDrifts Result element) to *v; *next_token (free
 * it) gets the NextToken or NULL. False when out of memory. */
bool cfn_parse_resource_drifts_page(const xml_node *result, cfn_resource_drift **v, size_t *n,
                                    char **next_token);

/* (Stack statuses are classified by ops/status.h, the one classifier.) */

/* A token for ClientRequestToken and the like: "lmsctl-" and 32 random hex digits. */
bool cfn_new_token(buf *out);
/* ISO 8601 (2024-01-02T03:04:05.678Z) to time_t; 0 when it does not parse. */
time_t cfn_parse_time(const char *s);

#endif
