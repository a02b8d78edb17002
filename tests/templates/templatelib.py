"""Loading the platform template for the template tests.

The template under test is, in this order:

* the files named by the environment variables LMSCTL_TEMPLATE and
  LMSCTL_TEMPLATE_DEV (what ``lmsctl generate`` wrote for a prod and a dev
  model: the assembled templates CI lints and deploys), each that is set;
* when neither is set, the fragments of templates/catalog.yml, assembled here by a
  plain merge of their sections. That merge is not lmsctl's assembler (it
  keeps no comments and writes no parameter defaults from a model), but it
  yields the same resources, parameters, conditions and outputs, which is
  all these tests read.

YAML is read with cfn-lint's loader, which understands the short forms of
the intrinsic functions (!Ref, !Sub, ...) and turns them into their
{"Fn::...": ...} mappings.
"""

import os

from cfnlint.decode import cfn_yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TEMPLATES = os.path.join(REPO, "templates")

SECTIONS = ("Parameters", "Conditions", "Mappings", "Resources", "Outputs")


def load(path):
    """Parse one CloudFormation YAML file into plain dicts and lists."""
    return cfn_yaml.load(path)


def fragment(name):
    """One fragment of templates/, e.g. fragment("data.yml")."""
    return load(os.path.join(TEMPLATES, name))


def assemble(templates_dir=TEMPLATES):
    """Merge the catalog's fragments into one template (see module doc)."""
    catalog = load(os.path.join(templates_dir, "catalog.yml"))
    out = {"AWSTemplateFormatVersion": "2010-09-09",
           "Description": catalog.get("Description", "")}
    if "Transform" in catalog:
        out["Transform"] = catalog["Transform"]
    groups, labels = [], {}
    for name in catalog["Fragments"]:
        frag = load(os.path.join(templates_dir, name))
        for section in SECTIONS:
            for key, value in (frag.get(section) or {}).items():
                merged = out.setdefault(section, {})
                if key in merged:
                    raise ValueError("%s: %s %s defined twice"
                                     % (name, section, key))
                merged[key] = value
        iface = (frag.get("Metadata") or {}).get(
            "AWS::CloudFormation::Interface") or {}
        groups += iface.get("ParameterGroups") or []
        labels.update(iface.get("ParameterLabels") or {})
    out["Metadata"] = {"AWS::CloudFormation::Interface": {
        "ParameterGroups": groups, "ParameterLabels": labels}}
    return out


TEMPLATE_VARIABLES = ("LMSCTL_TEMPLATE", "LMSCTL_TEMPLATE_DEV")


def generated_paths():
    """The generated templates named by the environment, in order."""
    return [os.environ[v] for v in TEMPLATE_VARIABLES if os.environ.get(v)]


def templates():
    """[(template, description of where it came from)], never empty."""
    paths = generated_paths()
    if paths:
        return [(load(p), p) for p in paths]
    return [(assemble(), "fragments of %s (LMSCTL_TEMPLATE unset)"
             % TEMPLATES)]


def resources(tpl, type_name=None):
    """(logical id, resource) pairs, optionally of one type."""
    for logical_id, res in (tpl.get("Resources") or {}).items():
        if type_name is None or res.get("Type") == type_name:
            yield logical_id, res


def ref_target(value):
    """The logical id a {"Ref": X} or {"Fn::GetAtt": [X, ...]} points at."""
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"]
        if "Fn::GetAtt" in value:
            att = value["Fn::GetAtt"]
            return att[0] if isinstance(att, list) else att.split(".")[0]
    return None


def as_list(value):
    return value if isinstance(value, list) else [value]
