#!/usr/bin/env bash
# Fails if a function in the program's sources is longer than MAX lines, so
# that a long function is split by its steps before it grows further.
#
# A function runs from its opening brace at column 0 to its closing brace at
# column 0, both lines counted (the code is clang-format'ed: BreakBeforeBraces:
# Linux puts a function's braces, and only a function's, alone at column 0).
# Each offender is printed as FILE:LINE name (N lines), LINE being the line
# of the opening brace.
set -u
MAX=${FUNCSIZE_MAX:-150}
src=${TOP_SRCDIR:-.}
cd "$src" || exit 1

# Reads C sources; prints "FILE:LINE name (N lines)" for each function over max.
measure() {
	awk -v max="$1" '
	FNR == 1 { infn = 0; sig = "" }
	# the name: the identifier before the first "(" of the signature, which
	# starts at column 0 on the lines before the brace
	!infn && /^[A-Za-z_]/ && /\(/ { sig = $0 }
	!infn && /^\{/ {
		infn = 1; start = FNR; name = sig
		sub(/\(.*/, "", name); sub(/.*[^A-Za-z0-9_]/, "", name)
		if (name == "") name = "?"
		next
	}
	infn && /^\}/ {
		infn = 0; n = FNR - start + 1; sig = ""
		if (n > max) printf "%s:%d %s (%d lines)\n", FILENAME, start, name, n
	}
	' "${@:2}"
}

files=$(find common model aws ops cli tui -name '*.c' | LC_ALL=C sort)
[ -n "$files" ] || { echo "funcsize.sh: no sources under $src"; exit 1; }
# shellcheck disable=SC2086 # file names without spaces, one per word
long=$(measure "$MAX" $files)

# the check itself must be able to fail: a function of MAX+1 lines is found
probe=$(mktemp)
trap 'rm -f "$probe"' EXIT
{
	printf 'static int probe_fn(int a)\n{\n'
	for ((i = 0; i < MAX - 1; i++)); do printf '\ta++;\n'; done
	printf '}\n'
} >"$probe"
case $(measure "$MAX" "$probe") in
*" probe_fn ($((MAX + 1)) lines)") ;;
*)
	echo "funcsize.sh: the check no longer finds a function of $((MAX + 1)) lines"
	exit 1
	;;
esac

if [ -n "$long" ]; then
	echo "functions longer than $MAX lines (split them by their steps):"
	echo "$long"
	exit 1
fi
echo "no function longer than $MAX lines"
