#!/usr/bin/env bash
# The project stands on its own: a user who clones only this repository can build it and run
# its tests. Two checks:
#  1. no tracked file cites a path under ../shared (the development machine's shared folder:
#     research notes, test vectors, tools no user has), except the optional outside contract
#     checker that tests/cli.sh runs when present; nor the research notes by name;
#  2. the tracked files, copied alone into an empty temporary directory (nothing beside them),
#     configure, build, and pass the tests that once read ../shared: the SigV4 vectors
#     (tests/test_sigv4) and the command line (tests/cli.sh).
# It does not rerun the whole of `scripts/bootstrap check` (about 9 minutes) inside itself:
# that command's `make distcheck` stage builds and tests the release tarball the same way.
set -u
src=$(cd "${TOP_SRCDIR:-.}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# ---- 1. no reference to ../shared ---------------------------------------------------------
# (the top of a work tree: make distcheck unpacks its tarball inside the developer's checkout)
if [ "$(git -C "$src" rev-parse --show-toplevel 2>/dev/null)" = "$src" ]; then
	have_git=yes
	(cd "$src" && git ls-files -z) >"$tmp/files"
else
	# a release tarball (make distcheck): every file of the source tree
	have_git=no
	# (not its build directory: make distcheck builds in _build/ inside it)
	(cd "$src" && find . -path ./_build -prune -o -path ./autom4te.cache -prune -o \
		-type f ! -name '*.log' ! -name '*.trs' -print0) >"$tmp/files"
fi
refs=$(cd "$src" && xargs -0 grep -InE '\.\./shared/|notes/(cloudformation|scale-availability-pdpa)\.md' -- <"$tmp/files" 2>/dev/null |
	grep -v '^\(\./\)\?tests/standalone\.sh:' |
	grep -vE '\.\./shared/tools/cli-contract')
if [ -n "$refs" ]; then
	echo "FAIL tracked files cite ../shared or the research notes (cite a public source instead):"
	echo "$refs" | head -20
	fail=$((fail + 1))
else
	echo "ok: no tracked file cites ../shared (the optional cli-contract aside)"
fi
# the check itself must be able to fail
probe=$(printf 'see ../shared/design/notes/x.md\n' | grep -cE '\.\./shared/')
[ "$probe" = 1 ] || { echo "FAIL standalone.sh: the pattern no longer matches"; fail=$((fail + 1)); }

# ---- 2. a copy of the tracked files alone ---------------------------------------------------
if [ "$have_git" = no ]; then
	echo "note: not a git checkout (a release tarball): the copy is make distcheck's own"
else
	clone="$tmp/alone/lmsctl"
	mkdir -p "$clone"
	(cd "$src" && tar --null -T "$tmp/files" -cf -) | (cd "$clone" && tar -xf -) ||
		{ echo "FAIL cannot copy the tracked files"; exit 1; }
	[ ! -e "$clone/../shared" ] || { echo "FAIL $clone/../shared exists"; exit 1; }
	log="$tmp/alone/log.txt"
	# a plain build (no sanitizers, no optimisation): this test is about files, not code
	step() {
		local name=$1
		shift
		if ! (cd "$clone" && "$@") >>"$log" 2>&1; then
			echo "FAIL alone: $name"; tail -30 "$log"; fail=$((fail + 1)); return 1
		fi
		echo "ok: alone: $name"
	}
	# the outside world a clone does not have: no ../shared, no SIGV4_VECTORS, no checker
	unset SIGV4_VECTORS CLI_CONTRACT LMSCTL LMSCTL_TEMPLATES TOP_SRCDIR TOP_BUILDDIR
	# nor the variables of the make check running this test (its TEST_LOGS would replace
	# the TESTS given below)
	unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
	step autoreconf autoreconf -fi &&
		step configure ./configure -q CFLAGS=-O0 &&
		step build make -j2 lmsctl tests/test_sigv4 &&
		step "make check (test_sigv4, cli.sh)" \
			make check TESTS='tests/test_sigv4 tests/cli.sh' check_PROGRAMS=tests/test_sigv4
	if [ -f "$clone/tests/test_sigv4.log" ]; then
		grep -q 'OK.*get-vanilla' "$clone/tests/test_sigv4.log" ||
			{ echo "FAIL alone: test_sigv4 ran no vector case"; fail=$((fail + 1)); }
		grep -q 'no outside contract checker' "$clone/tests/cli.sh.log" ||
			{ echo "FAIL alone: cli.sh found a contract checker outside the copy"; fail=$((fail + 1)); }
	fi
fi

echo "standalone: $fail failed"
[ $fail = 0 ]
