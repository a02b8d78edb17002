#define _XOPEN_SOURCE 700 /* realpath */
#include "cli/external.h"

#include "common/num.h"
#include "common/proc.h"
#include "common/vec.h"
#include "model/assemble.h"
#include "model/render/render.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>

extern char **environ;

/* Where scripts/guard-install.sh puts the npm package, under the tree. */
#define GUARD_PACKAGE "_build/guard/node_modules/@cdklabs/cdk-validator-cfnguard"
#define GUARD_RULES_SUBDIR "rules/control-tower/cfn-guard"
/* A path in a template is short; a longer one is cut, not refused. */
#define MAX_PATH_ELEMS 48
/* JSON from the tools nests a few dozen levels; more is not theirs. */
#define MAX_JSON_DEPTH 256

/* ---- where a finding points ------------------------------------------ */

typedef struct place {
	const char *field; /* parameter name, or "" */
	const char *file;  /* NULL: no position */
	size_t line, col;
} place;

static const struct {
	const char *name;
	cat_section sec;
} sections[] = {
    {"Parameters", SEC_PARAMETERS}, {"Conditions", SEC_CONDITIONS}, {"Mappings", SEC_MAPPINGS},
    {"Resources", SEC_RESOURCES},   {"Outputs", SEC_OUTPUTS},
};

/* The deepest node of `n` that `path` reaches. A short-form tag (`!If`) is
 * its own argument, so "Fn::If" (or "Ref") stays on the tagged node. */
static const ynode *walk(const rendered *r, const ynode *n, char *const *path, size_t npath)
{
	for (size_t i = 0; i < npath && n; i++) {
		const char *k = path[i];
		/* cfn-guard reads the resolved view: its paths go through the branch
		 * an Fn::If took (as the renderer decided it); cfn-lint's name the
		 * Fn::If itself */
		if (r && strcmp(k, "Fn::If") != 0) {
			const ynode *picked = render_pick(r, n);
			if (picked)
				n = picked;
		}
		if (n->tag && ((strncmp(k, "Fn::", 4) == 0 && strcmp(n->tag + 1, k + 4) == 0) ||
		               (strcmp(k, "Ref") == 0 && strcmp(n->tag, "!Ref") == 0)))
			continue;
		const ynode *next = NULL;
		if (n->kind == YNODE_MAP) {
			next = ynode_get(n, k);
		} else if (n->kind == YNODE_SEQ) {
			unsigned long idx = 0;
			if (lms_parse_ulong(k, ULONG_MAX, &idx) && idx < n->n)
				next = n->kids[idx];
		}
		if (!next)
			break;
		n = next;
	}
	return n;
}

static void place_of(const catalog *cat, const model *m, const rendered *r, char *const *path,
                     size_t npath, place *pl)
{
	memset(pl, 0, sizeof(*pl));
	pl->field = "";
	if (npath < 2)
		return;
	if (strcmp(path[0], "Parameters") == 0) {
		const cat_param *p = catalog_param(cat, path[1]);
		if (!p)
			return;
		pl->field = p->e.name;
		const model_entry *e = m->path ? model_find(m, p->e.name) : NULL;
		if (e && e->line) {
			pl->file = m->path;
			pl->line = e->line;
			pl->col = e->col;
		} else {
			pl->file = p->e.frag->path;
			pl->line = p->e.key->start.line;
			pl->col = p->e.key->start.col;
		}
		return;
	}
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (strcmp(path[0], sections[i].name) != 0)
			continue;
		const cat_entry *e = catalog_entry(cat, sections[i].sec, path[1]);
		if (!e)
			return;
		const ynode *n = npath > 2 ? walk(r, e->value, path + 2, npath - 2) : e->key;
		pl->file = e->frag->path;
		pl->line = n->start.line;
		pl->col = n->start.col;
		return;
	}
}

static void add_at(findings *out, const char *rule, severity sev, const place *pl, const char *hint,
                   const char *msg)
{
	size_t before = out->n;
	findings_add(out, rule, sev, pl->field, hint, "%s", msg);
	if (out->n > before && pl->file)
		findings_set_position(out, out->n - 1, pl->file, pl->line, pl->col);
}

typedef struct path_elems {
	char *v[MAX_PATH_ELEMS];
	size_t n;
} path_elems;

static void path_free(path_elems *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	p->n = 0;
}

static void path_push(path_elems *p, const char *s, size_t len)
{
	if (p->n == MAX_PATH_ELEMS)
		return;
	char *copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, s, len);
	copy[len] = '\0';
	p->v[p->n++] = copy;
}

/* ---- cfn-lint ------------------------------------------------------------ */

bool external_parse_cfn_lint(const catalog *cat, const model *m, const char *json, size_t len,
                             findings *out)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, 0, &jerr);
	if (!root || !json_is_array(root)) {
		json_decref(root);
		return false;
	}
	size_t i;
	json_t *item;
	rendered *r = NULL;
	json_array_foreach(root, i, item)
	{
		if (!r) /* for the branch an Fn::If takes on a path */
			r = render_template(cat, m, NULL, NULL, NULL);
		json_t *rule = json_object_get(item, "Rule");
		const char *id = json_string_value(json_object_get(rule, "Id"));
		const char *level = json_string_value(json_object_get(item, "Level"));
		const char *message = json_string_value(json_object_get(item, "Message"));
		if (!id || !level || !message)
			continue;
		severity sev = strcmp(level, "Error") == 0     ? SEV_ERROR
		               : strcmp(level, "Warning") == 0 ? SEV_WARNING
		                                               : SEV_INFO;
		path_elems path = {.n = 0};
		json_t *jpath = json_object_get(json_object_get(item, "Location"), "Path");
		size_t j;
		json_t *elem;
		json_array_foreach(jpath, j, elem)
		{
			char num[32];
			if (json_is_string(elem)) {
				path_push(&path, json_string_value(elem), json_string_length(elem));
			} else if (json_is_integer(elem)) {
				int n = snprintf(num, sizeof(num), "%lld",
				                 (long long)json_integer_value(elem));
				path_push(&path, num, (size_t)n);
			}
		}
		place pl;
		place_of(cat, m, r, path.v, path.n, &pl);
		buf rid;
		buf_init(&rid, 0);
		buf_addf(&rid, "cfn-lint:%s", id);
		add_at(out, buf_cstr(&rid), sev, &pl, NULL, message);
		buf_free(&rid);
		path_free(&path);
	}
	render_free(r);
	json_decref(root);
	return true;
}

/* ---- cfn-guard ------------------------------------------------------------ */

typedef struct guard_hit {
	char *id;   /* logical id */
	char *path; /* the first path into it */
} guard_hit;

typedef struct guard_scan {
	const char *custom; /* the first "[CT.X.PR.N]: title\n[FIX]: fix" message */
	guard_hit *hits;
	size_t n, cap;
} guard_scan;

static void scan_add_path(guard_scan *s, const char *path)
{
	static const char prefix[] = "/Resources/";
	if (strncmp(path, prefix, sizeof(prefix) - 1) != 0)
		return;
	const char *id = path + sizeof(prefix) - 1;
	size_t idlen = strcspn(id, "/");
	if (idlen == 0)
		return;
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->hits[i].id) == idlen && strncmp(s->hits[i].id, id, idlen) == 0)
			return;
	if (!VEC_RESERVE(s->hits, s->cap, s->n + 1))
		return;
	char *idcopy = strndup(id, idlen);
	char *pathcopy = strdup(path);
	if (!idcopy || !pathcopy) {
		free(idcopy);
		free(pathcopy);
		return;
	}
	s->hits[s->n].id = idcopy;
	s->hits[s->n].path = pathcopy;
	s->n++;
}

static void scan(guard_scan *s, json_t *n, int depth)
{
	if (depth > MAX_JSON_DEPTH)
		return;
	if (json_is_array(n)) {
		size_t i;
		json_t *v;
		json_array_foreach(n, i, v) scan(s, v, depth + 1);
		return;
	}
	if (!json_is_object(n))
		return;
	const char *k;
	json_t *v;
	json_object_foreach(n, k, v)
	{
		if (strcmp(k, "path") == 0 && json_is_string(v))
			scan_add_path(s, json_string_value(v));
		else if (strcmp(k, "custom_message") == 0 && json_is_string(v)) {
			if (!s->custom && strstr(json_string_value(v), "[CT."))
				s->custom = json_string_value(v);
		} else
			scan(s, v, depth + 1);
	}
}

/* The text after `marker` up to the end of its line, trimmed. */
static void line_after(const char *text, const char *marker, buf *out)
{
	const char *p = text ? strstr(text, marker) : NULL;
	if (!p)
		return;
	p += strlen(marker);
	p += strspn(p, " \t");
	size_t len = strcspn(p, "\n");
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
		len--;
	buf_add(out, p, len);
}

static void guard_entry(const catalog *cat, const model *m, const rendered *r, json_t *entry,
                        findings *out)
{
	const char *rule_name =
	    json_string_value(json_object_get(json_object_get(entry, "Rule"), "name"));
	guard_scan s = {0};
	scan(&s, entry, 0);
	buf control, title, fix;
	buf_init(&control, 0);
	buf_init(&title, 0);
	buf_init(&fix, 0);
	const char *open = s.custom ? strstr(s.custom, "[CT.") : NULL;
	const char *close = open ? strchr(open, ']') : NULL;
	if (close)
		buf_add(&control, open + 1, (size_t)(close - open - 1));
	else
		buf_adds(&control, rule_name ? rule_name : "unknown");
	if (close)
		line_after(close + 1, ":", &title);
	if (!title.len)
		buf_adds(&title, rule_name ? rule_name : "control failed");
	line_after(s.custom, "[FIX]:", &fix);
	buf rid;
	buf_init(&rid, 0);
	buf_addf(&rid, "guard:%s", buf_cstr(&control));
	for (size_t i = 0; i < s.n; i++) {
		path_elems path = {.n = 0};
		for (const char *p = s.hits[i].path; *p;) {
			p += strspn(p, "/");
			size_t len = strcspn(p, "/");
			if (len)
				path_push(&path, p, len);
			p += len;
		}
		place pl;
		place_of(cat, m, r, path.v, path.n, &pl);
		buf msg;
		buf_init(&msg, 0);
		buf_addf(&msg, "%s: %s", s.hits[i].id, buf_cstr(&title));
		add_at(out, buf_cstr(&rid), SEV_WARNING, &pl, buf_cstr(&fix), buf_cstr(&msg));
		buf_free(&msg);
		path_free(&path);
		free(s.hits[i].id);
		free(s.hits[i].path);
	}
	if (s.n == 0) {
		place pl = {.field = ""};
		add_at(out, buf_cstr(&rid), SEV_WARNING, &pl, buf_cstr(&fix), buf_cstr(&title));
	}
	free(s.hits);
	buf_free(&rid);
	buf_free(&control);
	buf_free(&title);
	buf_free(&fix);
}

bool external_parse_cfn_guard(const catalog *cat, const model *m, const char *json, size_t len,
                              findings *out)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, 0, &jerr);
	if (!root || (!json_is_array(root) && !json_is_object(root))) {
		json_decref(root);
		return false;
	}
	bool ok = true;
	/* for the branch an Fn::If takes on a path */
	rendered *r = render_template(cat, m, NULL, NULL, NULL);
	size_t count = json_is_array(root) ? json_array_size(root) : 1;
	for (size_t i = 0; i < count; i++) {
		json_t *report = json_is_array(root) ? json_array_get(root, i) : root;
		json_t *nc = json_object_get(report, "not_compliant");
		if (!json_is_array(nc)) {
			ok = false; /* every report of cfn-guard's has the list */
			continue;
		}
		size_t j;
		json_t *entry;
		json_array_foreach(nc, j, entry) guard_entry(cat, m, r, entry, out);
	}
	render_free(r);
	json_decref(root);
	return ok;
}

/* ---- the template as CloudFormation hands it to Control Tower's hooks ---- */

/* cfn-guard compares values literally: a Ref to a parameter or an Fn::If
 * fails any rule that compares a value. cfn-guard therefore reads the
 * template rendered for the model (render.h, as `lmsctl render --format
 * json` prints it and tests/guard.py reads it for the CI gate): parameters
 * replaced by their values, conditions decided, resources whose condition
 * is false left out, what only AWS knows symbolic. */
static char *resolved_template(const catalog *cat, const model *m, lms_error *err)
{
	rendered *r = render_template(cat, m, NULL, NULL, err);
	buf out;
	buf_init(&out, 0);
	if (r && !render_emit(r, RENDER_JSON, &out))
		lms_error_set(err, NULL, 0, 0, "out of memory writing the rendered template");
	char *text = r && !out.failed ? buf_take(&out) : NULL;
	buf_free(&out);
	render_free(r);
	return text;
}

/* ---- running a tool ----------------------------------------------------- */

static bool is_executable_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *find_in_path(const char *name)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;;) {
		size_t len = strcspn(p, ":");
		buf cand;
		buf_init(&cand, 0);
		if (len)
			buf_add(&cand, p, len);
		else
			buf_addc(&cand, '.');
		buf_addf(&cand, "/%s", name);
		if (!cand.failed && is_executable_file(buf_cstr(&cand)))
			return buf_take(&cand);
		buf_free(&cand);
		if (!p[len])
			return NULL;
		p += len + 1;
	}
}

/* The cfn-guard binary scripts/guard-install.sh installs for this machine. */
static char *installed_guard(void)
{
	struct utsname u;
	if (uname(&u) != 0)
		return NULL;
	const char *os = strcmp(u.sysname, "Linux") == 0    ? "ubuntu"
	                 : strcmp(u.sysname, "Darwin") == 0 ? "macos"
	                                                    : NULL;
	const char *arch =
	    strcmp(u.machine, "x86_64") == 0 || strcmp(u.machine, "amd64") == 0    ? "x86_64"
	    : strcmp(u.machine, "aarch64") == 0 || strcmp(u.machine, "arm64") == 0 ? "aarch64"
	                                                                           : NULL;
	if (!os || !arch)
		return NULL;
	buf p;
	buf_init(&p, 0);
	buf_addf(&p, "%s/%s/bin/%s/%s/cfn-guard", LMSCTL_SRCDIR, GUARD_PACKAGE, os, arch);
	if (!p.failed && is_executable_file(buf_cstr(&p)))
		return buf_take(&p);
	buf_free(&p);
	return NULL;
}

static char *find_tool(const char *given, const char *env, const char *name, bool guard)
{
	if (given)
		return strdup(given);
	const char *e = getenv(env);
	if (e) /* set and empty: the tool is not wanted */
		return *e ? strdup(e) : NULL;
	char *p = find_in_path(name);
	if (!p && guard)
		p = installed_guard();
	return p;
}

/* The Control Tower rules beside a cfn-guard from the npm package
 * (<package>/bin/<os>/<arch>/cfn-guard), else under _build/guard/. */
static char *find_rules(const char *given, const char *guard)
{
	if (given)
		return strdup(given);
	const char *e = getenv("LMSCTL_GUARD_RULES");
	if (e && *e)
		return strdup(e);
	char *real = realpath(guard, NULL);
	if (real) {
		char *cut = real;
		for (int i = 0; i < 4 && cut; i++) {
			cut = strrchr(real, '/');
			if (cut)
				*cut = '\0';
		}
		buf p;
		buf_init(&p, 0);
		buf_addf(&p, "%s/%s", real, GUARD_RULES_SUBDIR);
		free(real);
		if (cut && !p.failed && is_dir(buf_cstr(&p)))
			return buf_take(&p);
		buf_free(&p);
	}
	buf p;
	buf_init(&p, 0);
	buf_addf(&p, "%s/%s/%s", LMSCTL_SRCDIR, GUARD_PACKAGE, GUARD_RULES_SUBDIR);
	if (!p.failed && is_dir(buf_cstr(&p)))
		return buf_take(&p);
	buf_free(&p);
	return NULL;
}

/* How long a tool may run: LMSCTL_EXTERNAL_TIMEOUT seconds, else 300 (cfn-lint over a large
 * template takes tens of seconds). */
static long tool_timeout_ms(void)
{
	const char *v = getenv("LMSCTL_EXTERNAL_TIMEOUT");
	long seconds = 300;
	if (v && *v && !lms_parse_long(v, 1, 86400, &seconds))
		seconds = 300;
	return seconds * 1000;
}

/* Runs argv (argv[0] a path) under the process rules of common/proc.h, stdin from
 * /dev/null, stdout into res->out, stderr into the file `errpath`. True when the tool ran
 * to its own exit (res->code its status, or res->outcome PROC_SIGNALED); otherwise the
 * note says what happened and that `name`'s checks are skipped. */
static bool run_tool(const char *name, char *const argv[], const char *errpath, proc_result *res,
                     buf *notes)
{
	proc_spec spec = {.argv = argv, .stderr_path = errpath, .timeout_ms = tool_timeout_ms()};
	bool started = proc_run(&spec, res);
	if (!started) {
		buf_addf(notes, "%s: cannot run %s: %s; its checks are skipped\n", name, argv[0],
		         strerror(res->code));
		return false;
	}
	if (res->outcome == PROC_EXITED && !res->stragglers)
		return true;
	buf_addf(notes, "%s: %s ", name, argv[0]);
	proc_describe(&spec, res, notes);
	bool ran = res->outcome == PROC_EXITED;
	buf_adds(notes, ran ? "\n" : "; its checks are skipped\n");
	return ran;
}

/* The first line of a file, for a note (a line is enough: not file_read). */
static void first_line(const char *path, buf *out)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return;
	char line[512];
	while (fgets(line, sizeof(line), fp)) {
		size_t len = strcspn(line, "\n");
		if (len) {
			buf_adds(out, ": ");
			buf_add(out, line, len);
			break;
		}
	}
	fclose(fp);
}

/* A scratch file in our own mkdtemp directory, read once by the tool and removed:
 * not write_file_atomic, whose fsyncs and rename buy nothing here. */
static bool write_text(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return false;
	bool ok = fwrite(text, 1, len, fp) == len;
	return fclose(fp) == 0 && ok;
}

typedef struct model_values {
	const catalog *cat;
	const model *m;
} model_values;

static const char *value_cb(void *ctx, const char *param)
{
	const model_values *mv = ctx;
	return model_param_value(mv->m, mv->cat, param);
}

typedef struct workdir {
	char *dir, *yaml, *json, *errs;
} workdir;

static void workdir_free(workdir *w)
{
	const char *files[] = {w->yaml, w->json, w->errs};
	for (size_t i = 0; i < 3; i++)
		if (files[i])
			unlink(files[i]);
	if (w->dir)
		rmdir(w->dir);
	free(w->dir);
	free(w->yaml);
	free(w->json);
	free(w->errs);
}

static char *join(const char *dir, const char *name)
{
	buf b;
	buf_init(&b, 0);
	buf_addf(&b, "%s/%s", dir, name);
	return buf_take(&b);
}

static void run_cfn_lint(const catalog *cat, const model *m, const char *lint, const workdir *w,
                         findings *out, buf *notes)
{
	const char *region = model_get(m, "region");
	char *argv[] = {
	    (char *)lint, "--format", "json", "-r", (char *)(region ? region : "eu-west-1"),
	    "--",         w->yaml,    NULL};
	proc_result res;
	if (run_tool("cfn-lint", argv, w->errs, &res, notes) &&
	    !external_parse_cfn_lint(cat, m, buf_cstr(&res.out), res.out.len, out)) {
		buf_addf(notes, "cfn-lint: %s failed (exit %d)", lint, res.code);
		first_line(w->errs, notes);
		buf_adds(notes, "; its checks are skipped\n");
	}
	proc_result_free(&res);
}

static void run_cfn_guard(const catalog *cat, const model *m, const char *guard, const char *rules,
                          const workdir *w, findings *out, buf *notes)
{
	char *argv[] = {(char *)guard, "validate", "-r", (char *)rules, "-d", w->json,
	                "-o",          "json",     "-S", "none",        "-z", NULL};
	proc_result res;
	/* 0: every rule passed or skipped; 19: some rule failed */
	if (run_tool("cfn-guard", argv, w->errs, &res, notes)) {
		int status = res.code;
		if ((status != 0 && status != 19) ||
		    !external_parse_cfn_guard(cat, m, buf_cstr(&res.out), res.out.len, out)) {
			buf_addf(notes, "cfn-guard: %s failed (exit %d)", guard, status);
			first_line(w->errs, notes);
			buf_adds(notes, "; its checks are skipped\n");
		}
	}
	proc_result_free(&res);
}

bool external_validate(const catalog *cat, const model *m, const external_tools *tools,
                       findings *out, buf *notes, lms_error *err)
{
	external_tools none = {0};
	if (!tools)
		tools = &none;
	char *lint = find_tool(tools->cfn_lint, "LMSCTL_CFN_LINT", "cfn-lint", false);
	char *guard = find_tool(tools->cfn_guard, "LMSCTL_CFN_GUARD", "cfn-guard", true);
	char *rules = guard ? find_rules(tools->guard_rules, guard) : NULL;
	if (!lint)
		buf_adds(notes,
		         "cfn-lint: not found (LMSCTL_CFN_LINT, or cfn-lint on PATH; pip install "
		         "cfn-lint); its checks are skipped\n");
	if (!guard)
		buf_adds(notes, "cfn-guard: not found (LMSCTL_CFN_GUARD, cfn-guard on PATH, or "
		                "scripts/guard-install.sh); its checks are skipped\n");
	else if (!rules)
		buf_addf(notes,
		         "cfn-guard: found %s but no Control Tower rules (LMSCTL_GUARD_RULES, or "
		         "scripts/guard-install.sh); its checks are skipped\n",
		         guard);
	bool ok = true;
	workdir w = {0};
	buf tpl;
	buf_init(&tpl, 0);
	char *resolved = NULL;
	if (!lint && !(guard && rules))
		goto done;
	model_values mv = {cat, m};
	if (!assemble_template(cat, value_cb, &mv, &tpl, err)) {
		ok = false;
		goto done;
	}
	const char *tmp = getenv("TMPDIR");
	buf dir;
	buf_init(&dir, 0);
	buf_addf(&dir, "%s/lmsctl-external-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	w.dir = buf_take(&dir);
	if (!w.dir || !mkdtemp(w.dir)) {
		lms_error_set(err, NULL, 0, 0, "cannot create a temporary directory in %s: %s",
		              tmp && *tmp ? tmp : "/tmp", strerror(errno));
		free(w.dir);
		w.dir = NULL;
		ok = false;
		goto done;
	}
	w.yaml = join(w.dir, "template.yml");
	w.json = join(w.dir, "resolved.json");
	w.errs = join(w.dir, "stderr.txt");
	if (!w.yaml || !w.json || !w.errs || !write_text(w.yaml, tpl.data, tpl.len)) {
		lms_error_set(err, w.yaml, 0, 0, "cannot write the template: %s", strerror(errno));
		ok = false;
		goto done;
	}
	if (lint)
		run_cfn_lint(cat, m, lint, &w, out, notes);
	if (guard && rules) {
		lms_error perr = {0};
		resolved = resolved_template(cat, m, &perr);
		if (!resolved || !write_text(w.json, resolved, strlen(resolved))) {
			char *msg = lms_error_format(&perr);
			buf_addf(
			    notes,
			    "cfn-guard: cannot resolve the template%s%s; its checks are skipped\n",
			    msg ? ": " : "", msg ? msg : "");
			free(msg);
		} else {
			run_cfn_guard(cat, m, guard, rules, &w, out, notes);
		}
		lms_error_clear(&perr);
	}
	findings_sort(out);
done:
	free(resolved);
	buf_free(&tpl);
	workdir_free(&w);
	free(lint);
	free(guard);
	free(rules);
	return ok;
}
