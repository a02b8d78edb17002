/* The prod deploy gates of model/posture.c. SEC001 (plain HTTP on a load balancer
 * listener): a warning (in prod one that says deploy refuses it), silent with a
 * certificate or a redirect to HTTPS. OBS008 (an alarm topic with no recipient): the
 * same, silent with an address or a subscription of the topic's own. */
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

#include "tests/rule_env.h"

#include "tests/rulefixture.h"

/* The internal ALB of compute.yml in small: HTTPS with a certificate, plain
 * HTTP inside the VPC without one. */
static const char alb_fragment[] =
    "Metadata:\n"
    "  AWS::CloudFormation::Interface:\n"
    "    ParameterGroups:\n"
    "      - Label: {default: Compute}\n"
    "        Parameters: [AlbCertificateArn]\n"
    "Parameters:\n"
    "  AlbCertificateArn:\n"
    "    Type: String\n"
    "    Description: certificate\n"
    "    Default: ''\n"
    "Conditions:\n"
    "  HasAlbCertificate: !Not [!Equals [!Ref AlbCertificateArn, '']]\n"
    "Resources:\n"
    "  Alb:\n"
    "    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
    "    Properties:\n"
    "      Scheme: internal\n"
    "  AlbListener:\n"
    "    Type: AWS::ElasticLoadBalancingV2::Listener\n"
    "    Properties:\n"
    "      LoadBalancerArn: !Ref Alb\n"
    "      Port: 443\n"
    "      Protocol: !If [HasAlbCertificate, HTTPS, HTTP]\n"
    "      Certificates: !If\n"
    "        - HasAlbCertificate\n"
    "        - - CertificateArn: !Ref AlbCertificateArn\n"
    "        - !Ref AWS::NoValue\n"
    "      DefaultActions:\n"
    "        - Type: forward\n"
    "          TargetGroupArn: !Ref TargetGroup\n"
    "      SslPolicy: !If [HasAlbCertificate, ELBSecurityPolicy-TLS13-1-2-2021-06, "
    "!Ref AWS::NoValue]\n";

static const char certificate[] = "Default: arn:aws:acm:eu-west-1:111122223333:certificate/"
                                  "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\n";

static void run(fixture *fx, const char *env, const char *from, const char *to)
{
	run_with(fx, alb_fragment, env, from, to, NULL);
}

static const finding *sec001(const fixture *fx)
{
	for (size_t i = 0; i < fx->f.n; i++)
		if (strcmp(fx->f.v[i].rule, "SEC001") == 0)
			return &fx->f.v[i];
	return NULL;
}

static size_t sec_findings(const fixture *fx)
{
	size_t n = 0;
	for (size_t i = 0; i < fx->f.n; i++)
		n += strncmp(fx->f.v[i].rule, "SEC", 3) == 0;
	return n;
}

static void test_plain_http_outside_prod_is_a_warning(void **state)
{
	(void)state;
	const char *envs[] = {"dev", "staging"};
	for (size_t i = 0; i < 2; i++) {
		fixture fx;
		run(&fx, envs[i], NULL, NULL);
		if (sec_findings(&fx) != 1)
			dump(&fx);
		assert_int_equal(sec_findings(&fx), 1);
		assert_int_equal(count(&fx, "SEC001", SEV_WARNING), 1);
		const finding *x = sec001(&fx);
		/* on the field that fixes it, so the console can jump there */
		assert_string_equal(x->field, "AlbCertificateArn");
		assert_true(
		    has_message(&fx, "SEC001", "AlbListener serves plain HTTP inside the VPC"));
		assert_non_null(strstr(x->hint, "AlbCertificateArn"));
		done(&fx);
	}
}

/* In prod it stays a warning (a fresh prod model cannot know its
 * certificate and must validate) that says deploy refuses it: the refusal
 * itself is cli/deploy.c's, tested in tests/deploy_moto.py. */
static void test_plain_http_in_prod_is_a_warning_deploy_refuses(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "prod", NULL, NULL);
	assert_int_equal(count(&fx, "SEC001", SEV_ERROR), 0);
	assert_int_equal(count(&fx, "SEC001", SEV_WARNING), 1);
	assert_true(has_message(&fx, "SEC001", "lmsctl deploy refuses this in prod"));
	done(&fx);
}

static void test_certificate_silences(void **state)
{
	(void)state;
	const char *envs[] = {"dev", "prod"};
	for (size_t i = 0; i < 2; i++) {
		fixture fx;
		run(&fx, envs[i], "Default: ''\n", certificate);
		if (sec_findings(&fx))
			dump(&fx);
		assert_int_equal(sec_findings(&fx), 0);
		done(&fx);
	}
}

static void test_redirect_to_https_is_fine(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "prod",
	    "        - Type: forward\n"
	    "          TargetGroupArn: !Ref TargetGroup\n",
	    "        - Type: redirect\n"
	    "          RedirectConfig: {Protocol: HTTPS, Port: '443', StatusCode: HTTP_301}\n");
	assert_int_equal(sec_findings(&fx), 0);
	done(&fx);
	/* a redirect to plain HTTP is no answer */
	run(&fx, "prod",
	    "        - Type: forward\n"
	    "          TargetGroupArn: !Ref TargetGroup\n",
	    "        - Type: redirect\n"
	    "          RedirectConfig: {Protocol: HTTP, Port: '8080', StatusCode: HTTP_301}\n");
	assert_int_equal(count(&fx, "SEC001", SEV_WARNING), 1);
	done(&fx);
}

static void test_literal_http_points_at_the_template(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "prod",
	    "      Protocol: !If [HasAlbCertificate, HTTPS, HTTP]\n"
	    "      Certificates: !If\n"
	    "        - HasAlbCertificate\n"
	    "        - - CertificateArn: !Ref AlbCertificateArn\n"
	    "        - !Ref AWS::NoValue\n",
	    "      Protocol: HTTP\n");
	const finding *x = sec001(&fx);
	assert_non_null(x);
	assert_int_equal(x->sev, SEV_WARNING);
	assert_string_equal(x->field, "");
	/* no parameter to blame: the position is the Protocol line */
	assert_non_null(x->file);
	assert_non_null(strstr(x->file, "data.yml"));
	assert_int_equal(x->line, 23);
	done(&fx);
}

static void test_internet_facing_and_absent(void **state)
{
	(void)state;
	fixture fx;
	run(&fx, "dev", "      Scheme: internal\n", "      Scheme: internet-facing\n");
	const finding *x = sec001(&fx);
	assert_non_null(x);
	assert_null(strstr(x->message, "inside the VPC"));
	done(&fx);
	/* a listener whose condition is false does not exist */
	run(&fx, "prod", "    Type: AWS::ElasticLoadBalancingV2::Listener\n",
	    "    Type: AWS::ElasticLoadBalancingV2::Listener\n"
	    "    Condition: HasAlbCertificate\n");
	assert_int_equal(sec_findings(&fx), 0);
	done(&fx);
	/* TCP (an NLB passing TLS through) is not plain HTTP */
	run(&fx, "prod", "      Protocol: !If [HasAlbCertificate, HTTPS, HTTP]\n",
	    "      Protocol: TCP\n");
	assert_int_equal(sec_findings(&fx), 0);
	done(&fx);
}

/* SEC001 at its edges: the protocol, the redirect's type and protocol exactly (longer
 * names are neither), every default action a redirect, the scheme `internal` exactly,
 * prod exactly (`prodx` is not), the certificate as {Ref: X}, and a certificate that is
 * no parameter (a resource of the template) is no field to set. */
static void test_listener_edges(void **state)
{
	(void)state;
	static const char forward[] = "        - Type: forward\n"
	                              "          TargetGroupArn: !Ref TargetGroup\n";
	static const struct {
		const char *from, *to;
		size_t n;
	} cases[] = {
	    /* a protocol named like HTTP but longer is not plain HTTP */
	    {"      Protocol: !If [HasAlbCertificate, HTTPS, HTTP]\n", "      Protocol: HTTPX\n",
	     0},
	    {"      Protocol: !If [HasAlbCertificate, HTTPS, HTTP]\n", "      Protocol: HTTP\n", 1},
	    {"      Protocol: !If [HasAlbCertificate, HTTPS, HTTP]\n", "", 0},
	    /* a redirect's type and protocol exactly */
	    {forward,
	     "        - Type: redirects\n"
	     "          RedirectConfig: {Protocol: HTTPS}\n",
	     1},
	    {forward,
	     "        - Type: redirect\n"
	     "          RedirectConfig: {Protocol: HTTPSX}\n",
	     1},
	    {forward,
	     "        - Type: redirect\n"
	     "          RedirectConfig: {Protocol: HTTPS}\n",
	     0},
	    {forward,
	     "        - Type: redirect\n"
	     "          RedirectConfig: {Port: '443'}\n",
	     1},
	    {forward, "        - RedirectConfig: {Protocol: HTTPS}\n", 1},
	    /* every action, the first and the last */
	    {forward,
	     "        - Type: redirect\n"
	     "          RedirectConfig: {Protocol: HTTPS}\n"
	     "        - Type: forward\n",
	     1},
	    {forward,
	     "        - Type: forward\n"
	     "        - Type: redirect\n"
	     "          RedirectConfig: {Protocol: HTTPS}\n",
	     1},
	    {forward,
	     "        - Type: redirect\n"
	     "          RedirectConfig: {Protocol: HTTPS}\n"
	     "        - Type: redirect\n"
	     "          RedirectConfig: {Protocol: HTTPS}\n",
	     0},
	    /* a list a function makes (here !ToJsonString of redirects) is no list of
	     * actions: what it redirects is not known */
	    {"      DefaultActions:\n"
	     "        - Type: forward\n"
	     "          TargetGroupArn: !Ref TargetGroup\n",
	     "      DefaultActions: !ToJsonString\n"
	     "        - Type: redirect\n"
	     "          RedirectConfig: {Protocol: HTTPS}\n",
	     1},
	    /* no action at all redirects nothing */
	    {"      DefaultActions:\n"
	     "        - Type: forward\n"
	     "          TargetGroupArn: !Ref TargetGroup\n",
	     "      DefaultActions: []\n", 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		fixture fx;
		run(&fx, "dev", cases[i].from, cases[i].to);
		if (count(&fx, "SEC001", SEV_WARNING) != cases[i].n) {
			dump(&fx);
			fail_msg("case %zu: expected %zu", i, cases[i].n);
		}
		done(&fx);
	}

	fixture fx;
	/* the scheme `internal` exactly; none given is internet-facing */
	const char *schemes[] = {"      Scheme: internalx\n", "      Scheme: interna\n", ""};
	for (size_t i = 0; i < 3; i++) {
		run(&fx, "dev", "      Scheme: internal\n", schemes[i]);
		assert_true(has_message(&fx, "SEC001", "AlbListener serves plain HTTP: traffic"));
		done(&fx);
	}
	/* a listener that names no load balancer of the template: scheme unknown */
	run(&fx, "dev", "      LoadBalancerArn: !Ref Alb\n", "");
	assert_true(has_message(&fx, "SEC001", "AlbListener serves plain HTTP: traffic"));
	done(&fx);
	/* prod exactly */
	run(&fx, "prodx", NULL, NULL);
	assert_true(has_message(&fx, "SEC001", "(allowed outside prod)"));
	assert_false(has_message(&fx, "SEC001", "deploy refuses"));
	done(&fx);
	run(&fx, "prod", NULL, NULL);
	assert_false(has_message(&fx, "SEC001", "allowed outside prod"));
	done(&fx);
	/* the certificate as {Ref: X} names the field too */
	run(&fx, "dev", "        - - CertificateArn: !Ref AlbCertificateArn\n",
	    "        - - CertificateArn: {Ref: AlbCertificateArn}\n");
	assert_non_null(sec001(&fx));
	assert_string_equal(sec001(&fx)->field, "AlbCertificateArn");
	assert_string_equal(sec001(&fx)->hint,
	                    "set AlbCertificateArn to an ACM certificate ARN: the listener "
	                    "then serves HTTPS");
	done(&fx);
	/* a tag that only starts like !Ref names no parameter (the rendering refuses it,
	 * REN001, and goes on) */
	run(&fx, "dev", "        - - CertificateArn: !Ref AlbCertificateArn\n",
	    "        - - CertificateArn: !Refx AlbCertificateArn\n");
	assert_non_null(sec001(&fx));
	assert_string_equal(sec001(&fx)->field, "");
	done(&fx);
	/* a certificate of the template, no parameter: no field, the position is the
	 * listener's Protocol line */
	run(&fx, "dev",
	    "      Protocol: !If [HasAlbCertificate, HTTPS, HTTP]\n"
	    "      Certificates: !If\n"
	    "        - HasAlbCertificate\n"
	    "        - - CertificateArn: !Ref AlbCertificateArn\n"
	    "        - !Ref AWS::NoValue\n",
	    "      Protocol: HTTP\n"
	    "      Certificates:\n"
	    "        - CertificateArn: !Ref Alb\n");
	assert_non_null(sec001(&fx));
	assert_string_equal(sec001(&fx)->field, "");
	assert_string_equal(sec001(&fx)->hint,
	                    "serve HTTPS with an ACM certificate, or redirect HTTP to HTTPS");
	assert_int_equal(sec001(&fx)->line, 23);
	done(&fx);
}

/* A listener whose protocol is chosen by a parameter, no certificate: the field is the
 * protocol's parameter, in either branch of an Fn::If written as a mapping. */
static const char protocol_fragment[] = "Metadata:\n"
                                        "  AWS::CloudFormation::Interface:\n"
                                        "    ParameterGroups:\n"
                                        "      - Label: {default: Compute}\n"
                                        "        Parameters: [AlbProtocol]\n"
                                        "Parameters:\n"
                                        "  AlbProtocol:\n"
                                        "    Type: String\n"
                                        "    Description: protocol\n"
                                        "    Default: HTTP\n"
                                        "Resources:\n"
                                        "  AlbListener:\n"
                                        "    Type: AWS::ElasticLoadBalancingV2::Listener\n"
                                        "    Properties:\n"
                                        "      Port: 80\n"
                                        "      Protocol: !Ref AlbProtocol\n";

static void test_protocol_parameter(void **state)
{
	(void)state;
	const char *forms[] = {
	    "      Protocol: !Ref AlbProtocol\n",
	    "      Protocol:\n        Fn::If: [IsProd, !Ref AlbProtocol, !Ref AlbProtocol]\n",
	    "      Protocol: {Ref: AlbProtocol}\n",
	};
	for (size_t i = 0; i < 3; i++) {
		fixture fx;
		run_with(&fx, protocol_fragment, "dev", "      Protocol: !Ref AlbProtocol\n",
		         forms[i], NULL);
		const finding *x = sec001(&fx);
		if (!x)
			dump(&fx);
		assert_non_null(x);
		assert_string_equal(x->field, "AlbProtocol");
		assert_string_equal(x->hint, "set AlbProtocol so the listener serves HTTPS");
		done(&fx);
	}
}

/* ---- OBS008: every alarm topic has a recipient ------------------------------------- */

/* observability.yml's alarm topic in small: an e-mail subscription when AlarmEmail is
 * set, an alarm that notifies the topic. */
static const char topic_fragment[] = "Metadata:\n"
                                     "  AWS::CloudFormation::Interface:\n"
                                     "    ParameterGroups:\n"
                                     "      - Label: {default: Observability}\n"
                                     "        Parameters: [AlarmEmail]\n"
                                     "Parameters:\n"
                                     "  AlarmEmail:\n"
                                     "    Type: String\n"
                                     "    Description: e-mail\n"
                                     "    Default: ''\n"
                                     "Conditions:\n"
                                     "  HasAlarmEmail: !Not [!Equals [!Ref AlarmEmail, '']]\n"
                                     "Resources:\n"
                                     "  AlarmTopic:\n"
                                     "    Type: AWS::SNS::Topic\n"
                                     "    Properties:\n"
                                     "      TopicName: alarms\n"
                                     "  QuietTopic:\n"
                                     "    Type: AWS::SNS::Topic\n"
                                     "    Properties:\n"
                                     "      TopicName: quiet\n"
                                     "  AlarmEmailSubscription:\n"
                                     "    Type: AWS::SNS::Subscription\n"
                                     "    Condition: HasAlarmEmail\n"
                                     "    Properties:\n"
                                     "      TopicArn: !Ref AlarmTopic\n"
                                     "      Protocol: email\n"
                                     "      Endpoint: !Ref AlarmEmail\n"
                                     "  ErrorAlarm:\n"
                                     "    Type: AWS::CloudWatch::Alarm\n"
                                     "    Properties:\n"
                                     "      AlarmActions: [!Ref AlarmTopic]\n"
                                     "      OKActions: [!Ref AlarmTopic]\n";

static const finding *first_of(const fixture *fx, const char *rule)
{
	for (size_t i = 0; i < fx->f.n; i++)
		if (strcmp(fx->f.v[i].rule, rule) == 0)
			return &fx->f.v[i];
	return NULL;
}

/* No address: a warning on the field, whose fix names it and the one command that sets
 * it, in every environment; in prod it says deploy refuses it. The topic no alarm
 * notifies (QuietTopic) is no alarm topic. */
static void test_alarm_topic_without_recipient(void **state)
{
	(void)state;
	const char *envs[] = {"dev", "prod"};
	for (size_t i = 0; i < 2; i++) {
		fixture fx;
		run_with(&fx, topic_fragment, envs[i], NULL, NULL, NULL);
		if (count(&fx, "OBS008", SEV_WARNING) != 1)
			dump(&fx);
		assert_int_equal(count(&fx, "OBS008", SEV_WARNING), 1);
		assert_int_equal(count(&fx, "OBS008", SEV_ERROR), 0);
		const finding *x = first_of(&fx, "OBS008");
		assert_string_equal(x->field, "AlarmEmail");
		assert_non_null(strstr(x->hint, "--set AlarmEmail="));
		assert_true(has_message(&fx, "OBS008", "alarm topic AlarmTopic has no recipient"));
		assert_true(
		    has_message(&fx, "OBS008",
		                i ? "lmsctl deploy refuses this in prod" : "allowed outside prod"));
		done(&fx);
	}
}

static void test_alarm_topic_recipients(void **state)
{
	(void)state;
	fixture fx;
	/* an address */
	run_with(&fx, topic_fragment, "prod", "    Default: ''\n", "    Default: ops@example.com\n",
	         NULL);
	assert_int_equal(count(&fx, "OBS008", SEV_WARNING), 0);
	done(&fx);
	/* the topic's own subscription list */
	run_with(&fx, topic_fragment, "prod", "      TopicName: alarms\n",
	         "      TopicName: alarms\n"
	         "      Subscription: [{Protocol: https, Endpoint: 'https://pager.example'}]\n",
	         NULL);
	assert_int_equal(count(&fx, "OBS008", SEV_WARNING), 0);
	done(&fx);
	/* a subscription (that exists) to another topic is none of this one's */
	run_with(&fx, topic_fragment, "prod",
	         "    Condition: HasAlarmEmail\n"
	         "    Properties:\n"
	         "      TopicArn: !Ref AlarmTopic\n",
	         "    Properties:\n"
	         "      TopicArn: !Ref QuietTopic\n",
	         NULL);
	const finding *x = first_of(&fx, "OBS008");
	assert_non_null(x);
	/* no subscription of the template names the topic: the fix names the topic, and
	 * the finding points at it */
	assert_string_equal(x->field, "");
	assert_non_null(strstr(x->hint, "subscribe a recipient to AlarmTopic"));
	assert_non_null(x->file);
	done(&fx);
	/* a second alarm on the quiet topic makes it an alarm topic too */
	run_with(&fx, topic_fragment, "dev", "      AlarmActions: [!Ref AlarmTopic]\n",
	         "      AlarmActions: [!Ref AlarmTopic, !Ref QuietTopic]\n", NULL);
	assert_int_equal(count(&fx, "OBS008", SEV_WARNING), 2);
	done(&fx);
}

/* OBS008 at its edges: an empty Subscription list is no recipient; types exactly (a
 * `...SubscriptionX` is no subscription, an `...AlarmX` no alarm); the topic as {Ref: X};
 * a one-key mapping that only looks like a Ref, or a Ref with a second key, names no
 * topic; each subscription's parameter joined in the fix; an endpoint that is no
 * parameter names none. */
static void test_alarm_topic_edges(void **state)
{
	(void)state;
	fixture fx;
	run_with(&fx, topic_fragment, "dev", "      TopicName: alarms\n",
	         "      TopicName: alarms\n      Subscription: []\n", NULL);
	assert_int_equal(count(&fx, "OBS008", SEV_WARNING), 1);
	done(&fx);
	run_with(&fx, topic_fragment, "dev", "      TopicName: alarms\n",
	         "      TopicName: alarms\n"
	         "      Subscription: [{Protocol: email, Endpoint: a@example.com}]\n",
	         NULL);
	assert_int_equal(count(&fx, "OBS008", SEV_WARNING), 0);
	done(&fx);
	/* an unconditional subscription of another type is none */
	run_with(&fx, topic_fragment, "dev",
	         "    Type: AWS::SNS::Subscription\n    Condition: HasAlarmEmail\n",
	         "    Type: AWS::SNS::SubscriptionX\n", NULL);
	assert_int_equal(count(&fx, "OBS008", SEV_WARNING), 1);
	assert_string_equal(first_of(&fx, "OBS008")->field, "");
	done(&fx);
	/* ... and the same subscription of the real type is a recipient */
	run_with(&fx, topic_fragment, "dev",
	         "    Type: AWS::SNS::Subscription\n    Condition: HasAlarmEmail\n",
	         "    Type: AWS::SNS::Subscription\n", NULL);
	assert_int_equal(count(&fx, "OBS008", SEV_WARNING), 0);
	done(&fx);
	/* an alarm of another type makes no alarm topic */
	run_with(&fx, topic_fragment, "dev", "  ErrorAlarm:\n    Type: AWS::CloudWatch::Alarm\n",
	         "  ErrorAlarm:\n    Type: AWS::CloudWatch::AlarmX\n", NULL);
	assert_int_equal(count(&fx, "OBS008", SEV_WARNING), 0);
	done(&fx);
	/* a topic of another type is no topic */
	run_with(&fx, topic_fragment, "dev", "  AlarmTopic:\n    Type: AWS::SNS::Topic\n",
	         "  AlarmTopic:\n    Type: AWS::SNS::TopicX\n", NULL);
	assert_int_equal(count(&fx, "OBS008", SEV_WARNING), 0);
	done(&fx);
	/* the subscription's topic as {Ref: X}: its parameter is the field */
	run_with(&fx, topic_fragment, "dev", "      TopicArn: !Ref AlarmTopic\n",
	         "      TopicArn: {Ref: AlarmTopic}\n", NULL);
	assert_int_equal(count(&fx, "OBS008", SEV_WARNING), 1);
	assert_string_equal(first_of(&fx, "OBS008")->field, "AlarmEmail");
	done(&fx);
	const char *not_refs[] = {"      TopicArn: {Refx: AlarmTopic}\n",
	                          "      TopicArn: {Ref: AlarmTopic, Region: x}\n",
	                          "      TopicArn: [{Ref: AlarmTopic}]\n"};
	for (size_t i = 0; i < 3; i++) {
		run_with(&fx, topic_fragment, "dev", "      TopicArn: !Ref AlarmTopic\n",
		         not_refs[i], NULL);
		const finding *x = first_of(&fx, "OBS008");
		if (!x || strcmp(x->field, "") != 0)
			dump(&fx);
		assert_non_null(x);
		assert_string_equal(x->field, "");
		assert_string_equal(
		    x->hint, "subscribe a recipient to AlarmTopic (an AWS::SNS::Subscription)");
		done(&fx);
	}
	/* an endpoint that is no parameter: no field */
	run_with(&fx, topic_fragment, "dev", "      Endpoint: !Ref AlarmEmail\n",
	         "      Endpoint: !Ref AlarmTopic\n", NULL);
	assert_string_equal(first_of(&fx, "OBS008")->field, "");
	done(&fx);
	/* the endpoint's parameter in either branch of an Fn::If mapping */
	run_with(&fx, topic_fragment, "dev", "      Endpoint: !Ref AlarmEmail\n",
	         "      Endpoint:\n        Fn::If: [IsProd, ops@example.com, !Ref AlarmEmail]\n",
	         NULL);
	assert_string_equal(first_of(&fx, "OBS008")->field, "AlarmEmail");
	done(&fx);
	/* two subscriptions, each with its parameter: both in the fix, the first the field */
	run_with(&fx, topic_fragment, "dev", "  ErrorAlarm:\n",
	         "  SecondSubscription:\n"
	         "    Type: AWS::SNS::Subscription\n"
	         "    Condition: HasAlarmEmail\n"
	         "    Properties:\n"
	         "      TopicArn: !Ref AlarmTopic\n"
	         "      Protocol: email\n"
	         "      Endpoint: !Ref Environment\n"
	         "  ErrorAlarm:\n",
	         NULL);
	assert_string_equal(first_of(&fx, "OBS008")->field, "AlarmEmail");
	assert_string_equal(first_of(&fx, "OBS008")->hint,
	                    "set AlarmEmail or Environment to the address that receives the "
	                    "alarms (lmsctl init --set AlarmEmail=ops@example.com)");
	done(&fx);
	/* the first resource of the template is read too: an alarm, a subscription */
	run_with(&fx, topic_fragment, "dev", "Resources:\n",
	         "Resources:\n"
	         "  FirstAlarm:\n"
	         "    Type: AWS::CloudWatch::Alarm\n"
	         "    Properties:\n"
	         "      AlarmActions: [!Ref QuietTopic]\n",
	         NULL);
	assert_int_equal(count(&fx, "OBS008", SEV_WARNING), 2);
	done(&fx);
	run_with(&fx, topic_fragment, "dev", "Resources:\n",
	         "Resources:\n"
	         "  FirstSubscription:\n"
	         "    Type: AWS::SNS::Subscription\n"
	         "    Properties:\n"
	         "      TopicArn: !Ref AlarmTopic\n"
	         "      Protocol: email\n"
	         "      Endpoint: ops@example.com\n",
	         NULL);
	assert_int_equal(count(&fx, "OBS008", SEV_WARNING), 0);
	done(&fx);
	run_with(&fx, topic_fragment, "dev", "Resources:\n",
	         "Resources:\n"
	         "  FirstSubscription:\n"
	         "    Type: AWS::SNS::Subscription\n"
	         "    Condition: HasAlarmEmail\n"
	         "    Properties:\n"
	         "      TopicArn: !Ref AlarmTopic\n"
	         "      Protocol: email\n"
	         "      Endpoint: !Ref Environment\n",
	         NULL);
	assert_string_equal(first_of(&fx, "OBS008")->field, "Environment");
	done(&fx);
	/* prod exactly */
	run_with(&fx, topic_fragment, "prodx", NULL, NULL, NULL);
	assert_true(has_message(&fx, "OBS008", "(allowed outside prod)"));
	done(&fx);
}

static void test_listed_in_rules(void **state)
{
	(void)state;
	size_t n;
	const validate_rule *r = validate_rules(&n);
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		found = found || strcmp(r[i].id, "SEC001") == 0;
		if (i)
			assert_true(strcmp(r[i - 1].id, r[i].id) <
			            0); /* the table is in id order */
	}
	assert_true(found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_http_outside_prod_is_a_warning),
	    cmocka_unit_test(test_plain_http_in_prod_is_a_warning_deploy_refuses),
	    cmocka_unit_test(test_certificate_silences),
	    cmocka_unit_test(test_redirect_to_https_is_fine),
	    cmocka_unit_test(test_literal_http_points_at_the_template),
	    cmocka_unit_test(test_internet_facing_and_absent),
	    cmocka_unit_test(test_alarm_topic_without_recipient),
	    cmocka_unit_test(test_alarm_topic_recipients),
	    cmocka_unit_test(test_listener_edges),
	    cmocka_unit_test(test_protocol_parameter),
	    cmocka_unit_test(test_alarm_topic_edges),
	    cmocka_unit_test(test_listed_in_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
