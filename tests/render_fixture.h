/* render_fixture: a catalog of small fragments written to a temporary
 * directory, a model for one environment, and the template rendered for it;
 * shared by the render, trap and analysis tests (include after <cmocka.h>).
 * The fragments are the tests' own, so the tests do not move when the real
 * templates do. */
#ifndef LMSCTL_TESTS_RENDER_FIXTURE_H
#define LMSCTL_TESTS_RENDER_FIXTURE_H

#include "common/buf.h"
#include "model/catalog.h"
#include "model/model.h"
#include "model/render/render.h"
#include "model/ydoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Environment fragment: Environment, EnvironmentSuffix, IsProd. */
static const char rf_env_fragment[] = "Metadata:\n"
                                      "  AWS::CloudFormation::Interface:\n"
                                      "    ParameterGroups:\n"
                                      "      - Label: {default: Environment}\n"
                                      "        Parameters: [Environment, EnvironmentSuffix]\n"
                                      "Parameters:\n"
                                      "  Environment:\n"
                                      "    Type: String\n"
                                      "    Description: kind\n"
                                      "    Default: dev\n"
                                      "    AllowedValues: [dev, staging, prod]\n"
                                      "  EnvironmentSuffix:\n"
                                      "    Type: String\n"
                                      "    Description: suffix\n"
                                      "    Default: dev\n"
                                      "    MaxLength: 12\n"
                                      "Conditions:\n"
                                      "  IsProd: !Equals [!Ref Environment, prod]\n";

typedef struct rf_fixture {
	char *dir;
	catalog *cat;
	model *m;
	rendered *r;
	findings f;
	lms_error err;
} rf_fixture;

static inline void rf_write(const char *dir, const char *name, const char *text)
{
	buf p;
	buf_init(&p, 0);
	buf_addf(&p, "%s/%s", dir, name);
	FILE *fp = fopen(buf_cstr(&p), "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	buf_free(&p);
}

/* Writes the environment fragment and `fragment` (as t.yml) and loads them;
 * returns false (err set) when the catalog does not load. */
static inline bool rf_load(rf_fixture *fx, const char *fragment, const char *transform)
{
	memset(fx, 0, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");
	buf d;
	buf_init(&d, 0);
	buf_addf(&d, "%s/lmsctl-render-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fx->dir = buf_take(&d);
	assert_non_null(fx->dir);
	assert_non_null(mkdtemp(fx->dir));
	buf cat;
	buf_init(&cat, 0);
	buf_addf(&cat, "Description: test\n%s%s%sFragments: [env.yml, t.yml]\n",
	         transform ? "Transform: " : "", transform ? transform : "", transform ? "\n" : "");
	rf_write(fx->dir, "catalog.yml", buf_cstr(&cat));
	buf_free(&cat);
	rf_write(fx->dir, "env.yml", rf_env_fragment);
	rf_write(fx->dir, "t.yml", fragment);
	fx->cat = catalog_load(fx->dir, &fx->err);
	findings_init(&fx->f);
	return fx->cat != NULL;
}

/* Loads, makes the model for `env` (with `stack` when not NULL) and
 * renders; the catalog must load and the rendering finish. */
static inline void rf_render_opt(rf_fixture *fx, const char *fragment, const char *env,
                                 const render_options *opt)
{
	if (!rf_load(fx, fragment, NULL))
		fail_msg("catalog: %s:%zu: %s", fx->err.file ? fx->err.file : "", fx->err.line,
		         fx->err.msg);
	fx->m = model_new_from_catalog(fx->cat, env, &fx->err);
	assert_non_null(fx->m);
	fx->r = render_template(fx->cat, fx->m, opt, &fx->f, &fx->err);
	if (!fx->r)
		fail_msg("render: %s", fx->err.msg);
}

static inline void rf_render(rf_fixture *fx, const char *fragment, const char *env)
{
	rf_render_opt(fx, fragment, env, NULL);
}

static inline void rf_done(rf_fixture *fx)
{
	render_free(fx->r);
	findings_free(&fx->f);
	model_free(fx->m);
	catalog_free(fx->cat);
	lms_error_clear(&fx->err);
	const char *names[] = {"catalog.yml", "env.yml", "t.yml"};
	for (size_t i = 0; i < 3; i++) {
		buf p;
		buf_init(&p, 0);
		buf_addf(&p, "%s/%s", fx->dir, names[i]);
		unlink(buf_cstr(&p));
		buf_free(&p);
	}
	rmdir(fx->dir);
	free(fx->dir);
}

/* Resources.ID.Properties.PROP of the rendered template. */
static inline const rnode *rf_prop(const rf_fixture *fx, const char *id, const char *prop)
{
	const render_resource *res = render_find(fx->r, id);
	return res ? rnode_get(res->props, prop) : NULL;
}

static inline size_t rf_count(const findings *f, const char *rule, severity sev)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		n += strcmp(f->v[i].rule, rule) == 0 && f->v[i].sev == sev;
	return n;
}

static inline const finding *rf_find(const findings *f, const char *rule, const char *text)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].rule, rule) == 0 && (!text || strstr(f->v[i].message, text)))
			return &f->v[i];
	return NULL;
}

static inline void rf_dump(const findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		print_message("  %s %s %s:%zu %s\n", f->v[i].rule, severity_name(f->v[i].sev),
		              f->v[i].file ? f->v[i].file : "", f->v[i].line, f->v[i].message);
}

/* Whether the YAML node `y` (read back from render_emit) is the rendered
 * node `r`. */
static inline bool rf_same(const rnode *r, const ynode *y)
{
	if (!r || !y)
		return false;
	if (r->fn && !render_tag_ok(r->fn)) {
		rnode arg = *r;
		arg.fn = NULL;
		return y->kind == YNODE_MAP && y->n == 1 && !y->tag &&
		       strcmp(y->kids[0]->str, r->fn) == 0 && rf_same(&arg, y->kids[1]);
	}
	if (r->fn) {
		const char *tag = strncmp(r->fn, "Fn::", 4) == 0 ? r->fn + 4 : r->fn;
		if (!y->tag || y->tag[0] != '!' || strcmp(y->tag + 1, tag) != 0)
			return false;
		if (strcmp(r->fn, "Fn::GetAtt") == 0 && y->kind == YNODE_SCALAR &&
		    r->kind == RN_SEQ) {
			if (r->kind != RN_SEQ || r->n != 2)
				return false;
			buf b;
			buf_init(&b, 0);
			buf_addf(&b, "%s.%s", r->kids[0]->str, r->kids[1]->str);
			bool same = strcmp(buf_cstr(&b), y->str) == 0;
			buf_free(&b);
			return same;
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
			if (!rf_same(r->kids[i], y->kids[i]))
				return false;
		return true;
	case RN_MAP:
		if (y->kind != YNODE_MAP || y->n != r->n)
			return false;
		for (size_t i = 0; i < r->n; i++) {
			if (strcmp(r->kids[2 * i]->str, y->kids[2 * i]->str) != 0 ||
			    !rf_same(r->kids[2 * i + 1], y->kids[2 * i + 1]))
				return false;
		}
		return true;
	}
	return false;
}

#endif
