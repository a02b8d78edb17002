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
	/* a regional web ACL belongs in any Region */
	expect("prod", "eu-west-1", "Scope: CLOUDFRONT", "Scope: REGIONAL", "EDG001", -1, 0);
	fixture fx;
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
	    cmocka_unit_test(test_viewer_protocol),
	    cmocka_unit_test(test_origin_protocol),
	    cmocka_unit_test(test_viewer_tls_version),
	    cmocka_unit_test(test_cached_private_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
