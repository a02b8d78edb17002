#include "ops/leftovers.h"

#include <stdlib.h>
#include <string.h>

const char *sf_leftover_kind_name(aws_leftover_kind k)
{
	switch (k) {
	case AWS_LEFTOVER_RECOVERY_POINT:
		return "recovery point";
	case AWS_LEFTOVER_CLUSTER_SNAPSHOT:
		return "cluster snapshot";
	case AWS_LEFTOVER_LOG_GROUP:
		return "log group";
	case AWS_LEFTOVER_SECRET:
		return "secret pending deletion";
	}
	return "?";
}

static bool starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && strncmp(s, prefix, k) == 0;
}

#define WAF_LOG_PREFIX "aws-waf-logs-"

/* One segment of a name (between '/' and ':'): an lmsctl name of the environment, or one
 * of the stack's physical ids. */
static bool segment_belongs(const sf_leftover_scope *sc, const char *s, size_t n)
{
	size_t ls = strlen(sc->suffix), lk = strlen(sc->stack);
	/* WAF logs only to log groups named aws-waf-logs-*: the lmsctl name follows */
	if (starts(s, n, WAF_LOG_PREFIX)) {
		s += strlen(WAF_LOG_PREFIX);
		n -= strlen(WAF_LOG_PREFIX);
	}
	/* lms-...-SUFFIX: the suffix whole, at the end (lms-db-cluster-dev, not ...-devx) */
	if (ls && starts(s, n, "lms-") && n > ls + 4 && s[n - ls - 1] == '-' &&
	    strncmp(s + n - ls, sc->suffix, ls) == 0)
		return true;
	/* what CloudFormation names after the stack: STACK-LogicalId-RANDOM */
	if (lk && n > lk && strncmp(s, sc->stack, lk) == 0 && s[lk] == '-')
		return true;
	if (lk && n == lk && strncmp(s, sc->stack, lk) == 0)
		return true;
	for (size_t i = 0; i < sc->nresources; i++) {
		const char *p = sc->resources[i].physical_id;
		if (p && p[0] && strlen(p) == n && strncmp(s, p, n) == 0)
			return true;
	}
	return false;
}

/* Whether a name, an ARN or a path has a segment that belongs; a whole physical id (an
 * ARN itself) counts too. */
static bool name_belongs(const sf_leftover_scope *sc, const char *name)
{
	if (!name)
		return false;
	for (size_t i = 0; i < sc->nresources; i++) {
		const char *p = sc->resources[i].physical_id;
		if (p && strchr(p, ':') && strcmp(p, name) == 0)
			return true;
	}
	const char *s = name;
	while (*s) {
		size_t n = strcspn(s, "/:");
		if (n && segment_belongs(sc, s, n))
			return true;
		s += n;
		if (*s)
			s++;
	}
	return false;
}

bool sf_leftover_belongs(const sf_leftover_scope *sc, const aws_leftover *l)
{
	return name_belongs(sc, l->name) || name_belongs(sc, l->id) || name_belongs(sc, l->owner);
}

/* Log group names lmsctl's templates and AWS's services use. */
static const char *const log_prefixes[] = {"/aws/", "/lms/", "/ecs/", "lms-", "aws-waf-logs-lms-"};

/* Keeps what belongs of `all` in `out`. */
static bool keep_belonging(const sf_leftover_scope *sc, aws_leftovers *all, aws_leftovers *out)
{
	for (size_t i = all->n; i-- > 0;)
		if (sf_leftover_belongs(sc, &all->v[i]) && !aws_leftovers_take(all, i, out))
			return false;
	return true;
}

static void note_failure(buf *failed, const char *what, lms_error *e)
{
	buf_addf(failed, "%s%s: %s", failed->len ? "; " : "", what, e->msg ? e->msg : "failed");
	lms_error_clear(e);
}

bool sf_leftovers_find(aws_client *aws, const sf_leftover_scope *sc, aws_leftovers *out,
                       lms_error *err)
{
	return sf_leftovers_find_kinds(aws, sc, ~0u, out, err);
}

bool sf_leftovers_find_kinds(aws_client *aws, const sf_leftover_scope *sc, unsigned kinds,
                             aws_leftovers *out, lms_error *err)
{
	buf failed;
	buf_init(&failed, 0);
	bool oom = false;
	for (int kind = AWS_LEFTOVER_RECOVERY_POINT; kind <= AWS_LEFTOVER_SECRET && !oom; kind++) {
		if (!(kinds & SF_LEFTOVER_KIND(kind)))
			continue;
		aws_leftovers all = {0};
		lms_error e = {0};
		bool ok = true;
		const char *what = "";
		switch ((aws_leftover_kind)kind) { /* every kind, in the enum's order */
		case AWS_LEFTOVER_RECOVERY_POINT:
			what = "backup recovery points";
			ok = aws_list_recovery_points(aws, &all, &e);
			break;
		case AWS_LEFTOVER_CLUSTER_SNAPSHOT:
			what = "RDS cluster snapshots";
			ok = aws_list_cluster_snapshots(aws, NULL, &all, &e);
			break;
		case AWS_LEFTOVER_LOG_GROUP:
			what = "log groups";
			for (size_t p = 0; ok && p < sizeof log_prefixes / sizeof log_prefixes[0];
			     p++)
				ok = aws_list_log_groups(aws, log_prefixes[p], &all, &e);
			break;
		case AWS_LEFTOVER_SECRET:
			what = "secrets pending deletion";
			ok = aws_list_deleted_secrets(aws, &all, &e);
			break;
		}
		if (!ok)
			note_failure(&failed, what, &e);
		/* what a failed list found before it failed still counts */
		oom = !keep_belonging(sc, &all, out);
		aws_leftovers_free(&all);
	}
	bool ok = failed.len == 0 && !oom && !failed.failed;
	if (oom)
		lms_error_set(err, NULL, 0, 0, "out of memory");
	else if (!ok)
		lms_error_set(err, NULL, 0, 0, "could not list %s", buf_cstr(&failed));
	buf_free(&failed);
	return ok;
}

size_t sf_leftovers_purge(aws_client *aws, const aws_leftovers *l,
                          void (*done)(void *ctx, const aws_leftover *l, const lms_error *err),
                          void *ctx)
{
	size_t failed = 0;
	for (size_t i = 0; i < l->n; i++) {
		lms_error e = {0};
		bool ok = aws_delete_leftover(aws, &l->v[i], &e);
		failed += !ok;
		if (done)
			done(ctx, &l->v[i], ok ? NULL : &e);
		lms_error_clear(&e);
	}
	return failed;
}
