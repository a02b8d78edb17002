/* query: the AWS Query protocol (CloudFormation, STS): a form-encoded POST of Action,
 * Version and the operation's parameters, answered with XML.
 *
 * aws_params collects the parameters in order, percent-encoded the SigV4 way; aws_query
 * sends them through aws_send and parses the answer with aws/xml.h.
 *
 * A secret parameter (a NoEcho parameter's value) is added with aws_params_add_secret:
 * the body sent carries its value, and the copy of the body every log is given (the
 * --debug log, the console's API log) carries "****" in its place. The logs never see the
 * value, in any encoding. */
#ifndef LMSCTL_AWS_QUERY_H
#define LMSCTL_AWS_QUERY_H

#include <stdbool.h>

#include "aws/http.h"
#include "aws/xml.h"
#include "common/buf.h"
#include "common/error.h"

typedef struct aws_params {
	const char *action; /* borrowed */
	buf body;           /* what is sent */
	buf log;            /* what the logs show: the body with secret values as "****" */
} aws_params;

void aws_params_init(aws_params *p, const char *action, const char *version);
void aws_params_free(aws_params *p);
/* Adds key=value; a NULL value adds nothing. */
void aws_params_add(aws_params *p, const char *key, const char *value);
/* Adds a key built with printf-style arguments: aws_params_addf(p, v, "Tags.member.%zu.Key",
 * i). */
void aws_params_addf(aws_params *p, const char *value, const char *key_fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same for a value no log may show. */
void aws_params_add_secret(aws_params *p, const char *key, const char *value);
void aws_params_addf_secret(aws_params *p, const char *value, const char *key_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sends the call to `service` and parses the answer. True with *out (free with xml_free)
 * for a 2xx answer with well-formed XML; false with err otherwise (resp, which may be NULL,
 * tells what came back: resp->error_code for AWS errors). */
bool aws_query(aws_client *c, const char *service, const aws_params *p, xml_doc **out,
               aws_response *resp, lms_error *err);

/* "<Action>Result" below the root of a Query answer, or NULL. */
const xml_node *aws_query_result(const xml_doc *doc, const char *action);

#endif
