/* Fuzz target: bytes as a CloudFormation parameters file
 * ([{"ParameterKey": ..., "ParameterValue": ...}]), imported into a fresh
 * dev model of the real templates (loaded once: LMSCTL_TEMPLATES, else the
 * source tree's). An import that succeeds is validated, exported and
 * imported again into another fresh model: both must hold the same values.
 * An import that fails must say why and leave the model as it was. */
#include "common/buf.h"
#include "common/error.h"
#include "model/catalog.h"
#include "model/findings.h"
#include "model/model.h"
#include "model/params_json.h"
#include "model/validate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef LMSCTL_SRCDIR
#define LMSCTL_SRCDIR "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static catalog *cat;

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_params: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

static void cleanup(void)
{
	catalog_free(cat);
}

static void init_once(void)
{
	if (cat)
		return;
	const char *dir = getenv("LMSCTL_TEMPLATES");
	lms_error err = {0};
	cat = catalog_load(dir && *dir ? dir : LMSCTL_SRCDIR "/templates", &err);
	if (!cat)
		die("cannot load the templates (set LMSCTL_TEMPLATES)", err.msg);
	atexit(cleanup);
}

static model *dev_model(void)
{
	lms_error err = {0};
	model *m = model_new_from_catalog(cat, "dev", &err);
	if (!m)
		die("model_new_from_catalog failed", err.msg);
	return m;
}

static void same_values(const model *a, const model *b, const char *what)
{
	if (a->n != b->n)
		die(what, "different number of values");
	for (size_t i = 0; i < a->n; i++) {
		const char *v = model_get(b, a->entries[i].key);
		if (!v || strcmp(v, a->entries[i].value) != 0)
			die(what, a->entries[i].key);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init_once();
	model *m = dev_model();
	lms_error err = {0};
	if (!params_json_import(cat, m, "fuzz.json", (const char *)data, size, &err)) {
		if (!err.msg || !*err.msg)
			die("params_json_import failed without a message", NULL);
		model *fresh = dev_model();
		same_values(fresh, m, "a failed import changed the model");
		model_free(fresh);
		lms_error_clear(&err);
		model_free(m);
		return 0;
	}
	findings f;
	findings_init(&f);
	validate_model(cat, m, &f);
	buf out;
	buf_init(&out, 0);
	findings_format_text(&f, &out);
	findings_format_json(&f, &out);
	findings_free(&f);

	buf_reset(&out);
	if (!params_json_export(cat, m, &out))
		die("params_json_export failed", NULL);
	model *again = dev_model();
	if (!params_json_import(cat, again, "exported.json", buf_cstr(&out), out.len, &err)) {
		fprintf(stderr, "---- exported\n%s\n----\n", buf_cstr(&out));
		die("the exported parameters do not import", err.msg);
	}
	same_values(m, again, "export and import changed a value");
	model_free(again);
	buf_free(&out);
	model_free(m);
	return 0;
}
