#include "model/ydoc.h"

#include "common/str.h"

#include "common/buf.h"
#include "common/file.h"
#include "common/vec.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

/* Deepest nesting we accept: far beyond any template, low enough that a
 * hostile file cannot exhaust the stack of the recursive free and walkers. */
#define YDOC_MAX_DEPTH 256

typedef struct walker {
	const char *text;
	size_t len;
	size_t char_index; /* character index of `byte` */
	size_t byte;
} walker;

/* Converts libyaml's character index to a byte offset by walking UTF-8
 * sequences forward from the last position asked for (marks arrive almost
 * in order, so the walk is linear over the document). */
static size_t walker_offset(walker *w, size_t index)
{
	if (index < w->char_index) {
		w->char_index = 0;
		w->byte = (w->len >= 3 && memcmp(w->text, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
	}
	while (w->char_index < index && w->byte < w->len) {
		/* eight ASCII bytes are eight characters: most of a template is ASCII */
		if (index - w->char_index >= 8 && w->len - w->byte >= 8) {
			uint64_t v;
			memcpy(&v, w->text + w->byte, 8);
			if (!(v & UINT64_C(0x8080808080808080))) {
				w->byte += 8;
				w->char_index += 8;
				continue;
			}
		}
		unsigned char c = (unsigned char)w->text[w->byte];
		size_t width = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
		w->byte += width;
		if (w->byte > w->len)
			w->byte = w->len;
		w->char_index++;
	}
	return w->byte;
}

static ypos make_pos(walker *w, yaml_mark_t m)
{
	ypos p = {m.line + 1, m.column + 1, walker_offset(w, m.index)};
	return p;
}

/* Every node, string and child array of a document lives in one arena,
 * freed at once: a template is thousands of small nodes, and allocating
 * and freeing them one by one was a quarter of `lmsctl generate`'s time. */
typedef struct arena_block {
	struct arena_block *next;
	size_t used, size;
	max_align_t data[]; /* aligned for any node */
} arena_block;

struct ydoc_arena {
	arena_block *head;
};

#define ARENA_BLOCK_BYTES ((size_t)64 * 1024)

static void *arena_alloc(struct ydoc_arena *a, size_t size)
{
	size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	arena_block *blk = a->head;
	if (!blk || blk->size - blk->used < size) {
		size_t bytes = size > ARENA_BLOCK_BYTES ? size : ARENA_BLOCK_BYTES;
		blk = malloc(sizeof(*blk) + bytes);
		if (!blk)
			return NULL;
		blk->next = a->head;
		blk->used = 0;
		blk->size = bytes;
		a->head = blk;
	}
	void *p = (char *)blk->data + blk->used;
	blk->used += size;
	return p;
}

static void arena_free(struct ydoc_arena *a)
{
	if (!a)
		return;
	while (a->head) {
		arena_block *next = a->head->next;
		free(a->head);
		a->head = next;
	}
	free(a);
}

void ydoc_free(ydoc *doc)
{
	if (!doc)
		return;
	arena_free(doc->arena);
	free(doc->path);
	free(doc->text);
	free(doc);
}

typedef struct builder {
	yaml_parser_t parser;
	walker w;
	const char *path;
	lms_error *err;
	struct ydoc_arena *arena;
	/* children of the collections being built, innermost last */
	ynode **stack;
	size_t sp, cap;
} builder;

static void fail_at(builder *b, yaml_mark_t m, const char *msg)
{
	lms_error_set(b->err, b->path, m.line + 1, m.column + 1, "%s", msg);
}

static char *arena_strndup(builder *b, const char *s, size_t len)
{
	char *p = arena_alloc(b->arena, len + 1);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/* libyaml resolves "!Ref" to the local tag "!Ref"; the core schema's
 * explicit tags ("!!str") arrive as "tag:yaml.org,2002:str". */
static bool set_tag(builder *b, ynode *n, const yaml_char_t *tag)
{
	if (!tag)
		return true;
	n->tag = arena_strndup(b, (const char *)tag, strlen((const char *)tag));
	return n->tag != NULL;
}

static ynode *new_node(builder *b, ynode_kind kind)
{
	ynode *n = arena_alloc(b->arena, sizeof(*n));
	if (n) {
		memset(n, 0, sizeof(*n));
		n->kind = kind;
	}
	return n;
}

static bool push(builder *b, ynode *kid)
{
	/* an array of pointers: the size of a pointer, on purpose */
	// NOLINTNEXTLINE(bugprone-sizeof-expression)
	if (!VEC_RESERVE(b->stack, b->cap, b->sp + 1))
		return false;
	b->stack[b->sp++] = kid;
	return true;
}

/* libyaml's reader reports a byte offset (of the text after a BOM) and leaves the mark at
 * 0:0: the line and column (in code points, as every other position) of that byte. */
static void reader_error(builder *b)
{
	const char *text = b->w.text;
	size_t len = b->w.len;
	size_t bom = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	size_t at = bom + b->parser.problem_offset;
	bool utf8 = b->parser.problem && strstr(b->parser.problem, "UTF-8");
	if (utf8) /* the start of the first sequence that is not UTF-8, not where libyaml
	           * noticed (a bad trailing byte) */
		at = lms_utf8_invalid(text, len);
	if (at > len)
		at = len;
	size_t line = 1, line_start = bom;
	for (size_t i = bom; i < at; i++)
		if (text[i] == '\n') {
			line++;
			line_start = i + 1;
		}
	size_t col = 1;
	for (size_t i = line_start; i < at; i++)
		col += ((unsigned char)text[i] & 0xC0) != 0x80;
	if (utf8 && at < len)
		lms_error_set(b->err, b->path, line, col,
		              "not UTF-8: byte 0x%02x here (save the file as UTF-8)",
		              (unsigned char)text[at]);
	else
		lms_error_set(b->err, b->path, line, col, "%s",
		              b->parser.problem ? b->parser.problem : "unreadable text");
}

static bool next_event(builder *b, yaml_event_t *ev)
{
	if (yaml_parser_parse(&b->parser, ev))
		return true;
	if (b->parser.error == YAML_READER_ERROR) {
		reader_error(b);
		return false;
	}
	const char *problem = b->parser.problem ? b->parser.problem : "malformed YAML";
	yaml_mark_t m = b->parser.problem_mark;
	if (b->parser.context) {
		lms_error_set(b->err, b->path, m.line + 1, m.column + 1, "%s %s", b->parser.context,
		              problem);
	} else {
		lms_error_set(b->err, b->path, m.line + 1, m.column + 1, "%s", problem);
	}
	return false;
}

static ynode *build_node(builder *b, yaml_event_t *ev, int depth);

static ynode *build_collection(builder *b, yaml_event_t *start_ev, int depth)
{
	bool is_map = start_ev->type == YAML_MAPPING_START_EVENT;
	ynode *n = new_node(b, is_map ? YNODE_MAP : YNODE_SEQ);
	bool tagged = n && set_tag(b, n,
	                           is_map ? start_ev->data.mapping_start.tag
	                                  : start_ev->data.sequence_start.tag);
	if (!n || !tagged) {
		fail_at(b, start_ev->start_mark, "out of memory");
		return NULL;
	}
	n->start = make_pos(&b->w, start_ev->start_mark);
	if (is_map)
		n->style = start_ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
		               ? YSTYLE_FLOW
		               : YSTYLE_BLOCK;
	else
		n->style = start_ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
		               ? YSTYLE_FLOW
		               : YSTYLE_BLOCK;
	size_t base = b->sp;
	for (;;) {
		yaml_event_t ev;
		if (!next_event(b, &ev))
			goto fail;
		if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
			n->end = make_pos(&b->w, ev.end_mark);
			yaml_event_delete(&ev);
			break;
		}
		ynode *kid = build_node(b, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (!kid)
			goto fail;
		size_t count = b->sp - base;
		if (is_map && count % 2 == 0) {
			/* a key: refuse duplicates, which YAML forbids and
			 * CloudFormation would silently collapse */
			for (size_t i = 0; i < count; i += 2) {
				const ynode *k = b->stack[base + i];
				if (k->kind == YNODE_SCALAR && kid->kind == YNODE_SCALAR &&
				    k->len == kid->len && memcmp(k->str, kid->str, k->len) == 0) {
					lms_error_set(
					    b->err, b->path, kid->start.line, kid->start.col,
					    "duplicate key '%s' (first defined on line %zu)",
					    kid->str, k->start.line);
					goto fail;
				}
			}
		}
		if (!push(b, kid)) {
			lms_error_set(b->err, b->path, 0, 0, "out of memory");
			goto fail;
		}
	}
	size_t count = b->sp - base;
	if (count) {
		n->kids = arena_alloc(b->arena, count * sizeof(ynode *));
		if (!n->kids) {
			lms_error_set(b->err, b->path, 0, 0, "out of memory");
			goto fail;
		}
		memcpy(n->kids, b->stack + base, count * sizeof(ynode *));
	}
	b->sp = base;
	n->n = is_map ? count / 2 : count;
	return n;
fail:
	/* the nodes stay in the arena, freed with the document */
	b->sp = base;
	return NULL;
}

static ynode *build_node(builder *b, yaml_event_t *ev, int depth)
{
	if (depth > YDOC_MAX_DEPTH) {
		fail_at(b, ev->start_mark, "nesting deeper than lmsctl accepts");
		return NULL;
	}
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		fail_at(b, ev->start_mark, "aliases (*name) are not supported");
		return NULL;
	case YAML_SCALAR_EVENT: {
		if (ev->data.scalar.anchor) {
			fail_at(b, ev->start_mark, "anchors (&name) are not supported");
			return NULL;
		}
		ynode *n = new_node(b, YNODE_SCALAR);
		if (!n || !set_tag(b, n, ev->data.scalar.tag)) {
			fail_at(b, ev->start_mark, "out of memory");
			return NULL;
		}
		n->len = ev->data.scalar.length;
		n->str = arena_strndup(b, (const char *)ev->data.scalar.value, n->len);
		if (!n->str) {
			fail_at(b, ev->start_mark, "out of memory");
			return NULL;
		}
		switch (ev->data.scalar.style) {
		case YAML_SINGLE_QUOTED_SCALAR_STYLE:
			n->style = YSTYLE_SINGLE;
			break;
		case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
			n->style = YSTYLE_DOUBLE;
			break;
		case YAML_LITERAL_SCALAR_STYLE:
			n->style = YSTYLE_LITERAL;
			break;
		case YAML_FOLDED_SCALAR_STYLE:
			n->style = YSTYLE_FOLDED;
			break;
		default:
			n->style = YSTYLE_PLAIN;
			break;
		}
		n->start = make_pos(&b->w, ev->start_mark);
		n->end = make_pos(&b->w, ev->end_mark);
		return n;
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		const yaml_char_t *anchor = ev->type == YAML_SEQUENCE_START_EVENT
		                                ? ev->data.sequence_start.anchor
		                                : ev->data.mapping_start.anchor;
		if (anchor) {
			fail_at(b, ev->start_mark, "anchors (&name) are not supported");
			return NULL;
		}
		return build_collection(b, ev, depth);
	}
	default:
		fail_at(b, ev->start_mark, "unexpected YAML event");
		return NULL;
	}
}

/* Whether the text has a line break other than \n and \r\n (below); memchr is
 * vectorised, so only the bytes that can start one are looked at. */
static bool has_other_line_break(const char *text, size_t len)
{
	const char *end = text + len;
	for (const char *p = text; (p = memchr(p, '\r', (size_t)(end - p))) != NULL; p++)
		if (end - p < 2 || p[1] != '\n')
			return true;
	for (const char *p = text; (p = memchr(p, 0xC2, (size_t)(end - p))) != NULL; p++)
		if (end - p >= 2 && (unsigned char)p[1] == 0x85)
			return true;
	for (const char *p = text; (p = memchr(p, 0xE2, (size_t)(end - p))) != NULL; p++)
		if (end - p >= 3 && (unsigned char)p[1] == 0x80 &&
		    ((unsigned char)p[2] == 0xA8 || (unsigned char)p[2] == 0xA9))
			return true;
	return false;
}

/* libyaml ends a line at a lone \r, NEL (U+0085), LS (U+2028) and PS
 * (U+2029) as well as at \n and \r\n, but every byte offset derived from a
 * line number (ydoc_line_offset, and the splicing built on it) counts \n:
 * text with the others would be spliced in the wrong place, so it is
 * refused. Returns the first one's 1-based line (0 if none) and its column. */
static size_t find_other_line_break(const char *text, size_t len, size_t *col, const char **what)
{
	*what = NULL;
	if (!has_other_line_break(text, len))
		return 0;
	size_t line = 1, chars = 0;
	for (size_t i = 0; i < len; i++) {
		const unsigned char *p = (const unsigned char *)text + i;
		size_t rest = len - i;
		*what = NULL;
		if (p[0] == '\r' && (rest < 2 || p[1] != '\n'))
			*what = "a carriage return without a line feed";
		else if (rest >= 2 && p[0] == 0xC2 && p[1] == 0x85)
			*what = "U+0085 (next line)";
		else if (rest >= 3 && p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xA8)
			*what = "U+2028 (line separator)";
		else if (rest >= 3 && p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xA9)
			*what = "U+2029 (paragraph separator)";
		if (*what) {
			*col = chars + 1;
			return line;
		}
		if (p[0] == '\n') {
			line++;
			chars = 0;
		} else if ((p[0] & 0xC0) != 0x80) {
			chars++;
		}
	}
	return 0;
}

/* ydoc_parse of a text the document takes over: malloc'd, len + 1 bytes, NUL-terminated
 * (freed here on failure). */
static ydoc *parse_owned(const char *path, char *owned, size_t len, lms_error *err)
{
	ydoc *doc = calloc(1, sizeof(*doc));
	if (!doc) {
		free(owned);
		lms_error_set(err, path, 0, 0, "out of memory");
		return NULL;
	}
	doc->path = strdup(path ? path : "<input>");
	doc->text = owned;
	if (!doc->path || !doc->text) {
		ydoc_free(doc);
		lms_error_set(err, path, 0, 0, "out of memory");
		return NULL;
	}
	doc->len = len;
	const char *text = doc->text;
	if (memchr(text, '\0', len)) {
		lms_error_set(err, path, 0, 0, "contains a NUL byte: not a text file");
		ydoc_free(doc);
		return NULL;
	}
	size_t break_col;
	const char *break_what;
	size_t break_line = find_other_line_break(text, len, &break_col, &break_what);
	if (break_line) {
		lms_error_set(err, path, break_line, break_col,
		              "%s: lines must end in \\n or \\r\\n (write it as an escape in a "
		              "double-quoted value)",
		              break_what);
		ydoc_free(doc);
		return NULL;
	}

	doc->arena = calloc(1, sizeof(*doc->arena));
	if (!doc->arena) {
		lms_error_set(err, path, 0, 0, "out of memory");
		ydoc_free(doc);
		return NULL;
	}
	builder b = {.path = doc->path, .err = err, .arena = doc->arena};
	b.w.text = doc->text;
	b.w.len = len;
	/* libyaml is given the text after a BOM: with the encoding set it would
	 * skip the BOM as a character of line 1 (shifting that line's columns
	 * and breaking its indentation); its marks then count from byte 3 */
	size_t bom = (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
	b.w.byte = bom;
	if (!yaml_parser_initialize(&b.parser)) {
		lms_error_set(err, path, 0, 0, "out of memory");
		ydoc_free(doc);
		return NULL;
	}
	yaml_parser_set_input_string(&b.parser, (const unsigned char *)doc->text + bom, len - bom);
	yaml_parser_set_encoding(&b.parser, YAML_UTF8_ENCODING);

	bool ok = false;
	int docs = 0;
	for (;;) {
		yaml_event_t ev;
		if (!next_event(&b, &ev))
			break;
		yaml_event_type_t type = ev.type;
		if (type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			ok = true;
			break;
		}
		if (type == YAML_DOCUMENT_START_EVENT) {
			if (++docs > 1) {
				fail_at(&b, ev.start_mark,
				        "more than one YAML document (---) in the file");
				yaml_event_delete(&ev);
				break;
			}
		} else if (type != YAML_STREAM_START_EVENT && type != YAML_DOCUMENT_END_EVENT) {
			doc->root = build_node(&b, &ev, 0);
			yaml_event_delete(&ev);
			if (!doc->root)
				break;
			continue;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&b.parser);
	free(b.stack);
	if (!ok) {
		if (err && !err->msg)
			lms_error_set(err, path, 0, 0, "malformed YAML");
		ydoc_free(doc);
		return NULL;
	}
	return doc;
}

ydoc *ydoc_parse(const char *path, const char *text, size_t len, lms_error *err)
{
	char *copy = malloc(len + 1);
	if (!copy) {
		lms_error_set(err, path, 0, 0, "out of memory");
		return NULL;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	return parse_owned(path, copy, len, err);
}

ydoc *ydoc_load(const char *path, size_t max_bytes, lms_error *err)
{
	buf b;
	if (!file_read(path, max_bytes, &b, err)) {
		buf_free(&b);
		return NULL;
	}
	/* the document keeps the text it was read into: no second copy */
	size_t len = b.len;
	char *text = buf_take(&b);
	if (!text) {
		lms_error_set(err, path, 0, 0, "out of memory");
		return NULL;
	}
	return parse_owned(path, text, len, err);
}

const ynode *ynode_key(const ynode *map, size_t i)
{
	return map && map->kind == YNODE_MAP && i < map->n ? map->kids[2 * i] : NULL;
}

const ynode *ynode_val(const ynode *map, size_t i)
{
	return map && map->kind == YNODE_MAP && i < map->n ? map->kids[2 * i + 1] : NULL;
}

const ynode *ynode_get(const ynode *map, const char *key)
{
	if (!map || map->kind != YNODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++) {
		const ynode *k = map->kids[2 * i];
		if (k->kind == YNODE_SCALAR && strcmp(k->str, key) == 0)
			return map->kids[2 * i + 1];
	}
	return NULL;
}

const char *ynode_str(const ynode *node)
{
	return node && node->kind == YNODE_SCALAR && !node->tag ? node->str : NULL;
}

bool ynode_is_null(const ynode *node)
{
	if (!node)
		return true;
	if (node->kind != YNODE_SCALAR || node->tag || node->style != YSTYLE_PLAIN)
		return false;
	return node->len == 0 || strcmp(node->str, "~") == 0 || strcmp(node->str, "null") == 0 ||
	       strcmp(node->str, "Null") == 0 || strcmp(node->str, "NULL") == 0;
}

size_t ydoc_line_offset(const ydoc *doc, size_t line)
{
	size_t off = 0;
	for (size_t l = 1; l < line; l++) {
		const char *nl = memchr(doc->text + off, '\n', doc->len - off);
		if (!nl)
			return doc->len;
		off = (size_t)(nl - doc->text) + 1;
	}
	return off;
}
