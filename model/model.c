#define _GNU_SOURCE /* mkstemp, fsync, link with -std=c11 */
#include "model/model.h"

#include "model/assemble.h"

#include "common/str.h"
#include "common/vec.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const model_top_keys[4] = {"stack", "region", "environment", "suffix"};

/* A model file is a page of text; this is far beyond any real one. */
#define MODEL_MAX_BYTES ((size_t)1024 * 1024)

static model *model_alloc(void)
{
	return calloc(1, sizeof(model));
}

static void entry_free(model_entry *e)
{
	free(e->key);
	free(e->value);
}

void model_free(model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		entry_free(&m->entries[i]);
	for (size_t i = 0; i < m->nunknown; i++)
		entry_free(&m->unknown[i]);
	free(m->entries);
	free(m->unknown);
	institutions_free(m->inst, m->ninst);
	ydoc_free(m->doc);
	free(m->path);
	free(m);
}

static model_entry *add_entry(model *m, const char *key, const char *value, bool is_param)
{
	if (!VEC_RESERVE(m->entries, m->cap, m->n + 1))
		return NULL;
	model_entry *e = &m->entries[m->n];
	memset(e, 0, sizeof(*e));
	e->key = strdup(key);
	e->value = strdup(value);
	if (!e->key || !e->value) {
		entry_free(e);
		return NULL;
	}
	e->is_param = is_param;
	m->n++;
	return e;
}

static bool is_top_key(const char *key)
{
	for (size_t i = 0; i < 4; i++)
		if (strcmp(key, model_top_keys[i]) == 0)
			return true;
	return false;
}

static const char *bound_key(const char *key)
{
	if (strcmp(key, MODEL_PARAM_ENVIRONMENT) == 0)
		return "environment";
	if (strcmp(key, MODEL_PARAM_SUFFIX) == 0)
		return "suffix";
	return key;
}

const model_entry *model_find(const model *m, const char *key)
{
	key = bound_key(key);
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->entries[i].key, key) == 0)
			return &m->entries[i];
	return NULL;
}

const char *model_get(const model *m, const char *key)
{
	const model_entry *e = model_find(m, key);
	return e ? e->value : NULL;
}

const char *model_param_value(const model *m, const catalog *cat, const char *param)
{
	const cat_param *p = catalog_param(cat, param);
	/* a parameter the pipeline owns is not the model's (MDL001 says so when it sets one) */
	const char *v = m && !(p && p->pipeline_owned) ? model_get(m, param) : NULL;
	if (v)
		return v;
	return p ? p->default_value : NULL;
}

bool model_set(model *m, const char *key, const char *value)
{
	key = bound_key(key);
	for (size_t i = 0; i < m->n; i++) {
		model_entry *e = &m->entries[i];
		if (strcmp(e->key, key) == 0) {
			if (strcmp(e->value, value) == 0)
				return true;
			char *v = strdup(value);
			if (!v)
				return false;
			free(e->value);
			e->value = v;
			e->changed = true;
			return true;
		}
	}
	model_entry *e = add_entry(m, key, value, !is_top_key(key));
	if (e)
		e->changed = true;
	return e != NULL;
}

static bool keep_unknown(model *m, const ynode *k, const char *prefix)
{
	if (!VEC_RESIZE(m->unknown, m->nunknown + 1))
		return false;
	model_entry *e = &m->unknown[m->nunknown];
	memset(e, 0, sizeof(*e));
	e->key = lms_strdupf("%s%s", prefix, k->str);
	e->value = strdup("");
	e->line = k->start.line;
	e->col = k->start.col;
	if (!e->key || !e->value) {
		entry_free(e);
		return false;
	}
	m->nunknown++;
	return true;
}

static bool load_value(model *m, const ynode *k, const ynode *v, bool is_param, lms_error *err)
{
	if (!ynode_str(k)) {
		lms_error_set(err, m->path, k->start.line, k->start.col,
		              "keys must be plain names");
		return false;
	}
	if (v->kind != YNODE_SCALAR || v->tag) {
		lms_error_set(err, m->path, v->start.line, v->start.col,
		              "'%s' must be a single value (a list is written 'a,b,c'), not %s",
		              k->str,
		              v->kind == YNODE_MAP   ? "a mapping"
		              : v->kind == YNODE_SEQ ? "a list"
		                                     : "a tagged value");
		return false;
	}
	if (v->style == YSTYLE_LITERAL || v->style == YSTYLE_FOLDED ||
	    memchr(v->str, '\n', v->len)) {
		lms_error_set(err, m->path, v->start.line, v->start.col,
		              "'%s' must be a one-line value", k->str);
		return false;
	}
	if (strlen(v->str) != v->len) {
		lms_error_set(err, m->path, v->start.line, v->start.col,
		              "'%s' contains a NUL character", k->str);
		return false;
	}
	/* a value is spliced in where it stands, an empty one right after its
	 * key's ':'; `? key` without a ':' has no place for one */
	if (v->start.offset == v->end.offset &&
	    (v->start.offset == 0 || m->doc->text[v->start.offset - 1] != ':')) {
		lms_error_set(err, m->path, k->start.line, k->start.col,
		              "'%s' has no ':' (write %s: VALUE)", k->str, k->str);
		return false;
	}
	const char *value = ynode_is_null(v) ? "" : v->str;
	model_entry *e = add_entry(m, k->str, value, is_param);
	if (!e) {
		lms_error_set(err, m->path, 0, 0, "out of memory");
		return false;
	}
	e->line = v->start.line;
	e->col = v->start.col;
	e->val_from = v->start.offset;
	e->val_to = v->end.offset;
	return true;
}

/* The model in `doc` (which it takes), read from (or to be written to) `path`:
 * the one loader behind model_load() and the check model_save() makes of
 * what it is about to write. */
static model *model_from_doc(const char *path, ydoc *doc, lms_error *err)
{
	if (!doc)
		return NULL;
	model *m = model_alloc();
	if (!m || !(m->path = strdup(path))) {
		model_free(m);
		ydoc_free(doc);
		lms_error_set(err, path, 0, 0, "out of memory");
		return NULL;
	}
	m->doc = doc;
	const ynode *root = m->doc->root;
	if (!root) {
		lms_error_set(err, path, 1, 1,
		              "empty model file: write one with `lmsctl init -o %s`", path);
		goto fail;
	}
	if (root->kind != YNODE_MAP || root->style != YSTYLE_BLOCK) {
		lms_error_set(err, path, root->start.line, root->start.col,
		              "a model file is a mapping of keys (stack, region, environment, "
		              "suffix, parameters, institutions)");
		goto fail;
	}
	for (size_t i = 0; i < root->n; i++) {
		const ynode *k = ynode_key(root, i), *v = ynode_val(root, i);
		const char *key = ynode_str(k);
		if (key && strcmp(key, "parameters") == 0) {
			m->params_line = k->start.line;
			if (ynode_is_null(v)) {
				m->params_end = ydoc_line_offset(m->doc, k->start.line + 1);
				continue;
			}
			if (v->kind != YNODE_MAP || v->style != YSTYLE_BLOCK) {
				lms_error_set(
				    err, path, v->start.line, v->start.col,
				    "'parameters' must be a mapping of NAME: value lines");
				goto fail;
			}
			m->params_indent = v->n ? ynode_key(v, 0)->start.col - 1 : 2;
			for (size_t j = 0; j < v->n; j++) {
				const ynode *pk = ynode_key(v, j);
				/* bound parameters, and top-level keys, which a
				 * parameter of that name would shadow in model_get */
				if (ynode_str(pk) &&
				    (strcmp(pk->str, MODEL_PARAM_ENVIRONMENT) == 0 ||
				     strcmp(pk->str, MODEL_PARAM_SUFFIX) == 0 ||
				     is_top_key(pk->str))) {
					if (!keep_unknown(m, pk, "parameters."))
						goto oom;
					continue;
				}
				if (!load_value(m, pk, ynode_val(v, j), true, err))
					goto fail;
			}
			const ynode *last = ynode_val(v, v->n - 1);
			m->params_end = ydoc_line_offset(m->doc, last->end.line + 1);
			if (last->end.col == 1)
				m->params_end = ydoc_line_offset(m->doc, last->end.line);
			continue;
		}
		if (key && is_top_key(key)) {
			if (!load_value(m, k, v, false, err))
				goto fail;
			continue;
		}
		if (key && strcmp(key, "institutions") == 0) {
			m->inst_line = k->start.line;
			if (!institutions_load(path, v, &m->inst, &m->ninst, err))
				goto fail;
			continue;
		}
		if (!ynode_str(k)) {
			lms_error_set(err, path, k->start.line, k->start.col,
			              "keys must be plain names");
			goto fail;
		}
		if (!keep_unknown(m, k, ""))
			goto oom;
	}
	return m;
oom:
	lms_error_set(err, path, 0, 0, "out of memory");
fail:
	model_free(m);
	return NULL;
}

model *model_load(const char *path, lms_error *err)
{
	return model_from_doc(path, ydoc_load(path, MODEL_MAX_BYTES, err), err);
}

model *model_new_from_catalog(const catalog *cat, const char *env, lms_error *err)
{
	model *m = model_alloc();
	if (!m)
		goto oom;
	/* the suffix names the environment unless its profile sets one */
	const char *suffix = env;
	for (size_t i = 0; i < cat->nprofile; i++)
		if (strcmp(cat->profile[i].env, env) == 0 &&
		    strcmp(cat->profile[i].param, MODEL_PARAM_SUFFIX) == 0)
			suffix = cat->profile[i].value;
	buf stack;
	buf_init(&stack, 0);
	buf_addf(&stack, "lms-%s", suffix);
	/* out of memory there would name the stack "" */
	bool ok = !stack.failed && add_entry(m, "stack", buf_cstr(&stack), false) &&
	          add_entry(m, "region", "eu-west-1", false) &&
	          add_entry(m, "environment", env, false) && add_entry(m, "suffix", suffix, false);
	buf_free(&stack);
	if (!ok)
		goto oom;
	for (size_t g = 0; g < cat->ngroups; g++) {
		for (size_t i = 0; i < cat->groups[g].n; i++) {
			const cat_param *p = &cat->params[cat->groups[g].params[i]];
			if (strcmp(p->e.name, MODEL_PARAM_ENVIRONMENT) == 0 ||
			    strcmp(p->e.name, MODEL_PARAM_SUFFIX) == 0 || p->pipeline_owned)
				continue;
			if (!add_entry(m, p->e.name, catalog_profile_value(cat, env, p->e.name),
			               true))
				goto oom;
		}
	}
	return m;
oom:
	lms_error_set(err, NULL, 0, 0, "out of memory");
	model_free(m);
	return NULL;
}

/* Appends `len` bytes of `text` to a comment line: a line break or a
 * character YAML does not allow even in a comment (C0 and C1 controls but
 * tab, DEL, U+FFFE, U+FFFF; NEL, LS and PS end a line) becomes a space. */
static void add_comment_text(buf *out, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	while (p < end) {
		size_t n = 0; /* bytes to replace */
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			n = 1;
		else if (end - p >= 2 && p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
			n = 2;
		else if (end - p >= 3 &&
		         ((p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) ||
		          (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF))))
			n = 3; /* LS, PS; U+FFFE, U+FFFF */
		if (n) {
			buf_addc(out, ' ');
			p += n;
		} else {
			buf_addc(out, (char)*p++);
		}
	}
}

/* Appends `text` as comment lines of at most ~78 columns, each starting with `indent`. */
static void add_comment(buf *out, const char *indent, const char *text)
{
	const size_t width = 76;
	const char *p = text;
	while (*p) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (!*p)
			break;
		size_t len = strcspn(p, "\n");
		if (len > width) {
			size_t cut = width;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			len = cut ? cut : len;
		}
		buf_addf(out, "%s# ", indent);
		add_comment_text(out, p, len);
		buf_addc(out, '\n');
		p += len;
	}
}

static void add_constraint(buf *out, const char *indent, const cat_param *p)
{
	buf c;
	buf_init(&c, 0);
	buf_addf(&c, "Type %s", p->type);
	if (p->allowed_values) {
		buf_adds(&c, "; one of: ");
		for (size_t i = 0; i < p->allowed_values->n; i++)
			buf_addf(&c, "%s%s", i ? ", " : "", p->allowed_values->kids[i]->str);
	}
	if (p->has_min_value || p->has_max_value) {
		/* %.15g: 1209600 stays 1209600 (%g would write 1.2096e+06) */
		if (p->has_min_value && p->has_max_value)
			buf_addf(&c, "; from %.15g to %.15g", p->min_value, p->max_value);
		else if (p->has_min_value)
			buf_addf(&c, "; at least %.15g", p->min_value);
		else
			buf_addf(&c, "; at most %.15g", p->max_value);
	}
	if (p->has_min_length || p->has_max_length)
		buf_addf(&c, "; length %ld to %ld", p->has_min_length ? p->min_length : 0,
		         p->has_max_length ? p->max_length : 4096);
	if (p->allowed_pattern)
		buf_addf(&c, "; pattern %s", p->allowed_pattern);
	buf_adds(&c, ".");
	if (p->constraint_description)
		buf_addf(&c, " %s", p->constraint_description);
	buf_fail_with(out, &c); /* never written without its comment */
	if (!c.failed)
		add_comment(out, indent, buf_cstr(&c));
	buf_free(&c);
}

static const char *top_comment(const char *key)
{
	if (strcmp(key, "stack") == 0)
		return "CloudFormation stack name.";
	if (strcmp(key, "region") == 0)
		return "AWS region of the stack. The platform is designed, sized and documented "
		       "for "
		       "eu-west-1.";
	if (strcmp(key, "environment") == 0)
		return "Environment kind: dev, staging or prod (template parameter Environment).";
	return "Suffix of every resource name, e.g. lms-db-cluster-<suffix> (template parameter "
	       "EnvironmentSuffix).";
}

bool model_render_new(const model *m, const catalog *cat, buf *out)
{
	const char *env = model_get(m, "environment") ? model_get(m, "environment") : "?";
	buf_adds(out, "# lmsctl model: the LMS platform, ");
	add_comment_text(out, env, strlen(env));
	buf_adds(out, " environment.\n");
	buf_adds(out, "# `lmsctl validate -m FILE` checks every value; the format is "
	              "lmsctl-model(5).\n");
	buf_adds(out, "# A parameter left out takes its template Default.\n");
	for (size_t i = 0; i < 4; i++) {
		const char *v = model_get(m, model_top_keys[i]);
		buf_addc(out, '\n');
		add_comment(out, "", top_comment(model_top_keys[i]));
		buf_addf(out, "%s: ", model_top_keys[i]);
		yaml_quote_scalar(out, v ? v : "");
		buf_addc(out, '\n');
	}
	/* institutions are a list, not a parameter: a commented example */
	buf_adds(out, "\n# Institutions that call the API, each with its own API key, usage plan\n"
	              "# and rotation (lmsctl-model(5), docs/api-limits.md); none by default.\n"
	              "# institutions:\n"
	              "#   - {name: nus, rate: 2000, burst: 2000, quota: 5000000}\n");
	buf_adds(out, "\nparameters:\n");
	for (size_t g = 0; g < cat->ngroups; g++) {
		const cat_group *grp = &cat->groups[g];
		bool header = false;
		for (size_t i = 0; i < grp->n; i++) {
			const cat_param *p = &cat->params[grp->params[i]];
			const char *v = model_get(m, p->e.name);
			bool owned = p->pipeline_owned && !v;
			if (strcmp(p->e.name, MODEL_PARAM_ENVIRONMENT) == 0 ||
			    strcmp(p->e.name, MODEL_PARAM_SUFFIX) == 0 || (!v && !owned))
				continue;
			if (!header) {
				buf_adds(out, "\n  # ==== ");
				add_comment_text(out, grp->label, strlen(grp->label));
				buf_adds(out, " ====\n");
			}
			header = true;
			if (owned) {
				buf_addf(
				    out,
				    "\n  # %s: the pipeline's (LmsCtl::PipelineParameters), not "
				    "the model's: docs/deploy.md.\n",
				    p->e.name);
				continue;
			}
			buf_adds(out, "\n  # ");
			add_comment_text(out, p->label, strlen(p->label));
			buf_adds(out, ".\n");
			add_comment(out, "  ", p->description);
			add_constraint(out, "  ", p);
			buf_addf(out, "  %s: ", p->e.name);
			yaml_quote_scalar(out, v);
			buf_addc(out, '\n');
		}
	}
	/* parameters the model holds that no group lists (unknown to the catalog) */
	for (size_t i = 0; i < m->n; i++) {
		const model_entry *e = &m->entries[i];
		if (!e->is_param || catalog_param(cat, e->key))
			continue;
		buf_addf(out, "  %s: ", e->key);
		yaml_quote_scalar(out, e->value);
		buf_addc(out, '\n');
	}
	return !out->failed;
}

typedef struct edit {
	size_t from, to;
	const model_entry *e;
} edit;

static int cmp_edit(const void *a, const void *b)
{
	const edit *x = a, *y = b;
	return x->from < y->from ? -1 : x->from > y->from;
}

bool model_render_update(const model *m, buf *out)
{
	const char *text = m->doc->text;
	edit *edits = calloc(m->n + 1, sizeof(*edits));
	if (!edits)
		return false;
	size_t ne = 0;
	for (size_t i = 0; i < m->n; i++) {
		const model_entry *e = &m->entries[i];
		if (e->changed && (e->line || e->val_to))
			edits[ne++] = (edit){e->val_from, e->val_to, e};
	}
	qsort(edits, ne, sizeof(*edits), cmp_edit);
	/* new top-level keys end the top-level mapping: before a `...` that
	 * ends the document, not after it */
	const ynode *root = m->doc->root;
	size_t tail =
	    root->end.col == 1 && root->end.offset < m->doc->len ? root->end.offset : m->doc->len;
	/* `parameters: ~` takes new parameters only without its null */
	const ynode *params_null = ynode_get(root, "parameters");
	if (params_null && params_null->kind != YNODE_SCALAR)
		params_null = NULL;
	size_t pos = 0;
	bool params_done = false;
	for (size_t i = 0; i <= ne; i++) {
		size_t at = i < ne ? edits[i].from : tail;
		/* new parameters go after the last one, in the order they were set;
		 * an edit at params_end itself (an empty last value at the end of a
		 * file without a final newline) belongs to the line before them */
		if (!params_done && m->params_line && (m->params_end < at || i == ne)) {
			bool adding = false;
			for (size_t j = 0; j < m->n; j++)
				adding = adding || (m->entries[j].is_param && !m->entries[j].line);
			if (adding && params_null && params_null->start.offset >= pos &&
			    params_null->end.offset <= m->params_end) {
				buf_add(out, text + pos, params_null->start.offset - pos);
				pos = params_null->end.offset;
			}
			buf_add(out, text + pos, m->params_end - pos);
			pos = m->params_end;
			if (adding && pos > 0 && text[pos - 1] != '\n')
				buf_addc(out, '\n');
			for (size_t j = 0; j < m->n; j++) {
				const model_entry *e = &m->entries[j];
				if (!e->is_param || e->line)
					continue;
				buf_addf(out,
				         "%*s%s: ", (int)(m->params_indent ? m->params_indent : 2),
				         "", e->key);
				yaml_quote_scalar(out, e->value);
				buf_addc(out, '\n');
			}
			params_done = true;
		}
		if (i == ne)
			break;
		buf_add(out, text + pos, at - pos);
		if (edits[i].from == edits[i].to && at > 0 && text[at - 1] == ':')
			buf_addc(out, ' '); /* `Key:` with no value yet */
		yaml_quote_scalar(out, edits[i].e->value);
		pos = edits[i].to;
	}
	buf_add(out, text + pos, tail - pos);
	/* new top-level keys, and new parameters when the file had no `parameters:`,
	 * at the indentation of the file's top-level keys */
	bool need_nl = out->len && out->data[out->len - 1] != '\n';
	int top = (int)(root->start.col - 1);
	for (size_t j = 0; j < m->n; j++) {
		const model_entry *e = &m->entries[j];
		if (e->line || e->is_param)
			continue;
		if (need_nl)
			buf_addc(out, '\n');
		need_nl = false;
		buf_addf(out, "%*s%s: ", top, "", e->key);
		yaml_quote_scalar(out, e->value);
		buf_addc(out, '\n');
	}
	if (!m->params_line) {
		bool header = false;
		for (size_t j = 0; j < m->n; j++) {
			const model_entry *e = &m->entries[j];
			if (!e->is_param || e->line)
				continue;
			if (!header) {
				if (need_nl)
					buf_addc(out, '\n');
				buf_addf(out, "%*sparameters:\n", top, "");
			}
			header = true;
			buf_addf(out, "%*s%s: ", top + 2, "", e->key);
			yaml_quote_scalar(out, e->value);
			buf_addc(out, '\n');
		}
	}
	buf_add(out, text + tail, m->doc->len - tail);
	free(edits);
	return !out->failed;
}

/* The model `text` would be once written to `target`, read back by the same
 * loader and limit every later command applies; NULL, with the reason, when
 * that loader would refuse it. */
static model *model_check_result(const char *target, const buf *text, lms_error *err)
{
	if (text->len > MODEL_MAX_BYTES) {
		lms_error_set(err, target, 0, 0,
		              "the result would be %zu bytes, larger than %zu bytes (the most a "
		              "model file may hold): nothing written",
		              text->len, MODEL_MAX_BYTES);
		return NULL;
	}
	lms_error why = {0};
	model *m =
	    model_from_doc(target, ydoc_parse(target, buf_cstr(text), text->len, &why), &why);
	if (!m) {
		char *s = lms_error_format(&why);
		lms_error_set(err, target, 0, 0, "the result would not load (%s): nothing written",
		              s ? s : "error");
		free(s);
	}
	lms_error_clear(&why);
	return m;
}

bool model_save(model *m, const catalog *cat, const char *path, const file_seen *seen,
                lms_error *err)
{
	const char *target = path ? path : m->path;
	if (!target) {
		lms_error_set(err, NULL, 0, 0, "the model has no file: give a path to save it to");
		return false;
	}
	buf out;
	buf_init(&out, 0);
	bool ok = m->doc ? model_render_update(m, &out) : model_render_new(m, cat, &out);
	if (!ok) {
		buf_free(&out);
		lms_error_set(err, target, 0, 0, "out of memory");
		return false;
	}
	/* the whole result is checked before anything is written: a model this
	 * writes is one every later command reads */
	model *fresh = model_check_result(target, &out, err);
	/* saving over the file it was read from: it must still hold what was read */
	file_seen as_read = {true, m->doc ? m->doc->text : NULL, m->doc ? m->doc->len : 0};
	if (!seen && m->doc && m->path && strcmp(target, m->path) == 0)
		seen = &as_read;
	ok = fresh && write_file_unchanged(target, buf_cstr(&out), out.len, seen, err);
	int saved = errno;
	buf_free(&out);
	if (!ok) {
		model_free(fresh);
		errno = saved; /* ESTALE: changed on disk */
		return false;
	}
	if (m->doc) {
		/* positions now match the file as written */
		model tmp = *m;
		*m = *fresh;
		*fresh = tmp;
	} else {
		for (size_t i = 0; i < m->n; i++)
			m->entries[i].changed = false;
		if (!m->path)
			m->path = strdup(target);
	}
	model_free(fresh);
	return true;
}
