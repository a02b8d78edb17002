/* arena: a bump allocator with a byte cap, for data that lives and dies
 * together (a parse or render tree). Allocations are zeroed and aligned for
 * any type; nothing is freed one by one: lms_arena_free() releases all.
 * Once an allocation fails (cap reached or out of memory) the arena stays
 * failed and every later allocation returns NULL, so a caller may allocate
 * many pieces and check `failed` once. The arena owns everything it returns. */
#ifndef LMSCTL_COMMON_ARENA_H
#define LMSCTL_COMMON_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct lms_arena {
	struct lms_arena_chunk *head;
	size_t total; /* bytes taken from malloc so far */
	size_t max;   /* cap on total */
	bool failed;
} lms_arena;

#define LMS_ARENA_DEFAULT_MAX ((size_t)64 * 1024 * 1024)
/* the size of a chunk taken from malloc unless one allocation needs more */
#define LMS_ARENA_CHUNK ((size_t)64 * 1024)

void lms_arena_init(lms_arena *a, size_t max); /* max 0: LMS_ARENA_DEFAULT_MAX */
void lms_arena_free(lms_arena *a);             /* releases all; the arena may be reused */
void *lms_arena_alloc(lms_arena *a, size_t size);
/* `n` bytes of `s` and a NUL; lms_arena_strdup copies a C string. */
char *lms_arena_strndup(lms_arena *a, const char *s, size_t n);
char *lms_arena_strdup(lms_arena *a, const char *s);

#endif
