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
# gen NAME ENV [--templates DIR]: init and generate one model's template
# (STACK=edge: its companion stack); cfn-lint runs once per region over all
# of them below (one process: cfn-lint's start-up is a good part of its time)
names_eu=()
names_us=()
gen() {
	local name=$1 env=$2
	shift 2
	"$lmsctl" "$@" init --env "$env" -o "$tmp/$name.yml" 2>/dev/null || { echo "init $name failed"; rc=1; return; }
	[ -z "${INSTITUTIONS:-}" ] || printf '%s\n' "$INSTITUTIONS" >>"$tmp/$name.yml"
	"$lmsctl" "$@" -m "$tmp/$name.yml" generate --stack "${STACK:-main}" -o "$tmp/template-$name.yml" || { echo "generate $name failed"; rc=1; return; }
	if [ "${REGION:-eu-west-1}" = us-east-1 ]; then names_us+=("$name"); else names_eu+=("$name"); fi
}
# lint REGION NAME...: one cfn-lint over the templates, then each one's verdict
lint() {
	local region=$1 name out bad info
	shift
	[ $# -gt 0 ] || return 0
	local files=()
	for name in "$@"; do files+=("$tmp/template-$name.yml"); done
	out=$(cfn-lint --format parseable -r "$region" -c I -- "${files[@]}" 2>&1)
	for name in "$@"; do
		# parseable lines start with the file's path
		mine=$(printf '%s\n' "$out" | grep -F "$tmp/template-$name.yml:")
		bad=$(printf '%s\n' "$mine" | grep -E ':[EW][0-9]{4}:')
		info=$(printf '%s\n' "$mine" | grep -cE ':I[0-9]{4}:')
		if [ -n "$bad" ]; then
			echo "cfn-lint $name: errors or warnings:"
			printf '%s\n' "$bad" | cut -c1-300 | head -40
			rc=1
		else
			echo "cfn-lint $name: clean ($info informational, $(wc -c <"$tmp/template-$name.yml") bytes)"
		fi
		[ "$info" = 0 ] || printf '%s\n' "$mine" | grep -E ':I[0-9]{4}:' | head -20
	done
	# an error that names no file (cfn-lint itself failed) fails the test too
	if printf '%s\n' "$out" | grep -v -F "$tmp/template-" | grep -qE '[^[:space:]]'; then
		echo "cfn-lint ($region) said:"
		printf '%s\n' "$out" | grep -v -F "$tmp/template-" | head -20
		rc=1
	fi
}
one='institutions:
  - {name: nus, rate: 2000, burst: 2000, quota: 5000000, principal: "arn:aws:iam::123456789012:role/nus-lms"}'
three="$one
  - {name: ntu, rate: 1500, burst: 3000}
  - {name: smu-law, rate: 200, burst: 400}"
for env in dev staging prod; do
	gen "$env" "$env"
	INSTITUTIONS=$one gen "$env-1-institution" "$env"
	INSTITUTIONS=$three gen "$env-3-institutions" "$env"
	grep -q 'ApiInstitutionSmuLawKeyRotation:' "$tmp/template-$env-3-institutions.yml" ||
		{ echo "$env: no generated institution resources"; rc=1; }
	STACK=edge REGION=us-east-1 gen "edge-$env" "$env"
done
# the console's moto fixture is deployed by tests/console_moto.py: it is real CloudFormation too
gen console-moto dev --templates "$src/tests/fixtures/console-moto"
lint eu-west-1 "${names_eu[@]}"
lint us-east-1 "${names_us[@]}"
exit $rc
