#!/usr/bin/env bash
# Installs AWS's Control Tower proactive controls as cfn-guard rules, with the
# cfn-guard binary they are tested with, from the npm package
# @cdklabs/cdk-validator-cfnguard (Apache-2.0), pinned to one version and
# checked against the integrity npm recorded for it. Installs into
# _build/guard/ (or $LMSCTL_GUARD_DIR) once; later runs only check. Prints the
# path of the cfn-guard binary on standard output; the rules are at
# <package>/rules/control-tower/cfn-guard.
#
#   scripts/guard-install.sh           # install if needed, print the cfn-guard path
#   GUARD=$(scripts/guard-install.sh)  # as scripts/check uses it
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
package=@cdklabs/cdk-validator-cfnguard
# 0.0.62 is the newest release (npm view $package versions); it ships
# cfn-guard 3.1.1 for Linux and macOS (x86_64, aarch64) and 237 Control
# Tower rules. Change the version and the integrity together.
version=0.0.62
integrity=sha512-Sg2k8067B0AIJ82QFSLhHTUIqxOYTKABvVrTHiyc6j0rE2NHli2diIYqf+w+DkuDKCYYgMIOga3OrYMOHUw0mQ==
dir=${LMSCTL_GUARD_DIR:-$top/_build/guard}
pkg=$dir/node_modules/$package

case "$(uname -s)" in
Linux) os=ubuntu ;;
Darwin) os=macos ;;
*) echo "guard-install: no cfn-guard binary in $package for $(uname -s)" >&2; exit 1 ;;
esac
case "$(uname -m)" in
x86_64 | amd64) arch=x86_64 ;;
aarch64 | arm64) arch=aarch64 ;;
*) echo "guard-install: no cfn-guard binary in $package for $(uname -m)" >&2; exit 1 ;;
esac
guard=$pkg/bin/$os/$arch/cfn-guard
rules=$pkg/rules/control-tower/cfn-guard

installed_ok() {
	[ -x "$guard" ] && [ -d "$rules" ] || return 1
	# the version npm installed and the tarball's integrity, as npm recorded them
	python3 - "$dir/node_modules/.package-lock.json" "$package" "$version" "$integrity" <<'EOF' || return 1
import json, sys
lock, package, version, integrity = sys.argv[1:]
try:
    entry = json.load(open(lock))["packages"]["node_modules/" + package]
except (OSError, ValueError, KeyError):
    sys.exit(1)
sys.exit(0 if entry.get("version") == version and entry.get("integrity") == integrity else 1)
EOF
}

if ! installed_ok; then
	command -v npm >/dev/null || {
		echo "guard-install: npm is not installed (Debian: apt-get install npm); it fetches $package@$version" >&2
		exit 1
	}
	mkdir -p "$dir"
	echo "guard-install: installing $package@$version into $dir" >&2
	# --legacy-peer-deps: the package's peer dependency (aws-cdk-lib, for its
	# CDK plugin) is not needed to run cfn-guard and is large
	if ! npm install --prefix "$dir" --no-save --no-audit --no-fund --ignore-scripts \
		--legacy-peer-deps "$package@$version" >"$dir/npm.log" 2>&1; then
		echo "guard-install: npm install $package@$version failed (is the npm registry reachable?):" >&2
		tail -15 "$dir/npm.log" >&2
		exit 1
	fi
	installed_ok || {
		echo "guard-install: $package@$version installed, but its version, integrity or files are not the expected ones" >&2
		exit 1
	}
fi
# the binary must run here (it is built for glibc x86_64/aarch64)
"$guard" --version >/dev/null 2>&1 || {
	echo "guard-install: $guard does not run on this machine" >&2
	exit 1
}
echo "$guard"
