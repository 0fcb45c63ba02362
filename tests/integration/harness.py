"""What the integration tests share: the certificates, the stand-in as a child process, its log,
plain HTTPS requests to it, and a small case runner.

The case runner prints one line per case, `ok   NAME` or `FAIL NAME` with the reason indented
below, and at the end `LABEL: N passed, N failed`, the line tests/run.sh adds to its total.
A case is a function that returns when the behaviour holds and raises AssertionError (through
`check`) when it does not; any other exception fails the case too, with its traceback.
"""

import fcntl
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import traceback
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "tests" / "integration"
BUILD = ROOT / "build" / "integration"

CLIENT_ID = "ca_test_standin"
SECRET_KEY = "sk_test_standin"
HTTP_TIMEOUT = 10           # seconds, for every request the tests make themselves


class CaseFailed(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise CaseFailed(message)


def make_certs(directory):
    """bash make_certs.sh DIRECTORY, which checks its own output; raises when it fails."""
    result = subprocess.run(["bash", str(HERE / "make_certs.sh"), str(directory)],
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"make_certs.sh failed ({result.returncode}):\n{result.stderr}")
    return Path(directory)


@contextmanager
def one_run_at_a_time(timeout):
    """Holds build/integration/run.lock: runs that share build/integration/ (two `make test` at
    once) take turns instead of overwriting each other's certificates and stand-in files."""
    BUILD.mkdir(parents=True, exist_ok=True)
    with open(BUILD / "run.lock", "w") as lock:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"another integration run held {BUILD / 'run.lock'} for {timeout} s")
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def closed_port():
    """A loopback port nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StandIn:
    """The stand-in as a child process: started on free ports, stopped by its PID."""

    def __init__(self, cert_dir, work_dir, options=()):
        self.cert_dir = Path(cert_dir)
        self.work_dir = Path(work_dir)
        self.options = list(options)   # more of stand_in.py's options, such as --webhook-url
        self.state_file = self.work_dir / "stand_in.state.json"
        self.log_file = self.work_dir / "stand_in.log"
        self.output_file = self.work_dir / "stand_in.output"
        self.process = None
        self.state = None

    def start(self, timeout=15):
        self.work_dir.mkdir(parents=True, exist_ok=True)
        for path in (self.state_file, self.log_file):
            if path.exists():
                path.unlink()
        self.log_file.touch()
        output = open(self.output_file, "w")
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "stand_in.py"), "--cert-dir", str(self.cert_dir),
             "--state-file", str(self.state_file), "--log", str(self.log_file), "--exit-with-parent",
             *self.options], stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
        output.close()
        deadline = time.monotonic() + timeout
        while not self.state_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the stand-in did not start:\n" + self.output_file.read_text())
            time.sleep(0.05)
        self.state = json.loads(self.state_file.read_text())
        return self.state

    def stop(self, timeout=10):
        """SIGTERM to the stand-in's PID, then SIGKILL if it has not ended in time.
        Returns its exit status (None if it had to be killed)."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=timeout)
            return None

    def environment(self):
        """What a program run against this stand-in is told (test_curl_adapter.c's and
        test_mbedtls_adapter.c's contract)."""
        return {"STAND_IN_STATE": str(self.state_file), "STAND_IN_CERTS": str(self.cert_dir),
                "STAND_IN_LOG": str(self.log_file)}

    def check_stopped_cleanly(self, status):
        """A case: SIGTERM ended it with status 0, its state file is gone, and it printed
        nothing (an exception inside it would print a traceback, and a test expecting a broken
        answer might then pass for the wrong reason)."""
        output = self.output_file.read_text() if self.output_file.exists() else ""
        check(status == 0, f"exit status {status}\n{output[-3000:]}")
        check(not self.state_file.exists(), "the state file is still there")
        check(output == "", "it printed:\n" + output[-3000:])

    @property
    def port(self):
        return self.state["port"]

    def base(self, key="port", scheme="https"):
        return f"{scheme}://localhost:{self.state[key]}"

    @property
    def ca_file(self):
        return str(self.cert_dir / "ca.pem")

    # ---- The log: one JSON object per line ----

    def log_mark(self):
        return self.log_file.stat().st_size

    def events_since(self, mark=0):
        with open(self.log_file, "rb") as file:
            file.seek(mark)
            return [json.loads(line) for line in file.read().decode().splitlines() if line.strip()]

    def requests_since(self, mark=0, path=None):
        return [entry for entry in self.events_since(mark)
                if entry["event"] == "request" and (path is None or entry["path"] == path)]

    # ---- Requests the tests make themselves ----

    def connection(self, key="port", ca_file=None, host="localhost"):
        if key == "http_port":
            return http.client.HTTPConnection(host, self.state[key], timeout=HTTP_TIMEOUT)
        context = ssl.create_default_context(cafile=ca_file or self.ca_file)
        return http.client.HTTPSConnection(host, self.state[key], timeout=HTTP_TIMEOUT,
                                           context=context)

    def request(self, method, path, form=None, headers=None, key="port", connection=None):
        """(status, headers, body bytes) of one request; form is a dict or list of pairs."""
        own = connection is None
        connection = connection or self.connection(key)
        headers = dict(headers or {})
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            if own:
                connection.close()

    def authorize(self, scope="read_write", state="state-1", redirect_uri="https://platform.example/cb",
                  extra=()):
        """GET /oauth/authorize; returns the Location of the redirect and its query as a dict."""
        query = [("response_type", "code"), ("client_id", CLIENT_ID), ("scope", scope),
                 ("redirect_uri", redirect_uri), ("state", state)] + list(extra)
        status, headers, body = self.request("GET", "/oauth/authorize?" + urllib.parse.urlencode(query))
        check(status == 302, f"authorize answered {status}: {body[:300]!r}")
        location = headers["Location"]
        return location, dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))

    def connect_account(self, scope="read_write"):
        """A fresh connected account: authorize, then exchange the code; the token as a dict."""
        _, query = self.authorize(scope=scope)
        status, _, body = self.request("POST", "/oauth/token",
                                       {"grant_type": "authorization_code", "code": query["code"]},
                                       {"Authorization": "Bearer " + SECRET_KEY})
        check(status == 200, f"exchange answered {status}: {body[:300]!r}")
        return json.loads(body)


class Cases:
    """Runs cases one at a time, prints their outcome, counts them."""

    def __init__(self, label):
        self.label = label
        self.passed = 0
        self.failed = 0

    def run(self, name, function, *args):
        started = time.monotonic()
        try:
            function(*args)
        except CaseFailed as problem:
            self.fail(name, str(problem))
        except Exception:
            self.fail(name, traceback.format_exc(limit=6))
        else:
            self.passed += 1
            print(f"ok   {name} ({time.monotonic() - started:.1f} s)", flush=True)

    def add(self, name, passed, failed):
        """Counts another program's cases (it printed its own case lines)."""
        self.passed += passed
        self.failed += failed
        print(f"{'ok  ' if failed == 0 else 'FAIL'} {name}: {passed} passed, {failed} failed", flush=True)

    def fail(self, name, reason):
        self.failed += 1
        print(f"FAIL {name}", flush=True)
        for line in reason.rstrip().splitlines():
            print(f"     | {line}", flush=True)

    def summary(self):
        print(f"{self.label}: {self.passed} passed, {self.failed} failed", flush=True)
        return 0 if self.failed == 0 else 1
