#!/usr/bin/env python3
"""Benchmark: lmsctl deploy next to aws cloudformation deploy, same template, same server.

Starts a moto server on a free 127.0.0.1 port (stopped at the end), then deploys the
fixture template (tests/fixtures/deploy/simple.yml) as a new stack, alternately with
`lmsctl deploy --yes --template ...` and with `aws cloudformation deploy --template-file
...`, BENCH_RUNS times each (default 5), and prints the median wall times and their
ratio. Target (issue 6): lmsctl's time at most half of the AWS CLI's. Measured, never a
timed test; run it with `make bench-deploy` or by hand with LMSCTL=path/to/lmsctl (use a
build without sanitizers).
"""
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

TOP = os.environ.get("TOP_SRCDIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LMSCTL = os.path.abspath(os.environ.get("LMSCTL", "./lmsctl"))
TEMPLATES = os.environ.get("LMSCTL_TEMPLATES") or os.path.join(TOP, "templates")
FIXTURE = os.path.join(TOP, "tests", "fixtures", "deploy", "simple.yml")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    aws = shutil.which("aws")
    if not aws:
        sys.exit("bench_deploy: the AWS CLI (aws) is not installed")
    port = free_port()
    url = "http://127.0.0.1:%d" % port
    moto = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tmp = tempfile.mkdtemp(prefix="lmsctl-bench-")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or moto.poll() is not None:
                    sys.exit("bench_deploy: moto did not start")
                time.sleep(0.2)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(HOME=tmp, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                   AWS_DEFAULT_REGION="eu-west-1", AWS_EC2_METADATA_DISABLED="true",
                   LMSCTL_TEMPLATES=TEMPLATES, NO_COLOR="1")
        model = os.path.join(tmp, "model.yml")
        subprocess.run([LMSCTL, "init", "--env", "dev", "-o", model], env=env, check=True,
                       capture_output=True)
        with open(model, encoding="utf-8") as f:
            base = f.read().split("\n")
        lm, cli = [], []
        for i in range(RUNS):
            m = os.path.join(tmp, "m%d.yml" % i)
            with open(m, "w", encoding="utf-8") as f:
                f.write("\n".join("stack: lms-bench-%d" % i if ln.startswith("stack:") else
                                  "suffix: l%d" % i if ln.startswith("suffix:") else ln
                                  for ln in base))
            t0 = time.perf_counter()
            r = subprocess.run([LMSCTL, "--endpoint-url", url, "-m", m, "deploy", "--yes",
                                "--template", FIXTURE], env=env, cwd=tmp, capture_output=True,
                               text=True, stdin=subprocess.DEVNULL)
            lm.append(time.perf_counter() - t0)
            if r.returncode != 0:
                sys.exit("bench_deploy: lmsctl deploy failed:\n" + r.stderr)
            t0 = time.perf_counter()
            r = subprocess.run([aws, "cloudformation", "deploy", "--endpoint-url", url,
                                "--template-file", FIXTURE, "--stack-name", "aws-bench-%d" % i,
                                "--capabilities", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND",
                                "--parameter-overrides", "EnvironmentSuffix=a%d" % i],
                               env=env, cwd=tmp, capture_output=True, text=True)
            cli.append(time.perf_counter() - t0)
            if r.returncode != 0:
                sys.exit("bench_deploy: aws cloudformation deploy failed:\n" + r.stderr)
        a, b = statistics.median(lm), statistics.median(cli)
        print("deploy of %s against moto, median of %d runs" % (os.path.basename(FIXTURE), RUNS))
        print("%-34s %9.1f ms" % ("lmsctl deploy --yes", a * 1000))
        print("%-34s %9.1f ms" % ("aws cloudformation deploy", b * 1000))
        ratio = a / b
        print("ratio %.3f (target at most 0.5): %s" % (ratio, "ok" if ratio <= 0.5 else "OVER TARGET"))
        return 0 if ratio <= 0.5 else 1
    finally:
        moto.terminate()
        try:
            moto.wait(timeout=5)
        except subprocess.TimeoutExpired:
            moto.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
