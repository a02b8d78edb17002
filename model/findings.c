#include "model/findings.h"

#include "common/str.h"
#include "common/term.h"
#include "common/vec.h"
#include "model/rules_registry.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void findings_init(findings *f)
{
	memset(f, 0, sizeof(*f));
}

void findings_free(findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		finding *x = &f->v[i];
		free(x->rule);
		free(x->field);
		free(x->message);
		free(x->hint);
		free(x->file);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

void findings_add(findings *f, const char *rule, severity sev, const char *field, const char *hint,
                  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	findings_vadd(f, rule, sev, field, hint, fmt, ap);
	va_end(ap);
}

void findings_vadd(findings *f, const char *rule, severity sev, const char *field, const char *hint,
                   const char *fmt, va_list ap)
{
	if (!VEC_RESERVE(f->v, f->cap, f->n + 1)) {
		f->oom = true;
		return;
	}
	char *message = lms_vstrdupf(fmt, ap);
	finding *x = &f->v[f->n];
	memset(x, 0, sizeof(*x));
	x->rule = strdup(rule);
	x->sev = sev;
	x->field = strdup(field ? field : "");
	x->hint = strdup(hint ? hint : "");
	x->message = message;
	if (!x->rule || !x->field || !x->hint || !x->message) {
		free(x->rule);
		free(x->field);
		free(x->hint);
		free(x->message);
		f->oom = true;
		return;
	}
	f->n++;
}

void findings_set_position(findings *f, size_t index, const char *file, size_t line, size_t col)
{
	if (index >= f->n || !file)
		return;
	finding *x = &f->v[index];
	free(x->file);
	x->file = strdup(file);
	if (!x->file)
		f->oom = true; /* the finding would lose its file, silently */
	x->line = line;
	x->col = col;
}

size_t findings_count(const findings *f, severity sev)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		n += f->v[i].sev == sev;
	return n;
}

static int cmp_finding(const void *a, const void *b)
{
	const finding *x = a, *y = b;
	if (x->sev != y->sev)
		return (int)x->sev - (int)y->sev;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	int c = strcmp(x->rule, y->rule);
	return c ? c : strcmp(x->field, y->field);
}

void findings_sort(findings *f)
{
	if (f->n > 1)
		qsort(f->v, f->n, sizeof(*f->v), cmp_finding);
}

const char *severity_name(severity s)
{
	return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "info";
}

/* Every piece from a model, a template or a tool's output goes through term_adds(): a
 * finding is one line, whatever its text holds (common/term.h). */
void findings_format_text(const findings *f, buf *out)
{
	for (size_t i = 0; i < f->n; i++) {
		const finding *x = &f->v[i];
		if (x->file) {
			term_adds(out, x->file);
			if (x->line)
				buf_addf(out, ":%zu:%zu", x->line, x->col);
			buf_adds(out, ": ");
		}
		buf_addf(out, "%s ", severity_name(x->sev));
		term_adds(out, x->rule);
		if (*x->field) {
			buf_adds(out, " [");
			term_adds(out, x->field);
			buf_addc(out, ']');
		}
		buf_addc(out, ' ');
		term_adds(out, x->message);
		if (*x->hint) {
			buf_adds(out, " (fix: ");
			term_adds(out, x->hint);
			buf_addc(out, ')');
		}
		buf_addc(out, '\n');
	}
	buf_addf(out, "%zu error(s), %zu warning(s), %zu info\n", findings_count(f, SEV_ERROR),
	         findings_count(f, SEV_WARNING), findings_count(f, SEV_INFO));
}

bool findings_format_json(const findings *f, buf *out)
{
	json_t *root = json_object();
	json_t *arr = json_array();
	if (!root || !arr) {
		json_decref(root);
		json_decref(arr);
		return false;
	}
	for (size_t i = 0; i < f->n; i++) {
		const finding *x = &f->v[i];
		/* term_json_string: text that is not UTF-8 is kept, never the finding dropped */
		json_t *o = json_pack(
		    "{s:o, s:s, s:o, s:o, s:o}", "id", term_json_string(x->rule), "severity",
		    severity_name(x->sev), "field", term_json_string(x->field), "message",
		    term_json_string(x->message), "hint", term_json_string(x->hint));
		if (!o) {
			json_decref(root);
			json_decref(arr);
			return false;
		}
		/* every set checked: out of memory must not drop a key (a report
		 * without "findings" would read as none) */
		bool ok = true;
		if (x->file) {
			ok = json_object_set_new(o, "file", term_json_string(x->file)) == 0 && ok;
			ok = json_object_set_new(o, "line", json_integer((json_int_t)x->line)) ==
			         0 &&
			     ok;
			ok = json_object_set_new(o, "column", json_integer((json_int_t)x->col)) ==
			         0 &&
			     ok;
		}
		/* the rule's family and summary, from the one registry (model/rules.def);
		 * findings of outside tools (cfn-lint:..., guard:...) have none */
		const rule_info *ri = rules_lookup(x->rule);
		if (ri) {
			ok = json_object_set_new(o, "family", json_string(ri->family)) == 0 && ok;
			ok = json_object_set_new(o, "summary", json_string(ri->summary)) == 0 && ok;
		}
		if (json_array_append_new(arr, o) != 0 || !ok) {
			json_decref(root);
			json_decref(arr);
			return false;
		}
	}
	bool ok = json_object_set_new(root, "findings", arr) == 0;
	ok = json_object_set_new(root, "errors",
	                         json_integer((json_int_t)findings_count(f, SEV_ERROR))) == 0 &&
	     ok;
	ok = json_object_set_new(root, "warnings",
	                         json_integer((json_int_t)findings_count(f, SEV_WARNING))) == 0 &&
	     ok;
	ok = json_object_set_new(root, "info",
	                         json_integer((json_int_t)findings_count(f, SEV_INFO))) == 0 &&
	     ok;
	if (!ok) {
		json_decref(root);
		return false;
	}
	char *s = term_json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!s)
		return false;
	buf_adds(out, s);
	buf_addc(out, '\n');
	free(s);
	return !out->failed;
}
