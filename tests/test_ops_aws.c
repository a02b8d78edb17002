/* The console's AWS backend (ops/ops_aws.c) through the ops runner, against
 * tests/fault_server.py's recorded CloudFormation answers: what moto cannot show (resource
 * events, a failed update rolled back, deletion protection, an update running at
 * start). Each test runs jobs the way the console does and checks the messages the
 * console would draw: the change set, the events, the first failure, the errors, the
 * calls for the API log. */
#include "ops/flow.h"
#include "ops/leftovers.h"
#include "ops/ops.h"

#include "common/buf.h"
#include "common/file.h"
#include "faultutil.h"

#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static fault_server server;
static int key_counter;
static char state_dir[] = "/tmp/lmsctl-ops-aws-XXXXXX";

static int setup(void **state)
{
	(void)state;
	char dir[4096];
	const char *top = getenv("TOP_SRCDIR");
	snprintf(dir, sizeof dir, "%s/tests/fixtures/deploy/recorded", top ? top : ".");
	if (!mkdtemp(state_dir))
		return -1;
	/* the credentials the recordings expect; nothing else is looked at */
	setenv("AWS_ACCESS_KEY_ID", "AKIDRECORDED", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "recorded-secret", 1);
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_PROFILE");
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("HOME", state_dir, 1);
	setenv("XDG_STATE_HOME", state_dir, 1);
	return fault_server_start(&server, dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fault_server_stop(&server);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", state_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* What a job posted, as text: one line a message. */
typedef struct seen {
	buf text;
	bool done, ok;
	size_t calls, events, changes;
	/* the last STACK message: what the console keeps */
	bool stack_exists;
	char stack_status[64];
} seen;

static void seen_free(seen *s)
{
	buf_free(&s->text);
}

static ops_runner *runner_for(const char *scenario)
{
	char url[256];
	snprintf(url, sizeof url, "%s/recorded/%s/k%d-%ld", server.url, scenario, ++key_counter,
	         (long)getpid());
	ops_aws_options o = {.endpoint_url = url, .timeout_ms = 5000, .backoff_unit_ms = 10};
	lms_error err = {0};
	ops_backend *b = ops_aws_new(&o, &err);
	assert_non_null(b);
	ops_runner *r = ops_runner_new(b, &err);
	assert_non_null(r);
	assert_string_equal(ops_runner_backend(r), "aws");
	return r;
}

static void request(ops_request *rq, const char *changeset_id)
{
	static char tpl[] = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n";
	static ops_param params[] = {{(char *)"Environment", (char *)"dev", false, false},
	                             {(char *)"DbToken", (char *)"s3cr3t-value", true, false}};
	memset(rq, 0, sizeof *rq);
	rq->stack = (char *)"lms-rec";
	rq->region = (char *)"eu-west-1";
	rq->environment = (char *)"dev";
	rq->template_text = tpl;
	rq->template_len = strlen(tpl);
	ops_sha256_hex(tpl, rq->template_len, rq->sha256);
	rq->changeset_id = (char *)(changeset_id ? changeset_id : "");
	rq->params = params;
	rq->nparams = 2;
}

/* Runs one job of `rq` to its DONE (60 s at most), recording what it posted. */
static void run_rq(ops_runner *r, ops_job job, const ops_request *rq, seen *s, char **cs_id)
{
	memset(s, 0, sizeof *s);
	buf_init(&s->text, 0);
	assert_true(ops_runner_start(r, job, rq));
	for (int i = 0; i < 600 && !s->done; i++) {
		struct pollfd p = {.fd = ops_runner_fd(r), .events = POLLIN};
		poll(&p, 1, 100);
		ops_msg *m;
		while (!s->done && (m = ops_runner_next(r)) != NULL) {
			switch (m->kind) {
			case OPS_MSG_CALL:
				s->calls++;
				buf_addf(&s->text, "CALL %s:%s %d %s | %s | %s\n",
				         m->u.call.service, m->u.call.action, m->u.call.http_status,
				         m->u.call.request_id, m->u.call.error, m->u.call.cli);
				break;
			case OPS_MSG_IDENTITY:
				buf_addf(&s->text, "IDENTITY %s %s\n", m->u.identity.account,
				         m->u.identity.arn);
				break;
			case OPS_MSG_STACK:
				buf_addf(&s->text, "STACK %d %s\n", m->u.stack.exists,
				         m->u.stack.status);
				s->stack_exists = m->u.stack.exists;
				snprintf(s->stack_status, sizeof s->stack_status, "%s",
				         m->u.stack.status ? m->u.stack.status : "");
				break;
			case OPS_MSG_CHANGESET:
				s->changes = m->u.cs.n;
				buf_addf(&s->text, "CHANGESET %s %zu\n", m->u.cs.id, m->u.cs.n);
				for (size_t k = 0; k < m->u.cs.n; k++)
					buf_addf(&s->text, "CHANGE %d %d %s %s stateful=%d\n",
					         (int)m->u.cs.v[k].action,
					         (int)m->u.cs.v[k].replacement,
					         m->u.cs.v[k].logical_id, m->u.cs.v[k].type,
					         m->u.cs.v[k].stateful);
				if (cs_id)
					*cs_id = strdup(m->u.cs.id);
				break;
			case OPS_MSG_EVENT:
				s->events++;
				buf_addf(&s->text, "EVENT %s %s %s\n", m->u.event.logical_id,
				         m->u.event.status, m->u.event.reason);
				break;
			case OPS_MSG_OUTPUTS:
				buf_addf(&s->text, "OUTPUTS %zu\n", m->u.outputs.n);
				break;
			case OPS_MSG_PHASE:
			case OPS_MSG_ERROR:
			case OPS_MSG_TEMPLATE:
			case OPS_MSG_DRIFT:
				buf_addf(&s->text, "%s %s\n",
				         m->kind == OPS_MSG_ERROR   ? "ERROR"
				         : m->kind == OPS_MSG_PHASE ? "PHASE"
				         : m->kind == OPS_MSG_DRIFT ? "DRIFT"
				                                    : "TEMPLATE",
				         m->u.text ? m->u.text : "");
				break;
			case OPS_MSG_PARAMETERS:
				for (size_t k = 0; k < m->u.outputs.n; k++)
					buf_addf(&s->text, "PARAM %s=%s\n", m->u.outputs.v[k].key,
					         m->u.outputs.v[k].value);
				break;
			case OPS_MSG_RESOURCES:
				for (size_t k = 0; k < m->u.resources.n; k++)
					buf_addf(&s->text, "RESOURCE %s %s %s\n",
					         m->u.resources.v[k].logical_id,
					         m->u.resources.v[k].type,
					         m->u.resources.v[k].status);
				break;
			case OPS_MSG_DONE:
				s->done = true;
				s->ok = m->u.done.ok;
				break;
			}
			ops_msg_free(m);
		}
	}
	assert_true(s->done);
}

static void run(ops_runner *r, ops_job job, const char *changeset_id, seen *s, char **cs_id)
{
	ops_request rq;
	request(&rq, changeset_id);
	run_rq(r, job, &rq, s, cs_id);
}

static void expect(const seen *s, const char *needle)
{
	if (!strstr(buf_cstr(&s->text), needle))
		fail_msg("lacks '%s' in:\n%s", needle, buf_cstr(&s->text));
}

static void expect_not(const seen *s, const char *needle)
{
	if (strstr(buf_cstr(&s->text), needle))
		fail_msg("has '%s' in:\n%s", needle, buf_cstr(&s->text));
}

static void test_update_rolled_back(void **state)
{
	(void)state;
	ops_runner *r = runner_for("deploy-rollback");
	seen s;
	char *cs_id = NULL;
	run(r, OPS_PLAN, NULL, &s, &cs_id);
	assert_true(s.ok);
	expect(&s, "IDENTITY 123456789012 ");
	expect(&s, "STACK 1 UPDATE_COMPLETE");
	expect(&s, "CHANGESET arn:aws:cloudformation:");
	expect(&s, "CacheReplicationGroup AWS::ElastiCache::ReplicationGroup stateful=1");
	assert_int_equal(s.changes, 2);
	/* the API log: the call, its request id and the aws line, the NoEcho value masked */
	expect(&s, "CALL cloudformation:CreateChangeSet 200 ");
	expect(&s, "aws cloudformation create-change-set --stack-name lms-rec");
	expect(&s, "ParameterKey=DbToken,ParameterValue=****");
	expect_not(&s, "s3cr3t-value");
	assert_non_null(cs_id);
	seen_free(&s);

	run(r, OPS_EXECUTE, cs_id, &s, NULL);
	assert_false(s.ok);
	expect(&s, "CALL cloudformation:ExecuteChangeSet 200");
	expect(&s, "EVENT CacheReplicationGroup UPDATE_FAILED");
	expect(&s, "STACK 1 UPDATE_ROLLBACK_COMPLETE");
	/* the root cause, not what followed from it */
	expect(&s,
	       "ERROR lms-rec is UPDATE_ROLLBACK_COMPLETE; first failure: "
	       "CacheReplicationGroup (AWS::ElastiCache::ReplicationGroup) UPDATE_FAILED: "
	       "Resource handler returned message: \"cache.t4g.huge is not a valid node type\"");
	expect_not(&s, "OUTPUTS");
	/* history before the operation is not replayed */
	expect_not(&s, "09:00:00");
	seen_free(&s);
	free(cs_id);

	/* the journal has the console's deploy */
	char path[4200];
	snprintf(path, sizeof path, "%s/lmsctl/journal.log", state_dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[2048] = "";
	bool found = false;
	while (fgets(line, sizeof line, f))
		found = found || (strstr(line, "\"command\":\"console deploy\"") &&
		                  strstr(line, "\"result\":\"UPDATE_ROLLBACK_COMPLETE\""));
	fclose(f);
	assert_true(found);
	ops_runner_free(r);
}

/* D after a failed ExecuteChangeSet. The first deploy's CREATE change set made the stack
 * (REVIEW_IN_PROGRESS, nothing in it); ExecuteChangeSet is then refused. Nothing runs on
 * the stack: the console's D must plan a new change set, not watch it (it used to: the
 * two classifiers disagreed on REVIEW_IN_PROGRESS, the watch ended at once in an error,
 * and every further D did the same). */
static void test_deploy_again_after_a_failed_execute(void **state)
{
	(void)state;
	ops_runner *r = runner_for("execute-fails");
	seen s;
	char *cs_id = NULL;
	/* no stack yet: D plans */
	assert_int_equal(ops_deploy_job(false, false, NULL), OPS_PLAN);
	run(r, OPS_PLAN, NULL, &s, &cs_id);
	assert_true(s.ok);
	expect(&s, "STACK 0 \n");
	expect(&s, "(CREATE, template");
	expect(&s, "CHANGESET arn:aws:cloudformation:");
	expect(&s, "STACK 1 REVIEW_IN_PROGRESS");
	assert_non_null(cs_id);
	seen_free(&s);

	run(r, OPS_EXECUTE, cs_id, &s, NULL);
	assert_false(s.ok);
	expect(&s, "CALL cloudformation:ExecuteChangeSet 403");
	expect(&s, "ERROR cannot execute the change set: ");
	expect(&s, "AccessDenied");
	expect_not(&s, "PHASE executing");
	/* what it left, as the console keeps it */
	assert_true(s.stack_exists);
	assert_string_equal(s.stack_status, "REVIEW_IN_PROGRESS");
	seen_free(&s);
	free(cs_id);
	cs_id = NULL;

	/* D now: the console asks ops_deploy_job with the stack as last reported */
	assert_int_equal(ops_deploy_job(true, true, "REVIEW_IN_PROGRESS"), OPS_PLAN);
	assert_int_equal(ops_deploy_gate("REVIEW_IN_PROGRESS"), OPS_GATE_CREATE);
	/* and the plan it starts makes a new CREATE change set on the stack left behind */
	run(r, OPS_PLAN, NULL, &s, &cs_id);
	assert_true(s.ok);
	expect(&s, "STACK 1 REVIEW_IN_PROGRESS");
	expect(&s, "(CREATE, template");
	expect(&s, "CHANGESET arn:aws:cloudformation:");
	expect_not(&s, "ERROR");
	assert_int_equal(s.changes, 1);
	seen_free(&s);
	free(cs_id);

	/* an operation that does run is watched, as before */
	assert_int_equal(ops_deploy_job(true, true, "UPDATE_IN_PROGRESS"), OPS_WATCH);
	assert_int_equal(ops_deploy_job(true, true, "ROLLBACK_IN_PROGRESS"), OPS_WATCH);
	assert_int_equal(ops_deploy_job(true, true, "UPDATE_ROLLBACK_FAILED"), OPS_PLAN);
	ops_runner_free(r);
}

static void test_destroy_refused_by_protection(void **state)
{
	(void)state;
	ops_runner *r = runner_for("protected");
	seen s;
	run(r, OPS_DESTROY, NULL, &s, NULL);
	assert_false(s.ok);
	/* all at once, what has deletion protection on that no parameter lifts, with the
	 * command to lift it; the termination protection lmsctl lifts itself is not in the way
	 * and is left as it is */
	expect(&s, "ERROR DatabaseCluster (AWS::RDS::DBCluster) has DeletionProtection on and the "
	           "template names no parameter that lifts it: nothing was deleted; lift it "
	           "deliberately, then X again: aws rds modify-db-cluster --region eu-west-1 "
	           "--db-cluster-identifier lms-db-cluster-rec --no-deletion-protection "
	           "--apply-immediately");
	expect(&s, "ERROR Alb (AWS::ElasticLoadBalancingV2::LoadBalancer) has "
	           "deletion_protection.enabled on");
	expect_not(&s, "DevDatabase"); /* its condition is false */
	expect_not(&s, "CALL cloudformation:DeleteStack");
	expect_not(&s, "CALL cloudformation:UpdateTerminationProtection");
	expect_not(&s, "CALL cloudformation:CreateChangeSet");
	seen_free(&s);
	/* the deployed template, for the diff against the generated one */
	run(r, OPS_TEMPLATE, NULL, &s, NULL);
	assert_true(s.ok);
	expect(&s, "TEMPLATE ");
	expect(&s, "DeletionProtection: !If [IsProd, true, false]");
	expect(&s, "CALL cloudformation:GetTemplate 200");
	/* and the stack's parameters first, for the console's deployed diff */
	expect(&s, "CALL cloudformation:DescribeStacks 200");
	expect(&s, "PARAM ");
	seen_free(&s);
	ops_runner_free(r);
}

/* What the destroy dialog lists (ListStackResources), the kinds that hold data first: the
 * database, then the file system, then the load balancer. */
static void test_resources_for_destroy(void **state)
{
	(void)state;
	ops_runner *r = runner_for("lift");
	seen s;
	run(r, OPS_RESOURCES, NULL, &s, NULL);
	assert_true(s.ok);
	expect(&s, "CALL cloudformation:ListStackResources 200");
	expect(&s, "RESOURCE DatabaseCluster AWS::RDS::DBCluster UPDATE_COMPLETE\n"
	           "RESOURCE FileSystem AWS::EFS::FileSystem UPDATE_COMPLETE\n"
	           "RESOURCE Alb AWS::ElasticLoadBalancingV2::LoadBalancer UPDATE_COMPLETE\n");
	expect_not(&s, "CALL cloudformation:DeleteStack");
	seen_free(&s);
	ops_runner_free(r);
}

/* The deployed template of recorded/lift, as the console's model would generate it. */
static const char lift_template[] =
    "Parameters:\n"
    "  Environment: {Type: String}\n"
    "  DatabaseDeletionProtection: {Type: String, Default: 'true'}\n"
    "Conditions:\n"
    "  IsProd: !Equals [!Ref Environment, prod]\n"
    "  HasDatabaseDeletionProtection: !And\n"
    "    - !Condition IsProd\n"
    "    - !Equals [!Ref DatabaseDeletionProtection, 'true']\n"
    "Resources:\n"
    "  DatabaseCluster:\n"
    "    Type: AWS::RDS::DBCluster\n"
    "    Properties:\n"
    "      DeletionProtection: !If [HasDatabaseDeletionProtection, true, false]\n";

static void test_destroy_lifts_named_protection(void **state)
{
	(void)state;
	/* what the dialog names: the model's template under the model's values */
	static ops_param prod[] = {
	    {(char *)"Environment", (char *)"prod", false, false},
	    {(char *)"EnvironmentSuffix", (char *)"rec", false, false},
	    {(char *)"DatabaseDeletionProtection", (char *)"true", false, false}};
	size_t n = 0;
	char **names =
	    ops_protected_resources(lift_template, strlen(lift_template), prod, 3, "lms-rec", &n);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "DatabaseCluster (AWS::RDS::DBCluster)");
	ops_strings_free(names, n);
	prod[2].value = (char *)"false"; /* lifted: nothing to name */
	names =
	    ops_protected_resources(lift_template, strlen(lift_template), prod, 3, "lms-rec", &n);
	assert_int_equal(n, 0);
	ops_strings_free(names, n);
	prod[2].value = (char *)"true";
	prod[0].value = (char *)"staging"; /* not prod: nothing either */
	names =
	    ops_protected_resources(lift_template, strlen(lift_template), prod, 3, "lms-rec", &n);
	assert_int_equal(n, 0);
	ops_strings_free(names, n);
	prod[0].value = (char *)"prod";

	/* a dialog that named nothing: the deployed protection is not lifted */
	ops_runner *r = runner_for("lift");
	seen s;
	run(r, OPS_DESTROY, NULL, &s, NULL);
	assert_false(s.ok);
	expect(&s, "ERROR the deployed stack lms-rec has DeletionProtection on DatabaseCluster "
	           "(AWS::RDS::DBCluster), which the question did not name");
	expect_not(&s, "CALL cloudformation:CreateChangeSet");
	expect_not(&s, "CALL cloudformation:UpdateTerminationProtection");
	expect_not(&s, "CALL cloudformation:DeleteStack");
	seen_free(&s);
	ops_runner_free(r);

	/* named: lifted through CloudFormation, then the stack deleted, then the leftovers */
	r = runner_for("lift");
	ops_request rq;
	request(&rq, NULL);
	rq.template_text = (char *)lift_template;
	rq.template_len = strlen(lift_template);
	rq.params = prod;
	rq.nparams = 3;
	run_rq(r, OPS_DESTROY, &rq, &s, NULL);
	assert_true(s.ok);
	expect(&s, "PHASE deletion protection lifted (change set lmsctl-lift-");
	expect(&s, "PHASE termination protection lifted");
	expect(&s, "CALL cloudformation:UpdateTerminationProtection 200");
	expect(&s, "CALL cloudformation:DeleteStack 200");
	expect(&s, "PHASE left outside the stack: log group "
	           "/aws/ecs/containerinsights/lms-cluster-rec/performance");
	expect(&s, "PHASE left outside the stack: secret pending deletion rds!cluster-5e1f");
	expect(&s, "`lmsctl destroy --purge` removes them");
	expect_not(&s, "cluster-recx");
	expect_not(&s, "CALL logs:DeleteLogGroup");
	const char *text = buf_cstr(&s.text);
	const char *lifted = strstr(text, "CALL cloudformation:ExecuteChangeSet");
	const char *term = strstr(text, "CALL cloudformation:UpdateTerminationProtection");
	const char *del = strstr(text, "CALL cloudformation:DeleteStack");
	assert_true(lifted && term && del && lifted < term && term < del);
	seen_free(&s);
	ops_runner_free(r);
}

static bool belongs(const sf_leftover_scope *sc, const char *name, const char *owner)
{
	aws_leftover l = {AWS_LEFTOVER_LOG_GROUP, (char *)name, (char *)name,
	                  (char *)owner,          NULL,         NULL};
	return sf_leftover_belongs(sc, &l);
}

/* Which names are an environment's: the suffix whole at the end of an lms- name, the
 * stack's own prefix, a former physical id whole; never a near name. */
static void test_leftover_names(void **state)
{
	(void)state;
	cfn_event res[2] = {{.physical_id = (char *)"fs-0abc1234"},
	                    {.physical_id = (char *)"arn:aws:sns:eu-west-1:1:lms-alarms-x"}};
	sf_leftover_scope sc = {"lms-stack", "dev", res, 2};
	assert_true(belongs(&sc, "/aws/rds/cluster/lms-db-cluster-dev/postgresql", NULL));
	assert_true(belongs(&sc, "lms-a-dev", NULL));
	assert_false(belongs(&sc, "/aws/rds/cluster/lms-db-cluster-devx/postgresql", NULL));
	assert_false(belongs(&sc, "/aws/lambda/lms-db-cluster-xdev", NULL));
	assert_false(belongs(&sc, "/aws/lambda/other-dev", NULL));
	assert_false(belongs(&sc, "/aws/lambda/xlms-a-dev", NULL));
	assert_false(belongs(&sc, "lms-dev", NULL)); /* no name between lms- and the suffix */
	assert_true(belongs(&sc, "/aws/lambda/lms-stack-Rotation-AbC12", NULL));
	assert_true(belongs(&sc, "lms-stack", NULL));
	assert_false(belongs(&sc, "/aws/lambda/lms-stackx-Rotation", NULL));
	assert_true(
	    belongs(&sc, "rds!cluster-1", "arn:aws:rds:eu-west-1:1:cluster:lms-db-cluster-dev"));
	assert_false(
	    belongs(&sc, "rds!cluster-1", "arn:aws:rds:eu-west-1:1:cluster:lms-db-cluster-prod"));
	assert_true(belongs(&sc, "arn:aws:backup:eu-west-1:1:recovery-point:1",
	                    "arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs-0abc1234"));
	assert_false(belongs(&sc, "arn:aws:backup:eu-west-1:1:recovery-point:1",
	                     "arn:aws:elasticfilesystem:eu-west-1:1:file-system/fs-0abc12345"));
	assert_true(belongs(&sc, "x", "arn:aws:sns:eu-west-1:1:lms-alarms-x"));
	sc.suffix = "";
	assert_false(belongs(&sc, "lms-a-", NULL));
}

/* The platform's own prod template: the database's deletion protection is on, and the
 * values its LmsCtl::LiftProtection names turn it off and nothing else. */
static void test_platform_protection_lifts(void **state)
{
	(void)state;
	char path[4096];
	const char *top = getenv("TOP_SRCDIR");
	snprintf(path, sizeof path, "%s/tests/golden/template-prod.yml", top ? top : ".");
	buf tpl;
	buf_init(&tpl, 0);
	lms_error err = {0};
	if (!file_read(path, 0, &tpl, &err))
		fail_msg("%s", err.msg);
	cfn_kv params[] = {{(char *)"Environment", (char *)"prod", false, false},
	                   {(char *)"EnvironmentSuffix", (char *)"prod", false, false},
	                   {(char *)"DatabaseDeletionProtection", (char *)"true", false, false}};
	cfn_stack s = {.name = (char *)"lms-prod", .parameters = params, .nparameters = 3};
	sf_protection *p = NULL;
	cfn_kv *lift = NULL;
	size_t nlift = 0;
	size_t n = sf_find_protection(buf_cstr(&tpl), tpl.len, &s, NULL, 0, &p, &lift, &nlift);
	assert_int_equal(n, 1);
	assert_string_equal(p[0].logical_id, "DatabaseCluster");
	assert_int_equal(p[0].on, 1);
	assert_int_equal(nlift, 1);
	assert_string_equal(lift[0].key, "DatabaseDeletionProtection");
	assert_string_equal(lift[0].value, "false");
	sf_protection *after = NULL;
	assert_int_equal(
	    sf_find_protection(buf_cstr(&tpl), tpl.len, &s, lift, nlift, &after, NULL, NULL), 0);
	sf_protection_free(after, 0);
	sf_protection_free(p, n);
	sf_kv_free(lift, nlift);
	/* staging: no protection to lift */
	params[0].value = (char *)"staging";
	assert_int_equal(sf_find_protection(buf_cstr(&tpl), tpl.len, &s, NULL, 0, &p, NULL, NULL),
	                 0);
	sf_protection_free(p, 0);
	buf_free(&tpl);
}

static void test_watch_an_update_in_progress(void **state)
{
	(void)state;
	ops_runner *r = runner_for("in-progress");
	seen s;
	run(r, OPS_STARTUP, NULL, &s, NULL);
	assert_true(s.ok);
	expect(&s, "STACK 1 UPDATE_IN_PROGRESS");
	seen_free(&s);
	/* it never settles: the console detaches, and the job ends soon after */
	ops_request rq;
	request(&rq, NULL);
	assert_true(ops_runner_start(r, OPS_WATCH, &rq));
	struct timespec pause = {1, 500000000L};
	nanosleep(&pause, NULL);
	ops_runner_stop(r);
	bool done = false;
	size_t events = 0;
	for (int i = 0; i < 100 && !done; i++) {
		struct pollfd p = {.fd = ops_runner_fd(r), .events = POLLIN};
		poll(&p, 1, 100);
		ops_msg *m;
		while (!done && (m = ops_runner_next(r)) != NULL) {
			done = m->kind == OPS_MSG_DONE;
			events += m->kind == OPS_MSG_EVENT;
			/* a detach is not an error the console shows */
			assert_int_not_equal(m->kind, OPS_MSG_ERROR);
			ops_msg_free(m);
		}
	}
	assert_true(done);
	assert_true(events > 0);
	assert_false(ops_runner_busy(r));
	ops_runner_free(r);
}

static void test_no_credentials(void **state)
{
	(void)state;
	char *id = getenv("AWS_ACCESS_KEY_ID") ? strdup(getenv("AWS_ACCESS_KEY_ID")) : NULL;
	unsetenv("AWS_ACCESS_KEY_ID");
	ops_runner *r = runner_for("deploy-rollback");
	seen s;
	run(r, OPS_STARTUP, NULL, &s, NULL);
	assert_false(s.ok);
	expect(&s, "ERROR ");
	expect_not(&s, "IDENTITY");
	assert_int_equal(s.calls, 0);
	seen_free(&s);
	ops_runner_free(r);
	if (id)
		setenv("AWS_ACCESS_KEY_ID", id, 1);
	free(id);
}

/* ---- credentials that expire during a long operation ------------------------------------ */

/* A GET to the fault server below `base` (unsigned); the answer's body, or "" on failure. */
static void server_get(const char *base, const char *path, buf *out)
{
	aws_client_options ao = {.region = "eu-west-1", .endpoint_url = base};
	aws_client *c = aws_client_new(&ao, NULL, NULL);
	assert_non_null(c);
	aws_request rq = {
	    .service = "cloudformation", .operation = "Test", .method = "GET", .path = path};
	aws_response resp;
	aws_response_init(&resp);
	buf_reset(out);
	if (aws_send(c, &rq, &resp, NULL))
		buf_adds(out, buf_cstr(&resp.body));
	aws_response_free(&resp);
	aws_client_free(c);
}

static long server_count(const char *what)
{
	char base[128];
	snprintf(base, sizeof base, "%s/_count", server.url);
	buf b;
	buf_init(&b, 0);
	char path[96];
	snprintf(path, sizeof path, "/%s", what);
	server_get(base, path, &b);
	long n = strtol(buf_cstr(&b), NULL, 10);
	buf_free(&b);
	return n;
}

/* A CloudFormation call through the session's client, as a follow makes every few
 * seconds. */
static bool describe_events(sf_session *s, lms_error *err)
{
	static const char body[] =
	    "Action=DescribeStackEvents&StackName=lms-dev&Version=2010-05-15";
	sigv4_header h = {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"};
	aws_request rq = {.service = "cloudformation",
	                  .operation = "DescribeStackEvents",
	                  .method = "POST",
	                  .headers = &h,
	                  .nheaders = 1,
	                  .body = body,
	                  .body_len = sizeof body - 1};
	aws_response resp;
	aws_response_init(&resp);
	bool ok = aws_send(s->aws, &rq, &resp, err);
	aws_response_free(&resp);
	return ok;
}

/* The test's clock: the real one moved ahead with the fake's. */
static time_t clock_ahead(void *ctx)
{
	return time(NULL) + *(const long *)ctx;
}

/* Container credentials that last two minutes on the fake's clock, and a follow that lasts
 * six: the session keeps working, its credentials taken again from the same source.
 * `clocked`: the client's clock moves with the fake's, so the credentials are renewed
 * before they expire and no call is refused; otherwise the client learns it from the
 * ExpiredToken answer and renews them then, once. */
static void follow_with_expiring_credentials(bool clocked)
{
	char key[32], base[160], creds_url[200];
	snprintf(key, sizeof key, "exp%d-%ld", ++key_counter, (long)getpid());
	snprintf(base, sizeof base, "%s/expiring/%s", server.url, key);
	snprintf(creds_url, sizeof creds_url, "%s/creds", base);
	/* no keys in the environment: the container's credentials are the ones found */
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", creds_url, 1);

	long ahead = 0;
	sf_connect_options o = {.region = "eu-west-1",
	                        .endpoint_url = base,
	                        .backoff_unit_ms = 1,
	                        .clock = clocked ? clock_ahead : NULL,
	                        .clock_ctx = &ahead};
	sf_session ses;
	credentials_status st;
	lms_error err = {0};
	sf_connect_step step = sf_connect(&o, &ses, &st, &err);
	if (step != SF_CONNECT_DONE)
		print_error("connect: %s\n", err.msg ? err.msg : "?");
	assert_int_equal(step, SF_CONNECT_DONE);
	buf b;
	buf_init(&b, 0);
	for (int i = 1; i <= 12; i++) {
		server_get(base, "/advance/30", &b);
		ahead += 30;
		bool ok = describe_events(&ses, &err);
		if (!ok)
			print_error("after %d s: %s\n", i * 30, err.msg ? err.msg : "?");
		assert_true(ok);
	}
	char what[64];
	snprintf(what, sizeof what, "%s-creds", key);
	long issued = server_count(what);
	snprintf(what, sizeof what, "%s-expired", key);
	long refused = server_count(what);
	if (clocked) {
		/* renewed after a minute of each two: six in six minutes, none refused */
		assert_int_equal(refused, 0);
		assert_in_range(issued, 5, 8);
	} else {
		/* each refusal renews them once: one every two minutes */
		assert_in_range(refused, 2, 3);
		assert_int_equal(issued, refused + 1);
	}
	buf_free(&b);
	lms_error_clear(&err);
	sf_session_close(&ses);
	unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	setenv("AWS_ACCESS_KEY_ID", "AKIDRECORDED", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "recorded-secret", 1);
}

static void test_credentials_renewed_before_they_expire(void **state)
{
	(void)state;
	follow_with_expiring_credentials(true);
}

static void test_credentials_renewed_after_expired_token(void **state)
{
	(void)state;
	follow_with_expiring_credentials(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_update_rolled_back),
	    cmocka_unit_test(test_deploy_again_after_a_failed_execute),
	    cmocka_unit_test(test_destroy_refused_by_protection),
	    cmocka_unit_test(test_resources_for_destroy),
	    cmocka_unit_test(test_destroy_lifts_named_protection),
	    cmocka_unit_test(test_leftover_names),
	    cmocka_unit_test(test_platform_protection_lifts),
	    cmocka_unit_test(test_watch_an_update_in_progress),
	    cmocka_unit_test(test_no_credentials),
	    cmocka_unit_test(test_credentials_renewed_before_they_expire),
	    cmocka_unit_test(test_credentials_renewed_after_expired_token),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
