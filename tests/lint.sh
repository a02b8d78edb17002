#!/usr/bin/env bash
# The assembled template of every environment kind passes cfn-lint with zero
# errors and warnings (informational findings are printed, not fatal), with
# 0, 1 and 3 institutions in the model (their generated resources), so does the
# edge stack's (--stack edge, linted for us-east-1), and so does the
# template of the console's moto fixture catalog.
set -u
lmsctl=${LMSCTL:-./lmsctl}
command -v cfn-lint >/dev/null || { echo "SKIP: cfn-lint is not installed (pip install cfn-lint)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
src=${TOP_SRCDIR:-.}
# lint NAME ENV [--templates DIR]: init, generate and cfn-lint one model
# (STACK=edge REGION=us-east-1: its companion stack)
lint() {
	local name=$1 env=$2
	shift 2
	"$lmsctl" "$@" init --env "$env" -o "$tmp/$name.yml" 2>/dev/null || { echo "init $name failed"; rc=1; return; }
	[ -z "${INSTITUTIONS:-}" ] || printf '%s\n' "$INSTITUTIONS" >>"$tmp/$name.yml"
	"$lmsctl" "$@" -m "$tmp/$name.yml" generate --stack "${STACK:-main}" -o "$tmp/template-$name.yml" || { echo "generate $name failed"; rc=1; return; }
	out=$(cfn-lint --format parseable -r "${REGION:-eu-west-1}" -c I -- "$tmp/template-$name.yml" 2>&1)
	bad=$(printf '%s\n' "$out" | grep -E ':[EW][0-9]{4}:')
	info=$(printf '%s\n' "$out" | grep -cE ':I[0-9]{4}:')
	if [ -n "$bad" ]; then
		echo "cfn-lint $name: errors or warnings:"
		printf '%s\n' "$bad" | cut -c1-300 | head -40
		rc=1
	else
		echo "cfn-lint $name: clean ($info informational, $(wc -c <"$tmp/template-$name.yml") bytes)"
	fi
	[ "$info" = 0 ] || printf '%s\n' "$out" | grep -E ':I[0-9]{4}:' | head -20
}
one='institutions:
  - {name: nus, rate: 2000, burst: 2000, quota: 5000000, principal: "arn:aws:iam::123456789012:role/nus-lms"}'
three="$one
  - {name: ntu, rate: 1500, burst: 3000}
  - {name: smu-law, rate: 200, burst: 400}"
for env in dev staging prod; do
	lint "$env" "$env"
	INSTITUTIONS=$one lint "$env-1-institution" "$env"
	INSTITUTIONS=$three lint "$env-3-institutions" "$env"
	grep -q 'ApiInstitutionSmuLawKeyRotation:' "$tmp/template-$env-3-institutions.yml" ||
		{ echo "$env: no generated institution resources"; rc=1; }
	STACK=edge REGION=us-east-1 lint "edge-$env" "$env"
done
# the console's moto fixture is deployed by tests/console_moto.py: it is real CloudFormation too
lint console-moto dev --templates "$src/tests/fixtures/console-moto"
exit $rc
