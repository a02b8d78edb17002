#include "aws/provider.h"

#include "common/file.h"
#include "common/num.h"

#include "aws/cfn.h"
#include "aws/curl_loader.h"
#include "aws/http.h"
#include "aws/sigv4.h"
#include "aws/sts.h"
#include "common/buf.h"
#include "common/lazy_crypto.h"

#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_ROLE_CHAIN 5
#define METADATA_MAX_BODY ((size_t)64 * 1024)
#define DEFAULT_METADATA_TIMEOUT_MS 2000L
#define IMDS_DEFAULT_ENDPOINT "http://169.254.169.254"
#define ECS_HOST "http://169.254.170.2"

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && v[0] ? v : NULL;
}

static credentials_status no_memory(lms_error *err)
{
	lms_error_set(err, NULL, 0, 0, "out of memory");
	return CREDENTIALS_SYSTEM_ERROR;
}

static void wipe_buf(buf *b)
{
	if (b->data)
		OPENSSL_cleanse(b->data, b->cap);
	buf_free(b);
}

/* ---- metadata endpoints ------------------------------------------------------------------ */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	return buf_add(ud, p, size * n) ? size * n : 0;
}

/* One plain request to a metadata endpoint; the body (capped) in out. */
static bool fetch(const char *method, const char *url, const char *header, long timeout_ms,
                  buf *out, long *status)
{
	*status = 0;
	CURL *h = curl_easy_init();
	if (!h)
		return false;
	struct curl_slist *hl = header ? curl_slist_append(NULL, header) : NULL;
	curl_easy_setopt(h, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*"); /* link-local: never through a proxy */
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 1000 ? timeout_ms : 1000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "lmsctl/" PACKAGE_VERSION);
	if (hl)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	if (strcmp(method, "PUT") == 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
	}
	CURLcode rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	return rc == CURLE_OK;
}

credentials_status provider_parse_metadata_json(const char *json, size_t len, const char *source,
                                                credentials **out, lms_error *err)
{
	*out = NULL;
	json_error_t je;
	json_t *root = json_loadb(json, len, 0, &je);
	const char *id = json_string_value(json_object_get(root, "AccessKeyId"));
	const char *secret = json_string_value(json_object_get(root, "SecretAccessKey"));
	const char *token = json_string_value(json_object_get(root, "Token"));
	const char *exp = json_string_value(json_object_get(root, "Expiration"));
	credentials_status st = CREDENTIALS_OK;
	if (!id || !secret || !id[0] || !secret[0]) {
		/* never quote the document: it may hold a secret */
		lms_error_set(err, NULL, 0, 0,
		              "%s answered without AccessKeyId and SecretAccessKey (%zu bytes)",
		              source, len);
		st = CREDENTIALS_PROCESS_FAILED;
	} else {
		credentials *c = calloc(1, sizeof *c);
		if (c) {
			c->access_key_id = strdup(id);
			c->secret_access_key = strdup(secret);
			c->session_token = token && token[0] ? strdup(token) : NULL;
			c->expiration = cfn_parse_time(exp);
			c->source = strdup(source);
		}
		if (!c || !c->access_key_id || !c->secret_access_key || !c->source ||
		    (token && token[0] && !c->session_token)) {
			credentials_free(c);
			st = no_memory(err);
		} else {
			*out = c;
		}
	}
	json_decref(root);
	return st;
}

/* The host of an http(s) URL, lower-cased, without port or brackets' content changed. */
static bool url_host(const char *url, buf *scheme, buf *host)
{
	const char *sep = strstr(url, "://");
	if (!sep)
		return false;
	buf_add(scheme, url, (size_t)(sep - url));
	const char *a = sep + 3;
	size_t n = strcspn(a, "/?#");
	if (a[0] == '[') {
		const char *close = memchr(a, ']', n);
		n = close ? (size_t)(close - a) + 1 : n;
	} else {
		const char *colon = memchr(a, ':', n);
		if (colon)
			n = (size_t)(colon - a);
	}
	for (size_t i = 0; i < n; i++)
		buf_addc(host, (char)tolower((unsigned char)a[i]));
	return !scheme->failed && !host->failed && n > 0;
}

/* AWS_CONTAINER_CREDENTIALS_FULL_URI may only point at https, or at hosts on this machine
 * or the ECS/EKS credential agents. */
static bool container_uri_allowed(const char *url)
{
	buf scheme, host;
	buf_init(&scheme, 0);
	buf_init(&host, 0);
	bool ok = url_host(url, &scheme, &host);
	if (ok && strcasecmp(buf_cstr(&scheme), "https") != 0) {
		const char *h = buf_cstr(&host);
		ok = strcasecmp(buf_cstr(&scheme), "http") == 0 &&
		     (strncmp(h, "127.", 4) == 0 || strcmp(h, "localhost") == 0 ||
		      strcmp(h, "[::1]") == 0 || strcmp(h, "169.254.170.2") == 0 ||
		      strcmp(h, "169.254.170.23") == 0 || strcmp(h, "[fd00:ec2::23]") == 0);
	}
	buf_free(&scheme);
	buf_free(&host);
	return ok;
}

static long metadata_timeout(const provider_options *o)
{
	return o->metadata_timeout_ms > 0 ? o->metadata_timeout_ms : DEFAULT_METADATA_TIMEOUT_MS;
}

/* The largest container authorization token read from its file. */
#define CONTAINER_MAX_TOKEN ((size_t)4096)

static credentials_status from_container(const provider_options *o, bool *tried, credentials **out,
                                         lms_error *err)
{
	*tried = false;
	const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	if (!rel && !full)
		return CREDENTIALS_NOT_FOUND;
	*tried = true;
	buf url;
	buf_init(&url, 0);
	if (rel)
		buf_addf(&url, "%s%s%s", ECS_HOST, rel[0] == '/' ? "" : "/", rel);
	else if (!container_uri_allowed(full)) {
		lms_error_set(err, NULL, 0, 0,
		              "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to this "
		              "machine or the ECS/EKS credential agent");
		buf_free(&url);
		return CREDENTIALS_BAD_CONFIG;
	} else
		buf_adds(&url, full);
	/* the authorization token: from its file (rotated by the agent) or the variable */
	/* "Authorization: " and a token of up to CONTAINER_MAX_TOKEN bytes, whole */
	buf header;
	buf_init(&header, CONTAINER_MAX_TOKEN + sizeof "Authorization: ");
	const char *token_file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	if (token_file) {
		buf tok;
		lms_error ferr = {0};
		bool read = file_read(token_file, CONTAINER_MAX_TOKEN, &tok, &ferr);
		buf_adds(&header, "Authorization: ");
		buf_add(&header, tok.data, tok.len);
		wipe_buf(&tok);
		if (!read || header.failed) {
			lms_error_set(err, token_file, 0, 0,
			              "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: %s",
			              ferr.msg ? ferr.msg : "out of memory");
			lms_error_clear(&ferr);
			wipe_buf(&header);
			buf_free(&url);
			return CREDENTIALS_BAD_CONFIG;
		}
		while (header.len && isspace((unsigned char)header.data[header.len - 1]))
			header.data[--header.len] = '\0';
	} else if (token) {
		buf_addf(&header, "Authorization: %s", token);
	}
	buf body;
	buf_init(&body, METADATA_MAX_BODY);
	long status = 0;
	credentials_status st;
	if (url.failed) {
		st = no_memory(err);
	} else if (!fetch("GET", buf_cstr(&url), header.len ? buf_cstr(&header) : NULL,
	                  metadata_timeout(o), &body, &status) ||
	           status != 200) {
		lms_error_set(
		    err, NULL, 0, 0,
		    "the container credentials endpoint (%s) did not answer with credentials "
		    "(HTTP %ld)",
		    rel ? "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
		        : "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		    status);
		st = CREDENTIALS_PROCESS_FAILED;
	} else {
		st = provider_parse_metadata_json(buf_cstr(&body), body.len,
		                                  "container credentials", out, err);
	}
	wipe_buf(&body);
	wipe_buf(&header);
	buf_free(&url);
	return st;
}

static credentials_status from_imds(const provider_options *o, bool *tried, credentials **out,
                                    lms_error *err)
{
	*tried = false;
	const char *disabled = env("AWS_EC2_METADATA_DISABLED");
	if (disabled && strcasecmp(disabled, "true") == 0)
		return CREDENTIALS_NOT_FOUND;
	*tried = true;
	const char *base = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	if (!base)
		base = IMDS_DEFAULT_ENDPOINT;
	size_t blen = strlen(base);
	while (blen && base[blen - 1] == '/')
		blen--;
	long timeout = metadata_timeout(o);
	buf url, token, role, body, header;
	buf_init(&url, 0);
	buf_init(&token, 4096);
	buf_init(&role, 4096);
	buf_init(&body, METADATA_MAX_BODY);
	buf_init(&header, 0);
	long status = 0;
	credentials_status st = CREDENTIALS_NOT_FOUND;
	buf_addf(&url, "%.*s/latest/api/token", (int)blen, base);
	if (!fetch("PUT", buf_cstr(&url), "X-aws-ec2-metadata-token-ttl-seconds: 21600", timeout,
	           &token, &status) ||
	    status != 200 || !token.len) {
		lms_error_set(err, NULL, 0, 0, "no EC2 instance metadata (IMDSv2) at %.*s",
		              (int)blen, base);
		goto done;
	}
	buf_addf(&header, "X-aws-ec2-metadata-token: %s", buf_cstr(&token));
	buf_reset(&url);
	buf_addf(&url, "%.*s/latest/meta-data/iam/security-credentials/", (int)blen, base);
	if (!fetch("GET", buf_cstr(&url), buf_cstr(&header), timeout, &role, &status) ||
	    status != 200 || !role.len) {
		lms_error_set(err, NULL, 0, 0,
		              "the EC2 instance has no instance profile role (IMDS HTTP %ld)",
		              status);
		goto done;
	}
	role.data[strcspn(role.data, "\r\n")] = '\0';
	for (const char *p = role.data; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("+=,.@_-", *p)) {
			lms_error_set(err, NULL, 0, 0, "IMDS answered a role name that is not one");
			st = CREDENTIALS_PROCESS_FAILED;
			goto done;
		}
	buf_adds(&url, role.data);
	if (!fetch("GET", buf_cstr(&url), buf_cstr(&header), timeout, &body, &status) ||
	    status != 200) {
		lms_error_set(err, NULL, 0, 0,
		              "IMDS did not answer the credentials of role %s (HTTP %ld)",
		              role.data, status);
		st = CREDENTIALS_PROCESS_FAILED;
		goto done;
	}
	buf src;
	buf_init(&src, 0);
	buf_addf(&src, "EC2 instance role %s", role.data);
	st = provider_parse_metadata_json(buf_cstr(&body), body.len, buf_cstr(&src), out, err);
	buf_free(&src);
done:
	wipe_buf(&token);
	wipe_buf(&header);
	wipe_buf(&body);
	buf_free(&role);
	buf_free(&url);
	return st;
}

/* ---- role_arn profiles ------------------------------------------------------------------- */

typedef struct config_file {
	aws_ini *ini;
	buf path;
} config_file;

static void config_free(config_file *c)
{
	aws_ini_free(c->ini);
	buf_free(&c->path);
}

/* The shared config file, parsed; an absent file is an empty config. */
static credentials_status config_load(config_file *c, lms_error *err)
{
	c->ini = NULL;
	buf_init(&c->path, 0);
	const char *p = env("AWS_CONFIG_FILE");
	const char *home = env("HOME");
	if (p)
		buf_adds(&c->path, p);
	else if (home)
		buf_addf(&c->path, "%s/.aws/config", home);
	else
		return CREDENTIALS_OK;
	if (c->path.failed)
		return no_memory(err);
	buf text;
	lms_error ferr = {0};
	credentials_status st = CREDENTIALS_OK;
	if (!file_read(buf_cstr(&c->path), CREDENTIALS_MAX_FILE_SIZE, &text, &ferr)) {
		if (errno != ENOENT) {
			lms_error_set(err, buf_cstr(&c->path), 0, 0, "%s",
			              ferr.msg ? ferr.msg : "cannot read it");
			st = CREDENTIALS_SYSTEM_ERROR;
		}
		lms_error_clear(&ferr);
	} else {
		lms_error perr = {0};
		c->ini = aws_ini_parse(buf_cstr(&text), text.len, &perr);
		if (!c->ini && perr.line == 0) { /* a malformed line has its number */
			st = no_memory(err);
		} else if (!c->ini) {
			lms_error_set(err, buf_cstr(&c->path), perr.line, 0, "%s",
			              perr.msg ? perr.msg : "malformed");
			st = CREDENTIALS_BAD_CONFIG;
		}
		lms_error_clear(&perr);
	}
	wipe_buf(&text);
	return st;
}

/* A profile's setting, as credentials.c reads the same file (aws_ini_get_profile); an empty
 * value is none. */
static const char *config_get(const config_file *c, const char *profile, const char *key)
{
	const char *v = aws_ini_get_profile(c->ini, profile, key);
	return v && v[0] ? v : NULL;
}

static credentials_status resolve_profile(const provider_options *o, const char *profile,
                                          const char *named_by, int depth, credentials **out,
                                          lms_error *err);

/* The credentials a role profile starts from. */
static credentials_status source_credentials(const provider_options *o, const config_file *cfg,
                                             const char *profile, int depth, credentials **out,
                                             lms_error *err)
{
	const char *source_profile = config_get(cfg, profile, "source_profile");
	const char *credential_source = config_get(cfg, profile, "credential_source");
	if (source_profile) {
		if (strcmp(source_profile, profile) == 0) {
			lms_error_set(
			    err, NULL, 0, 0,
			    "profile \"%s\" names itself as source_profile: keep the keys in "
			    "another profile and name that one",
			    profile);
			return CREDENTIALS_BAD_CONFIG;
		}
		buf by;
		buf_init(&by, 0);
		buf_addf(&by, "source_profile of profile \"%s\"", profile);
		credentials_status st =
		    by.failed
		        ? no_memory(err)
		        : resolve_profile(o, source_profile, buf_cstr(&by), depth + 1, out, err);
		buf_free(&by);
		return st;
	}
	bool tried = false;
	if (credential_source && strcmp(credential_source, "Environment") == 0) {
		if (!env("AWS_ACCESS_KEY_ID")) {
			lms_error_set(err, NULL, 0, 0,
			              "profile \"%s\" has credential_source = Environment but "
			              "AWS_ACCESS_KEY_ID is not set",
			              profile);
			return CREDENTIALS_BAD_CONFIG;
		}
		credentials_options co = {.process_timeout_seconds = o->process_timeout_seconds};
		return credentials_resolve(&co, out, err);
	}
	if (credential_source && strcmp(credential_source, "EcsContainer") == 0)
		return from_container(o, &tried, out, err);
	if (credential_source && strcmp(credential_source, "Ec2InstanceMetadata") == 0)
		return from_imds(o, &tried, out, err);
	lms_error_set(err, NULL, 0, 0,
	              "profile \"%s\" has role_arn but %s: give it source_profile, or "
	              "credential_source = Environment, EcsContainer or Ec2InstanceMetadata",
	              profile,
	              credential_source ? "an unknown credential_source" : "no source_profile");
	return CREDENTIALS_BAD_CONFIG;
}

/* The largest web identity token file read (OIDC tokens are a few KiB). */
#define WEB_IDENTITY_MAX_TOKEN ((size_t)64 * 1024)

/* role_arn + web_identity_token_file (a profile's or the environment's): the token, read
 * now (it rotates), exchanged through the unsigned AssumeRoleWithWebIdentity. */
static credentials_status web_identity(const provider_options *o, const char *who,
                                       const char *role_arn, const char *token_file,
                                       const char *session_name, credentials **out, lms_error *err)
{
	if (!role_arn || !role_arn[0]) {
		lms_error_set(err, NULL, 0, 0,
		              "%s has web_identity_token_file but no role_arn: name the role to "
		              "assume",
		              who);
		return CREDENTIALS_BAD_CONFIG;
	}
	buf token;
	lms_error ferr = {0};
	if (!file_read(token_file, WEB_IDENTITY_MAX_TOKEN, &token, &ferr)) {
		lms_error_set(err, NULL, 0, 0, "%s: web identity token file %s: %s", who,
		              token_file, ferr.msg ? ferr.msg : "cannot read it");
		lms_error_clear(&ferr);
		return CREDENTIALS_BAD_CONFIG;
	}
	while (token.len && isspace((unsigned char)token.data[token.len - 1]))
		token.data[--token.len] = '\0';
	credentials_status st = CREDENTIALS_PROCESS_FAILED;
	if (!token.len) {
		lms_error_set(err, NULL, 0, 0, "%s: web identity token file %s is empty", who,
		              token_file);
		wipe_buf(&token);
		return CREDENTIALS_BAD_CONFIG;
	}
	buf session;
	buf_init(&session, 0);
	if (session_name && session_name[0])
		buf_adds(&session, session_name);
	else
		buf_addf(&session, "lmsctl-%lld", (long long)time(NULL));
	aws_client_options ao = {.region = o->region,
	                         .endpoint_url = o->endpoint_url,
	                         .profile = o->profile,
	                         .debug = o->debug};
	aws_client *c = aws_client_new(&ao, NULL, err); /* unsigned: the token is the proof */
	if (c && !session.failed) {
		sts_assume_request rq = {.role_arn = role_arn,
		                         .session_name = buf_cstr(&session),
		                         .web_identity_token = buf_cstr(&token)};
		lms_error inner = {0};
		if (sts_assume_role(c, &rq, out, &inner)) {
			buf src;
			buf_init(&src, 0);
			buf_addf(&src, "role %s through web identity (%s)", role_arn, who);
			if (!src.failed) {
				free((*out)->source);
				(*out)->source = buf_take(&src);
			}
			buf_free(&src);
			st = CREDENTIALS_OK;
		} else {
			lms_error_set(err, NULL, 0, 0,
			              "%s: cannot assume %s with the web identity token: %s", who,
			              role_arn, inner.msg ? inner.msg : "error");
		}
		lms_error_clear(&inner);
	} else if (c) {
		st = no_memory(err);
	}
	aws_client_free(c);
	buf_free(&session);
	wipe_buf(&token);
	return st;
}

/* ---- IAM Identity Center (SSO) ------------------------------------------------------------ */

/* The largest SSO token cache file and GetRoleCredentials answer read. */
#define SSO_MAX_JSON ((size_t)256 * 1024)

/* The AWS CLI's token cache: ~/.aws/sso/cache/<SHA-1 of the session name, or of the start
 * URL for a legacy profile, in hex>.json. */
static bool sso_cache_path(const char *key, buf *out)
{
	const char *home = env("HOME");
	unsigned char md[20];
	unsigned int n = 0;
	if (!home || EVP_Digest(key, strlen(key), md, &n, EVP_sha1(), NULL) != 1 || n != 20)
		return false;
	buf_addf(out, "%s/.aws/sso/cache/", home);
	for (unsigned int i = 0; i < n; i++)
		buf_addf(out, "%02x", md[i]);
	buf_adds(out, ".json");
	return !out->failed;
}

typedef struct sso_profile {
	const char *start_url, *region, *account, *role;
	const char *cache_key; /* the session's name, or the start URL */
} sso_profile;

/* The settings of an SSO profile: sso_session (its [sso-session NAME] section) or the
 * legacy sso_start_url + sso_region, and sso_account_id + sso_role_name. */
static credentials_status sso_settings(const config_file *cfg, const char *profile, sso_profile *sp,
                                       lms_error *err)
{
	memset(sp, 0, sizeof *sp);
	const char *session = config_get(cfg, profile, "sso_session");
	if (session) {
		buf section;
		buf_init(&section, 0);
		buf_addf(&section, "sso-session %s", session);
		bool has = !section.failed && aws_ini_has_section(cfg->ini, buf_cstr(&section));
		sp->start_url =
		    has ? aws_ini_get(cfg->ini, buf_cstr(&section), "sso_start_url") : NULL;
		sp->region = has ? aws_ini_get(cfg->ini, buf_cstr(&section), "sso_region") : NULL;
		buf_free(&section);
		if (!has) {
			lms_error_set(err, buf_cstr(&cfg->path), 0, 0,
			              "profile \"%s\" names sso_session = %s, but there is no "
			              "[sso-session %s] section",
			              profile, session, session);
			return CREDENTIALS_BAD_CONFIG;
		}
		sp->cache_key = session;
	} else {
		sp->start_url = config_get(cfg, profile, "sso_start_url");
		sp->region = config_get(cfg, profile, "sso_region");
		sp->cache_key = sp->start_url;
	}
	sp->account = config_get(cfg, profile, "sso_account_id");
	sp->role = config_get(cfg, profile, "sso_role_name");
	const char *missing = !sp->start_url || !sp->start_url[0] ? "sso_start_url"
	                      : !sp->region || !sp->region[0]     ? "sso_region"
	                      : !sp->account                      ? "sso_account_id"
	                      : !sp->role                         ? "sso_role_name"
	                                                          : NULL;
	if (missing) {
		lms_error_set(err, buf_cstr(&cfg->path), 0, 0,
		              "SSO profile \"%s\" has no %s: run aws configure sso --profile %s",
		              profile, missing, profile);
		return CREDENTIALS_BAD_CONFIG;
	}
	return CREDENTIALS_OK;
}

/* The access token `aws sso login` cached, if it is still valid. */
static credentials_status sso_cached_token(const char *profile, const sso_profile *sp, buf *token,
                                           lms_error *err)
{
	buf path;
	buf_init(&path, 0);
	if (!sso_cache_path(sp->cache_key, &path)) {
		buf_free(&path);
		lms_error_set(err, NULL, 0, 0,
		              "profile \"%s\": cannot find the SSO token cache (HOME unset, or "
		              "libcrypto missing)",
		              profile);
		return CREDENTIALS_SYSTEM_ERROR;
	}
	buf text;
	lms_error ferr = {0};
	credentials_status st = CREDENTIALS_BAD_CONFIG;
	const char *why = "has no cached token";
	if (file_read(buf_cstr(&path), SSO_MAX_JSON, &text, &ferr)) {
		json_t *root = json_loadb(buf_cstr(&text), text.len, 0, NULL);
		const char *access = json_string_value(json_object_get(root, "accessToken"));
		time_t expires =
		    cfn_parse_time(json_string_value(json_object_get(root, "expiresAt")));
		if (!access || !access[0] || !expires)
			why = "has a token cache file without accessToken or expiresAt";
		else if (expires <= time(NULL) + 60)
			why = "has expired";
		else {
			buf_adds(token, access);
			st = token->failed ? no_memory(err) : CREDENTIALS_OK;
		}
		if (access)
			OPENSSL_cleanse((char *)access, strlen(access));
		json_decref(root);
		wipe_buf(&text);
	}
	lms_error_clear(&ferr);
	if (st == CREDENTIALS_BAD_CONFIG)
		lms_error_set(err, NULL, 0, 0,
		              "the IAM Identity Center session of profile \"%s\" %s (%s): run `aws "
		              "sso login --profile %s`",
		              profile, why, buf_cstr(&path), profile);
	buf_free(&path);
	return st;
}

/* The role's credentials from an answer of GetRoleCredentials. */
static credentials_status sso_parse_answer(const buf *body, const char *profile,
                                           const sso_profile *sp, credentials **out, lms_error *err)
{
	json_t *root = json_loadb(buf_cstr(body), body->len, 0, NULL);
	json_t *rc = json_object_get(root, "roleCredentials");
	const char *id = json_string_value(json_object_get(rc, "accessKeyId"));
	const char *secret = json_string_value(json_object_get(rc, "secretAccessKey"));
	const char *token = json_string_value(json_object_get(rc, "sessionToken"));
	json_t *exp = json_object_get(rc, "expiration");
	credentials_status st = CREDENTIALS_PROCESS_FAILED;
	if (!id || !id[0] || !secret || !secret[0] || !json_is_integer(exp)) {
		lms_error_set(err, NULL, 0, 0,
		              "profile \"%s\": the IAM Identity Center answer has no role "
		              "credentials",
		              profile);
	} else {
		*out = calloc(1, sizeof **out);
		buf src;
		buf_init(&src, 0);
		buf_addf(&src, "IAM Identity Center role %s in account %s (profile \"%s\")",
		         sp->role, sp->account, profile);
		if (*out) {
			(*out)->access_key_id = strdup(id);
			(*out)->secret_access_key = strdup(secret);
			(*out)->session_token = token && token[0] ? strdup(token) : NULL;
			(*out)->expiration = (time_t)(json_integer_value(exp) / 1000);
			(*out)->source = buf_take(&src);
		}
		buf_free(&src);
		if (!*out || !(*out)->access_key_id || !(*out)->secret_access_key ||
		    !(*out)->source || (token && token[0] && !(*out)->session_token)) {
			credentials_free(*out);
			*out = NULL;
			st = no_memory(err);
		} else {
			st = CREDENTIALS_OK;
		}
	}
	/* wipe jansson's copies of the secrets */
	const char *secrets[] = {secret, token};
	for (size_t i = 0; i < 2; i++)
		if (secrets[i])
			OPENSSL_cleanse((char *)secrets[i], strlen(secrets[i]));
	json_decref(root);
	return st;
}

/* An SSO profile: the cached token exchanged for the role's credentials (GetRoleCredentials,
 * an unsigned GET with the token in x-amz-sso_bearer_token), on the portal of sso_region;
 * AWS_ENDPOINT_URL_SSO moves it (tests). */
static credentials_status sso_credentials(const provider_options *o, const config_file *cfg,
                                          const char *profile, credentials **out, lms_error *err)
{
	sso_profile sp;
	credentials_status st = sso_settings(cfg, profile, &sp, err);
	if (st != CREDENTIALS_OK)
		return st;
	buf token;
	buf_init(&token, 0);
	st = sso_cached_token(profile, &sp, &token, err);
	if (st != CREDENTIALS_OK) {
		wipe_buf(&token);
		return st;
	}
	buf query;
	buf_init(&query, 0);
	buf_adds(&query, "account_id=");
	sigv4_uri_encode(&query, sp.account, strlen(sp.account), false);
	buf_adds(&query, "&role_name=");
	sigv4_uri_encode(&query, sp.role, strlen(sp.role), false);
	aws_client_options ao = {.region = sp.region, .profile = profile, .debug = o->debug};
	aws_client *c = aws_client_new(&ao, NULL, err); /* unsigned: the token is the proof */
	st = c ? CREDENTIALS_PROCESS_FAILED : CREDENTIALS_SYSTEM_ERROR;
	if (c && (query.failed || !aws_client_mask(c, buf_cstr(&token)))) {
		st = no_memory(err);
	} else if (c) {
		sigv4_header h = {"x-amz-sso_bearer_token", buf_cstr(&token)};
		aws_request rq = {.service = "sso",
		                  .operation = "GetRoleCredentials",
		                  .method = "GET",
		                  .path = "/federation/credentials",
		                  .query = buf_cstr(&query),
		                  .headers = &h,
		                  .nheaders = 1};
		aws_response resp;
		aws_response_init(&resp);
		lms_error inner = {0};
		if (aws_send(c, &rq, &resp, &inner))
			st = sso_parse_answer(&resp.body, profile, &sp, out, err);
		else if (resp.status == 401)
			lms_error_set(
			    err, NULL, 0, 0,
			    "profile \"%s\": IAM Identity Center refused the cached session "
			    "(%s): run `aws sso login --profile %s`",
			    profile, inner.msg ? inner.msg : "unauthorized", profile);
		else if (resp.status == 403)
			lms_error_set(
			    err, NULL, 0, 0,
			    "profile \"%s\": the session may not take role %s in account %s "
			    "(%s): check sso_account_id and sso_role_name",
			    profile, sp.role, sp.account, inner.msg ? inner.msg : "forbidden");
		else
			lms_error_set(err, NULL, 0, 0, "profile \"%s\": %s", profile,
			              inner.msg ? inner.msg : "GetRoleCredentials failed");
		lms_error_clear(&inner);
		if (resp.body.data)
			OPENSSL_cleanse(resp.body.data, resp.body.len);
		aws_response_free(&resp);
	}
	aws_client_free(c);
	buf_free(&query);
	wipe_buf(&token);
	return st;
}

static bool is_sso_profile(const config_file *cfg, const char *profile)
{
	return config_get(cfg, profile, "sso_session") || config_get(cfg, profile, "sso_start_url");
}

static credentials_status assume_role(const provider_options *o, const config_file *cfg,
                                      const char *profile, int depth, credentials **out,
                                      lms_error *err)
{
	const char *role_arn = config_get(cfg, profile, "role_arn");
	const char *token_file = config_get(cfg, profile, "web_identity_token_file");
	if (token_file) {
		buf who;
		buf_init(&who, 0);
		buf_addf(&who, "profile \"%s\"", profile);
		credentials_status st =
		    who.failed
		        ? no_memory(err)
		        : web_identity(o, buf_cstr(&who), role_arn, token_file,
		                       config_get(cfg, profile, "role_session_name"), out, err);
		buf_free(&who);
		return st;
	}
	const char *serial = config_get(cfg, profile, "mfa_serial");
	buf code;
	buf_init(&code, 0);
	if (serial && !(o->mfa_prompt && o->mfa_prompt(o->mfa_ctx, profile, serial, &code))) {
		lms_error_set(
		    err, NULL, 0, 0,
		    "profile \"%s\" needs an MFA code (mfa_serial) and none can be asked here "
		    "(the command line asks when its input is a terminal; the console and scripts "
		    "do not): run the command from a terminal, or export temporary credentials "
		    "with `aws configure export-credentials --profile %s --format env`",
		    profile, profile);
		wipe_buf(&code);
		return CREDENTIALS_UNSUPPORTED;
	}
	credentials *source = NULL;
	credentials_status st = source_credentials(o, cfg, profile, depth, &source, err);
	if (st != CREDENTIALS_OK) {
		wipe_buf(&code);
		return st;
	}
	long duration = 0;
	const char *d = config_get(cfg, profile, "duration_seconds");
	if (d) {
		if (!lms_parse_long(d, 900, 43200, &duration)) {
			lms_error_set(
			    err, NULL, 0, 0,
			    "profile \"%s\": duration_seconds must be 900 to 43200, not %.20s",
			    profile, d);
			credentials_free(source);
			wipe_buf(&code);
			return CREDENTIALS_BAD_CONFIG;
		}
	}
	buf session;
	buf_init(&session, 0);
	const char *name = config_get(cfg, profile, "role_session_name");
	if (name)
		buf_adds(&session, name);
	else
		buf_addf(&session, "lmsctl-%lld", (long long)time(NULL));
	aws_client_options ao = {.region = o->region,
	                         .endpoint_url = o->endpoint_url,
	                         .profile = profile,
	                         .debug = o->debug};
	aws_client *c = aws_client_new(&ao, source, err);
	st = CREDENTIALS_PROCESS_FAILED;
	if (c && !session.failed) {
		lms_error inner = {0};
		sts_assume_request rq = {.role_arn = role_arn,
		                         .session_name = buf_cstr(&session),
		                         .duration_seconds = (int)duration,
		                         .external_id = config_get(cfg, profile, "external_id"),
		                         .serial_number = serial,
		                         .token_code = serial ? buf_cstr(&code) : NULL};
		if (sts_assume_role(c, &rq, out, &inner)) {
			st = CREDENTIALS_OK;
			buf src;
			buf_init(&src, 0);
			buf_addf(&src, "role %s through profile \"%s\" (from %s)", role_arn,
			         profile, source->source ? source->source : "?");
			if (!src.failed) {
				free((*out)->source);
				(*out)->source = buf_take(&src);
			}
			buf_free(&src);
		} else {
			lms_error_set(err, NULL, 0, 0, "profile \"%s\": cannot assume %s: %s",
			              profile, role_arn, inner.msg ? inner.msg : "error");
		}
		lms_error_clear(&inner);
	}
	aws_client_free(c);
	buf_free(&session);
	wipe_buf(&code);
	credentials_free(source);
	return st;
}

/* A named profile: what credentials.c resolves, or a role it does not. */
static credentials_status resolve_profile(const provider_options *o, const char *profile,
                                          const char *named_by, int depth, credentials **out,
                                          lms_error *err)
{
	if (depth > MAX_ROLE_CHAIN) {
		lms_error_set(
		    err, NULL, 0, 0,
		    "profile \"%s\": more than %d profiles chained through source_profile", profile,
		    MAX_ROLE_CHAIN);
		return CREDENTIALS_BAD_CONFIG;
	}
	config_file cfg;
	credentials_status st = config_load(&cfg, err);
	if (st == CREDENTIALS_OK && (config_get(&cfg, profile, "role_arn") ||
	                             config_get(&cfg, profile, "web_identity_token_file"))) {
		st = assume_role(o, &cfg, profile, depth, out, err);
	} else if (st == CREDENTIALS_OK && is_sso_profile(&cfg, profile)) {
		st = sso_credentials(o, &cfg, profile, out, err);
	} else if (st == CREDENTIALS_OK) {
		credentials_options co = {.profile = profile,
		                          .process_timeout_seconds = o->process_timeout_seconds,
		                          .named_by = named_by};
		st = credentials_resolve(&co, out, err);
	}
	config_free(&cfg);
	return st;
}

credentials_status provider_resolve(const provider_options *opts, credentials **out, lms_error *err)
{
	*out = NULL;
	/* the environment's web identity (EKS IRSA, CI runners): after the environment's keys,
	 * before the profiles, when no profile is named */
	if (!(opts->profile && opts->profile[0]) && !env("AWS_PROFILE") &&
	    !env("AWS_ACCESS_KEY_ID") && env("AWS_WEB_IDENTITY_TOKEN_FILE"))
		return web_identity(opts, "AWS_WEB_IDENTITY_TOKEN_FILE", env("AWS_ROLE_ARN"),
		                    env("AWS_WEB_IDENTITY_TOKEN_FILE"),
		                    env("AWS_ROLE_SESSION_NAME"), out, err);
	credentials_options co = {.profile = opts->profile,
	                          .process_timeout_seconds = opts->process_timeout_seconds,
	                          .named_by = opts->named_by};
	credentials_status st = credentials_resolve(&co, out, err);
	if (st == CREDENTIALS_UNSUPPORTED) {
		/* a role, web identity or IAM Identity Center profile */
		const char *named = env("AWS_PROFILE");
		const char *profile = opts->profile && opts->profile[0] ? opts->profile
		                      : named                           ? named
		                                                        : "default";
		config_file cfg;
		/* credentials_resolve has just read it: failing now is out of memory (or a file
		 * changed in between), which says more than "not supported" */
		lms_error cerr = {0};
		credentials_status cst = config_load(&cfg, &cerr);
		if (cst != CREDENTIALS_OK) {
			lms_error_clear(err);
			if (err)
				*err = cerr;
			else
				lms_error_clear(&cerr);
			st = cst;
		} else if (config_get(&cfg, profile, "role_arn") ||
		           config_get(&cfg, profile, "web_identity_token_file")) {
			lms_error_clear(err);
			st = assume_role(opts, &cfg, profile, 0, out, err);
		} else if (cfg.ini && is_sso_profile(&cfg, profile)) {
			lms_error_clear(err);
			st = sso_credentials(opts, &cfg, profile, out, err);
		}
		config_free(&cfg);
		return st;
	}
	if (st != CREDENTIALS_NOT_FOUND)
		return st;
	/* nothing configured: the machine's own credentials, asked for over HTTP (a missing
	 * libcurl is said as such, not as credentials that did not answer) */
	lms_error_clear(err);
	if (!lms_curl_load(err))
		return CREDENTIALS_SYSTEM_ERROR;
	bool tried_container = false, tried_imds = false;
	st = from_container(opts, &tried_container, out, err);
	if (st == CREDENTIALS_NOT_FOUND && !tried_container) {
		lms_error_clear(err);
		st = from_imds(opts, &tried_imds, out, err);
		if (st == CREDENTIALS_NOT_FOUND)
			lms_error_set(
			    err, NULL, 0, 0,
			    "no AWS credentials found: set AWS_ACCESS_KEY_ID and "
			    "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run aws configure "
			    "(looked in the environment, the shared credentials and config "
			    "files, the container credentials variables and %s)",
			    tried_imds ? "the EC2 instance metadata, which did not answer"
			               : "not the EC2 instance metadata: "
			                 "AWS_EC2_METADATA_DISABLED is true");
	}
	return st;
}

/* ---- credentials kept fresh ------------------------------------------------------------- */

struct provider_cache {
	provider_options opts; /* its strings point at the copies below */
	char *profile, *region, *endpoint_url;
	credentials *current;
	time_t obtained;   /* when current was resolved, on opts.clock */
	time_t next_retry; /* after a failed renewal: not before then, unless forced or expired */
};

static time_t cache_now(const provider_cache *pc)
{
	return pc->opts.clock ? pc->opts.clock(pc->opts.clock_ctx) : time(NULL);
}

static bool copy_opt(const char *from, char **to)
{
	*to = NULL;
	return !from || (*to = strdup(from)) != NULL;
}

provider_cache *provider_cache_new(const provider_options *opts, credentials_status *status,
                                   lms_error *err)
{
	provider_cache *pc = calloc(1, sizeof *pc);
	if (!pc || !copy_opt(opts->profile, &pc->profile) || !copy_opt(opts->region, &pc->region) ||
	    !copy_opt(opts->endpoint_url, &pc->endpoint_url)) {
		provider_cache_free(pc);
		lms_error_set(err, NULL, 0, 0, "out of memory");
		*status = CREDENTIALS_SYSTEM_ERROR;
		return NULL;
	}
	pc->opts = *opts;
	pc->opts.profile = pc->profile;
	pc->opts.region = pc->region;
	pc->opts.endpoint_url = pc->endpoint_url;
	*status = provider_resolve(&pc->opts, &pc->current, err);
	if (*status != CREDENTIALS_OK) {
		provider_cache_free(pc);
		return NULL;
	}
	pc->obtained = cache_now(pc);
	return pc;
}

void provider_cache_free(provider_cache *pc)
{
	if (!pc)
		return;
	credentials_free(pc->current);
	free(pc->profile);
	free(pc->region);
	free(pc->endpoint_url);
	free(pc);
}

const credentials *provider_cache_current(const provider_cache *pc)
{
	return pc ? pc->current : NULL;
}

const char *provider_cache_source(const provider_cache *pc)
{
	return pc && pc->current && pc->current->source ? pc->current->source : "?";
}

static void utc_text(time_t t, char out[32])
{
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "%lld", (long long)t);
}

/* Whether the current credentials are due for renewal at `now`. */
static bool renewal_due(const provider_cache *pc, time_t now)
{
	time_t expiration = pc->current->expiration;
	time_t lifetime = expiration - pc->obtained;
	time_t ahead = PROVIDER_REFRESH_AHEAD_SECONDS;
	if (lifetime > 0 && lifetime < 2 * ahead)
		ahead = lifetime / 2;
	return now >= expiration - ahead;
}

const credentials *provider_cache_refresh(void *ctx, bool force, lms_error *err)
{
	provider_cache *pc = ctx;
	credentials *cur = pc->current;
	if (cur->expiration == 0 && !force) /* long-term keys: nothing to renew */
		return cur;
	if (cur->expiration == 0) {
		/* AWS says they expired, but they came without an Expiration (exported session
		 * credentials, say): resolving again would give the same ones */
		lms_error_set(
		    err, NULL, 0, 0,
		    "the credentials (%s) carry no expiry lmsctl could renew them by: get "
		    "new ones",
		    cur->source ? cur->source : "?");
		return NULL;
	}
	time_t now = cache_now(pc);
	bool expired = now >= cur->expiration;
	if (!force && (!renewal_due(pc, now) || (!expired && now < pc->next_retry)))
		return cur;
	credentials *fresh = NULL;
	lms_error why = {0};
	credentials_status st = provider_resolve(&pc->opts, &fresh, &why);
	char until[32];
	if (st == CREDENTIALS_OK) {
		utc_text(fresh->expiration, until);
		if (pc->opts.debug)
			fprintf(pc->opts.debug, "[debug] credentials renewed from %s%s%s\n",
			        fresh->source ? fresh->source : "their source",
			        fresh->expiration ? ", valid until " : "",
			        fresh->expiration ? until : "");
		credentials_free(cur);
		pc->current = fresh;
		pc->obtained = now;
		pc->next_retry = 0;
		lms_error_clear(&why);
		return fresh;
	}
	pc->next_retry = now + PROVIDER_REFRESH_RETRY_SECONDS;
	utc_text(cur->expiration, until);
	if (!force && !expired) {
		if (pc->opts.debug)
			fprintf(
			    pc->opts.debug,
			    "[debug] credentials expire at %s and could not be renewed yet (%s); "
			    "trying again in %d s\n",
			    until, why.msg ? why.msg : "error", PROVIDER_REFRESH_RETRY_SECONDS);
		lms_error_clear(&why);
		return cur;
	}
	lms_error_set(err, NULL, 0, 0,
	              "the credentials (%s) expire%s at %s and cannot be renewed: %s",
	              cur->source ? cur->source : "?", expired ? "d" : "", until,
	              why.msg ? why.msg : "error");
	lms_error_clear(&why);
	return NULL;
}
