#include "common/names.h"

#include <stdint.h>
#include <string.h>

size_t lms_edit_distance(const char *a, const char *b, bool fold_case)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return SIZE_MAX;
	size_t d[65][65];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			unsigned char x = (unsigned char)a[i - 1], y = (unsigned char)b[j - 1];
			if (fold_case) {
				x = (x >= 'A' && x <= 'Z') ? (unsigned char)(x + 32) : x;
				y = (y >= 'A' && y <= 'Z') ? (unsigned char)(y + 32) : y;
			}
			size_t sub = d[i - 1][j - 1] + (x != y);
			size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
			d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
	return d[la][lb];
}
