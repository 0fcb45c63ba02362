"""A minimal W3C WebDriver client for chromedriver, on Python's standard library.

    driver = ChromeDriver(out_dir).start()          # chromedriver on a free loopback port
    browser = driver.new_session(profile_dir)       # headless Chromium, a fresh profile
    browser.navigate("http://127.0.0.1:8000/")
    browser.click(browser.wait_for("#connect"))
    ...
    browser.quit(); driver.stop()                   # both bounded; stop() ends its process group

Only what tests/e2e/ needs: navigation, elements (CSS selectors), clicks, text, cookies,
synchronous scripts, alerts, screenshots. Every HTTP call to chromedriver has a timeout, and every
wait has a deadline. chromedriver runs in a process group of its own, so stop() ends it and the
Chromium it started, by the group's id, whatever state they are in.
"""

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"     # W3C: how an element reference is sent
CALL_TIMEOUT = 60                                       # seconds, for one call to chromedriver

# Headless Chromium as root in a container, with nothing that talks to the network on its own.
CHROMIUM_ARGUMENTS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--disable-default-apps", "--disable-extensions",
    "--no-default-browser-check", "--password-store=basic", "--window-size=960,640",
]


class WebDriverError(Exception):
    """chromedriver answered with an error: .error is the W3C error code ("no such element")."""

    def __init__(self, error, message):
        super().__init__(f"{error}: {message}")
        self.error = error


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ChromeDriver:
    """chromedriver as a child process in its own process group."""

    def __init__(self, out_dir, executable=CHROMEDRIVER):
        self.out_dir = Path(out_dir)
        self.executable = executable
        self.process = None
        self.port = None
        self.log_file = self.out_dir / "chromedriver.log"

    def start(self, timeout=30):
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):              # the free port may be taken before chromedriver binds it
            self.port = free_port()
            output = open(self.out_dir / "chromedriver.output", "w")
            self.process = subprocess.Popen(
                [self.executable, f"--port={self.port}", f"--log-path={self.log_file}",
                 "--allowed-ips=127.0.0.1"],
                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
            output.close()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    if self._call("GET", "/status", timeout=2).get("ready"):
                        return self
                except (OSError, WebDriverError, ValueError):
                    pass
                time.sleep(0.1)
            self.stop()
        raise RuntimeError("chromedriver did not start:\n" + (self.out_dir / "chromedriver.output").read_text())

    def stop(self, timeout=10):
        """SIGTERM to chromedriver's process group (it and the browser it started), then SIGKILL."""
        if self.process is None or self.process.poll() is not None:
            self._kill_group(signal.SIGKILL)  # a browser left behind by a chromedriver that died
            return
        self._kill_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        self._kill_group(signal.SIGKILL)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass

    def _kill_group(self, sig):
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, sig)  # the group chromedriver leads (start_new_session)
        except ProcessLookupError:
            pass

    def _call(self, method, path, body=None, timeout=CALL_TIMEOUT):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            payload = None if body is None else json.dumps(body)
            headers = {} if body is None else {"Content-Type": "application/json"}
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            document = json.loads(response.read() or b"{}")
        finally:
            connection.close()
        value = document.get("value")
        if isinstance(value, dict) and value.get("error"):
            message = (value.get("message") or "").splitlines()
            raise WebDriverError(value["error"], message[0] if message else "")
        return value

    def new_session(self, profile_dir, binary=CHROMIUM, arguments=()):
        """A session with headless Chromium and a fresh profile in profile_dir."""
        profile_dir = Path(profile_dir)
        profile_dir.mkdir(parents=True, exist_ok=True)
        options = {"binary": binary,
                   "args": CHROMIUM_ARGUMENTS + [f"--user-data-dir={profile_dir}"] + list(arguments)}
        value = self._call("POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "pageLoadStrategy": "normal", "goog:chromeOptions": options,
            "timeouts": {"implicit": 0, "pageLoad": 20000, "script": 10000}}}})
        return Session(self, value["sessionId"], value.get("capabilities", {}))


class Session:
    def __init__(self, driver, session_id, capabilities):
        self.driver = driver
        self.id = session_id
        self.capabilities = capabilities

    def call(self, method, path, body=None):
        return self.driver._call(method, f"/session/{self.id}{path}", body)

    def quit(self):
        try:
            self.driver._call("DELETE", f"/session/{self.id}", timeout=20)
        except (OSError, WebDriverError, ValueError):
            pass

    # ---- Navigation ----

    def navigate(self, url):
        self.call("POST", "/url", {"url": url})

    def refresh(self):
        self.call("POST", "/refresh", {})

    def current_url(self):
        return self.call("GET", "/url")

    def page_source(self):
        return self.call("GET", "/source")

    # ---- Elements ----

    def find(self, css):
        """The element's reference, or None when there is none (yet)."""
        try:
            value = self.call("POST", "/element", {"using": "css selector", "value": css})
        except WebDriverError as problem:
            if problem.error == "no such element":
                return None
            raise
        return value[ELEMENT_KEY]

    def wait_for(self, css, timeout=15):
        """Polls until an element matches css (a page may still be loading); raises on timeout."""
        deadline = time.monotonic() + timeout
        last = None
        while True:
            try:
                element = self.find(css)
                if element is not None:
                    return element
            except WebDriverError as problem:   # the page changed under the call: try again
                last = problem
            if time.monotonic() > deadline:
                raise TimeoutError(f"no element {css!r} after {timeout} s at {self._url_or_none()}"
                                   + (f" ({last})" if last else ""))
            time.sleep(0.1)

    def _url_or_none(self):
        try:
            return self.current_url()
        except (OSError, WebDriverError, ValueError):
            return None

    def click(self, element):
        self.call("POST", f"/element/{element}/click", {})

    def text(self, element):
        return self.call("GET", f"/element/{element}/text")

    def attribute(self, element, name):
        return self.call("GET", f"/element/{element}/attribute/{name}")

    # ---- Scripts, alerts, cookies, screenshots ----

    def execute(self, script, *arguments):
        return self.call("POST", "/execute/sync", {"script": script, "args": list(arguments)})

    def alert_text(self):
        """The open alert's text, or None when no alert is open."""
        try:
            return self.call("GET", "/alert/text")
        except WebDriverError as problem:
            if problem.error == "no such alert":
                return None
            raise

    def cookies(self):
        """Every cookie of the current page, HttpOnly ones too (WebDriver sees them)."""
        return self.call("GET", "/cookie")

    def screenshot(self, path):
        Path(path).write_bytes(base64.b64decode(self.call("GET", "/screenshot")))
        return Path(path)
