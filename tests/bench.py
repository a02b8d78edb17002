#!/usr/bin/env python3
"""Benchmark of lmsctl's main jobs (run by `make bench`; never a test).

For each command: the median CPU time (user + system, from the kernel's
accounting of the child: what a busy shared machine still measures fairly),
the median wall time, and the peak resident memory, over several runs:

  --version                       start-up alone (the shared libraries loaded)
  validate, generate, render,     on the prod model
  report
  validate on synthetic catalogs of 1, 4 and 16 fragments (60 resources
  each, written by this script): the growth must stay linear

and `aws --version` and `cfn-lint` on the same template as references.
Targets: validate and report at or under 20 ms of CPU (issue 14), generate
and render likewise; all under 16 MiB.
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


def run_once(argv, env=None):
    """(CPU seconds, wall seconds) of one run, from wait4's rusage of the child."""
    t0 = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, env if env is not None else os.environ,
                          file_actions=[(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                                        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                                        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"bench: {' '.join(argv)} exited {code}")
    return ru.ru_utime + ru.ru_stime, wall


def measure(argv, runs=RUNS, env=None):
    """Median CPU and wall seconds, and the largest peak RSS (KiB) over the runs.

    Peak memory comes from GNU time (`%M`): a child forked from this Python
    process would report Python's own resident set as its high-water mark,
    while time forks from a small process."""
    cpus, walls, peak = [], [], 0
    run_once(argv, env)  # warm the page cache
    for _ in range(runs):
        cpu, wall = run_once(argv, env)
        cpus.append(cpu)
        walls.append(wall)
    if os.path.exists("/usr/bin/time"):
        for _ in range(3):
            r = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env=env)
            peak = max(peak, int(r.stderr.strip().splitlines()[-1]))
    return statistics.median(cpus), statistics.median(walls), peak


def row(name, cpu, wall, rss_kib, target_ms=None, target_mib=16):
    verdict = ""
    if target_ms is not None:
        ok = cpu * 1000 <= target_ms and (rss_kib == 0 or rss_kib / 1024 < target_mib)
        verdict = "  ok" if ok else f"  OVER TARGET ({target_ms} ms CPU, {target_mib} MiB)"
    mem = f"{rss_kib / 1024:8.1f} MiB" if rss_kib else "       - MiB"
    print(f"{name:<40} {cpu * 1000:8.1f} ms {wall * 1000:8.1f} ms {mem}{verdict}")
    return cpu


# ---- the synthetic catalog ---------------------------------------------------------------

HEAD = """Metadata:
  AWS::CloudFormation::Interface:
    ParameterGroups:
      - Label:
          default: Environment
        Parameters:
          - Environment
          - EnvironmentSuffix
          - RetentionDays
Parameters:
  Environment:
    Type: String
    Description: Kind of environment.
    Default: dev
    AllowedValues: [dev, staging, prod]
  EnvironmentSuffix:
    Type: String
    Description: Suffix of every name.
    Default: dev
    AllowedPattern: '[a-z][a-z0-9-]{0,11}'
  RetentionDays:
    Type: Number
    Description: How long the logs are kept.
    Default: 30
    AllowedValues: [1, 7, 30, 90, 365]
Conditions:
  IsProd: !Equals [!Ref Environment, prod]
"""


def fragment(i, per=60):
    """Fragment i: `per` resources of four kinds, with Sub, Ref, If and GetAtt."""
    out = [] if i else [HEAD]
    out.append("Resources:\n")
    for j in range(per // 4):
        n = f"F{i:02d}R{j:02d}"
        out.append(f"""  # group {j} of fragment {i}
  {n}Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub lms-{i}-{j}-${{EnvironmentSuffix}}
      Tags:
        - Key: environment
          Value: !Ref Environment
  {n}Queue:
    Type: AWS::SQS::Queue
    DeletionPolicy: Delete
    UpdateReplacePolicy: Delete
    Properties:
      QueueName: !Sub lms-{i}-{j}-${{EnvironmentSuffix}}
      MessageRetentionPeriod: !If [IsProd, 1209600, 345600]
  {n}Logs:
    Type: AWS::Logs::LogGroup
    DeletionPolicy: Delete
    UpdateReplacePolicy: Delete
    Properties:
      LogGroupName: !Sub /lms/{i}/{j}/${{EnvironmentSuffix}}
      RetentionInDays: !Ref RetentionDays
  {n}Param:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub /lms/{i}/{j}/${{EnvironmentSuffix}}/queue
      Type: String
      Value: !GetAtt {n}Queue.Arn
""")
    return "".join(out)


def synthetic(root, count):
    d = os.path.join(root, f"catalog-{count}")
    os.makedirs(d)
    names = [f"f{i:02d}.yml" for i in range(count)]
    for i, name in enumerate(names):
        with open(os.path.join(d, name), "w") as f:
            f.write(fragment(i))
    with open(os.path.join(d, "catalog.yml"), "w") as f:
        f.write("Description: synthetic catalog for make bench\nFragments:\n")
        f.write("".join(f"  - {n}\n" for n in names))
    return d


def main():
    tmp = tempfile.mkdtemp()
    try:
        model = os.path.join(tmp, "prod.yml")
        tpl = os.path.join(tmp, "template.yml")
        subprocess.run([LMSCTL, "init", "--env", "prod", "-o", model], check=True,
                       stderr=subprocess.DEVNULL)
        subprocess.run([LMSCTL, "-m", model, "generate", "-o", tpl], check=True)
        print(f"prod model, template {os.path.getsize(tpl)} bytes; median of {RUNS} runs, "
              "CPU = user + system; peak RSS")
        print(f"{'command':<40} {'CPU':>11} {'wall':>11} {'memory':>12}")
        row("lmsctl --version", *measure([LMSCTL, "--version"]))
        row("lmsctl validate", *measure([LMSCTL, "-m", model, "validate"]), 20)
        row("lmsctl generate", *measure([LMSCTL, "-m", model, "generate", "-o", tpl]), 20)
        row("lmsctl render", *measure([LMSCTL, "-m", model, "render"]), 20)
        row("lmsctl report", *measure([LMSCTL, "-m", model, "report"]), 20)
        cpu = {}
        for count in (1, 4, 16):
            cpu[count] = row(f"validate, synthetic {count} fragment(s) ({count * 60})",
                             *measure([LMSCTL, "--templates", synthetic(tmp, count), "validate"]))
        # the cost of a further resource, from 1 to 4 fragments and from 4 to 16: equal when
        # the growth is linear
        m4 = (cpu[4] - cpu[1]) / (3 * 60)
        m16 = (cpu[16] - cpu[4]) / (12 * 60)
        print(f"  CPU per further resource: {m4 * 1e6:.1f} us (1 to 4 fragments), "
              f"{m16 * 1e6:.1f} us (4 to 16): {'linear' if m16 <= m4 * 1.5 + 2e-6 else 'SUPERLINEAR'}; "
              f"16 fragments / 1 = {cpu[16] / cpu[1]:.1f}x")
        if shutil.which("aws"):
            row("aws --version (reference)", *measure(["aws", "--version"], runs=5))
        if shutil.which("cfn-lint"):
            row("cfn-lint template (reference)",
                *measure(["cfn-lint", "-r", "eu-west-1", "--", tpl], runs=3))
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
