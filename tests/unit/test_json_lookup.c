/* test_json_lookup.c - stripe_connect_json_get_string, _int and _bool.

   A dotted path picks one value: object keys ("error.message"), compared with
   the key after unescaping, and plain decimal array indexes ("data.0.id",
   "0.id" on a top-level array). The whole document must be valid JSON, with
   the token parser's strictness and depth limit, even when the value comes
   early: ERR_MALFORMED_JSON wins over every other answer about the document.
   Then: no value at the path is ERR_NOT_FOUND; a value of another type, an
   integer outside int64_t, or a string holding \u0000 is
   ERR_UNEXPECTED_RESPONSE. The first of two equal keys is the one read.
   Strings are unescaped into the caller's buffer with the buffer rules.

   Every document is handed over in a heap buffer of exactly len + 1 bytes
   whose last byte is 'x', which is not JSON: a lookup that reads past len
   sees trailing garbage, and AddressSanitizer catches a read past the buffer. */
#include "../../stripe_connect.h"
#include "suites.h"
#include "test.h"
#include "checks.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A document literal and its exact length (it may hold NUL bytes). */
#define J(literal) literal, sizeof(literal) - 1

#define OK           STRIPE_CONNECT_OK
#define NOT_FOUND    STRIPE_CONNECT_ERR_NOT_FOUND
#define UNEXPECTED   STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE
#define MALFORMED    STRIPE_CONNECT_ERR_MALFORMED_JSON
#define INVALID      STRIPE_CONNECT_ERR_INVALID_ARGUMENT
#define TOO_SMALL    STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL

/* ---- Helpers ----------------------------------------------------------------------------------- */

/* json[0..len) copied into a heap buffer of len + 1 bytes ending in garbage. */
static char *unterminated_copy(const char *json, size_t len)
{
    char *copy = (char *)malloc(len + 1);
    if (copy == NULL) { fprintf(stderr, "out of memory\n"); exit(2); }
    if (len > 0) memcpy(copy, json, len);
    copy[len] = 'x';
    return copy;
}

static stripe_connect_result get_string(const char *json, size_t len, const char *path,
                                        char *out, size_t cap, size_t *out_len)
{
    char *copy = unterminated_copy(json, len);
    stripe_connect_result r = stripe_connect_json_get_string(copy, len, path, out, cap, out_len);
    free(copy);
    return r;
}

static stripe_connect_result get_int(const char *json, size_t len, const char *path, int64_t *out)
{
    char *copy = unterminated_copy(json, len);
    stripe_connect_result r = stripe_connect_json_get_int(copy, len, path, out);
    free(copy);
    return r;
}

static stripe_connect_result get_bool(const char *json, size_t len, const char *path, int *out)
{
    char *copy = unterminated_copy(json, len);
    stripe_connect_result r = stripe_connect_json_get_bool(copy, len, path, out);
    free(copy);
    return r;
}

static void check_int64_at(int line, int64_t got, int64_t want)
{
    char message[160];
    if (got == want) return;
    snprintf(message, sizeof message, "value is %lld, want %lld", (long long)got, (long long)want);
    test_fail(__FILE__, line, message);
}
#define CHECK_INT64(got, want) check_int64_at(__LINE__, (got), (want))

/* Text grown on the heap, for documents too long to write as literals. */
typedef struct text { char *bytes; size_t len, cap; } text;

static void text_add(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->len + n + 1) * 2;
        char *grown = (char *)realloc(t->bytes, cap);
        if (grown == NULL) { fprintf(stderr, "out of memory\n"); exit(2); }
        t->bytes = grown;
        t->cap = cap;
    }
    memcpy(t->bytes + t->len, s, n);
    t->len += n;
    t->bytes[t->len] = '\0';
}

static void text_str(text *t, const char *s) { text_add(t, s, strlen(s)); }

static void text_repeat(text *t, const char *s, size_t times)
{
    size_t i;
    for (i = 0; i < times; i++) text_str(t, s);
}

static void text_free(text *t)
{
    free(t->bytes);
    t->bytes = NULL;
    t->len = t->cap = 0;
}

/* ---- The table --------------------------------------------------------------------------------- */

typedef enum lookup_kind { GET_STRING, GET_INT, GET_BOOL } lookup_kind;

typedef struct lookup_case {
    const char *name;
    const char *json; size_t json_len;
    const char *path;
    lookup_kind kind;
    stripe_connect_result want;
    const char *string;     /* GET_STRING and OK: the exact bytes */
    int64_t integer;        /* GET_INT and OK */
    int boolean;            /* GET_BOOL and OK: 1 or 0 */
} lookup_case;

#define CHARGE "{\"id\":\"ch_1\",\"object\":\"charge\",\"amount\":2000,\"paid\":true,\"refunded\":false," \
               "\"metadata\":{\"order\":\"o_42\"},\"failure_code\":null}"
#define LIST "{\"object\":\"list\",\"data\":[{\"id\":\"a\",\"n\":1},{\"id\":\"b\",\"n\":2}],\"has_more\":false}"
#define ERROR_BODY "{\"error\":{\"type\":\"card_error\",\"code\":\"card_declined\",\"message\":\"Declined\"}}"

static const lookup_case lookup_cases[] = {
    /* paths */
    { "a top-level key", J(CHARGE), "id", GET_STRING, OK, .string = "ch_1" },
    { "another top-level key", J(CHARGE), "object", GET_STRING, OK, .string = "charge" },
    { "a nested key: metadata.order", J(CHARGE), "metadata.order", GET_STRING, OK, .string = "o_42" },
    { "error.message", J(ERROR_BODY), "error.message", GET_STRING, OK, .string = "Declined" },
    { "error.code", J(ERROR_BODY), "error.code", GET_STRING, OK, .string = "card_declined" },
    { "data.0.id", J(LIST), "data.0.id", GET_STRING, OK, .string = "a" },
    { "data.1.id", J(LIST), "data.1.id", GET_STRING, OK, .string = "b" },
    { "data.1.n", J(LIST), "data.1.n", GET_INT, OK, .integer = 2 },
    { "data.2.id: an index past the end is ERR_NOT_FOUND", J(LIST), "data.2.id", GET_STRING, .want = NOT_FOUND },
    { "data.2.items.1: an index, a key, an index",
      J("{\"data\":[{},{\"items\":[]},{\"items\":[\"p\",\"q\"]}]}"), "data.2.items.1", GET_STRING, OK,
      .string = "q" },
    { "data.2.items.2: past the end of the inner array",
      J("{\"data\":[{},{\"items\":[]},{\"items\":[\"p\",\"q\"]}]}"), "data.2.items.2", GET_STRING, .want = NOT_FOUND },
    { "data.1.items.0: an index into an empty array",
      J("{\"data\":[{},{\"items\":[]},{\"items\":[\"p\",\"q\"]}]}"), "data.1.items.0", GET_STRING, .want = NOT_FOUND },
    { "data.2.id after siblings holding nested arrays and objects",
      J("{\"data\":[[1,[2,{\"id\":\"no\"}]],{\"x\":{\"y\":[],\"id\":\"no\"}},{\"id\":\"third\"}]}"), "data.2.id",
      GET_STRING, OK, .string = "third" },
    { "a top-level array: 0.id", J("[{\"id\":\"a\"}]"), "0.id", GET_STRING, OK, .string = "a" },
    { "a top-level array: 1", J("[\"x\",\"y\"]"), "1", GET_STRING, OK, .string = "y" },
    { "arrays in arrays: 0.1", J("[[1,2],[3]]"), "0.1", GET_INT, OK, .integer = 2 },
    { "arrays in arrays: 1.0", J("[[1,2],[3]]"), "1.0", GET_INT, OK, .integer = 3 },
    { "arrays in arrays: 1.1 is past the end", J("[[1,2],[3]]"), "1.1", GET_INT, .want = NOT_FOUND },
    { "index 11 of 12 elements", J("[0,1,2,3,4,5,6,7,8,9,10,11]"), "11", GET_INT, OK, .integer = 11 },
    { "index 12 of 12 elements is past the end", J("[0,1,2,3,4,5,6,7,8,9,10,11]"), "12", GET_INT, .want = NOT_FOUND },
    { "whitespace everywhere", J(" \n{ \"a\" :\t[ 1 , { \"b\" : \"x\" } ] }\r\n "), "a.1.b", GET_STRING, OK,
      .string = "x" },
    /* nothing there */
    { "a missing key is ERR_NOT_FOUND", J(CHARGE), "customer", GET_STRING, .want = NOT_FOUND },
    { "a missing nested key", J(CHARGE), "metadata.user", GET_STRING, .want = NOT_FOUND },
    { "a key on an empty object", J("{}"), "a", GET_STRING, .want = NOT_FOUND },
    { "an index on an empty array", J("[]"), "0", GET_STRING, .want = NOT_FOUND },
    { "a key on a top-level array", J("[{\"id\":\"a\"}]"), "id", GET_STRING, .want = NOT_FOUND },
    { "a key on a nested array", J("{\"a\":[{\"b\":1}]}"), "a.b", GET_INT, .want = NOT_FOUND },
    { "an index on an object", J("{\"a\":{\"b\":1}}"), "a.0", GET_INT, .want = NOT_FOUND },
    { "an index on a top-level object", J("{\"a\":1}"), "0", GET_INT, .want = NOT_FOUND },
    { "a path through a number", J("{\"a\":1}"), "a.b", GET_INT, .want = NOT_FOUND },
    { "a path through a string", J("{\"a\":\"xyz\"}"), "a.0", GET_STRING, .want = NOT_FOUND },
    { "a path through null", J("{\"a\":null}"), "a.b", GET_STRING, .want = NOT_FOUND },
    { "a path through true", J("{\"a\":true}"), "a.b", GET_BOOL, .want = NOT_FOUND },
    { "a path into a top-level number", J("42"), "0", GET_INT, .want = NOT_FOUND },
    { "a path into a top-level string", J("\"abc\""), "a", GET_STRING, .want = NOT_FOUND },
    /* only the members of the object on the path count */
    { "a key of a nested object does not match at the top", J("{\"a\":{\"id\":\"inner\"}}"), "id", GET_STRING,
      .want = NOT_FOUND },
    { "the top-level key after a nested one of the same name", J("{\"a\":{\"id\":\"inner\"},\"id\":\"outer\"}"),
      "id", GET_STRING, OK, .string = "outer" },
    { "the top-level key after an array holding one of the same name",
      J("{\"data\":[{\"id\":\"in_array\"}],\"id\":\"top\"}"), "id", GET_STRING, OK, .string = "top" },
    { "a value equal to the key is not the key", J("{\"x\":\"id\",\"id\":\"v\"}"), "id", GET_STRING, OK,
      .string = "v" },
    { "a string holding quotes and a colon is not a key", J("{\"a\":\"\\\"b\\\":1,\",\"b\":2}"), "b", GET_INT,
      OK, .integer = 2 },
    { "a longer key is not a match", J("{\"idx\":\"a\",\"id\":\"b\"}"), "id", GET_STRING, OK, .string = "b" },
    { "a shorter key is not a match", J("{\"i\":\"a\"}"), "id", GET_STRING, .want = NOT_FOUND },
    { "a longer path segment is not a match", J("{\"id\":\"a\"}"), "idx", GET_STRING, .want = NOT_FOUND },
    { "a shorter path segment is not a match", J("{\"id\":\"a\"}"), "i", GET_STRING, .want = NOT_FOUND },
    { "keys are case-sensitive", J("{\"ID\":\"a\"}"), "id", GET_STRING, .want = NOT_FOUND },
    /* keys compared after unescaping */
    { "a key with \\u0062 matches \"abc\"", J("{\"a\\u0062c\":1}"), "abc", GET_INT, OK, .integer = 1 },
    { "a key with \\u00e9 matches its UTF-8 bytes", J("{\"caf\\u00e9\":\"x\"}"), "caf\xC3\xA9", GET_STRING, OK,
      .string = "x" },
    { "a raw UTF-8 key", J("{\"caf\xC3\xA9\":\"y\"}"), "caf\xC3\xA9", GET_STRING, OK, .string = "y" },
    { "a key with \\/ matches \"a/b\"", J("{\"a\\/b\":1}"), "a/b", GET_INT, OK, .integer = 1 },
    { "a key with an escaped backslash is not the key without it", J("{\"i\\\\d\":\"x\"}"), "id", GET_STRING,
      .want = NOT_FOUND },
    { "a key with a space", J("{\"a b\":1}"), "a b", GET_INT, OK, .integer = 1 },
    { "an escaped key on a nested object", J("{\"\\u0064ata\":[{\"\\u0069\\u0064\":\"z\"}]}"), "data.0.id",
      GET_STRING, OK, .string = "z" },
    /* duplicate keys: the first is read */
    { "duplicate keys: the first value", J("{\"a\":1,\"a\":2}"), "a", GET_INT, OK, .integer = 1 },
    { "duplicate keys: the first object", J("{\"a\":{\"b\":1},\"a\":{\"b\":2}}"), "a.b", GET_INT, OK,
      .integer = 1 },
    { "duplicate keys: the first object, even without the member the second has",
      J("{\"a\":{\"c\":1},\"a\":{\"b\":2}}"), "a.b", GET_INT, .want = NOT_FOUND },
    { "duplicate keys: the first string", J("{\"a\":\"first\",\"a\":\"second\"}"), "a", GET_STRING, OK,
      .string = "first" },
    { "duplicate keys: the first value's type decides", J("{\"a\":2,\"a\":\"second\"}"), "a", GET_STRING,
      .want = UNEXPECTED },
    { "duplicate keys spelled differently: the first", J("{\"\\u0061\":1,\"a\":2}"), "a", GET_INT, OK,
      .integer = 1 },
    /* index segments are plain decimal */
    { "index \"01\" is ERR_NOT_FOUND", J("[\"a\",\"b\"]"), "01", GET_STRING, .want = NOT_FOUND },
    { "index \"00\" is ERR_NOT_FOUND", J("[\"a\",\"b\"]"), "00", GET_STRING, .want = NOT_FOUND },
    { "index \"-1\" is ERR_NOT_FOUND", J("[\"a\",\"b\"]"), "-1", GET_STRING, .want = NOT_FOUND },
    { "index \"-0\" is ERR_NOT_FOUND", J("[\"a\",\"b\"]"), "-0", GET_STRING, .want = NOT_FOUND },
    { "index \"+1\" is ERR_NOT_FOUND", J("[\"a\",\"b\"]"), "+1", GET_STRING, .want = NOT_FOUND },
    { "index \"1x\" is ERR_NOT_FOUND", J("[\"a\",\"b\"]"), "1x", GET_STRING, .want = NOT_FOUND },
    { "index \" 1\" is ERR_NOT_FOUND", J("[\"a\",\"b\"]"), " 1", GET_STRING, .want = NOT_FOUND },
    { "index \"1 \" is ERR_NOT_FOUND", J("[\"a\",\"b\"]"), "1 ", GET_STRING, .want = NOT_FOUND },
    { "index \"1e0\" is ERR_NOT_FOUND", J("[\"a\",\"b\"]"), "1e0", GET_STRING, .want = NOT_FOUND },
    { "index \"0x1\" is ERR_NOT_FOUND", J("[\"a\",\"b\"]"), "0x1", GET_STRING, .want = NOT_FOUND },
    { "a key on an array is ERR_NOT_FOUND", J("[\"a\",\"b\"]"), "a", GET_STRING, .want = NOT_FOUND },
    { "index 2^32 does not wrap to 0", J("[\"a\",\"b\"]"), "4294967296", GET_STRING, .want = NOT_FOUND },
    { "index 2^64 does not wrap to 0", J("[\"a\",\"b\"]"), "18446744073709551616", GET_STRING, .want = NOT_FOUND },
    { "index 2^64 + 1 does not wrap to 1", J("[\"a\",\"b\"]"), "18446744073709551617", GET_STRING, .want = NOT_FOUND },
    { "index of 40 digits", J("[\"a\",\"b\"]"), "1000000000000000000000000000000000000000", GET_STRING,
      .want = NOT_FOUND },
    /* strings are unescaped */
    { "every two-character escape", J("{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}"), "s", GET_STRING, OK,
      .string = "\"\\/\b\f\n\r\t" },
    { "\\u escapes to UTF-8 of 1, 2 and 3 bytes, either case of hex",
      J("{\"s\":\"\\u0041\\u00e9\\u20AC\\uFFFF\\u07ff\"}"), "s", GET_STRING, OK,
      .string = "A\xC3\xA9\xE2\x82\xAC\xEF\xBF\xBF\xDF\xBF" },
    { "surrogate pairs to 4-byte UTF-8", J("{\"s\":\"\\ud83d\\ude00\\uD834\\uDD1E\\udbff\\udfff\"}"), "s",
      GET_STRING, OK, .string = "\xF0\x9F\x98\x80\xF0\x9D\x84\x9E\xF4\x8F\xBF\xBF" },
    { "raw UTF-8 passes as it is", J("{\"s\":\"na\xC3\xAFve \xE2\x82\xAC \xF0\x9F\x98\x80\"}"), "s", GET_STRING,
      OK, .string = "na\xC3\xAFve \xE2\x82\xAC \xF0\x9F\x98\x80" },
    { "\\u0001 is the byte 0x01", J("{\"s\":\"a\\u0001b\"}"), "s", GET_STRING, OK, .string = "a\x01" "b" },
    { "an empty string", J("{\"s\":\"\"}"), "s", GET_STRING, OK, .string = "" },
    { "a string holding \\u0000 is ERR_UNEXPECTED_RESPONSE", J("{\"s\":\"a\\u0000b\"}"), "s", GET_STRING,
      .want = UNEXPECTED },
    { "a string of only \\u0000", J("{\"s\":\"\\u0000\"}"), "s", GET_STRING, .want = UNEXPECTED },
    { "\\u0000 in another string does not matter", J("{\"t\":\"a\\u0000b\",\"s\":\"ok\"}"), "s", GET_STRING, OK,
      .string = "ok" },
    /* types */
    { "get_string on a number", J(CHARGE), "amount", GET_STRING, .want = UNEXPECTED },
    { "get_string on an object", J(CHARGE), "metadata", GET_STRING, .want = UNEXPECTED },
    { "get_string on an array", J(LIST), "data", GET_STRING, .want = UNEXPECTED },
    { "get_string on null", J(CHARGE), "failure_code", GET_STRING, .want = UNEXPECTED },
    { "get_string on true", J(CHARGE), "paid", GET_STRING, .want = UNEXPECTED },
    { "get_string on false", J(CHARGE), "refunded", GET_STRING, .want = UNEXPECTED },
    { "get_int on a string of digits", J("{\"a\":\"1\"}"), "a", GET_INT, .want = UNEXPECTED },
    { "get_int on 1.5", J("{\"a\":1.5}"), "a", GET_INT, .want = UNEXPECTED },
    { "get_int on 1.0", J("{\"a\":1.0}"), "a", GET_INT, .want = UNEXPECTED },
    { "get_int on 1e3", J("{\"a\":1e3}"), "a", GET_INT, .want = UNEXPECTED },
    { "get_int on 1E3", J("{\"a\":1E3}"), "a", GET_INT, .want = UNEXPECTED },
    { "get_int on 0e0", J("{\"a\":0e0}"), "a", GET_INT, .want = UNEXPECTED },
    { "get_int on -0.0", J("{\"a\":-0.0}"), "a", GET_INT, .want = UNEXPECTED },
    { "get_int on true", J(CHARGE), "paid", GET_INT, .want = UNEXPECTED },
    { "get_int on null", J(CHARGE), "failure_code", GET_INT, .want = UNEXPECTED },
    { "get_int on an object", J(CHARGE), "metadata", GET_INT, .want = UNEXPECTED },
    { "get_int on an array", J(LIST), "data", GET_INT, .want = UNEXPECTED },
    { "get_bool on 1", J("{\"a\":1}"), "a", GET_BOOL, .want = UNEXPECTED },
    { "get_bool on 0", J("{\"a\":0}"), "a", GET_BOOL, .want = UNEXPECTED },
    { "get_bool on \"true\"", J("{\"a\":\"true\"}"), "a", GET_BOOL, .want = UNEXPECTED },
    { "get_bool on null", J(CHARGE), "failure_code", GET_BOOL, .want = UNEXPECTED },
    { "get_bool on an object", J(CHARGE), "metadata", GET_BOOL, .want = UNEXPECTED },
    /* integers */
    { "get_int: 0", J("{\"a\":0}"), "a", GET_INT, OK, .integer = 0 },
    { "get_int: -0 is 0", J("{\"a\":-0}"), "a", GET_INT, OK, .integer = 0 },
    { "get_int: 42", J("{\"a\":42}"), "a", GET_INT, OK, .integer = 42 },
    { "get_int: -42", J("{\"a\":-42}"), "a", GET_INT, OK, .integer = -42 },
    { "get_int: 2000", J(CHARGE), "amount", GET_INT, OK, .integer = 2000 },
    { "get_int: 9223372036854775807 (INT64_MAX)", J("{\"a\":9223372036854775807}"), "a", GET_INT, OK,
      .integer = INT64_MAX },
    { "get_int: -9223372036854775808 (INT64_MIN)", J("{\"a\":-9223372036854775808}"), "a", GET_INT, OK,
      .integer = INT64_MIN },
    { "get_int: 9223372036854775808 does not fit", J("{\"a\":9223372036854775808}"), "a", GET_INT, .want = UNEXPECTED },
    { "get_int: -9223372036854775809 does not fit", J("{\"a\":-9223372036854775809}"), "a", GET_INT,
      .want = UNEXPECTED },
    { "get_int: 9999999999999999999 does not fit", J("{\"a\":9999999999999999999}"), "a", GET_INT, .want = UNEXPECTED },
    { "get_int: 18446744073709551615 does not fit", J("{\"a\":18446744073709551615}"), "a", GET_INT,
      .want = UNEXPECTED },
    { "get_int: 18446744073709551616 (2^64) does not wrap to 0", J("{\"a\":18446744073709551616}"), "a",
      GET_INT, .want = UNEXPECTED },
    { "get_int: 18446744073709551658 (2^64 + 42) does not wrap to 42", J("{\"a\":18446744073709551658}"), "a",
      GET_INT, .want = UNEXPECTED },
    { "get_int: -18446744073709551616 does not fit", J("{\"a\":-18446744073709551616}"), "a", GET_INT,
      .want = UNEXPECTED },
    { "get_int: 40 digits do not fit", J("{\"a\":1000000000000000000000000000000000000000}"), "a", GET_INT,
      .want = UNEXPECTED },
    { "get_int in an array", J("[7,-8]"), "1", GET_INT, OK, .integer = -8 },
    /* booleans */
    { "get_bool: true is 1", J(CHARGE), "paid", GET_BOOL, OK, .boolean = 1 },
    { "get_bool: false is 0", J(CHARGE), "refunded", GET_BOOL, OK, .boolean = 0 },
    { "get_bool: data.0.paid", J("{\"data\":[{\"paid\":true}]}"), "data.0.paid", GET_BOOL, OK, .boolean = 1 },
    { "get_bool: has_more", J(LIST), "has_more", GET_BOOL, OK, .boolean = 0 },
    /* the whole document must be valid, even when the value came first */
    { "the value comes before a bad literal: ERR_MALFORMED_JSON", J("{\"id\":\"x\", \"b\": tru}"), "id",
      GET_STRING, .want = MALFORMED },
    { "a missing path in a malformed document: ERR_MALFORMED_JSON, not ERR_NOT_FOUND",
      J("{\"id\":\"x\", \"b\": tru}"), "missing", GET_STRING, .want = MALFORMED },
    { "a value of another type in a malformed document: ERR_MALFORMED_JSON",
      J("{\"a\":1,\"b\":}"), "a", GET_STRING, .want = MALFORMED },
    { "an index past the end of a cut-off array: ERR_MALFORMED_JSON", J("[1,2"), "5", GET_INT, .want = MALFORMED },
    { "a found nested value before an unclosed array: ERR_MALFORMED_JSON",
      J("{\"data\":[{\"id\":\"a\"}],\"x\":[}"), "data.0.id", GET_STRING, .want = MALFORMED },
    { "a trailing comma in the object", J("{\"a\":1,}"), "a", GET_INT, .want = MALFORMED },
    { "a trailing comma in an array", J("{\"a\":[1,]}"), "a.0", GET_INT, .want = MALFORMED },
    { "garbage after the document", J("{\"a\":1} x"), "a", GET_INT, .want = MALFORMED },
    { "two documents", J("{\"a\":1}{\"b\":2}"), "a", GET_INT, .want = MALFORMED },
    { "a NUL byte after the document, inside len", J("{\"a\":\"x\"}\0"), "a", GET_STRING, .want = MALFORMED },
    { "an empty document", J(""), "a", GET_STRING, .want = MALFORMED },
    { "a document of only whitespace", J("  \n "), "a", GET_STRING, .want = MALFORMED },
    { "an unknown escape in the value", J("{\"s\":\"\\q\"}"), "s", GET_STRING, .want = MALFORMED },
    { "a short \\u escape in the value", J("{\"s\":\"\\u12\"}"), "s", GET_STRING, .want = MALFORMED },
    { "a raw control character in the value", J("{\"s\":\"a\x01" "b\"}"), "s", GET_STRING, .want = MALFORMED },
    { "a raw tab in the value", J("{\"s\":\"a\tb\"}"), "s", GET_STRING, .want = MALFORMED },
    { "invalid UTF-8 in the value", J("{\"s\":\"\xC3\x28\"}"), "s", GET_STRING, .want = MALFORMED },
    { "invalid UTF-8 in another member", J("{\"s\":\"ok\",\"t\":\"\xFF\"}"), "s", GET_STRING, .want = MALFORMED },
    { "an overlong UTF-8 encoding", J("{\"s\":\"\xC0\xAF\"}"), "s", GET_STRING, .want = MALFORMED },
    { "a leading zero in a number", J("{\"a\":01}"), "a", GET_INT, .want = MALFORMED },
    { "a leading '+' in a number", J("{\"a\":+1}"), "a", GET_INT, .want = MALFORMED },
    { "a number ending in '.'", J("{\"a\":1.}"), "a", GET_INT, .want = MALFORMED },
    { "single quotes", J("{'a':1}"), "a", GET_INT, .want = MALFORMED },
    { "a key without quotes", J("{a:1}"), "a", GET_INT, .want = MALFORMED },
    { "a capitalised literal", J("{\"a\":True}"), "a", GET_BOOL, .want = MALFORMED },
    { "an unclosed string at the end", J("{\"a\":\"x"), "a", GET_STRING, .want = MALFORMED },
    { "a document that ends after a number's '-'", J("{\"a\":-"), "a", GET_INT, .want = MALFORMED },
    { "a document that ends after an exponent's 'e'", J("{\"a\":1e"), "a", GET_INT, .want = MALFORMED },
    { "a document that ends inside a UTF-8 character", J("{\"s\":\"\xE2\x82"), "s", GET_STRING,
      .want = MALFORMED },
    { "a document that ends after a high surrogate escape", J("{\"s\":\"\\uD83D"), "s", GET_STRING,
      .want = MALFORMED },
    { "a high surrogate followed by an escape below the low surrogates", J("{\"s\":\"\\uD83D\\u0041\"}"),
      "s", GET_STRING, .want = MALFORMED },
    { "a high surrogate followed by an escape above the low surrogates", J("{\"s\":\"\\uD83D\\uE000\"}"),
      "s", GET_STRING, .want = MALFORMED },
    { "an index past an invalid element: ERR_MALFORMED_JSON, not ERR_NOT_FOUND", J("{\"a\":[[1,],2]}"), "a.1",
      GET_INT, .want = MALFORMED },
};

static void run_lookup_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof lookup_cases / sizeof lookup_cases[0]; i++) {
        const lookup_case *row = &lookup_cases[i];
        test_begin(row->name);
        if (row->kind == GET_STRING) {
            char out[512];
            size_t out_len = 99999;
            memset(out, CANARY, sizeof out);
            CHECK_RESULT(get_string(row->json, row->json_len, row->path, out, sizeof out, &out_len), row->want);
            if (row->want == OK) {
                CHECK_INT(out_len, strlen(row->string));
                CHECK_MEM(out, out_len < sizeof out ? out_len + 1 : 0, row->string, strlen(row->string) + 1);
                CHECK(canary_intact(out + strlen(row->string) + 1, sizeof out - strlen(row->string) - 1));
            } else {
                /* never a partial value */
                CHECK_INT(out[0], '\0');
            }
        } else if (row->kind == GET_INT) {
            int64_t value = 0x5A5A5A5A;
            CHECK_RESULT(get_int(row->json, row->json_len, row->path, &value), row->want);
            if (row->want == OK) CHECK_INT64(value, row->integer);
        } else {
            int value = 0x5A5A;
            CHECK_RESULT(get_bool(row->json, row->json_len, row->path, &value), row->want);
            if (row->want == OK) CHECK_INT(value, row->boolean);
        }
        test_end();
    }
}

/* ---- Buffer rules of get_string ------------------------------------------------------------------ */

typedef struct string_lookup { const char *json; size_t len; const char *path; } string_lookup;

static stripe_connect_result produce_string(const void *input, char *out, size_t cap, size_t *out_len)
{
    const string_lookup *s = (const string_lookup *)input;
    return get_string(s->json, s->len, s->path, out, cap, out_len);
}

static void string_buffer_rules(void)
{
    static const string_lookup plain = { J("{\"id\":\"acct_1Nv0FGQ9RKHgCVdK\"}"), "id" };
    static const string_lookup escapes = { J("{\"a\":{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}}"), "a.s" };
    static const string_lookup unicode = { J("[0,{\"s\":\"A\\u00e9\\u20ac\\ud83d\\ude00\"}]"), "1.s" };
    static const string_lookup empty = { J("{\"s\":\"\"}"), "s" };
    static char long_json[1200];
    static char long_value[1100];
    string_lookup long_string;
    size_t i;

    check_text_buffer_rules("json_get_string: a plain string", produce_string, &plain,
                            J("acct_1Nv0FGQ9RKHgCVdK"));
    check_text_buffer_rules("json_get_string: escapes count as the bytes they decode to", produce_string,
                            &escapes, J("\"\\/\b\f\n\r\t"));
    check_text_buffer_rules("json_get_string: \\u escapes and a surrogate pair count as UTF-8 bytes",
                            produce_string, &unicode, J("A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
    check_text_buffer_rules("json_get_string: an empty string needs cap 1", produce_string, &empty, J(""));

    /* 1000 bytes: longer than any field of the library's structs */
    for (i = 0; i < 1000; i++) long_value[i] = (char)('a' + i % 26);
    long_value[1000] = '\0';
    snprintf(long_json, sizeof long_json, "{\"s\":\"%s\"}", long_value);
    long_string.json = long_json;
    long_string.len = strlen(long_json);
    long_string.path = "s";
    check_text_buffer_rules("json_get_string: a string of 1000 bytes", produce_string, &long_string,
                            long_value, 1000);
}

/* Which answer wins when the buffer is too small too. */
static void a_small_buffer_does_not_hide_other_answers(void)
{
    char out[4];
    size_t out_len = 99999;
    memset(out, CANARY, sizeof out);
    /* the document is malformed after the value: ERR_MALFORMED_JSON, not ERR_BUFFER_TOO_SMALL */
    CHECK_RESULT(get_string(J("{\"s\":\"longer than four\",\"b\":tru}"), "s", out, sizeof out, &out_len),
                 MALFORMED);
    CHECK_INT(out[0], '\0');
    /* a valid document: the length needed */
    memset(out, CANARY, sizeof out);
    CHECK_RESULT(get_string(J("{\"s\":\"longer than four\",\"b\":true}"), "s", out, sizeof out, &out_len),
                 TOO_SMALL);
    CHECK_INT(out_len, strlen("longer than four"));
    CHECK_INT(out[0], '\0');
    /* a size query with a missing path: ERR_NOT_FOUND */
    CHECK_RESULT(get_string(J("{\"s\":\"x\"}"), "t", NULL, 0, &out_len), NOT_FOUND);
    /* a size query on a number: ERR_UNEXPECTED_RESPONSE */
    CHECK_RESULT(get_string(J("{\"s\":1}"), "s", NULL, 0, &out_len), UNEXPECTED);
}

/* ---- Arguments --------------------------------------------------------------------------------- */

typedef struct argument_case {
    const char *name;
    const char *path;
} argument_case;

static const argument_case bad_paths[] = {
    { "an empty path", "" },
    { "a path of one '.'", "." },
    { "a path of two '.'", ".." },
    { "an empty segment in the middle: \"a..b\"", "a..b" },
    { "an empty first segment: \".a\"", ".a" },
    { "an empty last segment: \"a.\"", "a." },
    { "an empty last segment after an index: \"data.0.\"", "data.0." },
    { "a NULL path", NULL },
};

static void bad_paths_are_invalid_arguments(void)
{
    static const char json[] = "{\"a\":{\"b\":\"x\"},\"data\":[{\"id\":\"y\"}]}";
    size_t i;
    char label[160];
    for (i = 0; i < sizeof bad_paths / sizeof bad_paths[0]; i++) {
        char out[64];
        size_t out_len = 99999;
        int64_t integer = 0;
        int boolean = 0;
        snprintf(label, sizeof label, "json_get_string, _int and _bool: %s is ERR_INVALID_ARGUMENT",
                 bad_paths[i].name);
        test_begin(label);
        CHECK_RESULT(get_string(json, sizeof json - 1, bad_paths[i].path, out, sizeof out, &out_len), INVALID);
        CHECK_RESULT(get_int(json, sizeof json - 1, bad_paths[i].path, &integer), INVALID);
        CHECK_RESULT(get_bool(json, sizeof json - 1, bad_paths[i].path, &boolean), INVALID);
        test_end();
    }
}

/* The whole path is checked before any answer about the document: a bad segment after one that
   is not there, or in a document that is not JSON, is still ERR_INVALID_ARGUMENT. */
static void a_bad_path_is_invalid_whatever_the_document(void)
{
    char out[16];
    size_t out_len = 0;
    int64_t integer = 0;
    int boolean = 0;
    /* the first segment is not there */
    CHECK_RESULT(get_string(J("{\"a\":\"x\"}"), "missing..b", out, sizeof out, &out_len), INVALID);
    CHECK_RESULT(get_int(J("{\"a\":1}"), "missing.", &integer), INVALID);
    CHECK_RESULT(get_bool(J("[true]"), "5..b", &boolean), INVALID);
    /* the first segment names a scalar, which has no members */
    CHECK_RESULT(get_string(J("{\"a\":\"x\"}"), "a.b.", out, sizeof out, &out_len), INVALID);
    /* the document is not JSON, or empty */
    CHECK_RESULT(get_string(J("{\"a\":"), "a..b", out, sizeof out, &out_len), INVALID);
    CHECK_RESULT(get_int(J("nope"), "a.", &integer), INVALID);
    CHECK_RESULT(stripe_connect_json_get_bool(NULL, 0, ".a", &boolean), INVALID);
    CHECK_RESULT(stripe_connect_json_get_string(NULL, 0, "a..b", out, sizeof out, &out_len), INVALID);
    /* and the same documents with good paths, for contrast */
    CHECK_RESULT(get_string(J("{\"a\":\"x\"}"), "missing.b", out, sizeof out, &out_len), NOT_FOUND);
    CHECK_RESULT(get_string(J("{\"a\":\"x\"}"), "a.b", out, sizeof out, &out_len), NOT_FOUND);
    CHECK_RESULT(get_string(J("{\"a\":"), "a.b", out, sizeof out, &out_len), MALFORMED);
    CHECK_RESULT(stripe_connect_json_get_bool(NULL, 0, "a", &boolean), MALFORMED);
}

static void null_arguments_are_invalid(void)
{
    static const char json[] = "{\"s\":\"x\",\"n\":1,\"b\":true}";
    char out[16];
    size_t out_len = 0;
    int64_t integer = 0;
    int boolean = 0;
    /* NULL json with len > 0 */
    CHECK_RESULT(stripe_connect_json_get_string(NULL, 5, "s", out, sizeof out, &out_len), INVALID);
    CHECK_RESULT(stripe_connect_json_get_int(NULL, 5, "n", &integer), INVALID);
    CHECK_RESULT(stripe_connect_json_get_bool(NULL, 5, "b", &boolean), INVALID);
    /* NULL out (with cap > 0 for strings), NULL out_len */
    CHECK_RESULT(get_string(json, sizeof json - 1, "s", NULL, 16, &out_len), INVALID);
    CHECK_RESULT(get_string(json, sizeof json - 1, "s", out, sizeof out, NULL), INVALID);
    CHECK_RESULT(get_int(json, sizeof json - 1, "n", NULL), INVALID);
    CHECK_RESULT(get_bool(json, sizeof json - 1, "b", NULL), INVALID);
    /* NULL json with len 0 is the empty document: not JSON */
    CHECK_RESULT(stripe_connect_json_get_string(NULL, 0, "s", out, sizeof out, &out_len), MALFORMED);
    CHECK_RESULT(stripe_connect_json_get_int(NULL, 0, "n", &integer), MALFORMED);
    CHECK_RESULT(stripe_connect_json_get_bool(NULL, 0, "b", &boolean), MALFORMED);
    /* and the good calls, for contrast */
    CHECK_RESULT(get_string(json, sizeof json - 1, "s", out, sizeof out, &out_len), OK);
    CHECK_RESULT(get_int(json, sizeof json - 1, "n", &integer), OK);
    CHECK_RESULT(get_bool(json, sizeof json - 1, "b", &boolean), OK);
    CHECK_INT64(integer, 1);
    CHECK_INT(boolean, 1);
}

/* ---- The document ends at len ------------------------------------------------------------------ */

static void the_document_ends_at_len(void)
{
    /* a second document follows the first in the same buffer: only len bytes are read */
    static const char two[] = "{\"a\":\"x\",\"n\":5}{\"a\":\"y\"}";
    static const char cut[] = "{\"a\":\"x\"}";
    char out[16];
    size_t out_len = 0;
    int64_t integer = 0;
    CHECK_RESULT(stripe_connect_json_get_string(two, 15, "a", out, sizeof out, &out_len), OK);
    CHECK_STR(out, "x");
    CHECK_RESULT(stripe_connect_json_get_int(two, 15, "n", &integer), OK);
    CHECK_INT64(integer, 5);
    /* "[12]" with len 3 is "[12": malformed, the ']' after len does not close it */
    CHECK_RESULT(stripe_connect_json_get_int("[12]", 3, "0", &integer), MALFORMED);
    CHECK_RESULT(get_int("[1", 2, "0", &integer), MALFORMED);
    /* len one short of the closing brace */
    CHECK_RESULT(stripe_connect_json_get_string(cut, sizeof cut - 2, "a", out, sizeof out, &out_len), MALFORMED);
}

/* ---- Depth ------------------------------------------------------------------------------------- */

/* levels nested arrays around 7, and the path of levels "0" segments to it. */
static void nested_arrays(text *json, text *path, size_t levels)
{
    size_t i;
    text_repeat(json, "[", levels);
    text_str(json, "7");
    text_repeat(json, "]", levels);
    for (i = 0; i < levels; i++) text_str(path, i == 0 ? "0" : ".0");
}

/* levels nested objects {"x":{"x":...7}}, and the path x.x... to it. */
static void nested_objects(text *json, text *path, size_t levels)
{
    size_t i;
    text_repeat(json, "{\"x\":", levels);
    text_str(json, "7");
    text_repeat(json, "}", levels);
    for (i = 0; i < levels; i++) text_str(path, i == 0 ? "x" : ".x");
}

typedef struct depth_case {
    const char *name;
    void (*build)(text *json, text *path, size_t levels);
    size_t levels;
    const char *path;             /* NULL: the path built to the innermost value */
    stripe_connect_result want;
} depth_case;

static const depth_case depth_cases[] = {
    { "32 nested arrays: the value at 0.0...0 (32 segments)", nested_arrays, STRIPE_CONNECT_JSON_MAX_DEPTH,
      NULL, OK },
    { "33 nested arrays: ERR_MALFORMED_JSON", nested_arrays, STRIPE_CONNECT_JSON_MAX_DEPTH + 1, NULL,
      .want = MALFORMED },
    { "33 nested arrays: ERR_MALFORMED_JSON also for a short path", nested_arrays,
      STRIPE_CONNECT_JSON_MAX_DEPTH + 1, "0", .want = MALFORMED },
    { "32 nested objects: the value at x.x...x", nested_objects, STRIPE_CONNECT_JSON_MAX_DEPTH, NULL, OK },
    { "33 nested objects: ERR_MALFORMED_JSON", nested_objects, STRIPE_CONNECT_JSON_MAX_DEPTH + 1, NULL,
      .want = MALFORMED },
    { "33 nested objects: ERR_MALFORMED_JSON also for a missing path", nested_objects,
      STRIPE_CONNECT_JSON_MAX_DEPTH + 1, "y", .want = MALFORMED },
    { "100000 nested arrays: ERR_MALFORMED_JSON (and no stack exhausted)", nested_arrays, 100000, "0",
      .want = MALFORMED },
    { "a path deeper than the document: ERR_NOT_FOUND", nested_arrays, 3, "0.0.0.0.0", .want = NOT_FOUND },
};

static void run_depth_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof depth_cases / sizeof depth_cases[0]; i++) {
        const depth_case *row = &depth_cases[i];
        text json = { NULL, 0, 0 }, path = { NULL, 0, 0 };
        int64_t value = 0;
        test_begin(row->name);
        row->build(&json, &path, row->levels);
        CHECK_RESULT(get_int(json.bytes, json.len, row->path != NULL ? row->path : path.bytes, &value), row->want);
        if (row->want == OK) CHECK_INT64(value, 7);
        text_free(&json);
        text_free(&path);
        test_end();
    }
}

/* The depth comes back down: siblings of 31 nested arrays inside the top object. */
static void the_depth_comes_back_down(void)
{
    text json = { NULL, 0, 0 };
    char out[8];
    size_t out_len = 0;
    text_str(&json, "{\"a\":");
    text_repeat(&json, "[", STRIPE_CONNECT_JSON_MAX_DEPTH - 1);
    text_repeat(&json, "]", STRIPE_CONNECT_JSON_MAX_DEPTH - 1);
    text_str(&json, ",\"b\":");
    text_repeat(&json, "[", STRIPE_CONNECT_JSON_MAX_DEPTH - 1);
    text_repeat(&json, "]", STRIPE_CONNECT_JSON_MAX_DEPTH - 1);
    text_str(&json, ",\"s\":\"ok\"}");
    CHECK_RESULT(get_string(json.bytes, json.len, "s", out, sizeof out, &out_len), OK);
    CHECK_STR(out, "ok");
    text_free(&json);
}

/* ---- Long keys and long paths ------------------------------------------------------------------ */

static void long_keys_and_paths(void)
{
    text json = { NULL, 0, 0 }, key = { NULL, 0, 0 }, path = { NULL, 0, 0 };
    char out[8];
    size_t out_len = 0, i;
    int64_t value = 0;

    /* a key of 300 bytes, longer than any field */
    text_repeat(&key, "k", 300);
    text_str(&json, "{\"");
    text_str(&json, key.bytes);
    text_str(&json, "\":\"v\"}");
    CHECK_RESULT(get_string(json.bytes, json.len, key.bytes, out, sizeof out, &out_len), OK);
    CHECK_STR(out, "v");
    text_str(&path, key.bytes);
    text_str(&path, "k");
    CHECK_RESULT(get_string(json.bytes, json.len, path.bytes, out, sizeof out, &out_len), NOT_FOUND);
    key.bytes[299] = '\0';
    CHECK_RESULT(get_string(json.bytes, json.len, key.bytes, out, sizeof out, &out_len), NOT_FOUND);

    /* a path of 1000 segments into a shallow document */
    text_free(&path);
    for (i = 0; i < 1000; i++) text_str(&path, i == 0 ? "0" : ".0");
    CHECK_RESULT(get_int(J("[[1]]"), path.bytes, &value), NOT_FOUND);

    text_free(&json);
    text_free(&key);
    text_free(&path);
}

/* Keys are compared after unescaping, whatever their length. */
static void a_long_escaped_key_matches_its_unescaped_path(void)
{
    text json = { NULL, 0, 0 }, path = { NULL, 0, 0 };
    char out[8];
    size_t out_len = 0;
    /* the key: 200 'k', then \u0062 ("b"); the path: 200 'k', then "b" */
    text_str(&json, "{\"");
    text_repeat(&json, "k", 200);
    text_str(&json, "\\u0062\":\"v\"}");
    text_repeat(&path, "k", 200);
    text_str(&path, "b");
    CHECK_RESULT(get_string(json.bytes, json.len, path.bytes, out, sizeof out, &out_len), OK);
    CHECK_STR(out, "v");
    text_free(&json);
    text_free(&path);
}

void suite_json_lookup(void)
{
    run_lookup_cases();
    string_buffer_rules();
    RUN(a_small_buffer_does_not_hide_other_answers);
    bad_paths_are_invalid_arguments();
    RUN(a_bad_path_is_invalid_whatever_the_document);
    RUN(null_arguments_are_invalid);
    RUN(the_document_ends_at_len);
    run_depth_cases();
    RUN(the_depth_comes_back_down);
    RUN(long_keys_and_paths);
    RUN(a_long_escaped_key_matches_its_unescaped_path);
}
