#include "aws/sts.h"

#include "aws/cfn.h"
#include "aws/query.h"
#include "aws/xml.h"
#include "common/lazy_crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STS_VERSION "2011-06-15"

void sts_identity_free(sts_identity *id)
{
	if (!id)
		return;
	free(id->account);
	free(id->arn);
	free(id->user_id);
	id->account = id->arn = id->user_id = NULL;
}

bool sts_get_caller_identity(aws_client *c, sts_identity *out, lms_error *err)
{
	memset(out, 0, sizeof *out);
	aws_params p;
	aws_params_init(&p, "GetCallerIdentity", STS_VERSION);
	xml_doc *doc = NULL;
	bool ok = aws_query(c, "sts", &p, &doc, NULL, err);
	aws_params_free(&p);
	if (!ok)
		return false;
	const xml_node *r = aws_query_result(doc, "GetCallerIdentity");
	out->account = xml_path_dup(r, "Account");
	out->arn = xml_path_dup(r, "Arn");
	out->user_id = xml_path_dup(r, "UserId");
	xml_free(doc);
	if (!out->account || !out->arn || !out->account[0]) {
		sts_identity_free(out);
		lms_error_set(err, NULL, 0, 0,
		              "STS GetCallerIdentity: the answer has no Account or Arn");
		return false;
	}
	return true;
}

bool sts_parse_assume_role(const xml_node *result, credentials **out, lms_error *err)
{
	*out = NULL;
	const xml_node *cr = xml_child(result, "Credentials");
	const char *id = xml_path_text(cr, "AccessKeyId");
	const char *secret = xml_path_text(cr, "SecretAccessKey");
	const char *token = xml_path_text(cr, "SessionToken");
	if (!id || !secret || !token || !id[0] || !secret[0]) {
		lms_error_set(err, NULL, 0, 0, "STS AssumeRole: the answer has no credentials");
		return false;
	}
	credentials *c = calloc(1, sizeof *c);
	if (!c) {
		lms_error_set(err, NULL, 0, 0, "out of memory");
		return false;
	}
	c->access_key_id = strdup(id);
	c->secret_access_key = strdup(secret);
	c->session_token = strdup(token);
	c->expiration = cfn_parse_time(xml_path_text(cr, "Expiration"));
	const char *arn = xml_path_text(result, "AssumedRoleUser/Arn");
	buf src;
	buf_init(&src, 0);
	buf_addf(&src, "role %s (AssumeRole)", arn ? arn : "?");
	c->source = buf_take(&src);
	if (!c->access_key_id || !c->secret_access_key || !c->session_token || !c->source) {
		credentials_free(c);
		lms_error_set(err, NULL, 0, 0, "out of memory");
		return false;
	}
	*out = c;
	return true;
}

bool sts_assume_role(aws_client *c, const sts_assume_request *rq, credentials **out, lms_error *err)
{
	*out = NULL;
	const char *action = rq->web_identity_token ? "AssumeRoleWithWebIdentity" : "AssumeRole";
	aws_params p;
	aws_params_init(&p, action, STS_VERSION);
	aws_params_add(&p, "RoleArn", rq->role_arn);
	aws_params_add(&p, "RoleSessionName", rq->session_name);
	if (rq->duration_seconds > 0) {
		char d[16];
		snprintf(d, sizeof d, "%d", rq->duration_seconds);
		aws_params_add(&p, "DurationSeconds", d);
	}
	if (rq->web_identity_token) {
		aws_params_add_secret(&p, "WebIdentityToken", rq->web_identity_token);
	} else {
		aws_params_add(&p, "ExternalId", rq->external_id);
		aws_params_add(&p, "SerialNumber", rq->serial_number);
		aws_params_add_secret(&p, "TokenCode", rq->token_code);
	}
	xml_doc *doc = NULL;
	aws_response resp;
	aws_response_init(&resp);
	bool ok = aws_query(c, "sts", &p, &doc, &resp, err);
	/* the request held a token, the answer a secret key: wipe both */
	if (p.body.data)
		OPENSSL_cleanse(p.body.data, p.body.len);
	aws_params_free(&p);
	if (resp.body.data)
		OPENSSL_cleanse(resp.body.data, resp.body.len);
	aws_response_free(&resp);
	if (!ok)
		return false;
	const xml_node *result = aws_query_result(doc, action);
	ok = sts_parse_assume_role(result, out, err);
	/* wipe the parsed copy too */
	const xml_node *cr = xml_path(result, "Credentials");
	for (size_t i = 0; cr && i < cr->n; i++)
		OPENSSL_cleanse(cr->kids[i]->text, cr->kids[i]->text_len);
	xml_free(doc);
	return ok;
}
