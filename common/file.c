#define _GNU_SOURCE /* realpath with -std=c11 */
#include "common/file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool file_read(const char *path, size_t max, buf *out, lms_error *err)
{
	buf_init(out, max);
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		lms_error_set(err, path, 0, 0, "cannot open: %s", strerror(e));
		errno = e;
		return false;
	}
	/* a regular file of known size: one allocation and one read; anything
	 * else (a pipe, a file that changes size) the general way below */
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uintmax_t)st.st_size <= out->max && buf_reserve(out, (size_t)st.st_size)) {
		size_t size = (size_t)st.st_size;
		size_t n = fread(out->data, 1, size, f);
		out->len = n;
		out->data[n] = '\0';
	}
	char chunk[8192];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (!buf_add(out, chunk, got))
			break;
	bool read_error = ferror(f);
	int e = read_error ? errno : 0;
	fclose(f);
	if (out->failed && out->oom) {
		lms_error_set(err, path, 0, 0, "out of memory reading it");
		buf_free(out);
		errno = ENOMEM;
		return false;
	}
	if (out->failed) {
		lms_error_set(err, path, 0, 0, "larger than %zu bytes: not a file lmsctl reads",
		              out->max);
		buf_free(out);
		errno = EFBIG;
		return false;
	}
	if (read_error) {
		lms_error_set(err, path, 0, 0, "read error: %s", strerror(e ? e : EIO));
		buf_free(out);
		errno = e ? e : EIO;
		return false;
	}
	return true;
}

/* Writes all of `data` to `fd`, again after a signal or a short write; false
 * with errno set (EIO for a write that wrote nothing). */
static bool write_all(int fd, const char *data, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return false;
		}
		done += (size_t)w;
	}
	return true;
}

/* Writes to something that is not a regular file (/dev/null, /dev/stdout,
 * a FIFO) in place: renaming a temporary file over a device would replace
 * the device node itself. */
static bool write_in_place(const char *path, const char *data, size_t len, lms_error *err)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		lms_error_set(err, path, 0, 0, "cannot open: %s", strerror(errno));
		return false;
	}
	if (!write_all(fd, data, len)) {
		lms_error_set(err, path, 0, 0, "write error: %s", strerror(errno));
		close(fd);
		return false;
	}
	if (close(fd) != 0) {
		lms_error_set(err, path, 0, 0, "write error: %s", strerror(errno));
		return false;
	}
	return true;
}

/* The file a write replaces: `path`, or the file a symbolic link at `path`
 * points to, so that the link stays a link and its target gets the new
 * contents (writing a new file over the link would part them). */
static char *write_target(const char *path, bool exclusive, lms_error *err)
{
	struct stat lst;
	if (lstat(path, &lst) != 0 || !S_ISLNK(lst.st_mode)) {
		char *same = strdup(path);
		if (!same)
			lms_error_set(err, path, 0, 0, "out of memory");
		return same;
	}
	if (exclusive) {
		lms_error_set(err, path, 0, 0, "already exists (use --force to overwrite)");
		return NULL;
	}
	char *real = realpath(path, NULL);
	if (!real)
		lms_error_set(err, path, 0, 0,
		              "is a symbolic link to a file that does not exist (%s): not written",
		              strerror(errno));
	return real;
}

/* Whether the file at `target` is still what `seen` says (a deleted file is:
 * replacing nothing loses nothing). */
static bool still_as_seen(const char *path, const char *target, const file_seen *seen,
                          lms_error *err)
{
	buf now;
	/* one byte more than expected is enough to know it changed */
	bool read = file_read(target, seen->existed ? seen->len + 1 : 1, &now, NULL);
	int e = errno;
	bool same = read && seen->existed && now.len == seen->len &&
	            (now.len == 0 || memcmp(now.data, seen->data, now.len) == 0);
	buf_free(&now);
	if (!read && e == ENOENT)
		return true;
	if (!read && e != EFBIG) {
		lms_error_set(err, path, 0, 0, "cannot read it to check it did not change: %s",
		              strerror(e));
		return false;
	}
	if (!same) {
		lms_error_set(err, path, 0, 0,
		              "changed on disk since it was read: not overwritten (nothing was "
		              "written)");
		errno = ESTALE;
	}
	return same;
}

/* Writes all of `data` to `fd` and gives it the mode, owner and group of the
 * file it replaces (`old`, NULL: a new file), or exactly `fixed_mode` when it is
 * not negative; false with errno set, and a message in `why` when it is not
 * errno's. */
static bool fill_temp(int fd, const char *data, size_t len, const struct stat *old, int fixed_mode,
                      const char **why)
{
	if (!write_all(fd, data, len))
		return false;
	mode_t mode;
	if (fixed_mode >= 0) {
		mode = (mode_t)fixed_mode;
	} else if (old) {
		mode = old->st_mode & 07777;
		/* chown before chmod: chown may clear set-id bits */
		if ((old->st_uid != geteuid() || old->st_gid != getegid()) &&
		    fchown(fd, old->st_uid, old->st_gid) != 0) {
			*why = "cannot keep its owner and group";
			return false;
		}
	} else {
		mode_t mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	return fchmod(fd, mode) == 0 && fsync(fd) == 0;
}

static bool write_checked(const char *path, const char *data, size_t len, bool exclusive,
                          const file_seen *seen, int fixed_mode, lms_error *err)
{
	char *target = write_target(path, exclusive, err);
	if (!target)
		return false;
	struct stat st;
	bool exists = stat(target, &st) == 0;
	if (exists && !S_ISREG(st.st_mode)) {
		free(target);
		if (exclusive) {
			lms_error_set(err, path, 0, 0, "already exists (use --force to overwrite)");
			return false;
		}
		if (S_ISDIR(st.st_mode)) {
			lms_error_set(err, path, 0, 0, "is a directory");
			return false;
		}
		return write_in_place(path, data, len, err);
	}
	/* no file seen: there must be none when it is written (link(2) below) */
	exclusive = exclusive || (seen && !seen->existed);
	char *dup_for_dir = strdup(target);
	buf tmp;
	buf_init(&tmp, 0);
	buf_addf(&tmp, "%s.tmpXXXXXX", target);
	bool ok = false, stale = false;
	int fd = -1;
	if (!dup_for_dir || tmp.failed) {
		lms_error_set(err, path, 0, 0, "out of memory");
		goto done;
	}
	fd = mkstemp(tmp.data);
	if (fd < 0) {
		lms_error_set(err, path, 0, 0, "cannot create a file in its directory: %s",
		              strerror(errno));
		goto done;
	}
	const char *why = NULL;
	ok = fill_temp(fd, data, len, exists ? &st : NULL, fixed_mode, &why);
	int saved = errno;
	if (close(fd) != 0 && ok) {
		ok = false;
		saved = errno;
	}
	if (!ok) {
		lms_error_set(err, path, 0, 0, "%s%s%s: not written", why ? why : "",
		              why ? ": " : "", strerror(saved));
	} else if (seen && seen->existed && !still_as_seen(path, target, seen, err)) {
		ok = false;
		stale = true;
	} else if (exclusive) {
		/* link() fails if the target exists: no window in which an existing
		 * file could be replaced */
		ok = link(tmp.data, target) == 0;
		saved = errno;
		stale = !ok && saved == EEXIST && seen && !seen->existed;
		if (stale)
			lms_error_set(err, path, 0, 0,
			              "was created by another program since lmsctl looked: not "
			              "overwritten (nothing was written)");
		else if (!ok)
			lms_error_set(err, path, 0, 0, "%s",
			              saved == EEXIST ? "already exists (use --force to overwrite)"
			                              : strerror(saved));
	} else {
		ok = rename(tmp.data, target) == 0;
		if (!ok)
			lms_error_set(err, path, 0, 0, "%s", strerror(errno));
	}
	if (!ok || exclusive)
		unlink(tmp.data);
	if (ok) {
		int dfd = open(dirname(dup_for_dir), O_RDONLY | O_DIRECTORY);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
done:
	free(target);
	free(dup_for_dir);
	buf_free(&tmp);
	if (stale)
		errno = ESTALE; /* the caller's cue to offer a reload */
	return ok;
}

bool write_file_atomic(const char *path, const char *data, size_t len, bool exclusive,
                       lms_error *err)
{
	return write_checked(path, data, len, exclusive, NULL, -1, err);
}

bool write_file_atomic_mode(const char *path, const char *data, size_t len, mode_t mode,
                            lms_error *err)
{
	return write_checked(path, data, len, false, NULL, (int)(mode & 07777), err);
}

bool write_file_unchanged(const char *path, const char *data, size_t len, const file_seen *seen,
                          lms_error *err)
{
	return write_checked(path, data, len, false, seen, -1, err);
}
