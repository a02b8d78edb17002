/* edge.c: the traps of the web path's front door (CloudFront and its WAF),
 * by resource type and property over the rendered template; they hold for
 * whichever stack holds the resources (the edge stack, `--stack edge`).
 *
 * EDG001: a web ACL of Scope CLOUDFRONT is made in us-east-1 only ("For
 *   CLOUDFRONT, you must create your WAFv2 resources in the US East (N.
 *   Virginia) Region, us-east-1", AWS::WAFv2::WebACL Scope): elsewhere the
 *   stack fails to create it.
 * EDG002: a distribution's viewer certificate from ACM comes from us-east-1
 *   ("you must ... request or import a certificate" in US East (N.
 *   Virginia), CloudFront Developer Guide, Requirements for using SSL/TLS
 *   certificates with CloudFront).
 * EDG003: every distribution names a web ACL (WebACLId) of Scope CLOUDFRONT
 *   (an ARN with "global/webacl/"; a REGIONAL one or a WAF Classic id
 *   cannot be attached), and a web ACL of the template has a per-IP rate
 *   rule that acts (a RateBasedStatement keyed on IP or FORWARDED_IP, with
 *   Block, Captcha or Challenge, not Count): browser traffic passes WAF's
 *   managed rules and the rate limit. It holds for the edge stack's
 *   template, which `lmsctl report` validates with the main stack's.
 * EDG004: HTTPS for viewers (no ViewerProtocolPolicy allow-all) and to the
 *   origin (OriginProtocolPolicy https-only, on a VPC origin or a custom
 *   origin): an error in prod, a warning elsewhere. An origin protocol that
 *   a parameter gives (the main stack's AlbOriginProtocol, https-only once
 *   the ALB has a certificate) is a warning in every environment, as SEC001
 *   is: a fresh prod model cannot know the certificate. Viewers get TLS 1.2
 *   or later: an ACM certificate's MinimumProtocolVersion TLSv1.2_* or
 *   TLSv1.3_* (an error in prod); CloudFront's default certificate admits
 *   TLS 1.0 whatever the policy, a warning in prod (no alias yet).
 * EDG005: the default behaviour (pages of signed-in users) and the
 *   behaviours of authenticated or API paths (/api, /auth) use the managed
 *   CachingDisabled policy: a cache key without the session would serve one
 *   user's page to the next.
 * EDG006: a REST API that answers CORS preflights (an OPTIONS method without
 *   authorization) has DEFAULT_4XX and DEFAULT_5XX gateway responses with an
 *   Access-Control-Allow-Origin header: API Gateway's own errors (401, 403,
 *   429, 5xx from the authorizer, the usage plan, WAF or throttling) skip the
 *   methods, and without the header a browser sees an opaque CORS failure
 *   instead of the status ("API Gateway responses", Developer Guide). */
#include "model/rules.h"

#include <string.h>
#include <strings.h>

#define CACHING_DISABLED "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"

static bool is(const char *s, const char *want)
{
	return s && strcmp(s, want) == 0;
}

/* The Region of an ARN (its fourth field), in `out`; false when `arn` is
 * not a string with one. */
static bool arn_region(const char *arn, char *out, size_t size)
{
	if (!arn || strncmp(arn, "arn:", 4) != 0)
		return false;
	const char *p = arn;
	for (int field = 0; field < 3; field++) {
		p = strchr(p, ':');
		if (!p)
			return false;
		p++;
	}
	size_t len = strcspn(p, ":");
	if (!p[len] || len >= size)
		return false;
	memcpy(out, p, len);
	out[len] = '\0';
	return true;
}

static void check_web_acl(const validate_ctx *ctx, const render_resource *res)
{
	const ynode *at;
	const char *scope = rnode_str(rule_prop(res->props, "Scope", &at));
	const char *region = ctx->r->region;
	if (!is(scope, "CLOUDFRONT") || !region || is(region, "us-east-1"))
		return;
	findings_add(ctx->out, "EDG001", SEV_ERROR, "",
	             "put the web ACL in the edge stack (templates/edge/, us-east-1), or make it "
	             "REGIONAL for a regional resource",
	             "web ACL %s has Scope CLOUDFRONT in %s: CloudFront's web ACLs are created in "
	             "us-east-1 only, so the stack would fail",
	             res->id, region);
	rule_at(ctx, res->entry, at);
}

static void check_certificate(const validate_ctx *ctx, const render_resource *res,
                              const rnode *config)
{
	const ynode *at;
	const rnode *vc = rule_prop(config, "ViewerCertificate", &at);
	const rnode *arn = rnode_get(vc, "AcmCertificateArn");
	char region[64];
	if (!arn_region(rnode_str(arn), region, sizeof(region)) || is(region, "us-east-1"))
		return;
	const char *param = rule_param_of(ctx, arn);
	findings_add(ctx->out, "EDG002", SEV_ERROR, "",
	             "request or import the certificate in ACM in us-east-1 (N. Virginia)",
	             "distribution %s's viewer certificate%s%s%s is in %s: CloudFront takes ACM "
	             "certificates from us-east-1 only",
	             res->id, param ? " (" : "", param ? param : "", param ? ")" : "", region);
	rule_at(ctx, res->entry, arn->src ? arn->src : at);
}

/* EDG004 for the viewers' TLS version. */
static void check_viewer_tls(const validate_ctx *ctx, const render_resource *res,
                             const rnode *config)
{
	if (!is(rule_env(ctx), "prod"))
		return;
	const ynode *at;
	const rnode *vc = rule_prop(config, "ViewerCertificate", &at);
	if (!vc || vc->kind != RN_MAP)
		return;
	if (rnode_bool(rnode_get(vc, "CloudFrontDefaultCertificate")) == 1) {
		findings_add(ctx->out, "EDG004", SEV_WARNING, "",
		             "give the distribution an alias and its us-east-1 certificate "
		             "(WebDomainName, WebCertificateArn)",
		             "distribution %s uses CloudFront's default certificate, which admits "
		             "TLS 1.0 whatever the security policy",
		             res->id);
		rule_at(ctx, res->entry, vc->src ? vc->src : at);
		return;
	}
	const rnode *v = rnode_get(vc, "MinimumProtocolVersion");
	const char *min = rnode_str(v);
	if (!rnode_get(vc, "AcmCertificateArn") ||
	    (min && (strncmp(min, "TLSv1.2_", 8) == 0 || strncmp(min, "TLSv1.3_", 8) == 0)))
		return;
	findings_add(ctx->out, "EDG004", SEV_ERROR, "", "set MinimumProtocolVersion: TLSv1.2_2021",
	             "distribution %s admits viewers below TLS 1.2 (MinimumProtocolVersion %s)",
	             res->id, min ? min : "absent: TLSv1");
	rule_at(ctx, res->entry, v && v->src ? v->src : vc->src ? vc->src : at);
}

/* Whether a web ACL rule is a per-client rate rule that acts. */
static bool is_rate_rule(const rnode *rule)
{
	const rnode *rate = rnode_get(rnode_get(rule, "Statement"), "RateBasedStatement");
	const char *key = rnode_str(rnode_get(rate, "AggregateKeyType"));
	const rnode *action = rnode_get(rule, "Action");
	return rate && (is(key, "IP") || is(key, "FORWARDED_IP")) &&
	       (rnode_get(action, "Block") || rnode_get(action, "Captcha") ||
	        rnode_get(action, "Challenge"));
}

/* EDG003 for the web ACL resource `acl` a distribution names: CLOUDFRONT
 * scope and a per-IP rate rule. NULL when it passes, else what is wrong. */
static const char *web_acl_problem(const render_resource *acl)
{
	if (!is(acl->type, "AWS::WAFv2::WebACL"))
		return "is not a WAFv2 web ACL";
	const char *scope = rnode_str(rnode_get(acl->props, "Scope"));
	if (scope && !is(scope, "CLOUDFRONT"))
		return "has Scope REGIONAL: CloudFront takes CLOUDFRONT-scope web ACLs only";
	const rnode *rules = rnode_get(acl->props, "Rules");
	for (size_t i = 0; rules && rules->kind == RN_SEQ && i < rules->n; i++)
		if (is_rate_rule(rules->kids[i]))
			return NULL;
	return "has no per-IP rate rule that blocks (a RateBasedStatement keyed on IP, with "
	       "Block, Captcha or Challenge)";
}

static void check_web_acl_id(const validate_ctx *ctx, const render_resource *res,
                             const rnode *config, const ynode *config_at)
{
	const rnode *id = rnode_get(config, "WebACLId");
	const char *s = rnode_str(id);
	const char *acl_id = id ? rnode_ref(id, NULL) : NULL;
	const render_resource *acl = acl_id ? render_find(ctx->r, acl_id) : NULL;
	const char *problem;
	if (acl)
		problem = web_acl_problem(acl);
	else if (s && *s)
		problem = strstr(s, ":global/webacl/")
		              ? NULL
		              : "is not the ARN of a CLOUDFRONT-scope WAFv2 "
		                "web ACL (arn:...:global/webacl/...)";
	else if (id && id->fn)
		problem = NULL; /* symbolic: a web ACL of another stack */
	else {
		findings_add(ctx->out, "EDG003", SEV_ERROR, "",
		             "set DistributionConfig.WebACLId to the ARN of a CLOUDFRONT-scope web "
		             "ACL (the edge stack's WebAcl)",
		             "distribution %s has no web ACL: browser requests reach the origin "
		             "without WAF's managed rules and per-IP rate limit",
		             res->id);
		rule_at(ctx, res->entry, config_at);
		return;
	}
	if (!problem)
		return;
	findings_add(ctx->out, "EDG003", SEV_ERROR, "",
	             "name the edge stack's WebAcl (CLOUDFRONT scope, with its per-IP rate rule) "
	             "in DistributionConfig.WebACLId",
	             "distribution %s's web ACL %s %s: browser requests pass no per-IP rate limit",
	             res->id, acl ? acl->id : s, problem);
	if (acl && is(acl->type, "AWS::WAFv2::WebACL"))
		rule_at(ctx, acl->entry, NULL); /* the web ACL is what to fix */
	else
		rule_at(ctx, res->entry, id && id->src ? id->src : config_at);
}

/* EDG004 for one protocol value `v`, which must be `want`, of `what`. */
static void check_protocol(const validate_ctx *ctx, const render_resource *res, const rnode *v,
                           const ynode *at, const char *bad, const char *want, const char *what)
{
	const char *s = rnode_str(v);
	if (!s || (bad ? !is(s, bad) : is(s, want)))
		return;
	bool prod = is(rule_env(ctx), "prod");
	const char *param = rule_param_of(ctx, v);
	severity sev = param ? SEV_WARNING : prod ? SEV_ERROR : SEV_WARNING;
	findings_add(ctx->out, "EDG004", sev, param ? param : "",
	             param
	                 ? "give the main stack's ALB listener a certificate (AlbCertificateArn): "
	                   "the origin protocol then becomes https-only"
	                 : "use https-only (or redirect-to-https for viewers)",
	             "%s of %s is %s: traffic %s is not encrypted in transit%s", what, res->id, s,
	             bad ? "between viewers and CloudFront" : "from CloudFront to the origin",
	             prod ? "" : " (allowed outside prod)");
	if (!param)
		rule_at(ctx, res->entry, v->src ? v->src : at);
}

static void check_behaviour(const validate_ctx *ctx, const render_resource *res, const rnode *b,
                            const ynode *at)
{
	const char *path = rnode_str(rnode_get(b, "PathPattern"));
	check_protocol(ctx, res, rnode_get(b, "ViewerProtocolPolicy"), at, "allow-all", NULL,
	               "ViewerProtocolPolicy");
	/* EDG005: pages (the default behaviour) and authenticated or API paths */
	bool private_path = !path || strncmp(path, "/api", 4) == 0 ||
	                    strncmp(path, "api", 3) == 0 || strncmp(path, "/auth", 5) == 0 ||
	                    strncmp(path, "auth", 4) == 0;
	const rnode *policy = rnode_get(b, "CachePolicyId");
	if (!private_path ||
	    (policy && (policy->fn == NULL && is(rnode_str(policy), CACHING_DISABLED))))
		return;
	findings_add(ctx->out, "EDG005", SEV_ERROR, "",
	             "use the managed CachingDisabled policy (" CACHING_DISABLED ") there",
	             "the cache behaviour for %s of %s %s: a signed-in user's response could be "
	             "served to the next viewer",
	             path ? path : "pages (the default)", res->id,
	             policy ? "uses a caching policy" : "has legacy cache settings");
	rule_at(ctx, res->entry, policy && policy->src ? policy->src : at);
}

static void check_distribution(const validate_ctx *ctx, const render_resource *res)
{
	const ynode *config_at;
	const rnode *config = rule_prop(res->props, "DistributionConfig", &config_at);
	if (!config || config->kind != RN_MAP)
		return;
	check_certificate(ctx, res, config);
	check_viewer_tls(ctx, res, config);
	check_web_acl_id(ctx, res, config, config_at);
	const ynode *at;
	const rnode *def = rule_prop(config, "DefaultCacheBehavior", &at);
	if (def)
		check_behaviour(ctx, res, def, at);
	const rnode *list = rule_prop(config, "CacheBehaviors", &at);
	for (size_t i = 0; list && list->kind == RN_SEQ && i < list->n; i++)
		check_behaviour(ctx, res, list->kids[i],
		                list->kids[i]->src ? list->kids[i]->src : at);
	const rnode *origins = rnode_get(config, "Origins");
	for (size_t i = 0; origins && origins->kind == RN_SEQ && i < origins->n; i++) {
		const rnode *custom = rnode_get(origins->kids[i], "CustomOriginConfig");
		if (custom)
			check_protocol(ctx, res, rnode_get(custom, "OriginProtocolPolicy"), at,
			               NULL, "https-only", "OriginProtocolPolicy");
	}
}

static void check_vpc_origin(const validate_ctx *ctx, const render_resource *res)
{
	const ynode *at;
	const rnode *config = rule_prop(res->props, "VpcOriginEndpointConfig", &at);
	const rnode *v = rnode_get(config, "OriginProtocolPolicy");
	if (config && !v) { /* CloudFront's default is match-viewer */
		findings_add(
		    ctx->out, "EDG004", is(rule_env(ctx), "prod") ? SEV_ERROR : SEV_WARNING, "",
		    "set OriginProtocolPolicy: https-only",
		    "VPC origin %s has no OriginProtocolPolicy: the default, match-viewer, "
		    "speaks HTTP to the origin for HTTP viewers",
		    res->id);
		rule_at(ctx, res->entry, at);
	} else {
		check_protocol(ctx, res, v, at, NULL, "https-only", "OriginProtocolPolicy");
	}
}

/* Whether gateway response `gr` is `type`, of API `api`, with a non-empty
 * Access-Control-Allow-Origin (header names are case-insensitive). */
static bool cors_response(const render_resource *gr, const char *api, const char *type)
{
	static const char key[] = "gatewayresponse.header.access-control-allow-origin";
	if (!is(gr->type, "AWS::ApiGateway::GatewayResponse") ||
	    !is(rnode_str(rnode_get(gr->props, "ResponseType")), type) ||
	    !is(rnode_ref(rnode_get(gr->props, "RestApiId"), NULL), api))
		return false;
	const rnode *params = rnode_get(gr->props, "ResponseParameters");
	for (size_t i = 0; params && params->kind == RN_MAP && i < params->n; i++) {
		const char *k = rnode_str(params->kids[2 * i]);
		const rnode *v = params->kids[2 * i + 1];
		const char *value = rnode_str(v);
		if (k && strcasecmp(k, key) == 0 &&
		    (v->fn || (value && *value && strcmp(value, "''") != 0)))
			return true;
	}
	return false;
}

/* Whether API `api` has an OPTIONS method without authorization: it answers
 * CORS preflights, so browsers call it. */
static bool answers_preflights(const rendered *r, const char *api)
{
	for (size_t i = 0; i < r->nres; i++) {
		const rnode *p = r->res[i].props;
		if (is(r->res[i].type, "AWS::ApiGateway::Method") &&
		    is(rnode_str(rnode_get(p, "HttpMethod")), "OPTIONS") &&
		    is(rnode_str(rnode_get(p, "AuthorizationType")), "NONE") &&
		    is(rnode_ref(rnode_get(p, "RestApiId"), NULL), api))
			return true;
	}
	return false;
}

static void check_api_cors(const validate_ctx *ctx, const render_resource *api)
{
	const rendered *r = ctx->r;
	if (!answers_preflights(r, api->id))
		return;
	static const char *const types[] = {"DEFAULT_4XX", "DEFAULT_5XX"};
	for (size_t t = 0; t < 2; t++) {
		bool found = false;
		for (size_t i = 0; i < r->nres && !found; i++)
			found = cors_response(&r->res[i], api->id, types[t]);
		if (found)
			continue;
		findings_add(
		    ctx->out, "EDG006", SEV_ERROR, "",
		    "add AWS::ApiGateway::GatewayResponse resources of ResponseType DEFAULT_4XX "
		    "and DEFAULT_5XX with gatewayresponse.header.Access-Control-Allow-Origin "
		    "from CorsAllowedOrigins (and in the deployment's DependsOn)",
		    "API %s has no %s gateway response with Access-Control-Allow-Origin: a "
		    "browser sees API Gateway's own errors (%s) as an opaque CORS failure",
		    api->id, types[t],
		    t ? "500, 502, 504: the authorizer, the integration"
		      : "401, 403, 429: Cognito, the API key, WAF, throttling");
		rule_at(ctx, api->entry, NULL);
	}
}

void rule_edge(const validate_ctx *ctx)
{
	const rendered *r = ctx->r;
	if (!r)
		return;
	for (size_t i = 0; i < r->nres; i++) {
		const render_resource *res = &r->res[i];
		if (is(res->type, "AWS::WAFv2::WebACL"))
			check_web_acl(ctx, res);
		else if (is(res->type, "AWS::CloudFront::Distribution"))
			check_distribution(ctx, res);
		else if (is(res->type, "AWS::CloudFront::VpcOrigin"))
			check_vpc_origin(ctx, res);
		else if (is(res->type, "AWS::ApiGateway::RestApi"))
			check_api_cors(ctx, res);
	}
}
