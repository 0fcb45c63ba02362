/* fuzz_json_lookup.c - the JSON lookup helper: stripe_connect_json_get_string, _int and _bool.

   Input: "<cap byte><path>\n<json>": byte 0 is the capacity of the output for get_string
   (0..255), the path runs to the first LF, the rest is the document. Without an LF the whole
   rest is the document and the path is "id".

   Checked for every input:
   - results are the ones the header lists; ERR_INVALID_ARGUMENT exactly for an invalid path
     (empty, a leading '.', "..", a trailing '.');
   - the buffer rules of get_string: OK => strlen(out) == *out_len < cap; BUFFER_TOO_SMALL =>
     out[0] == '\0' (cap > 0) and a second call with cap = *out_len + 1 succeeds with exactly
     that length; the size query (NULL, 0) reports the same length; every other result leaves
     *out_len 0 and out[0] == '\0'; nothing is written past cap (out is exactly cap bytes);
   - a document is ERR_MALFORMED_JSON exactly when a reference validator written here (RFC
     8259 from the grammar up, UTF-8 checked, nesting limited to STRIPE_CONNECT_JSON_MAX_DEPTH)
     refuses it;
   - the three readers agree: the same ERR_MALFORMED_JSON and ERR_NOT_FOUND verdicts; at most
     one of them reads a value; the int and bool outputs are 0 unless OK, and a bool is 0 or 1;
     a string read is well-formed UTF-8 without NUL;
   - get_int on "[<number>]" made of the input's bytes gives what a reference conversion
     gives: the value, ERR_UNEXPECTED_RESPONSE past int64_t or with a fraction,
     ERR_MALFORMED_JSON for a leading zero;
   - wrapping a valid document as {"w":<document>} and asking for "w.<path>" gives the same
     results and the same value (while the document nests less deep than the limit allows). */
#define STRIPE_CONNECT_IMPLEMENTATION
#include "../../stripe_connect.h"
#include "fuzz.h"

static int path_valid(const char *path)
{
    size_t i;
    if (path[0] == '\0' || path[0] == '.') return 0;
    for (i = 0; path[i] != '\0'; i++)
        if (path[i] == '.' && (path[i + 1] == '.' || path[i + 1] == '\0')) return 0;
    return 1;
}

/* The deepest nesting of brackets outside strings (a bound for valid documents). */
static size_t nesting(const char *s, size_t n)
{
    size_t i, depth = 0, deepest = 0;
    int in_string = 0;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\') i++;
            else if (c == '"') in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > deepest) deepest = depth;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }
    return deepest;
}

/* ---- A reference JSON validator (RFC 8259, UTF-8, nesting at most JSON_MAX_DEPTH) ---------------
   Recursive descent, written from the RFC and independent of the library's scanner. */
typedef struct reference_json { const unsigned char *at, *end; } reference_json;

static void ref_space(reference_json *r)
{
    while (r->at < r->end && (*r->at == ' ' || *r->at == '\t' || *r->at == '\n' || *r->at == '\r')) r->at++;
}

static int ref_hex4(reference_json *r, unsigned *unit)
{
    int i;
    *unit = 0;
    if (r->end - r->at < 4) return 0;
    for (i = 0; i < 4; i++) {
        unsigned char c = r->at[i];
        unsigned v;
        if (c >= '0' && c <= '9') v = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v = (unsigned)(c - 'A' + 10);
        else return 0;
        *unit = *unit << 4 | v;
    }
    r->at += 4;
    return 1;
}

static int ref_string(reference_json *r)
{
    r->at++;                                                   /* the opening quote */
    while (r->at < r->end) {
        unsigned char c = *r->at;
        if (c == '"') { r->at++; return 1; }
        if (c < 0x20) return 0;
        if (c == '\\') {
            unsigned unit, low;
            if (++r->at >= r->end) return 0;
            c = *r->at++;
            if (strchr("\"\\/bfnrt", c) != NULL && c != '\0') continue;
            if (c != 'u' || !ref_hex4(r, &unit)) return 0;
            if (unit >= 0xdc00 && unit <= 0xdfff) return 0;     /* a low surrogate alone */
            if (unit >= 0xd800 && unit <= 0xdbff) {             /* a high one needs its low one */
                if (r->end - r->at < 2 || r->at[0] != '\\' || r->at[1] != 'u') return 0;
                r->at += 2;
                if (!ref_hex4(r, &low) || low < 0xdc00 || low > 0xdfff) return 0;
            }
            continue;
        }
        if (c < 0x80) { r->at++; continue; }
        {
            size_t left = (size_t)(r->end - r->at), n;
            if (c >= 0xc2 && c <= 0xdf) n = 2;
            else if (c >= 0xe0 && c <= 0xef) n = 3;
            else if (c >= 0xf0 && c <= 0xf4) n = 4;
            else return 0;
            if (left < n || !fuzz_utf8_valid(r->at, n)) return 0;
            r->at += n;
        }
    }
    return 0;
}

static int ref_digits(reference_json *r)
{
    const unsigned char *start = r->at;
    while (r->at < r->end && *r->at >= '0' && *r->at <= '9') r->at++;
    return r->at > start;
}

static int ref_number(reference_json *r)
{
    if (r->at < r->end && *r->at == '-') r->at++;
    if (r->at < r->end && *r->at == '0') r->at++;
    else if (!(r->at < r->end && *r->at >= '1' && *r->at <= '9') || !ref_digits(r)) return 0;
    if (r->at < r->end && *r->at == '.') {
        r->at++;
        if (!ref_digits(r)) return 0;
    }
    if (r->at < r->end && (*r->at == 'e' || *r->at == 'E')) {
        r->at++;
        if (r->at < r->end && (*r->at == '+' || *r->at == '-')) r->at++;
        if (!ref_digits(r)) return 0;
    }
    return 1;
}

static int ref_word(reference_json *r, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(r->end - r->at) < n || memcmp(r->at, word, n) != 0) return 0;
    r->at += n;
    return 1;
}

static int ref_value(reference_json *r, int depth)
{
    ref_space(r);
    if (r->at >= r->end) return 0;
    switch (*r->at) {
    case '"': return ref_string(r);
    case 't': return ref_word(r, "true");
    case 'f': return ref_word(r, "false");
    case 'n': return ref_word(r, "null");
    case '[': case '{': {
        int object = *r->at == '{';
        char close = object ? '}' : ']';
        if (depth >= STRIPE_CONNECT_JSON_MAX_DEPTH) return 0;
        r->at++;
        ref_space(r);
        if (r->at < r->end && *r->at == close) { r->at++; return 1; }
        for (;;) {
            if (object) {
                ref_space(r);
                if (r->at >= r->end || *r->at != '"' || !ref_string(r)) return 0;
                ref_space(r);
                if (r->at >= r->end || *r->at != ':') return 0;
                r->at++;
            }
            if (!ref_value(r, depth + 1)) return 0;
            ref_space(r);
            if (r->at >= r->end) return 0;
            if (*r->at == close) { r->at++; return 1; }
            if (*r->at != ',') return 0;
            r->at++;
        }
    }
    default: return ref_number(r);
    }
}

static int reference_valid(const char *text, size_t n)
{
    reference_json r;
    r.at = (const unsigned char *)text;
    r.end = r.at + n;
    if (!ref_value(&r, 0)) return 0;
    ref_space(&r);
    return r.at == r.end;
}

typedef struct lookup {
    stripe_connect_result string_result, int_result, bool_result;
    size_t string_len;
    char *string;          /* a heap copy of the whole string (NULL when none was read) */
    int64_t int_value;
    int bool_value;
} lookup;

static int lookup_allowed(stripe_connect_result r)
{
    return r == STRIPE_CONNECT_OK || r == STRIPE_CONNECT_ERR_MALFORMED_JSON || r == STRIPE_CONNECT_ERR_NOT_FOUND ||
           r == STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE || r == STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
}

static void run_lookup(const char *json, size_t len, const char *path, size_t cap, lookup *out)
{
    char *buf = fuzz_alloc(cap, 0x5a);
    size_t n = 12345, query = 12345;
    stripe_connect_result r, q;

    memset(out, 0, sizeof *out);
    r = stripe_connect_json_get_string(json, len, path, buf, cap, &n);
    if (buf != NULL) fuzz_consume(buf, cap);
    FUZZ_CHECK(lookup_allowed(r) || r == STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL);
    q = stripe_connect_json_get_string(json, len, path, NULL, 0, &query);
    out->string_result = r;
    if (r == STRIPE_CONNECT_OK) {
        FUZZ_CHECK(n < cap && strlen(buf) == n);
        FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)buf, n));
        FUZZ_CHECK(q == STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL && query == n);
        out->string = fuzz_strndup(buf, n);
        out->string_len = n;
    } else if (r == STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL) {
        char *exact;
        size_t again = 0;
        FUZZ_CHECK(n >= cap);
        if (cap > 0) FUZZ_CHECK(buf[0] == '\0');
        FUZZ_CHECK(q == STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL && query == n);
        exact = fuzz_alloc(n + 1, 0x5a);
        FUZZ_CHECK(stripe_connect_json_get_string(json, len, path, exact, n + 1, &again) == STRIPE_CONNECT_OK);
        FUZZ_CHECK(again == n && strlen(exact) == n);
        FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)exact, n));
        fuzz_consume(exact, n);
        out->string_result = STRIPE_CONNECT_OK;     /* as with enough room */
        out->string = exact;
        out->string_len = n;
    } else {
        FUZZ_CHECK(n == 0);
        if (cap > 0) FUZZ_CHECK(buf[0] == '\0');
        FUZZ_CHECK(q == r && query == 0);
    }
    free(buf);

    out->int_value = 77;
    out->int_result = stripe_connect_json_get_int(json, len, path, &out->int_value);
    FUZZ_CHECK(lookup_allowed(out->int_result));
    if (out->int_result != STRIPE_CONNECT_OK) FUZZ_CHECK(out->int_value == 0);
    fuzz_consume_int(out->int_value);

    out->bool_value = 77;
    out->bool_result = stripe_connect_json_get_bool(json, len, path, &out->bool_value);
    FUZZ_CHECK(lookup_allowed(out->bool_result));
    FUZZ_CHECK(out->bool_value == 0 || (out->bool_result == STRIPE_CONNECT_OK && out->bool_value == 1));
    fuzz_consume_int(out->bool_value);
}

static void check_consistent(const lookup *l, int valid_path)
{
    stripe_connect_result s = l->string_result, i = l->int_result, b = l->bool_result;
    int found = 0;
    if (!valid_path) {
        FUZZ_CHECK(s == STRIPE_CONNECT_ERR_INVALID_ARGUMENT && i == s && b == s);
        return;
    }
    FUZZ_CHECK(s != STRIPE_CONNECT_ERR_INVALID_ARGUMENT && i != STRIPE_CONNECT_ERR_INVALID_ARGUMENT &&
               b != STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    /* The document's validity and the path's presence do not depend on the value's type. */
    FUZZ_CHECK((s == STRIPE_CONNECT_ERR_MALFORMED_JSON) == (i == STRIPE_CONNECT_ERR_MALFORMED_JSON));
    FUZZ_CHECK((s == STRIPE_CONNECT_ERR_MALFORMED_JSON) == (b == STRIPE_CONNECT_ERR_MALFORMED_JSON));
    FUZZ_CHECK((s == STRIPE_CONNECT_ERR_NOT_FOUND) == (i == STRIPE_CONNECT_ERR_NOT_FOUND));
    FUZZ_CHECK((s == STRIPE_CONNECT_ERR_NOT_FOUND) == (b == STRIPE_CONNECT_ERR_NOT_FOUND));
    found += s == STRIPE_CONNECT_OK;
    found += i == STRIPE_CONNECT_OK;
    found += b == STRIPE_CONNECT_OK;
    FUZZ_CHECK(found <= 1);
}

/* get_int against a reference: a number made of the input's bytes (each one a digit), with a
   sign and a fraction when the capacity byte's low bits say so, as "[<number>]", path "0". */
static void check_number(const uint8_t *bytes, size_t n, unsigned flags)
{
    char doc[40], *p = doc;
    size_t digits = n < 24 ? n : 24, i;
    int negative = (flags & 1) != 0, fraction = (flags & 2) != 0, overflow = 0;
    unsigned __int128 magnitude = 0;
    int64_t value = 77, want = 0;
    stripe_connect_result r, expected;
    if (digits == 0) return;
    *p++ = '[';
    if (negative) *p++ = '-';
    for (i = 0; i < digits; i++) {
        p[i] = (char)('0' + bytes[i] % 10);
        magnitude = magnitude * 10 + (unsigned)(bytes[i] % 10);
    }
    p += digits;
    if (fraction) { memcpy(p, ".0", 2); p += 2; }
    *p++ = ']';
    if (digits > 1 && doc[negative ? 2 : 1] == '0') {
        expected = STRIPE_CONNECT_ERR_MALFORMED_JSON;          /* a leading zero: not JSON */
    } else {
        unsigned __int128 limit = negative ? (unsigned __int128)INT64_MAX + 1 : (unsigned __int128)INT64_MAX;
        overflow = magnitude > limit;
        expected = fraction || overflow ? STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE : STRIPE_CONNECT_OK;
        if (expected == STRIPE_CONNECT_OK)
            want = negative ? (int64_t)(0 - (uint64_t)magnitude) : (int64_t)magnitude;
    }
    r = stripe_connect_json_get_int(doc, (size_t)(p - doc), "0", &value);
    fuzz_consume_int(value);
    FUZZ_CHECK(r == expected);
    FUZZ_CHECK(value == (expected == STRIPE_CONNECT_OK ? want : 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    const uint8_t *rest, *newline;
    size_t rest_len, len, cap;
    char *path, *json, *wrapped, *wrapped_path;
    lookup plain, inside;
    int valid_path;

    fuzz_input_init(&in, data, size);
    cap = fuzz_byte(&in);
    rest = fuzz_rest(&in, &rest_len);
    newline = (const uint8_t *)memchr(rest, '\n', rest_len);
    if (newline != NULL) {
        path = fuzz_strndup(rest, (size_t)(newline - rest));
        len = rest_len - (size_t)(newline - rest) - 1;
        json = fuzz_copy(newline + 1, len);
    } else {
        path = fuzz_strndup("id", 2);
        len = rest_len;
        json = fuzz_copy(rest, len);
    }
    valid_path = path_valid(path);

    run_lookup(json, len, path, cap, &plain);
    check_consistent(&plain, valid_path);
    if (valid_path)
        FUZZ_CHECK((plain.bool_result == STRIPE_CONNECT_ERR_MALFORMED_JSON) == !reference_valid(json, len));

    /* The same document one level down. Only from a valid document: an invalid one can turn
       valid inside the wrapper ("[],\"x\":1" in {"w":...}). */
    if (plain.string_result != STRIPE_CONNECT_ERR_MALFORMED_JSON && nesting(json, len) < STRIPE_CONNECT_JSON_MAX_DEPTH) {
        wrapped = (char *)malloc(len + 7);
        wrapped_path = (char *)malloc(strlen(path) + 3);
        if (wrapped == NULL || wrapped_path == NULL) abort();
        memcpy(wrapped, "{\"w\":", 5);
        memcpy(wrapped + 5, json, len);
        wrapped[5 + len] = '}';
        sprintf(wrapped_path, "w.%s", path);
        run_lookup(wrapped, len + 6, wrapped_path, cap, &inside);
        check_consistent(&inside, valid_path);
        FUZZ_CHECK(inside.string_result == plain.string_result);
        FUZZ_CHECK(inside.int_result == plain.int_result && inside.int_value == plain.int_value);
        FUZZ_CHECK(inside.bool_result == plain.bool_result && inside.bool_value == plain.bool_value);
        FUZZ_CHECK(inside.string_len == plain.string_len);
        if (plain.string != NULL)
            FUZZ_CHECK(inside.string != NULL && memcmp(inside.string, plain.string, plain.string_len) == 0);
        free(inside.string);
        free(wrapped);
        free(wrapped_path);
    }
    free(plain.string);
    free(path);
    free(json);
    check_number(rest, rest_len, (unsigned)cap);
    return 0;
}
