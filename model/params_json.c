#include "model/params_json.h"

#include "common/term.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

bool params_json_export(const catalog *cat, const model *m, buf *out)
{
	json_t *arr = json_array();
	if (!arr)
		return false;
	for (size_t i = 0; i < cat->nparams; i++) {
		const char *name = cat->params[i].e.name;
		const char *v = model_param_value(m, cat, name);
		/* the pipeline's: an update keeps the stack's value, as lmsctl deploy does */
		json_t *o =
		    cat->params[i].pipeline_owned
		        ? json_pack("{s:s, s:b}", "ParameterKey", name, "UsePreviousValue", 1)
		        : json_pack("{s:s, s:s}", "ParameterKey", name, "ParameterValue",
		                    v ? v : "");
		if (!o || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return false;
		}
	}
	char *s = term_json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(arr);
	if (!s)
		return false;
	buf_adds(out, s);
	buf_addc(out, '\n');
	free(s);
	return !out->failed;
}

/* A value as the CLI's parameters file allows it: a string, or a number or
 * boolean written without quotes (read as its text). */
static bool value_is_text(const json_t *v)
{
	return json_is_string(v) || json_is_integer(v) || json_is_real(v) || json_is_boolean(v);
}

/* The text of a value_is_text value; NULL: out of memory. */
static char *value_text(json_t *v)
{
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_ENCODE_ANY);
}

bool params_json_import(const catalog *cat, model *m, const char *path, const char *text,
                        size_t len, lms_error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		size_t line = (size_t)(jerr.line > 0 ? jerr.line : 0);
		/* jansson reports column 0 at the start of a line (an error at
		 * the end of a file that ends with a newline): that is column 1 */
		size_t col = jerr.column > 0 ? (size_t)jerr.column : line > 0;
		/* jansson says nothing (an empty text, line -1) when its own first
		 * allocation fails */
		lms_error_set(err, path, line, col, "%s",
		              jerr.text[0] ? jerr.text : "out of memory");
		return false;
	}
	bool ok = false;
	char **keys = NULL, **vals = NULL;
	size_t n = 0;
	if (!json_is_array(root)) {
		lms_error_set(
		    err, path, 1, 1,
		    "a parameters file is a list of {\"ParameterKey\", \"ParameterValue\"}");
		goto done;
	}
	n = json_array_size(root);
	keys = calloc(n + 1, sizeof(char *));
	vals = calloc(n + 1, sizeof(char *));
	if (!keys || !vals) {
		lms_error_set(err, path, 0, 0, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(root, i);
		json_t *k = json_object_get(o, "ParameterKey");
		json_t *v = json_object_get(o, "ParameterValue");
		json_t *prev = json_object_get(o, "UsePreviousValue");
		if (!json_is_object(o) || !json_is_string(k)) {
			lms_error_set(err, path, 0, 0, "entry %zu has no ParameterKey string",
			              i + 1);
			goto done;
		}
		const char *key = json_string_value(k);
		const cat_param *cp = catalog_param(cat, key);
		if (!cp) {
			lms_error_set(err, path, 0, 0,
			              "entry %zu: '%s' is not a parameter of the template", i + 1,
			              key);
			goto done;
		}
		if ((json_is_true(prev) && !v) || cp->pipeline_owned)
			continue; /* keeps the model's value; the pipeline's is not the model's */
		if (!v || !value_is_text(v)) {
			lms_error_set(err, path, 0, 0,
			              "entry %zu (%s): ParameterValue must be a string", i + 1,
			              key);
			goto done;
		}
		/* out of memory here was once reported as "must be a string" */
		vals[i] = value_text(v);
		if (!vals[i]) {
			lms_error_set(err, path, 0, 0, "out of memory");
			goto done;
		}
		if (strpbrk(vals[i], "\r\n")) {
			lms_error_set(err, path, 0, 0,
			              "entry %zu (%s): a parameter value is one line", i + 1, key);
			goto done;
		}
		for (size_t j = 0; j < i; j++)
			if (keys[j] && strcmp(keys[j], key) == 0) {
				lms_error_set(err, path, 0, 0, "entry %zu: '%s' is given twice",
				              i + 1, key);
				goto done;
			}
		keys[i] = strdup(key);
		if (!keys[i]) {
			lms_error_set(err, path, 0, 0, "out of memory");
			goto done;
		}
	}
	/* only now, with the whole file valid, change the model */
	for (size_t i = 0; i < n; i++)
		if (keys[i] && !model_set(m, keys[i], vals[i])) {
			lms_error_set(err, path, 0, 0, "out of memory");
			goto done;
		}
	ok = true;
done:
	for (size_t i = 0; keys && vals && i < n; i++) {
		free(keys[i]);
		free(vals[i]);
	}
	free(keys);
	free(vals);
	json_decref(root);
	return ok;
}
