"""The front door's properties in the main stack (issue 16): TLS to the
tasks, the VPC origin's way in, the API's CORS preflight, binary types and
paths, Cognito's managed login, and the outputs the edge stack reads.

Reads the assembled template (LMSCTL_TEMPLATE, else the fragments merged by
templatelib); the profile checks read the fragments. The placeholder's TLS
code is extracted from the template and run.
"""

import os
import re
import socket
import ssl
import subprocess
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import templatelib  # noqa: E402
from templatelib import ref_target  # noqa: E402


def res(tpl, lid):
    return tpl["Resources"][lid]


def props(tpl, lid):
    return res(tpl, lid).get("Properties", {})


def placeholder_code(tpl):
    cmd = props(tpl, "TaskDefinition")["ContainerDefinitions"][0]["Command"]
    branch = cmd["Fn::If"][1]
    return branch[branch.index("-c") + 1]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rewrite(regex, replace, path):
    """An ALB url-rewrite: $1 is the first group."""
    return re.sub(regex, replace.replace("$", "\\"), path, count=1) \
        if re.match(regex, path) else path


class FrontDoorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tpl, cls.where = templatelib.templates()[0]

    def test_target_group_and_health_check_follow_target_protocol(self):
        p = props(self.tpl, "AppTargetGroup")
        self.assertEqual(ref_target(p["Protocol"]), "TargetProtocol")
        self.assertEqual(ref_target(p["HealthCheckProtocol"]), "TargetProtocol")
        param = self.tpl["Parameters"]["TargetProtocol"]
        self.assertEqual(param["AllowedValues"], ["HTTP", "HTTPS"])

    def test_prod_profile_serves_tls_to_the_tasks(self):
        frag = templatelib.fragment("compute.yml")
        profiles = frag["Metadata"]["LmsCtl::Profiles"]
        self.assertEqual(profiles["prod"]["TargetProtocol"], "HTTPS")
        self.assertNotIn("TargetProtocol", profiles.get("dev") or {})

    def test_container_told_to_serve_tls(self):
        env = props(self.tpl, "TaskDefinition")["ContainerDefinitions"][0]["Environment"]
        tls = [e for e in env if e["Name"] == "LMS_TLS"]
        self.assertEqual(len(tls), 1)
        self.assertEqual(tls[0]["Value"], {"Fn::If": ["HasTargetTls", "true", "false"]})
        self.assertEqual(self.tpl["Conditions"]["HasTargetTls"],
                         {"Fn::Equals": [{"Ref": "TargetProtocol"}, "HTTPS"]})

    def run_placeholder(self, tls):
        port = free_port()
        env = dict(os.environ, PORT=str(port), LMS_TLS="true" if tls else "false")
        proc = subprocess.Popen([sys.executable, "-c", placeholder_code(self.tpl)],
                                env=env, cwd="/tmp", stderr=subprocess.DEVNULL)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.kill)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # as the ALB: no verification
        url = "%s://127.0.0.1:%d/health" % ("https" if tls else "http", port)
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5,
                                            context=ctx if tls else None) as r:
                    return r.status, r.read()
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)

    def test_placeholder_serves_tls_with_a_certificate_made_at_start(self):
        status, body = self.run_placeholder(tls=True)
        self.assertEqual(status, 200)
        self.assertIn(b"placeholder", body)

    def test_placeholder_serves_plain_http_without_tls(self):
        status, _ = self.run_placeholder(tls=False)
        self.assertEqual(status, 200)

    def test_vpc_origin_reaches_the_alb_listener(self):
        p = props(self.tpl, "AlbFromCloudFrontIngress")
        self.assertEqual(ref_target(p["GroupId"]), "AlbSecurityGroup")
        self.assertEqual(ref_target(p["SourcePrefixListId"]), "CloudFrontPrefixListId")
        self.assertEqual(ref_target(p["FromPort"]), "AlbListenerPort")
        self.assertEqual(ref_target(p["ToPort"]), "AlbListenerPort")
        pattern = self.tpl["Parameters"]["CloudFrontPrefixListId"]["AllowedPattern"]
        for good in ("pl-4fa04526", "pl-0123456789abcdef0"):
            self.assertTrue(re.fullmatch(pattern, good), good)
        for bad in ("pl-4fa0452", "pl-4fa045261", "sg-4fa04526", ""):
            self.assertFalse(re.fullmatch(pattern, bad), bad)

    def test_preflight_answered_without_credentials(self):
        deps = res(self.tpl, "ApiDeployment")["DependsOn"]
        for lid, resource in (("ApiRootOptionsMethod", {"Fn::GetAtt": ["Api", "RootResourceId"]}),
                              ("ApiProxyOptionsMethod", {"Ref": "ApiProxyResource"})):
            p = props(self.tpl, lid)
            self.assertEqual(p["HttpMethod"], "OPTIONS")
            self.assertEqual(p["AuthorizationType"], "NONE")
            self.assertIs(p["ApiKeyRequired"], False)
            self.assertEqual(p["ResourceId"], resource)
            integ = p["Integration"]
            self.assertEqual(integ["Type"], "MOCK")
            self.assertEqual(integ["ContentHandling"], "CONVERT_TO_TEXT")
            resp = integ["IntegrationResponses"][0]
            self.assertEqual(resp["StatusCode"], "200")
            self.assertIn("OPTIONS", resp["ResponseParameters"][
                "method.response.header.Access-Control-Allow-Methods"])
            vtl = resp["ResponseTemplates"]["application/json"]["Fn::Sub"]
            self.assertIn("${CorsAllowedOrigins}", vtl)
            self.assertIn("$context.responseOverride.header.Access-Control-Allow-Origin", vtl)
            self.assertIn(lid, deps)

    def test_api_errors_carry_cors(self):
        """API Gateway's own errors (Cognito 401, API key or WAF 403, throttle
        429, authorizer or integration 5xx) skip the methods: DEFAULT_4XX and
        DEFAULT_5XX carry Access-Control-Allow-Origin, the first of the
        origins the preflight allows, and the deployment waits for them."""
        deps = res(self.tpl, "ApiDeployment")["DependsOn"]
        first = {"Fn::Sub": ["'${Origin}'", {"Origin": {"Fn::Select": [
            0, {"Fn::Split": [",", {"Ref": "CorsAllowedOrigins"}]}]}}]}
        for lid, kind in (("ApiDefault4xxResponse", "DEFAULT_4XX"),
                          ("ApiDefault5xxResponse", "DEFAULT_5XX")):
            r = res(self.tpl, lid)
            self.assertEqual(r["Type"], "AWS::ApiGateway::GatewayResponse")
            p = r["Properties"]
            self.assertEqual(p["ResponseType"], kind)
            self.assertEqual(p["RestApiId"], {"Ref": "Api"})
            self.assertNotIn("StatusCode", p)  # each error keeps its own status
            params = p["ResponseParameters"]
            self.assertEqual(params["gatewayresponse.header.Access-Control-Allow-Origin"], first)
            self.assertIn(lid, deps)

    def test_cors_origins_pattern(self):
        pattern = self.tpl["Parameters"]["CorsAllowedOrigins"]["AllowedPattern"]
        for good in ("https://lms.example.edu", "http://localhost:3000",
                     "https://a.example.edu,https://b.example.edu:8443"):
            self.assertTrue(re.fullmatch(pattern, good), good)
        for bad in ("https://lms.example.edu/", "lms.example.edu", "*",
                    "https://a.example.edu,", "https://a.example.edu, https://b.edu"):
            self.assertFalse(re.fullmatch(pattern, bad), bad)

    def test_health_stays_open_and_the_rest_authenticated(self):
        health = props(self.tpl, "ApiHealthGetMethod")
        self.assertEqual(health["AuthorizationType"], "NONE")
        self.assertIs(health["ApiKeyRequired"], False)
        for lid in ("ApiRootAnyMethod", "ApiProxyAnyMethod"):
            self.assertEqual(props(self.tpl, lid)["AuthorizationType"], "COGNITO_USER_POOLS")
            self.assertIs(props(self.tpl, lid)["ApiKeyRequired"], True)

    def test_binary_media_types(self):
        types = props(self.tpl, "Api")["BinaryMediaTypes"]
        for t in ("application~1pdf", "application~1octet-stream", "video~1*",
                  "multipart~1form-data"):
            self.assertIn(t, types)
        self.assertNotIn("*~1*", types)  # JSON stays text

    def test_api_paths_are_the_web_paths(self):
        proxy = props(self.tpl, "ApiProxyAnyMethod")["Integration"]["Uri"]["Fn::Sub"][0]
        root = props(self.tpl, "ApiRootAnyMethod")["Integration"]["Uri"]["Fn::Sub"][0]
        self.assertTrue(proxy.endswith(":${AlbListenerPort}/api/{proxy}"), proxy)
        self.assertTrue(root.endswith(":${AlbListenerPort}/api/"), root)

    def test_stage_prefix_stripped_at_the_alb(self):
        p = props(self.tpl, "AlbStagePrefixRule")
        self.assertEqual(ref_target(p["ListenerArn"]), "AlbListener")
        self.assertEqual(p["Conditions"][0]["PathPatternConfig"]["Values"], ["/v1/*"])
        rw = p["Transforms"][0]["UrlRewriteConfig"]["Rewrites"][0]
        self.assertEqual(p["Transforms"][0]["Type"], "url-rewrite")
        cases = {"/v1/api/courses": "/api/courses", "/v1/": "/",
                 "/api/courses": "/api/courses", "/v10/api/x": "/v10/api/x",
                 "/x/v1/api": "/x/v1/api"}
        for path, want in cases.items():
            self.assertEqual(rewrite(rw["Regex"], rw["Replace"], path), want, path)

    def test_managed_login_and_web_client(self):
        domain = props(self.tpl, "WebUserPoolDomain")
        self.assertEqual(domain["ManagedLoginVersion"], 2)
        self.assertEqual(ref_target(domain["UserPoolId"]), "ApiUserPool")
        prefix = domain["Domain"]["Fn::Sub"]
        self.assertIn("${EnvironmentSuffix}", prefix)
        longest = prefix.replace("${EnvironmentSuffix}", "x" * 12) \
                        .replace("${AWS::AccountId}", "1" * 12)
        self.assertLessEqual(len(longest), 63)
        self.assertNotRegex(longest, "aws|amazon|cognito")
        client = props(self.tpl, "WebUserPoolClient")
        self.assertEqual(client["AllowedOAuthFlows"], ["code"])
        self.assertIs(client["GenerateSecret"], False)
        self.assertIs(client["AllowedOAuthFlowsUserPoolClient"], True)
        cb = client["CallbackURLs"][0]["Fn::If"]
        self.assertEqual(cb[0], "HasWebDomain")
        self.assertEqual(cb[1], {"Fn::Sub": "https://${WebDomainName}/auth/callback"})
        self.assertTrue(cb[2].startswith("http://localhost"))
        out = client["LogoutURLs"][0]["Fn::If"]
        self.assertEqual(out[1], {"Fn::Sub": "https://${WebDomainName}/"})
        brand = props(self.tpl, "WebManagedLoginBranding")
        self.assertEqual(ref_target(brand["ClientId"]), "WebUserPoolClient")

    def test_outputs_the_edge_stack_reads(self):
        outputs = self.tpl["Outputs"]
        for name in ("AlbArn", "AlbOriginDomain", "AlbOriginProtocol", "AlbOriginPort",
                     "AccessLogBucketArn", "WebRateLimitPerIp", "WebDomainName",
                     "WebCertificateArn"):
            self.assertIn(name, outputs)
        self.assertEqual(outputs["AlbOriginProtocol"]["Value"],
                         {"Fn::If": ["HasAlbCertificate", "https-only", "http-only"]})
        # an output cannot be empty: the optional ones exist only when set
        self.assertEqual(outputs["WebDomainName"]["Condition"], "HasWebDomain")
        self.assertEqual(outputs["WebCertificateArn"]["Condition"], "HasWebCertificate")

    def test_cloudfront_may_write_its_logs(self):
        stmts = props(self.tpl, "AccessLogBucketPolicy")["PolicyDocument"]["Statement"]
        cf = [s for s in stmts if s.get("Sid") == "CloudFrontAccessLogs"]
        self.assertEqual(len(cf), 1)
        self.assertEqual(cf[0]["Principal"], {"Service": "delivery.logs.amazonaws.com"})
        self.assertEqual(cf[0]["Resource"], {"Fn::Sub": "${AccessLogBucket.Arn}/*"})
        self.assertEqual(cf[0]["Condition"]["StringEquals"]["aws:SourceAccount"],
                         {"Ref": "AWS::AccountId"})
        self.assertIn("logs:us-east-1:", cf[0]["Condition"]["ArnLike"]["aws:SourceArn"]["Fn::Sub"])


if __name__ == "__main__":
    unittest.main()
