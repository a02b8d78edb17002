/* json: the AWS JSON protocols, beside aws/query.h's Query protocol.
 *
 *   - JSON 1.1 (CloudWatch Logs, Secrets Manager): a POST of a JSON object to "/", the
 *     operation named by the X-Amz-Target header (TargetPrefix.Operation).
 *   - REST-JSON (AWS Backup): the operation is the method and the path (its variable parts
 *     percent-encoded by the caller: sigv4_uri_encode); the answer is a JSON object.
 *
 * Both send through aws_send (signing, retries, the logs) and parse the answer with
 * jansson. The request bodies built here carry no secrets: the logs show them as sent
 * (aws_mask_for_log still masks members that name a secret). */
#ifndef LMSCTL_AWS_JSON_H
#define LMSCTL_AWS_JSON_H

#include <jansson.h>
#include <stdbool.h>

#include "aws/http.h"
#include "common/buf.h"
#include "common/error.h"

/* Sends `body` (NULL: {}) to `service` as `target_prefix`.`operation`. True with *out (an
 * object; json_decref it) for a 2xx answer; false with err otherwise (resp, which may be
 * NULL, tells what came back: resp->error_code for AWS errors). */
bool aws_json_call(aws_client *c, const char *service, const char *target_prefix,
                   const char *operation, const json_t *body, json_t **out, aws_response *resp,
                   lms_error *err);

/* A REST-JSON call: `method` on `path` (percent-encoded) with `query` (raw, NULL: none) and
 * no body. *out gets the answer's object ({} for an empty answer). */
bool aws_rest_json(aws_client *c, const char *service, const char *operation, const char *method,
                   const char *path, const char *query, json_t **out, aws_response *resp,
                   lms_error *err);

#endif
