/* findings: what validation found, each with a stable rule id, a severity,
 * the field it concerns, a message and a fix hint, and where known the
 * position in the model file. A list owns its findings' strings. */
#ifndef LMSCTL_MODEL_FINDINGS_H
#define LMSCTL_MODEL_FINDINGS_H

#include "common/buf.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum { SEV_ERROR, SEV_WARNING, SEV_INFO } severity;

typedef struct finding {
	char *rule; /* "NET002" */
	severity sev;
	char *field; /* parameter or model key; "" for the template as a whole */
	char *message;
	char *hint; /* "" when none */
	char *file; /* NULL when the finding has no position */
	size_t line, col;
} finding;

typedef struct findings {
	finding *v;
	size_t n, cap;
	bool oom;
} findings;

void findings_init(findings *f);
void findings_free(findings *f);
void findings_add(findings *f, const char *rule, severity sev, const char *field, const char *hint,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* findings_add with the message's arguments as a va_list, for the rules' own
 * reporting helpers (which then place the finding). */
void findings_vadd(findings *f, const char *rule, severity sev, const char *field, const char *hint,
                   const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));
void findings_set_position(findings *f, size_t index, const char *file, size_t line, size_t col);
size_t findings_count(const findings *f, severity sev);
/* Sorts by severity (errors first), then position, then rule id. */
void findings_sort(findings *f);

const char *severity_name(severity s);

/* "FILE:LINE:COL: error NET002 [Field] message (fix: hint)" lines. */
void findings_format_text(const findings *f, buf *out);
/* {"findings":[{"id","severity","field","message","hint","file","line","column"}],
 *  "errors":N,"warnings":N,"info":N} */
bool findings_format_json(const findings *f, buf *out);

#endif
