#!/usr/bin/env bash
# `make install DESTDIR=scratch` puts the shell completions where each shell looks:
# bash in bash-completion's completionsdir (pkg-config; else DATADIR/bash-completion/
# completions) under the command's name, zsh in DATADIR/zsh/vendor-completions, fish in
# DATADIR/fish/vendor_completions.d; and the installed bash file completes.
set -u
build=${TOP_BUILDDIR:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0

# a make of its own, not a job of the `make check` that runs this
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$build" install DESTDIR="$tmp" >"$tmp.log" 2>&1; then
	echo "FAIL: make install DESTDIR=$tmp"
	cat "$tmp.log"
	rm -f "$tmp.log"
	exit 1
fi
rm -f "$tmp.log"
prefix=$(sed -n 's/^prefix = //p' "$build/Makefile")
datadir=$(sed -n 's/^datadir = //p' "$build/Makefile" | sed "s|\${datarootdir}|$prefix/share|; s|\$(datarootdir)|$prefix/share|")
bashdir=$(sed -n 's/^bashcompletiondir = //p' "$build/Makefile" | sed "s|\${datadir}|$datadir|; s|\$(datadir)|$datadir|")
want=$(pkg-config --variable=completionsdir bash-completion 2>/dev/null)
[ -n "$want" ] || want=$datadir/bash-completion/completions
[ "$bashdir" = "$want" ] || { echo "FAIL: bash completions go to $bashdir, not $want"; rc=1; }

for f in "$want/lmsctl" "$datadir/zsh/vendor-completions/_lmsctl" \
	"$datadir/fish/vendor_completions.d/lmsctl.fish"; do
	if [ -f "$tmp$f" ]; then echo "ok: $f"; else echo "FAIL: make install left no $f"; rc=1; fi
done
# the companion stack's catalog is installed beside the main one (catalog.yml Companions)
for f in "$datadir/lmsctl/templates/catalog.yml" "$datadir/lmsctl/templates/edge/catalog.yml" \
	"$datadir/lmsctl/templates/edge/edge.yml"; do
	if [ -f "$tmp$f" ]; then echo "ok: $f"; else echo "FAIL: make install left no $f"; rc=1; fi
done
got=$(bash --norc --noprofile -c 'source "$1"; COMP_WORDS=(lmsctl init --env p); COMP_CWORD=3
	_lmsctl; echo "${COMPREPLY[*]}"' _ "$tmp$want/lmsctl")
[ "$got" = prod ] || { echo "FAIL: the installed bash completion gives '$got' for 'lmsctl init --env p'"; rc=1; }
find "$tmp" -path '*completion*' -type f | sed "s|^$tmp||"
exit $rc
