/* fuzz_webhook.c - webhook verification: stripe_connect_webhook_verify (the Stripe-Signature
   header parser and the HMAC check), with stripe_connect_sha256, stripe_connect_hmac_sha256
   and stripe_connect_webhook_event_read on the way.

   Built only when stripe_connect.h declares stripe_connect_webhook_verify (tests/check.d/
   fuzz.sh checks). Links mbedTLS's crypto library, the independent SHA-256 and HMAC here.

   Input: byte 0 flags (bit 0: sign, i.e. put the right MAC wherever the header says "v1=@";
   bit 1: write that MAC in upper-case hex; bit 2: now is an extreme of int64_t), byte 1 picks
   the tolerance (a table below, -1 included), bytes 2-3 a signed offset of now from the
   header's timestamp, then the endpoint secret (a length byte and its bytes), then the header
   up to the first LF, then the payload.

   Checked for every input: the result is exactly what a reference verifier written here from
   the header's documentation gives (the header's entries, the one timestamp of 1..18 digits,
   at least one v1, HMAC-SHA256 by mbedTLS over "<t>.<payload>", the tolerance) - so a forged
   or mangled header is refused and a right one accepted; the library's SHA-256 and HMAC equal
   mbedTLS's; and the event reader gives OK only with a string id and type, zeroes its struct
   on every error and always leaves NUL-terminated fields. */
#define STRIPE_CONNECT_IMPLEMENTATION
#include "../../stripe_connect.h"
#include "fuzz.h"

#include <mbedtls/md.h>

static void reference_hmac(const char *key, size_t key_len, const char *data, size_t n, unsigned char mac[32])
{
    const mbedtls_md_info_t *sha256 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    if (sha256 == NULL ||
        mbedtls_md_hmac(sha256, (const unsigned char *)key, key_len, (const unsigned char *)data, n, mac) != 0)
        abort();
}

/* The header's entries, split at ','. Returns 0 when one is not key=value with both parts
   non-empty; else fills the timestamp (when there is exactly one, of 1..18 digits) and
   counts the v1 entries. */
typedef struct parsed_header {
    int usable;
    const char *t; size_t t_len;
    int64_t seconds;
} parsed_header;

static void reference_parse(const char *header, parsed_header *out)
{
    const char *entry = header;
    int timestamps = 0, signatures = 0, bad = 0;
    memset(out, 0, sizeof *out);
    if (*header == '\0') return;
    for (;;) {
        const char *end = strchr(entry, ',');
        const char *eq;
        size_t n = end != NULL ? (size_t)(end - entry) : strlen(entry), key_len;
        eq = (const char *)memchr(entry, '=', n);
        if (eq == NULL || eq == entry || eq + 1 == entry + n) bad = 1;
        if (!bad) {
            key_len = (size_t)(eq - entry);
            if (key_len == 2 && memcmp(entry, "v1", 2) == 0) signatures++;
            if (key_len == 1 && entry[0] == 't') {
                const char *v = eq + 1;
                size_t v_len = n - key_len - 1, i;
                timestamps++;
                if (v_len > 18) bad = 1;
                for (i = 0; i < v_len && !bad; i++)
                    if (v[i] < '0' || v[i] > '9') bad = 1;
                if (!bad) {
                    out->t = v;
                    out->t_len = v_len;
                    out->seconds = 0;
                    for (i = 0; i < v_len; i++) out->seconds = out->seconds * 10 + (v[i] - '0');
                }
            }
        }
        if (end == NULL) break;
        entry = end + 1;
    }
    out->usable = !bad && timestamps == 1 && signatures > 0;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* 1 when some v1 entry of header spells mac in hex. */
static int reference_match(const char *header, const unsigned char mac[32])
{
    const char *entry = header;
    for (;;) {
        const char *end = strchr(entry, ',');
        size_t n = end != NULL ? (size_t)(end - entry) : strlen(entry), i;
        if (n == 3 + 64 && memcmp(entry, "v1=", 3) == 0) {
            for (i = 0; i < 32; i++) {
                int high = hex_digit(entry[3 + 2 * i]), low = hex_digit(entry[4 + 2 * i]);
                if (high < 0 || low < 0 || (unsigned)(high * 16 + low) != mac[i]) break;
            }
            if (i == 32) return 1;
        }
        if (end == NULL) return 0;
        entry = end + 1;
    }
}

static stripe_connect_result reference_verify(const char *payload, size_t payload_len, const char *header,
                                              const char *secret, long tolerance, int64_t now)
{
    parsed_header h;
    unsigned char mac[32];
    char *signed_text;
    __int128 distance;
    if (tolerance < 0) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    reference_parse(header, &h);
    if (!h.usable) return STRIPE_CONNECT_ERR_SIGNATURE;
    signed_text = (char *)malloc(h.t_len + 1 + payload_len + 1);
    if (signed_text == NULL) abort();
    memcpy(signed_text, h.t, h.t_len);
    signed_text[h.t_len] = '.';
    if (payload_len > 0) memcpy(signed_text + h.t_len + 1, payload, payload_len);
    reference_hmac(secret, strlen(secret), signed_text, h.t_len + 1 + payload_len, mac);
    free(signed_text);
    if (!reference_match(header, mac)) return STRIPE_CONNECT_ERR_SIGNATURE;
    distance = (__int128)now - (__int128)h.seconds;
    if (distance < 0) distance = -distance;
    if (tolerance != 0 && distance > (__int128)tolerance) return STRIPE_CONNECT_ERR_SIGNATURE;
    return STRIPE_CONNECT_OK;
}

/* Replaces every "v1=@" of header with "v1=<the MAC for its timestamp>". */
static char *signed_header(const char *header, const char *secret, const char *payload, size_t payload_len,
                           int upper)
{
    parsed_header h;
    unsigned char mac[32];
    char hex[65], *out, *o, *text;
    const char *p;
    size_t i, markers = 0;
    reference_parse(header, &h);
    if (h.t == NULL) return fuzz_strndup(header, strlen(header));
    text = (char *)malloc(h.t_len + 1 + payload_len + 1);
    if (text == NULL) abort();
    memcpy(text, h.t, h.t_len);
    text[h.t_len] = '.';
    if (payload_len > 0) memcpy(text + h.t_len + 1, payload, payload_len);
    reference_hmac(secret, strlen(secret), text, h.t_len + 1 + payload_len, mac);
    free(text);
    for (i = 0; i < 32; i++) sprintf(hex + 2 * i, upper ? "%02X" : "%02x", mac[i]);
    for (p = header; (p = strstr(p, "v1=@")) != NULL; p += 4) markers++;
    out = o = (char *)malloc(strlen(header) + markers * 64 + 1);
    if (out == NULL) abort();
    for (p = header; *p;) {
        if (strncmp(p, "v1=@", 4) == 0) {
            memcpy(o, "v1=", 3);
            memcpy(o + 3, hex, 64);
            o += 67;
            p += 4;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

static void check_hashes(const char *secret, const char *payload, size_t n)
{
    unsigned char ours[32], theirs[32];
    const mbedtls_md_info_t *sha256 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    stripe_connect_sha256(payload, n, ours);
    if (sha256 == NULL || mbedtls_md(sha256, (const unsigned char *)payload, n, theirs) != 0) abort();
    FUZZ_CHECK(memcmp(ours, theirs, 32) == 0);
    stripe_connect_hmac_sha256(secret, strlen(secret), payload, n, ours);
    reference_hmac(secret, strlen(secret), payload, n, theirs);
    FUZZ_CHECK(memcmp(ours, theirs, 32) == 0);
    fuzz_consume(ours, sizeof ours);
}

static void check_event(const char *payload, size_t n)
{
    stripe_connect_webhook_event e;
    stripe_connect_result r;
    memset(&e, 0x5a, sizeof e);
    r = stripe_connect_webhook_event_read(payload, n, &e);
    fuzz_consume(&e, sizeof e);
    FUZZ_CHECK(r == STRIPE_CONNECT_OK || r == STRIPE_CONNECT_ERR_MALFORMED_JSON ||
               r == STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE);
    FUZZ_CHECK(fuzz_terminated(e.id, sizeof e.id) && fuzz_terminated(e.type, sizeof e.type));
    FUZZ_CHECK(fuzz_terminated(e.account, sizeof e.account) && fuzz_terminated(e.object_id, sizeof e.object_id));
    if (r != STRIPE_CONNECT_OK) {
        FUZZ_CHECK(fuzz_all_zero(&e, sizeof e));
    } else {
        char value[sizeof e.type];
        size_t len = 0;
        FUZZ_CHECK(stripe_connect_json_get_string(payload, n, "id", value, sizeof value, &len) == STRIPE_CONNECT_OK);
        FUZZ_CHECK(strcmp(value, e.id) == 0);
        FUZZ_CHECK(stripe_connect_json_get_string(payload, n, "type", value, sizeof value, &len) == STRIPE_CONNECT_OK);
        FUZZ_CHECK(strcmp(value, e.type) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const long tolerances[8] = { 0, 300, 1, 60, 2147483647L, -1, 5, 86400 };
    fuzz_input in;
    unsigned flags;
    long tolerance;
    int16_t offset;
    int64_t now;
    char *secret, *header, *used_header, *payload;
    const uint8_t *rest, *newline;
    size_t rest_len, payload_len;
    parsed_header h;
    stripe_connect_result r, want;

    fuzz_input_init(&in, data, size);
    flags = fuzz_byte(&in);
    tolerance = tolerances[fuzz_byte(&in) & 7];
    offset = (int16_t)fuzz_u16(&in);
    secret = fuzz_string(&in);
    rest = fuzz_rest(&in, &rest_len);
    newline = (const uint8_t *)memchr(rest, '\n', rest_len);
    if (newline != NULL) {
        header = fuzz_strndup(rest, (size_t)(newline - rest));
        payload_len = rest_len - (size_t)(newline - rest) - 1;
        payload = fuzz_copy(newline + 1, payload_len);
    } else {
        header = fuzz_strndup(rest, rest_len);
        payload_len = 0;
        payload = fuzz_copy("", 0);
    }

    used_header = (flags & 1) ? signed_header(header, secret, payload, payload_len, (flags & 2) != 0)
                              : fuzz_strndup(header, strlen(header));
    reference_parse(used_header, &h);
    if (flags & 4) now = (offset & 1) ? INT64_MAX : INT64_MIN;
    else now = h.seconds + offset;

    r = stripe_connect_webhook_verify(payload, payload_len, used_header, secret, tolerance, now);
    fuzz_consume_int(r);
    want = reference_verify(payload, payload_len, used_header, secret, tolerance, now);
    FUZZ_CHECK(r == want);

    check_hashes(secret, payload, payload_len);
    check_event(payload, payload_len);

    free(used_header);
    free(header);
    free(payload);
    free(secret);
    return 0;
}
