/* assemble: deterministic output that keeps the fragments' comments, and
 * Default splicing that changes only the Default scalars that differ; YAML
 * quoting that reads back as the value it was given. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "model/assemble.h"
#include "model/ydoc.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------------------ */

typedef struct kv {
	const char *key, *value;
} kv;

typedef struct values {
	const kv *pairs; /* terminated by {NULL, NULL} */
} values;

static const char *lookup(void *ctx, const char *param)
{
	const values *v = ctx;
	for (const kv *p = v->pairs; p->key; p++)
		if (strcmp(p->key, param) == 0)
			return p->value;
	return NULL;
}

/* every parameter at its fragment Default */
static const char *fragment_default(void *ctx, const char *param)
{
	const cat_param *p = catalog_param(ctx, param);
	return p ? p->default_value : NULL;
}

typedef struct env_ctx {
	const catalog *cat;
	const char *env;
} env_ctx;

static const char *profile_value(void *ctx, const char *param)
{
	const env_ctx *e = ctx;
	return catalog_profile_value(e->cat, e->env, param);
}

static catalog *load_catalog(const char *dir)
{
	lms_error err = {0};
	catalog *cat = catalog_load(dir, &err);
	if (!cat) {
		char *s = tu_error_text(&err);
		print_error("catalog_load(%s): %s\n", dir, s);
		free(s);
		lms_error_clear(&err);
	}
	assert_non_null(cat);
	return cat;
}

static catalog *load_fixture(void)
{
	char *dir = tu_fixture("catalog-ok");
	catalog *cat = load_catalog(dir);
	free(dir);
	return cat;
}

static char *assemble(const catalog *cat, assemble_value_fn fn, void *ctx, size_t *len)
{
	buf out;
	buf_init(&out, 0);
	lms_error err = {0};
	assert_true(assemble_template(cat, fn, ctx, &out, &err));
	assert_null(err.msg);
	if (len)
		*len = out.len;
	char *s = buf_take(&out);
	assert_non_null(s);
	return s;
}

static char *assemble_with(const catalog *cat, const kv *pairs)
{
	values v = {pairs};
	return assemble(cat, lookup, &v, NULL);
}

/* Splits a copy of `text` into lines (without their '\n'). */
typedef struct lines {
	char *copy;
	char **line;
	size_t n;
} lines;

static lines split_lines(const char *text)
{
	lines l = {0};
	l.copy = strdup(text);
	assert_non_null(l.copy);
	size_t cap = 1;
	for (const char *p = text; *p; p++)
		cap += *p == '\n';
	l.line = calloc(cap + 1, sizeof(char *));
	assert_non_null(l.line);
	char *p = l.copy;
	while (*p) {
		l.line[l.n++] = p;
		char *nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return l;
}

static void free_lines(lines *l)
{
	free(l->copy);
	free(l->line);
}

/* Asserts that `after` has the lines of `before` except for exactly the
 * lines listed in `changed` (in order), which replace one line each. */
static void assert_only_lines_changed(const char *before, const char *after,
                                      const char *const *changed, size_t nchanged)
{
	lines a = split_lines(before), b = split_lines(after);
	assert_int_equal(a.n, b.n);
	size_t k = 0;
	for (size_t i = 0; i < a.n; i++) {
		if (strcmp(a.line[i], b.line[i]) == 0)
			continue;
		if (k >= nchanged) {
			print_error("unexpected change on line %zu:\n-%s\n+%s\n", i + 1, a.line[i],
			            b.line[i]);
			fail();
		}
		if (strcmp(b.line[i], changed[k]) != 0) {
			print_error("line %zu:\n-%s\n+%s\nexpected\n+%s\n", i + 1, a.line[i],
			            b.line[i], changed[k]);
			fail();
		}
		k++;
	}
	assert_int_equal(k, nchanged);
	free_lines(&a);
	free_lines(&b);
}

static ydoc *parse_output(const char *text)
{
	lms_error err = {0};
	ydoc *doc = ydoc_parse("assembled.yml", text, strlen(text), &err);
	if (!doc) {
		char *s = tu_error_text(&err);
		print_error("the assembled template does not parse: %s\n", s);
		free(s);
		lms_error_clear(&err);
	}
	assert_non_null(doc);
	return doc;
}

static const char *output_default(const ydoc *doc, const char *param)
{
	const ynode *p = ynode_get(ynode_get(doc->root, "Parameters"), param);
	assert_non_null(p);
	const ynode *d = ynode_get(p, "Default");
	assert_non_null(d);
	assert_null(d->tag);
	return d->str;
}

/* ---- determinism and comments ------------------------------------------------------------- */

static void test_deterministic(void **state)
{
	(void)state;
	catalog *cat = load_fixture();
	size_t l1, l2;
	char *a = assemble(cat, NULL, NULL, &l1);
	char *b = assemble(cat, NULL, NULL, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(a, b, l1);
	free(a);
	free(b);
	static const kv pairs[] = {{"TaskCount", "3"}, {"Greeting", "x y"}, {NULL, NULL}};
	a = assemble_with(cat, pairs);
	b = assemble_with(cat, pairs);
	assert_string_equal(a, b);
	free(a);
	free(b);
	catalog_free(cat);

	/* the real templates, loaded twice */
	catalog *t1 = load_catalog(tu_templates_dir());
	catalog *t2 = load_catalog(tu_templates_dir());
	env_ctx e1 = {t1, "prod"}, e2 = {t2, "prod"};
	a = assemble(t1, profile_value, &e1, &l1);
	b = assemble(t2, profile_value, &e2, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(a, b, l1);
	free(a);
	free(b);
	catalog_free(t1);
	catalog_free(t2);
}

static void test_fixture_comments_survive(void **state)
{
	(void)state;
	catalog *cat = load_fixture();
	char *out = assemble(cat, NULL, NULL, NULL);
	static const char *const expected[] = {
	    "\n    # Zones: «deux» ou «trois» — 日本語のコメント 🚀🚀 (multibyte before the "
	    "Default)\n",
	    "\n    Default: '2'  # quoted: a String that looks like a number — ü\n",
	    "\n  IsProd: !Equals [!Ref Environment, prod]  # prod safeguards — ✓\n",
	    "\n  # The bucket — naïve comment 🚀\n",
	    "\n    # 日本語 🚀 éèê: the Default below follows a line of multibyte text\n",
	    "\n    Default: \"héllo wörld\"\n",
	    "\n# Column-0 comment introducing the outputs.\n",
	    "\n  # ---- base.yml ----\n",
	    "\n  # ---- app.yml ----\n",
	};
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		assert_contains(out, expected[i]);
	/* the Outputs comment stays with Outputs */
	assert_true(strstr(out, "Column-0 comment") > strstr(out, "\nOutputs:\n"));
	/* profiles are lmsctl's, not CloudFormation's */
	assert_not_contains(out, "LmsCtl::Profiles");
	assert_not_contains(out, "bonjour");
	free(out);
	catalog_free(cat);
}

/* Every comment line of every section the assembler copies (everything
 * after the Metadata section) appears in the output unchanged. */
static void test_template_comments_survive(void **state)
{
	(void)state;
	catalog *cat = load_catalog(tu_templates_dir());
	char *out = assemble(cat, NULL, NULL, NULL);
	size_t checked = 0;
	for (size_t f = 0; f < cat->nfrags; f++) {
		const cat_fragment *frag = &cat->frags[f];
		size_t first = 0;
		for (int s = SEC_PARAMETERS; s < SEC_COUNT && !first; s++)
			if (frag->key[s])
				first = frag->key[s]->start.line;
		if (!first)
			continue;
		lines l = split_lines(frag->doc->text);
		for (size_t i = first; i < l.n; i++) {
			const char *t = l.line[i] + strspn(l.line[i], " ");
			if (*t != '#')
				continue;
			buf needle;
			buf_init(&needle, 0);
			buf_addf(&needle, "\n%s\n", l.line[i]);
			if (!strstr(out, buf_cstr(&needle))) {
				print_error("%s:%zu: comment lost: %s\n", frag->name, i + 1,
				            l.line[i]);
				fail();
			}
			buf_free(&needle);
			checked++;
		}
		free_lines(&l);
	}
	assert_true(checked > 10);
	free(out);
	catalog_free(cat);
}

static void test_fixture_structure(void **state)
{
	(void)state;
	catalog *cat = load_fixture();
	char *out = assemble(cat, NULL, NULL, NULL);
	assert_true(strncmp(out, "# Generated by lmsctl", 21) == 0);
	ydoc *doc = parse_output(out);
	static const char *const keys[] = {"AWSTemplateFormatVersion",
	                                   "Description",
	                                   "Metadata",
	                                   "Parameters",
	                                   "Conditions",
	                                   "Resources",
	                                   "Outputs"};
	assert_int_equal(doc->root->n, 7);
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(ynode_key(doc->root, i)->str, keys[i]);
	assert_string_equal(ynode_str(ynode_get(doc->root, "AWSTemplateFormatVersion")),
	                    "2010-09-09");
	assert_string_equal(ynode_str(ynode_get(doc->root, "Description")), cat->description->str);
	assert_int_equal(ynode_get(doc->root, "Description")->style, YSTYLE_FOLDED);
	assert_null(ynode_get(doc->root, "Transform"));

	const ynode *iface =
	    ynode_get(ynode_get(doc->root, "Metadata"), "AWS::CloudFormation::Interface");
	const ynode *groups = ynode_get(iface, "ParameterGroups");
	assert_int_equal(groups->n, 2);
	assert_string_equal(ynode_str(ynode_get(ynode_get(groups->kids[1], "Label"), "default")),
	                    "App — façade");
	assert_int_equal(ynode_get(groups->kids[0], "Parameters")->n, 3);
	assert_string_equal(ynode_get(groups->kids[1], "Parameters")->kids[2]->str, "Greeting");
	const ynode *labels = ynode_get(iface, "ParameterLabels");
	assert_int_equal(labels->n, 6);
	assert_string_equal(ynode_str(ynode_get(ynode_get(labels, "ZoneCount"), "default")),
	                    "Availability zones");
	assert_string_equal(ynode_str(ynode_get(ynode_get(labels, "Greeting"), "default")),
	                    "Greeting");
	assert_int_equal(ynode_get(ynode_get(doc->root, "Metadata"), "LmsCtl::Profiles") == NULL,
	                 1);

	const ynode *params = ynode_get(doc->root, "Parameters");
	assert_int_equal(params->n, 6);
	for (size_t i = 0; i < cat->nparams; i++)
		assert_string_equal(output_default(doc, cat->params[i].e.name),
		                    cat->params[i].default_value);
	assert_int_equal(ynode_get(doc->root, "Resources")->n, 2);
	assert_int_equal(ynode_get(doc->root, "Outputs")->n, 1);
	ydoc_free(doc);
	free(out);
	catalog_free(cat);
}

static void test_templates_parse_with_profile_defaults(void **state)
{
	(void)state;
	catalog *cat = load_catalog(tu_templates_dir());
	static const char *const envs[] = {"dev", "staging", "prod"};
	for (size_t e = 0; e < 3; e++) {
		env_ctx ctx = {cat, envs[e]};
		char *out = assemble(cat, profile_value, &ctx, NULL);
		ydoc *doc = parse_output(out);
		for (size_t i = 0; i < cat->nparams; i++) {
			const char *name = cat->params[i].e.name;
			assert_string_equal(output_default(doc, name),
			                    catalog_profile_value(cat, envs[e], name));
		}
		if (cat->transform)
			assert_string_equal(ynode_str(ynode_get(doc->root, "Transform")),
			                    cat->transform);
		assert_non_null(ynode_get(ynode_get(doc->root, "Resources"), "Vpc"));
		assert_non_null(ynode_get(ynode_get(doc->root, "Conditions"), "IsProd"));
		ydoc_free(doc);
		free(out);
	}
	catalog_free(cat);
}

/* ---- Default splicing --------------------------------------------------------------------- */

static void test_equal_values_leave_text_untouched(void **state)
{
	(void)state;
	catalog *cat = load_fixture();
	size_t l1, l2;
	char *plain = assemble(cat, NULL, NULL, &l1);
	char *same = assemble(cat, fragment_default, cat, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(plain, same, l1);
	free(plain);
	free(same);
	catalog_free(cat);

	/* also for the real templates, whose Defaults are quoted in several ways */
	cat = load_catalog(tu_templates_dir());
	plain = assemble(cat, NULL, NULL, &l1);
	same = assemble(cat, fragment_default, cat, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(plain, same, l1);
	env_ctx dev = {cat, "dev"};
	char *dev_out = assemble(cat, profile_value, &dev, &l2);
	assert_string_equal(plain, dev_out); /* dev is the Defaults */
	free(dev_out);
	free(plain);
	free(same);
	catalog_free(cat);
}

static void test_changed_number_replaces_only_default(void **state)
{
	(void)state;
	catalog *cat = load_fixture();
	char *before = assemble(cat, NULL, NULL, NULL);
	static const kv pairs[] = {{"TaskCount", "4"}, {NULL, NULL}};
	char *after = assemble_with(cat, pairs);
	static const char *const changed[] = {"    Default: 4"};
	assert_only_lines_changed(before, after, changed, 1);
	free(before);
	free(after);
	catalog_free(cat);
}

static void test_string_with_numeric_value_is_quoted(void **state)
{
	(void)state;
	catalog *cat = load_fixture();
	char *before = assemble(cat, NULL, NULL, NULL);
	static const kv pairs[] = {{"ZoneCount", "3"}, {NULL, NULL}};
	char *after = assemble_with(cat, pairs);
	/* the trailing comment after the Default stays */
	static const char *const changed[] = {
	    "    Default: '3'  # quoted: a String that looks like a number — ü"};
	assert_only_lines_changed(before, after, changed, 1);
	ydoc *doc = parse_output(after);
	assert_string_equal(output_default(doc, "ZoneCount"), "3");
	ydoc_free(doc);
	free(before);
	free(after);
	catalog_free(cat);
}

static void test_multibyte_before_default(void **state)
{
	(void)state;
	catalog *cat = load_fixture();
	char *before = assemble(cat, NULL, NULL, NULL);
	static const kv pairs[] = {{"Greeting", "salut — 🚀"}, {NULL, NULL}};
	char *after = assemble_with(cat, pairs);
	static const char *const changed[] = {"    Default: salut — 🚀"};
	assert_only_lines_changed(before, after, changed, 1);
	/* everything before the Default is byte-identical */
	const char *at = strstr(before, "    Default: \"héllo wörld\"");
	assert_non_null(at);
	size_t prefix = (size_t)(at - before);
	assert_memory_equal(before, after, prefix);
	assert_memory_equal(after + prefix, "    Default: salut — 🚀\n",
	                    strlen("    Default: salut — 🚀\n"));
	free(before);
	free(after);
	catalog_free(cat);
}

static void test_several_values_in_one_fragment(void **state)
{
	(void)state;
	catalog *cat = load_fixture();
	char *before = assemble(cat, NULL, NULL, NULL);
	static const kv pairs[] = {{"Environment", "prod"},
	                           {"EnvironmentSuffix", "p-1"},
	                           {"ZoneCount", "2"}, /* its Default: unchanged */
	                           {"Subnets", "10.1.0.0/24,10.1.1.0/24"},
	                           {"Greeting", "yes"},
	                           {NULL, NULL}};
	char *after = assemble_with(cat, pairs);
	static const char *const changed[] = {
	    "    Default: prod",
	    "    Default: p-1",
	    "    Default: 10.1.0.0/24,10.1.1.0/24",
	    "    Default: 'yes'",
	};
	assert_only_lines_changed(before, after, changed, 4);
	ydoc *doc = parse_output(after);
	for (const kv *p = pairs; p->key; p++)
		assert_string_equal(output_default(doc, p->key), p->value);
	ydoc_free(doc);
	free(before);
	free(after);
	catalog_free(cat);
}

static void test_unknown_callback_values_ignored(void **state)
{
	(void)state;
	catalog *cat = load_fixture();
	char *before = assemble(cat, NULL, NULL, NULL);
	static const kv pairs[] = {{"NotAParameter", "x"}, {NULL, NULL}};
	char *after = assemble_with(cat, pairs);
	assert_string_equal(before, after);
	free(before);
	free(after);
	catalog_free(cat);
}

/* ---- quoting ------------------------------------------------------------------------------ */

/* `k: QUOTED` parses back to exactly `value`, untagged; returns the quoted text. */
static char *assert_round_trip_with(const char *value, const char *type, bool param)
{
	buf q;
	buf_init(&q, 0);
	if (param)
		yaml_quote_param(&q, value, type);
	else
		yaml_quote_scalar(&q, value);
	char *quoted = buf_take(&q);
	assert_non_null(quoted);
	assert_null(strchr(quoted, '\n')); /* one line, always */
	buf doc_text;
	buf_init(&doc_text, 0);
	buf_addf(&doc_text, "k: %s\nnext: 1\n", quoted);
	lms_error err = {0};
	ydoc *doc = ydoc_parse("q.yml", buf_cstr(&doc_text), doc_text.len, &err);
	if (!doc) {
		print_error("'%s' quoted as %s does not parse: %s\n", value, quoted, err.msg);
		lms_error_clear(&err);
		fail();
	}
	const ynode *k = ynode_get(doc->root, "k");
	assert_non_null(k);
	assert_int_equal(k->kind, YNODE_SCALAR);
	assert_null(k->tag);
	if (k->len != strlen(value) || memcmp(k->str, value, k->len) != 0) {
		print_error("'%s' quoted as %s reads back as '%s'\n", value, quoted, k->str);
		fail();
	}
	assert_string_equal(ynode_str(ynode_get(doc->root, "next")), "1");
	ydoc_free(doc);
	buf_free(&doc_text);
	return quoted;
}

static char *assert_round_trip(const char *value)
{
	return assert_round_trip_with(value, NULL, false);
}

static void test_quote_round_trips(void **state)
{
	(void)state;
	static const char *const tricky[] = {
	    "",
	    "yes",
	    "no",
	    "on",
	    "123",
	    "0123",
	    "1e3",
	    "a: b",
	    "#x",
	    "- x",
	    "it's",
	    "tab\there",
	    "new\nline",
	    "x:",
	    " lead",
	    "trail ",
	    "a #b",
	    "a#b",
	    "'q'",
	    "\"dq\"",
	    "back\\slash",
	    "~",
	    "null",
	    "[a, b]",
	    "{a: b}",
	    "*ref",
	    "&anchor",
	    "!Ref x",
	    "|",
	    ">",
	    "%x",
	    "@x",
	    "`x",
	    "?",
	    "-",
	    "---",
	    "...",
	    "日本 🚀",
	    "é: x",
	    "a,b,c",
	    "10.0.0.0/16",
	    "per-az",
	    "-1.5",
	    "+1",
	    "0x1F",
	    "1_000",
	    "1:20",
	    ".inf",
	    "Y",
	    "N",
	    "cr\rx",
	    "del\x7f",
	    "\x01",
	    "a\tb c",
	    "line\xe2\x80\xa8sep",
	    "nel\xc2\x85x",
	    "bom\xef\xbb\xbfx",
	};
	for (size_t i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++)
		free(assert_round_trip(tricky[i]));
}

static void test_quote_plain_when_unambiguous(void **state)
{
	(void)state;
	static const char *const plain[] = {"abc",
	                                    "per-az",
	                                    "10.0.0.0/16",
	                                    "a,b,c",
	                                    "123",
	                                    "-1.5",
	                                    "it's",
	                                    "a#b",
	                                    "a:b",
	                                    "日本 🚀",
	                                    "cache.r7g.large",
	                                    "lms-${Suffix}",
	                                    "eu-west-1",
	                                    "ENABLED"};
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		char *q = assert_round_trip(plain[i]);
		assert_string_equal(q, plain[i]);
		free(q);
	}
}

/* Values a YAML 1.1 reader (CloudFormation's) would take for a boolean,
 * null, number in another base, or that would not parse, are quoted. */
static void test_quote_when_ambiguous(void **state)
{
	(void)state;
	static const char *const quoted[] = {
	    "",     "y",     "Y",      "yes",  "Yes",  "YES",    "n",     "N",     "no",
	    "No",   "NO",    "true",   "True", "TRUE", "false",  "False", "FALSE", "on",
	    "On",   "ON",    "off",    "Off",  "OFF",  "null",   "Null",  "NULL",  "~",
	    "0123", "1e3",   "1E3",    "0x1F", "0o17", "0b101",  "1_000", "1:20",  "+1",
	    ".inf", ".Inf",  ".INF",   ".nan", ".NaN", ".NAN",   "a: b",  "#x",    "- x",
	    "x:",   " lead", "trail ", "a #b", "'q'",  "\"dq\"", "*ref",  "&a",    "!Ref x",
	    "[a]",  "{a}",   "|",      ">",    "%x",   "@x",     "`x",    "?",     "-",
	};
	for (size_t i = 0; i < sizeof(quoted) / sizeof(quoted[0]); i++) {
		char *q = assert_round_trip(quoted[i]);
		if (q[0] != '\'' && q[0] != '"') {
			print_error("'%s' is written unquoted: %s\n", quoted[i], q);
			fail();
		}
		free(q);
	}
	/* single quotes double inside */
	char *q = assert_round_trip("it's: x");
	assert_string_equal(q, "'it''s: x'");
	free(q);
	/* control characters need double quotes with escapes */
	q = assert_round_trip("tab\there");
	assert_int_equal(q[0], '"');
	free(q);
	q = assert_round_trip("new\nline \"q\" \\");
	assert_int_equal(q[0], '"');
	free(q);
}

static void test_quote_param(void **state)
{
	(void)state;
	struct {
		const char *value, *type, *want;
	} cases[] = {
	    {"3", "String", "'3'"},
	    {"3", "Number", "3"},
	    {"3", NULL, "'3'"},
	    {"-2", "String", "'-2'"},
	    {"1.5", "String", "'1.5'"},
	    {"10.0", "Number", "10.0"},
	    {"abc", "String", "abc"},
	    {"", "String", "''"},
	    {"yes", "Number", "'yes'"},
	    {"1,2", "CommaDelimitedList", "1,2"},
	    {"1.2.3", "String", "'1.2.3'"},
	    {"+", "String", "'+'"},
	    {"+5", "String", "'+5'"},
	    {"-", "String", "'-'"},
	    {"1a", "String", "1a"},
	    {"a1", "String", "a1"},
	    {"3", "Numbers", "'3'"},
	    {"3", "Numbe", "'3'"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *q = assert_round_trip_with(cases[i].value, cases[i].type, true);
		if (strcmp(q, cases[i].want) != 0) {
			print_error("yaml_quote_param('%s', %s) = %s, want %s\n", cases[i].value,
			            cases[i].type ? cases[i].type : "NULL", q, cases[i].want);
			fail();
		}
		free(q);
	}
}

/* The exact text of each quoting decision at its edges: the control
 * characters and the Unicode ones YAML refuses unescaped, each against its
 * neighbour that passes; the YAML 1.1 words against longer ones; the first
 * characters that start an indicator; numbers in other bases. */
static void test_quote_exact(void **state)
{
	(void)state;
	static const struct {
		const char *value, *want;
	} cases[] = {
	    {"a\x1f", "\"a\\x1f\""},
	    {"a\x7f", "\"a\\x7f\""},
	    {"a~", "a~"},
	    {"a\xc2\x80", "\"a\\u0080\""},
	    {"a\xc2\x9f", "\"a\\u009F\""},
	    {"a\xc2\x85", "\"a\\N\""},
	    {"a\xc2\xa0", "a\xc2\xa0"},
	    {"a\xc2\x7f", "\"a\xc2\\x7f\""},
	    {"a\xef\xbf\xbe", "\"a\\uFFFE\""},
	    {"a\xef\xbf\xbf", "\"a\\uFFFF\""},
	    {"a\xef\xbf\xbd", "a\xef\xbf\xbd"},
	    {"a\xef\xbe\xbf", "a\xef\xbe\xbf"},
	    {"a\xe2\x80\xa8", "\"a\\L\""},
	    {"a\xe2\x80\xa9", "\"a\\P\""},
	    {"a\xe2\x80\xa7", "a\xe2\x80\xa7"},
	    {"a\xe2\x80\xaa", "a\xe2\x80\xaa"},
	    {"a\xe2\x81\xa8", "a\xe2\x81\xa8"},
	    {"q\"\\\t", "\"q\\\"\\\\\\x09\""},
	    {"truex", "truex"},
	    {"tru", "tru"},
	    {"+.inf", "'+.inf'"},
	    {"0x", "'0x'"},
	    {"0b", "'0b'"},
	    {"0o", "'0o'"},
	    {"-1", "-1"},
	    {"-1.5.2", "-1.5.2"},
	    {"-x", "'-x'"},
	    {"-", "'-'"},
	    {"1-2", "'1-2'"},
	    {"a:", "'a:'"},
	    {"a: ", "'a: '"},
	    {"a:b", "a:b"},
	    {"a #", "'a #'"},
	    {"a# ", "'a# '"},
	    {"00", "'00'"},
	    {"0", "0"},
	    {"10", "10"},
	    {"1.5", "1.5"},
	    {"1e", "'1e'"},
	    /* a minus before a digit (0 and 9, not / or :) and digits only */
	    {"-0", "-0"},
	    {"-9", "-9"},
	    {"-/", "'-/'"},
	    {"-:", "'-:'"},
	    {"-1a", "'-1a'"},
	    /* 0x and 0b only after a 0 */
	    {"1b", "1b"},
	    {"ax", "ax"},
	    {"0a", "0a"},
	    /* a space alone, and a byte 0x80 in a character that is no control */
	    {"a b", "a b"},
	    {"a\xe2\x80\x80", "a\xe2\x80\x80"},
	    {"a\xc2\xa0"
	     "b",
	     "a\xc2\xa0"
	     "b"},
	};
	int failed = 0;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		buf q;
		buf_init(&q, 0);
		yaml_quote_scalar(&q, cases[i].value);
		if (strcmp(buf_cstr(&q), cases[i].want) != 0) {
			print_error("case %zu: quoted as %s, want %s\n", i, buf_cstr(&q),
			            cases[i].want);
			failed++;
		}
		buf_free(&q);
	}
	assert_int_equal(failed, 0);
}

/* A NoEcho parameter's value is never written into the template: its Default is left
 * out, a comment says why, the other parameters keep theirs. */
static void test_no_echo_value_left_out(void **state)
{
	(void)state;
	char *dir = tu_fixture("console-moto");
	catalog *cat = load_catalog(dir);
	free(dir);
	static const kv pairs[] = {
	    {"WebhookToken", "Zq9 p@ss'w\"rd"}, {"EnvironmentSuffix", "abc"}, {NULL, NULL}};
	char *text = assemble_with(cat, pairs);
	assert_null(strstr(text, "Zq9"));
	assert_non_null(strstr(text, "# NoEcho: WebhookToken's Default is left out"));
	lms_error err = {0};
	ydoc *doc = ydoc_parse("assembled.yml", text, strlen(text), &err);
	assert_non_null(doc);
	const ynode *params = ynode_get(doc->root, "Parameters");
	const ynode *token = ynode_get(params, "WebhookToken");
	assert_non_null(token);
	assert_null(ynode_get(token, "Default"));
	assert_string_equal(ynode_str(ynode_get(token, "NoEcho")), "true");
	assert_string_equal(ynode_str(ynode_get(token, "MaxLength")), "64");
	assert_string_equal(ynode_str(ynode_get(ynode_get(params, "EnvironmentSuffix"), "Default")),
	                    "abc");
	ydoc_free(doc);
	free(text);
	/* at the fragment's default too: nothing of the parameter's value is written */
	static const kv none[] = {{NULL, NULL}};
	text = assemble_with(cat, none);
	assert_non_null(strstr(text, "# NoEcho: WebhookToken's Default is left out"));
	free(text);
	catalog_free(cat);
}

/* A catalog of the test's own, assembled whole and compared byte by byte:
 * a folded Description with blank lines after it, a Transform, the comments
 * that lead a section (and blank lines among them) against those that trail
 * the section before, an indented comment kept with its section, a quoted
 * scalar's continuation that looks like a comment, values spliced into block
 * and kept in flow Defaults, NoEcho Defaults left out (on their own line, with
 * a comment after them, and in a flow mapping), sections of one fragment
 * only, the groups and labels. */
static const char exact_index[] = "# the index\n"
                                  "Description: >\n"
                                  "  An assembled\n"
                                  "  template.\n"
                                  "\n"
                                  "\n"
                                  "Transform: AWS::Serverless-2016-10-31\n"
                                  "Fragments: [a.yml, b.yml]\n";
static const char exact_a[] = "# leads the Metadata\n"
                              "Metadata:\n"
                              "  AWS::CloudFormation::Interface:\n"
                              "    ParameterGroups:\n"
                              "      - Label: {default: 'G: one'}\n"
                              "        Parameters: [P, N, S, F]\n"
                              "    ParameterLabels:\n"
                              "      P: {default: 'yes'}\n"
                              "Parameters:\n"
                              "  P:\n"
                              "    Type: String\n"
                              "    Description: p\n"
                              "    Default: x\n"
                              "  N:\n"
                              "    Type: Number\n"
                              "    Description: n\n"
                              "    Default: 1\n"
                              "  S:\n"
                              "    Type: String\n"
                              "    Description: s\n"
                              "    NoEcho: 'true'\n"
                              "    Default: secret # old\n"
                              "  F: {Type: String, Description: f, Default: fl, NoEcho: 'true'}\n"
                              "\n"
                              "# leads Resources\n"
                              "\n"
                              "Resources:\n"
                              "  R:\n"
                              "    Type: AWS::SNS::Topic\n"
                              "    Properties:\n"
                              "      TopicName: 'a\n"
                              "        # not a comment'\n"
                              "# leads Outputs\n"
                              "Outputs:\n"
                              "  O:\n"
                              "    Value: x\n"
                              "\n"
                              "\n";
static const char exact_b[] = "Conditions:\n"
                              "  C: !Equals [a, b]\n"
                              "Resources:\n"
                              "  R2:\n"
                              "    Type: AWS::SNS::Topic\n"
                              "  # an indented comment at the end\n"
                              "Outputs:\n"
                              "  O2: {Value: y}\n";
static const char exact_want[] =
    "# Generated by lmsctl from templates/catalog.yml; edit the fragments, not this file.\n"
    "AWSTemplateFormatVersion: '2010-09-09'\n"
    "Transform: AWS::Serverless-2016-10-31\n"
    "Description: >\n"
    "  An assembled\n"
    "  template.\n"
    "\n"
    "Metadata:\n"
    "  AWS::CloudFormation::Interface:\n"
    "    ParameterGroups:\n"
    "      - Label:\n"
    "          default: 'G: one'\n"
    "        Parameters:\n"
    "          - P\n"
    "          - N\n"
    "          - S\n"
    "          - F\n"
    "    ParameterLabels:\n"
    "      P:\n"
    "        default: 'yes'\n"
    "      N:\n"
    "        default: 'N'\n"
    "      S:\n"
    "        default: S\n"
    "      F:\n"
    "        default: F\n"
    "\n"
    "Parameters:\n"
    "  # ---- a.yml ----\n"
    "  P:\n"
    "    Type: String\n"
    "    Description: p\n"
    "    Default: 'y'\n"
    "  N:\n"
    "    Type: Number\n"
    "    Description: n\n"
    "    Default: 2\n"
    "  S:\n"
    "    Type: String\n"
    "    Description: s\n"
    "    NoEcho: 'true'\n"
    "    # NoEcho: S's Default is left out; lmsctl deploy sends the value as a change-set "
    "parameter\n"
    "  F: {Type: String, Description: f, Default: fl, NoEcho: 'true'}\n"
    "\n"
    "Conditions:\n"
    "  # ---- b.yml ----\n"
    "  C: !Equals [a, b]\n"
    "\n"
    "Resources:\n"
    "  # ---- a.yml ----\n"
    "# leads Resources\n"
    "\n"
    "  R:\n"
    "    Type: AWS::SNS::Topic\n"
    "    Properties:\n"
    "      TopicName: 'a\n"
    "        # not a comment'\n"
    "\n"
    "  # ---- b.yml ----\n"
    "  R2:\n"
    "    Type: AWS::SNS::Topic\n"
    "  # an indented comment at the end\n"
    "\n"
    "Outputs:\n"
    "  # ---- a.yml ----\n"
    "# leads Outputs\n"
    "  O:\n"
    "    Value: x\n"
    "\n"
    "  # ---- b.yml ----\n"
    "  O2: {Value: y}\n";

static void test_assemble_exact(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	free(tu_write_file(dir, "catalog.yml", exact_index));
	free(tu_write_file(dir, "a.yml", exact_a));
	free(tu_write_file(dir, "b.yml", exact_b));
	catalog *cat = load_catalog(dir);
	static const kv pairs[] = {{"P", "y"}, {"N", "2"}, {"S", "zzz"}, {"F", "q"}, {NULL, NULL}};
	char *text = assemble_with(cat, pairs);
	if (strcmp(text, exact_want) != 0) {
		print_error("got:\n%s\n", text);
		fail();
	}
	free(text);
	/* a value that starts like the Default is no Default */
	static const kv longer[] = {{"P", "xy"}, {"N", "12"}, {NULL, NULL}};
	text = assemble_with(cat, longer);
	assert_non_null(strstr(text, "    Description: p\n    Default: xy\n"));
	assert_non_null(strstr(text, "    Description: n\n    Default: 12\n"));
	free(text);
	catalog_free(cat);
	/* a plain and a literal Description, no Transform */
	static const struct {
		const char *index, *want;
	} heads[] = {
	    {"Description: plain  text\nFragments: [b.yml]\n",
	     "file.\nAWSTemplateFormatVersion: '2010-09-09'\nDescription: plain  "
	     "text\n\nMetadata:\n"},
	    {"Description: |\n  one\n  two  \n\n\nFragments: [b.yml]\n",
	     "file.\nAWSTemplateFormatVersion: '2010-09-09'\nDescription: |\n  one\n  "
	     "two\n\nMetadata:\n"},
	    {"Fragments: [b.yml]\nDescription: 'q'\n",
	     "file.\nAWSTemplateFormatVersion: '2010-09-09'\nDescription: 'q'\n\nMetadata:\n"},
	    /* Description first but not at its line's start: from its key, not the line */
	    {"  Description: t\n  Fragments: [b.yml]\n",
	     "file.\nAWSTemplateFormatVersion: '2010-09-09'\nDescription: t\n\nMetadata:\n"},
	    {"{Description: t, Fragments: [b.yml]}\n",
	     "file.\nAWSTemplateFormatVersion: '2010-09-09'\nDescription: t\n\nMetadata:\n"},
	    {"\xEF\xBB\xBF"
	     "Description: t\nFragments: [b.yml]\n",
	     "file.\nAWSTemplateFormatVersion: '2010-09-09'\nDescription: t\n\nMetadata:\n"},
	};
	for (size_t i = 0; i < sizeof heads / sizeof *heads; i++) {
		free(tu_write_file(dir, "catalog.yml", heads[i].index));
		cat = load_catalog(dir);
		text = assemble_with(cat, pairs);
		if (!strstr(text, heads[i].want))
			fail_msg("%s: got %s", heads[i].index, text);
		/* no parameters, groups or labels of a.yml */
		assert_non_null(
		    strstr(text, "ParameterGroups:\n    ParameterLabels:\n\nConditions:"));
		free(text);
		catalog_free(cat);
	}
	/* a quoted scalar's continuation at column 0 that looks like a comment is content;
	 * the comment after it is not */
	free(tu_write_file(dir, "catalog.yml", "Description: t\nFragments: [b.yml]\n"));
	free(tu_write_file(
	    dir, "b.yml",
	    "Outputs:\n  O2:\n    Description: d\n    Value: 'y\n# z'\n# trailing\n"));
	cat = load_catalog(dir);
	text = assemble_with(cat, pairs);
	if (!strstr(text, "    Value: 'y\n# z'\n") || strstr(text, "# trailing"))
		fail_msg("got %s", text);
	free(text);
	catalog_free(cat);
	/* nor is it the lead comment of the section after it */
	free(tu_write_file(dir, "b.yml",
	                   "Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties:\n"
	                   "      TopicName: 'a\n# b'\nOutputs:\n  O: {Value: x}\n"));
	cat = load_catalog(dir);
	text = assemble_with(cat, pairs);
	if (!strstr(text,
	            "      TopicName: 'a\n# b'\n\nOutputs:\n  # ---- b.yml ----\n  O: {Value: "
	            "x}\n"))
		fail_msg("got %s", text);
	free(text);
	catalog_free(cat);
	/* a comment right after a block scalar leads the next section; a comment above a
	 * document start marker leads nothing */
	static const char *const leads[][2] = {
	    {"Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: |\n"
	     "        y\n# lead of Outputs\nOutputs:\n  O: {Value: x}\n",
	     "Outputs:\n  # ---- b.yml ----\n# lead of Outputs\n  O: {Value: x}\n"},
	    {"# before the document\n---\nResources:\n  R: {Type: AWS::SNS::Topic}\n",
	     "Resources:\n  # ---- b.yml ----\n  R: {Type: AWS::SNS::Topic}\n"},
	};
	for (size_t i = 0; i < sizeof leads / sizeof *leads; i++) {
		free(tu_write_file(dir, "b.yml", leads[i][0]));
		cat = load_catalog(dir);
		text = assemble_with(cat, pairs);
		if (!strstr(text, leads[i][1]))
			fail_msg("%s: got %s", leads[i][0], text);
		free(text);
		catalog_free(cat);
	}
	/* a NoEcho Default written first among the attributes is left out too */
	free(tu_write_file(dir, "b.yml",
	                   "Metadata:\n  AWS::CloudFormation::Interface:\n    ParameterGroups:\n"
	                   "      - Label: {default: G}\n        Parameters: [S]\n"
	                   "Parameters:\n  S:\n    Default: hush\n    Type: String\n"
	                   "    Description: s\n    NoEcho: 'true'\n"));
	cat = load_catalog(dir);
	text = assemble_with(cat, pairs);
	if (strstr(text, "hush") ||
	    !strstr(text, "  S:\n    # NoEcho: S's Default is left out; lmsctl deploy sends the "
	                  "value as a change-set parameter\n    Type: String\n"))
		fail_msg("got %s", text);
	free(text);
	catalog_free(cat);
	/* a NoEcho Default written as a block scalar: left out to its end, the next line kept */
	free(tu_write_file(dir, "b.yml",
	                   "Metadata:\n  AWS::CloudFormation::Interface:\n    ParameterGroups:\n"
	                   "      - Label: {default: G}\n        Parameters: [S]\n"
	                   "Parameters:\n  S:\n    Type: String\n    Default: |-\n      hush\n"
	                   "    Description: s\n    NoEcho: 'true'\n"));
	cat = load_catalog(dir);
	text = assemble_with(cat, pairs);
	if (strstr(text, "hush") ||
	    !strstr(text, "    Type: String\n    # NoEcho: S's Default is left out; lmsctl deploy "
	                  "sends the value as a change-set parameter\n    Description: s\n"
	                  "    NoEcho: 'true'\n"))
		fail_msg("got %s", text);
	free(text);
	catalog_free(cat);
	/* the lead comment on the file's first line, and one after a blank first line */
	static const char *const firsts[] = {
	    "# lead\nResources:\n  R: {Type: AWS::SNS::Topic}\n",
	    "\n# lead\nResources:\n  R: {Type: AWS::SNS::Topic}\n",
	    "#\n# lead\nResources:\n  R: {Type: AWS::SNS::Topic}\n"};
	for (size_t i = 0; i < sizeof firsts / sizeof *firsts; i++) {
		free(tu_write_file(dir, "b.yml", firsts[i]));
		cat = load_catalog(dir);
		text = assemble_with(cat, pairs);
		if (!strstr(text,
		            i == 2
		                ? "  # ---- b.yml ----\n#\n# lead\n  R: {Type: AWS::SNS::Topic}\n"
		                : "  # ---- b.yml ----\n# lead\n  R: {Type: AWS::SNS::Topic}\n"))
			fail_msg("%s: got %s", firsts[i], text);
		free(text);
		catalog_free(cat);
	}
	/* a comment right after a block scalar (which ends at the comment's line) goes;
	 * so do blanks without a final line break at the end of the file */
	static const char *const tails[][2] = {
	    {"Outputs:\n  O2:\n    Value: |\n      y\n# trailing\n", "      y\n"},
	    {"Outputs:\n  O2:\n    Value: y\n   ", "    Value: y\n"},
	    {"Outputs:\n  O2:\n    Value: y\n\n  \n   ", "    Value: y\n"},
	};
	for (size_t i = 0; i < sizeof tails / sizeof *tails; i++) {
		free(tu_write_file(dir, "b.yml", tails[i][0]));
		cat = load_catalog(dir);
		text = assemble_with(cat, pairs);
		const char *at = strstr(text, tails[i][1]);
		if (!at || strcmp(at, tails[i][1]) != 0)
			fail_msg("%s: got %s", tails[i][0], text);
		free(text);
		catalog_free(cat);
	}
	tu_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_deterministic),
	    cmocka_unit_test(test_fixture_comments_survive),
	    cmocka_unit_test(test_template_comments_survive),
	    cmocka_unit_test(test_fixture_structure),
	    cmocka_unit_test(test_templates_parse_with_profile_defaults),
	    cmocka_unit_test(test_equal_values_leave_text_untouched),
	    cmocka_unit_test(test_changed_number_replaces_only_default),
	    cmocka_unit_test(test_string_with_numeric_value_is_quoted),
	    cmocka_unit_test(test_multibyte_before_default),
	    cmocka_unit_test(test_several_values_in_one_fragment),
	    cmocka_unit_test(test_unknown_callback_values_ignored),
	    cmocka_unit_test(test_quote_round_trips),
	    cmocka_unit_test(test_quote_plain_when_unambiguous),
	    cmocka_unit_test(test_quote_when_ambiguous),
	    cmocka_unit_test(test_quote_param),
	    cmocka_unit_test(test_quote_exact),
	    cmocka_unit_test(test_no_echo_value_left_out),
	    cmocka_unit_test(test_assemble_exact),
	};
	return cmocka_run_group_tests_name("assemble", tests, NULL, NULL);
}
