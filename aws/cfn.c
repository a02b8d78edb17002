#include "aws/cfn.h"

#include "common/num.h"
#include "common/str.h"
#include "common/vec.h"

#include "aws/query.h"
#include "common/lazy_crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CFN_VERSION "2010-05-15"
#define CFN_MAX_PAGES_DEFAULT 20
/* DescribeChangeSet pages: a template has at most 500 resources, 100 changes per page. */
#define CFN_MAX_CHANGE_SET_PAGES 50

static char *dup_text(const xml_node *n, const char *path)
{
	const char *t = xml_path_text(n, path);
	return t && t[0] ? strdup(t) : NULL;
}

static bool out_of_memory(lms_error *err)
{
	lms_error_set(err, NULL, 0, 0, "out of memory");
	return false;
}

time_t cfn_parse_time(const char *s)
{
	int y, mo, d, h, mi, sec;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6)
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return 0;
	long long yy = y - (mo <= 2);
	long long era = (yy >= 0 ? yy : yy - 399) / 400;
	long long yoe = yy - era * 400;
	long long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	long long days = era * 146097 + doe - 719468;
	return (time_t)(days * 86400 + (long long)h * 3600 + (long long)mi * 60 + sec);
}

bool cfn_new_token(buf *out)
{
	unsigned char r[16];
	if (RAND_bytes(r, sizeof r) != 1)
		return false;
	buf_adds(out, "lmsctl-");
	for (size_t i = 0; i < sizeof r; i++)
		buf_addf(out, "%02x", r[i]);
	return !out->failed;
}

/* ---- stacks ------------------------------------------------------------------------------ */

void cfn_kv_free(cfn_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void cfn_stack_free(cfn_stack *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->id);
	free(s->status);
	free(s->status_reason);
	free(s->role_arn);
	for (size_t i = 0; i < s->noutputs; i++) {
		free(s->outputs[i].key);
		free(s->outputs[i].value);
		free(s->outputs[i].description);
		free(s->outputs[i].export_name);
	}
	free(s->outputs);
	cfn_kv_free(s->parameters, s->nparameters);
	cfn_kv_free(s->tags, s->ntags);
	free(s);
}

static size_t count_members(const xml_node *list)
{
	size_t n = 0;
	for (size_t i = 0; list && i < list->n; i++)
		n += strcmp(list->kids[i]->name, "member") == 0;
	return n;
}

static bool parse_kv_list(const xml_node *list, const char *kname, const char *vname, cfn_kv **out,
                          size_t *nout)
{
	*out = NULL;
	*nout = 0;
	size_t n = count_members(list);
	if (!n)
		return true;
	*out = calloc(n, sizeof **out);
	if (!*out)
		return false;
	for (const xml_node *m = xml_child(list, "member"); m; m = xml_next_same(m)) {
		cfn_kv *kv = &(*out)[(*nout)++];
		const char *k = xml_path_text(m, kname);
		const char *v = xml_path_text(m, vname);
		kv->key = strdup(k ? k : "");
		kv->value = strdup(v ? v : "");
		if (!kv->key || !kv->value)
			return false;
	}
	return true;
}

cfn_stack *cfn_parse_stack(const xml_node *member)
{
	if (!member)
		return NULL;
	cfn_stack *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->name = dup_text(member, "StackName");
	s->id = dup_text(member, "StackId");
	s->status = dup_text(member, "StackStatus");
	s->status_reason = dup_text(member, "StackStatusReason");
	s->role_arn = dup_text(member, "RoleARN");
	const char *tp = xml_path_text(member, "EnableTerminationProtection");
	s->termination_protection = tp && strcmp(tp, "true") == 0;
	s->created = cfn_parse_time(xml_path_text(member, "CreationTime"));
	s->updated = cfn_parse_time(xml_path_text(member, "LastUpdatedTime"));
	bool ok = s->name && s->status;
	const xml_node *outs = xml_child(member, "Outputs");
	size_t n = count_members(outs);
	if (ok && n) {
		s->outputs = calloc(n, sizeof *s->outputs);
		ok = s->outputs != NULL;
		for (const xml_node *m = xml_child(outs, "member"); ok && m; m = xml_next_same(m)) {
			cfn_output *o = &s->outputs[s->noutputs++];
			const char *k = xml_path_text(m, "OutputKey");
			const char *v = xml_path_text(m, "OutputValue");
			o->key = strdup(k ? k : "");
			o->value = strdup(v ? v : "");
			o->description = dup_text(m, "Description");
			o->export_name = dup_text(m, "ExportName");
			ok = o->key && o->value;
		}
	}
	ok = ok && parse_kv_list(xml_child(member, "Parameters"), "ParameterKey", "ParameterValue",
	                         &s->parameters, &s->nparameters);
	ok = ok && parse_kv_list(xml_child(member, "Tags"), "Key", "Value", &s->tags, &s->ntags);
	if (!ok) {
		cfn_stack_free(s);
		return NULL;
	}
	return s;
}

static bool is_missing_stack(const aws_response *r)
{
	return r->error_code && strcmp(r->error_code, "ValidationError") == 0 && r->error_message &&
	       strstr(r->error_message, "does not exist");
}

bool cfn_describe_stack(aws_client *c, const char *name, cfn_stack **out, lms_error *err)
{
	*out = NULL;
	aws_params p;
	aws_params_init(&p, "DescribeStacks", CFN_VERSION);
	aws_params_add(&p, "StackName", name);
	xml_doc *doc = NULL;
	aws_response resp;
	aws_response_init(&resp);
	bool ok = aws_query(c, "cloudformation", &p, &doc, &resp, err);
	aws_params_free(&p);
	if (!ok) {
		bool missing = is_missing_stack(&resp);
		aws_response_free(&resp);
		if (missing)
			lms_error_clear(err);
		return missing;
	}
	aws_response_free(&resp);
	const xml_node *member = xml_path(aws_query_result(doc, "DescribeStacks"), "Stacks/member");
	if (member) {
		*out = cfn_parse_stack(member);
		if (!*out)
			ok = out_of_memory(err);
	}
	xml_free(doc);
	return ok;
}

/* ---- change sets ------------------------------------------------------------------------- */

static void change_free(cfn_change *ch)
{
	free(ch->action);
	free(ch->logical_id);
	free(ch->physical_id);
	free(ch->resource_type);
	free(ch->replacement);
	free(ch->scope);
	free(ch->replacing_properties);
}

void cfn_change_set_free(cfn_change_set *cs)
{
	if (!cs)
		return;
	free(cs->id);
	free(cs->name);
	free(cs->stack_id);
	free(cs->status);
	free(cs->status_reason);
	free(cs->execution_status);
	for (size_t i = 0; i < cs->nchanges; i++)
		change_free(&cs->changes[i]);
	free(cs->changes);
	free(cs);
}

/* "A, B" from a member list of texts, NULL when empty. */
static char *join_members(const xml_node *list)
{
	if (!list || !count_members(list))
		return NULL;
	buf b;
	buf_init(&b, 0);
	for (const xml_node *m = xml_child(list, "member"); m; m = xml_next_same(m))
		buf_addf(&b, "%s%s", b.len ? ", " : "", m->text);
	return buf_take(&b);
}

/* The properties whose change re-creates the resource: Details/member/Target with
 * RequiresRecreation Always or Conditionally, each once (a name that is part of an earlier
 * one, Protocol after ProtocolVersion, is another property). */
static char *replacing_properties(const xml_node *details)
{
	buf b, names, key; /* names: "\nA\nB\n", each listed name whole */
	buf_init(&b, 0);
	buf_init(&names, 0);
	buf_init(&key, 0);
	buf_addc(&names, '\n');
	for (const xml_node *m = xml_child(details, "member"); m; m = xml_next_same(m)) {
		const char *rr = xml_path_text(m, "Target/RequiresRecreation");
		const char *name = xml_path_text(m, "Target/Name");
		if (!rr || !name || !name[0] || strcmp(rr, "Never") == 0)
			continue;
		buf_reset(&key);
		buf_addf(&key, "\n%s\n", name);
		if (strstr(buf_cstr(&names), buf_cstr(&key)))
			continue;
		buf_adds(&names, name);
		buf_addc(&names, '\n');
		buf_addf(&b, "%s%s%s", b.len ? ", " : "", name,
		         strcmp(rr, "Conditionally") == 0 ? " (conditionally)" : "");
	}
	buf_free(&names); /* out of memory there, a name may be listed twice: no harm */
	buf_free(&key);
	if (!b.len) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
}

bool cfn_parse_change_set_page(const xml_node *result, cfn_change_set **csp, char **next_token)
{
	*next_token = NULL;
	cfn_change_set *cs = *csp;
	if (!cs) {
		cs = calloc(1, sizeof *cs);
		if (!cs)
			return false;
		cs->id = dup_text(result, "ChangeSetId");
		cs->name = dup_text(result, "ChangeSetName");
		cs->stack_id = dup_text(result, "StackId");
		cs->status = dup_text(result, "Status");
		cs->status_reason = dup_text(result, "StatusReason");
		cs->execution_status = dup_text(result, "ExecutionStatus");
		*csp = cs;
		if (!cs->status)
			cs->status = strdup("UNKNOWN");
		if (!cs->status)
			return false;
	}
	const xml_node *list = xml_child(result, "Changes");
	size_t n = count_members(list);
	if (n) {
		if (n > SIZE_MAX - cs->nchanges || !VEC_RESIZE(cs->changes, cs->nchanges + n))
			return false;
		for (const xml_node *m = xml_child(list, "member"); m; m = xml_next_same(m)) {
			const xml_node *rc = xml_child(m, "ResourceChange");
			if (!rc)
				continue;
			cfn_change *ch = &cs->changes[cs->nchanges++];
			memset(ch, 0, sizeof *ch);
			ch->action = dup_text(rc, "Action");
			ch->logical_id = dup_text(rc, "LogicalResourceId");
			ch->physical_id = dup_text(rc, "PhysicalResourceId");
			ch->resource_type = dup_text(rc, "ResourceType");
			ch->replacement = dup_text(rc, "Replacement");
			ch->scope = join_members(xml_child(rc, "Scope"));
			ch->replacing_properties = replacing_properties(xml_child(rc, "Details"));
			if (!ch->action)
				ch->action = strdup("?");
			if (!ch->logical_id)
				ch->logical_id = strdup("?");
			if (!ch->resource_type)
				ch->resource_type = strdup("?");
			if (!ch->action || !ch->logical_id || !ch->resource_type)
				return false;
		}
	}
	*next_token = dup_text(result, "NextToken");
	return true;
}

bool cfn_create_change_set(aws_client *c, const cfn_change_set_input *in, char **id_out,
                           lms_error *err)
{
	*id_out = NULL;
	aws_params p;
	aws_params_init(&p, "CreateChangeSet", CFN_VERSION);
	aws_params_add(&p, "StackName", in->stack_name);
	aws_params_add(&p, "ChangeSetName", in->change_set_name);
	aws_params_add(&p, "ChangeSetType", in->type);
	aws_params_add(&p, "TemplateBody", in->template_body);
	aws_params_add(&p, "TemplateURL", in->template_url);
	if (in->use_previous_template)
		aws_params_add(&p, "UsePreviousTemplate", "true");
	for (size_t i = 0; i < in->nparameters; i++) {
		aws_params_addf(&p, in->parameters[i].key, "Parameters.member.%zu.ParameterKey",
		                i + 1);
		if (in->parameters[i].keep_previous && in->type && strcmp(in->type, "UPDATE") == 0)
			aws_params_addf(&p, "true", "Parameters.member.%zu.UsePreviousValue",
			                i + 1);
		else if (in->parameters[i].no_echo)
			aws_params_addf_secret(&p, in->parameters[i].value,
			                       "Parameters.member.%zu.ParameterValue", i + 1);
		else
			aws_params_addf(&p, in->parameters[i].value,
			                "Parameters.member.%zu.ParameterValue", i + 1);
	}
	for (size_t i = 0; i < in->ncapabilities; i++)
		aws_params_addf(&p, in->capabilities[i], "Capabilities.member.%zu", i + 1);
	for (size_t i = 0; i < in->ntags; i++) {
		aws_params_addf(&p, in->tags[i].key, "Tags.member.%zu.Key", i + 1);
		aws_params_addf(&p, in->tags[i].value, "Tags.member.%zu.Value", i + 1);
	}
	aws_params_add(&p, "RoleARN", in->role_arn);
	aws_params_add(&p, "Description", in->description);
	aws_params_add(&p, "ClientToken", in->client_token);
	xml_doc *doc = NULL;
	bool ok = aws_query(c, "cloudformation", &p, &doc, NULL, err);
	aws_params_free(&p);
	if (!ok)
		return false;
	*id_out = dup_text(aws_query_result(doc, "CreateChangeSet"), "Id");
	xml_free(doc);
	if (!*id_out) {
		lms_error_set(err, NULL, 0, 0,
		              "CloudFormation CreateChangeSet: the answer has no Id");
		return false;
	}
	return true;
}

/* One page's Result element to `ctx`; sets *next (free it) to the NextToken or NULL;
 * false when out of memory. */
typedef bool (*page_fn)(const xml_node *result, void *ctx, char **next);

/* Calls `action` for `stack` (with key=value too, unless key is NULL) page by page, at most
 * max_pages, handing each page to `fn`. */
static bool each_page(aws_client *c, const char *action, const char *stack, const char *key,
                      const char *value, size_t max_pages, page_fn fn, void *ctx, lms_error *err)
{
	char *token = NULL;
	bool ok = true;
	for (size_t page = 0; ok && page < max_pages; page++) {
		aws_params p;
		aws_params_init(&p, action, CFN_VERSION);
		aws_params_add(&p, "StackName", stack);
		if (key)
			aws_params_add(&p, key, value);
		aws_params_add(&p, "NextToken", token);
		free(token);
		token = NULL;
		xml_doc *doc = NULL;
		ok = aws_query(c, "cloudformation", &p, &doc, NULL, err);
		aws_params_free(&p);
		if (!ok)
			break;
		const xml_node *r = aws_query_result(doc, action);
		if (!r) {
			lms_error_set(err, NULL, 0, 0,
			              "CloudFormation %s: the answer has no result", action);
			ok = false;
		} else if (!fn(r, ctx, &token)) {
			ok = out_of_memory(err);
		}
		xml_free(doc);
		if (!token)
			break;
	}
	free(token);
	return ok;
}

static bool change_set_page(const xml_node *result, void *ctx, char **next)
{
	return cfn_parse_change_set_page(result, ctx, next);
}

bool cfn_describe_change_set(aws_client *c, const char *stack, const char *change_set,
                             cfn_change_set **out, lms_error *err)
{
	*out = NULL;
	bool ok = each_page(c, "DescribeChangeSet", stack, "ChangeSetName", change_set,
	                    CFN_MAX_CHANGE_SET_PAGES, change_set_page, out, err);
	if (!ok) {
		cfn_change_set_free(*out);
		*out = NULL;
	}
	return ok;
}

bool cfn_change_set_settled(const cfn_change_set *cs)
{
	return strcmp(cs->status, "CREATE_COMPLETE") == 0 || strcmp(cs->status, "FAILED") == 0 ||
	       strcmp(cs->status, "DELETE_COMPLETE") == 0 ||
	       strcmp(cs->status, "DELETE_FAILED") == 0;
}

bool cfn_change_set_is_empty(const cfn_change_set *cs)
{
	if (strcmp(cs->status, "FAILED") == 0)
		return cs->status_reason &&
		       (strstr(cs->status_reason, "didn't contain changes") ||
		        strstr(cs->status_reason, "No updates are to be performed"));
	return strcmp(cs->status, "CREATE_COMPLETE") == 0 && cs->nchanges == 0;
}

static bool simple_call(aws_client *c, aws_params *p, lms_error *err)
{
	xml_doc *doc = NULL;
	bool ok = aws_query(c, "cloudformation", p, &doc, NULL, err);
	aws_params_free(p);
	xml_free(doc);
	return ok;
}

bool cfn_execute_change_set(aws_client *c, const char *stack, const char *change_set,
                            const char *client_request_token, lms_error *err)
{
	aws_params p;
	aws_params_init(&p, "ExecuteChangeSet", CFN_VERSION);
	aws_params_add(&p, "StackName", stack);
	aws_params_add(&p, "ChangeSetName", change_set);
	aws_params_add(&p, "ClientRequestToken", client_request_token);
	return simple_call(c, &p, err);
}

bool cfn_delete_change_set(aws_client *c, const char *stack, const char *change_set, lms_error *err)
{
	aws_params p;
	aws_params_init(&p, "DeleteChangeSet", CFN_VERSION);
	aws_params_add(&p, "StackName", stack);
	aws_params_add(&p, "ChangeSetName", change_set);
	return simple_call(c, &p, err);
}

/* ---- events ------------------------------------------------------------------------------ */

void cfn_event_clear(cfn_event *e)
{
	free(e->id);
	free(e->stack_name);
	free(e->logical_id);
	free(e->physical_id);
	free(e->resource_type);
	free(e->status);
	free(e->reason);
	free(e->client_request_token);
	memset(e, 0, sizeof *e);
}

bool cfn_parse_events_page(const xml_node *result, cfn_event **events, size_t *nevents,
                           char **next_token)
{
	*events = NULL;
	*nevents = 0;
	*next_token = NULL;
	const xml_node *list = xml_child(result, "StackEvents");
	size_t n = count_members(list);
	if (n) {
		*events = calloc(n, sizeof **events);
		if (!*events)
			return false;
	}
	for (const xml_node *m = xml_child(list, "member"); m && *nevents < n;
	     m = xml_next_same(m)) {
		cfn_event *e = &(*events)[*nevents];
		e->id = dup_text(m, "EventId");
		if (!e->id)
			continue; /* an event without an id cannot be deduplicated: skip it */
		(*nevents)++;
		e->stack_name = dup_text(m, "StackName");
		e->logical_id = dup_text(m, "LogicalResourceId");
		e->physical_id = dup_text(m, "PhysicalResourceId");
		e->resource_type = dup_text(m, "ResourceType");
		e->status = dup_text(m, "ResourceStatus");
		e->reason = dup_text(m, "ResourceStatusReason");
		e->client_request_token = dup_text(m, "ClientRequestToken");
		e->timestamp = cfn_parse_time(xml_path_text(m, "Timestamp"));
		if (!e->logical_id)
			e->logical_id = strdup("?");
		if (!e->resource_type)
			e->resource_type = strdup("?");
		if (!e->status)
			e->status = strdup("?");
		if (!e->logical_id || !e->resource_type || !e->status)
			return false;
	}
	*next_token = dup_text(result, "NextToken");
	return true;
}

bool cfn_event_tracker_init(cfn_event_tracker *t, const char *stack, time_t since)
{
	memset(t, 0, sizeof *t);
	t->stack = strdup(stack);
	t->since = since;
	return t->stack != NULL;
}

void cfn_event_tracker_free(cfn_event_tracker *t)
{
	for (size_t i = 0; i < t->nseen; i++)
		free(t->seen[i]);
	free(t->seen);
	free(t->stack);
	memset(t, 0, sizeof *t);
}

/* Binary search: the index where id is or would be. */
static size_t seen_index(const cfn_event_tracker *t, const char *id, bool *found)
{
	size_t lo = 0, hi = t->nseen;
	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(t->seen[mid], id);
		if (cmp == 0) {
			*found = true;
			return mid;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool cfn_event_tracker_seen(cfn_event_tracker *t, const char *id, bool mark)
{
	bool found;
	size_t at = seen_index(t, id, &found);
	if (found || !mark)
		return found;
	if (!VEC_RESERVE(t->seen, t->capseen, t->nseen + 1))
		return false;
	char *copy = strdup(id);
	if (!copy)
		return false;
	memmove(t->seen + at + 1, t->seen + at, (t->nseen - at) * sizeof *t->seen);
	t->seen[at] = copy;
	t->nseen++;
	return false;
}

bool cfn_poll_events(aws_client *c, cfn_event_tracker *t, cfn_event **events, size_t *nevents,
                     lms_error *err)
{
	*events = NULL;
	*nevents = 0;
	cfn_event *fresh = NULL; /* newest first while collecting */
	size_t nfresh = 0, capfresh = 0;
	char *token = NULL;
	bool ok = true, reached_known = false;
	size_t max_pages = t->max_pages ? t->max_pages : CFN_MAX_PAGES_DEFAULT;
	for (size_t page = 0; ok && !reached_known && page < max_pages; page++) {
		aws_params p;
		aws_params_init(&p, "DescribeStackEvents", CFN_VERSION);
		aws_params_add(&p, "StackName", t->stack);
		aws_params_add(&p, "NextToken", token);
		free(token);
		token = NULL;
		xml_doc *doc = NULL;
		aws_response resp;
		aws_response_init(&resp);
		ok = aws_query(c, "cloudformation", &p, &doc, &resp, err);
		aws_params_free(&p);
		if (!ok && is_missing_stack(&resp)) {
			/* no stack yet (or any more): no events */
			lms_error_clear(err);
			ok = true;
			aws_response_free(&resp);
			break;
		}
		aws_response_free(&resp);
		if (!ok)
			break;
		cfn_event *page_events = NULL;
		size_t npage = 0;
		if (!cfn_parse_events_page(aws_query_result(doc, "DescribeStackEvents"),
		                           &page_events, &npage, &token)) {
			ok = out_of_memory(err);
		}
		xml_free(doc);
		size_t i = 0;
		for (; ok && i < npage; i++) {
			cfn_event *e = &page_events[i];
			if (cfn_event_tracker_seen(t, e->id, false) ||
			    (t->since && e->timestamp && e->timestamp < t->since)) {
				reached_known = true;
				break;
			}
			if (!VEC_RESERVE(fresh, capfresh, nfresh + 1)) {
				ok = out_of_memory(err);
				break;
			}
			fresh[nfresh++] = *e;
			memset(e, 0, sizeof *e);
		}
		for (size_t k = 0; k < npage; k++)
			cfn_event_clear(&page_events[k]);
		free(page_events);
		if (!token)
			break;
	}
	free(token);
	if (!ok) {
		for (size_t i = 0; i < nfresh; i++)
			cfn_event_clear(&fresh[i]);
		free(fresh);
		return false;
	}
	/* oldest first, each marked seen */
	for (size_t i = 0; i < nfresh / 2; i++) {
		cfn_event tmp = fresh[i];
		fresh[i] = fresh[nfresh - 1 - i];
		fresh[nfresh - 1 - i] = tmp;
	}
	for (size_t i = 0; i < nfresh; i++) {
		cfn_event_tracker_seen(t, fresh[i].id, true);
		if (!cfn_event_tracker_seen(t, fresh[i].id, false)) {
			for (size_t k = 0; k < nfresh; k++)
				cfn_event_clear(&fresh[k]);
			free(fresh);
			return out_of_memory(err);
		}
	}
	*events = fresh;
	*nevents = nfresh;
	return true;
}

typedef struct resource_list {
	cfn_event *v;
	size_t n;
} resource_list;

static bool resources_page(const xml_node *result, void *ctx, char **next)
{
	resource_list *l = ctx;
	const xml_node *list = xml_child(result, "StackResourceSummaries");
	size_t more = count_members(list);
	if (more) {
		if (more > SIZE_MAX - l->n || !VEC_RESIZE(l->v, l->n + more))
			return false;
	}
	for (const xml_node *m = xml_child(list, "member"); m && more; m = xml_next_same(m)) {
		cfn_event *e = &l->v[l->n++];
		memset(e, 0, sizeof *e);
		more--;
		e->logical_id = dup_text(m, "LogicalResourceId");
		e->physical_id = dup_text(m, "PhysicalResourceId");
		e->resource_type = dup_text(m, "ResourceType");
		e->status = dup_text(m, "ResourceStatus");
		e->reason = dup_text(m, "ResourceStatusReason");
		e->timestamp = cfn_parse_time(xml_path_text(m, "LastUpdatedTimestamp"));
		if (!e->logical_id || !e->resource_type || !e->status) {
			/* an entry without its id or type (moto's for a type it does not model)
			 * names nothing: left out */
			cfn_event_clear(e);
			l->n--;
		}
	}
	*next = dup_text(result, "NextToken");
	return true;
}

bool cfn_list_stack_resources(aws_client *c, const char *stack, cfn_event **out, size_t *n,
                              lms_error *err)
{
	resource_list l = {0};
	bool ok = each_page(c, "ListStackResources", stack, NULL, NULL, CFN_MAX_PAGES_DEFAULT,
	                    resources_page, &l, err);
	if (!ok) {
		for (size_t i = 0; i < l.n; i++)
			cfn_event_clear(&l.v[i]);
		free(l.v);
		l = (resource_list){0};
	}
	*out = l.v;
	*n = l.n;
	return ok;
}

/* ---- stacks: delete, template, recovery --------------------------------------------------- */

bool cfn_delete_stack(aws_client *c, const char *stack, const char *role_arn,
                      const char *client_request_token, lms_error *err)
{
	aws_params p;
	aws_params_init(&p, "DeleteStack", CFN_VERSION);
	aws_params_add(&p, "StackName", stack);
	aws_params_add(&p, "RoleARN", role_arn);
	aws_params_add(&p, "ClientRequestToken", client_request_token);
	return simple_call(c, &p, err);
}

bool cfn_update_termination_protection(aws_client *c, const char *stack, bool enable,
                                       lms_error *err)
{
	aws_params p;
	aws_params_init(&p, "UpdateTerminationProtection", CFN_VERSION);
	aws_params_add(&p, "EnableTerminationProtection", enable ? "true" : "false");
	aws_params_add(&p, "StackName", stack);
	return simple_call(c, &p, err);
}

bool cfn_describe_stack_resource(aws_client *c, const char *stack, const char *logical_id,
                                 char **physical_id, lms_error *err)
{
	*physical_id = NULL;
	aws_params p;
	aws_params_init(&p, "DescribeStackResource", CFN_VERSION);
	aws_params_add(&p, "StackName", stack);
	aws_params_add(&p, "LogicalResourceId", logical_id);
	xml_doc *doc = NULL;
	aws_response resp;
	aws_response_init(&resp);
	bool ok = aws_query(c, "cloudformation", &p, &doc, &resp, err);
	aws_params_free(&p);
	if (!ok) {
		bool missing = resp.error_code && strcmp(resp.error_code, "ValidationError") == 0;
		aws_response_free(&resp);
		if (missing)
			lms_error_clear(err);
		return missing;
	}
	aws_response_free(&resp);
	*physical_id = dup_text(aws_query_result(doc, "DescribeStackResource"),
	                        "StackResourceDetail/PhysicalResourceId");
	xml_free(doc);
	return true;
}

bool cfn_get_template(aws_client *c, const char *stack, buf *out, lms_error *err)
{
	aws_params p;
	aws_params_init(&p, "GetTemplate", CFN_VERSION);
	aws_params_add(&p, "StackName", stack);
	aws_params_add(&p, "TemplateStage", "Original");
	xml_doc *doc = NULL;
	bool ok = aws_query(c, "cloudformation", &p, &doc, NULL, err);
	aws_params_free(&p);
	if (!ok)
		return false;
	const xml_node *body = xml_child(aws_query_result(doc, "GetTemplate"), "TemplateBody");
	if (!body) {
		lms_error_set(err, NULL, 0, 0,
		              "CloudFormation GetTemplate: the answer has no TemplateBody");
		ok = false;
	} else if (!buf_add(out, body->text, body->text_len)) {
		ok = out_of_memory(err);
	}
	xml_free(doc);
	return ok;
}

bool cfn_cancel_update_stack(aws_client *c, const char *stack, const char *client_request_token,
                             lms_error *err)
{
	aws_params p;
	aws_params_init(&p, "CancelUpdateStack", CFN_VERSION);
	aws_params_add(&p, "StackName", stack);
	aws_params_add(&p, "ClientRequestToken", client_request_token);
	return simple_call(c, &p, err);
}

bool cfn_continue_update_rollback(aws_client *c, const char *stack, const char *role_arn,
                                  const char *client_request_token, lms_error *err)
{
	aws_params p;
	aws_params_init(&p, "ContinueUpdateRollback", CFN_VERSION);
	aws_params_add(&p, "StackName", stack);
	aws_params_add(&p, "RoleARN", role_arn);
	aws_params_add(&p, "ClientRequestToken", client_request_token);
	return simple_call(c, &p, err);
}

/* ---- drift --------------------------------------------------------------------------------- */

/* An action the endpoint does not implement (moto answers a 500 HTML page for the drift
 * calls), as opposed to one it failed. */
static void call_status(const aws_response *r, cfn_call_status *st)
{
	static const char *const codes[] = {"InvalidAction", "NotImplemented",
	                                    "UnknownOperationException", "UnknownOperation"};
	st->http_status = r->status;
	st->unsupported = r->status == 501;
	for (size_t i = 0; r->error_code && i < sizeof codes / sizeof codes[0]; i++)
		st->unsupported |= strcmp(r->error_code, codes[i]) == 0;
	/* a server error that is no AWS answer: an emulator without the action */
	st->unsupported |= r->status >= 500 && !r->error_code && !r->timed_out && r->content_type &&
	                   strstr(r->content_type, "html") != NULL;
}

/* One drift call: aws_query, with what came back judged. */
static bool drift_query(aws_client *c, const aws_params *p, xml_doc **doc, cfn_call_status *st,
                        lms_error *err)
{
	aws_response resp;
	aws_response_init(&resp);
	bool ok = aws_query(c, "cloudformation", p, doc, &resp, err);
	cfn_call_status ignored;
	call_status(&resp, st ? st : &ignored);
	aws_response_free(&resp);
	return ok;
}

bool cfn_detect_stack_drift(aws_client *c, const char *stack, char **detection_id,
                            cfn_call_status *st, lms_error *err)
{
	*detection_id = NULL;
	aws_params p;
	aws_params_init(&p, "DetectStackDrift", CFN_VERSION);
	aws_params_add(&p, "StackName", stack);
	xml_doc *doc = NULL;
	bool ok = drift_query(c, &p, &doc, st, err);
	aws_params_free(&p);
	if (ok) {
		*detection_id =
		    dup_text(aws_query_result(doc, "DetectStackDrift"), "StackDriftDetectionId");
		if (!*detection_id) {
			lms_error_set(err, NULL, 0, 0,
			              "CloudFormation DetectStackDrift: the answer has no "
			              "StackDriftDetectionId");
			ok = false;
		}
	}
	xml_free(doc);
	return ok;
}

void cfn_drift_status_clear(cfn_drift_status *s)
{
	free(s->detection_id);
	free(s->stack_id);
	free(s->detection_status);
	free(s->drift_status);
	free(s->reason);
	memset(s, 0, sizeof *s);
	s->drifted = -1;
}

bool cfn_parse_drift_status(const xml_node *result, cfn_drift_status *out)
{
	memset(out, 0, sizeof *out);
	out->detection_id = dup_text(result, "StackDriftDetectionId");
	out->stack_id = dup_text(result, "StackId");
	out->detection_status = dup_text(result, "DetectionStatus");
	out->drift_status = dup_text(result, "StackDriftStatus");
	out->reason = dup_text(result, "DetectionStatusReason");
	const char *count = xml_path_text(result, "DriftedStackResourceCount");
	long n = -1;
	out->drifted = count && lms_parse_long(count, 0, 1000000L, &n) ? n : -1;
	if (!out->detection_status)
		out->detection_status = strdup("?");
	return out->detection_status != NULL;
}

bool cfn_describe_drift_status(aws_client *c, const char *detection_id, cfn_drift_status *out,
                               cfn_call_status *st, lms_error *err)
{
	memset(out, 0, sizeof *out);
	out->drifted = -1;
	aws_params p;
	aws_params_init(&p, "DescribeStackDriftDetectionStatus", CFN_VERSION);
	aws_params_add(&p, "StackDriftDetectionId", detection_id);
	xml_doc *doc = NULL;
	bool ok = drift_query(c, &p, &doc, st, err);
	aws_params_free(&p);
	if (ok && !cfn_parse_drift_status(
	              aws_query_result(doc, "DescribeStackDriftDetectionStatus"), out))
		ok = out_of_memory(err);
	xml_free(doc);
	return ok;
}

void cfn_resource_drifts_free(cfn_resource_drift *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].logical_id);
		free(v[i].physical_id);
		free(v[i].resource_type);
		free(v[i].status);
		for (size_t j = 0; j < v[i].ndiffs; j++) {
			free(v[i].diffs[j].path);
			free(v[i].diffs[j].expected);
			free(v[i].diffs[j].actual);
			free(v[i].diffs[j].type);
		}
		free(v[i].diffs);
	}
	free(v);
}

static bool parse_differences(const xml_node *m, cfn_resource_drift *r)
{
	const xml_node *list = xml_child(m, "PropertyDifferences");
	size_t n = count_members(list);
	if (!n)
		return true;
	r->diffs = calloc(n, sizeof *r->diffs);
	if (!r->diffs)
		return false;
	for (const xml_node *d = xml_child(list, "member"); d && r->ndiffs < n;
	     d = xml_next_same(d)) {
		cfn_property_difference *x = &r->diffs[r->ndiffs++];
		x->path = dup_text(d, "PropertyPath");
		x->expected = dup_text(d, "ExpectedValue");
		x->actual = dup_text(d, "ActualValue");
		x->type = dup_text(d, "DifferenceType");
		if (!x->path)
			x->path = strdup("?");
		if (!x->type)
			x->type = strdup("NOT_EQUAL");
		if (!x->path || !x->type)
			return false;
	}
	return true;
}

bool cfn_parse_resource_drifts_page(const xml_node *result, cfn_resource_drift **v, size_t *n,
                                    char **next_token)
{
	*next_token = NULL;
	const xml_node *list = xml_child(result, "StackResourceDrifts");
	size_t add = count_members(list);
	if (add && !VEC_RESIZE(*v, *n + add))
		return false;
	for (const xml_node *m = xml_child(list, "member"); m && add; m = xml_next_same(m), add--) {
		cfn_resource_drift *r = &(*v)[*n];
		memset(r, 0, sizeof *r);
		(*n)++;
		r->logical_id = dup_text(m, "LogicalResourceId");
		r->physical_id = dup_text(m, "PhysicalResourceId");
		r->resource_type = dup_text(m, "ResourceType");
		r->status = dup_text(m, "StackResourceDriftStatus");
		if (!r->logical_id)
			r->logical_id = strdup("?");
		if (!r->resource_type)
			r->resource_type = strdup("?");
		if (!r->status)
			r->status = strdup("?");
		if (!r->logical_id || !r->resource_type || !r->status || !parse_differences(m, r))
			return false;
	}
	*next_token = dup_text(result, "NextToken");
	return true;
}

bool cfn_describe_resource_drifts(aws_client *c, const char *stack, cfn_resource_drift **out,
                                  size_t *n, cfn_call_status *st, lms_error *err)
{
	*out = NULL;
	*n = 0;
	char *token = NULL;
	bool ok = true;
	for (int page = 0; ok && page < CFN_MAX_PAGES_DEFAULT; page++) {
		aws_params p;
		aws_params_init(&p, "DescribeStackResourceDrifts", CFN_VERSION);
		aws_params_add(&p, "StackName", stack);
		aws_params_add(&p, "NextToken", token);
		free(token);
		token = NULL;
		xml_doc *doc = NULL;
		ok = drift_query(c, &p, &doc, st, err);
		aws_params_free(&p);
		if (ok && !cfn_parse_resource_drifts_page(
		              aws_query_result(doc, "DescribeStackResourceDrifts"), out, n, &token))
			ok = out_of_memory(err);
		xml_free(doc);
		if (!token)
			break;
	}
	free(token);
	if (!ok) {
		cfn_resource_drifts_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return ok;
}
