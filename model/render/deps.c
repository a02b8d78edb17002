/* render/deps.c: the dependency graph of the rendered resources (DependsOn
 * and references), render_after, and reading the rendered tree. */
#define _GNU_SOURCE /* qsort_r */
#include "common/num.h"
#include "common/vec.h"
#include "model/render/internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static void collect_refs(const rnode *n, void (*add)(void *, const char *, size_t), void *ctx)
{
	if (!n)
		return;
	if (n->fn && strcmp(n->fn, "Ref") == 0 && n->kind == RN_SCALAR) {
		add(ctx, n->str, strlen(n->str));
		return;
	}
	if (n->fn && strcmp(n->fn, "Fn::GetAtt") == 0 && n->kind == RN_SEQ && n->n >= 1 &&
	    n->kids[0]->kind == RN_SCALAR)
		add(ctx, n->kids[0]->str, strlen(n->kids[0]->str));
	if (n->fn && strcmp(n->fn, "Fn::Sub") == 0) {
		const rnode *t = n->kind == RN_SCALAR        ? n
		                 : n->kind == RN_SEQ && n->n ? n->kids[0]
		                                             : NULL;
		for (const char *p = t && t->kind == RN_SCALAR ? t->str : NULL; p && *p;) {
			const char *open = strstr(p, "${");
			const char *close = open ? strchr(open, '}') : NULL;
			if (!close)
				break;
			if (open[2] != '!') {
				size_t len = strcspn(open + 2, ".}");
				add(ctx, open + 2, len);
			}
			p = close + 1;
		}
	}
	size_t slots = n->kind == RN_MAP ? 2 * n->n : n->kind == RN_SEQ ? n->n : 0;
	for (size_t i = n->kind == RN_MAP ? 1 : 0; i < slots; i += n->kind == RN_MAP ? 2 : 1)
		collect_refs(n->kids[i], add, ctx);
	/* long-form intrinsics inside a wrapped argument are map keys */
	if (n->kind == RN_MAP && n->n == 1 && n->kids[0]->str &&
	    strcmp(n->kids[0]->str, "Ref") == 0 && n->kids[1]->kind == RN_SCALAR)
		add(ctx, n->kids[1]->str, strlen(n->kids[1]->str));
}

typedef struct dep_ctx {
	rendered *r;
	size_t self;
	size_t *list;
	size_t n, cap;
	bool oom;
} dep_ctx;

static long find_res(const rendered *r, const char *id, size_t len)
{
	const size_t *by_id = r->arena->by_id;
	size_t lo = 0, hi = r->nres;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *name = r->res[by_id[mid]].id;
		int c = strncmp(name, id, len);
		if (c == 0 && name[len] != '\0')
			c = 1;
		if (c == 0)
			return (long)by_id[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void add_dep(void *vctx, const char *id, size_t len)
{
	dep_ctx *d = vctx;
	long i = find_res(d->r, id, len);
	if (i < 0 || (size_t)i == d->self)
		return;
	for (size_t k = 0; k < d->n; k++)
		if (d->list[k] == (size_t)i)
			return;
	if (!VEC_RESERVE(d->list, d->cap, d->n + 1)) {
		d->oom = true;
		return;
	}
	d->list[d->n++] = (size_t)i;
}

static int cmp_res_id(const void *a, const void *b, void *res)
{
	const render_resource *r = res;
	return strcmp(r[*(const size_t *)a].id, r[*(const size_t *)b].id);
}

bool rn_build_deps(rctx *c, rendered *r)
{
	r->arena->by_id = malloc((r->nres ? r->nres : 1) * sizeof(size_t));
	if (!r->arena->by_id)
		return false;
	for (size_t i = 0; i < r->nres; i++)
		r->arena->by_id[i] = i;
	qsort_r(r->arena->by_id, r->nres, sizeof(size_t), cmp_res_id, r->res);
	/* a rendering of a few types (only_types) is read by type and id, not
	 * for its order: no graph */
	if (c->opt->only_types)
		return true;
	dep_ctx d = {r, 0, NULL, 0, 0, false};
	for (size_t i = 0; i < r->nres; i++) {
		render_resource *res = &r->res[i];
		d.self = i;
		d.n = 0;
		const rnode *node = res->node;
		for (size_t k = 0; node && node->kind == RN_MAP && k < node->n; k++) {
			const rnode *key = node->kids[2 * k], *val = node->kids[2 * k + 1];
			if (strcmp(key->str, "DependsOn") == 0) {
				if (val->kind == RN_SCALAR)
					add_dep(&d, val->str, strlen(val->str));
				for (size_t j = 0; val->kind == RN_SEQ && j < val->n; j++)
					if (val->kids[j]->kind == RN_SCALAR)
						add_dep(&d, val->kids[j]->str,
						        strlen(val->kids[j]->str));
			} else {
				collect_refs(val, add_dep, &d);
			}
		}
		if (d.oom)
			break;
		res->ndeps = d.n;
		res->deps = d.n ? rn_arena_alloc(c->a, d.n * sizeof(size_t)) : NULL;
		if (d.n && !res->deps)
			break;
		if (d.n)
			memcpy(res->deps, d.list, d.n * sizeof(size_t));
	}
	free(d.list);
	return !d.oom && !c->a->mem.failed;
}

/* ---- reading ------------------------------------------------------------ */

const rnode *rnode_get(const rnode *map, const char *key)
{
	if (!map || map->kind != RN_MAP || map->fn)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->kids[2 * i]->str, key) == 0)
			return map->kids[2 * i + 1];
	return NULL;
}

const char *rnode_str(const rnode *n)
{
	return n && n->kind == RN_SCALAR && !n->fn ? n->str : NULL;
}

int rnode_bool(const rnode *n)
{
	const char *s = rnode_str(n);
	if (!s)
		return -1;
	if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
		return 1;
	if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
		return 0;
	return -1;
}

bool rnode_long(const rnode *n, long *out)
{
	return lms_parse_long(rnode_str(n), LONG_MIN, LONG_MAX, out);
}

bool rnode_double(const rnode *n, double *out)
{
	return lms_parse_double(rnode_str(n), out);
}

const char *rnode_ref(const rnode *n, const char **attr)
{
	if (attr)
		*attr = NULL;
	if (!n || !n->fn)
		return NULL;
	if (strcmp(n->fn, "Ref") == 0 && n->kind == RN_SCALAR)
		return n->str;
	if (strcmp(n->fn, "Fn::GetAtt") == 0 && n->kind == RN_SEQ && n->n == 2 &&
	    n->kids[0]->kind == RN_SCALAR) {
		if (attr)
			*attr = rnode_str(n->kids[1]);
		return n->kids[0]->str;
	}
	return NULL;
}

typedef struct mention_ctx {
	const char *id;
	bool found;
} mention_ctx;

static void mention_add(void *vctx, const char *id, size_t len)
{
	mention_ctx *m = vctx;
	if (strlen(m->id) == len && memcmp(m->id, id, len) == 0)
		m->found = true;
}

bool rnode_mentions(const rnode *n, const char *id)
{
	mention_ctx m = {id, false};
	collect_refs(n, mention_add, &m);
	return m.found;
}

const char *rnode_text(const rnode *n)
{
	if (!n)
		return NULL;
	if (!n->fn)
		return n->kind == RN_SCALAR ? n->str : NULL;
	if (strcmp(n->fn, "Fn::Sub") == 0) {
		if (n->kind == RN_SCALAR)
			return n->str;
		if (n->kind == RN_SEQ && n->n && n->kids[0]->kind == RN_SCALAR)
			return n->kids[0]->str;
	}
	return NULL;
}

const render_resource *render_find(const rendered *r, const char *id)
{
	long i = find_res(r, id, strlen(id));
	return i < 0 ? NULL : &r->res[i];
}

bool render_after(const rendered *r, const render_resource *from, const render_resource *to)
{
	if (!from || !to || from == to)
		return false;
	size_t target = (size_t)(to - r->res);
	bool *seen = calloc(r->nres ? r->nres : 1, sizeof(bool));
	size_t *stack = malloc((r->nres ? r->nres : 1) * sizeof(size_t));
	bool found = false;
	if (seen && stack) {
		size_t top = 0;
		stack[top++] = (size_t)(from - r->res);
		seen[stack[0]] = true;
		while (top && !found) {
			const render_resource *x = &r->res[stack[--top]];
			for (size_t i = 0; i < x->ndeps; i++) {
				size_t d = x->deps[i];
				if (d == target) {
					found = true;
					break;
				}
				if (!seen[d]) {
					seen[d] = true;
					stack[top++] = d;
				}
			}
		}
	}
	free(seen);
	free(stack);
	return found;
}

long render_az_index(const rendered *r, const char *az)
{
	for (size_t i = 0; az && i < r->nazs; i++)
		if (strcmp(r->azs[i], az) == 0)
			return (long)i;
	return -1;
}

/* ---- over the fragments, with this rendering's decisions -------------- */

/* The Fn::If a fragment node is (short or long form): its argument. */
static const ynode *if_arg(const ynode *n)
{
	if (!n)
		return NULL;
	if (n->tag && strcmp(n->tag, "!If") == 0)
		return n;
	if (n->kind == YNODE_MAP && n->n == 1 && !n->tag && ynode_key(n, 0)->kind == YNODE_SCALAR &&
	    strcmp(ynode_key(n, 0)->str, "Fn::If") == 0)
		return ynode_val(n, 0);
	return NULL;
}

/* The name a `Ref` fragment node names (short or long form), or NULL. */
static const char *ref_name(const ynode *n)
{
	if (!n)
		return NULL;
	if (n->tag && strcmp(n->tag, "!Ref") == 0)
		return n->kind == YNODE_SCALAR ? n->str : NULL;
	if (n->kind == YNODE_MAP && n->n == 1 && !n->tag && ynode_key(n, 0)->kind == YNODE_SCALAR &&
	    strcmp(ynode_key(n, 0)->str, "Ref") == 0)
		return ynode_str(ynode_val(n, 0));
	return NULL;
}

const ynode *render_pick(const rendered *r, const ynode *n)
{
	for (int depth = 0; depth < RENDER_MAX_DEPTH; depth++) {
		const ynode *arg = if_arg(n);
		if (!arg)
			return n;
		if (arg->kind != YNODE_SEQ || arg->n != 3 || arg->kids[0]->kind != YNODE_SCALAR)
			return NULL;
		int v = render_condition(r, arg->kids[0]->str);
		if (v < 0)
			return NULL;
		n = arg->kids[v ? 1 : 2];
		const char *name = ref_name(n);
		if (name && strcmp(name, "AWS::NoValue") == 0)
			return NULL;
	}
	return NULL;
}

const char *rnode_param(const rendered *r, const rnode *n)
{
	if (!n)
		return NULL;
	const char *name = NULL;
	if (n->fn && strcmp(n->fn, "Ref") == 0 && n->kind == RN_SCALAR)
		name = n->str;
	else if (!n->fn)
		name = ref_name(n->src);
	return name && catalog_param(r->arena->cat, name) ? name : NULL;
}
