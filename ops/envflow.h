/* envflow: the environment as its two stacks, the main stack and the companion the catalog
 * names (catalog.yml `Companions:`: the edge, `<stack>-edge` in us-east-1), in their order:
 * deploy the main stack first, then the companion with parameters from the main stack's
 * outputs (LmsCtl::FromStackOutputs); destroy the companion first, then the main stack
 * (docs/architecture.md, "Two stacks"; docs/deploy.md).
 *
 * The command line (cli/deploy.c) runs the main stack's steps as before and calls these for
 * the companion: the gate, the plan (one review shows it when the main stack's outputs are
 * known), the decision after the main stack settles (execute the reviewed change set, or a
 * new one when the outputs changed, unless it replaces or removes what the review did not
 * show), and the deletion. Nothing here prints or prompts (ops/flow.h). */
#ifndef LMSCTL_OPS_ENVFLOW_H
#define LMSCTL_OPS_ENVFLOW_H

#include "aws/cfn.h"
#include "aws/http.h"
#include "aws/provider.h"
#include "common/buf.h"
#include "common/error.h"
#include "model/catalog.h"
#include "model/model.h"
#include "ops/flow.h"

#include <stdbool.h>
#include <stddef.h>

/* The companion of an environment. */
typedef struct ef_companion {
	const cat_companion *comp; /* NULL: the catalog names none (one stack) */
	catalog *cat;              /* its catalog */
	model *m;                  /* its model (model/companion.h) */
	char *stack;               /* `<main stack>-<name>` */
	const char *region;        /* the companion's Region */
	aws_client *aws;           /* a client for that Region (ef_connect) */
} ef_companion;

/* The catalog's first companion, its catalog and model derived from the main model. True
 * with c->comp NULL when the catalog names none; false with err when it cannot be loaded. */
bool ef_open(const catalog *main_cat, const model *main_m, ef_companion *c, lms_error *err);
/* A client for the companion's Region: the same options as the main stack's (o), the same
 * credentials provider (renewed once for both). */
bool ef_connect(ef_companion *c, const sf_connect_options *o, provider_cache *creds,
                lms_error *err);
void ef_close(ef_companion *c);

/* Its template, assembled from its catalog with its model's values. */
bool ef_template(const ef_companion *c, buf *out, lms_error *err);

/* The values its change set sends: the main model's value for each parameter the main
 * catalog declares too (Environment, EnvironmentSuffix, ...), the companion model's for the
 * others, and for each LmsCtl::FromStackOutputs parameter the output of `main` it names; an
 * output `main` does not have (its condition is false; `main` NULL: not deployed yet) is not
 * sent, so the parameter takes its Default. *out to free with sf_kv_free; false when out of
 * memory. */
bool ef_params(const ef_companion *c, const catalog *main_cat, const model *main_m,
               const cfn_stack *main, cfn_kv **out, size_t *n);
/* Whether two parameter lists send the same values (in any order). */
bool ef_params_equal(const cfn_kv *a, size_t na, const cfn_kv *b, size_t nb);

/* What the companion's stack, as it is, allows. */
typedef enum ef_gate {
	EF_GATE_CREATE,   /* no stack (or REVIEW_IN_PROGRESS) */
	EF_GATE_UPDATE,   /* an update */
	EF_GATE_RECREATE, /* ROLLBACK_COMPLETE or ROLLBACK_FAILED: a failed creation, holding
	                     nothing, deleted then created again */
	EF_GATE_REFUSED,  /* busy, DELETE_FAILED, UPDATE_ROLLBACK_FAILED: *why says so */
	EF_GATE_ERROR,    /* DescribeStacks failed (err) */
} ef_gate;

/* The companion's deploy, across the main stack's. */
typedef struct ef_deploy {
	ef_companion *c;
	ef_gate gate;
	cfn_stack *stack; /* as described by ef_deploy_gate; NULL: none */
	cfn_kv *params;   /* those of `plan` */
	size_t nparams;
	sf_plan plan;         /* the change set (reviewed, or made after the main stack) */
	bool planned;         /* plan.cs is there */
	cfn_change_set *seen; /* the change set the review showed; NULL: none (the resources) */
} ef_deploy;

void ef_deploy_free(ef_deploy *e);
/* DescribeStacks of the companion: the gate; *why (EF_GATE_REFUSED) what to do. */
ef_gate ef_deploy_gate(ef_deploy *e, buf *why, lms_error *err);
/* Makes its change set with `params` (taken) through sf_plan_change_set; rq gives account,
 * environment and role (its stack, region, type, template and parameters are set here). */
bool ef_deploy_plan(ef_deploy *e, const sf_plan_request *rq, const char *template_text,
                    size_t template_len, cfn_kv *params, size_t nparams, const sf_hooks *h,
                    lms_error *err);

/* The logical id of the first change of `cs` that replaces (Replacement True or
 * Conditional) or removes a resource the review (`seen`; NULL: no change set was shown)
 * did not show as replaced or removed; NULL when none. */
const char *ef_unreviewed_change(const cfn_change_set *cs, const cfn_change_set *seen);

/* What to do once the main stack has settled. */
typedef enum ef_next {
	EF_NEXT_EXECUTE,    /* e->plan is the change set to execute */
	EF_NEXT_NOTHING,    /* its change set has no changes (deleted) */
	EF_NEXT_UNREVIEWED, /* it replaces or removes *unreviewed, which the review did not
	                       show: stop, the change set is left for review */
	EF_NEXT_FAILED,     /* a call failed, or the change set FAILED (err) */
} ef_next;

/* After the main stack settled as `main`: the parameters from its outputs; the reviewed
 * change set when they are the ones it was made with, else (the reviewed one deleted) a
 * new one, checked against what the review showed (e->seen: a change that replaces or
 * removes a resource must be there as such). */
ef_next ef_after_main(ef_deploy *e, const catalog *main_cat, const model *main_m,
                      const cfn_stack *main, const sf_plan_request *rq, const char *template_text,
                      size_t template_len, const sf_hooks *h, const char **unreviewed,
                      lms_error *err);

/* Deletes the companion's stack `s` (as described) and follows it to DELETE_COMPLETE
 * (sf_run SF_DELETE; role_arn NULL: the stack's). */
sf_run_result ef_destroy(ef_companion *c, const cfn_stack *s, const char *role_arn,
                         const sf_hooks *h, void (*started)(void *ctx), cfn_stack **final,
                         sf_failure *first, lms_error *err);

/* ---- following both ----------------------------------------------------------------------- */

/* One stack ef_follow_all follows. */
typedef struct ef_follower {
	aws_client *aws;        /* its Region's client */
	cfn_event_tracker *t;   /* its events, those so far marked seen */
	const char *stack, *id; /* its name, and its id when known (NULL: by name) */
	/* its events go to h->event (its ctx tells the stacks apart); the first follower's
	 * h->pause waits between rounds, each one's h->stopped is asked */
	const sf_hooks *h;
	bool settled;
	cfn_stack *final; /* once settled: the stack (NULL: gone); to free */
	sf_failure first; /* its first failure (sf_failure_free) */
} ef_follower;

/* Follows several stacks' events together (the main stack and the edge, each in its own
 * Region, while either is in progress): a round reads each unsettled stack's new events and
 * status (sf_follow, one poll), then waits as sf_follow does (1 s more each round, at most
 * SF_POLL_MAX_SECONDS), until every stack has settled. SF_ERROR with err when a call failed,
 * SF_INTERRUPTED when the hooks stopped it. */
sf_follow_result ef_follow_all(ef_follower *f, size_t n, lms_error *err);

/* ---- the companion known by its values (the console's backend, ops/ops.h) -------------- */

/* ef_params without the catalogs and models: `base` (ef_params with no main stack) with, for
 * each pair of `from` (key the parameter, value the main stack's output it takes), the output
 * of `main` it names, when `main` has it (else the parameter keeps its Default, as there).
 * *out to free with sf_kv_free; false when out of memory. */
bool ef_params_from(const cfn_kv *base, size_t nbase, const cfn_kv *from, size_t nfrom,
                    const cfn_stack *main, cfn_kv **out, size_t *n);
/* ef_after_main with the parameters already made from the settled main stack (`params`,
 * taken). */
ef_next ef_after_main_with(ef_deploy *e, cfn_kv *params, size_t n, const sf_plan_request *rq,
                           const char *template_text, size_t template_len, const sf_hooks *h,
                           const char **unreviewed, lms_error *err);

#endif
