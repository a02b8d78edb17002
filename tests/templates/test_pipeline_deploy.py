"""The pipeline's deploy stage (DeployProject), run from the template.

The pipeline deploys the image THROUGH the stack, not around it: the
stage updates the platform's own stack with ContainerImage (the parameter
the pipeline owns, `LmsCtl::PipelineParameters`) set to the built image,
UsePreviousValue for every other parameter and UsePreviousTemplate. If it
registered task definitions and updated the ECS service itself (as it
once did), the stack would keep the placeholder image and the next
`lmsctl deploy` would put the placeholder back (issue 17, failure 3).

The inline buildspec of DeployProject is taken from templates/pipeline.yml
(and from the generated templates named by LMSCTL_TEMPLATE and
LMSCTL_TEMPLATE_DEV, when set) and its commands are run, in order, in one
POSIX shell (dash, and bash when present), stopping at the first that
fails, as CodeBuild runs a build phase. The real jq runs; `aws` is a stub
on PATH that answers describe-stacks, update-stack and wait
stack-update-complete from a scenario (no network). The stub checks
update-stack's input against the botocore model of UpdateStack, as the
AWS CLI does before it sends anything. The stack's parameters are the
template's own (NoEcho ones masked, as describe-stacks returns them).

What must hold: exactly one update-stack of this stack, with the previous
template, ContainerImage = the new image, UsePreviousValue (and no value)
for every other parameter the stack has, the capabilities the template
needs; no ECS call at all; "No updates are to be performed" passes; a
failed or rolled-back update and any other error fail the stage.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import templatelib  # noqa: E402

import yaml  # noqa: E402

PROJECT = "DeployProject"
IMAGE_PARAMETER = "ContainerImage"
NEW_IMAGE = ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/"
             "lms-app-test:build-42")
STACK = "lms-test"
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


def stack_parameters(tpl):
    """describe-stacks' Parameters of a stack made from the template."""
    out = []
    for key, p in tpl["Parameters"].items():
        value = str(p.get("Default", "sample-%s" % key))
        if str(p.get("NoEcho", "false")).lower() == "true":
            value = "****"
        out.append({"ParameterKey": key, "ParameterValue": value})
    return out


# ---- the stub AWS CLI --------------------------------------------------------

STUB = r'''#!%(python)s
"""aws cloudformation ... for tests/templates/test_pipeline_deploy.py."""
import json, os, sys
import botocore.session
from botocore.validate import ParamValidator

path = os.environ["STUB_STATE"]
with open(path) as f:
    st = json.load(f)
args = sys.argv[1:]
st["calls"].append(args)
service, op, opts = args[0], args[1], {}
key = None
first = 3 if op == "wait" else 2  # wait WAITER --opt ...
for a in args[first:]:  # --flag, --opt value, --list v1 v2
    if a.startswith("--"):
        key = a
        opts[key] = []
    else:
        opts[key].append(a)


def one(k):
    v = opts.get(k)
    return v[0] if v else None


def save():
    with open(path, "w") as f:
        json.dump(st, f)


def fail(msg, rc=254):
    save()
    sys.stderr.write(msg + "\n")
    sys.exit(rc)


def stack():
    return {"StackName": os.environ["EXPECT_STACK"],
            "StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/"
                       + os.environ["EXPECT_STACK"] + "/0a1b",
            "StackStatus": st["status"],
            "Parameters": st["parameters"]}


if service != "cloudformation":
    fail("stub: unexpected call %%s" %% args)
if one("--stack-name") != os.environ["EXPECT_STACK"]:
    fail("stub: wrong stack %%s" %% args)
out = None
if op == "describe-stacks":
    out = {"Stacks": [stack()]}
elif op == "update-stack":
    src = one("--parameters")
    if not src or not src.startswith("file://"):
        fail("stub: --parameters %%s" %% src)
    with open(src[len("file://"):]) as f:
        parameters = json.load(f)
    params = {"StackName": one("--stack-name"), "Parameters": parameters,
              "Capabilities": opts.get("--capabilities", [])}
    if "--use-previous-template" in opts:
        params["UsePreviousTemplate"] = True
    model = botocore.session.get_session().get_service_model("cloudformation")
    shape = model.operation_model("UpdateStack").input_shape
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        fail("Parameter validation failed:\n" + report.generate_report(), 252)
    st["update"] = params
    s = st["scenario"]
    if s == "unchanged":
        fail("An error occurred (ValidationError) when calling the "
             "UpdateStack operation: No updates are to be performed.")
    if s == "busy":
        fail("An error occurred (ValidationError) when calling the "
             "UpdateStack operation: Stack:%%s is in UPDATE_IN_PROGRESS "
             "state and can not be updated." %% stack()["StackId"])
    st["status"] = "UPDATE_IN_PROGRESS"
    out = {"StackId": stack()["StackId"]}
elif op == "wait" and args[2] == "stack-update-complete":
    if "update" not in st:
        fail("stub: wait before update-stack")
    if st["scenario"] == "rollback":
        st["status"] = "UPDATE_ROLLBACK_COMPLETE"
        fail("Waiter StackUpdateComplete failed: Waiter encountered a "
             "terminal failure state: For expression \"Stacks[].StackStatus\""
             " we matched expected path: \"UPDATE_ROLLBACK_COMPLETE\"", 255)
    st["status"] = "UPDATE_COMPLETE"
else:
    fail("stub: unexpected operation %%s" %% args)
save()
if out is not None:
    json.dump(out, sys.stdout, default=str)
'''


class Run:
    """One run of the buildspec's commands in a scratch directory."""

    def __init__(self, tpl, scenario="complete", shell="dash",
                 image_definitions=None, parameters=None):
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
        self.parameters = (parameters if parameters is not None
                           else stack_parameters(tpl))
        self.state = os.path.join(self.dir, "state.json")
        with open(self.state, "w") as f:
            json.dump({"scenario": scenario, "status": "UPDATE_COMPLETE",
                       "parameters": self.parameters, "calls": []}, f)
        script = ""
        for cmd in commands(tpl):  # as CodeBuild: in order, stop at a failure
            script += cmd.rstrip("\n") + "\n"
            script += 'st=$?; if [ "$st" -ne 0 ]; then exit "$st"; fi\n'
        env = {"PATH": bindir + os.pathsep + os.environ["PATH"],
               "HOME": self.dir, "STUB_STATE": self.state,
               "STACK_NAME": STACK, "EXPECT_STACK": STACK,
               "IMAGE_PARAMETER": env_vars["IMAGE_PARAMETER"],
               "CONTAINER_NAME": self.container}
        proc = subprocess.run([shell, "-c", script], cwd=work, env=env,
                              capture_output=True, text=True, timeout=120)
        self.rc, self.out, self.err = proc.returncode, proc.stdout, proc.stderr
        with open(self.state) as f:
            self.st = json.load(f)
        shutil.rmtree(self.dir)

    def ops(self):
        return [" ".join(c[:3]) if c[1] == "wait" else " ".join(c[:2])
                for c in self.st["calls"]]

    def __str__(self):
        return "rc=%s\nstdout:\n%s\nstderr:\n%s" % (self.rc, self.out,
                                                    self.err)


def cases():
    """(template label, template, shell) for every source and shell."""
    return [(label, tpl, shell) for label, tpl in template_sources()
            for shell in SHELLS]


def refs(value):
    """Every logical id or parameter a value names (Ref, GetAtt, Sub)."""
    import re
    found = set()

    def go(v):
        if isinstance(v, list):
            for i in v:
                go(i)
        elif isinstance(v, dict):
            t = templatelib.ref_target(v)
            if t:
                found.add(t)
            if "Fn::Sub" in v:
                arg = v["Fn::Sub"]
                text = arg if isinstance(arg, str) else arg[0]
                found.update(n.split(".")[0] for n in
                             re.findall(r"\$\{([^}!]+)\}", text))
            for i in v.values():
                go(i)
    go(value)
    return found


class DeployStageTest(unittest.TestCase):

    # ---- the update through the stack -------------------------------------------

    def test_deploy_updates_only_the_image_parameter(self):
        for label, tpl, shell in cases():
            with self.subTest(template=label, shell=shell):
                run = Run(tpl, shell=shell)
                self.assertEqual(run.rc, 0, run)
                self.assertEqual(run.ops(), [
                    "cloudformation describe-stacks",
                    "cloudformation update-stack",
                    "cloudformation wait stack-update-complete"])
                up = run.st["update"]
                self.assertEqual(up["StackName"], STACK)
                self.assertIs(up["UsePreviousTemplate"], True)
                sent = {p["ParameterKey"]: p for p in up["Parameters"]}
                # every parameter the stack has, each once
                self.assertEqual(len(sent), len(up["Parameters"]))
                self.assertEqual(set(sent), {p["ParameterKey"] for p in
                                             run.parameters})
                self.assertEqual(sent.pop(IMAGE_PARAMETER), {
                    "ParameterKey": IMAGE_PARAMETER,
                    "ParameterValue": NEW_IMAGE})
                self.assertTrue(sent)
                for key, p in sent.items():
                    self.assertEqual(p, {"ParameterKey": key,
                                         "UsePreviousValue": True}, key)
                caps = set(up["Capabilities"])
                self.assertIn("CAPABILITY_NAMED_IAM", caps)
                if "Transform" in tpl:
                    self.assertIn("CAPABILITY_AUTO_EXPAND", caps)
                self.assertIn("deployed " + NEW_IMAGE, run.out)
                # around the stack no more
                for call in run.st["calls"]:
                    self.assertEqual(call[0], "cloudformation", call)

    def test_parameter_names_come_from_the_stack(self):
        """No parameter name but the owned one is written in the
        buildspec: a stack with other parameters gets them all back."""
        tpl = templatelib.assemble()
        params = [{"ParameterKey": IMAGE_PARAMETER,
                   "ParameterValue": "public.ecr.aws/x/placeholder:1"},
                  {"ParameterKey": "SomethingNew", "ParameterValue": "1"},
                  {"ParameterKey": "Secret", "ParameterValue": "****"}]
        run = Run(tpl, parameters=params)
        self.assertEqual(run.rc, 0, run)
        self.assertEqual(run.st["update"]["Parameters"], [
            {"ParameterKey": IMAGE_PARAMETER, "ParameterValue": NEW_IMAGE},
            {"ParameterKey": "SomethingNew", "UsePreviousValue": True},
            {"ParameterKey": "Secret", "UsePreviousValue": True}])
        self.assertNotIn("****", json.dumps(run.st["update"]))

    def test_no_updates_is_success(self):
        for label, tpl, shell in cases():
            with self.subTest(template=label, shell=shell):
                run = Run(tpl, scenario="unchanged", shell=shell)
                self.assertEqual(run.rc, 0, run)
                self.assertIn("already deployed", run.out)
                self.assertNotIn("cloudformation wait stack-update-complete",
                                 run.ops())

    # ---- failures fail the stage ------------------------------------------------

    def test_rolled_back_update_fails(self):
        for label, tpl, shell in cases():
            with self.subTest(template=label, shell=shell):
                run = Run(tpl, scenario="rollback", shell=shell)
                self.assertNotEqual(run.rc, 0, run)
                self.assertIn("UPDATE_ROLLBACK_COMPLETE", run.out)
                self.assertNotIn("deployed " + NEW_IMAGE, run.out)

    def test_other_update_errors_fail(self):
        for label, tpl, shell in cases():
            with self.subTest(template=label, shell=shell):
                run = Run(tpl, scenario="busy", shell=shell)
                self.assertNotEqual(run.rc, 0, run)
                self.assertIn("UPDATE_IN_PROGRESS", run.err)
                self.assertNotIn("cloudformation wait stack-update-complete",
                                 run.ops())

    def test_missing_container_or_parameter_fails_before_updating(self):
        tpl = templatelib.assemble()
        for defs in ([{"name": "other", "imageUri": NEW_IMAGE}], []):
            run = Run(tpl, image_definitions=defs)
            self.assertNotEqual(run.rc, 0, run)
            self.assertNotIn("cloudformation update-stack", run.ops())
        run = Run(tpl, parameters=[{"ParameterKey": "Other",
                                    "ParameterValue": "x"}])
        self.assertNotEqual(run.rc, 0, run)
        self.assertIn("no parameter " + IMAGE_PARAMETER, run.out)
        self.assertNotIn("cloudformation update-stack", run.ops())

    # ---- the template around it --------------------------------------------

    def test_the_image_parameter_is_the_one_the_pipeline_owns(self):
        for label, tpl in template_sources():
            with self.subTest(template=label):
                self.assertEqual(project_env(tpl)["IMAGE_PARAMETER"],
                                 IMAGE_PARAMETER)
                self.assertEqual(project_env(tpl)["STACK_NAME"],
                                 {"Ref": "AWS::StackName"})
                self.assertIn(IMAGE_PARAMETER, tpl["Parameters"])
        compute = templatelib.fragment("compute.yml")
        self.assertIn(IMAGE_PARAMETER,
                      compute["Metadata"]["LmsCtl::PipelineParameters"])

    def test_placeholder_command_follows_the_parameter(self):
        """Only the stack drops the placeholder's command: right only while
        the template sets it for the placeholder alone."""
        for label, tpl in template_sources():
            with self.subTest(template=label):
                td = tpl["Resources"]["TaskDefinition"]["Properties"]
                (lms,) = [c for c in td["ContainerDefinitions"]
                          if c["Name"] == project_env(tpl)["CONTAINER_NAME"]]
                self.assertEqual(lms["Image"], {"Ref": IMAGE_PARAMETER})
                self.assertNotIn("EntryPoint", lms)
                cond, _, lms_branch = lms["Command"]["Fn::If"]
                self.assertEqual(cond, "IsPlaceholderImage")
                self.assertEqual(lms_branch, {"Ref": "AWS::NoValue"})
                default = tpl["Parameters"][IMAGE_PARAMETER]["Default"]
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
                build_env = {v["Name"]: v["Value"] for v in
                             tpl["Resources"]["BuildProject"]["Properties"]
                             ["Environment"]["EnvironmentVariables"]}
                self.assertEqual(build_env["CONTAINER_NAME"],
                                 project_env(tpl)["CONTAINER_NAME"])
                # the waiter gives up after 120 polls of 30 s (AWS CLI
                # reference, wait stack-update-complete); the build outlives it
                self.assertGreater(project(tpl)["TimeoutInMinutes"], 60)
                text = json.dumps(commands(tpl))
                for gone in ("aws ecs", "register-task-definition",
                             "update-service"):
                    self.assertNotIn(gone, text)

    def test_what_an_image_change_touches(self):
        """An update of the image parameter alone changes the task
        definition (ContainerDefinitions: replaced, a new revision ARN)
        and the service that names it (updated in place: its Ref and Name
        stay), nothing else: the deploy role's grants cover exactly
        those."""
        for label, tpl in template_sources():
            with self.subTest(template=label):
                res = tpl["Resources"]
                conds = {c for c, v in tpl.get("Conditions", {}).items()
                         if IMAGE_PARAMETER in refs(v)}

                def naming(names):
                    cs = conds if IMAGE_PARAMETER in names else set()
                    out = set()
                    for lid, r in res.items():
                        body = {k: v for k, v in r.items()
                                if k in ("Properties", "Metadata")}
                        text = json.dumps(body)
                        if refs(body) & names or any(
                                '"%s"' % c in text for c in cs):
                            out.add(lid)
                    return out
                self.assertEqual(naming({IMAGE_PARAMETER}),
                                 {"TaskDefinition"})
                self.assertEqual(naming({"TaskDefinition"}), {"Service"})

    def test_deploy_role_is_least_privilege(self):
        stack_arn = ("arn:${AWS::Partition}:cloudformation:${AWS::Region}:"
                     "${AWS::AccountId}:stack/${AWS::StackName}/*")
        # its nested stacks (STACK-LogicalId-ID): a parent update starts theirs
        nested_arn = ("arn:${AWS::Partition}:cloudformation:${AWS::Region}:"
                      "${AWS::AccountId}:stack/${AWS::StackName}-*/*")
        family = ("arn:${AWS::Partition}:ecs:${AWS::Region}:"
                  "${AWS::AccountId}:task-definition/"
                  "lms-app-${EnvironmentSuffix}:*")
        for label, tpl in template_sources():
            with self.subTest(template=label):
                role = tpl["Resources"]["DeployRole"]["Properties"]
                (policy,) = role["Policies"]
                grants = {}
                for s in policy["PolicyDocument"]["Statement"]:
                    self.assertEqual(s["Effect"], "Allow")
                    for a in templatelib.as_list(s["Action"]):
                        self.assertNotIn(a, grants)
                        grants[a] = s
                cfn = sorted(a for a in grants
                             if a.startswith("cloudformation:"))
                self.assertEqual(cfn, ["cloudformation:CancelUpdateStack",
                                       "cloudformation:DescribeStacks",
                                       "cloudformation:UpdateStack"])
                for a in cfn:
                    self.assertEqual(grants[a]["Resource"],
                                     [{"Fn::Sub": stack_arn},
                                      {"Fn::Sub": nested_arn}])
                ecs = sorted(a for a in grants if a.startswith("ecs:"))
                self.assertEqual(ecs, [
                    "ecs:DeregisterTaskDefinition", "ecs:DescribeServices",
                    "ecs:DescribeTaskDefinition",
                    "ecs:RegisterTaskDefinition", "ecs:TagResource",
                    "ecs:UpdateService"])
                for a in ("ecs:DescribeServices", "ecs:UpdateService"):
                    self.assertEqual(grants[a]["Resource"],
                                     {"Ref": "Service"})
                for a in ("ecs:RegisterTaskDefinition", "ecs:TagResource"):
                    self.assertEqual(grants[a]["Resource"],
                                     {"Fn::Sub": family})
                self.assertEqual(
                    grants["ecs:TagResource"]["Condition"],
                    {"StringEquals": {
                        "ecs:CreateAction": "RegisterTaskDefinition"}})
                wildcard = {"ecs:DescribeTaskDefinition",
                            "ecs:DeregisterTaskDefinition"}
                for a in wildcard:
                    self.assertEqual(grants[a]["Resource"], "*")
                passrole = grants["iam:PassRole"]
                self.assertEqual(sorted(templatelib.ref_target(r) for r in
                                        passrole["Resource"]),
                                 ["TaskExecutionRole", "TaskRole"])
                self.assertEqual(passrole["Condition"], {"StringEquals": {
                    "iam:PassedToService": "ecs-tasks.amazonaws.com"}})
                self.assertEqual(
                    sorted(a for a in grants if a.startswith("iam:")),
                    ["iam:PassRole"])
                self.assertNotIn("logs:CreateLogGroup", grants)
                for a, s in grants.items():
                    if a not in wildcard:
                        self.assertNotEqual(s["Resource"], "*", a)
                # the pipeline's own role touches neither ECS, IAM nor stacks
                prole = tpl["Resources"]["PipelineRole"]["Properties"]
                text = json.dumps(prole["Policies"])
                self.assertNotIn('"ecs:', text)
                self.assertNotIn("iam:PassRole", text)
                self.assertNotIn('"cloudformation:', text)


if __name__ == "__main__":
    unittest.main()
