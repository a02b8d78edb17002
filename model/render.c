#define _GNU_SOURCE /* qsort_r */
#include "model/render.h"

#include "model/assemble.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Everything the rendered tree holds lives in one arena, freed at once.
 * Its size is capped: a template can make Fn::Sub repeat a value that is
 * itself repeated (exponential growth), and a hostile one must end as an
 * error, not as the machine's memory. */
#define RENDER_DEFAULT_MAX_BYTES ((size_t)64 * 1024 * 1024)
#define CHUNK_MIN ((size_t)64 * 1024)
/* Conditions name conditions and intrinsics nest; beyond this the template
 * is hostile (ydoc already caps a document's nesting at 256). */
#define RENDER_MAX_DEPTH 1024
/* Fn::Cidr returns 1 to 256 blocks (CloudFormation's limit). */
#define CIDR_MAX_COUNT 256

typedef struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
} chunk;

struct render_arena {
	chunk *head;
	size_t total, max;
	bool failed;
	size_t *by_id; /* indexes of rendered.res sorted by id */
};

static void *arena_alloc(struct render_arena *a, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	if (a->failed)
		return NULL;
	if (!a->head || a->head->cap - a->head->used < size) {
		size_t cap = size > CHUNK_MIN ? size : CHUNK_MIN;
		if (a->total + cap > a->max) {
			a->failed = true;
			return NULL;
		}
		chunk *c = malloc(sizeof(chunk) + cap);
		if (!c) {
			a->failed = true;
			return NULL;
		}
		c->next = a->head;
		c->used = 0;
		c->cap = cap;
		a->head = c;
		a->total += cap;
	}
	void *p = (char *)a->head->data + a->head->used;
	a->head->used += size;
	return p;
}

static char *arena_strndup(struct render_arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void arena_free(struct render_arena *a)
{
	if (!a)
		return;
	for (chunk *c = a->head; c;) {
		chunk *next = c->next;
		free(c);
		c = next;
	}
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

/* ---- evaluation context ------------------------------------------------ */

typedef enum { COND_UNVISITED, COND_BUSY, COND_FALSE, COND_TRUE, COND_UNKNOWN } cond_state;

typedef struct name_index {
	const char **names;
	size_t *idx;
	size_t n;
} name_index;

typedef struct rctx {
	const catalog *cat;
	const model *m;
	const render_options *opt;
	findings *out;
	struct render_arena *a;
	const char *file; /* fragment of the node being evaluated */
	const char *region, *partition, *url_suffix, *stack, *account;
	const char *const *azs;
	size_t nazs;
	cond_state *cond;    /* per catalog condition */
	signed char *exists; /* per catalog resource: 1, 0, -1 unknown; 2 not yet known */
	name_index params, conds, resources, mappings;
	bool *cond_used_unknown; /* per condition: kept in the rendered Conditions */
	rnode *novalue;          /* sentinel: AWS::NoValue */
	const ynode *untagged;   /* the short-form node being read as its own argument */
	int depth;
} rctx;

static int cmp_name(const void *a, const void *b, void *names)
{
	const char *const *n = names;
	return strcmp(n[*(const size_t *)a], n[*(const size_t *)b]);
}

/* a sorted index over names (catalog lookups are linear; a template has
 * hundreds of references) */
static bool index_build(name_index *ix, size_t n, const char *(*name_of)(const catalog *, size_t),
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

static long index_find(const name_index *ix, const char *name)
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

static void index_free(name_index *ix)
{
	free(ix->names);
	free(ix->idx);
}

static const char *param_name(const catalog *cat, size_t i)
{
	return cat->params[i].e.name;
}
static const char *cond_name(const catalog *cat, size_t i)
{
	return cat->entries[SEC_CONDITIONS][i].name;
}
static const char *res_name(const catalog *cat, size_t i)
{
	return cat->entries[SEC_RESOURCES][i].name;
}
static const char *map_name(const catalog *cat, size_t i)
{
	return cat->entries[SEC_MAPPINGS][i].name;
}

static void problem(rctx *c, const char *rule, const ynode *at, const char *hint, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));
static void problem(rctx *c, const char *rule, const ynode *at, const char *hint, const char *fmt,
                    ...)
{
	if (!c->out)
		return;
	buf msg;
	buf_init(&msg, 0);
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	findings_add(c->out, rule, SEV_ERROR, "", hint, "%s", buf_cstr(&msg));
	buf_free(&msg);
	if (at && c->file)
		findings_set_position(c->out, c->out->n - 1, c->file, at->start.line,
		                      at->start.col);
}

/* ---- nodes -------------------------------------------------------------- */

static rnode *mk(rctx *c, rnode_kind kind, size_t n, const ynode *src)
{
	rnode *r = arena_alloc(c->a, sizeof(rnode));
	if (!r)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->src = src;
	r->file = c->file;
	if (n) {
		size_t slots = kind == RN_MAP ? 2 * n : n;
		r->kids = arena_alloc(c->a, slots * sizeof(rnode *));
		if (!r->kids)
			return NULL;
	}
	return r;
}

static rnode *mk_str(rctx *c, const char *s, bool plain, const ynode *src)
{
	rnode *r = mk(c, RN_SCALAR, 0, src);
	if (!r)
		return NULL;
	r->str = s;
	r->plain = plain;
	return r;
}

static rnode *mk_strdup(rctx *c, const char *s, size_t n, const ynode *src)
{
	char *d = arena_strndup(c->a, s, n);
	return d ? mk_str(c, d, false, src) : NULL;
}

/* `n` with its intrinsic kept: the node is the argument, marked with fn */
static rnode *symbolic(rctx *c, const char *fn, rnode *arg)
{
	if (!arg)
		return NULL;
	if (arg->fn) {
		/* the argument is itself symbolic: wrap it in a one-key map */
		rnode *w = mk(c, RN_MAP, 1, arg->src);
		if (!w)
			return NULL;
		w->n = 1;
		w->kids[0] = mk_str(c, arg->fn, true, arg->src);
		rnode *inner = arena_alloc(c->a, sizeof(rnode));
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
static const char *intrinsic(rctx *c, const ynode *n, const ynode **arg, bool *known, bool untagged)
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
		char *name = b.failed ? NULL : arena_strndup(c->a, b.data, b.len);
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
static const ynode *item(const ynode *arg, size_t i)
{
	return arg && arg->kind == YNODE_SEQ && i < arg->n ? arg->kids[i] : NULL;
}

static size_t items(const ynode *arg)
{
	return arg && arg->kind == YNODE_SEQ ? arg->n : 0;
}

/* The string of a scalar argument: the tagged node itself in the short form
 * (`!Ref X`), an untagged scalar in the long form; NULL otherwise. */
static const char *arg_scalar(const ynode *n, const ynode *arg)
{
	if (!arg || arg->kind != YNODE_SCALAR || (arg != n && arg->tag))
		return NULL;
	return arg->str;
}

static bool is_null_scalar(const ynode *n)
{
	return n->kind == YNODE_SCALAR && !n->tag && n->style == YSTYLE_PLAIN &&
	       (n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
	        strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0);
}

/* A node as data, intrinsics kept as symbolic and not evaluated: for what
 * cannot be evaluated (a malformed intrinsic, an undecided condition). */
static rnode *raw(rctx *c, const ynode *n)
{
	if (!n)
		return mk_str(c, "", true, NULL);
	const ynode *arg = NULL;
	bool known;
	const char *fn = intrinsic(c, n, &arg, &known, n == c->untagged);
	if (fn && arg != n) {
		rnode *inner = raw(c, arg);
		return inner ? symbolic(c, fn, inner) : NULL;
	}
	rnode *r;
	switch (n->kind) {
	case YNODE_SCALAR:
		r = mk_str(c, n->str, n->style == YSTYLE_PLAIN, n);
		break;
	case YNODE_SEQ:
		r = mk(c, RN_SEQ, n->n, n);
		for (size_t i = 0; r && i < n->n; i++) {
			r->kids[i] = raw(c, n->kids[i]);
			if (!r->kids[i])
				return NULL;
			r->n++;
		}
		break;
	default:
		r = mk(c, RN_MAP, n->n, n);
		for (size_t i = 0; r && i < n->n; i++) {
			/* a key is text; a complex key ("? [a, b]", which CloudFormation
			 * refuses) shows as "?", as in eval_node */
			const ynode *k = n->kids[2 * i];
			r->kids[2 * i] =
			    k->kind == YNODE_SCALAR ? raw(c, k) : mk_str(c, "?", true, k);
			r->kids[2 * i + 1] = raw(c, n->kids[2 * i + 1]);
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

static rnode *eval(rctx *c, const ynode *n);
static rnode *eval_node(rctx *c, const ynode *n, bool untagged);

/* The argument of an intrinsic evaluated: in the short form (`!Base64
 * {Fn::Sub: ...}`) the tagged node itself, read without its tag. */
static rnode *eval_arg(rctx *c, const ynode *n, const ynode *arg)
{
	return arg != n ? eval(c, arg) : eval_node(c, n, true);
}

/* ---- conditions --------------------------------------------------------- */

static int cond_value(rctx *c, const ynode *n);

static int deep_equal(const rnode *a, const rnode *b)
{
	if (a->fn || b->fn)
		return -1;
	if (a->kind != b->kind)
		return 0;
	if (a->kind == RN_SCALAR)
		return strcmp(a->str, b->str) == 0;
	if (a->n != b->n)
		return 0;
	size_t slots = a->kind == RN_MAP ? 2 * a->n : a->n;
	int result = 1;
	for (size_t i = 0; i < slots; i++) {
		int e = deep_equal(a->kids[i], b->kids[i]);
		if (e == 0)
			return 0;
		if (e < 0)
			result = -1;
	}
	return result;
}

/* The value of the condition named `name` (1, 0, -1 unknown); `at` is
 * where it is named, for a finding when it does not exist. */
static int cond_named(rctx *c, const char *name, const ynode *at)
{
	long i = index_find(&c->conds, name);
	if (i < 0) {
		problem(c, "REN002", at, "define the condition in a fragment's Conditions",
		        "condition '%s' is not defined", name);
		return -1;
	}
	switch (c->cond[i]) {
	case COND_TRUE:
		return 1;
	case COND_FALSE:
		return 0;
	case COND_UNKNOWN:
		return -1;
	case COND_BUSY:
		problem(c, "REN001", at, "break the cycle", "condition '%s' depends on itself",
		        name);
		return -1;
	case COND_UNVISITED:
		break;
	}
	c->cond[i] = COND_BUSY;
	const cat_entry *e = &c->cat->entries[SEC_CONDITIONS][i];
	const char *saved = c->file;
	c->file = e->frag->path;
	int v = cond_value(c, e->value);
	c->file = saved;
	c->cond[i] = v < 0 ? COND_UNKNOWN : v ? COND_TRUE : COND_FALSE;
	return v;
}

static int cond_value(rctx *c, const ynode *n)
{
	const ynode *arg = NULL;
	bool known;
	const char *fn = intrinsic(c, n, &arg, &known, false);
	/* in Conditions, {Condition: Name} is an intrinsic too */
	if (!fn && n && n->kind == YNODE_MAP && n->n == 1 &&
	    ynode_key(n, 0)->kind == YNODE_SCALAR &&
	    strcmp(ynode_key(n, 0)->str, "Condition") == 0) {
		fn = "Condition";
		arg = ynode_val(n, 0);
	}
	if (!fn) {
		problem(c, "REN001", n, "use Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition",
		        "a condition must be a condition function");
		return -1;
	}
	if (++c->depth > RENDER_MAX_DEPTH) {
		c->depth--;
		problem(c, "REN003", n, NULL, "conditions nest too deeply to evaluate");
		return -1;
	}
	int v = -1;
	if (strcmp(fn, "Condition") == 0) {
		if (arg_scalar(n, arg))
			v = cond_named(c, arg_scalar(n, arg), arg);
		else
			problem(c, "REN001", n, NULL, "Condition takes a condition name");
	} else if (strcmp(fn, "Fn::Equals") == 0) {
		if (items(arg) != 2) {
			problem(c, "REN001", n, NULL, "Fn::Equals takes a list of two values");
		} else {
			rnode *a = eval(c, item(arg, 0));
			rnode *b = eval(c, item(arg, 1));
			if (a && b && a != c->novalue && b != c->novalue)
				v = deep_equal(a, b);
		}
	} else if (strcmp(fn, "Fn::Not") == 0) {
		if (items(arg) != 1) {
			problem(c, "REN001", n, NULL, "Fn::Not takes a list of one condition");
		} else {
			int x = cond_value(c, item(arg, 0));
			v = x < 0 ? -1 : !x;
		}
	} else if (strcmp(fn, "Fn::And") == 0 || strcmp(fn, "Fn::Or") == 0) {
		bool is_and = fn[4] == 'A';
		if (items(arg) < 1) {
			problem(c, "REN001", n, NULL, "%s takes a list of conditions", fn);
		} else {
			bool unknown = false, decided = false;
			/* every operand is evaluated, for its findings */
			for (size_t i = 0; i < items(arg); i++) {
				int x = cond_value(c, item(arg, i));
				if (x < 0)
					unknown = true;
				else if (!decided && x == (is_and ? 0 : 1)) {
					decided = true;
					v = x;
				}
			}
			if (!decided)
				v = unknown ? -1 : is_and;
		}
	} else {
		problem(c, "REN001", n, "use Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition",
		        "%s is not a condition function", fn);
	}
	c->depth--;
	return v;
}

/* ---- pseudo parameters and Ref ------------------------------------------ */

static rnode *split_list(rctx *c, const char *s, const char *delim, const ynode *src)
{
	size_t dl = strlen(delim), count = 1;
	for (const char *p = s; dl && (p = strstr(p, delim)) != NULL; p += dl)
		count++;
	rnode *r = mk(c, RN_SEQ, count, src);
	if (!r)
		return NULL;
	const char *start = s;
	for (size_t i = 0; i < count; i++) {
		const char *end = i + 1 < count ? strstr(start, delim) : start + strlen(start);
		r->kids[i] = mk_strdup(c, start, (size_t)(end - start), src);
		if (!r->kids[i])
			return NULL;
		r->n++;
		start = end + dl;
	}
	return r;
}

static rnode *symbolic_ref(rctx *c, const char *name, const ynode *src)
{
	rnode *arg = mk_str(c, name, true, src);
	return arg ? symbolic(c, "Ref", arg) : NULL;
}

/* Whether resource `i` exists for the model (1, 0, -1 unknown). */
static int resource_exists(rctx *c, long i)
{
	if (c->exists[i] != 2)
		return c->exists[i];
	const cat_entry *e = &c->cat->entries[SEC_RESOURCES][i];
	const ynode *cond = ynode_get(e->value, "Condition");
	int v = 1;
	if (cond) {
		const char *saved = c->file;
		c->file = e->frag->path;
		if (cond->kind == YNODE_SCALAR && !cond->tag) {
			v = cond_named(c, cond->str, cond);
		} else {
			problem(c, "REN001", cond, NULL,
			        "a resource's Condition is a condition name");
			v = -1;
		}
		c->file = saved;
	}
	c->exists[i] = (signed char)v;
	return v;
}

/* A reference to resource `name` from the node `at`; false (with a finding)
 * when it does not exist for the model. */
static bool check_resource_ref(rctx *c, const char *name, const ynode *at, const char *what)
{
	long i = index_find(&c->resources, name);
	if (i < 0)
		return false;
	if (resource_exists(c, i) == 0) {
		const cat_entry *e = &c->cat->entries[SEC_RESOURCES][i];
		problem(c, "REN002", at, "guard the reference with Fn::If on the same condition",
		        "%s %s, which does not exist for this model (its condition %s is false)",
		        what, name, ynode_str(ynode_get(e->value, "Condition")));
	}
	return true;
}

/* The value of a pseudo parameter; NULL when it stays symbolic. `known` is
 * false for a name that is not one. */
static const char *pseudo(rctx *c, const char *name, bool *known)
{
	*known = true;
	if (strcmp(name, "AWS::Region") == 0)
		return c->region;
	if (strcmp(name, "AWS::AccountId") == 0)
		return c->account;
	if (strcmp(name, "AWS::StackName") == 0)
		return c->stack;
	if (strcmp(name, "AWS::Partition") == 0)
		return c->partition;
	if (strcmp(name, "AWS::URLSuffix") == 0)
		return c->url_suffix;
	if (strcmp(name, "AWS::StackId") == 0 || strcmp(name, "AWS::NotificationARNs") == 0)
		return NULL;
	*known = false;
	return NULL;
}

static rnode *fn_ref(rctx *c, const ynode *n, const ynode *arg)
{
	const char *name = arg_scalar(n, arg);
	if (!name) {
		problem(c, "REN001", n, NULL, "Ref takes the name of a parameter or resource");
		return raw(c, n);
	}
	if (strcmp(name, "AWS::NoValue") == 0)
		return c->novalue;
	if (strncmp(name, "AWS::", 5) == 0) {
		bool known;
		const char *v = pseudo(c, name, &known);
		if (!known)
			problem(c, "REN002", arg, NULL, "%s is not a pseudo parameter", name);
		return v ? mk_str(c, v, false, n) : symbolic_ref(c, name, n);
	}
	long p = index_find(&c->params, name);
	if (p >= 0) {
		const cat_param *cp = &c->cat->params[p];
		const char *v = model_param_value(c->m, c->cat, name);
		if (!v)
			return symbolic_ref(c, name, n);
		if (cat_type_is_list(cp->type))
			return split_list(c, v, ",", n);
		return mk_str(c, v, false, n);
	}
	if (check_resource_ref(c, name, arg, "Ref names"))
		return symbolic_ref(c, name, n);
	problem(c, "REN002", arg, "check the spelling, or define it in a fragment",
	        "Ref to '%s', which is neither a parameter nor a resource", name);
	return symbolic_ref(c, name, n);
}

static rnode *fn_getatt(rctx *c, const ynode *n, const ynode *arg)
{
	const char *id = NULL, *attr = NULL;
	size_t idlen = 0;
	rnode *attr_node = NULL;
	const char *whole = arg_scalar(n, arg);
	if (whole) {
		const char *dot = strchr(whole, '.');
		if (dot && dot != whole && dot[1]) {
			id = whole;
			idlen = (size_t)(dot - whole);
			attr = dot + 1;
		}
	} else if (items(arg) == 2 && item(arg, 0)->kind == YNODE_SCALAR && !item(arg, 0)->tag) {
		id = item(arg, 0)->str;
		idlen = strlen(id);
		attr_node = eval(c, item(arg, 1)); /* may be a Ref to a parameter */
		if (!attr_node)
			return NULL;
		attr = rnode_str(attr_node);
	}
	if (!id || (!attr && !attr_node) || attr_node == c->novalue) {
		problem(c, "REN001", n, "write !GetAtt Resource.Attribute",
		        "Fn::GetAtt takes a resource and an attribute");
		return raw(c, n);
	}
	char *name = arena_strndup(c->a, id, idlen);
	if (!name)
		return NULL;
	if (!check_resource_ref(c, name, n, "Fn::GetAtt reads")) {
		problem(c, "REN002", n, "check the spelling, or define the resource",
		        "Fn::GetAtt reads '%s', which is not a resource", name);
	}
	rnode *r = mk(c, RN_SEQ, 2, n);
	if (!r)
		return NULL;
	r->kids[0] = mk_str(c, name, true, n);
	r->kids[1] = attr ? mk_str(c, attr, true, n) : attr_node;
	if (!r->kids[0] || !r->kids[1])
		return NULL;
	r->n = 2;
	r->fn = "Fn::GetAtt";
	return r;
}

/* ---- Fn::Sub ------------------------------------------------------------ */

/* Appends literal text to a Sub template that stays symbolic: a "${" in it
 * must not start a variable there. */
static void add_escaped(buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		buf_addc(b, s[i]);
		if (s[i] == '$' && i + 1 < n && s[i + 1] == '{') {
			buf_adds(b, "{!");
			i++;
		}
	}
}

static bool sub_name_ok(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == ':'))
			return false;
	}
	return true;
}

static size_t max_string(const rctx *c)
{
	size_t left = c->a->max > c->a->total ? c->a->max - c->a->total : 0;
	return left + CHUNK_MIN;
}

static rnode *fn_sub(rctx *c, const ynode *n, const ynode *arg)
{
	const ynode *tmpl = NULL, *vars = NULL;
	if (arg_scalar(n, arg))
		tmpl = arg;
	else if (items(arg) == 2 && item(arg, 0)->kind == YNODE_SCALAR && !item(arg, 0)->tag &&
	         item(arg, 1)->kind == YNODE_MAP && !item(arg, 1)->tag)
		tmpl = item(arg, 0), vars = item(arg, 1);
	if (!tmpl) {
		problem(c, "REN001", n, "write !Sub 'text' or !Sub ['text', {Var: value}]",
		        "Fn::Sub takes a string, or a string and a mapping of variables");
		return raw(c, n);
	}
	/* the variables' values, evaluated once each */
	size_t nv = vars ? vars->n : 0;
	rnode **values = nv ? arena_alloc(c->a, nv * sizeof(rnode *)) : NULL;
	bool *used = nv ? arena_alloc(c->a, nv * sizeof(bool)) : NULL;
	if (nv && (!values || !used))
		return NULL;
	for (size_t i = 0; i < nv; i++) {
		used[i] = false;
		values[i] = eval(c, ynode_val(vars, i));
		if (!values[i])
			return NULL;
		if (values[i] == c->novalue || (values[i]->kind != RN_SCALAR && !values[i]->fn)) {
			problem(c, "REN001", ynode_val(vars, i), NULL,
			        "a Fn::Sub variable must be a string");
			values[i] = NULL;
		}
	}
	buf text, sym;
	buf_init(&text, max_string(c));
	buf_init(&sym, max_string(c));
	bool symbolic_result = false;
	const char *s = tmpl->str;
	for (const char *p = s; *p;) {
		const char *open = strstr(p, "${");
		if (!open) {
			buf_adds(&text, p);
			add_escaped(&sym, p, strlen(p));
			break;
		}
		buf_add(&text, p, (size_t)(open - p));
		add_escaped(&sym, p, (size_t)(open - p));
		const char *close = strchr(open + 2, '}');
		if (!close) {
			/* no closing brace: the rest is literal text */
			buf_adds(&text, open);
			buf_adds(&sym, open);
			break;
		}
		const char *name = open + 2;
		size_t len = (size_t)(close - name);
		p = close + 1;
		if (len && name[0] == '!') {
			/* ${!Literal} is the text ${Literal} */
			buf_adds(&text, "${");
			buf_add(&text, name + 1, len);
			buf_add(&sym, open, (size_t)(p - open));
			continue;
		}
		const char *value = NULL;
		bool keep = false; /* stays ${name} in a symbolic Sub */
		bool found = false;
		for (size_t i = 0; i < nv; i++) {
			const ynode *k = ynode_key(vars, i);
			if (k->kind == YNODE_SCALAR && strlen(k->str) == len &&
			    memcmp(k->str, name, len) == 0) {
				found = true;
				if (!values[i])
					keep = true;
				else if (values[i]->fn)
					keep = used[i] = true;
				else
					value = values[i]->str;
				break;
			}
		}
		if (!found) {
			char *nm = arena_strndup(c->a, name, len);
			if (!nm) {
				buf_free(&text);
				buf_free(&sym);
				return NULL;
			}
			const char *dot = strchr(nm, '.');
			bool pseudo_known = false;
			if (!sub_name_ok(nm, len)) {
				problem(c, "REN002", tmpl, NULL,
				        "Fn::Sub variable '${%s}' is not a valid name", nm);
				keep = true;
			} else if (strncmp(nm, "AWS::", 5) == 0) {
				value = pseudo(c, nm, &pseudo_known);
				if (!pseudo_known)
					problem(c, "REN002", tmpl, NULL,
					        "Fn::Sub names %s, which is not a pseudo parameter",
					        nm);
				keep = value == NULL;
			} else if (!dot && index_find(&c->params, nm) >= 0) {
				const cat_param *cp = &c->cat->params[index_find(&c->params, nm)];
				value = model_param_value(c->m, c->cat, nm);
				if (cat_type_is_list(cp->type))
					problem(
					    c, "REN001", tmpl, "use Fn::Join for list parameters",
					    "Fn::Sub cannot substitute the list parameter %s", nm);
				keep = value == NULL;
			} else {
				char *id = dot ? arena_strndup(c->a, nm, (size_t)(dot - nm)) : nm;
				if (!id) {
					buf_free(&text);
					buf_free(&sym);
					return NULL;
				}
				if (!check_resource_ref(c, id, tmpl, "Fn::Sub names"))
					problem(c, "REN002", tmpl,
					        "check the spelling, or define it in a fragment",
					        "Fn::Sub names '%s', which is neither a parameter "
					        "nor a resource",
					        nm);
				keep = true;
			}
		}
		if (keep) {
			symbolic_result = true;
			buf_add(&sym, open, (size_t)(p - open));
		} else {
			buf_adds(&text, value);
			add_escaped(&sym, value, strlen(value));
		}
	}
	rnode *r = NULL;
	if (text.failed || sym.failed) {
		problem(c, "REN003", n, NULL, "Fn::Sub produces a string too large to render");
		buf_free(&text);
		buf_free(&sym);
		r = raw(c, n);
		return r;
	}
	if (!symbolic_result) {
		r = mk_strdup(c, text.data ? text.data : "", text.len, n);
	} else {
		size_t remaining = 0;
		for (size_t i = 0; i < nv; i++)
			remaining += used[i];
		rnode *t = mk_strdup(c, sym.data ? sym.data : "", sym.len, tmpl);
		if (t && !remaining) {
			r = symbolic(c, "Fn::Sub", t);
		} else if (t) {
			rnode *map = mk(c, RN_MAP, remaining, vars);
			r = mk(c, RN_SEQ, 2, n);
			if (map && r) {
				for (size_t i = 0; i < nv; i++) {
					if (!used[i])
						continue;
					map->kids[2 * map->n] = mk_str(c, ynode_key(vars, i)->str,
					                               true, ynode_key(vars, i));
					map->kids[2 * map->n + 1] = values[i];
					map->n++;
				}
				r->kids[0] = t;
				r->kids[1] = map;
				r->n = 2;
				r->fn = "Fn::Sub";
			}
		}
	}
	buf_free(&text);
	buf_free(&sym);
	return r;
}

/* ---- list functions ----------------------------------------------------- */

static rnode *fn_join(rctx *c, const ynode *n, const ynode *arg)
{
	if (items(arg) != 2) {
		problem(c, "REN001", n, "write !Join [delimiter, [values]]",
		        "Fn::Join takes a delimiter and a list");
		return raw(c, n);
	}
	rnode *delim = eval(c, item(arg, 0));
	rnode *list = eval(c, item(arg, 1));
	if (!delim || !list)
		return NULL;
	if (!rnode_str(delim) || list == c->novalue || (!list->fn && list->kind != RN_SEQ)) {
		problem(c, "REN001", n, "write !Join [delimiter, [values]]",
		        "Fn::Join takes a string delimiter and a list");
		return raw(c, n);
	}
	bool all_known = !list->fn;
	for (size_t i = 0; all_known && i < list->n; i++) {
		const rnode *x = list->kids[i];
		if (x->fn)
			all_known = false;
		else if (x->kind != RN_SCALAR) {
			problem(c, "REN001", n, NULL,
			        "Fn::Join joins strings, not lists or mappings");
			return raw(c, n);
		}
	}
	if (!all_known) {
		rnode *r = mk(c, RN_SEQ, 2, n);
		if (!r)
			return NULL;
		r->kids[0] = delim;
		r->kids[1] = list;
		r->n = 2;
		r->fn = "Fn::Join";
		return r;
	}
	buf b;
	buf_init(&b, max_string(c));
	for (size_t i = 0; i < list->n; i++) {
		if (i)
			buf_adds(&b, delim->str);
		buf_adds(&b, list->kids[i]->str);
	}
	if (b.failed) {
		buf_free(&b);
		problem(c, "REN003", n, NULL, "Fn::Join produces a string too large to render");
		return raw(c, n);
	}
	rnode *r = mk_strdup(c, b.data ? b.data : "", b.len, n);
	buf_free(&b);
	return r;
}

static bool parse_index(const char *s, long *out)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || strspn(s, "0123456789") != strlen(s))
		return false;
	*out = v;
	return true;
}

static rnode *fn_select(rctx *c, const ynode *n, const ynode *arg)
{
	if (items(arg) != 2) {
		problem(c, "REN001", n, "write !Select [index, list]",
		        "Fn::Select takes an index and a list");
		return raw(c, n);
	}
	rnode *index = eval(c, item(arg, 0));
	rnode *list = eval(c, item(arg, 1));
	if (!index || !list)
		return NULL;
	long i;
	if (index->fn || list->fn) {
		rnode *r = mk(c, RN_SEQ, 2, n);
		if (!r)
			return NULL;
		r->kids[0] = index;
		r->kids[1] = list;
		r->n = 2;
		r->fn = "Fn::Select";
		return r;
	}
	if (!parse_index(rnode_str(index), &i)) {
		problem(c, "REN001", item(arg, 0), NULL,
		        "Fn::Select's index must be a whole number of 0 or more");
		return raw(c, n);
	}
	if (list == c->novalue || list->kind != RN_SEQ) {
		problem(c, "REN001", n, NULL, "Fn::Select selects from a list");
		return raw(c, n);
	}
	if ((size_t)i >= list->n) {
		problem(c, "REN004", n, NULL,
		        "Fn::Select index %ld is out of range: the list has %zu item(s)", i,
		        list->n);
		return raw(c, n);
	}
	return list->kids[i];
}

static rnode *fn_split(rctx *c, const ynode *n, const ynode *arg)
{
	if (items(arg) != 2) {
		problem(c, "REN001", n, "write !Split [delimiter, string]",
		        "Fn::Split takes a delimiter and a string");
		return raw(c, n);
	}
	rnode *delim = eval(c, item(arg, 0));
	rnode *src = eval(c, item(arg, 1));
	if (!delim || !src)
		return NULL;
	if (!rnode_str(delim) || !*delim->str || src == c->novalue ||
	    (!src->fn && src->kind != RN_SCALAR)) {
		problem(c, "REN001", n, NULL, "Fn::Split takes a non-empty delimiter and a string");
		return raw(c, n);
	}
	if (src->fn) {
		rnode *r = mk(c, RN_SEQ, 2, n);
		if (!r)
			return NULL;
		r->kids[0] = delim;
		r->kids[1] = src;
		r->n = 2;
		r->fn = "Fn::Split";
		return r;
	}
	return split_list(c, src->str, delim->str, n);
}

static rnode *fn_getazs(rctx *c, const ynode *n, const ynode *arg)
{
	rnode *region = eval_arg(c, n, arg);
	if (!region)
		return NULL;
	if (region == c->novalue || (!region->fn && region->kind != RN_SCALAR)) {
		problem(c, "REN001", n, "write !GetAZs '' (this region)",
		        "Fn::GetAZs takes a region name");
		return raw(c, n);
	}
	if (region->fn)
		return symbolic(c, "Fn::GetAZs", region);
	const char *name = *region->str ? region->str : c->region;
	const char *const *azs;
	size_t count;
	if (strcmp(name, c->region) == 0) {
		azs = c->azs;
		count = c->nazs;
	} else {
		azs = render_region_azs(name, &count);
	}
	if (!azs) {
		/* not a template error: the region is outside the table */
		return symbolic(c, "Fn::GetAZs", region);
	}
	rnode *r = mk(c, RN_SEQ, count, n);
	for (size_t i = 0; r && i < count; i++) {
		r->kids[i] = mk_str(c, azs[i], false, n);
		if (!r->kids[i])
			return NULL;
		r->n++;
	}
	return r;
}

/* IPv4 or IPv6 address arithmetic on 16 big-endian bytes. */
static void addr_add_shifted(unsigned char *a, size_t len, unsigned long value, unsigned shift)
{
	/* a += value << shift */
	unsigned carry = 0;
	for (size_t bit = 0; bit < len * 8; bit += 8) {
		/* the byte of (value << shift) at this bit position */
		unsigned long byte = 0;
		if (bit + 8 > shift) {
			unsigned long from = bit >= shift ? bit - shift : 0;
			unsigned lo_pad = bit >= shift ? 0 : shift - (unsigned)bit;
			if (from < sizeof(unsigned long) * 8)
				byte = ((value >> from) << lo_pad) & 0xFF;
		}
		size_t idx = len - 1 - bit / 8;
		unsigned sum = a[idx] + (unsigned)byte + carry;
		a[idx] = (unsigned char)(sum & 0xFF);
		carry = sum >> 8;
	}
}

static rnode *fn_cidr(rctx *c, const ynode *n, const ynode *arg)
{
	if (items(arg) != 3) {
		problem(c, "REN001", n, "write !Cidr [ipBlock, count, cidrBits]",
		        "Fn::Cidr takes an address block, a count and a size in bits");
		return raw(c, n);
	}
	rnode *block = eval(c, item(arg, 0));
	rnode *count_n = eval(c, item(arg, 1));
	rnode *bits_n = eval(c, item(arg, 2));
	if (!block || !count_n || !bits_n)
		return NULL;
	if (block->fn || count_n->fn || bits_n->fn) {
		rnode *r = mk(c, RN_SEQ, 3, n);
		if (!r)
			return NULL;
		r->kids[0] = block;
		r->kids[1] = count_n;
		r->kids[2] = bits_n;
		r->n = 3;
		r->fn = "Fn::Cidr";
		return r;
	}
	long count, bits;
	const char *b = rnode_str(block);
	if (!b || !parse_index(rnode_str(count_n), &count) ||
	    !parse_index(rnode_str(bits_n), &bits)) {
		problem(c, "REN001", n, NULL,
		        "Fn::Cidr takes an address block and two whole numbers");
		return raw(c, n);
	}
	const char *slash = strchr(b, '/');
	long prefix;
	unsigned char addr[16];
	char host[64];
	bool v6 = b && strchr(b, ':');
	size_t alen = v6 ? 16 : 4;
	long width = v6 ? 128 : 32;
	if (!slash || (size_t)(slash - b) >= sizeof(host) || !parse_index(slash + 1, &prefix) ||
	    prefix > width) {
		problem(c, "REN001", item(arg, 0), NULL, "'%s' is not an address block (a.b.c.d/n)",
		        b);
		return raw(c, n);
	}
	memcpy(host, b, (size_t)(slash - b));
	host[slash - b] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, host, addr) != 1) {
		problem(c, "REN001", item(arg, 0), NULL, "'%s' is not an address block (a.b.c.d/n)",
		        b);
		return raw(c, n);
	}
	if (count < 1 || count > CIDR_MAX_COUNT || bits < 1 || bits > width - prefix) {
		problem(c, "REN004", n, NULL,
		        "Fn::Cidr cannot cut %ld block(s) of %ld host bits out of %s (count 1 to "
		        "256, host bits 1 to %ld)",
		        count, bits, b, width - prefix);
		return raw(c, n);
	}
	/* the blocks must fit: count <= 2^(width - prefix - bits) */
	long room_bits = width - prefix - bits;
	if (room_bits < 9 && count > (1L << room_bits)) {
		problem(c, "REN004", n, NULL,
		        "Fn::Cidr: %s holds %ld block(s) of %ld host bits, not %ld", b,
		        1L << room_bits, bits, count);
		return raw(c, n);
	}
	/* the network address of the block */
	for (long bit = prefix; bit < width; bit++)
		addr[bit / 8] &= (unsigned char)~(0x80u >> (bit % 8));
	rnode *r = mk(c, RN_SEQ, (size_t)count, n);
	for (long i = 0; r && i < count; i++) {
		unsigned char a[16];
		memcpy(a, addr, alen);
		addr_add_shifted(a, alen, (unsigned long)i, (unsigned)bits);
		char text[INET6_ADDRSTRLEN + 8];
		if (!inet_ntop(v6 ? AF_INET6 : AF_INET, a, text, INET6_ADDRSTRLEN))
			return NULL;
		size_t tl = strlen(text);
		snprintf(text + tl, sizeof(text) - tl, "/%ld", width - bits);
		r->kids[i] = mk_strdup(c, text, strlen(text), n);
		if (!r->kids[i])
			return NULL;
		r->n++;
	}
	return r;
}

static rnode *fn_findinmap(rctx *c, const ynode *n, const ynode *arg)
{
	size_t k = items(arg);
	if (k != 3 && k != 4) {
		problem(c, "REN001", n, "write !FindInMap [Map, TopKey, SecondKey]",
		        "Fn::FindInMap takes a mapping name and two keys");
		return raw(c, n);
	}
	rnode *key[3];
	for (size_t i = 0; i < 3; i++) {
		key[i] = eval(c, item(arg, i));
		if (!key[i])
			return NULL;
		if (key[i] == c->novalue || (!key[i]->fn && key[i]->kind != RN_SCALAR)) {
			problem(c, "REN001", item(arg, i), NULL,
			        "Fn::FindInMap's names and keys are strings");
			return raw(c, n);
		}
	}
	rnode *fallback = NULL;
	if (k == 4) {
		const ynode *opt = item(arg, 3);
		const ynode *dv = ynode_get(opt, "DefaultValue");
		if (!dv) {
			problem(c, "REN001", opt, NULL,
			        "Fn::FindInMap's fourth item is {DefaultValue: value}");
			return raw(c, n);
		}
		fallback = eval(c, dv);
		if (!fallback)
			return NULL;
	}
	if (key[0]->fn || key[1]->fn || key[2]->fn) {
		rnode *r = mk(c, RN_SEQ, k, n);
		if (!r)
			return NULL;
		for (size_t i = 0; i < 3; i++)
			r->kids[i] = key[i];
		r->n = 3;
		if (fallback) {
			rnode *opt = mk(c, RN_MAP, 1, item(arg, 3));
			if (!opt)
				return NULL;
			opt->kids[0] = mk_str(c, "DefaultValue", true, item(arg, 3));
			opt->kids[1] = fallback;
			opt->n = 1;
			r->kids[3] = opt;
			r->n = 4;
		}
		r->fn = "Fn::FindInMap";
		return r;
	}
	long mi = index_find(&c->mappings, key[0]->str);
	const ynode *top = NULL, *second = NULL;
	const cat_entry *e = mi >= 0 ? &c->cat->entries[SEC_MAPPINGS][mi] : NULL;
	if (e)
		top = ynode_get(e->value, key[1]->str);
	if (top)
		second = ynode_get(top, key[2]->str);
	if (second) {
		const char *saved = c->file;
		c->file = e->frag->path;
		rnode *r = raw(c, second);
		c->file = saved;
		return r;
	}
	if (fallback)
		return fallback;
	problem(c, "REN002", n, NULL, "Fn::FindInMap: %s%s%s%s%s has no such entry", key[0]->str,
	        e ? " > " : " (no such mapping)", e ? key[1]->str : "", top ? " > " : "",
	        top ? key[2]->str : "");
	return raw(c, n);
}

static rnode *fn_base64(rctx *c, const ynode *n, const ynode *arg)
{
	rnode *v = eval_arg(c, n, arg);
	if (!v)
		return NULL;
	if (v == c->novalue || (!v->fn && v->kind != RN_SCALAR)) {
		problem(c, "REN001", n, NULL, "Fn::Base64 encodes a string");
		return raw(c, n);
	}
	if (v->fn)
		return symbolic(c, "Fn::Base64", v);
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t len = strlen(v->str);
	if (len > max_string(c) / 2) {
		problem(c, "REN003", n, NULL, "Fn::Base64 produces a string too large to render");
		return raw(c, n);
	}
	size_t out_len = (len + 2) / 3 * 4;
	char *out = arena_alloc(c->a, out_len + 1);
	if (!out)
		return NULL;
	const unsigned char *s = (const unsigned char *)v->str;
	size_t o = 0;
	for (size_t i = 0; i < len; i += 3) {
		unsigned long x = (unsigned long)s[i] << 16;
		if (i + 1 < len)
			x |= (unsigned long)s[i + 1] << 8;
		if (i + 2 < len)
			x |= s[i + 2];
		out[o++] = alphabet[(x >> 18) & 63];
		out[o++] = alphabet[(x >> 12) & 63];
		out[o++] = i + 1 < len ? alphabet[(x >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? alphabet[x & 63] : '=';
	}
	out[o] = '\0';
	return mk_str(c, out, false, n);
}

static rnode *fn_if(rctx *c, const ynode *n, const ynode *arg)
{
	if (items(arg) != 3 || item(arg, 0)->kind != YNODE_SCALAR || item(arg, 0)->tag) {
		problem(c, "REN001", n, "write !If [Condition, value if true, value if false]",
		        "Fn::If takes a condition name and two values");
		return raw(c, n);
	}
	int v = cond_named(c, item(arg, 0)->str, item(arg, 0));
	if (v >= 0)
		return eval(c, item(arg, v ? 1 : 2));
	/* undecided: both branches, resolved as far as they go */
	rnode *a = eval(c, item(arg, 1));
	rnode *b = eval(c, item(arg, 2));
	rnode *r = mk(c, RN_SEQ, 3, n);
	if (!a || !b || !r)
		return NULL;
	r->kids[0] = mk_str(c, item(arg, 0)->str, true, item(arg, 0));
	r->kids[1] = a == c->novalue ? symbolic_ref(c, "AWS::NoValue", item(arg, 1)) : a;
	r->kids[2] = b == c->novalue ? symbolic_ref(c, "AWS::NoValue", item(arg, 2)) : b;
	if (!r->kids[0] || !r->kids[1] || !r->kids[2])
		return NULL;
	r->n = 3;
	r->fn = "Fn::If";
	long ci = index_find(&c->conds, item(arg, 0)->str);
	if (ci >= 0)
		c->cond_used_unknown[ci] = true;
	return r;
}

/* An intrinsic evaluated in a value. */
static rnode *eval_fn(rctx *c, const ynode *n, const char *fn, const ynode *arg, bool known)
{
	if (!known) {
		problem(c, "REN001", n, "see the CloudFormation intrinsic function reference",
		        "%s is not a CloudFormation intrinsic function", fn);
		return raw(c, n);
	}
	if (strcmp(fn, "Ref") == 0)
		return fn_ref(c, n, arg);
	if (strcmp(fn, "Fn::GetAtt") == 0)
		return fn_getatt(c, n, arg);
	if (strcmp(fn, "Fn::Sub") == 0)
		return fn_sub(c, n, arg);
	if (strcmp(fn, "Fn::Join") == 0)
		return fn_join(c, n, arg);
	if (strcmp(fn, "Fn::Select") == 0)
		return fn_select(c, n, arg);
	if (strcmp(fn, "Fn::Split") == 0)
		return fn_split(c, n, arg);
	if (strcmp(fn, "Fn::GetAZs") == 0)
		return fn_getazs(c, n, arg);
	if (strcmp(fn, "Fn::Cidr") == 0)
		return fn_cidr(c, n, arg);
	if (strcmp(fn, "Fn::FindInMap") == 0)
		return fn_findinmap(c, n, arg);
	if (strcmp(fn, "Fn::Base64") == 0)
		return fn_base64(c, n, arg);
	if (strcmp(fn, "Fn::If") == 0)
		return fn_if(c, n, arg);
	if (strcmp(fn, "Fn::Equals") == 0 || strcmp(fn, "Fn::And") == 0 ||
	    strcmp(fn, "Fn::Or") == 0 || strcmp(fn, "Fn::Not") == 0 ||
	    strcmp(fn, "Condition") == 0) {
		problem(c, "REN001", n, "name a condition with Fn::If instead",
		        "%s is allowed only in Conditions", fn);
		return raw(c, n);
	}
	/* Fn::ImportValue, Fn::Transform and the language extensions: what is
	 * inside is resolved, the function stays */
	rnode *inner = eval_arg(c, n, arg);
	if (!inner)
		return NULL;
	if (inner == c->novalue)
		inner = symbolic_ref(c, "AWS::NoValue", n);
	return inner ? symbolic(c, fn, inner) : NULL;
}

static rnode *eval(rctx *c, const ynode *n)
{
	return eval_node(c, n, false);
}

static rnode *eval_node(rctx *c, const ynode *n, bool untagged)
{
	if (!n)
		return mk_str(c, "", true, NULL);
	if (c->a->failed)
		return NULL;
	if (++c->depth > RENDER_MAX_DEPTH) {
		c->depth--;
		problem(c, "REN003", n, NULL, "intrinsic functions nest too deeply to evaluate");
		return mk_str(c, "", true, n);
	}
	const ynode *arg = NULL;
	bool known;
	const char *fn = intrinsic(c, n, &arg, &known, untagged);
	rnode *r = NULL;
	if (fn) {
		const ynode *saved = c->untagged;
		c->untagged = untagged ? n : NULL;
		r = eval_fn(c, n, fn, arg, known);
		c->untagged = saved;
	} else if (n->kind == YNODE_SCALAR) {
		r = mk_str(c, n->str, n->style == YSTYLE_PLAIN, n);
		if (r && is_null_scalar(n))
			r->str = "";
	} else if (n->kind == YNODE_SEQ) {
		r = mk(c, RN_SEQ, n->n, n);
		for (size_t i = 0; r && i < n->n; i++) {
			rnode *x = eval(c, n->kids[i]);
			if (!x) {
				r = NULL;
				break;
			}
			if (x != c->novalue)
				r->kids[r->n++] = x;
		}
	} else {
		r = mk(c, RN_MAP, n->n, n);
		for (size_t i = 0; r && i < n->n; i++) {
			const ynode *k = n->kids[2 * i];
			rnode *v = eval(c, n->kids[2 * i + 1]);
			if (!v) {
				r = NULL;
				break;
			}
			if (v == c->novalue)
				continue;
			rnode *key = mk_str(c, k->kind == YNODE_SCALAR ? k->str : "?", true, k);
			if (!key) {
				r = NULL;
				break;
			}
			r->kids[2 * r->n] = key;
			r->kids[2 * r->n + 1] = v;
			r->n++;
		}
	}
	c->depth--;
	return r;
}

/* ---- the template ------------------------------------------------------- */

static rnode *map_add(rctx *c, rnode *map, const char *key, rnode *value)
{
	/* maps built here are allocated with room for their keys */
	if (!map || !value)
		return NULL;
	rnode *k = mk_str(c, key, true, value->src);
	if (!k)
		return NULL;
	map->kids[2 * map->n] = k;
	map->kids[2 * map->n + 1] = value;
	map->n++;
	return value;
}

/* A resource or output: the entry's mapping evaluated, its Condition
 * dropped when true and kept when undecided. NULL with *gone when the
 * condition is false. */
static rnode *render_entry(rctx *c, const cat_entry *e, int exists, bool *fail)
{
	*fail = false;
	c->file = e->frag->path;
	const ynode *v = e->value;
	if (v->kind != YNODE_MAP || v->tag) {
		problem(c, "REN001", v, NULL, "a resource or output must be a mapping");
		rnode *r = raw(c, v);
		*fail = r == NULL;
		return r;
	}
	rnode *r = mk(c, RN_MAP, v->n, v);
	if (!r) {
		*fail = true;
		return NULL;
	}
	for (size_t i = 0; i < v->n; i++) {
		const ynode *k = ynode_key(v, i);
		const ynode *val = ynode_val(v, i);
		const char *key = k->kind == YNODE_SCALAR ? k->str : "?";
		rnode *x;
		if (strcmp(key, "Condition") == 0) {
			if (exists == 1)
				continue;
			x = raw(c, val);
			long ci = val->kind == YNODE_SCALAR ? index_find(&c->conds, val->str) : -1;
			if (ci >= 0)
				c->cond_used_unknown[ci] = true;
		} else if (strcmp(key, "DependsOn") == 0) {
			x = raw(c, val);
			const ynode *list = val;
			size_t count = val->kind == YNODE_SEQ ? val->n : 1;
			for (size_t j = 0; x && j < count; j++) {
				const ynode *d = val->kind == YNODE_SEQ ? val->kids[j] : list;
				if (d->kind != YNODE_SCALAR || d->tag) {
					problem(c, "REN001", d, NULL,
					        "DependsOn lists logical ids, not functions");
					continue;
				}
				if (!check_resource_ref(c, d->str, d, "DependsOn names"))
					problem(c, "REN002", d, NULL,
					        "DependsOn names '%s', which is not a resource",
					        d->str);
			}
		} else {
			x = eval(c, val);
		}
		if (!x) {
			*fail = true;
			return NULL;
		}
		if (x == c->novalue)
			continue;
		rnode *kn = mk_str(c, key, true, k);
		if (!kn) {
			*fail = true;
			return NULL;
		}
		r->kids[2 * r->n] = kn;
		r->kids[2 * r->n + 1] = x;
		r->n++;
	}
	return r;
}

static const char *partition_of(const char *region)
{
	if (strncmp(region, "cn-", 3) == 0)
		return "aws-cn";
	if (strncmp(region, "us-gov-", 7) == 0)
		return "aws-us-gov";
	return "aws";
}

/* Walks a rendered node for the logical ids it refers to. */
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
	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 8;
		size_t *p = realloc(d->list, ncap * sizeof(size_t));
		if (!p) {
			d->oom = true;
			return;
		}
		d->list = p;
		d->cap = ncap;
	}
	d->list[d->n++] = (size_t)i;
}

static int cmp_res_id(const void *a, const void *b, void *res)
{
	const render_resource *r = res;
	return strcmp(r[*(const size_t *)a].id, r[*(const size_t *)b].id);
}

static bool build_deps(rctx *c, rendered *r)
{
	r->arena->by_id = malloc((r->nres ? r->nres : 1) * sizeof(size_t));
	if (!r->arena->by_id)
		return false;
	for (size_t i = 0; i < r->nres; i++)
		r->arena->by_id[i] = i;
	qsort_r(r->arena->by_id, r->nres, sizeof(size_t), cmp_res_id, r->res);
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
		res->deps = d.n ? arena_alloc(c->a, d.n * sizeof(size_t)) : NULL;
		if (d.n && !res->deps)
			break;
		if (d.n)
			memcpy(res->deps, d.list, d.n * sizeof(size_t));
	}
	free(d.list);
	return !d.oom && !c->a->failed;
}

void render_free(rendered *r)
{
	if (!r)
		return;
	arena_free(r->arena);
	free(r);
}

rendered *render_template(const catalog *cat, const model *m, const render_options *opt,
                          findings *out, lms_error *err)
{
	render_options defaults = {0};
	if (!opt)
		opt = &defaults;
	rendered *r = calloc(1, sizeof(*r));
	struct render_arena *a = calloc(1, sizeof(*a));
	rctx c = {.cat = cat, .m = m, .opt = opt, .out = out, .a = a};
	size_t ncond = cat->nentries[SEC_CONDITIONS], nres = cat->nentries[SEC_RESOURCES];
	c.cond = calloc(ncond ? ncond : 1, sizeof(cond_state));
	c.cond_used_unknown = calloc(ncond ? ncond : 1, sizeof(bool));
	c.exists = malloc(nres ? nres : 1);
	bool ok = r && a && c.cond && c.cond_used_unknown && c.exists;
	if (ok) {
		r->arena = a;
		a->max = opt->max_bytes ? opt->max_bytes : RENDER_DEFAULT_MAX_BYTES;
		memset(c.exists, 2, nres ? nres : 1);
		ok = index_build(&c.params, cat->nparams, param_name, cat) &&
		     index_build(&c.conds, ncond, cond_name, cat) &&
		     index_build(&c.resources, nres, res_name, cat) &&
		     index_build(&c.mappings, cat->nentries[SEC_MAPPINGS], map_name, cat);
	}
	if (ok) {
		const char *region = model_get(m, "region");
		c.region = region && *region ? region : "eu-west-1";
		c.partition = partition_of(c.region);
		c.url_suffix =
		    strcmp(c.partition, "aws-cn") == 0 ? "amazonaws.com.cn" : "amazonaws.com";
		c.stack = model_get(m, "stack");
		c.account = opt->account_id;
		if (opt->azs && opt->nazs) {
			c.azs = opt->azs;
			c.nazs = opt->nazs;
		} else {
			c.azs = render_region_azs(c.region, &c.nazs);
		}
		r->region = c.region;
		r->azs = c.azs;
		r->nazs = c.nazs;
		c.novalue = mk(&c, RN_SCALAR, 0, NULL);
		ok = c.novalue != NULL;
	}
	/* every condition, for its findings, even those nothing uses */
	for (size_t i = 0; ok && i < ncond; i++)
		cond_named(&c, cat->entries[SEC_CONDITIONS][i].name, NULL);

	rnode *root = ok ? mk(&c, RN_MAP, 7, NULL) : NULL;
	ok = root != NULL;
	if (ok) {
		r->root = root;
		map_add(&c, root, "AWSTemplateFormatVersion",
		        mk_str(&c, "2010-09-09", false, NULL));
		if (cat->description && cat->description->kind == YNODE_SCALAR)
			map_add(&c, root, "Description",
			        mk_str(&c, cat->description->str, false, cat->description));
		if (cat->transform)
			map_add(&c, root, "Transform", mk_str(&c, cat->transform, false, NULL));
	}
	/* Parameters: the values this model gives (NoEcho ones masked) */
	rnode *params = ok && cat->nparams ? mk(&c, RN_MAP, cat->nparams, NULL) : NULL;
	for (size_t i = 0; ok && params && i < cat->nparams; i++) {
		const cat_param *p = &cat->params[i];
		c.file = p->e.frag->path;
		rnode *def = mk(&c, RN_MAP, 2, p->e.value);
		const char *v = model_param_value(m, cat, p->e.name);
		bool number = p->type && strcmp(p->type, "Number") == 0;
		ok = def &&
		     map_add(&c, def, "Type",
		             mk_str(&c, p->type ? p->type : "String", true, p->e.value)) &&
		     (!v || map_add(&c, def, "Default",
		                    mk_str(&c, p->no_echo ? "****" : v, number && !p->no_echo,
		                           p->default_node))) &&
		     map_add(&c, params, p->e.name, def);
	}
	if (ok && params)
		ok = map_add(&c, root, "Parameters", params) != NULL;

	/* Resources */
	if (ok)
		r->res = calloc(nres ? nres : 1, sizeof(render_resource));
	rnode *resources = ok ? mk(&c, RN_MAP, nres, NULL) : NULL;
	ok = ok && r->res && resources;
	for (size_t i = 0; ok && i < nres; i++) {
		const cat_entry *e = &cat->entries[SEC_RESOURCES][i];
		c.file = e->frag->path;
		int exists = resource_exists(&c, (long)i);
		if (exists == 0)
			continue;
		bool fail;
		rnode *node = render_entry(&c, e, exists, &fail);
		if (fail) {
			ok = false;
			break;
		}
		map_add(&c, resources, e->name, node);
		render_resource *rr = &r->res[r->nres++];
		rr->id = e->name;
		rr->entry = e;
		rr->node = node;
		rr->type = rnode_str(rnode_get(node, "Type"));
		rr->props = rnode_get(node, "Properties");
		rr->conditional = exists < 0;
		if (!rr->type)
			problem(&c, "REN001",
			        ynode_get(e->value, "Type") ? ynode_get(e->value, "Type") : e->key,
			        NULL, "resource %s has no Type string", e->name);
	}
	if (ok)
		ok = map_add(&c, root, "Resources", resources) != NULL;

	/* Outputs */
	size_t nout = cat->nentries[SEC_OUTPUTS];
	rnode *outputs = ok && nout ? mk(&c, RN_MAP, nout, NULL) : NULL;
	for (size_t i = 0; ok && outputs && i < nout; i++) {
		const cat_entry *e = &cat->entries[SEC_OUTPUTS][i];
		c.file = e->frag->path;
		const ynode *cond = ynode_get(e->value, "Condition");
		int exists = 1;
		if (cond)
			exists = cond->kind == YNODE_SCALAR && !cond->tag
			             ? cond_named(&c, cond->str, cond)
			             : -1;
		if (exists == 0)
			continue;
		bool fail;
		rnode *node = render_entry(&c, e, exists, &fail);
		ok = !fail && map_add(&c, outputs, e->name, node);
	}
	if (ok && outputs && outputs->n)
		ok = map_add(&c, root, "Outputs", outputs) != NULL;

	/* the conditions that stay in the rendered template: undecided ones
	 * something still names */
	size_t kept = 0;
	for (size_t i = 0; i < ncond; i++)
		kept += c.cond_used_unknown[i] && c.cond[i] == COND_UNKNOWN;
	if (ok && kept) {
		rnode *conds = mk(&c, RN_MAP, kept, NULL);
		for (size_t i = 0; conds && i < ncond; i++) {
			if (!c.cond_used_unknown[i] || c.cond[i] != COND_UNKNOWN)
				continue;
			const cat_entry *e = &cat->entries[SEC_CONDITIONS][i];
			c.file = e->frag->path;
			if (!map_add(&c, conds, e->name, raw(&c, e->value)))
				conds = NULL;
		}
		ok = conds && map_add(&c, root, "Conditions", conds);
	}
	if (ok)
		ok = build_deps(&c, r);
	bool too_large = a && a->failed && a->total + CHUNK_MIN > a->max;
	index_free(&c.params);
	index_free(&c.conds);
	index_free(&c.resources);
	index_free(&c.mappings);
	free(c.cond);
	free(c.cond_used_unknown);
	free(c.exists);
	if (!ok) {
		if (too_large)
			lms_error_set(err, NULL, 0, 0,
			              "the rendered template would take more than %zu MiB: a "
			              "Fn::Sub or Fn::Join repeats values without bound",
			              a->max / ((size_t)1024 * 1024));
		else
			lms_error_set(err, NULL, 0, 0, "out of memory rendering the template");
		if (r) {
			free(r->res);
			r->res = NULL;
			if (!r->arena)
				arena_free(a);
		} else {
			arena_free(a);
		}
		if (r && r->arena) {
			arena_free(r->arena);
			r->arena = NULL;
		}
		free(r);
		return NULL;
	}
	/* the resource list lives in the arena's lifetime: move it there */
	render_resource *res = r->nres ? arena_alloc(a, r->nres * sizeof(render_resource)) : NULL;
	if (r->nres && !res) {
		free(r->res);
		arena_free(a);
		free(r);
		lms_error_set(err, NULL, 0, 0, "out of memory rendering the template");
		return NULL;
	}
	if (r->nres)
		memcpy(res, r->res, r->nres * sizeof(render_resource));
	free(r->res);
	r->res = res;
	return r;
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
	const char *s = rnode_str(n);
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

bool rnode_double(const rnode *n, double *out)
{
	const char *s = rnode_str(n);
	if (!s || !*s || strpbrk(s, "xXnNiI"))
		return false;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end)
		return false;
	*out = v;
	return true;
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

/* ---- emitting ----------------------------------------------------------- */

static const char *short_tag(const char *fn)
{
	return strncmp(fn, "Fn::", 4) == 0 ? fn + 4 : fn;
}

static void indent(buf *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_addc(out, ' ');
}

/* A literal block (|) keeps multi-line text readable (inline code). Only
 * for text whose lines it keeps exactly. */
static bool literal_ok(const char *s)
{
	if (!strchr(s, '\n') || s[0] == ' ' || s[0] == '\n' || s[0] == '\t')
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			return false;
		if ((p[0] == 0xC2 && p[1] == 0x85) ||
		    (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) ||
		    (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF))
			return false;
		/* a line of spaces only would read back as an empty line */
		if (*p == '\n' && p[1] == ' ') {
			const unsigned char *q = p + 1;
			while (*q == ' ')
				q++;
			if (*q == '\n' || !*q)
				return false;
		}
	}
	size_t n = strlen(s);
	return s[n - 1] != ' ';
}

static void emit_literal(buf *out, const char *s, size_t ind)
{
	size_t n = strlen(s), trailing = 0;
	while (trailing < n && s[n - 1 - trailing] == '\n')
		trailing++;
	buf_adds(out, trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+");
	buf_addc(out, '\n');
	const char *p = s;
	const char *end = s + n - (trailing ? 1 : 0);
	while (p < end || (p == end && trailing > 1 && p < s + n)) {
		const char *nl = memchr(p, '\n', (size_t)(s + n - p));
		if (!nl)
			nl = s + n;
		if (nl > p) {
			indent(out, ind);
			buf_add(out, p, (size_t)(nl - p));
		}
		buf_addc(out, '\n');
		p = nl + 1;
		if (p > end)
			break;
	}
}

/* A plain scalar YAML would read as a number, boolean or null: written
 * plain, it keeps that type. */
static bool typed_word(const char *s)
{
	static const char *const words[] = {
	    "true", "false", "True", "False", "TRUE", "FALSE", "yes",  "no", "Yes",
	    "No",   "YES",   "NO",   "on",    "off",  "On",    "Off",  "ON", "OFF",
	    "y",    "n",     "Y",    "N",     "null", "Null",  "NULL", "~"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(s, words[i]) == 0)
			return true;
	const char *p = (*s == '-' || *s == '+') ? s + 1 : s;
	if (!((*p >= '0' && *p <= '9') || (*p == '.' && p[1] >= '0' && p[1] <= '9')))
		return false;
	return strspn(p, "0123456789abcdefABCDEFxXoO._+-:") == strlen(p);
}

static void emit_scalar(buf *out, const rnode *n, size_t ind)
{
	const char *s = n->str;
	if (n->plain && !*s) {
		buf_adds(out, "null");
		return;
	}
	if (n->plain && typed_word(s)) {
		buf_adds(out, s);
		return;
	}
	if (literal_ok(s)) {
		emit_literal(out, s, ind);
		return;
	}
	yaml_quote_param(out, s, "String");
}

static bool ends_line(const buf *out)
{
	return out->len && out->data[out->len - 1] == '\n';
}

static void emit_yaml(buf *out, const rnode *n, size_t ind, bool first_inline);

/* A logical id or attribute name that reads back from `!GetAtt A.B`. */
static bool name_ok(const char *s)
{
	if (!s || !*s || strchr("-.", *s))
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return false;
	return !typed_word(s);
}

/* The value after "key:" or "-": on the same line for scalars, tags and
 * empty collections, then the block below. */
/* Whether a function name can be written as a YAML tag (`!Name`); others
 * (an unknown function with odd characters) are written in long form. */
bool render_tag_ok(const char *fn)
{
	const char *tag = short_tag(fn);
	if (!*tag)
		return false;
	for (const char *p = tag; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == ':'))
			return false;
	return true;
}

static void emit_value(buf *out, const rnode *n, size_t ind)
{
	if (n->fn && !render_tag_ok(n->fn)) {
		/* long form: a mapping of the name to the argument */
		rnode key = {.kind = RN_SCALAR, .str = n->fn};
		rnode arg = *n;
		arg.fn = NULL;
		rnode *kids[2] = {&key, &arg};
		rnode map = {.kind = RN_MAP, .n = 1, .kids = kids};
		emit_value(out, &map, ind);
		return;
	}
	if (n->fn) {
		const char *tag = short_tag(n->fn);
		if (strcmp(n->fn, "Fn::GetAtt") == 0 && n->kind == RN_SEQ && n->n == 2 &&
		    name_ok(rnode_str(n->kids[0])) && name_ok(rnode_str(n->kids[1]))) {
			buf_adds(out, " !GetAtt ");
			buf_adds(out, n->kids[0]->str);
			buf_addc(out, '.');
			buf_adds(out, n->kids[1]->str);
			buf_addc(out, '\n');
			return;
		}
		buf_addf(out, " !%s", tag);
	}
	if (n->kind == RN_SCALAR) {
		buf_addc(out, ' ');
		if (n->fn && !*n->str) {
			buf_adds(out, "''\n"); /* a tagged null would read back as "null" */
			return;
		}
		emit_scalar(out, n, ind + 2);
		if (!ends_line(out))
			buf_addc(out, '\n');
		return;
	}
	if (n->n == 0) {
		buf_adds(out, n->kind == RN_MAP ? " {}\n" : " []\n");
		return;
	}
	buf_addc(out, '\n');
	emit_yaml(out, n, ind + 2, false);
}

/* A block mapping or sequence at column `ind`; `first_inline`: the first
 * entry goes where the cursor is (after "- "). */
static void emit_yaml(buf *out, const rnode *n, size_t ind, bool first_inline)
{
	size_t count = n->n;
	for (size_t i = 0; i < count; i++) {
		if (i || !first_inline)
			indent(out, ind);
		if (n->kind == RN_MAP) {
			yaml_quote_scalar(out, n->kids[2 * i]->str);
			buf_addc(out, ':');
			emit_value(out, n->kids[2 * i + 1], ind);
			continue;
		}
		const rnode *v = n->kids[i];
		if (!v->fn && v->kind != RN_SCALAR && v->n) {
			buf_adds(out, "- ");
			emit_yaml(out, v, ind + 2, true);
		} else {
			buf_addc(out, '-');
			emit_value(out, v, ind);
		}
	}
}

static bool plain_integer(const char *s)
{
	const char *p = *s == '-' ? s + 1 : s;
	size_t n = strlen(p);
	return n > 0 && n < 16 && strspn(p, "0123456789") == n && (p[0] != '0' || n == 1);
}

static json_t *to_json(const rnode *n);

static json_t *to_json_value(const rnode *n)
{
	if (n->kind == RN_SCALAR) {
		if (n->plain) {
			if (!*n->str)
				return json_null();
			if (strcmp(n->str, "true") == 0)
				return json_true();
			if (strcmp(n->str, "false") == 0)
				return json_false();
			if (plain_integer(n->str))
				return json_integer(strtoll(n->str, NULL, 10));
		}
		return json_string(n->str);
	}
	if (n->kind == RN_SEQ) {
		json_t *a = json_array();
		for (size_t i = 0; a && i < n->n; i++) {
			if (json_array_append_new(a, to_json(n->kids[i])) != 0) {
				json_decref(a);
				return NULL;
			}
		}
		return a;
	}
	json_t *o = json_object();
	for (size_t i = 0; o && i < n->n; i++) {
		if (json_object_set_new(o, n->kids[2 * i]->str, to_json(n->kids[2 * i + 1])) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static json_t *to_json(const rnode *n)
{
	if (!n)
		return NULL;
	json_t *v = to_json_value(n);
	if (!v || !n->fn)
		return v;
	json_t *o = json_object();
	if (!o || json_object_set_new(o, n->fn, v) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

bool render_emit(const rendered *r, render_format format, buf *out)
{
	if (format == RENDER_JSON) {
		json_t *j = to_json(r->root);
		if (!j)
			return false;
		char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(j);
		if (!s)
			return false;
		bool ok = buf_adds(out, s) && buf_addc(out, '\n');
		free(s);
		return ok;
	}
	buf_adds(out, "# Rendered by lmsctl for one model: parameters, conditions and\n"
	              "# mappings resolved; !Ref, !GetAtt and !Sub that remain need AWS.\n");
	emit_yaml(out, r->root, 0, false);
	return !out->failed;
}
