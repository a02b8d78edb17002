/* Fuzz target: bytes as a template fragment, rendered.
 *
 * A temporary templates directory (created on the first call, removed at
 * exit) holds a fixed catalog.yml listing one fragment, fragment.yml, which
 * each input replaces. A catalog that loads is rendered for its built-in
 * dev and prod models (with a small size cap, so that exponential Fn::Sub
 * inputs end quickly). A rendering either finishes or says why; every
 * finding is a REN rule; the YAML it emits parses back as the same tree and
 * the JSON parses. The whole-template checks and the analyses then run on
 * the rendered tree and the report is written in every format. */
#include "common/buf.h"
#include "common/error.h"
#include "model/analysis.h"
#include "model/catalog.h"
#include "model/findings.h"
#include "model/model.h"
#include "model/render/render.h"
#include "model/report.h"
#include "model/ydoc.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dir, *catalog_path, *fragment_path;

static const char catalog_text[] = "Description: lmsctl fuzz catalog (one fragment).\n"
                                   "Transform: AWS::SecretsManager-2024-09-16\n"
                                   "Fragments:\n"
                                   "  - fragment.yml\n";

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_render: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

static char *join(const char *name)
{
	buf b;
	buf_init(&b, 0);
	buf_addf(&b, "%s/%s", dir, name);
	char *p = buf_take(&b);
	if (!p)
		die("out of memory", NULL);
	return p;
}

static void cleanup(void)
{
	unlink(catalog_path);
	unlink(fragment_path);
	rmdir(dir);
	free(catalog_path);
	free(fragment_path);
	free(dir);
}

static void write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		die("cannot write", path);
}

static void init_once(void)
{
	if (dir)
		return;
	const char *tmp = getenv("TMPDIR");
	buf b;
	buf_init(&b, 0);
	buf_addf(&b, "%s/lmsctl-fuzz-render-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	dir = buf_take(&b);
	if (!dir || !mkdtemp(dir))
		die("cannot create a temporary directory", dir);
	catalog_path = join("catalog.yml");
	fragment_path = join("fragment.yml");
	write_file(catalog_path, catalog_text, strlen(catalog_text));
	atexit(cleanup);
}

/* Whether YAML node `y` (read back) is rendered node `r`. */
static bool same(const rnode *r, const ynode *y)
{
	if (!r || !y)
		return false;
	if (r->fn && !render_tag_ok(r->fn)) {
		rnode arg = *r;
		arg.fn = NULL;
		return y->kind == YNODE_MAP && y->n == 1 && !y->tag &&
		       strcmp(y->kids[0]->str, r->fn) == 0 && same(&arg, y->kids[1]);
	}
	if (r->fn) {
		const char *tag = strncmp(r->fn, "Fn::", 4) == 0 ? r->fn + 4 : r->fn;
		if (!y->tag || y->tag[0] != '!' || strcmp(y->tag + 1, tag) != 0)
			return false;
		if (strcmp(r->fn, "Fn::GetAtt") == 0 && y->kind == YNODE_SCALAR &&
		    r->kind == RN_SEQ) {
			if (r->kind != RN_SEQ || r->n != 2)
				return false;
			size_t a = strlen(r->kids[0]->str);
			return strncmp(y->str, r->kids[0]->str, a) == 0 && y->str[a] == '.' &&
			       strcmp(y->str + a + 1, r->kids[1]->str) == 0;
		}
	} else if (y->tag && y->tag[0] == '!' && y->tag[1] != '!') {
		return false;
	}
	switch (r->kind) {
	case RN_SCALAR:
		if (y->kind != YNODE_SCALAR)
			return false;
		if (r->plain && !*r->str)
			return ynode_is_null(y) || (y->tag && y->len == 0);
		return strcmp(r->str, y->str) == 0;
	case RN_SEQ:
		if (y->kind != YNODE_SEQ || y->n != r->n)
			return false;
		for (size_t i = 0; i < r->n; i++)
			if (!same(r->kids[i], y->kids[i]))
				return false;
		return true;
	case RN_MAP:
		if (y->kind != YNODE_MAP || y->n != r->n)
			return false;
		for (size_t i = 0; i < r->n; i++)
			if (strcmp(r->kids[2 * i]->str, y->kids[2 * i]->str) != 0 ||
			    !same(r->kids[2 * i + 1], y->kids[2 * i + 1]))
				return false;
		return true;
	}
	return false;
}

static void check(const catalog *cat, const char *env)
{
	lms_error err = {0};
	model *m = model_new_from_catalog(cat, env, &err);
	if (!m)
		die("model_new_from_catalog failed", err.msg);
	findings f;
	findings_init(&f);
	render_options opt = {.max_bytes = 16 * 1024 * 1024};
	rendered *r = render_template(cat, m, &opt, &f, &err);
	if (!r) {
		if (!err.msg || !*err.msg)
			die("render_template failed without a message", NULL);
		lms_error_clear(&err);
		findings_free(&f);
		model_free(m);
		return;
	}
	for (size_t i = 0; i < f.n; i++)
		if (strncmp(f.v[i].rule, "REN", 3) != 0)
			die("a rendering finding outside REN", f.v[i].rule);
	buf out;
	buf_init(&out, 0);
	if (!render_emit(r, RENDER_YAML, &out))
		die("render_emit (YAML) failed", NULL);
	ydoc *doc = ydoc_parse("rendered", buf_cstr(&out), out.len, &err);
	if (!doc) {
		fprintf(stderr, "---- rendered\n%s\n----\n", buf_cstr(&out));
		die("the rendered YAML does not parse", err.msg);
	}
	if (!same(r->root, doc->root)) {
		fprintf(stderr, "---- rendered\n%s\n----\n", buf_cstr(&out));
		die("the rendered YAML reads back differently", NULL);
	}
	ydoc_free(doc);
	buf_reset(&out);
	if (!render_emit(r, RENDER_JSON, &out))
		die("render_emit (JSON) failed", NULL);
	json_error_t jerr;
	json_t *j = json_loads(buf_cstr(&out), 0, &jerr);
	if (!j) {
		fprintf(stderr, "---- rendered\n%s\n----\n", buf_cstr(&out));
		die("the rendered JSON does not parse", jerr.text);
	}
	json_decref(j);

	/* the checks and analyses over the rendered tree, and the report */
	traps_check(cat, m, r, &f);
	analysis a;
	analysis_run(cat, m, r, &a);
	analysis_rules(m, &a, &f);
	for (int fmt = 0; fmt < 3; fmt++) {
		buf_reset(&out);
		if (!report_write(cat, m, r, &a, &f, NULL, (report_format)fmt, &out))
			die("report_write failed", NULL);
	}
	analysis_free(&a);
	buf_free(&out);
	render_free(r);
	findings_free(&f);
	model_free(m);
	lms_error_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init_once();
	write_file(fragment_path, data, size);
	lms_error err = {0};
	catalog *cat = catalog_load(dir, &err);
	if (!cat) {
		lms_error_clear(&err);
		return 0;
	}
	check(cat, "dev");
	check(cat, "prod");
	catalog_free(cat);
	return 0;
}
