"""The API key rotation function, run from the template against moto.

The inline ZipFile code of ApiKeyRotationFunction is taken from
templates/api.yml (and from the generated templates named by
LMSCTL_TEMPLATE and LMSCTL_TEMPLATE_DEV, when set), executed as a module,
and driven through Secrets Manager's four steps against a moto server this
test starts on a free 127.0.0.1 port. Secrets Manager and API Gateway
(API keys, usage plans, usage plan keys) are real moto.

Stubbed, here and in motoutil only:

* the Secrets Manager rotation service (motoutil.RotationService): the
  AWSPENDING placeholder version and RotationEnabled that RotateSecret
  sets before createSecret, and the removal of AWSPENDING afterwards;
* cfnresponse, the module Lambda adds to inline code
  (motoutil.cfnresponse_module, written after the User Guide's
  description); its PUT goes to a local HTTP server (motoutil.ResponseServer).

What must hold: the old key works (exists, enabled, in the usage plan)
through the rotation that replaces it and until the next one, which
deletes it (one full cycle of overlap: after rotation N the keys of N and
N-1 work, never more); each step can fail and run again without an extra
key or a lost one; the function touches only its own secrets and its own
keys; on stack delete the keys go too.
"""

import contextlib
import io
import json
import os
import sys
import unittest
import uuid
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import motoutil  # noqa: E402
import templatelib  # noqa: E402

import boto3  # noqa: E402
import botocore.exceptions  # noqa: E402

FUNCTION = "ApiKeyRotationFunction"
GRACE_FUNCTION = "ApiKeyGraceFunction"
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")


def template_sources():
    """(label, template) for the fragment and, if given, the generated ones."""
    yield "templates/api.yml", templatelib.fragment("api.yml")
    for path in templatelib.generated_paths():
        yield path, templatelib.load(path)


def fragment_code():
    return motoutil.zipfile_code(templatelib.fragment("api.yml"), FUNCTION)


class ApiKeyRotationTest(unittest.TestCase):

    moto = None
    responses = None

    @classmethod
    def setUpClass(cls):
        cls.moto = motoutil.MotoServer()
        cls.responses = motoutil.ResponseServer()

    @classmethod
    def tearDownClass(cls):
        if cls.moto:
            cls.moto.stop()
        if cls.responses:
            cls.responses.stop()

    def setUp(self):
        self.moto.reset()
        self.responses.requests.clear()
        patcher = motoutil.env_patch(self.moto.environment())
        patcher.start()
        self.addCleanup(patcher.stop)
        self.sm = boto3.client("secretsmanager")
        self.ag = boto3.client("apigateway")
        self.plan = self.ag.create_usage_plan(name="lms-institution-test")["id"]
        self.other_plan = self.ag.create_usage_plan(
            name="lms-integration-test")["id"]
        self.arn = self.new_secret("lms-api-key-institution-test", self.plan,
                                   "lms-institution-test")
        self.other_arn = self.new_secret("lms-api-key-integration-test",
                                         self.other_plan,
                                         "lms-integration-test")
        # What the template gives the function: the stack's suffix (its
        # secrets carry it as a tag) and ApiKeyGracePeriodDays.
        os.environ["SUFFIX"] = "test"
        os.environ["GRACE_DAYS"] = "7"

    def new_secret(self, name, plan, key_name, suffix="test"):
        # What CloudFormation creates: the plan and the key name, no key,
        # and the tag that makes it one of this stack's API key secrets.
        return self.sm.create_secret(
            Name=name, SecretString=json.dumps(
                {"usagePlanId": plan, "keyName": key_name}),
            Tags=[{"Key": "lms-apikey-environment", "Value": suffix}])["ARN"]

    def new_institution(self, name, suffix="test"):
        """An institution's plan and secret, as the generated fragment makes
        them (lms-inst-NAME-SUFFIX); returns (plan id, secret ARN)."""
        plan = self.ag.create_usage_plan(
            name="lms-inst-%s-%s" % (name, suffix))["id"]
        arn = self.new_secret("lms-api-key-inst-%s-%s" % (name, suffix), plan,
                              "lms-inst-%s-%s" % (name, suffix), suffix)
        return plan, arn

    # ---- helpers -----------------------------------------------------------

    def load(self, code=None):
        fn = motoutil.load_code(code or fragment_code(), "apikey_rotation")
        self.service = motoutil.RotationService(fn.sm)
        fn.sm = self.service
        return fn

    def step(self, fn, name, arn=None):
        fn.handler({"SecretId": arn or self.arn, "Step": name,
                    "ClientRequestToken": self.service.token}, None)

    def rotate(self, fn, arn=None):
        token = self.service.start()
        for name in STEPS:
            self.step(fn, name, arn)
        self.service.complete(arn or self.arn)
        return token

    def value(self, stage, version=None, arn=None):
        kw = {"SecretId": arn or self.arn, "VersionStage": stage}
        if version:
            kw["VersionId"] = version
        return json.loads(self.sm.get_secret_value(**kw)["SecretString"])

    def plan_key_ids(self, plan=None):
        return sorted(k["id"] for k in self.ag.get_usage_plan_keys(
            usagePlanId=plan or self.plan)["items"])

    def key_usable(self, key_id, value, plan=None):
        """The key exists, is enabled, holds the value and is in the plan:
        API Gateway accepts it."""
        try:
            key = self.ag.get_api_key(apiKey=key_id, includeValue=True)
        except self.ag.exceptions.NotFoundException:
            return False
        return (key["enabled"] and key["value"] == value
                and key_id in self.plan_key_ids(plan))

    def key_exists(self, key_id):
        try:
            self.ag.get_api_key(apiKey=key_id)
            return True
        except self.ag.exceptions.NotFoundException:
            return False

    def keys_named(self, prefix):
        return [k for k in self.ag.get_api_keys(
            nameQuery=prefix, includeValues=True)["items"]
            if k["name"].startswith(prefix)]

    def finish_remaining(self, fn, after):
        for name in STEPS[STEPS.index(after) + 1:]:
            self.step(fn, name)
        self.service.complete(self.arn)

    def sweep(self, fn, days_later):
        """The daily grace-period run (ApiKeyGraceFunction, invoked by
        ApiKeyGraceSchedule) `days_later` days after now, beside the
        rotation function `fn`."""
        grace = motoutil.load_code(motoutil.zipfile_code(
            templatelib.fragment("api.yml"), GRACE_FUNCTION), "apikey_grace")
        later = grace.now() + grace.dt.timedelta(days=days_later)
        with mock.patch.object(grace, "now", return_value=later), \
                contextlib.redirect_stdout(io.StringIO()):
            grace.handler({}, None)

    # ---- the code ----------------------------------------------------------

    def test_code_fits_inline_limit(self):
        for label, tpl in template_sources():
            for function in (FUNCTION, GRACE_FUNCTION):
                with self.subTest(template=label, function=function):
                    self.assertLess(len(motoutil.zipfile_code(tpl, function)),
                                    motoutil.ZIPFILE_LIMIT)

    def test_grace_function_wiring(self):
        """A daily schedule invokes the grace function, only that rule may,
        the function reads ApiKeyGracePeriodDays, and its errors reach the
        alarm topic (a failing run keeps old keys longer: not an outage, but
        someone must know)."""
        for label, tpl in (("templates/ (fragments)", templatelib.assemble()),) + tuple(
                (p, templatelib.load(p)) for p in templatelib.generated_paths()):
            with self.subTest(template=label):
                res = tpl["Resources"]
                fn = res[GRACE_FUNCTION]["Properties"]
                self.assertEqual(fn["Environment"]["Variables"]["GRACE_DAYS"],
                                 {"Ref": "ApiKeyGracePeriodDays"})
                self.assertEqual(fn["Role"], {"Fn::GetAtt": ["ApiKeyRotationRole", "Arn"]})
                rule = res["ApiKeyGraceSchedule"]["Properties"]
                self.assertTrue(rule["ScheduleExpression"].startswith("cron("))
                self.assertEqual([t["Arn"] for t in rule["Targets"]],
                                 [{"Fn::GetAtt": [GRACE_FUNCTION, "Arn"]}])
                perm = res["ApiKeyGracePermission"]["Properties"]
                self.assertEqual(perm["Principal"], "events.amazonaws.com")
                self.assertEqual(perm["SourceArn"],
                                 {"Fn::GetAtt": ["ApiKeyGraceSchedule", "Arn"]})
                alarms = [r["Properties"] for r in res.values()
                          if r["Type"] == "AWS::CloudWatch::Alarm"
                          and r["Properties"].get("MetricName") == "Errors"
                          and {"Name": "FunctionName", "Value": {"Ref": GRACE_FUNCTION}}
                          in r["Properties"].get("Dimensions", [])]
                self.assertEqual(len(alarms), 1)
                self.assertEqual(alarms[0]["AlarmActions"], [{"Ref": "AlarmTopic"}])
                grace = tpl["Parameters"]["ApiKeyGracePeriodDays"]
                self.assertEqual((grace["Default"], grace["MinValue"], grace["MaxValue"]),
                                 (7, 1, 30))

    def test_code_imports_cfnresponse_the_way_lambda_requires(self):
        # "Use this exact import statement" (User Guide, cfn-response module)
        self.assertIn("\nimport cfnresponse\n", fragment_code())

    # ---- rotations ---------------------------------------------------------

    def test_first_rotation_creates_the_first_key(self):
        for label, tpl in template_sources():
            with self.subTest(template=label):
                self.setUp_again()
                fn = self.load(motoutil.zipfile_code(tpl, FUNCTION))
                token = self.rotate(fn)
                cur = self.value("AWSCURRENT")
                self.assertEqual(cur["usagePlanId"], self.plan)
                self.assertEqual(cur["keyName"], "lms-institution-test")
                self.assertEqual(len(cur["value"]), 40)
                self.assertTrue(cur["value"].isalnum())
                self.assertTrue(self.key_usable(cur["apiKeyId"], cur["value"]))
                self.assertEqual(self.plan_key_ids(), [cur["apiKeyId"]])
                key = self.ag.get_api_key(apiKey=cur["apiKeyId"])
                self.assertEqual(key["name"], "lms-institution-test-" + token)
                # The other tier is untouched.
                self.assertEqual(self.plan_key_ids(self.other_plan), [])

    def test_old_key_valid_through_the_rotation_that_replaces_it(self):
        fn = self.load()
        self.rotate(fn)
        old = self.value("AWSCURRENT")
        token = self.service.start()

        self.step(fn, "createSecret")
        new = self.value("AWSPENDING", token)
        self.assertNotEqual(new["apiKeyId"], old["apiKeyId"])
        self.assertNotEqual(new["value"], old["value"])
        self.assertEqual(self.value("AWSCURRENT"), old)
        self.assertTrue(self.key_usable(old["apiKeyId"], old["value"]))
        self.assertNotIn(new["apiKeyId"], self.plan_key_ids())

        self.step(fn, "setSecret")
        self.assertTrue(self.key_usable(new["apiKeyId"], new["value"]))
        self.assertTrue(self.key_usable(old["apiKeyId"], old["value"]))
        self.assertEqual(self.value("AWSCURRENT"), old)

        self.step(fn, "testSecret")
        self.assertTrue(self.key_usable(old["apiKeyId"], old["value"]))
        self.assertEqual(self.value("AWSCURRENT"), old)

        self.step(fn, "finishSecret")
        self.service.complete(self.arn)
        self.assertEqual(self.value("AWSCURRENT"), new)
        self.assertEqual(self.value("AWSPREVIOUS"), old)
        # Both work after the rotation: the old key until the next one.
        self.assertTrue(self.key_usable(old["apiKeyId"], old["value"]))
        self.assertTrue(self.key_usable(new["apiKeyId"], new["value"]))
        self.assertEqual(self.plan_key_ids(),
                         sorted([old["apiKeyId"], new["apiKeyId"]]))

    def full_cycle(self, fn, arn=None, plan=None):
        """One rotation, four steps, checking after each step that the key
        being replaced (AWSCURRENT) still works, and that the one before it
        (AWSPREVIOUS) works until finishSecret; returns the new value."""
        arn = arn or self.arn
        current = self.value("AWSCURRENT", arn=arn)
        try:
            previous = self.value("AWSPREVIOUS", arn=arn)
        except self.sm.exceptions.ResourceNotFoundException:
            previous = {}
        token = self.service.start()
        for name in STEPS:
            self.step(fn, name, arn)
            for v, until in ((current, "finishSecret"),
                             (previous, "testSecret")):
                if "apiKeyId" in v and STEPS.index(name) <= STEPS.index(until):
                    self.assertTrue(
                        self.key_usable(v["apiKeyId"], v["value"], plan),
                        "%s lost %s" % (name, v["apiKeyId"]))
        self.service.complete(arn)
        new = self.value("AWSCURRENT", arn=arn)
        self.assertEqual(self.value("AWSCURRENT", token, arn=arn), new)
        return new

    def test_two_full_cycles_overlap_by_one_rotation(self):
        """Rotation 1 creates K1; rotation 2 (the first replacement) keeps
        K1 and adds K2; rotation 3 (the second) adds K3 and deletes K1."""
        fn = self.load()
        k1 = self.full_cycle(fn)
        self.assertEqual(self.plan_key_ids(), [k1["apiKeyId"]])

        k2 = self.full_cycle(fn)
        self.assertEqual(self.value("AWSPREVIOUS"), k1)
        self.assertTrue(self.key_usable(k1["apiKeyId"], k1["value"]))
        self.assertTrue(self.key_usable(k2["apiKeyId"], k2["value"]))
        self.assertEqual(self.plan_key_ids(),
                         sorted([k1["apiKeyId"], k2["apiKeyId"]]))

        k3 = self.full_cycle(fn)
        self.assertEqual(self.value("AWSPREVIOUS"), k2)
        self.assertFalse(self.key_exists(k1["apiKeyId"]))
        self.assertTrue(self.key_usable(k2["apiKeyId"], k2["value"]))
        self.assertTrue(self.key_usable(k3["apiKeyId"], k3["value"]))
        self.assertEqual(self.plan_key_ids(),
                         sorted([k2["apiKeyId"], k3["apiKeyId"]]))
        self.assertEqual(len(self.keys_named("lms-institution-test-")), 2)

    def test_two_full_cycles_per_institution(self):
        """Three institutions, each with its own plan and secret: the
        creation rotation gives each its first key; the first replacement
        keeps it beside the new one (both work); the second deletes it. No
        institution's rotation touches another's keys."""
        fn = self.load()
        insts = [self.new_institution(n) for n in ("nus", "ntu", "smu-law")]
        first = {arn: self.full_cycle(fn, arn, plan) for plan, arn in insts}
        second, third = {}, {}
        for plan, arn in insts:
            k1 = first[arn]
            k2 = second[arn] = self.full_cycle(fn, arn, plan)
            self.assertTrue(self.key_usable(k1["apiKeyId"], k1["value"], plan))
            self.assertTrue(self.key_usable(k2["apiKeyId"], k2["value"], plan))
            self.assertEqual(self.plan_key_ids(plan),
                             sorted([k1["apiKeyId"], k2["apiKeyId"]]))
        for plan, arn in insts:
            k1, k2 = first[arn], second[arn]
            k3 = third[arn] = self.full_cycle(fn, arn, plan)
            self.assertFalse(self.key_exists(k1["apiKeyId"]))
            self.assertTrue(self.key_usable(k2["apiKeyId"], k2["value"], plan))
            self.assertTrue(self.key_usable(k3["apiKeyId"], k3["value"], plan))
            self.assertEqual(self.plan_key_ids(plan),
                             sorted([k2["apiKeyId"], k3["apiKeyId"]]))
            self.assertEqual(self.value("AWSPREVIOUS", arn=arn), k2)
        # every institution kept its own two keys, in its own plan
        for plan, arn in insts:
            self.assertEqual(len(self.plan_key_ids(plan)), 2)
            for other_plan, other in insts:
                if other != arn:
                    self.assertNotIn(third[arn]["apiKeyId"],
                                     self.plan_key_ids(other_plan))

    # ---- the grace period ------------------------------------------------------

    def test_grace_period_removes_the_previous_key_early(self):
        """ApiKeyGracePeriodDays (7 here) after the rotation that replaced
        it, the daily sweep deletes the previous key, 23 days before the
        next rotation would; a day before that both keys still work."""
        fn = self.load()
        plan, arn = self.new_institution("nus")
        k1 = self.full_cycle(fn, arn, plan)
        k2 = self.full_cycle(fn, arn, plan)
        self.sweep(fn, 6.9)  # inside the grace period: nothing goes
        self.assertTrue(self.key_usable(k1["apiKeyId"], k1["value"], plan))
        self.assertTrue(self.key_usable(k2["apiKeyId"], k2["value"], plan))
        self.assertEqual(self.value("AWSPREVIOUS", arn=arn), k1)
        self.sweep(fn, 7.01)  # just past it
        self.assertFalse(self.key_exists(k1["apiKeyId"]))
        self.assertTrue(self.key_usable(k2["apiKeyId"], k2["value"], plan))
        self.assertEqual(self.plan_key_ids(plan), [k2["apiKeyId"]])
        stages = self.sm.describe_secret(SecretId=arn)["VersionIdsToStages"]
        self.assertNotIn("AWSPREVIOUS", sum(stages.values(), []))
        self.sweep(fn, 8)  # again: nothing more
        self.assertTrue(self.key_usable(k2["apiKeyId"], k2["value"], plan))
        # the next rotation overlaps as before: K2 stays beside K3
        k3 = self.full_cycle(fn, arn, plan)
        self.assertTrue(self.key_usable(k2["apiKeyId"], k2["value"], plan))
        self.assertEqual(self.plan_key_ids(plan),
                         sorted([k2["apiKeyId"], k3["apiKeyId"]]))

    def test_grace_period_parameter_is_read(self):
        fn = self.load()
        plan, arn = self.new_institution("nus")
        k1 = self.full_cycle(fn, arn, plan)
        self.full_cycle(fn, arn, plan)
        os.environ["GRACE_DAYS"] = "1"
        self.sweep(fn, 0.9)
        self.assertTrue(self.key_usable(k1["apiKeyId"], k1["value"], plan))
        self.sweep(fn, 1.1)
        self.assertFalse(self.key_exists(k1["apiKeyId"]))

    def test_sweep_keeps_a_rotation_in_progress(self):
        fn = self.load()
        plan, arn = self.new_institution("nus")
        self.full_cycle(fn, arn, plan)
        k2 = self.full_cycle(fn, arn, plan)
        token = self.service.start()
        self.step(fn, "createSecret", arn)
        self.step(fn, "setSecret", arn)
        pending = self.value("AWSPENDING", token, arn=arn)
        self.sweep(fn, 10)
        self.assertTrue(self.key_usable(pending["apiKeyId"], pending["value"], plan))
        self.assertTrue(self.key_usable(k2["apiKeyId"], k2["value"], plan))
        for name in STEPS[2:]:
            self.step(fn, name, arn)
        self.service.complete(arn)
        self.assertEqual(self.value("AWSCURRENT", arn=arn), pending)

    def test_sweep_leaves_other_environments_alone(self):
        fn = self.load()
        plan, arn = self.new_institution("nus", suffix="staging")
        other = self.load()  # the staging stack's function
        with mock.patch.dict(os.environ, {"SUFFIX": "staging"}):
            k1 = self.full_cycle(other, arn, plan)
            self.full_cycle(other, arn, plan)
        self.sweep(fn, 30)  # this (test) environment's sweep
        self.assertTrue(self.key_usable(k1["apiKeyId"], k1["value"], plan))
        with self.assertRaises(ValueError):  # nor rotates them
            self.service.start()
            self.step(fn, "createSecret", arn)

    def test_many_rotations_leave_at_most_two_keys(self):
        fn = self.load()
        seen = []
        for i in range(4):
            self.rotate(fn)
            seen.append(self.value("AWSCURRENT")["apiKeyId"])
            names = sorted(k["id"] for k in
                           self.keys_named("lms-institution-test-"))
            self.assertEqual(names, sorted(seen[-2:]))
        self.assertEqual(len(set(seen)), 4)

    def test_secrets_rotate_independently(self):
        fn = self.load()
        self.rotate(fn, self.other_arn)
        other = self.value("AWSCURRENT", arn=self.other_arn)
        self.rotate(fn)
        self.rotate(fn)
        self.rotate(fn)
        self.assertTrue(self.key_usable(other["apiKeyId"], other["value"],
                                        self.other_plan))
        self.assertEqual(self.plan_key_ids(self.other_plan),
                         [other["apiKeyId"]])
        self.assertEqual(len(self.plan_key_ids()), 2)

    def test_keys_not_named_by_the_secret_are_left_alone(self):
        # A key an operator attached by hand to the same plan.
        manual = self.ag.create_api_key(name="partner-x", enabled=True)
        self.ag.create_usage_plan_key(usagePlanId=self.plan,
                                      keyId=manual["id"], keyType="API_KEY")
        fn = self.load()
        for _ in range(3):
            self.rotate(fn)
        self.assertTrue(self.key_usable(manual["id"], manual["value"]))
        self.assertEqual(len(self.plan_key_ids()), 3)

    # ---- a second run after a failure in each step -------------------------

    def test_create_secret_rerun_after_crash_before_storing(self):
        fn = self.load()
        self.rotate(fn)
        old = self.value("AWSCURRENT")
        token = self.service.start()
        with mock.patch.object(self.service._client, "put_secret_value",
                               side_effect=RuntimeError("timed out")):
            with self.assertRaises(RuntimeError):
                self.step(fn, "createSecret")
        created = self.keys_named("lms-institution-test-" + token)
        self.assertEqual(len(created), 1)  # the key exists, unrecorded
        self.step(fn, "createSecret")
        # The retry finds that key instead of making a second one.
        self.assertEqual(len(self.keys_named("lms-institution-test-" + token)),
                         1)
        self.assertEqual(self.value("AWSPENDING", token)["apiKeyId"],
                         created[0]["id"])
        self.assertTrue(self.key_usable(old["apiKeyId"], old["value"]))
        self.finish_remaining(fn, after="createSecret")
        self.assertEqual(self.value("AWSCURRENT")["apiKeyId"],
                         created[0]["id"])

    def test_create_secret_rerun_after_crash_after_storing(self):
        fn = self.load()
        token = self.service.start()
        real_put = self.service._client.put_secret_value

        def put_then_crash(**kw):
            real_put(**kw)
            raise RuntimeError("timed out after PutSecretValue")

        with mock.patch.object(self.service._client, "put_secret_value",
                               side_effect=put_then_crash):
            with self.assertRaises(RuntimeError):
                self.step(fn, "createSecret")
        pending = self.value("AWSPENDING", token)
        self.step(fn, "createSecret")
        self.assertEqual(self.value("AWSPENDING", token), pending)
        self.assertEqual(len(self.keys_named("lms-institution-test-")), 1)
        self.finish_remaining(fn, after="createSecret")
        self.assertEqual(self.value("AWSCURRENT"), pending)

    def test_set_secret_rerun_after_failure(self):
        fn = self.load()
        self.rotate(fn)
        old = self.value("AWSCURRENT")
        token = self.service.start()
        self.step(fn, "createSecret")
        with mock.patch.object(fn.ag, "create_usage_plan_key",
                               side_effect=RuntimeError("throttled")):
            with self.assertRaises(RuntimeError):
                self.step(fn, "setSecret")
        new = self.value("AWSPENDING", token)
        self.assertNotIn(new["apiKeyId"], self.plan_key_ids())
        self.assertTrue(self.key_usable(old["apiKeyId"], old["value"]))
        self.step(fn, "setSecret")
        self.step(fn, "setSecret")  # and again: already attached, no change
        self.assertEqual(self.plan_key_ids(),
                         sorted([old["apiKeyId"], new["apiKeyId"]]))
        self.finish_remaining(fn, after="setSecret")
        self.assertEqual(self.plan_key_ids(),
                         sorted([old["apiKeyId"], new["apiKeyId"]]))

    def test_test_secret_fails_when_set_secret_was_skipped(self):
        fn = self.load()
        self.rotate(fn)
        old = self.value("AWSCURRENT")
        self.service.start()
        self.step(fn, "createSecret")
        with self.assertRaises(fn.ag.exceptions.NotFoundException):
            self.step(fn, "testSecret")  # the key is in no plan yet
        self.assertEqual(self.value("AWSCURRENT"), old)
        self.assertTrue(self.key_usable(old["apiKeyId"], old["value"]))

    def test_test_secret_rerun_after_failure(self):
        fn = self.load()
        self.rotate(fn)
        old = self.value("AWSCURRENT")
        token = self.service.start()
        self.step(fn, "createSecret")
        self.step(fn, "setSecret")
        new = self.value("AWSPENDING", token)
        patch = [{"op": "replace", "path": "/enabled", "value": "false"}]
        self.ag.update_api_key(apiKey=new["apiKeyId"], patchOperations=patch)
        with self.assertRaises(ValueError):
            self.step(fn, "testSecret")
        # A failed test leaves the old key current and working.
        self.assertEqual(self.value("AWSCURRENT"), old)
        self.assertTrue(self.key_usable(old["apiKeyId"], old["value"]))
        patch[0]["value"] = "true"
        self.ag.update_api_key(apiKey=new["apiKeyId"], patchOperations=patch)
        self.step(fn, "testSecret")
        self.finish_remaining(fn, after="testSecret")
        self.assertEqual(self.value("AWSCURRENT"), new)

    def test_finish_secret_rerun_after_failed_stage_move(self):
        fn = self.load()
        self.rotate(fn)
        oldest = self.value("AWSCURRENT")
        self.rotate(fn)
        old = self.value("AWSCURRENT")
        token = self.service.start()
        for name in STEPS[:3]:
            self.step(fn, name)
        with mock.patch.object(self.service._client,
                               "update_secret_version_stage",
                               side_effect=RuntimeError("throttled")):
            with self.assertRaises(RuntimeError):
                self.step(fn, "finishSecret")
        # Nothing deleted before the new key is current.
        self.assertEqual(self.value("AWSCURRENT"), old)
        self.assertTrue(self.key_usable(old["apiKeyId"], old["value"]))
        self.assertTrue(self.key_usable(oldest["apiKeyId"], oldest["value"]))
        self.step(fn, "finishSecret")
        self.step(fn, "finishSecret")  # already current: nothing more to do
        self.service.complete(self.arn)
        new = self.value("AWSCURRENT")
        self.assertEqual(self.sm.describe_secret(SecretId=self.arn)[
            "VersionIdsToStages"][token], ["AWSCURRENT"])
        self.assertFalse(self.key_exists(oldest["apiKeyId"]))
        self.assertTrue(self.key_usable(old["apiKeyId"], old["value"]))
        self.assertEqual(self.plan_key_ids(),
                         sorted([old["apiKeyId"], new["apiKeyId"]]))

    def test_finish_secret_rerun_after_crash_while_deleting_oldest_key(self):
        fn = self.load()
        self.rotate(fn)
        oldest = self.value("AWSCURRENT")
        self.rotate(fn)
        old = self.value("AWSCURRENT")
        self.service.start()
        for name in STEPS[:3]:
            self.step(fn, name)
        with mock.patch.object(fn.ag, "delete_usage_plan_key",
                               side_effect=RuntimeError("timed out")):
            with self.assertRaises(RuntimeError):
                self.step(fn, "finishSecret")  # key deleted, plan entry not
        self.step(fn, "finishSecret")  # the rerun finishes the cleanup
        self.service.complete(self.arn)
        new = self.value("AWSCURRENT")
        self.assertFalse(self.key_exists(oldest["apiKeyId"]))
        self.assertTrue(self.key_usable(old["apiKeyId"], old["value"]))
        self.assertEqual(self.plan_key_ids(),
                         sorted([old["apiKeyId"], new["apiKeyId"]]))

    # ---- refusals ----------------------------------------------------------

    def test_refuses_other_secrets_and_unknown_versions(self):
        fn = self.load()
        other = self.sm.create_secret(Name="other", SecretString="{}")["ARN"]
        # named like one, without the stack's tag
        alike = self.sm.create_secret(Name="lms-api-key-inst-x-test",
                                      SecretString="{}")["ARN"]
        for arn in (other, alike):
            with self.assertRaises(ValueError):
                fn.handler({"SecretId": arn, "Step": "createSecret",
                            "ClientRequestToken": str(uuid.uuid4())}, None)
        with self.assertRaises(ValueError):  # no rotation in progress
            fn.handler({"SecretId": self.arn, "Step": "createSecret",
                        "ClientRequestToken": str(uuid.uuid4())}, None)
        self.service.start()
        self.step(fn, "createSecret")
        with self.assertRaises(ValueError):
            self.step(fn, "unknownStep")

    def test_version_already_current_is_a_no_op(self):
        fn = self.load()
        token = self.rotate(fn)
        before = self.plan_key_ids()
        self.service.token = token  # a late duplicate invocation
        for name in STEPS[:3]:
            self.step(fn, name)
        self.assertEqual(self.plan_key_ids(), before)

    # ---- Custom::ApiKeyCleanup ---------------------------------------------

    def cleanup_event(self, request_type):
        return motoutil.custom_resource_event(
            self.responses, request_type,
            {"UsagePlanIds": [self.plan, self.other_plan],
             "KeyNames": ["lms-institution-test", "lms-integration-test"]},
            logical_id="ApiKeyCleanup",
            physical_id=None if request_type == "Create"
            else "api-key-cleanup")

    def test_cleanup_deletes_the_rotated_keys_on_stack_delete(self):
        fn = self.load()
        self.rotate(fn)
        self.rotate(fn)  # two keys in this tier now (overlap)
        self.rotate(fn, self.other_arn)
        manual = self.ag.create_api_key(name="partner-x", enabled=True)
        self.ag.create_usage_plan_key(usagePlanId=self.plan,
                                      keyId=manual["id"], keyType="API_KEY")
        ctx = motoutil.FakeContext()
        fn.handler(self.cleanup_event("Create"), ctx)
        self.assertEqual(len(self.keys_named("lms-")), 3)
        fn.handler(self.cleanup_event("Delete"), ctx)
        self.assertEqual(self.keys_named("lms-"), [])
        self.assertTrue(self.key_exists(manual["id"]))
        statuses = [r["body"]["Status"] for r in self.responses.requests]
        self.assertEqual(statuses, ["SUCCESS", "SUCCESS"])
        last = self.responses.requests[-1]
        self.assertEqual(last["body"]["PhysicalResourceId"], "api-key-cleanup")
        self.assertEqual(last["body"]["LogicalResourceId"], "ApiKeyCleanup")
        self.assertEqual(last["content_type"], "")

    def test_cleanup_never_blocks_the_teardown(self):
        fn = self.load()
        self.rotate(fn)
        with mock.patch.object(fn.ag, "get_usage_plan_keys",
                               side_effect=botocore.exceptions.ClientError(
                                   {"Error": {"Code": "AccessDenied"}},
                                   "GetUsagePlanKeys")), \
                contextlib.redirect_stdout(io.StringIO()) as log:
            fn.handler(self.cleanup_event("Delete"), motoutil.FakeContext())
        self.assertIn("AccessDenied", log.getvalue())
        self.assertEqual(
            [r["body"]["Status"] for r in self.responses.requests],
            ["SUCCESS"])

    # ---- subTest support -----------------------------------------------------

    def setUp_again(self):
        """A fresh moto state for the next subTest."""
        self.moto.reset()
        self.setUp()


if __name__ == "__main__":
    unittest.main()
