#!/usr/bin/env python3
"""The security posture gate: AWS Control Tower's proactive controls over the
generated template of dev, staging and prod.

AWS publishes its Control Tower proactive controls as cfn-guard rules (npm
package @cdklabs/cdk-validator-cfnguard, installed and pinned by
scripts/guard-install.sh). This test

1. generates the template of each environment kind with the built lmsctl
   (LMSCTL) from the model `lmsctl init --env KIND` writes;
2. resolves it for that environment the way CloudFormation hands resources to
   the Control Tower hooks at deploy time: every Ref to a parameter becomes
   the environment's value, conditions are decided, Fn::If picks its branch,
   resources whose condition is false disappear, AWS::NoValue is removed,
   Fn::Sub/Join/Select/FindInMap over known values are folded and
   `!GetAtt X.Attr` is written in its list form. Whatever needs AWS (GetAtt
   values, Ref to resources, the account id) stays symbolic. Without this
   step every Ref to a parameter fails any rule that compares a value, and
   the three environments could not differ;
3. runs cfn-guard with every rule over the three resolved templates in one
   process (`validate -o json`, structured output);
4. maps each failure to (control id, logical id): the control id is the
   `[CT.X.PR.N]` the rule prints, the logical id comes from the
   `/Resources/<LogicalId>/...` paths of the failing checks, kept to the
   resource types the rule reports on (the rules ignore suppression
   metadata, so this is the only way to tell resources apart);
5. compares them with the exceptions table of docs/security-posture.md and
   fails on a failure the table does not list AND on a listed exception that
   no longer fires, so the table stays true.

Standard library only. Usage (scripts/check runs it so):

    LMSCTL=_build/check/lmsctl python3 tests/guard.py --guard "$(scripts/guard-install.sh)"

Options: --keep DIR keeps the resolved templates and cfn-guard's output;
--raw evaluates the templates as generated, unresolved (a diagnostic: its
failures are not the gate's); --env KIND runs one environment only.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ENVIRONMENTS = ("dev", "staging", "prod")
REGION = "eu-west-1"  # the platform's region (lmsctl-model(5): region)


class GateError(Exception):
    """Something the gate cannot work around: a clear message, exit 2."""


# ---- a loader for the YAML that lmsctl generates ----------------------------
#
# The generated template is block-style YAML with CloudFormation's short-form
# tags, flow collections inside values, quoted and block scalars and
# comments. This loader reads that subset and refuses anything else (anchors,
# aliases, complex keys, several documents) with the line number, rather than
# guess.

NOVALUE = object()  # Ref AWS::NoValue: the key or item disappears


def _tagged(tag, value, where):
    if tag == "!Ref":
        return {"Ref": value}
    if tag == "!Condition":
        return {"Condition": value}
    if tag == "!GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    if re.fullmatch(r"![A-Z][A-Za-z0-9]*", tag):
        return {"Fn::" + tag[1:]: value}
    raise GateError(f"{where}: unsupported YAML tag {tag}")


_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+)")


def _plain(text):
    """The value of a plain scalar (YAML 1.2 core schema)."""
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


def _strip_comment(text):
    """A plain scalar's text without its trailing comment (` #`)."""
    m = re.search(r"(^|\s)#", text)
    return (text[: m.start()] if m else text).rstrip()


_DQ_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "/": "/", "0": "\0", "r": "\r", " ": " "}


class Loader:
    def __init__(self, text, name):
        self.lines = text.replace("\r\n", "\n").split("\n")
        self.name = name
        self.i = 0  # the next line to read

    def where(self, line=None):
        return f"{self.name}:{(self.i if line is None else line) + 1}"

    # lines
    @staticmethod
    def _indent(line):
        return len(line) - len(line.lstrip(" "))

    def _skip_blank(self):
        while self.i < len(self.lines):
            s = self.lines[self.i].strip()
            if s and not s.startswith("#"):
                return True
            self.i += 1
        return False

    def load(self):
        if not self._skip_blank():
            return None
        line = self.lines[self.i]
        if line.strip() in ("---",) or line.startswith("%"):
            raise GateError(f"{self.where()}: document markers are not supported")
        value = self._block(self._indent(line))
        if self._skip_blank():
            raise GateError(f"{self.where()}: unexpected text after the document")
        return value

    # nodes
    def _block(self, indent):
        """The node whose first line is the current one, at `indent`."""
        line = self.lines[self.i]
        content = line[indent:]
        if content == "-" or content.startswith("- "):
            return self._seq(indent)
        if self._key_of(content) is not None:
            return self._map(indent)
        # a lone scalar or flow node on its own line (e.g. after `!If`)
        self.i += 1
        return self._inline(content, indent - 1, self.i - 1, indent)

    def _key_of(self, content):
        """(key, rest) when `content` starts a mapping entry, else None."""
        if content[:1] in ("'", '"'):
            value, end = self._quoted_in_line(content, 0)
            if value is None:
                return None
            m = re.match(r"\s*:(\s|$)", content[end:])
            if not m:
                return None
            return value, content[end + m.end() :].strip()
        if content[:1] in "[{!|>&*?%@`#" or content.startswith("- "):
            return None
        m = re.search(r":(\s|$)", content)
        if not m:
            return None
        hash_at = re.search(r"\s#", content)
        if hash_at and hash_at.start() < m.start():
            return None
        key = content[: m.start()].rstrip()
        return key, content[m.end() :].strip()

    def _map(self, indent):
        out = {}
        while self._skip_blank():
            line = self.lines[self.i]
            ind = self._indent(line)
            if ind < indent:
                break
            if ind > indent:
                raise GateError(f"{self.where()}: unexpected indentation")
            content = line[ind:]
            if content == "-" or content.startswith("- "):
                break
            kv = self._key_of(content)
            if kv is None:
                raise GateError(f"{self.where()}: expected 'key: value'")
            key, rest = kv
            if key in out:
                raise GateError(f"{self.where()}: duplicate key {key}")
            start = self.i
            self.i += 1
            out[key] = self._inline(rest, indent, start, indent, seq_same_indent=True)
        return out

    def _seq(self, indent):
        out = []
        while self._skip_blank():
            line = self.lines[self.i]
            ind = self._indent(line)
            if ind != indent or not (line[ind:] == "-" or line[ind:].startswith("- ")):
                if ind > indent:
                    raise GateError(f"{self.where()}: unexpected indentation")
                break
            # the item is read as if the dash were a space
            self.lines[self.i] = line[:ind] + " " + line[ind + 1 :]
            rest = self.lines[self.i][ind:].lstrip(" ")
            if not rest or rest.startswith("#"):
                self.i += 1
                if not self._skip_blank() or self._indent(self.lines[self.i]) <= indent:
                    out.append(None)
                    continue
                out.append(self._block(self._indent(self.lines[self.i])))
                continue
            out.append(self._block(len(self.lines[self.i]) - len(rest)))
        return out

    def _nested(self, parent, seq_same_indent):
        """The block node under a key or tag whose value is on the next lines."""
        if not self._skip_blank():
            return None
        line = self.lines[self.i]
        ind = self._indent(line)
        if ind > parent:
            return self._block(ind)
        if seq_same_indent and ind == parent and (line[ind:] == "-" or line[ind:].startswith("- ")):
            return self._seq(ind)
        return None

    def _inline(self, rest, parent, line_no, col, seq_same_indent=False):
        """The value that starts with `rest` (after `key:` or `- `); `parent`
        is the indentation a continuation line must exceed."""
        if not rest or rest.startswith("#"):
            return self._nested(parent, seq_same_indent)
        if rest[0] == "!":
            m = re.match(r"(!\S*)\s*", rest)
            tag, after = m.group(1), rest[m.end() :]
            value = self._inline(after, parent, line_no, col, seq_same_indent)
            return _tagged(tag, value, self.where(line_no))
        if rest[0] in "&*":
            raise GateError(f"{self.where(line_no)}: anchors and aliases are not supported")
        if rest[0] in "|>":
            return self._block_scalar(rest, parent, line_no)
        if rest[0] in "[{":
            return self._flow(rest, line_no)
        if rest[0] in "'\"":
            return self._quoted(rest, parent, line_no)
        # a plain scalar, maybe continued on more-indented lines
        parts = [_strip_comment(rest)]
        while self.i < len(self.lines):
            line = self.lines[self.i]
            s = line.strip()
            if not s:
                # an empty line inside a multi-line plain scalar is a newline
                j = self.i
                while j < len(self.lines) and not self.lines[j].strip():
                    j += 1
                more = j < len(self.lines) and self._indent(self.lines[j]) > parent
                if more and not self.lines[j].strip().startswith("#") and self._continues(self.lines[j], parent):
                    parts.append("\n" * (j - self.i))
                    self.i = j
                    continue
                break
            if self._indent(line) <= parent or s.startswith("#") or not self._continues(line, parent):
                break
            parts.append(_strip_comment(s))
            self.i += 1
        if len(parts) == 1:
            return _plain(parts[0])
        text = parts[0]
        for p in parts[1:]:
            if p.startswith("\n"):
                text += p
            elif text.endswith("\n"):
                text += p
            else:
                text += " " + p
        return text

    def _continues(self, line, parent):
        # a more-indented line after a plain scalar continues it unless it is
        # itself a mapping entry or a sequence item (then the YAML is invalid)
        content = line.strip()
        if content.startswith("- ") or self._key_of(content) is not None:
            raise GateError(f"{self.where()}: a mapping or sequence cannot follow a plain scalar")
        return True

    def _block_scalar(self, rest, parent, line_no):
        m = re.fullmatch(r"([|>])([-+]?)([1-9]?)([-+]?)\s*(#.*)?", rest)
        if not m:
            raise GateError(f"{self.where(line_no)}: bad block scalar header {rest!r}")
        style, chomp = m.group(1), m.group(2) or m.group(4)
        explicit = int(m.group(3)) if m.group(3) else None
        raw = []
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if line.strip() and self._indent(line) <= parent:
                break
            raw.append(line)
            self.i += 1
        # trailing empty lines belong to the scalar only for chomping
        while raw and not raw[-1].strip():
            raw.pop()
            self.i -= 1
        # give back empty lines that precede the next node
        if explicit is not None:
            ind = parent + explicit
        else:
            firsts = [self._indent(x) for x in raw if x.strip()]
            ind = firsts[0] if firsts else parent + 1
        body = [x[ind:] if len(x) >= ind else "" for x in raw]
        trailing = 0
        j = self.i
        while j < len(self.lines) and not self.lines[j].strip():
            trailing += 1
            j += 1
        if style == "|":
            text = "\n".join(body)
        else:
            # folding: a break between two normal lines is a space, empty
            # lines are newlines, more-indented lines keep their breaks
            text, prev, empties = "", None, 0
            for b in body:
                if not b:
                    empties += 1
                    continue
                normal = not b[0].isspace()
                if prev is None:
                    text += "\n" * empties + b
                elif normal and prev:
                    text += ("\n" * empties if empties else " ") + b
                else:
                    text += "\n" * (empties + 1) + b
                prev, empties = normal, 0
        if not body:
            return ""
        if chomp == "-":
            return text
        if chomp == "+":
            return text + "\n" + "\n" * trailing
        return text + "\n"

    # quoted scalars
    def _quoted_in_line(self, text, pos):
        """A quoted scalar that ends on this line: (value, end) or (None, pos)."""
        q = text[pos]
        out = []
        k = pos + 1
        while k < len(text):
            ch = text[k]
            if q == "'" and ch == "'":
                if text[k + 1 : k + 2] == "'":
                    out.append("'")
                    k += 2
                    continue
                return "".join(out), k + 1
            if q == '"' and ch == "\\":
                esc = text[k + 1 : k + 2]
                if esc in _DQ_ESCAPES:
                    out.append(_DQ_ESCAPES[esc])
                    k += 2
                    continue
                if esc in ("x", "u", "U"):
                    n = {"x": 2, "u": 4, "U": 8}[esc]
                    out.append(chr(int(text[k + 2 : k + 2 + n], 16)))
                    k += 2 + n
                    continue
                raise GateError(f"{self.where()}: unsupported escape \\{esc}")
            if q == '"' and ch == '"':
                return "".join(out), k + 1
            out.append(ch)
            k += 1
        return None, pos

    def _quoted(self, rest, parent, line_no):
        value, end = self._quoted_in_line(rest, 0)
        if value is not None:
            tail = rest[end:].strip()
            if tail and not tail.startswith("#"):
                raise GateError(f"{self.where(line_no)}: text after a quoted scalar: {tail!r}")
            return value
        # a quoted scalar over several lines: fold the line breaks
        text = rest
        while self.i < len(self.lines):
            text += "\n" + self.lines[self.i]
            self.i += 1
            value, end = self._quoted_in_line(self._fold_quoted(text), 0)
            if value is not None:
                return value
        raise GateError(f"{self.where(line_no)}: unterminated quoted scalar")

    @staticmethod
    def _fold_quoted(text):
        lines = text.split("\n")
        out = lines[0].rstrip()
        empties = 0
        for ln in lines[1:]:
            s = ln.strip()
            if not s:
                empties += 1
                continue
            out += ("\n" * empties) if empties else " "
            out += s
            empties = 0
        return out

    # flow collections (may span lines)
    def _flow(self, rest, line_no):
        buf = rest
        extra = 0  # lines appended to buf
        p = _FlowParser(buf, self.where(line_no))
        while True:
            try:
                value = p.parse()
                break
            except _NeedMore:
                if self.i + extra >= len(self.lines):
                    raise GateError(f"{self.where(line_no)}: unterminated flow collection")
                buf += "\n" + self.lines[self.i + extra]
                extra += 1
                p = _FlowParser(buf, self.where(line_no))
        self.i += extra
        tail = p.text[p.k :].strip()
        if tail and not tail.startswith("#"):
            raise GateError(f"{self.where(line_no)}: text after a flow collection: {tail!r}")
        return value


class _NeedMore(Exception):
    pass


class _FlowParser:
    def __init__(self, text, where):
        self.text = text
        self.k = 0
        self.where = where

    def parse(self):
        return self.node()

    def ws(self):
        t = self.text
        while self.k < len(t):
            ch = t[self.k]
            if ch in " \t\n":
                self.k += 1
            elif ch == "#" and (self.k == 0 or t[self.k - 1] in " \t\n"):
                nl = t.find("\n", self.k)
                if nl < 0:
                    self.k = len(t)
                else:
                    self.k = nl
            else:
                break
        if self.k >= len(t):
            raise _NeedMore()

    def node(self, in_map_key=False):
        self.ws()
        t = self.text
        ch = t[self.k]
        if ch == "[":
            self.k += 1
            out = []
            while True:
                self.ws()
                if t[self.k] == "]":
                    self.k += 1
                    return out
                item = self.node()
                if item is not NOVALUE:
                    out.append(item)
                self.ws()
                if t[self.k] == ",":
                    self.k += 1
                elif t[self.k] != "]":
                    raise GateError(f"{self.where}: expected ',' or ']' in a flow sequence")
        if ch == "{":
            self.k += 1
            out = {}
            while True:
                self.ws()
                if t[self.k] == "}":
                    self.k += 1
                    return out
                key = self.node(in_map_key=True)
                self.ws()
                if t[self.k] != ":":
                    raise GateError(f"{self.where}: expected ':' in a flow mapping")
                self.k += 1
                value = self.node()
                out[str(key) if not isinstance(key, str) else key] = value
                self.ws()
                if t[self.k] == ",":
                    self.k += 1
                elif t[self.k] != "}":
                    raise GateError(f"{self.where}: expected ',' or '}}' in a flow mapping")
        if ch == "!":
            m = re.compile(r"!\S*?(?=[\s,\[\]{}]|$)").match(t, self.k)
            tag = m.group(0)
            self.k = m.end()
            return _tagged(tag, self.node(in_map_key), self.where)
        if ch in "'\"":
            value, end = Loader._quoted_in_line(self, t.replace("\n", " "), self.k)
            if value is None:
                raise _NeedMore()
            self.k = end
            return value
        # a plain scalar: ends at , [ ] { } or ': ' / ':' before a flow indicator
        start = self.k
        while self.k < len(t):
            c = t[self.k]
            if c in ",[]{}":
                break
            if c == ":" and (self.k + 1 >= len(t) or t[self.k + 1] in " \t\n,[]{}"):
                break
            if c == "#" and t[self.k - 1] in " \t\n":
                break
            self.k += 1
        if self.k >= len(t):
            raise _NeedMore()
        words = t[start : self.k].split()
        return _plain(" ".join(words))


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return Loader(f.read(), path).load()


# ---- the deploy-time view -----------------------------------------------------

PSEUDO = {"AWS::Region": REGION, "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}


class Resolver:
    def __init__(self, template):
        self.t = template
        self.params = {}
        for name, p in (template.get("Parameters") or {}).items():
            self.params[name] = self._typed(p.get("Type", "String"), p.get("Default"))
        self.cond_defs = template.get("Conditions") or {}
        self.conds = {}

    @staticmethod
    def _typed(ptype, value):
        if value is None:
            return None
        if ptype == "Number":
            return value if isinstance(value, (int, float)) else _plain(str(value))
        if ptype == "CommaDelimitedList" or ptype.startswith("List<"):
            if isinstance(value, list):
                return [str(v) for v in value]
            return [] if value == "" else str(value).split(",")
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def condition(self, name):
        if name not in self.conds:
            if name not in self.cond_defs:
                raise GateError(f"unknown condition {name}")
            self.conds[name] = None  # a cycle reads as unknown
            self.conds[name] = self._cond(self.cond_defs[name], name)
        if self.conds[name] is None:
            raise GateError(f"condition {name} cannot be decided for this environment")
        return self.conds[name]

    def _cond(self, node, name):
        if isinstance(node, dict) and len(node) == 1:
            (fn, arg), = node.items()
            if fn == "Condition":
                return self.condition(arg)
            if fn == "Fn::Equals":
                a, b = (self.value(x) for x in arg)
                for v in (a, b):
                    if isinstance(v, dict):
                        target = v.get("Ref")
                        if isinstance(target, str) and target not in self.params and "::" not in target:
                            raise GateError(
                                f"condition {name} refers to {target}, which is not a parameter of the template"
                            )
                        raise GateError(
                            f"condition {name} compares a value that needs AWS: {json.dumps(v)[:80]}"
                        )
                return _scalar_text(a) == _scalar_text(b)
            if fn == "Fn::Not":
                return not self._cond(arg[0], name)
            if fn == "Fn::And":
                return all(self._cond(x, name) for x in arg)
            if fn == "Fn::Or":
                return any(self._cond(x, name) for x in arg)
        raise GateError(f"condition {name}: unsupported expression {json.dumps(node)[:80]}")

    def value(self, node):
        if isinstance(node, list):
            out = [self.value(x) for x in node]
            return [x for x in out if x is not NOVALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (fn, arg), = node.items()
            if fn == "Ref" and isinstance(arg, str):
                if arg == "AWS::NoValue":
                    return NOVALUE
                if arg in self.params and self.params[arg] is not None:
                    return self.params[arg]
                if arg in PSEUDO:
                    return PSEUDO[arg]
                return node
            if fn == "Fn::If":
                cond, yes, no = arg
                return self.value(yes if self.condition(cond) else no)
            if fn == "Fn::GetAtt" and isinstance(arg, str):
                return {fn: arg.split(".", 1)}
            if fn == "Fn::Sub":
                return self._sub(arg)
            if fn == "Fn::Join":
                delim, items = arg[0], self.value(arg[1])
                if isinstance(items, list) and all(isinstance(x, (str, int, float)) for x in items):
                    return delim.join(_scalar_text(x) for x in items)
                return {fn: [delim, items]}
            if fn == "Fn::Select":
                index, items = self.value(arg[0]), self.value(arg[1])
                if isinstance(items, list) and isinstance(_plain(str(index)), int):
                    i = _plain(str(index))
                    if 0 <= i < len(items):
                        return items[i]
                return {fn: [index, items]}
            if fn == "Fn::FindInMap":
                keys = [self.value(x) for x in arg]
                if all(isinstance(x, str) for x in keys):
                    try:
                        return self.value(self.t["Mappings"][keys[0]][keys[1]][keys[2]])
                    except (KeyError, TypeError):
                        pass
                return {fn: keys}
        out = {}
        for k, v in node.items():
            v = self.value(v)
            if v is not NOVALUE:
                out[k] = v
        return out

    def _sub(self, arg):
        """Fn::Sub with the parameters and known pseudo parameters put in; what
        needs AWS is written as the Fn::Join the Sub stands for (rules know
        Join: CT.S3.PR.8 reads an object ARN as Join [GetAtt Bucket.Arn, /*])."""
        if isinstance(arg, list):
            text = arg[0]
            names = {k: self.value(v) for k, v in (arg[1] if len(arg) > 1 else {}).items()}
        else:
            text, names = arg, {}
        pieces = []
        pos = 0
        for m in re.finditer(r"\$\{([^}]*)\}", text):
            pieces.append(text[pos : m.start()])
            pos = m.end()
            var = m.group(1)
            if var.startswith("!"):
                pieces.append("${" + var[1:] + "}")
                continue
            if var in names:
                v = names[var]
            elif var in self.params and self.params[var] is not None:
                v = self.params[var]
            elif var in PSEUDO:
                v = PSEUDO[var]
            elif "." in var:
                v = {"Fn::GetAtt": var.split(".", 1)}
            else:
                v = {"Ref": var}
            if isinstance(v, list):
                v = ",".join(_scalar_text(x) for x in v)
            pieces.append(v if isinstance(v, dict) else _scalar_text(v))
        pieces.append(text[pos:])
        merged = []
        for p in pieces:
            if isinstance(p, str) and merged and isinstance(merged[-1], str):
                merged[-1] += p
            elif p != "":
                merged.append(p)
        if all(isinstance(p, str) for p in merged):
            return "".join(merged)
        if len(merged) == 1:
            return merged[0]
        return {"Fn::Join": ["", merged]}

    def resolve(self):
        t = self.t
        out = {"AWSTemplateFormatVersion": t.get("AWSTemplateFormatVersion", "2010-09-09")}
        if "Parameters" in t:
            out["Parameters"] = t["Parameters"]
        resources = {}
        for name, res in (t.get("Resources") or {}).items():
            cond = res.get("Condition")
            if cond is not None and not self.condition(cond):
                continue
            resources[name] = self.value(res)
        out["Resources"] = resources
        return out


def _scalar_text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


# ---- the rules ---------------------------------------------------------------


class RuleInfo:
    def __init__(self, path):
        text = open(path, encoding="utf-8").read()
        # the rule cfn-guard reports is the one declared with a `when`
        # (once for templates, once for hooks); the header's identifier is
        # wrong in at least one file (ct-elasticache-pr-3)
        names = set(re.findall(r"^rule ([A-Za-z0-9_]+) when", text, re.M))
        if len(names) != 1:
            raise GateError(f"{path}: expected one primary rule, found {sorted(names)}")
        self.name = names.pop()
        ids = sorted(set(re.findall(r"\[(CT\.[A-Z0-9-]+\.PR\.[0-9]+)\]", text)))
        if len(ids) == 1:
            self.control = ids[0]
        else:
            # a few rules print no id: it is the file's name (ct-waf-regional-pr-1)
            base = os.path.basename(path)[: -len(".guard")]
            m2 = re.fullmatch(r"ct-(.+)-pr-([0-9]+)", base)
            if not m2:
                raise GateError(f"{path}: cannot tell the control id")
            self.control = f"CT.{m2.group(1).upper()}.PR.{m2.group(2)}"
        m = re.search(r"# Reports on:\s*\n((?:#\s+AWS::\S+\s*\n)+)", text)
        self.reports_on = set(re.findall(r"AWS::\S+", m.group(1))) if m else set()
        self.path = path


def load_rules(rules_dir):
    files = sorted(glob.glob(os.path.join(rules_dir, "**", "*.guard"), recursive=True))
    if not files:
        raise GateError(f"no .guard rules under {rules_dir}")
    rules = {}
    for f in files:
        r = RuleInfo(f)
        if r.name in rules:
            raise GateError(f"rule {r.name} is defined by {rules[r.name].path} and {f}")
        rules[r.name] = r
    return rules


def _failing_resources(node, out):
    """Logical ids in the paths of a not_compliant rule's checks."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "path" and isinstance(v, str):
                m = re.match(r"/Resources/([^/]+)", v)
                if m:
                    out.add(m.group(1))
            else:
                _failing_resources(v, out)
    elif isinstance(node, list):
        for v in node:
            _failing_resources(v, out)


def run_guard(guard, rule_sets, files):
    """cfn-guard over each file with its rules, one process per file, side
    by side."""
    procs = []
    for f, rule_paths in zip(files, rule_sets):
        cmd = [guard, "validate"]
        for r in rule_paths:
            cmd += ["-r", r]
        cmd += ["-d", f, "-o", "json", "-S", "none", "-z"]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    reports = []
    for f, p in zip(files, procs):
        out, err = p.communicate()
        # 0: every rule passed or skipped; 19: some rule failed; else an error
        if p.returncode not in (0, 19):
            raise GateError(f"cfn-guard exited {p.returncode} on {f}: {err.strip()[:2000]}")
        try:
            reports.extend(json.loads(out))
        except json.JSONDecodeError as e:
            raise GateError(f"cfn-guard's output is not JSON ({e}): {out[:300]!r}")
    return reports


def evaluate(report, rules, templates):
    """{rule name: (status, {logical ids})} for one file's report."""
    by_rule = {}
    for rule_name in report.get("not_applicable", []):
        by_rule.setdefault(rule_name, ("skip", set()))
    for rule_name in report.get("compliant", []):
        by_rule[rule_name] = ("pass", set())
    for entry in report.get("not_compliant", []):
        rule_name = entry["Rule"]["name"]
        ids = set()
        _failing_resources(entry, ids)
        rule = rules.get(rule_name)
        if rule and rule.reports_on:
            typed = {i for i in ids if templates.get(i, {}).get("Type") in rule.reports_on}
            ids = typed or ids
        prev = by_rule.get(rule_name)
        if prev and prev[0] == "fail":
            ids |= prev[1]
        by_rule[rule_name] = ("fail", ids)
    return by_rule


# ---- the exceptions table ------------------------------------------------------


def load_exceptions(path):
    """{(control, logical id, env): reason} from the table whose header is
    `| rule | logical id | environments | reason |`."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out = {}
    in_table = False
    for n, line in enumerate(lines, 1):
        if not line.strip().startswith("|"):
            in_table = False
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if [c.lower() for c in cells] == ["rule", "logical id", "environments", "reason"]:
            in_table = True
            continue
        if not in_table or set(line.replace("|", "").strip()) <= set("-: "):
            continue
        if len(cells) != 4:
            raise GateError(
                f"{path}:{n}: an exception row has 4 cells: rule | logical id | environments | reason"
            )
        control, ids, envs, reason = (c.replace("`", "") for c in cells)
        if not re.fullmatch(r"CT\.[A-Z0-9-]+\.PR\.[0-9]+", control):
            raise GateError(f"{path}:{n}: '{control}' is not a control id like CT.S3.PR.1")
        if len(reason) < 20:
            raise GateError(f"{path}:{n}: the reason must be argued, not '{reason}'")
        env_list = ENVIRONMENTS if envs.strip().lower() == "all" else [e.strip() for e in envs.split(",")]
        for e in env_list:
            if e not in ENVIRONMENTS:
                raise GateError(f"{path}:{n}: unknown environment '{e}' (dev, staging, prod or all)")
        for lid in re.split(r"[,\s]+", ids.strip()):
            if not lid:
                continue
            for e in env_list:
                key = (control, lid, e)
                if key in out:
                    raise GateError(f"{path}:{n}: {control} {lid} {e} is listed twice")
                out[key] = (reason, n)
    return out


# ---- main ----------------------------------------------------------------------


# Values a prod deploy must be given because no default can hold them; the
# gate evaluates prod as it is deployed (lmsctl validate makes their absence an
# error: SEC001 for the certificate). Each applies when the model has the key.
DEPLOY_VALUES = {
    "prod": {
        "AlbCertificateArn": "arn:aws:acm:eu-west-1:111122223333:certificate/"
        "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    },
}


def _run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise GateError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()[:1000]}")


def generate(lmsctl, env, workdir):
    """The model `lmsctl init --env ENV` writes, with DEPLOY_VALUES, and its
    template. Generated with --no-validate: the posture is judged apart from
    the model's other findings, which other tests own."""
    model = os.path.join(workdir, f"{env}.yml")
    template = os.path.join(workdir, f"template-{env}.yml")
    _run([lmsctl, "init", "--env", env, "-o", model, "--force"])
    values = DEPLOY_VALUES.get(env, {})
    if values:
        text = open(model, encoding="utf-8").read()
        for key, value in values.items():
            text = re.sub(rf"(?m)^(\s+{re.escape(key)}:).*$", lambda m: f"{m.group(1)} {value}", text)
        with open(model, "w", encoding="utf-8") as f:
            f.write(text)
    _run([lmsctl, "-m", model, "generate", "--no-validate", "-o", template])
    return template


def default_rules(guard):
    # <package>/bin/<os>/<arch>/cfn-guard -> <package>/rules/control-tower/cfn-guard
    pkg = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(guard)))))
    return os.path.join(pkg, "rules", "control-tower", "cfn-guard")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--guard", default=os.environ.get("CFN_GUARD"),
                    help="the cfn-guard binary (scripts/guard-install.sh prints it)")
    ap.add_argument("--rules", default=os.environ.get("GUARD_RULES"),
                    help="the Control Tower rules directory")
    ap.add_argument("--lmsctl", default=os.environ.get("LMSCTL"))
    ap.add_argument("--exceptions",
                    default=os.path.join(os.environ.get("TOP_SRCDIR", REPO), "docs", "security-posture.md"))
    ap.add_argument("--env", action="append", choices=ENVIRONMENTS)
    ap.add_argument("--keep", help="keep the templates and cfn-guard's output in this directory")
    ap.add_argument("--raw", action="store_true", help="evaluate the templates unresolved (diagnostic)")
    ap.add_argument("--all-rules", action="store_true",
                    help="run every rule, also those whose resource types the template lacks")
    args = ap.parse_args(argv)
    if not args.guard:
        raise GateError("no cfn-guard: give --guard PATH (scripts/guard-install.sh prints it) "
                        "or set CFN_GUARD")
    if not args.lmsctl:
        raise GateError("no lmsctl: give --lmsctl PATH or set LMSCTL")
    rules_dir = args.rules or default_rules(args.guard)
    envs = args.env or list(ENVIRONMENTS)
    t0 = time.monotonic()
    rules = load_rules(rules_dir)
    exceptions = load_exceptions(args.exceptions)
    workdir = args.keep or tempfile.mkdtemp(prefix="lmsctl-guard-")
    os.makedirs(workdir, exist_ok=True)
    files, templates = {}, {}
    for env in envs:
        yml = generate(args.lmsctl, env, workdir)
        doc = load_yaml(yml)
        view = doc if args.raw else Resolver(doc).resolve()
        templates[env] = view.get("Resources") or {}
        if args.raw:
            files[env] = yml
        else:
            files[env] = os.path.join(workdir, f"resolved-{env}.json")
            with open(files[env], "w", encoding="utf-8") as f:
                json.dump(view, f, indent=1)
    # Every Control Tower rule skips a template without the resource types it
    # reports on (its Scenario 1): only the others are run, three times
    # faster. --all-rules runs all of them, to check that this holds.
    rule_sets = []
    for env in envs:
        types = {r.get("Type") for r in templates[env].values() if isinstance(r, dict)}
        if args.all_rules:
            rule_sets.append([rules_dir])
        else:
            wanted = (r.path for r in rules.values() if not r.reports_on or r.reports_on & types)
            rule_sets.append(sorted(wanted))
    reports = run_guard(args.guard, rule_sets, [files[e] for e in envs])
    if args.keep:
        with open(os.path.join(workdir, "guard.json"), "w", encoding="utf-8") as f:
            json.dump(reports, f, indent=1)
    by_file = {os.path.realpath(r["name"]): r for r in reports}

    problems = []
    fired = set()
    print(f"cfn-guard: {len(rules)} Control Tower rules from {rules_dir}")
    for env in envs:
        report = by_file.get(os.path.realpath(files[env]))
        if report is None:
            raise GateError(f"cfn-guard reported nothing for {files[env]}")
        status = evaluate(report, rules, templates[env])
        unknown = set(status) - set(rules)
        if unknown:
            raise GateError(
                f"cfn-guard reported rules the rules directory does not define: {sorted(unknown)}"
            )
        passed = sum(1 for s, _ in status.values() if s == "pass")
        skipped = len(rules) - sum(1 for s, _ in status.values() if s in ("pass", "fail"))
        failed_rules = {n: ids for n, (s, ids) in status.items() if s == "fail"}
        excepted_rules = 0
        for name, ids in sorted(failed_rules.items(), key=lambda x: rules[x[0]].control):
            control = rules[name].control
            if not ids:
                problems.append(f"{env}: {control} ({name}) failed on no resource the gate can name")
                continue
            listed = True
            for lid in sorted(ids):
                key = (control, lid, env)
                fired.add(key)
                if key not in exceptions:
                    listed = False
                    problems.append(
                        f"{env}: {control} ({name}) fails on {lid} and docs/security-posture.md does not list it"
                    )
            excepted_rules += listed
        print(
            f"{env}: {passed} passed, {len(failed_rules)} failed "
            f"({excepted_rules} excepted for every resource they fail on), {skipped} not applicable"
        )
        for name, ids in sorted(failed_rules.items(), key=lambda x: rules[x[0]].control):
            print(f"  {rules[name].control:32} {', '.join(sorted(ids))}")
    for (control, lid, env), (reason, line) in sorted(exceptions.items()):
        if env in envs and (control, lid, env) not in fired:
            problems.append(
                f"{os.path.basename(args.exceptions)}:{line}: the exception {control} {lid} ({env}) "
                "no longer fires: remove it"
            )
    print(f"exceptions listed: {len({(c, l) for c, l, e in exceptions})} (rule, resource) pairs")
    print(f"time: {time.monotonic() - t0:.1f} s")
    if args.raw:
        print("(--raw: unresolved templates; a diagnostic, not the gate)")
    if problems:
        print()
        for p in problems:
            print("FAIL " + p)
        return 1
    print("security posture: every failure is an exception listed with its reason")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except GateError as e:
        print(f"guard: {e}", file=sys.stderr)
        sys.exit(2)
