#include "common/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN LMS_ARENA_CHUNK

struct lms_arena_chunk {
	struct lms_arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

void lms_arena_init(lms_arena *a, size_t max)
{
	a->head = NULL;
	a->total = 0;
	a->max = max ? max : LMS_ARENA_DEFAULT_MAX;
	a->failed = false;
}

void lms_arena_free(lms_arena *a)
{
	for (struct lms_arena_chunk *c = a->head; c;) {
		struct lms_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->total = 0;
	a->failed = false;
}

static void *fail(lms_arena *a)
{
	a->failed = true;
	return NULL;
}

void *lms_arena_alloc(lms_arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);
	if (a->failed)
		return NULL;
	if (size > a->max)
		return fail(a);
	size = (size + align - 1) & ~(align - 1);
	struct lms_arena_chunk *h = a->head;
	if (!h || h->cap - h->used < size) {
		size_t cap = size > CHUNK_MIN ? size : CHUNK_MIN;
		if (cap > a->max - a->total) {
			/* the last chunk may be smaller than CHUNK_MIN */
			if (size > a->max - a->total)
				return fail(a);
			cap = size;
		}
		h = malloc(sizeof(*h) + cap);
		if (!h)
			return fail(a);
		h->next = a->head;
		h->used = 0;
		h->cap = cap;
		a->head = h;
		a->total += cap;
	}
	void *p = (char *)h->data + h->used;
	h->used += size;
	memset(p, 0, size);
	return p;
}

char *lms_arena_strndup(lms_arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return fail(a);
	char *p = lms_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *lms_arena_strdup(lms_arena *a, const char *s)
{
	return lms_arena_strndup(a, s, strlen(s));
}
