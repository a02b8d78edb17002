#!/usr/bin/env bash
# The assembled template of every environment kind passes cfn-lint with zero
# errors and warnings (informational findings are printed, not fatal).
set -u
lmsctl=${LMSCTL:-./lmsctl}
command -v cfn-lint >/dev/null || { echo "SKIP: cfn-lint is not installed (pip install cfn-lint)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
for env in dev staging prod; do
	"$lmsctl" init --env "$env" -o "$tmp/$env.yml" 2>/dev/null || { echo "init $env failed"; rc=1; continue; }
	"$lmsctl" -m "$tmp/$env.yml" generate -o "$tmp/template-$env.yml" || { echo "generate $env failed"; rc=1; continue; }
	out=$(cfn-lint --format parseable -r eu-west-1 -c I -- "$tmp/template-$env.yml" 2>&1)
	bad=$(printf '%s\n' "$out" | grep -E ':[EW][0-9]{4}:')
	info=$(printf '%s\n' "$out" | grep -cE ':I[0-9]{4}:')
	if [ -n "$bad" ]; then
		echo "cfn-lint $env: errors or warnings:"
		printf '%s\n' "$bad" | cut -c1-300 | head -40
		rc=1
	else
		echo "cfn-lint $env: clean ($info informational, $(wc -c <"$tmp/template-$env.yml") bytes)"
	fi
	[ "$info" = 0 ] || printf '%s\n' "$out" | grep -E ':I[0-9]{4}:' | head -20
done
exit $rc
