#include "common/diff.h"

#include "common/vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Past this many differing lines the edit script is not searched for: the
 * trace Myers keeps grows with its square. */
#define DIFF_MAX_D 2000

typedef struct lines {
	const char **p;
	size_t *len;
	uint64_t *hash;
	size_t n;
} lines;

static void lines_free(lines *l)
{
	free(l->p);
	free(l->len);
	free(l->hash);
}

static bool split(const char *s, size_t len, lines *out)
{
	memset(out, 0, sizeof(*out));
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	if (len && s[len - 1] != '\n')
		n++;
	out->p = calloc(n + 1, sizeof(*out->p));
	out->len = calloc(n + 1, sizeof(*out->len));
	out->hash = calloc(n + 1, sizeof(*out->hash));
	if (!out->p || !out->len || !out->hash) {
		lines_free(out);
		return false;
	}
	size_t start = 0, k = 0;
	for (size_t i = 0; i <= len && k < n; i++) {
		if (i == len || s[i] == '\n') {
			out->p[k] = s + start;
			out->len[k] = i - start;
			uint64_t h = 1469598103934665603ull; /* FNV-1a */
			for (size_t j = start; j < i; j++)
				h = (h ^ (unsigned char)s[j]) * 1099511628211ull;
			out->hash[k] = h;
			k++;
			start = i + 1;
		}
	}
	out->n = n;
	return true;
}

static bool eq(const lines *a, size_t i, const lines *b, size_t j)
{
	return a->hash[i] == b->hash[j] && a->len[i] == b->len[j] &&
	       memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

/* The edit script as one op per line: 0 same, 1 delete, 2 add. */
typedef struct script {
	unsigned char *op;
	size_t n, cap;
} script;

static bool push(script *s, unsigned char op)
{
	if (!VEC_RESERVE(s->op, s->cap, s->n + 1))
		return false;
	s->op[s->n++] = op;
	return true;
}

/* Myers' greedy forward search, keeping each round's furthest reaching
 * points to walk the path back. Returns 0 ok, 1 too different, -1 no memory. */
static int myers(const lines *a, const lines *b, script *out)
{
	long n = (long)a->n, m = (long)b->n;
	long max = n + m;
	if (max == 0)
		return 0;
	long dmax = max < DIFF_MAX_D ? max : DIFF_MAX_D;
	long off = dmax + 1;
	long *v = calloc((size_t)(2 * dmax + 3), sizeof(long));
	long **trace = calloc((size_t)dmax + 1, sizeof(long *));
	if (!v || !trace) {
		free(v);
		free(trace);
		return -1;
	}
	long found = -1;
	int rc = 0;
	for (long d = 0; d <= dmax && found < 0; d++) {
		for (long k = -d; k <= d; k += 2) {
			long x;
			if (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
				x = v[off + k + 1];
			else
				x = v[off + k - 1] + 1;
			long y = x - k;
			while (x < n && y < m && eq(a, (size_t)x, b, (size_t)y)) {
				x++;
				y++;
			}
			v[off + k] = x;
			if (x >= n && y >= m) {
				found = d;
				break;
			}
		}
		/* round d's points, k from -d to d */
		trace[d] = malloc((size_t)(2 * d + 1) * sizeof(long));
		if (!trace[d]) {
			rc = -1;
			goto done;
		}
		memcpy(trace[d], v + off - d, (size_t)(2 * d + 1) * sizeof(long));
	}
	if (found < 0) {
		rc = 1;
		goto done;
	}
	/* walk back from (n, m), collecting ops in reverse */
	script rev = {0};
	long x = n, y = m;
	for (long d = found; d > 0; d--) {
		long *pv = trace[d - 1]; /* k from -(d-1) */
		long k = x - y;
		long prev_k;
		if (k == -d || (k != d && pv[k - 1 + (d - 1)] < pv[k + 1 + (d - 1)]))
			prev_k = k + 1;
		else
			prev_k = k - 1;
		long prev_x = pv[prev_k + (d - 1)];
		long prev_y = prev_x - prev_k;
		while (x > prev_x && y > prev_y) {
			if (!push(&rev, 0))
				goto oom;
			x--;
			y--;
		}
		if (!push(&rev, x == prev_x ? 2 : 1))
			goto oom;
		x = prev_x;
		y = prev_y;
	}
	while (x > 0 && y > 0) {
		if (!push(&rev, 0))
			goto oom;
		x--;
		y--;
	}
	for (size_t i = rev.n; i > 0; i--)
		if (!push(out, rev.op[i - 1]))
			goto oom;
	free(rev.op);
	goto done;
oom:
	free(rev.op);
	rc = -1;
done:
	for (long d = 0; d <= dmax; d++)
		free(trace[d]);
	free(trace);
	free(v);
	return rc;
}

typedef struct out_lines {
	diff_line *v;
	size_t n, cap;
	bool oom;
} out_lines;

static void emit(out_lines *o, diff_line l)
{
	if (o->oom)
		return;
	if (!VEC_RESERVE(o->v, o->cap, o->n + 1)) {
		o->oom = true;
		return;
	}
	o->v[o->n++] = l;
}

bool diff_texts(const char *a, size_t alen, const char *b, size_t blen, size_t context,
                diff_result *out)
{
	memset(out, 0, sizeof(*out));
	lines la, lb;
	if (!split(a, alen, &la))
		return false;
	if (!split(b, blen, &lb)) {
		lines_free(&la);
		return false;
	}
	script s = {0};
	int rc = myers(&la, &lb, &s);
	if (rc < 0)
		goto oom;
	if (rc == 1) {
		/* everything replaced */
		out->truncated = true;
		s.n = 0;
		for (size_t i = 0; i < la.n; i++)
			if (!push(&s, 1))
				goto oom;
		for (size_t i = 0; i < lb.n; i++)
			if (!push(&s, 2))
				goto oom;
	}
	/* positions of each op in a and b */
	size_t *ai = malloc((s.n + 1) * sizeof(size_t)), *bi = malloc((s.n + 1) * sizeof(size_t));
	if (!ai || !bi) {
		free(ai);
		free(bi);
		goto oom;
	}
	size_t x = 0, y = 0;
	for (size_t i = 0; i < s.n; i++) {
		ai[i] = x;
		bi[i] = y;
		if (s.op[i] != 2)
			x++;
		if (s.op[i] != 1)
			y++;
		if (s.op[i] == 1)
			out->deleted++;
		if (s.op[i] == 2)
			out->added++;
	}
	out_lines o = {0};
	size_t i = 0;
	while (i < s.n) {
		if (s.op[i] == 0) {
			i++;
			continue;
		}
		/* a hunk: from `context` lines before this change to `context`
		 * after the last change closer than 2*context to the next */
		size_t start = i >= context ? i - context : 0;
		while (start < i && s.op[start] != 0)
			start++;
		size_t end = i, same_run = 0;
		for (size_t j = i; j < s.n; j++) {
			if (s.op[j] == 0) {
				if (++same_run > 2 * context)
					break;
			} else {
				same_run = 0;
				end = j;
			}
		}
		size_t stop = end + 1 + context < s.n ? end + 1 + context : s.n;
		size_t old_n = 0, new_n = 0;
		for (size_t j = start; j < stop; j++) {
			old_n += s.op[j] != 2;
			new_n += s.op[j] != 1;
		}
		emit(&o,
		     (diff_line){DIFF_HUNK, NULL, 0, ai[start] + 1, bi[start] + 1, old_n, new_n});
		for (size_t j = start; j < stop; j++) {
			if (s.op[j] == 2)
				emit(&o, (diff_line){DIFF_ADD, lb.p[bi[j]], lb.len[bi[j]], 0,
				                     bi[j] + 1, 0, 0});
			else
				emit(&o, (diff_line){s.op[j] ? DIFF_DEL : DIFF_SAME, la.p[ai[j]],
				                     la.len[ai[j]], ai[j] + 1, bi[j] + 1, 0, 0});
		}
		i = stop;
	}
	free(ai);
	free(bi);
	free(s.op);
	lines_free(&la);
	lines_free(&lb);
	if (o.oom) {
		free(o.v);
		memset(out, 0, sizeof(*out));
		return false;
	}
	out->v = o.v;
	out->n = o.n;
	return true;
oom:
	free(s.op);
	lines_free(&la);
	lines_free(&lb);
	return false;
}

void diff_result_free(diff_result *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}
