#!/usr/bin/env bash
# The bash completion, called as bash calls it (COMP_WORDS, COMP_CWORD, then COMPREPLY):
# commands, a command's options, model files, environment kinds, output formats and
# parameter names after --set. The zsh and fish files are syntax-checked when the shells
# are installed.
set -u
src=${TOP_SRCDIR:-.}
lmsctl=${LMSCTL:-lmsctl}
rc=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/prod.yml" "$tmp/dev.yaml" "$tmp/notes.txt" "$tmp/params.json"

# complete WORDS...: the words of the line, the last one being completed; prints COMPREPLY
# sorted, one a line.
complete_line() {
	(cd "$tmp" && bash --norc --noprofile -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_lmsctl "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort -u' _ "$src/completions/lmsctl.bash" "$@")
}
expect() {
	local want=$1
	shift
	local got
	got=$(complete_line "$@" | tr '\n' ' ')
	if [ "$got" = "$want" ]; then
		echo "ok: '$*' -> $got"
	else
		echo "FAIL: '$*' completes to '$got', expected '$want'"
		rc=1
	fi
}
# expect_has WORD WORDS...: the completion contains WORD
expect_has() {
	local want=$1
	shift
	if complete_line "$@" | grep -qx -- "$want"; then
		echo "ok: '$*' offers $want"
	else
		echo "FAIL: '$*' does not offer '$want' (got: $(complete_line "$@" | tr '\n' ' '))"
		rc=1
	fi
}

expect 'validate ' "$lmsctl" val
expect 'deploy destroy dev.yaml ' "$lmsctl" de
expect 'dev.yaml prod.yml ' "$lmsctl" ''  -m ''
expect 'dev.yaml prod.yml ' "$lmsctl" --model ''
expect 'prod.yml ' "$lmsctl" -m p
expect '--external ' "$lmsctl" -m prod.yml validate --ex
expect '--output --output-file ' "$lmsctl" render --out
expect 'json text ' "$lmsctl" validate --output ''
expect 'flat ' "$lmsctl" outputs --format f
expect 'dev prod staging ' "$lmsctl" init --env ''
expect 'staging ' "$lmsctl" init -e s
expect 'dark light mono ' "$lmsctl" --theme ''
expect 'export import ' "$lmsctl" params ''
expect 'params.json ' "$lmsctl" params import pa
expect '--yes ' "$lmsctl" destroy --y
# lmsctl's own options before the command, its AWS options after it
expect '--readonly --region ' "$lmsctl" --re
expect '--endpoint-url ' "$lmsctl" status --end
# a model file opens the console: offered with the commands
expect_has prod.yml "$lmsctl" ''
expect_has report "$lmsctl" ''
# parameter names from the catalog, as NAME= for --set NAME=VALUE
names=$("$lmsctl" params export 2>/dev/null | sed -n 's/.*"ParameterKey": *"\([^"]*\)".*/\1/p')
first=$(printf '%s\n' "$names" | head -n 1)
[ -n "$first" ] || { echo "FAIL: lmsctl params export lists no parameter"; rc=1; }
expect_has "$first=" "$lmsctl" init --set ''
n=$(complete_line "$lmsctl" init --set '' | wc -l)
[ "$n" -eq "$(printf '%s\n' "$names" | sort -u | wc -l)" ] ||
	{ echo "FAIL: --set offers $n names, the catalog has $(printf '%s\n' "$names" | wc -l)"; rc=1; }
expect_has "$first=" "$lmsctl" init --set "${first%?}"
expect ' ' "$lmsctl" init --set "$first=x"

if command -v zsh >/dev/null; then
	zsh -n "$src/completions/_lmsctl" && echo "ok: zsh -n _lmsctl" || { echo "FAIL: zsh -n"; rc=1; }
else
	echo "SKIP: zsh is not installed: completions/_lmsctl not syntax-checked"
fi
if command -v fish >/dev/null; then
	fish -n "$src/completions/lmsctl.fish" && echo "ok: fish -n lmsctl.fish" || { echo "FAIL: fish -n"; rc=1; }
else
	echo "SKIP: fish is not installed: completions/lmsctl.fish not syntax-checked"
fi
exit $rc
