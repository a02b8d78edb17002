/* stackflow: the steps of a stack operation shared by the commands (cli/deploy.c: deploy,
 * destroy, status) and the console's AWS backend (ops/ops_aws.c): the change set's input,
 * the upload of a large template, waiting for a change set, following a stack's events to
 * the end with the first failure pinned, deletion protection in a deployed template, the
 * journal and cfn-outputs/flat-outputs.json.
 *
 * Nothing here prints or prompts: progress goes through the hooks, so that the commands
 * print it on the terminal and the console posts it to its screen. */
#ifndef LMSCTL_OPS_STACKFLOW_H
#define LMSCTL_OPS_STACKFLOW_H

#include "aws/cfn.h"
#include "aws/http.h"
#include "common/buf.h"
#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define SF_OUTPUTS_DIR "cfn-outputs"
#define SF_OUTPUTS_FILE SF_OUTPUTS_DIR "/flat-outputs.json"
#define SF_TAG_ENVIRONMENT "lms:environment"
#define SF_TAG_TOOL "lms:managed-by"
#define SF_CHANGE_SET_WAIT_SECONDS 900
#define SF_POLL_MAX_SECONDS 5

typedef struct sf_hooks {
	void *ctx;
	/* a new stack event (NULL: ignored) */
	void (*event)(void *ctx, const cfn_event *e);
	/* waits `seconds`; false when the wait was cut short (Ctrl-C, detach) */
	bool (*pause)(void *ctx, int seconds);
	/* whether the operator asked to stop (a failed call then counts as interrupted) */
	bool (*stopped)(void *ctx);
} sf_hooks;

/* ---- the change set --------------------------------------------------------------------- */

/* What a deploy sends besides the template and the parameters: the change set's name
 * (lmsctl-YYYYMMDD-HHMMSS, AWS time), the creation's and the execution's idempotency
 * tokens, the description and the two tags. */
typedef struct sf_deploy_names {
	buf name, create_token, execute_token, description;
	cfn_kv tags[2];
} sf_deploy_names;

bool sf_deploy_names_init(sf_deploy_names *n, aws_client *aws, const char *stack,
                          const char *environment);
void sf_deploy_names_free(sf_deploy_names *n);
/* The capabilities every lmsctl change set acknowledges (named IAM, the transform). */
extern const char *const sf_capabilities[2];

/* Uploads a template too large to send inline to the artifact bucket (made when missing:
 * private, encrypted, objects expire); fills url, bucket and key; *created says whether
 * the bucket was made now. */
bool sf_upload_template(aws_client *aws, const char *account, const char *region, const char *stack,
                        const char *data, size_t len, buf *url, buf *bucket, buf *key,
                        bool *created, lms_error *err);

/* Polls DescribeChangeSet until the change set is created or failed (at most
 * SF_CHANGE_SET_WAIT_SECONDS). NULL with err when a call fails, the wait is cut short or
 * it takes too long. */
cfn_change_set *sf_wait_change_set(aws_client *aws, const char *stack, const char *id,
                                   const sf_hooks *h, lms_error *err);

/* Why a change set looked up by name (DescribeChangeSet with the stack's name) cannot be
 * executed for stack `s` (NULL: there is no stack): it belongs to another stack (its
 * StackId is not the stack's), its status is not CREATE_COMPLETE or its execution status
 * not AVAILABLE; NULL when it can. The one check of `lmsctl deploy --change-set NAME` and
 * the console's :changeset NAME. */
const char *sf_change_set_refusal(const cfn_change_set *cs, const cfn_stack *s);

/* ---- events ------------------------------------------------------------------------------ */

typedef struct sf_failure {
	char *logical_id, *type, *status, *reason;
} sf_failure;

void sf_failure_free(sf_failure *f);
/* Whether a failed event is a consequence of another failure ("Resource creation
 * cancelled"), not the one to pin as the root cause. */
bool sf_event_is_consequence(const cfn_event *e);

typedef enum sf_follow_result { SF_SETTLED, SF_ERROR, SF_INTERRUPTED } sf_follow_result;

/* Reads one page of events and marks them seen: what happens next is new. */
bool sf_events_baseline(aws_client *aws, cfn_event_tracker *t, lms_error *err);

/* Follows the stack's events until its status settles: hands each new event to the hook
 * once, pins the first failure in *first, fills *final (free it) with the settled stack
 * (NULL when it is gone). `id` is the stack's id when known (a deleted stack is only
 * found by id), else `stack` is used. `after_execute`: REVIEW_IN_PROGRESS is not settled
 * yet (right after ExecuteChangeSet). */
sf_follow_result sf_follow(aws_client *aws, cfn_event_tracker *t, const char *stack, const char *id,
                           bool after_execute, const sf_hooks *h, cfn_stack **final,
                           sf_failure *first, lms_error *err);

/* ---- outputs and the journal ------------------------------------------------------------- */

/* {"Key": "value", ...} */
json_t *sf_outputs_flat(const cfn_stack *s);
/* The same with the outputs of the environment's companion stack (`edge`, NULL: none)
 * merged in, each key prefixed SF_EDGE_OUTPUT_PREFIX (WebUrl -> EdgeWebUrl), so that one
 * flat file keeps serving the scripts that read the main stack's keys. */
#define SF_EDGE_OUTPUT_PREFIX "Edge"
json_t *sf_outputs_flat_env(const cfn_stack *s, const cfn_stack *edge);
/* Writes SF_OUTPUTS_FILE (relative to the working directory) atomically. */
bool sf_write_flat_outputs(const cfn_stack *s, lms_error *err);
/* The same to `path` (its directory made when missing), atomically: outputs --write-flat. */
bool sf_write_flat_outputs_to(const cfn_stack *s, const char *path, lms_error *err);
/* Both stacks' (sf_outputs_flat_env) to `path`, atomically. */
bool sf_write_flat_outputs_env(const cfn_stack *s, const cfn_stack *edge, const char *path,
                               lms_error *err);

typedef struct sf_journal_entry {
	const char *command;          /* deploy, destroy, console deploy, ... */
	const char *caller, *account; /* NULL when not known */
	const char *region, *stack;
	const char *change_set; /* NULL when none */
	const char *result;
} sf_journal_entry;

/* Appends one JSON line to $XDG_STATE_HOME/lmsctl/journal.log (default
 * ~/.local/state/lmsctl/journal.log); false with err when it cannot. */
bool sf_journal(const sf_journal_entry *e, lms_error *err);

/* ---- deletion protection ----------------------------------------------------------------- */

typedef struct sf_protection {
	char *logical_id, *type, *property;
	int on;         /* 1 on, -1 cannot tell (it depends on what lmsctl cannot evaluate) */
	char *physical; /* its physical id (sf_deployed_protection), NULL when not known */
	/* the stack's lift values turn it off (sf_deployed_protection): the template names
	 * them (LmsCtl::LiftProtection) and the template rendered with them has it off */
	bool liftable;
} sf_protection;

/* The resources of a deployed template whose deletion protection is on or may be, under
 * the stack's parameter values with `over` (nover of them; NULL: none) in place of the
 * stack's; the count, *out an array (free with sf_protection_free). When `lift` is not
 * NULL it gets (free with sf_kv_free) the parameter values the template says turn the
 * protection of those resources off: their Metadata `LmsCtl::LiftProtection`, a mapping
 * of parameter to value. */
size_t sf_find_protection(const char *text, size_t len, const cfn_stack *s, const cfn_kv *over,
                          size_t nover, sf_protection **out, cfn_kv **lift, size_t *nlift);
void sf_protection_free(sf_protection *p, size_t n);
/* cfn_kv_free (aws/cfn.h), by the name the flow's callers know. */
void sf_kv_free(cfn_kv *kv, size_t n);
/* The deployed stack's protection: GetTemplate of `s` (by id), sf_find_protection under
 * its parameter values, and each resource's physical id. *lift (free with sf_kv_free) gets
 * the values that lift it through CloudFormation: those the template names for a parameter
 * the stack has, where the stack's value differs; each protection whose rendering with them
 * is off is marked liftable. False with err when the template cannot be read (the caller
 * warns: it cannot tell). */
bool sf_deployed_protection(aws_client *aws, const cfn_stack *s, sf_protection **out, size_t *n,
                            cfn_kv **lift, size_t *nlift, lms_error *err);
/* The command that lifts it (aws rds modify-db-cluster ... --no-deletion-protection, with
 * --endpoint-url when `aws` (NULL: none) sends the service's calls to a configured
 * endpoint), or what to do when there is no such command. */
void sf_lift_command(const aws_client *aws, const sf_protection *p, const char *region,
                     const char *physical, buf *out);

#endif
