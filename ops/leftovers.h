/* leftovers: what a deleted environment leaves outside its stack, found and removed for
 * `lmsctl destroy` (--purge) and the console's X.
 *
 * After DELETE_COMPLETE some things outlive the stack: recovery points of EFS automatic
 * backups (and any other backup vault entry of the environment's resources), manual RDS
 * cluster snapshots, log groups services made or remade on their own (a last Container
 * Insights event, a Lambda log line after its group went), and secrets Secrets Manager
 * keeps scheduled for deletion up to 30 days, which block a new secret of the same name.
 * An item belongs to the environment when one of its names (or the resource it was made
 * from) is an lmsctl name of that environment (lms-...-SUFFIX, also behind the
 * aws-waf-logs- prefix WAF requires of its log groups, or STACK-...), or is one of the
 * stack's former resources (their physical ids, read before the deletion).
 *
 * The edge stack (us-east-1) leaves what its Region's services make: its WAF log group
 * (aws-waf-logs-lms-web-SUFFIX) when a last write remade it, and log groups named after the
 * stack; it holds no database, backup or secret, so only log groups are looked for there
 * (sf_leftovers_find_kinds). Its access logs go to the main stack's bucket, emptied on
 * delete; its KMS key waits out its deletion window (KeyDeletionWindowDays) and cannot be
 * removed sooner.
 *
 * Nothing here prints or prompts. */
#ifndef LMSCTL_OPS_LEFTOVERS_H
#define LMSCTL_OPS_LEFTOVERS_H

#include "aws/cfn.h"
#include "aws/cleanup.h"
#include "aws/http.h"
#include "common/buf.h"
#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct sf_leftover_scope {
	const char *stack;  /* the stack's name */
	const char *suffix; /* the environment suffix its resources are named with */
	/* the stack's resources before the deletion (cfn_list_stack_resources); may be none */
	const cfn_event *resources;
	size_t nresources;
} sf_leftover_scope;

/* Whether `l` belongs to the environment `sc` describes (exposed for the tests). */
bool sf_leftover_belongs(const sf_leftover_scope *sc, const aws_leftover *l);
/* "recovery point", "cluster snapshot", "log group", "secret pending deletion" */
const char *sf_leftover_kind_name(aws_leftover_kind k);

/* Lists the environment's leftovers of every kind into *out. A kind whose list fails
 * (access denied, a service the endpoint lacks) is skipped: false with err naming every
 * kind that could not be read, *out holding what the others found. */
bool sf_leftovers_find(aws_client *aws, const sf_leftover_scope *sc, aws_leftovers *out,
                       lms_error *err);
/* The same for the kinds `kinds` names only, SF_LEFTOVER_KIND(k) or'ed (the edge's Region:
 * its log groups). */
#define SF_LEFTOVER_KIND(k) (1u << (unsigned)(k))
bool sf_leftovers_find_kinds(aws_client *aws, const sf_leftover_scope *sc, unsigned kinds,
                             aws_leftovers *out, lms_error *err);

/* Removes each item (aws_delete_leftover); `done` (NULL: none) hears each result. Returns
 * how many failed. */
size_t sf_leftovers_purge(aws_client *aws, const aws_leftovers *l,
                          void (*done)(void *ctx, const aws_leftover *l, const lms_error *err),
                          void *ctx);

#endif
