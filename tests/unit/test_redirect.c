/* test_redirect.c - the redirect back to redirect_uri, and the CSRF state.

   parse_redirect, in this order of precedence: ERR_INVALID_ARGUMENT (NULL url
   or out); ERR_MALFORMED_REDIRECT (bad percent-encoding, a decoded NUL, a
   repeated code/state/error, a value too long for its field, neither or both
   of code and error, empty input); ERR_STATE_MISMATCH (expected_state given,
   state missing or different, also for error redirects); ERR_OAUTH (an error
   redirect); OK. On every result but OK and ERR_OAUTH, *out is all zero.
   state_generate: 32 bytes from c->random, base64url without padding. */
#include "../../stripe_connect.h"
#include "test.h"
#include "checks.h"

#include <stdlib.h>
#include <string.h>

static const stripe_connect_redirect zero_redirect;   /* all zero bytes */

/* Fills *out with 0xAA first, so that a field left unwritten shows. */
static stripe_connect_result parse(const char *url, size_t len, const char *expected_state,
                                   stripe_connect_redirect *out)
{
    memset(out, 0xAA, sizeof *out);
    return stripe_connect_parse_redirect(url, len, expected_state, out);
}

static int is_zeroed(const stripe_connect_redirect *r)
{
    return memcmp(r, &zero_redirect, sizeof *r) == 0;
}

/* ---- OK ------------------------------------------------------------------------------------- */

typedef struct ok_row {
    const char *name;
    const char *input;
    const char *expected_state;      /* may be NULL */
    const char *want_code, *want_scope, *want_state;
} ok_row;

static const ok_row ok_rows[] = {
    { "parse_redirect: a full URL", "https://platform.example/cb?code=ac_1&state=s", "s", "ac_1", "", "s" },
    { "parse_redirect: a full URL with port, scope, code and state",
      "http://127.0.0.1:8080/callback?scope=read_write&code=ac_123&state=xyz", "xyz",
      "ac_123", "read_write", "xyz" },
    { "parse_redirect: a path with a query", "/cb?code=ac_1&state=s", "s", "ac_1", "", "s" },
    { "parse_redirect: a bare query", "code=ac_1&state=s", "s", "ac_1", "", "s" },
    { "parse_redirect: a bare query with a leading '?'", "?code=ac_1&state=s", "s", "ac_1", "", "s" },
    { "parse_redirect: parameters in any order", "state=s&scope=read_only&code=ac_1", "s",
      "ac_1", "read_only", "s" },
    { "parse_redirect: no expected_state: state is not checked and may be absent", "code=ac_1", NULL,
      "ac_1", "", "" },
    { "parse_redirect: no expected_state: state is still returned", "code=ac_1&state=any", NULL,
      "ac_1", "", "any" },
    { "parse_redirect: a #fragment is ignored", "https://platform.example/cb?code=ac_1&state=s#frag", "s",
      "ac_1", "", "s" },
    { "parse_redirect: a repeated code after '#' is not seen", "code=ac_1#&code=ac_2", NULL, "ac_1", "", "" },
    { "parse_redirect: a state after '#' is not seen", "code=ac_1&state=s#state=t", "s", "ac_1", "", "s" },
    { "parse_redirect: bad percent-encoding after '#' is not seen", "code=ac_1#%zz", NULL, "ac_1", "", "" },
    { "parse_redirect: '+' decodes to a space", "code=ac_1&state=a+b", "a b", "ac_1", "", "a b" },
    { "parse_redirect: %XX in values is decoded (either case)", "code=ac%5F1&state=%2b%2F%3D", "+/=",
      "ac_1", "", "+/=" },
    { "parse_redirect: a percent-encoded key: co%64e is code", "co%64e=x", NULL, "x", "", "" },
    { "parse_redirect: percent-encoded keys: st%61te, %73cope", "code=c&st%61te=s&%73cope=read_only", "s",
      "c", "read_only", "s" },
    { "parse_redirect: other parameters are ignored, also ones without '='",
      "foo&code=ac_1&bar=baz&=x&&state=s&", "s", "ac_1", "", "s" },
    { "parse_redirect: keys that only start or end like code are other parameters",
      "codes=x&xcode=y&code=ac_1&error_x=z&xerror=w", NULL, "ac_1", "", "" },
    { "parse_redirect: a key with '+' (\"a b\") is an ignored parameter", "a+b=c&code=ac_1", NULL,
      "ac_1", "", "" },
    { "parse_redirect: a repeated scope: the last one wins", "scope=read_only&code=c&scope=read_write", NULL,
      "c", "read_write", "" },
    { "parse_redirect: UTF-8 in state", "code=c&state=%E6%BC%A2", "\xe6\xbc\xa2", "c", "", "\xe6\xbc\xa2" },
    { "parse_redirect: a key longer than any known name that starts with code is another parameter",
      "code_and_a_much_longer_name=x&code=ac_1", NULL, "ac_1", "", "" },
    { "parse_redirect: a key with a decoded NUL after code (code%00x) is another parameter, not a second code",
      "code%00x=evil&code=ac_1", NULL, "ac_1", "", "" },
};

static void test_parse_redirect_ok_rows(void)
{
    size_t i;
    stripe_connect_redirect out;

    for (i = 0; i < sizeof ok_rows / sizeof ok_rows[0]; i++) {
        const ok_row *row = &ok_rows[i];
        test_begin(row->name);
        CHECK_INT(parse(row->input, strlen(row->input), row->expected_state, &out), STRIPE_CONNECT_OK);
        CHECK_STR(out.code, row->want_code);
        CHECK_STR(out.scope, row->want_scope);
        CHECK_STR(out.state, row->want_state);
        CHECK_INT(out.error, STRIPE_CONNECT_OAUTH_NONE);
        CHECK_STR(out.error_code, "");
        CHECK_STR(out.error_description, "");
        test_end();
    }
}

static void parse_redirect_reads_only_len_bytes_of_an_unterminated_buffer(void)
{
    static const char text[] = "code=ac_1&state=s";
    char *exact = (char *)malloc(strlen(text));   /* no NUL after it: a read past len is caught */
    stripe_connect_redirect out;
    CHECK(exact != NULL);
    if (exact == NULL) return;
    memcpy(exact, text, strlen(text));
    CHECK_INT(parse(exact, strlen(text), "s", &out), STRIPE_CONNECT_OK);
    CHECK_STR(out.code, "ac_1");
    CHECK_STR(out.state, "s");
    free(exact);
}

static void parse_redirect_stops_at_len_even_before_a_nul(void)
{
    /* the whole text would be a repeated code; its first 9 bytes are one code */
    stripe_connect_redirect out;
    CHECK_INT(parse("code=ac_1&code=ac_2", 9, NULL, &out), STRIPE_CONNECT_OK);
    CHECK_STR(out.code, "ac_1");
}

/* A raw NUL byte inside len is a NUL in the decoded value, like %00 (found by fuzzing: it used to
   cut the code short and pass); in a parameter the parser ignores it does no harm. */
static void parse_redirect_with_a_raw_nul_in_a_value_is_malformed(void)
{
    static const char query[] = "code=ac_1\0x&state=s", ignored[] = "other=a\0b&code=ac_1";
    stripe_connect_redirect out;
    memset(&out, 0xAA, sizeof out);
    CHECK_INT(parse(query, sizeof query - 1, NULL, &out), STRIPE_CONNECT_ERR_MALFORMED_REDIRECT);
    CHECK(out.code[0] == '\0' && out.state[0] == '\0');
    CHECK_INT(parse(ignored, sizeof ignored - 1, NULL, &out), STRIPE_CONNECT_OK);
    CHECK_STR(out.code, "ac_1");
}

/* ---- ERR_MALFORMED_REDIRECT ----------------------------------------------------------------- */

typedef struct bad_row {
    const char *name;
    const char *input;
    const char *expected_state;
} bad_row;

static const bad_row malformed_rows[] = {
    { "parse_redirect: bad percent-encoding in code is ERR_MALFORMED_REDIRECT", "code=ac%zz", NULL },
    { "parse_redirect: a lone '%' at the end is ERR_MALFORMED_REDIRECT", "code=ac_1&state=s%", "s" },
    { "parse_redirect: \"%4\" at the end is ERR_MALFORMED_REDIRECT", "code=ac_1%4", NULL },
    { "parse_redirect: \"%4g\" is ERR_MALFORMED_REDIRECT", "code=ac_1&state=%4g", NULL },
    { "parse_redirect: bad percent-encoding in an ignored parameter is ERR_MALFORMED_REDIRECT",
      "code=ac_1&other=%zz", NULL },
    { "parse_redirect: bad percent-encoding in a key is ERR_MALFORMED_REDIRECT", "code=ac_1&%zz=1", NULL },
    { "parse_redirect: bad percent-encoding in a parameter without '=' is ERR_MALFORMED_REDIRECT",
      "code=ac_1&%zz", NULL },
    { "parse_redirect: bad percent-encoding in error_description is ERR_MALFORMED_REDIRECT",
      "error=access_denied&error_description=50%", NULL },
    { "parse_redirect: a decoded NUL in code is ERR_MALFORMED_REDIRECT", "code=ac%00_1", NULL },
    { "parse_redirect: a decoded NUL in state is ERR_MALFORMED_REDIRECT", "code=ac_1&state=s%00", NULL },
    { "parse_redirect: a decoded NUL in scope is ERR_MALFORMED_REDIRECT", "code=ac_1&scope=read%00_write", NULL },
    { "parse_redirect: a decoded NUL in error is ERR_MALFORMED_REDIRECT", "error=access%00denied", NULL },
    { "parse_redirect: a decoded NUL in error_description is ERR_MALFORMED_REDIRECT",
      "error=access_denied&error_description=a%00b", NULL },
    { "parse_redirect: a repeated code is ERR_MALFORMED_REDIRECT", "code=ac_1&code=ac_2", NULL },
    { "parse_redirect: a repeated code with the same value is ERR_MALFORMED_REDIRECT", "code=ac_1&code=ac_1", NULL },
    { "parse_redirect: a repeated state is ERR_MALFORMED_REDIRECT", "code=ac_1&state=s&state=s", "s" },
    { "parse_redirect: a repeated error is ERR_MALFORMED_REDIRECT",
      "error=access_denied&error=invalid_scope", NULL },
    { "parse_redirect: neither code nor error is ERR_MALFORMED_REDIRECT", "state=s&scope=read_write", NULL },
    { "parse_redirect: a URL without a query is ERR_MALFORMED_REDIRECT", "https://platform.example/cb", NULL },
    { "parse_redirect: a URL with an empty query is ERR_MALFORMED_REDIRECT", "https://platform.example/cb?", NULL },
    { "parse_redirect: a lone '?' is ERR_MALFORMED_REDIRECT", "?", NULL },
    { "parse_redirect: a code only after '#' is not seen: ERR_MALFORMED_REDIRECT", "state=s#code=ac_1", "s" },
    { "parse_redirect: both code and error is ERR_MALFORMED_REDIRECT", "code=ac_1&error=access_denied", NULL },
    { "parse_redirect: both code and error with a good state is ERR_MALFORMED_REDIRECT",
      "code=ac_1&error=access_denied&state=s", "s" },
    { "parse_redirect: malformed comes before a state mismatch (repeated code, no state)",
      "code=ac_1&code=ac_2", "s" },
    { "parse_redirect: malformed comes before a state mismatch (bad escape in state)",
      "code=ac_1&state=%zz", "s" },
    { "parse_redirect: malformed comes before a state mismatch (no code, wrong state)", "state=t", "s" },
};

static void test_parse_redirect_malformed_rows(void)
{
    size_t i;
    stripe_connect_redirect out;

    for (i = 0; i < sizeof malformed_rows / sizeof malformed_rows[0]; i++) {
        const bad_row *row = &malformed_rows[i];
        test_begin(row->name);
        CHECK_INT(parse(row->input, strlen(row->input), row->expected_state, &out),
                  STRIPE_CONNECT_ERR_MALFORMED_REDIRECT);
        CHECK(is_zeroed(&out));
        test_end();
    }
}

static void parse_redirect_of_empty_input_is_malformed_and_zeroes_out(void)
{
    stripe_connect_redirect out;
    CHECK_INT(parse("", 0, NULL, &out), STRIPE_CONNECT_ERR_MALFORMED_REDIRECT);
    CHECK(is_zeroed(&out));
    CHECK_INT(parse("code=ac_1", 0, NULL, &out), STRIPE_CONNECT_ERR_MALFORMED_REDIRECT);
    CHECK(is_zeroed(&out));
    CHECK_INT(parse("", 0, "s", &out), STRIPE_CONNECT_ERR_MALFORMED_REDIRECT);
    CHECK(is_zeroed(&out));
}

/* ---- Lengths of fields ------------------------------------------------------------------------ */

enum redirect_field { FIELD_CODE, FIELD_STATE, FIELD_SCOPE, FIELD_ERROR_CODE };

static const char *field_of(const stripe_connect_redirect *r, enum redirect_field f)
{
    switch (f) {
    case FIELD_CODE: return r->code;
    case FIELD_STATE: return r->state;
    case FIELD_SCOPE: return r->scope;
    default: return r->error_code;
    }
}

typedef struct length_row {
    const char *name;
    const char *key;            /* input: key=<value_len times 'a'><rest> */
    size_t value_len;
    const char *rest;
    const char *expected_state;
    stripe_connect_result want;
    enum redirect_field field;  /* on OK or ERR_OAUTH: holds the value_len bytes */
} length_row;

static const length_row length_rows[] = {
    { "parse_redirect: a code of 255 bytes fits", "code", 255, "", NULL, STRIPE_CONNECT_OK, FIELD_CODE },
    { "parse_redirect: a code of 256 bytes is ERR_MALFORMED_REDIRECT", "code", 256, "", NULL,
      STRIPE_CONNECT_ERR_MALFORMED_REDIRECT, FIELD_CODE },
    { "parse_redirect: a state of 255 bytes fits", "state", 255, "&code=c", NULL, STRIPE_CONNECT_OK, FIELD_STATE },
    { "parse_redirect: a state of 256 bytes is ERR_MALFORMED_REDIRECT", "state", 256, "&code=c", NULL,
      STRIPE_CONNECT_ERR_MALFORMED_REDIRECT, FIELD_STATE },
    { "parse_redirect: a state of 256 bytes is ERR_MALFORMED_REDIRECT before a state mismatch",
      "state", 256, "&code=c", "s", STRIPE_CONNECT_ERR_MALFORMED_REDIRECT, FIELD_STATE },
    { "parse_redirect: a scope of 31 bytes fits", "scope", 31, "&code=c", NULL, STRIPE_CONNECT_OK, FIELD_SCOPE },
    { "parse_redirect: a scope of 32 bytes is ERR_MALFORMED_REDIRECT", "scope", 32, "&code=c", NULL,
      STRIPE_CONNECT_ERR_MALFORMED_REDIRECT, FIELD_SCOPE },
    { "parse_redirect: an error of 63 bytes fits (ERR_OAUTH)", "error", 63, "", NULL, STRIPE_CONNECT_ERR_OAUTH,
      FIELD_ERROR_CODE },
    { "parse_redirect: an error of 64 bytes is ERR_MALFORMED_REDIRECT", "error", 64, "", NULL,
      STRIPE_CONNECT_ERR_MALFORMED_REDIRECT, FIELD_ERROR_CODE },
};

static void test_parse_redirect_field_lengths(void)
{
    static char input[1024], want[512];
    size_t i, n;
    stripe_connect_redirect out;

    for (i = 0; i < sizeof length_rows / sizeof length_rows[0]; i++) {
        const length_row *row = &length_rows[i];
        test_begin(row->name);
        strcpy(input, row->key);
        strcat(input, "=");
        n = strlen(input);
        memset(input + n, 'a', row->value_len);
        strcpy(input + n + row->value_len, row->rest);
        CHECK_INT(parse(input, strlen(input), row->expected_state, &out), row->want);
        if (row->want == STRIPE_CONNECT_OK || row->want == STRIPE_CONNECT_ERR_OAUTH) {
            memset(want, 'a', row->value_len);
            want[row->value_len] = '\0';
            CHECK_STR(field_of(&out, row->field), want);
        } else {
            CHECK(is_zeroed(&out));
        }
        test_end();
    }
}

static void parse_redirect_measures_a_code_after_decoding(void)
{
    /* 255 bytes written as %61 (765 characters) fit the 256-byte field */
    static char input[1024], want[256];
    size_t i;
    stripe_connect_redirect out;
    strcpy(input, "code=");
    for (i = 0; i < 255; i++) strcat(input, "%61");
    memset(want, 'a', 255);
    want[255] = '\0';
    CHECK_INT(parse(input, strlen(input), NULL, &out), STRIPE_CONNECT_OK);
    CHECK_STR(out.code, want);
}

/* ---- ERR_STATE_MISMATCH ----------------------------------------------------------------------- */

static const bad_row mismatch_rows[] = {
    { "parse_redirect: expected state, none in the redirect: ERR_STATE_MISMATCH", "code=ac_1", "s" },
    { "parse_redirect: a different state: ERR_STATE_MISMATCH", "code=ac_1&state=t", "s" },
    { "parse_redirect: a state that extends the expected one: ERR_STATE_MISMATCH", "code=ac_1&state=s2", "s" },
    { "parse_redirect: a state that is a prefix of the expected one: ERR_STATE_MISMATCH",
      "code=ac_1&state=s", "s2" },
    { "parse_redirect: an empty state: ERR_STATE_MISMATCH", "code=ac_1&state=", "s" },
    { "parse_redirect: states differ in case only: ERR_STATE_MISMATCH", "code=ac_1&state=ABC", "abc" },
    { "parse_redirect: state is compared after decoding ('+' is a space): ERR_STATE_MISMATCH",
      "code=ac_1&state=a+b", "a+b" },
    { "parse_redirect: an error redirect without state: ERR_STATE_MISMATCH", "error=access_denied", "s" },
    { "parse_redirect: an error redirect with a different state: ERR_STATE_MISMATCH",
      "error=access_denied&error_description=The+user+denied+your+request&state=t", "s" },
};

static void test_parse_redirect_state_mismatch_rows(void)
{
    size_t i;
    stripe_connect_redirect out;

    for (i = 0; i < sizeof mismatch_rows / sizeof mismatch_rows[0]; i++) {
        const bad_row *row = &mismatch_rows[i];
        test_begin(row->name);
        CHECK_INT(parse(row->input, strlen(row->input), row->expected_state, &out),
                  STRIPE_CONNECT_ERR_STATE_MISMATCH);
        CHECK(is_zeroed(&out));
        test_end();
    }
}

/* ---- ERR_OAUTH ------------------------------------------------------------------------------ */

typedef struct oauth_row {
    const char *name;
    const char *input;
    const char *expected_state;
    stripe_connect_oauth_error want_error;
    const char *want_error_code, *want_description;
} oauth_row;

static const oauth_row oauth_rows[] = {
    { "parse_redirect: access_denied with description and matching state",
      "https://platform.example/cb?error=access_denied&error_description=The+user+denied+your+request&state=s",
      "s", STRIPE_CONNECT_OAUTH_ACCESS_DENIED, "access_denied", "The user denied your request" },
    { "parse_redirect: an error without expected_state and without description",
      "error=access_denied", NULL, STRIPE_CONNECT_OAUTH_ACCESS_DENIED, "access_denied", "" },
    { "parse_redirect: invalid_redirect_uri", "error=invalid_redirect_uri", NULL,
      STRIPE_CONNECT_OAUTH_INVALID_REDIRECT_URI, "invalid_redirect_uri", "" },
    { "parse_redirect: invalid_request", "error=invalid_request", NULL,
      STRIPE_CONNECT_OAUTH_INVALID_REQUEST, "invalid_request", "" },
    { "parse_redirect: invalid_scope", "error=invalid_scope", NULL,
      STRIPE_CONNECT_OAUTH_INVALID_SCOPE, "invalid_scope", "" },
    { "parse_redirect: unsupported_response_type", "error=unsupported_response_type", NULL,
      STRIPE_CONNECT_OAUTH_UNSUPPORTED_RESPONSE_TYPE, "unsupported_response_type", "" },
    { "parse_redirect: invalid_grant", "error=invalid_grant", NULL,
      STRIPE_CONNECT_OAUTH_INVALID_GRANT, "invalid_grant", "" },
    { "parse_redirect: unsupported_grant_type", "error=unsupported_grant_type", NULL,
      STRIPE_CONNECT_OAUTH_UNSUPPORTED_GRANT_TYPE, "unsupported_grant_type", "" },
    { "parse_redirect: invalid_client", "error=invalid_client", NULL,
      STRIPE_CONNECT_OAUTH_INVALID_CLIENT, "invalid_client", "" },
    { "parse_redirect: an unknown error code is OAUTH_OTHER with the string kept", "error=server_error", NULL,
      STRIPE_CONNECT_OAUTH_OTHER, "server_error", "" },
    { "parse_redirect: a known code with a suffix is OAUTH_OTHER", "error=access_denied_x", NULL,
      STRIPE_CONNECT_OAUTH_OTHER, "access_denied_x", "" },
    { "parse_redirect: a known code's prefix is OAUTH_OTHER", "error=access", NULL,
      STRIPE_CONNECT_OAUTH_OTHER, "access", "" },
    { "parse_redirect: error codes are case-sensitive", "error=ACCESS_DENIED", NULL,
      STRIPE_CONNECT_OAUTH_OTHER, "ACCESS_DENIED", "" },
    { "parse_redirect: the error is decoded before it is mapped", "error=access%5Fdenied", NULL,
      STRIPE_CONNECT_OAUTH_ACCESS_DENIED, "access_denied", "" },
    { "parse_redirect: error_description is percent-decoded (UTF-8)",
      "error=invalid_scope&error_description=%C3%A9t%C3%A9%20%2B%26", NULL,
      STRIPE_CONNECT_OAUTH_INVALID_SCOPE, "invalid_scope", "\xc3\xa9t\xc3\xa9 +&" },
    { "parse_redirect: a repeated error_description: the last one wins",
      "error=access_denied&error_description=one&error_description=two", NULL,
      STRIPE_CONNECT_OAUTH_ACCESS_DENIED, "access_denied", "two" },
    { "parse_redirect: a #fragment after an error is ignored",
      "error=access_denied&state=s#error_description=x", "s",
      STRIPE_CONNECT_OAUTH_ACCESS_DENIED, "access_denied", "" },
};

static void test_parse_redirect_oauth_rows(void)
{
    size_t i;
    stripe_connect_redirect out;

    for (i = 0; i < sizeof oauth_rows / sizeof oauth_rows[0]; i++) {
        const oauth_row *row = &oauth_rows[i];
        test_begin(row->name);
        CHECK_INT(parse(row->input, strlen(row->input), row->expected_state, &out), STRIPE_CONNECT_ERR_OAUTH);
        CHECK_INT(out.error, row->want_error);
        CHECK_STR(out.error_code, row->want_error_code);
        CHECK_STR(out.error_description, row->want_description);
        CHECK_STR(out.code, "");
        test_end();
    }
}

/* error_description: cut at a UTF-8 boundary to fit 511 bytes, never refused. */
typedef struct description_row {
    const char *name;
    size_t ascii_count;          /* input: error_description=<ascii_count times 'a'><tail> */
    const char *tail_encoded;
    const char *tail_decoded;
    size_t want_len;             /* the result is the first want_len decoded bytes */
} description_row;

static const description_row description_rows[] = {
    { "parse_redirect: an error_description of 511 bytes is kept whole", 511, "", "", 511 },
    { "parse_redirect: an error_description of 512 ASCII bytes is cut to 511", 512, "", "", 511 },
    { "parse_redirect: an error_description of 600 ASCII bytes is cut to 511", 600, "", "", 511 },
    { "parse_redirect: 510 bytes then a 3-byte character are cut to 510", 510, "%E6%BC%A2", "\xe6\xbc\xa2", 510 },
    { "parse_redirect: 509 bytes then a 3-byte character are cut to 509", 509, "%E6%BC%A2", "\xe6\xbc\xa2", 509 },
    { "parse_redirect: 508 bytes then a 3-byte character (511) are kept whole", 508, "%E6%BC%A2",
      "\xe6\xbc\xa2", 511 },
    { "parse_redirect: 510 bytes then a 2-byte character are cut to 510", 510, "%C3%A9", "\xc3\xa9", 510 },
    { "parse_redirect: 509 bytes then a 2-byte character (511) are kept whole", 509, "%C3%A9", "\xc3\xa9", 511 },
    { "parse_redirect: 508 bytes then a 4-byte character are cut to 508", 508, "%F0%9F%98%80",
      "\xf0\x9f\x98\x80", 508 },
    { "parse_redirect: 507 bytes then a 4-byte character (511) are kept whole", 507, "%F0%9F%98%80",
      "\xf0\x9f\x98\x80", 511 },
    { "parse_redirect: 506 bytes then two 3-byte characters keep the first (509)", 506, "%E6%BC%A2%E5%AD%97",
      "\xe6\xbc\xa2\xe5\xad\x97", 509 },
    { "parse_redirect: 510 bytes, a 3-byte character, then ASCII are cut to 510", 510, "%E6%BC%A2bcd",
      "\xe6\xbc\xa2" "bcd", 510 },
};

static void test_parse_redirect_description_is_cut(void)
{
    static char input[2048], full[1024];
    size_t i, n;
    stripe_connect_redirect out;

    for (i = 0; i < sizeof description_rows / sizeof description_rows[0]; i++) {
        const description_row *row = &description_rows[i];
        test_begin(row->name);
        strcpy(input, "error=access_denied&error_description=");
        n = strlen(input);
        memset(input + n, 'a', row->ascii_count);
        strcpy(input + n + row->ascii_count, row->tail_encoded);
        memset(full, 'a', row->ascii_count);
        strcpy(full + row->ascii_count, row->tail_decoded);
        CHECK_INT(parse(input, strlen(input), NULL, &out), STRIPE_CONNECT_ERR_OAUTH);
        CHECK_INT(out.error, STRIPE_CONNECT_OAUTH_ACCESS_DENIED);
        CHECK_MEM(out.error_description, strlen(out.error_description), full, row->want_len);
        test_end();
    }
}

static void parse_redirect_cuts_a_description_of_plus_signs_counting_each_as_one_space(void)
{
    /* 510 '+' (510 decoded spaces) then a 3-byte character: cut to the 510 spaces */
    static char input[2048], want[511];
    size_t n;
    stripe_connect_redirect out;
    strcpy(input, "error=access_denied&error_description=");
    n = strlen(input);
    memset(input + n, '+', 510);
    strcpy(input + n + 510, "%E6%BC%A2");
    memset(want, ' ', 510);
    want[510] = '\0';
    CHECK_INT(parse(input, strlen(input), NULL, &out), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_STR(out.error_description, want);
}

/* Not UTF-8 at all (600 continuation bytes, no lead byte): cut to 511 bytes as they are, not
   walked back past the start of the field. */
static void parse_redirect_cuts_a_description_of_only_continuation_bytes_to_511(void)
{
    static char input[4096], want[512];
    size_t i, n;
    stripe_connect_redirect out;
    strcpy(input, "error=access_denied&error_description=");
    n = strlen(input);
    for (i = 0; i < 600; i++, n += 3) memcpy(input + n, "%80", 3);
    input[n] = '\0';
    memset(want, 0x80, 511);
    want[511] = '\0';
    CHECK_INT(parse(input, n, NULL, &out), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_STR(out.error_description, want);
}

/* ---- Invalid arguments ------------------------------------------------------------------------ */

static void parse_redirect_with_url_null_is_invalid_argument_and_zeroes_out(void)
{
    stripe_connect_redirect out;
    CHECK_INT(parse(NULL, 0, NULL, &out), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK(is_zeroed(&out));
    CHECK_INT(parse(NULL, 10, "s", &out), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK(is_zeroed(&out));
}

static void parse_redirect_with_out_null_is_invalid_argument(void)
{
    CHECK_INT(stripe_connect_parse_redirect("code=ac_1", 9, NULL, NULL), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
}

/* ---- state_generate ------------------------------------------------------------------------- */

typedef struct fake_random {
    unsigned char bytes[32];    /* handed out in order, from the start at every call */
    int fail;                   /* 1: write some bytes, then return non-zero */
    size_t calls, total_requested;
    void *user_seen;
} fake_random;

static int fake_random_fill(void *user, unsigned char *out, size_t n)
{
    fake_random *f = (fake_random *)user;
    size_t i;
    f->calls++;
    f->total_requested += n;
    f->user_seen = user;
    if (f->fail) {
        for (i = 0; i < n / 2; i++) out[i] = 0x11;
        return 1;
    }
    for (i = 0; i < n; i++) out[i] = f->bytes[i % 32];
    return 0;
}

static stripe_connect_client client_with_random(fake_random *f)
{
    static char work[64];
    stripe_connect_client c;
    stripe_connect_client_init(&c, work, sizeof work);
    c.random = fake_random_fill;
    c.random_user = f;
    return c;
}

static void fake_random_counting_from(fake_random *f, int first)
{
    int i;
    memset(f, 0, sizeof *f);
    for (i = 0; i < 32; i++) f->bytes[i] = (unsigned char)(first + i);
}

typedef struct state_row {
    const char *name;
    int first_byte;              /* the 32 random bytes are first_byte, first_byte + 1, ... */
    int all_ff;                  /* 1: the 32 random bytes are 0xFF instead */
    const char *want;
} state_row;

static const state_row state_rows[] = {
    /* python3 -c "import base64;print(base64.urlsafe_b64encode(bytes(range(32))).rstrip(b'='))" */
    { "state_generate: bytes 0..31 give their base64url without padding", 0, 0,
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8" },
    /* python3 -c "import base64;print(base64.urlsafe_b64encode(bytes(range(224,256))).rstrip(b'='))" */
    { "state_generate: bytes 224..255 use '-' and '_', not '+' and '/'", 224, 0,
      "4OHi4-Tl5ufo6err7O3u7_Dx8vP09fb3-Pn6-_z9_v8" },
    /* python3 -c "import base64;print(base64.urlsafe_b64encode(bytes([255]*32)).rstrip(b'='))" */
    { "state_generate: 32 bytes 0xFF give 42 '_' then '8'", 0, 1,
      "__________________________________________8" },
};

static void test_state_generate_rows(void)
{
    size_t i, out_len;
    char out[64];
    fake_random f;
    stripe_connect_client c;

    for (i = 0; i < sizeof state_rows / sizeof state_rows[0]; i++) {
        const state_row *row = &state_rows[i];
        test_begin(row->name);
        fake_random_counting_from(&f, row->first_byte);
        if (row->all_ff) memset(f.bytes, 0xFF, sizeof f.bytes);
        c = client_with_random(&f);
        memset(out, 'x', sizeof out);
        out_len = 99999;
        CHECK_INT(stripe_connect_state_generate(&c, out, 44, &out_len), STRIPE_CONNECT_OK);
        CHECK_INT(out_len, 43);
        CHECK_STR(out, row->want);
        test_end();
    }
}

static void state_generate_asks_the_callback_for_exactly_32_bytes_with_random_user(void)
{
    char out[64];
    size_t out_len;
    fake_random f;
    stripe_connect_client c;
    fake_random_counting_from(&f, 0);
    c = client_with_random(&f);
    CHECK_INT(stripe_connect_state_generate(&c, out, sizeof out, &out_len), STRIPE_CONNECT_OK);
    CHECK_INT(f.total_requested, 32);
    CHECK_INT(f.calls, 1);
    CHECK(f.user_seen == &f);
}

/* Bytes out[1..cap) are untouched (canary) or zero: nothing drawn is left behind. */
static int nothing_left_behind(const char *out, size_t cap, char canary)
{
    size_t i;
    for (i = 1; i < cap; i++)
        if (out[i] != canary && out[i] != '\0') return 0;
    return 1;
}

static void state_generate_with_cap_43_is_buffer_too_small_with_out_empty(void)
{
    char out[64];
    size_t out_len = 99999;
    fake_random f;
    stripe_connect_client c;
    fake_random_counting_from(&f, 0);
    c = client_with_random(&f);
    memset(out, 'x', sizeof out);
    CHECK_INT(stripe_connect_state_generate(&c, out, 43, &out_len), STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL);
    CHECK_INT(out_len, 43);
    CHECK_STR(out, "");
    CHECK(out[43] == 'x');
}

static void state_generate_too_small_leaves_nothing_drawn_in_out(void)
{
    char out[64];
    size_t cap, out_len;
    fake_random f;
    stripe_connect_client c;
    for (cap = 1; cap <= 43; cap++) {
        fake_random_counting_from(&f, 0);
        c = client_with_random(&f);
        memset(out, 'x', sizeof out);
        CHECK_INT(stripe_connect_state_generate(&c, out, cap, &out_len), STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL);
        CHECK(nothing_left_behind(out, cap, 'x'));
        if (!nothing_left_behind(out, cap, 'x')) break;
    }
}

static void state_generate_without_a_callback_is_invalid_argument_with_out_empty(void)
{
    char out[64];
    size_t out_len;
    stripe_connect_client c;
    stripe_connect_client_init(&c, NULL, 0);
    memset(out, 'x', sizeof out);
    CHECK_INT(stripe_connect_state_generate(&c, out, sizeof out, &out_len), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_STR(out, "");
}

static void state_generate_with_a_failing_callback_is_err_random_with_out_empty(void)
{
    char out[64];
    size_t out_len;
    fake_random f;
    stripe_connect_client c;
    fake_random_counting_from(&f, 0);
    f.fail = 1;
    c = client_with_random(&f);
    memset(out, 'x', sizeof out);
    CHECK_INT(stripe_connect_state_generate(&c, out, sizeof out, &out_len), STRIPE_CONNECT_ERR_RANDOM);
    CHECK_STR(out, "");
    CHECK(nothing_left_behind(out, sizeof out, 'x'));
    CHECK(f.calls >= 1);
}

static void state_generate_with_client_or_out_len_null_is_invalid_argument(void)
{
    char out[64];
    size_t out_len;
    fake_random f;
    stripe_connect_client c;
    fake_random_counting_from(&f, 0);
    c = client_with_random(&f);
    CHECK_INT(stripe_connect_state_generate(NULL, out, sizeof out, &out_len), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_INT(stripe_connect_state_generate(&c, out, sizeof out, NULL), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
}

static void state_generate_with_out_null_and_cap_above_0_is_invalid_argument(void)
{
    size_t out_len = 99999;
    fake_random f;
    stripe_connect_client c;
    fake_random_counting_from(&f, 0);
    c = client_with_random(&f);
    CHECK_INT(stripe_connect_state_generate(&c, NULL, 64, &out_len), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_INT(out_len, 0);
    CHECK_INT(f.calls, 0);
}

static stripe_connect_result produce_state(const void *input, char *out, size_t cap, size_t *out_len)
{
    fake_random f;
    stripe_connect_client c;
    (void)input;
    fake_random_counting_from(&f, 0);
    c = client_with_random(&f);
    return stripe_connect_state_generate(&c, out, cap, out_len);
}

static void test_state_generate_buffer_rules(void)
{
    check_text_buffer_rules("state_generate from bytes 0..31", produce_state, NULL,
                            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", 43);
}

/* ---- state_equal ---------------------------------------------------------------------------- */

typedef struct equal_row { const char *name; const char *a, *b; int want; } equal_row;

static const equal_row equal_rows[] = {
    { "state_equal: the same string is 1", "abc", "abc", 1 },
    { "state_equal: different content of the same length is 0", "abc", "abd", 0 },
    { "state_equal: a difference in the first byte is 0", "abc", "xbc", 0 },
    { "state_equal: different lengths are 0", "abc", "abcdef", 0 },
    { "state_equal: a prefix is 0 (a first)", "abc", "abcd", 0 },
    { "state_equal: a prefix is 0 (b first)", "abcd", "abc", 0 },
    { "state_equal: empty and empty is 1", "", "", 1 },
    { "state_equal: empty and non-empty is 0", "", "a", 0 },
    { "state_equal: non-empty and empty is 0", "a", "", 0 },
    { "state_equal: NULL and a string is 0", NULL, "a", 0 },
    { "state_equal: a string and NULL is 0", "a", NULL, 0 },
    { "state_equal: NULL and NULL is 0", NULL, NULL, 0 },
    { "state_equal: NULL and empty is 0", NULL, "", 0 },
    { "state_equal: two equal 43-character states are 1",
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", 1 },
    { "state_equal: 43-character states differing in the last byte are 0",
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9", 0 },
    { "state_equal: bytes above 0x7F are compared as bytes", "\xe6\xbc\xa2", "\xe6\xbc\xa3", 0 },
};

static void test_state_equal_rows(void)
{
    size_t i;
    for (i = 0; i < sizeof equal_rows / sizeof equal_rows[0]; i++) {
        const equal_row *row = &equal_rows[i];
        test_begin(row->name);
        CHECK_INT(stripe_connect_state_equal(row->a, row->b), row->want);
        test_end();
    }
}

void suite_redirect(void)
{
    test_parse_redirect_ok_rows();
    RUN(parse_redirect_reads_only_len_bytes_of_an_unterminated_buffer);
    RUN(parse_redirect_stops_at_len_even_before_a_nul);
    RUN(parse_redirect_with_a_raw_nul_in_a_value_is_malformed);
    test_parse_redirect_malformed_rows();
    RUN(parse_redirect_of_empty_input_is_malformed_and_zeroes_out);
    test_parse_redirect_field_lengths();
    RUN(parse_redirect_measures_a_code_after_decoding);
    test_parse_redirect_state_mismatch_rows();
    test_parse_redirect_oauth_rows();
    test_parse_redirect_description_is_cut();
    RUN(parse_redirect_cuts_a_description_of_plus_signs_counting_each_as_one_space);
    RUN(parse_redirect_cuts_a_description_of_only_continuation_bytes_to_511);
    RUN(parse_redirect_with_url_null_is_invalid_argument_and_zeroes_out);
    RUN(parse_redirect_with_out_null_is_invalid_argument);

    test_state_generate_rows();
    RUN(state_generate_asks_the_callback_for_exactly_32_bytes_with_random_user);
    RUN(state_generate_with_cap_43_is_buffer_too_small_with_out_empty);
    RUN(state_generate_too_small_leaves_nothing_drawn_in_out);
    RUN(state_generate_without_a_callback_is_invalid_argument_with_out_empty);
    RUN(state_generate_with_a_failing_callback_is_err_random_with_out_empty);
    RUN(state_generate_with_client_or_out_len_null_is_invalid_argument);
    RUN(state_generate_with_out_null_and_cap_above_0_is_invalid_argument);
    test_state_generate_buffer_rules();

    test_state_equal_rows();
}
