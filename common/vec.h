/* vec: overflow-checked growth of a plain C array.
 *
 * For the `T *v; size_t n, cap;` arrays all over the code:
 *
 *     if (!VEC_RESERVE(l->v, l->cap, l->n + 1))
 *             return false;          // l->v and l->cap unchanged
 *     l->v[l->n++] = item;
 *
 * VEC_RESERVE makes room for at least `need` elements, doubling the capacity
 * (at least 8) so that n pushes cost O(n). VEC_RESIZE sets the allocation to
 * exactly `count` elements, for arrays without a capacity field. Both return
 * false, leaving the array and its capacity as they were, when the size in
 * bytes would overflow or realloc fails. The array is the caller's (free()). */
#ifndef LMSCTL_COMMON_VEC_H
#define LMSCTL_COMMON_VEC_H

#include <stdbool.h>
#include <stddef.h>

/* `parr` is the address of the array pointer (any object pointer type). */
bool vec_reserve_(void *parr, size_t *cap, size_t need, size_t elem_size);
bool vec_resize_(void *parr, size_t count, size_t elem_size);

#define VEC_RESERVE(arr, cap, need) vec_reserve_(&(arr), &(cap), (need), sizeof *(arr))
#define VEC_RESIZE(arr, count) vec_resize_(&(arr), (count), sizeof *(arr))

#endif
