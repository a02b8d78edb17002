/* The environment's two stacks, in their order (ops/envflow.h). */
#include "ops/envflow.h"

#include "model/assemble.h"
#include "model/companion.h"
#include "ops/ops.h"
#include "ops/status.h"

#include <stdlib.h>
#include <string.h>

/* ---- the companion ------------------------------------------------------------------------ */

bool ef_open(const catalog *main_cat, const model *main_m, ef_companion *c, lms_error *err)
{
	memset(c, 0, sizeof *c);
	if (!main_cat->ncompanions)
		return true;
	const cat_companion *comp = &main_cat->companions[0];
	c->cat = catalog_load_companion(main_cat, comp, err);
	c->m = c->cat ? companion_model(main_cat, main_m, comp, c->cat, err) : NULL;
	const char *stack = c->m ? model_get(c->m, "stack") : NULL;
	c->stack = stack ? strdup(stack) : NULL;
	if (!c->stack) {
		if (c->m && !err->msg)
			lms_error_set(err, NULL, 0, 0, "out of memory");
		ef_close(c);
		return false;
	}
	c->comp = comp;
	c->region = comp->region;
	return true;
}

bool ef_connect(ef_companion *c, const sf_connect_options *o, provider_cache *creds, lms_error *err)
{
	c->aws = sf_client(o, creds, c->region, err);
	return c->aws != NULL;
}

void ef_close(ef_companion *c)
{
	aws_client_free(c->aws);
	model_free(c->m);
	catalog_free(c->cat);
	free(c->stack);
	memset(c, 0, sizeof *c);
}

static const char *companion_value(void *ctx, const char *param)
{
	const ef_companion *c = ctx;
	return model_param_value(c->m, c->cat, param);
}

bool ef_template(const ef_companion *c, buf *out, lms_error *err)
{
	return assemble_template(c->cat, companion_value, (void *)c, out, err);
}

static const char *output_of(const cfn_stack *s, const char *key)
{
	for (size_t i = 0; s && i < s->noutputs; i++)
		if (strcmp(s->outputs[i].key, key) == 0)
			return s->outputs[i].value;
	return NULL;
}

bool ef_params(const ef_companion *c, const catalog *main_cat, const model *main_m,
               const cfn_stack *main, cfn_kv **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t np = 0;
	ops_param *v = ops_model_params(c->cat, c->m, &np);
	if (!v)
		return false;
	cfn_kv *kv = calloc(np + 1, sizeof *kv);
	bool ok = kv != NULL;
	size_t k = 0;
	for (size_t i = 0; ok && i < np; i++) {
		const cat_param *p = catalog_param(c->cat, v[i].key);
		const char *value = v[i].value;
		if (p && p->from_output) {
			value = output_of(main, p->from_output);
			if (!value)
				continue; /* its Default */
		} else if (catalog_param(main_cat, v[i].key)) {
			const char *shared = model_param_value(main_m, main_cat, v[i].key);
			if (shared)
				value = shared;
		}
		kv[k].key = strdup(v[i].key);
		kv[k].value = strdup(value);
		kv[k].no_echo = v[i].no_echo;
		kv[k].keep_previous = v[i].keep_previous;
		ok = kv[k].key && kv[k].value;
		k++;
	}
	free(v);
	if (!ok) {
		sf_kv_free(kv, k);
		return false;
	}
	*out = kv;
	*n = k;
	return true;
}

static const cfn_kv *kv_find(const cfn_kv *v, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].key, key) == 0)
			return &v[i];
	return NULL;
}

bool ef_params_equal(const cfn_kv *a, size_t na, const cfn_kv *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		const cfn_kv *o = kv_find(b, nb, a[i].key);
		if (!o || strcmp(o->value, a[i].value) != 0 ||
		    o->keep_previous != a[i].keep_previous)
			return false;
	}
	return true;
}

/* ---- deploy ------------------------------------------------------------------------------- */

void ef_deploy_free(ef_deploy *e)
{
	cfn_stack_free(e->stack);
	sf_kv_free(e->params, e->nparams);
	sf_plan_free(&e->plan);
	cfn_change_set_free(e->seen);
	ef_companion *c = e->c;
	memset(e, 0, sizeof *e);
	e->c = c;
}

ef_gate ef_deploy_gate(ef_deploy *e, buf *why, lms_error *err)
{
	cfn_stack_free(e->stack);
	e->stack = NULL;
	if (!cfn_describe_stack(e->c->aws, e->c->stack, &e->stack, err))
		return e->gate = EF_GATE_ERROR;
	switch (e->stack ? ops_deploy_gate(e->stack->status) : OPS_GATE_CREATE) {
	case OPS_GATE_CREATE:
		return e->gate = EF_GATE_CREATE;
	case OPS_GATE_UPDATE:
		return e->gate = EF_GATE_UPDATE;
	case OPS_GATE_DELETE_FIRST:
		return e->gate = EF_GATE_RECREATE;
	case OPS_GATE_BUSY:
		buf_addf(why,
		         "stack %s is busy (%s): wait until it settles (lmsctl status --follow)",
		         e->c->stack, e->stack->status);
		break;
	case OPS_GATE_CONTINUE_ROLLBACK:
		buf_addf(why,
		         "stack %s is in UPDATE_ROLLBACK_FAILED: continue its rollback (aws "
		         "cloudformation continue-update-rollback --region %s --stack-name %s)",
		         e->c->stack, e->c->region, e->c->stack);
		break;
	case OPS_GATE_DELETE_FAILED:
		buf_addf(why, "stack %s is in DELETE_FAILED: finish deleting it (lmsctl destroy)",
		         e->c->stack);
		break;
	}
	return e->gate = EF_GATE_REFUSED;
}

bool ef_deploy_plan(ef_deploy *e, const sf_plan_request *rq, const char *template_text,
                    size_t template_len, cfn_kv *params, size_t nparams, const sf_hooks *h,
                    lms_error *err)
{
	if (e->plan.cs && !e->seen) { /* the reviewed change set: what the review showed */
		e->seen = e->plan.cs;
		e->plan.cs = NULL;
	}
	sf_plan_free(&e->plan);
	sf_kv_free(e->params, e->nparams);
	e->params = params;
	e->nparams = nparams;
	e->planned = false;
	sf_plan_request r = *rq;
	r.stack = e->c->stack;
	r.region = e->c->region;
	r.type = e->gate == EF_GATE_UPDATE ? "UPDATE" : "CREATE";
	if (!r.role_arn && e->gate == EF_GATE_UPDATE && e->stack)
		r.role_arn = e->stack->role_arn; /* an update keeps the stack's service role */
	r.template_text = template_text;
	r.template_len = template_len;
	r.params = params;
	r.nparams = nparams;
	if (!sf_plan_change_set(e->c->aws, &r, h, NULL, &e->plan, err))
		return false;
	e->planned = true;
	return true;
}

static bool change_replaces(const cfn_change *ch)
{
	return strcmp(ch->action, "Modify") == 0 && ch->replacement &&
	       (strcmp(ch->replacement, "True") == 0 ||
	        strcmp(ch->replacement, "Conditional") == 0);
}

static bool change_destroys(const cfn_change *ch)
{
	return strcmp(ch->action, "Remove") == 0 || change_replaces(ch);
}

const char *ef_unreviewed_change(const cfn_change_set *cs, const cfn_change_set *seen)
{
	for (size_t i = 0; i < cs->nchanges; i++) {
		const cfn_change *ch = &cs->changes[i];
		if (!change_destroys(ch))
			continue;
		bool shown = false;
		for (size_t j = 0; seen && !shown && j < seen->nchanges; j++)
			shown = strcmp(seen->changes[j].logical_id, ch->logical_id) == 0 &&
			        change_destroys(&seen->changes[j]);
		if (!shown)
			return ch->logical_id;
	}
	return NULL;
}

ef_next ef_after_main(ef_deploy *e, const catalog *main_cat, const model *main_m,
                      const cfn_stack *main, const sf_plan_request *rq, const char *template_text,
                      size_t template_len, const sf_hooks *h, const char **unreviewed,
                      lms_error *err)
{
	*unreviewed = NULL;
	cfn_kv *params = NULL;
	size_t n = 0;
	if (!ef_params(e->c, main_cat, main_m, main, &params, &n)) {
		lms_error_set(err, NULL, 0, 0, "out of memory");
		return EF_NEXT_FAILED;
	}
	return ef_after_main_with(e, params, n, rq, template_text, template_len, h, unreviewed,
	                          err);
}

/* ---- destroy ------------------------------------------------------------------------------ */

sf_run_result ef_destroy(ef_companion *c, const cfn_stack *s, const char *role_arn,
                         const sf_hooks *h, void (*started)(void *ctx), cfn_stack **final,
                         sf_failure *first, lms_error *err)
{
	sf_operation run = {.call = SF_DELETE,
	                    .target = s->id ? s->id : c->stack,
	                    .role_arn = role_arn ? role_arn : s->role_arn,
	                    .events_of = s->id ? s->id : c->stack,
	                    .stack = c->stack,
	                    .id = s->id,
	                    .started = started};
	return sf_run(c->aws, &run, h, final, first, err);
}

/* ---- following both ----------------------------------------------------------------------- */

/* sf_follow for one round: its pause yields (the round is over) instead of waiting. */
typedef struct one_round {
	const sf_hooks *h;
	bool yielded;
} one_round;

static void round_event(void *ctx, const cfn_event *e)
{
	const one_round *r = ctx;
	if (r->h->event)
		r->h->event(r->h->ctx, e);
}

static bool round_pause(void *ctx, int seconds)
{
	(void)seconds;
	((one_round *)ctx)->yielded = true;
	return false;
}

static bool round_stopped(void *ctx)
{
	const one_round *r = ctx;
	return r->h->stopped && r->h->stopped(r->h->ctx);
}

sf_follow_result ef_follow_all(ef_follower *f, size_t n, lms_error *err)
{
	for (int round = 0;; round++) {
		bool all = true;
		for (size_t i = 0; i < n; i++) {
			if (f[i].settled)
				continue;
			one_round r = {f[i].h, false};
			sf_hooks h = {&r, round_event, round_pause, round_stopped};
			sf_follow_result fr = sf_follow(f[i].aws, f[i].t, f[i].stack, f[i].id,
			                                false, &h, &f[i].final, &f[i].first, err);
			if (fr == SF_SETTLED)
				f[i].settled = true;
			else if (fr == SF_INTERRUPTED && r.yielded)
				all = false;
			else
				return fr;
		}
		if (all)
			return SF_SETTLED;
		int wait = round + 1 < SF_POLL_MAX_SECONDS ? round + 1 : SF_POLL_MAX_SECONDS;
		const sf_hooks *h = f[0].h;
		if (h->pause ? !h->pause(h->ctx, wait) : h->stopped && h->stopped(h->ctx))
			return SF_INTERRUPTED;
	}
}

/* ---- the companion known by its values ----------------------------------------------------- */

static bool kv_set(cfn_kv *kv, const char *key, const char *value, bool no_echo, bool keep)
{
	kv->key = strdup(key);
	kv->value = strdup(value);
	kv->no_echo = no_echo;
	kv->keep_previous = keep;
	return kv->key && kv->value;
}

bool ef_params_from(const cfn_kv *base, size_t nbase, const cfn_kv *from, size_t nfrom,
                    const cfn_stack *main, cfn_kv **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	cfn_kv *kv = calloc(nbase + nfrom + 1, sizeof *kv);
	if (!kv)
		return false;
	size_t k = 0;
	bool ok = true;
	for (size_t i = 0; ok && i < nbase; i++)
		if (!kv_find(from, nfrom, base[i].key)) /* an output's, not a Default's */
			ok = kv_set(&kv[k++], base[i].key, base[i].value, base[i].no_echo,
			            base[i].keep_previous);
	for (size_t i = 0; ok && i < nfrom; i++) {
		const char *value = output_of(main, from[i].value);
		if (value)
			ok = kv_set(&kv[k++], from[i].key, value, false, false);
	}
	if (!ok) {
		sf_kv_free(kv, k);
		return false;
	}
	*out = kv;
	*n = k;
	return true;
}

ef_next ef_after_main_with(ef_deploy *e, cfn_kv *params, size_t n, const sf_plan_request *rq,
                           const char *template_text, size_t template_len, const sf_hooks *h,
                           const char **unreviewed, lms_error *err)
{
	*unreviewed = NULL;
	bool same = e->planned && ef_params_equal(params, n, e->params, e->nparams);
	if (same) {
		sf_kv_free(params, n);
	} else {
		if (e->planned && e->plan.cs_id) {
			lms_error ignored = {0};
			if (!cfn_delete_change_set(e->c->aws, e->c->stack, e->plan.cs_id, &ignored))
				lms_error_clear(&ignored);
		}
		if (!ef_deploy_plan(e, rq, template_text, template_len, params, n, h, err))
			return EF_NEXT_FAILED;
	}
	const cfn_change_set *cs = e->plan.cs;
	if (cfn_change_set_is_empty(cs)) {
		lms_error ignored = {0};
		if (!cfn_delete_change_set(e->c->aws, e->c->stack, e->plan.cs_id, &ignored))
			lms_error_clear(&ignored);
		return EF_NEXT_NOTHING;
	}
	if (strcmp(cs->status, "FAILED") == 0) {
		lms_error_set(err, NULL, 0, 0, "the change set of %s failed: %s", e->c->stack,
		              cs->status_reason ? cs->status_reason : "no reason");
		return EF_NEXT_FAILED;
	}
	if (!same) {
		*unreviewed = ef_unreviewed_change(cs, e->seen);
		if (*unreviewed)
			return EF_NEXT_UNREVIEWED;
	}
	return EF_NEXT_EXECUTE;
}
