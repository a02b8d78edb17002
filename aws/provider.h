/* provider: the whole credential chain — what aws/credentials.h resolves (environment,
 * shared files, credential_process), plus the sources that need an HTTP call:
 *
 *   - a profile with role_arn: the credentials of its source_profile (or of its
 *     credential_source: Environment, EcsContainer, Ec2InstanceMetadata) exchanged for the
 *     role's through STS AssumeRole (external_id, duration_seconds, role_session_name
 *     honoured; with mfa_serial, the code is asked through the caller's prompt hook, and
 *     refused with a message when there is none (no terminal)); chains of such profiles
 *     are followed up to five deep;
 *   - a profile with role_arn and web_identity_token_file, or (with no profile named and no
 *     keys in the environment) AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE (and
 *     AWS_ROLE_SESSION_NAME): the token file, read at every renewal (it rotates),
 *     exchanged through STS AssumeRoleWithWebIdentity, an unsigned call;
 *   - an IAM Identity Center profile (sso_session, or legacy sso_start_url): the access
 *     token `aws sso login` cached, exchanged through the portal's GetRoleCredentials;
 *   - container credentials (ECS, CodeBuild, EKS Pod Identity) when nothing else is
 *     configured: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on 169.254.170.2) or
 *     AWS_CONTAINER_CREDENTIALS_FULL_URI (https, or http to the loopback interface or the
 *     ECS/EKS link-local hosts), with AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE);
 *   - EC2 instance metadata (IMDSv2: a session token first), last, unless
 *     AWS_EC2_METADATA_DISABLED=true; AWS_EC2_METADATA_SERVICE_ENDPOINT moves it (tests).
 *
 * The metadata calls have short timeouts (1 s to connect, 2 s in all, one attempt), so a
 * machine that is not on EC2 learns it quickly. Nothing here prints or logs a secret. */
#ifndef LMSCTL_AWS_PROVIDER_H
#define LMSCTL_AWS_PROVIDER_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "aws/credentials.h"
#include "common/buf.h"
#include "common/error.h"

typedef struct provider_options {
	const char *profile;         /* --profile, or NULL */
	const char *named_by;        /* what named `profile`, for messages; NULL: "--profile" */
	const char *region;          /* for STS AssumeRole; required */
	const char *endpoint_url;    /* --endpoint-url (STS goes there too), or NULL */
	int process_timeout_seconds; /* for credential_process */
	long metadata_timeout_ms;    /* 0: 2000 */
	FILE *debug;                 /* the AssumeRole call is logged like any other */
	/* The clock by which provider_cache judges expiry; NULL: time(). Tests move it to run
	 * an hour in a second. */
	time_t (*clock)(void *ctx);
	void *clock_ctx;
	/* Asks the operator for the MFA code of `serial` (profile `profile`), appended to
	 * `code`; false when it cannot ask (no terminal) or was refused. NULL: never asks. */
	bool (*mfa_prompt)(void *ctx, const char *profile, const char *serial, buf *code);
	void *mfa_ctx;
} provider_options;

/* As credentials_resolve, with the sources above. */
credentials_status provider_resolve(const provider_options *opts, credentials **out,
                                    lms_error *err);

/* ---- credentials kept fresh for a long operation --------------------------------------------
 *
 * A deploy runs for an hour, an assumed role lasts one by default, container and instance
 * credentials rotate on their own schedule. A provider_cache holds the credentials of
 * provider_resolve and resolves them again, the same way and so from the same source
 * (AssumeRole, credential_process, container, IMDSv2), as the AWS SDKs do:
 *   - before a request, when temporary credentials (an Expiration) are within
 *     PROVIDER_REFRESH_AHEAD_SECONDS of it, or half their lifetime when they were issued
 *     for less than twice that (two-minute credentials are renewed after one);
 *   - after an ExpiredToken answer (force), once per request (aws/http.h).
 * Long-term keys (no Expiration) are never resolved again. A renewal that fails while the
 * current credentials are still valid is tried again PROVIDER_REFRESH_RETRY_SECONDS later
 * and the current ones are used meanwhile; once they have expired, the failure is the
 * request's error. */
#define PROVIDER_REFRESH_AHEAD_SECONDS 300
#define PROVIDER_REFRESH_RETRY_SECONDS 30

typedef struct provider_cache provider_cache;

/* Resolves the credentials (provider_resolve) and keeps them with a copy of opts. NULL when
 * they cannot be resolved, with *status and err as provider_resolve sets them. */
provider_cache *provider_cache_new(const provider_options *opts, credentials_status *status,
                                   lms_error *err);
void provider_cache_free(provider_cache *pc);
/* The credentials in use; owned by the cache, valid until its next refresh. */
const credentials *provider_cache_current(const provider_cache *pc);
/* Where the credentials in use came from, for messages; "?" when unknown. */
const char *provider_cache_source(const provider_cache *pc);
/* aws_client_options.refresh: the credentials to sign with, renewed as above; NULL with err
 * when they have expired and cannot be renewed. `pc` is a provider_cache. */
const credentials *provider_cache_refresh(void *pc, bool force, lms_error *err);

/* Exposed for tests: parses the JSON of the container or instance metadata endpoint
 * ({"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}); `source` is copied. */
credentials_status provider_parse_metadata_json(const char *json, size_t len, const char *source,
                                                credentials **out, lms_error *err);

#endif
