#!/usr/bin/env python3
"""Benchmark of the console (run by `make bench`; never a test).

Runs `lmsctl MODEL` on the prod model in a pseudo-terminal of 80x24, sends a
scripted session of keys (moving between panels and fields, editing a value
with live validation, the findings, the preview), and reports:

  first screen   from console_main() to the first complete frame on the
                 terminal (LMSCTL_BENCH timings written by the console), and
                 from exec() to the first frame read back from the terminal;
  key to redraw  from reading a key to the end of the redraw (doupdate) it
                 caused, per key: median, 95th percentile and maximum.

Targets (the console issue): first screen under 100 ms, key to redraw under
16 ms. Set BENCH_ROUNDS to repeat the session (default 3).
"""
import fcntl
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

LMSCTL = os.environ.get("LMSCTL", "./lmsctl")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))

DOWN, UP, TAB, ENTER, ESC, BS = "j", "k", "\t", "\r", "\x1b", "\x7f"
PGDN = "\x1b[6~"
# a session an operator might have: panels, fields, an edit, the findings,
# the preview
SESSION = (
    [DOWN] * 3 + [TAB] + [DOWN] * 4 + [UP] * 2 + [TAB, DOWN, TAB] + [DOWN] +
    [ENTER] + list("10.77.0.0/8") + [BS] * 4 + list("/16") + [ESC] +
    ["2"] + [DOWN] * 3 + ["1"] + ["]"] * 4 + ["["] * 2 + ["3"] + [DOWN] * 10 + [PGDN] * 3 +
    ["z", "Z", "Z", "1"]
)


def read_for(fd, seconds):
    """Everything the terminal shows within `seconds`."""
    out = b""
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return out
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            return out
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return out
        if not chunk:
            return out
        out += chunk


def session(model, log):
    env = dict(os.environ, LMSCTL_BENCH=log, TERM="xterm-256color", LANG="C.UTF-8",
               LC_ALL="C.UTF-8", XDG_STATE_HOME=os.path.dirname(log))
    env.pop("NO_COLOR", None)
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(LMSCTL, [LMSCTL, model], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    t0 = time.monotonic()
    seen = b""
    first = None
    while first is None and time.monotonic() - t0 < 5:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            seen += os.read(fd, 65536)
            # the footer is drawn last: the frame is complete
            if b"help" in seen and b"Panels" in seen:
                first = time.monotonic() - t0
    for k in SESSION:
        os.write(fd, k.encode())
        read_for(fd, 0.08 if k != ESC else 0.15)
    os.write(fd, b":q!\r")
    read_for(fd, 0.3)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    os.close(fd)
    return first


def main():
    if not shutil.which(LMSCTL) and not os.path.exists(LMSCTL):
        sys.exit(f"bench_console: {LMSCTL} not found")
    tmp = tempfile.mkdtemp()
    try:
        model = os.path.join(tmp, "prod.yml")
        subprocess.run([LMSCTL, "init", "--env", "prod", "-o", model], check=True,
                       stderr=subprocess.DEVNULL)
        firsts_in, firsts_out, keys = [], [], []
        for i in range(ROUNDS):
            log = os.path.join(tmp, f"bench{i}.log")
            ext = session(model, log)
            if ext is not None:
                firsts_out.append(ext * 1000)
            with open(log) as f:
                for line in f:
                    p = line.split()
                    if p[0] == "first_screen_ms":
                        firsts_in.append(float(p[1]))
                    elif p[0] == "key":
                        keys.append(float(p[3]))
        if not keys or not firsts_in:
            sys.exit("bench_console: the console wrote no timings (LMSCTL_BENCH)")
        keys.sort()
        p95 = keys[min(len(keys) - 1, int(len(keys) * 0.95))]
        print(f"console on the prod model, 80x24, {ROUNDS} session(s), {len(keys)} keys")
        fi = statistics.median(firsts_in)
        print(f"first screen (console)   {fi:8.1f} ms  {'ok' if fi < 100 else 'OVER TARGET (100 ms)'}")
        if firsts_out:
            fo = statistics.median(firsts_out)
            print(f"first screen (exec->tty) {fo:8.1f} ms  {'ok' if fo < 100 else 'OVER TARGET (100 ms)'}")
        med = statistics.median(keys)
        print(f"key to redraw  median    {med:8.2f} ms")
        print(f"key to redraw  p95       {p95:8.2f} ms  {'ok' if p95 < 16 else 'OVER TARGET (16 ms)'}")
        print(f"key to redraw  max       {keys[-1]:8.2f} ms  {'ok' if keys[-1] < 16 else 'over 16 ms'}")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
