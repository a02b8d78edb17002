/* sts: who the credentials belong to (GetCallerIdentity) and temporary credentials for a
 * role (AssumeRole, AssumeRoleWithWebIdentity), over the Query protocol. */
#ifndef LMSCTL_AWS_STS_H
#define LMSCTL_AWS_STS_H

#include <stdbool.h>

#include "aws/credentials.h"
#include "aws/http.h"
#include "aws/xml.h"
#include "common/error.h"

typedef struct sts_identity {
	char *account; /* 12 digits */
	char *arn;     /* arn:aws:iam::123456789012:user/ops or an assumed-role ARN */
	char *user_id;
} sts_identity;

void sts_identity_free(sts_identity *id); /* frees the members; id itself is the caller's */

bool sts_get_caller_identity(aws_client *c, sts_identity *out, lms_error *err);

/* What a role is asked for. */
typedef struct sts_assume_request {
	const char *role_arn;
	const char *session_name; /* should say who asks ("lmsctl-<user>") */
	int duration_seconds;     /* 0: the role's default (one hour) */
	const char *external_id;  /* NULL: none */
	/* MFA (AssumeRole): the device's serial (mfa_serial) and the code the operator typed */
	const char *serial_number, *token_code;
	/* Set: AssumeRoleWithWebIdentity with this OIDC token (an unsigned call; the client's
	 * credentials are not used) instead of AssumeRole. */
	const char *web_identity_token;
} sts_assume_request;

/* AssumeRole or AssumeRoleWithWebIdentity: new temporary credentials (free with
 * credentials_free). The secret key, the session token, the MFA code and the web identity
 * token never reach err or a log. */
bool sts_assume_role(aws_client *c, const sts_assume_request *rq, credentials **out,
                     lms_error *err);

/* Exposed for tests: the credentials in an AssumeRole answer. */
bool sts_parse_assume_role(const xml_node *result, credentials **out, lms_error *err);

#endif
