#!/usr/bin/env python3
"""The console's deploy and destroy against a local moto server, as an operator does them.

The real binary runs in a tmux of its own (its own socket, 80x24), keys go in with
send-keys and the screen is read with capture-pane; what the screen claims is checked
against moto itself with boto3 (the stack, the queue's attributes, the journal, the
outputs file). moto runs with signature checking and IAM on, as in tests/deploy_moto.py:
the console signs with a deployer's keys holding docs/deployer-policy.json, or with a
viewer's keys that may not create change sets.

* test_deploy_update_destroy: the fixture catalog tests/fixtures/console-moto (four
  resources, of types moto implements end to end): D, review, apply, CREATE_COMPLETE with
  every resource; a value edited, D again, one modification, UPDATE_COMPLETE and the new
  value in SQS; the API log's calls with request ids and `aws` command lines; X with the
  environment's name typed; the stack gone.
* test_prod_real_template: the platform's own prod model. The deploy gates (plain HTTP,
  no alarm recipient) stop the deploy in PROD; setting the certificate and AlarmEmail
  fixes them; D uploads the 270 KB template
  through the artifact bucket and reviews moto's change set of the real template (its
  execution is as far as moto goes: tests/deploy_moto.py); n discards it.
* test_open_change_set: `:changeset NAME` on a change set boto3 made: another stack's is
  refused, this stack's reviewed and applied (ExecuteChangeSet; no CreateChangeSet).
* test_access_denied: the viewer's CreateChangeSet is refused: a readable message.
* test_two_stacks: the fixture catalog tests/fixtures/deploy-pair (a companion `edge` in
  us-east-1, as templates/catalog.yml names one): the Stack view shows both stacks' states;
  D reviews both (the edge's change set made after the main stack, with its outputs), one
  confirmation, the main stack then the edge created (moto, both Regions); X asks once,
  naming both, and deletes the edge first, then the main stack.

Exits 77 (skipped) when tmux, moto or boto3 is missing.
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if not shutil.which("tmux"):
    print("tmux not found: skipped")
    sys.exit(77)
import deploy_moto as dm  # noqa: E402  (exits 77 itself without moto or boto3)
import botocore.exceptions  # noqa: E402

FIXTURE = os.path.join(dm.TOP, "tests", "fixtures", "console-moto")
PAIR = os.path.join(dm.TOP, "tests", "fixtures", "deploy-pair")
EDGE_REGION = "us-east-1"
LSAN_SUPP = "leak:libncursesw.so\nleak:libtinfo.so\nleak:libpanelw.so\nleak:libmenuw.so\nleak:libformw.so\n"


class Console:
    """lmsctl's console in a private tmux server."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.sock = os.path.join(tmp, "tmux.sock")
        self.err = os.path.join(tmp, "console.err")

    def tmux(self, *args):
        return subprocess.run(["tmux", "-S", self.sock] + list(args), capture_output=True,
                              text=True, timeout=30)

    def start(self, args, env, width=80, height=24):
        self.tmux("kill-server")
        assigns = " ".join(shlex.quote("%s=%s" % kv) for kv in sorted(env.items()))
        cmd = "env -i %s %s 2>%s; echo \"EXIT $?\" >>%s; sleep 600" % (
            assigns, " ".join(shlex.quote(a) for a in [dm.LMSCTL] + args),
            shlex.quote(self.err), shlex.quote(self.err))
        for attempt in range(20):  # the server just killed may still be going away
            r = self.tmux("-f", "/dev/null", "new-session", "-d", "-s", "main", "-c", self.tmp,
                          "-x", str(width), "-y", str(height), cmd)
            if r.returncode == 0:
                break
            time.sleep(0.2)
        else:
            raise RuntimeError("tmux: " + r.stderr)
        self.tmux("set-option", "-g", "status", "off")

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "main").stdout

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "main", *keys)
        time.sleep(0.2)

    def text(self, s):
        self.tmux("send-keys", "-t", "main", "-l", s)
        time.sleep(0.2)

    def wait(self, pattern, seconds=15):
        deadline = time.monotonic() + seconds
        while True:
            s = self.screen()
            if re.search(pattern, s):
                return s
            if time.monotonic() > deadline:
                raise AssertionError("the screen lacks /%s/ after %d s:\n%s\n%s" % (
                    pattern, seconds, s, self.stderr()))
            time.sleep(0.1)

    def stderr(self):
        try:
            with open(self.err, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def exit_status(self, seconds=10):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            m = re.search(r"^EXIT (\d+)$", self.stderr(), re.M)
            if m:
                return int(m.group(1))
            time.sleep(0.1)
        return None

    def capture(self, name):
        """With LMSCTL_CAPTURE_DIR set, keeps the screen as NAME.txt (the README's)."""
        where = os.environ.get("LMSCTL_CAPTURE_DIR")
        if where:
            with open(os.path.join(where, name + ".txt"), "w", encoding="utf-8") as f:
                f.write(self.screen())

    def stop(self):
        self.tmux("kill-server")


class ConsoleAgainstMoto(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="lmsctl-console-")
        cls.moto = dm.Moto()
        iam = cls.moto.client("iam")
        with open(os.path.join(dm.TOP, "docs", "deployer-policy.json"), encoding="utf-8") as f:
            policy = json.load(f)
        viewer = dm.moto_policy(policy)
        for st in viewer["Statement"]:
            st["Action"] = [a for a in st["Action"] if a != "cloudformation:CreateChangeSet"]
        viewer["Statement"] = [st for st in viewer["Statement"] if st["Action"]]
        users = {
            "admin": {"Version": "2012-10-17",
                      "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
            "deployer": dm.moto_policy(policy),
            "viewer": viewer,
        }
        cls.keys = {}
        for name, doc in users.items():  # the moto setup calls, unchecked
            iam.create_user(UserName="lmsctl-" + name)
            iam.put_user_policy(UserName="lmsctl-" + name, PolicyName="p",
                                PolicyDocument=json.dumps(doc))
            k = iam.create_access_key(UserName="lmsctl-" + name)["AccessKey"]
            cls.keys[name] = (k["AccessKeyId"], k["SecretAccessKey"])
        supp = os.path.join(cls.tmp, "lsan.supp")
        with open(supp, "w", encoding="utf-8") as f:
            f.write(LSAN_SUPP)
        cls.lsan = "suppressions=" + supp

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.work = tempfile.mkdtemp(dir=self.tmp)
        self.console = Console(self.work)

    def tearDown(self):
        self.console.stop()
        err = self.console.stderr()
        self.assertNotIn("Sanitizer", err, err)
        self.assertNotIn("runtime error", err, err)

    def env(self, user):
        e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.work,
             "XDG_STATE_HOME": os.path.join(self.work, "state"), "TERM": "xterm-256color",
             "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "AWS_EC2_METADATA_DISABLED": "true",
             "LMSCTL_HTTP_BACKOFF_MS": "20", "LSAN_OPTIONS": self.lsan}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
            if os.environ.get(k):
                e[k] = os.environ[k]
        e["AWS_ACCESS_KEY_ID"], e["AWS_SECRET_ACCESS_KEY"] = self.keys[user]
        return e

    def model(self, templates, stack, env="dev", suffix=None):
        path = os.path.join(self.work, stack + ".yml")
        subprocess.run([dm.LMSCTL, "--templates", templates, "init", "--env", env, "-o", path],
                       check=True, capture_output=True, timeout=30)
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        lines = [("stack: %s" % stack) if ln.startswith("stack:") else
                 ("suffix: %s" % (suffix or stack[-8:])) if ln.startswith("suffix:") else ln
                 for ln in lines]
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        return path

    def open(self, templates, model, user="deployer"):
        self.console.start(["--templates", templates, "--endpoint-url", self.moto.url, model],
                           self.env(user))
        # the header: the account and the caller once STS has answered
        self.console.wait(r"│ 123456789012")

    def admin(self, service):
        return self.moto.client(service, self.keys["admin"])

    def cf(self, region):
        return dm.boto3.client("cloudformation", endpoint_url=self.moto.url, region_name=region,
                               aws_access_key_id=self.keys["admin"][0],
                               aws_secret_access_key=self.keys["admin"][1])

    def journal(self):
        path = os.path.join(self.work, "state", "lmsctl", "journal.log")
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def test_drift_moto_has_none(self):
        """moto implements no drift call: the console's drift (:drift) says drift detection is
        not available there, and nothing crashes."""
        c = self.console
        model = self.model(FIXTURE, "lms-cdrift", suffix="cdri")
        # the stack, made by the admin (the console's own deploy is the other test's)
        self.admin("cloudformation").create_stack(
            StackName="lms-cdrift",
            TemplateBody=json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}))
        self.open(FIXTURE, model, user="admin")
        c.wait(r"CREATE_COMPLETE")
        c.keys(":")
        c.text("drift")
        c.keys("Enter")
        c.wait(r"drift detection is not available at this endpoint", 30)
        c.keys("M")
        c.wait(r"DetectStackDrift is not implemented there \(HTTP 500; an")
        c.keys("Escape")
        c.keys(":")
        c.text("q!")
        c.keys("Enter")

    def test_open_change_set(self):
        """:changeset NAME: a change set made with boto3 (not by the console) is refused when
        it is another stack's, opened for review when it is this stack's, and `a` executes
        exactly it: no change set is made, the stack has the change."""
        c = self.console
        cfn = self.admin("cloudformation")
        one = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}
        two = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"},
                             "Topic2": {"Type": "AWS::SNS::Topic"}}}
        for stack, cs in (("lms-copen", "ops-review"), ("lms-cother", "other-review")):
            cfn.create_stack(StackName=stack, TemplateBody=json.dumps(one))
            cfn.create_change_set(StackName=stack, ChangeSetName=cs, ChangeSetType="UPDATE",
                                  TemplateBody=json.dumps(two))
        model = self.model(FIXTURE, "lms-copen", suffix="copn")
        self.open(FIXTURE, model, user="admin")
        c.wait(r"CREATE_COMPLETE")
        # another stack's change set, asked for by name under this stack: not opened
        c.keys(":")
        c.text("changeset other-review")
        c.keys("Enter")
        s = c.wait(r"refusing change set other-review of stack lms-copen: it belongs to")
        self.assertNotIn("Change set review", s)
        c.keys(":")
        c.text("changeset ops-review")
        c.keys("Enter")
        c.wait(r"Change set review", 20)
        c.wait(r"change set ops-review, opened")
        c.wait(r"\+1 add")
        c.keys("a")
        c.wait(r"made outside this session")
        c.wait(r"y yes, apply")
        c.keys("y")
        c.wait(r"lms-copen: UPDATE_COMPLETE in \d+ s", 30)
        res = cfn.describe_stack_resources(StackName="lms-copen")["StackResources"]
        self.assertIn("Topic2", [r["LogicalResourceId"] for r in res])
        # no change set was made: the API log has no CreateChangeSet
        c.keys("5")
        s = c.wait(r"API log +\d+ call\(s\)")
        self.assertIn("cloudformation:ExecuteChangeSet", s)
        self.assertIn("cloudformation:DescribeChangeSet", s)
        self.assertNotIn("CreateChangeSet", s)
        last = self.journal()[-1]
        self.assertEqual((last["command"], last["stack"], last["changeSet"]),
                         ("console deploy", "lms-copen", "ops-review"))
        c.keys("q")
        c.keys(":")
        c.text("q!")
        c.keys("Enter")

    def test_deploy_update_destroy(self):
        c = self.console
        model = self.model(FIXTURE, "lms-console", suffix="cons")
        self.open(FIXTURE, model)
        c.wait(r"no stack")
        # a NoEcho value: one '*' a character while typed, never the value
        c.keys(":")
        c.text("goto WebhookToken")
        c.keys("Enter")
        c.wait(r"─ WebhookToken │")
        c.keys("Enter")
        c.text("hunter2")
        s = c.wait(r"\*{7}")
        self.assertNotIn("hunter2", s)
        c.keys("Enter")
        c.wait(r"● 1 unsaved")
        self.assertNotIn("hunter2", c.screen())
        # D: a CREATE change set of the four resources, reviewed
        c.keys("D")
        s = c.wait(r"Change set review")
        c.wait(r"\+4 add +~0 modify +±0 REPLACE +−0 REMOVE")
        s = c.screen()
        for rid in ("AlarmQueue", "WorkQueue", "ConfigParameter", "RetentionParameter"):
            self.assertIn(rid, s)
        self.assertIn("lms-console (new stack)", s)
        # add only: y/N with No the default
        c.keys("a")
        c.wait(r"y yes, apply +n no \(Enter\)")
        c.capture("deploy-confirm")
        c.keys("y")
        s = c.wait(r"4/4 resources .*100%", 30)
        c.wait(r"lms-console: CREATE_COMPLETE in \d+ s")
        c.capture("deploy-done")
        self.assertRegex(s, r"✔ WorkQueue +CREATE_COMPLETE")
        c.wait(r"lms-console: CREATE_COMPLETE in \d+ s")
        stack = self.admin("cloudformation").describe_stacks(StackName="lms-console")["Stacks"][0]
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE")
        tags = {t["Key"]: t["Value"] for t in stack.get("Tags", [])}
        self.assertEqual(tags.get("lms:managed-by"), "lmsctl")
        sqs = self.admin("sqs")
        url = sqs.get_queue_url(QueueName="lms-work-cons")["QueueUrl"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["MessageRetentionPeriod"], "345600")
        self.assertTrue(os.path.exists(os.path.join(self.work, "cfn-outputs", "flat-outputs.json")))
        last = self.journal()[-1]
        self.assertEqual((last["command"], last["stack"], last["result"]),
                         ("console deploy", "lms-console", "CREATE_COMPLETE"))
        self.assertTrue(last["changeSet"].startswith("lmsctl-"), last)
        self.assertIn("lmsctl-deployer", last["caller"])

        # the API log: every call, with its request id and the aws command line
        c.keys("5")
        s = c.wait(r"API log +\d+ call\(s\) +backend: aws")
        self.assertIn("cloudformation:ExecuteChangeSet", s)
        self.assertIn("cloudformation:CreateChangeSet", s)
        self.assertRegex(s, r"sts:GetCallerIdentity +✔ 200 +\d+ +\S{8}")
        c.keys("k")  # the call before the last one (the newest is selected)
        c.wait(r"\$ aws cloudformation \S+ --stack-name")
        # CreateChangeSet, the fourth call, as an aws command: the NoEcho value masked
        c.keys("g")
        for _ in range(3):
            c.keys("j")
        c.keys("Enter")
        s = c.wait(r"aws cloudformation create-change-set --stack-name lms-console")
        self.assertIn("ParameterKey=WebhookToken,ParameterValue=****", s)
        self.assertNotIn("hunter2", s)
        c.keys("Escape")

        # a value edited: moto's change sets see template changes only, never a
        # parameter's (its build_change_set_actions): the console says there is nothing
        # to do and deletes the change set
        c.keys(":")
        c.text("set QueueRetentionSeconds 86400")
        c.keys("Enter")
        c.wait(r"● 2 unsaved")
        c.keys("D")
        c.wait(r"no changes: the stack already matches the template", 20)
        cfn = self.admin("cloudformation")
        deadline = time.monotonic() + 10
        while True:
            left = [x["ChangeSetName"] for x in
                    cfn.list_change_sets(StackName="lms-console")["Summaries"]
                    if x["ExecutionStatus"] == "AVAILABLE"]
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(left, [])
        self.assertEqual(self.journal()[-1]["result"], "discarded")

        # the next version of the templates: a resource added, one removed; a removal
        # asks for the environment's name typed
        v2 = os.path.join(self.work, "templates-v2")
        shutil.copytree(FIXTURE, v2)
        with open(os.path.join(v2, "app.yml"), encoding="utf-8") as f:
            app = f.read()
        start = app.index("  RetentionParameter:")
        end = app.index("  ConfigParameter:")
        app = app[:start] + """  ReleaseParameter:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub /lms/${EnvironmentSuffix}/release
      Type: String
      Value: v2
""" + app[end:]
        with open(os.path.join(v2, "app.yml"), "w", encoding="utf-8") as f:
            f.write(app)
        c.keys("Escape", "q")  # back to the params view, then quit: unsaved edits: asks; d discards them
        c.wait(r"d +discard")
        c.keys("d")
        self.assertEqual(c.exit_status(), 0)
        self.open(v2, model)
        c.wait(r"CREATE_COMPLETE")
        c.keys("D")
        s = c.wait(r"\+1 add +~0 modify +±0 REPLACE +−1 REMOVE", 20)
        self.assertRegex(s, r"− REMOVE +RetentionParameter")
        self.assertRegex(s, r"\+ add +ReleaseParameter")
        c.keys("a")
        # the environment's name: its suffix, as `lmsctl destroy` asks for it
        c.wait(r"Type the environment name \(cons\) to apply")
        c.text("cons")
        c.keys("Enter")
        s = c.wait(r"lms-console: UPDATE_COMPLETE in \d+ s", 30)
        ssm = self.admin("ssm")
        self.assertEqual(ssm.get_parameter(Name="/lms/cons/release")["Parameter"]["Value"], "v2")
        with self.assertRaises(botocore.exceptions.ClientError):
            ssm.get_parameter(Name="/lms/cons/log-retention-days")
        self.assertEqual(self.journal()[-1]["result"], "UPDATE_COMPLETE")

        # the deployed diff: the model against the stack, as lmsctl diff has it (NoEcho masked)
        c.keys("3")
        c.keys("d")
        s = c.wait(r"Deployed diff: the stack against the model", 20)
        self.assertRegex(s, r"Parameters: \d+ of \d+ differ")
        self.assertRegex(s, r"WebhookToken: \*\*\*\* \(NoEcho: not compared\)")
        self.assertNotIn("hunter2", s)
        c.keys("q")
        # drift detection: the deployer's policy (docs/deployer-policy.json) has no drift
        # call: refused as such, readable, and the stack view still shows the update
        c.keys("4")
        c.keys(":")
        c.text("drift")
        c.keys("Enter")
        s = c.wait(r"drift detection: CloudFormation DetectStackDrift: AccessDenied", 30)
        self.assertIn("Finished lms-console", s)
        # X: the stack's resources as moto lists them (ListStackResources), then the
        # environment's name typed; the stack goes
        c.keys("X")
        s = c.wait(r"Type the environment name \(cons\)")
        self.assertRegex(s, r"Its 4 resources go; it")
        self.assertIn("2 of them hold data, which goes with them:", s)
        self.assertIn("◆ 2 AWS::SQS::Queue: AlarmQueue, WorkQueue", s)
        self.assertRegex(s, r"The other 2 \(1 kind\), most: 2 SSM::Parameter\.")
        self.assertNotIn("the Aurora cluster", s)
        c.text("cons")
        c.keys("Enter")
        c.wait(r"lms-console: DELETE_COMPLETE in \d+ s", 30)
        with self.assertRaises(botocore.exceptions.ClientError):
            self.admin("cloudformation").describe_stacks(StackName="lms-console")
        self.assertEqual(self.journal()[-1]["command"], "console destroy")
        self.assertEqual(self.journal()[-1]["result"], "DELETE_COMPLETE")
        c.keys("Escape", "q")  # q closes a view; from the params view it quits
        self.assertEqual(c.exit_status(), 0)

    def test_prod_real_template(self):
        c = self.console
        model = self.model(dm.TEMPLATES, "lms-console-prod", env="prod", suffix="cprod")
        self.open(dm.TEMPLATES, model)
        c.wait(r"PROD")
        # the deploy gates of PROD stop a deploy, as lmsctl deploy does: plain HTTP to the
        # load balancer (SEC001) and an alarm topic with no recipient (OBS008)
        c.keys("D")
        c.wait(r"Deploy stopped: 2 finding\(s\) to fix first")
        c.wait(r"SEC001")
        c.wait(r"OBS008 +AlarmEmail")
        c.keys("Enter")  # to the field: the certificate
        c.wait(r"AlbCertificateArn|Certificate")
        c.keys("Enter")
        c.text("arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0")
        c.keys("Enter")
        c.wait(r"● 1 unsaved")
        # the other gate alone now; Enter goes to AlarmEmail
        c.keys("D")
        c.wait(r"Deploy stopped: 1 finding\(s\) to fix first")
        c.wait(r"OBS008 +AlarmEmail")
        c.keys("Enter")
        c.wait(r"AlarmEmail|Alarm e-mail")
        c.keys("Enter")
        c.text("ops@example.com")
        c.keys("Enter")
        c.wait(r"● 2 unsaved")
        c.wait(r"Findings ✔")
        # the template previewed, then saved (with its diff) before the deploy
        c.keys("3")
        c.wait(r"AlarmEmail use")  # the preview follows the field edited last
        c.keys(":")
        c.text("w")
        c.keys("Enter")
        c.wait(r"write it\? \[y/N\]")
        c.keys("y")
        c.wait(r"wrote \S*lms-console-prod\.yml")
        with open(model, encoding="utf-8") as f:
            text = f.read()
            self.assertIn("certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", text)
            self.assertIn("AlarmEmail: ops@example.com", text)
        c.keys("D")
        c.wait(r"uploading the template|creating change set|Change set review", 30)
        s = c.wait(r"Change set review", 90)
        m = re.search(r"\+(\d+) add", c.wait(r"\+\d+ add"))
        c.capture("deploy-review-prod")
        self.assertGreater(int(m.group(1)), 150, s)
        self.assertIn("lms-console-prod (new stack)", s)
        s3 = self.admin("s3")
        bucket = "lmsctl-artifacts-123456789012-eu-west-1"
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        self.assertTrue(any(k.startswith("lms-console-prod/") for k in keys), keys)
        # declined: the change set discarded, and the empty stack it had made deleted
        c.keys("n")
        c.keys("4")
        c.wait(r"no stack yet: D creates it", 20)
        with self.assertRaises(botocore.exceptions.ClientError):
            self.admin("cloudformation").describe_stacks(StackName="lms-console-prod")
        # applied: moto cannot create this template (a GetAtt of a type it does not
        # implement): a readable error, the stack left as it is, the console alive
        c.keys("D")
        c.wait(r"Change set review", 90)
        c.keys("a")
        c.wait(r"y yes, apply")
        c.keys("y")
        c.wait(r"cannot execute the change set: CloudFormation ExecuteChangeSet:", 60)
        s = c.wait(r"ValidationError: Template error")
        c.wait(r"→ REVIEW_IN_PROGRESS|-> REVIEW_IN_PROGRESS")
        self.assertEqual(self.journal()[-1]["result"], "failed: ExecuteChangeSet")
        # D again: nothing runs on the stack the refused execute left (REVIEW_IN_PROGRESS),
        # so D makes a new change set on it (it used to "watch" that stack and fail at once)
        cfn = self.admin("cloudformation")

        def change_sets():
            return len(cfn.list_change_sets(StackName="lms-console-prod")["Summaries"])

        before = change_sets()
        c.keys("D")
        deadline = time.monotonic() + 90
        while change_sets() <= before:
            if time.monotonic() > deadline:
                self.fail("D made no new change set:\n" + c.screen())
            time.sleep(0.5)
        s = c.wait(r"Change set review", 90)
        self.assertNotIn("already running", s)
        # declined: discarded, as the first time
        c.keys("n")
        deadline = time.monotonic() + 30
        while self.journal()[-1]["result"] != "discarded":
            if time.monotonic() > deadline:
                self.fail("the second change set was not discarded:\n" + c.screen())
            time.sleep(0.5)
        c.keys("Escape", "q")  # q closes a view; from the params view it quits
        self.assertEqual(c.exit_status(), 0, s)

    def test_two_stacks(self):
        """The console's D and X on an environment of two stacks (ops/envflow.h)."""
        c = self.console
        model = self.model(PAIR, "lms-cpair", suffix="cpai")
        self.open(PAIR, model)
        c.keys("4")
        c.wait(r"edge stack lms-cpair-edge in us-east-1: . no stack yet: D creates it after")
        c.keys("D")
        c.wait(r"Change set review", 30)
        c.wait(r"then lms-cpair-edge \(us-east-1\): 2 resources to add, its change set made")
        c.wait(r"OriginDomain <- the main stack's output OriginName")
        c.keys("a")
        c.wait(r"Deploy lms-cpair, then lms-cpair-edge\?")
        c.keys("y")
        s = c.wait(r"lms-cpair: CREATE_COMPLETE, lms-cpair-edge: CREATE_COMPLETE in \d+ s", 90)
        self.assertRegex(s, r"edge:EdgeQueue +CREATE_COMPLETE")
        main = self.admin("cloudformation").describe_stacks(StackName="lms-cpair")["Stacks"][0]
        edge = self.cf(EDGE_REGION).describe_stacks(StackName="lms-cpair-edge")["Stacks"][0]
        self.assertEqual(main["StackStatus"], "CREATE_COMPLETE")
        self.assertEqual(edge["StackStatus"], "CREATE_COMPLETE")
        self.assertLess(main["CreationTime"], edge["CreationTime"])
        deploys = [(e["stack"], e["region"], e["result"]) for e in self.journal()
                   if e["command"] == "console deploy"]
        self.assertEqual(deploys, [("lms-cpair", dm.REGION, "CREATE_COMPLETE"),
                                   ("lms-cpair-edge", EDGE_REGION, "CREATE_COMPLETE")])
        # X: one typed question naming both; the edge first
        c.keys("X")
        c.wait(r"Destroy the stacks", 30)
        c.wait(r"First the edge stack lms-cpair-edge in us-east-1: its 2 resources")
        c.wait(r"SQS::Queue EdgeQueue, SSM::Parameter OriginParameter\); then:")
        c.wait(r"Delete stack lms-cpair in eu-west-1\?")
        c.wait(r"Type the environment name \(cpai\)")
        c.text("cpai")
        c.keys("Enter")
        c.wait(r"lms-cpair: DELETE_COMPLETE, lms-cpair-edge: DELETE_COMPLETE in \d+ s", 90)
        destroys = [(e["stack"], e["result"]) for e in self.journal()
                    if e["command"] == "console destroy"]
        self.assertEqual(destroys, [("lms-cpair-edge", "DELETE_COMPLETE"),
                                    ("lms-cpair", "DELETE_COMPLETE")])
        for region, name in ((dm.REGION, "lms-cpair"), (EDGE_REGION, "lms-cpair-edge")):
            cf = self.cf(region)
            with self.assertRaises(botocore.exceptions.ClientError):
                cf.describe_stacks(StackName=name)
        c.keys(":")
        c.text("q!")
        c.keys("Enter")

    def test_access_denied(self):
        c = self.console
        model = self.model(FIXTURE, "lms-console-denied", suffix="deny")
        self.open(FIXTURE, model, user="viewer")
        c.keys("D")
        # the stack view says it whole, wrapped; the status line cuts it and points at M
        gap = r"[\s│─┐┘┌└]+"  # the text wraps inside a box (or two)
        whole = gap.join(["cannot", "create", "the", "change", "set:", "CloudFormation",
                          "CreateChangeSet:", "AccessDenied"])
        s = c.wait(whole, 20)
        c.keys("M")
        c.wait(r"Messages \(newest first\)[\s\S]*" + whole)
        c.keys("Escape")
        self.assertNotIn("Sanitizer", c.stderr())
        c.keys("5")
        c.wait(r"cloudformation:CreateChangeSet +✖ 403")
        c.keys("Escape", "q")  # q closes a view; from the params view it quits
        self.assertEqual(c.exit_status(), 0, s)


if __name__ == "__main__":
    unittest.main(verbosity=2)
