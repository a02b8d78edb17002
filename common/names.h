/* names: how near one name is to another, for "did you mean" hints (the validator's
 * unknown parameters, the console's unknown :set and :goto names). Apart from common/str
 * so that the mutation sample of tests/mutate_sample.sh, which reads str.c, stays put. */
#ifndef LMSCTL_COMMON_NAMES_H
#define LMSCTL_COMMON_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* The Levenshtein distance between `a` and `b` (bytes; ASCII letters compared without
 * case when `fold_case`); SIZE_MAX when either is longer than 64 bytes (names only: the
 * nearest-name hints of the validator and the console). */
size_t lms_edit_distance(const char *a, const char *b, bool fold_case);

#endif
