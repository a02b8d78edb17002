"""The pipeline's deploy stage (DeployProject), run from the template.

Why it is not CodePipeline's ECS standard deploy action: that action
"creates its own revision of the task definition based on the revision
used by the Amazon ECS service" (CodePipeline User Guide, Amazon ECS
deploy action reference) and changes only the image. The stack's first
revision runs the public placeholder image with a python command
(compute.yml, condition IsPlaceholderImage); copied, that command would
start the LMS image, fail its health checks, and the circuit breaker
would roll the deploy back.

The inline buildspec of DeployProject is taken from templates/pipeline.yml
(and from the generated templates named by LMSCTL_TEMPLATE and
LMSCTL_TEMPLATE_DEV, when set) and its commands are run, in order, in one
POSIX shell (dash, and bash when present), stopping at the first that
fails, as CodeBuild runs a build phase. The real jq runs; `aws` is a stub
on PATH that answers the four ECS calls from a scenario (no network). The
stub checks register-task-definition's input against the botocore model
of RegisterTaskDefinition, as the AWS CLI does before it sends anything,
so a read-only field describe returns and register refuses fails the test.

The current revision is the template's own TaskDefinition, translated to
the API's field names with the placeholder branch chosen, and wrapped the
way describe-task-definition --include TAGS returns it (every read-only
field the botocore model has).

What must hold: the registered revision is the current one with the new
image and without command or entryPoint, nothing else changed; the service
is updated to exactly that revision; the stage passes only when that
deployment reaches COMPLETED and fails on a circuit-breaker rollback, a
replaced deployment, or no steady state in time.
"""

import copy
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import templatelib  # noqa: E402

import botocore.session  # noqa: E402
import yaml  # noqa: E402

PROJECT = "DeployProject"
NEW_IMAGE = ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/"
             "lms-app-test:build-42")
CURRENT_ARN = ("arn:aws:ecs:eu-west-1:123456789012:"
               "task-definition/lms-app-test:7")
SHELLS = [s for s in ("dash", "bash") if shutil.which(s)]


def template_sources():
    """(label, template) for the fragments and, if given, the generated
    ones."""
    yield "templates/ fragments", templatelib.assemble()
    for path in templatelib.generated_paths():
        yield path, templatelib.load(path)


def project(tpl):
    return tpl["Resources"][PROJECT]["Properties"]


def buildspec(tpl):
    return yaml.safe_load(project(tpl)["Source"]["BuildSpec"])


def commands(tpl):
    return buildspec(tpl)["phases"]["build"]["commands"]


def project_env(tpl):
    return {v["Name"]: v["Value"]
            for v in project(tpl)["Environment"]["EnvironmentVariables"]}


# ---- the current revision: the template's task definition, as ECS has it ----

NOVALUE = object()
FIELD_NAMES = {"FilesystemId": "fileSystemId",
               "EFSVolumeConfiguration": "efsVolumeConfiguration",
               "IAM": "iam"}
FREE_FORM_MAPS = {"Options"}  # log driver options keep their own keys


def _resolve(tpl, value, placeholder):
    """The template's value with intrinsics replaced by sample values."""
    params = tpl.get("Parameters", {})

    def ref(name):
        if name == "AWS::NoValue":
            return NOVALUE
        pseudo = {"AWS::Region": "eu-west-1", "AWS::AccountId": "123456789012",
                  "AWS::Partition": "aws", "AWS::StackName": "lms-test"}
        if name in pseudo:
            return pseudo[name]
        if name == "EnvironmentSuffix":
            return "test"
        if name in params:
            return str(params[name]["Default"])
        return "arn:aws:sample:eu-west-1:123456789012:%s" % name

    def getatt(res, attr):
        if attr == "Arn" and res.endswith("Role"):
            return "arn:aws:iam::123456789012:role/%s" % res
        if attr.endswith("Port"):
            return "5432"
        return "%s.%s.sample" % (res, attr)

    def go(v):
        if isinstance(v, list):
            return [x for x in (go(i) for i in v) if x is not NOVALUE]
        if not isinstance(v, dict):
            return v
        if len(v) == 1:
            (k, arg), = v.items()
            if k == "Ref":
                return ref(arg)
            if k == "Fn::GetAtt":
                res, attr = (arg if isinstance(arg, list)
                             else arg.split(".", 1))
                return getatt(res, attr)
            if k == "Fn::Sub":
                text, extra = (arg, {}) if isinstance(arg, str) else arg

                def sub(m):
                    name = m.group(1)
                    if name in extra:
                        return str(go(extra[name]))
                    if "." in name and not name.startswith("AWS::"):
                        return getatt(*name.split(".", 1))
                    return ref(name)
                return re.sub(r"\$\{([^}]+)\}", sub, text)
            if k == "Fn::If":
                cond, yes, no = arg
                if cond != "IsPlaceholderImage":
                    raise ValueError("unexpected condition %s" % cond)
                return go(yes if placeholder else no)
        return {k: x for k, x in ((k, go(i)) for k, i in v.items())
                if x is not NOVALUE}
    return go(value)


def _api_names(value, key=None):
    """CloudFormation's property names to the ECS API's."""
    if isinstance(value, list):
        return [_api_names(v) for v in value]
    if isinstance(value, dict):
        if key in FREE_FORM_MAPS:
            return dict(value)
        out = {}
        for k, v in value.items():
            name = FIELD_NAMES.get(k, k[:1].lower() + k[1:])
            out[name] = _api_names(v, k)
        return out
    if key == "ContainerPort":
        return int(value)
    return value


def current_revision(tpl, placeholder=True):
    """describe-task-definition --include TAGS of the stack's revision."""
    props = _resolve(tpl, tpl["Resources"]["TaskDefinition"]["Properties"],
                     placeholder)
    td = _api_names(props)
    # a container's cpu and memory are integers in the ECS API (the task's
    # are strings), whatever string a parameter gave CloudFormation
    for c in td.get("containerDefinitions", []):
        for field in ("cpu", "memory", "memoryReservation"):
            if isinstance(c.get(field), str) and c[field].isdigit():
                c[field] = int(c[field])
    tags = td.pop("tags", [])
    td.update({
        # every field describe returns that register does not take
        "taskDefinitionArn": CURRENT_ARN,
        "revision": 7,
        "status": "ACTIVE",
        "compatibilities": ["EC2", "FARGATE"],
        "requiresAttributes": [
            {"name": "com.amazonaws.ecs.capability.task-iam-role"},
            {"name": "ecs.capability.efsAuth"}],
        "registeredAt": "2026-01-05T10:00:00.000000+00:00",
        "registeredBy": "arn:aws:sts::123456789012:assumed-role/cfn/x",
        "deregisteredAt": "2026-01-06T10:00:00.000000+00:00",
        "deleteRequestedAt": "2026-01-06T10:00:00.000000+00:00",
    })
    return {"taskDefinition": td, "tags": tags}


# ---- the stub AWS CLI --------------------------------------------------------

STUB = r'''#!%(python)s
"""aws ecs ... for tests/templates/test_pipeline_deploy.py (see there)."""
import json, os, sys
import botocore.session
from botocore.validate import ParamValidator

path = os.environ["STUB_STATE"]
with open(path) as f:
    st = json.load(f)
args = sys.argv[1:]
st["calls"].append(args)
service, op, opts = args[0], args[1], {}
i = 2
while i < len(args):
    opts[args[i]] = args[i + 1]
    i += 2


def save():
    with open(path, "w") as f:
        json.dump(st, f)


def fail(msg, rc=254):
    save()
    sys.stderr.write(msg + "\n")
    sys.exit(rc)


def deployments():
    new, old = st.get("new"), st["current_arn"]
    mine = {"id": "ecs-svc/new", "status": "PRIMARY", "taskDefinition": new,
            "rolloutState": "IN_PROGRESS"}
    before = {"id": "ecs-svc/old", "status": "ACTIVE", "taskDefinition": old,
              "rolloutState": "COMPLETED"}
    if not new:
        return [dict(before, status="PRIMARY")]
    st["polls"] += 1
    s, n = st["scenario"], st["polls"]
    if s == "complete" and n >= 2:
        return [dict(mine, rolloutState="COMPLETED")]
    back = {"id": "ecs-svc/rollback", "status": "PRIMARY",
            "taskDefinition": old, "rolloutState": "IN_PROGRESS"}
    if s == "rollback" and n >= 2:
        return [back, dict(mine, status="ACTIVE", rolloutState="FAILED")]
    if s == "gone" and n >= 2:
        return [dict(back, rolloutState="COMPLETED")]
    if s == "replaced" and n >= 2:
        other = dict(mine, id="ecs-svc/stack-update",
                     taskDefinition=old[:-1] + "99")
        return [other, dict(mine, status="ACTIVE")]
    return [mine, before]


if service != "ecs" or opts.get("--output") != "json":
    fail("stub: unexpected call %%s" %% args)
cluster = opts.get("--cluster")
if cluster is not None and cluster != os.environ["EXPECT_CLUSTER"]:
    fail("stub: wrong cluster %%s" %% cluster)
if op == "describe-services":
    if opts["--services"] != os.environ["EXPECT_SERVICE"]:
        fail("stub: wrong service")
    td = st.get("new") or st["current_arn"]
    out = {"services": [{"serviceName": opts["--services"],
                         "taskDefinition": td,
                         "deployments": deployments()}]}
elif op == "describe-task-definition":
    if opts["--task-definition"] != st["current_arn"] or \
            opts.get("--include") != "TAGS":
        fail("stub: describe-task-definition %%s" %% opts)
    out = st["current"]
elif op == "register-task-definition":
    src = opts["--cli-input-json"]
    if not src.startswith("file://"):
        fail("stub: --cli-input-json %%s" %% src)
    with open(src[len("file://"):]) as f:
        params = json.load(f)
    model = botocore.session.get_session().get_service_model("ecs")
    shape = model.operation_model("RegisterTaskDefinition").input_shape
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        fail("Parameter validation failed:\n" + report.generate_report(), 252)
    st["registered"] = params
    rev = st["current"]["taskDefinition"]["revision"] + 1
    arn = st["current_arn"].rsplit(":", 1)[0] + ":%%d" %% rev
    out = {"taskDefinition": dict(params, taskDefinitionArn=arn, revision=rev,
                                  status="ACTIVE")}
elif op == "update-service":
    if opts["--service"] != os.environ["EXPECT_SERVICE"]:
        fail("stub: wrong service")
    st["new"] = opts["--task-definition"]
    out = {"service": {"serviceName": opts["--service"],
                       "taskDefinition": st["new"],
                       "deployments": deployments()}}
    st["polls"] = 0
else:
    fail("stub: unexpected operation %%s" %% op)
save()
json.dump(out, sys.stdout, default=str)
'''


class Run:
    """One run of the buildspec's commands in a scratch directory."""

    def __init__(self, tpl, scenario="complete", shell="dash",
                 current=None, image_definitions=None, timeout="60"):
        self.tpl = tpl
        self.dir = tempfile.mkdtemp(prefix="lms-deploy-")
        bindir = os.path.join(self.dir, "bin")
        os.mkdir(bindir)
        stub = os.path.join(bindir, "aws")
        with open(stub, "w") as f:
            f.write(STUB % {"python": sys.executable})
        os.chmod(stub, os.stat(stub).st_mode | stat.S_IEXEC)
        work = os.path.join(self.dir, "src")  # CODEBUILD_SRC_DIR
        os.mkdir(work)
        env_vars = project_env(tpl)
        self.container = env_vars["CONTAINER_NAME"]
        defs = image_definitions if image_definitions is not None else [
            {"name": self.container, "imageUri": NEW_IMAGE}]
        with open(os.path.join(work, "imagedefinitions.json"), "w") as f:
            json.dump(defs, f)
        self.current = current or current_revision(tpl)
        self.state = os.path.join(self.dir, "state.json")
        with open(self.state, "w") as f:
            json.dump({"scenario": scenario, "current": self.current,
                       "current_arn": CURRENT_ARN, "calls": [], "polls": 0},
                      f)
        script = ""
        for cmd in commands(tpl):  # as CodeBuild: in order, stop at a failure
            script += cmd.rstrip("\n") + "\n"
            script += 'st=$?; if [ "$st" -ne 0 ]; then exit "$st"; fi\n'
        env = {"PATH": bindir + os.pathsep + os.environ["PATH"],
               "HOME": self.dir, "STUB_STATE": self.state,
               "CLUSTER": "lms-cluster-test", "SERVICE": "lms-service-test",
               "EXPECT_CLUSTER": "lms-cluster-test",
               "EXPECT_SERVICE": "lms-service-test",
               "CONTAINER_NAME": self.container,
               "DEPLOY_TIMEOUT_SECONDS": timeout, "POLL_SECONDS": "0"}
        proc = subprocess.run([shell, "-c", script], cwd=work, env=env,
                              capture_output=True, text=True, timeout=120)
        self.rc, self.out, self.err = proc.returncode, proc.stdout, proc.stderr
        with open(self.state) as f:
            self.st = json.load(f)
        shutil.rmtree(self.dir)

    def ops(self):
        return [c[1] for c in self.st["calls"]]

    def __str__(self):
        return "rc=%s\nstdout:\n%s\nstderr:\n%s" % (self.rc, self.out,
                                                    self.err)


def cases():
    """(template label, template, shell) for every source and shell."""
    return [(label, tpl, shell) for label, tpl in template_sources()
            for shell in SHELLS]


class DeployStageTest(unittest.TestCase):

    # ---- the transformation ----------------------------------------------------

    def test_first_deploy_replaces_the_placeholder(self):
        for label, tpl, shell in cases():
            with self.subTest(template=label, shell=shell):
                run = Run(tpl, shell=shell)
                self.assertEqual(run.rc, 0, run)
                before = run.current["taskDefinition"]
                lms = [c for c in before["containerDefinitions"]
                       if c["name"] == run.container]
                self.assertEqual(len(lms), 1)
                # the case that broke: the placeholder's command
                self.assertIn("python3", lms[0]["command"])
                self.assertEqual(
                    lms[0]["image"],
                    tpl["Parameters"]["ContainerImage"]["Default"])
                reg = run.st["registered"]
                (after,) = [c for c in reg["containerDefinitions"]
                            if c["name"] == run.container]
                self.assertEqual(after["image"], NEW_IMAGE)
                self.assertNotIn("command", after)
                self.assertNotIn("entryPoint", after)
                # nothing else changed: same container, same revision fields
                expected = copy.deepcopy(lms[0])
                del expected["command"]
                expected["image"] = NEW_IMAGE
                self.assertEqual(after, expected)
                kept = {k: v for k, v in before.items() if k not in (
                    "taskDefinitionArn", "revision", "status",
                    "compatibilities", "requiresAttributes", "registeredAt",
                    "registeredBy", "deregisteredAt", "deleteRequestedAt",
                    "containerDefinitions")}
                self.assertEqual(
                    {k: v for k, v in reg.items()
                     if k not in ("containerDefinitions", "tags")}, kept)
                self.assertEqual(reg["tags"], run.current["tags"])
                self.assertEqual(reg["family"], "lms-app-test")
                self.assertIn("TaskRole", reg["taskRoleArn"])
                self.assertIn("TaskExecutionRole", reg["executionRoleArn"])
                # the service gets exactly the registered revision
                self.assertEqual(run.st["new"],
                                 "arn:aws:ecs:eu-west-1:123456789012:"
                                 "task-definition/lms-app-test:8")
                self.assertEqual(run.ops(), [
                    "describe-services", "describe-task-definition",
                    "register-task-definition", "update-service",
                    "describe-services", "describe-services"])
                self.assertIn("deployed " + NEW_IMAGE, run.out)

    def test_later_deploy_of_an_lms_revision(self):
        for label, tpl, shell in cases():
            with self.subTest(template=label, shell=shell):
                current = current_revision(tpl, placeholder=False)
                (lms,) = [c for c in current["taskDefinition"]
                          ["containerDefinitions"] if c["name"] == "lms"]
                lms["image"] = NEW_IMAGE.replace("build-42", "build-41")
                self.assertNotIn("command", lms)
                run = Run(tpl, shell=shell, current=current)
                self.assertEqual(run.rc, 0, run)
                (after,) = run.st["registered"]["containerDefinitions"]
                self.assertEqual(after, dict(lms, image=NEW_IMAGE))

    def test_entry_point_is_dropped_too(self):
        tpl = templatelib.assemble()
        current = current_revision(tpl)
        current["taskDefinition"]["containerDefinitions"][0][
            "entryPoint"] = ["/bin/sh", "-c"]
        run = Run(tpl, current=current)
        self.assertEqual(run.rc, 0, run)
        (after,) = run.st["registered"]["containerDefinitions"]
        self.assertNotIn("entryPoint", after)
        self.assertNotIn("command", after)

    def test_other_containers_are_left_alone(self):
        tpl = templatelib.assemble()
        current = current_revision(tpl)
        sidecar = {"name": "log-router", "image": "public.ecr.aws/x/y:1",
                   "essential": False, "command": ["run"]}
        current["taskDefinition"]["containerDefinitions"].append(sidecar)
        run = Run(tpl, current=current)
        self.assertEqual(run.rc, 0, run)
        self.assertEqual(run.st["registered"]["containerDefinitions"][1],
                         sidecar)

    def test_read_only_fields_of_describe_are_all_removed(self):
        """Every field DescribeTaskDefinition returns that
        RegisterTaskDefinition refuses is in the program's del(...)."""
        model = botocore.session.get_session().get_service_model("ecs")
        out = model.operation_model("DescribeTaskDefinition").output_shape
        inp = model.operation_model("RegisterTaskDefinition").input_shape
        read_only = set(out.members["taskDefinition"].members) - set(
            inp.members)
        self.assertTrue(read_only)
        for label, tpl in template_sources():
            with self.subTest(template=label):
                program = " ".join(commands(tpl))
                m = re.search(r"del\(([^)]*)\)", program)
                self.assertIsNotNone(m)
                removed = {f.strip().lstrip(".") for f in
                           m.group(1).split(",")}
                self.assertLessEqual(read_only, removed)

    # ---- failures fail the stage ------------------------------------------------

    def test_rollback_by_the_circuit_breaker_fails(self):
        for label, tpl, shell in cases():
            with self.subTest(template=label, shell=shell):
                run = Run(tpl, scenario="rollback", shell=shell)
                self.assertNotEqual(run.rc, 0, run)
                self.assertIn("ACTIVE FAILED", run.out)
                # at the first sight of it, not at the timeout
                self.assertNotIn("no steady state", run.out)
                self.assertEqual(run.ops().count("describe-services"), 3)

    def test_deployment_gone_or_replaced_fails(self):
        for scenario in ("gone", "replaced"):
            for label, tpl, shell in cases():
                with self.subTest(template=label, shell=shell,
                                  scenario=scenario):
                    run = Run(tpl, scenario=scenario, shell=shell)
                    self.assertNotEqual(run.rc, 0, (scenario, str(run)))
                    self.assertIn("failed or was replaced", run.out)
                    self.assertEqual(
                        run.ops().count("describe-services"), 3)

    def test_no_steady_state_in_time_fails(self):
        for label, tpl, shell in cases():
            with self.subTest(template=label, shell=shell):
                run = Run(tpl, scenario="stuck", shell=shell, timeout="0")
                self.assertNotEqual(run.rc, 0, run)
                self.assertIn("no steady state", run.out)
                self.assertEqual(run.ops().count("describe-services"), 2)

    def test_missing_container_fails_before_registering(self):
        tpl = templatelib.assemble()
        for defs in ([{"name": "other", "imageUri": NEW_IMAGE}], []):
            run = Run(tpl, image_definitions=defs)
            self.assertNotEqual(run.rc, 0, run)
            self.assertNotIn("register-task-definition", run.ops())
        current = current_revision(tpl)
        current["taskDefinition"]["containerDefinitions"][0]["name"] = "x"
        run = Run(tpl, current=current)
        self.assertNotEqual(run.rc, 0, run)
        self.assertIn("no container", run.err)
        self.assertNotIn("register-task-definition", run.ops())

    # ---- the template around it --------------------------------------------

    def test_placeholder_is_the_only_command(self):
        """The buildspec drops command and entryPoint: right only while the
        template sets a command for the placeholder alone."""
        for label, tpl in template_sources():
            with self.subTest(template=label):
                td = tpl["Resources"]["TaskDefinition"]["Properties"]
                (lms,) = [c for c in td["ContainerDefinitions"]
                          if c["Name"] == project_env(tpl)["CONTAINER_NAME"]]
                self.assertNotIn("EntryPoint", lms)
                cond, _, lms_branch = lms["Command"]["Fn::If"]
                self.assertEqual(cond, "IsPlaceholderImage")
                self.assertEqual(lms_branch, {"Ref": "AWS::NoValue"})
                default = tpl["Parameters"]["ContainerImage"]["Default"]
                placeholder = tpl["Conditions"]["IsPlaceholderImage"][
                    "Fn::Equals"][1]
                if label.startswith("templates/"):
                    self.assertEqual(default, placeholder)

    def test_pipeline_runs_the_project_in_the_deploy_stage(self):
        for label, tpl in template_sources():
            with self.subTest(template=label):
                stages = tpl["Resources"]["Pipeline"]["Properties"]["Stages"]
                names = []
                for st in stages:
                    if "Fn::If" in st:
                        cond, yes, no = st["Fn::If"]
                        self.assertEqual(cond, "IsProd")
                        self.assertEqual(no, {"Ref": "AWS::NoValue"})
                        self.assertEqual(yes["Actions"][0]["ActionTypeId"]
                                         ["Category"], "Approval")
                        names.append(yes["Name"])
                    else:
                        names.append(st["Name"])
                self.assertEqual(names, ["Source", "Build", "Approve",
                                         "Deploy"])
                (action,) = stages[-1]["Actions"]
                self.assertEqual(action["ActionTypeId"]["Provider"],
                                 "CodeBuild")
                self.assertEqual(action["Configuration"]["ProjectName"],
                                 {"Ref": PROJECT})
                self.assertEqual(action["InputArtifacts"],
                                 [{"Name": "ImageDefinitions"}])
                for st in stages:
                    body = st["Fn::If"][1] if "Fn::If" in st else st
                    for a in body["Actions"]:
                        self.assertNotEqual(
                            a.get("ActionTypeId", {}).get("Provider"), "ECS")
                env = project_env(tpl)
                self.assertEqual(env["CLUSTER"], {"Ref": "EcsCluster"})
                self.assertEqual(env["SERVICE"],
                                 {"Fn::GetAtt": ["Service", "Name"]})
                build_env = {v["Name"]: v["Value"] for v in
                             tpl["Resources"]["BuildProject"]["Properties"]
                             ["Environment"]["EnvironmentVariables"]}
                self.assertEqual(build_env["CONTAINER_NAME"],
                                 env["CONTAINER_NAME"])
                # the poll is bounded inside the build's own timeout
                self.assertLess(int(env["DEPLOY_TIMEOUT_SECONDS"]) + 300,
                                project(tpl)["TimeoutInMinutes"] * 60)

    def test_deploy_role_is_least_privilege(self):
        for label, tpl in template_sources():
            with self.subTest(template=label):
                role = tpl["Resources"]["DeployRole"]["Properties"]
                (policy,) = role["Policies"]
                grants = {}
                for s in policy["PolicyDocument"]["Statement"]:
                    self.assertEqual(s["Effect"], "Allow")
                    for a in templatelib.as_list(s["Action"]):
                        grants[a] = s
                ecs = sorted(a for a in grants if a.startswith("ecs:"))
                self.assertEqual(ecs, [
                    "ecs:DescribeServices", "ecs:DescribeTaskDefinition",
                    "ecs:RegisterTaskDefinition", "ecs:TagResource",
                    "ecs:UpdateService"])
                for a in ("ecs:DescribeServices", "ecs:UpdateService"):
                    self.assertEqual(grants[a]["Resource"],
                                     {"Ref": "Service"})
                family = ("arn:${AWS::Partition}:ecs:${AWS::Region}:"
                          "${AWS::AccountId}:task-definition/"
                          "lms-app-${EnvironmentSuffix}:*")
                for a in ("ecs:RegisterTaskDefinition", "ecs:TagResource"):
                    self.assertEqual(grants[a]["Resource"],
                                     {"Fn::Sub": family})
                self.assertEqual(
                    grants["ecs:TagResource"]["Condition"],
                    {"StringEquals": {
                        "ecs:CreateAction": "RegisterTaskDefinition"}})
                # no resource-level permission exists for this one
                self.assertEqual(grants["ecs:DescribeTaskDefinition"]
                                 ["Resource"], "*")
                passrole = grants["iam:PassRole"]
                self.assertEqual(sorted(templatelib.ref_target(r) for r in
                                        passrole["Resource"]),
                                 ["TaskExecutionRole", "TaskRole"])
                self.assertEqual(passrole["Condition"], {"StringEquals": {
                    "iam:PassedToService": "ecs-tasks.amazonaws.com"}})
                self.assertNotIn("logs:CreateLogGroup", grants)
                for a, s in grants.items():
                    if a not in ("ecs:DescribeTaskDefinition",):
                        self.assertNotEqual(s["Resource"], "*", a)
                # the pipeline's own role no longer touches ECS or IAM
                prole = tpl["Resources"]["PipelineRole"]["Properties"]
                text = json.dumps(prole["Policies"])
                self.assertNotIn('"ecs:', text)
                self.assertNotIn("iam:PassRole", text)


if __name__ == "__main__":
    unittest.main()
