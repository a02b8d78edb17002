/* Security posture rules. SEC001: a load balancer listener that serves plain
 * HTTP. The internal ALB sits behind the API Gateway VPC link; without a
 * certificate the hop from the VPC link to the ALB crosses the VPC
 * unencrypted. Allowed outside prod (there is no certificate to give a dev
 * stack); in prod a warning that `lmsctl deploy` turns into a refusal: the
 * request asks for encryption in transit, and a fresh prod model (which
 * cannot know the certificate) must still validate.
 * The rule reads the listeners by type, so it holds whatever the
 * certificate parameter is called. */
#include "model/eval.h"
#include "model/rules.h"

#include <string.h>

static const char *type_of(const cat_entry *e)
{
	return ynode_str(ynode_get(e->value, "Type"));
}

/* The first template parameter a node refers to (Ref, in any branch of an
 * Fn::If), or NULL: the field the operator sets to change the node. */
static const char *first_param(const catalog *cat, const ynode *n)
{
	if (!n)
		return NULL;
	const char *target = eval_ref_target(n, NULL);
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
static bool redirects_to_https(const eval_ctx *ev, const ynode *props)
{
	const ynode *actions = eval_pick(ev, ynode_get(props, "DefaultActions"));
	if (!actions || actions->kind != YNODE_SEQ || actions->n == 0)
		return false;
	for (size_t i = 0; i < actions->n; i++) {
		const ynode *a = eval_pick(ev, actions->kids[i]);
		const char *type = eval_str(ev, ynode_get(a, "Type"));
		const char *proto = eval_str(
		    ev, ynode_get(eval_pick(ev, ynode_get(a, "RedirectConfig")), "Protocol"));
		if (!type || strcmp(type, "redirect") != 0 || !proto || strcmp(proto, "HTTPS") != 0)
			return false;
	}
	return true;
}

/* "internal" or "internet-facing" for the load balancer a listener names
 * (ELB's default is internet-facing); NULL when unknown. */
static const char *scheme_of(const eval_ctx *ev, const ynode *props)
{
	const char *lb = eval_ref_target(ynode_get(props, "LoadBalancerArn"), NULL);
	const cat_entry *e = lb ? catalog_entry(ev->cat, SEC_RESOURCES, lb) : NULL;
	if (!e)
		return NULL;
	const ynode *scheme = ynode_get(ynode_get(e->value, "Properties"), "Scheme");
	return scheme ? eval_str(ev, scheme) : "internet-facing";
}

static void check_listener(const validate_ctx *ctx, const eval_ctx *ev, const cat_entry *e)
{
	const ynode *props = ynode_get(e->value, "Properties");
	const char *proto = eval_str(ev, ynode_get(props, "Protocol"));
	if (!proto || strcmp(proto, "HTTP") != 0 || redirects_to_https(ev, props))
		return;
	bool prod = strcmp(rule_env(ctx), "prod") == 0;
	const char *scheme = scheme_of(ev, props);
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
	eval_ctx ev = {ctx->cat, ctx->m};
	const catalog *cat = ctx->cat;
	for (size_t i = 0; i < cat->nentries[SEC_RESOURCES]; i++) {
		const cat_entry *e = &cat->entries[SEC_RESOURCES][i];
		const char *type = type_of(e);
		if (!type || eval_exists(&ev, e) == 0)
			continue;
		if (strcmp(type, "AWS::ElasticLoadBalancingV2::Listener") == 0)
			check_listener(ctx, &ev, e);
	}
}
