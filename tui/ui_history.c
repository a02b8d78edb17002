#include "tui/ui_history.h"

#include "common/vec.h"

#include <stdlib.h>
#include <string.h>

/* The step being filled sits at steps[n] and is counted in n once
 * committed; every slot past the steps held is zeroed. */

void history_init(history *h)
{
	memset(h, 0, sizeof(*h));
}

static void step_free(hist_step *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].key);
		free(s->v[i].before);
		free(s->v[i].after);
	}
	free(s->v);
	free(s->label);
	memset(s, 0, sizeof(*s));
}

void history_free(history *h)
{
	for (size_t i = 0; i < h->n; i++)
		step_free(&h->steps[i]);
	history_abort(h); /* an open step sits at steps[n] */
	free(h->steps);
	memset(h, 0, sizeof(*h));
}

static char *dup_or_null(const char *s, bool *ok)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*ok = false;
	return d;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool history_begin(history *h, const char *label)
{
	for (size_t i = h->pos; i < h->n; i++)
		step_free(&h->steps[i]);
	h->n = h->pos;
	size_t limit = h->limit ? h->limit : 1000;
	if (h->n >= limit) {
		step_free(&h->steps[0]);
		memmove(h->steps, h->steps + 1, (h->n - 1) * sizeof(*h->steps));
		h->n--;
		h->pos = h->n;
		memset(&h->steps[h->n], 0, sizeof(*h->steps));
	}
	size_t old_cap = h->cap;
	if (!VEC_RESERVE(h->steps, h->cap, h->n + 1))
		return false;
	/* history_add looks at the next step's label: new steps start empty */
	memset(h->steps + old_cap, 0, (h->cap - old_cap) * sizeof(*h->steps));
	hist_step *s = &h->steps[h->n];
	memset(s, 0, sizeof(*s));
	s->label = strdup(label ? label : "edit");
	return s->label != NULL;
}

bool history_add(history *h, const char *key, const char *before, const char *after)
{
	if (!h->steps || h->n >= h->cap || !h->steps[h->n].label)
		return false;
	hist_step *s = &h->steps[h->n];
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->v[i].key, key) == 0) {
			bool ok = true;
			char *a = dup_or_null(after, &ok);
			if (!ok)
				return false;
			free(s->v[i].after);
			s->v[i].after = a;
			return true;
		}
	}
	if (!VEC_RESIZE(s->v, s->n + 1))
		return false;
	bool ok = true;
	hist_change c = {strdup(key), dup_or_null(before, &ok), dup_or_null(after, &ok)};
	if (!c.key || !ok) {
		free(c.key);
		free(c.before);
		free(c.after);
		return false;
	}
	s->v[s->n++] = c;
	return true;
}

bool history_commit(history *h)
{
	if (!h->steps || h->n >= h->cap || !h->steps[h->n].label)
		return false;
	hist_step *s = &h->steps[h->n];
	/* drop changes that came back to where they started */
	size_t kept = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (same(s->v[i].before, s->v[i].after)) {
			free(s->v[i].key);
			free(s->v[i].before);
			free(s->v[i].after);
			continue;
		}
		s->v[kept++] = s->v[i];
	}
	s->n = kept;
	if (kept == 0) {
		step_free(s);
		return false;
	}
	h->n++;
	h->pos = h->n;
	return true;
}

void history_abort(history *h)
{
	if (h->steps && h->n < h->cap && h->steps[h->n].label)
		step_free(&h->steps[h->n]);
}

const hist_step *history_undo(history *h)
{
	if (h->pos == 0)
		return NULL;
	return &h->steps[--h->pos];
}

const hist_step *history_redo(history *h)
{
	if (h->pos >= h->n)
		return NULL;
	return &h->steps[h->pos++];
}

bool history_can_undo(const history *h)
{
	return h->pos > 0;
}

bool history_can_redo(const history *h)
{
	return h->pos < h->n;
}
