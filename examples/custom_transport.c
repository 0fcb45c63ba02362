/* custom_transport.c - a transport for stripe_connect.h written the way an embedded developer
   writes one: on a device's own TCP stack, with a minimal HTTP/1.1 client of its own.

   A device's network stack (lwIP, a modem's AT commands, an RTOS socket layer) looks nothing
   like libcurl. What it always offers is a connection that can send bytes and receive bytes with
   a timeout. This example puts those primitives behind a small table (device_socket), writes
   the HTTP/1.1 client the transport contract asks for on top of it (http_perform, a
   stripe_connect_perform_fn), and uses it with the sans-I/O pair:

       stripe_connect_token_request_build   -> the request, built in the caller's buffer
       http_perform                         -> sent; the answer goes to the rest of the buffer
       stripe_connect_parse_token_response  -> the tokens, copied into the caller's struct
       stripe_connect_wipe(buffer)          -> the secret key and the tokens gone from the buffer

   FOR LOCAL TESTING ONLY. It speaks plain HTTP, to the stand-in's http_port, and refuses any
   host but localhost and 127.0.0.1. A real device MUST use TLS that verifies Stripe's
   certificate chain and host name: adapters/stripe_connect_mbedtls.h does, and its socket layer
   is pluggable the same way (stripe_connect_mbedtls_set_socket). A device should also keep the
   platform's secret key off the device and ask its backend to make these calls.

   Build and run against the stand-in (README.md, "examples/"):
       make build/custom_transport
       bash tests/integration/make_certs.sh build/demo/certs
       python3 tests/integration/stand_in.py --cert-dir build/demo/certs \
           --state-file build/demo/state.json &
       build/custom_transport "http://localhost:$(python3 -c \
           'import json; print(json.load(open("build/demo/state.json"))["http_port"])')"
       kill %1
   STRIPE_CLIENT_ID and STRIPE_SECRET_KEY default to the stand-in's ca_test_standin and
   sk_test_standin. `build/custom_transport URL CODE` only exchanges CODE (for the stand-in's
   fault modes: fault_truncated, fault_oversized, fault_chunked...). Exit status 0 when every
   step worked, 1 when one failed (one line on stderr), 2 for usage. */
#define _POSIX_C_SOURCE 200809L /* getaddrinfo, poll, clock_gettime */

#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- 1. The device's TCP stack, behind four callbacks and a clock --------------------------------
   On a device these wrap lwIP's netconn, a modem's AT+CIPSEND, or the RTOS's sockets. Here they
   are POSIX, so the example runs on a PC. */

enum { SOCKET_CLOSED = 0, SOCKET_ERROR = -1, SOCKET_TIMEOUT = -2 };

typedef struct device_socket {
    /* 0 when connected to host:port within timeout_ms, else SOCKET_ERROR or SOCKET_TIMEOUT. */
    int (*connect)(void *ctx, const char *host, const char *port, unsigned long timeout_ms);
    /* Bytes sent (> 0), SOCKET_ERROR or SOCKET_TIMEOUT. */
    long (*send)(void *ctx, const char *data, size_t len, unsigned long timeout_ms);
    /* Bytes received (> 0), SOCKET_CLOSED when the peer closed, SOCKET_ERROR or SOCKET_TIMEOUT. */
    long (*receive)(void *ctx, char *buf, size_t cap, unsigned long timeout_ms);
    void (*close)(void *ctx);
    unsigned long (*now_ms)(void *ctx); /* a millisecond tick, for the request's deadline */
    void *ctx;
} device_socket;

typedef struct posix_connection { int fd; } posix_connection;

/* Waits until fd is ready for events; 1 ready, 0 timed out, -1 error. */
static int posix_wait(int fd, short events, unsigned long timeout_ms)
{
    struct pollfd p;
    int n;
    p.fd = fd;
    p.events = events;
    p.revents = 0;
    do n = poll(&p, 1, timeout_ms > 600000ul ? 600000 : (int)timeout_ms);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -1 : n;
}

/* One address: a non-blocking connect, so that the timeout holds. */
static int posix_connect_one(const struct addrinfo *a, unsigned long timeout_ms)
{
    int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol), error = 0;
    socklen_t len = sizeof error;
    if (fd < 0) return -1;
    if (fcntl(fd, F_SETFL, O_NONBLOCK) == 0 && connect(fd, a->ai_addr, a->ai_addrlen) == 0) return fd;
    if (errno == EINPROGRESS && posix_wait(fd, POLLOUT, timeout_ms) > 0 &&
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0)
        return fd;
    close(fd);
    return -1;
}

static int posix_connect(void *ctx, const char *host, const char *port, unsigned long timeout_ms)
{
    posix_connection *c = (posix_connection *)ctx;
    struct addrinfo hints, *list, *a;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &list) != 0) return SOCKET_ERROR;
    c->fd = -1;
    for (a = list; a != NULL && c->fd < 0; a = a->ai_next)   /* localhost: ::1, then 127.0.0.1 */
        c->fd = posix_connect_one(a, timeout_ms);
    freeaddrinfo(list);
    return c->fd >= 0 ? 0 : SOCKET_ERROR;
}

static long posix_send(void *ctx, const char *data, size_t len, unsigned long timeout_ms)
{
    posix_connection *c = (posix_connection *)ctx;
    int ready = posix_wait(c->fd, POLLOUT, timeout_ms);
    ssize_t n;
    if (ready <= 0) return ready == 0 ? SOCKET_TIMEOUT : SOCKET_ERROR;
    n = send(c->fd, data, len, MSG_NOSIGNAL);
    return n > 0 ? (long)n : SOCKET_ERROR;
}

static long posix_receive(void *ctx, char *buf, size_t cap, unsigned long timeout_ms)
{
    posix_connection *c = (posix_connection *)ctx;
    int ready = posix_wait(c->fd, POLLIN, timeout_ms);
    ssize_t n;
    if (ready <= 0) return ready == 0 ? SOCKET_TIMEOUT : SOCKET_ERROR;
    n = recv(c->fd, buf, cap, 0);
    return n > 0 ? (long)n : n == 0 ? SOCKET_CLOSED : SOCKET_ERROR;
}

static void posix_close(void *ctx)
{
    posix_connection *c = (posix_connection *)ctx;
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
}

static unsigned long posix_now_ms(void *ctx)
{
    struct timespec t;
    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (unsigned long)t.tv_sec * 1000ul + (unsigned long)(t.tv_nsec / 1000000L);
}

/* ---- 2. A minimal HTTP/1.1 client: the transport --------------------------------------------------
   One request per connection (Connection: close), so there is no connection state to get wrong.
   Bodies by Content-Length or until the peer closes; chunked bodies are refused (the mbedTLS
   adapter reads them). Every failure is one of the results the contract allows, with a reason
   in error[]. */

#define HTTP_HEAD_MAX 4096 /* the request's head, and the answer's status line and headers */

typedef struct http_transport {
    const device_socket *socket;
    unsigned long deadline;   /* now_ms() at which the request has used up its timeout_ms */
    char head[HTTP_HEAD_MAX];
    size_t head_len;
    char error[160];          /* why the last request failed; never holds the request's secrets */
} http_transport;

typedef struct http_url { char host[64]; char port[8]; const char *path; } http_url;

/* Records why the request failed and returns r. */
static stripe_connect_result http_fail(http_transport *t, stripe_connect_result r, const char *why)
{
    snprintf(t->error, sizeof t->error, "%s", why);
    return r;
}

/* The time left before the deadline; 0 when it has passed. */
static unsigned long http_time_left(const http_transport *t)
{
    unsigned long now = t->socket->now_ms(t->socket->ctx);
    return now < t->deadline ? t->deadline - now : 0;
}

/* http://host[:port][/path]: only plain HTTP, and only to this machine (see the top). */
static int http_parse_url(const char *url, http_url *out)
{
    const char *host = url + 7, *end;
    size_t host_len, port_len;
    if (strncmp(url, "http://", 7) != 0) return 0;
    end = host + strcspn(host, ":/?#");
    host_len = (size_t)(end - host);
    if (host_len >= sizeof out->host) return 0;
    memcpy(out->host, host, host_len);
    out->host[host_len] = '\0';
    if (strcmp(out->host, "localhost") != 0 && strcmp(out->host, "127.0.0.1") != 0) return 0;
    if (*end == ':') {
        port_len = strspn(end + 1, "0123456789");
        if (port_len == 0 || port_len >= sizeof out->port) return 0;
        memcpy(out->port, end + 1, port_len);
        out->port[port_len] = '\0';
        end += 1 + port_len;
    } else {
        strcpy(out->port, "80");
    }
    out->path = end;
    return out->path[0] == '/' || out->path[0] == '\0';
}

static stripe_connect_result http_send_all(http_transport *t, const char *data, size_t len)
{
    while (len > 0) {
        long n = t->socket->send(t->socket->ctx, data, len, http_time_left(t));
        if (n == SOCKET_TIMEOUT || http_time_left(t) == 0) return http_fail(t, STRIPE_CONNECT_ERR_TIMEOUT, "send timed out");
        if (n <= 0) return http_fail(t, STRIPE_CONNECT_ERR_TRANSPORT, "send failed");
        data += n;
        len -= (size_t)n;
    }
    return STRIPE_CONNECT_OK;
}

/* Appends text to the request head; 0 when it does not fit. */
static int http_head_put(http_transport *t, const char *a, const char *b, const char *c)
{
    int n = snprintf(t->head + t->head_len, sizeof t->head - t->head_len, "%s%s%s", a, b, c);
    if (n < 0 || (size_t)n >= sizeof t->head - t->head_len) return 0;
    t->head_len += (size_t)n;
    return 1;
}

/* Writes and sends the request line, the headers and the body. The head holds the
   Authorization header, so it is wiped as soon as it is sent. */
static stripe_connect_result http_send_request(http_transport *t, const http_url *u, const stripe_connect_http_request *req)
{
    char length[32];
    size_t i;
    int fits;
    stripe_connect_result r;

    snprintf(length, sizeof length, "%lu", (unsigned long)req->body_len);
    t->head_len = 0;
    fits = http_head_put(t, req->method, " ", u->path[0] != '\0' ? u->path : "/") &&
           http_head_put(t, " HTTP/1.1\r\nHost: ", u->host, "") && http_head_put(t, ":", u->port, "\r\n");
    for (i = 0; fits && i < req->header_count; i++)
        fits = http_head_put(t, req->headers[i].name, ": ", req->headers[i].value) && http_head_put(t, "\r\n", "", "");
    if (fits && (req->body_len > 0 || strcmp(req->method, "POST") == 0)) fits = http_head_put(t, "Content-Length: ", length, "\r\n");
    fits = fits && http_head_put(t, "Connection: close\r\n\r\n", "", "");
    r = fits ? http_send_all(t, t->head, t->head_len)
             : http_fail(t, STRIPE_CONNECT_ERR_TRANSPORT, "the request head is over 4096 bytes");
    if (r == STRIPE_CONNECT_OK && req->body_len > 0) r = http_send_all(t, req->body, req->body_len);
    stripe_connect_wipe(t->head, sizeof t->head);
    return r;
}

/* Receives into buf; SOCKET_CLOSED, a byte count, or a result through *r. */
static long http_receive(http_transport *t, char *buf, size_t cap, stripe_connect_result *r)
{
    long n = t->socket->receive(t->socket->ctx, buf, cap, http_time_left(t));
    if (n == SOCKET_TIMEOUT || (n < 0 && http_time_left(t) == 0)) *r = http_fail(t, STRIPE_CONNECT_ERR_TIMEOUT, "receive timed out");
    else if (n < 0) *r = http_fail(t, STRIPE_CONNECT_ERR_TRANSPORT, "receive failed");
    return n;
}

/* Reads until the blank line that ends the headers; returns where it ends in t->head (0 on
   failure). Bytes after it, the start of the body, stay in t->head. */
static size_t http_read_head(http_transport *t, stripe_connect_result *r)
{
    char *end;
    t->head_len = 0;
    for (;;) {
        long n;
        t->head[t->head_len] = '\0';
        end = strstr(t->head, "\r\n\r\n");
        if (end != NULL) return (size_t)(end - t->head) + 4;
        if (t->head_len + 1 >= sizeof t->head) {
            *r = http_fail(t, STRIPE_CONNECT_ERR_TRANSPORT, "the answer's headers are over 4096 bytes");
            return 0;
        }
        n = http_receive(t, t->head + t->head_len, sizeof t->head - 1 - t->head_len, r);
        if (n == SOCKET_CLOSED) *r = http_fail(t, STRIPE_CONNECT_ERR_TRANSPORT, "closed before the headers ended");
        if (n <= 0) return 0;
        t->head_len += (size_t)n;
    }
}

/* 1 when line starts with the header name, any case, then ':'; *value is what follows. */
static int http_header_is(const char *line, const char *name, const char **value)
{
    size_t i;
    for (i = 0; name[i] != '\0'; i++) {
        char c = line[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c + ('a' - 'A'));
        if (c != name[i]) return 0;
    }
    if (line[i] != ':') return 0;
    for (*value = line + i + 1; **value == ' ' || **value == '\t'; (*value)++) {
    }
    return 1;
}

/* The status line and the headers this client cares about. content_length is -1 when absent. */
static stripe_connect_result http_parse_head(http_transport *t, size_t head_end, stripe_connect_http_response *res,
                                             long *content_length)
{
    char *line = t->head, *next;
    const char *value;
    if (strncmp(line, "HTTP/1.", 7) != 0 || line[8] != ' ' || sscanf(line + 9, "%3d", &res->status) != 1)
        return http_fail(t, STRIPE_CONNECT_ERR_TRANSPORT, "not an HTTP/1.x status line");
    *content_length = -1;
    t->head[head_end - 2] = '\0';                       /* the headers end at the blank line */
    for (line = strstr(line, "\r\n"); line != NULL; line = next) {
        line += 2;
        next = strstr(line, "\r\n");
        if (next != NULL) *next = '\0';
        if (http_header_is(line, "content-length", &value)) {
            char *end;
            *content_length = strtol(value, &end, 10);
            if (end == value || *end != '\0' || *content_length < 0)
                return http_fail(t, STRIPE_CONNECT_ERR_TRANSPORT, "a bad Content-Length");
        } else if (http_header_is(line, "transfer-encoding", &value)) {
            return http_fail(t, STRIPE_CONNECT_ERR_TRANSPORT, "a chunked body (this example reads none)");
        } else if (http_header_is(line, "request-id", &value)) {
            snprintf(res->request_id, sizeof res->request_id, "%s", value);
        } else if (http_header_is(line, "stripe-should-retry", &value)) {
            res->should_retry = strcmp(value, "true") == 0 ? 1 : strcmp(value, "false") == 0 ? 0 : -1;
        }
    }
    return STRIPE_CONNECT_OK;
}

/* The body: what came with the headers, then the rest, never past body_cap. Without a
   Content-Length it ends when the peer closes; one byte more than body_cap is too large. */
static stripe_connect_result http_read_body(http_transport *t, size_t head_end, long content_length,
                                            stripe_connect_http_response *res)
{
    size_t early = t->head_len - head_end;
    stripe_connect_result r = STRIPE_CONNECT_OK;
    if ((content_length >= 0 && (size_t)content_length > res->body_cap) || early > res->body_cap)
        return http_fail(t, STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE, "the body is larger than the buffer");
    if (content_length >= 0 && early > (size_t)content_length)
        return http_fail(t, STRIPE_CONNECT_ERR_TRANSPORT, "more bytes than the Content-Length");
    memcpy(res->body, t->head + head_end, early);
    res->body_len = early;
    while (content_length < 0 || res->body_len < (size_t)content_length) {
        char extra;
        int full = res->body_len == res->body_cap;     /* only without a Content-Length */
        size_t want = content_length >= 0 ? (size_t)content_length : res->body_cap;
        long n = http_receive(t, full ? &extra : res->body + res->body_len, full ? 1 : want - res->body_len, &r);
        if (n == SOCKET_CLOSED && content_length < 0) return STRIPE_CONNECT_OK;
        if (n == SOCKET_CLOSED) return http_fail(t, STRIPE_CONNECT_ERR_TRANSPORT, "closed before the body ended");
        if (n < 0) return r;
        if (full) return http_fail(t, STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE, "the body is larger than the buffer");
        res->body_len += (size_t)n;
    }
    return STRIPE_CONNECT_OK;
}

/* The transport: a stripe_connect_perform_fn. user is the http_transport. */
static stripe_connect_result http_perform(void *user, const stripe_connect_http_request *req,
                                          stripe_connect_http_response *res)
{
    http_transport *t = (http_transport *)user;
    const device_socket *s = t->socket;
    http_url url;
    size_t head_end = 0;
    long content_length = -1;
    stripe_connect_result r = STRIPE_CONNECT_OK;

    t->error[0] = '\0';
    if (!http_parse_url(req->url, &url))
        return http_fail(t, STRIPE_CONNECT_ERR_TRANSPORT, "only http://localhost or 127.0.0.1 (local testing)");
    t->deadline = s->now_ms(s->ctx) + req->timeout_ms;
    if (s->connect(s->ctx, url.host, url.port, req->timeout_ms) != 0)
        return http_fail(t, STRIPE_CONNECT_ERR_TRANSPORT, "could not connect");
    r = http_send_request(t, &url, req);
    if (r == STRIPE_CONNECT_OK) head_end = http_read_head(t, &r);
    if (r == STRIPE_CONNECT_OK) r = http_parse_head(t, head_end, res, &content_length);
    if (r == STRIPE_CONNECT_OK) r = http_read_body(t, head_end, content_length, res);
    s->close(s->ctx);
    stripe_connect_wipe(t->head, sizeof t->head);
    if (r != STRIPE_CONNECT_OK) res->body_len = 0;      /* no partial success */
    return r;
}

/* ---- 3. The flow, with the sans-I/O pair ------------------------------------------------------------ */

static int os_random(void *user, unsigned char *out, size_t n)
{
    (void)user;
    while (n > 0) {
        ssize_t got = getrandom(out, n, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return -1;
        out += got;
        n -= (size_t)got;
    }
    return 0;
}

static int fail(const char *step, stripe_connect_result r, const stripe_connect_error *err, const http_transport *t)
{
    fprintf(stderr, "custom_transport: %s: %s", step, stripe_connect_result_string(r));
    if (err != NULL && err->code[0] != '\0') fprintf(stderr, ": %s", err->code);
    if (err != NULL && err->message[0] != '\0') fprintf(stderr, ": %s", err->message);
    if (t->error[0] != '\0') fprintf(stderr, " (%s)", t->error);
    fputc('\n', stderr);
    return 1;
}

/* The stand-in approves at once: its authorize page answers 302 with the redirect URL as its
   body. A real flow has a person's browser here, and the redirect arrives at your server. */
static stripe_connect_result get_code(stripe_connect_client *c, http_transport *t, stripe_connect_redirect *out)
{
    static char url[2048], body[2048];
    stripe_connect_authorize_params p;
    stripe_connect_http_request req;
    stripe_connect_http_response res;
    char state[64];
    size_t n;
    stripe_connect_result r = stripe_connect_state_generate(c, state, sizeof state, &n);

    memset(&p, 0, sizeof p);
    p.scope = "read_write";
    p.state = state;
    if (r == STRIPE_CONNECT_OK) r = stripe_connect_authorize_url(c, &p, url, sizeof url, &n);
    if (r != STRIPE_CONNECT_OK) return r;
    memset(&req, 0, sizeof req);
    memset(&res, 0, sizeof res);
    req.method = "GET";
    req.url = url;
    req.timeout_ms = 10000;
    res.body = body;
    res.body_cap = sizeof body - 1;
    res.should_retry = -1;
    r = http_perform(t, &req, &res);
    if (r != STRIPE_CONNECT_OK) return r;
    if (res.status != 302) return STRIPE_CONNECT_ERR_HTTP_STATUS;
    while (res.body_len > 0 && (body[res.body_len - 1] == '\n' || body[res.body_len - 1] == '\r')) res.body_len--;
    return stripe_connect_parse_redirect(body, res.body_len, state, out);
}

/* The code exchange with the sans-I/O pair: build, send, parse, wipe. */
static stripe_connect_result exchange(const stripe_connect_client *c, http_transport *t, const char *code,
                                      stripe_connect_token *token, stripe_connect_error *err)
{
    static char buffer[16384];   /* the request, then the answer; both hold secrets */
    stripe_connect_token_params p;
    stripe_connect_prepared_request req;
    stripe_connect_http_response res;
    size_t used;
    stripe_connect_result r;

    memset(err, 0, sizeof *err);
    memset(&p, 0, sizeof p);
    p.grant_type = "authorization_code";
    p.code = code;
    r = stripe_connect_token_request_build(c, &p, buffer, sizeof buffer, &used, &req);
    if (r == STRIPE_CONNECT_OK) {
        memset(&res, 0, sizeof res);
        res.body = buffer + used;              /* the answer goes after the request */
        res.body_cap = sizeof buffer - used;
        res.should_retry = -1;
        r = http_perform(t, &req.http, &res);  /* once: a code sent twice revokes the connection */
    }
    if (r == STRIPE_CONNECT_OK) r = stripe_connect_parse_token_response(res.status, res.body, res.body_len, token, err);
    stripe_connect_wipe(buffer, sizeof buffer);
    return r;
}

/* The deauthorization, the same way. */
static stripe_connect_result deauthorize(const stripe_connect_client *c, http_transport *t, const char *account,
                                         stripe_connect_error *err)
{
    static char buffer[8192];
    stripe_connect_prepared_request req;
    stripe_connect_http_response res;
    size_t used;
    stripe_connect_result r = stripe_connect_deauthorize_request_build(c, account, buffer, sizeof buffer, &used, &req);
    memset(err, 0, sizeof *err);
    if (r == STRIPE_CONNECT_OK) {
        memset(&res, 0, sizeof res);
        res.body = buffer + used;
        res.body_cap = sizeof buffer - used;
        res.should_retry = -1;
        r = http_perform(t, &req.http, &res);
    }
    if (r == STRIPE_CONNECT_OK) r = stripe_connect_parse_deauthorize_response(res.status, res.body, res.body_len, account, err);
    stripe_connect_wipe(buffer, sizeof buffer);
    return r;
}

static const char *environment_or(const char *name, const char *fallback)
{
    const char *value = getenv(name);
    return value != NULL && value[0] != '\0' ? value : fallback;
}

int main(int argc, char **argv)
{
    static http_transport transport;
    posix_connection connection = { -1 };
    device_socket socket_layer = { posix_connect, posix_send, posix_receive, posix_close, posix_now_ms, NULL };
    stripe_connect_client c;
    stripe_connect_redirect redirect;
    const char *code;
    stripe_connect_token token;
    stripe_connect_error err;
    stripe_connect_result r;

    if (argc < 2 || argc > 3 || strncmp(argv[1], "http://", 7) != 0) {
        fprintf(stderr, "usage: custom_transport http://localhost:PORT [CODE]   (the stand-in's http_port;"
                        " plain HTTP, for local testing only)\n");
        return 2;
    }
    socket_layer.ctx = &connection;
    transport.socket = &socket_layer;
    stripe_connect_client_init(&c, NULL, 0);    /* no scratch: the sans-I/O calls take a buffer */
    c.client_id = environment_or("STRIPE_CLIENT_ID", "ca_test_standin");
    c.secret_key = environment_or("STRIPE_SECRET_KEY", "sk_test_standin");
    c.connect_base = argv[1];
    c.random = os_random;
    printf("custom_transport: plain HTTP to %s (local testing only; a device uses TLS)\n", argv[1]);

    if (argc == 3) {
        code = argv[2];
        printf("1. (the authorize step skipped: the code is given)\n");
    } else {
        r = get_code(&c, &transport, &redirect);
        if (r != STRIPE_CONNECT_OK) return fail("authorize", r, NULL, &transport);
        code = redirect.code;
        printf("1. GET /oauth/authorize: the stand-in approved; the redirect's state checked\n");
    }

    r = exchange(&c, &transport, code, &token, &err);
    stripe_connect_wipe(&redirect, sizeof redirect);
    if (r != STRIPE_CONNECT_OK) return fail("exchange", r, &err, &transport);
    printf("2. POST /oauth/token (built and parsed without I/O): connected %s, scope %s, livemode %s\n",
           token.stripe_user_id, token.scope, token.livemode ? "true" : "false");
    if (argc == 3) return 0;                    /* a given code: the exchange was the test */

    r = deauthorize(&c, &transport, token.stripe_user_id, &err);
    if (r != STRIPE_CONNECT_OK) return fail("deauthorize", r, &err, &transport);
    printf("3. POST /oauth/deauthorize: %s disconnected\n", token.stripe_user_id);
    stripe_connect_wipe(&token, sizeof token);
    return 0;
}
