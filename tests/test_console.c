/* The console's logic without a terminal: text layout, undo and redo, the
 * command line, the diff, the preview's YAML index, the recovery file, the
 * model wrapper with its live check, and the stack-operations runner with
 * the scripted backend. The screens themselves are tested in tmux
 * (tests/console.sh). */
#define _GNU_SOURCE /* setenv, strndup */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include "common/diff.h"
#include "common/names.h"
#include "model/analysis.h"
#include "model/catalog.h"
#include "model/model.h"
#include "ops/ops.h"
#include "tui/keymap.h"
#include "tui/ui_cmd.h"
#include "tui/ui_history.h"
#include "tui/ui_model.h"
#include "tui/ui_recover.h"
#include "tui/ui_text.h"
#include "tui/ui_yaml.h"

#include <locale.h>
#include <poll.h>
#include <sys/stat.h>
#include <time.h>

/* ---- ui_text ---------------------------------------------------------- */

static void test_utf8_decode_never_fails(void **state)
{
	(void)state;
	uint32_t cp;
	assert_int_equal(ui_utf8_decode("é", 2, &cp), 2);
	assert_int_equal(cp, 0xE9);
	assert_int_equal(ui_utf8_decode("\xff", 1, &cp), 1);
	assert_int_equal(cp, UI_REPLACEMENT);
	/* truncated, overlong, surrogate */
	assert_int_equal(ui_utf8_decode("\xe2\x82", 2, &cp), 1);
	assert_int_equal(cp, UI_REPLACEMENT);
	assert_int_equal(ui_utf8_decode("\xc0\xaf", 2, &cp), 1);
	assert_int_equal(cp, UI_REPLACEMENT);
	assert_int_equal(ui_utf8_decode("\xed\xa0\x80", 3, &cp), 1);
	assert_int_equal(cp, UI_REPLACEMENT);
	assert_true(ui_utf8_valid("a€😀", strlen("a€😀")));
	assert_false(ui_utf8_valid("a\xff", 2));
	char out[4];
	assert_int_equal(ui_utf8_encode(0x1F600, out), 4);
	assert_memory_equal(out, "😀", 4);
}

static void test_widths_and_fit(void **state)
{
	(void)state;
	/* CJK is two columns; a control shows as one '?' */
	assert_int_equal(ui_text_width("ab", 2, true), 2);
	assert_int_equal(ui_text_width("漢字", strlen("漢字"), true), 4);
	assert_int_equal(ui_text_width("a\x1b", 2, true), 2);
	assert_int_equal(ui_printable(0x1b, true), '?');
	assert_int_equal(ui_printable(0xE9, false), '?'); /* not a UTF-8 locale */
	size_t used;
	/* a wide character that does not fit is left out whole */
	assert_int_equal(ui_text_fit("a漢b", strlen("a漢b"), 2, true, &used), 1);
	assert_int_equal(used, 1);
	assert_int_equal(ui_text_fit("a漢b", strlen("a漢b"), 3, true, &used), 4);
	assert_int_equal(used, 3);
	/* invalid bytes never split or overrun */
	assert_int_equal(ui_text_fit("\xff\xfe", 2, 1, true, &used), 1);
}

static void test_wrap(void **state)
{
	(void)state;
	const char *s = "the quick brown fox jumps";
	ui_line l[8];
	size_t n = ui_wrap(s, strlen(s), 10, true, l, 8);
	assert_int_equal(n, 3);
	assert_int_equal(l[0].to - l[0].from, 9); /* "the quick" */
	assert_memory_equal(s + l[1].from, "brown fox", 9);
	/* a word longer than a line is cut; '\n' breaks */
	n = ui_wrap("abcdefghij\nxy", 13, 4, true, l, 8);
	assert_int_equal(n, 4);
	assert_int_equal(l[3].to - l[3].from, 2);
	/* a line's own indentation stays (a diff, YAML); the spaces of a soft break go */
	const char *ind = "  - a\n    b c d e f";
	n = ui_wrap(ind, strlen(ind), 8, true, l, 8);
	assert_int_equal(n, 3);
	assert_memory_equal(ind + l[0].from, "  - a", 5);
	assert_int_equal(l[0].to - l[0].from, 5);
	assert_memory_equal(ind + l[1].from, "    b c", 7);
	assert_int_equal(l[1].to - l[1].from, 7);
	assert_memory_equal(ind + l[2].from, "d e f", 5);
	/* counting only */
	assert_int_equal(ui_wrap(s, strlen(s), 10, true, NULL, 0), 3);
	assert_int_equal(ui_wrap("", 0, 10, true, NULL, 0), 0);
	assert_int_equal(ui_find_ci("Hello VPC", 9, "vpc"), 6);
	assert_int_equal(ui_find_ci("Hello", 5, "xyz"), (size_t)-1);
}

/* ---- ui_history ---------------------------------------------------------- */

static void edit(history *h, const char *key, const char *before, const char *after)
{
	assert_true(history_begin(h, key));
	assert_true(history_add(h, key, before, after));
	assert_true(history_commit(h));
}

static void test_history_undo_redo(void **state)
{
	(void)state;
	history h;
	history_init(&h);
	assert_null(history_undo(&h));
	edit(&h, "VpcCidr", "10.0.0.0/16", "10.1.0.0/16");
	edit(&h, "NatGatewayMode", NULL, "per-az");
	const hist_step *s = history_undo(&h);
	assert_non_null(s);
	assert_string_equal(s->v[0].key, "NatGatewayMode");
	assert_null(s->v[0].before); /* absent: the template default */
	assert_true(history_can_redo(&h));
	s = history_redo(&h);
	assert_string_equal(s->v[0].after, "per-az");
	assert_null(history_redo(&h));
	/* a new edit after an undo drops what could be redone */
	history_undo(&h);
	edit(&h, "FlowLogRetentionDays", "90", "365");
	assert_false(history_can_redo(&h));
	assert_int_equal(h.n, 2);
	history_free(&h);
}

static void test_history_steps(void **state)
{
	(void)state;
	history h;
	history_init(&h);
	/* one step of many changes; a key changed twice keeps its first before */
	assert_true(history_begin(&h, ":profile prod"));
	assert_true(history_add(&h, "A", "1", "2"));
	assert_true(history_add(&h, "B", "x", "y"));
	assert_true(history_add(&h, "A", "2", "3"));
	assert_true(history_commit(&h));
	const hist_step *s = history_undo(&h);
	assert_int_equal(s->n, 2);
	assert_string_equal(s->v[0].before, "1");
	assert_string_equal(s->v[0].after, "3");
	/* a step that changes nothing is not kept */
	assert_true(history_begin(&h, "noop"));
	assert_true(history_add(&h, "A", "1", "1"));
	assert_false(history_commit(&h));
	/* an open step is freed with the history */
	assert_true(history_begin(&h, "open"));
	assert_true(history_add(&h, "C", NULL, "z"));
	history_free(&h);
	/* the limit drops the oldest */
	history_init(&h);
	h.limit = 3;
	for (int i = 0; i < 5; i++) {
		char v[8];
		snprintf(v, sizeof(v), "%d", i);
		edit(&h, "K", i ? "x" : NULL, v);
	}
	assert_int_equal(h.n, 3);
	history_free(&h);
}

/* ---- ui_cmd ------------------------------------------------------------------ */

static void test_cmd_parse(void **state)
{
	(void)state;
	cmd_parsed p;
	assert_true(cmd_parse("w", &p));
	assert_non_null(p.def);
	assert_int_equal(p.def->id, CMD_WRITE);
	assert_null(p.arg);
	cmd_parsed_free(&p);
	assert_true(cmd_parse(":write  /tmp/x.yml ", &p));
	assert_string_equal(p.arg, "/tmp/x.yml");
	cmd_parsed_free(&p);
	assert_true(cmd_parse("q!", &p));
	assert_int_equal(p.def->id, CMD_QUIT_NOW);
	cmd_parsed_free(&p);
	assert_true(cmd_parse("dep", &p)); /* a unique prefix */
	assert_int_equal(p.def->id, CMD_DEPLOY);
	cmd_parsed_free(&p);
	assert_true(cmd_parse("env prod", &p));
	assert_int_equal(p.def->id, CMD_ENV);
	assert_string_equal(p.arg, "prod");
	cmd_parsed_free(&p);
	/* errors name what is wrong */
	assert_true(cmd_parse("env test", &p));
	assert_null(p.def);
	assert_contains(p.error, "dev, staging or prod");
	cmd_parsed_free(&p);
	assert_true(cmd_parse("env", &p));
	assert_null(p.def);
	assert_contains(p.error, "needs");
	cmd_parsed_free(&p);
	assert_true(cmd_parse("d", &p)); /* deploy, destroy, diff */
	assert_null(p.def);
	assert_contains(p.error, "ambiguous");
	cmd_parsed_free(&p);
	assert_true(cmd_parse("frob", &p));
	assert_contains(p.error, "unknown command");
	cmd_parsed_free(&p);
	assert_true(cmd_parse("quit now", &p));
	assert_contains(p.error, "no argument");
	cmd_parsed_free(&p);
	assert_true(cmd_parse("set VpcCidr", &p));
	assert_contains(p.error, "PARAM VALUE");
	cmd_parsed_free(&p);
}

static void free_all(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
}

static void test_cmd_complete(void **state)
{
	(void)state;
	const char *names[] = {"VpcCidr", "VpcFlowLogs", "NatGatewayMode"};
	cmd_words words = {names, 3};
	char *c[16];
	size_t n = cmd_complete("wri", words, c, 16);
	assert_int_equal(n, 1);
	assert_string_equal(c[0], "write");
	free_all(c, n);
	n = cmd_complete("env p", words, c, 16);
	assert_int_equal(n, 1);
	assert_string_equal(c[0], "env prod");
	free_all(c, n);
	n = cmd_complete("de", words, c, 16);
	assert_int_equal(n, 2); /* deploy, destroy */
	char *common = cmd_common_prefix(c, n);
	assert_string_equal(common, "de");
	free(common);
	free_all(c, n);
	n = cmd_complete("goto Vpc", words, c, 16);
	assert_int_equal(n, 2);
	common = cmd_common_prefix(c, n);
	assert_string_equal(common, "goto Vpc");
	free(common);
	free_all(c, n);
	n = cmd_complete("set Nat", words, c, 16);
	assert_int_equal(n, 1);
	assert_string_equal(c[0], "set NatGatewayMode");
	free_all(c, n);
	/* nothing past the first word of an argument, nothing unknown */
	assert_int_equal(cmd_complete("set NatGatewayMode p", words, c, 16), 0);
	assert_int_equal(cmd_complete("frob x", words, c, 16), 0);
	/* every command completes from nothing */
	size_t total;
	cmd_table(&total);
	char *all[64];
	n = cmd_complete("", words, all, 64);
	assert_int_equal(n, total);
	free_all(all, n);
}

static void test_cmd_nearest(void **state)
{
	(void)state;
	const char *names[] = {"VpcCidr", "VpcFlowLogs", "AppSubnetCidrs", "NatGatewayMode",
	                       "DatabaseCluster"};
	cmd_words words = {names, 5};
	const char *out[4];
	/* a case slip and a typo: distance 0 and 1, nearest first */
	size_t n = cmd_nearest("vpccidr", words, out, 4);
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "VpcCidr");
	n = cmd_nearest("VpcCidrr", words, out, 4);
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "VpcCidr");
	/* a word two edits away is near (the floor of 2), three is not (7 letters / 3 = 2) */
	n = cmd_nearest("VpcCxdrr", words, out, 4);
	assert_int_equal(n, 1);
	n = cmd_nearest("VxcCxdrr", words, out, 4);
	assert_int_equal(n, 0);
	/* contained: after the near misses; two letters are not enough */
	n = cmd_nearest("Cidr", words, out, 4);
	assert_int_equal(n, 2);
	assert_string_equal(out[0], "VpcCidr");
	assert_string_equal(out[1], "AppSubnetCidrs");
	assert_int_equal(cmd_nearest("Ci", words, out, 4), 0);
	/* the name itself is not offered; max is kept */
	n = cmd_nearest("VpcCidr", words, out, 4);
	assert_int_equal(n, 0);
	n = cmd_nearest("Vpc", words, out, 1);
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "VpcCidr");
	assert_int_equal(cmd_nearest("Nothing like it", words, out, 4), 0);
}

static void test_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(lms_edit_distance("VpcCidr", "VpcCidr", false), 0);
	assert_int_equal(lms_edit_distance("vpccidr", "VpcCidr", false), 2);
	assert_int_equal(lms_edit_distance("vpccidr", "VpcCidr", true), 0);
	assert_int_equal(lms_edit_distance("", "abc", false), 3);
	assert_int_equal(lms_edit_distance("kitten", "sitting", false), 3);
	char long_name[66];
	memset(long_name, 'a', 65);
	long_name[65] = '\0';
	assert_true(lms_edit_distance(long_name, "a", false) == SIZE_MAX);
	assert_int_equal(lms_edit_distance(long_name + 1, "a", false), 63);
}

/* ---- ui_diff -------------------------------------------------------------- */

static void test_diff_identical_and_simple(void **state)
{
	(void)state;
	diff_result d;
	const char *a = "a\nb\nc\n";
	assert_true(diff_texts(a, strlen(a), a, strlen(a), 3, &d));
	assert_int_equal(d.n, 0);
	diff_result_free(&d);
	const char *b = "a\nB\nc\n";
	assert_true(diff_texts(a, strlen(a), b, strlen(b), 3, &d));
	assert_int_equal(d.added, 1);
	assert_int_equal(d.deleted, 1);
	assert_int_equal(d.v[0].kind, DIFF_HUNK);
	assert_int_equal(d.v[0].old_no, 1);
	assert_int_equal(d.v[0].old_n, 3);
	assert_int_equal(d.v[1].kind, DIFF_SAME);
	assert_int_equal(d.v[2].kind, DIFF_DEL);
	assert_memory_equal(d.v[2].text, "b", 1);
	assert_int_equal(d.v[3].kind, DIFF_ADD);
	assert_memory_equal(d.v[3].text, "B", 1);
	assert_int_equal(d.v[3].new_no, 2);
	diff_result_free(&d);
}

static void test_diff_hunks_and_edges(void **state)
{
	(void)state;
	/* two changes far apart: two hunks with 1 line of context */
	buf a, b;
	buf_init(&a, 0);
	buf_init(&b, 0);
	for (int i = 1; i <= 40; i++) {
		buf_addf(&a, "line %d\n", i);
		buf_addf(&b, "line %d%s\n", i, i == 5 || i == 30 ? " changed" : "");
	}
	diff_result d;
	assert_true(diff_texts(a.data, a.len, b.data, b.len, 1, &d));
	size_t hunks = 0;
	for (size_t i = 0; i < d.n; i++)
		hunks += d.v[i].kind == DIFF_HUNK;
	assert_int_equal(hunks, 2);
	assert_int_equal(d.added, 2);
	diff_result_free(&d);
	/* from nothing (a new file), to nothing, no final newline */
	assert_true(diff_texts("", 0, "x\ny", 3, 3, &d));
	assert_int_equal(d.added, 2);
	assert_int_equal(d.deleted, 0);
	diff_result_free(&d);
	assert_true(diff_texts("x\n", 2, "", 0, 3, &d));
	assert_int_equal(d.deleted, 1);
	diff_result_free(&d);
	buf_free(&a);
	buf_free(&b);
}

/* ---- ui_yaml ------------------------------------------------------------------- */

static ysyn syn_at(const char *line, size_t off)
{
	yspan sp[32];
	size_t n = yaml_spans(line, strlen(line), sp, 32);
	for (size_t i = 0; i < n && i < 32; i++)
		if (off >= sp[i].from && off < sp[i].to)
			return sp[i].syn;
	return YS_COUNT;
}

static void test_yaml_spans(void **state)
{
	(void)state;
	const char *l = "    BucketName: !Sub 'lms-${Env}' # why";
	assert_int_equal(syn_at(l, 4), YS_KEY);
	assert_int_equal(syn_at(l, 14), YS_PUNCT);
	assert_int_equal(syn_at(l, 16), YS_TAG);
	assert_int_equal(syn_at(l, 22), YS_STRING);
	assert_int_equal(syn_at(l, strlen(l) - 2), YS_COMMENT);
	/* a '#' inside quotes is not a comment; numbers and booleans */
	const char *q = "  Name: 'a # b'";
	assert_int_equal(syn_at(q, 11), YS_STRING);
	assert_int_equal(syn_at("  Port: 443", 8), YS_NUMBER);
	assert_int_equal(syn_at("  Enabled: true", 12), YS_NUMBER);
	assert_int_equal(syn_at("  - !Ref Vpc", 2), YS_PUNCT);
	assert_int_equal(syn_at("# only a comment", 3), YS_COMMENT);
	/* spans cover the line in order, for any bytes */
	const char *junk = "\xff: [\"unterminated";
	yspan sp[32];
	size_t n = yaml_spans(junk, strlen(junk), sp, 32);
	assert_true(n > 0);
	assert_int_equal(sp[0].from, 0);
	assert_int_equal(sp[n - 1].to, strlen(junk));
	for (size_t i = 1; i < n; i++)
		assert_int_equal(sp[i].from, sp[i - 1].to);
}

static const char tpl_text[] = "Parameters:\n"
                               "  VpcCidr:\n"
                               "    Type: String\n"
                               "Conditions:\n"
                               "  HasThirdAz: !Equals [!Ref AzCount, '3']\n"
                               "Resources:\n"
                               "  # the network\n"
                               "  Vpc:\n"
                               "    Type: AWS::EC2::VPC\n"
                               "    Properties:\n"
                               "      CidrBlock: !Ref VpcCidr\n"
                               "\n"
                               "  Subnet3:\n"
                               "    Type: AWS::EC2::Subnet\n"
                               "    Condition: HasThirdAz\n"
                               "    Properties:\n"
                               "      VpcId: !Ref Vpc\n"
                               "      Name: !Sub '${VpcCidr}-x'\n"
                               "Outputs:\n"
                               "  VpcId:\n"
                               "    Value: !GetAtt Vpc.VpcId\n";

static void test_tpl_index(void **state)
{
	(void)state;
	tpl_index ix;
	assert_true(tpl_index_build(&ix, tpl_text, strlen(tpl_text)));
	assert_int_equal(ix.nlines, 21);
	assert_int_equal(ix.resources_line, 5);
	assert_int_equal(ix.nres, 2);
	assert_memory_equal(ix.res[0].id, "Vpc", 3);
	assert_int_equal(ix.res[0].first, 7);
	assert_int_equal(ix.res[0].last, 10); /* the blank line is not the resource's */
	assert_memory_equal(ix.res[0].type, "AWS::EC2::VPC", ix.res[0].type_len);
	assert_int_equal(ix.res[1].first, 12);
	assert_int_equal(ix.res[1].last, 17); /* Outputs ends it */
	assert_int_equal(tpl_resource_at(&ix, 9), 0);
	assert_int_equal(tpl_resource_at(&ix, 11), -1);
	assert_int_equal(tpl_resource_at(&ix, 19), -1);
	assert_int_equal(tpl_resource_find(&ix, "Subnet3"), 1);
	assert_int_equal(tpl_resource_find(&ix, "Nope"), -1);
	size_t len;
	const char *l = tpl_line(&ix, 10, &len);
	assert_int_equal(len, strlen("      CidrBlock: !Ref VpcCidr"));
	assert_true(tpl_line_uses(l, len, "VpcCidr"));
	assert_false(tpl_line_uses(l, len, "Vpc"));
	/* ${X}, the definition, GetAtt, Condition; not a longer name */
	l = tpl_line(&ix, 17, &len);
	assert_true(tpl_line_uses(l, len, "VpcCidr"));
	l = tpl_line(&ix, 1, &len);
	assert_true(tpl_line_uses(l, len, "VpcCidr"));
	l = tpl_line(&ix, 20, &len);
	assert_true(tpl_line_uses(l, len, "Vpc"));
	l = tpl_line(&ix, 14, &len);
	assert_true(tpl_line_uses(l, len, "HasThirdAz"));
	assert_false(tpl_line_uses("  VpcCidrs: x", 13, "VpcCidr"));
	/* following a field: next and previous use, wrapping */
	assert_int_equal(tpl_find_use(&ix, "VpcCidr", 2, 1), 10);
	assert_int_equal(tpl_find_use(&ix, "VpcCidr", 11, 1), 17);
	assert_int_equal(tpl_find_use(&ix, "VpcCidr", 18, 1), 1);
	assert_int_equal(tpl_find_use(&ix, "VpcCidr", 9, -1), 1);
	assert_int_equal(tpl_find_use(&ix, "Nothing", 0, 1), -1);
	tpl_index_free(&ix);
	/* an empty template */
	assert_true(tpl_index_build(&ix, "", 0));
	assert_int_equal(ix.nlines, 0);
	assert_int_equal(tpl_find_use(&ix, "X", 0, 1), -1);
	tpl_index_free(&ix);
}

/* ---- ui_recover -------------------------------------------------------------- */

static void test_recover_roundtrip(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	char *model_path = tu_join(dir, "prod.yml");
	char *path = recover_path(model_path);
	assert_non_null(path);
	assert_contains(path, "/.prod.yml.lmsctl-recover");
	recover_data d = {0};
	d.model = strdup(model_path);
	d.written = 1700000000;
	assert_true(recover_add(&d, "VpcCidr", "10.0.0.0/8"));
	assert_true(recover_add(&d, "Odd", "it's: # \"quoted\" ~"));
	assert_true(recover_add(&d, "Tilde", "~"));
	assert_true(recover_add(&d, "Gone", NULL));
	assert_true(recover_add(&d, "Ctl", "a\tb\x1b"));
	lms_error err = {0};
	assert_true(recover_write(path, &d, &err));
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600); /* the edits may hold secrets */
	recover_data r = {0};
	assert_true(recover_read(path, &r, &err));
	assert_string_equal(r.model, model_path);
	assert_int_equal(r.written, 1700000000);
	assert_int_equal(r.n, 5);
	assert_string_equal(r.v[1].value, "it's: # \"quoted\" ~");
	assert_string_equal(r.v[2].value, "~"); /* a value, not the null */
	assert_null(r.v[3].value);
	assert_string_equal(r.v[4].value, "a\tb\x1b");
	recover_data_free(&r);
	recover_data_free(&d);
	/* no file: false without an error; a bad file: an error */
	recover_remove(path);
	assert_false(recover_read(path, &r, &err));
	assert_null(err.msg);
	tu_write_bytes(path, "- a list\n", 9);
	assert_false(recover_read(path, &r, &err));
	assert_error(&err, "not an lmsctl recovery file");
	recover_remove(path);
	/* the built-in model's file goes to the state directory */
	setenv("XDG_STATE_HOME", dir, 1);
	char *builtin = recover_path(NULL);
	assert_non_null(builtin);
	assert_contains(builtin, "/lmsctl/builtin-dev.lmsctl-recover");
	free(builtin);
	free(path);
	free(model_path);
	tu_rmtree(dir);
	free(dir);
}

/* ---- ui_model -------------------------------------------------------------------- */

typedef struct fixture {
	catalog *cat;
	model *m;
	ui_model um;
} fixture;

static int model_setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	lms_error err = {0};
	if (!f)
		return -1;
	f->cat = catalog_load(tu_templates_dir(), &err);
	if (f->cat)
		f->m = model_new_from_catalog(f->cat, "dev", &err);
	if (!f->m || !ui_model_init(&f->um, f->cat, f->m, &err)) {
		char *s = lms_error_format(&err);
		print_error("set-up: %s\n", s ? s : "out of memory");
		free(s);
		lms_error_clear(&err);
		model_free(f->m);
		catalog_free(f->cat);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int model_teardown(void **state)
{
	fixture *f = *state;
	ui_model_free(&f->um);
	model_free(f->m);
	catalog_free(f->cat);
	free(f);
	return 0;
}

static void test_model_dirty_and_apply(void **state)
{
	fixture *f = *state;
	assert_int_equal(ui_model_dirty(&f->um), 0);
	const char *before = ui_model_value(&f->um, "VpcCidr");
	char *saved = strdup(before);
	assert_true(ui_model_apply(&f->um, "VpcCidr", "10.99.0.0/16"));
	assert_int_equal(ui_model_dirty(&f->um), 1);
	assert_true(ui_model_is_dirty_key(&f->um, "VpcCidr"));
	assert_string_equal(ui_model_saved(&f->um, "VpcCidr"), saved);
	/* back to the saved value: not an unsaved edit any more */
	assert_true(ui_model_apply(&f->um, "VpcCidr", saved));
	assert_int_equal(ui_model_dirty(&f->um), 0);
	/* the bound parameters are the top-level keys */
	assert_true(ui_model_apply(&f->um, "Environment", "prod"));
	assert_string_equal(ui_model_raw(&f->um, "environment"), "prod");
	assert_int_equal(ui_model_dirty(&f->um), 1);
	assert_true(ui_model_mark_saved(&f->um));
	assert_int_equal(ui_model_dirty(&f->um), 0);
	free(saved);
}

static void test_model_live_check_leaves_model_alone(void **state)
{
	fixture *f = *state;
	const cat_param *p = catalog_param(f->cat, "VpcCidr");
	assert_non_null(p);
	unsigned long gen = f->um.generation;
	char *before = strdup(ui_model_value(&f->um, "VpcCidr"));
	const model_entry *e = model_find(f->m, "VpcCidr");
	bool changed = e->changed;
	findings own, cross;
	findings_init(&own);
	findings_init(&cross);
	ui_model_check(&f->um, p, "10.40.0.0/8", &own, &cross);
	/* its own constraint (the template's AllowedPattern), with the
	 * ConstraintDescription as the hint */
	assert_true(own.n >= 1);
	assert_string_equal(own.v[0].rule, "PRM003");
	assert_string_equal(own.v[0].hint, p->constraint_description);
	/* and a cross-field rule on the same field */
	bool net = false;
	for (size_t i = 0; i < cross.n; i++)
		net = net || strncmp(cross.v[i].rule, "NET", 3) == 0;
	assert_true(net);
	findings_free(&own);
	findings_free(&cross);
	assert_string_equal(ui_model_value(&f->um, "VpcCidr"), before);
	assert_int_equal(model_find(f->m, "VpcCidr")->changed, changed);
	assert_int_equal(f->um.generation, gen);
	assert_int_equal(ui_model_dirty(&f->um), 0);
	free(before);
	/* a valid value: no findings of its own */
	findings_init(&own);
	ui_model_check(&f->um, p, "10.41.0.0/16", &own, NULL);
	assert_int_equal(own.n, 0);
	findings_free(&own);
}

static void test_model_unset_added_key(void **state)
{
	fixture *f = *state;
	/* a key the model did not have can become absent again (undo) */
	const cat_param *p = &f->cat->params[0];
	size_t n = f->m->n;
	assert_true(ui_model_apply(&f->um, "NotInTheModel", "x"));
	assert_int_equal(f->m->n, n + 1);
	assert_true(ui_model_apply(&f->um, "NotInTheModel", NULL));
	assert_int_equal(f->m->n, n);
	assert_null(ui_model_raw(&f->um, "NotInTheModel"));
	(void)p;
}

static void test_model_hidden_resources(void **state)
{
	fixture *f = *state;
	const cat_param *az = catalog_param(f->cat, "AvailabilityZoneCount");
	assert_non_null(az);
	size_t i = ui_model_param_index(&f->um, az);
	assert_true(ui_model_apply(&f->um, "AvailabilityZoneCount", "2"));
	assert_true(f->um.fs[i].hidden > 0);
	buf b;
	buf_init(&b, 0);
	assert_int_equal(ui_model_hidden_list(&f->um, az, &b), f->um.fs[i].hidden);
	assert_contains(buf_cstr(&b), "Subnet3");
	assert_contains(buf_cstr(&b), "HasThirdAz");
	buf_free(&b);
	/* three AZs: the subnets are back; the third NAT still needs per-az */
	assert_true(ui_model_apply(&f->um, "AvailabilityZoneCount", "3"));
	buf_init(&b, 0);
	ui_model_hidden_list(&f->um, az, &b);
	assert_not_contains(buf_cstr(&b), "Subnet3");
	buf_free(&b);
	assert_true(ui_model_apply(&f->um, "NatGatewayMode", "per-az"));
	assert_int_equal(f->um.fs[i].hidden, 0);
}

static void test_model_findings_by_field_and_group(void **state)
{
	fixture *f = *state;
	assert_true(ui_model_apply(&f->um, "VpcCidr", "not a cidr"));
	const cat_param *p = catalog_param(f->cat, "VpcCidr");
	size_t i = ui_model_param_index(&f->um, p);
	assert_true(f->um.fs[i].nfind > 0);
	assert_int_equal(f->um.fs[i].worst, SEV_ERROR);
	assert_true(f->um.errors > 0);
	assert_true(f->um.group_errors[p->group] > 0);
	const finding *x = &f->um.f.v[f->um.fs[i].first];
	assert_ptr_equal(ui_model_field_param(&f->um, x->field), p);
	/* the top-level keys map to their parameters */
	assert_ptr_equal(ui_model_field_param(&f->um, "environment"),
	                 catalog_param(f->cat, "Environment"));
	/* the template for the model, with the value as the Default */
	buf t;
	buf_init(&t, 0);
	lms_error err = {0};
	assert_true(ui_model_template(&f->um, &t, &err));
	assert_contains(buf_cstr(&t), "not a cidr");
	buf_free(&t);
}

/* ---- ops ----------------------------------------------------------------------- */

static void test_ops_helpers(void **state)
{
	(void)state;
	char hex[65];
	ops_sha256_hex("abc", 3, hex);
	assert_string_equal(hex,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_true(type_is_stateful("AWS::RDS::DBCluster"));
	assert_false(type_is_stateful("AWS::EC2::Subnet"));
	assert_true(ops_status_in_progress("UPDATE_ROLLBACK_IN_PROGRESS"));
	assert_false(ops_status_in_progress("UPDATE_COMPLETE"));
	assert_true(ops_status_failed("ROLLBACK_COMPLETE"));
	assert_true(ops_status_failed("UPDATE_ROLLBACK_FAILED"));
	assert_false(ops_status_failed("CREATE_COMPLETE"));
	/* the review's order: stateful removals and replacements first */
	ops_change v[5] = {
	    {OPS_ADD, OPS_REPL_NEVER, "A", "", "AWS::EC2::Subnet", "", false},
	    {OPS_MODIFY, OPS_REPL_NEVER, "B", "", "AWS::EC2::Subnet", "", false},
	    {OPS_MODIFY, OPS_REPL_ALWAYS, "C", "", "AWS::RDS::DBCluster", "x", true},
	    {OPS_REMOVE, OPS_REPL_NEVER, "D", "", "AWS::EC2::Subnet", "", false},
	    {OPS_MODIFY, OPS_REPL_CONDITIONAL, "E", "", "AWS::EC2::SecurityGroup", "y", false},
	};
	ops_changeset cs = {0};
	cs.v = v;
	cs.n = 5;
	ops_changeset_sort(&cs);
	assert_string_equal(cs.v[0].logical_id, "C");
	assert_string_equal(cs.v[1].logical_id, "D");
	assert_string_equal(cs.v[2].logical_id, "E");
	assert_string_equal(cs.v[4].logical_id, "A");
	/* one order for the console and lmsctl deploy: a stateful replacement, a stateful
	 * removal, a removal, a replacement */
	ops_change sr = {OPS_REMOVE, OPS_REPL_NEVER, "S", "", "AWS::S3::Bucket", "", true};
	assert_true(ops_change_risk(&cs.v[0]) > ops_change_risk(&sr));
	assert_true(ops_change_risk(&sr) > ops_change_risk(&cs.v[1]));
	assert_true(ops_change_risk(&cs.v[1]) > ops_change_risk(&cs.v[2]));
	assert_int_equal(ops_action_of("Remove"), OPS_REMOVE);
	assert_int_equal(ops_replacement_of("Conditional"), OPS_REPL_CONDITIONAL);
	assert_int_equal(ops_replacement_of("False"), OPS_REPL_NEVER);
	size_t add, mod, rep, rem;
	ops_changeset_counts(&cs, &add, &mod, &rep, &rem);
	assert_int_equal(add, 1);
	assert_int_equal(mod, 1);
	assert_int_equal(rep, 2); /* replacements counted on their own */
	assert_int_equal(rem, 1);
	/* copying owns everything */
	ops_changeset copy;
	assert_true(ops_changeset_copy(&copy, &cs));
	assert_int_equal(copy.n, 5);
	assert_string_equal(copy.v[0].replace_because, "x");
	ops_changeset_free(&copy);
}

/* Reads messages until DONE (or a timeout); returns them in order. */
typedef struct msgs {
	ops_msg *v[4096];
	size_t n;
} msgs;

static bool run_job(ops_runner *r, ops_job job, const ops_request *rq, msgs *out, int timeout_ms)
{
	if (!ops_runner_start(r, job, rq))
		return false;
	out->n = 0;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = {ops_runner_fd(r), POLLIN, 0};
		poll(&p, 1, 50);
		ops_msg *m;
		while ((m = ops_runner_next(r)) != NULL) {
			if (out->n < 4096)
				out->v[out->n++] = m;
			else
				ops_msg_free(m);
			if (m->kind == OPS_MSG_DONE)
				return true;
		}
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > timeout_ms)
			return false;
	}
}

static void msgs_free(msgs *m)
{
	for (size_t i = 0; i < m->n; i++)
		ops_msg_free(m->v[i]);
	m->n = 0;
}

static const ops_msg *find_msg(const msgs *m, ops_msg_kind k)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i]->kind == k)
			return m->v[i];
	return NULL;
}

static const ops_fake_resource fake_res[] = {
    {"Vpc", "AWS::EC2::VPC"},
    {"Subnet1", "AWS::EC2::Subnet"},
    {"DatabaseCluster", "AWS::RDS::DBCluster"},
    {"FlowLogGroup", "AWS::Logs::LogGroup"},
    {"AppRole", "AWS::IAM::Role"},
    {"AlbSecurityGroup", "AWS::EC2::SecurityGroup"},
    {"Hidden3", "AWS::EC2::Subnet"},
};

static void request(ops_request *rq, char **resources, size_t n)
{
	memset(rq, 0, sizeof(*rq));
	rq->stack = "lms-test";
	rq->region = "eu-west-1";
	rq->environment = "dev";
	rq->template_text = "Resources: {}\n";
	rq->template_len = strlen(rq->template_text);
	ops_sha256_hex(rq->template_text, rq->template_len, rq->sha256);
	rq->changeset_id = "";
	rq->resources = resources;
	rq->nresources = n;
}

static void test_ops_fake_deploy(void **state)
{
	(void)state;
	lms_error err = {0};
	ops_backend *b = ops_fake_new("new", fake_res, 7, 1, &err);
	assert_non_null(b);
	ops_runner *r = ops_runner_new(b, &err);
	assert_non_null(r);
	assert_string_equal(ops_runner_backend(r), "fake");
	char *present[] = {"Vpc",          "Subnet1", "DatabaseCluster",
	                   "FlowLogGroup", "AppRole", "AlbSecurityGroup"};
	ops_request rq;
	request(&rq, present, 6);
	msgs m;
	assert_true(run_job(r, OPS_STARTUP, &rq, &m, 5000));
	const ops_msg *id = find_msg(&m, OPS_MSG_IDENTITY);
	assert_non_null(id);
	assert_string_equal(id->u.identity.account, "123456789012");
	const ops_msg *st = find_msg(&m, OPS_MSG_STACK);
	assert_false(st->u.stack.exists);
	assert_non_null(find_msg(&m, OPS_MSG_CALL));
	assert_true(m.v[m.n - 1]->u.done.ok);
	msgs_free(&m);
	/* a plan: the resources the template creates, tied to its SHA-256 */
	assert_true(run_job(r, OPS_PLAN, &rq, &m, 5000));
	const ops_msg *cs = find_msg(&m, OPS_MSG_CHANGESET);
	assert_non_null(cs);
	assert_int_equal(cs->u.cs.n, 6); /* Hidden3 is not in the template */
	assert_string_equal(cs->u.cs.sha256, rq.sha256);
	assert_true(cs->u.cs.creates_stack);
	char *cs_id = strdup(cs->u.cs.id);
	msgs_free(&m);
	/* busy: one job at a time */
	rq.changeset_id = cs_id;
	assert_true(ops_runner_start(r, OPS_EXECUTE, &rq));
	assert_true(ops_runner_busy(r));
	assert_false(ops_runner_start(r, OPS_WATCH, &rq));
	m.n = 0;
	for (int i = 0; i < 200 && ops_runner_busy(r); i++) {
		struct pollfd p = {ops_runner_fd(r), POLLIN, 0};
		poll(&p, 1, 50);
		ops_msg *x;
		while ((x = ops_runner_next(r)) != NULL)
			if (m.n < 4096)
				m.v[m.n++] = x;
	}
	assert_false(ops_runner_busy(r));
	size_t complete = 0;
	for (size_t i = 0; i < m.n; i++)
		if (m.v[i]->kind == OPS_MSG_EVENT &&
		    strcmp(m.v[i]->u.event.status, "CREATE_COMPLETE") == 0 &&
		    strcmp(m.v[i]->u.event.type, "AWS::CloudFormation::Stack") != 0)
			complete++;
	assert_int_equal(complete, 6);
	assert_non_null(find_msg(&m, OPS_MSG_OUTPUTS));
	msgs_free(&m);
	free(cs_id);
	ops_runner_free(r);
}

/* The index of the first message of `kind` about the edge (or not), from `from`; m->n when
 * none. */
static size_t first_of(const msgs *m, size_t from, ops_msg_kind kind, bool edge)
{
	for (size_t i = from; i < m->n; i++)
		if (m->v[i]->kind == kind && m->v[i]->edge == edge)
			return i;
	return m->n;
}

/* An environment of two stacks (ops_request.edge): every message about the companion is
 * marked `edge`, and the fake plays both in their order. */
static void test_ops_fake_edge(void **state)
{
	(void)state;
	lms_error err = {0};
	ops_backend *b = ops_fake_new("new", fake_res, 7, 1, &err);
	ops_runner *r = ops_runner_new(b, &err);
	assert_non_null(r);
	char *present[] = {"Vpc", "Subnet1", "DatabaseCluster"};
	ops_request rq;
	request(&rq, present, 3);
	ops_param params[] = {{"Environment", "dev", false, false}};
	ops_param from[] = {{"AlbArn", "AlbArn", false, false}};
	ops_resource res[] = {{"Distribution", "AWS::CloudFront::Distribution", ""},
	                      {"WebAcl", "AWS::WAFv2::WebACL", ""}};
	rq.edge = (ops_edge){.stack = "lms-test-edge",
	                     .region = "us-east-1",
	                     .template_text = "Resources: {}\n",
	                     .template_len = 14,
	                     .params = params,
	                     .nparams = 1,
	                     .from = from,
	                     .nfrom = 1,
	                     .resources = res,
	                     .nresources = 2,
	                     .changeset_id = ""};
	msgs m;
	/* start-up: both stacks' states, the edge's marked; its calls name its Region */
	assert_true(run_job(r, OPS_STARTUP, &rq, &m, 5000));
	size_t main_st = first_of(&m, 0, OPS_MSG_STACK, false);
	size_t edge_st = first_of(&m, 0, OPS_MSG_STACK, true);
	assert_true(main_st < edge_st && edge_st < m.n);
	assert_false(m.v[edge_st]->u.stack.exists);
	size_t call = first_of(&m, 0, OPS_MSG_CALL, true);
	assert_true(call < m.n);
	assert_non_null(strstr(m.v[call]->u.call.cli, "--stack-name lms-test-edge"));
	assert_non_null(strstr(m.v[call]->u.call.cli, "--region us-east-1"));
	assert_false(m.v[m.n - 1]->edge); /* DONE: the job's */
	msgs_free(&m);
	/* a plan: the main stack's change set, then the edge's, pending (no outputs yet) */
	assert_true(run_job(r, OPS_PLAN, &rq, &m, 5000));
	size_t mcs = first_of(&m, 0, OPS_MSG_CHANGESET, false);
	size_t ecs = first_of(&m, 0, OPS_MSG_CHANGESET, true);
	assert_true(mcs < ecs && ecs < m.n);
	assert_int_equal(m.v[mcs]->u.cs.n, 3);
	assert_false(m.v[mcs]->u.cs.pending);
	assert_true(m.v[ecs]->u.cs.pending);
	assert_int_equal(m.v[ecs]->u.cs.n, 2);
	assert_string_equal(m.v[ecs]->u.cs.id, "");
	char *cs_id = strdup(m.v[mcs]->u.cs.id);
	msgs_free(&m);
	/* execute: every event of the main stack before the first of the edge */
	rq.changeset_id = cs_id;
	assert_true(run_job(r, OPS_EXECUTE, &rq, &m, 10000));
	size_t first_edge = first_of(&m, 0, OPS_MSG_EVENT, true);
	assert_true(first_edge < m.n);
	assert_true(first_of(&m, first_edge, OPS_MSG_EVENT, false) == m.n);
	size_t main_done = m.n;
	for (size_t i = 0; i < m.n; i++)
		if (m.v[i]->kind == OPS_MSG_EVENT && !m.v[i]->edge &&
		    strcmp(m.v[i]->u.event.type, "AWS::CloudFormation::Stack") == 0 &&
		    strcmp(m.v[i]->u.event.status, "CREATE_COMPLETE") == 0)
			main_done = i;
	assert_true(main_done < first_edge);
	size_t eout = first_of(&m, 0, OPS_MSG_OUTPUTS, true);
	assert_true(first_of(&m, 0, OPS_MSG_OUTPUTS, false) < eout && eout < m.n);
	assert_true(m.v[m.n - 1]->u.done.ok);
	msgs_free(&m);
	/* drift and the deployed template: the main stack's, then the edge's, marked */
	assert_true(run_job(r, OPS_DRIFT, &rq, &m, 5000));
	size_t mdrift = first_of(&m, 0, OPS_MSG_DRIFT, false);
	size_t edrift = first_of(&m, 0, OPS_MSG_DRIFT, true);
	assert_true(mdrift < edrift && edrift < m.n);
	assert_true(strncmp(m.v[edrift]->u.text, "IN_SYNC: 0 of 2 resource(s) ", 28) == 0);
	call = first_of(&m, mdrift, OPS_MSG_CALL, true);
	assert_true(call < m.n);
	assert_non_null(
	    strstr(m.v[call]->u.call.cli, "detect-stack-drift --stack-name lms-test-edge"));
	assert_non_null(strstr(m.v[call]->u.call.cli, "--region us-east-1"));
	msgs_free(&m);
	assert_true(run_job(r, OPS_TEMPLATE, &rq, &m, 5000));
	size_t mtpl = first_of(&m, 0, OPS_MSG_TEMPLATE, false);
	size_t etpl = first_of(&m, 0, OPS_MSG_TEMPLATE, true);
	assert_true(mtpl < etpl && etpl < m.n);
	assert_string_equal(m.v[etpl]->u.text, "Resources: {}\n");
	size_t eparams = first_of(&m, mtpl, OPS_MSG_PARAMETERS, true);
	assert_true(eparams < etpl);
	assert_int_equal(m.v[eparams]->u.outputs.n, 2); /* Environment, AlbArn */
	msgs_free(&m);
	/* destroy: the edge gone before the main stack's first deletion */
	assert_true(run_job(r, OPS_DESTROY, &rq, &m, 10000));
	size_t edge_gone = m.n, main_first = first_of(&m, 0, OPS_MSG_EVENT, false);
	for (size_t i = 0; i < m.n && edge_gone == m.n; i++)
		if (m.v[i]->kind == OPS_MSG_EVENT && m.v[i]->edge &&
		    strcmp(m.v[i]->u.event.type, "AWS::CloudFormation::Stack") == 0 &&
		    strcmp(m.v[i]->u.event.status, "DELETE_COMPLETE") == 0)
			edge_gone = i;
	assert_true(edge_gone < main_first && main_first < m.n);
	assert_true(m.v[m.n - 1]->u.done.ok);
	msgs_free(&m);
	free(cs_id);
	ops_runner_free(r);
	/* a stack whose edge is not deployed (a failed create): its STACK says so, no drift, no
	 * template of the edge; the job is the main stack's and succeeds */
	b = ops_fake_new("failed-create", fake_res, 7, 1, &err);
	r = ops_runner_new(b, &err);
	assert_non_null(r);
	rq.changeset_id = "";
	for (int j = 0; j < 2; j++) {
		ops_job job = j ? OPS_TEMPLATE : OPS_DRIFT;
		assert_true(run_job(r, job, &rq, &m, 5000));
		size_t est = first_of(&m, 0, OPS_MSG_STACK, true);
		assert_true(est < m.n);
		assert_false(m.v[est]->u.stack.exists);
		assert_true(first_of(&m, 0, OPS_MSG_DRIFT, true) == m.n);
		assert_true(first_of(&m, 0, OPS_MSG_TEMPLATE, true) == m.n);
		assert_true(first_of(&m, 0, j ? OPS_MSG_TEMPLATE : OPS_MSG_DRIFT, false) < m.n);
		assert_true(m.v[m.n - 1]->u.done.ok);
		msgs_free(&m);
	}
	ops_runner_free(r);
}

/* An edge operation already running (edge-inprogress): OPS_WATCH follows it after the main
 * stack (settled), its events and its end marked as the edge's. */
static void test_ops_fake_edge_watch(void **state)
{
	(void)state;
	lms_error err = {0};
	ops_backend *b = ops_fake_new("edge-inprogress", fake_res, 7, 1, &err);
	ops_runner *r = ops_runner_new(b, &err);
	assert_non_null(r);
	ops_request rq;
	request(&rq, NULL, 0);
	ops_resource res[] = {{"Distribution", "AWS::CloudFront::Distribution", ""},
	                      {"WebAcl", "AWS::WAFv2::WebACL", ""}};
	rq.edge = (ops_edge){.stack = "lms-test-edge",
	                     .region = "us-east-1",
	                     .template_text = "",
	                     .resources = res,
	                     .nresources = 2,
	                     .changeset_id = ""};
	msgs m;
	assert_true(run_job(r, OPS_STARTUP, &rq, &m, 5000));
	size_t est = first_of(&m, 0, OPS_MSG_STACK, true);
	assert_true(est < m.n);
	assert_string_equal(m.v[est]->u.stack.status, "UPDATE_IN_PROGRESS");
	msgs_free(&m);
	assert_true(run_job(r, OPS_WATCH, &rq, &m, 5000));
	assert_true(first_of(&m, 0, OPS_MSG_EVENT, false) == m.n); /* the main stack: settled */
	size_t ev = first_of(&m, 0, OPS_MSG_EVENT, true);
	assert_true(ev < m.n);
	size_t last = m.n;
	for (size_t i = 0; i < m.n; i++)
		if (m.v[i]->kind == OPS_MSG_STACK && m.v[i]->edge)
			last = i;
	assert_true(last < m.n);
	assert_string_equal(m.v[last]->u.stack.status, "UPDATE_COMPLETE");
	assert_true(m.v[m.n - 1]->u.done.ok);
	msgs_free(&m);
	ops_runner_free(r);
}

static void test_ops_detach_and_errors(void **state)
{
	(void)state;
	lms_error err = {0};
	/* a slow update, detached: the job ends at once */
	ops_backend *b = ops_fake_new("inprogress", fake_res, 7, 2000, &err);
	ops_runner *r = ops_runner_new(b, &err);
	ops_request rq;
	request(&rq, NULL, 0);
	assert_true(ops_runner_start(r, OPS_WATCH, &rq));
	ops_runner_stop(r);
	msgs m;
	m.n = 0;
	for (int i = 0; i < 40 && ops_runner_busy(r); i++) {
		struct pollfd p = {ops_runner_fd(r), POLLIN, 0};
		poll(&p, 1, 50);
		ops_msg *x;
		while ((x = ops_runner_next(r)) != NULL)
			if (m.n < 4096)
				m.v[m.n++] = x;
	}
	assert_false(ops_runner_busy(r)); /* well under the 2 s step */
	msgs_free(&m);
	ops_runner_free(r);
	/* access denied: an error the operator can act on, never a crash */
	b = ops_fake_new("denied", fake_res, 7, 1, &err);
	r = ops_runner_new(b, &err);
	assert_true(run_job(r, OPS_PLAN, &rq, &m, 5000));
	const ops_msg *e = find_msg(&m, OPS_MSG_ERROR);
	assert_non_null(e);
	assert_contains(e->u.text, "access denied");
	assert_false(m.v[m.n - 1]->u.done.ok);
	const ops_msg *call = find_msg(&m, OPS_MSG_CALL);
	assert_int_equal(call->u.call.http_status, 403);
	assert_contains(call->u.call.cli, "aws cloudformation create-change-set");
	msgs_free(&m);
	/* freeing a runner with a job running stops and joins it */
	assert_true(ops_runner_start(r, OPS_PLAN, &rq));
	ops_runner_free(r);
	/* an unknown scenario is an error */
	assert_null(ops_fake_new("nope", fake_res, 7, 1, &err));
	assert_error(&err, "unknown fake scenario");
}

/* tui/keymap.c: the [keys] grammar at each edge, names, lookup through bindings, clashes */
static void test_keymap(void **state)
{
	(void)state;
	assert_int_equal(keymap_key_parse("M"), 'M');
	assert_int_equal(keymap_key_parse("!"), '!');
	assert_int_equal(keymap_key_parse("~"), '~');
	assert_int_equal(keymap_key_parse(" "), 0);
	assert_int_equal(keymap_key_parse("\x7f"), 0);
	assert_int_equal(keymap_key_parse(""), 0);
	assert_int_equal(keymap_key_parse("MM"), 0);
	assert_int_equal(keymap_key_parse("Ctrl-A"), 1);
	assert_int_equal(keymap_key_parse("Ctrl-z"), 26);
	assert_int_equal(keymap_key_parse("Ctrl-1"), 0);
	assert_int_equal(keymap_key_parse("Ctrl-"), 0);
	assert_int_equal(keymap_key_parse("ctrl-a"), 0);
	assert_int_equal(keymap_key_parse("F1"), KEYMAP_FN(1));
	assert_int_equal(keymap_key_parse("F9"), KEYMAP_FN(9));
	assert_int_equal(keymap_key_parse("F10"), KEYMAP_FN(10));
	assert_int_equal(keymap_key_parse("F12"), KEYMAP_FN(12));
	assert_int_equal(keymap_key_parse("F13"), 0);
	assert_int_equal(keymap_key_parse("F0"), 0);
	assert_int_equal(keymap_key_parse("F01"), 0);
	assert_int_equal(keymap_key_parse("F"), 'F');
	char name[16];
	keymap_key_name(KEYMAP_FN(12), name, sizeof name);
	assert_string_equal(name, "F12");
	keymap_key_name(keymap_key_parse("Ctrl-r"), name, sizeof name);
	assert_string_equal(name, "Ctrl-R");
	assert_int_equal(keymap_action_find("messages"), KEYMAP_MESSAGES);
	assert_int_equal(keymap_action_find("message"), -1);
	assert_int_equal(keymap_action_find("view-log"), KEYMAP_VIEW_LOG);
	assert_true(keymap_reserved('n') && keymap_reserved(3) && !keymap_reserved('m'));

	keymap km = {{0}};
	assert_int_equal(keymap_lookup(NULL, 'M'), KEYMAP_MESSAGES);
	assert_int_equal(keymap_lookup(&km, KEYMAP_FN(1)), KEYMAP_HELP);
	km.key[KEYMAP_MESSAGES] = KEYMAP_FN(2);
	assert_int_equal(keymap_lookup(&km, KEYMAP_FN(2)), KEYMAP_MESSAGES);
	assert_int_equal(keymap_lookup(&km, 'M'), -1); /* the default no longer does it */
	int a, b;
	assert_false(keymap_clash(&km, &a, &b));
	km.key[KEYMAP_MESSAGES] = 'S'; /* save's default, save not rebound */
	assert_true(keymap_clash(&km, &a, &b));
	assert_int_equal(a, KEYMAP_MESSAGES);
	assert_int_equal(b, KEYMAP_SAVE);
	km.key[KEYMAP_SAVE] = KEYMAP_FN(3);
	assert_false(keymap_clash(&km, &a, &b));
	assert_int_equal(keymap_lookup(&km, 'S'), KEYMAP_MESSAGES);
	km.key[KEYMAP_DEPLOY] = KEYMAP_FN(3); /* two bindings on one key */
	assert_true(keymap_clash(&km, &a, &b));
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utf8_decode_never_fails),
	    cmocka_unit_test(test_widths_and_fit),
	    cmocka_unit_test(test_wrap),
	    cmocka_unit_test(test_history_undo_redo),
	    cmocka_unit_test(test_history_steps),
	    cmocka_unit_test(test_cmd_parse),
	    cmocka_unit_test(test_cmd_complete),
	    cmocka_unit_test(test_cmd_nearest),
	    cmocka_unit_test(test_keymap),
	    cmocka_unit_test(test_edit_distance),
	    cmocka_unit_test(test_diff_identical_and_simple),
	    cmocka_unit_test(test_diff_hunks_and_edges),
	    cmocka_unit_test(test_yaml_spans),
	    cmocka_unit_test(test_tpl_index),
	    cmocka_unit_test(test_recover_roundtrip),
	    cmocka_unit_test_setup_teardown(test_model_dirty_and_apply, model_setup,
	                                    model_teardown),
	    cmocka_unit_test_setup_teardown(test_model_live_check_leaves_model_alone, model_setup,
	                                    model_teardown),
	    cmocka_unit_test_setup_teardown(test_model_unset_added_key, model_setup,
	                                    model_teardown),
	    cmocka_unit_test_setup_teardown(test_model_hidden_resources, model_setup,
	                                    model_teardown),
	    cmocka_unit_test_setup_teardown(test_model_findings_by_field_and_group, model_setup,
	                                    model_teardown),
	    cmocka_unit_test(test_ops_helpers),
	    cmocka_unit_test(test_ops_fake_deploy),
	    cmocka_unit_test(test_ops_fake_edge),
	    cmocka_unit_test(test_ops_fake_edge_watch),
	    cmocka_unit_test(test_ops_detach_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
