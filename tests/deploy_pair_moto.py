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
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deploy_moto as dm  # noqa: E402  (exits 77 when moto or boto3 is missing)

PAIR = os.path.join(dm.TOP, "tests", "fixtures", "deploy-pair")
EDGE_REGION = "us-east-1"


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

    def test_only_edge_stacks_in_us_east_1(self):
        for other in ("arn:aws:cloudformation:us-east-1:123456789012:stack/lms-prod/abc",
                      "arn:aws:cloudformation:us-east-1:123456789012:stack/lms-prod-edgy/abc",
                      "arn:aws:cloudformation:us-west-2:123456789012:stack/lms-prod-edge/abc"):
            for call in self.EDGE_CALLS:
                self.assertFalse(self.allowed("cloudformation:" + call, other), (call, other))


if __name__ == "__main__":
    unittest.main(verbosity=2)
