#include "model/validate.h"
#include "common/names.h"
#include "common/num.h"
#include "common/str.h"

#include "model/rules.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Java patterns -------------------------------------------------- */

/* Java's POSIX character classes (\p{Lower}, ...) have no PCRE2 spelling;
 * they are rewritten to the ASCII classes Java gives them. Everything else
 * is passed to PCRE2 as is: the syntax CloudFormation templates use
 * (classes, quantifiers, groups, alternation, \d \w \s, lazy and possessive
 * quantifiers, lookaround) means the same in both. */
static const struct {
	const char *java;
	const char *pcre;
} posix_classes[] = {
    {"\\p{Lower}", "[a-z]"},
    {"\\p{Upper}", "[A-Z]"},
    {"\\p{ASCII}", "[\\x00-\\x7F]"},
    {"\\p{Alpha}", "[a-zA-Z]"},
    {"\\p{Digit}", "[0-9]"},
    {"\\p{Alnum}", "[a-zA-Z0-9]"},
    {"\\p{Punct}", "[!-/:-@\\[-`{-~]"},
    {"\\p{Graph}", "[!-~]"},
    {"\\p{Print}", "[ -~]"},
    {"\\p{Blank}", "[ \\t]"},
    {"\\p{Space}", "[ \\t\\n\\x0B\\f\\r]"},
    {"\\p{XDigit}", "[0-9a-fA-F]"},
};

static char *translate_java(const char *pattern)
{
	buf b;
	buf_init(&b, 0);
	/* inside [...] a class is written without its brackets ([\p{Lower}-] is
	 * [a-z-]); where a class ends is decided as PCRE2 will decide it */
	bool in_class = false;
	for (const char *p = pattern; *p;) {
		bool done = false;
		for (size_t i = 0; i < sizeof(posix_classes) / sizeof(posix_classes[0]); i++) {
			size_t n = strlen(posix_classes[i].java);
			if (strncmp(p, posix_classes[i].java, n) == 0) {
				const char *pcre = posix_classes[i].pcre;
				if (in_class)
					buf_add(&b, pcre + 1, strlen(pcre) - 2);
				else
					buf_adds(&b, pcre);
				p += n;
				done = true;
				break;
			}
		}
		if (done)
			continue;
		if (p[0] == '\\' && p[1]) {
			buf_add(&b, p, 2);
			p += 2;
			continue;
		}
		if (!in_class && p[0] == '[') {
			/* a ']' right after '[' or '[^' is a literal */
			size_t n = p[1] == '^' ? 2 : 1;
			if (p[n] == ']')
				n++;
			buf_add(&b, p, n);
			p += n;
			in_class = true;
			continue;
		}
		if (in_class && p[0] == '[' && p[1] == ':') {
			const char *end = strstr(p + 2, ":]"); /* [:alpha:] */
			if (end) {
				buf_add(&b, p, (size_t)(end + 2 - p));
				p = end + 2;
				continue;
			}
		}
		if (in_class && p[0] == ']')
			in_class = false;
		buf_addc(&b, *p++);
	}
	return buf_take(&b);
}

int java_pattern_match(const char *pattern, const char *value, char **why)
{
	if (why)
		*why = NULL;
	if (strstr(pattern, "\\p{java") || strstr(pattern, "\\p{In") || strstr(pattern, "\\p{Is")) {
		if (why)
			*why =
			    strdup("Java-only character classes (\\p{javaX}, \\p{InX}, \\p{IsX}) "
			           "are not supported");
		return -1;
	}
	char *translated = translate_java(pattern);
	if (!translated)
		return -1;
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)translated, PCRE2_ZERO_TERMINATED, PCRE2_UTF,
	                               &errcode, &erroff, NULL);
	free(translated);
	if (!re) {
		if (why) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(errcode, msg, sizeof(msg));
			buf b;
			buf_init(&b, 0);
			buf_addf(&b, "%s at offset %zu", (const char *)msg, (size_t)erroff);
			*why = buf_take(&b);
		}
		return -1;
	}
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	int rc = md ? pcre2_match(re, (PCRE2_SPTR)value, strlen(value), 0,
	                          PCRE2_ANCHORED | PCRE2_ENDANCHORED, md, NULL)
	            : PCRE2_ERROR_NOMEMORY;
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (why)
		*why = strdup(rc == PCRE2_ERROR_BADUTFOFFSET ||
		                      (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21)
		                  ? "the value is not valid UTF-8"
		                  : "the pattern could not be evaluated (backtracking limit)");
	return -1;
}

/* ---- per-parameter constraints (PRM) --------------------------------- */

static bool parse_number(const char *s, double *out)
{
	/* CloudFormation numbers are decimal: no hex, inf or nan */
	return lms_parse_double(s, out);
}

/* Documented formats of the AWS-specific parameter types. */
static const struct {
	const char *type;
	const char *pattern;
	const char *example;
} aws_types[] = {
    {"AWS::EC2::VPC::Id", "vpc-([0-9a-f]{8}|[0-9a-f]{17})", "vpc-0123456789abcdef0"},
    {"AWS::EC2::Subnet::Id", "subnet-([0-9a-f]{8}|[0-9a-f]{17})", "subnet-0123456789abcdef0"},
    {"AWS::EC2::SecurityGroup::Id", "sg-([0-9a-f]{8}|[0-9a-f]{17})", "sg-0123456789abcdef0"},
    {"AWS::EC2::Image::Id", "ami-([0-9a-f]{8}|[0-9a-f]{17})", "ami-0123456789abcdef0"},
    {"AWS::EC2::Instance::Id", "i-([0-9a-f]{8}|[0-9a-f]{17})", "i-0123456789abcdef0"},
    {"AWS::EC2::Volume::Id", "vol-([0-9a-f]{8}|[0-9a-f]{17})", "vol-0123456789abcdef0"},
    {"AWS::EC2::AvailabilityZone::Name", "[a-z]{2}(-[a-z]+)+-[0-9][a-z]", "eu-west-1a"},
    {"AWS::EC2::KeyPair::KeyName", ".{1,255}", "my-key"},
    {"AWS::Route53::HostedZone::Id", "Z[0-9A-Z]{1,32}", "Z23ABC4XYZL05B"},
    {"AWS::SSM::Parameter::Name", "[a-zA-Z0-9_.\\-/]{1,2048}", "/lms/image"},
};

static void add_prm(findings *out, const char *rule_id, const cat_param *p, const char *hint,
                    const char *msg, const char *detail)
{
	findings_add(out, rule_id, SEV_ERROR, p->e.name, hint, "%s%s", msg, detail ? detail : "");
}

static void check_element(const cat_param *p, const char *type, const char *v, findings *out)
{
	const char *hint = p->constraint_description;
	buf d;
	buf_init(&d, 0);
	if (strcmp(type, "Number") == 0) {
		double x;
		if (!parse_number(v, &x)) {
			buf_addf(&d, ": '%s' is not a number", v);
			add_prm(out, "PRM001", p, hint, "value has the wrong type", buf_cstr(&d));
			buf_free(&d);
			return;
		}
		if ((p->has_min_value && x < p->min_value) ||
		    (p->has_max_value && x > p->max_value)) {
			buf_addf(&d, ": %s is outside", v);
			if (p->has_min_value)
				buf_addf(&d, " MinValue %g", p->min_value);
			if (p->has_max_value)
				buf_addf(&d, " MaxValue %g", p->max_value);
			add_prm(out, "PRM005", p, hint, "value out of range", buf_cstr(&d));
		}
	}
	for (size_t i = 0; i < sizeof(aws_types) / sizeof(aws_types[0]); i++) {
		if (strcmp(type, aws_types[i].type) == 0 && *v &&
		    java_pattern_match(aws_types[i].pattern, v, NULL) != 1) {
			buf_addf(&d, ": '%s' is not a %s (like %s)", v, type, aws_types[i].example);
			add_prm(out, "PRM001", p, hint, "value has the wrong type", buf_cstr(&d));
		}
	}
	if (p->allowed_values) {
		bool ok = false;
		for (size_t i = 0; i < p->allowed_values->n; i++)
			ok = ok || strcmp(p->allowed_values->kids[i]->str, v) == 0;
		if (!ok) {
			buf_reset(&d);
			buf_addf(&d, ": '%s' is not one of", v);
			for (size_t i = 0; i < p->allowed_values->n; i++)
				buf_addf(&d, "%s %s", i ? "," : "",
				         p->allowed_values->kids[i]->str);
			add_prm(out, "PRM002", p, hint, "value not allowed", buf_cstr(&d));
		}
	}
	if (p->allowed_pattern) {
		char *why = NULL;
		int rc = java_pattern_match(p->allowed_pattern, v, &why);
		if (rc == 0) {
			buf_reset(&d);
			buf_addf(&d, ": '%s' does not match %s", v, p->allowed_pattern);
			add_prm(out, "PRM003", p, hint, "value does not match the pattern",
			        buf_cstr(&d));
		} else if (rc < 0) {
			findings_add(out, "PRM006", SEV_WARNING, p->e.name,
			             "write the pattern in the subset lmsctl-model(5) lists",
			             "AllowedPattern %s cannot be checked: %s", p->allowed_pattern,
			             why ? why : "unsupported");
		}
		free(why);
	}
	buf_free(&d);
}

void validate_param_value(const cat_param *p, const char *value, findings *out)
{
	const char *type = p->type;
	if (strchr(value, '\n')) {
		findings_add(out, "PRM001", SEV_ERROR, p->e.name, NULL,
		             "value spans several lines; parameters are one line");
		return;
	}
	/* the value is at fault, not its AllowedPattern (which would be PRM006) */
	size_t len = strlen(value);
	if (lms_utf8_invalid(value, len) != len) {
		findings_add(out, "PRM001", SEV_ERROR, p->e.name, "retype the value",
		             "value is not valid UTF-8");
		return;
	}
	if ((p->has_min_length && (long)len < p->min_length) ||
	    (p->has_max_length && (long)len > p->max_length)) {
		buf d;
		buf_init(&d, 0);
		buf_addf(&d, ": %zu characters, allowed", len);
		if (p->has_min_length)
			buf_addf(&d, " at least %ld", p->min_length);
		if (p->has_max_length)
			buf_addf(&d, "%s at most %ld", p->has_min_length ? " and" : "",
			         p->max_length);
		add_prm(out, "PRM004", p, p->constraint_description, "value has the wrong length",
		        buf_cstr(&d));
		buf_free(&d);
	}
	if (!cat_type_is_list(type)) {
		check_element(p, type, value, out);
		return;
	}
	/* lists: CloudFormation applies AllowedValues and AllowedPattern to
	 * each element of a CommaDelimitedList */
	const char *elem_type = "String";
	char inner[64] = "String";
	if (strncmp(type, "List<", 5) == 0) {
		size_t n = strlen(type);
		if (n > 6 && n - 6 < sizeof(inner)) {
			memcpy(inner, type + 5, n - 6);
			inner[n - 6] = '\0';
			elem_type = inner;
		}
	}
	char *copy = strdup(value);
	if (!copy)
		return;
	char *save = copy;
	for (;;) {
		char *comma = strchr(save, ',');
		if (comma)
			*comma = '\0';
		/* CloudFormation does not trim list elements */
		check_element(p, elem_type, save, out);
		if (!comma)
			break;
		save = comma + 1;
	}
	free(copy);
}

static void rule_params(const validate_ctx *ctx)
{
	for (size_t i = 0; i < ctx->cat->nparams; i++) {
		const cat_param *p = &ctx->cat->params[i];
		const char *v = model_param_value(ctx->m, ctx->cat, p->e.name);
		if (v)
			validate_param_value(p, v, ctx->out);
	}
}

/* ---- the model itself (MDL) ------------------------------------------ */

static void rule_unknown(const validate_ctx *ctx)
{
	const model *m = ctx->m;
	for (size_t i = 0; i < m->nunknown; i++) {
		const model_entry *e = &m->unknown[i];
		bool bound = strncmp(e->key, "parameters.", 11) == 0;
		findings_add(ctx->out, "MDL001", SEV_ERROR, e->key,
		             bound ? "set it with the top-level key (stack, region, environment "
		                     "or suffix)"
		                   : "remove it, or check its spelling",
		             bound ? "'%s' is bound to a top-level key of the model"
		                   : "unknown key '%s' in the model file",
		             bound ? e->key + 11 : e->key);
		findings_set_position(ctx->out, ctx->out->n - 1, m->path, e->line, e->col);
	}
	for (size_t i = 0; i < m->n; i++) {
		const model_entry *e = &m->entries[i];
		const cat_param *owned = e->is_param ? catalog_param(ctx->cat, e->key) : NULL;
		if (owned && owned->pipeline_owned) {
			buf hint;
			buf_init(&hint, 0);
			buf_addf(
			    &hint,
			    "remove it from the model: a first deploy sends the template "
			    "Default, an update keeps the value the pipeline last deployed "
			    "(in an emergency: lmsctl deploy --set-pipeline-parameter %s=VALUE)",
			    e->key);
			findings_add(ctx->out, "MDL001", SEV_ERROR, e->key, buf_cstr(&hint),
			             "'%s' is owned by the pipeline (LmsCtl::PipelineParameters in "
			             "%s), not by the model",
			             e->key, owned->e.frag->name);
			buf_free(&hint);
			if (e->line)
				findings_set_position(ctx->out, ctx->out->n - 1, m->path, e->line,
				                      e->col);
			continue;
		}
		if (!e->is_param || owned)
			continue;
		const char *best = NULL;
		size_t best_d = 4;
		for (size_t j = 0; j < ctx->cat->nparams; j++) {
			size_t dist = lms_edit_distance(e->key, ctx->cat->params[j].e.name, false);
			if (dist < best_d) {
				best_d = dist;
				best = ctx->cat->params[j].e.name;
			}
		}
		buf hint;
		buf_init(&hint, 0);
		if (best)
			buf_addf(&hint, "did you mean %s?", best);
		else
			buf_adds(&hint, "remove it; `lmsctl init` lists every parameter");
		findings_add(ctx->out, "MDL001", SEV_ERROR, e->key, buf_cstr(&hint),
		             "unknown parameter '%s': no template fragment defines it", e->key);
		buf_free(&hint);
	}
	for (size_t i = 0; i < 4; i++) {
		const char *k = model_top_keys[i];
		if (!model_get(m, k) && m->doc)
			findings_add(ctx->out, "MDL002", SEV_ERROR, k,
			             "add the key; see lmsctl-model(5)",
			             "the model file has no '%s'", k);
	}
}

static void rule_stack_region(const validate_ctx *ctx)
{
	const char *stack = model_get(ctx->m, "stack");
	/* CloudFormation: a letter, then letters, digits and hyphens, at most 128 */
	int rc = stack ? java_pattern_match("[a-zA-Z][-a-zA-Z0-9]{0,127}", stack, NULL) : 1;
	if (rc < 0) /* these fixed patterns fail to evaluate only out of memory */
		ctx->out->oom = true;
	else if (rc == 0)
		findings_add(ctx->out, "MDL003", SEV_ERROR, "stack",
		             "start with a letter; use letters, digits and hyphens, at most 128",
		             "'%s' is not a valid CloudFormation stack name", stack);
	const char *region = model_get(ctx->m, "region");
	/* a companion stack lives in its own Region (the edge: us-east-1) */
	const char *home = ctx->cat->region ? ctx->cat->region : "eu-west-1";
	rc = region ? java_pattern_match("[a-z]{2}(-[a-z]+)+-[0-9]", region, NULL) : 1;
	if (rc < 0)
		ctx->out->oom = true;
	else if (rc == 0)
		findings_add(ctx->out, "MDL004", SEV_ERROR, "region", "for example eu-west-1",
		             "'%s' is not an AWS region name", region);
	else if (region && strcmp(region, home) != 0) {
		char hint[128];
		snprintf(hint, sizeof(hint),
		         "use %s, or review sizing, quotas and the PDPA transfer notes (docs/) for "
		         "the new region",
		         home);
		findings_add(ctx->out, "MDL004", SEV_WARNING, "region", hint,
		             "the platform is designed and documented for %s, not %s", home,
		             region);
	}
}

/* ---- rule table ------------------------------------------------------ */

/* The check functions, one per family, in id order of their first rule. The ids
 * each family emits, with their severities and summaries, are listed once, in
 * model/rules.def (validate --rules prints it): no id range is written here. */

static const validate_rule rules[] = {
    {"API001",
     "institutions: valid and unique names, rates, bursts, quotas and principals; their "
     "rates against the account's API quota",
     rule_institutions},
    {"CMP001",
     "Fargate sizes, task counts, health checks, alarm periods, API throttling, "
     "exam schedules, session headroom, exam minimums, vCPU quota",
     rule_compute},
    {"DAT001",
     "Aurora capacity, backups, reader AZ, cache failover, 30-day rotation, "
     "deletion protection",
     rule_data},
    {"EDG001",
     "CloudFront: web ACL and viewer certificate in us-east-1, a WAF on every distribution, "
     "HTTPS to viewers and origin, authenticated paths never cached",
     rule_edge},
    {"MDL001", "unknown or misplaced key in the model file", rule_unknown},
    {"MDL003", "stack name and region are valid", rule_stack_region},
    {"NAM001", "environment suffix fits every name it ends", rule_suffix},
    {"NAM002", "generated names fit their service's length limit at the longest suffix",
     rule_name_lengths},
    {"NET001", "CIDR blocks are valid and the subnets fit the VPC and the AZs", rule_cidrs},
    {"NET005", "three availability zones in prod", rule_az_count},
    {"NET006", "one NAT gateway per AZ (single NAT: warning in dev/staging, error in prod)",
     rule_nat},
    {"OBS001",
     "log groups encrypted with retention, audit logs a year, data-lake expiry, "
     "manual approval in prod",
     rule_observe},
    {"PRM001", "each value meets its parameter's declared constraints", rule_params},
    {"SEC001",
     "the prod deploy gates: no plain HTTP on a load balancer listener, a "
     "recipient for every alarm topic; warnings that stop a deploy in prod",
     rule_posture},
    {"SEC002",
     "the controls the report and the docs claim, by resource type across the template: "
     "encryption at rest, key rotation, TLS, public access, one region, images, bucket expiry, "
     "trails, alarm routing",
     rule_claims},
    {"TRP001",
     "the rendered template: it renders, avoids the deploy and teardown "
     "traps cfn-lint misses, scales out within 120 s with capacity for "
     "50,000 users and survives the loss of an AZ",
     rule_traps},
};

const validate_rule *validate_rules(size_t *count)
{
	*count = sizeof(rules) / sizeof(rules[0]);
	return rules;
}

/* A finding about a field points at that field's line in the model file. */
static void position_fields(const model *m, findings *out, size_t from)
{
	for (size_t j = from; j < out->n; j++) {
		if (out->v[j].file || !m->path)
			continue;
		const model_entry *e = model_find(m, out->v[j].field);
		if (e && e->line)
			findings_set_position(out, j, m->path, e->line, e->col);
		else
			findings_set_position(out, j, m->path, 0, 0);
	}
}

void validate_rendered(const catalog *cat, const model *m, const rendered *r, findings *out)
{
	validate_ctx ctx = {cat, m, r, out};
	size_t n;
	const validate_rule *rule = validate_rules(&n);
	for (size_t i = 0; i < n; i++) {
		size_t before = out->n;
		rule[i].check(&ctx);
		position_fields(m, out, before);
	}
	findings_sort(out);
}

rendered *validate_and_render(const catalog *cat, const model *m, findings *out)
{
	size_t before = out->n;
	lms_error err = {0};
	rendered *r = render_template(cat, m, NULL, out, &err);
	if (!r)
		findings_add(out, "REN003", SEV_ERROR, "", NULL,
		             "the template cannot be rendered: %s", err.msg ? err.msg : "error");
	lms_error_clear(&err);
	position_fields(m, out, before);
	validate_rendered(cat, m, r, out);
	return r;
}

void validate_model(const catalog *cat, const model *m, findings *out)
{
	render_free(validate_and_render(cat, m, out));
}
