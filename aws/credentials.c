#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "aws/credentials.h"
#include "common/lazy_crypto.h"
#include "common/proc.h"

#include "common/vec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <jansson.h>

/* How much of a failing credential_process's stderr goes into the error message. */
#define STDERR_SUMMARY_CHARS 300

#define NO_CREDENTIALS_HINT                                                                        \
	"set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, or run aws configure"

/* ---- helpers ------------------------------------------------------------------------------ */

static credentials_status no_memory(lms_error *err)
{
	lms_error_set(err, NULL, 0, 0, "out of memory while looking for AWS credentials");
	return CREDENTIALS_SYSTEM_ERROR;
}

static char *copy_n(const char *s, size_t len)
{
	char *p = malloc(len + 1);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

static void wipe_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && v[0] ? v : NULL;
}

void credentials_free(credentials *c)
{
	if (!c)
		return;
	wipe_free(c->access_key_id);
	wipe_free(c->secret_access_key);
	wipe_free(c->session_token);
	free(c->source);
	free(c);
}

/* A new credentials from copies of the strings; token may be NULL or "". */
static credentials *credentials_make(const char *key_id, const char *secret, const char *token,
                                     time_t expiration, const char *source)
{
	credentials *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->access_key_id = copy_n(key_id, strlen(key_id));
	c->secret_access_key = copy_n(secret, strlen(secret));
	c->session_token = token && token[0] ? copy_n(token, strlen(token)) : NULL;
	c->source = copy_n(source, strlen(source));
	c->expiration = expiration;
	if (!c->access_key_id || !c->secret_access_key || !c->source ||
	    (token && token[0] && !c->session_token)) {
		credentials_free(c);
		return NULL;
	}
	return c;
}

/* ---- the INI dialect of ~/.aws/config and ~/.aws/credentials ----------------------------- */

typedef struct ini_entry {
	char *section;
	char *key;   /* lower case; NULL for the entry that records the section itself */
	char *value; /* NULL with key */
} ini_entry;

struct aws_ini {
	ini_entry *items;
	size_t count;
	size_t cap;
};

void aws_ini_free(aws_ini *ini)
{
	if (!ini)
		return;
	for (size_t i = 0; i < ini->count; i++) {
		free(ini->items[i].section);
		free(ini->items[i].key);
		wipe_free(ini->items[i].value);
	}
	free(ini->items);
	free(ini);
}

static bool ini_push(aws_ini *ini, const char *section, size_t section_len, const char *key,
                     size_t key_len, const char *value, size_t value_len)
{
	if (!VEC_RESERVE(ini->items, ini->cap, ini->count + 1))
		return false;
	ini_entry e = {copy_n(section, section_len), NULL, NULL};
	if (key) {
		e.key = copy_n(key, key_len);
		e.value = copy_n(value, value_len);
		if (e.key)
			for (size_t i = 0; i < key_len; i++)
				e.key[i] = ascii_lower(e.key[i]);
	}
	if (!e.section || (key && (!e.key || !e.value))) {
		free(e.section);
		free(e.key);
		free(e.value);
		return false;
	}
	ini->items[ini->count++] = e;
	return true;
}

static void trim(const char *text, size_t *start, size_t *end)
{
	while (*start < *end && is_blank(text[*start]))
		(*start)++;
	while (*end > *start && is_blank(text[*end - 1]))
		(*end)--;
}

/* A nested setting "key = value" under the entry at `parent` (whose value is empty), stored
 * as "parent.key"; a deeper line that is not "key = value" continues nothing and is skipped. */
static bool nested_push(aws_ini *ini, size_t parent, const char *text, size_t start, size_t end)
{
	size_t delim = start;
	while (delim < end && text[delim] != '=')
		delim++;
	size_t key_start = start, key_end = delim, value_start = delim + 1, value_end = end;
	if (delim == end)
		return true;
	trim(text, &key_start, &key_end);
	trim(text, &value_start, &value_end);
	if (key_start == key_end)
		return true;
	buf key;
	buf_init(&key, 0);
	buf_addf(&key, "%s.", ini->items[parent].key);
	buf_add(&key, text + key_start, key_end - key_start);
	char *section = ini->items[parent].section;
	bool ok = !key.failed && ini_push(ini, section, strlen(section), buf_cstr(&key), key.len,
	                                  text + value_start, value_end - value_start);
	buf_free(&key);
	return ok;
}

aws_ini *aws_ini_parse(const char *text, size_t len, lms_error *err)
{
	aws_ini *ini = calloc(1, sizeof *ini);
	if (!ini) {
		lms_error_set(err, NULL, 0, 0, "out of memory");
		return NULL;
	}
	const char *section = NULL; /* current section name, inside `text` */
	size_t section_len = 0;
	bool have_option = false;
	size_t option_indent = 0;
	/* The setting whose value was empty ("s3 ="): deeper lines under it are its nested
	 * settings, kept as "s3.endpoint_url"; -1 when the setting above had a value. */
	size_t parent = (size_t)-1;
	size_t line = 0;
	size_t pos = 0;
	while (pos < len) {
		line++;
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t next = nl ? end + 1 : len;
		/* C strings end at a NUL: a key id with one inside would be cut short, and the
		 * short key would sign. A text file has none. */
		if (memchr(text + pos, '\0', end - pos)) {
			lms_error_set(err, NULL, line, 0, "a NUL byte in the line");
			goto fail;
		}
		size_t start = pos;
		trim(text, &start, &end);
		size_t indent = start - pos;
		pos = next;
		if (start == end || text[start] == '#' || text[start] == ';')
			continue;
		/* Deeper than the setting above: its continuation or a nested setting. */
		if (have_option && indent > option_indent) {
			if (parent != (size_t)-1 && !nested_push(ini, parent, text, start, end)) {
				lms_error_set(err, NULL, 0, 0, "out of memory");
				goto fail;
			}
			continue;
		}
		if (text[start] == '[') {
			const char *close = memchr(text + start, ']', end - start);
			if (!close) {
				lms_error_set(err, NULL, line, 0, "a section header without ']'");
				goto fail;
			}
			size_t s = start + 1, e = (size_t)(close - text);
			trim(text, &s, &e);
			if (s == e) {
				lms_error_set(err, NULL, line, 0,
				              "a section header without a name");
				goto fail;
			}
			section = text + s;
			section_len = e - s;
			have_option = false;
			if (!ini_push(ini, section, section_len, NULL, 0, NULL, 0)) {
				lms_error_set(err, NULL, 0, 0, "out of memory");
				goto fail;
			}
			continue;
		}
		if (!section) {
			lms_error_set(err, NULL, line, 0, "a setting before the first [section]");
			goto fail;
		}
		size_t delim = start;
		while (delim < end && text[delim] != '=' && text[delim] != ':')
			delim++;
		if (delim == end) {
			lms_error_set(err, NULL, line, 0, "expected \"name = value\"");
			goto fail;
		}
		size_t key_start = start, key_end = delim;
		size_t value_start = delim + 1, value_end = end;
		trim(text, &key_start, &key_end);
		trim(text, &value_start, &value_end);
		if (key_start == key_end) {
			lms_error_set(err, NULL, line, 0, "a setting without a name");
			goto fail;
		}
		if (!ini_push(ini, section, section_len, text + key_start, key_end - key_start,
		              text + value_start, value_end - value_start)) {
			lms_error_set(err, NULL, 0, 0, "out of memory");
			goto fail;
		}
		have_option = true;
		option_indent = indent;
		parent = value_start == value_end ? ini->count - 1 : (size_t)-1;
	}
	return ini;
fail:
	aws_ini_free(ini);
	return NULL;
}

typedef bool (*section_match)(const char *section, const char *name);

static bool section_is(const char *section, const char *name)
{
	return strcmp(section, name) == 0;
}

/* The config file writes a profile as [profile NAME], except the default, which may be
 * [default] or [profile default]. */
static bool config_section_is(const char *section, const char *profile)
{
	if (strcmp(profile, "default") == 0 && strcmp(section, "default") == 0)
		return true;
	if (strncmp(section, "profile", 7) != 0 || !is_blank(section[7]))
		return false;
	const char *p = section + 7;
	while (is_blank(*p))
		p++;
	return strcmp(p, profile) == 0;
}

static const char *ini_lookup(const aws_ini *ini, section_match match, const char *name,
                              const char *key)
{
	const char *value = NULL;
	for (size_t i = 0; ini && i < ini->count; i++) {
		const ini_entry *e = &ini->items[i];
		if (e->key && match(e->section, name) && strcmp(e->key, key) == 0)
			value = e->value;
	}
	return value;
}

static bool ini_has(const aws_ini *ini, section_match match, const char *name)
{
	for (size_t i = 0; ini && i < ini->count; i++)
		if (match(ini->items[i].section, name))
			return true;
	return false;
}

const char *aws_ini_get(const aws_ini *ini, const char *section, const char *key)
{
	return ini_lookup(ini, section_is, section, key);
}

const char *aws_ini_get_profile(const aws_ini *ini, const char *profile, const char *key)
{
	return ini_lookup(ini, config_section_is, profile, key);
}

bool aws_ini_has_section(const aws_ini *ini, const char *section)
{
	return ini_has(ini, section_is, section);
}

size_t aws_ini_count(const aws_ini *ini)
{
	return ini ? ini->count : 0;
}

void aws_ini_entry(const aws_ini *ini, size_t i, const char **section, const char **key,
                   const char **value)
{
	*section = ini->items[i].section;
	*key = ini->items[i].key;
	*value = ini->items[i].value;
}

/* ---- the shared files --------------------------------------------------------------------- */

typedef struct shared_files {
	buf config_path; /* empty when it cannot be known (no HOME) */
	buf credentials_path;
	aws_ini *config; /* NULL when the file does not exist */
	aws_ini *credentials;
} shared_files;

/* The file named by env_name (a leading "~/" meaning $HOME), else ~/.aws/<file>. */
static void shared_file_path(const char *env_name, const char *file, buf *out)
{
	const char *home = env("HOME");
	const char *set = env(env_name);
	if (set) {
		if (home && set[0] == '~' && (set[1] == '/' || set[1] == '\0'))
			buf_addf(out, "%s%s", home, set + 1);
		else
			buf_adds(out, set);
	} else if (home) {
		buf_addf(out, "%s/.aws/%s", home, file);
	}
}

static credentials_status load_ini(const char *path, aws_ini **out, lms_error *err)
{
	*out = NULL;
	if (!path[0])
		return CREDENTIALS_OK;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return CREDENTIALS_OK;
		lms_error_set(err, NULL, 0, 0, "cannot read %s: %s", path, strerror(errno));
		return CREDENTIALS_SYSTEM_ERROR;
	}
	struct stat sb;
	/* A character device is read as empty: AWS_SHARED_CREDENTIALS_FILE=/dev/null is how
	 * one says "no such file" to the AWS CLI (st_size is 0, so nothing is read). */
	if (fstat(fd, &sb) != 0 || !(S_ISREG(sb.st_mode) || S_ISCHR(sb.st_mode))) {
		lms_error_set(err, NULL, 0, 0,
		              "%s is not a regular file: point AWS_CONFIG_FILE or "
		              "AWS_SHARED_CREDENTIALS_FILE at the right file",
		              path);
		close(fd);
		return CREDENTIALS_BAD_CONFIG;
	}
	if ((uintmax_t)sb.st_size > CREDENTIALS_MAX_FILE_SIZE) {
		lms_error_set(err, NULL, 0, 0, "%s is larger than %zu KiB: is it the right file?",
		              path, CREDENTIALS_MAX_FILE_SIZE / 1024);
		close(fd);
		return CREDENTIALS_BAD_CONFIG;
	}
	/* One allocation of the final size, so no copy of the secrets is left behind by a
	 * growing buffer; it is wiped after parsing. */
	size_t size = (size_t)sb.st_size;
	char *text = malloc(size + 1);
	if (!text) {
		close(fd);
		return no_memory(err);
	}
	size_t got = 0;
	while (got < size) {
		ssize_t n = read(fd, text + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			lms_error_set(err, NULL, 0, 0, "cannot read %s: %s", path, strerror(errno));
			OPENSSL_cleanse(text, got);
			free(text);
			close(fd);
			return CREDENTIALS_SYSTEM_ERROR;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);

	lms_error why = {0};
	*out = aws_ini_parse(text, got, &why);
	OPENSSL_cleanse(text, size + 1);
	free(text);
	if (!*out && why.line == 0) { /* every malformed line has its number: out of memory */
		lms_error_clear(&why);
		return no_memory(err);
	}
	if (!*out) {
		lms_error_set(err, path, why.line, 0,
		              "%s: fix the file (comments start with '#' or ';')",
		              why.msg ? why.msg : "malformed");
		lms_error_clear(&why);
		return CREDENTIALS_BAD_CONFIG;
	}
	return CREDENTIALS_OK;
}

static void shared_files_free(shared_files *sf)
{
	buf_free(&sf->config_path);
	buf_free(&sf->credentials_path);
	aws_ini_free(sf->config);
	aws_ini_free(sf->credentials);
}

static credentials_status shared_files_load(shared_files *sf, lms_error *err)
{
	buf_init(&sf->config_path, 0);
	buf_init(&sf->credentials_path, 0);
	sf->config = NULL;
	sf->credentials = NULL;
	shared_file_path("AWS_CONFIG_FILE", "config", &sf->config_path);
	shared_file_path("AWS_SHARED_CREDENTIALS_FILE", "credentials", &sf->credentials_path);
	if (sf->config_path.failed || sf->credentials_path.failed)
		return no_memory(err);
	credentials_status st = load_ini(buf_cstr(&sf->credentials_path), &sf->credentials, err);
	if (st == CREDENTIALS_OK)
		st = load_ini(buf_cstr(&sf->config_path), &sf->config, err);
	return st;
}

static const char *path_or_default(const buf *path, const char *fallback)
{
	return path->len ? buf_cstr(path) : fallback;
}

/* A profile setting, the credentials file first (the AWS CLI merges the two files so). */
static const char *profile_get(const shared_files *sf, const char *profile, const char *key,
                               const char **found_in)
{
	const char *v = ini_lookup(sf->credentials, section_is, profile, key);
	if (v) {
		if (found_in)
			*found_in = buf_cstr(&sf->credentials_path);
		return v;
	}
	v = ini_lookup(sf->config, config_section_is, profile, key);
	if (v && found_in)
		*found_in = buf_cstr(&sf->config_path);
	return v;
}

static bool profile_exists(const shared_files *sf, const char *profile)
{
	return ini_has(sf->credentials, section_is, profile) ||
	       ini_has(sf->config, config_section_is, profile);
}

/* ---- credential_process ------------------------------------------------------------------- */

/* Hinnant's days_from_civil: days since 1970-01-01 (timegm() is not POSIX). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* ISO 8601 as credential processes write it: 2024-05-01T12:00:00Z, with optional fractional
 * seconds and a Z, +HH:MM or +HHMM zone. */
static bool parse_iso8601(const char *s, time_t *out)
{
	int y, mo, d, h, mi, sec, zh = 0, zm = 0;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		return false;
	const char *p = s + 19;
	if (*p == '.' || *p == ',') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	int sign = 0;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		sign = 0;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (!digits(p + 1, 2, &zh))
			return false;
		const char *m = p + 3;
		if (*m == ':')
			m++;
		if (!digits(m, 2, &zm) || m[2] != '\0')
			return false;
	} else {
		return false;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || zh > 23 ||
	    zm > 59)
		return false;
	long long offset = sign * ((long long)zh * 3600 + (long long)zm * 60);
	long long t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + (long long)h * 3600 +
	              (long long)mi * 60 + sec - offset;
	*out = (time_t)t;
	return true;
}

static const char *json_string_field(json_t *obj, const char *key, bool *wrong_type)
{
	json_t *v = json_object_get(obj, key);
	if (v && !json_is_string(v) && !json_is_null(v))
		*wrong_type = true;
	return json_string_value(v);
}

credentials_status credentials_parse_process_output(const char *json, size_t len, time_t now,
                                                    credentials **out, lms_error *err)
{
	*out = NULL;
	json_error_t error;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &error);
	if (!root) {
		/* jansson's text may quote the input ("near '...'"), which may be a secret. */
		char *near = strstr(error.text, " near ");
		if (near)
			*near = '\0';
		lms_error_set(err, NULL, 0, 0,
		              "its output is not valid JSON (%s at line %d, column %d)", error.text,
		              error.line, error.column);
		return CREDENTIALS_PROCESS_FAILED;
	}
	credentials_status st = CREDENTIALS_PROCESS_FAILED;
	bool wrong_type = false;
	json_t *version = json_object_get(root, "Version");
	const char *key_id = json_string_field(root, "AccessKeyId", &wrong_type);
	const char *secret = json_string_field(root, "SecretAccessKey", &wrong_type);
	const char *token = json_string_field(root, "SessionToken", &wrong_type);
	const char *expiration_text = json_string_field(root, "Expiration", &wrong_type);
	time_t expiration = 0;
	if (!json_is_object(root)) {
		lms_error_set(err, NULL, 0, 0, "its output is JSON but not an object");
	} else if (!json_is_integer(version) || json_integer_value(version) != 1) {
		lms_error_set(err, NULL, 0, 0,
		              "its output lacks \"Version\": 1 (the only version defined)");
	} else if (wrong_type) {
		lms_error_set(err, NULL, 0, 0,
		              "its output has a non-string AccessKeyId, SecretAccessKey, "
		              "SessionToken or Expiration");
	} else if (!key_id || !key_id[0] || !secret || !secret[0]) {
		lms_error_set(err, NULL, 0, 0, "its output lacks AccessKeyId or SecretAccessKey");
	} else if (expiration_text && !parse_iso8601(expiration_text, &expiration)) {
		lms_error_set(err, NULL, 0, 0,
		              "its Expiration \"%.40s\" is not an ISO 8601 time such as "
		              "2024-05-01T12:00:00Z",
		              expiration_text);
	} else if (expiration_text && expiration <= now) {
		lms_error_set(err, NULL, 0, 0,
		              "it returned credentials that expired at %.40s: renew them at their "
		              "source",
		              expiration_text);
	} else {
		*out = credentials_make(key_id, secret, token, expiration, "credential_process");
		st = *out ? CREDENTIALS_OK : no_memory(err);
	}
	json_decref(root);
	return st;
}

/* One line of what the process said on stderr, control characters and runs of white space
 * made single spaces, cut at STDERR_SUMMARY_CHARS. */
static void summarize_stderr(const buf *stderr_text, buf *out)
{
	const char *s = buf_cstr(stderr_text);
	size_t written = 0;
	bool space = false;
	for (; *s && written < STDERR_SUMMARY_CHARS; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < ' ' || c == 0x7f || c == ' ') {
			space = written > 0;
			continue;
		}
		if (space) {
			buf_addc(out, ' ');
			written++;
		}
		space = false;
		buf_addc(out, (char)c);
		written++;
	}
	if (*s)
		buf_adds(out, "...");
	if (written == 0)
		buf_adds(out, "(nothing on stderr)");
}

/* The credentials in the output of a helper that exited with status 0. */
static credentials_status process_answer(const proc_result *res, const char *profile,
                                         const char *source, credentials **out, lms_error *err)
{
	lms_error parse_err = {0};
	credentials_status st = credentials_parse_process_output(buf_cstr(&res->out), res->out.len,
	                                                         time(NULL), out, &parse_err);
	const char *what = parse_err.msg ? parse_err.msg : "unknown error";
	if (st == CREDENTIALS_PROCESS_FAILED)
		lms_error_set(err, NULL, 0, 0, "credential_process of profile \"%s\": %s", profile,
		              what);
	else if (st != CREDENTIALS_OK)
		lms_error_set(err, NULL, 0, 0, "%s", what);
	lms_error_clear(&parse_err);
	if (st != CREDENTIALS_OK)
		return st;
	buf src;
	buf_init(&src, 0);
	buf_addf(&src, "credential_process of profile \"%s\" (%s)", profile, source);
	char *s = buf_take(&src);
	if (!s) {
		credentials_free(*out);
		*out = NULL;
		return no_memory(err);
	}
	free((*out)->source);
	(*out)->source = s;
	return CREDENTIALS_OK;
}

/* The process rules of common/proc.h: its own process group, a deadline, nothing left
 * behind. stdin is /dev/null: in a group of its own the helper is not in the terminal's
 * foreground, so a prompt for an MFA code could only stop it. */
static credentials_status credentials_from_process(const char *command, const char *profile,
                                                   const char *source, int timeout_seconds,
                                                   credentials **out, lms_error *err)
{
	char *argv[] = {"/bin/sh", "-c", (char *)command, NULL};
	proc_spec spec = {.argv = argv,
	                  .timeout_ms = (long)timeout_seconds * 1000,
	                  .max_out = CREDENTIALS_MAX_PROCESS_OUTPUT,
	                  .secret = true};
	proc_result res;
	bool started = proc_run(&spec, &res);
	buf why; /* what happened, then the summary of stderr */
	buf_init(&why, 0);
	proc_describe(&spec, &res, &why);
	credentials_status st = CREDENTIALS_PROCESS_FAILED;
	if (!started) {
		lms_error_set(err, NULL, 0, 0,
		              "cannot start credential_process of profile \"%s\": %s", profile,
		              strerror(res.code));
		st = CREDENTIALS_SYSTEM_ERROR;
	} else if (res.outcome == PROC_TIMED_OUT || res.outcome == PROC_DETACHED) {
		lms_error_set(err, NULL, 0, 0,
		              "credential_process of profile \"%s\" %s: check the command in %s",
		              profile, buf_cstr(&why), source);
	} else if (res.outcome == PROC_FLOODED) {
		lms_error_set(err, NULL, 0, 0,
		              "credential_process of profile \"%s\" %s: it must print only the "
		              "credentials JSON",
		              profile, buf_cstr(&why));
	} else if (res.outcome == PROC_SIGNALED || res.code != 0) {
		buf_adds(&why, ": ");
		summarize_stderr(&res.err, &why);
		if (res.outcome == PROC_SIGNALED)
			lms_error_set(err, NULL, 0, 0, "credential_process of profile \"%s\" %s",
			              profile, buf_cstr(&why));
		else
			lms_error_set(
			    err, NULL, 0, 0,
			    "credential_process of profile \"%s\" %s (run the command from "
			    "%s yourself to see why)",
			    profile, buf_cstr(&why), source);
	} else {
		st = process_answer(&res, profile, source, out, err);
	}
	buf_free(&why);
	proc_result_free(&res);
	return st;
}

/* ---- resolution --------------------------------------------------------------------------- */

static credentials_status unsupported(const char *profile, const char *key, const char *what,
                                      const char *where, lms_error *err)
{
	lms_error_set(err, NULL, 0, 0,
	              "profile \"%s\" uses %s; not supported yet (%s, set in %s): use a profile "
	              "with access keys or credential_process, or export temporary credentials "
	              "with `aws configure export-credentials --profile %s --format env`",
	              profile, key, what, where, profile);
	return CREDENTIALS_UNSUPPORTED;
}

static credentials_status from_profile(const shared_files *sf, const char *profile,
                                       bool named_explicitly, const char *named_by,
                                       int timeout_seconds, credentials **out, lms_error *err)
{
	const char *where = NULL;
	/* The AWS CLI tries these before the profile's keys: a profile meant to assume a role
	 * must not quietly run with the keys it also holds. */
	static const char *const unsupported_keys[][2] = {
	    {"role_arn", "STS AssumeRole"},
	    {"web_identity_token_file", "STS AssumeRoleWithWebIdentity"},
	    {"sso_session", "IAM Identity Center"},
	    {"sso_start_url", "IAM Identity Center"},
	};
	for (size_t i = 0; i < sizeof unsupported_keys / sizeof unsupported_keys[0]; i++)
		if (profile_get(sf, profile, unsupported_keys[i][0], &where))
			return unsupported(profile, unsupported_keys[i][0], unsupported_keys[i][1],
			                   where, err);

	const char *cred_path = path_or_default(&sf->credentials_path, "~/.aws/credentials");
	const char *config_path = path_or_default(&sf->config_path, "~/.aws/config");
	struct {
		aws_ini *ini;
		section_match match;
		const char *path;
	} key_files[] = {
	    {sf->credentials, section_is, cred_path},
	    {sf->config, config_section_is, config_path},
	};
	for (size_t i = 0; i < 2; i++) {
		const char *key_id =
		    ini_lookup(key_files[i].ini, key_files[i].match, profile, "aws_access_key_id");
		const char *secret = ini_lookup(key_files[i].ini, key_files[i].match, profile,
		                                "aws_secret_access_key");
		const char *token =
		    ini_lookup(key_files[i].ini, key_files[i].match, profile, "aws_session_token");
		if ((key_id && key_id[0]) != (secret && secret[0])) {
			lms_error_set(
			    err, NULL, 0, 0,
			    "profile \"%s\" in %s has %s but not %s: add the missing line or "
			    "run aws configure --profile %s",
			    profile, key_files[i].path,
			    key_id && key_id[0] ? "aws_access_key_id" : "aws_secret_access_key",
			    key_id && key_id[0] ? "aws_secret_access_key" : "aws_access_key_id",
			    profile);
			return CREDENTIALS_BAD_CONFIG;
		}
		if (key_id && key_id[0]) {
			buf source;
			buf_init(&source, 0);
			buf_addf(&source, "profile \"%s\" in %s", profile, key_files[i].path);
			*out = source.failed
			           ? NULL
			           : credentials_make(key_id, secret, token, 0, buf_cstr(&source));
			buf_free(&source);
			return *out ? CREDENTIALS_OK : no_memory(err);
		}
		/* The AWS CLI looks at credential_process between the two files' keys. */
		const char *command =
		    i == 0 ? profile_get(sf, profile, "credential_process", &where) : NULL;
		if (command && command[0])
			return credentials_from_process(command, profile, where, timeout_seconds,
			                                out, err);
	}

	if (profile_exists(sf, profile)) {
		lms_error_set(err, NULL, 0, 0,
		              "profile \"%s\" has no credentials (no aws_access_key_id or "
		              "credential_process in %s or %s): run aws configure --profile %s",
		              profile, cred_path, config_path, profile);
		return CREDENTIALS_BAD_CONFIG;
	}
	if (!named_explicitly) {
		lms_error_set(
		    err, NULL, 0, 0,
		    "no AWS credentials found: " NO_CREDENTIALS_HINT " (looked in the "
		    "environment, %s and %s; EC2 instance and container credentials are not "
		    "supported yet)",
		    cred_path, config_path);
		return CREDENTIALS_NOT_FOUND;
	}
	buf hint;
	buf_init(&hint, 0);
	if (strcmp(profile, "default") != 0 && ini_has(sf->config, section_is, profile))
		buf_addf(&hint,
		         " (%s has a section [%s]; the config file names profiles [profile %s])",
		         config_path, profile, profile);
	lms_error_set(
	    err, NULL, 0, 0,
	    "profile \"%s\" (from %s) is not in %s or %s%s: check the name, or create it with "
	    "aws configure --profile %s",
	    profile, named_by, cred_path, config_path, buf_cstr(&hint), profile);
	buf_free(&hint);
	return CREDENTIALS_BAD_CONFIG;
}

static credentials_status from_environment(credentials **out, lms_error *err, bool *found)
{
	const char *key_id = env("AWS_ACCESS_KEY_ID");
	const char *secret = env("AWS_SECRET_ACCESS_KEY");
	*found = key_id || secret;
	if (!*found)
		return CREDENTIALS_NOT_FOUND;
	if (!key_id || !secret) {
		lms_error_set(err, NULL, 0, 0,
		              "%s is set but %s is not: set both, or unset both to use a profile",
		              key_id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		              key_id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return CREDENTIALS_BAD_CONFIG;
	}
	*out = credentials_make(key_id, secret, env("AWS_SESSION_TOKEN"), 0,
	                        "environment (AWS_ACCESS_KEY_ID)");
	return *out ? CREDENTIALS_OK : no_memory(err);
}

credentials_status credentials_resolve(const credentials_options *opts, credentials **out,
                                       lms_error *err)
{
	*out = NULL;
	const char *explicit_profile =
	    opts && opts->profile && opts->profile[0] ? opts->profile : NULL;
	int timeout_seconds = opts ? opts->process_timeout_seconds : 0;

	if (!explicit_profile) {
		bool found = false;
		credentials_status st = from_environment(out, err, &found);
		if (found)
			return st;
	}

	const char *profile = explicit_profile;
	const char *named_by = opts && opts->named_by ? opts->named_by : "--profile";
	if (!profile && env("AWS_PROFILE")) {
		profile = env("AWS_PROFILE");
		named_by = "AWS_PROFILE";
	}
	bool named = profile != NULL;
	if (!profile)
		profile = "default";

	shared_files sf;
	credentials_status st = shared_files_load(&sf, err);
	if (st == CREDENTIALS_OK)
		st = from_profile(&sf, profile, named, named_by, timeout_seconds, out, err);
	shared_files_free(&sf);
	return st;
}

/* ---- endpoints ---------------------------------------------------------------------------- */

struct credentials_endpoints {
	char *global;   /* the profile's endpoint_url, or NULL */
	char *profile;  /* for messages */
	char *path;     /* the config file */
	char *services; /* the [services NAME] section's name, or NULL */
	aws_ini *config;
	bool ignore;
};

void credentials_endpoints_free(credentials_endpoints *e)
{
	if (!e)
		return;
	free(e->global);
	free(e->profile);
	free(e->path);
	free(e->services);
	aws_ini_free(e->config);
	free(e);
}

static char *dup_or_null(const char *s)
{
	return s ? copy_n(s, strlen(s)) : NULL;
}

credentials_status credentials_endpoints_load(const char *profile, credentials_endpoints **out,
                                              lms_error *err)
{
	*out = NULL;
	if (!profile || !profile[0])
		profile = env("AWS_PROFILE");
	if (!profile)
		profile = "default";
	buf path;
	buf_init(&path, 0);
	shared_file_path("AWS_CONFIG_FILE", "config", &path);
	if (path.failed)
		return no_memory(err);
	aws_ini *ini = NULL;
	credentials_status st = load_ini(buf_cstr(&path), &ini, err);
	const char *global =
	    ini ? ini_lookup(ini, config_section_is, profile, "endpoint_url") : NULL;
	const char *services = ini ? ini_lookup(ini, config_section_is, profile, "services") : NULL;
	const char *ignore =
	    ini ? ini_lookup(ini, config_section_is, profile, "ignore_configured_endpoint_urls")
	        : NULL;
	buf section;
	buf_init(&section, 0);
	if (services && services[0])
		buf_addf(&section, "services %s", services);
	if (st == CREDENTIALS_OK && section.failed) {
		aws_ini_free(ini);
		st = no_memory(err);
	} else if (st != CREDENTIALS_OK || (!(global && global[0]) && !section.len && !ignore)) {
		aws_ini_free(ini);
	} else if (services && services[0] && !ini_has(ini, section_is, buf_cstr(&section))) {
		lms_error_set(err, NULL, 0, 0,
		              "profile \"%s\" in %s names services = %s, but the file has no "
		              "[services %s] section",
		              profile, buf_cstr(&path), services, services);
		aws_ini_free(ini);
		st = CREDENTIALS_BAD_CONFIG;
	} else {
		credentials_endpoints *e = calloc(1, sizeof *e);
		if (e) {
			e->config = ini;
			e->global = global && global[0] ? dup_or_null(global) : NULL;
			e->profile = dup_or_null(profile);
			e->path = dup_or_null(buf_cstr(&path));
			e->services = section.len ? dup_or_null(buf_cstr(&section)) : NULL;
			e->ignore =
			    ignore && (strcmp(ignore, "true") == 0 || strcmp(ignore, "True") == 0);
		}
		if (!e || !e->profile || !e->path || (global && global[0] && !e->global) ||
		    (section.len && !e->services)) {
			if (e)
				credentials_endpoints_free(e);
			else
				aws_ini_free(ini);
			st = no_memory(err);
		} else {
			*out = e;
		}
	}
	buf_free(&section);
	buf_free(&path);
	return st;
}

const char *credentials_endpoint_for(const credentials_endpoints *e, const char *service,
                                     buf *source)
{
	if (!e || e->ignore)
		return NULL;
	if (e->services) {
		buf key;
		buf_init(&key, 0);
		for (const char *p = service; *p; p++)
			buf_addc(&key, *p == '-' || *p == ' ' ? '_' : ascii_lower(*p));
		buf_adds(&key, ".endpoint_url");
		const char *v =
		    key.failed ? NULL
		               : ini_lookup(e->config, section_is, e->services, buf_cstr(&key));
		buf_free(&key);
		if (v && v[0]) {
			if (source)
				buf_addf(source, "[%s] in %s", e->services, e->path);
			return v;
		}
	}
	if (e->global && source)
		buf_addf(source, "endpoint_url of profile \"%s\" in %s", e->profile, e->path);
	return e->global;
}

bool credentials_endpoints_ignored(const credentials_endpoints *e)
{
	return e && e->ignore;
}

/* ---- region ------------------------------------------------------------------------------- */

static bool valid_region(const char *r)
{
	if (!r[0])
		return false;
	for (; *r; r++)
		if (!((*r >= 'a' && *r <= 'z') || (*r >= '0' && *r <= '9') || *r == '-'))
			return false;
	return true;
}

credentials_status credentials_region(const char *profile, buf *out, lms_error *err)
{
	static const char *const vars[] = {"AWS_REGION", "AWS_DEFAULT_REGION"};
	for (size_t i = 0; i < 2; i++) {
		const char *r = env(vars[i]);
		if (!r)
			continue;
		if (!valid_region(r)) {
			lms_error_set(err, NULL, 0, 0,
			              "%s=\"%.40s\" is not a region name such as eu-west-1",
			              vars[i], r);
			return CREDENTIALS_BAD_CONFIG;
		}
		buf_adds(out, r);
		return out->failed ? no_memory(err) : CREDENTIALS_OK;
	}

	if (!profile || !profile[0])
		profile = env("AWS_PROFILE");
	if (!profile)
		profile = "default";
	shared_files sf;
	credentials_status st = shared_files_load(&sf, err);
	if (st == CREDENTIALS_OK) {
		const char *r = ini_lookup(sf.config, config_section_is, profile, "region");
		if (!r || !r[0]) {
			lms_error_set(
			    err, NULL, 0, 0,
			    "no AWS region configured: set AWS_REGION or add region to profile "
			    "\"%s\" in %s",
			    profile, path_or_default(&sf.config_path, "~/.aws/config"));
			st = CREDENTIALS_NOT_FOUND;
		} else if (!valid_region(r)) {
			lms_error_set(
			    err, NULL, 0, 0,
			    "profile \"%s\" in %s has region \"%.40s\", not a region name "
			    "such as eu-west-1",
			    profile, buf_cstr(&sf.config_path), r);
			st = CREDENTIALS_BAD_CONFIG;
		} else {
			buf_adds(out, r);
			st = out->failed ? no_memory(err) : CREDENTIALS_OK;
		}
	}
	shared_files_free(&sf);
	return st;
}
