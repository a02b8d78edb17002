#define _GNU_SOURCE /* strcasestr, memmem */
#include "aws/http.h"

#include "common/vec.h"

#include "aws/curl_loader.h"
#include "aws/xml.h"
#include "common/lazy_crypto.h"
#include "common/term.h"

#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define LOG_BODY_LIMIT 4096
#define ERROR_BODY_PARSE_LIMIT ((size_t)1024 * 1024)

struct aws_client {
	CURL *curl;
	const credentials *creds;
	char *region;
	char *endpoint_url;                      /* NULL when none */
	credentials_endpoints *config_endpoints; /* the profile's config; NULL when none */
	char *ca_bundle;                         /* NULL: system store */
	long connect_timeout_ms, timeout_ms, backoff_unit_ms;
	int max_attempts;
	size_t max_response;
	FILE *debug;
	bool (*interrupted)(void *ctx);
	void *interrupt_ctx;
	void (*on_call)(void *ctx, const aws_call_record *rec);
	void *on_call_ctx;
	const credentials *(*refresh)(void *ctx, bool force, lms_error *err);
	void *refresh_ctx;
	long clock_offset;
	char **masked;
	size_t nmasked;
	char **masked_params; /* names of NoEcho parameters: their values in answers */
	size_t nmasked_params;
};

/* ---- small helpers ------------------------------------------------------------------------ */

static const char *env_value(const char *name)
{
	const char *v = getenv(name);
	return v && v[0] ? v : NULL;
}

static char *dup_or_null(const char *s)
{
	return s && s[0] ? strdup(s) : NULL;
}

static const char *service_title(const char *service)
{
	if (strcmp(service, "cloudformation") == 0)
		return "CloudFormation";
	if (strcmp(service, "s3") == 0)
		return "S3";
	if (strcmp(service, "sts") == 0)
		return "STS";
	return service;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double random_fraction(void)
{
	uint32_t r = 0;
	if (RAND_bytes((unsigned char *)&r, sizeof r) != 1)
		r = (uint32_t)now_ms() * 2654435761u; /* jitter still varies without the RNG */
	return (double)r / 4294967296.0;
}

/* ---- client -------------------------------------------------------------------------------- */

void aws_response_init(aws_response *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->body, 0);
}

void aws_response_free(aws_response *r)
{
	buf_free(&r->body);
	free(r->content_type);
	free(r->request_id);
	free(r->error_code);
	free(r->error_message);
	free(r->error_type);
	aws_response_init(r);
}

static void reset_response(aws_response *r, size_t max)
{
	int attempts = r->attempts;
	aws_response_free(r);
	buf_init(&r->body, max);
	r->attempts = attempts;
}

aws_client *aws_client_new(const aws_client_options *opts, const credentials *creds, lms_error *err)
{
	if (!opts || !opts->region || !opts->region[0]) {
		lms_error_set(err, NULL, 0, 0, "no AWS region given");
		return NULL;
	}
	const char *endpoint =
	    opts->endpoint_url && opts->endpoint_url[0] ? opts->endpoint_url : NULL;
	if (endpoint) {
		buf s, a, p;
		buf_init(&s, 0);
		buf_init(&a, 0);
		buf_init(&p, 0);
		bool ok = aws_endpoint_parse(endpoint, &s, &a, &p, err);
		buf_free(&s);
		buf_free(&a);
		buf_free(&p);
		if (!ok)
			return NULL;
	}
	const char *ca =
	    opts->ca_bundle && opts->ca_bundle[0] ? opts->ca_bundle : env_value("AWS_CA_BUNDLE");
	if (ca) {
		FILE *f = fopen(ca, "r");
		if (!f) {
			lms_error_set(err, NULL, 0, 0, "AWS_CA_BUNDLE %s: cannot read: %s", ca,
			              strerror(errno));
			return NULL;
		}
		fclose(f);
	}
	if (!lms_curl_load(err) || !lms_crypto_load(err))
		return NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		lms_error_set(err, NULL, 0, 0, "libcurl failed to start");
		return NULL;
	}
	aws_client *c = calloc(1, sizeof *c);
	if (!c) {
		curl_global_cleanup();
		lms_error_set(err, NULL, 0, 0, "out of memory");
		return NULL;
	}
	c->curl = curl_easy_init();
	c->region = strdup(opts->region);
	c->endpoint_url = dup_or_null(endpoint);
	c->ca_bundle = dup_or_null(ca);
	if (!c->curl || !c->region || (endpoint && !c->endpoint_url) || (ca && !c->ca_bundle)) {
		aws_client_free(c);
		lms_error_set(err, NULL, 0, 0, "out of memory");
		return NULL;
	}
	c->creds = creds;
	c->connect_timeout_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms
	                                                     : AWS_DEFAULT_CONNECT_TIMEOUT_MS;
	c->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : AWS_DEFAULT_TIMEOUT_MS;
	c->max_attempts = opts->max_attempts > 0 ? opts->max_attempts : AWS_DEFAULT_MAX_ATTEMPTS;
	c->backoff_unit_ms = opts->backoff_unit_ms > 0 ? opts->backoff_unit_ms : 1000;
	c->max_response =
	    opts->max_response_bytes ? opts->max_response_bytes : AWS_DEFAULT_MAX_RESPONSE;
	c->debug = opts->debug;
	c->interrupted = opts->interrupted;
	c->interrupt_ctx = opts->interrupt_ctx;
	c->on_call = opts->on_call;
	c->on_call_ctx = opts->on_call_ctx;
	c->refresh = opts->refresh;
	c->refresh_ctx = opts->refresh_ctx;
	if (!endpoint && credentials_endpoints_load(opts->profile, &c->config_endpoints, err) !=
	                     CREDENTIALS_OK) {
		aws_client_free(c);
		return NULL;
	}
	return c;
}

void aws_client_free(aws_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	curl_global_cleanup();
	for (size_t i = 0; i < c->nmasked; i++) {
		OPENSSL_cleanse(c->masked[i], strlen(c->masked[i]));
		free(c->masked[i]);
	}
	free(c->masked);
	for (size_t i = 0; i < c->nmasked_params; i++)
		free(c->masked_params[i]);
	free(c->masked_params);
	free(c->region);
	free(c->endpoint_url);
	credentials_endpoints_free(c->config_endpoints);
	free(c->ca_bundle);
	free(c);
}

void aws_client_set_credentials(aws_client *c, const credentials *creds)
{
	c->creds = creds;
}

const char *aws_client_region(const aws_client *c)
{
	return c->region;
}

long aws_client_clock_offset(const aws_client *c)
{
	return c->clock_offset;
}

time_t aws_client_now(const aws_client *c)
{
	return time(NULL) + c->clock_offset;
}

bool aws_client_mask(aws_client *c, const char *value)
{
	if (!value || !value[0])
		return true;
	if (!VEC_RESIZE(c->masked, c->nmasked + 1))
		return false;
	c->masked[c->nmasked] = strdup(value);
	if (!c->masked[c->nmasked])
		return false;
	c->nmasked++;
	return true;
}

bool aws_client_mask_parameter(aws_client *c, const char *name)
{
	if (!name || !name[0])
		return true;
	if (!VEC_RESIZE(c->masked_params, c->nmasked_params + 1))
		return false;
	c->masked_params[c->nmasked_params] = strdup(name);
	if (!c->masked_params[c->nmasked_params])
		return false;
	c->nmasked_params++;
	return true;
}

/* ---- endpoints ----------------------------------------------------------------------------- */

static bool host_is_loopback(const char *host, size_t len)
{
	if ((len == 9 && strncasecmp(host, "localhost", 9) == 0) ||
	    (len == 5 && memcmp(host, "[::1]", 5) == 0))
		return true;
	/* 127.0.0.0/8, a dotted quad only: four numbers of 0-255 (inet_pton's
	 * rule: no empty part, no leading zero, nothing after) */
	char text[INET_ADDRSTRLEN];
	if (len < 7 || len >= sizeof text || strncmp(host, "127.", 4) != 0)
		return false;
	memcpy(text, host, len);
	text[len] = '\0';
	struct in_addr a;
	return inet_pton(AF_INET, text, &a) == 1;
}

bool aws_endpoint_parse(const char *url, buf *scheme, buf *authority, buf *base_path,
                        lms_error *err)
{
	const char *sep = strstr(url, "://");
	if (!sep) {
		lms_error_set(err, NULL, 0, 0,
		              "endpoint URL \"%.200s\" has no scheme: write https://HOST[:PORT]",
		              url);
		return false;
	}
	size_t slen = (size_t)(sep - url);
	bool https = slen == 5 && strncasecmp(url, "https", 5) == 0;
	bool http = slen == 4 && strncasecmp(url, "http", 4) == 0;
	if (!https && !http) {
		lms_error_set(err, NULL, 0, 0,
		              "endpoint URL \"%.200s\": only https (or http on this machine) is "
		              "supported",
		              url);
		return false;
	}
	const char *auth = sep + 3;
	size_t alen = strcspn(auth, "/?#");
	const char *rest = auth + alen;
	if (alen == 0 || memchr(auth, '@', alen) || strpbrk(rest, "?#")) {
		lms_error_set(
		    err, NULL, 0, 0,
		    "endpoint URL \"%.200s\" must be SCHEME://HOST[:PORT][/PATH], without "
		    "user, query or fragment",
		    url);
		return false;
	}
	for (size_t i = 0; i < alen; i++)
		if (isspace((unsigned char)auth[i]) || (unsigned char)auth[i] < 0x20) {
			lms_error_set(err, NULL, 0, 0, "endpoint URL has a space in its host");
			return false;
		}
	/* the host without the port */
	size_t hlen = alen;
	if (auth[0] == '[') {
		const char *close = memchr(auth, ']', alen);
		hlen = close ? (size_t)(close - auth) + 1 : alen;
	} else {
		const char *colon = memchr(auth, ':', alen);
		if (colon)
			hlen = (size_t)(colon - auth);
	}
	if (http && !host_is_loopback(auth, hlen)) {
		lms_error_set(err, NULL, 0, 0,
		              "endpoint URL \"%.200s\": plain http is only allowed to this machine "
		              "(127.0.0.1, ::1, localhost); use https",
		              url);
		return false;
	}
	size_t plen = strlen(rest);
	while (plen > 0 && rest[plen - 1] == '/')
		plen--;
	buf_add(scheme, https ? "https" : "http", https ? 5 : 4);
	for (size_t i = 0; i < alen; i++)
		buf_addc(authority, (char)tolower((unsigned char)auth[i]));
	buf_add(base_path, rest, plen);
	if (scheme->failed || authority->failed || base_path->failed) {
		lms_error_set(err, NULL, 0, 0, "out of memory");
		return false;
	}
	return true;
}

static void service_env_name(const char *service, buf *out)
{
	buf_adds(out, "AWS_ENDPOINT_URL_");
	for (const char *p = service; *p; p++)
		buf_addc(out, *p == '-' || *p == ' ' ? '_' : (char)toupper((unsigned char)*p));
}

/* The configured endpoint for `service`, or NULL; `source` names where it came from. */
static const char *configured_endpoint(const char *service, const char *endpoint_url,
                                       const credentials_endpoints *config, buf *source)
{
	if (endpoint_url && endpoint_url[0]) {
		buf_adds(source, "--endpoint-url");
		return endpoint_url;
	}
	const char *ignore = env_value("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	if (ignore ? strcasecmp(ignore, "true") == 0 : credentials_endpoints_ignored(config))
		return NULL;
	buf name;
	buf_init(&name, 0);
	service_env_name(service, &name);
	const char *v = name.failed ? NULL : env_value(buf_cstr(&name));
	if (v)
		buf_adds(source, buf_cstr(&name));
	buf_free(&name);
	if (v)
		return v;
	v = env_value("AWS_ENDPOINT_URL");
	if (v) {
		buf_adds(source, "AWS_ENDPOINT_URL");
		return v;
	}
	return credentials_endpoint_for(config, service, source);
}

static bool endpoint_for(const char *service, const char *region, const char *endpoint_url,
                         const credentials_endpoints *config, buf *url, bool *custom,
                         lms_error *err)
{
	buf source;
	buf_init(&source, 0);
	const char *conf = configured_endpoint(service, endpoint_url, config, &source);
	*custom = conf != NULL;
	if (conf) {
		buf s, a, p;
		buf_init(&s, 0);
		buf_init(&a, 0);
		buf_init(&p, 0);
		lms_error inner = {0};
		bool ok = aws_endpoint_parse(conf, &s, &a, &p, &inner);
		if (ok)
			buf_addf(url, "%s://%s%s", buf_cstr(&s), buf_cstr(&a), buf_cstr(&p));
		else
			lms_error_set(err, NULL, 0, 0, "%s: %s", buf_cstr(&source),
			              inner.msg ? inner.msg : "bad endpoint");
		lms_error_clear(&inner);
		buf_free(&s);
		buf_free(&a);
		buf_free(&p);
		buf_free(&source);
		return ok && !url->failed;
	}
	buf_free(&source);
	const char *dns = strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
	/* the IAM Identity Center portal (GetRoleCredentials) answers on portal.sso */
	const char *host = strcmp(service, "sso") == 0 ? "portal.sso" : service;
	buf_addf(url, "https://%s.%s.%s", host, region, dns);
	return !url->failed;
}

bool aws_endpoint_for(const char *service, const char *region, const char *endpoint_url, buf *url,
                      bool *custom, lms_error *err)
{
	return endpoint_for(service, region, endpoint_url, NULL, url, custom, err);
}

const char *aws_client_endpoint_url(const aws_client *c, const char *service)
{
	buf source;
	buf_init(&source, 0);
	const char *url = configured_endpoint(service, c ? c->endpoint_url : NULL,
	                                      c ? c->config_endpoints : NULL, &source);
	buf_free(&source);
	return url;
}

bool aws_client_custom_endpoint(const aws_client *c, const char *service)
{
	buf source;
	buf_init(&source, 0);
	bool custom =
	    configured_endpoint(service, c->endpoint_url, c->config_endpoints, &source) != NULL;
	buf_free(&source);
	return custom;
}

bool aws_client_plain_http(const aws_client *c, const char *service)
{
	buf url;
	buf_init(&url, 0);
	bool custom = false;
	bool plain = endpoint_for(service, c->region, c->endpoint_url, c->config_endpoints, &url,
	                          &custom, NULL) &&
	             strncmp(buf_cstr(&url), "http://", 7) == 0;
	buf_free(&url);
	return plain;
}

/* ---- error classification ------------------------------------------------------------------- */

static bool in_list(const char *code, const char *const *list)
{
	if (!code)
		return false;
	for (; *list; list++)
		if (strcmp(code, *list) == 0)
			return true;
	return false;
}

bool aws_error_is_throttling(const char *code)
{
	static const char *const codes[] = {"Throttling",
	                                    "ThrottlingException",
	                                    "ThrottledException",
	                                    "RequestThrottledException",
	                                    "TooManyRequestsException",
	                                    "ProvisionedThroughputExceededException",
	                                    "TransactionInProgressException",
	                                    "RequestLimitExceeded",
	                                    "BandwidthLimitExceeded",
	                                    "LimitExceededException",
	                                    "RequestThrottled",
	                                    "SlowDown",
	                                    "PriorRequestNotComplete",
	                                    "EC2ThrottledException",
	                                    NULL};
	return in_list(code, codes);
}

bool aws_error_is_retryable(const char *code, long status)
{
	static const char *const transient[] = {"RequestTimeout",     "RequestTimeoutException",
	                                        "InternalError",      "InternalFailure",
	                                        "ServiceUnavailable", NULL};
	if (aws_error_is_throttling(code) || in_list(code, transient))
		return true;
	return status == 500 || status == 502 || status == 503 || status == 504;
}

bool aws_error_is_expired_token(const char *code)
{
	static const char *const codes[] = {"ExpiredToken", "ExpiredTokenException",
	                                    "TokenRefreshRequired", NULL};
	return in_list(code, codes);
}

bool aws_error_is_skew(const char *code)
{
	static const char *const codes[] = {"RequestTimeTooSkewed",
	                                    "RequestExpired",
	                                    "InvalidSignatureException",
	                                    "SignatureDoesNotMatch",
	                                    "AuthFailure",
	                                    "RequestInTheFuture",
	                                    NULL};
	return in_list(code, codes);
}

long aws_backoff_ms(int next_attempt, double fraction, long unit_ms)
{
	int exp = next_attempt - 1;
	long cap = AWS_MAX_BACKOFF_SECONDS;
	if (exp < 5 && (1L << exp) < cap)
		cap = 1L << exp;
	return (long)(fraction * (double)cap * (double)unit_ms);
}

/* ---- masking for the debug log -------------------------------------------------------------- */

bool aws_name_is_secret(const char *name, size_t len)
{
	/* the last dotted component of a form key ("Parameters.member.1.ParameterValue") */
	for (size_t i = len; i > 0; i--)
		if (name[i - 1] == '.') {
			name += i;
			len -= i;
			break;
		}
	static const char *const harmless[] = {"NextToken", "ClientRequestToken", "ClientToken",
	                                       "ContinuationToken", NULL};
	for (const char *const *h = harmless; *h; h++)
		if (strlen(*h) == len && strncmp(name, *h, len) == 0)
			return false;
	static const char *const words[] = {"password", "secret", "token", "authorization", NULL};
	for (const char *const *w = words; *w; w++) {
		size_t wl = strlen(*w);
		for (size_t i = 0; i + wl <= len; i++)
			if (strncasecmp(name + i, *w, wl) == 0)
				return true;
	}
	return false;
}

/* ---- masking registered values, in any encoding ------------------------------------------ */

/* One way to read the text at `t` as value bytes: `n` bytes in `b`, `used` bytes of text. */
typedef struct reading {
	unsigned char b[4];
	size_t n, used;
} reading;

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The number of hex digits at t (at most max), their value in *out. */
static size_t hex_run(const char *t, size_t len, size_t max, unsigned long *out)
{
	size_t i = 0;
	*out = 0;
	for (; i < len && i < max && hex_digit(t[i]) >= 0; i++)
		*out = *out * 16 + (unsigned long)hex_digit(t[i]);
	return i;
}

static size_t utf8_put(unsigned long cp, unsigned char *b)
{
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (unsigned char)(0xC0 | (cp >> 6));
		b[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (unsigned char)(0xE0 | (cp >> 12));
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cp > 0x10FFFF)
		return 0;
	b[0] = (unsigned char)(0xF0 | (cp >> 18));
	b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	b[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* JSON's \uXXXX, with a surrogate pair read as one character. */
static bool json_unicode(const char *t, size_t len, reading *r)
{
	unsigned long cp, lo;
	if (len < 6 || t[1] != 'u' || hex_run(t + 2, len - 2, 4, &cp) != 4)
		return false;
	r->used = 6;
	if (cp >= 0xD800 && cp <= 0xDBFF && len >= 12 && t[6] == '\\' && t[7] == 'u' &&
	    hex_run(t + 8, len - 8, 4, &lo) == 4 && lo >= 0xDC00 && lo <= 0xDFFF) {
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		r->used = 12;
	}
	r->n = utf8_put(cp, r->b);
	return r->n > 0;
}

/* JSON escapes: \" \\ \/ \b \f \n \r \t \uXXXX. */
static bool json_escape(const char *t, size_t len, reading *r)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	if (len < 2 || t[0] != '\\')
		return false;
	const char *k = strchr(from, t[1]);
	if (k && t[1]) {
		*r = (reading){.b = {(unsigned char)to[k - from]}, .n = 1, .used = 2};
		return true;
	}
	return json_unicode(t, len, r);
}

/* XML's named entities and character references. */
static bool xml_entity(const char *t, size_t len, reading *r)
{
	static const struct {
		const char *name;
		char ch;
	} named[] = {
	    {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
	if (len < 3 || t[0] != '&')
		return false;
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
		size_t nl = strlen(named[i].name);
		if (nl <= len && memcmp(t, named[i].name, nl) == 0) {
			*r = (reading){.b = {(unsigned char)named[i].ch}, .n = 1, .used = nl};
			return true;
		}
	}
	if (t[1] != '#')
		return false;
	unsigned long cp = 0;
	size_t d = 0;
	if (t[2] == 'x' || t[2] == 'X') {
		d = hex_run(t + 3, len - 3, 6, &cp) + 1;
	} else {
		for (; 2 + d < len && d < 7 && isdigit((unsigned char)t[2 + d]); d++)
			cp = cp * 10 + (unsigned long)(t[2 + d] - '0');
	}
	if (d == 0 || (d == 1 && (t[2] == 'x' || t[2] == 'X')) || 2 + d >= len || t[2 + d] != ';')
		return false;
	r->used = 3 + d;
	r->n = utf8_put(cp, r->b);
	return r->n > 0;
}

/* The readings of the text at t: as a percent escape, a form's '+', a JSON escape or an
 * XML entity, and as it is. */
static size_t readings(const char *t, size_t len, reading out[3])
{
	size_t n = 0;
	unsigned long byte;
	if (t[0] == '+')
		out[n++] = (reading){.b = {' '}, .n = 1, .used = 1};
	else if (t[0] == '%' && len >= 3 && hex_run(t + 1, len - 1, 2, &byte) == 2)
		out[n++] = (reading){.b = {(unsigned char)byte}, .n = 1, .used = 3};
	else if (json_escape(t, len, &out[n]) || xml_entity(t, len, &out[n]))
		n++;
	/* as it is, last: an escape that reads as the value is the longer match */
	out[n++] = (reading){.b = {(unsigned char)t[0]}, .n = 1, .used = 1};
	return n;
}

/* Length of the text at t that reads as v[0..vlen) in some mix of the encodings above;
 * 0 when none does (or the search grows past *budget steps). */
static size_t match_encoded(const char *t, size_t len, const unsigned char *v, size_t vlen,
                            long *budget)
{
	if (vlen == 0)
		return 0;
	if (len == 0 || --*budget < 0)
		return 0;
	reading r[3];
	size_t n = readings(t, len, r);
	for (size_t k = 0; k < n; k++) {
		if (r[k].n > vlen || memcmp(r[k].b, v, r[k].n) != 0)
			continue;
		if (r[k].n == vlen)
			return r[k].used;
		size_t rest = match_encoded(t + r[k].used, len - r[k].used, v + r[k].n,
		                            vlen - r[k].n, budget);
		if (rest)
			return r[k].used + rest;
	}
	return 0;
}

/* Appends text[0..len) with the registered values replaced, in whatever encoding they
 * stand: raw, percent-encoded, form-encoded, JSON-escaped or XML-escaped. */
void aws_mask_values(buf *out, const char *text, size_t len, const char *const *masked,
                     size_t nmasked)
{
	size_t i = 0;
	while (i < len) {
		size_t hit = 0;
		for (size_t k = 0; k < nmasked && !hit; k++) {
			size_t ml = strlen(masked[k]);
			long budget = 64 * (long)ml + 64;
			if (ml)
				hit = match_encoded(text + i, len - i,
				                    (const unsigned char *)masked[k], ml, &budget);
		}
		if (hit) {
			buf_adds(out, "****");
			i += hit;
		} else {
			buf_addc(out, text[i]);
			i++;
		}
	}
}

static bool looks_like_form(const char *text, size_t len)
{
	if (len == 0 || memchr(text, '<', len) || memchr(text, '{', len) || memchr(text, '\n', len))
		return false;
	return memchr(text, '=', len) != NULL;
}

static void mask_form(const char *text, size_t len, buf *out)
{
	size_t i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && text[end] != '&')
			end++;
		const char *eq = memchr(text + i, '=', end - i);
		if (eq && aws_name_is_secret(text + i, (size_t)(eq - (text + i)))) {
			buf_add(out, text + i, (size_t)(eq - (text + i)) + 1);
			buf_adds(out, "****");
		} else {
			buf_add(out, text + i, end - i);
		}
		if (end < len)
			buf_addc(out, '&');
		i = end + 1;
	}
}

/* XML: <Name>content</Name> with a secret-sounding Name; JSON: "Name": "value". */
static void mask_markup(const char *text, size_t len, buf *out)
{
	size_t i = 0;
	while (i < len) {
		char ch = text[i];
		if (ch == '<' && i + 1 < len && text[i + 1] != '/' && text[i + 1] != '?' &&
		    text[i + 1] != '!') {
			size_t ns = i + 1, ne = ns;
			while (ne < len && text[ne] != '>' && text[ne] != ' ' && text[ne] != '/')
				ne++;
			size_t gt = ne;
			while (gt < len && text[gt] != '>')
				gt++;
			if (gt < len && text[gt - 1] != '/' &&
			    aws_name_is_secret(text + ns, ne - ns)) {
				buf_add(out, text + i, gt + 1 - i);
				size_t close = gt + 1;
				bool content = false;
				for (; close < len && text[close] != '<'; close++)
					if (!isspace((unsigned char)text[close]))
						content = true;
				if (content) {
					buf_adds(out, "****");
					i = close;
				} else {
					i = gt + 1;
				}
				continue;
			}
			buf_add(out, text + i, gt < len ? gt + 1 - i : len - i);
			i = gt < len ? gt + 1 : len;
			continue;
		}
		if (ch == '"') {
			size_t ke = i + 1;
			while (ke < len && text[ke] != '"')
				ke++;
			size_t after = ke + 1;
			while (after < len && (text[after] == ' ' || text[after] == '\t'))
				after++;
			if (ke < len && after < len && text[after] == ':' &&
			    aws_name_is_secret(text + i + 1, ke - i - 1)) {
				size_t vs = after + 1;
				while (vs < len && (text[vs] == ' ' || text[vs] == '\t'))
					vs++;
				if (vs < len && text[vs] == '"') {
					size_t ve = vs + 1;
					while (ve < len && text[ve] != '"')
						ve += text[ve] == '\\' && ve + 1 < len ? 2 : 1;
					buf_add(out, text + i, vs + 1 - i);
					buf_adds(out, "****\"");
					i = ve < len ? ve + 1 : len;
					continue;
				}
			}
			buf_add(out, text + i, ke < len ? ke + 1 - i : len - i);
			i = ke < len ? ke + 1 : len;
			continue;
		}
		buf_addc(out, ch);
		i++;
	}
}

/* Position of `needle` in text[from..to), or `to`. */
static size_t find_in(const char *text, size_t from, size_t to, const char *needle)
{
	size_t nl = strlen(needle);
	for (size_t i = from; i + nl <= to; i++)
		if (memcmp(text + i, needle, nl) == 0)
			return i;
	return to;
}

/* Whether the member text[from..to) names one of the parameters as its ParameterKey. */
static bool member_names(const char *text, size_t from, size_t to, const char *const *names,
                         size_t n)
{
	static const char open[] = "<ParameterKey>", close[] = "</ParameterKey>";
	size_t k = find_in(text, from, to, open);
	if (k == to)
		return false;
	k += strlen(open);
	size_t e = find_in(text, k, to, close);
	for (size_t i = 0; e < to && i < n; i++)
		if (strlen(names[i]) == e - k && memcmp(text + k, names[i], e - k) == 0)
			return true;
	return false;
}

void aws_mask_parameters(buf *out, const char *text, size_t len, const char *const *names, size_t n)
{
	static const char open[] = "<ParameterValue>", close[] = "</ParameterValue>";
	size_t i = 0;
	while (i < len) {
		size_t v = n ? find_in(text, i, len, open) : len;
		if (v == len) {
			buf_add(out, text + i, len - i);
			break;
		}
		size_t content = v + strlen(open);
		size_t end = find_in(text, content, len, close);
		/* the member around it: from the last <member> before to the next </member> */
		size_t from = 0;
		for (size_t j = v; j >= 8; j--)
			if (memcmp(text + j - 8, "<member>", 8) == 0) {
				from = j - 8;
				break;
			}
		size_t to = find_in(text, content, len, "</member>");
		buf_add(out, text + i, content - i);
		if (end < len && member_names(text, from, to, names, n)) {
			buf_adds(out, "****");
			i = end;
		} else {
			i = content;
		}
	}
}

void aws_mask_for_log(const char *text, size_t len, const char *const *masked, size_t nmasked,
                      size_t limit, buf *out)
{
	buf stage;
	buf_init(&stage, 0);
	aws_mask_values(&stage, text, len, masked, nmasked);
	buf shaped;
	buf_init(&shaped, 0);
	if (looks_like_form(stage.data ? stage.data : "", stage.len))
		mask_form(buf_cstr(&stage), stage.len, &shaped);
	else
		mask_markup(buf_cstr(&stage), stage.len, &shaped);
	size_t n = shaped.len;
	if (limit && n > limit) {
		/* never cut inside a "****" or a UTF-8 sequence: cut back to a plain ASCII byte */
		size_t cut = limit;
		while (cut > 0 && ((unsigned char)shaped.data[cut] & 0xC0) == 0x80)
			cut--;
		buf_add(out, shaped.data, cut);
		buf_addf(out, "... (%zu more bytes)", n - cut);
	} else {
		buf_add(out, shaped.data ? shaped.data : "", n);
	}
	buf_free(&shaped);
	buf_free(&stage);
}

/* ---- one attempt ---------------------------------------------------------------------------- */

typedef struct transfer {
	aws_client *c;
	aws_response *resp;
	bool too_large;
} transfer;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	transfer *t = ud;
	size_t n = size * nmemb;
	if (!buf_add(&t->resp->body, ptr, n)) {
		t->too_large = true;
		return 0;
	}
	return n;
}

static char *header_value(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name);
	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return NULL;
	size_t s = nl + 1, e = len;
	while (s < e && (line[s] == ' ' || line[s] == '\t'))
		s++;
	while (e > s && (line[e - 1] == '\r' || line[e - 1] == '\n' || line[e - 1] == ' ' ||
	                 line[e - 1] == '\t'))
		e--;
	return strndup(line + s, e - s);
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
	transfer *t = ud;
	size_t n = size * nmemb;
	char *v;
	if (n > 5 && strncmp(ptr, "HTTP/", 5) == 0) {
		/* a new response (after 100 Continue): forget the previous one's headers */
		free(t->resp->request_id);
		free(t->resp->content_type);
		free(t->resp->error_type);
		t->resp->request_id = NULL;
		t->resp->content_type = NULL;
		t->resp->error_type = NULL;
		t->resp->server_date = 0;
		return n;
	}
	if ((v = header_value(ptr, n, "x-amzn-RequestId")) ||
	    (v = header_value(ptr, n, "x-amz-request-id"))) {
		free(t->resp->request_id);
		t->resp->request_id = v;
	} else if ((v = header_value(ptr, n, "x-amzn-ErrorType"))) {
		free(t->resp->error_type);
		t->resp->error_type = v;
	} else if ((v = header_value(ptr, n, "Content-Type"))) {
		free(t->resp->content_type);
		t->resp->content_type = v;
	} else if ((v = header_value(ptr, n, "Date"))) {
		time_t d = curl_getdate(v, NULL);
		t->resp->server_date = d > 0 ? d : 0;
		free(v);
	}
	return n;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	transfer *t = ud;
	if (t->c->interrupted && t->c->interrupted(t->c->interrupt_ctx)) {
		t->resp->interrupted = true;
		return 1;
	}
	return 0;
}

typedef struct target {
	buf url;  /* full URL sent */
	buf host; /* Host header */
	buf path; /* path as sent (for signing) */
	bool custom;
} target;

static void target_free(target *t)
{
	buf_free(&t->url);
	buf_free(&t->host);
	buf_free(&t->path);
}

static bool build_target(aws_client *c, const aws_request *req, target *t, lms_error *err)
{
	buf_init(&t->url, 0);
	buf_init(&t->host, 0);
	buf_init(&t->path, 0);
	buf endpoint;
	buf_init(&endpoint, 0);
	bool ok = endpoint_for(req->service, c->region, c->endpoint_url, c->config_endpoints,
	                       &endpoint, &t->custom, err);
	buf scheme, authority, base;
	buf_init(&scheme, 0);
	buf_init(&authority, 0);
	buf_init(&base, 0);
	if (ok)
		ok = aws_endpoint_parse(buf_cstr(&endpoint), &scheme, &authority, &base, err);
	if (ok) {
		const char *path = req->path && req->path[0] ? req->path : "/";
		if (req->bucket && !t->custom) {
			buf_addf(&t->host, "%s.%s", req->bucket, buf_cstr(&authority));
			buf_addf(&t->path, "%s%s", buf_cstr(&base), path);
		} else if (req->bucket) {
			buf_adds(&t->host, buf_cstr(&authority));
			buf_addf(&t->path, "%s/%s%s", buf_cstr(&base), req->bucket,
			         strcmp(path, "/") == 0 ? "" : path);
		} else {
			buf_adds(&t->host, buf_cstr(&authority));
			buf_addf(&t->path, "%s%s", buf_cstr(&base), path);
		}
		buf_addf(&t->url, "%s://%s%s", buf_cstr(&scheme), buf_cstr(&t->host),
		         buf_cstr(&t->path));
		if (req->query && req->query[0])
			buf_addf(&t->url, "?%s", req->query);
		if (t->url.failed || t->host.failed || t->path.failed) {
			lms_error_set(err, NULL, 0, 0, "out of memory");
			ok = false;
		}
	}
	buf_free(&endpoint);
	buf_free(&scheme);
	buf_free(&authority);
	buf_free(&base);
	return ok;
}

static void log_line(aws_client *c, const char *prefix, const char *text)
{
	if (c->debug)
		term_printf(c->debug, "[debug] %s %s\n", prefix, text);
}

static void log_masked(aws_client *c, const char *prefix, const char *text, size_t len)
{
	if (!c->debug)
		return;
	buf named, out;
	buf_init(&named, 0);
	buf_init(&out, 0);
	aws_mask_parameters(&named, text, len, (const char *const *)c->masked_params,
	                    c->nmasked_params);
	aws_mask_for_log(buf_cstr(&named), named.len, (const char *const *)c->masked, c->nmasked,
	                 LOG_BODY_LIMIT, &out);
	buf_free(&named);
	term_printf(c->debug, "[debug] %s %s\n", prefix, buf_cstr(&out));
	buf_free(&out);
}

/* "AWS4-HMAC-SHA256 Credential=AKIA.../scope, SignedHeaders=..., Signature=..." with the key
 * id and the signature masked. */
static void log_authorization(aws_client *c, const char *value)
{
	if (!c->debug)
		return;
	buf out;
	buf_init(&out, 0);
	const char *cred = strstr(value, "Credential=");
	const char *slash = cred ? strchr(cred, '/') : NULL;
	const char *sig = strstr(value, "Signature=");
	if (cred && slash && sig && slash < sig) {
		buf_add(&out, value, (size_t)(cred - value) + strlen("Credential="));
		buf_adds(&out, "****");
		buf_add(&out, slash, (size_t)(sig - slash) + strlen("Signature="));
		buf_adds(&out, "****");
	} else {
		buf_adds(&out, "****");
	}
	term_printf(c->debug, "[debug] > Authorization: %s\n", buf_cstr(&out));
	buf_free(&out);
}

typedef struct header_list {
	struct curl_slist *list;
	bool failed;
} header_list;

static void header_add(header_list *h, const char *name, const char *value)
{
	buf line;
	buf_init(&line, 0);
	buf_addf(&line, "%s: %s", name, value);
	struct curl_slist *n = line.failed ? NULL : curl_slist_append(h->list, buf_cstr(&line));
	OPENSSL_cleanse(line.data, line.len);
	buf_free(&line);
	if (!n)
		h->failed = true;
	else
		h->list = n;
}

static void apply_options(aws_client *c, const aws_request *req, const target *t, transfer *tr,
                          struct curl_slist *headers)
{
	CURL *h = c->curl;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, buf_cstr(&t->url));
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_bundle)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_bundle);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "lmsctl/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, tr);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, tr);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, tr);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	const char *m = req->method ? req->method : "GET";
	if (strcmp(m, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (strcmp(m, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
		if (strcmp(m, "DELETE") == 0 && req->body_len == 0)
			return;
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	}
}

typedef enum attempt_result {
	ATTEMPT_ANSWERED,  /* an HTTP answer arrived (any status) */
	ATTEMPT_RETRYABLE, /* the connection failed in a way worth another try */
	ATTEMPT_FATAL,     /* report now */
} attempt_result;

static bool curl_error_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

static attempt_result attempt(aws_client *c, const aws_request *req, const target *t,
                              aws_response *resp, buf *transport_error)
{
	const credentials *cr = c->creds;
	bool s3 = strcmp(req->service, "s3") == 0;
	sigv4_header hdrs[AWS_MAX_REQUEST_HEADERS + 1];
	size_t nh = 0;
	if (req->nheaders > AWS_MAX_REQUEST_HEADERS) {
		buf_adds(transport_error, "too many request headers");
		return ATTEMPT_FATAL;
	}
	hdrs[nh++] = (sigv4_header){"Host", buf_cstr(&t->host)};
	bool has_type = false;
	for (size_t i = 0; i < req->nheaders; i++) {
		hdrs[nh++] = req->headers[i];
		has_type = has_type || strcasecmp(req->headers[i].name, "Content-Type") == 0;
	}
	header_list hl = {0};
	for (size_t i = 0; i < nh; i++)
		header_add(&hl, hdrs[i].name, hdrs[i].value);
	/* curl adds these on its own unless told not to; none of them is signed. "Name:" with
	 * nothing after it removes the header. */
	header_add(&hl, "Expect", "");
	if (!has_type)
		header_add(&hl, "Content-Type", "");

	sigv4_added_headers added;
	sigv4_added_headers_init(&added);
	if (cr) {
		sigv4_config cfg = {
		    .access_key_id = cr->access_key_id,
		    .secret_access_key = cr->secret_access_key,
		    .session_token = cr->session_token,
		    .region = c->region,
		    .service = req->service,
		    .timestamp = aws_client_now(c),
		    .normalize_path = !s3,
		    .single_encode_path = s3,
		    .sign_body = s3,
		};
		sigv4_request sreq = {
		    .method = req->method,
		    .path = buf_cstr(&t->path),
		    .query = req->query,
		    .headers = hdrs,
		    .header_count = nh,
		    .body = req->body,
		    .body_len = req->body_len,
		};
		lms_error serr = {0};
		if (!sigv4_sign_headers(&cfg, &sreq, &added, &serr)) {
			buf_addf(transport_error, "cannot sign the request: %s",
			         serr.msg ? serr.msg : "error");
			lms_error_clear(&serr);
			sigv4_added_headers_free(&added);
			curl_slist_free_all(hl.list);
			return ATTEMPT_FATAL;
		}
		for (size_t i = 0; i < added.count; i++)
			header_add(&hl, added.names[i], buf_cstr(&added.values[i]));
	}
	if (hl.failed) {
		sigv4_added_headers_free(&added);
		curl_slist_free_all(hl.list);
		buf_adds(transport_error, "out of memory");
		return ATTEMPT_FATAL;
	}

	if (c->debug) {
		term_printf(c->debug, "[debug] > %s %s (%s %s, attempt %d)\n",
		            req->method ? req->method : "GET", buf_cstr(&t->url),
		            service_title(req->service), req->operation ? req->operation : "",
		            resp->attempts);
		for (size_t i = 0; i < nh; i++) /* a bearer token (SSO) is a secret */
			term_printf(c->debug, "[debug] > %s: %s\n", hdrs[i].name,
			            strcasestr(hdrs[i].name, "token") ? "****" : hdrs[i].value);
		for (size_t i = 0; i < added.count; i++) {
			if (strcasecmp(added.names[i], "Authorization") == 0)
				log_authorization(c, buf_cstr(&added.values[i]));
			else if (strcasecmp(added.names[i], "X-Amz-Security-Token") == 0)
				log_line(c, ">", "X-Amz-Security-Token: ****");
			else
				term_printf(c->debug, "[debug] > %s: %s\n", added.names[i],
				            buf_cstr(&added.values[i]));
		}
		if (req->log_body && req->log_body_len)
			log_masked(c, "> body:", req->log_body, req->log_body_len);
		else if (req->body_len && !req->log_body)
			log_masked(c, "> body:", req->body, req->body_len);
	}
	sigv4_added_headers_free(&added);

	transfer tr = {.c = c, .resp = resp};
	apply_options(c, req, t, &tr, hl.list);
	long long t0 = now_ms();
	CURLcode rc = curl_easy_perform(c->curl);
	long long elapsed = now_ms() - t0;
	curl_slist_free_all(hl.list);
	/* the handle must not keep pointers to freed headers */
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);

	if (rc != CURLE_OK) {
		if (resp->interrupted) {
			buf_adds(transport_error, "interrupted");
			return ATTEMPT_FATAL;
		}
		if (tr.too_large) {
			buf_addf(transport_error, "the answer is larger than %zu bytes",
			         c->max_response);
			return ATTEMPT_FATAL;
		}
		if (rc == CURLE_OPERATION_TIMEDOUT) {
			resp->timed_out = true;
			buf_addf(transport_error, "no answer from %s within %ld s",
			         buf_cstr(&t->host), (c->timeout_ms + 999) / 1000);
		} else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
			buf_addf(transport_error,
			         "the TLS certificate of %s cannot be verified (%s); behind a TLS "
			         "inspecting proxy, point AWS_CA_BUNDLE at its CA",
			         buf_cstr(&t->host), curl_easy_strerror(rc));
		} else {
			buf_addf(transport_error, "cannot reach %s: %s", buf_cstr(&t->host),
			         curl_easy_strerror(rc));
		}
		log_line(c, "<", buf_cstr(transport_error));
		return curl_error_retryable(rc) ? ATTEMPT_RETRYABLE : ATTEMPT_FATAL;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	if (c->debug) {
		term_printf(c->debug, "[debug] < HTTP %ld in %lld ms, %zu bytes, request id %s\n",
		            resp->status, elapsed, resp->body.len,
		            resp->request_id ? resp->request_id : "-");
		if (resp->body.len)
			log_masked(c, "< body:", buf_cstr(&resp->body), resp->body.len);
	}
	return ATTEMPT_ANSWERED;
}

/* ---- error bodies --------------------------------------------------------------------------- */

/* A JSON error: the code from __type or code (else from the x-amzn-ErrorType header, as
 * REST JSON services such as the IAM Identity Center portal send it), and the message. */
static void json_error(const char *body, size_t len, const char *header_type, buf *code,
                       buf *message)
{
	json_error_t je;
	json_t *root = json_loadb(body, len, 0, &je);
	if (!json_is_object(root)) {
		json_decref(root);
		return;
	}
	const char *c = json_string_value(json_object_get(root, "__type"));
	if (!c)
		c = json_string_value(json_object_get(root, "code"));
	if (!c)
		c = json_string_value(json_object_get(root, "Code"));
	if (!c)
		c = header_type;
	const char *m = json_string_value(json_object_get(root, "message"));
	if (!m)
		m = json_string_value(json_object_get(root, "Message"));
	if (c) {
		/* "com.amazon.coral.service#ExpiredTokenException" or "Code:http://..." */
		const char *hash = strrchr(c, '#');
		if (hash)
			c = hash + 1;
		buf_add(code, c, strcspn(c, ":"));
		if (m)
			buf_adds(message, m);
	}
	json_decref(root);
}

/* The <title> of an HTML page, or its first words, for the message. */
static void html_summary(const char *body, size_t len, buf *out)
{
	const char *t = len ? strcasestr(body, "<title>") : NULL;
	const char *s = body;
	size_t n = len;
	if (t) {
		s = t + 7;
		const char *e = strcasestr(s, "</title>");
		n = e ? (size_t)(e - s) : 0;
	}
	bool in_tag = false, space = false;
	size_t added = 0;
	for (size_t i = 0; i < n && added < 160; i++) {
		char ch = s[i];
		if (ch == '<')
			in_tag = true;
		else if (ch == '>')
			in_tag = false;
		else if (!in_tag) {
			if (isspace((unsigned char)ch) || (unsigned char)ch < 0x20) {
				space = added > 0;
				continue;
			}
			if (space)
				buf_addc(out, ' ');
			space = false;
			buf_addc(out, ch);
			added++;
		}
	}
}

static void parse_error(const aws_client *c, aws_response *resp)
{
	buf code, message;
	buf_init(&code, 4096);
	buf_init(&message, (size_t)64 * 1024);
	const char *body = buf_cstr(&resp->body);
	size_t len = resp->body.len < ERROR_BODY_PARSE_LIMIT ? resp->body.len : 0;
	size_t lead = 0;
	while (lead < len && isspace((unsigned char)body[lead]))
		lead++;
	if (lead < len && body[lead] == '{')
		json_error(body, len, resp->error_type, &code, &message);
	else if (lead < len && body[lead] == '<')
		xml_aws_error(body, len, &code, &message, NULL);
	if (code.len && !code.failed) {
		resp->error_code = buf_take(&code);
		if (message.len && !message.failed) {
			/* an error message goes to the terminal and the journal: a registered
			 * value echoed in it (a hostile or careless server) is masked there too */
			buf masked;
			buf_init(&masked, 0);
			aws_mask_values(&masked, message.data, message.len,
			                (const char *const *)c->masked, c->nmasked);
			resp->error_message = masked.failed ? NULL : buf_take(&masked);
			buf_free(&masked);
		}
	}
	buf_free(&code);
	buf_free(&message);
	/* S3 HEAD answers carry no body: name the status */
	if (!resp->error_code && resp->status == 404 && resp->body.len == 0)
		resp->error_code = strdup("NotFound");
	if (!resp->error_code && resp->status == 403 && resp->body.len == 0)
		resp->error_code = strdup("Forbidden");
}

/* What the operator can do about an error code; the credentials' source follows it. */
static const char *error_hint(const char *code)
{
	static const struct {
		const char *codes[4];
		const char *hint;
	} hints[] = {
	    {{"SignatureDoesNotMatch", "InvalidSignatureException", "IncompleteSignature", NULL},
	     "the secret access key does not match the access key ID: check the credentials"},
	    {{"InvalidClientTokenId", "UnrecognizedClientException", "InvalidAccessKeyId", NULL},
	     "AWS does not know this access key ID (deleted, inactive or for another "
	     "partition): check the credentials"},
	    {{"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"},
	     "the credentials have expired: refresh them"},
	    {{"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", NULL},
	     "the identity lacks this permission: compare its policy with "
	     "docs/deployer-policy.json"},
	};
	for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
		for (size_t k = 0; k < 4 && hints[i].codes[k]; k++)
			if (code && strcmp(code, hints[i].codes[k]) == 0)
				return hints[i].hint;
	return NULL;
}

static void report_answer(aws_client *c, const aws_request *req, aws_response *resp, lms_error *err)
{
	buf msg;
	buf_init(&msg, 0);
	buf_addf(&msg, "%s %s: ", service_title(req->service), req->operation);
	if (resp->error_code) {
		buf_addf(&msg, "%s", resp->error_code);
		if (resp->error_message)
			buf_addf(&msg, ": %.1000s", resp->error_message);
	} else if (resp->content_type && strcasestr(resp->content_type, "html")) {
		buf_addf(&msg, "the endpoint answered with an HTML page, not an AWS response");
		buf title;
		buf_init(&title, 0);
		html_summary(buf_cstr(&resp->body), resp->body.len, &title);
		if (title.len)
			buf_addf(&msg, " (\"%s\")", buf_cstr(&title));
		buf_free(&title);
		if (resp->status >= 500)
			buf_adds(&msg, "; the service failed on this request (an emulator such as "
			               "moto does so for resource types it does not implement)");
	} else if (resp->body.len) {
		buf_adds(&msg, "an answer that is not an AWS error response");
	} else {
		buf_adds(&msg, "an empty answer");
	}
	buf_addf(&msg, " (HTTP %ld", resp->status);
	if (resp->request_id)
		buf_addf(&msg, ", request id %s", resp->request_id);
	if (resp->attempts > 1)
		buf_addf(&msg, ", %d attempts", resp->attempts);
	buf_adds(&msg, ")");
	const char *hint = error_hint(resp->error_code);
	if (hint) {
		const char *source = c->creds && c->creds->source ? c->creds->source : "unsigned";
		buf_addf(&msg, "; %s (credentials: %s)", hint, source);
	}
	lms_error_set(err, NULL, 0, 0, "%s", msg.failed ? "out of memory" : buf_cstr(&msg));
	buf_free(&msg);
}

/* Sleeps ms milliseconds in slices, stopping early when interrupted; false if interrupted. */
static bool pause_ms(aws_client *c, long ms)
{
	long long until = now_ms() + ms;
	for (;;) {
		if (c->interrupted && c->interrupted(c->interrupt_ctx))
			return false;
		long long left = until - now_ms();
		if (left <= 0)
			return true;
		long slice = left > 100 ? 100 : (long)left;
		struct timespec ts = {slice / 1000, (slice % 1000) * 1000000L};
		nanosleep(&ts, NULL);
	}
}

static bool send_call(aws_client *c, const aws_request *req, aws_response *resp, lms_error *err);

bool aws_send(aws_client *c, const aws_request *req, aws_response *resp, lms_error *err)
{
	if (!c->on_call)
		return send_call(c, req, resp, err);
	struct timespec t0;
	clock_gettime(CLOCK_REALTIME, &t0);
	long long start = now_ms();
	bool ok = send_call(c, req, resp, err);
	aws_call_record rec = {
	    .req = req,
	    .region = c->region,
	    .endpoint_url = c->endpoint_url,
	    .started = (double)t0.tv_sec + (double)t0.tv_nsec / 1e9,
	    .ms = (double)(now_ms() - start),
	    .status = resp->status,
	    .request_id = resp->request_id,
	    .error = ok ? NULL : (err && err->msg ? err->msg : "failed"),
	    .attempts = resp->attempts,
	    .masked = (const char *const *)c->masked,
	    .nmasked = c->nmasked,
	};
	c->on_call(c->on_call_ctx, &rec);
	return ok;
}

/* Asks the refresh hook for the credentials to sign with; false with err when there are
 * none. `answer` (the ExpiredToken message) leads the message when there is one. */
static bool refresh_credentials(aws_client *c, const aws_request *req, bool force,
                                const lms_error *answer, lms_error *err)
{
	lms_error why = {0};
	const credentials *cr = c->refresh(c->refresh_ctx, force, &why);
	if (cr) {
		if (force && c->debug)
			term_printf(c->debug,
			            "[debug] %s %s: ExpiredToken; signing again with credentials "
			            "taken again from their source\n",
			            service_title(req->service), req->operation);
		c->creds = cr;
	} else if (answer && answer->msg) {
		lms_error_set(err, NULL, 0, 0, "%s; they could not be renewed: %s", answer->msg,
		              why.msg ? why.msg : "error");
	} else {
		lms_error_set(err, NULL, 0, 0, "%s %s: %s", service_title(req->service),
		              req->operation, why.msg ? why.msg : "no credentials");
	}
	lms_error_clear(&why);
	return cr != NULL;
}

static bool send_call(aws_client *c, const aws_request *req, aws_response *resp, lms_error *err)
{
	aws_response_free(resp);
	if (c->refresh && !refresh_credentials(c, req, false, NULL, err))
		return false;
	target t;
	if (!build_target(c, req, &t, err)) {
		target_free(&t);
		return false;
	}
	bool skew_retried = false, token_renewed = false;
	int counted = 0;
	buf transport;
	buf_init(&transport, 0);
	bool ok = false;
	for (;;) {
		reset_response(resp, c->max_response);
		buf_reset(&transport);
		resp->attempts++;
		counted++;
		attempt_result r = attempt(c, req, &t, resp, &transport);
		if (r == ATTEMPT_FATAL) {
			lms_error_set(err, NULL, 0, 0, "%s %s: %s", service_title(req->service),
			              req->operation, buf_cstr(&transport));
			break;
		}
		if (r == ATTEMPT_ANSWERED && resp->status >= 200 && resp->status < 300) {
			ok = true;
			break;
		}
		bool retry = false;
		if (r == ATTEMPT_RETRYABLE) {
			retry = true;
		} else {
			parse_error(c, resp);
			time_t local = time(NULL);
			if (!skew_retried && aws_error_is_skew(resp->error_code) &&
			    resp->server_date > 0 &&
			    labs((long)(resp->server_date - (local + c->clock_offset))) >
			        AWS_SKEW_THRESHOLD_SECONDS) {
				skew_retried = true;
				c->clock_offset = (long)(resp->server_date - local);
				if (c->debug)
					term_printf(
					    c->debug,
					    "[debug] clock skew: the server's clock is %+ld s from "
					    "ours; signing again\n",
					    c->clock_offset);
				counted--; /* the skew retry is outside the attempt budget */
				continue;
			}
			if (!token_renewed && c->refresh &&
			    aws_error_is_expired_token(resp->error_code)) {
				token_renewed = true;
				lms_error answer = {0};
				report_answer(c, req, resp, &answer);
				bool renewed = refresh_credentials(c, req, true, &answer, err);
				lms_error_clear(&answer);
				if (!renewed)
					break;
				counted--; /* outside the attempt budget, as the skew retry */
				continue;
			}
			retry = aws_error_is_retryable(resp->error_code, resp->status);
		}
		if (!retry || counted >= c->max_attempts) {
			if (r == ATTEMPT_RETRYABLE)
				lms_error_set(err, NULL, 0, 0, "%s %s: %s (%d attempts)",
				              service_title(req->service), req->operation,
				              buf_cstr(&transport), resp->attempts);
			else
				report_answer(c, req, resp, err);
			break;
		}
		long wait = aws_backoff_ms(counted + 1, random_fraction(), c->backoff_unit_ms);
		if (c->debug)
			term_printf(c->debug, "[debug] retrying in %ld ms\n", wait);
		if (!pause_ms(c, wait)) {
			resp->interrupted = true;
			lms_error_set(err, NULL, 0, 0, "%s %s: interrupted",
			              service_title(req->service), req->operation);
			break;
		}
	}
	buf_free(&transport);
	target_free(&t);
	return ok;
}
