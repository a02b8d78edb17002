#!/usr/bin/env python3
"""Extract the create-only properties of the resource types the templates use
from the CloudFormation resource provider schemas that cfn-lint ships, into
data/create-only.json (read by lmsctl's update-safety analysis).

    scripts/extract-create-only.py [--region eu-west-1] [--templates templates]
                                   [--output data/create-only.json] [TYPE...]

The schemas are cfn-lint's: cfnlint/data/schemas/providers/<region>.py maps
each type to a hash, and cfnlint/data/schemas/resources/<hash>.json is the
schema. The types are every `Type: AWS::...` in the templates plus those given
on the command line (and a few the platform is expected to use). Paths are
written without their leading "/properties/". Rerun it when a template starts
using a new type: tests/test_analysis.c fails until the data file lists it.
"""
import argparse
import importlib
import json
import os
import re
import sys

# Types the platform's tiers use or are expected to use, besides those found.
EXPECTED = [
    "AWS::ApiGateway::Account", "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Method",
    "AWS::ApiGateway::RestApi", "AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::VpcLink",
    "AWS::ApplicationAutoScaling::ScalableTarget", "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::CloudTrail::Trail", "AWS::CloudWatch::Alarm", "AWS::CloudWatch::Dashboard",
    "AWS::CodeBuild::Project", "AWS::CodePipeline::Pipeline", "AWS::Cognito::UserPool",
    "AWS::ECR::Repository", "AWS::ECS::Cluster", "AWS::ECS::Service", "AWS::ECS::TaskDefinition",
    "AWS::EFS::AccessPoint", "AWS::EFS::FileSystem", "AWS::EFS::MountTarget",
    "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::Events::Rule", "AWS::Kinesis::Stream",
    "AWS::KinesisFirehose::DeliveryStream", "AWS::S3::Bucket", "AWS::S3::BucketPolicy",
    "AWS::SNS::Topic", "AWS::SNS::TopicPolicy", "AWS::WAFv2::WebACL",
    "AWS::WAFv2::WebACLAssociation",
]


def strip(paths):
    return [p[len("/properties/"):] if p.startswith("/properties/") else p for p in paths or []]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--region", default="eu-west-1")
    ap.add_argument("--templates", default=os.path.join(top, "templates"))
    ap.add_argument("--output", default=os.path.join(top, "data", "create-only.json"))
    ap.add_argument("types", nargs="*")
    args = ap.parse_args()

    import cfnlint  # noqa: F401  (pip install cfn-lint)
    providers = importlib.import_module(
        "cfnlint.data.schemas.providers." + args.region.replace("-", "_"))
    resources = os.path.join(os.path.dirname(providers.__file__), "..", "resources")

    wanted = set(EXPECTED) | set(args.types)
    # the companion stacks' catalogs (templates/edge/) too
    paths = sorted(os.path.join(d, n) for d, _, names in os.walk(args.templates)
                   for n in names)
    for path in paths:
        if path.endswith(".yml"):
            with open(path, encoding="utf-8") as f:
                wanted |= set(re.findall(r"^\s+Type:\s+'?(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)",
                                         f.read(), re.M))
    out = {}
    for t in sorted(wanted):
        h = providers.types.get(t)
        if not h:
            print("not in the %s schemas: %s" % (args.region, t), file=sys.stderr)
            continue
        with open(os.path.join(resources, h + ".json"), encoding="utf-8") as f:
            schema = json.load(f)
        entry = {"createOnly": strip(schema.get("createOnlyProperties"))}
        cond = strip(schema.get("conditionalCreateOnlyProperties"))
        if cond:
            entry["conditionalCreateOnly"] = cond
        out[t] = entry
    import cfnlint.version
    doc = {
        "source": "cfn-lint %s resource provider schemas, %s" % (cfnlint.version.__version__,
                                                                 args.region),
        "made_by": "scripts/extract-create-only.py",
        "types": out,
    }
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    print("%s: %d types" % (args.output, len(out)), file=sys.stderr)


if __name__ == "__main__":
    main()
