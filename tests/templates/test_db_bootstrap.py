"""The database bootstrap function, run from the template without AWS.

DatabaseBootstrapFunction (templates/data.yml) creates the application's
database role once, through the RDS Data API, so that the first
alternating-users rotation finds a working user to clone. Its inline code
is executed here as a module with stubs in place of what needs AWS:

* cfnresponse (the module Lambda provides to inline Python code) records
  the status the function reports to CloudFormation;
* boto3.client returns stubs: Secrets Manager answers GetSecretValue with
  the application secret, the RDS Data API records the SQL it is given.
  Neither moto nor anything local runs SQL through the Data API, so what
  is checked is the SQL itself and the SCRAM-SHA-256 verifier in it.

The verifier is checked against RFC 7677's test vector: with the RFC's salt
and password, the server key it carries must produce the RFC's
ServerSignature, and the stored key must verify the RFC's ClientProof.
"""

import base64
import contextlib
import hashlib
import hmac
import io
import json
import os
import re
import sys
import types
import unittest
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import templatelib  # noqa: E402

RFC7677_SALT = "W22ZaJ0SNY7soEsUEjb6gQ=="
RFC7677_AUTH_MESSAGE = (
    b"n=user,r=rOprNGfwEbeRWgbNEkqO,"
    b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    b"s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
    b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")
RFC7677_SERVER_SIGNATURE = "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
RFC7677_CLIENT_PROOF = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="

EVENT = {
    "RequestType": "Create",
    "ResourceProperties": {
        "ClusterArn": "arn:aws:rds:eu-west-1:123456789012:cluster:lms-db-cluster-test",
        "MasterSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-x",
        "AppSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:lms-db-app",
        "Database": "lms",
    },
}


class Recorder:
    """Stands in for cfnresponse and the two boto3 clients."""

    SUCCESS, FAILED = "SUCCESS", "FAILED"

    def __init__(self, app_secret):
        self.app_secret = app_secret
        self.sent = []
        self.sql = []
        self.data_api_calls = []

    # cfnresponse
    def send(self, event, context, status, data, physical_id=None,
             no_echo=False, reason=None):
        self.sent.append(status)

    # boto3.client(...)
    def client(self, service, **kw):
        if service == "secretsmanager":
            return types.SimpleNamespace(get_secret_value=self.get_secret)
        if service == "rds-data":
            return types.SimpleNamespace(execute_statement=self.execute)
        raise AssertionError("unexpected client %s" % service)

    def get_secret(self, SecretId):
        assert SecretId == EVENT["ResourceProperties"]["AppSecretArn"]
        return {"SecretString": json.dumps(self.app_secret)}

    def execute(self, **kw):
        self.data_api_calls.append(kw)
        self.sql.append(kw["sql"])
        return {}


def load_function(recorder):
    tpl = templatelib.fragment("data.yml")
    code = tpl["Resources"]["DatabaseBootstrapFunction"]["Properties"][
        "Code"]["ZipFile"]
    cfnresponse = types.ModuleType("cfnresponse")
    cfnresponse.SUCCESS, cfnresponse.FAILED = recorder.SUCCESS, recorder.FAILED
    cfnresponse.send = recorder.send
    with mock.patch.dict(sys.modules, {"cfnresponse": cfnresponse}):
        module = types.ModuleType("db_bootstrap")
        exec(compile(code, "DatabaseBootstrapFunction.ZipFile", "exec"),
             module.__dict__)
    module.boto3 = types.SimpleNamespace(client=recorder.client)
    return module, len(code)


class DatabaseBootstrapTest(unittest.TestCase):

    def setUp(self):
        self.rec = Recorder({"username": "lmsapp", "password": "Secret123abc",
                             "masterarn": "x", "host": "h"})
        self.fn, self.code_length = load_function(self.rec)

    def run_handler(self, event):
        # The function prints the error class on failure; keep test output clean.
        with contextlib.redirect_stdout(io.StringIO()):
            self.fn.handler(event, None)

    def test_code_fits_inline_limit(self):
        self.assertLess(self.code_length, 4096)

    def test_scram_verifier_matches_rfc7677(self):
        salt = base64.b64decode(RFC7677_SALT)
        with mock.patch.object(self.fn.os, "urandom", return_value=salt):
            verifier = self.fn.scram("pencil")
        m = re.fullmatch(r"SCRAM-SHA-256\$4096:([^$]+)\$([^:]+):(.+)",
                         verifier)
        self.assertIsNotNone(m, verifier)
        self.assertEqual(m.group(1), RFC7677_SALT)
        stored_key = base64.b64decode(m.group(2))
        server_key = base64.b64decode(m.group(3))
        signature = hmac.new(server_key, RFC7677_AUTH_MESSAGE,
                             "sha256").digest()
        self.assertEqual(base64.b64encode(signature).decode(),
                         RFC7677_SERVER_SIGNATURE)
        # The server's check of a client proof: recover ClientKey and hash it.
        client_signature = hmac.new(stored_key, RFC7677_AUTH_MESSAGE,
                                    "sha256").digest()
        proof = base64.b64decode(RFC7677_CLIENT_PROOF)
        client_key = bytes(a ^ b for a, b in zip(proof, client_signature))
        self.assertEqual(hashlib.sha256(client_key).digest(), stored_key)

    def test_create_runs_the_statements_without_the_password(self):
        self.run_handler(dict(EVENT))
        self.assertEqual(self.rec.sent, ["SUCCESS"])
        self.assertEqual(len(self.rec.sql), 3)
        self.assertIn("CREATE ROLE lmsapp LOGIN PASSWORD 'SCRAM-SHA-256$",
                      self.rec.sql[0])
        self.assertIn("IF NOT EXISTS", self.rec.sql[0])
        self.assertIn("GRANT CONNECT, TEMPORARY ON DATABASE lms TO lmsapp",
                      self.rec.sql[1])
        for sql in self.rec.sql:
            self.assertNotIn("Secret123abc", sql)
        props = EVENT["ResourceProperties"]
        for call in self.rec.data_api_calls:
            self.assertEqual(call["resourceArn"], props["ClusterArn"])
            self.assertEqual(call["secretArn"], props["MasterSecretArn"])
            self.assertEqual(call["database"], "lms")

    def test_update_after_rotation_targets_the_base_user(self):
        self.rec.app_secret["username"] = "lmsapp_clone"
        self.run_handler(dict(EVENT, RequestType="Update"))
        self.assertEqual(self.rec.sent, ["SUCCESS"])
        self.assertIn("rolname = 'lmsapp'", self.rec.sql[0])

    def test_delete_touches_nothing(self):
        self.run_handler(dict(EVENT, RequestType="Delete"))
        self.assertEqual(self.rec.sent, ["SUCCESS"])
        self.assertEqual(self.rec.sql, [])

    def test_unsafe_names_fail_the_resource_without_sql(self):
        self.rec.app_secret["username"] = "x; DROP ROLE lmsadmin"
        self.run_handler(dict(EVENT))
        self.assertEqual(self.rec.sent, ["FAILED"])
        self.assertEqual(self.rec.sql, [])

    def test_data_api_error_is_reported_not_raised(self):
        def boom(**kw):
            raise RuntimeError("BadRequestException")
        self.rec.execute = boom
        self.run_handler(dict(EVENT))
        self.assertEqual(self.rec.sent, ["FAILED"])


if __name__ == "__main__":
    unittest.main()
