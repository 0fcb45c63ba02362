#!/usr/bin/env python3
"""The integration driver: build/stripe-connect against the local Stripe stand-in, over both
transports (STRIPE_TRANSPORT=curl and mbedtls), with real TLS.

    python3 tests/integration/test_tool.py [--no-build] [--stand-in-only] [--transport T]...
                                           [--with PROGRAM]...

It makes the certificates (build/integration/certs), builds the tool (`make build/stripe-connect
build/asan-gcc/stripe-connect`, unless --no-build), starts the stand-in on free loopback ports,
runs the stand-in's own cases (test_stand_in.py) and the usage errors, then for each transport:
the whole OAuth flow and a charge, every OAuth error, every fault mode with its exit status and
within a bounded time, the certificate and connection failures, the API cases (declines, retries
with one idempotency key, Stripe-Account, account links), and the full flow and the failure paths
again under valgrind memcheck and with the ASan+UBSan build. Every run of the tool must keep the
secret key out of its output. Each --with PROGRAM (an adapter's C test, such as
build/test_curl_adapter) runs against the same stand-in, told where it is by STAND_IN_STATE,
STAND_IN_CERTS and STAND_IN_LOG, and its own `LABEL: N passed, N failed` adds to the counts.
The stand-in is stopped by its PID at the end, also when a case or the driver itself fails;
every child process has a timeout, and the whole driver a deadline.

Prints one line per case and ends with `integration: N passed, N failed`; exits 1 on a failure.
"""

import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (BUILD, CLIENT_ID, ROOT, SECRET_KEY, Cases, CaseFailed, StandIn,  # noqa: E402
                     check, closed_port, make_certs, one_run_at_a_time)
from stand_in import FAULT_TOKEN  # noqa: E402
from test_stand_in import run_stand_in_cases  # noqa: E402

TOOL = ROOT / "build" / "stripe-connect"
ASAN_TOOL = ROOT / "build" / "asan-gcc" / "stripe-connect"
TRANSPORTS = ("curl", "mbedtls")
TOKEN_FIELDS = {"access_token", "refresh_token", "stripe_publishable_key", "stripe_user_id",
                "scope", "token_type", "livemode"}
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", re.I)
REDIRECT_URI = "https://platform.example/callback"
VALGRIND = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect"]
DEADLINE_SECONDS = 1500
RUN_SECONDS = 30                 # the longest any one run of the tool may take
VALGRIND_RUN_SECONDS = 180
SANITIZER_FOUND = 98             # the exit status the ASan and UBSan runs use for a finding
SANITIZER_ENVIRONMENT = {
    "ASAN_OPTIONS": f"detect_leaks=1:halt_on_error=1:exitcode={SANITIZER_FOUND}",
    "UBSAN_OPTIONS": f"print_stacktrace=1:halt_on_error=1:exitcode={SANITIZER_FOUND}",
}
FAULT_SECONDS = 5                # a fault must end the run within this


class DriverDeadline(BaseException):
    """The driver ran out of time; a BaseException so that no case swallows it."""


# ---- Running the tool ---------------------------------------------------------------------------

@dataclass
class Run:
    command: str
    status: int
    stdout: str
    stderr: str
    seconds: float

    def describe(self):
        return (f"$ {self.command}\nexit status {self.status} after {self.seconds:.2f} s\n"
                f"stdout: {self.stdout[:600]!r}\nstderr: {self.stderr[:600]!r}")


class Tool:
    """build/stripe-connect with one transport, pointed at the stand-in; checker None, or
    "valgrind" (memcheck around it), or "asan" (build/asan-gcc/stripe-connect, ASan+UBSan).
    Every run is checked for the secret key in its output."""

    def __init__(self, transport, stand_in, checker=None):
        self.transport = transport
        self.stand_in = stand_in
        self.checker = checker
        self.valgrind = checker == "valgrind"
        self.binary = ASAN_TOOL if checker == "asan" else TOOL
        self.runs = 0
        self.leaks = []

    def environment(self, overrides):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               "STRIPE_CLIENT_ID": CLIENT_ID, "STRIPE_SECRET_KEY": SECRET_KEY,
               "STRIPE_CONNECT_BASE": self.stand_in.base(), "STRIPE_API_BASE": self.stand_in.base(),
               "STRIPE_CA_FILE": self.stand_in.ca_file, "STRIPE_TRANSPORT": self.transport,
               "STRIPE_TIMEOUT_MS": "60000" if self.valgrind else "10000"}
        if self.checker == "asan":
            env.update(SANITIZER_ENVIRONMENT)
        for name, value in overrides.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return env

    def run(self, *args, timeout=None, **overrides):
        """Runs the tool with args; overrides are environment variables (None removes one)."""
        self.runs += 1
        shown = {"STRIPE_TRANSPORT": self.transport, **overrides}
        command = [str(self.binary), *args]
        line = " ".join(f"{k}={shlex.quote(v)}" if v is not None else f"(no {k})"
                        for k, v in shown.items()) + f" {self.binary.relative_to(ROOT)} " + shlex.join(args)
        log = None
        if self.valgrind:
            log = BUILD / "valgrind" / f"{self.transport}-{self.runs}.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            command = VALGRIND + [f"--log-file={log}"] + command
            line = "valgrind ... " + line
        timeout = timeout or (VALGRIND_RUN_SECONDS if self.valgrind else RUN_SECONDS)
        started = time.monotonic()
        try:
            result = subprocess.run(command, env=self.environment(overrides), capture_output=True,
                                    stdin=subprocess.DEVNULL, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise CaseFailed(f"$ {line}\ndid not end within {timeout} s")
        run = Run(line, result.returncode, result.stdout.decode(errors="replace"),
                  result.stderr.decode(errors="replace"), time.monotonic() - started)
        secrets = {SECRET_KEY, overrides.get("STRIPE_SECRET_KEY") or SECRET_KEY}
        for secret in secrets:
            if secret in run.stdout or secret in run.stderr:
                self.leaks.append(run.command)
                raise CaseFailed(f"the secret key {secret[:8]}... is in the output\n" + run.describe())
        if self.valgrind and run.status == 99:
            raise CaseFailed("valgrind found errors\n" + run.describe() + "\n" + log.read_text()[-3000:])
        if self.checker == "asan" and (run.status == SANITIZER_FOUND or "Sanitizer" in run.stderr):
            raise CaseFailed("ASan or UBSan found an error\n" + run.describe()[:600] + "\n" + run.stderr[-3000:])
        return run


def expect_json(run):
    """The JSON object a successful run printed."""
    check(run.status == 0, "expected exit status 0\n" + run.describe())
    try:
        document = json.loads(run.stdout)
    except ValueError:
        raise CaseFailed("stdout is not one JSON object\n" + run.describe())
    check(isinstance(document, dict), "stdout is JSON but not an object\n" + run.describe())
    return document


def expect_failure(run, status, prefix, *fragments):
    """Exit status, nothing on stdout, one line on stderr starting with
    `stripe-connect: <prefix>` and holding every fragment."""
    expected = f"exit status {status}, stderr 'stripe-connect: {prefix}...'"
    check(run.status == status, f"expected {expected}\n" + run.describe())
    check(run.stdout == "", "expected nothing on stdout\n" + run.describe())
    check(run.stderr.endswith("\n") and run.stderr.count("\n") == 1,
          "expected exactly one line on stderr\n" + run.describe())
    check(run.stderr.startswith("stripe-connect: " + prefix), f"expected {expected}\n" + run.describe())
    for fragment in fragments:
        check(fragment in run.stderr, f"expected {fragment!r} on the stderr line\n" + run.describe())


def expect_quick(run, seconds):
    check(run.seconds < seconds, f"expected to end within {seconds} s\n" + run.describe())


def logged(stand_in, mark, path=None, count=None, run=None):
    entries = stand_in.requests_since(mark, path)
    if count is not None:
        check(len(entries) == count, f"expected {count} request(s) to {path or 'the stand-in'}, "
              f"it logged {len(entries)}: {[(e['method'], e['path'], e['status']) for e in entries]}"
              + ("\n" + run.describe() if run else ""))
    return entries


def check_headers(entry, credential, run):
    """What every request of the tool carries: the expected key, its User-Agent, a form body's
    Content-Type, no query string on a POST."""
    headers = entry["headers"]
    where = f"\nrequest logged: {json.dumps(entry)}\n" + run.describe()
    check(entry["credential"] == credential, f"expected the {credential} key to be used" + where)
    check(str(headers.get("user-agent", "")).startswith("stripe-connect-c/"), "User-Agent" + where)
    if entry["method"] == "POST":
        check(headers.get("content-type") == "application/x-www-form-urlencoded", "Content-Type" + where)
    check(entry["query"] == {} or entry["method"] == "GET", "a POST with a query string" + where)


# ---- The full flow ------------------------------------------------------------------------------

class Flow:
    """authorize-url, the approval, parse-redirect, exchange, a charge, refresh, deauthorize:
    each step one case (or all of them in one, under valgrind or ASan), sharing what they learn."""

    def __init__(self, tool):
        self.tool = tool
        self.stand_in = tool.stand_in
        self.learned = {}

    def need(self, *names):
        missing = [name for name in names if name not in self.learned]
        check(not missing, f"not run: an earlier step did not produce {', '.join(missing)}")
        return [self.learned[name] for name in names]

    def authorize_url(self):
        run = self.tool.run("authorize-url", "--scope", "read_write", "--redirect-uri", REDIRECT_URI,
                            "--new-state")
        check(run.status == 0 and run.stdout.count("\n") == 1, "expected one line\n" + run.describe())
        url = run.stdout.strip()
        match = re.fullmatch(re.escape(self.stand_in.base()) + r"/oauth/authorize\?response_type=code"
                             r"&client_id=ca_test_standin&scope=read_write"
                             r"&redirect_uri=https%3A%2F%2Fplatform\.example%2Fcallback"
                             r"&state=([A-Za-z0-9_-]{43})", url)
        check(match, "not the authorize URL DESIGN.md describes\n" + run.describe())
        self.learned.update(url=url, state=match.group(1))

    def approve(self):
        url, = self.need("url")
        target = urllib.parse.urlsplit(url)
        status, headers, body = self.stand_in.request("GET", target.path + "?" + target.query)
        check(status == 302, f"GET {url}: {status} {body[:300]!r}")
        location = headers["Location"]
        check(location.startswith(REDIRECT_URI + "?code=ac_") and body.decode() == location, location)
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
        self.learned.update(location=location, code=query["code"])

    def parse_redirect(self):
        location, state, code = self.need("location", "state", "code")
        run = self.tool.run("parse-redirect", location, "--state", state)
        document = expect_json(run)
        check(document == {"code": code, "scope": "read_write", "state": state},
              f"expected {{code, scope, state}} of the redirect\n" + run.describe())

    def exchange(self):
        code, = self.need("code")
        mark = self.stand_in.log_mark()
        run = self.tool.run("exchange", code)
        token = expect_json(run)
        check(set(token) == TOKEN_FIELDS, f"expected exactly the fields {sorted(TOKEN_FIELDS)}\n" + run.describe())
        check(token["livemode"] is False and token["token_type"] == "bearer" and token["scope"] == "read_write"
              and token["access_token"].startswith("sk_test_") and token["refresh_token"].startswith("rt_")
              and token["stripe_publishable_key"].startswith("pk_test_")
              and token["stripe_user_id"].startswith("acct_"), "token values\n" + run.describe())
        entry, = logged(self.stand_in, mark, "/oauth/token", 1, run)
        check_headers(entry, "platform", run)
        check(entry["form"].get("grant_type") == "authorization_code" and entry["form"].get("code") ==
              code[:8] + "..." and entry["headers"]["authorization"] == "Bearer sk_test_..."
              and "client_secret" not in entry["form"], f"request: {json.dumps(entry)}")
        self.learned.update(token=token)

    def charge(self):
        token, = self.need("token")
        mark = self.stand_in.log_mark()
        run = self.tool.run("api", "POST", "/v1/charges", "amount=400", "currency=usd", "source=tok_visa",
                            "--access-token", token["access_token"])
        document = expect_json(run)
        check(document.get("object") == "charge" and document.get("amount") == 400
              and document.get("currency") == "usd" and document.get("status") == "succeeded",
              "expected a $4.00 charge that succeeded\n" + run.describe())
        entry, = logged(self.stand_in, mark, "/v1/charges", 1, run)
        check_headers(entry, "access_token", run)
        check(entry["account"] == token["stripe_user_id"] and "stripe-account" not in entry["headers"]
              and UUID4.fullmatch(str(entry["headers"].get("idempotency-key")))
              and entry["form"] == {"amount": "400", "currency": "usd", "source": "tok_visa"},
              f"request: {json.dumps(entry)}\n" + run.describe())

    def refresh(self):
        token, = self.need("token")
        mark = self.stand_in.log_mark()
        run = self.tool.run("refresh", token["refresh_token"])
        fresh = expect_json(run)
        check(set(fresh) == TOKEN_FIELDS and fresh["stripe_user_id"] == token["stripe_user_id"]
              and fresh["access_token"] != token["access_token"] and fresh["scope"] == "read_write",
              "expected a new access token for the same account\n" + run.describe())
        entry, = logged(self.stand_in, mark, "/oauth/token", 1, run)
        check_headers(entry, "platform", run)
        check(entry["form"].get("grant_type") == "refresh_token", f"request: {json.dumps(entry)}")
        self.learned.update(fresh=fresh)

    def deauthorize(self):
        token, = self.need("token")
        account = token["stripe_user_id"]
        mark = self.stand_in.log_mark()
        run = self.tool.run("deauthorize", account)
        check(expect_json(run) == {"stripe_user_id": account}, "expected {stripe_user_id}\n" + run.describe())
        entry, = logged(self.stand_in, mark, "/oauth/deauthorize", 1, run)
        check_headers(entry, "platform", run)
        check(entry["form"] == {"client_id": CLIENT_ID, "stripe_user_id": account},
              f"request: {json.dumps(entry)}")
        self.learned.update(deauthorized=True)

    def revoked_afterwards(self):
        token, fresh, _ = self.need("token", "fresh", "deauthorized")
        for access_token in (token["access_token"], fresh["access_token"]):
            run = self.tool.run("api", "GET", "/v1/accounts/" + token["stripe_user_id"],
                                "--access-token", access_token)
            expect_failure(run, 1, "API error: api_key_expired")

    STEPS = [
        ("authorize-url --scope read_write --redirect-uri U --new-state: the exact URL", authorize_url),
        ("the stand-in approves the URL: 302 to redirect_uri with code and state", approve),
        ("parse-redirect URL --state S: {code, scope, state}", parse_redirect),
        ("exchange CODE: the token, exactly its field names; platform key in Bearer", exchange),
        ("api POST /v1/charges amount=400 currency=usd source=tok_visa --access-token: charged", charge),
        ("refresh RT: a new access token for the same account", refresh),
        ("deauthorize ACCT: {stripe_user_id}", deauthorize),
        ("after deauthorize both access tokens are refused (api_key_expired, exit 1)", revoked_afterwards),
    ]

    def run_all(self):
        for _, step in self.STEPS:
            step(self)


# ---- OAuth errors -------------------------------------------------------------------------------

def oauth_error_cases(tool):
    stand_in = tool.stand_in

    def code_reused():
        _, query = stand_in.authorize()
        token = expect_json(tool.run("exchange", query["code"]))
        expect_failure(tool.run("exchange", query["code"]), 1, "OAuth error: invalid_grant", "revoked")
        expect_failure(tool.run("refresh", token["refresh_token"]), 1, "OAuth error: invalid_grant")

    def unknown_code():
        expect_failure(tool.run("exchange", "ac_ThisCodeWasNeverIssued"), 1, "OAuth error: invalid_grant")

    def wrong_key():
        _, query = stand_in.authorize()
        run = tool.run("exchange", query["code"], STRIPE_SECRET_KEY="sk_test_WrongKeyOfSomeoneElse")
        expect_failure(run, 1, "OAuth error: invalid_client")

    def wider_scope():
        token = stand_in.connect_account("read_only")
        expect_failure(tool.run("refresh", token["refresh_token"], "--scope", "read_write"), 1,
                       "OAuth error: invalid_scope")

    def denied():
        location, _ = stand_in.authorize(state="state-deny", extra=[("stand_in_decision", "deny")])
        expect_failure(tool.run("parse-redirect", location, "--state", "state-deny"), 1,
                       "OAuth error: access_denied", "The user denied your request")

    def state_mismatch():
        location, _ = stand_in.authorize(state="state-issued")
        expect_failure(tool.run("parse-redirect", location, "--state", "state-other"), 1, "state mismatch")
        location, _ = stand_in.authorize(state="state-issued", extra=[("stand_in_decision", "deny")])
        expect_failure(tool.run("parse-redirect", location, "--state", "state-other"), 1, "state mismatch")

    def not_connected():
        expect_failure(tool.run("deauthorize", "acct_1NeverConnected"), 1, "OAuth error: invalid_client")

    return [
        ("a code exchanged twice: exit 1, invalid_grant; its refresh token is revoked", code_reused),
        ("an unknown code: exit 1, invalid_grant", unknown_code),
        ("a wrong secret key: exit 1, invalid_client (and that key is not printed)", wrong_key),
        ("refresh of a read_only grant with --scope read_write: exit 1, invalid_scope", wider_scope),
        ("parse-redirect of a deny redirect: exit 1, access_denied", denied),
        ("parse-redirect with another --state (code or error redirect): exit 1, state mismatch", state_mismatch),
        ("deauthorize of an account not connected: exit 1, invalid_client", not_connected),
    ]


# ---- Fault modes --------------------------------------------------------------------------------

# fault, exit status, stderr after "stripe-connect: " (None: success)
FAULT_OUTCOMES = [
    ("fault_slow", 3, "timed out"),
    ("fault_truncated", 3, "transport failed"),
    ("fault_reset", 3, "transport failed"),
    ("fault_oversized", 4, "response too large"),
    ("fault_chunked", 0, None),
    ("fault_close_delimited", 0, None),
    ("fault_html500", 4, "unexpected HTTP status"),
    ("fault_malformed", 4, "malformed JSON"),
    ("fault_duplicate_keys", 4, "unexpected response"),
    ("fault_escaped", 0, None),
    ("fault_size_200000", 0, None),                       # well within the tool's 256 KiB
    ("fault_size_262145", 4, "response too large"),       # one byte over 256 KiB
]


def fault_cases(tool):
    stand_in = tool.stand_in
    cases = []

    def through(command, fault, status, prefix):
        def case():
            mark = stand_in.log_mark()
            run = tool.run(command, fault, STRIPE_TIMEOUT_MS="1000")
            if prefix is None:
                document = expect_json(run)
                expected = {"stripe_user_id": fault} if command == "deauthorize" else FAULT_TOKEN
                check(document == expected, f"expected {json.dumps(expected)}\n" + run.describe())
            else:
                expect_failure(run, status, prefix)
            if fault == "fault_slow":
                check(0.9 <= run.seconds < 2.5, "expected the 1 s timeout to end it, well before "
                      "the answer at 3 s\n" + run.describe())
            else:
                expect_quick(run, FAULT_SECONDS)
            if command == "exchange":       # a code exchange is never retried
                logged(stand_in, mark, "/oauth/token", 1, run)
        return case

    for command in ("exchange", "refresh", "deauthorize"):   # the fault in code, refresh_token, stripe_user_id
        for fault, status, prefix in FAULT_OUTCOMES:
            outcome = f"exit {status}" + (f", {prefix}" if prefix else ", the normal values")
            cases.append((f"{command} {fault}: {outcome}", through(command, fault, status, prefix)))
    return cases


# ---- Certificates and connections ---------------------------------------------------------------

def connection_cases(tool):
    stand_in = tool.stand_in

    def refused_by_tls(listener, **overrides):
        def case():
            mark = stand_in.log_mark()
            run = tool.run("exchange", "ac_NeverSent", **overrides)
            expect_failure(run, 3, "TLS failed")
            expect_quick(run, FAULT_SECONDS)
            time.sleep(0.1)
            events = stand_in.events_since(mark)
            # The client connected (so it was refused by TLS, not by something before it), and
            # sent nothing. Whether the stand-in saw the handshake fail depends on the client:
            # libcurl checks the host name after the handshake, then hangs up.
            check([e["listener"] for e in events if e["event"] == "connection"] == [listener],
                  f"expected one connection to the {listener} listener, the log has {events}\n"
                  + run.describe())
            check(not [e for e in events if e["event"] == "request"], "a request got through\n" + run.describe())
        return case

    def closed():
        run = tool.run("exchange", "ac_NeverSent", STRIPE_CONNECT_BASE=f"https://localhost:{closed_port()}")
        expect_failure(run, 3, "transport failed")
        expect_quick(run, FAULT_SECONDS)

    def plain_http():
        mark = stand_in.log_mark()
        run = tool.run("exchange", "ac_NeverSent", STRIPE_CONNECT_BASE=stand_in.base("http_port", "http"))
        check(run.status in (2, 3) and run.stdout == "" and run.stderr.startswith("stripe-connect: "),
              "expected a refusal (exit 2 or 3)\n" + run.describe())
        logged(stand_in, mark, None, 0, run)

    return [
        ("STRIPE_CA_FILE=other_ca.pem (wrong CA): exit 3, TLS failed, nothing sent",
         refused_by_tls("good", STRIPE_CA_FILE=str(stand_in.cert_dir / "other_ca.pem"))),
        ("a certificate for another host: exit 3, TLS failed, nothing sent",
         refused_by_tls("wrong_host", STRIPE_CONNECT_BASE=stand_in.base("wrong_host_port"))),
        ("an expired certificate: exit 3, TLS failed, nothing sent",
         refused_by_tls("expired", STRIPE_CONNECT_BASE=stand_in.base("expired_port"))),
        ("a closed port: exit 3, transport failed", closed),
        ("an http:// base: refused, the key never sent in clear", plain_http),
    ]


# ---- The API (issue 4) --------------------------------------------------------------------------

def api_cases(tool):
    stand_in = tool.stand_in
    transport = tool.transport
    connected = {}

    def account():
        if not connected:
            connected.update(stand_in.connect_account())
        return connected

    def charge(*extra, **overrides):
        return tool.run("api", "POST", "/v1/charges", "amount=400", "currency=usd", *extra, **overrides)

    def declined(source, decline_code):
        def case():
            expect_failure(charge("source=" + source), 1, "API error: card_declined", decline_code)
        return case

    def retried(mode, first_status):
        def case():
            mark = stand_in.log_mark()
            run = charge("source=tok_visa", f"metadata[stand_in]={mode}")
            check(expect_json(run).get("status") == "succeeded", "expected the charge\n" + run.describe())
            entries = logged(stand_in, mark, "/v1/charges", 2, run)
            keys = [entry["headers"].get("idempotency-key") for entry in entries]
            check(keys[0] == keys[1] and UUID4.fullmatch(str(keys[0])),
                  f"expected one generated idempotency key on both requests, got {keys}\n" + run.describe())
            statuses = [entry["status"] for entry in entries]
            check(statuses == [first_status, 200], f"statuses {statuses}\n" + run.describe())
            connections = [e for e in stand_in.events_since(mark) if e["event"] == "connection"]
            if transport == "curl" and first_status is not None:
                # The curl adapter reuses its easy handle, so the retry reuses the connection.
                check(len(connections) == 1, f"the retry opened a new connection ({len(connections)} "
                      "connections for 2 requests)\n" + run.describe())
        return case

    def conflict():
        mark = stand_in.log_mark()
        run = charge("source=tok_visa", "metadata[stand_in]=conflict_409")
        expect_failure(run, 1, "API error: idempotency_key_in_use")
        logged(stand_in, mark, "/v1/charges", 1, run)

    def own_key():
        key = f"order-{time.time_ns()}"
        mark = stand_in.log_mark()
        first = expect_json(charge("source=tok_visa", "--idempotency-key", key))
        second = expect_json(charge("source=tok_visa", "--idempotency-key", key))
        check(first["id"] == second["id"], "the same key made two charges")
        entries = logged(stand_in, mark, "/v1/charges", 2)
        check([e["headers"].get("idempotency-key") for e in entries] == [key, key], f"{entries}")

    def account_with_header():
        acct = account()["stripe_user_id"]
        mark = stand_in.log_mark()
        run = tool.run("api", "GET", "/v1/accounts/" + acct, "expand[]=capabilities", "--account", acct)
        check(expect_json(run).get("id") == acct, "expected the account\n" + run.describe())
        entry, = logged(stand_in, mark, "/v1/accounts/" + acct, 1, run)
        check_headers(entry, "platform", run)
        check(entry["method"] == "GET" and entry["headers"].get("stripe-account") == acct
              and entry["query"] == {"expand[]": "capabilities"} and entry["body_bytes"] == 0,
              f"request: {json.dumps(entry)}\n" + run.describe())

    def account_with_token():
        token = account()
        mark = stand_in.log_mark()
        run = tool.run("api", "GET", "/v1/accounts/" + token["stripe_user_id"],
                       "--access-token", token["access_token"])
        check(expect_json(run).get("id") == token["stripe_user_id"], "expected the account\n" + run.describe())
        entry, = logged(stand_in, mark, None, 1, run)
        check(entry["credential"] == "access_token" and "stripe-account" not in entry["headers"],
              f"request: {json.dumps(entry)}")

    def account_link():
        acct = account()["stripe_user_id"]
        run = tool.run("api", "POST", "/v1/account_links", "account=" + acct,
                       "refresh_url=https://platform.example/reauth",
                       "return_url=https://platform.example/return", "type=account_onboarding")
        document = expect_json(run)
        check(document.get("object") == "account_link"
              and str(document.get("url")).startswith(stand_in.base() + "/setup/"),
              "expected an account link\n" + run.describe())

    def wrong_key():
        acct = account()["stripe_user_id"]
        run = tool.run("api", "GET", "/v1/accounts/" + acct, "--account", acct,
                       STRIPE_SECRET_KEY="sk_test_WrongKeyOfSomeoneElse")
        expect_failure(run, 1, "API error")

    return [
        ("api: tok_chargeDeclined: exit 1, card_declined and generic_decline on the line",
         declined("tok_chargeDeclined", "generic_decline")),
        ("api: tok_chargeDeclinedInsufficientFunds: exit 1, card_declined, insufficient_funds",
         declined("tok_chargeDeclinedInsufficientFunds", "insufficient_funds")),
        ("api: flaky_503: retried with the same Idempotency-Key, exit 0", retried("flaky_503", 503)),
        ("api: lock_timeout_429: retried with the same Idempotency-Key, exit 0", retried("lock_timeout_429", 429)),
        ("api: flaky_reset (connection reset): retried with the same Idempotency-Key, exit 0",
         retried("flaky_reset", None)),
        ("api: conflict_409 with Stripe-Should-Retry: false: exit 1, one request only", conflict),
        ("api: --idempotency-key K sent as given; the second call replays the first charge", own_key),
        ("api GET /v1/accounts/ACCT expand[]=... --account ACCT: Stripe-Account, query, no body",
         account_with_header),
        ("api GET /v1/accounts/ACCT --access-token: the connected account's key", account_with_token),
        ("api POST /v1/account_links ... type=account_onboarding: the link", account_link),
        ("api with a wrong secret key: exit 1, API error (and that key is not printed)", wrong_key),
    ]


# ---- Under valgrind and the sanitizers ----------------------------------------------------------

def failure_paths(tool):
    """The error paths, where leaks hide: each ends as documented, with nothing left behind."""
    stand_in = tool.stand_in
    _, query = stand_in.authorize()
    expect_json(tool.run("exchange", query["code"]))
    expect_failure(tool.run("exchange", query["code"]), 1, "OAuth error: invalid_grant")
    expect_failure(tool.run("exchange", "fault_truncated"), 3, "transport failed")
    expect_failure(tool.run("exchange", "fault_reset"), 3, "transport failed")
    expect_failure(tool.run("exchange", "fault_oversized"), 4, "response too large")
    expect_failure(tool.run("exchange", "fault_malformed"), 4, "malformed JSON")
    expect_json(tool.run("exchange", "fault_chunked"))
    expect_failure(tool.run("exchange", "ac_x", STRIPE_CA_FILE=str(stand_in.cert_dir / "other_ca.pem")),
                   3, "TLS failed")
    expect_failure(tool.run("exchange", "ac_x", STRIPE_CONNECT_BASE=f"https://localhost:{closed_port()}"),
                   3, "transport failed")
    expect_failure(tool.run("api", "POST", "/v1/charges", "amount=400", "currency=usd",
                            "source=tok_chargeDeclined"), 1, "API error: card_declined")


# ---- Usage --------------------------------------------------------------------------------------

USAGE_RUNS = [
    # (what, args, environment overrides)
    ("no command", [], {}),
    ("an unknown command", ["frobnicate"], {}),
    ("exchange without a code", ["exchange"], {}),
    ("refresh without a token", ["refresh"], {}),
    ("deauthorize without an account", ["deauthorize"], {}),
    ("parse-redirect without a URL", ["parse-redirect"], {}),
    ("api without a path", ["api", "GET"], {}),
    ("authorize-url --scope without its value", ["authorize-url", "--scope"], {}),
    ("authorize-url with an unknown option", ["authorize-url", "--no-such-option"], {}),
    ("exchange with two codes", ["exchange", "ac_1", "ac_2"], {}),
    ("STRIPE_TRANSPORT=carrier-pigeon", ["exchange", "ac_x"], {"STRIPE_TRANSPORT": "carrier-pigeon"}),
    ("STRIPE_TIMEOUT_MS=soon", ["exchange", "ac_x"], {"STRIPE_TIMEOUT_MS": "soon"}),
    ("exchange without STRIPE_SECRET_KEY", ["exchange", "ac_x"], {"STRIPE_SECRET_KEY": None}),
    ("authorize-url without STRIPE_CLIENT_ID", ["authorize-url"], {"STRIPE_CLIENT_ID": None}),
]


def usage_case(tool, args, overrides):
    def case():
        mark = tool.stand_in.log_mark()
        run = tool.run(*args, **overrides)
        check(run.status == 2 and run.stdout == "" and run.stderr.startswith("stripe-connect: "),
              "expected exit status 2, nothing on stdout, 'stripe-connect: ...' on stderr\n" + run.describe())
        logged(tool.stand_in, mark, None, 0, run)
    return case


# ---- The driver ---------------------------------------------------------------------------------

def run_transport(cases, transport, stand_in, leaks):
    tool = Tool(transport, stand_in)
    flow = Flow(tool)
    for name, step in Flow.STEPS:
        cases.run(f"{transport}: {name}", step, flow)
    for group in (oauth_error_cases, fault_cases, connection_cases, api_cases):
        for name, case in group(tool):
            cases.run(f"{transport}: {name}", case)
    memcheck = Tool(transport, stand_in, "valgrind")
    cases.run(f"{transport}: valgrind memcheck: the full flow, no error, no definite or indirect leak",
              Flow(memcheck).run_all)
    cases.run(f"{transport}: valgrind memcheck: the failure paths (OAuth, faults, TLS, closed port, decline)",
              failure_paths, memcheck)
    sanitized = Tool(transport, stand_in, "asan")
    cases.run(f"{transport}: ASan+UBSan (build/asan-gcc/stripe-connect): the full flow", Flow(sanitized).run_all)
    cases.run(f"{transport}: ASan+UBSan (build/asan-gcc/stripe-connect): the failure paths",
              failure_paths, sanitized)
    leaks.extend(tool.leaks + memcheck.leaks + sanitized.leaks)
    return tool.runs + memcheck.runs + sanitized.runs


def run_program(cases, program, stand_in):
    """An adapter's test program against the stand-in; its summary line adds to the counts."""
    name = str(program)
    try:
        result = subprocess.run([name], env={**os.environ, **stand_in.environment()}, cwd=ROOT,
                                capture_output=True, stdin=subprocess.DEVNULL, timeout=600)
    except subprocess.TimeoutExpired:
        cases.fail(name, "ran past 600 s")
        return
    except OSError as problem:
        cases.fail(name, str(problem))
        return
    output = (result.stdout + result.stderr).decode(errors="replace")
    lines = output.rstrip().splitlines()
    summary = re.fullmatch(r".+: (\d+) passed, (\d+) failed", lines[-1]) if lines else None
    if summary is None:
        cases.fail(name, f"ended without its summary line (exit status {result.returncode}):\n"
                   + "\n".join(lines[-40:]))
        return
    passed, failed = int(summary.group(1)), int(summary.group(2))
    if failed or result.returncode:
        print("\n".join("     | " + line for line in lines[-200:]), flush=True)
    cases.add(name, passed, failed)
    if result.returncode != 0 and failed == 0:
        cases.fail(f"{name} exited with status {result.returncode} after its summary", "see above")


def build_tool(cases):
    make = os.environ.get("MAKE", "make")
    try:
        result = subprocess.run([make, "--no-print-directory", "build/stripe-connect",
                                 "build/asan-gcc/stripe-connect"], cwd=ROOT,
                                capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        cases.fail("make build/stripe-connect build/asan-gcc/stripe-connect", "did not finish within 600 s")
        return False
    if result.returncode != 0:
        cases.fail("make build/stripe-connect build/asan-gcc/stripe-connect",
                   (result.stdout + result.stderr)[-3000:])
        return False
    return True


def main():
    args = parse_arguments()
    try:
        with one_run_at_a_time(timeout=DEADLINE_SECONDS):
            return run(args)
    except TimeoutError as problem:
        print(f"FAIL {problem}\nintegration: 0 passed, 1 failed", flush=True)
        return 1


def parse_arguments():
    parser = argparse.ArgumentParser(description="build/stripe-connect against the Stripe stand-in")
    parser.add_argument("--no-build", action="store_true", help="use build/stripe-connect as it is")
    parser.add_argument("--stand-in-only", action="store_true", help="only the stand-in's own cases")
    parser.add_argument("--transport", action="append", choices=TRANSPORTS, help="default: both")
    parser.add_argument("--with", dest="programs", action="append", default=[], metavar="PROGRAM",
                        help="a test program to run against the same stand-in")
    return parser.parse_args()


def arm_deadline():
    """After DEADLINE_SECONDS (SIGALRM), or on SIGTERM, the run ends through DriverDeadline,
    so that the stand-in is still stopped."""
    def ending(reason):
        def handler(*_):
            raise DriverDeadline(reason)
        return handler
    signal.signal(signal.SIGALRM, ending(f"the driver ran out of its {DEADLINE_SECONDS} s"))
    signal.signal(signal.SIGTERM, ending("the driver was sent SIGTERM"))
    signal.alarm(DEADLINE_SECONDS)


def run(args):
    """Everything, in order; the stand-in is stopped on every path."""
    arm_deadline()
    cases = Cases("integration")
    try:
        certs = make_certs(BUILD / "certs")
    except Exception as problem:
        cases.fail("make_certs.sh build/integration/certs", str(problem))
        return cases.summary()
    use_tool = not args.stand_in_only
    if use_tool and not args.no_build:
        use_tool = build_tool(cases)
    for binary in (TOOL, ASAN_TOOL) if use_tool else ():
        if not os.access(binary, os.X_OK):
            cases.fail(f"{binary.relative_to(ROOT)} exists", f"{binary} is missing or not executable")
            use_tool = False

    stand_in = StandIn(certs, BUILD / "stand_in")
    leaks, runs = [], 0
    try:
        try:
            stand_in.start()
        except Exception as problem:
            cases.fail("start the stand-in", str(problem))
            return cases.summary()
        run_stand_in_cases(cases, stand_in)
        for program in args.programs:
            run_program(cases, program, stand_in)
        if use_tool:
            usage_tool = Tool("curl", stand_in)
            for what, tool_args, overrides in USAGE_RUNS:
                cases.run(f"usage: {what}: exit 2", usage_case(usage_tool, tool_args, overrides))
            leaks.extend(usage_tool.leaks)
            runs += usage_tool.runs
            for transport in args.transport or TRANSPORTS:
                runs += run_transport(cases, transport, stand_in, leaks)
    except DriverDeadline as problem:
        cases.fail("the driver's deadline", str(problem))
    finally:
        signal.alarm(0)
        status = stand_in.stop()
    cases.run("the stand-in stops on SIGTERM with status 0, removes its state file, printed nothing",
              stand_in.check_stopped_cleanly, status)
    if use_tool:
        cases.run(f"the secret key appears in the output of none of the {runs} runs",
                  lambda: check(not leaks, "it appears in:\n" + "\n".join(leaks)))
    return cases.summary()


if __name__ == "__main__":
    sys.exit(main())
