#!/usr/bin/env bash
# Fuzz smoke test: builds the libFuzzer targets (tests/fuzz/fuzz_*.c) in a
# separate clang build with --enable-fuzzing --enable-sanitizers, in a
# temporary directory, and runs each for FUZZ_SECONDS seconds (default 20) on
# a copy of its corpus (tests/fuzz/corpus/TARGET), so the source corpus is
# left alone; FUZZ_JOBS targets run at once (a fuzzer uses one core).
#
#   scripts/fuzz-smoke.sh [TARGET...]     default: every tests/fuzz/corpus/TARGET
#
# Environment: FUZZ_SECONDS (per target), FUZZ_JOBS (make -j and targets at once), FUZZ_KEEP=1 keeps
# the build directory, CC (default clang). Exit status: 0 no crash; 1 a crash,
# leak or timeout (the build directory is kept and the crash input's path
# printed: add it to the target's corpus once fixed, so `make check` replays
# it); 2 the build failed or a tool is missing.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-20}
jobs=${FUZZ_JOBS:-$(nproc)}
cc=${CC:-clang}
targets=("$@")
if [ ${#targets[@]} = 0 ]; then
	for d in "$top"/tests/fuzz/corpus/*/; do targets+=("$(basename "$d")"); done
fi

command -v "$cc" >/dev/null || { echo "fuzz-smoke: $cc not found (apt-get install clang)"; exit 2; }
[ -x "$top/configure" ] || { echo "fuzz-smoke: no configure in $top (run autoreconf -fi)"; exit 2; }
for t in "${targets[@]}"; do
	[ -d "$top/tests/fuzz/corpus/$t" ] || { echo "fuzz-smoke: no target '$t'"; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/lmsctl-fuzz-smoke.XXXXXX") || exit 2
keep=${FUZZ_KEEP:-0}
trap '[ "$keep" = 1 ] && echo "fuzz-smoke: kept $work" || rm -rf "$work"' EXIT
cd "$work" || exit 2

echo "fuzz-smoke: building in $work"
if ! CC=$cc "$top/configure" -q --enable-fuzzing --enable-sanitizers >configure.log 2>&1; then
	tail -20 configure.log
	keep=1
	exit 2
fi
bins=()
for t in "${targets[@]}"; do bins+=("tests/fuzz/fuzz_$t"); done
if ! make -j"$jobs" "${bins[@]}" >make.log 2>&1; then
	tail -40 make.log
	keep=1
	exit 2
fi

export LMSCTL_TEMPLATES="$top/templates"
# the sanitizers' own reports end the run as a crash would
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# fuzz_one TARGET: one target for $seconds seconds on a copy of its corpus;
# prints its figures, and on a crash its log's findings and the input's path
fuzz_one() {
	local t=$1 dict=$top/tests/fuzz/yaml.dict status
	mkdir -p "corpus/$t"
	cp "$top/tests/fuzz/corpus/$t/"* "corpus/$t/"
	[ "$t" = params ] && dict=$top/tests/fuzz/json.dict
	"./tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
		-max_len=8192 -dict="$dict" -artifact_prefix="$work/$t-" -print_final_stats=1 \
		"corpus/$t" >"fuzz_$t.log" 2>&1
	status=$?
	{
		echo "fuzz-smoke: fuzz_$t for ${seconds}s"
		grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)" "fuzz_$t.log" | awk '!seen[$0]++' |
			sed "s/^/  /"
		if [ $status != 0 ]; then
			echo "fuzz-smoke: fuzz_$t FAILED (status $status); log $work/fuzz_$t.log"
			grep -E 'ERROR|SUMMARY|runtime error|fuzz_[a-z]+: ' "fuzz_$t.log" | head -10 | sed "s/^/  /"
			ls "$work/$t-"* 2>/dev/null | sed "s/^/  input: /"
		fi
	} >"fuzz_$t.summary"
	return $status
}
# as many targets at once as there are jobs (each fuzzer runs on one core)
failed=0
pids=()
for t in "${targets[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	fuzz_one "$t" &
	pids+=($!)
done
for i in "${!targets[@]}"; do
	wait "${pids[$i]}" || { failed=1; keep=1; }
	cat "fuzz_${targets[$i]}.summary"
done
[ $failed = 0 ] && echo "fuzz-smoke: no crash in ${#targets[@]} target(s), ${seconds}s each"
exit $failed
