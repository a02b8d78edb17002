/* report: the readiness report of a model — findings by severity, the
 * scale-out timeline, the capacity figures, the AZ-loss table, PDPA
 * coverage (each obligation and the rules that hold it) and the resources
 * by tier — as text for a terminal, markdown for a reviewer to attach to a
 * change, or JSON for scripts (the contract is docs/report.md and
 * lmsctl(1)). */
#ifndef LMSCTL_MODEL_REPORT_H
#define LMSCTL_MODEL_REPORT_H

#include "common/buf.h"
#include "model/analysis.h"
#include "model/catalog.h"
#include "model/findings.h"
#include "model/model.h"
#include "model/render/render.h"

#include <stdbool.h>

typedef enum { REPORT_TEXT, REPORT_MARKDOWN, REPORT_JSON } report_format;

/* Writes the report to `out`. `f` holds every finding of the model
 * (validate_model). `plan` is the update-safety plan against a previous
 * model, NULL when none was given. False on out of memory. */
bool report_write(const catalog *cat, const model *m, const rendered *r, const analysis *a,
                  const findings *f, const update_plan *plan, report_format format, buf *out);

#endif
