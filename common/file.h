/* file: reading a whole file with a size cap, and writing one atomically.
 *
 * Errors name the file (lms_error.file is the path) and say what went wrong
 * in the words the callers always used: "cannot open: REASON", "larger than
 * N bytes: not a file lmsctl reads", "read error: REASON". */
#ifndef LMSCTL_COMMON_FILE_H
#define LMSCTL_COMMON_FILE_H

#include "common/buf.h"
#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Reads the whole of `path` into `out`, which this initialises with the cap
 * `max` (0: BUF_DEFAULT_MAX); the contents are NUL-terminated (buf_cstr).
 * The caller owns `out` and frees it with buf_free() on success and failure
 * alike. On failure `out` is empty, `err` is set, and errno says why: the
 * errno of open or read, or EFBIG when the file is larger than `max`. */
bool file_read(const char *path, size_t max, buf *out, lms_error *err);

/* Writes `len` bytes to `path` so that a reader sees the old contents or the
 * new, never a part: a temporary file in the same directory, written,
 * fsync'd, given the mode of the file it replaces (a new file: 0666 less the
 * umask), then renamed over `path`, and the directory fsync'd. `exclusive`
 * fails with "already exists (use --force to overwrite)" if `path` exists
 * (link(2), so there is no window in which an existing file is replaced).
 * Something that is not a regular file (/dev/null, /dev/stdout, a FIFO) is
 * written in place: renaming over it would replace the device node. A
 * symbolic link is judged by what it points to (stat, not lstat): a link to a
 * device is written through; a link to a regular file, or a dangling link,
 * is replaced by the new regular file and its old target is left as it was. */
bool write_file_atomic(const char *path, const char *data, size_t len, bool exclusive,
                       lms_error *err);
/* write_file_atomic (not exclusive) for a private file: the file gets `mode`
 * exactly (0600: the umask does not widen or narrow it), whether it is new or
 * replaces one with another mode; the temporary file is 0600 from the start
 * (mkstemp), so the contents are never readable by others. */
bool write_file_atomic_mode(const char *path, const char *data, size_t len, mode_t mode,
                            lms_error *err);

#endif
