#!/usr/bin/env python3
"""Writes the benchmark's committed inputs (run once; the files are committed, not made at build):

    token_500.json   a realistic /oauth/token answer, as Stripe writes it (pretty-printed), 500 bytes
    token_4k.json    the same seven fields spread among unknown nested objects and arrays,
                     numbers of every form, nulls, escapes and UTF-8: 4096 bytes
    encode_1k.txt    1024 bytes of what gets percent-encoded: redirect URIs, e-mail addresses,
                     names with spaces and UTF-8, states, capabilities

The random parts come from a fixed seed, so running it again writes the same bytes.
"""
import json
import random
import string
from pathlib import Path

HERE = Path(__file__).resolve().parent
rng = random.Random(20261130)


def rand(n, alphabet=string.ascii_letters + string.digits):
    return "".join(rng.choice(alphabet) for _ in range(n))


acct = "acct_1" + rand(15)
known = {
    "access_token": "sk_test_51" + rand(97),
    "livemode": False,
    "refresh_token": "rt_" + rand(86),
    "token_type": "bearer",
    "stripe_publishable_key": "pk_test_51" + rand(97),
    "stripe_user_id": acct,
    "scope": "read_write",
}
small = json.dumps(known, indent=2) + "\n"
assert len(small.encode()) == 500, len(small.encode())

big = {"access_token": known["access_token"], "object": "oauth_token", "livemode": False}
big["account"] = {
    "id": acct, "object": "account", "business_type": "company", "charges_enabled": True,
    "country": "CH", "created": 1701302400, "default_currency": "chf",
    "business_profile": {"mcc": "5812", "name": "Caf\u00e9 Z\u00fcrich \"Am See\"",
                         "url": "https://cafe.example.ch/",
                         "product_description": "Coffee, cake & \u6771\u4eac-style sandwiches\n"},
    "capabilities": {"card_payments": "active", "transfers": "active", "twint_payments": "pending"},
    "settings": {
        "branding": {"icon": None, "logo": None, "primary_color": "#0a2540"},
        "card_payments": {"decline_on": {"avs_failure": False, "cvc_failure": True},
                          "statement_descriptor_prefix": "CAFE"},
        "payouts": {"debit_negative_balances": True, "schedule": {"delay_days": 2, "interval": "daily"}},
    },
    "requirements": {"current_deadline": None,
                     "currently_due": ["external_account", "tos_acceptance.date", "tos_acceptance.ip"],
                     "errors": [], "eventually_due": ["company.tax_id", "representative.dob.day"]},
}
big["refresh_token"] = known["refresh_token"]
big["fees"] = {"application_fee_percent": 2.5, "minimum": 0.3e1, "maximum": -1,
               "tiers": [[0, 1000, 2.9], [1000, 1e6, 2.4], [1e6, None, 1.9]]}
big["token_type"] = known["token_type"]
big["external_accounts"] = {"object": "list", "data": [
    {"id": "ba_1" + rand(23), "object": "bank_account", "account_holder_name": "Caf\u00e9 Z\u00fcrich GmbH",
     "country": "CH", "currency": "chf", "last4": "3000", "metadata": {}, "routing_number": None},
    {"id": "card_1" + rand(23), "object": "card", "brand": "Visa", "exp_month": 12, "exp_year": 2031,
     "last4": "4242", "metadata": {"note": "backup \\ card \u2014 do not charge"}}],
    "has_more": False, "url": "/v1/accounts/" + acct + "/external_accounts"}
big["stripe_publishable_key"] = known["stripe_publishable_key"]
big["metadata"] = {"platform_user": "u_" + rand(20), "plan": "pro", "signup_source": "kiosk/berlin-3"}
big["stripe_user_id"] = acct
big["scope"] = "read_write"
big["account"]["company"] = {
    "address": {"city": "Z\u00fcrich", "country": "CH", "line1": "Seestrasse 12", "line2": None,
                "postal_code": "8002", "state": "ZH"},
    "name": "Caf\u00e9 Z\u00fcrich GmbH", "phone": "+41445551234", "tax_id_provided": True, "structure": None}
big["tos_acceptance"] = {"date": 1701302400, "ip": "203.0.113.7",
                         "user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"}
big["request_log"] = []


def render():
    text = json.dumps(big, indent=2, ensure_ascii=False) + "\n"
    # Escapes as Stripe writes them, "\/" and \u, in unknown fields only (jsmn does not unescape,
    # so the seven fields stay plain and all three parsers can be checked against each other).
    return text.replace('"/v1/accounts/', '"\\/v1\\/accounts\\/', 1).replace("GmbH", "\\u0047mbH", 1)


# Log entries until it is nearly 4 KiB; a short padding string makes it exactly 4096 bytes.
while len(render().encode()) < 4096 - 160:
    i = len(big["request_log"])
    big["request_log"].append({"at": 1701302400 + i * 17, "path": "/v1/charges",
                               "status": 200 if i % 3 else 402, "ms": 41.5 + i, "retried": i % 4 == 0})
text = render()
need = 4096 - len(text.encode())
padding = '  "padding": "' + "x" * (need - len('  "padding": "",\n')) + '",\n'
assert need >= len('  "padding": "",\n'), need
text = text.replace("{\n", "{\n" + padding, 1)
assert len(text.encode()) == 4096, len(text.encode())
assert json.loads(text)["stripe_user_id"] == acct

pieces = ["https://platform.example.com/stripe/oauth/callback?return_to=/dashboard&lang=de-CH",
          "jo.doe+shop@example.com", "Jo's Caf\u00e9 & Bakery (Z\u00fcrich)", rand(43, string.ascii_letters + "-_"),
          "card_payments", "transfers", "2031-12-01T10:00:00Z", "50% off / first month!", "\u6771\u4eac \u5e97"]
encode = b""
while len(encode) < 1024:
    encode += (rng.choice(pieces) + " ").encode()
encode = encode[:1024]
while True:                       # never end inside a UTF-8 sequence
    try:
        encode.decode()
        break
    except UnicodeDecodeError:
        encode = encode[:-1] + b"."

(HERE / "token_500.json").write_text(small)
(HERE / "token_4k.json").write_text(text)
(HERE / "encode_1k.txt").write_bytes(encode)
print("token_500.json", len(small.encode()), "token_4k.json", len(text.encode()), "encode_1k.txt", len(encode))
