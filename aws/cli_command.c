/* aws_cli_command: the `aws` command line equivalent to one call, for the console's
 * API log. Only what the call carried is shown; nothing is looked up. */
#include "aws/http.h"

#include <stdlib.h>
#include <string.h>

/* botocore's xform_name: "ChangeSetName" -> "change-set-name", "RoleARN" -> "role-arn". */
static void kebab(buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool upper = c >= 'A' && c <= 'Z';
		if (upper && i > 0) {
			char prev = s[i - 1];
			bool prev_lower =
			    (prev >= 'a' && prev <= 'z') || (prev >= '0' && prev <= '9');
			bool prev_upper = prev >= 'A' && prev <= 'Z';
			bool next_lower = i + 1 < len && s[i + 1] >= 'a' && s[i + 1] <= 'z';
			if (prev_lower || (prev_upper && next_lower))
				buf_addc(out, '-');
		}
		buf_addc(out, upper ? (char)(c - 'A' + 'a') : c);
	}
}

/* Percent decoding; in a form, '+' is a space. NULL when out of memory. */
static char *percent_decode(const char *s, size_t len, bool plus_is_space)
{
	buf b;
	buf_init(&b, 0);
	if (!buf_add_percent_decoded(&b, s, len, plus_is_space) || !buf_addc(&b, '\0')) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
}

/* Appends v quoted for a POSIX shell when it needs it. */
static void shell_word(buf *out, const char *v)
{
	bool plain = v[0] != '\0';
	for (const char *p = v; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		        (*p >= '0' && *p <= '9') || strchr("-_./:=,@+%", *p) != NULL;
	if (plain) {
		buf_adds(out, v);
		return;
	}
	buf_addc(out, '\'');
	for (const char *p = v; *p; p++) {
		if (*p == '\'')
			buf_adds(out, "'\\''");
		else if (*p == '\n')
			buf_adds(out, "\\n"); /* one line; the template goes by file:// */
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			buf_addc(out, '?'); /* no control characters on the screen */
		else
			buf_addc(out, *p);
	}
	buf_addc(out, '\'');
}

/* " --option-name", quoted when the parameter's name is not a plain one. */
static void option(buf *out, const char *key, size_t len)
{
	buf name;
	buf_init(&name, 0);
	buf_adds(&name, "--");
	kebab(&name, key, len);
	buf_fail_with(out, &name);
	buf_addc(out, ' ');
	shell_word(out, buf_cstr(&name));
	buf_free(&name);
}

typedef struct field {
	char *key;   /* decoded */
	char *value; /* decoded, masked */
	bool used;
} field;

static void fields_free(field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].key);
		free(f[i].value);
	}
	free(f);
}

/* The form's fields, masked; NULL (and *n 0) when there are none or out of memory. */
static field *parse_form(const aws_call_record *rec, const char *body, size_t len, size_t *n,
                         bool *oom)
{
	*n = 0;
	size_t cap = 1;
	for (size_t i = 0; i < len; i++)
		cap += body[i] == '&';
	field *f = calloc(cap, sizeof *f);
	if (!f) {
		*oom = true;
		return NULL;
	}
	for (size_t i = 0; i < len;) {
		size_t end = i;
		while (end < len && body[end] != '&')
			end++;
		const char *eq = memchr(body + i, '=', end - i);
		size_t klen = eq ? (size_t)(eq - (body + i)) : end - i;
		char *k = percent_decode(body + i, klen, true);
		char *v =
		    eq ? percent_decode(eq + 1, (size_t)(body + end - eq - 1), true) : strdup("");
		if (!k || !v) {
			free(k);
			free(v);
			*oom = true;
			break;
		}
		if (aws_name_is_secret(k, strlen(k))) {
			free(v);
			v = strdup("****");
		} else {
			/* a NoEcho value, wherever it stands in the value */
			buf m;
			buf_init(&m, 0);
			aws_mask_values(&m, v, strlen(v), rec->masked, rec->nmasked);
			free(v);
			v = buf_take(&m);
		}
		if (!v) { /* not counted: a field without its value would be shown */
			free(k);
			*oom = true;
			break;
		}
		f[*n].key = k;
		f[*n].value = v;
		(*n)++;
		i = end + 1;
	}
	return f;
}

/* "Parameters.member.3.ParameterKey": prefix "Parameters", index 3, leaf "ParameterKey"
 * (NULL for a plain list "Capabilities.member.1"); false for a top-level key. */
static bool member_key(const char *key, size_t *prefix_len, long *index, const char **leaf)
{
	const char *m = strstr(key, ".member.");
	if (!m)
		return false;
	*prefix_len = (size_t)(m - key);
	char *end = NULL;
	*index = strtol(m + 8, &end, 10);
	if (end == m + 8)
		return false;
	*leaf = *end == '.' ? end + 1 : NULL;
	return true;
}

static void add_form_options(buf *out, field *f, size_t n, const char *service)
{
	for (size_t i = 0; i < n; i++) {
		if (f[i].used || strcmp(f[i].key, "Action") == 0 ||
		    strcmp(f[i].key, "Version") == 0)
			continue;
		size_t plen;
		long idx;
		const char *leaf;
		if (!member_key(f[i].key, &plen, &idx, &leaf)) {
			f[i].used = true;
			option(out, f[i].key, strlen(f[i].key));
			buf_addc(out, ' ');
			if (strcmp(f[i].key, "TemplateBody") == 0 &&
			    strcmp(service, "cloudformation") == 0)
				buf_adds(out, "file://template.yaml");
			else
				shell_word(out, f[i].value);
			continue;
		}
		/* a list: every member of this prefix, in the order sent */
		option(out, f[i].key, plen);
		for (size_t j = i; j < n; j++) {
			size_t pj;
			long ij;
			const char *lj;
			if (f[j].used || !member_key(f[j].key, &pj, &ij, &lj) || pj != plen ||
			    strncmp(f[j].key, f[i].key, plen) != 0)
				continue;
			if (!lj) {
				f[j].used = true;
				buf_addc(out, ' ');
				shell_word(out, f[j].value);
				continue;
			}
			/* a structure: its fields with the same index, Key=Value,Key=Value */
			buf item;
			buf_init(&item, 0);
			for (size_t k = j; k < n; k++) {
				size_t pk;
				long ik;
				const char *lk;
				if (f[k].used || !member_key(f[k].key, &pk, &ik, &lk) || !lk ||
				    pk != plen || ik != ij ||
				    strncmp(f[k].key, f[i].key, plen) != 0)
					continue;
				f[k].used = true;
				if (item.len)
					buf_addc(&item, ',');
				buf_addf(&item, "%s=%s", lk, f[k].value);
			}
			buf_fail_with(out, &item);
			buf_addc(out, ' ');
			shell_word(out, buf_cstr(&item));
			buf_free(&item);
		}
	}
}

void aws_cli_endpoint_option(const aws_client *c, const char *service, buf *out)
{
	const char *url = aws_client_endpoint_url(c, service);
	if (!url)
		return;
	buf_adds(out, " --endpoint-url ");
	shell_word(out, url);
}

bool aws_cli_command(const aws_call_record *rec, buf *out)
{
	const aws_request *req = rec->req;
	const char *service = req->service ? req->service : "?";
	const char *op = req->operation ? req->operation : "?";
	bool oom = false;
	buf_adds(out, "aws ");
	if (strcmp(service, "s3") == 0) {
		buf_adds(out, "s3api ");
		kebab(out, op, strlen(op));
		if (req->bucket) {
			buf_adds(out, " --bucket ");
			shell_word(out, req->bucket);
		}
		const char *path = req->path ? req->path : "/";
		if (path[0] == '/' && path[1]) {
			char *key = percent_decode(path + 1, strlen(path + 1), false);
			if (!key) {
				oom = true;
			} else {
				buf_adds(out, " --key ");
				shell_word(out, key);
			}
			free(key);
		}
		if (strcmp(op, "PutObject") == 0)
			buf_adds(out, " --body template.yaml");
	} else {
		buf_adds(out, service);
		buf_addc(out, ' ');
		kebab(out, op, strlen(op));
		/* the log's copy of the body: the secret parameters are "****" in it */
		const char *body = req->log_body ? req->log_body : req->body;
		size_t blen = req->log_body ? req->log_body_len : req->body_len;
		const char *form = body && blen ? body : req->query;
		size_t flen = body && blen ? blen : form ? strlen(form) : 0;
		size_t n = 0;
		field *f = form ? parse_form(rec, form, flen, &n, &oom) : NULL;
		if (f)
			add_form_options(out, f, n, service);
		fields_free(f, n);
	}
	buf_adds(out, " --region ");
	shell_word(out, rec->region ? rec->region : "?");
	if (rec->endpoint_url) {
		buf_adds(out, " --endpoint-url ");
		shell_word(out, rec->endpoint_url);
	}
	return !oom && !out->failed;
}
