#!/usr/bin/env python3
"""Mutation testing for the C library: do the unit tests notice a small change?

Finds mutation sites in the functions of model/ (with model/render/), aws/ and
common/, applies ONE mutation at a time to a private copy of the source tree,
rebuilds the library and the cmocka unit tests (no sanitizers, -O0, only what
changed is recompiled and relinked), runs the unit tests and reports, per file,
the mutants, how many the tests killed (a failing, crashing or timed-out test)
and each survivor as FILE:LINE:COL original -> mutant.

The catalog of operators:
  rel       <  <->  <=,  >  <->  >=      (a boundary moved by one)
  eq        ==  <->  !=                  (a condition negated)
  const     an integer constant N -> N+1 and N-1 (not in #define lines,
            strings, array sizes [N] or outside functions)
  logic     &&  ->  ||,  ||  ->  &&
  not       a logical ! dropped
  prefix    strcmp(a, b) == 0 (or !strcmp(a, b)) -> strncmp(a, b, strlen(b)) == 0
            (an exact match turned into a prefix match)

Comments, string and character literals and preprocessor lines are skipped
(a small C tokenizer), and so is everything outside a function body. The sites
are sorted (file, offset, operator) and numbered; --sample N --seed S picks N
of them reproducibly. A mutant that does not compile is "invalid" and left out
of the rate.

    scripts/mutate.py --list [--files model/traps.c ...]
    scripts/mutate.py [--sample N --seed S] [--jobs 2] [--files ...]
    scripts/mutate.py --self-test ...   # also: an equivalent mutant must survive
    scripts/mutate.py --at model/catalog.c:590 ...  # only the sites of one line

With --sanitize each worker has a second copy built as the test command builds
(ASan and UBSan): a mutant that survives the quick build runs there again,
with only its own file's tests (those named after it and those that killed a
mutant of it before), and a failure there is a kill ("sanitizer: TEST"); a
read or write past an array that no build without a sanitizer notices fails
the README's test command all the same.

The work tree (one copy of the sources per worker, configured once) is kept in
--workdir (default: _mutate/ under the current directory) and synchronised on
each run, so a second run rebuilds only what changed.
"""

import argparse
import fcntl
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time

DIRS = ("model", "aws", "common")
TEST_TIMEOUT = 20

# ---------------------------------------------------------------- tokenizer

TOKEN_RE = re.compile(
    r"""
    (?P<ws>[ \t\r\f\v]+|\n)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>(?:u8|[uUL])?"(?:\\.|[^"\\\n])*")
  | (?P<char>(?:[uUL])?'(?:\\.|[^'\\\n])*')
  | (?P<number>\.?[0-9](?:[eEpP][+-]|[0-9a-zA-Z_.])*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct><<=|>>=|\.\.\.|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^!~<>=?:;,.(){}\[\]#])
  | (?P<other>.)
    """,
    re.S | re.X,
)

INT_RE = re.compile(r"^(0[xX][0-9a-fA-F]+|[0-9]+)([uUlL]*)$")


class Tok:
    __slots__ = ("kind", "text", "off", "line", "col")

    def __init__(self, kind, text, off, line, col):
        self.kind, self.text, self.off, self.line, self.col = kind, text, off, line, col


def tokenize(src):
    """Yields the code tokens of a C source: no whitespace, comments or
    preprocessor lines; strings and chars are kept (as opaque tokens)."""
    toks = []
    line, line_start = 1, 0
    at_line_start = True
    in_pp = False
    for m in TOKEN_RE.finditer(src):
        kind = m.lastgroup
        text = m.group()
        off = m.start()
        col = off - line_start + 1
        if kind == "ws":
            if text == "\n":
                # a preprocessor line ends at a newline not escaped by "\"
                if in_pp and not src[line_start:off].rstrip(" \t\r").endswith("\\"):
                    in_pp = False
                line += 1
                line_start = off + 1
                at_line_start = True
            continue
        nl = text.count("\n")
        if kind == "comment":
            if nl:
                line += nl
                line_start = off + text.rindex("\n") + 1
            continue
        if at_line_start and text == "#":
            in_pp = True
        at_line_start = False
        if in_pp:
            continue
        toks.append(Tok(kind, text, off, line, col))
    return toks


def function_bodies(toks):
    """Marks, per token index, whether it is inside a function body: a "{" at
    depth 0 right after a ")" (K&R-free C11: a function definition)."""
    inside = [False] * len(toks)
    depth = 0
    in_fn = False
    for i, t in enumerate(toks):
        if t.text == "{":
            if depth == 0 and i > 0 and toks[i - 1].text == ")":
                in_fn = True
            depth += 1
        elif t.text == "}":
            depth -= 1
            if depth == 0:
                in_fn = False
                continue
        inside[i] = in_fn and depth > 0
    return inside


def matching_paren(toks, i):
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].text == "(":
            depth += 1
        elif toks[j].text == ")":
            depth -= 1
            if depth == 0:
                return j
    return -1


def equivalent_constants(toks):
    """Token indexes of constants whose +-1 mutant is equivalent by
    construction, left out of the catalog (docs/mutation.md):
    - the line and column of lms_error_set(err, NULL, LINE, COL, ...): an
      error with no file never shows them (lms_error_format);
    - `errno = 0` before strtol/strtoul/strtod: only ERANGE is tested after
      the call, and 1 is not ERANGE."""
    out = set()
    for i, t in enumerate(toks):
        if t.text == "lms_error_set" and i + 1 < len(toks) and toks[i + 1].text == "(":
            args, depth, cur = [], 0, []
            for k in range(i + 1, len(toks)):
                x = toks[k].text
                if x in "([{":
                    depth += 1
                    if depth == 1:
                        continue
                elif x in ")]}":
                    depth -= 1
                    if depth == 0:
                        args.append(cur)
                        break
                if depth == 1 and x == ",":
                    args.append(cur)
                    cur = []
                    continue
                cur.append(k)
                if len(args) >= 4:
                    break
            if len(args) >= 4 and [toks[k].text for k in args[1]] == ["NULL"]:
                for a in args[2:4]:
                    if len(a) == 1 and toks[a[0]].kind == "number":
                        out.add(a[0])
        elif (t.text == "errno" and i + 3 < len(toks) and toks[i + 1].text == "="
              and toks[i + 2].text == "0" and toks[i + 3].text == ";"):
            out.add(i + 2)
    return out


def sites_of(path, src):
    """The mutation sites of one file: (offset, length, original, replacement,
    operator, line, col)."""
    toks = tokenize(src)
    inside = function_bodies(toks)
    out = []

    def add(t, end_off, repl, op):
        out.append((t.off, end_off - t.off, src[t.off:end_off], repl, op, t.line, t.col))

    rel = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}
    quiet = equivalent_constants(toks)
    for i, t in enumerate(toks):
        if not inside[i]:
            continue
        x = t.text
        prev = toks[i - 1].text if i > 0 else ""
        nxt = toks[i + 1].text if i + 1 < len(toks) else ""
        if t.kind == "punct":
            if x in rel:
                add(t, t.off + len(x), rel[x], "rel")
            elif x in ("==", "!="):
                add(t, t.off + 2, "!=" if x == "==" else "==", "eq")
            elif x == "&&":
                add(t, t.off + 2, "||", "logic")
            elif x == "||":
                add(t, t.off + 2, "&&", "logic")
            elif x == "!":
                add(t, t.off + 1, "", "not")
        elif t.kind == "number":
            m = INT_RE.match(x)
            if not m or (prev == "[" and nxt == "]") or i in quiet:
                continue
            digits, suffix = m.group(1), m.group(2)
            v = int(digits, 16) if digits[:2] in ("0x", "0X") else int(digits, 8 if len(digits) > 1 and digits[0] == "0" else 10)
            fmt = (lambda n: hex(n)) if digits[:2] in ("0x", "0X") else str
            add(t, t.off + len(x), fmt(v + 1) + suffix, "const")
            if v > 0:
                add(t, t.off + len(x), fmt(v - 1) + suffix, "const")
        elif t.kind == "ident" and x == "strcmp" and nxt == "(":
            close = matching_paren(toks, i + 1)
            if close < 0:
                continue
            after = [toks[k].text for k in range(close + 1, min(close + 3, len(toks)))]
            if not (after == ["==", "0"] or prev == "!"):
                continue
            # the second argument: after the top-level comma
            depth, comma = 0, -1
            for k in range(i + 1, close):
                if toks[k].text in "([{":
                    depth += 1
                elif toks[k].text in ")]}":
                    depth -= 1
                elif toks[k].text == "," and depth == 1:
                    comma = k
            if comma < 0:
                continue
            a = src[toks[i + 2].off:toks[comma].off].strip()
            b = src[toks[comma + 1].off:toks[close].off].strip()
            end = toks[close].off + 1
            add(t, end, "strncmp(%s, %s, strlen(%s))" % (a, b, b), "prefix")
    return out


def source_files(top, only):
    files = []
    for d in DIRS:
        for root, _dirs, names in os.walk(os.path.join(top, d)):
            for n in names:
                if n.endswith(".c"):
                    files.append(os.path.relpath(os.path.join(root, n), top))
    files.sort()
    if only:
        want = [os.path.normpath(f) for f in only]
        files = [f for f in files if any(f == w or f.startswith(w.rstrip("/") + "/") for w in want)]
    return files


def all_sites(top, files, texts=None):
    """Every site of `files`, sorted; `texts`, when given, gets each site's
    source line (stripped) keyed by (file, line)."""
    sites = []
    for f in files:
        with open(os.path.join(top, f), encoding="utf-8") as fh:
            src = fh.read()
        lines = src.split("\n")
        for s in sites_of(f, src):
            sites.append((f,) + s)
            if texts is not None:
                texts[(f, s[5])] = lines[s[5] - 1].strip()
    sites.sort(key=lambda s: (s[0], s[1], s[5], s[4]))  # file, offset, operator, mutant
    return sites


# ---------------------------------------------------------------- equivalent mutants

EQUIV_FILE = os.path.join("scripts", "mutate-equivalent.txt")
EQUIV_RE = re.compile(r"^(\S+?):(\d+):(\d+) (.+?) -> (.+) \[(\w+)\]$")


def site_key(s, text):
    f, _off, _n, orig, repl, op, _line, _col = s
    return (f, text, orig, repl if repl else "(dropped)", op)


def site_id(s):
    return (s[0], s[1], s[4], s[5])  # file, offset, mutant, operator


def read_equivalents(path):
    """The argued equivalent mutants: one per line, three fields split by
    tabs: the site as a run prints it (FILE:LINE:COL ORIG -> MUTANT [OP]),
    the source line's text (stripped), and why no input can tell the mutant
    from the original. An entry names the mutant of its file with that
    operator, original and mutant on a line with that text: LINE only helps
    the reader, so the entry follows the line when lines move; COL chooses
    when the line has several such mutants. Returns (entries, errors)."""
    entries, errors = [], []
    if not os.path.exists(path):
        return entries, errors
    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            raw = raw.rstrip("\n")
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            parts = raw.split("\t")
            m = EQUIV_RE.match(parts[0]) if len(parts) == 3 else None
            if not m or not parts[1].strip() or not parts[2].strip():
                errors.append("%s:%d: want SITE<TAB>LINE TEXT<TAB>WHY, SITE as a run prints it" % (path, n))
                continue
            f, _line, col, orig, repl, op = m.groups()
            entries.append({"key": (os.path.normpath(f), parts[1].strip(), orig, repl, op),
                            "col": int(col), "where": "%s:%d" % (path, n), "site": parts[0],
                            "why": parts[2]})
    return entries, errors


def match_equivalents(top, entries):
    """The site ids the entries name, and a message for each entry that names
    none (its line changed) or cannot choose (several such mutants on the
    line, none at its column: the line was re-indented)."""
    files = sorted({e["key"][0] for e in entries})
    errors = ["%s: no file %s" % (e["where"], e["key"][0]) for e in entries
              if not os.path.exists(os.path.join(top, e["key"][0]))]
    texts = {}
    by_key = {}
    for s in all_sites(top, [f for f in files if os.path.exists(os.path.join(top, f))], texts):
        by_key.setdefault(site_key(s, texts[(s[0], s[6])]), []).append(s)
    matched = set()
    for e in entries:
        cand = by_key.get(e["key"], [])
        if len(cand) > 1:
            cand = [c for c in cand if c[7] == e["col"]]
            if not cand:
                errors.append("%s: %s: the line has several such mutants and none at column %d "
                              "(argue it again at its column)" % (e["where"], e["site"], e["col"]))
                continue
        if not cand:
            if os.path.exists(os.path.join(top, e["key"][0])):
                errors.append("%s: stale: no site of %s matches %s on a line reading %r (the line "
                              "changed: argue the mutant again or drop the entry)"
                              % (e["where"], e["key"][0], e["site"], e["key"][1]))
            continue
        matched.update(site_id(c) for c in cand)
    return matched, errors


def fmt_site(s):
    f, _off, _n, orig, repl, op, line, col = s
    return "%s:%d:%d %s -> %s [%s]" % (f, line, col, orig, repl if repl else "(dropped)", op)


# ---------------------------------------------------------------- work tree

SKIP_DIRS = {".git", "_build", "build", "autom4te.cache", ".deps", "_mutate", "__pycache__"}
SKIP_TOP = {"config.status", "config.log", "config.h", "Makefile", "stamp-h1", "lmsctl", "libtool"}


def tree_files(top):
    out = []
    for root, dirs, names in os.walk(top):
        rel_root = os.path.relpath(root, top)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("_mutate"))
        for n in sorted(names):
            rel = os.path.normpath(os.path.join(rel_root, n))
            if n == ".git" or (rel_root == "." and n in SKIP_TOP):
                continue
            if n.endswith((".o", ".a", ".log", ".trs")):
                continue
            if rel.startswith("tests/test_") and "." not in n:
                continue
            out.append(rel)
    return out


def sync_tree(src, dst):
    """Copies src into dst, rewriting only files whose bytes differ (so make
    rebuilds only what changed); copy2 keeps the modes and times, except a
    rewritten C file's time, which is now."""
    for rel in tree_files(src):
        s, d = os.path.join(src, rel), os.path.join(dst, rel)
        if os.path.islink(s):
            continue
        try:
            with open(s, "rb") as a, open(d, "rb") as b:
                if a.read() == b.read():
                    continue
        except OSError:
            pass
        os.makedirs(os.path.dirname(d), exist_ok=True)
        if os.path.exists(d):
            os.unlink(d)
        shutil.copy2(s, d)
        if rel.endswith((".c", ".h")):
            # a source edited before the copy's last (mutant) build of it keeps
            # an older time than that object: make would not rebuild it, and
            # the mutant would stay in the build; the rewritten file is new
            os.utime(d)


def unit_tests(top):
    with open(os.path.join(top, "Makefile.am"), encoding="utf-8") as fh:
        text = fh.read().replace("\\\n", " ")
    m = re.search(r"^UNIT_TESTS\s*=(.*)$", text, re.M)
    return m.group(1).split()


class Worker:
    cost = {}
    def __init__(self, n, top, workdir, log, sanitize=False):
        self.n = n
        self.sanitize = sanitize
        self.dir = os.path.join(workdir, "w%d%s" % (n, "-san" if sanitize else ""))
        # --sanitize: a second copy built as the test command builds (ASan and
        # UBSan) where a survivor's own tests run again
        self.san = None
        self.top = top
        self.log = log
        self.tests = unit_tests(top)
        self.order = {}  # file -> tests that killed a mutant of it, latest first
        # test -> seconds, measured on the unmutated tree (the sanitizer copy's own)
        self.cost = {} if sanitize else Worker.cost
        self.env = dict(os.environ)
        self.env.update(
            LMSCTL_TEMPLATES=os.path.join(self.dir, "templates"),
            LMSCTL=os.path.join(self.dir, "lmsctl"),
            TOP_SRCDIR=self.dir,
            TOP_BUILDDIR=self.dir,
            SIGV4_VECTORS=os.path.join(self.dir, "tests/vectors/sigv4/v4"),
        )
        for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
            self.env.pop(k, None)

    def run(self, argv, timeout=None):
        return subprocess.run(argv, cwd=self.dir, env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout)

    def setup(self):
        os.makedirs(self.dir, exist_ok=True)
        sync_tree(self.top, self.dir)
        if not os.path.exists(os.path.join(self.dir, "Makefile")):
            if not os.path.exists(os.path.join(self.dir, "configure")):
                r = self.run(["autoreconf", "-fi"])
                if r.returncode:
                    raise SystemExit("mutate: autoreconf failed in %s" % self.dir)
            r = self.run(["./configure", "-q", "CFLAGS=-O0 -g0"]
                         + (["--enable-sanitizers"] if self.sanitize else []))
            if r.returncode:
                sys.stderr.write(r.stdout.decode(errors="replace"))
                raise SystemExit("mutate: configure failed in %s" % self.dir)
        r = self.make(["liblmsctl.a"] + self.tests)
        if r.returncode:
            sys.stderr.write(r.stdout.decode(errors="replace")[-4000:])
            raise SystemExit("mutate: the unmutated tree does not build in %s" % self.dir)
        if self.san:
            self.san.setup()
        if self.n > 0:
            return  # the same sources: worker 0's baseline run answers for all
        failed = self.run_tests(None, stop_first=False)
        if failed:
            raise SystemExit("mutate: the unmutated tree fails %s: fix the tests first" % ", ".join(failed))

    def make(self, targets):
        return self.run(["make", "-j1", "--no-print-directory"] + targets)

    def ordered_tests(self, f, own_only=False):
        if f is None:
            return list(self.tests)
        stem = os.path.splitext(os.path.basename(f))[0]
        parts = f.split("/")
        guess = [t for t in self.tests if stem in t or (len(parts) > 2 and parts[1] in t)]
        first = [t for t in self.order.get(f, []) if t in self.tests]
        rest = [t for t in self.tests if t not in first and t not in guess]
        rest.sort(key=lambda t: self.cost.get(t, 0.0))  # the quick tests first
        own = first + [t for t in guess if t not in first]
        return own if own_only else own + rest

    def run_tests(self, f, stop_first=True, own_only=False):
        failed = []
        for t in self.ordered_tests(f, own_only):
            if f is not None:
                r = self.make([t])
                if r.returncode:
                    return ["build " + t]
            t0 = time.time()
            try:
                # 20 s, or 5 times the unmutated run: a loaded machine is no kill
                limit = max(TEST_TIMEOUT, 5 * self.cost.get(t, 0.0)) if f is not None else 120
                r = self.run([os.path.join(self.dir, t)], timeout=limit)
                bad = r.returncode != 0
            except subprocess.TimeoutExpired:
                bad = True
            if f is None:
                self.cost[t] = time.time() - t0
            if bad:
                failed.append(t)
                if stop_first:
                    return failed
        return failed

    def write(self, path, data):
        tmp = path + ".mutate-tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(data)
        shutil.copymode(path, tmp)
        os.replace(tmp, path)  # a new inode: never writes through a hard link

    def mutant(self, site):
        """Applies one site, rebuilds, tests; returns (status, test)."""
        f, off, n, _orig, repl, _op, _line, _col = site
        path = os.path.join(self.dir, f)
        with open(path, encoding="utf-8") as fh:
            orig = fh.read()
        self.write(path, orig[:off] + repl + orig[off + n:])
        try:
            r = self.make(["liblmsctl.a"])
            if r.returncode:
                return "invalid", ""
            failed = self.run_tests(f, own_only=self.sanitize)
            if not failed:
                if self.san:
                    # the test command runs the unit tests under ASan/UBSan: a
                    # read past an array that only a sanitizer sees fails it
                    status, killer = self.san.mutant(site)
                    if status == "killed":
                        return "killed", "sanitizer: " + killer
                return "survived", ""
            if failed[0].startswith("build "):
                return "invalid", ""
            killer = failed[0]
            seen = self.order.setdefault(f, [])
            if killer in seen:
                seen.remove(killer)
            seen.insert(0, killer)
            return "killed", killer
        finally:
            self.write(path, orig)


def self_test_site(top):
    """An equivalent mutant (an empty statement at the start of the first
    function of common/buf.c): it must survive, else the harness counts
    something other than the tests' verdict."""
    f = "common/buf.c"
    with open(os.path.join(top, f), encoding="utf-8") as fh:
        src = fh.read()
    toks = tokenize(src)
    for i, t in enumerate(toks):
        if t.text == "{" and i > 0 and toks[i - 1].text == ")":
            return (f, t.off, 1, "{", "{ ;", "self-test", t.line, t.col)
    raise SystemExit("mutate: no function in %s" % f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--top", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--workdir", default=os.path.abspath("_mutate"))
    ap.add_argument("--files", nargs="*", default=[], help="files or folders to mutate")
    ap.add_argument("--list", action="store_true", help="print the sites and stop")
    ap.add_argument("--sample", type=int, default=None, help="run N mutants picked by --seed")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ops", default="", help="comma-separated operators to keep")
    ap.add_argument("--at", action="append", default=[], metavar="FILE:LINE",
                    help="the sites on this line (repeatable), besides those of --files")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--self-test", action="store_true",
                    help="also run an equivalent mutant, which must survive")
    ap.add_argument("--fail-on-survivor", action="store_true")
    ap.add_argument("--min-rate", type=float, default=None, help="fail below this kill rate (%%)")
    ap.add_argument("--json", help="write the results to this file")
    ap.add_argument("--equivalent-file", default=None,
                    help="the argued equivalent mutants (default: %s)" % EQUIV_FILE)
    ap.add_argument("--run-equivalent", action="store_true",
                    help="run the argued equivalent mutants too (each must survive)")
    ap.add_argument("--check-equivalent", action="store_true",
                    help="check that every argued equivalent matches a site today, and stop")
    ap.add_argument("--sanitize", action="store_true",
                    help="run each survivor again in an ASan/UBSan build (as the test command "
                         "builds), its own tests only")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()

    top = os.path.abspath(a.top)
    at = set()
    for x in a.at:
        f, _, line = x.rpartition(":")
        if not f or not line.isdigit():
            ap.error("--at wants FILE:LINE, not %r" % x)
        at.add((os.path.normpath(f), int(line)))
    equiv_path = a.equivalent_file or os.path.join(top, EQUIV_FILE)
    if a.check_equivalent:
        entries, errors = read_equivalents(equiv_path)
        errors += match_equivalents(top, entries)[1]
        for e in errors:
            print("mutate: " + e)
        print("mutate: %d argued equivalent(s) in %s, %d problem(s)"
              % (len(entries), os.path.relpath(equiv_path, top), len(errors)))
        return 1 if errors else 0
    entries, errors = read_equivalents(equiv_path)
    if errors:
        sys.stderr.write("\n".join("mutate: " + e for e in errors) + "\n")
        return 2
    equiv, stale = match_equivalents(top, entries)
    if stale:  # a stale entry sets nothing apart; said, not fatal (make check fails on it)
        sys.stderr.write("".join("mutate: %s\n" % e for e in stale))
    whole = set(source_files(top, a.files)) if a.files else set()
    files = a.files + sorted({f for f, _l in at})
    texts = {}
    sites = all_sites(top, source_files(top, files), texts)
    if at:  # the lines of --at, and every site of --files
        sites = [s for s in sites if (s[0], s[6]) in at or s[0] in whole]
    if a.ops:
        keep = set(a.ops.split(","))
        sites = [s for s in sites if s[5] in keep]
    total = len(sites)
    if a.sample is not None and a.sample < len(sites):
        pick = random.Random(a.seed).sample(range(len(sites)), a.sample)
        sites = [sites[i] for i in sorted(pick)]
    is_equiv = {i for i, s in enumerate(sites) if site_id(s) in equiv}
    if a.list:
        for i, s in enumerate(sites):
            print(fmt_site(s) + ("  (argued equivalent)" if i in is_equiv else ""))
        print("%d sites (of %d; %d argued equivalent)" % (len(sites), total, len(is_equiv)))
        return 0

    t0 = time.time()
    # one run at a time per work tree: a second one would sync the sources
    # over the first one's mutant
    os.makedirs(os.path.abspath(a.workdir), exist_ok=True)
    run_lock = open(os.path.join(os.path.abspath(a.workdir), ".lock"), "w")  # held to the end
    try:
        fcntl.flock(run_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        sys.stderr.write("mutate: another run uses %s; wait for it, or give --workdir\n" % a.workdir)
        return 2
    workers = [Worker(n, top, os.path.abspath(a.workdir), None) for n in range(max(1, a.jobs))]
    if a.sanitize:
        for w in workers:
            w.san = Worker(w.n, top, os.path.abspath(a.workdir), None, sanitize=True)
    errs = []

    def setup(w):
        try:
            w.setup()
        except BaseException as e:  # noqa: BLE001: reported below
            errs.append(str(e))

    th = [threading.Thread(target=setup, args=(w,)) for w in workers]
    for t in th:
        t.start()
    for t in th:
        t.join()
    if errs:
        sys.stderr.write("\n".join(errs) + "\n")
        return 2
    print("mutate: baseline green in %d worker(s) (%.0f s); %d mutant(s) of %d sites"
          % (len(workers), time.time() - t0, len(sites), total), flush=True)

    results = {}
    if a.run_equivalent:
        jobs = list(enumerate(sites))
    else:  # argued equivalent: counted apart, not run
        jobs = [(i, s) for i, s in enumerate(sites) if i not in is_equiv]
        for i in is_equiv:
            results[i] = (sites[i], "equivalent", "")
    if a.self_test:
        jobs.insert(0, (-1, self_test_site(top)))
    lock = threading.Lock()

    def work(w):
        while True:
            with lock:
                if not jobs:
                    return
                idx, s = jobs.pop(0)
            status, killer = w.mutant(s)
            if idx in is_equiv and status != "survived":
                status, killer = "argued-but-" + status, killer
            with lock:
                results[idx] = (s, status, killer)
                if a.verbose or status == "survived":
                    print("  %-8s %s%s" % (status, fmt_site(s), "  (" + killer + ")" if killer else ""),
                          flush=True)

    th = [threading.Thread(target=work, args=(w,)) for w in workers]
    for t in th:
        t.start()
    for t in th:
        t.join()

    rc = 0
    if a.self_test:
        s, status, _k = results.pop(-1)
        if status != "survived":
            print("mutate: SELF-TEST FAILED: the equivalent mutant %s was %s" % (fmt_site(s), status))
            rc = 1
        else:
            print("mutate: self-test ok: the equivalent mutant survived")
    per = {}
    wrong = []  # argued equivalent, yet killed: the argument is wrong
    for idx in sorted(results):
        s, status, killer = results[idx]
        per.setdefault(s[0], {"killed": 0, "survived": 0, "invalid": 0, "equivalent": 0,
                              "survivors": []})
        if status.startswith("argued-but-"):
            wrong.append("%s (%s)" % (fmt_site(s), status[len("argued-but-"):]))
            status = status[len("argued-but-"):]
        elif idx in is_equiv:
            status = "equivalent"
        per[s[0]][status] += 1
        per[s[0]].setdefault("mutants", []).append([fmt_site(s), status, killer])
        if status == "survived":
            per[s[0]]["survivors"].append(fmt_site(s))
    print("\n%-30s %7s %7s %8s %6s %7s %6s"
          % ("file", "mutants", "killed", "survived", "equiv", "invalid", "rate"))
    tk = ts = ti = te = 0
    for f in sorted(per):
        p = per[f]
        valid = p["killed"] + p["survived"]
        tk, ts, ti, te = tk + p["killed"], ts + p["survived"], ti + p["invalid"], te + p["equivalent"]
        rate = "%5.1f%%" % (100.0 * p["killed"] / valid) if valid else "   -"
        print("%-30s %7d %7d %8d %6d %7d %6s" % (f, valid + p["invalid"] + p["equivalent"], p["killed"],
                                                 p["survived"], p["equivalent"], p["invalid"], rate))
    valid = tk + ts
    rate = 100.0 * tk / valid if valid else 100.0
    print("%-30s %7d %7d %8d %6d %7d %5.1f%%" % ("total", valid + ti + te, tk, ts, te, ti, rate))
    if wrong:
        print("\nargued equivalent in %s, yet not a survivor (fix the entry):"
              % os.path.relpath(equiv_path, top))
        for x in wrong:
            print("  " + x)
        rc = 1
    survivors = [x for f in sorted(per) for x in per[f]["survivors"]]
    if survivors:
        print("\nsurvivors:")
        for x in survivors:
            print("  " + x)
    if valid:
        print("\nmutate: kill rate %.1f%% (%d of %d valid mutants; %d argued equivalent left out, "
              "%.1f%% counting them as survivors; %d invalid) in %.0f s"
              % (rate, tk, valid, te, 100.0 * tk / (valid + te), ti, time.time() - t0))
    else:
        print("\nmutate: no valid mutant run (%d invalid)" % ti)
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            json.dump({"rate": rate, "killed": tk, "survived": ts, "invalid": ti, "equivalent": te,
                       "files": per, "seed": a.seed, "sample": a.sample}, fh, indent=1)
    if a.fail_on_survivor and ts:
        rc = 1
    if a.min_rate is not None and rate < a.min_rate:
        rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
