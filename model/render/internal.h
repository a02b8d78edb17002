/* render internals: the evaluation context and the helpers the renderer's
 * sources share (values.c, conditions.c, intrinsics.c, deps.c, render.c).
 * Not for use outside model/render/. */
#ifndef LMSCTL_MODEL_RENDER_INTERNAL_H
#define LMSCTL_MODEL_RENDER_INTERNAL_H

#include "common/arena.h"
#include "model/render/render.h"

#include <stdbool.h>
#include <stddef.h>

/* Everything the rendered tree holds lives in one arena, freed at once.
 * Its size is capped: a template can make Fn::Sub repeat a value that is
 * itself repeated (exponential growth), and a hostile one must end as an
 * error, not as the machine's memory. */
#define RENDER_DEFAULT_MAX_BYTES ((size_t)64 * 1024 * 1024)
#define CHUNK_MIN LMS_ARENA_CHUNK
/* Conditions name conditions and intrinsics nest; beyond this the template
 * is hostile (ydoc already caps a document's nesting at 256). */
#define RENDER_MAX_DEPTH 1024
/* Fn::Cidr returns 1 to 256 blocks (CloudFormation's limit). */
#define CIDR_MAX_COUNT 256

struct render_arena {
	lms_arena mem; /* the rendered tree's nodes and strings */
	size_t *by_id; /* indexes of rendered.res sorted by id */
	/* per catalog condition: 1, 0, -1 undecided (render_condition) */
	signed char *conds;
	size_t nconds;
	const catalog *cat;
};

typedef enum { COND_UNVISITED, COND_BUSY, COND_FALSE, COND_TRUE, COND_UNKNOWN } cond_state;

/* a sorted index over names (catalog lookups are linear; a template has
 * hundreds of references) */
typedef struct name_index {
	const char **names;
	size_t *idx;
	size_t n;
} name_index;

typedef struct rctx {
	const catalog *cat;
	render_params params; /* where parameter and pseudo parameter values come from */
	const render_options *opt;
	findings *out;
	struct render_arena *a;
	const char *file; /* fragment of the node being evaluated */
	const char *region, *partition, *url_suffix, *stack, *account;
	const char *const *azs;
	size_t nazs;
	cond_state *cond;    /* per catalog condition */
	signed char *exists; /* per catalog resource: 1, 0, -1 unknown; 2 not yet known */
	name_index params_ix, conds, resources, mappings;
	/* per catalog parameter: its value from the source, asked once */
	const char **pvalues;
	bool *cond_used_unknown; /* per condition: kept in the rendered Conditions */
	rnode *novalue;          /* sentinel: AWS::NoValue */
	const ynode *untagged;   /* the short-form node being read as its own argument */
	int depth;
} rctx;

/* values.c: the arena, name indexes, nodes, reading intrinsics */
void *rn_arena_alloc(struct render_arena *a, size_t size);
char *rn_arena_strndup(struct render_arena *a, const char *s, size_t n);
void rn_arena_free(struct render_arena *a);
bool rn_index_build(name_index *ix, size_t n, const char *(*name_of)(const catalog *, size_t),
                    const catalog *cat);
long rn_index_find(const name_index *ix, const char *name);
void rn_index_free(name_index *ix);
/* A finding (REN...) at `at` in the fragment being evaluated. */
void rn_problem(rctx *c, const char *rule, const ynode *at, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
rnode *rn_mk(rctx *c, rnode_kind kind, size_t n, const ynode *src);
rnode *rn_mk_str(rctx *c, const char *s, bool plain, const ynode *src);
rnode *rn_mk_strdup(rctx *c, const char *s, size_t n, const ynode *src);
rnode *rn_symbolic(rctx *c, const char *fn, rnode *arg);
rnode *rn_symbolic_ref(rctx *c, const char *name, const ynode *src);
const char *rn_intrinsic(rctx *c, const ynode *n, const ynode **arg, bool *known, bool untagged);
const ynode *rn_item(const ynode *arg, size_t i);
size_t rn_items(const ynode *arg);
const char *rn_arg_scalar(const ynode *n, const ynode *arg);
bool rn_is_null_scalar(const ynode *n);
rnode *rn_raw(rctx *c, const ynode *n);
rnode *rn_split_list(rctx *c, const char *s, const char *delim, const ynode *src);
/* Catalog parameter `i`'s value from the context's source; NULL: symbolic. */
const char *rn_param_value(const rctx *c, size_t i);

/* conditions.c */
int rn_deep_equal(const rnode *a, const rnode *b);
int rn_cond_named(rctx *c, const char *name, const ynode *at);
int rn_cond_value(rctx *c, const ynode *n);
int rn_resource_exists(rctx *c, long i);
bool rn_check_resource_ref(rctx *c, const char *name, const ynode *at, const char *what);
rnode *rn_fn_if(rctx *c, const ynode *n, const ynode *arg);

/* intrinsics.c */
rnode *rn_eval(rctx *c, const ynode *n);
rnode *rn_eval_node(rctx *c, const ynode *n, bool untagged);
rnode *rn_eval_arg(rctx *c, const ynode *n, const ynode *arg);

/* deps.c */
bool rn_build_deps(rctx *c, rendered *r);

#endif
