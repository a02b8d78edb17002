/* report: the readiness report of a model — findings by severity, the
 * scale-out timeline, the capacity figures, the AZ-loss table, PDPA
 * coverage (each obligation and the rules that hold it), the composite
 * availability of the API and web paths and the resources by tier — as text
 * for a terminal, markdown for a reviewer to attach to a change, or JSON for
 * scripts (the contract is docs/report.md and lmsctl(1)). The environment is
 * its stacks: the main one and its companions (the edge: CloudFront and WAF
 * in us-east-1), whose findings, resources and web path the report covers. */
#ifndef LMSCTL_MODEL_REPORT_H
#define LMSCTL_MODEL_REPORT_H

#include "common/buf.h"
#include "common/error.h"
#include "model/analysis.h"
#include "model/catalog.h"
#include "model/findings.h"
#include "model/model.h"
#include "model/render/render.h"

#include <stdbool.h>

typedef enum { REPORT_TEXT, REPORT_MARKDOWN, REPORT_JSON } report_format;

/* A companion stack of the environment (catalog.yml `Companions:`),
 * validated and rendered for the report. Owns cat, m, r and f; `name` is
 * the main catalog's (it must outlive this). */
typedef struct report_stack {
	const char *name; /* e.g. "edge" */
	catalog *cat;
	model *m;    /* derived from the main model (model/companion.h) */
	rendered *r; /* NULL when it did not render (f says why) */
	findings f;
} report_stack;

/* Every companion of `cat`, its model derived from `m`, validated and
 * rendered, in `*out` (`*n` of them; none: NULL and 0). False, with `err`,
 * when a companion's catalog or model cannot be made. */
bool report_companions(const catalog *cat, const model *m, report_stack **out, size_t *n,
                       lms_error *err);
void report_companions_free(report_stack *v, size_t n);

/* Writes the report to `out`. `f` holds every finding of the model
 * (validate_model). `plan` is the update-safety plan against a previous
 * model, NULL when none was given. False on out of memory. The main stack
 * only: report_write_env with no companions. */
bool report_write(const catalog *cat, const model *m, const rendered *r, const analysis *a,
                  const findings *f, const update_plan *plan, report_format format, buf *out);
/* The same for the environment: the main stack and its `nstacks`
 * companions (report_companions). */
bool report_write_env(const catalog *cat, const model *m, const rendered *r, const analysis *a,
                      const findings *f, const report_stack *stacks, size_t nstacks,
                      const update_plan *plan, report_format format, buf *out);

#endif
