#!/usr/bin/env python3
"""No control character reaches the operator's terminal raw (docs/guarantees.md).

Every output path of the command line is fed every control character from the sources
an adversary controls, and its standard output and standard error are checked byte by
byte: no C0 but newline and tab, no DEL, no C1 (U+0080-U+009F) and no byte that is not
UTF-8. JSON output must also parse and keep the hostile values exact.

  model values   validate (text, json), report (text, markdown, json), generate, render
                 generate, render, params export (YAML and JSON data)
                 on a model whose values hold ESC sequences (title, clear screen, OSC 52),
                 every C0 but NUL, DEL and every C1, through YAML escapes
  file names     a model path with ESC, BEL, C1 and a byte that is not UTF-8
  arguments      an unknown option, an unknown command, a bad option value
  AWS answers    status and outputs (text, json, flat), with and without --debug, on
                 tests/fault_server.py's recorded answers tests/fixtures/deploy/recorded/
                 hostile (C1, DEL, CR, tab and newline in reasons, outputs and events)
                 and its `hostile` scenario (raw ESC, BEL, C1 and bytes that are not UTF-8
                 in a header and an error body)
  helpers        a credential_process that writes raw ESC, C1 and DEL and fails, or
                 answers something that is not JSON

LMSCTL=path/to/lmsctl, TOP_SRCDIR, LMSCTL_TEMPLATES as the other script tests."""
import json
import os
import subprocess
import sys
import tempfile

TOP = os.environ.get("TOP_SRCDIR", os.path.join(os.path.dirname(__file__), ".."))
LMSCTL = os.environ.get("LMSCTL", "./lmsctl")
TEMPLATES = os.environ.get("LMSCTL_TEMPLATES", os.path.join(TOP, "templates"))
RECORDED = os.path.join(TOP, "tests", "fixtures", "deploy", "recorded")

failures = []
checked = 0


def first_raw_control(data):
    """The offset of the first byte a terminal could act on, or -1."""
    try:
        text = data.decode("utf-8")  # strict: no byte that is not UTF-8, no surrogate
    except UnicodeDecodeError as e:
        return e.start
    for i, ch in enumerate(text):
        o = ord(ch)
        if (o < 0x20 and ch not in "\n\t") or 0x7F <= o <= 0x9F:
            return len(text[:i].encode("utf-8"))
    return -1


def check(name, argv, env=None, want_json=None):
    """Runs lmsctl; neither stream may carry a raw control character. want_json(doc) checks
    a JSON standard output."""
    global checked
    r = subprocess.run(argv, capture_output=True, timeout=60, env=env, stdin=subprocess.DEVNULL)
    for stream, data in (("stdout", r.stdout), ("stderr", r.stderr)):
        at = first_raw_control(data)
        if at >= 0:
            failures.append("%s: raw byte 0x%02x on %s at %d: %r" %
                            (name, data[at], stream, at, data[max(0, at - 30):at + 30]))
    if b"Sanitizer" in r.stderr:
        failures.append("%s: sanitizer report: %s" % (name, r.stderr[:2000]))
    if want_json:
        try:
            doc = json.loads(r.stdout)
        except ValueError as e:
            failures.append("%s: stdout is not JSON (%s): %r" % (name, e, r.stdout[:200]))
        else:
            problem = want_json(doc)
            if problem:
                failures.append("%s: %s" % (name, problem))
    checked += 1
    return r


# Every C0 but NUL (YAML cannot hold it), DEL and every C1, as YAML escapes.
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x1b]52;c;cHduZWQ=\x07" + "".join(
    chr(c) for c in list(range(1, 0x20)) + [0x7F] + list(range(0x80, 0xA0)))
# a model value is one line: the same without the newline
HOSTILE_LINE = HOSTILE.replace("\n", "")


def yaml_escaped(s):
    return '"' + "".join("\\x%02x" % ord(c) if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F
                         else ("\\" + c if c in '"\\' else c) for c in s) + '"'


def model_paths(tmp):
    path = os.path.join(tmp, "base.yml")
    subprocess.run([LMSCTL, "--templates", TEMPLATES, "init", "-o", path, "-f"], check=True,
                   capture_output=True, timeout=30)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    hostile = yaml_escaped(HOSTILE_LINE)
    text = text.replace("stack: lms-dev", "stack: " + hostile, 1)
    text = text.replace("VpcCidr: 10.40.0.0/16", "VpcCidr: " + hostile, 1)
    assert hostile in text
    model = os.path.join(tmp, "hostile.yml")
    with open(model, "w", encoding="utf-8") as f:
        f.write(text)
    # a file name with ESC, BEL, C1 and a byte that is not UTF-8
    odd = os.path.join(tmp.encode(), b"m\x1b]0;pwned\x07\xc2\x9b2J\x9b.yml")
    with open(odd, "wb") as f:
        f.write(text.encode("utf-8"))
    return model, odd


def findings_keep_value(doc):
    values = [x.get("message", "") for x in doc.get("findings", [])]
    if not any(HOSTILE_LINE in v for v in values):
        return "no finding message keeps the hostile value exactly"
    return None


def findings_keep_file(doc):
    """A file name that is not UTF-8 is kept (its bad byte as the text \\x9b), not dropped."""
    found = doc.get("findings", [])
    if not found or not all("\\x9b.yml" in (x.get("file") or "") for x in found):
        return "a finding lost its file name: %r" % [x.get("file") for x in found][:3]
    return None


def report_keeps_value(doc):
    if doc.get("model", {}).get("stack") != HOSTILE_LINE:
        return "model.stack is not the hostile value: %r" % doc.get("model", {}).get("stack")
    return None


def model_sources(tmp):
    model, odd = model_paths(tmp)
    base = [LMSCTL, "--templates", TEMPLATES]
    for m, label in ((model, "value"), (odd, "file-name")):
        check(label + "/validate-text", base + ["-m", m, "validate"])
        check(label + "/validate-json", base + ["-m", m, "validate", "--output", "json"],
              want_json=findings_keep_value if m == model else findings_keep_file)
        check(label + "/report-text", base + ["-m", m, "report"])
        check(label + "/report-markdown", base + ["-m", m, "report", "--output", "markdown"])
        check(label + "/report-json", base + ["-m", m, "report", "--output", "json"],
              want_json=report_keeps_value if m == model else None)
        check(label + "/generate", base + ["-m", m, "generate"])
        # YAML and JSON data: the emitters quote what the terminal would act on
        check(label + "/generate-no-validate", base + ["-m", m, "generate", "--no-validate"])
        check(label + "/render-yaml", base + ["-m", m, "render"])
        check(label + "/render-json", base + ["-m", m, "render", "--output", "json"])
        check(label + "/params-export", base + ["-m", m, "params", "export"])
    missing = os.path.join(tmp.encode(), b"gone\x1b[2J\x9b.yml")
    check("file-name/missing", base + ["-m", missing, "validate"])
    # words on the command line: an unknown option (getopt would print it raw), command
    word = b"\x1b]0;pwned\x07\xc2\x9b2J\x9b"
    check("argv/unknown-option", base + ["validate", b"--" + word])
    check("argv/unknown-command", base + [word])
    check("argv/bad-value", base + ["render", "--account-id", word])


def outputs_keep_value(doc):
    vals = doc if isinstance(doc, list) else [{"OutputValue": v} for v in doc.values()]
    if not any("\x85\x9b2J\x7f\r\t\n" in (x.get("OutputValue") or "") for x in vals):
        return "no output value keeps the C1, DEL, CR, tab and newline exactly"
    return None


def status_keeps_value(doc):
    if "\x85\x9b2J\x7f\r" not in (doc.get("reason") or ""):
        return "the reason does not keep the C1 and DEL exactly: %r" % doc.get("reason")
    return None


def aws_sources(tmp):
    server = subprocess.Popen(
        [sys.executable, os.path.join(TOP, "tests", "fault_server.py"), "--lifetime", "120",
         "--recorded", RECORDED],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = "http://127.0.0.1:%d" % int(server.stdout.readline())
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(HOME=tmp, XDG_STATE_HOME=os.path.join(tmp, "state"), NO_COLOR="1",
                   AWS_EC2_METADATA_DISABLED="true", LMSCTL_HTTP_BACKOFF_MS="20",
                   AWS_ACCESS_KEY_ID="AKIDTERMINAL", AWS_SECRET_ACCESS_KEY="terminal-secret")
        runs = [("status", ["status"], None),
                ("status-json", ["status", "--output", "json"], status_keeps_value),
                ("outputs", ["outputs"], None),
                ("outputs-json", ["outputs", "--output", "json"], outputs_keep_value),
                ("outputs-flat", ["outputs", "--output", "flat"], outputs_keep_value)]
        n = 0
        for debug in ([], ["--debug"]):
            for name, args, want in runs:
                n += 1
                check("aws%s/%s" % ("-debug" if debug else "", name),
                      [LMSCTL, "--templates", TEMPLATES, "--endpoint-url",
                       "%s/recorded/hostile/t%d" % (url, n)] + debug + args, env=env,
                      want_json=want)
        for name, args, _ in runs:
            n += 1
            check("raw-answer-debug/" + name,
                  [LMSCTL, "--templates", TEMPLATES, "--endpoint-url",
                   "%s/hostile/t%d" % (url, n), "--debug"] + args, env=env)
    finally:
        server.stdin.close()
        server.stdout.close()
        server.wait(timeout=10)


def helper_sources(tmp):
    """A credential_process that fails with hostile bytes on stderr and on stdout."""
    script = os.path.join(tmp, "helper.sh")
    with open(script, "wb") as f:
        f.write(b"printf '\\033]0;pwned\\007\\302\\233 \\233 \\177' >&2\n"
                b"printf '{\\033[2J\\302\\205'\n"
                b"exit ${HELPER_EXIT:-1}\n")
    config = os.path.join(tmp, "config")
    with open(config, "w", encoding="utf-8") as f:
        f.write("[profile hostile]\nregion = eu-west-1\ncredential_process = /bin/sh %s\n"
                % script)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=tmp, XDG_STATE_HOME=os.path.join(tmp, "state"), NO_COLOR="1",
               AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=config,
               AWS_SHARED_CREDENTIALS_FILE=os.path.join(tmp, "none"))
    for code in ("1", "0"):  # fails; succeeds with output that is not JSON
        env["HELPER_EXIT"] = code
        for debug in ([], ["--debug"]):
            check("helper-exit-%s%s/status" % (code, "-debug" if debug else ""),
                  [LMSCTL, "--templates", TEMPLATES, "--endpoint-url", "http://127.0.0.1:9",
                   "--profile", "hostile"] + debug + ["status"], env=env)


def main():
    with tempfile.TemporaryDirectory(prefix="lmsctl-terminal-") as tmp:
        model_sources(tmp)
        aws_sources(tmp)
        helper_sources(tmp)
    for f in failures:
        print("FAIL " + f)
    print("%d runs, %d failures" % (checked, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
