"""The edge stack (templates/edge/): the web path's front door.

Reads the edge stack's template (LMSCTL_EDGE_TEMPLATE, e.g. from
`lmsctl generate --stack edge`, else templates/edge/edge.yml). Each test
fails when the property it names is removed.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import templatelib  # noqa: E402
from templatelib import ref_target, resources  # noqa: E402

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def edge_template():
    path = os.environ.get("LMSCTL_EDGE_TEMPLATE")
    return templatelib.load(path or os.path.join(templatelib.TEMPLATES, "edge", "edge.yml"))


class EdgeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tpl = edge_template()
        cls.res = cls.tpl["Resources"]
        cls.dist = cls.res["Distribution"]["Properties"]["DistributionConfig"]

    def behaviours(self):
        return {b["PathPattern"]: b for b in self.dist["CacheBehaviors"]}

    def test_companion_named_by_the_main_catalog(self):
        cat = templatelib.load(os.path.join(templatelib.TEMPLATES, "catalog.yml"))
        self.assertEqual(cat["Companions"],
                         [{"Name": "edge", "Catalog": "edge/catalog.yml", "Region": "us-east-1"}])

    def test_web_acl_cloudfront_scope_with_rate_and_managed_rules(self):
        acl = self.res["WebAcl"]["Properties"]
        self.assertEqual(acl["Scope"], "CLOUDFRONT")
        rules = {r["Name"]: r for r in acl["Rules"]}
        rate = rules["rate-per-ip"]["Statement"]["RateBasedStatement"]
        self.assertEqual(rate["AggregateKeyType"], "IP")  # the viewer's address at CloudFront
        self.assertEqual(ref_target(rate["Limit"]), "WebRateLimitPerIp")
        self.assertIn("Block", rules["rate-per-ip"]["Action"])
        groups = {r["Statement"]["ManagedRuleGroupStatement"]["Name"]
                  for r in acl["Rules"] if "ManagedRuleGroupStatement" in r["Statement"]}
        self.assertEqual(groups, {"AWSManagedRulesAmazonIpReputationList",
                                  "AWSManagedRulesCommonRuleSet",
                                  "AWSManagedRulesKnownBadInputsRuleSet"})
        self.assertEqual(self.dist["WebACLId"], {"Fn::GetAtt": ["WebAcl", "Arn"]})

    def test_waf_logs_encrypted_with_retention(self):
        lg = self.res["WebWafLogGroup"]
        self.assertTrue(lg["Properties"]["LogGroupName"]["Fn::Sub"].startswith("aws-waf-logs-"))
        self.assertEqual(ref_target(lg["Properties"]["KmsKeyId"]), "EdgeLogsKey")
        self.assertEqual(ref_target(lg["Properties"]["RetentionInDays"]), "WebLogRetentionDays")
        self.assertEqual(lg["DeletionPolicy"], "Delete")
        self.assertIs(self.res["EdgeLogsKey"]["Properties"]["EnableKeyRotation"], True)
        redacted = {f["SingleHeader"]["Name"]
                    for f in self.res["WebWafLogging"]["Properties"]["RedactedFields"]}
        self.assertEqual(redacted, {"authorization", "cookie"})

    def test_vpc_origin_to_the_internal_alb(self):
        cfg = self.res["AppVpcOrigin"]["Properties"]["VpcOriginEndpointConfig"]
        self.assertEqual(ref_target(cfg["Arn"]), "AlbArn")
        self.assertEqual(ref_target(cfg["OriginProtocolPolicy"]), "AlbOriginProtocol")
        self.assertEqual(cfg["OriginSSLProtocols"], ["TLSv1.2"])
        origin = self.dist["Origins"][0]
        self.assertEqual(origin["VpcOriginConfig"]["VpcOriginId"],
                         {"Fn::GetAtt": ["AppVpcOrigin", "Id"]})
        self.assertNotIn("CustomOriginConfig", origin)
        self.assertEqual(ref_target(origin["DomainName"]), "AlbOriginDomain")

    def test_viewers_https_http2_and_3(self):
        self.assertEqual(self.dist["HttpVersion"], "http2and3")
        for b in [self.dist["DefaultCacheBehavior"]] + self.dist["CacheBehaviors"]:
            self.assertIn(b["ViewerProtocolPolicy"], ("https-only", "redirect-to-https"))
        vc = self.dist["ViewerCertificate"]["Fn::If"]
        self.assertEqual(vc[0], "HasWebAlias")
        self.assertEqual(vc[1]["MinimumProtocolVersion"], "TLSv1.2_2021")
        self.assertEqual(vc[1]["SslSupportMethod"], "sni-only")

    def test_cache_behaviours(self):
        default = self.dist["DefaultCacheBehavior"]
        self.assertEqual(default["CachePolicyId"], CACHING_DISABLED)
        self.assertEqual(default["OriginRequestPolicyId"], ALL_VIEWER_EXCEPT_HOST)
        b = self.behaviours()
        self.assertEqual(b["/api/*"]["CachePolicyId"], CACHING_DISABLED)
        self.assertIn("POST", b["/api/*"]["AllowedMethods"])
        self.assertEqual(b["/static/*"]["CachePolicyId"], CACHING_OPTIMIZED)
        self.assertIs(b["/static/*"]["Compress"], True)
        self.assertEqual(ref_target(b["/media/*"]["CachePolicyId"]), "MediaCachePolicy")
        self.assertEqual(b["/media/*"]["OriginRequestPolicyId"], ALL_VIEWER_EXCEPT_HOST)
        media = self.res["MediaCachePolicy"]["Properties"]["CachePolicyConfig"]
        # the LMS's Cache-Control decides: nothing cached unless it says so
        self.assertEqual((media["MinTTL"], media["DefaultTTL"]), (0, 0))
        key = media["ParametersInCacheKeyAndForwardedToOrigin"]
        self.assertEqual(key["CookiesConfig"]["CookieBehavior"], "none")

    def test_access_logs_to_the_main_bucket(self):
        src = self.res["DistributionLogSource"]["Properties"]
        self.assertEqual(src["LogType"], "ACCESS_LOGS")
        self.assertIn("distribution/${Distribution}", src["ResourceArn"]["Fn::Sub"])
        dst = self.res["DistributionLogDestination"]["Properties"]
        self.assertEqual(ref_target(dst["DestinationResourceArn"]), "AccessLogBucketArn")
        delivery = self.res["DistributionLogDelivery"]["Properties"]
        self.assertTrue(delivery["S3SuffixPath"].startswith("cloudfront/"))
        self.assertNotIn("Logging", self.dist)  # legacy logging needs bucket ACLs

    def test_names_carry_the_suffix_and_nothing_is_retained(self):
        for lid, r in resources(self.tpl):
            self.assertNotIn(r.get("DeletionPolicy"), ("Retain", "Snapshot", "RetainExceptOnCreate"), lid)
        for lid, name in (("WebAcl", self.res["WebAcl"]["Properties"]["Name"]),
                          ("AppVpcOrigin", self.res["AppVpcOrigin"]["Properties"]
                           ["VpcOriginEndpointConfig"]["Name"]),
                          ("MediaCachePolicy", self.res["MediaCachePolicy"]["Properties"]
                           ["CachePolicyConfig"]["Name"])):
            self.assertIn("${EnvironmentSuffix}", name["Fn::Sub"], lid)

    def test_parameters_from_main_outputs(self):
        md = self.tpl.get("Metadata", {}).get("LmsCtl::FromStackOutputs")
        if md is None:  # a generated template: lmsctl's metadata is not copied
            self.skipTest("generated template")
        main = templatelib.assemble()
        for param, output in md.items():
            self.assertIn(param, self.tpl["Parameters"])
            self.assertIn(output, main["Outputs"])


if __name__ == "__main__":
    unittest.main()
