#!/usr/bin/env python3
"""The security posture gate: AWS Control Tower's proactive controls over the
generated template of dev, staging and prod.

AWS publishes its Control Tower proactive controls as cfn-guard rules (npm
package @cdklabs/cdk-validator-cfnguard, installed and pinned by
scripts/guard-install.sh). This test

1. generates the template of each environment kind with the built lmsctl
   (LMSCTL) from the model `lmsctl init --env KIND` writes, with two
   institutions (INSTITUTIONS: their generated resources are judged too);
2. resolves it for that environment the way CloudFormation hands resources to
   the Control Tower hooks at deploy time, with lmsctl's own renderer
   (`lmsctl render --format json`, the one evaluator of intrinsic
   functions): every Ref to a parameter becomes the environment's value,
   conditions are decided, Fn::If picks its branch, resources whose condition
   is false disappear, AWS::NoValue is removed, Fn::Sub/Join/Select/FindInMap
   over known values are folded and `!GetAtt X.Attr` is written in its list
   form. Whatever needs AWS (GetAtt values, Ref to resources, the account id)
   stays symbolic, a symbolic Fn::Sub written as its Fn::Join. Without this
   step every Ref to a parameter fails any rule that compares a value, and
   the three environments could not differ;
3. runs cfn-guard with every rule over the three resolved templates in one
   process (`validate -o json`, structured output);
4. maps each failure to (control id, logical id): the control id is the
   `[CT.X.PR.N]` the rule prints, the logical id comes from the
   `/Resources/<LogicalId>/...` paths of the failing checks, kept to the
   resource types the rule reports on (the rules ignore suppression
   metadata, so this is the only way to tell resources apart);
5. compares them with the exceptions table of docs/security-posture.md and
   fails on a failure the table does not list AND on a listed exception that
   no longer fires, so the table stays true.

Standard library only. Usage (scripts/check runs it so):

    LMSCTL=_build/check/lmsctl python3 tests/guard.py --guard "$(scripts/guard-install.sh)"

Each environment is two stacks: the main one and its companion, the edge
stack (`--stack edge`, us-east-1: CloudFront and its WAF); their logical ids
differ, so one exceptions table serves both.

Options: --keep DIR keeps the resolved templates and cfn-guard's output;
--raw evaluates the templates as generated, unresolved (a diagnostic: its
failures are not the gate's); --env KIND runs one environment only.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ENVIRONMENTS = ("dev", "staging", "prod")


class GateError(Exception):
    """Something the gate cannot work around: a clear message, exit 2."""


# ---- the template as the Control Tower hooks see it ---------------------------
#
# lmsctl's renderer is the one evaluator of intrinsic functions: `lmsctl
# render --format json` prints the template resolved for the model (the same
# view `lmsctl validate --external` hands cfn-guard). What stays symbolic
# needs AWS. Two presentation steps remain here, neither evaluates anything:
# a symbolic Fn::Sub is written as the Fn::Join it stands for (rules know
# Join: CT.S3.PR.8 reads an object ARN as Join [GetAtt Bucket.Arn, /*]), and
# a condition the renderer could not decide is an error.


def _sub_as_join(arg):
    """A symbolic Fn::Sub (its template, and the variables still needed) as
    the Fn::Join it stands for; each ${X} left is a Ref, ${X.Attr} a GetAtt."""
    if isinstance(arg, list):
        text, names = arg[0], (arg[1] if len(arg) > 1 else {})
    else:
        text, names = arg, {}
    pieces, pos = [], 0
    for m in re.finditer(r"\$\{([^}]*)\}", text):
        pieces.append(text[pos : m.start()])
        pos = m.end()
        var = m.group(1)
        if var.startswith("!"):
            pieces.append("${" + var[1:] + "}")
        elif var in names:
            pieces.append(_joined(names[var]))
        elif "." in var:
            pieces.append({"Fn::GetAtt": var.split(".", 1)})
        else:
            pieces.append({"Ref": var})
    pieces.append(text[pos:])
    merged = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        elif piece != "":
            merged.append(piece)
    if all(isinstance(piece, str) for piece in merged):
        return "".join(merged)
    if len(merged) == 1:
        return merged[0]
    return {"Fn::Join": ["", merged]}


def _joined(node):
    """The rendered tree with every symbolic Fn::Sub written as Fn::Join."""
    if isinstance(node, list):
        return [_joined(x) for x in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1 and "Fn::Sub" in node:
        return _sub_as_join(node["Fn::Sub"])
    return {k: _joined(v) for k, v in node.items()}


STACKS = ("main", "edge")


def render(lmsctl, model, path, stack="main"):
    """The template rendered for `model` (lmsctl render --format json),
    written to `path` as cfn-guard reads it, and returned."""
    p = subprocess.run([lmsctl, "-m", model, "render", "--stack", stack, "--format", "json"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise GateError(f"lmsctl render: exit {p.returncode}: {p.stderr.strip()[:1000]}")
    view = json.loads(p.stdout)
    undecided = sorted((view.get("Conditions") or {}).keys())
    if undecided:
        raise GateError(f"conditions cannot be decided for this environment: {', '.join(undecided)}")
    view = _joined(view)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(view, f, indent=1)
    return view


# ---- the rules ---------------------------------------------------------------


class RuleInfo:
    def __init__(self, path):
        text = open(path, encoding="utf-8").read()
        # the rule cfn-guard reports is the one declared with a `when`
        # (once for templates, once for hooks); the header's identifier is
        # wrong in at least one file (ct-elasticache-pr-3)
        names = set(re.findall(r"^rule ([A-Za-z0-9_]+) when", text, re.M))
        if len(names) != 1:
            raise GateError(f"{path}: expected one primary rule, found {sorted(names)}")
        self.name = names.pop()
        ids = sorted(set(re.findall(r"\[(CT\.[A-Z0-9-]+\.PR\.[0-9]+)\]", text)))
        if len(ids) == 1:
            self.control = ids[0]
        else:
            # a few rules print no id: it is the file's name (ct-waf-regional-pr-1)
            base = os.path.basename(path)[: -len(".guard")]
            m2 = re.fullmatch(r"ct-(.+)-pr-([0-9]+)", base)
            if not m2:
                raise GateError(f"{path}: cannot tell the control id")
            self.control = f"CT.{m2.group(1).upper()}.PR.{m2.group(2)}"
        m = re.search(r"# Reports on:\s*\n((?:#\s+AWS::\S+\s*\n)+)", text)
        self.reports_on = set(re.findall(r"AWS::\S+", m.group(1))) if m else set()
        self.path = path


def load_rules(rules_dir):
    files = sorted(glob.glob(os.path.join(rules_dir, "**", "*.guard"), recursive=True))
    if not files:
        raise GateError(f"no .guard rules under {rules_dir}")
    rules = {}
    for f in files:
        r = RuleInfo(f)
        if r.name in rules:
            raise GateError(f"rule {r.name} is defined by {rules[r.name].path} and {f}")
        rules[r.name] = r
    return rules


def _failing_resources(node, out):
    """Logical ids in the paths of a not_compliant rule's checks."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "path" and isinstance(v, str):
                m = re.match(r"/Resources/([^/]+)", v)
                if m:
                    out.add(m.group(1))
            else:
                _failing_resources(v, out)
    elif isinstance(node, list):
        for v in node:
            _failing_resources(v, out)


def run_guard(guard, rule_sets, files):
    """cfn-guard over each file with its rules, one process per file, side
    by side."""
    procs = []
    for f, rule_paths in zip(files, rule_sets):
        cmd = [guard, "validate"]
        for r in rule_paths:
            cmd += ["-r", r]
        cmd += ["-d", f, "-o", "json", "-S", "none", "-z"]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    reports = []
    for f, p in zip(files, procs):
        out, err = p.communicate()
        # 0: every rule passed or skipped; 19: some rule failed; else an error
        if p.returncode not in (0, 19):
            raise GateError(f"cfn-guard exited {p.returncode} on {f}: {err.strip()[:2000]}")
        try:
            reports.extend(json.loads(out))
        except json.JSONDecodeError as e:
            raise GateError(f"cfn-guard's output is not JSON ({e}): {out[:300]!r}")
    return reports


def evaluate(report, rules, templates):
    """{rule name: (status, {logical ids})} for one file's report."""
    by_rule = {}
    for rule_name in report.get("not_applicable", []):
        by_rule.setdefault(rule_name, ("skip", set()))
    for rule_name in report.get("compliant", []):
        by_rule[rule_name] = ("pass", set())
    for entry in report.get("not_compliant", []):
        rule_name = entry["Rule"]["name"]
        ids = set()
        _failing_resources(entry, ids)
        rule = rules.get(rule_name)
        if rule and rule.reports_on:
            typed = {i for i in ids if templates.get(i, {}).get("Type") in rule.reports_on}
            ids = typed or ids
        prev = by_rule.get(rule_name)
        if prev and prev[0] == "fail":
            ids |= prev[1]
        by_rule[rule_name] = ("fail", ids)
    return by_rule


# ---- the exceptions table ------------------------------------------------------


def load_exceptions(path):
    """{(control, logical id, env): reason} from the table whose header is
    `| rule | logical id | environments | reason |`."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out = {}
    in_table = False
    for n, line in enumerate(lines, 1):
        if not line.strip().startswith("|"):
            in_table = False
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if [c.lower() for c in cells] == ["rule", "logical id", "environments", "reason"]:
            in_table = True
            continue
        if not in_table or set(line.replace("|", "").strip()) <= set("-: "):
            continue
        if len(cells) != 4:
            raise GateError(
                f"{path}:{n}: an exception row has 4 cells: rule | logical id | environments | reason"
            )
        control, ids, envs, reason = (c.replace("`", "") for c in cells)
        if not re.fullmatch(r"CT\.[A-Z0-9-]+\.PR\.[0-9]+", control):
            raise GateError(f"{path}:{n}: '{control}' is not a control id like CT.S3.PR.1")
        if len(reason) < 20:
            raise GateError(f"{path}:{n}: the reason must be argued, not '{reason}'")
        env_list = ENVIRONMENTS if envs.strip().lower() == "all" else [e.strip() for e in envs.split(",")]
        for e in env_list:
            if e not in ENVIRONMENTS:
                raise GateError(f"{path}:{n}: unknown environment '{e}' (dev, staging, prod or all)")
        for lid in re.split(r"[,\s]+", ids.strip()):
            if not lid:
                continue
            for e in env_list:
                key = (control, lid, e)
                if key in out:
                    raise GateError(f"{path}:{n}: {control} {lid} {e} is listed twice")
                out[key] = (reason, n)
    return out


# ---- main ----------------------------------------------------------------------


# Values a prod deploy must be given because no default can hold them; the
# gate evaluates prod as it is deployed (lmsctl validate makes their absence an
# error: SEC001 for the certificate). Each applies when the model has the key.
DEPLOY_VALUES = {
    "prod": {
        "AlbCertificateArn": "arn:aws:acm:eu-west-1:111122223333:certificate/"
        "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        # the web path's alias and its viewer certificate (us-east-1): without
        # them CloudFront's default certificate admits TLS 1.0
        "WebDomainName": "lms.example.edu",
        "WebCertificateArn": "arn:aws:acm:us-east-1:111122223333:certificate/"
        "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    },
}


# Institutions in every model, so that the gate judges the resources lmsctl
# generates for them (docs/api-limits.md, "One key per institution"): one with
# a principal (its key secret's resource policy), one without.
INSTITUTIONS = """
institutions:
  - {name: nus, rate: 2000, burst: 2000, quota: 5000000, principal: 'arn:aws:iam::111122223333:role/nus-lms-keys'}
  - {name: smu-law, rate: 200, burst: 400}
"""


def _run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise GateError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()[:1000]}")


def generate(lmsctl, env, workdir, stack="main"):
    """The model `lmsctl init --env ENV` writes, with DEPLOY_VALUES, and its
    generated template of STACK (paths). Generated with --no-validate: the posture is judged
    apart from the model's other findings, which other tests own."""
    model = os.path.join(workdir, f"{env}.yml")
    template = os.path.join(workdir, f"template-{env}{'' if stack == 'main' else '-' + stack}.yml")
    _run([lmsctl, "init", "--env", env, "-o", model, "--force"])
    values = DEPLOY_VALUES.get(env, {})
    text = open(model, encoding="utf-8").read()
    for key, value in values.items():
        text = re.sub(rf"(?m)^(\s+{re.escape(key)}:).*$", lambda m: f"{m.group(1)} {value}", text)
    with open(model, "w", encoding="utf-8") as f:
        f.write(text + INSTITUTIONS)
    _run([lmsctl, "-m", model, "generate", "--stack", stack, "--no-validate", "-o", template])
    return model, template


def default_rules(guard):
    # <package>/bin/<os>/<arch>/cfn-guard -> <package>/rules/control-tower/cfn-guard
    pkg = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(guard)))))
    return os.path.join(pkg, "rules", "control-tower", "cfn-guard")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--guard", default=os.environ.get("CFN_GUARD"),
                    help="the cfn-guard binary (scripts/guard-install.sh prints it)")
    ap.add_argument("--rules", default=os.environ.get("GUARD_RULES"),
                    help="the Control Tower rules directory")
    ap.add_argument("--lmsctl", default=os.environ.get("LMSCTL"))
    ap.add_argument("--exceptions",
                    default=os.path.join(os.environ.get("TOP_SRCDIR", REPO), "docs", "security-posture.md"))
    ap.add_argument("--env", action="append", choices=ENVIRONMENTS)
    ap.add_argument("--keep", help="keep the templates and cfn-guard's output in this directory")
    ap.add_argument("--raw", action="store_true", help="evaluate the templates unresolved (diagnostic)")
    ap.add_argument("--all-rules", action="store_true",
                    help="run every rule, also those whose resource types the template lacks")
    args = ap.parse_args(argv)
    if not args.guard:
        raise GateError("no cfn-guard: give --guard PATH (scripts/guard-install.sh prints it) "
                        "or set CFN_GUARD")
    if not args.lmsctl:
        raise GateError("no lmsctl: give --lmsctl PATH or set LMSCTL")
    rules_dir = args.rules or default_rules(args.guard)
    envs = args.env or list(ENVIRONMENTS)
    t0 = time.monotonic()
    rules = load_rules(rules_dir)
    exceptions = load_exceptions(args.exceptions)
    workdir = args.keep or tempfile.mkdtemp(prefix="lmsctl-guard-")
    os.makedirs(workdir, exist_ok=True)
    files, templates = {}, {}
    units = [(env, stack) for env in envs for stack in STACKS]
    for env, stack in units:
        model, yml = generate(args.lmsctl, env, workdir, stack)
        resolved = os.path.join(workdir, f"resolved-{env}-{stack}.json")
        view = render(args.lmsctl, model, resolved, stack)
        # --raw hands cfn-guard the generated YAML; the resources it names are
        # still read from the rendering (those whose condition is false then
        # show by their type only through cfn-guard's own paths)
        templates[env, stack] = view.get("Resources") or {}
        files[env, stack] = yml if args.raw else resolved
    # Every Control Tower rule skips a template without the resource types it
    # reports on (its Scenario 1): only the others are run, three times
    # faster. --all-rules runs all of them, to check that this holds.
    rule_sets = []
    for unit in units:
        types = {r.get("Type") for r in templates[unit].values() if isinstance(r, dict)}
        if args.all_rules:
            rule_sets.append([rules_dir])
        else:
            wanted = (r.path for r in rules.values() if not r.reports_on or r.reports_on & types)
            rule_sets.append(sorted(wanted))
    reports = run_guard(args.guard, rule_sets, [files[u] for u in units])
    if args.keep:
        with open(os.path.join(workdir, "guard.json"), "w", encoding="utf-8") as f:
            json.dump(reports, f, indent=1)
    by_file = {os.path.realpath(r["name"]): r for r in reports}

    problems = []
    fired = set()
    print(f"cfn-guard: {len(rules)} Control Tower rules from {rules_dir}")
    for unit in units:
        env, stack = unit
        report = by_file.get(os.path.realpath(files[unit]))
        if report is None:
            raise GateError(f"cfn-guard reported nothing for {files[unit]}")
        status = evaluate(report, rules, templates[unit])
        unknown = set(status) - set(rules)
        if unknown:
            raise GateError(
                f"cfn-guard reported rules the rules directory does not define: {sorted(unknown)}"
            )
        passed = sum(1 for s, _ in status.values() if s == "pass")
        skipped = len(rules) - sum(1 for s, _ in status.values() if s in ("pass", "fail"))
        failed_rules = {n: ids for n, (s, ids) in status.items() if s == "fail"}
        excepted_rules = 0
        for name, ids in sorted(failed_rules.items(), key=lambda x: rules[x[0]].control):
            control = rules[name].control
            if not ids:
                problems.append(f"{env}: {control} ({name}) failed on no resource the gate can name")
                continue
            listed = True
            for lid in sorted(ids):
                key = (control, lid, env)
                fired.add(key)
                if key not in exceptions:
                    listed = False
                    problems.append(
                        f"{env}: {control} ({name}) fails on {lid} and docs/security-posture.md does not list it"
                    )
            excepted_rules += listed
        print(
            f"{env}{'' if stack == 'main' else ' ' + stack}: {passed} passed, {len(failed_rules)} failed "
            f"({excepted_rules} excepted for every resource they fail on), {skipped} not applicable"
        )
        for name, ids in sorted(failed_rules.items(), key=lambda x: rules[x[0]].control):
            print(f"  {rules[name].control:32} {', '.join(sorted(ids))}")
    for (control, lid, env), (reason, line) in sorted(exceptions.items()):
        if env in envs and (control, lid, env) not in fired:
            problems.append(
                f"{os.path.basename(args.exceptions)}:{line}: the exception {control} {lid} ({env}) "
                "no longer fires: remove it"
            )
    print(f"exceptions listed: {len({(c, l) for c, l, e in exceptions})} (rule, resource) pairs")
    print(f"time: {time.monotonic() - t0:.1f} s")
    if args.raw:
        print("(--raw: unresolved templates; a diagnostic, not the gate)")
    if problems:
        print()
        for p in problems:
            print("FAIL " + p)
        return 1
    print("security posture: every failure is an exception listed with its reason")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except GateError as e:
        print(f"guard: {e}", file=sys.stderr)
        sys.exit(2)
