/* test_api.c - stripe_connect_api_request, through a mock transport.

   The mock records every attempt it is handed (method, URL, each header in
   order, body bytes, timeout, where the request and the response buffer lie)
   and answers each attempt from a script: a status, a body, a Request-Id and
   Stripe-Should-Retry, or a failure the transport reports. Past the end of
   the script it repeats the last answer ("always 503").

   The client's random callback serves a recorded stream (byte i of the stream
   is i & 0xFF, or all 0x00, or all 0xFF) and counts what was drawn, so the
   generated idempotency key and the jitter of each backoff can be computed by
   hand; the sleep callback records every wait.

   The tables state, row by row: the exact request (URL, headers in order,
   body), which answers are retried and how often, the exact backoff
   sequence, what each answer turns into (result, out, every err field), and
   which arguments are refused before anything is sent. After every call,
   success or error, every byte of c->work must be zero, no secret may be
   found in it, and the bytes after work_size must be untouched. */
#include "../../stripe_connect.h"
#include "suites.h"
#include "test.h"
#include "checks.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- What is sent ---------------------------------------------------------------------------- */

#define SECRET_KEY   "sk_test_platform_4eC39HqLyjWDarjtT1zdp7dc"
#define ACCESS_TOKEN "sk_test_connected_Hq8vLm3Zp0"

#define API          "https://api.stripe.com"
#define AUTH_SECRET  "Authorization: Bearer " SECRET_KEY
#define AUTH_TOKEN   "Authorization: Bearer " ACCESS_TOKEN
#define CONTENT_TYPE "Content-Type: application/x-www-form-urlencoded"
#define USER_AGENT   "User-Agent: stripe-connect-c/0.1.0"

/* The UUID v4 made of the stream bytes 0x00..0x0F (byte 6 gets version 4, byte 8 variant 10xx):
   python3 -c "import uuid; print(uuid.UUID(bytes=bytes(range(16)), version=4))" */
#define KEY_FROM_COUNTER "00010203-0405-4607-8809-0a0b0c0d0e0f"
/* python3 -c "import uuid; print(uuid.UUID(bytes=bytes(16), version=4))" */
#define KEY_FROM_ZEROS   "00000000-0000-4000-8000-000000000000"
/* python3 -c "import uuid; print(uuid.UUID(bytes=b'\xff' * 16, version=4))" */
#define KEY_FROM_FFS     "ffffffff-ffff-4fff-bfff-ffffffffffff"
#define IDEMPOTENCY(key) "Idempotency-Key: " key

/* 255 and 256 bytes of 'k' */
#define K15  "kkkkkkkkkkkkkkk"
#define K16  K15 "k"
#define K240 K16 K16 K16 K16 K16 K16 K16 K16 K16 K16 K16 K16 K16 K16 K16
#define KEY_255 K240 K15
#define KEY_256 K240 K16
/* every printable byte but the space, 0x21 .. 0x7E */
#define KEY_PRINTABLE "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`" \
                      "abcdefghijklmnopqrstuvwxyz{|}~"

#define CARD_ERROR_BODY \
    "{\"error\":{\"charge\":{\"id\":\"ch_1\",\"code\":\"nested_code\",\"message\":\"nested\"}," \
    "\"code\":\"card_declined\",\"decline_code\":\"insufficient_funds\"," \
    "\"doc_url\":\"https://stripe.com/docs/error-codes/card-declined\"," \
    "\"message\":\"Your card has insufficient funds.\",\"param\":\"source\"," \
    "\"payment_intent\":{\"id\":\"pi_1\",\"last_payment_error\":{\"type\":\"nested_type\"}}," \
    "\"type\":\"card_error\"}}"
#define API_ERROR_503 "{\"error\":{\"type\":\"api_error\",\"message\":\"Try again later.\"}}"
#define CONFLICT_409 "{\"error\":{\"type\":\"idempotency_error\",\"code\":\"idempotency_key_in_use\"," \
                     "\"message\":\"A request with this key is being processed.\"}}"
#define LOCK_TIMEOUT_429 "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"lock_timeout\"," \
                         "\"message\":\"This object cannot be accessed right now.\"}}"
#define RATE_LIMIT_429 "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"rate_limit\"," \
                       "\"message\":\"Too many requests.\"}}"
#define NOT_FOUND_404 "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"resource_missing\"," \
                      "\"param\":\"id\",\"message\":\"No such account: 'acct_x'\"}}"
#define CHARGE_200 "{\"id\":\"ch_1\",\"object\":\"charge\",\"amount\":2000,\"paid\":true}"

/* ---- The fake random source and the fake sleep ----------------------------------------------- */

typedef enum stream_kind { STREAM_COUNTER = 0, STREAM_ZEROS, STREAM_FFS } stream_kind;

typedef struct fake_random_source {
    stream_kind kind;
    int fail;              /* 1: every call returns -1 and writes nothing */
    size_t drawn;          /* bytes handed out so far: the position in the stream */
    int calls;
} fake_random_source;

static unsigned char stream_byte(stream_kind kind, size_t position)
{
    switch (kind) {
    case STREAM_COUNTER: return (unsigned char)(position & 0xFF);
    case STREAM_ZEROS:   return 0x00;
    case STREAM_FFS:     return 0xFF;
    }
    return 0;
}

static int fake_random(void *user, unsigned char *out, size_t n)
{
    fake_random_source *r = (fake_random_source *)user;
    size_t i;
    r->calls++;
    if (r->fail) return -1;
    for (i = 0; i < n; i++) out[i] = stream_byte(r->kind, r->drawn + i);
    r->drawn += n;
    return 0;
}

#define SLEEPS_MAX 16

typedef struct fake_sleeper {
    int calls;
    unsigned long ms[SLEEPS_MAX];
} fake_sleeper;

static void fake_sleep(void *user, unsigned long ms)
{
    fake_sleeper *s = (fake_sleeper *)user;
    if (s->calls < SLEEPS_MAX) s->ms[s->calls] = ms;
    s->calls++;
}

/* ---- The mock transport ---------------------------------------------------------------------- */

#define RECORDED_HEADERS_MAX 16
#define ATTEMPTS_MAX 12
#define SCRIPT_MAX 8

typedef struct recorded_attempt {
    char method[16];
    char url[2048];
    size_t header_count;
    char headers[RECORDED_HEADERS_MAX][1024];   /* "Name: value" */
    char body[2048];
    size_t body_len;
    unsigned long timeout_ms;
    int too_big;              /* something did not fit the fields above */
    int url_in_work;          /* the URL (and the body, if any) lie in c->work */
    int body_is_out;          /* res->body is the caller's out buffer */
    size_t body_cap;          /* res->body_cap */
} recorded_attempt;

/* One answer of the script. An entry of all zeros ends the script. */
typedef struct answer {
    int respond;                       /* 1: write status, body, Request-Id, Stripe-Should-Retry */
    stripe_connect_result result;      /* what perform returns */
    int status;
    const char *body;
    const char *request_id;            /* NULL: leave res->request_id as the library gave it */
    int request_id_fills_all;          /* 1: 64 bytes of 'r' and no NUL */
    int request_id_junk_after;         /* 1: request_id, its NUL, then 'J' bytes to the end */
    int should_retry;                  /* -1 absent, 0 false, 1 true */
    int body_len_over_cap;             /* 1: claim body_len = body_cap + 1 (a lying transport) */
} answer;

#define ANSWER(http_status, text) { .respond = 1, .result = STRIPE_CONNECT_OK, .status = (http_status), \
                                    .body = (text), .should_retry = -1 }
#define ANSWER_SR(http_status, text, retry) { .respond = 1, .result = STRIPE_CONNECT_OK, \
                                    .status = (http_status), .body = (text), .should_retry = (retry) }
#define ANSWER_ID(http_status, text, id) { .respond = 1, .result = STRIPE_CONNECT_OK, .status = (http_status), \
                                    .body = (text), .request_id = (id), .should_retry = -1 }
#define FAILURE(failure)          { .respond = 0, .result = (failure) }
#define LYING_RESULT(returned)    { .respond = 1, .result = (returned), .status = 200, .body = CHARGE_200, \
                                    .should_retry = -1 }

typedef struct mock_transport {
    answer script[SCRIPT_MAX];
    size_t script_len;
    int calls;
    recorded_attempt attempts[ATTEMPTS_MAX];
    const char *work; size_t work_size;   /* the client's scratch */
    const char *out;                      /* the caller's out buffer */
} mock_transport;

static mock_transport mock;
static fake_random_source rng;
static fake_sleeper sleeper;

static int inside(const char *p, size_t n, const char *start, const char *end)
{
    uintptr_t a = (uintptr_t)p, s = (uintptr_t)start, e = (uintptr_t)end;
    return p != NULL && a >= s && a <= e && n <= e - a;
}

static void record_attempt(recorded_attempt *r, const stripe_connect_http_request *req)
{
    size_t i;
    memset(r, 0, sizeof *r);
    if (req->method == NULL || strlen(req->method) >= sizeof r->method) r->too_big = 1;
    else strcpy(r->method, req->method);
    if (req->url == NULL || strlen(req->url) >= sizeof r->url) r->too_big = 1;
    else strcpy(r->url, req->url);
    r->header_count = req->header_count;
    if (req->header_count > RECORDED_HEADERS_MAX || (req->headers == NULL && req->header_count > 0)) {
        r->too_big = 1;
        r->header_count = 0;
    }
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
    int n = m->calls++;
    const answer *a = &m->script[(size_t)n < m->script_len ? (size_t)n : m->script_len - 1];
    size_t answer_len = a->body != NULL ? strlen(a->body) : 0;

    if (n < ATTEMPTS_MAX) {
        recorded_attempt *r = &m->attempts[n];
        const char *work_end = m->work + m->work_size;
        record_attempt(r, req);
        r->url_in_work = req->url != NULL && inside(req->url, strlen(req->url) + 1, m->work, work_end) &&
                         (req->body_len == 0 || inside(req->body, req->body_len, m->work, work_end));
        r->body_is_out = res->body == m->out;
        r->body_cap = res->body_cap;
    }

    if (!a->respond) return a->result;
    res->status = a->status;
    res->should_retry = a->should_retry;
    if (a->request_id_fills_all || a->request_id_junk_after)
        memset(res->request_id, a->request_id_fills_all ? 'r' : 'J', sizeof res->request_id);
    if (a->request_id != NULL) strcpy(res->request_id, a->request_id);
    if (a->body_len_over_cap) {
        res->body_len = res->body_cap + 1;
        return a->result;
    }
    if (answer_len > res->body_cap) return STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE;
    if (answer_len > 0) memcpy(res->body, a->body, answer_len);
    res->body_len = answer_len;
    /* a byte after the body that is not JSON: the library must stop at body_len and terminate */
    if (answer_len < res->body_cap) res->body[answer_len] = 'x';
    return a->result;
}

/* The mock's script: the rows' answers up to the first all-zero entry (at least one: 200 CHARGE_200). */
static void mock_reset(const answer *script)
{
    static const answer zero;
    static const answer ok_charge = ANSWER(200, CHARGE_200);
    size_t i;
    memset(&mock, 0, sizeof mock);
    for (i = 0; script != NULL && i < SCRIPT_MAX && memcmp(&script[i], &zero, sizeof zero) != 0; i++)
        mock.script[i] = script[i];
    mock.script_len = i;
    if (mock.script_len == 0) {
        mock.script[0] = ok_charge;
        mock.script_len = 1;
    }
}

/* ---- The client and the caller's buffers ----------------------------------------------------- */

#define WORK_SIZE 8192
#define GUARD_SIZE 64
#define FILL 0x5A
#define OUT_SIZE 4096

static char arena[WORK_SIZE + GUARD_SIZE];   /* work_size bytes of scratch, then guard bytes */
static char out_arena[OUT_SIZE + GUARD_SIZE]; /* the caller's out buffer, then guard bytes */

/* A client with a good configuration: the platform key, the mock, the counter
   stream as random source, the recording sleep, max_retries 2 (client_init). */
static void client_setup(stripe_connect_client *c, const answer *script)
{
    mock_reset(script);
    memset(&rng, 0, sizeof rng);
    memset(&sleeper, 0, sizeof sleeper);
    memset(arena, FILL, sizeof arena);
    memset(out_arena, CANARY, sizeof out_arena);
    stripe_connect_client_init(c, arena, WORK_SIZE);
    c->secret_key = SECRET_KEY;
    c->transport.perform = mock_perform;
    c->transport.user = &mock;
    c->random = fake_random;
    c->random_user = &rng;
    c->sleep = fake_sleep;
    c->sleep_user = &sleeper;
    mock.work = arena;
    mock.work_size = WORK_SIZE;
    mock.out = out_arena;
}

/* What a row asks of the call. params_len is strlen(params) unless params_len_zero. */
typedef struct api_call {
    const char *method, *path, *params;
    int params_len_zero;
    size_t params_len_without_params;   /* params NULL with this params_len */
    const char *access_token, *stripe_account, *idempotency_key;
} api_call;

static stripe_connect_api_params params_of(const api_call *k)
{
    stripe_connect_api_params p;
    memset(&p, 0, sizeof p);
    p.method = k->method;
    p.path = k->path;
    p.params = k->params;
    p.params_len = k->params != NULL && !k->params_len_zero ? strlen(k->params) : k->params_len_without_params;
    p.access_token = k->access_token;
    p.stripe_account = k->stripe_account;
    p.idempotency_key = k->idempotency_key;
    return p;
}

/* ---- Checks after every call ----------------------------------------------------------------- */

static void check_not_in(const char *what, const char *where, size_t where_len, const char *secret)
{
    char message[256];
    if (test_mem_contains(where, where_len, secret, strlen(secret))) {
        snprintf(message, sizeof message, "\"%s\" found in %s", secret, what);
        test_fail(__FILE__, __LINE__, message);
    }
}

/* THE WIPE: every byte of work zero, no secret in it, nothing written after it. */
static void check_wiped(const stripe_connect_client *c)
{
    size_t i;
    char message[128];
    for (i = 0; i < c->work_size && i < WORK_SIZE; i++) {
        if (arena[i] != 0) {
            snprintf(message, sizeof message, "work[%lu] is 0x%02X after the call, want every byte 0",
                     (unsigned long)i, (unsigned)(unsigned char)arena[i]);
            test_fail(__FILE__, __LINE__, message);
            break;
        }
    }
    for (i = c->work_size; i < sizeof arena; i++) {
        if (arena[i] != FILL) {
            snprintf(message, sizeof message, "byte %lu at or after work_size was written", (unsigned long)i);
            test_fail(__FILE__, __LINE__, message);
            break;
        }
    }
    check_not_in("work", arena, sizeof arena, SECRET_KEY);
    check_not_in("work", arena, sizeof arena, ACCESS_TOKEN);
}

/* Nothing written at or past cap of the out buffer. */
static void check_out_guard(size_t cap)
{
    if (!canary_intact(out_arena + cap, sizeof out_arena - cap))
        test_fail(__FILE__, __LINE__, "a byte at or past cap of out was written");
}

/* An err with no HTTP answer in it. */
static void check_error_empty(const stripe_connect_error *err, int http_status)
{
    CHECK_INT(err->http_status, http_status);
    CHECK_INT(err->oauth_error, STRIPE_CONNECT_OAUTH_NONE);
    CHECK_FIELD(err->type, "");
    CHECK_FIELD(err->code, "");
    CHECK_FIELD(err->decline_code, "");
    CHECK_FIELD(err->param, "");
    CHECK_FIELD(err->message, "");
}

static void check_same_attempt(const recorded_attempt *first, const recorded_attempt *later)
{
    size_t i;
    CHECK(!later->too_big);
    CHECK_STR(later->method, first->method);
    CHECK_STR(later->url, first->url);
    CHECK_INT(later->header_count, first->header_count);
    for (i = 0; i < later->header_count && i < first->header_count; i++)
        CHECK_STR(later->headers[i], first->headers[i]);
    CHECK_MEM(later->body, later->body_len, first->body, first->body_len);
    CHECK_INT(later->timeout_ms, first->timeout_ms);
    CHECK_INT(later->body_cap, first->body_cap);
}

/* ---- Requests: exactly what is sent ---------------------------------------------------------- */

typedef struct client_options {
    const char *api_base, *stripe_version, *app_name, *app_version, *app_url;
    unsigned long timeout_ms;
    int no_random;
} client_options;

static void apply_options(stripe_connect_client *c, const client_options *o)
{
    c->api_base = o->api_base;
    c->stripe_version = o->stripe_version;
    c->app_name = o->app_name;
    c->app_version = o->app_version;
    c->app_url = o->app_url;
    c->timeout_ms = o->timeout_ms;
    if (o->no_random) c->random = NULL;
}

typedef struct expected_request {
    const char *url;
    const char *headers[RECORDED_HEADERS_MAX];   /* "Name: value" in order; NULL ends */
    const char *body;
    unsigned long timeout_ms;                    /* 0 in a row: the default 80000 */
} expected_request;

typedef struct request_case {
    const char *name;
    client_options client;
    api_call call;
    expected_request want;
} request_case;

#define POST_CHARGE(...) { .method = "POST", .path = "/v1/charges", .params = "amount=2000&currency=usd", \
    __VA_ARGS__ }

static const request_case request_cases[] = {
    { "POST: the params are the body; Authorization, Content-Type, User-Agent, "
      "then a generated Idempotency-Key",
      .call = POST_CHARGE(),
      .want = { .url = API "/v1/charges",
                .headers = { AUTH_SECRET, CONTENT_TYPE, USER_AGENT, IDEMPOTENCY(KEY_FROM_COUNTER) },
                "amount=2000&currency=usd" } },
    { "POST without params: an empty body, still Content-Type and a generated Idempotency-Key",
      .call = { .method = "POST", .path = "/v1/account_links" },
      .want = { .url = API "/v1/account_links",
                .headers = { AUTH_SECRET, CONTENT_TYPE, USER_AGENT, IDEMPOTENCY(KEY_FROM_COUNTER) },
                "" } },
    { "POST with a given idempotency key: sent as given, nothing drawn",
      .call = POST_CHARGE(.idempotency_key = "order-1234"),
      .want = { .url = API "/v1/charges",
                .headers = { AUTH_SECRET, CONTENT_TYPE, USER_AGENT, IDEMPOTENCY("order-1234") },
                "amount=2000&currency=usd" } },
    { "POST with a given key of 255 bytes: sent as given",
      .call = POST_CHARGE(.idempotency_key = KEY_255),
      .want = { .url = API "/v1/charges",
                .headers = { AUTH_SECRET, CONTENT_TYPE, USER_AGENT, IDEMPOTENCY(KEY_255) },
                "amount=2000&currency=usd" } },
    { "POST with a given key of one byte: sent as given",
      .call = POST_CHARGE(.idempotency_key = "!"),
      .want = { .url = API "/v1/charges",
                .headers = { AUTH_SECRET, CONTENT_TYPE, USER_AGENT, IDEMPOTENCY("!") },
                "amount=2000&currency=usd" } },
    { "POST with a given key of every printable byte 0x21..0x7E: sent as given",
      .call = POST_CHARGE(.idempotency_key = KEY_PRINTABLE),
      .want = { .url = API "/v1/charges",
                .headers = { AUTH_SECRET, CONTENT_TYPE, USER_AGENT, IDEMPOTENCY(KEY_PRINTABLE) },
                "amount=2000&currency=usd" } },
    { "POST with an access token: it is the Bearer key, the secret key is not sent",
      .call = POST_CHARGE(.access_token = ACCESS_TOKEN),
      .want = { .url = API "/v1/charges",
                .headers = { AUTH_TOKEN, CONTENT_TYPE, USER_AGENT, IDEMPOTENCY(KEY_FROM_COUNTER) },
                "amount=2000&currency=usd" } },
    { "POST with Stripe-Account: the platform key, then Stripe-Account before the Idempotency-Key",
      .call = POST_CHARGE(.stripe_account = "acct_1Nv0FGQ9RKHgCVdK"),
      .want = { .url = API "/v1/charges",
                .headers = { AUTH_SECRET, CONTENT_TYPE, USER_AGENT,
                             "Stripe-Account: acct_1Nv0FGQ9RKHgCVdK", IDEMPOTENCY(KEY_FROM_COUNTER) },
                "amount=2000&currency=usd" } },
    { "POST with Stripe-Version: after User-Agent",
      .client = { .stripe_version = "2024-06-20" },
      .call = POST_CHARGE(),
      .want = { .url = API "/v1/charges",
                .headers = { AUTH_SECRET, CONTENT_TYPE, USER_AGENT, "Stripe-Version: 2024-06-20",
                  IDEMPOTENCY(KEY_FROM_COUNTER) },
                "amount=2000&currency=usd" } },
    { "GET: no body, no Content-Type, no Idempotency-Key, nothing drawn",
      .call = { .method = "GET", .path = "/v1/accounts/acct_1" },
      .want = { .url = API "/v1/accounts/acct_1", .headers = { AUTH_SECRET, USER_AGENT }, "" } },
    { "GET: the params are the query after '?'",
      .call = { .method = "GET", .path = "/v1/charges", .params = "limit=3&starting_after=ch_1" },
      .want = { .url = API "/v1/charges?limit=3&starting_after=ch_1",
                .headers = { AUTH_SECRET, USER_AGENT }, "" } },
    { "GET: params with params_len 0 add no '?'",
      .call = { .method = "GET", .path = "/v1/charges", .params = "limit=3", .params_len_zero = 1 },
      .want = { .url = API "/v1/charges", .headers = { AUTH_SECRET, USER_AGENT }, "" } },
    { "GET with a given idempotency key sends it",
      .call = { .method = "GET", .path = "/v1/charges", .idempotency_key = "get-key-1" },
      .want = { .url = API "/v1/charges",
                .headers = { AUTH_SECRET, USER_AGENT, IDEMPOTENCY("get-key-1") }, "" } },
    { "GET without a random callback needs none",
      .client = { .no_random = 1 },
      .call = { .method = "GET", .path = "/v1/balance" },
      .want = { .url = API "/v1/balance", .headers = { AUTH_SECRET, USER_AGENT }, "" } },
    { "GET with an access token and Stripe-Account",
      .call = { .method = "GET", .path = "/v1/balance", .access_token = ACCESS_TOKEN, .stripe_account = "acct_2" },
      .want = { .url = API "/v1/balance",
                .headers = { AUTH_TOKEN, USER_AGENT, "Stripe-Account: acct_2" }, "" } },
    { "DELETE: the params are the query, no Content-Type, no Idempotency-Key",
      .call = { .method = "DELETE", .path = "/v1/customers/cus_1", .params = "expand[]=x" },
      .want = { .url = API "/v1/customers/cus_1?expand[]=x",
                .headers = { AUTH_SECRET, USER_AGENT }, "" } },
    { "DELETE without params",
      .call = { .method = "DELETE", .path = "/v1/customers/cus_1" },
      .want = { .url = API "/v1/customers/cus_1", .headers = { AUTH_SECRET, USER_AGENT }, "" } },
    { "DELETE with a given idempotency key sends it",
      .call = { .method = "DELETE", .path = "/v1/customers/cus_1", .idempotency_key = "del-1" },
      .want = { .url = API "/v1/customers/cus_1",
                .headers = { AUTH_SECRET, USER_AGENT, IDEMPOTENCY("del-1") }, "" } },
    { "app_name only: \" MyApp\" after the User-Agent",
      .client = { .app_name = "MyApp" },
      .call = { .method = "GET", .path = "/v1/balance" },
      .want = { .url = API "/v1/balance",
                .headers = { AUTH_SECRET, USER_AGENT " MyApp" },
                "" } },
    { "app_name and app_version: \" MyApp/1.2.3\"",
      .client = { .app_name = "MyApp", .app_version = "1.2.3" },
      .call = { .method = "GET", .path = "/v1/balance" },
      .want = { .url = API "/v1/balance",
                .headers = { AUTH_SECRET, USER_AGENT " MyApp/1.2.3" },
                "" } },
    { "app_name and app_url: \" MyApp (https://myapp.example)\"",
      .client = { .app_name = "MyApp", .app_url = "https://myapp.example" },
      .call = { .method = "GET", .path = "/v1/balance" },
      .want = { .url = API "/v1/balance",
                .headers = { AUTH_SECRET, USER_AGENT " MyApp (https://myapp.example)" },
                "" } },
    { "app name, version and url",
      .client = { .app_name = "MyApp", .app_version = "1.2.3", .app_url = "https://myapp.example/x?y=1" },
      .call = { .method = "GET", .path = "/v1/balance" },
      .want = { .url = API "/v1/balance",
                .headers = { AUTH_SECRET, USER_AGENT " MyApp/1.2.3 (https://myapp.example/x?y=1)" },
                "" } },
    { "app_name with spaces and '#' is sent as it is (a header value may hold them)",
      .client = { .app_name = "My Till #2" },
      .call = { .method = "GET", .path = "/v1/balance" },
      .want = { .url = API "/v1/balance",
                .headers = { AUTH_SECRET, USER_AGENT " My Till #2" },
                "" } },
    { "app_version and app_url without app_name are not sent",
      .client = { .app_version = "1.2.3", .app_url = "https://myapp.example" },
      .call = { .method = "GET", .path = "/v1/balance" },
      .want = { .url = API "/v1/balance", .headers = { AUTH_SECRET, USER_AGENT }, "" } },
    { "api_base replaces https://api.stripe.com",
      .client = { .api_base = "http://127.0.0.1:12111" },
      .call = { .method = "GET", .path = "/v1/balance" },
      .want = { .url = "http://127.0.0.1:12111/v1/balance",
                .headers = { AUTH_SECRET, USER_AGENT }, "" } },
    { "one trailing '/' of api_base is dropped",
      .client = { .api_base = "http://127.0.0.1:12111/" },
      .call = { .method = "GET", .path = "/v1/balance" },
      .want = { .url = "http://127.0.0.1:12111/v1/balance",
                .headers = { AUTH_SECRET, USER_AGENT }, "" } },
    { "only one trailing '/' of api_base is dropped",
      .client = { .api_base = "http://127.0.0.1:12111//" },
      .call = { .method = "GET", .path = "/v1/balance" },
      .want = { .url = "http://127.0.0.1:12111//v1/balance",
                .headers = { AUTH_SECRET, USER_AGENT }, "" } },
    { "the client's timeout_ms is handed to the transport",
      .client = { .timeout_ms = 5000 },
      .call = { .method = "GET", .path = "/v1/balance" },
      .want = { .url = API "/v1/balance", .headers = { AUTH_SECRET, USER_AGENT }, "", 5000 } },
    { "everything at once, in order",
      .client = { .api_base = "https://api.example.test/", .stripe_version = "2020-08-27", .app_name = "Till",
                  .app_version = "7", .app_url = "https://till.example", .timeout_ms = 1 },
      .call = POST_CHARGE(.access_token = ACCESS_TOKEN, .stripe_account = "acct_3", .idempotency_key = "k-3"),
      .want = { .url = "https://api.example.test/v1/charges",
                .headers = { AUTH_TOKEN, CONTENT_TYPE, USER_AGENT " Till/7 (https://till.example)",
                  "Stripe-Version: 2020-08-27", "Stripe-Account: acct_3", IDEMPOTENCY("k-3") },
                "amount=2000&currency=usd", 1 } },
};

static void check_request(const recorded_attempt *got, const char *method, const expected_request *want)
{
    size_t i, want_count = 0;
    CHECK(!got->too_big);
    CHECK_STR(got->method, method);
    CHECK_STR(got->url, want->url);
    while (want_count < RECORDED_HEADERS_MAX && want->headers[want_count] != NULL) want_count++;
    CHECK_INT(got->header_count, want_count);
    for (i = 0; i < got->header_count && i < want_count; i++) CHECK_STR(got->headers[i], want->headers[i]);
    CHECK_MEM(got->body, got->body_len, want->body, strlen(want->body));
    CHECK_INT(got->timeout_ms, want->timeout_ms != 0 ? want->timeout_ms : 80000);
    /* the keys never travel in a URL */
    check_not_in("the URL", got->url, strlen(got->url), SECRET_KEY);
    check_not_in("the URL", got->url, strlen(got->url), ACCESS_TOKEN);
}

static void run_request_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof request_cases / sizeof request_cases[0]; i++) {
        const request_case *row = &request_cases[i];
        stripe_connect_client c;
        stripe_connect_api_params p = params_of(&row->call);
        stripe_connect_error err;
        size_t out_len = 99999, h;
        int generated = strcmp(row->call.method, "POST") == 0 && row->call.idempotency_key == NULL;
        test_begin(row->name);
        client_setup(&c, NULL);
        apply_options(&c, &row->client);
        memset(&err, 0xAA, sizeof err);

        CHECK_RESULT(stripe_connect_api_request(&c, &p, out_arena, OUT_SIZE, &out_len, &err), STRIPE_CONNECT_OK);
        CHECK_INT(mock.calls, 1);
        check_request(&mock.attempts[0], row->call.method, &row->want);
        /* the key of the other side is in no header */
        for (h = 0; h < mock.attempts[0].header_count; h++)
            check_not_in("a header", mock.attempts[0].headers[h], strlen(mock.attempts[0].headers[h]),
                         row->call.access_token != NULL ? SECRET_KEY : ACCESS_TOKEN);
        CHECK(mock.attempts[0].url_in_work);
        CHECK(mock.attempts[0].body_is_out);
        CHECK_INT(mock.attempts[0].body_cap, OUT_SIZE - 1);
        /* a generated key draws exactly its 16 bytes; nothing else is drawn without a retry */
        CHECK_INT(rng.drawn, generated ? 16 : 0);
        CHECK_INT(sleeper.calls, 0);
        CHECK_INT(out_len, strlen(CHARGE_200));
        CHECK_STR(out_arena, CHARGE_200);
        check_out_guard(OUT_SIZE);
        check_error_empty(&err, 200);
        CHECK_FIELD(err.request_id, "");
        check_wiped(&c);
        test_end();
    }
}

/* ---- Retries: which answers are tried again, and how often -------------------------------------- */

#define HTML_500 "<html><body>Internal Server Error</body></html>"

typedef struct retry_case {
    const char *name;
    const char *method;                /* NULL: POST /v1/charges; else GET /v1/balance */
    int no_sleep;                      /* c->sleep = NULL */
    int set_retries, max_retries;      /* set_retries: c->max_retries = max_retries; else client_init's 2 */
    answer script[SCRIPT_MAX];
    int want_attempts;
    stripe_connect_result want;
    int want_status;                   /* err->http_status */
    const char *want_request_id;       /* NULL: not checked */
} retry_case;

#define RETRIES(n) .set_retries = 1, .max_retries = (n)
#define UNAVAILABLE ANSWER(503, API_ERROR_503)

static const retry_case retry_cases[] = {
    /* which answers are retried */
    { "503 every time: 1 + max_retries (2) attempts, then ERR_API 503",
      .script = { UNAVAILABLE }, .want_attempts = 3, .want = STRIPE_CONNECT_ERR_API, .want_status = 503 },
    { "500 without a Stripe error every time: 3 attempts, then ERR_HTTP_STATUS",
      .script = { ANSWER(500, HTML_500) }, .want_attempts = 3, .want = STRIPE_CONNECT_ERR_HTTP_STATUS,
      .want_status = 500 },
    { "503 then 200: 2 attempts, OK",
      .script = { UNAVAILABLE, ANSWER(200, CHARGE_200) }, .want_attempts = 2, .want = STRIPE_CONNECT_OK,
      .want_status = 200 },
    { "500, 502 then 201: 3 attempts, OK",
      .script = { ANSWER(500, HTML_500), ANSWER(502, "Bad Gateway"), ANSWER(201, CHARGE_200) },
      .want_attempts = 3, .want = STRIPE_CONNECT_OK, .want_status = 201 },
    { "599 is retried like every status >= 500",
      .script = { ANSWER(599, ""), ANSWER(200, CHARGE_200) }, .want_attempts = 2, .want = STRIPE_CONNECT_OK,
      .want_status = 200 },
    { "409 is retried",
      .script = { ANSWER(409, CONFLICT_409), ANSWER(200, CHARGE_200) }, .want_attempts = 2,
      .want = STRIPE_CONNECT_OK, .want_status = 200 },
    { "409 every time: 3 attempts, then ERR_API 409",
      .script = { ANSWER(409, CONFLICT_409) }, .want_attempts = 3, .want = STRIPE_CONNECT_ERR_API,
      .want_status = 409 },
    { "429 with error.code lock_timeout is retried",
      .script = { ANSWER(429, LOCK_TIMEOUT_429), ANSWER(200, CHARGE_200) }, .want_attempts = 2,
      .want = STRIPE_CONNECT_OK, .want_status = 200 },
    { "429 with another code (rate_limit) is not retried",
      .script = { ANSWER(429, RATE_LIMIT_429), ANSWER(200, CHARGE_200) }, .want_attempts = 1,
      .want = STRIPE_CONNECT_ERR_API, .want_status = 429 },
    { "429 without a Stripe error body is not retried",
      .script = { ANSWER(429, "Too Many Requests"), ANSWER(200, CHARGE_200) }, .want_attempts = 1,
      .want = STRIPE_CONNECT_ERR_HTTP_STATUS, .want_status = 429 },
    { "429 lock_timeout with Stripe-Should-Retry: false is not retried",
      .script = { ANSWER_SR(429, LOCK_TIMEOUT_429, 0), ANSWER(200, CHARGE_200) }, .want_attempts = 1,
      .want = STRIPE_CONNECT_ERR_API, .want_status = 429 },
    { "409 with Stripe-Should-Retry: false is not retried",
      .script = { ANSWER_SR(409, CONFLICT_409, 0), ANSWER(200, CHARGE_200) }, .want_attempts = 1,
      .want = STRIPE_CONNECT_ERR_API, .want_status = 409 },
    { "500 with Stripe-Should-Retry: false is not retried",
      .script = { ANSWER_SR(500, API_ERROR_503, 0), ANSWER(200, CHARGE_200) }, .want_attempts = 1,
      .want = STRIPE_CONNECT_ERR_API, .want_status = 500 },
    { "503 with Stripe-Should-Retry: true is retried",
      .script = { ANSWER_SR(503, API_ERROR_503, 1), ANSWER(200, CHARGE_200) }, .want_attempts = 2,
      .want = STRIPE_CONNECT_OK, .want_status = 200 },
    { "400 with Stripe-Should-Retry: true is retried, whatever the status",
      .script = { ANSWER_SR(400, NOT_FOUND_404, 1), ANSWER(200, CHARGE_200) }, .want_attempts = 2,
      .want = STRIPE_CONNECT_OK, .want_status = 200 },
    { "402 with Stripe-Should-Retry: true every time: 3 attempts",
      .script = { ANSWER_SR(402, CARD_ERROR_BODY, 1) }, .want_attempts = 3, .want = STRIPE_CONNECT_ERR_API,
      .want_status = 402 },
    { "400 is not retried",
      .script = { ANSWER(400, NOT_FOUND_404), ANSWER(200, CHARGE_200) }, .want_attempts = 1,
      .want = STRIPE_CONNECT_ERR_API, .want_status = 400 },
    { "401 is not retried",
      .script = { ANSWER(401, "{\"error\":{\"type\":\"invalid_request_error\"}}"), ANSWER(200, CHARGE_200) },
      .want_attempts = 1, .want = STRIPE_CONNECT_ERR_API, .want_status = 401 },
    { "402 is not retried",
      .script = { ANSWER(402, CARD_ERROR_BODY), ANSWER(200, CHARGE_200) }, .want_attempts = 1,
      .want = STRIPE_CONNECT_ERR_API, .want_status = 402 },
    { "404 is not retried",
      .script = { ANSWER(404, NOT_FOUND_404), ANSWER(200, CHARGE_200) }, .want_attempts = 1,
      .want = STRIPE_CONNECT_ERR_API, .want_status = 404 },
    { "404 with Stripe-Should-Retry: false is not retried",
      .script = { ANSWER_SR(404, NOT_FOUND_404, 0), ANSWER(200, CHARGE_200) }, .want_attempts = 1,
      .want = STRIPE_CONNECT_ERR_API, .want_status = 404 },
    { "a 503 then a 404: the retry stops at the 404",
      .script = { UNAVAILABLE, ANSWER(404, NOT_FOUND_404), ANSWER(200, CHARGE_200) }, .want_attempts = 2,
      .want = STRIPE_CONNECT_ERR_API, .want_status = 404 },
    { "a 200 that is not JSON is not retried",
      .script = { ANSWER(200, "<html>"), ANSWER(200, CHARGE_200) }, .want_attempts = 1,
      .want = STRIPE_CONNECT_ERR_MALFORMED_JSON, .want_status = 200 },
    /* failures the transport reports */
    { "ERR_TRANSPORT then 200: 2 attempts, OK",
      .script = { FAILURE(STRIPE_CONNECT_ERR_TRANSPORT), ANSWER(200, CHARGE_200) }, .want_attempts = 2,
      .want = STRIPE_CONNECT_OK, .want_status = 200 },
    { "ERR_TIMEOUT then 200: 2 attempts, OK",
      .script = { FAILURE(STRIPE_CONNECT_ERR_TIMEOUT), ANSWER(200, CHARGE_200) }, .want_attempts = 2,
      .want = STRIPE_CONNECT_OK, .want_status = 200 },
    { "ERR_TRANSPORT every time: 3 attempts, ERR_TRANSPORT, http_status 0",
      .script = { FAILURE(STRIPE_CONNECT_ERR_TRANSPORT) }, .want_attempts = 3,
      .want = STRIPE_CONNECT_ERR_TRANSPORT, .want_status = 0 },
    { "ERR_TIMEOUT every time: 3 attempts, ERR_TIMEOUT, http_status 0",
      .script = { FAILURE(STRIPE_CONNECT_ERR_TIMEOUT) }, .want_attempts = 3,
      .want = STRIPE_CONNECT_ERR_TIMEOUT, .want_status = 0 },
    { "GET: ERR_TIMEOUT every time: 3 attempts",
      .method = "GET", .script = { FAILURE(STRIPE_CONNECT_ERR_TIMEOUT) }, .want_attempts = 3,
      .want = STRIPE_CONNECT_ERR_TIMEOUT, .want_status = 0 },
    { "ERR_TLS is not retried",
      .script = { FAILURE(STRIPE_CONNECT_ERR_TLS), ANSWER(200, CHARGE_200) }, .want_attempts = 1,
      .want = STRIPE_CONNECT_ERR_TLS, .want_status = 0 },
    { "ERR_RESPONSE_TOO_LARGE is not retried",
      .script = { FAILURE(STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE), ANSWER(200, CHARGE_200) },
      .want_attempts = 1, .want = STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE, .want_status = 0 },
    { "a timeout, a 503, then a TLS failure: 3 attempts, ERR_TLS",
      .script = { FAILURE(STRIPE_CONNECT_ERR_TIMEOUT), UNAVAILABLE, FAILURE(STRIPE_CONNECT_ERR_TLS) },
      .want_attempts = 3, .want = STRIPE_CONNECT_ERR_TLS, .want_status = 0 },
    /* how often */
    { "no sleep callback: exactly one attempt for a 503",
      .no_sleep = 1, .script = { UNAVAILABLE, ANSWER(200, CHARGE_200) }, .want_attempts = 1,
      .want = STRIPE_CONNECT_ERR_API, .want_status = 503 },
    { "no sleep callback: exactly one attempt for a timeout",
      .no_sleep = 1, .script = { FAILURE(STRIPE_CONNECT_ERR_TIMEOUT), ANSWER(200, CHARGE_200) },
      .want_attempts = 1, .want = STRIPE_CONNECT_ERR_TIMEOUT, .want_status = 0 },
    { "max_retries 0: exactly one attempt",
      RETRIES(0), .script = { UNAVAILABLE, ANSWER(200, CHARGE_200) }, .want_attempts = 1,
      .want = STRIPE_CONNECT_ERR_API, .want_status = 503 },
    { "max_retries 1: two attempts",
      RETRIES(1), .script = { UNAVAILABLE }, .want_attempts = 2, .want = STRIPE_CONNECT_ERR_API,
      .want_status = 503 },
    { "max_retries 5: six attempts",
      RETRIES(5), .script = { UNAVAILABLE }, .want_attempts = 6, .want = STRIPE_CONNECT_ERR_API,
      .want_status = 503 },
    { "max_retries 5, success on the fourth attempt: four attempts",
      RETRIES(5), .script = { UNAVAILABLE, ANSWER(409, CONFLICT_409), FAILURE(STRIPE_CONNECT_ERR_TRANSPORT),
                              ANSWER(200, CHARGE_200) },
      .want_attempts = 4, .want = STRIPE_CONNECT_OK, .want_status = 200 },
    { "GET is retried too",
      .method = "GET", .script = { UNAVAILABLE, ANSWER(200, CHARGE_200) }, .want_attempts = 2,
      .want = STRIPE_CONNECT_OK, .want_status = 200 },
    /* the Request-Id is the last attempt's */
    { "err->request_id is the last attempt's",
      .script = { ANSWER_ID(503, API_ERROR_503, "req_first"), ANSWER_ID(200, CHARGE_200, "req_second") },
      .want_attempts = 2, .want = STRIPE_CONNECT_OK, .want_status = 200, .want_request_id = "req_second" },
    { "err->request_id is \"\" when the last attempt had none",
      .script = { ANSWER_ID(503, API_ERROR_503, "req_first"), ANSWER(200, CHARGE_200) },
      .want_attempts = 2, .want = STRIPE_CONNECT_OK, .want_status = 200, .want_request_id = "" },
    { "err->request_id of the last failed attempt",
      .script = { ANSWER_ID(503, API_ERROR_503, "req_a"), ANSWER_ID(503, API_ERROR_503, "req_b"),
                  ANSWER_ID(503, API_ERROR_503, "req_c") },
      .want_attempts = 3, .want = STRIPE_CONNECT_ERR_API, .want_status = 503, .want_request_id = "req_c" },
};

static void run_retry_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof retry_cases / sizeof retry_cases[0]; i++) {
        const retry_case *row = &retry_cases[i];
        stripe_connect_client c;
        api_call k;
        stripe_connect_api_params p;
        stripe_connect_error err;
        size_t out_len = 99999;
        int a, post = row->method == NULL;
        test_begin(row->name);
        memset(&k, 0, sizeof k);
        k.method = post ? "POST" : row->method;
        k.path = post ? "/v1/charges" : "/v1/balance";
        k.params = post ? "amount=2000&currency=usd" : NULL;
        p = params_of(&k);
        client_setup(&c, row->script);
        if (row->no_sleep) c.sleep = NULL;
        if (row->set_retries) c.max_retries = row->max_retries;
        memset(&err, 0xAA, sizeof err);

        CHECK_RESULT(stripe_connect_api_request(&c, &p, out_arena, OUT_SIZE, &out_len, &err), row->want);
        CHECK_INT(mock.calls, row->want_attempts);
        CHECK_INT(sleeper.calls, row->want_attempts - 1);
        CHECK_INT(err.http_status, row->want_status);
        if (row->want_request_id != NULL) CHECK_FIELD(err.request_id, row->want_request_id);
        /* every attempt sends the same bytes: URL, headers (the one generated key), body */
        if (post && mock.attempts[0].header_count > 0)
            CHECK_STR(mock.attempts[0].headers[mock.attempts[0].header_count - 1],
                      IDEMPOTENCY(KEY_FROM_COUNTER));
        for (a = 1; a < mock.calls && a < ATTEMPTS_MAX; a++) check_same_attempt(&mock.attempts[0], &mock.attempts[a]);
        /* 16 bytes for the POST's key, then two per retry for the jitter */
        CHECK_INT(rng.drawn, (post ? 16 : 0) + 2 * (row->want_attempts - 1));
        if (row->want == STRIPE_CONNECT_OK) {
            CHECK_STR(out_arena, CHARGE_200);
            CHECK_INT(out_len, strlen(CHARGE_200));
        }
        check_out_guard(OUT_SIZE);
        check_wiped(&c);
        test_end();
    }
}

/* ---- Backoff: the exact waits -------------------------------------------------------------------

   Before retry n (1, 2, ...): base = min(500 * 2^(n-1), 5000) ms; two bytes b0, b1 drawn from
   c->random after the idempotency key's 16 bytes, j = b0 * 256 + b1, ms = base/2 +
   (base/2) * j / 65536 in integers, then at least 500. GET and DELETE without a random callback:
   ms = base. The expected sequences were computed by hand and checked with

   python3 -c "
   def waits(stream, n, start):
       out = []
       for k in range(1, n + 1):
           base = min(500 * 2 ** (k - 1), 5000); b0, b1 = stream[start + 2*k - 2], stream[start + 2*k - 1]
           out.append(max(base // 2 + (base // 2) * (b0 * 256 + b1) // 65536, 500))
       return out
   counter = [i & 255 for i in range(64)]
   print(waits([0] * 64, 7, 16), waits([255] * 64, 5, 16), waits(counter, 5, 16), waits(counter, 5, 0))"

   e.g. the counter stream, POST, retry 2: bytes 18, 19: j = 0x1213 = 4627, base 1000:
   500 + 500 * 4627 / 65536 = 500 + 35 = 535 (the bytes swapped, 0x1312, would give 537). */

typedef struct backoff_case {
    const char *name;
    const char *method;                  /* "POST" /v1/charges, "GET" or "DELETE" /v1/customers/cus_1 */
    const char *idempotency_key;         /* given, or NULL */
    stream_kind stream;
    int no_random;
    int set_retries, max_retries;
    unsigned long want_sleeps[SLEEPS_MAX];   /* 0 ends */
    size_t want_drawn;
    const char *want_key_header;         /* the last header of every attempt; NULL: no Idempotency-Key */
    int failing_random;                  /* 1: the random callback fails at every call */
} backoff_case;

static const backoff_case backoff_cases[] = {
    { "POST, a stream of 0x00, max_retries 5: waits 500 500 1000 2000 2500",
      "POST", NULL, STREAM_ZEROS, 0, RETRIES(5), { 500, 500, 1000, 2000, 2500 }, 16 + 10,
      IDEMPOTENCY(KEY_FROM_ZEROS) },
    { "POST, a stream of 0xFF, max_retries 5: waits 500 999 1999 3999 4999",
      "POST", NULL, STREAM_FFS, 0, RETRIES(5), { 500, 999, 1999, 3999, 4999 }, 16 + 10,
      IDEMPOTENCY(KEY_FROM_FFS) },
    { "POST, the counter stream: the key takes bytes 0..15, the jitter 16.. (b0 high): 500 535 1078 2172 2735",
      "POST", NULL, STREAM_COUNTER, 0, RETRIES(5), { 500, 535, 1078, 2172, 2735 }, 16 + 10,
      IDEMPOTENCY(KEY_FROM_COUNTER) },
    { "POST with a given key: the jitter takes bytes 0..: 500 503 1015 2047 2578",
      "POST", "order-77", STREAM_COUNTER, 0, RETRIES(5), { 500, 503, 1015, 2047, 2578 }, 10,
      IDEMPOTENCY("order-77") },
    { "GET, the counter stream: the jitter takes bytes 0..: 500 503 1015 2047 2578",
      "GET", NULL, STREAM_COUNTER, 0, RETRIES(5), { 500, 503, 1015, 2047, 2578 }, 10, NULL },
    { "DELETE, a stream of 0xFF: 500 999 1999 3999 4999",
      "DELETE", NULL, STREAM_FFS, 0, RETRIES(5), { 500, 999, 1999, 3999, 4999 }, 10, NULL },
    { "POST, a stream of 0x00, max_retries 7: the base stays at 5000 after the fifth retry",
      "POST", NULL, STREAM_ZEROS, 0, RETRIES(7), { 500, 500, 1000, 2000, 2500, 2500, 2500 }, 16 + 14,
      IDEMPOTENCY(KEY_FROM_ZEROS) },
    { "GET without a random callback: no jitter, waits 500 1000 2000 4000 5000 5000 5000",
      "GET", NULL, STREAM_COUNTER, 1, RETRIES(7), { 500, 1000, 2000, 4000, 5000, 5000, 5000 }, 0, NULL },
    { "DELETE without a random callback: no jitter, waits 500 1000 2000",
      "DELETE", NULL, STREAM_COUNTER, 1, RETRIES(3), { 500, 1000, 2000 }, 0, NULL },
    { "GET with a random callback that fails: no jitter, waits 500 1000 2000",
      "GET", NULL, STREAM_COUNTER, 0, RETRIES(3), { 500, 1000, 2000 }, 0, NULL, .failing_random = 1 },
    { "POST with a given key and a random callback that fails: no jitter, waits 500 1000",
      "POST", "order-77", STREAM_COUNTER, 0, RETRIES(2), { 500, 1000 }, 0, IDEMPOTENCY("order-77"),
      .failing_random = 1 },
    { "client_init's max_retries (2), a stream of 0xFF: waits 500 999",
      "POST", NULL, STREAM_FFS, 0, 0, 0, { 500, 999 }, 16 + 4, IDEMPOTENCY(KEY_FROM_FFS), 0 },
    { "max_retries 0: no wait, only the key drawn",
      "POST", NULL, STREAM_ZEROS, 0, RETRIES(0), { 0 }, 16, IDEMPOTENCY(KEY_FROM_ZEROS) },
};

static void run_backoff_cases(void)
{
    static const answer always_503[] = { UNAVAILABLE, { 0 } };
    size_t i, n, want_count;
    for (i = 0; i < sizeof backoff_cases / sizeof backoff_cases[0]; i++) {
        const backoff_case *row = &backoff_cases[i];
        stripe_connect_client c;
        api_call k;
        stripe_connect_api_params p;
        stripe_connect_error err;
        size_t out_len = 99999;
        int a;
        test_begin(row->name);
        memset(&k, 0, sizeof k);
        k.method = row->method;
        k.path = strcmp(row->method, "POST") == 0 ? "/v1/charges" : "/v1/customers/cus_1";
        k.params = strcmp(row->method, "POST") == 0 ? "amount=2000&currency=usd" : "expand[]=x";
        k.idempotency_key = row->idempotency_key;
        p = params_of(&k);
        client_setup(&c, always_503);
        rng.kind = row->stream;
        if (row->no_random) c.random = NULL;
        rng.fail = row->failing_random;
        if (row->set_retries) c.max_retries = row->max_retries;
        for (want_count = 0; want_count < SLEEPS_MAX && row->want_sleeps[want_count] != 0; want_count++) {}

        CHECK_RESULT(stripe_connect_api_request(&c, &p, out_arena, OUT_SIZE, &out_len, &err),
                     STRIPE_CONNECT_ERR_API);
        CHECK_INT(mock.calls, want_count + 1);
        CHECK_INT(sleeper.calls, want_count);
        for (n = 0; n < want_count && n < (size_t)sleeper.calls; n++) {
            if (sleeper.ms[n] != row->want_sleeps[n]) {
                char message[128];
                snprintf(message, sizeof message, "wait before retry %lu is %lu ms, want %lu",
                         (unsigned long)(n + 1), sleeper.ms[n], row->want_sleeps[n]);
                test_fail(__FILE__, __LINE__, message);
            }
        }
        CHECK_INT(rng.drawn, row->want_drawn);
        for (a = 0; a < mock.calls && a < ATTEMPTS_MAX; a++) {
            const recorded_attempt *r = &mock.attempts[a];
            if (r->header_count == 0) { test_fail(__FILE__, __LINE__, "no headers"); break; }
            if (row->want_key_header != NULL) CHECK_STR(r->headers[r->header_count - 1], row->want_key_header);
            else CHECK(strncmp(r->headers[r->header_count - 1], "Idempotency-Key:", 16) != 0);
            if (a > 0) check_same_attempt(&mock.attempts[0], r);
        }
        CHECK_INT(err.http_status, 503);
        check_wiped(&c);
        test_end();
    }
}

/* ---- Answers: what each one turns into ----------------------------------------------------------
   One attempt each (no sleep callback), so that the answer alone decides. */

typedef enum out_rule {
    OUT_BODY = 0,     /* out holds the body exactly, *out_len its length */
    OUT_EMPTY,        /* out holds "", *out_len 0 */
    OUT_UNCHECKED
} out_rule;

#define ANY_STATUS (-1)   /* a transport that lied sent no trustworthy status */

typedef struct result_case {
    const char *name;
    answer answer;
    stripe_connect_result want;
    int want_status;
    out_rule out;
    const char *type, *code, *decline_code, *param, *message, *request_id;   /* NULL means "" */
    stripe_connect_oauth_error oauth_error;   /* 0: OAUTH_NONE */
} result_case;

static const result_case result_cases[] = {
    { "200 with a JSON object: OK, out holds the body, err empty with http_status 200",
      ANSWER_ID(200, CHARGE_200, "req_8RqVmKJ3xY"), STRIPE_CONNECT_OK, 200, .out = OUT_BODY,
      .request_id = "req_8RqVmKJ3xY" },
    { "201 is OK", ANSWER(201, CHARGE_200), STRIPE_CONNECT_OK, 201, .out = OUT_BODY },
    { "299 is OK", ANSWER(299, "{}"), STRIPE_CONNECT_OK, 299, .out = OUT_BODY },
    { "200 with a top-level array is OK", ANSWER(200, "[1,2]"), STRIPE_CONNECT_OK, 200, .out = OUT_BODY },
    { "200 with whitespace around the JSON is OK, the body as it came",
      ANSWER(200, " \r\n\t{\"a\":[true,false,null,-1.5e3]}\n"), STRIPE_CONNECT_OK, 200, .out = OUT_BODY },
    { "a Request-Id of 64 bytes without a NUL comes out cut to 63 and terminated",
      { .respond = 1, .status = 200, .body = CHARGE_200, .request_id_fills_all = 1, .should_retry = -1 },
      STRIPE_CONNECT_OK, 200, .out = OUT_BODY,
      .request_id = "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr" },
    { "what a transport left after the Request-Id's NUL does not reach err->request_id",
      { .respond = 1, .status = 200, .body = CHARGE_200, .request_id = "req_short", .request_id_junk_after = 1,
        .should_retry = -1 },
      STRIPE_CONNECT_OK, 200, .out = OUT_BODY, .request_id = "req_short" },
    { "200 with a top-level error object is OK: only a non-2xx answer is an API error",
      ANSWER(200, "{\"id\":\"evt_1\",\"error\":{\"type\":\"card_error\",\"message\":\"old\"}}"),
      STRIPE_CONNECT_OK, 200, .out = OUT_BODY },
    { "200 that is not JSON is ERR_MALFORMED_JSON", ANSWER(200, "<html>OK</html>"),
      STRIPE_CONNECT_ERR_MALFORMED_JSON, 200, .out = OUT_UNCHECKED },
    { "200 with an empty body is ERR_MALFORMED_JSON", ANSWER(200, ""),
      STRIPE_CONNECT_ERR_MALFORMED_JSON, 200, .out = OUT_UNCHECKED },
    { "200 with a cut-off object is ERR_MALFORMED_JSON", ANSWER(200, "{\"id\":\"ch_1\""),
      STRIPE_CONNECT_ERR_MALFORMED_JSON, 200, .out = OUT_UNCHECKED },
    { "200 with trailing garbage is ERR_MALFORMED_JSON", ANSWER(200, "{\"id\":\"ch_1\"} {}"),
      STRIPE_CONNECT_ERR_MALFORMED_JSON, 200, .out = OUT_UNCHECKED },
    { "200 with invalid UTF-8 is ERR_MALFORMED_JSON", ANSWER(200, "{\"id\":\"\xC3\x28\"}"),
      STRIPE_CONNECT_ERR_MALFORMED_JSON, 200, .out = OUT_UNCHECKED },
    { "402 card error: ERR_API with type, code, decline_code, param, message, request id; nested members "
      "and doc_url ignored; the body in out",
      ANSWER_ID(402, CARD_ERROR_BODY, "req_card"), STRIPE_CONNECT_ERR_API, 402, .out = OUT_BODY,
      .type = "card_error", .code = "card_declined", .decline_code = "insufficient_funds", .param = "source",
      .message = "Your card has insufficient funds.", .request_id = "req_card" },
    { "404 resource_missing: ERR_API", ANSWER(404, NOT_FOUND_404), STRIPE_CONNECT_ERR_API, 404, .out = OUT_BODY,
      .type = "invalid_request_error", .code = "resource_missing", .param = "id",
      .message = "No such account: 'acct_x'" },
    { "401 with only a type and a message: the other fields \"\"",
      ANSWER(401, "{\"error\":{\"message\":\"Invalid API Key provided: sk_test_****\","
                  "\"type\":\"invalid_request_error\"}}"),
      STRIPE_CONNECT_ERR_API, 401, .out = OUT_BODY, .type = "invalid_request_error",
      .message = "Invalid API Key provided: sk_test_****" },
    { "400 with an escaped message: unescaped into err->message",
      ANSWER(400, "{\"error\":{\"type\":\"invalid_request_error\",\"message\":"
                  "\"Caf\\u00e9 \\\"quoted\\\" a\\/b\\n\\ud83d\\ude00\"}}"),
      STRIPE_CONNECT_ERR_API, 400, .out = OUT_BODY, .type = "invalid_request_error",
      .message = "Caf\xC3\xA9 \"quoted\" a/b\n\xF0\x9F\x98\x80" },
    { "400 with an empty error object: ERR_API, every field \"\"",
      ANSWER(400, "{\"error\":{}}"), STRIPE_CONNECT_ERR_API, 400, .out = OUT_BODY },
    { "401 with an OAuth-style error string: ERR_API with err->code, message and oauth_error; the body in out",
      ANSWER(401, "{\"error\":\"invalid_client\",\"error_description\":\"No such application: 'ca_1'\"}"),
      STRIPE_CONNECT_ERR_API, 401, .out = OUT_BODY, .code = "invalid_client",
      .message = "No such application: 'ca_1'", .oauth_error = STRIPE_CONNECT_OAUTH_INVALID_CLIENT },
    { "402 with non-string error fields: ERR_API, those fields \"\"",
      ANSWER(402, "{\"error\":{\"type\":\"card_error\",\"code\":402,\"message\":null}}"),
      STRIPE_CONNECT_ERR_API, 402, .out = OUT_BODY, .type = "card_error" },
    { "500 with HTML: ERR_HTTP_STATUS, the body in out", ANSWER_ID(500, HTML_500, "req_html"),
      STRIPE_CONNECT_ERR_HTTP_STATUS, 500, .out = OUT_BODY, .request_id = "req_html" },
    { "404 with an empty body: ERR_HTTP_STATUS", ANSWER(404, ""),
      STRIPE_CONNECT_ERR_HTTP_STATUS, 404, .out = OUT_BODY },
    { "400 with JSON but no error member: ERR_HTTP_STATUS", ANSWER(400, "{\"message\":\"bad\"}"),
      STRIPE_CONNECT_ERR_HTTP_STATUS, 400, .out = OUT_BODY },
    { "400 with an error object in a cut-off document: ERR_HTTP_STATUS",
      ANSWER(400, "{\"error\":{\"type\":\"invalid_request_error\"}"),
      STRIPE_CONNECT_ERR_HTTP_STATUS, 400, .out = OUT_BODY },
    { "302: ERR_HTTP_STATUS", ANSWER(302, ""), STRIPE_CONNECT_ERR_HTTP_STATUS, 302, .out = OUT_BODY },
    { "status 100 is an HTTP status, not a lie", ANSWER(100, ""),
      STRIPE_CONNECT_ERR_HTTP_STATUS, 100, .out = OUT_BODY },
    { "status 599 is an HTTP status, not a lie", ANSWER(599, "x"),
      STRIPE_CONNECT_ERR_HTTP_STATUS, 599, .out = OUT_BODY },
    /* failures the transport reports: passed through, out "" */
    { "the transport's ERR_TRANSPORT is returned, http_status 0, out \"\"",
      FAILURE(STRIPE_CONNECT_ERR_TRANSPORT), STRIPE_CONNECT_ERR_TRANSPORT, 0, .out = OUT_EMPTY },
    { "the transport's ERR_TIMEOUT is returned", FAILURE(STRIPE_CONNECT_ERR_TIMEOUT),
      STRIPE_CONNECT_ERR_TIMEOUT, 0, .out = OUT_EMPTY },
    { "the transport's ERR_TLS is returned", FAILURE(STRIPE_CONNECT_ERR_TLS), STRIPE_CONNECT_ERR_TLS, 0,
      .out = OUT_EMPTY },
    { "the transport's ERR_RESPONSE_TOO_LARGE is returned", FAILURE(STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE),
      STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE, 0, .out = OUT_EMPTY },
    { "a timeout after part of a body arrived: ERR_TIMEOUT, out \"\"",
      { .respond = 1, .result = STRIPE_CONNECT_ERR_TIMEOUT, .status = 200, .body = CHARGE_200,
        .should_retry = -1 },
      STRIPE_CONNECT_ERR_TIMEOUT, ANY_STATUS, .out = OUT_EMPTY },
    /* a transport that breaks its contract */
    { "a body_len above body_cap is ERR_TRANSPORT",
      { .respond = 1, .status = 200, .body = CHARGE_200, .body_len_over_cap = 1, .should_retry = -1 },
      STRIPE_CONNECT_ERR_TRANSPORT, ANY_STATUS, .out = OUT_EMPTY },
    { "status 99 is ERR_TRANSPORT", ANSWER(99, CHARGE_200),
      STRIPE_CONNECT_ERR_TRANSPORT, ANY_STATUS, .out = OUT_EMPTY },
    { "status 600 is ERR_TRANSPORT", ANSWER(600, CHARGE_200), STRIPE_CONNECT_ERR_TRANSPORT, ANY_STATUS,
      .out = OUT_EMPTY },
    { "status 0 is ERR_TRANSPORT", ANSWER(0, CHARGE_200),
      STRIPE_CONNECT_ERR_TRANSPORT, ANY_STATUS, .out = OUT_EMPTY },
    { "status -200 is ERR_TRANSPORT", ANSWER(-200, CHARGE_200), STRIPE_CONNECT_ERR_TRANSPORT, ANY_STATUS,
      .out = OUT_EMPTY },
    { "a transport returning ERR_API is ERR_TRANSPORT", LYING_RESULT(STRIPE_CONNECT_ERR_API),
      STRIPE_CONNECT_ERR_TRANSPORT, ANY_STATUS, .out = OUT_EMPTY },
    { "a transport returning ERR_OAUTH is ERR_TRANSPORT", LYING_RESULT(STRIPE_CONNECT_ERR_OAUTH),
      STRIPE_CONNECT_ERR_TRANSPORT, ANY_STATUS, .out = OUT_EMPTY },
    { "a transport returning ERR_INVALID_ARGUMENT is ERR_TRANSPORT",
      LYING_RESULT(STRIPE_CONNECT_ERR_INVALID_ARGUMENT),
      STRIPE_CONNECT_ERR_TRANSPORT, ANY_STATUS, .out = OUT_EMPTY },
    { "a transport returning ERR_BUFFER_TOO_SMALL is ERR_TRANSPORT",
      LYING_RESULT(STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL),
      STRIPE_CONNECT_ERR_TRANSPORT, ANY_STATUS, .out = OUT_EMPTY },
    { "a transport returning ERR_MALFORMED_JSON is ERR_TRANSPORT", LYING_RESULT(STRIPE_CONNECT_ERR_MALFORMED_JSON),
      STRIPE_CONNECT_ERR_TRANSPORT, ANY_STATUS, .out = OUT_EMPTY },
    { "a transport returning ERR_NOT_FOUND is ERR_TRANSPORT", LYING_RESULT(STRIPE_CONNECT_ERR_NOT_FOUND),
      STRIPE_CONNECT_ERR_TRANSPORT, ANY_STATUS, .out = OUT_EMPTY },
    { "a transport returning 1 is ERR_TRANSPORT", LYING_RESULT((stripe_connect_result)1),
      STRIPE_CONNECT_ERR_TRANSPORT, ANY_STATUS, .out = OUT_EMPTY },
    { "a transport returning 12345 is ERR_TRANSPORT", LYING_RESULT((stripe_connect_result)12345),
      STRIPE_CONNECT_ERR_TRANSPORT, ANY_STATUS, .out = OUT_EMPTY },
};

static const char *or_empty(const char *s) { return s != NULL ? s : ""; }

static void run_result_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof result_cases / sizeof result_cases[0]; i++) {
        const result_case *row = &result_cases[i];
        answer script[2];
        stripe_connect_client c;
        stripe_connect_api_params p;
        stripe_connect_error err;
        api_call k;
        size_t out_len = 99999;
        int pass;
        memset(script, 0, sizeof script);
        script[0] = row->answer;
        memset(&k, 0, sizeof k);
        k.method = "GET";
        k.path = "/v1/charges/ch_1";
        p = params_of(&k);
        test_begin(row->name);
        for (pass = 0; pass < 2; pass++) {   /* pass 1: err == NULL gives the same result and out */
            client_setup(&c, script);
            c.sleep = NULL;
            memset(&err, 0xAA, sizeof err);
            out_len = 99999;
            CHECK_RESULT(stripe_connect_api_request(&c, &p, out_arena, OUT_SIZE, &out_len, pass ? NULL : &err),
                         row->want);
            CHECK_INT(mock.calls, 1);
            if (row->out == OUT_BODY) {
                const char *body = or_empty(row->answer.body);
                CHECK_INT(out_len, strlen(body));
                CHECK_MEM(out_arena, out_len < OUT_SIZE ? out_len + 1 : 0, body, strlen(body) + 1);
            } else if (row->out == OUT_EMPTY) {
                CHECK_INT(out_len, 0);
                CHECK_INT(out_arena[0], '\0');
            }
            check_out_guard(OUT_SIZE);
            check_wiped(&c);
            if (pass == 1) break;
            if (row->want_status != ANY_STATUS) CHECK_INT(err.http_status, row->want_status);
            CHECK_INT(err.oauth_error, row->oauth_error);
            CHECK_FIELD(err.type, or_empty(row->type));
            CHECK_FIELD(err.code, or_empty(row->code));
            CHECK_FIELD(err.decline_code, or_empty(row->decline_code));
            CHECK_FIELD(err.param, or_empty(row->param));
            CHECK_FIELD(err.message, or_empty(row->message));
            CHECK_FIELD(err.request_id, or_empty(row->request_id));
            {   /* every byte after the string is zero: nothing else of the transport's comes along */
                size_t at = strlen(or_empty(row->request_id)) + 1;
                while (at < sizeof err.request_id && err.request_id[at] == '\0') at++;
                CHECK_INT(at, sizeof err.request_id);
            }
        }
        test_end();
    }
}

/* ---- The caller's out buffer ------------------------------------------------------------------- */

typedef struct out_case {
    const char *name;
    size_t cap;
    const char *body;
    stripe_connect_result want;
} out_case;

/* sizeof CHARGE_200 is its length + 1 */
static const out_case out_cases[] = {
    { "a body of cap - 1 bytes fits: OK, the NUL at out[cap - 1]", sizeof CHARGE_200, CHARGE_200,
      STRIPE_CONNECT_OK },
    { "a body of cap bytes does not fit: ERR_RESPONSE_TOO_LARGE, out \"\", not retried", sizeof CHARGE_200 - 1,
      CHARGE_200, STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE },
    { "a body far larger than cap: ERR_RESPONSE_TOO_LARGE", 8, CHARGE_200, STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE },
    { "cap 1 and an error body of 2 bytes: ERR_RESPONSE_TOO_LARGE", 1, "{}", STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE },
};

static void run_out_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof out_cases / sizeof out_cases[0]; i++) {
        const out_case *row = &out_cases[i];
        answer script[2];
        stripe_connect_client c;
        stripe_connect_api_params p;
        stripe_connect_error err;
        api_call k;
        size_t out_len = 99999;
        memset(script, 0, sizeof script);
        script[0].respond = 1;
        script[0].status = 200;
        script[0].body = row->body;
        script[0].should_retry = -1;
        memset(&k, 0, sizeof k);
        k.method = "GET";
        k.path = "/v1/charges/ch_1";
        p = params_of(&k);
        test_begin(row->name);
        client_setup(&c, script);
        CHECK_RESULT(stripe_connect_api_request(&c, &p, out_arena, row->cap, &out_len, &err), row->want);
        CHECK_INT(mock.calls, 1);
        CHECK(mock.attempts[0].body_is_out);
        CHECK_INT(mock.attempts[0].body_cap, row->cap - 1);
        if (row->want == STRIPE_CONNECT_OK) {
            CHECK_INT(out_len, strlen(row->body));
            CHECK_MEM(out_arena, row->cap, row->body, strlen(row->body) + 1);
        } else {
            CHECK_INT(out_len, 0);
            CHECK_INT(out_arena[0], '\0');
        }
        check_out_guard(row->cap);
        check_wiped(&c);
        test_end();
    }
}

/* ---- Arguments refused before anything is sent -------------------------------------------------- */

static void no_perform(stripe_connect_client *c) { c->transport.perform = NULL; }
static void no_work(stripe_connect_client *c) { c->work = NULL; }
static void work_size_64(stripe_connect_client *c) { c->work_size = 64; }
static void no_random(stripe_connect_client *c) { c->random = NULL; }
static void failing_random(stripe_connect_client *c) { (void)c; rng.fail = 1; }
static void no_secret_key(stripe_connect_client *c) { c->secret_key = NULL; }
static void secret_key_with_crlf(stripe_connect_client *c) { c->secret_key = SECRET_KEY "\r\nX-Evil: 1"; }
static void stripe_version_with_crlf(stripe_connect_client *c) { c->stripe_version = "2024-06-20\r\nX-Evil: 1"; }
static void api_base_with_lf(stripe_connect_client *c) { c->api_base = "https://api.stripe.com\nX-Evil: 1"; }
static void app_name_with_quote(stripe_connect_client *c) { c->app_name = "My\"App"; }
static void app_name_with_backslash(stripe_connect_client *c) { c->app_name = "My\\App"; }
static void app_name_with_lf(stripe_connect_client *c) { c->app_name = "MyApp\nX-Evil: 1"; }
static void app_name_with_control(stripe_connect_client *c) { c->app_name = "My\x01" "App"; }
static void app_name_with_utf8(stripe_connect_client *c) { c->app_name = "Caf\xC3\xA9"; }
static void app_version_with_quote(stripe_connect_client *c)
{
    c->app_name = "MyApp";
    c->app_version = "1\"";
}
static void app_version_with_cr(stripe_connect_client *c)
{
    c->app_name = "MyApp";
    c->app_version = "1\r\n";
}
static void app_url_with_backslash(stripe_connect_client *c)
{
    c->app_name = "MyApp";
    c->app_url = "https://x.example\\";
}
static void app_url_with_tab(stripe_connect_client *c)
{
    c->app_name = "MyApp";
    c->app_url = "https://x.example/\tx";
}

typedef struct argument_case {
    const char *name;
    void (*change)(stripe_connect_client *c);   /* NULL: the good client */
    api_call call;
    int client_null, params_null, out_len_null;
    stripe_connect_result want;
} argument_case;

#define INVALID STRIPE_CONNECT_ERR_INVALID_ARGUMENT
#define GOOD_POST POST_CHARGE()
#define GET_PATH(p) { .method = "GET", .path = (p) }

static const argument_case argument_cases[] = {
    { "a NULL client", NULL, GOOD_POST, .client_null = 1, .want = INVALID },
    { "NULL params", NULL, GOOD_POST, .params_null = 1, .want = INVALID },
    { "a NULL out_len", NULL, GOOD_POST, .out_len_null = 1, .want = INVALID },
    /* the method */
    { "method NULL", NULL, { .method = NULL, .path = "/v1/charges" }, .want = INVALID },
    { "method \"\"", NULL, { .method = "", .path = "/v1/charges" }, .want = INVALID },
    { "method \"get\" (lower case)", NULL, { .method = "get", .path = "/v1/charges" }, .want = INVALID },
    { "method \"Post\"", NULL, { .method = "Post", .path = "/v1/charges" }, .want = INVALID },
    { "method \"PUT\"", NULL, { .method = "PUT", .path = "/v1/charges" }, .want = INVALID },
    { "method \"PATCH\"", NULL, { .method = "PATCH", .path = "/v1/charges" }, .want = INVALID },
    { "method \"GET \"", NULL, { .method = "GET ", .path = "/v1/charges" }, .want = INVALID },
    { "method \"GETS\"", NULL, { .method = "GETS", .path = "/v1/charges" }, .want = INVALID },
    { "method \"DELETE\\r\\n\"", NULL, { .method = "DELETE\r\n", .path = "/v1/charges" }, .want = INVALID },
    /* the path */
    { "path NULL", NULL, GET_PATH(NULL), .want = INVALID },
    { "path \"\"", NULL, GET_PATH(""), .want = INVALID },
    { "a path without the leading '/'", NULL, GET_PATH("v1/charges"), .want = INVALID },
    { "a path with '#'", NULL, GET_PATH("/v1/charges#x"), .want = INVALID },
    { "a path with a space", NULL, GET_PATH("/v1/char ges"), .want = INVALID },
    { "a path with a tab", NULL, GET_PATH("/v1/charges\t"), .want = INVALID },
    { "a path with CR LF (header injection)", NULL, GET_PATH("/v1/charges HTTP/1.1\r\nX-Evil: 1"),
      .want = INVALID },
    { "a path with LF", NULL, GET_PATH("/v1/charges\n"), .want = INVALID },
    { "a path with 0x01", NULL, GET_PATH("/v1/\x01"), .want = INVALID },
    { "a path with DEL (0x7F)", NULL, GET_PATH("/v1/\x7F"), .want = INVALID },
    { "a POST path with '#'", NULL, { .method = "POST", .path = "/v1/charges#", .idempotency_key = "k" },
      .want = INVALID },
    /* the params: they become the query of a GET or DELETE */
    { "params NULL with params_len 3", NULL, { .method = "GET", .path = "/v1/charges",
                                               .params_len_without_params = 3 }, .want = INVALID },
    { "GET params with CR LF (request-line injection)", NULL,
      { .method = "GET", .path = "/v1/charges", .params = "limit=3 HTTP/1.1\r\nX-Evil: 1" }, .want = INVALID },
    { "DELETE params with '#'", NULL, { .method = "DELETE", .path = "/v1/customers/cus_1", .params = "a=1#b" },
      .want = INVALID },
    /* the keys and the account */
    { "an access_token with CR LF", NULL, POST_CHARGE(.access_token = ACCESS_TOKEN "\r\nX-Evil: 1"),
      .want = INVALID },
    { "an access_token with LF", NULL, POST_CHARGE(.access_token = ACCESS_TOKEN "\n"), .want = INVALID },
    { "an access_token with CR", NULL, POST_CHARGE(.access_token = ACCESS_TOKEN "\r"), .want = INVALID },
    { "a stripe_account with CR LF", NULL, POST_CHARGE(.stripe_account = "acct_1\r\nX-Evil: 1"),
      .want = INVALID },
    { "a stripe_account with LF", NULL, { .method = "GET", .path = "/v1/balance", .stripe_account = "acct_1\n" },
      .want = INVALID },
    { "no secret_key and no access_token", no_secret_key, GOOD_POST, .want = INVALID },
    { "a secret_key with CR LF", secret_key_with_crlf, GOOD_POST, .want = INVALID },
    { "a stripe_version with CR LF", stripe_version_with_crlf, GOOD_POST, .want = INVALID },
    { "an api_base with LF", api_base_with_lf, GOOD_POST, .want = INVALID },
    /* the idempotency key */
    { "an empty idempotency key", NULL, POST_CHARGE(.idempotency_key = ""), .want = INVALID },
    { "an idempotency key of 256 bytes", NULL, POST_CHARGE(.idempotency_key = KEY_256), .want = INVALID },
    { "an idempotency key with a space", NULL, POST_CHARGE(.idempotency_key = "order 1"), .want = INVALID },
    { "an idempotency key with CR LF", NULL, POST_CHARGE(.idempotency_key = "k\r\nX-Evil: 1"), .want = INVALID },
    { "an idempotency key with LF", NULL, POST_CHARGE(.idempotency_key = "k\n"), .want = INVALID },
    { "an idempotency key with a tab", NULL, POST_CHARGE(.idempotency_key = "k\tk"), .want = INVALID },
    { "an idempotency key with DEL (0x7F)", NULL, POST_CHARGE(.idempotency_key = "k\x7F"), .want = INVALID },
    { "an idempotency key with a byte above 0x7F", NULL, POST_CHARGE(.idempotency_key = "caf\xC3\xA9"),
      .want = INVALID },
    { "a GET's idempotency key is checked too", NULL,
      { "GET", "/v1/balance", .idempotency_key = "order 1" }, .want = INVALID },
    { "a DELETE's idempotency key of 256 bytes", NULL,
      { "DELETE", "/v1/customers/cus_1", .idempotency_key = KEY_256 }, .want = INVALID },
    { "a POST without a key and no random callback", no_random, GOOD_POST, .want = INVALID },
    { "a POST without a key and a failing random callback: ERR_RANDOM", failing_random, GOOD_POST,
      .want = STRIPE_CONNECT_ERR_RANDOM },
    /* app info that would break the User-Agent header, or a quoted string or comment in it */
    { "app_name with '\"'", app_name_with_quote, GOOD_POST, .want = INVALID },
    { "app_name with '\\'", app_name_with_backslash, GOOD_POST, .want = INVALID },
    { "app_name with LF", app_name_with_lf, GOOD_POST, .want = INVALID },
    { "app_name with 0x01", app_name_with_control, GOOD_POST, .want = INVALID },
    { "app_name with bytes above 0x7F (UTF-8)", app_name_with_utf8, GOOD_POST, .want = INVALID },
    { "app_version with '\"'", app_version_with_quote, GOOD_POST, .want = INVALID },
    { "app_version with CR LF", app_version_with_cr, GOOD_POST, .want = INVALID },
    { "app_url with '\\'", app_url_with_backslash, GOOD_POST, .want = INVALID },
    { "app_url with a tab", app_url_with_tab, GOOD_POST, .want = INVALID },
    /* the client */
    { "no transport perform", no_perform, GOOD_POST, .want = INVALID },
    { "work NULL", no_work, GOOD_POST, .want = INVALID },
    { "a scratch buffer too small for the request: ERR_BUFFER_TOO_SMALL", work_size_64, GOOD_POST,
      .want = STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL },
};

static void run_argument_cases(void)
{
    size_t i;
    for (i = 0; i < sizeof argument_cases / sizeof argument_cases[0]; i++) {
        const argument_case *row = &argument_cases[i];
        stripe_connect_client c;
        stripe_connect_api_params p = params_of(&row->call);
        stripe_connect_error err;
        size_t out_len = 99999;
        test_begin(row->name);
        client_setup(&c, NULL);
        if (row->change != NULL) row->change(&c);
        memset(&err, 0xAA, sizeof err);

        CHECK_RESULT(stripe_connect_api_request(row->client_null ? NULL : &c, row->params_null ? NULL : &p,
                                                out_arena, OUT_SIZE, row->out_len_null ? NULL : &out_len, &err),
                     row->want);
        CHECK_INT(mock.calls, 0);
        CHECK_INT(sleeper.calls, 0);
        check_error_empty(&err, 0);
        CHECK_FIELD(err.request_id, "");
        check_out_guard(OUT_SIZE);
        if (!row->client_null && c.work != NULL) check_wiped(&c);
        test_end();
    }
}

/* out NULL or cap 0: nothing to put the answer in. */
static void an_out_buffer_of_nothing_is_refused_before_sending(void)
{
    static const struct { char *out; size_t cap; } shapes[] = {
        { NULL, 0 }, { NULL, 100 }, { out_arena, 0 },
    };
    size_t i;
    for (i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        stripe_connect_client c;
        api_call k = GOOD_POST;
        stripe_connect_api_params p = params_of(&k);
        size_t out_len = 99999;
        client_setup(&c, NULL);
        CHECK_RESULT(stripe_connect_api_request(&c, &p, shapes[i].out, shapes[i].cap, &out_len, NULL), INVALID);
        CHECK_INT(mock.calls, 0);
        check_out_guard(0);
        check_wiped(&c);
    }
}

/* Below the smallest work_size that holds the request, every size is
   ERR_BUFFER_TOO_SMALL without a call, wiped, nothing written past work_size;
   from it on, the same request is sent. */
static void every_work_size_below_the_request_is_too_small(void)
{
    api_call k = POST_CHARGE(.access_token = ACCESS_TOKEN, .stripe_account = "acct_1Nv0FGQ9RKHgCVdK");
    stripe_connect_api_params p = params_of(&k);
    stripe_connect_client c;
    size_t size, smallest = 0, out_len;
    stripe_connect_result r;
    char message[128];

    for (size = 1; size <= WORK_SIZE; size++) {
        client_setup(&c, NULL);
        c.stripe_version = "2024-06-20";
        c.app_name = "MyApp";
        c.app_version = "1.2.3";
        c.app_url = "https://myapp.example";
        c.work_size = size;
        r = stripe_connect_api_request(&c, &p, out_arena, OUT_SIZE, &out_len, NULL);
        check_wiped(&c);
        if (r == STRIPE_CONNECT_OK) { smallest = size; break; }
        if (r != STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL || mock.calls != 0) {
            snprintf(message, sizeof message, "work_size %lu: result %d, %d calls; want ERR_BUFFER_TOO_SMALL, 0",
                     (unsigned long)size, (int)r, mock.calls);
            test_fail(__FILE__, __LINE__, message);
            return;
        }
    }
    CHECK(smallest > 0);
    if (smallest == 0) return;
    CHECK_INT(mock.calls, 1);
    CHECK(mock.attempts[0].url_in_work);
    CHECK_STR(mock.attempts[0].url, API "/v1/charges");
    CHECK_STR(mock.attempts[0].headers[mock.attempts[0].header_count - 1], IDEMPOTENCY(KEY_FROM_COUNTER));
    /* the request (URL, headers that are built, body) takes at least its URL and body */
    CHECK(smallest > strlen(API "/v1/charges") + strlen("amount=2000&currency=usd"));
}

/* During the call the request held the access token; after it, work is zero. */
static void the_wipe_covers_the_request(void)
{
    api_call k = POST_CHARGE(.access_token = ACCESS_TOKEN);
    stripe_connect_api_params p = params_of(&k);
    stripe_connect_client c;
    size_t out_len = 0;
    client_setup(&c, NULL);
    CHECK_RESULT(stripe_connect_api_request(&c, &p, out_arena, OUT_SIZE, &out_len, NULL), STRIPE_CONNECT_OK);
    CHECK(test_mem_contains(mock.attempts[0].headers[0], strlen(mock.attempts[0].headers[0]),
                            ACCESS_TOKEN, strlen(ACCESS_TOKEN)));
    check_wiped(&c);
}

/* The generated key belongs to one call: a second call draws the next 16 bytes, a new key. */
static void two_calls_draw_two_keys(void)
{
    api_call k = GOOD_POST;
    stripe_connect_api_params p = params_of(&k);
    stripe_connect_client c;
    size_t out_len = 0;
    client_setup(&c, NULL);
    CHECK_RESULT(stripe_connect_api_request(&c, &p, out_arena, OUT_SIZE, &out_len, NULL), STRIPE_CONNECT_OK);
    mock_reset(NULL);
    mock.work = arena;
    mock.work_size = WORK_SIZE;
    mock.out = out_arena;
    CHECK_RESULT(stripe_connect_api_request(&c, &p, out_arena, OUT_SIZE, &out_len, NULL), STRIPE_CONNECT_OK);
    /* python3 -c "import uuid; print(uuid.UUID(bytes=bytes(range(16, 32)), version=4))" */
    CHECK_STR(mock.attempts[0].headers[mock.attempts[0].header_count - 1],
              IDEMPOTENCY("10111213-1415-4617-9819-1a1b1c1d1e1f"));
    CHECK_INT(rng.drawn, 32);
    check_wiped(&c);
}

void suite_api(void)
{
    run_request_cases();
    run_retry_cases();
    run_backoff_cases();
    run_result_cases();
    run_out_cases();
    run_argument_cases();
    RUN(an_out_buffer_of_nothing_is_refused_before_sending);
    RUN(every_work_size_below_the_request_is_too_small);
    RUN(the_wipe_covers_the_request);
    RUN(two_calls_draw_two_keys);
}
