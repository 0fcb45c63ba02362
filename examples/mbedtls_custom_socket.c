/* mbedtls_custom_socket.c - the mbedTLS adapter over a socket layer of your own.

   On a device the TCP stack is not BSD sockets: it is lwIP (netconn or its socket API), a
   cellular or Wi-Fi modem driven by AT commands (AT+QIOPEN / AT+QISEND / AT+QIRD, AT+CIPSTART /
   AT+CIPSEND ...), or an RTOS's own network API. adapters/stripe_connect_mbedtls.h takes such a
   stack as four callbacks - connect, send, recv, close - and runs TLS and HTTP on top of them.

   This file is that layer written the way a firmware developer would write it, here over POSIX
   sockets with poll() so that it runs on a desktop; every place where your stack's calls go is
   marked "YOUR STACK". It is built the way a device build is: STRIPE_CONNECT_MBEDTLS_NO_DEFAULT_SOCKET
   (no POSIX layer compiled into the adapter) and a clock of its own (STRIPE_CONNECT_MBEDTLS_CLOCK_MS).

   It makes one token exchange: the authorization code from the command line, everything else
   from the same environment as build/stripe-connect:
       STRIPE_CLIENT_ID, STRIPE_SECRET_KEY, STRIPE_CONNECT_BASE (default https://connect.stripe.com),
       STRIPE_CA_FILE (default /etc/ssl/certs/ca-certificates.crt), STRIPE_TIMEOUT_MS (default 80000)

       make build/mbedtls_custom_socket
       STRIPE_SECRET_KEY=sk_test_... build/mbedtls_custom_socket ac_...

   It prints the connected account (never a token) and exits 0; or one line on stderr and exits
   1 (Stripe said no), 2 (usage), 3 (transport, TLS, timeout) or 4 (a bad response), as the tool.
   A secret key does not belong on a device in the field: there the device asks its platform's
   backend, which makes this call. The layer is the same either way. */
#define _POSIX_C_SOURCE 200809L              /* for this desktop stand-in of a TCP stack only */

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The clock the adapter measures req->timeout_ms with: monotonic milliseconds. YOUR STACK:
   FreeRTOS: ((unsigned long)xTaskGetTickCount() * portTICK_PERIOD_MS); Zephyr: k_uptime_get_32(). */
static unsigned long device_clock_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (unsigned long)now.tv_sec * 1000UL + (unsigned long)(now.tv_nsec / 1000000L);
}
#define STRIPE_CONNECT_MBEDTLS_CLOCK_MS() device_clock_ms()
#define STRIPE_CONNECT_MBEDTLS_NO_DEFAULT_SOCKET

#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"
#define STRIPE_CONNECT_MBEDTLS_IMPLEMENTATION
#include "stripe_connect_mbedtls.h"

/* ---- The socket layer ------------------------------------------------------------------------
   One connection at a time, so its state can live in one static struct: no allocation. */
typedef struct device_link {
    int fd;                               /* YOUR STACK: a netconn pointer, a modem's context id */
    int last_error;                       /* for the log line, if the request fails */
} device_link;

static device_link link_state = { -1, 0 };

/* Waits up to timeout_ms for the link to be readable or writable: 1 ready, 0 timed out, -1 error.
   YOUR STACK: lwIP: select()/poll() on lwip sockets, or netconn_set_recvtimeout; a modem: wait
   for the "+QIURC: \"recv\"" URC or poll AT+QIRD with a timer. */
static int link_wait(int fd, short events, unsigned long timeout_ms)
{
    struct pollfd p;
    int n;
    p.fd = fd;
    p.events = events;
    p.revents = 0;
    do n = poll(&p, 1, timeout_ms > 600000UL ? 600000 : (int)timeout_ms);
    while (n < 0 && errno == EINTR);      /* a signal is not a timeout (a slightly longer wait is) */
    return n;
}

/* Opens a TCP connection to host:port within timeout_ms. YOUR STACK: lwIP: netconn_gethostbyname
   + netconn_connect; a modem: AT+QIOPEN=1,0,"TCP","<host>",<port> and wait for "+QIOPEN: 0,0". */
static int link_connect(void *user, const char *host, const char *port, unsigned long timeout_ms, void **connection)
{
    device_link *link = (device_link *)user;
    struct addrinfo hints, *list = NULL, *ai;
    int error = 0;
    socklen_t error_len = sizeof error;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &list) != 0) return STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR;
    for (ai = list; ai != NULL; ai = ai->ai_next) {
        error = 0;
        link->fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (link->fd < 0) continue;
        fcntl(link->fd, F_SETFL, fcntl(link->fd, F_GETFL, 0) | O_NONBLOCK);   /* so connect can time out */
        if (connect(link->fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
        if (errno == EINPROGRESS && link_wait(link->fd, POLLOUT, timeout_ms) == 1 &&
            getsockopt(link->fd, SOL_SOCKET, SO_ERROR, &error, &error_len) == 0 && error == 0)
            break;
        link->last_error = error != 0 ? error : errno;
        close(link->fd);
        link->fd = -1;
    }
    freeaddrinfo(list);
    if (link->fd < 0) return STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR;
    *connection = link;
    return 0;
}

/* Sends some of data: returns how many bytes went out. YOUR STACK: lwIP: netconn_write_partly;
   a modem: AT+QISEND=0,<n>, wait for '>', write the bytes, wait for "SEND OK". */
static int link_send(void *connection, const unsigned char *data, size_t len, unsigned long timeout_ms)
{
    device_link *link = (device_link *)connection;
    ssize_t n;
    int ready = link_wait(link->fd, POLLOUT, timeout_ms);
    if (ready == 0) return STRIPE_CONNECT_MBEDTLS_SOCKET_TIMEOUT;
    if (ready < 0) return STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR;
    n = send(link->fd, data, len, MSG_NOSIGNAL);        /* MSG_NOSIGNAL: the contract forbids SIGPIPE */
    if (n > 0) return (int)n;
    link->last_error = errno;
    return STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR;
}

/* Receives up to len bytes: returns how many, 0 when the server closed the connection. YOUR
   STACK: lwIP: netconn_recv + netbuf_copy (keep what does not fit for the next call); a modem:
   AT+QIRD=0,<len> once the "recv" URC came, and "+QIURC: \"closed\"" means 0. */
static int link_recv(void *connection, unsigned char *data, size_t len, unsigned long timeout_ms)
{
    device_link *link = (device_link *)connection;
    ssize_t n;
    int ready = link_wait(link->fd, POLLIN, timeout_ms);
    if (ready == 0) return STRIPE_CONNECT_MBEDTLS_SOCKET_TIMEOUT;
    if (ready < 0) return STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR;
    n = recv(link->fd, data, len, 0);
    if (n >= 0) return (int)n;
    link->last_error = errno;
    return STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR;
}

/* YOUR STACK: lwIP: netconn_close + netconn_delete; a modem: AT+QICLOSE=0. */
static void link_close(void *connection)
{
    device_link *link = (device_link *)connection;
    close(link->fd);
    link->fd = -1;
}

/* ---- One token exchange ------------------------------------------------------------------------- */
static stripe_connect_mbedtls tls;        /* holds the mbedTLS contexts: static, not on the stack */
static char work[16384];                  /* the request, then the response; wiped after each call */

static int exit_code_of(stripe_connect_result r)
{
    switch (r) {
    case STRIPE_CONNECT_ERR_OAUTH: case STRIPE_CONNECT_ERR_API: return 1;
    case STRIPE_CONNECT_ERR_INVALID_ARGUMENT: return 2;
    case STRIPE_CONNECT_ERR_TRANSPORT: case STRIPE_CONNECT_ERR_TIMEOUT: case STRIPE_CONNECT_ERR_TLS: return 3;
    default: return 4;
    }
}

static int fail(stripe_connect_result r, const stripe_connect_error *e)
{
    fprintf(stderr, "mbedtls_custom_socket: %s", stripe_connect_result_string(r));
    if (e != NULL && e->code[0] != '\0') fprintf(stderr, ": %s", e->code);
    if (e != NULL && e->message[0] != '\0') fprintf(stderr, ": %s", e->message);
    else if (tls.error[0] != '\0') fprintf(stderr, ": %s", tls.error);
    if (link_state.last_error != 0 && exit_code_of(r) == 3) fprintf(stderr, " (%s)", strerror(link_state.last_error));
    fputc('\n', stderr);
    return exit_code_of(r);
}

static const char *env_or(const char *name, const char *otherwise)
{
    const char *value = getenv(name);
    return value != NULL && value[0] != '\0' ? value : otherwise;
}

int main(int argc, char **argv)
{
    stripe_connect_mbedtls_socket layer;
    stripe_connect_client client;
    stripe_connect_token token;
    stripe_connect_error error;
    stripe_connect_result r;
    const char *ca_file = env_or("STRIPE_CA_FILE", "/etc/ssl/certs/ca-certificates.crt");

    if (argc != 2 || getenv("STRIPE_SECRET_KEY") == NULL) {
        fprintf(stderr, "usage: STRIPE_SECRET_KEY=sk_... [STRIPE_CONNECT_BASE=...] [STRIPE_CA_FILE=...] "
                        "[STRIPE_TIMEOUT_MS=...] %s AUTHORIZATION_CODE\n", argv[0]);
        return 2;
    }

    layer.connect = link_connect;
    layer.send = link_send;
    layer.recv = link_recv;
    layer.close = link_close;
    layer.user = &link_state;

    /* On a device the CA certificate is a PEM string in flash: stripe_connect_mbedtls_set_ca_pem. */
    r = stripe_connect_mbedtls_init(&tls);
    if (r == STRIPE_CONNECT_OK) r = stripe_connect_mbedtls_set_ca_file(&tls, ca_file);
    if (r != STRIPE_CONNECT_OK) {
        stripe_connect_mbedtls_free(&tls);
        return fail(r, NULL);
    }
    stripe_connect_mbedtls_set_socket(&tls, &layer);

    stripe_connect_client_init(&client, work, sizeof work);
    client.client_id = getenv("STRIPE_CLIENT_ID");
    client.secret_key = getenv("STRIPE_SECRET_KEY");
    client.connect_base = getenv("STRIPE_CONNECT_BASE");
    client.timeout_ms = strtoul(env_or("STRIPE_TIMEOUT_MS", "80000"), NULL, 10);
    client.transport = stripe_connect_mbedtls_transport(&tls);

    r = stripe_connect_exchange_code(&client, argv[1], &token, &error);   /* once: never retried */
    if (r == STRIPE_CONNECT_OK)
        printf("connected: %s (scope %s, livemode %s)\n", token.stripe_user_id, token.scope,
               token.livemode ? "true" : "false");
    stripe_connect_wipe(&token, sizeof token);       /* store the tokens before this, on a server */
    stripe_connect_mbedtls_free(&tls);
    return r == STRIPE_CONNECT_OK ? 0 : fail(r, &error);
}
