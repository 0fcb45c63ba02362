/* test_encoding.c - percent-encoding, percent-decoding and the form builder.

   The one encoding (DESIGN.md, "OAuth"): A-Z a-z 0-9 - . _ ~ stay, every
   other byte becomes %XX with upper-case hex; in form keys '[' and ']' stay
   too. Decoding is application/x-www-form-urlencoded: %XX in either case,
   '+' is a space, a '%' without two hex digits is refused.
 */
#include "../../stripe_connect.h"
#include "test.h"
#include "checks.h"

#include <stdio.h>
#include <string.h>


/* ---- percent_encode ------------------------------------------------------------------------ */

typedef struct byte_input { const char *in; size_t in_len; } byte_input;

static stripe_connect_result produce_encoded(const void *input, char *out, size_t cap, size_t *out_len)
{
    const byte_input *b = (const byte_input *)input;
    return stripe_connect_percent_encode(b->in, b->in_len, out, cap, out_len);
}

static stripe_connect_result produce_decoded(const void *input, char *out, size_t cap, size_t *out_len)
{
    const byte_input *b = (const byte_input *)input;
    return stripe_connect_percent_decode(b->in, b->in_len, out, cap, out_len);
}

typedef struct encode_row {
    const char *name;
    const char *in; size_t in_len;
    const char *want;
} encode_row;

static const encode_row encode_rows[] = {
    { "percent_encode: empty input gives \"\"", "", 0, "" },
    { "percent_encode: unreserved A-Z a-z 0-9 - . _ ~ stay as they are",
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~", 66,
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~" },
    { "percent_encode: a space is %20, never '+'", "a b", 3, "a%20b" },
    { "percent_encode: '+' is %2B", "a+b", 3, "a%2Bb" },
    { "percent_encode: '%' is %25", "100%", 4, "100%25" },
    { "percent_encode: URL delimiters : / ? # [ ] @ are encoded",
      ":/?#[]@", 7, "%3A%2F%3F%23%5B%5D%40" },
    { "percent_encode: sub-delimiters ! $ & ' ( ) * + , ; = are encoded",
      "!$&'()*+,;=", 11, "%21%24%26%27%28%29%2A%2B%2C%3B%3D" },
    { "percent_encode: other ASCII punctuation \" < > \\ ^ ` { | } is encoded",
      "\"<>\\^`{|}", 9, "%22%3C%3E%5C%5E%60%7B%7C%7D" },
    { "percent_encode: hex digits are upper-case", "\xab\xcd\xef", 3, "%AB%CD%EF" },
    { "percent_encode: bytes 0x80 and 0xFF", "\x80\xff", 2, "%80%FF" },
    { "percent_encode: control bytes \\t \\n \\r 0x7F", "\t\n\r\x7f", 4, "%09%0A%0D%7F" },
    { "percent_encode: a NUL byte inside in_len is %00", "a\0b", 3, "a%00b" },
    { "percent_encode: UTF-8 is encoded byte by byte (kanji)", "\xe6\xbc\xa2\xe5\xad\x97", 6,
      "%E6%BC%A2%E5%AD%97" },
    { "percent_encode: only in_len bytes are read", "abc", 2, "ab" },
    { "percent_encode: an email address", "test@example.com", 16, "test%40example.com" },
    { "percent_encode: a URL", "https://example.com/profile/test", 32,
      "https%3A%2F%2Fexample.com%2Fprofile%2Ftest" },
};

static void test_percent_encode_rows(void)
{
    size_t i, out_len;
    char out[256];
    stripe_connect_result r;

    for (i = 0; i < sizeof encode_rows / sizeof encode_rows[0]; i++) {
        const encode_row *row = &encode_rows[i];
        test_begin(row->name);
        memset(out, CANARY, sizeof out);
        out_len = 99999;
        r = stripe_connect_percent_encode(row->in, row->in_len, out, sizeof out, &out_len);
        CHECK_INT(r, STRIPE_CONNECT_OK);
        CHECK_INT(out_len, strlen(row->want));
        CHECK_STR(out, row->want);
        test_end();
    }
}

static int is_unreserved(int b)
{
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') ||
           b == '-' || b == '.' || b == '_' || b == '~';
}

static void percent_encode_single_bytes_are_kept_or_upper_case_hex(void)
{
    int b;
    char in[1], out[8], want[8];
    size_t out_len;
    stripe_connect_result r;

    for (b = 0; b < 256; b++) {
        in[0] = (char)b;
        if (is_unreserved(b)) snprintf(want, sizeof want, "%c", b);
        else snprintf(want, sizeof want, "%%%02X", b);
        r = stripe_connect_percent_encode(in, 1, out, sizeof out, &out_len);
        CHECK_INT(r, STRIPE_CONNECT_OK);
        CHECK_STR(out, want);
        if (r != STRIPE_CONNECT_OK || strcmp(out, want) != 0) break;
    }
}

static void percent_encode_refuses_null_arguments(void)
{
    char out[16];
    size_t out_len;
    CHECK_INT(stripe_connect_percent_encode(NULL, 0, out, sizeof out, &out_len),
              STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_INT(stripe_connect_percent_encode(NULL, 3, out, sizeof out, &out_len),
              STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_INT(stripe_connect_percent_encode("abc", 3, out, sizeof out, NULL),
              STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    /* out NULL is a size query only with cap 0 */
    CHECK_INT(stripe_connect_percent_encode("abc", 3, NULL, sizeof out, &out_len),
              STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
}

static void test_percent_encode_buffer_rules(void)
{
    static const byte_input a_space_b = { "a b", 3 };
    static const byte_input with_nul = { "x\0/y", 4 };
    static const byte_input plain = { "abc", 3 };
    static const byte_input empty = { "", 0 };
    check_text_buffer_rules("percent_encode(\"a b\") -> \"a%20b\"", produce_encoded, &a_space_b, "a%20b", 5);
    check_text_buffer_rules("percent_encode(\"x\\0/y\") -> \"x%00%2Fy\"", produce_encoded, &with_nul,
                            "x%00%2Fy", 8);
    check_text_buffer_rules("percent_encode(\"abc\") -> \"abc\"", produce_encoded, &plain, "abc", 3);
    check_text_buffer_rules("percent_encode(\"\") -> \"\"", produce_encoded, &empty, "", 0);
}

/* ---- percent_decode ------------------------------------------------------------------------ */

typedef struct decode_row {
    const char *name;
    const char *in;
    const char *want; size_t want_len;
} decode_row;

static const decode_row decode_rows[] = {
    { "percent_decode: empty input gives \"\"", "", "", 0 },
    { "percent_decode: plain text is copied", "ac_123-.~", "ac_123-.~", 9 },
    { "percent_decode: '+' is a space", "a+b++", "a b  ", 5 },
    { "percent_decode: %20 is a space", "a%20b", "a b", 3 },
    { "percent_decode: %2B is '+', not a space", "a%2Bb", "a+b", 3 },
    { "percent_decode: upper-case hex", "%4A%4B", "JK", 2 },
    { "percent_decode: lower-case hex", "%4a%4b", "JK", 2 },
    { "percent_decode: mixed-case hex", "%e6%BC%a2", "\xe6\xbc\xa2", 3 },
    { "percent_decode: %FF is the byte 0xFF", "%FF%ff", "\xff\xff", 2 },
    { "percent_decode: %00 is a NUL byte counted in *out_len", "%00", "\0", 1 },
    { "percent_decode: a NUL inside the text", "a%00b", "a\0b", 3 },
    { "percent_decode: %25 is '%', decoded once", "%2541", "%41", 3 },
    { "percent_decode: unencoded delimiters are copied", "https://x/y?z", "https://x/y?z", 13 },
    { "percent_decode: a URL", "https%3A%2F%2Fexample.com%2Fprofile%2Ftest",
      "https://example.com/profile/test", 32 },
};

static void test_percent_decode_rows(void)
{
    size_t i, out_len;
    char out[256];
    stripe_connect_result r;

    for (i = 0; i < sizeof decode_rows / sizeof decode_rows[0]; i++) {
        const decode_row *row = &decode_rows[i];
        test_begin(row->name);
        memset(out, CANARY, sizeof out);
        out_len = 99999;
        r = stripe_connect_percent_decode(row->in, strlen(row->in), out, sizeof out, &out_len);
        CHECK_INT(r, STRIPE_CONNECT_OK);
        CHECK_MEM(out, out_len, row->want, row->want_len);
        CHECK_INT(out[row->want_len], '\0');
        test_end();
    }
}

typedef struct bad_decode_row { const char *name; const char *in; } bad_decode_row;

static const bad_decode_row bad_decode_rows[] = {
    { "percent_decode: a lone '%' is ERR_INVALID_ARGUMENT", "%" },
    { "percent_decode: '%' with one hex digit at the end is ERR_INVALID_ARGUMENT", "%4" },
    { "percent_decode: \"%zz\" is ERR_INVALID_ARGUMENT", "%zz" },
    { "percent_decode: \"%4g\" (second digit not hex) is ERR_INVALID_ARGUMENT", "%4g" },
    { "percent_decode: \"%g4\" (first digit not hex) is ERR_INVALID_ARGUMENT", "%g4" },
    { "percent_decode: a '%' at the end of longer text is ERR_INVALID_ARGUMENT", "abc%" },
    { "percent_decode: \"%4\" at the end of longer text is ERR_INVALID_ARGUMENT", "abc%4" },
    { "percent_decode: \"%%41\" is ERR_INVALID_ARGUMENT", "%%41" },
    { "percent_decode: \"% 41\" (a space after '%') is ERR_INVALID_ARGUMENT", "% 41" },
    { "percent_decode: \"%+1\" is ERR_INVALID_ARGUMENT", "%+1" },
    { "percent_decode: a bad escape after good ones is ERR_INVALID_ARGUMENT", "a%20b%2x" },
};

static void test_percent_decode_refuses_bad_escapes(void)
{
    size_t i, out_len;
    char out[64];

    for (i = 0; i < sizeof bad_decode_rows / sizeof bad_decode_rows[0]; i++) {
        const bad_decode_row *row = &bad_decode_rows[i];
        test_begin(row->name);
        CHECK_INT(stripe_connect_percent_decode(row->in, strlen(row->in), out, sizeof out, &out_len),
                  STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
        test_end();
    }
}

static void percent_decode_reads_only_in_len_bytes(void)
{
    /* "ab" cut from "ab%zz" (no NUL after it) is fine; "%4" cut from "%41" is a bad escape */
    static const char not_terminated[5] = { 'a', 'b', '%', 'z', 'z' };
    char out[16];
    size_t out_len;
    CHECK_INT(stripe_connect_percent_decode(not_terminated, 2, out, sizeof out, &out_len), STRIPE_CONNECT_OK);
    CHECK_STR(out, "ab");
    CHECK_INT(out_len, 2);
    CHECK_INT(stripe_connect_percent_decode("%41", 2, out, sizeof out, &out_len),
              STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
}

static void percent_decode_refuses_null_arguments(void)
{
    char out[16];
    size_t out_len;
    CHECK_INT(stripe_connect_percent_decode(NULL, 0, out, sizeof out, &out_len),
              STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_INT(stripe_connect_percent_decode(NULL, 3, out, sizeof out, &out_len),
              STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_INT(stripe_connect_percent_decode("abc", 3, out, sizeof out, NULL),
              STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    /* out NULL is a size query only with cap 0 */
    CHECK_INT(stripe_connect_percent_decode("abc", 3, NULL, sizeof out, &out_len),
              STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
}

/* A refused call leaves nothing behind: out holds "" and *out_len is 0, as for every function
   that writes text. */
static void percent_coding_refused_leaves_out_empty_and_out_len_0(void)
{
    char out[16];
    size_t out_len;
    memset(out, 'x', sizeof out);
    out_len = 99999;
    CHECK_INT(stripe_connect_percent_encode(NULL, 3, out, sizeof out, &out_len), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_INT(out[0], '\0');
    CHECK_INT(out_len, 0);
    memset(out, 'x', sizeof out);
    out_len = 99999;
    CHECK_INT(stripe_connect_percent_decode(NULL, 3, out, sizeof out, &out_len), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_INT(out[0], '\0');
    CHECK_INT(out_len, 0);
    memset(out, 'x', sizeof out);
    out_len = 99999;
    CHECK_INT(stripe_connect_percent_decode("ab%zz", 5, out, sizeof out, &out_len),
              STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_INT(out[0], '\0');
    CHECK_INT(out_len, 0);
}

static void test_percent_decode_buffer_rules(void)
{
    static const byte_input with_nul = { "a%00b", 5 };
    static const byte_input kanji_plus = { "%E6%BC%A2+x", 11 };
    static const byte_input empty = { "", 0 };
    check_text_buffer_rules("percent_decode(\"a%00b\") -> \"a\\0b\"", produce_decoded, &with_nul, "a\0b", 3);
    check_text_buffer_rules("percent_decode(\"%E6%BC%A2+x\") -> kanji, space, x", produce_decoded, &kanji_plus,
                            "\xe6\xbc\xa2 x", 5);
    check_text_buffer_rules("percent_decode(\"\") -> \"\"", produce_decoded, &empty, "", 0);
}

/* ---- Round trip ---------------------------------------------------------------------------- */

static void percent_encode_then_decode_gives_back_all_256_byte_values(void)
{
    char bytes[256], encoded[1024], decoded[300];
    size_t i, encoded_len, decoded_len;

    for (i = 0; i < 256; i++) bytes[i] = (char)i;
    CHECK_INT(stripe_connect_percent_encode(bytes, 256, encoded, sizeof encoded, &encoded_len), STRIPE_CONNECT_OK);
    /* 66 unreserved bytes stay, the other 190 take three characters each */
    CHECK_INT(encoded_len, 66 + 190 * 3);
    CHECK_INT(strlen(encoded), encoded_len);
    CHECK_INT(stripe_connect_percent_decode(encoded, encoded_len, decoded, sizeof decoded, &decoded_len),
              STRIPE_CONNECT_OK);
    CHECK_MEM(decoded, decoded_len, bytes, 256);
}

/* ---- The form builder ---------------------------------------------------------------------- */

typedef struct form_input { const stripe_connect_param *pairs; size_t count; } form_input;

static stripe_connect_result produce_form(const void *input, char *out, size_t cap, size_t *out_len)
{
    const form_input *in = (const form_input *)input;
    stripe_connect_form f;
    size_t i;
    stripe_connect_form_init(&f, out, cap);
    for (i = 0; i < in->count; i++) stripe_connect_form_add(&f, in->pairs[i].key, in->pairs[i].value);
    return stripe_connect_form_finish(&f, out_len);
}

typedef struct form_row {
    const char *name;
    stripe_connect_param pairs[4]; size_t count;
    const char *want;
} form_row;

static const form_row form_rows[] = {
    { "form: no pairs gives \"\"", { { NULL, NULL } }, 0, "" },
    { "form: one pair is key=value", { { "code", "ac_123" } }, 1, "code=ac_123" },
    { "form: pairs are joined by '&' in the order added",
      { { "grant_type", "authorization_code" }, { "code", "ac_123" } }, 2,
      "grant_type=authorization_code&code=ac_123" },
    { "form: an empty value is key=", { { "a", "" }, { "b", "2" } }, 2, "a=&b=2" },
    { "form: a space in a value is %20", { { "metadata[order]", "a b" } }, 1, "metadata[order]=a%20b" },
    { "form: brackets stay in keys (nested keys)", { { "items[0][price]", "price_1" } }, 1,
      "items[0][price]=price_1" },
    { "form: brackets in values are %5B and %5D", { { "note", "[x]" } }, 1, "note=%5Bx%5D" },
    { "form: other bytes in keys are encoded", { { "a b&c=d", "1" } }, 1, "a%20b%26c%3Dd=1" },
    { "form: '&' '=' '+' '/' ':' '@' in values are encoded", { { "v", "&=+/:@" } }, 1,
      "v=%26%3D%2B%2F%3A%40" },
    { "form: UTF-8 values are encoded byte by byte", { { "name", "\xe6\xbc\xa2" } }, 1, "name=%E6%BC%A2" },
};

static void test_form_rows(void)
{
    size_t i, out_len;
    char out[256];
    form_input in;

    for (i = 0; i < sizeof form_rows / sizeof form_rows[0]; i++) {
        const form_row *row = &form_rows[i];
        test_begin(row->name);
        in.pairs = row->pairs;
        in.count = row->count;
        memset(out, CANARY, sizeof out);
        out_len = 99999;
        CHECK_INT(produce_form(&in, out, sizeof out, &out_len), STRIPE_CONNECT_OK);
        CHECK_INT(out_len, strlen(row->want));
        CHECK_STR(out, row->want);
        test_end();
    }
}

static void form_adds_after_an_overflow_keep_counting_and_are_not_written(void)
{
    /* the first pair (11 bytes) does not fit in 6; the second (3) would fit on its own */
    char out[32];
    stripe_connect_form f;
    size_t out_len = 99999;
    memset(out, CANARY, sizeof out);
    stripe_connect_form_init(&f, out, 6);
    stripe_connect_form_add(&f, "key", "value_1");
    stripe_connect_form_add(&f, "a", "b");
    CHECK_INT(stripe_connect_form_finish(&f, &out_len), STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL);
    CHECK_INT(out_len, strlen("key=value_1&a=b"));
    CHECK_INT(out[0], '\0');
    CHECK(canary_intact(out + 6, sizeof out - 6));
}

static void form_exactly_filled_buffer_with_its_nul_is_ok(void)
{
    char out[8];
    stripe_connect_form f;
    size_t out_len = 99999;
    stripe_connect_form_init(&f, out, sizeof out);
    stripe_connect_form_add(&f, "abc", "def");   /* "abc=def" + NUL = 8 */
    CHECK_INT(stripe_connect_form_finish(&f, &out_len), STRIPE_CONNECT_OK);
    CHECK_INT(out_len, 7);
    CHECK_STR(out, "abc=def");
}

typedef struct form_null_row {
    const char *name;
    stripe_connect_param pairs[3]; size_t count;
} form_null_row;

static const form_null_row form_null_rows[] = {
    { "form: a NULL key makes finish ERR_INVALID_ARGUMENT", { { NULL, "v" } }, 1 },
    { "form: a NULL value makes finish ERR_INVALID_ARGUMENT", { { "k", NULL } }, 1 },
    { "form: a NULL key between good pairs makes finish ERR_INVALID_ARGUMENT",
      { { "a", "1" }, { NULL, "2" }, { "c", "3" } }, 3 },
    { "form: a NULL value after good pairs makes finish ERR_INVALID_ARGUMENT",
      { { "a", "1" }, { "b", "2" }, { "c", NULL } }, 3 },
};

static void test_form_null_key_or_value(void)
{
    size_t i, out_len;
    char out[64];
    form_input in;

    for (i = 0; i < sizeof form_null_rows / sizeof form_null_rows[0]; i++) {
        const form_null_row *row = &form_null_rows[i];
        test_begin(row->name);
        in.pairs = row->pairs;
        in.count = row->count;
        CHECK_INT(produce_form(&in, out, sizeof out, &out_len), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
        test_end();
    }
}

static void form_null_key_after_an_overflow_is_still_invalid_argument(void)
{
    char out[4];
    stripe_connect_form f;
    size_t out_len;
    stripe_connect_form_init(&f, out, sizeof out);
    stripe_connect_form_add(&f, "long_key", "long_value");
    stripe_connect_form_add(&f, NULL, "v");
    CHECK_INT(stripe_connect_form_finish(&f, &out_len), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
}

static void form_functions_given_no_form_do_nothing_and_finish_refuses(void)
{
    char out[8] = "abc";
    stripe_connect_form f;
    size_t out_len = 99999;
    stripe_connect_form_init(NULL, out, sizeof out);   /* nothing to do: no crash, out untouched */
    stripe_connect_form_add(NULL, "a", "b");
    CHECK_STR(out, "abc");
    CHECK_INT(stripe_connect_form_finish(NULL, &out_len), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    stripe_connect_form_init(&f, out, sizeof out);
    stripe_connect_form_add(&f, "a", "b");
    CHECK_INT(stripe_connect_form_finish(&f, NULL), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
}

/* The count of bytes needed stops at SIZE_MAX rather than wrapping round to a small number that
   could pass for a fit (reachable with 32-bit size_t: a few huge values). The form's len is
   public, so the test starts it near the top. */
static void form_length_saturates_at_size_max_instead_of_wrapping(void)
{
    char out[8];
    stripe_connect_form f;
    size_t out_len = 0;
    stripe_connect_form_init(&f, out, sizeof out);
    stripe_connect_form_add(&f, "key", "value");
    f.len = (size_t)-1 - 4;
    stripe_connect_form_add(&f, "a", "b");      /* "&a=b": exactly fills up to SIZE_MAX */
    CHECK(f.len == (size_t)-1);
    stripe_connect_form_add(&f, "c", "d");      /* would wrap to 3 */
    CHECK(f.len == (size_t)-1);
    CHECK_INT(stripe_connect_form_finish(&f, &out_len), STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL);
    CHECK(out_len == (size_t)-1);
    CHECK_INT(out[0], '\0');
}

static void test_form_buffer_rules(void)
{
    static const stripe_connect_param three[] = {
        { "grant_type", "authorization_code" }, { "code", "ac 1/2" }, { "metadata[k]", "[v]" }
    };
    static const stripe_connect_param one[] = { { "a", "b" } };
    static const form_input three_pairs = { three, 3 };
    static const form_input one_pair = { one, 1 };
    static const form_input no_pairs = { NULL, 0 };
    check_text_buffer_rules("form of three pairs -> "
                            "\"grant_type=authorization_code&code=ac%201%2F2&metadata[k]=%5Bv%5D\"",
                            produce_form, &three_pairs,
                            "grant_type=authorization_code&code=ac%201%2F2&metadata[k]=%5Bv%5D",
                            strlen("grant_type=authorization_code&code=ac%201%2F2&metadata[k]=%5Bv%5D"));
    check_text_buffer_rules("form of one pair -> \"a=b\"", produce_form, &one_pair, "a=b", 3);
    check_text_buffer_rules("form of no pairs -> \"\"", produce_form, &no_pairs, "", 0);
}

void suite_encoding(void)
{
    test_percent_encode_rows();
    RUN(percent_encode_single_bytes_are_kept_or_upper_case_hex);
    RUN(percent_encode_refuses_null_arguments);
    test_percent_encode_buffer_rules();

    test_percent_decode_rows();
    test_percent_decode_refuses_bad_escapes();
    RUN(percent_decode_reads_only_in_len_bytes);
    RUN(percent_decode_refuses_null_arguments);
    RUN(percent_coding_refused_leaves_out_empty_and_out_len_0);
    test_percent_decode_buffer_rules();

    RUN(percent_encode_then_decode_gives_back_all_256_byte_values);

    test_form_rows();
    RUN(form_adds_after_an_overflow_keep_counting_and_are_not_written);
    RUN(form_exactly_filled_buffer_with_its_nul_is_ok);
    test_form_null_key_or_value();
    RUN(form_null_key_after_an_overflow_is_still_invalid_argument);
    RUN(form_functions_given_no_form_do_nothing_and_finish_refuses);
    RUN(form_length_saturates_at_size_max_instead_of_wrapping);
    test_form_buffer_rules();
}
