#include "aws/query.h"

#include "common/lazy_crypto.h"
#include "common/str.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* application/x-www-form-urlencoded, as the AWS SDKs and CLI send it: the unreserved
 * characters as they are, a space as '+', every other byte as %XY. (A signature checker
 * that re-encodes the parsed form, as moto's does, gets the same bytes back.) */
static void form_encode(buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			buf_addc(out, (char)c);
		} else if (c == ' ') {
			buf_addc(out, '+');
		} else {
			char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_add(out, esc, 3);
		}
	}
}

void aws_params_init(aws_params *p, const char *action, const char *version)
{
	p->action = action;
	buf_init(&p->body, 0);
	buf_init(&p->log, 0);
	buf_adds(&p->body, "Action=");
	form_encode(&p->body, action);
	buf_adds(&p->body, "&Version=");
	form_encode(&p->body, version);
	buf_add(&p->log, p->body.data ? p->body.data : "", p->body.len);
}

void aws_params_free(aws_params *p)
{
	OPENSSL_cleanse(p->body.data, p->body.len);
	buf_free(&p->body);
	buf_free(&p->log);
}

static void add_param(aws_params *p, const char *key, const char *value, bool secret)
{
	if (!value)
		return;
	size_t from = p->body.len;
	buf_addc(&p->body, '&');
	form_encode(&p->body, key);
	buf_addc(&p->body, '=');
	size_t value_at = p->body.len;
	form_encode(&p->body, value);
	if (p->body.failed) {
		p->log.failed = true;
		return;
	}
	/* the log gets the same bytes, but "****" for a secret value */
	buf_add(&p->log, p->body.data + from, (secret ? value_at : p->body.len) - from);
	if (secret)
		buf_adds(&p->log, "****");
}

static void add_paramf(aws_params *p, const char *value, bool secret, const char *key_fmt,
                       va_list ap)
{
	char *key = lms_vstrdupf(key_fmt, ap);
	if (!key)
		p->body.failed = true;
	else
		add_param(p, key, value, secret);
	free(key);
}

void aws_params_add(aws_params *p, const char *key, const char *value)
{
	add_param(p, key, value, false);
}

void aws_params_add_secret(aws_params *p, const char *key, const char *value)
{
	add_param(p, key, value, true);
}

void aws_params_addf(aws_params *p, const char *value, const char *key_fmt, ...)
{
	if (!value)
		return;
	va_list ap;
	va_start(ap, key_fmt);
	add_paramf(p, value, false, key_fmt, ap);
	va_end(ap);
}

void aws_params_addf_secret(aws_params *p, const char *value, const char *key_fmt, ...)
{
	if (!value)
		return;
	va_list ap;
	va_start(ap, key_fmt);
	add_paramf(p, value, true, key_fmt, ap);
	va_end(ap);
}

bool aws_query(aws_client *c, const char *service, const aws_params *p, xml_doc **out,
               aws_response *resp, lms_error *err)
{
	*out = NULL;
	if (p->body.failed || p->log.failed) {
		lms_error_set(err, NULL, 0, 0, "%s: out of memory", p->action);
		return false;
	}
	static const sigv4_header headers[] = {
	    {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
	};
	aws_request req = {
	    .service = service,
	    .operation = p->action,
	    .method = "POST",
	    .path = "/",
	    .headers = headers,
	    .nheaders = 1,
	    .body = p->body.data,
	    .body_len = p->body.len,
	    .log_body = p->log.data,
	    .log_body_len = p->log.len,
	};
	aws_response local;
	aws_response_init(&local);
	aws_response *r = resp ? resp : &local;
	bool ok = aws_send(c, &req, r, err);
	if (ok) {
		lms_error xerr = {0};
		*out = xml_parse(buf_cstr(&r->body), r->body.len, 0, &xerr);
		if (!*out) {
			lms_error_set(err, NULL, 0, 0,
			              "%s: the answer is not the XML expected (%s; HTTP %ld, %zu "
			              "bytes%s%s)",
			              p->action, xerr.msg ? xerr.msg : "malformed", r->status,
			              r->body.len, r->request_id ? ", request id " : "",
			              r->request_id ? r->request_id : "");
			ok = false;
		}
		lms_error_clear(&xerr);
	}
	aws_response_free(&local);
	return ok;
}

const xml_node *aws_query_result(const xml_doc *doc, const char *action)
{
	const xml_node *root = xml_root(doc);
	if (!root)
		return NULL;
	size_t n = strlen(action);
	for (size_t i = 0; i < root->n; i++) {
		const char *name = root->kids[i]->name;
		if (strncmp(name, action, n) == 0 && strcmp(name + n, "Result") == 0)
			return root->kids[i];
	}
	return NULL;
}
