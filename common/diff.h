/* diff: a line diff (Myers' algorithm) shown as unified hunks: the console's model
 * against its saved file and generated template against the deployed one, and lmsctl
 * diff --unified (the rendered templates). Pure: no curses, no I/O. */
#ifndef LMSCTL_COMMON_DIFF_H
#define LMSCTL_COMMON_DIFF_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { DIFF_SAME, DIFF_DEL, DIFF_ADD, DIFF_HUNK } diff_kind;

typedef struct diff_line {
	diff_kind kind;
	const char *text; /* into the old (SAME, DEL) or new (ADD) text; NULL for HUNK */
	size_t len;
	size_t old_no, new_no; /* 1-based line numbers; a HUNK's start lines */
	size_t old_n, new_n;   /* a HUNK's line counts */
} diff_line;

typedef struct diff_result {
	diff_line *v;
	size_t n;
	size_t added, deleted; /* lines */
	bool truncated;        /* too different to align: shown as replaced whole */
} diff_result;

/* Unified diff of `a` (old) and `b` (new) with `context` lines around each
 * change. The result points into a and b, which must outlive it. An
 * identical pair gives no lines. Returns false when out of memory. */
bool diff_texts(const char *a, size_t alen, const char *b, size_t blen, size_t context,
                diff_result *out);
void diff_result_free(diff_result *r);

#endif
