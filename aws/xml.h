/* xml: the XML that AWS query and REST-XML APIs answer with, parsed by expat into a small
 * read-only tree, and the AWS error responses found in it.
 *
 * Only what AWS sends is accepted: a document without a document type declaration (so no
 * entity of any kind can be declared, internal or external, and no "billion laughs"), no
 * larger than the caller's cap, nested at most XML_MAX_DEPTH elements deep. Namespace
 * prefixes are dropped from element names ("ns:Code" is "Code"); attributes are ignored
 * (AWS responses carry none that matter). Character data is kept per element, concatenated,
 * untrimmed.
 *
 * The document owns every node and string; they live until xml_free(). No global state. */
#ifndef LMSCTL_AWS_XML_H
#define LMSCTL_AWS_XML_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/error.h"

#define XML_MAX_DEPTH 64
/* Largest document xml_parse accepts when the caller gives 0 as its cap: GetTemplate answers
 * with a template of up to 1 MB, escaped, in one element. */
#define XML_DEFAULT_MAX_BYTES ((size_t)16 * 1024 * 1024)

typedef struct xml_node xml_node;
struct xml_node {
	char *name; /* local name, prefix removed */
	char *text; /* character data directly inside this element, NUL-terminated, never NULL */
	size_t text_len;
	xml_node **kids; /* child elements in document order */
	size_t n;
	size_t cap;       /* kids allocated */
	xml_node *parent; /* NULL for the root */
};

typedef struct xml_doc xml_doc;

/* Parses `len` bytes. NULL and err ("XML: line L: what") when the text is not well-formed,
 * is larger than max_bytes (0: XML_DEFAULT_MAX_BYTES), nests too deep, declares a document
 * type, or when memory runs out. The error never quotes the document. */
xml_doc *xml_parse(const char *data, size_t len, size_t max_bytes, lms_error *err);
void xml_free(xml_doc *doc);
const xml_node *xml_root(const xml_doc *doc);

/* The first child element named `name`, or NULL (node may be NULL). */
const xml_node *xml_child(const xml_node *node, const char *name);
/* The element at a '/'-separated path of child names below node ("A/B/C"), first match at
 * each step, or NULL. */
const xml_node *xml_path(const xml_node *node, const char *path);
/* The text of xml_path(node, path), or NULL when the element is missing. */
const char *xml_path_text(const xml_node *node, const char *path);
/* The next sibling after `node` with the same name, or NULL: iterates "member" lists. */
const xml_node *xml_next_same(const xml_node *node);
/* A copy of the text at path (malloc'd), or NULL when missing or out of memory. */
char *xml_path_dup(const xml_node *node, const char *path);

/* An AWS error response, any of the forms AWS uses:
 *   <ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse> (query APIs)
 *   <Error><Code/><Message/><RequestId/></Error> (S3)
 *   <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response> (EC2)
 *   <ErrorResponse><Errors><Error>...</Error></Errors></ErrorResponse> (moto's IAM checks)
 * Fills whatever is found (each buf is appended to; any may be NULL) and returns whether a
 * Code was found. */
bool xml_aws_error(const char *data, size_t len, buf *code, buf *message, buf *request_id);

#endif
