/* ui_yaml: what the preview needs to know about a CloudFormation template's
 * text, without curses and without parsing it again: the line table, each
 * line's syntax classes for coloring, where each resource starts and ends
 * (for folding and jumping), and the lines that use a parameter (to follow
 * the selected field). Works on any text; a line it does not understand is
 * plain. */
#ifndef LMSCTL_TUI_UI_YAML_H
#define LMSCTL_TUI_UI_YAML_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
	YS_PLAIN,
	YS_KEY,
	YS_PUNCT, /* ':', '- ', flow brackets */
	YS_STRING,
	YS_NUMBER, /* numbers, booleans, null */
	YS_TAG,    /* !Ref, !Sub, ... */
	YS_COMMENT,
	YS_COUNT
} ysyn;

typedef struct yspan {
	ysyn syn;
	size_t from, to; /* byte offsets in the line */
} yspan;

/* Classifies one line (without its '\n'). Returns the number of spans,
 * filling at most `max`; spans cover the line in order. */
size_t yaml_spans(const char *line, size_t len, yspan *out, size_t max);

typedef struct tpl_resource {
	const char *id; /* points into the template text; id_len bytes */
	size_t id_len;
	size_t first, last; /* 0-based line range, inclusive */
	const char *type;   /* the Type: value, type_len bytes; NULL if not found */
	size_t type_len;
} tpl_resource;

typedef struct tpl_index {
	const char *text;
	size_t len;
	size_t *line_off; /* start offset of each line; nlines + 1 entries */
	size_t nlines;
	tpl_resource *res;
	size_t nres;
	size_t resources_line; /* the `Resources:` line, or (size_t)-1 */
} tpl_index;

/* Indexes `text` (which must outlive the index). False when out of memory. */
bool tpl_index_build(tpl_index *ix, const char *text, size_t len);
void tpl_index_free(tpl_index *ix);

/* The line `i` (0-based) without its newline. */
const char *tpl_line(const tpl_index *ix, size_t i, size_t *len);

/* The resource a line belongs to, or -1. */
long tpl_resource_at(const tpl_index *ix, size_t line);
/* The resource with logical id `id`, or -1. */
long tpl_resource_find(const tpl_index *ix, const char *id);

/* Whether the line uses parameter (or resource) `name`: `!Ref name`,
 * `Ref: name`, `${name}` or `${name.Attr}`, `!GetAtt name.X`, a condition's
 * `[!Ref name, ...]`, or defines it (`  name:` under Parameters or
 * Resources). */
bool tpl_line_uses(const char *line, size_t len, const char *name);

/* The next line at or after `from` (or before, when dir < 0) that uses
 * `name`, wrapping around; -1 when none. */
long tpl_find_use(const tpl_index *ix, const char *name, size_t from, int dir);

#endif
