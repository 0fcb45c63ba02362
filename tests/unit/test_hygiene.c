/* test_hygiene.c - secret hygiene: no byte of a secret is left where it should not be.

   The secrets are distinctive strings: the platform's secret key, an authorization code, a
   refresh token, a connected account's access token, and the access and refresh tokens the
   token answers issue. A LEAK is any 4 bytes in a row of a secret's distinctive part (what
   follows "sk_test_", "ac_" or "rt_"), so a cut or shifted copy counts as well as a whole one.

   After every call that handles a secret (exchange_code, refresh, token_call, deauthorize,
   api_request, the two request builders, parse_token_response, parse_redirect,
   state_generate), on success and on every error path that can be provoked (bad arguments,
   a scratch or out buffer too small at every size, transport failures, transports that lie,
   OAuth and API errors, malformed and unexpected answers), these must hold:
   - the client's scratch buffer (work, work_size) is all zero, and the bytes after it are
     untouched;
   - the token is all zero on every error, and on success holds none of the request's secrets;
   - the error struct holds no secret, except one that Stripe's own error text repeats (an
     OAuth error_description that echoes the code is Stripe's text, copied as it came);
   - api_request's out buffer: all zero over its whole cap on every error but ERR_API and
     ERR_HTTP_STATUS (whose body is Stripe's answer); never the key or the access token;
   - the request builders' buffer: all zero over its cap when it was too small, untouched when
     the arguments were refused, and the prepared request all zero on every error;
   - parse_redirect's out: all zero on every result but OK and ERR_OAUTH; an ignored parameter
     is never copied;
   - state_generate: out "" on every error, and nothing drawn when out is too small.
   A mock transport serves the answers (whole, cut short, or with a lie about them) and notes
   that the secret travelled in the request, so each wipe checked had something to wipe. */
#include "../../stripe_connect.h"
#include "suites.h"
#include "test.h"
#include "checks.h"

#include <stdio.h>
#include <string.h>

/* ---- The secrets ------------------------------------------------------------------------------ */

/* No two distinctive parts share 4 bytes in a row, and none shares them with any other text
   of the tests (Stripe's messages and the other fields are lower case). */
#define SECRET_KEY    "sk_test_SECRETSECRETSECRET"
#define CODE          "ac_CODECODECODECODE"
#define REFRESH_TOKEN "rt_REFRESHREFRESHREFRESH"
#define ACCESS_TOKEN  "sk_test_ACCESSACCESSACCESS"
#define NEW_ACCESS    "sk_test_ISSUEDISSUEDISSUED"
#define NEW_REFRESH   "rt_GRANTEDGRANTEDGRANTED"
#define ACCOUNT       "acct_1"
#define PIECE 4

typedef struct secret { const char *name, *text; size_t prefix; } secret;

static const secret secrets[] = {
    { "the secret key", SECRET_KEY, 8 },
    { "the code", CODE, 3 },
    { "the refresh token", REFRESH_TOKEN, 3 },
    { "the access token", ACCESS_TOKEN, 8 },
    { "the issued access token", NEW_ACCESS, 8 },
    { "the issued refresh token", NEW_REFRESH, 3 },
};
#define SECRET_COUNT (sizeof secrets / sizeof secrets[0])
/* The first four travel in requests; the last two only in answers. */
#define REQUEST_SECRET_COUNT 4

/* 1 when region[0..n) holds PIECE bytes in a row of s's distinctive part. The distinctive parts
   are upper-case letters only (checked by the suite's first case), so a piece can only start at
   one: every other position is passed over at once, which keeps thousands of scans cheap. */
static int holds_piece_of(const void *region, size_t n, const secret *s)
{
    const unsigned char *p = (const unsigned char *)region;
    const char *body = s->text + s->prefix;
    size_t i, j, len = strlen(body);
    for (i = 0; i + PIECE <= n; i++) {
        if (p[i] < 'A' || p[i] > 'Z') continue;
        for (j = 0; j + PIECE <= len; j++)
            if (memcmp(p + i, body + j, PIECE) == 0) return 1;
    }
    return 0;
}

/* What the scans rely on: distinctive parts of upper-case letters, no 4 bytes in a row shared. */
static void hygiene_the_secrets_are_told_apart(void)
{
    size_t i, j, k;
    for (i = 0; i < SECRET_COUNT; i++) {
        const char *body = secrets[i].text + secrets[i].prefix;
        for (k = 0; body[k] != '\0'; k++) CHECK(body[k] >= 'A' && body[k] <= 'Z');
        CHECK(strlen(body) >= 12);
        for (j = 0; j < SECRET_COUNT; j++) {
            if (j != i) CHECK(!holds_piece_of(secrets[j].text, strlen(secrets[j].text), &secrets[i]));
        }
    }
}

/* Fails when region holds a piece of any of the first count secrets, but for allowed. */
static void check_no_secret_at(int line, const char *what, const void *region, size_t n, size_t count,
                               const char *allowed)
{
    size_t i;
    char message[256];
    for (i = 0; i < count; i++) {
        if (allowed != NULL && strcmp(allowed, secrets[i].text) == 0) continue;
        if (holds_piece_of(region, n, &secrets[i])) {
            snprintf(message, sizeof message, "a piece of %s (%s) is in %s", secrets[i].name, secrets[i].text, what);
            test_fail(__FILE__, line, message);
        }
    }
}
#define CHECK_NO_SECRET(what, region, n, allowed) \
    check_no_secret_at(__LINE__, (what), (region), (n), SECRET_COUNT, (allowed))
#define CHECK_NO_REQUEST_SECRET(what, region, n) \
    check_no_secret_at(__LINE__, (what), (region), (n), REQUEST_SECRET_COUNT, NULL)

/* 1 when p[0..n) is all zero; *at is the first byte that is not. */
static int all_zero(const char *p, size_t n, size_t *at)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (p[i] != 0) { if (at != NULL) *at = i; return 0; }
    }
    return 1;
}

static void check_zero_at(int line, const char *what, const void *p, size_t n)
{
    size_t at = 0;
    char message[160];
    if (all_zero((const char *)p, n, &at)) return;
    snprintf(message, sizeof message, "%s: byte %lu of %lu is 0x%02X, want all zero", what, (unsigned long)at,
             (unsigned long)n, (unsigned)((const unsigned char *)p)[at]);
    test_fail(__FILE__, line, message);
}
#define CHECK_ZERO(what, p, n) check_zero_at(__LINE__, (what), (p), (n))

/* ---- The answers --------------------------------------------------------------------------------- */

#define TOKEN_ANSWER \
    "{\"access_token\":\"" NEW_ACCESS "\",\"livemode\":false,\"refresh_token\":\"" NEW_REFRESH "\"," \
    "\"token_type\":\"bearer\",\"stripe_publishable_key\":\"pk_test_1\",\"stripe_user_id\":\"" ACCOUNT "\"," \
    "\"scope\":\"read_write\"}"
#define DEAUTHORIZE_ANSWER "{\"stripe_user_id\":\"" ACCOUNT "\"}"
#define API_ANSWER "{\"id\":\"ch_1\",\"object\":\"charge\",\"amount\":400}"
#define OAUTH_ECHO \
    "{\"error\":\"invalid_grant\",\"error_description\":\"Authorization code does not exist: " CODE "\"}"
#define OAUTH_PLAIN "{\"error\":\"invalid_client\",\"error_description\":\"No such application: 'ca_1'\"}"
#define API_ERROR \
    "{\"error\":{\"type\":\"card_error\",\"code\":\"card_declined\",\"decline_code\":\"generic_decline\"," \
    "\"param\":\"source\",\"message\":\"Your card was declined.\"}}"
#define HTML_500 "<html><body>500 Internal Server Error</body></html>"
#define TOKENS_NEVER_CLOSED \
    "{\"access_token\":\"" NEW_ACCESS "\",\"refresh_token\":\"" NEW_REFRESH "\",\"stripe_user_id\":\"" ACCOUNT "\""
#define TOKENS_WRONG_SHAPE \
    "{\"access_token\":\"" NEW_ACCESS "\",\"refresh_token\":\"" NEW_REFRESH "\",\"livemode\":\"yes\"," \
    "\"stripe_user_id\":\"" ACCOUNT "\"}"
#define TOKENS_AND_OAUTH_ERROR \
    "{\"access_token\":\"" NEW_ACCESS "\",\"refresh_token\":\"" NEW_REFRESH "\",\"stripe_user_id\":\"" ACCOUNT "\"," \
    "\"error\":\"invalid_grant\"}"
#define TOKENS_AND_API_ERROR \
    "{\"access_token\":\"" NEW_ACCESS "\",\"error\":{\"type\":\"api_error\",\"message\":\"m\"}," \
    "\"refresh_token\":\"" NEW_REFRESH "\"}"
#define TOKEN_TOO_LONG \
    "{\"access_token\":\"" NEW_ACCESS NEW_ACCESS NEW_ACCESS NEW_ACCESS NEW_ACCESS NEW_ACCESS NEW_ACCESS \
    NEW_ACCESS NEW_ACCESS NEW_ACCESS "\",\"stripe_user_id\":\"" ACCOUNT "\"}"
#define ANOTHER_ACCOUNT "{\"stripe_user_id\":\"acct_2\",\"access_token\":\"" NEW_ACCESS "\"}"

/* ---- The mock transport ------------------------------------------------------------------------ */

typedef enum mock_mode {
    MOCK_ANSWER,            /* status and body; a body larger than body_cap is written up to body_cap,
                               then ERR_RESPONSE_TOO_LARGE, as a transport finds out only as it reads */
    MOCK_FAIL,              /* the result, nothing written */
    MOCK_PARTIAL_THEN_FAIL, /* half of the body (or what fits) written, status set, then the result */
    MOCK_BODY_LEN_OVER_CAP  /* what fits written, body_len = body_cap + 1, OK: a lie */
} mock_mode;

typedef struct mock_transport {
    mock_mode mode;
    stripe_connect_result result;
    int status;
    const char *body;
    int calls;
    int secret_sent;        /* a request carried the secret key or the access token */
} mock_transport;

static mock_transport mock;

static int carries(const stripe_connect_http_request *req, const char *s)
{
    size_t i, n = strlen(s);
    if (req->url != NULL && strstr(req->url, s) != NULL) return 1;
    if (req->body != NULL && test_mem_contains(req->body, req->body_len, s, n)) return 1;
    for (i = 0; i < req->header_count; i++)
        if (req->headers[i].value != NULL && strstr(req->headers[i].value, s) != NULL) return 1;
    return 0;
}

static stripe_connect_result mock_perform(void *user, const stripe_connect_http_request *req,
                                          stripe_connect_http_response *res)
{
    mock_transport *m = (mock_transport *)user;
    size_t len = m->body != NULL ? strlen(m->body) : 0, n;
    m->calls++;
    if (carries(req, SECRET_KEY) || carries(req, ACCESS_TOKEN)) m->secret_sent = 1;
    switch (m->mode) {
    case MOCK_FAIL:
        return m->result;
    case MOCK_PARTIAL_THEN_FAIL:
        n = len / 2 < res->body_cap ? len / 2 : res->body_cap;
        memcpy(res->body, m->body, n);
        res->body_len = n;
        res->status = m->status;
        return m->result;
    case MOCK_BODY_LEN_OVER_CAP:
        n = len < res->body_cap ? len : res->body_cap;
        memcpy(res->body, m->body, n);
        res->body_len = res->body_cap + 1;
        res->status = m->status;
        return STRIPE_CONNECT_OK;
    case MOCK_ANSWER:
        break;
    }
    res->status = m->status;
    if (len > res->body_cap) {
        memcpy(res->body, m->body, res->body_cap);
        res->body_len = res->body_cap;
        return STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE;
    }
    memcpy(res->body, m->body, len);
    res->body_len = len;
    return m->result;
}

static void mock_answer(int status, const char *body)
{
    memset(&mock, 0, sizeof mock);
    mock.mode = MOCK_ANSWER;
    mock.result = STRIPE_CONNECT_OK;
    mock.status = status;
    mock.body = body;
}

/* ---- The client and the caller's buffers ----------------------------------------------------------- */

#define WORK_SIZE 4096
#define OUT_SIZE 2048
#define GUARD 64
#define FILL 0x5A

static char arena[WORK_SIZE + GUARD];          /* work, then guard bytes */
static char out_arena[OUT_SIZE + GUARD];       /* api_request's out, then guard bytes */

static int random_fails;
static int random_calls;

/* Hands out 0xFF bytes; when it fails, it writes them first. */
static int fill_random(void *user, unsigned char *out, size_t n)
{
    (void)user;
    random_calls++;
    memset(out, 0xFF, n);
    return random_fails ? -1 : 0;
}

static void no_sleep(void *user, unsigned long ms) { (void)user; (void)ms; }

static void client_setup(stripe_connect_client *c, size_t work_size)
{
    memset(arena, FILL, sizeof arena);
    memset(out_arena, FILL, sizeof out_arena);
    stripe_connect_client_init(c, arena, work_size);
    c->client_id = "ca_1";
    c->secret_key = SECRET_KEY;
    c->transport.perform = mock_perform;
    c->transport.user = &mock;
    c->random = fill_random;
    c->sleep = no_sleep;
    random_fails = 0;
    random_calls = 0;
}

/* ---- The calls ------------------------------------------------------------------------------------- */

typedef enum call_kind {
    CALL_EXCHANGE, CALL_EXCHANGE_SECRET_IN_BODY, CALL_REFRESH, CALL_TOKEN, CALL_DEAUTHORIZE,
    CALL_API_POST, CALL_API_GET, CALL_KIND_COUNT
} call_kind;

static const char *const call_names[CALL_KIND_COUNT] = {
    "exchange_code", "exchange_code (secret_in_body)", "refresh", "token_call (capabilities)", "deauthorize",
    "api_request POST (access_token)", "api_request GET (platform key, Stripe-Account)"
};

typedef enum family { FAMILY_TOKEN, FAMILY_DEAUTHORIZE, FAMILY_API } family;

static family family_of(call_kind kind)
{
    if (kind == CALL_DEAUTHORIZE) return FAMILY_DEAUTHORIZE;
    if (kind == CALL_API_POST || kind == CALL_API_GET) return FAMILY_API;
    return FAMILY_TOKEN;
}

/* What a call is given: changed by the argument rows. */
typedef struct call_input {
    const char *code, *refresh_token, *stripe_user_id, *access_token, *path;
    int token_null, out_null;
    size_t out_cap;
} call_input;

static call_input default_input(void)
{
    call_input in;
    memset(&in, 0, sizeof in);
    in.code = CODE;
    in.refresh_token = REFRESH_TOKEN;
    in.stripe_user_id = ACCOUNT;
    in.access_token = ACCESS_TOKEN;
    in.path = "/v1/charges";
    in.out_cap = OUT_SIZE;
    return in;
}

static const char *const capabilities[] = { "card_payments", "transfers" };

/* The whole result of one call. */
typedef struct outcome {
    stripe_connect_result result;
    stripe_connect_token token;
    stripe_connect_error err;
    size_t out_len;
} outcome;

static void make_call(stripe_connect_client *c, call_kind kind, const call_input *in, outcome *o)
{
    stripe_connect_token_params tp;
    stripe_connect_api_params ap;
    stripe_connect_token *token = in->token_null ? NULL : &o->token;
    memset(&o->token, 0xAA, sizeof o->token);
    memset(&o->err, 0xAA, sizeof o->err);
    o->out_len = 99999;
    if (kind == CALL_EXCHANGE_SECRET_IN_BODY) c->secret_in_body = 1;
    switch (kind) {
    case CALL_EXCHANGE:
    case CALL_EXCHANGE_SECRET_IN_BODY:
        o->result = stripe_connect_exchange_code(c, in->code, token, &o->err);
        break;
    case CALL_REFRESH:
        o->result = stripe_connect_refresh(c, in->refresh_token, "read_only", token, &o->err);
        break;
    case CALL_TOKEN:
        memset(&tp, 0, sizeof tp);
        tp.grant_type = "authorization_code";
        tp.code = in->code;
        tp.assert_capabilities = capabilities;
        tp.assert_capabilities_count = 2;
        o->result = stripe_connect_token_call(c, &tp, token, &o->err);
        break;
    case CALL_DEAUTHORIZE:
        o->result = stripe_connect_deauthorize(c, in->stripe_user_id, &o->err);
        break;
    case CALL_API_POST:
    case CALL_API_GET:
        memset(&ap, 0, sizeof ap);
        ap.method = kind == CALL_API_POST ? "POST" : "GET";
        ap.path = in->path;
        ap.params = "amount=400&currency=usd";
        ap.params_len = strlen(ap.params);
        if (kind == CALL_API_POST) ap.access_token = in->access_token;
        else ap.stripe_account = ACCOUNT;
        o->result = stripe_connect_api_request(c, &ap, in->out_null ? NULL : out_arena, in->out_cap, &o->out_len,
                                               &o->err);
        break;
    case CALL_KIND_COUNT:
        break;
    }
}

/* Every rule of the header comment, after one call. echoed: a secret Stripe's error text
   repeats (allowed in err), or NULL. */
static void check_hygiene(const stripe_connect_client *c, call_kind kind, const call_input *in, const outcome *o,
                          const char *echoed)
{
    family f = family_of(kind);
    CHECK_ZERO("work after the call", arena, c->work_size);
    {
        size_t i;
        for (i = c->work_size; i < c->work_size + GUARD && i < sizeof arena; i++) {
            if (arena[i] != FILL) { test_fail(__FILE__, __LINE__, "a byte after work_size was written"); break; }
        }
    }
    if (!all_zero(arena, c->work_size, NULL)) CHECK_NO_SECRET("work", arena, c->work_size, NULL);
    CHECK_NO_SECRET("the error struct", &o->err, sizeof o->err, echoed);
    if (f == FAMILY_TOKEN && !in->token_null) {
        if (o->result != STRIPE_CONNECT_OK) CHECK_ZERO("the token after an error", &o->token, sizeof o->token);
        else CHECK_NO_REQUEST_SECRET("the token", &o->token, sizeof o->token);
    }
    if (f == FAMILY_API && !in->out_null) {
        size_t i;
        if (o->result != STRIPE_CONNECT_OK && o->result != STRIPE_CONNECT_ERR_API &&
            o->result != STRIPE_CONNECT_ERR_HTTP_STATUS && in->out_cap > 0)
            CHECK_ZERO("out after an error", out_arena, in->out_cap);
        check_no_secret_at(__LINE__, "out", out_arena, in->out_cap, REQUEST_SECRET_COUNT, echoed);
        for (i = in->out_cap; i < in->out_cap + GUARD && i < sizeof out_arena; i++) {
            if (out_arena[i] != FILL) { test_fail(__FILE__, __LINE__, "a byte at or past cap was written"); break; }
        }
    }
}

/* ---- Answers and transports: every call through every one ------------------------------------------ */

#define SAME3(r) r, r, r

typedef struct scenario {
    const char *name;
    mock_mode mode;
    stripe_connect_result transport_result;
    int status;
    const char *body;                    /* NULL: the family's good answer */
    stripe_connect_result want_token, want_deauthorize, want_api;
    const char *echoed;                  /* a secret the answer's error text repeats */
} scenario;

static const scenario scenarios[] = {
    { "the good answer", MOCK_ANSWER, STRIPE_CONNECT_OK, 200, NULL, SAME3(STRIPE_CONNECT_OK), NULL },
    { "the transport fails before a byte arrives", MOCK_FAIL, STRIPE_CONNECT_ERR_TRANSPORT, 0, NULL,
      SAME3(STRIPE_CONNECT_ERR_TRANSPORT), NULL },
    { "a timeout after half of the body arrived", MOCK_PARTIAL_THEN_FAIL, STRIPE_CONNECT_ERR_TIMEOUT, 200,
      TOKEN_ANSWER, SAME3(STRIPE_CONNECT_ERR_TIMEOUT), NULL },
    { "the TLS handshake fails", MOCK_FAIL, STRIPE_CONNECT_ERR_TLS, 0, NULL, SAME3(STRIPE_CONNECT_ERR_TLS), NULL },
    { "ERR_RESPONSE_TOO_LARGE after half of the body", MOCK_PARTIAL_THEN_FAIL,
      STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE, 200, TOKEN_ANSWER, SAME3(STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE), NULL },
    { "a lying transport: status 600 with the tokens", MOCK_ANSWER, STRIPE_CONNECT_OK, 600, TOKEN_ANSWER,
      SAME3(STRIPE_CONNECT_ERR_TRANSPORT), NULL },
    { "a lying transport: body_len above body_cap", MOCK_BODY_LEN_OVER_CAP, STRIPE_CONNECT_OK, 200, TOKEN_ANSWER,
      SAME3(STRIPE_CONNECT_ERR_TRANSPORT), NULL },
    { "a lying transport: result 12345 after the tokens", MOCK_ANSWER, (stripe_connect_result)12345, 200,
      TOKEN_ANSWER, SAME3(STRIPE_CONNECT_ERR_TRANSPORT), NULL },
    { "a lying transport: ERR_OAUTH after the tokens", MOCK_ANSWER, STRIPE_CONNECT_ERR_OAUTH, 200, TOKEN_ANSWER,
      SAME3(STRIPE_CONNECT_ERR_TRANSPORT), NULL },
    { "an OAuth error whose description repeats the code", MOCK_ANSWER, STRIPE_CONNECT_OK, 400, OAUTH_ECHO,
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_ERR_API, CODE },
    { "an OAuth error", MOCK_ANSWER, STRIPE_CONNECT_OK, 401, OAUTH_PLAIN,
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_ERR_API, NULL },
    { "an API error object", MOCK_ANSWER, STRIPE_CONNECT_OK, 402, API_ERROR, SAME3(STRIPE_CONNECT_ERR_API), NULL },
    { "500 with HTML", MOCK_ANSWER, STRIPE_CONNECT_OK, 500, HTML_500, SAME3(STRIPE_CONNECT_ERR_HTTP_STATUS), NULL },
    { "200 with the tokens in JSON that never closes", MOCK_ANSWER, STRIPE_CONNECT_OK, 200, TOKENS_NEVER_CLOSED,
      SAME3(STRIPE_CONNECT_ERR_MALFORMED_JSON), NULL },
    { "200 with the tokens and a livemode of the wrong type", MOCK_ANSWER, STRIPE_CONNECT_OK, 200,
      TOKENS_WRONG_SHAPE, STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE, STRIPE_CONNECT_OK, STRIPE_CONNECT_OK, NULL },
    { "200 with an access token too long for its field", MOCK_ANSWER, STRIPE_CONNECT_OK, 200, TOKEN_TOO_LONG,
      STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE, STRIPE_CONNECT_OK, STRIPE_CONNECT_OK, NULL },
    { "200 with the tokens and an OAuth error", MOCK_ANSWER, STRIPE_CONNECT_OK, 200, TOKENS_AND_OAUTH_ERROR,
      STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_ERR_OAUTH, STRIPE_CONNECT_OK, NULL },
    { "400 with the tokens and an API error", MOCK_ANSWER, STRIPE_CONNECT_OK, 400, TOKENS_AND_API_ERROR,
      SAME3(STRIPE_CONNECT_ERR_API), NULL },
    { "200 for another account, with a token", MOCK_ANSWER, STRIPE_CONNECT_OK, 200, ANOTHER_ACCOUNT,
      STRIPE_CONNECT_OK, STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE, STRIPE_CONNECT_OK, NULL },
};

static const char *good_answer(family f)
{
    return f == FAMILY_TOKEN ? TOKEN_ANSWER : f == FAMILY_DEAUTHORIZE ? DEAUTHORIZE_ANSWER : API_ANSWER;
}

static void run_scenarios(void)
{
    size_t i;
    int kind;
    char name[256];
    for (i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        const scenario *row = &scenarios[i];
        for (kind = 0; kind < CALL_KIND_COUNT; kind++) {
            family f = family_of((call_kind)kind);
            stripe_connect_result want = f == FAMILY_TOKEN ? row->want_token
                                       : f == FAMILY_DEAUTHORIZE ? row->want_deauthorize : row->want_api;
            stripe_connect_client c;
            call_input in = default_input();
            outcome o;
            snprintf(name, sizeof name, "hygiene: %s, %s: the scratch wiped, no secret left behind",
                     call_names[kind], row->name);
            test_begin(name);
            client_setup(&c, WORK_SIZE);
            c.max_retries = 0;
            mock_answer(row->status, row->body != NULL ? row->body : good_answer(f));
            mock.mode = row->mode;
            mock.result = row->transport_result;
            make_call(&c, (call_kind)kind, &in, &o);
            CHECK_RESULT(o.result, want);
            CHECK_INT(mock.calls, 1);
            CHECK(mock.secret_sent);
            check_hygiene(&c, (call_kind)kind, &in, &o, row->echoed);
            if (f == FAMILY_TOKEN && o.result == STRIPE_CONNECT_OK) CHECK_FIELD(o.token.access_token, NEW_ACCESS);
            test_end();
        }
    }
}

/* Retries keep the request in work from one attempt to the next: wiped after the last. */
static void hygiene_api_retries_end_with_the_scratch_wiped(void)
{
    stripe_connect_client c;
    call_input in = default_input();
    outcome o;
    client_setup(&c, WORK_SIZE);
    mock_answer(503, "{\"error\":{\"type\":\"api_error\",\"message\":\"Try again later.\"}}");
    make_call(&c, CALL_API_POST, &in, &o);
    CHECK_RESULT(o.result, STRIPE_CONNECT_ERR_API);
    CHECK_INT(mock.calls, 3);
    CHECK(mock.secret_sent);
    check_hygiene(&c, CALL_API_POST, &in, &o, NULL);
}

/* ---- Arguments refused: nothing sent, and still nothing left behind --------------------------------- */

static void secret_key_with_crlf(stripe_connect_client *c, call_input *in) { (void)in; c->secret_key = SECRET_KEY "\r\nX-Evil: 1"; }
static void secret_key_with_del(stripe_connect_client *c, call_input *in) { (void)in; c->secret_key = SECRET_KEY "\x7F"; }
static void stripe_version_with_lf(stripe_connect_client *c, call_input *in) { (void)in; c->stripe_version = "2024-06-20\n"; }
static void connect_base_with_space(stripe_connect_client *c, call_input *in) { (void)in; c->connect_base = "https://a b"; }
static void api_base_with_space(stripe_connect_client *c, call_input *in) { (void)in; c->api_base = "https://a b"; }
static void no_transport(stripe_connect_client *c, call_input *in) { (void)in; c->transport.perform = NULL; }
static void work_size_0(stripe_connect_client *c, call_input *in) { (void)in; c->work_size = 0; }
static void empty_code(stripe_connect_client *c, call_input *in) { (void)c; in->code = ""; }
static void no_code(stripe_connect_client *c, call_input *in) { (void)c; in->code = NULL; }
static void no_refresh_token(stripe_connect_client *c, call_input *in) { (void)c; in->refresh_token = NULL; }
static void no_account(stripe_connect_client *c, call_input *in) { (void)c; in->stripe_user_id = NULL; }
static void no_client_id(stripe_connect_client *c, call_input *in) { (void)in; c->client_id = NULL; }
static void token_null(stripe_connect_client *c, call_input *in) { (void)c; in->token_null = 1; }
static void access_token_with_crlf(stripe_connect_client *c, call_input *in) { (void)c; in->access_token = ACCESS_TOKEN "\r\n"; }
static void path_with_hash(stripe_connect_client *c, call_input *in) { (void)c; in->path = "/v1/charges#" ACCESS_TOKEN; }
static void out_null(stripe_connect_client *c, call_input *in) { (void)c; in->out_null = 1; }
static void out_cap_0(stripe_connect_client *c, call_input *in) { (void)c; in->out_cap = 0; }
static void random_fails_now(stripe_connect_client *c, call_input *in) { (void)c; (void)in; random_fails = 1; }
static void no_random(stripe_connect_client *c, call_input *in) { (void)in; c->random = NULL; }

#define ALL_CALLS 0x7F
#define TOKEN_CALLS ((1 << CALL_EXCHANGE) | (1 << CALL_EXCHANGE_SECRET_IN_BODY) | (1 << CALL_REFRESH) | (1 << CALL_TOKEN))
#define EXCHANGES ((1 << CALL_EXCHANGE) | (1 << CALL_EXCHANGE_SECRET_IN_BODY) | (1 << CALL_TOKEN))
#define OAUTH_CALLS (TOKEN_CALLS | (1 << CALL_DEAUTHORIZE))
#define API_CALLS ((1 << CALL_API_POST) | (1 << CALL_API_GET))

typedef struct argument_row {
    const char *name;
    void (*change)(stripe_connect_client *c, call_input *in);
    int calls;                           /* bit i: call kind i */
    stripe_connect_result want;
} argument_row;

static const argument_row argument_rows[] = {
    { "the secret key with CR LF", secret_key_with_crlf, OAUTH_CALLS | (1 << CALL_API_GET),
      STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "the secret key with DEL", secret_key_with_del, OAUTH_CALLS | (1 << CALL_API_GET),
      STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "stripe_version with LF", stripe_version_with_lf, ALL_CALLS, STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "connect_base with a space", connect_base_with_space, OAUTH_CALLS, STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "api_base with a space", api_base_with_space, API_CALLS, STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "no transport", no_transport, ALL_CALLS, STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "work_size 0", work_size_0, ALL_CALLS, STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "an empty code", empty_code, EXCHANGES, STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "no code", no_code, EXCHANGES, STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "no refresh token", no_refresh_token, 1 << CALL_REFRESH, STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "no account", no_account, 1 << CALL_DEAUTHORIZE, STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "no client_id", no_client_id, 1 << CALL_DEAUTHORIZE, STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "a NULL token", token_null, TOKEN_CALLS, STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "an access token with CR LF", access_token_with_crlf, 1 << CALL_API_POST, STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "a path with '#' and a token after it", path_with_hash, API_CALLS, STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "out NULL", out_null, API_CALLS, STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "out with cap 0", out_cap_0, API_CALLS, STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "a random callback that fails (no idempotency key)", random_fails_now, 1 << CALL_API_POST,
      STRIPE_CONNECT_ERR_RANDOM },
    { "no random callback (no idempotency key)", no_random, 1 << CALL_API_POST, STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
};

static void run_argument_rows(void)
{
    size_t i;
    int kind;
    char name[256];
    for (i = 0; i < sizeof argument_rows / sizeof argument_rows[0]; i++) {
        const argument_row *row = &argument_rows[i];
        for (kind = 0; kind < CALL_KIND_COUNT; kind++) {
            stripe_connect_client c;
            call_input in = default_input();
            outcome o;
            if (!(row->calls & (1 << kind))) continue;
            snprintf(name, sizeof name, "hygiene: %s, %s: refused, nothing sent, nothing left behind",
                     call_names[kind], row->name);
            test_begin(name);
            client_setup(&c, WORK_SIZE);
            mock_answer(200, good_answer(family_of((call_kind)kind)));
            row->change(&c, &in);
            make_call(&c, (call_kind)kind, &in, &o);
            CHECK_RESULT(o.result, row->want);
            CHECK_INT(mock.calls, 0);
            check_hygiene(&c, (call_kind)kind, &in, &o, NULL);
            test_end();
        }
    }
}

/* ---- Every scratch size, every out size --------------------------------------------------------------- */

/* From work_size 1 up to one that is enough: too small for the request (nothing sent), then
   (OAuth calls) too small for the answer, then OK; after each, the same rules. */
static void run_work_size_sweeps(void)
{
    int kind;
    char name[256];
    for (kind = 0; kind < CALL_KIND_COUNT; kind++) {
        family f = family_of((call_kind)kind);
        size_t size;
        int seen_too_small = 0, seen_too_large = 0, seen_ok = 0;
        snprintf(name, sizeof name, "hygiene: %s with every work_size from 1 until it is enough: "
                 "the scratch wiped, no secret left behind at any size", call_names[kind]);
        test_begin(name);
        for (size = 1; size <= WORK_SIZE; size++) {
            stripe_connect_client c;
            call_input in = default_input();
            outcome o;
            int dirty;
            client_setup(&c, size);
            mock_answer(200, good_answer(f));
            make_call(&c, (call_kind)kind, &in, &o);
            if (o.result == STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL) seen_too_small = 1;
            else if (o.result == STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE) seen_too_large = 1;
            else if (o.result == STRIPE_CONNECT_OK) seen_ok = 1;
            else { CHECK_RESULT(o.result, STRIPE_CONNECT_OK); break; }
            if (o.result == STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL) CHECK_INT(mock.calls, 0);
            dirty = !all_zero(arena, size, NULL);
            check_hygiene(&c, (call_kind)kind, &in, &o, NULL);
            if (dirty || seen_ok) break;   /* one report is enough; OK ends the sweep */
        }
        CHECK(seen_too_small);
        CHECK(seen_ok);
        if (f != FAMILY_API) CHECK(seen_too_large);   /* the answer goes to the rest of work */
        test_end();
    }
}

/* api_request's out: every cap from 1 to the body's length is ERR_RESPONSE_TOO_LARGE after the
   transport wrote what fitted: all of out wiped. */
static void hygiene_api_out_of_every_size_too_small_is_wiped(void)
{
    size_t cap, len = strlen(API_ANSWER);
    for (cap = 1; cap <= len + 1; cap++) {
        stripe_connect_client c;
        call_input in = default_input();
        outcome o;
        client_setup(&c, WORK_SIZE);
        mock_answer(200, API_ANSWER);
        in.out_cap = cap;
        make_call(&c, CALL_API_GET, &in, &o);
        CHECK_RESULT(o.result, cap <= len ? STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE : STRIPE_CONNECT_OK);
        if (cap <= len) CHECK_INT(o.out_len, 0);
        check_hygiene(&c, CALL_API_GET, &in, &o, NULL);
        if (o.result == STRIPE_CONNECT_OK) CHECK_STR(out_arena, API_ANSWER);
    }
}

/* ---- The sans-I/O builders ---------------------------------------------------------------------------- */

static stripe_connect_result build(const stripe_connect_client *c, int deauthorize, char *buf, size_t cap,
                                   size_t *used, stripe_connect_prepared_request *out)
{
    stripe_connect_token_params p;
    if (deauthorize) return stripe_connect_deauthorize_request_build(c, ACCOUNT, buf, cap, used, out);
    memset(&p, 0, sizeof p);
    p.grant_type = "authorization_code";
    p.code = CODE;
    p.assert_capabilities = capabilities;
    p.assert_capabilities_count = 2;
    return stripe_connect_token_request_build(c, &p, buf, cap, used, out);
}

static void check_prepared_zero(const stripe_connect_prepared_request *p)
{
    CHECK_ZERO("the prepared request after an error", p, sizeof *p);
}

static void hygiene_builders_wipe_a_buffer_too_small_at_every_size(void)
{
    static char buf[1024 + GUARD];
    int which, secret_in_body;
    for (which = 0; which < 2; which++) {
        for (secret_in_body = 0; secret_in_body < 2; secret_in_body++) {
            stripe_connect_client c;
            stripe_connect_prepared_request prepared;
            size_t needed = 0, cap, used, i;
            client_setup(&c, WORK_SIZE);
            c.secret_in_body = secret_in_body;
            CHECK_RESULT(build(&c, which, buf, sizeof buf - GUARD, &needed, &prepared), STRIPE_CONNECT_OK);
            CHECK(test_mem_contains(buf, needed, SECRET_KEY, strlen(SECRET_KEY)));
            stripe_connect_wipe(buf, sizeof buf);
            for (cap = 0; cap < needed; cap++) {
                memset(buf, FILL, sizeof buf);
                memset(&prepared, 0xAA, sizeof prepared);
                used = 99999;
                CHECK_RESULT(build(&c, which, buf, cap, &used, &prepared), STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL);
                CHECK_INT(used, needed);
                CHECK_ZERO("the builder's buffer, too small", buf, cap);
                for (i = cap; i < cap + GUARD; i++) {
                    if (buf[i] != FILL) { test_fail(__FILE__, __LINE__, "a byte at or past cap was written"); break; }
                }
                check_prepared_zero(&prepared);
                if (!all_zero(buf, cap, NULL)) break;
            }
        }
    }
}

static void hygiene_builders_refusing_arguments_write_nothing(void)
{
    static char buf[512];
    int which;
    for (which = 0; which < 2; which++) {
        stripe_connect_client c;
        stripe_connect_prepared_request prepared;
        size_t used = 99999;
        client_setup(&c, WORK_SIZE);
        c.secret_key = SECRET_KEY "\r\n";
        memset(buf, FILL, sizeof buf);
        memset(&prepared, 0xAA, sizeof prepared);
        CHECK_RESULT(build(&c, which, buf, sizeof buf, &used, &prepared), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
        CHECK_INT(used, 0);
        {
            size_t i;
            for (i = 0; i < sizeof buf; i++) {
                if (buf[i] != FILL) { test_fail(__FILE__, __LINE__, "the refused builder wrote into buf"); break; }
            }
        }
        check_prepared_zero(&prepared);
    }
}

/* ---- parse_token_response ------------------------------------------------------------------------------ */

typedef struct parse_row {
    const char *name;
    int status;
    const char *body;
    stripe_connect_result want;
} parse_row;

static const parse_row parse_rows[] = {
    { "JSON that never closes", 200, TOKENS_NEVER_CLOSED, STRIPE_CONNECT_ERR_MALFORMED_JSON },
    { "a livemode of the wrong type", 200, TOKENS_WRONG_SHAPE, STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE },
    { "an access token too long for its field", 200, TOKEN_TOO_LONG, STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE },
    { "an OAuth error next to the tokens", 200, TOKENS_AND_OAUTH_ERROR, STRIPE_CONNECT_ERR_OAUTH },
    { "an API error next to the tokens", 400, TOKENS_AND_API_ERROR, STRIPE_CONNECT_ERR_API },
    { "the tokens with status 500", 500, TOKEN_ANSWER, STRIPE_CONNECT_ERR_HTTP_STATUS },
    { "the tokens twice", 200, "{\"access_token\":\"" NEW_ACCESS "\",\"access_token\":\"" NEW_ACCESS "\","
      "\"stripe_user_id\":\"acct_1\"}", STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE },
    { "the tokens without stripe_user_id", 200, "{\"access_token\":\"" NEW_ACCESS "\",\"refresh_token\":\""
      NEW_REFRESH "\"}", STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE },
    { "the tokens then trailing garbage", 200, TOKEN_ANSWER "x", STRIPE_CONNECT_ERR_MALFORMED_JSON },
};

static void run_parse_rows(void)
{
    size_t i;
    char name[256];
    for (i = 0; i < sizeof parse_rows / sizeof parse_rows[0]; i++) {
        const parse_row *row = &parse_rows[i];
        stripe_connect_token token;
        stripe_connect_error err;
        snprintf(name, sizeof name, "hygiene: parse_token_response, %s: token zero, no token in err", row->name);
        test_begin(name);
        memset(&token, 0xAA, sizeof token);
        memset(&err, 0xAA, sizeof err);
        CHECK_RESULT(stripe_connect_parse_token_response(row->status, row->body, strlen(row->body), &token, &err),
                     row->want);
        CHECK_ZERO("the token", &token, sizeof token);
        CHECK_NO_SECRET("the error struct", &err, sizeof err, NULL);
        test_end();
    }
}

/* ---- parse_redirect --------------------------------------------------------------------------------------- */

#define LONG_CODE "code=" CODE CODE CODE CODE CODE CODE CODE CODE CODE CODE CODE CODE CODE CODE

typedef struct redirect_row {
    const char *name;
    const char *url;
    const char *expected_state;
    stripe_connect_result want;
} redirect_row;

static const redirect_row redirect_rows[] = {
    { "a state mismatch", "https://p.example/cb?code=" CODE "&state=other", "s", STRIPE_CONNECT_ERR_STATE_MISMATCH },
    { "a missing state", "https://p.example/cb?code=" CODE, "s", STRIPE_CONNECT_ERR_STATE_MISMATCH },
    { "a repeated code", "code=" CODE "&code=ac_2", NULL, STRIPE_CONNECT_ERR_MALFORMED_REDIRECT },
    { "the code then a repeated state", "code=" CODE "&state=s&state=s", "s", STRIPE_CONNECT_ERR_MALFORMED_REDIRECT },
    { "the code and an error", "code=" CODE "&error=access_denied", NULL, STRIPE_CONNECT_ERR_MALFORMED_REDIRECT },
    { "the code then bad percent-encoding", "code=" CODE "&x=%zz", NULL, STRIPE_CONNECT_ERR_MALFORMED_REDIRECT },
    { "the code with a decoded NUL", "code=" CODE "%00", NULL, STRIPE_CONNECT_ERR_MALFORMED_REDIRECT },
    { "a code too long for its field", LONG_CODE, NULL, STRIPE_CONNECT_ERR_MALFORMED_REDIRECT },
    { "the code, then a state mismatch in an error redirect's order", "state=t&code=" CODE, "s",
      STRIPE_CONNECT_ERR_STATE_MISMATCH },
    { "an error with the code in an ignored parameter", "error=access_denied&other=" CODE, NULL,
      STRIPE_CONNECT_ERR_OAUTH },
    { "an error with the code in a parameter without '='", "error=access_denied&" CODE, NULL,
      STRIPE_CONNECT_ERR_OAUTH },
};

static void run_redirect_rows(void)
{
    size_t i;
    char name[256];
    for (i = 0; i < sizeof redirect_rows / sizeof redirect_rows[0]; i++) {
        const redirect_row *row = &redirect_rows[i];
        stripe_connect_redirect out;
        snprintf(name, sizeof name, "hygiene: parse_redirect, %s: the code is nowhere in out", row->name);
        test_begin(name);
        memset(&out, 0xAA, sizeof out);
        CHECK_RESULT(stripe_connect_parse_redirect(row->url, strlen(row->url), row->expected_state, &out), row->want);
        if (row->want != STRIPE_CONNECT_ERR_OAUTH) CHECK_ZERO("out", &out, sizeof out);
        else CHECK_FIELD(out.code, "");
        CHECK_NO_SECRET("out", &out, sizeof out, NULL);
        test_end();
    }
}

/* ---- Text outputs that held a secret before the call failed ------------------------------------------------ */

typedef enum text_call { TEXT_JSON_GET_STRING, TEXT_PERCENT_DECODE, TEXT_PERCENT_ENCODE, TEXT_FORM } text_call;

typedef struct text_row {
    const char *name;
    text_call call;
    const char *input;
    size_t cap;
    stripe_connect_result want;
} text_row;

static const text_row text_rows[] = {
    { "json_get_string of a token in a document found malformed after it", TEXT_JSON_GET_STRING,
      "{\"access_token\":\"" NEW_ACCESS "\",\"livemode\":tru}", 256, STRIPE_CONNECT_ERR_MALFORMED_JSON },
    { "json_get_string of a token holding \\u0000", TEXT_JSON_GET_STRING,
      "{\"access_token\":\"" NEW_ACCESS "\\u0000" NEW_ACCESS "\"}", 256, STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE },
    { "json_get_string of a token into a buffer one byte short", TEXT_JSON_GET_STRING,
      "{\"access_token\":\"" NEW_ACCESS "\"}", sizeof NEW_ACCESS - 1, STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL },
    { "percent_decode of a code with a bad escape after it", TEXT_PERCENT_DECODE, CODE "%zz", 256,
      STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "percent_decode of a code into a buffer one byte short", TEXT_PERCENT_DECODE, CODE, sizeof CODE - 1,
      STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL },
    { "percent_encode of the secret key into a buffer one byte short", TEXT_PERCENT_ENCODE, SECRET_KEY,
      sizeof SECRET_KEY - 1, STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL },
    { "a form with the secret key, then a NULL value", TEXT_FORM, SECRET_KEY, 256, STRIPE_CONNECT_ERR_INVALID_ARGUMENT },
    { "a form with the secret key, one byte short", TEXT_FORM, SECRET_KEY, sizeof "client_secret=" SECRET_KEY - 1,
      STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL },
};

static stripe_connect_result text_call_run(const text_row *row, char *out, size_t *out_len)
{
    stripe_connect_form f;
    switch (row->call) {
    case TEXT_JSON_GET_STRING:
        return stripe_connect_json_get_string(row->input, strlen(row->input), "access_token", out, row->cap, out_len);
    case TEXT_PERCENT_DECODE:
        return stripe_connect_percent_decode(row->input, strlen(row->input), out, row->cap, out_len);
    case TEXT_PERCENT_ENCODE:
        return stripe_connect_percent_encode(row->input, strlen(row->input), out, row->cap, out_len);
    case TEXT_FORM:
        stripe_connect_form_init(&f, out, row->cap);
        stripe_connect_form_add(&f, "client_secret", row->input);
        if (row->want == STRIPE_CONNECT_ERR_INVALID_ARGUMENT) stripe_connect_form_add(&f, "scope", NULL);
        return stripe_connect_form_finish(&f, out_len);
    }
    return STRIPE_CONNECT_RESULT_SENTINEL;
}

static void run_text_rows(void)
{
    static char out[256 + GUARD];
    size_t i, j, out_len;
    char name[256];
    for (i = 0; i < sizeof text_rows / sizeof text_rows[0]; i++) {
        const text_row *row = &text_rows[i];
        snprintf(name, sizeof name, "hygiene: %s: out all zero over its cap", row->name);
        test_begin(name);
        memset(out, FILL, sizeof out);
        CHECK_RESULT(text_call_run(row, out, &out_len), row->want);
        CHECK_ZERO("out", out, row->cap);
        for (j = row->cap; j < row->cap + GUARD; j++) {
            if (out[j] != FILL) { test_fail(__FILE__, __LINE__, "a byte at or past cap was written"); break; }
        }
        test_end();
    }
}

/* ---- state_generate ----------------------------------------------------------------------------------------- */

/* A random callback that fails after writing: no drawn byte (0xFF is "_" in base64url) in out. */
static void hygiene_state_generate_failing_leaves_out_empty(void)
{
    stripe_connect_client c;
    char out[64];
    size_t out_len = 99999;
    client_setup(&c, WORK_SIZE);
    random_fails = 1;
    memset(out, 'x', sizeof out);
    CHECK_RESULT(stripe_connect_state_generate(&c, out, sizeof out, &out_len), STRIPE_CONNECT_ERR_RANDOM);
    CHECK_INT(random_calls, 1);
    CHECK_INT(out_len, 0);
    CHECK_STR(out, "");
    CHECK(!test_mem_contains(out, sizeof out, "_", 1));
}

/* Too small at every size: the callback is never asked, out "" and nothing past cap written. */
static void hygiene_state_generate_too_small_draws_nothing(void)
{
    stripe_connect_client c;
    char out[64];
    size_t cap, out_len;
    for (cap = 0; cap <= 43; cap++) {
        client_setup(&c, WORK_SIZE);
        memset(out, 'x', sizeof out);
        CHECK_RESULT(stripe_connect_state_generate(&c, out, cap, &out_len), STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL);
        CHECK_INT(random_calls, 0);
        if (cap > 0) CHECK_INT(out[0], '\0');
        CHECK(!test_mem_contains(out, sizeof out, "_", 1));
    }
    client_setup(&c, WORK_SIZE);
    CHECK_RESULT(stripe_connect_state_generate(&c, out, 44, &out_len), STRIPE_CONNECT_OK);
    CHECK_INT(random_calls, 1);
    CHECK_STR(out, "__________________________________________8");   /* 32 bytes 0xFF */
}

void suite_hygiene(void)
{
    RUN(hygiene_the_secrets_are_told_apart);
    run_scenarios();
    RUN(hygiene_api_retries_end_with_the_scratch_wiped);
    run_argument_rows();
    run_work_size_sweeps();
    RUN(hygiene_api_out_of_every_size_too_small_is_wiped);
    RUN(hygiene_builders_wipe_a_buffer_too_small_at_every_size);
    RUN(hygiene_builders_refusing_arguments_write_nothing);
    run_parse_rows();
    run_redirect_rows();
    run_text_rows();
    RUN(hygiene_state_generate_failing_leaves_out_empty);
    RUN(hygiene_state_generate_too_small_draws_nothing);
}
