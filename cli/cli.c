#define _GNU_SOURCE /* readlink */
#include "cli/cli.h"

#include "cli/commands.h"
#include "ops/ops.h"

#include "cli/conffile.h"
#include "cli/errors.h"
#include "cli/external.h"
#include "cli/options.h"
#include "common/buf.h"
#include "common/term.h"
#include "model/analysis.h"
#include "model/assemble.h"
#include "model/catalog.h"
#include "model/companion.h"
#include "model/model.h"
#include "model/params_json.h"
#include "model/render/render.h"
#include "model/report.h"
#include "model/rules_registry.h"
#include "model/validate.h"
#include "tui/console.h"

#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct cli {
	const cli_console *ui;  /* the console the program hands over; NULL: none */
	const char *templates;  /* --templates */
	const char *model_path; /* -m */
	console_opts console;   /* --readonly, --no-color, --theme */
	/* the AWS options, for deploy, destroy, status and outputs */
	const char *endpoint_url; /* --endpoint-url */
	const char *profile;      /* --profile */
	const char *region;       /* --region */
	bool debug;               /* --debug */
	bool write;               /* --write: the configuration's readonly lifted */
	lms_config config;        /* cli/conffile.h */
	catalog *cat;
	model *m;
} cli;

static void print_error(const lms_error *err)
{
	cli_error_lms(err);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A command's options, by the one parser (cli/options.h). */
static int parse(const char *cmd, const char *usage, const cli_opt *opts, size_t n, int argc,
                 char **argv, int *first)
{
	const cli_command_line cl = {cmd, usage, opts, n, false, false};
	return cli_parse(&cl, argc, argv, first);
}

static const char main_usage[] =
    "Usage: lmsctl [OPTIONS] [MODEL]              the console (a terminal)\n"
    "       lmsctl [--templates DIR] [-m MODEL] COMMAND [ARGS]\n"
    "\n"
    "Design, validate and generate the AWS infrastructure of the LMS platform.\n"
    "Without a command, lmsctl opens the console on MODEL (default: the built-in\n"
    "dev model); ? in the console lists every key.\n"
    "\n"
    "Commands:\n"
    "  init       write a commented model file for an environment (dev, staging, prod)\n"
    "  validate   check the model against the templates and print every finding\n"
    "  generate   write the assembled CloudFormation template for the model\n"
    "  params     export or import the model's values as a CloudFormation parameters file\n"
    "  deploy     create a change set for the model's stack, show it, execute it, follow it\n"
    "  destroy    delete the model's stack, after typing the environment's name\n"
    "  status     the stack's status and latest events; --follow an operation\n"
    "  outputs    the stack's outputs (text, json, flat)\n"
    "  diff       the model against the deployed stack: parameters, resources, replacements\n"
    "  drift      detect drift: the resources changed outside CloudFormation\n"
    "  render     print the template resolved for the model (what CloudFormation will see)\n"
    "  report     the readiness report: findings, scale-out, capacity, AZ loss, PDPA\n"
    "\n"
    "Options:\n"
    "  -m, --model FILE     the model file (default: the built-in dev model)\n"
    "      --templates DIR  the template fragments (default: $LMSCTL_TEMPLATES, the source\n"
    "                       tree when run from the build tree, then " LMSCTL_PKGDATADIR
    "/templates)\n"
    "      --readonly       no deploy, no destroy, no save (console and commands)\n"
    "      --write          lift the configuration file's readonly for this run\n"
    "      --no-color       console: no colors (also NO_COLOR=1)\n"
    "      --theme NAME     console: dark (default), light or mono\n"
    "  -h, --help           this help; 'lmsctl COMMAND --help' for a command's\n"
    "  -V, --version        print the version\n"
    "\n"
    "AWS options (the console, deploy, destroy, status, outputs, diff, drift; also after\n"
    "the command):\n"
    "      --endpoint-url URL  send every AWS call to URL (a local emulator)\n"
    "      --profile NAME      the AWS profile (default: AWS_PROFILE, then default)\n"
    "      --region REGION     must agree with the model's region, which decides\n"
    "      --debug             log AWS requests and answers, secrets masked\n"
    "\n"
    "Exit status: 0 success; 1 the command ran and found errors; 2 bad usage or\n"
    "unreadable input; 3 diff: the stack differs, drift: it drifted. See lmsctl(1) and\n"
    "lmsctl-model(5).\n";

/* ---- templates and model --------------------------------------------- */

static bool is_dir_with_catalog(const char *dir)
{
	buf p;
	buf_init(&p, 0);
	buf_addf(&p, "%s/catalog.yml", dir);
	struct stat st;
	bool ok = !p.failed && stat(buf_cstr(&p), &st) == 0 && S_ISREG(st.st_mode);
	buf_free(&p);
	return ok;
}

/* --templates, LMSCTL_TEMPLATES, the source tree when this binary is the
 * one in the build tree, the installed data directory. */
static char *find_templates(const char *option)
{
	if (option)
		return strdup(option);
	const char *env = getenv("LMSCTL_TEMPLATES");
	if (env && *env)
		return strdup(env);
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *dir = dirname(self);
		char build[4096];
		char *real_build = realpath(LMSCTL_BUILDDIR, build);
		if (real_build && strcmp(dir, real_build) == 0 &&
		    is_dir_with_catalog(LMSCTL_SRCDIR "/templates"))
			return strdup(LMSCTL_SRCDIR "/templates");
	}
	return strdup(LMSCTL_PKGDATADIR "/templates");
}

static bool load_catalog(cli *c)
{
	char *dir = find_templates(c->templates);
	if (!dir) {
		cli_error("%s", "out of memory");
		return false;
	}
	lms_error err = {0};
	c->cat = catalog_load(dir, &err);
	if (!c->cat) {
		print_error(&err);
		if (!is_dir_with_catalog(dir))
			term_printf(stderr,
			            "lmsctl: no templates in %s: give --templates DIR or set "
			            "LMSCTL_TEMPLATES\n",
			            dir);
		lms_error_clear(&err);
	}
	free(dir);
	return c->cat != NULL;
}

static bool load_model(cli *c)
{
	lms_error err = {0};
	if (c->model_path)
		c->m = model_load(c->model_path, &err);
	else
		c->m = model_new_from_catalog(c->cat, "dev", &err);
	/* the institutions' resources join the catalog as a fragment of their
	 * own, so every command (and the console) reads them like any other */
	if (c->m && !assemble_add_institutions(c->cat, c->m, &err)) {
		model_free(c->m);
		c->m = NULL;
	}
	if (!c->m) {
		print_error(&err);
		lms_error_clear(&err);
	}
	return c->m != NULL;
}

/* --stack NAME: the main stack (NULL or "main") or a companion of the catalog's
 * (Companions), whose catalog and model (derived from the main model:
 * model/companion.h) then replace the main ones for the command. */
static bool use_stack(cli *c, const char *cmd, const char *stack)
{
	if (!stack || strcmp(stack, "main") == 0)
		return true;
	const cat_companion *comp = catalog_companion(c->cat, stack);
	if (!comp) {
		buf names;
		buf_init(&names, 0);
		for (size_t i = 0; i < c->cat->ncompanions; i++)
			buf_addf(&names, ", %s", c->cat->companions[i].name);
		cli_usage_error(cmd, "--stack must be one of main%s, not '%s'", buf_cstr(&names),
		                stack);
		buf_free(&names);
		return false;
	}
	lms_error err = {0};
	catalog *cat = catalog_load_companion(c->cat, comp, &err);
	model *m = cat ? companion_model(c->cat, c->m, comp, cat, &err) : NULL;
	if (!m) {
		print_error(&err);
		lms_error_clear(&err);
		catalog_free(cat);
		return false;
	}
	model_free(c->m);
	catalog_free(c->cat);
	c->m = m;
	c->cat = cat;
	return true;
}

/* Writes `data` to `path`, or to stdout when path is NULL or "-". */
static int emit_raw(const char *path, const buf *data, bool exclusive)
{
	if (!path || strcmp(path, "-") == 0) {
		if (fwrite(data->data ? data->data : "", 1, data->len, stdout) != data->len ||
		    fflush(stdout) != 0) {
			cli_error("cannot write to standard output: %s", strerror(errno));
			return EXIT_FINDINGS;
		}
		return EXIT_OK;
	}
	lms_error err = {0};
	if (!write_file_atomic(path, buf_cstr(data), data->len, exclusive, &err)) {
		print_error(&err);
		lms_error_clear(&err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* emit_raw(), but text for a person (`human`: the text and markdown formats) has every
 * control character made visible (common/term.h), in a file as on the terminal: a file
 * is read with cat too. */
static int emit(const char *path, const buf *data, bool exclusive, bool human)
{
	buf clean;
	buf_init(&clean, 0);
	if (human) {
		if (!term_add(&clean, data->data ? data->data : "", data->len, TERM_LAYOUT)) {
			cli_error("%s", "out of memory");
			return EXIT_FINDINGS;
		}
		data = &clean;
	}
	int rc = emit_raw(path, data, exclusive);
	buf_free(&clean);
	return rc;
}

/* A JSON document a command printed at exit status rc (not 0) carries the error object
 * (cli/errors.h) as its "error" member: `doc` (an object dumped with `flags`) gains it, as
 * the last member. The message: `why` when no failure was reported before. */
static bool json_doc_add_error(buf *doc, int rc, size_t flags, const char *why)
{
	if (!cli_error_noted())
		cli_error_note("%s", why);
	json_t *d = json_loadb(doc->data ? doc->data : "", doc->len, 0, NULL);
	json_t *e = cli_error_object(rc);
	bool ok = json_is_object(d) && e && json_object_set(d, "error", e) == 0;
	char *text = ok ? term_json_dumps(d, flags) : NULL;
	if (text) {
		buf_reset(doc);
		ok = buf_adds(doc, text) && buf_addc(doc, '\n');
	}
	free(text);
	json_decref(e);
	json_decref(d);
	return text && ok;
}

/* ---- commands ---------------------------------------------------------- */

typedef int (*command_fn)(cli *c, int argc, char **argv);

static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
}

static const char init_usage[] =
    "Usage: lmsctl init [--env dev|staging|prod] [--set KEY=VALUE]... [-o FILE] [--force]\n"
    "\n"
    "Write a model file for an environment: every template parameter with the value for\n"
    "that environment and, above it, its description and constraint from the template.\n"
    "\n"
    "  -e, --env KIND     dev (default), staging or prod\n"
    "      --set KEY=VALUE  give KEY (a template parameter, or stack, region or suffix) the\n"
    "                     value; repeatable. Each value is checked against its constraint\n"
    "                     first: a bad KEY or VALUE writes nothing (exit 2). A prod model\n"
    "                     that lmsctl deploy accepts: --env prod --set AlarmEmail=ADDRESS\n"
    "                     --set AlbCertificateArn=ACM-CERTIFICATE-ARN\n"
    "  -o, --output-file FILE  write to FILE (default: standard output)\n"
    "  -f, --force        overwrite FILE if it exists\n";

/* The KEY of a --set: a template parameter, or a top-level key of the model but the
 * environment, which --env gives (its profile decides every other value). */
static bool settable_key(const catalog *cat, const char *key)
{
	if (strcmp(key, "environment") == 0 || strcmp(key, MODEL_PARAM_ENVIRONMENT) == 0)
		return false;
	for (size_t i = 0; i < COUNT(model_top_keys); i++)
		if (strcmp(key, model_top_keys[i]) == 0)
			return true;
	return catalog_param(cat, key) != NULL;
}

/* Applies every --set KEY=VALUE to the new model and checks each value against its own
 * constraints (PRM, and MDL for stack and region): EXIT_USAGE, with every bad one named,
 * when one fails; nothing is written then. */
static int init_apply_sets(cli *c, const cli_strings *sets)
{
	int rc = EXIT_OK;
	for (size_t i = 0; i < sets->n; i++) {
		const char *eq = strchr(sets->v[i], '=');
		char *key = eq ? strndup(sets->v[i], (size_t)(eq - sets->v[i])) : NULL;
		if (!eq || !*key) {
			rc = cli_usage_error("init", "--set wants KEY=VALUE, not '%s'", sets->v[i]);
		} else if (!settable_key(c->cat, key)) {
			rc = cli_usage_error(
			    "init",
			    strcmp(key, "environment") == 0 ||
			            strcmp(key, MODEL_PARAM_ENVIRONMENT) == 0
			        ? "--set %s: the environment is given by --env"
			        : "--set %s: no template parameter or top-level model key has this "
			          "name (lmsctl init lists every parameter)",
			    key);
		} else if (!model_set(c->m, key, eq + 1)) {
			free(key);
			cli_error("%s", "out of memory");
			return EXIT_FINDINGS;
		}
		free(key);
	}
	if (rc != EXIT_OK)
		return rc;
	findings f;
	findings_init(&f);
	validate_model(c->cat, c->m, &f);
	for (size_t i = 0; i < f.n; i++) {
		const finding *x = &f.v[i];
		bool own = strncmp(x->rule, "PRM", 3) == 0 || strncmp(x->rule, "MDL", 3) == 0;
		for (size_t j = 0; own && x->sev == SEV_ERROR && j < sets->n; j++) {
			const char *k = sets->v[j];
			size_t n = strcspn(k, "=");
			const char *bound = strncmp(k, "suffix=", 7) == 0 ? MODEL_PARAM_SUFFIX : k;
			size_t bn = bound == k ? n : strlen(bound);
			if (strlen(x->field) == bn && strncmp(x->field, bound, bn) == 0) {
				rc = cli_usage_error("init", "--set %.*s: %s%s%s%s", (int)n, k,
				                     x->message, *x->hint ? " (" : "", x->hint,
				                     *x->hint ? ")" : "");
				break;
			}
		}
	}
	findings_free(&f);
	return rc;
}

static int cmd_init(cli *c, int argc, char **argv)
{
	const char *env = "dev", *out_path = NULL;
	bool force = false;
	const char *no_format = NULL;
	cli_strings sets = {0};
	const cli_opt opts[] = {CLI_STRING("env", 'e', &env), CLI_LIST("set", 0, &sets),
	                        CLI_OUTPUT_FILE(&out_path), CLI_OUTPUT_NONE(&no_format),
	                        CLI_FLAG("force", 'f', &force)};
	int first, rc = parse("init", init_usage, opts, COUNT(opts), argc, argv, &first);
	if (rc != CLI_CONTINUE)
		goto done;
	rc = EXIT_USAGE;
	if (strcmp(env, "dev") != 0 && strcmp(env, "staging") != 0 && strcmp(env, "prod") != 0) {
		cli_usage_error("init", "--env must be dev, staging or prod, not '%s'", env);
		goto done;
	}
	if (!load_catalog(c))
		goto done;
	lms_error err = {0};
	c->m = model_new_from_catalog(c->cat, env, &err);
	if (!c->m) {
		print_error(&err);
		lms_error_clear(&err);
		rc = EXIT_FINDINGS;
		goto done;
	}
	/* the configuration's region for this environment, before --set (which wins) */
	const lms_config_env *ce = lms_config_env_find(&c->config, env);
	if (ce && ce->region && !model_set(c->m, "region", ce->region)) {
		term_printf(stderr, "lmsctl: out of memory\n");
		rc = EXIT_FINDINGS;
		goto done;
	}
	rc = init_apply_sets(c, &sets);
	if (rc != EXIT_OK)
		goto done;
	buf out;
	buf_init(&out, 0);
	if (!model_render_new(c->m, c->cat, &out)) {
		buf_free(&out);
		cli_error("%s", "out of memory");
		rc = EXIT_FINDINGS;
		goto done;
	}
	rc = emit(out_path, &out, !force, false);
	buf_free(&out);
	if (rc == EXIT_OK && out_path && strcmp(out_path, "-") != 0)
		term_printf(stderr, "lmsctl: wrote the %s model to %s\n", env, out_path);
done:
	free(sets.v);
	return rc;
}

static const char validate_usage[] =
    "Usage: lmsctl [-m MODEL] validate [--stack NAME] [--output text|json] [--external]\n"
    "\n"
    "Check every value of the model against its template parameter and every cross-field\n"
    "rule; print each finding (position, severity, rule id, field, message, fix).\n"
    "Exit 1 if any finding is an error.\n"
    "\n"
    "  -m, --model FILE   the model file (default: the built-in dev model)\n"
    "      --stack NAME   main (default), or a companion stack of the catalog: edge (the\n"
    "                     CloudFront front door in us-east-1), its parameters from the\n"
    "                     main stack's outputs as the model resolves them\n"
    "      --output F     text (default) or json (also --format F)\n"
    "      --external     also run cfn-lint and cfn-guard (AWS Control Tower rules) over the\n"
    "                     generated template; their findings are labelled cfn-lint:ID and\n"
    "                     guard:CONTROL. A tool that is not found is skipped with a note\n"
    "      --rules        list the rules (with --output json, each with the obligations it\n"
    "                     supports) and exit\n";

static int cmd_validate(cli *c, int argc, char **argv)
{
	const char *format = "text";
	bool list_rules = false;
	bool external = false;
	const char *stack = NULL;
	const cli_opt opts[] = {CLI_OUTPUT_FORMAT(&format),
	                        CLI_STRING("model", 'm', &c->model_path),
	                        CLI_FLAG("rules", 0, &list_rules),
	                        CLI_FLAG("external", 0, &external), CLI_STRING("stack", 0, &stack)};
	int first, rc = parse("validate", validate_usage, opts, COUNT(opts), argc, argv, &first);
	if (rc != CLI_CONTINUE)
		return rc;
	bool json = strcmp(format, "json") == 0;
	cli_errors_want_json(json);
	if (list_rules) {
		buf out;
		buf_init(&out, 0);
		rules_registry_write(json, &out);
		rc = emit(NULL, &out, false, !json);
		buf_free(&out);
		return rc;
	}
	if (!load_catalog(c) || !load_model(c) || !use_stack(c, "validate", stack))
		return EXIT_USAGE;
	findings f;
	findings_init(&f);
	validate_model(c->cat, c->m, &f);
	if (external) {
		buf notes;
		buf_init(&notes, 0);
		lms_error err = {0};
		if (!external_validate(c->cat, c->m, NULL, &f, &notes, &err)) {
			print_error(&err);
			lms_error_clear(&err);
		}
		for (const char *p = buf_cstr(&notes); *p;) {
			size_t len = strcspn(p, "\n");
			term_printf(stderr, "lmsctl: %.*s\n", (int)len, p);
			p += len + (p[len] == '\n');
		}
		buf_free(&notes);
	}
	buf out;
	buf_init(&out, 0);
	size_t errors = findings_count(&f, SEV_ERROR);
	if (json) {
		findings_format_json(&f, &out);
		if (errors || f.oom) {
			char why[64];
			snprintf(why, sizeof why, "the model has %zu error(s)", errors);
			json_doc_add_error(&out, EXIT_FINDINGS,
			                   JSON_INDENT(2) | JSON_PRESERVE_ORDER, why);
		}
	} else {
		findings_format_text(&f, &out);
	}
	rc = emit(NULL, &out, false, !json);
	if (rc == EXIT_OK && json)
		cli_errors_emitted();
	if (rc == EXIT_OK && (errors > 0 || f.oom))
		rc = EXIT_FINDINGS;
	buf_free(&out);
	findings_free(&f);
	return rc;
}

static const char *model_value_cb(void *ctx, const char *param)
{
	cli *c = ctx;
	return model_param_value(c->m, c->cat, param);
}

static const char generate_usage[] =
    "Usage: lmsctl [-m MODEL] generate [--stack NAME] [-o FILE] [--no-validate]\n"
    "\n"
    "Write the assembled CloudFormation template: every fragment of the catalog merged,\n"
    "comments kept, the model's values as the parameters' Defaults. A NoEcho parameter's\n"
    "value is never written: its Default is left out (a comment and a note on standard\n"
    "error say so) and `lmsctl deploy` sends it as a change-set parameter. A model with\n"
    "validation errors produces no template (exit 1) unless --no-validate.\n"
    "\n"
    "  -m, --model FILE   the model file (default: the built-in dev model)\n"
    "      --stack NAME   main (default) or a companion stack: edge (us-east-1); its\n"
    "                     parameters from the main stack's outputs are placeholders when\n"
    "                     the model cannot resolve them\n"
    "  -o, --output-file FILE  write to FILE atomically (default: standard output)\n"
    "      --no-validate  write the template even if the model has errors\n";

/* Says which NoEcho parameters have no Default in the template, and how they travel. */
static void note_no_echo(const catalog *cat)
{
	buf names;
	buf_init(&names, 0);
	for (size_t i = 0; i < cat->nparams; i++)
		if (cat->params[i].no_echo)
			buf_addf(&names, "%s%s", names.len ? ", " : "", cat->params[i].e.name);
	if (names.len)
		fprintf(stderr,
		        "lmsctl: note: NoEcho parameter(s) %s: the template has no Default for "
		        "them, never their value; `lmsctl deploy` passes the model's value as a "
		        "change-set parameter (elsewhere, pass it yourself)\n",
		        buf_cstr(&names));
	buf_free(&names);
}

static int cmd_generate(cli *c, int argc, char **argv)
{
	const char *out_path = NULL;
	bool no_validate = false;
	const char *no_format = NULL, *stack = NULL;
	const cli_opt opts[] = {CLI_OUTPUT_FILE(&out_path), CLI_OUTPUT_NONE(&no_format),
	                        CLI_STRING("model", 'm', &c->model_path),
	                        CLI_FLAG("no-validate", 0, &no_validate),
	                        CLI_STRING("stack", 0, &stack)};
	int first, rc = parse("generate", generate_usage, opts, COUNT(opts), argc, argv, &first);
	if (rc != CLI_CONTINUE)
		return rc;
	if (!load_catalog(c) || !load_model(c) || !use_stack(c, "generate", stack))
		return EXIT_USAGE;
	if (!no_validate) {
		findings f;
		findings_init(&f);
		validate_model(c->cat, c->m, &f);
		size_t errors = findings_count(&f, SEV_ERROR);
		if (errors) {
			buf out;
			buf_init(&out, 0);
			findings_format_text(&f, &out);
			term_puts(stderr, buf_cstr(&out));
			term_printf(
			    stderr,
			    "lmsctl: the model has %zu error(s); no template written (fix them, "
			    "or --no-validate)\n",
			    errors);
			buf_free(&out);
			findings_free(&f);
			return EXIT_FINDINGS;
		}
		findings_free(&f);
	}
	buf out;
	buf_init(&out, 0);
	lms_error err = {0};
	if (!assemble_template(c->cat, model_value_cb, c, &out, &err)) {
		print_error(&err);
		lms_error_clear(&err);
		buf_free(&out);
		return EXIT_FINDINGS;
	}
	rc = emit(out_path, &out, false, false);
	buf_free(&out);
	if (rc == EXIT_OK)
		note_no_echo(c->cat);
	return rc;
}

static const char params_usage[] =
    "Usage: lmsctl -m MODEL params export [-o FILE] [--output json]\n"
    "       lmsctl -m MODEL params import FILE\n"
    "\n"
    "Export the model's values as a CloudFormation parameters file\n"
    "([{\"ParameterKey\": ..., \"ParameterValue\": ...}], as the AWS CLI reads), or import\n"
    "one into the model file (saved atomically, comments kept). Without -m, export uses\n"
    "the built-in dev model; import needs a model file.\n"
    "\n"
    "  -m, --model FILE   the model file\n"
    "  -o, --output-file FILE  export: write to FILE atomically (default: standard output)\n"
    "      --output json  export: the format (the only one; also --format json)\n";

static int cmd_params(cli *c, int argc, char **argv)
{
	const char *out_path = NULL;
	const char *format = NULL; /* json, the only one */
	const cli_opt opts[] = {CLI_OUTPUT_FILE(&out_path), CLI_OUTPUT_FORMAT(&format),
	                        CLI_STRING("model", 'm', &c->model_path)};
	/* options may follow the action: params export -o FILE */
	const cli_command_line cl = {"params", params_usage, opts, COUNT(opts), true, true};
	int first;
	int parsed = cli_parse(&cl, argc, argv, &first);
	if (parsed != CLI_CONTINUE)
		return parsed;
	cli_errors_want_json(format != NULL);
	const char *action = first < argc ? argv[first] : NULL;
	if (!action || (strcmp(action, "export") != 0 && strcmp(action, "import") != 0)) {
		cli_usage_error("params", "%s", "expected 'export' or 'import'");
		return EXIT_USAGE;
	}
	bool import = strcmp(action, "import") == 0;
	if ((import && first + 2 != argc) || (!import && first + 1 != argc)) {
		cli_usage_error("params", "%s",
		                import ? "import takes one FILE" : "export takes no argument");
		return EXIT_USAGE;
	}
	if (import && !c->model_path) {
		cli_usage_error("params", "%s",
		                "import needs a model file: lmsctl -m MODEL params import FILE");
		return EXIT_USAGE;
	}
	if (!load_catalog(c) || !load_model(c))
		return EXIT_USAGE;
	if (!import) {
		buf out;
		buf_init(&out, 0);
		int rc = EXIT_FINDINGS;
		if (!params_json_export(c->cat, c->m, &out))
			cli_error("%s", "out of memory exporting the parameters");
		else
			rc = emit(out_path, &out, false, false);
		if (rc == EXIT_OK && !out_path)
			cli_errors_emitted();
		buf_free(&out);
		return rc;
	}
	const char *in_path = argv[first + 1];
	FILE *f = fopen(in_path, "rb");
	if (!f) {
		cli_error("%s: cannot open: %s", in_path, strerror(errno));
		return EXIT_USAGE;
	}
	buf in;
	buf_init(&in, (size_t)4 * 1024 * 1024);
	char chunk[8192];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0 && buf_add(&in, chunk, got))
		;
	bool bad = ferror(f) || in.failed;
	fclose(f);
	if (bad) {
		cli_error("%s: cannot read (or larger than 4 MiB)", in_path);
		buf_free(&in);
		return EXIT_USAGE;
	}
	lms_error err = {0};
	int rc = EXIT_OK;
	/* a refused file, or a model that cannot be written (nothing written: the model
	 * as it was): exit 2 either way, as for every file that cannot be read or written */
	if (!params_json_import(c->cat, c->m, in_path, buf_cstr(&in), in.len, &err) ||
	    !model_save(c->m, c->cat, NULL, NULL, &err)) {
		print_error(&err);
		rc = EXIT_USAGE;
	} else {
		term_printf(stderr, "lmsctl: imported %s into %s\n", in_path, c->model_path);
	}
	lms_error_clear(&err);
	buf_free(&in);
	return rc;
}

static const char render_usage[] =
    "Usage: lmsctl [-m MODEL] render [--stack NAME] [-o FILE] [--output yaml|json]\n"
    "                                [--account-id ID] [--azs AZ,AZ,...]\n"
    "\n"
    "Print the template resolved for the model: parameters, pseudo parameters, conditions,\n"
    "mappings and Fn::Sub/Join/Select/Split/GetAZs/Cidr/FindInMap/Base64 evaluated;\n"
    "resources, outputs and properties whose condition is false left out. What needs AWS\n"
    "(!GetAtt, !Ref to a resource, !ImportValue, the account id) stays symbolic. Problems\n"
    "in the template (REN001-REN004) go to standard error; exit 1 if there are any.\n"
    "\n"
    "  -m, --model FILE    the model file (default: the built-in dev model)\n"
    "      --stack NAME    main (default) or a companion stack: edge (us-east-1)\n"
    "  -o, --output-file FILE  write to FILE atomically (default: standard output)\n"
    "      --output F      yaml (default) or json (also --format F)\n"
    "      --account-id ID resolve AWS::AccountId to ID (12 digits)\n"
    "      --azs LIST      the AZ names Fn::GetAZs returns for the model's region\n";

/* "a,b,c" as a list of strings pointing into `s` (modified). */
static const char **split_commas(char *s, size_t *n)
{
	size_t count = 1;
	for (const char *p = s; *p; p++)
		count += *p == ',';
	const char **v = calloc(count, sizeof(char *));
	if (!v)
		return NULL;
	*n = 0;
	for (char *p = s;;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (*p)
			v[(*n)++] = p;
		if (!comma)
			break;
		p = comma + 1;
	}
	return v;
}

static int cmd_render(cli *c, int argc, char **argv)
{
	const char *out_path = NULL, *format = "yaml", *account = NULL;
	const char *azs_option = NULL, *stack = NULL;
	const cli_opt opts[] = {
	    CLI_OUTPUT_FILE(&out_path),        CLI_STRING("model", 'm', &c->model_path),
	    CLI_OUTPUT_FORMAT(&format),        CLI_STRING("account-id", 0, &account),
	    CLI_STRING("azs", 0, &azs_option), CLI_STRING("stack", 0, &stack)};
	int first, rc = parse("render", render_usage, opts, COUNT(opts), argc, argv, &first);
	if (rc != CLI_CONTINUE)
		return rc;
	cli_errors_want_json(strcmp(format, "json") == 0);
	char *azs_arg = (char *)azs_option; /* split in place, as getopt hands out argv */
	if (account && (strlen(account) != 12 || strspn(account, "0123456789") != 12)) {
		cli_usage_error("render", "--account-id must be 12 digits, not '%s'", account);
		return EXIT_USAGE;
	}
	render_options opt = {.account_id = account};
	const char **azs = NULL;
	if (azs_arg) {
		azs = split_commas(azs_arg, &opt.nazs);
		if (!azs || !opt.nazs) {
			free(azs);
			cli_usage_error("render", "%s",
			                "--azs needs a comma-separated list of AZ names");
			return EXIT_USAGE;
		}
		opt.azs = azs;
	}
	if (!load_catalog(c) || !load_model(c) || !use_stack(c, "render", stack)) {
		free(azs);
		return EXIT_USAGE;
	}
	findings f;
	findings_init(&f);
	lms_error err = {0};
	rendered *r = render_template(c->cat, c->m, &opt, &f, &err);
	free(azs);
	if (!r) {
		print_error(&err);
		lms_error_clear(&err);
		findings_free(&f);
		return EXIT_FINDINGS;
	}
	buf out;
	buf_init(&out, 0);
	if (!render_emit(r, strcmp(format, "json") == 0 ? RENDER_JSON : RENDER_YAML, &out)) {
		cli_error("%s", "out of memory writing the rendered template");
		rc = EXIT_FINDINGS;
	} else {
		rc = emit(out_path, &out, false, false);
		/* the template is the document (its problems go to stderr): no error in it */
		if (rc == EXIT_OK && !out_path)
			cli_errors_emitted();
	}
	if (f.n) {
		findings_sort(&f);
		buf text;
		buf_init(&text, 0);
		findings_format_text(&f, &text);
		term_puts(stderr, buf_cstr(&text));
		buf_free(&text);
	}
	if (rc == EXIT_OK && (findings_count(&f, SEV_ERROR) > 0 || f.oom))
		rc = EXIT_FINDINGS;
	buf_free(&out);
	findings_free(&f);
	render_free(r);
	return rc;
}

static const char report_usage[] =
    "Usage: lmsctl [-m MODEL] report [--output text|markdown|json] [-o FILE]\n"
    "                                [--previous MODEL]\n"
    "\n"
    "The readiness report: findings by severity, the scale-out timeline, the capacity\n"
    "figures, what each tier keeps when one AZ is lost, PDPA coverage, the composite\n"
    "availability of the web and API paths and the resources by tier, for the\n"
    "environment's two stacks (the main one and the edge, us-east-1). markdown is for\n"
    "a reviewer to attach to a change; json is a contract for\n"
    "scripts (lmsctl(1)). With --previous, also the resources the change from that model\n"
    "replaces in either stack (stateful ones flagged). Exit 1 if any finding is an error.\n"
    "\n"
    "  -m, --model FILE     the model file (default: the built-in dev model)\n"
    "      --output F       text (default), markdown or json (also --format F)\n"
    "  -o, --output-file FILE  write to FILE atomically (default: standard output)\n"
    "      --previous FILE  the model deployed now, for the update-safety section\n";

/* data/create-only.json beside the templates directory (source tree and
 * installed layout alike). */
static char *create_only_path(const char *templates)
{
	buf p;
	buf_init(&p, 0);
	buf_addf(&p, "%s/../data/create-only.json", templates);
	struct stat st;
	if (p.failed || stat(buf_cstr(&p), &st) != 0) {
		buf_reset(&p);
		buf_adds(&p, LMSCTL_PKGDATADIR "/data/create-only.json");
	}
	return buf_take(&p);
}

/* What --previous needs: the previous model, its stacks rendered, the plan. */
typedef struct report_prev {
	model *m;
	rendered *r;
	report_stack *stacks; /* its companions */
	size_t nstacks;
	create_only *db;
	update_plan plan;
	bool have_plan;
} report_prev;

static void report_prev_free(report_prev *p)
{
	update_plan_free(&p->plan);
	create_only_free(p->db);
	report_companions_free(p->stacks, p->nstacks);
	render_free(p->r);
	model_free(p->m);
}

/* --previous FILE: the update-safety plan of the environment, each stack's template of the
 * previous model against the current one's (`r`, the companions `stacks`): the main stack,
 * then each companion that renders now (one that does not has its REN003 finding). False,
 * with the error said, when the previous model or one of its stacks cannot be rendered. */
static bool report_previous(cli *c, const char *path, const rendered *r, const report_stack *stacks,
                            size_t nstacks, report_prev *p)
{
	lms_error err = {0};
	p->m = model_load(path, &err);
	p->r = p->m ? render_template(c->cat, p->m, NULL, NULL, &err) : NULL;
	bool rendered_all = p->r && report_companions(c->cat, p->m, &p->stacks, &p->nstacks, &err);
	char *dir = rendered_all ? find_templates(c->templates) : NULL;
	char *co = dir ? create_only_path(dir) : NULL;
	free(dir);
	p->db = co ? create_only_load(co, &err) : NULL;
	free(co);
	bool ok = p->db != NULL;
	if (ok)
		p->have_plan = update_safety(p->db, p->r, r, &p->plan);
	for (size_t k = 0; ok && k < nstacks && k < p->nstacks; k++) {
		if (!stacks[k].r)
			continue;
		if (!p->stacks[k].r) {
			lms_error_set(&err, path, 0, 0,
			              "the %s stack's template cannot be rendered",
			              p->stacks[k].name);
			ok = false;
			break;
		}
		p->have_plan = update_safety_add(p->db, stacks[k].name, p->stacks[k].r, stacks[k].r,
		                                 &p->plan) &&
		               p->have_plan;
	}
	if (!ok)
		print_error(&err);
	lms_error_clear(&err);
	return ok;
}

static int cmd_report(cli *c, int argc, char **argv)
{
	const char *out_path = NULL, *format = "text", *previous = NULL;
	const cli_opt opts[] = {CLI_OUTPUT_FILE(&out_path),
	                        CLI_STRING("model", 'm', &c->model_path),
	                        CLI_OUTPUT_FORMAT(&format), CLI_STRING("previous", 0, &previous)};
	int first, rc = parse("report", report_usage, opts, COUNT(opts), argc, argv, &first);
	if (rc != CLI_CONTINUE)
		return rc;
	cli_errors_want_json(strcmp(format, "json") == 0);
	/* --output checked the word as it was read */
	report_format fmt = strcmp(format, "markdown") == 0 ? REPORT_MARKDOWN
	                    : strcmp(format, "json") == 0   ? REPORT_JSON
	                                                    : REPORT_TEXT;
	if (!load_catalog(c) || !load_model(c))
		return EXIT_USAGE;
	lms_error err = {0};
	report_prev prev = {0};
	report_stack *stacks = NULL;
	size_t nstacks = 0;
	findings f;
	findings_init(&f);
	/* one rendering: validated, then reported */
	rendered *r = validate_and_render(c->cat, c->m, &f);
	if (!r) {
		for (size_t i = 0; i < f.n; i++)
			if (strcmp(f.v[i].rule, "REN003") == 0)
				cli_error("%s", f.v[i].message);
		rc = EXIT_FINDINGS;
		goto done;
	}
	/* the environment is its stacks: the companions' findings and resources too */
	if (!report_companions(c->cat, c->m, &stacks, &nstacks, &err)) {
		print_error(&err);
		rc = EXIT_USAGE;
		goto done;
	}
	/* and the change from the previous model, of every stack */
	if (previous && !report_previous(c, previous, r, stacks, nstacks, &prev)) {
		rc = EXIT_USAGE;
		goto done;
	}
	analysis a;
	analysis_run(c->cat, c->m, r, &a);
	buf out;
	buf_init(&out, 0);
	size_t errors = findings_count(&f, SEV_ERROR);
	bool oom = f.oom;
	for (size_t k = 0; k < nstacks; k++) {
		errors += findings_count(&stacks[k].f, SEV_ERROR);
		oom = oom || stacks[k].f.oom;
	}
	if (!report_write_env(c->cat, c->m, r, &a, &f, stacks, nstacks,
	                      prev.have_plan ? &prev.plan : NULL, fmt, &out)) {
		cli_error("%s", "out of memory writing the report");
		rc = EXIT_FINDINGS;
	} else {
		char why[64];
		snprintf(why, sizeof why, "the model has %zu error(s)", errors);
		if (fmt == REPORT_JSON && (errors || oom))
			json_doc_add_error(
			    &out, EXIT_FINDINGS,
			    JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10), why);
		rc = emit(out_path, &out, false, fmt != REPORT_JSON);
		if (rc == EXIT_OK && fmt == REPORT_JSON && !out_path)
			cli_errors_emitted();
	}
	if (rc == EXIT_OK && (errors > 0 || oom))
		rc = EXIT_FINDINGS;
	buf_free(&out);
	analysis_free(&a);
done:
	report_prev_free(&prev);
	report_companions_free(stacks, nstacks);
	lms_error_clear(&err);
	render_free(r);
	findings_free(&f);
	return rc;
}

/* deploy, destroy, status and outputs live in cli/deploy.c; they load the model through
 * this file's loader so that -m and --templates mean the same everywhere. */
static bool deploy_load(void *ctx, const char *model_path, const catalog **cat, const model **m)
{
	cli *c = ctx;
	if (model_path)
		c->model_path = model_path;
	if (!load_catalog(c) || !load_model(c))
		return false;
	*cat = c->cat;
	*m = c->m;
	return true;
}

static deploy_env make_deploy_env(cli *c)
{
	deploy_env e = {.load = deploy_load,
	                .ctx = c,
	                .model_path = c->model_path,
	                .endpoint_url = c->endpoint_url,
	                .profile = c->profile,
	                .region = c->region,
	                .debug = c->debug,
	                .config = &c->config,
	                .write = c->write,
	                .readonly = c->console.readonly};
	return e;
}

static int cli_deploy(cli *c, int argc, char **argv)
{
	deploy_env e = make_deploy_env(c);
	return cmd_deploy(argc, argv, &e);
}

static int cli_destroy(cli *c, int argc, char **argv)
{
	deploy_env e = make_deploy_env(c);
	return cmd_destroy(argc, argv, &e);
}

static int cli_status(cli *c, int argc, char **argv)
{
	deploy_env e = make_deploy_env(c);
	return cmd_status(argc, argv, &e);
}

static int cli_outputs(cli *c, int argc, char **argv)
{
	deploy_env e = make_deploy_env(c);
	return cmd_outputs(argc, argv, &e);
}

static int cli_diff(cli *c, int argc, char **argv)
{
	deploy_env e = make_deploy_env(c);
	return cmd_diff(argc, argv, &e);
}

static int cli_drift(cli *c, int argc, char **argv)
{
	deploy_env e = make_deploy_env(c);
	return cmd_drift(argc, argv, &e);
}

static const struct {
	const char *name;
	command_fn fn;
	const char *usage;
} commands[] = {
    {"init", cmd_init, init_usage},
    {"validate", cmd_validate, validate_usage},
    {"generate", cmd_generate, generate_usage},
    {"params", cmd_params, params_usage},
    {"deploy", cli_deploy, deploy_usage},
    {"destroy", cli_destroy, destroy_usage},
    {"status", cli_status, status_usage},
    {"outputs", cli_outputs, outputs_usage},
    {"diff", cli_diff, diff_usage},
    {"drift", cli_drift, drift_usage},
    {"render", cmd_render, render_usage},
    {"report", cmd_report, report_usage},
};

/* No command: the console, on `model_file`, -m, or the built-in dev model. */
/* The console's AWS backend, with the command line's AWS options. --debug is not
 * used: the API log (view 5) lists every call instead of a log over the screen. */
static ops_backend *console_backend(void *ctx, const catalog *cat, const model *m, lms_error *err)
{
	const cli *c = ctx;
	(void)cat;
	const char *region = model_get(m, "region");
	if (c->region && c->region[0] && region && strcmp(c->region, region) != 0) {
		lms_error_set(
		    err, NULL, 0, 0,
		    "--region %s conflicts with the model's region %s: the model decides; "
		    "deploy and destroy are off until one of them changes",
		    c->region, region);
		return NULL;
	}
	const lms_config_env *ce = lms_config_env_find(&c->config, model_get(m, "environment"));
	ops_aws_options o = {.profile = c->profile && c->profile[0] ? c->profile
	                                : ce                        ? ce->profile
	                                                            : NULL,
	                     .endpoint_url = c->endpoint_url,
	                     .timeout_ms = deploy_env_ms("LMSCTL_HTTP_TIMEOUT_MS"),
	                     .backoff_unit_ms = deploy_env_ms("LMSCTL_HTTP_BACKOFF_MS"),
	                     .write_outputs = true};
	return ops_aws_new(&o, err);
}

static int run_console(cli *c, const char *model_file)
{
	if (!c->ui) {
		fputs("lmsctl: this build has no console; use a command (see --help)\n", stderr);
		return EXIT_USAGE;
	}
	if (!c->ui->has_terminal()) {
		fputs("lmsctl: the console needs a terminal; use a command (see --help)\n\n",
		      stderr);
		term_puts(stderr, main_usage);
		return EXIT_USAGE;
	}
	if (model_file && c->model_path && strcmp(model_file, c->model_path) != 0) {
		cli_usage_error(NULL, "two models: -m %s and %s", c->model_path, model_file);
		return EXIT_USAGE;
	}
	if (model_file)
		c->model_path = model_file;
	c->console.templates_dir = c->templates;
	c->console.backend = console_backend;
	c->console.backend_ctx = c;
	int rc = EXIT_USAGE;
	if (load_catalog(c) && load_model(c))
		rc = c->ui->run(c->cat, c->m, &c->console);
	model_free(c->m);
	catalog_free(c->cat);
	c->m = NULL;
	c->cat = NULL;
	return rc;
}

/* --theme: dark, light or mono, refused as soon as it is read */
static bool theme_ok(const char *cmd, const char *value)
{
	if (strcmp(value, "dark") == 0 || strcmp(value, "light") == 0 || strcmp(value, "mono") == 0)
		return true;
	cli_usage_error(cmd, "--theme must be dark, light or mono, not '%s'", value);
	return false;
}

/* The configuration's readonly for an environment, unless --write lifts it. */
static bool env_readonly(void *ctx, const char *environment)
{
	const cli *c = ctx;
	const lms_config_env *e = lms_config_env_find(&c->config, environment);
	return e && e->readonly && !c->write;
}

/* The command or the console, after lmsctl's own options. */
static int cli_dispatch(cli *c, int argc, char **argv, int first)
{
	if (first >= argc)
		return run_console(c, NULL);
	const char *name = argv[first];
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(name, commands[i].name) != 0)
			continue;
		int sub_argc = argc - first;
		char **sub_argv = argv + first;
		if (wants_help(sub_argc, sub_argv)) {
			term_puts(stdout, commands[i].usage);
			return EXIT_OK;
		}
		cli_errors_start();
		int rc = cli_errors_finish(commands[i].fn(c, sub_argc, sub_argv));
		model_free(c->m);
		catalog_free(c->cat);
		return rc;
	}
	/* `lmsctl prod.yml`: a model file opens the console on it */
	struct stat st;
	if (first + 1 == argc && stat(name, &st) == 0 && S_ISREG(st.st_mode))
		return run_console(c, name);
	term_printf(stderr,
	            "lmsctl: unknown command '%s' (and no such model file)\nTry 'lmsctl --help'.\n",
	            name);
	return EXIT_USAGE;
}

int cli_main(int argc, char **argv, const cli_console *console)
{
	cli c = {.ui = console};
	bool version = false;
	const cli_opt opts[] = {CLI_STRING("model", 'm', &c.model_path),
	                        CLI_STRING("templates", 0, &c.templates),
	                        CLI_FLAG("readonly", 0, &c.console.readonly),
	                        CLI_FLAG("no-color", 0, &c.console.no_color),
	                        CLI_CHECKED("theme", 0, &c.console.theme, theme_ok),
	                        CLI_STRING("endpoint-url", 0, &c.endpoint_url),
	                        CLI_STRING("profile", 0, &c.profile),
	                        CLI_STRING("region", 0, &c.region),
	                        CLI_FLAG("debug", 0, &c.debug),
	                        CLI_FLAG("write", 0, &c.write),
	                        CLI_STOP("version", 'V', &version)};
	/* lmsctl's own options end at the command's name (or the model file) */
	const cli_command_line cl = {NULL, main_usage, opts, COUNT(opts), true, false};
	int first;
	int parsed = cli_parse(&cl, argc, argv, &first);
	if (parsed != CLI_CONTINUE)
		return parsed;
	if (version) {
		term_printf(stdout, "lmsctl %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	if (c.write && c.console.readonly) {
		cli_usage_error(NULL, "--write and --readonly contradict each other");
		return EXIT_USAGE;
	}
	lms_error cerr = {0};
	bool config_ok = lms_config_load(&c.config, &cerr);
	for (int a = 0; config_ok && a < KEYMAP_ACTIONS; a++) {
		/* a view's own key would hide a global binding in that view */
		char *taken = c.config.keys.key[a] ? console_key_taken(c.config.keys.key[a]) : NULL;
		if (taken)
			config_ok =
			    lms_config_keys_error(&c.config, (keymap_action)a, taken, &cerr);
		free(taken);
	}
	if (!config_ok) {
		print_error(&cerr);
		lms_error_clear(&cerr);
		term_printf(stderr, "lmsctl: fix the configuration file (see lmsctl(1), FILES), or "
		                    "point LMSCTL_CONFIG at another one\n");
		lms_config_free(&c.config);
		return EXIT_USAGE;
	}
	if (!c.console.theme)
		c.console.theme = c.config.theme;
	c.console.keys = &c.config.keys;
	c.console.env_readonly = env_readonly;
	c.console.env_ctx = &c;
	int rc = cli_dispatch(&c, argc, argv, first);
	lms_config_free(&c.config);
	return rc;
}
