/* testutil: helpers shared by the unit tests — files, temporary directories,
 * fixture paths and assertions with readable failure messages.
 *
 * Include after <cmocka.h>. Every path and string a helper returns is
 * malloc'd and owned by the caller. `make check` sets TOP_SRCDIR (the source
 * tree) and LMSCTL_TEMPLATES (its templates/); run by hand, the tests fall
 * back to "." and "templates". */
#ifndef LMSCTL_TESTS_TESTUTIL_H
#define LMSCTL_TESTS_TESTUTIL_H

#include "common/buf.h"
#include "common/error.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Test files are small; anything larger is a mistake in the test. */
#define TU_MAX_FILE ((size_t)16 * 1024 * 1024)

static inline char *tu_join(const char *a, const char *b)
{
	buf p;
	buf_init(&p, 0);
	buf_addf(&p, "%s/%s", a, b);
	char *s = buf_take(&p);
	assert_non_null(s);
	return s;
}

static inline const char *tu_top_srcdir(void)
{
	const char *d = getenv("TOP_SRCDIR");
	return d && *d ? d : ".";
}

static inline const char *tu_templates_dir(void)
{
	const char *d = getenv("LMSCTL_TEMPLATES");
	return d && *d ? d : "templates";
}

/* TOP_SRCDIR/tests/fixtures/REL */
static inline char *tu_fixture(const char *rel)
{
	buf p;
	buf_init(&p, 0);
	buf_addf(&p, "%s/tests/fixtures/%s", tu_top_srcdir(), rel);
	char *s = buf_take(&p);
	assert_non_null(s);
	return s;
}

/* TOP_SRCDIR/tests/golden/REL */
static inline char *tu_golden(const char *rel)
{
	buf p;
	buf_init(&p, 0);
	buf_addf(&p, "%s/tests/golden/%s", tu_top_srcdir(), rel);
	char *s = buf_take(&p);
	assert_non_null(s);
	return s;
}

/* The whole file, NUL-terminated; its length in *len when len is not NULL.
 * NULL when it cannot be read. */
static inline char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	buf b;
	buf_init(&b, TU_MAX_FILE);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	bool bad = ferror(f) != 0;
	fclose(f);
	if (bad) {
		buf_free(&b);
		return NULL;
	}
	if (len)
		*len = b.len;
	return buf_take(&b);
}

static inline void tu_write_bytes(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Writes `text` to DIR/NAME; returns the path. */
static inline char *tu_write_file(const char *dir, const char *name, const char *text)
{
	char *path = tu_join(dir, name);
	tu_write_bytes(path, text, strlen(text));
	return path;
}

/* Creates DIR/NAME as a directory; returns its path. */
static inline char *tu_mkdir(const char *dir, const char *name)
{
	char *path = tu_join(dir, name);
	assert_int_equal(mkdir(path, 0700), 0);
	return path;
}

/* A new empty directory under $TMPDIR (or /tmp). */
static inline char *tu_mkdtemp(void)
{
	const char *tmp = getenv("TMPDIR");
	buf p;
	buf_init(&p, 0);
	buf_addf(&p, "%s/lmsctl-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char *s = buf_take(&p);
	assert_non_null(s);
	assert_non_null(mkdtemp(s));
	return s;
}

/* Removes `path` and, if it is a directory, everything in it. */
static inline void tu_rmtree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		if (d) {
			struct dirent *de;
			while ((de = readdir(d)) != NULL) {
				if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
					continue;
				char *kid = tu_join(path, de->d_name);
				tu_rmtree(kid);
				free(kid);
			}
			closedir(d);
		}
		rmdir(path);
	} else {
		unlink(path);
	}
}

/* Number of entries in `dir` other than . and .. (-1 if it cannot be read). */
static inline int tu_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* "FILE:LINE:COL: message" of an error, malloc'd. */
static inline char *tu_error_text(const lms_error *err)
{
	char *s = lms_error_format(err);
	assert_non_null(s);
	return s;
}

/* Number of non-overlapping occurrences of `needle` in `hay`. */
static inline size_t tu_count(const char *hay, const char *needle)
{
	size_t n = 0, len = strlen(needle);
	for (const char *p = hay; len && (p = strstr(p, needle)) != NULL; p += len)
		n++;
	return n;
}

static inline void tu_assert_contains(const char *hay, const char *needle, const char *file,
                                      int line)
{
	if (hay && strstr(hay, needle))
		return;
	print_error("expected to find \"%s\" in:\n%s\n", needle, hay ? hay : "(null)");
	_fail(file, line);
}

static inline void tu_assert_not_contains(const char *hay, const char *needle, const char *file,
                                          int line)
{
	if (hay && !strstr(hay, needle))
		return;
	print_error("did not expect \"%s\" in:\n%s\n", needle, hay ? hay : "(null)");
	_fail(file, line);
}

#define assert_contains(hay, needle) tu_assert_contains((hay), (needle), __FILE__, __LINE__)
#define assert_not_contains(hay, needle) tu_assert_not_contains((hay), (needle), __FILE__, __LINE__)

/* The error's formatted text contains `needle`; the error is cleared. */
static inline void tu_assert_error(lms_error *err, const char *needle, const char *file, int line)
{
	char *s = lms_error_format(err);
	tu_assert_contains(s, needle, file, line);
	free(s);
	lms_error_clear(err);
}

#define assert_error(err, needle) tu_assert_error((err), (needle), __FILE__, __LINE__)

#endif
