/* render/intrinsics.c: the intrinsic functions in values: Ref (parameters
 * and pseudo parameters), Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select,
 * Fn::Split, Fn::GetAZs, Fn::Cidr, Fn::FindInMap, Fn::Base64, and the
 * walk that evaluates a fragment node. */
#include "common/num.h"
#include "model/render/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value of a pseudo parameter; NULL when it stays symbolic. `known` is
 * false for a name that is not one (AWS::NoValue is no value: Ref only). */
static const char *pseudo(rctx *c, const char *name, bool *known)
{
	*known = strcmp(name, "AWS::NoValue") != 0 && render_pseudo_default(name, NULL);
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
	return NULL;
}

static rnode *fn_ref(rctx *c, const ynode *n, const ynode *arg)
{
	const char *name = rn_arg_scalar(n, arg);
	if (!name) {
		rn_problem(c, "REN001", n, NULL, "Ref takes the name of a parameter or resource");
		return rn_raw(c, n);
	}
	if (strcmp(name, "AWS::NoValue") == 0)
		return c->novalue;
	if (strncmp(name, "AWS::", 5) == 0) {
		bool known;
		const char *v = pseudo(c, name, &known);
		if (!known)
			rn_problem(c, "REN002", arg, NULL, "%s is not a pseudo parameter", name);
		return v ? rn_mk_str(c, v, false, n) : rn_symbolic_ref(c, name, n);
	}
	long p = rn_index_find(&c->params_ix, name);
	if (p >= 0) {
		const cat_param *cp = &c->cat->params[p];
		const char *v = rn_param_value(c, (size_t)p);
		if (!v)
			return rn_symbolic_ref(c, name, n);
		if (cat_type_is_list(cp->type))
			return rn_split_list(c, v, ",", n);
		/* a Number parameter's value is a number where it stands alone, as
		 * CloudFormation hands resolved properties to the resource (and as
		 * cfn-guard compares them): written plain, it keeps that type */
		double d;
		bool number =
		    cp->type && strcmp(cp->type, "Number") == 0 && lms_parse_double(v, &d);
		return rn_mk_str(c, v, number, n);
	}
	if (rn_check_resource_ref(c, name, arg, "Ref names"))
		return rn_symbolic_ref(c, name, n);
	rn_problem(c, "REN002", arg, "check the spelling, or define it in a fragment",
	           "Ref to '%s', which is neither a parameter nor a resource", name);
	return rn_symbolic_ref(c, name, n);
}

static rnode *fn_getatt(rctx *c, const ynode *n, const ynode *arg)
{
	const char *id = NULL, *attr = NULL;
	size_t idlen = 0;
	rnode *attr_node = NULL;
	const char *whole = rn_arg_scalar(n, arg);
	if (whole) {
		const char *dot = strchr(whole, '.');
		if (dot && dot != whole && dot[1]) {
			id = whole;
			idlen = (size_t)(dot - whole);
			attr = dot + 1;
		}
	} else if (rn_items(arg) == 2 && rn_item(arg, 0)->kind == YNODE_SCALAR &&
	           !rn_item(arg, 0)->tag) {
		id = rn_item(arg, 0)->str;
		idlen = strlen(id);
		attr_node = rn_eval(c, rn_item(arg, 1)); /* may be a Ref to a parameter */
		if (!attr_node)
			return NULL;
		attr = rnode_str(attr_node);
	}
	if (!id || (!attr && !attr_node) || attr_node == c->novalue) {
		rn_problem(c, "REN001", n, "write !GetAtt Resource.Attribute",
		           "Fn::GetAtt takes a resource and an attribute");
		return rn_raw(c, n);
	}
	char *name = rn_arena_strndup(c->a, id, idlen);
	if (!name)
		return NULL;
	if (!rn_check_resource_ref(c, name, n, "Fn::GetAtt reads")) {
		rn_problem(c, "REN002", n, "check the spelling, or define the resource",
		           "Fn::GetAtt reads '%s', which is not a resource", name);
	}
	rnode *r = rn_mk(c, RN_SEQ, 2, n);
	if (!r)
		return NULL;
	/* names, never numbers or booleans: not plain (`true` stays a string) */
	r->kids[0] = rn_mk_str(c, name, false, n);
	r->kids[1] = attr ? rn_mk_str(c, attr, false, n) : attr_node;
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
	if (c->opt->max_string)
		return c->opt->max_string;
	size_t left = c->a->mem.max > c->a->mem.total ? c->a->mem.max - c->a->mem.total : 0;
	return left + CHUNK_MIN;
}

/* Fn::Sub's variables (the mapping of its long form), each evaluated once;
 * `used` marks those a symbolic result still needs. */
typedef struct sub_vars {
	const ynode *map;
	size_t n;
	rnode **values; /* NULL where the variable is not a string */
	bool *used;
} sub_vars;

static bool sub_vars_eval(rctx *c, const ynode *vars, sub_vars *sv)
{
	sv->map = vars;
	sv->n = vars ? vars->n : 0;
	sv->values = sv->n ? rn_arena_alloc(c->a, sv->n * sizeof(rnode *)) : NULL;
	sv->used = sv->n ? rn_arena_alloc(c->a, sv->n * sizeof(bool)) : NULL;
	if (sv->n && (!sv->values || !sv->used))
		return false;
	for (size_t i = 0; i < sv->n; i++) {
		sv->used[i] = false;
		sv->values[i] = rn_eval(c, ynode_val(vars, i));
		if (!sv->values[i])
			return false;
		if (sv->values[i] == c->novalue ||
		    (sv->values[i]->kind != RN_SCALAR && !sv->values[i]->fn)) {
			rn_problem(c, "REN001", ynode_val(vars, i), NULL,
			           "a Fn::Sub variable must be a string");
			sv->values[i] = NULL;
		}
	}
	return true;
}

/* ${name} from the variables: true when it is one of them, with its value
 * or `keep` (it stays ${name}). */
static bool sub_var_lookup(sub_vars *sv, const char *name, size_t len, const char **value,
                           bool *keep)
{
	for (size_t i = 0; i < sv->n; i++) {
		const ynode *k = ynode_key(sv->map, i);
		if (k->kind != YNODE_SCALAR || strlen(k->str) != len ||
		    memcmp(k->str, name, len) != 0)
			continue;
		if (!sv->values[i])
			*keep = true;
		else if (sv->values[i]->fn)
			*keep = sv->used[i] = true;
		else
			*value = sv->values[i]->str;
		return true;
	}
	return false;
}

/* ${name} that is no variable: a pseudo parameter, a parameter, or a
 * resource (or its attribute), which stays. False when out of memory. */
static bool sub_name_lookup(rctx *c, const ynode *tmpl, const char *name, size_t len,
                            const char **value, bool *keep)
{
	char *nm = rn_arena_strndup(c->a, name, len);
	if (!nm)
		return false;
	const char *dot = strchr(nm, '.');
	bool pseudo_known = false;
	long pi;
	if (!sub_name_ok(nm, len)) {
		rn_problem(c, "REN002", tmpl, NULL, "Fn::Sub variable '${%s}' is not a valid name",
		           nm);
		*keep = true;
	} else if (strncmp(nm, "AWS::", 5) == 0) {
		*value = pseudo(c, nm, &pseudo_known);
		if (!pseudo_known)
			rn_problem(c, "REN002", tmpl, NULL,
			           "Fn::Sub names %s, which is not a pseudo parameter", nm);
		*keep = *value == NULL;
	} else if (!dot && (pi = rn_index_find(&c->params_ix, nm)) >= 0) {
		const cat_param *cp = &c->cat->params[pi];
		*value = rn_param_value(c, (size_t)pi);
		if (cat_type_is_list(cp->type))
			rn_problem(c, "REN001", tmpl, "use Fn::Join for list parameters",
			           "Fn::Sub cannot substitute the list parameter %s", nm);
		*keep = *value == NULL;
	} else {
		char *id = dot ? rn_arena_strndup(c->a, nm, (size_t)(dot - nm)) : nm;
		if (!id)
			return false;
		if (!rn_check_resource_ref(c, id, tmpl, "Fn::Sub names"))
			rn_problem(
			    c, "REN002", tmpl, "check the spelling, or define it in a fragment",
			    "Fn::Sub names '%s', which is neither a parameter nor a resource", nm);
		*keep = true;
	}
	return true;
}

/* Walks the template: `text` gets the resolved string, `sym` the template
 * of a symbolic Fn::Sub; `symbolic` whether some variable stays. False
 * when out of memory. */
static bool sub_expand(rctx *c, const ynode *tmpl, sub_vars *sv, buf *text, buf *sym,
                       bool *symbolic)
{
	for (const char *p = tmpl->str; *p;) {
		const char *open = strstr(p, "${");
		if (!open) {
			buf_adds(text, p);
			add_escaped(sym, p, strlen(p));
			break;
		}
		buf_add(text, p, (size_t)(open - p));
		add_escaped(sym, p, (size_t)(open - p));
		const char *close = strchr(open + 2, '}');
		if (!close) {
			/* no closing brace: the rest is literal text */
			buf_adds(text, open);
			buf_adds(sym, open);
			break;
		}
		const char *name = open + 2;
		size_t len = (size_t)(close - name);
		p = close + 1;
		if (len && name[0] == '!') {
			/* ${!Literal} is the text ${Literal} */
			buf_adds(text, "${");
			buf_add(text, name + 1, len);
			buf_add(sym, open, (size_t)(p - open));
			continue;
		}
		const char *value = NULL;
		bool keep = false; /* stays ${name} in a symbolic Sub */
		if (!sub_var_lookup(sv, name, len, &value, &keep) &&
		    !sub_name_lookup(c, tmpl, name, len, &value, &keep))
			return false;
		if (keep) {
			*symbolic = true;
			buf_add(sym, open, (size_t)(p - open));
		} else {
			buf_adds(text, value);
			add_escaped(sym, value, strlen(value));
		}
	}
	return true;
}

/* A symbolic Fn::Sub: its template, with the variables it still needs. */
static rnode *sub_symbolic(rctx *c, const ynode *n, const ynode *tmpl, const sub_vars *sv,
                           const buf *sym)
{
	size_t remaining = 0;
	for (size_t i = 0; i < sv->n; i++)
		remaining += sv->used[i];
	rnode *t = rn_mk_strdup(c, sym->data ? sym->data : "", sym->len, tmpl);
	if (!t)
		return NULL;
	if (!remaining)
		return rn_symbolic(c, "Fn::Sub", t);
	rnode *map = rn_mk(c, RN_MAP, remaining, sv->map);
	rnode *r = rn_mk(c, RN_SEQ, 2, n);
	if (!map || !r)
		return NULL;
	for (size_t i = 0; i < sv->n; i++) {
		if (!sv->used[i])
			continue;
		map->kids[2 * map->n] =
		    rn_mk_str(c, ynode_key(sv->map, i)->str, true, ynode_key(sv->map, i));
		map->kids[2 * map->n + 1] = sv->values[i];
		map->n++;
	}
	r->kids[0] = t;
	r->kids[1] = map;
	r->n = 2;
	r->fn = "Fn::Sub";
	return r;
}

static rnode *fn_sub(rctx *c, const ynode *n, const ynode *arg)
{
	const ynode *tmpl = NULL, *vars = NULL;
	if (rn_arg_scalar(n, arg))
		tmpl = arg;
	else if (rn_items(arg) == 2 && rn_item(arg, 0)->kind == YNODE_SCALAR &&
	         !rn_item(arg, 0)->tag && rn_item(arg, 1)->kind == YNODE_MAP &&
	         !rn_item(arg, 1)->tag)
		tmpl = rn_item(arg, 0), vars = rn_item(arg, 1);
	if (!tmpl) {
		rn_problem(c, "REN001", n, "write !Sub 'text' or !Sub ['text', {Var: value}]",
		           "Fn::Sub takes a string, or a string and a mapping of variables");
		return rn_raw(c, n);
	}
	sub_vars sv;
	if (!sub_vars_eval(c, vars, &sv))
		return NULL;
	buf text, sym;
	buf_init(&text, max_string(c));
	buf_init(&sym, max_string(c));
	bool symbolic_result = false;
	rnode *r = NULL;
	if (!sub_expand(c, tmpl, &sv, &text, &sym, &symbolic_result) || text.oom || sym.oom) {
		r = NULL; /* out of memory (not the string limit) */
	} else if (text.failed || sym.failed) {
		rn_problem(c, "REN003", n, NULL, "Fn::Sub produces a string too large to render");
		r = rn_raw(c, n);
	} else if (!symbolic_result) {
		r = rn_mk_strdup(c, text.data ? text.data : "", text.len, n);
	} else {
		r = sub_symbolic(c, n, tmpl, &sv, &sym);
	}
	buf_free(&text);
	buf_free(&sym);
	return r;
}

/* ---- list functions ----------------------------------------------------- */

static rnode *fn_join(rctx *c, const ynode *n, const ynode *arg)
{
	if (rn_items(arg) != 2) {
		rn_problem(c, "REN001", n, "write !Join [delimiter, [values]]",
		           "Fn::Join takes a delimiter and a list");
		return rn_raw(c, n);
	}
	rnode *delim = rn_eval(c, rn_item(arg, 0));
	rnode *list = rn_eval(c, rn_item(arg, 1));
	if (!delim || !list)
		return NULL;
	if (!rnode_str(delim) || list == c->novalue || (!list->fn && list->kind != RN_SEQ)) {
		rn_problem(c, "REN001", n, "write !Join [delimiter, [values]]",
		           "Fn::Join takes a string delimiter and a list");
		return rn_raw(c, n);
	}
	bool all_known = !list->fn;
	for (size_t i = 0; all_known && i < list->n; i++) {
		const rnode *x = list->kids[i];
		if (x->fn)
			all_known = false;
		else if (x->kind != RN_SCALAR) {
			rn_problem(c, "REN001", n, NULL,
			           "Fn::Join joins strings, not lists or mappings");
			return rn_raw(c, n);
		}
	}
	if (!all_known) {
		rnode *r = rn_mk(c, RN_SEQ, 2, n);
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
	if (b.oom) { /* out of memory, not the string limit */
		buf_free(&b);
		return NULL;
	}
	if (b.failed) {
		buf_free(&b);
		rn_problem(c, "REN003", n, NULL, "Fn::Join produces a string too large to render");
		return rn_raw(c, n);
	}
	rnode *r = rn_mk_strdup(c, b.data ? b.data : "", b.len, n);
	buf_free(&b);
	return r;
}

static bool parse_index(const char *s, long *out)
{
	/* digits only: Fn::Select's index has no sign */
	return s && *s >= '0' && *s <= '9' && lms_parse_long(s, 0, LONG_MAX, out);
}

static rnode *fn_select(rctx *c, const ynode *n, const ynode *arg)
{
	if (rn_items(arg) != 2) {
		rn_problem(c, "REN001", n, "write !Select [index, list]",
		           "Fn::Select takes an index and a list");
		return rn_raw(c, n);
	}
	rnode *index = rn_eval(c, rn_item(arg, 0));
	rnode *list = rn_eval(c, rn_item(arg, 1));
	if (!index || !list)
		return NULL;
	long i;
	if (index->fn || list->fn) {
		rnode *r = rn_mk(c, RN_SEQ, 2, n);
		if (!r)
			return NULL;
		r->kids[0] = index;
		r->kids[1] = list;
		r->n = 2;
		r->fn = "Fn::Select";
		return r;
	}
	if (!parse_index(rnode_str(index), &i)) {
		rn_problem(c, "REN001", rn_item(arg, 0), NULL,
		           "Fn::Select's index must be a whole number of 0 or more");
		return rn_raw(c, n);
	}
	if (list == c->novalue || list->kind != RN_SEQ) {
		rn_problem(c, "REN001", n, NULL, "Fn::Select selects from a list");
		return rn_raw(c, n);
	}
	if ((size_t)i >= list->n) {
		rn_problem(c, "REN004", n, NULL,
		           "Fn::Select index %ld is out of range: the list has %zu rn_item(s)", i,
		           list->n);
		return rn_raw(c, n);
	}
	return list->kids[i];
}

static rnode *fn_split(rctx *c, const ynode *n, const ynode *arg)
{
	if (rn_items(arg) != 2) {
		rn_problem(c, "REN001", n, "write !Split [delimiter, string]",
		           "Fn::Split takes a delimiter and a string");
		return rn_raw(c, n);
	}
	rnode *delim = rn_eval(c, rn_item(arg, 0));
	rnode *src = rn_eval(c, rn_item(arg, 1));
	if (!delim || !src)
		return NULL;
	if (!rnode_str(delim) || !*delim->str || src == c->novalue ||
	    (!src->fn && src->kind != RN_SCALAR)) {
		rn_problem(c, "REN001", n, NULL,
		           "Fn::Split takes a non-empty delimiter and a string");
		return rn_raw(c, n);
	}
	if (src->fn) {
		rnode *r = rn_mk(c, RN_SEQ, 2, n);
		if (!r)
			return NULL;
		r->kids[0] = delim;
		r->kids[1] = src;
		r->n = 2;
		r->fn = "Fn::Split";
		return r;
	}
	return rn_split_list(c, src->str, delim->str, n);
}

static rnode *fn_getazs(rctx *c, const ynode *n, const ynode *arg)
{
	rnode *region = rn_eval_arg(c, n, arg);
	if (!region)
		return NULL;
	if (region == c->novalue || (!region->fn && region->kind != RN_SCALAR)) {
		rn_problem(c, "REN001", n, "write !GetAZs '' (this region)",
		           "Fn::GetAZs takes a region name");
		return rn_raw(c, n);
	}
	if (region->fn)
		return rn_symbolic(c, "Fn::GetAZs", region);
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
		return rn_symbolic(c, "Fn::GetAZs", region);
	}
	rnode *r = rn_mk(c, RN_SEQ, count, n);
	for (size_t i = 0; r && i < count; i++) {
		r->kids[i] = rn_mk_str(c, azs[i], false, n);
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
	if (rn_items(arg) != 3) {
		rn_problem(c, "REN001", n, "write !Cidr [ipBlock, count, cidrBits]",
		           "Fn::Cidr takes an address block, a count and a size in bits");
		return rn_raw(c, n);
	}
	rnode *block = rn_eval(c, rn_item(arg, 0));
	rnode *count_n = rn_eval(c, rn_item(arg, 1));
	rnode *bits_n = rn_eval(c, rn_item(arg, 2));
	if (!block || !count_n || !bits_n)
		return NULL;
	if (block->fn || count_n->fn || bits_n->fn) {
		rnode *r = rn_mk(c, RN_SEQ, 3, n);
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
		rn_problem(c, "REN001", n, NULL,
		           "Fn::Cidr takes an address block and two whole numbers");
		return rn_raw(c, n);
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
		rn_problem(c, "REN001", rn_item(arg, 0), NULL,
		           "'%s' is not an address block (a.b.c.d/n)", b);
		return rn_raw(c, n);
	}
	memcpy(host, b, (size_t)(slash - b));
	host[slash - b] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, host, addr) != 1) {
		rn_problem(c, "REN001", rn_item(arg, 0), NULL,
		           "'%s' is not an address block (a.b.c.d/n)", b);
		return rn_raw(c, n);
	}
	if (count < 1 || count > CIDR_MAX_COUNT || bits < 1 || bits > width - prefix) {
		rn_problem(
		    c, "REN004", n, NULL,
		    "Fn::Cidr cannot cut %ld block(s) of %ld host bits out of %s (count 1 to "
		    "256, host bits 1 to %ld)",
		    count, bits, b, width - prefix);
		return rn_raw(c, n);
	}
	/* the blocks must fit: count <= 2^(width - prefix - bits) */
	long room_bits = width - prefix - bits;
	if (room_bits < 9 && count > (1L << room_bits)) {
		rn_problem(c, "REN004", n, NULL,
		           "Fn::Cidr: %s holds %ld block(s) of %ld host bits, not %ld", b,
		           1L << room_bits, bits, count);
		return rn_raw(c, n);
	}
	/* the network address of the block */
	for (long bit = prefix; bit < width; bit++)
		addr[bit / 8] &= (unsigned char)~(0x80u >> (bit % 8));
	rnode *r = rn_mk(c, RN_SEQ, (size_t)count, n);
	for (long i = 0; r && i < count; i++) {
		unsigned char a[16];
		memcpy(a, addr, alen);
		addr_add_shifted(a, alen, (unsigned long)i, (unsigned)bits);
		char text[INET6_ADDRSTRLEN + 8];
		if (!inet_ntop(v6 ? AF_INET6 : AF_INET, a, text, INET6_ADDRSTRLEN))
			return NULL;
		size_t tl = strlen(text);
		snprintf(text + tl, sizeof(text) - tl, "/%ld", width - bits);
		r->kids[i] = rn_mk_strdup(c, text, strlen(text), n);
		if (!r->kids[i])
			return NULL;
		r->n++;
	}
	return r;
}

static rnode *fn_findinmap(rctx *c, const ynode *n, const ynode *arg)
{
	size_t k = rn_items(arg);
	if (k != 3 && k != 4) {
		rn_problem(c, "REN001", n, "write !FindInMap [Map, TopKey, SecondKey]",
		           "Fn::FindInMap takes a mapping name and two keys");
		return rn_raw(c, n);
	}
	rnode *key[3];
	for (size_t i = 0; i < 3; i++) {
		key[i] = rn_eval(c, rn_item(arg, i));
		if (!key[i])
			return NULL;
		if (key[i] == c->novalue || (!key[i]->fn && key[i]->kind != RN_SCALAR)) {
			rn_problem(c, "REN001", rn_item(arg, i), NULL,
			           "Fn::FindInMap's names and keys are strings");
			return rn_raw(c, n);
		}
	}
	rnode *fallback = NULL;
	if (k == 4) {
		const ynode *opt = rn_item(arg, 3);
		const ynode *dv = ynode_get(opt, "DefaultValue");
		if (!dv) {
			rn_problem(c, "REN001", opt, NULL,
			           "Fn::FindInMap's fourth item is {DefaultValue: value}");
			return rn_raw(c, n);
		}
		fallback = rn_eval(c, dv);
		if (!fallback)
			return NULL;
	}
	if (key[0]->fn || key[1]->fn || key[2]->fn) {
		rnode *r = rn_mk(c, RN_SEQ, k, n);
		if (!r)
			return NULL;
		for (size_t i = 0; i < 3; i++)
			r->kids[i] = key[i];
		r->n = 3;
		if (fallback) {
			rnode *opt = rn_mk(c, RN_MAP, 1, rn_item(arg, 3));
			if (!opt)
				return NULL;
			opt->kids[0] = rn_mk_str(c, "DefaultValue", true, rn_item(arg, 3));
			opt->kids[1] = fallback;
			opt->n = 1;
			r->kids[3] = opt;
			r->n = 4;
		}
		r->fn = "Fn::FindInMap";
		return r;
	}
	long mi = rn_index_find(&c->mappings, key[0]->str);
	const ynode *top = NULL, *second = NULL;
	const cat_entry *e = mi >= 0 ? &c->cat->entries[SEC_MAPPINGS][mi] : NULL;
	if (e)
		top = ynode_get(e->value, key[1]->str);
	if (top)
		second = ynode_get(top, key[2]->str);
	if (second) {
		const char *saved = c->file;
		c->file = e->frag->path;
		rnode *r = rn_raw(c, second);
		c->file = saved;
		return r;
	}
	if (fallback)
		return fallback;
	rn_problem(c, "REN002", n, NULL, "Fn::FindInMap: %s%s%s%s%s has no such entry", key[0]->str,
	           e ? " > " : " (no such mapping)", e ? key[1]->str : "", top ? " > " : "",
	           top ? key[2]->str : "");
	return rn_raw(c, n);
}

static rnode *fn_base64(rctx *c, const ynode *n, const ynode *arg)
{
	rnode *v = rn_eval_arg(c, n, arg);
	if (!v)
		return NULL;
	if (v == c->novalue || (!v->fn && v->kind != RN_SCALAR)) {
		rn_problem(c, "REN001", n, NULL, "Fn::Base64 encodes a string");
		return rn_raw(c, n);
	}
	if (v->fn)
		return rn_symbolic(c, "Fn::Base64", v);
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t len = strlen(v->str);
	size_t out_len = len / 3 * 4 + (len % 3 ? 4 : 0); /* no overflow */
	if (out_len > max_string(c)) {
		rn_problem(c, "REN003", n, NULL,
		           "Fn::Base64 produces a string too large to render");
		return rn_raw(c, n);
	}
	char *out = rn_arena_alloc(c->a, out_len + 1);
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
	return rn_mk_str(c, out, false, n);
}

/* An intrinsic evaluated in a value. */
static rnode *eval_fn(rctx *c, const ynode *n, const char *fn, const ynode *arg, bool known)
{
	if (!known) {
		rn_problem(c, "REN001", n, "see the CloudFormation intrinsic function reference",
		           "%s is not a CloudFormation intrinsic function", fn);
		return rn_raw(c, n);
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
		return rn_fn_if(c, n, arg);
	if (strcmp(fn, "Fn::Equals") == 0 || strcmp(fn, "Fn::And") == 0 ||
	    strcmp(fn, "Fn::Or") == 0 || strcmp(fn, "Fn::Not") == 0 ||
	    strcmp(fn, "Condition") == 0) {
		rn_problem(c, "REN001", n, "name a condition with Fn::If instead",
		           "%s is allowed only in Conditions", fn);
		return rn_raw(c, n);
	}
	/* Fn::ImportValue, Fn::Transform and the language extensions: what is
	 * inside is resolved, the function stays */
	rnode *inner = rn_eval_arg(c, n, arg);
	if (!inner)
		return NULL;
	if (inner == c->novalue)
		inner = rn_symbolic_ref(c, "AWS::NoValue", n);
	return inner ? rn_symbolic(c, fn, inner) : NULL;
}

rnode *rn_eval(rctx *c, const ynode *n)
{
	return rn_eval_node(c, n, false);
}

rnode *rn_eval_node(rctx *c, const ynode *n, bool untagged)
{
	if (!n)
		return rn_mk_str(c, "", true, NULL);
	if (c->a->mem.failed)
		return NULL;
	if (++c->depth > RENDER_MAX_DEPTH) {
		c->depth--;
		rn_problem(c, "REN003", n, NULL, "intrinsic functions nest too deeply to evaluate");
		return rn_mk_str(c, "", true, n);
	}
	const ynode *arg = NULL;
	bool known;
	const char *fn = rn_intrinsic(c, n, &arg, &known, untagged);
	rnode *r = NULL;
	if (fn) {
		const ynode *saved = c->untagged;
		c->untagged = untagged ? n : NULL;
		r = eval_fn(c, n, fn, arg, known);
		c->untagged = saved;
	} else if (n->kind == YNODE_SCALAR) {
		r = rn_mk_str(c, n->str, n->style == YSTYLE_PLAIN, n);
		if (r && rn_is_null_scalar(n))
			r->str = "";
	} else if (n->kind == YNODE_SEQ) {
		r = rn_mk(c, RN_SEQ, n->n, n);
		for (size_t i = 0; r && i < n->n; i++) {
			rnode *x = rn_eval(c, n->kids[i]);
			if (!x) {
				r = NULL;
				break;
			}
			if (x != c->novalue)
				r->kids[r->n++] = x;
		}
	} else {
		r = rn_mk(c, RN_MAP, n->n, n);
		for (size_t i = 0; r && i < n->n; i++) {
			const ynode *k = n->kids[2 * i];
			rnode *v = rn_eval(c, n->kids[2 * i + 1]);
			if (!v) {
				r = NULL;
				break;
			}
			if (v == c->novalue)
				continue;
			rnode *key = rn_mk_str(c, k->kind == YNODE_SCALAR ? k->str : "?", true, k);
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
