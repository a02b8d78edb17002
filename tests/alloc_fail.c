/* alloc_fail: the __wrap_ allocation functions, the countdown and the table
 * of live allocations (tests/alloc_fail.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* realpath, strndup */
#endif
#include "tests/alloc_fail.h"

#include <errno.h>
#include <execinfo.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
char *__real_realpath(const char *path, char *resolved);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
char *__wrap_realpath(const char *path, char *resolved);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool armed;
static bool fired;
static size_t countdown; /* allocations to let pass before the one that fails */
static size_t counted;   /* allocations since the last alloc_fail_after */

/* The live allocations: an open-addressing table of pointers (linear
 * probing, deletion by backward shift), kept with the real allocator. */
static void **slots;
static size_t nslots, nlive;

static size_t slot_of(const void *p, size_t mask)
{
	uintptr_t h = (uintptr_t)p >> 4;
	h *= (uintptr_t)0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 16) & mask;
}

static bool table_grow(void)
{
	size_t n = nslots ? nslots * 2 : 1024;
	void **t = __real_calloc(n, sizeof *t);
	if (!t)
		return false;
	for (size_t i = 0; i < nslots; i++) {
		if (!slots[i])
			continue;
		size_t j = slot_of(slots[i], n - 1);
		while (t[j])
			j = (j + 1) & (n - 1);
		t[j] = slots[i];
	}
	__real_free(slots);
	slots = t;
	nslots = n;
	return true;
}

static void track(void *p)
{
	if (!p)
		return;
	if (2 * (nlive + 1) > nslots && !table_grow())
		return; /* untracked: only a leak check can be wrong, never the program */
	size_t mask = nslots - 1, j = slot_of(p, mask);
	while (slots[j])
		j = (j + 1) & mask;
	slots[j] = p;
	nlive++;
}

static void untrack(const void *p)
{
	if (!p || !nslots)
		return;
	size_t mask = nslots - 1, j = slot_of(p, mask);
	while (slots[j] && slots[j] != p)
		j = (j + 1) & mask;
	if (!slots[j])
		return; /* allocated by someone else (libc, a shared library) */
	slots[j] = NULL;
	nlive--;
	/* backward shift: move up every entry of the run that would no longer be
	 * found past the hole */
	for (size_t k = (j + 1) & mask; slots[k]; k = (k + 1) & mask) {
		size_t home = slot_of(slots[k], mask);
		bool reachable = j <= k ? (home > j && home <= k) : (home > j || home <= k);
		if (!reachable) {
			slots[j] = slots[k];
			slots[k] = NULL;
			j = k;
		}
	}
}

/* One allocation is about to happen: false when it is the one to fail. */
static bool may_allocate(void)
{
	if (!armed)
		return true;
	counted++;
	if (fired)
		return true;
	if (countdown == 0) {
		fired = true;
		/* ALLOC_FAIL_TRACE=1: where it failed (debugging a sweep) */
		const char *trace = getenv("ALLOC_FAIL_TRACE");
		if (trace && *trace == '1') {
			void *frames[16];
			int n = backtrace(frames, 16);
			fprintf(stderr, "alloc_fail: allocation %zu fails here:\n", counted - 1);
			backtrace_symbols_fd(frames, n, 2);
		}
		return false;
	}
	countdown--;
	return true;
}

static void *fail_enomem(void)
{
	errno = ENOMEM;
	return NULL;
}

void *__wrap_malloc(size_t size)
{
	pthread_mutex_lock(&lock);
	void *p = may_allocate() ? __real_malloc(size) : fail_enomem();
	track(p);
	pthread_mutex_unlock(&lock);
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	pthread_mutex_lock(&lock);
	void *p = may_allocate() ? __real_calloc(n, size) : fail_enomem();
	track(p);
	pthread_mutex_unlock(&lock);
	return p;
}

void *__wrap_realloc(void *old, size_t size)
{
	pthread_mutex_lock(&lock);
	void *p;
	if (old && size == 0) { /* glibc frees it */
		untrack(old);
		p = __real_realloc(old, size);
		track(p);
	} else if (!may_allocate()) {
		p = fail_enomem(); /* the old block stays the caller's, tracked */
	} else {
		p = __real_realloc(old, size);
		if (p) {
			untrack(old);
			track(p);
		}
	}
	pthread_mutex_unlock(&lock);
	return p;
}

void __wrap_free(void *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&lock);
	untrack(p);
	__real_free(p);
	pthread_mutex_unlock(&lock);
}

char *__wrap_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = __wrap_malloc(len + 1);
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *__wrap_strdup(const char *s)
{
	return __wrap_strndup(s, SIZE_MAX);
}

char *__wrap_realpath(const char *path, char *resolved)
{
	if (resolved) /* the caller's buffer: no allocation */
		return __real_realpath(path, resolved);
	pthread_mutex_lock(&lock);
	bool ok = may_allocate();
	pthread_mutex_unlock(&lock);
	if (!ok)
		return fail_enomem();
	char *p = __real_realpath(path, NULL);
	if (p) {
		pthread_mutex_lock(&lock);
		track(p);
		pthread_mutex_unlock(&lock);
	}
	return p;
}

static bool jansson_counted = true;

/* jansson's allocations: tracked, and counted unless alloc_fail_jansson(false) */
static void *jansson_malloc(size_t size)
{
	pthread_mutex_lock(&lock);
	void *p = !jansson_counted || may_allocate() ? __real_malloc(size) : fail_enomem();
	track(p);
	pthread_mutex_unlock(&lock);
	return p;
}

__attribute__((constructor)) static void hook_jansson(void)
{
	json_set_alloc_funcs(jansson_malloc, __wrap_free);
}

void alloc_fail_jansson(bool on)
{
	pthread_mutex_lock(&lock);
	jansson_counted = on;
	pthread_mutex_unlock(&lock);
}

void alloc_fail_after(size_t n)
{
	pthread_mutex_lock(&lock);
	armed = true;
	fired = false;
	countdown = n;
	counted = 0;
	pthread_mutex_unlock(&lock);
}

void alloc_fail_off(void)
{
	pthread_mutex_lock(&lock);
	armed = false;
	fired = false; /* a later unarmed call must not see this one's failure */
	pthread_mutex_unlock(&lock);
}

bool alloc_fail_fired(void)
{
	pthread_mutex_lock(&lock);
	bool f = fired;
	pthread_mutex_unlock(&lock);
	return f;
}

size_t alloc_fail_count(void)
{
	pthread_mutex_lock(&lock);
	size_t n = counted;
	pthread_mutex_unlock(&lock);
	return n;
}

size_t alloc_live(void)
{
	pthread_mutex_lock(&lock);
	size_t n = nlive;
	pthread_mutex_unlock(&lock);
	return n;
}

long alloc_sweep(alloc_call fn, void *ctx, unsigned flags, size_t max_steps, char *why,
                 size_t why_len)
{
	size_t before = alloc_live();
	if (!fn(ctx)) {
		snprintf(why, why_len, "the call fails with no allocation failing");
		return -1;
	}
	if (alloc_live() != before) {
		snprintf(why, why_len, "the call leaks %zd allocation(s) with none failing",
		         (ptrdiff_t)(alloc_live() - before));
		return -1;
	}
	for (size_t n = 0; n < max_steps; n++) {
		alloc_fail_after(n);
		bool ok = fn(ctx);
		bool hit = alloc_fail_fired();
		alloc_fail_off();
		size_t live = alloc_live();
		if (live != before) {
			snprintf(why, why_len, "allocation %zu %s: %zd allocation(s) leaked", n,
			         hit ? "failing" : "(none failing)", (ptrdiff_t)(live - before));
			return -1;
		}
		if (!hit) {
			if (ok)
				return (long)n;
			snprintf(why, why_len, "fails with no allocation failing (step %zu)", n);
			return -1;
		}
		if (!ok)
			continue;
		if (flags & ALLOC_MUST_FAIL) {
			snprintf(why, why_len, "allocation %zu failing: the call still succeeds",
			         n);
			return -1;
		}
	}
	snprintf(why, why_len, "more than %zu allocations", max_steps);
	return -1;
}
