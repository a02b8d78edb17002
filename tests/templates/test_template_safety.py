"""Safety properties of the platform template that cfn-lint does not check.

Reads the assembled template (LMSCTL_TEMPLATE, else the catalog's fragments
merged by templatelib). Each property is a checker returning the list of
violations; the tests assert the real template has none, and the
*_is_caught tests break a copy of the template on purpose and assert the
checker notices, so a checker that silently stopped looking would fail too.
"""

import copy
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import templatelib  # noqa: E402
from templatelib import as_list, ref_target, resources  # noqa: E402

SUFFIX_MAX = 12  # EnvironmentSuffix MaxLength
ZIPFILE_LIMIT = 4096
OPEN_CIDRS = {"0.0.0.0/0", "::/0"}
FORBIDDEN_POLICIES = {"Retain", "RetainExceptOnCreate", "Snapshot"}
STATEFUL_TYPES = {
    "AWS::RDS::DBCluster", "AWS::RDS::DBInstance",
    "AWS::ElastiCache::ReplicationGroup", "AWS::EFS::FileSystem",
    "AWS::Logs::LogGroup", "AWS::KMS::Key", "AWS::SecretsManager::Secret",
    "AWS::S3::Bucket", "AWS::Kinesis::Stream", "AWS::ECR::Repository",
    "AWS::DynamoDB::Table",
}
SECRETS_TRANSFORMS = {"AWS::SecretsManager-2024-09-16",
                      "AWS::SecretsManager-2020-07-23"}
# The chain of docs/templates.md and the brief: (source, destination, port).
CHAIN = [
    ("VpcLinkSecurityGroup", "AlbSecurityGroup"),
    ("AlbSecurityGroup", "TaskSecurityGroup"),
    ("TaskSecurityGroup", "DatabaseProxySecurityGroup"),
    ("DatabaseProxySecurityGroup", "DatabaseSecurityGroup"),
    ("TaskSecurityGroup", "CacheSecurityGroup"),
    ("TaskSecurityGroup", "FileSystemSecurityGroup"),
    ("RotationLambdaSecurityGroup", "DatabaseSecurityGroup"),
    ("RotationLambdaSecurityGroup", "CacheSecurityGroup"),
]
# Edges the chain must not have: the tasks reach Aurora through the proxy
# only (docs/scaling.md, "Pooled connections").
FORBIDDEN_EDGES = [("TaskSecurityGroup", "DatabaseSecurityGroup")]


def walk(value):
    """Every dict inside value, Fn::If branches included."""
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


def sub_text(value):
    """The template string of a plain or !Sub string, else ''."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub if isinstance(sub, str) else sub[0]
    return ""


# ---- checkers ---------------------------------------------------------------

def deletion_policy_problems(tpl):
    out = []
    for lid, res in resources(tpl):
        for attr in ("DeletionPolicy", "UpdateReplacePolicy"):
            if res.get(attr) in FORBIDDEN_POLICIES:
                out.append("%s: %s %s" % (lid, attr, res[attr]))
        if res.get("Type") in STATEFUL_TYPES:
            for attr in ("DeletionPolicy", "UpdateReplacePolicy"):
                if res.get(attr) != "Delete":
                    out.append("%s (%s): %s must be Delete, is %r"
                               % (lid, res["Type"], attr, res.get(attr)))
    return out


def ingress_rules(tpl):
    """(where, rule) for inline and standalone ingress rules."""
    for lid, res in resources(tpl, "AWS::EC2::SecurityGroup"):
        for rule in walk(res.get("Properties", {}).get(
                "SecurityGroupIngress", [])):
            if "IpProtocol" in rule:
                yield lid, rule
    for lid, res in resources(tpl, "AWS::EC2::SecurityGroupIngress"):
        yield lid, res.get("Properties", {})


def cidr_value(tpl, value):
    """A literal CIDR, or the Default of the parameter a Ref names."""
    if isinstance(value, str):
        return value
    param = (tpl.get("Parameters") or {}).get(ref_target(value) or "")
    if param and isinstance(param.get("Default"), str):
        return param["Default"]
    return None  # computed (!Select of a subnet list, ...): not a literal


def open_ingress_problems(tpl):
    out = []
    for lid, rule in ingress_rules(tpl):
        for key in ("CidrIp", "CidrIpv6"):
            cidr = cidr_value(tpl, rule.get(key))
            if cidr in OPEN_CIDRS:
                out.append("%s: ingress from %s" % (lid, cidr))
    return out


def chain_problems(tpl):
    out = []
    groups = {g for edge in CHAIN for g in edge}
    ingress = {}
    for lid, res in resources(tpl, "AWS::EC2::SecurityGroupIngress"):
        p = res["Properties"]
        dst = ref_target(p.get("GroupId"))
        if dst in groups:
            src = ref_target(p.get("SourceSecurityGroupId"))
            # CloudFront's VPC origin: its managed prefix list, to the ALB only
            by_cloudfront = (dst == "AlbSecurityGroup" and ref_target(
                p.get("SourcePrefixListId")) == "CloudFrontPrefixListId")
            if src is None and not by_cloudfront:
                out.append("%s: ingress to %s not by group id" % (lid, dst))
            ingress[(src, dst)] = p
    egress = {}
    for lid, res in resources(tpl, "AWS::EC2::SecurityGroupEgress"):
        p = res["Properties"]
        src = ref_target(p.get("GroupId"))
        dst = ref_target(p.get("DestinationSecurityGroupId"))
        if dst:
            egress[(src, dst)] = p
    for group in groups:
        props = tpl["Resources"].get(group, {}).get("Properties", {})
        if props.get("SecurityGroupIngress"):
            out.append("%s: inline ingress (use separate resources)" % group)
        if "SecurityGroupEgress" not in props:
            out.append("%s: default allow-all egress left in place" % group)
    for edge in FORBIDDEN_EDGES:
        if edge in ingress or edge in egress:
            out.append("%s -> %s: a direct path the chain forbids" % edge)
    for edge in CHAIN:
        if edge not in ingress:
            out.append("no ingress %s -> %s" % edge)
        if edge not in egress:
            out.append("no egress %s -> %s" % edge)
        if edge in ingress and edge in egress:
            i, e = ingress[edge], egress[edge]
            if (i.get("FromPort"), i.get("ToPort")) != (e.get("FromPort"),
                                                        e.get("ToPort")):
                out.append("%s -> %s: ingress and egress ports differ" % edge)
    return out


def proxy_problems(tpl):
    """The RDS Proxy between the tasks and Aurora (docs/scaling.md)."""
    out = []
    proxies = list(resources(tpl, "AWS::RDS::DBProxy"))
    if len(proxies) != 1:
        return ["%d RDS proxies, want 1" % len(proxies)]
    lid, res = proxies[0]
    p = res.get("Properties", {})
    if p.get("RequireTLS") is not True:
        out.append("%s: RequireTLS is not true" % lid)
    if p.get("EngineFamily") != "POSTGRESQL":
        out.append("%s: EngineFamily %r" % (lid, p.get("EngineFamily")))
    auth = as_list(p.get("Auth", []))
    if not auth or any(a.get("AuthScheme") != "SECRETS" or
                       ref_target(a.get("SecretArn")) != "DatabaseAppSecret"
                       for a in auth):
        out.append("%s: Auth is not the application secret alone" % lid)
    subnets = [ref_target(s) for s in walk_refs(p.get("VpcSubnetIds"))]
    if not subnets or any(not (s or "").startswith("DataSubnet")
                          for s in subnets):
        out.append("%s: not in the data subnets (%s)" % (lid, subnets))
    groups = [ref_target(g) for g in as_list(p.get("VpcSecurityGroupIds"))]
    if groups != ["DatabaseProxySecurityGroup"]:
        out.append("%s: security groups %s" % (lid, groups))
    role = ref_target(p.get("RoleArn"))
    out += proxy_role_problems(tpl, role)
    targets = [r for _, r in resources(tpl, "AWS::RDS::DBProxyTargetGroup")
               if ref_target(r["Properties"].get("DBProxyName")) == lid]
    if len(targets) != 1 or [ref_target(c) for c in as_list(
            targets[0]["Properties"].get("DBClusterIdentifiers"))] != [
                "DatabaseCluster"]:
        out.append("%s: no target group for DatabaseCluster" % lid)
    env = {}
    for container in tpl["Resources"]["TaskDefinition"]["Properties"][
            "ContainerDefinitions"]:
        for e in container.get("Environment", []):
            env[e["Name"]] = e["Value"]
    host = env.get("LMS_DB_HOST")
    if not (isinstance(host, dict) and host.get("Fn::GetAtt") in (
            [lid, "Endpoint"], "%s.Endpoint" % lid)):
        out.append("TaskDefinition: LMS_DB_HOST is not the proxy endpoint")
    return out


def walk_refs(value):
    """The Refs of a list, Fn::If branches included."""
    for d in walk(value):
        if "Ref" in d and d["Ref"] != "AWS::NoValue":
            yield d


def proxy_role_problems(tpl, role):
    out = []
    res = tpl["Resources"].get(role or "", {})
    if res.get("Type") != "AWS::IAM::Role":
        return ["the proxy's RoleArn is not a role of this template"]
    for policy in res["Properties"].get("Policies", []):
        for st in as_list(policy["PolicyDocument"]["Statement"]):
            actions = as_list(st.get("Action"))
            targets = [ref_target(r) or r for r in as_list(st.get("Resource"))]
            for target in targets:
                if isinstance(target, dict) and "Fn::GetAtt" in target:
                    target = as_list(target["Fn::GetAtt"])[0].split(".")[0]
                if any(a.startswith("secretsmanager:") for a in actions) and \
                        target != "DatabaseAppSecret":
                    out.append("%s: secrets beyond the app secret" % role)
                if any(a.startswith("kms:") for a in actions) and \
                        target != "SecretsKey":
                    out.append("%s: keys beyond SecretsKey" % role)
            if any(a.startswith("kms:") for a in actions) and \
                    "kms:ViaService" not in str(st.get("Condition")):
                out.append("%s: kms without kms:ViaService" % role)
    return out


def is_logs_statement(st):
    principal = (st.get("Principal") or {})
    services = [sub_text(s) for s in as_list(
        principal.get("Service", []) if isinstance(principal, dict) else [])]
    if not any(re.fullmatch(r"logs\.\$\{AWS::Region\}\.amazonaws\.com|"
                            r"logs\.[a-z0-9-]+\.amazonaws\.com", s)
               for s in services):
        return False
    conditions = st.get("Condition") or {}
    return st.get("Effect") == "Allow" and any(
        "kms:EncryptionContext:aws:logs:arn" in (block or {})
        for block in conditions.values())


def logs_key_problems(tpl):
    out = []
    for lid, res in resources(tpl, "AWS::Logs::LogGroup"):
        p = res.get("Properties", {})
        if "RetentionInDays" not in p:
            out.append("%s: no retention" % lid)
        key = ref_target(p.get("KmsKeyId"))
        if key is None:
            out.append("%s: not encrypted with a key of this template" % lid)
            continue
        policy = tpl["Resources"].get(key, {}).get("Properties", {}).get(
            "KeyPolicy", {})
        if not any(is_logs_statement(st)
                   for st in as_list(policy.get("Statement", []))):
            out.append("%s: key %s lacks the logs principal with the "
                       "encryption-context condition" % (lid, key))
    return out


def is_root(principal):
    aws = principal.get("AWS") if isinstance(principal, dict) else None
    return any(sub_text(a).endswith(":root") for a in as_list(aws or []))


def key_policy_problems(tpl):
    out = []
    for lid, res in resources(tpl, "AWS::KMS::Key"):
        p = res.get("Properties", {})
        if p.get("EnableKeyRotation") is not True:
            out.append("%s: key rotation off" % lid)
        for st in as_list(p.get("KeyPolicy", {}).get("Statement", [])):
            if st.get("Effect") == "Deny":
                continue  # a Deny to anyone narrows access; only an Allow can be too wide
            actions = as_list(st.get("Action", []))
            if ("kms:*" in actions or "*" in actions) and not is_root(
                    st.get("Principal", {})):
                out.append("%s/%s: kms:* beyond the account root"
                           % (lid, st.get("Sid")))
            principal = st.get("Principal")
            anyone = principal == "*" or (isinstance(principal, dict)
                                          and principal.get("AWS") == "*")
            if anyone:
                cond = st.get("Condition", {}).get("StringEquals", {})
                if "kms:ViaService" not in cond or \
                        "kms:CallerAccount" not in cond:
                    out.append("%s/%s: wildcard principal without "
                               "kms:ViaService and kms:CallerAccount"
                               % (lid, st.get("Sid")))
    return out


def secret_key(value):
    """("Ref", id) or ("GetAtt", id, attribute) for a SecretId."""
    if isinstance(value, dict) and "Ref" in value:
        return ("Ref", value["Ref"])
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        att = value["Fn::GetAtt"]
        if isinstance(att, str):
            att = att.split(".", 1)
        return ("GetAtt", att[0], att[1])
    return ("literal", repr(value))


def rotation_problems(tpl):
    out = []
    schedules = list(resources(tpl, "AWS::SecretsManager::RotationSchedule"))
    rotated = set()
    for lid, res in schedules:
        p = res["Properties"]
        secret = p.get("SecretId")
        rotated.add(secret_key(secret))
        rules = p.get("RotationRules", {})
        expr, days = rules.get("ScheduleExpression"), rules.get(
            "AutomaticallyAfterDays")
        if expr is not None and days is not None:
            out.append("%s: ScheduleExpression and AutomaticallyAfterDays "
                       "together" % lid)
        if not (expr == "rate(30 days)" or days == 30):
            out.append("%s: not rotated every 30 days" % lid)
        hosted = p.get("HostedRotationLambda")
        if hosted and p.get("RotationLambdaARN"):
            out.append("%s: HostedRotationLambda and RotationLambdaARN" % lid)
        depends = as_list(res.get("DependsOn", []))
        if hosted:
            if not set(as_list(tpl.get("Transform", []))) & SECRETS_TRANSFORMS:
                out.append("%s: HostedRotationLambda without the Secrets "
                           "Manager transform" % lid)
            attached = [a for a, r in resources(
                tpl, "AWS::SecretsManager::SecretTargetAttachment")
                if ref_target(r["Properties"]["SecretId"])
                == ref_target(secret)]
            if not attached or not set(attached) <= set(depends):
                out.append("%s: no DependsOn its SecretTargetAttachment"
                           % lid)
            if "MultiUser" in hosted.get("RotationType", ""):
                gen = tpl["Resources"][ref_target(secret)]["Properties"].get(
                    "GenerateSecretString", {})
                if '"masterarn"' not in sub_text(
                        gen.get("SecretStringTemplate")):
                    out.append("%s: multi-user secret without masterarn"
                               % lid)
        if p.get("RotationLambdaARN"):
            fn = ref_target(p["RotationLambdaARN"])
            perms = [pl for pl, r in resources(tpl, "AWS::Lambda::Permission")
                     if ref_target(r["Properties"]["FunctionName"]) == fn
                     and r["Properties"].get("Principal")
                     == "secretsmanager.amazonaws.com"]
            if not perms:
                out.append("%s: %s lacks a permission for Secrets Manager"
                           % (lid, fn))
            elif not set(perms) & set(depends):
                out.append("%s: no DependsOn the Lambda permission" % lid)
    for lid, res in resources(tpl, "AWS::SecretsManager::Secret"):
        if ("Ref", lid) not in rotated:
            out.append("%s: secret without a rotation schedule" % lid)
    for lid, res in resources(tpl, "AWS::RDS::DBCluster"):
        if res["Properties"].get("ManageMasterUserPassword"):
            wanted = ("GetAtt", lid, "MasterUserSecret.SecretArn")
            if wanted not in rotated:
                out.append("%s: managed master secret keeps RDS's 7-day "
                           "default (no RotationSchedule)" % lid)
    return out


def inline_code_problems(tpl):
    out = []
    for lid, res in resources(tpl, "AWS::Lambda::Function"):
        code = res["Properties"].get("Code", {}).get("ZipFile")
        if isinstance(code, str) and len(code) >= ZIPFILE_LIMIT:
            out.append("%s: inline code of %d characters" % (lid, len(code)))
    return out


def cache_problems(tpl):
    out = []
    for lid, res in resources(tpl, "AWS::ElastiCache::ReplicationGroup"):
        p = res["Properties"]
        for key, want in (("TransitEncryptionEnabled", True),
                          ("TransitEncryptionMode", "required"),
                          ("AtRestEncryptionEnabled", True),
                          ("MultiAZEnabled", True),
                          ("AutomaticFailoverEnabled", True)):
            if p.get(key) != want:
                out.append("%s: %s is %r" % (lid, key, p.get(key)))
        if "KmsKeyId" not in p:
            out.append("%s: at rest with the AWS-owned key" % lid)
        if "AuthToken" in p:
            out.append("%s: AUTH token instead of RBAC" % lid)
        nodes = p.get("NumCacheClusters") or 1 + (p.get("ReplicasPerNodeGroup")
                                                   or 0)
        if nodes < 3:
            out.append("%s: fewer than a primary and two replicas" % lid)
        name = sub_text(p.get("ReplicationGroupId"))
        longest = name.replace("${EnvironmentSuffix}", "x" * SUFFIX_MAX)
        if not name or len(longest) > 40:
            out.append("%s: ReplicationGroupId %r over 40 characters"
                       % (lid, longest))
        default_off = False
        for group_ref in p.get("UserGroupIds", []):
            group = tpl["Resources"][ref_target(group_ref)]["Properties"]
            for user_ref in group["UserIds"]:
                user = tpl["Resources"][ref_target(user_ref)]["Properties"]
                if user.get("UserName") == "default":
                    default_off = user.get("AccessString", "").split()[0] \
                        == "off"
        if not default_off:
            out.append("%s: no user group with a disabled default user" % lid)
    return out


# ---- tests -------------------------------------------------------------------

class TemplateSafetyTest(unittest.TestCase):
    """Every template under test (each generated one, or the fragments)."""

    @classmethod
    def setUpClass(cls):
        cls.templates = templatelib.templates()

    def for_each_template(self, check):
        for tpl, source in self.templates:
            with self.subTest(template=source):
                check(tpl)

    def assertNoProblems(self, checker):
        self.for_each_template(
            lambda tpl: self.assertEqual(checker(tpl), []))

    def test_no_retain_or_snapshot_and_explicit_delete(self):
        self.assertNoProblems(deletion_policy_problems)

    def test_no_security_group_open_to_the_world(self):
        self.assertNoProblems(open_ingress_problems)

    def test_security_groups_chained_by_group_id(self):
        self.assertNoProblems(chain_problems)

    def test_tasks_reach_aurora_through_the_proxy(self):
        self.assertNoProblems(proxy_problems)

    def test_every_log_group_key_admits_cloudwatch_logs(self):
        self.assertNoProblems(logs_key_problems)

    def test_key_policies_scoped(self):
        self.assertNoProblems(key_policy_problems)

    def test_every_credential_rotates_every_30_days(self):
        self.assertNoProblems(rotation_problems)

    def test_inline_code_under_4096_characters(self):
        self.assertNoProblems(inline_code_problems)

    def test_cache_tls_rbac_and_replicas(self):
        self.assertNoProblems(cache_problems)

    def test_aurora(self):
        self.for_each_template(self.check_aurora)

    def check_aurora(self, tpl):
        res = tpl["Resources"]
        c = res["DatabaseCluster"]["Properties"]
        self.assertEqual(c["Engine"], "aurora-postgresql")
        version = tpl["Parameters"]["DatabaseEngineVersion"]
        for v in version["AllowedValues"]:
            self.assertRegex(str(v), r"^1[67]\.\d+$")
        self.assertIs(c["StorageEncrypted"], True)
        self.assertEqual(ref_target(c["KmsKeyId"]), "DataKey")
        self.assertIs(c["EnableIAMDatabaseAuthentication"], True)
        self.assertIn("postgresql", c["EnableCloudwatchLogsExports"])
        # protected in prod unless the one parameter destroy's lift change set turns off
        self.assertEqual(c["DeletionProtection"],
                         {"Fn::If": ["HasDatabaseDeletionProtection", True, False]})
        self.assertEqual(tpl["Conditions"]["HasDatabaseDeletionProtection"],
                         {"Fn::And": [{"Condition": "IsProd"},
                                      {"Fn::Equals": [{"Ref": "DatabaseDeletionProtection"},
                                                      "true"]}]})
        self.assertEqual(tpl["Parameters"]["DatabaseDeletionProtection"]["Default"], "true")
        self.assertEqual(res["DatabaseCluster"]["Metadata"]["LmsCtl::LiftProtection"],
                         {"DatabaseDeletionProtection": "false"})
        self.assertNotIn("EngineMode", c)  # Serverless v2, not v1
        scaling = c["ServerlessV2ScalingConfiguration"]
        self.assertEqual(scaling, {"MinCapacity": {"Ref": "DatabaseMinCapacity"},
                                   "MaxCapacity": {"Ref": "DatabaseMaxCapacity"}})
        self.assertEqual(c["BackupRetentionPeriod"],
                         {"Ref": "DatabaseBackupRetentionDays"})
        group = res[ref_target(c["DBClusterParameterGroupName"])]
        self.assertEqual(group["Properties"]["Parameters"]["rds.force_ssl"],
                         "1")
        subnets = res[ref_target(c["DBSubnetGroupName"])]["Properties"]
        self.assertTrue(all("DataSubnet" in repr(s)
                            for s in subnets["SubnetIds"]))
        instances = {r["Properties"]["PromotionTier"]: r["Properties"]
                     for _, r in resources(tpl, "AWS::RDS::DBInstance")}
        self.assertEqual(sorted(instances), [0, 1])
        self.assertNotEqual(instances[0]["AvailabilityZone"],
                            instances[1]["AvailabilityZone"])
        for inst in instances.values():
            self.assertEqual(inst["DBInstanceClass"], "db.serverless")

    def test_efs(self):
        self.for_each_template(self.check_efs)

    def check_efs(self, tpl):
        fs = tpl["Resources"]["FileSystem"]["Properties"]
        self.assertIs(fs["Encrypted"], True)
        self.assertEqual(ref_target(fs["KmsKeyId"]), "DataKey")
        self.assertEqual(fs["ThroughputMode"], "elastic")
        statements = fs["FileSystemPolicy"]["Statement"]
        self.assertTrue(any(
            st["Effect"] == "Deny" and st["Condition"]["Bool"].get(
                "aws:SecureTransport") == "false" for st in statements))
        for st in statements:
            if st["Effect"] == "Allow":  # never anonymous
                self.assertTrue(is_root(st["Principal"]), st)
                self.assertNotIn("elasticfilesystem:ClientRootAccess",
                                 as_list(st["Action"]))
        targets = [ref_target(r["Properties"]["SubnetId"]) for _, r in
                   resources(tpl, "AWS::EFS::MountTarget")]
        self.assertEqual(sorted(targets),
                         ["DataSubnet1", "DataSubnet2", "DataSubnet3"])
        ap = tpl["Resources"]["FileSystemAccessPoint"]["Properties"]
        self.assertIn("Uid", ap["PosixUser"])
        self.assertTrue(ap["RootDirectory"]["Path"].startswith("/"))


class CheckersCatchBreakageTest(unittest.TestCase):
    """Each checker, fed a deliberately broken copy, must complain."""

    @classmethod
    def setUpClass(cls):
        cls.tpl, cls.source = templatelib.templates()[0]

    def broken(self):
        return copy.deepcopy(self.tpl)

    def test_lost_logs_principal_is_caught(self):
        tpl = self.broken()
        policy = tpl["Resources"]["LogsKey"]["Properties"]["KeyPolicy"]
        policy["Statement"] = [st for st in policy["Statement"]
                               if not is_logs_statement(st)]
        self.assertTrue(logs_key_problems(tpl))

    def test_lost_encryption_context_condition_is_caught(self):
        tpl = self.broken()
        for st in tpl["Resources"]["LogsKey"]["Properties"]["KeyPolicy"][
                "Statement"]:
            st.pop("Condition", None)
        self.assertTrue(logs_key_problems(tpl))

    def test_open_ingress_is_caught(self):
        for cidr_key, cidr in (("CidrIp", "0.0.0.0/0"),
                               ("CidrIpv6", "::/0")):
            tpl = self.broken()
            tpl["Resources"]["WideOpenIngress"] = {
                "Type": "AWS::EC2::SecurityGroupIngress",
                "Properties": {"GroupId": {"Ref": "AlbSecurityGroup"},
                               "IpProtocol": "tcp", "FromPort": 443,
                               "ToPort": 443, cidr_key: cidr}}
            self.assertTrue(open_ingress_problems(tpl))
            tpl = self.broken()
            tpl["Resources"]["TaskSecurityGroup"]["Properties"][
                "SecurityGroupIngress"] = [{"IpProtocol": "-1",
                                            cidr_key: cidr}]
            self.assertTrue(open_ingress_problems(tpl))

    def test_retain_and_snapshot_are_caught(self):
        for lid in ("DatabaseCluster", "FileSystem", "LogsKey",
                    "DatabaseSubnetGroup"):
            for attr in ("DeletionPolicy", "UpdateReplacePolicy"):
                for value in ("Retain", "Snapshot", "RetainExceptOnCreate"):
                    tpl = self.broken()
                    tpl["Resources"][lid][attr] = value
                    self.assertTrue(deletion_policy_problems(tpl),
                                    (lid, attr, value))
        tpl = self.broken()
        del tpl["Resources"]["DatabaseCluster"]["DeletionPolicy"]
        self.assertTrue(deletion_policy_problems(tpl))  # default Snapshot

    def test_cidr_chain_is_caught(self):
        tpl = self.broken()
        props = tpl["Resources"]["DatabaseFromProxyIngress"]["Properties"]
        del props["SourceSecurityGroupId"]
        props["CidrIp"] = "10.40.16.0/20"
        self.assertTrue(chain_problems(tpl))

    def test_direct_task_to_database_path_is_caught(self):
        tpl = self.broken()
        tpl["Resources"]["TaskToDatabaseEgress"] = {
            "Type": "AWS::EC2::SecurityGroupEgress",
            "Properties": {"GroupId": {"Ref": "TaskSecurityGroup"},
                           "IpProtocol": "tcp", "FromPort": 5432,
                           "ToPort": 5432, "DestinationSecurityGroupId": {
                               "Ref": "DatabaseSecurityGroup"}}}
        self.assertTrue(chain_problems(tpl))

    def test_proxy_weakened_is_caught(self):
        edits = [
            lambda p: p.update(RequireTLS=False),
            lambda p: p.pop("RequireTLS"),
            lambda p: p["Auth"][0].update(SecretArn={"Ref": "CacheAppSecret"}),
            lambda p: p.update(VpcSubnetIds=[{"Ref": "AppSubnet1"},
                                             {"Ref": "AppSubnet2"}]),
            lambda p: p.update(VpcSecurityGroupIds=[
                {"Ref": "TaskSecurityGroup"}]),
        ]
        for edit in edits:
            tpl = self.broken()
            edit(tpl["Resources"]["DatabaseProxy"]["Properties"])
            self.assertTrue(proxy_problems(tpl))
        tpl = self.broken()
        role = tpl["Resources"]["DatabaseProxyRole"]["Properties"]
        role["Policies"][0]["PolicyDocument"]["Statement"][0][
            "Resource"] = "*"
        self.assertTrue(proxy_problems(tpl))
        tpl = self.broken()
        env = tpl["Resources"]["TaskDefinition"]["Properties"][
            "ContainerDefinitions"][0]["Environment"]
        for e in env:
            if e["Name"] == "LMS_DB_HOST":
                e["Value"] = {"Fn::GetAtt": ["DatabaseCluster",
                                             "Endpoint.Address"]}
        self.assertTrue(proxy_problems(tpl))

    def test_missing_rotation_is_caught(self):
        tpl = self.broken()
        del tpl["Resources"]["DatabaseMasterSecretRotation"]
        self.assertTrue(rotation_problems(tpl))
        tpl = self.broken()
        tpl["Resources"]["CacheAppSecretRotation"]["Properties"][
            "RotationRules"] = {"ScheduleExpression": "rate(90 days)"}
        self.assertTrue(rotation_problems(tpl))
        tpl = self.broken()
        tpl.pop("Transform", None)
        self.assertTrue(rotation_problems(tpl))

    def test_wide_kms_grant_is_caught(self):
        tpl = self.broken()
        tpl["Resources"]["DataKey"]["Properties"]["KeyPolicy"][
            "Statement"].append({"Effect": "Allow", "Principal": {"AWS": "*"},
                                 "Action": "kms:*", "Resource": "*"})
        self.assertTrue(key_policy_problems(tpl))


if __name__ == "__main__":
    unittest.main()
