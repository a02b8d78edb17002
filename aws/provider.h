/* provider: the whole credential chain — what aws/credentials.h resolves (environment,
 * shared files, credential_process), plus the sources that need an HTTP call:
 *
 *   - a profile with role_arn: the credentials of its source_profile (or of its
 *     credential_source: Environment, EcsContainer, Ec2InstanceMetadata) exchanged for the
 *     role's through STS AssumeRole (external_id, duration_seconds, role_session_name
 *     honoured; mfa_serial is refused: lmsctl does not prompt for MFA codes); chains of
 *     such profiles are followed up to five deep;
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

#include <stdio.h>

#include "aws/credentials.h"
#include "common/error.h"

typedef struct provider_options {
	const char *profile;         /* --profile, or NULL */
	const char *region;          /* for STS AssumeRole; required */
	const char *endpoint_url;    /* --endpoint-url (STS goes there too), or NULL */
	int process_timeout_seconds; /* for credential_process */
	long metadata_timeout_ms;    /* 0: 2000 */
	FILE *debug;                 /* the AssumeRole call is logged like any other */
} provider_options;

/* As credentials_resolve, with the sources above. */
credentials_status provider_resolve(const provider_options *opts, credentials **out,
                                    lms_error *err);

/* Exposed for tests: parses the JSON of the container or instance metadata endpoint
 * ({"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}); `source` is copied. */
credentials_status provider_parse_metadata_json(const char *json, size_t len, const char *source,
                                                credentials **out, lms_error *err);

#endif
