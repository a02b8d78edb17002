#!/usr/bin/env bash
# The command line from outside: exit codes, messages with FILE:LINE, no
# half-written output, and bad input of every kind handled without a crash.
set -u
lmsctl=${LMSCTL:-./lmsctl}
src=${TOP_SRCDIR:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
pass=0
fail=0

# expect NAME WANT_EXIT GREP_PATTERN -- COMMAND...
expect() {
	local name=$1 want=$2 pattern=$3
	shift 4
	"$@" >out.txt 2>err.txt </dev/null
	local got=$?
	if [ "$got" != "$want" ]; then
		echo "FAIL $name: exit $got, expected $want"; sed 's/^/  | /' err.txt | head -5
		fail=$((fail + 1)); return
	fi
	if [ -n "$pattern" ] && ! grep -Eq -- "$pattern" out.txt err.txt; then
		echo "FAIL $name: output lacks /$pattern/"; sed 's/^/  | /' out.txt err.txt | head -8
		fail=$((fail + 1)); return
	fi
	# a crash under the sanitizers exits non-zero with a report: never accepted
	if grep -q 'Sanitizer' err.txt; then
		echo "FAIL $name: sanitizer report"; head -20 err.txt; fail=$((fail + 1)); return
	fi
	pass=$((pass + 1))
}

expect version 0 '^lmsctl [0-9]' -- "$lmsctl" --version
expect help 0 'Usage: lmsctl' -- "$lmsctl" --help
expect unknown-command 2 "unknown command" -- "$lmsctl" frobnicate
expect unknown-option 2 "" -- "$lmsctl" --frobnicate
expect no-command 2 "Usage" -- "$lmsctl"
for c in init validate generate params; do
	expect "help-$c" 0 "Usage: lmsctl" -- "$lmsctl" "$c" --help
done
expect validate-builtin 0 "error\(s\)" -- "$lmsctl" validate
expect validate-bad-format 2 "--format" -- "$lmsctl" validate --format xml
expect init-bad-env 2 "dev, staging or prod" -- "$lmsctl" init --env test

expect init-prod 0 "" -- "$lmsctl" init --env prod -o prod.yml
expect init-refuses-overwrite 2 "exists" -- "$lmsctl" init --env prod -o prod.yml
expect init-force 0 "" -- "$lmsctl" init --env prod -o prod.yml --force
# a fresh prod model cannot know its certificate: SEC001 is a warning there,
# and deploy refuses prod without one (before any AWS call; see below)
expect validate-prod-no-certificate 0 "warning SEC001 \[AlbCertificateArn\].*deploy refuses" -- "$lmsctl" -m prod.yml validate
expect validate-prod 0 "0 error" -- "$lmsctl" -m prod.yml validate
# no alarm recipient (OBS008) is the other gate of prod: a warning on AlarmEmail
expect validate-prod-no-recipient 0 "warning OBS008 \[AlarmEmail\].*deploy refuses" -- "$lmsctl" -m prod.yml validate
# init --set KEY=VALUE (repeatable) writes a prod model the gates accept, in one command; a
# KEY that is no parameter or top-level key, or a value that breaks its constraint, is
# exit 2 and writes nothing
cert=arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
expect init-set 0 "" -- "$lmsctl" init --env prod --set AlarmEmail=ops@example.com --set "AlbCertificateArn=$cert" --set stack=lms-gated -o gated.yml
expect validate-gated 0 "0 error\(s\), 0 warning" -- "$lmsctl" -m gated.yml validate
grep -q '^stack: lms-gated$' gated.yml && grep -q '^  AlarmEmail: ops@example.com$' gated.yml &&
	pass=$((pass + 1)) || { echo "FAIL init-set: the values are not in the model"; fail=$((fail + 1)); }
expect init-set-unknown-key 2 "--set Nope: no template parameter" -- "$lmsctl" init --env prod --set AlarmEmail=ops@example.com --set Nope=1 -o set-bad.yml
expect init-set-bad-value 2 "--set AlarmEmail: value does not match" -- "$lmsctl" init --env prod --set AlarmEmail=ops -o set-bad.yml
expect init-set-bad-stack 2 "--set stack: '9x' is not a valid" -- "$lmsctl" init --set stack=9x -o set-bad.yml
expect init-set-bad-length 2 "--set AlarmEmail: value has the wrong length" -- "$lmsctl" init --set "AlarmEmail=$(printf 'a%.0s' $(seq 1 250))@example.com" -o set-bad.yml
expect init-set-no-equals 2 "--set wants KEY=VALUE" -- "$lmsctl" init --set AlarmEmail -o set-bad.yml
expect init-set-environment 2 "given by --env" -- "$lmsctl" init --set environment=prod -o set-bad.yml
[ ! -e set-bad.yml ] && pass=$((pass + 1)) || { echo "FAIL init --set with a bad KEY or value wrote the file"; fail=$((fail + 1)); }
expect validate-after-command 0 "0 error" -- "$lmsctl" validate -m prod.yml
expect validate-json 0 '"findings"' -- "$lmsctl" -m prod.yml validate --format json
python3 -c 'import json,sys; json.load(open("out.txt"))' || { echo "FAIL validate-json: not JSON"; fail=$((fail + 1)); }
# every finding of lmsctl's own names its rule's family and summary from the registry
# (validate --rules prints the same lines)
"$lmsctl" validate --rules >rules.txt
python3 - out.txt rules.txt <<'PY' && pass=$((pass + 1)) || { echo "FAIL validate-json: a finding lacks its registry summary"; fail=$((fail + 1)); }
import json, sys
reg = {}
for line in open(sys.argv[2]):
    p = line.split(None, 3)
    reg[p[0]] = (p[2], p[3].strip())
found = json.load(open(sys.argv[1]))["findings"]
assert found, "no findings to check"
for f in found:
    assert (f["family"], f["summary"]) == reg[f["id"]], f
PY

# a constraint broken in the file: exit 1, the field's own line
cp prod.yml broken.yml
sed -i 's/^  VpcCidr: .*/  VpcCidr: 10.40.0.0\/8/' broken.yml
line=$(grep -n '^  VpcCidr:' broken.yml | cut -d: -f1)
expect constraint-violated 1 "broken.yml:$line:[0-9]+: error PRM003 \[VpcCidr\]" -- "$lmsctl" -m broken.yml validate
expect generate-refuses-errors 1 "no template written" -- "$lmsctl" -m broken.yml generate -o t.yml
[ ! -e t.yml ] || { echo "FAIL generate left t.yml behind"; fail=$((fail + 1)); }
expect generate-no-validate 0 "" -- "$lmsctl" -m broken.yml generate --no-validate -o forced.yml

# malformed YAML: exit 2 with FILE:LINE
{ cat prod.yml; printf '\n  : [unclosed\n'; } >bad.yml
expect malformed 2 'bad\.yml:[0-9]+' -- "$lmsctl" -m bad.yml validate
# a value of the wrong type
sed 's/^  VpcCidr: .*/  VpcCidr: [10.0.0.0\/16]/' prod.yml >list.yml
expect wrong-type 2 'list\.yml:[0-9]+:[0-9]+: .VpcCidr. must be a single value' -- "$lmsctl" -m list.yml validate
sed 's/^  VpcCidr: .*/  VpcCidr:\n    a: b/' prod.yml >map.yml
expect wrong-type-map 2 'map\.yml:[0-9]+' -- "$lmsctl" -m map.yml validate
# a number that is not one
sed -i 's/^  FlowLogRetentionDays: .*/  FlowLogRetentionDays: ninety/' broken.yml
expect not-a-number 1 "PRM00[12] \[FlowLogRetentionDays\]" -- "$lmsctl" -m broken.yml validate
# unknown keys are findings with their line
{ cat prod.yml; printf 'colour: blue\n'; } >unknown.yml
expect unknown-top-key 1 "unknown\.yml:[0-9]+:1: error MDL001 \[colour\]" -- "$lmsctl" -m unknown.yml validate
sed 's/^  VpcCidr:/  VpcCidrr:/' prod.yml >typo.yml
expect unknown-param 1 "MDL001 \[VpcCidrr\].*did you mean VpcCidr" -- "$lmsctl" -m typo.yml validate
{ cat prod.yml; printf 'stack: again\n'; } >dup.yml
expect duplicate-key 2 "dup\.yml:[0-9]+:[0-9]+: duplicate key 'stack'" -- "$lmsctl" -m dup.yml validate
# unreadable input
expect missing-model 2 "missing\.yml.*cannot open" -- "$lmsctl" -m missing.yml validate
expect missing-model-generate 2 "" -- "$lmsctl" -m missing.yml generate -o t2.yml
[ ! -e t2.yml ] || { echo "FAIL failed generate left t2.yml"; fail=$((fail + 1)); }
mkdir adir
expect directory-model 2 "adir" -- "$lmsctl" -m adir validate
printf '\0\1\2' >binary.yml
expect binary-model 2 "binary\.yml" -- "$lmsctl" -m binary.yml validate
: >empty.yml
expect empty-model 2 "empty model file" -- "$lmsctl" -m empty.yml validate
head -c 3000000 /dev/zero | tr '\0' 'a' >huge.yml
expect huge-model 2 "larger than" -- "$lmsctl" -m huge.yml validate
# templates that do not parse, or break the conventions
cp -r "${LMSCTL_TEMPLATES:-$src/templates}" tpl
printf 'Resources:\n  Broken: [unclosed\n' >>tpl/network.yml
expect broken-fragment 2 "network\.yml:[0-9]+" -- "$lmsctl" --templates tpl validate
expect no-templates 2 "no templates in" -- "$lmsctl" --templates nowhere validate

# generate: to a file and to stdout, byte for byte
expect generate-file 0 "" -- "$lmsctl" -m prod.yml generate -o t.yml
"$lmsctl" -m prod.yml generate >t-stdout.yml
cmp -s t.yml t-stdout.yml && pass=$((pass + 1)) || { echo "FAIL generate stdout != file"; fail=$((fail + 1)); }
expect generate-unwritable 2 "" -- "$lmsctl" -m prod.yml generate -o /nonexistent/dir/t.yml
# a target that is not a regular file is written in place, never replaced
mkfifo fifo
cat fifo >fifo-out.txt &
"$lmsctl" -m prod.yml generate -o fifo 2>/dev/null
wait
[ -p fifo ] && cmp -s fifo-out.txt t.yml && pass=$((pass + 1)) || { echo "FAIL generate -o FIFO replaced it or wrote something else"; fail=$((fail + 1)); }

# params: export, edit, import, and the model file keeps its comments
expect params-export 0 '"ParameterKey": "VpcCidr"' -- "$lmsctl" -m prod.yml params export
"$lmsctl" -m prod.yml params export -o params.json
sed -i 's/"10.40.0.0\/16"/"10.50.0.0\/16"/' params.json
cp prod.yml imported.yml
expect params-import 0 "imported" -- "$lmsctl" -m imported.yml params import params.json
grep -q '^  VpcCidr: 10.50.0.0/16$' imported.yml && pass=$((pass + 1)) || { echo "FAIL import did not set VpcCidr"; fail=$((fail + 1)); }
changed=$(diff prod.yml imported.yml | grep -c '^[<>]')
[ "$changed" = 2 ] && pass=$((pass + 1)) || { echo "FAIL import changed $changed lines, expected 2"; diff prod.yml imported.yml | head; fail=$((fail + 1)); }
printf '[{"ParameterKey": "Nope", "ParameterValue": "x"}]' >badparams.json
cp prod.yml untouched.yml
expect params-import-unknown 2 "'Nope' is not a parameter" -- "$lmsctl" -m untouched.yml params import badparams.json
cmp -s prod.yml untouched.yml && pass=$((pass + 1)) || { echo "FAIL failed import changed the model"; fail=$((fail + 1)); }
printf '[{"ParameterKey": "VpcCidr",\n  "ParameterValue": }]' >syntax.json
expect params-import-syntax 2 "syntax\.json:2:[0-9]+" -- "$lmsctl" -m untouched.yml params import syntax.json
expect params-import-needs-model 2 "needs a model file" -- "$lmsctl" params import params.json

# saving keeps the file's mode
chmod 0640 imported.yml
"$lmsctl" -m imported.yml params import params.json 2>/dev/null
[ "$(stat -c %a imported.yml)" = 640 ] && pass=$((pass + 1)) || { echo "FAIL save changed the mode"; fail=$((fail + 1)); }
ls ./*.tmp* >/dev/null 2>&1 && { echo "FAIL temporary files left behind"; fail=$((fail + 1)); }

# An outside command-line contract checker (CLI_CONTRACT, or ../shared/tools/cli-contract
# beside a development checkout) runs when present; it is never required: the checks it
# makes are repeated below, so a clone of this repository alone tests the same contract.
contract=${CLI_CONTRACT:-"$src/../shared/tools/cli-contract"}
if [ -x "$contract" ]; then
	if "$contract" "$lmsctl" >contract.txt 2>&1; then pass=$((pass + 1)); else
		echo "FAIL cli-contract:"; grep -E '^FAIL' contract.txt; fail=$((fail + 1)); fi
else
	echo "note: no outside contract checker ($contract); the contract checks below run on their own"
fi

# ---- the command-line contract, as the project's own tests -------------------------------
todo=0
# a check that fails with any non-zero exit and a message (the exact code is not the contract)
# expect_fail NAME GREP_PATTERN -- COMMAND...
expect_fail() {
	local name=$1 pattern=$2
	shift 3
	"$@" >out.txt 2>err.txt </dev/null
	local got=$?
	if [ "$got" = 0 ] || [ "$got" -gt 125 ] || grep -q 'Sanitizer' err.txt; then
		echo "FAIL $name: exit $got, expected a refusal"; sed 's/^/  | /' err.txt | head -5
		fail=$((fail + 1)); return
	fi
	if ! grep -Eqi -- "$pattern" out.txt err.txt; then
		echo "FAIL $name: output lacks /$pattern/"; sed 's/^/  | /' out.txt err.txt | head -8
		fail=$((fail + 1)); return
	fi
	pass=$((pass + 1))
}
# the environment of a machine with no AWS configuration at all
noaws() {
	local unset_aws
	unset_aws=$(env | sed -n 's/^\(AWS_[A-Za-z0-9_]*\)=.*/-u \1/p')
	# shellcheck disable=SC2086
	env $unset_aws HOME="$tmp/home" NO_COLOR=1 AWS_EC2_METADATA_DISABLED=true "$@"
}
mkdir -p home

grep -q '#' prod.yml && pass=$((pass + 1)) || { echo "FAIL init: the model file carries no comments"; fail=$((fail + 1)); }
for c in render report; do
	expect "help-$c" 0 "Usage: lmsctl" -- "$lmsctl" "$c" --help
	"$lmsctl" -m prod.yml "$c" --format json >out.txt 2>err.txt </dev/null
	st=$?
	if { [ $st = 0 ] || [ $st = 1 ]; } && python3 -c 'import json; json.load(open("out.txt"))' 2>/dev/null; then
		pass=$((pass + 1))
	else
		echo "FAIL $c --format json: exit $st or not JSON"; head -3 err.txt; fail=$((fail + 1))
	fi
done
# --output FORMAT, the AWS CLI's spelling, on every data command: stdout is JSON and no file
# named after the format appears; a file is -o FILE or --output-file FILE, and a file name
# given to --output (its meaning before) is refused with the new spelling
for c in validate render report "params export"; do
	d="out-${c%% *}"
	# shellcheck disable=SC2086
	mkdir -p "$d" && (cd "$d" && "$lmsctl" -m ../prod.yml $c --output json >out.txt 2>err.txt </dev/null)
	if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$d/out.txt" 2>/dev/null && [ ! -e "$d/json" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL $c --output json does not print JSON on stdout$([ -e "$d/json" ] && echo ' (it wrote a file named json)')"
		fail=$((fail + 1))
	fi
done
for c in render report generate init; do
	expect "$c-output-file-word" 2 "output-file FILE" -- "$lmsctl" "$c" --output out-word.yml
	[ ! -e out-word.yml ] && pass=$((pass + 1)) || { echo "FAIL $c --output FILE wrote FILE"; fail=$((fail + 1)); rm -f out-word.yml; }
done
expect generate-output-json 2 "prints one only" -- "$lmsctl" generate --output json
[ ! -e json ] && pass=$((pass + 1)) || { echo "FAIL generate --output json wrote a file named json"; fail=$((fail + 1)); }
"$lmsctl" -m prod.yml render --output-file long-o.yml && cmp -s long-o.yml <("$lmsctl" -m prod.yml render) &&
	pass=$((pass + 1)) || { echo "FAIL render --output-file FILE is not the rendered template"; fail=$((fail + 1)); }
expect outputs-bad-format 2 "text\|json\|flat" -- "$lmsctl" outputs --output xml
for c in diff drift; do
	expect "help-$c" 0 "Usage: lmsctl \[-m MODEL\] $c" -- "$lmsctl" "$c" --help
	expect "$c-bad-format" 2 "text\|json" -- "$lmsctl" "$c" --output yaml
	expect "$c-output-file-word" 2 "output-file FILE" -- "$lmsctl" "$c" --output out-word.json
done
for c in deploy destroy; do
	expect_fail "$c-needs-yes" "--yes" -- noaws "$lmsctl" -m prod.yml "$c"
	expect_fail "$c-no-credentials" "credential" -- noaws "$lmsctl" -m gated.yml "$c" --yes
done
# the gates of prod refuse a fresh prod model before any AWS call (no credentials are
# looked for), each with its field and fix; dev is not gated
expect deploy-prod-gates 1 "OBS008 \[AlarmEmail\].*no recipient" -- noaws "$lmsctl" -m prod.yml deploy --yes
for want in "fix: set AlarmEmail" "SEC001 \[AlbCertificateArn\]" "fix: set AlbCertificateArn" "no AWS call was made"; do
	grep -Eq -- "$want" err.txt && pass=$((pass + 1)) || { echo "FAIL deploy-prod-gates: lacks /$want/"; fail=$((fail + 1)); }
done
# (the credential chain's own message would say none were found: it never ran)
grep -Eq "no AWS credentials found|has no credentials" err.txt && { echo "FAIL deploy-prod-gates: credentials were looked for"; fail=$((fail + 1)); } || pass=$((pass + 1))
expect deploy-prod-gates-allow-plain-http 1 "OBS008" -- noaws "$lmsctl" -m prod.yml deploy --yes --allow-plain-http
grep -q "SEC001" err.txt && { echo "FAIL --allow-plain-http still refuses SEC001"; fail=$((fail + 1)); } || pass=$((pass + 1))
"$lmsctl" init --env dev -o dev-gates.yml 2>/dev/null
expect_fail deploy-dev-not-gated "credential" -- noaws "$lmsctl" -m dev-gates.yml deploy --yes

# --stack edge: the companion in us-east-1, its parameters from the main stack's outputs
# as the model resolves them (placeholders where they need AWS)
expect render-edge-prod 0 "Scope: CLOUDFRONT" -- "$lmsctl" -m prod.yml render --stack edge
grep -q "OriginProtocolPolicy: http-only" out.txt && grep -q "HTTPSPort: 443" out.txt &&
	grep -q "loadbalancer/app/lms-alb-dev/0123456789abcdef" out.txt &&
	pass=$((pass + 1)) || { echo "FAIL render --stack edge: outputs not resolved (http-only, port 443, placeholder ARN)"; fail=$((fail + 1)); }
"$lmsctl" init --env prod --set AlbCertificateArn=arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012 \
	--set WebDomainName=lms.example.edu -o prod-cert.yml 2>/dev/null
expect render-edge-cert 0 "OriginProtocolPolicy: https-only" -- "$lmsctl" -m prod-cert.yml render --stack edge
grep -q "lms.example.edu" out.txt && pass=$((pass + 1)) || { echo "FAIL render --stack edge: WebDomainName not from the output"; fail=$((fail + 1)); }
expect generate-edge 0 "Default: https-only" -- "$lmsctl" -m prod-cert.yml generate --stack edge
grep -q "^Companions:\|LmsCtl::FromStackOutputs" out.txt && { echo "FAIL generate --stack edge copied lmsctl's metadata"; fail=$((fail + 1)); } || pass=$((pass + 1))
expect validate-edge 0 "0 error" -- "$lmsctl" -m prod.yml validate --stack edge
grep -q "MDL004\|SCL00" out.txt && { echo "FAIL validate --stack edge: region or capacity findings"; fail=$((fail + 1)); } || pass=$((pass + 1))
"$lmsctl" -m prod.yml render --stack main >main.txt && "$lmsctl" -m prod.yml render >default.txt && cmp -s main.txt default.txt &&
	pass=$((pass + 1)) || { echo "FAIL render --stack main is not the default"; fail=$((fail + 1)); }
for c in validate generate render; do
	expect "$c-stack-unknown" 2 "--stack must be one of main, edge, not 'edg'" -- "$lmsctl" "$c" --stack edg
done

# libcurl and libcrypto are opened on first use (aws/curl_loader.c, common/lazy_crypto.c): the
# program does not link them, the offline commands never load them, and a missing library is
# a clear error at the first AWS call
if command -v readelf >/dev/null; then
	readelf -d "$lmsctl" | grep -qE 'NEEDED.*(libcurl|libcrypto|libssl)' && { echo "FAIL lmsctl is linked with libcurl or libcrypto"; fail=$((fail + 1)); } || pass=$((pass + 1))
fi
for args in "validate" "generate -o ld.yml" "render" "report" "params export"; do
	# shellcheck disable=SC2086
	LD_DEBUG=libs "$lmsctl" -m prod.yml $args >/dev/null 2>ld.txt </dev/null
	grep -qE 'libcurl|libcrypto' ld.txt && { echo "FAIL $args loaded libcurl or libcrypto"; fail=$((fail + 1)); } || pass=$((pass + 1))
done
LD_DEBUG=libs "$lmsctl" init --env dev -o ld-init.yml >/dev/null 2>ld.txt </dev/null
grep -qE 'libcurl|libcrypto' ld.txt && { echo "FAIL init loaded libcurl or libcrypto"; fail=$((fail + 1)); } || pass=$((pass + 1))
expect_fail deploy-without-libcurl "cannot load /nonexistent/libcurl\.so\.4.*libcurl4" -- \
	noaws AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=example AWS_REGION=eu-west-1 \
	LMSCTL_LIBCURL=/nonexistent/libcurl.so.4 "$lmsctl" -m ld-init.yml deploy --yes
# no credentials configured: the machine's own would come over HTTP, so a missing libcurl is
# the message, not credentials that did not answer
expect_fail deploy-without-libcurl-nor-credentials "cannot load /nonexistent/libcurl\.so\.4" -- \
	noaws env -u AWS_EC2_METADATA_DISABLED LMSCTL_LIBCURL=/nonexistent/libcurl.so.4 \
	"$lmsctl" -m ld-init.yml deploy --yes
expect_fail deploy-without-libcrypto "cannot load /nonexistent/libcrypto\.so\.3.*libssl3" -- \
	noaws AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=example AWS_REGION=eu-west-1 \
	LMSCTL_LIBCRYPTO=/nonexistent/libcrypto.so.3 "$lmsctl" -m ld-init.yml deploy --yes

# --output json on failure: stdout carries {"error": {"code": N, "message": ...}} with N the
# exit status, which stays (cli/errors.c, the one helper deploy and status use too); a
# document the command prints at exit 1 carries the same object as its "error" member;
# without --output json stdout stays empty; a success carries no error
json_error() { # NAME WANT_EXIT MESSAGE_PATTERN -- COMMAND...
	local name=$1 want=$2 pattern=$3
	shift 4
	"$@" >out.txt 2>err.txt </dev/null
	local got=$?
	if [ "$got" = "$want" ] && python3 - "$want" "$pattern" out.txt <<'PY'; then
import json, re, sys
want, pattern, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
doc = json.load(open(path))
e = doc["error"]
assert e["code"] == want, e
assert re.search(pattern, e["message"]), e["message"]
PY
		pass=$((pass + 1))
	else
		echo "FAIL $name: exit $got (expected $want) or no error object /$pattern/"; sed 's/^/  | /' out.txt err.txt | head -8
		fail=$((fail + 1))
	fi
}
printf 'stack: [unclosed\n' >unparsable.yml
for c in validate render report "params export"; do
	# shellcheck disable=SC2086
	json_error "$c-json-missing-model" 2 "nope\.yml" -- "$lmsctl" -m nope.yml $c --output json
	# shellcheck disable=SC2086
	json_error "$c-json-bad-model" 2 "unparsable\.yml:[0-9]+" -- "$lmsctl" -m unparsable.yml $c --output json
	# shellcheck disable=SC2086
	"$lmsctl" -m nope.yml $c >out.txt 2>/dev/null </dev/null
	[ ! -s out.txt ] && pass=$((pass + 1)) || { echo "FAIL $c: an error object without --output json"; fail=$((fail + 1)); }
	# shellcheck disable=SC2086
	"$lmsctl" -m prod.yml $c --output json >out.txt 2>/dev/null </dev/null
	python3 -c 'import json,sys; d=json.load(open("out.txt")); sys.exit(isinstance(d, dict) and "error" in d)' &&
		pass=$((pass + 1)) || { echo "FAIL $c: an error member in a success"; fail=$((fail + 1)); }
done
json_error report-json-missing-previous 2 "gone\.yml" -- "$lmsctl" -m prod.yml report --output json --previous gone.yml
# --previous compares both stacks: a previous model with another suffix replaces the named
# resources of the main stack and of the edge (its web ACL), each change saying its stack; the
# same model as previous replaces nothing in either
sed 's/^suffix: .*/suffix: old/' prod.yml >prev-suffix.yml
expect report-previous-both-stacks 0 '"update"' -- "$lmsctl" -m prod.yml report --output json --previous prev-suffix.yml
python3 - out.txt <<'PY' && pass=$((pass + 1)) || { echo "FAIL report --previous: the edge stack's changes are missing or untagged"; fail=$((fail + 1)); }
import json, sys
up = json.load(open(sys.argv[1]))["update"]
assert all(u.get("stack") in ("main", "edge") for u in up), up[:3]
edge = {u["id"]: u for u in up if u["stack"] == "edge"}
assert edge.get("WebAcl", {}).get("change") == "replace", sorted(edge)
assert "Name" in edge["WebAcl"]["why"], edge["WebAcl"]
assert any(u["stack"] == "main" and u["id"] == "DatabaseCluster" for u in up)
PY
expect report-previous-text-edge 0 'WebAcl \(edge stack\) \(AWS::WAFv2::WebACL\): Name' -- "$lmsctl" -m prod.yml report --previous prev-suffix.yml
expect report-previous-same 0 '"update": \[\]' -- "$lmsctl" -m prod.yml report --output json --previous prod.yml
json_error render-json-bad-account 2 "12 digits" -- "$lmsctl" -m prod.yml render --output json --account-id 12
sed 's/^  VpcCidr: .*/  VpcCidr: 10.40.0.0\/8/' prod.yml >bad-cidr.yml
json_error validate-json-findings 1 "[1-9][0-9]* error" -- "$lmsctl" -m bad-cidr.yml validate --output json
python3 -c 'import json; d=json.load(open("out.txt")); assert d["errors"] >= 1 and d["findings"]' &&
	pass=$((pass + 1)) || { echo "FAIL validate --output json at exit 1 lost its findings"; fail=$((fail + 1)); }
json_error report-json-findings 1 "[1-9][0-9]* error" -- "$lmsctl" -m bad-cidr.yml report --output json
json_error params-import-json-missing 2 "gone\.json: cannot open" -- "$lmsctl" -m prod.yml params import gone.json --output json

echo "cli: $pass passed, $fail failed, $todo todo"
[ $fail = 0 ]
