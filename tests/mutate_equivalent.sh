#!/usr/bin/env bash
# The argued equivalent mutants (scripts/mutate-equivalent.txt) stay true to the
# sources: every entry well-formed and matching a site of today's code, so a kill
# rate that leaves them out never leaves out a mutant of a line that changed.
# Also proves the check can fail (a stale entry, a malformed one) and that a run
# sets a matching site apart. Nothing is built or run: about a second.
set -u
src=${TOP_SRCDIR:-.}
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
m="python3 $src/scripts/mutate.py --top $src"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

out=$($m --check-equivalent 2>&1) || bad "the list has a stale or malformed entry: $out"
echo "$out" | tail -1

# a stale entry: the right site, a line text the file does not have
printf '%s\t%s\t%s\n' 'common/buf.c:47:11 <= -> < [rel]' 'if (need <= b->capacity)' 'x' >"$tmp/stale"
out=$($m --check-equivalent --equivalent-file "$tmp/stale" 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q 'stale: no site of common/buf.c' || bad "a stale entry passed: $out"
# the same line, the other operator's mutant: stale too
printf '%s\t%s\t%s\n' 'common/buf.c:47:11 <= -> > [rel]' 'if (need <= b->cap)' 'x' >"$tmp/op"
$m --check-equivalent --equivalent-file "$tmp/op" >/dev/null 2>&1 && bad "a mutant the catalog does not make passed"
# malformed: two fields
printf '%s\t%s\n' 'common/buf.c:47:11 <= -> < [rel]' 'if (need <= b->cap)' >"$tmp/two"
out=$($m --check-equivalent --equivalent-file "$tmp/two" 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q 'want SITE<TAB>LINE TEXT<TAB>WHY' || bad "a two-field entry passed: $out"
# a run refuses a malformed list before anything is built
$m --list --files common/buf.c --equivalent-file "$tmp/two" >/dev/null 2>&1
[ $? -eq 2 ] || bad "a run took a malformed list"

# a good entry sets its site apart in --list, and only that one
printf '%s\t%s\t%s\n' 'common/buf.c:1:1 <= -> < [rel]' 'if (need <= b->cap)' 'x' >"$tmp/good"
out=$($m --list --files common/buf.c --equivalent-file "$tmp/good")
n=$(echo "$out" | grep -c '(argued equivalent)$')
[ "$n" = 1 ] || bad "one entry marked $n sites: $(echo "$out" | grep 'argued')"
echo "$out" | grep -q '^common/buf.c:[0-9]*:[0-9]* <= -> < \[rel\]  (argued equivalent)$' || bad "the wrong site marked"
echo "$out" | tail -1 | grep -q '; 1 argued equivalent)' || bad "the count: $(echo "$out" | tail -1)"

# two mutants of one kind on one line: COL chooses, and a COL that names neither is refused
line=$(grep -n 'while (x > 0 && y > 0) {' "$src/common/diff.c" | head -1 | cut -d: -f1)
printf '%s\t%s\t%s\n' "common/diff.c:$line:20 > -> >= [rel]" 'while (x > 0 && y > 0) {' 'x' >"$tmp/col"
out=$($m --list --files common/diff.c --equivalent-file "$tmp/col" | grep '(argued equivalent)$')
[ "$out" = "common/diff.c:$line:20 > -> >= [rel]  (argued equivalent)" ] || bad "COL did not choose: $out"
printf '%s\t%s\t%s\n' "common/diff.c:$line:19 > -> >= [rel]" 'while (x > 0 && y > 0) {' 'x' >"$tmp/nocol"
out=$($m --check-equivalent --equivalent-file "$tmp/nocol" 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q 'several such mutants and none at column 19' || bad "an entry at no column passed: $out"

[ $fails -eq 0 ] && echo "mutate_equivalent: ok" || exit 1
