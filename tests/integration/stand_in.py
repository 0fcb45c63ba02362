#!/usr/bin/env python3
"""A local stand-in for connect.stripe.com and api.stripe.com, for the integration tests.

    python3 tests/integration/stand_in.py --cert-dir DIR --state-file FILE [--log FILE]

It answers the OAuth endpoints (authorize, token, deauthorize) and the /v1 calls the API layer
uses (charges, accounts, account links) the way Stripe does: the same JSON shapes, the same error
codes, a Request-Id on every answer. Requests whose code, refresh_token, stripe_user_id or
metadata[stand_in] names a fault mode get a broken answer instead (slow, cut short, reset,
oversized, chunked, HTML, malformed JSON, duplicate keys, escaped strings); README.md in this
folder lists them all.

Four listeners on 127.0.0.1, ports chosen by the OS, all with the same endpoints: TLS with the
good certificate (DIR/server.pem), TLS with a certificate for another host (wrong_host.pem), TLS
with an expired certificate (expired.pem), and plain HTTP. Once all four listen, FILE receives
{"pid", "port", "wrong_host_port", "expired_port", "http_port"}; FILE is removed again when
SIGTERM or SIGINT stops the stand-in. --log FILE gets one JSON line per request (secrets cut to
their first 8 characters), per connection accepted and per failed TLS handshake.

Python 3 standard library only. Accepted credentials: client_id ca_test_standin, secret key
sk_test_standin, and the access tokens the stand-in issued (until revoked).

Webhooks (issue 8): with --webhook-url URL (or after POST /_stand_in/webhook_url with url=URL),
each successful POST /oauth/deauthorize is followed by a signed account.application.deauthorized
event, POSTed to URL the way Stripe sends it (Stripe-Signature: t=...,v1=...,v0=..., HMAC-SHA256
under --webhook-secret, default whsec_test_standin). Each delivery is logged ("event": "webhook");
a failed one is logged too and changes nothing else.
"""

import argparse
import base64
import hashlib  # webhooks (issue 8): signing the events
import hmac  # webhooks (issue 8)
import html  # web example (issue 7): the authorize page
import http.client  # webhooks (issue 8): delivering the events
import json
import os
import re
import secrets
import signal
import socket
import ssl
import string
import struct
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CLIENT_ID = "ca_test_standin"
SECRET_KEY = "sk_test_standin"
PLATFORM_ACCOUNT = "acct_1StandInPlatform0"
DEFAULT_REDIRECT_URI = "http://localhost/callback"  # the platform's "first configured" URI

SLOW_SECONDS = 3                 # fault_slow: clients use a 1 s timeout to see it
OVERSIZED_BYTES = 300 * 1024     # fault_oversized: above the tool's 256 KiB buffer
MAX_REQUEST_BODY = 1024 * 1024
IDLE_SECONDS = 30                # a kept-alive connection with no new request is closed
HANDSHAKE_SECONDS = 10
SECRET_FIELDS = ("client_secret", "code", "refresh_token")

# The token every fault mode of /oauth/token is built from (fault_chunked and fault_escaped
# must decode to exactly this).
FAULT_TOKEN = {
    "access_token": "sk_test_FaultModeAccessToken0001",
    "livemode": False,
    "refresh_token": "rt_FaultModeRefreshToken0001",
    "token_type": "bearer",
    "stripe_publishable_key": "pk_test_FaultModePublishableKey1",
    "stripe_user_id": "acct_1FaultModeAccount",
    "scope": "read_write",
}

# Test card tokens: what a charge with each one does.
CARDS = {
    "tok_visa": {"brand": "Visa", "last4": "4242"},
    "tok_mastercard": {"brand": "MasterCard", "last4": "4444"},
    "tok_chargeDeclined": {"brand": "Visa", "last4": "0002",
                           "decline_code": "generic_decline", "message": "Your card was declined."},
    "tok_chargeDeclinedInsufficientFunds": {"brand": "Visa", "last4": "9995",
                                            "decline_code": "insufficient_funds",
                                            "message": "Your card has insufficient funds."},
}


def random_id(prefix, length=24):
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


def mask_key(key):
    """What an error message may show of a key: its kind, never its secret part."""
    match = re.match(r"(sk|rk|pk)_(test|live)_", key or "")
    return (match.group(0) if match else "") + "****"


def redact(value):
    return value[:8] + "..." if len(value) > 8 else value


# ---- Answers and how they are delivered ---------------------------------------------------------

@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: list = field(default_factory=list)   # extra (name, value) pairs
    delivery: str = "whole"                         # a key of DELIVERIES
    request_id: str = field(default_factory=lambda: random_id("req_", 14))
    after: object = None                            # webhooks (issue 8): called once delivered


def encode_json(document):
    # Stripe pretty-prints its answers with two spaces.
    return (json.dumps(document, indent=2) + "\n").encode()


def json_answer(status, document, headers=()):
    return Answer(status, encode_json(document), headers=list(headers))


def oauth_error(status, code, description):
    return json_answer(status, {"error": code, "error_description": description})


def api_error(status, error_type, message, headers=(), **fields):
    error = {"type": error_type, "message": message}
    error.update(fields)
    if "code" in fields:
        error["doc_url"] = "https://stripe.com/docs/error-codes/" + fields["code"].replace("_", "-")
    return json_answer(status, {"error": error}, headers)


def start_answer(handler, answer, framing):
    handler.send_response(answer.status)
    handler.send_header("Content-Type", answer.content_type)
    handler.send_header("Request-Id", answer.request_id)
    for name, value in answer.headers:
        handler.send_header(name, value)
    for name, value in framing:
        handler.send_header(name, value)
    handler.end_headers()


def deliver_whole(handler, answer):
    start_answer(handler, answer, [("Content-Length", str(len(answer.body)))])
    handler.wfile.write(answer.body)


def deliver_slow(handler, answer):
    """The answer, SLOW_SECONDS late (or never, when the stand-in stops first)."""
    if handler.server.stand_in.stopping.wait(SLOW_SECONDS):
        return
    deliver_whole(handler, answer)


def deliver_truncated(handler, answer):
    """Promises the whole body, sends half of it, then ends the connection cleanly."""
    start_answer(handler, answer, [("Content-Length", str(len(answer.body)))])
    handler.wfile.write(answer.body[:len(answer.body) // 2])
    handler.close_connection = True
    close_gracefully(handler.connection)


def deliver_reset(handler, answer):
    """No answer at all: the connection is reset (RST) as soon as the request is read."""
    handler.close_connection = True
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()


# Uneven chunk sizes, some of them written with upper-case hex digits, one with an extension.
CHUNK_SIZES = (1, 26, 7, 300, 2, 4096)


def deliver_chunked(handler, answer):
    """Transfer-Encoding: chunked, in the uneven pieces of CHUNK_SIZES."""
    start_answer(handler, answer, [("Transfer-Encoding", "chunked")])
    body, at, index = answer.body, 0, 0
    while at < len(body):
        piece = body[at:at + CHUNK_SIZES[index % len(CHUNK_SIZES)]]
        size = ("%X" if index % 2 else "%x") % len(piece)
        extension = ";stand-in=ignored" if index == 2 else ""
        handler.wfile.write(f"{size}{extension}\r\n".encode() + piece + b"\r\n")
        at, index = at + len(piece), index + 1
    handler.wfile.write(b"0\r\n\r\n")


def deliver_close_delimited(handler, answer):
    """No Content-Length, no chunking: the body ends where the connection does."""
    start_answer(handler, answer, [("Connection", "close")])
    handler.wfile.write(answer.body)
    handler.close_connection = True
    close_gracefully(handler.connection)


DELIVERIES = {
    "whole": deliver_whole,
    "slow": deliver_slow,
    "truncated": deliver_truncated,
    "reset": deliver_reset,
    "chunked": deliver_chunked,
    "close_delimited": deliver_close_delimited,
}


def close_gracefully(sock):
    """Ends a connection with TLS close_notify first, so the client sees a clean end of stream
    (and a body cut short is the HTTP layer's to notice, not TLS's)."""
    if sock.fileno() == -1:
        return
    if isinstance(sock, ssl.SSLSocket):
        try:
            sock.settimeout(0.5)
            sock.unwrap()
        except (OSError, ValueError):
            pass
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


# ---- Fault modes --------------------------------------------------------------------------------
# Each takes the document a correct answer would carry and returns the broken answer.

def padded(document, size):
    """document with a padding field that makes its encoding exactly size bytes, or None."""
    bare = len(encode_json(dict(document, stand_in_padding="")))
    if size < bare:
        return None
    return dict(document, stand_in_padding="x" * (size - bare))


def fault_oversized(document):
    return json_answer(200, padded(document, OVERSIZED_BYTES))


def fault_html500(document):
    page = (b"<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n"
            b"<body><h1>Internal Server Error</h1><p>Something went wrong.</p></body></html>\n")
    return Answer(500, page, content_type="text/html; charset=utf-8")


def fault_malformed(document):
    text = encode_json(document).rstrip()[:-1].rstrip()
    return Answer(200, text + b",\n")                 # an object that never closes


def fault_duplicate_keys(document):
    name = "stripe_user_id" if "stripe_user_id" in document else "id"
    text = encode_json(document).decode().rstrip()[:-1].rstrip()
    return Answer(200, (text + f',\n  "{name}": "acct_1DuplicateKey"\n}}\n').encode())


def escape_every_character(text):
    """A JSON string with every character written as \\uXXXX (UTF-16 units, hex digits in
    lower and upper case by turns) and every '/' as \\/."""
    units = text.encode("utf-16-be")
    escaped = []
    for at in range(0, len(units), 2):
        unit = units[at] << 8 | units[at + 1]
        escaped.append("\\/" if unit == 0x2F else ("\\u%04X" if at % 4 else "\\u%04x") % unit)
    return '"' + "".join(escaped) + '"'


def encode_escaped(value):
    if isinstance(value, str):
        return escape_every_character(value)
    if isinstance(value, dict):
        return "{" + ", ".join(escape_every_character(key) + ": " + encode_escaped(item)
                               for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(encode_escaped(item) for item in value) + "]"
    return json.dumps(value)


def fault_escaped(document):
    return Answer(200, (encode_escaped(document) + "\n").encode())


FAULTS = {
    "fault_slow": lambda document: replace(json_answer(200, document), delivery="slow"),
    "fault_truncated": lambda document: replace(json_answer(200, document), delivery="truncated"),
    "fault_reset": lambda document: replace(json_answer(200, document), delivery="reset"),
    "fault_oversized": fault_oversized,
    "fault_chunked": lambda document: replace(json_answer(200, document), delivery="chunked"),
    "fault_close_delimited": lambda document: replace(json_answer(200, document),
                                                      delivery="close_delimited"),
    "fault_html500": fault_html500,
    "fault_malformed": fault_malformed,
    "fault_duplicate_keys": fault_duplicate_keys,
    "fault_escaped": fault_escaped,
}


def find_fault(value):
    """The fault a request value asks for: a name in FAULTS, or fault_size_<N> (a correct
    answer padded to exactly N bytes)."""
    if value in FAULTS:
        return FAULTS[value]
    match = re.fullmatch(r"fault_size_(\d{1,8})", value or "")
    if match:
        size = int(match.group(1))
        return lambda document: (json_answer(200, padded(document, size)) if padded(document, size)
                                 else oauth_error(400, "invalid_request", "fault_size_N: N too small"))
    return None


# ---- The state: grants, connections, idempotency ------------------------------------------------

@dataclass
class Connection:
    """An account connected to the platform through OAuth."""
    account: str
    scope: str
    refresh_token: str
    publishable_key: str
    access_tokens: list = field(default_factory=list)
    revoked: bool = False

    def token_document(self, access_token, scope):
        return {"access_token": access_token, "livemode": False, "refresh_token": self.refresh_token,
                "token_type": "bearer", "stripe_publishable_key": self.publishable_key,
                "stripe_user_id": self.account, "scope": scope}


@dataclass
class Grant:
    """An authorization code: usable once; its second use revokes what the first one gave."""
    scope: str
    account: str
    connection: Connection = None


@dataclass
class Caller:
    """Who a /v1 request acts as."""
    credential: str      # "platform" or "access_token"
    account: str         # the account acted for


class StandIn:
    def __init__(self, log_file):
        self.lock = threading.Lock()          # held while a request is dispatched
        self.log_lock = threading.Lock()
        self.log_file = log_file
        self.stopping = threading.Event()
        self.grants = {}                      # code -> Grant
        self.connections = {}                 # account -> Connection (active only)
        self.access_tokens = {}               # token -> Connection
        self.refresh_tokens = {}              # token -> Connection
        self.idempotent = {}                  # (account, key) -> (form, Answer)
        self.attempts = set()                 # (mode, key) seen by the *_once modes
        self.charges = {}                     # id -> (account, document)
        self.webhook_url = None               # webhooks (issue 8): where events go (None: nowhere)
        self.webhook_secret = DEFAULT_WEBHOOK_SECRET

    def connect(self, grant):
        connection = Connection(grant.account, grant.scope, random_id("rt_"), random_id("pk_test_"))
        grant.connection = connection
        self.connections[connection.account] = connection
        self.refresh_tokens[connection.refresh_token] = connection
        return connection

    def issue_access_token(self, connection):
        token = random_id("sk_test_")
        connection.access_tokens.append(token)
        self.access_tokens[token] = connection
        return token

    def revoke(self, connection):
        connection.revoked = True
        if self.connections.get(connection.account) is connection:
            del self.connections[connection.account]

    def identify(self, key):
        """("platform" | "access_token" | "revoked" | "invalid" | "none", account or None)."""
        if not key:
            return "none", None
        if secrets.compare_digest(key.encode(), SECRET_KEY.encode()):
            return "platform", None
        connection = self.access_tokens.get(key)
        if connection is None:
            return "invalid", None
        return ("revoked" if connection.revoked else "access_token"), connection.account

    def first_attempt(self, mode, key):
        """True the first time (mode, key) is seen; always True without a key."""
        if key is None:
            return True
        seen = (mode, key) in self.attempts
        self.attempts.add((mode, key))
        return not seen

    def log(self, entry):
        if self.log_file is None:
            return
        line = json.dumps(entry, sort_keys=True).replace(SECRET_KEY, redact(SECRET_KEY))
        with self.log_lock:
            self.log_file.write(line + "\n")
            self.log_file.flush()


# ---- Requests -----------------------------------------------------------------------------------

class BadRequest(Exception):
    pass


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: object        # http.client.HTTPMessage: case-insensitive get()
    form: dict
    body_bytes: int
    listener: str
    base_url: str          # scheme://localhost:port of the listener it came to
    caller: Caller = None

    def header(self, name):
        return self.headers.get(name)

    def presented_key(self):
        """(scheme, key) from the Authorization header: Bearer <key>, or Basic with the key as
        the user name; (None, None) without one."""
        scheme, _, value = (self.header("Authorization") or "").strip().partition(" ")
        if scheme.lower() == "bearer":
            return "Bearer", value.strip()
        if scheme.lower() == "basic":
            try:
                user = base64.b64decode(value.strip(), validate=True).decode().partition(":")[0]
            except (ValueError, UnicodeDecodeError):
                user = ""
            return "Basic", user
        return (scheme or None), None


def parse_pairs(text):
    pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, errors="replace")
    result = {}
    for key, value in pairs:
        result.setdefault(key, value)
    return result


def read_body(handler):
    if (handler.headers.get("Transfer-Encoding") or "").lower() == "chunked":
        return read_chunked_body(handler.rfile)
    length = handler.headers.get("Content-Length") or "0"
    if not length.isdigit() or int(length) > MAX_REQUEST_BODY:
        raise BadRequest("bad Content-Length")
    return handler.rfile.read(int(length))


def read_chunked_body(rfile):
    body = b""
    while True:
        size = int(rfile.readline(100).split(b";")[0].strip(), 16)    # ValueError: a 400
        if size == 0:
            while rfile.readline(1000).strip():
                pass                                  # trailer fields
            return body
        body += rfile.read(size)
        rfile.readline(10)
        if len(body) > MAX_REQUEST_BODY:
            raise BadRequest("body too large")


def read_request(handler):
    target = urllib.parse.urlsplit(handler.path)
    body = read_body(handler)
    form = {}
    if (handler.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
        form = parse_pairs(body.decode("utf-8", errors="replace"))
    server = handler.server
    return Request(handler.command, target.path, parse_pairs(target.query), handler.headers, form,
                   len(body), server.name, server.base_url)


# ---- OAuth: connect.stripe.com -----------------------------------------------------------------

def with_query(uri, pairs):
    query = urllib.parse.urlencode([(k, v) for k, v in pairs if v is not None],
                                   quote_via=urllib.parse.quote, safe="")
    return uri + ("&" if "?" in uri else "?") + query


def redirect(location):
    return Answer(302, location.encode(), content_type="text/plain; charset=utf-8",
                  headers=[("Location", location)])


def authorize(stand_in, request):
    """GET /oauth/authorize and /express/oauth/authorize: the user approves (or, with
    stand_in_decision=deny, declines) at once, and is sent back to redirect_uri."""
    query = request.query
    if not query.get("client_id"):
        return oauth_error(400, "invalid_request", "No client_id provided.")
    if query["client_id"] != CLIENT_ID:
        return oauth_error(400, "invalid_client", f"No such application: '{query['client_id']}'")
    target = query.get("redirect_uri", DEFAULT_REDIRECT_URI)
    if not re.match(r"https?://[^/?#]", target):
        return oauth_error(400, "invalid_redirect_uri", f"Invalid redirect URI '{target}'. Ensure "
                           "this uri exactly matches one of the uris specified in your application settings")
    state = query.get("state")
    scope = query.get("scope", "read_only")
    if query.get("response_type") != "code":
        return redirect(with_query(target, [("error", "unsupported_response_type"), ("error_description",
                        "Only 'code' response_type is supported"), ("state", state)]))
    if scope not in ("read_write", "read_only"):
        return redirect(with_query(target, [("error", "invalid_scope"), ("error_description",
                        f"Invalid scope: {scope}"), ("state", state)]))
    # ---- BEGIN web example (issue 7): a browser (Accept: text/html) gets a page to decide on ----
    if "stand_in_decision" not in query and "text/html" in (request.header("Accept") or ""):
        return authorize_page(request, scope)
    # ---- END web example ----
    if query.get("stand_in_decision") == "deny":
        return redirect(with_query(target, [("error", "access_denied"), ("error_description",
                        "The user denied your request"), ("state", state)]))
    code = random_id("ac_")
    stand_in.grants[code] = Grant(scope, random_id("acct_1", 15))
    return redirect(with_query(target, [("code", code), ("scope", scope), ("state", state)]))


# ---- BEGIN web example (issue 7): the authorize page a person can use ------------------------------
# A browser asking for /oauth/authorize gets this page instead of the immediate redirect: the
# platform's client id, the scope, and two buttons (ids approve and deny) that post the request's
# parameters to /oauth/authorize/decision, which redirects as the GET does with stand_in_decision.
# Clients that do not ask for text/html (the tools, http.client) keep the immediate 302.

AUTHORIZE_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Connect {client_id} \u00b7 Stripe stand-in</title>
<style>
  body {{ margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
         background: #f6f9fc; color: #30313d; font: 16px/1.5 -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }}
  main {{ width: min(30rem, calc(100vw - 2rem)); background: #fff; border-radius: 12px; padding: 2.5rem;
         box-shadow: 0 2px 5px rgba(60,66,87,.08), 0 15px 35px rgba(60,66,87,.1); }}
  .eyebrow {{ margin: 0 0 .5rem; color: #635bff; font-size: .8rem; font-weight: 600;
             letter-spacing: .06em; text-transform: uppercase; }}
  h1 {{ margin: 0 0 1rem; font-size: 1.5rem; line-height: 1.25; color: #1a1b25; }}
  code {{ font: .9em ui-monospace, Menlo, Consolas, monospace; background: #f1f3f7; border-radius: 4px;
          padding: .1em .35em; word-break: break-all; }}
  dl {{ display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 0 0 1.5rem; }}
  dt {{ color: #6a7383; }} dd {{ margin: 0; }}
  .buttons {{ display: flex; gap: .75rem; }}
  button {{ font: inherit; font-weight: 600; padding: .7rem 1.4rem; border-radius: 8px; border: 0; cursor: pointer; }}
  #approve {{ background: #635bff; color: #fff; }}
  #deny {{ background: #fff; color: #30313d; box-shadow: inset 0 0 0 1px #d5dbe1; }}
  .fine {{ color: #6a7383; font-size: .85rem; margin: 1.5rem 0 0; }}
</style>
</head>
<body>
<main>
<p class="eyebrow">Stripe stand-in \u00b7 local test double</p>
<h1>Connect your Stripe account to <span id="client-id">{client_id}</span></h1>
<dl>
<dt>Platform</dt><dd><code>{client_id}</code></dd>
<dt>Access</dt><dd><code id="scope">{scope}</code></dd>
<dt>Returns to</dt><dd><code>{redirect_uri}</code></dd>
</dl>
<form method="post" action="/oauth/authorize/decision">
{hidden}
<div class="buttons">
<button id="approve" type="submit" name="stand_in_decision" value="approve">Connect</button>
<button id="deny" type="submit" name="stand_in_decision" value="deny">Deny</button>
</div>
</form>
<p class="fine">Not Stripe: the stand-in in tests/integration/stand_in.py. Connect creates a new test
account; no sign-in is needed.</p>
</main>
</body>
</html>
"""


def authorize_page(request, scope):
    fields = "\n".join(f'<input type="hidden" name="{html.escape(key)}" value="{html.escape(value)}">'
                       for key, value in request.query.items())
    page = AUTHORIZE_PAGE.format(client_id=html.escape(request.query["client_id"]), scope=html.escape(scope),
                                 redirect_uri=html.escape(request.query.get("redirect_uri", DEFAULT_REDIRECT_URI)),
                                 hidden=fields)
    return Answer(200, page.encode(), content_type="text/html; charset=utf-8",
                  headers=[("Cache-Control", "no-store"), ("Referrer-Policy", "no-referrer")])


def authorize_decision(stand_in, request):
    """POST /oauth/authorize/decision from the page's buttons: the authorize request again, with
    stand_in_decision=approve or deny."""
    if request.form.get("stand_in_decision") not in ("approve", "deny"):
        return oauth_error(400, "invalid_request", "stand_in_decision must be approve or deny.")
    return authorize(stand_in, replace(request, query=dict(request.form)))
# ---- END web example ----------------------------------------------------------------------------


def check_platform_key(stand_in, request, allow_client_secret):
    """None when the request carries the platform's secret key (Authorization, or client_secret
    in the body where allowed) and no other key; else the OAuth error to answer."""
    _, key = request.presented_key()
    keys = [] if key is None else [key]
    if allow_client_secret and "client_secret" in request.form:
        keys.append(request.form["client_secret"])
    if not keys:
        return oauth_error(401, "invalid_request", "No API key provided. Set your API key in the "
                           "Authorization header (Bearer) or as client_secret.")
    for key in keys:
        if stand_in.identify(key)[0] != "platform":
            return oauth_error(401, "invalid_client", f"Invalid API Key provided: {mask_key(key)}")
    return None


def token(stand_in, request):
    """POST /oauth/token: authorization_code and refresh_token grants."""
    problem = check_platform_key(stand_in, request, allow_client_secret=True)
    if problem:
        return problem
    grant_type = request.form.get("grant_type")
    if grant_type == "authorization_code":
        return exchange_code(stand_in, request.form.get("code"))
    if grant_type == "refresh_token":
        return refresh(stand_in, request.form.get("refresh_token"), request.form.get("scope"))
    if grant_type is None:
        return oauth_error(400, "invalid_request", "No grant type specified")
    return oauth_error(400, "unsupported_grant_type", f"Unsupported grant type: {grant_type}")


def exchange_code(stand_in, code):
    if not code:
        return oauth_error(400, "invalid_request", "No authorization code provided")
    fault = find_fault(code)
    if fault:
        return fault(FAULT_TOKEN)
    grant = stand_in.grants.get(code)
    if grant is None:
        return oauth_error(400, "invalid_grant", f"Authorization code does not exist: {redact(code)}")
    if grant.connection is not None:
        stand_in.revoke(grant.connection)
        return oauth_error(400, "invalid_grant", "This authorization code has already been used. "
                           "All tokens issued with this code have been revoked.")
    connection = stand_in.connect(grant)
    return json_answer(200, connection.token_document(stand_in.issue_access_token(connection),
                                                      connection.scope))


def refresh(stand_in, refresh_token, scope):
    if not refresh_token:
        return oauth_error(400, "invalid_request", "No refresh token provided")
    fault = find_fault(refresh_token)
    if fault:
        return fault(FAULT_TOKEN)
    connection = stand_in.refresh_tokens.get(refresh_token)
    if connection is None or connection.revoked:
        return oauth_error(400, "invalid_grant", f"Invalid refresh token: {redact(refresh_token)}")
    scope = scope or connection.scope
    if scope not in ("read_only", "read_write"):
        return oauth_error(400, "invalid_scope", f"Invalid scope: {scope}")
    if scope == "read_write" and connection.scope == "read_only":
        return oauth_error(400, "invalid_scope", "The requested scope read_write is wider than "
                           "the read_only scope that was granted.")
    return json_answer(200, connection.token_document(stand_in.issue_access_token(connection), scope))


def deauthorize(stand_in, request):
    """POST /oauth/deauthorize: disconnects the account and revokes its tokens."""
    problem = check_platform_key(stand_in, request, allow_client_secret=False)
    if problem:
        return problem
    if request.form.get("client_id") != CLIENT_ID:
        return oauth_error(401, "invalid_client",
                           f"No such application: '{request.form.get('client_id', '')}'")
    account = request.form.get("stripe_user_id")
    if not account:
        return oauth_error(400, "invalid_request", "No stripe_user_id provided")
    fault = find_fault(account)
    if fault:
        return fault({"stripe_user_id": account})
    connection = stand_in.connections.get(account)
    if connection is None:
        return oauth_error(401, "invalid_client", f"This application is not connected to stripe "
                           f"account {account}, or that account does not exist.")
    stand_in.revoke(connection)
    answer = json_answer(200, {"stripe_user_id": account})
    answer.after = deauthorized_webhook(stand_in, account, answer.request_id)   # webhooks (issue 8)
    return answer


# ---- BEGIN webhooks (issue 8): the signed account.application.deauthorized event -----------------
# After a successful deauthorization, and only when a webhook URL is set, the event is POSTed from
# a thread of its own once the deauthorize answer is out, so that a receiver that serves one
# request at a time (and may itself be waiting for that answer) still gets it. One attempt with a
# 10 s timeout; the outcome goes to the log as
# {"event": "webhook", "url", "event_id", "type", "account", "status": 200 | null, "error": null | "..."}.

DEFAULT_WEBHOOK_SECRET = "whsec_test_standin"
WEBHOOK_TIMEOUT = 10
WEBHOOK_API_VERSION = "2024-06-20"
WEBHOOK_V0_SECRET = "whsec_stand_in_legacy_v0"   # Stripe adds a v0 entry in test mode: ignored
PLATFORM_NAME = "Stand-in Platform"


def stripe_signature_header(secret, payload, timestamp):
    """Stripe-Signature for payload (bytes): t=<timestamp>,v1=<hex HMAC-SHA256 of "<t>.<payload>">."""
    signed = str(timestamp).encode() + b"." + payload

    def mac(key):
        return hmac.new(key.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac(secret)},v0={mac(WEBHOOK_V0_SECRET)}"


def deauthorized_event(account, request_id):
    return {
        "id": random_id("evt_"), "object": "event", "account": account,
        "api_version": WEBHOOK_API_VERSION, "created": int(time.time()),
        "data": {"object": {"id": CLIENT_ID, "object": "application", "name": PLATFORM_NAME}},
        "livemode": False, "pending_webhooks": 1,
        "request": {"id": request_id, "idempotency_key": None},
        "type": "account.application.deauthorized",
    }


def deauthorized_webhook(stand_in, account, request_id):
    """What the deauthorize answer does once it is delivered: None when no URL is set, else
    starting the delivery (URL and secret as they are now)."""
    url, secret = stand_in.webhook_url, stand_in.webhook_secret
    if not url:
        return None
    event = deauthorized_event(account, request_id)
    return lambda: threading.Thread(target=send_webhook, args=(stand_in, url, secret, event),
                                    daemon=True).start()


def send_webhook(stand_in, url, secret, event):
    """POSTs the event to url, signed as Stripe signs; logs the outcome; never raises."""
    entry = {"event": "webhook", "url": url, "event_id": event["id"], "type": event["type"],
             "account": event["account"], "status": None, "error": None}
    try:
        payload = encode_json(event)
        target = urllib.parse.urlsplit(url)
        if target.scheme not in ("http", "https") or not target.hostname:
            raise ValueError("not an http:// or https:// URL")
        kind = http.client.HTTPConnection if target.scheme == "http" else http.client.HTTPSConnection
        connection = kind(target.hostname, target.port, timeout=WEBHOOK_TIMEOUT)
        try:
            connection.request("POST", (target.path or "/") + (f"?{target.query}" if target.query else ""),
                               body=payload, headers={
                                   "Content-Type": "application/json; charset=utf-8",
                                   "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                                   "Stripe-Signature": stripe_signature_header(secret, payload, int(time.time())),
                               })
            response = connection.getresponse()
            response.read()
            entry["status"] = response.status
        finally:
            connection.close()
    except Exception as problem:        # the receiver's trouble, never the stand-in's
        entry["error"] = f"{type(problem).__name__}: {problem}"
    entry["time"] = round(time.time(), 3)
    try:
        stand_in.log(entry)
    except (ValueError, OSError):
        pass                            # the stand-in stopped (its log closed) meanwhile


def set_webhook_url(stand_in, request):
    """POST /_stand_in/webhook_url url=<URL> [secret=<whsec_...>]: where the next events go (an
    empty url: nowhere) and, when given, the secret they are signed with."""
    if "url" not in request.form:
        return oauth_error(400, "invalid_request", "url is required (empty: no webhooks).")
    url = request.form["url"]
    if url and not re.match(r"https?://[^/?#]", url):
        return oauth_error(400, "invalid_request", f"Not an http:// or https:// URL: {url}")
    stand_in.webhook_url = url or None
    if request.form.get("secret"):
        stand_in.webhook_secret = request.form["secret"]
    return json_answer(200, {"webhook_url": stand_in.webhook_url})
# ---- END webhooks -------------------------------------------------------------------------------


# ---- The API: api.stripe.com/v1 ---------------------------------------------------------------

def authenticate_api(stand_in, request):
    """(Caller, None) for a valid key (and Stripe-Account), else (None, the error answer)."""
    _, key = request.presented_key()
    credential, account = stand_in.identify(key)
    if credential == "none":
        return None, api_error(401, "invalid_request_error", "You did not provide an API key. You "
                               "need to provide your API key in the Authorization header, using "
                               "Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').")
    if credential == "invalid":
        return None, api_error(401, "invalid_request_error", f"Invalid API Key provided: {mask_key(key)}")
    if credential == "revoked":
        return None, api_error(401, "invalid_request_error", f"Expired API Key provided: "
                               f"{mask_key(key)}. Application access may have been revoked.",
                               code="api_key_expired")
    stripe_account = request.header("Stripe-Account")
    acting = account or PLATFORM_ACCOUNT
    if stripe_account is not None:
        allowed = (stripe_account == account if credential == "access_token"
                   else stripe_account in stand_in.connections)
        if not allowed:
            return None, api_error(403, "invalid_request_error", f"The provided key "
                                   f"'{mask_key(key)}' does not have access to account "
                                   f"'{stripe_account}' (or that account does not exist). "
                                   "Application access may have been revoked.", code="account_invalid")
        acting = stripe_account
    return Caller(credential, acting), None


def can_see_account(stand_in, caller, account):
    if account == caller.account:
        return True
    return (caller.credential == "platform" and caller.account == PLATFORM_ACCOUNT
            and account in stand_in.connections)


def missing_param(name, message=None):
    return api_error(400, "invalid_request_error", message or f"Missing required param: {name}.",
                     code="parameter_missing", param=name)


def unavailable_once(stand_in, key):
    if not stand_in.first_attempt("flaky_503", key):
        return None
    return api_error(503, "api_error", "The server is temporarily unavailable. Please retry the "
                     "request.", headers=[("Stripe-Should-Retry", "true")])


def lock_timeout_once(stand_in, key):
    if not stand_in.first_attempt("lock_timeout_429", key):
        return None
    return api_error(429, "invalid_request_error", "This object cannot be accessed right now "
                     "because another API request or Stripe process is currently accessing it. "
                     "If you see this error intermittently, retry the request.", code="lock_timeout")


def conflict_always(stand_in, key):
    return api_error(409, "invalid_request_error", "There is currently another in-progress request "
                     "using this Stripe API key and idempotency key. Please try again later.",
                     headers=[("Stripe-Should-Retry", "false")], code="idempotency_key_in_use")


def reset_once(stand_in, key):
    if not stand_in.first_attempt("flaky_reset", key):
        return None
    return Answer(200, b"", delivery="reset")


# metadata[stand_in] values handled before the charge is made; None from one means "go on".
CHARGE_MODES = {
    "flaky_503": unavailable_once,
    "lock_timeout_429": lock_timeout_once,
    "conflict_409": conflict_always,
    "flaky_reset": reset_once,
}


def idempotent_replay(stand_in, request, key):
    """The saved answer for a key seen before with the same parameters (Idempotent-Replayed),
    an idempotency_error for a key reused with other parameters, or None for a new key."""
    if key is None:
        return None
    if len(key) > 255:
        return api_error(400, "invalid_request_error", "Idempotency keys can be at most 255 "
                         "characters long.", param="Idempotency-Key")
    saved = stand_in.idempotent.get((request.caller.account, key))
    if saved is None:
        return None
    form, answer = saved
    if form != request.form:
        return api_error(400, "idempotency_error", "Keys for idempotent requests can only be used "
                         "with the same parameters they were first used with. Try using a key "
                         f"other than '{key}' if you meant to execute a different request.")
    return replace(answer, request_id=random_id("req_", 14),
                   headers=answer.headers + [("Idempotent-Replayed", "true"),
                                             ("Original-Request", answer.request_id)])


def create_charge(stand_in, request):
    """POST /v1/charges: amount, currency, source (a test card token)."""
    key = request.header("Idempotency-Key")
    replayed = idempotent_replay(stand_in, request, key)
    if replayed:
        return replayed
    mode = request.form.get("metadata[stand_in]")
    early = CHARGE_MODES[mode](stand_in, key) if mode in CHARGE_MODES else None
    if early:
        return early
    answer = charge(stand_in, request.form, request.caller.account)
    # As Stripe: results are saved once the charge was attempted, not for invalid parameters.
    if key is not None and answer.status in (200, 402):
        stand_in.idempotent[(request.caller.account, key)] = (dict(request.form), answer)
    fault = find_fault(mode)
    if fault and answer.status == 200:
        return fault(json.loads(answer.body))
    return answer


def charge(stand_in, form, account):
    amount, currency, source = form.get("amount"), form.get("currency"), form.get("source")
    if amount is None:
        return missing_param("amount")
    if not re.fullmatch(r"[0-9]{1,12}", amount):
        return api_error(400, "invalid_request_error", f"Invalid integer: {amount}",
                         code="parameter_invalid_integer", param="amount")
    if int(amount) < 50:
        return api_error(400, "invalid_request_error", "Amount must be at least $0.50 usd",
                         code="amount_too_small", param="amount")
    if currency is None:
        return missing_param("currency")
    if not re.fullmatch(r"[a-z]{3}", currency):
        return api_error(400, "invalid_request_error", f"Invalid currency: {currency}.",
                         code="invalid_currency", param="currency")
    if source is None:
        return missing_param("source", "Must provide source or customer.")
    card = CARDS.get(source)
    if card is None:
        return api_error(400, "invalid_request_error", f"No such token: '{source}'",
                         code="resource_missing", param="source")
    document = charge_document(form, int(amount), currency, card)
    stand_in.charges[document["id"]] = (account, document)
    if "decline_code" in card:
        return api_error(402, "card_error", card["message"], code="card_declined",
                         decline_code=card["decline_code"], charge=document["id"])
    return json_answer(200, document)


def charge_document(form, amount, currency, card):
    declined = "decline_code" in card
    metadata = {key[len("metadata["):-1]: value for key, value in form.items()
                if key.startswith("metadata[") and key.endswith("]")}
    return {
        "id": random_id("ch_"), "object": "charge", "amount": amount,
        "amount_captured": 0 if declined else amount, "amount_refunded": 0,
        "balance_transaction": None if declined else random_id("txn_"),
        "captured": not declined, "created": int(time.time()), "currency": currency,
        "description": form.get("description"),
        "failure_code": "card_declined" if declined else None,
        "failure_message": card.get("message"), "livemode": False, "metadata": metadata,
        "outcome": {"network_status": "declined_by_network" if declined else "approved_by_network",
                    "reason": card.get("decline_code"), "risk_level": "normal",
                    "seller_message": "The bank did not return any further details with this decline."
                    if declined else "Payment complete.",
                    "type": "issuer_declined" if declined else "authorized"},
        "paid": not declined, "refunded": False,
        "source": {"id": random_id("card_"), "object": "card", "brand": card["brand"],
                   "exp_month": 12, "exp_year": time.gmtime().tm_year + 3, "last4": card["last4"]},
        "status": "failed" if declined else "succeeded",
    }


def retrieve_charge(stand_in, request, charge_id):
    """GET /v1/charges/{id}: a charge the caller's account made."""
    account, document = stand_in.charges.get(charge_id, (None, None))
    if account != request.caller.account:
        return api_error(404, "invalid_request_error", f"No such charge: '{charge_id}'",
                         code="resource_missing", param="id")
    return json_answer(200, document)


def retrieve_account(stand_in, request, account):
    """GET /v1/accounts/{id}: a connected account (or the platform's own)."""
    if not can_see_account(stand_in, request.caller, account):
        return api_error(404, "invalid_request_error", f"No such account: '{account}'",
                         code="resource_missing", param="account")
    return json_answer(200, {
        "id": account, "object": "account",
        "business_profile": {"name": "Stand-in Shop", "url": "https://shop.example"},
        "capabilities": {"card_payments": "active", "transfers": "active"},
        "charges_enabled": True, "country": "US", "created": 1700000000, "default_currency": "usd",
        "details_submitted": True, "email": "owner@shop.example", "metadata": {},
        "payouts_enabled": True,
        "settings": {"dashboard": {"display_name": "Stand-in Shop", "timezone": "Etc/UTC"}},
        "type": "standard",
    })


def create_account_link(stand_in, request):
    """POST /v1/account_links: account, refresh_url, return_url, type."""
    form = request.form
    for name in ("account", "refresh_url", "return_url", "type"):
        if not form.get(name):
            return missing_param(name)
    if not can_see_account(stand_in, request.caller, form["account"]):
        return api_error(404, "invalid_request_error", f"No such account: '{form['account']}'",
                         code="resource_missing", param="account")
    for name in ("refresh_url", "return_url"):
        if not re.match(r"https?://[^/?#]", form[name]):
            return api_error(400, "invalid_request_error", f"Not a valid URL: {form[name]}",
                             code="url_invalid", param=name)
    if form["type"] not in ("account_onboarding", "account_update"):
        return api_error(400, "invalid_request_error", f"Invalid type: must be one of "
                         "account_onboarding or account_update", code="parameter_invalid_string",
                         param="type")
    created = int(time.time())
    return json_answer(200, {"object": "account_link", "created": created,
                             "expires_at": created + 300,
                             "url": f"{request.base_url}/setup/s/{random_id('', 32)}"})


def not_found(request):
    return api_error(404, "invalid_request_error", f"Unrecognized request URL ({request.method}: "
                     f"{request.path}). Please see https://stripe.com/docs or we can help at "
                     "https://support.stripe.com/.")


# method, path (a regular expression; its groups are passed on), endpoint, needs an API key
ROUTES = (
    ("GET", r"/oauth/authorize", authorize, False),
    ("GET", r"/express/oauth/authorize", authorize, False),
    ("POST", r"/oauth/authorize/decision", authorize_decision, False),   # web example (issue 7)
    ("POST", r"/oauth/token", token, False),
    ("POST", r"/oauth/deauthorize", deauthorize, False),
    ("POST", r"/_stand_in/webhook_url", set_webhook_url, False),          # webhooks (issue 8)
    ("POST", r"/v1/charges", create_charge, True),
    ("GET", r"/v1/charges/([^/]+)", retrieve_charge, True),
    ("GET", r"/v1/accounts/([^/]+)", retrieve_account, True),
    ("POST", r"/v1/account_links", create_account_link, True),
)


def dispatch(stand_in, request):
    for method, pattern, endpoint, needs_api_key in ROUTES:
        match = re.fullmatch(pattern, request.path)
        if match is None or method != request.method:
            continue
        if needs_api_key:
            request.caller, problem = authenticate_api(stand_in, request)
            if problem:
                return problem
        return endpoint(stand_in, request, *map(urllib.parse.unquote, match.groups()))
    return not_found(request)


# ---- The log ------------------------------------------------------------------------------------

def logged_headers(request):
    headers = {}
    for name, value in request.headers.items():
        name = name.lower()
        if name == "authorization":
            scheme, key = request.presented_key()
            value = f"{scheme} {redact(key)}" if key is not None else (scheme or "")
        if name in headers:
            previous = headers[name]
            headers[name] = (previous if isinstance(previous, list) else [previous]) + [value]
        else:
            headers[name] = value
    return headers


def logged_fields(fields):
    return {key: redact(value) if key in SECRET_FIELDS else value for key, value in fields.items()}


def log_request(stand_in, request, answer, credential):
    stand_in.log({
        "event": "request", "time": round(time.time(), 3), "listener": request.listener,
        "method": request.method, "path": request.path, "query": logged_fields(request.query),
        "headers": logged_headers(request), "form": logged_fields(request.form),
        "body_bytes": request.body_bytes, "credential": credential[0], "account": credential[1],
        "status": None if answer.delivery == "reset" else answer.status,
        "delivery": answer.delivery, "request_id": answer.request_id,
    })


# ---- The HTTP servers ---------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"      # keep-alive, as Stripe does
    timeout = IDLE_SECONDS
    # Headers and body go out in two sends; with Nagle on, the second waits for the client's
    # delayed ACK (~40 ms a keep-alive answer), which is nothing like Stripe's timing.
    disable_nagle_algorithm = True

    def version_string(self):
        return "nginx"                  # what Stripe's Server header says

    def answer(self):
        stand_in = self.server.stand_in
        try:
            request = read_request(self)
        except (BadRequest, ValueError) as problem:
            self.close_connection = True
            deliver_whole(self, api_error(400, "invalid_request_error", f"Bad request: {problem}"))
            return
        with stand_in.lock:
            credential = stand_in.identify(request.presented_key()[1])
            answer = dispatch(stand_in, request)
        log_request(stand_in, request, answer, credential)
        try:
            DELIVERIES[answer.delivery](self, answer)
        finally:
            if answer.after is not None:        # webhooks (issue 8): the event follows the answer
                answer.after()

    do_GET = do_POST = do_DELETE = answer

    def log_message(self, format, *args):
        pass                            # the JSON log says what happened


class Listener(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, name, stand_in, tls_context):
        self.name = name
        self.stand_in = stand_in
        self.tls_context = tls_context
        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def port(self):
        return self.server_address[1]

    @property
    def base_url(self):
        return f"{'https' if self.tls_context else 'http'}://localhost:{self.port}"

    def finish_request(self, sock, address):
        """Runs in the connection's own thread, so a slow or failing handshake holds up no one."""
        self.stand_in.log({"event": "connection", "time": round(time.time(), 3), "listener": self.name})
        if self.tls_context is None:
            super().finish_request(sock, address)
            return
        sock.settimeout(HANDSHAKE_SECONDS)
        try:
            tls = self.tls_context.wrap_socket(sock, server_side=True)
        except (ssl.SSLError, OSError) as problem:
            self.stand_in.log({"event": "tls_handshake_failed", "time": round(time.time(), 3),
                               "listener": self.name, "error": str(problem)})
            return
        try:
            super().finish_request(tls, address)
        finally:
            close_gracefully(tls)

    def handle_error(self, request, address):
        # Clients that hang up mid-answer are what the fault tests are about.
        if isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            return
        super().handle_error(request, address)


def tls_context(cert_dir, name):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(os.path.join(cert_dir, name + ".pem"), os.path.join(cert_dir, name + ".key"))
    return context


def write_state_file(path, state):
    temporary = path + ".tmp"
    with open(temporary, "w") as file:
        json.dump(state, file)
    os.replace(temporary, path)         # readers never see half a file


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cert-dir", required=True, help="made by make_certs.sh")
    parser.add_argument("--state-file", required=True, help="receives the ports once listening")
    parser.add_argument("--log", help="one JSON line per request, appended")
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="stop when the process that started it ends (tests use it, so that "
                             "a killed test run leaves nothing behind)")
    parser.add_argument("--webhook-url", help="webhooks (issue 8): POST a signed "
                        "account.application.deauthorized event here after each deauthorization")
    parser.add_argument("--webhook-secret", default=DEFAULT_WEBHOOK_SECRET,
                        help="webhooks (issue 8): the secret the events are signed with")
    args = parser.parse_args()

    log_file = open(args.log, "a", encoding="utf-8") if args.log else None
    stand_in = StandIn(log_file)
    stand_in.webhook_url, stand_in.webhook_secret = args.webhook_url, args.webhook_secret  # issue 8
    listeners = {
        "port": Listener("good", stand_in, tls_context(args.cert_dir, "server")),
        "wrong_host_port": Listener("wrong_host", stand_in, tls_context(args.cert_dir, "wrong_host")),
        "expired_port": Listener("expired", stand_in, tls_context(args.cert_dir, "expired")),
        "http_port": Listener("http", stand_in, None),
    }
    for listener in listeners.values():
        threading.Thread(target=listener.serve_forever, kwargs={"poll_interval": 0.1},
                         daemon=True).start()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    state = {"pid": os.getpid()}
    state.update({key: listener.port for key, listener in listeners.items()})
    write_state_file(args.state_file, state)

    parent = os.getppid()
    while not stop.wait(0.5):
        if args.exit_with_parent and os.getppid() != parent:
            break
    stand_in.stopping.set()
    for listener in listeners.values():
        listener.shutdown()
        listener.server_close()
    try:
        os.unlink(args.state_file)
    except FileNotFoundError:
        pass
    if log_file:
        log_file.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
