#!/usr/bin/env bash
# The mutation harness (scripts/mutate.py) on a small fixed sample: 12 mutants
# of common/num.c, common/buf.c and common/str.c (the relational, equality,
# logical and negation operators; files small, stable and fully tested, so an
# edit elsewhere does not move the sample) picked by a fixed seed, each of which
# the unit tests kill today. Fails when one survives (a test lost its edge), when the
# unmutated tree fails its tests (the harness checks that first), and when the
# equivalent mutant of --self-test does NOT survive (a harness that reports
# everything as killed would otherwise pass silently). The whole run is
# `make mutate` (a benchmark, not a test; docs/mutation.md).
set -u
src=${TOP_SRCDIR:-.}
build=${TOP_BUILDDIR:-.}
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
SEED=${MUTATE_SEED:-6}
N=${MUTATE_SAMPLE:-12}
echo "mutate_sample: --sample $N --seed $SEED; the sites:"
set -- --files common/num.c common/buf.c common/str.c --ops rel,eq,logic,prefix,not \
	--sample "$N" --seed "$SEED"
python3 "$src/scripts/mutate.py" --top "$src" --list "$@" || exit 1
exec python3 "$src/scripts/mutate.py" --top "$src" --workdir "$build/_mutate" --jobs 2 \
	"$@" --self-test --fail-on-survivor --verbose
