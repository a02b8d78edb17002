#!/usr/bin/env bash
# `lmsctl validate --external`: cfn-lint's and cfn-guard's findings merged
# with lmsctl's, labelled with their tool and rule, placed on the fragment
# or the model field; a missing or failing tool is one note and changes
# nothing else. The tools here are fakes that print canned output.
set -u
lmsctl=${LMSCTL:-./lmsctl}
lmsctl=$(cd "$(dirname "$lmsctl")" && pwd)/$(basename "$lmsctl")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $1"; sed 's/^/  | /' out.txt err.txt | head -20; fail=$((fail + 1)); }
# after every run: a crash under the sanitizers is never accepted
san() { grep -q Sanitizer err.txt && bad "sanitizer report" || true; }

mkdir bin rules empty
# cfn-lint: an error on a resource, a warning on a parameter
cat >bin/cfn-lint <<'FAKE'
#!/bin/sh
for a in "$@"; do last=$a; done
[ -s "$last" ] || { echo "no template $last" >&2; exit 1; }
cat <<'JSON'
[{"Level": "Error", "Message": "Additional properties are not allowed ('CidrBlok' was unexpected)",
  "Location": {"Path": ["Resources", "Vpc", "Properties", "CidrBlock"]},
  "Rule": {"Id": "E3002", "ShortDescription": "Resource properties are invalid"}},
 {"Level": "Warning", "Message": "Parameter VpcCidr not used.",
  "Location": {"Path": ["Parameters", "VpcCidr"]}, "Rule": {"Id": "W2001"}}]
JSON
exit 6
FAKE
# cfn-guard: one failed control on a resource; checks it was given the
# resolved template (JSON, no Fn::If left in the VPC)
cat >bin/cfn-guard <<'FAKE'
#!/bin/sh
data=
while [ $# -gt 0 ]; do [ "$1" = -d ] && data=$2; shift; done
grep -q '"Resources"' "$data" || { echo "not a template: $data" >&2; exit 5; }
cp "$data" resolved-seen.json
cat <<'JSON'
[{"name": "t", "status": "FAIL", "compliant": [], "not_applicable": [],
  "not_compliant": [{"Rule": {"name": "vpc_check", "messages": {"custom_message": null},
    "checks": [{"Rule": {"name": "check", "messages": {"custom_message":
      "\n  [CT.EC2.PR.99]: Require a VPC to be checked\n  [FIX]: Check the VPC.\n  "},
      "checks": [{"Clause": {"Unary": {"check": {"Resolved": {"value":
        {"path": "/Resources/Vpc/Properties/EnableDnsSupport", "value": true}}}}}}]}}]}}]}]
JSON
exit 19
FAKE
chmod +x bin/cfn-lint bin/cfn-guard

"$lmsctl" init --env dev -o dev.yml 2>/dev/null || { echo "FAIL init"; exit 1; }
vpccidr_line=$(grep -n '^  VpcCidr:' dev.yml | cut -d: -f1)

# both tools found on PATH (LMSCTL_CFN_LINT/LMSCTL_CFN_GUARD would come first)
unset LMSCTL_CFN_LINT LMSCTL_CFN_GUARD
PATH="$tmp/bin:$PATH" LMSCTL_GUARD_RULES="$tmp/rules" \
	"$lmsctl" -m dev.yml validate --external >out.txt 2>err.txt
rc=$?
san
[ $rc = 1 ] && ok || bad "a cfn-lint error makes validate exit 1 (got $rc)"
grep -Eq 'network\.yml:[0-9]+:[0-9]+: error cfn-lint:E3002 Additional properties' out.txt && ok ||
	bad "cfn-lint error labelled and placed on network.yml"
grep -Eq "^dev\.yml:$vpccidr_line:[0-9]+: warning cfn-lint:W2001 \[VpcCidr\]" out.txt && ok ||
	bad "cfn-lint warning on a parameter points at the model field"
grep -Eq 'network\.yml:[0-9]+:[0-9]+: warning guard:CT\.EC2\.PR\.99 Vpc: Require a VPC to be checked \(fix: Check the VPC\.\)' out.txt && ok ||
	bad "cfn-guard finding labelled with its control and resource"
[ -s resolved-seen.json ] && ! grep -q '"Fn::If"' resolved-seen.json && ok ||
	bad "cfn-guard reads the resolved template"
grep -q 'error(s)' out.txt && [ ! -s err.txt ] && ok || bad "no notes when both tools ran"

# JSON output carries the labels too
PATH="$tmp/bin:$PATH" LMSCTL_GUARD_RULES="$tmp/rules" \
	"$lmsctl" -m dev.yml validate --external --format json >out.txt 2>err.txt
san
python3 -c 'import json,sys; d=json.load(open("out.txt")); ids={f["id"] for f in d["findings"]}; sys.exit(0 if {"cfn-lint:E3002","cfn-lint:W2001","guard:CT.EC2.PR.99"} <= ids else 1)' &&
	ok || bad "--format json lists the external findings"

# neither tool: one note each, the exit code of validate alone
"$lmsctl" validate >base.txt 2>/dev/null
base_rc=$?
PATH="$tmp/empty" LMSCTL_CFN_GUARD= "$lmsctl" validate --external >out.txt 2>err.txt
rc=$?
san
[ $rc = $base_rc ] && ok || bad "missing tools leave the exit code alone ($rc, not $base_rc)"
[ "$(grep -c 'cfn-lint: not found' err.txt)" = 1 ] && ok || bad "one line for a missing cfn-lint"
[ "$(grep -c 'cfn-guard: not found' err.txt)" = 1 ] && ok || bad "one line for a missing cfn-guard"
[ "$(wc -l <err.txt)" = 2 ] && ok || bad "nothing else on stderr"
cmp -s out.txt base.txt && ok || bad "the findings are validate's own"

# a tool that fails: a note, and the other tool's findings still come
cat >bin/cfn-guard <<'FAKE'
#!/bin/sh
echo "Parse error: boom" >&2
exit 5
FAKE
PATH="$tmp/bin:$PATH" LMSCTL_GUARD_RULES="$tmp/rules" \
	"$lmsctl" -m dev.yml validate --external >out.txt 2>err.txt
san
grep -q 'cfn-guard: .*failed (exit 5): Parse error: boom' err.txt && ok || bad "a failing cfn-guard is a note"
grep -q 'cfn-lint:E3002' out.txt && ok || bad "cfn-lint still reported"

# a variable set empty turns its tool off, whatever PATH holds
PATH="$tmp/bin:$PATH" LMSCTL_GUARD_RULES="$tmp/rules" LMSCTL_CFN_LINT= \
	"$lmsctl" -m dev.yml validate --external >out.txt 2>err.txt
san
grep -q 'cfn-lint: not found' err.txt && ! grep -q 'cfn-lint:E3002' out.txt && ok ||
	bad "LMSCTL_CFN_LINT= turns cfn-lint off"

# the process rules (common/proc.h): a tool that hangs with a child, detaches, floods or
# dies by a signal costs bounded time, is one note, and leaves no process behind (the fake
# writes its pid and its child's; their process group must be empty afterwards)
running() { # a pid that exists and is not a zombie
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
	[ "$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]
}
group_running() { # a live member of process group $1
	cat /proc/[0-9]*/stat 2>/dev/null |
		awk -v g="$1" '{ sub(/.*\) /, ""); if ($3 == g && $1 != "Z") f = 1 } END { exit !f }'
}
proc_case() { # name, script body, expected note (ERE), timeout (2 s)
	printf '#!/bin/sh\necho $$ >"%s/tool.pid"\n%s\n' "$tmp" "$2" >bin/cfn-lint
	chmod +x bin/cfn-lint
	rm -f tool.pid child.pid
	start=$(date +%s)
	PATH="$tmp/bin:$PATH" LMSCTL_CFN_GUARD= LMSCTL_EXTERNAL_TIMEOUT=${4:-2} \
		timeout 40 "$lmsctl" -m dev.yml validate --external >out.txt 2>err.txt
	rc=$?
	took=$(($(date +%s) - start))
	san
	[ $rc != 124 ] && [ $took -le 10 ] && ok || bad "$1: bounded time (took ${took}s, rc $rc)"
	grep -Eq "$3" err.txt && ok || bad "$1: the note says what happened"
	pid=$(cat tool.pid 2>/dev/null)
	child=$(cat child.pid 2>/dev/null)
	left=
	running "$pid" && left="$left tool"
	running "$child" && left="$left child"
	[ -n "$pid" ] && group_running "$pid" && left="$left group"
	[ -z "$left" ] && ok || bad "$1: nothing left running ($left)"
	[ -n "$pid" ] && kill -9 -- "-$pid" 2>/dev/null
	[ -n "$child" ] && kill -9 "$child" 2>/dev/null
}
proc_case hang "sleep 30 & echo \$! >'$tmp/child.pid'; wait" \
	'cfn-lint: .*did not finish within 2 seconds; it and the processes it started were stopped'
proc_case detach "exec >&- 2>&-; sleep 30" \
	'cfn-lint: .*closed its output but did not exit within 3 seconds; it and the processes' 8
proc_case flood "(trap '' PIPE TERM; yes) & echo \$! >'$tmp/child.pid'; wait" \
	'cfn-lint: .*wrote more than [0-9]+ KiB'
proc_case signal "sleep 30 & echo \$! >'$tmp/child.pid'; kill -9 \$\$" \
	'cfn-lint: .*was killed by signal 9'
proc_case outlive "sleep 30 & echo \$! >'$tmp/child.pid'; echo '[]'" \
	'processes it left running were stopped'

echo "external: $pass passed, $fail failed"
[ $fail = 0 ]
