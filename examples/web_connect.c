/* web_connect.c - stripe-connect-web: a "Connect with Stripe" button, served from C.

   The smallest real web integration of stripe_connect.h: a person opens the page, clicks the
   button, approves on Stripe's page, and comes back to a page that shows the connected account.
   Built by `make build/stripe-connect-web`, that is:

       cc -std=c99 -I. -Iadapters examples/web_connect.c -o build/stripe-connect-web \
          -lcurl -lmbedtls -lmbedx509 -lmbedcrypto

   Run:  build/stripe-connect-web --port 8000      (then open http://127.0.0.1:8000/)

   The environment is the command-line tool's (examples/connect_cli.c): STRIPE_CLIENT_ID,
   STRIPE_SECRET_KEY, STRIPE_CONNECT_BASE, STRIPE_API_BASE, STRIPE_CA_FILE, STRIPE_TRANSPORT,
   STRIPE_TIMEOUT_MS, and STRIPE_REDIRECT_URI (default http://127.0.0.1:<port>/callback), plus
   STRIPE_AUTHORIZE_BASE: where the browser is sent for the authorize page (unset: the connect
   base). Only a local stand-in needs it: its authorize page is reached over plain HTTP on
   loopback, while the code exchange still goes over verified TLS to STRIPE_CONNECT_BASE.
   STRIPE_WEBHOOK_SECRET is the webhook endpoint's signing secret (whsec_...); unset, POST
   /webhook answers 503.

   What it does:
     GET /          a page with the button (id "connect") linking to a fresh authorize URL
                    (scope read_write); the state, 32 bytes from getrandom, goes into an
                    HttpOnly, SameSite=Lax cookie.
     GET /callback  (the path of the redirect URI) parses the redirect with the cookie's state
                    as the expected one (compared in constant time by the library), exchanges the
                    code once, and shows the account id (id "account") or the error (id "error").
                    The cookie is cleared and the state remembered as used, so a reload, a second
                    tab or a replayed URL cannot exchange anything again. The account id and its
                    tokens are kept in memory (the last account connected; a platform would keep
                    every one in its database), and GET / then shows the id (id "account").
     POST /webhook  Stripe's events: a body of at most 64 KiB with a Content-Length, verified with
                    the Stripe-Signature header against STRIPE_WEBHOOK_SECRET (300 s tolerance);
                    a bad signature or a stale timestamp is 400 and changes nothing. Every verified
                    event is answered 200 {"received":true} (Stripe retries anything else); on
                    account.application.deauthorized, GET / names the account as disconnected
                    (id "disconnected"), and when it is the account held, its tokens are wiped.

   How it is built, for a reader who wants to copy from it:
     - one request at a time, HTTP/1.1 with Connection: close, on 127.0.0.1 only; up to
       MAX_CONNECTIONS accepted connections wait for their request at once, each with its own
       deadline, so an idle or slow connection (browsers open spare ones) delays no one;
     - a request line and headers over REQUEST_MAX bytes, a malformed request, a method other
       than GET (POST on /webhook), a webhook body without a Content-Length or over
       WEBHOOK_BODY_MAX bytes, or an unexpected Host (DNS rebinding) is answered 4xx and the
       server goes on; a body is read, like the headers, without holding up other connections;
     - html_escape() is the one escaper: every value a page shows goes through it;
     - pages carry a Content-Security-Policy without scripts, Referrer-Policy: no-referrer (the
       callback URL holds the code) and Cache-Control: no-store;
     - SIGINT and SIGTERM are blocked except while the server waits (pselect), so a request in
       progress finishes; then it closes every socket and exits 0;
     - the secret key, the webhook secret, the code and the tokens are never printed or shown;
       the library wipes its scratch buffer after every call, and this file wipes its own copies.

   FOR TRYING THE FLOW, NOT FOR PRODUCTION AS IS: a real platform serves this over HTTPS (behind
   a TLS proxy: set STRIPE_REDIRECT_URI to the public https URL, and the cookie gets Secure), keeps
   the tokens it receives in its database, and handles many users at once. */
#define _POSIX_C_SOURCE 200809L /* sigaction, pselect, clock_gettime, MSG_NOSIGNAL */

#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"
#define STRIPE_CONNECT_CURL_IMPLEMENTATION
#include "stripe_connect_curl.h"
#define STRIPE_CONNECT_MBEDTLS_IMPLEMENTATION
#include "stripe_connect_mbedtls.h"
#include "example_setup.h"   /* the environment, randomness and transport, as connect_cli.c's */

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define WEB_NAME "stripe-connect-web"
#define REQUEST_MAX 8192u          /* the request line and the headers, with the blank line */
#define HEADER_COUNT_MAX 64
#define REQUEST_TIMEOUT_MS 5000    /* from accept until the whole request has arrived */
#define SEND_TIMEOUT_SECONDS 5     /* a client that does not read its answer is dropped */
#define LINGER_MS 500              /* reading what the client still sends after our answer */
#define MAX_CONNECTIONS 8          /* accepted, waiting for their request */
#define PAGE_MAX (32u * 1024u)
#define WORK_SIZE (64u * 1024u)    /* the client's scratch: one token request and its answer */
#define URL_MAX 2048u
#define STATE_COOKIE "stripe_connect_state"
#define STATE_MAX 64               /* a state from stripe_connect_state_generate has 43 characters */
#define STATE_COOKIE_SECONDS 3600  /* the time a person has between the click and the callback */
#define USED_STATE_COUNT 64        /* states already used, refused if they come back */
#define WEBHOOK_PATH "/webhook"
#define WEBHOOK_BODY_MAX (64u * 1024u)     /* Stripe's events are a few KiB */
#define WEBHOOK_TOLERANCE_SECONDS 300      /* as Stripe's own libraries */
#define DEAUTHORIZED_EVENT "account.application.deauthorized"

#define SECURITY_HEADERS                                                                      \
    "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src data:; " \
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\n"                         \
    "Referrer-Policy: no-referrer\r\n"                                                        \
    "X-Content-Type-Options: nosniff\r\n"                                                     \
    "X-Frame-Options: DENY\r\n"                                                               \
    "Cache-Control: no-store\r\n"

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(format_index) __attribute__((format(printf, format_index, format_index + 1)))
#else
#define PRINTF_LIKE(format_index)
#endif

/* The environment: the tool's (example_setup.h), and where the browser approves. */
typedef struct settings {
    example_settings common;
    const char *authorize_base;    /* STRIPE_AUTHORIZE_BASE; NULL: the connect base */
} settings;

/* A request, parsed in place in its connection's buffer. */
typedef struct request {
    const char *method;
    const char *target;            /* "/callback?code=...": the path and the query */
    size_t path_len;               /* the path's length within target */
    const char *host;              /* NULL when absent */
    const char *state_cookie;      /* the stripe_connect_state cookie, when exactly one came */
    int state_cookies;             /* how many stripe_connect_state cookies came */
    const char *content_length;    /* the header's value; NULL when absent */
    const char *stripe_signature;  /* the Stripe-Signature header; NULL when absent */
    int transfer_encoding;         /* 1: a Transfer-Encoding header came (chunked bodies are not read) */
} request;

/* A connection accepted and waiting for its request: the headers, then (POST /webhook) a body. */
typedef struct connection {
    int fd;                        /* -1: the slot is free */
    long long deadline_ms;         /* the request must have arrived by then (monotonic clock) */
    size_t len;
    char data[REQUEST_MAX + 1];
    int reading_body;              /* 1: the headers are parsed into pending, the body is due */
    request pending;               /* points into data */
    size_t body_len, body_expected;
    char body[WEBHOOK_BODY_MAX];
} connection;

/* An answer being written: overflow makes it a 500 instead of a cut page. */
typedef struct page {
    char data[PAGE_MAX];
    size_t len;
    int overflow;
} page;

typedef struct server {
    settings env;
    stripe_connect_client client;
    example_transport transport;
    int listen_fd;
    unsigned port;
    char redirect_uri[URL_MAX];
    char callback_path[URL_MAX];   /* the redirect URI's path: where Stripe sends the browser back */
    char redirect_authority[256];  /* the redirect URI's host[:port]: an accepted Host header */
    int secure_cookie;             /* the redirect URI is https: the cookie gets Secure */
    char used_states[USED_STATE_COUNT][STATE_MAX + 1];
    size_t used_next;
    stripe_connect_token held;     /* the last account connected and its tokens; "" id: none */
    char disconnected[64];         /* the last account a deauthorization event named; "": none */
    connection connections[MAX_CONNECTIONS];
} server;

static server the_server;          /* large (the mbedTLS context, the buffers): static */
static char work_buffer[WORK_SIZE];
static page answer_page;
static volatile sig_atomic_t stop_requested;

/* ---- The operating system ------------------------------------------------------------------------ */

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void on_stop_signal(int signal_number)
{
    (void)signal_number;
    stop_requested = 1;
}

/* SIGINT and SIGTERM set stop_requested (no SA_RESTART: the wait they interrupt returns EINTR);
   they stay blocked except inside pselect, so *waiting receives the mask to wait with.
   SIGPIPE is ignored: a client that hangs up is an error of send(), not the end of the server. */
static int install_signals(sigset_t *waiting)
{
    struct sigaction action;
    sigset_t stop_signals;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    if (sigaction(SIGINT, &action, NULL) != 0 || sigaction(SIGTERM, &action, NULL) != 0) return -1;
    action.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &action, NULL) != 0) return -1;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &stop_signals, waiting) != 0) return -1;
    sigdelset(waiting, SIGINT);
    sigdelset(waiting, SIGTERM);
    return 0;
}

/* ---- Messages --------------------------------------------------------------------------------------- */

static int usage_line(const char *format, ...) PRINTF_LIKE(1);
static int usage_line(const char *format, ...)
{
    va_list args;
    fputs(WEB_NAME ": ", stderr);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputs("\n" WEB_NAME ": usage: " WEB_NAME " --port P   (" WEB_NAME " --help)\n", stderr);
    return 2;
}

/* One line per request on stderr: the method, the path without its query (it holds the code),
   the status, and what happened. */
static void log_request(const request *r, int status, const char *what)
{
    if (r != NULL && r->method != NULL)
        fprintf(stderr, WEB_NAME ": %s %.*s %d%s%s\n", r->method, (int)r->path_len, r->target, status,
                what != NULL ? ": " : "", what != NULL ? what : "");
    else
        fprintf(stderr, WEB_NAME ": (no request) %d%s%s\n", status, what != NULL ? ": " : "",
                what != NULL ? what : "");
}

static void print_help(void)
{
    printf("%s %s: the \"Connect with Stripe\" button, served from C (stripe_connect.h)\n\n"
           "Usage: %s --port P     listens on http://127.0.0.1:P/ (P = 0: a free port, printed)\n\n"
           "Environment (as stripe-connect's):\n"
           "  STRIPE_CLIENT_ID       the platform's ca_...\n"
           "  STRIPE_SECRET_KEY      the platform's sk_...; never printed or shown\n"
           "  STRIPE_CONNECT_BASE    unset: https://connect.stripe.com\n"
           "  STRIPE_API_BASE        unset: https://api.stripe.com\n"
           "  STRIPE_CA_FILE         PEM bundle to trust; unset: the system's\n"
           "  STRIPE_TRANSPORT       curl (default) or mbedtls\n"
           "  STRIPE_TIMEOUT_MS      per request to Stripe, default 80000\n"
           "  STRIPE_REDIRECT_URI    unset: http://127.0.0.1:P/callback (must be registered with Stripe)\n"
           "  STRIPE_AUTHORIZE_BASE  where the browser goes to approve; unset: the connect base\n"
           "                         (a local stand-in's plain-HTTP port: http://localhost:... only)\n"
           "  STRIPE_WEBHOOK_SECRET  the webhook endpoint's whsec_...; unset: POST /webhook answers 503\n\n"
           "Pages: GET / (the button, id \"connect\"; the account held, id \"account\", or the one\n"
           "disconnected, id \"disconnected\"), GET <redirect path> (id \"account\" or \"error\").\n"
           "POST /webhook: Stripe's events, verified; account.application.deauthorized forgets the account.\n"
           "SIGINT or SIGTERM stops it (exit 0).\n",
           WEB_NAME, STRIPE_CONNECT_VERSION, WEB_NAME);
}

/* ---- Settings ------------------------------------------------------------------------------------ */

static int starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* 1 for http://localhost and http://127.0.0.1, with or without a port or a path. */
static int is_loopback_http(const char *url)
{
    static const char *const hosts[] = { "http://localhost", "http://127.0.0.1" };
    size_t i;
    for (i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        size_t n = strlen(hosts[i]);
        if (strncmp(url, hosts[i], n) == 0 && (url[n] == '\0' || url[n] == ':' || url[n] == '/')) return 1;
    }
    return 0;
}

static int read_settings(settings *s)
{
    const char *problem = example_read_settings(&s->common);
    if (problem != NULL) return usage_line("%s", problem);
    s->authorize_base = example_environment("STRIPE_AUTHORIZE_BASE");
    if (s->common.client_id == NULL) return usage_line("STRIPE_CLIENT_ID is not set (the platform's ca_...)");
    if (s->common.secret_key == NULL) return usage_line("STRIPE_SECRET_KEY is not set (the platform's sk_...)");
    /* The authorize page may be plain HTTP only on this machine: the browser carries the state. */
    if (s->authorize_base != NULL && !starts_with(s->authorize_base, "https://") && !is_loopback_http(s->authorize_base))
        return usage_line("STRIPE_AUTHORIZE_BASE must be https://..., or http://localhost or http://127.0.0.1");
    return 0;
}

/* Sets the redirect URI (the default needs the port), the callback path and the authority a Host
   header may name; refuses a redirect URI this server cannot answer. */
static int setup_redirect(server *s)
{
    const char *uri = s->env.common.redirect_uri, *authority, *path;
    size_t authority_len;
    int n;
    if (uri == NULL) {
        n = snprintf(s->redirect_uri, sizeof s->redirect_uri, "http://127.0.0.1:%u/callback", s->port);
        if (n < 0 || (size_t)n >= sizeof s->redirect_uri) return usage_line("cannot write the redirect URI");
        uri = s->redirect_uri;
    } else if (strlen(uri) >= sizeof s->redirect_uri) {
        return usage_line("STRIPE_REDIRECT_URI is longer than %u bytes", URL_MAX - 1);
    } else {
        memcpy(s->redirect_uri, uri, strlen(uri) + 1);
    }
    for (path = uri; *path != '\0'; path++)
        if ((unsigned char)*path <= ' ' || (unsigned char)*path >= 0x7f)
            return usage_line("STRIPE_REDIRECT_URI must be printable ASCII without spaces (percent-encode the rest)");
    if (starts_with(uri, "https://")) {
        authority = uri + 8;
        s->secure_cookie = 1;
    } else if (starts_with(uri, "http://")) {
        authority = uri + 7;
    } else {
        return usage_line("STRIPE_REDIRECT_URI must start with http:// or https://");
    }
    authority_len = strcspn(authority, "/?#");
    path = authority + authority_len;
    if (authority_len == 0 || authority_len >= sizeof s->redirect_authority || path[0] != '/' ||
        strcspn(path, "?#") != strlen(path) || strcmp(path, "/") == 0)
        return usage_line("STRIPE_REDIRECT_URI needs a host and a path other than / (such as /callback), "
                          "without a query");
    memcpy(s->redirect_authority, authority, authority_len);
    s->redirect_authority[authority_len] = '\0';
    memcpy(s->callback_path, path, strlen(path) + 1);
    return 0;
}

/* ---- The client and its transport (example_setup.h, as in connect_cli.c) ---------------------------- */

static void client_setup(server *s)
{
    example_client_init(&s->client, &s->env.common, work_buffer, sizeof work_buffer, WEB_NAME);
}

static const char *transport_diagnostic(const server *s)
{
    return example_transport_error(&s->transport);
}

static stripe_connect_result open_transport(server *s)
{
    return example_transport_open(&s->transport, &s->env.common, &s->client);
}

static void close_transport(server *s)
{
    example_transport_close(&s->transport);
}

/* ---- Pages: the one escaper, and the page builder ------------------------------------------------- */

static void page_reset(page *p)
{
    p->len = 0;
    p->overflow = 0;
    p->data[0] = '\0';
}

static void page_add_bytes(page *p, const char *text, size_t n)
{
    if (p->overflow || n >= sizeof p->data - p->len) {
        p->overflow = 1;
        return;
    }
    memcpy(p->data + p->len, text, n);
    p->len += n;
    p->data[p->len] = '\0';
}

/* Markup this file wrote itself: never a value from a request, from Stripe or the environment. */
static void page_add(page *p, const char *markup)
{
    page_add_bytes(p, markup, strlen(markup));
}

/* The one HTML escaper: every value that a page shows, in text or in an attribute, goes through
   it. & < > " ' become entities; other control characters but tab and newline become U+FFFD. */
static void html_escape(page *p, const char *text)
{
    for (; *text != '\0'; text++) {
        unsigned char byte = (unsigned char)*text;
        switch (byte) {
        case '&': page_add(p, "&amp;"); break;
        case '<': page_add(p, "&lt;"); break;
        case '>': page_add(p, "&gt;"); break;
        case '"': page_add(p, "&quot;"); break;
        case '\'': page_add(p, "&#39;"); break;
        default:
            if ((byte < 0x20 && byte != '\t' && byte != '\n') || byte == 0x7f) page_add(p, "\xEF\xBF\xBD");
            else page_add_bytes(p, text, 1);
        }
    }
}

static const char page_head[] =
    "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<link rel=\"icon\" href=\"data:,\">\n"
    "<style>\n"
    "  :root { color-scheme: light; }\n"
    "  body { margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;\n"
    "         background: #f6f9fc; color: #30313d; font: 16px/1.5 -apple-system, BlinkMacSystemFont,\n"
    "         \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, sans-serif; }\n"
    "  main { width: min(34rem, calc(100vw - 2rem)); background: #fff; border-radius: 12px;\n"
    "         box-shadow: 0 2px 5px rgba(60,66,87,.08), 0 15px 35px rgba(60,66,87,.1); padding: 2.5rem; }\n"
    "  .eyebrow { margin: 0 0 .5rem; color: #635bff; font-size: .8rem; font-weight: 600;\n"
    "             letter-spacing: .06em; text-transform: uppercase; }\n"
    "  h1 { margin: 0 0 1rem; font-size: 1.6rem; line-height: 1.25; color: #1a1b25; }\n"
    "  p { margin: 0 0 1rem; }\n"
    "  code { font: .9em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f1f3f7;\n"
    "         border-radius: 4px; padding: .1em .35em; word-break: break-all; }\n"
    "  .button { display: inline-block; margin: .5rem 0 1.5rem; padding: .75rem 1.4rem; border-radius: 8px;\n"
    "            background: #635bff; color: #fff; font-weight: 600; text-decoration: none; }\n"
    "  .button:hover, .button:focus { background: #5146e0; }\n"
    "  .button.secondary { margin: .5rem 0 0; background: #fff; color: #635bff; box-shadow: inset 0 0 0 1px #c9c6ff; }\n"
    "  .fine { color: #6a7383; font-size: .85rem; margin: 0; }\n"
    "  .account { display: block; margin: .25rem 0 1.25rem; padding: .75rem 1rem; font-size: 1.1rem;\n"
    "             background: #ecfdf3; color: #05603a; border-radius: 8px; }\n"
    "  .status-ok { color: #0e9f6e; }\n"
    "  .status-error { color: #df1b41; }\n"
    "  #error { margin: 0 0 1.25rem; padding: .9rem 1rem; background: #fff5f7; border-radius: 8px;\n"
    "           border-left: 4px solid #df1b41; }\n"
    "  dl { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 0 0 1rem; }\n"
    "  dt { color: #6a7383; } dd { margin: 0; word-break: break-word; }\n"
    "  #error dl { margin: .5rem 0 0; }\n"
    "  .held { margin: 1.5rem 0 0; padding: 1.25rem 0 0; border-top: 1px solid #ebeef1; }\n"
    "  #disconnected p:last-child { margin: 0; }\n"
    "</style>\n";

static void page_start(page *p, const char *title)
{
    page_reset(p);
    page_add(p, page_head);
    page_add(p, "<title>");
    html_escape(p, title);
    page_add(p, " \xC2\xB7 stripe_connect.h</title>\n</head>\n<body>\n<main>\n");
}

static void page_end(page *p)
{
    page_add(p, "</main>\n</body>\n</html>\n");
}

/* <dt>term</dt><dd><code>value</code></dd>, or <dd>value</dd>; nothing when value is empty. */
static void page_definition(page *p, const char *term, const char *value, int as_code)
{
    if (value == NULL || value[0] == '\0') return;
    page_add(p, "<dt>");
    html_escape(p, term);
    page_add(p, as_code ? "</dt><dd><code>" : "</dt><dd>");
    html_escape(p, value);
    page_add(p, as_code ? "</code></dd>\n" : "</dd>\n");
}

/* ---- Sockets --------------------------------------------------------------------------------------- */

/* Sends all of data, or gives up (the socket's send timeout, a client that went away). */
static int send_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t sent = send(fd, data, len, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR) continue;
        if (sent <= 0) return -1;
        data += sent;
        len -= (size_t)sent;
    }
    return 0;
}

/* Ends a connection after the answer: shut our side, then read (and drop) what the client may
   still be sending for a moment, so that closing does not reset the connection before the client
   has read the answer. */
static void close_connection(connection *c)
{
    char sink[4096];
    long long deadline = now_ms() + LINGER_MS;
    size_t drained = 0;
    if (c->fd < 0) return;
    shutdown(c->fd, SHUT_WR);
    while (drained < 64u * 1024u) {
        fd_set readable;
        struct timeval wait;
        long long left = deadline - now_ms();
        ssize_t got;
        if (left <= 0) break;
        FD_ZERO(&readable);
        FD_SET(c->fd, &readable);
        wait.tv_sec = (time_t)(left / 1000);
        wait.tv_usec = (suseconds_t)(left % 1000) * 1000;
        if (select(c->fd + 1, &readable, NULL, NULL, &wait) <= 0) break;
        got = recv(c->fd, sink, sizeof sink, 0);
        if (got <= 0) break;
        drained += (size_t)got;
    }
    close(c->fd);
    c->fd = -1;
    c->len = 0;
    c->reading_body = 0;
    c->body_len = c->body_expected = 0;
    stripe_connect_wipe(c->data, sizeof c->data);   /* it held the code */
    stripe_connect_wipe(&c->pending, sizeof c->pending);
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
    }
}

/* Writes the answer: status, headers (extra_headers: complete "Name: value\r\n" lines or ""),
   and the body; then ends the connection. */
static void send_answer(connection *c, int status, const char *content_type, const char *extra_headers,
                        const char *body, size_t body_len)
{
    char head[1024];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %lu\r\n"
                     "Connection: close\r\n" SECURITY_HEADERS "%s\r\n",
                     status, reason_phrase(status), content_type, (unsigned long)body_len, extra_headers);
    if (n > 0 && (size_t)n < sizeof head && send_all(c->fd, head, (size_t)n) == 0) send_all(c->fd, body, body_len);
    close_connection(c);
}

/* A page as the answer; a page that overflowed becomes a 500. */
static void respond(connection *c, int status, const char *extra_headers, page *p)
{
    if (p->overflow) {
        page_start(p, "Error");
        page_add(p, "<h1>The page did not fit</h1>\n");
        page_end(p);
        status = 500;
        extra_headers = "";
    }
    send_answer(c, status, "text/html; charset=utf-8", extra_headers, p->data, p->len);
}

/* The answers of POST /webhook are JSON for the sender (Stripe), not pages: json is a constant
   this file wrote; what is logged is the line for the server's output. */
static void respond_json(connection *c, const request *r, int status, const char *json, const char *logged)
{
    log_request(r, status, logged);
    send_answer(c, status, "application/json", "", json, strlen(json));
}

static void respond_problem_with(connection *c, const request *r, int status, const char *explanation,
                                 const char *extra_headers);

/* A short page for the answers that are not the flow's: 400, 404, 408, 500. */
static void respond_problem(connection *c, const request *r, int status, const char *explanation)
{
    respond_problem_with(c, r, status, explanation, "");
}

/* The same with headers of its own, such as 405's Allow. */
static void respond_problem_with(connection *c, const request *r, int status, const char *explanation,
                                 const char *extra_headers)
{
    page *p = &answer_page;
    char title[64];
    snprintf(title, sizeof title, "%d %s", status, reason_phrase(status));
    page_start(p, title);
    page_add(p, "<p class=\"eyebrow\">" WEB_NAME "</p>\n<h1>");
    html_escape(p, title);
    page_add(p, "</h1>\n<p>");
    html_escape(p, explanation);
    page_add(p, "</p>\n<a class=\"button secondary\" href=\"/\">Back to the start</a>\n");
    page_end(p);
    log_request(r, status, explanation);
    respond(c, status, extra_headers, p);
}

/* ---- Requests --------------------------------------------------------------------------------------- */

/* RFC 9110 tchar: the characters of a method or a header name. */
static int is_token_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

static int is_base64url_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

/* 1 when the first n bytes of a and b are equal but for the case of ASCII letters; a string
   that ends first (n counting its NUL) ends the comparison. */
static int equal_ignoring_case(const char *a, const char *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z') x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (unsigned char)(y - 'A' + 'a');
        if (x != y) return 0;
        if (x == '\0') return 1;
    }
    return 1;
}

/* Looks at one Cookie header's pairs ("a=1; b=2") for the state cookie. A value that is not a
   state this server could have set counts as a cookie, but not as a state. */
static void scan_cookies(request *r, char *value)
{
    static const char name[] = STATE_COOKIE "=";
    char *pair = value;
    while (*pair != '\0') {
        size_t len = strcspn(pair, ";"), value_len;
        char *next = pair[len] == ';' ? pair + len + 1 : pair + len;
        pair[len] = '\0';
        while (*pair == ' ' || *pair == '\t') pair++;
        if (strncmp(pair, name, sizeof name - 1) == 0) {
            char *state = pair + sizeof name - 1;
            size_t i;
            value_len = strlen(state);
            while (value_len > 0 && (state[value_len - 1] == ' ' || state[value_len - 1] == '\t'))
                state[--value_len] = '\0';
            for (i = 0; i < value_len && is_base64url_char((unsigned char)state[i]); i++) {
            }
            r->state_cookies++;
            r->state_cookie = (i == value_len && value_len > 0 && value_len <= STATE_MAX) ? state : NULL;
        }
        pair = next;
    }
    if (r->state_cookies != 1) r->state_cookie = NULL;   /* two state cookies: trust neither */
}

/* Splits off the next line ending in CRLF; NULL when the line holds a bare CR or LF. */
static char *next_line(char **at)
{
    char *line = *at, *end = strstr(line, "\r\n");
    if (end == NULL || strcspn(line, "\r\n") != (size_t)(end - line)) return NULL;
    *end = '\0';
    *at = end + 2;
    return line;
}

/* Parses the request in c->data (NUL-terminated after the blank line). 0 when it is well-formed,
   else the status to answer, with *why set. */
static int parse_request(char *data, request *r, const char **why)
{
    char *at = data, *line, *space;
    int headers = 0;
    memset(r, 0, sizeof *r);
    *why = "the request line is malformed";
    if ((line = next_line(&at)) == NULL) return 400;
    for (space = line; is_token_char((unsigned char)*space); space++) {
    }
    if (space == line || *space != ' ' || space - line > 16) return 400;
    *space = '\0';
    r->method = line;
    r->target = line = space + 1;
    for (space = line; (unsigned char)*space > ' ' && (unsigned char)*space < 0x7f; space++) {
    }
    if (*space != ' ' || line[0] != '/') {
        *why = "the request line needs a path that starts with /";
        r->method = NULL;
        return 400;
    }
    *space = '\0';
    if (strcmp(space + 1, "HTTP/1.1") != 0 && strcmp(space + 1, "HTTP/1.0") != 0) {
        *why = "only HTTP/1.0 and HTTP/1.1 are spoken here";
        r->method = NULL;
        return 400;
    }
    r->path_len = strcspn(r->target, "?#");
    *why = "a header line is malformed";
    while ((line = next_line(&at)) != NULL && line[0] != '\0') {
        char *value, *end;
        for (value = line; is_token_char((unsigned char)*value); value++) {
        }
        if (value == line || *value != ':' || ++headers > HEADER_COUNT_MAX) return 400;
        *value++ = '\0';
        while (*value == ' ' || *value == '\t') value++;
        for (end = value; *end != '\0'; end++)
            if (((unsigned char)*end < 0x20 && *end != '\t') || *end == 0x7f) return 400;
        while (end > value && (end[-1] == ' ' || end[-1] == '\t')) *--end = '\0';
        if (equal_ignoring_case(line, "host", 5)) {
            if (r->host != NULL) return 400;
            r->host = value;
        } else if (equal_ignoring_case(line, "cookie", 7)) {
            scan_cookies(r, value);
        } else if (equal_ignoring_case(line, "content-length", 15)) {
            if (r->content_length != NULL) {            /* two lengths: a smuggling attempt */
                *why = "two Content-Length headers";
                return 400;
            }
            r->content_length = value;
        } else if (equal_ignoring_case(line, "transfer-encoding", 18)) {
            r->transfer_encoding = 1;
        } else if (equal_ignoring_case(line, "stripe-signature", 17)) {
            if (r->stripe_signature != NULL) {
                *why = "two Stripe-Signature headers";
                return 400;
            }
            r->stripe_signature = value;
        }
    }
    return line == NULL ? 400 : 0;
}

/* The Host header must name this server: 127.0.0.1:P, localhost:P or the redirect URI's host.
   Anything else may be a DNS-rebinding page trying to read ours. */
static int host_allowed(const server *s, const request *r)
{
    char ours[2][32];
    size_t i, n = r->host != NULL ? strlen(r->host) : 0;
    if (r->host == NULL) return 0;
    snprintf(ours[0], sizeof ours[0], "127.0.0.1:%u", s->port);
    snprintf(ours[1], sizeof ours[1], "localhost:%u", s->port);
    for (i = 0; i < 2; i++)
        if (strlen(ours[i]) == n && equal_ignoring_case(r->host, ours[i], n)) return 1;
    return strlen(s->redirect_authority) == n && equal_ignoring_case(r->host, s->redirect_authority, n);
}

static int path_is(const request *r, const char *path)
{
    return strlen(path) == r->path_len && strncmp(r->target, path, r->path_len) == 0;
}

/* ---- GET /: the button ------------------------------------------------------------------------------ */

/* The connect base's host, for the line under the button. */
static void page_host_of(page *p, const char *base)
{
    const char *host = strstr(base, "://");
    char shown[256];
    size_t n;
    host = host != NULL ? host + 3 : base;
    n = strcspn(host, "/?#");
    if (n >= sizeof shown) n = sizeof shown - 1;
    memcpy(shown, host, n);
    shown[n] = '\0';
    html_escape(p, shown);
}

/* The cookie is kept for the host the browser used: when that is not the redirect URI's host
   (localhost against 127.0.0.1), the callback would arrive without it. Sends the browser to the
   redirect URI's host first; 1 when it did. */
static int moved_to_redirect_host(server *s, connection *c, const request *r)
{
    char location[URL_MAX + 64];
    page *p = &answer_page;
    size_t n = strlen(s->redirect_authority);
    if (strlen(r->host) == n && equal_ignoring_case(r->host, s->redirect_authority, n)) return 0;
    snprintf(location, sizeof location, "Location: %s://%s/\r\n", s->secure_cookie ? "https" : "http",
             s->redirect_authority);
    page_start(p, "Moved");
    page_add(p, "<p>This page lives at the redirect URI's host, where the state cookie comes back.</p>\n");
    page_end(p);
    log_request(r, 302, "to the redirect URI's host");
    respond(c, 302, location, p);
    return 1;
}

/* What the server holds: the account connected last (id "account"), and the account the last
   deauthorization event named (id "disconnected"). */
static void page_account_state(const server *s, page *p)
{
    if (s->held.stripe_user_id[0] != '\0') {
        page_add(p, "<section class=\"held\">\n<p class=\"eyebrow status-ok\">Connected now</p>\n"
                    "<code id=\"account\" class=\"account\">");
        html_escape(p, s->held.stripe_user_id);
        page_add(p, "</code>\n<p class=\"fine\">Its tokens are kept in this server's memory. If the account "
                    "disconnects the platform on Stripe, Stripe sends <code>" DEAUTHORIZED_EVENT "</code> to "
                    "<code>POST " WEBHOOK_PATH "</code> and they are forgotten.</p>\n</section>\n");
    }
    if (s->disconnected[0] != '\0') {
        page_add(p, "<section id=\"disconnected\" class=\"held\" role=\"status\">\n"
                    "<p class=\"eyebrow status-error\">Disconnected</p>\n<p><code>");
        html_escape(p, s->disconnected);
        page_add(p, "</code> disconnected the platform on Stripe (<code>" DEAUTHORIZED_EVENT "</code>, "
                    "signature verified); its tokens were wiped.</p>\n</section>\n");
    }
}

static void serve_index(server *s, connection *c, const request *r)
{
    stripe_connect_authorize_params params;
    stripe_connect_client browser_side = s->client;   /* the same client, another base */
    char state[STATE_MAX + 1], url[URL_MAX], cookie[256];
    size_t n;
    page *p = &answer_page;
    stripe_connect_result result;

    if (moved_to_redirect_host(s, c, r)) return;
    result = stripe_connect_state_generate(&s->client, state, sizeof state, &n);
    memset(&params, 0, sizeof params);
    params.scope = "read_write";
    params.redirect_uri = s->redirect_uri;
    params.state = state;
    if (s->env.authorize_base != NULL) browser_side.connect_base = s->env.authorize_base;
    if (result == STRIPE_CONNECT_OK) result = stripe_connect_authorize_url(&browser_side, &params, url, sizeof url, &n);
    if (result != STRIPE_CONNECT_OK) {
        respond_problem(c, r, 500, stripe_connect_result_string(result));
        return;
    }
    snprintf(cookie, sizeof cookie, "Set-Cookie: " STATE_COOKIE "=%s; HttpOnly; SameSite=Lax; Path=/; Max-Age=%d%s\r\n",
             state, STATE_COOKIE_SECONDS, s->secure_cookie ? "; Secure" : "");

    page_start(p, "Connect with Stripe");
    page_add(p, "<p class=\"eyebrow\">stripe_connect.h web example</p>\n"
                "<h1>Get paid through our platform</h1>\n"
                "<p>Connect your Stripe account, and the platform can take payments for you and pay "
                "you out. You sign in on Stripe and approve there; this site never sees your "
                "password.</p>\n<a id=\"connect\" class=\"button\" href=\"");
    html_escape(p, url);
    page_add(p, "\">Connect with Stripe</a>\n<p class=\"fine\">You will be sent to <code>");
    page_host_of(p, browser_side.connect_base != NULL ? browser_side.connect_base : "https://connect.stripe.com");
    page_add(p, "</code> to approve platform <code>");
    html_escape(p, s->env.common.client_id);
    page_add(p, "</code> with scope <code>read_write</code>.</p>\n");
    page_account_state(s, p);
    page_end(p);
    log_request(r, 200, "a fresh state and authorize URL");
    respond(c, 200, cookie, p);
    stripe_connect_wipe(state, sizeof state);
    stripe_connect_wipe(cookie, sizeof cookie);
    stripe_connect_wipe(url, sizeof url);
}

/* ---- GET /callback: the state, the exchange, the account -------------------------------------------- */

static int state_was_used(const server *s, const char *state)
{
    size_t i;
    int used = 0;
    for (i = 0; i < USED_STATE_COUNT; i++) used |= stripe_connect_state_equal(s->used_states[i], state);
    return used;
}

static void remember_used_state(server *s, const char *state)
{
    size_t n = strlen(state);
    memcpy(s->used_states[s->used_next], state, n + 1);
    s->used_next = (s->used_next + 1) % USED_STATE_COUNT;
}

/* The message Stripe sent, unless it holds the secret key (a misbehaving server echoing it). */
static const char *shown_message(const server *s, const char *message)
{
    return strstr(message, s->env.common.secret_key) != NULL ? "(withheld: it contained the secret key)" : message;
}

/* What went wrong, for the error page: the result string, the OAuth code, the description. */
typedef struct failure {
    stripe_connect_result result;
    const char *code, *description, *detail, *advice;
} failure;

static void serve_failure(connection *c, const request *r, const failure *f, const char *extra_headers)
{
    page *p = &answer_page;
    char logged[160];
    page_start(p, "Not connected");
    page_add(p, "<p class=\"eyebrow status-error\">Not connected</p>\n<h1>The account was not connected</h1>\n"
                "<div id=\"error\" role=\"alert\">\n<strong>");
    html_escape(p, stripe_connect_result_string(f->result));
    page_add(p, "</strong>\n<dl>\n");
    page_definition(p, "Code", f->code, 1);
    page_definition(p, "Description", f->description, 0);
    page_definition(p, "Details", f->detail, 0);
    page_add(p, "</dl>\n</div>\n<p>");
    html_escape(p, f->advice);
    page_add(p, "</p>\n<a class=\"button secondary\" href=\"/\">Start again</a>\n");
    page_end(p);
    snprintf(logged, sizeof logged, "%s%s%.64s", stripe_connect_result_string(f->result),
             f->code != NULL && f->code[0] != '\0' ? ": " : "", f->code != NULL ? f->code : "");
    log_request(r, 200, logged);
    respond(c, 200, extra_headers, p);
}

static void serve_connected(connection *c, const request *r, const stripe_connect_token *token, const char *extra_headers)
{
    page *p = &answer_page;
    char logged[300];
    page_start(p, "Connected");
    page_add(p, "<p class=\"eyebrow status-ok\">Connected</p>\n<h1>Your Stripe account is connected</h1>\n"
                "<p>The platform can now act for this account:</p>\n<code id=\"account\" class=\"account\">");
    html_escape(p, token->stripe_user_id);
    page_add(p, "</code>\n<dl>\n");
    page_definition(p, "Scope", token->scope, 1);
    page_definition(p, "Mode", token->livemode ? "live" : "test", 0);
    page_add(p, "</dl>\n<p class=\"fine\">The access and refresh tokens stay on the platform's server; "
                "no page shows them.</p>\n<a class=\"button secondary\" href=\"/\">Connect another account</a>\n");
    page_end(p);
    snprintf(logged, sizeof logged, "connected %.256s", token->stripe_user_id);
    log_request(r, 200, logged);
    respond(c, 200, extra_headers, p);
}

/* Keeps the account and its tokens (what a platform stores in its database), in place of the
   one held before. */
static void hold_account(server *s, const stripe_connect_token *token)
{
    stripe_connect_wipe(&s->held, sizeof s->held);
    s->held = *token;
    if (strcmp(s->disconnected, token->stripe_user_id) == 0) s->disconnected[0] = '\0';   /* it is back */
}

static void serve_callback(server *s, connection *c, const request *r)
{
    static const char clear_cookie[] =
        "Set-Cookie: " STATE_COOKIE "=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0\r\n";
    stripe_connect_redirect redirect;
    stripe_connect_token token;
    stripe_connect_error err;
    failure f;
    char detail[300];

    memset(&f, 0, sizeof f);
    memset(&redirect, 0, sizeof redirect);
    f.advice = "Nothing was exchanged. Start again from the first page.";
    if (r->state_cookie == NULL) {
        f.result = STRIPE_CONNECT_ERR_STATE_MISMATCH;
        f.detail = r->state_cookies > 1 ? "more than one state cookie came with the request"
                                        : "no state cookie: this browser did not start the flow here, "
                                          "or it was finished already";
    } else if (state_was_used(s, r->state_cookie)) {
        f.result = STRIPE_CONNECT_ERR_STATE_MISMATCH;
        f.detail = "this state was used already: a code is exchanged once";
    } else {
        /* The state in the redirect must be the cookie's: compared in constant time inside. */
        f.result = stripe_connect_parse_redirect(r->target, strlen(r->target), r->state_cookie, &redirect);
        if (f.result == STRIPE_CONNECT_ERR_STATE_MISMATCH)
            f.detail = "the state in the redirect is not the one this browser was given: "
                       "it may be a forged link";
    }
    if (f.result == STRIPE_CONNECT_OK || f.result == STRIPE_CONNECT_ERR_OAUTH)
        remember_used_state(s, r->state_cookie);   /* Stripe's answer to our state: used now */
    if (f.result == STRIPE_CONNECT_ERR_OAUTH) {
        f.code = redirect.error_code;
        f.description = redirect.error_description;
        f.advice = redirect.error == STRIPE_CONNECT_OAUTH_ACCESS_DENIED
                       ? "The connection was declined on Stripe's page. Start again to retry."
                       : "Stripe sent an error instead of a code. Start again.";
        serve_failure(c, r, &f, clear_cookie);
    } else if (f.result != STRIPE_CONNECT_OK) {
        serve_failure(c, r, &f, "");   /* not our state's answer: the cookie stays for the real one */
    } else {
        memset(&err, 0, sizeof err);
        f.result = stripe_connect_exchange_code(&s->client, redirect.code, &token, &err);   /* once */
        if (f.result == STRIPE_CONNECT_OK) {
            hold_account(s, &token);
            serve_connected(c, r, &token, clear_cookie);
        } else {
            const char *diagnostic = transport_diagnostic(s);
            if (f.result == STRIPE_CONNECT_ERR_TRANSPORT || f.result == STRIPE_CONNECT_ERR_TIMEOUT ||
                f.result == STRIPE_CONNECT_ERR_TLS) {
                f.detail = diagnostic;
            } else if (err.http_status != 0) {
                snprintf(detail, sizeof detail, "HTTP %d from the token endpoint%s%s", err.http_status,
                         err.request_id[0] != '\0' ? ", Request-Id " : "", err.request_id);
                f.detail = detail;
            }
            f.code = err.code;
            f.description = shown_message(s, err.message);
            f.advice = "The code was sent to Stripe once and will not be sent again. Start again.";
            serve_failure(c, r, &f, clear_cookie);
        }
        stripe_connect_wipe(&token, sizeof token);
        stripe_connect_wipe(&err, sizeof err);
    }
    stripe_connect_wipe(&redirect, sizeof redirect);
}

/* ---- POST /webhook: Stripe's events ------------------------------------------------------------------ */

/* A copy for the server's output: a value from an event may hold anything, a log line must not. */
static void printable_copy(char *out, size_t cap, const char *text)
{
    size_t n = 0;
    for (; *text != '\0' && n + 1 < cap; text++)
        out[n++] = ((unsigned char)*text < 0x20 || (unsigned char)*text >= 0x7f) ? '?' : *text;
    out[n] = '\0';
}

/* The account disconnected the platform: its tokens are wiped (a platform would delete them and
   stop acting for it), and the page names it. An event for an account not held is recorded too. */
static void forget_account(server *s, const char *account)
{
    if (strcmp(s->held.stripe_user_id, account) == 0) stripe_connect_wipe(&s->held, sizeof s->held);
    memcpy(s->disconnected, account, strlen(account) + 1);   /* both are 64 bytes */
}

/* The body has arrived whole: verify, read, act, answer. */
static void serve_webhook(server *s, connection *c, const request *r)
{
    stripe_connect_webhook_event event;
    char logged[300], shown_type[64], shown_account[64];
    stripe_connect_result result;

    /* The signature covers the exact bytes received: the body is verified before it is read. */
    result = stripe_connect_webhook_verify(c->body, c->body_len, r->stripe_signature != NULL ? r->stripe_signature : "",
                                           s->env.common.webhook_secret, WEBHOOK_TOLERANCE_SECONDS, (int64_t)time(NULL));
    if (result != STRIPE_CONNECT_OK) {
        respond_json(c, r, 400, "{\"error\":\"signature rejected\"}",
                     r->stripe_signature == NULL ? "no Stripe-Signature header"
                                                 : "Stripe-Signature rejected (signature or timestamp)");
        return;
    }
    result = stripe_connect_webhook_event_read(c->body, c->body_len, &event);
    if (result != STRIPE_CONNECT_OK) {
        respond_json(c, r, 400, "{\"error\":\"not an event\"}", stripe_connect_result_string(result));
        return;
    }
    printable_copy(shown_type, sizeof shown_type, event.type);
    printable_copy(shown_account, sizeof shown_account, event.account);
    if (strcmp(event.type, DEAUTHORIZED_EVENT) == 0 && event.account[0] != '\0') {
        forget_account(s, event.account);
        snprintf(logged, sizeof logged, "%s: disconnected %s", shown_type, shown_account);
    } else {
        snprintf(logged, sizeof logged, "%s%s%s: received, nothing to do", shown_type,
                 event.account[0] != '\0' ? " for " : "", shown_account);
    }
    respond_json(c, r, 200, "{\"received\":true}", logged);   /* every verified event: or Stripe retries */
}

/* The headers of POST /webhook are in: refuses what cannot be a Stripe event, serves it when the
   body is there already, else waits for the body (read_body). */
static void begin_webhook(server *s, connection *c, const request *r)
{
    unsigned long length;
    if (s->env.common.webhook_secret == NULL) {
        respond_json(c, r, 503, "{\"error\":\"webhook secret not configured\"}",
                     "webhook secret not configured (STRIPE_WEBHOOK_SECRET)");
    } else if (r->transfer_encoding) {
        respond_json(c, r, 400, "{\"error\":\"send the body with a Content-Length\"}",
                     "a Transfer-Encoding body is not read");
    } else if (r->content_length == NULL) {
        respond_json(c, r, 411, "{\"error\":\"Content-Length required\"}", "no Content-Length");
    } else if (!example_parse_number(r->content_length, 0, ~0ul, &length)) {
        respond_json(c, r, 400, "{\"error\":\"malformed Content-Length\"}", "a malformed Content-Length");
    } else if (length > WEBHOOK_BODY_MAX) {
        respond_json(c, r, 413, "{\"error\":\"body over 64 KiB\"}", "a body over 64 KiB");
    } else {
        c->body_expected = (size_t)length;
        if (c->body_len > c->body_expected) c->body_len = c->body_expected;   /* what follows is not read */
        if (c->body_len == c->body_expected) {
            serve_webhook(s, c, r);
        } else {
            c->pending = *r;           /* its pointers are into c->data, which stays as it is */
            c->reading_body = 1;       /* the same deadline as the headers */
        }
    }
}

/* ---- The server loop -------------------------------------------------------------------------------- */

static void handle_request(server *s, connection *c)
{
    request r;
    const char *why;
    int status = parse_request(c->data, &r, &why);
    if (status != 0) respond_problem(c, &r, status, why);
    else if (!host_allowed(s, &r)) respond_problem(c, &r, 400, "the Host header does not name this server");
    else if (path_is(&r, WEBHOOK_PATH) && strcmp(r.method, "POST") == 0) begin_webhook(s, c, &r);
    else if (path_is(&r, WEBHOOK_PATH)) respond_problem_with(c, &r, 405, "only POST is answered here", "Allow: POST\r\n");
    else if (strcmp(r.method, "GET") != 0) respond_problem_with(c, &r, 405, "only GET is answered here", "Allow: GET\r\n");
    else if (path_is(&r, "/")) serve_index(s, c, &r);
    else if (path_is(&r, s->callback_path)) serve_callback(s, c, &r);
    else respond_problem(c, &r, 404, "there is no such page here");
}

/* Reads more of a webhook's body; serves it once Content-Length bytes are there. */
static void read_body(server *s, connection *c)
{
    ssize_t got = recv(c->fd, c->body + c->body_len, c->body_expected - c->body_len, 0);
    if (got < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (got <= 0) {                       /* the sender hung up before the whole body */
        close_connection(c);
        return;
    }
    c->body_len += (size_t)got;
    if (c->body_len == c->body_expected) serve_webhook(s, c, &c->pending);
}

/* Reads what arrived; answers once the blank line after the headers is there. */
static void read_request(server *s, connection *c)
{
    ssize_t got;
    char *end;
    size_t head_len;
    if (c->reading_body) {
        read_body(s, c);
        return;
    }
    got = recv(c->fd, c->data + c->len, REQUEST_MAX - c->len, 0);
    if (got < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (got <= 0) {                       /* the client hung up, or the connection failed */
        close_connection(c);
        return;
    }
    c->len += (size_t)got;
    c->data[c->len] = '\0';
    end = strstr(c->data, "\r\n\r\n");
    head_len = end != NULL ? (size_t)(end + 4 - c->data) : c->len;
    if (memchr(c->data, '\0', head_len) != NULL) {   /* in the headers: a body may hold anything */
        respond_problem(c, NULL, 400, "the request holds a NUL byte");
        return;
    }
    if (end != NULL) {
        c->body_len = c->len - head_len;  /* what came of a body: only POST /webhook reads it */
        memcpy(c->body, end + 4, c->body_len);
        end[4] = '\0';
        handle_request(s, c);
    } else if (c->len == REQUEST_MAX) {
        respond_problem(c, NULL, 400, "the request line and headers are larger than 8 KiB");
    }
}

static void accept_connection(server *s, long long now)
{
    struct timeval send_timeout;
    int fd = accept(s->listen_fd, NULL, NULL);
    size_t i;
    if (fd < 0) return;                   /* EAGAIN, EINTR, a connection gone already */
    if (fd >= FD_SETSIZE) {
        close(fd);
        return;
    }
    send_timeout.tv_sec = SEND_TIMEOUT_SECONDS;
    send_timeout.tv_usec = 0;
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    for (i = 0; i < MAX_CONNECTIONS; i++) {
        if (s->connections[i].fd < 0) {
            s->connections[i].fd = fd;
            s->connections[i].len = 0;
            s->connections[i].reading_body = 0;
            s->connections[i].body_len = s->connections[i].body_expected = 0;
            s->connections[i].deadline_ms = now + REQUEST_TIMEOUT_MS;
            return;
        }
    }
    close(fd);                            /* not reached: the listener is watched only with a free slot */
}

static int listen_on_loopback(server *s, unsigned long port)
{
    struct sockaddr_in address;
    socklen_t address_len = sizeof address;
    int one = 1;
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (s->listen_fd < 0) return -1;
    setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s->listen_fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(s->listen_fd, 16) != 0 ||
        getsockname(s->listen_fd, (struct sockaddr *)&address, &address_len) != 0 ||
        fcntl(s->listen_fd, F_SETFL, fcntl(s->listen_fd, F_GETFL) | O_NONBLOCK) != 0 ||
        s->listen_fd >= FD_SETSIZE)
        return -1;
    s->port = ntohs(address.sin_port);
    return 0;
}

/* Waits for the listener and the waiting connections with the stop signals unblocked, serves what
   is ready, answers 408 to what took too long; returns when SIGINT or SIGTERM came. */
static int serve(server *s, const sigset_t *waiting)
{
    while (!stop_requested) {
        fd_set readable;
        struct timespec wait;
        long long now = now_ms(), soonest = -1;
        int highest = -1, free_slot = 0, ready;
        size_t i;

        FD_ZERO(&readable);
        for (i = 0; i < MAX_CONNECTIONS; i++) {
            connection *c = &s->connections[i];
            if (c->fd < 0) {
                free_slot = 1;
                continue;
            }
            FD_SET(c->fd, &readable);
            if (c->fd > highest) highest = c->fd;
            if (soonest < 0 || c->deadline_ms < soonest) soonest = c->deadline_ms;
        }
        if (free_slot) {
            FD_SET(s->listen_fd, &readable);
            if (s->listen_fd > highest) highest = s->listen_fd;
        }
        if (soonest >= 0) {
            long long left = soonest > now ? soonest - now : 0;
            wait.tv_sec = (time_t)(left / 1000);
            wait.tv_nsec = (long)(left % 1000) * 1000000L;
        }
        ready = pselect(highest + 1, &readable, NULL, NULL, soonest >= 0 ? &wait : NULL, waiting);
        if (ready < 0) {
            if (errno == EINTR) continue;   /* a stop signal: the loop's condition ends it */
            perror(WEB_NAME ": pselect");
            return 1;
        }
        now = now_ms();
        for (i = 0; i < MAX_CONNECTIONS; i++) {
            connection *c = &s->connections[i];
            if (c->fd >= 0 && ready > 0 && FD_ISSET(c->fd, &readable)) read_request(s, c);
            if (c->fd >= 0 && now >= c->deadline_ms)
                respond_problem(c, NULL, 408, "the request did not arrive in time");
        }
        if (free_slot && ready > 0 && FD_ISSET(s->listen_fd, &readable)) accept_connection(s, now);
    }
    return 0;
}

static void shut_down(server *s)
{
    size_t i;
    for (i = 0; i < MAX_CONNECTIONS; i++) {
        if (s->connections[i].fd >= 0) close(s->connections[i].fd);
        s->connections[i].fd = -1;
    }
    if (s->listen_fd >= 0) close(s->listen_fd);
    s->listen_fd = -1;
    close_transport(s);
    curl_global_cleanup();
    stripe_connect_wipe(s->used_states, sizeof s->used_states);
    stripe_connect_wipe(&s->held, sizeof s->held);
    stripe_connect_wipe(&answer_page, sizeof answer_page);
    stripe_connect_wipe(work_buffer, sizeof work_buffer);
}

int main(int argc, char **argv)
{
    server *s = &the_server;
    sigset_t waiting;
    unsigned long port = 0;
    int have_port = 0, i, status;
    size_t slot;
    stripe_connect_result r;

    for (i = 1; i < argc; i++) {
        const char *value = NULL;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_help();
            return 0;
        }
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) value = argv[++i];
        else if (strncmp(argv[i], "--port=", 7) == 0) value = argv[i] + 7;
        else return usage_line("unknown argument %s", argv[i]);
        if (!example_parse_number(value, 0, 65535, &port)) return usage_line("--port takes 0 to 65535");
        have_port = 1;
    }
    if (!have_port) return usage_line("--port P is needed");

    s->listen_fd = -1;
    for (slot = 0; slot < MAX_CONNECTIONS; slot++) s->connections[slot].fd = -1;
    if ((status = read_settings(&s->env)) != 0) return status;
    if (install_signals(&waiting) != 0) {
        perror(WEB_NAME ": sigaction");
        return 1;
    }
    if (listen_on_loopback(s, port) != 0) {
        fprintf(stderr, WEB_NAME ": cannot listen on 127.0.0.1:%lu: %s\n", port, strerror(errno));
        if (s->listen_fd >= 0) close(s->listen_fd);
        return 1;
    }
    if ((status = setup_redirect(s)) != 0) {
        close(s->listen_fd);
        return status;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fputs(WEB_NAME ": curl_global_init failed\n", stderr);
        close(s->listen_fd);
        return 1;
    }
    client_setup(s);
    r = open_transport(s);
    if (r != STRIPE_CONNECT_OK) {
        const char *diagnostic = transport_diagnostic(s);
        fprintf(stderr, WEB_NAME ": %s%s%s\n", stripe_connect_result_string(r), diagnostic != NULL ? ": " : "",
                diagnostic != NULL ? diagnostic : "");
        shut_down(s);
        return 3;
    }
    printf(WEB_NAME ": listening on http://127.0.0.1:%u/ (redirect URI %s, transport %s, webhook secret %s)\n",
           s->port, s->redirect_uri, example_transport_name(s->env.common.transport),
           s->env.common.webhook_secret != NULL ? "set" : "not set: POST " WEBHOOK_PATH " answers 503");
    fflush(stdout);

    status = serve(s, &waiting);
    shut_down(s);
    printf(WEB_NAME ": stopped\n");
    fflush(stdout);
    return status;
}
