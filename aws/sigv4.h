/* sigv4: AWS Signature Version 4 for HTTP requests (header and presigned-query forms).
 *
 * The signer works on a description of the request (sigv4_request) and a signing
 * configuration (sigv4_config); it never sends anything. Each stage of the algorithm is its own
 * function so that it can be checked against AWS's published test suite on its own:
 *
 *   sigv4_canonical_request -> sigv4_string_to_sign -> sigv4_signature
 *
 * and two functions run the whole chain and give what goes on the wire:
 * sigv4_sign_headers (the headers to add) and sigv4_presign_query (the query string of a
 * presigned URL).
 *
 * Every function that builds text appends it to a caller-owned buf (common/buf.h); on failure
 * the buf's contents are unspecified. Errors come back as false plus an lms_error (`err` may be
 * NULL) saying what is wrong with the request or configuration. Nothing here prints, logs
 * or keeps the secret key; derived keys are wiped with OPENSSL_cleanse before their memory is
 * released. The signer has no global state and is safe to call from several threads. */
#ifndef LMSCTL_AWS_SIGV4_H
#define LMSCTL_AWS_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "common/buf.h"
#include "common/error.h"

/* Longest validity AWS accepts for a presigned URL (7 days). */
#define SIGV4_MAX_EXPIRES_IN 604800L

typedef struct sigv4_config {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token; /* NULL or "" when the credentials have none */
	const char *region;
	const char *service;
	time_t timestamp; /* signing time, seconds since the epoch (UTC) */
	/* Remove "." and ".." segments and empty segments ("//") from the path before encoding.
	 * Every service but S3 wants this; S3 object keys may legitimately contain them. */
	bool normalize_path;
	/* How the path is encoded in the canonical request. false (every service but S3): the path
	 * as sent, already percent-encoded, is encoded again ("%20" becomes "%2520"), because those
	 * services sign the encoded path. true (S3): the path is decoded and encoded once, so that
	 * "/a%20b" and "/a b" both become "/a%20b". */
	bool single_encode_path;
	/* Header form only: add and sign x-amz-content-sha256 (S3 requires it). */
	bool sign_body;
	/* Sign without the session token and add it afterwards (AWS IoT wants this). */
	bool omit_session_token;
	/* NULL: the payload hash is SHA-256 of the body. Otherwise this literal is used, for
	 * example "UNSIGNED-PAYLOAD" for an S3 presigned URL. */
	const char *payload_hash;
	/* Query form only: how long the presigned URL is valid, 1 .. SIGV4_MAX_EXPIRES_IN. */
	long expires_in;
} sigv4_config;

typedef struct sigv4_header {
	const char *name;
	const char *value;
} sigv4_header;

typedef struct sigv4_request {
	const char *method; /* "GET", "POST", ... */
	/* The path exactly as in the request line, percent-escapes included; it may contain
	 * "./", "..", "//". NULL or "" means "/". */
	const char *path;
	/* The raw query string without '?', NULL or "" for none. '+' is a literal plus sign
	 * (RFC 3986); write spaces as %20. */
	const char *query;
	/* All headers to be sent, in order; a name may repeat (the values are joined with commas
	 * in order). A value may span lines (obsolete line folding: a line break followed by a
	 * space or tab). Host is required. The signer adds X-Amz-Date, X-Amz-Security-Token,
	 * x-amz-content-sha256 and Authorization itself: the request must not carry them. */
	const sigv4_header *headers;
	size_t header_count;
	const void *body; /* may be NULL when body_len is 0 */
	size_t body_len;
} sigv4_request;

typedef enum sigv4_form {
	SIGV4_FORM_HEADER, /* signature in the Authorization header */
	SIGV4_FORM_QUERY,  /* signature in the query string (presigned URL) */
} sigv4_form;

/* The headers sigv4_sign_headers adds, in this order: X-Amz-Date, X-Amz-Security-Token (when
 * there is a session token), x-amz-content-sha256 (when sign_body), Authorization. Names are
 * static strings; the values are owned by the struct. */
#define SIGV4_MAX_ADDED_HEADERS 4
typedef struct sigv4_added_headers {
	size_t count;
	const char *names[SIGV4_MAX_ADDED_HEADERS];
	buf values[SIGV4_MAX_ADDED_HEADERS];
} sigv4_added_headers;

void sigv4_added_headers_init(sigv4_added_headers *h);
/* Wipes the values (the token is a credential), frees them, and leaves h empty. */
void sigv4_added_headers_free(sigv4_added_headers *h);

/* Stage 1: the canonical request of the given form. */
bool sigv4_canonical_request(const sigv4_config *cfg, const sigv4_request *req, sigv4_form form,
                             buf *out, lms_error *err);

/* Stage 2: the string to sign for a canonical request (uses cfg's timestamp, region and
 * service). */
bool sigv4_string_to_sign(const sigv4_config *cfg, const char *canonical_request, size_t len,
                          buf *out, lms_error *err);

/* Stage 3: the signature of a string to sign, as 64 lower-case hex digits. */
bool sigv4_signature(const sigv4_config *cfg, const char *string_to_sign, size_t len, buf *out,
                     lms_error *err);

/* Header form, all stages: fills `out` (initialized by the caller, emptied first) with the
 * headers to add to the request. */
bool sigv4_sign_headers(const sigv4_config *cfg, const sigv4_request *req, sigv4_added_headers *out,
                        lms_error *err);

/* Query form, all stages: appends the complete query string of the presigned URL (without
 * '?'): the request's own query as given, then X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
 * X-Amz-SignedHeaders, X-Amz-Expires, X-Amz-Security-Token (when a token) and X-Amz-Signature. */
bool sigv4_presign_query(const sigv4_config *cfg, const sigv4_request *req, buf *out,
                         lms_error *err);

/* Building blocks, exposed for their tests and for callers that build URLs. */

/* Appends s[0..len) URI-encoded the AWS way: every byte but A-Z a-z 0-9 - _ . ~ (and '/' when
 * keep_slash) becomes %XY with upper-case hex digits. */
bool sigv4_uri_encode(buf *out, const char *s, size_t len, bool keep_slash);

/* Appends the canonical URI path of a request path (see sigv4_config for the two flags). */
bool sigv4_canonical_path(const char *path, bool normalize, bool single_encode, buf *out);

/* Appends the canonical query string of a raw query string: each name and value decoded, then
 * encoded with sigv4_uri_encode, the pairs sorted by encoded name, then encoded value. */
bool sigv4_canonical_query(const char *query, buf *out);

/* Appends the header value as it is signed: leading and trailing whitespace removed, every
 * inner run of spaces, tabs and line breaks replaced by one space. */
bool sigv4_trim_header_value(buf *out, const char *value);

#endif
