#include "aws/s3.h"

#include "common/lazy_crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool s3_artifact_bucket_name(const char *account, const char *region, buf *out)
{
	buf_addf(out, "lmsctl-artifacts-%s-%s", account, region);
	return !out->failed;
}

/* Content-MD5: base64 of the MD5 digest (S3 requires it for the configuration PUTs). */
static bool content_md5(const void *data, size_t len, char out[32])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (EVP_Digest(data, len, md, &mdlen, EVP_md5(), NULL) != 1)
		return false;
	return EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen) > 0;
}

/* One S3 request on a bucket: method, path below the bucket ("/" or "/key"), query, body. */
static bool s3_call(aws_client *c, const char *operation, const char *method, const char *bucket,
                    const char *account, const char *path, const char *query, const void *body,
                    size_t len, const char *content_type, aws_response *resp, lms_error *err)
{
	sigv4_header headers[4];
	size_t n = 0;
	char md5[32] = {0};
	if (body) {
		if (!content_md5(body, len, md5)) {
			lms_error_set(err, NULL, 0, 0, "S3 %s: cannot compute Content-MD5",
			              operation);
			return false;
		}
		headers[n++] = (sigv4_header){"Content-MD5", md5};
		headers[n++] =
		    (sigv4_header){"Content-Type", content_type ? content_type : "application/xml"};
	}
	if (account)
		headers[n++] = (sigv4_header){"x-amz-expected-bucket-owner", account};
	aws_request req = {
	    .service = "s3",
	    .operation = operation,
	    .method = method,
	    .bucket = bucket,
	    .path = path,
	    .query = query,
	    .headers = headers,
	    .nheaders = n,
	    .body = body,
	    .body_len = len,
	};
	aws_response local;
	aws_response_init(&local);
	bool ok = aws_send(c, &req, resp ? resp : &local, err);
	aws_response_free(&local);
	return ok;
}

int s3_head_bucket(aws_client *c, const char *bucket, const char *account, lms_error *err)
{
	aws_response resp;
	aws_response_init(&resp);
	bool ok =
	    s3_call(c, "HeadBucket", "HEAD", bucket, account, "/", NULL, NULL, 0, NULL, &resp, err);
	int result = ok ? 1 : -1;
	if (!ok && resp.status == 404) {
		lms_error_clear(err);
		result = 0;
	} else if (!ok && resp.status == 403) {
		lms_error_set(err, NULL, 0, 0,
		              "S3 HeadBucket: bucket %s exists but is not this account's (%s), or "
		              "the identity may not read it (s3:ListBucket): the artifact bucket "
		              "name is taken, or the policy lacks it",
		              bucket, account);
	}
	aws_response_free(&resp);
	return result;
}

bool s3_create_bucket(aws_client *c, const char *bucket, const char *region, lms_error *err)
{
	buf body;
	buf_init(&body, 0);
	/* us-east-1 takes no location constraint; every other region needs one */
	if (strcmp(region, "us-east-1") != 0)
		buf_addf(&body,
		         "<CreateBucketConfiguration "
		         "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
		         "<LocationConstraint>%s</LocationConstraint></CreateBucketConfiguration>",
		         region);
	aws_response resp;
	aws_response_init(&resp);
	bool ok = s3_call(c, "CreateBucket", "PUT", bucket, NULL, "/", NULL,
	                  body.len ? body.data : NULL, body.len, NULL, &resp, err);
	if (!ok && resp.error_code && strcmp(resp.error_code, "BucketAlreadyOwnedByYou") == 0) {
		lms_error_clear(err);
		ok = true;
	} else if (!ok && resp.error_code && strcmp(resp.error_code, "BucketAlreadyExists") == 0) {
		lms_error_set(err, NULL, 0, 0,
		              "S3 CreateBucket: the bucket name %s is taken by another account; "
		              "lmsctl cannot use it for artifacts",
		              bucket);
	}
	aws_response_free(&resp);
	buf_free(&body);
	return ok;
}

static bool put_config(aws_client *c, const char *operation, const char *bucket,
                       const char *account, const char *query, const char *xml_or_json,
                       const char *content_type, lms_error *err)
{
	return s3_call(c, operation, "PUT", bucket, account, "/", query, xml_or_json,
	               strlen(xml_or_json), content_type, NULL, err);
}

bool s3_put_bucket_encryption(aws_client *c, const char *bucket, const char *account,
                              lms_error *err)
{
	static const char body[] =
	    "<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	    "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
	    "</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled>"
	    "</Rule></ServerSideEncryptionConfiguration>";
	return put_config(c, "PutBucketEncryption", bucket, account, "encryption=", body, NULL,
	                  err);
}

bool s3_put_public_access_block(aws_client *c, const char *bucket, const char *account,
                                lms_error *err)
{
	static const char body[] =
	    "<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	    "<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>"
	    "<BlockPublicPolicy>true</BlockPublicPolicy>"
	    "<RestrictPublicBuckets>true</RestrictPublicBuckets>"
	    "</PublicAccessBlockConfiguration>";
	return put_config(c, "PutPublicAccessBlock", bucket, account, "publicAccessBlock=", body,
	                  NULL, err);
}

bool s3_tls_only_policy(const char *bucket, buf *out)
{
	buf_addf(out,
	         "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"DenyInsecureTransport\","
	         "\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":["
	         "\"arn:aws:s3:::%s\",\"arn:aws:s3:::%s/*\"],\"Condition\":{\"Bool\":{"
	         "\"aws:SecureTransport\":\"false\"}}}]}",
	         bucket, bucket);
	return !out->failed;
}

bool s3_put_bucket_policy(aws_client *c, const char *bucket, const char *account, lms_error *err)
{
	buf policy;
	buf_init(&policy, 0);
	bool ok = s3_tls_only_policy(bucket, &policy) &&
	          put_config(c, "PutBucketPolicy", bucket, account, "policy=", buf_cstr(&policy),
	                     "application/json", err);
	if (policy.failed)
		lms_error_set(err, NULL, 0, 0, "out of memory");
	buf_free(&policy);
	return ok;
}

bool s3_put_bucket_lifecycle(aws_client *c, const char *bucket, const char *account, lms_error *err)
{
	char body[640];
	snprintf(body, sizeof body,
	         "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	         "<Rule><ID>expire-templates</ID><Filter><Prefix></Prefix></Filter>"
	         "<Status>Enabled</Status><Expiration><Days>%d</Days></Expiration>"
	         "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation>"
	         "</AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>",
	         S3_ARTIFACT_EXPIRY_DAYS);
	return put_config(c, "PutBucketLifecycleConfiguration", bucket, account, "lifecycle=", body,
	                  NULL, err);
}

/* An object key as it goes into the path: each segment URI-encoded, slashes kept. */
static bool key_path(const char *key, buf *out)
{
	buf_addc(out, '/');
	return sigv4_uri_encode(out, key, strlen(key), true) && !out->failed;
}

bool s3_put_object(aws_client *c, const char *bucket, const char *account, const char *key,
                   const void *data, size_t len, const char *content_type, lms_error *err)
{
	buf path;
	buf_init(&path, 0);
	bool ok = key_path(key, &path);
	if (!ok)
		lms_error_set(err, NULL, 0, 0, "out of memory");
	else
		ok = s3_call(c, "PutObject", "PUT", bucket, account, buf_cstr(&path), NULL,
		             data ? data : "", len, content_type ? content_type : "text/yaml", NULL,
		             err);
	buf_free(&path);
	return ok;
}

bool s3_ensure_artifact_bucket(aws_client *c, const char *bucket, const char *account,
                               const char *region, bool *created, lms_error *err)
{
	*created = false;
	int exists = s3_head_bucket(c, bucket, account, err);
	if (exists < 0)
		return false;
	if (exists == 1)
		return true;
	if (!s3_create_bucket(c, bucket, region, err))
		return false;
	*created = true;
	return s3_put_public_access_block(c, bucket, account, err) &&
	       s3_put_bucket_encryption(c, bucket, account, err) &&
	       (aws_client_plain_http(c, "s3") || s3_put_bucket_policy(c, bucket, account, err)) &&
	       s3_put_bucket_lifecycle(c, bucket, account, err);
}

bool s3_object_url(const char *bucket, const char *region, const char *key, buf *out)
{
	const char *dns = strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
	buf_addf(out, "https://%s.s3.%s.%s/", bucket, region, dns);
	return sigv4_uri_encode(out, key, strlen(key), true) && !out->failed;
}
