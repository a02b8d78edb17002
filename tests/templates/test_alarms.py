"""The platform's alarms: every symptom the issue lists has one, each is wired.

Reads the template lmsctl generated for prod (environment variable
LMSCTL_TEMPLATE). Without it, the tests run on templates/observability.yml
alone, which holds every alarm of the list and the rotation rule; checks
that need the other tiers' resources (which ALB, which cluster) are then
skipped, and say so.

What is checked, per template:

* coverage: the alarms, counted by metric namespace, include one for each
  (namespace, metric) of REQUIRED; secret-rotation failures reach the alarm
  topic through an EventBridge rule on RotationFailed;
* wiring: every alarm notifies a KMS-encrypted SNS topic (AlarmActions) and
  names the dimensions its namespace needs (ALB LoadBalancer, ECS
  ClusterName and ServiceName, ...), built from the right resource;
* periods: no alarm on a standard-resolution (one-minute) AWS metric has a
  period under 60 s; custom metrics may use 10 or 30 (high resolution);
  metric math alarms return exactly one time series;
* the audit trail: log file validation, a CMK admitting CloudTrail for
  this account's trails only, DependsOn its bucket policy, optional by a
  condition, audit logs kept a year or more (S3 and CloudWatch Logs);
* every bucket: encrypted, private, TLS only, versioned, expiring, emptied
  on stack deletion, and named within 63 characters at the longest
  account, region and suffix (docs/pdpa.md cites these tests).

The *_is_caught tests break a copy on purpose, so a checker that stopped
looking fails too. Run: python3 -m unittest tests/templates/test_alarms.py -v
(the table of alarms per namespace is printed with -v).
"""

import copy
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import templatelib  # noqa: E402  (needs cfn-lint's YAML loader)
    from templatelib import as_list, ref_target, resources  # noqa: E402
    LOAD_ERROR = None
except ImportError as exc:  # pragma: no cover - depends on the machine
    templatelib = None
    LOAD_ERROR = exc

FRAGMENT = "observability.yml"

# (namespace, metric names: one alarm on any of them covers the symptom).
REQUIRED = {
    "ALB 5xx": ("AWS/ApplicationELB",
                {"HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count"}),
    "ALB target response time": ("AWS/ApplicationELB", {"TargetResponseTime"}),
    "ALB unhealthy hosts": ("AWS/ApplicationELB", {"UnHealthyHostCount"}),
    "ECS CPU": ("AWS/ECS", {"CPUUtilization"}),
    "ECS memory": ("AWS/ECS", {"MemoryUtilization"}),
    "ECS running tasks": ("ECS/ContainerInsights", {"RunningTaskCount"}),
    "Aurora CPU": ("AWS/RDS", {"CPUUtilization"}),
    "Aurora ACU utilization": ("AWS/RDS", {"ACUUtilization"}),
    "Aurora connections": ("AWS/RDS", {"DatabaseConnections"}),
    "Aurora replica lag": ("AWS/RDS", {"AuroraReplicaLag"}),
    "cache CPU": ("AWS/ElastiCache",
                  {"CPUUtilization", "EngineCPUUtilization"}),
    "cache memory": ("AWS/ElastiCache", {"DatabaseMemoryUsagePercentage"}),
    "cache evictions": ("AWS/ElastiCache", {"Evictions"}),
    "EFS burst or throughput": ("AWS/EFS",
                                {"BurstCreditBalance", "PermittedThroughput",
                                 "MeteredIOBytes", "PercentIOLimit"}),
    "API Gateway 5xx": ("AWS/ApiGateway", {"5XXError"}),
    "API Gateway 4xx": ("AWS/ApiGateway", {"4XXError"}),
    "API Gateway latency": ("AWS/ApiGateway", {"Latency", "IntegrationLatency"}),
    "WAF blocked requests": ("AWS/WAFV2", {"BlockedRequests"}),
    "Kinesis iterator age": ("AWS/Kinesis",
                             {"GetRecords.IteratorAgeMilliseconds"}),
    "Kinesis throttling": ("AWS/Kinesis",
                           {"WriteProvisionedThroughputExceeded",
                            "ReadProvisionedThroughputExceeded",
                            "PutRecords.ThrottledRecords"}),
    "Firehose delivery failures": ("AWS/Firehose",
                                   {"DeliveryToS3.Success",
                                    "DeliveryToS3.DataFreshness"}),
}

# Dimensions an alarm in the namespace must carry (any one set), and for
# some, the resource type and attribute the value must come from.
DIMENSIONS = {
    "AWS/ApplicationELB": [{"LoadBalancer"}, {"TargetGroup", "LoadBalancer"}],
    "AWS/ECS": [{"ClusterName", "ServiceName"}],
    "ECS/ContainerInsights": [{"ClusterName", "ServiceName"}],
    "AWS/RDS": [{"DBClusterIdentifier", "Role"}, {"DBClusterIdentifier"},
                {"DBInstanceIdentifier"}],
    "AWS/ElastiCache": [{"CacheClusterId"}, {"CacheClusterId", "CacheNodeId"}],
    "AWS/EFS": [{"FileSystemId"}],
    "AWS/ApiGateway": [{"ApiName", "Stage"}],
    "AWS/WAFV2": [{"WebACL", "Region", "Rule"}],
    "AWS/Kinesis": [{"StreamName"}],
    "AWS/Firehose": [{"DeliveryStreamName"}],
}
SOURCES = {  # dimension: (resource type, GetAtt attribute or None for Ref)
    "LoadBalancer": ("AWS::ElasticLoadBalancingV2::LoadBalancer",
                     "LoadBalancerFullName"),
    "TargetGroup": ("AWS::ElasticLoadBalancingV2::TargetGroup",
                    "TargetGroupFullName"),
    "ClusterName": ("AWS::ECS::Cluster", None),
    "ServiceName": ("AWS::ECS::Service", "Name"),
    "DBClusterIdentifier": ("AWS::RDS::DBCluster", None),
    "FileSystemId": ("AWS::EFS::FileSystem", None),
    "StreamName": ("AWS::Kinesis::Stream", None),
    "DeliveryStreamName": ("AWS::KinesisFirehose::DeliveryStream", None),
}
# Dimensions whose value is a name no attribute returns: it must be the same
# string as the named property of a resource of the type.
NAMED = {
    "ApiName": ("AWS::ApiGateway::RestApi", ("Name",)),
    "WebACL": ("AWS::WAFv2::WebACL", ("Name", "VisibilityConfig.MetricName")),
}
STANDARD_RESOLUTION = ("AWS/", "ECS/ContainerInsights")


# ---- reading the template ----------------------------------------------------

def load_templates():
    """[(template, description)]: the generated prod template, or the fragment."""
    path = os.environ.get("LMSCTL_TEMPLATE")
    if path:
        return [(templatelib.load(path), path)], True
    frag = os.path.join(templatelib.TEMPLATES, FRAGMENT)
    return [(templatelib.load(frag),
             "%s alone (LMSCTL_TEMPLATE unset)" % frag)], False


def resolve_number(tpl, value):
    """A literal, or the Default of the parameter a Ref names (generated
    templates carry the model's value there); None when computed."""
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    name = ref_target(value) if isinstance(value, dict) else None
    param = (tpl.get("Parameters") or {}).get(name or "")
    if param is not None and "Default" in param:
        return resolve_number(tpl, param["Default"])
    return None


def metric_stats(props):
    """(namespace, metric, dimensions, period) of every metric an alarm reads."""
    if "MetricName" in props:
        yield (props.get("Namespace"), props["MetricName"],
               as_list(props.get("Dimensions", [])), props.get("Period"))
    for query in as_list(props.get("Metrics", [])):
        stat = query.get("MetricStat")
        if stat:
            metric = stat.get("Metric", {})
            yield (metric.get("Namespace"), metric.get("MetricName"),
                   as_list(metric.get("Dimensions", [])), stat.get("Period"))


def alarms(tpl):
    return list(resources(tpl, "AWS::CloudWatch::Alarm"))


def namespace_text(value):
    """A namespace as text (a !Sub of a custom namespace keeps its template)."""
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub if isinstance(sub, str) else sub[0]
    return value if isinstance(value, str) else repr(value)


def count_by_namespace(tpl):
    """{namespace: {metric: [alarm ids]}}."""
    table = {}
    for lid, res in alarms(tpl):
        for ns, metric, _, _ in metric_stats(res.get("Properties", {})):
            table.setdefault(namespace_text(ns), {}).setdefault(
                metric, []).append(lid)
    return table


def alarm_topics(tpl):
    """Logical ids of the SNS topics the template's alarms notify."""
    return {ref_target(a) for _, res in alarms(tpl)
            for a in as_list(res["Properties"].get("AlarmActions", []))
            if ref_target(a) in (tpl.get("Resources") or {})
            and tpl["Resources"][ref_target(a)]["Type"] == "AWS::SNS::Topic"}


# ---- checkers ----------------------------------------------------------------

def coverage_problems(tpl):
    table = count_by_namespace(tpl)
    out = []
    for symptom, (ns, metrics) in REQUIRED.items():
        if not metrics & set(table.get(ns, {})):
            out.append("no alarm for %s (%s %s)"
                       % (symptom, ns, " or ".join(sorted(metrics))))
    return out


def rotation_rule_problems(tpl):
    topics = alarm_topics(tpl)
    for _, res in resources(tpl, "AWS::Events::Rule"):
        p = res.get("Properties", {})
        pattern = p.get("EventPattern") or {}
        if "aws.secretsmanager" not in as_list(pattern.get("source", [])):
            continue
        names = as_list((pattern.get("detail") or {}).get("eventName", []))
        targets = {ref_target(t.get("Arn")) for t in p.get("Targets", [])}
        if "RotationFailed" in names and targets & topics:
            return []
    return ["no EventBridge rule sends Secrets Manager RotationFailed events "
            "to the alarm topic"]


def failover_rule_problems(tpl):
    """An Aurora failover reaches the alarm topic (the 99.99% scenario:
    alerting "when the database fails over", docs/availability.md)."""
    topics = alarm_topics(tpl)
    for lid, res in resources(tpl, "AWS::Events::Rule"):
        p = res.get("Properties", {})
        pattern = p.get("EventPattern") or {}
        detail = pattern.get("detail") or {}
        if "aws.rds" not in as_list(pattern.get("source", [])):
            continue
        if "RDS DB Cluster Event" not in as_list(pattern.get("detail-type", [])):
            continue
        if "failover" not in as_list(detail.get("EventCategories", [])):
            continue
        if [ref_target(x) for x in as_list(detail.get("SourceIdentifier", []))] != [
                "DatabaseCluster"]:
            continue
        targets = {ref_target(t.get("Arn")) for t in p.get("Targets", [])}
        if not targets & topics:
            continue
        for _, pol in resources(tpl, "AWS::SNS::TopicPolicy"):
            for st in as_list(pol["Properties"]["PolicyDocument"]["Statement"]):
                cond = (st.get("Condition") or {}).get("ArnEquals") or {}
                arn = cond.get("aws:SourceArn")
                if st.get("Effect") == "Allow" and isinstance(arn, dict) and \
                        as_list(arn.get("Fn::GetAtt"))[:1] in ([lid], ["%s.Arn" % lid]):
                    return []
        return ["%s: the alarm topic's policy does not let it publish" % lid]
    return ["no EventBridge rule sends the Aurora cluster's failover events "
            "to the alarm topic"]


def action_problems(tpl):
    out = []
    res_all = tpl.get("Resources") or {}
    for lid, res in alarms(tpl):
        p = res["Properties"]
        actions = [ref_target(a) for a in as_list(p.get("AlarmActions", []))]
        if not actions:
            out.append("%s: no AlarmActions" % lid)
            continue
        targets = [res_all.get(a, {}).get("Type") for a in actions]
        scaling = "AWS::ApplicationAutoScaling::ScalingPolicy"
        if all(t == scaling for t in targets):
            continue  # a scaling alarm (compute tier) acts, it does not page
        topics = [a for a, t in zip(actions, targets) if t == "AWS::SNS::Topic"]
        if not topics:
            out.append("%s: notifies no SNS topic of the template" % lid)
        for topic in topics:
            if not res_all[topic].get("Properties", {}).get("KmsMasterKeyId"):
                out.append("%s: topic %s is not KMS-encrypted" % (lid, topic))
    return out


def period_problems(tpl):
    out = []
    for lid, res in alarms(tpl):
        p = res["Properties"]
        returned = [q for q in as_list(p.get("Metrics", []))
                    if q.get("ReturnData", True)]
        if "Metrics" in p and len(returned) != 1:
            out.append("%s: metric math returns %d series, not 1"
                       % (lid, len(returned)))
        for ns, metric, _, period in metric_stats(p):
            seconds = resolve_number(tpl, period)
            if seconds is None:
                out.append("%s: period of %s is not a number" % (lid, metric))
                continue
            standard = namespace_text(ns).startswith(STANDARD_RESOLUTION)
            if standard and seconds < 60:
                out.append("%s: %s/%s is a one-minute metric; period %ss"
                           % (lid, namespace_text(ns), metric, seconds))
            elif seconds not in (10, 30) and seconds % 60:
                out.append("%s: period %ss (10, 30 or a multiple of 60)"
                           % (lid, seconds))
    return out


def dimension_problems(tpl, check_sources):
    out = []
    res_all = tpl.get("Resources") or {}
    for lid, res in alarms(tpl):
        for ns, metric, dims, _ in metric_stats(res["Properties"]):
            wanted = DIMENSIONS.get(namespace_text(ns))
            if wanted is None:
                continue
            names = {d.get("Name") for d in dims}
            if names not in wanted:
                out.append("%s: %s/%s dimensions %s, expected one of %s"
                           % (lid, ns, metric, sorted(names),
                              [sorted(w) for w in wanted]))
            if not check_sources:
                continue
            for d in dims:
                value = d.get("Value")
                if d.get("Name") in NAMED:
                    out += named_value_problems(tpl, lid, d["Name"], value)
                    continue
                if d.get("Name") == "Stage" and not (
                        res_all.get(ref_target(value), {}).get("Type")
                        == "AWS::ApiGateway::Stage"):
                    out.append("%s: dimension Stage should be Ref of an "
                               "AWS::ApiGateway::Stage, is %r" % (lid, value))
                    continue
                source = SOURCES.get(d.get("Name"))
                if source is None or not isinstance(value, dict):
                    continue
                target = ref_target(value)
                rtype, attr = source
                got_attr = None
                if "Fn::GetAtt" in value:
                    att = value["Fn::GetAtt"]
                    got_attr = (att[1] if isinstance(att, list)
                                else att.split(".", 1)[1])
                if res_all.get(target, {}).get("Type") != rtype \
                        or got_attr != attr:
                    out.append("%s: dimension %s should be %s of a %s, is %r"
                               % (lid, d["Name"],
                                  "GetAtt " + attr if attr else "Ref", rtype,
                                  value))
    return out


def property_at(props, path):
    for key in path.split("."):
        props = (props or {}).get(key) if isinstance(props, dict) else None
    return props


def named_value_problems(tpl, lid, dimension, value):
    """The dimension's value must equal a name property of a resource."""
    rtype, paths = NAMED[dimension]
    names = [property_at(r.get("Properties"), path)
             for _, r in resources(tpl, rtype) for path in paths]
    if value in names:
        return []
    return ["%s: dimension %s %r names no %s (%s)"
            % (lid, dimension, value, rtype, " or ".join(paths))]


def sub_text(value):
    if isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub if isinstance(sub, str) else sub[0]
    return value if isinstance(value, str) else ""


def if_targets(value):
    """Logical ids a Ref names, looking into both branches of an Fn::If."""
    if isinstance(value, dict) and "Fn::If" in value:
        return {t for branch in value["Fn::If"][1:] for t in if_targets(branch)}
    target = ref_target(value)
    return {target} if target else set()


def denies_insecure_transport(policy):
    return any(st.get("Effect") == "Deny"
               and (st.get("Condition") or {}).get("Bool", {}).get(
                   "aws:SecureTransport") in ("false", False)
               for st in as_list((policy or {}).get("Statement", [])))


def bucket_problems(tpl):
    """Every bucket: encrypted, private, TLS only, versioned, expiring, emptied
    on deletion, and named within S3's 63 characters at the longest account
    (12), region (14) and suffix (12)."""
    out = []
    res_all = tpl.get("Resources") or {}
    policies = {ref_target(r["Properties"].get("Bucket")): r["Properties"]
                for _, r in resources(tpl, "AWS::S3::BucketPolicy")}
    emptied = {t for _, r in resources(tpl, "Custom::EmptyBucket")
               for b in as_list(r["Properties"].get("BucketNames", []))
               for t in if_targets(b)}
    for lid, res in resources(tpl, "AWS::S3::Bucket"):
        p = res.get("Properties", {})
        rules = p.get("BucketEncryption", {}).get(
            "ServerSideEncryptionConfiguration", [])
        algorithms = [r.get("ServerSideEncryptionByDefault", {}) for r in rules]
        if not algorithms:
            out.append("%s: no default encryption" % lid)
        for alg in algorithms:
            if alg.get("SSEAlgorithm") == "aws:kms":
                key = ref_target(alg.get("KMSMasterKeyID"))
                if res_all.get(key, {}).get("Type") != "AWS::KMS::Key":
                    out.append("%s: SSE-KMS without a key of the template" % lid)
            elif alg.get("SSEAlgorithm") != "AES256":
                out.append("%s: encryption %r" % (lid, alg.get("SSEAlgorithm")))
        block = p.get("PublicAccessBlockConfiguration", {})
        for flag in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls",
                     "RestrictPublicBuckets"):
            if block.get(flag) is not True:
                out.append("%s: %s is not true" % (lid, flag))
        if not denies_insecure_transport(policies.get(lid, {}).get(
                "PolicyDocument")):
            out.append("%s: no bucket policy denying aws:SecureTransport false"
                       % lid)
        if p.get("VersioningConfiguration", {}).get("Status") != "Enabled":
            out.append("%s: not versioned" % lid)
        expiring = [r for r in p.get("LifecycleConfiguration", {}).get(
            "Rules", []) if r.get("Status") == "Enabled" and (
                "ExpirationInDays" in r or "NoncurrentVersionExpiration" in r)]
        if not expiring:
            out.append("%s: no lifecycle rule expires anything" % lid)
        if lid not in emptied:
            out.append("%s: no Custom::EmptyBucket empties it on deletion" % lid)
        name = sub_text(p.get("BucketName"))
        longest = (name.replace("${AWS::AccountId}", "1" * 12)
                   .replace("${AWS::Region}", "x" * 14)
                   .replace("${EnvironmentSuffix}", "x" * 12))
        if not name or len(longest) > 63 or longest != longest.lower():
            out.append("%s: BucketName %r is %d characters at the longest"
                       % (lid, name, len(longest)))
    return out


def trail_problems(tpl):
    """Every trail: log file validation, a CMK admitting CloudTrail only for
    trails of the account, created after its bucket policy, optional by a
    condition, audit logs (S3 and CloudWatch Logs) kept a year or more."""
    out = []
    res_all = tpl.get("Resources") or {}
    for lid, res in resources(tpl, "AWS::CloudTrail::Trail"):
        p = res.get("Properties", {})
        if p.get("EnableLogFileValidation") is not True:
            out.append("%s: log file validation off" % lid)
        if p.get("IsLogging") is not True:
            out.append("%s: not logging" % lid)
        if "Condition" not in res:
            out.append("%s: not optional (no Condition)" % lid)
        key = res_all.get(ref_target(p.get("KMSKeyId")), {})
        statements = as_list(key.get("Properties", {}).get("KeyPolicy", {}).get(
            "Statement", []))
        # a Principal may also be the string '*' (a Deny to anyone)
        if not any(isinstance(st.get("Principal"), dict)
                   and st["Principal"].get("Service") == "cloudtrail.amazonaws.com" and any(
                       "kms:EncryptionContext:aws:cloudtrail:arn" in (c or {})
                       for c in (st.get("Condition") or {}).values())
                   for st in statements):
            out.append("%s: KMSKeyId is not a template key admitting CloudTrail "
                       "with the encryption-context condition" % lid)
        bucket = ref_target(p.get("S3BucketName"))
        bucket_policies = [pl for pl, r in resources(tpl, "AWS::S3::BucketPolicy")
                           if ref_target(r["Properties"].get("Bucket")) == bucket]
        if not bucket_policies or not set(bucket_policies) <= set(
                as_list(res.get("DependsOn", []))):
            out.append("%s: no DependsOn the bucket policy of %s" % (lid, bucket))
        rules = res_all.get(bucket, {}).get("Properties", {}).get(
            "LifecycleConfiguration", {}).get("Rules", [])
        for rule in rules:
            days = resolve_number(tpl, rule.get("ExpirationInDays"))
            if days is not None and days < 365:
                out.append("%s: trail bucket expires log files after %s days"
                           % (lid, days))
        group = ref_target(p.get("CloudWatchLogsLogGroupArn"))
        if group:
            days = resolve_number(tpl, res_all[group]["Properties"].get(
                "RetentionInDays"))
            if days is None or days < 365:
                out.append("%s: log group %s kept %s days" % (lid, group, days))
    return out


# ---- tests -------------------------------------------------------------------

@unittest.skipIf(templatelib is None,
                 "cfn-lint is not installed (its YAML loader reads the "
                 "templates): %s" % LOAD_ERROR)
class AlarmTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.templates, cls.assembled = load_templates()

    def for_each(self, check):
        for tpl, source in self.templates:
            with self.subTest(template=source):
                check(tpl)

    def assertNoProblems(self, checker, *args):
        self.for_each(lambda tpl: self.assertEqual(checker(tpl, *args), []))

    def test_count_by_namespace_covers_every_listed_symptom(self):
        def check(tpl):
            table = count_by_namespace(tpl)
            if "-v" in sys.argv or "--verbose" in sys.argv:
                for ns in sorted(table):
                    n = len({a for ids in table[ns].values() for a in ids})
                    sys.stderr.write("\n  %-24s %2d alarm(s): %s" % (
                        ns, n, ", ".join(sorted(table[ns]))))
                sys.stderr.write("\n")
            self.assertEqual(coverage_problems(tpl), [])
        self.for_each(check)

    def test_rotation_failures_reach_the_alarm_topic(self):
        self.assertNoProblems(rotation_rule_problems)

    def test_database_failover_reaches_the_alarm_topic(self):
        self.assertNoProblems(failover_rule_problems)

    def test_every_alarm_notifies_an_encrypted_topic(self):
        self.assertNoProblems(action_problems)

    def test_no_period_under_60s_on_one_minute_metrics(self):
        self.assertNoProblems(period_problems)

    def test_dimensions_name_the_right_resources(self):
        if not self.assembled:
            self.skipTest("LMSCTL_TEMPLATE unset: the fragment alone lacks the "
                          "other tiers' resources; dimension names only")
        self.assertNoProblems(dimension_problems, True)

    def test_dimension_names(self):
        self.assertNoProblems(dimension_problems, False)


@unittest.skipIf(templatelib is None, "cfn-lint is not installed")
class AuditAndBucketTest(unittest.TestCase):
    """The audit trail and the buckets personal data and audit logs go to."""

    @classmethod
    def setUpClass(cls):
        cls.templates, cls.assembled = load_templates()

    def test_trail(self):
        for tpl, source in self.templates:
            with self.subTest(template=source):
                self.assertTrue(list(resources(tpl, "AWS::CloudTrail::Trail")))
                self.assertEqual(trail_problems(tpl), [])

    def test_buckets(self):
        for tpl, source in self.templates:
            with self.subTest(template=source):
                self.assertEqual(bucket_problems(tpl), [])


@unittest.skipIf(templatelib is None, "cfn-lint is not installed")
class CheckersCatchBreakageTest(unittest.TestCase):
    """Each checker, fed a deliberately broken copy, must complain."""

    @classmethod
    def setUpClass(cls):
        cls.tpl = load_templates()[0][0][0]

    def broken(self):
        return copy.deepcopy(self.tpl)

    def drop_alarms_on(self, tpl, metric):
        for lid, res in list(alarms(tpl)):
            if any(m == metric for _, m, _, _ in metric_stats(res["Properties"])):
                del tpl["Resources"][lid]

    def test_missing_alarm_is_caught(self):
        for symptom, (_, metrics) in REQUIRED.items():
            tpl = self.broken()
            for metric in metrics:
                self.drop_alarms_on(tpl, metric)
            problems = coverage_problems(tpl)
            self.assertTrue(any(symptom in p for p in problems), symptom)

    def test_missing_rotation_rule_is_caught(self):
        tpl = self.broken()
        for lid, _ in list(resources(tpl, "AWS::Events::Rule")):
            del tpl["Resources"][lid]
        self.assertTrue(rotation_rule_problems(tpl))

    def test_missing_failover_rule_is_caught(self):
        tpl = self.broken()
        del tpl["Resources"]["DatabaseFailoverRule"]
        self.assertTrue(failover_rule_problems(tpl))
        tpl = self.broken()
        tpl["Resources"]["DatabaseFailoverRule"]["Properties"]["EventPattern"][
            "detail"]["EventCategories"] = ["maintenance"]
        self.assertTrue(failover_rule_problems(tpl))
        tpl = self.broken()
        policy = tpl["Resources"]["AlarmTopicPolicy"]["Properties"]["PolicyDocument"]
        policy["Statement"] = [st for st in policy["Statement"]
                               if st.get("Sid") != "DatabaseFailoverEvents"]
        self.assertTrue(failover_rule_problems(tpl))

    def test_short_period_is_caught(self):
        tpl = self.broken()
        for _, res in alarms(tpl):
            p = res["Properties"]
            if "Period" in p:
                p["Period"] = 10
            for q in as_list(p.get("Metrics", [])):
                if "MetricStat" in q:
                    q["MetricStat"]["Period"] = 30
        problems = period_problems(tpl)
        self.assertTrue(any("period 10" in p for p in problems), problems)
        self.assertTrue(any("period 30" in p for p in problems), problems)

    def test_alarm_without_topic_is_caught(self):
        tpl = self.broken()
        lid, res = next((lid, r) for lid, r in alarms(tpl)
                        if r["Properties"].get("AlarmActions"))
        res["Properties"]["AlarmActions"] = []
        self.assertTrue(any(lid in p for p in action_problems(tpl)))
        tpl = self.broken()
        for topic in alarm_topics(tpl):
            tpl["Resources"][topic]["Properties"].pop("KmsMasterKeyId", None)
        self.assertTrue(action_problems(tpl))

    def test_wrong_named_dimension_is_caught(self):
        if not load_templates()[1]:
            self.skipTest("LMSCTL_TEMPLATE unset: needs the API tier")
        tpl = self.broken()
        for _, res in alarms(tpl):
            for _, _, dims, _ in metric_stats(res["Properties"]):
                for d in dims:
                    if d.get("Name") in ("ApiName", "WebACL"):
                        d["Value"] = "lms-renamed"
        problems = dimension_problems(tpl, True)
        self.assertTrue(any("ApiName" in p for p in problems))
        self.assertTrue(any("WebACL" in p for p in problems))

    def test_trail_breakage_is_caught(self):
        for attr, value in (("EnableLogFileValidation", False),
                            ("IsLogging", False)):
            tpl = self.broken()
            tpl["Resources"]["Trail"]["Properties"][attr] = value
            self.assertTrue(trail_problems(tpl), attr)
        tpl = self.broken()
        tpl["Resources"]["Trail"]["DependsOn"] = []
        self.assertTrue(trail_problems(tpl))
        tpl = self.broken()
        tpl["Resources"]["TrailLogGroup"]["Properties"]["RetentionInDays"] = 90
        self.assertTrue(trail_problems(tpl))

    def test_bucket_breakage_is_caught(self):
        tpl = self.broken()
        del tpl["Resources"]["TrailBucketPolicy"]
        self.assertTrue(any("SecureTransport" in p for p in bucket_problems(tpl)))
        tpl = self.broken()
        del tpl["Resources"]["TrailBucketEmptier"]
        self.assertTrue(any("EmptyBucket" in p for p in bucket_problems(tpl)))
        tpl = self.broken()
        tpl["Resources"]["TrailBucket"]["Properties"]["BucketName"] = {
            "Fn::Sub": "lms-cloudtrail-audit-logs-${AWS::AccountId}-"
                       "${AWS::Region}-${EnvironmentSuffix}"}
        self.assertTrue(any("characters" in p for p in bucket_problems(tpl)))

    def test_wrong_dimension_is_caught(self):
        tpl = self.broken()
        for _, res in alarms(tpl):
            for ns, _, dims, _ in metric_stats(res["Properties"]):
                if ns == "AWS/ApiGateway":
                    for d in dims:
                        if d.get("Name") == "ApiName":
                            d["Name"] = "ApiId"
        self.assertTrue(dimension_problems(tpl, False))


if __name__ == "__main__":
    unittest.main()
