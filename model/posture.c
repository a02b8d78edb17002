/* Security posture rules. SEC001: a load balancer listener that serves plain
 * HTTP. The internal ALB sits behind the API Gateway VPC link; without a
 * certificate the hop from the VPC link to the ALB crosses the VPC
 * unencrypted. Allowed outside prod (there is no certificate to give a dev
 * stack); in prod a warning that `lmsctl deploy` turns into a refusal: the
 * request asks for encryption in transit, and a fresh prod model (which
 * cannot know the certificate) must still validate.
 * The rule reads the listeners by type, so it holds whatever the
 * certificate parameter is called. */
#include "model/rules.h"

#include <string.h>

/* The first template parameter a fragment node refers to (Ref, in any
 * branch of an Fn::If, whatever the model decides), or NULL: the field the
 * operator sets to change the node. Read from the fragment, not the
 * rendering: the branch not taken names the field too. */
static const char *first_param(const catalog *cat, const ynode *n)
{
	if (!n)
		return NULL;
	const char *target = NULL;
	if (n->tag && strcmp(n->tag, "!Ref") == 0)
		target = n->kind == YNODE_SCALAR ? n->str : NULL;
	else if (n->kind == YNODE_MAP && n->n == 1 && ynode_key(n, 0)->kind == YNODE_SCALAR &&
	         strcmp(ynode_key(n, 0)->str, "Ref") == 0)
		target = ynode_str(ynode_val(n, 0));
	if (target && catalog_param(cat, target))
		return target;
	if (n->kind == YNODE_SCALAR)
		return NULL;
	size_t count = n->kind == YNODE_MAP ? 2 * n->n : n->n;
	for (size_t i = 0; i < count; i++) {
		const char *p = first_param(cat, n->kids[i]);
		if (p)
			return p;
	}
	return NULL;
}

/* Whether every default action of the listener redirects to HTTPS: such a
 * listener serves nothing in plain text. Unknown counts as no. */
static bool redirects_to_https(const rnode *props)
{
	const rnode *actions = rnode_get(props, "DefaultActions");
	if (!actions || actions->kind != RN_SEQ || actions->fn || actions->n == 0)
		return false;
	for (size_t i = 0; i < actions->n; i++) {
		const rnode *a = actions->kids[i];
		const char *type = rnode_str(rnode_get(a, "Type"));
		const char *proto =
		    rnode_str(rnode_get(rnode_get(a, "RedirectConfig"), "Protocol"));
		if (!type || strcmp(type, "redirect") != 0 || !proto || strcmp(proto, "HTTPS") != 0)
			return false;
	}
	return true;
}

/* "internal" or "internet-facing" for the load balancer a listener names
 * (ELB's default is internet-facing); NULL when unknown. */
static const char *scheme_of(const rendered *r, const rnode *props)
{
	const char *lb = rnode_ref(rnode_get(props, "LoadBalancerArn"), NULL);
	const render_resource *res = lb ? render_find(r, lb) : NULL;
	if (!res)
		return NULL;
	const rnode *scheme = rnode_get(res->props, "Scheme");
	return scheme ? rnode_str(scheme) : "internet-facing";
}

static void check_listener(const validate_ctx *ctx, const render_resource *res)
{
	const cat_entry *e = res->entry;
	const rnode *rprops = res->props;
	const ynode *props = ynode_get(e->value, "Properties");
	const char *proto = rnode_str(rnode_get(rprops, "Protocol"));
	if (!proto || strcmp(proto, "HTTP") != 0 || redirects_to_https(rprops))
		return;
	bool prod = strcmp(rule_env(ctx), "prod") == 0;
	const char *scheme = scheme_of(ctx->r, rprops);
	bool internal = scheme && strcmp(scheme, "internal") == 0;
	/* the parameter that turns the listener to HTTPS: the certificate's, or
	 * the one the protocol is chosen by */
	const char *cert = first_param(ctx->cat, ynode_get(props, "Certificates"));
	const char *field = cert ? cert : first_param(ctx->cat, ynode_get(props, "Protocol"));
	buf hint;
	buf_init(&hint, 0);
	if (cert)
		buf_addf(&hint, "set %s to an ACM certificate ARN: the listener then serves HTTPS",
		         cert);
	else if (field)
		buf_addf(&hint, "set %s so the listener serves HTTPS", field);
	else
		buf_adds(&hint, "serve HTTPS with an ACM certificate, or redirect HTTP to HTTPS");
	/* A warning even in prod, where it stops `lmsctl deploy` instead: no
	 * default can hold a certificate, and a fresh prod model must validate
	 * (docs/security-posture.md). */
	findings_add(ctx->out, "SEC001", SEV_WARNING, field ? field : "", buf_cstr(&hint),
	             "listener %s serves plain HTTP%s: traffic to the load balancer is not "
	             "encrypted in transit%s",
	             e->name, internal ? " inside the VPC" : "",
	             prod ? "; lmsctl deploy refuses this in prod (--allow-plain-http overrides)"
	                  : " (allowed outside prod)");
	buf_free(&hint);
	if (!field) {
		const ynode *where = ynode_get(props, "Protocol");
		if (!where)
			where = e->key;
		findings_set_position(ctx->out, ctx->out->n - 1, e->frag->path, where->start.line,
		                      where->start.col);
	}
}

void rule_posture(const validate_ctx *ctx)
{
	const rendered *r = ctx->r;
	for (size_t i = 0; r && i < r->nres; i++) {
		const char *type = r->res[i].type;
		if (type && strcmp(type, "AWS::ElasticLoadBalancingV2::Listener") == 0)
			check_listener(ctx, &r->res[i]);
	}
}
