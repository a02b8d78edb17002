#!/usr/bin/env bash
# Fails if a source uses a banned function. A line may use one anyway when it
# says why, with the comment `banned-ok: REASON` on the same line.
set -u
src=${TOP_SRCDIR:-.}
cd "$src" || exit 1
pattern='\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|atoll|gets)[[:space:]]*\(|\bscanf[[:space:]]*\([[:space:]]*"[^"]*%s'
hits=$(grep -nE "$pattern" common/*.[ch] model/*.[ch] aws/*.[ch] ops/*.[ch] cli/*.[ch] tui/*.[ch] tests/*.[ch] tests/fuzz/*.c 2>/dev/null |
	grep -v 'banned-ok:' | grep -vE '^\S+:[0-9]+:\s*(/\*|\*|//)')
if [ -n "$hits" ]; then
	echo "banned functions (use snprintf/buf_addf, strtol, strtok_r; or justify with banned-ok:):"
	echo "$hits"
	exit 1
fi
# the check itself must be able to fail
probe=$(printf 'int f(char *d){ return sprintf(d, "x"); }\n' | grep -cE "$pattern")
[ "$probe" = 1 ] || { echo "banned.sh: the pattern no longer matches sprintf"; exit 1; }
echo "no banned functions"
