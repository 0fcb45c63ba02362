/* analysis_curl.c - the translation unit tests/check.d/analysis.sh gives the static analysers
   for adapters/stripe_connect_curl.h: the adapter's implementation, and every public function of
   the adapter called once, with the transport driven through the core (an API call and a token
   exchange) and directly. The core's implementation is not in it: the core has a target of its
   own (analysis_core.c), and the analysers, which start from every function of the headers,
   would spend most of their time on it again. C99, as the adapter needs. Compiled, never run. */
#include "stripe_connect.h"
#define STRIPE_CONNECT_CURL_IMPLEMENTATION
#include "stripe_connect_curl.h"

#include <string.h>

static int analysis_random(void *user, unsigned char *out, size_t n)
{
    (void)user;
    for (size_t i = 0; i < n; i++) out[i] = (unsigned char)(i * 7u + 3u);
    return 0;
}

int analysis_curl_every_function(void);

/* Returns how many calls did not give what was expected, so that no result is ignored. */
int analysis_curl_every_function(void)
{
    static char work[16384];
    static char answer[4096];
    static char body[1024];
    static stripe_connect_curl http;
    static const stripe_connect_header headers[] = { { "Authorization", "Bearer sk_test_analysis" },
                                                     { "Idempotency-Key", "" } };
    stripe_connect_client client;
    stripe_connect_token token;
    stripe_connect_error error;
    stripe_connect_api_params api;
    stripe_connect_http_request req;
    stripe_connect_http_response res;
    size_t len = 0;
    int not_ok = 0;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
    if (stripe_connect_curl_init(&http, NULL) != STRIPE_CONNECT_OK) {
        curl_global_cleanup();
        return 1;
    }
    http.ca_file = "/etc/ssl/certs/ca-certificates.crt";

    stripe_connect_client_init(&client, work, sizeof work);
    client.client_id = "ca_analysis";
    client.secret_key = "sk_test_analysis";
    client.random = analysis_random;
    client.transport = stripe_connect_curl_transport(&http);
    not_ok += stripe_connect_exchange_code(&client, "ac_1", &token, &error) != STRIPE_CONNECT_OK;
    stripe_connect_wipe(&token, sizeof token);

    memset(&api, 0, sizeof api);
    api.method = "GET";
    api.path = "/v1/balance";
    api.stripe_account = "acct_analysis";
    not_ok += stripe_connect_api_request(&client, &api, answer, sizeof answer, &len, &error) != STRIPE_CONNECT_OK;

    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.url = "https://api.stripe.com/v1/charges";
    req.headers = headers;
    req.header_count = sizeof headers / sizeof headers[0];
    req.body = "amount=2000";
    req.body_len = 11;
    memset(&res, 0, sizeof res);
    res.body = body;
    res.body_cap = sizeof body;
    not_ok += stripe_connect_curl_perform(&http, &req, &res) != STRIPE_CONNECT_OK;
    not_ok += res.status != 200;

    http.ca_file = NULL;
    http.ca_pem = "-----BEGIN CERTIFICATE-----\n";
    req.method = "DELETE";
    req.body = NULL;
    req.body_len = 0;
    not_ok += stripe_connect_curl_perform(&http, &req, &res) != STRIPE_CONNECT_OK;

    stripe_connect_curl_cleanup(&http);
    curl_global_cleanup();
    return not_ok;
}
