#!/bin/sh
# Replays every fuzz corpus through its target without a fuzzing engine
# (tests/fuzz/replay.c), so that each build's `make check` runs every seed and
# every crash input once found, under that build's sanitizers.
#
# A corpus is tests/fuzz/corpus/TARGET; a crash found by scripts/fuzz-smoke.sh
# is kept by adding its input there. The replay names each input before
# running it, so a crash report follows the name of the input that caused it.
# Exit status: 0 every input ran; 1 a target crashed, failed or is missing.
set -u
top_srcdir=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${TOP_BUILDDIR:-.}
LMSCTL_TEMPLATES=${LMSCTL_TEMPLATES:-$top_srcdir/templates}
export LMSCTL_TEMPLATES

# every corpus directory is a target: tests/fuzz/corpus/TARGET, replayed by
# tests/fuzz/replay_TARGET (tests/fuzz/fuzz_TARGET.c with tests/fuzz/replay.c)
rc=0
for corpus in "$top_srcdir"/tests/fuzz/corpus/*/; do
	target=$(basename "$corpus")
	bin=$top_builddir/tests/fuzz/replay_$target
	if [ ! -x "$bin" ]; then
		echo "FAIL: $bin is missing (make check builds it)"
		rc=1
		continue
	fi
	if ! "$bin" "$corpus"; then
		echo "FAIL: replay_$target crashed or failed on the input named last above"
		rc=1
	fi
done
exit $rc
