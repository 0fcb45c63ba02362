/* test_token_response.c - how answers from /oauth/token and /oauth/deauthorize are read.

   stripe_connect_parse_token_response applies DESIGN.md's "Response parsing"
   rules in order: a Stripe error body (OAuth string or API object, whatever
   the status), then any other non-2xx, then JSON validity, then the token's
   shape. Each table row is one case: its name states the rule, its body is
   the exact bytes received, and its expectations are the exact result and
   fields.

   Every body is handed over in a heap buffer of exactly len + 1 bytes whose
   last byte is 'x', which is not JSON: a parser that reads past len sees
   trailing garbage, and AddressSanitizer catches a read past the buffer.
   The token and the error are prefilled with 0xAA, so a field the parser
   forgets to set shows. */
#include "../../stripe_connect.h"
#include "suites.h"
#include "test.h"
#include "checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A body literal and its exact length (it may hold NUL bytes). */
#define BODY(literal) literal, sizeof(literal) - 1

/* ---- Helpers ------------------------------------------------------------------------------- */

/* Text grown on the heap, for bodies too long to write as literals. */
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

/* The length of the string in a field of size bytes; size when it holds no NUL. */
static size_t text_length(const char *field, size_t size)
{
    const char *nul = (const char *)memchr(field, '\0', size);
    return nul != NULL ? (size_t)(nul - field) : size;
}

/* Parses body[0..len) as it arrived in a buffer followed by one byte 'x'. */
static stripe_connect_result parse_token(int status, const char *body, size_t len,
                                         stripe_connect_token *token, stripe_connect_error *err)
{
    stripe_connect_result r;
    char *copy = (char *)malloc(len + 1);
    if (copy == NULL) { fprintf(stderr, "out of memory\n"); exit(2); }
    if (len > 0) memcpy(copy, body, len);
    copy[len] = 'x';
    memset(token, 0xAA, sizeof *token);
    if (err != NULL) memset(err, 0xAA, sizeof *err);
    r = stripe_connect_parse_token_response(status, copy, len, token, err);
    free(copy);
    return r;
}

static stripe_connect_result parse_deauthorize(int status, const char *body, size_t len,
                                               const char *account, stripe_connect_error *err)
{
    stripe_connect_result r;
    char *copy = (char *)malloc(len + 1);
    if (copy == NULL) { fprintf(stderr, "out of memory\n"); exit(2); }
    if (len > 0) memcpy(copy, body, len);
    copy[len] = 'x';
    if (err != NULL) memset(err, 0xAA, sizeof *err);
    r = stripe_connect_parse_deauthorize_response(status, copy, len, account, err);
    free(copy);
    return r;
}

static void check_token_zeroed(const stripe_connect_token *token)
{
    static const stripe_connect_token zero;
    CHECK_MEM(token, sizeof *token, &zero, sizeof zero);
}

/* The error of every result but ERR_OAUTH and ERR_API: only the status. */
static void check_error_plain(const stripe_connect_error *err, int status)
{
    CHECK_INT(err->http_status, status);
    CHECK_INT(err->oauth_error, STRIPE_CONNECT_OAUTH_NONE);
    CHECK_FIELD(err->code, "");
    CHECK_FIELD(err->type, "");
    CHECK_FIELD(err->decline_code, "");
    CHECK_FIELD(err->param, "");
    CHECK_FIELD(err->message, "");
    CHECK_FIELD(err->request_id, "");
}

static const char *or_empty(const char *s) { return s != NULL ? s : ""; }

/* ---- Answers that parse ------------------------------------------------------------------------ */

typedef struct expected_token {   /* NULL means "" */
    const char *access_token, *refresh_token, *stripe_publishable_key, *stripe_user_id;
    const char *scope, *token_type;
    int livemode;
} expected_token;

typedef struct ok_case {
    const char *name;
    int status;
    const char *body; size_t len;
    expected_token want;
} ok_case;

#define ACCT_1 { .stripe_user_id = "acct_1" }
#define WITH_NUMBER(number) BODY("{\"stripe_user_id\":\"acct_1\",\"n\":" number "}")
#define WITH_USER_ID(json_string) BODY("{\"stripe_user_id\":\"" json_string "\"}")

static const ok_case ok_cases[] = {
    { "a realistic Stripe token response gives every field", 200, BODY(
        "{\n"
        "  \"access_token\": \"sk_test_51HxYzAbCdEfGhIjKlMnOpQrStUv\",\n"
        "  \"livemode\": false,\n"
        "  \"refresh_token\": \"rt_HxYzAbCdEfGhIjKlMnOpQrStUvWxYz\",\n"
        "  \"token_type\": \"bearer\",\n"
        "  \"stripe_publishable_key\": \"pk_test_51HxYzAbCdEfGhIjKlMnOp\",\n"
        "  \"stripe_user_id\": \"acct_1032D82eZvKYlo2C\",\n"
        "  \"scope\": \"read_write\"\n"
        "}\n"),
      { "sk_test_51HxYzAbCdEfGhIjKlMnOpQrStUv", "rt_HxYzAbCdEfGhIjKlMnOpQrStUvWxYz",
        "pk_test_51HxYzAbCdEfGhIjKlMnOp", "acct_1032D82eZvKYlo2C", "read_write", "bearer", 0 } },
    { "livemode true and scope read_only, compact", 200, BODY(
        "{\"access_token\":\"sk_live_1\",\"livemode\":true,\"refresh_token\":\"rt_1\","
        "\"token_type\":\"bearer\",\"stripe_publishable_key\":\"pk_live_1\","
        "\"stripe_user_id\":\"acct_1\",\"scope\":\"read_only\"}"),
      { "sk_live_1", "rt_1", "pk_live_1", "acct_1", "read_only", "bearer", 1 } },
    { "status 201 is a 2xx success", 201, WITH_USER_ID("acct_1"), ACCT_1 },
    { "status 299 is a 2xx success", 299, WITH_USER_ID("acct_1"), ACCT_1 },
    { "only stripe_user_id is required: absent fields are \"\" and livemode 0", 200,
      WITH_USER_ID("acct_1"), ACCT_1 },
    { "null counts as absent for every optional field", 200, BODY(
        "{\"access_token\":null,\"livemode\":null,\"refresh_token\":null,\"token_type\":null,"
        "\"stripe_publishable_key\":null,\"scope\":null,\"stripe_user_id\":\"acct_1\"}"),
      ACCT_1 },
    { "fields in any order", 200, BODY(
        "{\"scope\":\"read_write\",\"stripe_user_id\":\"acct_1\",\"livemode\":true,\"access_token\":\"sk_1\"}"),
      { .access_token = "sk_1", .stripe_user_id = "acct_1", .scope = "read_write", .livemode = 1 } },
    { "unknown fields of every shape are skipped", 200, BODY(
        "{\"a\":{\"b\":[1,{\"c\":[true,false,null]},\"s\"],\"d\":{}},\"e\":[],\"o\":{},"
        "\"n\":-12.5e+3,\"t\":true,\"f\":false,\"z\":null,\"stripe_user_id\":\"acct_1\",\"s\":\"x\"}"),
      ACCT_1 },
    { "an unknown field holding \\u0000 is skipped", 200, BODY(
        "{\"note\":\"a\\u0000b\",\"stripe_user_id\":\"acct_1\"}"), ACCT_1 },
    { "an unknown key holding \\u0000 is skipped", 200, BODY(
        "{\"note\\u0000\":1,\"stripe_user_id\":\"acct_1\"}"), ACCT_1 },
    { "an unknown field may repeat", 200, BODY(
        "{\"x\":1,\"x\":\"two\",\"stripe_user_id\":\"acct_1\"}"), ACCT_1 },
    { "an \"error\" inside a nested object is not Stripe's error", 200, BODY(
        "{\"data\":{\"error\":\"invalid_grant\"},\"stripe_user_id\":\"acct_1\"}"), ACCT_1 },
    { "space, tab, LF and CR are whitespace around every token", 200, BODY(
        " \t\r\n{ \t\r\n\"stripe_user_id\" \t\r\n: \t\r\n\"acct_1\" \t\r\n, \t\r\n"
        "\"livemode\" : true , \"x\" : [ 1 , { } , [ ] ] \t\r\n} \t\r\n"),
      { .stripe_user_id = "acct_1", .livemode = 1 } },
    /* Escapes are decoded in values. */
    { "\\/ decodes to /",  200, WITH_USER_ID("acct\\/1"),  { .stripe_user_id = "acct/1" } },
    { "\\\" decodes to \"", 200, WITH_USER_ID("acct\\\"1"), { .stripe_user_id = "acct\"1" } },
    { "\\\\ decodes to \\", 200, WITH_USER_ID("acct\\\\1"), { .stripe_user_id = "acct\\1" } },
    { "\\n decodes to LF", 200, WITH_USER_ID("acct\\n1"),   { .stripe_user_id = "acct\n1" } },
    { "\\t decodes to TAB", 200, WITH_USER_ID("acct\\t1"),  { .stripe_user_id = "acct\t1" } },
    { "\\b decodes to BS", 200, WITH_USER_ID("acct\\b1"),   { .stripe_user_id = "acct\b1" } },
    { "\\f decodes to FF", 200, WITH_USER_ID("acct\\f1"),   { .stripe_user_id = "acct\f1" } },
    { "\\r decodes to CR", 200, WITH_USER_ID("acct\\r1"),   { .stripe_user_id = "acct\r1" } },
    { "\\u0041 decodes to A", 200, WITH_USER_ID("acct\\u0041"), { .stripe_user_id = "acctA" } },
    { "\\u0001 decodes to the byte 01 (escaped controls are allowed)", 200,
      WITH_USER_ID("acct\\u0001"), { .stripe_user_id = "acct\x01" } },
    { "\\u00e9 decodes to UTF-8 C3 A9", 200, WITH_USER_ID("caf\\u00e9"),
      { .stripe_user_id = "caf\xC3\xA9" } },
    { "\\u00E9 with upper-case hex decodes to C3 A9", 200, WITH_USER_ID("caf\\u00E9"),
      { .stripe_user_id = "caf\xC3\xA9" } },
    { "\\u07ff decodes to DF BF (the last 2-byte form)", 200, WITH_USER_ID("\\u07ff"),
      { .stripe_user_id = "\xDF\xBF" } },
    { "\\u0800 decodes to E0 A0 80 (the first 3-byte form)", 200, WITH_USER_ID("\\u0800"),
      { .stripe_user_id = "\xE0\xA0\x80" } },
    { "\\uffff decodes to EF BF BF", 200, WITH_USER_ID("\\uffff"),
      { .stripe_user_id = "\xEF\xBF\xBF" } },
    { "surrogate pair \\ud83d\\ude00 decodes to F0 9F 98 80", 200, WITH_USER_ID("\\ud83d\\ude00"),
      { .stripe_user_id = "\xF0\x9F\x98\x80" } },
    { "surrogate pair \\uDBFF\\uDFFF decodes to F4 8F BF BF (U+10FFFF)", 200,
      WITH_USER_ID("\\uDBFF\\uDFFF"), { .stripe_user_id = "\xF4\x8F\xBF\xBF" } },
    { "every escape in one value", 200,
      WITH_USER_ID("\\/\\\"\\\\\\n\\t\\b\\f\\r\\u00e9\\ud83d\\ude00"),
      { .stripe_user_id = "/\"\\\n\t\b\f\r\xC3\xA9\xF0\x9F\x98\x80" } },
    { "escapes in other fields are decoded too", 200, BODY(
        "{\"access_token\":\"sk\\u005f1\",\"refresh_token\":\"rt\\/1\",\"stripe_publishable_key\":\"pk\\t1\","
        "\"scope\":\"read\\u005fwrite\",\"token_type\":\"b\\u0065arer\",\"stripe_user_id\":\"acct_1\"}"),
      { "sk_1", "rt/1", "pk\t1", "acct_1", "read_write", "bearer", 0 } },
    /* Escapes are decoded in keys. */
    { "the key \"stripe\\u005fuser_id\" is stripe_user_id", 200, BODY(
        "{\"stripe\\u005fuser_id\":\"acct_1\"}"), ACCT_1 },
    { "the key \"\\u006civemode\" is livemode", 200, BODY(
        "{\"\\u006civemode\":true,\"stripe_user_id\":\"acct_1\"}"),
      { .stripe_user_id = "acct_1", .livemode = 1 } },
    { "the key \"access\\/token\" is not access_token but an unknown key", 200, BODY(
        "{\"access\\/token\":\"sk_1\",\"stripe_user_id\":\"acct_1\"}"), ACCT_1 },
    /* Raw UTF-8 is taken as it is. */
    { "raw UTF-8 C3 A9 is kept", 200, WITH_USER_ID("caf\xC3\xA9"), { .stripe_user_id = "caf\xC3\xA9" } },
    { "raw UTF-8 C2 80 (U+0080) is kept", 200, WITH_USER_ID("\xC2\x80"), { .stripe_user_id = "\xC2\x80" } },
    { "raw UTF-8 E0 A0 80 (U+0800) is kept", 200, WITH_USER_ID("\xE0\xA0\x80"),
      { .stripe_user_id = "\xE0\xA0\x80" } },
    { "raw UTF-8 ED 9F BF (U+D7FF) is kept", 200, WITH_USER_ID("\xED\x9F\xBF"),
      { .stripe_user_id = "\xED\x9F\xBF" } },
    { "raw UTF-8 EE 80 80 (U+E000) is kept", 200, WITH_USER_ID("\xEE\x80\x80"),
      { .stripe_user_id = "\xEE\x80\x80" } },
    { "raw UTF-8 F0 90 80 80 (U+10000) is kept", 200, WITH_USER_ID("\xF0\x90\x80\x80"),
      { .stripe_user_id = "\xF0\x90\x80\x80" } },
    { "raw UTF-8 F0 9F 98 80 is kept", 200, WITH_USER_ID("\xF0\x9F\x98\x80"),
      { .stripe_user_id = "\xF0\x9F\x98\x80" } },
    { "raw UTF-8 F4 8F BF BF (U+10FFFF) is kept", 200, WITH_USER_ID("\xF4\x8F\xBF\xBF"),
      { .stripe_user_id = "\xF4\x8F\xBF\xBF" } },
    { "raw DEL (7F) is not a control character in JSON", 200, WITH_USER_ID("acct\x7F"),
      { .stripe_user_id = "acct\x7F" } },
    /* Numbers that follow the grammar, in an unknown field. */
    { "number 0",                 200, WITH_NUMBER("0"),                 ACCT_1 },
    { "number -0",                200, WITH_NUMBER("-0"),                ACCT_1 },
    { "number 1.5e+10",           200, WITH_NUMBER("1.5e+10"),           ACCT_1 },
    { "number 0E-3",              200, WITH_NUMBER("0E-3"),              ACCT_1 },
    { "number -0.0e0",            200, WITH_NUMBER("-0.0e0"),            ACCT_1 },
    { "number 1E5",               200, WITH_NUMBER("1E5"),               ACCT_1 },
    { "number 1e-5",              200, WITH_NUMBER("1e-5"),              ACCT_1 },
    { "number -1.25",             200, WITH_NUMBER("-1.25"),             ACCT_1 },
    { "number 1234567890123456789012345678901234567890 (any size)", 200,
      WITH_NUMBER("1234567890123456789012345678901234567890"), ACCT_1 },
    { "number 1e999 (any exponent)", 200, WITH_NUMBER("1e999"), ACCT_1 },
};

static void check_token(const stripe_connect_token *token, const expected_token *want)
{
    CHECK_FIELD(token->access_token, or_empty(want->access_token));
    CHECK_FIELD(token->refresh_token, or_empty(want->refresh_token));
    CHECK_FIELD(token->stripe_publishable_key, or_empty(want->stripe_publishable_key));
    CHECK_FIELD(token->stripe_user_id, or_empty(want->stripe_user_id));
    CHECK_FIELD(token->scope, or_empty(want->scope));
    CHECK_FIELD(token->token_type, or_empty(want->token_type));
    CHECK_INT(token->livemode, want->livemode);
}

static void run_ok_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof ok_cases / sizeof ok_cases[0]; i++) {
        const ok_case *row = &ok_cases[i];
        stripe_connect_token token;
        stripe_connect_error err;
        test_begin(row->name);
        CHECK_RESULT(parse_token(row->status, row->body, row->len, &token, &err), STRIPE_CONNECT_OK);
        check_token(&token, &row->want);
        check_error_plain(&err, row->status);
        /* err may be NULL */
        CHECK_RESULT(parse_token(row->status, row->body, row->len, &token, NULL), STRIPE_CONNECT_OK);
        check_token(&token, &row->want);
        test_end();
    }
}

/* ---- Answers that fail without a Stripe error ------------------------------------------------ */

typedef struct failure_case {
    const char *name;
    int status;
    const char *body; size_t len;
    stripe_connect_result want;
} failure_case;

#define HTTP_STATUS STRIPE_CONNECT_ERR_HTTP_STATUS
#define MALFORMED   STRIPE_CONNECT_ERR_MALFORMED_JSON
#define UNEXPECTED  STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE

static const failure_case failure_cases[] = {
    /* Rule 2: any other non-2xx, valid JSON or not. */
    { "400 with {} is ERR_HTTP_STATUS", 400, BODY("{}"), HTTP_STATUS },
    { "500 with JSON but no error is ERR_HTTP_STATUS", 500, BODY("{\"message\":\"internal\"}"), HTTP_STATUS },
    { "404 with a valid token body is ERR_HTTP_STATUS", 404, WITH_USER_ID("acct_1"), HTTP_STATUS },
    { "502 with an HTML page is ERR_HTTP_STATUS", 502,
      BODY("<html><body><h1>502 Bad Gateway</h1></body></html>\n"), HTTP_STATUS },
    { "503 with an empty body is ERR_HTTP_STATUS", 503, BODY(""), HTTP_STATUS },
    { "400 whose \"error\" is null is ERR_HTTP_STATUS", 400, BODY("{\"error\":null}"), HTTP_STATUS },
    { "400 whose \"error\" is a number is ERR_HTTP_STATUS", 400, BODY("{\"error\":42}"), HTTP_STATUS },
    { "400 whose \"error\" is an array is ERR_HTTP_STATUS", 400, BODY("{\"error\":[\"invalid_grant\"]}"),
      HTTP_STATUS },
    { "400 whose top level is an array holding an error is ERR_HTTP_STATUS", 400,
      BODY("[{\"error\":\"invalid_grant\"}]"), HTTP_STATUS },
    { "400 with an error only inside a nested object is ERR_HTTP_STATUS", 400,
      BODY("{\"data\":{\"error\":\"invalid_grant\"}}"), HTTP_STATUS },
    { "400 with a truncated OAuth error body is ERR_HTTP_STATUS (not valid JSON)", 400,
      BODY("{\"error\":\"invalid_grant\""), HTTP_STATUS },
    { "401 with an OAuth error followed by garbage is ERR_HTTP_STATUS (not valid JSON)", 401,
      BODY("{\"error\":\"invalid_client\"}garbage"), HTTP_STATUS },
    { "400 with an OAuth error holding invalid UTF-8 is ERR_HTTP_STATUS (not valid JSON)", 400,
      BODY("{\"error\":\"invalid_grant\",\"error_description\":\"\xFF\"}"), HTTP_STATUS },
    { "400 with an API error object holding an invalid value is ERR_HTTP_STATUS (not valid JSON)", 400,
      BODY("{\"error\":{\"type\":\"api_error\",\"extra\":[1,]}}"), HTTP_STATUS },
    { "status 100 is not 2xx", 100, WITH_USER_ID("acct_1"), HTTP_STATUS },
    { "status 199 is not 2xx", 199, WITH_USER_ID("acct_1"), HTTP_STATUS },
    { "status 300 is not 2xx", 300, WITH_USER_ID("acct_1"), HTTP_STATUS },
    { "status 302 with an empty body is ERR_HTTP_STATUS", 302, BODY(""), HTTP_STATUS },
    /* Rule 3: a 2xx body that is not valid JSON. */
    { "200 with an API error object holding an invalid value is ERR_MALFORMED_JSON", 200,
      BODY("{\"error\":{\"type\":\"api_error\",\"extra\":[1,]}}"), MALFORMED },
    { "200 with an empty body is ERR_MALFORMED_JSON", 200, BODY(""), MALFORMED },
    { "200 with only whitespace is ERR_MALFORMED_JSON", 200, BODY(" \t\r\n"), MALFORMED },
    { "200 with HTML is ERR_MALFORMED_JSON", 200, BODY("<html></html>"), MALFORMED },
    { "200 with plain text is ERR_MALFORMED_JSON", 200, BODY("OK"), MALFORMED },
    { "truncated: no closing brace", 200, BODY("{\"stripe_user_id\":\"acct_1\""), MALFORMED },
    { "truncated: after a comma", 200, BODY("{\"stripe_user_id\":\"acct_1\","), MALFORMED },
    { "truncated: after a colon", 200, BODY("{\"stripe_user_id\":"), MALFORMED },
    { "truncated: inside a string", 200, BODY("{\"stripe_user_id\":\"acct_"), MALFORMED },
    { "truncated: inside a key", 200, BODY("{\"stripe_user"), MALFORMED },
    { "truncated: a lone {", 200, BODY("{"), MALFORMED },
    { "truncated: inside an escape", 200, BODY("{\"stripe_user_id\":\"acct\\u00"), MALFORMED },
    { "truncated: after a backslash", 200, BODY("{\"stripe_user_id\":\"acct\\"), MALFORMED },
    /* Structure. */
    { "a trailing comma in an object", 200, BODY("{\"stripe_user_id\":\"acct_1\",}"), MALFORMED },
    { "a trailing comma in an array", 200, BODY("{\"x\":[1,],\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "a leading comma in an array", 200, BODY("{\"x\":[,1],\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "a missing colon", 200, BODY("{\"stripe_user_id\" \"acct_1\"}"), MALFORMED },
    { "a missing value", 200, BODY("{\"stripe_user_id\":}"), MALFORMED },
    { "a missing comma between members", 200,
      BODY("{\"a\":1 \"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "a missing comma between array elements", 200,
      BODY("{\"a\":[1 2],\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "single quotes", 200, BODY("{'stripe_user_id':'acct_1'}"), MALFORMED },
    { "an unquoted key", 200, BODY("{stripe_user_id:\"acct_1\"}"), MALFORMED },
    { "a number as key", 200, BODY("{1:\"acct_1\"}"), MALFORMED },
    { "an object closed with ]", 200, BODY("{\"stripe_user_id\":\"acct_1\"]"), MALFORMED },
    { "an array closed with }", 200, BODY("{\"x\":[1},\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "a colon in an array", 200, BODY("{\"x\":[1:2],\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    /* Trailing bytes after the object. */
    { "trailing garbage after the object", 200, BODY("{\"stripe_user_id\":\"acct_1\"}x"), MALFORMED },
    { "a second object after the object", 200, BODY("{\"stripe_user_id\":\"acct_1\"}{}"), MALFORMED },
    { "an extra } after the object", 200, BODY("{\"stripe_user_id\":\"acct_1\"}}"), MALFORMED },
    { "a comma after the object", 200, BODY("{\"stripe_user_id\":\"acct_1\"},"), MALFORMED },
    { "a NUL byte after the object", 200, BODY("{\"stripe_user_id\":\"acct_1\"}\0"), MALFORMED },
    /* Whitespace is only space, tab, LF and CR. */
    { "a form feed before the object", 200, BODY("\f{\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "a UTF-8 BOM before the object", 200, BODY("\xEF\xBB\xBF{\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "a form feed inside the object", 200, BODY("{\f\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "a vertical tab inside the object", 200, BODY("{\"stripe_user_id\":\v\"acct_1\"}"), MALFORMED },
    { "a no-break space (C2 A0) before the object", 200, BODY("\xC2\xA0{\"stripe_user_id\":\"acct_1\"}"),
      MALFORMED },
    { "a NUL byte before the object", 200, BODY("\0{\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    /* Literals. */
    { "literal tru", 200, BODY("{\"x\":tru,\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "literal nul", 200, BODY("{\"x\":nul,\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "literal fals", 200, BODY("{\"x\":fals,\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "literal True", 200, BODY("{\"x\":True,\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "literal NULL", 200, BODY("{\"x\":NULL,\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "literal truex", 200, BODY("{\"x\":truex,\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "literal nulll", 200, BODY("{\"x\":nulll,\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "livemode tru", 200, BODY("{\"livemode\":tru,\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "a truncated literal at the end", 200, BODY("{\"stripe_user_id\":\"acct_1\",\"x\":nu"), MALFORMED },
    /* Numbers outside the grammar. */
    { "number 01 (leading zero)", 200, WITH_NUMBER("01"), MALFORMED },
    { "number -01 (leading zero)", 200, WITH_NUMBER("-01"), MALFORMED },
    { "number 00", 200, WITH_NUMBER("00"), MALFORMED },
    { "number 1. (no fraction digits)", 200, WITH_NUMBER("1."), MALFORMED },
    { "number .5 (no integer part)", 200, WITH_NUMBER(".5"), MALFORMED },
    { "number -.5", 200, WITH_NUMBER("-.5"), MALFORMED },
    { "number +1", 200, WITH_NUMBER("+1"), MALFORMED },
    { "number - alone", 200, WITH_NUMBER("-"), MALFORMED },
    { "number --1", 200, WITH_NUMBER("--1"), MALFORMED },
    { "number 1e (no exponent digits)", 200, WITH_NUMBER("1e"), MALFORMED },
    { "number 1e+ (no exponent digits)", 200, WITH_NUMBER("1e+"), MALFORMED },
    { "number 1.e5", 200, WITH_NUMBER("1.e5"), MALFORMED },
    { "number 1.5e", 200, WITH_NUMBER("1.5e"), MALFORMED },
    { "number 0x1F (hex)", 200, WITH_NUMBER("0x1F"), MALFORMED },
    { "number Infinity", 200, WITH_NUMBER("Infinity"), MALFORMED },
    { "number NaN", 200, WITH_NUMBER("NaN"), MALFORMED },
    { "number 1_000", 200, WITH_NUMBER("1_000"), MALFORMED },
    /* Bad escapes. */
    { "escape \\x41", 200, WITH_USER_ID("acct\\x41"), MALFORMED },
    { "escape \\U0041 (upper-case U)", 200, WITH_USER_ID("acct\\U0041"), MALFORMED },
    { "escape \\' ", 200, WITH_USER_ID("acct\\'"), MALFORMED },
    { "escape \\a", 200, WITH_USER_ID("acct\\a"), MALFORMED },
    { "escape \\u12 (two digits)", 200, WITH_USER_ID("acct\\u12"), MALFORMED },
    { "escape \\u12G4 (not hex)", 200, WITH_USER_ID("acct\\u12G4"), MALFORMED },
    { "a bad escape in an unknown field", 200,
      BODY("{\"x\":\"\\q\",\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    /* Lone surrogates. */
    { "a high surrogate alone", 200, WITH_USER_ID("\\ud83d"), MALFORMED },
    { "a low surrogate alone", 200, WITH_USER_ID("\\ude00"), MALFORMED },
    { "a high surrogate followed by a non-surrogate escape", 200, WITH_USER_ID("\\ud83d\\u0041"), MALFORMED },
    { "a high surrogate followed by a plain character", 200, WITH_USER_ID("\\ud83dx"), MALFORMED },
    { "a high surrogate followed by another high surrogate", 200, WITH_USER_ID("\\ud83d\\ud83d"), MALFORMED },
    { "a low surrogate before a high surrogate", 200, WITH_USER_ID("\\ude00\\ud83d"), MALFORMED },
    { "a high surrogate followed by \\n", 200, WITH_USER_ID("\\ud83d\\n"), MALFORMED },
    { "a lone surrogate in an unknown field", 200,
      BODY("{\"x\":\"\\ud800\",\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "a lone surrogate in a key", 200, BODY("{\"\\udc00\":1,\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    /* Invalid UTF-8 in strings. */
    { "overlong C0 80", 200, WITH_USER_ID("\xC0\x80"), MALFORMED },
    { "overlong C1 BF", 200, WITH_USER_ID("\xC1\xBF"), MALFORMED },
    { "overlong E0 80 80", 200, WITH_USER_ID("\xE0\x80\x80"), MALFORMED },
    { "overlong E0 9F BF", 200, WITH_USER_ID("\xE0\x9F\xBF"), MALFORMED },
    { "overlong F0 80 80 80", 200, WITH_USER_ID("\xF0\x80\x80\x80"), MALFORMED },
    { "overlong F0 8F BF BF", 200, WITH_USER_ID("\xF0\x8F\xBF\xBF"), MALFORMED },
    { "encoded surrogate ED A0 80", 200, WITH_USER_ID("\xED\xA0\x80"), MALFORMED },
    { "encoded surrogate ED BF BF", 200, WITH_USER_ID("\xED\xBF\xBF"), MALFORMED },
    { "F4 90 80 80 above U+10FFFF", 200, WITH_USER_ID("\xF4\x90\x80\x80"), MALFORMED },
    { "F5 80 80 80", 200, WITH_USER_ID("\xF5\x80\x80\x80"), MALFORMED },
    { "a stray continuation byte 80", 200, WITH_USER_ID("acct\x80"), MALFORMED },
    { "a stray continuation byte BF", 200, WITH_USER_ID("\xBF" "acct"), MALFORMED },
    { "a truncated 2-byte sequence C3 before the quote", 200, WITH_USER_ID("caf\xC3"), MALFORMED },
    { "a truncated 3-byte sequence E2 82 before the quote", 200, WITH_USER_ID("\xE2\x82"), MALFORMED },
    { "a truncated 4-byte sequence F0 9F 98 before the quote", 200, WITH_USER_ID("\xF0\x9F\x98"), MALFORMED },
    { "a lead byte followed by ASCII: C3 41", 200, WITH_USER_ID("\xC3" "A"), MALFORMED },
    { "byte FE", 200, WITH_USER_ID("\xFE"), MALFORMED },
    { "byte FF", 200, WITH_USER_ID("\xFF"), MALFORMED },
    { "invalid UTF-8 in an unknown field", 200,
      BODY("{\"x\":\"\xC0\x80\",\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "invalid UTF-8 in a key", 200, BODY("{\"\xFF\":1,\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    { "invalid UTF-8 outside strings", 200, BODY("{\"stripe_user_id\":\"acct_1\"\xC3\xA9}"), MALFORMED },
    /* Raw control characters in strings. */
    { "a raw NUL byte in a string", 200, WITH_USER_ID("acct\0_1"), MALFORMED },
    { "a raw 01 in a string", 200, WITH_USER_ID("acct\x01"), MALFORMED },
    { "a raw 1F in a string", 200, WITH_USER_ID("acct\x1F"), MALFORMED },
    { "a raw LF in a string", 200, WITH_USER_ID("acct\n1"), MALFORMED },
    { "a raw TAB in a string", 200, WITH_USER_ID("acct\t1"), MALFORMED },
    { "a raw CR in a string", 200, WITH_USER_ID("acct\r1"), MALFORMED },
    { "a raw control character in a key", 200, BODY("{\"a\x01\":1,\"stripe_user_id\":\"acct_1\"}"),
      MALFORMED },
    { "a raw control character in an unknown field", 200,
      BODY("{\"x\":\"\x1F\",\"stripe_user_id\":\"acct_1\"}"), MALFORMED },
    /* Rule 4: valid JSON that is not an object. */
    { "200 with an empty array is ERR_UNEXPECTED_RESPONSE", 200, BODY("[]"), UNEXPECTED },
    { "200 with an array holding a token is ERR_UNEXPECTED_RESPONSE", 200,
      BODY("[{\"stripe_user_id\":\"acct_1\"}]"), UNEXPECTED },
    { "200 with a string is ERR_UNEXPECTED_RESPONSE", 200, BODY("\"acct_1\""), UNEXPECTED },
    { "200 with a number is ERR_UNEXPECTED_RESPONSE", 200, BODY("42"), UNEXPECTED },
    { "200 with a negative fraction is ERR_UNEXPECTED_RESPONSE", 200, BODY(" -1.5e3 "), UNEXPECTED },
    { "200 with true is ERR_UNEXPECTED_RESPONSE", 200, BODY("true"), UNEXPECTED },
    { "200 with false is ERR_UNEXPECTED_RESPONSE", 200, BODY("false"), UNEXPECTED },
    { "200 with null is ERR_UNEXPECTED_RESPONSE", 200, BODY("null"), UNEXPECTED },
    /* Rule 4: no string stripe_user_id. */
    { "an empty object lacks stripe_user_id", 200, BODY("{}"), UNEXPECTED },
    { "a token without stripe_user_id", 200,
      BODY("{\"access_token\":\"sk_1\",\"livemode\":false,\"refresh_token\":\"rt_1\"}"), UNEXPECTED },
    { "stripe_user_id null", 200, BODY("{\"stripe_user_id\":null}"), UNEXPECTED },
    { "stripe_user_id a number", 200, BODY("{\"stripe_user_id\":42}"), UNEXPECTED },
    { "stripe_user_id an object", 200, BODY("{\"stripe_user_id\":{\"id\":\"acct_1\"}}"), UNEXPECTED },
    { "stripe_user_id an array", 200, BODY("{\"stripe_user_id\":[\"acct_1\"]}"), UNEXPECTED },
    { "stripe_user_id a boolean", 200, BODY("{\"stripe_user_id\":true}"), UNEXPECTED },
    { "keys are case-sensitive: Stripe_User_Id is not stripe_user_id", 200,
      BODY("{\"Stripe_User_Id\":\"acct_1\"}"), UNEXPECTED },
    { "the key \"stripe_user_id\\u0000\" is not stripe_user_id", 200,
      BODY("{\"stripe_user_id\\u0000\":\"acct_1\"}"), UNEXPECTED },
    { "the key \"stripe_user_id \" is not stripe_user_id", 200,
      BODY("{\"stripe_user_id \":\"acct_1\"}"), UNEXPECTED },
    { "the key \"stripe_user\" (a name's beginning) is not stripe_user_id", 200,
      BODY("{\"stripe_user\":\"acct_1\"}"), UNEXPECTED },
    { "the key \"stripe_user_idx\" (a name and more) is not stripe_user_id", 200,
      BODY("{\"stripe_user_idx\":\"acct_1\"}"), UNEXPECTED },
    { "the escaped key \"stripe\\u005fuser\" is not stripe_user_id", 200,
      BODY("{\"stripe\\u005fuser\":\"acct_1\"}"), UNEXPECTED },
    { "a stripe_user_id inside a nested object does not count", 200,
      BODY("{\"data\":{\"stripe_user_id\":\"acct_1\"}}"), UNEXPECTED },
    /* Rule 4: a known field of the wrong type. */
    { "access_token a number", 200, BODY("{\"access_token\":42,\"stripe_user_id\":\"acct_1\"}"), UNEXPECTED },
    { "access_token an object", 200, BODY("{\"access_token\":{},\"stripe_user_id\":\"acct_1\"}"), UNEXPECTED },
    { "access_token an array", 200, BODY("{\"access_token\":[],\"stripe_user_id\":\"acct_1\"}"), UNEXPECTED },
    { "access_token a boolean", 200, BODY("{\"access_token\":true,\"stripe_user_id\":\"acct_1\"}"), UNEXPECTED },
    { "refresh_token a number", 200, BODY("{\"refresh_token\":1,\"stripe_user_id\":\"acct_1\"}"), UNEXPECTED },
    { "refresh_token a boolean", 200, BODY("{\"refresh_token\":false,\"stripe_user_id\":\"acct_1\"}"),
      UNEXPECTED },
    { "stripe_publishable_key an object", 200,
      BODY("{\"stripe_publishable_key\":{\"k\":\"pk\"},\"stripe_user_id\":\"acct_1\"}"), UNEXPECTED },
    { "scope an array", 200, BODY("{\"scope\":[\"read_write\"],\"stripe_user_id\":\"acct_1\"}"), UNEXPECTED },
    { "token_type a number", 200, BODY("{\"token_type\":0,\"stripe_user_id\":\"acct_1\"}"), UNEXPECTED },
    { "livemode the string \"false\"", 200, BODY("{\"livemode\":\"false\",\"stripe_user_id\":\"acct_1\"}"),
      UNEXPECTED },
    { "livemode the string \"true\"", 200, BODY("{\"livemode\":\"true\",\"stripe_user_id\":\"acct_1\"}"),
      UNEXPECTED },
    { "livemode the number 0", 200, BODY("{\"livemode\":0,\"stripe_user_id\":\"acct_1\"}"), UNEXPECTED },
    { "livemode the number 1", 200, BODY("{\"livemode\":1,\"stripe_user_id\":\"acct_1\"}"), UNEXPECTED },
    { "livemode an object", 200, BODY("{\"livemode\":{},\"stripe_user_id\":\"acct_1\"}"), UNEXPECTED },
    /* Rule 4: a known field twice. */
    { "stripe_user_id twice with equal values", 200,
      BODY("{\"stripe_user_id\":\"acct_1\",\"stripe_user_id\":\"acct_1\"}"), UNEXPECTED },
    { "stripe_user_id twice with different values", 200,
      BODY("{\"stripe_user_id\":\"acct_1\",\"stripe_user_id\":\"acct_2\"}"), UNEXPECTED },
    { "stripe_user_id twice, once through an escaped key", 200,
      BODY("{\"stripe_user_id\":\"acct_1\",\"stripe\\u005fuser_id\":\"acct_1\"}"), UNEXPECTED },
    { "access_token twice with equal values", 200,
      BODY("{\"access_token\":\"sk_1\",\"stripe_user_id\":\"acct_1\",\"access_token\":\"sk_1\"}"), UNEXPECTED },
    { "refresh_token twice", 200,
      BODY("{\"refresh_token\":\"rt_1\",\"refresh_token\":\"rt_2\",\"stripe_user_id\":\"acct_1\"}"), UNEXPECTED },
    { "stripe_publishable_key twice", 200,
      BODY("{\"stripe_publishable_key\":\"pk_1\",\"stripe_publishable_key\":\"pk_1\",\"stripe_user_id\":\"acct_1\"}"),
      UNEXPECTED },
    { "scope twice", 200,
      BODY("{\"scope\":\"read_write\",\"scope\":\"read_write\",\"stripe_user_id\":\"acct_1\"}"), UNEXPECTED },
    { "token_type twice", 200,
      BODY("{\"token_type\":\"bearer\",\"token_type\":\"bearer\",\"stripe_user_id\":\"acct_1\"}"), UNEXPECTED },
    { "livemode twice with equal values", 200,
      BODY("{\"livemode\":false,\"livemode\":false,\"stripe_user_id\":\"acct_1\"}"), UNEXPECTED },
    /* Rule 4: a value holding NUL. */
    { "stripe_user_id holding \\u0000 at the end", 200, WITH_USER_ID("acct_1\\u0000"), UNEXPECTED },
    { "stripe_user_id that is only \\u0000", 200, WITH_USER_ID("\\u0000"), UNEXPECTED },
    { "access_token holding \\u0000 in the middle", 200,
      BODY("{\"access_token\":\"sk\\u0000_1\",\"stripe_user_id\":\"acct_1\"}"), UNEXPECTED },
    { "scope holding \\u0000", 200,
      BODY("{\"scope\":\"read\\u0000\",\"stripe_user_id\":\"acct_1\"}"), UNEXPECTED },
};

static void run_failure_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof failure_cases / sizeof failure_cases[0]; i++) {
        const failure_case *row = &failure_cases[i];
        stripe_connect_token token;
        stripe_connect_error err;
        test_begin(row->name);
        CHECK_RESULT(parse_token(row->status, row->body, row->len, &token, &err), row->want);
        check_token_zeroed(&token);
        check_error_plain(&err, row->status);
        /* err may be NULL */
        CHECK_RESULT(parse_token(row->status, row->body, row->len, &token, NULL), row->want);
        check_token_zeroed(&token);
        test_end();
    }
}

/* ---- Stripe's errors: OAuth (a string) and API (an object) ----------------------------------- */

typedef struct stripe_error_case {
    const char *name;
    int status;
    const char *body; size_t len;
    stripe_connect_result want;            /* ERR_OAUTH or ERR_API */
    stripe_connect_oauth_error oauth_error;
    const char *code, *type, *decline_code, *param, *message;   /* NULL means "" */
} stripe_error_case;

#define OAUTH_ERROR(code, description) \
    BODY("{\"error\":\"" code "\",\"error_description\":\"" description "\"}")

static const stripe_error_case stripe_error_cases[] = {
    { "invalid_grant is OAUTH_INVALID_GRANT", 400,
      OAUTH_ERROR("invalid_grant", "Authorization code does not exist: ac_123"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_INVALID_GRANT,
      .code = "invalid_grant", .message = "Authorization code does not exist: ac_123" },
    { "invalid_client is OAUTH_INVALID_CLIENT", 401,
      OAUTH_ERROR("invalid_client", "No such application: 'ca_1'"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_INVALID_CLIENT,
      .code = "invalid_client", .message = "No such application: 'ca_1'" },
    { "invalid_request is OAUTH_INVALID_REQUEST", 400,
      OAUTH_ERROR("invalid_request", "No grant type specified"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_INVALID_REQUEST,
      .code = "invalid_request", .message = "No grant type specified" },
    { "invalid_scope is OAUTH_INVALID_SCOPE", 400,
      OAUTH_ERROR("invalid_scope", "Invalid scope: read_all"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_INVALID_SCOPE,
      .code = "invalid_scope", .message = "Invalid scope: read_all" },
    { "unsupported_grant_type is OAUTH_UNSUPPORTED_GRANT_TYPE", 400,
      OAUTH_ERROR("unsupported_grant_type", "Unsupported grant type: password"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_UNSUPPORTED_GRANT_TYPE,
      .code = "unsupported_grant_type", .message = "Unsupported grant type: password" },
    { "access_denied is OAUTH_ACCESS_DENIED", 400,
      OAUTH_ERROR("access_denied", "The user denied your request"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_ACCESS_DENIED,
      .code = "access_denied", .message = "The user denied your request" },
    { "invalid_redirect_uri is OAUTH_INVALID_REDIRECT_URI", 400,
      OAUTH_ERROR("invalid_redirect_uri", "Invalid redirect URI"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_INVALID_REDIRECT_URI,
      .code = "invalid_redirect_uri", .message = "Invalid redirect URI" },
    { "unsupported_response_type is OAUTH_UNSUPPORTED_RESPONSE_TYPE", 400,
      OAUTH_ERROR("unsupported_response_type", "Only response_type=code is supported"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_UNSUPPORTED_RESPONSE_TYPE,
      .code = "unsupported_response_type", .message = "Only response_type=code is supported" },
    { "an unknown code is OAUTH_OTHER with the code kept", 400,
      OAUTH_ERROR("invalid_token", "Something new"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_OTHER,
      .code = "invalid_token", .message = "Something new" },
    { "a prefix of a known code is OAUTH_OTHER", 400, OAUTH_ERROR("invalid_gran", "x"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_OTHER, .code = "invalid_gran", .message = "x" },
    { "a known code with a suffix is OAUTH_OTHER", 400, OAUTH_ERROR("invalid_grants", "x"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_OTHER, .code = "invalid_grants", .message = "x" },
    { "codes are case-sensitive: INVALID_GRANT is OAUTH_OTHER", 400, OAUTH_ERROR("INVALID_GRANT", "x"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_OTHER, .code = "INVALID_GRANT", .message = "x" },
    { "an OAuth error with status 200 is still ERR_OAUTH", 200,
      OAUTH_ERROR("invalid_grant", "Authorization code expired"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_INVALID_GRANT,
      .code = "invalid_grant", .message = "Authorization code expired" },
    { "an OAuth error with status 500 is ERR_OAUTH", 500, OAUTH_ERROR("invalid_request", "Try later"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_INVALID_REQUEST,
      .code = "invalid_request", .message = "Try later" },
    { "an OAuth error without error_description has message \"\"", 400, BODY("{\"error\":\"invalid_grant\"}"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_INVALID_GRANT, .code = "invalid_grant" },
    { "an error_description that is not a string is skipped: message \"\"", 400,
      BODY("{\"error\":\"invalid_grant\",\"error_description\":42}"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_INVALID_GRANT, .code = "invalid_grant" },
    { "error_description is unescaped", 400,
      OAUTH_ERROR("invalid_grant", "Code \\\"ac_1\\\" already used\\n\\u00e9\\ud83d\\ude00 a\\/b\\\\c"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_INVALID_GRANT,
      .code = "invalid_grant", .message = "Code \"ac_1\" already used\n\xC3\xA9\xF0\x9F\x98\x80 a/b\\c" },
    { "the error code is unescaped", 400, OAUTH_ERROR("invalid\\u005fgrant", "x"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_INVALID_GRANT, .code = "invalid_grant", .message = "x" },
    { "the key \"\\u0065rror\" is error", 400, BODY("{\"\\u0065rror\":\"invalid_scope\"}"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_INVALID_SCOPE, .code = "invalid_scope" },
    { "an OAuth error wins over a token in the same 200 body", 200,
      BODY("{\"stripe_user_id\":\"acct_1\",\"access_token\":\"sk_1\",\"error\":\"invalid_grant\"}"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_INVALID_GRANT, .code = "invalid_grant" },
    { "unknown fields next to an OAuth error are skipped", 400,
      BODY("{\"extra\":{\"a\":[1,2,{}]},\"error\":\"invalid_grant\",\"n\":1e5,\"error_description\":\"m\"}"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_INVALID_GRANT, .code = "invalid_grant", .message = "m" },
    { "error twice: the first string counts", 400,
      BODY("{\"error\":\"invalid_grant\",\"error\":\"invalid_client\"}"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_INVALID_GRANT, .code = "invalid_grant" },
    { "error twice: a first string wins over a later object", 400,
      BODY("{\"error\":\"invalid_grant\",\"error\":{\"type\":\"api_error\",\"message\":\"m\"}}"),
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_INVALID_GRANT, .code = "invalid_grant" },
    { "error twice: a first object wins over a later string", 400,
      BODY("{\"error\":{\"type\":\"api_error\",\"message\":\"first\"},\"error\":\"invalid_grant\"}"),
      STRIPE_CONNECT_ERR_API, STRIPE_CONNECT_OAUTH_NONE, .type = "api_error", .message = "first" },
    /* API errors: an object under "error". */
    { "a Stripe API error object gives type, code, param and message", 400, BODY(
        "{\n"
        "  \"error\": {\n"
        "    \"code\": \"resource_missing\",\n"
        "    \"doc_url\": \"https://stripe.com/docs/error-codes/resource-missing\",\n"
        "    \"message\": \"No such customer: 'cus_123'\",\n"
        "    \"param\": \"id\",\n"
        "    \"request_log_url\": \"https://dashboard.stripe.com/test/logs/req_1?t=1\",\n"
        "    \"type\": \"invalid_request_error\"\n"
        "  }\n"
        "}\n"),
      STRIPE_CONNECT_ERR_API, STRIPE_CONNECT_OAUTH_NONE, .code = "resource_missing",
      .type = "invalid_request_error", .param = "id", .message = "No such customer: 'cus_123'" },
    { "a card error gives decline_code", 402, BODY(
        "{\"error\":{\"type\":\"card_error\",\"code\":\"card_declined\",\"decline_code\":\"insufficient_funds\","
        "\"param\":\"source\",\"message\":\"Your card has insufficient funds.\",\"charge\":\"ch_1\"}}"),
      STRIPE_CONNECT_ERR_API, STRIPE_CONNECT_OAUTH_NONE, .code = "card_declined", .type = "card_error",
      .decline_code = "insufficient_funds", .param = "source", .message = "Your card has insufficient funds." },
    { "an API error with only type and message", 401, BODY(
        "{\"error\":{\"message\":\"Invalid API Key provided: sk_test_****1234\",\"type\":\"invalid_request_error\"}}"),
      STRIPE_CONNECT_ERR_API, STRIPE_CONNECT_OAUTH_NONE, .type = "invalid_request_error",
      .message = "Invalid API Key provided: sk_test_****1234" },
    { "an API error with status 200 is still ERR_API", 200, BODY(
        "{\"error\":{\"type\":\"api_error\",\"code\":\"c\",\"decline_code\":\"d\",\"param\":\"p\",\"message\":\"m\"}}"),
      STRIPE_CONNECT_ERR_API, STRIPE_CONNECT_OAUTH_NONE,
      .code = "c", .type = "api_error", .decline_code = "d", .param = "p", .message = "m" },
    { "an empty API error object is ERR_API with empty fields", 500, BODY("{\"error\":{}}"),
      STRIPE_CONNECT_ERR_API, STRIPE_CONNECT_OAUTH_NONE, .message = "" },
    { "known API error fields that are not strings are skipped, the others read", 402,
      BODY("{\"error\":{\"code\":42,\"type\":\"card_error\",\"message\":null,\"param\":[\"source\"],"
           "\"decline_code\":{\"x\":\"y\"}}}"),
      STRIPE_CONNECT_ERR_API, STRIPE_CONNECT_OAUTH_NONE, .type = "card_error" },
    { "nested unknown fields in an API error are skipped", 400, BODY(
        "{\"error\":{\"type\":\"invalid_request_error\",\"extra\":{\"message\":\"no\",\"a\":[1,{\"b\":null}]},"
        "\"message\":\"yes\"},\"other\":[]}"),
      STRIPE_CONNECT_ERR_API, STRIPE_CONNECT_OAUTH_NONE, .type = "invalid_request_error", .message = "yes" },
    { "an API error's message is unescaped", 400, BODY(
        "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"No such \\\"code\\\": caf\\u00e9\"}}"),
      STRIPE_CONNECT_ERR_API, STRIPE_CONNECT_OAUTH_NONE, .type = "invalid_request_error",
      .message = "No such \"code\": caf\xC3\xA9" },
};

static void check_stripe_error(const stripe_connect_error *err, int status, const stripe_error_case *want)
{
    CHECK_INT(err->http_status, status);
    CHECK_INT(err->oauth_error, want->oauth_error);
    CHECK_FIELD(err->code, or_empty(want->code));
    CHECK_FIELD(err->type, or_empty(want->type));
    CHECK_FIELD(err->decline_code, or_empty(want->decline_code));
    CHECK_FIELD(err->param, or_empty(want->param));
    CHECK_FIELD(err->message, or_empty(want->message));
    CHECK_FIELD(err->request_id, "");
}

static void run_stripe_error_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof stripe_error_cases / sizeof stripe_error_cases[0]; i++) {
        const stripe_error_case *row = &stripe_error_cases[i];
        stripe_connect_token token;
        stripe_connect_error err;
        test_begin(row->name);
        CHECK_RESULT(parse_token(row->status, row->body, row->len, &token, &err), row->want);
        check_token_zeroed(&token);
        check_stripe_error(&err, row->status, row);
        /* err may be NULL */
        CHECK_RESULT(parse_token(row->status, row->body, row->len, &token, NULL), row->want);
        check_token_zeroed(&token);
        test_end();
    }
}

/* ---- Lengths: token fields refuse, error fields cut ------------------------------------------ */

typedef struct long_value_case {
    const char *name;
    const char *key;       /* the field that carries the value */
    const char *unit;      /* the value is unit repeated count times, then tail (JSON text) */
    size_t count;
    const char *tail;
    const char *decoded_unit, *decoded_tail;   /* the bytes they decode to */
    stripe_connect_result want;
} long_value_case;

static const long_value_case long_value_cases[] = {
    { "access_token of 255 bytes fits", "access_token", "a", 255, "", "a", "", STRIPE_CONNECT_OK },
    { "access_token of 256 bytes is ERR_UNEXPECTED_RESPONSE", "access_token", "a", 256, "", "a", "", UNEXPECTED },
    { "refresh_token of 255 bytes fits", "refresh_token", "r", 255, "", "r", "", STRIPE_CONNECT_OK },
    { "refresh_token of 256 bytes is ERR_UNEXPECTED_RESPONSE", "refresh_token", "r", 256, "", "r", "", UNEXPECTED },
    { "stripe_publishable_key of 255 bytes fits", "stripe_publishable_key", "p", 255, "", "p", "",
      STRIPE_CONNECT_OK },
    { "stripe_publishable_key of 256 bytes is ERR_UNEXPECTED_RESPONSE", "stripe_publishable_key", "p", 256, "",
      "p", "", UNEXPECTED },
    { "stripe_user_id of 255 bytes fits", "stripe_user_id", "u", 255, "", "u", "", STRIPE_CONNECT_OK },
    { "stripe_user_id of 256 bytes is ERR_UNEXPECTED_RESPONSE", "stripe_user_id", "u", 256, "", "u", "",
      UNEXPECTED },
    { "scope of 31 bytes fits", "scope", "s", 31, "", "s", "", STRIPE_CONNECT_OK },
    { "scope of 32 bytes is ERR_UNEXPECTED_RESPONSE", "scope", "s", 32, "", "s", "", UNEXPECTED },
    { "token_type of 31 bytes fits", "token_type", "t", 31, "", "t", "", STRIPE_CONNECT_OK },
    { "token_type of 32 bytes is ERR_UNEXPECTED_RESPONSE", "token_type", "t", 32, "", "t", "", UNEXPECTED },
    /* The decoded length counts, not the escaped text. */
    { "stripe_user_id of 127 \\u00e9 and one a (255 decoded bytes) fits", "stripe_user_id",
      "\\u00e9", 127, "a", "\xC3\xA9", "a", STRIPE_CONNECT_OK },
    { "stripe_user_id of 128 \\u00e9 (256 decoded bytes) is ERR_UNEXPECTED_RESPONSE", "stripe_user_id",
      "\\u00e9", 128, "", "\xC3\xA9", "", UNEXPECTED },
    { "access_token of 255 \\n escapes fits", "access_token", "\\n", 255, "", "\n", "", STRIPE_CONNECT_OK },
    { "access_token of 256 \\n escapes is ERR_UNEXPECTED_RESPONSE", "access_token", "\\n", 256, "", "\n", "",
      UNEXPECTED },
    { "scope of 15 \\u00e9 and one a (31 decoded bytes) fits", "scope", "\\u00e9", 15, "a", "\xC3\xA9", "a",
      STRIPE_CONNECT_OK },
    { "scope of 16 \\u00e9 (32 decoded bytes) is ERR_UNEXPECTED_RESPONSE", "scope", "\\u00e9", 16, "",
      "\xC3\xA9", "", UNEXPECTED },
    { "token_type of 7 raw F0 9F 98 80 and abc (31 bytes) fits", "token_type", "\xF0\x9F\x98\x80", 7,
      "abc", "\xF0\x9F\x98\x80", "abc", STRIPE_CONNECT_OK },
    { "an unknown field of 100000 bytes is skipped", "note", "n", 100000, "", "n", "", STRIPE_CONNECT_OK },
};

/* The token's field named key and its size, or NULL for a key that is not a token field. */
static char *token_field(stripe_connect_token *token, const char *key, size_t *size)
{
    *size = STRIPE_CONNECT_FIELD_MAX;
    if (strcmp(key, "access_token") == 0) return token->access_token;
    if (strcmp(key, "refresh_token") == 0) return token->refresh_token;
    if (strcmp(key, "stripe_publishable_key") == 0) return token->stripe_publishable_key;
    if (strcmp(key, "stripe_user_id") == 0) return token->stripe_user_id;
    *size = sizeof token->scope;
    if (strcmp(key, "scope") == 0) return token->scope;
    if (strcmp(key, "token_type") == 0) return token->token_type;
    return NULL;
}

static void run_long_value_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof long_value_cases / sizeof long_value_cases[0]; i++) {
        const long_value_case *row = &long_value_cases[i];
        text body = { NULL, 0, 0 }, want = { NULL, 0, 0 };
        stripe_connect_token token;
        stripe_connect_error err;
        char *field;
        size_t field_size;
        test_begin(row->name);
        text_str(&body, "{");
        if (strcmp(row->key, "stripe_user_id") != 0) text_str(&body, "\"stripe_user_id\":\"acct_1\",");
        text_str(&body, "\"");
        text_str(&body, row->key);
        text_str(&body, "\":\"");
        text_repeat(&body, row->unit, row->count);
        text_str(&body, row->tail);
        text_str(&body, "\"}");
        text_repeat(&want, row->decoded_unit, row->count);
        text_str(&want, row->decoded_tail);

        CHECK_RESULT(parse_token(200, body.bytes, body.len, &token, &err), row->want);
        check_error_plain(&err, 200);
        field = token_field(&token, row->key, &field_size);
        if (row->want != STRIPE_CONNECT_OK) {
            check_token_zeroed(&token);
        } else if (field != NULL) {
            CHECK_MEM(field, text_length(field, field_size), want.bytes, want.len);
        } else {
            CHECK_FIELD(token.stripe_user_id, "acct_1");
        }
        text_free(&body);
        text_free(&want);
        test_end();
    }
}

static void unknown_key_of_10000_bytes_is_skipped(void)
{
    text body = { NULL, 0, 0 };
    stripe_connect_token token;
    stripe_connect_error err;
    text_str(&body, "{\"");
    text_repeat(&body, "k", 10000);
    text_str(&body, "\":[1,2,3],\"stripe_user_id\":\"acct_1\"}");
    CHECK_RESULT(parse_token(200, body.bytes, body.len, &token, &err), STRIPE_CONNECT_OK);
    CHECK_FIELD(token.stripe_user_id, "acct_1");
    text_free(&body);
}

typedef struct cut_case {
    const char *name;
    const char *where;          /* "oauth message", "api message" or "oauth code" */
    size_t count;               /* that many 'a' ... */
    const char *tail;           /* ... then this JSON text */
    const char *decoded_tail;
    size_t want_len;            /* the field holds the first want_len decoded bytes */
} cut_case;

static const cut_case cut_cases[] = {
    { "error_description of 511 bytes is kept whole", "oauth message", 511, "", "", 511 },
    { "error_description of 512 bytes is cut to 511", "oauth message", 512, "", "", 511 },
    { "error_description of 2000 bytes is cut to 511", "oauth message", 2000, "", "", 511 },
    { "510 a + C3 A9: the 2-byte character that does not fit is dropped whole (510)", "oauth message",
      510, "\xC3\xA9", "\xC3\xA9", 510 },
    { "509 a + C3 A9 (511 bytes) is kept whole", "oauth message", 509, "\xC3\xA9", "\xC3\xA9", 511 },
    { "509 a + E2 82 AC: the 3-byte character is dropped whole (509)", "oauth message",
      509, "\xE2\x82\xAC", "\xE2\x82\xAC", 509 },
    { "510 a + E2 82 AC: the 3-byte character is dropped whole (510)", "oauth message",
      510, "\xE2\x82\xAC", "\xE2\x82\xAC", 510 },
    { "508 a + F0 9F 98 80: the 4-byte character is dropped whole (508)", "oauth message",
      508, "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80", 508 },
    { "507 a + F0 9F 98 80 (511 bytes) is kept whole", "oauth message",
      507, "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80", 511 },
    { "510 a + \\u00e9: the cut counts decoded bytes (510)", "oauth message",
      510, "\\u00e9", "\xC3\xA9", 510 },
    { "509 a + \\ud83d\\ude00 + 10 a: cut before the 4-byte character (509)", "oauth message",
      509, "\\ud83d\\ude00aaaaaaaaaa", "\xF0\x9F\x98\x80" "aaaaaaaaaa", 509 },
    { "an API error message of 600 bytes is cut to 511", "api message", 600, "", "", 511 },
    { "an API error message: 510 a + C3 A9 is cut to 510", "api message", 510, "\xC3\xA9", "\xC3\xA9", 510 },
    { "an OAuth code of 63 bytes is kept whole", "oauth code", 63, "", "", 63 },
    { "an OAuth code of 64 bytes is cut to 63, not refused", "oauth code", 64, "", "", 63 },
    { "an OAuth code of 200 bytes is cut to 63", "oauth code", 200, "", "", 63 },
    { "an OAuth code of 62 a + C3 A9 is cut to 62", "oauth code", 62, "\xC3\xA9", "\xC3\xA9", 62 },
    { "an OAuth code of 61 a + C3 A9 (63 bytes) is kept whole", "oauth code", 61, "\xC3\xA9", "\xC3\xA9", 63 },
};

static void run_cut_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof cut_cases / sizeof cut_cases[0]; i++) {
        const cut_case *row = &cut_cases[i];
        text body = { NULL, 0, 0 }, want = { NULL, 0, 0 };
        stripe_connect_token token;
        stripe_connect_error err;
        int is_code = strcmp(row->where, "oauth code") == 0;
        int is_api = strcmp(row->where, "api message") == 0;
        const char *field = is_code ? err.code : err.message;
        size_t field_size = is_code ? sizeof err.code : sizeof err.message;
        test_begin(row->name);
        if (is_code) text_str(&body, "{\"error\":\"");
        else if (is_api) text_str(&body, "{\"error\":{\"type\":\"api_error\",\"message\":\"");
        else text_str(&body, "{\"error\":\"invalid_grant\",\"error_description\":\"");
        text_repeat(&body, "a", row->count);
        text_str(&body, row->tail);
        text_str(&body, is_api ? "\"}}" : "\"}");
        text_repeat(&want, "a", row->count);
        text_str(&want, row->decoded_tail);

        CHECK_RESULT(parse_token(400, body.bytes, body.len, &token, &err),
                     is_api ? STRIPE_CONNECT_ERR_API : STRIPE_CONNECT_ERR_OAUTH);
        check_token_zeroed(&token);
        CHECK_INT(err.http_status, 400);
        CHECK_INT(err.oauth_error, is_api ? STRIPE_CONNECT_OAUTH_NONE
                                 : is_code ? STRIPE_CONNECT_OAUTH_OTHER : STRIPE_CONNECT_OAUTH_INVALID_GRANT);
        CHECK_MEM(field, text_length(field, field_size), want.bytes, row->want_len);
        text_free(&body);
        text_free(&want);
        test_end();
    }
}

/* ---- Nesting depth --------------------------------------------------------------------------- */

typedef struct depth_case {
    const char *name;
    int status;
    const char *members;   /* NULL: the top level is the nested array itself; else the top-level
                              object's first members, followed by "x": <nested> */
    char container;        /* '[' or '{' */
    size_t levels;         /* containers in total, the top-level one included */
    int siblings;          /* how many nested values side by side */
    stripe_connect_result want;
} depth_case;

static const depth_case depth_cases[] = {
    { "32 levels (the object and 31 nested arrays) are accepted", 200, "\"stripe_user_id\":\"acct_1\"",
      '[', STRIPE_CONNECT_JSON_MAX_DEPTH, 1, STRIPE_CONNECT_OK },
    { "33 levels (the object and 32 nested arrays) are ERR_MALFORMED_JSON", 200, "\"stripe_user_id\":\"acct_1\"",
      '[', STRIPE_CONNECT_JSON_MAX_DEPTH + 1, 1, MALFORMED },
    { "32 levels of objects are accepted", 200, "\"stripe_user_id\":\"acct_1\"",
      '{', STRIPE_CONNECT_JSON_MAX_DEPTH, 1, STRIPE_CONNECT_OK },
    { "33 levels of objects are ERR_MALFORMED_JSON", 200, "\"stripe_user_id\":\"acct_1\"",
      '{', STRIPE_CONNECT_JSON_MAX_DEPTH + 1, 1, MALFORMED },
    { "the depth comes back down: two 32-level siblings are accepted", 200, "\"stripe_user_id\":\"acct_1\"",
      '[', STRIPE_CONNECT_JSON_MAX_DEPTH, 2, STRIPE_CONNECT_OK },
    { "a top-level array of 32 levels is valid JSON but not an object", 200, NULL,
      '[', STRIPE_CONNECT_JSON_MAX_DEPTH, 1, UNEXPECTED },
    { "a top-level array of 33 levels is ERR_MALFORMED_JSON", 200, NULL,
      '[', STRIPE_CONNECT_JSON_MAX_DEPTH + 1, 1, MALFORMED },
    { "100000 levels are ERR_MALFORMED_JSON (and do not exhaust the stack)", 200, NULL,
      '[', 100000, 1, MALFORMED },
    { "an OAuth error body of 32 levels is ERR_OAUTH", 400, "\"error\":\"invalid_grant\"",
      '[', STRIPE_CONNECT_JSON_MAX_DEPTH, 1, STRIPE_CONNECT_ERR_OAUTH },
    { "an OAuth error body of 33 levels is not valid JSON: ERR_HTTP_STATUS", 400, "\"error\":\"invalid_grant\"",
      '[', STRIPE_CONNECT_JSON_MAX_DEPTH + 1, 1, HTTP_STATUS },
};

static void add_nested(text *t, char container, size_t levels)
{
    if (container == '[') {
        text_repeat(t, "[", levels);
        text_repeat(t, "]", levels);
    } else {
        text_repeat(t, "{\"x\":", levels - 1);
        text_str(t, "{}");
        text_repeat(t, "}", levels - 1);
    }
}

static void run_depth_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof depth_cases / sizeof depth_cases[0]; i++) {
        const depth_case *row = &depth_cases[i];
        text body = { NULL, 0, 0 };
        stripe_connect_token token;
        stripe_connect_error err;
        int s;
        test_begin(row->name);
        if (row->members == NULL) {
            add_nested(&body, row->container, row->levels);
        } else {
            text_str(&body, "{");
            text_str(&body, row->members);
            for (s = 0; s < row->siblings; s++) {
                text_str(&body, s == 0 ? ",\"x\":" : ",\"y\":");
                add_nested(&body, row->container, row->levels - 1);
            }
            text_str(&body, "}");
        }
        CHECK_RESULT(parse_token(row->status, body.bytes, body.len, &token, &err), row->want);
        if (row->want == STRIPE_CONNECT_OK) {
            CHECK_FIELD(token.stripe_user_id, "acct_1");
        } else {
            check_token_zeroed(&token);
        }
        if (row->want == STRIPE_CONNECT_ERR_OAUTH) {
            CHECK_FIELD(err.code, "invalid_grant");
        } else {
            check_error_plain(&err, row->status);
        }
        text_free(&body);
        test_end();
    }
}

/* ---- Arguments and the body's length --------------------------------------------------------- */

static void out_null_is_invalid_argument(void)
{
    stripe_connect_error err;
    memset(&err, 0xAA, sizeof err);
    CHECK_RESULT(stripe_connect_parse_token_response(200, "{\"stripe_user_id\":\"acct_1\"}", 27, NULL, &err),
                 STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    check_error_plain(&err, 200);
}

static void body_null_with_length_is_invalid_argument(void)
{
    stripe_connect_token token;
    stripe_connect_error err;
    memset(&token, 0xAA, sizeof token);
    memset(&err, 0xAA, sizeof err);
    CHECK_RESULT(stripe_connect_parse_token_response(200, NULL, 5, &token, &err),
                 STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    check_token_zeroed(&token);
    check_error_plain(&err, 200);
}

static void body_null_with_length_0_is_an_empty_body(void)
{
    stripe_connect_token token;
    stripe_connect_error err;
    memset(&token, 0xAA, sizeof token);
    CHECK_RESULT(stripe_connect_parse_token_response(200, NULL, 0, &token, &err), MALFORMED);
    check_token_zeroed(&token);
    check_error_plain(&err, 200);
    CHECK_RESULT(stripe_connect_parse_token_response(500, NULL, 0, &token, &err), HTTP_STATUS);
    check_error_plain(&err, 500);
}

/* The buffer holds a whole object, but len stops one byte short of its '}'. */
static void only_len_bytes_are_read(void)
{
    static const char buffer[] = "{\"stripe_user_id\":\"acct_1\"}";
    stripe_connect_token token;
    stripe_connect_error err;
    memset(&token, 0xAA, sizeof token);
    CHECK_RESULT(stripe_connect_parse_token_response(200, buffer, sizeof buffer - 2, &token, &err), MALFORMED);
    check_token_zeroed(&token);
    /* and a string value cut by len is cut, not read on to its quote */
    CHECK_RESULT(stripe_connect_parse_token_response(200, buffer, 20, &token, &err), MALFORMED);
    check_token_zeroed(&token);
}

/* A body that is not NUL-terminated at all: exactly its bytes, nothing after. */
static void body_without_nul_is_read_exactly(void)
{
    static const char literal[] = "{\"stripe_user_id\":\"acct_1\",\"livemode\":true}";
    size_t len = sizeof literal - 1;
    char *exact = (char *)malloc(len);
    stripe_connect_token token;
    stripe_connect_error err;
    if (exact == NULL) return;
    memcpy(exact, literal, len);
    memset(&token, 0xAA, sizeof token);
    CHECK_RESULT(stripe_connect_parse_token_response(200, exact, len, &token, &err), STRIPE_CONNECT_OK);
    CHECK_FIELD(token.stripe_user_id, "acct_1");
    CHECK_INT(token.livemode, 1);
    free(exact);
}

/* ---- Deauthorize answers --------------------------------------------------------------------- */

typedef struct deauthorize_case {
    const char *name;
    int status;
    const char *body; size_t len;
    const char *account;            /* the stripe_user_id that was deauthorized */
    stripe_connect_result want;
    stripe_connect_oauth_error oauth_error;
    const char *code, *type, *message;   /* for ERR_OAUTH and ERR_API; NULL means "" */
} deauthorize_case;

static const deauthorize_case deauthorize_cases[] = {
    { "the same stripe_user_id back is OK", 200, WITH_USER_ID("acct_1"), "acct_1", .want = STRIPE_CONNECT_OK },
    { "Stripe's answer with whitespace is OK", 200, BODY("{\n  \"stripe_user_id\": \"acct_1032D82eZvKYlo2C\"\n}\n"),
      "acct_1032D82eZvKYlo2C", .want = STRIPE_CONNECT_OK },
    { "unknown fields are skipped", 200, BODY("{\"object\":\"x\",\"stripe_user_id\":\"acct_1\",\"n\":[1]}"),
      "acct_1", .want = STRIPE_CONNECT_OK },
    { "an escaped id equal after decoding is OK", 200, WITH_USER_ID("acct\\u005f1"), "acct_1", .want = STRIPE_CONNECT_OK },
    { "a different stripe_user_id is ERR_UNEXPECTED_RESPONSE", 200, WITH_USER_ID("acct_2"), "acct_1", .want = UNEXPECTED },
    { "a longer stripe_user_id is ERR_UNEXPECTED_RESPONSE", 200, WITH_USER_ID("acct_12"), "acct_1", .want = UNEXPECTED },
    { "a shorter stripe_user_id is ERR_UNEXPECTED_RESPONSE", 200, WITH_USER_ID("acct_"), "acct_1", .want = UNEXPECTED },
    { "the same id followed by \\u0000 is ERR_UNEXPECTED_RESPONSE", 200, WITH_USER_ID("acct_1\\u0000"), "acct_1",
      .want = UNEXPECTED },
    { "a missing stripe_user_id is ERR_UNEXPECTED_RESPONSE", 200, BODY("{}"), "acct_1", .want = UNEXPECTED },
    { "stripe_user_id null is ERR_UNEXPECTED_RESPONSE", 200, BODY("{\"stripe_user_id\":null}"), "acct_1",
      .want = UNEXPECTED },
    { "stripe_user_id a number is ERR_UNEXPECTED_RESPONSE", 200, BODY("{\"stripe_user_id\":1}"), "acct_1",
      .want = UNEXPECTED },
    { "stripe_user_id twice is ERR_UNEXPECTED_RESPONSE", 200,
      BODY("{\"stripe_user_id\":\"acct_1\",\"stripe_user_id\":\"acct_1\"}"), "acct_1", .want = UNEXPECTED },
    { "a top-level array is ERR_UNEXPECTED_RESPONSE", 200, BODY("[\"acct_1\"]"), "acct_1", .want = UNEXPECTED },
    { "an OAuth error body is ERR_OAUTH", 401,
      OAUTH_ERROR("invalid_client", "No such application: 'ca_1'"), "acct_1",
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_INVALID_CLIENT,
      .code = "invalid_client", .message = "No such application: 'ca_1'" },
    { "an OAuth error body with status 200 is ERR_OAUTH", 200,
      OAUTH_ERROR("invalid_request", "Account acct_1 is not connected"), "acct_1",
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OAUTH_INVALID_REQUEST,
      .code = "invalid_request", .message = "Account acct_1 is not connected" },
    { "an API error body is ERR_API", 400,
      BODY("{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"No such account\"}}"), "acct_1",
      STRIPE_CONNECT_ERR_API, STRIPE_CONNECT_OAUTH_NONE,
      .type = "invalid_request_error", .message = "No such account" },
    { "500 with HTML is ERR_HTTP_STATUS", 500, BODY("<html>oops</html>"), "acct_1", .want = HTTP_STATUS },
    { "404 with the matching id is ERR_HTTP_STATUS", 404, WITH_USER_ID("acct_1"), "acct_1", .want = HTTP_STATUS },
    { "200 with truncated JSON is ERR_MALFORMED_JSON", 200, BODY("{\"stripe_user_id\":\"acct_1\""), "acct_1",
      .want = MALFORMED },
    { "200 with invalid UTF-8 is ERR_MALFORMED_JSON", 200, WITH_USER_ID("acct_1\xFF"), "acct_1", .want = MALFORMED },
    { "200 with an empty body is ERR_MALFORMED_JSON", 200, BODY(""), "acct_1", .want = MALFORMED },
    { "200 with trailing garbage is ERR_MALFORMED_JSON", 200, BODY("{\"stripe_user_id\":\"acct_1\"}x"), "acct_1",
      .want = MALFORMED },
};

static void run_deauthorize_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof deauthorize_cases / sizeof deauthorize_cases[0]; i++) {
        const deauthorize_case *row = &deauthorize_cases[i];
        stripe_connect_error err;
        test_begin(row->name);
        CHECK_RESULT(parse_deauthorize(row->status, row->body, row->len, row->account, &err), row->want);
        if (row->want == STRIPE_CONNECT_ERR_OAUTH || row->want == STRIPE_CONNECT_ERR_API) {
            CHECK_INT(err.http_status, row->status);
            CHECK_INT(err.oauth_error, row->oauth_error);
            CHECK_FIELD(err.code, or_empty(row->code));
            CHECK_FIELD(err.type, or_empty(row->type));
            CHECK_FIELD(err.message, or_empty(row->message));
        } else {
            check_error_plain(&err, row->status);
        }
        CHECK_RESULT(parse_deauthorize(row->status, row->body, row->len, row->account, NULL), row->want);
        test_end();
    }
}

static void deauthorize_arguments_are_checked(void)
{
    stripe_connect_error err;
    CHECK_RESULT(stripe_connect_parse_deauthorize_response(200, "{\"stripe_user_id\":\"acct_1\"}", 27, NULL, &err),
                 STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_RESULT(stripe_connect_parse_deauthorize_response(200, NULL, 27, "acct_1", &err),
                 STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
}

static void deauthorize_body_null_with_length_0_is_an_empty_body(void)
{
    stripe_connect_error err;
    memset(&err, 0xAA, sizeof err);
    CHECK_RESULT(stripe_connect_parse_deauthorize_response(200, NULL, 0, "acct_1", &err), MALFORMED);
    check_error_plain(&err, 200);
    CHECK_RESULT(stripe_connect_parse_deauthorize_response(404, NULL, 0, "acct_1", &err), HTTP_STATUS);
    check_error_plain(&err, 404);
}

void suite_token_response(void)
{
    run_ok_cases();
    run_failure_cases();
    run_stripe_error_cases();
    run_long_value_cases();
    RUN(unknown_key_of_10000_bytes_is_skipped);
    run_cut_cases();
    run_depth_cases();
    RUN(out_null_is_invalid_argument);
    RUN(body_null_with_length_is_invalid_argument);
    RUN(body_null_with_length_0_is_an_empty_body);
    RUN(only_len_bytes_are_read);
    RUN(body_without_nul_is_read_exactly);
    run_deauthorize_cases();
    RUN(deauthorize_arguments_are_checked);
    RUN(deauthorize_body_null_with_length_0_is_an_empty_body);
}
