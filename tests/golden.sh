#!/usr/bin/env bash
# `init` and `generate` for each environment kind match their golden files
# byte for byte, and generate is deterministic; so does `report` in its three
# formats (text and markdown for prod against dev, with the update section),
# and so do the resources generated for three institutions of a prod model
# (the institutions.yml parts of its template). UPDATE_GOLDEN=1 rewrites them.
set -u
lmsctl=${LMSCTL:-./lmsctl}
golden=${TOP_SRCDIR:-.}/tests/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
compare() { # produced expected
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$1" "$2"
		echo "updated $2"
	elif ! cmp -s "$1" "$2"; then
		echo "differs from $2 (UPDATE_GOLDEN=1 make check to accept):"
		diff -u "$2" "$1" | head -40
		rc=1
	fi
}
for env in dev staging prod; do
	"$lmsctl" init --env "$env" -o "$tmp/$env.yml" 2>/dev/null || { echo "init $env failed"; rc=1; continue; }
	compare "$tmp/$env.yml" "$golden/init-$env.yml"
	"$lmsctl" -m "$tmp/$env.yml" generate -o "$tmp/t1.yml" || { rc=1; continue; }
	"$lmsctl" -m "$tmp/$env.yml" generate >"$tmp/t2.yml" || { rc=1; continue; }
	cmp -s "$tmp/t1.yml" "$tmp/t2.yml" || { echo "generate $env: -o and stdout differ"; rc=1; }
	compare "$tmp/t1.yml" "$golden/template-$env.yml"
done
# report exits 1 when a finding is an error: the output is what is compared
for f in "text txt --previous dev.yml" "markdown md --previous dev.yml" "json json"; do
	set -- $f
	(cd "$tmp" && "$lmsctl" -m prod.yml report --format "$1" "${@:3}" >"report-prod.$2")
	[ $? -le 1 ] || { echo "report --format $1 failed"; rc=1; continue; }
	compare "$tmp/report-prod.$2" "$golden/report-prod.$2"
done
# the institutions' generated resources and outputs, as they appear in the template
cp "$tmp/prod.yml" "$tmp/prod-inst.yml"
cat >>"$tmp/prod-inst.yml" <<'EOF'
institutions:
  - {name: nus, rate: 2000, burst: 2000, quota: 5000000, principal: 'arn:aws:iam::123456789012:role/nus-lms-keys'}
  - {name: ntu, rate: 1500, burst: 3000}
  - {name: smu-law, rate: 200, burst: 400}
EOF
if "$lmsctl" -m "$tmp/prod-inst.yml" generate --no-validate -o "$tmp/t-inst.yml" 2>/dev/null; then
	awk '/# ---- institutions.yml ----/ {on = 1} on && /^[A-Z]/ {on = 0} on' "$tmp/t-inst.yml" >"$tmp/institutions-prod.yml"
	compare "$tmp/institutions-prod.yml" "$golden/institutions-prod.yml"
else
	echo "generate with institutions failed"
	rc=1
fi
[ $rc = 0 ] && echo "golden files match"
exit $rc
