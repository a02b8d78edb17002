#!/usr/bin/env python3
"""docs/pdpa.md and docs/availability.md name the same rules as the registry.

The registry (model/rules.def, its obligations column; `lmsctl validate
--rules --output json`) says which rules each obligation rests on, and
`lmsctl report` derives each obligation's status from them. The docs say the
same to a reader: in docs/pdpa.md's map, the Proof column of each PDPA
obligation names exactly the rule ids the registry gives that obligation; in
docs/availability.md, the paragraph starting "Rules:" names exactly the
availability rules. Adding a rule to an obligation without the docs, or the
docs naming a rule the registry does not give the obligation, fails here.

docs/availability.md's composite figures are the report's too: the bold
"as built" row of each path's table (API path, web path) gives the percent
and the minutes `lmsctl report --output json` computes for a prod model
(availability.composite), to the doc's precision.

Environment: LMSCTL, TOP_SRCDIR.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

ROWS = {  # the map's first cell, bold, to the registry's obligation
    "Protection": "protection",
    "Retention limitation": "retention",
    "Transfer limitation": "transfer",
    "Accountability": "accountability",
    "Access and correction": "access",
    "Data breach notification": "breach-notification",
}
RULE_ID = re.compile(r"\b[A-Z]{3}[0-9]{3}\b")


def main():
    lmsctl = os.environ.get("LMSCTL", "lmsctl")
    top = os.environ.get("TOP_SRCDIR", ".")
    out = subprocess.run([lmsctl, "validate", "--rules", "--output", "json"], capture_output=True, text=True,
                         check=True).stdout
    by_obligation = {}
    for r in json.loads(out):
        for o in r["obligations"]:
            by_obligation.setdefault(o, set()).add(r["id"])
    fail = 0

    def compare(where, key, named):
        nonlocal fail
        want = by_obligation.get(key, set())
        if named != want:
            fail += 1
            print(f"FAIL {where}: names {sorted(named)}, the registry gives {key} {sorted(want)}")
            if want - named:
                print(f"  missing from the doc: {', '.join(sorted(want - named))}")
            if named - want:
                print(f"  not the registry's for {key}: {', '.join(sorted(named - want))}")

    seen = set()
    for line in open(os.path.join(top, "docs", "pdpa.md")):
        m = re.match(r"\| \*\*([^*]+)\*\*", line)
        if not m or m.group(1) not in ROWS:
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        key = ROWS[m.group(1)]
        seen.add(key)
        compare(f"docs/pdpa.md, {m.group(1)}, Proof column", key, set(RULE_ID.findall(cells[-1])))
    for key in set(ROWS.values()) - seen:
        fail += 1
        print(f"FAIL docs/pdpa.md: no row for the {key} obligation")

    # the paragraph that starts "Rules:", to the next blank line
    paras = open(os.path.join(top, "docs", "availability.md")).read().split("\n\n")
    rules_lines = [p for p in paras if p.startswith("Rules:")]
    if len(rules_lines) != 1:
        fail += 1
        print("FAIL docs/availability.md: expected one paragraph starting 'Rules:'")
    else:
        compare("docs/availability.md, Rules:", "availability", set(RULE_ID.findall(rules_lines[0])))
    fail += check_composite(lmsctl, os.path.join(top, "docs", "availability.md"))
    print(f"{len(seen)} PDPA obligations and availability checked against the registry; {fail} failure(s)")
    return 1 if fail else 0


def check_composite(lmsctl, doc):
    """The bold "as built" rows of docs/availability.md against the report."""
    with tempfile.TemporaryDirectory(prefix="lmsctl-pdpa-doc-") as d:
        model = os.path.join(d, "prod.yml")
        subprocess.run([lmsctl, "init", "--env", "prod", "-o", model], check=True, capture_output=True)
        p = subprocess.run([lmsctl, "-m", model, "report", "--output", "json"], capture_output=True, text=True)
    paths = {c["path"]: c for c in json.loads(p.stdout)["availability"]["composite"]}
    rows = {}
    for line in open(doc):
        m = re.match(r"\| \*\*\+ .*as built\*\* \| \*\*([0-9.]+)%\*\* \| \*\*([0-9.]+) min\*\* \|", line)
        if m:
            rows["web" if "signed-in page" in line else "api"] = (m.group(1), m.group(2))
    fail = 0
    for path in ("api", "web"):
        got = paths.get(path)
        want = rows.get(path)
        if not got or not want:
            print(f"FAIL docs/availability.md: the {path} path's as-built row or the report's figure is missing")
            fail += 1
            continue
        figures = (f"{got['percent']:.3f}", f"{got['downtime_minutes_30_days']:.1f}")
        if figures != want:
            print(f"FAIL docs/availability.md: the {path} path as built says {want[0]}% and {want[1]} min, "
                  f"the report {figures[0]}% and {figures[1]} min")
            fail += 1
    return fail


if __name__ == "__main__":
    sys.exit(main())
