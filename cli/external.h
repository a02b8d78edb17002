/* external: the external template checkers, cfn-lint and cfn-guard (with
 * AWS Control Tower's proactive-control rules), run over the model's
 * generated template; their findings are merged with lmsctl's own.
 *
 * Each finding of a tool carries the tool in its rule id ("cfn-lint:E3002",
 * "guard:CT.S3.PR.1") and points at the fragment and line of the resource
 * or parameter it concerns (at the model's field for a parameter), never at
 * the temporary file the tools read. cfn-lint's errors are errors, its
 * warnings warnings; a failed Control Tower control is a warning (the
 * platform answers for some of them: docs/security-posture.md).
 *
 * Where the tools are: LMSCTL_CFN_LINT and LMSCTL_CFN_GUARD (paths), else
 * cfn-lint and cfn-guard on PATH, else for cfn-guard the copy
 * scripts/guard-install.sh puts under _build/guard/ of the source tree. The
 * rules: LMSCTL_GUARD_RULES, else the rules of the npm package the cfn-guard
 * binary comes from, else those under _build/guard/. A variable set to the
 * empty string turns its tool off. A tool that is missing or fails is
 * reported once, as a line in `notes`, and skipped. */
#ifndef LMSCTL_CLI_EXTERNAL_H
#define LMSCTL_CLI_EXTERNAL_H

#include "common/buf.h"
#include "common/error.h"
#include "model/catalog.h"
#include "model/findings.h"
#include "model/model.h"

#include <stdbool.h>

/* Paths to use instead of the search above; NULL members search. */
typedef struct external_tools {
	const char *cfn_lint;
	const char *cfn_guard;
	const char *guard_rules; /* a directory of .guard files */
} external_tools;

/* Generates the template for `m`, runs every tool found over it and adds
 * their findings to `out` (then sorts `out`). Lines for the operator (a tool
 * missing or failing, what ran) are appended to `notes`, one per line.
 * Returns false, with `err` set, only when the template cannot be generated
 * or written to a temporary file; a tool's trouble is a note, not a failure.
 * `tools` may be NULL. */
bool external_validate(const catalog *cat, const model *m, const external_tools *tools,
                       findings *out, buf *notes, lms_error *err);

/* Adds the findings of cfn-lint's `--format json` output; false when the
 * output is not what cfn-lint writes. Exposed for the tests. */
bool external_parse_cfn_lint(const catalog *cat, const model *m, const char *json, size_t len,
                             findings *out);
/* Adds the findings of `cfn-guard validate -o json -z` output (one finding
 * per failed control and resource); false when the output is not cfn-guard's. */
bool external_parse_cfn_guard(const catalog *cat, const model *m, const char *json, size_t len,
                              findings *out);

#endif
