/* Deploy and destroy in one key, and the stack view that shows them.
 *
 * D: validation errors stop it (listed, Enter jumps to the field); else a
 * change set is created for the exact template previewed (its SHA-256 is
 * shown and checked again before applying), reviewed sorted by risk with
 * replacements counted on their own and stateful resources flagged, then
 * confirmed: y/N (No by default) for additions and modifications, the
 * environment name typed for any replacement or removal. Then the stack's
 * events as they arrive, with each resource's elapsed time, the progress
 * (resources done over total) and the first failure pinned as the root
 * cause; then the outputs. X destroys, with the environment name typed.
 *
 * Every AWS call runs on the ops worker (ops/ops.h): the screen never
 * freezes. Ctrl-C during an operation offers detach, cancel (updates only)
 * or keep watching. */
#define _GNU_SOURCE /* strndup with -std=c11 */
#include "tui/ui.h"

#include "common/num.h"
#include "common/str.h"
#include "common/vec.h"
#include "model/analysis.h"
#include "ops/envflow.h"
#include "ops/stackflow.h"

#include "tui/ui_text.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const ui_binding deploy_keys[] = {
    {"a", "apply the change set", CTX_REVIEW, "apply"},
    {"n Esc", "discard it", CTX_REVIEW, "discard"},
    {"j k", "scroll", CTX_REVIEW | CTX_RUNNING | CTX_DONE, NULL},
    {"Ctrl-C", "detach / cancel / keep watching", CTX_RUNNING, "detach/cancel"},
    {"D", "deploy", CTX_DONE, "deploy"},
    {"X", "destroy", CTX_DONE, "destroy"},
    {"c", "continue the failed rollback", CTX_CONTINUE, "continue rollback"},
    {"X", "delete the failed stack", CTX_RECOVERY, "delete stack"},
    {"Enter", "go to the field", CTX_DONE, NULL},
    {"f", "detect drift (also :drift)", CTX_DONE, "drift"},
};

/* ---- state ----------------------------------------------------------------- */

static void resources_clear(stackops *o)
{
	for (size_t i = 0; i < o->nres; i++) {
		free(o->res[i].logical_id);
		free(o->res[i].type);
		free(o->res[i].status);
		free(o->res[i].reason);
	}
	o->nres = 0;
	o->done = 0;
	o->root_cause = -1;
	free(o->root_reason);
	o->root_reason = NULL;
}

static void outputs_clear(stackops *o)
{
	for (size_t i = 0; i < o->noutputs; i++) {
		free(o->outputs[i].key);
		free(o->outputs[i].value);
		free(o->outputs[i].description);
	}
	free(o->outputs);
	o->outputs = NULL;
	o->noutputs = 0;
}

static void set_str(char **dst, const char *src)
{
	char *d = src ? strdup(src) : NULL;
	free(*dst);
	*dst = d;
}

/* Whether the companion has something to deploy: changes, or a change set to make after
 * the main stack. */
static bool edge_work(const stackops *o)
{
	return o->edge.stack && o->have_ecs && (o->ecs.pending || o->ecs.n > 0);
}

static void params_clear(ops_output **v, size_t *n)
{
	for (size_t i = 0; i < *n; i++) {
		free((*v)[i].key);
		free((*v)[i].value);
		free((*v)[i].description);
	}
	free(*v);
	*v = NULL;
	*n = 0;
}

static void dparams_clear(stackops *o)
{
	params_clear(&o->dparams, &o->ndparams);
}

/* What a drift or deployed diff job reads, cleared before it runs. */
static void side_clear(stackops *o)
{
	free(o->drift);
	free(o->edrift);
	free(o->deployed_template);
	free(o->edeployed_template);
	o->drift = o->edrift = o->deployed_template = o->edeployed_template = NULL;
	params_clear(&o->edparams, &o->nedparams);
}

void stackops_free(stackops *o)
{
	ops_runner_free(o->runner);
	o->runner = NULL;
	resources_clear(o);
	free(o->res);
	outputs_clear(o);
	for (size_t i = 0; i < o->ncalls; i++) {
		free(o->calls[i].service);
		free(o->calls[i].action);
		free(o->calls[i].request_id);
		free(o->calls[i].error);
		free(o->calls[i].cli);
	}
	free(o->calls);
	if (o->have_cs)
		ops_changeset_free(&o->cs);
	free(o->backend_note);
	free(o->account);
	free(o->arn);
	free(o->identity_error);
	free(o->stack_status);
	free(o->stack_reason);
	free(o->phase_text);
	free(o->error);
	side_clear(o);
	free(o->open_name);
	free(o->open_stack);
	dparams_clear(o);
	ops_resources_free(o->dres, o->ndres);
	ops_edge_free(&o->edge);
	free(o->edge_name);
	free(o->edge_error);
	free(o->edge_status);
	free(o->edge_reason);
	if (o->have_ecs)
		ops_changeset_free(&o->ecs);
	ops_resources_free(o->edres, o->nedres);
	memset(o, 0, sizeof(*o));
}

void stackops_init(console *c)
{
	stackops *o = &c->ops;
	o->root_cause = -1;
	const char *fake = getenv("LMSCTL_FAKE_AWS");
	if (fake && *fake) {
		size_t n = c->cat->nentries[SEC_RESOURCES];
		ops_fake_resource *res = calloc(n + 1, sizeof(*res));
		if (!res)
			return;
		for (size_t i = 0; i < n; i++) {
			const cat_entry *e = &c->cat->entries[SEC_RESOURCES][i];
			res[i].logical_id = e->name;
			res[i].type = ynode_str(ynode_get(e->value, "Type"));
		}
		const char *step = getenv("LMSCTL_FAKE_STEP_MS");
		long ms = 40;
		if (step && !lms_parse_long(step, 0, 3600000L, &ms))
			ms = 40;
		lms_error err = {0};
		ops_backend *b =
		    ops_fake_new(fake, res, n, ms > 0 && ms < 60000 ? (int)ms : 40, &err);
		free(res);
		if (b)
			o->runner = ops_runner_new(b, &err);
		if (!o->runner) {
			char *s = lms_error_format(&err);
			o->backend_note = s ? s : strdup("the fake backend did not start");
			console_msg(c, true, "LMSCTL_FAKE_AWS: %s", o->backend_note);
		}
		lms_error_clear(&err);
		return;
	}
	if (c->opts->backend) {
		lms_error err = {0};
		ops_backend *b = c->opts->backend(c->opts->backend_ctx, c->cat, c->m, &err);
		if (b)
			o->runner = ops_runner_new(b, &err);
		if (!o->runner) {
			char *s = lms_error_format(&err);
			o->backend_note = s ? s : strdup("the AWS backend did not start");
			console_msg(c, true, "AWS: %s", o->backend_note);
		}
		lms_error_clear(&err);
		return;
	}
	o->backend_note = strdup("no AWS backend in this session: `lmsctl deploy` and "
	                         "`lmsctl destroy` do it from the command line");
}

/* cfn_kv values as the request's parameters (copied) */
static ops_param *params_of(const cfn_kv *kv, size_t n, size_t *out)
{
	ops_param *v = calloc(n + 1, sizeof(*v));
	*out = 0;
	for (size_t i = 0; v && i < n; i++) {
		v[i] = (ops_param){strdup(kv[i].key), strdup(kv[i].value), kv[i].no_echo,
		                   kv[i].keep_previous};
		(*out)++;
		if (!v[i].key || !v[i].value) {
			for (size_t j = 0; j <= i; j++) {
				free(v[j].key);
				free(v[j].value);
			}
			free(v);
			*out = 0;
			return NULL;
		}
	}
	return v;
}

/* The companion of the environment (ops/envflow.h) resolved from the model into o->edge:
 * its stack, region, template, the values it sends before the main stack's outputs are
 * known, which parameters take which outputs, its resources. o->edge_error says why it
 * could not be. */
static void edge_resolve(console *c)
{
	stackops *o = &c->ops;
	ops_edge_free(&o->edge);
	free(o->edge_error);
	o->edge_error = NULL;
	ef_companion ec;
	lms_error err = {0};
	buf tpl;
	buf_init(&tpl, 0);
	cfn_kv *kv = NULL;
	size_t nkv = 0;
	bool ok = ef_open(c->cat, c->m, &ec, &err);
	if (ok && ec.comp) {
		ops_edge *e = &o->edge;
		set_str(&o->edge_name, ec.comp->name);
		ok = ef_template(&ec, &tpl, &err) && ef_params(&ec, c->cat, c->m, NULL, &kv, &nkv);
		e->stack = ok ? strdup(ec.stack) : NULL;
		e->region = strdup(ec.region);
		e->changeset_id = strdup("");
		e->template_len = tpl.len;
		e->template_text = buf_take(&tpl);
		e->params = ok ? params_of(kv, nkv, &e->nparams) : NULL;
		const catalog *ec_cat = ec.cat;
		size_t nfrom = 0, nres = ec_cat->nentries[SEC_RESOURCES];
		for (size_t i = 0; i < ec_cat->nparams; i++)
			nfrom += ec_cat->params[i].from_output != NULL;
		e->from = calloc(nfrom + 1, sizeof(*e->from));
		for (size_t i = 0; e->from && i < ec_cat->nparams; i++)
			if (ec_cat->params[i].from_output)
				e->from[e->nfrom++] = (ops_param){
				    strdup(ec_cat->params[i].e.name),
				    strdup(ec_cat->params[i].from_output), false, false};
		e->resources = calloc(nres + 1, sizeof(*e->resources));
		for (size_t i = 0; e->resources && i < nres; i++) {
			const cat_entry *r = &ec_cat->entries[SEC_RESOURCES][i];
			const char *type = ynode_str(ynode_get(r->value, "Type"));
			e->resources[e->nresources++] =
			    (ops_resource){strdup(r->name), strdup(type ? type : "?"), strdup("")};
		}
		ok = ok && e->stack && e->region && e->changeset_id && e->template_text &&
		     e->params && e->from && e->resources;
		for (size_t i = 0; ok && i < e->nfrom; i++)
			ok = e->from[i].key && e->from[i].value;
		for (size_t i = 0; ok && i < e->nresources; i++)
			ok = e->resources[i].logical_id && e->resources[i].type &&
			     e->resources[i].status;
		if (!ok)
			ops_edge_free(e);
	}
	if (!ok) {
		char *why = err.msg ? lms_error_format(&err) : NULL;
		o->edge_error = why ? why : strdup("out of memory");
	}
	sf_kv_free(kv, nkv);
	buf_free(&tpl);
	ef_close(&ec);
	lms_error_clear(&err);
}

void stackops_request(console *c, ops_request *rq)
{
	memset(rq, 0, sizeof(*rq));
	rq->stack = (char *)(model_get(c->m, "stack") ? model_get(c->m, "stack") : "");
	rq->region = (char *)(model_get(c->m, "region") ? model_get(c->m, "region") : "");
	rq->environment = (char *)console_env(c);
	const tpl_index *ix = console_template(c);
	rq->template_text = ix && c->tpl.data ? c->tpl.data : (char *)"";
	rq->template_len = ix ? c->tpl.len : 0;
	memcpy(rq->sha256, ix ? c->tpl_sha : "", ix ? 65 : 1);
	/* an opened change set may come without an ARN (an emulator): its name then */
	rq->changeset_id = !c->ops.have_cs                 ? (char *)""
	                   : c->ops.cs.id && *c->ops.cs.id ? c->ops.cs.id
	                                                   : c->ops.cs.name;
	/* the resources this model's template creates */
	size_t n = c->cat->nentries[SEC_RESOURCES];
	rq->resources = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; rq->resources && i < n; i++)
		if (!ui_model_resource_hidden(&c->um, i))
			rq->resources[rq->nresources++] =
			    (char *)c->cat->entries[SEC_RESOURCES][i].name;
	/* the parameter values (borrowed: the runner copies them) */
	rq->params = ops_model_params(c->cat, c->m, &rq->nparams);
	/* the companion (borrowed from c->ops.edge); a change set opened by name is the main
	 * stack's alone */
	edge_resolve(c);
	if (c->ops.edge.stack && !(c->ops.have_cs && c->ops.cs.opened)) {
		ops_edge *e = &c->ops.edge;
		free(e->changeset_id);
		e->changeset_id = strdup(
		    c->ops.have_ecs && !c->ops.ecs.pending && c->ops.ecs.id ? c->ops.ecs.id : "");
		if (e->changeset_id)
			rq->edge = *e;
	}
}

/* A job that reads and changes nothing (the deployed template, the resources, drift): it
 * is not the stack view's operation. */
static bool side_job(ops_job job)
{
	return job == OPS_TEMPLATE || job == OPS_RESOURCES || job == OPS_DRIFT;
}

bool stackops_start(console *c, ops_job job)
{
	stackops *o = &c->ops;
	if (!o->runner) {
		console_msg(c, true, "%s", o->backend_note ? o->backend_note : "no AWS access");
		return false;
	}
	if (ops_runner_busy(o->runner)) {
		console_msg(c, true, "an AWS operation is running (%s): wait for it, or Ctrl-C",
		            ops_job_name(ops_runner_job(o->runner)));
		return false;
	}
	ops_request rq;
	stackops_request(c, &rq);
	if (job == OPS_OPEN)
		rq.changeset_id = o->open_name ? o->open_name : (char *)"";
	bool started = ops_runner_start(o->runner, job, &rq);
	free(rq.resources); /* the names are the catalog's */
	free(rq.params);
	if (!started) {
		console_msg(c, true, "cannot start the %s operation (out of memory or threads)",
		            ops_job_name(job));
		return false;
	}
	free(o->error);
	o->error = NULL;
	if (job == OPS_DRIFT || job == OPS_TEMPLATE) {
		side_clear(o);
		o->side_edge = rq.edge.stack != NULL;
	}
	if (side_job(job))
		return true; /* the stack view keeps showing the operation it showed */
	o->job = job;
	o->edge_touched = false;
	o->job_started = ops_now();
	o->job_finished = 0;
	o->detached = false;
	return true;
}

void stackops_startup(console *c)
{
	if (c->ops.runner)
		stackops_start(c, OPS_STARTUP);
}

bool deploy_running(const console *c)
{
	return c->ops.phase == DEP_RUNNING && c->ops.runner && ops_runner_busy(c->ops.runner);
}

/* ---- starting -------------------------------------------------------------- */

/* Whether a finding stops a deploy: every error, and in prod the deploy gates (no alarm
 * recipient, OBS008; plain HTTP to the load balancer, SEC001), as `lmsctl deploy` refuses
 * them (the console has no --allow-plain-http). */
static bool stops_deploy(console *c, const finding *f)
{
	return ops_finding_stops_deploy(f, console_env(c), false);
}

static size_t deploy_blockers(console *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->um.f.n; i++)
		n += stops_deploy(c, &c->um.f.v[i]);
	return n;
}

static bool can_act(console *c, const char *what, int queue)
{
	if (console_readonly(c)) {
		console_msg(c, true, "read-only session (%s): %s is disabled",
		            console_readonly_why(c), what);
		return false;
	}
	if (!c->ops.runner) {
		console_msg(c, true, "%s",
		            c->ops.backend_note ? c->ops.backend_note : "no AWS access");
		return false;
	}
	if (ops_runner_busy(c->ops.runner)) {
		console_set_view(c, VIEW_DEPLOY);
		if (queue && ops_runner_job(c->ops.runner) == OPS_STARTUP) {
			/* the stack's state is being read: act once it is known */
			c->ops.queued = queue;
			console_progress(c, "reading the stack's state first; %s follows", what);
			return false;
		}
		console_msg(c, true, "an AWS operation is running (%s)",
		            ops_job_name(ops_runner_job(c->ops.runner)));
		return false;
	}
	return true;
}

int deploy_start(console *c)
{
	stackops *o = &c->ops;
	if (!can_act(c, "deploy", 'D'))
		return UI_HANDLED | UI_REDRAW;
	console_set_view(c, VIEW_DEPLOY);
	o->scroll = 0;
	o->cursor = 0;
	size_t blockers = deploy_blockers(c);
	if (blockers) {
		o->phase = DEP_BLOCKED;
		console_msg(c, true, "deploy stopped: %zu finding(s) to fix first", blockers);
		return UI_HANDLED | UI_REDRAW;
	}
	/* the deploy gate the command line uses too: only a running operation is watched */
	if (ops_deploy_job(o->stack_known, o->stack_exists, o->stack_status) == OPS_WATCH ||
	    (o->edge.stack && o->edge_known && o->edge_exists &&
	     ops_status_in_progress(o->edge_status))) {
		console_progress(c, "an operation is already running on the stack: watching it");
		resources_clear(o);
		o->phase = DEP_RUNNING;
		stackops_start(c, OPS_WATCH);
		return UI_HANDLED | UI_REDRAW;
	}
	if (!console_template(c)) {
		console_msg(c, true, "no template: %s", c->tpl_error ? c->tpl_error : "error");
		return UI_HANDLED | UI_REDRAW;
	}
	if (o->have_cs) {
		ops_changeset_free(&o->cs);
		o->have_cs = false;
	}
	if (o->have_ecs) {
		ops_changeset_free(&o->ecs);
		o->have_ecs = false;
	}
	edge_resolve(c);
	if (o->edge_error) {
		console_msg(c, true, "deploy stopped: the edge stack's model: %s", o->edge_error);
		return UI_HANDLED | UI_REDRAW;
	}
	resources_clear(o);
	outputs_clear(o);
	o->phase = DEP_PLANNING;
	set_str(&o->phase_text,
	        o->edge.stack ? "creating the change sets" : "creating the change set");
	if (!stackops_start(c, OPS_PLAN))
		o->phase = DEP_IDLE;
	return UI_HANDLED | UI_REDRAW;
}

static int on_destroy_confirm(console *c, dialog *d, int choice, const char *text, int index)
{
	(void)d;
	(void)text;
	(void)index;
	stackops *o = &c->ops;
	if (choice != 'y') {
		console_msg(c, false, "destroy cancelled: nothing changed");
		return UI_REDRAW;
	}
	resources_clear(o);
	outputs_clear(o);
	/* the resources this model's template has */
	size_t n = 0;
	for (size_t i = 0; i < c->cat->nentries[SEC_RESOURCES]; i++)
		n += !ui_model_resource_hidden(&c->um, i);
	o->total = (!o->stack_known || o->stack_exists ? n : 0) + (o->edge_exists ? o->nedres : 0);
	o->phase = DEP_RUNNING;
	set_str(&o->phase_text, o->edge.stack ? "deleting the edge stack, then the main stack"
	                                      : "deleting the stack");
	console_set_view(c, VIEW_DEPLOY);
	if (!stackops_start(c, OPS_DESTROY))
		o->phase = DEP_IDLE;
	return UI_REDRAW;
}

/* The deployed resources that hold data, one line per type ("◆ 2 AWS::RDS::DBInstance:
 * DatabaseReader, DatabaseWriter"), at most `max` lines, each cut to `inner` columns. */
static void destroy_stateful(console *c, dialog *d, size_t stateful, int inner, int max)
{
	const stackops *o = &c->ops;
	dlg_addf(d, "%zu of them hold data, which goes with them:\n", stateful);
	int lines = 0;
	for (size_t i = 0; i < stateful;) {
		size_t j = i;
		while (j < stateful && strcmp(o->dres[j].type, o->dres[i].type) == 0)
			j++;
		if (lines == max - 1 && j < stateful) {
			size_t kinds = 0;
			for (size_t k = i; k < stateful; k++)
				kinds +=
				    k == i || strcmp(o->dres[k].type, o->dres[k - 1].type) != 0;
			dlg_addf(d, "  %s and %zu more of %zu more kind(s)\n", c->sym.stateful,
			         stateful - i, kinds);
			return;
		}
		buf b;
		buf_init(&b, 0);
		buf_addf(&b, "  %s %zu %s:", c->sym.stateful, j - i, o->dres[i].type);
		for (size_t k = i; k < j; k++)
			buf_addf(&b, "%s %s", k > i ? "," : "", o->dres[k].logical_id);
		size_t used = 0;
		size_t fit = ui_text_fit(buf_cstr(&b), b.len, (size_t)inner - 1, c->utf8, &used);
		if (fit < b.len)
			dlg_addf(d, "%.*s%s\n", (int)fit, buf_cstr(&b), c->sym.ellipsis);
		else
			dlg_addf(d, "%s\n", buf_cstr(&b));
		buf_free(&b);
		lines++;
		i = j;
	}
}

/* "The other 250 (38 kinds), most: 40 IAM::Role, 30 EC2::Subnet, ..." */
static void destroy_others(const stackops *o, buf *out, size_t from)
{
	size_t kinds = 0;
	typedef struct {
		const char *type;
		size_t n;
	} kind;
	kind *k = calloc(o->ndres - from + 1, sizeof(*k));
	if (!k)
		return;
	for (size_t i = from; i < o->ndres; i++) {
		size_t at = 0;
		while (at < kinds && strcmp(k[at].type, o->dres[i].type) != 0)
			at++;
		if (at == kinds)
			k[kinds++] = (kind){o->dres[i].type, 0};
		k[at].n++;
	}
	/* the most numerous first (a selection sort: a few dozen kinds) */
	for (size_t i = 0; i < kinds; i++)
		for (size_t j = i + 1; j < kinds; j++)
			if (k[j].n > k[i].n) {
				kind t = k[i];
				k[i] = k[j];
				k[j] = t;
			}
	buf_addf(out, "The other %zu (%zu kind%s)%s", o->ndres - from, kinds, kinds == 1 ? "" : "s",
	         kinds ? ", most: " : ".");
	for (size_t i = 0; i < kinds && i < 3; i++) {
		const char *t = k[i].type;
		if (lms_starts_with(t, "AWS::"))
			t += 5;
		buf_addf(out, "%s%zu %s", i ? ", " : "", k[i].n, t);
	}
	buf_addf(out, "%s\n\n", kinds > 3 ? ", ..." : kinds ? "." : "");
	free(k);
}

static int wrapped_lines(console *c, const buf *b, int inner)
{
	return (int)ui_wrap(buf_cstr(b), b->len, (size_t)inner, c->utf8, NULL, 0);
}

static const char *short_type(const char *type);

/* The edge's part of the destroy question: deleted first (its VPC origin holds an interface
 * in the main stack's subnets), with what it holds as ListStackResources says. */
static void destroy_edge_intro(console *c, buf *b, bool alone)
{
	const stackops *o = &c->ops;
	if (!o->edge_listed || (o->edge_known && !o->edge_exists)) {
		buf_addf(b, "Edge stack %s (%s): %s.\n", o->edge.stack, o->edge.region,
		         o->edge_known && !o->edge_exists
		             ? "does not exist, nothing to delete there"
		             : "its resources could not be listed; "
		               "it is deleted first if it exists");
		return;
	}
	buf_addf(b, "%s the edge stack %s in %s: its %zu resource%s go%s (",
	         alone ? "Delete" : "First", o->edge.stack, o->edge.region, o->nedres,
	         o->nedres == 1 ? "" : "s", o->nedres == 1 ? "es" : "");
	/* those that hold data first (ops_resources_sort), three at most: the dialog keeps its
	 * lines for the main stack's */
	for (size_t i = 0; i < o->nedres && i < 3; i++)
		buf_addf(b, "%s%s %s", i ? ", " : "", short_type(o->edres[i].type),
		         o->edres[i].logical_id);
	if (o->nedres > 3)
		buf_addf(b, " and %zu more", o->nedres - 3);
	buf_addf(b, ")%s\n", alone ? "." : "; then:");
}

/* The destroy question, with what the stack holds as ListStackResources says (`listed`),
 * the stateful resources first; then what the job lifts first; then the typed name. */
static void destroy_dialog(console *c, bool listed)
{
	stackops *o = &c->ops;
	const char *stack = model_get(c->m, "stack");
	dialog *d =
	    dlg_new(DLG_TYPED,
	            console_is_prod(c)
	                ? (o->edge.stack ? "DESTROY the PROD stacks" : "DESTROY the PROD stack")
	                : (o->edge.stack ? "Destroy the stacks" : "Destroy the stack"),
	            on_destroy_confirm);
	if (!d)
		return;
	d->danger = true;
	const char *region = model_get(c->m, "region") ? model_get(c->m, "region") : "?";
	buf intro, others, tail;
	buf_init(&intro, 0);
	buf_init(&others, 0);
	buf_init(&tail, 0);
	bool main_gone = o->stack_known && !o->stack_exists;
	if (o->edge.stack)
		destroy_edge_intro(c, &intro, main_gone);
	if (main_gone)
		buf_addf(&intro, "Stack %s does not exist in %s: nothing else to delete.\n\n",
		         stack ? stack : "?", region);
	else if (listed)
		buf_addf(
		    &intro,
		    "Delete stack %s in %s%s? Its %zu resource%s go%s; it cannot be undone.\n\n",
		    stack ? stack : "?", region, console_is_prod(c) ? ", environment PROD" : "",
		    o->ndres, o->ndres == 1 ? "" : "s", o->ndres == 1 ? "es" : "");
	else
		buf_addf(&intro,
		         "Delete stack %s in %s%s? Its resources could not be listed (%s): every "
		         "one goes, data included; it cannot be undone.\n\n",
		         stack ? stack : "?", region,
		         console_is_prod(c) ? ", environment PROD" : "",
		         o->error ? o->error : "no AWS access");
	size_t stateful = 0;
	while (listed && stateful < o->ndres && ops_stateful_rank(o->dres[stateful].type) >= 0)
		stateful++;
	if (listed && o->ndres > stateful)
		destroy_others(o, &others, stateful);
	else if (listed)
		buf_adds(&others, "\n");
	if (c->ops.account)
		buf_addf(&tail, "Account %s, as %s.\n\n", c->ops.account,
		         c->ops.arn ? c->ops.arn : "?");
	/* what the job lifts first, and nothing it does not name (ops_protected_resources) */
	ops_request rq;
	stackops_request(c, &rq);
	size_t n = 0;
	char **names = ops_protected_resources(rq.template_text, rq.template_len, rq.params,
	                                       rq.nparams, rq.stack, &n);
	free(rq.resources);
	free(rq.params);
	if (n) {
		buf_adds(&tail, "First it lifts deletion protection through CloudFormation (one "
		                "change set that changes nothing else), on:\n");
		for (size_t i = 0; i < n; i++)
			buf_addf(&tail, "  %s\n", names[i]);
		buf_adds(&tail, "and the stack's termination protection if it is on.\n\n");
	}
	ops_strings_free(names, n);
	buf_addf(&tail, "Type the environment name (%s) to confirm:", console_env_name(c));
	/* the stateful kinds get the lines the rest leaves (dlg_layout, dlg_draw: the frame,
	 * the field and its error line, the keys) */
	int inner = (c->cols - 4 < 72 ? c->cols - 4 : 72) - 4;
	int avail = (c->rows - 2) - 2 - 1 - 1 - 2;
	int max = avail - wrapped_lines(c, &intro, inner) - wrapped_lines(c, &others, inner) -
	          wrapped_lines(c, &tail, inner) - 1;
	dlg_addf(d, "%s", buf_cstr(&intro));
	if (listed && stateful)
		destroy_stateful(c, d, stateful, inner, max < 1 ? 1 : max);
	dlg_addf(d, "%s%s", buf_cstr(&others), buf_cstr(&tail));
	buf_free(&intro);
	buf_free(&others);
	buf_free(&tail);
	d->expect = strdup(console_env_name(c));
	dlg_push(c, d);
}

int destroy_start(console *c)
{
	stackops *o = &c->ops;
	if (!can_act(c, "destroy", 'X'))
		return UI_HANDLED | UI_REDRAW;
	edge_resolve(c);
	if (o->edge_error) {
		console_msg(c, true, "destroy stopped: the edge stack's model: %s", o->edge_error);
		return UI_HANDLED | UI_REDRAW;
	}
	if (o->stack_known && !o->stack_exists &&
	    !(o->edge.stack && o->edge_known && o->edge_exists)) {
		console_msg(c, false, "stack %s does not exist%s: nothing to destroy",
		            model_get(c->m, "stack") ? model_get(c->m, "stack") : "",
		            o->edge.stack ? ", nor its edge stack" : "");
		return UI_HANDLED | UI_REDRAW;
	}
	/* the question names what the stacks hold: ListStackResources first */
	ops_resources_free(o->dres, o->ndres);
	o->dres = NULL;
	o->ndres = 0;
	ops_resources_free(o->edres, o->nedres);
	o->edres = NULL;
	o->nedres = 0;
	o->edge_listed = false;
	o->destroy_waiting = true;
	if (stackops_start(c, OPS_RESOURCES)) {
		console_progress(c, "listing the stack's resources (ListStackResources)...");
		return UI_HANDLED | UI_REDRAW;
	}
	o->destroy_waiting = false;
	destroy_dialog(c, false);
	return UI_HANDLED | UI_REDRAW;
}

static int on_apply_confirm(console *c, dialog *d, int choice, const char *text, int index)
{
	(void)d;
	(void)text;
	(void)index;
	stackops *o = &c->ops;
	if (choice != 'y') {
		console_msg(c, false,
		            "not applied: the change set waits for review (a applies, n "
		            "discards)");
		return UI_REDRAW;
	}
	resources_clear(o);
	o->scroll = 0; /* the newest events in sight */
	o->total = o->cs.n + (edge_work(o) && !o->cs.opened ? o->ecs.n : 0);
	o->phase = DEP_RUNNING;
	set_str(&o->phase_text, edge_work(o) && !o->cs.opened
	                            ? "executing the change sets: the main stack, then the edge"
	                            : "executing the change set");
	if (!stackops_start(c, OPS_EXECUTE))
		o->phase = DEP_REVIEW;
	return UI_REDRAW;
}

/* What the edge's change set does ("1 add, 0 modify, 0 REPLACE, 0 REMOVE"), or, made after
 * the main stack, its resources and how many parameters take the main stack's outputs. */
static void edge_summary(console *c, buf *b)
{
	const stackops *o = &c->ops;
	if (!o->have_ecs) {
		buf_adds(b, "no change set");
	} else if (o->ecs.pending) {
		buf_addf(b,
		         "%zu resource%s to %s, its change set made after the main stack, %zu "
		         "parameter%s from its outputs",
		         o->ecs.n, o->ecs.n == 1 ? "" : "s",
		         o->ecs.creates_stack ? "add" : "update", o->edge.nfrom,
		         o->edge.nfrom == 1 ? "" : "s");
	} else {
		size_t add, mod, rep, rem;
		ops_changeset_counts(&o->ecs, &add, &mod, &rep, &rem);
		buf_addf(b, "%zu add, %zu modify, %zu REPLACE, %zu REMOVE", add, mod, rep, rem);
	}
}

/* The one confirmation for both stacks: typed when either replaces or removes. */
static int apply_both(console *c, size_t add, size_t mod, size_t rep, size_t rem, size_t stateful)
{
	stackops *o = &c->ops;
	size_t eadd = 0, emod = 0, erep = 0, erem = 0;
	if (o->have_ecs && !o->ecs.pending)
		ops_changeset_counts(&o->ecs, &eadd, &emod, &erep, &erem);
	for (size_t i = 0; o->have_ecs && !o->ecs.pending && i < o->ecs.n; i++)
		stateful += o->ecs.v[i].stateful && ops_change_risk(&o->ecs.v[i]) >= 30;
	const char *stack = model_get(c->m, "stack");
	bool typed = rep + rem + erep + erem > 0;
	const char *title = typed ? (console_is_prod(c) ? "Replace or remove resources in PROD"
	                                                : "Replace or remove resources")
	                          : (console_is_prod(c) ? "Apply to PROD" : "Apply");
	dialog *d = dlg_new(typed ? DLG_TYPED : DLG_CHOICE, title, on_apply_confirm);
	if (!d)
		return UI_HANDLED;
	d->danger = typed;
	buf b;
	buf_init(&b, 0);
	edge_summary(c, &b);
	if (o->cs.n)
		dlg_addf(d,
		         "Apply the change set to %s (%s): %zu add, %zu modify, %zu REPLACE, %zu "
		         "REMOVE;\n",
		         stack, console_is_prod(c) ? "PROD" : console_env(c), add, mod, rep, rem);
	else
		dlg_addf(d, "%s has no changes;\n", stack);
	dlg_addf(d, "then the edge stack %s (%s): %s.\n", o->edge.stack, o->edge.region,
	         buf_cstr(&b));
	buf_free(&b);
	if (stateful)
		dlg_addf(d, "%s %zu of them hold data (%s): a replacement or removal loses it.\n",
		         c->sym.stateful, stateful, "database, cache, file system, bucket...");
	if (typed) {
		dlg_addf(d, "\nType the environment name (%s) to apply both:", console_env_name(c));
		d->expect = strdup(console_env_name(c));
	} else {
		dlg_addf(d, "Deploy %s%s%s? No resource is replaced or removed.",
		         o->cs.n ? stack : "", o->cs.n ? ", then " : "", o->edge.stack);
		dlg_choice_add(d, 'y', "yes, apply");
		dlg_choice_add(d, 'n', "no (Enter)");
	}
	dlg_push(c, d);
	return UI_HANDLED | UI_REDRAW;
}

static int apply(console *c)
{
	stackops *o = &c->ops;
	if (console_readonly(c)) {
		console_msg(c, true, "read-only session (%s): applying is disabled",
		            console_readonly_why(c));
		return UI_HANDLED | UI_REDRAW;
	}
	/* an opened change set is tied to the stack it was opened for, not to a template */
	const char *now = model_get(c->m, "stack") ? model_get(c->m, "stack") : "";
	if (o->cs.opened && (!o->open_stack || strcmp(o->open_stack, now) != 0)) {
		console_msg(c, true,
		            "the model's stack changed since change set %s was opened (was %s, "
		            "now %s): n closes it; :changeset opens one of this stack",
		            o->cs.name, o->open_stack ? o->open_stack : "?", now);
		return UI_HANDLED | UI_REDRAW;
	}
	/* the change set must be the template the operator reviewed */
	const tpl_index *ix = console_template(c);
	if (!o->cs.opened && (!ix || strcmp(c->tpl_sha, o->cs.sha256) != 0)) {
		console_msg(c, true,
		            "the model changed since this change set was made (template "
		            "sha256 %.12s, now %.12s): D makes a new one",
		            o->cs.sha256, c->tpl_sha);
		return UI_HANDLED | UI_REDRAW;
	}
	size_t add, mod, rep, rem;
	ops_changeset_counts(&o->cs, &add, &mod, &rep, &rem);
	size_t stateful = 0;
	for (size_t i = 0; i < o->cs.n; i++)
		stateful += o->cs.v[i].stateful && ops_change_risk(&o->cs.v[i]) >= 30;
	const char *stack = model_get(c->m, "stack");
	if (edge_work(o) && !o->cs.opened)
		return apply_both(c, add, mod, rep, rem, stateful);
	if (rep + rem > 0) {
		dialog *d = dlg_new(DLG_TYPED,
		                    console_is_prod(c) ? "Replace or remove resources in PROD"
		                                       : "Replace or remove resources",
		                    on_apply_confirm);
		if (!d)
			return UI_HANDLED;
		d->danger = true;
		dlg_addf(d, "Apply to %s: %zu add, %zu modify, %zu REPLACE, %zu REMOVE.\n", stack,
		         add, mod, rep, rem);
		if (o->cs.opened)
			dlg_addf(d,
			         "Change set %s was made outside this session, not from the "
			         "template previewed here.\n",
			         o->cs.name);
		if (stateful)
			dlg_addf(d,
			         "%s %zu of them hold data (%s): a replacement or removal loses "
			         "it.\n",
			         c->sym.stateful, stateful,
			         "database, cache, file system, bucket...");
		dlg_addf(d, "\nType the environment name (%s) to apply:", console_env_name(c));
		d->expect = strdup(console_env_name(c));
		dlg_push(c, d);
	} else {
		dialog *d = dlg_new(DLG_CHOICE, console_is_prod(c) ? "Apply to PROD" : "Apply",
		                    on_apply_confirm);
		if (!d)
			return UI_HANDLED;
		dlg_addf(d,
		         "Apply the change set to %s (%s): %zu add, %zu modify? No resource is "
		         "replaced or removed.",
		         stack, console_is_prod(c) ? "PROD" : console_env(c), add, mod);
		if (o->cs.opened)
			dlg_addf(d,
			         "\nChange set %s was made outside this session, not from the "
			         "template previewed here.",
			         o->cs.name);
		dlg_choice_add(d, 'y', "yes, apply");
		dlg_choice_add(d, 'n', "no (Enter)");
		dlg_push(c, d);
	}
	return UI_HANDLED | UI_REDRAW;
}

static int on_ctrl_c(console *c, dialog *d, int choice, const char *text, int index)
{
	(void)d;
	(void)text;
	(void)index;
	stackops *o = &c->ops;
	if (!o->runner || !ops_runner_busy(o->runner)) {
		console_msg(c, false, "the operation has already ended");
		return UI_REDRAW;
	}
	if (choice == 'd') {
		o->detached = true;
		ops_runner_stop(o->runner);
		/* the watch job's end says "detached" (its result replaces this) */
		console_progress(c, "detaching...");
	} else if (choice == 'c') {
		ops_runner_stop(o->runner);
		o->pending = OPS_CANCEL;
		o->has_pending = true;
		console_progress(c, "cancelling the update (CancelUpdateStack)...");
	} else {
		console_msg(c, false, "watching");
	}
	return UI_REDRAW;
}

int deploy_ctrl_c(console *c)
{
	stackops *o = &c->ops;
	bool update = o->stack_status && strncmp(o->stack_status, "UPDATE_IN_PROGRESS", 18) == 0;
	dialog *d = dlg_new(DLG_CHOICE, "A stack operation is running", on_ctrl_c);
	if (!d)
		return UI_HANDLED;
	dlg_addf(
	    d, "%s on %s: %zu of %zu resources done.\n\n", o->stack_status ? o->stack_status : "",
	    model_get(c->m, "stack") ? model_get(c->m, "stack") : "the stack", o->done, o->total);
	dlg_addf(d, "Detach: stop watching; the operation goes on in AWS.\n");
	if (update && !console_readonly(c))
		dlg_addf(d, "Cancel: CancelUpdateStack rolls the update back.\n");
	else
		dlg_addf(d, "(A create or delete cannot be cancelled: detach, or wait.)\n");
	dlg_choice_add(d, 'd', "detach");
	if (update && !console_readonly(c))
		dlg_choice_add(d, 'c', "cancel the update");
	dlg_choice_add(d, 'w', "keep watching (Esc)");
	dlg_push(c, d);
	return UI_HANDLED | UI_REDRAW;
}

/* ---- messages from the worker ----------------------------------------------- */

static dep_resource *resource(stackops *o, const char *id, const char *type, bool edge)
{
	for (size_t i = 0; i < o->nres; i++)
		if (o->res[i].edge == edge && strcmp(o->res[i].logical_id, id) == 0)
			return &o->res[i];
	if (!VEC_RESERVE(o->res, o->capres, o->nres + 1))
		return NULL;
	dep_resource *r = &o->res[o->nres];
	memset(r, 0, sizeof(*r));
	r->logical_id = strdup(id);
	r->type = strdup(type ? type : "");
	r->status = strdup("");
	r->reason = strdup("");
	if (!r->logical_id || !r->type || !r->status || !r->reason) {
		free(r->logical_id);
		free(r->type);
		free(r->status);
		free(r->reason);
		return NULL;
	}
	r->edge = edge;
	o->nres++;
	return r;
}

static void on_event(console *c, ops_event *e, bool edge)
{
	stackops *o = &c->ops;
	if (strcmp(e->type, "AWS::CloudFormation::Stack") == 0) {
		set_str(edge ? &o->edge_status : &o->stack_status, e->status);
		*(edge ? &o->edge_known : &o->stack_known) = true;
		*(edge ? &o->edge_exists : &o->stack_exists) =
		    strcmp(e->status, "DELETE_COMPLETE") != 0;
		return;
	}
	dep_resource *r = resource(o, e->logical_id, e->type, edge);
	if (!r)
		return;
	bool was_final = r->finished > 0;
	set_str(&r->status, e->status);
	set_str(&r->reason, e->reason);
	if (lms_ends_with(e->status, "_IN_PROGRESS")) {
		if (!r->started || was_final)
			r->started = e->time;
		r->finished = 0;
	} else {
		r->finished = e->time;
		if (!r->started)
			r->started = e->time;
		if (!was_final)
			o->done++;
	}
	if (lms_ends_with(e->status, "_FAILED")) {
		r->failed = true;
		/* the first failure is the cause; "cancelled" ones follow from it */
		if (o->root_cause < 0 && !strstr(e->reason, "cancelled")) {
			o->root_cause = (long)(r - o->res);
			set_str(&o->root_reason, e->reason);
		}
	}
}

/* Both change sets are there (an empty one was deleted by the plan: its id is ""): the one
 * review, or nothing to do. */
static void plan_ended(console *c)
{
	stackops *o = &c->ops;
	if (o->cs.n == 0 && !edge_work(o)) {
		o->phase = DEP_DONE;
		console_msg(c, false, "no changes: %s and %s already match the templates",
		            model_get(c->m, "stack"), o->edge.stack);
		return;
	}
	o->phase = DEP_REVIEW;
	o->cursor = 0;
	o->scroll = 0;
	console_set_view(c, VIEW_DEPLOY);
}

static void drift_show(console *c);

static void on_done(console *c, ops_job job, bool ok)
{
	stackops *o = &c->ops;
	if (!side_job(job)) {
		o->ok = ok;
		o->job_finished = ops_now();
	}
	switch (job) {
	case OPS_STARTUP:
		if (o->queued && !(o->stack_known && ops_status_in_progress(o->stack_status))) {
			int q = o->queued;
			o->queued = 0;
			if (q == 'D')
				deploy_start(c);
			else
				destroy_start(c);
			return;
		}
		o->queued = 0;
		bool edge_busy = o->edge.stack && o->edge_known && o->edge_exists &&
		                 ops_status_in_progress(o->edge_status);
		if ((o->stack_known && ops_status_in_progress(o->stack_status)) || edge_busy) {
			/* re-attach to what is running: the main stack's, or the edge's */
			console_set_view(c, VIEW_DEPLOY);
			bool main_busy = o->stack_known && ops_status_in_progress(o->stack_status);
			console_msg(c, false, "%s is %s: re-attached to it",
			            !main_busy                 ? o->edge.stack
			            : model_get(c->m, "stack") ? model_get(c->m, "stack")
			                                       : "the stack",
			            main_busy ? o->stack_status : o->edge_status);
			resources_clear(o);
			o->phase = DEP_RUNNING;
			o->total = 0;
			stackops_start(c, OPS_WATCH);
			return;
		}
		if (o->stack_known && o->stack_status &&
		    (strcmp(o->stack_status, "ROLLBACK_COMPLETE") == 0 ||
		     strcmp(o->stack_status, "UPDATE_ROLLBACK_FAILED") == 0)) {
			o->phase = DEP_DONE;
			console_msg(
			    c, true, "%s is %s: %s", model_get(c->m, "stack"), o->stack_status,
			    strcmp(o->stack_status, "ROLLBACK_COMPLETE") == 0
			        ? "its create failed; X deletes it, then D deploys again (4)"
			        : "c continues the rollback (4)");
		}
		return;
	case OPS_PLAN:
		if (!ok)
			o->phase = DEP_DONE;
		else if (o->edge.stack && o->have_cs)
			plan_ended(c);
		else if (o->have_cs && o->cs.n == 0)
			stackops_start(c, OPS_DISCARD); /* nothing to do: the change set goes */
		return;
	case OPS_OPEN:
		if (!ok)
			o->phase = DEP_DONE; /* the error says why; nothing changed */
		return;
	case OPS_TEMPLATE: /* with the edge: both stacks read, one page */
		if (o->side_edge && o->deployed_template)
			diff_show_deployed(c, o->deployed_template, strlen(o->deployed_template));
		return;
	case OPS_DRIFT: /* the result is its own page (OPS_MSG_DRIFT), an error its message */
		if (o->side_edge && o->drift)
			drift_show(c);
		return;
	case OPS_DISCARD:
		return;
	case OPS_RESOURCES:
		if (o->destroy_waiting) {
			o->destroy_waiting = false;
			destroy_dialog(c, ok);
		}
		return;
	default:
		break;
	}
	if (o->has_pending) {
		o->has_pending = false;
		resources_clear(o);
		o->phase = DEP_RUNNING;
		set_str(&o->phase_text, ops_job_name(o->pending));
		stackops_start(c, o->pending);
		return;
	}
	if (o->detached) {
		o->phase = DEP_IDLE;
		console_msg(c, false,
		            "detached: the stack operation goes on in AWS; D or a restart "
		            "re-attaches");
		return;
	}
	o->phase = DEP_DONE;
	double secs = ops_now() - o->job_started;
	if (ok && o->edge.stack &&
	    (job == OPS_EXECUTE || job == OPS_DESTROY || (job == OPS_WATCH && o->edge_touched)))
		console_msg(c, false, "%s: %s, %s: %s in %.0f s", model_get(c->m, "stack"),
		            o->stack_known && o->stack_exists ? o->stack_status : "DELETE_COMPLETE",
		            o->edge.stack,
		            o->edge_known && o->edge_exists ? o->edge_status : "DELETE_COMPLETE",
		            secs);
	else if (ok)
		console_msg(c, false, "%s: %s in %.0f s", model_get(c->m, "stack"),
		            o->stack_status ? o->stack_status : "done", secs);
	else if (o->error)
		console_msg(c, true, "%s", o->error);
	else
		console_msg(c, true, "%s: %s%s%s", model_get(c->m, "stack"),
		            o->stack_status ? o->stack_status : "failed",
		            o->root_reason ? ": " : "", o->root_reason ? o->root_reason : "");
}

/* A message about the companion stack; false when it is handled as the main stack's are
 * (the API log, phases, errors, events, the end). */
static bool edge_on_msg(console *c, ops_msg *m)
{
	stackops *o = &c->ops;
	switch (m->kind) {
	case OPS_MSG_STACK:
		o->edge_known = true;
		o->edge_exists = m->u.stack.exists;
		set_str(&o->edge_status, m->u.stack.status);
		set_str(&o->edge_reason, m->u.stack.reason);
		return true;
	case OPS_MSG_CHANGESET:
		if (o->have_ecs)
			ops_changeset_free(&o->ecs);
		o->ecs = m->u.cs;
		memset(&m->u.cs, 0, sizeof(m->u.cs)); /* moved */
		o->have_ecs = true;
		for (size_t i = 0; i < o->ecs.n; i++)
			o->ecs.v[i].stateful =
			    o->ecs.v[i].stateful || type_is_stateful(o->ecs.v[i].type);
		ops_changeset_sort(&o->ecs);
		return true;
	case OPS_MSG_OUTPUTS: {
		/* after the main stack's, each key prefixed with the companion's name */
		ops_output *v =
		    realloc(o->outputs, (o->noutputs + m->u.outputs.n + 1) * sizeof(*v));
		if (!v)
			return true;
		o->outputs = v;
		for (size_t i = 0; i < m->u.outputs.n; i++) {
			ops_output *d = &o->outputs[o->noutputs];
			d->key = lms_strdupf("%s:%s", o->edge_name ? o->edge_name : "edge",
			                     m->u.outputs.v[i].key);
			d->value = m->u.outputs.v[i].value;
			d->description = m->u.outputs.v[i].description;
			m->u.outputs.v[i].value = NULL; /* moved */
			m->u.outputs.v[i].description = NULL;
			if (!d->key || !d->value || !d->description) {
				free(d->key);
				free(d->value);
				free(d->description);
				continue;
			}
			o->noutputs++;
		}
		return true;
	}
	case OPS_MSG_DRIFT:
		set_str(&o->edrift, m->u.text);
		return true;
	case OPS_MSG_TEMPLATE:
		set_str(&o->edeployed_template, m->u.text);
		return true;
	case OPS_MSG_PARAMETERS:
		params_clear(&o->edparams, &o->nedparams);
		o->edparams = m->u.outputs.v;
		o->nedparams = m->u.outputs.n;
		m->u.outputs.v = NULL; /* moved */
		m->u.outputs.n = 0;
		return true;
	case OPS_MSG_RESOURCES:
		ops_resources_free(o->edres, o->nedres);
		o->edres = m->u.resources.v;
		o->nedres = m->u.resources.n;
		o->edge_listed = true;
		m->u.resources.v = NULL; /* moved */
		m->u.resources.n = 0;
		return true;
	default:
		return false;
	}
}

void deploy_on_msg(console *c, ops_msg *m)
{
	stackops *o = &c->ops;
	if (m->edge && (m->kind == OPS_MSG_EVENT || m->kind == OPS_MSG_STACK))
		o->edge_touched = true;
	if (m->edge && edge_on_msg(c, m))
		return;
	switch (m->kind) {
	case OPS_MSG_CALL:
		if (!VEC_RESERVE(o->calls, o->capcalls, o->ncalls + 1))
			return;
		o->calls[o->ncalls++] = m->u.call;
		memset(&m->u.call, 0, sizeof(m->u.call)); /* moved */
		break;
	case OPS_MSG_IDENTITY:
		set_str(&o->account, m->u.identity.account);
		set_str(&o->arn, m->u.identity.arn);
		break;
	case OPS_MSG_STACK:
		o->stack_known = true;
		o->stack_exists = m->u.stack.exists;
		set_str(&o->stack_status, m->u.stack.status);
		set_str(&o->stack_reason, m->u.stack.reason);
		break;
	case OPS_MSG_PHASE:
		if (m->job == OPS_DRIFT)
			console_msg(c, false, "%s", m->u.text ? m->u.text : "");
		else
			set_str(&o->phase_text, m->u.text);
		break;
	case OPS_MSG_DRIFT:
		set_str(&o->drift, m->u.text);
		if (!o->side_edge) /* else at the job's end, with the edge's */
			drift_show(c);
		break;
	case OPS_MSG_CHANGESET:
		if (o->have_cs)
			ops_changeset_free(&o->cs);
		o->cs = m->u.cs;
		memset(&m->u.cs, 0, sizeof(m->u.cs)); /* moved */
		o->have_cs = true;
		for (size_t i = 0; i < o->cs.n; i++)
			o->cs.v[i].stateful =
			    o->cs.v[i].stateful || type_is_stateful(o->cs.v[i].type);
		ops_changeset_sort(&o->cs);
		o->scroll = 0;
		if (o->edge.stack && !o->cs.opened) {
			/* the edge's follows: the plan's end decides (plan_ended) */
		} else if (o->cs.n == 0 && o->cs.opened) {
			o->phase = DEP_DONE;
			console_msg(c, false, "change set %s has no changes: nothing to apply",
			            o->cs.name);
		} else if (o->cs.n == 0) {
			/* discarded once the plan has ended (on_done): one job at a time */
			o->phase = DEP_DONE;
			console_msg(c, false, "no changes: the stack already matches the template");
		} else {
			o->phase = DEP_REVIEW;
			console_set_view(c, VIEW_DEPLOY);
		}
		break;
	case OPS_MSG_EVENT:
		on_event(c, &m->u.event, m->edge);
		break;
	case OPS_MSG_OUTPUTS:
		outputs_clear(o);
		o->outputs = m->u.outputs.v;
		o->noutputs = m->u.outputs.n;
		m->u.outputs.v = NULL;
		m->u.outputs.n = 0;
		break;
	case OPS_MSG_PARAMETERS:
		dparams_clear(o);
		o->dparams = m->u.outputs.v;
		o->ndparams = m->u.outputs.n;
		m->u.outputs.v = NULL; /* moved */
		m->u.outputs.n = 0;
		break;
	case OPS_MSG_TEMPLATE:
		set_str(&o->deployed_template, m->u.text);
		if (o->deployed_template && !o->side_edge) /* else at the job's end */
			diff_show_deployed(c, o->deployed_template, strlen(o->deployed_template));
		break;
	case OPS_MSG_RESOURCES:
		ops_resources_free(o->dres, o->ndres);
		o->dres = m->u.resources.v;
		o->ndres = m->u.resources.n;
		m->u.resources.v = NULL; /* moved */
		m->u.resources.n = 0;
		break;
	case OPS_MSG_ERROR:
		set_str(&o->error, m->u.text);
		if (m->job == OPS_STARTUP)
			set_str(&o->identity_error, m->u.text);
		if (m->job == OPS_STARTUP && c->msg && !c->msg_from_job && !c->msg_progress)
			/* a key has said something since start: the start-up check's failure
			 * does not replace it (the header says "AWS: no access"; M has why) */
			console_log(c, true, "%s", m->u.text ? m->u.text : "error");
		else
			console_msg(c, true, "%s", m->u.text ? m->u.text : "error");
		break;
	case OPS_MSG_DONE:
		on_done(c, m->job, m->u.done.ok);
		break;
	}
}

/* ---- drift -------------------------------------------------------------------- */

/* The edge's part of the Drift view, under its own heading, each resource as `edge:Id`;
 * its first line added to the message `msg`. Whether it says anything but in sync. */
static bool drift_edge_text(console *c, dialog *d, buf *msg)
{
	const stackops *o = &c->ops;
	const char *tag = o->edge_name ? o->edge_name : "edge";
	dlg_addf(d, "\n# Edge stack %s (%s): ", o->edge.stack, o->edge.region);
	if (!o->edrift) {
		bool none = o->edge_known && !o->edge_exists;
		dlg_addf(d, "%s\n",
		         none ? "not deployed: nothing to check (D creates it after "
		                "the main stack)"
		              : "not checked (the message line said why)");
		buf_addf(msg, "; %s %s", o->edge.stack, none ? "not deployed" : "not checked");
		return !none;
	}
	const char *t = o->edrift;
	size_t first = strcspn(t, "\n");
	dlg_addf(d, "%.*s\n", (int)first, t);
	buf_addf(msg, "; %s: %.*s", o->edge.stack, (int)strcspn(t, ",\n"), t);
	/* "MODIFIED Id (Type) ...": the status in capitals, then the logical id, tagged */
	for (const char *l = t[first] ? t + first + 1 : ""; *l;) {
		size_t len = strcspn(l, "\n");
		size_t word = strspn(l, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
		if (word && word < len && l[word] == ' ')
			dlg_addf(d, "%.*s %s:%.*s\n", (int)word, l, tag, (int)(len - word - 1),
			         l + word + 1);
		else
			dlg_addf(d, "%.*s\n", (int)len, l);
		l += len + (l[len] == '\n');
	}
	if (strncmp(t, "IN_SYNC", 7) == 0)
		dlg_addf(d, "\nEvery resource of the edge checked is as its template says.\n");
	return strncmp(t, "IN_SYNC", 7) != 0;
}

/* The Drift view: the detection's result, each drifted resource and its properties; with
 * the edge, the edge's after it (drift_edge_text). */
static void drift_show(console *c)
{
	const char *t = c->ops.drift ? c->ops.drift : "";
	const char *stack = model_get(c->m, "stack");
	buf title;
	buf_init(&title, 0);
	buf_addf(&title, "Drift: %s (DetectStackDrift)", stack ? stack : "the stack");
	dialog *d = dlg_new(DLG_TEXT, buf_cstr(&title), NULL);
	buf_free(&title);
	if (!d)
		return;
	size_t first = strcspn(t, "\n");
	dlg_addf(d, "# %.*s\n", (int)first, t);
	dlg_addf(d, "%s", t[first] ? t + first + 1 : "");
	if (strncmp(t, "IN_SYNC", 7) == 0)
		dlg_addf(d, "\nEvery resource checked is as the template says.\n");
	bool drifted = strncmp(t, "IN_SYNC", 7) != 0;
	buf msg;
	buf_init(&msg, 0);
	/* with the edge, each stack's status and count (to the first comma): one line */
	size_t sum = c->ops.side_edge ? strcspn(t, ",\n") : first;
	buf_addf(&msg, "drift: %.*s", (int)sum, t);
	if (c->ops.side_edge)
		drifted = drift_edge_text(c, d, &msg) || drifted;
	dlg_push(c, d);
	console_msg(c, drifted, "%s", buf_cstr(&msg));
	buf_free(&msg);
}

int drift_start(console *c)
{
	stackops *o = &c->ops;
	if (!o->runner)
		console_msg(c, true, "%s",
		            o->backend_note ? o->backend_note : "no AWS access here");
	else if (o->stack_known && !o->stack_exists)
		console_msg(c, false, "no stack deployed yet: nothing to check for drift");
	else if (stackops_start(c, OPS_DRIFT))
		console_progress(c, "detecting drift (DetectStackDrift)...");
	return UI_HANDLED | UI_REDRAW;
}

/* A change set's name as CloudFormation allows it (a letter, then letters, digits and
 * hyphens, 128 at most), or an ARN. */
static bool change_set_name_ok(const char *s)
{
	if (lms_starts_with(s, "arn:"))
		return strlen(s) <= 1600 && !strpbrk(s, " \t");
	size_t n = strlen(s);
	if (n == 0 || n > 128 || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

int changeset_open(console *c, const char *name)
{
	stackops *o = &c->ops;
	if (!name || !change_set_name_ok(name)) {
		console_msg(c, true,
		            ":changeset: '%s' is not a change set name (a letter, then letters, "
		            "digits and hyphens, at most 128) or ARN",
		            name ? name : "");
		return UI_HANDLED | UI_REDRAW;
	}
	if (o->phase == DEP_REVIEW) {
		console_msg(c, true,
		            "change set %s is under review: a applies it, n closes it first",
		            o->have_cs ? o->cs.name : "?");
		return UI_HANDLED | UI_REDRAW;
	}
	if (!o->runner) {
		console_msg(c, true, "%s", o->backend_note ? o->backend_note : "no AWS access");
		return UI_HANDLED | UI_REDRAW;
	}
	if (ops_runner_busy(o->runner)) {
		console_msg(c, true, "an AWS operation is running (%s): wait for it",
		            ops_job_name(ops_runner_job(o->runner)));
		return UI_HANDLED | UI_REDRAW;
	}
	set_str(&o->open_name, name);
	set_str(&o->open_stack, model_get(c->m, "stack") ? model_get(c->m, "stack") : "");
	if (o->have_cs) {
		ops_changeset_free(&o->cs);
		o->have_cs = false;
	}
	resources_clear(o);
	outputs_clear(o);
	console_set_view(c, VIEW_DEPLOY);
	o->scroll = 0;
	o->cursor = 0;
	o->phase = DEP_PLANNING;
	buf b;
	buf_init(&b, 0);
	buf_addf(&b, "opening change set %s (DescribeChangeSet)", name);
	set_str(&o->phase_text, buf_cstr(&b));
	buf_free(&b);
	if (!stackops_start(c, OPS_OPEN))
		o->phase = DEP_IDLE;
	else
		console_progress(c, "opening change set %s...", name);
	return UI_HANDLED | UI_REDRAW;
}

/* ---- drawing ------------------------------------------------------------------ */

static void fmt_elapsed(char *out, size_t len, double secs)
{
	if (secs < 0)
		secs = 0;
	long s = (long)secs;
	if (s >= 3600)
		snprintf(out, len, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(out, len, "%ld:%02ld", s / 60, s % 60);
}

static const char *short_type(const char *type)
{
	/* AWS::RDS::DBCluster -> RDS::DBCluster */
	return strncmp(type, "AWS::", 5) == 0 ? type + 5 : type;
}

static int draw_lines_header(console *c, WINDOW *w, int y, int wd, const char *text, attr_t a)
{
	return ui_wrap_put(c, w, y, 2, text, wd - 4, 3, a);
}

/* The companion's state under the main stack's: "edge stack lms-dev-edge in us-east-1:
 * ✓ UPDATE_COMPLETE". Returns the lines used. */
static int draw_edge_state(console *c, WINDOW *w, int y, int wd)
{
	const stackops *o = &c->ops;
	buf b;
	buf_init(&b, 0);
	const char *st = o->edge_status ? o->edge_status : "";
	const char *sym = !o->edge_known || !o->edge_exists ? c->sym.info
	                  : ops_status_in_progress(st)      ? c->sym.arrow
	                  : ops_status_failed(st)           ? c->sym.error
	                                                    : c->sym.ok;
	buf_addf(&b, "edge stack %s in %s: %s %s", o->edge.stack ? o->edge.stack : "?",
	         o->edge.region ? o->edge.region : "?", sym,
	         !o->edge_known   ? "not read yet"
	         : o->edge_exists ? st
	                          : "no stack yet: D creates it after the main stack");
	if (o->edge_exists && o->edge_reason && *o->edge_reason)
		buf_addf(&b, " (%s)", o->edge_reason);
	int n =
	    ui_wrap_put(c, w, y, 2, buf_cstr(&b), wd - 4, 2,
	                th(&c->th, o->edge_exists && ops_status_failed(st) ? TH_ERROR : TH_NORMAL));
	buf_free(&b);
	return n;
}

static void draw_idle(console *c, WINDOW *w, int h, int wd)
{
	stackops *o = &c->ops;
	int y = 1;
	buf b;
	buf_init(&b, 0);
	const char *stack = model_get(c->m, "stack");
	buf_addf(&b, "Stack %s in %s", stack ? stack : "?",
	         model_get(c->m, "region") ? model_get(c->m, "region") : "?");
	ui_put_cut(c, w, y++, 2, buf_cstr(&b), wd - 4, th(&c->th, TH_TITLE));
	buf_reset(&b);
	if (!o->runner) {
		y += ui_wrap_put(c, w, y + 1, 2,
		                 o->backend_note ? o->backend_note : "No AWS access.", wd - 4, 4,
		                 th(&c->th, TH_INFO)) +
		     1;
	} else if (!o->stack_known) {
		ui_put_cut(c, w, y++, 2,
		           o->identity_error ? o->identity_error : "asking AWS about the stack...",
		           wd - 4, th(&c->th, o->identity_error ? TH_ERROR : TH_DIM));
	} else {
		/* running or rolling back, or waiting for a change set to be executed: an arrow */
		ops_stack_class cls = ops_status_class(o->stack_status);
		bool pending = ops_status_in_progress(o->stack_status) || cls == OPS_STACK_REVIEW;
		const char *sym = !o->stack_exists                     ? c->sym.info
		                  : pending                            ? c->sym.arrow
		                  : ops_status_failed(o->stack_status) ? c->sym.error
		                                                       : c->sym.ok;
		buf_addf(&b, "%s %s", sym,
		         o->stack_exists ? o->stack_status : "no stack yet: D creates it");
		if (o->stack_reason && *o->stack_reason)
			buf_addf(&b, " (%s)", o->stack_reason);
		y += ui_wrap_put(
		    c, w, y, 2, buf_cstr(&b), wd - 4, 2,
		    th(&c->th, ops_status_failed(o->stack_status) ? TH_ERROR : TH_NORMAL));
		if (o->edge.stack || o->edge_known)
			y += draw_edge_state(c, w, y, wd);
		if (o->account) {
			buf_reset(&b);
			buf_addf(&b, "account %s as %s", o->account, o->arn ? o->arn : "?");
			ui_put_cut(c, w, y++, 2, buf_cstr(&b), wd - 4, th(&c->th, TH_DIM));
		}
	}
	if (o->error && y < h - 2) {
		y++;
		ui_puts(c, w, y, 2, c->sym.error, 1, th(&c->th, TH_ERROR));
		y += ui_wrap_put(c, w, y, 4, o->error, wd - 6, 3, th(&c->th, TH_ERROR));
	}
	y++;
	if (console_readonly(c))
		ui_put_cut(c, w, y++, 2,
		           "READ-ONLY session: deploy, destroy and save are disabled.", wd - 4,
		           th(&c->th, TH_BADGE));
	else if (o->runner && y < h - 1) {
		char dk[16], xk[16], line[128];
		console_action_key(c, KEYMAP_DEPLOY, dk, sizeof dk);
		console_action_key(c, KEYMAP_DESTROY, xk, sizeof xk);
		snprintf(
		    line, sizeof line,
		    "%s reviews a change set and deploys; %s destroys. Both ask before acting.", dk,
		    xk);
		ui_put_cut(c, w, y++, 2, line, wd - 4, th(&c->th, TH_DIM));
	}
	buf_free(&b);
}

static void draw_blocked(console *c, WINDOW *w, int h, int wd)
{
	stackops *o = &c->ops;
	char t[160];
	snprintf(t, sizeof(t),
	         "%s Deploy stopped: %zu finding(s) to fix first%s. Enter goes to the field.",
	         c->sym.error, deploy_blockers(c),
	         console_is_prod(c) ? " (errors, and the deploy gates of PROD)" : "");
	int y = 1 + draw_lines_header(c, w, 1, wd, t, th(&c->th, TH_ERROR));
	size_t shown = 0;
	for (size_t i = 0; i < c->um.f.n && y < h - 1; i++) {
		const finding *f = &c->um.f.v[i];
		if (!stops_deploy(c, f))
			continue;
		bool sel = (long)shown == o->cursor;
		attr_t row = sel ? th(&c->th, TH_CURSOR) : 0;
		if (sel)
			ui_fill(w, y, 1, wd - 2, row);
		buf b;
		buf_init(&b, 0);
		buf_addf(&b, "%s %-7s %-22s %s", c->sym.error, f->rule, f->field, f->message);
		ui_put_cut(c, w, y++, 2, buf_cstr(&b), wd - 4, row ? row : th(&c->th, TH_NORMAL));
		buf_free(&b);
		shown++;
	}
}

static void draw_counts(console *c, WINDOW *w, int y, int wd)
{
	stackops *o = &c->ops;
	size_t add, mod, rep, rem, stateful = 0;
	ops_changeset_counts(&o->cs, &add, &mod, &rep, &rem);
	for (size_t i = 0; i < o->cs.n; i++)
		stateful += o->cs.v[i].stateful && ops_change_risk(&o->cs.v[i]) >= 30;
	int x = 2;
	char t[64];
	snprintf(t, sizeof(t), "%s%zu add", c->sym.add, add);
	x += ui_puts(c, w, y, x, t, wd - x, th(&c->th, TH_DIFF_ADD)) + 3;
	snprintf(t, sizeof(t), "%s%zu modify", c->sym.modify, mod);
	x += ui_puts(c, w, y, x, t, wd - x, th(&c->th, TH_WARNING)) + 3;
	snprintf(t, sizeof(t), "%s%zu REPLACE", c->sym.replace, rep);
	x += ui_puts(c, w, y, x, t, wd - x, rep ? th(&c->th, TH_ERROR) : th(&c->th, TH_DIM)) + 3;
	snprintf(t, sizeof(t), "%s%zu REMOVE", c->sym.remove, rem);
	x += ui_puts(c, w, y, x, t, wd - x, rem ? th(&c->th, TH_ERROR) : th(&c->th, TH_DIM)) + 3;
	if (stateful) {
		snprintf(t, sizeof(t), "%s %zu hold data", c->sym.stateful, stateful);
		ui_puts(c, w, y, x, t, wd - x, th(&c->th, TH_DANGER));
	}
}

/* The review's rows: the main stack's changes, then (two stacks) a heading and the edge's
 * changes; when its change set is made after the main stack, which parameter takes which
 * output, then its template's resources. */
static size_t review_rows(const stackops *o)
{
	if (!(o->edge.stack && o->have_ecs))
		return o->cs.n;
	return o->cs.n + 1 + (o->ecs.pending ? o->edge.nfrom : 0) + o->ecs.n;
}

/* Row i's change; NULL for the heading (*from -1) or a parameter (*from its index). */
static const ops_change *review_row(const stackops *o, size_t i, bool *edge, long *from)
{
	*edge = i >= o->cs.n;
	*from = -1;
	if (i < o->cs.n)
		return &o->cs.v[i];
	if (i == o->cs.n)
		return NULL;
	i -= o->cs.n + 1;
	size_t nfrom = o->ecs.pending ? o->edge.nfrom : 0;
	if (i < nfrom) {
		*from = (long)i;
		return NULL;
	}
	return &o->ecs.v[i - nfrom];
}

static void draw_change(console *c, WINDOW *w, int y, int wd, const ops_change *ch, bool edge,
                        bool sel)
{
	const stackops *o = &c->ops;
	int risk = ops_change_risk(ch);
	bool danger = ch->stateful && risk >= 30;
	bool pending = edge && o->ecs.pending;
	const char *act = pending && ch->action == OPS_MODIFY       ? "update?"
	                  : ch->action == OPS_ADD                   ? "add"
	                  : ch->action == OPS_REMOVE                ? "REMOVE"
	                  : ch->replacement == OPS_REPL_ALWAYS      ? "REPLACE"
	                  : ch->replacement == OPS_REPL_CONDITIONAL ? "replace?"
	                  : ch->action == OPS_MODIFY                ? "modify"
	                                                            : "other";
	const char *sym = ch->action == OPS_ADD               ? c->sym.add
	                  : ch->action == OPS_REMOVE          ? c->sym.remove
	                  : ch->replacement != OPS_REPL_NEVER ? c->sym.replace
	                                                      : c->sym.modify;
	attr_t a = danger                  ? th(&c->th, TH_DANGER)
	           : risk >= 30            ? th(&c->th, TH_ERROR)
	           : ch->action == OPS_ADD ? th(&c->th, TH_DIFF_ADD)
	                                   : th(&c->th, TH_WARNING);
	if (danger)
		ui_fill(w, y, 2, wd - 4, a);
	else if (sel)
		ui_fill(w, y, 2, wd - 4, th(&c->th, TH_CURSOR_DIM));
	int x = 1;
	x += ui_puts(c, w, y, x, sel ? ">" : " ", 1, th(&c->th, TH_KEY));
	x += ui_puts(c, w, y, x, danger ? c->sym.stateful : " ", 1, a);
	x += ui_puts(c, w, y, x, sym, 1, a) + 1;
	char col[32];
	snprintf(col, sizeof(col), "%-8s ", act);
	x += ui_puts(c, w, y, x, col, 9, a);
	buf id;
	buf_init(&id, 0);
	buf_addf(&id, "%s%s%s", edge ? (o->edge_name ? o->edge_name : "edge") : "", edge ? ":" : "",
	         ch->logical_id);
	ui_put_cut(c, w, y, x, buf_cstr(&id), 24, a);
	buf_free(&id);
	x += 26;
	ui_put_cut(c, w, y, x, short_type(ch->type), 22, danger ? a : th(&c->th, TH_DIM));
	x += 24;
	if (*ch->replace_because && x < wd - 4)
		ui_put_cut(c, w, y, x, ch->replace_because, wd - 2 - x, a);
}

/* The selected change in full, under the list. */
static void draw_change_detail(console *c, WINDOW *w, int h, int wd, const ops_change *ch)
{
	buf d;
	buf_init(&d, 0);
	buf_addf(&d, "%s (%s%s%s)", ch->logical_id, ch->type, *ch->physical_id ? ", " : "",
	         ch->physical_id);
	if (*ch->replace_because)
		buf_addf(&d, ": replaced because of %s", ch->replace_because);
	if (ch->stateful && ops_change_risk(ch) >= 30)
		buf_addf(&d, " %s it holds data: %s loses it", c->sym.stateful,
		         ch->action == OPS_REMOVE ? "the removal" : "the replacement");
	ui_hline(c, w, h - 4, 1, wd - 2, th(&c->th, TH_BORDER));
	ui_wrap_put(c, w, h - 3, 2, buf_cstr(&d), wd - 4, 2,
	            ch->stateful && ops_change_risk(ch) >= 30 ? th(&c->th, TH_ERROR)
	                                                      : th(&c->th, TH_NORMAL));
	buf_free(&d);
}

static void draw_review(console *c, WINDOW *w, int h, int wd)
{
	stackops *o = &c->ops;
	buf b;
	buf_init(&b, 0);
	if (o->cs.opened)
		buf_addf(&b, "%s%s %s change set %s, opened: made outside this session",
		         model_get(c->m, "stack") ? model_get(c->m, "stack") : "?",
		         o->cs.creates_stack ? " (new stack)" : "", c->sym.sep, o->cs.name);
	else
		buf_addf(&b, "%s%s %s template sha256 %.16s %s %s",
		         model_get(c->m, "stack") ? model_get(c->m, "stack") : "?",
		         o->cs.creates_stack ? " (new stack)" : "", c->sym.sep, o->cs.sha256,
		         c->sym.sep, o->cs.n ? o->cs.name : "no changes");
	ui_put_cut(c, w, 1, 2, buf_cstr(&b), wd - 4, th(&c->th, TH_TITLE));
	draw_counts(c, w, 2, wd);
	int top = 4;
	bool two = o->edge.stack && o->have_ecs && !o->cs.opened;
	if (two) {
		/* the edge, always in sight: after the main stack, with its outputs */
		buf_reset(&b);
		buf_addf(&b, "then %s (%s): ", o->edge.stack, o->edge.region);
		edge_summary(c, &b);
		ui_put_cut(c, w, 3, 2, buf_cstr(&b), wd - 4, th(&c->th, TH_INFO));
		top = 5;
	}
	buf_free(&b);
	ui_puts(c, w, top - 1, 2,
	        "   action   logical id                type                    why replaced",
	        wd - 4, th(&c->th, TH_DIM));
	size_t n = two ? review_rows(o) : o->cs.n;
	int rows = h - 4 - top;
	if (rows < 1)
		rows = 1;
	if (o->cursor >= (long)n)
		o->cursor = (long)n - 1;
	if (o->cursor < 0)
		o->cursor = 0;
	if (o->cursor < o->scroll)
		o->scroll = (int)o->cursor;
	if (o->cursor >= o->scroll + rows)
		o->scroll = (int)o->cursor - rows + 1;
	for (int r = 0; r < rows && (size_t)o->scroll + (size_t)r < n; r++) {
		bool edge;
		long from;
		const ops_change *ch = review_row(o, (size_t)o->scroll + (size_t)r, &edge, &from);
		bool sel = o->scroll + r == o->cursor;
		if (ch) {
			draw_change(c, w, top + r, wd, ch, edge, sel);
			continue;
		}
		buf hd;
		buf_init(&hd, 0);
		if (from >= 0)
			buf_addf(&hd, "%s   %s <- the main stack's output %s", sel ? ">" : " ",
			         o->edge.from[from].key, o->edge.from[from].value);
		else
			buf_addf(&hd, "%s Edge stack %s (%s), after the main stack%s",
			         sel ? ">" : " ", o->edge.stack, o->edge.region,
			         o->ecs.pending ? ", its parameters from the main stack's outputs:"
			                        : ":");
		ui_put_cut(c, w, top + r, 1, buf_cstr(&hd), wd - 3,
		           th(&c->th, from >= 0 ? TH_INFO : TH_TITLE));
		buf_free(&hd);
	}
	if ((int)n > rows) {
		char pos[64];
		snprintf(pos, sizeof(pos), " %d-%d/%zu ", o->scroll + 1,
		         o->scroll + rows < (int)n ? o->scroll + rows : (int)n, n);
		ui_puts(c, w, h - 1, wd - 2 - (int)strlen(pos), pos, (int)strlen(pos),
		        th(&c->th, TH_BORDER));
	}
	if (n) {
		bool edge;
		long from;
		const ops_change *ch = review_row(o, (size_t)o->cursor, &edge, &from);
		if (!two)
			ch = &o->cs.v[o->cursor];
		if (ch) {
			draw_change_detail(c, w, h, wd, ch);
		} else {
			buf d;
			buf_init(&d, 0);
			edge_summary(c, &d);
			ui_hline(c, w, h - 4, 1, wd - 2, th(&c->th, TH_BORDER));
			ui_wrap_put(c, w, h - 3, 2, buf_cstr(&d), wd - 4, 2, th(&c->th, TH_NORMAL));
			buf_free(&d);
		}
	}
}

static void draw_progress(console *c, WINDOW *w, int y, int wd)
{
	stackops *o = &c->ops;
	char el[32];
	fmt_elapsed(el, sizeof(el),
	            (o->job_finished ? o->job_finished : ops_now()) - o->job_started);
	buf b;
	buf_init(&b, 0);
	const char *what = o->job == OPS_DESTROY             ? "Destroying"
	                   : o->job == OPS_WATCH             ? "Watching"
	                   : o->job == OPS_CANCEL            ? "Cancelling the update of"
	                   : o->job == OPS_CONTINUE_ROLLBACK ? "Rolling back"
	                                                     : "Deploying";
	if (o->phase == DEP_DONE)
		what = o->ok ? "Finished" : "Failed";
	buf_addf(&b, "%s %s %s %s", what, model_get(c->m, "stack") ? model_get(c->m, "stack") : "?",
	         c->sym.sep, o->stack_status ? o->stack_status : "");
	if (o->edge.stack && (o->job == OPS_EXECUTE || o->job == OPS_DESTROY))
		buf_addf(&b, "%s %s %s %s", o->job == OPS_DESTROY ? ", after" : ", then",
		         o->edge.stack, c->sym.sep,
		         o->edge_touched && o->edge_status && *o->edge_status ? o->edge_status
		         : o->phase == DEP_DONE                               ? "not started"
		                                                              : "waiting");
	buf_addf(&b, " %s %s elapsed", c->sym.sep, el);
	ui_put_cut(c, w, y, 2, buf_cstr(&b), wd - 4,
	           th(&c->th, o->phase == DEP_DONE && !o->ok ? TH_ERROR : TH_TITLE));
	buf_free(&b);
	/* resources done over total, and a bar */
	size_t total = o->total && o->total < o->done ? o->done : o->total;
	char fig[64];
	if (total)
		snprintf(fig, sizeof(fig), "%zu/%zu resources ", o->done, total);
	else
		snprintf(fig, sizeof(fig), "%zu resources ", o->done);
	int x = 2 + ui_puts(c, w, y + 1, 2, fig, wd - 4, th(&c->th, TH_NORMAL));
	int bar = wd - x - 4;
	if (bar > 40)
		bar = 40;
	if (bar > 4 && total) {
		int filled = (int)((double)bar * (double)o->done / (double)total);
		for (int i = 0; i < bar; i++)
			ui_puts(c, w, y + 1, x + i,
			        i < filled ? c->sym.progress : (c->utf8 ? "░" : "."), 1,
			        th(&c->th, i < filled ? TH_OK : TH_DIM));
		char pct[16];
		snprintf(pct, sizeof(pct), " %3.0f%%", 100.0 * (double)o->done / (double)total);
		ui_puts(c, w, y + 1, x + bar, pct, 5, th(&c->th, TH_NORMAL));
	}
}

static void draw_running(console *c, WINDOW *w, int h, int wd)
{
	stackops *o = &c->ops;
	draw_progress(c, w, 1, wd);
	int y = 3;
	if (o->root_cause >= 0 && (size_t)o->root_cause < o->nres) {
		/* the first failure, pinned: the rest usually follow from it */
		const dep_resource *r = &o->res[o->root_cause];
		buf b;
		buf_init(&b, 0);
		buf_addf(&b, "%s ROOT CAUSE %s%s%s %s: %s", c->sym.error,
		         r->edge ? (o->edge_name ? o->edge_name : "edge") : "", r->edge ? ":" : "",
		         r->logical_id, r->status, o->root_reason ? o->root_reason : r->reason);
		y += ui_wrap_put(c, w, y, 2, buf_cstr(&b), wd - 4, 2, th(&c->th, TH_DANGER));
		buf_free(&b);
	}
	bool done = o->phase == DEP_DONE;
	int out_rows = done && o->noutputs ? (int)o->noutputs + 2 : 0;
	int rows = h - 1 - y - out_rows;
	if (rows < 2)
		rows = 2;
	/* the newest events at the bottom, unless scrolled back */
	int first = (int)o->nres - rows - o->scroll;
	if (first < 0)
		first = 0;
	double now = ops_now();
	for (int r = 0; r < rows && (size_t)first + (size_t)r < o->nres; r++) {
		const dep_resource *res = &o->res[first + r];
		int yy = y + r;
		bool failed = res->failed;
		bool complete = lms_ends_with(res->status, "_COMPLETE");
		const char *sym = failed ? c->sym.error : complete ? c->sym.ok : c->sym.arrow;
		attr_t a = failed     ? th(&c->th, TH_ERROR)
		           : complete ? th(&c->th, TH_OK)
		                      : th(&c->th, TH_INFO);
		char el[32];
		fmt_elapsed(el, sizeof(el), (res->finished ? res->finished : now) - res->started);
		int x = 2;
		x += ui_puts(c, w, yy, x, sym, 2, a) + 1;
		buf id; /* the edge's events with the stack they belong to */
		buf_init(&id, 0);
		buf_addf(&id, "%s%s%s", res->edge ? (o->edge_name ? o->edge_name : "edge") : "",
		         res->edge ? ":" : "", res->logical_id);
		ui_put_cut(c, w, yy, x, buf_cstr(&id), 26, th(&c->th, TH_LABEL));
		buf_free(&id);
		x += 27;
		ui_put_cut(c, w, yy, x, res->status, 22, a);
		x += 23;
		ui_puts(c, w, yy, x, el, 8, th(&c->th, TH_DIM));
		x += 8;
		if (*res->reason && x < wd - 4)
			ui_put_cut(c, w, yy, x, res->reason, wd - 2 - x,
			           failed ? a : th(&c->th, TH_DIM));
		else if (x < wd - 4)
			ui_put_cut(c, w, yy, x, short_type(res->type), wd - 2 - x,
			           th(&c->th, TH_DIM));
	}
	if (done && o->noutputs) {
		int oy = h - 1 - out_rows;
		ui_hline(c, w, oy, 1, wd - 2, th(&c->th, TH_BORDER));
		ui_puts(c, w, oy, 3, " Outputs ", 9, th(&c->th, TH_TITLE));
		for (size_t i = 0; i < o->noutputs && oy + 1 + (int)i < h - 1; i++) {
			int x = 2;
			ui_put_cut(c, w, oy + 1 + (int)i, x, o->outputs[i].key, 24,
			           th(&c->th, TH_LABEL));
			ui_put_cut(c, w, oy + 1 + (int)i, x + 25, o->outputs[i].value, wd - 29,
			           th(&c->th, TH_VALUE));
		}
	}
}

static void deploy_draw(console *c, WINDOW *w, int h, int wd)
{
	stackops *o = &c->ops;
	const char *title = o->phase == DEP_REVIEW     ? "Change set review"
	                    : o->phase == DEP_BLOCKED  ? "Deploy"
	                    : o->phase == DEP_PLANNING ? "Deploy: planning"
	                    : o->phase == DEP_RUNNING  ? "Stack events"
	                    : o->phase == DEP_DONE     ? "Stack events"
	                                               : "Stack";
	ui_box(c, w, 0, 0, h, wd, title, true);
	switch (o->phase) {
	case DEP_IDLE:
		draw_idle(c, w, h, wd);
		break;
	case DEP_BLOCKED:
		draw_blocked(c, w, h, wd);
		break;
	case DEP_PLANNING: {
		char el[32], t[256];
		fmt_elapsed(el, sizeof(el), ops_now() - o->job_started);
		snprintf(t, sizeof(t), "%s for %s... %s",
		         o->phase_text ? o->phase_text : "planning",
		         model_get(c->m, "stack") ? model_get(c->m, "stack") : "?", el);
		ui_put_cut(c, w, 2, 2, t, wd - 4, th(&c->th, TH_INFO));
		snprintf(t, sizeof(t), "template %zu bytes, sha256 %.16s", c->tpl.len, c->tpl_sha);
		ui_put_cut(c, w, 3, 2, t, wd - 4, th(&c->th, TH_DIM));
		break;
	}
	case DEP_REVIEW:
		draw_review(c, w, h, wd);
		break;
	case DEP_RUNNING:
		draw_running(c, w, h, wd);
		break;
	case DEP_DONE:
		if (o->nres || o->noutputs)
			draw_running(c, w, h, wd);
		else
			draw_idle(c, w, h, wd);
		break;
	}
}

static unsigned deploy_context(console *c)
{
	stackops *o = &c->ops;
	unsigned ctx = o->phase == DEP_REVIEW ? CTX_REVIEW
	               : deploy_running(c)    ? CTX_RUNNING
	                                      : CTX_DONE;
	if (!deploy_running(c) && o->stack_status &&
	    strcmp(o->stack_status, "ROLLBACK_COMPLETE") == 0)
		ctx |= CTX_RECOVERY;
	if (!deploy_running(c) && o->stack_status &&
	    strcmp(o->stack_status, "UPDATE_ROLLBACK_FAILED") == 0)
		ctx |= CTX_CONTINUE;
	return ctx;
}

static int on_continue_confirm(console *c, dialog *d, int choice, const char *text, int index)
{
	(void)d;
	(void)text;
	(void)index;
	if (choice != 'y')
		return UI_REDRAW;
	resources_clear(&c->ops);
	c->ops.phase = DEP_RUNNING;
	stackops_start(c, OPS_CONTINUE_ROLLBACK);
	return UI_REDRAW;
}

static int deploy_key(console *c, int key)
{
	stackops *o = &c->ops;
	if (o->phase == DEP_REVIEW) {
		if (key == 'a' || key == 'y')
			return apply(c);
		if ((key == 'n' || key == K_ESC) && o->cs.opened) {
			/* not made here: it stays for whoever made it */
			console_msg(
			    c, false,
			    "review closed: change set %s stays pending in AWS (not deleted: "
			    "it was not made in this session)",
			    o->cs.name);
			ops_changeset_free(&o->cs);
			o->have_cs = false;
			o->phase = DEP_IDLE;
			return UI_HANDLED | UI_REDRAW;
		}
		if (key == 'n' || key == K_ESC) {
			o->phase = DEP_IDLE;
			stackops_start(c, OPS_DISCARD);
			console_msg(c, false, "change set discarded: nothing changed");
			return UI_HANDLED | UI_REDRAW;
		}
		if (key_is_down(key) || key == K_FN(KEY_NPAGE)) {
			o->cursor += key_is_down(key) ? 1 : 10;
			return UI_HANDLED | UI_REDRAW;
		}
		if (key_is_up(key) || key == K_FN(KEY_PPAGE)) {
			o->cursor -= key_is_up(key) ? 1 : 10;
			return UI_HANDLED | UI_REDRAW;
		}
		/* nothing else changes the model or the view while a change set
		 * waits: it is tied to the template as it is */
		int a = console_action_of(c, key);
		if (key == 'D' || a == KEYMAP_UNDO || a == KEYMAP_REDO || a == KEYMAP_DEPLOY)
			return UI_HANDLED;
		return UI_IGNORED;
	}
	if (o->phase == DEP_BLOCKED) {
		size_t n = deploy_blockers(c);
		if (key_is_down(key) && o->cursor + 1 < (long)n)
			o->cursor++;
		else if (key_is_up(key) && o->cursor > 0)
			o->cursor--;
		else if (key_is_enter(key)) {
			size_t k = 0;
			for (size_t i = 0; i < c->um.f.n; i++) {
				const finding *f = &c->um.f.v[i];
				if (!stops_deploy(c, f))
					continue;
				if ((long)k++ == o->cursor) {
					const cat_param *p = ui_model_field_param(&c->um, f->field);
					if (p)
						console_goto_param(c, p);
					break;
				}
			}
		} else
			return UI_IGNORED;
		return UI_HANDLED | UI_REDRAW;
	}
	if (o->phase == DEP_RUNNING || o->phase == DEP_DONE) {
		if (key_is_up(key) || key == K_FN(KEY_PPAGE)) {
			o->scroll += key_is_up(key) ? 1 : 10;
			if (o->scroll > (int)o->nres)
				o->scroll = (int)o->nres;
			return UI_HANDLED | UI_REDRAW;
		}
		if (key_is_down(key) || key == K_FN(KEY_NPAGE)) {
			o->scroll -= key_is_down(key) ? 1 : 10;
			if (o->scroll < 0)
				o->scroll = 0;
			return UI_HANDLED | UI_REDRAW;
		}
	}
	if (key == 'f' && o->phase != DEP_RUNNING && o->phase != DEP_PLANNING)
		return drift_start(c);
	if (key == 'c' && (deploy_context(c) & CTX_CONTINUE)) {
		if (!can_act(c, "continuing the rollback", 0))
			return UI_HANDLED | UI_REDRAW;
		dialog *d = dlg_new(DLG_CHOICE, "Continue the rollback", on_continue_confirm);
		if (d) {
			dlg_addf(d,
			         "ContinueUpdateRollback on %s: CloudFormation retries rolling the "
			         "stack back to its last working state.",
			         model_get(c->m, "stack"));
			dlg_choice_add(d, 'y', "yes");
			dlg_choice_add(d, 'n', "no (Enter)");
			dlg_push(c, d);
		}
		return UI_HANDLED | UI_REDRAW;
	}
	return UI_IGNORED;
}

const view_class view_deploy_class = {
    .name = "events",
    .title = "Stack",
    .tab_key = '4',
    .keys = deploy_keys,
    .nkeys = sizeof(deploy_keys) / sizeof(deploy_keys[0]),
    .draw = deploy_draw,
    .key = deploy_key,
    .context = deploy_context,
};
