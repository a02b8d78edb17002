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
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			lms_error_set(err, path, 0, 0, "write error: %s", strerror(errno));
			close(fd);
			return false;
		}
		done += (size_t)w;
	}
	if (close(fd) != 0) {
		lms_error_set(err, path, 0, 0, "write error: %s", strerror(errno));
		return false;
	}
	return true;
}

/* `fixed_mode` < 0: the mode of the file replaced, or 0666 less the umask */
static bool write_atomic(const char *path, const char *data, size_t len, bool exclusive,
                         int fixed_mode, lms_error *err)
{
	struct stat target;
	if (stat(path, &target) == 0 && !S_ISREG(target.st_mode)) {
		if (exclusive) {
			lms_error_set(err, path, 0, 0, "already exists (use --force to overwrite)");
			return false;
		}
		if (S_ISDIR(target.st_mode)) {
			lms_error_set(err, path, 0, 0, "is a directory");
			return false;
		}
		return write_in_place(path, data, len, err);
	}
	char *dup_for_dir = strdup(path);
	buf tmp;
	buf_init(&tmp, 0);
	buf_addf(&tmp, "%s.tmpXXXXXX", path);
	if (!dup_for_dir || tmp.failed) {
		free(dup_for_dir);
		buf_free(&tmp);
		lms_error_set(err, path, 0, 0, "out of memory");
		return false;
	}
	char *tmp_path = tmp.data;
	int fd = mkstemp(tmp_path);
	if (fd < 0) {
		lms_error_set(err, path, 0, 0, "cannot create a file in its directory: %s",
		              strerror(errno));
		free(dup_for_dir);
		buf_free(&tmp);
		return false;
	}
	struct stat st;
	mode_t mode;
	if (fixed_mode >= 0) {
		mode = (mode_t)fixed_mode;
	} else if (stat(path, &st) == 0) {
		mode = st.st_mode & 07777;
	} else {
		mode_t mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	size_t done = 0;
	bool ok = true;
	while (ok && done < len) {
		ssize_t w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		if (ok)
			done += (size_t)w;
	}
	ok = ok && fchmod(fd, mode) == 0 && fsync(fd) == 0;
	int saved = errno;
	if (close(fd) != 0 && ok) {
		ok = false;
		saved = errno;
	}
	if (ok) {
		if (exclusive) {
			/* link() fails if the target exists: no window in which an
			 * existing file could be replaced */
			ok = link(tmp_path, path) == 0;
			saved = errno;
			unlink(tmp_path);
		} else {
			ok = rename(tmp_path, path) == 0;
			saved = errno;
		}
	}
	if (!ok) {
		unlink(tmp_path);
		lms_error_set(err, path, 0, 0, "%s",
		              saved == EEXIST ? "already exists (use --force to overwrite)"
		                              : strerror(saved));
	} else {
		int dfd = open(dirname(dup_for_dir), O_RDONLY | O_DIRECTORY);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	free(dup_for_dir);
	buf_free(&tmp);
	return ok;
}

bool write_file_atomic(const char *path, const char *data, size_t len, bool exclusive,
                       lms_error *err)
{
	return write_atomic(path, data, len, exclusive, -1, err);
}

bool write_file_atomic_mode(const char *path, const char *data, size_t len, mode_t mode,
                            lms_error *err)
{
	return write_atomic(path, data, len, false, (int)(mode & 07777), err);
}
