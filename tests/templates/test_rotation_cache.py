"""The cache user's rotation function, run from the template against moto.

The inline ZipFile code of CacheRotationFunction is taken from
templates/data.yml (and from the generated templates named by
LMSCTL_TEMPLATE and LMSCTL_TEMPLATE_DEV, when set), executed as a module, and driven through Secrets Manager's
four steps (createSecret, setSecret, testSecret, finishSecret) against a
moto server this test starts on a free 127.0.0.1 port. Secrets Manager is
real moto: versions, staging labels, GetRandomPassword, PutSecretValue and
UpdateSecretVersionStage behave as moto implements them.

What moto cannot emulate is stubbed, here and nowhere else:

* ElastiCache ModifyUser (moto 5.2 has no ModifyUser) and the user's
  status: FakeCache keeps the user's password list (at most two, as the
  API allows), reports 'modifying' once after a change, then 'active'.
* The cache itself: the function's auth() (RESP AUTH over TLS to the
  primary endpoint) is replaced by FakeCache.auth, which accepts exactly
  the passwords the user holds.
* The Secrets Manager rotation service: RotateSecret, before it invokes
  createSecret, creates a placeholder version labelled AWSPENDING with no
  value and marks the secret as rotating; after finishSecret it removes
  AWSPENDING. moto's RotateSecret without a Lambda rotates by itself
  instead, so RotationService does those two things (describe_secret shows
  the placeholder and RotationEnabled; complete() removes AWSPENDING).
* time.sleep, so the waits for 'active' cost nothing.
"""

import json
import os
import sys
import types
import unittest
import uuid
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import templatelib  # noqa: E402

import boto3  # noqa: E402

REGION = "eu-west-1"
USER_ID = "lms-cache-app-test"
# the moto server (started on a free loopback port, bounded, always stopped)
# and the inline-code limit are shared with the other template tests
from motoutil import ZIPFILE_LIMIT, MotoServer, RotationService  # noqa: E402


class FakeCache:
    """ElastiCache's user API and the cache's AUTH (see module doc)."""

    def __init__(self, username, passwords):
        self.username = username
        self.passwords = list(passwords)
        self.status = "active"
        self.modify_failures = 0   # ModifyUser calls that fail before acting
        self.auth_failures = 0     # AUTH attempts refused (propagation lag)
        self.modify_calls = 0

    def describe_users(self, UserId):
        assert UserId == USER_ID, UserId
        status, self.status = self.status, "active"
        return {"Users": [{"UserId": UserId, "Status": status}]}

    def modify_user(self, UserId, Passwords):
        assert UserId == USER_ID, UserId
        self.modify_calls += 1
        if self.modify_failures:
            self.modify_failures -= 1
            raise RuntimeError("InvalidUserStateFault (injected)")
        if not 1 <= len(Passwords) <= 2:
            raise ValueError("ModifyUser allows one or two passwords")
        self.passwords = list(Passwords)
        self.status = "modifying"

    def auth(self, user, password):
        if self.auth_failures:
            self.auth_failures -= 1
            return False
        return user == self.username and password in self.passwords


def zipfile_code(tpl):
    res = tpl["Resources"]["CacheRotationFunction"]["Properties"]
    return res["Code"]["ZipFile"]


def template_sources():
    """(label, template) for the fragment and, if given, the generated one."""
    yield "templates/data.yml", templatelib.fragment("data.yml")
    for path in templatelib.generated_paths():
        yield path, templatelib.load(path)


class CacheRotationTest(unittest.TestCase):
    """Staging labels through all four steps, retries after failures."""

    moto = None

    @classmethod
    def setUpClass(cls):
        cls.moto = MotoServer()

    @classmethod
    def tearDownClass(cls):
        if cls.moto:
            cls.moto.stop()

    def setUp(self):
        self.moto.reset()
        env = {
            "AWS_ENDPOINT_URL": self.moto.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "CACHE_USER_ID": USER_ID,
            "CACHE_HOST": "master.lms-cache-test.example.invalid",
            "CACHE_PORT": "6379",
            "WAIT_TRIES": "3",
        }
        patcher = mock.patch.dict(os.environ, env)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.sm = boto3.client("secretsmanager")
        self.arn = self.sm.create_secret(
            Name="lms-cache-app-secret-test",
            SecretString=json.dumps({"username": "lmsapp",
                                     "password": "initial-password-0"}),
        )["ARN"]
        os.environ["SECRET_ARN"] = self.arn
        self.cache = FakeCache("lmsapp", ["initial-password-0"])

    def load_function(self, code):
        module = types.ModuleType("cache_rotation")
        exec(compile(code, "CacheRotationFunction.ZipFile", "exec"),
             module.__dict__)
        self.service = RotationService(module.sm)
        module.sm = self.service
        module.ec = self.cache
        module.auth = self.cache.auth
        module.time = types.SimpleNamespace(sleep=lambda seconds: None)
        return module

    def step(self, fn, name):
        fn.handler({"SecretId": self.arn, "Step": name,
                    "ClientRequestToken": self.service.token}, None)

    def value(self, stage, version=None):
        kw = {"SecretId": self.arn, "VersionStage": stage}
        if version:
            kw["VersionId"] = version
        return json.loads(self.sm.get_secret_value(**kw)["SecretString"])

    def stages(self):
        return self.sm.describe_secret(SecretId=self.arn)["VersionIdsToStages"]

    def rotate(self, fn):
        token = self.service.start()
        for name in ("createSecret", "setSecret", "testSecret",
                     "finishSecret"):
            self.step(fn, name)
        self.service.complete(self.arn)
        return token

    # ---- the tests ------------------------------------------------------

    def test_code_fits_inline_limit(self):
        for label, tpl in template_sources():
            with self.subTest(template=label):
                self.assertLess(len(zipfile_code(tpl)), ZIPFILE_LIMIT)

    def test_full_rotation_moves_labels_and_keeps_old_password(self):
        for label, tpl in template_sources():
            with self.subTest(template=label):
                self.setUp_again()
                fn = self.load_function(zipfile_code(tpl))
                old = self.value("AWSCURRENT")
                token = self.service.start()

                self.step(fn, "createSecret")
                new = self.value("AWSPENDING", token)
                self.assertNotEqual(new["password"], old["password"])
                self.assertEqual(new["username"], old["username"])
                self.assertEqual(len(new["password"]), 64)
                self.assertTrue(new["password"].isalnum())
                # Until finishSecret, readers still get the old password.
                self.assertEqual(self.value("AWSCURRENT"), old)

                self.step(fn, "setSecret")
                self.assertEqual(sorted(self.cache.passwords),
                                 sorted([old["password"], new["password"]]))
                self.assertEqual(self.value("AWSCURRENT"), old)

                self.step(fn, "testSecret")
                self.assertEqual(self.value("AWSCURRENT"), old)

                self.step(fn, "finishSecret")
                self.service.complete(self.arn)
                self.assertEqual(self.value("AWSCURRENT"), new)
                self.assertEqual(self.value("AWSPREVIOUS"), old)
                self.assertEqual(self.stages()[token], ["AWSCURRENT"])
                # The old password still works: tasks that read it before
                # the rotation keep connecting until the next rotation.
                self.assertTrue(self.cache.auth("lmsapp", old["password"]))
                self.assertTrue(self.cache.auth("lmsapp", new["password"]))

    def test_second_rotation_drops_the_oldest_password(self):
        fn = self.load_function(zipfile_code(templatelib.fragment("data.yml")))
        first = self.value("AWSCURRENT")["password"]
        self.rotate(fn)
        second = self.value("AWSCURRENT")["password"]
        self.rotate(fn)
        third = self.value("AWSCURRENT")["password"]
        self.assertEqual(sorted(self.cache.passwords), sorted([second, third]))
        self.assertFalse(self.cache.auth("lmsapp", first))
        self.assertEqual(self.value("AWSPREVIOUS")["password"], second)

    def test_create_secret_rerun_after_failure_keeps_pending_value(self):
        fn = self.load_function(zipfile_code(templatelib.fragment("data.yml")))
        token = self.service.start()
        real_put = self.service._client.put_secret_value

        def put_then_crash(**kw):
            real_put(**kw)
            raise RuntimeError("function timed out after PutSecretValue")

        with mock.patch.object(self.service._client, "put_secret_value",
                               side_effect=put_then_crash):
            with self.assertRaises(RuntimeError):
                self.step(fn, "createSecret")
        pending = self.value("AWSPENDING", token)
        self.step(fn, "createSecret")  # the retry must not generate again
        self.assertEqual(self.value("AWSPENDING", token), pending)
        self.finish_remaining(fn, after="createSecret")
        self.assertEqual(self.value("AWSCURRENT"), pending)

    def test_set_secret_rerun_after_failure(self):
        fn = self.load_function(zipfile_code(templatelib.fragment("data.yml")))
        old = self.value("AWSCURRENT")
        self.service.start()
        self.step(fn, "createSecret")
        self.cache.modify_failures = 1
        with self.assertRaises(RuntimeError):
            self.step(fn, "setSecret")
        self.assertEqual(self.cache.passwords, [old["password"]])
        self.step(fn, "setSecret")
        self.step(fn, "setSecret")  # and once more: already set, no change
        self.assertEqual(self.cache.modify_calls, 2)
        self.finish_remaining(fn, after="setSecret")
        self.assertTrue(self.cache.auth("lmsapp", old["password"]))

    def test_test_secret_rerun_after_failure(self):
        fn = self.load_function(zipfile_code(templatelib.fragment("data.yml")))
        old = self.value("AWSCURRENT")
        self.service.start()
        self.step(fn, "createSecret")
        self.step(fn, "setSecret")
        self.cache.auth_failures = 1
        with self.assertRaises(ValueError):
            self.step(fn, "testSecret")
        # A failed test must leave the old password current and working.
        self.assertEqual(self.value("AWSCURRENT"), old)
        self.assertTrue(self.cache.auth("lmsapp", old["password"]))
        self.step(fn, "testSecret")
        self.finish_remaining(fn, after="testSecret")

    def test_test_secret_fails_when_new_password_was_not_set(self):
        fn = self.load_function(zipfile_code(templatelib.fragment("data.yml")))
        old = self.value("AWSCURRENT")
        self.service.start()
        self.step(fn, "createSecret")
        with self.assertRaises(ValueError):
            self.step(fn, "testSecret")  # setSecret skipped
        self.assertEqual(self.value("AWSCURRENT"), old)

    def test_finish_secret_rerun_after_failure(self):
        fn = self.load_function(zipfile_code(templatelib.fragment("data.yml")))
        old = self.value("AWSCURRENT")
        token = self.service.start()
        for name in ("createSecret", "setSecret", "testSecret"):
            self.step(fn, name)
        with mock.patch.object(self.service._client,
                               "update_secret_version_stage",
                               side_effect=RuntimeError("throttled")):
            with self.assertRaises(RuntimeError):
                self.step(fn, "finishSecret")
        self.assertEqual(self.value("AWSCURRENT"), old)  # still the old one
        self.step(fn, "finishSecret")
        self.step(fn, "finishSecret")  # already current: a no-op
        self.service.complete(self.arn)
        self.assertEqual(self.stages()[token], ["AWSCURRENT"])
        self.assertEqual(self.value("AWSPREVIOUS"), old)

    def test_refuses_other_secrets_and_unknown_versions(self):
        fn = self.load_function(zipfile_code(templatelib.fragment("data.yml")))
        other = self.sm.create_secret(Name="other", SecretString="{}")["ARN"]
        with self.assertRaises(ValueError):
            fn.handler({"SecretId": other, "Step": "createSecret",
                        "ClientRequestToken": str(uuid.uuid4())}, None)
        with self.assertRaises(ValueError):  # no rotation in progress
            fn.handler({"SecretId": self.arn, "Step": "createSecret",
                        "ClientRequestToken": str(uuid.uuid4())}, None)

    # ---- helpers ----------------------------------------------------------

    def finish_remaining(self, fn, after):
        steps = ["createSecret", "setSecret", "testSecret", "finishSecret"]
        for name in steps[steps.index(after) + 1:]:
            self.step(fn, name)
        self.service.complete(self.arn)

    def setUp_again(self):
        """A fresh secret and cache for the next subTest."""
        self.moto.reset()
        self.arn = self.sm.create_secret(
            Name="lms-cache-app-secret-test",
            SecretString=json.dumps({"username": "lmsapp",
                                     "password": "initial-password-0"}),
        )["ARN"]
        os.environ["SECRET_ARN"] = self.arn
        self.cache = FakeCache("lmsapp", ["initial-password-0"])


if __name__ == "__main__":
    unittest.main()
