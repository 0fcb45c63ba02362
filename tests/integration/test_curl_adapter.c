/* test_curl_adapter.c - adapters/stripe_connect_curl.h against the Stripe stand-in, over real TLS.

   THE ENVIRONMENT (the contract with whoever runs it: tests/integration/test_tool.py, or you)
     STAND_IN_STATE   the stand-in's state file, written once it listens: JSON with "port" (the
                      good certificate), "wrong_host_port", "expired_port" and "http_port"
     STAND_IN_CERTS   the directory tests/integration/make_certs.sh filled: ca.pem (the test CA)
                      and other_ca.pem (an unrelated CA) are read from it
     STAND_IN_LOG     the file the stand-in was given as --log: two cases read it to see what
                      arrived (exactly the request's headers; a POST that arrived once)
   All three are required. Without them, or with a file that cannot be read, the program says
   why on stderr and exits 2 before any case runs: nothing is skipped quietly. The stand-in must
   be the project's (tests/integration/stand_in.py), with its test credentials ca_test_standin
   and sk_test_standin; one stand-in may serve several runs, one after another or at once. The
   program starts nothing and stops nothing; it opens loopback sockets of its own only to have
   a closed port and a listener that must stay untouched, and sets no_proxy=* for itself so a
   proxy in the environment cannot stand between it and the stand-in.

   OUTPUT
     One block per failed check ("FAIL <case>" and what differed), then the last line
     "curl adapter: N passed, N failed". Exit status 0 when nothing failed, 1 otherwise.

   BY HAND (from the repository's root)
     make build/test_curl_adapter
     bash tests/integration/make_certs.sh build/certs
     python3 tests/integration/stand_in.py --cert-dir build/certs --state-file build/stand_in.json \
         --log build/stand_in.log &
     STAND_IN_STATE=build/stand_in.json STAND_IN_CERTS=build/certs STAND_IN_LOG=build/stand_in.log \
         build/test_curl_adapter
     kill %1

   What it shows: the whole OAuth flow through the core's calls and this transport (the code
   comes from GETting the authorize URL through the transport itself: the stand-in answers 302
   with the Location URL as its body), one connection for many calls, every OAuth error, every
   fault mode ending in its documented result in bounded time, a body one byte over its buffer
   and one that fits exactly, the TLS failures (wrong CA, wrong host, expired, no CA), a closed
   port, an http:// URL refused before any byte is sent, a CA from memory, the Request-Id and
   Stripe-Should-Retry headers, and a POST that libcurl is not allowed to resend. */
#define _POSIX_C_SOURCE 200809L

#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"
#define STRIPE_CONNECT_CURL_IMPLEMENTATION
#include "stripe_connect_curl.h"
#include "../unit/test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CLIENT_ID "ca_test_standin"
#define SECRET_KEY "sk_test_standin"
/* Generous for a loopback stand-in; the fault cases set their own. */
#define TIMEOUT_MS 10000UL

#define OK STRIPE_CONNECT_OK

/* ---- The environment ------------------------------------------------------------------------- */
static struct {
    char ca_file[1024], other_ca_file[1024];
    const char *log_file;
    char *ca_pem, *other_ca_pem;
    size_t ca_pem_len, other_ca_pem_len;
    char base[64], wrong_host_base[64], expired_base[64], http_base[64];
} env;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    long size;
    if (f == NULL) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (data = (char *)malloc((size_t)size + 1)) != NULL) {
        *len = fread(data, 1, (size_t)size, f);
        data[*len] = '\0';
    }
    fclose(f);
    return data;
}

static int read_port(const char *state, size_t len, const char *name, char *base, size_t cap, const char *scheme)
{
    int64_t port = 0;
    if (stripe_connect_json_get_int(state, len, name, &port) != OK || port <= 0 || port > 65535) {
        fprintf(stderr, "test_curl_adapter: the state file has no valid \"%s\"\n", name);
        return 0;
    }
    snprintf(base, cap, "%s://localhost:%ld", scheme, (long)port);
    return 1;
}

static int load_environment(void)
{
    const char *state_path = getenv("STAND_IN_STATE"), *certs = getenv("STAND_IN_CERTS");
    char *state;
    size_t len = 0;
    int ok;
    FILE *log;
    env.log_file = getenv("STAND_IN_LOG");
    if (state_path == NULL || certs == NULL || env.log_file == NULL) {
        fprintf(stderr, "test_curl_adapter: set STAND_IN_STATE (the stand-in's state file), "
                        "STAND_IN_CERTS (the make_certs.sh directory) and STAND_IN_LOG (the "
                        "stand-in's --log file); see the top of this file\n");
        return 0;
    }
    if ((log = fopen(env.log_file, "r")) == NULL) {
        fprintf(stderr, "test_curl_adapter: cannot read STAND_IN_LOG=%s\n", env.log_file);
        return 0;
    }
    fclose(log);
    if ((state = read_file(state_path, &len)) == NULL) {
        fprintf(stderr, "test_curl_adapter: cannot read STAND_IN_STATE=%s\n", state_path);
        return 0;
    }
    ok = read_port(state, len, "port", env.base, sizeof env.base, "https") &&
         read_port(state, len, "wrong_host_port", env.wrong_host_base, sizeof env.wrong_host_base, "https") &&
         read_port(state, len, "expired_port", env.expired_base, sizeof env.expired_base, "https") &&
         read_port(state, len, "http_port", env.http_base, sizeof env.http_base, "http");
    free(state);
    snprintf(env.ca_file, sizeof env.ca_file, "%s/ca.pem", certs);
    snprintf(env.other_ca_file, sizeof env.other_ca_file, "%s/other_ca.pem", certs);
    env.ca_pem = read_file(env.ca_file, &env.ca_pem_len);
    env.other_ca_pem = read_file(env.other_ca_file, &env.other_ca_pem_len);
    if (env.ca_pem == NULL || env.other_ca_pem == NULL) {
        fprintf(stderr, "test_curl_adapter: cannot read %s or %s\n", env.ca_file, env.other_ca_file);
        ok = 0;
    }
    return ok;
}

/* ---- Fixtures ---------------------------------------------------------------------------------- */
static int os_random(void *user, unsigned char *out, size_t n)
{
    (void)user;
    while (n > 0) {
        ssize_t got = getrandom(out, n, 0);
        if (got <= 0) return -1;
        out += got;
        n -= (size_t)got;
    }
    return 0;
}

static int sleeps;
static void count_sleep(void *user, unsigned long ms)
{
    (void)user;
    (void)ms;
    sleeps++;          /* no need to wait: the stand-in does not rate-limit */
}

static char work[16384];

/* A client on the curl transport, trusting the test CA by file. It must not move once opened:
   the transport points at its http member. */
typedef struct fixture {
    stripe_connect_curl http;
    stripe_connect_client client;
} fixture;

static void fixture_open_on(fixture *f, const char *base, CURL *borrowed)
{
    CHECK_INT(stripe_connect_curl_init(&f->http, borrowed), OK);
    f->http.ca_file = env.ca_file;
    stripe_connect_client_init(&f->client, work, sizeof work);
    f->client.client_id = CLIENT_ID;
    f->client.secret_key = SECRET_KEY;
    f->client.connect_base = base;
    f->client.api_base = base;
    f->client.transport = stripe_connect_curl_transport(&f->http);
    f->client.random = os_random;
    f->client.timeout_ms = TIMEOUT_MS;
}

static void fixture_open(fixture *f) { fixture_open_on(f, env.base, NULL); }
static void fixture_close(fixture *f) { stripe_connect_curl_cleanup(&f->http); }

static long connects_of_last_call(const fixture *f)
{
    long connects = -1;
    CHECK_INT(curl_easy_getinfo(f->http.easy, CURLINFO_NUM_CONNECTS, &connects), CURLE_OK);
    return connects;
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The token every fault mode of the stand-in is built from (stand_in.py's FAULT_TOKEN): the
   faults that must succeed must decode to exactly this. */
static void check_fault_token(const stripe_connect_token *t)
{
    CHECK_STR(t->access_token, "sk_test_FaultModeAccessToken0001");
    CHECK_STR(t->refresh_token, "rt_FaultModeRefreshToken0001");
    CHECK_STR(t->stripe_publishable_key, "pk_test_FaultModePublishableKey1");
    CHECK_STR(t->stripe_user_id, "acct_1FaultModeAccount");
    CHECK_STR(t->scope, "read_write");
    CHECK_STR(t->token_type, "bearer");
    CHECK_INT(t->livemode, 0);
}

/* ---- The stand-in's log: what arrived ------------------------------------------------------------ */
/* A value no other request carries, for the X-Test-Marker header. */
static void new_marker(char *out, size_t cap)
{
    unsigned char raw[8];
    CHECK_INT(os_random(NULL, raw, sizeof raw), 0);
    snprintf(out, cap, "t-%02x%02x%02x%02x%02x%02x%02x%02x",
             raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7]);
}

/* How many requests in the stand-in's log carried X-Test-Marker: marker (the log has one JSON
   object per line, header names in lower case); the last one's line is copied to line. */
static int requests_with_marker(const char *marker, char *line, size_t cap)
{
    size_t len = 0, at = 0;
    char *log = read_file(env.log_file, &len);
    int count = 0;
    CHECK(log != NULL);
    line[0] = '\0';
    while (log != NULL && at < len) {
        char value[64];
        size_t end = at, value_len = 0;
        while (end < len && log[end] != '\n') end++;
        if (stripe_connect_json_get_string(log + at, end - at, "headers.x-test-marker", value, sizeof value,
                                           &value_len) == OK && strcmp(value, marker) == 0) {
            count++;
            snprintf(line, cap, "%.*s", (int)(end - at), log + at);
        }
        at = end + 1;
    }
    free(log);
    return count;
}

/* The string at path in a logged request, or "(absent)". */
static const char *logged(const char *line, const char *path, char *out, size_t cap)
{
    size_t n = 0;
    stripe_connect_result r = stripe_connect_json_get_string(line, strlen(line), path, out, cap, &n);
    if (r == STRIPE_CONNECT_ERR_NOT_FOUND) return "(absent)";
    if (r != OK) return "(not a string)";
    return out;
}

/* One request straight through the transport, for what the core's calls do not send. */
static stripe_connect_result send_raw(fixture *f, const char *method, const char *url,
                                      const stripe_connect_header *headers, size_t header_count,
                                      const char *body, char *out, size_t cap, stripe_connect_http_response *res)
{
    stripe_connect_http_request req;
    memset(&req, 0, sizeof req);
    memset(res, 0, sizeof *res);
    req.method = method;
    req.url = url;
    req.headers = headers;
    req.header_count = header_count;
    req.body = body;
    req.body_len = body != NULL ? strlen(body) : 0;
    req.timeout_ms = TIMEOUT_MS;
    res->body = out;
    res->body_cap = cap;
    res->should_retry = -1;
    return f->client.transport.perform(f->client.transport.user, &req, res);
}

static const stripe_connect_header form_headers[] = {
    { "Authorization", "Bearer " SECRET_KEY },
    { "Content-Type", "application/x-www-form-urlencoded" },
};

/* The user's half of the flow, through the transport itself: GET the authorize URL; the
   stand-in answers 302 with the Location URL as its text body, which is parsed like the
   redirect a browser would bring back. */
static stripe_connect_result authorize_with(fixture *f, int express, const char *scope, const stripe_connect_param *extra,
                                            size_t extra_count, stripe_connect_redirect *out)
{
    stripe_connect_authorize_params p;
    stripe_connect_http_response res;
    char url[1024], state[64], body[2048];
    size_t n = 0;
    stripe_connect_result r;

    memset(&p, 0, sizeof p);
    memset(out, 0, sizeof *out);
    CHECK_INT(stripe_connect_state_generate(&f->client, state, sizeof state, &n), OK);
    p.express = express;
    p.scope = scope;
    p.state = state;
    p.redirect_uri = "https://platform.example/callback";
    p.extra = extra;
    p.extra_count = extra_count;
    CHECK_INT(stripe_connect_authorize_url(&f->client, &p, url, sizeof url, &n), OK);
    r = send_raw(f, "GET", url, NULL, 0, NULL, body, sizeof body - 1, &res);
    CHECK_INT(r, OK);
    CHECK_INT(res.status, 302);
    CHECK(starts_with(res.request_id, "req_"));
    if (r != OK) return r;
    body[res.body_len] = '\0';
    CHECK(starts_with(body, "https://platform.example/callback?"));
    return stripe_connect_parse_redirect(body, res.body_len, state, out);
}

/* A fresh, unused code for a read_write connection. */
static void fresh_code(fixture *f, const char *scope, char *code, size_t cap)
{
    stripe_connect_redirect r;
    CHECK_INT(authorize_with(f, 0, scope, NULL, 0, &r), OK);
    CHECK(starts_with(r.code, "ac_"));
    snprintf(code, cap, "%s", r.code);
}

static void check_token_shape(const stripe_connect_token *t, const char *scope)
{
    CHECK(starts_with(t->access_token, "sk_test_"));
    CHECK(starts_with(t->refresh_token, "rt_"));
    CHECK(starts_with(t->stripe_publishable_key, "pk_test_"));
    CHECK(starts_with(t->stripe_user_id, "acct_"));
    CHECK_STR(t->scope, scope);
    CHECK_STR(t->token_type, "bearer");
    CHECK_INT(t->livemode, 0);
}

/* ---- The whole flow ---------------------------------------------------------------------------- */
static void full_flow_exchange_refresh_deauthorize(void)
{
    fixture f;
    stripe_connect_token t, t2;
    stripe_connect_error e;
    char code[STRIPE_CONNECT_FIELD_MAX];

    fixture_open(&f);
    fresh_code(&f, "read_write", code, sizeof code);
    CHECK_INT(stripe_connect_exchange_code(&f.client, code, &t, &e), OK);
    check_token_shape(&t, "read_write");
    CHECK_INT(e.http_status, 200);
    CHECK(starts_with(e.request_id, "req_"));
    CHECK_STR(f.http.error, "");

    CHECK_INT(stripe_connect_refresh(&f.client, t.refresh_token, NULL, &t2, &e), OK);
    check_token_shape(&t2, "read_write");
    CHECK_STR(t2.stripe_user_id, t.stripe_user_id);
    CHECK(strcmp(t2.access_token, t.access_token) != 0);

    CHECK_INT(stripe_connect_refresh(&f.client, t.refresh_token, "read_only", &t2, &e), OK);
    CHECK_STR(t2.scope, "read_only");

    CHECK_INT(stripe_connect_deauthorize(&f.client, t.stripe_user_id, &e), OK);
    CHECK_INT(e.http_status, 200);
    CHECK(starts_with(e.request_id, "req_"));
    fixture_close(&f);
}

static void express_flow_and_secret_in_body_exchange(void)
{
    fixture f;
    stripe_connect_redirect r;
    stripe_connect_token t;
    stripe_connect_error e;

    fixture_open(&f);
    CHECK_INT(authorize_with(&f, 1, "read_write", NULL, 0, &r), OK);
    f.client.secret_in_body = 1;          /* client_secret in the form instead of Bearer */
    CHECK_INT(stripe_connect_exchange_code(&f.client, r.code, &t, &e), OK);
    check_token_shape(&t, "read_write");
    fixture_close(&f);
}

static void api_calls_for_the_connected_account(void)
{
    fixture f;
    stripe_connect_token t;
    stripe_connect_error e;
    stripe_connect_api_params p;
    stripe_connect_form form;
    char code[STRIPE_CONNECT_FIELD_MAX], params[256], out[4096], id[64];
    size_t params_len = 0, out_len = 0, id_len = 0;

    fixture_open(&f);
    fresh_code(&f, "read_write", code, sizeof code);
    CHECK_INT(stripe_connect_exchange_code(&f.client, code, &t, &e), OK);

    stripe_connect_form_init(&form, params, sizeof params);
    stripe_connect_form_add(&form, "amount", "400");
    stripe_connect_form_add(&form, "currency", "usd");
    stripe_connect_form_add(&form, "source", "tok_visa");
    CHECK_INT(stripe_connect_form_finish(&form, &params_len), OK);
    memset(&p, 0, sizeof p);
    p.method = "POST";
    p.path = "/v1/charges";
    p.params = params;
    p.params_len = params_len;
    p.access_token = t.access_token;
    CHECK_INT(stripe_connect_api_request(&f.client, &p, out, sizeof out, &out_len, &e), OK);
    CHECK_INT(e.http_status, 200);
    CHECK_INT(stripe_connect_json_get_string(out, out_len, "id", id, sizeof id, &id_len), OK);
    CHECK(starts_with(id, "ch_"));

    /* The same call with the platform key and Stripe-Account, and a GET of the account. */
    p.access_token = NULL;
    p.stripe_account = t.stripe_user_id;
    CHECK_INT(stripe_connect_api_request(&f.client, &p, out, sizeof out, &out_len, &e), OK);
    {
        char path[16 + STRIPE_CONNECT_FIELD_MAX];
        snprintf(path, sizeof path, "/v1/accounts/%s", t.stripe_user_id);
        memset(&p, 0, sizeof p);
        p.method = "GET";
        p.path = path;
        CHECK_INT(stripe_connect_api_request(&f.client, &p, out, sizeof out, &out_len, &e), OK);
        CHECK_INT(stripe_connect_json_get_string(out, out_len, "id", id, sizeof id, &id_len), OK);
        CHECK_STR(id, t.stripe_user_id);
    }
    fixture_close(&f);
}

/* flaky_503 answers 503 with Stripe-Should-Retry: true once per idempotency key: the core
   retries (one sleep) and succeeds; conflict_409 says Stripe-Should-Retry: false: no retry.
   This is the core's retry logic fed by the headers this adapter reads. */
static void api_retries_follow_stripe_should_retry(void)
{
    fixture f;
    stripe_connect_error e;
    stripe_connect_api_params p;
    char out[4096];
    size_t out_len = 0;

    fixture_open(&f);
    f.client.sleep = count_sleep;
    memset(&p, 0, sizeof p);
    p.method = "POST";
    p.path = "/v1/charges";
    p.params = "amount=400&currency=usd&source=tok_visa&metadata[stand_in]=flaky_503";
    p.params_len = strlen(p.params);
    sleeps = 0;
    CHECK_INT(stripe_connect_api_request(&f.client, &p, out, sizeof out, &out_len, &e), OK);
    CHECK_INT(sleeps, 1);

    /* A connection reset with no answer, and a 429 lock_timeout: retried with the same key. */
    p.params = "amount=400&currency=usd&source=tok_visa&metadata[stand_in]=flaky_reset";
    p.params_len = strlen(p.params);
    sleeps = 0;
    CHECK_INT(stripe_connect_api_request(&f.client, &p, out, sizeof out, &out_len, &e), OK);
    CHECK_INT(sleeps, 1);
    p.params = "amount=400&currency=usd&source=tok_visa&metadata[stand_in]=lock_timeout_429";
    p.params_len = strlen(p.params);
    sleeps = 0;
    CHECK_INT(stripe_connect_api_request(&f.client, &p, out, sizeof out, &out_len, &e), OK);
    CHECK_INT(sleeps, 1);

    p.params = "amount=400&currency=usd&source=tok_visa&metadata[stand_in]=conflict_409";
    p.params_len = strlen(p.params);
    sleeps = 0;
    CHECK_INT(stripe_connect_api_request(&f.client, &p, out, sizeof out, &out_len, &e), STRIPE_CONNECT_ERR_API);
    CHECK_INT(e.http_status, 409);
    CHECK_INT(sleeps, 0);
    fixture_close(&f);
}

/* ---- Headers read from the response ---------------------------------------------------------------- */
static void charge_headers(const char *params, int want_status, int want_should_retry)
{
    fixture f;
    stripe_connect_http_response res;
    char url[128], key[64], out[4096];
    unsigned char raw[8];
    stripe_connect_header headers[3];

    fixture_open(&f);
    CHECK_INT(os_random(NULL, raw, sizeof raw), 0);
    snprintf(key, sizeof key, "test-%02x%02x%02x%02x%02x%02x%02x%02x",
             raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7]);
    headers[0] = form_headers[0];
    headers[1] = form_headers[1];
    headers[2].name = "Idempotency-Key";
    headers[2].value = key;
    snprintf(url, sizeof url, "%s/v1/charges", env.base);
    CHECK_INT(send_raw(&f, "POST", url, headers, 3, params, out, sizeof out, &res), OK);
    CHECK_INT(res.status, want_status);
    CHECK_INT(res.should_retry, want_should_retry);
    CHECK(starts_with(res.request_id, "req_"));
    fixture_close(&f);
}

static void should_retry_true_is_1(void)
{
    charge_headers("amount=400&currency=usd&source=tok_visa&metadata[stand_in]=flaky_503", 503, 1);
}

static void should_retry_false_is_0(void)
{
    charge_headers("amount=400&currency=usd&source=tok_visa&metadata[stand_in]=conflict_409", 409, 0);
}

static void should_retry_absent_is_minus_1(void)
{
    charge_headers("amount=400&currency=usd&source=tok_visa", 200, -1);
}

/* ---- One connection ---------------------------------------------------------------------------- */
static void reuse_check(fixture *f)
{
    stripe_connect_token t;
    stripe_connect_error e;
    CHECK_INT(stripe_connect_exchange_code(&f->client, "ac_unknown_reuse_1", &t, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(connects_of_last_call(f), 1);
    CHECK_INT(stripe_connect_exchange_code(&f->client, "ac_unknown_reuse_2", &t, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(connects_of_last_call(f), 0);       /* the second call made no new connection */
    CHECK_INT(stripe_connect_deauthorize(&f->client, "acct_reuse_unknown", &e) != STRIPE_CONNECT_ERR_TRANSPORT, 1);
    CHECK_INT(connects_of_last_call(f), 0);
}

static void two_calls_share_one_connection(void)
{
    fixture f;
    fixture_open(&f);
    reuse_check(&f);
    fixture_close(&f);
}

static void two_calls_share_one_connection_with_ca_from_memory(void)
{
    fixture f;
    fixture_open(&f);
    f.http.ca_file = NULL;
    f.http.ca_pem = env.ca_pem;
    f.http.ca_pem_len = env.ca_pem_len;
    reuse_check(&f);
    fixture_close(&f);
}

/* A borrowed handle: reused the same way, left alive by cleanup, and left clean: a plain
   libcurl GET on it afterwards sends no stale header list or body (ASan and valgrind would
   see a freed list read). */
static size_t discard(char *data, size_t size, size_t count, void *user)
{
    (void)data;
    *(size_t *)user += size * count;
    return size * count;
}

static void borrowed_handle_is_reused_and_left_usable(void)
{
    fixture f;
    CURL *easy = curl_easy_init();
    char url[256];
    size_t received = 0;
    long status = 0;

    CHECK(easy != NULL);
    if (easy == NULL) return;
    fixture_open_on(&f, env.base, easy);
    CHECK_INT(f.http.owns_easy, 0);
    reuse_check(&f);
    fixture_close(&f);

    snprintf(url, sizeof url, "%s/oauth/authorize?response_type=code&client_id=" CLIENT_ID "&scope=read_write", env.base);
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_CAINFO, env.ca_file);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, (void *)&received);
    CHECK_INT(curl_easy_perform(easy), CURLE_OK);
    CHECK_INT(curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status), CURLE_OK);
    CHECK_INT(status, 302);
    CHECK(received > 0);
    curl_easy_cleanup(easy);
}

/* ---- Every OAuth error -------------------------------------------------------------------------- */
static void code_used_twice_is_invalid_grant_and_revokes_the_tokens(void)
{
    fixture f;
    stripe_connect_token t, t2;
    stripe_connect_error e;
    char code[STRIPE_CONNECT_FIELD_MAX];

    fixture_open(&f);
    fresh_code(&f, "read_write", code, sizeof code);
    CHECK_INT(stripe_connect_exchange_code(&f.client, code, &t, &e), OK);
    CHECK_INT(stripe_connect_exchange_code(&f.client, code, &t2, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(e.oauth_error, STRIPE_CONNECT_OAUTH_INVALID_GRANT);
    CHECK_STR(e.code, "invalid_grant");
    CHECK_INT(e.http_status, 400);
    CHECK(e.message[0] != '\0');
    CHECK(starts_with(e.request_id, "req_"));
    CHECK_STR(t2.access_token, "");
    CHECK_INT(stripe_connect_refresh(&f.client, t.refresh_token, NULL, &t2, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(e.oauth_error, STRIPE_CONNECT_OAUTH_INVALID_GRANT);
    fixture_close(&f);
}

static void unknown_code_is_invalid_grant(void)
{
    fixture f;
    stripe_connect_token t;
    stripe_connect_error e;
    fixture_open(&f);
    CHECK_INT(stripe_connect_exchange_code(&f.client, "ac_never_issued", &t, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(e.oauth_error, STRIPE_CONNECT_OAUTH_INVALID_GRANT);
    CHECK_INT(e.http_status, 400);
    fixture_close(&f);
}

static void unknown_refresh_token_is_invalid_grant(void)
{
    fixture f;
    stripe_connect_token t;
    stripe_connect_error e;
    fixture_open(&f);
    CHECK_INT(stripe_connect_refresh(&f.client, "rt_never_issued", NULL, &t, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(e.oauth_error, STRIPE_CONNECT_OAUTH_INVALID_GRANT);
    fixture_close(&f);
}

static void wrong_key_is_invalid_client(void)
{
    fixture f;
    stripe_connect_token t;
    stripe_connect_error e;
    char code[STRIPE_CONNECT_FIELD_MAX];
    fixture_open(&f);
    fresh_code(&f, "read_write", code, sizeof code);
    f.client.secret_key = "sk_test_not_the_stand_ins";
    CHECK_INT(stripe_connect_exchange_code(&f.client, code, &t, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(e.oauth_error, STRIPE_CONNECT_OAUTH_INVALID_CLIENT);
    CHECK_INT(e.http_status, 401);
    fixture_close(&f);
}

/* The core only sends the two grant types, so this request is sent raw and parsed by the core. */
static void other_grant_type_is_unsupported_grant_type(void)
{
    fixture f;
    stripe_connect_http_response res;
    stripe_connect_token t;
    stripe_connect_error e;
    char url[128], out[2048];
    fixture_open(&f);
    snprintf(url, sizeof url, "%s/oauth/token", env.base);
    CHECK_INT(send_raw(&f, "POST", url, form_headers, 2, "grant_type=client_credentials", out, sizeof out, &res), OK);
    CHECK_INT(res.status, 400);
    CHECK_INT(stripe_connect_parse_token_response(res.status, out, res.body_len, &t, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(e.oauth_error, STRIPE_CONNECT_OAUTH_UNSUPPORTED_GRANT_TYPE);
    fixture_close(&f);
}

static void refresh_wider_or_unknown_scope_is_invalid_scope(void)
{
    fixture f;
    stripe_connect_token t, t2;
    stripe_connect_error e;
    char code[STRIPE_CONNECT_FIELD_MAX];
    fixture_open(&f);
    fresh_code(&f, "read_only", code, sizeof code);
    CHECK_INT(stripe_connect_exchange_code(&f.client, code, &t, &e), OK);
    CHECK_STR(t.scope, "read_only");
    CHECK_INT(stripe_connect_refresh(&f.client, t.refresh_token, "read_write", &t2, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(e.oauth_error, STRIPE_CONNECT_OAUTH_INVALID_SCOPE);
    CHECK_INT(stripe_connect_refresh(&f.client, t.refresh_token, "everything", &t2, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(e.oauth_error, STRIPE_CONNECT_OAUTH_INVALID_SCOPE);
    fixture_close(&f);
}

static void user_who_declines_is_access_denied(void)
{
    fixture f;
    stripe_connect_redirect r;
    static const stripe_connect_param deny[] = { { "stand_in_decision", "deny" } };
    fixture_open(&f);
    CHECK_INT(authorize_with(&f, 0, "read_write", deny, 1, &r), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(r.error, STRIPE_CONNECT_OAUTH_ACCESS_DENIED);
    CHECK_STR(r.error_code, "access_denied");
    CHECK_STR(r.code, "");
    fixture_close(&f);
}

static void deauthorize_with_another_client_id_is_refused(void)
{
    fixture f;
    stripe_connect_error e;
    fixture_open(&f);
    f.client.client_id = "ca_not_the_stand_ins";
    CHECK_INT(stripe_connect_deauthorize(&f.client, "acct_whatever", &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK(e.http_status >= 400);
    CHECK(e.code[0] != '\0');
    fixture_close(&f);
}

/* ---- Fault modes ------------------------------------------------------------------------------------ */
typedef enum { BY_CODE, BY_REFRESH_TOKEN, BY_ACCOUNT } fault_route;

/* Sends the fault's name where the stand-in reads it; checks the result and the time taken. */
static void fault_case(const char *mode, fault_route route, unsigned long timeout_ms,
                       stripe_connect_result want, double max_seconds)
{
    fixture f;
    stripe_connect_token t;
    stripe_connect_error e;
    stripe_connect_result r;
    double start, took;
    char name[96];

    snprintf(name, sizeof name, "%s via %s -> %s", mode,
             route == BY_CODE ? "exchange" : route == BY_REFRESH_TOKEN ? "refresh" : "deauthorize",
             stripe_connect_result_string(want));
    test_begin(name);
    fixture_open(&f);
    f.client.timeout_ms = timeout_ms;
    start = now_seconds();
    if (route == BY_CODE) r = stripe_connect_exchange_code(&f.client, mode, &t, &e);
    else if (route == BY_REFRESH_TOKEN) r = stripe_connect_refresh(&f.client, mode, NULL, &t, &e);
    else r = stripe_connect_deauthorize(&f.client, mode, &e);
    took = now_seconds() - start;
    CHECK_INT(r, want);
    if (took > max_seconds) {
        char what[128];
        snprintf(what, sizeof what, "took %.2f s, at most %.2f s allowed", took, max_seconds);
        test_fail(__FILE__, __LINE__, what);
    }
    if (want == STRIPE_CONNECT_ERR_TRANSPORT || want == STRIPE_CONNECT_ERR_TIMEOUT ||
        want == STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE) {
        CHECK(f.http.error[0] != '\0');           /* the reason is kept for the log */
        CHECK_INT(e.http_status, 0);
    }
    if (want == OK && route != BY_ACCOUNT) check_fault_token(&t);
    if (want != OK && route != BY_ACCOUNT) CHECK_STR(t.access_token, "");
    fixture_close(&f);
    test_end();
}

/* Every fault through each of the three requests that can carry it (the code, the
   refresh_token, the stripe_user_id): the same result whichever it is. */
static void fault_modes(void)
{
    static const struct { const char *mode; stripe_connect_result want; } table[] = {
        { "fault_truncated",       STRIPE_CONNECT_ERR_TRANSPORT },
        { "fault_reset",           STRIPE_CONNECT_ERR_TRANSPORT },
        { "fault_oversized",       STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE },
        { "fault_chunked",         OK },
        { "fault_close_delimited", OK },
        { "fault_html500",         STRIPE_CONNECT_ERR_HTTP_STATUS },
        { "fault_malformed",       STRIPE_CONNECT_ERR_MALFORMED_JSON },
        { "fault_duplicate_keys",  STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE },
        { "fault_escaped",         OK },
    };
    static const fault_route routes[] = { BY_CODE, BY_REFRESH_TOKEN, BY_ACCOUNT };
    size_t i, j;
    for (j = 0; j < sizeof routes / sizeof routes[0]; j++) {
        /* The stand-in answers fault_slow after 3 s: with 1 s allowed, the timeout must win. */
        fault_case("fault_slow", routes[j], 1000, STRIPE_CONNECT_ERR_TIMEOUT, 2.5);
        for (i = 0; i < sizeof table / sizeof table[0]; i++)
            fault_case(table[i].mode, routes[j], TIMEOUT_MS, table[i].want, 5.0);
    }
}

/* On a kept-alive connection that dies with no answer, libcurl would resend a POST by itself.
   The adapter forbids it: the code arrives once, and the call fails. */
static void post_on_a_reused_connection_that_dies_arrives_once(void)
{
    fixture f;
    stripe_connect_token t;
    stripe_connect_error e;
    stripe_connect_http_response res;
    stripe_connect_header headers[3];
    char url[128], out[1024], marker[32], line[8192];

    fixture_open(&f);
    CHECK_INT(stripe_connect_exchange_code(&f.client, "ac_unknown_before_reset", &t, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(stripe_connect_exchange_code(&f.client, "fault_reset", &t, &e), STRIPE_CONNECT_ERR_TRANSPORT);
    /* libcurl wanted to send it again on a new connection; the pre-request callback said no. */
    CHECK_INT(f.http.curl_code, CURLE_ABORTED_BY_CALLBACK);
    CHECK(strstr(f.http.error, "refused to send the POST again") != NULL);

    /* The same, marked, to count what arrived. */
    CHECK_INT(stripe_connect_exchange_code(&f.client, "ac_unknown_before_reset", &t, &e), STRIPE_CONNECT_ERR_OAUTH);
    new_marker(marker, sizeof marker);
    headers[0] = form_headers[0];
    headers[1] = form_headers[1];
    headers[2].name = "X-Test-Marker";
    headers[2].value = marker;
    snprintf(url, sizeof url, "%s/oauth/token", env.base);
    CHECK_INT(send_raw(&f, "POST", url, headers, 3, "grant_type=authorization_code&code=fault_reset",
                       out, sizeof out, &res), STRIPE_CONNECT_ERR_TRANSPORT);
    CHECK_INT(f.http.curl_code, CURLE_ABORTED_BY_CALLBACK);   /* on the kept-alive connection */
    CHECK_INT(requests_with_marker(marker, line, sizeof line), 1);
    fixture_close(&f);
}

/* The request's headers arrive, and none of libcurl's own (Expect, Accept, User-Agent,
   Accept-Encoding, a default Content-Type); Host and Content-Length are HTTP's. */
static void exactly_the_request_headers_arrive(void)
{
    static const char *const never[] = {
        "headers.accept", "headers.expect", "headers.user-agent", "headers.accept-encoding",
        "headers.transfer-encoding", "headers.connection", "headers.te", "headers.pragma",
    };
    static const char body[] = "amount=400&currency=usd&source=tok_visa";
    fixture f;
    stripe_connect_http_response res;
    stripe_connect_header headers[4];
    char url[128], out[4096], marker[32], line[8192], value[256], length[16];
    size_t i;

    fixture_open(&f);
    new_marker(marker, sizeof marker);
    headers[0] = form_headers[0];
    headers[1] = form_headers[1];
    headers[2].name = "Idempotency-Key";
    headers[2].value = marker;
    headers[3].name = "X-Test-Marker";
    headers[3].value = marker;
    snprintf(url, sizeof url, "%s/v1/charges", env.base);
    CHECK_INT(send_raw(&f, "POST", url, headers, 4, body, out, sizeof out, &res), OK);
    CHECK_INT(res.status, 200);
    CHECK_INT(requests_with_marker(marker, line, sizeof line), 1);
    CHECK_STR(logged(line, "method", value, sizeof value), "POST");
    CHECK_STR(logged(line, "headers.content-type", value, sizeof value), "application/x-www-form-urlencoded");
    CHECK_STR(logged(line, "headers.idempotency-key", value, sizeof value), marker);
    snprintf(length, sizeof length, "%lu", (unsigned long)(sizeof body - 1));
    CHECK_STR(logged(line, "headers.content-length", value, sizeof value), length);
    CHECK(starts_with(logged(line, "headers.host", value, sizeof value), "localhost:"));
    CHECK(starts_with(logged(line, "headers.authorization", value, sizeof value), "Bearer sk_test_"));
    for (i = 0; i < sizeof never / sizeof never[0]; i++)
        CHECK_STR(logged(line, never[i], value, sizeof value), "(absent)");

    /* A GET and a DELETE carry no body, so no Content-Type or Content-Length either. */
    new_marker(marker, sizeof marker);
    snprintf(url, sizeof url, "%s/v1/accounts/acct_1StandInPlatform0", env.base);
    CHECK_INT(send_raw(&f, "GET", url, headers + 3, 1, NULL, out, sizeof out, &res), OK);
    CHECK_INT(requests_with_marker(marker, line, sizeof line), 1);
    CHECK_STR(logged(line, "method", value, sizeof value), "GET");
    CHECK_STR(logged(line, "headers.content-type", value, sizeof value), "(absent)");
    CHECK_STR(logged(line, "headers.content-length", value, sizeof value), "(absent)");
    for (i = 0; i < sizeof never / sizeof never[0]; i++)
        CHECK_STR(logged(line, never[i], value, sizeof value), "(absent)");

    new_marker(marker, sizeof marker);
    snprintf(url, sizeof url, "%s/v1/customers/cus_none", env.base);
    CHECK_INT(send_raw(&f, "DELETE", url, headers + 3, 1, NULL, out, sizeof out, &res), OK);
    CHECK_INT(requests_with_marker(marker, line, sizeof line), 1);
    CHECK_STR(logged(line, "method", value, sizeof value), "DELETE");
    CHECK_STR(logged(line, "headers.content-length", value, sizeof value), "(absent)");
    fixture_close(&f);
}

/* ---- The body and its buffer -------------------------------------------------------------------------- */
/* The stand-in pads a correct token answer to exactly N bytes for the code fault_size_<N>. */
#define SIZED_BODY 1000
#define SIZED_CODE "fault_size_1000"

/* The transport alone, with heap buffers of exactly the size, so ASan and valgrind see a
   write past the end. */
static void body_exactly_fitting_and_one_byte_over_through_the_transport(void)
{
    fixture f;
    stripe_connect_http_response res;
    stripe_connect_token t;
    stripe_connect_error e;
    char url[128], *exact = (char *)malloc(SIZED_BODY), *short_by_one = (char *)malloc(SIZED_BODY - 1);
    size_t i, left = 0;

    fixture_open(&f);
    snprintf(url, sizeof url, "%s/oauth/token", env.base);
    CHECK_INT(send_raw(&f, "POST", url, form_headers, 2, "grant_type=authorization_code&code=" SIZED_CODE,
                       exact, SIZED_BODY, &res), OK);
    CHECK_INT(res.status, 200);
    CHECK_INT(res.body_len, SIZED_BODY);
    CHECK_INT(stripe_connect_parse_token_response(res.status, exact, res.body_len, &t, &e), OK);
    check_fault_token(&t);

    memset(short_by_one, 0, SIZED_BODY - 1);
    CHECK_INT(send_raw(&f, "POST", url, form_headers, 2, "grant_type=authorization_code&code=" SIZED_CODE,
                       short_by_one, SIZED_BODY - 1, &res), STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE);
    CHECK_INT(res.body_len, 0);
    CHECK_INT(res.status, 0);
    CHECK(strstr(f.http.error, "larger than") != NULL);
    for (i = 0; i < SIZED_BODY - 1; i++) left += short_by_one[i] != 0;
    CHECK_INT(left, 0);                  /* what did arrive was wiped, not left as a truncated body */
    free(exact);
    free(short_by_one);
    fixture_close(&f);
}

/* A transfer that fails after part of the body arrived (one too large for its buffer, one cut
   short) leaves body_len 0 and the bytes wiped: no partial token stays behind. */
static void failed_transfer_leaves_no_partial_body(size_t cap, const char *body,
                                                   stripe_connect_result want)
{
    fixture f;
    stripe_connect_http_response res;
    char url[128], *buf = (char *)calloc(1, cap);
    size_t i, left = 0;

    fixture_open(&f);
    snprintf(url, sizeof url, "%s/oauth/token", env.base);
    CHECK_INT(send_raw(&f, "POST", url, form_headers, 2, body, buf, cap, &res), want);
    CHECK_INT(res.body_len, 0);
    for (i = 0; i < cap; i++) left += buf[i] != 0;
    CHECK_INT(left, 0);
    free(buf);
    fixture_close(&f);
}

static void oversized_body_leaves_nothing_behind(void)
{
    /* 300 KiB arrive in many pieces: the first ones fit in 64 KiB, then one does not. */
    failed_transfer_leaves_no_partial_body(65536, "grant_type=authorization_code&code=fault_oversized",
                                           STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE);
}

static void truncated_body_leaves_nothing_behind(void)
{
    /* Half the token arrives, then the connection ends. */
    failed_transfer_leaves_no_partial_body(4096, "grant_type=authorization_code&code=fault_truncated",
                                           STRIPE_CONNECT_ERR_TRANSPORT);
}

/* The same through the core: its work buffer holds the request, then the response. */
static void body_exactly_fitting_and_one_byte_over_through_the_core(void)
{
    fixture f;
    stripe_connect_token_params p;
    stripe_connect_prepared_request req;
    stripe_connect_token t;
    stripe_connect_error e;
    char *buf;
    size_t used = 0;

    fixture_open(&f);
    memset(&p, 0, sizeof p);
    p.grant_type = "authorization_code";
    p.code = SIZED_CODE;
    CHECK_INT(stripe_connect_token_request_build(&f.client, &p, work, sizeof work, &used, &req), OK);

    buf = (char *)malloc(used + SIZED_BODY);
    f.client.work = buf;
    f.client.work_size = used + SIZED_BODY;
    CHECK_INT(stripe_connect_exchange_code(&f.client, SIZED_CODE, &t, &e), OK);
    check_fault_token(&t);
    free(buf);

    buf = (char *)malloc(used + SIZED_BODY - 1);
    f.client.work = buf;
    f.client.work_size = used + SIZED_BODY - 1;
    CHECK_INT(stripe_connect_exchange_code(&f.client, SIZED_CODE, &t, &e), STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE);
    CHECK_STR(t.access_token, "");
    free(buf);
    fixture_close(&f);
}

/* ---- TLS and connecting --------------------------------------------------------------------------- */
static void expect_tls_failure(const char *base, const char *ca_file, const char *ca_pem, size_t ca_pem_len)
{
    fixture f;
    stripe_connect_token t;
    stripe_connect_error e;
    fixture_open_on(&f, base, NULL);
    f.http.ca_file = ca_file;
    f.http.ca_pem = ca_pem;
    f.http.ca_pem_len = ca_pem_len;
    CHECK_INT(stripe_connect_exchange_code(&f.client, "ac_tls_never_reaches", &t, &e), STRIPE_CONNECT_ERR_TLS);
    CHECK_INT(e.http_status, 0);
    CHECK(f.http.error[0] != '\0');
    CHECK(strstr(f.http.error, SECRET_KEY) == NULL);
    fixture_close(&f);
}

static void wrong_ca_is_tls(void)
{
    expect_tls_failure(env.base, env.other_ca_file, NULL, 0);
}

static void wrong_ca_from_memory_is_tls(void)
{
    expect_tls_failure(env.base, NULL, env.other_ca_pem, env.other_ca_pem_len);
}

static void certificate_for_another_host_is_tls(void)
{
    expect_tls_failure(env.wrong_host_base, env.ca_file, NULL, 0);
}

static void expired_certificate_is_tls(void)
{
    expect_tls_failure(env.expired_base, env.ca_file, NULL, 0);
}

/* With no CA set, libcurl's system bundle is used, and it does not know the test CA. */
static void system_bundle_does_not_trust_the_test_ca(void)
{
    expect_tls_failure(env.base, NULL, NULL, 0);
}

static void unreadable_ca_file_is_tls(void)
{
    expect_tls_failure(env.base, "/nonexistent/ca.pem", NULL, 0);
}

static void ca_file_and_ca_pem_together_are_refused(void)
{
    expect_tls_failure(env.base, env.ca_file, env.ca_pem, env.ca_pem_len);
}

static void ca_from_memory_works(void)
{
    fixture f;
    stripe_connect_token t;
    stripe_connect_error e;
    char code[STRIPE_CONNECT_FIELD_MAX];
    fixture_open(&f);
    f.http.ca_file = NULL;
    f.http.ca_pem = env.ca_pem;
    f.http.ca_pem_len = env.ca_pem_len;
    fresh_code(&f, "read_write", code, sizeof code);
    CHECK_INT(stripe_connect_exchange_code(&f.client, code, &t, &e), OK);
    check_token_shape(&t, "read_write");
    f.http.ca_pem_len = 0;                 /* 0: NUL-terminated */
    CHECK_INT(stripe_connect_exchange_code(&f.client, "ac_never_issued", &t, &e), STRIPE_CONNECT_ERR_OAUTH);
    fixture_close(&f);
}

/* A loopback listener of the test's own; port 0 lets the kernel choose. */
static int listen_on_loopback(int *port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static void closed_port_is_transport(void)
{
    fixture f;
    stripe_connect_token t;
    stripe_connect_error e;
    char base[64];
    int port = 0, fd = listen_on_loopback(&port);
    CHECK(fd >= 0);
    if (fd < 0) return;
    close(fd);                             /* now nothing listens there */
    snprintf(base, sizeof base, "https://localhost:%d", port);
    fixture_open_on(&f, base, NULL);
    CHECK_INT(stripe_connect_exchange_code(&f.client, "ac_closed_port", &t, &e), STRIPE_CONNECT_ERR_TRANSPORT);
    CHECK_INT(f.http.curl_code, CURLE_COULDNT_CONNECT);
    CHECK(f.http.error[0] != '\0');
    fixture_close(&f);
}

/* Refused before sending: a listener of the test's own never sees a connection. */
static void http_url_is_refused_before_anything_is_sent(void)
{
    fixture f;
    stripe_connect_token t;
    stripe_connect_error e;
    char base[64];
    int port = 0, fd = listen_on_loopback(&port), accepted;
    CHECK(fd >= 0);
    if (fd < 0) return;
    snprintf(base, sizeof base, "http://localhost:%d", port);
    fixture_open_on(&f, base, NULL);
    CHECK_INT(stripe_connect_exchange_code(&f.client, "ac_over_http", &t, &e), STRIPE_CONNECT_ERR_TRANSPORT);
    CHECK(strstr(f.http.error, "https://") != NULL);
    CHECK_INT(f.http.curl_code, CURLE_OK);         /* the adapter refused it, not libcurl */
    CHECK_INT(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
    accepted = accept(fd, NULL, NULL);
    CHECK_INT(accepted, -1);
    CHECK(errno == EAGAIN || errno == EWOULDBLOCK);
    if (accepted >= 0) close(accepted);
    close(fd);
    fixture_close(&f);
}

static void stand_in_plain_http_port_is_refused(void)
{
    fixture f;
    stripe_connect_token t;
    stripe_connect_error e;
    fixture_open_on(&f, env.http_base, NULL);
    CHECK_INT(stripe_connect_exchange_code(&f.client, "ac_over_http", &t, &e), STRIPE_CONNECT_ERR_TRANSPORT);
    CHECK(strstr(f.http.error, "https://") != NULL);
    fixture_close(&f);
}

static int all_zero(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] != 0) return 0;
    return 1;
}

/* ---- Requests the adapter refuses itself ------------------------------------------------------------- */
static void header_with_a_line_break_is_refused(void)
{
    fixture f;
    stripe_connect_http_response res;
    char url[128], out[256];
    static const stripe_connect_header smuggling[] = { { "X-Note", "a\r\nX-Injected: 1" } };
    fixture_open(&f);
    snprintf(url, sizeof url, "%s/oauth/token", env.base);
    CHECK_INT(send_raw(&f, "POST", url, smuggling, 1, "grant_type=authorization_code&code=x", out, sizeof out, &res),
              STRIPE_CONNECT_ERR_TRANSPORT);
    CHECK(strstr(f.http.error, "header 0") != NULL);
    CHECK(strstr(f.http.error, "X-Injected") == NULL);      /* no header value in the message */
    fixture_close(&f);
}

/* The header list lives in the context: STRIPE_CONNECT_MAX_HEADERS headers and
   STRIPE_CONNECT_CURL_HEADER_BYTES bytes of lines fit, one more of either is refused before
   anything is sent, and the lines (they hold the key) are wiped after every request. */
static void header_list_limits_and_wipe(void)
{
    fixture f;
    stripe_connect_http_response res;
    stripe_connect_header headers[STRIPE_CONNECT_MAX_HEADERS + 1];
    static char long_value[STRIPE_CONNECT_CURL_HEADER_BYTES];
    char url[128], out[4096], names[STRIPE_CONNECT_MAX_HEADERS + 1][16];
    size_t i, fixed;
    fixture_open(&f);
    snprintf(url, sizeof url, "%s/v1/charges", env.base);   /* no such list: a 404 answer is all we need */
    for (i = 0; i < STRIPE_CONNECT_MAX_HEADERS + 1; i++) {
        snprintf(names[i], sizeof names[i], "X-Extra-%lu", (unsigned long)i);
        headers[i].name = names[i];
        headers[i].value = "1";
    }
    headers[0] = form_headers[0];
    headers[1] = form_headers[1];
    CHECK_INT(send_raw(&f, "GET", url, headers, STRIPE_CONNECT_MAX_HEADERS, NULL, out, sizeof out, &res), OK);
    CHECK_INT(res.status, 404);
    CHECK(all_zero(f.http.header_lines, sizeof f.http.header_lines));
    CHECK_INT(send_raw(&f, "GET", url, headers, STRIPE_CONNECT_MAX_HEADERS + 1, NULL, out, sizeof out, &res),
              STRIPE_CONNECT_ERR_TRANSPORT);
    CHECK(strstr(f.http.error, "more than") != NULL);

    /* Three headers whose lines, with "Accept:" and "Expect:" after them, take every byte. */
    fixed = strlen("Authorization: Bearer " SECRET_KEY) + 1 + strlen("Content-Type: application/x-www-form-urlencoded") +
            1 + strlen("X-Long: ") + 1 + strlen("Expect:") + 1 + strlen("Accept:") + 1;
    memset(long_value, 'a', sizeof long_value - fixed);
    long_value[sizeof long_value - fixed] = '\0';
    headers[2].name = "X-Long";
    headers[2].value = long_value;
    CHECK_INT(send_raw(&f, "GET", url, headers, 3, NULL, out, sizeof out, &res), OK);
    CHECK_INT(res.status, 404);
    CHECK(all_zero(f.http.header_lines, sizeof f.http.header_lines));
    long_value[sizeof long_value - fixed] = 'a';
    long_value[sizeof long_value - fixed + 1] = '\0';
    CHECK_INT(send_raw(&f, "GET", url, headers, 3, NULL, out, sizeof out, &res), STRIPE_CONNECT_ERR_TRANSPORT);
    CHECK(strstr(f.http.error, "bytes") != NULL);
    CHECK(all_zero(f.http.header_lines, sizeof f.http.header_lines));
    fixture_close(&f);
}

static void other_methods_and_bodies_on_get_are_refused(void)
{
    fixture f;
    stripe_connect_http_response res;
    char url[128], out[256];
    fixture_open(&f);
    snprintf(url, sizeof url, "%s/oauth/token", env.base);
    CHECK_INT(send_raw(&f, "PUT", url, NULL, 0, NULL, out, sizeof out, &res), STRIPE_CONNECT_ERR_TRANSPORT);
    CHECK_INT(send_raw(&f, "GET", url, NULL, 0, "a=b", out, sizeof out, &res), STRIPE_CONNECT_ERR_TRANSPORT);
    fixture_close(&f);
}

/* The trust is read at every request: a connection kept alive under one CA is not reused once
   the CA changes; the error of a failed request is gone after one that succeeds. */
static void trust_changes_apply_to_the_next_request(void)
{
    fixture f;
    stripe_connect_token t;
    stripe_connect_error e;
    fixture_open(&f);
    CHECK_INT(stripe_connect_exchange_code(&f.client, "ac_x", &t, &e), STRIPE_CONNECT_ERR_OAUTH);
    f.http.ca_file = env.other_ca_file;
    CHECK_INT(stripe_connect_exchange_code(&f.client, "ac_x", &t, &e), STRIPE_CONNECT_ERR_TLS);
    CHECK(f.http.error[0] != '\0');
    CHECK_INT(f.http.curl_code, CURLE_PEER_FAILED_VERIFICATION);
    f.http.ca_file = env.ca_file;
    CHECK_INT(stripe_connect_exchange_code(&f.client, "ac_x", &t, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_STR(f.http.error, "");
    CHECK_INT(f.http.curl_code, CURLE_OK);
    fixture_close(&f);
}

int main(void)
{
    int failed;
    if (!load_environment()) return 2;
    /* A proxy from the environment must not stand between this test and the stand-in. */
    setenv("no_proxy", "*", 1);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "test_curl_adapter: curl_global_init failed\n");
        return 2;
    }

    RUN(full_flow_exchange_refresh_deauthorize);
    RUN(express_flow_and_secret_in_body_exchange);
    RUN(api_calls_for_the_connected_account);
    RUN(api_retries_follow_stripe_should_retry);
    RUN(should_retry_true_is_1);
    RUN(should_retry_false_is_0);
    RUN(should_retry_absent_is_minus_1);

    RUN(two_calls_share_one_connection);
    RUN(two_calls_share_one_connection_with_ca_from_memory);
    RUN(borrowed_handle_is_reused_and_left_usable);

    RUN(code_used_twice_is_invalid_grant_and_revokes_the_tokens);
    RUN(unknown_code_is_invalid_grant);
    RUN(unknown_refresh_token_is_invalid_grant);
    RUN(wrong_key_is_invalid_client);
    RUN(other_grant_type_is_unsupported_grant_type);
    RUN(refresh_wider_or_unknown_scope_is_invalid_scope);
    RUN(user_who_declines_is_access_denied);
    RUN(deauthorize_with_another_client_id_is_refused);

    fault_modes();
    RUN(post_on_a_reused_connection_that_dies_arrives_once);
    RUN(exactly_the_request_headers_arrive);

    RUN(body_exactly_fitting_and_one_byte_over_through_the_transport);
    RUN(body_exactly_fitting_and_one_byte_over_through_the_core);
    RUN(oversized_body_leaves_nothing_behind);
    RUN(truncated_body_leaves_nothing_behind);

    RUN(wrong_ca_is_tls);
    RUN(wrong_ca_from_memory_is_tls);
    RUN(certificate_for_another_host_is_tls);
    RUN(expired_certificate_is_tls);
    RUN(system_bundle_does_not_trust_the_test_ca);
    RUN(unreadable_ca_file_is_tls);
    RUN(ca_file_and_ca_pem_together_are_refused);
    RUN(ca_from_memory_works);
    RUN(closed_port_is_transport);
    RUN(http_url_is_refused_before_anything_is_sent);
    RUN(stand_in_plain_http_port_is_refused);

    RUN(header_with_a_line_break_is_refused);
    RUN(header_list_limits_and_wipe);
    RUN(other_methods_and_bodies_on_get_are_refused);
    RUN(trust_changes_apply_to_the_next_request);

    failed = test_summary("curl adapter");
    free(env.ca_pem);
    free(env.other_ca_pem);
    curl_global_cleanup();
    return failed ? 1 : 0;
}
