#include "aws/cleanup.h"

#include "aws/json.h"
#include "aws/query.h"
#include "aws/sigv4.h"
#include "aws/xml.h"
#include "common/buf.h"
#include "common/vec.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOGS_TARGET "Logs_20140328"
#define SECRETS_TARGET "secretsmanager"
#define RDS_VERSION "2014-10-31"
/* pages read per list at most: a runaway NextToken loop stops */
#define MAX_PAGES 200

void aws_leftovers_free(aws_leftovers *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].name);
		free(l->v[i].owner);
		free(l->v[i].vault);
		free(l->v[i].when);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

bool aws_leftovers_take(aws_leftovers *l, size_t i, aws_leftovers *to)
{
	if (!VEC_RESERVE(to->v, to->cap, to->n + 1))
		return false;
	to->v[to->n++] = l->v[i];
	l->v[i] = l->v[--l->n];
	return true;
}

static char *dup_or_null(const char *s)
{
	return s && s[0] ? strdup(s) : NULL;
}

/* Appends one item; the strings are copied (NULL stays NULL). */
static bool add(aws_leftovers *out, aws_leftover_kind kind, const char *id, const char *name,
                const char *owner, const char *vault, const char *when, lms_error *err)
{
	if (!id || !id[0])
		return true; /* an entry without its id cannot be named nor deleted */
	if (!VEC_RESERVE(out->v, out->cap, out->n + 1)) {
		lms_error_set(err, NULL, 0, 0, "out of memory");
		return false;
	}
	aws_leftover *l = &out->v[out->n];
	*l = (aws_leftover){kind,
	                    strdup(id),
	                    strdup(name && name[0] ? name : id),
	                    dup_or_null(owner),
	                    dup_or_null(vault),
	                    dup_or_null(when)};
	if (!l->id || !l->name || (owner && owner[0] && !l->owner) ||
	    (vault && vault[0] && !l->vault) || (when && when[0] && !l->when)) {
		free(l->id);
		free(l->name);
		free(l->owner);
		free(l->vault);
		free(l->when);
		lms_error_set(err, NULL, 0, 0, "out of memory");
		return false;
	}
	out->n++;
	return true;
}

/* The next page's token (copied into *token, NULL when none); false when out of memory. */
static bool next_token(const json_t *answer, const char *member, char **token)
{
	free(*token);
	*token = NULL;
	const char *t = json_string_value(json_object_get(answer, member));
	if (t && t[0])
		*token = strdup(t);
	return !(t && t[0] && !*token);
}

/* ---- CloudWatch Logs ----------------------------------------------------------------- */

bool aws_list_log_groups(aws_client *c, const char *prefix, aws_leftovers *out, lms_error *err)
{
	char *token = NULL;
	bool ok = true;
	for (int page = 0; ok && page < MAX_PAGES; page++) {
		json_t *rq = json_pack("{s:s}", "logGroupNamePrefix", prefix);
		if (rq && token)
			json_object_set_new(rq, "nextToken", json_string(token));
		json_t *a = NULL;
		ok = rq &&
		     aws_json_call(c, "logs", LOGS_TARGET, "DescribeLogGroups", rq, &a, NULL, err);
		json_decref(rq);
		size_t i;
		json_t *g;
		json_array_foreach(ok ? json_object_get(a, "logGroups") : NULL, i, g)
		{
			const char *name = json_string_value(json_object_get(g, "logGroupName"));
			ok = ok &&
			     add(out, AWS_LEFTOVER_LOG_GROUP, name, name, NULL, NULL, NULL, err);
		}
		ok = ok && next_token(a, "nextToken", &token);
		json_decref(a);
		if (!token)
			break;
	}
	free(token);
	return ok;
}

/* ---- Secrets Manager ------------------------------------------------------------------ */

/* The tag that ties a secret to its owner: the stack that made it, or the cluster RDS made
 * it for. */
static const char *secret_owner(const json_t *secret)
{
	size_t i;
	json_t *t;
	const char *owner = NULL;
	json_array_foreach(json_object_get(secret, "Tags"), i, t)
	{
		const char *k = json_string_value(json_object_get(t, "Key"));
		const char *v = json_string_value(json_object_get(t, "Value"));
		if (k && v &&
		    (strcmp(k, "aws:cloudformation:stack-name") == 0 ||
		     strcmp(k, "aws:rds:primaryDBClusterArn") == 0))
			owner = v;
	}
	return owner;
}

bool aws_list_deleted_secrets(aws_client *c, aws_leftovers *out, lms_error *err)
{
	char *token = NULL;
	bool ok = true;
	for (int page = 0; ok && page < MAX_PAGES; page++) {
		json_t *rq =
		    json_pack("{s:b, s:i}", "IncludePlannedDeletion", 1, "MaxResults", 100);
		if (rq && token)
			json_object_set_new(rq, "NextToken", json_string(token));
		json_t *a = NULL;
		ok = rq && aws_json_call(c, "secretsmanager", SECRETS_TARGET, "ListSecrets", rq, &a,
		                         NULL, err);
		json_decref(rq);
		size_t i;
		json_t *s;
		json_array_foreach(ok ? json_object_get(a, "SecretList") : NULL, i, s)
		{
			const json_t *deleted = json_object_get(s, "DeletedDate");
			if (!deleted || json_is_null(deleted))
				continue;
			char when[64] = "";
			if (json_is_number(deleted))
				snprintf(when, sizeof when, "%.0f", json_number_value(deleted));
			else if (json_is_string(deleted))
				snprintf(when, sizeof when, "%s", json_string_value(deleted));
			ok = ok && add(out, AWS_LEFTOVER_SECRET,
			               json_string_value(json_object_get(s, "ARN")),
			               json_string_value(json_object_get(s, "Name")),
			               secret_owner(s), NULL, when, err);
		}
		ok = ok && next_token(a, "NextToken", &token);
		json_decref(a);
		if (!token)
			break;
	}
	free(token);
	return ok;
}

/* ---- RDS ---------------------------------------------------------------------------- */

bool aws_list_cluster_snapshots(aws_client *c, const char *cluster_id, aws_leftovers *out,
                                lms_error *err)
{
	char *marker = NULL;
	bool ok = true;
	for (int page = 0; ok && page < MAX_PAGES; page++) {
		aws_params p;
		aws_params_init(&p, "DescribeDBClusterSnapshots", RDS_VERSION);
		aws_params_add(&p, "DBClusterIdentifier", cluster_id);
		aws_params_add(&p, "Marker", marker);
		xml_doc *doc = NULL;
		ok = aws_query(c, "rds", &p, &doc, NULL, err);
		aws_params_free(&p);
		const xml_node *r = ok ? aws_query_result(doc, "DescribeDBClusterSnapshots") : NULL;
		const xml_node *list = xml_child(r, "DBClusterSnapshots");
		for (const xml_node *m = xml_child(list, "DBClusterSnapshot"); ok && m;
		     m = xml_next_same(m)) {
			const char *type = xml_path_text(m, "SnapshotType");
			if (type && strcmp(type, "automated") == 0)
				continue;
			const char *id = xml_path_text(m, "DBClusterSnapshotIdentifier");
			ok = add(out, AWS_LEFTOVER_CLUSTER_SNAPSHOT, id, id,
			         xml_path_text(m, "DBClusterIdentifier"), NULL,
			         xml_path_text(m, "SnapshotCreateTime"), err);
		}
		free(marker);
		marker = r ? xml_path_dup(r, "Marker") : NULL;
		xml_free(doc);
		if (!marker || !marker[0])
			break;
	}
	free(marker);
	return ok;
}

/* ---- AWS Backup ----------------------------------------------------------------------- */

/* "?nextToken=..." for a page after the first. */
static void page_query(buf *q, const char *token)
{
	buf_reset(q);
	buf_adds(q, "maxResults=1000");
	if (token) {
		buf_adds(q, "&nextToken=");
		sigv4_uri_encode(q, token, strlen(token), false);
	}
}

static bool list_points_of(aws_client *c, const char *vault, aws_leftovers *out, lms_error *err)
{
	buf path, q;
	buf_init(&path, 0);
	buf_init(&q, 0);
	buf_adds(&path, "/backup-vaults/");
	sigv4_uri_encode(&path, vault, strlen(vault), false);
	buf_adds(&path, "/recovery-points/");
	char *token = NULL;
	bool ok = !path.failed;
	for (int page = 0; ok && page < MAX_PAGES; page++) {
		page_query(&q, token);
		json_t *a = NULL;
		ok =
		    !q.failed && aws_rest_json(c, "backup", "ListRecoveryPointsByBackupVault",
		                               "GET", buf_cstr(&path), buf_cstr(&q), &a, NULL, err);
		size_t i;
		json_t *p;
		json_array_foreach(ok ? json_object_get(a, "RecoveryPoints") : NULL, i, p)
		{
			const char *arn = json_string_value(json_object_get(p, "RecoveryPointArn"));
			ok = ok && add(out, AWS_LEFTOVER_RECOVERY_POINT, arn, arn,
			               json_string_value(json_object_get(p, "ResourceArn")), vault,
			               NULL, err);
		}
		ok = ok && next_token(a, "NextToken", &token);
		json_decref(a);
		if (!token)
			break;
	}
	free(token);
	buf_free(&path);
	buf_free(&q);
	return ok;
}

bool aws_list_recovery_points(aws_client *c, aws_leftovers *out, lms_error *err)
{
	char *token = NULL;
	buf q;
	buf_init(&q, 0);
	bool ok = true;
	for (int page = 0; ok && page < MAX_PAGES; page++) {
		page_query(&q, token);
		json_t *a = NULL;
		ok = !q.failed && aws_rest_json(c, "backup", "ListBackupVaults", "GET",
		                                "/backup-vaults/", buf_cstr(&q), &a, NULL, err);
		size_t i;
		json_t *v;
		json_array_foreach(ok ? json_object_get(a, "BackupVaultList") : NULL, i, v)
		{
			const char *name = json_string_value(json_object_get(v, "BackupVaultName"));
			ok = ok && (!name || list_points_of(c, name, out, err));
		}
		ok = ok && next_token(a, "NextToken", &token);
		json_decref(a);
		if (!token)
			break;
	}
	free(token);
	buf_free(&q);
	return ok;
}

/* ---- removing ------------------------------------------------------------------------ */

/* Whether a failed call says the item is already gone. */
static bool gone(const aws_response *r)
{
	static const char *const codes[] = {"ResourceNotFoundException",
	                                    "DBClusterSnapshotNotFoundFault"};
	for (size_t i = 0; r->error_code && i < sizeof codes / sizeof codes[0]; i++)
		if (strcmp(r->error_code, codes[i]) == 0)
			return true;
	return false;
}

/* One JSON 1.1 call whose answer is not needed; a "not found" counts as done. */
static bool json_do(aws_client *c, const char *service, const char *target, const char *op,
                    json_t *rq, lms_error *err)
{
	aws_response r;
	aws_response_init(&r);
	json_t *a = NULL;
	lms_error e = {0};
	bool ok = rq && aws_json_call(c, service, target, op, rq, &a, &r, &e);
	if (!ok && gone(&r)) {
		ok = true;
		lms_error_clear(&e);
	} else if (!ok) {
		*err = e;
		if (!rq)
			lms_error_set(err, NULL, 0, 0, "%s: out of memory", op);
	}
	json_decref(a);
	json_decref(rq);
	aws_response_free(&r);
	return ok;
}

static bool delete_secret(aws_client *c, const char *arn, lms_error *err)
{
	/* scheduled for deletion: RestoreSecret first, else DeleteSecret refuses */
	return json_do(c, "secretsmanager", SECRETS_TARGET, "RestoreSecret",
	               json_pack("{s:s}", "SecretId", arn), err) &&
	       json_do(c, "secretsmanager", SECRETS_TARGET, "DeleteSecret",
	               json_pack("{s:s, s:b}", "SecretId", arn, "ForceDeleteWithoutRecovery", 1),
	               err);
}

static bool delete_snapshot(aws_client *c, const char *id, lms_error *err)
{
	aws_params p;
	aws_params_init(&p, "DeleteDBClusterSnapshot", RDS_VERSION);
	aws_params_add(&p, "DBClusterSnapshotIdentifier", id);
	aws_response r;
	aws_response_init(&r);
	xml_doc *doc = NULL;
	lms_error e = {0};
	bool ok = aws_query(c, "rds", &p, &doc, &r, &e);
	if (!ok && gone(&r)) {
		ok = true;
		lms_error_clear(&e);
	} else if (!ok) {
		*err = e;
	}
	xml_free(doc);
	aws_params_free(&p);
	aws_response_free(&r);
	return ok;
}

static bool delete_point(aws_client *c, const aws_leftover *l, lms_error *err)
{
	buf path;
	buf_init(&path, 0);
	buf_adds(&path, "/backup-vaults/");
	sigv4_uri_encode(&path, l->vault ? l->vault : "", l->vault ? strlen(l->vault) : 0, false);
	buf_adds(&path, "/recovery-points/");
	sigv4_uri_encode(&path, l->id, strlen(l->id), false);
	aws_response r;
	aws_response_init(&r);
	json_t *a = NULL;
	lms_error e = {0};
	bool ok = !path.failed && aws_rest_json(c, "backup", "DeleteRecoveryPoint", "DELETE",
	                                        buf_cstr(&path), NULL, &a, &r, &e);
	if (!ok && gone(&r)) {
		ok = true;
		lms_error_clear(&e);
	} else if (!ok) {
		*err = e;
		if (path.failed)
			lms_error_set(err, NULL, 0, 0, "out of memory");
	}
	json_decref(a);
	aws_response_free(&r);
	buf_free(&path);
	return ok;
}

bool aws_delete_leftover(aws_client *c, const aws_leftover *l, lms_error *err)
{
	switch (l->kind) {
	case AWS_LEFTOVER_LOG_GROUP:
		return json_do(c, "logs", LOGS_TARGET, "DeleteLogGroup",
		               json_pack("{s:s}", "logGroupName", l->id), err);
	case AWS_LEFTOVER_SECRET:
		return delete_secret(c, l->id, err);
	case AWS_LEFTOVER_CLUSTER_SNAPSHOT:
		return delete_snapshot(c, l->id, err);
	case AWS_LEFTOVER_RECOVERY_POINT:
		return delete_point(c, l, err);
	}
	return false;
}
