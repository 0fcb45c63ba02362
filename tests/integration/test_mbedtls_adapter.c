/* test_mbedtls_adapter.c - adapters/stripe_connect_mbedtls.h against the Stripe stand-in, over
   real TLS (mbedTLS) and real sockets.

   THE ENVIRONMENT (the contract with whoever runs it: tests/run.sh, or you)
     STAND_IN_STATE   the stand-in's state file, written once it listens: JSON with "port" (the
                      good certificate), "wrong_host_port", "expired_port" and "http_port"
     STAND_IN_CERTS   the directory tests/integration/make_certs.sh filled: ca.pem (the test CA)
                      and other_ca.pem (an unrelated CA) are read from it
     STAND_IN_LOG     the file the stand-in was given as --log: some cases read it to see what
                      arrived (exactly the headers written; nothing at all for a refused request)
   All three are required. Without them, or with a file that cannot be read, the program says
   why on stderr and exits 2 before any case runs: nothing is skipped quietly. The stand-in must
   be the project's (tests/integration/stand_in.py), with its test credentials ca_test_standin
   and sk_test_standin. Besides it, the program opens loopback sockets of its own for a closed
   port, a listener that never answers and one whose queue is full, and forks one-shot TLS
   servers (mbedTLS, server.pem) for answers the stand-in never gives; each child serves one
   connection and exits, and is waited for.

   OUTPUT
     One block per failed check ("FAIL <case>", what differed, and the adapter's error text),
     then the last line "mbedtls adapter: N passed, N failed". Exit status 0 when nothing
     failed, 1 otherwise.

   BY HAND (from the repository's root)
     make build/test_mbedtls_adapter
     bash tests/integration/make_certs.sh build/certs
     python3 tests/integration/stand_in.py --cert-dir build/certs --state-file build/stand_in.json \
         --log build/stand_in.log &
     STAND_IN_STATE=build/stand_in.json STAND_IN_CERTS=build/certs STAND_IN_LOG=build/stand_in.log \
         build/test_mbedtls_adapter
     kill %1

   What it shows: the OAuth flow through the core and this transport (the code comes from GETting
   the authorize URL through the transport itself: the stand-in answers 302 with the Location URL
   as its body), API calls for the connected account, every OAuth error, every fault mode through
   each of exchange, refresh and deauthorize ending in its documented result in bounded time, a
   body that fits exactly and one a byte over (Content-Length, chunked and close-framed), the TLS
   failures (wrong CA from a file and from memory, another host's certificate, an expired one, no
   CA), a closed port, connect and handshake timeouts, URLs other than https:// refused before any
   byte is sent, the exact request head that arrives, a user socket layer, the request buffer
   wiped, a close-framed body refused without TLS close_notify, and no descriptor left open. */
#define _POSIX_C_SOURCE 200809L

#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"
#define STRIPE_CONNECT_MBEDTLS_IMPLEMENTATION
#include "stripe_connect_mbedtls.h"
#include "../unit/test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/pk.h>

#define CLIENT_ID "ca_test_standin"
#define SECRET_KEY "sk_test_standin"
#define TIMEOUT_MS 10000UL          /* generous for loopback; the timeout cases set their own */
#define OK STRIPE_CONNECT_OK

/* ---- The environment ----------------------------------------------------------------------------- */
static struct {
    char ca_file[1024], other_ca_file[1024], server_cert[1024], server_key[1024];
    const char *log_file;
    char *ca_pem, *other_ca_pem;
    size_t ca_pem_len, other_ca_pem_len;
    long port, http_port;
    char base[64], wrong_host_base[64], expired_base[64], http_base[64];
} env;

static char *read_whole_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    long size;
    *len = 0;
    if (f == NULL) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (data = (char *)malloc((size_t)size + 1)) != NULL) {
        *len = fread(data, 1, (size_t)size, f);
        data[*len] = '\0';
    }
    fclose(f);
    return data;
}

static int read_port(const char *state, size_t len, const char *name, long *port)
{
    int64_t value = 0;
    if (stripe_connect_json_get_int(state, len, name, &value) != OK || value <= 0 || value > 65535) {
        fprintf(stderr, "test_mbedtls_adapter: the state file has no valid \"%s\"\n", name);
        return 0;
    }
    *port = (long)value;
    return 1;
}

static int load_environment(void)
{
    const char *state_path = getenv("STAND_IN_STATE"), *certs = getenv("STAND_IN_CERTS");
    long wrong_host_port = 0, expired_port = 0;
    char *state, *log;
    size_t len = 0;
    int ok;
    env.log_file = getenv("STAND_IN_LOG");
    if (state_path == NULL || certs == NULL || env.log_file == NULL) {
        fprintf(stderr, "test_mbedtls_adapter: set STAND_IN_STATE (the stand-in's state file), STAND_IN_CERTS "
                        "(the make_certs.sh directory) and STAND_IN_LOG (its --log file); see the top of "
                        "tests/integration/test_mbedtls_adapter.c\n");
        return 0;
    }
    if ((log = read_whole_file(env.log_file, &len)) == NULL) {
        fprintf(stderr, "test_mbedtls_adapter: cannot read STAND_IN_LOG=%s\n", env.log_file);
        return 0;
    }
    free(log);
    if ((state = read_whole_file(state_path, &len)) == NULL) {
        fprintf(stderr, "test_mbedtls_adapter: cannot read STAND_IN_STATE=%s\n", state_path);
        return 0;
    }
    ok = read_port(state, len, "port", &env.port) && read_port(state, len, "wrong_host_port", &wrong_host_port) &&
         read_port(state, len, "expired_port", &expired_port) && read_port(state, len, "http_port", &env.http_port);
    free(state);
    snprintf(env.base, sizeof env.base, "https://localhost:%ld", env.port);
    snprintf(env.wrong_host_base, sizeof env.wrong_host_base, "https://localhost:%ld", wrong_host_port);
    snprintf(env.expired_base, sizeof env.expired_base, "https://localhost:%ld", expired_port);
    snprintf(env.http_base, sizeof env.http_base, "http://localhost:%ld", env.http_port);
    snprintf(env.ca_file, sizeof env.ca_file, "%s/ca.pem", certs);
    snprintf(env.other_ca_file, sizeof env.other_ca_file, "%s/other_ca.pem", certs);
    snprintf(env.server_cert, sizeof env.server_cert, "%s/server.pem", certs);
    snprintf(env.server_key, sizeof env.server_key, "%s/server.key", certs);
    env.ca_pem = read_whole_file(env.ca_file, &env.ca_pem_len);
    env.other_ca_pem = read_whole_file(env.other_ca_file, &env.other_ca_pem_len);
    if (env.ca_pem == NULL || env.other_ca_pem == NULL) {
        fprintf(stderr, "test_mbedtls_adapter: cannot read %s or %s\n", env.ca_file, env.other_ca_file);
        ok = 0;
    }
    return ok;
}

/* ---- Fixture: one adapter context and one client, rebuilt for every case ------------------------- */
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

static void no_sleep(void *user, unsigned long ms)
{
    (void)user;
    (void)ms;
}

static stripe_connect_mbedtls tls;          /* large: static, and one at a time */
static stripe_connect_client client;
static char work[16384];

/* An initialised context, no CA yet; the client points at base through it. */
static void open_without_ca(const char *base)
{
    CHECK_INT(stripe_connect_mbedtls_init(&tls), OK);
    stripe_connect_client_init(&client, work, sizeof work);
    client.client_id = CLIENT_ID;
    client.secret_key = SECRET_KEY;
    client.connect_base = base;
    client.api_base = base;
    client.transport = stripe_connect_mbedtls_transport(&tls);
    client.random = os_random;
    client.sleep = no_sleep;
    client.timeout_ms = TIMEOUT_MS;
}

static void open_on(const char *base)
{
    open_without_ca(base);
    CHECK_INT(stripe_connect_mbedtls_set_ca_file(&tls, env.ca_file), OK);
}

static void open_default(void) { open_on(env.base); }

static void close_fixture(void) { stripe_connect_mbedtls_free(&tls); }

/* CHECK_INT that also shows the adapter's reason. */
#define CHECK_RESULT(got, want) \
    do { long got_ = (long)(got), want_ = (long)(want); \
         if (got_ != want_) { \
             test_fail_int(__FILE__, __LINE__, #got, got_, want_); \
             printf("    (%s, want %s) tls.error: \"%s\"\n", stripe_connect_result_string((stripe_connect_result)got_), \
                    stripe_connect_result_string((stripe_connect_result)want_), tls.error); \
         } } while (0)

#define CHECK_ERROR_MENTIONS(text) \
    do { if (strstr(tls.error, (text)) == NULL) test_fail_str(__FILE__, __LINE__, "tls.error (should mention)", tls.error, (text)); } while (0)

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void check_took_at_most(double started, double seconds)
{
    double took = now_seconds() - started;
    if (took > seconds) {
        char what[96];
        snprintf(what, sizeof what, "took %.2f s, at most %.2f s allowed", took, seconds);
        test_fail(__FILE__, __LINE__, what);
    }
}

static void sleep_ms(long ms)
{
    struct timespec t;
    t.tv_sec = ms / 1000;
    t.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&t, NULL);
}

static int starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* ---- Requests straight through the transport ------------------------------------------------------ */
static const stripe_connect_header form_headers[] = {
    { "Authorization", "Bearer " SECRET_KEY },
    { "Content-Type", "application/x-www-form-urlencoded" },
    { "User-Agent", "test_mbedtls_adapter" },
};

/* One request through the transport; the body lands in out (cap bytes), NUL-terminated after it. */
static stripe_connect_result send_raw(const char *method, const char *url, const stripe_connect_header *headers,
                                      size_t header_count, const char *body, char *out, size_t cap,
                                      stripe_connect_http_response *res)
{
    stripe_connect_http_request req;
    stripe_connect_result r;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.url = url;
    req.headers = headers;
    req.header_count = header_count;
    req.body = body;
    req.body_len = body != NULL ? strlen(body) : 0;
    req.timeout_ms = TIMEOUT_MS;
    memset(res, 0, sizeof *res);
    res->body = out;
    res->body_cap = cap;
    res->should_retry = -1;
    r = client.transport.perform(client.transport.user, &req, res);
    if (out != NULL && res->body_len < cap + 1) out[res->body_len < cap ? res->body_len : cap] = '\0';
    return r;
}

/* POST form to path on the good listener with the platform key. */
static stripe_connect_result post_form(const char *path, const char *form, char *out, size_t cap,
                                       stripe_connect_http_response *res)
{
    char url[128];
    snprintf(url, sizeof url, "%s%s", env.base, path);
    return send_raw("POST", url, form_headers, 3, form, out, cap, res);
}

/* GETs the authorize URL for p through the transport, then parses the redirect it names. */
static stripe_connect_result authorize_through_transport(const stripe_connect_authorize_params *p,
                                                         const char *expected_state, stripe_connect_redirect *r)
{
    static const stripe_connect_header headers[] = { { "User-Agent", "test_mbedtls_adapter" } };
    char url[2048], location[2048];
    stripe_connect_http_response res;
    size_t n;
    CHECK_INT(stripe_connect_authorize_url(&client, p, url, sizeof url, &n), OK);
    CHECK_RESULT(send_raw("GET", url, headers, 1, NULL, location, sizeof location - 1, &res), OK);
    CHECK_INT(res.status, 302);
    CHECK(starts_with(res.request_id, "req_"));
    return stripe_connect_parse_redirect(location, res.body_len, expected_state, r);
}

/* A fresh, unused authorization code for scope. */
static void fresh_code(const char *scope, char *code, size_t cap)
{
    stripe_connect_authorize_params p;
    stripe_connect_redirect r;
    memset(&p, 0, sizeof p);
    p.scope = scope;
    p.state = "state-fresh";
    p.redirect_uri = "https://platform.example/callback";
    CHECK_RESULT(authorize_through_transport(&p, "state-fresh", &r), OK);
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

/* ---- The flow ---------------------------------------------------------------------------------------- */
static void full_flow_authorize_exchange_refresh_deauthorize(void)
{
    stripe_connect_authorize_params p;
    stripe_connect_redirect r;
    stripe_connect_token t, refreshed;
    stripe_connect_error e;
    char state[64];
    size_t n;
    open_default();
    CHECK_INT(stripe_connect_state_generate(&client, state, sizeof state, &n), OK);
    memset(&p, 0, sizeof p);
    p.scope = "read_write";
    p.state = state;
    p.redirect_uri = "https://platform.example/callback";
    CHECK_RESULT(authorize_through_transport(&p, state, &r), OK);
    CHECK(starts_with(r.code, "ac_"));
    CHECK_STR(r.scope, "read_write");
    CHECK_RESULT(stripe_connect_exchange_code(&client, r.code, &t, &e), OK);
    check_token_shape(&t, "read_write");
    CHECK_INT(e.http_status, 200);
    CHECK(starts_with(e.request_id, "req_"));
    CHECK_RESULT(stripe_connect_refresh(&client, t.refresh_token, NULL, &refreshed, &e), OK);
    check_token_shape(&refreshed, "read_write");
    CHECK_STR(refreshed.stripe_user_id, t.stripe_user_id);
    CHECK(strcmp(refreshed.access_token, t.access_token) != 0);
    CHECK_RESULT(stripe_connect_refresh(&client, t.refresh_token, "read_only", &refreshed, &e), OK);
    CHECK_STR(refreshed.scope, "read_only");
    CHECK_RESULT(stripe_connect_deauthorize(&client, t.stripe_user_id, &e), OK);
    CHECK_STR(tls.error, "");
    close_fixture();
}

static void express_flow_with_read_only_scope(void)
{
    stripe_connect_authorize_params p;
    stripe_connect_redirect r;
    stripe_connect_token t;
    stripe_connect_error e;
    open_default();
    memset(&p, 0, sizeof p);
    p.express = 1;
    p.scope = "read_only";
    p.state = "express-state";
    CHECK_RESULT(authorize_through_transport(&p, "express-state", &r), OK);
    CHECK_RESULT(stripe_connect_exchange_code(&client, r.code, &t, &e), OK);
    check_token_shape(&t, "read_only");
    close_fixture();
}

static void api_calls_for_the_connected_account(void)
{
    stripe_connect_api_params p;
    stripe_connect_form form;
    stripe_connect_token t;
    stripe_connect_error e;
    char code[256], params[512], out[8192], status[32], path[300];
    size_t n;
    int64_t amount = 0;
    open_default();
    fresh_code("read_write", code, sizeof code);
    CHECK_RESULT(stripe_connect_exchange_code(&client, code, &t, &e), OK);

    stripe_connect_form_init(&form, params, sizeof params);
    stripe_connect_form_add(&form, "amount", "400");
    stripe_connect_form_add(&form, "currency", "usd");
    stripe_connect_form_add(&form, "source", "tok_visa");
    CHECK_INT(stripe_connect_form_finish(&form, &n), OK);
    memset(&p, 0, sizeof p);
    p.method = "POST";
    p.path = "/v1/charges";
    p.params = params;
    p.params_len = n;
    p.access_token = t.access_token;
    CHECK_RESULT(stripe_connect_api_request(&client, &p, out, sizeof out, &n, &e), OK);
    CHECK_INT(stripe_connect_json_get_string(out, n, "status", status, sizeof status, &n), OK);
    CHECK_STR(status, "succeeded");
    CHECK_INT(stripe_connect_json_get_int(out, strlen(out), "amount", &amount), OK);
    CHECK_INT(amount, 400);

    memset(&p, 0, sizeof p);
    snprintf(path, sizeof path, "/v1/accounts/%s", t.stripe_user_id);
    p.method = "GET";
    p.path = path;
    p.stripe_account = t.stripe_user_id;
    CHECK_RESULT(stripe_connect_api_request(&client, &p, out, sizeof out, &n, &e), OK);
    CHECK(strstr(out, t.stripe_user_id) != NULL);
    close_fixture();
}

static void declined_card_is_an_api_error(void)
{
    stripe_connect_api_params p;
    stripe_connect_error e;
    static const char params[] = "amount=400&currency=usd&source=tok_chargeDeclinedInsufficientFunds";
    char out[4096];
    size_t n;
    open_default();
    memset(&p, 0, sizeof p);
    p.method = "POST";
    p.path = "/v1/charges";
    p.params = params;
    p.params_len = sizeof params - 1;
    CHECK_RESULT(stripe_connect_api_request(&client, &p, out, sizeof out, &n, &e), STRIPE_CONNECT_ERR_API);
    CHECK_INT(e.http_status, 402);
    CHECK_STR(e.code, "card_declined");
    CHECK_STR(e.decline_code, "insufficient_funds");
    close_fixture();
}

static void retry_after_a_503_with_should_retry_succeeds(void)
{
    stripe_connect_api_params p;
    stripe_connect_error e;
    static const char params[] = "amount=400&currency=usd&source=tok_visa&metadata[stand_in]=flaky_503";
    char out[8192];
    size_t n;
    open_default();
    memset(&p, 0, sizeof p);
    p.method = "POST";
    p.path = "/v1/charges";
    p.params = params;
    p.params_len = sizeof params - 1;
    CHECK_RESULT(stripe_connect_api_request(&client, &p, out, sizeof out, &n, &e), OK);
    CHECK_INT(e.http_status, 200);
    close_fixture();
}

/* Stripe-Should-Retry as the transport reports it. */
static void should_retry_header(const char *mode, int want)
{
    stripe_connect_http_response res;
    char form[160], out[4096];
    snprintf(form, sizeof form, "amount=400&currency=usd&source=tok_visa&metadata[stand_in]=%s", mode);
    CHECK_RESULT(post_form("/v1/charges", form, out, sizeof out, &res), OK);
    CHECK_INT(res.should_retry, want);
}

static void stripe_should_retry_is_reported(void)
{
    open_default();
    should_retry_header("flaky_503", 1);
    should_retry_header("conflict_409", 0);
    should_retry_header("none", -1);
    close_fixture();
}

/* ---- OAuth errors ---------------------------------------------------------------------------------- */
static void code_used_twice_is_invalid_grant_and_revokes_the_tokens(void)
{
    stripe_connect_token t, again;
    stripe_connect_error e;
    char code[256];
    open_default();
    fresh_code("read_write", code, sizeof code);
    CHECK_RESULT(stripe_connect_exchange_code(&client, code, &t, &e), OK);
    CHECK_RESULT(stripe_connect_exchange_code(&client, code, &again, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(e.oauth_error, STRIPE_CONNECT_OAUTH_INVALID_GRANT);
    CHECK_INT(e.http_status, 400);
    CHECK_RESULT(stripe_connect_refresh(&client, t.refresh_token, NULL, &again, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(e.oauth_error, STRIPE_CONNECT_OAUTH_INVALID_GRANT);
    close_fixture();
}

static void unknown_code_is_invalid_grant(void)
{
    stripe_connect_token t;
    stripe_connect_error e;
    open_default();
    CHECK_RESULT(stripe_connect_exchange_code(&client, "ac_never_issued", &t, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(e.oauth_error, STRIPE_CONNECT_OAUTH_INVALID_GRANT);
    CHECK_STR(e.code, "invalid_grant");
    CHECK(e.message[0] != '\0');
    CHECK(starts_with(e.request_id, "req_"));
    close_fixture();
}

static void unknown_refresh_token_is_invalid_grant(void)
{
    stripe_connect_token t;
    stripe_connect_error e;
    open_default();
    CHECK_RESULT(stripe_connect_refresh(&client, "rt_never_issued", NULL, &t, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(e.oauth_error, STRIPE_CONNECT_OAUTH_INVALID_GRANT);
    close_fixture();
}

static void wrong_key_is_invalid_client(void)
{
    stripe_connect_token t;
    stripe_connect_error e;
    char code[256];
    open_default();
    fresh_code("read_write", code, sizeof code);
    client.secret_key = "sk_test_wrong";
    CHECK_RESULT(stripe_connect_exchange_code(&client, code, &t, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(e.oauth_error, STRIPE_CONNECT_OAUTH_INVALID_CLIENT);
    CHECK_INT(e.http_status, 401);
    CHECK(strstr(e.message, "sk_test_wrong") == NULL);
    close_fixture();
}

static void other_grant_type_is_unsupported_grant_type(void)
{
    stripe_connect_http_response res;
    stripe_connect_token t;
    stripe_connect_error e;
    char out[4096];
    open_default();
    CHECK_RESULT(post_form("/oauth/token", "grant_type=password&username=x", out, sizeof out, &res), OK);
    CHECK_INT(stripe_connect_parse_token_response(res.status, out, res.body_len, &t, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(e.oauth_error, STRIPE_CONNECT_OAUTH_UNSUPPORTED_GRANT_TYPE);
    close_fixture();
}

static void refresh_wider_or_unknown_scope_is_invalid_scope(void)
{
    stripe_connect_token t, again;
    stripe_connect_error e;
    char code[256];
    open_default();
    fresh_code("read_only", code, sizeof code);
    CHECK_RESULT(stripe_connect_exchange_code(&client, code, &t, &e), OK);
    CHECK_RESULT(stripe_connect_refresh(&client, t.refresh_token, "read_write", &again, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(e.oauth_error, STRIPE_CONNECT_OAUTH_INVALID_SCOPE);
    CHECK_RESULT(stripe_connect_refresh(&client, t.refresh_token, "admin", &again, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(e.oauth_error, STRIPE_CONNECT_OAUTH_INVALID_SCOPE);
    close_fixture();
}

static void user_who_declines_is_access_denied(void)
{
    static const stripe_connect_param deny[] = { { "stand_in_decision", "deny" } };
    stripe_connect_authorize_params p;
    stripe_connect_redirect r;
    open_default();
    memset(&p, 0, sizeof p);
    p.scope = "read_write";
    p.state = "deny-state";
    p.extra = deny;
    p.extra_count = 1;
    CHECK_RESULT(authorize_through_transport(&p, "deny-state", &r), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(r.error, STRIPE_CONNECT_OAUTH_ACCESS_DENIED);
    CHECK_STR(r.error_code, "access_denied");
    close_fixture();
}

static void authorize_with_an_unknown_scope_redirects_with_invalid_scope(void)
{
    stripe_connect_authorize_params p;
    stripe_connect_redirect r;
    open_default();
    memset(&p, 0, sizeof p);
    p.scope = "everything";
    p.state = "scope-state";
    CHECK_RESULT(authorize_through_transport(&p, "scope-state", &r), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(r.error, STRIPE_CONNECT_OAUTH_INVALID_SCOPE);
    close_fixture();
}

static void authorize_with_a_bad_redirect_uri_is_invalid_redirect_uri(void)
{
    static const stripe_connect_header headers[] = { { "User-Agent", "test_mbedtls_adapter" } };
    stripe_connect_authorize_params p;
    stripe_connect_http_response res;
    stripe_connect_token t;
    stripe_connect_error e;
    char url[1024], out[4096];
    size_t n;
    open_default();
    memset(&p, 0, sizeof p);
    p.redirect_uri = "ftp://platform.example/cb";
    CHECK_INT(stripe_connect_authorize_url(&client, &p, url, sizeof url, &n), OK);
    CHECK_RESULT(send_raw("GET", url, headers, 1, NULL, out, sizeof out - 1, &res), OK);
    CHECK_INT(res.status, 400);
    CHECK_INT(stripe_connect_parse_token_response(res.status, out, res.body_len, &t, &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(e.oauth_error, STRIPE_CONNECT_OAUTH_INVALID_REDIRECT_URI);
    close_fixture();
}

static void deauthorize_of_an_unknown_account_is_invalid_client(void)
{
    stripe_connect_error e;
    open_default();
    CHECK_RESULT(stripe_connect_deauthorize(&client, "acct_1NeverConnected", &e), STRIPE_CONNECT_ERR_OAUTH);
    CHECK_INT(e.oauth_error, STRIPE_CONNECT_OAUTH_INVALID_CLIENT);
    close_fixture();
}

/* ---- Fault modes -------------------------------------------------------------------------------------- */
typedef enum fault_route { BY_CODE, BY_REFRESH_TOKEN, BY_ACCOUNT } fault_route;

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

static void fault_case(const char *mode, fault_route route, unsigned long timeout_ms,
                       stripe_connect_result want, double max_seconds)
{
    stripe_connect_token t;
    stripe_connect_error e;
    stripe_connect_result r;
    double started;
    char name[128];
    snprintf(name, sizeof name, "%s via %s -> %s", mode,
             route == BY_CODE ? "exchange" : route == BY_REFRESH_TOKEN ? "refresh" : "deauthorize",
             stripe_connect_result_string(want));
    test_begin(name);
    open_default();
    client.timeout_ms = timeout_ms;
    started = now_seconds();
    if (route == BY_CODE) r = stripe_connect_exchange_code(&client, mode, &t, &e);
    else if (route == BY_REFRESH_TOKEN) r = stripe_connect_refresh(&client, mode, NULL, &t, &e);
    else r = stripe_connect_deauthorize(&client, mode, &e);
    check_took_at_most(started, max_seconds);
    CHECK_RESULT(r, want);
    if (want == STRIPE_CONNECT_ERR_TRANSPORT || want == STRIPE_CONNECT_ERR_TIMEOUT ||
        want == STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE) {
        CHECK(tls.error[0] != '\0');             /* the reason, for the log */
        CHECK_INT(e.http_status, 0);
    }
    if (want == OK) CHECK_STR(tls.error, "");
    if (want == OK && route != BY_ACCOUNT) check_fault_token(&t);
    if (want != OK && route != BY_ACCOUNT) CHECK_STR(t.access_token, "");
    close_fixture();
    test_end();
}

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
        /* The stand-in answers fault_slow after 3 s: with 1 s allowed the timeout must win, and soon. */
        fault_case("fault_slow", routes[j], 1000, STRIPE_CONNECT_ERR_TIMEOUT, 2.0);
        for (i = 0; i < sizeof table / sizeof table[0]; i++)
            fault_case(table[i].mode, routes[j], TIMEOUT_MS, table[i].want, 5.0);
    }
}

static void slow_answer_times_out_after_about_the_timeout(void)
{
    stripe_connect_token t;
    stripe_connect_error e;
    double started, took;
    open_default();
    client.timeout_ms = 1000;
    started = now_seconds();
    CHECK_RESULT(stripe_connect_exchange_code(&client, "fault_slow", &t, &e), STRIPE_CONNECT_ERR_TIMEOUT);
    took = now_seconds() - started;
    CHECK(took >= 0.95 && took < 1.6);
    CHECK_ERROR_MENTIONS("timed out after 1000 ms reading the response");
    close_fixture();
}

/* ---- Bodies at the edge of the buffer ---------------------------------------------------------------- */
/* The body the stand-in sends for a token request with this code, read with a roomy buffer. */
static size_t body_length_of(const char *code)
{
    stripe_connect_http_response res;
    static char out[65536];
    char form[128];
    snprintf(form, sizeof form, "grant_type=authorization_code&code=%s", code);
    CHECK_RESULT(post_form("/oauth/token", form, out, sizeof out - 1, &res), OK);
    return res.body_len;
}

/* cap = the body's length: OK with every byte; one less: ERR_RESPONSE_TOO_LARGE, nothing kept. */
static void exact_and_one_byte_over(const char *code, size_t body_len)
{
    stripe_connect_http_response res;
    char form[128], *out = (char *)calloc(body_len + 1, 1);
    snprintf(form, sizeof form, "grant_type=authorization_code&code=%s", code);
    CHECK_RESULT(post_form("/oauth/token", form, out, body_len, &res), OK);
    CHECK_INT(res.body_len, body_len);
    CHECK_INT(res.status, 200);
    CHECK(strstr(out, "acct_1FaultModeAccount") != NULL);
    memset(out, 0, body_len + 1);
    CHECK_RESULT(post_form("/oauth/token", form, out, body_len - 1, &res), STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE);
    CHECK_INT(res.body_len, 0);
    CHECK_INT(res.status, 0);
    CHECK(out[0] == '\0' && memcmp(out, out + 1, body_len - 1) == 0);   /* what arrived was wiped */
    CHECK_ERROR_MENTIONS("larger than the response buffer");
    free(out);
}

static void content_length_body_exactly_fitting_and_one_byte_over(void)
{
    open_default();
    CHECK_INT(body_length_of("fault_size_1000"), 1000);
    exact_and_one_byte_over("fault_size_1000", 1000);
    close_fixture();
}

static void chunked_body_exactly_fitting_and_one_byte_over(void)
{
    size_t n;
    open_default();
    n = body_length_of("fault_chunked");
    CHECK(n > 100);
    exact_and_one_byte_over("fault_chunked", n);
    close_fixture();
}

static void close_delimited_body_exactly_fitting_and_one_byte_over(void)
{
    size_t n;
    open_default();
    n = body_length_of("fault_close_delimited");
    CHECK(n > 100);
    exact_and_one_byte_over("fault_close_delimited", n);
    close_fixture();
}

/* Through the core: the scratch buffer holds the request, the response gets what is left. */
static void body_one_byte_over_through_the_core(void)
{
    stripe_connect_token_params p;
    stripe_connect_prepared_request prepared;
    stripe_connect_token t;
    stripe_connect_error e;
    size_t used = 0;
    open_default();
    memset(&p, 0, sizeof p);
    p.grant_type = "authorization_code";
    p.code = "fault_size_900";
    CHECK_INT(stripe_connect_token_request_build(&client, &p, work, sizeof work, &used, &prepared), OK);
    stripe_connect_wipe(work, sizeof work);
    client.work_size = used + 900;
    CHECK_RESULT(stripe_connect_exchange_code(&client, "fault_size_900", &t, &e), OK);
    check_fault_token(&t);
    client.work_size = used + 899;
    CHECK_RESULT(stripe_connect_exchange_code(&client, "fault_size_900", &t, &e), STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE);
    CHECK_STR(t.access_token, "");
    close_fixture();
}

/* ---- TLS ------------------------------------------------------------------------------------------------ */
/* An exchange that fails with ERR_TLS, the reason naming the host and saying why. */
static void expect_tls_failure(const char *mention)
{
    stripe_connect_token t;
    stripe_connect_error e;
    CHECK_RESULT(stripe_connect_exchange_code(&client, "ac_irrelevant", &t, &e), STRIPE_CONNECT_ERR_TLS);
    CHECK_ERROR_MENTIONS(mention);
    CHECK_ERROR_MENTIONS("localhost:");
    CHECK_INT(e.http_status, 0);
}

static void wrong_ca_from_a_file_is_tls(void)
{
    open_without_ca(env.base);
    CHECK_INT(stripe_connect_mbedtls_set_ca_file(&tls, env.other_ca_file), OK);
    expect_tls_failure("not correctly signed by the trusted CA");
    close_fixture();
}

static void wrong_ca_from_memory_is_tls(void)
{
    open_without_ca(env.base);
    CHECK_INT(stripe_connect_mbedtls_set_ca_pem(&tls, env.other_ca_pem, env.other_ca_pem_len), OK);
    expect_tls_failure("not correctly signed by the trusted CA");
    close_fixture();
}

static void certificate_for_another_host_is_tls(void)
{
    open_on(env.wrong_host_base);
    expect_tls_failure("Common Name (CN) does not match");
    close_fixture();
}

static void expired_certificate_is_tls(void)
{
    open_on(env.expired_base);
    expect_tls_failure("validity has expired");
    close_fixture();
}

static void no_ca_is_tls_before_connecting(void)
{
    stripe_connect_token t;
    stripe_connect_error e;
    open_without_ca(env.base);
    CHECK_RESULT(stripe_connect_exchange_code(&client, "ac_irrelevant", &t, &e), STRIPE_CONNECT_ERR_TLS);
    CHECK_ERROR_MENTIONS("no CA certificates loaded");
    close_fixture();
}

static void unreadable_or_empty_ca_is_refused(void)
{
    static const char garbage[] = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
    open_without_ca(env.base);
    CHECK_INT(stripe_connect_mbedtls_set_ca_file(&tls, "/nonexistent/ca.pem"), STRIPE_CONNECT_ERR_TLS);
    CHECK(tls.error[0] != '\0');
    CHECK_INT(stripe_connect_mbedtls_set_ca_pem(&tls, garbage, sizeof garbage - 1), STRIPE_CONNECT_ERR_TLS);
    CHECK_INT(stripe_connect_mbedtls_set_ca_pem(&tls, "no certificate here", 19), STRIPE_CONNECT_ERR_TLS);
    CHECK_INT(stripe_connect_mbedtls_set_ca_pem(&tls, NULL, 10), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_INT(stripe_connect_mbedtls_set_ca_pem(&tls, garbage, 0), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_INT(stripe_connect_mbedtls_set_ca_file(&tls, NULL), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    /* still no CA: requests are refused */
    {
        stripe_connect_token t;
        stripe_connect_error e;
        CHECK_RESULT(stripe_connect_exchange_code(&client, "fault_chunked", &t, &e), STRIPE_CONNECT_ERR_TLS);
        CHECK_ERROR_MENTIONS("no CA certificates loaded");
    }
    close_fixture();
}

static void exchange_with_ca_from_memory(const char *pem, size_t len)
{
    stripe_connect_token t;
    stripe_connect_error e;
    open_without_ca(env.base);
    CHECK_RESULT(stripe_connect_mbedtls_set_ca_pem(&tls, pem, len), OK);
    CHECK_RESULT(stripe_connect_exchange_code(&client, "fault_chunked", &t, &e), OK);
    check_fault_token(&t);
    close_fixture();
}

static void ca_from_memory_with_or_without_its_nul(void)
{
    exchange_with_ca_from_memory(env.ca_pem, env.ca_pem_len);         /* without the NUL */
    exchange_with_ca_from_memory(env.ca_pem, env.ca_pem_len + 1);     /* with it */
}

static void ca_bundle_in_memory_of_two_certificates(void)
{
    size_t len = env.other_ca_pem_len + env.ca_pem_len;
    char *bundle = (char *)malloc(len);             /* no NUL anywhere: a blob as if from flash */
    memcpy(bundle, env.other_ca_pem, env.other_ca_pem_len);
    memcpy(bundle + env.other_ca_pem_len, env.ca_pem, env.ca_pem_len);
    exchange_with_ca_from_memory(bundle, len);
    free(bundle);
}

static void ca_file_and_memory_add_up(void)
{
    stripe_connect_token t;
    stripe_connect_error e;
    open_without_ca(env.base);
    CHECK_INT(stripe_connect_mbedtls_set_ca_file(&tls, env.other_ca_file), OK);
    CHECK_INT(stripe_connect_mbedtls_set_ca_pem(&tls, env.ca_pem, env.ca_pem_len), OK);
    CHECK_RESULT(stripe_connect_exchange_code(&client, "fault_escaped", &t, &e), OK);
    check_fault_token(&t);
    close_fixture();
}

/* ---- Transport failures ----------------------------------------------------------------------------- */
/* A loopback listener with a port of the OS's choosing; backlog as given, never accepting. */
static int listen_on_loopback(int backlog, long *port)
{
    struct sockaddr_in address;
    socklen_t len = sizeof address;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, backlog) != 0 ||
        getsockname(fd, (struct sockaddr *)&address, &len) != 0) {
        test_fail(__FILE__, __LINE__, "could not listen on loopback");
        if (fd >= 0) close(fd);
        return -1;
    }
    *port = ntohs(address.sin_port);
    return fd;
}

static void closed_port_is_transport(void)
{
    stripe_connect_token t;
    stripe_connect_error e;
    char base[64];
    long port = 0;
    int fd = listen_on_loopback(1, &port);
    double started;
    close(fd);                                   /* now nothing listens there */
    snprintf(base, sizeof base, "https://localhost:%ld", port);
    open_on(base);
    started = now_seconds();
    CHECK_RESULT(stripe_connect_exchange_code(&client, "ac_irrelevant", &t, &e), STRIPE_CONNECT_ERR_TRANSPORT);
    check_took_at_most(started, 2.0);
    CHECK_ERROR_MENTIONS("connecting to localhost:");
    CHECK_ERROR_MENTIONS("refused");
    close_fixture();
}

/* A listener whose accept queue is full: the kernel drops further SYNs, as a blackholed address
   would, so the connect itself must time out. */
static void connect_to_a_blackhole_times_out(void)
{
    stripe_connect_token t;
    stripe_connect_error e;
    struct sockaddr_in address;
    char base[64];
    long port = 0;
    int listener = listen_on_loopback(0, &port), filler[4], i;
    double started;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons((unsigned short)port);
    for (i = 0; i < 4; i++) {                    /* fill the queue; later ones stay in SYN_SENT */
        filler[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        (void)connect(filler[i], (struct sockaddr *)&address, sizeof address);
    }
    sleep_ms(200);
    snprintf(base, sizeof base, "https://localhost:%ld", port);
    open_on(base);
    client.timeout_ms = 1000;
    started = now_seconds();
    CHECK_RESULT(stripe_connect_exchange_code(&client, "ac_irrelevant", &t, &e), STRIPE_CONNECT_ERR_TIMEOUT);
    check_took_at_most(started, 1.8);
    CHECK(now_seconds() - started >= 0.9);
    CHECK_ERROR_MENTIONS("connecting to localhost:");
    close_fixture();
    for (i = 0; i < 4; i++) close(filler[i]);
    close(listener);
}

/* The kernel accepts the connection, nobody ever answers the ClientHello. */
static void silent_server_times_out_in_the_handshake(void)
{
    stripe_connect_token t;
    stripe_connect_error e;
    char base[64];
    long port = 0;
    int listener = listen_on_loopback(8, &port);
    double started;
    snprintf(base, sizeof base, "https://localhost:%ld", port);
    open_on(base);
    client.timeout_ms = 1000;
    started = now_seconds();
    CHECK_RESULT(stripe_connect_exchange_code(&client, "ac_irrelevant", &t, &e), STRIPE_CONNECT_ERR_TIMEOUT);
    check_took_at_most(started, 1.8);
    CHECK_ERROR_MENTIONS("in the TLS handshake with localhost:");
    close_fixture();
    close(listener);
}

/* Lines of the stand-in's log from offset on. */
static char *log_since(long offset, size_t *len)
{
    size_t all = 0;
    char *text = read_whole_file(env.log_file, &all), *tail;
    if (text == NULL || (size_t)offset > all) {
        free(text);
        *len = 0;
        return NULL;
    }
    *len = all - (size_t)offset;
    tail = (char *)malloc(*len + 1);
    memcpy(tail, text + offset, *len + 1);
    free(text);
    return tail;
}

static long log_size(void)
{
    size_t len = 0;
    char *text = read_whole_file(env.log_file, &len);
    free(text);
    return (long)len;
}

/* How many log entries since offset have "event": event and, when listener is not NULL, that listener. */
static int log_events_since(long offset, const char *event, const char *listener)
{
    size_t len, line_len, n;
    char *text = log_since(offset, &len), *line, *end, value[64];
    int count = 0;
    for (line = text; line != NULL && *line != '\0'; line = end + 1) {
        end = strchr(line, '\n');
        if (end == NULL) break;
        line_len = (size_t)(end - line);
        if (stripe_connect_json_get_string(line, line_len, "event", value, sizeof value, &n) == OK &&
            strcmp(value, event) == 0 &&
            (listener == NULL ||
             (stripe_connect_json_get_string(line, line_len, "listener", value, sizeof value, &n) == OK &&
              strcmp(value, listener) == 0)))
            count++;
    }
    free(text);
    return count;
}

static void refused_before_anything_is_sent(const char *url, const char *mention)
{
    stripe_connect_http_response res;
    char out[256];
    long mark = log_size();
    CHECK_RESULT(send_raw("POST", url, form_headers, 3, "grant_type=authorization_code&code=x", out, sizeof out, &res),
                 STRIPE_CONNECT_ERR_TRANSPORT);
    CHECK_ERROR_MENTIONS(mention);
    sleep_ms(100);
    CHECK_INT(log_events_since(mark, "connection", NULL), 0);
}

static void urls_other_than_https_are_refused_before_anything_is_sent(void)
{
    stripe_connect_http_response res;
    char url[128], out[4096];
    long mark;
    open_default();
    mark = log_size();                          /* first: a request that is sent is counted */
    snprintf(url, sizeof url, "%s/oauth/token", env.base);
    CHECK_RESULT(send_raw("POST", url, form_headers, 3, "grant_type=authorization_code&code=fault_chunked",
                          out, sizeof out, &res), OK);
    sleep_ms(100);
    CHECK_INT(log_events_since(mark, "connection", "good"), 1);
    CHECK_INT(log_events_since(mark, "request", "good"), 1);
    snprintf(url, sizeof url, "%s/oauth/token", env.http_base);
    refused_before_anything_is_sent(url, "only https:// URLs");
    snprintf(url, sizeof url, "ftp://localhost:%ld/oauth/token", env.port);
    refused_before_anything_is_sent(url, "only https:// URLs");
    snprintf(url, sizeof url, "https://user:pass@localhost:%ld/oauth/token", env.port);
    refused_before_anything_is_sent(url, "host or port is malformed");
    refused_before_anything_is_sent("https://localhost:99999/oauth/token", "host or port is malformed");
    refused_before_anything_is_sent("https://localhost:/oauth/token", "host or port is malformed");
    refused_before_anything_is_sent("https:///oauth/token", "host or port is malformed");
    snprintf(url, sizeof url, "https://localhost:%ld/oauth/to ken", env.port);
    refused_before_anything_is_sent(url, "a space, a control character");
    close_fixture();
}

static void header_with_a_line_break_is_refused_before_anything_is_sent(void)
{
    static const stripe_connect_header injected[] = {
        { "Authorization", "Bearer " SECRET_KEY "\r\nX-Injected: yes" },
    };
    stripe_connect_http_response res;
    char url[128], out[256];
    long mark;
    open_default();
    snprintf(url, sizeof url, "%s/oauth/token", env.base);
    mark = log_size();
    CHECK_RESULT(send_raw("POST", url, injected, 1, "grant_type=x", out, sizeof out, &res), STRIPE_CONNECT_ERR_TRANSPORT);
    CHECK_ERROR_MENTIONS("CR, LF or NUL");
    CHECK(strstr(tls.error, SECRET_KEY) == NULL);
    sleep_ms(100);
    CHECK_INT(log_events_since(mark, "connection", NULL), 0);
    close_fixture();
}

static void plain_http_listener_behind_an_https_url_fails_in_the_handshake(void)
{
    stripe_connect_token t;
    stripe_connect_error e;
    char base[64];
    double started;
    snprintf(base, sizeof base, "https://localhost:%ld", env.http_port);
    open_on(base);
    client.timeout_ms = 3000;
    started = now_seconds();
    /* The HTTP server answers the ClientHello with an HTTP 400 page: not a TLS record. */
    CHECK_RESULT(stripe_connect_exchange_code(&client, "ac_irrelevant", &t, &e), STRIPE_CONNECT_ERR_TLS);
    check_took_at_most(started, 3.5);
    CHECK_ERROR_MENTIONS("TLS handshake with localhost:");
    close_fixture();
}

/* ---- A one-shot TLS server of our own ---------------------------------------------------------------
   For what the stand-in never does: an answer of any bytes, then a close with or without TLS
   close_notify. It runs in a child process: accepts one connection, does the handshake with
   server.pem, reads the request, writes answer, ends, and exits with 0 when all of that worked. */
static int fd_send(void *fd, const unsigned char *data, size_t len)
{
    ssize_t n = send(*(int *)fd, data, len, MSG_NOSIGNAL);
    return n >= 0 ? (int)n : MBEDTLS_ERR_NET_SEND_FAILED;
}

static int fd_recv(void *fd, unsigned char *data, size_t len)
{
    ssize_t n = recv(*(int *)fd, data, len, 0);
    return n >= 0 ? (int)n : MBEDTLS_ERR_NET_RECV_FAILED;
}

/* Reads the request head and its Content-Length body; 0 when it all arrived. */
static int read_request(mbedtls_ssl_context *ssl)
{
    char request[8192], *end, *length;
    size_t have = 0, want = 0;
    int n;
    for (;;) {
        request[have] = '\0';
        if ((end = strstr(request, "\r\n\r\n")) != NULL) {
            length = strstr(request, "Content-Length: ");
            want = (size_t)(end + 4 - request) + (length != NULL ? (size_t)atol(length + 16) : 0);
            if (have >= want) return 0;
        }
        if (have + 1 >= sizeof request) return 1;
        n = mbedtls_ssl_read(ssl, (unsigned char *)request + have, sizeof request - 1 - have);
        if (n <= 0) return 1;
        have += (size_t)n;
    }
}

static int serve_one_connection(int listener, const char *answer, int close_notify)
{
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt cert;
    mbedtls_pk_context key;
    mbedtls_ssl_config config;
    mbedtls_ssl_context ssl;
    int fd = accept(listener, NULL, NULL), ret, failed = 1;
    size_t written = 0, len = strlen(answer);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_x509_crt_init(&cert);
    mbedtls_pk_init(&key);
    mbedtls_ssl_config_init(&config);
    mbedtls_ssl_init(&ssl);
    if (fd >= 0 && mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, NULL, 0) == 0 &&
        mbedtls_x509_crt_parse_file(&cert, env.server_cert) == 0 &&
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
        mbedtls_pk_parse_keyfile(&key, env.server_key, NULL, mbedtls_ctr_drbg_random, &drbg) == 0 &&
#else
        mbedtls_pk_parse_keyfile(&key, env.server_key, NULL) == 0 &&
#endif
        mbedtls_ssl_config_defaults(&config, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) == 0) {
        mbedtls_ssl_conf_rng(&config, mbedtls_ctr_drbg_random, &drbg);
        if (mbedtls_ssl_conf_own_cert(&config, &cert, &key) == 0 && mbedtls_ssl_setup(&ssl, &config) == 0) {
            mbedtls_ssl_set_bio(&ssl, &fd, fd_send, fd_recv, NULL);
            while ((ret = mbedtls_ssl_handshake(&ssl)) == MBEDTLS_ERR_SSL_WANT_READ) {}
            if (ret == 0 && read_request(&ssl) == 0) {
                while (written < len && (ret = mbedtls_ssl_write(&ssl, (const unsigned char *)answer + written,
                                                                 len - written)) > 0)
                    written += (size_t)ret;
                failed = written != len || (close_notify && mbedtls_ssl_close_notify(&ssl) != 0);
            }
        }
    }
    if (fd >= 0) close(fd);                       /* a plain FIN: no close_notify unless sent above */
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_config_free(&config);
    mbedtls_pk_free(&key);
    mbedtls_x509_crt_free(&cert);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return failed;
}

/* An exchange against a one-shot server that answers answer; the server must have done its part. */
static stripe_connect_result exchange_against(const char *answer, int close_notify, stripe_connect_token *t)
{
    stripe_connect_error e;
    stripe_connect_result r;
    char base[64];
    long port = 0;
    int listener = listen_on_loopback(1, &port), status = 0;
    pid_t child;
    fflush(stdout);
    child = fork();
    if (child == 0) _exit(serve_one_connection(listener, answer, close_notify));
    close(listener);
    snprintf(base, sizeof base, "https://localhost:%ld", port);
    open_on(base);
    r = stripe_connect_exchange_code(&client, "ac_one_shot", t, &e);
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) test_fail(__FILE__, __LINE__, "the one-shot server failed");
    return r;
}

#define TOKEN_JSON "{\"access_token\":\"sk_test_one_shot\",\"livemode\":false,\"refresh_token\":\"rt_one_shot\"," \
                   "\"token_type\":\"bearer\",\"stripe_publishable_key\":\"pk_test_one_shot\"," \
                   "\"stripe_user_id\":\"acct_1OneShot\",\"scope\":\"read_write\"}"

static void close_framed_body_needs_close_notify(void)
{
    stripe_connect_token t;
    CHECK_RESULT(exchange_against("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" TOKEN_JSON, 1, &t), OK);
    CHECK_STR(t.stripe_user_id, "acct_1OneShot");
    close_fixture();
    CHECK_RESULT(exchange_against("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" TOKEN_JSON, 0, &t),
                 STRIPE_CONNECT_ERR_TRANSPORT);
    CHECK_ERROR_MENTIONS("without TLS close_notify");
    CHECK_STR(t.access_token, "");
    close_fixture();
}

/* head_start, then Content-Length: <the token's length>, more head, the empty line, the token. */
static const char *token_answer(const char *head_start, const char *more_head)
{
    static char answer[1024];
    snprintf(answer, sizeof answer, "%sContent-Length: %lu\r\n%s\r\n%s", head_start,
             (unsigned long)strlen(TOKEN_JSON), more_head, TOKEN_JSON);
    return answer;
}

static void content_length_body_needs_no_close_notify(void)
{
    stripe_connect_token t;
    CHECK_RESULT(exchange_against(token_answer("HTTP/1.1 200 OK\r\n", ""), 0, &t), OK);
    CHECK_STR(t.access_token, "sk_test_one_shot");
    close_fixture();
}

static void content_length_body_cut_by_a_bare_close_is_transport(void)
{
    stripe_connect_token t;
    CHECK_RESULT(exchange_against("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n" TOKEN_JSON, 0, &t),
                 STRIPE_CONNECT_ERR_TRANSPORT);
    close_fixture();
}

static void continue_100_before_the_answer_is_skipped(void)
{
    stripe_connect_token t;
    CHECK_RESULT(exchange_against(token_answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n",
                                               "Request-Id: req_one_shot\r\n"), 1, &t), OK);
    CHECK_STR(t.refresh_token, "rt_one_shot");
    close_fixture();
}

static void malformed_answer_is_transport_with_the_reason(void)
{
    stripe_connect_token t;
    CHECK_RESULT(exchange_against("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 1, &t),
                 STRIPE_CONNECT_ERR_TRANSPORT);
    CHECK_ERROR_MENTIONS("bad response from localhost:");
    CHECK_ERROR_MENTIONS("two different Content-Length values");
    close_fixture();
}

/* ---- What arrives ---------------------------------------------------------------------------------- */
/* The value of header name (lower case) of the logged request with x-marker: marker, or "". A
   header sent twice is logged as a list, which is not a string: "(not one string)". */
static void logged_header(const char *marker, const char *name, char *out, size_t cap)
{
    size_t len, line_len, n;
    char *text = log_since(0, &len), *line, *end, value[256], path[96];
    snprintf(out, cap, "(no such request)");
    for (line = text; line != NULL && *line != '\0'; line = end + 1) {
        end = strchr(line, '\n');
        if (end == NULL) break;
        line_len = (size_t)(end - line);
        if (stripe_connect_json_get_string(line, line_len, "headers.x-marker", value, sizeof value, &n) != OK ||
            strcmp(value, marker) != 0)
            continue;
        snprintf(path, sizeof path, "headers.%s", name);
        switch (stripe_connect_json_get_string(line, line_len, path, out, cap, &n)) {
        case STRIPE_CONNECT_OK: break;
        case STRIPE_CONNECT_ERR_NOT_FOUND: snprintf(out, cap, "(absent)"); break;
        default: snprintf(out, cap, "(not one string)"); break;
        }
    }
    free(text);
}

static void exactly_the_request_head_arrives(void)
{
    char marker[64], value[256], expected[64], url[128], out[4096];
    stripe_connect_header headers[7];
    stripe_connect_http_response res;
    static const char body[] = "grant_type=authorization_code&code=fault_chunked";
    unsigned char random_bytes[8];
    open_default();
    os_random(NULL, random_bytes, sizeof random_bytes);
    snprintf(marker, sizeof marker, "m%02x%02x%02x%02x%02x%02x", random_bytes[0], random_bytes[1], random_bytes[2],
             random_bytes[3], random_bytes[4], random_bytes[5]);
    memcpy(headers, form_headers, sizeof form_headers);
    headers[3].name = "X-Marker";
    headers[3].value = marker;
    headers[4].name = "Content-Length";           /* the adapter writes its own: these must be dropped */
    headers[4].value = "999";
    headers[5].name = "Connection";
    headers[5].value = "keep-alive";
    headers[6].name = "host";
    headers[6].value = "evil.example";
    snprintf(url, sizeof url, "%s/oauth/token?#fragment", env.base);
    CHECK_RESULT(send_raw("POST", url, headers, 7, body, out, sizeof out, &res), OK);
    CHECK_INT(res.status, 200);
    sleep_ms(100);
    snprintf(expected, sizeof expected, "localhost:%ld", env.port);
    logged_header(marker, "host", value, sizeof value);
    CHECK_STR(value, expected);
    logged_header(marker, "content-length", value, sizeof value);
    snprintf(expected, sizeof expected, "%lu", (unsigned long)(sizeof body - 1));
    CHECK_STR(value, expected);
    logged_header(marker, "connection", value, sizeof value);
    CHECK_STR(value, "close");
    logged_header(marker, "authorization", value, sizeof value);
    CHECK_STR(value, "Bearer sk_test_...");          /* the stand-in logs keys cut short */
    logged_header(marker, "content-type", value, sizeof value);
    CHECK_STR(value, "application/x-www-form-urlencoded");
    logged_header(marker, "user-agent", value, sizeof value);
    CHECK_STR(value, "test_mbedtls_adapter");
    logged_header(marker, "transfer-encoding", value, sizeof value);
    CHECK_STR(value, "(absent)");
    close_fixture();
}

/* ---- A socket layer of the user's ------------------------------------------------------------------- */
/* Plain blocking-with-poll POSIX sockets, counting what the adapter asks of them. */
typedef struct counting_layer {
    int connects, closes, sends, recvs;
    int connect_answer;                  /* 0: really connect; else returned as is */
    int recv_fails_after;                /* >0: that many recvs work, then SOCKET_ERROR */
    unsigned long smallest_timeout;
    int fd;
} counting_layer;

static counting_layer layer;

static void note_timeout(unsigned long timeout_ms)
{
    if (layer.smallest_timeout == 0 || timeout_ms < layer.smallest_timeout) layer.smallest_timeout = timeout_ms;
}

static int wait_for(int fd, short events, unsigned long timeout_ms)
{
    struct pollfd p;
    p.fd = fd;
    p.events = events;
    p.revents = 0;
    return poll(&p, 1, (int)timeout_ms);
}

static int layer_connect(void *user, const char *host, const char *port, unsigned long timeout_ms, void **connection)
{
    struct addrinfo hints, *list = NULL, *ai;
    counting_layer *l = (counting_layer *)user;
    l->connects++;
    note_timeout(timeout_ms);
    if (l->connect_answer != 0) return l->connect_answer;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;                   /* the stand-in listens on 127.0.0.1 only */
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &list) != 0) return STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR;
    for (ai = list; ai != NULL; ai = ai->ai_next) {
        l->fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (l->fd >= 0 && connect(l->fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
        if (l->fd >= 0) close(l->fd);
        l->fd = -1;
    }
    freeaddrinfo(list);
    if (l->fd < 0) return STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR;
    *connection = l;
    return 0;
}

static int layer_send(void *connection, const unsigned char *data, size_t len, unsigned long timeout_ms)
{
    counting_layer *l = (counting_layer *)connection;
    ssize_t n;
    l->sends++;
    note_timeout(timeout_ms);
    if (wait_for(l->fd, POLLOUT, timeout_ms) == 0) return STRIPE_CONNECT_MBEDTLS_SOCKET_TIMEOUT;
    n = send(l->fd, data, len, MSG_NOSIGNAL);
    return n > 0 ? (int)n : STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR;
}

static int layer_recv(void *connection, unsigned char *data, size_t len, unsigned long timeout_ms)
{
    counting_layer *l = (counting_layer *)connection;
    ssize_t n;
    l->recvs++;
    note_timeout(timeout_ms);
    if (l->recv_fails_after > 0 && l->recvs > l->recv_fails_after) return STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR;
    if (wait_for(l->fd, POLLIN, timeout_ms) == 0) return STRIPE_CONNECT_MBEDTLS_SOCKET_TIMEOUT;
    n = recv(l->fd, data, len, 0);
    return n >= 0 ? (int)n : STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR;
}

static void layer_close(void *connection)
{
    counting_layer *l = (counting_layer *)connection;
    l->closes++;
    close(l->fd);
    l->fd = -1;
}

static void open_with_counting_layer(void)
{
    stripe_connect_mbedtls_socket s;
    memset(&layer, 0, sizeof layer);
    layer.fd = -1;
    s.connect = layer_connect;
    s.send = layer_send;
    s.recv = layer_recv;
    s.close = layer_close;
    s.user = &layer;
    open_default();
    stripe_connect_mbedtls_set_socket(&tls, &s);
}

static void user_socket_layer_carries_the_flow(void)
{
    stripe_connect_token t;
    stripe_connect_error e;
    char code[256];
    open_with_counting_layer();
    fresh_code("read_write", code, sizeof code);
    CHECK_RESULT(stripe_connect_exchange_code(&client, code, &t, &e), OK);
    check_token_shape(&t, "read_write");
    CHECK_RESULT(stripe_connect_deauthorize(&client, t.stripe_user_id, &e), OK);
    CHECK_INT(layer.connects, 3);
    CHECK_INT(layer.closes, 3);
    CHECK(layer.sends >= 3 && layer.recvs >= 6);
    CHECK(layer.smallest_timeout >= 1 && layer.smallest_timeout <= TIMEOUT_MS);
    close_fixture();
}

static void user_socket_layer_timeouts_reach_the_caller(void)
{
    stripe_connect_token t;
    stripe_connect_error e;
    double started;
    open_with_counting_layer();
    client.timeout_ms = 1000;
    started = now_seconds();
    CHECK_RESULT(stripe_connect_exchange_code(&client, "fault_slow", &t, &e), STRIPE_CONNECT_ERR_TIMEOUT);
    check_took_at_most(started, 2.0);
    CHECK_INT(layer.closes, 1);
    CHECK(layer.smallest_timeout < 1000);       /* each call got only what was left */
    close_fixture();
}

static void user_socket_layer_failures_are_transport_or_timeout(void)
{
    stripe_connect_token t;
    stripe_connect_error e;
    open_with_counting_layer();
    layer.connect_answer = STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR;
    CHECK_RESULT(stripe_connect_exchange_code(&client, "fault_chunked", &t, &e), STRIPE_CONNECT_ERR_TRANSPORT);
    CHECK_ERROR_MENTIONS("the socket layer returned -1");
    CHECK_INT(layer.closes, 0);                  /* no connection, nothing to close */
    layer.connect_answer = STRIPE_CONNECT_MBEDTLS_SOCKET_TIMEOUT;
    CHECK_RESULT(stripe_connect_exchange_code(&client, "fault_chunked", &t, &e), STRIPE_CONNECT_ERR_TIMEOUT);
    layer.connect_answer = -77;                  /* any other negative value is a failure */
    CHECK_RESULT(stripe_connect_exchange_code(&client, "fault_chunked", &t, &e), STRIPE_CONNECT_ERR_TRANSPORT);
    layer.connect_answer = 0;
    layer.recvs = 0;
    layer.recv_fails_after = 3;                  /* dies inside the handshake */
    CHECK_RESULT(stripe_connect_exchange_code(&client, "fault_chunked", &t, &e), STRIPE_CONNECT_ERR_TRANSPORT);
    CHECK_INT(layer.closes, 1);
    close_fixture();
}

static void incomplete_socket_layer_is_refused(void)
{
    stripe_connect_mbedtls_socket s;
    stripe_connect_token t;
    stripe_connect_error e;
    open_default();
    memset(&s, 0, sizeof s);
    s.connect = layer_connect;
    stripe_connect_mbedtls_set_socket(&tls, &s);
    CHECK_RESULT(stripe_connect_exchange_code(&client, "fault_chunked", &t, &e), STRIPE_CONNECT_ERR_TRANSPORT);
    CHECK_ERROR_MENTIONS("socket layer");
    stripe_connect_mbedtls_set_socket(&tls, NULL);    /* back to the default */
    CHECK_RESULT(stripe_connect_exchange_code(&client, "fault_chunked", &t, &e), OK);
    close_fixture();
}

/* ---- Hygiene ------------------------------------------------------------------------------------------ */
static void request_buffer_is_wiped_after_every_call(void)
{
    stripe_connect_token t;
    stripe_connect_error e;
    open_default();
    CHECK_RESULT(stripe_connect_exchange_code(&client, "fault_chunked", &t, &e), OK);
    CHECK(!test_mem_contains(tls.buffer, sizeof tls.buffer, SECRET_KEY, strlen(SECRET_KEY)));
    CHECK(tls.buffer[0] == 0 && memcmp(tls.buffer, tls.buffer + 1, sizeof tls.buffer - 1) == 0);
    CHECK_RESULT(stripe_connect_exchange_code(&client, "fault_truncated", &t, &e), STRIPE_CONNECT_ERR_TRANSPORT);
    CHECK(tls.buffer[0] == 0 && memcmp(tls.buffer, tls.buffer + 1, sizeof tls.buffer - 1) == 0);
    CHECK(strstr(tls.error, SECRET_KEY) == NULL);
    close_fixture();
}

static void error_is_cleared_by_a_request_that_succeeds(void)
{
    stripe_connect_token t;
    stripe_connect_error e;
    open_default();
    CHECK_RESULT(stripe_connect_exchange_code(&client, "fault_reset", &t, &e), STRIPE_CONNECT_ERR_TRANSPORT);
    CHECK(tls.error[0] != '\0');
    CHECK_RESULT(stripe_connect_exchange_code(&client, "fault_chunked", &t, &e), OK);
    CHECK_STR(tls.error, "");
    close_fixture();
}

static void many_requests_in_a_row_on_one_context(void)
{
    stripe_connect_token t;
    stripe_connect_error e;
    int i;
    open_default();
    for (i = 0; i < 20; i++) {
        CHECK_RESULT(stripe_connect_exchange_code(&client, i % 2 ? "fault_chunked" : "fault_escaped", &t, &e), OK);
        check_fault_token(&t);
    }
    close_fixture();
}

static void free_is_safe_twice_and_a_freed_context_refuses_work(void)
{
    stripe_connect_token t;
    stripe_connect_error e;
    stripe_connect_mbedtls_free(&tls);            /* a context that was freed already */
    open_default();
    stripe_connect_mbedtls_free(&tls);
    stripe_connect_mbedtls_free(&tls);
    stripe_connect_mbedtls_free(NULL);
    CHECK_INT(stripe_connect_mbedtls_init(NULL), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_INT(stripe_connect_mbedtls_set_ca_file(&tls, env.ca_file), STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_RESULT(stripe_connect_exchange_code(&client, "fault_chunked", &t, &e), STRIPE_CONNECT_ERR_TRANSPORT);
    CHECK_ERROR_MENTIONS("not initialised");
}

static int open_descriptors(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *entry;
    int n = 0;
    if (d == NULL) return -1;
    while ((entry = readdir(d)) != NULL)
        if (entry->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

int main(void)
{
    int descriptors_before;
    if (!load_environment()) return 2;
    descriptors_before = open_descriptors();

    RUN(full_flow_authorize_exchange_refresh_deauthorize);
    RUN(express_flow_with_read_only_scope);
    RUN(api_calls_for_the_connected_account);
    RUN(declined_card_is_an_api_error);
    RUN(retry_after_a_503_with_should_retry_succeeds);
    RUN(stripe_should_retry_is_reported);

    RUN(code_used_twice_is_invalid_grant_and_revokes_the_tokens);
    RUN(unknown_code_is_invalid_grant);
    RUN(unknown_refresh_token_is_invalid_grant);
    RUN(wrong_key_is_invalid_client);
    RUN(other_grant_type_is_unsupported_grant_type);
    RUN(refresh_wider_or_unknown_scope_is_invalid_scope);
    RUN(user_who_declines_is_access_denied);
    RUN(authorize_with_an_unknown_scope_redirects_with_invalid_scope);
    RUN(authorize_with_a_bad_redirect_uri_is_invalid_redirect_uri);
    RUN(deauthorize_of_an_unknown_account_is_invalid_client);

    fault_modes();
    RUN(slow_answer_times_out_after_about_the_timeout);

    RUN(content_length_body_exactly_fitting_and_one_byte_over);
    RUN(chunked_body_exactly_fitting_and_one_byte_over);
    RUN(close_delimited_body_exactly_fitting_and_one_byte_over);
    RUN(body_one_byte_over_through_the_core);

    RUN(wrong_ca_from_a_file_is_tls);
    RUN(wrong_ca_from_memory_is_tls);
    RUN(certificate_for_another_host_is_tls);
    RUN(expired_certificate_is_tls);
    RUN(no_ca_is_tls_before_connecting);
    RUN(unreadable_or_empty_ca_is_refused);
    RUN(ca_from_memory_with_or_without_its_nul);
    RUN(ca_bundle_in_memory_of_two_certificates);
    RUN(ca_file_and_memory_add_up);

    RUN(closed_port_is_transport);
    RUN(connect_to_a_blackhole_times_out);
    RUN(silent_server_times_out_in_the_handshake);
    RUN(urls_other_than_https_are_refused_before_anything_is_sent);
    RUN(header_with_a_line_break_is_refused_before_anything_is_sent);
    RUN(plain_http_listener_behind_an_https_url_fails_in_the_handshake);
    RUN(exactly_the_request_head_arrives);

    RUN(close_framed_body_needs_close_notify);
    RUN(content_length_body_needs_no_close_notify);
    RUN(content_length_body_cut_by_a_bare_close_is_transport);
    RUN(continue_100_before_the_answer_is_skipped);
    RUN(malformed_answer_is_transport_with_the_reason);

    RUN(user_socket_layer_carries_the_flow);
    RUN(user_socket_layer_timeouts_reach_the_caller);
    RUN(user_socket_layer_failures_are_transport_or_timeout);
    RUN(incomplete_socket_layer_is_refused);

    RUN(request_buffer_is_wiped_after_every_call);
    RUN(error_is_cleared_by_a_request_that_succeeds);
    RUN(many_requests_in_a_row_on_one_context);
    RUN(free_is_safe_twice_and_a_freed_context_refuses_work);

    test_begin("no descriptor is left open");
    CHECK_INT(open_descriptors(), descriptors_before);
    test_end();

    free(env.ca_pem);
    free(env.other_ca_pem);
    return test_summary("mbedtls adapter");
}
