#!/usr/bin/env python3
"""The web example (build/stripe-connect-web) end to end, in headless Chromium, against the stand-in.

    python3 tests/e2e/test_web_connect.py [--web build/stripe-connect-web] [--out build/e2e]
                                          [--transport curl|mbedtls] [--update-screenshot]

It starts the stand-in (tests/integration/harness.py) and the web example on free loopback
ports, drives Debian's chromium through chromedriver's W3C WebDriver API (tests/e2e/webdriver.py,
standard library only), and checks what a person sees: the button, the stand-in's authorize page,
the connected account, the errors, the account disconnected by a signed webhook after a
deauthorization; and what must not happen: an exchange on a forged callback, a script run from an
error description, a server that stops answering after a malformed request, a webhook acted on
with a wrong signature or a stale timestamp.
The browser reaches the stand-in's authorize page over its plain-HTTP port (so Chromium trusts
nothing special); the web example exchanges the code over TLS with the test CA.

Prints one line per case (`ok   NAME` / `FAIL NAME` with the reason indented below) and at the
end `e2e: N passed, N failed`; exit status 0 when all passed. Screenshots go to OUT/*.png; with
--update-screenshot (or when it does not exist yet) the connected page is also copied to
examples/web_connect.png, the README's image. Every wait is bounded and every process it starts
is stopped by its PID (chromedriver by its process group) in a finally block.
"""

import argparse
import hashlib
import hmac
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
sys.path.insert(0, str(HERE))

from harness import CLIENT_ID, SECRET_KEY, Cases, CaseFailed, StandIn, check, make_certs  # noqa: E402
from webdriver import ChromeDriver, WebDriverError  # noqa: E402

README_IMAGE = ROOT / "examples" / "web_connect.png"
START_TIMEOUT = 15          # seconds for the web example to print its "listening" line
SOCKET_TIMEOUT = 10         # seconds, for the raw requests the tests send themselves
REQUEST_TIMEOUT = 5         # the web example's REQUEST_TIMEOUT_MS, in seconds
STATE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
WEBHOOK_SECRET = "whsec_e2e_" + os.urandom(12).hex()   # the web example's STRIPE_WEBHOOK_SECRET
WEBHOOK_TOLERANCE = 300     # the web example's WEBHOOK_TOLERANCE_SECONDS
WEBHOOK_WAIT = 15           # seconds for the stand-in's event to arrive and show on GET /
DEAUTHORIZED = "account.application.deauthorized"


def signature_header(payload, secret=WEBHOOK_SECRET, timestamp=None):
    """Stripe-Signature for payload (bytes), as Stripe signs: t=<unix>,v1=<HMAC-SHA256 of "t.payload">."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def event_payload(account, event_type=DEAUTHORIZED):
    return json.dumps({"id": "evt_e2e" + os.urandom(6).hex(), "object": "event", "account": account,
                       "type": event_type, "created": int(time.time()), "livemode": False,
                       "data": {"object": {"id": CLIENT_ID, "object": "application"}}}).encode()


class WebExample:
    """build/stripe-connect-web --port 0 as a child process; its port from its first line."""

    def __init__(self, binary, out_dir, stand_in, transport, webhook_secret=WEBHOOK_SECRET, name="web"):
        self.binary = binary
        self.out_dir = Path(out_dir)
        self.stand_in = stand_in
        self.transport = transport
        self.webhook_secret = webhook_secret       # None: STRIPE_WEBHOOK_SECRET unset
        self.process = None
        self.port = None
        self.stdout_file = self.out_dir / f"{name}.stdout"
        self.stderr_file = self.out_dir / f"{name}.stderr"

    def environment(self):
        env = {key: value for key, value in os.environ.items() if not key.startswith("STRIPE_")}
        env.update({
            "STRIPE_CLIENT_ID": CLIENT_ID,
            "STRIPE_SECRET_KEY": SECRET_KEY,
            "STRIPE_CONNECT_BASE": self.stand_in.base(),           # https://localhost:<port>, the test CA
            "STRIPE_API_BASE": self.stand_in.base(),
            "STRIPE_CA_FILE": self.stand_in.ca_file,
            "STRIPE_TRANSPORT": self.transport,
            "STRIPE_TIMEOUT_MS": "10000",
            # The browser's leg: the stand-in's authorize page over plain HTTP on loopback.
            "STRIPE_AUTHORIZE_BASE": self.stand_in.base("http_port", "http"),
        })
        if self.webhook_secret is not None:
            env["STRIPE_WEBHOOK_SECRET"] = self.webhook_secret
        return env

    def start(self):
        self.out_dir.mkdir(parents=True, exist_ok=True)
        with open(self.stdout_file, "w") as out, open(self.stderr_file, "w") as err:
            self.process = subprocess.Popen([str(self.binary), "--port", "0"], env=self.environment(),
                                            stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", self.stdout_file.read_text())
            if match:
                self.port = int(match.group(1))
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.binary} did not start:\n{self.stdout_file.read_text()}\n"
                           f"{self.stderr_file.read_text()}")

    def stop(self, timeout=10):
        """SIGTERM to its PID, then SIGKILL; its exit status (None when it had to be killed)."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=timeout)
            return None

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"

    def output(self):
        return self.stdout_file.read_text() + self.stderr_file.read_text()

    def get(self, path="/", headers=None):
        """(status, headers, body text) of a GET from Python (no browser)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=SOCKET_TIMEOUT)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def post_webhook(self, payload, signature=None, headers=None):
        """(status, body text) of POST /webhook with payload (bytes); signature None: no header."""
        headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        if signature is not None:
            headers["Stripe-Signature"] = signature
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=SOCKET_TIMEOUT)
        try:
            connection.request("POST", "/webhook", body=payload, headers=headers)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def raw(self, data):
        """Sends bytes as they are; the status of the answer (None when the connection just ended)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=SOCKET_TIMEOUT) as sock:
            try:
                sock.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
            answer = b""
            try:
                while b"\r\n" not in answer:
                    piece = sock.recv(4096)
                    if not piece:
                        break
                    answer += piece
            except ConnectionResetError:
                pass
        match = re.match(rb"HTTP/1\.1 (\d{3}) ", answer)
        return int(match.group(1)) if match else None


class Test:
    def __init__(self, args):
        self.args = args
        self.out = Path(args.out).resolve()
        self.cases = Cases("e2e")
        self.stand_in = None
        self.web = None
        self.driver = None
        self.browser = None
        self.browser_problem = None
        self.pages = []             # every page source the browser showed, for the secrets check
        self.connected_shot = None
        self.connected_account = None   # the acct_... the approve case connected

    # ---- Helpers ----

    def need_browser(self):
        if self.browser is None:
            raise CaseFailed(f"no browser session: {self.browser_problem}")
        return self.browser

    def shot(self, name):
        path = self.browser.screenshot(self.out / f"{name}.png")
        self.pages.append(self.browser.page_source())
        return path

    def token_requests_since(self, mark):
        return self.stand_in.requests_since(mark, "/oauth/token")

    def home(self):
        """Loads / in the browser; the #connect element and its href."""
        browser = self.need_browser()
        browser.navigate(self.web.url("/"))
        connect = browser.wait_for("#connect")
        return connect, browser.attribute(connect, "href")

    def outcome(self):
        """Waits for the callback's page: ("account" | "error", its text)."""
        browser = self.browser
        element = browser.wait_for("#account, #error")
        kind = browser.execute("return arguments[0].id", {"element-6066-11e4-a52e-4f735466cecf": element})
        return kind, browser.text(element)

    def state_cookie(self):
        return [c for c in self.browser.cookies() if c.get("name") == "stripe_connect_state"]

    # ---- The cases ----

    def test_home_page(self):
        _, href = self.home()
        url = urllib.parse.urlsplit(href)
        query = dict(urllib.parse.parse_qsl(url.query))
        check(f"{url.scheme}://{url.netloc}" == self.stand_in.base("http_port", "http") and
              url.path == "/oauth/authorize", f"#connect goes to {href}")
        check(query.get("response_type") == "code" and query.get("client_id") == CLIENT_ID and
              query.get("scope") == "read_write" and query.get("redirect_uri") == self.web.url("/callback"),
              f"the authorize URL's parameters: {query}")
        check(STATE_PATTERN.match(query.get("state", "")), f"state {query.get('state')!r} is not 43 base64url characters")
        cookies = self.state_cookie()
        check(len(cookies) == 1, f"cookies: {self.browser.cookies()}")
        cookie = cookies[0]
        check(cookie["value"] == query["state"], "the cookie's state is not the URL's")
        check(cookie.get("httpOnly") is True and cookie.get("sameSite") == "Lax" and cookie.get("path") == "/",
              f"cookie attributes: {cookie}")
        check(self.browser.execute("return document.cookie") == "", "the page's script can read the state cookie")
        self.shot("01-home")
        # A second load draws a new state; the raw header carries exactly the attributes.
        status, headers, body = self.web.get("/")
        check(status == 200, f"GET / from Python: {status}")
        set_cookie = headers.get("Set-Cookie", "")
        check(re.fullmatch(r"stripe_connect_state=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Lax; Path=/; Max-Age=\d+",
                           set_cookie), f"Set-Cookie: {set_cookie}")
        check(set_cookie.split(";")[0].split("=")[1] != query["state"], "the same state twice")
        for header in ("Content-Security-Policy", "Referrer-Policy", "X-Content-Type-Options", "Cache-Control"):
            check(headers.get(header), f"no {header} header")
        # Opened as localhost, the page first moves to the redirect URI's host, or the cookie
        # would not come back with the callback.
        status, headers, _ = self.web.get("/", {"Host": f"localhost:{self.web.port}"})
        check(status == 302 and headers.get("Location") == self.web.url("/") and not headers.get("Set-Cookie"),
              f"GET / as localhost: {status}, Location {headers.get('Location')}")

    def test_approve(self):
        browser = self.need_browser()
        connect, _ = self.home()
        browser.click(connect)
        approve = browser.wait_for("#approve")
        check(browser.text(browser.wait_for("#client-id")) == CLIENT_ID, "the stand-in's page lacks the client id")
        check(browser.text(browser.wait_for("#scope")) == "read_write", "the stand-in's page lacks the scope")
        check(browser.find("#deny") is not None, "the stand-in's page lacks #deny")
        self.shot("02-authorize")
        mark = self.stand_in.log_mark()
        browser.click(approve)
        kind, text = self.outcome()
        check(kind == "account", f"#{kind}: {text}")
        check(re.fullmatch(r"acct_1[A-Za-z0-9]{15}", text), f"#account shows {text!r}")
        self.connected_account = text
        check(urllib.parse.urlsplit(browser.current_url()).path == "/callback", browser.current_url())
        self.connected_shot = self.shot("03-connected")
        tokens = self.token_requests_since(mark)
        check(len(tokens) == 1, f"{len(tokens)} /oauth/token requests: {tokens}")
        check(tokens[0]["listener"] == "good" and tokens[0]["credential"] == "platform" and
              tokens[0]["status"] == 200 and tokens[0]["form"].get("grant_type") == "authorization_code",
              f"the exchange: {tokens[0]}")
        status, _, body = self.stand_in.request("GET", f"/v1/accounts/{text}",
                                                headers={"Authorization": "Bearer " + SECRET_KEY})
        check(status == 200, f"the stand-in does not know {text} as connected: {status} {body[:200]!r}")
        check(self.state_cookie() == [], f"the state cookie is still set: {self.state_cookie()}")

    def test_reload_does_not_exchange_again(self):
        browser = self.need_browser()
        check(self.connected_shot is not None, "needs the approve case to have connected")
        mark = self.stand_in.log_mark()
        browser.refresh()
        kind, text = self.outcome()
        check(kind == "error" and "state mismatch" in text, f"#{kind}: {text}")
        check(self.token_requests_since(mark) == [], "a second /oauth/token request")

    def test_deny(self):
        browser = self.need_browser()
        connect, _ = self.home()
        browser.click(connect)
        deny = browser.wait_for("#deny")
        mark = self.stand_in.log_mark()
        browser.click(deny)
        kind, text = self.outcome()
        check(kind == "error", f"#{kind}: {text}")
        check("access_denied" in text and "The user denied your request" in text and "OAuth error" in text,
              f"#error: {text}")
        self.shot("04-denied")
        check(self.token_requests_since(mark) == [], "an /oauth/token request after a deny")
        check(self.state_cookie() == [], "the state cookie is still set after Stripe's answer")

    def test_forged_callback(self):
        browser = self.need_browser()
        self.home()
        check(len(self.state_cookie()) == 1, "no state cookie to forge against")
        # A real, unused code: exchanging it would succeed, so a refusal is the state check's.
        _, query = self.stand_in.authorize(state="wrong", redirect_uri=self.web.url("/callback"))
        mark = self.stand_in.log_mark()
        browser.navigate(self.web.url("/callback?" + urllib.parse.urlencode(
            {"code": query["code"], "scope": "read_write", "state": "wrong"})))
        kind, text = self.outcome()
        check(kind == "error" and "state mismatch" in text, f"#{kind}: {text}")
        self.shot("05-forged")
        check(self.token_requests_since(mark) == [], "the forged callback made an /oauth/token request")
        check(len(self.state_cookie()) == 1, "the forged callback cleared the real state cookie")
        status, _, body = self.stand_in.request("POST", "/oauth/token",
                                                {"grant_type": "authorization_code", "code": query["code"]},
                                                {"Authorization": "Bearer " + SECRET_KEY})
        check(status == 200, f"the forged code was used after all: the stand-in answered {status} {body[:200]!r}")

    def test_script_in_error_description(self):
        browser = self.need_browser()
        _, href = self.home()
        state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(href).query))["state"]
        payload = "<script>alert(1)</script>\"'&"
        mark = self.stand_in.log_mark()
        browser.navigate(self.web.url("/callback?" + urllib.parse.urlencode(
            {"error": "access_denied", "error_description": payload, "state": state})))
        kind, text = self.outcome()
        check(kind == "error" and "access_denied" in text, f"#{kind}: {text}")
        check(payload in text, f"the description is not shown as text: {text!r}")
        check(browser.alert_text() is None, "an alert is open: the script ran")
        check(browser.execute("return document.querySelectorAll('script').length") == 0,
              "a script element was created")
        source = browser.page_source()
        check("&lt;script&gt;alert(1)&lt;/script&gt;" in source, "the escaped text is not in the page")
        self.shot("06-escaped")
        check(self.token_requests_since(mark) == [], "an /oauth/token request")

    # ---- Webhooks: the account disconnected ----

    def held_state(self):
        """Loads / in the browser: (the text of #account or None, the text of #disconnected or None)."""
        browser = self.need_browser()
        browser.navigate(self.web.url("/"))
        browser.wait_for("#connect")
        account, disconnected = browser.find("#account"), browser.find("#disconnected")
        return (browser.text(account) if account is not None else None,
                browser.text(disconnected) if disconnected is not None else None)

    def need_connected(self):
        check(self.connected_account is not None, "needs the approve case to have connected an account")
        return self.connected_account

    def check_unchanged(self, what):
        account, disconnected = self.held_state()
        check(account == self.connected_account and disconnected is None,
              f"after {what}: #account {account!r}, #disconnected {disconnected!r}")

    def test_home_shows_account(self):
        account = self.need_connected()
        shown, disconnected = self.held_state()
        check(shown == account, f"GET / shows #account {shown!r}, expected {account!r}")
        check(disconnected is None, f"#disconnected before any event: {disconnected!r}")
        check("account.application.deauthorized" in self.browser.text(self.browser.find("main")),
              "no note on what disconnects it")
        check(self.browser.find("#connect") is not None, "the button is gone")

    def test_webhook_limits(self):
        self.need_connected()
        host = f"Host: 127.0.0.1:{self.web.port}\r\n".encode()
        probes = [
            ("no Content-Length", b"POST /webhook HTTP/1.1\r\n" + host + b"\r\n", 411),
            ("Content-Length 65537 (over 64 KiB), no body sent",
             b"POST /webhook HTTP/1.1\r\n" + host + b"Content-Length: 65537\r\n\r\n", 413),
            ("a malformed Content-Length", b"POST /webhook HTTP/1.1\r\n" + host + b"Content-Length: 1e3\r\n\r\n", 400),
            ("two Content-Length headers", b"POST /webhook HTTP/1.1\r\n" + host +
             b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400),
            ("Transfer-Encoding: chunked", b"POST /webhook HTTP/1.1\r\n" + host +
             b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400),
            ("GET /webhook", b"GET /webhook HTTP/1.1\r\n" + host + b"\r\n", 405),
            ("another Host", b"POST /webhook HTTP/1.1\r\nHost: attacker.example\r\nContent-Length: 2\r\n\r\n{}", 400),
        ]
        wrong = [f"{name}: {status}, expected {expected}"
                 for name, data, expected in probes
                 for status in [self.web.raw(data)] if status != expected]
        check(not wrong, "\n".join(wrong))
        # A signed body of 64 KiB + 1 is refused unread; one of exactly 64 KiB, sent in pieces, is read.
        big = event_payload(self.connected_account, "e2e.padding")[:-1] + b', "padding": "'
        big += b"x" * (64 * 1024 - len(big) - 2) + b'"}'
        check(len(big) == 64 * 1024, f"the padded event is {len(big)} bytes")
        status, body = self.web.post_webhook(big + b" ", signature_header(big + b" "))
        check(status == 413, f"a body of 64 KiB + 1: {status} {body}")
        with socket.create_connection(("127.0.0.1", self.web.port), timeout=SOCKET_TIMEOUT) as sock:
            sock.sendall(b"POST /webhook HTTP/1.1\r\n" + host + b"Stripe-Signature: " +
                         signature_header(big).encode() + f"\r\nContent-Length: {len(big)}\r\n\r\n".encode())
            for start in range(0, len(big), 16384):
                sock.sendall(big[start:start + 16384])
                time.sleep(0.05)
            answer = sock.recv(4096)
        check(answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b'{"received":true}'),
              f"a signed body of exactly 64 KiB in pieces: {answer[:300]!r}")
        self.check_unchanged("the refused bodies")

    def test_webhook_wrong_signature(self):
        account = self.need_connected()
        payload = event_payload(account)
        now = int(time.time())
        good = signature_header(payload)
        tampered = payload.replace(account.encode(), (account[:-1] + "X").encode())
        probes = [
            ("signed with another secret", payload, signature_header(payload, "whsec_not_the_one")),
            ("no Stripe-Signature header", payload, None),
            ("the payload changed after signing", tampered, good),
            ("one bit of the signature flipped", payload, good[:-1] + ("0" if good[-1] != "0" else "1")),
            ("only a v0 signature", payload, good.replace("v1=", "v0=")),
            ("a malformed header", payload, "v1=" + good.split("v1=")[1]),
            ("an empty header", payload, ""),
            ("the signature of another timestamp", payload, f"t={now - 1}," + good.split(",")[1]),
        ]
        wrong = []
        for name, body, header in probes:
            status, text = self.web.post_webhook(body, header)
            if status != 400 or "received" in text:
                wrong.append(f"{name}: {status} {text}")
        check(not wrong, "\n".join(wrong))
        self.check_unchanged("the forged events")
        check("disconnected" not in self.web.output(), "the server's output records a disconnection")

    def test_webhook_stale_timestamp(self):
        account = self.need_connected()
        payload = event_payload(account)
        now = int(time.time())
        wrong = []
        for name, timestamp in (("stale: 10 minutes ago", now - 600),
                                (f"stale: {WEBHOOK_TOLERANCE + 30} s ago", now - WEBHOOK_TOLERANCE - 30),
                                ("from the future: in 10 minutes", now + 600)):
            status, text = self.web.post_webhook(payload, signature_header(payload, timestamp=timestamp))
            if status != 400:
                wrong.append(f"{name}: {status} {text}")
        check(not wrong, "\n".join(wrong))
        self.check_unchanged("the stale events")
        # The same clock, within the tolerance: accepted (an event that changes nothing).
        recent = event_payload(account, "account.updated")
        status, text = self.web.post_webhook(recent, signature_header(recent, timestamp=now - 60))
        check(status == 200, f"60 s old, within the tolerance, is accepted: {status} {text}")

    def test_webhook_other_event(self):
        self.need_connected()
        payload = event_payload(self.connected_account, "account.updated")
        status, text = self.web.post_webhook(payload, signature_header(payload))
        check(status == 200 and json.loads(text) == {"received": True}, f"account.updated: {status} {text}")
        self.check_unchanged("a verified account.updated")

    def test_deauthorize_webhook(self):
        account = self.need_connected()
        status, _, body = self.stand_in.request("POST", "/_stand_in/webhook_url",
                                                {"url": self.web.url("/webhook"), "secret": WEBHOOK_SECRET})
        check(status == 200, f"the stand-in's webhook_url: {status} {body[:200]!r}")
        mark = self.stand_in.log_mark()
        status, _, body = self.stand_in.request("POST", "/oauth/deauthorize",
                                                {"client_id": CLIENT_ID, "stripe_user_id": account},
                                                {"Authorization": "Bearer " + SECRET_KEY})
        check(status == 200 and json.loads(body) == {"stripe_user_id": account},
              f"the deauthorize: {status} {body[:200]!r}")
        deadline = time.monotonic() + WEBHOOK_WAIT
        while True:
            shown, disconnected = self.held_state()
            if disconnected is not None or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        deliveries = [e for e in self.stand_in.events_since(mark) if e["event"] == "webhook"]
        check(len(deliveries) == 1 and deliveries[0]["status"] == 200 and deliveries[0]["account"] == account and
              deliveries[0]["type"] == DEAUTHORIZED, f"the stand-in's deliveries: {deliveries}")
        check(disconnected is not None and account in disconnected,
              f"#disconnected after {WEBHOOK_WAIT} s: {disconnected!r}")
        check(shown is None, f"#account still shown: {shown!r}")
        self.shot("07-disconnected")
        check(f"POST /webhook 200: {DEAUTHORIZED}: disconnected {account}" in self.web.output(),
              "the server's output does not record the disconnection")
        status, _, _ = self.stand_in.request("GET", f"/v1/accounts/{account}",
                                             headers={"Authorization": "Bearer " + SECRET_KEY})
        check(status != 200, f"the stand-in still knows {account} as connected: {status}")
        self.connected_account = None

    def test_disconnected_escaped(self):
        browser = self.need_browser()
        account = "acct_<b>x</b>\"'&"
        payload = event_payload(account)
        status, text = self.web.post_webhook(payload, signature_header(payload))
        check(status == 200, f"the signed event: {status} {text}")
        _, disconnected = self.held_state()
        check(disconnected is not None and account in disconnected, f"#disconnected: {disconnected!r}")
        check(browser.execute("return document.querySelectorAll('#disconnected b').length") == 0,
              "the account's markup became an element")
        self.pages.append(browser.page_source())
        _, _, body = self.web.get("/")          # as sent (the browser's source is re-serialised)
        check("<code>acct_&lt;b&gt;x&lt;/b&gt;&quot;&#39;&amp;</code>" in body, "the escaped text is not in the page")

    def test_webhook_without_secret(self):
        other = WebExample(self.args.web, self.out, self.stand_in, self.args.transport, webhook_secret=None,
                           name="web-no-secret").start()
        try:
            check("webhook secret not set" in other.stdout_file.read_text(), "it does not say the secret is unset")
            payload = event_payload("acct_1NoSecretConfigured")
            status, text = other.post_webhook(payload, signature_header(payload))
            check(status == 503 and "webhook secret not configured" in text, f"POST /webhook: {status} {text}")
            status, _, body = other.get("/")
            check(status == 200 and 'id="connect"' in body and 'id="disconnected"' not in body,
                  f"GET / afterwards: {status}")
        finally:
            exit_status = other.stop()
        check(exit_status == 0, f"exit status {exit_status}")
        errors = other.stderr_file.read_text()
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            check(marker not in errors, f"{marker} in its stderr:\n{errors[-3000:]}")

    def test_malformed_requests(self):
        host = f"Host: 127.0.0.1:{self.web.port}\r\n".encode()
        probes = [
            ("garbage", b"\x16\x03\x01 not http at all\r\n\r\n", 400),
            ("no path", b"GET\r\n\r\n", 400),
            ("a path without /", b"GET index.html HTTP/1.1\r\n" + host + b"\r\n", 400),
            ("a bad method", b"G(T / HTTP/1.1\r\n" + host + b"\r\n", 400),
            ("HTTP/2.0", b"GET / HTTP/2.0\r\n" + host + b"\r\n", 400),
            ("a header without a colon", b"GET / HTTP/1.1\r\n" + host + b"Nonsense\r\n\r\n", 400),
            ("a NUL byte", b"GET /\x00 HTTP/1.1\r\n" + host + b"\r\n", 400),
            ("a bare LF", b"GET / HTTP/1.1\n" + host + b"\r\n", 400),
            ("headers over 8 KiB", b"GET / HTTP/1.1\r\n" + host + b"X-Padding: " + b"a" * 9000 + b"\r\n\r\n", 400),
            ("a request line over 8 KiB", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n" + host + b"\r\n", 400),
            ("another Host (DNS rebinding)", b"GET / HTTP/1.1\r\nHost: attacker.example\r\n\r\n", 400),
            ("no Host", b"GET / HTTP/1.1\r\n\r\n", 400),
            ("two Host headers", b"GET / HTTP/1.1\r\n" + host + host + b"\r\n", 400),
            ("POST", b"POST / HTTP/1.1\r\n" + host + b"Content-Length: 0\r\n\r\n", 405),
            ("an unknown path", b"GET /admin HTTP/1.1\r\n" + host + b"\r\n", 404),
        ]
        wrong = []
        for name, data, expected in probes:
            status = self.web.raw(data)
            if status != expected:
                wrong.append(f"{name}: {status}, expected {expected}")
        check(not wrong, "\n".join(wrong))
        status, _, body = self.web.get("/")
        check(status == 200 and 'id="connect"' in body, f"GET / afterwards: {status}")

    def test_idle_connection(self):
        with socket.create_connection(("127.0.0.1", self.web.port), timeout=SOCKET_TIMEOUT) as idle:
            idle.sendall(b"GET / HTTP/1.1\r\n")                 # and nothing more
            started = time.monotonic()
            status, _, _ = self.web.get("/")
            took = time.monotonic() - started
            check(status == 200 and took < 2, f"GET / beside an idle connection: {status} after {took:.1f} s")
            idle.settimeout(REQUEST_TIMEOUT + 5)
            answer = idle.recv(4096)
            waited = time.monotonic() - started
            check(answer.startswith(b"HTTP/1.1 408 "), f"the idle connection got {answer[:40]!r}")
            check(REQUEST_TIMEOUT - 1 < waited < REQUEST_TIMEOUT + 3, f"408 after {waited:.1f} s")

    def test_no_secrets_shown(self):
        shown = "\n".join(self.pages) + "\n" + self.web.output()
        for pattern, what in ((re.escape(SECRET_KEY), "the secret key"),
                              (r"sk_test_[A-Za-z0-9]{24}", "an access token"),
                              (r"\brt_[A-Za-z0-9]{24}", "a refresh token"),
                              (r"\bac_[A-Za-z0-9]{24}", "an authorization code"),
                              (r"whsec_", "the webhook secret")):
            match = re.search(pattern, shown)
            check(match is None, f"{what} in a page or the server's output: ...{shown[max(0, match.start() - 80):match.end()] if match else ''}")
        check(len(self.pages) >= 5, f"only {len(self.pages)} pages were looked at")

    def test_sigterm(self):
        process = self.web.process
        check(process.poll() is None, f"the web example had ended already ({process.returncode})")
        started = time.monotonic()
        os.kill(process.pid, signal.SIGTERM)
        try:
            status = process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            raise CaseFailed("still running 5 s after SIGTERM")
        check(status == 0, f"exit status {status}\n{self.web.stderr_file.read_text()[-3000:]}")
        check("stopped" in self.web.stdout_file.read_text(), "it did not say it stopped")
        try:
            socket.create_connection(("127.0.0.1", self.web.port), timeout=2).close()
            raise CaseFailed("the port still accepts connections")
        except ConnectionRefusedError:
            pass
        check(time.monotonic() - started < 5, "slow to stop")

    def test_sanitizers_quiet(self):
        errors = self.web.stderr_file.read_text()
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            check(marker not in errors, f"{marker} in the web example's stderr:\n{errors[-3000:]}")

    # ---- Running ----

    def start_browser(self):
        try:
            self.driver = ChromeDriver(self.out).start()
            self.browser = self.driver.new_session(self.out / "profile")
        except (OSError, RuntimeError, WebDriverError, KeyError, ValueError) as problem:
            self.browser_problem = f"{type(problem).__name__}: {problem}"
            print(f"e2e: headless Chromium did not start: {self.browser_problem}", flush=True)

    def run(self):
        run = self.cases.run
        print(f"e2e: {self.args.web} (transport {self.args.transport}) in headless Chromium; "
              f"outputs in {self.out}", flush=True)
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            for old in self.out.glob("*.png"):
                old.unlink()
            shutil.rmtree(self.out / "profile", ignore_errors=True)
            certs = make_certs(self.out / "certs")
            self.stand_in = StandIn(certs, self.out / "stand_in")
            self.stand_in.start()
            self.web = WebExample(self.args.web, self.out, self.stand_in, self.args.transport).start()
            self.start_browser()
            if self.browser is not None:
                version = self.browser.capabilities.get("browserVersion", "?")
                print(f"e2e: Chromium {version}, stand-in https://localhost:{self.stand_in.port} "
                      f"(authorize page http://localhost:{self.stand_in.state['http_port']}), "
                      f"web example {self.web.url('/')}", flush=True)

            run("GET /: #connect links to the stand-in's authorize URL (read_write, redirect_uri /callback, "
                "a fresh 43-character state); the state cookie is HttpOnly, SameSite=Lax, Path=/; localhost moves to "
                "127.0.0.1", self.test_home_page)
            run("approve: #connect, the stand-in's page (client id, scope, #approve, #deny), back on /callback "
                "with the account in #account; one /oauth/token over TLS; the cookie cleared", self.test_approve)
            run("reload of the connected page: refused (state mismatch), no second /oauth/token",
                self.test_reload_does_not_exchange_again)
            run("GET / after the approval: #account names the connected account, with the note on "
                "account.application.deauthorized; #connect still there", self.test_home_shows_account)
            run("deny: #deny on the stand-in's page, back on /callback with access_denied in #error; "
                "no /oauth/token", self.test_deny)
            run("forged callback (a real code, state=wrong, the real cookie set): #error shows state mismatch; "
                "the stand-in saw no /oauth/token and the code still works", self.test_forged_callback)
            run("error_description <script>alert(1)</script>: shown as text in #error, no script element, "
                "no alert", self.test_script_in_error_description)
            run("POST /webhook limits: no Content-Length 411, over 64 KiB 413 (unread), malformed or two "
                "Content-Length 400, chunked 400, GET 405, foreign Host 400; exactly 64 KiB in pieces 200; "
                "#account unchanged", self.test_webhook_limits)
            run("POST /webhook with a wrong signature (another secret, none, payload changed, one bit flipped, "
                "v0 only, no t, empty, another t): 400 each, #account unchanged, nothing recorded",
                self.test_webhook_wrong_signature)
            run(f"POST /webhook signed validly but stale (600 s, {WEBHOOK_TOLERANCE + 30} s ago) or 600 s in "
                "the future: 400, #account unchanged; 60 s old: 200", self.test_webhook_stale_timestamp)
            run("a verified account.updated for the connected account: 200 {\"received\":true}, "
                "#account unchanged", self.test_webhook_other_event)
            run("deauthorize at the stand-in (webhook URL http://127.0.0.1:<port>/webhook, the web example's "
                "secret): one signed delivery answered 200; reloading GET / shows #disconnected with the "
                "account and no #account", self.test_deauthorize_webhook)
            run("a signed deauthorization of acct_<b>x</b>\"'&: #disconnected shows it as text",
                self.test_disconnected_escaped)
            run("STRIPE_WEBHOOK_SECRET unset (a second server): POST /webhook 503 \"webhook secret not "
                "configured\"; GET / works; exit 0", self.test_webhook_without_secret)
            run("malformed requests (garbage, no path, bad method, bare LF, NUL, over 8 KiB, foreign or no "
                "Host): 400 (POST 405, unknown path 404); GET / still works", self.test_malformed_requests)
            run("an idle connection delays no one (GET / beside it at once) and gets 408 after "
                f"{REQUEST_TIMEOUT} s", self.test_idle_connection)
            run("no secret key, webhook secret, access or refresh token or code in any page or the server's output",
                self.test_no_secrets_shown)
            run("SIGTERM: exit status 0 within 5 s, the port closed", self.test_sigterm)
            run("the web example's stderr holds no ASan/UBSan report", self.test_sanitizers_quiet)
            run("the stand-in stops cleanly and printed nothing",
                lambda: self.stand_in.check_stopped_cleanly(self.stand_in.stop()))
        except Exception as problem:   # setting up failed: one failed case says why
            self.cases.fail("set-up (certificates, stand-in, web example)", f"{type(problem).__name__}: {problem}")
        finally:
            if self.browser is not None:
                self.browser.quit()
            if self.driver is not None:
                self.driver.stop()
            if self.web is not None:
                self.web.stop()
            if self.stand_in is not None:
                self.stand_in.stop()
            shutil.rmtree(self.out / "profile", ignore_errors=True)
        self.publish_screenshot()
        return self.cases.summary()

    def publish_screenshot(self):
        if self.connected_shot is None:
            return
        if self.args.update_screenshot or not README_IMAGE.exists():
            shutil.copyfile(self.connected_shot, README_IMAGE)
            print(f"e2e: {README_IMAGE.relative_to(ROOT)} updated from {self.connected_shot}", flush=True)
        print(f"e2e: screenshots in {self.out}: "
              + ", ".join(sorted(p.name for p in self.out.glob("*.png"))), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--web", default=str(ROOT / "build" / "stripe-connect-web"),
                        help="the web example's binary (default build/stripe-connect-web)")
    parser.add_argument("--out", default=str(ROOT / "build" / "e2e"), help="outputs (default build/e2e)")
    parser.add_argument("--transport", choices=("curl", "mbedtls"), default="curl")
    parser.add_argument("--update-screenshot", action="store_true",
                        help=f"copy the connected page's screenshot to {README_IMAGE.relative_to(ROOT)}")
    return Test(parser.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
