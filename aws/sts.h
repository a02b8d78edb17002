/* sts: who the credentials belong to (GetCallerIdentity) and temporary credentials for a
 * role (AssumeRole), over the Query protocol. */
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

/* AssumeRole: new temporary credentials for role_arn (free with credentials_free); the
 * session name should say who asks ("lmsctl-<user>"); duration_seconds 0 uses the role's
 * default (one hour); external_id may be NULL. The secret key and token never reach err. */
bool sts_assume_role(aws_client *c, const char *role_arn, const char *session_name,
                     int duration_seconds, const char *external_id, credentials **out,
                     lms_error *err);

/* Exposed for tests: the credentials in an AssumeRole answer. */
bool sts_parse_assume_role(const xml_node *result, credentials **out, lms_error *err);

#endif
