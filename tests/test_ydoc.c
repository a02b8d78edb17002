/* ydoc: node positions in lines, columns and bytes (with multibyte UTF-8
 * before them), tags, and every input the parser must refuse. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "model/ydoc.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static ydoc *parse_ok(const char *text)
{
	lms_error err = {0};
	ydoc *doc = ydoc_parse("t.yml", text, strlen(text), &err);
	if (!doc) {
		char *s = tu_error_text(&err);
		print_error("unexpected parse error: %s\n", s);
		free(s);
		lms_error_clear(&err);
	}
	assert_non_null(doc);
	assert_null(err.msg);
	return doc;
}

/* Parses `len` bytes that must fail; returns the formatted error (free it)
 * and the error's line and column. */
static char *parse_fail(const char *text, size_t len, size_t *line, size_t *col)
{
	lms_error err = {0};
	ydoc *doc = ydoc_parse("bad.yml", text, len, &err);
	assert_null(doc);
	assert_non_null(err.msg);
	assert_string_equal(err.file, "bad.yml");
	if (line)
		*line = err.line;
	if (col)
		*col = err.col;
	char *s = tu_error_text(&err);
	lms_error_clear(&err);
	return s;
}

/* Line (1-based) and column (1-based, in code points) of byte `offset`,
 * counted independently of ydoc. */
static void line_col_of(const char *text, size_t offset, size_t *line, size_t *col)
{
	size_t l = 1, line_start = 0;
	for (size_t i = 0; i < offset; i++)
		if (text[i] == '\n') {
			l++;
			line_start = i + 1;
		}
	/* a BOM is not a character of the first line */
	if (line_start == 0 && offset >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		line_start = 3;
	size_t c = 1;
	for (size_t i = line_start; i < offset; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			c++;
	*line = l;
	*col = c;
}

/* Every plain single-line scalar in the tree starts exactly at its text and
 * ends right after it, and its line and column agree with its byte offset.
 * Returns the number of scalars checked. */
static size_t check_positions(const ydoc *doc, const ynode *n)
{
	if (!n)
		return 0;
	size_t checked = 0;
	if (n->kind == YNODE_SCALAR) {
		/* a tagged scalar starts at its tag */
		if (n->style == YSTYLE_PLAIN && !n->tag && n->len > 0 &&
		    n->start.line == n->end.line) {
			if (n->start.offset + n->len > doc->len ||
			    memcmp(doc->text + n->start.offset, n->str, n->len) != 0) {
				print_error(
				    "%s: scalar '%s' (line %zu col %zu) is not at byte %zu\n",
				    doc->path, n->str, n->start.line, n->start.col,
				    n->start.offset);
				fail();
			}
			assert_int_equal(n->end.offset, n->start.offset + n->len);
			checked++;
		}
		size_t line, col;
		line_col_of(doc->text, n->start.offset, &line, &col);
		if (line != n->start.line || col != n->start.col) {
			print_error("%s: '%s' at byte %zu is %zu:%zu, ydoc says %zu:%zu\n",
			            doc->path, n->str, n->start.offset, line, col, n->start.line,
			            n->start.col);
			fail();
		}
		return checked;
	}
	size_t count = n->kind == YNODE_MAP ? 2 * n->n : n->n;
	for (size_t i = 0; i < count; i++)
		checked += check_positions(doc, n->kids[i]);
	return checked;
}

static size_t offset_of(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);
	assert_non_null(p);
	assert_null(strstr(p + 1, needle)); /* the test's needles are unique */
	return (size_t)(p - text);
}

/* ---- positions ---------------------------------------------------------------------------- */

static void test_positions_ascii(void **state)
{
	(void)state;
	ydoc *doc = parse_ok("a: 1\nb: hello\nc:\n  - x\n");
	const ynode *b = ynode_get(doc->root, "b");
	assert_non_null(b);
	assert_string_equal(b->str, "hello");
	assert_int_equal(b->start.line, 2);
	assert_int_equal(b->start.col, 4);
	assert_int_equal(b->start.offset, 8);
	assert_int_equal(b->end.offset, 13);
	const ynode *c = ynode_get(doc->root, "c");
	assert_int_equal(c->kind, YNODE_SEQ);
	assert_int_equal(c->style, YSTYLE_BLOCK);
	assert_int_equal(c->kids[0]->start.line, 4);
	assert_int_equal(c->kids[0]->start.col, 5);
	assert_int_equal(c->kids[0]->start.offset, 21);
	assert_int_equal(ynode_key(doc->root, 2)->start.offset, 14);
	assert_int_equal(check_positions(doc, doc->root), 6);
	ydoc_free(doc);
}

static const char multibyte_text[] = "# a comment with é, 日本 and 🚀 before anything\n"
                                     "café: naïve\n"
                                     "日本: \"値 🚀\"\n"
                                     "# 🚀🚀🚀 another comment, then a flow list following multibyte\n"
                                     "k: [ä, 🚀, endé, last]\n"
                                     "emoji🚀key: after   # trailing é comment\n"
                                     "nested:\n"
                                     "  ü: {ß: deep, x: 終}\n"
                                     "tail: plain\n";

static void test_positions_multibyte(void **state)
{
	(void)state;
	const char *text = multibyte_text;
	ydoc *doc = parse_ok(text);
	const ynode *root = doc->root;

	const ynode *k0 = ynode_key(root, 0);
	assert_string_equal(k0->str, "café");
	assert_int_equal(k0->start.line, 2);
	assert_int_equal(k0->start.col, 1);
	assert_int_equal(k0->start.offset, offset_of(text, "café"));

	const ynode *v = ynode_get(root, "café");
	assert_string_equal(v->str, "naïve");
	assert_int_equal(v->start.line, 2);
	assert_int_equal(v->start.col, 7); /* c a f é : space */
	assert_int_equal(v->start.offset, offset_of(text, "naïve"));
	assert_memory_equal(text + v->start.offset, "naïve", strlen("naïve"));
	assert_int_equal(v->end.offset, v->start.offset + strlen("naïve"));

	/* a double-quoted scalar's range covers its quotes */
	v = ynode_get(root, "日本");
	assert_non_null(v);
	assert_int_equal(v->style, YSTYLE_DOUBLE);
	assert_string_equal(v->str, "値 🚀");
	assert_int_equal(v->start.line, 3);
	assert_int_equal(v->start.col, 5);
	assert_int_equal(v->start.offset, offset_of(text, "\"値"));
	assert_int_equal(v->end.offset, v->start.offset + strlen("\"値 🚀\""));

	const ynode *k = ynode_get(root, "k");
	assert_int_equal(k->kind, YNODE_SEQ);
	assert_int_equal(k->style, YSTYLE_FLOW);
	assert_int_equal(k->n, 4);
	assert_string_equal(k->kids[2]->str, "endé");
	assert_int_equal(k->kids[2]->start.line, 5);
	assert_int_equal(k->kids[2]->start.col, 11); /* k : sp [ ä , sp 🚀 , sp */
	assert_int_equal(k->kids[2]->start.offset, offset_of(text, "endé"));
	assert_int_equal(k->kids[3]->start.offset, offset_of(text, "last"));
	assert_int_equal(k->start.offset, offset_of(text, "[ä"));

	v = ynode_get(root, "emoji🚀key");
	assert_string_equal(v->str, "after");
	assert_int_equal(v->start.col, 12);
	assert_int_equal(v->start.offset, offset_of(text, "after"));
	assert_int_equal(v->end.offset, v->start.offset + 5);

	const ynode *deep = ynode_get(ynode_get(ynode_get(root, "nested"), "ü"), "x");
	assert_non_null(deep);
	assert_string_equal(deep->str, "終");
	assert_int_equal(deep->start.line, 8);
	assert_int_equal(deep->start.offset, offset_of(text, "終"));

	v = ynode_get(root, "tail");
	assert_int_equal(v->start.line, 9);
	assert_int_equal(v->start.col, 7);
	assert_int_equal(v->start.offset, offset_of(text, "plain"));

	assert_true(check_positions(doc, root) >= 16);
	ydoc_free(doc);
}

static void test_positions_bom(void **state)
{
	(void)state;
	const char text[] = "\xEF\xBB\xBF"
	                    "a: é\n"
	                    "b: 日本 x\n";
	ydoc *doc = parse_ok(text);
	const ynode *a = ynode_key(doc->root, 0);
	assert_string_equal(a->str, "a"); /* the BOM is not part of the key */
	assert_int_equal(a->start.line, 1);
	assert_int_equal(a->start.col, 1);
	assert_int_equal(a->start.offset, 3);
	const ynode *b = ynode_get(doc->root, "b");
	assert_string_equal(b->str, "日本 x");
	assert_int_equal(b->start.line, 2);
	assert_int_equal(b->start.col, 4);
	assert_int_equal(b->start.offset, offset_of(text, "日本"));
	check_positions(doc, doc->root);
	ydoc_free(doc);
}

static void test_positions_crlf(void **state)
{
	(void)state;
	const char text[] = "a: é\r\nb: x\r\nc: 日本\r\n";
	ydoc *doc = parse_ok(text);
	const ynode *b = ynode_get(doc->root, "b");
	assert_int_equal(b->start.line, 2);
	assert_int_equal(b->start.offset, offset_of(text, "x"));
	const ynode *c = ynode_get(doc->root, "c");
	assert_int_equal(c->start.line, 3);
	assert_int_equal(c->start.offset, offset_of(text, "日本"));
	ydoc_free(doc);
}

static void test_positions_after_block_scalars(void **state)
{
	(void)state;
	const char text[] = "lit: |\n  é line\n  日本 line\nfold: >-\n  🚀 a\n  b\nnext: here\n";
	ydoc *doc = parse_ok(text);
	const ynode *lit = ynode_get(doc->root, "lit");
	assert_int_equal(lit->style, YSTYLE_LITERAL);
	assert_string_equal(lit->str, "é line\n日本 line\n");
	const ynode *fold = ynode_get(doc->root, "fold");
	assert_int_equal(fold->style, YSTYLE_FOLDED);
	assert_string_equal(fold->str, "🚀 a b");
	const ynode *next = ynode_get(doc->root, "next");
	assert_int_equal(next->start.line, 7);
	assert_int_equal(next->start.offset, offset_of(text, "here"));
	ydoc_free(doc);
}

/* The real fragments: every plain one-line scalar is exactly where ydoc says. */
static ydoc *load_template(const char *name)
{
	char *path = tu_join(tu_templates_dir(), name);
	lms_error err = {0};
	ydoc *doc = ydoc_load(path, 4 * 1024 * 1024, &err);
	if (!doc)
		print_error("%s: %s\n", path, err.msg ? err.msg : "?");
	lms_error_clear(&err);
	free(path);
	assert_non_null(doc);
	return doc;
}

/* The real templates (catalog.yml and every fragment it lists): every plain
 * one-line scalar is exactly where ydoc says. */
static void test_positions_in_templates(void **state)
{
	(void)state;
	ydoc *index = load_template("catalog.yml");
	assert_true(check_positions(index, index->root) > 3);
	const ynode *frags = ynode_get(index->root, "Fragments");
	assert_non_null(frags);
	assert_true(frags->n >= 3);
	for (size_t i = 0; i < frags->n; i++) {
		ydoc *doc = load_template(frags->kids[i]->str);
		assert_true(check_positions(doc, doc->root) > 3);
		ydoc_free(doc);
	}
	ydoc_free(index);
}

/* ---- styles and tags ---------------------------------------------------------------------- */

static void test_styles(void **state)
{
	(void)state;
	ydoc *doc = parse_ok("p: plain\ns: 'single'\nd: \"double\"\nf: {a: 1}\nb:\n  x: 1\n");
	assert_int_equal(ynode_get(doc->root, "p")->style, YSTYLE_PLAIN);
	assert_int_equal(ynode_get(doc->root, "s")->style, YSTYLE_SINGLE);
	assert_int_equal(ynode_get(doc->root, "d")->style, YSTYLE_DOUBLE);
	assert_int_equal(ynode_get(doc->root, "f")->style, YSTYLE_FLOW);
	assert_int_equal(ynode_get(doc->root, "f")->kind, YNODE_MAP);
	assert_int_equal(ynode_get(doc->root, "b")->style, YSTYLE_BLOCK);
	assert_int_equal(doc->root->style, YSTYLE_BLOCK);
	/* a quoted scalar's range includes the quotes */
	const ynode *s = ynode_get(doc->root, "s");
	assert_memory_equal(doc->text + s->start.offset, "'single'", 8);
	assert_int_equal(s->end.offset - s->start.offset, 8);
	ydoc_free(doc);
}

static void test_tags_kept(void **state)
{
	(void)state;
	ydoc *doc = parse_ok("a: !Ref Foo\n"
	                     "b: !Sub 'lms-${EnvironmentSuffix}'\n"
	                     "c: !GetAtt Db.Endpoint.Address\n"
	                     "d: !GetAtt [Db, Arn]\n"
	                     "e: !Equals [!Ref Environment, prod]\n"
	                     "f: !Sub\n  - '${A}-x'\n  - A: !Ref B\n"
	                     "g: !!str 5\n"
	                     "h: untagged\n");
	const ynode *a = ynode_get(doc->root, "a");
	assert_string_equal(a->tag, "!Ref");
	assert_string_equal(a->str, "Foo");
	assert_null(ynode_str(a)); /* tagged: not a plain string */
	const ynode *b = ynode_get(doc->root, "b");
	assert_string_equal(b->tag, "!Sub");
	assert_string_equal(b->str, "lms-${EnvironmentSuffix}");
	assert_int_equal(b->style, YSTYLE_SINGLE);
	assert_string_equal(ynode_get(doc->root, "c")->tag, "!GetAtt");
	const ynode *d = ynode_get(doc->root, "d");
	assert_int_equal(d->kind, YNODE_SEQ);
	assert_string_equal(d->tag, "!GetAtt");
	assert_int_equal(d->n, 2);
	assert_string_equal(d->kids[1]->str, "Arn");
	assert_null(d->kids[1]->tag);
	const ynode *e = ynode_get(doc->root, "e");
	assert_string_equal(e->tag, "!Equals");
	assert_string_equal(e->kids[0]->tag, "!Ref");
	assert_string_equal(e->kids[0]->str, "Environment");
	const ynode *f = ynode_get(doc->root, "f");
	assert_string_equal(f->tag, "!Sub");
	assert_int_equal(f->kind, YNODE_SEQ);
	assert_string_equal(ynode_get(f->kids[1], "A")->tag, "!Ref");
	assert_non_null(ynode_get(doc->root, "g")->tag);
	assert_contains(ynode_get(doc->root, "g")->tag, "str");
	assert_null(ynode_get(doc->root, "h")->tag);
	assert_string_equal(ynode_str(ynode_get(doc->root, "h")), "untagged");
	/* the tag's text sits before the scalar */
	assert_memory_equal(doc->text + a->start.offset, "!Ref Foo", 8);
	ydoc_free(doc);
}

/* ---- refusals ----------------------------------------------------------------------------- */

static void test_duplicate_key_names_both_lines(void **state)
{
	(void)state;
	const char text[] = "a: 1\nb: 2\n# é\na: 3\n";
	size_t line, col;
	char *msg = parse_fail(text, strlen(text), &line, &col);
	assert_int_equal(line, 4);
	assert_int_equal(col, 1);
	assert_contains(msg, "bad.yml:4:1: ");
	assert_contains(msg, "duplicate key 'a'");
	assert_contains(msg, "line 1");
	free(msg);

	const char nested[] = "top:\n  k: 1\n  other: x\n  k: 2\nk: fine at top level\n";
	msg = parse_fail(nested, strlen(nested), &line, &col);
	assert_int_equal(line, 4);
	assert_int_equal(col, 3);
	assert_contains(msg, "duplicate key 'k'");
	assert_contains(msg, "line 2");
	free(msg);

	/* quoting does not make a key different */
	const char quoted[] = "x: 1\n'x': 2\n";
	msg = parse_fail(quoted, strlen(quoted), &line, NULL);
	assert_int_equal(line, 2);
	assert_contains(msg, "duplicate key 'x'");
	free(msg);

	/* the same key in two mappings is fine */
	ydoc *doc = parse_ok("m1:\n  k: 1\nm2:\n  k: 2\n");
	ydoc_free(doc);
}

static void test_anchors_and_aliases_refused(void **state)
{
	(void)state;
	const char anchor[] = "a: &x 1\nb: 2\n";
	size_t line;
	char *msg = parse_fail(anchor, strlen(anchor), &line, NULL);
	assert_int_equal(line, 1);
	assert_contains(msg, "anchors");
	free(msg);

	const char alias[] = "a: 1\nb: *x\n";
	msg = parse_fail(alias, strlen(alias), &line, NULL);
	assert_int_equal(line, 2);
	assert_contains(msg, "aliases");
	free(msg);

	const char map_anchor[] = "base: &b\n  k: v\nuse:\n  <<: *b\n";
	msg = parse_fail(map_anchor, strlen(map_anchor), &line, NULL);
	assert_int_equal(line, 1);
	assert_contains(msg, "anchors");
	free(msg);

	const char seq_anchor[] = "s: &s [1, 2]\n";
	msg = parse_fail(seq_anchor, strlen(seq_anchor), NULL, NULL);
	assert_contains(msg, "anchors");
	free(msg);
}

static void test_malformed_reports_line_and_column(void **state)
{
	(void)state;
	size_t line, col;
	const char text[] = "a: 1\nb: c: d\n";
	char *msg = parse_fail(text, strlen(text), &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 5);
	assert_contains(msg, "bad.yml:2:5: ");
	assert_contains(msg, "mapping values are not allowed");
	free(msg);

	const char unclosed[] = "a: [1, 2\nb: 3\n";
	msg = parse_fail(unclosed, strlen(unclosed), &line, &col);
	assert_true(line >= 2);
	assert_true(col >= 1);
	free(msg);

	const char tab[] = "a:\n\tb: 1\n";
	msg = parse_fail(tab, strlen(tab), &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 1);
	free(msg);

	/* the column counts characters, not bytes */
	const char mb[] = "é日: x: y\n";
	msg = parse_fail(mb, strlen(mb), &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 6);
	free(msg);

	const char bad_utf8[] = "a: \xff\xfe\n";
	msg = parse_fail(bad_utf8, strlen(bad_utf8), &line, NULL);
	assert_contains(msg, "bad.yml");
	free(msg);
}

/* Text that is not UTF-8 is refused at its own line and column (in code points, as every
 * other position), naming the byte; libyaml reports it at byte offsets only. */
static void test_invalid_utf8_reports_line_and_column(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *bad; /* where the offending byte is */
		const char *says;
	} cases[] = {
	    {"a: 1\nb: d\xff"
	     "ev\n",
	     "\xff", "0xff"},
	    {"a: 1\nb: 2\nc: \xc3\xa9t\xc3\xa9 \x80\n", "\x80\n", "0x80"},
	    {"\xef\xbb\xbf"
	     "a: x\xc2\n",
	     "\xc2", "0xc2"},
	    {"a:\n  - \xe0\xb8\x9a\n  - \xe2\x82x\n", "\xe2\x82x", "0xe2"},
	    {"a: b\n\x01\n", "\x01", "control characters"},
	    {"k: \"v\xfe\"\n", "\xfe", "0xfe"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *text = cases[i].text;
		size_t want_line, want_col;
		line_col_of(text, (size_t)(strstr(text, cases[i].bad) - text), &want_line,
		            &want_col);
		size_t line = 0, col = 0;
		char *msg = parse_fail(text, strlen(text), &line, &col);
		if (line != want_line || col != want_col)
			fail_msg("case %zu: %s at %zu:%zu, expected %zu:%zu", i, msg, line, col,
			         want_line, want_col);
		assert_non_null(strstr(msg, cases[i].says));
		free(msg);
	}
}

static void test_nul_byte_refused(void **state)
{
	(void)state;
	const char text[] = "a: 1\n\0b: 2\n";
	size_t line = 9, col = 9;
	char *msg = parse_fail(text, sizeof(text) - 1, &line, &col);
	assert_contains(msg, "NUL");
	free(msg);
	assert_int_equal(line, 0); /* the whole file, no position */
	assert_int_equal(col, 0);
}

/* Line breaks other than \n and \r\n would put ydoc's line numbers and
 * libyaml's out of step: refused, with their position. */
static void test_other_line_breaks_refused(void **state)
{
	(void)state;
	size_t line, col;
	const char cr[] = "a: 1\nb: x\ry: 2\n";
	char *msg = parse_fail(cr, strlen(cr), &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 5);
	assert_contains(msg, "carriage return");
	free(msg);

	const char ls[] = "a: 1\n# é \xE2\x80\xA8 in a comment\n";
	msg = parse_fail(ls, strlen(ls), &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 5);
	assert_contains(msg, "U+2028");
	free(msg);

	const char nel[] = "a: x\xC2\x85y\n";
	msg = parse_fail(nel, strlen(nel), &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 5);
	assert_contains(msg, "U+0085");
	free(msg);

	/* escaped in a double-quoted scalar they are fine */
	ydoc *doc = parse_ok("a: \"x\\Ly\\Nz\\rw\"\n");
	assert_string_equal(ynode_get(doc->root, "a")->str, "x\xE2\x80\xA8y\xC2\x85z\rw");
	ydoc_free(doc);
}

/* The helpers' exact names and values, and each line break at the end of
 * the text and beside its neighbours. */
static void test_helper_edges(void **state)
{
	(void)state;
	ydoc *doc = parse_ok("ab: 1\na: 2\nn1: Null\nn2: NULL\nn3: nulL\nn4: nullx\nn5: nul\n"
	                     "n6: '~'\nn7: \"\"\nn8: ~~\n[k]: 3\nn9: Nullx\nn10: NULLx\n");
	const ynode *root = doc->root;
	assert_string_equal(ynode_get(root, "a")->str, "2");
	assert_string_equal(ynode_get(root, "ab")->str, "1");
	assert_null(ynode_get(root, "abc"));
	assert_null(ynode_get(root, ""));
	assert_null(ynode_get(root, "k")); /* a key that is no scalar is no name */
	assert_true(ynode_is_null(ynode_get(root, "n1")));
	assert_true(ynode_is_null(ynode_get(root, "n2")));
	for (int i = 3; i <= 10; i++) {
		char key[4];
		snprintf(key, sizeof key, "n%d", i);
		if (ynode_is_null(ynode_get(root, key)))
			fail_msg("%s is null", key);
	}
	assert_string_equal(ynode_str(ynode_val(root, 1)), "2");
	assert_null(ynode_key(root, 13));
	assert_non_null(ynode_key(root, 12));
	assert_null(ynode_key(NULL, 0));
	assert_null(ynode_val(NULL, 0));
	ydoc_free(doc);
}

static void test_line_break_edges(void **state)
{
	(void)state;
	size_t line, col;
	/* a lone \r at the very end; \r\n at the end is a line break */
	char *msg = parse_fail("a: 1\r", 5, &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 5);
	assert_contains(msg, "carriage return");
	free(msg);
	ydoc *doc = parse_ok("a: 1\r\nb: 2\r\n");
	assert_string_equal(ynode_get(doc->root, "b")->str, "2");
	ydoc_free(doc);
	/* U+2029, on the third line after multibyte characters */
	const char ps[] = "a: 1\nb: 2\n# 日本 \xE2\x80\xA9\n";
	msg = parse_fail(ps, strlen(ps), &line, &col);
	assert_int_equal(line, 3);
	assert_int_equal(col, 6);
	assert_contains(msg, "U+2029");
	free(msg);
	/* NEL as the last two bytes */
	const char nel[] = "a: x\xC2\x85";
	msg = parse_fail(nel, strlen(nel), &line, &col);
	assert_int_equal(line, 1);
	assert_int_equal(col, 5);
	assert_contains(msg, "U+0085");
	free(msg);
	/* LS as the last three bytes */
	const char ls[] = "a: x\xE2\x80\xA8";
	msg = parse_fail(ls, strlen(ls), &line, &col);
	assert_contains(msg, "U+2028");
	free(msg);
	/* U+30A9 ends in the bytes of U+2029 but is a character: the break is on line 2 */
	const char kana[] = "a: \xE3\x80\xA9\nb: x\xE2\x80\xA9\n";
	msg = parse_fail(kana, strlen(kana), &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 5);
	free(msg);
	const char ps_end[] = "a: x\xE2\x80\xA9";
	msg = parse_fail(ps_end, strlen(ps_end), &line, &col);
	assert_int_equal(col, 5);
	assert_contains(msg, "U+2029");
	free(msg);
	/* their neighbours are characters: U+00A0, U+2027, U+202A, U+2000 */
	doc = parse_ok("a: x\xC2\xA0y\nb: x\xE2\x80\xA7y\nc: x\xE2\x80\xAAy\nd: x\xE2\x80\x80y\n"
	               "e: \xE2\x81\xA8\n");
	assert_string_equal(ynode_get(doc->root, "a")->str, "x\xC2\xA0y");
	assert_string_equal(ynode_get(doc->root, "b")->str, "x\xE2\x80\xA7y");
	assert_string_equal(ynode_get(doc->root, "c")->str, "x\xE2\x80\xAAy");
	ydoc_free(doc);
	/* after a \r\n, a lone \r is found on the next line */
	const char cr[] = "a: 1\r\nb: 2\rc: 3\n";
	msg = parse_fail(cr, strlen(cr), &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 5);
	free(msg);
}

static void test_multiple_documents_refused(void **state)
{
	(void)state;
	const char text[] = "a: 1\n---\nb: 2\n";
	size_t line;
	char *msg = parse_fail(text, strlen(text), &line, NULL);
	assert_int_equal(line, 2);
	assert_contains(msg, "more than one YAML document");
	free(msg);

	/* one explicit document is fine */
	ydoc *doc = parse_ok("---\na: 1\n...\n");
	assert_string_equal(ynode_str(ynode_get(doc->root, "a")), "1");
	ydoc_free(doc);
}

static void test_empty_documents(void **state)
{
	(void)state;
	ydoc *doc = parse_ok("");
	assert_null(doc->root);
	assert_int_equal(doc->len, 0);
	assert_string_equal(doc->text, "");
	ydoc_free(doc);

	doc = parse_ok("# only a comment, é\n\n");
	assert_null(doc->root);
	ydoc_free(doc);

	doc = parse_ok("\xEF\xBB\xBF");
	assert_null(doc->root);
	ydoc_free(doc);

	doc = parse_ok("---\n");
	assert_true(ynode_is_null(doc->root));
	ydoc_free(doc);
}

static void test_depth_limit(void **state)
{
	(void)state;
	buf b;
	buf_init(&b, 0);
	for (int i = 0; i < 400; i++)
		buf_addc(&b, '[');
	for (int i = 0; i < 400; i++)
		buf_addc(&b, ']');
	char *msg = parse_fail(buf_cstr(&b), b.len, NULL, NULL);
	assert_contains(msg, "nesting");
	free(msg);
	buf_free(&b);

	/* the limit on both sides: a scalar in 256 lists is at depth 256, in 257 past it */
	for (int n = 256; n <= 257; n++) {
		buf_init(&b, 0);
		for (int i = 0; i < n; i++)
			buf_addc(&b, '[');
		buf_addc(&b, 'x');
		for (int i = 0; i < n; i++)
			buf_addc(&b, ']');
		lms_error err = {0};
		ydoc *deep = ydoc_parse("t.yml", buf_cstr(&b), b.len, &err);
		if ((deep != NULL) != (n == 256))
			fail_msg("%d levels: parsed %d", n, deep != NULL);
		ydoc_free(deep);
		lms_error_clear(&err);
		buf_free(&b);
	}

	/* moderate nesting is fine */
	ydoc *doc = parse_ok("[[[[[[[[[[x]]]]]]]]]]");
	assert_int_equal(doc->root->kind, YNODE_SEQ);
	ydoc_free(doc);
}

/* ---- helpers and loading ------------------------------------------------------------------ */

static void test_node_helpers(void **state)
{
	(void)state;
	ydoc *doc = parse_ok("a: x\nn1: ~\nn2: null\nn3:\nq: 'null'\nt: !Ref null\ns: [1]\n");
	const ynode *root = doc->root;
	assert_int_equal(root->n, 7);
	assert_string_equal(ynode_key(root, 0)->str, "a");
	assert_string_equal(ynode_val(root, 0)->str, "x");
	assert_null(ynode_key(root, 7));
	assert_null(ynode_val(root, 7));
	assert_null(ynode_get(root, "missing"));
	assert_null(ynode_get(NULL, "a"));
	assert_null(ynode_get(ynode_get(root, "s"), "a")); /* not a mapping */
	assert_null(ynode_key(ynode_get(root, "s"), 0));
	assert_null(ynode_str(NULL));
	assert_null(ynode_str(ynode_get(root, "s")));
	assert_true(ynode_is_null(NULL));
	assert_true(ynode_is_null(ynode_get(root, "n1")));
	assert_true(ynode_is_null(ynode_get(root, "n2")));
	assert_true(ynode_is_null(ynode_get(root, "n3")));
	assert_false(ynode_is_null(ynode_get(root, "q")));
	assert_false(ynode_is_null(ynode_get(root, "t")));
	assert_false(ynode_is_null(ynode_get(root, "a")));
	assert_false(ynode_is_null(ynode_get(root, "s")));
	ydoc_free(doc);
}

static void test_line_offset(void **state)
{
	(void)state;
	const char text[] = "é: 1\nbb: 2\n\nlast: 日";
	ydoc *doc = parse_ok(text);
	assert_int_equal(ydoc_line_offset(doc, 1), 0);
	assert_int_equal(ydoc_line_offset(doc, 2), offset_of(text, "bb"));
	assert_int_equal(ydoc_line_offset(doc, 3), offset_of(text, "\n\n") + 1);
	assert_int_equal(ydoc_line_offset(doc, 4), offset_of(text, "last"));
	assert_int_equal(ydoc_line_offset(doc, 5), doc->len);
	assert_int_equal(ydoc_line_offset(doc, 99), doc->len);
	ydoc_free(doc);
}

static void test_load_file(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *path = tu_write_file(dir, "m.yml", multibyte_text);
	lms_error err = {0};
	ydoc *doc = ydoc_load(path, 4096, &err);
	assert_non_null(doc);
	assert_string_equal(doc->path, path);
	assert_int_equal(doc->len, strlen(multibyte_text));
	const ynode *v = ynode_get(doc->root, "tail");
	assert_int_equal(v->start.offset, offset_of(multibyte_text, "plain"));
	ydoc_free(doc);

	/* larger than allowed */
	doc = ydoc_load(path, 16, &err);
	assert_null(doc);
	assert_string_equal(err.file, path);
	assert_error(&err, "larger than 16 bytes");

	char *missing = tu_join(dir, "missing.yml");
	doc = ydoc_load(missing, 4096, &err);
	assert_null(doc);
	assert_string_equal(err.file, missing);
	assert_error(&err, "cannot open");

	/* a parse error names the file's path */
	char *bad = tu_write_file(dir, "bad.yml", "a: 1\na: 2\n");
	doc = ydoc_load(bad, 4096, &err);
	assert_null(doc);
	char *s = tu_error_text(&err);
	char *want = tu_join(dir, "bad.yml:2:1: duplicate key");
	assert_contains(s, want);
	free(want);
	free(s);
	lms_error_clear(&err);

	free(bad);
	free(missing);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* Out of memory at each allocation of ydoc_load, an empty file (its text is
 * allocated apart: an empty buffer has none) and a small one: "out of
 * memory" in the file; for the empty file never a position, for the other a
 * position is line and column or neither. */
static void test_load_out_of_memory(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *paths[] = {tu_write_file(dir, "empty.yml", ""),
	                 tu_write_file(dir, "a.yml", "a: 1\n")};
	for (size_t k = 0; k < 2; k++) {
		size_t n = 0;
		for (;; n++) {
			lms_error err = {0};
			alloc_fail_after(n);
			ydoc *doc = ydoc_load(paths[k], 4096, &err);
			bool fired = alloc_fail_fired();
			alloc_fail_off();
			if (!fired) {
				assert_non_null(doc);
				ydoc_free(doc);
				break;
			}
			assert_null(doc);
			assert_int_equal(strncmp(err.msg, "out of memory", 13),
			                 0); /* file_read: "... reading it" */
			assert_string_equal(err.file, paths[k]);
			assert_int_equal(err.line == 0, err.col == 0);
			if (k == 0)
				assert_int_equal(err.line, 0);
			lms_error_clear(&err);
		}
		assert_true(n >= 4);
		free(paths[k]);
	}
	tu_rmtree(dir);
	free(dir);
}

static void test_error_null_is_allowed(void **state)
{
	(void)state;
	/* err may be NULL: failure is still reported by the return value */
	assert_null(ydoc_parse("x.yml", "a: [", 4, NULL));
	assert_null(ydoc_parse("x.yml", "a: 1\na: 2\n", 10, NULL));
}

/* Positions across the eight-byte ASCII stride: runs of 0 to 18 ASCII
 * characters before and after a 2-, 3- and 4-byte character, each scalar's
 * offset, line and column checked; with and without a BOM. */
static void test_positions_stride(void **state)
{
	(void)state;
	/* é (C3), 日 (E6), 🚀 (F0), บ (E0), ア (E3), U+40000 (F1), U+0080's neighbour ¡ (C2) */
	static const char *const wide[] = {"\xc3\xa9",     "\xe6\x97\xa5", "\xf0\x9f\x9a\x80",
	                                   "\xe0\xb8\x9a", "\xe3\x82\xa2", "\xf1\x80\x80\x80",
	                                   "\xc2\xa1"};
	for (int bom = 0; bom < 2; bom++)
		for (size_t w = 0; w < sizeof wide / sizeof *wide; w++)
			for (int run = 0; run <= 18; run++) {
				buf t;
				buf_init(&t, 0);
				if (bom)
					buf_adds(&t, "\xef\xbb\xbf");
				buf_adds(&t, "k: ");
				for (int i = 0; i < run; i++)
					buf_addc(&t, (char)('a' + i % 26));
				buf_adds(&t, wide[w]);
				buf_adds(&t, "\nl: [");
				for (int i = 0; i < run; i++)
					buf_addc(&t, (char)('a' + i % 26));
				buf_adds(&t, "q, x]\nm: ");
				buf_adds(&t, wide[w]);
				for (int i = 0; i < run; i++)
					buf_addc(&t, 'z');
				buf_adds(&t, "\nn: y\n");
				ydoc *doc = parse_ok(buf_cstr(&t));
				/* l's items (when there is a run), l's x, n's key and y, and
				 * each key */
				size_t checked = check_positions(doc, doc->root);
				assert_true(checked >= 6);
				const ynode *n = ynode_val(doc->root, 3);
				assert_int_equal(n->start.offset, t.len - 2);
				assert_int_equal(n->end.offset, t.len - 1);
				assert_int_equal(n->start.col, 4);
				assert_int_equal(n->start.line, 4);
				ydoc_free(doc);
				buf_free(&t);
			}
}

/* Duplicate keys: a value like an earlier key is no duplicate, a key like
 * the second one is, keys sharing a prefix or a length are not; keys that
 * are no scalars are not compared. */
static void test_duplicate_key_edges(void **state)
{
	(void)state;
	static const char *const fine[] = {
	    "a: a\n",
	    "a: b\nb: c\n",
	    "a: 1\nab: 2\n",
	    "ab: 1\na: 2\n",
	    "ab: 1\nac: 2\n",
	    "? [a]\n: 1\n? [a]\n: 2\n",
	    "x: 1\n? [x]\n: 2\n",
	};
	for (size_t i = 0; i < sizeof fine / sizeof *fine; i++) {
		ydoc *doc = parse_ok(fine[i]);
		ydoc_free(doc);
	}
	static const struct {
		const char *text;
		size_t line;
	} dup[] = {
	    {"a: 1\nb: 2\nb: 3\n", 3},
	    {"a: 1\nb: 2\nc: 3\nc: 4\n", 4},
	    {"a: 1\nb: 2\nc: 3\nb: 4\n", 4},
	    {"{a: 1, b: 2, a: 3}\n", 1},
	};
	for (size_t i = 0; i < sizeof dup / sizeof *dup; i++) {
		size_t line;
		char *msg = parse_fail(dup[i].text, strlen(dup[i].text), &line, NULL);
		assert_contains(msg, "duplicate key");
		assert_int_equal(line, dup[i].line);
		free(msg);
	}
	/* sizes: a mapping's pairs, a list's items */
	ydoc *doc = parse_ok("m: {a: 1, b: 2, c: 3}\ns: [1, 2, 3]\ne: {}\nf: []\n");
	assert_int_equal(ynode_get(doc->root, "m")->n, 3);
	assert_int_equal(ynode_get(doc->root, "s")->n, 3);
	assert_int_equal(ynode_get(doc->root, "e")->n, 0);
	assert_int_equal(ynode_get(doc->root, "f")->n, 0);
	assert_string_equal(ynode_str(ynode_val(ynode_get(doc->root, "m"), 2)), "3");
	assert_string_equal(ynode_str(ynode_key(ynode_get(doc->root, "m"), 2)), "c");
	assert_null(ynode_key(ynode_get(doc->root, "m"), 3));
	ydoc_free(doc);
}

/* Errors libyaml's reader reports (control characters) at their line and
 * column in code points, after a BOM and multibyte text; a document with
 * no name is "<input>". */
static void test_reader_error_positions(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		size_t line, col;
	} cases[] = {
	    {"a: b\x01\n", 1, 5},
	    {"\xef\xbb\xbf"
	     "a: b\x01\n",
	     1, 5},
	    {"\xc3\xa9: \xe6\x97\xa5\x01\n", 1, 5},
	    {"a: 1\n\xc3\xa9\xc3\xa9: b\x02\n", 2, 6},
	    {"\xef\xbb\xbf"
	     "a: 1\nb: 2\n\x7f\n",
	     3, 1},
	    /* U+FEFE starts like a BOM (EF BB) and is none */
	    {"\xef\xbb\xbe: a\x01\n", 1, 5},
	    {"\xef\xbb\xbe: a\nb: \x01\n", 2, 4},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t line = 0, col = 0;
		char *msg = parse_fail(cases[i].text, strlen(cases[i].text), &line, &col);
		if (line != cases[i].line || col != cases[i].col)
			fail_msg("case %zu: %s at %zu:%zu, expected %zu:%zu", i, msg, line, col,
			         cases[i].line, cases[i].col);
		assert_contains(msg, "control characters");
		free(msg);
	}
	lms_error err = {0};
	ydoc *doc = ydoc_parse(NULL, "a: 1\n", 5, &err);
	assert_non_null(doc);
	assert_string_equal(doc->path, "<input>");
	ydoc_free(doc);
}

/* Out of memory at each allocation of ydoc_parse: the error is "out of
 * memory" in the file; the allocations before the parse (the text's copy,
 * the document, its path, its arena) have no position (line and column 0,
 * not line 1). */
static void test_out_of_memory(void **state)
{
	(void)state;
	const char text[] = "a: 1\nb: [x, y]\n";
	size_t n = 0;
	for (;; n++) {
		lms_error err = {0};
		alloc_fail_after(n);
		ydoc *doc = ydoc_parse("t.yml", text, strlen(text), &err);
		bool fired = alloc_fail_fired();
		alloc_fail_off();
		if (!fired) {
			assert_non_null(doc);
			ydoc_free(doc);
			break;
		}
		assert_null(doc);
		assert_string_equal(err.msg, "out of memory");
		assert_string_equal(err.file, "t.yml");
		if (n < 4) {
			assert_int_equal(err.line, 0);
			assert_int_equal(err.col, 0);
		}
		/* a position is a mark of the text (1-based) or none at all */
		assert_int_equal(err.line == 0, err.col == 0);
		lms_error_clear(&err);
	}
	assert_true(n > 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_out_of_memory),
	    cmocka_unit_test(test_load_out_of_memory),
	    cmocka_unit_test(test_helper_edges),
	    cmocka_unit_test(test_line_break_edges),
	    cmocka_unit_test(test_positions_ascii),
	    cmocka_unit_test(test_positions_multibyte),
	    cmocka_unit_test(test_positions_bom),
	    cmocka_unit_test(test_positions_crlf),
	    cmocka_unit_test(test_positions_after_block_scalars),
	    cmocka_unit_test(test_positions_in_templates),
	    cmocka_unit_test(test_styles),
	    cmocka_unit_test(test_tags_kept),
	    cmocka_unit_test(test_duplicate_key_names_both_lines),
	    cmocka_unit_test(test_anchors_and_aliases_refused),
	    cmocka_unit_test(test_malformed_reports_line_and_column),
	    cmocka_unit_test(test_invalid_utf8_reports_line_and_column),
	    cmocka_unit_test(test_nul_byte_refused),
	    cmocka_unit_test(test_other_line_breaks_refused),
	    cmocka_unit_test(test_multiple_documents_refused),
	    cmocka_unit_test(test_empty_documents),
	    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_node_helpers),
	    cmocka_unit_test(test_line_offset),
	    cmocka_unit_test(test_load_file),
	    cmocka_unit_test(test_error_null_is_allowed),
	    cmocka_unit_test(test_positions_stride),
	    cmocka_unit_test(test_duplicate_key_edges),
	    cmocka_unit_test(test_reader_error_positions),
	};
	return cmocka_run_group_tests_name("ydoc", tests, NULL, NULL);
}
