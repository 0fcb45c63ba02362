/* compile_adapter.c - adapters/stripe_connect_mbedtls.h compiled the ways users compile it: as C
   and (with -x c++) as C++, with every warning an error (-Wconversion and -Wsign-conversion
   included); included once plainly, then with the implementation, then again (both guards must
   hold). With -DSTRIPE_CONNECT_STATIC nothing is called, and the build must still be warning-free.
   tests/run.sh compiles it in several ways; the program it makes needs no server. */
#define _POSIX_C_SOURCE 200809L
#include "stripe_connect.h"
#include "stripe_connect_mbedtls.h"

#define STRIPE_CONNECT_IMPLEMENTATION
#define STRIPE_CONNECT_MBEDTLS_IMPLEMENTATION
#include "stripe_connect.h"
#include "stripe_connect_mbedtls.h"
#include "stripe_connect.h"
#include "stripe_connect_mbedtls.h"

#ifndef STRIPE_CONNECT_STATIC
#include <stdio.h>
#include <string.h>

static stripe_connect_mbedtls tls;

/* Every public function once, with answers that need no network. */
int main(void)
{
    static const char response[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    stripe_connect_http_response res;
    stripe_connect_transport t;
    unsigned char line[64];
    char body[8];
    const char *why = NULL;
    int failures = 0;

    if (stripe_connect_mbedtls_init(&tls) != STRIPE_CONNECT_OK) failures++;
    if (stripe_connect_mbedtls_set_ca_file(&tls, "/nonexistent.pem") != STRIPE_CONNECT_ERR_TLS) failures++;
    if (stripe_connect_mbedtls_set_ca_pem(&tls, "x", 1) != STRIPE_CONNECT_ERR_TLS) failures++;
    stripe_connect_mbedtls_set_socket(&tls, NULL);
    t = stripe_connect_mbedtls_transport(&tls);
    if (t.perform == NULL || t.user != &tls) failures++;
    stripe_connect_mbedtls_free(&tls);

    memset(&res, 0, sizeof res);
    res.body = body;
    res.body_cap = sizeof body;
    (void)response;
    if (stripe_connect_mbedtls_read_response(NULL, NULL, line, sizeof line, &res, &why) !=
        STRIPE_CONNECT_ERR_INVALID_ARGUMENT) failures++;
    printf("compile_adapter: %s\n", failures == 0 ? "ok" : "FAILED");
    return failures != 0;
}
#endif
