#!/usr/bin/env python3
"""The stand-in's own tests: what it answers, byte for byte where it matters, checked with
Python's http.client and ssl against the test CA. test_tool.py runs these first (a stand-in
that misbehaves would make every tool case meaningless); alone:

    python3 tests/integration/test_stand_in.py

prints one line per case and ends with `stand-in: N passed, N failed`.
"""

import base64
import http.client
import json
import re
import socket
import ssl
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (BUILD, CLIENT_ID, SECRET_KEY, Cases, StandIn, check, make_certs,  # noqa: E402
                     one_run_at_a_time)
from stand_in import FAULT_TOKEN  # noqa: E402

BEARER = {"Authorization": "Bearer " + SECRET_KEY}
TOKEN_FIELDS = {"access_token", "livemode", "refresh_token", "token_type",
                "stripe_publishable_key", "stripe_user_id", "scope"}


def json_of(status, body, expected_status):
    check(status == expected_status, f"expected HTTP {expected_status}, got {status}: {body[:400]!r}")
    return json.loads(body)


def exchange(stand_in, code, headers=BEARER, extra=()):
    return stand_in.request("POST", "/oauth/token",
                            [("grant_type", "authorization_code"), ("code", code)] + list(extra), headers)


def refresh(stand_in, refresh_token, scope=None):
    form = [("grant_type", "refresh_token"), ("refresh_token", refresh_token)]
    return stand_in.request("POST", "/oauth/token", form + ([("scope", scope)] if scope else []), BEARER)


def deauthorize(stand_in, account, client_id=CLIENT_ID, headers=BEARER):
    return stand_in.request("POST", "/oauth/deauthorize",
                            {"client_id": client_id, "stripe_user_id": account}, headers)


def oauth_error_of(answer, status, code):
    document = json_of(*answer[::2], status)
    check(document.get("error") == code and isinstance(document.get("error_description"), str),
          f"expected error {code!r} with a description, got {document}")
    return document


def api_error_of(answer, status, error_type, code=None):
    document = json_of(*answer[::2], status)
    error = document.get("error")
    check(isinstance(error, dict) and error.get("type") == error_type and error.get("code") == code
          and isinstance(error.get("message"), str),
          f"expected an error object of type {error_type!r}, code {code!r}; got {document}")
    return error


def charge(stand_in, source="tok_visa", key=None, mode=None, headers=None, **extra):
    form = {"amount": "400", "currency": "usd", "source": source, **extra}
    if mode:
        form["metadata[stand_in]"] = mode
    headers = dict(BEARER if headers is None else headers)
    if key:
        headers["Idempotency-Key"] = key
    return stand_in.request("POST", "/v1/charges", form, headers)


# ---- Listeners and TLS --------------------------------------------------------------------------

def test_state_file(stand_in):
    state = stand_in.state
    ports = [state[key] for key in ("port", "wrong_host_port", "expired_port", "http_port")]
    check(state["pid"] == stand_in.process.pid, f"pid {state['pid']}, the child is {stand_in.process.pid}")
    check(len(set(ports)) == 4 and all(isinstance(p, int) and p > 0 for p in ports), f"ports {ports}")


def expect_tls_refusal(stand_in, key, ca_file, reason):
    mark = stand_in.log_mark()
    try:
        stand_in.request("GET", "/v1/accounts/acct_x", key=key, connection=stand_in.connection(key, ca_file))
    except ssl.SSLCertVerificationError as problem:
        check(reason in str(problem), f"refused, but for another reason: {problem}")
    else:
        raise AssertionError(f"the {key} listener was accepted with {ca_file}")
    time.sleep(0.2)
    events = stand_in.events_since(mark)
    check([e["event"] for e in events] == ["connection", "tls_handshake_failed"],
          f"expected a connection and a failed handshake in the log, got {events}")


def test_tls_listeners(stand_in):
    status, headers, _ = stand_in.request("GET", "/v1/accounts/acct_x")
    check(status == 401, f"good listener: {status}")
    status, _, _ = stand_in.request("GET", "/v1/accounts/acct_x", key="http_port")
    check(status == 401, f"http listener: {status}")
    expect_tls_refusal(stand_in, "wrong_host_port", stand_in.ca_file, "Hostname mismatch")
    expect_tls_refusal(stand_in, "expired_port", stand_in.ca_file, "certificate has expired")
    expect_tls_refusal(stand_in, "port", str(stand_in.cert_dir / "other_ca.pem"),
                       "unable to get local issuer certificate")


def test_keep_alive(stand_in):
    connection = stand_in.connection()
    try:
        first = stand_in.request("GET", "/v1/accounts/acct_x", connection=connection)
        sock = connection.sock
        second = stand_in.request("GET", "/v1/accounts/acct_y", connection=connection)
        check(first[0] == second[0] == 401, f"statuses {first[0]}, {second[0]}")
        check(connection.sock is sock and sock is not None, "the second request needed a new connection")
    finally:
        connection.close()


# ---- Authorize ----------------------------------------------------------------------------------

def test_authorize_redirects_with_code(stand_in):
    status, headers, body = stand_in.request(
        "GET", "/oauth/authorize?response_type=code&client_id=ca_test_standin&scope=read_write"
               "&redirect_uri=https%3A%2F%2Fplatform.example%2Fcb%3Fx%3D1&state=s%20t")
    check(status == 302, f"status {status}")
    location = headers["Location"]
    check(re.fullmatch(r"https://platform\.example/cb\?x=1&code=ac_[A-Za-z0-9]{24}&scope=read_write"
                       r"&state=s%20t", location), f"Location {location}")
    check(body.decode() == location, f"the body is not the Location: {body!r}")
    check(headers["Content-Type"].startswith("text/plain"), headers["Content-Type"])
    check(re.fullmatch(r"req_[A-Za-z0-9]{14}", headers.get("Request-Id") or ""), "no Request-Id")


def test_authorize_defaults_and_express(stand_in):
    status, headers, _ = stand_in.request(
        "GET", "/express/oauth/authorize?response_type=code&client_id=ca_test_standin")
    check(status == 302, f"status {status}")
    check(re.fullmatch(r"http://localhost/callback\?code=ac_\w+&scope=read_only", headers["Location"]),
          headers["Location"])


def test_authorize_deny(stand_in):
    location, query = stand_in.authorize(state="xyz", extra=[("stand_in_decision", "deny")])
    check(query == {"error": "access_denied", "error_description": "The user denied your request",
                    "state": "xyz"}, f"Location {location}")


def test_authorize_refusals(stand_in):
    _, query = stand_in.authorize(scope="everything")
    check(query.get("error") == "invalid_scope" and "code" not in query, f"{query}")
    status, headers, _ = stand_in.request(
        "GET", "/oauth/authorize?response_type=token&client_id=ca_test_standin&state=q")
    check(status == 302 and "error=unsupported_response_type" in headers["Location"], headers["Location"])
    oauth_error_of(stand_in.request("GET", "/oauth/authorize?response_type=code&client_id=ca_other"),
                   400, "invalid_client")
    oauth_error_of(stand_in.request("GET", "/oauth/authorize?response_type=code"), 400, "invalid_request")
    oauth_error_of(stand_in.request("GET", "/oauth/authorize?response_type=code&client_id=ca_test_standin"
                                           "&redirect_uri=ftp%3A%2F%2Fx"), 400, "invalid_redirect_uri")


# ---- Token, refresh, deauthorize ----------------------------------------------------------------

def test_exchange_gives_stripe_shaped_token(stand_in):
    _, query = stand_in.authorize(scope="read_write")
    status, headers, body = exchange(stand_in, query["code"])
    token = json_of(status, body, 200)
    check(set(token) == TOKEN_FIELDS, f"fields {sorted(token)}")
    check(token["livemode"] is False and token["token_type"] == "bearer" and token["scope"] == "read_write"
          and token["access_token"].startswith("sk_test_") and token["refresh_token"].startswith("rt_")
          and token["stripe_publishable_key"].startswith("pk_test_")
          and token["stripe_user_id"].startswith("acct_"), f"token {token}")
    check(headers["Content-Type"] == "application/json", headers["Content-Type"])


def test_exchange_accepts_basic_and_client_secret(stand_in):
    _, query = stand_in.authorize()
    basic = {"Authorization": "Basic " + base64.b64encode((SECRET_KEY + ":").encode()).decode()}
    json_of(*exchange(stand_in, query["code"], basic)[::2], 200)
    _, query = stand_in.authorize()
    json_of(*exchange(stand_in, query["code"], {}, [("client_secret", SECRET_KEY)])[::2], 200)


def test_code_reuse_revokes(stand_in):
    _, query = stand_in.authorize()
    token = json_of(*exchange(stand_in, query["code"])[::2], 200)
    document = oauth_error_of(exchange(stand_in, query["code"]), 400, "invalid_grant")
    check("revoked" in document["error_description"], document)
    oauth_error_of(refresh(stand_in, token["refresh_token"]), 400, "invalid_grant")
    api_error_of(stand_in.request("GET", "/v1/accounts/" + token["stripe_user_id"],
                                  headers={"Authorization": "Bearer " + token["access_token"]}),
                 401, "invalid_request_error", "api_key_expired")


def test_token_refusals(stand_in):
    _, query = stand_in.authorize()
    oauth_error_of(exchange(stand_in, "ac_NoSuchCode"), 400, "invalid_grant")
    status, _, body = exchange(stand_in, query["code"], {"Authorization": "Bearer sk_test_WrongKey99"})
    document = oauth_error_of((status, None, body), 401, "invalid_client")
    check("WrongKey99" not in body.decode(), f"the wrong key was echoed: {document}")
    oauth_error_of(exchange(stand_in, query["code"], {}), 401, "invalid_request")
    oauth_error_of(stand_in.request("POST", "/oauth/token", {"grant_type": "password"}, BEARER),
                   400, "unsupported_grant_type")
    oauth_error_of(stand_in.request("POST", "/oauth/token", {"code": "x"}, BEARER), 400, "invalid_request")
    # the code was never used by the refused attempts
    json_of(*exchange(stand_in, query["code"])[::2], 200)


def test_refresh(stand_in):
    token = stand_in.connect_account("read_write")
    fresh = json_of(*refresh(stand_in, token["refresh_token"])[::2], 200)
    check(fresh["access_token"] != token["access_token"] and fresh["refresh_token"] == token["refresh_token"]
          and fresh["stripe_user_id"] == token["stripe_user_id"] and fresh["scope"] == "read_write", fresh)
    narrower = json_of(*refresh(stand_in, token["refresh_token"], "read_only")[::2], 200)
    check(narrower["scope"] == "read_only", narrower)
    oauth_error_of(refresh(stand_in, token["refresh_token"], "admin"), 400, "invalid_scope")
    read_only = stand_in.connect_account("read_only")
    oauth_error_of(refresh(stand_in, read_only["refresh_token"], "read_write"), 400, "invalid_scope")
    oauth_error_of(refresh(stand_in, "rt_NoSuchToken"), 400, "invalid_grant")


def test_deauthorize(stand_in):
    token = stand_in.connect_account()
    account = token["stripe_user_id"]
    oauth_error_of(deauthorize(stand_in, account, client_id="ca_other"), 401, "invalid_client")
    oauth_error_of(stand_in.request("POST", "/oauth/deauthorize",
                                    {"client_id": CLIENT_ID, "stripe_user_id": account,
                                     "client_secret": SECRET_KEY}), 401, "invalid_request")
    check(json_of(*deauthorize(stand_in, account)[::2], 200) == {"stripe_user_id": account}, "answer")
    oauth_error_of(deauthorize(stand_in, account), 401, "invalid_client")
    api_error_of(stand_in.request("GET", "/v1/accounts/" + account,
                                  headers={"Authorization": "Bearer " + token["access_token"]}),
                 401, "invalid_request_error", "api_key_expired")


# ---- Fault modes --------------------------------------------------------------------------------

def raw_exchange(stand_in, code, timeout=10):
    """The raw bytes of the answer to an exchange of code: everything until the server closes
    the connection (the request asks for that) or timeout passes."""
    context = ssl.create_default_context(cafile=stand_in.ca_file)
    body = f"grant_type=authorization_code&code={code}".encode()
    request = (f"POST /oauth/token HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {SECRET_KEY}\r\n"
               "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    with socket.create_connection(("localhost", stand_in.port), timeout=timeout) as plain:
        with context.wrap_socket(plain, server_hostname="localhost") as tls:
            tls.sendall(request)
            received = b""
            while True:
                try:
                    piece = tls.recv(65536)
                except (ssl.SSLError, ConnectionError):
                    return received, "reset"
                if not piece:
                    return received, "closed"
                received += piece


def split_answer(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def test_fault_slow(stand_in):
    started = time.monotonic()
    try:
        connection = stand_in.connection()
        connection.timeout = 1
        stand_in.request("POST", "/oauth/token", {"grant_type": "authorization_code", "code": "fault_slow"},
                         BEARER, connection=connection)
    except TimeoutError:
        pass
    else:
        raise AssertionError("fault_slow answered within 1 s")
    check(time.monotonic() - started < 2, "the 1 s timeout took too long")
    started = time.monotonic()
    token = json_of(*exchange(stand_in, "fault_slow")[::2], 200)
    elapsed = time.monotonic() - started
    check(2.9 <= elapsed < 5 and token == FAULT_TOKEN, f"answered after {elapsed:.1f} s: {token}")


def test_fault_truncated(stand_in):
    raw, end = raw_exchange(stand_in, "fault_truncated")
    status, headers, body = split_answer(raw)
    check(status == 200 and end == "closed", f"{status}, connection {end}")
    check(0 < len(body) < int(headers["content-length"]),
          f"{len(body)} bytes sent, Content-Length {headers['content-length']}")
    try:
        exchange(stand_in, "fault_truncated")
    except http.client.IncompleteRead:
        return
    raise AssertionError("http.client read a whole answer")


def test_fault_reset(stand_in):
    raw, end = raw_exchange(stand_in, "fault_reset")
    check(raw == b"", f"bytes arrived: {raw[:200]!r}")
    try:
        exchange(stand_in, "fault_reset")
    except ConnectionError:
        return
    raise AssertionError("an answer arrived")


def test_fault_oversized(stand_in):
    status, _, body = exchange(stand_in, "fault_oversized")
    check(status == 200 and len(body) == 300 * 1024, f"{status}, {len(body)} bytes")
    document = json.loads(body)
    check({k: v for k, v in document.items() if k != "stand_in_padding"} == FAULT_TOKEN, "content")
    status, _, body = exchange(stand_in, "fault_size_4097")
    check(status == 200 and len(body) == 4097, f"fault_size_4097: {len(body)} bytes")


def test_fault_chunked(stand_in):
    raw, _ = raw_exchange(stand_in, "fault_chunked")
    status, headers, body = split_answer(raw)
    check(headers.get("transfer-encoding") == "chunked" and "content-length" not in headers, headers)
    check(b";stand-in=ignored\r\n" in body and b"\r\n1A\r\n" in body and body.endswith(b"\r\n0\r\n\r\n"),
          f"chunks: {body[:120]!r}")
    check(json_of(*exchange(stand_in, "fault_chunked")[::2], 200) == FAULT_TOKEN, "decoded")


def test_fault_close_delimited(stand_in):
    raw, end = raw_exchange(stand_in, "fault_close_delimited")
    status, headers, body = split_answer(raw)
    check(end == "closed" and "content-length" not in headers and "transfer-encoding" not in headers
          and headers.get("connection") == "close", f"{end}, {headers}")
    check(json.loads(body) == FAULT_TOKEN, "body")
    check(json_of(*exchange(stand_in, "fault_close_delimited")[::2], 200) == FAULT_TOKEN, "decoded")


def test_fault_bodies(stand_in):
    status, headers, body = exchange(stand_in, "fault_html500")
    check(status == 500 and headers["Content-Type"].startswith("text/html") and b"<html>" in body, "html500")
    status, _, body = exchange(stand_in, "fault_malformed")
    check(status == 200, f"malformed: {status}")
    try:
        json.loads(body)
    except ValueError:
        pass
    else:
        raise AssertionError(f"fault_malformed is valid JSON: {body!r}")
    status, _, body = exchange(stand_in, "fault_duplicate_keys")
    pairs = json.loads(body, object_pairs_hook=lambda pairs: pairs)
    check(status == 200 and [k for k, _ in pairs].count("stripe_user_id") == 2, f"duplicate: {body!r}")


def test_fault_escaped(stand_in):
    status, _, body = exchange(stand_in, "fault_escaped")
    check(status == 200 and b'"access_token"' not in body and b"sk_test" not in body
          and body.count(b"\\u") > 100, f"not escaped: {body[:200]!r}")
    check(json.loads(body) == FAULT_TOKEN, "escaped token decodes to another value")
    status, _, body = deauthorize(stand_in, "fault_escaped")
    check(json.loads(body) == {"stripe_user_id": "fault_escaped"}, f"deauthorize: {body!r}")
    status, _, body = charge(stand_in, mode="fault_escaped", description="a/b")
    check(status == 200 and b"\\/" in body and json.loads(body)["description"] == "a/b",
          f"charge: {body[:200]!r}")


def test_faults_on_refresh_and_deauthorize(stand_in):
    check(json_of(*refresh(stand_in, "fault_chunked")[::2], 200) == FAULT_TOKEN, "refresh fault_chunked")
    status, _, _ = refresh(stand_in, "fault_html500")
    check(status == 500, f"refresh fault_html500: {status}")
    check(json_of(*deauthorize(stand_in, "fault_chunked")[::2], 200) == {"stripe_user_id": "fault_chunked"},
          "deauthorize fault_chunked")
    status, _, body = deauthorize(stand_in, "fault_duplicate_keys")
    check(body.count(b'"stripe_user_id"') == 2, f"deauthorize fault_duplicate_keys: {body!r}")


# ---- The API ------------------------------------------------------------------------------------

def test_charge_succeeds(stand_in):
    document = json_of(*charge(stand_in, key="k-ok-1", description="Order 7")[::2], 200)
    check(document["object"] == "charge" and document["amount"] == 400 and document["currency"] == "usd"
          and document["status"] == "succeeded" and document["paid"] is True
          and re.fullmatch(r"ch_\w+", document["id"]) and document["description"] == "Order 7", document)
    status, headers, body = charge(stand_in, key="k-ok-1", description="Order 7")
    check(status == 200 and json.loads(body)["id"] == document["id"]
          and headers.get("Idempotent-Replayed") == "true", "the same key did not replay")
    api_error_of(charge(stand_in, key="k-ok-1", description="Order 8"), 400, "idempotency_error")


def test_charge_declines(stand_in):
    error = api_error_of(charge(stand_in, "tok_chargeDeclined"), 402, "card_error", "card_declined")
    check(error["decline_code"] == "generic_decline" and error["message"] == "Your card was declined."
          and error["charge"].startswith("ch_"), error)
    error = api_error_of(charge(stand_in, "tok_chargeDeclinedInsufficientFunds"), 402, "card_error",
                         "card_declined")
    check(error["decline_code"] == "insufficient_funds", error)


def test_charge_retry_modes(stand_in):
    status, headers, _ = charge(stand_in, key="k-503", mode="flaky_503")
    check(status == 503 and headers["Stripe-Should-Retry"] == "true", f"first: {status}")
    check(json_of(*charge(stand_in, key="k-503", mode="flaky_503")[::2], 200)["status"] == "succeeded", "retry")
    check(charge(stand_in, mode="flaky_503")[0] == 503 == charge(stand_in, mode="flaky_503")[0],
          "without a key, flaky_503 always fails")
    api_error_of(charge(stand_in, key="k-429", mode="lock_timeout_429"), 429, "invalid_request_error",
                 "lock_timeout")
    json_of(*charge(stand_in, key="k-429", mode="lock_timeout_429")[::2], 200)
    for _ in range(2):
        answer = charge(stand_in, key="k-409", mode="conflict_409")
        api_error_of(answer, 409, "invalid_request_error", "idempotency_key_in_use")
        check(answer[1]["Stripe-Should-Retry"] == "false", "409 without Stripe-Should-Retry: false")
    try:
        charge(stand_in, key="k-reset", mode="flaky_reset")
    except ConnectionError:
        pass
    else:
        raise AssertionError("flaky_reset answered the first time")
    json_of(*charge(stand_in, key="k-reset", mode="flaky_reset")[::2], 200)


def test_charge_refusals(stand_in):
    error = api_error_of(stand_in.request("POST", "/v1/charges", {"currency": "usd", "source": "tok_visa"},
                                          BEARER), 400, "invalid_request_error", "parameter_missing")
    check(error["param"] == "amount", error)
    api_error_of(charge(stand_in, "tok_nonsense"), 400, "invalid_request_error", "resource_missing")
    status, _, body = charge(stand_in, headers={"Authorization": "Bearer sk_test_WrongKey99"})
    error = api_error_of((status, None, body), 401, "invalid_request_error")
    check("WrongKey99" not in body.decode() and "sk_test_****" in error["message"], error)
    api_error_of(charge(stand_in, headers={}), 401, "invalid_request_error")


def test_connected_account_calls(stand_in):
    token = stand_in.connect_account()
    account = token["stripe_user_id"]
    as_account = {"Authorization": "Bearer " + token["access_token"]}
    with_header = dict(BEARER, **{"Stripe-Account": account})
    created = json_of(*charge(stand_in, headers=as_account)[::2], 200)
    json_of(*stand_in.request("GET", "/v1/charges/" + created["id"], headers=with_header)[::2], 200)
    api_error_of(stand_in.request("GET", "/v1/charges/" + created["id"], headers=BEARER), 404,
                 "invalid_request_error", "resource_missing")
    for headers in (as_account, with_header, BEARER):
        document = json_of(*stand_in.request("GET", "/v1/accounts/" + account, headers=headers)[::2], 200)
        check(document["id"] == account and document["object"] == "account", document)
    api_error_of(stand_in.request("GET", "/v1/accounts/acct_NotConnected", headers=as_account), 404,
                 "invalid_request_error", "resource_missing")
    api_error_of(stand_in.request("GET", "/v1/accounts/" + account,
                                  headers=dict(BEARER, **{"Stripe-Account": "acct_NotConnected"})),
                 403, "invalid_request_error", "account_invalid")
    link = json_of(*stand_in.request("POST", "/v1/account_links",
                                     {"account": account, "type": "account_onboarding",
                                      "refresh_url": "https://platform.example/reauth",
                                      "return_url": "https://platform.example/return"}, BEARER)[::2], 200)
    check(link["object"] == "account_link" and link["url"].startswith(stand_in.base() + "/setup/")
          and link["expires_at"] > link["created"], link)
    api_error_of(stand_in.request("POST", "/v1/account_links", {"account": account}, BEARER), 400,
                 "invalid_request_error", "parameter_missing")
    api_error_of(stand_in.request("GET", "/v1/nothing", headers=BEARER), 404, "invalid_request_error")


# ---- The log ------------------------------------------------------------------------------------

def test_log(stand_in):
    mark = stand_in.log_mark()
    _, query = stand_in.authorize()
    exchange(stand_in, query["code"], headers=dict(BEARER, **{"User-Agent": "test-agent/1"}))
    charge(stand_in, key="k-log-1", headers={"Authorization": "Basic " +
                                             base64.b64encode((SECRET_KEY + ":").encode()).decode()})
    entries = stand_in.requests_since(mark)
    check([e["path"] for e in entries] == ["/oauth/authorize", "/oauth/token", "/v1/charges"],
          f"paths {[e['path'] for e in entries]}")
    authorize_entry, token_entry, charge_entry = entries
    check(authorize_entry["query"]["client_id"] == CLIENT_ID and authorize_entry["status"] == 302,
          authorize_entry)
    check(token_entry["headers"]["authorization"] == "Bearer sk_test_..."
          and token_entry["headers"]["user-agent"] == "test-agent/1"
          and token_entry["headers"]["content-type"] == "application/x-www-form-urlencoded"
          and token_entry["form"]["code"] == query["code"][:8] + "..."
          and token_entry["credential"] == "platform" and token_entry["status"] == 200, token_entry)
    check(charge_entry["headers"]["idempotency-key"] == "k-log-1"
          and charge_entry["headers"]["authorization"] == "Basic sk_test_..."
          and charge_entry["form"]["amount"] == "400" and charge_entry["method"] == "POST", charge_entry)
    text = stand_in.log_file.read_text()
    check(SECRET_KEY not in text and query["code"] not in text, "a secret is in the log")


STAND_IN_CASES = [
    ("stand-in: the state file names its PID and four distinct ports", test_state_file),
    ("stand-in: good cert verifies; wrong-host, expired and other-CA are refused (and logged)", test_tls_listeners),
    ("stand-in: HTTP/1.1 keep-alive: two requests on one connection", test_keep_alive),
    ("stand-in: authorize: 302 to redirect_uri with code, scope, state; body = Location; Request-Id",
     test_authorize_redirects_with_code),
    ("stand-in: express authorize, default redirect_uri and scope read_only", test_authorize_defaults_and_express),
    ("stand-in: authorize with stand_in_decision=deny redirects with access_denied and state", test_authorize_deny),
    ("stand-in: authorize refuses a bad scope, response_type, client_id, redirect_uri", test_authorize_refusals),
    ("stand-in: exchange answers Stripe's token shape", test_exchange_gives_stripe_shaped_token),
    ("stand-in: the key is accepted as Bearer, Basic user name and client_secret",
     test_exchange_accepts_basic_and_client_secret),
    ("stand-in: a code used twice answers invalid_grant and revokes its tokens", test_code_reuse_revokes),
    ("stand-in: invalid_grant, invalid_client (key not echoed), invalid_request, unsupported_grant_type",
     test_token_refusals),
    ("stand-in: refresh: new access token; narrower scope ok; wider or unknown scope invalid_scope", test_refresh),
    ("stand-in: deauthorize: client_id checked, key only in the header, tokens revoked", test_deauthorize),
    ("stand-in: fault_slow answers after 3 s", test_fault_slow),
    ("stand-in: fault_truncated promises more than it sends, then closes", test_fault_truncated),
    ("stand-in: fault_reset resets with no answer", test_fault_reset),
    ("stand-in: fault_oversized is 300 KiB; fault_size_N is N bytes", test_fault_oversized),
    ("stand-in: fault_chunked: uneven chunks, upper-case hex, an extension; decodes to the token", test_fault_chunked),
    ("stand-in: fault_close_delimited: no length, body ends at close", test_fault_close_delimited),
    ("stand-in: fault_html500, fault_malformed, fault_duplicate_keys", test_fault_bodies),
    ("stand-in: fault_escaped: every character \\u-escaped, decodes to the token", test_fault_escaped),
    ("stand-in: faults through refresh_token and stripe_user_id", test_faults_on_refresh_and_deauthorize),
    ("stand-in: charge with tok_visa; same Idempotency-Key replays; other params idempotency_error",
     test_charge_succeeds),
    ("stand-in: declined cards: 402 card_error with decline_code", test_charge_declines),
    ("stand-in: flaky_503, lock_timeout_429, flaky_reset succeed on retry with the key; conflict_409 never",
     test_charge_retry_modes),
    ("stand-in: charge refusals: missing amount, unknown token, wrong or no key (masked)", test_charge_refusals),
    ("stand-in: access token, Stripe-Account, accounts, charges, account_links, unknown URL",
     test_connected_account_calls),
    ("stand-in: the log: paths, headers, form, credential; secrets cut to 8 characters", test_log),
]


def run_stand_in_cases(cases, stand_in):
    for name, function in STAND_IN_CASES:
        cases.run(name, function, stand_in)


def main():
    cases = Cases("stand-in")
    with one_run_at_a_time(timeout=600):
        certs = make_certs(BUILD / "certs")
        stand_in = StandIn(certs, BUILD / "stand_in_self_test")
        stand_in.start()
        try:
            run_stand_in_cases(cases, stand_in)
        finally:
            status = stand_in.stop()
    cases.run("stand-in: stops on SIGTERM with status 0, removes its state file, printed nothing",
              stand_in.check_stopped_cleanly, status)
    return cases.summary()


if __name__ == "__main__":
    sys.exit(main())
