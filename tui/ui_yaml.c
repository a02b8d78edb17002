#include "tui/ui_yaml.h"

#include "common/vec.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static size_t add(yspan *out, size_t max, size_t n, ysyn syn, size_t from, size_t to)
{
	if (from >= to)
		return n;
	if (n > 0 && n <= max && out[n - 1].syn == syn && out[n - 1].to == from) {
		out[n - 1].to = to;
		return n;
	}
	if (n < max)
		out[n] = (yspan){syn, from, to};
	return n + 1;
}

static bool is_number_word(const char *s, size_t len)
{
	static const char *const words[] = {"true", "false", "null", "~", "yes", "no"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == len && strncmp(words[i], s, len) == 0)
			return true;
	if (len == 0)
		return false;
	size_t i = 0;
	if (s[0] == '-' || s[0] == '+')
		i++;
	bool digit = false;
	for (; i < len; i++) {
		if (isdigit((unsigned char)s[i]))
			digit = true;
		else if (s[i] != '.')
			return false;
	}
	return digit;
}

/* Where a comment starts: '#' at the start or after a space, outside quotes. */
static size_t comment_at(const char *s, size_t len, size_t from)
{
	char quote = 0;
	for (size_t i = from; i < len; i++) {
		char c = s[i];
		if (quote) {
			if (c == quote)
				quote = 0;
			continue;
		}
		if ((c == '\'' || c == '"') && (i == from || s[i - 1] == ' ' || s[i - 1] == '[' ||
		                                s[i - 1] == ',' || s[i - 1] == '{'))
			quote = c;
		else if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t'))
			return i;
	}
	return len;
}

/* A value: tags, quoted strings, numbers, flow punctuation, plain words. */
static size_t value_spans(const char *s, size_t from, size_t to, yspan *out, size_t max, size_t n)
{
	size_t i = from;
	while (i < to) {
		char c = s[i];
		if (c == ' ' || c == '\t') {
			n = add(out, max, n, YS_PLAIN, i, i + 1);
			i++;
		} else if (c == '!') {
			size_t j = i;
			while (j < to && s[j] != ' ' && s[j] != ',' && s[j] != ']' && s[j] != '}')
				j++;
			n = add(out, max, n, YS_TAG, i, j);
			i = j;
		} else if (c == '\'' || c == '"') {
			size_t j = i + 1;
			while (j < to && s[j] != c)
				j++;
			j = j < to ? j + 1 : to;
			n = add(out, max, n, YS_STRING, i, j);
			i = j;
		} else if (c == '[' || c == ']' || c == '{' || c == '}' || c == ',' || c == '|' ||
		           c == '>') {
			n = add(out, max, n, YS_PUNCT, i, i + 1);
			i++;
		} else {
			size_t j = i;
			while (j < to && s[j] != ',' && s[j] != ']' && s[j] != '}' &&
			       !(s[j] == ' ' && j + 1 < to && (s[j + 1] == '!')))
				j++;
			/* trailing spaces are plain */
			size_t w = j;
			while (w > i && s[w - 1] == ' ')
				w--;
			n = add(out, max, n, is_number_word(s + i, w - i) ? YS_NUMBER : YS_PLAIN, i,
			        w);
			n = add(out, max, n, YS_PLAIN, w, j);
			i = j;
		}
	}
	return n;
}

size_t yaml_spans(const char *line, size_t len, yspan *out, size_t max)
{
	size_t n = 0;
	size_t i = 0;
	while (i < len && line[i] == ' ')
		i++;
	n = add(out, max, n, YS_PLAIN, 0, i);
	size_t cstart = comment_at(line, len, i);
	/* list dashes */
	while (i + 1 < cstart && line[i] == '-' && line[i + 1] == ' ') {
		n = add(out, max, n, YS_PUNCT, i, i + 2);
		i += 2;
	}
	if (i + 1 == cstart && line[i] == '-') {
		n = add(out, max, n, YS_PUNCT, i, i + 1);
		i++;
	}
	/* a key: up to ": " or a final ':' outside quotes and flow brackets */
	size_t key_end = (size_t)-1;
	if (i < cstart && line[i] != '[' && line[i] != '{' && line[i] != '!' && line[i] != '\'' &&
	    line[i] != '"') {
		for (size_t j = i; j < cstart; j++) {
			if (line[j] == ':' && (j + 1 == cstart || line[j + 1] == ' ')) {
				key_end = j;
				break;
			}
			if (line[j] == ' ' && j + 1 < cstart && line[j + 1] == '#')
				break;
		}
	}
	if (key_end != (size_t)-1) {
		n = add(out, max, n, YS_KEY, i, key_end);
		n = add(out, max, n, YS_PUNCT, key_end, key_end + 1);
		i = key_end + 1;
	}
	n = value_spans(line, i, cstart, out, max, n);
	n = add(out, max, n, YS_COMMENT, cstart, len);
	return n;
}

bool tpl_index_build(tpl_index *ix, const char *text, size_t len)
{
	memset(ix, 0, sizeof(*ix));
	ix->text = text;
	ix->len = len;
	ix->resources_line = (size_t)-1;
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	if (len && text[len - 1] != '\n')
		n++;
	ix->line_off = malloc((n + 1) * sizeof(size_t));
	if (!ix->line_off)
		return false;
	ix->line_off[0] = 0;
	size_t k = 1;
	for (size_t i = 0; i < len && k < n; i++)
		if (text[i] == '\n')
			ix->line_off[k++] = i + 1;
	ix->line_off[n] = len;
	ix->nlines = n;
	size_t cap = 0;
	bool in_resources = false;
	for (size_t l = 0; l < n; l++) {
		size_t ll;
		const char *s = tpl_line(ix, l, &ll);
		if (ll == 0 || s[0] == '#')
			continue;
		if (s[0] != ' ') {
			/* a top-level key ends the section */
			in_resources = ll >= 10 && strncmp(s, "Resources:", 10) == 0;
			if (in_resources)
				ix->resources_line = l;
			continue;
		}
		if (!in_resources)
			continue;
		/* a resource: exactly two spaces, then `Id:` */
		if (ll > 3 && s[0] == ' ' && s[1] == ' ' && s[2] != ' ' && s[2] != '#') {
			size_t j = 2;
			while (j < ll && (isalnum((unsigned char)s[j])))
				j++;
			if (j < ll && s[j] == ':' && j > 2) {
				if (!VEC_RESERVE(ix->res, cap, ix->nres + 1)) {
					tpl_index_free(ix);
					return false;
				}
				ix->res[ix->nres++] = (tpl_resource){s + 2, j - 2, l, l, NULL, 0};
			}
		} else if (ix->nres && ll > 10) {
			/* `    Type: AWS::...` directly under the resource */
			tpl_resource *r = &ix->res[ix->nres - 1];
			if (!r->type && strncmp(s, "    Type:", 9) == 0) {
				size_t a = 9;
				while (a < ll && s[a] == ' ')
					a++;
				size_t b = a;
				while (b < ll && s[b] != ' ' && s[b] != '#')
					b++;
				r->type = s + a;
				r->type_len = b - a;
			}
		}
	}
	/* a resource ends before the next one, or at the last non-blank line of
	 * its section */
	for (size_t r = 0; r < ix->nres; r++) {
		size_t end = r + 1 < ix->nres ? ix->res[r + 1].first : n;
		if (r + 1 == ix->nres) {
			for (size_t l = ix->res[r].first + 1; l < n; l++) {
				size_t ll;
				const char *s = tpl_line(ix, l, &ll);
				if (ll && s[0] != ' ' && s[0] != '#') {
					end = l;
					break;
				}
			}
		}
		size_t last = end > 0 ? end - 1 : 0;
		while (last > ix->res[r].first) {
			size_t ll;
			const char *s = tpl_line(ix, last, &ll);
			size_t sp = 0;
			while (sp < ll && s[sp] == ' ')
				sp++;
			if (sp < ll && s[sp] != '#')
				break;
			last--;
		}
		ix->res[r].last = last;
	}
	return true;
}

void tpl_index_free(tpl_index *ix)
{
	free(ix->line_off);
	free(ix->res);
	memset(ix, 0, sizeof(*ix));
}

const char *tpl_line(const tpl_index *ix, size_t i, size_t *len)
{
	if (i >= ix->nlines) {
		*len = 0;
		return "";
	}
	size_t a = ix->line_off[i], b = ix->line_off[i + 1];
	if (b > a && ix->text[b - 1] == '\n')
		b--;
	*len = b - a;
	return ix->text + a;
}

long tpl_resource_at(const tpl_index *ix, size_t line)
{
	size_t lo = 0, hi = ix->nres;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ix->res[mid].first <= line)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -1;
	const tpl_resource *r = &ix->res[lo - 1];
	return line <= r->last ? (long)(lo - 1) : -1;
}

long tpl_resource_find(const tpl_index *ix, const char *id)
{
	size_t n = strlen(id);
	for (size_t i = 0; i < ix->nres; i++)
		if (ix->res[i].id_len == n && strncmp(ix->res[i].id, id, n) == 0)
			return (long)i;
	return -1;
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

bool tpl_line_uses(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > len)
		return false;
	for (size_t i = 0; i + n <= len; i++) {
		if (memcmp(line + i, name, n) != 0)
			continue;
		if (i > 0 && ident_char(line[i - 1]))
			continue;
		char after = i + n < len ? line[i + n] : '\0';
		if (ident_char(after))
			continue;
		/* what precedes the name, spaces skipped */
		size_t b = i;
		while (b > 0 && line[b - 1] == ' ')
			b--;
		if (i >= 2 && line[i - 2] == '$' && line[i - 1] == '{' &&
		    (after == '}' || after == '.'))
			return true;
		if (b >= 4 && strncmp(line + b - 4, "!Ref", 4) == 0)
			return true;
		if (b >= 4 && strncmp(line + b - 4, "Ref:", 4) == 0)
			return true;
		if (b >= 7 && strncmp(line + b - 7, "!GetAtt", 7) == 0)
			return true;
		if (b >= 10 && strncmp(line + b - 10, "Condition:", 10) == 0)
			return true;
		if (b >= 10 && strncmp(line + b - 10, "!Condition", 10) == 0)
			return true;
		/* a definition: `  name:` (a parameter, condition or resource) */
		if (i == 2 && line[0] == ' ' && line[1] == ' ' && after == ':')
			return true;
	}
	return false;
}

long tpl_find_use(const tpl_index *ix, const char *name, size_t from, int dir)
{
	size_t n = ix->nlines;
	if (n == 0)
		return -1;
	if (from >= n)
		from = n - 1;
	for (size_t step = 0; step < n; step++) {
		size_t l = dir >= 0 ? (from + step) % n : (from + n - step % n) % n;
		size_t ll;
		const char *s = tpl_line(ix, l, &ll);
		if (tpl_line_uses(s, ll, name))
			return (long)l;
	}
	return -1;
}
