/* fuzz_redirect.c - the redirect back to redirect_uri: stripe_connect_parse_redirect, without
   and with expected_state.

   Input: the redirect (a URL, a path with a query or a bare query), up to the first byte
   0x01 if there is one; after that byte, an expected state to try.

   Checked for every input:
   - the result and every field equal what a reference parser written here from the header's
     comment gives (query after the first '?' up to a '#', pairs split at '&' and '=', form
     decoding, known names code scope state error error_description, repeats, NULs, lengths,
     error_description cut to whole UTF-8 characters, neither or both of code and error, the
     state check); ignored parameters must still be well-formed;
   - without expected_state the result is OK, ERR_OAUTH or ERR_MALFORMED_REDIRECT; on
     ERR_MALFORMED_REDIRECT the struct is all zero; on OK error is NONE, error_code "" and
     no error_description; on ERR_OAUTH code is "" and error matches error_code; every field is
     NUL-terminated inside its array;
   - with expected_state: its own state gives the same result (or ERR_STATE_MISMATCH when
     state was empty, for then it may have been absent); that state with one more byte gives
     ERR_STATE_MISMATCH; the state from the input gives the same result or
     ERR_STATE_MISMATCH, and a mismatch only where the plain parse was OK or ERR_OAUTH;
   - where the input has no '?' and no '#', the same query behind "https://h.test/cb?", behind
     "?" and with "#frag" after it parses to the same result and the same struct. */
#define STRIPE_CONNECT_IMPLEMENTATION
#include "../../stripe_connect.h"
#include "fuzz.h"

static stripe_connect_oauth_error oauth_error_of(const char *code)
{
    static const char *const names[] = { "", "access_denied", "invalid_redirect_uri", "invalid_request",
                                         "invalid_scope", "unsupported_response_type", "invalid_grant",
                                         "unsupported_grant_type", "invalid_client" };
    size_t i;
    for (i = 1; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(code, names[i]) == 0) return (stripe_connect_oauth_error)i;
    return STRIPE_CONNECT_OAUTH_OTHER;
}

static void check_redirect(const stripe_connect_redirect *r, stripe_connect_result res)
{
    fuzz_consume(r, sizeof *r);
    if (res != STRIPE_CONNECT_OK && res != STRIPE_CONNECT_ERR_OAUTH) {
        FUZZ_CHECK(fuzz_all_zero(r, sizeof *r));
        return;
    }
    FUZZ_CHECK(fuzz_terminated(r->code, sizeof r->code));
    FUZZ_CHECK(fuzz_terminated(r->scope, sizeof r->scope));
    FUZZ_CHECK(fuzz_terminated(r->state, sizeof r->state));
    FUZZ_CHECK(fuzz_terminated(r->error_code, sizeof r->error_code));
    FUZZ_CHECK(fuzz_terminated(r->error_description, sizeof r->error_description));
    if (res == STRIPE_CONNECT_OK) {
        FUZZ_CHECK(r->error == STRIPE_CONNECT_OAUTH_NONE && r->error_code[0] == '\0');
    } else {
        FUZZ_CHECK(r->code[0] == '\0');
        FUZZ_CHECK(r->error != STRIPE_CONNECT_OAUTH_NONE && r->error == oauth_error_of(r->error_code));
    }
}

/* ---- A reference parser, written from the header's comment --------------------------------------
   Decodes form-encoding into a heap copy; returns NULL for a '%' without two hex digits. */
static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static char *reference_decode(const char *s, size_t n, size_t *len)
{
    char *out = (char *)malloc(n + 1);
    size_t i, o = 0;
    if (out == NULL) abort();
    for (i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] != '%') {
            out[o++] = s[i];
        } else if (i + 2 < n && hex_value((unsigned char)s[i + 1]) >= 0 && hex_value((unsigned char)s[i + 2]) >= 0) {
            out[o++] = (char)(hex_value((unsigned char)s[i + 1]) * 16 + hex_value((unsigned char)s[i + 2]));
            i += 2;
        } else {
            free(out);
            return NULL;
        }
    }
    out[o] = '\0';
    *len = o;
    return out;
}

/* Copies value (n bytes, no NUL) into field[cap]: whole, or refused (returns 0) when too long,
   or - when cut is set - cut to whole UTF-8 characters. */
static int reference_store(char *field, size_t cap, const char *value, size_t n, int cut)
{
    if (n >= cap) {
        if (!cut) return 0;
        n = cap - 1;
        if (fuzz_utf8_valid((const unsigned char *)value, strlen(value)))
            while (n > 0 && ((unsigned char)value[n] & 0xc0) == 0x80) n--;   /* back to a lead byte */
    }
    memcpy(field, value, n);
    field[n] = '\0';
    return 1;
}

static stripe_connect_result reference_parse(const char *url, size_t n, const char *expected,
                                             stripe_connect_redirect *out)
{
    size_t start = 0, end = n, i, at;
    int seen_code = 0, seen_state = 0, seen_error = 0, malformed = 0;
    memset(out, 0, sizeof *out);
    for (i = 0; i < n; i++)
        if (url[i] == '#') { end = i; break; }
    for (i = 0; i < end; i++)
        if (url[i] == '?') { start = i + 1; break; }
    for (at = start; at <= end && !malformed;) {
        size_t stop = at, eq, key_len = 0, value_len = 0;
        char *key, *value;
        while (stop < end && url[stop] != '&') stop++;
        eq = at;
        while (eq < stop && url[eq] != '=') eq++;
        if (eq == stop) {                                           /* no '=': only well-formed */
            value = reference_decode(url + at, stop - at, &value_len);
            if (value == NULL) malformed = 1;
            free(value);
        } else {
            key = reference_decode(url + at, eq - at, &key_len);
            value = reference_decode(url + eq + 1, stop - eq - 1, &value_len);
            if (key == NULL || value == NULL) {
                malformed = 1;
            } else if (strlen(key) == key_len) {                    /* a key with NUL is no name */
                int *seen = strcmp(key, "code") == 0 ? &seen_code : strcmp(key, "state") == 0 ? &seen_state :
                            strcmp(key, "error") == 0 ? &seen_error : NULL;
                int known = seen != NULL || strcmp(key, "scope") == 0 || strcmp(key, "error_description") == 0;
                if (seen != NULL && *seen) malformed = 1;
                if (seen != NULL) *seen = 1;
                if (known && strlen(value) != value_len) malformed = 1;
                if (!malformed && known) {
                    if (strcmp(key, "code") == 0) malformed = !reference_store(out->code, sizeof out->code, value, value_len, 0);
                    if (strcmp(key, "state") == 0) malformed = !reference_store(out->state, sizeof out->state, value, value_len, 0);
                    if (strcmp(key, "scope") == 0) malformed = !reference_store(out->scope, sizeof out->scope, value, value_len, 0);
                    if (strcmp(key, "error") == 0)
                        malformed = !reference_store(out->error_code, sizeof out->error_code, value, value_len, 0);
                    if (strcmp(key, "error_description") == 0)
                        reference_store(out->error_description, sizeof out->error_description, value, value_len, 1);
                }
            }
            free(key);
            free(value);
        }
        at = stop + 1;
    }
    if (malformed || seen_code == seen_error) {
        memset(out, 0, sizeof *out);
        return STRIPE_CONNECT_ERR_MALFORMED_REDIRECT;
    }
    if (expected != NULL && (!seen_state || strcmp(out->state, expected) != 0)) {
        memset(out, 0, sizeof *out);
        return STRIPE_CONNECT_ERR_STATE_MISMATCH;
    }
    if (seen_error) {
        out->error = oauth_error_of(out->error_code);
        return STRIPE_CONNECT_ERR_OAUTH;
    }
    return STRIPE_CONNECT_OK;
}

/* The library against the reference: the same result and the same struct. A cut
   error_description of text that is not UTF-8 need only be a long enough prefix. */
static void same_as_reference(const char *url, size_t n, const char *expected, stripe_connect_result res,
                              const stripe_connect_redirect *got)
{
    stripe_connect_redirect want;
    size_t got_len, want_len;
    FUZZ_CHECK(reference_parse(url, n, expected, &want) == res);
    FUZZ_CHECK(strcmp(got->code, want.code) == 0 && strcmp(got->state, want.state) == 0);
    FUZZ_CHECK(strcmp(got->scope, want.scope) == 0 && strcmp(got->error_code, want.error_code) == 0);
    FUZZ_CHECK(got->error == want.error);
    got_len = strlen(got->error_description);
    want_len = strlen(want.error_description);
    if (want_len < sizeof want.error_description - 1 - 3 ||
        fuzz_utf8_valid((const unsigned char *)want.error_description, want_len)) {
        FUZZ_CHECK(got_len == want_len && memcmp(got->error_description, want.error_description, got_len) == 0);
    } else {
        FUZZ_CHECK(got_len + 3 >= sizeof want.error_description - 1 && got_len <= want_len &&
                   memcmp(got->error_description, want.error_description, got_len) == 0);
    }
}

/* Parses text[0..n) (an exact-size copy) with expected. */
static stripe_connect_result parse(const char *text, size_t n, const char *expected, stripe_connect_redirect *out)
{
    char *copy = fuzz_copy(text, n);
    stripe_connect_result res;
    memset(out, 0x5a, sizeof *out);
    res = stripe_connect_parse_redirect(copy, n, expected, out);
    free(copy);
    fuzz_consume_int(res);
    check_redirect(out, res);
    return res;
}

/* prefix + url + suffix parses as url does. */
static void same_as(const char *url, size_t n, const char *prefix, const char *suffix,
                    stripe_connect_result want, const stripe_connect_redirect *want_out)
{
    size_t p = strlen(prefix), s = strlen(suffix);
    char *text = (char *)malloc(p + n + s + 1);
    stripe_connect_redirect out;
    if (text == NULL) abort();
    memcpy(text, prefix, p);
    memcpy(text + p, url, n);
    memcpy(text + p + n, suffix, s);
    FUZZ_CHECK(parse(text, p + n + s, NULL, &out) == want);
    FUZZ_CHECK(memcmp(&out, want_out, sizeof out) == 0);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *split = (const uint8_t *)memchr(data, 0x01, size);
    size_t n = split != NULL ? (size_t)(split - data) : size;
    const char *url = (const char *)data;
    char *expected, *longer;
    stripe_connect_redirect plain, with;
    stripe_connect_result res, r;

    res = parse(url, n, NULL, &plain);
    FUZZ_CHECK(res == STRIPE_CONNECT_OK || res == STRIPE_CONNECT_ERR_OAUTH ||
               res == STRIPE_CONNECT_ERR_MALFORMED_REDIRECT);
    same_as_reference(url, n, NULL, res, &plain);
    if (n == 0) FUZZ_CHECK(res == STRIPE_CONNECT_ERR_MALFORMED_REDIRECT);

    /* Its own state. */
    expected = fuzz_strndup(plain.state, strlen(plain.state));
    r = parse(url, n, expected, &with);
    if (plain.state[0] != '\0' || r != STRIPE_CONNECT_ERR_STATE_MISMATCH) {
        FUZZ_CHECK(r == res);
        FUZZ_CHECK(memcmp(&with, &plain, sizeof with) == 0);
    } else {
        FUZZ_CHECK(res == STRIPE_CONNECT_OK || res == STRIPE_CONNECT_ERR_OAUTH);
    }
    /* Its state and one more byte. */
    longer = (char *)malloc(strlen(expected) + 2);
    if (longer == NULL) abort();
    sprintf(longer, "%sx", expected);
    r = parse(url, n, longer, &with);
    FUZZ_CHECK(r == (res == STRIPE_CONNECT_ERR_MALFORMED_REDIRECT ? res : STRIPE_CONNECT_ERR_STATE_MISMATCH));
    free(longer);
    free(expected);

    /* The state the input names. */
    if (split != NULL) {
        expected = fuzz_strndup(split + 1, size - n - 1);
        r = parse(url, n, expected, &with);
        same_as_reference(url, n, expected, r, &with);
        if (res == STRIPE_CONNECT_ERR_MALFORMED_REDIRECT) {
            FUZZ_CHECK(r == res);
        } else if (r == STRIPE_CONNECT_ERR_STATE_MISMATCH) {
            FUZZ_CHECK(res == STRIPE_CONNECT_OK || res == STRIPE_CONNECT_ERR_OAUTH);
            FUZZ_CHECK(strcmp(plain.state, expected) != 0 || plain.state[0] == '\0');
        } else {
            FUZZ_CHECK(r == res && strcmp(plain.state, expected) == 0);
            FUZZ_CHECK(memcmp(&with, &plain, sizeof with) == 0);
        }
        free(expected);
    }

    /* The same query in other clothes. */
    if (memchr(url, '?', n) == NULL && memchr(url, '#', n) == NULL) {
        same_as(url, n, "https://h.test/cb?", "", res, &plain);
        same_as(url, n, "?", "", res, &plain);
        same_as(url, n, "/cb?", "#frag?code=x&error=y", res, &plain);
    }
    return 0;
}
