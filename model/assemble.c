#include "model/assemble.h"

#include <stdbool.h>
#include <string.h>

/* Plain scalars that YAML 1.1 (CloudFormation's parser) could read as
 * something other than a string, or that need quoting to parse at all, get
 * single quotes. Numbers stay plain: a Number parameter's Default is fine as
 * either, and CloudFormation's own examples write them plain. */
static bool needs_quotes(const char *v)
{
	if (!*v)
		return true;
	static const char *const special[] = {
	    "true", "false", "yes",   "no",    "on",    "off",  "y",    "n",    "null",
	    "~",    "True",  "False", "Yes",   "No",    "On",   "Off",  "Null", "NULL",
	    "TRUE", "FALSE", "YES",   "NO",    "ON",    "OFF",  "Y",    "N",    ".inf",
	    ".Inf", ".INF",  "+.inf", "+.Inf", "+.INF", ".nan", ".NaN", ".NAN"};
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (strcmp(v, special[i]) == 0)
			return true;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'b'))
		return true; /* hexadecimal or binary integer in YAML 1.1 */
	if (strchr("-?:,[]{}#&*!|>'\"%@` ", v[0]))
		return !(v[0] == '-' && v[1] >= '0' && v[1] <= '9' &&
		         strspn(v + 1, "0123456789.") == strlen(v + 1));
	size_t n = strlen(v);
	if (v[n - 1] == ' ' || v[n - 1] == ':')
		return true;
	for (const char *p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f)
			return true;
		if ((c == ':' && (p[1] == ' ' || !p[1])) || (c == ' ' && p[1] == '#'))
			return true;
	}
	/* a plain scalar that looks numeric but is not a plain integer or
	 * decimal (1e3, 0x1F, 1_000, .5, 1:20) could be read as a number in
	 * another base or as sexagesimal */
	if (strspn(v, "0123456789.eE+-_xXoO:") == n && strspn(v, "0123456789.") != n)
		return true;
	if (strspn(v, "0123456789") == n && n > 1 && v[0] == '0')
		return true; /* octal in YAML 1.1 */
	return false;
}

static bool looks_numeric(const char *v)
{
	size_t n = strlen(v);
	if (n == 0)
		return false;
	const char *p = v[0] == '-' || v[0] == '+' ? v + 1 : v;
	return *p && strspn(p, "0123456789.") == strlen(p);
}

void yaml_quote_param(buf *out, const char *value, const char *type)
{
	/* a String parameter whose value looks like a number is quoted: cfn-lint
	 * (E2015) and CloudFormation's AllowedValues compare it as a string */
	bool number = type && (strcmp(type, "Number") == 0);
	if (!number && looks_numeric(value)) {
		buf_addf(out, "'%s'", value);
		return;
	}
	yaml_quote_scalar(out, value);
}

/* Length of the Unicode line break YAML would read at `p` (NEL, LS, PS are
 * line breaks to it, like '\n'), 0 when there is none. */
static size_t unicode_break(const unsigned char *p)
{
	if (p[0] == 0xC2 && p[1] == 0x85)
		return 2;
	if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9))
		return 3;
	return 0;
}

/* Length of a character YAML does not allow unescaped, not even quoted (C1
 * controls other than NEL, U+FFFE, U+FFFF), 0 when there is none; its code
 * point in `cp`. */
static size_t unicode_unprintable(const unsigned char *p, unsigned *cp)
{
	if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F && p[1] != 0x85) {
		*cp = p[1];
		return 2;
	}
	if (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
		*cp = 0xFFC0u | (p[2] & 0x3Fu);
		return 3;
	}
	return 0;
}

void yaml_quote_scalar(buf *out, const char *value)
{
	bool control = false;
	unsigned cp;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		control = control || *p < 0x20 || *p == 0x7f || unicode_break(p) ||
		          unicode_unprintable(p, &cp);
	if (control) {
		/* double quotes with escapes: the only form that keeps them */
		buf_addc(out, '"');
		for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
			size_t line_break = unicode_break(p), unprintable;
			if (line_break) {
				buf_adds(out, line_break == 2 ? "\\N"
				              : p[2] == 0xA8  ? "\\L"
				                              : "\\P");
				p += line_break - 1;
			} else if ((unprintable = unicode_unprintable(p, &cp)) != 0) {
				buf_addf(out, "\\u%04X", cp);
				p += unprintable - 1;
			} else if (*p == '"' || *p == '\\')
				buf_addf(out, "\\%c", *p);
			else if (*p < 0x20 || *p == 0x7f)
				buf_addf(out, "\\x%02x", *p);
			else
				buf_addc(out, (char)*p);
		}
		buf_addc(out, '"');
		return;
	}
	if (!needs_quotes(value)) {
		buf_adds(out, value);
		return;
	}
	buf_addc(out, '\'');
	for (const char *p = value; *p; p++) {
		if (*p == '\'')
			buf_addc(out, '\'');
		buf_addc(out, *p);
	}
	buf_addc(out, '\'');
}

/* Byte offset where the content of `node` ends: the end of its last scalar
 * or flow collection (a block collection ends at the next token, after the
 * comments that follow it). A line that starts before it is content, even
 * one that looks like a comment (a quoted scalar's continuation). */
static size_t content_end(const ynode *node)
{
	if (!node)
		return 0;
	while (node->style == YSTYLE_BLOCK && node->n > 0)
		node = node->kids[node->kind == YNODE_MAP ? 2 * node->n - 1 : node->n - 1];
	return node->end.offset;
}

/* Byte range of a section's body: from the line after its key to the line
 * before the next top-level key (or the end), trailing blank lines dropped. */
static void section_body(const cat_fragment *f, cat_section sec, size_t *from, size_t *to)
{
	const ydoc *doc = f->doc;
	const ynode *root = doc->root;
	const ynode *key = f->key[sec];
	*from = ydoc_line_offset(doc, key->start.line + 1);
	*to = doc->len;
	for (size_t i = 0; i < root->n; i++) {
		const ynode *k = ynode_key(root, i);
		if (k->start.line > key->start.line) {
			*to = ydoc_line_offset(doc, k->start.line);
			break;
		}
	}
	/* comments that precede the next section belong to it, not to us:
	 * stop at the last line that holds content of ours */
	size_t content = content_end(f->value[sec]);
	while (*to > *from) {
		size_t line_start = *to - 1;
		while (line_start > *from && doc->text[line_start - 1] != '\n')
			line_start--;
		const char *p = doc->text + line_start;
		size_t ws = strspn(p, " \t");
		if (p[ws] == '\n' || p[ws] == '\r' ||
		    (p[ws] == '#' && ws == 0 && line_start >= content) || p + ws >= doc->text + *to)
			*to = line_start;
		else
			break;
	}
}

/* Byte range of the column-0 comment lines (and blank lines among them) just
 * above a section's key: they introduce the section, and section_body leaves
 * them out of the section before, so they are copied with this one. */
static void section_lead(const cat_fragment *f, cat_section sec, size_t *from, size_t *to)
{
	const ydoc *doc = f->doc;
	*to = ydoc_line_offset(doc, f->key[sec]->start.line);
	*from = *to;
	/* not into the content of the section before */
	size_t content = 0;
	for (size_t i = 1; i < doc->root->n; i++)
		if (ynode_key(doc->root, i) == f->key[sec])
			content = content_end(ynode_val(doc->root, i - 1));
	size_t next = *to;
	while (next > 0) {
		size_t line_start = next - 1;
		while (line_start > 0 && doc->text[line_start - 1] != '\n')
			line_start--;
		const char *p = doc->text + line_start;
		size_t ws = strspn(p, " \t");
		if (p[0] == '#' && line_start >= content)
			*from = line_start;
		else if (p[ws] != '\n' && p[ws] != '\r')
			break;
		next = line_start;
	}
}

/* A NoEcho parameter's value travels only as a change-set parameter, never in the template
 * (which is uploaded and handed back by GetTemplate): its Default line is left out, with a
 * comment in its place. Copies the fragment's text from `pos` up to there and returns the
 * position after the line; a Default not on a line of its own (a flow mapping) is kept as
 * the fragment wrote it (never the model's value). */
static size_t leave_out_default(buf *out, const cat_param *cp, size_t pos)
{
	const ydoc *doc = cp->e.frag->doc;
	const ynode *map = cp->e.value, *key = NULL;
	for (size_t i = 0; map && map->kind == YNODE_MAP && i < map->n; i++)
		if (ynode_val(map, i) == cp->default_node)
			key = ynode_key(map, i);
	if (!key)
		return pos;
	size_t line = ydoc_line_offset(doc, key->start.line);
	if (line < pos || strspn(doc->text + line, " ") != key->start.offset - line)
		return pos;
	size_t end = content_end(cp->default_node);
	if (end == 0 || doc->text[end - 1] != '\n') {
		const char *nl = memchr(doc->text + end, '\n', doc->len - end);
		end = nl ? (size_t)(nl - doc->text) + 1 : doc->len;
	}
	buf_add(out, doc->text + pos, line - pos);
	buf_add(out, doc->text + line, key->start.offset - line);
	buf_addf(out,
	         "# NoEcho: %s's Default is left out; lmsctl deploy sends the value as a "
	         "change-set parameter\n",
	         cp->e.name);
	return end;
}

static void add_section(buf *out, const catalog *cat, cat_section sec, assemble_value_fn value,
                        void *ctx)
{
	bool any = false;
	for (size_t i = 0; i < cat->nfrags; i++)
		any = any || cat->frags[i].value[sec];
	if (!any)
		return;
	buf_addf(out, "\n%s:\n", cat_section_names[sec]);
	bool first = true;
	for (size_t i = 0; i < cat->nfrags; i++) {
		const cat_fragment *f = &cat->frags[i];
		if (!f->value[sec])
			continue;
		if (!first)
			buf_addc(out, '\n');
		first = false;
		buf_addf(out, "  # ---- %s ----\n", f->name);
		size_t from, to;
		section_lead(f, sec, &from, &to);
		buf_add(out, f->doc->text + from, to - from);
		section_body(f, sec, &from, &to);
		size_t pos = from;
		if (sec == SEC_PARAMETERS) {
			for (size_t p = 0; p < cat->nparams; p++) {
				const cat_param *cp = &cat->params[p];
				if (cp->e.frag != f)
					continue;
				if (cp->no_echo) {
					pos = leave_out_default(out, cp, pos);
					continue;
				}
				const char *v = value ? value(ctx, cp->e.name) : NULL;
				const ynode *d = cp->default_node;
				if (!v || strcmp(v, cp->default_value) == 0)
					continue;
				if (d->start.offset < pos)
					continue;
				buf_add(out, f->doc->text + pos, d->start.offset - pos);
				yaml_quote_param(out, v, cp->type);
				pos = d->end.offset;
			}
		}
		buf_add(out, f->doc->text + pos, to - pos);
		if (to > from && f->doc->text[to - 1] != '\n')
			buf_addc(out, '\n');
	}
}

static void add_metadata(buf *out, const catalog *cat)
{
	buf_adds(out, "\nMetadata:\n  AWS::CloudFormation::Interface:\n    ParameterGroups:\n");
	for (size_t g = 0; g < cat->ngroups; g++) {
		const cat_group *grp = &cat->groups[g];
		buf_adds(out, "      - Label:\n          default: ");
		yaml_quote_scalar(out, grp->label);
		buf_adds(out, "\n        Parameters:\n");
		for (size_t i = 0; i < grp->n; i++)
			buf_addf(out, "          - %s\n", cat->params[grp->params[i]].e.name);
	}
	buf_adds(out, "    ParameterLabels:\n");
	for (size_t g = 0; g < cat->ngroups; g++) {
		const cat_group *grp = &cat->groups[g];
		for (size_t i = 0; i < grp->n; i++) {
			const cat_param *p = &cat->params[grp->params[i]];
			buf_addf(out, "      %s:\n        default: ", p->e.name);
			yaml_quote_scalar(out, p->label);
			buf_addc(out, '\n');
		}
	}
}

bool assemble_template(const catalog *cat, assemble_value_fn value, void *ctx, buf *out,
                       lms_error *err)
{
	buf_adds(out,
	         "# Generated by lmsctl from templates/catalog.yml; edit the fragments, not this "
	         "file.\n");
	buf_adds(out, "AWSTemplateFormatVersion: '2010-09-09'\n");
	if (cat->transform) {
		buf_adds(out, "Transform: ");
		yaml_quote_scalar(out, cat->transform);
		buf_addc(out, '\n');
	}
	/* the Description keeps its catalog.yml text (folded scalar and all) */
	const ynode *d = cat->description;
	const ydoc *idx = cat->index;
	size_t key_line = ydoc_line_offset(idx, d->start.line);
	const ynode *root = idx->root;
	size_t key_start = key_line;
	for (size_t i = 0; i < root->n; i++)
		if (ynode_val(root, i) == d)
			key_start = ynode_key(root, i)->start.offset;
	size_t end = d->end.offset;
	if (d->style == YSTYLE_LITERAL || d->style == YSTYLE_FOLDED) {
		/* a block scalar ends at the start of the next line */
		while (end > key_start && (idx->text[end - 1] == '\n' || idx->text[end - 1] == ' '))
			end--;
	}
	buf_add(out, idx->text + key_start, end - key_start);
	buf_addc(out, '\n');
	add_metadata(out, cat);
	for (int s = SEC_PARAMETERS; s < SEC_COUNT; s++)
		add_section(out, cat, (cat_section)s, value, ctx);
	if (out->failed) {
		lms_error_set(err, NULL, 0, 0, "out of memory assembling the template");
		return false;
	}
	return true;
}

/* ---- the institutions' resources ---------------------------------------------------------- */

/* One institution's resources (docs/api-limits.md, "One key per institution"):
 * `id` its part of the logical ids, `x` its values (checked:
 * institution_usable). */
static void add_institution(buf *out, const model_institution *x, const char *id)
{
	const char *n = x->name;
	buf_addf(out,
	         "\n  # ---- institution %s ----\n\n"
	         "  ApiInstitution%sPlan:\n"
	         "    Type: AWS::ApiGateway::UsagePlan\n"
	         "    Properties:\n"
	         "      UsagePlanName: !Sub 'lms-inst-%s-${EnvironmentSuffix}'\n"
	         "      Description: Institution %s (its LMS web and mobile front ends)\n"
	         "      ApiStages:\n"
	         "        - ApiId: !Ref Api\n"
	         "          Stage: !Ref ApiStage\n"
	         "      Throttle: # the model's rate and burst\n"
	         "        RateLimit: %s\n"
	         "        BurstLimit: %s\n",
	         n, id, n, n, x->rate, x->burst);
	if (x->quota)
		buf_addf(out,
		         "      Quota: # the model's quota, per day (resets at 00:00 UTC)\n"
		         "        Limit: %s\n"
		         "        Period: DAY\n",
		         x->quota);
	buf_addf(out,
	         "      Tags:\n"
	         "        - Key: Name\n"
	         "          Value: !Sub 'lms-inst-%s-${EnvironmentSuffix}'\n\n",
	         n);
	/* the secret, found and trusted by the functions through its tag */
	buf_addf(out,
	         "  ApiInstitution%sKeySecret:\n"
	         "    Type: AWS::SecretsManager::Secret\n"
	         "    DeletionPolicy: Delete\n"
	         "    UpdateReplacePolicy: Delete\n"
	         "    Properties:\n"
	         "      Name: !Sub 'lms-api-key-inst-%s-${EnvironmentSuffix}'\n"
	         "      Description: API key of institution %s (rotated every 30 days)\n"
	         "      KmsKeyId: !GetAtt SecretsKey.Arn\n"
	         "      SecretString: !Sub '{\"usagePlanId\": \"${ApiInstitution%sPlan}\", "
	         "\"keyName\": \"lms-inst-%s-${EnvironmentSuffix}\"}'\n"
	         "      Tags:\n"
	         "        - Key: Name\n"
	         "          Value: !Sub 'lms-api-key-inst-%s-${EnvironmentSuffix}'\n"
	         "        - Key: lms-apikey-environment\n"
	         "          Value: !Ref EnvironmentSuffix\n\n",
	         id, n, n, id, n, n);
	/* the functions may touch this secret and this plan's keys */
	buf_addf(out,
	         "  ApiInstitution%sKeyPolicy:\n"
	         "    Type: AWS::IAM::RolePolicy\n"
	         "    Properties:\n"
	         "      RoleName: !Ref ApiKeyRotationRole\n"
	         "      PolicyName: api-key-inst-%s\n"
	         "      PolicyDocument:\n"
	         "        Version: '2012-10-17'\n"
	         "        Statement:\n"
	         "          - Effect: Allow\n"
	         "            Action:\n"
	         "              - secretsmanager:DescribeSecret\n"
	         "              - secretsmanager:GetSecretValue\n"
	         "              - secretsmanager:PutSecretValue\n"
	         "              - secretsmanager:UpdateSecretVersionStage\n"
	         "              - secretsmanager:ListSecretVersionIds\n"
	         "            Resource: !Ref ApiInstitution%sKeySecret\n"
	         "          - Effect: Allow\n"
	         "            Action:\n"
	         "              - apigateway:GET\n"
	         "              - apigateway:POST\n"
	         "              - apigateway:DELETE\n"
	         "            Resource:\n"
	         "              - !Sub 'arn:${AWS::Partition}:apigateway:${AWS::Region}::"
	         "/usageplans/${ApiInstitution%sPlan}/keys'\n"
	         "              - !Sub 'arn:${AWS::Partition}:apigateway:${AWS::Region}::"
	         "/usageplans/${ApiInstitution%sPlan}/keys/*'\n\n",
	         id, n, id, id, id);
	buf_addf(out,
	         "  ApiInstitution%sKeyRotationPermission:\n"
	         "    Type: AWS::Lambda::Permission\n"
	         "    Properties:\n"
	         "      FunctionName: !GetAtt ApiKeyRotationFunction.Arn\n"
	         "      Action: lambda:InvokeFunction\n"
	         "      Principal: secretsmanager.amazonaws.com\n"
	         "      SourceAccount: !Ref AWS::AccountId\n"
	         "      SourceArn: !Ref ApiInstitution%sKeySecret\n\n",
	         id, id);
	/* the first rotation, at creation, creates the first key: it needs the
	 * permission and the policy */
	buf_addf(out,
	         "  ApiInstitution%sKeyRotation:\n"
	         "    Type: AWS::SecretsManager::RotationSchedule\n"
	         "    DependsOn:\n"
	         "      - ApiInstitution%sKeyRotationPermission\n"
	         "      - ApiInstitution%sKeyPolicy\n"
	         "    Properties:\n"
	         "      SecretId: !Ref ApiInstitution%sKeySecret\n"
	         "      RotationLambdaARN: !GetAtt ApiKeyRotationFunction.Arn\n"
	         "      RotateImmediatelyOnUpdate: true\n"
	         "      RotationRules:\n"
	         "        ScheduleExpression: rate(30 days)\n"
	         "        Duration: 2h\n\n",
	         id, id, id, id);
	/* deleted before the plan and the policy it needs */
	buf_addf(out,
	         "  ApiInstitution%sKeyCleanup:\n"
	         "    Type: Custom::ApiKeyCleanup\n"
	         "    DependsOn: ApiInstitution%sKeyPolicy\n"
	         "    Properties:\n"
	         "      ServiceToken: !GetAtt ApiKeyRotationFunction.Arn\n"
	         "      UsagePlanIds:\n"
	         "        - !Ref ApiInstitution%sPlan\n"
	         "      KeyNames:\n"
	         "        - !Sub 'lms-inst-%s-${EnvironmentSuffix}'\n",
	         id, id, id, n);
	if (!x->principal)
		return;
	/* the channel to the key holder: its role reads the secret (AWSCURRENT
	 * after each rotation); SecretsKey lets this account's principals
	 * decrypt through Secrets Manager */
	buf_addf(out,
	         "\n  ApiInstitution%sKeyReaders:\n"
	         "    Type: AWS::SecretsManager::ResourcePolicy\n"
	         "    Properties:\n"
	         "      SecretId: !Ref ApiInstitution%sKeySecret\n"
	         "      BlockPublicPolicy: true\n"
	         "      ResourcePolicy:\n"
	         "        Version: '2012-10-17'\n"
	         "        Statement:\n"
	         "          - Sid: InstitutionReadsItsKey\n"
	         "            Effect: Allow\n"
	         "            Principal:\n"
	         "              AWS: ",
	         id, id);
	yaml_quote_scalar(out, x->principal);
	buf_adds(out,
	         "\n"
	         "            Action:\n"
	         "              - secretsmanager:GetSecretValue\n"
	         "              - secretsmanager:DescribeSecret\n"
	         "            Resource: '*' # this secret: a resource policy names no other\n");
}

bool assemble_institutions(const model *m, buf *out)
{
	size_t usable = 0;
	for (size_t i = 0; i < m->ninst; i++)
		usable += institution_usable(m->inst, m->ninst, i);
	if (!usable)
		return !out->failed;
	buf_adds(out,
	         "# Generated by lmsctl from the model's institutions (lmsctl-model(5)): each\n"
	         "# institution gets its own usage plan, API key secret, rotation and cleanup,\n"
	         "# and, with a principal, a resource policy that lets it read its key\n"
	         "# (docs/api-limits.md, \"One key per institution\"). The rotation and grace\n"
	         "# functions are templates/api.yml's.\n"
	         "Resources:\n");
	buf id;
	buf_init(&id, 0);
	for (size_t i = 0; i < m->ninst; i++) {
		if (!institution_usable(m->inst, m->ninst, i))
			continue;
		buf_reset(&id);
		institution_logical_id(m->inst[i].name, &id);
		add_institution(out, &m->inst[i], buf_cstr(&id));
	}
	buf_adds(out, "\nOutputs:\n");
	for (size_t i = 0; i < m->ninst; i++) {
		if (!institution_usable(m->inst, m->ninst, i))
			continue;
		buf_reset(&id);
		institution_logical_id(m->inst[i].name, &id);
		buf_addf(out,
		         "  ApiInstitution%sKeySecretArn:\n"
		         "    Description: Secret holding institution %s's current API key.\n"
		         "    Value: !Ref ApiInstitution%sKeySecret\n",
		         buf_cstr(&id), m->inst[i].name, buf_cstr(&id));
	}
	buf_free(&id);
	return !out->failed;
}

bool assemble_add_institutions(catalog *cat, const model *m, lms_error *err)
{
	buf text;
	buf_init(&text, 0);
	bool ok = assemble_institutions(m, &text);
	if (!ok)
		lms_error_set(err, NULL, 0, 0, "%s", "out of memory");
	else if (text.len)
		ok = catalog_add_fragment(cat, ASSEMBLE_INSTITUTIONS_FRAGMENT, buf_cstr(&text),
		                          text.len, err);
	buf_free(&text);
	return ok;
}
