/* Replays inputs through a fuzz target's LLVMFuzzerTestOneInput without a
 * fuzzing engine (after jansson's fuzz targets), so that `make check` runs
 * every corpus and every crash once found in a build without libFuzzer.
 *
 *   replay_TARGET [DIR|FILE]...
 *
 * A directory stands for every regular file in it, in name order; with no
 * argument, the target's corpus directory (FUZZ_CORPUS_DIR, set at compile
 * time). A crash is the sanitizers' or abort()'s; a file that cannot be
 * read, or no input at all, is exit status 1. */
#include "common/buf.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fuzz inputs are small (libFuzzer's default -max_len is 4096); a corpus
 * file far beyond that is a mistake, not an input. */
#define REPLAY_MAX_BYTES ((size_t)16 * 1024 * 1024)

static int replay_file(const char *path, size_t *count)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return 1;
	}
	buf b;
	buf_init(&b, REPLAY_MAX_BYTES);
	char chunk[8192];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (!buf_add(&b, chunk, got))
			break;
	bool bad = ferror(f) || b.failed;
	fclose(f);
	if (bad) {
		fprintf(stderr, "replay: %s: unreadable or larger than %zu bytes\n", path,
		        (size_t)REPLAY_MAX_BYTES);
		buf_free(&b);
		return 1;
	}
	/* a copy of exactly the input's size, so ASan sees reads past its end */
	size_t len = b.len;
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy) {
		buf_free(&b);
		return 1;
	}
	if (len)
		memcpy(copy, b.data, len);
	buf_free(&b);
	/* named first: a crash's report then follows its input's name */
	printf("%s\n", path);
	fflush(stdout);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	(*count)++;
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue; /* ., .., and hidden files such as .gitkeep */
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char **p = realloc(names, ncap * sizeof(*p));
			if (!p) {
				rc = 1;
				break;
			}
			names = p;
			cap = ncap;
		}
		buf path;
		buf_init(&path, 0);
		buf_addf(&path, "%s/%s", dir, e->d_name);
		names[n] = buf_take(&path);
		if (!names[n]) {
			rc = 1;
			break;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), compare_names);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			rc = replay_file(names[i], count);
		free(names[i]);
	}
	free(names);
	return rc;
}

static int replay(const char *path, size_t *count)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return S_ISDIR(st.st_mode) ? replay_dir(path, count) : replay_file(path, count);
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int rc = 0;
#ifdef FUZZ_CORPUS_DIR
	if (argc < 2)
		rc = replay(FUZZ_CORPUS_DIR, &count);
#else
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 2;
	}
#endif
	for (int i = 1; i < argc && rc == 0; i++)
		rc = replay(argv[i], &count);
	if (rc == 0 && count == 0) {
		fprintf(stderr, "replay: no input found\n");
		rc = 1;
	}
	if (rc == 0)
		printf("%s: replayed %zu input(s)\n", argv[0], count);
	return rc;
}
