/* rulefixture: a tiny catalog (an environment fragment and one fragment
 * of the test's) written to a temporary directory, loaded and validated for
 * an environment kind, with an optional text mutation applied first: the
 * rule tests' harness. Include once per test program, after cmocka.h and
 * after defining `env_fragment`. */
#ifndef LMSCTL_TESTS_RULEFIXTURE_H
#define LMSCTL_TESTS_RULEFIXTURE_H

typedef struct fixture {
	char dir[64];
	catalog *cat;
	model *m;
	findings f;
} fixture;

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* Writes a catalog of the environment fragment and `data_text` (with the
 * occurrences of `from` replaced by `to`, if given), validates it for `env`. */
static void run_with(fixture *fx, const char *data_text, const char *env, const char *from,
                     const char *to, const char *transform)
{
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/lmsctl-rules-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	char catalog_text[512];
	snprintf(catalog_text, sizeof(catalog_text),
	         "Description: test\n%s%s%sFragments: [env.yml, data.yml]\n",
	         transform ? "Transform: " : "", transform ? transform : "", transform ? "\n" : "");
	write_file(fx->dir, "catalog.yml", catalog_text);
	/* the mutation applies to whichever fragment holds `from`, and must
	 * apply somewhere, or the test would prove nothing */
	const char *texts[2] = {env_fragment, data_text};
	const char *names[2] = {"env.yml", "data.yml"};
	bool applied = from == NULL;
	for (size_t i = 0; i < 2; i++) {
		const char *at = from ? strstr(texts[i], from) : NULL;
		if (!at) {
			write_file(fx->dir, names[i], texts[i]);
			continue;
		}
		size_t n = strlen(texts[i]) - strlen(from) + strlen(to) + 1;
		char *mutated = malloc(n);
		assert_non_null(mutated);
		snprintf(mutated, n, "%.*s%s%s", (int)(at - texts[i]), texts[i], to,
		         at + strlen(from));
		write_file(fx->dir, names[i], mutated);
		free(mutated);
		applied = true;
	}
	assert_true(applied);
	lms_error err = {0};
	fx->cat = catalog_load(fx->dir, &err);
	if (!fx->cat)
		fail_msg("catalog: %s:%zu: %s", err.file ? err.file : "", err.line, err.msg);
	fx->m = model_new_from_catalog(fx->cat, env, &err);
	assert_non_null(fx->m);
	findings_init(&fx->f);
	validate_model(fx->cat, fx->m, &fx->f);
}

static void done(fixture *fx)
{
	findings_free(&fx->f);
	model_free(fx->m);
	catalog_free(fx->cat);
	const char *names[] = {"catalog.yml", "env.yml", "data.yml"};
	for (size_t i = 0; i < 3; i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s/%s", fx->dir, names[i]);
		unlink(path);
	}
	rmdir(fx->dir);
}

static size_t count(const fixture *fx, const char *rule, severity sev)
{
	size_t n = 0;
	for (size_t i = 0; i < fx->f.n; i++)
		n += strcmp(fx->f.v[i].rule, rule) == 0 && fx->f.v[i].sev == sev;
	return n;
}

static bool has_message(const fixture *fx, const char *rule, const char *text)
{
	for (size_t i = 0; i < fx->f.n; i++)
		if (strcmp(fx->f.v[i].rule, rule) == 0 && strstr(fx->f.v[i].message, text))
			return true;
	return false;
}

static void dump(const fixture *fx)
{
	for (size_t i = 0; i < fx->f.n; i++)
		print_message("  %s %s %s\n", fx->f.v[i].rule, severity_name(fx->f.v[i].sev),
		              fx->f.v[i].message);
}

/* Validates `good` (with `from` replaced by `to`) for `env` and checks the findings of the
 * rules `ids` (all severities): exactly `n`, all of them errors of `rule`; prints them and
 * fails otherwise. (Inline: not every test that includes this uses it.) */
static inline void expect_among(const char *good, const char *const *ids, size_t nids,
                                const char *env, const char *from, const char *to, const char *rule,
                                size_t n)
{
	fixture fx;
	run_with(&fx, good, env, from, to, NULL);
	size_t total = 0;
	for (size_t i = 0; i < nids; i++)
		total += count(&fx, ids[i], SEV_ERROR) + count(&fx, ids[i], SEV_WARNING) +
		         count(&fx, ids[i], SEV_INFO);
	size_t errors = rule ? count(&fx, rule, SEV_ERROR) : 0;
	if (total != n || errors != n) {
		dump(&fx);
		fail_msg("%s: %s -> %s: expected %zu error(s) %s, got %zu of %zu", env,
		         from ? from : "-", to ? to : "-", n, rule ? rule : "", errors, total);
	}
	done(&fx);
}

#endif
