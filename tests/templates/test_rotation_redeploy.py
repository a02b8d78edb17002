"""The redeploy after a rotation, run from the template against moto.

RotationRedeployRule (templates/compute.yml) sends Secrets Manager's
RotationSucceeded events to RotationRedeployFunction, which forces a new
deployment of the LMS service when the rotated secret is one the tasks
read. The function's inline ZipFile code is taken from templates/compute.yml
(and from the generated templates named by LMSCTL_TEMPLATE and
LMSCTL_TEMPLATE_DEV, when set), executed as a module and called with
RotationSucceeded events against a moto server this test starts on a free
127.0.0.1 port. ECS (cluster, Fargate task definition, service with its
deployment configuration) and EventBridge's TestEventPattern are real moto.

Not emulated: ECS's rolling replacement itself (moto records a new
deployment id and changes nothing else; that the service's own deployment
configuration governs the rollout is checked on the template), Lambda's
asynchronous retries and the Errors metric (the template checks say an
error is raised and alarmed).

What must hold: a rotation of the database or cache application secret
forces exactly one new deployment and changes nothing else of the service
(task definition, desired count, deployment configuration); any other
secret's rotation changes nothing; a failure raises (so Lambda counts an
error and the alarm pages); the rule matches the event as CloudTrail
delivers it and nothing else; the function may do nothing but that.
"""

import contextlib
import io
import json
import os
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import motoutil  # noqa: E402
import templatelib  # noqa: E402
from templatelib import as_list, ref_target, resources  # noqa: E402

import boto3  # noqa: E402
import botocore.exceptions  # noqa: E402

FUNCTION = "RotationRedeployFunction"
RULE = "RotationRedeployRule"
ROLE = "RotationRedeployRole"
LOG_GROUP = "RotationRedeployLogGroup"
ALARM = "RotationRedeployErrorsAlarm"
ACCOUNT = "123456789012"
CLUSTER = "lms-cluster-test"
SERVICE = "lms-service-test"
NAME_LIMIT = 64  # Lambda FunctionName and IAM RoleName


def secret_arn(name):
    return "arn:aws:secretsmanager:eu-west-1:%s:secret:%s-AbCdEf" % (
        ACCOUNT, name)


DB_SECRET = secret_arn("lms-db-app-secret-test")
CACHE_SECRET = secret_arn("lms-cache-app-secret-test")
API_SECRET = secret_arn("lms-api-key-institution-test")
MASTER_SECRET = secret_arn("rds!cluster-0123")


def rotation_event(arn, name="RotationSucceeded",
                   detail_type="AWS Service Event via CloudTrail",
                   in_resources=False):
    """A Secrets Manager rotation event as CloudTrail hands it to
    EventBridge: an AWS service event (eventType AwsServiceEvent, no
    request or response), the secret in additionalEventData (as observed)
    or, in_resources, in the envelope's resources."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": "aws.secretsmanager",
        "account": ACCOUNT,
        "time": "2026-12-07T00:41:07Z",
        "region": "eu-west-1",
        "resources": [arn] if in_resources else [],
        "detail": {
            "eventVersion": "1.08",
            "userIdentity": {"accountId": ACCOUNT,
                             "invokedBy": "secretsmanager.amazonaws.com"},
            "eventTime": "2026-12-07T00:41:07Z",
            "eventSource": "secretsmanager.amazonaws.com",
            "eventName": name,
            "awsRegion": "eu-west-1",
            "sourceIPAddress": "secretsmanager.amazonaws.com",
            "userAgent": "secretsmanager.amazonaws.com",
            "requestParameters": None,
            "responseElements": None,
            "additionalEventData": ({} if in_resources
                                    else {"SecretId": arn}),
            "eventID": str(uuid.uuid4()),
            "readOnly": False,
            "eventType": "AwsServiceEvent",
            "managementEvent": True,
            "recipientAccountId": ACCOUNT,
            "eventCategory": "Management",
        },
    }


def template_sources():
    """(label, template) for the assembled fragments and, if given, the
    generated ones."""
    yield "templates/ (fragments)", templatelib.assemble()
    for path in templatelib.generated_paths():
        yield path, templatelib.load(path)


def fragment_code():
    return motoutil.zipfile_code(templatelib.fragment("compute.yml"),
                                 FUNCTION)


def longest_name(tpl, value):
    """The Fn::Sub name at the longest EnvironmentSuffix the parameter
    allows."""
    suffix = tpl["Parameters"]["EnvironmentSuffix"]["MaxLength"]
    text = value["Fn::Sub"] if isinstance(value, dict) else value
    return len(text.replace("${EnvironmentSuffix}", "x" * int(suffix)))


class RotationRedeployFunctionTest(unittest.TestCase):

    moto = None

    @classmethod
    def setUpClass(cls):
        cls.moto = motoutil.MotoServer()

    @classmethod
    def tearDownClass(cls):
        if cls.moto:
            cls.moto.stop()

    def setUp(self):
        self.moto.reset()
        patcher = motoutil.env_patch(dict(
            self.moto.environment(), CLUSTER=CLUSTER, SERVICE=SERVICE,
            SECRET_ARNS="%s,%s" % (DB_SECRET, CACHE_SECRET)))
        patcher.start()
        self.addCleanup(patcher.stop)
        self.ecs = boto3.client("ecs")
        ec2 = boto3.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")[
            "Subnet"]["SubnetId"]
        group = ec2.create_security_group(
            GroupName="lms-task-test", Description="tasks", VpcId=vpc)[
            "GroupId"]
        self.ecs.create_cluster(clusterName=CLUSTER)
        self.taskdef = self.ecs.register_task_definition(
            family="lms-test", requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc", cpu="1024", memory="2048",
            containerDefinitions=[{"name": "lms", "image": "lms:1",
                                   "essential": True}],
        )["taskDefinition"]["taskDefinitionArn"]
        self.ecs.create_service(
            cluster=CLUSTER, serviceName=SERVICE, taskDefinition=self.taskdef,
            desiredCount=3, launchType="FARGATE",
            deploymentConfiguration={
                "minimumHealthyPercent": 100, "maximumPercent": 200,
                "deploymentCircuitBreaker": {"enable": True,
                                             "rollback": True}},
            networkConfiguration={"awsvpcConfiguration": {
                "subnets": [subnet], "securityGroups": [group],
                "assignPublicIp": "DISABLED"}})

    def service(self):
        return self.ecs.describe_services(
            cluster=CLUSTER, services=[SERVICE])["services"][0]

    def deployment_ids(self):
        return [d["id"] for d in self.service()["deployments"]]

    def run_handler(self, fn, event):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            result = fn.handler(event, motoutil.FakeContext())
        return result, out.getvalue()

    # ---- the code ----------------------------------------------------------

    def test_code_fits_inline_limit(self):
        for label, tpl in template_sources():
            with self.subTest(template=label):
                self.assertLess(len(motoutil.zipfile_code(tpl, FUNCTION)),
                                motoutil.ZIPFILE_LIMIT)

    # ---- behaviour ---------------------------------------------------------

    def test_rotation_of_each_app_secret_forces_one_rolling_deployment(self):
        for label, tpl in template_sources():
            for arn in (DB_SECRET, CACHE_SECRET):
                with self.subTest(template=label, secret=arn):
                    fn = motoutil.load_code(
                        motoutil.zipfile_code(tpl, FUNCTION), "redeploy")
                    before = self.service()
                    result, log = self.run_handler(fn, rotation_event(arn))
                    after = self.service()
                    self.assertTrue(result["redeployed"])
                    self.assertNotEqual(
                        [d["id"] for d in after["deployments"]],
                        [d["id"] for d in before["deployments"]])
                    self.assertIn(result["deployment"],
                                  [d["id"] for d in after["deployments"]])
                    # Nothing else of the service changes: same revision,
                    # same count, the service's own rolling configuration.
                    for key in ("taskDefinition", "desiredCount",
                                "deploymentConfiguration", "launchType"):
                        self.assertEqual(after.get(key), before.get(key),
                                         key)
                    # Logged: the event, the secret, the deployment.
                    self.assertIn(arn, log)
                    self.assertIn(result["deployment"], log)

    def test_secret_named_in_the_envelope_resources_also_counts(self):
        fn = motoutil.load_code(fragment_code(), "redeploy")
        before = self.deployment_ids()
        result, _ = self.run_handler(
            fn, rotation_event(CACHE_SECRET, in_resources=True))
        self.assertTrue(result["redeployed"])
        self.assertNotEqual(self.deployment_ids(), before)

    def test_other_secrets_rotations_change_nothing(self):
        fn = motoutil.load_code(fragment_code(), "redeploy")
        before = self.service()
        for arn in (API_SECRET, MASTER_SECRET,
                    DB_SECRET[:-7] + "-other-AbCdEf"):
            with self.subTest(secret=arn):
                result, log = self.run_handler(fn, rotation_event(arn))
                self.assertEqual(result, {"redeployed": False})
                self.assertIn('"secrets": []', log)  # logged, ignored
        self.assertEqual(self.service()["deployments"],
                         before["deployments"])

    def test_failure_raises_so_lambda_counts_an_error(self):
        fn = motoutil.load_code(fragment_code(), "redeploy")
        before = self.deployment_ids()
        os.environ["SERVICE"] = "lms-service-gone"  # e.g. renamed by hand
        with self.assertRaises(botocore.exceptions.ClientError):
            self.run_handler(fn, rotation_event(DB_SECRET))
        self.assertEqual(self.deployment_ids(), before)

    # ---- the rule, against moto's EventBridge pattern matcher -------------

    def test_rule_matches_rotation_succeeded_as_cloudtrail_delivers_it(self):
        # moto's server does not implement TestEventPattern; its rules
        # match with this class.
        from moto.events.models import EventPattern
        for label, tpl in template_sources():
            pattern = EventPattern.load(json.dumps(
                tpl["Resources"][RULE]["Properties"]["EventPattern"]))
            cases = [
                (rotation_event(DB_SECRET), True),
                (rotation_event(API_SECRET), True),  # the function filters
                (rotation_event(DB_SECRET, name="RotationFailed"), False),
                (rotation_event(DB_SECRET, name="RotationStarted"), False),
                (rotation_event(DB_SECRET, name="RotateSecret",
                                detail_type="AWS API Call via CloudTrail"),
                 False),
            ]
            for event, expected in cases:
                with self.subTest(template=label,
                                  name=event["detail"]["eventName"]):
                    self.assertEqual(pattern.matches_event(event), expected)


class RotationRedeployTemplateTest(unittest.TestCase):
    """The wiring, on every template under test."""

    def each(self):
        for label, tpl in template_sources():
            with self.subTest(template=label):
                yield tpl

    def test_rule_targets_the_function_and_only_it_may_invoke(self):
        for tpl in self.each():
            res = tpl["Resources"]
            rule = res[RULE]["Properties"]
            pattern = rule["EventPattern"]
            self.assertEqual(pattern["source"], ["aws.secretsmanager"])
            self.assertEqual(pattern["detail-type"],
                             ["AWS Service Event via CloudTrail"])
            self.assertEqual(pattern["detail"]["eventName"],
                             ["RotationSucceeded"])
            self.assertEqual(pattern["detail"]["eventSource"],
                             ["secretsmanager.amazonaws.com"])
            self.assertEqual([ref_target(t["Arn"]) for t in rule["Targets"]],
                             [FUNCTION])
            perms = [p["Properties"] for _, p in
                     resources(tpl, "AWS::Lambda::Permission")
                     if ref_target(p["Properties"]["FunctionName"])
                     == FUNCTION]
            self.assertEqual(len(perms), 1)
            self.assertEqual(perms[0]["Principal"], "events.amazonaws.com")
            self.assertEqual(ref_target(perms[0]["SourceArn"]), RULE)

    def test_function_watches_every_secret_the_tasks_read(self):
        for tpl in self.each():
            res = tpl["Resources"]
            injected = set()
            for _, td in resources(tpl, "AWS::ECS::TaskDefinition"):
                for c in td["Properties"]["ContainerDefinitions"]:
                    for s in c.get("Secrets", []):
                        injected.add(ref_target(s["ValueFrom"]))
            self.assertTrue(injected)
            env = res[FUNCTION]["Properties"]["Environment"]["Variables"]
            watched = env["SECRET_ARNS"]["Fn::Sub"]
            self.assertEqual(
                {n.strip("${}") for n in watched.split(",")}, injected)
            self.assertEqual(ref_target(env["CLUSTER"]), "EcsCluster")
            self.assertEqual(env["SERVICE"], {"Fn::GetAtt": ["Service",
                                                             "Name"]})

    def test_role_least_privilege(self):
        for tpl in self.each():
            role = tpl["Resources"][ROLE]["Properties"]
            self.assertNotIn("ManagedPolicyArns", role)
            actions = {}
            for pol in role["Policies"]:
                for st in pol["PolicyDocument"]["Statement"]:
                    self.assertEqual(st["Effect"], "Allow")
                    for a in as_list(st["Action"]):
                        actions[a] = [ref_target(r) or r
                                      for r in as_list(st["Resource"])]
            self.assertEqual(actions, {
                "logs:CreateLogStream": [LOG_GROUP],
                "logs:PutLogEvents": [LOG_GROUP],
                "ecs:UpdateService": ["Service"],
            })

    def test_log_group_encrypted_with_retention_and_used(self):
        for tpl in self.each():
            res = tpl["Resources"]
            group = res[LOG_GROUP]
            self.assertEqual(group.get("DeletionPolicy"), "Delete")
            props = group["Properties"]
            self.assertEqual(ref_target(props["KmsKeyId"]), "LogsKey")
            self.assertIn("RetentionInDays", props)
            fn = res[FUNCTION]["Properties"]
            self.assertEqual(ref_target(fn["LoggingConfig"]["LogGroup"]),
                             LOG_GROUP)
            self.assertEqual(
                props["LogGroupName"]["Fn::Sub"],
                "/aws/lambda/" + fn["FunctionName"]["Fn::Sub"])

    def test_errors_alarm_pages_the_alarm_topic(self):
        for tpl in self.each():
            res = tpl["Resources"]
            alarm = res[ALARM]["Properties"]
            self.assertEqual((alarm["Namespace"], alarm["MetricName"]),
                             ("AWS/Lambda", "Errors"))
            self.assertEqual(
                [(d["Name"], ref_target(d["Value"]))
                 for d in alarm["Dimensions"]],
                [("FunctionName", FUNCTION)])
            self.assertEqual(alarm["Threshold"], 1)
            self.assertEqual(alarm["ComparisonOperator"],
                             "GreaterThanOrEqualToThreshold")
            topics = [ref_target(a) for a in alarm["AlarmActions"]]
            self.assertEqual(topics, ["AlarmTopic"])
            self.assertTrue(res["AlarmTopic"]["Properties"]["KmsMasterKeyId"])

    def test_names_fit_at_the_longest_suffix(self):
        for tpl in self.each():
            res = tpl["Resources"]
            self.assertLessEqual(longest_name(
                tpl, res[FUNCTION]["Properties"]["FunctionName"]), NAME_LIMIT)
            self.assertLessEqual(longest_name(
                tpl, res[ROLE]["Properties"]["RoleName"]), NAME_LIMIT)
            self.assertLessEqual(longest_name(
                tpl, res[RULE]["Properties"]["Name"]), NAME_LIMIT)

    def test_the_service_rolls_without_losing_capacity(self):
        """What UpdateService(forceNewDeployment) inherits: the service's
        own deployment configuration."""
        for tpl in self.each():
            conf = tpl["Resources"]["Service"]["Properties"][
                "DeploymentConfiguration"]
            self.assertGreaterEqual(conf["MinimumHealthyPercent"], 100)
            self.assertGreater(conf["MaximumPercent"], 100)
            self.assertEqual(conf["DeploymentCircuitBreaker"],
                             {"Enable": True, "Rollback": True})


if __name__ == "__main__":
    unittest.main()
