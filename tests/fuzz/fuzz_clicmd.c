/* Fuzz target: bytes as the body (or, for S3, the path) of an AWS call, turned into the
 * equivalent `aws` command line for the console's API log (aws_cli_command). The first
 * byte picks the service. Whatever the bytes: it succeeds, the line is one line, it
 * starts with "aws " and ends with the region, it holds no control character, and a
 * registered masked value given whole as a parameter's value never appears. */
#define _GNU_SOURCE /* memmem */
#include "aws/http.h"
#include "common/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECRET "Zq9SECRETzQ9"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	static const char *const services[] = {"cloudformation", "sts", "s3"};
	const char *service = services[data[0] % 3];
	/* the rest, NUL-terminated, with the secret appended as a whole value */
	buf body;
	buf_init(&body, 0);
	buf_add(&body, data + 1, size - 1);
	if (memchr(buf_cstr(&body), '\0', body.len)) {
		buf_free(&body);
		return 0; /* a body with NUL bytes is not a form an SDK sends */
	}
	buf_adds(&body, "&Parameters.member.9.ParameterValue=" SECRET);
	aws_request req = {.service = service,
	                   .operation = "CreateChangeSet",
	                   .method = "POST",
	                   .bucket = data[0] % 3 == 2 ? "bucket" : NULL,
	                   .path = data[0] % 3 == 2 ? buf_cstr(&body) : "/",
	                   .body = data[0] % 3 == 2 ? NULL : buf_cstr(&body),
	                   .body_len = data[0] % 3 == 2 ? 0 : body.len};
	static const char *const masked[] = {SECRET};
	aws_call_record rec = {.req = &req,
	                       .region = "eu-west-1",
	                       .endpoint_url = NULL,
	                       .masked = masked,
	                       .nmasked = 1};
	buf out;
	buf_init(&out, 0);
	if (!aws_cli_command(&rec, &out))
		abort();
	const char *s = buf_cstr(&out);
	if (strncmp(s, "aws ", 4) != 0 || strchr(s, '\n'))
		abort();
	const char *tail = " --region eu-west-1";
	if (out.len < strlen(tail) || strcmp(s + out.len - strlen(tail), tail) != 0)
		abort();
	/* the secret appended whole is masked (unless the bytes carry it themselves) */
	if (data[0] % 3 != 2 && strstr(s, SECRET) && !memmem(data, size, SECRET, strlen(SECRET)))
		abort();
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort(); /* nothing that could move the cursor of the API log */
	buf_free(&out);
	buf_free(&body);
	return 0;
}
