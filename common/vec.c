#include "common/vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The array pointer is read and written through memcpy: `parr` points at a
 * `T *`, which has the representation of a `void *` on every platform POSIX
 * supports, and memcpy keeps the access clear of the aliasing rules. */
static void *get_ptr(const void *parr)
{
	void *p;
	memcpy(&p, parr, sizeof p);
	return p;
}

static void set_ptr(void *parr, void *p)
{
	memcpy(parr, &p, sizeof p);
}

bool vec_resize_(void *parr, size_t count, size_t elem_size)
{
	if (count == 0 || elem_size == 0)
		return true; /* realloc(p, 0) may free p: keep what is there */
	if (elem_size && count > SIZE_MAX / elem_size)
		return false;
	void *p = realloc(get_ptr(parr), count * elem_size);
	if (!p)
		return false;
	set_ptr(parr, p);
	return true;
}

bool vec_reserve_(void *parr, size_t *cap, size_t need, size_t elem_size)
{
	if (need <= *cap)
		return true;
	size_t limit = elem_size ? SIZE_MAX / elem_size : SIZE_MAX;
	if (need > limit)
		return false;
	size_t ncap = *cap < 8 ? 8 : *cap;
	while (ncap < need)
		ncap = ncap > limit / 2 ? limit : ncap * 2;
	if (!vec_resize_(parr, ncap, elem_size))
		return false;
	*cap = ncap;
	return true;
}
