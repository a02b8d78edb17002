/* Fuzz target: bytes as a template fragment.
 *
 * A temporary templates directory (created on the first call, removed at
 * exit) holds a fixed catalog.yml listing one fragment, fragment.yml, which
 * each input replaces. A catalog that loads is assembled with the values of
 * its built-in dev and prod models, both models are validated, and `init`'s
 * rendering of each must load back with every value intact. The assembled
 * template must parse as YAML. A load that fails must say why. */
#include "common/buf.h"
#include "common/error.h"
#include "model/assemble.h"
#include "model/catalog.h"
#include "model/findings.h"
#include "model/model.h"
#include "model/validate.h"
#include "model/ydoc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dir, *catalog_path, *fragment_path, *model_path;

static const char catalog_text[] = "Description: lmsctl fuzz catalog (one fragment).\n"
                                   "Fragments:\n"
                                   "  - fragment.yml\n";

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_template: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
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
	unlink(model_path);
	rmdir(dir);
	free(catalog_path);
	free(fragment_path);
	free(model_path);
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
	buf_addf(&b, "%s/lmsctl-fuzz-template-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	dir = buf_take(&b);
	if (!dir || !mkdtemp(dir))
		die("cannot create a temporary directory", dir);
	catalog_path = join("catalog.yml");
	fragment_path = join("fragment.yml");
	model_path = join("model.yml");
	write_file(catalog_path, catalog_text, strlen(catalog_text));
	atexit(cleanup);
}

static const char *model_value(void *ctx, const char *param)
{
	const model *m = ctx;
	return model_get(m, param);
}

static void check_model(const catalog *cat, const char *env)
{
	lms_error err = {0};
	model *m = model_new_from_catalog(cat, env, &err);
	if (!m)
		die("model_new_from_catalog failed", err.msg);

	buf out;
	buf_init(&out, 0);
	if (!assemble_template(cat, model_value, m, &out, &err))
		die("assemble_template failed", err.msg);
	ydoc *doc = ydoc_parse("assembled", buf_cstr(&out), out.len, &err);
	if (!doc) {
		fprintf(stderr, "---- assembled\n%s\n----\n", buf_cstr(&out));
		die("the assembled template does not parse", err.msg);
	}
	ydoc_free(doc);

	findings f;
	findings_init(&f);
	validate_model(cat, m, &f);
	buf_reset(&out);
	findings_format_text(&f, &out);
	findings_format_json(&f, &out);
	findings_free(&f);

	/* what `init` writes loads back, unless a value spans lines: the model
	 * format has none (parameters are one line; PRM001 reports it) */
	bool multi_line = false;
	for (size_t i = 0; i < m->n; i++)
		multi_line = multi_line || strchr(m->entries[i].value, '\n');
	if (multi_line) {
		buf_free(&out);
		model_free(m);
		lms_error_clear(&err);
		return;
	}
	buf_reset(&out);
	if (!model_render_new(m, cat, &out))
		die("model_render_new failed", NULL);
	write_file(model_path, out.data ? out.data : "", out.len);
	model *back = model_load(model_path, &err);
	if (!back) {
		fprintf(stderr, "---- rendered\n%s\n----\n", buf_cstr(&out));
		die("the rendered model does not load", err.msg);
	}
	for (size_t i = 0; i < m->n; i++) {
		const char *v = model_get(back, m->entries[i].key);
		if (!v || strcmp(v, m->entries[i].value) != 0) {
			fprintf(stderr, "---- rendered\n%s\n----\n", buf_cstr(&out));
			die("a value did not survive rendering", m->entries[i].key);
		}
	}
	model_free(back);
	buf_free(&out);
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
		if (!err.msg || !*err.msg)
			die("catalog_load failed without a message", NULL);
		lms_error_clear(&err);
		return 0;
	}
	check_model(cat, "dev");
	check_model(cat, "prod");
	catalog_free(cat);
	return 0;
}
