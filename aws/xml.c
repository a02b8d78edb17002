#include "aws/xml.h"

#include "common/vec.h"

#include <expat.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct xml_doc {
	xml_node *root;
};

typedef struct parse_state {
	XML_Parser parser;
	xml_doc *doc;
	xml_node *current;
	size_t depth;
	buf text;        /* character data of the current element */
	const char *why; /* set when the parse is stopped on purpose */
	bool oom;
} parse_state;

static void node_free(xml_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->name);
	free(n->text);
	free(n);
}

void xml_free(xml_doc *doc)
{
	if (!doc)
		return;
	node_free(doc->root);
	free(doc);
}

const xml_node *xml_root(const xml_doc *doc)
{
	return doc ? doc->root : NULL;
}

static void stop(parse_state *st, const char *why)
{
	if (!st->why)
		st->why = why;
	XML_StopParser(st->parser, XML_FALSE);
}

static const char *local_name(const char *name)
{
	const char *colon = strrchr(name, ':');
	return colon ? colon + 1 : name;
}

/* Moves the collected character data into the element it belongs to. */
static bool flush_text(parse_state *st)
{
	if (!st->current || st->text.len == 0)
		return true;
	if (st->text.failed)
		return false;
	xml_node *n = st->current;
	size_t total = n->text_len + st->text.len;
	char *p = realloc(n->text, total + 1);
	if (!p)
		return false;
	memcpy(p + n->text_len, st->text.data, st->text.len);
	p[total] = '\0';
	n->text = p;
	n->text_len = total;
	buf_reset(&st->text);
	return true;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	(void)attrs;
	parse_state *st = ud;
	if (!flush_text(st)) {
		st->oom = true;
		stop(st, "out of memory");
		return;
	}
	if (++st->depth > XML_MAX_DEPTH) {
		stop(st, "elements nested too deep");
		return;
	}
	xml_node *n = calloc(1, sizeof *n);
	if (n) {
		n->name = strdup(local_name(name));
		n->text = calloc(1, 1);
	}
	if (!n || !n->name || !n->text) {
		node_free(n);
		st->oom = true;
		stop(st, "out of memory");
		return;
	}
	if (st->current) {
		xml_node *parent = st->current;
		/* an array of pointers: the size of a pointer, on purpose */
		// NOLINTNEXTLINE(bugprone-sizeof-expression)
		if (!VEC_RESERVE(parent->kids, parent->cap, parent->n + 1)) {
			node_free(n);
			st->oom = true;
			stop(st, "out of memory");
			return;
		}
		parent->kids[parent->n++] = n;
		n->parent = parent;
	} else {
		st->doc->root = n;
	}
	st->current = n;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	(void)name;
	parse_state *st = ud;
	if (!flush_text(st)) {
		st->oom = true;
		stop(st, "out of memory");
		return;
	}
	st->depth--;
	if (st->current)
		st->current = st->current->parent;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	parse_state *st = ud;
	if (st->current && len > 0 && !buf_add(&st->text, s, (size_t)len)) {
		st->oom = true;
		stop(st, "out of memory");
	}
}

/* AWS never sends a document type declaration; refusing it refuses every entity
 * declaration, internal (entity expansion bombs) and external (file and network reads). */
static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	stop(ud, "a document type declaration is not accepted");
}

static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int is_param,
                                   const XML_Char *value, int value_len, const XML_Char *base,
                                   const XML_Char *sysid, const XML_Char *pubid,
                                   const XML_Char *notation)
{
	(void)name;
	(void)is_param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	stop(ud, "an entity declaration is not accepted");
}

xml_doc *xml_parse(const char *data, size_t len, size_t max_bytes, lms_error *err)
{
	if (!max_bytes)
		max_bytes = XML_DEFAULT_MAX_BYTES;
	if (len > max_bytes || len > (size_t)INT32_MAX) {
		lms_error_set(err, NULL, 0, 0, "XML: the response is larger than %zu bytes",
		              max_bytes);
		return NULL;
	}
	parse_state st = {0};
	st.doc = calloc(1, sizeof *st.doc);
	st.parser = XML_ParserCreate("UTF-8");
	if (!st.doc || !st.parser) {
		free(st.doc);
		if (st.parser)
			XML_ParserFree(st.parser);
		lms_error_set(err, NULL, 0, 0, "XML: out of memory");
		return NULL;
	}
	buf_init(&st.text, max_bytes);
	XML_SetUserData(st.parser, &st);
	XML_SetElementHandler(st.parser, on_start, on_end);
	XML_SetCharacterDataHandler(st.parser, on_text);
	XML_SetStartDoctypeDeclHandler(st.parser, on_doctype);
	XML_SetEntityDeclHandler(st.parser, on_entity_decl);
	XML_SetParamEntityParsing(st.parser, XML_PARAM_ENTITY_PARSING_NEVER);

	enum XML_Status status = XML_Parse(st.parser, data ? data : "", (int)len, XML_TRUE);
	bool ok = status == XML_STATUS_OK && !st.why && st.doc->root;
	if (!ok) {
		unsigned long line = (unsigned long)XML_GetCurrentLineNumber(st.parser);
		const char *what = st.why;
		if (!what && status != XML_STATUS_OK)
			what = XML_ErrorString(XML_GetErrorCode(st.parser));
		if (!what)
			what = "no root element";
		lms_error_set(err, NULL, 0, 0, "XML: line %lu: %s", line, what);
		xml_free(st.doc);
		st.doc = NULL;
	}
	buf_free(&st.text);
	XML_ParserFree(st.parser);
	return st.doc;
}

const xml_node *xml_child(const xml_node *node, const char *name)
{
	if (!node)
		return NULL;
	for (size_t i = 0; i < node->n; i++)
		if (strcmp(node->kids[i]->name, name) == 0)
			return node->kids[i];
	return NULL;
}

const xml_node *xml_path(const xml_node *node, const char *path)
{
	const char *p = path;
	while (node && *p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		const xml_node *found = NULL;
		for (size_t i = 0; i < node->n && !found; i++)
			if (strlen(node->kids[i]->name) == n &&
			    memcmp(node->kids[i]->name, p, n) == 0)
				found = node->kids[i];
		node = found;
		p += n;
		if (*p == '/')
			p++;
	}
	return node;
}

const char *xml_path_text(const xml_node *node, const char *path)
{
	const xml_node *n = xml_path(node, path);
	return n ? n->text : NULL;
}

char *xml_path_dup(const xml_node *node, const char *path)
{
	const char *t = xml_path_text(node, path);
	return t ? strdup(t) : NULL;
}

const xml_node *xml_next_same(const xml_node *node)
{
	if (!node || !node->parent)
		return NULL;
	const xml_node *p = node->parent;
	size_t i = 0;
	while (i < p->n && p->kids[i] != node)
		i++;
	for (i++; i < p->n; i++)
		if (strcmp(p->kids[i]->name, node->name) == 0)
			return p->kids[i];
	return NULL;
}

static void add_text(buf *out, const char *s)
{
	if (out && s)
		buf_adds(out, s);
}

bool xml_aws_error(const char *data, size_t len, buf *code, buf *message, buf *request_id)
{
	xml_doc *doc = xml_parse(data, len, (size_t)1024 * 1024, NULL);
	if (!doc)
		return false;
	const xml_node *root = xml_root(doc);
	const xml_node *error = NULL;
	const char *rid = NULL;
	if (strcmp(root->name, "Error") == 0) {
		error = root;
		rid = xml_path_text(root, "RequestId");
	} else if (strcmp(root->name, "ErrorResponse") == 0 ||
	           strcmp(root->name, "Response") == 0) {
		/* <Error> directly below, or inside <Errors> (EC2, and moto's IAM checks) */
		error = xml_child(root, "Error");
		if (!error)
			error = xml_path(root, "Errors/Error");
		rid = xml_path_text(root, "RequestId");
		if (!rid)
			rid = xml_path_text(root, "RequestID");
	}
	const char *c = error ? xml_path_text(error, "Code") : NULL;
	bool found = c && c[0];
	if (found) {
		add_text(code, c);
		add_text(message, xml_path_text(error, "Message"));
		add_text(request_id, rid);
	}
	xml_free(doc);
	return found;
}
