/* stackdrift: drift detection of a deployed stack: DetectStackDrift, then
 * DescribeStackDriftDetectionStatus until the detection ends (progress through a hook),
 * then DescribeStackResourceDrifts. Nothing here prints: the command line (lmsctl drift)
 * prints, a console view could post the same. */
#ifndef LMSCTL_OPS_STACKDRIFT_H
#define LMSCTL_OPS_STACKDRIFT_H

#include "aws/cfn.h"
#include "aws/http.h"
#include "common/error.h"
#include "ops/stackflow.h"

#include <stdbool.h>
#include <stddef.h>

/* How long a detection is waited for (CloudFormation's take minutes on large stacks). */
#define SF_DRIFT_WAIT_SECONDS 900

typedef enum sd_drift_end {
	SD_DRIFT_DONE,        /* the detection ended (complete, or failed for some resources) */
	SD_DRIFT_UNSUPPORTED, /* the endpoint does not implement a drift call (moto) */
	SD_DRIFT_FAILED,      /* a call failed */
	SD_DRIFT_TIMEOUT,     /* still in progress after SF_DRIFT_WAIT_SECONDS */
	SD_DRIFT_INTERRUPTED, /* the wait was cut short (the detection goes on) */
} sd_drift_end;

typedef struct stack_drift {
	cfn_drift_status status; /* the last status read */
	cfn_resource_drift *res; /* every resource's drift (SD_DRIFT_DONE) */
	size_t nres;
	size_t drifted, in_sync, not_checked; /* resources: MODIFIED or DELETED, ... */
	const char *failed_call; /* the API call that failed or is missing; NULL when none */
	long http_status;        /* its last HTTP status */
} stack_drift;

/* Runs a detection of `stack` (its name or id). `progress` (NULL: none) hears each status
 * read with the seconds waited so far; h->pause waits between reads. *out is filled
 * whatever the end (free it with stack_drift_free); err says why when not DONE. */
sd_drift_end stack_drift_detect(aws_client *aws, const char *stack, const sf_hooks *h,
                                void (*progress)(void *ctx, const cfn_drift_status *st, int waited),
                                stack_drift *out, lms_error *err);
void stack_drift_free(stack_drift *d);
/* Whether a resource's drift status is a drift: MODIFIED or DELETED. */
bool stack_drift_is_drift(const cfn_resource_drift *r);
/* Whether the stack drifted: a drifted resource, or StackDriftStatus DRIFTED. */
bool stack_drift_drifted(const stack_drift *d);

#endif
