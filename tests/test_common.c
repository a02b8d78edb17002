/* common/: file reading and atomic writing, strict number parsing, formatted
 * allocation and string helpers, the arena and array growth, the line diff. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* mknod */
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/diff.h"
#include "common/file.h"
#include "common/lazy_crypto.h"
#include "common/names.h"
#include "common/num.h"
#include "common/proc.h"
#include "common/str.h"
#include "common/vec.h"
#include "model/rules_registry.h"
#include "tests/alloc_fail.h"
#include "tests/testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

/* ---- file ---------------------------------------------------------------- */

/* A character device to write to: a node made in a temporary directory of its own
 * (root only; /dev/null is 1,3 and /dev/full 1,7), else /dev's, which only root could
 * replace. Never /dev's own when root: a mutant of file.c that takes a device for a
 * regular file would rename its temporary file over the machine's /dev/null. */
static char *test_device(const char *name, unsigned minor)
{
	char *dir = tu_mkdtemp();
	char *path = tu_join(dir, name);
	free(dir);
	if (mknod(path, S_IFCHR | 0666, makedev(1, minor)) == 0)
		return path;
	char *slash = strrchr(path, '/');
	*slash = '\0';
	rmdir(path);
	free(path);
	return lms_strdupf("/dev/%s", name);
}

static void free_device(char *path)
{
	if (strncmp(path, "/dev/", 5) != 0) {
		unlink(path);
		*strrchr(path, '/') = '\0';
		tu_rmtree(path);
	}
	free(path);
}

static void test_file_read(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *path = tu_write_file(dir, "f.txt", "hello\nworld\n");
	buf b;
	lms_error err = {0};
	assert_true(file_read(path, 0, &b, &err));
	assert_int_equal(b.len, 12);
	assert_string_equal(buf_cstr(&b), "hello\nworld\n");
	buf_free(&b);
	/* the cap: exactly at it reads, one byte over fails naming the file */
	assert_true(file_read(path, 12, &b, &err));
	buf_free(&b);
	assert_false(file_read(path, 11, &b, &err));
	assert_int_equal(errno, EFBIG);
	assert_int_equal(b.len, 0);
	assert_string_equal(err.file, path);
	assert_error(&err, "larger than 11 bytes");
	buf_free(&b);
	/* missing: errno is open's, for callers to whom a missing file is fine */
	char *missing = tu_join(dir, "missing");
	assert_false(file_read(missing, 0, &b, &err));
	assert_int_equal(errno, ENOENT);
	assert_string_equal(err.file, missing);
	assert_error(&err, "cannot open");
	buf_free(&b);
	/* a directory opens but does not read */
	assert_false(file_read(dir, 0, &b, &err));
	assert_error(&err, "read error");
	buf_free(&b);
	/* an empty file is an empty string */
	char *empty = tu_write_file(dir, "empty", "");
	assert_true(file_read(empty, 0, &b, &err));
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_cstr(&b), "");
	buf_free(&b);
	/* a regular file of known size is read with one allocation (20000 bytes would
	 * take two chunk by chunk), also at its cap exactly; an empty one with none */
	char *big_text = malloc(20001);
	memset(big_text, 'z', 20000);
	big_text[20000] = '\0';
	char *big = tu_write_file(dir, "big", big_text);
	static const size_t caps[] = {0, 20000};
	for (size_t i = 0; i < 2; i++) {
		alloc_fail_after(1);
		bool ok = file_read(big, caps[i], &b, &err);
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		assert_true(ok);
		assert_false(fired);
		assert_int_equal(b.len, 20000);
		assert_memory_equal(b.data, big_text, 20001);
		buf_free(&b);
	}
	alloc_fail_after(0);
	bool ok = file_read(empty, 0, &b, &err);
	bool fired = alloc_fail_fired();
	alloc_fail_off();
	assert_true(ok);
	assert_false(fired);
	assert_string_equal(buf_cstr(&b), "");
	buf_free(&b);
	free(big);
	free(big_text);
	free(empty);
	free(missing);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

static void test_write_atomic_symlinks(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *sub = tu_join(dir, "real");
	assert_int_equal(mkdir(sub, 0755), 0);
	char *target = tu_write_file(sub, "target", "old");
	assert_int_equal(chmod(target, 0640), 0);
	char *link = tu_join(dir, "link");
	assert_int_equal(symlink("real/target", link), 0);
	lms_error err = {0};
	/* a link to a regular file is written through: the link stays a link,
	 * the target (in its own directory) gets the contents and keeps its mode */
	assert_true(write_file_atomic(link, "new", 3, false, &err));
	struct stat st;
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	char *s = tu_read_file(target, NULL);
	assert_string_equal(s, "new");
	free(s);
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(tu_count_entries(sub), 1);
	/* a dangling link is refused, naming the link; nothing is created */
	char *dangling = tu_join(dir, "dangling");
	assert_int_equal(symlink("nowhere/x", dangling), 0);
	assert_false(write_file_atomic(dangling, "x", 1, false, &err));
	assert_string_equal(err.file, dangling);
	assert_error(&err, "symbolic link to a file that does not exist");
	assert_int_equal(lstat(dangling, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	/* a link to a device is written through */
	char *devlink = tu_join(dir, "null");
	char *null_dev = test_device("null", 3);
	assert_int_equal(symlink(null_dev, devlink), 0);
	assert_true(write_file_atomic(devlink, "x", 1, false, &err));
	assert_int_equal(lstat(devlink, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(stat(null_dev, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	free_device(null_dev);
	/* exclusive refuses an existing link */
	assert_false(write_file_atomic(link, "x", 1, true, &err));
	assert_error(&err, "already exists");
	s = tu_read_file(target, NULL);
	assert_string_equal(s, "new");
	free(s);
	/* no temporary file is left behind */
	assert_int_equal(tu_count_entries(dir), 4);
	lms_error_clear(&err);
	free(dangling);
	free(devlink);
	free(link);
	free(target);
	free(sub);
	tu_rmtree(dir);
	free(dir);
}

static void test_write_unchanged(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *path = tu_write_file(dir, "f", "as read");
	lms_error err = {0};
	file_seen seen = {true, "as read", 7};
	/* unchanged: written */
	assert_true(write_file_unchanged(path, "mine", 4, &seen, &err));
	char *s = tu_read_file(path, NULL);
	assert_string_equal(s, "mine");
	free(s);
	/* changed by another program since it was read (same length too):
	 * refused, ESTALE, the other program's text kept, no temporary file */
	seen = (file_seen){true, "mine", 4};
	free(tu_write_file(dir, "f", "them"));
	errno = 0;
	assert_false(write_file_unchanged(path, "mine2", 5, &seen, &err));
	assert_int_equal(errno, ESTALE);
	assert_string_equal(err.file, path);
	assert_error(&err, "changed on disk since it was read");
	s = tu_read_file(path, NULL);
	assert_string_equal(s, "them");
	free(s);
	/* one byte, changed */
	free(tu_write_file(dir, "f", "b"));
	seen = (file_seen){true, "a", 1};
	assert_false(write_file_unchanged(path, "x", 1, &seen, &err));
	assert_int_equal(errno, ESTALE);
	seen = (file_seen){true, "mine", 4};
	free(tu_write_file(dir, "f", "them"));
	/* longer than what was read */
	free(tu_write_file(dir, "f", "mine and more"));
	assert_false(write_file_unchanged(path, "x", 1, &seen, &err));
	assert_int_equal(errno, ESTALE);
	assert_int_equal(tu_count_entries(dir), 1);
	/* deleted meanwhile: nothing to lose, written */
	assert_int_equal(unlink(path), 0);
	assert_true(write_file_unchanged(path, "back", 4, &seen, &err));
	/* there was no file, and now there is one: refused */
	char *fresh = tu_join(dir, "new");
	seen = (file_seen){false, NULL, 0};
	free(tu_write_file(dir, "new", "theirs"));
	assert_false(write_file_unchanged(fresh, "mine", 4, &seen, &err));
	assert_int_equal(errno, ESTALE);
	s = tu_read_file(fresh, NULL);
	assert_string_equal(s, "theirs");
	free(s);
	assert_int_equal(tu_count_entries(dir), 2);
	/* no check asked: written */
	assert_true(write_file_unchanged(fresh, "mine", 4, NULL, &err));
	/* read empty, grown since (past the one byte the check reads): refused; still
	 * empty: written */
	seen = (file_seen){true, "", 0};
	free(tu_write_file(dir, "new", "ab"));
	assert_false(write_file_unchanged(fresh, "x", 1, &seen, &err));
	assert_int_equal(errno, ESTALE);
	s = tu_read_file(fresh, NULL);
	assert_string_equal(s, "ab");
	free(s);
	free(tu_write_file(dir, "new", ""));
	assert_true(write_file_unchanged(fresh, "x", 1, &seen, &err));
	s = tu_read_file(fresh, NULL);
	assert_string_equal(s, "x");
	free(s);
	lms_error_clear(&err);
	free(fresh);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* The replacement keeps the replaced file's owner and group (root may set
 * them; another user cannot, and then the write is refused, not made). */
static void test_write_atomic_keeps_owner(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *path = tu_write_file(dir, "owned", "old");
	lms_error err = {0};
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_true(write_file_atomic(path, "new", 3, false, &err));
		struct stat st;
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_uid, 65534);
		assert_int_equal(st.st_gid, 65534);
		/* only the owner, then only the group, another than this process's */
		assert_int_equal(chown(path, 65534, getegid()), 0);
		assert_true(write_file_atomic(path, "new", 3, false, &err));
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_uid, 65534);
		assert_int_equal(st.st_gid, getegid());
		assert_int_equal(chown(path, geteuid(), 65534), 0);
		assert_true(write_file_atomic(path, "new", 3, false, &err));
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_uid, geteuid());
		assert_int_equal(st.st_gid, 65534);
	}
	assert_int_equal(tu_count_entries(dir), 1);
	lms_error_clear(&err);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

static void test_write_atomic_new_file_mode(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *path = tu_join(dir, "new");
	mode_t old = umask(022);
	lms_error err = {0};
	assert_true(write_file_atomic(path, "x", 1, false, &err));
	umask(old);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

static void test_write_atomic_fixed_mode(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *path = tu_join(dir, "private");
	lms_error err = {0};
	/* a new file is 0600 whatever the umask */
	mode_t old = umask(0);
	assert_true(write_file_atomic_mode(path, "one", 3, 0600, &err));
	umask(old);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* an existing file with a wider mode becomes 0600 too */
	assert_int_equal(chmod(path, 0644), 0);
	assert_true(write_file_atomic_mode(path, "two", 3, 0600, &err));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	char *s = tu_read_file(path, NULL);
	assert_string_equal(s, "two");
	free(s);
	/* no temporary file is left behind */
	assert_int_equal(tu_count_entries(dir), 1);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* Every permission bit is kept or set, the lowest (others' execute) and the
 * set-id bits included; the type bits of a mode given are dropped. */
static void test_write_modes_every_bit(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *path = tu_write_file(dir, "f", "old");
	lms_error err = {0};
	struct stat st;
	assert_int_equal(chmod(path, 0641), 0);
	assert_true(write_file_atomic(path, "new", 3, false, &err));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0641);
	if (geteuid() == 0) { /* a set-group-id bit stays only for a member of the group */
		assert_int_equal(chmod(path, 02701), 0);
		assert_true(write_file_atomic(path, "new", 3, false, &err));
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 02701);
	}
	/* exclusive: a new file is written, an existing one refused */
	char *fresh = tu_join(dir, "fresh");
	assert_true(write_file_atomic(fresh, "new", 3, true, &err));
	char *got = tu_read_file(fresh, NULL);
	assert_string_equal(got, "new");
	free(got);
	assert_false(write_file_atomic(fresh, "again", 5, true, &err));
	lms_error_clear(&err);
	assert_int_equal(unlink(fresh), 0);
	free(fresh);
	assert_true(write_file_atomic_mode(path, "none", 4, 0, &err)); /* mode 0 is a mode */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0);
	assert_true(write_file_atomic_mode(path, "two", 3, S_IFREG | 0751, &err));
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0751);
	char *s = tu_read_file(path, NULL);
	assert_string_equal(s, "two");
	free(s);
	assert_int_equal(tu_count_entries(dir), 1);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* With standard input closed the next descriptor is 0: a file opened on it
 * is a file like any other (the temporary file, the file read, a device
 * written in place). */
static void test_write_with_fd0_free(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *path = tu_join(dir, "f");
	lms_error err = {0};
	int saved = dup(0);
	assert_true(saved > 0);
	close(0);
	bool wrote = write_file_atomic(path, "zero", 4, false, &err);
	int fd0_free = fcntl(0, F_GETFD) < 0; /* the temporary file's descriptor closed */
	buf got;
	buf_init(&got, 0);
	bool read = file_read(path, 0, &got, &err);
	char *null_dev = test_device("null", 3);
	bool in_place = write_file_atomic(null_dev, "x", 1, false, &err); /* a device */
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	assert_true(wrote);
	assert_true(fd0_free);
	assert_true(read);
	assert_true(in_place);
	struct stat st;
	assert_int_equal(stat(null_dev, &st), 0);
	assert_true(S_ISCHR(st.st_mode)); /* still the device */
	free_device(null_dev);
	assert_string_equal(buf_cstr(&got), "zero");
	buf_free(&got);
	lms_error_clear(&err);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* A file error names the file and nothing more: "PATH: message", no line
 * or column (a file error has no position in the file). */
static void assert_file_error(lms_error *err, const char *path, const char *message)
{
	assert_non_null(err->file);
	assert_string_equal(err->file, path);
	assert_int_equal(err->line, 0);
	assert_int_equal(err->col, 0);
	char *want = lms_strdupf("%s: %s", path, message);
	char *got = lms_error_format(err);
	if (strncmp(got, want, strlen(want)) != 0)
		fail_msg("error \"%s\", wanted it to start \"%s\"", got, want);
	free(got);
	free(want);
	lms_error_clear(err);
}

/* Each way reading or writing a file fails, its message and its position. */
static void test_file_errors(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *path = tu_write_file(dir, "f", "12345");
	char *missing = tu_join(dir, "missing");
	char *nodir = tu_join(dir, "no/such");
	char *link = tu_join(dir, "link");
	char *dangling = tu_join(dir, "dangling");
	char *sock = tu_join(dir, "sock");
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(symlink(missing, dangling), 0);
	lms_error err = {0};
	buf b;
	assert_false(file_read(missing, 0, &b, &err));
	assert_file_error(&err, missing, "cannot open: ");
	assert_false(file_read(path, 4, &b, &err));
	assert_file_error(&err, path, "larger than 4 bytes: not a file lmsctl reads");
	assert_false(file_read(dir, 0, &b, &err));
	assert_file_error(&err, dir, "read error: ");

	assert_false(write_file_atomic(path, "x", 1, true, &err));
	assert_file_error(&err, path, "already exists (use --force to overwrite)");
	assert_false(write_file_atomic(link, "x", 1, true, &err));
	assert_file_error(&err, link, "already exists (use --force to overwrite)");
	char *null_dev = test_device("null", 3), *full_dev = test_device("full", 7);
	assert_false(write_file_atomic(null_dev, "x", 1, true, &err));
	assert_file_error(&err, null_dev, "already exists (use --force to overwrite)");
	assert_false(write_file_atomic(dangling, "x", 1, false, &err));
	assert_file_error(&err, dangling, "is a symbolic link to a file that does not exist");
	assert_false(write_file_atomic(dir, "x", 1, false, &err));
	assert_file_error(&err, dir, "is a directory");
	assert_false(write_file_atomic(nodir, "x", 1, false, &err));
	assert_file_error(&err, nodir, "cannot create a file in its directory: ");
	assert_false(write_file_atomic(full_dev, "x", 1, false, &err));
	assert_file_error(&err, full_dev, "write error: ");
	free_device(null_dev);
	free_device(full_dev);
	/* something that is neither a file nor a device: a socket opens for nothing */
	int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (sfd >= 0 && strlen(sock) < sizeof sa.sun_path) {
		snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
		assert_int_equal(bind(sfd, (struct sockaddr *)&sa, sizeof sa), 0);
		assert_false(write_file_atomic(sock, "x", 1, false, &err));
		assert_file_error(&err, sock, "cannot open: ");
	}
	if (sfd >= 0)
		close(sfd);
	file_seen seen = {true, "1234", 4};
	assert_false(write_file_unchanged(path, "x", 1, &seen, &err));
	assert_file_error(&err, path, "changed on disk since it was read: not overwritten");
	seen = (file_seen){false, NULL, 0};
	assert_false(write_file_unchanged(path, "x", 1, &seen, &err));
	assert_file_error(&err, path, "was created by another program since lmsctl looked");
	assert_int_equal(tu_count_entries(dir), 4); /* f, link, dangling, sock: nothing left over */
	free(sock);
	free(dangling);
	free(link);
	free(nodir);
	free(missing);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* ---- num ----------------------------------------------------------------- */

/* What is not a regular file (a FIFO here, 8193 bytes: a whole chunk and one
 * byte more) is read chunk by chunk to its end. */
static void test_file_read_fifo(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *fifo = tu_join(dir, "fifo");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	static const size_t sizes[] = {8193, 1};
	for (size_t i = 0; i < 2; i++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			static char data[8193];
			memset(data, 'f', sizeof data);
			int fd = open(fifo, O_WRONLY);
			_exit(fd >= 0 && write(fd, data, sizes[i]) == (ssize_t)sizes[i] ? 0 : 1);
		}
		buf b;
		lms_error err = {0};
		bool ok = file_read(fifo, 0, &b, &err);
		int status = 0;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(ok);
		assert_int_equal(b.len, sizes[i]);
		assert_int_equal(strspn(buf_cstr(&b), "f"), sizes[i]);
		buf_free(&b);
	}
	free(fifo);
	tu_rmtree(dir);
	free(dir);
}

/* Out of memory, each message names the file with no position; a file grown
 * past what was read is reported changed even when memory is short (the check
 * reads at most one byte more than it saw, into no new allocation). */
static void assert_changed_short_of_memory(const char *path, file_seen seen, bool read_allowed)
{
	bool changed = false;
	for (size_t k = 0; k < 64 && !changed; k++) {
		lms_error err = {0};
		alloc_fail_after(k);
		errno = 0;
		bool ok = write_file_unchanged(path, "x", 1, &seen, &err);
		int e = errno;
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		assert_false(ok);
		char *text = lms_error_format(&err);
		if (strstr(text, "changed on disk since it was read")) {
			assert_int_equal(e, ESTALE);
			changed = true;
		} else {
			/* out of memory before the check, or in its read (a file no longer than
			 * what was seen plus one byte is read whole), or for the message itself */
			assert_true(fired);
			char *want = lms_strdupf("%s: out of memory", path);
			char *want2 =
			    lms_strdupf("%s: cannot read it to check it did not change: %s", path,
			                strerror(ENOMEM));
			if (strcmp(text, want) != 0 &&
			    (!read_allowed || strcmp(text, want2) != 0) && err.msg)
				fail_msg("%zu: \"%s\"", k, text);
			assert_int_equal(err.line, 0); /* a file's error has no position */
			assert_int_equal(err.col, 0);
			free(want2);
			free(want);
		}
		free(text);
		lms_error_clear(&err);
	}
	assert_true(changed);
}

static void test_file_out_of_memory(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *path = tu_write_file(dir, "f", "hello");
	lms_error err = {0};
	buf b;
	alloc_fail_after(0);
	bool ok = file_read(path, 0, &b, &err);
	alloc_fail_off();
	assert_false(ok);
	assert_int_equal(errno, ENOMEM);
	assert_file_error(&err, path, "out of memory reading it");
	buf_free(&b);
	alloc_fail_after(0);
	ok = write_file_atomic(path, "x", 1, false, &err);
	alloc_fail_off();
	assert_false(ok);
	char *text = lms_error_format(&err);
	char *want = lms_strdupf("%s: out of memory", path);
	assert_string_equal(text, want);
	free(want);
	free(text);
	assert_int_equal(err.line, 0);
	assert_int_equal(err.col, 0);
	lms_error_clear(&err);
	/* read as "abc", now two bytes longer; read empty, now "ab" */
	free(tu_write_file(dir, "f", "abcde"));
	assert_changed_short_of_memory(path, (file_seen){true, "abc", 3}, false);
	free(tu_write_file(dir, "f", "ab"));
	assert_changed_short_of_memory(path, (file_seen){true, "", 0}, false);
	free(tu_write_file(dir, "f", "abd")); /* as long as what was seen: read whole */
	assert_changed_short_of_memory(path, (file_seen){true, "abc", 3}, true);
	free(tu_write_file(dir, "f", "ab"));
	char *s = tu_read_file(path, NULL);
	assert_string_equal(s, "ab");
	free(s);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

static void test_parse_long(void **state)
{
	(void)state;
	long v = 7;
	assert_true(lms_parse_long("42", 0, 100, &v));
	assert_int_equal(v, 42);
	assert_true(lms_parse_long("-5", -10, 10, &v));
	assert_int_equal(v, -5);
	assert_true(lms_parse_long("+5", -10, 10, &v));
	assert_int_equal(v, 5);
	assert_true(lms_parse_long("900", 900, 43200, &v));
	assert_true(lms_parse_long("43200", 900, 43200, &v));
	v = 7;
	static const char *const bad[] = {"", " 1", "1 ", "1x", "x", "0x10", "-", "1.0", "\t3"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_false(lms_parse_long(bad[i], LONG_MIN, LONG_MAX, &v));
		assert_int_equal(errno, EINVAL);
	}
	assert_false(lms_parse_long(NULL, LONG_MIN, LONG_MAX, &v));
	assert_false(lms_parse_long("899", 900, 43200, &v));
	assert_int_equal(errno, ERANGE);
	assert_false(lms_parse_long("43201", 900, 43200, &v));
	assert_int_equal(errno, ERANGE);
	assert_false(lms_parse_long("99999999999999999999999", LONG_MIN, LONG_MAX, &v));
	assert_int_equal(errno, ERANGE);
	assert_int_equal(v, 7); /* untouched on failure */
}

static void test_parse_ulong(void **state)
{
	(void)state;
	unsigned long v = 7;
	assert_true(lms_parse_ulong("0", 10, &v));
	assert_int_equal(v, 0);
	assert_true(lms_parse_ulong("10", 10, &v));
	assert_false(lms_parse_ulong("11", 10, &v));
	assert_int_equal(errno, ERANGE);
	/* strtoul would read "-1" as ULONG_MAX */
	assert_false(lms_parse_ulong("-1", ULONG_MAX, &v));
	assert_int_equal(errno, EINVAL);
	assert_false(lms_parse_ulong("+1", ULONG_MAX, &v));
	assert_false(lms_parse_ulong(" 1", ULONG_MAX, &v));
	assert_false(lms_parse_ulong("1 ", ULONG_MAX, &v));
	assert_false(lms_parse_ulong("", ULONG_MAX, &v));
	/* one past ULONG_MAX overflows strtoul itself */
	assert_false(lms_parse_ulong("18446744073709551616", ULONG_MAX, &v));
	assert_int_equal(errno, ERANGE);
	assert_false(lms_parse_ulong("1x", ULONG_MAX, &v));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(v, 10);
}

/* ---- UTF-8 --------------------------------------------------------------- */

/* lms_utf8_sequence over the bytes `s` (n of them, a NUL after them) */
static size_t utf8_len(const char *s, size_t n)
{
	return lms_utf8_sequence(s, n);
}

/* Every edge of RFC 3629's table: the first and last code point of each
 * length, the overlong forms just below them, the surrogates and the end
 * of Unicode, each on both sides. */
static void test_utf8_boundaries(void **state)
{
	(void)state;
	static const struct {
		const char *bytes;
		size_t len; /* the expected sequence length, 0 invalid */
	} cases[] = {
	    {"\x7F", 1},             /* U+007F, the last ASCII */
	    {"\x80", 0},             /* a continuation byte as a lead */
	    {"\xBF", 0},             /* the last continuation byte */
	    {"\xC0\x80", 0},         /* overlong NUL */
	    {"\xC1\xBF", 0},         /* overlong U+007F */
	    {"\xC2\x80", 2},         /* U+0080 */
	    {"\xDF\xBF", 2},         /* U+07FF */
	    {"\xE0\x9F\xBF", 0},     /* overlong U+07FF */
	    {"\xE0\xA0\x80", 3},     /* U+0800 */
	    {"\xE1\x80\x80", 3},     /* U+1000 */
	    {"\xED\x9F\xBF", 3},     /* U+D7FF */
	    {"\xED\xA0\x80", 0},     /* U+D800, the first surrogate */
	    {"\xED\xBF\xBF", 0},     /* U+DFFF, the last surrogate */
	    {"\xEE\x80\x80", 3},     /* U+E000 */
	    {"\xEF\xBF\xBF", 3},     /* U+FFFF */
	    {"\xF0\x8F\xBF\xBF", 0}, /* overlong U+FFFF */
	    {"\xF0\x90\x80\x80", 4}, /* U+10000 */
	    {"\xF1\x80\x80\x80", 4}, /* U+40000 */
	    {"\xF3\xBF\xBF\xBF", 4}, /* U+FFFFF */
	    {"\xF4\x8F\xBF\xBF", 4}, /* U+10FFFF, the last code point */
	    {"\xF4\x90\x80\x80", 0}, /* U+110000 */
	    {"\xF5\x80\x80\x80", 0}, /* a lead byte past the end of Unicode */
	    {"\xFF", 0},
	    {"\x81\x80\x80\x80", 0}, /* no lead byte, however many follow */
	    {"\xC1\x80\x80\x80", 0},
	    {"\xC2\x7F", 0},         /* a continuation below 0x80 */
	    {"\xC2\xC0", 0},         /* a continuation from 0xC0 */
	    {"\xC2\xBF", 2},         /* U+00BF: the last continuation byte */
	    {"\xE0\xA0\x7F", 0},     /* the third byte is checked too */
	    {"\xF0\x90\x80\xC0", 0}, /* and the fourth */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t n = strlen(cases[i].bytes);
		if (utf8_len(cases[i].bytes, n) != cases[i].len)
			fail_msg("case %zu: %zu, expected %zu", i, utf8_len(cases[i].bytes, n),
			         cases[i].len);
		/* one byte short is never a sequence */
		if (cases[i].len > 1)
			assert_int_equal(utf8_len(cases[i].bytes, n - 1), 0);
	}
	/* lms_utf8_invalid: the offset of the first bad byte, else the length */
	const char *text = "a\xC3\xA9\xF0\x9F\x98\x80z";
	assert_int_equal(lms_utf8_invalid(text, strlen(text)), strlen(text));
	assert_int_equal(lms_utf8_invalid(text, 2), 1); /* a sequence cut by the length */
	assert_int_equal(lms_utf8_invalid(text, 3), 3);
	assert_int_equal(lms_utf8_invalid("ab\xED\xA0\x80", 5), 2);
	assert_int_equal(lms_utf8_invalid("", 0), 0);
}

static void test_parse_double(void **state)
{
	(void)state;
	double v = 7;
	assert_true(lms_parse_double("0.5", &v));
	assert_true(v == 0.5);
	assert_true(lms_parse_double("-2e3", &v));
	assert_true(v == -2000);
	assert_true(lms_parse_double(".5", &v));
	assert_true(lms_parse_double("1e-400", &v)); /* underflow: a number near 0 */
	v = 7;
	static const char *const bad[] = {"", " 1", "1 ", "inf", "nan", "0x1p3", "1,5", "e", "."};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_false(lms_parse_double(bad[i], &v));
	assert_false(lms_parse_double("1e400", &v));
	assert_int_equal(errno, ERANGE);
	assert_false(lms_parse_double("-1e400", &v));
	assert_int_equal(errno, ERANGE);
	/* a number followed by more is no number */
	static const char *const trailing[] = {"1.2.3", "1e", "1-", "2e+"};
	for (size_t i = 0; i < sizeof trailing / sizeof *trailing; i++) {
		assert_false(lms_parse_double(trailing[i], &v));
		assert_int_equal(errno, EINVAL);
	}
	/* the largest finite double is a number, overflow near 1 is not a case */
	assert_true(lms_parse_double("1.7976931348623157e308", &v));
	assert_true(v == DBL_MAX);
	v = 7;
	assert_false(lms_parse_double("1.8e308", &v));
	assert_int_equal(errno, ERANGE);
	assert_true(v == 7);
}

/* ---- str ----------------------------------------------------------------- */

static void test_strdupf(void **state)
{
	(void)state;
	char *s = lms_strdupf("%s-%d", "net", 42);
	assert_string_equal(s, "net-42");
	free(s);
	s = lms_strdupf("%s", "");
	assert_string_equal(s, "");
	free(s);
}

static void test_ends_starts_with(void **state)
{
	(void)state;
	assert_true(lms_ends_with("CREATE_FAILED", "_FAILED"));
	assert_true(lms_ends_with("_FAILED", "_FAILED"));
	assert_true(lms_ends_with("x", ""));
	assert_false(lms_ends_with("FAILED", "_FAILED"));
	assert_false(lms_ends_with(NULL, "x"));
	assert_true(lms_starts_with("List<Number>", "List<"));
	assert_false(lms_starts_with("Li", "List<"));
	assert_false(lms_starts_with(NULL, "x"));
}

/* ---- arena --------------------------------------------------------------- */

static void test_arena(void **state)
{
	(void)state;
	lms_arena a;
	lms_arena_init(&a, 0);
	assert_int_equal(a.max, LMS_ARENA_DEFAULT_MAX);
	char *s = lms_arena_strdup(&a, "hello");
	assert_string_equal(s, "hello");
	char *t = lms_arena_strndup(&a, "worldwide", 5);
	assert_string_equal(t, "world");
	long double *ld = lms_arena_alloc(&a, sizeof *ld);
	assert_int_equal((uintptr_t)ld % _Alignof(max_align_t), 0);
	assert_true(*ld == 0);
	/* larger than a chunk */
	unsigned char *big = lms_arena_alloc(&a, 200000);
	assert_non_null(big);
	assert_int_equal(big[199999], 0);
	assert_string_equal(s, "hello"); /* earlier pieces stay put */
	lms_arena_free(&a);

	/* the cap: a failure is sticky until freed */
	lms_arena_init(&a, 1000);
	assert_non_null(lms_arena_alloc(&a, 500));
	assert_null(lms_arena_alloc(&a, 600));
	assert_true(a.failed);
	assert_null(lms_arena_alloc(&a, 1));
	assert_null(lms_arena_alloc(&a, SIZE_MAX));
	lms_arena_free(&a);
	assert_false(a.failed);
	assert_null(lms_arena_alloc(&a, SIZE_MAX - 4));
	lms_arena_free(&a);
}

/* The arena's edges: a piece that fills its chunk exactly, a chunk of
 * exactly LMS_ARENA_CHUNK and one more, the cap reached exactly. */
static void test_arena_edges(void **state)
{
	(void)state;
	const size_t align = _Alignof(max_align_t);
	lms_arena a;
	lms_arena_init(&a, 1024);
	assert_non_null(lms_arena_alloc(&a, 512));
	assert_int_equal(a.total, 512);            /* a chunk would pass the cap: the piece alone */
	assert_non_null(lms_arena_alloc(&a, 512)); /* reaches the cap exactly */
	assert_int_equal(a.total, 1024);
	assert_false(a.failed);
	assert_null(lms_arena_alloc(&a, 1));
	lms_arena_free(&a);
	lms_arena_init(&a, 1024);
	assert_non_null(lms_arena_alloc(&a, 1024)); /* the cap exactly */
	lms_arena_free(&a);
	lms_arena_init(&a, 1024);
	assert_null(lms_arena_alloc(&a, 1025));
	lms_arena_free(&a);
	lms_arena_init(&a, 1024);
	lms_arena_free(&a);
	lms_arena_init(&a, 1020);
	assert_null(lms_arena_alloc(&a, 1009)); /* rounds up to 1024, past the cap */
	lms_arena_free(&a);
	lms_arena_init(&a, 1020);
	assert_non_null(lms_arena_alloc(&a, 1008));
	lms_arena_free(&a);

	lms_arena_init(&a, 0);
	assert_non_null(lms_arena_alloc(&a, 1));
	assert_int_equal(a.total, LMS_ARENA_CHUNK);
	assert_non_null(lms_arena_alloc(&a, LMS_ARENA_CHUNK - align)); /* the rest of it */
	assert_int_equal(a.total, LMS_ARENA_CHUNK);
	assert_non_null(lms_arena_alloc(&a, 1));
	assert_int_equal(a.total, 2 * LMS_ARENA_CHUNK);
	assert_non_null(lms_arena_alloc(&a, LMS_ARENA_CHUNK)); /* a chunk of its own */
	assert_int_equal(a.total, 3 * LMS_ARENA_CHUNK);
	assert_non_null(lms_arena_alloc(&a, LMS_ARENA_CHUNK + 1));
	assert_int_equal(a.total, 4 * LMS_ARENA_CHUNK + align);
	/* pieces are aligned whatever the size before them */
	char *x = lms_arena_alloc(&a, 3), *y = lms_arena_alloc(&a, 1);
	assert_int_equal((uintptr_t)x % align, 0);
	assert_int_equal((uintptr_t)y - (uintptr_t)x, align);
	char *e = lms_arena_strndup(&a, "abc", 0);
	assert_string_equal(e, "");
	assert_null(lms_arena_strndup(&a, "abc", SIZE_MAX));
	assert_true(a.failed);
	lms_arena_free(&a);
	assert_int_equal(a.total, 0);
	assert_null(a.head);

	/* room for exactly one more chunk: a small piece still gets a whole chunk */
	lms_arena_init(&a, 2 * LMS_ARENA_CHUNK);
	assert_non_null(lms_arena_alloc(&a, 1));
	assert_non_null(lms_arena_alloc(&a, LMS_ARENA_CHUNK - align)); /* the first one full */
	assert_int_equal(a.total, LMS_ARENA_CHUNK);
	assert_non_null(lms_arena_alloc(&a, 1));
	assert_int_equal(a.total, 2 * LMS_ARENA_CHUNK);
	assert_non_null(lms_arena_alloc(&a, LMS_ARENA_CHUNK - align)); /* its rest */
	assert_int_equal(a.total, 2 * LMS_ARENA_CHUNK);
	assert_null(lms_arena_alloc(&a, 1));
	lms_arena_free(&a);

	/* a copy takes its length and its NUL, rounded up: align - 1 characters are one
	 * slot, align characters two, and the NUL is not overwritten by the next piece */
	lms_arena_init(&a, 4 * align);
	char text[64];
	memset(text, 'q', sizeof text);
	for (int i = 0; i < 4; i++) {
		char *c = lms_arena_strndup(&a, text, align - 1);
		assert_non_null(c);
		assert_int_equal(strlen(c), align - 1);
	}
	assert_int_equal(a.total, 4 * align);
	assert_null(lms_arena_strndup(&a, text, 0));
	lms_arena_free(&a);
	lms_arena_init(&a, 0);
	char *first = lms_arena_strndup(&a, text, align);
	char *second = lms_arena_strdup(&a, "next");
	assert_int_equal(strlen(first), align);
	assert_string_equal(second, "next");
	assert_int_equal(second - first, 2 * (ptrdiff_t)align); /* one chunk */
	lms_arena_free(&a);
}

/* ---- names --------------------------------------------------------------- */

/* Case folding covers A-Z exactly: '@' and '[' (either side of them) fold
 * to nothing. */
static void test_edit_distance_edges(void **state)
{
	(void)state;
	assert_int_equal(lms_edit_distance("A", "a", true), 0);
	assert_int_equal(lms_edit_distance("Z", "z", true), 0);
	assert_int_equal(lms_edit_distance("a", "A", true), 0);
	assert_int_equal(lms_edit_distance("z", "Z", true), 0);
	assert_int_equal(lms_edit_distance("@", "`", true), 1);
	assert_int_equal(lms_edit_distance("`", "@", true), 1);
	assert_int_equal(lms_edit_distance("[", "{", true), 1);
	assert_int_equal(lms_edit_distance("{", "[", true), 1);
	assert_int_equal(lms_edit_distance("A", "a", false), 1);
	/* insertions, deletions and substitutions each cost one */
	assert_int_equal(lms_edit_distance("abc", "", false), 3);
	assert_int_equal(lms_edit_distance("abc", "abcd", false), 1);
	assert_int_equal(lms_edit_distance("abcd", "abc", false), 1);
	assert_int_equal(lms_edit_distance("abc", "axc", false), 1);
	assert_int_equal(lms_edit_distance("ab", "ba", false), 2);
	assert_int_equal(lms_edit_distance("flaw", "lawn", false), 2);
	/* 64 characters are measured, 65 are not */
	char n64[66];
	memset(n64, 'x', 65);
	n64[65] = '\0';
	assert_true(lms_edit_distance(n64, "x", false) == SIZE_MAX);
	assert_true(lms_edit_distance("x", n64, false) == SIZE_MAX);
	assert_int_equal(lms_edit_distance(n64 + 1, "x", false), 63);
	assert_int_equal(lms_edit_distance("x", n64 + 1, false), 63);
}

/* ---- vec ----------------------------------------------------------------- */

static void test_vec(void **state)
{
	(void)state;
	long *v = NULL;
	size_t n = 0, cap = 0;
	for (long i = 0; i < 1000; i++) {
		assert_true(VEC_RESERVE(v, cap, n + 1));
		v[n++] = i;
	}
	assert_true(cap >= 1000 && cap < 2048);
	for (long i = 0; i < 1000; i++)
		assert_int_equal(v[i], i);
	/* overflow: refused, the array unchanged */
	size_t before = cap;
	assert_false(VEC_RESERVE(v, cap, SIZE_MAX / sizeof(long) + 1));
	assert_int_equal(cap, before);
	assert_int_equal(v[999], 999);
	free(v);

	char **names = NULL;
	assert_true(VEC_RESIZE(names, 3));
	names[2] = "c";
	assert_true(VEC_RESIZE(names, 0)); /* keeps the allocation */
	assert_false(VEC_RESIZE(names, SIZE_MAX / 2));
	assert_string_equal(names[2], "c");
	free(names);

	/* the first reservation is 8, then doubling */
	int *w = NULL;
	size_t wc = 0;
	assert_true(VEC_RESERVE(w, wc, 1));
	assert_int_equal(wc, 8);
	assert_true(VEC_RESERVE(w, wc, 8));
	assert_int_equal(wc, 8);
	assert_true(VEC_RESERVE(w, wc, 9));
	assert_int_equal(wc, 16);
	assert_true(VEC_RESERVE(w, wc, 40));
	assert_int_equal(wc, 64);
	assert_true(VEC_RESERVE(w, wc, 0));
	assert_int_equal(wc, 64);
	free(w);
	w = NULL;
	wc = 9;
	assert_true(VEC_RESERVE(w, wc, 10)); /* from a capacity past 8: doubled */
	assert_int_equal(wc, 18);
	free(w);
	w = NULL;
	wc = 7;
	assert_true(VEC_RESERVE(w, wc, 8)); /* from a capacity under 8: 8 */
	assert_int_equal(wc, 8);
	free(w);
	w = NULL;
	wc = 7;
	assert_true(VEC_RESERVE(w, wc, 9));
	assert_int_equal(wc, 16);
	free(w);
}

/* ---- the rule registry (model/rules.def) ---------------------------------- */

/* ---- proc ---------------------------------------------------------------- */

/* Runs `sh -c script` with the limits given (0: defaults). */
static void run_sh(const char *script, long timeout_ms, size_t max_out, proc_result *res,
                   char **described)
{
	char *const argv[] = {"/bin/sh", "-c", (char *)script, NULL};
	proc_spec spec = {.argv = argv,
	                  .timeout_ms = timeout_ms,
	                  .term_grace_ms = 200,
	                  .exit_grace_ms = 300,
	                  .max_out = max_out};
	assert_true(proc_run(&spec, res));
	buf d;
	buf_init(&d, 0);
	proc_describe(&spec, res, &d);
	*described = buf_take(&d);
}

/* A straggler that outlives SIGKILL (uninterruptible, on a hung mount) made exact: these
 * definitions of kill, clock_gettime and nanosleep take the place of libc's for the whole
 * program (liblmsctl.a too) and pass through unless hold_sigkill is set. Then the first
 * SIGKILL to a group is held back, and from it on CLOCK_MONOTONIC steps 1 ms per reading;
 * the next sleep sends the held signal and lets it take effect. */
long syscall(long number, ...);
static bool hold_sigkill, stepping;
static pid_t held_group;
static long long step_ms;

int kill(pid_t pid, int sig)
{
	if (hold_sigkill && held_group && sig == SIGKILL && pid == held_group)
		return 0; /* the leader's own SIGKILL: the held group signal will reach it */
	if (hold_sigkill && !held_group && pid < 0 && sig == SIGKILL) {
		held_group = -pid;
		stepping = true;
		struct timespec ts;
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
		step_ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		return 0;
	}
	return (int)syscall(SYS_kill, pid, sig);
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	if (stepping && id == CLOCK_MONOTONIC) {
		long long ms = step_ms++;
		ts->tv_sec = (time_t)(ms / 1000);
		ts->tv_nsec = (long)(ms % 1000) * 1000000L;
		return 0;
	}
	return (int)syscall(SYS_clock_gettime, id, ts);
}

static void send_held(void)
{
	if (!held_group || !stepping)
		return;
	stepping = false;
	syscall(SYS_kill, -held_group, SIGKILL);
	struct timespec ts = {0, 200 * 1000000L};
	while (syscall(SYS_nanosleep, &ts, &ts) != 0 && errno == EINTR)
		;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	send_held();
	return (int)syscall(SYS_nanosleep, req, rem);
}

/* After SIGKILL the group gets term_grace_ms, then what is left is reported stuck: with a
 * grace of 1 ms, the reading at the bound (SIGKILL + 1 ms) already ends the wait, and the
 * straggler, still there, is stuck; not one more sleep, in which it would have died. */
static void test_proc_stuck_at_bound(void **state)
{
	(void)state;
	char *const argv[] = {"/bin/sh", "-c", "trap '' TERM; sleep 30 >/dev/null 2>&1 & exit 0",
	                      NULL};
	proc_spec spec = {.argv = argv, .timeout_ms = 10000, .term_grace_ms = 1};
	proc_result r;
	hold_sigkill = true;
	held_group = 0;
	bool ran = proc_run(&spec, &r);
	hold_sigkill = false;
	pid_t group = held_group;
	send_held();
	held_group = 0;
	assert_true(ran);
	assert_int_equal(r.outcome, PROC_EXITED);
	assert_true(r.stragglers);
	assert_true(group > 0);
	assert_true(r.stuck);
	proc_result_free(&r);
}

/* The same for the program itself, past its deadline and ignoring SIGTERM: the
 * reading at SIGKILL + 1 ms ends the wait and it is left, stuck, not reaped
 * (reaped here once the held signal has gone); its outcome is still the
 * deadline's. */
static void test_proc_leader_stuck_at_bound(void **state)
{
	(void)state;
	char *const argv[] = {"/bin/sh", "-c", "trap '' TERM; exec sleep 30", NULL};
	proc_spec spec = {.argv = argv, .timeout_ms = 50, .term_grace_ms = 1};
	proc_result r;
	hold_sigkill = true;
	held_group = 0;
	bool ran = proc_run(&spec, &r);
	hold_sigkill = false;
	pid_t group = held_group;
	send_held();
	held_group = 0;
	assert_true(group > 0);
	int status = 0;
	assert_int_equal(waitpid(group, &status, 0), group);
	assert_true(ran);
	assert_true(r.stuck);
	assert_false(r.stragglers);
	/* it did not exit: it timed out (not "exited with status 0", a success) */
	assert_int_equal(r.outcome, PROC_TIMED_OUT);
	buf b;
	buf_init(&b, 0);
	proc_describe(&spec, &r, &b);
	assert_string_equal(buf_cstr(&b),
	                    "did not finish within 1 seconds; it and the processes it "
	                    "started were stopped (it did not die on SIGKILL and was "
	                    "left)");
	buf_free(&b);
	proc_result_free(&r);
}

static void on_tick(int sig)
{
	(void)sig;
}

/* Signals arriving while the program runs (a timer every 2 ms, no
 * SA_RESTART) interrupt poll and sleeps and leave errno at EINTR: a
 * successful read after that is still output, every byte of it kept. */
static void test_proc_interrupted(void **state)
{
	(void)state;
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_tick;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	struct itimerval tick = {{0, 2000}, {0, 2000}}, off = {{0, 0}, {0, 0}};
	assert_int_equal(setitimer(ITIMER_REAL, &tick, NULL), 0);
	char *const argv[] = {
	    "/bin/sh", "-c",
	    "for i in 1 2 3 4 5 6 7 8; do printf o; printf e >&2; sleep 0.03; done", NULL};
	proc_spec spec = {.argv = argv, .timeout_ms = 10000, .term_grace_ms = 200};
	proc_result r, d;
	bool ran = proc_run(&spec, &r);
	/* and the end of its output is still seen (signals arrived while it was
	 * open): closed, then 300 ms to exit */
	char *const argv2[] = {"/bin/sh", "-c", "printf o; sleep 0.05; exec >&- 2>&-; sleep 5",
	                       NULL};
	proc_spec spec2 = {
	    .argv = argv2, .timeout_ms = 10000, .exit_grace_ms = 300, .term_grace_ms = 200};
	bool ran2 = proc_run(&spec2, &d);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	assert_true(ran);
	assert_int_equal(r.outcome, PROC_EXITED);
	assert_string_equal(buf_cstr(&r.out), "oooooooo");
	assert_string_equal(buf_cstr(&r.err), "eeeeeeee");
	proc_result_free(&r);
	assert_true(ran2);
	assert_int_equal(d.outcome, PROC_DETACHED);
	assert_string_equal(buf_cstr(&d.out), "o");
	proc_result_free(&d);
}

/* The outcomes at their edges: an exit status, output exactly at the cap
 * and one byte past it, stderr cut at PROC_MAX_ERR, a deadline, a child
 * left running, and one that keeps writing after the program exits (read
 * for a moment, not for ever). */
static void test_proc_edges(void **state)
{
	(void)state;
	proc_result r;
	char *d;
	run_sh("printf abc; printf err >&2; exit 3", 0, 0, &r, &d);
	assert_int_equal(r.outcome, PROC_EXITED);
	assert_int_equal(r.code, 3);
	assert_string_equal(buf_cstr(&r.out), "abc");
	assert_string_equal(buf_cstr(&r.err), "err");
	assert_false(r.stragglers);
	assert_string_equal(d, "exited with status 3");
	free(d);
	proc_result_free(&r);
	/* 1024 bytes against a cap of 1024, then 1025 */
	run_sh("head -c 1024 /dev/zero | tr '\\0' x", 0, 1024, &r, &d);
	assert_int_equal(r.outcome, PROC_EXITED);
	assert_int_equal(r.out.len, 1024);
	free(d);
	proc_result_free(&r);
	run_sh("head -c 1025 /dev/zero | tr '\\0' x", 0, 1024, &r, &d);
	assert_int_equal(r.outcome, PROC_FLOODED);
	assert_int_equal(r.out.len, 1024);
	assert_string_equal(d,
	                    "wrote more than 1 KiB; it and the processes it started were stopped");
	free(d);
	proc_result_free(&r);
	/* stderr: the first PROC_MAX_ERR bytes kept */
	run_sh("head -c 20000 /dev/zero | tr '\\0' e >&2", 0, 0, &r, &d);
	assert_int_equal(r.outcome, PROC_EXITED);
	assert_int_equal(r.err.len, PROC_MAX_ERR);
	free(d);
	proc_result_free(&r);
	/* output after a silence longer than a poll's tick (20 ms): a poll that
	 * finds nothing ready is no reason to stop reading */
	run_sh("sleep 0.08; printf late; sleep 0.05; printf r >&2", 0, 0, &r, &d);
	assert_int_equal(r.outcome, PROC_EXITED);
	assert_string_equal(buf_cstr(&r.out), "late");
	assert_string_equal(buf_cstr(&r.err), "r");
	free(d);
	proc_result_free(&r);
	/* the deadline */
	run_sh("sleep 5", 300, 0, &r, &d);
	assert_int_equal(r.outcome, PROC_TIMED_OUT);
	assert_string_equal(d, "did not finish within 1 seconds; it and the processes it started "
	                       "were stopped");
	free(d);
	proc_result_free(&r);
	/* killed by a signal of its own */
	run_sh("kill -9 $$", 0, 0, &r, &d);
	assert_int_equal(r.outcome, PROC_SIGNALED);
	assert_int_equal(r.code, 9);
	assert_string_equal(d, "was killed by signal 9");
	free(d);
	proc_result_free(&r);
	/* a child left running, its output elsewhere */
	run_sh("sleep 5 >/dev/null 2>&1 & exit 0", 0, 0, &r, &d);
	assert_int_equal(r.outcome, PROC_EXITED);
	assert_true(r.stragglers);
	assert_false(r.stuck);
	assert_string_equal(d, "exited with status 0 (processes it left running were stopped)");
	free(d);
	proc_result_free(&r);
	/* a child that keeps writing after the program exits: what is there is read for a
	 * moment, then the child is stopped */
	run_sh("yes & exit 0", 10000, 1024 * 1024, &r, &d);
	assert_true(r.outcome == PROC_EXITED || r.outcome == PROC_FLOODED);
	assert_true(r.out.len <= 1024 * 1024);
	free(d);
	proc_result_free(&r);
	/* after the program exits only what is already there is read: a child that starts
	 * writing later is stopped before it does */
	run_sh("(sleep 0.1; yes) & exit 0", 10000, 0, &r, &d);
	assert_int_equal(r.outcome, PROC_EXITED);
	assert_true(r.stragglers);
	assert_int_equal(r.out.len, 0);
	free(d);
	proc_result_free(&r);
	/* what a program wrote just before it exited is all read, from one pipe */
	run_sh("head -c 60000 /dev/zero | tr '\\0' x", 10000, 0, &r, &d);
	assert_int_equal(r.outcome, PROC_EXITED);
	assert_int_equal(r.out.len, 60000);
	free(d);
	proc_result_free(&r);
	/* a program that is not there */
	char *const argv[] = {"/nonexistent/program", NULL};
	proc_spec spec = {.argv = argv};
	assert_false(proc_run(&spec, &r));
	assert_int_equal(r.outcome, PROC_START_FAILED);
	buf b;
	buf_init(&b, 0);
	proc_describe(&spec, &r, &b);
	assert_contains(buf_cstr(&b), "could not start: ");
	buf_free(&b);
	proc_result_free(&r);
}

/* With standard input closed a pipe's read end is descriptor 0: the program
 * still runs and is read whole, and descriptor 0 is closed again after it, at
 * the end of its output and on each early stop (a flood, here). */
static void test_proc_with_fd0_free(void **state)
{
	(void)state;
	char *const argv[] = {"/bin/sh", "-c", "printf out; printf err >&2; exit 4", NULL};
	char *const flood[] = {"/bin/sh", "-c", "head -c 5000 /dev/zero", NULL};
	proc_spec spec = {.argv = argv, .timeout_ms = 10000, .term_grace_ms = 200};
	proc_spec spec2 = {
	    .argv = flood, .timeout_ms = 10000, .term_grace_ms = 200, .max_out = 100};
	proc_result r, f;
	int saved = dup(0);
	assert_true(saved > 0);
	close(0);
	bool ran = proc_run(&spec, &r);
	int fd0_free = fcntl(0, F_GETFD) < 0;
	bool ran2 = proc_run(&spec2, &f);
	int fd0_free2 = fcntl(0, F_GETFD) < 0;
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	assert_true(ran);
	assert_true(fd0_free);
	assert_int_equal(r.outcome, PROC_EXITED);
	assert_int_equal(r.code, 4);
	assert_string_equal(buf_cstr(&r.out), "out");
	assert_string_equal(buf_cstr(&r.err), "err");
	proc_result_free(&r);
	assert_true(ran2);
	assert_true(fd0_free2);
	assert_int_equal(f.outcome, PROC_FLOODED);
	assert_int_equal(f.out.len, 100);
	proc_result_free(&f);
}

/* Out of descriptors (a low RLIMIT_NOFILE, every descriptor under it taken
 * but `free_fds`): no pipe, or the first and not the second, is a start that
 * failed with EMFILE; the pipe made is closed again and no descriptor that
 * was open before (standard input) is closed. */
static void run_without_descriptors(int free_fds)
{
	struct rlimit old, low;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	int fds[64], n = 0;
	int probe = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(probe > 2 && probe < 40);
	close(probe);
	low = old;
	low.rlim_cur = (rlim_t)probe + 8;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	int fd;
	while ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		fds[n++] = fd;
	for (int i = 0; i < free_fds; i++)
		close(fds[--n]);
	char *const argv[] = {"/bin/true", NULL};
	proc_spec spec = {.argv = argv, .timeout_ms = 10000};
	proc_result r;
	bool ran = proc_run(&spec, &r);
	bool stdin_open = fcntl(0, F_GETFD) >= 0;
	/* every descriptor the run took is free again */
	int again = 0;
	while (again < free_fds && (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		fds[n++] = fd, again++;
	while (n > 0)
		close(fds[--n]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_false(ran);
	assert_true(stdin_open);
	assert_int_equal(again, free_fds);
	assert_int_equal(r.outcome, PROC_START_FAILED);
	assert_int_equal(r.code, EMFILE);
	buf b;
	buf_init(&b, 0);
	proc_describe(&spec, &r, &b);
	char want[200];
	snprintf(want, sizeof want, "could not start: %s", strerror(EMFILE));
	assert_string_equal(buf_cstr(&b), want);
	buf_free(&b);
	proc_result_free(&r);
}

static void test_proc_without_descriptors(void **state)
{
	(void)state;
	run_without_descriptors(0);
	run_without_descriptors(1);
	run_without_descriptors(2); /* the output's pipe, not the error's */
	run_without_descriptors(3);
}

/* Standard input from a file, or /dev/null when none is named; standard
 * error into a new file of mode 0600 (nothing captured then), or captured;
 * a secret's output held in one allocation made before the program runs,
 * room for max_out bytes, and read whole up to max_out. */
static void test_proc_paths_and_secret(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *in = tu_write_file(dir, "in", "from the file");
	char *errpath = tu_join(dir, "err");
	char *const cat[] = {"/bin/sh", "-c", "cat; printf oops >&2", NULL};
	proc_spec spec = {.argv = cat,
	                  .stdin_path = in,
	                  .stderr_path = errpath,
	                  .timeout_ms = 10000,
	                  .term_grace_ms = 200};
	proc_result r;
	assert_true(proc_run(&spec, &r));
	assert_int_equal(r.outcome, PROC_EXITED);
	assert_string_equal(buf_cstr(&r.out), "from the file");
	assert_int_equal(r.err.len, 0);
	proc_result_free(&r);
	char *got = tu_read_file(errpath, NULL);
	assert_string_equal(got, "oops");
	free(got);
	struct stat st;
	assert_int_equal(stat(errpath, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* no input named: /dev/null, at its end at once; the error captured */
	spec.stdin_path = NULL;
	spec.stderr_path = NULL;
	assert_true(proc_run(&spec, &r));
	assert_int_equal(r.outcome, PROC_EXITED);
	assert_string_equal(buf_cstr(&r.out), "");
	assert_string_equal(buf_cstr(&r.err), "oops");
	proc_result_free(&r);
	/* a secret: room for all of it at once, 300 bytes against a cap of 300 */
	char *const secret[] = {"/bin/sh", "-c", "head -c 300 /dev/zero | tr '\\0' s", NULL};
	proc_spec sspec = {.argv = secret,
	                   .timeout_ms = 10000,
	                   .term_grace_ms = 200,
	                   .max_out = 300,
	                   .secret = true};
	assert_true(proc_run(&sspec, &r));
	assert_int_equal(r.outcome, PROC_EXITED);
	assert_int_equal(r.out.len, 300);
	assert_true(r.out.cap >= 301);
	assert_int_equal(strspn(buf_cstr(&r.out), "s"), 300);
	proc_result_free(&r);
	assert_null(r.out.data);
	/* out of memory for that room: not started */
	alloc_fail_after(0);
	bool ran = proc_run(&sspec, &r);
	alloc_fail_off();
	assert_false(ran);
	assert_int_equal(r.outcome, PROC_START_FAILED);
	assert_int_equal(r.code, ENOMEM);
	proc_result_free(&r);
	free(errpath);
	free(in);
	tu_rmtree(dir);
	free(dir);
}

/* A program that ignores SIGTERM past its deadline gets SIGKILL after the
 * grace and is not stuck; stragglers that ignore it too are killed the same
 * way after the program exited. */
static void test_proc_ignores_term(void **state)
{
	(void)state;
	char *const argv[] = {"/bin/sh", "-c", "trap '' TERM; exec sleep 5", NULL};
	proc_spec spec = {.argv = argv, .timeout_ms = 100, .term_grace_ms = 50};
	proc_result r;
	assert_true(proc_run(&spec, &r));
	assert_int_equal(r.outcome, PROC_TIMED_OUT);
	assert_false(r.stuck);
	proc_result_free(&r);
	char *const left[] = {"/bin/sh", "-c", "trap '' TERM; sleep 5 >/dev/null 2>&1 & exit 0",
	                      NULL};
	spec.argv = left;
	spec.timeout_ms = 10000;
	assert_true(proc_run(&spec, &r));
	assert_int_equal(r.outcome, PROC_EXITED);
	assert_true(r.stragglers);
	assert_false(r.stuck);
	proc_result_free(&r);
}

/* A member of the group that has exited but that nobody reaped (a container's
 * init may never do it) is no straggler: it is a zombie, which no signal
 * stops. Made exact with this process as the subreaper: a subshell starts a
 * child and becomes `sleep` (which never reaps it), so the child is a zombie
 * when the program exits and comes to this process, which reaps it after. */
static void test_proc_zombie_is_no_straggler(void **state)
{
	(void)state;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		skip();
	char *const argv[] = {"/bin/sh", "-c", "(/bin/true & exec sleep 0.15)", NULL};
	proc_spec spec = {.argv = argv, .timeout_ms = 10000, .term_grace_ms = 100};
	proc_result r;
	bool ran = proc_run(&spec, &r);
	int reaped = 0;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		reaped++;
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	assert_true(ran);
	assert_int_equal(r.outcome, PROC_EXITED);
	assert_int_equal(r.code, 0);
	assert_false(r.stragglers);
	assert_false(r.stuck);
	assert_int_equal(reaped, 1);
	proc_result_free(&r);
}

/* With SIGCHLD ignored the system reaps the program itself: waiting for it
 * finds no child, which ends the waits (it exited) instead of looping; its
 * output is still read whole. */
static void test_proc_sigchld_ignored(void **state)
{
	(void)state;
	struct sigaction ign, old;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	assert_int_equal(sigaction(SIGCHLD, &ign, &old), 0);
	char *const argv[] = {"/bin/sh", "-c", "printf done", NULL};
	proc_spec spec = {.argv = argv, .timeout_ms = 10000, .term_grace_ms = 200};
	proc_result r;
	bool ran = proc_run(&spec, &r);
	sigaction(SIGCHLD, &old, NULL);
	assert_true(ran);
	assert_int_equal(r.outcome, PROC_EXITED);
	assert_string_equal(buf_cstr(&r.out), "done");
	assert_false(r.stuck);
	proc_result_free(&r);
}

/* proc_describe on its own (no program run): each outcome's text, the limits
 * in whole seconds rounded up (999, 1000 and 1001 ms) and KiB rounded down, the
 * defaults for 0 and for a negative limit, and the notes on stragglers (only
 * where the text does not already say they were stopped) and on a stuck one. */
static void assert_described(proc_outcome outcome, int code, long timeout, long grace,
                             size_t max_out, bool stragglers, bool stuck, const char *want)
{
	char *const argv[] = {"/bin/true", NULL};
	proc_spec spec = {
	    .argv = argv, .timeout_ms = timeout, .exit_grace_ms = grace, .max_out = max_out};
	proc_result r;
	memset(&r, 0, sizeof r);
	r.outcome = outcome;
	r.code = code;
	r.stragglers = stragglers;
	r.stuck = stuck;
	buf b;
	buf_init(&b, 0);
	buf_adds(&b, "it ");
	proc_describe(&spec, &r, &b);
	assert_string_equal(buf_cstr(&b), want);
	buf_free(&b);
}

static void test_proc_describe(void **state)
{
	(void)state;
	const char *stop = "; it and the processes it started were stopped";
	char want[200];
	assert_described(PROC_EXITED, 0, 0, 0, 0, false, false, "it exited with status 0");
	assert_described(PROC_EXITED, 1, 0, 0, 0, true, false,
	                 "it exited with status 1 (processes it left running were stopped)");
	assert_described(PROC_SIGNALED, 15, 0, 0, 0, true, false,
	                 "it was killed by signal 15 (processes it left running were stopped)");
	assert_described(PROC_EXITED, 2, 0, 0, 0, false, true,
	                 "it exited with status 2 (it did not die on SIGKILL and was left)");
	assert_described(PROC_EXITED, 2, 0, 0, 0, true, true,
	                 "it exited with status 2 (processes it left running were stopped) (it did "
	                 "not die on SIGKILL and was left)");
	/* the deadline in whole seconds, rounded up */
	static const struct {
		long ms;
		long s;
	} round[] = {{1, 1},    {999, 1},  {1000, 1}, {1001, 2}, {1999, 2},
	             {2000, 2}, {2001, 3}, {0, 60},   {-1, 60},  {-5000, 60}};
	for (size_t i = 0; i < sizeof round / sizeof *round; i++) {
		snprintf(want, sizeof want, "it did not finish within %ld seconds%s", round[i].s,
		         stop);
		assert_described(PROC_TIMED_OUT, 0, round[i].ms, 7000, 0, true, false, want);
		/* the exit grace the same way; its default is 3 s */
		snprintf(want, sizeof want,
		         "it closed its output but did not exit within %ld seconds%s",
		         round[i].ms > 0 ? round[i].s : 3, stop);
		assert_described(PROC_DETACHED, 0, 7000, round[i].ms, 0, true, false, want);
	}
	/* the cap in KiB, rounded down; the default 16 MiB */
	static const struct {
		size_t bytes;
		size_t kib;
	} cap[] = {{1023, 0}, {1024, 1}, {2047, 1}, {2048, 2}, {0, 16384}};
	for (size_t i = 0; i < sizeof cap / sizeof *cap; i++) {
		snprintf(want, sizeof want, "it wrote more than %zu KiB%s", cap[i].kib, stop);
		assert_described(PROC_FLOODED, 0, 0, 0, cap[i].bytes, true, false, want);
	}
	snprintf(want, sizeof want,
	         "it did not finish within 60 seconds%s (it did not die on "
	         "SIGKILL and was left)",
	         stop);
	assert_described(PROC_TIMED_OUT, 0, 0, 0, 0, true, true, want);
	snprintf(want, sizeof want, "it could not start: %s", strerror(ENOENT));
	assert_described(PROC_START_FAILED, ENOENT, 0, 0, 0, false, false, want);
}

/* ---- diff ---------------------------------------------------------------- */

/* The diff of a and b (C strings) as unified text: "@@ -o,n +o,n @@" per
 * hunk, then ' ', '-' or '+' and the line; "!" first when truncated. */
static char *unified(const char *a, const char *b, size_t context)
{
	diff_result d;
	assert_true(diff_texts(a, strlen(a), b, strlen(b), context, &d));
	buf o;
	buf_init(&o, 0);
	if (d.truncated)
		buf_adds(&o, "!");
	/* each line's numbers follow on from its hunk's start lines, one by one */
	size_t old_no = 0, new_no = 0;
	for (size_t i = 0; i < d.n; i++) {
		const diff_line *l = &d.v[i];
		if (l->kind != DIFF_HUNK && !d.truncated) {
			if (l->kind != DIFF_ADD)
				assert_int_equal(l->old_no, old_no++);
			if (l->kind != DIFF_DEL)
				assert_int_equal(l->new_no, new_no++);
			/* the counts are a hunk's only */
			assert_int_equal(l->old_n, 0);
			assert_int_equal(l->new_n, 0);
		}
		if (l->kind == DIFF_HUNK) {
			assert_null(l->text); /* a hunk header has no text of its own */
			assert_int_equal(l->len, 0);
			old_no = l->old_no;
			new_no = l->new_no;
			buf_addf(&o, "@@ -%zu,%zu +%zu,%zu @@\n", l->old_no, l->old_n, l->new_no,
			         l->new_n);
			continue;
		}
		buf_addf(&o, "%c%.*s\n",
		         l->kind == DIFF_SAME  ? ' '
		         : l->kind == DIFF_DEL ? '-'
		                               : '+',
		         (int)l->len, l->text);
		if (l->kind != DIFF_ADD)
			assert_true(l->old_no > 0);
		if (l->kind != DIFF_DEL)
			assert_true(l->new_no > 0);
	}
	buf_addf(&o, "=%zu+%zu-", d.added, d.deleted);
	diff_result_free(&d);
	return buf_take(&o);
}

static void assert_unified(const char *a, const char *b, size_t context, const char *want)
{
	char *got = unified(a, b, context);
	if (strcmp(got, want) != 0)
		fail_msg("diff of [%s] and [%s] with %zu:\n%s\nwanted:\n%s", a, b, context, got,
		         want);
	free(got);
}

/* Exact hunks: a last line without its newline, the context clamped at both
 * ends of the text, two changes 2*context apart (one hunk) and one more
 * (two), insertions and deletions with their line numbers. */
static void test_diff_exact(void **state)
{
	(void)state;
	assert_unified("a\nb", "a\nc", 3, "@@ -1,2 +1,2 @@\n a\n-b\n+c\n=1+1-");
	assert_unified("a\nb", "a\nb\n", 3, "=0+0-"); /* the same lines */
	/* an empty first line */
	assert_unified("\na", "\nb", 3, "@@ -1,2 +1,2 @@\n \n-a\n+b\n=1+1-");
	assert_unified("a", "", 3, "@@ -1,1 +1,0 @@\n-a\n=0+1-");
	assert_unified("", "a", 0, "@@ -1,0 +1,1 @@\n+a\n=1+0-");
	assert_unified("1\n2\n3\n4\n5\n6\n", "1\n2\n3\n4\n5\n6\n", 1, "=0+0-");
	/* context 1 clamped at the start and the end */
	assert_unified("1\n2\n3\n", "x\n2\n3\n", 1, "@@ -1,2 +1,2 @@\n-1\n+x\n 2\n=1+1-");
	assert_unified("1\n2\n3\n", "1\n2\nx\n", 1, "@@ -2,2 +2,2 @@\n 2\n-3\n+x\n=1+1-");
	/* context 2: exactly two lines before and after */
	assert_unified("1\n2\n3\n4\n5\n6\n7\n", "1\n2\n3\nx\n5\n6\n7\n", 2,
	               "@@ -2,5 +2,5 @@\n 2\n 3\n-4\n+x\n 5\n 6\n=1+1-");
	/* changes at 2 and 5 with context 1: two lines between, one hunk */
	assert_unified("1\n2\n3\n4\n5\n6\n", "1\nB\n3\n4\nE\n6\n", 1,
	               "@@ -1,6 +1,6 @@\n 1\n-2\n+B\n 3\n 4\n-5\n+E\n 6\n=2+2-");
	/* at 2 and 6: three lines between, two hunks */
	assert_unified("1\n2\n3\n4\n5\n6\n7\n", "1\nB\n3\n4\n5\nF\n7\n", 1,
	               "@@ -1,3 +1,3 @@\n 1\n-2\n+B\n 3\n@@ -5,3 +5,3 @@\n 5\n-6\n+F\n 7\n=2+2-");
	/* context 0: only the changed lines */
	assert_unified("1\n2\n3\n", "1\nx\n3\n", 0, "@@ -2,1 +2,1 @@\n-2\n+x\n=1+1-");
	assert_unified("1\n2\n3\n", "1\n2\n3\n4\n", 0, "@@ -4,0 +4,1 @@\n+4\n=1+0-");
	/* an insertion and a deletion keep the line numbers of both sides */
	assert_unified("a\nb\nc\n", "a\nb\nX\nc\n", 1, "@@ -2,2 +2,3 @@\n b\n+X\n c\n=1+0-");
	assert_unified("a\nb\nc\nd\n", "a\nc\nd\n", 1, "@@ -1,3 +1,2 @@\n a\n-b\n c\n=0+1-");
	/* lines equal in length and hash prefix are still compared whole */
	assert_unified("ab\nab\n", "ab\nac\n", 0, "@@ -2,1 +2,1 @@\n-ab\n+ac\n=1+1-");
}

/* Past 2000 differing lines the edit script is not searched: 1000 lines
 * replaced by 1000 others is 2000 edits and aligned, 1000 by 1001 is 2001
 * and shown as replaced whole (truncated). */
static void test_diff_too_different(void **state)
{
	(void)state;
	buf a, b;
	buf_init(&a, 0);
	buf_init(&b, 0);
	for (int i = 0; i < 1000; i++) {
		buf_addf(&a, "a%d\n", i);
		buf_addf(&b, "b%d\n", i);
	}
	diff_result d;
	size_t live = alloc_live();
	assert_true(diff_texts(a.data, a.len, b.data, b.len, 0, &d));
	assert_false(d.truncated);
	assert_int_equal(d.added, 1000);
	assert_int_equal(d.deleted, 1000);
	diff_result_free(&d);
	buf_adds(&b, "b1000\n");
	assert_true(diff_texts(a.data, a.len, b.data, b.len, 0, &d));
	assert_true(d.truncated);
	assert_int_equal(d.added, 1001);
	assert_int_equal(d.deleted, 1000);
	assert_int_equal(d.n, 1 + 2001);
	assert_int_equal(d.v[0].old_n, 1000);
	assert_int_equal(d.v[0].new_n, 1001);
	diff_result_free(&d);
	assert_int_equal(alloc_live(), live); /* every round's trace freed, the last too */
	buf_free(&a);
	buf_free(&b);
}

/* Random small texts over three lines ("a", "b" and the empty line), each
 * with and without its last newline, at context 0 to 3, against what any
 * unified diff must be: a shortest edit script (added + deleted = n + m -
 * 2 * LCS), hunks that reproduce both texts line by line with the numbers
 * and counts of their headers, exactly `context` lines around each change
 * unless a text ends there, at most 2 * context unchanged lines inside a
 * hunk, and only equal lines between hunks. */
static uint64_t diff_rng = 88172645463325252ull;

static unsigned diff_rand(unsigned n)
{
	diff_rng ^= diff_rng << 13;
	diff_rng ^= diff_rng >> 7;
	diff_rng ^= diff_rng << 17;
	return (unsigned)(diff_rng % n);
}

static size_t diff_make(char *text, const char **line, size_t *n)
{
	static const char *alphabet[] = {"a", "b", ""};
	*n = diff_rand(8);
	size_t len = 0;
	for (size_t i = 0; i < *n; i++) {
		line[i] = alphabet[diff_rand(3)];
		len += (size_t)snprintf(text + len, 32 - len, "%s\n", line[i]);
	}
	/* the last line without its newline (an empty last line has none to drop) */
	if (*n && *line[*n - 1] && diff_rand(2))
		text[--len] = '\0';
	return len;
}

static void diff_check(const char **al, size_t n, const char **bl, size_t m, size_t c,
                       const diff_result *d)
{
	size_t lcs[9][9] = {{0}};
	for (size_t i = n; i-- > 0;)
		for (size_t j = m; j-- > 0;)
			lcs[i][j] = strcmp(al[i], bl[j]) == 0       ? lcs[i + 1][j + 1] + 1
			            : lcs[i + 1][j] > lcs[i][j + 1] ? lcs[i + 1][j]
			                                            : lcs[i][j + 1];
	assert_false(d->truncated);
	assert_int_equal(d->added + d->deleted, n + m - 2 * lcs[0][0]);
	assert_int_equal(d->added + n, d->deleted + m);
	size_t pa = 0, pb = 0, adds = 0, dels = 0;
	for (size_t h = 0; h < d->n;) {
		const diff_line *hd = &d->v[h++];
		assert_int_equal(hd->kind, DIFF_HUNK);
		size_t ia = hd->old_no - 1, ib = hd->new_no - 1;
		/* between hunks only equal lines, at least one of them */
		assert_true(ia >= pa + (pa > 0));
		assert_int_equal(ia - pa, ib - pb);
		for (; pa < ia; pa++, pb++)
			assert_string_equal(al[pa], bl[pb]);
		size_t lead = 0, run = 0, changes = 0;
		for (; h < d->n && d->v[h].kind != DIFF_HUNK; h++) {
			const diff_line *l = &d->v[h];
			char text[4];
			assert_true(l->len < sizeof text);
			memcpy(text, l->text, l->len);
			text[l->len] = '\0';
			if (l->kind == DIFF_SAME) {
				assert_in_range(ia, 0, n - 1);
				assert_in_range(ib, 0, m - 1);
				assert_int_equal(l->old_no, ia + 1);
				assert_int_equal(l->new_no, ib + 1);
				assert_string_equal(text, al[ia++]);
				assert_string_equal(bl[ib++], al[ia - 1]);
				run++;
				if (!changes)
					lead++;
				continue;
			}
			if (changes)
				assert_true(run <= 2 * c);
			run = 0;
			changes++;
			if (l->kind == DIFF_DEL) {
				assert_in_range(ia, 0, n - 1);
				assert_int_equal(l->old_no, ia + 1);
				assert_string_equal(text, al[ia++]);
				dels++;
			} else {
				assert_int_equal(l->kind, DIFF_ADD);
				assert_in_range(ib, 0, m - 1);
				assert_int_equal(l->old_no,
				                 0); /* an added line has no old number */
				assert_int_equal(l->new_no, ib + 1);
				assert_string_equal(text, bl[ib++]);
				adds++;
			}
		}
		assert_true(changes > 0);
		assert_int_equal(hd->old_n, ia - (hd->old_no - 1));
		assert_int_equal(hd->new_n, ib - (hd->new_no - 1));
		/* the context: exactly c lines unless a text begins or ends there */
		assert_true(lead == c || (lead < c && hd->old_no == 1 && hd->new_no == 1));
		assert_true(run == c || (run < c && ia == n && ib == m));
		pa = ia;
		pb = ib;
	}
	assert_int_equal(n - pa, m - pb);
	for (; pa < n; pa++, pb++)
		assert_string_equal(al[pa], bl[pb]);
	assert_int_equal(adds, d->added);
	assert_int_equal(dels, d->deleted);
}

static void test_diff_random(void **state)
{
	(void)state;
	for (int round = 0; round < 3000; round++) {
		char at[32], bt[32];
		const char *al[8], *bl[8];
		size_t n, m;
		size_t alen = diff_make(at, al, &n), blen = diff_make(bt, bl, &m);
		size_t c = diff_rand(4);
		diff_result d;
		size_t live = alloc_live();
		assert_true(diff_texts(at, alen, bt, blen, c, &d));
		diff_check(al, n, bl, m, c, &d);
		diff_result_free(&d);
		assert_null(d.v);
		assert_int_equal(d.n + d.added + d.deleted + d.truncated, 0);
		assert_int_equal(alloc_live(), live);
		if (round % 100 == 0) {
			/* out of memory at each allocation in turn: false, the result empty */
			for (size_t k = 0;; k++) {
				memset(&d, 0x5A, sizeof d);
				alloc_fail_after(k);
				bool ok = diff_texts(at, alen, bt, blen, c, &d);
				bool fired = alloc_fail_fired();
				alloc_fail_off();
				if (ok) {
					assert_false(fired);
					diff_result_free(&d);
					break;
				}
				assert_null(d.v);
				assert_int_equal(d.n + d.added + d.deleted + d.truncated, 0);
				assert_int_equal(alloc_live(), live);
			}
		}
	}
	/* two empty texts: nothing to align */
	diff_result d;
	assert_true(diff_texts("", 0, "", 0, 3, &d));
	assert_int_equal(d.n, 0);
	assert_false(d.truncated);
	assert_int_equal(d.added + d.deleted, 0);
	diff_result_free(&d);
}

/* An error's text: the file, then its line and column only when known (a
 * column without a line is not shown), then the message; a cleared error is
 * empty again, and setting or clearing no error does nothing. */
static void assert_error_text(const char *file, size_t line, size_t col, const char *want)
{
	lms_error err = {0};
	lms_error_set(&err, file, line, col, "bad %s", "thing");
	char *got = lms_error_format(&err);
	assert_string_equal(got, want);
	free(got);
	lms_error_clear(&err);
	assert_null(err.file);
	assert_null(err.msg);
	assert_int_equal(err.line, 0);
	assert_int_equal(err.col, 0);
	got = lms_error_format(&err);
	assert_string_equal(got, "unknown error");
	free(got);
}

static void test_error_text(void **state)
{
	(void)state;
	assert_error_text("f.yml", 3, 4, "f.yml:3:4: bad thing");
	assert_error_text("f.yml", 1, 1, "f.yml:1:1: bad thing");
	assert_error_text("f.yml", 3, 0, "f.yml:3: bad thing");
	assert_error_text("f.yml", 0, 4, "f.yml: bad thing");
	assert_error_text(NULL, 3, 4, "bad thing");
	lms_error_set(NULL, "f", 1, 1, "x");
	lms_error_clear(NULL);
	/* a second error replaces the first whole */
	lms_error err = {0};
	lms_error_set(&err, "a", 5, 6, "first");
	lms_error_set(&err, NULL, 0, 0, "second");
	char *got = lms_error_format(&err);
	assert_string_equal(got, "second");
	free(got);
	assert_int_equal(err.line, 0);
	lms_error_clear(&err);
}

/* A library that loads leaves the caller's error untouched; cleansing wipes
 * exactly the bytes named, and nothing for no pointer or no length. */
static void test_crypto_load_and_cleanse(void **state)
{
	(void)state;
	lms_error err = {0};
	assert_true(lms_crypto_load(&err));
	assert_null(err.msg);
	assert_null(err.file);
	assert_true(lms_crypto_load(NULL));
	unsigned char b[4] = {1, 2, 3, 4};
	OPENSSL_cleanse(b, 3);
	assert_int_equal(b[0] + b[1] + b[2], 0);
	assert_int_equal(b[3], 4);
	b[0] = 9;
	OPENSSL_cleanse(b, 0);
	assert_int_equal(b[0], 9);
	OPENSSL_cleanse(NULL, 8);
	OPENSSL_cleanse(NULL, 0);
}

static void test_rules_registry(void **state)
{
	(void)state;
	size_t n;
	const rule_info *r = rules_registry(&n);
	assert_true(n >= 60);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(strlen(r[i].id), 6);
		if (i)
			assert_true(strcmp(r[i - 1].id, r[i].id) < 0);
		assert_true(
		    strcmp(r[i].severity, "error") == 0 || strcmp(r[i].severity, "warning") == 0 ||
		    strcmp(r[i].severity, "info") == 0 || strcmp(r[i].severity, "varies") == 0);
		assert_true(r[i].family[0] && r[i].summary[0]);
		assert_ptr_equal(rules_lookup(r[i].id), &r[i]);
	}
	/* the id the old listing missed (DAT001-DAT006 while data.c emitted DAT008) */
	assert_string_equal(rules_lookup("DAT008")->family, "data");
	assert_null(rules_lookup("DAT999"));
	assert_null(rules_lookup(""));
	assert_null(rules_lookup(NULL));
}

/* Run in a fresh process (re-executed with LMSCTL_NO_CRYPTO_CHILD set) whose LMSCTL_LIBCRYPTO
 * names no library: each wrapper reports failure (0 or NULL) and writes nothing. A bit per
 * wrong answer; 0 when all are right. */
static int no_crypto_child(void)
{
	int bad = 0;
	lms_error err = {0};
	if (lms_crypto_load(&err))
		bad |= 1;
	if (!err.msg || !strstr(err.msg, "/nonexistent/libcrypto.so.3") ||
	    !strstr(err.msg, "libssl3"))
		bad |= 2;
	lms_error_clear(&err);
	unsigned char out[16];
	memset(out, 0xA5, sizeof out);
	if (lms_EVP_EncodeBlock(out, (const unsigned char *)"abc", 3) != 0 || out[0] != 0xA5)
		bad |= 4;
	if (lms_EVP_sha256() || lms_EVP_md5() || lms_EVP_sha1())
		bad |= 8;
	if (lms_RAND_bytes(out, 4) != 0 || out[0] != 0xA5)
		bad |= 16;
	/* an opaque non-NULL digest: never looked at without the library */
	const EVP_MD *fake = (const EVP_MD *)(const void *)out;
	unsigned int n = 0;
	if (lms_EVP_Digest("abc", 3, out, &n, fake, NULL) != 0 || n != 0 || out[0] != 0xA5)
		bad |= 32;
	if (lms_HMAC(fake, "k", 1, (const unsigned char *)"abc", 3, out, &n) || out[0] != 0xA5)
		bad |= 64;
	return bad;
}

/* libcrypto loaded: EVP_EncodeBlock's base64 and its length (4 for 3 bytes); not loadable
 * (LMSCTL_LIBCRYPTO names no file): 0, nothing written, and every other wrapper 0 or NULL. */
static void test_lazy_crypto_unloadable(void **state)
{
	(void)state;
	unsigned char out[16] = {0};
	assert_int_equal(lms_EVP_EncodeBlock(out, (const unsigned char *)"abc", 3), 4);
	assert_string_equal((const char *)out, "YWJj");
	/* the program's path, read rather than exec'd as /proc/self/exe: under valgrind that
	 * link names valgrind's tool, and readlink is the call valgrind answers for the
	 * program */
	char self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
	assert_true(len > 0);
	self[len] = '\0';
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setenv("LMSCTL_LIBCRYPTO", "/nonexistent/libcrypto.so.3", 1);
		setenv("LMSCTL_NO_CRYPTO_CHILD", "1", 1);
		execl(self, "test_common", (char *)NULL);
		_exit(127);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	if (getenv("LMSCTL_NO_CRYPTO_CHILD"))
		return no_crypto_child();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_file_read),
	    cmocka_unit_test(test_write_atomic_symlinks),
	    cmocka_unit_test(test_write_unchanged),
	    cmocka_unit_test(test_write_atomic_keeps_owner),
	    cmocka_unit_test(test_write_atomic_new_file_mode),
	    cmocka_unit_test(test_write_atomic_fixed_mode),
	    cmocka_unit_test(test_write_modes_every_bit),
	    cmocka_unit_test(test_write_with_fd0_free),
	    cmocka_unit_test(test_file_errors),
	    cmocka_unit_test(test_file_read_fifo),
	    cmocka_unit_test(test_file_out_of_memory),
	    cmocka_unit_test(test_parse_long),
	    cmocka_unit_test(test_parse_ulong),
	    cmocka_unit_test(test_parse_double),
	    cmocka_unit_test(test_utf8_boundaries),
	    cmocka_unit_test(test_strdupf),
	    cmocka_unit_test(test_ends_starts_with),
	    cmocka_unit_test(test_arena),
	    cmocka_unit_test(test_arena_edges),
	    cmocka_unit_test(test_edit_distance_edges),
	    cmocka_unit_test(test_vec),
	    cmocka_unit_test(test_proc_edges),
	    cmocka_unit_test(test_proc_describe),
	    cmocka_unit_test(test_proc_sigchld_ignored),
	    cmocka_unit_test(test_proc_paths_and_secret),
	    cmocka_unit_test(test_proc_ignores_term),
	    cmocka_unit_test(test_proc_zombie_is_no_straggler),
	    cmocka_unit_test(test_proc_without_descriptors),
	    cmocka_unit_test(test_proc_with_fd0_free),
	    cmocka_unit_test(test_proc_interrupted),
	    cmocka_unit_test(test_proc_stuck_at_bound),
	    cmocka_unit_test(test_proc_leader_stuck_at_bound),
	    cmocka_unit_test(test_diff_exact),
	    cmocka_unit_test(test_diff_too_different),
	    cmocka_unit_test(test_diff_random),
	    cmocka_unit_test(test_lazy_crypto_unloadable),
	    cmocka_unit_test(test_error_text),
	    cmocka_unit_test(test_crypto_load_and_cleanse),
	    cmocka_unit_test(test_rules_registry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
