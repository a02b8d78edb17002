/* render/emit.c: the rendered template as YAML or JSON (render_emit). */
#include "common/num.h"
#include "model/render/internal.h"

#include "common/term.h"
#include "model/assemble.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

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
			double d;
			if (strpbrk(n->str, ".eE") && lms_parse_double(n->str, &d))
				return json_real(d);
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
		char *s = term_json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
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
