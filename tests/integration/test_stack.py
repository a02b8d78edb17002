#!/usr/bin/env python3
"""Checks a deployed LMS stack from the outputs lmsctl deploy wrote.

Reads cfn-outputs/flat-outputs.json (a flat object of output key to value), from the
current directory, or from the path in LMSCTL_OUTPUTS. Without the file every test is
skipped with a message saying how to produce it.

Two kinds of checks:
  * shape: every value is non-empty and looks like what its key says (ids, ARNs in the
    expected region and one account, https URLs, ports, host names, bucket names, no
    secret values among the outputs). These run anywhere.
  * live: when AWS credentials are configured (or AWS_ENDPOINT_URL points at a local
    emulator such as moto), the resources behind the outputs are looked up: the VPC, the
    security groups, the KMS keys (rotation on), the alarm topic, the log groups, the
    buckets (encrypted, public access blocked), the secrets (rotation every 30 days), the
    ECS cluster. A lookup the endpoint does not implement is skipped with its reason; one
    that answers "not found" fails.

Run: python3 -m unittest discover -s tests/integration -v
Environment: LMSCTL_OUTPUTS (file), LMSCTL_EXPECT_REGION (default eu-west-1),
LMSCTL_LIVE=0 to skip the live checks.
"""
import ipaddress
import json
import os
import re
import unittest

OUTPUTS = os.environ.get("LMSCTL_OUTPUTS", os.path.join("cfn-outputs", "flat-outputs.json"))
REGION = os.environ.get("LMSCTL_EXPECT_REGION", "eu-west-1")


def load_outputs():
    try:
        with open(OUTPUTS, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return None, ("%s not found: deploy first (lmsctl deploy writes it), or point "
                      "LMSCTL_OUTPUTS at one" % OUTPUTS)
    except ValueError as e:
        raise AssertionError("%s is not JSON: %s" % (OUTPUTS, e))
    return data, None


OUT, SKIP = load_outputs()


def outputs_like(pattern):
    return {k: v for k, v in (OUT or {}).items() if re.search(pattern, k)}


@unittest.skipIf(OUT is None, SKIP or "")
class Shape(unittest.TestCase):
    def test_file_is_a_flat_object_of_strings(self):
        self.assertIsInstance(OUT, dict)
        for k, v in OUT.items():
            self.assertRegex(k, r"^[A-Za-z0-9]{1,255}$")
            self.assertIsInstance(v, str, k)

    def test_values_are_not_empty(self):
        if not OUT:
            self.skipTest("the stack reports no outputs (moto reports none for a stack "
                          "created through a change set)")
        for k, v in OUT.items():
            self.assertTrue(v.strip(), "%s is empty" % k)

    def test_arns_name_the_region_and_one_account(self):
        arns = {k: v for k, v in OUT.items() if v.startswith("arn:")}
        if not arns:
            self.skipTest("no ARN among the outputs")
        accounts = set()
        for k, v in arns.items():
            parts = v.split(":", 5)
            self.assertEqual(len(parts), 6, "%s: %s is not an ARN" % (k, v))
            self.assertIn(parts[1], ("aws", "aws-cn", "aws-us-gov"), k)
            if parts[3]:  # regional services
                self.assertEqual(parts[3], REGION, "%s: %s is not in %s" % (k, v, REGION))
            if parts[4]:
                self.assertRegex(parts[4], r"^\d{12}$", k)
                accounts.add(parts[4])
        self.assertLessEqual(len(accounts), 1, "outputs span accounts: %s" % accounts)

    def test_ids(self):
        prefixes = {r"^VpcId$": "vpc-", r"SecurityGroupId$": "sg-", r"SubnetId$|Subnet\dId$": "subnet-",
                    r"^FileSystemId$": "fs-", r"AccessPointId$": "fsap-"}
        checked = 0
        for pattern, prefix in prefixes.items():
            for k, v in outputs_like(pattern).items():
                self.assertRegex(v, "^%s[0-9a-f]{8,17}$" % re.escape(prefix), k)
                checked += 1
        if not checked:
            self.skipTest("no resource id among the outputs")

    def test_urls_are_https(self):
        urls = outputs_like(r"Url$")
        if not urls:
            self.skipTest("no URL among the outputs")
        for k, v in urls.items():
            self.assertRegex(v, r"^https://[a-z0-9.-]+(/\S*)?$", k)

    def test_ports_and_endpoints(self):
        ports = outputs_like(r"Port$")
        hosts = outputs_like(r"Endpoint$|DnsName$")
        if not ports and not hosts:
            self.skipTest("no port or endpoint among the outputs")
        for k, v in ports.items():
            self.assertTrue(v.isdigit() and 0 < int(v) < 65536, "%s: %s" % (k, v))
        for k, v in hosts.items():
            self.assertRegex(v, r"^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$", k)
            with self.assertRaises(ValueError, msg="%s is an address, not a name" % k):
                ipaddress.ip_address(v)

    def test_bucket_names(self):
        buckets = outputs_like(r"BucketName$")
        if not buckets:
            self.skipTest("no bucket among the outputs")
        for k, v in buckets.items():
            self.assertRegex(v, r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", k)
            self.assertNotIn("..", v, k)

    def test_no_secret_values(self):
        for k, v in OUT.items():
            self.assertNotRegex(k, r"(?i)password|secretvalue|privatekey", k)
            self.assertNotRegex(v, r"^(AKIA|ASIA)[A-Z0-9]{16}$", k)


def live_client(service):
    """A boto3 client when credentials or a local endpoint are configured, else None."""
    if os.environ.get("LMSCTL_LIVE") == "0":
        return None
    try:
        import boto3
    except ImportError:
        return None
    session = boto3.session.Session(region_name=REGION)
    if session.get_credentials() is None:
        return None
    return session.client(service)


@unittest.skipIf(OUT is None, SKIP or "")
class Live(unittest.TestCase):
    def lookup(self, service, call, **kw):
        client = live_client(service)
        if client is None:
            self.skipTest("no AWS credentials or endpoint: live checks skipped")
        import botocore.exceptions
        try:
            return getattr(client, call)(**kw)
        except botocore.exceptions.ClientError as e:
            code = e.response.get("Error", {}).get("Code", "")
            if code in ("NotImplemented", "InvalidAction", "UnknownOperationException"):
                self.skipTest("%s %s is not implemented by this endpoint" % (service, call))
            raise
        except (botocore.exceptions.EndpointConnectionError, NotImplementedError) as e:
            self.skipTest("%s %s: %s" % (service, call, e))

    def each(self, pattern):
        found = outputs_like(pattern)
        if not found:
            self.skipTest("no output matches %s" % pattern)
        return found.items()

    def test_vpc_exists(self):
        for _, v in self.each(r"^VpcId$"):
            self.assertEqual(len(self.lookup("ec2", "describe_vpcs", VpcIds=[v])["Vpcs"]), 1)

    def test_security_groups_have_no_open_ingress(self):
        for k, v in self.each(r"SecurityGroupId$"):
            sg = self.lookup("ec2", "describe_security_groups", GroupIds=[v])["SecurityGroups"][0]
            for perm in sg.get("IpPermissions", []):
                for r in perm.get("IpRanges", []):
                    self.assertNotEqual(r.get("CidrIp"), "0.0.0.0/0", "%s opens ingress" % k)

    def test_kms_keys_rotate(self):
        for k, v in self.each(r"KeyArn$"):
            self.assertTrue(self.lookup("kms", "get_key_rotation_status", KeyId=v)["KeyRotationEnabled"], k)

    def test_topic_exists(self):
        for _, v in self.each(r"TopicArn$"):
            self.lookup("sns", "get_topic_attributes", TopicArn=v)

    def test_log_groups_exist_with_retention(self):
        for k, v in self.each(r"LogGroupName$"):
            groups = self.lookup("logs", "describe_log_groups", logGroupNamePrefix=v)["logGroups"]
            match = [g for g in groups if g["logGroupName"] == v]
            self.assertEqual(len(match), 1, k)
            self.assertIn("retentionInDays", match[0], "%s keeps logs for ever" % k)

    def test_buckets_encrypted_and_private(self):
        for k, v in self.each(r"BucketName$"):
            self.lookup("s3", "get_bucket_encryption", Bucket=v)
            pab = self.lookup("s3", "get_public_access_block", Bucket=v)
            self.assertTrue(all(pab["PublicAccessBlockConfiguration"].values()), k)

    def test_secrets_rotate_every_30_days(self):
        for k, v in self.each(r"SecretArn$"):
            s = self.lookup("secretsmanager", "describe_secret", SecretId=v)
            rules = s.get("RotationRules", {})
            self.assertTrue(s.get("RotationEnabled"), "%s does not rotate" % k)
            self.assertTrue(rules.get("AutomaticallyAfterDays") == 30 or
                            "rate(30 days)" in rules.get("ScheduleExpression", ""), k)

    def test_ecs_cluster_active(self):
        for _, v in self.each(r"^EcsClusterName$"):
            c = self.lookup("ecs", "describe_clusters", clusters=[v])["clusters"]
            self.assertEqual(c[0]["status"], "ACTIVE")


if __name__ == "__main__":
    unittest.main(verbosity=2)
