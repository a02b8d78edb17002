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
asynchronous invocation and plays it back.

What must hold: Delete leaves every listed bucket without a single version
or delete marker (or finds it already gone); Create and Update change
nothing and keep the physical id; exactly one response per request, also
when the work spans two invocations; a failure is reported, never left
waiting.
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
        return fn

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
        # Lambda runs the handed-over event with a fresh clock.
        fn.handler(call["event"], motoutil.FakeContext(900000, arn))
        self.assertEqual(self.entries(name), (0, 0))
        self.assertEqual(self.statuses(), ["SUCCESS"])

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
