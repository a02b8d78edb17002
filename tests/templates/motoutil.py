"""What the tests of the templates' inline Lambda code share.

* MotoServer: a moto server in a child process on a free 127.0.0.1 port,
  bounded in time at start, always stopped.
* RotationService: what the Secrets Manager rotation service does around a
  rotation function (moto's RotateSecret rotates by itself instead).
* ResponseServer: a local HTTP server standing in for CloudFormation's
  pre-signed response URL; it records every PUT a custom resource sends.
* FakeContext: the Lambda context object, with a clock the test sets.
* cfnresponse_module(): the cfnresponse module Lambda adds to inline
  (ZipFile) Python code, as the CloudFormation User Guide documents it
  ("cfn-response module": send(event, context, responseStatus,
  responseData, physicalResourceId=None, noEcho=False, reason=None),
  a PUT of the response object with an empty content type), written
  with the standard library.
* zipfile_code(): a function's inline code from a template.
* load_code(): that code executed as a module, with cfnresponse available.
"""

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import types
import urllib.request
import uuid
from unittest import mock

MOTO_START_SECONDS = 30
ZIPFILE_LIMIT = 4096


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MotoServer:
    """A moto server in a child process, bounded in time, always stopped."""

    def __init__(self):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
             "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + MOTO_START_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("moto server exited at start")
            try:
                urllib.request.urlopen(self.url + "/moto-api/", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("moto server did not answer in %ds"
                           % MOTO_START_SECONDS)

    def environment(self, region="eu-west-1"):
        """Variables that point boto3 at this server with fake keys."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": region,
        }

    def reset(self):
        req = urllib.request.Request(self.url + "/moto-api/reset",
                                     method="POST")
        urllib.request.urlopen(req, timeout=5)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


class RotationService:
    """What the Secrets Manager rotation service does around the function.

    Wraps the real (moto) client the function uses: RotateSecret, before it
    invokes createSecret, creates a placeholder version labelled AWSPENDING
    with no value and marks the secret as rotating (describe_secret shows
    both); after finishSecret it removes AWSPENDING (complete()).
    """

    def __init__(self, client):
        self._client = client
        self.token = None

    def __getattr__(self, name):
        return getattr(self._client, name)

    def start(self):
        self.token = str(uuid.uuid4())
        return self.token

    def describe_secret(self, **kw):
        meta = self._client.describe_secret(**kw)
        meta["RotationEnabled"] = True
        versions = meta.setdefault("VersionIdsToStages", {})
        if self.token and self.token not in versions:
            versions[self.token] = ["AWSPENDING"]  # RotateSecret's placeholder
        return meta

    def complete(self, arn):
        stages = self._client.describe_secret(
            SecretId=arn)["VersionIdsToStages"]
        if "AWSPENDING" in stages.get(self.token, []):
            self._client.update_secret_version_stage(
                SecretId=arn, VersionStage="AWSPENDING",
                RemoveFromVersionId=self.token)
        self.token = None


class _Recorder(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.requests.append({
            "path": self.path,
            "content_type": self.headers.get("Content-Type"),
            "body": json.loads(body),
        })
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass


class ResponseServer:
    """CloudFormation's response URL, on 127.0.0.1: records every PUT."""

    def __init__(self):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     _Recorder)
        self.httpd.requests = []
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    @property
    def requests(self):
        return self.httpd.requests

    def url(self, request_id):
        port = self.httpd.server_address[1]
        return "http://127.0.0.1:%d/response/%s?X-Amz-Signature=fake" % (
            port, request_id)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class FakeContext:
    """The Lambda context: remaining time comes from a function the test
    sets (milliseconds)."""

    def __init__(self, remaining_ms=900000,
                 arn="arn:aws:lambda:eu-west-1:123456789012:function:test"):
        self.remaining = (remaining_ms if callable(remaining_ms)
                          else (lambda: remaining_ms))
        self.invoked_function_arn = arn
        self.log_stream_name = "2026/01/01/[$LATEST]0123456789abcdef"
        self.function_name = arn.rsplit(":", 1)[1]

    def get_remaining_time_in_millis(self):
        return self.remaining()


def cfnresponse_module():
    """The cfnresponse module Lambda provides to ZipFile Python code."""
    m = types.ModuleType("cfnresponse")
    m.SUCCESS, m.FAILED = "SUCCESS", "FAILED"

    def send(event, context, responseStatus, responseData,
             physicalResourceId=None, noEcho=False, reason=None):
        body = json.dumps({
            "Status": responseStatus,
            "Reason": reason or "See the details in CloudWatch Log Stream: "
            + context.log_stream_name,
            "PhysicalResourceId": physicalResourceId
            or context.log_stream_name,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "NoEcho": noEcho,
            "Data": responseData,
        }).encode()
        req = urllib.request.Request(
            event["ResponseURL"], data=body, method="PUT",
            headers={"content-type": "", "content-length": str(len(body))})
        try:
            urllib.request.urlopen(req, timeout=10).close()
        except Exception as e:  # the real module prints and carries on
            print("send(..) failed executing http.request(..):", e)

    m.send = send
    return m


def zipfile_code(tpl, logical_id):
    return tpl["Resources"][logical_id]["Properties"]["Code"]["ZipFile"]


def load_code(code, name):
    """Executes inline Lambda code as a module (boto3 clients are created
    from the environment at that moment, as in Lambda)."""
    module = types.ModuleType(name)
    with mock.patch.dict(sys.modules, {"cfnresponse": cfnresponse_module()}):
        exec(compile(code, name + ".ZipFile", "exec"), module.__dict__)
    return module


def custom_resource_event(server, request_type, properties,
                          logical_id="Resource", physical_id=None):
    """A CloudFormation custom resource request whose ResponseURL is
    `server`."""
    request_id = str(uuid.uuid4())
    event = {
        "RequestType": request_type,
        "ResponseURL": server.url(request_id),
        "StackId": "arn:aws:cloudformation:eu-west-1:123456789012:"
                   "stack/lms-test/00000000-0000-0000-0000-000000000000",
        "RequestId": request_id,
        "ResourceType": "Custom::Test",
        "LogicalResourceId": logical_id,
        "ResourceProperties": dict(properties, ServiceToken="arn:test"),
    }
    if physical_id:
        event["PhysicalResourceId"] = physical_id
    return event


def env_patch(variables):
    """mock.patch.dict(os.environ, variables), started by the caller."""
    return mock.patch.dict(os.environ, variables)
