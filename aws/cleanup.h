/* cleanup: the calls that find and remove what an environment leaves outside its stack
 * once CloudFormation has deleted it: CloudWatch Logs log groups a service made itself,
 * Secrets Manager secrets scheduled for deletion, RDS cluster snapshots, and AWS Backup
 * recovery points. Logs and Secrets Manager speak JSON 1.1, Backup REST-JSON (aws/json.h),
 * RDS the Query protocol (aws/query.h).
 *
 * This module lists and deletes; which items belong to an environment is ops/leftovers.h's
 * to decide (aws/ knows nothing of the model). Every list reads every page. */
#ifndef LMSCTL_AWS_CLEANUP_H
#define LMSCTL_AWS_CLEANUP_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/http.h"
#include "common/error.h"

typedef enum aws_leftover_kind {
	AWS_LEFTOVER_RECOVERY_POINT,   /* AWS Backup: a recovery point in a vault */
	AWS_LEFTOVER_CLUSTER_SNAPSHOT, /* RDS: a manual DB cluster snapshot */
	AWS_LEFTOVER_LOG_GROUP,        /* CloudWatch Logs: a log group */
	AWS_LEFTOVER_SECRET,           /* Secrets Manager: a secret scheduled for deletion */
} aws_leftover_kind;

typedef struct aws_leftover {
	aws_leftover_kind kind;
	char *id;    /* what the delete names: group name, snapshot id, secret ARN, point ARN */
	char *name;  /* what an operator knows it by (the secret's name; else the id) */
	char *owner; /* the resource it belongs to: a recovery point's or snapshot's resource
	              * (ARN or cluster id); a secret's aws:cloudformation:stack-name or
	              * aws:rds:primaryDBClusterArn tag; NULL when none */
	char *vault; /* recovery points: the backup vault; NULL otherwise */
	char *when;  /* secrets: DeletedDate (seconds or ISO 8601, as sent); NULL otherwise */
} aws_leftover;

typedef struct aws_leftovers {
	aws_leftover *v;
	size_t n, cap;
} aws_leftovers;

void aws_leftovers_free(aws_leftovers *l);
/* Moves item i out of l into `to` (the order of l changes). False when out of memory. */
bool aws_leftovers_take(aws_leftovers *l, size_t i, aws_leftovers *to);

/* DescribeLogGroups with logGroupNamePrefix `prefix`. */
bool aws_list_log_groups(aws_client *c, const char *prefix, aws_leftovers *out, lms_error *err);
/* ListSecrets with IncludePlannedDeletion: the secrets with a DeletedDate only. */
bool aws_list_deleted_secrets(aws_client *c, aws_leftovers *out, lms_error *err);
/* DescribeDBClusterSnapshots of cluster `cluster_id`, manual ones only (automated snapshots
 * go with the cluster's automated backups). */
bool aws_list_cluster_snapshots(aws_client *c, const char *cluster_id, aws_leftovers *out,
                                lms_error *err);
/* ListBackupVaults, then ListRecoveryPointsByBackupVault of each vault. */
bool aws_list_recovery_points(aws_client *c, aws_leftovers *out, lms_error *err);

/* Removes one item for good: DeleteLogGroup; RestoreSecret then DeleteSecret with
 * ForceDeleteWithoutRecovery (a secret scheduled for deletion cannot be deleted again
 * otherwise); DeleteDBClusterSnapshot; DeleteRecoveryPoint. An item already gone counts as
 * removed. */
bool aws_delete_leftover(aws_client *c, const aws_leftover *l, lms_error *err);

#endif
