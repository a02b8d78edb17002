"""The bucket emptier (Custom::EmptyBucket), run from the template against moto.

The inline ZipFile code of BucketEmptierFunction is taken from
templates/compute.yml (and from the generated templates named by
LMSCTL_TEMPLATE and LMSCTL_TEMPLATE_DEV, when set), executed as a module,
and sent CloudFormation custom resource requests. S3 is a real moto server
this test starts on a free 127.0.0.1 port (versioned buckets, versions,
delete markers, ListObjectVersions, DeleteObjects). The response URL
is a local HTTP server (motoutil.ResponseServer) that records the PUT the
function sends, so the response is checked as CloudFormation receives it.

Stubbed: the Lambda client the function re-invokes itself with when time
runs short (moto's Invoke would need Docker); the test records the
asynchronous invocation and plays it back. And the function's pause
between passes (its module-level `sleep`): the stub records each wait,
advances the test's clock by it and, where a test says so, plays the
delayed writer (CloudTrail delivering a last log file) by putting an
object into the bucket during the wait.

What must hold: Delete leaves every listed bucket without a single version
or delete marker (or finds it already gone), also when an object lands
after a pass, and answers only once the buckets stayed empty for
QuietSeconds; a writer that never stops is reported after five waits;
Create and Update change nothing and keep the physical id; exactly one
response per request, also when the work spans two invocations; a failure
is reported, never left waiting.
"""

import concurrent.futures
import contextlib
import io
import json
import os
import sys
import unittest
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import motoutil  # noqa: E402
import templatelib  # noqa: E402

import boto3  # noqa: E402

FUNCTION = "BucketEmptierFunction"
REGION = "eu-west-1"


def template_sources():
    """(label, template) for the fragment and, if given, the generated ones."""
    yield "templates/compute.yml", templatelib.fragment("compute.yml")
    for path in templatelib.generated_paths():
        yield path, templatelib.load(path)


def fragment_code():
    return motoutil.zipfile_code(templatelib.fragment("compute.yml"), FUNCTION)


class SelfInvocations:
    """Stands in for the Lambda client: records asynchronous invokes."""

    def __init__(self):
        self.calls = []

    def invoke(self, FunctionName, InvocationType, Payload):
        self.calls.append({"FunctionName": FunctionName,
                           "InvocationType": InvocationType,
                           "event": json.loads(Payload)})
        return {"StatusCode": 202}


class Waits:
    """Stands in for the function's sleep: records each wait, advances
    `clock` (remaining milliseconds, if the test keeps one) and runs
    `during` (the delayed writer) while the function waits."""

    def __init__(self):
        self.seconds = []
        self.during = None
        self.clock = None

    def __call__(self, seconds):
        self.seconds.append(seconds)
        if self.clock is not None:
            self.clock[0] -= seconds * 1000
        if self.during:
            self.during(len(self.seconds))


class BucketEmptierTest(unittest.TestCase):

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
        patcher = motoutil.env_patch(self.moto.environment(REGION))
        patcher.start()
        self.addCleanup(patcher.stop)
        self.s3 = boto3.client("s3")

    # ---- helpers -----------------------------------------------------------

    def load(self, code=None):
        fn = motoutil.load_code(code or fragment_code(), "bucket_emptier")
        fn.lam = self.lam = SelfInvocations()
        fn.sleep = self.waits = Waits()
        return fn

    def late_file(self, name, rounds=1):
        """A writer that drops one log file into `name` during each of the
        first `rounds` waits (None: during every wait)."""
        def write(n):
            if rounds is None or n <= rounds:
                self.s3.put_object(Bucket=name, Key="AWSLogs/late-%d.json.gz" % n,
                                   Body=b"{}")
        return write

    def bucket(self, name, versioned=True, objects=3, versions=2,
               deleted=1):
        """A bucket with `objects` keys of `versions` versions each, the
        first `deleted` of them deleted (a delete marker on top)."""
        self.s3.create_bucket(Bucket=name, CreateBucketConfiguration={
            "LocationConstraint": REGION})
        if versioned:
            self.s3.put_bucket_versioning(
                Bucket=name, VersioningConfiguration={"Status": "Enabled"})

        def fill(i):  # the versions of one key, in order, then its marker
            key = "course/%04d.txt" % i
            for v in range(versions):
                self.s3.put_object(Bucket=name, Key=key, Body=b"v%d" % v)
            if i < deleted:
                self.s3.delete_object(Bucket=name, Key=key)

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            list(pool.map(fill, range(objects)))
        return name

    def entries(self, name):
        """(versions, delete markers) left in the bucket."""
        versions = markers = 0
        pages = self.s3.get_paginator("list_object_versions").paginate(
            Bucket=name)
        for page in pages:
            versions += len(page.get("Versions", []))
            markers += len(page.get("DeleteMarkers", []))
        return versions, markers

    def event(self, request_type, buckets, physical_id=None):
        return motoutil.custom_resource_event(
            self.responses, request_type, {"BucketNames": buckets},
            logical_id="DataLakeBucketEmptier", physical_id=physical_id)

    def statuses(self):
        return [r["body"]["Status"] for r in self.responses.requests]

    def quiet(self):
        return contextlib.redirect_stdout(io.StringIO())

    # ---- the code ----------------------------------------------------------

    def test_code_fits_inline_limit(self):
        for label, tpl in template_sources():
            with self.subTest(template=label):
                self.assertLess(len(motoutil.zipfile_code(tpl, FUNCTION)),
                                motoutil.ZIPFILE_LIMIT)

    # ---- Delete --------------------------------------------------------------

    def test_delete_removes_every_version_and_delete_marker(self):
        for label, tpl in template_sources():
            with self.subTest(template=label):
                self.setUp_again()
                fn = self.load(motoutil.zipfile_code(tpl, FUNCTION))
                name = self.bucket("lms-datalake-123456789012-eu-west-1-test")
                self.assertEqual(self.entries(name), (6, 1))
                fn.handler(self.event("Delete", [name],
                                      "empty-bucket-DataLakeBucketEmptier"),
                           motoutil.FakeContext())
                self.assertEqual(self.entries(name), (0, 0))
                self.s3.delete_bucket(Bucket=name)  # now CloudFormation can
                self.assertEqual(self.statuses(), ["SUCCESS"])
                body = self.responses.requests[0]["body"]
                self.assertEqual(body["PhysicalResourceId"],
                                 "empty-bucket-DataLakeBucketEmptier")
                self.assertEqual(body["LogicalResourceId"],
                                 "DataLakeBucketEmptier")
                self.assertEqual(self.responses.requests[0]["content_type"],
                                 "")

    def test_delete_pages_through_more_than_a_thousand_entries(self):
        fn = self.load()
        name = self.bucket("lms-artifacts-123456789012-eu-west-1-test",
                           objects=520, versions=2, deleted=10)
        self.assertEqual(self.entries(name), (1040, 10))
        fn.handler(self.event("Delete", [name], "p"), motoutil.FakeContext())
        self.assertEqual(self.entries(name), (0, 0))
        self.assertEqual(self.statuses(), ["SUCCESS"])

    def test_delete_empties_every_listed_bucket(self):
        fn = self.load()
        names = [self.bucket("lms-source-123456789012-eu-west-1-test"),
                 self.bucket("lms-trail-123456789012-eu-west-1-test",
                             versioned=False, versions=1, deleted=0)]
        fn.handler(self.event("Delete", names, "p"), motoutil.FakeContext())
        for name in names:
            self.assertEqual(self.entries(name), (0, 0))
        self.assertEqual(self.statuses(), ["SUCCESS"])

    def test_delete_of_a_bucket_already_gone_succeeds(self):
        fn = self.load()
        name = self.bucket("lms-datalake-123456789012-eu-west-1-test")
        fn.handler(self.event("Delete", ["lms-never-created-test", name],
                              "p"), motoutil.FakeContext())
        self.assertEqual(self.entries(name), (0, 0))
        self.assertEqual(self.statuses(), ["SUCCESS"])

    # ---- delayed writers ----------------------------------------------------------

    def test_an_object_written_between_passes_is_removed(self):
        fn = self.load()
        name = self.bucket("lms-trail-123456789012-eu-west-1-test")
        self.waits.during = self.late_file(name)  # CloudTrail's last file
        fn.handler(self.event("Delete", [name], "p"), motoutil.FakeContext())
        self.assertEqual(self.entries(name), (0, 0))
        self.s3.delete_bucket(Bucket=name)  # CloudFormation's next step
        self.assertEqual(self.statuses(), ["SUCCESS"])
        # pass, wait (the file lands), pass (removes it), wait, pass (nothing)
        self.assertEqual(self.waits.seconds, [30, 30])

    def test_an_empty_bucket_is_watched_before_the_answer(self):
        fn = self.load()
        name = self.bucket("lms-trail-123456789012-eu-west-1-test",
                           objects=0)
        self.waits.during = self.late_file(name)
        fn.handler(self.event("Delete", [name], "p"), motoutil.FakeContext())
        self.assertEqual(self.entries(name), (0, 0))
        self.assertEqual(self.statuses(), ["SUCCESS"])
        self.assertEqual(self.waits.seconds, [30, 30])

    def test_quiet_seconds_come_from_the_resource_and_are_bounded(self):
        for given, waited in (("45", 45), (120, 120), ("3600", 300)):
            with self.subTest(QuietSeconds=given):
                self.setUp_again()
                fn = self.load()
                name = self.bucket("lms-trail-123456789012-eu-west-1-test")
                event = motoutil.custom_resource_event(
                    self.responses, "Delete",
                    {"BucketNames": [name], "QuietSeconds": given},
                    logical_id="TrailBucketEmptier", physical_id="p")
                fn.handler(event, motoutil.FakeContext())
                self.assertEqual(self.entries(name), (0, 0))
                self.assertEqual(self.waits.seconds, [waited])
                self.assertEqual(self.statuses(), ["SUCCESS"])

    def test_a_writer_that_never_stops_is_reported_after_five_waits(self):
        fn = self.load()
        name = self.bucket("lms-trail-123456789012-eu-west-1-test")
        self.waits.during = self.late_file(name, rounds=None)
        with self.quiet():
            fn.handler(self.event("Delete", [name], "p"),
                       motoutil.FakeContext())
        self.assertEqual(self.waits.seconds, [30] * 5)
        self.assertEqual(self.statuses(), ["FAILED"])
        self.assertIn("still arrive",
                      self.responses.requests[0]["body"]["Reason"])
        self.assertEqual(self.lam.calls, [])

    def test_no_time_for_a_wait_hands_over_with_the_count(self):
        fn = self.load()
        name = self.bucket("lms-trail-123456789012-eu-west-1-test")
        self.waits.during = self.late_file(name, rounds=None)
        # Room for two waits of 30 s above the 60-s margin, not a third.
        clock = self.waits.clock = [60000 + 2 * 30000 + 1]
        event = self.event("Delete", [name], "p")
        arn = "arn:aws:lambda:eu-west-1:123456789012:function:" \
              "lms-bucket-emptier-test"
        with self.quiet():
            fn.handler(event, motoutil.FakeContext(lambda: clock[0], arn))
        self.assertEqual(self.waits.seconds, [30, 30])
        self.assertEqual(self.statuses(), [])
        self.assertEqual(len(self.lam.calls), 1)
        handed = self.lam.calls[0]["event"]
        self.assertEqual(handed["Waits"], 2)  # the count goes along
        # The writer stops; the new invocation needs one quiet pass only.
        self.waits.during, self.waits.clock = None, None
        fn.handler(handed, motoutil.FakeContext(900000, arn))
        self.assertEqual(self.entries(name), (0, 0))
        self.assertEqual(self.waits.seconds, [30, 30])
        self.assertEqual(self.statuses(), ["SUCCESS"])

    def test_the_waits_fit_the_lambda_timeout(self):
        tpl = templatelib.fragment("compute.yml")
        timeout = tpl["Resources"][FUNCTION]["Properties"]["Timeout"]
        fn = self.load()
        # Default waits plus the margin fit one invocation; the longest
        # allowed wait still leaves room for a pass.
        self.assertLessEqual(fn.ROUNDS * 30 * 1000 + fn.MARGIN_MS,
                             timeout * 1000)
        self.assertLess(300 * 1000 + fn.MARGIN_MS, timeout * 1000)

    # ---- Create and Update ----------------------------------------------------

    def test_create_and_update_change_nothing(self):
        fn = self.load()
        name = self.bucket("lms-datalake-123456789012-eu-west-1-test")
        fn.handler(self.event("Create", [name]), motoutil.FakeContext())
        self.assertEqual(self.entries(name), (6, 1))
        created = self.responses.requests[-1]["body"]
        self.assertEqual(created["Status"], "SUCCESS")
        self.assertEqual(created["PhysicalResourceId"],
                         "empty-bucket-DataLakeBucketEmptier")
        # Update must answer with the same id, or CloudFormation would
        # treat it as a replacement and send Delete (empty) for the old one.
        fn.handler(self.event("Update", [name], created["PhysicalResourceId"]),
                   motoutil.FakeContext())
        self.assertEqual(self.entries(name), (6, 1))
        self.assertEqual(self.responses.requests[-1]["body"]
                         ["PhysicalResourceId"], created["PhysicalResourceId"])
        self.assertEqual(self.statuses(), ["SUCCESS", "SUCCESS"])
        self.assertEqual(self.lam.calls, [])
        self.assertEqual(self.waits.seconds, [])

    # ---- time and failures --------------------------------------------------------

    def test_short_on_time_hands_over_and_answers_once(self):
        fn = self.load()
        name = self.bucket("lms-artifacts-123456789012-eu-west-1-test",
                           objects=550, versions=2, deleted=0)
        event = self.event("Delete", [name], "p")
        arn = "arn:aws:lambda:eu-west-1:123456789012:function:" \
              "lms-bucket-emptier-test"
        with self.quiet():
            # 30 s left, under the 60-s margin: one page, then hand over
            fn.handler(event, motoutil.FakeContext(30000, arn))
        self.assertEqual(self.statuses(), [])  # nobody answered yet
        self.assertEqual(len(self.lam.calls), 1)
        call = self.lam.calls[0]
        self.assertEqual(call["FunctionName"], arn)
        self.assertEqual(call["InvocationType"], "Event")
        self.assertEqual(call["event"], event)
        self.assertEqual(self.entries(name), (100, 0))  # one page of 1,000 done
        self.assertEqual(self.waits.seconds, [])  # no wait before the work is done
        # Lambda runs the handed-over event with a fresh clock.
        fn.handler(call["event"], motoutil.FakeContext(900000, arn))
        self.assertEqual(self.entries(name), (0, 0))
        self.assertEqual(self.statuses(), ["SUCCESS"])
        self.assertEqual(self.waits.seconds, [30])  # stayed empty for 30 s

    def test_a_failure_is_reported_not_left_waiting(self):
        fn = self.load()
        name = self.bucket("lms-datalake-123456789012-eu-west-1-test")
        refused = {"Deleted": [], "Errors": [
            {"Key": "course/0001.txt", "Code": "AccessDenied",
             "Message": "Access Denied"}]}
        with mock.patch.object(fn.s3, "delete_objects", return_value=refused), \
                self.quiet():
            fn.handler(self.event("Delete", [name], "p"),
                       motoutil.FakeContext())
        self.assertEqual(self.statuses(), ["FAILED"])
        reason = self.responses.requests[0]["body"]["Reason"]
        self.assertIn("AccessDenied", reason)
        self.assertIn(name, reason)

    def test_an_exception_is_reported(self):
        fn = self.load()
        with mock.patch.object(fn.s3, "list_object_versions",
                               side_effect=RuntimeError("endpoint down")), \
                self.quiet():
            fn.handler(self.event("Delete", ["lms-x-test"], "p"),
                       motoutil.FakeContext())
        self.assertEqual(self.statuses(), ["FAILED"])
        self.assertIn("endpoint down",
                      self.responses.requests[0]["body"]["Reason"])

    # ---- subTest support -----------------------------------------------------

    def setUp_again(self):
        self.moto.reset()
        self.setUp()


if __name__ == "__main__":
    unittest.main()
