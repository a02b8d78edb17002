/* model/edge.c, EDG001-EDG006, at their edges: the web ACL's Scope against
 * the stack's Region, the viewer certificate's Region, the distribution's
 * WebACLId and its web ACL's per-IP rate rule, HTTPS for viewers and to the
 * origin (by environment, and from a parameter), the cache policy of pages,
 * /api and /auth, and the CORS header on the API's own error responses.
 * Then the report over the shipped templates' two stacks (model/report.c):
 * the edge's resources, findings, web path on AZ loss and composite
 * availability. */
#define _GNU_SOURCE
#include "common/file.h"
#include "model/analysis.h"
#include "model/catalog.h"
#include "model/model.h"
#include "model/report.h"
#include "model/validate.h"

#include <sys/stat.h>

#include <jansson.h>
#include <math.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/testutil.h"

#include "tests/rule_env.h"

#include "tests/rulefixture.h"

#define CERT_US                                                                                    \
	"arn:aws:acm:us-east-1:111122223333:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

/* templates/edge/edge.yml in small. */
static const char edge_fragment[] =
    "Metadata:\n"
    "  AWS::CloudFormation::Interface:\n"
    "    ParameterGroups:\n"
    "      - Label: {default: Edge}\n"
    "        Parameters: [OriginProtocol, CertificateArn]\n"
    "Parameters:\n"
    "  OriginProtocol:\n"
    "    Type: String\n"
    "    Description: protocol\n"
    "    Default: https-only\n"
    "  CertificateArn:\n"
    "    Type: String\n"
    "    Description: certificate\n"
    "    Default: " CERT_US "\n"
    "Resources:\n"
    "  WebAcl:\n"
    "    Type: AWS::WAFv2::WebACL\n"
    "    Properties:\n"
    "      Scope: CLOUDFRONT\n"
    "      DefaultAction: {Allow: {}}\n"
    "      Rules:\n"
    "        - Name: aws-common\n"
    "          Priority: 0\n"
    "          OverrideAction: {None: {}}\n"
    "          Statement:\n"
    "            ManagedRuleGroupStatement: {VendorName: AWS, Name: AWSManagedRulesCommonRuleSet}\n"
    "        - Name: rate-per-ip\n"
    "          Priority: 1\n"
    "          Action: {Block: {}}\n"
    "          Statement:\n"
    "            RateBasedStatement: {AggregateKeyType: IP, Limit: 1000}\n"
    "  Origin:\n"
    "    Type: AWS::CloudFront::VpcOrigin\n"
    "    Properties:\n"
    "      VpcOriginEndpointConfig:\n"
    "        Name: alb\n"
    "        Arn: "
    "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/a/0123456789abcdef\n"
    "        OriginProtocolPolicy: !Ref OriginProtocol\n"
    "  Distribution:\n"
    "    Type: AWS::CloudFront::Distribution\n"
    "    Properties:\n"
    "      DistributionConfig:\n"
    "        Enabled: true\n"
    "        WebACLId: !GetAtt WebAcl.Arn\n"
    "        ViewerCertificate:\n"
    "          AcmCertificateArn: !Ref CertificateArn\n"
    "          SslSupportMethod: sni-only\n"
    "          MinimumProtocolVersion: TLSv1.2_2021\n"
    "        Origins:\n"
    "          - Id: alb\n"
    "            DomainName: origin.example.edu\n"
    "            VpcOriginConfig: {VpcOriginId: !GetAtt Origin.Id}\n"
    "        DefaultCacheBehavior:\n"
    "          TargetOriginId: alb\n"
    "          ViewerProtocolPolicy: redirect-to-https\n"
    "          CachePolicyId: 4135ea2d-6df8-44a3-9df3-4b5a84be39ad\n"
    "        CacheBehaviors:\n"
    "          - PathPattern: /api/*\n"
    "            TargetOriginId: alb\n"
    "            ViewerProtocolPolicy: https-only\n"
    "            CachePolicyId: 4135ea2d-6df8-44a3-9df3-4b5a84be39ad\n"
    "          - PathPattern: /static/*\n"
    "            TargetOriginId: alb\n"
    "            ViewerProtocolPolicy: redirect-to-https\n"
    "            CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6\n";

/* Validates the fragment (mutated) for `env` in `region`. */
static void run_in(fixture *fx, const char *env, const char *region, const char *from,
                   const char *to)
{
	run_with(fx, edge_fragment, env, from, to, NULL);
	findings_free(&fx->f);
	assert_true(model_set(fx->m, "region", region));
	findings_init(&fx->f);
	validate_model(fx->cat, fx->m, &fx->f);
}

/* count(), with sev < 0 for any severity */
static size_t count_sev(const fixture *fx, const char *rule, int sev)
{
	size_t n = 0;
	for (size_t i = 0; i < fx->f.n; i++)
		n += strcmp(fx->f.v[i].rule, rule) == 0 && (sev < 0 || (int)fx->f.v[i].sev == sev);
	return n;
}

static size_t edg(const fixture *fx)
{
	size_t n = 0;
	for (size_t i = 0; i < fx->f.n; i++)
		n += strncmp(fx->f.v[i].rule, "EDG", 3) == 0;
	return n;
}

static const finding *first(const fixture *fx, const char *rule)
{
	for (size_t i = 0; i < fx->f.n; i++)
		if (strcmp(fx->f.v[i].rule, rule) == 0)
			return &fx->f.v[i];
	return NULL;
}

/* One mutation in one environment and Region: `n` findings of `rule` at `sev`, and
 * no other EDG finding. */
static void expect(const char *env, const char *region, const char *from, const char *to,
                   const char *rule, int sev, size_t n)
{
	fixture fx;
	run_in(&fx, env, region, from, to);
	if (count_sev(&fx, rule, sev) != n || edg(&fx) != n)
		dump(&fx);
	assert_int_equal(count_sev(&fx, rule, sev), n);
	assert_int_equal(edg(&fx), n);
	done(&fx);
}

static void test_clean_in_us_east_1(void **state)
{
	(void)state;
	const char *envs[] = {"dev", "staging", "prod"};
	for (size_t i = 0; i < 3; i++)
		expect(envs[i], "us-east-1", NULL, NULL, "EDG001", -1, 0);
}

static void test_cloudfront_web_acl_outside_us_east_1(void **state)
{
	(void)state;
	expect("prod", "eu-west-1", NULL, NULL, "EDG001", SEV_ERROR, 1);
	expect("dev", "us-east-2", NULL, NULL, "EDG001", SEV_ERROR, 1); /* a near name */
	/* a regional web ACL belongs in any Region (but not on a distribution: EDG003) */
	fixture fx;
	run_in(&fx, "prod", "eu-west-1", "Scope: CLOUDFRONT", "Scope: REGIONAL");
	assert_int_equal(count_sev(&fx, "EDG001", -1), 0);
	assert_int_equal(count_sev(&fx, "EDG003", SEV_ERROR), 1);
	done(&fx);
	run_in(&fx, "prod", "eu-west-1", NULL, NULL);
	assert_true(has_message(&fx, "EDG001", "WebAcl has Scope CLOUDFRONT in eu-west-1"));
	assert_non_null(first(&fx, "EDG001")->file);
	done(&fx);
}

static void test_viewer_certificate_region(void **state)
{
	(void)state;
	expect("prod", "us-east-1", "acm:us-east-1:", "acm:eu-west-1:", "EDG002", SEV_ERROR, 1);
	expect("dev", "us-east-1", "acm:us-east-1:", "acm:us-east-2:", "EDG002", SEV_ERROR, 1);
	/* the default certificate has no Region */
	expect("dev", "us-east-1",
	       "          AcmCertificateArn: !Ref CertificateArn\n          SslSupportMethod: "
	       "sni-only\n",
	       "          CloudFrontDefaultCertificate: true\n", "EDG002", -1, 0);
	fixture fx;
	run_in(&fx, "prod", "us-east-1", "acm:us-east-1:", "acm:eu-west-1:");
	assert_non_null(strstr(first(&fx, "EDG002")->message, "(CertificateArn) is in eu-west-1"));
	done(&fx);
}

static void test_distribution_without_web_acl(void **state)
{
	(void)state;
	expect("dev", "us-east-1", "        WebACLId: !GetAtt WebAcl.Arn\n", "", "EDG003",
	       SEV_ERROR, 1);
	expect("prod", "us-east-1", "WebACLId: !GetAtt WebAcl.Arn", "WebACLId: ''", "EDG003",
	       SEV_ERROR, 1);
	expect("prod", "us-east-1", "WebACLId: !GetAtt WebAcl.Arn",
	       "WebACLId: arn:aws:wafv2:us-east-1:111122223333:global/webacl/x/1", "EDG003", -1, 0);
	/* a REGIONAL web ACL's ARN (a near name) cannot protect a distribution */
	expect("prod", "us-east-1", "WebACLId: !GetAtt WebAcl.Arn",
	       "WebACLId: arn:aws:wafv2:us-east-1:111122223333:regional/webacl/x/1", "EDG003",
	       SEV_ERROR, 1);
	/* nor a WAF Classic id (end of support) */
	expect("prod", "us-east-1", "WebACLId: !GetAtt WebAcl.Arn",
	       "WebACLId: 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "EDG003", SEV_ERROR, 1);
	/* an id of another resource of the template than a web ACL */
	expect("prod", "us-east-1", "WebACLId: !GetAtt WebAcl.Arn", "WebACLId: !GetAtt Origin.Arn",
	       "EDG003", SEV_ERROR, 1);
}

/* EDG003 follows the distribution's web ACL into the template: its per-IP
 * rate rule must be there and block. */
static void test_web_acl_rate_rule(void **state)
{
	(void)state;
	const char *rate = "        - Name: rate-per-ip\n"
	                   "          Priority: 1\n"
	                   "          Action: {Block: {}}\n"
	                   "          Statement:\n"
	                   "            RateBasedStatement: {AggregateKeyType: IP, Limit: 1000}\n";
	expect("dev", "us-east-1", rate, "", "EDG003", SEV_ERROR, 1);
	fixture fx;
	run_in(&fx, "prod", "us-east-1", rate, "");
	assert_true(has_message(&fx, "EDG003", "web ACL WebAcl has no per-IP rate rule"));
	done(&fx);
	/* counted, not blocked */
	expect("prod", "us-east-1", "Action: {Block: {}}", "Action: {Count: {}}", "EDG003",
	       SEV_ERROR, 1);
	/* a challenge or CAPTCHA also stops a flood */
	expect("prod", "us-east-1", "Action: {Block: {}}", "Action: {Challenge: {}}", "EDG003", -1,
	       0);
	/* one limit for everyone is not per client */
	expect("prod", "us-east-1", "AggregateKeyType: IP,", "AggregateKeyType: CONSTANT,",
	       "EDG003", SEV_ERROR, 1);
	/* the viewer's address from a header is per client */
	expect("prod", "us-east-1", "AggregateKeyType: IP,", "AggregateKeyType: FORWARDED_IP,",
	       "EDG003", -1, 0);
}

/* EDG006 on an API that answers CORS preflights. */
static const char api_fragment[] =
    "Metadata:\n"
    "  AWS::CloudFormation::Interface:\n"
    "    ParameterGroups:\n"
    "      - Label: {default: Api}\n"
    "        Parameters: [CorsAllowedOrigins]\n"
    "Parameters:\n"
    "  CorsAllowedOrigins:\n"
    "    Type: String\n"
    "    Description: origins\n"
    "    Default: https://lms.example.edu,https://admin.example.edu\n"
    "Resources:\n"
    "  Api:\n"
    "    Type: AWS::ApiGateway::RestApi\n"
    "    Properties:\n"
    "      Name: api\n"
    "  OtherApi:\n"
    "    Type: AWS::ApiGateway::RestApi\n"
    "    Properties:\n"
    "      Name: other\n"
    "  ApiOptionsMethod:\n"
    "    Type: AWS::ApiGateway::Method\n"
    "    Properties:\n"
    "      RestApiId: !Ref Api\n"
    "      ResourceId: !GetAtt Api.RootResourceId\n"
    "      HttpMethod: OPTIONS\n"
    "      AuthorizationType: NONE\n"
    "      Integration: {Type: MOCK}\n"
    "  ApiDefault4xxResponse:\n"
    "    Type: AWS::ApiGateway::GatewayResponse\n"
    "    Properties:\n"
    "      RestApiId: !Ref Api\n"
    "      ResponseType: DEFAULT_4XX\n"
    "      ResponseParameters:\n"
    "        gatewayresponse.header.Access-Control-Allow-Origin: !Sub\n"
    "          - \"'${First}'\"\n"
    "          - First: !Select [0, !Split [',', !Ref CorsAllowedOrigins]]\n"
    "  ApiDefault5xxResponse:\n"
    "    Type: AWS::ApiGateway::GatewayResponse\n"
    "    Properties:\n"
    "      RestApiId: !Ref Api\n"
    "      ResponseType: DEFAULT_5XX\n"
    "      ResponseParameters:\n"
    "        gatewayresponse.header.access-control-allow-origin: \"'https://lms.example.edu'\"\n";

static void expect_api(const char *env, const char *from, const char *to, int sev, size_t n)
{
	fixture fx;
	run_with(&fx, api_fragment, env, from, to, NULL);
	if (count_sev(&fx, "EDG006", sev) != n || edg(&fx) != n)
		dump(&fx);
	assert_int_equal(count_sev(&fx, "EDG006", sev), n);
	assert_int_equal(edg(&fx), n);
	done(&fx);
}

static void test_api_error_responses_carry_cors(void **state)
{
	(void)state;
	expect_api("dev", NULL, NULL, -1, 0);
	expect_api("prod", NULL, NULL, -1, 0);
	/* either default response missing */
	expect_api("dev", "ResponseType: DEFAULT_4XX", "ResponseType: UNAUTHORIZED", SEV_ERROR, 1);
	expect_api("prod", "ResponseType: DEFAULT_5XX", "ResponseType: INTEGRATION_FAILURE",
	           SEV_ERROR, 1);
	fixture fx;
	run_with(&fx, api_fragment, "prod", "ResponseType: DEFAULT_4XX", "ResponseType: THROTTLED",
	         NULL);
	assert_true(has_message(&fx, "EDG006", "API Api has no DEFAULT_4XX gateway response"));
	assert_non_null(first(&fx, "EDG006")->file); /* at the API */
	done(&fx);
	/* present, but without the origin header (a near name) */
	expect_api("prod", "gatewayresponse.header.Access-Control-Allow-Origin",
	           "gatewayresponse.header.Access-Control-Allow-Headers", SEV_ERROR, 1);
	expect_api("prod", "gatewayresponse.header.access-control-allow-origin",
	           "gatewayresponse.header.access-control-allow-originx", SEV_ERROR, 1);
	/* an empty value */
	expect_api("prod", "access-control-allow-origin: \"'https://lms.example.edu'\"",
	           "access-control-allow-origin: ''", SEV_ERROR, 1);
	/* the responses of another API do not count */
	expect_api("prod", "      RestApiId: !Ref Api\n      ResponseType: DEFAULT_5XX",
	           "      RestApiId: !Ref OtherApi\n      ResponseType: DEFAULT_5XX", SEV_ERROR, 1);
	/* the origin header as the second of the response's parameters */
	expect_api("prod",
	           "        gatewayresponse.header.access-control-allow-origin: "
	           "\"'https://lms.example.edu'\"\n",
	           "        gatewayresponse.header.access-control-allow-headers: \"'*'\"\n"
	           "        gatewayresponse.header.access-control-allow-origin: "
	           "\"'https://lms.example.edu'\"\n",
	           -1, 0);
	/* ... whose own value, empty, is what is read (not its neighbours) */
	expect_api("prod",
	           "        gatewayresponse.header.access-control-allow-origin: "
	           "\"'https://lms.example.edu'\"\n",
	           "        gatewayresponse.header.access-control-allow-headers: \"'*'\"\n"
	           "        gatewayresponse.header.access-control-allow-origin: \"''\"\n"
	           "        gatewayresponse.header.access-control-allow-methods: \"'GET'\"\n",
	           SEV_ERROR, 1);
	/* an API that answers no preflight is not a browser's: nothing to say */
	expect_api("prod", "      HttpMethod: OPTIONS\n", "      HttpMethod: GET\n", -1, 0);
	expect_api("prod", "      HttpMethod: OPTIONS\n      AuthorizationType: NONE\n",
	           "      HttpMethod: GET\n      AuthorizationType: NONE\n", -1, 0);
}

/* The first resource of the template is read too: the preflight method, a gateway
 * response. */
#define FIRST_METHOD                                                                               \
	"  Options:\n"                                                                             \
	"    Type: AWS::ApiGateway::Method\n"                                                      \
	"    Properties:\n"                                                                        \
	"      RestApiId: !Ref Api\n"                                                              \
	"      HttpMethod: OPTIONS\n"                                                              \
	"      AuthorizationType: NONE\n"                                                          \
	"  Api:\n"                                                                                 \
	"    Type: AWS::ApiGateway::RestApi\n"                                                     \
	"    Properties:\n"                                                                        \
	"      Name: api\n"

static void test_api_first_resources(void **state)
{
	(void)state;
	fixture fx;
	run_with(&fx, "Resources:\n" FIRST_METHOD, "dev", NULL, NULL, NULL);
	assert_int_equal(count_sev(&fx, "EDG006", SEV_ERROR), 2);
	done(&fx);
	run_with(&fx,
	         "Resources:\n"
	         "  Resp4:\n"
	         "    Type: AWS::ApiGateway::GatewayResponse\n"
	         "    Properties:\n"
	         "      RestApiId: !Ref Api\n"
	         "      ResponseType: DEFAULT_4XX\n"
	         "      ResponseParameters:\n"
	         "        gatewayresponse.header.access-control-allow-origin: "
	         "\"'https://a'\"\n" FIRST_METHOD,
	         "dev", NULL, NULL, NULL);
	assert_int_equal(count_sev(&fx, "EDG006", SEV_ERROR), 1);
	assert_true(has_message(&fx, "EDG006", "no DEFAULT_5XX"));
	done(&fx);
}

static void test_viewer_protocol(void **state)
{
	(void)state;
	const char *from = "ViewerProtocolPolicy: redirect-to-https";
	expect("prod", "us-east-1", from, "ViewerProtocolPolicy: allow-all", "EDG004", SEV_ERROR,
	       1);
	expect("staging", "us-east-1", from, "ViewerProtocolPolicy: allow-all", "EDG004",
	       SEV_WARNING, 1);
	expect("dev", "us-east-1", from, "ViewerProtocolPolicy: allow-all", "EDG004", SEV_WARNING,
	       1);
	expect("prod", "us-east-1", from, "ViewerProtocolPolicy: https-only", "EDG004", -1, 0);
	/* on a path behaviour too */
	expect("prod", "us-east-1", "ViewerProtocolPolicy: https-only",
	       "ViewerProtocolPolicy: allow-all", "EDG004", SEV_ERROR, 1);
}

static void test_origin_protocol(void **state)
{
	(void)state;
	const char *lit = "OriginProtocolPolicy: !Ref OriginProtocol";
	expect("prod", "us-east-1", lit, "OriginProtocolPolicy: http-only", "EDG004", SEV_ERROR, 1);
	expect("prod", "us-east-1", lit, "OriginProtocolPolicy: match-viewer", "EDG004", SEV_ERROR,
	       1);
	expect("dev", "us-east-1", lit, "OriginProtocolPolicy: http-only", "EDG004", SEV_WARNING,
	       1);
	expect("prod", "us-east-1", lit, "OriginProtocolPolicy: https-only", "EDG004", -1, 0);
	/* absent: CloudFront's default is match-viewer */
	expect("prod", "us-east-1", "        OriginProtocolPolicy: !Ref OriginProtocol\n", "",
	       "EDG004", SEV_ERROR, 1);
	/* from a parameter: a warning on that field even in prod (the main stack's certificate) */
	fixture fx;
	run_in(&fx, "prod", "us-east-1", "    Default: https-only\n", "    Default: http-only\n");
	assert_int_equal(count(&fx, "EDG004", SEV_WARNING), 1);
	assert_int_equal(edg(&fx), 1);
	assert_string_equal(first(&fx, "EDG004")->field, "OriginProtocol");
	assert_non_null(strstr(first(&fx, "EDG004")->hint, "AlbCertificateArn"));
	done(&fx);
	/* a custom origin is held to the same */
	expect("prod", "us-east-1",
	       "            VpcOriginConfig: {VpcOriginId: !GetAtt Origin.Id}\n",
	       "            CustomOriginConfig: {OriginProtocolPolicy: http-only}\n", "EDG004",
	       SEV_ERROR, 1);
	expect("prod", "us-east-1",
	       "            VpcOriginConfig: {VpcOriginId: !GetAtt Origin.Id}\n",
	       "            CustomOriginConfig: {OriginProtocolPolicy: https-only}\n", "EDG004", -1,
	       0);
}

static void test_viewer_tls_version(void **state)
{
	(void)state;
	const char *min = "MinimumProtocolVersion: TLSv1.2_2021";
	expect("prod", "us-east-1", min, "MinimumProtocolVersion: TLSv1.2_2019", "EDG004", -1, 0);
	expect("prod", "us-east-1", min, "MinimumProtocolVersion: TLSv1.3_2025", "EDG004", -1, 0);
	expect("prod", "us-east-1", min, "MinimumProtocolVersion: TLSv1.1_2016", "EDG004",
	       SEV_ERROR, 1);
	expect("prod", "us-east-1", min, "MinimumProtocolVersion: TLSv1", "EDG004", SEV_ERROR, 1);
	expect("dev", "us-east-1", min, "MinimumProtocolVersion: TLSv1", "EDG004", -1, 0);
	/* absent: CloudFront's default policy for an ACM certificate is TLSv1 */
	expect("prod", "us-east-1", "          MinimumProtocolVersion: TLSv1.2_2021\n", "",
	       "EDG004", SEV_ERROR, 1);
	/* the default certificate: TLS 1.0 whatever the policy; a warning in prod only */
	const char *acm = "          AcmCertificateArn: !Ref CertificateArn\n"
	                  "          SslSupportMethod: sni-only\n";
	expect("prod", "us-east-1", acm, "          CloudFrontDefaultCertificate: true\n", "EDG004",
	       SEV_WARNING, 1);
	expect("staging", "us-east-1", acm, "          CloudFrontDefaultCertificate: true\n",
	       "EDG004", -1, 0);
}

static void test_cached_private_paths(void **state)
{
	(void)state;
	const char *api = "          - PathPattern: /api/*\n"
	                  "            TargetOriginId: alb\n"
	                  "            ViewerProtocolPolicy: https-only\n"
	                  "            CachePolicyId: 4135ea2d-6df8-44a3-9df3-4b5a84be39ad\n";
	const char *cached = "          - PathPattern: /api/*\n"
	                     "            TargetOriginId: alb\n"
	                     "            ViewerProtocolPolicy: https-only\n"
	                     "            CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6\n";
	expect("dev", "us-east-1", api, cached, "EDG005", SEV_ERROR, 1);
	/* a near id is not CachingDisabled */
	expect("prod", "us-east-1", api,
	       "          - PathPattern: /api/*\n"
	       "            TargetOriginId: alb\n"
	       "            ViewerProtocolPolicy: https-only\n"
	       "            CachePolicyId: 4135ea2d-6df8-44a3-9df3-4b5a84be39ae\n",
	       "EDG005", SEV_ERROR, 1);
	/* legacy settings (no policy) */
	expect("prod", "us-east-1", api,
	       "          - PathPattern: /api/*\n"
	       "            TargetOriginId: alb\n"
	       "            ViewerProtocolPolicy: https-only\n",
	       "EDG005", SEV_ERROR, 1);
	/* the sign-in callback and the default behaviour (pages) */
	expect("prod", "us-east-1",
	       "PathPattern: /api/*\n            TargetOriginId: alb\n"
	       "            ViewerProtocolPolicy: https-only\n"
	       "            CachePolicyId: 4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
	       "PathPattern: /auth/*\n            TargetOriginId: alb\n"
	       "            ViewerProtocolPolicy: https-only\n"
	       "            CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6",
	       "EDG005", SEV_ERROR, 1);
	expect("prod", "us-east-1",
	       "          ViewerProtocolPolicy: redirect-to-https\n"
	       "          CachePolicyId: 4135ea2d-6df8-44a3-9df3-4b5a84be39ad\n",
	       "          ViewerProtocolPolicy: redirect-to-https\n"
	       "          CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6\n",
	       "EDG005", SEV_ERROR, 1);
	/* public paths may be cached: the static and media paths */
	expect("prod", "us-east-1", "PathPattern: /static/*", "PathPattern: /media/*", "EDG005", -1,
	       0);
}

/* CacheBehaviors as an Fn::FindInMap left symbolic (a key from GetAtt) with a
 * DefaultValue: check_distribution reads each item of the kept function as a
 * behaviour (EDG005, none has a policy; doubtful: a false finding, reported),
 * the DefaultValue one placed on its own line, the DefaultValue's. */
static void test_symbolic_behaviours_position(void **state)
{
	(void)state;
	const char *from = "        CacheBehaviors:\n";
	const char *to = "        CacheBehaviors:\n"
	                 "          Fn::FindInMap:\n"
	                 "            - Paths\n"
	                 "            - !GetAtt WebAcl.Arn\n"
	                 "            - list\n"
	                 "            - DefaultValue: []\n"
	                 "        CacheBehaviorsX:\n";
	size_t line = 1;
	for (const char *c = edge_fragment; c < strstr(edge_fragment, from); c++)
		line += *c == '\n';
	size_t dv_line = line + 5; /* "- DefaultValue: []" */
	fixture fx;
	run_in(&fx, "dev", "us-east-1", from, to);
	bool at_default = false;
	for (size_t i = 0; i < fx.f.n; i++)
		at_default = at_default || (strcmp(fx.f.v[i].rule, "EDG005") == 0 &&
		                            fx.f.v[i].file && fx.f.v[i].line == dv_line);
	if (!at_default) {
		dump(&fx);
		fail_msg("no EDG005 on line %zu (the DefaultValue)", dv_line);
	}
	done(&fx);
}

/* The edges the tests above leave: each private path's prefix against a shorter and a
 * longer one, the ARN's Region field (its length, a missing field, not an ARN), the TLS
 * version names without their date, a distribution without a viewer certificate or with
 * a certificate not from ACM, the rate rule's key and action exactly. */
static void test_edge_edges(void **state)
{
	(void)state;
	static const char api_cached[] =
	    "          - PathPattern: /api/*\n"
	    "            TargetOriginId: alb\n"
	    "            ViewerProtocolPolicy: https-only\n"
	    "            CachePolicyId: 4135ea2d-6df8-44a3-9df3-4b5a84be39ad\n";
	static const struct {
		const char *path;
		size_t n;
	} paths[] = {
	    {"/api", 1},    {"/apx/*", 0},  {"api/*", 1},   {"apx/*", 0},  {"ap", 0},
	    {"/auth", 1},   {"/autx", 0},   {"auth/*", 1},  {"autx/*", 0}, {"/au", 0},
	    {"/apiary", 1}, {"authors", 1}, {"x/api/*", 0},
	};
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
		char to[512];
		snprintf(to, sizeof to,
		         "          - PathPattern: %s\n"
		         "            TargetOriginId: alb\n"
		         "            ViewerProtocolPolicy: https-only\n"
		         "            CachePolicyId: 658327ea-f89d-4fab-a63d-7e88639e58f6\n",
		         paths[i].path);
		fixture fx;
		run_in(&fx, "dev", "us-east-1", api_cached, to);
		if (count_sev(&fx, "EDG005", SEV_ERROR) != paths[i].n) {
			dump(&fx);
			fail_msg("path %s: expected %zu", paths[i].path, paths[i].n);
		}
		done(&fx);
	}
	/* the certificate's ARN: its Region field at 63 and 64 characters, an ARN cut
	 * before its account, a text that is no ARN */
	char r63[64], r64[65];
	memset(r63, 'r', 63);
	r63[63] = '\0';
	memset(r64, 'r', 64);
	r64[64] = '\0';
	char to[256];
	snprintf(to, sizeof to, "    Default: arn:aws:acm:%s:111122223333:certificate/x\n", r63);
	expect("dev", "us-east-1", "    Default: " CERT_US "\n", to, "EDG002", SEV_ERROR, 1);
	snprintf(to, sizeof to, "    Default: arn:aws:acm:%s:111122223333:certificate/x\n", r64);
	expect("dev", "us-east-1", "    Default: " CERT_US "\n", to, "EDG002", -1, 0);
	expect("dev", "us-east-1", "    Default: " CERT_US "\n",
	       "    Default: arn:aws:acm:eu-west-1\n", "EDG002", -1, 0);
	expect("dev", "us-east-1", "    Default: " CERT_US "\n", "    Default: arn:aws:acm\n",
	       "EDG002", -1, 0);
	expect("dev", "us-east-1", "    Default: " CERT_US "\n",
	       "    Default: 'arn:aws:acm:eu-west-1:'\n", "EDG002", SEV_ERROR, 1);
	expect("dev", "us-east-1", "    Default: " CERT_US "\n",
	       "    Default: arx:aws:acm:eu-west-1:111122223333:certificate/x\n", "EDG002", -1, 0);
	expect("dev", "us-east-1", "    Default: " CERT_US "\n",
	       "    Default: xarn:aws:acm:eu-west-1:111122223333:certificate/x\n", "EDG002", -1, 0);
	expect("dev", "us-east-1", "    Default: " CERT_US "\n",
	       "    Default: arnx:aws:acm:eu-west-1:111122223333:certificate/x\n", "EDG002", -1, 0);
	/* a protocol from a parameter is placed on that field (no position); a literal one
	 * at the template */
	fixture pf;
	run_in(&pf, "prod", "us-east-1", "    Default: https-only\n", "    Default: http-only\n");
	assert_non_null(first(&pf, "EDG004"));
	assert_null(first(&pf, "EDG004")->file);
	done(&pf);
	run_in(&pf, "prod", "us-east-1", "OriginProtocolPolicy: !Ref OriginProtocol",
	       "OriginProtocolPolicy: http-only");
	assert_non_null(first(&pf, "EDG004"));
	assert_non_null(first(&pf, "EDG004")->file);
	done(&pf);
	/* a distribution without a configuration, or with one that is no mapping: nothing
	 * to read */
	expect("prod", "us-east-1", "  Distribution:\n",
	       "  Bare:\n    Type: AWS::CloudFront::Distribution\n"
	       "  Listed:\n    Type: AWS::CloudFront::Distribution\n"
	       "    Properties:\n      DistributionConfig: [x]\n"
	       "  Distribution:\n",
	       "EDG003", -1, 0);
	/* TLS versions by their name and date */
	const char *min = "MinimumProtocolVersion: TLSv1.2_2021";
	expect("prod", "us-east-1", min, "MinimumProtocolVersion: TLSv1.2", "EDG004", SEV_ERROR, 1);
	expect("prod", "us-east-1", min, "MinimumProtocolVersion: TLSv1.3", "EDG004", SEV_ERROR, 1);
	expect("prod", "us-east-1", min, "MinimumProtocolVersion: TLSv1.3_", "EDG004", -1, 0);
	expect("prod", "us-east-1", min, "MinimumProtocolVersion: TLSv1.2_", "EDG004", -1, 0);
	/* no viewer certificate at all; a certificate not from ACM; the default
	 * certificate switched off */
	const char *vc = "        ViewerCertificate:\n"
	                 "          AcmCertificateArn: !Ref CertificateArn\n"
	                 "          SslSupportMethod: sni-only\n"
	                 "          MinimumProtocolVersion: TLSv1.2_2021\n";
	expect("prod", "us-east-1", vc, "", "EDG004", -1, 0);
	expect("prod", "us-east-1", vc,
	       "        ViewerCertificate:\n"
	       "          IamCertificateId: ASCACKCEVSQ6C2EXAMPLE\n"
	       "          MinimumProtocolVersion: TLSv1\n",
	       "EDG004", -1, 0);
	expect(
	    "prod", "us-east-1", "          SslSupportMethod: sni-only\n",
	    "          SslSupportMethod: sni-only\n          CloudFrontDefaultCertificate: false\n",
	    "EDG004", -1, 0);
	expect("prod", "us-east-1", vc, "        ViewerCertificate: [x]\n", "EDG004", -1, 0);
	/* the rate rule: its key and action exactly */
	expect("prod", "us-east-1", "AggregateKeyType: IP,", "AggregateKeyType: IPX,", "EDG003",
	       SEV_ERROR, 1);
	expect("prod", "us-east-1", "AggregateKeyType: IP,", "AggregateKeyType: FORWARDED_IPX,",
	       "EDG003", SEV_ERROR, 1);
	expect("prod", "us-east-1", "Action: {Block: {}}", "Action: {Captcha: {}}", "EDG003", -1,
	       0);
	expect("prod", "us-east-1", "Action: {Block: {}}", "Action: {Blocks: {}}", "EDG003",
	       SEV_ERROR, 1);
	/* the second rule may be the rate rule, and a web ACL without Scope is taken as
	 * CloudFront's */
	expect("prod", "us-east-1", "      Scope: CLOUDFRONT\n", "", "EDG003", -1, 0);
	expect("prod", "us-east-1", "      Scope: CLOUDFRONT\n", "      Scope: CLOUDFRONTX\n",
	       "EDG003", SEV_ERROR, 1);
	/* a VPC origin without its protocol: CloudFront's default, match-viewer */
	expect("prod", "us-east-1", "        OriginProtocolPolicy: !Ref OriginProtocol\n", "",
	       "EDG004", SEV_ERROR, 1);
	expect("dev", "us-east-1", "        OriginProtocolPolicy: !Ref OriginProtocol\n", "",
	       "EDG004", SEV_WARNING, 1);
	expect("prodx", "us-east-1", "        OriginProtocolPolicy: !Ref OriginProtocol\n", "",
	       "EDG004", SEV_WARNING, 1);
	/* a second origin with the wrong protocol */
	expect("prod", "us-east-1",
	       "            VpcOriginConfig: {VpcOriginId: !GetAtt Origin.Id}\n",
	       "            VpcOriginConfig: {VpcOriginId: !GetAtt Origin.Id}\n"
	       "          - Id: other\n"
	       "            DomainName: other.example.edu\n"
	       "            CustomOriginConfig: {OriginProtocolPolicy: match-viewer}\n",
	       "EDG004", SEV_ERROR, 1);
}

/* ---- the report covers the web path (the edge stack) ------------------- */

/* The object of array `arr` whose `key` is `value`, or NULL. */
static json_t *find_by(json_t *arr, const char *key, const char *value)
{
	size_t i;
	json_t *x;
	json_array_foreach(arr, i, x)
	{
		const char *s = json_string_value(json_object_get(x, key));
		if (s && strcmp(s, value) == 0)
			return x;
	}
	return NULL;
}

static bool has_id(json_t *arr, const char *id)
{
	return find_by(arr, "id", id) != NULL;
}

typedef struct env_fixture {
	catalog *cat;
	model *m;
	rendered *r;
	findings f;
	analysis a;
	report_stack *stacks;
	size_t nstacks;
} env_fixture;

/* The shipped templates for a prod model: both stacks validated and rendered. */
static void env_open(env_fixture *e)
{
	lms_error err = {0};
	e->cat = catalog_load(tu_templates_dir(), &err);
	if (!e->cat)
		fail_msg("%s", err.msg);
	e->m = model_new_from_catalog(e->cat, "prod", &err);
	assert_non_null(e->m);
	findings_init(&e->f);
	e->r = validate_and_render(e->cat, e->m, &e->f);
	assert_non_null(e->r);
	analysis_run(e->cat, e->m, e->r, &e->a);
	if (!report_companions(e->cat, e->m, &e->stacks, &e->nstacks, &err))
		fail_msg("%s", err.msg);
}

static void env_close(env_fixture *e)
{
	report_companions_free(e->stacks, e->nstacks);
	analysis_free(&e->a);
	render_free(e->r);
	findings_free(&e->f);
	model_free(e->m);
	catalog_free(e->cat);
}

static json_t *env_report(const env_fixture *e)
{
	buf out;
	buf_init(&out, 0);
	assert_true(report_write_env(e->cat, e->m, e->r, &e->a, &e->f, e->stacks, e->nstacks, NULL,
	                             REPORT_JSON, &out));
	json_t *j = json_loads(buf_cstr(&out), 0, NULL);
	buf_free(&out);
	assert_non_null(j);
	return j;
}

static double composite(json_t *j, const char *path)
{
	json_t *paths = json_object_get(json_object_get(j, "availability"), "composite");
	json_t *p = find_by(paths, "path", path);
	assert_non_null(p);
	return json_real_value(json_object_get(p, "percent"));
}

static void test_report_covers_the_edge_stack(void **state)
{
	(void)state;
	env_fixture e;
	env_open(&e);
	assert_int_equal(e.nstacks, 1);
	assert_string_equal(e.stacks[0].name, "edge");
	assert_non_null(e.stacks[0].r);
	json_t *j = env_report(&e);
	/* both stacks named, with their Regions */
	json_t *stacks = json_object_get(json_object_get(j, "model"), "stacks");
	json_t *edge = find_by(stacks, "name", "edge");
	assert_non_null(edge);
	assert_string_equal(json_string_value(json_object_get(edge, "stack")), "lms-prod-edge");
	assert_string_equal(json_string_value(json_object_get(edge, "region")), "us-east-1");
	assert_non_null(find_by(stacks, "name", "main"));
	/* the edge's resources under the tier "edge", and not under another */
	json_t *tier = find_by(json_object_get(j, "tiers"), "tier", "edge");
	assert_non_null(tier);
	assert_string_equal(json_string_value(json_object_get(tier, "stack")), "edge");
	json_t *ids = json_object_get(tier, "resources");
	assert_true(has_id(ids, "Distribution") && has_id(ids, "WebAcl") &&
	            has_id(ids, "AppVpcOrigin"));
	assert_false(has_id(ids, "Alb"));
	json_t *api = find_by(json_object_get(j, "tiers"), "tier", "api");
	assert_string_equal(json_string_value(json_object_get(api, "stack")), "main");
	assert_false(has_id(json_object_get(api, "resources"), "Distribution"));
	/* the edge's findings are the report's, marked with their stack */
	json_t *x = find_by(json_object_get(j, "findings"), "id", "EDG004");
	assert_non_null(x);
	assert_string_equal(json_string_value(json_object_get(x, "stack")), "edge");
	const char *file = json_string_value(json_object_get(x, "file"));
	if (file) /* relative to the templates directory, the same on every checkout */
		assert_string_equal(file, "edge/edge.yml");
	json_decref(j);
	env_close(&e);
}

static void test_report_az_loss_web_path(void **state)
{
	(void)state;
	env_fixture e;
	env_open(&e);
	json_t *j = env_report(&e);
	size_t i;
	json_t *az;
	json_array_foreach(json_object_get(j, "az_loss"), i, az)
	{
		json_t *tiers = json_object_get(az, "tiers");
		json_t *web = find_by(tiers, "tier", "web path");
		json_t *lb = find_by(tiers, "tier", "load balancer");
		assert_non_null(web);
		assert_non_null(lb);
		/* the ALB's nodes in the other AZs: the load balancer's figures */
		assert_string_equal(json_string_value(json_object_get(web, "status")), "degraded");
		assert_int_equal(json_integer_value(json_object_get(web, "remaining")), 2);
		assert_int_equal(json_integer_value(json_object_get(web, "total")), 3);
		const char *note = json_string_value(json_object_get(web, "note"));
		assert_non_null(note);
		assert_non_null(strstr(note, "CloudFront and WAF"));
		assert_non_null(strstr(note, "us-east-1"));
		assert_non_null(
		    strstr(note, "VPC origin reaches the ALB's nodes in the 2 other AZ"));
	}
	assert_true(i == 3);
	json_decref(j);
	/* without the edge stack there is no web path to speak of */
	buf out;
	buf_init(&out, 0);
	assert_true(report_write(e.cat, e.m, e.r, &e.a, &e.f, NULL, REPORT_JSON, &out));
	j = json_loads(buf_cstr(&out), 0, NULL);
	json_t *tiers = json_object_get(json_array_get(json_object_get(j, "az_loss"), 0), "tiers");
	assert_null(find_by(tiers, "tier", "web path"));
	json_decref(j);
	buf_free(&out);
	env_close(&e);
}

static void test_report_composite_availability(void **state)
{
	(void)state;
	env_fixture e;
	env_open(&e);
	json_t *j = env_report(&e);
	/* docs/availability.md: CloudFront 99.9 x WAF 99.95 x ALB, Fargate, Aurora,
	 * ElastiCache 99.99 each; the API path: API Gateway 99.95 x WAF 99.95 x the same four */
	assert_true(fabs(composite(j, "web") - 99.810) < 0.0005);
	assert_true(fabs(composite(j, "api") - 99.860) < 0.0005);
	json_t *paths = json_object_get(json_object_get(j, "availability"), "composite");
	json_t *web = find_by(paths, "path", "web");
	json_t *comps = json_object_get(web, "components");
	json_t *cf = find_by(comps, "service", "CloudFront");
	assert_non_null(cf);
	assert_true(fabs(json_real_value(json_object_get(cf, "sla_percent")) - 99.9) < 1e-9);
	assert_string_equal(json_string_value(json_object_get(cf, "resource")), "Distribution");
	assert_string_equal(json_string_value(json_object_get(cf, "stack")), "edge");
	/* the VPC origin is part of CloudFront: on the path, no figure of its own */
	json_t *vo = find_by(comps, "service", "CloudFront VPC origin");
	assert_non_null(vo);
	assert_true(json_is_null(json_object_get(vo, "sla_percent")));
	assert_non_null(find_by(comps, "service", "AWS WAF"));
	assert_null(find_by(comps, "service", "API Gateway"));
	json_t *minutes = json_object_get(web, "downtime_minutes_30_days");
	assert_true(fabs(json_real_value(minutes) - 82.0) < 0.1);
	json_decref(j);
	/* the text says it too */
	buf out;
	buf_init(&out, 0);
	assert_true(report_write_env(e.cat, e.m, e.r, &e.a, &e.f, e.stacks, e.nstacks, NULL,
	                             REPORT_TEXT, &out));
	assert_non_null(strstr(buf_cstr(&out), "web path  99.810%"));
	assert_non_null(strstr(buf_cstr(&out), "API path  99.860%"));
	assert_non_null(strstr(buf_cstr(&out), "  edge "));
	buf_free(&out);
	env_close(&e);
}

/* Copies `name` of the templates directory (under `sub`, "" or "edge/")
 * to `dir`, with `from` replaced by `to` when given. */
static void copy_template(const char *dir, const char *sub, const char *name, const char *from,
                          const char *to)
{
	buf src, text, path;
	buf_init(&src, 0);
	buf_init(&text, 0);
	buf_init(&path, 0);
	buf_addf(&src, "%s/%s%s", tu_templates_dir(), sub, name);
	lms_error err = {0};
	assert_true(file_read(buf_cstr(&src), TU_MAX_FILE, &text, &err));
	const char *at = from ? strstr(buf_cstr(&text), from) : NULL;
	assert_true(!from || at);
	buf out;
	buf_init(&out, 0);
	if (at) {
		buf_add(&out, buf_cstr(&text), (size_t)(at - buf_cstr(&text)));
		buf_adds(&out, to);
		buf_adds(&out, at + strlen(from));
	} else {
		buf_adds(&out, buf_cstr(&text));
	}
	buf_addf(&path, "%s/%s%s", dir, sub, name);
	assert_true(write_file_atomic(buf_cstr(&path), buf_cstr(&out), out.len, false, &err));
	buf_free(&out);
	buf_free(&src);
	buf_free(&text);
	buf_free(&path);
}

/* A WAF that no longer protects the path is not a term of it: the figure
 * does not count a web ACL the distribution does not name. */
static void test_report_composite_counts_the_attached_waf(void **state)
{
	(void)state;
	char dir[] = "/tmp/lmsctl-edge-report-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char edge[64];
	snprintf(edge, sizeof edge, "%s/edge", dir);
	assert_int_equal(mkdir(edge, 0700), 0);
	lms_error err = {0};
	catalog *shipped = catalog_load(tu_templates_dir(), &err);
	assert_non_null(shipped);
	copy_template(dir, "", "catalog.yml", NULL, NULL);
	for (size_t i = 0; i < shipped->nfrags; i++)
		copy_template(dir, "", shipped->frags[i].name, NULL, NULL);
	catalog_free(shipped);
	copy_template(dir, "edge/", "catalog.yml", NULL, NULL);
	copy_template(dir, "edge/", "edge.yml", "        WebACLId: !GetAtt WebAcl.Arn\n", "");
	env_fixture e = {0};
	e.cat = catalog_load(dir, &err);
	if (!e.cat)
		fail_msg("%s", err.msg);
	e.m = model_new_from_catalog(e.cat, "prod", &err);
	assert_non_null(e.m);
	findings_init(&e.f);
	e.r = validate_and_render(e.cat, e.m, &e.f);
	assert_non_null(e.r);
	analysis_run(e.cat, e.m, e.r, &e.a);
	assert_true(report_companions(e.cat, e.m, &e.stacks, &e.nstacks, &err));
	json_t *j = env_report(&e);
	/* CloudFront x ALB, Fargate, Aurora, ElastiCache: no WAF term */
	assert_true(fabs(composite(j, "web") - 99.860) < 0.0005);
	json_t *web = find_by(json_object_get(json_object_get(j, "availability"), "composite"),
	                      "path", "web");
	assert_null(find_by(json_object_get(web, "components"), "service", "AWS WAF"));
	assert_true(json_is_false(json_object_get(json_object_get(j, "availability"), "holds")));
	json_decref(j);
	env_close(&e);
	buf cmd;
	buf_init(&cmd, 0);
	buf_addf(&cmd, "rm -r '%s'", dir);
	assert_int_equal(system(buf_cstr(&cmd)), 0);
	buf_free(&cmd);
}

/* EDG003 of the edge stack breaks the report's obligations, named with its stack. */
static void test_report_obligations_use_edge_findings(void **state)
{
	(void)state;
	env_fixture e;
	env_open(&e);
	json_t *j = env_report(&e);
	json_t *av = json_object_get(j, "availability");
	assert_true(json_is_true(json_object_get(av, "holds")));
	json_decref(j);
	findings_add(&e.stacks[0].f, "EDG003", SEV_ERROR, "", "hint", "distribution %s has none",
	             "Distribution");
	j = env_report(&e);
	av = json_object_get(j, "availability");
	assert_true(json_is_false(json_object_get(av, "holds")));
	json_t *b = find_by(json_object_get(av, "breaking"), "rule", "EDG003");
	assert_non_null(b);
	assert_string_equal(json_string_value(json_object_get(b, "stack")), "edge");
	json_t *st = find_by(json_object_get(av, "rule_status"), "id", "EDG003");
	assert_string_equal(json_string_value(json_object_get(st, "status")), "error");
	json_t *prot = find_by(json_object_get(j, "pdpa"), "key", "protection");
	assert_true(json_is_false(json_object_get(prot, "holds")));
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(j, "counts"), "errors")), 1);
	json_decref(j);
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clean_in_us_east_1),
	    cmocka_unit_test(test_cloudfront_web_acl_outside_us_east_1),
	    cmocka_unit_test(test_viewer_certificate_region),
	    cmocka_unit_test(test_distribution_without_web_acl),
	    cmocka_unit_test(test_web_acl_rate_rule),
	    cmocka_unit_test(test_api_error_responses_carry_cors),
	    cmocka_unit_test(test_report_covers_the_edge_stack),
	    cmocka_unit_test(test_report_az_loss_web_path),
	    cmocka_unit_test(test_report_composite_availability),
	    cmocka_unit_test(test_report_obligations_use_edge_findings),
	    cmocka_unit_test(test_report_composite_counts_the_attached_waf),
	    cmocka_unit_test(test_viewer_protocol),
	    cmocka_unit_test(test_origin_protocol),
	    cmocka_unit_test(test_viewer_tls_version),
	    cmocka_unit_test(test_cached_private_paths),
	    cmocka_unit_test(test_symbolic_behaviours_position),
	    cmocka_unit_test(test_edge_edges),
	    cmocka_unit_test(test_api_first_resources),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
