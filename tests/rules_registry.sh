#!/usr/bin/env bash
# The rule registry (model/rules.def) and the sources agree: every rule id a
# source emits or names is registered, every registered id is emitted
# somewhere, and the registry is in id order without duplicates.
set -u
src=${TOP_SRCDIR:-.}
cd "$src" || exit 1
def=model/rules.def
[ -f "$def" ] || { echo "no $def"; exit 1; }

registered=$(grep -oE '^RULE\([A-Z]{3}[0-9]{3},' "$def" | sed -E 's/^RULE\(//; s/,$//')
# every C source of the program (not the tests): the folders that exist
dirs=""
for d in common model model/render aws tui cli ops; do [ -d "$d" ] && dirs="$dirs $d"; done
# shellcheck disable=SC2086
emitted=$(find $dirs -maxdepth 1 -name '*.c' -o -maxdepth 1 -name '*.h' | sort |
	xargs grep -ohE '"[A-Z]{3}[0-9]{3}"' | tr -d '"' | sort -u)

rc=0
if [ "$registered" != "$(printf '%s\n' "$registered" | sort -u)" ]; then
	echo "$def: ids out of order or repeated:"
	diff <(printf '%s\n' "$registered") <(printf '%s\n' "$registered" | sort -u)
	rc=1
fi
missing=$(comm -23 <(printf '%s\n' "$emitted") <(printf '%s\n' "$registered" | sort -u))
if [ -n "$missing" ]; then
	echo "emitted by the sources but not in $def (add a RULE line):"
	for id in $missing; do
		# shellcheck disable=SC2086
		echo "  $id ($(grep -lE "\"$id\"" $(find $dirs -maxdepth 1 -name '*.[ch]') | tr '\n' ' '))"
	done
	rc=1
fi
unused=$(comm -13 <(printf '%s\n' "$emitted") <(printf '%s\n' "$registered" | sort -u))
if [ -n "$unused" ]; then
	echo "in $def but emitted by no source (remove the RULE line, or emit it):"
	printf '  %s\n' $unused
	rc=1
fi
# the check itself must be able to fail: a probe id is not registered
grep -qE '^RULE\(ZZZ999,' "$def" && { echo "the probe id ZZZ999 is registered"; rc=1; }
[ "$rc" = 0 ] && echo "$(printf '%s\n' "$registered" | wc -l) rule ids: registry and sources agree"
exit $rc
