/* test_client.c - the calls that talk to Stripe, through a mock transport.

   The mock records every request it is handed (method, URL, each header in
   order, body bytes, timeout) into its own storage, and answers with a
   scripted status, body, Request-Id and Stripe-Should-Retry, or with a
   scripted failure. The tables below state the exact request of each call
   (DESIGN.md "Requests"), what each answer turns into, and which arguments
   are refused before anything is sent. After every call, success or error,
   every byte of the client's scratch buffer must be zero and no secret may
   be found in it; the bytes after work_size must be untouched. */
#include "../../stripe_connect.h"
#include "suites.h"
#include "test.h"
#include "checks.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- What the client sends and what Stripe answers ------------------------------------------- */

#define CLIENT_ID       "ca_1"
#define SECRET_KEY      "sk_test_x"
#define ACCESS_TOKEN    "sk_test_connected_Hq8vLm3Zp0"
#define REFRESH_TOKEN   "rt_connected_Kd72NcWeRtUa"
#define PUBLISHABLE_KEY "pk_test_connected_TYooMQau"
#define ACCOUNT         "acct_1"

#define TOKEN_ANSWER \
    "{\"access_token\":\"" ACCESS_TOKEN "\",\"livemode\":false,\"refresh_token\":\"" REFRESH_TOKEN "\"," \
    "\"token_type\":\"bearer\",\"stripe_publishable_key\":\"" PUBLISHABLE_KEY "\"," \
    "\"stripe_user_id\":\"" ACCOUNT "\",\"scope\":\"read_write\"}"
#define DEAUTHORIZE_ANSWER "{\"stripe_user_id\":\"" ACCOUNT "\"}"

#define AUTHORIZATION "Authorization: Bearer " SECRET_KEY
#define CONTENT_TYPE  "Content-Type: application/x-www-form-urlencoded"
#define USER_AGENT    "User-Agent: stripe-connect-c/0.1.0"
#define TOKEN_URL       "https://connect.stripe.com/oauth/token"
#define DEAUTHORIZE_URL "https://connect.stripe.com/oauth/deauthorize"

/* ---- The mock transport ---------------------------------------------------------------------- */

#define RECORDED_HEADERS_MAX 16

typedef struct recorded_request {
    char method[16];
    char url[1024];
    size_t header_count;
    char headers[RECORDED_HEADERS_MAX][1024];   /* "Name: value" */
    char body[4096];
    size_t body_len;
    unsigned long timeout_ms;
    int too_big;                                /* something did not fit the fields above */
} recorded_request;

typedef struct mock_script {
    int respond;                       /* 1: write status, body, request id */
    stripe_connect_result result;      /* what perform returns */
    int status;
    const char *body;
    int body_len_over_cap;             /* 1: claim body_len = body_cap + 1 (a lying transport) */
    const char *request_id;            /* NULL: leave res->request_id as the library gave it */
    int request_id_fills_all;          /* 1: 64 bytes of 'r' and no NUL */
    int should_retry;
} mock_script;

typedef struct mock_transport {
    mock_script script;
    /* what perform saw */
    int calls;
    recorded_request request;
    const char *work;                  /* the client's scratch, to locate the buffers */
    size_t work_size;
    int request_in_work;               /* url and body lie in work, before the response buffer */
    int response_is_rest_of_work;      /* res->body inside work, body_cap reaches its end */
} mock_transport;

static int inside(const char *p, size_t n, const char *start, const char *end)
{
    uintptr_t a = (uintptr_t)p, s = (uintptr_t)start, e = (uintptr_t)end;
    return a >= s && a <= e && n <= e - a;
}

static void record_request(recorded_request *r, const stripe_connect_http_request *req)
{
    size_t i;
    memset(r, 0, sizeof *r);
    if (req->method == NULL || strlen(req->method) >= sizeof r->method) r->too_big = 1;
    else strcpy(r->method, req->method);
    if (req->url == NULL || strlen(req->url) >= sizeof r->url) r->too_big = 1;
    else strcpy(r->url, req->url);
    r->header_count = req->header_count;
    if (req->header_count > RECORDED_HEADERS_MAX) { r->too_big = 1; r->header_count = 0; }
    for (i = 0; i < r->header_count; i++) {
        const stripe_connect_header *h = &req->headers[i];
        if (h->name == NULL || h->value == NULL ||
            strlen(h->name) + 2 + strlen(h->value) >= sizeof r->headers[i]) {
            r->too_big = 1;
            continue;
        }
        sprintf(r->headers[i], "%s: %s", h->name, h->value);
    }
    r->body_len = req->body_len;
    if (req->body_len > sizeof r->body || (req->body == NULL && req->body_len > 0)) {
        r->too_big = 1;
        r->body_len = 0;
    } else if (req->body_len > 0) {
        memcpy(r->body, req->body, req->body_len);
    }
    r->timeout_ms = req->timeout_ms;
}

static stripe_connect_result mock_perform(void *user, const stripe_connect_http_request *req,
                                          stripe_connect_http_response *res)
{
    mock_transport *m = (mock_transport *)user;
    const mock_script *s = &m->script;
    const char *work_end = m->work + m->work_size;
    size_t answer_len = s->body != NULL ? strlen(s->body) : 0;

    m->calls++;
    record_request(&m->request, req);
    m->response_is_rest_of_work = res->body != NULL && inside(res->body, res->body_cap, m->work, work_end) &&
                                  res->body + res->body_cap == work_end;
    m->request_in_work = res->body != NULL && req->url != NULL &&
                         inside(req->url, strlen(req->url) + 1, m->work, res->body) &&
                         (req->body_len == 0 || inside(req->body, req->body_len, m->work, res->body));

    if (!s->respond) return s->result;
    res->status = s->status;
    res->should_retry = s->should_retry;
    if (s->request_id_fills_all) memset(res->request_id, 'r', sizeof res->request_id);
    else if (s->request_id != NULL) strcpy(res->request_id, s->request_id);
    if (s->body_len_over_cap) {
        res->body_len = res->body_cap + 1;
        return s->result;
    }
    if (answer_len > res->body_cap) return STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE;
    memcpy(res->body, s->body, answer_len);
    res->body_len = answer_len;
    /* a byte after the body that is not JSON: the library must stop at body_len */
    if (answer_len < res->body_cap) res->body[answer_len] = 'x';
    return s->result;
}

/* ---- The client ------------------------------------------------------------------------------ */

#define WORK_SIZE 8192
#define GUARD_SIZE 64
#define FILL 0x5A

/* work_size bytes of scratch, then guard bytes that must never change. */
static char arena[WORK_SIZE + GUARD_SIZE];

/* A mock answering 200 with the given body. */
static void mock_init(mock_transport *m, const char *answer)
{
    memset(m, 0, sizeof *m);
    m->script.respond = 1;
    m->script.result = STRIPE_CONNECT_OK;
    m->script.status = 200;
    m->script.body = answer;
    m->script.should_retry = -1;
}

/* A client with a good configuration, talking to m; its scratch filled with FILL. */
static void client_init(stripe_connect_client *c, mock_transport *m)
{
    memset(arena, FILL, sizeof arena);
    stripe_connect_client_init(c, arena, WORK_SIZE);
    c->client_id = CLIENT_ID;
    c->secret_key = SECRET_KEY;
    c->transport.perform = mock_perform;
    c->transport.user = m;
    m->work = arena;
    m->work_size = WORK_SIZE;
}

typedef enum call_kind { CALL_EXCHANGE, CALL_REFRESH, CALL_TOKEN, CALL_DEAUTHORIZE } call_kind;

typedef struct call {
    call_kind kind;
    const char *code;              /* exchange; token call */
    const char *refresh_token;     /* refresh; token call */
    const char *scope;             /* refresh; token call */
    const char *grant_type;        /* token call */
    const char *const *capabilities; size_t capabilities_count;   /* token call */
    const char *stripe_user_id;    /* deauthorize */
    int params_null;               /* token call with p == NULL */
} call;

static stripe_connect_token_params params_of(const call *k)
{
    stripe_connect_token_params p;
    memset(&p, 0, sizeof p);
    if (k->kind == CALL_EXCHANGE) {
        p.grant_type = "authorization_code";
        p.code = k->code;
    } else if (k->kind == CALL_REFRESH) {
        p.grant_type = "refresh_token";
        p.refresh_token = k->refresh_token;
        p.scope = k->scope;
    } else {
        p.grant_type = k->grant_type;
        p.code = k->code;
        p.refresh_token = k->refresh_token;
        p.scope = k->scope;
        p.assert_capabilities = k->capabilities;
        p.assert_capabilities_count = k->capabilities_count;
    }
    return p;
}

static stripe_connect_result make_call(stripe_connect_client *c, const call *k, stripe_connect_token *out,
                                       stripe_connect_error *err)
{
    stripe_connect_token_params p = params_of(k);
    switch (k->kind) {
    case CALL_EXCHANGE:    return stripe_connect_exchange_code(c, k->code, out, err);
    case CALL_REFRESH:     return stripe_connect_refresh(c, k->refresh_token, k->scope, out, err);
    case CALL_TOKEN:       return stripe_connect_token_call(c, k->params_null ? NULL : &p, out, err);
    case CALL_DEAUTHORIZE: return stripe_connect_deauthorize(c, k->stripe_user_id, err);
    }
    return STRIPE_CONNECT_RESULT_SENTINEL;
}

static stripe_connect_result build_call(const stripe_connect_client *c, const call *k, char *buf, size_t cap,
                                        size_t *out_len, stripe_connect_prepared_request *out)
{
    stripe_connect_token_params p = params_of(k);
    if (k->kind == CALL_DEAUTHORIZE)
        return stripe_connect_deauthorize_request_build(c, k->stripe_user_id, buf, cap, out_len, out);
    return stripe_connect_token_request_build(c, &p, buf, cap, out_len, out);
}

/* ---- Checks after every call ----------------------------------------------------------------- */

static void check_token_zeroed(const stripe_connect_token *token)
{
    static const stripe_connect_token zero;
    CHECK_MEM(token, sizeof *token, &zero, sizeof zero);
}

static const char *or_empty(const char *s) { return s != NULL ? s : ""; }

static void check_not_in(const char *what, const char *where, size_t where_len, const char *secret)
{
    char message[256];
    if (secret == NULL || secret[0] == '\0') return;
    if (test_mem_contains(where, where_len, secret, strlen(secret))) {
        snprintf(message, sizeof message, "\"%s\" found in %s", secret, what);
        test_fail(__FILE__, __LINE__, message);
    }
}

/* THE WIPE: every byte of work zero, no secret in it, nothing written after it. */
static void check_wiped(const stripe_connect_client *c, const call *k)
{
    size_t i, guard;
    char message[128];
    if (c->work == arena) {
        for (i = 0; i < c->work_size; i++) {
            if (c->work[i] != 0) {
                snprintf(message, sizeof message, "work[%lu] is 0x%02X after the call, want every byte 0",
                         (unsigned long)i, (unsigned)(unsigned char)c->work[i]);
                test_fail(__FILE__, __LINE__, message);
                break;
            }
        }
        for (guard = c->work_size; guard < sizeof arena; guard++) {
            if (arena[guard] != FILL) {
                snprintf(message, sizeof message, "byte %lu after work_size was written", (unsigned long)guard);
                test_fail(__FILE__, __LINE__, message);
                break;
            }
        }
    }
    check_not_in("work", arena, sizeof arena, SECRET_KEY);
    check_not_in("work", arena, sizeof arena, ACCESS_TOKEN);
    check_not_in("work", arena, sizeof arena, REFRESH_TOKEN);
    check_not_in("work", arena, sizeof arena, k->code);
    check_not_in("work", arena, sizeof arena, k->refresh_token);
}

/* What the transport was handed, compared with what the row says. */
typedef struct expected_request {
    const char *method, *url;
    const char *headers[RECORDED_HEADERS_MAX];   /* "Name: value" in order; NULL ends */
    const char *body;
    unsigned long timeout_ms;
} expected_request;

static void check_request(const recorded_request *got, const expected_request *want)
{
    size_t i, want_count = 0;
    CHECK(!got->too_big);
    CHECK_STR(got->method, want->method);
    CHECK_STR(got->url, want->url);
    while (want_count < RECORDED_HEADERS_MAX && want->headers[want_count] != NULL) want_count++;
    CHECK_INT(got->header_count, want_count);
    for (i = 0; i < got->header_count && i < want_count; i++) CHECK_STR(got->headers[i], want->headers[i]);
    CHECK_MEM(got->body, got->body_len, want->body, strlen(want->body));
    CHECK_INT(got->timeout_ms, want->timeout_ms);
    /* the secret never travels in a URL */
    check_not_in("the URL", got->url, strlen(got->url), SECRET_KEY);
}

static void check_same_request(const recorded_request *built, const recorded_request *sent)
{
    size_t i;
    CHECK(!built->too_big);
    CHECK_STR(built->method, sent->method);
    CHECK_STR(built->url, sent->url);
    CHECK_INT(built->header_count, sent->header_count);
    for (i = 0; i < built->header_count && i < sent->header_count; i++)
        CHECK_STR(built->headers[i], sent->headers[i]);
    CHECK_MEM(built->body, built->body_len, sent->body, sent->body_len);
    CHECK_INT(built->timeout_ms, sent->timeout_ms);
}

/* ---- Requests: exactly what is sent ---------------------------------------------------------- */

typedef struct client_options {
    int secret_in_body;
    const char *stripe_version;
    const char *connect_base;
    unsigned long timeout_ms;
} client_options;

typedef struct request_case {
    const char *name;
    client_options client;
    call call;
    expected_request want;
} request_case;

static const char *const card_payments_and_transfers[] = { "card_payments", "transfers" };

static const request_case request_cases[] = {
    { "exchange_code: POST /oauth/token, the key in Authorization, the code in the body",
      .call = { CALL_EXCHANGE, .code = "ac_1" },
      .want = { "POST", TOKEN_URL, { AUTHORIZATION, CONTENT_TYPE, USER_AGENT },
                "grant_type=authorization_code&code=ac_1", 80000 } },
    { "exchange_code percent-encodes the code",
      .call = { CALL_EXCHANGE, .code = "ac 1+/&=~\xC3\xA9" },
      .want = { "POST", TOKEN_URL, { AUTHORIZATION, CONTENT_TYPE, USER_AGENT },
                "grant_type=authorization_code&code=ac%201%2B%2F%26%3D~%C3%A9", 80000 } },
    { "Stripe-Version is the last header, sent only when set",
      .client = { .stripe_version = "2024-06-20" },
      .call = { CALL_EXCHANGE, .code = "ac_1" },
      .want = { "POST", TOKEN_URL, { AUTHORIZATION, CONTENT_TYPE, USER_AGENT, "Stripe-Version: 2024-06-20" },
                "grant_type=authorization_code&code=ac_1", 80000 } },
    { "the client's timeout_ms is handed to the transport",
      .client = { .timeout_ms = 5000 },
      .call = { CALL_EXCHANGE, .code = "ac_1" },
      .want = { "POST", TOKEN_URL, { AUTHORIZATION, CONTENT_TYPE, USER_AGENT },
                "grant_type=authorization_code&code=ac_1", 5000 } },
    { "connect_base replaces https://connect.stripe.com",
      .client = { .connect_base = "http://127.0.0.1:12111" },
      .call = { CALL_EXCHANGE, .code = "ac_1" },
      .want = { "POST", "http://127.0.0.1:12111/oauth/token", { AUTHORIZATION, CONTENT_TYPE, USER_AGENT },
                "grant_type=authorization_code&code=ac_1", 80000 } },
    { "one trailing slash of connect_base is dropped",
      .client = { .connect_base = "http://127.0.0.1:12111/" },
      .call = { CALL_EXCHANGE, .code = "ac_1" },
      .want = { "POST", "http://127.0.0.1:12111/oauth/token", { AUTHORIZATION, CONTENT_TYPE, USER_AGENT },
                "grant_type=authorization_code&code=ac_1", 80000 } },
    { "secret_in_body: no Authorization header, client_secret last in the body",
      .client = { .secret_in_body = 1 },
      .call = { CALL_EXCHANGE, .code = "ac_1" },
      .want = { "POST", TOKEN_URL, { CONTENT_TYPE, USER_AGENT },
                "grant_type=authorization_code&code=ac_1&client_secret=" SECRET_KEY, 80000 } },
    { "every client option at once",
      .client = { .stripe_version = "2020-08-27", .connect_base = "https://connect.example.test/",
                  .timeout_ms = 1 },
      .call = { CALL_EXCHANGE, .code = "ac_1" },
      .want = { "POST", "https://connect.example.test/oauth/token",
                { AUTHORIZATION, CONTENT_TYPE, USER_AGENT, "Stripe-Version: 2020-08-27" },
                "grant_type=authorization_code&code=ac_1", 1 } },
    { "refresh without scope",
      .call = { CALL_REFRESH, .refresh_token = "rt_1" },
      .want = { "POST", TOKEN_URL, { AUTHORIZATION, CONTENT_TYPE, USER_AGENT },
                "grant_type=refresh_token&refresh_token=rt_1", 80000 } },
    { "refresh with scope",
      .call = { CALL_REFRESH, .refresh_token = "rt_1", .scope = "read_only" },
      .want = { "POST", TOKEN_URL, { AUTHORIZATION, CONTENT_TYPE, USER_AGENT },
                "grant_type=refresh_token&refresh_token=rt_1&scope=read_only", 80000 } },
    { "refresh with secret_in_body: client_secret after the scope",
      .client = { .secret_in_body = 1 },
      .call = { CALL_REFRESH, .refresh_token = "rt_1", .scope = "read_only" },
      .want = { "POST", TOKEN_URL, { CONTENT_TYPE, USER_AGENT },
                "grant_type=refresh_token&refresh_token=rt_1&scope=read_only&client_secret=" SECRET_KEY,
                80000 } },
    { "token call: assert_capabilities[i] follow the code",
      .call = { CALL_TOKEN, .grant_type = "authorization_code", .code = "ac_1",
                .capabilities = card_payments_and_transfers, .capabilities_count = 2 },
      .want = { "POST", TOKEN_URL, { AUTHORIZATION, CONTENT_TYPE, USER_AGENT },
                "grant_type=authorization_code&code=ac_1"
                "&assert_capabilities[0]=card_payments&assert_capabilities[1]=transfers", 80000 } },
    { "token call: a refresh_token grant sends no code, even when one is given",
      .call = { CALL_TOKEN, .grant_type = "refresh_token", .refresh_token = "rt_1", .code = "ac_1" },
      .want = { "POST", TOKEN_URL, { AUTHORIZATION, CONTENT_TYPE, USER_AGENT },
                "grant_type=refresh_token&refresh_token=rt_1", 80000 } },
    { "token call: a refresh_token grant with scope",
      .call = { CALL_TOKEN, .grant_type = "refresh_token", .refresh_token = "rt_1", .scope = "read_write" },
      .want = { "POST", TOKEN_URL, { AUTHORIZATION, CONTENT_TYPE, USER_AGENT },
                "grant_type=refresh_token&refresh_token=rt_1&scope=read_write", 80000 } },
    { "deauthorize: POST /oauth/deauthorize with client_id and stripe_user_id",
      .call = { CALL_DEAUTHORIZE, .stripe_user_id = "acct_1" },
      .want = { "POST", DEAUTHORIZE_URL, { AUTHORIZATION, CONTENT_TYPE, USER_AGENT },
                "client_id=ca_1&stripe_user_id=acct_1", 80000 } },
    { "deauthorize keeps the key in Authorization when secret_in_body is set",
      .client = { .secret_in_body = 1 },
      .call = { CALL_DEAUTHORIZE, .stripe_user_id = "acct_1" },
      .want = { "POST", DEAUTHORIZE_URL, { AUTHORIZATION, CONTENT_TYPE, USER_AGENT },
                "client_id=ca_1&stripe_user_id=acct_1", 80000 } },
    { "deauthorize with connect_base, Stripe-Version and a timeout",
      .client = { .stripe_version = "2024-06-20", .connect_base = "http://localhost:12111/",
                  .timeout_ms = 250 },
      .call = { CALL_DEAUTHORIZE, .stripe_user_id = "acct_1" },
      .want = { "POST", "http://localhost:12111/oauth/deauthorize",
                { AUTHORIZATION, CONTENT_TYPE, USER_AGENT, "Stripe-Version: 2024-06-20" },
                "client_id=ca_1&stripe_user_id=acct_1", 250 } },
};

static void apply_options(stripe_connect_client *c, const client_options *o)
{
    c->secret_in_body = o->secret_in_body;
    c->stripe_version = o->stripe_version;
    c->connect_base = o->connect_base;
    c->timeout_ms = o->timeout_ms;
}

/* The sans-I/O builder gives the request the blocking call sent, refuses a
   buffer one byte short with the exact size, and leaves no secret in it. */
static void check_built_request(const stripe_connect_client *c, const call *k, const recorded_request *sent)
{
    static char buf[WORK_SIZE];
    char *exact;
    size_t used = 0, needed = 0, queried = 0;
    stripe_connect_prepared_request prepared;
    recorded_request built;

    memset(buf, FILL, sizeof buf);
    CHECK_RESULT(build_call(c, k, buf, sizeof buf, &used, &prepared), STRIPE_CONNECT_OK);
    record_request(&built, &prepared.http);
    check_same_request(&built, sent);
    CHECK(prepared.http.headers == prepared.headers);
    CHECK(inside(prepared.http.url, strlen(prepared.http.url) + 1, buf, buf + used));
    CHECK(inside(prepared.http.body, prepared.http.body_len, buf, buf + used));
    stripe_connect_wipe(buf, sizeof buf);
    if (used == 0) return;

    /* one byte short: the exact size needed, and no secret left behind */
    memset(buf, FILL, sizeof buf);
    CHECK_RESULT(build_call(c, k, buf, used - 1, &needed, &prepared), STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL);
    CHECK_INT(needed, used);
    check_not_in("the too-small buffer", buf, used - 1, SECRET_KEY);
    check_not_in("the too-small buffer", buf, used - 1, k->code);
    check_not_in("the too-small buffer", buf, used - 1, k->refresh_token);
    {
        size_t i;
        for (i = 0; i < used - 1; i++) if (buf[i] != 0) break;
        if (i < used - 1) test_fail(__FILE__, __LINE__, "the too-small buffer is not wiped");
    }

    /* a size query */
    CHECK_RESULT(build_call(c, k, NULL, 0, &queried, &prepared), STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL);
    CHECK_INT(queried, used);

    /* a buffer of exactly the size needed */
    exact = (char *)malloc(used);
    if (exact == NULL) return;
    CHECK_RESULT(build_call(c, k, exact, used, &needed, &prepared), STRIPE_CONNECT_OK);
    CHECK_INT(needed, used);
    record_request(&built, &prepared.http);
    check_same_request(&built, sent);
    stripe_connect_wipe(exact, used);
    free(exact);
}

static void run_request_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof request_cases / sizeof request_cases[0]; i++) {
        const request_case *row = &request_cases[i];
        stripe_connect_client c;
        mock_transport m;
        stripe_connect_token token;
        stripe_connect_error err;
        test_begin(row->name);
        mock_init(&m, row->call.kind == CALL_DEAUTHORIZE ? DEAUTHORIZE_ANSWER : TOKEN_ANSWER);
        client_init(&c, &m);
        apply_options(&c, &row->client);
        memset(&token, 0xAA, sizeof token);
        memset(&err, 0xAA, sizeof err);

        CHECK_RESULT(make_call(&c, &row->call, &token, &err), STRIPE_CONNECT_OK);
        CHECK_INT(m.calls, 1);
        check_request(&m.request, &row->want);
        CHECK(m.request_in_work);
        CHECK(m.response_is_rest_of_work);
        if (row->call.kind != CALL_DEAUTHORIZE) CHECK_FIELD(token.stripe_user_id, ACCOUNT);
        CHECK_INT(err.http_status, 200);
        check_wiped(&c, &row->call);
        check_built_request(&c, &row->call, &m.request);
        test_end();
    }
}

/* ---- Answers: what each one turns into ------------------------------------------------------- */

typedef struct answer_case {
    const char *name;
    call_kind kind;
    mock_script script;
    stripe_connect_result want;
    int http_status;                     /* ANY_STATUS: not checked */
    stripe_connect_oauth_error oauth_error;
    const char *code, *type, *message, *request_id;   /* NULL means "" */
} answer_case;

/* A transport that lied sent no trustworthy status: err->http_status is not checked. */
#define ANY_STATUS (-1)

/* Scripts: an HTTP answer; a failure the transport reports; a transport that lies. */
#define ANSWER(http_status, answer) { .respond = 1, .result = STRIPE_CONNECT_OK, .status = (http_status), \
                                      .body = (answer), .should_retry = -1 }
#define FAILURE(failure)            { .respond = 0, .result = (failure) }
#define LYING_RESULT(returned)      { .respond = 1, .result = (returned), .status = 200, .body = TOKEN_ANSWER, \
                                      .should_retry = -1 }
#define LYING_STATUS(http_status)   { .respond = 1, .result = STRIPE_CONNECT_OK, .status = (http_status), \
                                      .body = TOKEN_ANSWER, .should_retry = -1 }

#define INVALID_GRANT_ANSWER \
    "{\"error\":\"invalid_grant\",\"error_description\":\"This authorization code has already been used. " \
    "All tokens issued with this authorization code have been revoked.\"}"

static const answer_case answer_cases[] = {
    { "a 200 token answer is OK; the Request-Id is copied to err", CALL_EXCHANGE,
      { .respond = 1, .status = 200, .body = TOKEN_ANSWER, .request_id = "req_8RqVmKJ3xY", .should_retry = -1 },
      STRIPE_CONNECT_OK, 200, .request_id = "req_8RqVmKJ3xY" },
    { "a Request-Id of 64 bytes without a NUL comes out cut to 63 and terminated", CALL_EXCHANGE,
      { .respond = 1, .status = 200, .body = TOKEN_ANSWER, .request_id_fills_all = 1, .should_retry = -1 },
      STRIPE_CONNECT_OK, 200,
      .request_id = "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr" },
    { "an OAuth error answer is ERR_OAUTH with err filled", CALL_EXCHANGE,
      { .respond = 1, .status = 400, .body = INVALID_GRANT_ANSWER, .request_id = "req_1", .should_retry = 0 },
      STRIPE_CONNECT_ERR_OAUTH, 400, STRIPE_CONNECT_OAUTH_INVALID_GRANT, .code = "invalid_grant",
      .message = "This authorization code has already been used. "
                 "All tokens issued with this authorization code have been revoked.",
      .request_id = "req_1" },
    { "an API error answer is ERR_API with err filled", CALL_EXCHANGE,
      ANSWER(401, "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"Invalid API Key provided\"}}"),
      STRIPE_CONNECT_ERR_API, 401, STRIPE_CONNECT_OAUTH_NONE, .type = "invalid_request_error",
      .message = "Invalid API Key provided" },
    { "a 500 without a Stripe error is ERR_HTTP_STATUS, and the code is sent once", CALL_EXCHANGE,
      ANSWER(500, "<html>Internal Server Error</html>"),
      .want = STRIPE_CONNECT_ERR_HTTP_STATUS, .http_status = 500 },
    { "a 500 with Stripe-Should-Retry: true is still not retried for the code", CALL_EXCHANGE,
      { .respond = 1, .status = 500, .body = "{}", .should_retry = 1 },
      .want = STRIPE_CONNECT_ERR_HTTP_STATUS, .http_status = 500 },
    { "a 429 is not retried for the code", CALL_EXCHANGE,
      { .respond = 1, .status = 429, .body = "{}", .should_retry = 1 },
      .want = STRIPE_CONNECT_ERR_HTTP_STATUS, .http_status = 429 },
    { "a 200 answer that is not JSON is ERR_MALFORMED_JSON", CALL_EXCHANGE,
      ANSWER(200, "<html>OK</html>"), .want = STRIPE_CONNECT_ERR_MALFORMED_JSON, .http_status = 200 },
    { "a 200 answer without stripe_user_id is ERR_UNEXPECTED_RESPONSE", CALL_EXCHANGE,
      ANSWER(200, "{\"access_token\":\"" ACCESS_TOKEN "\"}"),
      .want = STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE, .http_status = 200 },
    { "status 100 is an HTTP status, not a lie", CALL_EXCHANGE,
      LYING_STATUS(100), .want = STRIPE_CONNECT_ERR_HTTP_STATUS, .http_status = 100 },
    { "status 599 is an HTTP status, not a lie", CALL_EXCHANGE,
      LYING_STATUS(599), .want = STRIPE_CONNECT_ERR_HTTP_STATUS, .http_status = 599 },
    /* failures the transport reports are returned as they are */
    { "the transport's ERR_TRANSPORT is returned, http_status 0", CALL_EXCHANGE,
      FAILURE(STRIPE_CONNECT_ERR_TRANSPORT), .want = STRIPE_CONNECT_ERR_TRANSPORT, .http_status = 0 },
    { "the transport's ERR_TIMEOUT is returned, http_status 0, not retried", CALL_EXCHANGE,
      FAILURE(STRIPE_CONNECT_ERR_TIMEOUT), .want = STRIPE_CONNECT_ERR_TIMEOUT, .http_status = 0 },
    { "the transport's ERR_TLS is returned, http_status 0", CALL_EXCHANGE,
      FAILURE(STRIPE_CONNECT_ERR_TLS), .want = STRIPE_CONNECT_ERR_TLS, .http_status = 0 },
    { "the transport's ERR_RESPONSE_TOO_LARGE is returned, http_status 0", CALL_EXCHANGE,
      FAILURE(STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE),
      .want = STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE, .http_status = 0 },
    /* a transport that breaks its contract */
    { "a body_len above body_cap is ERR_TRANSPORT", CALL_EXCHANGE,
      { .respond = 1, .status = 200, .body = TOKEN_ANSWER, .body_len_over_cap = 1, .should_retry = -1 },
      .want = STRIPE_CONNECT_ERR_TRANSPORT, .http_status = ANY_STATUS },
    { "status 99 is ERR_TRANSPORT", CALL_EXCHANGE, LYING_STATUS(99),
      .want = STRIPE_CONNECT_ERR_TRANSPORT, .http_status = ANY_STATUS },
    { "status 600 is ERR_TRANSPORT", CALL_EXCHANGE, LYING_STATUS(600),
      .want = STRIPE_CONNECT_ERR_TRANSPORT, .http_status = ANY_STATUS },
    { "status 0 is ERR_TRANSPORT", CALL_EXCHANGE, LYING_STATUS(0),
      .want = STRIPE_CONNECT_ERR_TRANSPORT, .http_status = ANY_STATUS },
    { "status -200 is ERR_TRANSPORT", CALL_EXCHANGE, LYING_STATUS(-200),
      .want = STRIPE_CONNECT_ERR_TRANSPORT, .http_status = ANY_STATUS },
    { "a transport returning ERR_OAUTH is ERR_TRANSPORT", CALL_EXCHANGE,
      LYING_RESULT(STRIPE_CONNECT_ERR_OAUTH), .want = STRIPE_CONNECT_ERR_TRANSPORT, .http_status = ANY_STATUS },
    { "a transport returning ERR_INVALID_ARGUMENT is ERR_TRANSPORT", CALL_EXCHANGE,
      LYING_RESULT(STRIPE_CONNECT_ERR_INVALID_ARGUMENT),
      .want = STRIPE_CONNECT_ERR_TRANSPORT, .http_status = ANY_STATUS },
    { "a transport returning ERR_BUFFER_TOO_SMALL is ERR_TRANSPORT", CALL_EXCHANGE,
      LYING_RESULT(STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL),
      .want = STRIPE_CONNECT_ERR_TRANSPORT, .http_status = ANY_STATUS },
    { "a transport returning ERR_MALFORMED_JSON is ERR_TRANSPORT", CALL_EXCHANGE,
      LYING_RESULT(STRIPE_CONNECT_ERR_MALFORMED_JSON),
      .want = STRIPE_CONNECT_ERR_TRANSPORT, .http_status = ANY_STATUS },
    { "a transport returning 1 is ERR_TRANSPORT", CALL_EXCHANGE,
      LYING_RESULT((stripe_connect_result)1), .want = STRIPE_CONNECT_ERR_TRANSPORT, .http_status = ANY_STATUS },
    { "a transport returning 12345 is ERR_TRANSPORT", CALL_EXCHANGE,
      LYING_RESULT((stripe_connect_result)12345),
      .want = STRIPE_CONNECT_ERR_TRANSPORT, .http_status = ANY_STATUS },
    /* the same rules for refresh and deauthorize */
    { "refresh: an OAuth error answer is ERR_OAUTH", CALL_REFRESH,
      ANSWER(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Refresh token expired\"}"),
      STRIPE_CONNECT_ERR_OAUTH, 400, STRIPE_CONNECT_OAUTH_INVALID_GRANT, .code = "invalid_grant",
      .message = "Refresh token expired" },
    { "refresh: a transport timeout is returned as is", CALL_REFRESH,
      FAILURE(STRIPE_CONNECT_ERR_TIMEOUT), .want = STRIPE_CONNECT_ERR_TIMEOUT, .http_status = 0 },
    { "deauthorize: the same stripe_user_id back is OK", CALL_DEAUTHORIZE,
      { .respond = 1, .status = 200, .body = DEAUTHORIZE_ANSWER, .request_id = "req_d", .should_retry = -1 },
      STRIPE_CONNECT_OK, 200, .request_id = "req_d" },
    { "deauthorize: a different stripe_user_id is ERR_UNEXPECTED_RESPONSE", CALL_DEAUTHORIZE,
      ANSWER(200, "{\"stripe_user_id\":\"acct_2\"}"),
      .want = STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE, .http_status = 200 },
    { "deauthorize: an OAuth error answer is ERR_OAUTH", CALL_DEAUTHORIZE,
      ANSWER(401, "{\"error\":\"invalid_client\",\"error_description\":\"No such application: 'ca_1'\"}"),
      STRIPE_CONNECT_ERR_OAUTH, 401, STRIPE_CONNECT_OAUTH_INVALID_CLIENT, .code = "invalid_client",
      .message = "No such application: 'ca_1'" },
    { "deauthorize: a 500 is ERR_HTTP_STATUS", CALL_DEAUTHORIZE,
      ANSWER(500, ""), .want = STRIPE_CONNECT_ERR_HTTP_STATUS, .http_status = 500 },
    { "deauthorize: the transport's ERR_TLS is returned", CALL_DEAUTHORIZE,
      FAILURE(STRIPE_CONNECT_ERR_TLS), .want = STRIPE_CONNECT_ERR_TLS, .http_status = 0 },
    { "deauthorize: status 600 is ERR_TRANSPORT", CALL_DEAUTHORIZE,
      ANSWER(600, DEAUTHORIZE_ANSWER), .want = STRIPE_CONNECT_ERR_TRANSPORT, .http_status = ANY_STATUS },
};

static void run_answer_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof answer_cases / sizeof answer_cases[0]; i++) {
        const answer_case *row = &answer_cases[i];
        call k;
        stripe_connect_client c;
        mock_transport m;
        stripe_connect_token token;
        stripe_connect_error err;
        test_begin(row->name);
        memset(&k, 0, sizeof k);
        k.kind = row->kind;
        k.code = "ac_1";
        k.refresh_token = "rt_1";
        k.stripe_user_id = ACCOUNT;
        memset(&m, 0, sizeof m);
        m.script = row->script;
        client_init(&c, &m);
        memset(&token, 0xAA, sizeof token);
        memset(&err, 0xAA, sizeof err);

        CHECK_RESULT(make_call(&c, &k, &token, &err), row->want);
        CHECK_INT(m.calls, 1);
        if (row->kind != CALL_DEAUTHORIZE) {
            if (row->want == STRIPE_CONNECT_OK) {
                CHECK_FIELD(token.access_token, ACCESS_TOKEN);
                CHECK_FIELD(token.refresh_token, REFRESH_TOKEN);
                CHECK_FIELD(token.stripe_publishable_key, PUBLISHABLE_KEY);
                CHECK_FIELD(token.stripe_user_id, ACCOUNT);
                CHECK_FIELD(token.scope, "read_write");
                CHECK_FIELD(token.token_type, "bearer");
                CHECK_INT(token.livemode, 0);
            } else {
                check_token_zeroed(&token);
            }
        }
        if (row->http_status != ANY_STATUS) CHECK_INT(err.http_status, row->http_status);
        CHECK_INT(err.oauth_error, row->oauth_error);
        CHECK_FIELD(err.code, or_empty(row->code));
        CHECK_FIELD(err.type, or_empty(row->type));
        CHECK_FIELD(err.decline_code, "");
        CHECK_FIELD(err.param, "");
        CHECK_FIELD(err.message, or_empty(row->message));
        CHECK_FIELD(err.request_id, or_empty(row->request_id));
        check_wiped(&c, &k);

        /* err may be NULL: the same result */
        memset(&m, 0, sizeof m);
        m.script = row->script;
        client_init(&c, &m);
        CHECK_RESULT(make_call(&c, &k, &token, NULL), row->want);
        CHECK_INT(m.calls, 1);
        check_wiped(&c, &k);
        test_end();
    }
}

/* ---- Arguments refused before anything is sent ------------------------------------------------- */

static void no_change(stripe_connect_client *c) { (void)c; }
static void no_perform(stripe_connect_client *c) { c->transport.perform = NULL; }
static void no_work(stripe_connect_client *c) { c->work = NULL; }
static void work_size_0(stripe_connect_client *c) { c->work_size = 0; }
static void work_size_64(stripe_connect_client *c) { c->work_size = 64; }
static void no_secret_key(stripe_connect_client *c) { c->secret_key = NULL; }
static void empty_secret_key(stripe_connect_client *c) { c->secret_key = ""; }
static void secret_key_with_crlf(stripe_connect_client *c) { c->secret_key = "sk_test_x\r\nX-Evil: 1"; }
static void secret_key_with_lf(stripe_connect_client *c) { c->secret_key = "sk_test_x\nX-Evil: 1"; }
static void secret_key_with_cr(stripe_connect_client *c) { c->secret_key = "sk_test_x\rX-Evil: 1"; }
static void secret_key_with_del(stripe_connect_client *c) { c->secret_key = "sk_test_x\x7F"; }
static void connect_base_with_space(stripe_connect_client *c) { c->connect_base = "https://connect stripe.com"; }
static void secret_in_body_key_with_lf(stripe_connect_client *c)
{
    c->secret_in_body = 1;
    c->secret_key = "sk_test_x\nX-Evil: 1";
}
static void stripe_version_with_crlf(stripe_connect_client *c)
{
    c->stripe_version = "2024-06-20\r\nX-Evil: 1";
}
static void stripe_version_with_lf(stripe_connect_client *c) { c->stripe_version = "2024-06-20\nX-Evil: 1"; }
static void connect_base_with_cr(stripe_connect_client *c) { c->connect_base = "https://connect.stripe.com\r"; }
static void connect_base_with_lf(stripe_connect_client *c)
{
    c->connect_base = "https://connect.stripe.com\nX-Evil: 1";
}
static void no_client_id(stripe_connect_client *c) { c->client_id = NULL; }
static void empty_client_id(stripe_connect_client *c) { c->client_id = ""; }

typedef struct argument_case {
    const char *name;
    void (*change)(stripe_connect_client *c);
    call call;
    int client_null, out_null;
    stripe_connect_result want;
} argument_case;

#define EXCHANGE_AC_1 { CALL_EXCHANGE, .code = "ac_1" }
#define REFRESH_RT_1  { CALL_REFRESH, .refresh_token = "rt_1" }
#define DEAUTHORIZE_ACCT_1 { CALL_DEAUTHORIZE, .stripe_user_id = "acct_1" }
#define INVALID STRIPE_CONNECT_ERR_INVALID_ARGUMENT

static const char *const one_null_capability[] = { "card_payments", NULL };

static const argument_case argument_cases[] = {
    { "exchange_code: a NULL client", no_change, EXCHANGE_AC_1, 1, 0, INVALID },
    { "exchange_code: a NULL code", no_change, { CALL_EXCHANGE, .code = NULL }, 0, 0, INVALID },
    { "exchange_code: an empty code", no_change, { CALL_EXCHANGE, .code = "" }, 0, 0, INVALID },
    { "exchange_code: a NULL out", no_change, EXCHANGE_AC_1, 0, 1, INVALID },
    { "exchange_code: no transport perform", no_perform, EXCHANGE_AC_1, 0, 0, INVALID },
    { "exchange_code: work NULL", no_work, EXCHANGE_AC_1, 0, 0, INVALID },
    { "exchange_code: work_size 0", work_size_0, EXCHANGE_AC_1, 0, 0, INVALID },
    { "exchange_code: secret_key NULL", no_secret_key, EXCHANGE_AC_1, 0, 0, INVALID },
    { "exchange_code: secret_key empty", empty_secret_key, EXCHANGE_AC_1, 0, 0, INVALID },
    { "exchange_code: secret_key with CR LF (header injection)", secret_key_with_crlf, EXCHANGE_AC_1, 0, 0,
      INVALID },
    { "exchange_code: secret_key with LF", secret_key_with_lf, EXCHANGE_AC_1, 0, 0, INVALID },
    { "exchange_code: secret_key with CR", secret_key_with_cr, EXCHANGE_AC_1, 0, 0, INVALID },
    { "exchange_code: secret_key with DEL (0x7F)", secret_key_with_del, EXCHANGE_AC_1, 0, 0, INVALID },
    { "exchange_code: connect_base with a space", connect_base_with_space, EXCHANGE_AC_1, 0, 0, INVALID },
    { "exchange_code: secret_key with LF also when it goes in the body", secret_in_body_key_with_lf,
      EXCHANGE_AC_1, 0, 0, INVALID },
    { "exchange_code: stripe_version with CR LF", stripe_version_with_crlf, EXCHANGE_AC_1, 0, 0, INVALID },
    { "exchange_code: stripe_version with LF", stripe_version_with_lf, EXCHANGE_AC_1, 0, 0, INVALID },
    { "exchange_code: connect_base with CR", connect_base_with_cr, EXCHANGE_AC_1, 0, 0, INVALID },
    { "exchange_code: connect_base with LF", connect_base_with_lf, EXCHANGE_AC_1, 0, 0, INVALID },
    { "exchange_code: scratch too small for the request", work_size_64, EXCHANGE_AC_1, 0, 0,
      STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL },
    { "refresh: a NULL refresh_token", no_change, { CALL_REFRESH, .refresh_token = NULL }, 0, 0, INVALID },
    { "refresh: an empty refresh_token", no_change, { CALL_REFRESH, .refresh_token = "" }, 0, 0, INVALID },
    { "refresh: a NULL out", no_change, REFRESH_RT_1, 0, 1, INVALID },
    { "refresh: a NULL client", no_change, REFRESH_RT_1, 1, 0, INVALID },
    { "refresh: secret_key NULL", no_secret_key, REFRESH_RT_1, 0, 0, INVALID },
    { "refresh: stripe_version with LF", stripe_version_with_lf, REFRESH_RT_1, 0, 0, INVALID },
    { "refresh: scratch too small for the request", work_size_64, REFRESH_RT_1, 0, 0,
      STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL },
    { "token call: NULL params", no_change, { CALL_TOKEN, .params_null = 1 }, 0, 0, INVALID },
    { "token call: an unknown grant_type", no_change,
      { CALL_TOKEN, .grant_type = "client_credentials", .code = "ac_1" }, 0, 0, INVALID },
    { "token call: a NULL grant_type", no_change, { CALL_TOKEN, .code = "ac_1" }, 0, 0, INVALID },
    { "token call: authorization_code without a code", no_change,
      { CALL_TOKEN, .grant_type = "authorization_code", .refresh_token = "rt_1" }, 0, 0, INVALID },
    { "token call: authorization_code with an empty code", no_change,
      { CALL_TOKEN, .grant_type = "authorization_code", .code = "" }, 0, 0, INVALID },
    { "token call: refresh_token without a refresh_token", no_change,
      { CALL_TOKEN, .grant_type = "refresh_token", .code = "ac_1" }, 0, 0, INVALID },
    { "token call: a capability count without its array", no_change,
      { CALL_TOKEN, .grant_type = "authorization_code", .code = "ac_1", .capabilities_count = 2 }, 0, 0,
      INVALID },
    { "token call: a NULL capability", no_change,
      { CALL_TOKEN, .grant_type = "authorization_code", .code = "ac_1",
        .capabilities = one_null_capability, .capabilities_count = 2 }, 0, 0, INVALID },
    { "deauthorize: a NULL stripe_user_id", no_change, { CALL_DEAUTHORIZE, .stripe_user_id = NULL }, 0, 0,
      INVALID },
    { "deauthorize: an empty stripe_user_id", no_change, { CALL_DEAUTHORIZE, .stripe_user_id = "" }, 0, 0,
      INVALID },
    { "deauthorize: a NULL client", no_change, DEAUTHORIZE_ACCT_1, 1, 0, INVALID },
    { "deauthorize: client_id NULL", no_client_id, DEAUTHORIZE_ACCT_1, 0, 0, INVALID },
    { "deauthorize: client_id empty", empty_client_id, DEAUTHORIZE_ACCT_1, 0, 0, INVALID },
    { "deauthorize: secret_key NULL", no_secret_key, DEAUTHORIZE_ACCT_1, 0, 0, INVALID },
    { "deauthorize: secret_key with CR LF", secret_key_with_crlf, DEAUTHORIZE_ACCT_1, 0, 0, INVALID },
    { "deauthorize: no transport perform", no_perform, DEAUTHORIZE_ACCT_1, 0, 0, INVALID },
    { "deauthorize: work NULL", no_work, DEAUTHORIZE_ACCT_1, 0, 0, INVALID },
    { "deauthorize: scratch too small for the request", work_size_64, DEAUTHORIZE_ACCT_1, 0, 0,
      STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL },
};

static void run_argument_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof argument_cases / sizeof argument_cases[0]; i++) {
        const argument_case *row = &argument_cases[i];
        stripe_connect_client c;
        mock_transport m;
        stripe_connect_token token;
        stripe_connect_error err;
        test_begin(row->name);
        mock_init(&m, TOKEN_ANSWER);
        client_init(&c, &m);
        row->change(&c);
        memset(&token, 0xAA, sizeof token);
        memset(&err, 0xAA, sizeof err);

        CHECK_RESULT(make_call(row->client_null ? NULL : &c, &row->call, row->out_null ? NULL : &token, &err),
                     row->want);
        CHECK_INT(m.calls, 0);
        if (!row->out_null && row->call.kind != CALL_DEAUTHORIZE) check_token_zeroed(&token);
        CHECK_INT(err.http_status, 0);
        CHECK_INT(err.oauth_error, STRIPE_CONNECT_OAUTH_NONE);
        CHECK_FIELD(err.code, "");
        CHECK_FIELD(err.message, "");
        CHECK_FIELD(err.request_id, "");
        if (!row->client_null && c.work != NULL) check_wiped(&c, &row->call);
        test_end();
    }
}

/* The sans-I/O builders check their arguments the same way. */
static void request_builders_refuse_bad_arguments(void)
{
    stripe_connect_client c;
    mock_transport m;
    stripe_connect_prepared_request prepared;
    stripe_connect_token_params p;
    char buf[1024];
    size_t len = 0;

    mock_init(&m, TOKEN_ANSWER);
    client_init(&c, &m);
    memset(&p, 0, sizeof p);
    p.grant_type = "authorization_code";
    p.code = "ac_1";
    CHECK_RESULT(stripe_connect_token_request_build(NULL, &p, buf, sizeof buf, &len, &prepared), INVALID);
    CHECK_RESULT(stripe_connect_token_request_build(&c, NULL, buf, sizeof buf, &len, &prepared), INVALID);
    CHECK_RESULT(stripe_connect_token_request_build(&c, &p, buf, sizeof buf, NULL, &prepared), INVALID);
    CHECK_RESULT(stripe_connect_token_request_build(&c, &p, buf, sizeof buf, &len, NULL), INVALID);
    /* buf NULL is a size query only with cap 0 */
    CHECK_RESULT(stripe_connect_token_request_build(&c, &p, NULL, sizeof buf, &len, &prepared), INVALID);
    CHECK_RESULT(stripe_connect_deauthorize_request_build(&c, "acct_1", NULL, sizeof buf, &len, &prepared),
                 INVALID);
    p.grant_type = "password";
    CHECK_RESULT(stripe_connect_token_request_build(&c, &p, buf, sizeof buf, &len, &prepared), INVALID);
    p.grant_type = "authorization_code";
    c.secret_key = "sk_test_x\r\nX-Evil: 1";
    CHECK_RESULT(stripe_connect_token_request_build(&c, &p, buf, sizeof buf, &len, &prepared), INVALID);
    c.secret_key = SECRET_KEY;
    CHECK_RESULT(stripe_connect_deauthorize_request_build(&c, NULL, buf, sizeof buf, &len, &prepared), INVALID);
    CHECK_RESULT(stripe_connect_deauthorize_request_build(&c, "", buf, sizeof buf, &len, &prepared), INVALID);
    c.client_id = NULL;
    CHECK_RESULT(stripe_connect_deauthorize_request_build(&c, "acct_1", buf, sizeof buf, &len, &prepared),
                 INVALID);
    CHECK_INT(m.calls, 0);
}

/* A builder that refuses its arguments reports *out_len 0, leaves out zeroed and buf without the
   key, also when the fault shows only while the form is written (a NULL capability, a p that is
   not a token request, an empty id), with the key in Authorization or in the body. */
static void refused_builds_leave_nothing_behind(void)
{
    static const char *const null_capability[] = { "card_payments", NULL };
    static const stripe_connect_prepared_request zero;
    stripe_connect_client c;
    mock_transport m;
    stripe_connect_prepared_request prepared;
    stripe_connect_token_params p, password;
    static char buf[1024];
    size_t len;
    int row;

    memset(&p, 0, sizeof p);
    p.grant_type = "authorization_code";
    p.code = "ac_1";
    p.assert_capabilities = null_capability;
    p.assert_capabilities_count = 2;
    memset(&password, 0, sizeof password);
    password.grant_type = "password";
    password.code = "ac_1";
    for (row = 0; row < 10; row++) {
        stripe_connect_result r;
        mock_init(&m, TOKEN_ANSWER);
        client_init(&c, &m);
        c.secret_in_body = row % 2;
        memset(buf, FILL, sizeof buf);
        memset(&prepared, 0xAA, sizeof prepared);
        len = 99;
        switch (row / 2) {
        case 0: r = stripe_connect_token_request_build(&c, &p, buf, sizeof buf, &len, &prepared); break;
        case 1: r = stripe_connect_token_request_build(&c, NULL, buf, sizeof buf, &len, &prepared); break;
        case 2: r = stripe_connect_token_request_build(&c, &password, buf, sizeof buf, &len, &prepared); break;
        case 3: r = stripe_connect_deauthorize_request_build(&c, "", buf, sizeof buf, &len, &prepared); break;
        default:
            c.client_id = "";
            r = stripe_connect_deauthorize_request_build(&c, "acct_1", buf, sizeof buf, &len, &prepared);
            break;
        }
        CHECK_RESULT(r, INVALID);
        CHECK_INT(len, 0);
        CHECK(memcmp(&prepared, &zero, sizeof zero) == 0);
        check_not_in("the refused buffer", buf, sizeof buf, SECRET_KEY);
        /* a size query is refused the same way */
        len = 99;
        if (row / 2 == 0) {
            CHECK_RESULT(stripe_connect_token_request_build(&c, &p, NULL, 0, &len, &prepared), INVALID);
            CHECK_INT(len, 0);
        }
    }
    CHECK_INT(m.calls, 0);
}

/* The mock must have copied everything it needed during perform: after the
   call, the request it was handed points into a buffer that is now zero. */
static void the_wipe_covers_the_request_and_the_response(void)
{
    stripe_connect_client c;
    mock_transport m;
    stripe_connect_token token;
    stripe_connect_error err;
    call k;
    memset(&k, 0, sizeof k);
    k.kind = CALL_EXCHANGE;
    k.code = "ac_Ql8vXbS2qH5kNuBAcJeYTRzC";
    mock_init(&m, TOKEN_ANSWER);
    client_init(&c, &m);
    CHECK_RESULT(make_call(&c, &k, &token, &err), STRIPE_CONNECT_OK);
    /* during the call, work held the key, the code and the tokens ... */
    CHECK(test_mem_contains(m.request.headers[0], strlen(m.request.headers[0]),
                            SECRET_KEY, strlen(SECRET_KEY)));
    CHECK(test_mem_contains(m.request.body, m.request.body_len, k.code, strlen(k.code)));
    /* ... and after it, none of them, nor anything else */
    check_wiped(&c, &k);
    /* the token was copied out before the wipe */
    CHECK_FIELD(token.access_token, ACCESS_TOKEN);
    CHECK_FIELD(token.refresh_token, REFRESH_TOKEN);
}

static void the_response_buffer_is_the_rest_of_work_after_the_request(void)
{
    stripe_connect_client c;
    mock_transport m;
    stripe_connect_token token;
    call k;
    memset(&k, 0, sizeof k);
    k.kind = CALL_EXCHANGE;
    k.code = "ac_1";
    mock_init(&m, TOKEN_ANSWER);
    client_init(&c, &m);
    CHECK_RESULT(make_call(&c, &k, &token, NULL), STRIPE_CONNECT_OK);
    CHECK(m.request_in_work);
    CHECK(m.response_is_rest_of_work);
}

void suite_client(void)
{
    run_request_cases();
    run_answer_cases();
    run_argument_cases();
    RUN(request_builders_refuse_bad_arguments);
    RUN(refused_builds_leave_nothing_behind);
    RUN(the_wipe_covers_the_request_and_the_response);
    RUN(the_response_buffer_is_the_rest_of_work_after_the_request);
}
