#!/usr/bin/env python3
"""A small HTTP server that misbehaves the ways AWS endpoints and networks do.

Used by tests/test_http.c, tests/test_cfn.c and tests/deploy_moto.py. It listens on
127.0.0.1 only, on a free port that it prints on the first line of standard output, and
stops when its standard input closes (the test that started it ended, however it ended)
or after --lifetime seconds, whichever comes first. Every delay is bounded.

The first path segment picks the behaviour, the second is a key that isolates the
request counters of one test from another's: /SCENARIO/KEY[/...]. An endpoint URL such as
http://127.0.0.1:PORT/throttle/t1 therefore makes every call through it misbehave.

  ok           200 with an answer for the Query action (see answer())
  throttle     400 Throttling twice, then ok
  throttle-always  400 Throttling every time
  503          503 (text/plain) once, then ok
  reset        closes the connection without answering once, then ok
  skew         a server clock one hour ahead: 403 RequestTimeTooSkewed to a request signed
               more than 5 minutes from it, ok otherwise
  skew-sig     the same with SignatureDoesNotMatch "Signature expired" (CloudFormation's way)
  skew-always  403 RequestTimeTooSkewed, with a Date an hour ahead, every time
  wrong-key    403 SignatureDoesNotMatch with a correct Date
  denied       403 AccessDenied
  hang         reads the request and never answers (holds the socket at most 30 s)
  truncated    announces 1000 bytes, sends 20, closes
  malformed    200 with XML that is not well-formed
  doctype      200 with XML that declares entities (must be refused)
  html500      500 with an HTML page, as moto answers what it cannot do
  big          200 with 8 MiB of XML
  hostile      raw control bytes where an answer carries text: a request id header with ESC,
               BEL and C1 bytes on every answer; GetCallerIdentity answers ok, any other
               action 400 with an XML body holding raw ESC, BEL, C1 and bytes that are not
               UTF-8 (tests/terminal.py)
  echo         200 with the request line, headers and body as JSON
  reply        /reply/STATUS/KEY: that status, with the body, content type and extra header
               lines the request names in X-Fault-Body (hex), X-Fault-Type, X-Fault-Extra
  bigerror     /bigerror/TOTAL/CODELEN/KEY: 400, an XML error of TOTAL bytes, code of CODELEN
  s3code       /s3code/CODE/...: 409, an S3 error with that code
  redirect     /redirect/REST: 302 to /REST
  imdsrole     /imdsrole/ROLE/KEY/...: imds with that role name (percent-encoded; "-" for none)
  recorded     /recorded/DIR/KEY: the answer to Action A is DIR/A.N.xml for the N-th call
               (N from 1; the highest N repeats), else DIR/A.xml, from --recorded ROOT;
               .json in place of .xml for the JSON protocols (the action from X-Amz-Target,
               or, for AWS Backup's REST calls, from the method and path);
               STS refusals first: an AssumeRole with an MFA code other than 123456 for
               arn:aws:iam::123456789012:mfa/ops, an AssumeRoleWithWebIdentity that is
               signed or whose token is not test-oidc-token (403); a DescribeStacks of a
               companion stack (a StackName ending -edge, deployed in us-east-1 after the
               main stack) answers that it does not exist, uncounted: the recordings are
               of one stack
  sso          IAM Identity Center GetRoleCredentials for the bearer token test-sso-token,
               account 111122223333 and role LmsOperator; 401/403 otherwise
  container    container credentials for "Authorization: Bearer-test", 401 otherwise
  imds         IMDSv2 below /imds/KEY/: the token, the role lms-instance-role, its credentials
  expiring     temporary credentials that run out, on a clock the test moves:
               GET /expiring/KEY/creds issues container credentials (ASIAEXP1, ASIAEXP2, ...)
               that expire 120 s later; GET /expiring/KEY/advance/S moves KEY's clock S
               seconds ahead (answers its time); any other request is CloudFormation or
               STS: 403 ExpiredToken when the key it is signed with has expired (or was
               not issued here), ok otherwise. GET /_count/KEY-creds: credentials issued,
               /_count/KEY-expired: ExpiredToken answers
  _count       GET /_count/KEY: how many requests KEY has had (text); for recorded
               answers KEY is DIR/KEY/ACTION
"""
import argparse
import email.utils
import json
import os
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 4 * 1024 * 1024
HANG_SECONDS = 30
SKEW_SECONDS = 3600

CREDS = {"AccessKeyId": "ASIAMETADATA", "SecretAccessKey": "metadata-secret",
         "Token": "metadata-token", "Expiration": "2024-05-02T11:00:00Z"}
counts = {}
counts_lock = threading.Lock()
clock_offset = {}  # expiring: KEY -> seconds its clock is ahead
issued = {}        # expiring: (KEY, access key id) -> when it expires on KEY's clock
EXPIRING_LIFETIME = 120
recorded_root = None


def bump(key):
    with counts_lock:
        counts[key] = counts.get(key, 0) + 1
        return counts[key]


def query_error(code, message, sender=True):
    return ("<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\">"
            "<Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error>"
            "<RequestId>fault-0001</RequestId></ErrorResponse>"
            % ("Sender" if sender else "Receiver", code, message))


def answer(action, n):
    """A well-formed answer for a Query action."""
    if action == "GetCallerIdentity":
        return ("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                "<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/fault</Arn>"
                "<UserId>AIDAFAULT</UserId><Account>123456789012</Account>"
                "</GetCallerIdentityResult><ResponseMetadata><RequestId>fault-%d</RequestId>"
                "</ResponseMetadata></GetCallerIdentityResponse>" % n)
    return ("<%sResponse><%sResult><Attempt>%d</Attempt></%sResult>"
            "<ResponseMetadata><RequestId>fault-%d</RequestId></ResponseMetadata></%sResponse>"
            % (action, action, n, action, n, action))


def rest_action(method, parts):
    """The operation of a REST-JSON request (AWS Backup) from its method and path."""
    if parts[:1] == ["backup-vaults"]:
        if len(parts) == 1 and method == "GET":
            return "ListBackupVaults"
        if len(parts) == 3 and parts[2] == "recovery-points" and method == "GET":
            return "ListRecoveryPointsByBackupVault"
        if len(parts) == 4 and parts[2] == "recovery-points" and method == "DELETE":
            return "DeleteRecoveryPoint"
    return "Unknown"


def amz_date_to_epoch(value):
    try:
        return time.mktime(time.strptime(value, "%Y%m%dT%H%M%SZ")) - time.timezone
    except (TypeError, ValueError):
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(n, MAX_BODY)) if n > 0 else b""

    def send(self, status, body, ctype="text/xml", date=None, extra=None,
             request_id="fault-req"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", request_id)
        if date is not None:
            self.send_header("Date", email.utils.formatdate(date, usegmt=True))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(data)
            except OSError:  # the client gave up (an oversized answer): fine
                self.close_connection = True

    def handle_any(self):
        body = self.read_body()
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        scenario = parts[0] if parts else "ok"
        if scenario == "_count":
            key = "/".join(parts[1:])
            with counts_lock:
                n = counts.get(key, 0)
            return self.send(200, str(n), "text/plain")
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        action = (form.get("Action") or ["Unknown"])[0]
        target = self.headers.get("X-Amz-Target")
        if target:  # JSON 1.1: Logs_20140328.DescribeLogGroups
            action = target.rsplit(".", 1)[-1]
        elif action == "Unknown" and scenario == "recorded":
            action = rest_action(self.command, parts[3:])
        stack = (form.get("StackName") or [""])[0]
        if scenario == "recorded" and action == "DescribeStacks" and stack.endswith("-edge"):
            return self.send(400, query_error("ValidationError",
                                              "Stack with id %s does not exist" % stack))
        if scenario == "recorded":
            # numbered answers count per action
            key = "/".join(parts[1:3] + [action])
        else:
            key = parts[1] if len(parts) > 1 else scenario
        n = bump(key)
        ok = answer(action, n)

        if scenario == "ok":
            return self.send(200, ok)
        if scenario == "throttle":
            if n <= 2:
                return self.send(400, query_error("Throttling", "Rate exceeded"))
            return self.send(200, ok)
        if scenario == "throttle-always":
            return self.send(400, query_error("Throttling", "Rate exceeded"))
        if scenario == "503":
            if n == 1:
                return self.send(503, "Service Unavailable", "text/plain")
            return self.send(200, ok)
        if scenario == "reset":
            if n == 1:
                self.close_connection = True
                self.connection.shutdown(2)
                return None
            return self.send(200, ok)
        if scenario in ("skew", "skew-sig", "skew-always"):
            server_now = time.time() + SKEW_SECONDS
            signed = amz_date_to_epoch(self.headers.get("X-Amz-Date"))
            if scenario == "skew-always" or signed is None or abs(signed - server_now) > 300:
                if scenario == "skew-sig":
                    err = query_error("SignatureDoesNotMatch",
                                      "Signature expired: %s is now earlier than the server's time"
                                      % self.headers.get("X-Amz-Date"))
                else:
                    err = query_error("RequestTimeTooSkewed",
                                      "The difference between the request time and the current "
                                      "time is too large.")
                return self.send(403, err, date=server_now)
            return self.send(200, ok, date=server_now)
        if scenario == "wrong-key":
            return self.send(403, query_error(
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided."),
                date=time.time())
        if scenario == "denied":
            return self.send(403, query_error(
                "AccessDenied", "User: arn:aws:iam::123456789012:user/fault is not authorized to "
                "perform: cloudformation:%s" % action))
        if scenario == "hang":
            deadline = time.monotonic() + HANG_SECONDS
            while time.monotonic() < deadline:
                time.sleep(0.1)
            self.close_connection = True
            return None
        if scenario == "truncated":
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"<DescribeStacksRespo")
            self.wfile.flush()
            self.close_connection = True
            return None
        if scenario == "malformed":
            return self.send(200, "<DescribeStacksResponse><DescribeStacksResult><Stacks>"
                                  "<member><StackName>x</Stacks></DescribeStacksResponse>")
        if scenario == "doctype":
            return self.send(200, "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaa\">"
                                  "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]><r>&b;</r>")
        if scenario == "html500":
            return self.send(500, "<!DOCTYPE html><html><head><title>500 Internal Server Error"
                                  "</title></head><body><h1>Internal Server Error</h1><p>The "
                                  "server encountered an internal error.</p></body></html>",
                             "text/html; charset=utf-8")
        if scenario == "big":
            return self.send(200, "<r>" + "x" * (8 * 1024 * 1024) + "</r>")
        if scenario == "hostile":
            # str -> latin-1 on the wire: every character below is one raw byte
            rid = "req\x1b]0;pwned\x07\x9b2J\x85\x7f"
            if action == "GetCallerIdentity":
                return self.send(200, ok, request_id=rid)
            raw = (b"<ErrorResponse><Error><Type>Sender</Type><Code>Hostile\x1b[2J</Code>"
                   b"<Message>title \x1b]0;pwned\x07 clip \x1b]52;c;cHduZWQ=\x07 csi "
                   b"\xc2\x9b2J lone \x9b\xff del \x7f</Message></Error>"
                   b"<RequestId>fault-hostile</RequestId></ErrorResponse>")
            return self.send(400, raw, request_id=rid)
        if scenario == "echo":
            return self.send(200, json.dumps({
                "method": self.command, "path": self.path,
                "headers": {k: v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace")}), "application/json")
        if scenario == "recorded":
            refused = self.sts_refusal(action, body)
            if refused:
                return self.send(403, query_error(*refused))
            return self.recorded(parts, action, n)
        if scenario == "sso":
            return self.sso()
        if scenario == "reply" and len(parts) > 1 and parts[1].isdigit():
            # that status with the body (hex), content type and header lines the request
            # asks for in X-Fault-Body, X-Fault-Type and X-Fault-Extra ("N: v|N2: v2")
            extra = {}
            for line in filter(None, (self.headers.get("X-Fault-Extra") or "").split("|")):
                name, _, value = line.partition(":")
                extra[name] = value[1:] if value.startswith(" ") else value
            return self.send(int(parts[1]), bytes.fromhex(self.headers.get("X-Fault-Body", "")),
                             self.headers.get("X-Fault-Type", "text/xml"), extra=extra)
        if scenario == "bigerror" and len(parts) > 2 and parts[1].isdigit() and parts[2].isdigit():
            # a 400 XML error of TOTAL bytes whose code is CODELEN letters: /bigerror/TOTAL/CODELEN
            head = "<ErrorResponse><Error><Code>%s</Code><Message>" % ("C" * int(parts[2]))
            tail = "</Message></Error></ErrorResponse>"
            return self.send(400, head + "m" * (int(parts[1]) - len(head) - len(tail)) + tail)
        if scenario == "redirect" and len(parts) > 1:
            # 302 to the rest of the path: /redirect/container/KEY -> /container/KEY
            return self.send(302, "", "text/plain", extra={"Location": "/" + "/".join(parts[1:])})
        if scenario == "s3code" and len(parts) > 1:
            # an S3 error answer with that code (409, as CreateBucket's conflicts)
            return self.send(409, "<Error><Code>%s</Code><Message>m</Message>"
                                  "<RequestId>fault-s3</RequestId></Error>" % parts[1],
                             "application/xml")
        if scenario == "jsonreply" and len(parts) > 2 and parts[1].isdigit():
            # that status with the body in the path (hex, "-" for none), as a JSON 1.1
            # service answers: /jsonreply/STATUS/HEX/KEY
            data = b"" if parts[2] == "-" else bytes.fromhex(parts[2])
            return self.send(int(parts[1]), data, "application/x-amz-json-1.1")
        if scenario == "dribble" and len(parts) > 1 and parts[1].isdigit():
            # N bytes, a pause, then one more: the client reads them in two pieces
            n = int(parts[1])
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(n + 1))
            self.end_headers()
            try:
                self.wfile.write(b"a" * n)
                self.wfile.flush()
                time.sleep(0.1)
                self.wfile.write(b"b")
            except OSError:  # the client gave up at its cap: fine
                self.close_connection = True
            return None
        if scenario == "skewnodate" or (scenario == "skewat" and len(parts) > 1):
            # a clock skew error with no Date header: nothing to correct the clock by;
            # /skewat/EPOCH/KEY: with that Date (seconds since 1970), /skewat/bad/KEY: with
            # a Date that is not a date
            data = query_error("RequestTimeTooSkewed", "The difference is too large.").encode()
            self.send_response_only(403)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-amzn-RequestId", "fault-req")
            if scenario == "skewat":
                self.send_header("Date", email.utils.formatdate(int(parts[1]), usegmt=True)
                                 if parts[1].isdigit() else "not a date")
            self.end_headers()
            self.wfile.write(data)
            return None
        if scenario == "continue":
            # an interim 100 with headers of its own, then the answer with none of them
            self.send_response_only(100)
            self.send_header("x-amzn-RequestId", "interim")
            self.send_header("Content-Type", "text/interim")
            self.send_header("x-amzn-ErrorType", "Interim")
            self.send_header("Date", email.utils.formatdate(time.time(), usegmt=True))
            self.end_headers()
            self.send_response_only(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")
            return None
        if scenario == "s3new":
            # a bucket that does not exist yet: HEAD 404, every other request 200
            if self.command == "HEAD":
                return self.send(404, "", "application/xml")
            return self.send(200, "", "application/xml")
        if scenario == "status" and len(parts) > 1 and parts[1].isdigit():
            # that status with no body (as S3 answers a HEAD)
            return self.send(int(parts[1]), "", "application/xml")
        if scenario == "container":
            if self.headers.get("Authorization") != "Bearer-test":
                return self.send(401, "{\"message\": \"bad token\"}", "application/json")
            return self.send(200, json.dumps(CREDS), "application/json")
        if scenario == "imds":
            return self.imds(parts[2:])
        if scenario == "imdsdenied":
            # IMDSv2 that refuses a token (403) with a body that would be one
            if self.command == "PUT":
                return self.send(403, "imds-token", "text/plain")
            return self.imds(parts[2:])
        if scenario == "imdsnotoken":
            # IMDSv2 that grants an empty token (200 with no body) and answers every GET
            if self.command == "PUT":
                return self.send(200, "", "text/plain")
            if parts[2:] == ["latest", "meta-data", "iam", "security-credentials"]:
                return self.send(200, "lms-instance-role\n", "text/plain")
            return self.send(200, json.dumps(dict(CREDS, Code="Success")), "text/plain")
        if scenario == "imdsrole" and len(parts) > 2:
            role = urllib.parse.unquote(parts[1])
            return self.imds(parts[3:], "" if role == "-" else role)
        if scenario == "expiring":
            return self.expiring(key, parts[2:], ok)
        return self.send(404, query_error("UnknownScenario", scenario))

    def imds(self, rest, role="lms-instance-role"):
        if "//" in self.path.split("?")[0]:
            return self.send(404, "", "text/plain")  # as IMDS: no empty path segment
        path = "/".join(rest)
        if self.command == "PUT" and path == "latest/api/token":
            if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self.send(400, "", "text/plain")
            return self.send(200, "imds-token", "text/plain")
        if self.headers.get("X-aws-ec2-metadata-token") != "imds-token":
            return self.send(401, "", "text/plain")
        if path == "latest/meta-data/iam/security-credentials":
            return self.send(200, role + "\n" if role else "", "text/plain")
        if role and urllib.parse.unquote(path) == "latest/meta-data/iam/security-credentials/" + role:
            return self.send(200, json.dumps(dict(CREDS, Code="Success")), "text/plain")
        return self.send(404, "", "text/plain")

    def expiring(self, key, rest, ok):
        with counts_lock:
            now = time.time() + clock_offset.get(key, 0)
            if rest[:1] == ["advance"] and len(rest) == 2:
                clock_offset[key] = clock_offset.get(key, 0) + float(rest[1])
                return self.send(200, str(now + float(rest[1])), "text/plain")
            if rest == ["creds"]:
                counts[key + "-creds"] = counts.get(key + "-creds", 0) + 1
                akid = "ASIAEXP%d" % counts[key + "-creds"]
                issued[(key, akid)] = now + EXPIRING_LIFETIME
                return self.send(200, json.dumps({
                    "AccessKeyId": akid, "SecretAccessKey": "expiring-secret",
                    "Token": "expiring-token-" + akid,
                    "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                time.gmtime(now + EXPIRING_LIFETIME))}),
                    "application/json")
            m = re.search(r"Credential=([A-Z0-9]+)/", self.headers.get("Authorization") or "")
            expires = issued.get((key, m.group(1))) if m else None
            if expires is None or now >= expires:
                counts[key + "-expired"] = counts.get(key + "-expired", 0) + 1
                return self.send(403, query_error(
                    "ExpiredToken", "The security token included in the request is expired"))
        return self.send(200, ok)

    def sso(self):
        """IAM Identity Center's GetRoleCredentials: GET .../federation/credentials with the
        bearer token test-sso-token, an unsigned request; 401 otherwise."""
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        if (self.headers.get("x-amz-sso_bearer_token") != "test-sso-token"
                or self.headers.get("Authorization")):
            return self.send(401, json.dumps({"message": "Session token not found or invalid"}),
                             "application/json", extra={"x-amzn-ErrorType": "UnauthorizedException"})
        if (not url.path.endswith("/federation/credentials")
                or q.get("account_id") != ["111122223333"] or q.get("role_name") != ["LmsOperator"]):
            return self.send(403, json.dumps({"message": "No access"}), "application/json",
                             extra={"x-amzn-ErrorType": "ForbiddenException"})
        return self.send(200, json.dumps({"roleCredentials": {
            "accessKeyId": "ASIASSO", "secretAccessKey": "sso-secret",
            "sessionToken": "sso-session-token",
            "expiration": int((time.time() + 3600) * 1000)}}), "application/json")

    def sts_refusal(self, action, body):
        """What STS would refuse: an MFA code other than the test's for the test's device,
        a web identity call that is signed or carries another token."""
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if action == "AssumeRole" and ("TokenCode" in form or "SerialNumber" in form):
            if (form.get("SerialNumber") != ["arn:aws:iam::123456789012:mfa/ops"]
                    or form.get("TokenCode") != ["123456"]):
                return ("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
        if action == "AssumeRoleWithWebIdentity":
            if self.headers.get("Authorization"):
                return ("InvalidAction", "AssumeRoleWithWebIdentity must not be signed")
            if form.get("WebIdentityToken") != ["test-oidc-token"]:
                return ("InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider")
        return None

    def recorded(self, parts, action, n):
        if not recorded_root or len(parts) < 2 or not re.fullmatch(r"[A-Za-z0-9_-]+", parts[1]):
            return self.send(404, query_error("NoRecording", "no recording directory"))
        if not re.fullmatch(r"[A-Za-z]+", action):
            return self.send(400, query_error("InvalidAction", "bad action"))
        d = os.path.join(recorded_root, parts[1])
        numbered = sorted(
            (int(m.group(1)), f) for f in os.listdir(d) if (m := re.fullmatch(
                re.escape(action) + r"\.(\d+)\.(xml|json)", f)))
        path = None
        if numbered:
            path = numbered[-1][1]
            for i, f in numbered:
                if i >= n:
                    path = f
                    break
        else:
            for ext in (".xml", ".json"):
                if os.path.exists(os.path.join(d, action + ext)):
                    path = action + ext
                    break
        if path is None:
            return self.send(400, query_error("NoRecording", "no recorded answer for " + action))
        with open(os.path.join(d, path), encoding="utf-8") as f:
            text = f.read()
        status = 200
        m = re.match(r"<!-- status (\d+) -->\n", text)
        if m:
            status = int(m.group(1))
            text = text[m.end():]
        ctype = "application/x-amz-json-1.1" if path.endswith(".json") else "text/xml"
        return self.send(status, text, ctype)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = handle_any


def main():
    global recorded_root
    ap = argparse.ArgumentParser()
    ap.add_argument("--lifetime", type=float, default=300.0)
    ap.add_argument("--recorded", default=None)
    args = ap.parse_args()
    recorded_root = args.recorded
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(1):
                pass
        except (OSError, ValueError):
            pass
    watcher = threading.Thread(target=watch_stdin, daemon=True)
    watcher.start()
    watcher.join(args.lifetime)
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
