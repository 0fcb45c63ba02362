/* ops_exchange.c - a whole token exchange through the curl adapter against the local Stripe
   stand-in, against a bare libcurl POST of the same bytes on the same easy handle.

   The stand-in hands out single-use codes, so the exchange measured is the refresh_token grant,
   which the stand-in answers again and again: the same POST /oauth/token with a form body and
   the platform key as Bearer, the same kind of answer (a new access_token, 7 fields), the same
   parse. One operation of the library is stripe_connect_refresh: build the request in the
   client's scratch, the adapter's header list and options, curl_easy_perform, the header and
   body callbacks, the parse, the wipe. One operation of the bare transport is curl_easy_perform
   alone, its options (the same URL, headers and body, built once) set before the loop, the body
   appended to a buffer. The connection is opened (TLS handshake) in prepare and kept alive;
   the "fresh" pair opens a new one for every exchange instead.

   Environment (bench/run.py sets it; it starts the stand-in through tests/integration/harness.py):
   BENCH_CONNECT_BASE   https://localhost:<port>
   BENCH_CA_FILE        the stand-in's test CA (PEM)
   BENCH_REFRESH_TOKEN  a refresh token of an account connected to the stand-in's platform */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "bench.h"
#include "stripe_connect_curl.h"

#define EXCHANGE_CLIENT_ID "ca_test_standin"
#define EXCHANGE_SECRET_KEY "sk_test_standin"

static stripe_connect_curl exchange_http;
static stripe_connect_client exchange_client;
static char exchange_work[8192];      /* the size the header's MEMORY AND BUFFERS suggests */
static const char *exchange_refresh_token;
static stripe_connect_token exchange_token;
static stripe_connect_error exchange_error;

/* The bare transport's request (built once) and the buffer its answer goes to. */
static char bare_request[4096];
static struct curl_slist *bare_headers;
static char bare_body[16384];
static size_t bare_body_len;

static int exchange_setup(void)
{
    const char *base = getenv("BENCH_CONNECT_BASE"), *ca = getenv("BENCH_CA_FILE");
    exchange_refresh_token = getenv("BENCH_REFRESH_TOKEN");
    if (base == NULL || ca == NULL || exchange_refresh_token == NULL) {
        fprintf(stderr, "bench: the exchange needs BENCH_CONNECT_BASE, BENCH_CA_FILE and BENCH_REFRESH_TOKEN "
                        "(bench/run.py starts the stand-in and sets them)\n");
        return 1;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
    if (stripe_connect_curl_init(&exchange_http, NULL) != STRIPE_CONNECT_OK) return 1;
    exchange_http.ca_file = ca;
    stripe_connect_client_init(&exchange_client, exchange_work, sizeof exchange_work);
    exchange_client.client_id = EXCHANGE_CLIENT_ID;
    exchange_client.secret_key = EXCHANGE_SECRET_KEY;
    exchange_client.connect_base = base;
    exchange_client.transport = stripe_connect_curl_transport(&exchange_http);
    return exchange_stripe_connect();        /* opens the connection */
}

int exchange_stripe_connect(void)
{
    stripe_connect_result r =
        stripe_connect_refresh(&exchange_client, exchange_refresh_token, NULL, &exchange_token, &exchange_error);
    if (r != STRIPE_CONNECT_OK)
        fprintf(stderr, "bench: refresh: %s (%s %s) %s\n", stripe_connect_result_string(r), exchange_error.code,
                exchange_error.message, exchange_http.error);
    return r != STRIPE_CONNECT_OK;
}

int exchange_prepare(void)
{
    return exchange_setup();
}

static size_t bare_write(char *data, size_t size, size_t count, void *user)
{
    size_t n = size * count;
    (void)user;
    if (n > sizeof bare_body - bare_body_len) return 0;
    memcpy(bare_body + bare_body_len, data, n);
    bare_body_len += n;
    return n;
}

/* "Name: value" lines of the prepared request, then the "Name:" lines that keep libcurl's own
   Expect and Accept out, as the adapter does: the same bytes on the wire. */
static int bare_header_list(const stripe_connect_prepared_request *req)
{
    static const char *const suppressed[] = { "Expect:", "Accept:" };
    size_t i;
    for (i = 0; i < req->http.header_count + 2; i++) {
        char line[512];
        struct curl_slist *grown;
        if (i < req->http.header_count)
            snprintf(line, sizeof line, "%s: %s", req->http.headers[i].name, req->http.headers[i].value);
        else
            snprintf(line, sizeof line, "%s", suppressed[i - req->http.header_count]);
        grown = curl_slist_append(bare_headers, line);
        if (grown == NULL) return 1;
        bare_headers = grown;
    }
    return 0;
}

int exchange_prepare_bare(void)
{
    stripe_connect_token_params p;
    stripe_connect_prepared_request req;
    CURL *easy;
    size_t used;
    int bad;
    if (exchange_setup() != 0) return 1;
    memset(&p, 0, sizeof p);
    p.grant_type = "refresh_token";
    p.refresh_token = exchange_refresh_token;
    if (stripe_connect_token_request_build(&exchange_client, &p, bare_request, sizeof bare_request, &used, &req) !=
            STRIPE_CONNECT_OK ||
        bare_header_list(&req) != 0)
        return 1;
    easy = exchange_http.easy;                /* the same handle, its connection already open */
    bad = curl_easy_setopt(easy, CURLOPT_URL, req.http.url) != CURLE_OK;
    bad |= curl_easy_setopt(easy, CURLOPT_POST, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req.http.body) != CURLE_OK;
    bad |= curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)req.http.body_len) != CURLE_OK;
    bad |= curl_easy_setopt(easy, CURLOPT_HTTPHEADER, bare_headers) != CURLE_OK;
    bad |= curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, bare_write) != CURLE_OK;
    bad |= curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
    return bad || exchange_bare_curl() != 0;
}

/* The same two, with a new connection (TCP and a TLS handshake) for every exchange, as a code
   exchange usually gets in production: one per connected account, with the connection to
   Stripe long closed since the last. CURLOPT_FORBID_REUSE closes it after each transfer. */
static int forbid_reuse(void)
{
    return curl_easy_setopt(exchange_http.easy, CURLOPT_FORBID_REUSE, 1L) != CURLE_OK;
}

int exchange_prepare_fresh(void)
{
    return exchange_prepare() != 0 || forbid_reuse();
}

int exchange_prepare_bare_fresh(void)
{
    return exchange_prepare_bare() != 0 || forbid_reuse();
}

int exchange_bare_curl(void)
{
    long status = 0;
    bare_body_len = 0;
    if (curl_easy_perform(exchange_http.easy) != CURLE_OK) return 1;
    curl_easy_getinfo(exchange_http.easy, CURLINFO_RESPONSE_CODE, &status);
    return status != 200;
}

/* bench check: both ways give a 200 with a new access token for the same account, over one
   connection. */
int exchange_check(void)
{
    char account[STRIPE_CONNECT_FIELD_MAX];
    stripe_connect_token bare;
    long connections = -1;
    int failed = 0, ok;
    ok = exchange_prepare() == 0 && exchange_stripe_connect() == 0 &&
         strncmp(exchange_token.access_token, "sk_test_", 8) == 0;
    failed += bench_case(ok, "exchange: stripe_connect_refresh through the curl adapter gives OK and an sk_test_ token");
    snprintf(account, sizeof account, "%s", exchange_token.stripe_user_id);
    curl_slist_free_all(bare_headers);
    bare_headers = NULL;
    ok = ok && exchange_prepare_bare() == 0 && exchange_bare_curl() == 0 &&
         stripe_connect_parse_token_response(200, bare_body, bare_body_len, &bare, NULL) == STRIPE_CONNECT_OK &&
         strcmp(bare.stripe_user_id, account) == 0;
    failed += bench_case(ok, "exchange: the bare libcurl POST of the same bytes gives 200 and a token for the same account");
    curl_easy_getinfo(exchange_http.easy, CURLINFO_NUM_CONNECTS, &connections);
    failed += bench_case(ok && connections == 0, "exchange: the bare POST reused the adapter's connection (no new connect)");
    return failed;
}
