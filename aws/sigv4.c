#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "aws/sigv4.h"

#include "common/lazy_crypto.h"
#include "common/vec.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALGORITHM "AWS4-HMAC-SHA256"
#define SHA256_LEN 32

/* Headers that proxies and HTTP libraries add, change or drop on their own: signing them would
 * make the signature fail for reasons outside our control (botocore and aws-c-auth skip the
 * same ones). */
static const char *const unsigned_headers[] = {
    "user-agent",
    "x-amzn-trace-id",
    "expect",
    "connection",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "transfer-encoding",
    "proxy-authorization",
};

/* Headers the signer itself adds; a request that already carries one is a caller bug. */
static const char *const signer_headers[] = {
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
};

/* Query parameters that belong to a presigned URL; compared without regard to case. */
static const char *const signer_params[] = {
    "X-Amz-Algorithm",     "X-Amz-Credential", "X-Amz-Date",           "X-Amz-Expires",
    "X-Amz-SignedHeaders", "X-Amz-Signature",  "X-Amz-Security-Token",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- small helpers ---------------------------------------------------------------------- */

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool ascii_ieq(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

static bool is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == '~';
}

/* RFC 7230 token characters, which is what a header name may contain. */
static bool is_tchar(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static void add_hex(buf *out, const unsigned char *bytes, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		char pair[2] = {digits[bytes[i] >> 4], digits[bytes[i] & 15]};
		buf_add(out, pair, 2);
	}
}

/* A '%' not followed by two hex digits stays a literal '%' (and is encoded as %25 later): a
 * sloppy path or query still signs the way the server will read it. */
static bool uri_decode(buf *out, const char *s, size_t len)
{
	return buf_add_percent_decoded(out, s, len, false);
}

static bool out_of_memory(lms_error *err)
{
	lms_error_set(err, NULL, 0, 0, "out of memory while signing the request");
	return false;
}

/* Wipes a buffer that held a credential, then frees it. */
static void buf_wipe(buf *b)
{
	if (b->data)
		OPENSSL_cleanse(b->data, b->cap);
	buf_free(b);
}

static bool sha256_hex(buf *out, const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	static const char nothing = '\0';
	if (!EVP_Digest(data ? data : &nothing, len, md, &md_len, EVP_sha256(), NULL) ||
	    md_len != SHA256_LEN)
		return false;
	add_hex(out, md, md_len);
	return !out->failed;
}

static bool hmac_sha256(const unsigned char *key, size_t key_len, const void *msg, size_t msg_len,
                        unsigned char out[SHA256_LEN])
{
	unsigned int out_len = 0;
	if (key_len > INT32_MAX)
		return false;
	if (!HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, out, &out_len))
		return false;
	return out_len == SHA256_LEN;
}

/* ---- the signing context: everything the stages derive from config and request -------- */

typedef struct canon_header {
	char *name;        /* lower-cased, owned */
	const char *value; /* borrowed from the request or the context */
	size_t order;      /* position in the request, keeps the sort stable */
} canon_header;

typedef struct amz_time {
	char amz_date[17]; /* YYYYMMDDTHHMMSSZ */
	char date[9];      /* YYYYMMDD */
} amz_time;

typedef struct sign_ctx {
	sigv4_form form;
	amz_time time;
	char expires[24];
	buf scope;          /* date/region/service/aws4_request */
	buf payload_hash;   /* hex SHA-256 of the body, or cfg->payload_hash */
	buf signed_headers; /* name;name;... */
	canon_header *headers;
	size_t header_count;
	bool sign_token; /* the token is part of the canonical request */
} sign_ctx;

static void ctx_free(sign_ctx *ctx)
{
	for (size_t i = 0; i < ctx->header_count; i++)
		free(ctx->headers[i].name);
	free(ctx->headers);
	ctx->headers = NULL;
	ctx->header_count = 0;
	buf_free(&ctx->scope);
	buf_free(&ctx->payload_hash);
	buf_free(&ctx->signed_headers);
}

static bool has_token(const sigv4_config *cfg)
{
	return cfg->session_token && cfg->session_token[0];
}

/* Scope components end up between '/' in the credential scope and on a line of the string to
 * sign: a '/', whitespace or control character there would change the meaning of either. */
static bool valid_scope_part(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= ' ' || c == '/' || c == 0x7f)
			return false;
	}
	return true;
}

static bool check_config(const sigv4_config *cfg, lms_error *err)
{
	if (!valid_scope_part(cfg->access_key_id)) {
		lms_error_set(err, NULL, 0, 0,
		              "the access key id is empty or contains '/', spaces or control "
		              "characters: check the configured credentials");
		return false;
	}
	if (!cfg->secret_access_key || !cfg->secret_access_key[0]) {
		lms_error_set(err, NULL, 0, 0,
		              "the secret access key is empty: check the configured credentials");
		return false;
	}
	if (!valid_scope_part(cfg->region)) {
		lms_error_set(err, NULL, 0, 0,
		              "the region is empty or malformed: set a region such as eu-west-1");
		return false;
	}
	if (!valid_scope_part(cfg->service)) {
		lms_error_set(err, NULL, 0, 0, "the signing service name is empty or malformed");
		return false;
	}
	if (has_token(cfg)) {
		for (const char *p = cfg->session_token; *p; p++) {
			if ((unsigned char)*p < ' ' || *p == 0x7f) {
				lms_error_set(
				    err, NULL, 0, 0,
				    "the session token contains control characters: check "
				    "the configured credentials");
				return false;
			}
		}
	}
	return true;
}

static bool format_time(time_t t, amz_time *out, lms_error *err)
{
	struct tm tm;
	/* The year range keeps %Y at four digits, which the formats require. */
	if (!gmtime_r(&t, &tm) || tm.tm_year < 0 - 1900 || tm.tm_year > 9999 - 1900 ||
	    strftime(out->amz_date, sizeof out->amz_date, "%Y%m%dT%H%M%SZ", &tm) != 16) {
		lms_error_set(err, NULL, 0, 0,
		              "the signing time cannot be expressed as a UTC date");
		return false;
	}
	memcpy(out->date, out->amz_date, 8);
	out->date[8] = '\0';
	return true;
}

static bool check_header(const sigv4_header *h, lms_error *err)
{
	if (!h->name || !h->name[0] || !h->value) {
		lms_error_set(err, NULL, 0, 0, "a request header has an empty name or no value");
		return false;
	}
	for (const char *p = h->name; *p; p++) {
		if (!is_tchar((unsigned char)*p)) {
			lms_error_set(err, NULL, 0, 0,
			              "header name \"%s\" contains a character not allowed in HTTP",
			              h->name);
			return false;
		}
	}
	/* A line break is only acceptable as obsolete line folding; anything else would let
	 * the value smuggle another header onto the wire. */
	for (const char *p = h->value; *p; p++) {
		unsigned char c = (unsigned char)*p;
		bool bad = (c < ' ' && c != '\t' && c != '\r' && c != '\n') || c == 0x7f ||
		           (c == '\r' && p[1] != '\n') ||
		           (c == '\n' && p[1] != ' ' && p[1] != '\t');
		if (bad) {
			lms_error_set(err, NULL, 0, 0,
			              "header \"%s\" has a control character or a line break that "
			              "does not continue the value",
			              h->name);
			return false;
		}
	}
	return true;
}

static bool in_list(const char *const *list, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_ieq(name, len, list[i]))
			return true;
	return false;
}

static bool push_header(sign_ctx *ctx, const char *name, const char *value, size_t order)
{
	size_t len = strlen(name);
	char *lower = malloc(len + 1);
	if (!lower)
		return false;
	for (size_t i = 0; i < len; i++)
		lower[i] = ascii_lower(name[i]);
	lower[len] = '\0';
	ctx->headers[ctx->header_count++] = (canon_header){lower, value, order};
	return true;
}

static int compare_headers(const void *a, const void *b)
{
	const canon_header *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static bool collect_headers(const sigv4_config *cfg, const sigv4_request *req, sign_ctx *ctx,
                            lms_error *err)
{
	if (req->header_count && !req->headers) {
		lms_error_set(err, NULL, 0, 0, "the request claims headers but has none");
		return false;
	}
	if (req->header_count > SIZE_MAX / sizeof(canon_header) - 3)
		return out_of_memory(err);
	ctx->headers = calloc(req->header_count + 3, sizeof(canon_header));
	if (!ctx->headers)
		return out_of_memory(err);

	bool have_host = false;
	for (size_t i = 0; i < req->header_count; i++) {
		const sigv4_header *h = &req->headers[i];
		if (!check_header(h, err))
			return false;
		size_t len = strlen(h->name);
		if (in_list(signer_headers, COUNT(signer_headers), h->name, len)) {
			lms_error_set(err, NULL, 0, 0,
			              "the request already has a %s header; the signer adds it",
			              h->name);
			return false;
		}
		if (in_list(unsigned_headers, COUNT(unsigned_headers), h->name, len))
			continue;
		if (ascii_ieq(h->name, len, "host")) {
			if (have_host) {
				lms_error_set(err, NULL, 0, 0, "the request has two Host headers");
				return false;
			}
			have_host = true;
		}
		if (!push_header(ctx, h->name, h->value, i))
			return out_of_memory(err);
	}
	if (!have_host) {
		lms_error_set(err, NULL, 0, 0,
		              "the request has no Host header, which SigV4 must sign");
		return false;
	}

	if (ctx->form == SIGV4_FORM_HEADER) {
		size_t next = req->header_count;
		if (!push_header(ctx, "x-amz-date", ctx->time.amz_date, next++))
			return out_of_memory(err);
		if (ctx->sign_token &&
		    !push_header(ctx, "x-amz-security-token", cfg->session_token, next++))
			return out_of_memory(err);
		if (cfg->sign_body &&
		    !push_header(ctx, "x-amz-content-sha256", buf_cstr(&ctx->payload_hash), next++))
			return out_of_memory(err);
	}

	qsort(ctx->headers, ctx->header_count, sizeof(canon_header), compare_headers);

	for (size_t i = 0; i < ctx->header_count; i++) {
		if (i > 0 && strcmp(ctx->headers[i].name, ctx->headers[i - 1].name) == 0)
			continue;
		if (ctx->signed_headers.len)
			buf_addc(&ctx->signed_headers, ';');
		buf_adds(&ctx->signed_headers, ctx->headers[i].name);
	}
	if (ctx->signed_headers.failed)
		return out_of_memory(err);
	return true;
}

static bool ctx_init(const sigv4_config *cfg, const sigv4_request *req, sigv4_form form,
                     sign_ctx *ctx, lms_error *err)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->form = form;
	buf_init(&ctx->scope, 0);
	buf_init(&ctx->payload_hash, 0);
	buf_init(&ctx->signed_headers, 0);
	ctx->sign_token = has_token(cfg) && !cfg->omit_session_token;

	if (!check_config(cfg, err))
		return false;
	if (!req->method || !req->method[0]) {
		lms_error_set(err, NULL, 0, 0, "the request has no method");
		return false;
	}
	for (const char *p = req->method; *p; p++) {
		if (!is_tchar((unsigned char)*p)) {
			lms_error_set(err, NULL, 0, 0,
			              "the request method \"%s\" is not a valid HTTP method",
			              req->method);
			return false;
		}
	}
	if (req->path && req->path[0] && req->path[0] != '/') {
		lms_error_set(err, NULL, 0, 0, "the request path \"%s\" does not start with '/'",
		              req->path);
		return false;
	}
	if (req->body_len && !req->body) {
		lms_error_set(err, NULL, 0, 0, "the request claims a body but has none");
		return false;
	}
	if (form == SIGV4_FORM_QUERY &&
	    (cfg->expires_in < 1 || cfg->expires_in > SIGV4_MAX_EXPIRES_IN)) {
		lms_error_set(err, NULL, 0, 0,
		              "a presigned URL must expire after 1 to %ld seconds, not %ld",
		              SIGV4_MAX_EXPIRES_IN, cfg->expires_in);
		return false;
	}
	(void)snprintf(ctx->expires, sizeof ctx->expires, "%ld", cfg->expires_in);

	if (!format_time(cfg->timestamp, &ctx->time, err))
		return false;
	buf_addf(&ctx->scope, "%s/%s/%s/aws4_request", ctx->time.date, cfg->region, cfg->service);

	if (cfg->payload_hash) {
		if (!cfg->payload_hash[0] || strpbrk(cfg->payload_hash, "\r\n")) {
			lms_error_set(err, NULL, 0, 0,
			              "the payload hash override is empty or spans lines");
			return false;
		}
		buf_adds(&ctx->payload_hash, cfg->payload_hash);
	} else if (!sha256_hex(&ctx->payload_hash, req->body, req->body_len)) {
		lms_error_set(err, NULL, 0, 0, "SHA-256 of the request body failed (OpenSSL)");
		return false;
	}
	if (ctx->scope.failed || ctx->payload_hash.failed)
		return out_of_memory(err);

	return collect_headers(cfg, req, ctx, err);
}

/* ---- URI path and query --------------------------------------------------------------- */

bool sigv4_uri_encode(buf *out, const char *s, size_t len, bool keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_unreserved(c) || (keep_slash && c == '/')) {
			buf_addc(out, (char)c);
		} else {
			char escape[3] = {'%', digits[c >> 4], digits[c & 15]};
			buf_add(out, escape, 3);
		}
	}
	return !out->failed;
}

typedef struct segment {
	const char *start;
	size_t len;
} segment;

/* Removes "." and ".." segments and empty segments; keeps a trailing slash. Same result as
 * aws-c-auth and botocore (posixpath.normpath): "/a/b/.." gives "/a", "/a/b/../" gives "/a/". */
static bool normalize_path(const char *path, size_t len, buf *out)
{
	size_t max_segments = 1;
	for (size_t i = 0; i < len; i++)
		max_segments += path[i] == '/';
	segment *stack = calloc(max_segments, sizeof(segment));
	if (!stack)
		return false;
	size_t depth = 0;
	size_t i = 0;
	while (i <= len) {
		size_t start = i;
		while (i < len && path[i] != '/')
			i++;
		size_t seg_len = i - start;
		if (seg_len == 0 || (seg_len == 1 && path[start] == '.')) {
			/* contributes nothing */
		} else if (seg_len == 2 && path[start] == '.' && path[start + 1] == '.') {
			if (depth)
				depth--;
		} else {
			stack[depth++] = (segment){path + start, seg_len};
		}
		i++;
	}
	buf_addc(out, '/');
	for (size_t s = 0; s < depth; s++) {
		buf_add(out, stack[s].start, stack[s].len);
		if (s + 1 < depth || (len > 0 && path[len - 1] == '/'))
			buf_addc(out, '/');
	}
	free(stack);
	return !out->failed;
}

bool sigv4_canonical_path(const char *path, bool normalize, bool single_encode, buf *out)
{
	if (!path || !path[0])
		path = "/";
	buf normalized, decoded;
	buf_init(&normalized, 0);
	buf_init(&decoded, 0);
	const char *p = path;
	size_t len = strlen(path);
	bool ok = true;
	if (normalize) {
		ok = normalize_path(p, len, &normalized);
		p = buf_cstr(&normalized);
		len = normalized.len;
	}
	if (ok && single_encode) {
		ok = uri_decode(&decoded, p, len);
		p = buf_cstr(&decoded);
		len = decoded.len;
	}
	ok = ok && sigv4_uri_encode(out, p, len, true);
	buf_free(&normalized);
	buf_free(&decoded);
	return ok;
}

typedef struct query_param {
	char *name;  /* encoded */
	char *value; /* encoded */
} query_param;

typedef struct query_params {
	query_param *items;
	size_t count;
	size_t cap;
} query_params;

static void params_free(query_params *qp)
{
	for (size_t i = 0; i < qp->count; i++) {
		/* A value may be the session token. */
		OPENSSL_cleanse(qp->items[i].value, strlen(qp->items[i].value));
		free(qp->items[i].name);
		free(qp->items[i].value);
	}
	free(qp->items);
	memset(qp, 0, sizeof *qp);
}

static char *encode_copy(const char *s, size_t len, bool decode_first)
{
	buf decoded, encoded;
	buf_init(&decoded, 0);
	buf_init(&encoded, 0);
	if (decode_first) {
		if (!uri_decode(&decoded, s, len)) {
			buf_free(&decoded);
			return NULL;
		}
		s = buf_cstr(&decoded);
		len = decoded.len;
	}
	sigv4_uri_encode(&encoded, s, len, false);
	buf_wipe(&decoded);
	char *result = buf_take(&encoded);
	buf_free(&encoded);
	return result;
}

static bool params_add(query_params *qp, const char *name, size_t name_len, const char *value,
                       size_t value_len, bool decode_first)
{
	if (!VEC_RESERVE(qp->items, qp->cap, qp->count + 1))
		return false;
	char *n = encode_copy(name, name_len, decode_first);
	char *v = encode_copy(value, value_len, decode_first);
	if (!n || !v) {
		free(n);
		free(v);
		return false;
	}
	qp->items[qp->count++] = (query_param){n, v};
	return true;
}

/* Splits a raw query string into its parameters; `name` without '=' has the empty value. With
 * `reject_signer_params`, a parameter a presigned URL adds itself is refused. */
static bool params_parse(query_params *qp, const char *query, bool reject_signer_params,
                         lms_error *err)
{
	if (!query)
		return true;
	const char *p = query;
	while (*p) {
		size_t len = strcspn(p, "&");
		if (len > 0) {
			const char *eq = memchr(p, '=', len);
			size_t name_len = eq ? (size_t)(eq - p) : len;
			const char *value = eq ? eq + 1 : p + len;
			size_t value_len = eq ? len - name_len - 1 : 0;
			if (reject_signer_params) {
				buf name;
				buf_init(&name, 0);
				bool ok = uri_decode(&name, p, name_len);
				bool clash = ok && in_list(signer_params, COUNT(signer_params),
				                           buf_cstr(&name), name.len);
				if (clash)
					lms_error_set(
					    err, NULL, 0, 0,
					    "the query already has %s; the presigning adds it",
					    buf_cstr(&name));
				buf_free(&name);
				if (!ok)
					return out_of_memory(err);
				if (clash)
					return false;
			}
			if (!params_add(qp, p, name_len, value, value_len, true))
				return out_of_memory(err);
		}
		p += len;
		if (*p == '&')
			p++;
	}
	return true;
}

static int compare_params(const void *a, const void *b)
{
	const query_param *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->value, y->value);
}

static bool params_write(query_params *qp, buf *out)
{
	if (qp->count > 1) /* qsort(NULL, 0, ...) is undefined */
		qsort(qp->items, qp->count, sizeof(query_param), compare_params);
	for (size_t i = 0; i < qp->count; i++) {
		if (i)
			buf_addc(out, '&');
		buf_adds(out, qp->items[i].name);
		buf_addc(out, '=');
		buf_adds(out, qp->items[i].value);
	}
	return !out->failed;
}

bool sigv4_canonical_query(const char *query, buf *out)
{
	query_params qp = {0};
	bool ok = params_parse(&qp, query, false, NULL) && params_write(&qp, out);
	params_free(&qp);
	return ok;
}

/* The presigning parameters in the order aws-c-auth appends them to the URL, so that our
 * presigned URLs read like theirs. The signature comes last and is not part of the list. */
static bool presign_params(const sigv4_config *cfg, const sign_ctx *ctx, bool with_token,
                           query_params *qp)
{
	buf credential;
	buf_init(&credential, 0);
	buf_addf(&credential, "%s/%s", cfg->access_key_id, buf_cstr(&ctx->scope));
	if (credential.failed)
		return false;
	const char *const pairs[][2] = {
	    {"X-Amz-Algorithm", ALGORITHM},
	    {"X-Amz-Credential", buf_cstr(&credential)},
	    {"X-Amz-Date", ctx->time.amz_date},
	    {"X-Amz-SignedHeaders", buf_cstr(&ctx->signed_headers)},
	    {"X-Amz-Expires", ctx->expires},
	    {"X-Amz-Security-Token", with_token ? cfg->session_token : NULL},
	};
	bool ok = true;
	for (size_t i = 0; ok && i < COUNT(pairs); i++) {
		if (!pairs[i][1])
			continue;
		ok = params_add(qp, pairs[i][0], strlen(pairs[i][0]), pairs[i][1],
		                strlen(pairs[i][1]), false);
	}
	buf_free(&credential);
	return ok;
}

/* ---- the stages ----------------------------------------------------------------------- */

static void add_canonical_headers(const sign_ctx *ctx, buf *out)
{
	for (size_t i = 0; i < ctx->header_count; i++) {
		const canon_header *h = &ctx->headers[i];
		bool continues = i > 0 && strcmp(h->name, ctx->headers[i - 1].name) == 0;
		if (continues) {
			buf_addc(out, ',');
		} else {
			if (i > 0)
				buf_addc(out, '\n');
			buf_adds(out, h->name);
			buf_addc(out, ':');
		}
		sigv4_trim_header_value(out, h->value);
	}
	if (ctx->header_count)
		buf_addc(out, '\n');
}

static bool build_canonical_request(const sigv4_config *cfg, const sigv4_request *req,
                                    const sign_ctx *ctx, buf *out, lms_error *err)
{
	buf_adds(out, req->method);
	buf_addc(out, '\n');
	if (!sigv4_canonical_path(req->path, cfg->normalize_path, cfg->single_encode_path, out))
		return out_of_memory(err);
	buf_addc(out, '\n');

	query_params qp = {0};
	bool ok = params_parse(&qp, req->query, ctx->form == SIGV4_FORM_QUERY, err);
	if (ok && ctx->form == SIGV4_FORM_QUERY && !presign_params(cfg, ctx, ctx->sign_token, &qp))
		ok = out_of_memory(err);
	if (ok && !params_write(&qp, out))
		ok = out_of_memory(err);
	params_free(&qp);
	if (!ok)
		return false;
	buf_addc(out, '\n');

	add_canonical_headers(ctx, out);
	buf_addc(out, '\n');
	buf_adds(out, buf_cstr(&ctx->signed_headers));
	buf_addc(out, '\n');
	buf_adds(out, buf_cstr(&ctx->payload_hash));
	if (out->failed)
		return out_of_memory(err);
	return true;
}

bool sigv4_canonical_request(const sigv4_config *cfg, const sigv4_request *req, sigv4_form form,
                             buf *out, lms_error *err)
{
	sign_ctx ctx;
	bool ok = ctx_init(cfg, req, form, &ctx, err) &&
	          build_canonical_request(cfg, req, &ctx, out, err);
	ctx_free(&ctx);
	return ok;
}

bool sigv4_string_to_sign(const sigv4_config *cfg, const char *canonical_request, size_t len,
                          buf *out, lms_error *err)
{
	amz_time t;
	if (!check_config(cfg, err) || !format_time(cfg->timestamp, &t, err))
		return false;
	buf_addf(out, ALGORITHM "\n%s\n%s/%s/%s/aws4_request\n", t.amz_date, t.date, cfg->region,
	         cfg->service);
	if (!sha256_hex(out, canonical_request, len))
		return out_of_memory(err);
	return true;
}

bool sigv4_signature(const sigv4_config *cfg, const char *string_to_sign, size_t len, buf *out,
                     lms_error *err)
{
	amz_time t;
	if (!check_config(cfg, err) || !format_time(cfg->timestamp, &t, err))
		return false;

	/* kSecret = "AWS4" + secret; kDate = HMAC(kSecret, date); kRegion, kService and
	 * kSigning follow; the signature is HMAC(kSigning, string to sign). */
	size_t secret_len = strlen(cfg->secret_access_key);
	size_t k_secret_len = 4 + secret_len;
	unsigned char *k_secret = malloc(k_secret_len);
	if (!k_secret)
		return out_of_memory(err);
	/* a key of bytes, not a C string: no terminator */
	// NOLINTNEXTLINE(bugprone-not-null-terminated-result)
	memcpy(k_secret, "AWS4", 4);
	memcpy(k_secret + 4, cfg->secret_access_key, secret_len);

	unsigned char k_date[SHA256_LEN], k_region[SHA256_LEN], k_service[SHA256_LEN];
	unsigned char k_signing[SHA256_LEN], signature[SHA256_LEN];
	bool ok =
	    hmac_sha256(k_secret, k_secret_len, t.date, strlen(t.date), k_date) &&
	    hmac_sha256(k_date, SHA256_LEN, cfg->region, strlen(cfg->region), k_region) &&
	    hmac_sha256(k_region, SHA256_LEN, cfg->service, strlen(cfg->service), k_service) &&
	    hmac_sha256(k_service, SHA256_LEN, "aws4_request", 12, k_signing) &&
	    hmac_sha256(k_signing, SHA256_LEN, string_to_sign, len, signature);

	OPENSSL_cleanse(k_secret, k_secret_len);
	free(k_secret);
	OPENSSL_cleanse(k_date, sizeof k_date);
	OPENSSL_cleanse(k_region, sizeof k_region);
	OPENSSL_cleanse(k_service, sizeof k_service);
	OPENSSL_cleanse(k_signing, sizeof k_signing);

	if (!ok) {
		lms_error_set(err, NULL, 0, 0, "HMAC-SHA256 failed (OpenSSL)");
		return false;
	}
	add_hex(out, signature, sizeof signature);
	if (out->failed)
		return out_of_memory(err);
	return true;
}

/* Runs the three stages; `signature` receives the hex signature. */
static bool sign_all(const sigv4_config *cfg, const sigv4_request *req, const sign_ctx *ctx,
                     buf *signature, lms_error *err)
{
	buf creq, sts;
	buf_init(&creq, 0);
	buf_init(&sts, 0);
	bool ok = build_canonical_request(cfg, req, ctx, &creq, err) &&
	          sigv4_string_to_sign(cfg, buf_cstr(&creq), creq.len, &sts, err) &&
	          sigv4_signature(cfg, buf_cstr(&sts), sts.len, signature, err);
	buf_wipe(&creq); /* holds the session token */
	buf_free(&sts);
	return ok;
}

void sigv4_added_headers_init(sigv4_added_headers *h)
{
	h->count = 0;
	for (size_t i = 0; i < SIGV4_MAX_ADDED_HEADERS; i++) {
		h->names[i] = NULL;
		buf_init(&h->values[i], 0);
	}
}

void sigv4_added_headers_free(sigv4_added_headers *h)
{
	for (size_t i = 0; i < SIGV4_MAX_ADDED_HEADERS; i++) {
		buf_wipe(&h->values[i]);
		buf_init(&h->values[i], 0);
		h->names[i] = NULL;
	}
	h->count = 0;
}

static buf *added(sigv4_added_headers *h, const char *name)
{
	h->names[h->count] = name;
	return &h->values[h->count++];
}

bool sigv4_sign_headers(const sigv4_config *cfg, const sigv4_request *req, sigv4_added_headers *out,
                        lms_error *err)
{
	sigv4_added_headers_free(out);
	sign_ctx ctx;
	buf signature;
	buf_init(&signature, 0);
	bool ok = ctx_init(cfg, req, SIGV4_FORM_HEADER, &ctx, err) &&
	          sign_all(cfg, req, &ctx, &signature, err);
	if (ok) {
		buf_adds(added(out, "X-Amz-Date"), ctx.time.amz_date);
		if (has_token(cfg))
			buf_adds(added(out, "X-Amz-Security-Token"), cfg->session_token);
		if (cfg->sign_body)
			buf_adds(added(out, "x-amz-content-sha256"), buf_cstr(&ctx.payload_hash));
		buf_addf(added(out, "Authorization"),
		         ALGORITHM " Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		         cfg->access_key_id, buf_cstr(&ctx.scope), buf_cstr(&ctx.signed_headers),
		         buf_cstr(&signature));
		for (size_t i = 0; i < out->count; i++)
			if (out->values[i].failed)
				ok = out_of_memory(err);
		if (!ok)
			sigv4_added_headers_free(out);
	}
	buf_free(&signature);
	ctx_free(&ctx);
	return ok;
}

bool sigv4_presign_query(const sigv4_config *cfg, const sigv4_request *req, buf *out,
                         lms_error *err)
{
	sign_ctx ctx;
	buf signature;
	buf_init(&signature, 0);
	bool ok = ctx_init(cfg, req, SIGV4_FORM_QUERY, &ctx, err) &&
	          sign_all(cfg, req, &ctx, &signature, err);
	if (ok) {
		/* The URL keeps the caller's own parameters as given and appends ours unsorted;
		 * only the canonical request needs them sorted. */
		query_params qp = {0};
		ok = presign_params(cfg, &ctx, has_token(cfg), &qp);
		if (req->query && req->query[0]) {
			buf_adds(out, req->query);
			buf_addc(out, '&');
		}
		for (size_t i = 0; ok && i < qp.count; i++)
			buf_addf(out, "%s=%s&", qp.items[i].name, qp.items[i].value);
		buf_addf(out, "X-Amz-Signature=%s", buf_cstr(&signature));
		params_free(&qp);
		if (!ok || out->failed)
			ok = out_of_memory(err);
	}
	buf_free(&signature);
	ctx_free(&ctx);
	return ok;
}

bool sigv4_trim_header_value(buf *out, const char *value)
{
	bool pending_space = false;
	bool started = false;
	for (const char *p = value; *p; p++) {
		char c = *p;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			pending_space = started;
			continue;
		}
		if (pending_space)
			buf_addc(out, ' ');
		pending_space = false;
		buf_addc(out, c);
		started = true;
	}
	return !out->failed;
}
