/* fuzz_token.c - the answers of /oauth/token and /oauth/deauthorize:
   stripe_connect_parse_token_response and stripe_connect_parse_deauthorize_response.

   Input: byte 0 picks the HTTP status (fuzz_status below: '2' and 'A'..'F' are the usual 2xx,
   '4' is 400, '5' is 500, ...), the rest is the body.

   Checked for every input:
   - the result is one DESIGN.md lists for the parser; on every error the token is all zero;
   - err.http_status is the status; outside ERR_OAUTH and ERR_API the error struct holds only
     the status; every string in the token and the error is NUL-terminated inside its array
     and is well-formed UTF-8 (the scanner checked the JSON, and cutting keeps whole
     characters); oauth_error matches err.code;
   - OK only for a 2xx status, and then the lookup helper agrees with the token: the
     document's "stripe_user_id" (and any other field it can read) is what the parser copied;
   - both parsers give the same verdict on everything that does not depend on the fields
     (ERR_OAUTH, ERR_API, ERR_HTTP_STATUS, ERR_MALFORMED_JSON) and fill the error struct the
     same way; when the token parses, the deauthorize parser accepts the same body for its
     stripe_user_id, and refuses it for another account;
   - for a 2xx status the token parser calls the body malformed exactly when the lookup
     helper does (two readers of one scanner walking the document differently). */
#define STRIPE_CONNECT_IMPLEMENTATION
#include "../../stripe_connect.h"
#include "fuzz.h"

static int fuzz_status(unsigned char c)
{
    static const int statuses[16] = { 200, 201, 409, 204, 299, 400, 401, 402,
                                      403, 404, 429, 500, 503, 0, 199, 300 };
    switch (c) {
    case '2': return 200;
    case '4': return 400;
    case '5': return 500;
    case '1': return 100;
    case '3': return 302;
    case '9': return 999;
    case '-': return -1;
    default: return statuses[c & 15];
    }
}

static void check_text(const char *s, size_t cap)
{
    FUZZ_CHECK(fuzz_terminated(s, cap));
    FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)s, strlen(s)));
    fuzz_consume(s, strlen(s));
}

static void check_error_struct(const stripe_connect_error *e, int status, stripe_connect_result r)
{
    static const char *const names[] = { "", "access_denied", "invalid_redirect_uri", "invalid_request",
                                         "invalid_scope", "unsupported_response_type", "invalid_grant",
                                         "unsupported_grant_type", "invalid_client" };
    FUZZ_CHECK(e->http_status == status);
    check_text(e->code, sizeof e->code);
    check_text(e->type, sizeof e->type);
    check_text(e->decline_code, sizeof e->decline_code);
    check_text(e->param, sizeof e->param);
    check_text(e->message, sizeof e->message);
    FUZZ_CHECK(e->request_id[0] == '\0');
    if (r == STRIPE_CONNECT_ERR_OAUTH) {
        size_t i;
        stripe_connect_oauth_error want = STRIPE_CONNECT_OAUTH_OTHER;
        for (i = 1; i < sizeof names / sizeof names[0]; i++)
            if (strcmp(e->code, names[i]) == 0) want = (stripe_connect_oauth_error)i;
        FUZZ_CHECK(e->oauth_error == want);
        FUZZ_CHECK(e->type[0] == '\0' && e->decline_code[0] == '\0' && e->param[0] == '\0');
    } else {
        FUZZ_CHECK(e->oauth_error == STRIPE_CONNECT_OAUTH_NONE);
    }
    if (r != STRIPE_CONNECT_ERR_OAUTH && r != STRIPE_CONNECT_ERR_API) {
        stripe_connect_error only_status;
        memset(&only_status, 0, sizeof only_status);
        only_status.http_status = status;
        FUZZ_CHECK(memcmp(e, &only_status, sizeof only_status) == 0);
    }
}

static int parse_result_allowed(stripe_connect_result r)
{
    return r == STRIPE_CONNECT_OK || r == STRIPE_CONNECT_ERR_OAUTH || r == STRIPE_CONNECT_ERR_API ||
           r == STRIPE_CONNECT_ERR_HTTP_STATUS || r == STRIPE_CONNECT_ERR_MALFORMED_JSON ||
           r == STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE;
}

/* The lookup helper, asked for one top-level string field: when it can read it, it must be
   what the parser copied. */
static void agree_string(const char *body, size_t len, const char *name, const char *parsed, size_t field_cap)
{
    char value[STRIPE_CONNECT_FIELD_MAX];
    size_t n = 0;
    stripe_connect_result r = stripe_connect_json_get_string(body, len, name, value, field_cap, &n);
    if (r == STRIPE_CONNECT_OK) FUZZ_CHECK(n == strlen(parsed) && memcmp(value, parsed, n + 1) == 0);
    else FUZZ_CHECK(r != STRIPE_CONNECT_ERR_MALFORMED_JSON);
}

static void check_token_agrees(const char *body, size_t len, const stripe_connect_token *t)
{
    int livemode = -1;
    stripe_connect_result r;
    agree_string(body, len, "stripe_user_id", t->stripe_user_id, sizeof t->stripe_user_id);
    agree_string(body, len, "access_token", t->access_token, sizeof t->access_token);
    agree_string(body, len, "refresh_token", t->refresh_token, sizeof t->refresh_token);
    agree_string(body, len, "stripe_publishable_key", t->stripe_publishable_key, sizeof t->stripe_publishable_key);
    agree_string(body, len, "scope", t->scope, sizeof t->scope);
    agree_string(body, len, "token_type", t->token_type, sizeof t->token_type);
    r = stripe_connect_json_get_bool(body, len, "livemode", &livemode);
    if (r == STRIPE_CONNECT_OK) FUZZ_CHECK(livemode == t->livemode);
    else FUZZ_CHECK(t->livemode == 0 && r != STRIPE_CONNECT_ERR_MALFORMED_JSON);
    /* The one required field is there, so the lookup must find it. */
    {
        char id[STRIPE_CONNECT_FIELD_MAX];
        size_t n = 0;
        FUZZ_CHECK(stripe_connect_json_get_string(body, len, "stripe_user_id", id, sizeof id, &n) ==
                   STRIPE_CONNECT_OK);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    stripe_connect_token token;
    stripe_connect_error token_err, deauth_err, other_err;
    stripe_connect_result r, d, lookup;
    const char *body;
    size_t len;
    int status, dummy = 0;
    char *account;

    if (size == 0) return 0;
    status = fuzz_status(data[0]);
    body = (const char *)data + 1;
    len = size - 1;

    memset(&token, 0x5a, sizeof token);
    memset(&token_err, 0x5a, sizeof token_err);
    r = stripe_connect_parse_token_response(status, body, len, &token, &token_err);
    fuzz_consume(&token, sizeof token);
    fuzz_consume_int(r);
    FUZZ_CHECK(parse_result_allowed(r));
    check_error_struct(&token_err, status, r);

    check_text(token.access_token, sizeof token.access_token);
    check_text(token.refresh_token, sizeof token.refresh_token);
    check_text(token.stripe_publishable_key, sizeof token.stripe_publishable_key);
    check_text(token.stripe_user_id, sizeof token.stripe_user_id);
    check_text(token.scope, sizeof token.scope);
    check_text(token.token_type, sizeof token.token_type);
    FUZZ_CHECK(token.livemode == 0 || token.livemode == 1);
    if (r != STRIPE_CONNECT_OK) FUZZ_CHECK(fuzz_all_zero(&token, sizeof token));
    else FUZZ_CHECK(status >= 200 && status <= 299);

    /* Well-formedness as the lookup helper sees it. */
    lookup = stripe_connect_json_get_bool(body, len, "livemode", &dummy);
    fuzz_consume_int(dummy);
    if (status >= 200 && status <= 299)
        FUZZ_CHECK((r == STRIPE_CONNECT_ERR_MALFORMED_JSON) == (lookup == STRIPE_CONNECT_ERR_MALFORMED_JSON));
    if (r == STRIPE_CONNECT_ERR_OAUTH || r == STRIPE_CONNECT_ERR_API || r == STRIPE_CONNECT_OK ||
        r == STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE)
        FUZZ_CHECK(lookup != STRIPE_CONNECT_ERR_MALFORMED_JSON);
    if (r == STRIPE_CONNECT_OK) check_token_agrees(body, len, &token);

    /* The deauthorize answer, for the account the token named (or a fixed one). */
    account = fuzz_strndup(token.stripe_user_id, strlen(token.stripe_user_id));
    memset(&deauth_err, 0x5a, sizeof deauth_err);
    d = stripe_connect_parse_deauthorize_response(status, body, len, r == STRIPE_CONNECT_OK ? account : "acct_1",
                                                  &deauth_err);
    fuzz_consume(&deauth_err, sizeof deauth_err);
    fuzz_consume_int(d);
    FUZZ_CHECK(parse_result_allowed(d));
    check_error_struct(&deauth_err, status, d);
    if (r == STRIPE_CONNECT_OK) FUZZ_CHECK(d == STRIPE_CONNECT_OK);
    if (r == STRIPE_CONNECT_ERR_OAUTH || r == STRIPE_CONNECT_ERR_API || r == STRIPE_CONNECT_ERR_HTTP_STATUS ||
        r == STRIPE_CONNECT_ERR_MALFORMED_JSON ||
        d == STRIPE_CONNECT_ERR_OAUTH || d == STRIPE_CONNECT_ERR_API || d == STRIPE_CONNECT_ERR_HTTP_STATUS ||
        d == STRIPE_CONNECT_ERR_MALFORMED_JSON) {
        FUZZ_CHECK(d == r);
        FUZZ_CHECK(memcmp(&deauth_err, &token_err, sizeof token_err) == 0);
    }
    if (d == STRIPE_CONNECT_OK) {
        /* Another account's id must not pass. */
        const char *named = r == STRIPE_CONNECT_OK ? account : "acct_1";
        char *other = (char *)malloc(strlen(named) + 2);
        if (other == NULL) abort();
        sprintf(other, "%sx", named);
        FUZZ_CHECK(stripe_connect_parse_deauthorize_response(status, body, len, other, &other_err) ==
                   STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE);
        fuzz_consume(&other_err, sizeof other_err);
        free(other);
    }
    free(account);

    /* No error struct at all: same verdict. */
    FUZZ_CHECK(stripe_connect_parse_token_response(status, body, len, &token, NULL) == r);
    fuzz_consume(&token, sizeof token);
    return 0;
}
