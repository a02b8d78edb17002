/* alloc_fail: allocation-failure injection for the unit tests.
 *
 * Every unit test program is linked with
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,
 *   --wrap=strdup,--wrap=strndup,--wrap=realpath
 * (Makefile.am, TEST_LDFLAGS) and with tests/alloc_fail.c, which defines the
 * __wrap_ functions: each allocation made by the library's objects and the
 * test's own (not by the shared libraries: libyaml, expat, cmocka) goes
 * through them, and so do jansson's (json_set_alloc_funcs, set before main).
 * glibc's strdup calls malloc inside libc, out of the wrap's reach: that is
 * why strdup and strndup are wrapped themselves.
 *
 * A countdown makes one allocation fail: alloc_fail_after(n) makes the n-th
 * allocation from now fail (0: the next one), once; the ones after it succeed
 * again. Every live allocation is tracked (a pointer table kept with the real
 * allocator), so a test sees a leak without a sanitizer: the mutation
 * harness's builds have none. Thread-safe (one lock); the countdown counts
 * every thread's allocations, so arm it around single-threaded code only.
 *
 * ALLOC_FAIL_TRACE=1 in the environment prints the stack of each failed
 * allocation (addr2line -e TEST ADDRESS, or build with -rdynamic, names it).
 *
 * Works the same under ASan/UBSan (__real_malloc is the sanitizer's malloc),
 * valgrind (its malloc replaces libc's) and a plain -O0 build. */
#ifndef LMSCTL_TESTS_ALLOC_FAIL_H
#define LMSCTL_TESTS_ALLOC_FAIL_H

#include <stdbool.h>
#include <stddef.h>

/* The n-th allocation from now fails (n = 0: the next one); only that one. */
void alloc_fail_after(size_t n);
/* No allocation fails (the countdown is disarmed; fired is cleared). */
void alloc_fail_off(void);
/* Whether the armed failure happened since the last alloc_fail_after()
 * (false again after alloc_fail_off()). */
bool alloc_fail_fired(void);
/* Allocations made since the last alloc_fail_after() (the failed one too). */
size_t alloc_fail_count(void);
/* Whether jansson's own allocations count (and may fail); true at start.
 * jansson 2.14's parser asserts (aborts) when some of its allocations fail
 * (load.c lex_scan_string): a sweep through json_loadb turns them off. */
void alloc_fail_jansson(bool on);
/* Allocations made through the wrappers and not freed yet. */
size_t alloc_live(void);

/* One call under test: true when it succeeded. It must release whatever it
 * obtained (a leak is counted as one). */
typedef bool (*alloc_call)(void *ctx);

enum {
	/* a failed allocation must make the call report failure (false); without
	 * it, a call may also absorb the failure (a fallback) and succeed */
	ALLOC_MUST_FAIL = 1,
};

/* The sweep: for n = 0, 1, ...: alloc_fail_after(n), call, and check that
 *  - nothing leaked (alloc_live() is what it was before the call),
 *  - when the n-th allocation did not happen (n is past the call's last
 *    allocation) the call succeeded, and the sweep ends,
 *  - with ALLOC_MUST_FAIL, when it failed, the call reported failure.
 * The call is made once first with nothing failing (it must succeed), so that
 * a cache it fills on first use is not counted as a leak. Returns the number
 * of allocations the call makes (the sweep's length), or -1 with the reason
 * in `why` (the step and what went wrong). Stops at max_steps (then fails:
 * the call allocates more than the test expects). */
long alloc_sweep(alloc_call fn, void *ctx, unsigned flags, size_t max_steps, char *why,
                 size_t why_len);

#endif
