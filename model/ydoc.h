/* ydoc: a YAML document as a tree whose every node knows where it stands in
 * the source text, in lines, columns and bytes.
 *
 * libyaml reports positions (marks) in characters, not bytes, and emits no
 * events for comments; the model and the assembler splice the original text
 * at node positions to keep comments and formatting, so every node carries a
 * byte offset rebuilt from libyaml's character index by a UTF-8 code-point
 * walk. CloudFormation short-form tags (`!Ref`, `!Sub`, ...) are kept on the
 * node. Anchors and aliases are refused (neither our model files nor the
 * templates use them, and CloudFormation does not accept them either). */
#ifndef LMSCTL_MODEL_YDOC_H
#define LMSCTL_MODEL_YDOC_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP } ynode_kind;

typedef enum {
	YSTYLE_PLAIN,
	YSTYLE_SINGLE,
	YSTYLE_DOUBLE,
	YSTYLE_LITERAL,
	YSTYLE_FOLDED,
	YSTYLE_BLOCK, /* block sequence or mapping */
	YSTYLE_FLOW,  /* flow sequence or mapping */
} ynode_style;

typedef struct ypos {
	size_t line;   /* 1-based */
	size_t col;    /* 1-based, in characters */
	size_t offset; /* 0-based, in bytes */
} ypos;

typedef struct ynode ynode;
struct ynode {
	ynode_kind kind;
	ynode_style style;
	char *tag;    /* "!Ref", "!Sub", ...; NULL when the node has none */
	char *str;    /* scalar value, NUL-terminated (may contain NULs; see len) */
	size_t len;   /* scalar length in bytes */
	size_t n;     /* number of items (sequence) or pairs (mapping) */
	ynode **kids; /* sequence: n items; mapping: 2n nodes, key then value */
	ypos start, end;
};

struct ydoc_arena;

typedef struct ydoc {
	char *path; /* as given, for messages */
	char *text; /* the source, NUL-terminated */
	size_t len;
	ynode *root;              /* NULL for an empty document */
	struct ydoc_arena *arena; /* owns every node and string of the tree */
} ydoc;

/* Parses `len` bytes of `text` (copied). Duplicate mapping keys are an error.
 * Returns NULL and fills `err` ("FILE:LINE:COL: message") on failure. */
ydoc *ydoc_parse(const char *path, const char *text, size_t len, lms_error *err);
/* Reads and parses a file; at most `max_bytes` are accepted. */
ydoc *ydoc_load(const char *path, size_t max_bytes, lms_error *err);
void ydoc_free(ydoc *doc);

/* Mapping helpers; NULL-safe: a NULL or non-mapping node has no keys. */
const ynode *ynode_get(const ynode *map, const char *key);
const ynode *ynode_key(const ynode *map, size_t i);
const ynode *ynode_val(const ynode *map, size_t i);
/* The scalar's string if `node` is an untagged scalar, else NULL. */
const char *ynode_str(const ynode *node);
bool ynode_is_null(const ynode *node);

/* Byte offset of the start of `line` (1-based) in `doc`; doc->len past the end. */
size_t ydoc_line_offset(const ydoc *doc, size_t line);

#endif
