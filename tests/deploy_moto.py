#!/usr/bin/env python3
"""lmsctl deploy, status, outputs and destroy end to end, without an AWS account.

Two local servers, each started here on a free 127.0.0.1 port and stopped at the end:

* moto (python3 -m moto.server) with signature checking and IAM policies on: moto checks
  nothing for its first INITIAL_NO_AUTH_ACTION_COUNT requests, which create three IAM
  users (an administrator for the test's own checks, a deployer holding
  docs/deployer-policy.json, and a deployer without cloudformation:DeleteStack) and their
  access keys; every later request must be signed with one of those keys and is checked
  against the user's policy. lmsctl then deploys the fixture template
  (tests/fixtures/deploy/simple.yml) and the assembled dev template with the deployer's
  keys.
* tests/fault_server.py with recorded CloudFormation answers, for what moto cannot show:
  stack outputs, per-resource events, replacements, rollbacks, "didn't contain changes",
  deletion protection, a stack that never settles, an HTML error page, a server that
  never answers.

moto 5.2.1, measured, and how each limit is handled here:
  - a stack created or updated through a change set reports no Outputs: the outputs
    tests use recorded answers;
  - a change set with nothing to change is CREATE_COMPLETE with no changes, not FAILED
    "didn't contain changes": lmsctl treats both as a no-op; the FAILED form is recorded;
  - change sets carry no Replacement, Scope or Details, and stacks report events for the
    stack only, never for resources: replacement and rollback tests are recorded;
  - stack operations complete synchronously within the call;
  - a template whose GetAtt or Outputs touch a type moto does not implement makes
    CreateStack answer HTTP 500 with an HTML page; through change sets (what lmsctl uses)
    outputs are not evaluated and a property GetAtt of such a type is a 400
    ValidationError at ExecuteChangeSet. The HTML page is served by the fault server;
  - a resource moto fails to create (the dev template: a route table it cannot resolve)
    makes ExecuteChangeSet answer that resource's EC2 error, leaving the stack in
    REVIEW_IN_PROGRESS, and DeleteStack then fails with DependencyViolation;
  - IAM: actions other than S3's are authorized against the resource "*", so the
    policy's stack-scoped statements are widened to "*" for moto; conditions are not
    evaluated (an Allow with a condition allows; a Deny with one denies everything);
    S3 names some actions its own way (HeadBucket is s3:HeadBucket, not
    s3:ListBucket; encryption and public-access-block PUTs are s3:CreateBucket);
  - a bucket policy Deny conditioned on aws:SecureTransport refuses every request, so
    lmsctl leaves that policy out over plain http (it would refuse the very requests).

Run by `make check` (LMSCTL and TOP_SRCDIR set) or by hand from the source tree with
LMSCTL=path/to/lmsctl. Exits 77 (skipped) when moto or boto3 is missing.
"""
import copy
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

try:
    import boto3
    import botocore.exceptions
except ImportError:  # pragma: no cover
    print("boto3 is not installed: skipped")
    sys.exit(77)
try:
    import moto  # noqa: F401
except ImportError:  # pragma: no cover
    print("moto is not installed: skipped")
    sys.exit(77)

TOP = os.environ.get("TOP_SRCDIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LMSCTL = os.path.abspath(os.environ.get("LMSCTL", "./lmsctl"))
TEMPLATES = os.environ.get("LMSCTL_TEMPLATES") or os.path.join(TOP, "templates")
FIXTURES = os.path.join(TOP, "tests", "fixtures", "deploy")
REGION = "eu-west-1"
ACCOUNT = "123456789012"
SETUP_CALLS = 9  # three users: CreateUser, PutUserPolicy, CreateAccessKey each
START_SECONDS = 30
ROLE = "arn:aws:iam::%s:role/lms-cloudformation-deployer" % ACCOUNT


def answering(argv, answers, marker, env, cwd, timeout=90):
    """Runs argv with a terminal on its standard input; each answer is typed once `marker`
    has appeared on standard error once more (lmsctl drops what was typed ahead). Returns
    (exit status, stdout, stderr)."""
    import pty
    import threading
    master, slave = pty.openpty()
    p = subprocess.Popen(argv, env=env, cwd=cwd, stdin=slave, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    os.close(slave)
    err = bytearray()

    def drain():
        for chunk in iter(lambda: p.stderr.read1(4096), b""):
            err.extend(chunk)
    t = threading.Thread(target=drain, daemon=True)
    t.start()
    deadline = time.monotonic() + timeout
    for k, answer in enumerate(answers, 1):
        while err.count(marker.encode()) < k and p.poll() is None:
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        time.sleep(0.2)
        os.write(master, answer.encode() + b"\n")
    out = p.stdout.read()
    p.wait(timeout=timeout)
    t.join(timeout=5)
    p.stdout.close()
    p.stderr.close()
    os.close(master)
    return p.returncode, out.decode(), err.decode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Moto:
    """moto in a child process with IAM checks after the setup calls; always stopped."""

    def __init__(self):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT=str(SETUP_CALLS))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("moto server exited at start")
            try:
                urllib.request.urlopen(self.url + "/moto-api/", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("moto server did not answer in %ds" % START_SECONDS)

    def client(self, service, keys=None):
        keys = keys or ("AKIDSETUP", "setup")
        return boto3.client(service, endpoint_url=self.url, region_name=REGION,
                            aws_access_key_id=keys[0], aws_secret_access_key=keys[1])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


class FaultServer:
    """tests/fault_server.py with the recorded answers; stops when its stdin closes."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(TOP, "tests", "fault_server.py"), "--lifetime", "300",
             "--recorded", os.path.join(FIXTURES, "recorded")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError("fault server did not start")
        self.url = "http://127.0.0.1:%d" % int(line)

    def count(self, key):
        with urllib.request.urlopen("%s/_count/%s" % (self.url, key), timeout=5) as r:
            return int(r.read())

    def stop(self):
        if self.proc.stdin:
            self.proc.stdin.close()
        if self.proc.stdout:
            self.proc.stdout.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


def moto_policy(policy):
    """docs/deployer-policy.json as moto can evaluate it (see the module doc)."""
    p = copy.deepcopy(policy)
    for st in p["Statement"]:
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        if not any(a.startswith("s3:") for a in actions):
            st["Resource"] = "*"
        if "s3:ListBucket" in actions:
            actions = actions + ["s3:HeadBucket", "s3:PutPublicAccessBlock"]
        st["Action"] = actions
    return p


class Base(unittest.TestCase):
    tmp = None

    @classmethod
    def make_tmp(cls):
        cls.tmp = tempfile.mkdtemp(prefix="lmsctl-deploy-")

    @classmethod
    def model(cls, stack, suffix="dev", env="dev"):
        """A model file for `stack` whose resources are named with `suffix` (init's model
        with its stack and suffix lines changed), so that stacks do not collide."""
        path = os.path.join(cls.tmp, stack + ".yml")
        if not os.path.exists(path):
            subprocess.run([LMSCTL, "--templates", TEMPLATES, "init", "--env", env, "-o", path],
                           check=True, capture_output=True, timeout=30)
            with open(path, encoding="utf-8") as f:
                lines = f.read().split("\n")
            lines = [("stack: %s" % stack) if ln.startswith("stack:") else
                     ("suffix: %s" % suffix) if ln.startswith("suffix:") else ln for ln in lines]
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
        return path

    def run_lmsctl(self, *args, keys=None, endpoint=None, extra_env=None, timeout=90, cwd=None,
                   templates=TEMPLATES):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(HOME=self.tmp, XDG_STATE_HOME=os.path.join(self.tmp, "state"), NO_COLOR="1",
                   AWS_EC2_METADATA_DISABLED="true", LMSCTL_TEMPLATES=TEMPLATES,
                   LMSCTL_HTTP_BACKOFF_MS="20")  # retries without the real pauses
        if keys:
            env.update(AWS_ACCESS_KEY_ID=keys[0], AWS_SECRET_ACCESS_KEY=keys[1])
        env.update(extra_env or {})
        argv = [LMSCTL, "--templates", templates]
        if endpoint:
            argv += ["--endpoint-url", endpoint]
        r = subprocess.run(argv + list(args), env=env, cwd=cwd or self.tmp, capture_output=True,
                           text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        self.assertNotIn("Sanitizer", r.stderr, r.stderr)
        self.assertNotIn("runtime error", r.stderr, r.stderr)
        return r

    def run_answering(self, argv_tail, answers, env_extra, timeout=90):
        """lmsctl with a terminal on its standard input: each answer is typed once its
        question ("Type X to go on") is on standard error (lmsctl drops what was typed
        ahead)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(HOME=self.tmp, XDG_STATE_HOME=os.path.join(self.tmp, "state"), NO_COLOR="1",
                   AWS_EC2_METADATA_DISABLED="true", LMSCTL_TEMPLATES=TEMPLATES,
                   LMSCTL_HTTP_BACKOFF_MS="20")
        env.update(env_extra)
        return answering([LMSCTL, "--templates", TEMPLATES] + list(argv_tail), answers,
                         "anything else stops: ", env, self.tmp, timeout)

    def journal(self):
        path = os.path.join(self.tmp, "state", "lmsctl", "journal.log")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]


class AgainstMoto(Base):
    moto = None

    @classmethod
    def setUpClass(cls):
        cls.make_tmp()
        cls.moto = Moto()
        iam = cls.moto.client("iam")
        with open(os.path.join(TOP, "docs", "deployer-policy.json"), encoding="utf-8") as f:
            policy = json.load(f)
        limited = moto_policy(policy)
        for st in limited["Statement"]:
            st["Action"] = [a for a in st["Action"] if a != "cloudformation:DeleteStack"]
        users = {
            "admin": {"Version": "2012-10-17",
                      "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
            "deployer": moto_policy(policy),
            "limited": limited,
        }
        cls.keys = {}
        for name, doc in users.items():  # SETUP_CALLS requests, unchecked
            iam.create_user(UserName="lmsctl-" + name)
            iam.put_user_policy(UserName="lmsctl-" + name, PolicyName="p",
                                PolicyDocument=json.dumps(doc))
            k = iam.create_access_key(UserName="lmsctl-" + name)["AccessKey"]
            cls.keys[name] = (k["AccessKeyId"], k["SecretAccessKey"])

    @classmethod
    def tearDownClass(cls):
        if cls.moto:
            cls.moto.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def lm(self, *args, keys="deployer", **kw):
        return self.run_lmsctl(*args, keys=self.keys[keys] if keys else None,
                               endpoint=self.moto.url, **kw)

    def admin(self, service):
        return self.moto.client(service, self.keys["admin"])

    def test_auth_is_on(self):
        """The setup calls are spent: an unknown key and a call outside the policy fail."""
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.moto.client("sts", ("AKIDNOBODY", "x")).get_caller_identity()
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidClientTokenId")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.moto.client("iam", self.keys["deployer"]).list_users()
        self.assertEqual(cm.exception.response["Error"]["Code"], "AccessDenied")

    def test_fixture_lifecycle(self):
        model = self.model("lms-fixture", "fix")
        fixture = os.path.join(FIXTURES, "simple.yml")
        work = tempfile.mkdtemp(dir=self.tmp)
        r = self.lm("-m", model, "deploy", "--yes", "--template", fixture, "--role-arn", ROLE,
                    "--debug", cwd=work)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # what went into CreateChangeSet (moto keeps neither capabilities nor the token)
        create = [ln for ln in r.stderr.split("\n") if "Action=CreateChangeSet" in ln]
        self.assertEqual(len(create), 1, r.stderr)
        for field in ("ChangeSetType=CREATE", "Capabilities.member.1=CAPABILITY_NAMED_IAM",
                      "Capabilities.member.2=CAPABILITY_AUTO_EXPAND",
                      "Tags.member.1.Key=lms%3Aenvironment", "Tags.member.1.Value=dev",
                      "Parameters.member.1.ParameterKey=EnvironmentSuffix",
                      "Parameters.member.1.ParameterValue=fix", "ClientToken=lmsctl-"):
            self.assertIn(field, create[0])
        self.assertRegex(r.stderr, r"Action=ExecuteChangeSet&.*ClientRequestToken=lmsctl-[0-9a-f]{32}")
        self.assertIn("CREATE_COMPLETE", r.stdout)
        self.assertIn("4 to add", r.stdout)
        self.assertIn("as arn:aws:iam::%s:user/lmsctl-deployer" % ACCOUNT, r.stdout)
        # moto reports no outputs for a change-set stack: the file is an empty object
        with open(os.path.join(work, "cfn-outputs", "flat-outputs.json")) as f:
            self.assertEqual(json.load(f), {})
        cf = self.admin("cloudformation")
        st = cf.describe_stacks(StackName="lms-fixture")["Stacks"][0]
        self.assertEqual(st["RoleARN"], ROLE)
        tags = {t["Key"]: t["Value"] for t in st["Tags"]}
        self.assertEqual(tags, {"lms:environment": "dev", "lms:managed-by": "lmsctl"})
        params = {p["ParameterKey"]: p["ParameterValue"] for p in st["Parameters"]}
        self.assertEqual(params["EnvironmentSuffix"], "fix")
        self.assertEqual(params["FlowLogRetentionDays"], "90")  # the model's value
        self.assertTrue(self.admin("sqs").get_queue_url(QueueName="lms-work-fix")["QueueUrl"])

        # again: nothing to change is a clean no-op
        r = self.lm("-m", model, "deploy", "--yes", "--template", fixture, "--output", "json",
                    cwd=work)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("No changes", r.stderr)
        self.assertEqual(json.loads(r.stdout)["result"], "no changes")

        r = self.lm("-m", model, "status")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Stack lms-fixture: CREATE_COMPLETE", r.stdout)
        r = self.lm("-m", model, "status", "--output", "json")
        self.assertEqual(json.loads(r.stdout)["status"], "CREATE_COMPLETE")
        r = self.lm("-m", model, "outputs", "--format", "flat")
        self.assertEqual((r.returncode, json.loads(r.stdout)), (0, {}))
        r = self.lm("-m", model, "outputs", "--format", "json")
        self.assertEqual((r.returncode, json.loads(r.stdout)), (0, []))

        r = self.lm("-m", model, "destroy", "--yes")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Stack lms-fixture is deleted", r.stdout)
        r = self.lm("-m", model, "destroy", "--yes")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("nothing to destroy", r.stdout)
        r = self.lm("-m", model, "status")
        self.assertEqual(r.returncode, 1)
        self.assertIn("does not exist", r.stdout)

        entries = [e for e in self.journal() if e["stack"] == "lms-fixture"]
        self.assertEqual([e["command"] for e in entries], ["deploy", "deploy", "destroy", "destroy"])
        self.assertEqual([e["result"] for e in entries],
                         ["CREATE_COMPLETE", "no changes", "DELETE_COMPLETE", "nothing to destroy"])
        for e in entries:
            self.assertEqual(e["caller"], "arn:aws:iam::%s:user/lmsctl-deployer" % ACCOUNT)
            self.assertRegex(e["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertTrue(entries[0]["changeSet"].startswith("lmsctl-"))

    def test_change_set_by_name(self):
        """deploy --no-execute names its change set (text and JSON); deploy --change-set NAME
        --yes executes exactly that one, and refuses a wrong name, another stack's change set
        and one already executed; outputs --write-flat writes the flat outputs; a failure with
        --output json carries an error object on stdout."""
        model = self.model("lms-named", "nam")
        other = self.model("lms-named-other", "nao")
        fixture = os.path.join(FIXTURES, "simple.yml")
        work = tempfile.mkdtemp(dir=self.tmp)
        r = self.lm("-m", model, "status", "--output", "json")
        self.assertEqual(r.returncode, 1, r.stderr)
        err = json.loads(r.stdout)["error"]
        self.assertEqual(err["code"], 1)
        self.assertIn("does not exist", err["message"])
        r = self.lm("-m", model, "outputs", "--output", "json")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(json.loads(r.stdout)["error"]["code"], 1)
        r = self.lm("-m", model, "deploy", "--change-set", "lmsctl-nope", "--yes",
                    "--output", "json")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("error", json.loads(r.stdout))

        r = self.lm("-m", model, "deploy", "--no-execute", "--template", fixture, "--role-arn",
                    ROLE, "--output", "json", cwd=work)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        cs = json.loads(r.stdout)["change_set"]
        self.assertTrue(cs["name"].startswith("lmsctl-"), cs)
        self.assertIn(":changeSet/", cs["id"])
        self.assertIn("deploy --change-set " + cs["name"], r.stderr)
        time.sleep(1.1)  # names are per second; moto finds a change set by name in any stack
        r = self.lm("-m", other, "deploy", "--no-execute", "--template", fixture, "--role-arn",
                    ROLE, cwd=work)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        m = re.search(r"Change set (lmsctl-\S+) is ready", r.stdout)
        self.assertTrue(m, r.stdout)
        other_cs = m.group(1)

        # a wrong name, another stack's change set: refused, nothing executed
        self.assertNotEqual(other_cs, cs["name"])
        for name in ("lmsctl-nope", other_cs):
            r = self.lm("-m", model, "deploy", "--change-set", name, "--yes", cwd=work)
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn("nothing was executed" if name == "lmsctl-nope" else "refusing",
                          r.stderr)
        # without --yes and without a terminal: refused as deploy does
        r = self.lm("-m", model, "deploy", "--change-set", cs["name"], cwd=work)
        self.assertEqual(r.returncode, 2, r.stderr)

        r = self.lm("-m", model, "deploy", "--change-set", cs["name"], "--yes", "--debug",
                    cwd=work)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertNotIn("Action=CreateChangeSet", r.stderr)
        self.assertIn("Action=ExecuteChangeSet", r.stderr)
        self.assertIn("CREATE_COMPLETE", r.stdout)
        cf = self.admin("cloudformation")
        self.assertEqual(cf.describe_stacks(StackName="lms-named")["Stacks"][0]["StackStatus"],
                         "CREATE_COMPLETE")
        sid = cf.describe_stacks(StackName="lms-named")["Stacks"][0]["StackId"]
        sums = cf.list_change_sets(StackName="lms-named")["Summaries"]  # moto: every stack's
        self.assertEqual([c["ChangeSetName"] for c in sums if c["StackId"] == sid], [cs["name"]])
        # already executed: refused
        r = self.lm("-m", model, "deploy", "--change-set", cs["name"], "--yes", cwd=work)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("refusing", r.stderr)

        # outputs --write-flat: the default path and a file
        fresh = tempfile.mkdtemp(dir=self.tmp)
        r = self.lm("-m", model, "outputs", "--write-flat", cwd=fresh)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(fresh, "cfn-outputs", "flat-outputs.json")) as f:
            self.assertEqual(json.load(f), {})
        r = self.lm("-m", model, "outputs", "--write-flat", "sub/out.json", cwd=fresh)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(fresh, "sub", "out.json")) as f:
            self.assertEqual(json.load(f), {})
        r = self.lm("-m", model, "outputs", "a.json", cwd=fresh)
        self.assertEqual(r.returncode, 2, r.stderr)
        for st in ("lms-named", "lms-named-other"):
            cf.delete_stack(StackName=st)

    def test_pipeline_parameter_kept_on_update(self):
        """ContainerImage is the pipeline's: the first deploy sends the template Default,
        the pipeline then updates that one parameter, and a model change deployed after
        keeps the pipeline's value (UsePreviousValue), read back from the stack and from
        the resource that uses it."""
        model = self.model("lms-pipe", "pip")
        fixture = os.path.join(FIXTURES, "pipeline.yml")
        default = "public.ecr.aws/docker/library/python:3.13-alpine"
        image = "%s.dkr.ecr.eu-west-1.amazonaws.com/lms:build-42" % ACCOUNT
        r = self.lm("-m", model, "deploy", "--yes", "--template", fixture, "--debug")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        create = [ln for ln in r.stderr.split("\n") if "Action=CreateChangeSet" in ln]
        self.assertEqual(len(create), 1, r.stderr)
        self.assertIn("ChangeSetType=CREATE", create[0])
        self.assertRegex(create[0], r"ParameterKey=ContainerImage&Parameters\.member\.\d+\."
                         r"ParameterValue=public\.ecr\.aws%2Fdocker")
        self.assertNotIn("UsePreviousValue", create[0])
        cf, ssm = self.admin("cloudformation"), self.admin("ssm")

        def deployed():
            st = cf.describe_stacks(StackName="lms-pipe")["Stacks"][0]
            return ({p["ParameterKey"]: p["ParameterValue"] for p in st["Parameters"]},
                    ssm.get_parameter(Name="/lms/pip/image")["Parameter"]["Value"])
        self.assertEqual(deployed()[0]["ContainerImage"], default)

        # the pipeline's deploy action: this one parameter, the others kept
        with open(fixture, encoding="utf-8") as f:
            body = f.read()
        cf.create_change_set(StackName="lms-pipe", ChangeSetName="pipeline-build-42",
                             TemplateBody=body, ChangeSetType="UPDATE", Parameters=[
                                 {"ParameterKey": "ContainerImage", "ParameterValue": image},
                                 {"ParameterKey": "EnvironmentSuffix", "UsePreviousValue": True},
                                 {"ParameterKey": "FlowLogRetentionDays",
                                  "UsePreviousValue": True}])
        cf.execute_change_set(StackName="lms-pipe", ChangeSetName="pipeline-build-42")
        self.assertEqual(deployed(), (dict(deployed()[0], ContainerImage=image), image))

        # a model change deployed by lmsctl: the pipeline's image stays. moto 5.2.1 finds no
        # changes in a change set that changes parameters only, so the template grows a
        # resource too
        with open(model, encoding="utf-8") as f:
            text = f.read()
        with open(model, "w", encoding="utf-8") as f:
            f.write(text.replace("FlowLogRetentionDays: 90", "FlowLogRetentionDays: 180"))
        fixture = os.path.join(self.tmp, "pipeline-2.yml")
        with open(fixture, "w", encoding="utf-8") as f:
            f.write(body + "  WorkQueue:\n    Type: AWS::SQS::Queue\n"
                    "    Properties:\n      QueueName: !Sub lms-pipe-${EnvironmentSuffix}\n")
        r = self.lm("-m", model, "deploy", "--yes", "--template", fixture, "--debug")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        create = [ln for ln in r.stderr.split("\n") if "Action=CreateChangeSet" in ln]
        self.assertIn("ChangeSetType=UPDATE", create[0])
        import re
        kept = re.search(r"Parameters\.member\.(\d+)\.ParameterKey=ContainerImage&"
                         r"Parameters\.member\.\1\.UsePreviousValue=true", create[0])
        self.assertTrue(kept, create[0])
        self.assertNotIn("member.%s.ParameterValue" % kept.group(1), create[0])
        params, value = deployed()
        self.assertEqual((params["ContainerImage"], value), (image, image))
        self.assertEqual(params["FlowLogRetentionDays"], "180", r.stdout + r.stderr[-3000:])

        # a model that sets it is refused, and says whose it is
        with open(model, "a", encoding="utf-8") as f:
            f.write("  ContainerImage: %s\n" % default)
        r = self.lm("-m", model, "deploy", "--yes", "--template", fixture)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("'ContainerImage' is owned by the pipeline", r.stderr)
        with open(model, "w", encoding="utf-8") as f:
            f.write(text.replace("FlowLogRetentionDays: 90", "FlowLogRetentionDays: 180"))

        # the emergency override: named, checked, sent as a value on an update
        r = self.lm("-m", model, "deploy", "--yes", "--template", fixture,
                    "--set-pipeline-parameter", "VpcCidr=10.0.0.0/16")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("not a parameter the pipeline owns", r.stderr)
        r = self.lm("-m", model, "deploy", "--yes", "--template", fixture,
                    "--set-pipeline-parameter", "ContainerImage=Not An Image")
        self.assertEqual(r.returncode, 2, r.stderr)
        # (moto sees no change in a parameter-only change set: the request is what counts)
        r = self.lm("-m", model, "deploy", "--yes", "--template", fixture, "--debug",
                    "--set-pipeline-parameter", "ContainerImage=" + default)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        create = [ln for ln in r.stderr.split("\n") if "Action=CreateChangeSet" in ln]
        self.assertIn("ChangeSetType=UPDATE", create[0])
        self.assertRegex(create[0], r"ParameterKey=ContainerImage&Parameters\.member\.\d+\."
                         r"ParameterValue=public\.ecr\.aws%2Fdocker")
        self.assertNotIn("UsePreviousValue", create[0])
        r = self.lm("-m", model, "destroy", "--yes")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_assembled_dev_template(self):
        """The generated dev template: uploaded through the artifact bucket, change set
        created and shown; its execution goes as far as moto implements the types."""
        from moto.cloudformation.parsing import get_model_map
        model = self.model("lms-assembled", "asm")
        tpl = subprocess.run([LMSCTL, "--templates", TEMPLATES, "-m", model, "generate"],
                             capture_output=True, text=True, check=True).stdout
        self.assertGreater(len(tpl.encode()), 51200)
        types = set()
        for line in tpl.split("\n"):
            s = line.strip()
            if s.startswith("Type: AWS::") or s.startswith("Type: Custom::"):
                types.add(s.split()[1])
        missing = sorted(t for t in types if t not in get_model_map())
        print("\n  moto %s does not implement %d of the dev template's %d resource types: %s"
              % (moto.__version__, len(missing), len(types), ", ".join(missing)), file=sys.stderr)

        r = self.lm("-m", model, "deploy", "--yes", "--role-arn", ROLE, timeout=120)
        out = r.stdout + r.stderr
        self.assertIn("Created the artifact bucket lmsctl-artifacts-%s-%s" % (ACCOUNT, REGION), out)
        self.assertIn("Uploaded the template", out)
        self.assertRegex(r.stdout, r"\(CREATE\): \d+ to add, 0 to modify")
        if r.returncode != 0:
            # a type moto cannot create: reported as the AWS error it answers, never a crash
            self.assertEqual(r.returncode, 1, out)
            self.assertRegex(r.stderr, r"CloudFormation ExecuteChangeSet: [A-Za-z.]+: .+\(HTTP \d+")
            print("  moto stops the execution: %s" % r.stderr.strip().splitlines()[-1],
                  file=sys.stderr)
        s3 = self.admin("s3")
        bucket = "lmsctl-artifacts-%s-%s" % (ACCOUNT, REGION)
        enc = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
        self.assertEqual(enc["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")
        pab = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        self.assertTrue(all(pab.values()), pab)
        rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
        self.assertEqual(rules[0]["Expiration"]["Days"], 30)
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
        self.assertTrue(any(k.startswith("lms-assembled/") and k.endswith(".yaml") for k in keys), keys)

    CERTIFICATE = ("arn:aws:acm:%s:%s:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
                   % (REGION, ACCOUNT))

    def model_set(self, name, *sets, env="prod"):
        """A model that `lmsctl init --env ENV --set KEY=VALUE...` writes in one command."""
        path = os.path.join(self.tmp, name + ".yml")
        argv = [LMSCTL, "--templates", TEMPLATES, "init", "--env", env, "-o", path, "--force"]
        for kv in sets:
            argv += ["--set", kv]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return path

    def assert_no_aws_call(self, r, stack):
        """Refused before any AWS call: --debug logged no request, and moto holds no stack
        (so no change set) of that name."""
        self.assertNotIn("[debug] >", r.stderr)
        self.assertNotIn("Uploaded the template", r.stdout + r.stderr)
        self.assertIn("no AWS call was made", r.stderr)
        cfn = self.admin("cloudformation")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            cfn.describe_stacks(StackName=stack)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationError")

    def test_prod_gates_refuse_a_fresh_prod_model(self):
        """A fresh prod model validates (warnings), and deploy --no-execute refuses it before
        any AWS call, naming each gate with its field and fix: no alarm recipient (OBS008,
        AlarmEmail) and plain HTTP (SEC001, AlbCertificateArn)."""
        model = self.model_set("lms-gate-fresh", "stack=lms-gate-fresh", "suffix=gfr")
        r = self.run_lmsctl("-m", model, "validate")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("warning OBS008 [AlarmEmail]", r.stdout)
        for extra in ((), ("--no-execute",)):
            r = self.lm("-m", model, "deploy", "--yes", "--debug", "--role-arn", ROLE, *extra,
                        timeout=120)
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn("OBS008 [AlarmEmail]: alarm topic AlarmTopic has no recipient", r.stderr)
            self.assertIn("fix: set AlarmEmail to the address that receives the alarms", r.stderr)
            self.assertIn("SEC001 [AlbCertificateArn]", r.stderr)
            self.assertIn("fix: set AlbCertificateArn to an ACM certificate ARN", r.stderr)
            self.assert_no_aws_call(r, "lms-gate-fresh")

    def test_prod_without_alarm_email_is_refused(self):
        """OBS008 alone (the certificate is set): refused before any AWS call, and
        --allow-plain-http does not open this gate."""
        model = self.model_set("lms-gate-noalarm", "stack=lms-gate-noalarm", "suffix=gna",
                               "AlbCertificateArn=" + self.CERTIFICATE)
        r = self.lm("-m", model, "deploy", "--yes", "--no-execute", "--debug",
                    "--allow-plain-http", "--role-arn", ROLE, timeout=120)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("OBS008 [AlarmEmail]", r.stderr)
        self.assertIn("--set AlarmEmail=ops@example.com", r.stderr)
        self.assertNotIn("SEC001", r.stderr)
        self.assert_no_aws_call(r, "lms-gate-noalarm")

    def test_prod_without_certificate_is_refused(self):
        """SEC001 alone (AlarmEmail is set): validate only warns (a fresh prod model cannot
        know its certificate), deploy refuses prod with plain HTTP to the ALB before any AWS
        call; --allow-plain-http goes on."""
        model = self.model_set("lms-prodtls", "stack=lms-prodtls", "suffix=ptls",
                               "AlarmEmail=ops@example.com")
        r = self.lm("-m", model, "deploy", "--yes", "--no-execute", "--debug", "--role-arn", ROLE,
                    timeout=120)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("SEC001 [AlbCertificateArn]", r.stderr)
        self.assertIn("--allow-plain-http", r.stderr)
        self.assertNotIn("OBS008", r.stderr)
        self.assert_no_aws_call(r, "lms-prodtls")
        r = self.lm("-m", model, "deploy", "--yes", "--no-execute", "--allow-plain-http",
                    "--role-arn", ROLE, timeout=120)
        self.assertIn("Uploaded the template", r.stdout + r.stderr)

    def test_prod_gates_pass_with_init_set(self):
        """The model one `init --set` command writes passes both gates: the change set is
        created in moto."""
        model = self.model_set("lms-gate-ok", "stack=lms-gate-ok", "suffix=gok",
                               "AlarmEmail=ops@example.com",
                               "AlbCertificateArn=" + self.CERTIFICATE)
        r = self.run_lmsctl("-m", model, "validate")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("0 error(s), 0 warning(s)", r.stdout)
        r = self.lm("-m", model, "deploy", "--yes", "--no-execute", "--role-arn", ROLE,
                    timeout=120)
        self.assertNotIn("deploy gate", r.stderr)
        self.assertIn("Uploaded the template", r.stdout + r.stderr)
        sets = self.admin("cloudformation").list_change_sets(StackName="lms-gate-ok")["Summaries"]
        # moto lists every stack's change sets
        self.assertEqual(len([c for c in sets if c["StackName"] == "lms-gate-ok"]), 1, sets)

    def test_dev_is_not_gated(self):
        """A dev model without AlarmEmail or a certificate is deployed past the gates."""
        model = self.model_set("lms-gate-dev", "stack=lms-gate-dev", "suffix=gdv", env="dev")
        r = self.run_lmsctl("-m", model, "validate")
        self.assertIn("warning OBS008 [AlarmEmail]", r.stdout)
        r = self.lm("-m", model, "deploy", "--yes", "--no-execute", "--role-arn", ROLE,
                    timeout=120)
        self.assertNotIn("deploy gate", r.stderr)
        self.assertIn("Uploaded the template", r.stdout + r.stderr)
        sets = self.admin("cloudformation").list_change_sets(StackName="lms-gate-dev")["Summaries"]
        # moto lists every stack's change sets
        self.assertEqual(len([c for c in sets if c["StackName"] == "lms-gate-dev"]), 1, sets)

    def test_type_moto_does_not_implement(self):
        """A property reading an attribute of a type moto lacks: its 400 is reported."""
        model = self.model("lms-unsupported", "uns")
        r = self.lm("-m", model, "deploy", "--yes", "--template",
                    os.path.join(FIXTURES, "unsupported.yml"))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("CloudFormation ExecuteChangeSet: ValidationError: Template error: instance "
                      "of Fn::GetAtt references undefined resource Acl (HTTP 400", r.stderr)

    def test_wrong_secret_key(self):
        key_id, secret = self.keys["deployer"]
        wrong = secret[:-4] + "XXXX"
        r = self.run_lmsctl("status", keys=(key_id, wrong), endpoint=self.moto.url)
        self.assertEqual(r.returncode, 1)
        self.assertIn("SignatureDoesNotMatch", r.stderr)
        self.assertIn("secret access key does not match", r.stderr)
        self.assertNotIn(wrong, r.stdout + r.stderr)
        self.assertNotIn(key_id, r.stdout + r.stderr)

    def test_call_outside_the_policy_is_denied(self):
        model = self.model("lms-limited", "lim")
        fixture = os.path.join(FIXTURES, "simple.yml")
        r = self.lm("-m", model, "deploy", "--yes", "--template", fixture, keys="limited")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = self.lm("-m", model, "destroy", "--yes", keys="limited")
        self.assertEqual(r.returncode, 1)
        self.assertIn("CloudFormation DeleteStack: AccessDenied", r.stderr)
        self.assertIn("cloudformation:DeleteStack", r.stderr)
        self.assertIn("docs/deployer-policy.json", r.stderr)
        self.assertEqual(self.journal()[-1]["result"], "failed: DeleteStack")
        r = self.lm("-m", model, "destroy", "--yes")  # the full policy may
        self.assertEqual(r.returncode, 0, r.stderr)
        for call in (lambda: self.moto.client("ec2", self.keys["deployer"]).describe_vpcs(),
                     lambda: self.moto.client("s3", self.keys["deployer"]).list_buckets()):
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                call()
            self.assertIn(cm.exception.response["Error"]["Code"],
                          ("AccessDenied", "UnauthorizedOperation"))

    def test_region_is_the_models(self):
        model = self.model("lms-region", "reg")
        r = self.lm("-m", model, "--region", "us-east-1", "status")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--region us-east-1 conflicts with the model's region eu-west-1", r.stderr)
        r = self.lm("-m", model, "deploy", "--yes", "--template",
                    os.path.join(FIXTURES, "simple.yml"), extra_env={"AWS_REGION": "us-east-1"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("AWS_REGION is us-east-1, the model's region is eu-west-1: using eu-west-1",
                      r.stderr)
        self.admin("cloudformation").describe_stacks(StackName="lms-region")  # in eu-west-1
        self.assertEqual(self.lm("-m", model, "destroy", "--yes").returncode, 0)

    def test_debug_log_masks_credentials(self):
        key_id, secret = self.keys["deployer"]
        r = self.lm("status", "--debug")
        self.assertIn("[debug] > POST %s/ (STS GetCallerIdentity, attempt 1)" % self.moto.url,
                      r.stderr)
        self.assertIn("Credential=****/", r.stderr)
        self.assertIn("< HTTP 200", r.stderr)
        self.assertNotIn(secret, r.stderr)
        self.assertNotIn(key_id, r.stderr)

    def test_no_echo_value_never_shown(self):
        """A NoEcho value with every character class reaches CloudFormation as a change-set
        parameter and nowhere else: not in --debug's stderr or stdout (raw, percent- or
        form-encoded, JSON- or XML-escaped), not in the journal, not in the generated or
        the uploaded template (GetTemplate, the artifact bucket)."""
        import urllib.parse
        from xml.sax.saxutils import escape
        marker = "Zq9NoEchoMark"
        value = marker + " @/+=!%41&?#\u00e9\u20ac\U0001F600\"'<\\"
        forms = {value, urllib.parse.quote(value, safe=""), urllib.parse.quote(value),
                 urllib.parse.quote_plus(value), json.dumps(value)[1:-1],
                 json.dumps(value, ensure_ascii=False)[1:-1],
                 escape(value, {'"': "&quot;", "'": "&apos;"}), marker}
        fixture = os.path.join(TOP, "tests", "fixtures", "console-moto")
        model = os.path.join(self.tmp, "noecho.yml")
        subprocess.run([LMSCTL, "--templates", fixture, "init", "--env", "dev", "-o", model],
                       check=True, capture_output=True, timeout=30)
        with open(model, encoding="utf-8") as f:
            text = f.read().replace("stack: lms-dev", "stack: lms-noecho")
        with open(model, "w", encoding="utf-8") as f:
            f.write(text.replace("suffix: dev", "suffix: nec"))
        pfile = os.path.join(self.tmp, "noecho-params.json")
        with open(pfile, "w", encoding="utf-8") as f:
            json.dump([{"ParameterKey": "WebhookToken", "ParameterValue": value}], f)
        r = self.lm("-m", model, "params", "import", pfile, templates=fixture)
        self.assertEqual(r.returncode, 0, r.stderr)

        def assert_hidden(text, where):
            for form in forms:
                self.assertNotIn(form, text, "%s shows %r" % (where, form))

        r = self.lm("-m", model, "generate", templates=fixture)
        self.assertEqual(r.returncode, 0, r.stderr)
        assert_hidden(r.stdout + r.stderr, "generate")
        self.assertIn("# NoEcho: WebhookToken's Default is left out", r.stdout)
        self.assertIn("NoEcho parameter(s) WebhookToken", r.stderr)

        work = tempfile.mkdtemp(dir=self.tmp)
        r = self.lm("-m", model, "deploy", "--yes", "--debug", "--role-arn", ROLE,
                    templates=fixture, cwd=work)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        assert_hidden(r.stdout + r.stderr, "deploy --debug")
        # (the logged CreateChangeSet body is cut at 4 KiB, before the parameters: test_http
        # checks the "****" the request builder writes there)
        self.assertIn("Action=CreateChangeSet", r.stderr)
        r = self.lm("-m", model, "status", "--debug", templates=fixture)
        assert_hidden(r.stdout + r.stderr, "status --debug")
        with open(os.path.join(self.tmp, "state", "lmsctl", "journal.log"), encoding="utf-8") as f:
            assert_hidden(f.read(), "the journal")
        cf = self.admin("cloudformation")
        body = cf.get_template(StackName="lms-noecho")["TemplateBody"]
        body = body if isinstance(body, str) else json.dumps(body)
        assert_hidden(body, "GetTemplate")
        self.assertIn("WebhookToken", body)
        s3 = self.admin("s3")
        for b in s3.list_buckets().get("Buckets", []):
            for o in s3.list_objects_v2(Bucket=b["Name"]).get("Contents", []):
                data = s3.get_object(Bucket=b["Name"], Key=o["Key"])["Body"].read()
                assert_hidden(data.decode("utf-8", "replace"), "s3://%s/%s" % (b["Name"], o["Key"]))
        # the value went as the change-set parameter (moto hands it back in DescribeStacks,
        # where AWS answers "****": the --debug log above masked it by the parameter's name)
        st = cf.describe_stacks(StackName="lms-noecho")["Stacks"][0]
        params = {p["ParameterKey"]: p["ParameterValue"] for p in st["Parameters"]}
        self.assertEqual(params["WebhookToken"], value)
        self.assertEqual(self.lm("-m", model, "destroy", "--yes", templates=fixture).returncode, 0)

    def test_destroy_lifts_protection_then_deletes(self):
        """A stack whose database has deletion protection on: destroy names it in the
        question, lifts it with a change set on the deployed template that sets only the
        protection parameter (every other UsePreviousValue), journals the lift, then deletes
        the stack. moto has no CloudFormation model of AWS::RDS::DBCluster: what the lift
        did is read back from the deployed parameters (the template rendered with them)."""
        model = self.model("lms-lift", "lft")
        fixture = os.path.join(FIXTURES, "protected.yml")
        r = self.lm("-m", model, "deploy", "--yes", "--template", fixture)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        cf = self.admin("cloudformation")
        stack_id = cf.describe_stacks(StackName="lms-lift")["Stacks"][0]["StackId"]
        # declined at the terminal: nothing is lifted, nothing deleted
        rc, out, err = self.run_answering(
            ["--endpoint-url", self.moto.url, "-m", model, "destroy", "--debug"], ["lftx"],
            {"AWS_ACCESS_KEY_ID": self.keys["deployer"][0],
             "AWS_SECRET_ACCESS_KEY": self.keys["deployer"][1]})
        self.assertEqual(rc, 1, out + err)
        self.assertIn("DeletionProtection of DatabaseCluster (AWS::RDS::DBCluster", err)
        self.assertIn("sets only DatabaseDeletionProtection=false", err)
        self.assertIn("Not confirmed: nothing deleted", out)
        for action in ("CreateChangeSet", "ExecuteChangeSet", "DeleteStack",
                       "UpdateTerminationProtection"):
            self.assertNotIn("Action=" + action, err)
        params = {p["ParameterKey"]: p["ParameterValue"]
                  for p in cf.describe_stacks(StackName="lms-lift")["Stacks"][0]["Parameters"]}
        self.assertEqual(params["DatabaseDeletionProtection"], "true")

        r = self.lm("-m", model, "destroy", "--yes", "--debug")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("DeletionProtection of DatabaseCluster (AWS::RDS::DBCluster", r.stdout)
        create = [ln for ln in r.stderr.split("\n") if "Action=CreateChangeSet" in ln]
        self.assertEqual(len(create), 1, r.stderr)
        fields = dict(kv.split("=", 1) for kv in create[0].split("body: ", 1)[-1].split("&")
                      if "=" in kv)
        self.assertEqual(fields["ChangeSetType"], "UPDATE")
        self.assertEqual(fields["UsePreviousTemplate"], "true")
        self.assertNotIn("TemplateBody", fields)
        sent = {}
        for k, v in fields.items():
            m = re.match(r"Parameters\.member\.(\d+)\.(\w+)$", k)
            if m:
                sent.setdefault(m.group(1), {})[m.group(2)] = v
        sent = {p["ParameterKey"]: p for p in sent.values()}
        self.assertEqual(sent["DatabaseDeletionProtection"].get("ParameterValue"), "false")
        for other in ("EnvironmentSuffix", "FlowLogRetentionDays"):
            self.assertEqual(sent[other].get("UsePreviousValue"), "true", sent)
            self.assertNotIn("ParameterValue", sent[other])
        self.assertRegex(r.stdout, r"Deletion protection lifted \(change set lmsctl-lift-\d{8}-\d{6}\)")
        self.assertLess(r.stderr.index("Action=ExecuteChangeSet"), r.stderr.index("Action=DeleteStack"))
        self.assertIn("Stack lms-lift is deleted", r.stdout)
        st = cf.describe_stacks(StackName=stack_id)["Stacks"][0]
        self.assertEqual(st["StackStatus"], "DELETE_COMPLETE")
        params = {p["ParameterKey"]: p["ParameterValue"] for p in st["Parameters"]}
        self.assertEqual(params, {"EnvironmentSuffix": "lft", "FlowLogRetentionDays": "90",
                                  "DatabaseDeletionProtection": "false"})
        with self.assertRaises(botocore.exceptions.ClientError):
            self.admin("sqs").get_queue_url(QueueName="lms-work-lft")
        entries = [e for e in self.journal() if e["stack"] == "lms-lift"]
        self.assertEqual([(e["command"], e["result"]) for e in entries],
                         [("deploy", "CREATE_COMPLETE"), ("destroy", "declined"),
                          ("destroy", "protection lifted"), ("destroy", "DELETE_COMPLETE")])
        self.assertTrue(entries[2]["changeSet"].startswith("lmsctl-lift-"))

    def test_purge_removes_what_the_environment_left(self):
        """After the stack is gone: destroy lists the log groups, secrets pending deletion
        and cluster snapshots of the environment (not those of a near name), removes them
        only with --purge and its own typed confirmation, and asks nothing of AWS when the
        confirmation cannot be asked."""
        model = self.model("lms-purge", "pur")
        logs, sm, rds = self.admin("logs"), self.admin("secretsmanager"), self.admin("rds")
        mine_groups = ["/aws/lambda/lms-cache-rotation-pur",
                       "/aws/ecs/containerinsights/lms-cluster-pur/performance",
                       "/aws/rds/cluster/lms-db-cluster-pur/postgresql"]
        near_groups = ["/aws/lambda/lms-cache-rotation-purx", "/aws/lambda/other-pur",
                       "/aws/lambda/lms-pur"]
        for g in mine_groups + near_groups:
            logs.create_log_group(logGroupName=g)
        for name in ("lms-cache-user-pur", "lms-cache-user-purx", "lms-keep-pur"):
            sm.create_secret(Name=name, SecretString="x")
        for name in ("lms-cache-user-pur", "lms-cache-user-purx"):
            sm.delete_secret(SecretId=name, RecoveryWindowInDays=7)
        for cluster, snap in (("lms-db-cluster-pur", "final-pur-1"),
                              ("lms-db-cluster-purx", "final-purx-1")):
            rds.create_db_cluster(DBClusterIdentifier=cluster, Engine="aurora-postgresql",
                                  MasterUsername="lms", MasterUserPassword="password-123")
            rds.create_db_cluster_snapshot(DBClusterIdentifier=cluster,
                                           DBClusterSnapshotIdentifier=snap)
        # no terminal and no --yes: refused before any AWS call
        r = self.lm("-m", model, "destroy", "--purge", "--debug")
        self.assertEqual(r.returncode, 2)
        self.assertIn("no terminal", r.stderr)
        self.assertNotIn("Action=", r.stderr)
        self.assertNotIn("X-Amz-Target", r.stderr)
        # listed, not removed
        r = self.lm("-m", model, "destroy", "--yes")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("nothing to destroy", r.stdout)
        for g in mine_groups:
            self.assertRegex(r.stdout, r"log group +%s\n" % re.escape(g))
        self.assertRegex(r.stdout, r"secret pending deletion +lms-cache-user-pur\n")
        self.assertRegex(r.stdout, r"cluster snapshot +final-pur-1 +\(of lms-db-cluster-pur\)")
        for near in near_groups + ["lms-cache-user-purx", "lms-keep-pur", "final-purx-1"]:
            self.assertNotRegex(r.stdout, r" %s(\s|$)" % re.escape(near))
        self.assertIn("lmsctl destroy --purge removes them", r.stdout)
        # moto has no AWS Backup recovery points: said, the rest goes on
        self.assertIn("could not list backup recovery points", r.stderr)
        self.assertEqual(len(logs.describe_log_groups(logGroupNamePrefix="/aws/")["logGroups"]), 6)
        # the purge's own confirmation, declined at a terminal: nothing removed
        keys = {"AWS_ACCESS_KEY_ID": self.keys["deployer"][0],
                "AWS_SECRET_ACCESS_KEY": self.keys["deployer"][1]}
        rc, out, err = self.run_answering(
            ["--endpoint-url", self.moto.url, "-m", model, "destroy", "--purge"], ["pur"], keys)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("Not confirmed: nothing purged", out)
        self.assertEqual(len(logs.describe_log_groups(logGroupNamePrefix="/aws/")["logGroups"]), 6)
        # confirmed: removed for good, the near names kept
        rc, out, err = self.run_answering(
            ["--endpoint-url", self.moto.url, "-m", model, "destroy", "--purge"], ["purge"], keys)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("Purged 5 of 5", out)
        left = sorted(g["logGroupName"]
                      for g in logs.describe_log_groups(logGroupNamePrefix="/aws/")["logGroups"])
        self.assertEqual(left, sorted(near_groups))
        names = {s["Name"]: s for s in sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]}
        self.assertNotIn("lms-cache-user-pur", names)
        self.assertIn("DeletedDate", names["lms-cache-user-purx"])
        self.assertNotIn("DeletedDate", names["lms-keep-pur"])
        snaps = [s["DBClusterSnapshotIdentifier"]
                 for s in rds.describe_db_cluster_snapshots()["DBClusterSnapshots"]]
        self.assertNotIn("final-pur-1", snaps)
        self.assertIn("final-purx-1", snaps)
        results = [e["result"] for e in self.journal() if e["stack"] == "lms-purge"]
        self.assertIn("purge declined", results)
        self.assertEqual(results[-1], "purged 5 of 5")
        r = self.lm("-m", model, "destroy", "--yes")
        self.assertIn("Nothing of pur is left outside the stack", r.stdout)

    def diff_model(self, stack, suffix):
        """A model of the console-moto catalog (four resources moto creates, a NoEcho
        parameter) for `stack`, and that catalog."""
        fixture = os.path.join(TOP, "tests", "fixtures", "console-moto")
        model = os.path.join(self.tmp, stack + ".yml")
        subprocess.run([LMSCTL, "--templates", fixture, "init", "--env", "dev", "-o", model,
                        "--force", "--set", "stack=" + stack, "--set", "suffix=" + suffix],
                       check=True, capture_output=True, timeout=30)
        return model, fixture

    def test_diff(self):
        """lmsctl diff: no stack is exit 2 (an error object with --output json); a model
        with errors is exit 1 before any AWS call; the deployed stack matches its model
        (exit 0) with the NoEcho value masked and never shown; a changed value is exit 3
        with the parameter and the resource it changes; --unified adds the rendered
        templates' diff; --change-set makes, reads and deletes a change set; a template with
        a resource more, --template, and a pipeline-owned parameter."""
        model, fixture = self.diff_model("lms-diff", "dif")
        secret = "Zq9DiffSecret"

        def diff(*args, model=model, templates=fixture):
            return self.lm("-m", model, "diff", *args, templates=templates)

        r = diff()
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("stack lms-diff does not exist", r.stderr)
        r = diff("--output", "json")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(json.loads(r.stdout)["error"]["code"], 2)
        self.assertIn("does not exist", json.loads(r.stdout)["error"]["message"])

        with open(model, encoding="utf-8") as f:
            text = f.read()
        with open(model, "w", encoding="utf-8") as f:
            f.write(text.replace("WebhookToken: ''", "WebhookToken: " + secret))
        r = self.lm("-m", model, "deploy", "--yes", "--role-arn", ROLE, templates=fixture)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

        r = diff()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("The stack matches the model.", r.stdout)
        self.assertIn("WebhookToken: **** (NoEcho: not compared)", r.stdout)
        self.assertIn("Resources: 0 added, 0 removed, 0 modified", r.stdout)
        r = diff("--output", "json", "--unified", "--debug")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(secret, r.stdout + r.stderr)
        doc = json.loads(r.stdout)
        self.assertFalse(doc["differs"])
        self.assertNotIn("unified", doc)
        self.assertNotIn("error", doc)
        params = {p["key"]: p for p in doc["parameters"]}
        self.assertEqual(params["WebhookToken"], {"key": "WebhookToken", "status": "noecho",
                                                  "deployed": "****", "model": "****"})
        self.assertEqual(params["LogRetentionDays"]["status"], "same")

        # a model with errors: exit 1, no AWS call
        with open(model, "w", encoding="utf-8") as f:
            f.write(text.replace("LogRetentionDays: 30", "LogRetentionDays: 31"))
        r = diff("--debug")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertNotIn("[debug] >", r.stderr)

        # a changed value: the parameter and the resource that reads it
        with open(model, "w", encoding="utf-8") as f:
            f.write(text.replace("WebhookToken: ''", "WebhookToken: " + secret)
                    .replace("LogRetentionDays: 30", "LogRetentionDays: 90"))
        r = diff("--unified")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("~ LogRetentionDays: 30 -> 90", r.stdout)
        self.assertRegex(r.stdout, r"~ AWS::SSM::Parameter +RetentionParameter  \(Properties\.Value\)")
        self.assertIn("Resources: 0 added, 0 removed, 1 modified", r.stdout)
        self.assertIn("--- deployed\n+++ model\n@@ ", r.stdout)
        self.assertRegex(r.stdout, r"\n-.*Value: '?30'?\n\+.*Value: '?90'?\n")
        self.assertIn("The stack differs from the model.", r.stdout)
        self.assertNotIn(secret, r.stdout + r.stderr)
        r = diff("--output", "json")
        self.assertEqual(r.returncode, 3, r.stderr)
        doc = json.loads(r.stdout)
        self.assertTrue(doc["differs"])
        self.assertEqual({p["key"]: (p["status"], p["deployed"], p["model"])
                          for p in doc["parameters"]}["LogRetentionDays"], ("changed", "30", "90"))
        self.assertEqual(doc["resources"], [{"logicalId": "RetentionParameter",
                                             "type": "AWS::SSM::Parameter", "status": "modified",
                                             "changed": ["Properties.Value"]}])
        self.assertEqual(doc["summary"], {"added": 0, "removed": 0, "modified": 1})

        # --change-set: made, described, deleted; never executed
        cf = self.admin("cloudformation")
        sid = cf.describe_stacks(StackName="lms-diff")["Stacks"][0]["StackId"]
        r = diff("--change-set", "--output", "json")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        doc = json.loads(r.stdout)
        self.assertTrue(doc["changeSet"]["name"].startswith("lmsctl-"), doc)
        self.assertIn("replacements", doc["changeSet"])
        self.assertIn("Deleted change set %s (never executed)" % doc["changeSet"]["name"],
                      r.stderr)
        self.assertIn(":changeSet/", doc["changeSet"]["id"])
        sums = cf.list_change_sets(StackName="lms-diff")["Summaries"]
        self.assertNotIn(doc["changeSet"]["id"],
                         [c["ChangeSetId"] for c in sums if c["StackId"] == sid])
        params = {p["ParameterKey"]: p["ParameterValue"]
                  for p in cf.describe_stacks(StackName="lms-diff")["Stacks"][0]["Parameters"]}
        self.assertEqual(params["LogRetentionDays"], "30")  # not executed

        # a catalog with a resource more, one less: added and removed
        more = os.path.join(self.tmp, "diff-catalog")
        shutil.copytree(fixture, more, dirs_exist_ok=True)
        with open(os.path.join(more, "app.yml"), encoding="utf-8") as f:
            app = f.read()
        app = app.replace("  ConfigParameter:\n", "  ExtraQueue:\n    Type: AWS::SQS::Queue\n"
                          "    Properties:\n      QueueName: !Sub lms-extra-${EnvironmentSuffix}\n"
                          "  ConfigParameter:\n")
        app = app.replace("  RetentionParameter:\n", "  RetentionParameterGone:\n")
        with open(os.path.join(more, "app.yml"), "w", encoding="utf-8") as f:
            f.write(app)
        with open(model, "w", encoding="utf-8") as f:
            f.write(text.replace("WebhookToken: ''", "WebhookToken: " + secret))
        r = diff(templates=more)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("Resources: 2 added, 1 removed, 0 modified", r.stdout)
        self.assertRegex(r.stdout, r"\+ AWS::SQS::Queue +ExtraQueue\n")
        self.assertRegex(r.stdout, r"- AWS::SSM::Parameter +RetentionParameter\n")
        self.assertIn("Parameters: 0 differ", r.stdout)

        # --template, and a parameter the pipeline owns: shown as owned, never a difference
        pipe = os.path.join(FIXTURES, "pipeline.yml")
        pmodel = self.model("lms-diff-pipe", "dfp")
        r = self.lm("-m", pmodel, "deploy", "--yes", "--template", pipe)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        image = "%s.dkr.ecr.eu-west-1.amazonaws.com/lms:build-7" % ACCOUNT
        with open(pipe, encoding="utf-8") as f:
            body = f.read()
        cf.create_change_set(StackName="lms-diff-pipe", ChangeSetName="pipeline-build-7",
                             TemplateBody=body, ChangeSetType="UPDATE", Parameters=[
                                 {"ParameterKey": "ContainerImage", "ParameterValue": image},
                                 {"ParameterKey": "EnvironmentSuffix", "UsePreviousValue": True},
                                 {"ParameterKey": "FlowLogRetentionDays",
                                  "UsePreviousValue": True}])
        cf.execute_change_set(StackName="lms-diff-pipe", ChangeSetName="pipeline-build-7")
        r = self.lm("-m", pmodel, "diff", "--template", pipe)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("ContainerImage: %s (owned by the pipeline: an update keeps it)" % image,
                      r.stdout)
        r = self.lm("-m", pmodel, "diff", "--template", pipe, "--output", "json")
        owned = [p for p in json.loads(r.stdout)["parameters"] if p["key"] == "ContainerImage"]
        self.assertEqual(owned, [{"key": "ContainerImage", "status": "pipeline",
                                  "deployed": image, "model": None}])
        r = self.lm("-m", pmodel, "diff", "--template", os.path.join(self.tmp, "nope.yml"))
        self.assertEqual(r.returncode, 2, r.stderr)
        for st in ("lms-diff", "lms-diff-pipe"):
            cf.delete_stack(StackName=st)

    def test_drift_moto_has_none(self):
        """moto 5.2.1 implements no drift call (a 500 HTML page for DetectStackDrift): lmsctl
        drift says drift detection is not available there, exit 1, never a crash; with
        --output json the error object says the same. No stack is exit 2."""
        model, fixture = self.diff_model("lms-drift", "dri")
        r = self.lm("-m", model, "drift", templates=fixture)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("stack lms-drift does not exist", r.stderr)
        r = self.lm("-m", model, "deploy", "--yes", templates=fixture)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # the deployer's policy (docs/deployer-policy.json) has no drift call: refused as
        # such, not taken for a missing action
        r = self.lm("-m", model, "drift", templates=fixture)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("not authorized to perform: cloudformation:DetectStackDrift", r.stderr)
        self.assertNotIn("not available at this endpoint", r.stderr)
        r = self.lm("-m", model, "drift", templates=fixture, keys="admin")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("drift detection is not available at this endpoint: CloudFormation "
                      "DetectStackDrift is not implemented there (HTTP 500, --endpoint-url: an "
                      "emulator such as moto has no drift detection); nothing was checked",
                      r.stderr)
        r = self.lm("-m", model, "drift", "--output", "json", templates=fixture, keys="admin")
        self.assertEqual(r.returncode, 1, r.stderr)
        err = json.loads(r.stdout)["error"]
        self.assertEqual(err["code"], 1)
        self.assertIn("drift detection is not available", err["message"])
        self.admin("cloudformation").delete_stack(StackName="lms-drift")

    def test_no_terminal_no_prompt(self):
        model = self.model("lms-prompt")
        for cmd in ("deploy", "destroy"):
            r = self.lm("-m", model, cmd)
            self.assertEqual(r.returncode, 2, cmd)
            self.assertIn("--yes", r.stderr)
            self.assertIn("no terminal", r.stderr)


class AgainstRecordings(Base):
    fault = None

    @classmethod
    def setUpClass(cls):
        cls.make_tmp()
        cls.fault = FaultServer()
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        if cls.fault:
            cls.fault.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def endpoint(self, scenario):
        """A fresh key for a recorded scenario, so that its numbered answers start at 1."""
        AgainstRecordings.n += 1
        self.key = "k%d" % self.n
        return "%s/%s/%s" % (self.fault.url, scenario, self.key)

    def lm(self, scenario, *args, **kw):
        return self.run_lmsctl(*args, keys=("AKIDRECORDED", "recorded-secret"),
                               endpoint=self.endpoint(scenario), **kw)

    def deploy(self, scenario, *extra, cwd=None):
        return self.lm(scenario, "deploy", "--yes", "--template",
                       os.path.join(FIXTURES, "simple.yml"), *extra, cwd=cwd)

    def test_drift_recorded(self):
        """lmsctl drift against recorded answers: DetectStackDrift, the status polled until
        the detection ends (progress on stderr), every page of DescribeStackResourceDrifts;
        the drifted resources (MODIFIED, DELETED) with expected and actual values, exit 3;
        in sync is exit 0; a detection that failed for some resources is exit 1 with the
        reason, or 3 when what it checked drifted."""
        r = self.lm("recorded/drift", "drift")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("Drift detection a1b2c3d4-0000-11ef-9c2a-0a1b2c3d4e5f: "
                      "DETECTION_IN_PROGRESS (0 s)", r.stderr)
        self.assertIn("DETECTION_COMPLETE (1 s)", r.stderr)
        self.assertEqual(self.fault.count("drift/%s/DescribeStackDriftDetectionStatus"
                                          % self.key), 2)
        self.assertEqual(self.fault.count("drift/%s/DescribeStackResourceDrifts" % self.key), 2)
        self.assertIn("Stack lms-dev: DRIFTED (2 of 4 resource(s) drifted, 1 in sync, "
                      "1 not checked)", r.stdout)
        self.assertRegex(r.stdout, r"MODIFIED +AWS::SQS::Queue +WorkQueue \(https://sqs")
        self.assertIn("NOT_EQUAL /MessageRetentionPeriod: expected 345600, actual 3600",
                      r.stdout)
        self.assertIn('ADD /Tags/0: expected (none), actual {"Key":"owner","Value":"ops"}',
                      r.stdout)
        self.assertRegex(r.stdout, r"DELETED +AWS::SSM::Parameter +ConfigParameter")
        self.assertNotIn("AlarmTopic", r.stdout)   # in sync: not listed
        self.assertNotIn("AppLogGroup", r.stdout)  # not checked: counted only

        r = self.lm("recorded/drift", "drift", "--output", "json")
        self.assertEqual(r.returncode, 3, r.stderr)
        doc = json.loads(r.stdout)
        self.assertTrue(doc["drifted"])
        self.assertEqual((doc["driftStatus"], doc["detectionStatus"], doc["driftedCount"],
                          doc["inSync"], doc["notChecked"]),
                         ("DRIFTED", "DETECTION_COMPLETE", 2, 1, 1))
        wq = [x for x in doc["resources"] if x["logicalId"] == "WorkQueue"][0]
        self.assertEqual(wq["status"], "MODIFIED")
        self.assertEqual(wq["differences"][0], {"path": "/MessageRetentionPeriod",
                                                "expected": "345600", "actual": "3600",
                                                "type": "NOT_EQUAL"})
        self.assertNotIn("error", doc)

        r = self.lm("recorded/drift-insync", "drift")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Stack lms-dev: IN_SYNC (0 of 2 resource(s) drifted, 2 in sync, "
                      "0 not checked)", r.stdout)
        r = self.lm("recorded/drift-insync", "drift", "--output", "json")
        self.assertEqual((r.returncode, json.loads(r.stdout)["drifted"]), (0, False))

        r = self.lm("recorded/drift-failed", "drift", "--output", "json")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["detectionStatus"], "DETECTION_FAILED")
        self.assertEqual(doc["error"]["code"], 1)
        self.assertIn("Failed to detect drift on resource [Topic]", doc["error"]["message"])
        self.assertIn("drift detection failed for some resources", r.stderr)

        # an answer the endpoint fails (not one it lacks): the call's error, exit 1
        r = self.lm("recorded/outputs", "drift")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertNotIn("not available at this endpoint", r.stderr)
        self.assertIn("DetectStackDrift", r.stderr)

    def test_outputs_formats(self):
        r = self.lm("recorded/outputs", "outputs", "--format", "flat")
        self.assertEqual(r.returncode, 0, r.stderr)
        flat = json.loads(r.stdout)
        self.assertEqual(flat["VpcId"], "vpc-0a1b2c3d4e5f67890")
        self.assertEqual(len(flat), 6)
        r = self.lm("recorded/outputs", "outputs", "--format", "json")
        full = json.loads(r.stdout)
        self.assertEqual(full[1], {"OutputKey": "AlarmTopicArn",
                                   "OutputValue": "arn:aws:sns:eu-west-1:123456789012:lms-alarms-rec",
                                   "Description": "Alarms.", "ExportName": "lms-rec-AlarmTopicArn"})
        r = self.lm("recorded/outputs", "outputs")
        self.assertRegex(r.stdout, r"ApiUrl +https://abc123")
        r = self.lm("recorded/outputs", "status", "--output", "json")
        doc = json.loads(r.stdout)
        self.assertEqual(doc["status"], "UPDATE_COMPLETE")
        self.assertEqual(doc["outputs"]["DatabasePort"], "5432")

    def test_update_follows_events_once_and_writes_outputs(self):
        work = tempfile.mkdtemp(dir=self.tmp)
        r = self.deploy("recorded/deploy-update", cwd=work)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("1 to add, 1 to modify (0 replaced), 0 to remove", r.stdout)  # two pages
        for line in ("UPDATE_IN_PROGRESS           AWS::CloudFormation::Stack",
                     "CREATE_COMPLETE              AWS::SNS::Topic",
                     "UPDATE_COMPLETE              AWS::CloudFormation::Stack"):
            self.assertEqual(r.stdout.count(line), 1, line)
        self.assertNotIn("09:00:00", r.stdout)  # history before the operation
        path = os.path.join(work, "cfn-outputs", "flat-outputs.json")
        with open(path) as f:
            flat = json.load(f)
        self.assertEqual(flat["ApiUrl"], "https://abc123.execute-api.eu-west-1.amazonaws.com/prod")
        self.assertEqual(sorted(os.listdir(os.path.join(work, "cfn-outputs"))), ["flat-outputs.json"])
        # the integration suite reads the file
        it = subprocess.run([sys.executable, "-m", "unittest", "-v", "test_stack"],
                            cwd=os.path.join(TOP, "tests", "integration"), capture_output=True,
                            text=True, timeout=120,
                            env=dict(os.environ, LMSCTL_OUTPUTS=path, LMSCTL_EXPECT_REGION=REGION))
        self.assertEqual(it.returncode, 0, it.stdout + it.stderr)
        self.assertIn("OK", it.stderr)

    def test_rollback_reports_the_first_failure(self):
        r = self.deploy("recorded/deploy-rollback")
        self.assertEqual(r.returncode, 1)
        self.assertIn("deploy failed: stack lms-dev is UPDATE_ROLLBACK_COMPLETE", r.stderr)
        self.assertIn("first failure: CacheReplicationGroup (AWS::ElastiCache::ReplicationGroup) "
                      "UPDATE_FAILED: Resource handler returned message: \"cache.t4g.huge is not "
                      "a valid node type\"", r.stderr)

    def test_stateful_replacement(self):
        r = self.deploy("recorded/deploy-replace")
        self.assertEqual(r.returncode, 1)
        self.assertIn("1 stateful resource(s) replaced, 1 removed", r.stdout)
        lines = [ln for ln in r.stdout.split("\n") if ln.startswith("  ")]
        self.assertTrue(lines[1].startswith("  ! Replace AWS::RDS::DBCluster"), lines)  # riskiest first
        self.assertIn("replacement: True, because of DBClusterIdentifier, MasterUsername", r.stdout)
        self.assertIn("replacement: Conditional", r.stdout)
        self.assertIn("refusing to replace 1 stateful resource(s) of lms-dev (their data would be", r.stderr)
        self.assertEqual(self.fault.count("deploy-replace/%s/ExecuteChangeSet" % self.key), 0)
        r = self.deploy("recorded/deploy-replace", "--no-execute")
        self.assertEqual(r.returncode, 1)  # the refusal comes first
        r = self.deploy("recorded/deploy-replace", "--allow-replacement", "--no-execute")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Not executed (--no-execute)", r.stdout)
        self.assertEqual(self.fault.count("deploy-replace/%s/ExecuteChangeSet" % self.key), 0)
        r = self.deploy("recorded/deploy-replace", "--allow-replacement", "--output", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["result"], "UPDATE_COMPLETE")
        self.assertEqual(doc["changes"][0]["logicalId"], "DatabaseCluster")
        self.assertTrue(doc["changes"][0]["stateful"])

    def test_no_changes_is_a_noop(self):
        r = self.deploy("recorded/deploy-nochanges")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("No changes: stack lms-dev is up to date.", r.stdout)
        self.assertEqual(self.fault.count("deploy-nochanges/%s/DeleteChangeSet" % self.key), 1)

    def test_destroy_says_what_protection_stands_in_the_way(self):
        """Deletion protection no template parameter lifts: destroy stops before changing
        anything (termination protection included), with the command that lifts each."""
        r = self.lm("recorded/protected", "destroy", "--yes")
        self.assertEqual(r.returncode, 1)
        self.assertIn("the template names no parameter that lifts it", r.stdout)
        self.assertEqual(self.fault.count("protected/%s/UpdateTerminationProtection" % self.key), 0)
        self.assertEqual(self.fault.count("protected/%s/CreateChangeSet" % self.key), 0)
        self.assertIn("DatabaseCluster (AWS::RDS::DBCluster, lms-db-cluster-rec): "
                      "DeletionProtection is on", r.stdout)
        self.assertIn("aws rds modify-db-cluster --region eu-west-1 --db-cluster-identifier "
                      "lms-db-cluster-rec --no-deletion-protection", r.stdout)
        self.assertIn("deletion_protection.enabled is on", r.stdout)   # Ref to a parameter
        self.assertNotIn("DevDatabase", r.stdout)                      # its condition is false
        self.assertNotIn("Table (", r.stdout)                          # condition false
        self.assertNotIn("Cache (", r.stdout + r.stderr)               # no protection property
        self.assertIn("Pool (AWS::Cognito::UserPool) may have DeletionProtection on", r.stderr)
        self.assertIn("Nothing was deleted", r.stdout)
        self.assertEqual(self.fault.count("protected/%s/DeleteStack" % self.key), 0)

    def test_destroy_lifts_both_protections_then_purges(self):
        """prod's teardown in one command: the question names the termination protection
        and the database's deletion protection; the lift change set, then
        UpdateTerminationProtection, then DeleteStack, each journaled; after DELETE_COMPLETE
        the EFS recovery point, the log group ECS remade and the RDS secret pending deletion
        of this environment (not those of near names) are listed and, with --purge, removed."""
        model = self.model("lms-rec", "rec", "dev")
        r = self.lm("recorded/lift", "-m", model, "destroy", "--yes", "--purge")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        out = r.stdout
        self.assertIn("the stack's termination protection (UpdateTerminationProtection)", out)
        self.assertIn("DeletionProtection of DatabaseCluster (AWS::RDS::DBCluster, "
                      "lms-db-cluster-rec)", out)
        self.assertIn("sets only DatabaseDeletionProtection=false", out)
        self.assertNotIn("of Alb", out)  # its protection is off
        steps = ["Deletion protection lifted (change set lmsctl-lift-",
                 "Termination protection lifted.", "Stack lms-rec is deleted."]
        self.assertEqual([out.find(x) for x in steps], sorted(out.find(x) for x in steps))
        self.assertNotIn(-1, [out.find(x) for x in steps])
        self.assertRegex(out, r"recovery point +arn:aws:backup:eu-west-1:123456789012:recovery-"
                              r"point:1b2c3d4e-\S+  \(of arn:aws:elasticfilesystem:eu-west-1:"
                              r"123456789012:file-system/fs-0abc1234\)")
        self.assertNotIn("fs-0abc12345", out)
        self.assertIn("log group                /aws/ecs/containerinsights/lms-cluster-rec/"
                      "performance\n", out)
        self.assertNotIn("lms-cluster-recx", out)
        self.assertIn("secret pending deletion  rds!cluster-5e1f  (of arn:aws:rds:", out)
        self.assertNotIn("rds!cluster-77aa", out)
        self.assertIn("Purged 3 of 3", out)
        for action, n in (("CreateChangeSet", 1), ("ExecuteChangeSet", 1),
                          ("UpdateTerminationProtection", 1), ("DeleteStack", 1),
                          ("DeleteRecoveryPoint", 1), ("RestoreSecret", 1), ("DeleteSecret", 1),
                          ("DeleteLogGroup", 1), ("DeleteChangeSet", 0)):
            self.assertEqual(self.fault.count("lift/%s/%s" % (self.key, action)), n, action)
        results = [e["result"] for e in self.journal() if e["stack"] == "lms-rec"]
        self.assertEqual(results[-4:], ["protection lifted", "termination protection lifted",
                                        "DELETE_COMPLETE", "purged 3 of 3"])

    def test_destroy_refuses_a_lift_that_changes_more(self):
        """A lift change set that would modify anything but the protected resources is
        deleted unexecuted: nothing is lifted, nothing deleted."""
        model = self.model("lms-rec", "rec", "dev")
        r = self.lm("recorded/lift-wider", "-m", model, "destroy", "--yes")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("would also make other changes (Modify Alb "
                      "(AWS::ElasticLoadBalancingV2::LoadBalancer))", r.stderr)
        for action, n in (("CreateChangeSet", 1), ("DeleteChangeSet", 1), ("ExecuteChangeSet", 0),
                          ("UpdateTerminationProtection", 0), ("DeleteStack", 0)):
            self.assertEqual(self.fault.count("lift-wider/%s/%s" % (self.key, action)), n, action)
        self.assertEqual(self.journal()[-1]["result"], "refused: lifting protection")

    def test_aws_hints_name_the_endpoint(self):
        """The `aws` commands lmsctl suggests (lifting a deletion protection no template
        parameter lifts; lmsctl lifts the termination protection itself) carry
        --endpoint-url when one is in use, so that they go where lmsctl's calls went."""
        r = self.lm("recorded/protected", "destroy", "--yes")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        url = "%s/recorded/protected/%s" % (self.fault.url, self.key)
        self.assertIn("lms-db-cluster-rec --no-deletion-protection --apply-immediately "
                      "--endpoint-url " + url + "\n", r.stdout)
        self.assertIn("Key=deletion_protection.enabled,Value=false --endpoint-url " + url,
                      r.stdout)

    def test_busy_stack_is_not_deployed(self):
        r = self.deploy("recorded/in-progress")
        self.assertEqual(r.returncode, 1)
        self.assertIn("is busy (UPDATE_IN_PROGRESS)", r.stderr)

    def test_ctrl_c_while_following(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(HOME=self.tmp, NO_COLOR="1", AWS_ACCESS_KEY_ID="AKIDRECORDED",
                   AWS_SECRET_ACCESS_KEY="x", LMSCTL_TEMPLATES=TEMPLATES)
        p = subprocess.Popen([LMSCTL, "--endpoint-url", self.endpoint("recorded/in-progress"),
                              "status", "--follow"], env=env, cwd=self.tmp, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.fault.count("in-progress/%s/DescribeStacks" % self.key) >= 2:
                break
            time.sleep(0.1)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
        self.assertEqual(p.returncode, 130, err)
        self.assertIn("the stack operation goes on in CloudFormation", err)
        self.assertIn("lmsctl status --follow", err)

    def test_html_error_page_reported(self):
        r = self.lm("html500", "status")
        self.assertEqual(r.returncode, 1)
        self.assertIn("the endpoint answered with an HTML page, not an AWS response "
                      "(\"500 Internal Server Error\")", r.stderr)
        self.assertIn("HTTP 500", r.stderr)
        self.assertIn("3 attempts", r.stderr)

    def test_no_answer_within_the_timeout(self):
        t0 = time.monotonic()
        r = self.lm("hang", "status", extra_env={"LMSCTL_HTTP_TIMEOUT_MS": "1500"})
        self.assertLess(time.monotonic() - t0, 10)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no answer from 127.0.0.1", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
