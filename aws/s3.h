/* s3: the artifact bucket that holds templates too large to send inline (over 51,200
 * bytes), over the S3 REST API.
 *
 * The bucket is lmsctl-artifacts-<account>-<region>: private (every public access block
 * on), encrypted at rest (SSE-S3), TLS only (a bucket policy denying aws:SecureTransport
 * false), objects expiring after S3_ARTIFACT_EXPIRY_DAYS. Every request after the
 * creation names the expected owner (x-amz-expected-bucket-owner), so that a bucket of the
 * same name in another account is never written to. */
#ifndef LMSCTL_AWS_S3_H
#define LMSCTL_AWS_S3_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/http.h"
#include "common/buf.h"
#include "common/error.h"

#define S3_ARTIFACT_EXPIRY_DAYS 30

/* "lmsctl-artifacts-<account>-<region>" into out. */
bool s3_artifact_bucket_name(const char *account, const char *region, buf *out);

/* HeadBucket: 1 the bucket exists and is the account's, 0 it does not exist, -1 on error
 * (err set; a bucket owned by someone else is an error that says so). */
int s3_head_bucket(aws_client *c, const char *bucket, const char *account, lms_error *err);
bool s3_create_bucket(aws_client *c, const char *bucket, const char *region, lms_error *err);
bool s3_put_bucket_encryption(aws_client *c, const char *bucket, const char *account,
                              lms_error *err);
bool s3_put_public_access_block(aws_client *c, const char *bucket, const char *account,
                                lms_error *err);
bool s3_put_bucket_policy(aws_client *c, const char *bucket, const char *account, lms_error *err);
bool s3_put_bucket_lifecycle(aws_client *c, const char *bucket, const char *account,
                             lms_error *err);
bool s3_put_object(aws_client *c, const char *bucket, const char *account, const char *key,
                   const void *data, size_t len, const char *content_type, lms_error *err);

/* The artifact bucket, made ready: created and configured when it does not exist yet (on
 * each creation the four settings above are applied); *created says whether it was. Over
 * plain http (a local emulator) the TLS-only policy is not applied: it would refuse the
 * very requests that follow. */
bool s3_ensure_artifact_bucket(aws_client *c, const char *bucket, const char *account,
                               const char *region, bool *created, lms_error *err);

/* The https URL CloudFormation reads an object from: virtual-hosted style on AWS. */
bool s3_object_url(const char *bucket, const char *region, const char *key, buf *out);

/* The bucket policy document (TLS only), exposed for tests. */
bool s3_tls_only_policy(const char *bucket, buf *out);

#endif
