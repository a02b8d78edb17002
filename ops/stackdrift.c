#include "ops/stackdrift.h"

#include <stdlib.h>
#include <string.h>

bool stack_drift_is_drift(const cfn_resource_drift *r)
{
	return strcmp(r->status, "MODIFIED") == 0 || strcmp(r->status, "DELETED") == 0;
}

bool stack_drift_drifted(const stack_drift *d)
{
	return d->drifted > 0 ||
	       (d->status.drift_status && strcmp(d->status.drift_status, "DRIFTED") == 0);
}

void stack_drift_free(stack_drift *d)
{
	cfn_drift_status_clear(&d->status);
	cfn_resource_drifts_free(d->res, d->nres);
	memset(d, 0, sizeof *d);
	d->status.drifted = -1;
}

static sd_drift_end call_failed(stack_drift *out, const char *call, const cfn_call_status *st)
{
	out->failed_call = call;
	out->http_status = st->http_status;
	return st->unsupported ? SD_DRIFT_UNSUPPORTED : SD_DRIFT_FAILED;
}

/* The pause before the next status read: 1, 2, 3, then SF_POLL_MAX_SECONDS. */
static int next_pause(int reads)
{
	return reads < 3 ? reads + 1 : SF_POLL_MAX_SECONDS;
}

sd_drift_end stack_drift_detect(aws_client *aws, const char *stack, const sf_hooks *h,
                                void (*progress)(void *ctx, const cfn_drift_status *st, int waited),
                                stack_drift *out, lms_error *err)
{
	memset(out, 0, sizeof *out);
	out->status.drifted = -1;
	cfn_call_status st = {0};
	char *id = NULL;
	if (!cfn_detect_stack_drift(aws, stack, &id, &st, err))
		return call_failed(out, "DetectStackDrift", &st);
	int waited = 0;
	sd_drift_end end = SD_DRIFT_DONE;
	for (int reads = 0;; reads++) {
		cfn_drift_status_clear(&out->status);
		if (!cfn_describe_drift_status(aws, id, &out->status, &st, err)) {
			end = call_failed(out, "DescribeStackDriftDetectionStatus", &st);
			break;
		}
		if (progress)
			progress(h ? h->ctx : NULL, &out->status, waited);
		if (strcmp(out->status.detection_status, "DETECTION_IN_PROGRESS") != 0)
			break;
		if (waited >= SF_DRIFT_WAIT_SECONDS) {
			lms_error_set(err, NULL, 0, 0,
			              "drift detection %s is still in progress after %d s", id,
			              waited);
			end = SD_DRIFT_TIMEOUT;
			break;
		}
		int s = next_pause(reads);
		if (h && h->pause && !h->pause(h->ctx, s)) {
			lms_error_set(err, NULL, 0, 0, "interrupted waiting for drift detection %s",
			              id);
			end = SD_DRIFT_INTERRUPTED;
			break;
		}
		waited += s;
	}
	free(id);
	if (end != SD_DRIFT_DONE)
		return end;
	/* a failed detection still has results for the resources it checked */
	const char *target = out->status.stack_id ? out->status.stack_id : stack;
	if (!cfn_describe_resource_drifts(aws, target, &out->res, &out->nres, &st, err))
		return call_failed(out, "DescribeStackResourceDrifts", &st);
	for (size_t i = 0; i < out->nres; i++) {
		const cfn_resource_drift *r = &out->res[i];
		out->drifted += stack_drift_is_drift(r);
		out->in_sync += strcmp(r->status, "IN_SYNC") == 0;
		out->not_checked += strcmp(r->status, "NOT_CHECKED") == 0;
	}
	return SD_DRIFT_DONE;
}
