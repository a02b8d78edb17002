# Sourced by the command-line script tests (tests/aws_config.sh, tests/config_file.sh):
# one way to run a command and judge it, with the counters `pass` and `fail`.
pass=0
fail=0

# expect NAME WANT_EXIT PATTERN REFUSED_PATTERN -- COMMAND...
# The command runs with stdin from /dev/null; it passes when it exits WANT_EXIT, its output
# (stdout and stderr) matches PATTERN, does not match REFUSED_PATTERN (when not empty), and
# holds no sanitizer report.
expect() {
	local name=$1 want=$2 pattern=$3 refused=$4
	shift 5
	"$@" >out.txt 2>err.txt </dev/null
	local got=$?
	if [ "$got" != "$want" ] || ! grep -Eq -- "$pattern" out.txt err.txt ||
		{ [ -n "$refused" ] && grep -Eq -- "$refused" out.txt err.txt; } ||
		grep -q Sanitizer err.txt; then
		echo "FAIL $name: exit $got (expected $want), output:"
		sed 's/^/  | /' out.txt err.txt | head -8
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
}
