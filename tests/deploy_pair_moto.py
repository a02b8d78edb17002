#!/usr/bin/env python3
"""lmsctl deploy, destroy, status and outputs of an environment of two stacks, against moto.

The catalog tests/fixtures/deploy-pair names a companion `edge` (Region us-east-1) whose
parameters QueueUrl and OriginDomain come from the main stack's outputs
(LmsCtl::FromStackOutputs), as templates/edge/edge.yml does; its resources are types moto
implements (SQS, SSM), since moto has no CloudFront VPC origin nor CLOUDFRONT-scope WAF.

moto 5.2.1 reports no Outputs for a stack created through a change set: the test of the
parameters taken from the outputs creates the main stack with CreateStack first (moto then
evaluates its outputs, and keeps them through later change sets), so that lmsctl deploy
finds them. Shares the moto server and the IAM set-up of tests/deploy_moto.py (a deployer
holding docs/deployer-policy.json, widened to "*" as moto evaluates it).
"""
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deploy_moto as dm  # noqa: E402  (exits 77 when moto or boto3 is missing)

PAIR = os.path.join(dm.TOP, "tests", "fixtures", "deploy-pair")
EDGE_REGION = "us-east-1"


class Front:
    """An HTTP front to moto for what moto cannot show (drift detection, a stack in
    progress): each request goes to moto, unless `answer(action, region, form)` returns
    (status, body) for it; `rewrite(action, region, form, body)` may change moto's answer.
    The Region is the signature's scope's; every call is kept in `calls`. Headers go
    through unchanged (the Host too: moto checks the signature)."""

    def __init__(self, moto_url):
        import http.client
        import http.server
        import re
        import threading
        import urllib.parse
        target = urllib.parse.urlparse(moto_url)
        self.answer = lambda action, region, form: None
        self.rewrite = lambda action, region, form, body: body
        self.calls = []
        front = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def relay(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                form = {}
                if "x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
                    form = dict(urllib.parse.parse_qsl(body.decode()))
                scope = re.search(r"Credential=[^/]+/[0-9]+/([^/]+)/",
                                  self.headers.get("Authorization") or "")
                region = scope.group(1) if scope else ""
                action = form.get("Action") or self.headers.get("X-Amz-Target") or ""
                front.calls.append((action, region, form))
                got = front.answer(action, region, form)
                if got is None:
                    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
                    conn.request(self.command, self.path, body=body,
                                 headers=dict(self.headers.items()))
                    r = conn.getresponse()
                    status, data, headers = r.status, r.read(), r.getheaders()
                    conn.close()
                    data = front.rewrite(action, region, form, data.decode()).encode()
                else:
                    status, data = got[0], got[1].encode()
                    headers = [("Content-Type", "text/xml")]
                self.send_response(status)
                for k, v in headers:
                    if k.lower() not in ("transfer-encoding", "connection", "content-length",
                                         "server", "date"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = relay

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def actions(self, action):
        return [(region, form) for a, region, form in self.calls if a == action]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


CFN_NS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"


def drift_answers(drifted_regions):
    """CloudFormation's drift answers, per Region: the stack of `drifted_regions` has one
    resource MODIFIED (the first it names in ListStackResources' place: a queue), the others
    are IN_SYNC."""
    def answer(action, region, form):
        drifted = region in drifted_regions
        did = "det-%s" % region
        if action == "DetectStackDrift":
            return 200, ("<DetectStackDriftResponse xmlns=\"%s\"><DetectStackDriftResult>"
                         "<StackDriftDetectionId>%s</StackDriftDetectionId>"
                         "</DetectStackDriftResult></DetectStackDriftResponse>" % (CFN_NS, did))
        if action == "DescribeStackDriftDetectionStatus":
            return 200, ("<DescribeStackDriftDetectionStatusResponse xmlns=\"%s\">"
                         "<DescribeStackDriftDetectionStatusResult>"
                         "<StackId>%s</StackId><StackDriftDetectionId>%s</StackDriftDetectionId>"
                         "<StackDriftStatus>%s</StackDriftStatus>"
                         "<DetectionStatus>DETECTION_COMPLETE</DetectionStatus>"
                         "<DriftedStackResourceCount>%d</DriftedStackResourceCount>"
                         "<Timestamp>2026-12-07T05:00:00.000Z</Timestamp>"
                         "</DescribeStackDriftDetectionStatusResult>"
                         "</DescribeStackDriftDetectionStatusResponse>"
                         % (CFN_NS, form.get("StackName", "?"), did,
                            "DRIFTED" if drifted else "IN_SYNC", 1 if drifted else 0))
        if action == "DescribeStackResourceDrifts":
            queue = "EdgeQueue" if region == EDGE_REGION else "WorkQueue"
            member = ("<member><StackId>s</StackId><LogicalResourceId>%s</LogicalResourceId>"
                      "<PhysicalResourceId>https://sqs/%s-%s</PhysicalResourceId>"
                      "<ResourceType>AWS::SQS::Queue</ResourceType>"
                      "<StackResourceDriftStatus>%s</StackResourceDriftStatus>%s"
                      "<Timestamp>2026-12-07T05:00:00.000Z</Timestamp></member>"
                      % (queue, queue, region, "MODIFIED" if drifted else "IN_SYNC",
                         "<PropertyDifferences><member><PropertyPath>/VisibilityTimeout"
                         "</PropertyPath><ExpectedValue>30</ExpectedValue><ActualValue>60"
                         "</ActualValue><DifferenceType>NOT_EQUAL</DifferenceType></member>"
                         "</PropertyDifferences>" if drifted else ""))
            return 200, ("<DescribeStackResourceDriftsResponse xmlns=\"%s\">"
                         "<DescribeStackResourceDriftsResult><StackResourceDrifts>%s"
                         "</StackResourceDrifts></DescribeStackResourceDriftsResult>"
                         "</DescribeStackResourceDriftsResponse>" % (CFN_NS, member))
        return None
    return answer


class Pair(dm.Base):
    """Its own moto server and users, as tests/deploy_moto.py's AgainstMoto makes them (not
    a subclass: its tests are not run again here)."""
    moto = None
    setUpClass = classmethod(dm.AgainstMoto.setUpClass.__func__)
    tearDownClass = classmethod(dm.AgainstMoto.tearDownClass.__func__)
    lm = dm.AgainstMoto.lm
    admin = dm.AgainstMoto.admin

    @classmethod
    def pair_model(cls, stack, suffix):
        path = os.path.join(cls.tmp, stack + ".yml")
        if not os.path.exists(path):
            subprocess.run([dm.LMSCTL, "--templates", PAIR, "init", "--env", "dev", "-o", path],
                           check=True, capture_output=True, timeout=30)
            with open(path, encoding="utf-8") as f:
                lines = f.read().split("\n")
            lines = [("stack: %s" % stack) if ln.startswith("stack:") else
                     ("suffix: %s" % suffix) if ln.startswith("suffix:") else ln for ln in lines]
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
        return path

    def pl(self, *args, **kw):
        return self.lm(*args, templates=PAIR, **kw)

    def fronted(self, *args, keys="admin", templates=PAIR):
        """lmsctl through a Front (self.front) to moto."""
        return self.run_lmsctl(*args, keys=self.keys[keys], endpoint=self.front.url,
                               templates=templates)

    def setUp(self):
        self.front = Front(self.moto.url)
        self.addCleanup(self.front.stop)

    def cf(self, region):
        return dm.boto3.client("cloudformation", endpoint_url=self.moto.url, region_name=region,
                               aws_access_key_id=self.keys["admin"][0],
                               aws_secret_access_key=self.keys["admin"][1])

    def stack(self, name, region):
        try:
            return self.cf(region).describe_stacks(StackName=name)["Stacks"][0]
        except dm.botocore.exceptions.ClientError:
            return None

    def answering(self, argv_tail, answers, marker, timeout=90):
        """lmsctl on a terminal; each answer typed once `marker` is on stderr once more."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(HOME=self.tmp, XDG_STATE_HOME=os.path.join(self.tmp, "state"), NO_COLOR="1",
                   AWS_EC2_METADATA_DISABLED="true", LMSCTL_HTTP_BACKOFF_MS="20",
                   AWS_ACCESS_KEY_ID=self.keys["deployer"][0],
                   AWS_SECRET_ACCESS_KEY=self.keys["deployer"][1])
        return dm.answering([dm.LMSCTL, "--templates", PAIR, "--endpoint-url", self.moto.url]
                            + list(argv_tail), answers, marker, env, self.tmp, timeout)

    def with_outputs(self, stack, suffix):
        """The main stack made with CreateStack, so that moto evaluates its outputs."""
        model = self.pair_model(stack, suffix)
        tpl = os.path.join(self.tmp, stack + "-main.yml")
        r = self.pl("-m", model, "generate", "-o", tpl)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(tpl, encoding="utf-8") as f:
            body = f.read()
        self.cf(dm.REGION).create_stack(
            StackName=stack, TemplateBody=body,
            Parameters=[{"ParameterKey": "EnvironmentSuffix", "ParameterValue": suffix},
                        {"ParameterKey": "RetentionDays", "ParameterValue": "4"}])
        outs = {o["OutputKey"]: o["OutputValue"]
                for o in self.stack(stack, dm.REGION)["Outputs"]}
        self.assertIn("WorkQueueUrl", outs)
        return model, outs

    def changed_catalog(self):
        """A copy of the fixture catalog whose main fragment has one more queue: moto compares
        templates, not parameter values, so a change to the main stack needs a new one."""
        import shutil
        changed = os.path.join(self.tmp, "pair-changed")
        if os.path.exists(changed):
            return changed
        shutil.copytree(PAIR, changed)
        with open(os.path.join(changed, "main.yml"), encoding="utf-8") as f:
            text = f.read()
        extra = ("  ExtraQueue:\n    Type: AWS::SQS::Queue\n    DeletionPolicy: Delete\n"
                 "    UpdateReplacePolicy: Delete\n    Properties:\n"
                 "      QueueName: !Sub 'lms-pair-extra-${EnvironmentSuffix}'\n")
        head, outputs = text.split("Outputs:\n", 1)
        with open(os.path.join(changed, "main.yml"), "w", encoding="utf-8") as f:
            f.write(head + extra + "Outputs:\n" + outputs)
        return changed

    def changed_edge_catalog(self):
        """A copy of the fixture catalog whose edge queue has one more property: the main
        stack's template unchanged, the edge's changed."""
        import shutil
        changed = os.path.join(self.tmp, "pair-edge-changed")
        if os.path.exists(changed):
            return changed
        shutil.copytree(PAIR, changed)
        path = os.path.join(changed, "edge", "edge.yml")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        old = "      QueueName: !Sub 'lms-pair-edge-${EnvironmentSuffix}'\n"
        self.assertIn(old, text)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(old, old + "      VisibilityTimeout: 45\n"))
        return changed

    # ---- deploy ----------------------------------------------------------------------------

    def test_deploy_creates_main_then_edge(self):
        model = self.pair_model("lms-pair-a", "pra")
        r = self.pl("-m", model, "deploy", "--yes")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        out = r.stdout
        # one review: the main change set, then what the edge will do
        self.assertIn("Edge stack lms-pair-a-edge (us-east-1)", out)
        self.assertIn("parameters from the main stack's outputs after it deploys", out)
        self.assertIn("OriginParameter", out)
        self.assertIn("EdgeQueue", out)
        main_done = out.index("Stack lms-pair-a is CREATE_COMPLETE")
        edge_done = out.index("Stack lms-pair-a-edge is CREATE_COMPLETE")
        self.assertLess(main_done, edge_done)
        self.assertLess(out.index("parameters from the main stack's outputs"), main_done)
        main = self.stack("lms-pair-a", dm.REGION)
        edge = self.stack("lms-pair-a-edge", EDGE_REGION)
        self.assertEqual(main["StackStatus"], "CREATE_COMPLETE")
        self.assertEqual(edge["StackStatus"], "CREATE_COMPLETE")
        self.assertIsNone(self.stack("lms-pair-a-edge", dm.REGION))  # not in the main Region
        self.assertLess(main["CreationTime"], edge["CreationTime"])
        params = {p["ParameterKey"]: p["ParameterValue"] for p in edge["Parameters"]}
        self.assertEqual(params["EnvironmentSuffix"], "pra")
        self.assertEqual(params["Environment"], "dev")
        self.assertEqual(params["RetentionDays"], "4")
        # moto gives a change-set stack no outputs: an absent output leaves the Default
        self.assertEqual(params["QueueUrl"], "none")
        entries = [(e["stack"], e["region"], e["result"]) for e in self.journal()
                   if e["stack"].startswith("lms-pair-a")]
        self.assertEqual(entries, [("lms-pair-a", dm.REGION, "CREATE_COMPLETE"),
                                   ("lms-pair-a-edge", EDGE_REGION, "CREATE_COMPLETE")])

        # status of both
        r = self.pl("-m", model, "status")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Stack lms-pair-a: CREATE_COMPLETE", r.stdout)
        self.assertIn("Edge stack lms-pair-a-edge (us-east-1): CREATE_COMPLETE", r.stdout)
        r = self.pl("-m", model, "status", "--output", "json")
        doc = json.loads(r.stdout)
        self.assertEqual(doc["status"], "CREATE_COMPLETE")
        self.assertEqual(doc["edge"]["stack"], "lms-pair-a-edge")
        self.assertEqual(doc["edge"]["region"], EDGE_REGION)
        self.assertEqual(doc["edge"]["status"], "CREATE_COMPLETE")

        # destroy: the edge first, to DELETE_COMPLETE, then the main stack
        r = self.pl("-m", model, "destroy", "--yes")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("lms-pair-a-edge", r.stdout.split("Type")[0])
        self.assertLess(r.stdout.index("Stack lms-pair-a-edge is deleted"),
                        r.stdout.index("Stack lms-pair-a is deleted"))
        self.assertIsNone(self.stack("lms-pair-a-edge", EDGE_REGION))
        self.assertIsNone(self.stack("lms-pair-a", dm.REGION))
        r = self.pl("-m", model, "status")
        self.assertEqual(r.returncode, 1)
        entries = [(e["command"], e["stack"], e["result"]) for e in self.journal()
                   if e["stack"].startswith("lms-pair-a") and e["command"] == "destroy"]
        self.assertEqual(entries, [("destroy", "lms-pair-a-edge", "DELETE_COMPLETE"),
                                   ("destroy", "lms-pair-a", "DELETE_COMPLETE")])

    def test_edge_parameters_from_the_main_outputs(self):
        model, outs = self.with_outputs("lms-pair-b", "prb")
        r = self.pl("-m", model, "deploy", "--yes", "--output", "json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["result"], "no changes")
        self.assertEqual(doc["edge"]["stack"], "lms-pair-b-edge")
        self.assertEqual(doc["edge"]["result"], "CREATE_COMPLETE")
        # the outputs are known and unchanged: the review showed the edge's change set
        self.assertIn("2 to add", r.stderr)
        edge = self.stack("lms-pair-b-edge", EDGE_REGION)
        params = {p["ParameterKey"]: p["ParameterValue"] for p in edge["Parameters"]}
        self.assertEqual(params["QueueUrl"], outs["WorkQueueUrl"])
        self.assertEqual(params["OriginDomain"], "origin-prb.example.org")
        self.assertEqual(params["EnvironmentSuffix"], "prb")
        # outputs: both stacks, the edge's under its own heading; flat: Edge-prefixed
        r = self.pl("-m", model, "outputs")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("WorkQueueUrl", r.stdout)
        self.assertIn("Edge stack lms-pair-b-edge (us-east-1)", r.stdout)
        work = os.path.join(self.tmp, "flat-b")
        os.makedirs(work, exist_ok=True)
        r = self.pl("-m", model, "outputs", "--write-flat", cwd=work)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(work, "cfn-outputs", "flat-outputs.json")) as f:
            flat = json.load(f)
        self.assertEqual(flat["WorkQueueUrl"], outs["WorkQueueUrl"])
        self.assertNotIn("EdgeWorkQueueUrl", flat)

    def test_no_execute_names_both_change_sets(self):
        model, _ = self.with_outputs("lms-pair-c", "prc")
        # a change to the main stack too, so that both stacks have a change set to name
        changed = self.changed_catalog()
        r = self.lm("-m", model, "deploy", "--no-execute", "--output", "json",
                    templates=changed)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["result"], "created, not executed")
        self.assertIn(doc["changeSet"], r.stderr)
        main_cs = self.cf(dm.REGION).describe_change_set(StackName="lms-pair-c",
                                                         ChangeSetName=doc["changeSet"])
        self.assertEqual(main_cs["ExecutionStatus"], "AVAILABLE")
        self.assertEqual(doc["edge"]["result"], "created, not executed")
        name = doc["edge"]["changeSet"]
        self.assertTrue(name.startswith("lmsctl-"), doc)
        self.assertIn(name, r.stderr)
        cs = self.cf(EDGE_REGION).describe_change_set(StackName="lms-pair-c-edge",
                                                      ChangeSetName=name)
        self.assertEqual(cs["Status"], "CREATE_COMPLETE")
        self.assertEqual(cs["ExecutionStatus"], "AVAILABLE")
        # a fresh environment: the main change set only, and why not the edge's
        model = self.pair_model("lms-pair-d", "prd")
        r = self.pl("-m", model, "deploy", "--no-execute", "--output", "json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        doc = json.loads(r.stdout)
        self.assertTrue(doc["changeSet"].startswith("lmsctl-"))
        self.assertEqual(doc["edge"]["result"], "not made: the main stack does not exist yet")
        self.assertNotIn("changeSet", doc["edge"])
        self.assertIn(doc["changeSet"], r.stderr)
        self.assertIsNone(self.stack("lms-pair-d-edge", EDGE_REGION))

    def test_update_executes_the_reviewed_edge_change_set(self):
        """The main stack changes, its outputs do not: the edge's change set shown in the
        review is the one executed, without a second question."""
        model, outs = self.with_outputs("lms-pair-i", "pri")
        r = self.lm("-m", model, "deploy", "--yes", "--output", "json",
                    templates=self.changed_catalog())
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["result"], "UPDATE_COMPLETE")
        self.assertEqual(doc["edge"]["result"], "CREATE_COMPLETE")
        err = r.stderr
        reviewed = err.index("Change set %s (CREATE)" % doc["edge"]["changeSet"])
        self.assertLess(reviewed, err.index("Stack lms-pair-i is UPDATE_COMPLETE"))
        self.assertEqual(err.count("(CREATE): 2 to add"), 1, err)  # not made again
        edge = self.stack("lms-pair-i-edge", EDGE_REGION)
        params = {p["ParameterKey"]: p["ParameterValue"] for p in edge["Parameters"]}
        self.assertEqual(params["QueueUrl"], outs["WorkQueueUrl"])
        self.assertLess(err.index("Stack lms-pair-i is UPDATE_COMPLETE"),
                        err.index("Stack lms-pair-i-edge is CREATE_COMPLETE"))

    def test_one_confirmation_for_both(self):
        model = self.pair_model("lms-pair-e", "pre")
        rc, out, err = self.answering(["-m", model, "deploy"], ["y"], "[y/N] ")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(err.count("[y/N] "), 1, err)
        self.assertEqual(self.stack("lms-pair-e-edge", EDGE_REGION)["StackStatus"],
                         "CREATE_COMPLETE")
        # destroy: one typed confirmation that names both stacks
        rc, out, err = self.answering(["-m", model, "destroy"], ["pre"], "anything else stops: ")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(err.count("anything else stops: "), 1, err)
        question = err.split("anything else stops: ")[0]
        self.assertIn("lms-pair-e-edge", question)
        self.assertIn("lms-pair-e ", question)
        self.assertIsNone(self.stack("lms-pair-e-edge", EDGE_REGION))
        self.assertIsNone(self.stack("lms-pair-e", dm.REGION))

    def test_declined_deploys_neither(self):
        model = self.pair_model("lms-pair-f", "prf")
        rc, out, err = self.answering(["-m", model, "deploy"], ["n"], "[y/N] ")
        self.assertEqual(rc, 1, out + err)
        self.assertIsNone(self.stack("lms-pair-f-edge", EDGE_REGION))
        st = self.stack("lms-pair-f", dm.REGION)
        self.assertTrue(st is None or st["StackStatus"] == "REVIEW_IN_PROGRESS", st)

    def test_failed_main_stops_before_the_edge(self):
        model = self.pair_model("lms-pair-g", "prg")
        with open(model, encoding="utf-8") as f:
            text = f.read()
        with open(model, "w", encoding="utf-8") as f:
            f.write(text.replace("RetentionDays: 4", "RetentionDays: 99"))
        r = self.pl("-m", model, "deploy", "--yes", "--output", "json")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["edge"]["result"], "not started: the main stack did not deploy")
        self.assertIn("the edge stack lms-pair-g-edge is not deployed", r.stderr)
        self.assertIsNone(self.stack("lms-pair-g-edge", EDGE_REGION))
        entries = [(e["stack"], e["result"]) for e in self.journal()
                   if e["stack"].startswith("lms-pair-g")]
        self.assertEqual(entries[-1], ("lms-pair-g-edge", "not started: the main stack did not deploy"))

    def test_destroy_without_an_edge(self):
        model = self.pair_model("lms-pair-h", "prh")
        r = self.pl("-m", model, "deploy", "--yes", "--template",
                    os.path.join(dm.FIXTURES, "simple.yml"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # --template deploys the one stack it names, not the edge
        self.assertIsNone(self.stack("lms-pair-h-edge", EDGE_REGION))
        r = self.pl("-m", model, "status")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Edge stack lms-pair-h-edge (us-east-1): does not exist", r.stdout)
        r = self.pl("-m", model, "destroy", "--yes")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Edge stack lms-pair-h-edge does not exist", r.stdout)
        self.assertIn("Stack lms-pair-h is deleted", r.stdout)

    # ---- diff, drift, status --follow, leftovers: the environment's two stacks -------------

    def test_diff_compares_both_stacks(self):
        model = self.pair_model("lms-pair-j", "prj")
        r = self.pl("-m", model, "deploy", "--yes")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        head = "Edge stack lms-pair-j-edge (us-east-1) against the model"
        r = self.pl("-m", model, "diff")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Stack lms-pair-j against the model", r.stdout)
        self.assertIn(head, r.stdout)
        self.assertIn("The environment matches the model.", r.stdout)
        # the edge's template changes, the main stack's does not: 3, said of the edge
        changed = self.changed_edge_catalog()
        r = self.lm("-m", model, "diff", templates=changed)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        main_part, edge_part = r.stdout.split(head)
        self.assertIn("Resources: 0 added, 0 removed, 0 modified", main_part)
        self.assertRegex(edge_part, r"~ AWS::SQS::Queue +EdgeQueue +\(Properties\.VisibilityTimeout\)")
        self.assertIn("Resources: 0 added, 0 removed, 1 modified", edge_part)
        self.assertIn("The environment differs from the model: the edge stack "
                      "lms-pair-j-edge.", r.stdout)
        r = self.lm("-m", model, "diff", "--output", "json", templates=changed)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        doc = json.loads(r.stdout)
        self.assertTrue(doc["differs"])  # the environment: the exit status
        self.assertEqual(doc["summary"], {"added": 0, "removed": 0, "modified": 0})
        edge = doc["edge"]
        self.assertEqual((edge["stack"], edge["region"], edge["deployed"], edge["differs"]),
                         ("lms-pair-j-edge", EDGE_REGION, True, True))
        self.assertEqual(edge["summary"], {"added": 0, "removed": 0, "modified": 1})
        self.assertEqual(edge["resources"][0]["logicalId"], "EdgeQueue")
        self.assertEqual(edge["resources"][0]["changed"], ["Properties.VisibilityTimeout"])
        self.assertIn({"key": "RetentionDays", "status": "same", "deployed": "4", "model": "4"},
                      edge["parameters"])
        # --change-set: the edge's change set too, made, shown, deleted
        r = self.lm("-m", model, "diff", "--change-set", "--output", "json", templates=changed,
                    keys="admin")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        doc = json.loads(r.stdout)
        cs = doc["edge"]["changeSet"]
        self.assertEqual([c["logicalId"] for c in cs["changes"]], ["EdgeQueue"])
        left = self.cf(EDGE_REGION).list_change_sets(StackName="lms-pair-j-edge")["Summaries"]
        self.assertNotIn(cs["id"], [c["ChangeSetId"] for c in left])  # deleted

    def test_edge_not_deployed(self):
        """The main stack deployed alone: diff says the edge is missing (a difference, 3);
        drift says there is nothing to check there."""
        model, _ = self.with_outputs("lms-pair-l", "prl")
        r = self.pl("-m", model, "diff")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("Edge stack lms-pair-l-edge (us-east-1) is not deployed: lmsctl deploy "
                      "creates it", r.stdout)
        self.assertIn("the edge stack lms-pair-l-edge", r.stdout.split("differs from")[1])
        r = self.pl("-m", model, "diff", "--output", "json")
        doc = json.loads(r.stdout)
        self.assertEqual((doc["differs"], doc["edge"]["deployed"], doc["edge"]["differs"]),
                         (True, False, True))
        self.front.answer = drift_answers(set())
        r = self.fronted("-m", model, "drift", "--output", "json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual((doc["drifted"], doc["edge"]["status"]), (False, "NOT_FOUND"))
        self.assertIn("Edge stack lms-pair-l-edge (us-east-1) does not exist: nothing to check "
                      "for drift", r.stderr)
        self.assertEqual([reg for reg, _ in self.front.actions("DetectStackDrift")], [dm.REGION])

    def test_drift_of_both_stacks(self):
        model = self.pair_model("lms-pair-m", "prm")
        r = self.pl("-m", model, "deploy", "--yes")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # the edge drifted, the main stack did not: 3
        self.front.answer = drift_answers({EDGE_REGION})
        r = self.fronted("-m", model, "drift")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("Stack lms-pair-m: IN_SYNC (0 of 1 resource(s) drifted, 1 in sync, "
                      "0 not checked)", r.stdout)
        self.assertIn("Edge stack lms-pair-m-edge (us-east-1): DRIFTED (1 of 1 resource(s) "
                      "drifted, 0 in sync, 0 not checked)", r.stdout)
        self.assertRegex(r.stdout.split("Edge stack")[1], r"MODIFIED +AWS::SQS::Queue +EdgeQueue")
        self.assertIn("NOT_EQUAL /VisibilityTimeout: expected 30, actual 60", r.stdout)
        calls = self.front.actions("DetectStackDrift")
        self.assertEqual([reg for reg, _ in calls], [dm.REGION, EDGE_REGION])
        self.assertIn(":stack/lms-pair-m/", calls[0][1]["StackName"])
        self.assertIn(":stack/lms-pair-m-edge/", calls[1][1]["StackName"])
        r = self.fronted("-m", model, "drift", "--output", "json")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        doc = json.loads(r.stdout)
        self.assertTrue(doc["drifted"])  # the environment: the exit status
        self.assertEqual((doc["driftStatus"], doc["driftedCount"]), ("IN_SYNC", 0))
        edge = doc["edge"]
        self.assertEqual((edge["stack"], edge["region"], edge["drifted"], edge["driftStatus"],
                          edge["driftedCount"]),
                         ("lms-pair-m-edge", EDGE_REGION, True, "DRIFTED", 1))
        self.assertEqual(edge["resources"][0]["logicalId"], "EdgeQueue")
        # the main stack drifted, the edge did not: 3
        self.front.answer = drift_answers({dm.REGION})
        r = self.fronted("-m", model, "drift", "--output", "json")
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual((doc["drifted"], doc["edge"]["drifted"]), (True, False))
        # neither: 0
        self.front.answer = drift_answers(set())
        r = self.fronted("-m", model, "drift", "--output", "json")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual((doc["drifted"], doc["edge"]["drifted"],
                          doc["edge"]["driftStatus"]), (False, False, "IN_SYNC"))

    def busy(self, stack, calls):
        """Moto's answers rewritten: DescribeStacks of `stack` (main, or its edge) shows
        UPDATE_IN_PROGRESS for the first calls[region] answers, and the edge's events gain
        one (EdgeQueue, UPDATE_IN_PROGRESS) after the first DescribeStackEvents."""
        seen = {dm.REGION: 0, EDGE_REGION: 0}
        events = {"n": 0}
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())

        def rewrite(action, region, form, body):
            name = form.get("StackName", "")
            mine = (":stack/%s/" % stack) in name or name == stack if region == dm.REGION \
                else (":stack/%s-edge/" % stack) in name or name == stack + "-edge"
            if action == "DescribeStacks" and mine:
                seen[region] += 1
                if seen[region] <= calls[region]:
                    return body.replace("<StackStatus>CREATE_COMPLETE<",
                                        "<StackStatus>UPDATE_IN_PROGRESS<")
            if action == "DescribeStackEvents" and mine and region == EDGE_REGION:
                events["n"] += 1
                if events["n"] > 1:
                    event = ("<member><StackId>%s</StackId><EventId>front-edge-1</EventId>"
                             "<StackName>%s-edge</StackName>"
                             "<LogicalResourceId>EdgeQueue</LogicalResourceId>"
                             "<PhysicalResourceId>q</PhysicalResourceId>"
                             "<ResourceType>AWS::SQS::Queue</ResourceType>"
                             "<Timestamp>%s</Timestamp>"
                             "<ResourceStatus>UPDATE_IN_PROGRESS</ResourceStatus></member>"
                             % (name, stack, now))
                    return body.replace("<StackEvents>", "<StackEvents>" + event, 1)
            return body
        return rewrite

    def test_status_follows_both_stacks(self):
        model = self.pair_model("lms-pair-n", "prn")
        r = self.pl("-m", model, "deploy", "--yes")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # both in progress: both followed, each line naming its stack
        self.front.rewrite = self.busy("lms-pair-n", {dm.REGION: 2, EDGE_REGION: 3})
        r = self.fronted("-m", model, "status", "--follow", keys="deployer")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        out = r.stdout
        self.assertIn("Following stack lms-pair-n and edge stack lms-pair-n-edge (us-east-1) "
                      "until both settle", out)
        self.assertRegex(out, r"lms-pair-n-edge +UPDATE_IN_PROGRESS +AWS::SQS::Queue +EdgeQueue")
        self.assertIn("Stack lms-pair-n is CREATE_COMPLETE.", out)
        self.assertIn("Stack lms-pair-n-edge is CREATE_COMPLETE.", out)
        self.assertLess(out.index("Following"), out.index("Stack lms-pair-n-edge is"))
        # the main stack settled, the edge in progress: the edge followed
        self.front.rewrite = self.busy("lms-pair-n", {dm.REGION: 0, EDGE_REGION: 2})
        r = self.fronted("-m", model, "status", "--follow", "--output", "json", keys="deployer")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("until both settle", r.stderr)
        self.assertRegex(r.stderr, r"lms-pair-n-edge +UPDATE_IN_PROGRESS +AWS::SQS::Queue")
        self.assertIn("Stack lms-pair-n-edge is CREATE_COMPLETE.", r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual((doc["status"], doc["edge"]["status"]),
                         ("CREATE_COMPLETE", "CREATE_COMPLETE"))
        # both settled: nothing to follow
        self.front.rewrite = lambda action, region, form, body: body
        r = self.fronted("-m", model, "status", "--follow", keys="deployer")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertNotIn("Following", r.stdout)

    def test_purge_covers_the_edge(self):
        model = self.pair_model("lms-pair-o", "pro")
        r = self.pl("-m", model, "deploy", "--yes")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

        def logs(region):
            return dm.boto3.client("logs", endpoint_url=self.moto.url, region_name=region,
                                   aws_access_key_id=self.keys["admin"][0],
                                   aws_secret_access_key=self.keys["admin"][1])

        def groups(region):
            return {g["logGroupName"] for g in logs(region).describe_log_groups()["logGroups"]}
        # what the edge's WAF logging left in us-east-1, a near name (another environment's),
        # and what the main stack left in eu-west-1
        logs(EDGE_REGION).create_log_group(logGroupName="aws-waf-logs-lms-web-pro")
        logs(EDGE_REGION).create_log_group(logGroupName="aws-waf-logs-lms-web-prox")
        logs(dm.REGION).create_log_group(logGroupName="/aws/lambda/lms-pair-fn-pro")
        r = self.pl("-m", model, "destroy", "--yes")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"log group +aws-waf-logs-lms-web-pro +\(us-east-1\)")
        self.assertRegex(r.stdout, r"log group +/aws/lambda/lms-pair-fn-pro\n")
        self.assertNotIn("aws-waf-logs-lms-web-prox", r.stdout)
        self.assertIn("aws-waf-logs-lms-web-pro", groups(EDGE_REGION))  # listed, not removed
        # the purge: one typed confirmation for what both Regions hold
        rc, out, err = self.answering(["-m", model, "destroy", "--purge", "--output", "json"],
                                      ["purge"], "anything else stops: ")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(err.count("anything else stops: "), 1, err)
        self.assertIn("removed log group aws-waf-logs-lms-web-pro (us-east-1)", err)
        doc = json.loads(out)
        self.assertIn({"kind": "log group", "name": "aws-waf-logs-lms-web-pro", "owner": None,
                       "region": EDGE_REGION}, doc["leftovers"])
        self.assertIn({"kind": "log group", "name": "/aws/lambda/lms-pair-fn-pro",
                       "owner": None, "region": dm.REGION}, doc["leftovers"])
        self.assertEqual(groups(EDGE_REGION) & {"aws-waf-logs-lms-web-pro",
                                                "aws-waf-logs-lms-web-prox"},
                         {"aws-waf-logs-lms-web-prox"})
        self.assertNotIn("/aws/lambda/lms-pair-fn-pro", groups(dm.REGION))


class Policy(unittest.TestCase):
    """docs/deployer-policy.json allows the edge's stack calls in us-east-1, on `lms-*-edge`
    stacks only (moto widens resources to "*", so this reads the policy itself)."""

    EDGE_CALLS = ["DescribeStacks", "DescribeStackEvents", "CreateChangeSet", "DescribeChangeSet",
                  "ExecuteChangeSet", "DeleteChangeSet", "DeleteStack"]

    def allowed(self, action, resource):
        import fnmatch
        with open(os.path.join(dm.TOP, "docs", "deployer-policy.json"), encoding="utf-8") as f:
            policy = json.load(f)
        for st in policy["Statement"]:
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            res = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
            if st["Effect"] == "Allow" and action in actions and any(
                    fnmatch.fnmatchcase(resource, r) for r in res):
                return True
        return False

    def test_edge_stack_calls_in_us_east_1(self):
        edge = "arn:aws:cloudformation:us-east-1:123456789012:stack/lms-prod-edge/abc"
        for call in self.EDGE_CALLS:
            self.assertTrue(self.allowed("cloudformation:" + call, edge), call)

    def test_purge_of_the_edge_log_groups(self):
        """destroy --purge removes the WAF log groups the edge leaves in us-east-1, and no
        other log group there."""
        self.assertTrue(self.allowed(
            "logs:DeleteLogGroup",
            "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-lms-web-prod"))
        self.assertFalse(self.allowed(
            "logs:DeleteLogGroup", "arn:aws:logs:us-east-1:123456789012:log-group:other"))
        self.assertFalse(self.allowed(
            "logs:DeleteLogGroup",
            "arn:aws:logs:us-west-2:123456789012:log-group:aws-waf-logs-lms-web-prod"))

    def test_only_edge_stacks_in_us_east_1(self):
        for other in ("arn:aws:cloudformation:us-east-1:123456789012:stack/lms-prod/abc",
                      "arn:aws:cloudformation:us-east-1:123456789012:stack/lms-prod-edgy/abc",
                      "arn:aws:cloudformation:us-west-2:123456789012:stack/lms-prod-edge/abc"):
            for call in self.EDGE_CALLS:
                self.assertFalse(self.allowed("cloudformation:" + call, other), (call, other))


if __name__ == "__main__":
    unittest.main(verbosity=2)
