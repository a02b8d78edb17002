#!/usr/bin/env bash
# The README's "Using it" section runs as written: every `./lmsctl` command it
# shows exits 0 from an empty directory, in order, and the example finding it
# quotes is what `validate` prints, line and column included, for the edit the
# example describes (the field and the value named in the finding).
set -u
lmsctl=${LMSCTL:-./lmsctl}
case $lmsctl in /*) ;; *) lmsctl=$PWD/$lmsctl ;; esac
src=${TOP_SRCDIR:-.}
readme=$src/README.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
pass=0

# the section, from its heading to the next one
sed -n '/^## Using it$/,/^## /p' "$readme" >"$tmp/section"
grep -E '^    \./lmsctl ' "$tmp/section" | sed -E 's/^    //; s/[[:space:]]+#.*$//' >"$tmp/commands"
grep -E '^    [a-z]+\.yml:[0-9]+:[0-9]+: ' "$tmp/section" | sed -E 's/^    //' >"$tmp/examples"
if [ ! -s "$tmp/commands" ] || [ ! -s "$tmp/examples" ]; then
	echo "FAIL readme: no commands or no example finding found under '## Using it'"
	exit 1
fi

mkdir "$tmp/run"
ln -s "$lmsctl" "$tmp/run/lmsctl"
cd "$tmp/run" || exit 1
while IFS= read -r cmd; do
	# the README's words, split as a shell would (no quoting in them)
	read -r -a argv <<<"$cmd"
	if "${argv[@]}" >out.txt 2>err.txt </dev/null; then
		pass=$((pass + 1))
	else
		echo "FAIL readme: '$cmd' exited $?"; sed 's/^/  | /' err.txt | head -5
		fail=$((fail + 1))
	fi
done <"$tmp/commands"

while IFS= read -r example; do
	file=${example%%:*}
	field=$(sed -nE 's/.*\[([A-Za-z0-9]+)\].*/\1/p' <<<"$example")
	value=$(sed -nE "s/.*\\] [^']*'([^']*)'.*/\\1/p" <<<"$example")
	if [ ! -f "$file" ] || [ -z "$field" ] || [ -z "$value" ]; then
		echo "FAIL readme: cannot replay the example: $example"; fail=$((fail + 1)); continue
	fi
	cp "$file" edited.yml
	sed -i -E "s|^([[:space:]]*$field:).*|\\1 '$value'|" edited.yml
	"./lmsctl" -m edited.yml validate >out.txt 2>err.txt </dev/null
	rc=$?
	if [ "$rc" != 1 ]; then
		echo "FAIL readme: validate after setting $field to '$value' exited $rc, the README says 1"
		fail=$((fail + 1)); continue
	fi
	if grep -qxF -- "${example/#$file:/edited.yml:}" out.txt err.txt; then
		pass=$((pass + 1))
	else
		echo "FAIL readme: the README's example finding is not what validate prints:"
		echo "  README:   $example"
		grep -h -- "\[$field\]" out.txt err.txt | sed "s/^edited.yml:/$file:/; s/^/  printed:  /"
		fail=$((fail + 1))
	fi
done <"$tmp/examples"

echo "readme: $pass passed, $fail failed"
[ "$fail" = 0 ]
