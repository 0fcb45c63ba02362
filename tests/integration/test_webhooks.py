#!/usr/bin/env python3
"""Webhook verification against Python's own HMAC-SHA256: vectors made at test time, the tool's
verify-webhook command, and the stand-in's signed account.application.deauthorized event.

    python3 tests/integration/test_webhooks.py [--no-build] [--seed N] [--count N]
                                               [--vectors PROGRAM]... [--tool PROGRAM]...

1. Vectors. Random payloads (0 to 5000 bytes of any value: NULs, invalid UTF-8, JSON events) and
   random secrets (Stripe's whsec_ shape, and any bytes but NUL, TAB, CR and LF), signed with
   Python's hmac and hashlib exactly as Stripe signs (t=<unix>,v1=<hex of HMAC-SHA256(secret,
   "<t>.<payload>")>), then changed one way per kind: one bit flipped in the payload, the
   signature, the timestamp or the secret; stale and future timestamps, and both edges of the
   tolerance; several v1 entries (one right, or none); the right signature under v0 or v2 only;
   malformed headers. Each PROGRAM given with --vectors (default build/webhook_vectors; make test
   passes the plain and the ASan+UBSan builds) reads them as
   "secret<TAB>header<TAB>payload-hex<TAB>now<TAB>tolerance" lines and prints one result code per
   line; every kind is one case. The seed is printed; --seed N or WEBHOOK_SEED=N (random: a
   fresh one) makes the same vectors again, and they are kept in
   build/integration/webhooks/vectors-<seed>.tsv, so `build/webhook_vectors < that file`
   replays them.
2. The tool (each --tool PROGRAM, default build/stripe-connect): `verify-webhook FILE --signature
   HEADER [--tolerance SECONDS]` with STRIPE_WEBHOOK_SECRET: exit 0 and the event's
   {"id","type","account","object_id"} for a fresh, right signature; exit 1 for a wrong one, a
   flipped bit, a stale or future timestamp; exit 4 for a signed body that is no event; exit 2
   for usage errors. The secret never appears in its output.
3. The stand-in (stand_in.py --webhook-url, --webhook-secret, POST /_stand_in/webhook_url):
   after a deauthorization it POSTs the signed event to a local HTTP server started here, which
   the tool then verifies; no event after a failed deauthorization or with no URL set; a
   receiver that answers 500 or does not listen is logged, and the stand-in goes on.

Prints one line per case and ends with `webhooks: N passed, N failed`; exits 1 on a failure.
Its files go to build/integration/webhooks/ (certificates, stand-ins' logs, vectors), which
test_tool.py does not use; two runs of this driver at once (two `make test`) take turns through
build/integration/webhooks.lock.
"""

import argparse
import fcntl
import hashlib
import hmac
import json
import os
import queue
import random
import re
import secrets
import shlex
import signal
import string
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (BUILD, CLIENT_ID, ROOT, SECRET_KEY, Cases, CaseFailed, StandIn,  # noqa: E402
                     check, closed_port, make_certs)

WORK = BUILD / "webhooks"
DEFAULT_SEED = 20261130
DEFAULT_COUNT = 40                     # vectors of each kind
OK, SIGNATURE = 0, -14                 # STRIPE_CONNECT_OK, STRIPE_CONNECT_ERR_SIGNATURE
STAND_IN_DEFAULT_SECRET = "whsec_test_standin"
TOOL_SECRET = "whsec_ToolTestSecret0123456789abcdef"
RUN_SECONDS = 60
DEADLINE_SECONDS = 900
SANITIZER_FOUND = 98
SANITIZER_ENVIRONMENT = {
    "ASAN_OPTIONS": f"detect_leaks=1:halt_on_error=1:exitcode={SANITIZER_FOUND}",
    "UBSAN_OPTIONS": f"print_stacktrace=1:halt_on_error=1:exitcode={SANITIZER_FOUND}",
}
ALPHANUMERIC = string.ascii_letters + string.digits
# Any byte but NUL (a C string's end) and the line's own separators.
SECRET_BYTES = bytes(b for b in range(1, 256) if b not in (0x09, 0x0A, 0x0D))
HEADER_SHAPE = re.compile(r"t=(\d+),v1=([0-9a-f]{64}),v0=([0-9a-f]{64})")


class DriverDeadline(BaseException):
    """The driver ran out of time; a BaseException so that no case swallows it."""


# ---- Signing as Stripe does ---------------------------------------------------------------------

def stripe_mac(secret, timestamp_text, payload):
    """HMAC-SHA256(secret, "<t>.<payload>"): secret and payload bytes, the timestamp as written."""
    return hmac.new(secret, timestamp_text.encode() + b"." + payload, hashlib.sha256).digest()


def reference_verify(secret, header, payload, now, tolerance):
    """Stripe's rule, written independently of the library, to check the vectors' expectations:
    OK when a v1 entry matches and |now - t| <= tolerance (0: no time check)."""
    entries = header.split(",")
    pairs = [entry.split("=", 1) for entry in entries]
    if not header or any(len(pair) != 2 or not pair[0] or not pair[1] for pair in pairs):
        return SIGNATURE
    timestamps = [value for key, value in pairs if key == "t"]
    signatures = [value for key, value in pairs if key == "v1"]
    if len(timestamps) != 1 or not re.fullmatch(r"[0-9]{1,18}", timestamps[0]) or not signatures:
        return SIGNATURE
    expected = stripe_mac(secret, timestamps[0], payload).hex()
    if not any(hmac.compare_digest(expected, value.lower()) for value in signatures
               if re.fullmatch(r"[0-9a-fA-F]{64}", value)):
        return SIGNATURE
    if tolerance and abs(now - int(timestamps[0])) > tolerance:
        return SIGNATURE
    return OK


# ---- The vectors ---------------------------------------------------------------------------------

@dataclass
class Vector:
    kind: str
    secret: bytes
    header: str
    payload: bytes
    now: int
    tolerance: int
    expected: int

    def line(self):
        return (self.secret + b"\t" + self.header.encode("latin-1") + b"\t" + self.payload.hex().encode()
                + f"\t{self.now}\t{self.tolerance}\n".encode())

    def describe(self):
        payload = self.payload.hex()
        shown = payload if len(payload) <= 120 else f"{payload[:120]}... ({len(self.payload)} bytes)"
        return (f"kind {self.kind}; secret {self.secret!r}; header {self.header!r}; payload hex {shown}; "
                f"now {self.now}; tolerance {self.tolerance}; expected {self.expected}")


class VectorMaker:
    """Random but reproducible: everything comes from one random.Random(seed)."""

    def __init__(self, rng):
        self.rng = rng
        self.malformed_made = 0

    def payload(self):
        rng = self.rng
        pick = rng.random()
        if pick < 0.15:   # the lengths around SHA-256's padding and block edges, and the largest
            length = rng.choice([0, 1, 2, 42, 43, 44, 52, 53, 54, 55, 56, 63, 64, 65, 117, 118, 119,
                                 127, 128, 129, 4999, 5000])
        elif pick < 0.6:
            length = rng.randint(0, 300)
        else:
            length = rng.randint(0, 5000)
        if rng.random() < 0.75:
            return rng.randbytes(length)                 # any bytes: NULs, invalid UTF-8
        event = {"id": "evt_" + self.word(24), "object": "event", "account": "acct_" + self.word(16),
                 "type": "account.application.deauthorized", "padding": self.word(length)}
        return json.dumps(event, indent=rng.choice([None, 2])).encode()

    def word(self, length):
        return "".join(self.rng.choice(ALPHANUMERIC) for _ in range(length))

    def secret(self):
        rng = self.rng
        pick = rng.random()
        if pick < 0.55:
            return ("whsec_" + self.word(rng.randint(0, 64))).encode()
        if pick < 0.97:
            return bytes(rng.choice(SECRET_BYTES) for _ in range(rng.randint(1, 200)))
        return b""

    def times(self, tolerance=None):
        """(t, now, tolerance) with t within the tolerance of now."""
        rng = self.rng
        if tolerance is None:
            tolerance = rng.choice([0, 1, 300, 300, 600, rng.randint(1, 10 ** 6)])
        now = rng.randint(10 ** 9, 4 * 10 ** 9)
        t = now + rng.randint(-tolerance, tolerance) if tolerance else rng.randint(0, 10 ** 12)
        return t, now, tolerance

    def spell(self, mac):
        """The MAC in hex: lower case mostly, sometimes upper case, sometimes each digit either."""
        text = mac.hex()
        pick = self.rng.random()
        if pick < 0.2:
            return text.upper()
        if pick < 0.35:
            return "".join(c.upper() if self.rng.random() < 0.5 else c for c in text)
        return text

    def wrong_mac(self):
        return self.rng.randbytes(32)

    def header(self, entries):
        """Entries (key, value) joined as Stripe does, in an order that may put t anywhere."""
        entries = list(entries)
        if self.rng.random() < 0.3:
            self.rng.shuffle(entries)
        return ",".join(f"{key}={value}" for key, value in entries)

    def flip(self, data):
        """data with one random bit flipped; (data, index)."""
        data = bytearray(data)
        index = self.rng.randrange(len(data))
        data[index] ^= 1 << self.rng.randrange(8)
        return bytes(data), index

    # -- one function per kind: each returns a Vector --

    def base(self, tolerance=None):
        secret, payload = self.secret(), self.payload()
        t, now, tolerance = self.times(tolerance)
        return secret, payload, str(t), now, tolerance, stripe_mac(secret, str(t), payload)

    def valid(self):
        secret, payload, t, now, tolerance, mac = self.base()
        extra = [(self.rng.choice(["v0", "v2"]), self.wrong_mac().hex())] if self.rng.random() < 0.3 else []
        header = self.header([("t", t), ("v1", self.spell(mac))] + extra)
        return Vector("valid", secret, header, payload, now, tolerance, OK)

    def payload_bit(self):
        secret, payload, t, now, tolerance, mac = self.base()
        if not payload:
            payload = b"\x00"
            mac = stripe_mac(secret, t, payload)
        flipped, _ = self.flip(payload)
        return Vector("payload bit", secret, f"t={t},v1={mac.hex()}", flipped, now, tolerance, SIGNATURE)

    def signature_bit(self):
        secret, payload, t, now, tolerance, mac = self.base()
        flipped, _ = self.flip(mac)
        return Vector("signature bit", secret, f"t={t},v1={self.spell(flipped)}", payload, now, tolerance, SIGNATURE)

    def timestamp_bit(self):
        secret, payload, t, now, tolerance, mac = self.base()
        flipped, _ = self.flip(t.encode())
        return Vector("timestamp bit", secret, f"t={flipped.decode('latin-1')},v1={mac.hex()}", payload, now,
                      tolerance, SIGNATURE)

    def secret_bit(self):
        secret, payload, t, now, tolerance, mac = self.base()
        if not secret:
            secret = b"whsec_x"
            mac = stripe_mac(secret, t, payload)
        while True:
            other, _ = self.flip(secret)
            if not any(byte in (0x00, 0x09, 0x0A, 0x0D) for byte in other):
                break
        return Vector("secret bit", other, f"t={t},v1={mac.hex()}", payload, now, tolerance, SIGNATURE)

    def off_by(self, kind, sign, beyond):
        tolerance = self.rng.choice([1, 300, 600, self.rng.randint(1, 10 ** 6)])
        secret, payload, t, now, tolerance, mac = self.base(tolerance)
        distance = tolerance + (1 + self.rng.choice([0, 0, self.rng.randint(0, 10 ** 6)]) if beyond else 0)
        now = int(t) - sign * distance       # sign +1: t in the future of now; -1: t stale
        return Vector(kind, secret, f"t={t},v1={mac.hex()}", payload, now, tolerance,
                      SIGNATURE if beyond else OK)

    def stale(self):
        return self.off_by("stale", -1, True)

    def future(self):
        return self.off_by("future", +1, True)

    def stale_edge(self):
        return self.off_by("stale by exactly the tolerance", -1, False)

    def future_edge(self):
        return self.off_by("future by exactly the tolerance", +1, False)

    def no_time_check(self):
        secret, payload, t, now, _, mac = self.base(0)
        now = self.rng.choice([0, -1, 2 ** 62, int(t) + 10 ** 9, int(t) - 10 ** 9])
        return Vector("tolerance 0: no time check", secret, f"t={t},v1={mac.hex()}", payload, now, 0, OK)

    def several_one_right(self):
        secret, payload, t, now, tolerance, mac = self.base()
        signatures = [self.wrong_mac().hex() for _ in range(self.rng.randint(1, 5))]
        signatures.insert(self.rng.randint(0, len(signatures)), self.spell(mac))
        header = self.header([("t", t)] + [("v1", value) for value in signatures])
        return Vector("several v1, one right", secret, header, payload, now, tolerance, OK)

    def several_none_right(self):
        secret, payload, t, now, tolerance, _ = self.base()
        header = self.header([("t", t)] + [("v1", self.wrong_mac().hex()) for _ in range(self.rng.randint(1, 6))])
        return Vector("several v1, none right", secret, header, payload, now, tolerance, SIGNATURE)

    def unknown_scheme_only(self):
        secret, payload, t, now, tolerance, mac = self.base()
        scheme = self.rng.choice(["v0", "v2", "v9", "V1", "v1x", "v", " v1"])
        entries = [("t", t), (scheme, mac.hex())]
        if self.rng.random() < 0.5:
            entries.append(("v1", self.wrong_mac().hex()))
        return Vector("the right signature under an unknown scheme only", secret, self.header(entries), payload,
                      now, tolerance, SIGNATURE)

    def malformed(self):
        secret, payload, t, now, tolerance, mac = self.base()
        right = mac.hex()
        mutations = [
            f"t={t},v1={right},", f",t={t},v1={right}", f"t={t},,v1={right}", f"t={t}, v1={right}",
            f" t={t},v1={right}", f"t={t},v1={right},junk", f"t={t},t={t},v1={right}", f"v1={right}",
            f"t=+{t},v1={right}", f"t=-{t},v1={right}", f"t={t}x,v1={right}", f"t=,v1={right}",
            f"t={'1' * 19},v1={right}", f"t={t};v1={right}", f"t={t},v1=", f"t={t}", "", ",",
            f"t={t},={right},v1={right}", f"T={t},v1={right}", f"t={t},v1={right[:-1]}",
            f"t={t},v1={right}0", f"t={t},v1={right[:-1]}g",
        ]
        header = mutations[self.malformed_made % len(mutations)]    # each one, in turn
        self.malformed_made += 1
        return Vector("malformed header", secret, header, payload, now, tolerance, SIGNATURE)

    KINDS = ("valid", "payload_bit", "signature_bit", "timestamp_bit", "secret_bit", "stale", "future",
             "stale_edge", "future_edge", "no_time_check", "several_one_right", "several_none_right",
             "unknown_scheme_only", "malformed")


def make_vectors(seed, count):
    """{kind: [Vector]}, count of each, the same for the same seed; each expectation checked
    against reference_verify (a generator bug must not pass for a library bug)."""
    maker = VectorMaker(random.Random(seed))
    vectors = {}
    for name in VectorMaker.KINDS:
        made = [getattr(maker, name)() for _ in range(count)]
        for vector in made:
            reference = reference_verify(vector.secret, vector.header, vector.payload, vector.now, vector.tolerance)
            if reference != vector.expected:
                raise RuntimeError(f"the generator disagrees with the reference rule: {vector.describe()}")
        vectors[made[0].kind] = made
    return vectors


def run_vectors(program, vectors):
    """The program's result code for each vector, in order."""
    data = b"".join(vector.line() for vector in vectors)
    environment = {**os.environ, **SANITIZER_ENVIRONMENT}
    result = subprocess.run([str(program)], input=data, capture_output=True, timeout=300, env=environment)
    stderr = result.stderr.decode(errors="replace")
    check(result.returncode == 0 and "Sanitizer" not in stderr and "runtime error" not in stderr,
          f"{program} exited with status {result.returncode}:\n{stderr[-3000:]}")
    codes = result.stdout.decode().split()
    check(len(codes) == len(vectors), f"{program} printed {len(codes)} results for {len(vectors)} lines")
    return [int(code) for code in codes]


def vector_case(program, vectors, seed):
    def case():
        codes = run_vectors(program, vectors)
        wrong = [(index, vector, code) for index, (vector, code) in enumerate(zip(vectors, codes))
                 if code != vector.expected]
        check(not wrong, f"{len(wrong)} of {len(vectors)} wrong (seed {seed}); the first ones:\n" + "\n".join(
            f"#{index}: got {code}: {vector.describe()}" for index, vector, code in wrong[:5]))
    return case


# ---- The tool ------------------------------------------------------------------------------------

@dataclass
class Run:
    command: str
    status: int
    stdout: str
    stderr: str

    def describe(self):
        return (f"$ {self.command}\nexit status {self.status}\n"
                f"stdout: {self.stdout[:600]!r}\nstderr: {self.stderr[:600]!r}")


class Tool:
    """One stripe-connect binary; every run is checked for the webhook secret in its output and,
    for an ASan+UBSan build, for a sanitizer's report."""

    def __init__(self, binary):
        self.binary = Path(binary)
        self.sanitized = "asan" in str(binary)
        self.runs = 0

    def run(self, *args, secret=TOOL_SECRET, stdin=None, extra_env=None):
        self.runs += 1
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", **SANITIZER_ENVIRONMENT}
        if secret is not None:
            env["STRIPE_WEBHOOK_SECRET"] = secret
        env.update(extra_env or {})
        command = [str(self.binary), *map(str, args)]
        shown = (f"STRIPE_WEBHOOK_SECRET={secret[:10]}... " if secret else "") + shlex.join(command)
        try:
            result = subprocess.run(command, env=env, capture_output=True, timeout=RUN_SECONDS,
                                    input=stdin if stdin is not None else b"")
        except subprocess.TimeoutExpired:
            raise CaseFailed(f"$ {shown}\ndid not end within {RUN_SECONDS} s")
        run = Run(shown, result.returncode, result.stdout.decode(errors="replace"),
                  result.stderr.decode(errors="replace"))
        check(run.status != SANITIZER_FOUND and "Sanitizer" not in run.stderr and "runtime error" not in run.stderr,
              "ASan or UBSan found an error\n" + run.describe() + "\n" + run.stderr[-3000:])
        for value in filter(None, [secret, TOOL_SECRET, STAND_IN_DEFAULT_SECRET]):
            check(value not in run.stdout and value not in run.stderr,
                  f"the webhook secret {value[:10]}... is in the output\n" + run.describe())
        return run


def expect_event(run, expected):
    check(run.status == 0, "expected exit status 0\n" + run.describe())
    check(run.stdout.endswith("\n") and run.stdout.count("\n") == 1, "expected one line\n" + run.describe())
    try:
        document = json.loads(run.stdout)
    except ValueError:
        raise CaseFailed("stdout is not JSON\n" + run.describe())
    check(document == expected, f"expected {json.dumps(expected)}\n" + run.describe())
    check(list(document) == ["id", "type", "account", "object_id"], "the fields' order\n" + run.describe())


def expect_failure(run, status, prefix, *fragments):
    expected = f"exit status {status}, one line 'stripe-connect: {prefix}...' on stderr"
    check(run.status == status and run.stdout == "" and run.stderr.startswith("stripe-connect: " + prefix)
          and run.stderr.count("\n") == 1 and run.stderr.endswith("\n"), f"expected {expected}\n" + run.describe())
    for fragment in fragments:
        check(fragment in run.stderr, f"expected {fragment!r} on the stderr line\n" + run.describe())


def event_document(rng, account=True):
    """An account.application.deauthorized event as Stripe sends it (pretty-printed), and the
    fields the tool must print for it."""
    word = lambda n: "".join(rng.choice(ALPHANUMERIC) for _ in range(n))  # noqa: E731
    event = {"id": "evt_" + word(24), "object": "event", "api_version": "2024-06-20",
             "created": int(time.time()),
             "data": {"object": {"id": "ca_" + word(32), "object": "application", "name": "Platform \u00e9"}},
             "livemode": False, "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None},
             "type": "account.application.deauthorized"}
    if account:
        event["account"] = "acct_" + word(16)
    payload = (json.dumps(event, indent=2) + "\n").encode()
    fields = {"id": event["id"], "type": event["type"], "account": event.get("account", ""),
              "object_id": event["data"]["object"]["id"]}
    return payload, fields


def signed_header(secret, payload, t=None, extra=""):
    t = int(time.time()) if t is None else t
    return f"t={t},v1={stripe_mac(secret.encode(), str(t), payload).hex()}{extra}"


def tool_cases(tool, seed):
    """(name, function) for each tool case."""
    rng = random.Random(seed + 1)
    directory = WORK / "tool"
    directory.mkdir(parents=True, exist_ok=True)
    label = str(tool.binary.relative_to(ROOT)) if tool.binary.is_relative_to(ROOT) else str(tool.binary)

    def write(name, payload):
        path = directory / f"{name}-{tool.runs}.json"
        path.write_bytes(payload)
        return path

    def valid_event():
        payload, fields = event_document(rng)
        expect_event(tool.run("verify-webhook", write("valid", payload), "--signature",
                              signed_header(TOOL_SECRET, payload)), fields)
        payload, fields = event_document(rng, account=False)
        expect_event(tool.run("verify-webhook", write("platform", payload), "--signature",
                              signed_header(TOOL_SECRET, payload, extra=",v0=" + "ab" * 32)), fields)

    def from_stdin():
        payload, fields = event_document(rng)
        expect_event(tool.run("verify-webhook", "-", "--signature", signed_header(TOOL_SECRET, payload),
                              stdin=payload), fields)

    def random_events():
        for _ in range(10):
            payload, fields = event_document(rng, account=rng.random() < 0.8)
            header = signed_header(TOOL_SECRET, payload)
            expect_event(tool.run("verify-webhook", write("random", payload), f"--signature={header}"), fields)
            flipped = bytearray(payload)
            flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
            expect_failure(tool.run("verify-webhook", write("flipped", bytes(flipped)), "--signature", header),
                           1, "signature rejected")

    def several_v1_and_upper_case():
        payload, fields = event_document(rng)
        t = int(time.time())
        right = stripe_mac(TOOL_SECRET.encode(), str(t), payload).hex().upper()
        header = f"v1={'0' * 64},t={t},v0={'1' * 64},v1={right}"
        expect_event(tool.run("verify-webhook", write("several", payload), "--signature", header), fields)

    def wrong_secret():
        payload, _ = event_document(rng)
        header = signed_header(TOOL_SECRET + "x", payload)
        expect_failure(tool.run("verify-webhook", write("secret", payload), "--signature", header), 1,
                       "signature rejected", "no v1 signature matches")

    def malformed_header():
        payload, _ = event_document(rng)
        for header in ("t=", "v1=abc", ",", "t=1,t=2,v1=" + "0" * 64, signed_header(TOOL_SECRET, payload) + ",",
                       signed_header(TOOL_SECRET, payload).replace(",", ", ")):
            expect_failure(tool.run("verify-webhook", write("malformed", payload), "--signature", header), 1,
                           "signature rejected")

    def stale_and_future():
        payload, fields = event_document(rng)
        path = write("time", payload)
        now = int(time.time())
        for t in (now - 400, now + 400):
            header = signed_header(TOOL_SECRET, payload, t)
            expect_failure(tool.run("verify-webhook", path, "--signature", header), 1, "signature rejected",
                           "timestamp")
            expect_event(tool.run("verify-webhook", path, "--signature", header, "--tolerance", "0"), fields)
            expect_event(tool.run("verify-webhook", path, "--signature", header, "--tolerance", "1000"), fields)
            expect_failure(tool.run("verify-webhook", path, "--signature", header, "--tolerance", "100"), 1,
                           "signature rejected", "timestamp")

    def not_an_event():
        for payload, fragment in ((b"\xff" + rng.randbytes(300), "malformed JSON"),
                                  (b'{"object":"event","type":"ping"}', "unexpected response"),
                                  (b"[1,2,3]", "unexpected response")):
            header = signed_header(TOOL_SECRET, payload)
            expect_failure(tool.run("verify-webhook", write("not-event", payload), "--signature", header), 4,
                           fragment, "not a Stripe event")

    def usage_errors():
        payload, _ = event_document(rng)
        path = write("usage", payload)
        header = signed_header(TOOL_SECRET, payload)
        big = directory / "too-large.json"
        big.write_bytes(b" " * (256 * 1024 + 1))
        runs = [
            (("verify-webhook",), {}, "usage: verify-webhook: needs the FILE"),
            (("verify-webhook", path), {}, "usage: verify-webhook: needs --signature"),
            (("verify-webhook", path, "--signature", header), {"secret": None}, "usage: verify-webhook: STRIPE_WEBHOOK_SECRET"),
            (("verify-webhook", path, "--signature", header), {"secret": ""}, "usage: verify-webhook: STRIPE_WEBHOOK_SECRET"),
            (("verify-webhook", directory / "missing.json", "--signature", header), {}, "usage: verify-webhook: cannot open"),
            (("verify-webhook", path, path, "--signature", header), {}, "usage: verify-webhook: too many"),
            (("verify-webhook", path, "--signature"), {}, "usage: verify-webhook: --signature needs a value"),
            (("verify-webhook", path, "--signature", header, "--tolerance", "abc"), {}, "usage: verify-webhook: --tolerance"),
            (("verify-webhook", path, "--signature", header, "--tolerance", "-5"), {}, "usage: verify-webhook: --tolerance"),
            (("verify-webhook", path, "--signature", header, "--tolerance", "99999999999"), {}, "usage: verify-webhook: --tolerance"),
            (("verify-webhook", path, "--signature", header, "--bogus"), {}, "usage: verify-webhook: unknown option"),
            (("verify-webhook", big, "--signature", header), {}, "usage: verify-webhook: FILE is larger"),
        ]
        for args, options, prefix in runs:
            expect_failure(tool.run(*args, **options), 2, prefix)

    def help_lists_it():
        run = tool.run("help")
        check(run.status == 0 and "verify-webhook FILE --signature HEADER" in run.stdout
              and "STRIPE_WEBHOOK_SECRET" in run.stdout, "help\n" + run.describe())

    return [
        (f"tool {label}: a fresh, right signature: exit 0 and the event's id, type, account, object_id", valid_event),
        (f"tool {label}: FILE '-' reads the event from stdin", from_stdin),
        (f"tool {label}: 10 random events: accepted; each with one bit flipped: exit 1", random_events),
        (f"tool {label}: v1 before t, several v1, upper-case hex, a v0 entry: accepted", several_v1_and_upper_case),
        (f"tool {label}: another secret: exit 1, signature rejected", wrong_secret),
        (f"tool {label}: malformed headers: exit 1", malformed_header),
        (f"tool {label}: 400 s stale or in the future: exit 1 (timestamp); --tolerance 0 or 1000 accepts",
         stale_and_future),
        (f"tool {label}: a signed body that is no event: exit 4", not_an_event),
        (f"tool {label}: usage errors: exit 2 with the reason", usage_errors),
        (f"tool {label}: help lists verify-webhook and STRIPE_WEBHOOK_SECRET", help_lists_it),
    ]


# ---- The stand-in's event, received on a local HTTP server ---------------------------------------

class Receiver:
    """A webhook endpoint on 127.0.0.1: keeps every POST it gets, answers with self.status."""

    def __init__(self):
        self.received = queue.Queue()
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.put({"path": self.path, "headers": dict(self.headers.items()), "body": body})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def next(self, timeout=10):
        try:
            return self.received.get(timeout=timeout)
        except queue.Empty:
            raise CaseFailed(f"no webhook arrived within {timeout} s")

    def nothing_within(self, seconds):
        try:
            delivery = self.received.get(timeout=seconds)
        except queue.Empty:
            return
        raise CaseFailed(f"an unexpected webhook arrived: {delivery['path']} {delivery['body'][:300]!r}")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class WebhookStandIn(StandIn):
    """harness.StandIn (started with the webhook options it is given), and the webhooks it sent."""

    def webhook_entries(self, mark=0):
        return [entry for entry in self.events_since(mark) if entry["event"] == "webhook"]

    def wait_for_webhook_entry(self, mark, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            entries = self.webhook_entries(mark)
            if entries:
                return entries[0]
            time.sleep(0.05)
        raise CaseFailed(f"no webhook entry in the stand-in's log within {timeout} s")


BEARER = {"Authorization": "Bearer " + SECRET_KEY}


def deauthorize(stand_in, account):
    status, headers, body = stand_in.request("POST", "/oauth/deauthorize",
                                             {"client_id": CLIENT_ID, "stripe_user_id": account}, BEARER)
    return status, headers.get("Request-Id"), body


def connect_and_deauthorize(stand_in):
    account = stand_in.connect_account()["stripe_user_id"]
    status, request_id, body = deauthorize(stand_in, account)
    check(status == 200 and json.loads(body) == {"stripe_user_id": account},
          f"deauthorize answered {status}: {body[:300]!r}")
    return account, request_id


def check_delivery(delivery, secret, account, request_id, path):
    """The POST is Stripe's: path, headers, a signature Python accepts, the event's shape."""
    headers = {name.lower(): value for name, value in delivery["headers"].items()}
    check(delivery["path"] == path, f"POSTed to {delivery['path']}, expected {path}")
    check(headers.get("content-type", "").startswith("application/json"), f"Content-Type: {headers}")
    check(headers.get("user-agent", "").startswith("Stripe/1.0"), f"User-Agent: {headers}")
    signature = headers.get("stripe-signature", "")
    match = HEADER_SHAPE.fullmatch(signature)
    check(match is not None, f"Stripe-Signature {signature!r} is not t=<digits>,v1=<hex>,v0=<hex>")
    t = int(match.group(1))
    check(abs(time.time() - t) < 60, f"t={t} is not now")
    expected = stripe_mac(secret.encode(), match.group(1), delivery["body"]).hex()
    check(hmac.compare_digest(match.group(2), expected), f"v1 is not HMAC-SHA256({secret[:8]}..., t.body)")
    check(match.group(3) != expected, "v0 should be another scheme's signature, not v1's")
    event = json.loads(delivery["body"])
    check(re.fullmatch(r"evt_[A-Za-z0-9]{24}", event.get("id", "")), f"event id: {event}")
    expected_fields = {"object": "event", "account": account, "type": "account.application.deauthorized",
                       "livemode": False, "pending_webhooks": 1,
                       "request": {"id": request_id, "idempotency_key": None}}
    for name, value in expected_fields.items():
        check(event.get(name) == value, f"event {name} is {event.get(name)!r}, expected {value!r}: {event}")
    check(isinstance(event.get("created"), int) and isinstance(event.get("api_version"), str), f"{event}")
    application = event.get("data", {}).get("object", {})
    check(application.get("id") == CLIENT_ID and application.get("object") == "application"
          and isinstance(application.get("name"), str), f"data.object: {application}")
    return event


def verify_with_tools(tools, delivery, secret, event, account):
    path = WORK / f"delivered-{event['id']}.json"
    path.write_bytes(delivery["body"])
    header = {name.lower(): value for name, value in delivery["headers"].items()}["stripe-signature"]
    fields = {"id": event["id"], "type": "account.application.deauthorized", "account": account,
              "object_id": CLIENT_ID}
    for tool in tools:
        expect_event(tool.run("verify-webhook", path, "--signature", header, secret=secret), fields)
        expect_failure(tool.run("verify-webhook", path, "--signature", header, secret=secret + "0"), 1,
                       "signature rejected")


def stand_in_cases(cases, tools, certs, receiver):
    """Stand-in A: --webhook-url and the default secret. Stand-in B: --webhook-secret, no URL until
    POST /_stand_in/webhook_url sets one. Both must end cleanly, having printed nothing."""
    first = WebhookStandIn(certs, WORK / "stand_in_url", ["--webhook-url", receiver.url("/webhook")])
    second = WebhookStandIn(certs, WORK / "stand_in_secret", ["--webhook-secret", "whsec_from_the_option_42"])
    shared = {}
    try:
        for stand_in in (first, second):
            stand_in.start()

        def default_secret():
            mark = first.log_mark()
            account, request_id = connect_and_deauthorize(first)
            delivery = receiver.next()
            event = check_delivery(delivery, STAND_IN_DEFAULT_SECRET, account, request_id, "/webhook")
            entry = first.wait_for_webhook_entry(mark)
            check(entry["status"] == 200 and entry["error"] is None and entry["url"] == receiver.url("/webhook")
                  and entry["event_id"] == event["id"] and entry["account"] == account,
                  f"log entry: {entry}")
            requests = first.requests_since(mark, "/oauth/deauthorize")
            check(len(requests) == 1 and requests[0]["status"] == 200, f"deauthorize logged: {requests}")
            shared["first"] = (delivery, event, account)

        def tool_verifies():
            check("first" in shared, "not run: the delivery case did not produce an event")
            delivery, event, account = shared["first"]
            verify_with_tools(tools, delivery, STAND_IN_DEFAULT_SECRET, event, account)

        def no_event_without_deauthorization():
            mark = first.log_mark()
            status, _, body = deauthorize(first, "acct_1NotConnectedAtAll")
            check(status == 401, f"deauthorize of an unknown account answered {status}: {body[:200]!r}")
            status, _, _ = deauthorize(first, "fault_escaped")
            check(status == 200, f"fault_escaped answered {status}")
            account = first.connect_account()["stripe_user_id"]
            status, _, _ = first.request("POST", "/oauth/deauthorize", {"client_id": CLIENT_ID,
                                         "stripe_user_id": account}, {"Authorization": "Bearer sk_test_wrong"})
            check(status == 401, f"deauthorize with a wrong key answered {status}")
            receiver.nothing_within(1.5)
            check(first.webhook_entries(mark) == [], f"webhook entries: {first.webhook_entries(mark)}")

        def receiver_error_logged():
            mark = first.log_mark()
            receiver.status = 500
            try:
                account, _ = connect_and_deauthorize(first)
                delivery = receiver.next()
            finally:
                receiver.status = 200
            check(json.loads(delivery["body"])["account"] == account, "the event of another account")
            entry = first.wait_for_webhook_entry(mark)
            check(entry["status"] == 500 and entry["error"] is None, f"log entry: {entry}")

        def closed_port_logged():
            mark = first.log_mark()
            url = f"http://127.0.0.1:{closed_port()}/webhook"
            status, _, body = first.request("POST", "/_stand_in/webhook_url", {"url": url})
            check(status == 200 and json.loads(body) == {"webhook_url": url}, f"{status} {body[:200]!r}")
            account, _ = connect_and_deauthorize(first)
            entry = first.wait_for_webhook_entry(mark)
            check(entry["status"] is None and "Connection" in (entry["error"] or "") and entry["account"] == account,
                  f"log entry: {entry}")
            account = first.connect_account()["stripe_user_id"]      # it goes on answering
            check(account.startswith("acct_"), "the stand-in stopped answering")
            receiver.nothing_within(0.5)

        def empty_url_turns_off():
            status, _, body = first.request("POST", "/_stand_in/webhook_url", {"url": ""})
            check(status == 200 and json.loads(body) == {"webhook_url": None}, f"{status} {body[:200]!r}")
            mark = first.log_mark()
            connect_and_deauthorize(first)
            receiver.nothing_within(1.5)
            check(first.webhook_entries(mark) == [], f"webhook entries: {first.webhook_entries(mark)}")

        def bad_control_requests():
            for form in ({}, {"url": "ftp://example.invalid/x"}, {"url": "127.0.0.1:9/webhook"}):
                status, _, body = first.request("POST", "/_stand_in/webhook_url", form)
                check(status == 400 and json.loads(body)["error"] == "invalid_request", f"{form}: {status} {body!r}")

        def option_secret_and_control_url():
            mark = second.log_mark()
            connect_and_deauthorize(second)                       # no URL yet: nothing sent
            receiver.nothing_within(1.0)
            check(second.webhook_entries(mark) == [], "a webhook without a URL")
            status, _, body = second.request("POST", "/_stand_in/webhook_url", {"url": receiver.url("/hooks/stripe?x=1")})
            check(status == 200, f"{status} {body[:200]!r}")
            account, request_id = connect_and_deauthorize(second)
            delivery = receiver.next()
            event = check_delivery(delivery, "whsec_from_the_option_42", account, request_id, "/hooks/stripe?x=1")
            verify_with_tools(tools, delivery, "whsec_from_the_option_42", event, account)

        def control_secret():
            status, _, body = second.request("POST", "/_stand_in/webhook_url",
                                             {"url": receiver.url("/other"), "secret": "whsec_set_by_control_7"})
            check(status == 200, f"{status} {body[:200]!r}")
            account, request_id = connect_and_deauthorize(second)
            delivery = receiver.next()
            event = check_delivery(delivery, "whsec_set_by_control_7", account, request_id, "/other")
            verify_with_tools(tools, delivery, "whsec_set_by_control_7", event, account)

        cases.run("stand-in --webhook-url: a deauthorization POSTs account.application.deauthorized, signed "
                  "with whsec_test_standin, logged", default_secret)
        cases.run("stand-in event: verify-webhook accepts it (every tool), and refuses it under another secret",
                  tool_verifies)
        cases.run("stand-in event: none for an unknown account, a fault mode or a wrong key",
                  no_event_without_deauthorization)
        cases.run("stand-in event: a receiver answering 500 is logged with its status", receiver_error_logged)
        cases.run("stand-in event: a receiver not listening is logged as an error; the stand-in goes on",
                  closed_port_logged)
        cases.run("stand-in event: POST /_stand_in/webhook_url url= (empty) turns webhooks off", empty_url_turns_off)
        cases.run("stand-in event: POST /_stand_in/webhook_url without url or with a non-http URL: 400",
                  bad_control_requests)
        cases.run("stand-in --webhook-secret: nothing until /_stand_in/webhook_url sets the URL, then signed "
                  "with that secret (path and query kept)", option_secret_and_control_url)
        cases.run("stand-in event: /_stand_in/webhook_url secret= changes the signing secret", control_secret)
    finally:
        statuses = [stand_in.stop() for stand_in in (first, second)]
    for stand_in, status in zip((first, second), statuses):
        cases.run(f"the stand-in ({stand_in.work_dir.name}) stops on SIGTERM with status 0, printed nothing",
                  stand_in.check_stopped_cleanly, status)


# ---- The driver ----------------------------------------------------------------------------------

def parse_arguments():
    parser = argparse.ArgumentParser(description="webhook verification against Python's hmac")
    parser.add_argument("--no-build", action="store_true", help="use the programs as they are")
    parser.add_argument("--seed", help="the vectors' seed (default: WEBHOOK_SEED, else %d; 'random': a "
                        "fresh one)" % DEFAULT_SEED)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="vectors of each kind")
    parser.add_argument("--vectors", action="append", default=[], metavar="PROGRAM",
                        help="a build of webhook_vectors.c (default build/webhook_vectors)")
    parser.add_argument("--tool", action="append", default=[], metavar="PROGRAM",
                        help="a build of stripe-connect (default build/stripe-connect)")
    return parser.parse_args()


def choose_seed(text):
    text = text or os.environ.get("WEBHOOK_SEED") or str(DEFAULT_SEED)
    return secrets.randbits(32) if text == "random" else int(text)


def build(cases, targets):
    make = os.environ.get("MAKE", "make")
    result = subprocess.run([make, "--no-print-directory", *targets], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    if result.returncode != 0:
        cases.fail("make " + " ".join(targets), (result.stdout + result.stderr)[-3000:])
        return False
    return True


def wait_for_turn():
    """Holds build/integration/webhooks.lock until the process ends (two runs would share WORK)."""
    WORK.parent.mkdir(parents=True, exist_ok=True)
    lock = open(WORK.parent / "webhooks.lock", "w")
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return lock
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"another run held {lock.name} for {DEADLINE_SECONDS} s")
            time.sleep(0.5)


def arm_deadline():
    def handler(*_):
        raise DriverDeadline(f"the driver ran out of its {DEADLINE_SECONDS} s (or was sent SIGTERM)")
    signal.signal(signal.SIGALRM, handler)
    signal.signal(signal.SIGTERM, handler)
    signal.alarm(DEADLINE_SECONDS)


def main():
    args = parse_arguments()
    seed = choose_seed(args.seed)
    programs = [Path(p) if Path(p).is_absolute() else ROOT / p for p in args.vectors or ["build/webhook_vectors"]]
    tools = [Tool(Path(p) if Path(p).is_absolute() else ROOT / p) for p in args.tool or ["build/stripe-connect"]]
    cases = Cases("webhooks")
    print(f"webhooks: seed {seed} (the same vectors again: --seed {seed} or WEBHOOK_SEED={seed}), "
          f"{args.count} vectors of each of {len(VectorMaker.KINDS)} kinds", flush=True)
    try:
        turn = wait_for_turn()           # noqa: F841 - held until the process ends
    except TimeoutError as problem:
        cases.fail("wait for build/integration/webhooks.lock", str(problem))
        return cases.summary()
    arm_deadline()
    receiver = None
    try:
        WORK.mkdir(parents=True, exist_ok=True)
        if not args.no_build:
            build(cases, [str(path.relative_to(ROOT)) for path in programs] +
                  [str(tool.binary.relative_to(ROOT)) for tool in tools])
        vectors = make_vectors(seed, args.count)
        every = [vector for made in vectors.values() for vector in made]
        replay = WORK / f"vectors-{seed}.tsv"
        replay.write_bytes(b"".join(vector.line() for vector in every))
        print(f"webhooks: {len(every)} vectors in {replay.relative_to(ROOT)}", flush=True)
        for program in programs:
            label = program.relative_to(ROOT) if program.is_relative_to(ROOT) else program
            if not os.access(program, os.X_OK):
                cases.fail(f"{label} exists", f"{program} is missing or not executable")
                continue
            for kind, made in vectors.items():
                expected = "accepted" if made[0].expected == OK else "rejected"
                cases.run(f"vectors {label}: {kind}: {len(made)} {expected}", vector_case(program, made, seed))
        usable = []
        for tool in tools:
            if not os.access(tool.binary, os.X_OK):
                cases.fail(f"{tool.binary} exists", f"{tool.binary} is missing or not executable")
                continue
            usable.append(tool)
            for name, function in tool_cases(tool, seed):
                cases.run(name, function)
        receiver = Receiver()
        certs = make_certs(WORK / "certs")
        if usable:
            stand_in_cases(cases, usable, certs, receiver)
        else:
            cases.fail("the stand-in's event", "no tool to verify it with")
    except DriverDeadline as problem:
        cases.fail("the driver's deadline", str(problem))
    except Exception as problem:          # noqa: BLE001 - reported as a failed case, then the summary
        cases.fail("the driver", f"{type(problem).__name__}: {problem}")
    finally:
        signal.alarm(0)
        if receiver is not None:
            receiver.close()
    return cases.summary()


if __name__ == "__main__":
    sys.exit(main())
