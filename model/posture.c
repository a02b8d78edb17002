/* The rules a prod deploy is gated on (ops_finding_stops_deploy): warnings in
 * validate, since a fresh prod model cannot know what they ask for, and a
 * refusal in `lmsctl deploy` and the console's D in prod.
 *
 * OBS008: a topic that alarms notify has a recipient (a subscription of the
 * template, or the topic's own Subscription list): alarms that reach nobody
 * are no monitoring. The field is the parameter a subscription of the
 * template takes its endpoint from (AlarmEmail), read from the fragments, so
 * that a subscription whose condition is false still names it.
 *
 * SEC001: a load balancer listener that serves plain
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

/* The logical id a fragment node names with Ref (!Ref X or {Ref: X}), or NULL. */
static const char *ref_target(const ynode *n)
{
	if (!n)
		return NULL;
	if (n->tag && strcmp(n->tag, "!Ref") == 0)
		return n->kind == YNODE_SCALAR ? n->str : NULL;
	if (n->kind == YNODE_MAP && n->n == 1 && ynode_key(n, 0)->kind == YNODE_SCALAR &&
	    strcmp(ynode_key(n, 0)->str, "Ref") == 0)
		return ynode_str(ynode_val(n, 0));
	return NULL;
}

/* The first template parameter a fragment node refers to (Ref, in any
 * branch of an Fn::If, whatever the model decides), or NULL: the field the
 * operator sets to change the node. Read from the fragment, not the
 * rendering: the branch not taken names the field too. */
static const char *first_param(const catalog *cat, const ynode *n)
{
	if (!n)
		return NULL;
	const char *target = ref_target(n);
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

/* ---- OBS008: an alarm topic with a recipient ---------------------------------- */

static bool is_type(const char *type, const char *want)
{
	return type && strcmp(type, want) == 0;
}

/* Whether an alarm of the template notifies `topic` when it fires. */
static bool alarms_notify(const rendered *r, const char *topic)
{
	for (size_t i = 0; i < r->nres; i++)
		if (is_type(r->res[i].type, "AWS::CloudWatch::Alarm") &&
		    rnode_mentions(rnode_get(r->res[i].props, "AlarmActions"), topic))
			return true;
	return false;
}

/* Whether `topic` has a recipient in the rendered template: a subscription to it, or a
 * Subscription list of its own. */
static bool has_recipient(const rendered *r, const render_resource *topic)
{
	const rnode *own = rnode_get(topic->props, "Subscription");
	if (own && own->kind == RN_SEQ && (own->fn || own->n > 0))
		return true;
	for (size_t i = 0; i < r->nres; i++)
		if (is_type(r->res[i].type, "AWS::SNS::Subscription") &&
		    rnode_mentions(rnode_get(r->res[i].props, "TopicArn"), topic->id))
			return true;
	return false;
}

/* The parameters the template's subscriptions to `topic` take their endpoint from,
 * comma-separated into `out`; the first is returned (NULL: none). */
static const char *recipient_params(const validate_ctx *ctx, const char *topic, buf *out)
{
	const char *first = NULL;
	const catalog *cat = ctx->cat;
	for (size_t i = 0; i < cat->nentries[SEC_RESOURCES]; i++) {
		const ynode *v = cat->entries[SEC_RESOURCES][i].value;
		const ynode *props = ynode_get(v, "Properties");
		const char *target = ref_target(ynode_get(props, "TopicArn"));
		if (!is_type(ynode_str(ynode_get(v, "Type")), "AWS::SNS::Subscription") ||
		    !target || strcmp(target, topic) != 0)
			continue;
		const char *p = first_param(cat, ynode_get(props, "Endpoint"));
		if (!p)
			continue;
		buf_addf(out, "%s%s", first ? " or " : "", p);
		if (!first)
			first = p;
	}
	return first;
}

static void check_alarm_topic(const validate_ctx *ctx, const render_resource *res)
{
	if (!alarms_notify(ctx->r, res->id) || has_recipient(ctx->r, res))
		return;
	bool prod = strcmp(rule_env(ctx), "prod") == 0;
	buf params, hint;
	buf_init(&params, 0);
	buf_init(&hint, 0);
	const char *field = recipient_params(ctx, res->id, &params);
	if (field)
		buf_addf(&hint,
		         "set %s to the address that receives the alarms (lmsctl init --set "
		         "%s=ops@example.com)",
		         buf_cstr(&params), field);
	else
		buf_addf(&hint, "subscribe a recipient to %s (an AWS::SNS::Subscription)", res->id);
	findings_add(ctx->out, "OBS008", SEV_WARNING, field ? field : "", buf_cstr(&hint),
	             "alarm topic %s has no recipient: alarms that reach nobody are no "
	             "monitoring%s",
	             res->id,
	             prod ? "; lmsctl deploy refuses this in prod" : " (allowed outside prod)");
	if (!field)
		rule_at(ctx, res->entry, NULL);
	buf_free(&params);
	buf_free(&hint);
}

void rule_posture(const validate_ctx *ctx)
{
	const rendered *r = ctx->r;
	for (size_t i = 0; r && i < r->nres; i++) {
		const char *type = r->res[i].type;
		if (is_type(type, "AWS::ElasticLoadBalancingV2::Listener"))
			check_listener(ctx, &r->res[i]);
		else if (is_type(type, "AWS::SNS::Topic"))
			check_alarm_topic(ctx, &r->res[i]);
	}
}
