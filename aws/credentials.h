/* credentials: which AWS credentials and region to use, found the way the AWS CLI finds them.
 *
 * Credentials, first match wins:
 *   1. the profile named by the caller (--profile): environment keys are then ignored;
 *   2. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN);
 *   3. the profile named by AWS_PROFILE;
 *   4. the profile "default".
 * A profile lives in the shared credentials file ([name]; AWS_SHARED_CREDENTIALS_FILE, default
 * ~/.aws/credentials) and the config file ([profile name] or [default]; AWS_CONFIG_FILE, default
 * ~/.aws/config). Within a profile: keys in the credentials file, then credential_process, then
 * keys in the config file. This module resolves static and process credentials; a profile that
 * assumes a role (role_arn), and container and EC2 instance credentials, are resolved on top of
 * it by aws/provider.h, which makes the STS, IAM Identity Center and metadata calls; so are
 * web identity and SSO profiles (this module answers CREDENTIALS_UNSUPPORTED for them, never
 * a silent fall-through to other keys the profile holds).
 *
 * Region: AWS_REGION, then AWS_DEFAULT_REGION, then the profile's `region` in the config file.
 *
 * Nothing here prints or logs a credential; error messages name files, profiles and variables,
 * never values. credentials_free wipes the secrets before releasing them. No global state; the
 * environment is only read. */
#ifndef LMSCTL_AWS_CREDENTIALS_H
#define LMSCTL_AWS_CREDENTIALS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "common/buf.h"
#include "common/error.h"

typedef struct credentials {
	char *access_key_id;
	char *secret_access_key;
	char *session_token; /* NULL when there is none */
	time_t expiration;   /* when they stop working; 0 when they do not expire */
	/* Where they came from, for status lines and messages (no secret in it), such as
	 * "profile \"dev\" in /home/ops/.aws/credentials". */
	char *source;
} credentials;

typedef enum credentials_status {
	CREDENTIALS_OK = 0,
	CREDENTIALS_NOT_FOUND,      /* nothing is configured anywhere */
	CREDENTIALS_BAD_CONFIG,     /* a named profile is missing, incomplete or malformed */
	CREDENTIALS_UNSUPPORTED,    /* role_arn, web identity, SSO: not supported yet */
	CREDENTIALS_PROCESS_FAILED, /* credential_process failed or answered nonsense */
	CREDENTIALS_SYSTEM_ERROR,   /* unreadable file, out of memory, cannot start a process */
} credentials_status;

typedef struct credentials_options {
	const char *profile; /* from --profile; NULL or "" to follow the environment */
	/* How long credential_process may run; 0: 60 seconds. It runs under the rules of
	 * common/proc.h (its own process group, stdin /dev/null, stopped with everything it
	 * started at the deadline, when it floods, or when it closes its output and does not
	 * exit), so no helper can hang lmsctl or outlive the call. */
	int process_timeout_seconds;
	/* What named `profile`, for messages ("source_profile of profile \"ops\""); NULL:
	 * "--profile". */
	const char *named_by;
} credentials_options;

/* Largest config or credentials file read, and largest credential_process output. */
#define CREDENTIALS_MAX_FILE_SIZE ((size_t)1024 * 1024)
#define CREDENTIALS_MAX_PROCESS_OUTPUT ((size_t)64 * 1024)

/* Resolves the credentials. On CREDENTIALS_OK *out is a new credentials (free it with
 * credentials_free); otherwise *out is NULL and err (which may be NULL) says what the operator
 * can do (err->file and err->line point into a malformed config file). opts may be NULL. */
credentials_status credentials_resolve(const credentials_options *opts, credentials **out,
                                       lms_error *err);

/* Wipes and frees; NULL is allowed. */
void credentials_free(credentials *c);

/* Appends the region to `out`. CREDENTIALS_NOT_FOUND when none is configured (the caller then
 * uses its own default, such as the model's region); `profile` as in credentials_options. */
credentials_status credentials_region(const char *profile, buf *out, lms_error *err);

/* The endpoints a profile's config sets, as the AWS SDKs read them
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html): `endpoint_url`
 * in the profile for every service, `endpoint_url` nested under a service's identifier in the
 * `[services NAME]` section the profile names (`services = NAME`) for that service, and
 * `ignore_configured_endpoint_urls = true`. aws/http.h puts them after --endpoint-url and the
 * AWS_ENDPOINT_URL variables. */
typedef struct credentials_endpoints credentials_endpoints;

/* Loads them for `profile` (NULL or "": AWS_PROFILE, else "default"); *out NULL when the
 * config file sets none. CREDENTIALS_BAD_CONFIG for a malformed file or a `services` name
 * with no such section. */
credentials_status credentials_endpoints_load(const char *profile, credentials_endpoints **out,
                                              lms_error *err);
/* The endpoint for `service` (its signing name: "cloudformation", "s3", "sts"; the config's
 * identifier is its lower-case form with '-' as '_'), or NULL; `source` (may be NULL) gets
 * where it was set. */
const char *credentials_endpoint_for(const credentials_endpoints *e, const char *service,
                                     buf *source);
/* Whether the profile sets ignore_configured_endpoint_urls = true. */
bool credentials_endpoints_ignored(const credentials_endpoints *e);
void credentials_endpoints_free(credentials_endpoints *e);

/* Parses the JSON a credential_process prints ({"Version": 1, "AccessKeyId", "SecretAccessKey",
 * "SessionToken", "Expiration"}); `now` decides whether Expiration has passed. Exposed for tests
 * and the fuzz target; errors never quote the output, which may hold secrets. */
credentials_status credentials_parse_process_output(const char *json, size_t len, time_t now,
                                                    credentials **out, lms_error *err);

/* The INI dialect of the AWS shared files: "[section]" lines, "key = value" or "key: value"
 * lines (keys without regard to case, values trimmed), comment lines starting with '#' or ';',
 * and lines indented deeper than the key before them continuing it (nested settings such as
 * "s3 =" are skipped). A later value of the same key wins. A NUL byte anywhere is refused
 * with its line (it would cut a key id short, and the short key would sign). Exposed for
 * tests and the fuzz target. */
typedef struct aws_ini aws_ini;

/* NULL on a malformed file, with the line in err->line (err->file stays NULL: the caller knows
 * which file it read); NULL with "out of memory" and line 0 when an allocation fails; a size
 * cap is the caller's business. */
aws_ini *aws_ini_parse(const char *text, size_t len, lms_error *err);
/* The value of key in section, or NULL; owned by ini. */
const char *aws_ini_get(const aws_ini *ini, const char *section, const char *key);
/* The value of key in the config file's section of profile, or NULL: [profile NAME] (blanks
 * after "profile" as the AWS CLI allows), or [default] for the default profile; the last one
 * wins; no allocation. Owned by ini. */
const char *aws_ini_get_profile(const aws_ini *ini, const char *profile, const char *key);
bool aws_ini_has_section(const aws_ini *ini, const char *section);
/* The entries in file order, for a caller that checks every setting: i from 0 to
 * aws_ini_count(); *key and *value are NULL for the entry that records a section header. */
size_t aws_ini_count(const aws_ini *ini);
void aws_ini_entry(const aws_ini *ini, size_t i, const char **section, const char **key,
                   const char **value);
/* Wipes the values (they may be secrets) and frees; NULL is allowed. */
void aws_ini_free(aws_ini *ini);

#endif
