/* render/values.c: the arena the rendered tree lives in, the sorted name
 * indexes, rendered nodes, the regions' AZ names, and reading an intrinsic
 * from a fragment node (short or long form). */
#define _GNU_SOURCE /* qsort_r */
#include "common/str.h"
#include "model/render/internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void *rn_arena_alloc(struct render_arena *a, size_t size)
{
	return lms_arena_alloc(&a->mem, size);
}

char *rn_arena_strndup(struct render_arena *a, const char *s, size_t n)
{
	return lms_arena_strndup(&a->mem, s, n);
}

void rn_arena_free(struct render_arena *a)
{
	if (!a)
		return;
	lms_arena_free(&a->mem);
	free(a->by_id);
	free(a);
}

/* ---- the regions' AZ names -------------------------------------------- */

/* What Fn::GetAZs returns: the AZs an account can launch into by default.
 * The names are per account in the older regions (us-east-1's letters map
 * to different zones per account, and a few accounts see other letters);
 * give the list with `render --azs` (render_options.azs) when it differs. */
static const struct {
	const char *region;
	const char *azs[6];
} az_table[] = {
    {"eu-west-1", {"eu-west-1a", "eu-west-1b", "eu-west-1c"}},
    {"eu-west-2", {"eu-west-2a", "eu-west-2b", "eu-west-2c"}},
    {"eu-west-3", {"eu-west-3a", "eu-west-3b", "eu-west-3c"}},
    {"eu-central-1", {"eu-central-1a", "eu-central-1b", "eu-central-1c"}},
    {"eu-north-1", {"eu-north-1a", "eu-north-1b", "eu-north-1c"}},
    {"eu-south-1", {"eu-south-1a", "eu-south-1b", "eu-south-1c"}},
    {"us-east-1",
     {"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"}},
    {"us-east-2", {"us-east-2a", "us-east-2b", "us-east-2c"}},
    {"us-west-2", {"us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"}},
    {"ap-southeast-1", {"ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"}},
    {"ap-southeast-2", {"ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"}},
    {"ap-northeast-1", {"ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"}},
    {"ap-south-1", {"ap-south-1a", "ap-south-1b", "ap-south-1c"}},
    {"ca-central-1", {"ca-central-1a", "ca-central-1b", "ca-central-1d"}},
    {"sa-east-1", {"sa-east-1a", "sa-east-1b", "sa-east-1c"}},
};

const char *const *render_region_azs(const char *region, size_t *n)
{
	for (size_t i = 0; region && i < sizeof(az_table) / sizeof(az_table[0]); i++) {
		if (strcmp(az_table[i].region, region) != 0)
			continue;
		size_t k = 0;
		while (k < 6 && az_table[i].azs[k])
			k++;
		*n = k;
		return az_table[i].azs;
	}
	*n = 0;
	return NULL;
}

static int cmp_name(const void *a, const void *b, void *names)
{
	const char *const *n = names;
	return strcmp(n[*(const size_t *)a], n[*(const size_t *)b]);
}

/* a sorted index over names (catalog lookups are linear; a template has
 * hundreds of references) */
bool rn_index_build(name_index *ix, size_t n, const char *(*name_of)(const catalog *, size_t),
                    const catalog *cat)
{
	ix->n = n;
	ix->names = calloc(n ? n : 1, sizeof(char *));
	ix->idx = calloc(n ? n : 1, sizeof(size_t));
	if (!ix->names || !ix->idx)
		return false;
	for (size_t i = 0; i < n; i++) {
		ix->names[i] = name_of(cat, i);
		ix->idx[i] = i;
	}
	qsort_r(ix->idx, n, sizeof(size_t), cmp_name, (void *)ix->names);
	return true;
}

long rn_index_find(const name_index *ix, const char *name)
{
	size_t lo = 0, hi = ix->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ix->names[ix->idx[mid]], name);
		if (c == 0)
			return (long)ix->idx[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

void rn_index_free(name_index *ix)
{
	free(ix->names);
	free(ix->idx);
}
void rn_problem(rctx *c, const char *rule, const ynode *at, const char *hint, const char *fmt, ...)
{
	if (!c->out)
		return;
	va_list ap;
	va_start(ap, fmt);
	findings_vadd(c->out, rule, SEV_ERROR, "", hint, fmt, ap);
	va_end(ap);
	if (at && c->file)
		findings_set_position(c->out, c->out->n - 1, c->file, at->start.line,
		                      at->start.col);
}

/* ---- nodes -------------------------------------------------------------- */

rnode *rn_mk(rctx *c, rnode_kind kind, size_t n, const ynode *src)
{
	rnode *r = rn_arena_alloc(c->a, sizeof(rnode));
	if (!r)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->src = src;
	r->file = c->file;
	if (n) {
		size_t slots = kind == RN_MAP ? 2 * n : n;
		r->kids = rn_arena_alloc(c->a, slots * sizeof(rnode *));
		if (!r->kids)
			return NULL;
	}
	return r;
}

rnode *rn_mk_str(rctx *c, const char *s, bool plain, const ynode *src)
{
	rnode *r = rn_mk(c, RN_SCALAR, 0, src);
	if (!r)
		return NULL;
	r->str = s;
	r->plain = plain;
	return r;
}

rnode *rn_mk_strdup(rctx *c, const char *s, size_t n, const ynode *src)
{
	char *d = rn_arena_strndup(c->a, s, n);
	return d ? rn_mk_str(c, d, false, src) : NULL;
}

/* `n` with its intrinsic kept: the node is the argument, marked with fn */
rnode *rn_symbolic(rctx *c, const char *fn, rnode *arg)
{
	if (!arg)
		return NULL;
	if (arg->fn) {
		/* the argument is itself symbolic: wrap it in a one-key map */
		rnode *w = rn_mk(c, RN_MAP, 1, arg->src);
		if (!w)
			return NULL;
		w->n = 1;
		w->kids[0] = rn_mk_str(c, arg->fn, true, arg->src);
		rnode *inner = rn_arena_alloc(c->a, sizeof(rnode));
		if (!w->kids[0] || !inner)
			return NULL;
		*inner = *arg;
		inner->fn = NULL;
		w->kids[1] = inner;
		/* unwrap: keep arg's fn by converting to the long-form map */
		arg = w;
	}
	arg->fn = fn;
	return arg;
}

static const struct {
	const char *tag; /* short form, without '!' */
	const char *name;
} known_fns[] = {
    {"Ref", "Ref"},
    {"GetAtt", "Fn::GetAtt"},
    {"Sub", "Fn::Sub"},
    {"Join", "Fn::Join"},
    {"Select", "Fn::Select"},
    {"Split", "Fn::Split"},
    {"GetAZs", "Fn::GetAZs"},
    {"Cidr", "Fn::Cidr"},
    {"FindInMap", "Fn::FindInMap"},
    {"Base64", "Fn::Base64"},
    {"If", "Fn::If"},
    {"ImportValue", "Fn::ImportValue"},
    {"Equals", "Fn::Equals"},
    {"And", "Fn::And"},
    {"Or", "Fn::Or"},
    {"Not", "Fn::Not"},
    {"Condition", "Condition"},
    {"Transform", "Fn::Transform"},
    {"ToJsonString", "Fn::ToJsonString"},
    {"Length", "Fn::Length"},
};

/* The intrinsic a node is: its long-form name and argument, NULL when it is
 * a plain value. An unknown short-form tag or Fn:: key is returned too (as
 * written); `known` says whether it is one of CloudFormation's. */
const char *rn_intrinsic(rctx *c, const ynode *n, const ynode **arg, bool *known, bool untagged)
{
	*known = false;
	if (!n)
		return NULL;
	if (!untagged && n->tag && n->tag[0] == '!' && n->tag[1] != '!') {
		*arg = n;
		for (size_t i = 0; i < sizeof(known_fns) / sizeof(known_fns[0]); i++)
			if (strcmp(n->tag + 1, known_fns[i].tag) == 0) {
				*known = true;
				return known_fns[i].name;
			}
		buf b;
		buf_init(&b, 0);
		buf_addf(&b, "Fn::%s", n->tag + 1);
		char *name = b.failed ? NULL : rn_arena_strndup(c->a, b.data, b.len);
		buf_free(&b);
		return name ? name : "Fn::?";
	}
	if (n->kind == YNODE_MAP && n->n == 1) {
		const ynode *k = ynode_key(n, 0);
		if (k->kind != YNODE_SCALAR || k->tag)
			return NULL;
		if (strcmp(k->str, "Ref") != 0 && strncmp(k->str, "Fn::", 4) != 0)
			return NULL;
		*arg = ynode_val(n, 0);
		for (size_t i = 0; i < sizeof(known_fns) / sizeof(known_fns[0]); i++)
			if (strcmp(k->str, known_fns[i].name) == 0)
				*known = true;
		return k->str;
	}
	return NULL;
}

/* The argument as untagged: a short-form `!Fn [a, b]` node is its own
 * argument, so its items are read through this. */
const ynode *rn_item(const ynode *arg, size_t i)
{
	return arg && arg->kind == YNODE_SEQ && i < arg->n ? arg->kids[i] : NULL;
}

size_t rn_items(const ynode *arg)
{
	return arg && arg->kind == YNODE_SEQ ? arg->n : 0;
}

/* The string of a scalar argument: the tagged node itself in the short form
 * (`!Ref X`), an untagged scalar in the long form; NULL otherwise. */
const char *rn_arg_scalar(const ynode *n, const ynode *arg)
{
	if (!arg || arg->kind != YNODE_SCALAR || (arg != n && arg->tag))
		return NULL;
	return arg->str;
}

bool rn_is_null_scalar(const ynode *n)
{
	return n->kind == YNODE_SCALAR && !n->tag && n->style == YSTYLE_PLAIN &&
	       (n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
	        strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0);
}

/* A node as data, intrinsics kept as symbolic and not evaluated: for what
 * cannot be evaluated (a malformed intrinsic, an undecided condition). */
rnode *rn_raw(rctx *c, const ynode *n)
{
	if (!n)
		return rn_mk_str(c, "", true, NULL);
	const ynode *arg = NULL;
	bool known;
	const char *fn = rn_intrinsic(c, n, &arg, &known, n == c->untagged);
	if (fn && arg != n) {
		rnode *inner = rn_raw(c, arg);
		return inner ? rn_symbolic(c, fn, inner) : NULL;
	}
	rnode *r;
	switch (n->kind) {
	case YNODE_SCALAR:
		r = rn_mk_str(c, n->str, n->style == YSTYLE_PLAIN, n);
		break;
	case YNODE_SEQ:
		r = rn_mk(c, RN_SEQ, n->n, n);
		for (size_t i = 0; r && i < n->n; i++) {
			r->kids[i] = rn_raw(c, n->kids[i]);
			if (!r->kids[i])
				return NULL;
			r->n++;
		}
		break;
	default:
		r = rn_mk(c, RN_MAP, n->n, n);
		for (size_t i = 0; r && i < n->n; i++) {
			/* a key is text; a complex key ("? [a, b]", which CloudFormation
			 * refuses) shows as "?", as in eval_node */
			const ynode *k = n->kids[2 * i];
			r->kids[2 * i] =
			    k->kind == YNODE_SCALAR ? rn_raw(c, k) : rn_mk_str(c, "?", true, k);
			r->kids[2 * i + 1] = rn_raw(c, n->kids[2 * i + 1]);
			if (!r->kids[2 * i] || !r->kids[2 * i + 1])
				return NULL;
			r->n++;
		}
		break;
	}
	if (r && fn)
		r->fn = fn;
	return r;
}

rnode *rn_eval_arg(rctx *c, const ynode *n, const ynode *arg)
{
	return arg != n ? rn_eval(c, arg) : rn_eval_node(c, n, true);
}

rnode *rn_split_list(rctx *c, const char *s, const char *delim, const ynode *src)
{
	size_t dl = strlen(delim), count = 1;
	for (const char *p = s; dl && (p = strstr(p, delim)) != NULL; p += dl)
		count++;
	rnode *r = rn_mk(c, RN_SEQ, count, src);
	if (!r)
		return NULL;
	const char *start = s;
	for (size_t i = 0; i < count; i++) {
		const char *end = i + 1 < count ? strstr(start, delim) : start + strlen(start);
		r->kids[i] = rn_mk_strdup(c, start, (size_t)(end - start), src);
		if (!r->kids[i])
			return NULL;
		r->n++;
		start = end + dl;
	}
	return r;
}

rnode *rn_symbolic_ref(rctx *c, const char *name, const ynode *src)
{
	rnode *arg = rn_mk_str(c, name, true, src);
	return arg ? rn_symbolic(c, "Ref", arg) : NULL;
}
