/* fuzz_percent.c - stripe_connect_percent_encode and stripe_connect_percent_decode.

   Input: byte 0 picks the output capacity for the first call of each function (0..255); the
   rest is the text.

   Checked for every input:
   - encode, then decode, gives back the text exactly; the encoding holds only A-Z a-z 0-9
     - . _ ~ and %XX with upper-case hex, and is as long as the rule says;
   - decode of the raw text agrees byte for byte with a reference decoder written here
     (%XX in either case is the byte, '+' a space, a '%' without two hex digits refused), and
     decode(encode(decode(text))) is decode(text);
   - the buffer rules for both, with the capacity from the input: OK => out[*out_len] == '\0'
     and *out_len < cap (for encode strlen(out) == *out_len: no NUL can come out);
     BUFFER_TOO_SMALL => out[0] == '\0' (cap > 0) and a second call with cap = *out_len + 1
     succeeds with exactly that length; the size query (NULL, 0) reports the same length; a
     refused decode leaves *out_len 0 and out[0] == '\0'; nothing is ever written past cap
     (each output is a heap block of exactly cap bytes);
   - the form builder, with the text's halves as key and value ("k=v&v=k"), writes exactly
     what a reference writes (keys keep '[' and ']'), with the same buffer rules. */
#define STRIPE_CONNECT_IMPLEMENTATION
#include "../../stripe_connect.h"
#include "fuzz.h"

typedef stripe_connect_result (*coder)(const char *in, size_t in_len, char *out, size_t cap, size_t *out_len);

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The reference: returns the decoded length, or -1 for a bad '%'. out has room for n bytes. */
static long reference_decode(const unsigned char *in, size_t n, unsigned char *out)
{
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        if (in[i] == '+') {
            out[o++] = ' ';
        } else if (in[i] == '%') {
            if (i + 2 >= n) return -1;
            if (hex_value(in[i + 1]) < 0 || hex_value(in[i + 2]) < 0) return -1;
            out[o++] = (unsigned char)(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
            i += 2;
        } else {
            out[o++] = in[i];
        }
    }
    return (long)o;
}

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

/* Runs f with cap, checks the buffer rules, and returns the whole output (heap, *len bytes
   plus a NUL) or NULL when f refused the input (*result says how). */
static char *run(coder f, const char *in, size_t n, size_t cap, size_t *len, stripe_connect_result *result)
{
    char *out = fuzz_alloc(cap, 0x5a), *exact;
    size_t got = 12345, query = 12345, again = 12345;
    stripe_connect_result r = f(in, n, out, cap, &got), q;
    q = f(in, n, NULL, 0, &query);
    if (out != NULL) fuzz_consume(out, cap);
    *result = r;
    if (r == STRIPE_CONNECT_ERR_INVALID_ARGUMENT) {
        FUZZ_CHECK(got == 0 && (cap == 0 || out[0] == '\0'));
        FUZZ_CHECK(q == r && query == 0);
        free(out);
        return NULL;
    }
    FUZZ_CHECK(q == STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL && query == got);
    if (r == STRIPE_CONNECT_OK) {
        FUZZ_CHECK(got < cap && out[got] == '\0');
        *len = got;
        return out;
    }
    FUZZ_CHECK(r == STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL);
    FUZZ_CHECK(got + 1 > cap);
    if (cap > 0) FUZZ_CHECK(out[0] == '\0');
    free(out);
    exact = fuzz_alloc(got + 1, 0x5a);
    FUZZ_CHECK(f(in, n, exact, got + 1, &again) == STRIPE_CONNECT_OK);
    FUZZ_CHECK(again == got && exact[got] == '\0');
    fuzz_consume(exact, got + 1);
    *len = got;
    return exact;
}

/* The form builder, the encoder's other user: "<key>=<value>&<value>=<key>" with '[' and ']'
   kept in keys, against a reference; the buffer rules of stripe_connect_form_finish. */
static size_t reference_form_part(const char *s, int is_key, char *out)
{
    size_t o = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (unreserved(c) || (is_key && (c == '[' || c == ']'))) {
            if (out != NULL) out[o] = (char)c;
            o++;
        } else {
            if (out != NULL) sprintf(out + o, "%%%02X", c);
            o += 3;
        }
    }
    return o;
}

static void check_form(const char *text, size_t n, size_t cap)
{
    char *key = fuzz_strndup(text, n / 2), *value = fuzz_strndup(text + n / 2, n - n / 2);
    char *want, *buf;
    size_t want_len = 0, got = 12345;
    stripe_connect_form form;
    stripe_connect_result r;
    int pass;

    want_len = reference_form_part(key, 1, NULL) + 1 + reference_form_part(value, 0, NULL) + 1 +
               reference_form_part(value, 1, NULL) + 1 + reference_form_part(key, 0, NULL);
    want = (char *)malloc(want_len + 4 * 3 + 1);
    if (want == NULL) abort();
    want_len = reference_form_part(key, 1, want);
    want[want_len++] = '=';
    want_len += reference_form_part(value, 0, want + want_len);
    want[want_len++] = '&';
    want_len += reference_form_part(value, 1, want + want_len);
    want[want_len++] = '=';
    want_len += reference_form_part(key, 0, want + want_len);

    for (pass = 0; pass < 2; pass++) {
        size_t size = pass == 0 ? cap : want_len + 1;
        buf = fuzz_alloc(size, 0x5a);
        stripe_connect_form_init(&form, buf, size);
        stripe_connect_form_add(&form, key, value);
        stripe_connect_form_add(&form, value, key);
        r = stripe_connect_form_finish(&form, &got);
        if (buf != NULL) fuzz_consume(buf, size);
        FUZZ_CHECK(got == want_len);
        if (r == STRIPE_CONNECT_OK) {
            FUZZ_CHECK(got < size && strlen(buf) == got && memcmp(buf, want, got) == 0);
        } else {
            FUZZ_CHECK(pass == 0 && r == STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL && got + 1 > size);
            if (size > 0) FUZZ_CHECK(buf[0] == '\0');
        }
        free(buf);
    }
    free(want);
    free(key);
    free(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    size_t cap, n, encoded_len = 0, decoded_len = 0, again_len = 0, want_len = 0, i, twice_len = 0;
    const uint8_t *text_bytes;
    char *text, *encoded, *decoded, *reencoded, *twice;
    unsigned char *reference;
    long reference_len;
    stripe_connect_result r;

    fuzz_input_init(&in, data, size);
    cap = fuzz_byte(&in);
    text_bytes = fuzz_rest(&in, &n);
    text = fuzz_copy(text_bytes, n);

    /* Encode: only the allowed bytes, upper-case hex, the right length; decodes back exactly. */
    encoded = run(stripe_connect_percent_encode, text, n, cap, &encoded_len, &r);
    FUZZ_CHECK(encoded != NULL && r != STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    for (i = 0; i < n; i++) want_len += unreserved((unsigned char)text[i]) ? 1 : 3;
    FUZZ_CHECK(encoded_len == want_len && strlen(encoded) == encoded_len);
    for (i = 0; i < encoded_len; i++) {
        unsigned char c = (unsigned char)encoded[i];
        if (c == '%') {
            FUZZ_CHECK(i + 2 < encoded_len);
            FUZZ_CHECK(strchr("0123456789ABCDEF", encoded[i + 1]) != NULL && encoded[i + 1] != '\0');
            FUZZ_CHECK(strchr("0123456789ABCDEF", encoded[i + 2]) != NULL && encoded[i + 2] != '\0');
            FUZZ_CHECK(!unreserved((unsigned char)(hex_value((unsigned char)encoded[i + 1]) * 16 +
                                                   hex_value((unsigned char)encoded[i + 2]))));
            i += 2;
        } else {
            FUZZ_CHECK(unreserved(c));
        }
    }
    decoded = run(stripe_connect_percent_decode, encoded, encoded_len, cap, &decoded_len, &r);
    FUZZ_CHECK(decoded != NULL);
    FUZZ_CHECK(decoded_len == n && memcmp(decoded, text, n) == 0);
    free(decoded);
    free(encoded);

    /* Decode of the raw text, against the reference. */
    reference = (unsigned char *)malloc(n + 1);
    if (reference == NULL) abort();
    reference_len = reference_decode((const unsigned char *)text, n, reference);
    decoded = run(stripe_connect_percent_decode, text, n, cap, &decoded_len, &r);
    if (reference_len < 0) {
        FUZZ_CHECK(decoded == NULL && r == STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    } else {
        FUZZ_CHECK(decoded != NULL);
        FUZZ_CHECK(decoded_len == (size_t)reference_len && memcmp(decoded, reference, decoded_len) == 0);
        FUZZ_CHECK(decoded_len <= n);
        /* decode(encode(decode(text))) == decode(text) */
        reencoded = run(stripe_connect_percent_encode, decoded, decoded_len, cap, &again_len, &r);
        FUZZ_CHECK(reencoded != NULL);
        twice = run(stripe_connect_percent_decode, reencoded, again_len, cap, &twice_len, &r);
        FUZZ_CHECK(twice != NULL && twice_len == decoded_len && memcmp(twice, decoded, decoded_len) == 0);
        free(twice);
        free(reencoded);
        free(decoded);
    }
    free(reference);

    check_form(text, n, cap);
    free(text);
    return 0;
}
