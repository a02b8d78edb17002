/* Fuzz target: bytes as a model file.
 *
 * model_load() reads a path, so the input is written to one temporary file
 * (created on the first call, removed at exit) and loaded from there. A model
 * that loads is validated against the real templates (loaded once: the
 * directory in LMSCTL_TEMPLATES, else the source tree's), its findings
 * formatted, a few values changed and the file rendered again; the rendered
 * file must load back with the changed values and every other value intact.
 * A load that fails must say why. */
#include "common/buf.h"
#include "common/error.h"
#include "model/catalog.h"
#include "model/findings.h"
#include "model/model.h"
#include "model/validate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef LMSCTL_SRCDIR
#define LMSCTL_SRCDIR "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static catalog *cat;
static char *input_path, *output_path;

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_model: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

static void cleanup(void)
{
	/* (a /proc/self/fd path is gone already; unlink fails harmlessly) */
	if (input_path && strncmp(input_path, "/proc/", 6) != 0)
		unlink(input_path);
	if (output_path && strncmp(output_path, "/proc/", 6) != 0)
		unlink(output_path);
	free(input_path);
	free(output_path);
	catalog_free(cat);
}

/* A temporary file for model_load() to read. Where /proc/self/fd exists the
 * file is unlinked at once and reached through its descriptor (kept open),
 * so that a crash, which skips atexit(), leaves nothing behind. */
static char *make_temp_file(void)
{
	const char *tmp = getenv("TMPDIR");
	buf b;
	buf_init(&b, 0);
	buf_addf(&b, "%s/lmsctl-fuzz-model-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char *path = buf_take(&b);
	if (!path)
		die("out of memory", NULL);
	int fd = mkstemp(path);
	if (fd < 0)
		die("cannot create a temporary file", path);
	buf_init(&b, 0);
	buf_addf(&b, "/proc/self/fd/%d", fd);
	char *proc_path = buf_take(&b);
	if (proc_path && access(proc_path, R_OK | W_OK) == 0) {
		unlink(path);
		free(path);
		return proc_path;
	}
	free(proc_path);
	close(fd);
	return path;
}

static void init_once(void)
{
	if (cat)
		return;
	const char *dir = getenv("LMSCTL_TEMPLATES");
	buf b;
	buf_init(&b, 0);
	buf_addf(&b, "%s", dir && *dir ? dir : LMSCTL_SRCDIR "/templates");
	lms_error err = {0};
	cat = catalog_load(buf_cstr(&b), &err);
	if (!cat)
		die("cannot load the templates (set LMSCTL_TEMPLATES)", err.msg);
	buf_free(&b);
	input_path = make_temp_file();
	output_path = make_temp_file();
	atexit(cleanup);
}

static void write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		die("cannot write", path);
}

/* Values set before rendering: a plain one, and ones that need quoting. */
static const char *const changes[][2] = {
    {"stack", "lms-fuzz"},
    {"NatGatewayMode", "per-az"},
    {"DatabaseName", "it's: a #value"},
    {"FuzzNewParameter", "- [x]"},
};

static void check_round_trip(model *m)
{
	size_t n_before = m->n;
	char **keys = calloc(n_before + 1, sizeof(char *));
	char **vals = calloc(n_before + 1, sizeof(char *));
	if (!keys || !vals)
		die("out of memory", NULL);
	for (size_t i = 0; i < n_before; i++) {
		keys[i] = strdup(m->entries[i].key);
		vals[i] = strdup(m->entries[i].value);
	}
	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++)
		if (!model_set(m, changes[i][0], changes[i][1]))
			die("model_set failed", changes[i][0]);
	buf out;
	buf_init(&out, 0);
	if (!model_render_update(m, &out))
		die("model_render_update failed", NULL);
	write_file(output_path, out.data ? out.data : "", out.len);
	lms_error err = {0};
	model *back = model_load(output_path, &err);
	if (!back) {
		fprintf(stderr, "---- rendered\n%s\n----\n", buf_cstr(&out));
		die("the rendered model does not load", err.msg);
	}
	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		const char *v = model_get(back, changes[i][0]);
		if (!v || strcmp(v, changes[i][1]) != 0) {
			fprintf(stderr, "---- rendered\n%s\n----\n", buf_cstr(&out));
			die("a changed value did not survive rendering", changes[i][0]);
		}
	}
	for (size_t i = 0; i < n_before; i++) {
		bool changed = false;
		for (size_t j = 0; j < sizeof(changes) / sizeof(changes[0]); j++)
			changed = changed || strcmp(keys[i], changes[j][0]) == 0;
		const char *v = model_get(back, keys[i]);
		if (!changed && (!v || strcmp(v, vals[i]) != 0)) {
			fprintf(stderr, "---- rendered\n%s\n----\n", buf_cstr(&out));
			die("an unchanged value changed in rendering", keys[i]);
		}
	}
	model_free(back);
	lms_error_clear(&err);
	buf_free(&out);
	for (size_t i = 0; i < n_before; i++) {
		free(keys[i]);
		free(vals[i]);
	}
	free(keys);
	free(vals);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init_once();
	write_file(input_path, data, size);
	lms_error err = {0};
	model *m = model_load(input_path, &err);
	if (!m) {
		if (!err.msg || !*err.msg)
			die("model_load failed without a message", NULL);
		lms_error_clear(&err);
		return 0;
	}
	findings f;
	findings_init(&f);
	validate_model(cat, m, &f);
	buf text;
	buf_init(&text, 0);
	findings_format_text(&f, &text);
	findings_format_json(&f, &text);
	buf_free(&text);
	findings_free(&f);
	check_round_trip(m);
	model_free(m);
	return 0;
}
