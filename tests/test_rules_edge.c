/* model/edge.c, EDG001-EDG005, at their edges: the web ACL's Scope against
 * the stack's Region, the viewer certificate's Region, the distribution's
 * WebACLId, HTTPS for viewers and to the origin (by environment, and from a
 * parameter), and the cache policy of pages, /api and /auth. */
#define _GNU_SOURCE
#include "model/catalog.h"
#include "model/model.h"
#include "model/validate.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static const char env_fragment[] = "Metadata:\n"
                                   "  AWS::CloudFormation::Interface:\n"
                                   "    ParameterGroups:\n"
                                   "      - Label: {default: Environment}\n"
                                   "        Parameters: [Environment, EnvironmentSuffix]\n"
                                   "Parameters:\n"
                                   "  Environment:\n"
                                   "    Type: String\n"
                                   "    Description: kind\n"
                                   "    Default: dev\n"
                                   "  EnvironmentSuffix:\n"
                                   "    Type: String\n"
                                   "    Description: suffix\n"
                                   "    Default: dev\n"
                                   "Conditions:\n"
                                   "  IsProd: !Equals [!Ref Environment, prod]\n";

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
	/* an API that answers no preflight is not a browser's: nothing to say */
	expect_api("prod", "      HttpMethod: OPTIONS\n", "      HttpMethod: GET\n", -1, 0);
	expect_api("prod", "      HttpMethod: OPTIONS\n      AuthorizationType: NONE\n",
	           "      HttpMethod: GET\n      AuthorizationType: NONE\n", -1, 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clean_in_us_east_1),
	    cmocka_unit_test(test_cloudfront_web_acl_outside_us_east_1),
	    cmocka_unit_test(test_viewer_certificate_region),
	    cmocka_unit_test(test_distribution_without_web_acl),
	    cmocka_unit_test(test_web_acl_rate_rule),
	    cmocka_unit_test(test_api_error_responses_carry_cors),
	    cmocka_unit_test(test_viewer_protocol),
	    cmocka_unit_test(test_origin_protocol),
	    cmocka_unit_test(test_viewer_tls_version),
	    cmocka_unit_test(test_cached_private_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
