#include "aws/json.h"

#include "common/term.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The answer's object; false with err when it is not one. */
static bool parse_answer(const char *operation, const aws_response *r, json_t **out, lms_error *err)
{
	if (r->body.len == 0) {
		*out = json_object();
		return *out != NULL;
	}
	json_error_t jerr;
	*out = json_loadb(r->body.data, r->body.len, 0, &jerr);
	if (json_is_object(*out))
		return true;
	json_decref(*out);
	*out = NULL;
	lms_error_set(err, NULL, 0, 0,
	              "%s: the answer is not the JSON expected (%s; HTTP %ld, %zu bytes%s%s)",
	              operation, jerr.text[0] ? jerr.text : "not an object", r->status, r->body.len,
	              r->request_id ? ", request id " : "", r->request_id ? r->request_id : "");
	return false;
}

bool aws_json_call(aws_client *c, const char *service, const char *target_prefix,
                   const char *operation, const json_t *body, json_t **out, aws_response *resp,
                   lms_error *err)
{
	*out = NULL;
	char *text = body ? json_dumps(body, JSON_COMPACT) : strdup("{}");
	buf target;
	buf_init(&target, 0);
	buf_addf(&target, "%s.%s", target_prefix, operation);
	if (!text || target.failed) {
		free(text);
		buf_free(&target);
		lms_error_set(err, NULL, 0, 0, "%s: out of memory", operation);
		return false;
	}
	const sigv4_header headers[] = {
	    {"Content-Type", "application/x-amz-json-1.1"},
	    {"X-Amz-Target", buf_cstr(&target)},
	};
	aws_request req = {.service = service,
	                   .operation = operation,
	                   .method = "POST",
	                   .path = "/",
	                   .headers = headers,
	                   .nheaders = 2,
	                   .body = text,
	                   .body_len = strlen(text)};
	aws_response local;
	aws_response_init(&local);
	aws_response *r = resp ? resp : &local;
	bool ok = aws_send(c, &req, r, err) && parse_answer(operation, r, out, err);
	aws_response_free(&local);
	free(text);
	buf_free(&target);
	return ok;
}

bool aws_rest_json(aws_client *c, const char *service, const char *operation, const char *method,
                   const char *path, const char *query, json_t **out, aws_response *resp,
                   lms_error *err)
{
	*out = NULL;
	static const sigv4_header headers[] = {{"Content-Type", "application/json"}};
	aws_request req = {.service = service,
	                   .operation = operation,
	                   .method = method,
	                   .path = path,
	                   .query = query,
	                   .headers = headers,
	                   .nheaders = 1};
	aws_response local;
	aws_response_init(&local);
	aws_response *r = resp ? resp : &local;
	bool ok = aws_send(c, &req, r, err) && parse_answer(operation, r, out, err);
	aws_response_free(&local);
	return ok;
}
