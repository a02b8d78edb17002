/* render/conditions.c: the template's Conditions (Fn::Equals, Fn::And,
 * Fn::Or, Fn::Not, Condition), each decided once per rendering, whether a
 * resource exists for the parameter values, and Fn::If. */
#include "model/render/internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- conditions --------------------------------------------------------- */

int rn_deep_equal(const rnode *a, const rnode *b)
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
		int e = rn_deep_equal(a->kids[i], b->kids[i]);
		if (e == 0)
			return 0;
		if (e < 0)
			result = -1;
	}
	return result;
}

/* The value of the condition named `name` (1, 0, -1 unknown); `at` is
 * where it is named, for a finding when it does not exist. */
int rn_cond_named(rctx *c, const char *name, const ynode *at)
{
	long i = rn_index_find(&c->conds, name);
	if (i < 0) {
		rn_problem(c, "REN002", at, "define the condition in a fragment's Conditions",
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
		rn_problem(c, "REN001", at, "break the cycle", "condition '%s' depends on itself",
		           name);
		return -1;
	case COND_UNVISITED:
		break;
	}
	c->cond[i] = COND_BUSY;
	const cat_entry *e = &c->cat->entries[SEC_CONDITIONS][i];
	const char *saved = c->file;
	c->file = e->frag->path;
	int v = rn_cond_value(c, e->value);
	c->file = saved;
	c->cond[i] = v < 0 ? COND_UNKNOWN : v ? COND_TRUE : COND_FALSE;
	return v;
}

int rn_cond_value(rctx *c, const ynode *n)
{
	const ynode *arg = NULL;
	bool known;
	const char *fn = rn_intrinsic(c, n, &arg, &known, false);
	/* in Conditions, {Condition: Name} is an intrinsic too */
	if (!fn && n && n->kind == YNODE_MAP && n->n == 1 &&
	    ynode_key(n, 0)->kind == YNODE_SCALAR &&
	    strcmp(ynode_key(n, 0)->str, "Condition") == 0) {
		fn = "Condition";
		arg = ynode_val(n, 0);
	}
	if (!fn) {
		rn_problem(c, "REN001", n, "use Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition",
		           "a condition must be a condition function");
		return -1;
	}
	if (++c->depth > RENDER_MAX_DEPTH) {
		c->depth--;
		rn_problem(c, "REN003", n, NULL, "conditions nest too deeply to evaluate");
		return -1;
	}
	int v = -1;
	if (strcmp(fn, "Condition") == 0) {
		if (rn_arg_scalar(n, arg))
			v = rn_cond_named(c, rn_arg_scalar(n, arg), arg);
		else
			rn_problem(c, "REN001", n, NULL, "Condition takes a condition name");
	} else if (strcmp(fn, "Fn::Equals") == 0) {
		if (rn_items(arg) != 2) {
			rn_problem(c, "REN001", n, NULL, "Fn::Equals takes a list of two values");
		} else {
			rnode *a = rn_eval(c, rn_item(arg, 0));
			rnode *b = rn_eval(c, rn_item(arg, 1));
			if (!a || !b)
				/* out of memory (a Fn::Sub's or Fn::Join's buffer is the
				 * heap's, not the arena's): made sticky as the arena's, so the
				 * rendering fails instead of reading the condition undecided */
				c->a->mem.failed = true;
			else if (a != c->novalue && b != c->novalue)
				v = rn_deep_equal(a, b);
		}
	} else if (strcmp(fn, "Fn::Not") == 0) {
		if (rn_items(arg) != 1) {
			rn_problem(c, "REN001", n, NULL, "Fn::Not takes a list of one condition");
		} else {
			int x = rn_cond_value(c, rn_item(arg, 0));
			v = x < 0 ? -1 : !x;
		}
	} else if (strcmp(fn, "Fn::And") == 0 || strcmp(fn, "Fn::Or") == 0) {
		bool is_and = fn[4] == 'A';
		if (rn_items(arg) < 1) {
			rn_problem(c, "REN001", n, NULL, "%s takes a list of conditions", fn);
		} else {
			bool unknown = false, decided = false;
			/* every operand is evaluated, for its findings */
			for (size_t i = 0; i < rn_items(arg); i++) {
				int x = rn_cond_value(c, rn_item(arg, i));
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
		rn_problem(c, "REN001", n, "use Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition",
		           "%s is not a condition function", fn);
	}
	c->depth--;
	return v;
}

int rn_resource_exists(rctx *c, long i)
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
			v = rn_cond_named(c, cond->str, cond);
		} else {
			rn_problem(c, "REN001", cond, NULL,
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
bool rn_check_resource_ref(rctx *c, const char *name, const ynode *at, const char *what)
{
	long i = rn_index_find(&c->resources, name);
	if (i < 0)
		return false;
	if (rn_resource_exists(c, i) == 0) {
		const cat_entry *e = &c->cat->entries[SEC_RESOURCES][i];
		rn_problem(c, "REN002", at, "guard the reference with Fn::If on the same condition",
		           "%s %s, which does not exist for this model (its condition %s is false)",
		           what, name, ynode_str(ynode_get(e->value, "Condition")));
	}
	return true;
}

rnode *rn_fn_if(rctx *c, const ynode *n, const ynode *arg)
{
	if (rn_items(arg) != 3 || rn_item(arg, 0)->kind != YNODE_SCALAR || rn_item(arg, 0)->tag) {
		rn_problem(c, "REN001", n, "write !If [Condition, value if true, value if false]",
		           "Fn::If takes a condition name and two values");
		return rn_raw(c, n);
	}
	int v = rn_cond_named(c, rn_item(arg, 0)->str, rn_item(arg, 0));
	if (v >= 0)
		return rn_eval(c, rn_item(arg, v ? 1 : 2));
	/* undecided: both branches, resolved as far as they go */
	rnode *a = rn_eval(c, rn_item(arg, 1));
	rnode *b = rn_eval(c, rn_item(arg, 2));
	rnode *r = rn_mk(c, RN_SEQ, 3, n);
	if (!a || !b || !r)
		return NULL;
	r->kids[0] = rn_mk_str(c, rn_item(arg, 0)->str, true, rn_item(arg, 0));
	r->kids[1] = a == c->novalue ? rn_symbolic_ref(c, "AWS::NoValue", rn_item(arg, 1)) : a;
	r->kids[2] = b == c->novalue ? rn_symbolic_ref(c, "AWS::NoValue", rn_item(arg, 2)) : b;
	if (!r->kids[0] || !r->kids[1] || !r->kids[2])
		return NULL;
	r->n = 3;
	r->fn = "Fn::If";
	long ci = rn_index_find(&c->conds, rn_item(arg, 0)->str);
	if (ci >= 0)
		c->cond_used_unknown[ci] = true;
	return r;
}
