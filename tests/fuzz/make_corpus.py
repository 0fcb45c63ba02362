#!/usr/bin/env python3
"""tests/fuzz/make_corpus.py - writes the seed files of tests/fuzz/corpus/<target>/.

The seeds are Stripe-shaped inputs in each harness's input format (see the comment at the top
of each tests/fuzz/fuzz_<target>.c): token and deauthorize answers, OAuth and API errors,
charge, account and event objects, redirects, HTTP responses, Stripe-Signature headers. They
are committed; this script is how they were made, and running it again rewrites the same
files (seed-*). It never touches the crash-* files that tests/check.d/fuzz.sh adds when a
fuzzer finds something: those stay, so every crash ever found is replayed in every build.

    python3 tests/fuzz/make_corpus.py        (from the repository's root)
"""
import hashlib
import hmac
import json
import os
import struct
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
MAX_SEED = 4096

written = {}


def seed(target, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    assert len(data) < MAX_SEED, (target, name, len(data))
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data)
    written[target] = written.get(target, 0) + 1


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


# ---- Stripe-shaped JSON ---------------------------------------------------------------------------
TOKEN = {
    "access_token": "sk_test_51Hx9aBCDefGhIJklMNopQRstUVwxYZ0123456789abcdefghijklmnopqrstuvw",
    "livemode": False,
    "refresh_token": "rt_Ho9a8OIZ9mtJ1tTM3UNuAkKxXNeVwrOBDXDeWaDzHGTfrT1d",
    "token_type": "bearer",
    "stripe_publishable_key": "pk_test_51Hx9aBCDefGhIJklMNopQRstUVwxYZ0123",
    "stripe_user_id": "acct_1NrRHCIs1xsMqLmB",
    "scope": "read_write",
}

CHARGE = {
    "id": "ch_3NrRHCIs1xsMqLmB0aBcDeFg", "object": "charge", "amount": 400, "amount_captured": 400,
    "amount_refunded": 0, "application_fee_amount": None, "balance_transaction": "txn_3NrRHC",
    "billing_details": {"address": {"city": None, "country": None, "line1": None, "postal_code": "42424"},
                        "email": None, "name": "Jenny Rosen", "phone": None},
    "captured": True, "created": 1700000000, "currency": "usd", "description": "Caf\u00e9 \u2615",
    "disputed": False, "failure_code": None, "failure_message": None, "livemode": False,
    "metadata": {"order_id": "6735", "note": "line\nbreak \"quoted\" \\ slash"},
    "outcome": {"network_status": "approved_by_network", "reason": None, "risk_level": "normal",
                "risk_score": 32, "seller_message": "Payment complete.", "type": "authorized"},
    "paid": True, "payment_method": "card_1NrRHCIs1xsMqLmB",
    "payment_method_details": {"card": {"brand": "visa", "checks": {"cvc_check": "pass"},
                                        "exp_month": 8, "exp_year": 2030, "last4": "4242"},
                               "type": "card"},
    "refunded": False,
    "refunds": {"object": "list", "data": [], "has_more": False, "total_count": 0,
                "url": "/v1/charges/ch_3NrRHCIs1xsMqLmB0aBcDeFg/refunds"},
    "status": "succeeded",
}

ACCOUNT = {
    "id": "acct_1NrRHCIs1xsMqLmB", "object": "account",
    "business_profile": {"mcc": "5734", "name": "Kiosk \u65e5\u672c", "url": None},
    "capabilities": {"card_payments": "active", "transfers": "active"},
    "charges_enabled": True, "country": "JP", "created": 1699990000, "default_currency": "jpy",
    "details_submitted": True, "email": "jenny@example.com", "payouts_enabled": True,
    "requirements": {"currently_due": [], "eventually_due": ["individual.verification.document"],
                     "past_due": [], "disabled_reason": None},
    "settings": {"dashboard": {"display_name": "Kiosk", "timezone": "Asia/Tokyo"},
                 "payouts": {"schedule": {"delay_days": 4, "interval": "daily"}}},
    "type": "standard",
}

EVENT_DEAUTHORIZED = {
    "id": "evt_1NrRHCIs1xsMqLmBaBcDeFgH", "object": "event", "account": "acct_1NrRHCIs1xsMqLmB",
    "api_version": "2023-10-16", "created": 1700000000,
    "data": {"object": {"id": "ca_32D88BD1qLklliziD7gYQvctJIhWBSQ7", "object": "application",
                        "name": "Platform"}},
    "livemode": False, "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None},
    "type": "account.application.deauthorized",
}

EVENT_CHARGE = {
    "id": "evt_3NrRHCIs1xsMqLmB1", "object": "event", "api_version": "2023-10-16",
    "created": 1700000000, "data": {"object": CHARGE, "previous_attributes": {"status": "pending"}},
    "livemode": False, "type": "charge.succeeded",
}

OAUTH_ERRORS = [
    (400, "invalid_grant", "Authorization code does not exist: ac_123456789"),
    (400, "invalid_grant", "This authorization code has already been used. All tokens issued with this code have been revoked."),
    (400, "invalid_request", "No grant type specified"),
    (400, "invalid_scope", "Invalid scope: read_write_all"),
    (400, "unsupported_grant_type", "Unsupported grant type: password"),
    (401, "invalid_client", "No authentication was provided. Send your secret API key in the Authorization header."),
    (400, "invalid_redirect_uri", "Invalid redirect URI 'http://evil.example'. Ensure this uri exactly matches one of the uris specified in your application settings"),
    (400, "unsupported_response_type", "Only 'code' response_type is supported"),
    (400, "access_denied", "The user denied your request"),
    (400, "account_already_connected", "acct_1 is already connected"),
]

API_ERRORS = [
    (402, {"charge": "ch_1", "code": "card_declined", "decline_code": "insufficient_funds",
           "doc_url": "https://stripe.com/docs/error-codes/card-declined",
           "message": "Your card has insufficient funds.", "type": "card_error"}),
    (402, {"code": "card_declined", "decline_code": "stolen_card", "message": "Your card was declined.",
           "type": "card_error", "payment_intent": {"id": "pi_1", "object": "payment_intent"}}),
    (400, {"code": "parameter_missing", "param": "currency", "message": "Missing required param: currency.",
           "type": "invalid_request_error"}),
    (401, {"code": "api_key_expired", "message": "Expired API Key provided: sk_test_****. Application access may have been revoked.",
           "type": "invalid_request_error"}),
    (403, {"code": "account_invalid", "message": "The provided key does not have access to account 'acct_2'.",
           "type": "invalid_request_error"}),
    (404, {"code": "resource_missing", "param": "id", "message": "No such charge: 'ch_missing'",
           "type": "invalid_request_error"}),
    (409, {"code": "idempotency_key_in_use", "message": "There is currently another in-progress request using this Stripe-Idempotency-Key.",
           "type": "idempotency_error"}),
    (429, {"code": "lock_timeout", "message": "This object cannot be accessed right now because another API request or Stripe process is currently accessing it.",
           "type": "invalid_request_error"}),
    (500, {"message": "An unknown error occurred", "type": "api_error"}),
]


# ---- token: "<status char><body>" -------------------------------------------------------------------
def status_char(status):
    """The first byte fuzz_token.c maps to status."""
    table = [200, 201, 409, 204, 299, 400, 401, 402, 403, 404, 429, 500, 503, 0, 199, 300]
    special = {"2": 200, "4": 400, "5": 500, "1": 100, "3": 302, "9": 999, "-": -1}
    for ch, value in special.items():
        if value == status:
            return ch
    for code in range(0x40, 0x80):
        if chr(code) not in special and table[code & 15] == status:
            return chr(code)
    raise ValueError(status)


def token_seeds():
    t = "token"
    seed(t, "ok", "2" + compact(TOKEN))
    seed(t, "ok-pretty-livemode", "2" + json.dumps(dict(TOKEN, livemode=True, scope="read_only"), indent=2))
    seed(t, "ok-201-reordered", status_char(201) + compact(dict(reversed(list(TOKEN.items())))))
    seed(t, "ok-express-nulls", "2" + compact({"stripe_user_id": "acct_1Express", "access_token": None,
                                               "refresh_token": None, "livemode": None, "scope": "express"}))
    seed(t, "ok-unknown-nested", "2" + compact(dict(TOKEN, extra={"a": [1, 2.5e-3, {"b": [None, True]}], "c": ""})))
    seed(t, "ok-escapes", "2" + '{"stripe_user_id":"acct_\\u0031\\u00e9\\ud83d\\ude00\\/","access_token":"sk\\t\\"x\\\\"}')
    seed(t, "ok-escaped-key", "2" + '{"stripe_\\u0075ser_id":"acct_1","livemode":false}')
    seed(t, "ok-deauthorize", "2" + compact({"stripe_user_id": "acct_1NrRHCIs1xsMqLmB"}))
    seed(t, "ok-max-field", "2" + compact({"stripe_user_id": "acct_" + "x" * 250}))
    seed(t, "unexpected-too-long", "2" + compact({"stripe_user_id": "acct_" + "x" * 251}))
    seed(t, "unexpected-scope-too-long", "2" + compact(dict(TOKEN, scope="read_write" * 4)))
    seed(t, "unexpected-nul", "2" + '{"stripe_user_id":"acct_1\\u0000x"}')
    seed(t, "unexpected-duplicate", "2" + '{"stripe_user_id":"acct_1","stripe_user_id":"acct_2"}')
    seed(t, "unexpected-livemode-string", "2" + compact(dict(TOKEN, livemode="false")))
    seed(t, "unexpected-id-number", "2" + '{"stripe_user_id":12345}')
    seed(t, "unexpected-no-id", "2" + compact({k: v for k, v in TOKEN.items() if k != "stripe_user_id"}))
    seed(t, "unexpected-array", "2" + "[" + compact(TOKEN) + "]")
    seed(t, "malformed-truncated", "2" + compact(TOKEN)[:-7])
    seed(t, "malformed-trailing-comma", "2" + '{"stripe_user_id":"acct_1",}')
    seed(t, "malformed-bad-utf8", b"2" + b'{"stripe_user_id":"acct_\xc3\x28"}')
    seed(t, "malformed-lone-surrogate", "2" + '{"stripe_user_id":"\\ud800x"}')
    seed(t, "malformed-deep", "2" + '{"stripe_user_id":"acct_1","x":' + "[" * 40 + "]" * 40 + "}")
    seed(t, "deep-31", "2" + '{"stripe_user_id":"acct_1","x":' + "[" * 31 + "]" * 31 + "}")
    seed(t, "empty-200", "2")
    seed(t, "html-502", status_char(503) + "<html><body><h1>502 Bad Gateway</h1></body></html>")
    for i, (status, code, message) in enumerate(OAUTH_ERRORS):
        seed(t, "oauth-%d-%s" % (i, code), status_char(status) + compact({"error": code, "error_description": message}))
    seed(t, "oauth-200-still-error", "2" + compact({"error": "invalid_grant", "error_description": "x"}))
    seed(t, "oauth-long-message", "4" + compact({"error": "invalid_request",
                                                 "error_description": "\u00e9\u65e5\U0001F600" * 120}))
    seed(t, "oauth-then-object", "4" + '{"error":"invalid_grant","error":{"type":"api_error"}}')
    for i, (status, error) in enumerate(API_ERRORS):
        seed(t, "api-%d-%s" % (i, error.get("code", error["type"])), status_char(status) + compact({"error": error}))
    seed(t, "api-long-fields", status_char(402) + compact({"error": {"type": "t" * 70, "code": "c" * 70,
                                                                      "decline_code": "d" * 70, "param": "p" * 130,
                                                                      "message": "m" * 600}}))
    seed(t, "api-malformed", status_char(402) + '{"error":{"type":"card_error","message":"x"')
    seed(t, "status-0", status_char(0) + compact(TOKEN))
    seed(t, "status-300", status_char(300) + compact(TOKEN))
    seed(t, "charge-object", "2" + compact(CHARGE))
    seed(t, "account-object", "2" + compact(ACCOUNT))
    seed(t, "event-object", "2" + compact(EVENT_DEAUTHORIZED))


# ---- json_lookup: "<cap byte><path>\n<json>" ----------------------------------------------------------
def lookup(name, path, doc, cap=64):
    body = doc if isinstance(doc, str) else compact(doc)
    seed("json_lookup", name, bytes([cap]) + path.encode() + b"\n" + body.encode("utf-8"))


def json_lookup_seeds():
    lookup("charge-amount", "amount", CHARGE)
    lookup("charge-paid", "paid", CHARGE)
    lookup("charge-last4", "payment_method_details.card.last4", CHARGE)
    lookup("charge-network-status", "outcome.network_status", CHARGE, cap=8)
    lookup("charge-metadata-escapes", "metadata.note", CHARGE)
    lookup("charge-description-utf8", "description", CHARGE, cap=7)
    lookup("charge-null", "failure_code", CHARGE)
    lookup("charge-refunds-empty", "refunds.data.0.id", CHARGE)
    lookup("account-capability", "capabilities.card_payments", ACCOUNT)
    lookup("account-display-name", "settings.dashboard.display_name", ACCOUNT, cap=0)
    lookup("account-due", "requirements.eventually_due.0", ACCOUNT, cap=255)
    lookup("account-delay-days", "settings.payouts.schedule.delay_days", ACCOUNT)
    lookup("account-url-null", "business_profile.url", ACCOUNT)
    lookup("event-object-id", "data.object.id", EVENT_DEAUTHORIZED)
    lookup("event-type", "type", EVENT_DEAUTHORIZED, cap=1)
    lookup("event-livemode", "livemode", EVENT_DEAUTHORIZED)
    lookup("event-charge-amount", "data.object.amount", EVENT_CHARGE)
    lookup("list-second", "data.1.id", {"object": "list", "data": [{"id": "ch_1"}, {"id": "ch_2"}], "has_more": True})
    lookup("list-missing", "data.2.id", {"object": "list", "data": [{"id": "ch_1"}, {"id": "ch_2"}]})
    lookup("list-leading-zero", "data.01", {"data": [1, 2]})
    lookup("error-decline-code", "error.decline_code", {"error": API_ERRORS[0][1]})
    lookup("token-user", "stripe_user_id", TOKEN)
    lookup("int-max", "n", '{"n":9223372036854775807}')
    lookup("int-min", "n", '{"n":-9223372036854775808}')
    lookup("int-overflow", "n", '{"n":9223372036854775808}')
    lookup("int-fraction", "n", '{"n":1.5}')
    lookup("int-exponent", "n", '{"n":1e3}')
    lookup("int-negative-zero", "n", '{"n":-0}')
    lookup("escaped-key", "amount", '{"\\u0061mount":400}')
    lookup("key-with-dot", "a.b", '{"a.b":1,"a":{"b":2}}')
    lookup("duplicate-first", "id", '{"id":"first","id":"second"}')
    lookup("string-nul", "s", '{"s":"a\\u0000b"}')
    lookup("surrogates", "s", '{"s":"\\ud83d\\ude00\\u00e9"}')
    lookup("top-level-array", "0.x", '[{"x":true},2]')
    lookup("top-level-scalar", "id", '"just a string"')
    lookup("whitespace", "a", ' \t\r\n{ "a" : [ ] } \n')
    lookup("malformed-after-value", "id", '{"id":"x",}')
    lookup("malformed-deep", "a", '{"a":1,"b":' + "[" * 33 + "]" * 33 + "}")
    lookup("deep-32", "a", '{"a":1,"b":' + "[" * 31 + "]" * 31 + "}")
    lookup("path-leading-dot", ".a", '{"a":1}')
    lookup("path-double-dot", "a..b", '{"a":{"b":1}}')
    lookup("path-trailing-dot", "a.", '{"a":{"b":1}}')
    lookup("path-empty", "", '{"":1}')
    seed("json_lookup", "no-newline", compact({"id": "acct_1", "object": "account"}))


# ---- redirect: "<url>[\x01<expected state>]" ------------------------------------------------------------
def redirect_seeds():
    t = "redirect"
    state = "0T2oKdU0qJpGY35oD-1Of4VIiXITQhcrVI5feBKG6uc"
    seed(t, "ok-full-url", "https://platform.example/callback?scope=read_write&code=ac_123456789&state=" + state + "\x01" + state)
    seed(t, "ok-path", "/callback?code=ac_Ad7fk3j2&scope=read_only&state=abc")
    seed(t, "ok-bare-query", "code=ac_1&state=s")
    seed(t, "ok-leading-question", "?code=ac_1")
    seed(t, "ok-port-fragment", "http://127.0.0.1:8080/cb?code=ac_1&state=x#fragment?error=y")
    seed(t, "ok-unknown-params", "/cb?foo=bar&code=ac_1&baz&&=&x=%41&scope=read_write&scope=read_only")
    seed(t, "ok-encoded-key", "/cb?c%6Fde=ac_1&%73tate=%7Eabc")
    seed(t, "state-mismatch", "/cb?code=ac_1&state=abc\x01abd")
    seed(t, "state-missing", "/cb?code=ac_1\x01abc")
    seed(t, "state-empty", "/cb?code=ac_1&state=\x01")
    seed(t, "denied", "https://platform.example/callback?error=access_denied&error_description=The+user+denied+your+request&state=" + state)
    seed(t, "denied-expected", "/cb?error=access_denied&state=s%20t\x01s t")
    seed(t, "invalid-scope", "/cb?error=invalid_scope&error_description=Invalid%20scope%3A%20read_write_all")
    seed(t, "unknown-error", "/cb?error=temporarily_unavailable")
    seed(t, "plus-and-percent", "/cb?code=a%2Bb+c%25d&state=%e6%bc%a2")
    seed(t, "lowercase-hex", "/cb?code=%2f%3a%3f")
    seed(t, "nul", "/cb?code=ac%001")
    seed(t, "nul-ignored-key", "/cb?code=ac_1&x%00y=1")
    seed(t, "raw-nul-value", "/cb?code=ac_1&state=abc\x00xyz\x01abc")
    seed(t, "raw-nul-key", "/cb?code\x00x=ac_1&code=ac_2")
    seed(t, "raw-nul-ignored", "/cb?code=ac_2&x=\x00")
    seed(t, "bad-percent", "/cb?code=ac_1&x=%G1")
    seed(t, "bad-percent-end", "/cb?code=ac_1&x=%4")
    seed(t, "bad-percent-no-equals", "/cb?code=ac_1&%zz")
    seed(t, "repeated-code", "/cb?code=a&code=b")
    seed(t, "repeated-state", "/cb?code=a&state=1&state=1")
    seed(t, "repeated-error", "/cb?error=a&error=a")
    seed(t, "both", "/cb?code=a&error=access_denied")
    seed(t, "neither", "/cb?scope=read_write&state=x")
    seed(t, "empty", "")
    seed(t, "only-question", "?")
    seed(t, "code-255", "/cb?code=" + "c" * 255)
    seed(t, "code-256", "/cb?code=" + "c" * 256)
    seed(t, "scope-too-long", "/cb?code=a&scope=" + "s" * 32)
    seed(t, "error-code-too-long", "/cb?error=" + "e" * 64)
    seed(t, "description-cut-utf8", "/cb?error=access_denied&error_description=" + "%E6%BC%A2" * 171)
    seed(t, "description-cut-4byte", "/cb?error=access_denied&error_description=x" + "%F0%9F%98%80" * 128)
    seed(t, "long-key", "/cb?" + "k" * 30 + "=v&code=a")


# ---- percent: "<cap byte><text>" --------------------------------------------------------------------------
def percent_seeds():
    t = "percent"
    seed(t, "empty", b"\x10")
    seed(t, "unreserved", b"\xff" + b"ABCXYZabcxyz0189-._~")
    seed(t, "reserved", b"\xff" + b":/?#[]@!$&'()*+,;= \"<>\\^`{|}%")
    seed(t, "all-bytes", b"\xff" + bytes(range(256)))
    seed(t, "all-bytes-small-cap", b"\x05" + bytes(range(256)))
    seed(t, "utf8", b"\x40" + "caf\u00e9 \u65e5\u672c \U0001F600".encode())
    seed(t, "encoded", b"\x80" + b"https%3A%2F%2Fexample.com%2Fcb%3Fx%3D1+y%e6%bc%a2")
    seed(t, "bad-percent", b"\x80" + b"a%zz")
    seed(t, "percent-end", b"\x80" + b"abc%")
    seed(t, "percent-one-digit", b"\x80" + b"abc%4")
    seed(t, "percent-nul", b"\x80" + b"a%00b")
    seed(t, "plus", b"\x02" + b"+++")
    seed(t, "cap-0", b"\x00" + b"text")
    seed(t, "cap-exact", b"\x04" + b"abc")
    seed(t, "redirect-uri", b"\x30" + b"https://platform.example/oauth/callback?from=stripe&x=1")


# ---- authorize_url: see fuzz_authorize_url.c ---------------------------------------------------------------
def carve_string(s):
    b = s.encode("utf-8") if isinstance(s, str) else s
    assert len(b) < 256
    return bytes([len(b)]) + b


USER_FIELDS = ["email", "url", "country", "phone_number", "business_name", "business_type", "first_name",
               "last_name", "dob_day", "dob_month", "dob_year", "street_address", "city", "state", "zip",
               "physical_product", "product_description", "currency", "first_name_kana", "first_name_kanji",
               "last_name_kana", "last_name_kanji", "gender", "block_kana", "block_kanji", "building_kana",
               "building_kanji"]


def authorize(name, cap=1024, client_id="ca_32D88BD1qLklliziD7gYQvctJIhWBSQ7", base=None, params=True,
              express=False, always_prompt=False, client_id_null=False, broken=0, scope=None,
              redirect_uri=None, state=None, landing=None, user=None, capabilities=(), extra=()):
    flags = (1 if base is not None else 0) | (2 if params else 0) | (4 if express else 0) | \
            (8 if always_prompt else 0) | (16 if client_id_null else 0)
    out = bytes([flags, broken]) + struct.pack(">H", cap) + carve_string(client_id)
    if base is not None:
        out += carve_string(base)
    which = 0
    rest = b""
    for bit, value in enumerate([scope, redirect_uri, state, landing]):
        if value is not None:
            which |= 1 << bit
            rest += carve_string(value)
    out += bytes([which]) + rest
    user = user or {}
    mask = 0
    rest = b""
    for i, field in enumerate(USER_FIELDS):
        if field in user:
            mask |= 1 << i
            rest += carve_string(user[field])
    out += struct.pack(">I", mask) + rest
    out += bytes([len(capabilities)]) + b"".join(carve_string(c) for c in capabilities)
    out += bytes([len(extra)]) + b"".join(carve_string(k) + carve_string(v) for k, v in extra)
    seed("authorize_url", name, out)


def authorize_url_seeds():
    authorize("minimal", params=False)
    authorize("standard", scope="read_write", redirect_uri="https://platform.example/oauth/callback",
              state="0T2oKdU0qJpGY35oD-1Of4VIiXITQhcrVI5feBKG6uc", landing="login")
    authorize("express-full", express=True, always_prompt=True, scope="read_write",
              redirect_uri="https://platform.example/cb?x=1&y=2", state="st", landing="register",
              user={"email": "jenny+test@example.com", "url": "https://jenny.example", "country": "JP",
                    "phone_number": "+81 3-1234-5678", "business_name": "Caf\u00e9 & Bar",
                    "business_type": "individual", "first_name": "Jenny", "last_name": "Rosen",
                    "dob_day": "1", "dob_month": "12", "dob_year": "1990", "currency": "jpy",
                    "first_name_kana": "\u30b8\u30a7\u30cb\u30fc", "first_name_kanji": "\u82b1\u5b50",
                    "building_kanji": "\u30d3\u30eb", "gender": "female"},
              capabilities=["card_payments", "transfers"])
    authorize("all-user-fields", user={f: "v" + f for f in USER_FIELDS})
    authorize("capabilities", capabilities=["card_payments", "transfers", "tax_reporting_us_1099_k",
                                            "a", "b", "c", "d"])
    authorize("extra", extra=[("new_param", "value"), ("nested[key]", "a b&c=d"), ("", ""), ("%", "[]")])
    authorize("base-trailing-slash", base="https://connect.stripe.test/")
    authorize("base-path", base="http://127.0.0.1:12111/stripe", express=True)
    authorize("base-space", base="https://connect stripe.test")
    authorize("base-control", base="https://connect.stripe.test\x7f")
    authorize("base-utf8", base="https://conn\u00e9ct.test")
    authorize("base-empty", base="")
    authorize("client-id-empty", client_id="")
    authorize("client-id-null", client_id_null=True)
    authorize("client-id-encoded", client_id="ca_ &=?#/\u00e9")
    for broken in range(1, 6):
        authorize("broken-%d" % broken, broken=broken, capabilities=["card_payments"], extra=[("k", "v")])
    for cap in (0, 1, 70, 71, 72, 4095):
        authorize("cap-%d" % cap, cap=cap, params=False)
    authorize("cap-small-full", cap=100, scope="read_only", state="s" * 200, extra=[("x", "\u65e5" * 60)])


# ---- http_reader: see fuzz_http_reader.c ---------------------------------------------------------------------
END = {"close": 0, "timeout": 1, "tls": 2, "transport": 3, "other": 4, "over": 5}


def http(name, raw, body_cap=4096, line_buffer=4096, end="close", pieces=()):
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    head = struct.pack(">HH", body_cap, line_buffer - 2) + bytes([END[end], len(pieces)])
    head += bytes(p - 1 for p in pieces)
    seed("http_reader", name, head + raw)


def http_response(status, reason, headers, body=""):
    head = "HTTP/1.1 %d %s\r\n" % (status, reason)
    head += "".join("%s: %s\r\n" % kv for kv in headers)
    return head + "\r\n" + body


def http_reader_seeds():
    token = compact(TOKEN)
    std = [("Server", "nginx"), ("Date", "Tue, 14 Nov 2023 22:13:20 GMT"), ("Content-Type", "application/json"),
           ("Connection", "close"), ("Access-Control-Allow-Origin", "*"), ("Cache-Control", "no-cache, no-store"),
           ("Request-Id", "req_tUrLjqyP9bxRMc"), ("Stripe-Version", "2023-10-16")]
    http("content-length", http_response(200, "OK", std + [("Content-Length", str(len(token)))], token), pieces=(7, 1, 200))
    http("content-length-list", http_response(200, "OK", [("Content-Length", "17, 17")], '{"id":"acct_123"}'))
    http("content-length-conflict", http_response(200, "OK", [("Content-Length", "17"), ("Content-Length", "18")], '{"id":"acct_123"}'))
    http("content-length-zero", http_response(200, "OK", [("Content-Length", "0")]))
    http("content-length-short", http_response(200, "OK", [("Content-Length", "100")], "{}"))
    http("content-length-overflow", http_response(200, "OK", [("Content-Length", "184467440737095516160")], "{}"))
    http("content-length-too-large", http_response(200, "OK", [("Content-Length", "20")], "x" * 20), body_cap=19)
    http("content-length-exact", http_response(200, "OK", [("Content-Length", "20")], "x" * 20), body_cap=20)
    chunked = http_response(402, "Payment Required", [("Transfer-Encoding", "chunked"), ("Stripe-Should-Retry", "false"),
                                                      ("Request-Id", "req_chunked")], "")
    error_body = compact({"error": API_ERRORS[0][1]})
    chunks = "".join("%x;ext=%d\r\n%s\r\n" % (len(error_body[i:i + 40]), i, error_body[i:i + 40])
                     for i in range(0, len(error_body), 40))
    http("chunked-extensions-trailers", chunked + chunks + "0\r\nX-Trailer: one\r\nX-Other: two\r\n\r\n", pieces=(3, 64))
    http("chunked-upper-hex", http_response(200, "OK", [("transfer-encoding", "CHUNKED")], "A\r\n0123456789\r\n0\r\n\r\n"))
    http("chunked-bad-size", http_response(200, "OK", [("Transfer-Encoding", "chunked")], "Z\r\nx\r\n0\r\n\r\n"))
    http("chunked-overflow", http_response(200, "OK", [("Transfer-Encoding", "chunked")], "1FFFFFFFFFFFFFFFF\r\nx\r\n0\r\n\r\n"))
    http("chunked-no-crlf", http_response(200, "OK", [("Transfer-Encoding", "chunked")], "2\r\nabc\r\n0\r\n\r\n"))
    http("chunked-cut", http_response(200, "OK", [("Transfer-Encoding", "chunked")], "5\r\nab"))
    http("chunked-no-trailer-end", http_response(200, "OK", [("Transfer-Encoding", "chunked")], "1\r\na\r\n0\r\n"))
    http("chunked-and-length", http_response(200, "OK", [("Transfer-Encoding", "chunked"), ("Content-Length", "1")], "1\r\na\r\n0\r\n\r\n"))
    http("chunked-twice", http_response(200, "OK", [("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")], "0\r\n\r\n"))
    http("gzip", http_response(200, "OK", [("Transfer-Encoding", "gzip")], "x"))
    http("close-delimited", "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + token, pieces=(1, 2, 3))
    http("close-delimited-exact", "HTTP/1.1 200 OK\r\n\r\n" + "y" * 16, body_cap=16)
    http("close-delimited-over", "HTTP/1.1 200 OK\r\n\r\n" + "y" * 17, body_cap=16)
    http("close-delimited-timeout", "HTTP/1.1 200 OK\r\n\r\n{}", end="timeout")
    http("continue-then-200", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX: y\r\n\r\n" +
         http_response(200, "OK", [("Content-Length", "2")], "{}"))
    http("switching-protocols", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n")
    http("no-content", http_response(204, "No Content", [("Content-Length", "5")], "hello"))
    http("not-modified", http_response(304, "Not Modified", []))
    http("lf-only", "HTTP/1.1 200 OK\nContent-Length: 2\n\n{}")
    http("no-reason", "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\n{}")
    http("http2-status", "HTTP/2 200\r\n\r\n")
    http("status-600", "HTTP/1.1 600 Odd\r\n\r\n")
    http("status-two-digits", "HTTP/1.1 20 OK\r\n\r\n")
    http("header-no-colon", "HTTP/1.1 200 OK\r\nBad header\r\n\r\n")
    http("header-space-before-colon", "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\n{}")
    http("header-obs-fold", "HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\nContent-Length: 0\r\n\r\n")
    http("header-control", "HTTP/1.1 200 OK\r\nX-A: 1\x01\r\n\r\n")
    http("header-tabs", "HTTP/1.1 200 OK\r\nContent-Length:\t2\t\r\n\r\n{}")
    http("request-id-long", http_response(200, "OK", [("Request-Id", "req_" + "r" * 100), ("Content-Length", "0")]))
    http("should-retry-true", http_response(503, "Service Unavailable", [("Stripe-Should-Retry", "TRUE"), ("Content-Length", "0")]))
    http("many-headers", http_response(200, "OK", [("X-H%d" % i, "v") for i in range(17)] + [("Content-Length", "0")]))
    http("big-head", http_response(200, "OK", [("X-Big%d" % i, "v" * 200) for i in range(6)] + [("Content-Length", "0")]))
    http("long-line", http_response(200, "OK", [("X-Long", "v" * 100)]), line_buffer=64)
    http("tiny-buffer", http_response(200, "OK", [("Content-Length", "2")], "{}"), line_buffer=2)
    http("empty-stream", "")
    http("cut-head", "HTTP/1.1 200 OK\r\nContent-Le")
    http("timeout-in-head", "HTTP/1.1 200 OK\r\n", end="timeout")
    http("tls-error-in-body", http_response(200, "OK", [("Content-Length", "10")], "12345"), end="tls")
    http("broken-layer", http_response(200, "OK", [], "abc"), end="over")
    http("trailing-bytes", http_response(200, "OK", [("Content-Length", "2")], "{}GARBAGE HTTP/1.1 500"))
    http("zero-body-cap", http_response(200, "OK", [("Content-Length", "1")], "x"), body_cap=0)


# ---- webhook: see fuzz_webhook.c ------------------------------------------------------------------------------
SECRET = "whsec_test_4eC39HqLyjWDarjtT1zdp7dc"


def sign(secret, t, payload):
    return hmac.new(secret.encode(), ("%s." % t).encode() + payload.encode(), hashlib.sha256).hexdigest()


def webhook(name, header, payload, secret=SECRET, flags=0, tolerance=1, offset=0):
    out = bytes([flags, tolerance]) + struct.pack(">h", offset) + carve_string(secret)
    seed("webhook", name, out + header.encode() + b"\n" + payload.encode("utf-8"))


def webhook_seeds():
    p = compact(EVENT_DEAUTHORIZED)
    t = 1700000000
    good = sign(SECRET, t, p)
    webhook("valid", "t=%d,v1=%s" % (t, good), p)
    webhook("valid-marker", "t=%d,v1=@,v0=%s" % (t, "6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39"), p, flags=1)
    webhook("valid-marker-upper", "v1=@,t=%d" % t, p, flags=3)
    webhook("valid-upper", "t=%d,v1=%s" % (t, good.upper()), p)
    webhook("valid-second-v1", "t=%d,v1=%s,v1=%s" % (t, "0" * 64, good), p)
    webhook("valid-charge-event", "t=%d,v1=@" % t, compact(EVENT_CHARGE)[:3000], flags=1)
    webhook("valid-no-tolerance", "t=1,v1=@", p, flags=1, tolerance=0, offset=32767)
    webhook("expired", "t=%d,v1=@" % t, p, flags=1, tolerance=1, offset=301)
    webhook("future", "t=%d,v1=@" % t, p, flags=1, tolerance=1, offset=-301)
    webhook("edge-300", "t=%d,v1=@" % t, p, flags=1, tolerance=1, offset=300)
    webhook("extreme-now", "t=%d,v1=@" % t, p, flags=5, tolerance=4)
    webhook("negative-tolerance", "t=%d,v1=@" % t, p, flags=1, tolerance=5)
    webhook("wrong-secret", "t=%d,v1=%s" % (t, sign("whsec_other", t, p)), p)
    webhook("wrong-payload", "t=%d,v1=%s" % (t, good), p.replace("acct_", "acct_X"))
    webhook("v0-only", "t=%d,v0=%s" % (t, good), p)
    webhook("no-t", "v1=%s" % good, p)
    webhook("two-t", "t=%d,t=%d,v1=@" % (t, t), p, flags=1)
    webhook("t-letters", "t=17000000a0,v1=@", p, flags=1)
    webhook("t-18-digits", "t=999999999999999999,v1=@", p, flags=1, tolerance=0)
    webhook("t-19-digits", "t=9999999999999999999,v1=@", p, flags=1, tolerance=0)
    webhook("t-empty", "t=,v1=@", p, flags=1)
    webhook("trailing-comma", "t=%d,v1=@," % t, p, flags=1)
    webhook("empty-entry", "t=%d,,v1=@" % t, p, flags=1)
    webhook("space-after-comma", "t=%d, v1=@" % t, p, flags=1)
    webhook("no-equals", "t=%d,v1" % t, p)
    webhook("v1-short", "t=%d,v1=%s" % (t, good[:63]), p)
    webhook("v1-bad-hex", "t=%d,v1=%s" % (t, "g" + good[1:]), p)
    webhook("empty-header", "", p)
    webhook("empty-secret", "t=%d,v1=@" % t, p, secret="", flags=1)
    webhook("long-secret", "t=%d,v1=@" % t, p, secret="k" * 200, flags=1)
    webhook("empty-payload", "t=%d,v1=@" % t, "", flags=1)
    webhook("event-no-type", "t=%d,v1=@" % t, compact({"id": "evt_1", "object": "event"}), flags=1)
    webhook("event-not-json", "t=%d,v1=@" % t, "id=evt_1&type=x", flags=1)


def main():
    token_seeds()
    json_lookup_seeds()
    redirect_seeds()
    percent_seeds()
    authorize_url_seeds()
    http_reader_seeds()
    webhook_seeds()
    for target in sorted(written):
        print("%-14s %d seeds" % (target, written[target]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
