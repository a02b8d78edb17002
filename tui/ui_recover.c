#include "tui/ui_recover.h"

#include "common/buf.h"
#include "common/file.h"
#include "common/num.h"
#include "common/vec.h"
#include "model/assemble.h"
#include "model/ydoc.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *recover_path(const char *model_path)
{
	buf p;
	buf_init(&p, 0);
	if (model_path) {
		char *d1 = strdup(model_path), *d2 = strdup(model_path);
		if (d1 && d2)
			buf_addf(&p, "%s/.%s.lmsctl-recover", dirname(d1), basename(d2));
		else
			p.failed = true;
		free(d1);
		free(d2);
		return buf_take(&p);
	}
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	if (state && *state == '/')
		buf_addf(&p, "%s/lmsctl", state);
	else if (home && *home)
		buf_addf(&p, "%s/.local/state/lmsctl", home);
	else
		return NULL;
	/* make the directory, and its parents under HOME */
	char *dir = buf_take(&p);
	if (!dir)
		return NULL;
	for (char *s = dir + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(dir, 0700);
		*s = '/';
	}
	mkdir(dir, 0700);
	buf_init(&p, 0);
	buf_addf(&p, "%s/builtin-dev.lmsctl-recover", dir);
	free(dir);
	return buf_take(&p);
}

bool recover_write(const char *path, const recover_data *d, lms_error *err)
{
	buf b;
	buf_init(&b, 0);
	buf_adds(&b, "# lmsctl recovery file: unsaved edits of the model below. The next\n"
	             "# `lmsctl` on that model offers to restore them; delete this file to\n"
	             "# drop them.\n");
	buf_adds(&b, "model: ");
	yaml_quote_scalar(&b, d->model);
	buf_addf(&b, "\nwritten: %lld\nedits:\n", (long long)d->written);
	for (size_t i = 0; i < d->n; i++) {
		buf_adds(&b, "  ");
		yaml_quote_scalar(&b, d->v[i].key);
		buf_adds(&b, ": ");
		if (d->v[i].value)
			yaml_quote_scalar(&b, d->v[i].value);
		else
			buf_adds(&b, "~");
		buf_addc(&b, '\n');
	}
	if (b.failed) {
		lms_error_set(err, path, 0, 0, "out of memory");
		return false;
	}
	/* 0600: the edits may hold values (a database password) others must not read */
	lms_error werr = {0};
	bool ok = write_file_atomic_mode(path, b.data, b.len, 0600, &werr);
	if (!ok)
		lms_error_set(err, path, 0, 0, "cannot write the recovery file: %s",
		              werr.msg ? werr.msg : "unknown error");
	lms_error_clear(&werr);
	buf_free(&b);
	return ok;
}

bool recover_add(recover_data *d, const char *key, const char *value)
{
	if (!VEC_RESIZE(d->v, d->n + 1))
		return false;
	recover_edit e = {strdup(key), value ? strdup(value) : NULL};
	if (!e.key || (value && !e.value)) {
		free(e.key);
		free(e.value);
		return false;
	}
	d->v[d->n++] = e;
	return true;
}

void recover_data_free(recover_data *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].key);
		free(d->v[i].value);
	}
	free(d->v);
	free(d->model);
	memset(d, 0, sizeof(*d));
}

bool recover_read(const char *path, recover_data *out, lms_error *err)
{
	memset(out, 0, sizeof(*out));
	struct stat st;
	if (stat(path, &st) != 0)
		return false;
	ydoc *doc = ydoc_load(path, (size_t)1024 * 1024, err);
	if (!doc)
		return false;
	const ynode *root = doc->root;
	const char *model_path = ynode_str(ynode_get(root, "model"));
	const ynode *edits = ynode_get(root, "edits");
	const char *written = ynode_str(ynode_get(root, "written"));
	bool ok = model_path && (!edits || edits->kind == YNODE_MAP || ynode_is_null(edits));
	if (!ok) {
		lms_error_set(err, path, 1, 1, "not an lmsctl recovery file");
		ydoc_free(doc);
		return false;
	}
	out->model = strdup(model_path);
	long when = 0;
	out->written =
	    written && lms_parse_long(written, 0, LONG_MAX, &when) ? (time_t)when : st.st_mtime;
	ok = out->model != NULL;
	for (size_t i = 0; ok && edits && edits->kind == YNODE_MAP && i < edits->n; i++) {
		const char *k = ynode_str(ynode_key(edits, i));
		const ynode *v = ynode_val(edits, i);
		if (!k || v->kind != YNODE_SCALAR)
			continue;
		ok = recover_add(out, k, ynode_is_null(v) ? NULL : v->str);
	}
	ydoc_free(doc);
	if (!ok) {
		recover_data_free(out);
		lms_error_set(err, path, 0, 0, "out of memory");
	}
	return ok;
}

void recover_remove(const char *path)
{
	if (path)
		unlink(path);
}
