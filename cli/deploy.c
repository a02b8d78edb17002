#include "cli/commands.h"

#include "aws/cfn.h"
#include "aws/credentials.h"
#include "aws/http.h"
#include "aws/provider.h"
#include "aws/s3.h"
#include "aws/sts.h"
#include "cli/conffile.h"
#include "cli/errors.h"
#include "cli/exit.h"
#include "cli/options.h"
#include "common/buf.h"
#include "common/file.h"
#include "common/lazy_crypto.h"
#include "common/num.h"
#include "common/str.h"
#include "common/term.h"
#include "common/vec.h"
#include "model/analysis.h"
#include "model/assemble.h"
#include "model/findings.h"
#include "model/validate.h"
#include "model/ydoc.h"
#include "ops/envflow.h"
#include "ops/flow.h"
#include "ops/leftovers.h"
#include "ops/ops.h"
#include "ops/stackdiff.h"
#include "ops/stackdrift.h"
#include "ops/stackflow.h"
#include "ops/status.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* The commands' only mutable global: set by SIGINT, read by the loops and by the AWS
 * client's interrupt callback. */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static bool is_interrupted(void *ctx)
{
	(void)ctx;
	return interrupted != 0;
}

/* ---- usage ------------------------------------------------------------------------------ */

#define AWS_OPTIONS_HELP                                                                           \
	"      --endpoint-url URL  send every AWS call to URL (a local emulator); also\n"          \
	"                          AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>\n"              \
	"      --profile NAME      the AWS profile to use (default: AWS_PROFILE, then default)\n"  \
	"      --region REGION     must agree with the model's region, which decides\n"            \
	"      --debug             log every AWS request and answer to standard error, with\n"     \
	"                          credentials, tokens and secrets masked\n"

const char deploy_usage[] =
    "Usage: lmsctl [-m MODEL] deploy [--yes] [--no-execute] [--role-arn ARN]\n"
    "                                [--allow-replacement] [--template FILE] [--output json]\n"
    "                                [--set-pipeline-parameter KEY=VALUE]\n"
    "       lmsctl [-m MODEL] deploy --change-set NAME [--yes] [--output json]\n"
    "\n"
    "Validate the model, then create a CloudFormation change set for its stack (templates\n"
    "over 51,200 bytes go through the artifact bucket lmsctl-artifacts-ACCOUNT-REGION),\n"
    "show what it adds, modifies, replaces and removes, ask, execute it, follow the stack\n"
    "events until the stack settles, print the outputs and write them to\n"
    "cfn-outputs/flat-outputs.json. A change set without changes is a clean no-op.\n"
    "When the catalog names a companion (the edge, STACK-edge in us-east-1), deploy the\n"
    "main stack first, then the edge with the main stack's outputs as parameters: one\n"
    "review shows both, one question covers both; a failed main stack stops before the\n"
    "edge. --template and --change-set deploy the one stack.\n"
    "\n"
    "  -m, --model FILE        the model file (default: the built-in dev model)\n"
    "  -y, --yes               do not ask for confirmation (needed without a terminal)\n"
    "      --no-execute        create the change set and show it, execute nothing\n"
    "      --role-arn ARN      the service role CloudFormation creates the resources with\n"
    "      --allow-plain-http  deploy prod although the internal ALB has no certificate\n"
    "                          (SEC001; plain HTTP inside the VPC). Prod is not deployed\n"
    "                          without an alarm recipient (OBS008: set AlarmEmail)\n"
    "      --allow-replacement allow replacing stateful resources (databases, caches,\n"
    "                          file systems, buckets, keys, ...): their data is lost\n"
    "      --template FILE     deploy FILE instead of the template generated from the model\n"
    "                          (the model still gives stack, region and parameter values)\n"
    "      --set-pipeline-parameter KEY=VALUE\n"
    "                          emergency only: set KEY, a parameter the pipeline owns\n"
    "                          (ContainerImage), to VALUE; otherwise an update keeps the\n"
    "                          value the pipeline last deployed (typed confirmation)\n"
    "      --change-set NAME   execute change set NAME (made by --no-execute) after\n"
    "                          checking it belongs to the stack and is executable;\n"
    "                          no new change set is made\n"
    "      --output json       the result as JSON on standard output (also --format),\n"
    "                          with the change set's name and id, and an error object\n"
    "                          on failure\n" AWS_OPTIONS_HELP "\n"
    "Exit status: 0 deployed or nothing to do; 1 validation errors, a refused, failed or\n"
    "rolled-back deploy (with the first failure's reason); 2 bad usage, or a confirmation\n"
    "needed without a terminal; 130 interrupted while following (the deploy goes on).\n";

const char destroy_usage[] =
    "Usage: lmsctl [-m MODEL] destroy [--yes] [--purge] [--role-arn ARN] [--output json]\n"
    "\n"
    "Delete the model's stack and every resource in it, after the operator types the\n"
    "environment's name. The question names each protection in the way; confirmed,\n"
    "lmsctl lifts them through CloudFormation first (termination protection with\n"
    "UpdateTerminationProtection; deletion protection with a change set on the deployed\n"
    "template that sets only the parameters the template names for it, every other\n"
    "parameter as it is), then deletes the stack. A protection no parameter lifts stops\n"
    "it before anything is changed, with the way to lift it by hand. After DELETE_COMPLETE\n"
    "(or when there is no stack) it lists what the environment left outside the stack:\n"
    "backup recovery points, RDS cluster snapshots, log groups services made, secrets\n"
    "pending deletion. With an edge stack (STACK-edge in us-east-1), the question names\n"
    "both and the edge is deleted first, to DELETE_COMPLETE; a missing edge is no error;\n"
    "the log groups it left in us-east-1 are listed (and purged) too.\n"
    "\n"
    "  -m, --model FILE     the model file (default: the built-in dev model)\n"
    "  -y, --yes            do not ask (needed without a terminal)\n"
    "      --purge          also remove what the environment left outside the stack, for\n"
    "                       good, after a second typed confirmation (purge)\n"
    "      --role-arn ARN   the service role CloudFormation deletes the resources with\n"
    "      --output json    the result as JSON on standard output (also "
    "--format)\n" AWS_OPTIONS_HELP "\n"
    "Exit status: 0 deleted or nothing to delete; 1 refused or failed (a leftover not\n"
    "removed); 2 bad usage, or a confirmation needed without a terminal; 130 interrupted\n"
    "while following.\n";

const char status_usage[] =
    "Usage: lmsctl [-m MODEL] status [--follow] [--output json]\n"
    "\n"
    "Show the stack's status, its latest events and its outputs, then the edge stack's\n"
    "(STACK-edge in us-east-1) status and outputs; with --follow, follow the events of\n"
    "both stacks while either is in progress, each line naming its stack.\n"
    "\n"
    "  -m, --model FILE     the model file (default: the built-in dev model)\n"
    "  -f, --follow         follow the stack events until the stack settles\n"
    "      --output json    the status as JSON on standard output (also "
    "--format)\n" AWS_OPTIONS_HELP "\n"
    "Exit status: 0 the stack exists and is not in a failed state; 1 it does not exist,\n"
    "failed or rolled back, or a call failed; 2 bad usage.\n";

const char outputs_usage[] =
    "Usage: lmsctl [-m MODEL] outputs [--output text|json|flat] [--write-flat [FILE]]\n"
    "\n"
    "Print the stack's outputs: text (default), json (key, value, description, export\n"
    "name) or flat (one object of key to value, as cfn-outputs/flat-outputs.json); the\n"
    "edge stack's too (text: its own heading; json: \"Stack\" on each; flat: keys\n"
    "prefixed Edge).\n"
    "\n"
    "  -m, --model FILE     the model file (default: the built-in dev model)\n"
    "      --output F       text, json or flat (also --format F); on failure, json\n"
    "                       prints {\"error\": {\"code\": N, \"message\": ...}}\n"
    "      --write-flat [FILE]\n"
    "                       also write the flat outputs, as deploy does, atomically to\n"
    "                       cfn-outputs/flat-outputs.json or FILE\n" AWS_OPTIONS_HELP "\n"
    "Exit status: 0 printed; 1 no such stack, or a call failed; 2 bad usage.\n";

const char diff_usage[] =
    "Usage: lmsctl [-m MODEL] diff [--unified] [--change-set] [--template FILE]\n"
    "                              [--output text|json]\n"
    "\n"
    "Compare the model with its deployed stack: the parameters (NoEcho values masked and\n"
    "not compared; a parameter the pipeline owns shown as owned, never a difference),\n"
    "the resources the model adds, removes and modifies (both templates rendered, the\n"
    "deployed one under the stack's values), and what an update would replace.\n"
    "Nothing is changed, except with --change-set (a change set made, read, deleted).\n"
    "With an edge stack (STACK-edge in us-east-1), the edge too, against its template and\n"
    "the values a deploy would send it; not deployed, it differs.\n"
    "\n"
    "  -m, --model FILE     the model file (default: the built-in dev model)\n"
    "  -u, --unified        also the unified diff of the two rendered templates\n"
    "      --change-set     also create the update's change set, show its changes and\n"
    "                       replacements, and delete it (never executed)\n"
    "      --template FILE  compare FILE (as deploy --template sends it) instead of the\n"
    "                       template generated from the model (the one stack)\n"
    "      --output F       text (default) or json (also --format F); on failure, json\n"
    "                       prints {\"error\": {\"code\": N, \"message\": ...}}\n" AWS_OPTIONS_HELP
    "\n"
    "Exit status: 0 the stack (and the edge) match the model; 3 either differs; 1\n"
    "validation errors, or a call failed; 2 bad usage, or no deployed stack.\n";

const char drift_usage[] =
    "Usage: lmsctl [-m MODEL] drift [--output text|json]\n"
    "\n"
    "Detect drift of the model's stack: start CloudFormation drift detection, wait for\n"
    "it (progress on standard error), then list each drifted resource (MODIFIED or\n"
    "DELETED) with its property differences, expected against actual. With an edge\n"
    "stack (STACK-edge in us-east-1), its drift too, under its own heading.\n"
    "\n"
    "  -m, --model FILE     the model file (default: the built-in dev model)\n"
    "      --output F       text (default) or json (also --format F); on failure, json\n"
    "                       prints {\"error\": {\"code\": N, \"message\": ...}}\n" AWS_OPTIONS_HELP
    "\n"
    "Exit status: 0 in sync; 3 either stack drifted; 1 a detection failed, a call\n"
    "failed, or the endpoint has no drift detection (moto); 2 bad usage, or no deployed\n"
    "stack; 130 interrupted while waiting (the detection goes on).\n";

/* ---- the state of one command ------------------------------------------------------------ */

typedef struct op {
	const char *name; /* "deploy", ... */
	const deploy_env *env;
	const char *model_path;
	const char *endpoint_url, *profile, *region_option;
	buf profile_source; /* where the profile came from when not --profile (the config) */
	bool changes;       /* makes an AWS change besides deploy/destroy (diff --change-set) */
	bool debug;
	bool json;  /* --output json: the result on stdout, progress on stderr */
	FILE *info; /* where progress goes */
	bool color;
	const catalog *cat;
	const model *m;
	const char *stack, *region, *environment, *suffix;
	provider_cache *creds; /* renewed by the client as they expire */
	aws_client *aws;
	sts_identity who;
	bool have_identity;
	struct sigaction old_int;
	bool handler_installed;
	/* the model's findings, validated once (validate_first) for every gate after it */
	findings checked;
	/* the environment's companion stack (the edge, ops/envflow.h), once open_edge made it:
	 * edge.comp NULL when the catalog names none */
	ef_companion edge;
} op;

/* The styles say() knows, as markers color() hands out: characters of Unicode's private use
 * area, which term_vaddf() passes unchanged (they are not control characters), turned into
 * the terminal's SGR sequences only after the whole line has been made safe. Text from a
 * model or from AWS that holds one of them can at most turn text red or bold. */
#define RED "\xee\x80\x80"   /* U+E000 */
#define BOLD "\xee\x80\x81"  /* U+E001 */
#define RESET "\xee\x80\x82" /* U+E002 */

static void say(op *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(op *o, const char *fmt, ...)
{
	static const char *const sgr[] = {"\033[31m", "\033[1m", "\033[0m"};
	va_list ap;
	va_start(ap, fmt);
	buf b;
	buf_init(&b, 0);
	term_vaddf(&b, fmt, ap);
	va_end(ap);
	const char *p = buf_cstr(&b), *end = p + b.len;
	while (p < end) {
		const char *m = memchr(p, 0xee, (size_t)(end - p));
		if (!m || m + 2 >= end || (unsigned char)m[1] != 0x80 ||
		    (unsigned char)m[2] < 0x80 || (unsigned char)m[2] > 0x82) {
			size_t n = m ? (size_t)(m - p) + 1 : (size_t)(end - p);
			fwrite(p, 1, n, o->info);
			p += n;
			continue;
		}
		fwrite(p, 1, (size_t)(m - p), o->info);
		fputs(sgr[(unsigned char)m[2] - 0x80], o->info);
		p = m + 3;
	}
	buf_free(&b);
	fflush(o->info);
}

/* Every failure goes through cli/errors.h: "lmsctl: ..." on stderr, the first message kept
 * for the JSON error object of --output json. */
static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_verror(fmt, ap);
	va_end(ap);
}

static void fail_err(const lms_error *err)
{
	char *s = lms_error_format(err);
	fail("%s", s ? s : "error");
	free(s);
}

static const char *color(const op *o, const char *code)
{
	return o->color ? code : "";
}

static void op_init(op *o, const char *name, const deploy_env *env)
{
	memset(o, 0, sizeof *o);
	o->name = name;
	o->env = env;
	o->model_path = env->model_path;
	o->endpoint_url = env->endpoint_url;
	o->profile = env->profile;
	o->region_option = env->region;
	o->debug = env->debug;
	o->info = stdout;
	findings_init(&o->checked);
	buf_init(&o->profile_source, 0);
}

static void op_free(op *o)
{
	if (o->handler_installed)
		sigaction(SIGINT, &o->old_int, NULL);
	ef_close(&o->edge);
	aws_client_free(o->aws);
	provider_cache_free(o->creds);
	sts_identity_free(&o->who);
	findings_free(&o->checked);
	buf_free(&o->profile_source);
}

static void install_interrupt(op *o)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a prompt's read returns */
	interrupted = 0;
	o->handler_installed = sigaction(SIGINT, &sa, &o->old_int) == 0;
}

/* The options every AWS command takes, written into its op. */
#define AWS_OPTIONS(o)                                                                             \
	CLI_STRING("model", 'm', &(o)->model_path),                                                \
	    CLI_STRING("endpoint-url", 0, &(o)->endpoint_url),                                     \
	    CLI_STRING("profile", 0, &(o)->profile), CLI_STRING("region", 0, &(o)->region_option), \
	    CLI_FLAG("debug", 0, &(o)->debug)

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool stdin_is_terminal(void)
{
	return isatty(STDIN_FILENO) == 1;
}

/* Loads the model and sets stack, region, environment. */
static bool load(op *o)
{
	if (!o->env->load(o->env->ctx, o->model_path, &o->cat, &o->m))
		return false;
	o->stack = model_get(o->m, "stack");
	o->region = model_get(o->m, "region");
	o->environment = model_get(o->m, "environment");
	o->suffix = model_get(o->m, "suffix");
	if (!o->stack || !o->stack[0] || !o->region || !o->region[0]) {
		fail("%s: the model has no stack or region: set both (see lmsctl-model(5))",
		     o->model_path ? o->model_path : "the built-in model");
		return false;
	}
	if (!o->environment)
		o->environment = "";
	if (!o->suffix || !o->suffix[0])
		o->suffix = o->environment;
	/* the configuration file: the environment's profile counts as --profile; deploy and
	 * destroy refuse a read-only environment (or --readonly) unless --write */
	const lms_config_env *ce =
	    o->env->config ? lms_config_env_find(o->env->config, o->environment) : NULL;
	if ((!o->profile || !o->profile[0]) && ce && ce->profile) {
		o->profile = ce->profile;
		buf_addf(&o->profile_source, "[env %s] in %s", o->environment,
		         o->env->config->path);
	}
	bool changes =
	    o->changes || strcmp(o->name, "deploy") == 0 || strcmp(o->name, "destroy") == 0;
	if (changes && o->env->readonly) {
		fail("%s: a read-only session (--readonly) deploys and destroys nothing", o->name);
		buf_free(&o->profile_source); /* the callers return without op_free */
		return false;
	}
	if (changes && ce && ce->readonly && !o->env->write) {
		fail(
		    "%s: environment %s is read-only in %s ([env %s] readonly = true): add --write "
		    "(lmsctl --write %s ...) to change it",
		    o->name, o->environment, o->env->config->path, o->environment, o->name);
		buf_free(&o->profile_source);
		return false;
	}
	const char *no_color = getenv("NO_COLOR");
	o->color = isatty(fileno(o->info)) == 1 && !(no_color && no_color[0]);
	return true;
}

/* How a command begins (op_begin): its usage and options, where --output lands. */
typedef struct op_start {
	const char *usage;
	const cli_opt *opts;
	size_t nopts;
	const char *const *output; /* the --output (--format) value once parsed; NULL: none */
	/* outputs: operands allowed (--write-flat FILE), and every format but text is a JSON
	 * one (json, flat); the others: no operand, JSON with --output json only */
	bool operands;
	/* the command's own checks of its parsed options, before the model is loaded (NULL:
	 * none): CLI_CONTINUE, or the exit status to end with; `first` is the first operand */
	int (*check)(op *o, void *ctx, int first, int argc, char **argv);
	void *ctx;
} op_start;

/* The prologue every AWS command shares: the options parsed, the JSON mode set (errors as
 * a JSON object on standard output, progress on standard error), the command's checks,
 * the model loaded. CLI_CONTINUE when the command goes on (op_free at its end), else the
 * exit status to return (nothing to free). */
static int op_begin(op *o, const op_start *st, int argc, char **argv)
{
	const cli_command_line cl = {o->name,   st->usage,    st->opts,
	                             st->nopts, st->operands, st->operands};
	int first;
	int rc = cli_parse(&cl, argc, argv, &first);
	if (rc != CLI_CONTINUE)
		return rc;
	const char *output = *st->output;
	o->json =
	    st->operands ? strcmp(output, "text") != 0 : output && strcmp(output, "json") == 0;
	cli_errors_want_json(o->json);
	if (st->check && (rc = st->check(o, st->ctx, first, argc, argv)) != CLI_CONTINUE)
		return rc;
	if (o->json)
		o->info = stderr;
	return load(o) ? CLI_CONTINUE : EXIT_USAGE;
}

/* The region: the model's. A conflicting --region is refused (2); a conflicting region from
 * the environment or the profile is reported and ignored. */
static int check_region(op *o)
{
	if (o->region_option && o->region_option[0] && strcmp(o->region_option, o->region) != 0) {
		fail("--region %s conflicts with the model's region %s (%s): the model decides; "
		     "drop --region, or change region in the model",
		     o->region_option, o->region, o->model_path ? o->model_path : "built-in model");
		return EXIT_USAGE;
	}
	buf configured;
	buf_init(&configured, 0);
	lms_error err = {0};
	if (credentials_region(o->profile, &configured, &err) == CREDENTIALS_OK &&
	    strcmp(buf_cstr(&configured), o->region) != 0) {
		const char *r1 = getenv("AWS_REGION"), *r2 = getenv("AWS_DEFAULT_REGION");
		const char *source = r1 && r1[0]   ? "AWS_REGION"
		                     : r2 && r2[0] ? "AWS_DEFAULT_REGION"
		                                   : "the profile's region";
		term_printf(stderr,
		            "lmsctl: note: %s is %s, the model's region is %s: using %s (the model "
		            "decides)\n",
		            source, buf_cstr(&configured), o->region, o->region);
	}
	lms_error_clear(&err);
	buf_free(&configured);
	return EXIT_OK;
}

long deploy_env_ms(const char *name)
{
	const char *v = getenv(name);
	if (!v || !v[0])
		return 0;
	long n = 0;
	if (!lms_parse_long(v, 1, 3600000L, &n)) {
		term_printf(stderr,
		            "lmsctl: warning: %s=%.20s is not a number of milliseconds; ignored\n",
		            name, v);
		return 0;
	}
	return n;
}

/* The catalog's NoEcho parameters, by name (their values in answers: DescribeStacks) and by
 * the model's value (a second net), are never shown in the --debug log. */
static void mask_no_echo_of(aws_client *aws, const catalog *cat, const model *m)
{
	for (size_t i = 0; aws && cat && i < cat->nparams; i++) {
		const cat_param *p = &cat->params[i];
		if (!p->no_echo)
			continue;
		aws_client_mask_parameter(aws, p->e.name);
		if (m)
			aws_client_mask(aws, model_param_value(m, cat, p->e.name));
	}
}

static void mask_no_echo(op *o)
{
	mask_no_echo_of(o->aws, o->cat, o->m);
}

static bool ask_mfa_code(void *ctx, const char *profile, const char *serial, buf *code);

static void connect_options(op *o, sf_connect_options *co)
{
	*co = (sf_connect_options){.profile = o->profile,
	                           .profile_named_by =
	                               o->profile_source.len ? buf_cstr(&o->profile_source) : NULL,
	                           .region = o->region,
	                           .endpoint_url = o->endpoint_url,
	                           .timeout_ms = deploy_env_ms("LMSCTL_HTTP_TIMEOUT_MS"),
	                           .backoff_unit_ms = deploy_env_ms("LMSCTL_HTTP_BACKOFF_MS"),
	                           .debug = o->debug ? stderr : NULL,
	                           .interrupted = is_interrupted,
	                           .mfa_prompt = ask_mfa_code};
}

/* Credentials, client and caller identity. */
static int connect_aws(op *o)
{
	int rc = check_region(o);
	if (rc != EXIT_OK)
		return rc;
	lms_error err = {0};
	sf_connect_options co;
	connect_options(o, &co);
	sf_session ses;
	credentials_status st = CREDENTIALS_OK;
	sf_connect_step failed = sf_connect(&co, &ses, &st, &err);
	/* op_free frees what was made */
	o->creds = ses.creds;
	o->aws = ses.aws;
	o->who = ses.who;
	o->have_identity = ses.have_identity;
	mask_no_echo(o);
	switch (failed) {
	case SF_CONNECT_DONE:
		break;
	case SF_CONNECT_CREDENTIALS:
		fail_err(&err);
		if (st != CREDENTIALS_NOT_FOUND)
			fail("the AWS credentials above are needed for %s", o->name);
		lms_error_clear(&err);
		return EXIT_FINDINGS;
	case SF_CONNECT_CLIENT:
		fail_err(&err);
		lms_error_clear(&err);
		return EXIT_USAGE;
	case SF_CONNECT_IDENTITY:
		fail_err(&err);
		fail("cannot confirm who the credentials (%s) belong to; nothing was changed",
		     provider_cache_source(o->creds));
		lms_error_clear(&err);
		return EXIT_FINDINGS;
	}
	bool prod = strcmp(o->environment, "prod") == 0;
	say(o, "%s%s%s stack %s in account %s, %s, as %s\n", color(o, BOLD),
	    prod ? "PROD" : o->environment, color(o, RESET), o->stack, o->who.account, o->region,
	    o->who.arn);
	return EXIT_OK;
}

/* The environment's companion stack (the edge: its catalog, its model, a client for its
 * Region with the same credentials), after connect_aws; EXIT_OK with o->edge.comp NULL when
 * the catalog names none. */
static int open_edge(op *o)
{
	lms_error err = {0};
	if (!o->edge.stack && !ef_open(o->cat, o->m, &o->edge, &err)) {
		fail_err(&err);
		lms_error_clear(&err);
		return EXIT_FINDINGS;
	}
	if (!o->edge.comp || o->edge.aws)
		return EXIT_OK; /* none, or opened already */
	sf_connect_options co;
	connect_options(o, &co);
	if (!ef_connect(&o->edge, &co, o->creds, &err)) {
		fail_err(&err);
		lms_error_clear(&err);
		return EXIT_USAGE;
	}
	mask_no_echo_of(o->edge.aws, o->edge.cat, o->edge.m);
	return EXIT_OK;
}

/* ---- prompts ------------------------------------------------------------------------------ */

/* Reads a line from the terminal after discarding what was typed ahead; NULL on EOF or
 * Ctrl-C. */
static char *read_answer(const char *prompt)
{
	tcflush(STDIN_FILENO, TCIFLUSH);
	term_puts(stderr, prompt);
	fflush(stderr);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (n < 0 || interrupted) {
		free(line);
		fputc('\n', stderr);
		clearerr(stdin);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
		line[--n] = '\0';
	return line;
}

/* The MFA code of a role profile (mfa_serial), asked on the terminal with echo off; false
 * without a terminal (stdin not one), so a script is refused with a message, never stopped
 * at a prompt nobody sees. */
static bool ask_mfa_code(void *ctx, const char *profile, const char *serial, buf *code)
{
	(void)ctx;
	if (!stdin_is_terminal())
		return false;
	struct termios saved, quiet;
	bool restore = tcgetattr(STDIN_FILENO, &saved) == 0;
	if (restore) {
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	buf p;
	buf_init(&p, 0);
	buf_addf(&p, "MFA code for %s (profile %s): ", serial, profile);
	char *a = read_answer(buf_cstr(&p));
	buf_free(&p);
	if (restore) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
		fputc('\n', stderr);
	}
	bool ok = a && a[0];
	if (ok)
		buf_adds(code, a);
	if (a) {
		memset(a, 0, strlen(a));
		free(a);
	}
	return ok && !code->failed;
}

static bool confirm_yes_no(const char *question)
{
	buf p;
	buf_init(&p, 0);
	buf_addf(&p, "%s [y/N] ", question);
	char *a = read_answer(buf_cstr(&p));
	buf_free(&p);
	bool yes = a && (strcmp(a, "y") == 0 || strcmp(a, "Y") == 0 || strcmp(a, "yes") == 0);
	free(a);
	return yes;
}

static bool confirm_typed(const char *question, const char *expected)
{
	buf p;
	buf_init(&p, 0);
	buf_addf(&p, "%s\nType %s to go on, anything else stops: ", question, expected);
	char *a = read_answer(buf_cstr(&p));
	buf_free(&p);
	bool yes = a && strcmp(a, expected) == 0;
	free(a);
	return yes;
}

/* ---- journal ------------------------------------------------------------------------------ */

static void journal_at(op *o, const char *region, const char *stack, const char *change_set,
                       const char *result)
{
	sf_journal_entry e = {.command = o->name,
	                      .caller = o->have_identity ? o->who.arn : NULL,
	                      .account = o->have_identity ? o->who.account : NULL,
	                      .region = region,
	                      .stack = stack,
	                      .change_set = change_set,
	                      .result = result};
	lms_error err = {0};
	if (!sf_journal(&e, &err))
		term_printf(stderr, "lmsctl: warning: %s\n", err.msg ? err.msg : "journal");
	lms_error_clear(&err);
}

static void journal(op *o, const char *change_set, const char *result)
{
	journal_at(o, o->region, o->stack, change_set, result);
}

/* ---- events --------------------------------------------------------------------------------- */

/* An event's line; `stack` (NULL: none) names its stack when two are followed at once. */
static void print_event_of(op *o, const char *stack, const cfn_event *e)
{
	char when[16] = "--:--:--";
	if (e->timestamp) {
		struct tm tm;
		gmtime_r(&e->timestamp, &tm);
		strftime(when, sizeof when, "%H:%M:%S", &tm);
	}
	bool bad = ops_event_status_failed(e->status);
	say(o, "  %s  %s%s%s%-28s%s %-40s %s%s%s\n", when, stack ? stack : "", stack ? "  " : "",
	    bad ? color(o, RED) : "", e->status, bad ? color(o, RESET) : "", e->resource_type,
	    e->logical_id, e->reason ? "  " : "", e->reason ? e->reason : "");
}

static void print_event(op *o, const cfn_event *e)
{
	print_event_of(o, NULL, e);
}

static bool pause_seconds(int s)
{
	for (int i = 0; i < s * 10; i++) {
		if (interrupted)
			return false;
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return !interrupted;
}

static void print_event_hook(void *ctx, const cfn_event *e)
{
	print_event(ctx, e);
}

static bool pause_hook(void *ctx, int seconds)
{
	(void)ctx;
	return pause_seconds(seconds);
}

static bool stopped_hook(void *ctx)
{
	(void)ctx;
	return interrupted != 0;
}

static const sf_hooks *hooks(op *o, sf_hooks *h)
{
	*h = (sf_hooks){o, print_event_hook, pause_hook, stopped_hook};
	return h;
}

/* Follows the stack's events until its status settles, printing them (sf_follow). */
static sf_follow_result follow(op *o, cfn_event_tracker *t, const char *id, bool after_execute,
                               cfn_stack **final, sf_failure *first, lms_error *err)
{
	sf_hooks h;
	return sf_follow(o->aws, t, o->stack, id, after_execute, hooks(o, &h), final, first, err);
}

static void say_interrupted(op *o)
{
	term_printf(stderr,
	            "\nlmsctl: interrupted: the stack operation goes on in CloudFormation; nothing "
	            "was cancelled.\nFollow it again with: lmsctl%s%s status --follow\n",
	            o->model_path ? " -m " : "", o->model_path ? o->model_path : "");
}

/* ---- outputs --------------------------------------------------------------------------- */

static bool write_flat_outputs(const cfn_stack *s)
{
	lms_error err = {0};
	bool ok = sf_write_flat_outputs(s, &err);
	if (!ok) {
		fail_err(&err);
		fail("cannot write %s", SF_OUTPUTS_FILE);
	}
	lms_error_clear(&err);
	return ok;
}

static void print_outputs_text(op *o, const cfn_stack *s)
{
	if (!s->noutputs) {
		say(o, "The stack has no outputs.\n");
		return;
	}
	size_t w = 0;
	for (size_t i = 0; i < s->noutputs; i++)
		if (strlen(s->outputs[i].key) > w)
			w = strlen(s->outputs[i].key);
	for (size_t i = 0; i < s->noutputs; i++)
		say(o, "  %-*s  %s\n", (int)w, s->outputs[i].key, s->outputs[i].value);
}

/* ---- change set summary ----------------------------------------------------------------- */

static bool change_replaces(const cfn_change *ch)
{
	return strcmp(ch->action, "Modify") == 0 && ch->replacement &&
	       (strcmp(ch->replacement, "True") == 0 ||
	        strcmp(ch->replacement, "Conditional") == 0);
}

/* Riskiest first, in the console's order (ops_change_risk). */
static int compare_changes(const void *a, const void *b)
{
	const cfn_change *x = a, *y = b;
	ops_change ox = {.action = ops_action_of(x->action),
	                 .replacement = ops_replacement_of(x->replacement),
	                 .stateful = type_is_stateful(x->resource_type)};
	ops_change oy = {.action = ops_action_of(y->action),
	                 .replacement = ops_replacement_of(y->replacement),
	                 .stateful = type_is_stateful(y->resource_type)};
	int d = ops_change_risk(&oy) - ops_change_risk(&ox);
	return d ? d : strcmp(x->logical_id, y->logical_id);
}

typedef struct summary {
	size_t add, modify, remove, replace, stateful_replace, stateful_remove;
} summary;

static summary summarize(op *o, cfn_change_set *cs, const char *type)
{
	summary sm = {0};
	qsort(cs->changes, cs->nchanges, sizeof *cs->changes, compare_changes);
	for (size_t i = 0; i < cs->nchanges; i++) {
		const cfn_change *ch = &cs->changes[i];
		bool stateful = type_is_stateful(ch->resource_type);
		if (strcmp(ch->action, "Add") == 0)
			sm.add++;
		else if (strcmp(ch->action, "Remove") == 0) {
			sm.remove++;
			sm.stateful_remove += stateful;
		} else if (strcmp(ch->action, "Modify") == 0) {
			sm.modify++;
			if (change_replaces(ch)) {
				sm.replace++;
				sm.stateful_replace += stateful;
			}
		}
	}
	say(o, "\nChange set %s (%s): %zu to add, %zu to modify (%zu replaced), %zu to remove\n",
	    cs->name ? cs->name : "?", type, sm.add, sm.modify, sm.replace, sm.remove);
	if (sm.stateful_replace || sm.stateful_remove)
		say(o, "%s  %zu stateful resource(s) replaced, %zu removed: their data is lost%s\n",
		    color(o, RED), sm.stateful_replace, sm.stateful_remove, color(o, RESET));
	for (size_t i = 0; i < cs->nchanges; i++) {
		const cfn_change *ch = &cs->changes[i];
		bool stateful = type_is_stateful(ch->resource_type);
		bool replace = change_replaces(ch);
		const char *mark = strcmp(ch->action, "Add") == 0      ? "+ Add    "
		                   : strcmp(ch->action, "Remove") == 0 ? "- Remove "
		                   : replace                           ? "! Replace"
		                                                       : "~ Modify ";
		bool red = stateful && (replace || strcmp(ch->action, "Remove") == 0);
		say(o, "  %s%s %-40s %s%s", red ? color(o, RED) : "", mark, ch->resource_type,
		    ch->logical_id, red ? color(o, RESET) : "");
		if (replace)
			say(o, "  (replacement: %s%s%s)", ch->replacement,
			    ch->replacing_properties ? ", because of " : "",
			    ch->replacing_properties ? ch->replacing_properties : "");
		if (stateful && (replace || strcmp(ch->action, "Remove") == 0))
			say(o, "  STATEFUL");
		say(o, "\n");
	}
	return sm;
}

static json_t *changes_json(const cfn_change_set *cs)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < cs->nchanges; i++) {
		const cfn_change *ch = &cs->changes[i];
		json_array_append_new(a,
		                      json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:b}", "action",
		                                ch->action, "logicalId", ch->logical_id, "type",
		                                ch->resource_type, "replacement", ch->replacement,
		                                "replacingProperties", ch->replacing_properties,
		                                "stateful", type_is_stateful(ch->resource_type)));
	}
	return a;
}

/* A change set's changes said (summarize) and, as JSON, in *changes (what was there
 * replaced). */
static summary show_changes(op *o, cfn_change_set *cs, const char *type, json_t **changes)
{
	summary sm = summarize(o, cs, type);
	json_decref(*changes);
	*changes = changes_json(cs);
	return sm;
}

/* What the review of one stack's change set found. */
typedef enum { CS_EMPTY, CS_FAILED, CS_REFUSED, CS_CHANGES } cs_review;

/* The review of one stack's change set, the same for the main stack and the edge: no
 * changes (CS_EMPTY, nothing said); FAILED (said); else its changes shown (show_changes:
 * *sm, *changes), and a stateful replacement refused without `allow_replacement`, `left`
 * saying what is left then. *result is set for FAILED and a refusal. */
static cs_review review_change_set(op *o, const char *stack, cfn_change_set *cs, const char *type,
                                   bool allow_replacement, const char *left, summary *sm,
                                   json_t **changes, const char **result)
{
	if (cfn_change_set_is_empty(cs))
		return CS_EMPTY;
	if (strcmp(cs->status, "FAILED") == 0) {
		fail("the change set of %s failed: %s", stack,
		     cs->status_reason ? cs->status_reason : "no reason");
		*result = "failed: change set FAILED";
		return CS_FAILED;
	}
	*sm = show_changes(o, cs, type, changes);
	if (sm->stateful_replace && !allow_replacement) {
		fail("refusing to replace %zu stateful resource(s) of %s (their data would be "
		     "lost): pass --allow-replacement if that is intended; %s",
		     sm->stateful_replace, stack, left);
		*result = "refused: stateful replacement";
		return CS_REFUSED;
	}
	return CS_CHANGES;
}

/* `aws cloudformation execute-change-set` of change set `name` of `stack` in `region`, with
 * --endpoint-url when CloudFormation's endpoint is a configured one, added to `out`. */
static void execute_command(aws_client *aws, const char *region, const char *stack,
                            const char *name, buf *out)
{
	buf_addf(out, "aws cloudformation execute-change-set --region %s", region);
	aws_cli_endpoint_option(aws, "cloudformation", out);
	buf_addf(out, " --stack-name %s --change-set-name %s", stack, name);
}

/* ---- template and parameters ------------------------------------------------------------ */

static bool read_file(const char *path, size_t max, buf *out)
{
	lms_error err = {0};
	bool ok = file_read(path, max, out, &err);
	if (!ok)
		fail_err(&err);
	lms_error_clear(&err);
	return ok;
}

static const char *model_value_cb(void *ctx, const char *param)
{
	op *o = ctx;
	return model_param_value(o->m, o->cat, param);
}

typedef struct params {
	cfn_kv *kv;
	size_t n;
} params;

static void params_free(params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->kv[i].key);
		free(p->kv[i].value);
	}
	free(p->kv);
}

static bool params_add(params *p, const char *key, const char *value, bool no_echo,
                       bool keep_previous)
{
	if (!VEC_RESIZE(p->kv, p->n + 1))
		return false;
	p->kv[p->n].key = strdup(key);
	p->kv[p->n].value = strdup(value);
	p->kv[p->n].no_echo = no_echo;
	p->kv[p->n].keep_previous = keep_previous;
	p->n++;
	return p->kv[p->n - 1].key && p->kv[p->n - 1].value;
}

/* --set-pipeline-parameter KEY=VALUE: the one parameter the pipeline owns that this deploy
 * sets to VALUE (an update too), instead of keeping the stack's. */
typedef struct pipeline_override {
	char *key;
	const char *value;
} pipeline_override;

/* A parameter the pipeline owns keeps the stack's value on an update, unless overridden. */
static bool params_override(params *p, const pipeline_override *ov)
{
	for (size_t i = 0; ov->key && i < p->n; i++) {
		if (strcmp(p->kv[i].key, ov->key) != 0)
			continue;
		char *v = strdup(ov->value);
		if (!v)
			return false;
		free(p->kv[i].value);
		p->kv[i].value = v;
		p->kv[i].keep_previous = false;
	}
	return true;
}

/* The parameter values for the template: the model's value of every parameter the
 * template declares (the assembled template declares the catalog's). NoEcho values are
 * marked so: CreateChangeSet writes them as "****" in every log (and the client masks
 * them in answers too). A parameter the pipeline owns is its Default, kept at the stack's
 * value on an update (keep_previous), unless --set-pipeline-parameter names it. */
static bool collect_parameters(op *o, const char *template_path, const buf *tpl,
                               const pipeline_override *ov, params *out)
{
	memset(out, 0, sizeof *out);
	if (!template_path) {
		/* the values the console sends too */
		size_t n = 0;
		ops_param *v = ops_model_params(o->cat, o->m, &n);
		bool ok = v != NULL;
		for (size_t i = 0; ok && i < n; i++) {
			if (v[i].no_echo)
				aws_client_mask(o->aws, v[i].value);
			ok =
			    params_add(out, v[i].key, v[i].value, v[i].no_echo, v[i].keep_previous);
		}
		free(v);
		return ok && params_override(out, ov);
	}
	lms_error err = {0};
	ydoc *doc = ydoc_parse(template_path, buf_cstr(tpl), tpl->len, &err);
	if (!doc) {
		fail_err(&err);
		lms_error_clear(&err);
		return false;
	}
	const ynode *decl = ynode_get(doc->root, "Parameters");
	bool ok = true;
	for (size_t i = 0; ok && decl && decl->kind == YNODE_MAP && i < decl->n; i++) {
		const char *name = ynode_str(ynode_key(decl, i));
		const char *v = name ? model_param_value(o->m, o->cat, name) : NULL;
		if (!v)
			continue;
		const char *no_echo = ynode_str(ynode_get(ynode_val(decl, i), "NoEcho"));
		bool secret = no_echo && strcasecmp(no_echo, "true") == 0;
		if (secret) {
			aws_client_mask(o->aws, v);
			aws_client_mask_parameter(o->aws, name);
		}
		const cat_param *cp = catalog_param(o->cat, name);
		ok = params_add(out, name, v, secret, cp && cp->pipeline_owned);
	}
	ydoc_free(doc);
	return ok && params_override(out, ov);
}

/* ---- deploy ------------------------------------------------------------------------------ */

typedef struct deploy_opts {
	bool yes, no_execute, allow_replacement, allow_plain_http;
	const char *role_arn, *template_path;
	const char *change_set;   /* --change-set NAME: execute that one, make none */
	const char *set_pipeline; /* --set-pipeline-parameter KEY=VALUE */
	pipeline_override override;
} deploy_opts;

/* The edge stack's part of a deploy (the JSON's "edge" object, its journal entry). */
typedef struct edge_result {
	const char *stack, *region; /* NULL: the environment has no edge (or --template) */
	const char *result;
	char *change_set, *change_set_id;
	json_t *changes;
	cfn_stack *after; /* the settled stack */
	sf_failure first;
} edge_result;

static void edge_result_free(edge_result *e)
{
	free(e->change_set);
	free(e->change_set_id);
	json_decref(e->changes);
	cfn_stack_free(e->after);
	sf_failure_free(&e->first);
	memset(e, 0, sizeof *e);
}

static json_t *edge_result_json(const edge_result *e)
{
	json_t *doc = json_pack("{s:s, s:s, s:s?}", "stack", e->stack, "region", e->region,
	                        "result", e->result);
	if (doc && e->change_set)
		json_object_set_new(doc, "changeSet", json_string(e->change_set));
	if (doc && e->change_set)
		json_object_set_new(
		    doc, "change_set",
		    json_pack("{s:s, s:s?}", "name", e->change_set, "id", e->change_set_id));
	if (doc && e->changes)
		json_object_set(doc, "changes", e->changes);
	if (doc && e->after) {
		json_object_set_new(doc, "status", json_string(e->after->status));
		json_object_set_new(doc, "outputs", sf_outputs_flat(e->after));
	}
	if (doc && e->first.logical_id)
		json_object_set_new(doc, "firstFailure",
		                    json_pack("{s:s, s:s, s:s, s:s}", "logicalId",
		                              e->first.logical_id, "type", e->first.type, "status",
		                              e->first.status, "reason", e->first.reason));
	return doc;
}

typedef struct deploy_result {
	edge_result edge;
	const char *result;  /* for the journal and the JSON */
	char *change_set;    /* name */
	char *change_set_id; /* its ARN, when known */
	json_t *changes;
	sf_failure first;
	cfn_stack *stack;
	char *stack_status;
	json_t *leftovers; /* destroy: what the environment left outside the stack */
} deploy_result;

static void emit_json(op *o, const char *key, const char *result, const deploy_result *r, int rc)
{
	if (!o->json)
		return;
	cli_errors_emitted();
	json_t *doc = json_pack("{s:s, s:s, s:s, s:s?}", "stack", o->stack, "region", o->region,
	                        key, result, "changeSet", r ? r->change_set : NULL);
	if (!doc)
		return;
	if (o->have_identity)
		json_object_set_new(doc, "account", json_string(o->who.account));
	if (r && r->change_set)
		json_object_set_new(
		    doc, "change_set",
		    json_pack("{s:s, s:s?}", "name", r->change_set, "id", r->change_set_id));
	if (rc != EXIT_OK)
		json_object_set_new(doc, "error", cli_error_object(rc));
	if (r && r->stack_status)
		json_object_set_new(doc, "status", json_string(r->stack_status));
	if (r && r->changes)
		json_object_set(doc, "changes", r->changes);
	if (r && r->first.logical_id)
		json_object_set_new(doc, "firstFailure",
		                    json_pack("{s:s, s:s, s:s, s:s}", "logicalId",
		                              r->first.logical_id, "type", r->first.type, "status",
		                              r->first.status, "reason", r->first.reason));
	if (r && r->stack)
		json_object_set_new(doc, "outputs", sf_outputs_flat(r->stack));
	if (r && r->leftovers)
		json_object_set(doc, "leftovers", r->leftovers);
	if (r && r->edge.stack)
		json_object_set_new(doc, "edge", edge_result_json(&r->edge));
	char *text = term_json_dumps(doc, JSON_INDENT(2));
	if (text)
		term_printf(stdout, "%s\n", text);
	free(text);
	json_decref(doc);
}

/* Deletes a stack that failed its creation (ROLLBACK_COMPLETE) so that it can be created
 * again; false when refused or failed. */
/* The deletion of a failed stack `stack` (sf_run's result `rr`, the stack as it settled
 * `final`, its first failure and error), the same for the main stack and the edge:
 * EXIT_OK when it is gone; else what went wrong said, and the exit status. */
static int failed_stack_deleted(op *o, const char *stack, sf_run_result rr, const cfn_stack *final,
                                const sf_failure *first, const lms_error *err)
{
	switch (rr) {
	case SF_RUN_REFUSED:
	case SF_RUN_LOST:
		fail_err(err);
		return EXIT_FINDINGS;
	case SF_RUN_INTERRUPTED:
		say_interrupted(o);
		return EXIT_INTERRUPTED;
	case SF_RUN_SETTLED:
		break;
	}
	if (final && strcmp(final->status, "DELETE_COMPLETE") != 0) {
		fail("the failed stack %s could not be deleted (%s)%s%s", stack, final->status,
		     first->reason ? ": " : "", first->reason ? first->reason : "");
		return EXIT_FINDINGS;
	}
	return EXIT_OK;
}

/* DeleteStack of the main stack `s` (as described), by its id when known, with `role_arn`
 * (NULL: the stack's); `started` said once it is accepted (NULL: nothing). */
static sf_operation delete_operation(const op *o, const cfn_stack *s, const char *role_arn,
                                     void (*started)(void *ctx))
{
	return (sf_operation){.call = SF_DELETE,
	                      .target = s->id ? s->id : o->stack,
	                      .role_arn = role_arn ? role_arn : s->role_arn,
	                      .events_of = s->id ? s->id : o->stack,
	                      .stack = o->stack,
	                      .id = s->id,
	                      .started = started};
}

static int delete_failed_stack(op *o, const deploy_opts *d, const cfn_stack *s)
{
	say(o,
	    "Stack %s is in %s: its creation failed and it must be deleted before it can be "
	    "created again.\n",
	    o->stack, s->status);
	if (!d->yes && !confirm_yes_no("Delete it now?")) {
		say(o, "Nothing deleted, nothing deployed.\n");
		return EXIT_FINDINGS;
	}
	lms_error err = {0};
	sf_operation run = delete_operation(o, s, d->role_arn, NULL);
	sf_hooks h;
	cfn_stack *final = NULL;
	sf_failure first = {0};
	sf_run_result rr = sf_run(o->aws, &run, hooks(o, &h), &final, &first, &err);
	int rc = failed_stack_deleted(o, o->stack, rr, final, &first, &err);
	cfn_stack_free(final);
	sf_failure_free(&first);
	lms_error_clear(&err);
	return rc;
}

static int continue_rollback(op *o, const deploy_opts *d, const cfn_stack *s)
{
	say(o,
	    "Stack %s is in UPDATE_ROLLBACK_FAILED: an update failed and so did its rollback "
	    "(%s). CloudFormation can continue the rollback; resources it still cannot roll "
	    "back must be fixed by hand first.\n",
	    o->stack, s->status_reason ? s->status_reason : "no reason given");
	if (!d->yes && !confirm_yes_no("Continue the rollback now?"))
		return EXIT_FINDINGS;
	lms_error err = {0};
	sf_operation run = {.call = SF_CONTINUE_ROLLBACK,
	                    .target = o->stack,
	                    .role_arn = d->role_arn ? d->role_arn : s->role_arn,
	                    .events_of = s->id ? s->id : o->stack,
	                    .stack = o->stack,
	                    .id = s->id};
	sf_hooks h;
	cfn_stack *final = NULL;
	sf_failure first = {0};
	int rc = EXIT_OK;
	sf_run_result rr = sf_run(o->aws, &run, hooks(o, &h), &final, &first, &err);
	if (rr == SF_RUN_REFUSED) {
		fail_err(&err);
		rc = EXIT_FINDINGS;
	} else if (rr == SF_RUN_INTERRUPTED) {
		say_interrupted(o);
		rc = EXIT_INTERRUPTED;
	} else if (rr == SF_RUN_LOST || !final ||
	           strcmp(final->status, "UPDATE_ROLLBACK_COMPLETE") != 0) {
		if (err.msg)
			fail_err(&err);
		fail("the rollback did not complete%s%s", first.reason ? ": " : "",
		     first.reason ? first.reason : "");
		rc = EXIT_FINDINGS;
	}
	cfn_stack_free(final);
	sf_failure_free(&first);
	lms_error_clear(&err);
	return rc;
}

/* The prod gates (PROD_GATE in model/rules.def: OBS008, no alarm recipient; SEC001, plain
 * HTTP to the load balancer) are warnings in validate, since a fresh prod model cannot know
 * an address or a certificate, and a refusal here, in prod, before any AWS call: every one
 * is listed, with its field and its fix. */
static bool prod_gates_refused(op *o, bool allow_plain_http)
{
	const char *env = model_get(o->m, "environment");
	const findings *f = &o->checked;
	size_t refused = 0;
	for (size_t i = 0; i < f->n; i++) {
		const finding *x = &f->v[i];
		/* the errors stopped the deploy before (validate_first); what else stops it */
		if (x->sev == SEV_ERROR || !ops_finding_stops_deploy(x, env, allow_plain_http))
			continue;
		if (!refused++)
			fail("prod is not deployed with these (lmsctl validate shows them as "
			     "warnings):");
		bool http = strcmp(x->rule, "SEC001") == 0;
		term_printf(stderr, "  %s [%s]: %s\n      fix: %s%s\n", x->rule,
		            *x->field ? x->field : "template", x->message, x->hint ? x->hint : "",
		            http ? "; or deploy with --allow-plain-http" : "");
	}
	if (refused)
		fail("nothing deployed: %zu deploy gate(s) of prod refused the model; no AWS call "
		     "was made (credentials were not looked for yet)",
		     refused);
	return refused > 0;
}

/* One stack's model validated into `f` (initialised here) before any AWS call: its errors
 * printed and the deploy stopped, `whose` naming the model ("the model", "the edge stack's
 * model") and `stack_option` the validate option that lists them ("", " --stack edge").
 * The same for the main stack and the edge. True when there is no error. */
static bool validate_stack(const catalog *cat, const model *m, findings *f, const char *whose,
                           const char *stack_option)
{
	findings_init(f);
	validate_model(cat, m, f);
	size_t errors = findings_count(f, SEV_ERROR);
	if (errors) {
		buf out;
		buf_init(&out, 0);
		findings_format_text(f, &out);
		term_puts(stderr, buf_cstr(&out));
		buf_free(&out);
		fail("%s has %zu error(s): nothing deployed (lmsctl validate%s lists them)", whose,
		     errors, stack_option);
	}
	return errors == 0;
}

static bool validate_first(op *o)
{
	findings_free(&o->checked);
	return validate_stack(o->cat, o->m, &o->checked, "the model", "");
}

/* The edge stack's model validated too, before any AWS call (deploy without --template):
 * its errors stop the deploy (its prod warning, EDG004's plain-HTTP origin, is the main
 * stack's SEC001, a prod gate already). */
static bool validate_edge_first(op *o)
{
	lms_error err = {0};
	if (!ef_open(o->cat, o->m, &o->edge, &err)) {
		fail_err(&err);
		lms_error_clear(&err);
		return false;
	}
	if (!o->edge.comp)
		return true;
	findings f;
	bool ok =
	    validate_stack(o->edge.cat, o->edge.m, &f, "the edge stack's model", " --stack edge");
	findings_free(&f);
	return ok;
}

/* What the steps of one deploy share (run_deploy). */
typedef struct deploy_run {
	op *o;
	const deploy_opts *d;
	deploy_result *r;
	buf tpl;
	const char *type; /* CREATE or UPDATE */
	char *stack_id;   /* of a stack to update */
	char *role_arn;
	sf_plan plan; /* the change set, its name and tokens */
	summary sm;
	bool main_empty; /* the main change set has no changes */
	cfn_stack *main; /* the main stack before the deploy (an update); NULL: none */
	ef_deploy edge;  /* the edge stack's deploy; edge.c NULL: one stack */
	buf edge_tpl;
	summary edge_sm; /* its reviewed change set's */
} deploy_run;

/* The template: the file given, or the model's, assembled. */
static int deploy_template(deploy_run *x)
{
	op *o = x->o;
	lms_error err = {0};
	if (x->d->template_path) {
		if (!read_file(x->d->template_path, CFN_MAX_TEMPLATE_URL_BODY, &x->tpl))
			return EXIT_USAGE;
		return EXIT_OK;
	}
	buf_init(&x->tpl, 0);
	if (!assemble_template(o->cat, model_value_cb, o, &x->tpl, &err)) {
		fail_err(&err);
		lms_error_clear(&err);
		return EXIT_FINDINGS;
	}
	if (x->tpl.len > CFN_MAX_TEMPLATE_URL_BODY) {
		fail("the template is %zu bytes, over CloudFormation's limit of %d from S3",
		     x->tpl.len, CFN_MAX_TEMPLATE_URL_BODY);
		return EXIT_FINDINGS;
	}
	return EXIT_OK;
}

/* The stack as it is decides the change set's type (ops_deploy_gate, the console's gate
 * too): a failed creation is deleted first, a failed rollback continued first. */
static int deploy_gate(deploy_run *x)
{
	op *o = x->o;
	deploy_result *r = x->r;
	lms_error err = {0};
	cfn_stack *s = NULL;
	if (!cfn_describe_stack(o->aws, o->stack, &s, &err)) {
		fail_err(&err);
		lms_error_clear(&err);
		r->result = "failed: DescribeStacks";
		return EXIT_FINDINGS;
	}
	int rc = EXIT_OK;
	x->type = "UPDATE";
	ops_gate gate = s ? ops_deploy_gate(s->status) : OPS_GATE_CREATE;
	switch (gate) {
	case OPS_GATE_CREATE:
		x->type = "CREATE";
		break;
	case OPS_GATE_UPDATE:
		break;
	case OPS_GATE_DELETE_FIRST:
		rc = delete_failed_stack(o, x->d, s);
		if (rc != EXIT_OK)
			r->result = "failed: the failed stack was not deleted";
		x->type = "CREATE";
		break;
	case OPS_GATE_CONTINUE_ROLLBACK:
		rc = continue_rollback(o, x->d, s);
		if (rc != EXIT_OK)
			r->result = "failed: the rollback was not continued";
		break;
	case OPS_GATE_BUSY:
		fail("stack %s is busy (%s): wait until it settles (lmsctl status --follow), then "
		     "deploy again",
		     o->stack, s->status);
		r->result = "refused: stack busy";
		rc = EXIT_FINDINGS;
		break;
	case OPS_GATE_DELETE_FAILED:
		fail("stack %s is in DELETE_FAILED: finish deleting it (lmsctl destroy) first",
		     o->stack);
		r->result = "refused: DELETE_FAILED";
		rc = EXIT_FINDINGS;
		break;
	}
	bool update = strcmp(x->type, "UPDATE") == 0;
	if (rc == EXIT_OK) {
		x->stack_id = s && s->id && update ? strdup(s->id) : NULL;
		/* without --role-arn, an update keeps the stack's service role: a policy that
		 * requires one (docs/deployer-policy.json) then still allows it */
		x->role_arn = x->d->role_arn               ? strdup(x->d->role_arn)
		              : s && s->role_arn && update ? strdup(s->role_arn)
		                                           : NULL;
	}
	if (rc == EXIT_OK && update)
		x->main = s; /* its outputs: the edge's parameters, when they do not change */
	else
		cfn_stack_free(s);
	return rc;
}

/* What the plan says as it goes, on the terminal. */
static void plan_progress(void *ctx, const sf_plan_progress *p)
{
	op *o = ctx;
	if (p->step == SF_PLAN_UPLOAD && p->done) {
		if (p->bucket_created)
			say(o,
			    "Created the artifact bucket %s (private, encrypted, %s, objects "
			    "expire "
			    "after %d days)\n",
			    p->bucket,
			    aws_client_plain_http(o->aws, "s3")
			        ? "no TLS-only policy over plain http"
			        : "TLS only",
			    S3_ARTIFACT_EXPIRY_DAYS);
		if (p->uploaded)
			say(o, "Uploaded the template (%zu bytes) to s3://%s/%s\n", p->template_len,
			    p->bucket, p->key);
	} else if (p->step == SF_PLAN_CREATE) {
		say(o, "Creating change set %s (%s, template %zu bytes%s)\n", p->name, p->type,
		    p->template_len, p->from_s3 ? ", from S3" : "");
	}
}

/* The parameters, then the change set (sf_plan_change_set: the template inline or through
 * S3, created, waited for). */
static int deploy_change_set(deploy_run *x)
{
	op *o = x->o;
	deploy_result *r = x->r;
	lms_error err = {0};
	params p = {0};
	if (!collect_parameters(o, x->d->template_path, &x->tpl, &x->d->override, &p)) {
		params_free(&p);
		r->result = "failed: template not uploaded";
		return EXIT_FINDINGS;
	}
	sf_plan_request rq = {.stack = o->stack,
	                      .region = o->region,
	                      .environment = o->environment,
	                      .account = o->who.account,
	                      .type = x->type,
	                      .role_arn = x->role_arn,
	                      .template_text = buf_cstr(&x->tpl),
	                      .template_len = x->tpl.len,
	                      .params = p.kv,
	                      .nparams = p.n};
	sf_hooks h;
	int rc = EXIT_OK;
	if (!sf_plan_change_set(o->aws, &rq, hooks(o, &h), plan_progress, &x->plan, &err)) {
		if (x->plan.failed == SF_PLAN_CREATE || x->plan.failed == SF_PLAN_WAIT) {
			fail_err(&err);
			r->result = interrupted ? "interrupted" : "failed: change set not created";
			rc = interrupted ? EXIT_INTERRUPTED : EXIT_FINDINGS;
		} else {
			if (err.msg)
				fail_err(&err);
			r->result = "failed: template not uploaded";
			rc = EXIT_FINDINGS;
		}
	}
	if (x->plan.failed == SF_PLAN_CREATE || x->plan.failed == SF_PLAN_WAIT ||
	    x->plan.failed == SF_PLAN_DONE)
		r->change_set = strdup(buf_cstr(&x->plan.names.name));
	params_free(&p);
	lms_error_clear(&err);
	return rc;
}

/* ---- deploy: the edge stack ----------------------------------------------------------- */

static void edge_note_change_set(deploy_result *r, const sf_plan *p)
{
	free(r->edge.change_set);
	free(r->edge.change_set_id);
	r->edge.change_set = p->named ? strdup(buf_cstr(&p->names.name)) : NULL;
	r->edge.change_set_id = p->cs_id ? strdup(p->cs_id) : NULL;
}

/* The type of the edge's change set, as its gate says. */
static const char *edge_change_type(const ef_deploy *e)
{
	return e->gate == EF_GATE_UPDATE ? "UPDATE" : "CREATE";
}

/* What the edge's change set is made with besides its template and parameters: the
 * account, the environment, and the role (--role-arn; else an update keeps the edge
 * stack's, a creation takes the main stack's: IAM roles are global). */
static sf_plan_request edge_request(const deploy_run *x)
{
	const char *role = x->d->role_arn                   ? x->d->role_arn
	                   : x->edge.gate == EF_GATE_UPDATE ? NULL
	                                                    : x->role_arn;
	return (sf_plan_request){
	    .account = x->o->who.account, .environment = x->o->environment, .role_arn = role};
}

/* The edge's part of the review when the main stack's outputs are not known yet (a first
 * deploy): its template's resources, and which parameters wait for those outputs. */
static void edge_review_pending(deploy_run *x)
{
	op *o = x->o;
	const catalog *cat = x->edge.c->cat;
	say(o, "Its change set is made after the main stack deploys, with its parameters from the "
	       "main stack's outputs after it deploys:");
	for (size_t i = 0; i < cat->nparams; i++)
		if (cat->params[i].from_output)
			say(o, " %s <- %s", cat->params[i].e.name, cat->params[i].from_output);
	say(o, ".\nIts template's resources (%s):\n",
	    x->edge.gate == EF_GATE_UPDATE ? "an update: what changes is known then" : "to add");
	for (size_t i = 0; i < cat->nentries[SEC_RESOURCES]; i++) {
		const cat_entry *e = &cat->entries[SEC_RESOURCES][i];
		const char *type = ynode_str(ynode_get(e->value, "Type"));
		say(o, "  %s %-40s %s\n",
		    x->edge.gate == EF_GATE_UPDATE ? "? Update " : "+ Add    ", type ? type : "?",
		    e->name);
	}
}

/* The edge's part of the one review: the gate of its stack, then its change set when the
 * main stack's outputs are already known (an update of the main stack: they are checked
 * again after it), else what its template will make (edge_review_pending). */
static int edge_review(deploy_run *x)
{
	op *o = x->o;
	ef_deploy *e = &x->edge;
	deploy_result *r = x->r;
	if (!e->c)
		return EXIT_OK;
	lms_error err = {0};
	buf why;
	buf_init(&why, 0);
	ef_gate g = ef_deploy_gate(e, &why, &err);
	if (g == EF_GATE_ERROR || g == EF_GATE_REFUSED) {
		if (g == EF_GATE_ERROR)
			fail_err(&err);
		else
			fail("%s: nothing deployed", buf_cstr(&why));
		r->edge.result = g == EF_GATE_ERROR ? "failed: DescribeStacks" : "refused";
		buf_free(&why);
		lms_error_clear(&err);
		return EXIT_FINDINGS;
	}
	buf_free(&why);
	say(o, "\nEdge stack %s (%s), after the main stack%s:\n", e->c->stack, e->c->region,
	    g == EF_GATE_RECREATE ? "; its creation failed: it is deleted, then created again"
	                          : "");
	buf_init(&x->edge_tpl, 0);
	if (!ef_template(e->c, &x->edge_tpl, &err)) {
		fail_err(&err);
		lms_error_clear(&err);
		r->edge.result = "failed: template";
		return EXIT_FINDINGS;
	}
	if (!x->main || g == EF_GATE_RECREATE) {
		edge_review_pending(x);
		return EXIT_OK;
	}
	cfn_kv *p = NULL;
	size_t n = 0;
	sf_plan_request rq = edge_request(x);
	sf_hooks h;
	if (!ef_params(e->c, o->cat, o->m, x->main, &p, &n) ||
	    !ef_deploy_plan(e, &rq, buf_cstr(&x->edge_tpl), x->edge_tpl.len, p, n, hooks(o, &h),
	                    &err)) {
		if (err.msg)
			fail_err(&err);
		lms_error_clear(&err);
		edge_note_change_set(r, &e->plan);
		r->edge.result = "failed: change set not created";
		return EXIT_FINDINGS;
	}
	edge_note_change_set(r, &e->plan);
	switch (review_change_set(o, e->c->stack, e->plan.cs, edge_change_type(e),
	                          x->d->allow_replacement, "nothing deployed", &x->edge_sm,
	                          &r->edge.changes, &r->edge.result)) {
	case CS_EMPTY:
		say(o, "No changes with the main stack's outputs as they are.\n");
		return EXIT_OK;
	case CS_FAILED:
	case CS_REFUSED:
		return EXIT_FINDINGS;
	case CS_CHANGES:
		break;
	}
	return EXIT_OK;
}

/* Whether the edge has anything to do: a change set with changes, or one to make. */
static bool edge_has_work(const deploy_run *x)
{
	return x->edge.c && !(x->edge.planned && cfn_change_set_is_empty(x->edge.plan.cs));
}

static void edge_not_executed(deploy_run *x)
{
	op *o = x->o;
	edge_result *er = &x->r->edge;
	if (!x->edge.c)
		return;
	if (!x->edge.planned) {
		say(o, "The edge stack's change set is not made: its parameters come from the main "
		       "stack's outputs, which do not exist yet. Deploy to make both.\n");
		er->result = x->main ? "not made: the edge stack must be deleted first"
		                     : "not made: the main stack does not exist yet";
	} else if (cfn_change_set_is_empty(x->edge.plan.cs)) {
		lms_error err = {0};
		if (!cfn_delete_change_set(x->edge.c->aws, x->edge.c->stack, x->edge.plan.cs_id,
		                           &err))
			lms_error_clear(&err);
		er->result = "no changes";
	} else {
		buf cmd;
		buf_init(&cmd, 0);
		execute_command(x->edge.c->aws, x->edge.c->region, x->edge.c->stack, er->change_set,
		                &cmd);
		say(o,
		    "Edge change set %s of %s is ready for review; execute it after the main "
		    "stack's (its outputs as they are now) with: %s\n",
		    er->change_set, x->edge.c->stack, buf_cstr(&cmd));
		buf_free(&cmd);
		er->result = "created, not executed";
	}
}

/* The one confirmation, for both stacks: typed when data is at stake or a pipeline
 * parameter is set, else yes or no; --no-execute stops here with both change sets named. */
static int deploy_confirm(deploy_run *x, bool *go)
{
	op *o = x->o;
	const deploy_opts *d = x->d;
	deploy_result *r = x->r;
	const char *name = buf_cstr(&x->plan.names.name);
	if (d->no_execute) {
		buf cmd;
		buf_init(&cmd, 0);
		execute_command(o->aws, o->region, o->stack, name, &cmd);
		if (!x->main_empty)
			say(o,
			    "Not executed (--no-execute). Change set %s is ready for review; "
			    "execute it with: lmsctl deploy --change-set %s --yes, or %s\n",
			    name, name, buf_cstr(&cmd));
		buf_free(&cmd);
		edge_not_executed(x);
		if (!x->main_empty)
			r->result = "created, not executed";
		return EXIT_OK;
	}
	if (!d->yes) {
		bool yes;
		bool data = x->sm.stateful_replace || x->sm.stateful_remove ||
		            x->edge_sm.stateful_replace || x->edge_sm.stateful_remove;
		if (data || d->override.key) {
			buf q;
			buf_init(&q, 0);
			if (data)
				buf_addf(
				    &q,
				    "This deploy replaces or removes stateful resources of %s%s%s.",
				    o->stack, x->edge.c ? " or " : "",
				    x->edge.c ? x->edge.c->stack : "");
			if (d->override.key)
				buf_addf(&q,
				         "%sThis change set sets %s, which the pipeline owns, to "
				         "%s: the service runs that until the pipeline deploys "
				         "again.",
				         q.len ? "\n" : "", d->override.key, d->override.value);
			yes = confirm_typed(buf_cstr(&q), o->stack);
			buf_free(&q);
		} else if (x->edge.c) {
			buf q;
			buf_init(&q, 0);
			buf_addf(&q, "Deploy %s%s%s (%s)?", x->main_empty ? "" : o->stack,
			         x->main_empty ? "" : ", then ", x->edge.c->stack,
			         x->edge.c->region);
			yes = confirm_yes_no(buf_cstr(&q));
			buf_free(&q);
		} else {
			yes = confirm_yes_no("Execute this change set?");
		}
		if (!yes) {
			if (!x->main_empty)
				say(o, "Not executed. Change set %s is left for review.\n", name);
			if (x->edge.planned && x->edge.c)
				say(o, "Not executed. Change set %s of %s is left for review.\n",
				    r->edge.change_set, x->edge.c->stack);
			r->result = "declined";
			if (x->edge.c)
				r->edge.result = "declined";
			return EXIT_FINDINGS;
		}
	}
	*go = true;
	return EXIT_OK;
}

/* The review: an empty main change set has nothing to execute, a failed one ends here; a
 * stateful replacement is refused without --allow-replacement; then the edge's part, and
 * the one confirmation (deploy_confirm). *go says whether to go on. */
static int deploy_review(deploy_run *x, bool *go)
{
	op *o = x->o;
	deploy_result *r = x->r;
	const char *name = buf_cstr(&x->plan.names.name);
	lms_error err = {0};
	*go = false;
	char *left = lms_strdupf("change set %s is left for review", name);
	cs_review cr = review_change_set(o, o->stack, x->plan.cs, x->type, x->d->allow_replacement,
	                                 left ? left : "", &x->sm, &r->changes, &r->result);
	free(left);
	if (cr == CS_EMPTY) {
		say(o, "No changes: stack %s is up to date.\n", o->stack);
		r->result = "no changes";
		r->stack_status = strdup("NO_CHANGES");
		x->main_empty = true;
	}
	if (cr == CS_EMPTY || cr == CS_FAILED) {
		if (!cfn_delete_change_set(o->aws, o->stack, x->plan.cs_id, &err))
			lms_error_clear(&err);
	}
	if (cr == CS_FAILED || cr == CS_REFUSED)
		return EXIT_FINDINGS;
	int rc = edge_review(x);
	if (rc != EXIT_OK) {
		if (!x->main_empty)
			say(o, "Change set %s is left for review.\n", name);
		r->result = "refused: the edge stack";
		return rc;
	}
	if (x->main_empty && !edge_has_work(x)) {
		edge_not_executed(x); /* its empty change set deleted */
		return EXIT_OK;
	}
	return deploy_confirm(x, go);
}

/* The outcome of one stack's deploy that ran and settled (`s`, named `stack`), the same for
 * the main stack and the edge: its failure (the first failed resource, else the stack's
 * reason; `note` ends the first line) or its outputs. *result is its status. True when it
 * succeeded. */
static bool say_outcome(op *o, const char *stack, const cfn_stack *s, const sf_failure *first,
                        const char *note, const char **result)
{
	*result = s->status;
	if (!ops_status_succeeded(s->status)) {
		fail("deploy failed: stack %s is %s%s", stack, s->status, note);
		if (first->logical_id)
			fail("first failure: %s (%s) %s: %s", first->logical_id, first->type,
			     first->status, first->reason);
		else if (s->status_reason)
			fail("reason: %s", s->status_reason);
		return false;
	}
	say(o, "\nStack %s is %s.\nOutputs:\n", stack, s->status);
	print_outputs_text(o, s);
	return true;
}

/* The outcome of a deploy that ran: the first failure, or the outputs. */
static int deploy_outcome(deploy_run *x)
{
	op *o = x->o;
	deploy_result *r = x->r;
	r->stack_status = strdup(r->stack->status);
	if (!say_outcome(o, o->stack, r->stack, &r->first, "", &r->result))
		return EXIT_FINDINGS;
	if (write_flat_outputs(r->stack))
		say(o, "Wrote %s\n", SF_OUTPUTS_FILE);
	return EXIT_OK;
}

static void say_executing(void *ctx)
{
	say(ctx, "Executing; following the stack events:\n");
}

/* ExecuteChangeSet, then the stack's events followed until it settles (sf_run). */
/* ExecuteChangeSet of `plan` on `stack` (through `aws`), its events followed until it
 * settles: EXIT_OK with *after the settled stack; otherwise the failure said, *result set
 * for the journal, and the exit status. One path for the main stack and the edge. */
static int execute_followed(op *o, aws_client *aws, const char *stack, const sf_plan *plan,
                            const char *known_id, cfn_stack **after, sf_failure *first,
                            const char **result)
{
	const cfn_change_set *cs = plan->cs;
	bool cs_id = cs && cs->stack_id;
	lms_error err = {0};
	sf_operation run = {.call = SF_EXECUTE,
	                    .target = stack,
	                    .change_set = plan->cs_id,
	                    .token = buf_cstr(&plan->names.execute_token),
	                    .events_of = cs_id ? cs->stack_id : stack,
	                    .stack = stack,
	                    .id = cs_id ? cs->stack_id : known_id,
	                    .after_execute = true,
	                    .started = say_executing};
	sf_hooks h;
	int rc = EXIT_FINDINGS;
	switch (sf_run(aws, &run, hooks(o, &h), after, first, &err)) {
	case SF_RUN_REFUSED:
		fail_err(&err);
		*result = "failed: ExecuteChangeSet";
		break;
	case SF_RUN_INTERRUPTED:
		say_interrupted(o);
		*result = "interrupted while following";
		rc = EXIT_INTERRUPTED;
		break;
	case SF_RUN_LOST:
		fail_err(&err);
		fail("lost track of stack %s; see lmsctl status", stack);
		*result = "unknown: lost track";
		break;
	case SF_RUN_SETTLED:
		if (!*after) {
			fail("stack %s disappeared", stack);
			*result = "failed: stack gone";
		} else {
			rc = EXIT_OK;
		}
		break;
	}
	lms_error_clear(&err);
	return rc;
}

static int deploy_execute(deploy_run *x)
{
	op *o = x->o;
	deploy_result *r = x->r;
	int rc = execute_followed(o, o->aws, o->stack, &x->plan, x->stack_id, &r->stack, &r->first,
	                          &r->result);
	return rc == EXIT_OK ? deploy_outcome(x) : rc;
}

/* The edge's change set executed and followed; its outputs printed and merged into the
 * flat outputs (prefixed SF_EDGE_OUTPUT_PREFIX). */
static int edge_execute(deploy_run *x, const cfn_stack *main)
{
	op *o = x->o;
	ef_deploy *e = &x->edge;
	edge_result *er = &x->r->edge;
	lms_error err = {0};
	int rc =
	    execute_followed(o, e->c->aws, e->c->stack, &e->plan, e->stack ? e->stack->id : NULL,
	                     &er->after, &er->first, &er->result);
	if (rc != EXIT_OK)
		return rc;
	char *note = lms_strdupf(" (the main stack %s is deployed)", o->stack);
	bool ok = say_outcome(o, e->c->stack, er->after, &er->first, note ? note : "", &er->result);
	free(note);
	if (!ok)
		return EXIT_FINDINGS;
	if (sf_write_flat_outputs_env(main, er->after, SF_OUTPUTS_FILE, &err))
		say(o, "Wrote %s (the edge's outputs prefixed %s)\n", SF_OUTPUTS_FILE,
		    SF_EDGE_OUTPUT_PREFIX);
	else
		fail_err(&err);
	lms_error_clear(&err);
	return EXIT_OK;
}

/* A failed creation of the edge (ROLLBACK_COMPLETE: nothing in it) deleted before it is
 * created again. */
static int edge_delete_failed(deploy_run *x)
{
	ef_deploy *e = &x->edge;
	sf_hooks h;
	cfn_stack *final = NULL;
	sf_failure first = {0};
	lms_error err = {0};
	sf_run_result rr =
	    ef_destroy(e->c, e->stack, x->d->role_arn, hooks(x->o, &h), NULL, &final, &first, &err);
	int rc = failed_stack_deleted(x->o, e->c->stack, rr, final, &first, &err);
	if (rc != EXIT_OK)
		x->r->edge.result = "failed: the failed stack was not deleted";
	e->gate = EF_GATE_CREATE;
	cfn_stack_free(final);
	sf_failure_free(&first);
	lms_error_clear(&err);
	return rc;
}

/* After the main stack settled (as `main`, read then): the edge's change set (the
 * reviewed one when the outputs it was made with have not changed, else a new one, shown),
 * executed without a second question unless it replaces or removes what the review did
 * not show (ef_after_main). */
static int edge_deploy(deploy_run *x, const cfn_stack *main)
{
	op *o = x->o;
	ef_deploy *e = &x->edge;
	edge_result *er = &x->r->edge;
	if (e->gate == EF_GATE_RECREATE) {
		int rc = edge_delete_failed(x);
		if (rc != EXIT_OK)
			return rc;
	}
	say(o, "\nEdge stack %s (%s), with the main stack's outputs:\n", e->c->stack, e->c->region);
	const char *reviewed = e->planned ? er->change_set : NULL;
	char *reviewed_copy = reviewed ? strdup(reviewed) : NULL;
	sf_plan_request rq = edge_request(x);
	sf_hooks h;
	lms_error err = {0};
	const char *unreviewed = NULL;
	ef_next nx = ef_after_main(e, o->cat, o->m, main, &rq, buf_cstr(&x->edge_tpl),
	                           x->edge_tpl.len, hooks(o, &h), &unreviewed, &err);
	edge_note_change_set(x->r, &e->plan);
	bool fresh =
	    !reviewed_copy || !er->change_set || strcmp(reviewed_copy, er->change_set) != 0;
	free(reviewed_copy);
	int rc = EXIT_FINDINGS;
	if (fresh && e->plan.cs && nx != EF_NEXT_FAILED && !cfn_change_set_is_empty(e->plan.cs))
		show_changes(o, e->plan.cs, edge_change_type(e), &er->changes);
	switch (nx) {
	case EF_NEXT_NOTHING:
		say(o, "No changes: stack %s is up to date.\n", e->c->stack);
		er->result = "no changes";
		rc = EXIT_OK;
		break;
	case EF_NEXT_FAILED:
		fail_err(&err);
		er->result = "failed: change set not created";
		break;
	case EF_NEXT_UNREVIEWED:
		fail("change set %s of %s replaces or removes %s, which the review did not show "
		     "(the "
		     "main stack's outputs changed): not executed, left for review (aws "
		     "cloudformation describe-change-set --region %s --stack-name %s "
		     "--change-set-name %s); the main stack %s is deployed",
		     er->change_set, e->c->stack, unreviewed, e->c->region, e->c->stack,
		     er->change_set, o->stack);
		er->result = "refused: a change the review did not show";
		break;
	case EF_NEXT_EXECUTE:
		rc = edge_execute(x, main);
		break;
	}
	lms_error_clear(&err);
	return rc;
}

/* --set-pipeline-parameter KEY=VALUE: KEY a parameter the pipeline owns, VALUE within its
 * constraints (2 otherwise). */
static int pipeline_override_parse(op *o, deploy_opts *d)
{
	if (!d->set_pipeline)
		return EXIT_OK;
	const char *eq = strchr(d->set_pipeline, '=');
	if (!eq || eq == d->set_pipeline)
		return cli_usage_error("deploy",
		                       "--set-pipeline-parameter wants KEY=VALUE, not '%s'",
		                       d->set_pipeline);
	d->override.key = strndup(d->set_pipeline, (size_t)(eq - d->set_pipeline));
	d->override.value = eq + 1;
	if (!d->override.key) {
		fail("out of memory");
		return EXIT_FINDINGS;
	}
	const cat_param *p = catalog_param(o->cat, d->override.key);
	if (!p || !p->pipeline_owned)
		return cli_usage_error("deploy",
		                       "--set-pipeline-parameter: '%s' is not a parameter the "
		                       "pipeline owns (LmsCtl::PipelineParameters)%s",
		                       d->override.key, p ? "; set it in the model" : "");
	findings f;
	findings_init(&f);
	validate_param_value(p, d->override.value, &f);
	size_t errors = findings_count(&f, SEV_ERROR);
	if (errors) {
		buf out;
		buf_init(&out, 0);
		findings_format_text(&f, &out);
		term_puts(stderr, buf_cstr(&out));
		buf_free(&out);
	}
	findings_free(&f);
	if (errors)
		return cli_usage_error("deploy", "--set-pipeline-parameter: '%s' is not a valid %s",
		                       d->override.value, d->override.key);
	return EXIT_OK;
}

/* --change-set NAME: that change set, looked up with the stack's name (DescribeChangeSet),
 * checked to belong to the stack and to be executable; none is made. */
static int deploy_named_change_set(deploy_run *x)
{
	op *o = x->o;
	deploy_result *r = x->r;
	const char *name = x->d->change_set;
	lms_error err = {0};
	cfn_stack *s = NULL;
	cfn_change_set *cs = NULL;
	r->change_set = strdup(name);
	if (!cfn_describe_stack(o->aws, o->stack, &s, &err) ||
	    (s && !cfn_describe_change_set(o->aws, o->stack, name, &cs, &err))) {
		fail_err(&err);
		fail("change set %s of stack %s cannot be read; nothing was executed", name,
		     o->stack);
		lms_error_clear(&err);
		cfn_stack_free(s);
		r->result = "refused: change set not found";
		return EXIT_FINDINGS;
	}
	const char *why = cs ? sf_change_set_refusal(cs, s) : "the stack does not exist";
	if (why) {
		fail("refusing to execute change set %s of stack %s: %s (status %s, execution "
		     "status %s)",
		     name, o->stack, why, cs && cs->status ? cs->status : "-",
		     cs && cs->execution_status ? cs->execution_status : "-");
		cfn_change_set_free(cs);
		cfn_stack_free(s);
		r->result = "refused: change set not executable";
		return EXIT_FINDINGS;
	}
	x->type = strcmp(s->status, "REVIEW_IN_PROGRESS") == 0 ? "CREATE" : "UPDATE";
	x->stack_id = s->id ? strdup(s->id) : NULL;
	cfn_stack_free(s);
	x->plan.cs = cs;
	x->plan.cs_id = cs->id ? strdup(cs->id) : strdup(name);
	r->change_set_id = cs->id ? strdup(cs->id) : NULL;
	if (!sf_deploy_names_init(&x->plan.names, o->aws, o->stack, o->environment)) {
		fail("out of memory");
		return EXIT_FINDINGS;
	}
	x->plan.named = true;
	buf_reset(&x->plan.names.name);
	buf_adds(&x->plan.names.name, name);
	say(o, "Change set %s of stack %s (%s, %s)\n", name, o->stack, cs->status,
	    cs->execution_status);
	return EXIT_OK;
}

/* The edge once the main stack is done with: deployed after a main stack that settled
 * (or had nothing to change), else not started. */
static int run_edge(deploy_run *x, int rc, bool go)
{
	if (!x->edge.c || x->d->no_execute || (rc == EXIT_OK && !go))
		return rc;
	if (rc != EXIT_OK) {
		if (!x->r->edge.result && rc == EXIT_INTERRUPTED) {
			term_printf(stderr,
			            "lmsctl: the edge stack %s is not started: deploy again once "
			            "the main stack settles\n",
			            x->edge.c->stack);
			x->r->edge.result = "not started: interrupted";
		} else if (!x->r->edge.result) {
			fail("the edge stack %s is not deployed: the main stack did not deploy",
			     x->edge.c->stack);
			x->r->edge.result = "not started: the main stack did not deploy";
		}
		return rc;
	}
	const cfn_stack *main = x->r->stack ? x->r->stack : x->main;
	return edge_deploy(x, main);
}

static int run_deploy(op *o, const deploy_opts *d, deploy_result *r)
{
	deploy_run x = {.o = o, .d = d, .r = r};
	int rc;
	bool go = false;
	buf_init(&x.edge_tpl, 0);
	if (d->change_set) {
		rc = connect_aws(o);
		if (rc == EXIT_OK)
			rc = deploy_named_change_set(&x);
		else if (rc == EXIT_FINDINGS)
			r->result = "failed: no AWS identity";
		goto review;
	}
	if (!d->template_path && prod_gates_refused(o, d->allow_plain_http)) {
		r->result = "refused: prod deploy gates";
		return EXIT_FINDINGS;
	}
	if (!d->template_path && !validate_edge_first(o)) {
		r->result = "refused: the edge stack's model";
		return EXIT_FINDINGS;
	}
	rc = deploy_template(&x);
	if (rc != EXIT_OK)
		goto done;
	rc = connect_aws(o);
	if (rc != EXIT_OK) {
		if (rc == EXIT_FINDINGS)
			r->result = "failed: no AWS identity";
		goto done;
	}
	/* --template FILE deploys the one stack it names; the model's environment is both */
	if (!d->template_path && (rc = open_edge(o)) != EXIT_OK) {
		r->result = "failed: the edge stack's model";
		goto done;
	}
	x.edge.c = o->edge.comp ? &o->edge : NULL;
	if (x.edge.c) {
		r->edge.stack = o->edge.stack;
		r->edge.region = o->edge.region;
	}
	rc = deploy_gate(&x);
	if (rc != EXIT_OK)
		goto done;
	rc = deploy_change_set(&x);
	buf_free(&x.tpl);
	if (rc == EXIT_OK && x.plan.cs_id && !r->change_set_id)
		r->change_set_id = strdup(x.plan.cs_id);
review:
	if (rc != EXIT_OK)
		goto done;
	rc = deploy_review(&x, &go);
	if (go && !x.main_empty)
		rc = deploy_execute(&x);
done:
	rc = run_edge(&x, rc, go);
	buf_free(&x.tpl);
	buf_free(&x.edge_tpl);
	sf_plan_free(&x.plan);
	ef_deploy_free(&x.edge);
	cfn_stack_free(x.main);
	free(x.stack_id);
	free(x.role_arn);
	return rc;
}

/* deploy's options that do not go together, and the terminal its question needs. */
static int deploy_check(op *o, void *ctx, int first, int argc, char **argv)
{
	(void)o, (void)first, (void)argc, (void)argv;
	const deploy_opts *d = ctx;
	if (d->change_set && (d->no_execute || d->template_path || d->set_pipeline))
		return cli_usage_error("deploy",
		                       "--change-set executes a change set already made: it does "
		                       "not go with --no-execute, --template or "
		                       "--set-pipeline-parameter");
	if (d->role_arn && strncmp(d->role_arn, "arn:", 4) != 0)
		return cli_usage_error("deploy", "--role-arn wants an IAM role ARN, not '%s'",
		                       d->role_arn);
	if (!d->yes && !d->no_execute && !stdin_is_terminal()) {
		fail("deploy asks for confirmation and there is no terminal: pass --yes to deploy "
		     "without asking (or --no-execute to only create and show the change set)");
		return EXIT_USAGE;
	}
	return CLI_CONTINUE;
}

int cmd_deploy(int argc, char **argv, const deploy_env *env)
{
	op o;
	op_init(&o, "deploy", env);
	deploy_opts d = {0};
	const char *output = NULL;
	const cli_opt opts[] = {AWS_OPTIONS(&o),
	                        CLI_FLAG("yes", 'y', &d.yes),
	                        CLI_FLAG("no-execute", 0, &d.no_execute),
	                        CLI_STRING("role-arn", 0, &d.role_arn),
	                        CLI_FLAG("allow-replacement", 0, &d.allow_replacement),
	                        CLI_FLAG("allow-plain-http", 0, &d.allow_plain_http),
	                        CLI_STRING("template", 0, &d.template_path),
	                        CLI_STRING("set-pipeline-parameter", 0, &d.set_pipeline),
	                        CLI_STRING("change-set", 0, &d.change_set),
	                        CLI_OUTPUT_FORMAT(&output)};
	const op_start st = {deploy_usage, opts, COUNT(opts), &output, false, deploy_check, &d};
	int begun = op_begin(&o, &st, argc, argv);
	if (begun != CLI_CONTINUE)
		return begun;
	if (!validate_first(&o)) {
		op_free(&o);
		return EXIT_FINDINGS;
	}
	int orc = pipeline_override_parse(&o, &d);
	if (orc != EXIT_OK) {
		free(d.override.key);
		op_free(&o);
		return orc;
	}
	install_interrupt(&o);
	deploy_result r = {0};
	int rc = run_deploy(&o, &d, &r);
	if (o.have_identity || r.result)
		journal(&o, r.change_set, r.result ? r.result : (rc == EXIT_OK ? "ok" : "failed"));
	if (r.edge.stack && r.edge.result)
		journal_at(&o, r.edge.region, r.edge.stack, r.edge.change_set, r.edge.result);
	emit_json(&o, "result", r.result ? r.result : (rc == EXIT_OK ? "ok" : "failed"), &r, rc);
	free(r.change_set);
	free(r.change_set_id);
	free(r.stack_status);
	json_decref(r.changes);
	sf_failure_free(&r.first);
	cfn_stack_free(r.stack);
	edge_result_free(&r.edge);
	free(d.override.key);
	op_free(&o);
	return rc;
}

/* ---- destroy ------------------------------------------------------------------------------ */

/* What stands in the way of deleting the stack and how it goes. */
typedef struct teardown {
	sf_protection *p;
	size_t n;
	cfn_kv *lift; /* the parameter values that lift the protection (sf_deployed_protection) */
	size_t nlift;
	bool termination;     /* the stack's termination protection is on */
	cfn_event *resources; /* the stack's resources before the deletion (leftovers) */
	size_t nresources;
	cfn_event *edge_resources; /* the edge stack's, the same way */
	size_t nedge_resources;
} teardown;

static void events_free(cfn_event *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cfn_event_clear(&v[i]);
	free(v);
}

static void teardown_free(teardown *t)
{
	sf_protection_free(t->p, t->n);
	sf_kv_free(t->lift, t->nlift);
	events_free(t->resources, t->nresources);
	events_free(t->edge_resources, t->nedge_resources);
	memset(t, 0, sizeof *t);
}

/* A stack's resources before its deletion, for the leftovers (their physical ids); a
 * failure is a warning. */
static void list_resources(aws_client *aws, const cfn_stack *s, cfn_event **out, size_t *n)
{
	lms_error err = {0};
	if (!cfn_list_stack_resources(aws, s->id ? s->id : s->name, out, n, &err)) {
		term_printf(stderr, "lmsctl: warning: cannot list the resources of stack %s: %s\n",
		            s->name ? s->name : "?", err.msg ? err.msg : "?");
		lms_error_clear(&err);
	}
}

/* Reads the protection of the deployed stack; EXIT_OK unless a protection is on that lmsctl
 * cannot lift through CloudFormation (then it says how to lift it by hand). */
static int check_protection(op *o, const cfn_stack *s, teardown *t)
{
	t->termination = s->termination_protection;
	lms_error err = {0};
	if (!sf_deployed_protection(o->aws, s, &t->p, &t->n, &t->lift, &t->nlift, &err)) {
		term_printf(stderr,
		            "lmsctl: warning: cannot read the deployed template to check deletion "
		            "protection: %s\n",
		            err.msg ? err.msg : "?");
		lms_error_clear(&err);
		return EXIT_OK;
	}
	int rc = EXIT_OK;
	buf lift;
	buf_init(&lift, 0);
	for (size_t i = 0; i < t->n; i++) {
		const sf_protection *p = &t->p[i];
		if (p->liftable)
			continue;
		if (p->on == 1) {
			if (rc == EXIT_OK)
				say(o,
				    "Deletion protection is on and the template names no parameter "
				    "that lifts it; the delete would fail. Lift it "
				    "deliberately:\n");
			say(o, "  %s (%s, %s): %s is on\n", p->logical_id, p->type,
			    p->physical ? p->physical : "?", p->property);
			buf_reset(&lift);
			sf_lift_command(o->aws, p, o->region, p->physical, &lift);
			say(o, "      %s\n", buf_cstr(&lift));
			rc = EXIT_FINDINGS;
		} else {
			term_printf(
			    stderr,
			    "lmsctl: warning: %s (%s) may have %s on (it depends on something "
			    "lmsctl cannot evaluate); if the delete fails on it, lift it and run "
			    "destroy again\n",
			    p->logical_id, p->type, p->property);
		}
	}
	buf_free(&lift);
	if (rc != EXIT_OK)
		say(o,
		    "Nothing was deleted. Run lmsctl destroy again once the protection is off.\n");
	return rc;
}

/* The question the operator answers by typing the suffix: what goes, and what is lifted
 * first, each protected resource by name. */
static void destroy_question(op *o, const cfn_stack *s, const cfn_stack *edge, const teardown *t,
                             buf *q)
{
	if (edge)
		buf_addf(
		    q,
		    "This deletes the edge stack %s (%s, %s) and every resource in it (the "
		    "CloudFront distribution, its web ACL, its logs), first, to DELETE_COMPLETE; "
		    "then ",
		    o->edge.stack, edge->status, o->edge.region);
	else
		buf_adds(q, "This deletes ");
	buf_addf(q,
	         "stack %s (%s) and every resource in it: databases, caches, file "
	         "systems, buckets, keys and logs, with their data.",
	         o->stack, s->status);
	size_t lifted = 0;
	for (size_t i = 0; i < t->n; i++)
		lifted += t->p[i].liftable;
	if (lifted || t->termination)
		buf_adds(q, "\nFirst it lifts, through CloudFormation:");
	if (t->termination)
		buf_addf(q, "\n  the stack's termination protection (UpdateTerminationProtection)");
	for (size_t i = 0; i < t->n; i++)
		if (t->p[i].liftable)
			buf_addf(q, "\n  %s of %s (%s, %s)", t->p[i].property, t->p[i].logical_id,
			         t->p[i].type, t->p[i].physical ? t->p[i].physical : "?");
	if (lifted) {
		buf_adds(q, "\n  with one change set that sets only");
		for (size_t i = 0; i < t->nlift; i++)
			buf_addf(q, "%s %s=%s", i ? "," : "", t->lift[i].key, t->lift[i].value);
		buf_adds(q, " (every other parameter as it is)");
	}
}

static void say_lifting(void *ctx)
{
	say(ctx, "Lifting deletion protection; following the stack events:\n");
}

/* Lifts what protects the stack, each step journaled; EXIT_OK when the stack may go. */
static int lift_protection(op *o, const cfn_stack *s, const char *role_arn, const teardown *t,
                           deploy_result *r)
{
	size_t n = 0;
	const char **ids = calloc(t->n ? t->n : 1, sizeof *ids);
	for (size_t i = 0; ids && i < t->n; i++)
		if (t->p[i].liftable)
			ids[n++] = t->p[i].logical_id;
	int rc = EXIT_OK;
	lms_error err = {0};
	if (!ids) {
		fail("out of memory");
		return EXIT_FINDINGS;
	}
	if (n && t->nlift) {
		sf_lift_request rq = {s, role_arn, t->lift, t->nlift, ids, n, say_lifting};
		sf_lift l;
		sf_hooks h;
		sf_lift_result lr = sf_lift_protection(o->aws, &rq, hooks(o, &h), &l, &err);
		const char *cs = l.change_set.len ? buf_cstr(&l.change_set) : NULL;
		if (lr == SF_LIFT_DONE) {
			say(o, "Deletion protection lifted (change set %s).\n", cs ? cs : "?");
			journal(o, cs, "protection lifted");
		} else {
			fail_err(&err);
			if (l.first.logical_id)
				fail("first failure: %s (%s): %s", l.first.logical_id, l.first.type,
				     l.first.reason);
			if (lr == SF_LIFT_INTERRUPTED)
				say_interrupted(o);
			r->result = lr == SF_LIFT_INTERRUPTED
			                ? "interrupted while lifting protection"
			            : lr == SF_LIFT_FAILED ? "failed: lifting protection"
			                                   : "refused: lifting protection";
			journal(o, cs, r->result);
			rc = lr == SF_LIFT_INTERRUPTED ? EXIT_INTERRUPTED : EXIT_FINDINGS;
		}
		r->change_set = cs ? strdup(cs) : NULL;
		sf_lift_free(&l);
	}
	if (rc == EXIT_OK && t->termination) {
		if (cfn_update_termination_protection(o->aws, s->id ? s->id : o->stack, false,
		                                      &err)) {
			say(o, "Termination protection lifted.\n");
			journal(o, NULL, "termination protection lifted");
		} else {
			fail_err(&err);
			r->result = "failed: UpdateTerminationProtection";
			rc = EXIT_FINDINGS;
		}
	}
	lms_error_clear(&err);
	free(ids);
	return rc;
}

static void say_deleting(void *ctx)
{
	say(ctx, "Deleting; following the stack events:\n");
}

/* DeleteStack, followed to its end. */
static int delete_stack(op *o, const cfn_stack *s, const char *role_arn, deploy_result *r)
{
	sf_operation run = delete_operation(o, s, role_arn, say_deleting);
	sf_hooks h;
	lms_error err = {0};
	int rc = EXIT_OK;
	sf_run_result rr = sf_run(o->aws, &run, hooks(o, &h), &r->stack, &r->first, &err);
	if (rr == SF_RUN_REFUSED) {
		fail_err(&err);
		r->result = "failed: DeleteStack";
		rc = EXIT_FINDINGS;
	} else if (rr == SF_RUN_INTERRUPTED) {
		say_interrupted(o);
		r->result = "interrupted while following";
		rc = EXIT_INTERRUPTED;
	} else if (rr == SF_RUN_LOST) {
		fail_err(&err);
		r->result = "unknown: lost track";
		rc = EXIT_FINDINGS;
	} else if (r->stack && strcmp(r->stack->status, "DELETE_COMPLETE") != 0) {
		r->stack_status = strdup(r->stack->status);
		fail("destroy failed: stack %s is %s", o->stack, r->stack->status);
		if (r->first.logical_id)
			fail("first failure: %s (%s): %s", r->first.logical_id, r->first.type,
			     r->first.reason);
		r->result = r->stack->status;
		rc = EXIT_FINDINGS;
	} else {
		r->stack_status = strdup("DELETE_COMPLETE");
		say(o, "Stack %s is deleted.\n", o->stack);
		r->result = "DELETE_COMPLETE";
	}
	/* a deleted stack has no outputs to report */
	cfn_stack_free(r->stack);
	r->stack = NULL;
	lms_error_clear(&err);
	return rc;
}

/* What one Region holds of the environment's leftovers (the main stack's, the edge's). */
typedef struct leftovers_in {
	op *o;
	aws_client *aws;
	const char *region;
	bool edge;      /* its lines say the Region */
	unsigned kinds; /* what is looked for there (sf_leftovers_find_kinds) */
	aws_leftovers l;
} leftovers_in;

static void say_purged(void *ctx, const aws_leftover *l, const lms_error *err)
{
	const leftovers_in *in = ctx;
	const char *kind = sf_leftover_kind_name(l->kind);
	if (err)
		fail("cannot remove %s %s%s%s%s: %s", kind, l->name, in->edge ? " (" : "",
		     in->edge ? in->region : "", in->edge ? ")" : "",
		     err->msg ? err->msg : "failed");
	else
		say(in->o, "  removed %s %s%s%s%s\n", kind, l->name, in->edge ? " (" : "",
		    in->edge ? in->region : "", in->edge ? ")" : "");
}

/* Finds what `sc` left in in->region (a failure is a warning), adds it to the JSON list. */
static void leftovers_find(leftovers_in *in, const sf_leftover_scope *sc, json_t *list)
{
	lms_error err = {0};
	if (!sf_leftovers_find_kinds(in->aws, sc, in->kinds, &in->l, &err)) {
		term_printf(stderr, "lmsctl: warning: %s: %s\n", in->region,
		            err.msg ? err.msg : "leftovers");
		lms_error_clear(&err);
	}
	for (size_t i = 0; i < in->l.n; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s?, s:s}", "kind",
		                                      sf_leftover_kind_name(in->l.v[i].kind),
		                                      "name", in->l.v[i].name, "owner",
		                                      in->l.v[i].owner, "region", in->region));
}

static void leftovers_list(const leftovers_in *in)
{
	for (size_t i = 0; i < in->l.n; i++) {
		const aws_leftover *l = &in->l.v[i];
		say(in->o, "  %-24s %s%s%s%s%s%s%s\n", sf_leftover_kind_name(l->kind), l->name,
		    l->owner ? "  (of " : "", l->owner ? l->owner : "", l->owner ? ")" : "",
		    in->edge ? "  (" : "", in->edge ? in->region : "", in->edge ? ")" : "");
	}
}

/* What the environment left outside its stacks (the main stack's Region, and the edge's:
 * its log groups), listed; with --purge, removed after one typed confirmation. EXIT_OK
 * unless a removal failed or the purge was declined. */
static int leftovers(op *o, const teardown *t, bool purge, bool yes, deploy_result *r)
{
	leftovers_in in[2] = {
	    {o, o->aws, o->region, false, ~0u, {0}},
	    {o, o->edge.aws, o->edge.region, true, SF_LEFTOVER_KIND(AWS_LEFTOVER_LOG_GROUP), {0}}};
	size_t regions = o->edge.comp && o->edge.aws ? 2 : 1;
	sf_leftover_scope sc[2] = {
	    {o->stack, o->suffix, t->resources, t->nresources},
	    {o->edge.stack, o->suffix, t->edge_resources, t->nedge_resources}};
	r->leftovers = json_array();
	size_t n = 0;
	for (size_t i = 0; i < regions; i++) {
		leftovers_find(&in[i], &sc[i], r->leftovers);
		n += in[i].l.n;
	}
	int rc = EXIT_OK;
	if (!n) {
		say(o, "Nothing of %s is left outside the stack%s.\n", o->suffix,
		    regions > 1 ? "s" : "");
	} else {
		say(o, "Left outside the stack%s (%zu):\n", regions > 1 ? "s" : "", n);
		for (size_t i = 0; i < regions; i++)
			leftovers_list(&in[i]);
		if (!purge) {
			say(o, "lmsctl destroy --purge removes them.\n");
		} else if (!yes && !confirm_typed("--purge removes these for good: no recovery "
		                                  "window, no restore.",
		                                  "purge")) {
			say(o, "Not confirmed: nothing purged.\n");
			journal(o, NULL, "purge declined");
			rc = EXIT_FINDINGS;
		} else {
			size_t failed = 0;
			for (size_t i = 0; i < regions; i++)
				failed +=
				    sf_leftovers_purge(in[i].aws, &in[i].l, say_purged, &in[i]);
			char result[96];
			snprintf(result, sizeof result, "purged %zu of %zu", n - failed, n);
			journal(o, NULL, result);
			say(o, "Purged %zu of %zu.\n", n - failed, n);
			rc = failed ? EXIT_FINDINGS : EXIT_OK;
		}
	}
	for (size_t i = 0; i < regions; i++)
		aws_leftovers_free(&in[i].l);
	return rc;
}

/* Reads the stack and what protects it, asks, lifts the protection, deletes the stack. */
/* The edge stack deleted (ops/envflow.h, ef_destroy) and followed to DELETE_COMPLETE; its
 * journal entry written. */
static int destroy_edge(op *o, const cfn_stack *edge, const char *role_arn, deploy_result *r)
{
	edge_result *er = &r->edge;
	sf_hooks h;
	lms_error err = {0};
	int rc = EXIT_FINDINGS;
	sf_run_result rr = ef_destroy(&o->edge, edge, role_arn, hooks(o, &h), say_deleting,
	                              &er->after, &er->first, &err);
	if (rr == SF_RUN_REFUSED || rr == SF_RUN_LOST) {
		fail_err(&err);
		er->result = rr == SF_RUN_REFUSED ? "failed: DeleteStack" : "unknown: lost track";
	} else if (rr == SF_RUN_INTERRUPTED) {
		say_interrupted(o);
		er->result = "interrupted while following";
		rc = EXIT_INTERRUPTED;
	} else if (er->after && strcmp(er->after->status, "DELETE_COMPLETE") != 0) {
		fail("destroy failed: stack %s is %s; the main stack %s is not deleted",
		     o->edge.stack, er->after->status, o->stack);
		if (er->first.logical_id)
			fail("first failure: %s (%s): %s", er->first.logical_id, er->first.type,
			     er->first.reason);
		er->result = er->after->status;
	} else {
		say(o, "Stack %s is deleted.\n", o->edge.stack);
		er->result = "DELETE_COMPLETE";
		rc = EXIT_OK;
	}
	cfn_stack_free(er->after); /* a deleted stack has no outputs to report */
	er->after = NULL;
	journal_at(o, o->edge.region, o->edge.stack, NULL, er->result);
	lms_error_clear(&err);
	return rc;
}

static int destroy_stack(op *o, const cfn_stack *s, const cfn_stack *edge, const char *role_arn,
                         bool yes, teardown *t, deploy_result *r)
{
	int rc = EXIT_OK;
	const cfn_stack *busy = !ops_status_settled(s->status)              ? s
	                        : edge && !ops_status_settled(edge->status) ? edge
	                                                                    : NULL;
	if (busy) {
		fail("stack %s is busy (%s): wait until it settles (lmsctl status --follow)",
		     busy->name ? busy->name : o->stack, busy->status);
		r->result = "refused: stack busy";
		return EXIT_FINDINGS;
	}
	if ((rc = check_protection(o, s, t)) != EXIT_OK) {
		r->result = "refused: deletion protection";
		return rc;
	}
	buf q;
	buf_init(&q, 0);
	destroy_question(o, s, edge, t, &q);
	if (yes)
		say(o, "%s\n", buf_cstr(&q));
	else if (!confirm_typed(buf_cstr(&q), o->suffix)) {
		say(o, "Not confirmed: nothing deleted.\n");
		r->result = "declined";
		rc = EXIT_FINDINGS;
	}
	buf_free(&q);
	if (rc != EXIT_OK)
		return rc;
	list_resources(o->aws, s, &t->resources, &t->nresources);
	if (edge)
		list_resources(o->edge.aws, edge, &t->edge_resources, &t->nedge_resources);
	/* the edge first: its VPC origin holds an ENI in the main stack's subnets */
	if (edge && (rc = destroy_edge(o, edge, role_arn, r)) != EXIT_OK) {
		r->result = "not started: the edge stack was not deleted";
		return rc;
	}
	rc = lift_protection(o, s, role_arn, t, r);
	if (rc == EXIT_OK)
		rc = delete_stack(o, s, role_arn, r);
	return rc;
}

/* The edge stack alone, the main stack gone: one typed confirmation, then deleted. */
static int destroy_edge_alone(op *o, const cfn_stack *edge, const char *role_arn, bool yes,
                              teardown *t, deploy_result *r)
{
	say(o, "Stack %s does not exist in account %s, %s.\n", o->stack, o->who.account, o->region);
	if (!ops_status_settled(edge->status)) {
		fail("stack %s is busy (%s): wait until it settles (lmsctl status --follow)",
		     o->edge.stack, edge->status);
		r->edge.result = "refused: stack busy";
		return EXIT_FINDINGS;
	}
	buf q;
	buf_init(&q, 0);
	buf_addf(&q, "This deletes the edge stack %s (%s, %s) and every resource in it.",
	         o->edge.stack, edge->status, o->edge.region);
	bool go = yes || confirm_typed(buf_cstr(&q), o->suffix);
	if (yes)
		say(o, "%s\n", buf_cstr(&q));
	buf_free(&q);
	if (!go) {
		say(o, "Not confirmed: nothing deleted.\n");
		r->edge.result = "declined";
		return EXIT_FINDINGS;
	}
	list_resources(o->edge.aws, edge, &t->edge_resources, &t->nedge_resources);
	return destroy_edge(o, edge, role_arn, r);
}

/* destroy's question needs a terminal, unless --yes. */
static int destroy_check(op *o, void *ctx, int first, int argc, char **argv)
{
	(void)o, (void)first, (void)argc, (void)argv;
	if (!*(const bool *)ctx && !stdin_is_terminal()) {
		fail("destroy asks the operator to type the environment's name and there is no "
		     "terminal: pass --yes to destroy without asking");
		return EXIT_USAGE;
	}
	return CLI_CONTINUE;
}

int cmd_destroy(int argc, char **argv, const deploy_env *env)
{
	op o;
	op_init(&o, "destroy", env);
	bool yes = false, purge = false;
	const char *role_arn = NULL, *output = NULL;
	const cli_opt opts[] = {AWS_OPTIONS(&o), CLI_FLAG("yes", 'y', &yes),
	                        CLI_FLAG("purge", 0, &purge), CLI_STRING("role-arn", 0, &role_arn),
	                        CLI_OUTPUT_FORMAT(&output)};
	const op_start st = {destroy_usage, opts, COUNT(opts), &output, false, destroy_check, &yes};
	int begun = op_begin(&o, &st, argc, argv);
	if (begun != CLI_CONTINUE)
		return begun;
	install_interrupt(&o);
	deploy_result r = {0};
	teardown t = {0};
	int rc = connect_aws(&o);
	bool connected = rc == EXIT_OK;
	if (connected)
		rc = open_edge(&o);
	cfn_stack *s = NULL, *edge = NULL;
	lms_error err = {0};
	if (rc != EXIT_OK) {
		r.result = connected ? "failed: the edge stack's model" : "failed: no AWS identity";
	} else if (!cfn_describe_stack(o.aws, o.stack, &s, &err) ||
	           (o.edge.comp && !cfn_describe_stack(o.edge.aws, o.edge.stack, &edge, &err))) {
		fail_err(&err);
		r.result = "failed: DescribeStacks";
		rc = EXIT_FINDINGS;
	} else {
		if (o.edge.comp && !edge)
			say(&o, "Edge stack %s does not exist in %s: nothing to delete there.\n",
			    o.edge.stack, o.edge.region);
		if (!s && edge) {
			rc = destroy_edge_alone(&o, edge, role_arn, yes, &t, &r);
			r.result = "nothing to destroy";
		} else if (!s) {
			say(&o, "Stack %s does not exist in account %s, %s: nothing to destroy.\n",
			    o.stack, o.who.account, o.region);
			r.result = "nothing to destroy";
		} else {
			rc = destroy_stack(&o, s, edge, role_arn, yes, &t, &r);
		}
	}
	if (o.edge.comp) {
		r.edge.stack = o.edge.stack;
		r.edge.region = o.edge.region;
		if (!r.edge.result && rc == EXIT_OK)
			r.edge.result = edge ? "DELETE_COMPLETE" : "nothing to destroy";
	}
	cfn_stack_free(edge);
	if (o.have_identity || r.result)
		journal(&o, NULL, r.result ? r.result : "failed");
	/* after DELETE_COMPLETE, or with no stack left: what it left outside */
	if (rc == EXIT_OK && o.aws &&
	    (!s || (r.result && strcmp(r.result, "DELETE_COMPLETE") == 0)))
		rc = leftovers(&o, &t, purge, yes, &r);
	lms_error_clear(&err);
	cfn_stack_free(s);
	emit_json(&o, "result", r.result ? r.result : "failed", &r, rc);
	free(r.stack_status);
	free(r.change_set);
	edge_result_free(&r.edge);
	json_decref(r.leftovers);
	sf_failure_free(&r.first);
	teardown_free(&t);
	op_free(&o);
	return rc;
}

/* ---- status and outputs ------------------------------------------------------------------- */

static json_t *event_json(const cfn_event *e)
{
	char when[32] = "";
	if (e->timestamp) {
		struct tm tm;
		gmtime_r(&e->timestamp, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s?}", "time", when, "logicalId", e->logical_id,
	                 "type", e->resource_type, "status", e->status, "reason", e->reason);
}

/* The edge stack's status under its own heading (after the main stack's), its outputs;
 * *doc its JSON. EXIT_FINDINGS when it failed or cannot be read; a missing edge is not an
 * error (an environment deployed with --template, or before the edge). */
static int status_edge(op *o, json_t **doc)
{
	*doc = NULL;
	if (open_edge(o) != EXIT_OK)
		return EXIT_FINDINGS;
	if (!o->edge.comp)
		return EXIT_OK;
	lms_error err = {0};
	cfn_stack *s = NULL;
	int rc = EXIT_OK;
	if (!cfn_describe_stack(o->edge.aws, o->edge.stack, &s, &err)) {
		fail_err(&err);
		lms_error_clear(&err);
		return EXIT_FINDINGS;
	}
	if (!s) {
		say(o, "Edge stack %s (%s): does not exist\n", o->edge.stack, o->edge.region);
	} else {
		bool failed = ops_status_failed(s->status);
		say(o, "Edge stack %s (%s): %s%s%s%s%s\n", o->edge.stack, o->edge.region,
		    failed ? color(o, RED) : "", s->status, failed ? color(o, RESET) : "",
		    s->status_reason ? ": " : "", s->status_reason ? s->status_reason : "");
		print_outputs_text(o, s);
		if (failed)
			rc = EXIT_FINDINGS;
	}
	*doc =
	    json_pack("{s:s, s:s, s:s, s:s?}", "stack", o->edge.stack, "region", o->edge.region,
	              "status", s ? s->status : "NOT_FOUND", "reason", s ? s->status_reason : NULL);
	if (*doc && s)
		json_object_set_new(*doc, "outputs", sf_outputs_flat(s));
	cfn_stack_free(s);
	return rc;
}

/* Following's end as an exit status, said when it is not settled: interrupted (the
 * operation goes on), or a call failed. */
static int follow_end(op *o, sf_follow_result fr, const lms_error *err)
{
	if (fr == SF_INTERRUPTED) {
		say_interrupted(o);
		return EXIT_INTERRUPTED;
	}
	if (fr == SF_ERROR) {
		fail_err(err);
		return EXIT_FINDINGS;
	}
	return EXIT_OK;
}

/* The hooks' context of one of the stacks status --follow follows together. */
typedef struct followed {
	op *o;
	const char *stack;
} followed;

static void print_followed_event(void *ctx, const cfn_event *e)
{
	const followed *f = ctx;
	print_event_of(f->o, f->stack, e);
}

/* status --follow with an edge: both stacks followed together while either is in progress
 * (ef_follow_all), each event line naming its stack; tr: the main stack's events so far,
 * *s: the main stack (replaced by its settled state), *first: its first failure. */
static int status_follow_both(op *o, cfn_event_tracker *tr, const cfn_stack *edge, cfn_stack **s,
                              sf_failure *first)
{
	say(o,
	    "Following stack %s and edge stack %s (%s) until both settle (Ctrl-C stops "
	    "following, not the operations):\n",
	    o->stack, o->edge.stack, o->edge.region);
	lms_error err = {0};
	cfn_event_tracker te;
	if (!cfn_event_tracker_init(&te, edge->id ? edge->id : o->edge.stack, 0)) {
		fail("out of memory");
		return EXIT_FINDINGS;
	}
	if (!sf_events_baseline(o->edge.aws, &te, &err))
		lms_error_clear(&err); /* its events so far are then shown again: no harm */
	followed fm = {o, o->stack}, fe = {o, o->edge.stack};
	sf_hooks hm = {&fm, print_followed_event, pause_hook, stopped_hook};
	sf_hooks he = {&fe, print_followed_event, pause_hook, stopped_hook};
	ef_follower f[2] = {
	    {.aws = o->aws, .t = tr, .stack = o->stack, .id = (*s)->id, .h = &hm},
	    {.aws = o->edge.aws, .t = &te, .stack = o->edge.stack, .id = edge->id, .h = &he}};
	int rc = follow_end(o, ef_follow_all(f, 2, &err), &err);
	for (size_t i = 0; rc == EXIT_OK && i < 2; i++)
		if (f[i].final)
			say(o, "Stack %s is %s.\n", f[i].stack, f[i].final->status);
		else
			say(o, "Stack %s is gone.\n", f[i].stack);
	if (f[0].final) {
		cfn_stack_free(*s);
		*s = f[0].final;
	}
	*first = f[0].first;
	cfn_stack_free(f[1].final);
	sf_failure_free(&f[1].first);
	cfn_event_tracker_free(&te);
	lms_error_clear(&err);
	return rc;
}

/* status --follow: the operation in progress followed until the stack settles; with an
 * edge (described here), both while either is in progress. */
static int status_follow(op *o, cfn_event_tracker *tr, cfn_stack **s, sf_failure *first)
{
	lms_error err = {0};
	cfn_stack *edge = NULL;
	int rc = open_edge(o);
	if (rc == EXIT_OK && o->edge.comp &&
	    !cfn_describe_stack(o->edge.aws, o->edge.stack, &edge, &err)) {
		fail_err(&err);
		lms_error_clear(&err);
		rc = EXIT_FINDINGS;
	}
	tr->max_pages = 0;
	if (rc != EXIT_OK) {
		/* said */
	} else if (edge &&
	           (!ops_status_settled((*s)->status) || !ops_status_settled(edge->status))) {
		rc = status_follow_both(o, tr, edge, s, first);
	} else if (!ops_status_settled((*s)->status)) {
		say(o, "Following until the stack settles (Ctrl-C stops following, not the "
		       "operation):\n");
		cfn_stack *final = NULL;
		rc = follow_end(o, follow(o, tr, (*s)->id, false, &final, first, &err), &err);
		if (rc != EXIT_OK) {
			/* said */
		} else if (final) {
			cfn_stack_free(*s);
			*s = final;
			say(o, "Stack %s is %s.\n", o->stack, (*s)->status);
		} else {
			say(o, "Stack %s is gone.\n", o->stack);
		}
	}
	cfn_stack_free(edge);
	lms_error_clear(&err);
	return rc;
}

int cmd_status(int argc, char **argv, const deploy_env *env)
{
	op o;
	op_init(&o, "status", env);
	bool follow_on = false;
	const char *output = NULL;
	const cli_opt opts[] = {AWS_OPTIONS(&o), CLI_FLAG("follow", 'f', &follow_on),
	                        CLI_OUTPUT_FORMAT(&output)};
	const op_start st = {status_usage, opts, COUNT(opts), &output, false, NULL, NULL};
	int begun = op_begin(&o, &st, argc, argv);
	if (begun != CLI_CONTINUE)
		return begun;
	install_interrupt(&o);
	int rc = connect_aws(&o);
	if (rc != EXIT_OK) {
		op_free(&o);
		return rc;
	}
	lms_error err = {0};
	cfn_stack *s = NULL;
	json_t *events = json_array();
	sf_failure first = {0};
	if (!cfn_describe_stack(o.aws, o.stack, &s, &err)) {
		fail_err(&err);
		rc = EXIT_FINDINGS;
	} else if (!s) {
		say(&o, "Stack %s does not exist in account %s, %s.\n", o.stack, o.who.account,
		    o.region);
		if (!cli_error_noted())
			cli_error_note("stack %s does not exist in account %s, %s", o.stack,
			               o.who.account, o.region);
		rc = EXIT_FINDINGS;
	} else {
		char when[32] = "";
		time_t t = s->updated ? s->updated : s->created;
		if (t) {
			struct tm tm;
			gmtime_r(&t, &tm);
			strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
		}
		say(&o, "Stack %s: %s%s%s%s%s (since %s)\n", o.stack,
		    ops_status_failed(s->status) ? color(&o, RED) : "", s->status,
		    ops_status_failed(s->status) ? color(&o, RESET) : "",
		    s->status_reason ? ": " : "", s->status_reason ? s->status_reason : "",
		    when[0] ? when : "?");
		say(&o, "Termination protection %s; %zu output(s); %zu parameter(s)\n",
		    s->termination_protection ? "on" : "off", s->noutputs, s->nparameters);
		/* the latest page of events, oldest first */
		cfn_event_tracker tr;
		if (cfn_event_tracker_init(&tr, s->id ? s->id : o.stack, 0)) {
			tr.max_pages = 1;
			cfn_event *ev = NULL;
			size_t n = 0;
			if (cfn_poll_events(o.aws, &tr, &ev, &n, &err)) {
				size_t from = n > 10 ? n - 10 : 0;
				if (n)
					say(&o, "Latest events:\n");
				for (size_t i = 0; i < n; i++) {
					if (i >= from) {
						print_event(&o, &ev[i]);
						json_array_append_new(events, event_json(&ev[i]));
					}
					cfn_event_clear(&ev[i]);
				}
				free(ev);
			} else {
				lms_error_clear(&err);
			}
			if (follow_on)
				rc = status_follow(&o, &tr, &s, &first);
			cfn_event_tracker_free(&tr);
		}
		if (rc == EXIT_OK && s) {
			print_outputs_text(&o, s);
			if (ops_status_failed(s->status) ||
			    strcmp(s->status, "DELETE_COMPLETE") == 0)
				rc = EXIT_FINDINGS;
		}
	}
	json_t *edge_doc = NULL;
	if (rc != EXIT_INTERRUPTED && status_edge(&o, &edge_doc) != EXIT_OK)
		rc = EXIT_FINDINGS;
	if (o.json) {
		json_t *doc = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:o}", "stack", o.stack,
		                        "region", o.region, "account", o.who.account, "status",
		                        s ? s->status : "NOT_FOUND", "reason",
		                        s ? s->status_reason : NULL, "events", json_incref(events));
		if (doc && s)
			json_object_set_new(doc, "outputs", sf_outputs_flat(s));
		if (doc && edge_doc)
			json_object_set(doc, "edge", edge_doc);
		if (doc && rc != EXIT_OK)
			json_object_set_new(doc, "error", cli_error_object(rc));
		if (doc)
			cli_errors_emitted();
		if (doc && first.logical_id)
			json_object_set_new(doc, "firstFailure",
			                    json_pack("{s:s, s:s, s:s}", "logicalId",
			                              first.logical_id, "status", first.status,
			                              "reason", first.reason));
		char *text = doc ? term_json_dumps(doc, JSON_INDENT(2)) : NULL;
		if (text)
			term_printf(stdout, "%s\n", text);
		free(text);
		json_decref(doc);
	}
	json_decref(events);
	json_decref(edge_doc);
	sf_failure_free(&first);
	lms_error_clear(&err);
	cfn_stack_free(s);
	op_free(&o);
	return rc;
}

/* The outputs of `s` (NULL: none) as outputs --output json lists them; an edge's (`stack`
 * its name) carry "Stack". */
static void outputs_json_add(json_t *doc, const cfn_stack *s, const char *stack)
{
	for (size_t i = 0; doc && s && i < s->noutputs; i++) {
		json_t *o =
		    json_pack("{s:s, s:s, s:s?, s:s?}", "OutputKey", s->outputs[i].key,
		              "OutputValue", s->outputs[i].value, "Description",
		              s->outputs[i].description, "ExportName", s->outputs[i].export_name);
		if (o && stack)
			json_object_set_new(o, "Stack", json_string(stack));
		json_array_append_new(doc, o);
	}
}

/* outputs' operand: --write-flat [FILE], FILE the one operand, and only with --write-flat. */
typedef struct outputs_args {
	const bool *write_flat;
	const char *flat_path;
} outputs_args;

static int outputs_check(op *o, void *ctx, int first, int argc, char **argv)
{
	(void)o;
	outputs_args *a = ctx;
	if (first < argc && (!*a->write_flat || first + 1 < argc))
		return cli_usage_error("outputs", "unexpected argument '%s'",
		                       argv[*a->write_flat ? first + 1 : first]);
	if (first < argc)
		a->flat_path = argv[first];
	return CLI_CONTINUE;
}

int cmd_outputs(int argc, char **argv, const deploy_env *env)
{
	op o;
	op_init(&o, "outputs", env);
	const char *format = "text";
	bool write_flat = false;
	const cli_opt opts[] = {AWS_OPTIONS(&o), CLI_FLAG("write-flat", 0, &write_flat),
	                        CLI_OUTPUT_FORMAT(&format)};
	outputs_args a = {&write_flat, SF_OUTPUTS_FILE};
	const op_start st = {outputs_usage, opts, COUNT(opts), &format, true, outputs_check, &a};
	int begun = op_begin(&o, &st, argc, argv);
	if (begun != CLI_CONTINUE)
		return begun;
	const char *flat_path = a.flat_path;
	bool text = !o.json;
	/* the identity line is noise when a script reads the outputs */
	FILE *keep = o.info;
	o.info = stderr;
	int rc = connect_aws(&o);
	o.info = keep;
	if (rc != EXIT_OK) {
		op_free(&o);
		return rc;
	}
	lms_error err = {0};
	cfn_stack *s = NULL, *edge = NULL;
	if (!cfn_describe_stack(o.aws, o.stack, &s, &err)) {
		fail_err(&err);
		rc = EXIT_FINDINGS;
	} else if (!s) {
		fail("stack %s does not exist in account %s, %s", o.stack, o.who.account, o.region);
		rc = EXIT_FINDINGS;
	} else if ((rc = open_edge(&o)) != EXIT_OK) {
		/* said */
	} else if (o.edge.comp && !cfn_describe_stack(o.edge.aws, o.edge.stack, &edge, &err)) {
		fail_err(&err);
		fail("the edge stack %s (%s) could not be read: no outputs printed", o.edge.stack,
		     o.edge.region);
		rc = EXIT_FINDINGS;
	} else if (write_flat) {
		if (!sf_write_flat_outputs_env(s, edge, flat_path, &err)) {
			fail_err(&err);
			fail("cannot write %s", flat_path);
			rc = EXIT_FINDINGS;
		} else {
			term_printf(stderr, "Wrote %s (%zu output(s)%s)\n", flat_path,
			            s->noutputs + (edge ? edge->noutputs : 0),
			            edge ? ", the edge's prefixed " SF_EDGE_OUTPUT_PREFIX : "");
		}
	}
	if (rc != EXIT_OK || !s) {
		/* nothing more to print */
	} else if (text) {
		print_outputs_text(&o, s);
		if (edge) {
			say(&o, "Edge stack %s (%s):\n", o.edge.stack, o.edge.region);
			print_outputs_text(&o, edge);
		}
	} else {
		json_t *doc;
		if (strcmp(format, "flat") == 0) {
			doc = sf_outputs_flat_env(s, edge);
		} else {
			doc = json_array();
			outputs_json_add(doc, s, NULL);
			outputs_json_add(doc, edge, o.edge.stack);
		}
		char *out = doc ? term_json_dumps(
		                      doc, JSON_INDENT(2) |
		                               (strcmp(format, "flat") == 0 ? JSON_SORT_KEYS : 0))
		                : NULL;
		if (out)
			term_printf(stdout, "%s\n", out);
		else
			rc = EXIT_FINDINGS;
		free(out);
		json_decref(doc);
	}
	lms_error_clear(&err);
	cfn_stack_free(s);
	cfn_stack_free(edge);
	op_free(&o);
	return rc;
}

/* ---- diff --------------------------------------------------------------------------------- */

typedef struct diff_opts {
	bool unified, change_set;
	const char *template_path; /* --template FILE, as deploy's */
} diff_opts;

/* One stack of the environment as diff compares it: the main stack, or the edge (its
 * catalog, its model, the values its deploy sends: ef_params). */
typedef struct diff_side {
	bool edge;
	const char *stack, *region;
	aws_client *aws;
	const catalog *cat;
	const model *m;
	cfn_kv *values; /* the edge's (ef_params); NULL: the model's */
	size_t nvalues;
	cfn_stack *s;  /* as described; NULL: none */
	bool deployed; /* s, more than a creation under review: the diff is made */
	buf tpl;       /* its deployed template */
	stack_diff d;
	cfn_change_set *cs; /* --change-set: the update's, deleted */
	bool differs;
} diff_side;

static void diff_side_free(diff_side *x)
{
	sf_kv_free(x->values, x->nvalues);
	cfn_stack_free(x->s);
	buf_free(&x->tpl);
	stack_diff_free(&x->d);
	cfn_change_set_free(x->cs);
}

/* The stack as a diff needs it. The main stack: none, or one whose creation never ran (a
 * change set only), is nothing to compare with (EXIT_USAGE). The edge: then not deployed,
 * a difference (x->deployed false). */
static int diff_read_stack(op *o, diff_side *x)
{
	lms_error err = {0};
	int rc = EXIT_OK;
	if (!cfn_describe_stack(x->aws, x->stack, &x->s, &err)) {
		fail_err(&err);
		rc = EXIT_FINDINGS;
	} else if (!x->s || strcmp(x->s->status, "REVIEW_IN_PROGRESS") == 0) {
		if (!x->edge) {
			fail("stack %s %s in account %s, %s: nothing to compare the model with "
			     "(lmsctl deploy creates it)",
			     x->stack, x->s ? "has never been deployed" : "does not exist",
			     o->who.account, x->region);
			rc = EXIT_USAGE;
		}
	} else if (!cfn_get_template(x->aws, x->s->id ? x->s->id : x->stack, &x->tpl, &err)) {
		fail_err(&err);
		fail("cannot read the deployed template of stack %s", x->stack);
		rc = EXIT_FINDINGS;
	} else {
		x->deployed = true;
	}
	lms_error_clear(&err);
	return rc;
}

/* The deployed stack against the model's template (or --template's: `file`, the main
 * stack only). */
static int diff_compute(diff_side *x, const diff_opts *dopt, const buf *file)
{
	lms_error err = {0};
	bool given = dopt->template_path && !x->edge;
	sd_input in = {.cat = x->cat,
	               .m = x->m,
	               .stack = x->s,
	               .deployed = buf_cstr(&x->tpl),
	               .deployed_len = x->tpl.len,
	               .unified = dopt->unified,
	               .template_text = given ? buf_cstr(file) : NULL,
	               .template_name = given ? dopt->template_path : NULL,
	               .template_len = given ? file->len : 0,
	               .values = x->values,
	               .nvalues = x->nvalues};
	int rc = EXIT_OK;
	if (!stack_diff_compute(&in, &x->d, &err)) {
		fail_err(&err);
		rc = EXIT_FINDINGS;
	}
	lms_error_clear(&err);
	return rc;
}

/* --change-set: the change set an update of `x` with `tpl` and `kv` would make, described,
 * then deleted (never executed); x->cs once made. */
static int diff_plan(op *o, diff_side *x, const buf *tpl, const cfn_kv *kv, size_t n)
{
	lms_error err = {0};
	sf_plan_request rq = {.stack = x->stack,
	                      .region = x->region,
	                      .environment = o->environment,
	                      .account = o->who.account,
	                      .type = "UPDATE",
	                      .role_arn = x->s->role_arn,
	                      .template_text = buf_cstr(tpl),
	                      .template_len = tpl->len,
	                      .params = kv,
	                      .nparams = n};
	sf_plan plan = {0};
	sf_hooks h;
	bool made = sf_plan_change_set(x->aws, &rq, hooks(o, &h), plan_progress, &plan, &err);
	if (!made)
		fail_err(&err);
	lms_error_clear(&err);
	if (plan.cs_id) {
		if (!cfn_delete_change_set(x->aws, x->stack, plan.cs_id, &err)) {
			fail_err(&err);
			fail("change set %s was not deleted: delete it yourself",
			     buf_cstr(&plan.names.name));
			made = false;
		} else {
			say(o, "Deleted change set %s (never executed)\n",
			    buf_cstr(&plan.names.name));
		}
	}
	int rc = EXIT_FINDINGS;
	if (made && plan.cs) {
		x->cs = plan.cs;
		plan.cs = NULL;
		rc = EXIT_OK;
	}
	sf_plan_free(&plan);
	lms_error_clear(&err);
	return rc;
}

/* The template and the values an update sends (the model's; --template's file; the
 * edge's, assembled from its catalog), then diff_plan. */
static int diff_change_set(op *o, diff_side *x, const char *template_path, const buf *template_file)
{
	lms_error err = {0};
	buf tpl;
	buf_init(&tpl, 0);
	params p = {0};
	pipeline_override none = {0};
	int rc = EXIT_FINDINGS;
	bool have = x->edge         ? ef_template(&o->edge, &tpl, &err)
	            : template_path ? buf_add(&tpl, template_file->data, template_file->len)
	                            : assemble_template(o->cat, model_value_cb, o, &tpl, &err);
	if (!have)
		fail_err(&err);
	else if (x->edge)
		rc = diff_plan(o, x, &tpl, x->values, x->nvalues);
	else if (!collect_parameters(o, template_path, &tpl, &none, &p))
		fail("%s", "out of memory collecting the parameters");
	else
		rc = diff_plan(o, x, &tpl, p.kv, p.n);
	params_free(&p);
	buf_free(&tpl);
	lms_error_clear(&err);
	return rc;
}

static void diff_print_text(op *o, const stack_diff *d)
{
	say(o, "Parameters: %zu differ\n", d->params_differ);
	for (size_t i = 0; i < d->nparams; i++) {
		const sd_param *p = &d->params[i];
		if (p->state == SD_CHANGED)
			say(o, "  ~ %s: %s -> %s\n", p->key, p->deployed, p->model);
		else if (p->state == SD_ADDED)
			say(o, "  + %s: (not in the stack) -> %s\n", p->key, p->model);
		else if (p->state == SD_REMOVED)
			say(o, "  - %s: %s -> (not in the model's template)\n", p->key,
			    p->deployed);
		else if (p->state == SD_OWNED)
			say(o, "  = %s: %s (owned by the pipeline: an update keeps it)\n", p->key,
			    p->deployed ? p->deployed : p->model);
		else if (p->state == SD_MASKED)
			say(o, "  = %s: **** (NoEcho: not compared)\n", p->key);
	}
	say(o, "Resources: %zu added, %zu removed, %zu modified\n", d->added, d->removed,
	    d->modified);
	for (size_t i = 0; i < d->nres; i++) {
		const sd_resource *r = &d->res[i];
		char mark = r->state == SD_RES_ADDED ? '+' : r->state == SD_RES_REMOVED ? '-' : '~';
		say(o, "  %c %-40s %s", mark, r->type, r->logical_id);
		for (size_t j = 0; j < r->nchanged; j++)
			say(o, "%s%s", j ? ", " : "  (", r->changed[j]);
		say(o, "%s\n", r->nchanged ? ")" : "");
	}
	if (d->unified.len)
		say(o, "\n%s", buf_cstr(&d->unified));
}

/* One stack's part of the report: its heading, its differences (text), its change set. */
static void diff_print_side(op *o, const diff_side *x)
{
	const char *model_path = o->model_path ? o->model_path : "(built-in dev)";
	if (x->edge && !x->deployed) {
		say(o, "Edge stack %s (%s) is not deployed: lmsctl deploy creates it\n", x->stack,
		    x->region);
		return;
	}
	if (x->edge)
		say(o, "Edge stack %s (%s) against the model %s:\n", x->stack, x->region,
		    model_path);
	else
		say(o, "Stack %s against the model %s:\n", x->stack, model_path);
	if (!o->json)
		diff_print_text(o, &x->d);
	const cfn_change_set *cs = x->cs;
	if (cs && cfn_change_set_is_empty(cs))
		say(o, "Change set %s: no changes\n", cs->name ? cs->name : "?");
	else if (cs && cs->status && strcmp(cs->status, "FAILED") == 0)
		say(o, "Change set %s: FAILED: %s\n", cs->name ? cs->name : "?",
		    cs->status_reason ? cs->status_reason : "no reason given");
	else if (cs)
		summarize(o, (cfn_change_set *)cs, "UPDATE");
}

/* One stack's part of the JSON (account NULL: not said). */
static json_t *diff_json(const diff_side *x, const char *account, bool differs)
{
	const stack_diff *d = &x->d;
	const cfn_change_set *cs = x->cs;
	json_t *pj = json_array(), *res = json_array();
	for (size_t i = 0; pj && i < d->nparams; i++) {
		const sd_param *p = &d->params[i];
		json_array_append_new(
		    pj, json_pack("{s:o, s:s, s:o?, s:o?}", "key", term_json_string(p->key),
		                  "status", sd_param_state_name(p->state), "deployed",
		                  p->deployed ? term_json_string(p->deployed) : NULL, "model",
		                  p->model ? term_json_string(p->model) : NULL));
	}
	for (size_t i = 0; res && i < d->nres; i++) {
		const sd_resource *r = &d->res[i];
		json_t *changed = json_array();
		for (size_t j = 0; changed && j < r->nchanged; j++)
			json_array_append_new(changed, json_string(r->changed[j]));
		json_array_append_new(res, json_pack("{s:s, s:s, s:s, s:o}", "logicalId",
		                                     r->logical_id, "type", r->type, "status",
		                                     sd_resource_state_name(r->state), "changed",
		                                     changed ? changed : json_array()));
	}
	json_t *doc = json_pack("{s:s, s:s, s:s?, s:b, s:o, s:{s:i, s:i, s:i}, s:o}", "stack",
	                        x->stack, "region", x->region, "account", account, "differs",
	                        differs, "parameters", pj ? pj : json_array(), "summary", "added",
	                        (int)d->added, "removed", (int)d->removed, "modified",
	                        (int)d->modified, "resources", res ? res : json_array());
	if (doc && d->unified.len)
		json_object_set_new(doc, "unified", term_json_string(buf_cstr(&d->unified)));
	if (doc && cs) {
		size_t replacements = 0;
		for (size_t i = 0; i < cs->nchanges; i++)
			replacements += change_replaces(&cs->changes[i]);
		json_object_set_new(doc, "changeSet",
		                    json_pack("{s:s?, s:s?, s:s?, s:s?, s:i, s:o}", "name",
		                              cs->name, "id", cs->id, "status", cs->status,
		                              "reason", cs->status_reason, "replacements",
		                              (int)replacements, "changes", changes_json(cs)));
	}
	return doc;
}

/* The JSON of both: the main stack's as before, "differs" the environment's (the exit
 * status), the edge's under "edge" with its own "differs" and "deployed". */
static void diff_emit_json(const op *o, const diff_side *main, const diff_side *edge, bool differs)
{
	json_t *doc = diff_json(main, o->have_identity ? o->who.account : NULL, differs);
	if (doc && edge) {
		json_t *e = edge->deployed ? diff_json(edge, NULL, edge->differs)
		                           : json_pack("{s:s, s:s, s:b}", "stack", edge->stack,
		                                       "region", edge->region, "differs", true);
		if (e)
			json_object_set_new(e, "deployed", json_boolean(edge->deployed));
		json_object_set_new(doc, "edge", e);
	}
	char *text = doc ? term_json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (text) {
		term_printf(stdout, "%s\n", text);
		cli_errors_emitted();
	}
	free(text);
	json_decref(doc);
}

/* The edge's side, once the main stack is read (its outputs give the edge's values):
 * x->stack NULL when the environment has none (or --template names the one stack). */
static int diff_edge(op *o, const diff_opts *dopt, const diff_side *main, diff_side *x)
{
	if (dopt->template_path)
		return EXIT_OK;
	int rc = open_edge(o);
	if (rc != EXIT_OK || !o->edge.comp)
		return rc;
	*x = (diff_side){.edge = true,
	                 .stack = o->edge.stack,
	                 .region = o->edge.region,
	                 .aws = o->edge.aws,
	                 .cat = o->edge.cat,
	                 .m = o->edge.m};
	buf_init(&x->tpl, 0);
	if ((rc = diff_read_stack(o, x)) != EXIT_OK || !x->deployed) {
		x->differs = true; /* not deployed */
		return rc;
	}
	if (!ef_params(&o->edge, o->cat, o->m, main->s, &x->values, &x->nvalues)) {
		fail("out of memory collecting the edge stack's parameters");
		return EXIT_FINDINGS;
	}
	rc = diff_compute(x, dopt, NULL);
	if (rc == EXIT_OK && dopt->change_set)
		rc = diff_change_set(o, x, NULL, NULL);
	x->differs = stack_diff_differs(&x->d) || (x->cs && !cfn_change_set_is_empty(x->cs));
	return rc;
}

/* The verdict's line: the stack's, or with an edge the environment's, naming each stack
 * that differs. */
static void diff_say_verdict(op *o, const diff_side *main, const diff_side *edge)
{
	if (!edge->stack) {
		say(o, "%s\n",
		    main->differs ? "The stack differs from the model."
		                  : "The stack matches the model.");
		return;
	}
	if (!main->differs && !edge->differs) {
		say(o, "The environment matches the model.\n");
		return;
	}
	say(o, "The environment differs from the model: %s%s%s%s%s.\n",
	    main->differs ? "the stack " : "", main->differs ? main->stack : "",
	    main->differs && edge->differs ? ", " : "", edge->differs ? "the edge stack " : "",
	    edge->differs ? edge->stack : "");
}

static int diff_run(op *o, const diff_opts *dopt)
{
	if (!validate_first(o))
		return EXIT_FINDINGS;
	buf file;
	buf_init(&file, 0);
	if (dopt->template_path &&
	    !read_file(dopt->template_path, CFN_MAX_TEMPLATE_URL_BODY, &file)) {
		buf_free(&file);
		return EXIT_USAGE;
	}
	install_interrupt(o);
	int rc = connect_aws(o);
	diff_side main = {.stack = o->stack,
	                  .region = o->region,
	                  .aws = o->aws,
	                  .cat = o->cat,
	                  .m = o->m},
	          edge = {0};
	buf_init(&main.tpl, 0);
	buf_init(&edge.tpl, 0);
	if (rc == EXIT_OK)
		rc = diff_read_stack(o, &main);
	if (rc == EXIT_OK)
		rc = diff_compute(&main, dopt, &file);
	if (rc == EXIT_OK && dopt->change_set)
		rc = diff_change_set(o, &main, dopt->template_path, &file);
	main.differs =
	    stack_diff_differs(&main.d) || (main.cs && !cfn_change_set_is_empty(main.cs));
	if (rc == EXIT_OK)
		rc = diff_edge(o, dopt, &main, &edge);
	bool differs = main.differs || edge.differs;
	if (rc == EXIT_OK) {
		diff_print_side(o, &main);
		if (edge.stack)
			diff_print_side(o, &edge);
		diff_say_verdict(o, &main, &edge);
		rc = differs ? EXIT_DIFFERS : EXIT_OK;
		if (o->json)
			diff_emit_json(o, &main, edge.stack ? &edge : NULL, differs);
	}
	diff_side_free(&main);
	diff_side_free(&edge);
	buf_free(&file);
	return rc;
}

/* diff --change-set makes a change on AWS (load refuses it in a read-only session). */
static int diff_check(op *o, void *ctx, int first, int argc, char **argv)
{
	(void)first, (void)argc, (void)argv;
	o->changes = ((const diff_opts *)ctx)->change_set; /* created, then deleted */
	return CLI_CONTINUE;
}

int cmd_diff(int argc, char **argv, const deploy_env *env)
{
	op o;
	op_init(&o, "diff", env);
	const char *output = NULL;
	diff_opts d = {0};
	const cli_opt opts[] = {AWS_OPTIONS(&o), CLI_FLAG("unified", 'u', &d.unified),
	                        CLI_FLAG("change-set", 0, &d.change_set),
	                        CLI_STRING("template", 0, &d.template_path),
	                        CLI_OUTPUT_FORMAT(&output)};
	const op_start st = {diff_usage, opts, COUNT(opts), &output, false, diff_check, &d};
	int begun = op_begin(&o, &st, argc, argv);
	if (begun != CLI_CONTINUE)
		return begun;
	int rc = diff_run(&o, &d);
	op_free(&o);
	return rc;
}

/* ---- drift -------------------------------------------------------------------------------- */

/* Each status read, on stderr: the detection's progress. */
static void drift_progress(void *ctx, const cfn_drift_status *st, int waited)
{
	(void)ctx;
	term_printf(stderr, "Drift detection %s: %s (%d s)\n",
	            st->detection_id ? st->detection_id : "?", st->detection_status, waited);
}

/* One stack's detection: the main stack's, or the edge's (through its Region's client). */
typedef struct drift_side {
	bool edge;
	const char *stack, *region;
	aws_client *aws;
	cfn_stack *s; /* as described; NULL: none (the edge: nothing to check) */
	bool done;    /* the detection ended (SD_DRIFT_DONE): d holds its result */
	stack_drift d;
	bool drifted; /* a resource MODIFIED or DELETED */
	int rc;       /* EXIT_OK, EXIT_DIFFERS, EXIT_FINDINGS or EXIT_INTERRUPTED */
	char *error;  /* why not done, or why the detection failed; NULL: none */
} drift_side;

static void drift_side_free(drift_side *x)
{
	cfn_stack_free(x->s);
	stack_drift_free(&x->d);
	free(x->error);
}

/* What a detection that did not finish says (x->error too), and its exit status. */
static int drift_not_done(op *o, drift_side *x, sd_drift_end end, lms_error *err)
{
	int rc = EXIT_FINDINGS;
	switch (end) {
	case SD_DRIFT_UNSUPPORTED:
		x->error = lms_strdupf(
		    "drift detection is not available at this endpoint: CloudFormation %s is not "
		    "implemented there (HTTP %ld%s); nothing was checked",
		    x->d.failed_call, x->d.http_status,
		    o->endpoint_url && o->endpoint_url[0]
		        ? ", --endpoint-url: an emulator such as moto has no drift detection"
		        : "");
		break;
	case SD_DRIFT_INTERRUPTED:
		x->error =
		    lms_strdupf("interrupted: the drift detection goes on in CloudFormation; "
		                "run lmsctl drift again for a fresh one");
		rc = EXIT_INTERRUPTED;
		break;
	case SD_DRIFT_FAILED:
	case SD_DRIFT_TIMEOUT:
	case SD_DRIFT_DONE:
		x->error = lms_error_format(err);
		break;
	}
	fail("%s", x->error ? x->error : "out of memory");
	return rc;
}

static void drift_print_text(op *o, const drift_side *x)
{
	const stack_drift *d = &x->d;
	if (x->edge)
		say(o, "Edge stack %s (%s): ", x->stack, x->region);
	else
		say(o, "Stack %s: ", x->stack);
	say(o, "%s (%zu of %zu resource(s) drifted, %zu in sync, %zu not checked)\n",
	    d->status.drift_status ? d->status.drift_status : "UNKNOWN", d->drifted, d->nres,
	    d->in_sync, d->not_checked);
	for (size_t i = 0; i < d->nres; i++) {
		const cfn_resource_drift *r = &d->res[i];
		if (!stack_drift_is_drift(r))
			continue;
		say(o, "  %s%-8s%s %-40s %s%s%s%s\n", color(o, RED), r->status, color(o, RESET),
		    r->resource_type, r->logical_id, r->physical_id ? " (" : "",
		    r->physical_id ? r->physical_id : "", r->physical_id ? ")" : "");
		for (size_t j = 0; j < r->ndiffs; j++) {
			const cfn_property_difference *p = &r->diffs[j];
			say(o, "      %s %s: expected %s, actual %s\n", p->type, p->path,
			    p->expected ? p->expected : "(none)", p->actual ? p->actual : "(none)");
		}
	}
}

/* One stack's JSON (account NULL: not said). */
static json_t *drift_json(const drift_side *x, const char *account, bool drifted)
{
	const stack_drift *d = &x->d;
	json_t *res = json_array();
	for (size_t i = 0; res && i < d->nres; i++) {
		const cfn_resource_drift *r = &d->res[i];
		json_t *diffs = json_array();
		for (size_t j = 0; diffs && j < r->ndiffs; j++) {
			const cfn_property_difference *p = &r->diffs[j];
			json_array_append_new(
			    diffs,
			    json_pack("{s:o, s:o?, s:o?, s:s}", "path", term_json_string(p->path),
			              "expected",
			              p->expected ? term_json_string(p->expected) : NULL, "actual",
			              p->actual ? term_json_string(p->actual) : NULL, "type",
			              p->type));
		}
		json_array_append_new(res, json_pack("{s:s, s:s?, s:s, s:s, s:o}", "logicalId",
		                                     r->logical_id, "physicalId", r->physical_id,
		                                     "type", r->resource_type, "status", r->status,
		                                     "differences", diffs ? diffs : json_array()));
	}
	return json_pack("{s:s, s:s, s:s?, s:b, s:s?, s:s?, s:s?, s:s?, s:i, s:i, s:i, s:o}",
	                 "stack", x->stack, "region", x->region, "account", account, "drifted",
	                 drifted, "detectionId", d->status.detection_id, "detectionStatus",
	                 d->status.detection_status, "driftStatus", d->status.drift_status,
	                 "reason", d->status.reason, "driftedCount", (int)d->drifted, "inSync",
	                 (int)d->in_sync, "notChecked", (int)d->not_checked, "resources",
	                 res ? res : json_array());
}

/* The edge's part of the JSON: its detection's, or why there is none. */
static json_t *drift_edge_json(const drift_side *x)
{
	if (x->done)
		return drift_json(x, NULL, x->drifted);
	json_t *doc = json_pack("{s:s, s:s, s:s, s:b}", "stack", x->stack, "region", x->region,
	                        "status", x->s ? x->s->status : "NOT_FOUND", "drifted", false);
	if (doc && x->error)
		json_object_set_new(doc, "error", term_json_string(x->error));
	return doc;
}

/* Detects the drift of one described stack and says its result (text), or why none. */
static void drift_detect(op *o, drift_side *x)
{
	lms_error err = {0};
	if (x->edge)
		term_printf(stderr,
		            "Detecting drift of edge stack %s (%s) (Ctrl-C stops waiting)\n",
		            x->stack, x->region);
	else
		term_printf(stderr, "Detecting drift of stack %s (Ctrl-C stops waiting)\n",
		            x->stack);
	sf_hooks h;
	sd_drift_end end = stack_drift_detect(x->aws, x->s->id ? x->s->id : x->stack, hooks(o, &h),
	                                      drift_progress, &x->d, &err);
	if (end != SD_DRIFT_DONE) {
		x->rc = drift_not_done(o, x, end, &err);
		lms_error_clear(&err);
		return;
	}
	x->done = true;
	x->drifted = stack_drift_drifted(&x->d);
	bool failed = strcmp(x->d.status.detection_status, "DETECTION_FAILED") == 0;
	const char *reason = x->d.status.reason ? x->d.status.reason : "no reason given";
	if (failed) {
		term_printf(stderr,
		            "lmsctl: drift detection%s%s failed for some resources: %s (the others "
		            "are listed)\n",
		            x->edge ? " of the edge stack " : "", x->edge ? x->stack : "", reason);
		x->error = lms_strdupf("drift detection failed: %s", reason);
	}
	if (!x->drifted && failed && !cli_error_noted())
		cli_error_note("%s", x->error ? x->error : "drift detection failed");
	x->rc = x->drifted ? EXIT_DIFFERS : failed ? EXIT_FINDINGS : EXIT_OK;
	if (!o->json)
		drift_print_text(o, x);
	lms_error_clear(&err);
}

/* The edge, described (after the main stack): x->stack NULL when the environment has none;
 * a missing edge is said, not an error (nothing to check there). */
static int drift_edge(op *o, drift_side *x)
{
	int rc = open_edge(o);
	if (rc != EXIT_OK || !o->edge.comp)
		return rc;
	*x = (drift_side){
	    .edge = true, .stack = o->edge.stack, .region = o->edge.region, .aws = o->edge.aws};
	lms_error err = {0};
	if (!cfn_describe_stack(x->aws, x->stack, &x->s, &err)) {
		fail_err(&err);
		lms_error_clear(&err);
		return EXIT_FINDINGS;
	}
	if (!x->s || strcmp(x->s->status, "REVIEW_IN_PROGRESS") == 0)
		say(o, "Edge stack %s (%s) %s: nothing to check for drift\n", x->stack, x->region,
		    x->s ? "has never been deployed" : "does not exist");
	else
		drift_detect(o, x);
	return x->rc;
}

/* The environment's exit status: 3 when a stack drifted, else the worst of the others. */
static int drift_rc(const drift_side *main, const drift_side *edge)
{
	if (main->rc == EXIT_DIFFERS || edge->rc == EXIT_DIFFERS)
		return EXIT_DIFFERS;
	if (main->rc == EXIT_INTERRUPTED || edge->rc == EXIT_INTERRUPTED)
		return EXIT_INTERRUPTED;
	return main->rc != EXIT_OK ? main->rc : edge->rc;
}

static int drift_run(op *o)
{
	install_interrupt(o);
	int rc = connect_aws(o);
	if (rc != EXIT_OK)
		return rc;
	lms_error err = {0};
	drift_side main = {.stack = o->stack, .region = o->region, .aws = o->aws}, edge = {0};
	if (!cfn_describe_stack(o->aws, o->stack, &main.s, &err)) {
		fail_err(&err);
		lms_error_clear(&err);
		return EXIT_FINDINGS;
	}
	if (!main.s || strcmp(main.s->status, "REVIEW_IN_PROGRESS") == 0) {
		fail("stack %s %s in account %s, %s: nothing to check for drift", o->stack,
		     main.s ? "has never been deployed" : "does not exist", o->who.account,
		     o->region);
		drift_side_free(&main);
		return EXIT_USAGE;
	}
	drift_detect(o, &main);
	if (main.rc != EXIT_INTERRUPTED)
		edge.rc = drift_edge(o, &edge);
	rc = drift_rc(&main, &edge);
	if (o->json && main.done) {
		json_t *doc =
		    drift_json(&main, o->have_identity ? o->who.account : NULL, rc == EXIT_DIFFERS);
		if (doc && edge.stack)
			json_object_set_new(doc, "edge", drift_edge_json(&edge));
		if (doc && rc == EXIT_FINDINGS)
			json_object_set_new(doc, "error", cli_error_object(rc));
		char *text =
		    doc ? term_json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
		if (text) {
			term_printf(stdout, "%s\n", text);
			cli_errors_emitted();
		}
		free(text);
		json_decref(doc);
	}
	drift_side_free(&main);
	drift_side_free(&edge);
	return rc;
}

int cmd_drift(int argc, char **argv, const deploy_env *env)
{
	op o;
	op_init(&o, "drift", env);
	const char *output = NULL;
	const cli_opt opts[] = {AWS_OPTIONS(&o), CLI_OUTPUT_FORMAT(&output)};
	const op_start st = {drift_usage, opts, COUNT(opts), &output, false, NULL, NULL};
	int begun = op_begin(&o, &st, argc, argv);
	if (begun != CLI_CONTINUE)
		return begun;
	int rc = drift_run(&o);
	op_free(&o);
	return rc;
}
