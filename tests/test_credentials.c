/* Credential and region resolution: precedence between the command line, the environment and
 * the shared files, the INI dialect, credential_process, and the messages an operator sees.
 * Every test runs with HOME set to a fresh temporary folder and no AWS_* variables. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aws/credentials.h"
#include "aws/provider.h"
#include "common/buf.h"
#include "common/error.h"

#include "alloc_fail.h"

static const char *const aws_vars[] = {
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",       "AWS_SESSION_TOKEN", "AWS_PROFILE",
    "AWS_CONFIG_FILE",   "AWS_SHARED_CREDENTIALS_FILE", "AWS_REGION",        "AWS_DEFAULT_REGION",
};

/* Files a test may create under HOME; teardown removes them. */
static const char *const scratch_files[] = {
    ".aws/credentials", ".aws/config",     "custom-credentials",
    "custom-config",    "process.sh",      "helper.pid",
    "child.pid",        "big-credentials", "tries",
    "issued",           "ahead",
};

typedef struct fixture {
	char home[64];
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	snprintf(f->home, sizeof f->home, "/tmp/lmsctl-credentials-XXXXXX");
	if (!mkdtemp(f->home)) {
		free(f);
		return -1;
	}
	char aws_dir[96];
	snprintf(aws_dir, sizeof aws_dir, "%s/.aws", f->home);
	if (mkdir(aws_dir, 0700) != 0 || setenv("HOME", f->home, 1) != 0) {
		free(f);
		return -1;
	}
	for (size_t i = 0; i < sizeof aws_vars / sizeof aws_vars[0]; i++)
		unsetenv(aws_vars[i]);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char path[128];
	for (size_t i = 0; i < sizeof scratch_files / sizeof scratch_files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", f->home, scratch_files[i]);
		if (unlink(path) != 0 && errno != ENOENT)
			return -1;
	}
	snprintf(path, sizeof path, "%s/.aws", f->home);
	rmdir(path);
	rmdir(f->home);
	free(f);
	return 0;
}

static void write_file(const fixture *f, const char *name, const char *text)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", f->home, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* write_file for text with NUL bytes in it. */
static void write_bytes(const fixture *f, const char *name, const char *bytes, size_t len)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", f->home, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(bytes, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* The message as the program shows it ("FILE:LINE: message" when it concerns a file). */
static char *error_text(const lms_error *err)
{
	char *text = lms_error_format(err);
	assert_non_null(text);
	return text;
}

/* Writes process.sh and a config whose profile `profile` runs it. */
static void use_process(const fixture *f, const char *profile, const char *script)
{
	write_file(f, "process.sh", script);
	buf config;
	buf_init(&config, 0);
	if (strcmp(profile, "default") == 0)
		buf_adds(&config, "[default]\n");
	else
		buf_addf(&config, "[profile %s]\n", profile);
	buf_addf(&config, "credential_process = /bin/sh %s/process.sh\n", f->home);
	write_file(f, ".aws/config", buf_cstr(&config));
	buf_free(&config);
}

/* Resolves and checks the status; on success checks the key id, otherwise that the message
 * contains `text`. Returns the credentials (or NULL) for further checks. */
static credentials *expect_resolve(const char *profile, int timeout, credentials_status want,
                                   const char *text)
{
	credentials_options opts = {.profile = profile, .process_timeout_seconds = timeout};
	credentials *c = (credentials *)1;
	lms_error err = {0};
	credentials_status st = credentials_resolve(&opts, &c, &err);
	char *text_got = st == CREDENTIALS_OK ? NULL : error_text(&err);
	if (st != want)
		print_error("status %d, message: %s\n", st, text_got ? text_got : "");
	assert_int_equal(st, want);
	if (want == CREDENTIALS_OK) {
		assert_non_null(c);
		assert_string_equal(c->access_key_id, text);
	} else {
		assert_null(c);
		if (!strstr(text_got, text))
			print_error("message \"%s\" lacks \"%s\"\n", text_got, text);
		assert_non_null(strstr(text_got, text));
	}
	free(text_got);
	lms_error_clear(&err);
	return c;
}

static void expect_message_lacks(const char *profile, const char *secret)
{
	credentials_options opts = {.profile = profile};
	credentials *c = NULL;
	lms_error err = {0};
	assert_int_not_equal(credentials_resolve(&opts, &c, &err), CREDENTIALS_OK);
	char *text = error_text(&err);
	assert_null(strstr(text, secret));
	free(text);
	lms_error_clear(&err);
}

/* ---- precedence --------------------------------------------------------------------------- */

static void test_nothing_configured(void **state)
{
	(void)state;
	expect_resolve(NULL, 0, CREDENTIALS_NOT_FOUND,
	               "no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or "
	               "AWS_PROFILE, or run aws configure");
	/* Also with files that hold no default profile. */
	fixture *f = *state;
	write_file(f, ".aws/config", "[profile other]\nregion = eu-west-1\n");
	expect_resolve(NULL, 0, CREDENTIALS_NOT_FOUND, "no AWS credentials found");
	/* The options are optional. */
	credentials *c = NULL;
	assert_int_equal(credentials_resolve(NULL, &c, NULL), CREDENTIALS_NOT_FOUND);
	assert_null(c);
}

static void test_environment(void **state)
{
	(void)state;
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	credentials *c = expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIAENV");
	assert_string_equal(c->secret_access_key, "env-secret");
	assert_null(c->session_token);
	assert_int_equal(c->expiration, 0);
	assert_non_null(strstr(c->source, "environment"));
	credentials_free(c);

	setenv("AWS_SESSION_TOKEN", "env-token", 1);
	c = expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIAENV");
	assert_string_equal(c->session_token, "env-token");
	credentials_free(c);
}

static void test_environment_partial(void **state)
{
	(void)state;
	setenv("AWS_ACCESS_KEY_ID", "AKIAPARTIAL", 1);
	expect_resolve(NULL, 0, CREDENTIALS_BAD_CONFIG,
	               "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
	expect_message_lacks(NULL, "AKIAPARTIAL");
	unsetenv("AWS_ACCESS_KEY_ID");
	setenv("AWS_SECRET_ACCESS_KEY", "only-secret", 1);
	expect_resolve(NULL, 0, CREDENTIALS_BAD_CONFIG,
	               "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
	expect_message_lacks(NULL, "only-secret");
	/* Empty variables count as unset. */
	setenv("AWS_SECRET_ACCESS_KEY", "", 1);
	setenv("AWS_ACCESS_KEY_ID", "", 1);
	expect_resolve(NULL, 0, CREDENTIALS_NOT_FOUND, "no AWS credentials found");
}

static const char two_profiles[] = "[default]\n"
                                   "aws_access_key_id = AKIADEFAULT\n"
                                   "aws_secret_access_key = default-secret\n"
                                   "\n"
                                   "[dev]\n"
                                   "aws_access_key_id = AKIADEV\n"
                                   "aws_secret_access_key = dev-secret\n"
                                   "aws_session_token = dev-token\n";

static void test_environment_beats_aws_profile(void **state)
{
	fixture *f = *state;
	write_file(f, ".aws/credentials", two_profiles);
	setenv("AWS_PROFILE", "dev", 1);
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	credentials_free(expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIAENV"));
}

static void test_explicit_profile_beats_environment(void **state)
{
	fixture *f = *state;
	write_file(f, ".aws/credentials", two_profiles);
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	setenv("AWS_PROFILE", "default", 1);
	credentials *c = expect_resolve("dev", 0, CREDENTIALS_OK, "AKIADEV");
	assert_string_equal(c->secret_access_key, "dev-secret");
	assert_string_equal(c->session_token, "dev-token");
	assert_non_null(strstr(c->source, "profile \"dev\" in "));
	assert_non_null(strstr(c->source, ".aws/credentials"));
	credentials_free(c);
	/* Even a partial environment does not matter then. */
	unsetenv("AWS_SECRET_ACCESS_KEY");
	credentials_free(expect_resolve("dev", 0, CREDENTIALS_OK, "AKIADEV"));
}

static void test_aws_profile_and_default(void **state)
{
	fixture *f = *state;
	write_file(f, ".aws/credentials", two_profiles);
	credentials_free(expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIADEFAULT"));
	setenv("AWS_PROFILE", "dev", 1);
	credentials_free(expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIADEV"));
	credentials_free(expect_resolve("default", 0, CREDENTIALS_OK, "AKIADEFAULT"));
}

static void test_config_file_profiles(void **state)
{
	fixture *f = *state;
	write_file(f, ".aws/config",
	           "[default]\n"
	           "aws_access_key_id = AKIACONFIGDEFAULT\n"
	           "aws_secret_access_key = s1\n"
	           "[profile dev]\n"
	           "aws_access_key_id = AKIACONFIGDEV\n"
	           "aws_secret_access_key = s2\n"
	           "[profile   spaced  ]\n"
	           "aws_access_key_id = AKIASPACED\n"
	           "aws_secret_access_key = s3\n");
	credentials *c = expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIACONFIGDEFAULT");
	assert_non_null(strstr(c->source, ".aws/config"));
	credentials_free(c);
	credentials_free(expect_resolve("dev", 0, CREDENTIALS_OK, "AKIACONFIGDEV"));
	credentials_free(expect_resolve("spaced", 0, CREDENTIALS_OK, "AKIASPACED"));
	/* a key is matched whole: aws_access_key_id_old is not aws_access_key_id */
	write_file(f, ".aws/config",
	           "[profile dev]\n"
	           "aws_access_key_id_old = AKIAOLDKEY\n"
	           "aws_access_key_id = AKIANEWKEY\n"
	           "aws_secret_access_key = s2\n");
	credentials_free(expect_resolve("dev", 0, CREDENTIALS_OK, "AKIANEWKEY"));

	write_file(f, ".aws/config",
	           "[profile default]\naws_access_key_id = AKIAPROFILEDEFAULT\n"
	           "aws_secret_access_key = s\n");
	credentials_free(expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIAPROFILEDEFAULT"));

	/* a named profile never falls back to [default] for a key it lacks: the
	 * default's role is not the dev profile's */
	write_file(
	    f, ".aws/config",
	    "[default]\nrole_arn = arn:aws:iam::123456789012:role/admin\n"
	    "source_profile = dev\n"
	    "[profile dev]\naws_access_key_id = AKIACONFIGDEV\naws_secret_access_key = s2\n");
	credentials_free(expect_resolve("dev", 0, CREDENTIALS_OK, "AKIACONFIGDEV"));
}

static void test_credentials_file_beats_config_file(void **state)
{
	fixture *f = *state;
	write_file(f, ".aws/credentials",
	           "[dev]\naws_access_key_id = AKIAFROMCREDS\naws_secret_access_key = c\n");
	write_file(f, ".aws/config",
	           "[profile dev]\naws_access_key_id = AKIAFROMCONFIG\naws_secret_access_key = "
	           "k\nregion = eu-west-1\n");
	credentials_free(expect_resolve("dev", 0, CREDENTIALS_OK, "AKIAFROMCREDS"));
}

static void test_missing_named_profile(void **state)
{
	fixture *f = *state;
	write_file(f, ".aws/credentials", two_profiles);
	setenv("AWS_PROFILE", "nope", 1);
	expect_resolve(NULL, 0, CREDENTIALS_BAD_CONFIG, "profile \"nope\" (from AWS_PROFILE)");
	expect_resolve("nope", 0, CREDENTIALS_BAD_CONFIG, "profile \"nope\" (from --profile)");
	/* A config section written like a credentials-file section gets a hint. */
	write_file(f, ".aws/config", "[staging]\naws_access_key_id = A\n");
	expect_resolve("staging", 0, CREDENTIALS_BAD_CONFIG, "[profile staging]");
}

static void test_incomplete_profiles(void **state)
{
	fixture *f = *state;
	write_file(f, ".aws/config", "[profile dev]\nregion = eu-west-1\n");
	expect_resolve("dev", 0, CREDENTIALS_BAD_CONFIG, "profile \"dev\" has no credentials");
	write_file(f, ".aws/credentials", "[dev]\naws_access_key_id = AKIAHALF\n");
	expect_resolve("dev", 0, CREDENTIALS_BAD_CONFIG,
	               "has aws_access_key_id but not aws_secret_access_key");
	expect_message_lacks("dev", "AKIAHALF");
	write_file(f, ".aws/credentials", "[dev]\naws_secret_access_key = half-secret\n");
	expect_resolve("dev", 0, CREDENTIALS_BAD_CONFIG,
	               "has aws_secret_access_key but not aws_access_key_id");
	expect_message_lacks("dev", "half-secret");
}

static void test_unsupported_sources(void **state)
{
	fixture *f = *state;
	/* role_arn wins over the keys the profile also has, as in the AWS CLI: never fall
	 * through to credentials the operator did not mean. */
	write_file(f, ".aws/credentials",
	           "[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n");
	write_file(f, ".aws/config",
	           "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/deploy\n"
	           "source_profile = default\n"
	           "[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\n"
	           "[profile web]\nweb_identity_token_file = /var/run/token\n");
	expect_resolve("dev", 0, CREDENTIALS_UNSUPPORTED, "profile \"dev\" uses role_arn");
	expect_resolve("dev", 0, CREDENTIALS_UNSUPPORTED, "not supported yet");
	expect_resolve("dev", 0, CREDENTIALS_UNSUPPORTED, "aws configure export-credentials");
	expect_resolve("sso", 0, CREDENTIALS_UNSUPPORTED, "uses sso_session");
	expect_resolve("web", 0, CREDENTIALS_UNSUPPORTED, "uses web_identity_token_file");
}

static void test_file_locations_from_environment(void **state)
{
	fixture *f = *state;
	write_file(f, ".aws/credentials", two_profiles);
	write_file(f, "custom-credentials",
	           "[default]\naws_access_key_id = AKIACUSTOM\naws_secret_access_key = s\n");
	setenv("AWS_SHARED_CREDENTIALS_FILE", "~/custom-credentials", 1);
	credentials_free(expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIACUSTOM"));

	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	buf path;
	buf_init(&path, 0);
	buf_addf(&path, "%s/custom-config", f->home);
	write_file(f, "custom-config",
	           "[profile ops]\naws_access_key_id = AKIACUSTOMCONFIG\naws_secret_access_key = "
	           "s\nregion = ap-southeast-1\n");
	setenv("AWS_CONFIG_FILE", buf_cstr(&path), 1);
	credentials_free(expect_resolve("ops", 0, CREDENTIALS_OK, "AKIACUSTOMCONFIG"));
	buf_free(&path);

	/* A file named but missing is simply absent, as for the AWS CLI. */
	setenv("AWS_CONFIG_FILE", "/nonexistent/lmsctl/config", 1);
	credentials_free(expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIADEFAULT"));
	/* A folder where the file should be is an error that says so. */
	setenv("AWS_CONFIG_FILE", f->home, 1);
	expect_resolve(NULL, 0, CREDENTIALS_BAD_CONFIG, "is not a regular file");
}

/* The files' edges: "~" and "~/" are the home folder, "~x" is not; the 1 MiB cap on both
 * sides; a path below a file is no file. */
static void test_file_edges(void **state)
{
	fixture *f = *state;
	write_file(f, "custom-credentials",
	           "[default]\naws_access_key_id = AKIATILDE\naws_secret_access_key = s\n");
	setenv("AWS_SHARED_CREDENTIALS_FILE", "~/custom-credentials", 1);
	credentials_free(expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIATILDE"));
	/* "~" alone is the home folder: a folder, said so */
	setenv("AWS_SHARED_CREDENTIALS_FILE", "~", 1);
	expect_resolve(NULL, 0, CREDENTIALS_BAD_CONFIG, "is not a regular file");
	/* "~x/..." is a relative path, not x's home: absent */
	setenv("AWS_SHARED_CREDENTIALS_FILE", "~custom-credentials", 1);
	expect_resolve(NULL, 0, CREDENTIALS_NOT_FOUND, "no AWS credentials");
	/* only a leading '~' is the home folder: "./x" and "x" are relative to the working
	 * folder (where neither is), whatever their second character */
	setenv("AWS_SHARED_CREDENTIALS_FILE", "./custom-credentials", 1);
	expect_resolve(NULL, 0, CREDENTIALS_NOT_FOUND, "no AWS credentials");
	setenv("AWS_SHARED_CREDENTIALS_FILE", "x", 1);
	expect_resolve(NULL, 0, CREDENTIALS_NOT_FOUND, "no AWS credentials");
	/* below a file: absent, not an error */
	buf path;
	buf_init(&path, 0);
	buf_addf(&path, "%s/custom-credentials/sub", f->home);
	setenv("AWS_SHARED_CREDENTIALS_FILE", buf_cstr(&path), 1);
	expect_resolve(NULL, 0, CREDENTIALS_NOT_FOUND, "no AWS credentials");
	buf_free(&path);
	/* exactly 1 MiB is read; one byte more is refused */
	buf big;
	buf_init(&big, 0);
	buf_adds(&big, "[default]\naws_access_key_id = AKIABIG\naws_secret_access_key = s\n");
	while (big.len < CREDENTIALS_MAX_FILE_SIZE)
		buf_addc(&big, big.len % 64 == 63 ? '\n' : '#');
	write_bytes(f, "big-credentials", big.data, big.len);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "~/big-credentials", 1);
	credentials_free(expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIABIG"));
	buf_addc(&big, '\n');
	write_bytes(f, "big-credentials", big.data, big.len);
	expect_resolve(NULL, 0, CREDENTIALS_BAD_CONFIG, "is larger than 1024 KiB");
	buf_free(&big);
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
}

static void test_malformed_file(void **state)
{
	fixture *f = *state;
	write_file(f, ".aws/credentials",
	           "[default]\naws_access_key_id = AKIA\n[broken\naws_secret_access_key = x\n");
	expect_resolve(NULL, 0, CREDENTIALS_BAD_CONFIG,
	               ".aws/credentials:3: a section header without ']': fix the file");
	write_file(f, ".aws/credentials", "aws_access_key_id = AKIA\n");
	expect_resolve(
	    NULL, 0, CREDENTIALS_BAD_CONFIG,
	    ".aws/credentials:1: a setting before the first"); /* a NUL byte would cut the key id
	                                                          short, and the short key would
	                                                          sign: refused */
	static const char nul[] = "[default]\n# a comment\naws_access_key_id = AKIA\0EVIL\n"
	                          "aws_secret_access_key = s\n";
	write_bytes(f, ".aws/credentials", nul, sizeof nul - 1);
	expect_resolve(NULL, 0, CREDENTIALS_BAD_CONFIG,
	               ".aws/credentials:3: a NUL byte in the line: fix the file");
}

/* ---- the INI dialect ---------------------------------------------------------------------- */

static void test_ini_dialect(void **state)
{
	(void)state;
	const char text[] = "# comment\r\n"
	                    "; another comment\n"
	                    "   \n"
	                    "[default]   ; trailing comment after the header\r\n"
	                    "Region=eu-west-1\r\n"
	                    "  output = indented: continues Region\n"
	                    "output : json  \n"
	                    "s3 =\n"
	                    "    max_concurrent_requests = 20\n"
	                    "    region = nested-is-not-top-level\n"
	                    "\t# indented comment\n"
	                    "cli_pager=\n"
	                    "[ profile dev ]\n"
	                    "region = us-east-1\n"
	                    "region = ap-southeast-1\n"
	                    "value = a = b # not a comment\n"
	                    "[default]\n"
	                    "extra = yes";
	lms_error err = {0};
	aws_ini *ini = aws_ini_parse(text, sizeof text - 1, &err);
	assert_non_null(ini);
	assert_string_equal(aws_ini_get(ini, "default", "region"), "eu-west-1");
	assert_string_equal(aws_ini_get(ini, "default", "output"), "json");
	assert_string_equal(aws_ini_get(ini, "default", "s3"), "");
	assert_null(aws_ini_get(ini, "default", "max_concurrent_requests"));
	/* nested under an empty setting: kept as "parent.key"; under a setting with a value,
	 * a deeper line only continues it */
	assert_string_equal(aws_ini_get(ini, "default", "s3.max_concurrent_requests"), "20");
	assert_string_equal(aws_ini_get(ini, "default", "s3.region"), "nested-is-not-top-level");
	assert_null(aws_ini_get(ini, "default", "region.output"));
	assert_null(aws_ini_get(ini, "default", "s3.max_concurrent_request"));
	assert_string_equal(aws_ini_get(ini, "default", "cli_pager"), "");
	assert_string_equal(aws_ini_get(ini, "default", "extra"), "yes");
	assert_string_equal(aws_ini_get(ini, "profile dev", "region"), "ap-southeast-1");
	assert_string_equal(aws_ini_get(ini, "profile dev", "value"), "a = b # not a comment");
	assert_true(aws_ini_has_section(ini, "profile dev"));
	assert_false(aws_ini_has_section(ini, "dev"));
	assert_null(aws_ini_get(ini, "missing", "region"));
	aws_ini_free(ini);

	static const struct {
		const char *text;
		size_t line;
		const char *message;
	} bad[] = {
	    {"[default\nx = 1\n", 1, "a section header without ']'"},
	    {"[  ]\n", 1, "a section header without a name"},
	    {"\n\nx = 1\n", 3, "a setting before the first [section]"},
	    {"[a]\njust words\n", 2, "expected \"name = value\""},
	    {"[a]\n = value\n", 2, "a setting without a name"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_null(aws_ini_parse(bad[i].text, strlen(bad[i].text), &err));
		assert_int_equal(err.line, bad[i].line);
		assert_null(err.file);
		assert_string_equal(err.msg, bad[i].message);
	}
	assert_null(aws_ini_parse("[x\n", 3, NULL));
	/* Empty input is not a problem; a NUL byte is refused, with its line. */
	ini = aws_ini_parse("", 0, &err);
	assert_non_null(ini);
	aws_ini_free(ini);
	assert_null(aws_ini_parse("[a]\nk = v\0w\n", 11, &err));
	assert_int_equal(err.line, 2);
	assert_string_equal(err.msg, "a NUL byte in the line");
	assert_null(aws_ini_parse("[a\0b]\nk = v\n", 11, &err));
	assert_int_equal(err.line, 1);
	aws_ini_free(NULL);
	lms_error_clear(&err);
}

/* ---- endpoints from the config file --------------------------------------------------------- */

static const char *endpoint_of(const credentials_endpoints *e, const char *service, buf *source)
{
	buf_reset(source);
	return credentials_endpoint_for(e, service, source);
}

static void test_config_endpoints(void **state)
{
	fixture *f = *state;
	write_file(
	    f, ".aws/config",
	    "[default]\nendpoint_url = http://127.0.0.1:4566\n"
	    "[profile local]\nendpoint_url = http://127.0.0.1:5000\nservices = local-svc\n"
	    "[services local-svc]\ncloudformation =\n  endpoint_url = http://127.0.0.1:5001\n"
	    "s3 =\n  region = eu-west-1\n"
	    "[profile off]\nendpoint_url = http://127.0.0.1:5000\n"
	    "ignore_configured_endpoint_urls = true\n"
	    "[profile broken]\nservices = nowhere\n"
	    "[profile plain]\nregion = eu-west-1\n");
	credentials_endpoints *e = NULL;
	lms_error err = {0};
	buf src;
	buf_init(&src, 0);
	/* the default profile: its endpoint_url for every service */
	assert_int_equal(credentials_endpoints_load(NULL, &e, &err), CREDENTIALS_OK);
	assert_string_equal(endpoint_of(e, "cloudformation", &src), "http://127.0.0.1:4566");
	assert_non_null(strstr(buf_cstr(&src), "endpoint_url of profile \"default\""));
	credentials_endpoints_free(e);
	/* a services section wins for its service, exactly that one (not "cloudformations",
	 * not a nested setting other than endpoint_url) */
	setenv("AWS_PROFILE", "local", 1);
	assert_int_equal(credentials_endpoints_load(NULL, &e, &err), CREDENTIALS_OK);
	assert_string_equal(endpoint_of(e, "cloudformation", &src), "http://127.0.0.1:5001");
	assert_non_null(strstr(buf_cstr(&src), "[services local-svc]"));
	assert_string_equal(endpoint_of(e, "cloudformations", &src), "http://127.0.0.1:5000");
	assert_string_equal(endpoint_of(e, "s3", &src), "http://127.0.0.1:5000");
	assert_false(credentials_endpoints_ignored(e));
	credentials_endpoints_free(e);
	unsetenv("AWS_PROFILE");
	/* --profile beats AWS_PROFILE; ignore_configured_endpoint_urls turns them off */
	setenv("AWS_PROFILE", "local", 1);
	assert_int_equal(credentials_endpoints_load("off", &e, &err), CREDENTIALS_OK);
	assert_true(credentials_endpoints_ignored(e));
	assert_null(endpoint_of(e, "cloudformation", &src));
	credentials_endpoints_free(e);
	unsetenv("AWS_PROFILE");
	/* nothing set: no endpoints at all */
	assert_int_equal(credentials_endpoints_load("plain", &e, &err), CREDENTIALS_OK);
	assert_null(e);
	assert_null(credentials_endpoint_for(NULL, "s3", NULL));
	/* a services name without its section is the profile's mistake, said so */
	assert_int_equal(credentials_endpoints_load("broken", &e, &err), CREDENTIALS_BAD_CONFIG);
	assert_null(e);
	assert_non_null(strstr(err.msg, "no [services nowhere] section"));
	lms_error_clear(&err);
	buf_free(&src);
}

/* AWS_SHARED_CREDENTIALS_FILE=/dev/null is how one hides the file from the AWS CLI: an empty
 * file, not a bad one. */
static void test_dev_null_files(void **state)
{
	(void)state;
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
	setenv("AWS_CONFIG_FILE", "/dev/null", 1);
	expect_resolve(NULL, 0, CREDENTIALS_NOT_FOUND, "no AWS credentials found");
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	credentials *c = expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIAENV");
	credentials_free(c);
	credentials_endpoints *e = NULL;
	assert_int_equal(credentials_endpoints_load(NULL, &e, NULL), CREDENTIALS_OK);
	assert_null(e);
	/* a directory is still refused */
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/tmp", 1);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	expect_resolve(NULL, 0, CREDENTIALS_BAD_CONFIG, "not a regular file");
}

/* ---- credential_process ------------------------------------------------------------------- */

static void test_process_success(void **state)
{
	fixture *f = *state;
	use_process(f, "dev",
	            "printf '%s' '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROCESS\", "
	            "\"SecretAccessKey\": \"process-secret\", \"SessionToken\": \"process-token\", "
	            "\"Expiration\": \"2099-01-01T00:00:00Z\"}'\n"
	            "echo 'progress chatter on stderr' >&2\n");
	credentials *c = expect_resolve("dev", 0, CREDENTIALS_OK, "AKIAPROCESS");
	assert_string_equal(c->secret_access_key, "process-secret");
	assert_string_equal(c->session_token, "process-token");
	assert_int_equal(c->expiration, 4070908800);
	assert_non_null(strstr(c->source, "credential_process of profile \"dev\""));
	credentials_free(c);

	/* Without SessionToken and Expiration (long-term keys from a vault). */
	use_process(
	    f, "default",
	    "echo '{\"Version\":1,\"AccessKeyId\":\"AKIALONG\",\"SecretAccessKey\":\"s\"}'\n");
	c = expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIALONG");
	assert_null(c->session_token);
	assert_int_equal(c->expiration, 0);
	credentials_free(c);
}

/* What a failing helper said: 300 characters at most ("..." after a cut, none at exactly
 * 300), controls, DEL and runs of spaces as one space, none leading or trailing. */
static void test_stderr_summary_edges(void **state)
{
	fixture *f = *state;
	static const struct {
		int n;
		bool cut;
	} sizes[] = {{299, false}, {300, false}, {301, true}};
	for (size_t i = 0; i < 3; i++) {
		buf script;
		buf_init(&script, 0);
		buf_addf(&script, "printf '%%0%dd' 0 >&2; exit 3\n", sizes[i].n);
		use_process(f, "dev", buf_cstr(&script));
		buf_free(&script);
		credentials_options opts = {.profile = "dev", .process_timeout_seconds = 10};
		credentials *c = NULL;
		lms_error err = {0};
		assert_int_equal(credentials_resolve(&opts, &c, &err), CREDENTIALS_PROCESS_FAILED);
		const char *colon = strstr(err.msg, "exited with status 3: ");
		assert_non_null(colon);
		const char *said = colon + strlen("exited with status 3: ");
		size_t zeros = strspn(said, "0");
		assert_int_equal(zeros, sizes[i].n > 300 ? 300 : sizes[i].n);
		assert_int_equal(strncmp(said + zeros, "...", 3) == 0, sizes[i].cut);
		lms_error_clear(&err);
	}
	use_process(f, "dev", "printf '\\t \\001a \\177\\037 b\\n\\n' >&2; exit 3\n");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED, "exited with status 3: a b");
	use_process(f, "dev", "printf ' \\n' >&2; exit 3\n");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED, "(nothing on stderr)");
	use_process(f, "dev", "printf '!~' >&2; exit 3\n");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED, "exited with status 3: !~");
}

/* Keys: both or neither, in each file; an empty value is none; the environment's pair. */
static void test_key_pairs_edges(void **state)
{
	fixture *f = *state;
	write_file(f, ".aws/credentials",
	           "[dev]\naws_access_key_id = AKIAX\naws_secret_access_key =\n");
	expect_resolve("dev", 0, CREDENTIALS_BAD_CONFIG,
	               "has aws_access_key_id but not aws_secret");
	write_file(f, ".aws/credentials",
	           "[dev]\naws_access_key_id =\naws_secret_access_key = s\n");
	expect_resolve("dev", 0, CREDENTIALS_BAD_CONFIG,
	               "has aws_secret_access_key but not aws_access");
	write_file(f, ".aws/credentials", "[dev]\naws_access_key_id =\naws_secret_access_key =\n");
	expect_resolve("dev", 0, CREDENTIALS_BAD_CONFIG, "has no credentials");
	write_file(f, ".aws/credentials", "[other]\nx = 1\n");
	write_file(f, ".aws/config", "[profile dev]\naws_secret_access_key = s\n");
	expect_resolve("dev", 0, CREDENTIALS_BAD_CONFIG,
	               "has aws_secret_access_key but not aws_access");
	write_file(f, ".aws/config",
	           "[profile dev]\naws_access_key_id = AKIACFG\naws_secret_access_key = s\n"
	           "aws_session_token = t\n");
	credentials *c = expect_resolve("dev", 0, CREDENTIALS_OK, "AKIACFG");
	assert_string_equal(c->session_token, "t");
	assert_non_null(strstr(c->source, ".aws/config"));
	credentials_free(c);
	/* [dev] in the config file is not profile dev: said so */
	write_file(f, ".aws/config", "[dev]\naws_access_key_id = AKIACFG\n");
	expect_resolve("dev", 0, CREDENTIALS_BAD_CONFIG,
	               "the config file names profiles [profile dev]");
	write_file(f, ".aws/config", "[default]\nx = 1\n");
	expect_resolve("default", 0, CREDENTIALS_BAD_CONFIG, "has no credentials");
	/* the environment: both, or one of them said */
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	expect_resolve(NULL, 0, CREDENTIALS_BAD_CONFIG,
	               "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
	setenv("AWS_SECRET_ACCESS_KEY", "s", 1);
	setenv("AWS_SESSION_TOKEN", "", 1);
	c = expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIAENV");
	assert_null(c->session_token);
	credentials_free(c);
	unsetenv("AWS_ACCESS_KEY_ID");
	expect_resolve(NULL, 0, CREDENTIALS_BAD_CONFIG,
	               "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
	setenv("AWS_ACCESS_KEY_ID", "", 1);
	expect_resolve(NULL, 0, CREDENTIALS_BAD_CONFIG,
	               "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
}

static void test_process_precedence(void **state)
{
	fixture *f = *state;
	/* credential_process sits between the credentials file's keys and the config file's. */
	write_file(
	    f, "process.sh",
	    "echo '{\"Version\":1,\"AccessKeyId\":\"AKIAPROC\",\"SecretAccessKey\":\"s\"}'\n");
	buf config;
	buf_init(&config, 0);
	buf_addf(&config,
	         "[profile dev]\ncredential_process = sh %s/process.sh\n"
	         "aws_access_key_id = AKIACONFIG\naws_secret_access_key = s\n",
	         f->home);
	write_file(f, ".aws/config", buf_cstr(&config));
	buf_free(&config);
	credentials_free(expect_resolve("dev", 0, CREDENTIALS_OK, "AKIAPROC"));
	write_file(f, ".aws/credentials",
	           "[dev]\naws_access_key_id = AKIACREDS\naws_secret_access_key = s\n");
	credentials_free(expect_resolve("dev", 0, CREDENTIALS_OK, "AKIACREDS"));
}

static void test_process_failure(void **state)
{
	fixture *f = *state;
	use_process(f, "dev",
	            "echo 'Error: the SSO session has expired.' >&2\n"
	            "echo '   Run   aws sso login' >&2\n"
	            "exit 3\n");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED,
	               "credential_process of profile \"dev\" exited with status 3: Error: the SSO "
	               "session has expired. Run aws sso login (run the command from");

	use_process(f, "dev", "exit 1\n");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED, "(nothing on stderr)");

	use_process(f, "dev", "lmsctl-no-such-command-xyz\n");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED, "exited with status 127");

	/* Run by the shell directly, so that the signal reaches the process we wait for. */
	write_file(f, ".aws/config", "[profile dev]\ncredential_process = kill -9 $$\n");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED, "was killed by signal 9");

	/* A long stderr is cut. */
	use_process(f, "dev",
	            "i=0; while [ $i -lt 400 ]; do printf 'xy ' >&2; i=$((i+1)); done; "
	            "exit 2\n");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED, "xy xy xy");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED, "... (run the command");
}

static void test_process_garbage(void **state)
{
	fixture *f = *state;
	use_process(f, "dev", "echo 'AKIALEAKED SECRETLEAKED'\n");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED, "its output is not valid JSON");
	expect_message_lacks("dev", "LEAKED");

	use_process(f, "dev", "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIA\", \"Secret\n");
	expect_message_lacks("dev", "AKIA");

	use_process(f, "dev", "echo '[1, 2]'\n");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED, "not an object");

	use_process(
	    f, "dev",
	    "echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\"}'\n");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED, "lacks \"Version\": 1");

	use_process(f, "dev", "echo '{\"Version\": 1, \"AccessKeyId\": \"A\"}'\n");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED,
	               "lacks AccessKeyId or SecretAccessKey");

	use_process(f, "dev",
	            "echo '{\"Version\": 1, \"AccessKeyId\": 5, \"SecretAccessKey\": \"S\"}'\n");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED, "non-string");

	use_process(f, "dev",
	            "echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"AccessKeyId\": "
	            "\"B\", \"SecretAccessKey\": \"S\"}'\n");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED, "not valid JSON");

	use_process(f, "dev", "true\n");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED, "not valid JSON");

	use_process(f, "dev",
	            "echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\", "
	            "\"Expiration\": \"2001-01-01T00:00:00Z\"}'\n");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED,
	               "returned credentials that expired at 2001-01-01T00:00:00Z");

	use_process(f, "dev",
	            "echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\", "
	            "\"Expiration\": \"next tuesday\"}'\n");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED, "is not an ISO 8601 time");

	/* More output than any credentials: stopped, not buffered without end. */
	use_process(f, "dev", "while :; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done\n");
	expect_resolve("dev", 0, CREDENTIALS_PROCESS_FAILED, "wrote more than 64 KiB");
}

static void test_process_timeout(void **state)
{
	fixture *f = *state;
	/* exec: the shell we start becomes the sleep, so the kill leaves nothing behind. */
	write_file(f, ".aws/config", "[profile dev]\ncredential_process = exec sleep 30\n");
	expect_resolve("dev", 1, CREDENTIALS_PROCESS_FAILED, "did not finish within 1 seconds");
}

/* ---- the process rules: bounded time, nothing left behind ------------------------------- */

static double seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The pid a helper wrote into `name` under HOME, 0 when there is none. */
static pid_t pid_from(const fixture *f, const char *name)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", f->home, name);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return 0;
	long pid = 0;
	if (fscanf(fp, "%ld", &pid) != 1)
		pid = 0;
	fclose(fp);
	return (pid_t)pid;
}

/* Whether pid still runs: it exists and is not a zombie waiting for its reaper. */
static bool running(pid_t pid)
{
	if (pid <= 0 || kill(pid, 0) != 0)
		return false;
	char path[64], stat[256] = "";
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return true;
	size_t n = fread(stat, 1, sizeof stat - 1, fp);
	fclose(fp);
	stat[n] = '\0';
	const char *paren = strrchr(stat, ')');
	return !(paren && paren[1] == ' ' && paren[2] == 'Z');
}

/* Runs the profile, checks it took less than `limit` seconds and that neither the helper
 * nor the child it wrote down is still running; kills them if they are, so that a failing
 * test leaves nothing behind either. */
static void expect_bounded(const fixture *f, int timeout, credentials_status want, const char *text,
                           double limit)
{
	double start = seconds_now();
	credentials_free(expect_resolve("dev", timeout, want, text));
	double took = seconds_now() - start;
	pid_t helper = pid_from(f, "helper.pid"), child = pid_from(f, "child.pid");
	bool helper_left = running(helper), child_left = running(child);
	if (helper_left)
		kill(helper, SIGKILL);
	if (child_left)
		kill(child, SIGKILL);
	if (took > limit || helper_left || child_left)
		print_error("took %.1f s (limit %.1f), helper left %d, child left %d\n", took,
		            limit, helper_left, child_left);
	assert_true(took <= limit);
	assert_false(helper_left);
	assert_false(child_left);
}

#define GOOD_JSON                                                                                  \
	"echo '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\", \"SecretAccessKey\": \"s\"}'\n"

static void test_process_class(void **state)
{
	fixture *f = *state;
	/* Detaches: closes its output and keeps running; waiting for it must be bounded. Written
	 * into the config so that the shell that closes its output is the one started. */
	write_file(f, ".aws/config",
	           "[profile dev]\ncredential_process = echo $$ >\"$HOME/helper.pid\"; "
	           "exec >&- 2>&-; sleep 20\n");
	expect_bounded(f, 10, CREDENTIALS_PROCESS_FAILED,
	               "closed its output but did not exit within 3 seconds; it and the processes "
	               "it started were stopped",
	               8);

	/* Hangs with a child of its own: the timeout stops both. */
	use_process(
	    f, "dev",
	    "echo $$ >\"$HOME/helper.pid\"; sleep 20 & echo $! >\"$HOME/child.pid\"; wait\n");
	expect_bounded(f, 1, CREDENTIALS_PROCESS_FAILED,
	               "did not finish within 1 seconds; it and the processes it started were "
	               "stopped",
	               5);

	/* Answers, leaving a child that outlives it and holds its output open: the answer is
	 * taken when the helper exits and the child is stopped. */
	use_process(
	    f, "dev",
	    "echo $$ >\"$HOME/helper.pid\"; sleep 20 & echo $! >\"$HOME/child.pid\"\n" GOOD_JSON);
	expect_bounded(f, 10, CREDENTIALS_OK, "AKIAPROC", 5);

	/* Floods from a child that ignores SIGPIPE: stopped, child included. */
	use_process(
	    f, "dev",
	    "echo $$ >\"$HOME/helper.pid\"\n"
	    "(trap '' PIPE TERM; while :; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done) &\n"
	    "echo $! >\"$HOME/child.pid\"; wait\n");
	expect_bounded(f, 10, CREDENTIALS_PROCESS_FAILED, "wrote more than 64 KiB", 8);

	/* Dies by a signal, its child still running (the shell started is the one killed). */
	write_file(f, ".aws/config",
	           "[profile dev]\ncredential_process = echo $$ >\"$HOME/helper.pid\"; sleep 20 & "
	           "echo $! >\"$HOME/child.pid\"; kill -9 $$\n");
	expect_bounded(f, 10, CREDENTIALS_PROCESS_FAILED, "was killed by signal 9", 5);
}

/* ---- renewal (aws/provider.h's provider_cache) ------------------------------------------ */

static time_t clock_ahead(void *ctx)
{
	return time(NULL) + *(const long *)ctx;
}

/* Moves the test's clock, and the helper's (it reads HOME/ahead). */
static void move_clock(const fixture *f, long *ahead, long seconds)
{
	*ahead = seconds;
	char text[32];
	snprintf(text, sizeof text, "%ld\n", seconds);
	write_file(f, "ahead", text);
}

static void test_renewal_from_credential_process(void **state)
{
	fixture *f = *state;
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	/* two-minute credentials, a new key id each time */
	use_process(f, "dev",
	            "n=$(cat \"$HOME/issued\" 2>/dev/null || echo 0); n=$((n+1)); "
	            "echo $n >\"$HOME/issued\"\n"
	            "exp=$(($(date +%s) + $(cat \"$HOME/ahead\") + 120))\n"
	            "exp=$(date -u -d \"@$exp\" +%Y-%m-%dT%H:%M:%SZ)\n"
	            "echo \"{\\\"Version\\\": 1, \\\"AccessKeyId\\\": \\\"AKIAGEN$n\\\", "
	            "\\\"SecretAccessKey\\\": \\\"s\\\", \\\"SessionToken\\\": \\\"t\\\", "
	            "\\\"Expiration\\\": \\\"$exp\\\"}\"\n");
	long ahead = 0;
	move_clock(f, &ahead, 0);
	provider_options po = {.profile = "dev",
	                       .region = "eu-west-1",
	                       .process_timeout_seconds = 10,
	                       .clock = clock_ahead,
	                       .clock_ctx = &ahead};
	credentials_status st;
	lms_error err = {0};
	provider_cache *pc = provider_cache_new(&po, &st, &err);
	assert_non_null(pc);
	assert_string_equal(provider_cache_current(pc)->access_key_id, "AKIAGEN1");
	/* fresh: kept */
	assert_string_equal(provider_cache_refresh(pc, false, &err)->access_key_id, "AKIAGEN1");
	/* past half their two minutes: renewed, from the same helper */
	move_clock(f, &ahead, 65);
	assert_string_equal(provider_cache_refresh(pc, false, &err)->access_key_id, "AKIAGEN2");
	assert_string_equal(provider_cache_refresh(pc, false, &err)->access_key_id, "AKIAGEN2");
	/* ExpiredToken: renewed at once, whatever the clock says */
	assert_string_equal(provider_cache_refresh(pc, true, &err)->access_key_id, "AKIAGEN3");
	/* the helper fails: the current ones serve while they last, then it is an error */
	use_process(f, "dev", "echo 'the SSO session has expired' >&2; exit 1\n");
	move_clock(f, &ahead, 65 + 100);
	assert_string_equal(provider_cache_refresh(pc, false, &err)->access_key_id, "AKIAGEN3");
	assert_null(err.msg);
	move_clock(f, &ahead, 65 + 130);
	assert_null(provider_cache_refresh(pc, false, &err));
	char *text = error_text(&err);
	assert_non_null(strstr(text, "expired at "));
	assert_non_null(strstr(text, "cannot be renewed: credential_process of profile \"dev\" "
	                             "exited with status 1: the SSO session has expired"));
	free(text);
	lms_error_clear(&err);
	provider_cache_free(pc);

	/* long-term keys never expire and are never resolved again */
	write_file(f, ".aws/credentials",
	           "[dev]\naws_access_key_id = AKIALONG\naws_secret_access_key = s\n");
	pc = provider_cache_new(&po, &st, &err);
	assert_non_null(pc);
	ahead = 365L * 86400;
	const credentials *c = provider_cache_current(pc);
	assert_ptr_equal(provider_cache_refresh(pc, false, &err), c);
	/* an ExpiredToken for them cannot be helped by asking again: said so */
	assert_null(provider_cache_refresh(pc, true, &err));
	text = error_text(&err);
	assert_non_null(strstr(text, "carry no expiry"));
	free(text);
	lms_error_clear(&err);
	provider_cache_free(pc);
	unsetenv("AWS_EC2_METADATA_DISABLED");
}

static time_t clock_fixed(void *ctx)
{
	return *(const time_t *)ctx;
}

static long count_in(const fixture *f, const char *name)
{
	char path[160];
	snprintf(path, sizeof path, "%s/%s", f->home, name);
	FILE *fp = fopen(path, "r");
	long n = 0;
	if (fp) {
		if (fscanf(fp, "%ld", &n) != 1)
			n = 0;
		fclose(fp);
	}
	return n;
}

/* A credential_process helper for profile "dev" that issues AKIAGEN1, AKIAGEN2, ... (counted
 * in $HOME/issued), each expiring `lifetime` seconds after *t0 (now), and a cache over it on
 * the clock *now (set to *t0). */
static provider_cache *renewing_cache(fixture *f, int lifetime, time_t *t0, time_t *now)
{
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	*t0 = time(NULL);
	time_t exp = *t0 + lifetime;
	struct tm tm;
	char iso[32];
	assert_non_null(gmtime_r(&exp, &tm));
	strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf script;
	buf_init(&script, 0);
	buf_addf(&script,
	         "n=$(cat \"$HOME/issued\" 2>/dev/null || echo 0); n=$((n+1)); "
	         "echo $n >\"$HOME/issued\"\n"
	         "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIAGEN'$n'\", \"SecretAccessKey\": "
	         "\"s\", \"SessionToken\": \"t\", \"Expiration\": \"%s\"}'\n",
	         iso);
	use_process(f, "dev", buf_cstr(&script));
	buf_free(&script);
	*now = *t0;
	provider_options po = {.profile = "dev",
	                       .region = "eu-west-1",
	                       .process_timeout_seconds = 10,
	                       .clock = clock_fixed,
	                       .clock_ctx = now};
	credentials_status st;
	lms_error err = {0};
	provider_cache *pc = provider_cache_new(&po, &st, &err);
	if (!pc)
		fail_msg("%s", err.msg);
	return pc;
}

/* Renewal on a clock the test sets, second by second: due `ahead` seconds before the expiry
 * (300, or half the lifetime when shorter); after a failure, retried 30 s later unless
 * expired; expired at the expiry itself. */
static void test_renewal_edges(void **state)
{
	fixture *f = *state;
	time_t t0, now;
	provider_cache *pc = renewing_cache(f, 600, &t0, &now);
	lms_error err = {0};
	/* a lifetime of 600 s: 300 ahead */
	now = t0 + 299;
	assert_string_equal(provider_cache_refresh(pc, false, &err)->access_key_id, "AKIAGEN1");
	now = t0 + 300;
	assert_string_equal(provider_cache_refresh(pc, false, &err)->access_key_id, "AKIAGEN2");
	/* obtained at +300: a lifetime of 300 s, half of it ahead (150) */
	now = t0 + 449;
	assert_string_equal(provider_cache_refresh(pc, false, &err)->access_key_id, "AKIAGEN2");
	now = t0 + 450;
	assert_string_equal(provider_cache_refresh(pc, false, &err)->access_key_id, "AKIAGEN3");
	/* obtained at +450: 150 s, 75 ahead; the helper now fails */
	use_process(f, "dev",
	            "n=$(cat \"$HOME/tries\" 2>/dev/null || echo 0); echo $((n+1)) "
	            ">\"$HOME/tries\"; exit 1\n");
	now = t0 + 524;
	assert_string_equal(provider_cache_refresh(pc, false, &err)->access_key_id, "AKIAGEN3");
	assert_int_equal(count_in(f, "tries"), 0);
	now = t0 + 525;
	assert_string_equal(provider_cache_refresh(pc, false, &err)->access_key_id, "AKIAGEN3");
	assert_int_equal(count_in(f, "tries"), 1);
	assert_null(err.msg);
	/* not again before 30 s */
	now = t0 + 554;
	assert_string_equal(provider_cache_refresh(pc, false, &err)->access_key_id, "AKIAGEN3");
	assert_int_equal(count_in(f, "tries"), 1);
	now = t0 + 555;
	assert_string_equal(provider_cache_refresh(pc, false, &err)->access_key_id, "AKIAGEN3");
	assert_int_equal(count_in(f, "tries"), 2);
	/* forced: at once */
	now = t0 + 556;
	assert_null(provider_cache_refresh(pc, true, &err));
	assert_int_equal(count_in(f, "tries"), 3);
	assert_non_null(strstr(err.msg, " expire at "));
	lms_error_clear(&err);
	/* the second before the expiry still serves (tried again: 30 s after the forced try);
	 * at the expiry, tried again at once (not 30 s later) and an error */
	now = t0 + 599;
	assert_string_equal(provider_cache_refresh(pc, false, &err)->access_key_id, "AKIAGEN3");
	assert_int_equal(count_in(f, "tries"), 4);
	now = t0 + 600;
	assert_null(provider_cache_refresh(pc, false, &err));
	assert_int_equal(count_in(f, "tries"), 5);
	assert_non_null(strstr(err.msg, " expired at "));
	lms_error_clear(&err);
	provider_cache_free(pc);
	unsetenv("AWS_EC2_METADATA_DISABLED");
}

/* A lifetime between two and three times the 300 s (800 s): 300 s ahead, not half of it;
 * a lifetime of one second: nothing ahead. */
static void test_renewal_lifetimes(void **state)
{
	fixture *f = *state;
	time_t t0, now;
	provider_cache *pc = renewing_cache(f, 800, &t0, &now);
	lms_error err = {0};
	/* 800 s: due at 500, not at 400 */
	now = t0 + 499;
	assert_string_equal(provider_cache_refresh(pc, false, &err)->access_key_id, "AKIAGEN1");
	now = t0 + 500;
	assert_string_equal(provider_cache_refresh(pc, false, &err)->access_key_id, "AKIAGEN2");
	/* obtained at +799: one second left, none of it ahead */
	now = t0 + 799;
	assert_string_equal(provider_cache_refresh(pc, false, &err)->access_key_id, "AKIAGEN3");
	assert_string_equal(provider_cache_refresh(pc, false, &err)->access_key_id, "AKIAGEN3");
	assert_int_equal(count_in(f, "issued"), 3);
	provider_cache_free(pc);
	unsetenv("AWS_EC2_METADATA_DISABLED");
}

static void test_process_output_parser(void **state)
{
	(void)state;
	const time_t now = 1700000000; /* 2023-11-14 */
	static const struct {
		const char *expiration;
		time_t expected;
	} times[] = {
	    {"2030-01-01T00:00:00Z", 1893456000},      {"2030-01-01T00:00:00.123456Z", 1893456000},
	    {"2030-01-01T08:00:00+08:00", 1893456000}, {"2029-12-31T19:00:00-0500", 1893456000},
	    {"2024-02-29T12:00:00z", 1709208000},      {"2030-01-01T00:00:00.0Z", 1893456000},
	    {"2030-01-01T00:00:00.9Z", 1893456000},    {"2030-01-01t00:00:00Z", 1893456000},
	    {"2030-01-01 00:00:00Z", 1893456000},
	};
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
		buf json;
		buf_init(&json, 0);
		buf_addf(&json,
		         "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\","
		         "\"SessionToken\":null,\"Expiration\":\"%s\"}",
		         times[i].expiration);
		credentials *c = NULL;
		assert_int_equal(
		    credentials_parse_process_output(buf_cstr(&json), json.len, now, &c, NULL),
		    CREDENTIALS_OK);
		assert_int_equal(c->expiration, times[i].expected);
		assert_null(c->session_token);
		credentials_free(c);
		buf_free(&json);
	}
	static const char *const bad_times[] = {
	    "2030-01-01",
	    "2030-01-01T00:00:00",
	    "2030-13-01T00:00:00Z",
	    "2030-01-01T00:00:00+8",
	    "2030-01-01T00:00:00.Z",
	    "2030-01-01T00:00:00Zjunk",
	    "",
	};
	for (size_t i = 0; i < sizeof bad_times / sizeof bad_times[0]; i++) {
		buf json;
		buf_init(&json, 0);
		lms_error err = {0};
		buf_addf(&json,
		         "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\","
		         "\"Expiration\":\"%s\"}",
		         bad_times[i]);
		credentials *c = (credentials *)1;
		assert_int_equal(
		    credentials_parse_process_output(buf_cstr(&json), json.len, now, &c, &err),
		    CREDENTIALS_PROCESS_FAILED);
		assert_null(c);
		assert_non_null(strstr(err.msg, "ISO 8601"));
		buf_free(&json);
		lms_error_clear(&err);
	}
	credentials_free(NULL);
}

/* ---- region ------------------------------------------------------------------------------- */

static void expect_region(const char *profile, credentials_status want, const char *text)
{
	buf out;
	buf_init(&out, 0);
	lms_error err = {0};
	credentials_status st = credentials_region(profile, &out, &err);
	if (st != want)
		print_error("status %d, message: %s\n", st, err.msg ? err.msg : "");
	assert_int_equal(st, want);
	if (want == CREDENTIALS_OK)
		assert_string_equal(buf_cstr(&out), text);
	else
		assert_non_null(strstr(err.msg, text));
	buf_free(&out);
	lms_error_clear(&err);
}

static void test_region(void **state)
{
	fixture *f = *state;
	expect_region(NULL, CREDENTIALS_NOT_FOUND, "no AWS region configured: set AWS_REGION");
	write_file(f, ".aws/config",
	           "[default]\nregion = eu-west-1\n[profile sg]\nregion = ap-southeast-1\n"
	           "[profile bad]\nregion = Europe West\n");
	expect_region(NULL, CREDENTIALS_OK, "eu-west-1");
	expect_region("sg", CREDENTIALS_OK, "ap-southeast-1");
	setenv("AWS_PROFILE", "sg", 1);
	expect_region(NULL, CREDENTIALS_OK, "ap-southeast-1");
	expect_region("default", CREDENTIALS_OK, "eu-west-1");
	expect_region("bad", CREDENTIALS_BAD_CONFIG, "not a region name");
	expect_region("none", CREDENTIALS_NOT_FOUND, "add region to profile \"none\"");
	setenv("AWS_DEFAULT_REGION", "us-west-2", 1);
	expect_region("sg", CREDENTIALS_OK, "us-west-2");
	setenv("AWS_REGION", "eu-central-1", 1);
	expect_region("sg", CREDENTIALS_OK, "eu-central-1");
	setenv("AWS_REGION", "eu west 1", 1);
	expect_region(NULL, CREDENTIALS_BAD_CONFIG, "AWS_REGION=\"eu west 1\" is not a region");
}

/* ---- edges (issue 15) ------------------------------------------------------------------------ */

static credentials_status parse_expiration(const char *expiration, time_t now, time_t *got)
{
	buf json;
	buf_init(&json, 0);
	buf_addf(&json,
	         "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\","
	         "\"Expiration\":\"%s\"}",
	         expiration);
	credentials *c = NULL;
	credentials_status st =
	    credentials_parse_process_output(buf_cstr(&json), json.len, now, &c, NULL);
	*got = c ? c->expiration : 0;
	credentials_free(c);
	buf_free(&json);
	return st;
}

static void expect_time(const char *expiration, time_t want)
{
	time_t got = 0;
	const time_t long_ago = -70000000000LL; /* before the year 0 */
	if (parse_expiration(expiration, long_ago, &got) != CREDENTIALS_OK)
		fail_msg("%s refused", expiration);
	if (got != want)
		fail_msg("%s: %lld, not %lld", expiration, (long long)got, (long long)want);
}

static void expect_bad_time(const char *expiration)
{
	time_t got = 0;
	if (parse_expiration(expiration, -70000000000LL, &got) != CREDENTIALS_PROCESS_FAILED)
		fail_msg("%s accepted", expiration);
}

static void test_iso8601_edges(void **state)
{
	(void)state;
	/* each field at its bounds, and one past them */
	expect_time("2030-01-01T00:00:00Z", 1893456000);
	expect_time("2030-12-31T23:59:59Z", 1924991999);
	expect_time("2030-12-31T23:59:60Z", 1924992000);
	expect_time("2030-01-31T00:00:00Z", 1893456000 + 30 * 86400);
	expect_bad_time("2030-00-01T00:00:00Z");
	expect_bad_time("2030-13-01T00:00:00Z");
	expect_bad_time("2030-01-00T00:00:00Z");
	expect_bad_time("2030-01-32T00:00:00Z");
	expect_bad_time("2030-01-01T24:00:00Z");
	expect_bad_time("2030-01-01T00:60:00Z");
	expect_bad_time("2030-01-01T00:00:61Z");
	/* zones: 23:59 either way, not 24 hours nor 60 minutes */
	expect_time("2030-01-01T23:59:00+23:59", 1893456000);
	expect_time("2029-12-31T00:01:00-23:59", 1893456000);
	expect_time("2030-01-01T05:30:00+0530", 1893456000);
	expect_bad_time("2030-01-01T00:00:00+24:00");
	expect_bad_time("2030-01-01T00:00:00+00:60");
	expect_bad_time("2030-01-01T00:00:00+00:0");
	expect_bad_time("2030-01-01T00:00:00+00:000");
	expect_bad_time("2030-01-01T00:00:00+0");
	expect_bad_time("2030-01-01T00:00:00Z0");
	expect_bad_time("2030-01-01T00:00:00*");
	/* the separators exactly; digits are 0 to 9, not the characters beside them */
	expect_time("2030-01-01T00:00:00,5Z", 1893456000);
	expect_time("2039-09-09T09:09:09Z", 2199172149);
	expect_bad_time("2030/01-01T00:00:00Z");
	expect_bad_time("2030-01/01T00:00:00Z");
	expect_bad_time("2030-01-01X00:00:00Z");
	expect_bad_time("2030-01-01T00-00:00Z");
	expect_bad_time("2030-01-01T00:00-00Z");
	expect_bad_time("2030-01-01T00:00:00.aZ");
	expect_bad_time("2030-01-01T00:00:0:Z");
	expect_bad_time("203/-01-01T00:00:00Z");
	expect_bad_time("203:-01-01T00:00:00Z");
	expect_bad_time("2030-01-01T00:00:00.:Z");
	expect_bad_time("2030-01-01T00:00:00./Z");
	expect_bad_time("2030-01-01T00:00:00.1:Z");
	/* the calendar: leap days of 2000 and 2024, not of 2100; February against March; the
	 * years before 1970 and before the year 0 */
	expect_time("2000-02-29T00:00:00Z", 951782400);
	expect_time("2000-03-01T00:00:00Z", 951868800);
	expect_time("2024-02-29T00:00:00Z", 1709164800);
	expect_time("2024-03-01T00:00:00Z", 1709251200);
	expect_time("2100-03-01T00:00:00Z", 4107542400);
	expect_time("2100-02-28T00:00:00Z", 4107456000);
	expect_time("1969-12-31T23:59:59Z", -1);
	expect_time("1600-03-01T00:00:00Z", -11670912000);
	expect_time("0000-03-01T00:00:00Z", -62162035200);
	expect_time("0000-01-01T00:00:00Z", -62167219200);
	/* expired at now is expired; one second later is not */
	time_t got = 0;
	assert_int_equal(parse_expiration("2030-01-01T00:00:00Z", 1893456000, &got),
	                 CREDENTIALS_PROCESS_FAILED);
	assert_int_equal(parse_expiration("2030-01-01T00:00:00Z", 1893455999, &got),
	                 CREDENTIALS_OK);
	assert_int_equal(got, 1893456000);
}

static void expect_process_output(const char *json, credentials_status want, const char *msg)
{
	credentials *c = NULL;
	lms_error err = {0};
	credentials_status st = credentials_parse_process_output(json, strlen(json), 0, &c, &err);
	if (st != want)
		fail_msg("%s: status %d (%s)", json, st, err.msg ? err.msg : "");
	if (msg && !strstr(err.msg, msg))
		fail_msg("%s: '%s' lacks '%s'", json, err.msg, msg);
	credentials_free(c);
	lms_error_clear(&err);
}

static void test_process_output_edges(void **state)
{
	(void)state;
	expect_process_output("{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}",
	                      CREDENTIALS_OK, NULL);
	expect_process_output("{\"Version\":2,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}",
	                      CREDENTIALS_PROCESS_FAILED, "Version");
	expect_process_output("{\"Version\":0,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}",
	                      CREDENTIALS_PROCESS_FAILED, "Version");
	expect_process_output("{\"Version\":\"1\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}",
	                      CREDENTIALS_PROCESS_FAILED, "Version");
	expect_process_output("{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}",
	                      CREDENTIALS_PROCESS_FAILED, "Version");
	expect_process_output("[1]", CREDENTIALS_PROCESS_FAILED, "not an object");
	expect_process_output("{\"Version\":1,\"AccessKeyId\":\"\",\"SecretAccessKey\":\"S\"}",
	                      CREDENTIALS_PROCESS_FAILED, "lacks AccessKeyId");
	expect_process_output("{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"\"}",
	                      CREDENTIALS_PROCESS_FAILED, "lacks AccessKeyId");
	expect_process_output("{\"Version\":1,\"SecretAccessKey\":\"S\"}",
	                      CREDENTIALS_PROCESS_FAILED, "lacks AccessKeyId");
	expect_process_output("{\"Version\":1,\"AccessKeyId\":\"A\"}", CREDENTIALS_PROCESS_FAILED,
	                      "lacks AccessKeyId");
	expect_process_output("{\"Version\":1,\"AccessKeyId\":5,\"SecretAccessKey\":\"S\"}",
	                      CREDENTIALS_PROCESS_FAILED, "non-string");
	expect_process_output(
	    "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\",\"SessionToken\":[]}",
	    CREDENTIALS_PROCESS_FAILED, "non-string");
	expect_process_output(
	    "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\",\"Expiration\":null}",
	    CREDENTIALS_OK, NULL);
	expect_process_output("{\"Version\":1,\"Version\":1}", CREDENTIALS_PROCESS_FAILED,
	                      "not valid JSON");
}

static void test_region_edges(void **state)
{
	fixture *f = *state;
	/* a region name is a-z, 0-9 and '-': the characters beside each range are not */
	static const char *const good[] = {"az-09", "a", "0", "-", "eu-west-1"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		setenv("AWS_REGION", good[i], 1);
		expect_region(NULL, CREDENTIALS_OK, good[i]);
	}
	static const char *const bad[] = {"eu`", "eu{", "eu/", "eu:", "Eu", "eu_1", "eu.1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		setenv("AWS_REGION", bad[i], 1);
		expect_region(NULL, CREDENTIALS_BAD_CONFIG, "is not a region");
	}
	/* AWS_DEFAULT_REGION is checked as well; an empty AWS_REGION is none */
	setenv("AWS_REGION", "", 1);
	setenv("AWS_DEFAULT_REGION", "eu{", 1);
	expect_region(NULL, CREDENTIALS_BAD_CONFIG, "AWS_DEFAULT_REGION=\"eu{\"");
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	/* the profile's section: [profile NAME] with any blanks, [default] or [profile default]
	 * for the default only; not [profileNAME], a longer or a shorter name */
	write_file(f, ".aws/config",
	           "[profile \t dev]\nregion = eu-west-2\n[profileqa]\nregion = eu-west-3\n"
	           "[profile default]\nregion = eu-north-1\n[profile prodx]\nregion = us-east-2\n"
	           "[profile pro]\nregion = us-east-1\n[profile empty]\nregion =\n"
	           "[default]\nregion=\n[profile defaultx]\nregion=ap-east-1\n");
	expect_region("dev", CREDENTIALS_OK, "eu-west-2");
	expect_region("qa", CREDENTIALS_NOT_FOUND, "add region to profile \"qa\"");
	expect_region("prod", CREDENTIALS_NOT_FOUND, "add region to profile \"prod\"");
	expect_region("empty", CREDENTIALS_NOT_FOUND, "add region to profile \"empty\"");
	/* the later [default] has an empty region: the last setting wins */
	expect_region("default", CREDENTIALS_NOT_FOUND, "add region to profile \"default\"");
	write_file(f, ".aws/config",
	           "[profile default]\nregion = eu-north-1\n[default]\n"
	           "output = json\n[defaultx]\nregion = ap-east-1\n");
	expect_region("default", CREDENTIALS_OK, "eu-north-1");
	expect_region("defaultx", CREDENTIALS_NOT_FOUND, "add region");
	setenv("AWS_PROFILE", "", 1);
	expect_region("", CREDENTIALS_OK, "eu-north-1");
	unsetenv("AWS_PROFILE");
}

static void test_ini_edges(void **state)
{
	(void)state;
	/* indentation: one blank deeper continues the setting above; as deep is a new one;
	 * each blank character counts (space, tab, CR, FF, VT) */
	const char text[] = "[a]\n"
	                    "k =\n"
	                    " x = 1\n"
	                    "\ty = 2\n"
	                    "\v\fz\r=\t3\r\n"
	                    " w\n"
	                    "  = 4\n"
	                    "j = v\n"
	                    "  q = 5\n"
	                    " m: 6\n"
	                    " [b]\n"
	                    "n = 7\n"
	                    "[ c ] tail\n"
	                    "o:p=8\n";
	lms_error err = {0};
	aws_ini *ini = aws_ini_parse(text, sizeof text - 1, &err);
	if (!ini)
		fail_msg("%s", err.msg);
	assert_string_equal(aws_ini_get(ini, "a", "k"), "");
	assert_string_equal(aws_ini_get(ini, "a", "k.x"), "1");
	assert_string_equal(aws_ini_get(ini, "a", "k.y"), "2");
	assert_string_equal(aws_ini_get(ini, "a", "k.z"), "3");
	assert_null(aws_ini_get(ini, "a", "k.w"));
	assert_null(aws_ini_get(ini, "a", "k."));
	assert_string_equal(aws_ini_get(ini, "a", "j"), "v");
	assert_null(aws_ini_get(ini, "a", "j.q"));
	assert_null(aws_ini_get(ini, "a", "q"));
	assert_null(aws_ini_get(ini, "a", "m"));
	/* an indented header under a setting continues it; the next setting is still [a]'s */
	assert_false(aws_ini_has_section(ini, "b"));
	assert_string_equal(aws_ini_get(ini, "a", "n"), "7");
	assert_true(aws_ini_has_section(ini, "c"));
	assert_string_equal(aws_ini_get(ini, "c", "o"), "p=8");
	assert_null(aws_ini_get(ini, "c", "o:p"));
	assert_int_equal(aws_ini_count(ini), 9);
	const char *s, *k, *v;
	aws_ini_entry(ini, 0, &s, &k, &v);
	assert_string_equal(s, "a");
	assert_null(k);
	aws_ini_entry(ini, 8, &s, &k, &v);
	assert_string_equal(s, "c");
	assert_string_equal(k, "o");
	assert_string_equal(v, "p=8");
	aws_ini_free(ini);
	assert_int_equal(aws_ini_count(NULL), 0);
	/* a header as the first line, a setting on the last line without a line break */
	ini = aws_ini_parse("[x]\ny=1", 7, &err);
	assert_non_null(ini);
	assert_string_equal(aws_ini_get(ini, "x", "y"), "1");
	assert_null(aws_ini_get(ini, "x", "y "));
	assert_null(aws_ini_get(ini, "xx", "y"));
	assert_null(aws_ini_get(ini, "x", "yy"));
	aws_ini_free(ini);
	/* the length is the text's, not its NUL: a setting cut by the length */
	ini = aws_ini_parse("[x]\ny=12", 7, &err);
	assert_non_null(ini);
	assert_string_equal(aws_ini_get(ini, "x", "y"), "1");
	aws_ini_free(ini);
	/* the line number of an error counts every line, blank and comment ones too */
	assert_null(aws_ini_parse("[a]\n#c\n\n;d\n  \nbad\n", 20, &err));
	assert_int_equal(err.line, 6);
	lms_error_clear(&err);
}

/* ---- edges (session 6) ----------------------------------------------------------------------- */

/* Endpoints: ignore_configured_endpoint_urls "true" or "True" exactly (a profile with only
 * that setting still has endpoints to ignore; "false" keeps them); an empty endpoint_url is
 * none; a service's name in its [services] section lower-cased, '-' and ' ' as '_' (each
 * end of A-Z, not '@' or '['); an empty nested endpoint_url falls back to the profile's;
 * without one, nothing and no source. */
static void test_endpoint_edges(void **state)
{
	fixture *f = *state;
	write_file(
	    f, ".aws/config",
	    "[profile t1]\nendpoint_url = http://g\nignore_configured_endpoint_urls = True\n"
	    "[profile t2]\nendpoint_url = http://g\nignore_configured_endpoint_urls = TRUE\n"
	    "[profile t3]\nendpoint_url = http://g\nignore_configured_endpoint_urls = truex\n"
	    "[profile t4]\nendpoint_url = http://g\nignore_configured_endpoint_urls = tru\n"
	    "[profile t5]\nendpoint_url = http://g\nignore_configured_endpoint_urls = Truex\n"
	    "[profile only]\nignore_configured_endpoint_urls = false\n"
	    "[profile onlytrue]\nignore_configured_endpoint_urls = true\n"
	    "[profile empty]\nendpoint_url =\nservices =\n"
	    "[profile svc]\nservices = s\n"
	    "[profile svcg]\nendpoint_url = http://g\nservices = s\n"
	    "[services s]\n"
	    "secrets_manager =\n  endpoint_url = http://sm\n"
	    "az =\n  endpoint_url = http://az\n"
	    "a@ =\n  endpoint_url = http://at\n"
	    "a[ =\n  endpoint_url = http://br\n"
	    "blank =\n  endpoint_url =\n");
	static const struct {
		const char *profile;
		bool ignored;
		const char *url;
	} ignores[] = {{"t1", true, NULL},        {"t2", false, "http://g"},
	               {"t3", false, "http://g"}, {"t4", false, "http://g"},
	               {"t5", false, "http://g"}, {"only", false, NULL},
	               {"onlytrue", true, NULL}};
	buf src;
	buf_init(&src, 0);
	lms_error err = {0};
	credentials_endpoints *e = NULL;
	for (size_t i = 0; i < sizeof ignores / sizeof ignores[0]; i++) {
		assert_int_equal(credentials_endpoints_load(ignores[i].profile, &e, &err),
		                 CREDENTIALS_OK);
		if (!e)
			fail_msg("%s: no endpoints", ignores[i].profile);
		assert_int_equal(credentials_endpoints_ignored(e), ignores[i].ignored);
		const char *url = endpoint_of(e, "sts", &src);
		if (ignores[i].url)
			assert_string_equal(url, ignores[i].url);
		else
			assert_null(url);
		assert_int_equal(src.len > 0, ignores[i].url != NULL);
		credentials_endpoints_free(e);
	}
	assert_false(credentials_endpoints_ignored(NULL));
	assert_int_equal(credentials_endpoints_load("empty", &e, &err), CREDENTIALS_OK);
	assert_null(e);
	/* a services section and no endpoint_url of the profile's */
	assert_int_equal(credentials_endpoints_load("svc", &e, &err), CREDENTIALS_OK);
	assert_non_null(e);
	static const struct {
		const char *service, *url;
	} names[] = {{"Secrets-Manager", "http://sm"},
	             {"secrets manager", "http://sm"},
	             {"SECRETS_MANAGER", "http://sm"},
	             {"secrets.manager", NULL},
	             {"AZ", "http://az"},
	             {"A@", "http://at"},
	             {"A[", "http://br"},
	             {"blank", NULL},
	             {"s3", NULL}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *url = endpoint_of(e, names[i].service, &src);
		if (names[i].url) {
			if (!url || strcmp(url, names[i].url) != 0)
				fail_msg("%s: %s", names[i].service, url ? url : "(none)");
			assert_non_null(strstr(buf_cstr(&src), "[services s] in "));
		} else {
			if (url)
				fail_msg("%s: %s", names[i].service, url);
			assert_int_equal(src.len, 0);
		}
	}
	assert_string_equal(credentials_endpoint_for(e, "az", NULL), "http://az");
	assert_null(credentials_endpoint_for(e, "s3", NULL));
	credentials_endpoints_free(e);
	/* with the profile's endpoint_url: the fallback, said to come from the profile */
	assert_int_equal(credentials_endpoints_load("svcg", &e, &err), CREDENTIALS_OK);
	assert_string_equal(endpoint_of(e, "blank", &src), "http://g");
	assert_non_null(strstr(buf_cstr(&src), "endpoint_url of profile \"svcg\" in "));
	assert_string_equal(endpoint_of(e, "az", &src), "http://az");
	assert_null(strstr(buf_cstr(&src), "endpoint_url of profile"));
	assert_string_equal(credentials_endpoint_for(e, "blank", NULL), "http://g");
	credentials_endpoints_free(e);
	/* a config file that cannot be read: its error, no endpoints */
	write_file(f, ".aws/config", "[profile x]\nendpoint_url = http://g\n[broken\n");
	assert_int_equal(credentials_endpoints_load("x", &e, &err), CREDENTIALS_BAD_CONFIG);
	assert_null(e);
	lms_error_clear(&err);
	buf_free(&src);
}

/* The settings that make a profile one credentials.c does not resolve: each of the four
 * names, in either file, said with the file it is in; an empty credential_process is none. */
static void test_unsupported_edges(void **state)
{
	fixture *f = *state;
	write_file(f, ".aws/credentials",
	           "[inkeys]\nrole_arn = arn:aws:iam::123456789012:role/x\n"
	           "aws_access_key_id = AKIAK\naws_secret_access_key = s\n"
	           "[empty]\ncredential_process =\n");
	write_file(f, ".aws/config",
	           "[profile legacy]\nsso_start_url = https://x\n"
	           "[profile roleish]\nrole_arnx = r\naws_access_key_id = AKIAR\n"
	           "aws_secret_access_key = s\n"
	           "[profile emptyproc]\ncredential_process =\n");
	expect_resolve("inkeys", 0, CREDENTIALS_UNSUPPORTED, "uses role_arn");
	expect_resolve("inkeys", 0, CREDENTIALS_UNSUPPORTED, ".aws/credentials)");
	expect_resolve("legacy", 0, CREDENTIALS_UNSUPPORTED, "uses sso_start_url");
	expect_resolve("legacy", 0, CREDENTIALS_UNSUPPORTED, "(IAM Identity Center, set in ");
	expect_resolve("legacy", 0, CREDENTIALS_UNSUPPORTED, ".aws/config)");
	credentials *c = expect_resolve("roleish", 0, CREDENTIALS_OK, "AKIAR");
	assert_non_null(strstr(c->source, ".aws/config"));
	credentials_free(c);
	expect_resolve("empty", 0, CREDENTIALS_BAD_CONFIG, "profile \"empty\" has no credentials");
	expect_resolve("emptyproc", 0, CREDENTIALS_BAD_CONFIG, "has no credentials");
	/* an empty --profile is none: the environment's keys, then the default profile */
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "s", 1);
	credentials_free(expect_resolve("", 0, CREDENTIALS_OK, "AKIAENV"));
	credentials *n = NULL;
	assert_int_equal(credentials_resolve(NULL, &n, NULL), CREDENTIALS_OK);
	assert_string_equal(n->access_key_id, "AKIAENV");
	assert_null(n->session_token);
	credentials_free(n);
	setenv("AWS_SESSION_TOKEN", "", 1);
	n = expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIAENV");
	assert_null(n->session_token);
	credentials_free(n);
	setenv("AWS_SESSION_TOKEN", "tok", 1);
	n = expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIAENV");
	assert_string_equal(n->session_token, "tok");
	assert_string_equal(n->source, "environment (AWS_ACCESS_KEY_ID)");
	credentials_free(n);
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	/* named by whom: --profile when the caller names nobody */
	credentials_options opts = {.profile = "nope"};
	lms_error err = {0};
	assert_int_equal(credentials_resolve(&opts, &n, &err), CREDENTIALS_BAD_CONFIG);
	assert_non_null(strstr(err.msg, "(from --profile)"));
	lms_error_clear(&err);
	opts.named_by = "the model";
	assert_int_equal(credentials_resolve(&opts, &n, &err), CREDENTIALS_BAD_CONFIG);
	assert_non_null(strstr(err.msg, "(from the model)"));
	lms_error_clear(&err);
}

/* Without HOME the default files are none (and named by their usual place); a file that
 * cannot be opened for another reason than its absence (a loop of symbolic links) is an
 * error, not an empty file. */
static void test_no_home_and_unreadable(void **state)
{
	fixture *f = *state;
	write_file(f, ".aws/credentials",
	           "[default]\naws_access_key_id = AKIAHOME\naws_secret_access_key = s\n");
	credentials_free(expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIAHOME"));
	unsetenv("HOME");
	expect_resolve(NULL, 0, CREDENTIALS_NOT_FOUND,
	               "(looked in the environment, ~/.aws/credentials and ~/.aws/config;");
	expect_region(NULL, CREDENTIALS_NOT_FOUND,
	              "add region to profile \"default\" in ~/.aws/config");
	credentials_endpoints *e = (credentials_endpoints *)1;
	assert_int_equal(credentials_endpoints_load(NULL, &e, NULL), CREDENTIALS_OK);
	assert_null(e);
	/* a set variable still names its file */
	buf path;
	buf_init(&path, 0);
	buf_addf(&path, "%s/.aws/credentials", f->home);
	setenv("AWS_SHARED_CREDENTIALS_FILE", buf_cstr(&path), 1);
	credentials_free(expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIAHOME"));
	/* "~/" without HOME is a relative path, not the home folder */
	setenv("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials", 1);
	expect_resolve(NULL, 0, CREDENTIALS_NOT_FOUND, "no AWS credentials found");
	setenv("HOME", f->home, 1);
	credentials_free(expect_resolve(NULL, 0, CREDENTIALS_OK, "AKIAHOME"));
	/* a loop of symbolic links: ELOOP, said */
	buf_reset(&path);
	buf_addf(&path, "%s/custom-credentials", f->home);
	assert_int_equal(symlink(buf_cstr(&path), buf_cstr(&path)), 0);
	setenv("AWS_SHARED_CREDENTIALS_FILE", buf_cstr(&path), 1);
	expect_resolve(NULL, 0, CREDENTIALS_SYSTEM_ERROR, "cannot read ");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	setenv("AWS_CONFIG_FILE", buf_cstr(&path), 1);
	expect_resolve(NULL, 0, CREDENTIALS_SYSTEM_ERROR, "custom-credentials: ");
	unsetenv("AWS_CONFIG_FILE");
	buf_free(&path);
}

/* An empty profile name is none: AWS_PROFILE's, for the region and the endpoints too; the
 * hint for a config section written without "profile " is for any name but "default",
 * "defaultx" included. */
static void test_empty_profile_names(void **state)
{
	fixture *f = *state;
	write_file(f, ".aws/config",
	           "[default]\nregion = eu-west-1\n"
	           "[profile sg]\nregion = ap-southeast-1\nendpoint_url = http://sg\n"
	           "[defaultx]\naws_access_key_id = A\n");
	setenv("AWS_PROFILE", "sg", 1);
	expect_region("", CREDENTIALS_OK, "ap-southeast-1");
	credentials_endpoints *e = NULL;
	assert_int_equal(credentials_endpoints_load("", &e, NULL), CREDENTIALS_OK);
	assert_non_null(e);
	assert_string_equal(credentials_endpoint_for(e, "sts", NULL), "http://sg");
	credentials_endpoints_free(e);
	unsetenv("AWS_PROFILE");
	expect_region("", CREDENTIALS_OK, "eu-west-1");
	expect_resolve(
	    "defaultx", 0, CREDENTIALS_BAD_CONFIG,
	    "has a section [defaultx]; the config file names profiles [profile defaultx]");
	/* any name but "default" (whatever strcmp answers for it: "e" is 1 past "d"); no hint
	 * without such a section */
	write_file(f, ".aws/config", "[e]\nregion = eu-west-1\n");
	expect_resolve("e", 0, CREDENTIALS_BAD_CONFIG, "has a section [e];");
	credentials_options opts = {.profile = "nope"};
	credentials *c = NULL;
	lms_error err = {0};
	assert_int_equal(credentials_resolve(&opts, &c, &err), CREDENTIALS_BAD_CONFIG);
	assert_null(strstr(err.msg, "has a section"));
	lms_error_clear(&err);
}

/* The cache's source: its credentials', "?" without a cache. */
static void test_cache_source(void **state)
{
	fixture *f = *state;
	write_file(f, ".aws/credentials",
	           "[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n");
	assert_null(provider_cache_current(NULL));
	assert_string_equal(provider_cache_source(NULL), "?");
	provider_options po = {.profile = "dev", .region = "eu-west-1"};
	credentials_status st;
	lms_error err = {0};
	provider_cache *pc = provider_cache_new(&po, &st, &err);
	assert_non_null(pc);
	assert_int_equal(st, CREDENTIALS_OK);
	assert_non_null(strstr(provider_cache_source(pc), "profile \"dev\" in "));
	provider_cache_free(pc);
	po.profile = "nope";
	assert_null(provider_cache_new(&po, &st, &err));
	assert_int_equal(st, CREDENTIALS_BAD_CONFIG);
	lms_error_clear(&err);
}

/* ---- allocation failures (session 7) ------------------------------------------------------ */

/* One call of the sweeps below; *msg gets a copy of the error's message (or NULL). */
typedef credentials_status (*cred_call)(void *ctx, char **msg);

/* For n = 0, 1, ...: the n-th allocation of the call fails; the call must answer
 * CREDENTIALS_SYSTEM_ERROR (or `alt`, when not CREDENTIALS_OK) with "out of memory" in its
 * message, leak nothing, and, once n is past its last allocation, succeed. Returns the number
 * of allocations the call makes. */
static size_t cred_sweep(cred_call fn, void *ctx, credentials_status alt)
{
	char *msg = NULL;
	assert_int_equal(fn(ctx, &msg), CREDENTIALS_OK);
	free(msg);
	for (size_t n = 0; n < 500; n++) {
		size_t live = alloc_live();
		msg = NULL;
		alloc_fail_after(n);
		credentials_status st = fn(ctx, &msg);
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		if (!fired) {
			assert_int_equal(st, CREDENTIALS_OK);
			free(msg);
			assert_int_equal(alloc_live(), live);
			return n;
		}
		if (st != CREDENTIALS_SYSTEM_ERROR && !(alt != CREDENTIALS_OK && st == alt))
			fail_msg("allocation %zu: status %d (%s)", n, (int)st, msg ? msg : "-");
		if (!msg || !strstr(msg, "out of memory"))
			fail_msg("allocation %zu: message %s", n, msg ? msg : "(none)");
		free(msg);
		assert_int_equal(alloc_live(), live);
	}
	fail_msg("more than 500 allocations");
	return 0;
}

static char *take_msg(lms_error *err)
{
	char *m = err->msg ? strdup(err->msg) : NULL;
	lms_error_clear(err);
	return m;
}

static credentials_status resolve_call(void *ctx, char **msg)
{
	const credentials_options *opts = ctx;
	lms_error err = {0};
	credentials *c = NULL;
	credentials_status st = credentials_resolve(opts, &c, &err);
	if (st == CREDENTIALS_OK) {
		assert_non_null(c);
		assert_string_equal(c->access_key_id, "AKIDSWEEP");
		assert_string_equal(c->secret_access_key, "secret-sweep");
		assert_string_equal(c->session_token, "token-sweep");
		assert_non_null(c->source);
	} else {
		assert_null(c);
	}
	credentials_free(c);
	*msg = take_msg(&err);
	return st;
}

static credentials_status parse_call(void *ctx, char **msg)
{
	const char *json = ctx;
	lms_error err = {0};
	credentials *c = NULL;
	credentials_status st =
	    credentials_parse_process_output(json, strlen(json), 1000, &c, &err);
	if (st == CREDENTIALS_OK) {
		assert_string_equal(c->access_key_id, "AKIDP");
		assert_string_equal(c->secret_access_key, "sp");
		if (strstr(json, "\"tp\""))
			assert_string_equal(c->session_token, "tp");
		else
			assert_null(c->session_token);
		assert_string_equal(c->source, "credential_process");
	} else {
		assert_null(c);
	}
	credentials_free(c);
	*msg = take_msg(&err);
	return st;
}

/* Every allocation of credentials_resolve (environment, a profile's keys in either file, a
 * process's answer) and of credentials_parse_process_output: out of memory, nothing leaked,
 * nothing half made returned. */
static void test_resolve_out_of_memory(void **state)
{
	fixture *f = *state;
	alloc_fail_jansson(false);
	/* the environment, with and without a token */
	setenv("AWS_ACCESS_KEY_ID", "AKIDSWEEP", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "secret-sweep", 1);
	setenv("AWS_SESSION_TOKEN", "token-sweep", 1);
	assert_int_equal(cred_sweep(resolve_call, NULL, CREDENTIALS_OK), 5);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	/* the credentials file (with a nested setting and a second section), then the config
	 * file's keys */
	write_file(f, ".aws/credentials",
	           "[other]\naws_access_key_id = X\ns3 =\n  endpoint_url = http://e\n"
	           "[default]\naws_access_key_id = AKIDSWEEP\n"
	           "aws_secret_access_key = secret-sweep\naws_session_token = token-sweep\n");
	write_file(f, ".aws/config", "[default]\nregion = eu-west-1\n");
	size_t from_file = cred_sweep(resolve_call, NULL, CREDENTIALS_OK);
	assert_true(from_file > 10);
	write_file(f, ".aws/credentials", "");
	write_file(f, ".aws/config",
	           "[profile p]\naws_access_key_id = AKIDSWEEP\n"
	           "aws_secret_access_key = secret-sweep\naws_session_token = token-sweep\n");
	credentials_options opts = {.profile = "p"};
	assert_true(cred_sweep(resolve_call, &opts, CREDENTIALS_OK) > 5);
	/* a process's answer (the parser alone: the process itself is not swept) */
	assert_int_equal(cred_sweep(parse_call,
	                            "{\"Version\": 1, \"AccessKeyId\": \"AKIDP\", "
	                            "\"SecretAccessKey\": \"sp\", \"SessionToken\": \"tp\"}",
	                            CREDENTIALS_OK),
	                 5);
	assert_int_equal(cred_sweep(parse_call,
	                            "{\"Version\": 1, \"AccessKeyId\": \"AKIDP\", "
	                            "\"SecretAccessKey\": \"sp\", \"SessionToken\": \"\"}",
	                            CREDENTIALS_OK),
	                 4);
	alloc_fail_jansson(true);
}

/* aws_ini_parse: each allocation (the table, a section, a key, a value, a nested key) fails
 * as "out of memory" with no line, and nothing leaks. */
static void test_ini_out_of_memory(void **state)
{
	(void)state;
	const char text[] = "[a]\nk = v\ns3 =\n  endpoint_url = http://e\n  x = y\n[b]\nz=\n";
	size_t n = 0;
	for (;; n++) {
		size_t live = alloc_live();
		lms_error err = {0};
		alloc_fail_after(n);
		aws_ini *ini = aws_ini_parse(text, sizeof text - 1, &err);
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		if (!fired) {
			assert_non_null(ini);
			assert_int_equal(aws_ini_count(ini), 7);
			assert_string_equal(aws_ini_get(ini, "a", "s3.endpoint_url"), "http://e");
			assert_string_equal(aws_ini_get(ini, "a", "s3.x"), "y");
			assert_string_equal(aws_ini_get(ini, "b", "z"), "");
			aws_ini_free(ini);
			assert_int_equal(alloc_live(), live);
			break;
		}
		assert_null(ini);
		assert_non_null(err.msg);
		assert_string_equal(err.msg, "out of memory");
		assert_int_equal(err.line, 0);
		lms_error_clear(&err);
		assert_int_equal(alloc_live(), live);
	}
	assert_true(n >= 14);
}

static credentials_status endpoints_call(void *ctx, char **msg)
{
	const char *profile = ctx;
	lms_error err = {0};
	credentials_endpoints *e = NULL;
	credentials_status st = credentials_endpoints_load(profile, &e, &err);
	*msg = take_msg(&err);
	if (st != CREDENTIALS_OK) {
		assert_null(e);
		return st;
	}
	assert_non_null(e);
	/* a failure absorbed by the load is an error; the checks below may allocate, so the
	 * countdown stops here (the sweep then ends) */
	bool fired = alloc_fail_fired();
	alloc_fail_off();
	buf src;
	buf_init(&src, 0);
	const char *v = credentials_endpoint_for(e, "S3", &src);
	if (strcmp(profile, "glob") != 0) {
		assert_string_equal(v, "http://s3");
		assert_int_equal(strncmp(buf_cstr(&src), "[services box] in /", 19), 0);
		assert_string_equal(strstr(buf_cstr(&src), "/.aws/config"), "/.aws/config");
	} else {
		assert_string_equal(v, "http://global");
	}
	buf_free(&src);
	credentials_endpoints_free(e);
	return fired ? CREDENTIALS_UNSUPPORTED : CREDENTIALS_OK;
}

static credentials_status region_call(void *ctx, char **msg)
{
	lms_error err = {0};
	buf out;
	buf_init(&out, 0);
	credentials_status st = credentials_region(ctx, &out, &err);
	if (st == CREDENTIALS_OK)
		assert_string_equal(buf_cstr(&out), "eu-west-1");
	buf_free(&out);
	*msg = take_msg(&err);
	return st;
}

/* credentials_endpoints_load (a global endpoint; a [services] section), credentials_region
 * (from the environment and from the config file): out of memory, nothing leaked. */
static void test_endpoints_region_out_of_memory(void **state)
{
	fixture *f = *state;
	write_file(f, ".aws/config",
	           "[profile glob]\nendpoint_url = http://global\n"
	           "[profile svc]\nendpoint_url = http://global\nservices = box\n"
	           "[profile svconly]\nservices = box\n"
	           "[services box]\ns3 =\n  endpoint_url = http://s3\n"
	           "[default]\nregion = eu-west-1\n");
	assert_true(cred_sweep(endpoints_call, "glob", CREDENTIALS_OK) > 5);
	assert_true(cred_sweep(endpoints_call, "svc", CREDENTIALS_OK) > 5);
	assert_true(cred_sweep(endpoints_call, "svconly", CREDENTIALS_OK) > 5);
	assert_true(cred_sweep(region_call, NULL, CREDENTIALS_OK) > 3);
	setenv("AWS_REGION", "eu-west-1", 1);
	assert_true(cred_sweep(region_call, NULL, CREDENTIALS_OK) >= 1);
	unsetenv("AWS_REGION");
}

static credentials_status cache_call(void *ctx, char **msg)
{
	const provider_options *po = ctx;
	credentials_status st = CREDENTIALS_OK;
	lms_error err = {0};
	provider_cache *pc = provider_cache_new(po, &st, &err);
	if (st == CREDENTIALS_OK) {
		assert_non_null(pc);
		assert_string_equal(provider_cache_current(pc)->access_key_id, "AKIDSWEEP");
		assert_non_null(strstr(provider_cache_source(pc), "profile \"dev\" in "));
	} else {
		assert_null(pc);
	}
	provider_cache_free(pc);
	*msg = take_msg(&err);
	return st;
}

static credentials_status metadata_call(void *ctx, char **msg)
{
	const char *json = ctx;
	lms_error err = {0};
	credentials *c = NULL;
	credentials_status st = provider_parse_metadata_json(json, strlen(json), "meta", &c, &err);
	if (st == CREDENTIALS_OK) {
		assert_string_equal(c->access_key_id, "AKIDM");
		assert_string_equal(c->secret_access_key, "sm");
		if (strstr(json, "\"tm\""))
			assert_string_equal(c->session_token, "tm");
		else
			assert_null(c->session_token);
		assert_string_equal(c->source, "meta");
	} else {
		assert_null(c);
	}
	credentials_free(c);
	*msg = take_msg(&err);
	return st;
}

/* provider_cache_new (its three copies of the options, then the resolution) and the metadata
 * document's parser: out of memory, nothing leaked. */
static void test_provider_cache_out_of_memory(void **state)
{
	fixture *f = *state;
	write_file(f, ".aws/credentials",
	           "[dev]\naws_access_key_id = AKIDSWEEP\naws_secret_access_key = s\n");
	provider_options po = {.profile = "dev", .region = "eu-west-1", .endpoint_url = "http://e"};
	assert_true(cred_sweep(cache_call, &po, CREDENTIALS_OK) > 8);
	alloc_fail_jansson(false);
	assert_int_equal(cred_sweep(metadata_call,
	                            "{\"AccessKeyId\": \"AKIDM\", \"SecretAccessKey\": \"sm\", "
	                            "\"Token\": \"tm\"}",
	                            CREDENTIALS_OK),
	                 5);
	assert_int_equal(cred_sweep(metadata_call,
	                            "{\"AccessKeyId\": \"AKIDM\", \"SecretAccessKey\": \"sm\", "
	                            "\"Token\": \"\"}",
	                            CREDENTIALS_OK),
	                 4);
	alloc_fail_jansson(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_nothing_configured, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_environment, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_environment_partial, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_environment_beats_aws_profile, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_explicit_profile_beats_environment, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_aws_profile_and_default, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_config_file_profiles, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_credentials_file_beats_config_file, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_missing_named_profile, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_incomplete_profiles, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unsupported_sources, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_file_locations_from_environment, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_file_edges, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stderr_summary_edges, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_key_pairs_edges, setup, teardown),
	    cmocka_unit_test(test_ini_dialect),
	    cmocka_unit_test_setup_teardown(test_config_endpoints, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dev_null_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_process_success, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_process_precedence, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_process_failure, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_process_garbage, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_process_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_process_class, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_renewal_from_credential_process, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_renewal_edges, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_renewal_lifetimes, setup, teardown),
	    cmocka_unit_test(test_process_output_parser),
	    cmocka_unit_test_setup_teardown(test_region, setup, teardown),
	    cmocka_unit_test(test_iso8601_edges),
	    cmocka_unit_test(test_process_output_edges),
	    cmocka_unit_test_setup_teardown(test_region_edges, setup, teardown),
	    cmocka_unit_test(test_ini_edges),
	    cmocka_unit_test_setup_teardown(test_endpoint_edges, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unsupported_edges, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_home_and_unreadable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cache_source, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_profile_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_resolve_out_of_memory, setup, teardown),
	    cmocka_unit_test(test_ini_out_of_memory),
	    cmocka_unit_test_setup_teardown(test_endpoints_region_out_of_memory, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_provider_cache_out_of_memory, setup, teardown),
	};
	return cmocka_run_group_tests_name("credentials", tests, NULL, NULL) ? 1 : 0;
}
