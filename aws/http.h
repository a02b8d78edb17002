/* http: signed AWS requests over HTTPS with libcurl.
 *
 * An aws_client holds one curl handle (connections are reused between calls), the
 * credentials it signs with (borrowed), the signing region, the endpoint settings and the
 * clock offset learnt from the servers. aws_send() sends one request:
 *
 *   - endpoint: the client's endpoint_url (--endpoint-url) for every service, else
 *     AWS_ENDPOINT_URL_<SERVICE> (AWS_ENDPOINT_URL_CLOUDFORMATION, _S3, _STS), else
 *     AWS_ENDPOINT_URL, else the profile's config (the service's endpoint_url in its
 *     [services NAME] section, then its own endpoint_url), else
 * https://<service>.<region>.amazonaws.com (.com.cn in China);
 *     AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile's
 *     ignore_configured_endpoint_urls = true) ignores the variables and the config. An endpoint may
 *     carry a base path. Plain http is refused unless the host is the loopback interface
 *     (a local emulator); https always verifies the peer and the host name, against
 *     AWS_CA_BUNDLE when set. S3 buckets are addressed virtual-host style on AWS and
 *     path style on a configured endpoint.
 *   - signing: SigV4 (aws/sigv4.h) at the local time plus the learnt clock offset.
 *   - retries, the AWS "standard" mode: at most max_attempts attempts (3); retried are the
 *     throttling error codes, the transient ones, HTTP 500/502/503/504 and connections
 *     refused, reset or closed without an answer; before attempt n+1 a random pause between
 *     0 and min(20, 2^n) backoff units (1 s). A request that gets no answer within the
 *     total timeout is reported, not retried: the time is spent and the operation may have
 *     happened.
 *   - credentials: with a refresh hook, temporary credentials are renewed before they
 *     expire and once after an ExpiredToken answer (see aws_client_options.refresh).
 *   - clock skew: an answer RequestTimeTooSkewed (or another signature/expiry error) whose
 *     Date header is more than 4 minutes from our clock sets the offset to the difference;
 *     the request is signed again and retried once, outside the attempt budget.
 *   - errors: an AWS error body (XML or JSON) becomes code and message, with a hint for the
 *     codes an operator meets (wrong secret key, unknown key id, expired token, access
 *     denied); a body that is not an AWS error (an HTML page from a proxy or an emulator's
 *     crash) is reported as such, with its title.
 *   - --debug: every request and answer is logged to the debug stream with Authorization,
 *     security tokens, secrets and the values registered with aws_client_mask() replaced
 *     by "****"; bodies are cut at 4 KiB. A request body is logged as its log_body (the
 *     secret parameters written as "****" by the request builder); the registered values
 *     are a second net, found in any encoding (raw, percent- or form-encoded, JSON- or
 *     XML-escaped), for answers that echo them.
 *
 * No global state beyond libcurl's own initialization. Not thread-safe: one client per
 * thread. */
#ifndef LMSCTL_AWS_HTTP_H
#define LMSCTL_AWS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "aws/credentials.h"
#include "aws/sigv4.h"
#include "common/buf.h"
#include "common/error.h"

#define AWS_DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define AWS_DEFAULT_TIMEOUT_MS 60000L
#define AWS_DEFAULT_MAX_ATTEMPTS 3
#define AWS_MAX_BACKOFF_SECONDS 20
#define AWS_SKEW_THRESHOLD_SECONDS 240
#define AWS_MAX_REQUEST_HEADERS 16
#define AWS_DEFAULT_MAX_RESPONSE ((size_t)32 * 1024 * 1024)

struct aws_call_record;

typedef struct aws_client_options {
	const char *region;       /* signing region and default endpoints; required */
	const char *endpoint_url; /* --endpoint-url for every service; NULL or "" for none */
	/* The profile whose config-file endpoints apply (aws/credentials.h's
	 * credentials_endpoints_load: NULL follows AWS_PROFILE, else "default"). */
	const char *profile;
	const char *ca_bundle;     /* PEM file of trusted CAs; NULL: AWS_CA_BUNDLE, else system */
	long connect_timeout_ms;   /* 0: AWS_DEFAULT_CONNECT_TIMEOUT_MS */
	long timeout_ms;           /* whole attempt; 0: AWS_DEFAULT_TIMEOUT_MS */
	int max_attempts;          /* 0: AWS_DEFAULT_MAX_ATTEMPTS */
	long backoff_unit_ms;      /* 0: 1000 (tests shorten it) */
	size_t max_response_bytes; /* 0: AWS_DEFAULT_MAX_RESPONSE */
	FILE *debug;               /* NULL: no log */
	/* Polled during transfers and pauses; true abandons the request (Ctrl-C). */
	bool (*interrupted)(void *ctx);
	void *interrupt_ctx;
	/* Called once at the end of every aws_send(), whatever the outcome, with what the
	 * call was and what came of it (the console's API log). NULL: none. */
	void (*on_call)(void *ctx, const struct aws_call_record *rec);
	void *on_call_ctx;
	/* Fresh credentials for a long operation (aws/provider.h's provider_cache_refresh):
	 * asked before every request with force false (the callee refreshes them when they
	 * are about to expire), and once more with force true after an ExpiredToken answer,
	 * after which the request is signed again and sent once more, outside the attempt
	 * budget. It returns the credentials to sign with from then on (borrowed, valid until
	 * its next call or the client's end), or NULL with err when there are none (expired
	 * and not renewable). NULL: the client signs with the credentials it was made with. */
	const credentials *(*refresh)(void *ctx, bool force, lms_error *err);
	void *refresh_ctx;
} aws_client_options;

typedef struct aws_client aws_client;

/* A client signing with `creds` (borrowed: they must outlive the client; NULL sends
 * unsigned requests, for tests). NULL and err on a bad option (an endpoint that does not
 * parse, plain http to a remote host, an unreadable CA bundle) or when curl cannot start. */
aws_client *aws_client_new(const aws_client_options *opts, const credentials *creds,
                           lms_error *err);
void aws_client_free(aws_client *c);
/* Signs later requests with other credentials (borrowed), after AssumeRole. */
void aws_client_set_credentials(aws_client *c, const credentials *creds);
const char *aws_client_region(const aws_client *c);
/* Seconds added to the local clock when signing (learnt from a skewed answer). */
long aws_client_clock_offset(const aws_client *c);
/* The local clock plus the offset: "now" as AWS sees it. */
time_t aws_client_now(const aws_client *c);
/* Registers a value (a NoEcho parameter, say) that no log may show, in any encoding (a
 * second net: requests mark their secret parameters themselves); it is copied. False when
 * out of memory. */
bool aws_client_mask(aws_client *c, const char *value);
/* Registers the name of a NoEcho parameter: the ParameterValue next to its ParameterKey in
 * an answer (DescribeStacks, DescribeChangeSet) is logged as "****", whatever the server
 * sends there (AWS sends "****"; moto and a hostile server may not). False when out of
 * memory. */
bool aws_client_mask_parameter(aws_client *c, const char *name);
/* Whether the endpoint of `service` is a configured one (then S3 is path-style). */
bool aws_client_custom_endpoint(const aws_client *c, const char *service);
/* Whether requests to `service` go over plain http (a local emulator on loopback). */
bool aws_client_plain_http(const aws_client *c, const char *service);

typedef struct aws_request {
	const char *service;   /* endpoint and signing name: "cloudformation", "s3", "sts" */
	const char *operation; /* for messages and the log, such as "CreateChangeSet" */
	const char *method;    /* "GET", "POST", "PUT", "HEAD", "DELETE" */
	const char *bucket;    /* S3 only: the bucket, or NULL */
	const char *path;      /* below the bucket, percent-encoded, starting with '/'; NULL "/" */
	const char *query;     /* raw query string without '?', NULL for none */
	const sigv4_header *headers; /* up to AWS_MAX_REQUEST_HEADERS more (Content-Type, ...) */
	size_t nheaders;
	const void *body;
	size_t body_len;
	/* What every log (--debug, the on_call hook) shows of the body: the body with the
	 * secret parameters' values as "****" (aws/query.h builds it). NULL: the body itself,
	 * masked by aws_mask_for_log only. */
	const void *log_body;
	size_t log_body_len;
} aws_request;

typedef struct aws_response {
	long status;         /* HTTP status of the last attempt; 0 when none arrived */
	buf body;            /* body of the last attempt */
	char *content_type;  /* NULL when absent */
	char *request_id;    /* x-amzn-RequestId or x-amz-request-id, NULL when absent */
	char *error_code;    /* the AWS error code of a failed answer, NULL otherwise */
	char *error_message; /* its message, NULL when none */
	char *error_type;    /* the x-amzn-ErrorType header (REST JSON errors), NULL when none */
	time_t server_date;  /* the Date header, 0 when absent */
	int attempts;        /* attempts made, skew retry included */
	bool timed_out;      /* no answer within the timeout */
	bool interrupted;    /* abandoned because options.interrupted said so */
} aws_response;

/* One call as the on_call hook sees it; every pointer is valid during the hook only. */
typedef struct aws_call_record {
	const aws_request *req;
	const char *region;       /* the signing region */
	const char *endpoint_url; /* the configured --endpoint-url, NULL when none */
	double started;           /* seconds since the epoch */
	double ms;                /* the whole call, retries and pauses included */
	long status;              /* HTTP status of the last attempt; 0 when none arrived */
	const char *request_id;   /* NULL when none */
	const char *error;        /* the error message (as in err); NULL on success */
	int attempts;
	/* the values registered with aws_client_mask(), never to be shown */
	const char *const *masked;
	size_t nmasked;
} aws_call_record;

void aws_response_init(aws_response *r);
void aws_response_free(aws_response *r); /* leaves r initialized */

/* Sends `req` as described above. True for a 2xx answer. False otherwise, with err saying
 * "<Service> <Operation>: ..." and resp telling the caller what came back. */
bool aws_send(aws_client *c, const aws_request *req, aws_response *resp, lms_error *err);

/* The `aws` command line that makes the same call as `rec` (aws cloudformation
 * create-change-set --stack-name ... --region ...): Query-protocol parameters become
 * options (lists and structures in the CLI's shorthand), a TemplateBody becomes
 * file://template.yaml, S3 calls become `aws s3api`; the masked values and the values of
 * parameters that name a password, secret or token are shown as ****; values are quoted
 * for a POSIX shell. False when out of memory. */
bool aws_cli_command(const aws_call_record *rec, buf *out);
/* The endpoint `service`'s calls go to when it is a configured one (c's --endpoint-url,
 * else AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL; c may be NULL), else NULL. */
const char *aws_client_endpoint_url(const aws_client *c, const char *service);
/* Appends " --endpoint-url URL" (quoted for a POSIX shell) to an `aws SERVICE ...` command
 * line lmsctl suggests, when `service`'s endpoint is a configured one: the command then goes
 * where lmsctl's own calls go. Nothing otherwise. */
void aws_cli_endpoint_option(const aws_client *c, const char *service, buf *out);

/* Building blocks, exposed for tests. */

/* Splits an endpoint URL: scheme ("http"/"https"), authority (host[:port], as the Host
 * header), base path ("" or "/prefix", no trailing slash). False with err when it is not
 * an http(s) URL with a host, has user info, a query or a fragment, or is plain http to a
 * host that is not the loopback interface. */
bool aws_endpoint_parse(const char *url, buf *scheme, buf *authority, buf *base_path,
                        lms_error *err);
/* The endpoint of `service` for `region` under the rules above (endpoint_url: the
 * --endpoint-url value or NULL), as a URL without trailing slash; *custom says whether it
 * was configured. */
bool aws_endpoint_for(const char *service, const char *region, const char *endpoint_url, buf *url,
                      bool *custom, lms_error *err);
/* Whether an error code (with its HTTP status) is retried in standard mode. */
bool aws_error_is_retryable(const char *code, long status);
bool aws_error_is_throttling(const char *code);
/* Whether an error code says the credentials (their session token) have expired. */
bool aws_error_is_expired_token(const char *code);
/* Whether an error code may come from a skewed clock. */
bool aws_error_is_skew(const char *code);
/* Copies `text` into out with secrets masked: in "k=v&k=v" form bodies, values of keys that
 * name a password, secret or token (not NextToken or ClientRequestToken); in XML and JSON,
 * the content of such elements and string members; every occurrence of the masked values;
 * at most `limit` bytes (0: no limit) then "... (N more bytes)". */
void aws_mask_for_log(const char *text, size_t len, const char *const *masked, size_t nmasked,
                      size_t limit, buf *out);
/* Whether a parameter's name (the last dotted part of a form key) says its value is a
 * secret: password, secret, token or authorization in it, NextToken and the client tokens
 * excepted. */
bool aws_name_is_secret(const char *name, size_t len);
/* Appends text with every occurrence of the masked values replaced by "****", in whatever
 * encoding or mix of encodings they stand: raw, percent-encoded, form-encoded ('+'),
 * JSON-escaped (\uXXXX and surrogate pairs included), XML-escaped. */
void aws_mask_values(buf *out, const char *text, size_t len, const char *const *masked,
                     size_t nmasked);
/* Appends an XML answer with the content of every <ParameterValue> whose member's
 * <ParameterKey> is one of `names` replaced by "****". */
void aws_mask_parameters(buf *out, const char *text, size_t len, const char *const *names,
                         size_t n);
/* Backoff before attempt `next_attempt` (2, 3, ...) in ms, given a random fraction [0,1). */
long aws_backoff_ms(int next_attempt, double fraction, long unit_ms);

#endif
