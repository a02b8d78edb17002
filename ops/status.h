/* status: the one classifier of CloudFormation stack statuses, and the deploy gate built on
 * it. The command line (cli/deploy.c: deploy, destroy, status), the stack flow
 * (ops/stackflow.c), the console's backends (ops/ops_aws.c, ops/ops_fake.c) and the console
 * (tui/view_deploy.c) all ask here; aws/ only reports the status strings.
 *
 * The classes follow AWS's own descriptions of the stack status codes (CloudFormation User
 * Guide, "Stack status codes"; the StackStatus enumeration of the API reference):
 *
 * - ROLLBACK_IN_PROGRESS is "ongoing removal of one or more stacks after a failed stack
 *   creation or after an explicitly canceled stack creation": the operation has failed
 *   and something still runs. It is both in progress and failed, as every *ROLLBACK*
 *   status in progress is (UPDATE_ROLLBACK_IN_PROGRESS, ..._CLEANUP_IN_PROGRESS,
 *   IMPORT_ROLLBACK_IN_PROGRESS).
 * - REVIEW_IN_PROGRESS is the stack a CREATE change set made, "with an expected StackId but
 *   without any templates or resources"; it stays so "until you execute the change set"
 *   (API reference, CreateChangeSet, ChangeSetType). Nothing runs: it is settled, neither
 *   failed nor succeeded, and a deploy makes a CREATE change set on it. Only right after
 *   ExecuteChangeSet is it a state to wait out (sf_follow's `after_execute`). */
#ifndef LMSCTL_OPS_STATUS_H
#define LMSCTL_OPS_STATUS_H

#include "model/findings.h"

#include <stdbool.h>

typedef enum ops_stack_class {
	OPS_STACK_UNKNOWN, /* NULL, "", or a status AWS does not document (treated as settled) */
	OPS_STACK_RUNNING, /* CREATE_, UPDATE_, DELETE_, IMPORT_IN_PROGRESS,
	                      UPDATE_COMPLETE_CLEANUP_IN_PROGRESS */
	OPS_STACK_ROLLING_BACK, /* ROLLBACK_, UPDATE_ROLLBACK_, IMPORT_ROLLBACK_IN_PROGRESS,
	                           UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS */
	OPS_STACK_REVIEW,       /* REVIEW_IN_PROGRESS: made by a change set not executed yet */
	OPS_STACK_SUCCEEDED,    /* CREATE_COMPLETE, UPDATE_COMPLETE, IMPORT_COMPLETE */
	OPS_STACK_ROLLED_BACK,  /* ROLLBACK_COMPLETE, UPDATE_ROLLBACK_COMPLETE,
	                           IMPORT_ROLLBACK_COMPLETE */
	OPS_STACK_FAILED,       /* CREATE_, UPDATE_, DELETE_, ROLLBACK_, UPDATE_ROLLBACK_,
	                           IMPORT_ROLLBACK_FAILED */
	OPS_STACK_DELETED,      /* DELETE_COMPLETE */
} ops_stack_class;

/* The class of a stack status. A status AWS adds later is classed by its suffix
 * (_IN_PROGRESS, _FAILED, _COMPLETE, and ROLLBACK in it). */
ops_stack_class ops_status_class(const char *status);
/* An operation runs on the stack (forward or rolling back): wait for it, or follow it. */
bool ops_status_in_progress(const char *status);
/* Nothing runs (REVIEW_IN_PROGRESS included); false for NULL. */
bool ops_status_settled(const char *status);
/* The last operation failed or is being rolled back. */
bool ops_status_failed(const char *status);
/* The success of a create, update or import. */
bool ops_status_succeeded(const char *status);
/* A stack event's resource status that is a failure (CREATE_FAILED, DELETE_FAILED, ...). */
bool ops_event_status_failed(const char *status);

/* ---- the deploy gate: what a deploy does with the stack as it is ---------------------- */

typedef enum ops_gate {
	OPS_GATE_CREATE,            /* no stack, or REVIEW_IN_PROGRESS: a CREATE change set */
	OPS_GATE_UPDATE,            /* an UPDATE change set */
	OPS_GATE_DELETE_FIRST,      /* ROLLBACK_COMPLETE, ROLLBACK_FAILED: the failed creation is
	                               deleted first, then created again */
	OPS_GATE_CONTINUE_ROLLBACK, /* UPDATE_ROLLBACK_FAILED: the rollback is continued first */
	OPS_GATE_BUSY,              /* an operation runs: wait for it (or follow it) */
	OPS_GATE_DELETE_FAILED,     /* DELETE_FAILED: finish deleting it first */
} ops_gate;

/* The gate for a stack in `status`; NULL: there is no stack. The command line and the
 * console's D both decide here. */
ops_gate ops_deploy_gate(const char *status);

/* The model's side of the gate: whether a finding stops a deploy. Every error does, and in
 * prod (`environment`) a finding of a prod gate (PROD_GATE in model/rules.def: OBS008, an
 * alarm topic without a recipient; SEC001, plain HTTP to the load balancer), a warning in
 * validate since a fresh prod model cannot know an address or a certificate. SEC001 is
 * let through with `allow_plain_http` (lmsctl deploy --allow-plain-http; the console has
 * no such switch). */
bool ops_finding_stops_deploy(const finding *f, const char *environment, bool allow_plain_http);

#endif
