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

/* What a writer read from a file, so that it does not overwrite a change
 * another program made since: the bytes as read (borrowed; they must live
 * until the write), or that there was no file. The check compares the file
 * byte for byte with them: stronger than a digest (no collision), and the
 * writers keep the text in memory anyway (a model is at most 1 MiB). */
typedef struct file_seen {
	bool existed;     /* false: there was no file, and there must be none */
	const char *data; /* what it held when read (existed) */
	size_t len;
} file_seen;

/* Writes `len` bytes to `path` so that a reader sees the old contents or the
 * new, never a part: a temporary file in the file's directory, written,
 * fsync'd, given the mode (and owner and group) of the file it replaces (a
 * new file: 0666 less the umask), then renamed over it, and the directory
 * fsync'd. `exclusive` fails with "already exists (use --force to overwrite)"
 * if `path` exists (link(2), so there is no window in which an existing file
 * is replaced).
 *
 * A symbolic link is written through: the file it points to (realpath) is
 * replaced atomically in its own directory and the link is left as it is, so
 * that the link and its target never part. A dangling link (or a loop) is
 * refused: "is a symbolic link to a file that does not exist". When the owner
 * or group of the replaced file cannot be kept (a file of another user), the
 * write is refused rather than change them. Something that is not a regular
 * file (/dev/null, /dev/stdout, a FIFO; or a link to one) is written in
 * place: renaming over it would replace the device node. A directory the
 * temporary file cannot be made in (read-only) is refused, naming the file:
 * the file is never rewritten in place. On any failure the file is left as
 * it was and no temporary file stays. */
bool write_file_atomic(const char *path, const char *data, size_t len, bool exclusive,
                       lms_error *err);

/* write_file_atomic(), and at the moment of writing (after the new contents
 * are on disk, just before the rename) the file must still be what `seen`
 * says: else nothing is replaced, the error says "changed on disk since it
 * was read" and errno is ESTALE. A file that was deleted meanwhile is written
 * (nothing is lost). `seen` NULL: no check. */
bool write_file_unchanged(const char *path, const char *data, size_t len, const file_seen *seen,
                          lms_error *err);

/* write_file_atomic (not exclusive) for a private file: the file gets `mode`
 * exactly (0600: the umask does not widen or narrow it), whether it is new or
 * replaces one with another mode; the temporary file is 0600 from the start
 * (mkstemp), so the contents are never readable by others. */
bool write_file_atomic_mode(const char *path, const char *data, size_t len, mode_t mode,
                            lms_error *err);

#endif
