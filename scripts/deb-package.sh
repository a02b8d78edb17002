#!/usr/bin/env bash
# Builds the Debian package (debian/) from a copy of the tracked files, checks it
# with lintian, extracts it into a scratch root (dpkg -x: never into the real
# system) and runs `lmsctl --version` and `lmsctl validate` from there.
# scripts/check's deb stage; runs alone too:
#
#   scripts/deb-package.sh [OUTDIR]   OUTDIR keeps the .deb and lintian's report
#
# Needs dpkg-dev, debhelper and lintian (scripts/bootstrap check installs them)
# and the Build-Depends of debian/control. The unit tests are not rerun
# (DEB_BUILD_OPTIONS=nocheck): scripts/check's unit stage ran them on the same sources.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-}
jobs=$(nproc)
for tool in dpkg-buildpackage dh lintian; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ echo "deb: $tool not found: apt-get install dpkg-dev debhelper lintian (scripts/bootstrap check does)"; exit 1; }
done
work=$(mktemp -d)
[ -n "${DEB_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT

# the tracked files, as a fresh clone has them (the working tree's contents); from
# an unpacked release tarball (no git), every file but the build directories
tree_files() {
	if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$top" ls-files -z
	else
		(cd "$top" && find . \( -path ./_build -o -path ./build \) -prune -o -type f -print0)
	fi
}

version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src="$work/lmsctl-$version"
mkdir "$src"
tree_files | (cd "$top" && tar --null -T - -cf -) | tar -xf - -C "$src"

# the source package too, so lintian checks debian/ and its source overrides
(cd "$work" && dpkg-source -Zgzip -b "lmsctl-$version" >"$work/source.log" 2>&1) ||
	{ cat "$work/source.log"; exit 1; }
echo "deb: building the package (dpkg-buildpackage -us -uc -b, -j$jobs)"
if ! (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$jobs" \
	dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1); then
	tail -60 "$work/build.log"
	exit 1
fi
deb=$(ls "$work"/lmsctl_"$version"_*.deb)
changes=$(ls "$work"/lmsctl_"$version"_*.changes)

# lintian: errors fail; warnings, info and pedantic tags listed; overrides are in
# debian/lintian-overrides and debian/source/lintian-overrides, each explained
echo "deb: built in $SECONDS s; lintian"
rc=0
# (no --show-overrides: lintian 2.116 then fails on the errors it overrode)
lintian --fail-on error --display-info --pedantic \
	"$work/lmsctl_$version.dsc" "$changes" >"$work/lintian.raw" 2>&1 || rc=$?
# (CI runs as root; lintian says so on every run)
grep -v '^running with root privileges' "$work/lintian.raw" >"$work/lintian.txt" || true
if [ -s "$work/lintian.txt" ]; then sed 's/^/  /' "$work/lintian.txt"; else echo "  (no tags reported)"; fi
[ $rc = 0 ] || { echo "deb: lintian found errors (exit $rc)"; exit 1; }
for o in "$top/debian/source/lintian-overrides" "$top/debian/lintian-overrides"; do
	if [ -f "$o" ]; then
		grep -v '^#' "$o" | grep . | sed "s|^|  overridden (explained in ${o#"$top"/}): |"
	fi
done

# a scratch root: the package's files as dpkg would install them
root="$work/root"
dpkg -x "$deb" "$root"
echo "deb: contents"
dpkg -c "$deb" | awk '{print "  " $6}' | grep -Ev '/$' | head -40
for f in usr/bin/lmsctl usr/share/lmsctl/templates/catalog.yml usr/share/lmsctl/data/create-only.json \
	usr/share/man/man1/lmsctl.1.gz usr/share/man/man5/lmsctl-model.5.gz \
	usr/share/doc/lmsctl/README.md.gz usr/share/doc/lmsctl/copyright; do
	[ -e "$root/$f" ] || { echo "deb: the package lacks /$f"; exit 1; }
done
# nothing outside /usr/bin and /usr/share (no /usr/local, no test programs)
stray=$(dpkg -c "$deb" | awk '{print $6}' | grep -Ev '^\./$|^\./usr/$|^\./usr/(bin|share)/' || true)
[ -z "$stray" ] || { echo "deb: unexpected files in the package:"; echo "$stray"; exit 1; }
# Depends: the libraries found by dpkg-shlibdeps and the two opened with dlopen
depends=$(dpkg-deb -f "$deb" Depends)
echo "deb: Depends: $depends"
for p in libcurl4 libssl3 libyaml-0-2 libjansson4 libpcre2-8-0 libexpat1 libncursesw6; do
	printf '%s\n' "$depends" | tr ',' '\n' | grep -Eq "^ *$p( |\$)" ||
		{ echo "deb: Depends lacks $p"; exit 1; }
done

# shell completions, once the tree has them (installed by make install)
if [ -d "$src/completions" ]; then
	[ -e "$root/usr/share/bash-completion/completions/lmsctl" ] ||
		{ echo "deb: the package lacks the bash completion"; exit 1; }
fi
# Installed, the binary finds its templates with no option: /usr/share/lmsctl is
# compiled in (configure's pkgdatadir). Shown without installing into this system:
grep -qa '/usr/share/lmsctl/templates' "$root/usr/bin/lmsctl" ||
	{ echo "deb: the binary does not look in /usr/share/lmsctl/templates"; exit 1; }
# in the scratch root it is told where they are, as the README shows
export LMSCTL_TEMPLATES="$root/usr/share/lmsctl/templates"
cd "$work"
# the program's version (configure.ac) is the package's (debian/changelog)
shown=$("$root/usr/bin/lmsctl" --version)
echo "$shown"
[ "$shown" = "lmsctl $version" ] ||
	{ echo "deb: lmsctl --version says '$shown', the package is $version (debian/changelog)"; exit 1; }
vrc=0
"$root/usr/bin/lmsctl" validate >"$work/validate.txt" 2>&1 || vrc=$?
tail -3 "$work/validate.txt"
# 0: no errors; 1: the built-in dev model has errors (it must not: it is the model
# `lmsctl init` writes); anything else: the binary could not run
[ $vrc = 0 ] || { echo "deb: lmsctl validate from the scratch root exited $vrc"; cat "$work/validate.txt"; exit 1; }
unset LMSCTL_TEMPLATES

# make install into a scratch prefix (built at -O0: this checks paths, and the
# stage's time): that binary finds its templates with no
# option and no environment. DESTDIR catches anything an install rule puts outside
# the prefix (it must not land on this machine: CI runs as root).
echo "deb: make install into a scratch prefix ($SECONDS s so far)"
prefix="$work/prefix"
inst="$work/inst"
plain="$work/plain"
mkdir "$inst" "$plain"
tree_files | (cd "$top" && tar --null -T - -cf -) | tar -xf - -C "$plain"
if ! (cd "$plain" && autoreconf -fi >"$work/install.log" 2>&1) ||
	! (cd "$inst" && "$plain/configure" -q --prefix="$prefix" CFLAGS="-O0" >>"$work/install.log" 2>&1 &&
	make -j"$jobs" lmsctl >>"$work/install.log" 2>&1 &&
	make install DESTDIR="$work/destdir" >>"$work/install.log" 2>&1); then
	tail -40 "$work/install.log"
	exit 1
fi
outside=$(cd "$work/destdir" && { find . -type f | grep -v "^.$prefix/" || true; })
[ -z "$outside" ] || { echo "deb: make install wrote outside --prefix:"; echo "$outside"; exit 1; }
mv "$work/destdir$prefix" "$prefix"
irc=0
"$prefix/bin/lmsctl" validate >"$work/validate-installed.txt" 2>&1 || irc=$?
[ $irc = 0 ] || { echo "deb: lmsctl validate from make install exited $irc"; cat "$work/validate-installed.txt"; exit 1; }
echo "deb: $prefix/bin/lmsctl validate: exit 0 (templates from $prefix/share/lmsctl)"

if [ -n "$out" ]; then
	mkdir -p "$out"
	cp "$deb" "$work/lintian.txt" "$work/build.log" "$out/"
	echo "deb: $out/$(basename "$deb")"
fi
echo "deb: done in $SECONDS s"
