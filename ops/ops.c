#define _GNU_SOURCE /* pipe2 */
#include "ops/ops.h"

#include "common/buf.h"
#include "common/lazy_crypto.h"
#include "common/str.h"
#include "model/analysis.h"
#include "ops/stackflow.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *ops_job_name(ops_job j)
{
	static const char *const names[OPS_JOB_COUNT] = {
	    "startup",           "plan",     "discard",   "execute", "destroy", "watch", "cancel",
	    "continue-rollback", "template", "resources", "drift",   "open"};
	return j < OPS_JOB_COUNT ? names[j] : "?";
}

char **ops_protected_resources(const char *text, size_t len, const ops_param *params,
                               size_t nparams, const char *stack, size_t *n)
{
	*n = 0;
	cfn_kv *kv = calloc(nparams ? nparams : 1, sizeof *kv);
	if (!kv)
		return NULL;
	for (size_t i = 0; i < nparams; i++)
		kv[i] = (cfn_kv){params[i].key, params[i].value, false, false};
	cfn_stack s = {.name = (char *)stack, .parameters = kv, .nparameters = nparams};
	sf_protection *p = NULL;
	size_t np = sf_find_protection(text, len, &s, NULL, 0, &p, NULL, NULL);
	free(kv);
	char **names = calloc(np ? np : 1, sizeof *names);
	for (size_t i = 0; names && i < np; i++) {
		names[*n] = lms_strdupf("%s (%s)", p[i].logical_id, p[i].type);
		*n += names[*n] != NULL;
	}
	sf_protection_free(p, np);
	return names;
}

void ops_strings_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

ops_param *ops_model_params(const catalog *cat, const model *m, size_t *n)
{
	*n = 0;
	ops_param *v = calloc(cat->nparams + 1, sizeof(*v));
	for (size_t i = 0; v && i < cat->nparams; i++) {
		const cat_param *p = &cat->params[i];
		const char *value = model_param_value(m, cat, p->e.name);
		if (value)
			v[(*n)++] = (ops_param){(char *)p->e.name, (char *)value, p->no_echo,
			                        p->pipeline_owned};
	}
	return v;
}

ops_job ops_deploy_job(bool known, bool exists, const char *status)
{
	return known && exists && ops_deploy_gate(status) == OPS_GATE_BUSY ? OPS_WATCH : OPS_PLAN;
}

double ops_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- messages ---------------------------------------------------------- */

static void change_free(ops_change *c)
{
	free(c->logical_id);
	free(c->physical_id);
	free(c->type);
	free(c->replace_because);
}

void ops_changeset_free(ops_changeset *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		change_free(&cs->v[i]);
	free(cs->v);
	free(cs->id);
	free(cs->name);
	free(cs->status_reason);
	memset(cs, 0, sizeof(*cs));
}

static char *dup0(const char *s)
{
	return strdup(s ? s : "");
}

bool ops_changeset_copy(ops_changeset *dst, const ops_changeset *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->id = dup0(src->id);
	dst->name = dup0(src->name);
	dst->status_reason = dup0(src->status_reason);
	memcpy(dst->sha256, src->sha256, sizeof(dst->sha256));
	dst->creates_stack = src->creates_stack;
	dst->opened = src->opened;
	dst->pending = src->pending;
	dst->v = calloc(src->n + 1, sizeof(*dst->v));
	bool ok = dst->id && dst->name && dst->status_reason && dst->v;
	for (size_t i = 0; ok && i < src->n; i++) {
		const ops_change *c = &src->v[i];
		ops_change *d = &dst->v[i];
		*d = *c;
		d->logical_id = dup0(c->logical_id);
		d->physical_id = dup0(c->physical_id);
		d->type = dup0(c->type);
		d->replace_because = dup0(c->replace_because);
		dst->n++;
		ok = d->logical_id && d->physical_id && d->type && d->replace_because;
	}
	if (!ok)
		ops_changeset_free(dst);
	return ok;
}

void ops_msg_free(ops_msg *m)
{
	if (!m)
		return;
	switch (m->kind) {
	case OPS_MSG_CALL:
		free(m->u.call.service);
		free(m->u.call.action);
		free(m->u.call.request_id);
		free(m->u.call.error);
		free(m->u.call.cli);
		break;
	case OPS_MSG_IDENTITY:
		free(m->u.identity.account);
		free(m->u.identity.arn);
		break;
	case OPS_MSG_STACK:
		free(m->u.stack.status);
		free(m->u.stack.reason);
		break;
	case OPS_MSG_PHASE:
	case OPS_MSG_ERROR:
	case OPS_MSG_TEMPLATE:
	case OPS_MSG_DRIFT:
		free(m->u.text);
		break;
	case OPS_MSG_CHANGESET:
		ops_changeset_free(&m->u.cs);
		break;
	case OPS_MSG_EVENT:
		free(m->u.event.logical_id);
		free(m->u.event.type);
		free(m->u.event.status);
		free(m->u.event.reason);
		break;
	case OPS_MSG_OUTPUTS:
	case OPS_MSG_PARAMETERS:
		for (size_t i = 0; i < m->u.outputs.n; i++) {
			free(m->u.outputs.v[i].key);
			free(m->u.outputs.v[i].value);
			free(m->u.outputs.v[i].description);
		}
		free(m->u.outputs.v);
		break;
	case OPS_MSG_RESOURCES:
		ops_resources_free(m->u.resources.v, m->u.resources.n);
		break;
	case OPS_MSG_DONE:
		free(m->u.done.status);
		break;
	}
	free(m);
}

/* `len` bytes of `text` as a string of their own; NULL when out of memory. */
static char *text_copy(const char *text, size_t len)
{
	char *t = malloc(len + 1);
	if (t) {
		if (len)
			memcpy(t, text, len);
		t[len] = '\0';
	}
	return t;
}

static void params_free(ops_param *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

void ops_edge_free(ops_edge *e)
{
	free(e->stack);
	free(e->region);
	free(e->template_text);
	params_free(e->params, e->nparams);
	params_free(e->from, e->nfrom);
	ops_resources_free(e->resources, e->nresources);
	free(e->changeset_id);
	memset(e, 0, sizeof(*e));
}

static bool params_copy(ops_param **dst, size_t *nd, const ops_param *src, size_t n)
{
	*dst = calloc(n + 1, sizeof(**dst));
	*nd = 0;
	bool ok = *dst != NULL;
	for (size_t i = 0; ok && i < n; i++) {
		ops_param *d = &(*dst)[i];
		d->key = dup0(src[i].key);
		d->value = dup0(src[i].value);
		d->no_echo = src[i].no_echo;
		d->keep_previous = src[i].keep_previous;
		(*nd)++;
		ok = d->key && d->value;
	}
	return ok;
}

/* The edge of a request copied (nothing when src->stack is NULL). */
static bool edge_copy(ops_edge *dst, const ops_edge *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src->stack)
		return true;
	dst->stack = dup0(src->stack);
	dst->region = dup0(src->region);
	dst->changeset_id = dup0(src->changeset_id);
	dst->template_text = text_copy(src->template_text, src->template_len);
	dst->template_len = src->template_len;
	bool ok = dst->stack && dst->region && dst->changeset_id && dst->template_text &&
	          params_copy(&dst->params, &dst->nparams, src->params, src->nparams) &&
	          params_copy(&dst->from, &dst->nfrom, src->from, src->nfrom);
	dst->resources = ok ? calloc(src->nresources + 1, sizeof(*dst->resources)) : NULL;
	ok = ok && dst->resources;
	for (size_t i = 0; ok && i < src->nresources; i++) {
		ops_resource *r = &dst->resources[i];
		r->logical_id = dup0(src->resources[i].logical_id);
		r->type = dup0(src->resources[i].type);
		r->status = dup0(src->resources[i].status);
		dst->nresources++;
		ok = r->logical_id && r->type && r->status;
	}
	if (!ok)
		ops_edge_free(dst);
	return ok;
}

void ops_request_free(ops_request *rq)
{
	free(rq->stack);
	free(rq->region);
	free(rq->environment);
	free(rq->template_text);
	free(rq->changeset_id);
	for (size_t i = 0; i < rq->nresources; i++)
		free(rq->resources[i]);
	free(rq->resources);
	params_free(rq->params, rq->nparams);
	ops_edge_free(&rq->edge);
	memset(rq, 0, sizeof(*rq));
}

static bool request_copy(ops_request *dst, const ops_request *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->stack = dup0(src->stack);
	dst->region = dup0(src->region);
	dst->environment = dup0(src->environment);
	dst->changeset_id = dup0(src->changeset_id);
	dst->template_text = text_copy(src->template_text, src->template_len);
	dst->template_len = src->template_len;
	memcpy(dst->sha256, src->sha256, sizeof(dst->sha256));
	bool ok = dst->stack && dst->region && dst->environment && dst->changeset_id &&
	          dst->template_text;
	if (ok && src->resources) {
		dst->resources = calloc(src->nresources + 1, sizeof(char *));
		ok = dst->resources != NULL;
		for (size_t i = 0; ok && i < src->nresources; i++) {
			dst->resources[i] = strdup(src->resources[i]);
			ok = dst->resources[i] != NULL;
			dst->nresources++;
		}
	}
	ok = ok && params_copy(&dst->params, &dst->nparams, src->params, src->nparams);
	ok = ok && edge_copy(&dst->edge, &src->edge);
	if (!ok)
		ops_request_free(dst);
	return ok;
}

/* ---- the sink and the runner ------------------------------------------ */

typedef struct qnode {
	ops_msg *msg;
	struct qnode *next;
} qnode;

struct ops_sink {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* signalled on stop, for ops_sleep */
	qnode *head, *tail;
	bool stop;
	bool edge;    /* the messages posted are the edge's (ops_sink_edge) */
	bool dropped; /* a message was lost to memory: the console says so */
	ops_job job;
	int wake_w;
};

struct ops_runner {
	ops_backend *b;
	ops_sink sink;
	int wake_r;
	pthread_t thread;
	bool thread_live; /* started and not joined */
	bool busy;        /* a job runs: set by start, cleared when DONE is read */
	ops_request rq;
};

static void wake(ops_sink *s)
{
	char c = 1;
	/* a full pipe already wakes the reader: EAGAIN is fine */
	ssize_t w = write(s->wake_w, &c, 1);
	(void)w;
}

void ops_post(ops_sink *s, ops_msg *m)
{
	qnode *n = malloc(sizeof(*n));
	pthread_mutex_lock(&s->mu);
	if (!n) {
		s->dropped = true;
		pthread_mutex_unlock(&s->mu);
		ops_msg_free(m);
		return;
	}
	m->job = s->job;
	m->edge = s->edge;
	n->msg = m;
	n->next = NULL;
	if (s->tail)
		s->tail->next = n;
	else
		s->head = n;
	s->tail = n;
	pthread_mutex_unlock(&s->mu);
	wake(s);
}

/* Posts m when every string it needs was copied; otherwise frees it and marks a message
 * lost (the console then says so), never handing the console a NULL string. */
static void post_whole(ops_sink *s, ops_msg *m, bool whole)
{
	if (whole) {
		ops_post(s, m);
		return;
	}
	ops_msg_free(m);
	pthread_mutex_lock(&s->mu);
	s->dropped = true;
	pthread_mutex_unlock(&s->mu);
	wake(s);
}

void ops_post_text(ops_sink *s, ops_msg_kind kind, const char *fmt, ...)
{
	ops_msg *m = calloc(1, sizeof(*m));
	if (!m)
		return;
	m->kind = kind;
	va_list ap;
	va_start(ap, fmt);
	m->u.text = lms_vstrdupf(fmt, ap);
	va_end(ap);
	post_whole(s, m, m->u.text != NULL);
}

void ops_post_call(ops_sink *s, const char *service, const char *action, double started, double ms,
                   int http_status, const char *request_id, const char *error, const char *cli)
{
	ops_msg *m = calloc(1, sizeof(*m));
	if (!m)
		return;
	m->kind = OPS_MSG_CALL;
	m->u.call =
	    (ops_call){started,          ms,          dup0(service), dup0(action), http_status,
	               dup0(request_id), dup0(error), dup0(cli)};
	const ops_call *k = &m->u.call;
	post_whole(s, m, k->service && k->action && k->request_id && k->error && k->cli);
}

void ops_post_stack(ops_sink *s, bool exists, const char *status, const char *reason)
{
	ops_msg *m = calloc(1, sizeof(*m));
	if (!m)
		return;
	m->kind = OPS_MSG_STACK;
	m->u.stack.exists = exists;
	m->u.stack.status = dup0(status);
	m->u.stack.reason = dup0(reason);
	post_whole(s, m, m->u.stack.status && m->u.stack.reason);
}

void ops_post_event(ops_sink *s, double time, const char *logical_id, const char *type,
                    const char *status, const char *reason)
{
	ops_msg *m = calloc(1, sizeof(*m));
	if (!m)
		return;
	m->kind = OPS_MSG_EVENT;
	m->u.event.time = time;
	m->u.event.logical_id = strdup(logical_id ? logical_id : "?");
	m->u.event.type = strdup(type ? type : "?");
	m->u.event.status = strdup(status ? status : "?");
	m->u.event.reason = dup0(reason);
	post_whole(s, m,
	           m->u.event.logical_id && m->u.event.type && m->u.event.status &&
	               m->u.event.reason);
}

void ops_post_identity(ops_sink *s, const char *account, const char *arn)
{
	ops_msg *m = calloc(1, sizeof(*m));
	if (!m)
		return;
	m->kind = OPS_MSG_IDENTITY;
	m->u.identity.account = dup0(account);
	m->u.identity.arn = dup0(arn);
	post_whole(s, m, m->u.identity.account && m->u.identity.arn);
}

static void post_pairs(ops_sink *s, ops_msg_kind kind, const ops_output *v, size_t n)
{
	ops_msg *m = calloc(1, sizeof(*m));
	if (!m)
		return;
	m->kind = kind;
	m->u.outputs.v = calloc(n + 1, sizeof(ops_output));
	bool whole = m->u.outputs.v != NULL;
	for (size_t i = 0; whole && i < n; i++) {
		ops_output *o = &m->u.outputs.v[m->u.outputs.n++];
		*o = (ops_output){dup0(v[i].key), dup0(v[i].value), dup0(v[i].description)};
		whole = o->key && o->value && o->description;
	}
	post_whole(s, m, whole);
}

void ops_post_outputs(ops_sink *s, const ops_output *v, size_t n)
{
	post_pairs(s, OPS_MSG_OUTPUTS, v, n);
}

void ops_post_parameters(ops_sink *s, const ops_output *v, size_t n)
{
	post_pairs(s, OPS_MSG_PARAMETERS, v, n);
}

void ops_post_resources(ops_sink *s, const ops_resource *v, size_t n)
{
	ops_msg *m = calloc(1, sizeof(*m));
	if (!m)
		return;
	m->kind = OPS_MSG_RESOURCES;
	m->u.resources.v = calloc(n + 1, sizeof(ops_resource));
	bool whole = m->u.resources.v != NULL;
	for (size_t i = 0; whole && i < n; i++) {
		ops_resource *r = &m->u.resources.v[m->u.resources.n++];
		*r = (ops_resource){dup0(v[i].logical_id), dup0(v[i].type), dup0(v[i].status)};
		whole = r->logical_id && r->type && r->status;
	}
	if (whole)
		ops_resources_sort(m->u.resources.v, m->u.resources.n);
	post_whole(s, m, whole);
}

int ops_stateful_rank(const char *type)
{
	static const struct {
		const char *prefix;
		int rank;
	} kinds[] = {
	    {"AWS::RDS::", 0},
	    {"AWS::DocDB::", 0},
	    {"AWS::Neptune::", 0},
	    {"AWS::DynamoDB::", 0},
	    {"AWS::MemoryDB::", 1},
	    {"AWS::ElastiCache::", 1},
	    {"AWS::EFS::", 2},
	    {"AWS::S3::", 3},
	    {"AWS::Kinesis::", 4},
	    {"AWS::KinesisFirehose::", 4},
	    {"AWS::SecretsManager::", 5},
	};
	if (!type || !type_is_stateful(type))
		return -1;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (lms_starts_with(type, kinds[i].prefix))
			return kinds[i].rank;
	return 6;
}

static int cmp_resource(const void *a, const void *b)
{
	const ops_resource *x = a, *y = b;
	int rx = ops_stateful_rank(x->type), ry = ops_stateful_rank(y->type);
	/* -1 (no data) last */
	rx = rx < 0 ? 99 : rx;
	ry = ry < 0 ? 99 : ry;
	if (rx != ry)
		return rx - ry;
	int t = strcmp(x->type ? x->type : "", y->type ? y->type : "");
	return t ? t
	         : strcmp(x->logical_id ? x->logical_id : "", y->logical_id ? y->logical_id : "");
}

void ops_resources_sort(ops_resource *v, size_t n)
{
	if (v && n > 1)
		qsort(v, n, sizeof(*v), cmp_resource);
}

void ops_resources_free(ops_resource *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].logical_id);
		free(v[i].type);
		free(v[i].status);
	}
	free(v);
}

void ops_sink_edge(ops_sink *s, bool edge)
{
	pthread_mutex_lock(&s->mu);
	s->edge = edge;
	pthread_mutex_unlock(&s->mu);
}

bool ops_stopped(ops_sink *s)
{
	pthread_mutex_lock(&s->mu);
	bool stop = s->stop;
	pthread_mutex_unlock(&s->mu);
	return stop;
}

bool ops_sleep(ops_sink *s, int ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		if (pthread_cond_timedwait(&s->cv, &s->mu, &until) == ETIMEDOUT)
			break;
	}
	bool stop = s->stop;
	pthread_mutex_unlock(&s->mu);
	return !stop;
}

ops_runner *ops_runner_new(ops_backend *b, lms_error *err)
{
	ops_runner *r = calloc(1, sizeof(*r));
	int fds[2];
	if (!r || pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
		lms_error_set(err, NULL, 0, 0, "cannot start the operations worker: %s",
		              strerror(errno));
		free(r);
		if (b && b->free)
			b->free(b->ctx);
		free(b);
		return NULL;
	}
	r->b = b;
	r->wake_r = fds[0];
	r->sink.wake_w = fds[1];
	pthread_mutex_init(&r->sink.mu, NULL);
	pthread_cond_init(&r->sink.cv, NULL);
	return r;
}

static void join(ops_runner *r)
{
	if (r->thread_live) {
		pthread_join(r->thread, NULL);
		r->thread_live = false;
	}
}

void ops_runner_free(ops_runner *r)
{
	if (!r)
		return;
	ops_runner_stop(r);
	join(r);
	for (qnode *n = r->sink.head; n;) {
		qnode *next = n->next;
		ops_msg_free(n->msg);
		free(n);
		n = next;
	}
	close(r->wake_r);
	close(r->sink.wake_w);
	pthread_mutex_destroy(&r->sink.mu);
	pthread_cond_destroy(&r->sink.cv);
	ops_request_free(&r->rq);
	if (r->b && r->b->free)
		r->b->free(r->b->ctx);
	free(r->b);
	free(r);
}

int ops_runner_fd(const ops_runner *r)
{
	return r->wake_r;
}

static void *worker(void *arg)
{
	ops_runner *r = arg;
	ops_sink *s = &r->sink;
	bool ok = r->b->run(r->b->ctx, s->job, &r->rq, s);
	ops_msg *m = calloc(1, sizeof(*m));
	if (m) {
		m->kind = OPS_MSG_DONE;
		m->u.done.ok = ok;
		m->u.done.status = strdup("");
		ops_post(s, m);
	} else {
		pthread_mutex_lock(&s->mu);
		s->dropped = true;
		pthread_mutex_unlock(&s->mu);
		wake(s);
	}
	return NULL;
}

bool ops_runner_start(ops_runner *r, ops_job job, const ops_request *rq)
{
	if (r->busy)
		return false;
	join(r);
	ops_request_free(&r->rq);
	if (!request_copy(&r->rq, rq))
		return false;
	pthread_mutex_lock(&r->sink.mu);
	r->sink.stop = false;
	r->sink.edge = false;
	r->sink.job = job;
	pthread_mutex_unlock(&r->sink.mu);
	/* signals stay with the console's thread: its poll() must see them */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&r->thread, NULL, worker, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return false;
	r->thread_live = true;
	r->busy = true;
	return true;
}

bool ops_runner_busy(ops_runner *r)
{
	return r->busy;
}

ops_job ops_runner_job(ops_runner *r)
{
	return r->sink.job;
}

void ops_runner_stop(ops_runner *r)
{
	pthread_mutex_lock(&r->sink.mu);
	r->sink.stop = true;
	pthread_cond_broadcast(&r->sink.cv);
	pthread_mutex_unlock(&r->sink.mu);
}

ops_msg *ops_runner_next(ops_runner *r)
{
	char drain[64];
	while (read(r->wake_r, drain, sizeof(drain)) > 0)
		;
	pthread_mutex_lock(&r->sink.mu);
	qnode *n = r->sink.head;
	if (n) {
		r->sink.head = n->next;
		if (!r->sink.head)
			r->sink.tail = NULL;
	}
	bool dropped = r->sink.dropped;
	r->sink.dropped = false;
	pthread_mutex_unlock(&r->sink.mu);
	ops_msg *m = NULL;
	if (n) {
		m = n->msg;
		free(n);
	} else if (dropped) {
		/* out of memory on the worker: end the job visibly */
		m = calloc(1, sizeof(*m));
		if (m) {
			m->kind = OPS_MSG_ERROR;
			m->u.text =
			    strdup("out of memory: some messages of the operation were lost");
		}
	}
	if (m && m->kind == OPS_MSG_DONE) {
		r->busy = false;
		join(r);
	}
	if (n && r->sink.head)
		wake(&r->sink); /* more to read: keep the loop coming back */
	return m;
}

const char *ops_runner_backend(const ops_runner *r)
{
	return r->b ? r->b->name : "none";
}

/* ---- helpers ---------------------------------------------------------- */

ops_action ops_action_of(const char *action)
{
	if (!action)
		return OPS_DYNAMIC;
	if (strcmp(action, "Add") == 0)
		return OPS_ADD;
	if (strcmp(action, "Modify") == 0)
		return OPS_MODIFY;
	if (strcmp(action, "Remove") == 0)
		return OPS_REMOVE;
	if (strcmp(action, "Import") == 0)
		return OPS_IMPORT;
	return OPS_DYNAMIC;
}

ops_replacement ops_replacement_of(const char *replacement)
{
	if (!replacement)
		return OPS_REPL_NEVER;
	if (strcmp(replacement, "True") == 0)
		return OPS_REPL_ALWAYS;
	if (strcmp(replacement, "Conditional") == 0)
		return OPS_REPL_CONDITIONAL;
	return OPS_REPL_NEVER;
}

int ops_change_risk(const ops_change *c)
{
	bool replace = c->action == OPS_MODIFY && c->replacement != OPS_REPL_NEVER;
	int r = replace                   ? (c->replacement == OPS_REPL_ALWAYS ? 40 : 30)
	        : c->action == OPS_REMOVE ? 50
	        : c->action == OPS_MODIFY ? 10
	        : c->action == OPS_IMPORT || c->action == OPS_DYNAMIC ? 5
	                                                              : 0;
	/* data lost: a stateful replacement first, then a stateful removal */
	if (c->stateful && replace)
		r += 200;
	else if (c->stateful && c->action == OPS_REMOVE)
		r += 100;
	return r;
}

static int cmp_change(const void *a, const void *b)
{
	const ops_change *x = a, *y = b;
	int rx = ops_change_risk(x), ry = ops_change_risk(y);
	if (rx != ry)
		return ry - rx;
	return strcmp(x->logical_id ? x->logical_id : "", y->logical_id ? y->logical_id : "");
}

void ops_changeset_sort(ops_changeset *cs)
{
	if (cs->n > 1)
		qsort(cs->v, cs->n, sizeof(*cs->v), cmp_change);
}

void ops_changeset_counts(const ops_changeset *cs, size_t *add, size_t *modify, size_t *replace,
                          size_t *remove)
{
	*add = *modify = *replace = *remove = 0;
	for (size_t i = 0; i < cs->n; i++) {
		const ops_change *c = &cs->v[i];
		if (c->action == OPS_ADD || c->action == OPS_IMPORT)
			(*add)++;
		else if (c->action == OPS_REMOVE)
			(*remove)++;
		else if (c->action == OPS_MODIFY && c->replacement != OPS_REPL_NEVER)
			(*replace)++;
		else
			(*modify)++;
	}
}

void ops_sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	static const char hex[] = "0123456789abcdef";
	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
		memset(out, '0', 64);
		out[64] = '\0';
		return;
	}
	for (size_t i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}
