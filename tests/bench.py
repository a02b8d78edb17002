#!/usr/bin/env python3
"""Benchmark of lmsctl's main jobs (run by `make bench`; never a test).

Reports the median wall time over several runs and the peak resident memory
of `lmsctl validate` and `lmsctl generate` on the prod model, next to
`aws --version` and `cfn-lint` on the same template as references.
Targets: validate and generate under 20 ms (issue 3; validate now runs every
rule, rendering included: issue 7 gives it 50 ms), render and report under
50 ms (issue 7), all under 16 MiB.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

LMSCTL = os.environ.get("LMSCTL", "./lmsctl")
RUNS = int(os.environ.get("BENCH_RUNS", "30"))


def measure(argv, runs=RUNS, env=None):
    """Median wall seconds, and the largest peak RSS (KiB) over the runs.

    Wall time is taken around a plain spawn. Peak memory comes from GNU time
    (`%M`): a child forked from this Python process would report Python's
    own resident set as its high-water mark, while time forks from a small
    process."""
    walls, peak = [], 0
    gnu_time = shutil.which("time") and os.path.exists("/usr/bin/time")
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        walls.append(time.perf_counter() - t0)
        if p.returncode not in (0, 1):
            sys.exit(f"bench: {' '.join(argv)} exited {p.returncode}")
    if gnu_time:
        for _ in range(3):
            r = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env=env)
            peak = max(peak, int(r.stderr.strip().splitlines()[-1]))
    else:
        print("bench: GNU time not found (apt-get install time): no memory figures")
    return statistics.median(walls), peak


def row(name, wall, rss_kib, target_ms=None, target_mib=None):
    verdict = ""
    if target_ms is not None:
        ok = wall * 1000 < target_ms and rss_kib / 1024 < target_mib
        verdict = "  ok" if ok else f"  OVER TARGET ({target_ms} ms, {target_mib} MiB)"
    print(f"{name:<34} {wall * 1000:9.1f} ms {rss_kib / 1024:8.1f} MiB{verdict}")


def main():
    tmp = tempfile.mkdtemp()
    try:
        model = os.path.join(tmp, "prod.yml")
        tpl = os.path.join(tmp, "template.yml")
        subprocess.run([LMSCTL, "init", "--env", "prod", "-o", model], check=True,
                       stderr=subprocess.DEVNULL)
        subprocess.run([LMSCTL, "-m", model, "generate", "-o", tpl], check=True)
        print(f"prod model, template {os.path.getsize(tpl)} bytes; median of {RUNS} runs, peak RSS")
        print(f"{'command':<34} {'wall':>12} {'memory':>12}")
        row("lmsctl validate", *measure([LMSCTL, "-m", model, "validate"]), 50, 16)
        row("lmsctl generate", *measure([LMSCTL, "-m", model, "generate", "-o", tpl]), 20, 16)
        row("lmsctl render", *measure([LMSCTL, "-m", model, "render"]), 50, 16)
        row("lmsctl report", *measure([LMSCTL, "-m", model, "report"]), 50, 16)
        if shutil.which("aws"):
            row("aws --version (reference)", *measure(["aws", "--version"], runs=5))
        if shutil.which("cfn-lint"):
            row("cfn-lint template (reference)",
                *measure(["cfn-lint", "-r", "eu-west-1", "--", tpl], runs=3))
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
