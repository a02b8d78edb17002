#include "model/institutions.h"

#include "common/num.h"
#include "model/model.h"
#include "model/rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fields[] = {"name", "rate", "burst", "quota", "principal"};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static char **field_slot(model_institution *inst, size_t i)
{
	char **slots[NFIELDS] = {&inst->name, &inst->rate, &inst->burst, &inst->quota,
	                         &inst->principal};
	return slots[i];
}

void institutions_free(model_institution *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t f = 0; f < NFIELDS; f++)
			free(*field_slot(&v[i], f));
	free(v);
}

static bool fail_at(lms_error *err, const char *path, const ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool fail_at(lms_error *err, const char *path, const ynode *n, const char *fmt, ...)
{
	buf msg;
	buf_init(&msg, 0);
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	lms_error_set(err, path, n->start.line, n->start.col, "%s",
	              msg.failed ? "out of memory" : buf_cstr(&msg));
	buf_free(&msg);
	return false;
}

/* One item of the list: a mapping of known keys to single values. */
static bool load_item(const char *path, const ynode *item, model_institution *inst, lms_error *err)
{
	inst->line = item->start.line;
	inst->col = item->start.col;
	if (item->kind != YNODE_MAP)
		return fail_at(err, path, item,
		               "each institution is a mapping (name, rate, burst, quota, "
		               "principal)");
	for (size_t i = 0; i < item->n; i++) {
		const ynode *k = ynode_key(item, i), *v = ynode_val(item, i);
		const char *key = ynode_str(k);
		size_t f = 0;
		while (key && f < NFIELDS && strcmp(key, fields[f]) != 0)
			f++;
		if (!key || f == NFIELDS)
			return fail_at(err, path, k,
			               "unknown institution key '%s' (name, rate, burst, quota, "
			               "principal)",
			               key ? key : "?");
		if (v->kind != YNODE_SCALAR || v->tag || memchr(v->str, '\n', v->len) ||
		    strlen(v->str) != v->len)
			return fail_at(err, path, v, "institution '%s' must be a single value",
			               key);
		char **slot = field_slot(inst, f);
		free(*slot);
		*slot = strdup(ynode_is_null(v) ? "" : v->str);
		if (!*slot)
			return fail_at(err, path, v, "out of memory");
	}
	return true;
}

bool institutions_load(const char *path, const ynode *list, model_institution **out, size_t *n,
                       lms_error *err)
{
	*out = NULL;
	*n = 0;
	if (ynode_is_null(list))
		return true;
	if (list->kind != YNODE_SEQ)
		return fail_at(err, path, list,
		               "'institutions' must be a list of institutions (- name: ...)");
	model_institution *v = calloc(list->n ? list->n : 1, sizeof(*v));
	if (!v)
		return fail_at(err, path, list, "out of memory");
	for (size_t i = 0; i < list->n; i++) {
		if (!load_item(path, list->kids[i], &v[i], err)) {
			institutions_free(v, list->n);
			return false;
		}
	}
	*out = v;
	*n = list->n;
	return true;
}

bool institution_name_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;
	if (len == 0 || len > INSTITUTION_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		bool word_start = i == 0 || name[i - 1] == '-';
		if (word_start && !(c >= 'a' && c <= 'z'))
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return name[len - 1] != '-';
}

static bool number_ok(const char *s, long max)
{
	long v;
	return s && lms_parse_long(s, 1, max, &v);
}

/* An IAM role of one account: arn:PARTITION:iam::ACCOUNT:role/PATH/NAME. */
static bool principal_ok(const char *s)
{
	return java_pattern_match("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}", s,
	                          NULL) == 1;
}

static bool first_of_name(const model_institution *v, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (v[j].name && v[i].name && strcmp(v[j].name, v[i].name) == 0)
			return false;
	return true;
}

bool institution_usable(const model_institution *v, size_t n, size_t i)
{
	const model_institution *x = &v[i];
	return i < n && institution_name_ok(x->name) && first_of_name(v, i) &&
	       number_ok(x->rate, INSTITUTION_RATE_MAX) &&
	       number_ok(x->burst, INSTITUTION_BURST_MAX) &&
	       (!x->quota || number_ok(x->quota, INSTITUTION_QUOTA_MAX)) &&
	       (!x->principal || principal_ok(x->principal));
}

void institution_logical_id(const char *name, buf *out)
{
	for (const char *p = name; *p; p++) {
		if (*p == '-')
			continue;
		bool upper = p == name || p[-1] == '-';
		buf_addc(out, upper && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p);
	}
}

/* ---- API001-API004 ---------------------------------------------------------------------- */

static void add_at(const validate_ctx *ctx, const model_institution *x, const char *rule,
                   severity sev, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static void add_at(const validate_ctx *ctx, const model_institution *x, const char *rule,
                   severity sev, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	findings_vadd(ctx->out, rule, sev, "institutions", hint, fmt, ap);
	va_end(ap);
	findings_set_position(ctx->out, ctx->out->n - 1, ctx->m->path, x->line, x->col);
}

static void check_limits(const validate_ctx *ctx, const model_institution *x, const char *name)
{
	static const struct {
		size_t field;
		long max;
		bool required;
		const char *hint;
	} limits[] = {
	    {1, INSTITUTION_RATE_MAX, true,
	     "a whole number of requests per second, 1 to 10000 (the account's default quota)"},
	    {2, INSTITUTION_BURST_MAX, true,
	     "a whole number of requests, 1 to 5000 (the account's bucket)"},
	    {3, INSTITUTION_QUOTA_MAX, false,
	     "a whole number of requests a day, 1 to 1000000000; leave it out for none"},
	};
	for (size_t l = 0; l < sizeof(limits) / sizeof(limits[0]); l++) {
		const char *v = *field_slot((model_institution *)x, limits[l].field);
		if (!v && !limits[l].required)
			continue;
		if (!v)
			add_at(ctx, x, "API003", SEV_ERROR, limits[l].hint,
			       "institution '%s' has no %s", name, fields[limits[l].field]);
		else if (!number_ok(v, limits[l].max))
			add_at(ctx, x, "API003", SEV_ERROR, limits[l].hint,
			       "institution '%s': %s is out of range", name,
			       fields[limits[l].field]);
	}
	if (x->principal && !principal_ok(x->principal))
		add_at(ctx, x, "API003", SEV_ERROR,
		       "an IAM role of the stack's account, arn:aws:iam::ACCOUNT:role/NAME, that "
		       "the institution's systems assume",
		       "institution '%s': principal '%s' is not an IAM role ARN", name,
		       x->principal);
}

void rule_institutions(const validate_ctx *ctx)
{
	const model *m = ctx->m;
	long sum = 0;
	for (size_t i = 0; i < m->ninst; i++) {
		const model_institution *x = &m->inst[i];
		const char *name = x->name ? x->name : "";
		if (!institution_name_ok(x->name))
			add_at(ctx, x, "API001", SEV_ERROR,
			       "lower-case letters and digits in words joined by single hyphens, "
			       "each word starting with a letter, at most 24 characters",
			       "institution name '%s' is not valid", name);
		else if (!first_of_name(m->inst, i)) {
			for (size_t j = 0; j < i; j++)
				if (m->inst[j].name && strcmp(m->inst[j].name, name) == 0) {
					char line[32];
					snprintf(line, sizeof(line), "line %zu", m->inst[j].line);
					add_at(ctx, x, "API002", SEV_ERROR,
					       "give each institution one entry (its own key and "
					       "plan)",
					       "institution '%s' is already listed at %s", name,
					       line);
					break;
				}
		}
		check_limits(ctx, x, name);
		long rate;
		if (x->rate && lms_parse_long(x->rate, 1, INSTITUTION_RATE_MAX, &rate))
			sum += rate;
	}
	/* the integration tier's key draws from the same account quota */
	long integration = 0;
	if (m->ninst && rule_long(ctx, "ApiIntegrationRateLimit", &integration))
		sum += integration;
	if (m->ninst && sum > API_ACCOUNT_RATE_QUOTA) {
		char total[32], quota[32];
		snprintf(total, sizeof(total), "%ld", sum);
		snprintf(quota, sizeof(quota), "%ld", API_ACCOUNT_RATE_QUOTA);
		findings_add(ctx->out, "API004", SEV_WARNING, "institutions",
		             "request the increase of API Gateway's throttle quota (Service Quotas "
		             "L-8A5B8E43, eu-west-1) before go-live: docs/api-limits.md",
		             "the institutions' and the integration key's rates add up to %s "
		             "requests/s, above the account's default quota of %s (L-8A5B8E43)",
		             total, quota);
		findings_set_position(ctx->out, ctx->out->n - 1, m->path, m->inst_line, 1);
	}
}
