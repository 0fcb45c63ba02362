/* analysis_mbedtls.c - the translation unit tests/check.d/analysis.sh gives the static
   analysers for adapters/stripe_connect_mbedtls.h: the adapter's implementation (with the
   default POSIX socket layer), and every public function of the adapter called once: the
   transport through the core, the HTTP reader over scripted bytes, a socket layer of the
   caller's. The core's implementation is not in it: the core has a target of its own
   (analysis_core.c). C99, as the adapter needs. Compiled, never run. */
#define _POSIX_C_SOURCE 200809L
#include "stripe_connect.h"
#define STRIPE_CONNECT_MBEDTLS_IMPLEMENTATION
#include "stripe_connect_mbedtls.h"

#include <string.h>

typedef struct analysis_script {
    const char *bytes;
    size_t len, at;
} analysis_script;

static int analysis_read(void *user, unsigned char *data, size_t len)
{
    analysis_script *s = (analysis_script *)user;
    size_t n = s->len - s->at;
    if (n > len) n = len;
    if (n > 3) n = 3;               /* a few bytes at a time, as a socket gives them */
    memcpy(data, s->bytes + s->at, n);
    s->at += n;
    return (int)n;
}

static int analysis_connect(void *user, const char *host, const char *port, unsigned long timeout_ms,
                            void **connection)
{
    (void)host;
    (void)port;
    (void)timeout_ms;
    *connection = user;
    return STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR;
}

static int analysis_send(void *connection, const unsigned char *data, size_t len, unsigned long timeout_ms)
{
    (void)connection;
    (void)data;
    (void)timeout_ms;
    return len > 0 ? 1 : STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR;
}

static int analysis_recv(void *connection, unsigned char *data, size_t len, unsigned long timeout_ms)
{
    (void)connection;
    (void)data;
    (void)len;
    (void)timeout_ms;
    return 0;
}

static void analysis_close(void *connection)
{
    (void)connection;
}

static int analysis_random(void *user, unsigned char *out, size_t n)
{
    (void)user;
    for (size_t i = 0; i < n; i++) out[i] = (unsigned char)(i * 7u + 3u);
    return 0;
}

int analysis_mbedtls_every_function(void);

/* Returns how many calls did not give what was expected, so that no result is ignored. */
int analysis_mbedtls_every_function(void)
{
    static const char response[] =
        "HTTP/1.1 100 Continue\r\n\r\n"
        "HTTP/1.1 200 OK\r\nRequest-Id: req_1\r\nStripe-Should-Retry: false\r\n"
        "Transfer-Encoding: chunked\r\n\r\n4;x=y\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nTrailer: t\r\n\r\n";
    static const char pem[] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    static stripe_connect_mbedtls tls;
    static char work[16384];
    static char answer[4096];
    unsigned char line[256];
    char body[64];
    const char *why = NULL;
    analysis_script script = { response, sizeof response - 1, 0 };
    stripe_connect_mbedtls_socket layer;
    stripe_connect_http_response res;
    stripe_connect_client client;
    stripe_connect_token token;
    stripe_connect_error error;
    stripe_connect_api_params api;
    size_t len = 0;
    int not_ok = 0;

    memset(&res, 0, sizeof res);
    res.body = body;
    res.body_cap = sizeof body;
    not_ok += stripe_connect_mbedtls_read_response(analysis_read, &script, line, sizeof line, &res, &why) !=
              STRIPE_CONNECT_OK;
    not_ok += res.status != 200 || res.body_len != 7 || why == NULL || why[0] != '\0';

    if (stripe_connect_mbedtls_init(&tls) != STRIPE_CONNECT_OK) {
        stripe_connect_mbedtls_free(&tls);
        return not_ok + 1;
    }
    not_ok += stripe_connect_mbedtls_set_ca_file(&tls, "/etc/ssl/certs/ca-certificates.crt") != STRIPE_CONNECT_OK;
    not_ok += stripe_connect_mbedtls_set_ca_pem(&tls, pem, sizeof pem - 1) != STRIPE_CONNECT_ERR_TLS;

    stripe_connect_client_init(&client, work, sizeof work);
    client.client_id = "ca_analysis";
    client.secret_key = "sk_test_analysis";
    client.random = analysis_random;
    client.transport = stripe_connect_mbedtls_transport(&tls);
    not_ok += stripe_connect_exchange_code(&client, "ac_1", &token, &error) != STRIPE_CONNECT_OK;
    stripe_connect_wipe(&token, sizeof token);

    layer.connect = analysis_connect;
    layer.send = analysis_send;
    layer.recv = analysis_recv;
    layer.close = analysis_close;
    layer.user = &script;
    stripe_connect_mbedtls_set_socket(&tls, &layer);
    memset(&api, 0, sizeof api);
    api.method = "POST";
    api.path = "/v1/charges";
    api.params = "amount=2000";
    api.params_len = 11;
    not_ok += stripe_connect_api_request(&client, &api, answer, sizeof answer, &len, &error) !=
              STRIPE_CONNECT_ERR_TRANSPORT;
    stripe_connect_mbedtls_set_socket(&tls, NULL);

    stripe_connect_mbedtls_free(&tls);
    stripe_connect_mbedtls_free(&tls);
    return not_ok;
}
