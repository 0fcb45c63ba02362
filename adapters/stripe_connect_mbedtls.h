/* stripe_connect_mbedtls.h - v0.1.0 - an HTTPS transport for stripe_connect.h on mbedTLS.

   HTTPS without libcurl, for devices: TLS by mbedTLS (2.28 LTS; 3.x through version checks), a
   minimal HTTP/1.1 client written here, and a pluggable socket layer, so the same code runs over
   POSIX sockets, lwIP, a cellular modem's AT socket commands or any other TCP stack. One
   connection per request (Connection: close). Nothing is allocated here; mbedTLS allocates its
   record buffers while a request runs (and the default socket layer's getaddrinfo its address
   list), and all of it is freed before the request returns.

USAGE
   In exactly one C or C++ file, with or after the core's implementation:

       #define _POSIX_C_SOURCE 200809L       // before any #include: the default socket layer
                                             // and clock are POSIX (or build with -std=gnu99)
       #define STRIPE_CONNECT_IMPLEMENTATION
       #define STRIPE_CONNECT_MBEDTLS_IMPLEMENTATION
       #include "stripe_connect.h"
       #include "stripe_connect_mbedtls.h"

   Everywhere else, include it without the define. Compile with -I<repo> -I<repo>/adapters and
   link with -lmbedtls -lmbedx509 -lmbedcrypto. Needs C99 (or C++).

QUICK START
       static stripe_connect_mbedtls tls;    // holds the mbedTLS contexts: keep it off small stacks,
       static char work[16384];              // and do not copy or move it after init
       stripe_connect_client c;
       stripe_connect_token t;
       stripe_connect_error e;

       if (stripe_connect_mbedtls_init(&tls) != STRIPE_CONNECT_OK ||
           stripe_connect_mbedtls_set_ca_file(&tls, "/etc/ssl/certs/ca-certificates.crt") != STRIPE_CONNECT_OK)
           return fail(tls.error);           // why, in words; never a secret
       stripe_connect_client_init(&c, work, sizeof work);
       c.secret_key = "sk_live_...";
       c.transport = stripe_connect_mbedtls_transport(&tls);
       c.timeout_ms = 20000;                 // connect + handshake + request + response, in total
       if (stripe_connect_exchange_code(&c, code, &t, &e) != STRIPE_CONNECT_OK)
           log_error(e.message[0] ? e.message : tls.error);
       stripe_connect_mbedtls_free(&tls);

WHAT IT GUARANTEES
   - Only https:// URLs. The server's certificate chain is verified against the CA certificates
     you load (MBEDTLS_SSL_VERIFY_REQUIRED, always) and its name against the URL's host
     (mbedtls_ssl_set_hostname, always). There is no switch to turn either off. With no CA loaded
     every request fails with STRIPE_CONNECT_ERR_TLS.
   - req->timeout_ms bounds the whole request: one deadline is computed when the request starts
     and each step - connect, every handshake read and write, every write of the request, every
     read of the response - gets only the time that is left.
   - The response is read by a strict HTTP/1.1 reader (stripe_connect_mbedtls_read_response):
     status line, header fields by case-insensitive name (Content-Length, Transfer-Encoding:
     chunked, Request-Id, Stripe-Should-Retry), bodies framed by Content-Length, by chunked
     coding (extensions and trailers allowed) or by the connection's close; 1xx interim answers
     are skipped. Anything malformed, over a limit or cut short is an error, never a partial
     success; on every error res->body_len is 0 and the bytes already written are wiped.
   - The request head the adapter builds (it holds the Authorization header) is wiped before the
     call returns, on every path. Nothing is logged.

CONFIGURATION (define before including; the same everywhere, for they change the struct's size)
   STRIPE_CONNECT_MBEDTLS_STATIC          static linkage (also when STRIPE_CONNECT_STATIC is set)
   STRIPE_CONNECT_MBEDTLS_API             linkage of the public functions (default: extern)
   STRIPE_CONNECT_MBEDTLS_LINE_MAX        longest response line - status line, header field,
                                          chunk size line, trailer - its CRLF included (4096)
   STRIPE_CONNECT_MBEDTLS_HEADER_COUNT_MAX  header fields in one response, interim 1xx heads and
                                          chunked trailers included (64)
   STRIPE_CONNECT_MBEDTLS_HEADER_BYTES_MAX  bytes of all the response's heads together, status
                                          lines and CRLFs included, trailers included (16384)
   STRIPE_CONNECT_MBEDTLS_REQUEST_HEAD_MAX  longest request head the adapter builds: request
                                          line and header fields (8192); a longer one is refused
   STRIPE_CONNECT_MBEDTLS_NO_DEFAULT_SOCKET  leave out the POSIX socket layer (for lwIP, modems,
                                          RTOSes, Windows): set yours with _set_socket
   STRIPE_CONNECT_MBEDTLS_CLOCK_MS()      a monotonic clock in milliseconds, as unsigned long
                                          (it may wrap); default clock_gettime(CLOCK_MONOTONIC).
                                          Required with NO_DEFAULT_SOCKET, e.g.
                                          #define STRIPE_CONNECT_MBEDTLS_CLOCK_MS() \
                                              ((unsigned long)xTaskGetTickCount() * portTICK_PERIOD_MS)
   The context holds one buffer of max(LINE_MAX, REQUEST_HEAD_MAX) bytes (8 KiB by default).

SOCKET LAYER CONTRACT
   stripe_connect_mbedtls_set_socket(&tls, &layer) replaces the default POSIX layer with yours.
   The adapter calls it for one connection at a time, from the thread running the request:
   - connect(user, host, port, timeout_ms, &connection) MUST open a TCP connection to host (a DNS
     name or an IP address, without brackets) and port (decimal text), store a handle of your
     choice in *connection and return 0; or return STRIPE_CONNECT_MBEDTLS_SOCKET_TIMEOUT when
     timeout_ms passed first, or STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR (or any other negative
     value) when it failed. It MUST NOT take much longer than timeout_ms; name resolution
     SHOULD count against it too.
   - send(connection, data, len, timeout_ms) MUST send between 1 and len bytes and return how
     many, waiting at most timeout_ms for room; or return ..._SOCKET_TIMEOUT or ..._SOCKET_ERROR.
     It MUST NOT raise SIGPIPE or the like when the peer has gone.
   - recv(connection, data, len, timeout_ms) MUST wait at most timeout_ms for data, then return
     between 1 and len bytes; or 0 when the peer closed the connection in order (end of stream);
     or ..._SOCKET_TIMEOUT when no byte came in time; or ..._SOCKET_ERROR (a reset, a failure).
   - close(connection) MUST release the connection. It is called exactly once after every
     connect that returned 0, on every path, and never otherwise.
   - timeout_ms is always at least 1. None of the callbacks may block past it, for the adapter
     enforces req->timeout_ms only through them. user is the layer's own pointer, given back to
     connect. Your layer MAY log errors but MUST NOT log data: it carries the secret key.
   - Return values are ints, so len is at most INT_MAX in every call.
   The default layer (POSIX: getaddrinfo, a non-blocking connect with poll(), send() with
   MSG_NOSIGNAL, recv() after poll()) follows this contract, except that name resolution by
   getaddrinfo cannot be timed out. It deliberately does not use mbedtls_net_*: mbedtls_net_connect
   blocks with no timeout (minutes on a blackholed address), its descriptor is a private field in
   mbedTLS 3, mbedtls_net_send may raise SIGPIPE, and its select() fails past FD_SETSIZE.

RESULTS (of the transport's perform, which the core passes on)
   STRIPE_CONNECT_OK                      a response arrived, whatever its status
   STRIPE_CONNECT_ERR_TLS                 no CA loaded; the handshake failed; the certificate was
                                          rejected (tls.error holds mbedTLS's words for why:
                                          mbedtls_x509_crt_verify_info or mbedtls_strerror)
   STRIPE_CONNECT_ERR_TIMEOUT             req->timeout_ms passed
   STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE  the body did not fit res->body_cap
   STRIPE_CONNECT_ERR_TRANSPORT           everything else: a URL that is not https://, a request
                                          head too long or holding CR/LF, could not connect, the
                                          connection failed or closed early, a malformed response
   After every call, tls.error says what happened in one line ("" after success). It names the
   host and port but never the path, a header or the body.

THREAD SAFETY
   One stripe_connect_mbedtls serves one request at a time. Use one per thread: they share
   nothing of their own. (mbedTLS 3's PSA crypto state is global; several threads using mbedTLS
   at once need it built with MBEDTLS_THREADING_C, as Debian's is.)

LIMITATIONS
   No HTTP proxies, no keep-alive (a new TLS connection per request), no TLS session resumption,
   no client certificates, no HEAD requests, no Content-Encoding (it asks for none), no
   Transfer-Encoding other than chunked. mbedTLS 2.28 cannot check IP addresses against a
   certificate: use host names. A body framed by the connection's close is accepted only when the
   server ended TLS with close_notify (otherwise a cut cannot be told from the end); Stripe
   always sends Content-Length or chunked bodies. Tested with mbedTLS 2.28; written for 3.x too.
*/
#ifndef STRIPE_CONNECT_MBEDTLS_H
#define STRIPE_CONNECT_MBEDTLS_H

#include "stripe_connect.h"

#include <stddef.h>
#include <mbedtls/version.h>
#include <mbedtls/ssl.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/x509_crt.h>

#if MBEDTLS_VERSION_NUMBER < 0x02100000 || MBEDTLS_VERSION_NUMBER >= 0x04000000
#error "stripe_connect_mbedtls.h needs mbedTLS 2.16 to 3.x (tested with 2.28)"
#endif

#ifndef STRIPE_CONNECT_MBEDTLS_API
#  if defined(STRIPE_CONNECT_MBEDTLS_STATIC) || defined(STRIPE_CONNECT_STATIC)
#    if defined(__GNUC__) || defined(__clang__)
#      define STRIPE_CONNECT_MBEDTLS_API static __attribute__((unused))
#    else
#      define STRIPE_CONNECT_MBEDTLS_API static
#    endif
#  else
#    define STRIPE_CONNECT_MBEDTLS_API extern
#  endif
#endif

#ifndef STRIPE_CONNECT_MBEDTLS_LINE_MAX
#define STRIPE_CONNECT_MBEDTLS_LINE_MAX 4096
#endif
#ifndef STRIPE_CONNECT_MBEDTLS_HEADER_COUNT_MAX
#define STRIPE_CONNECT_MBEDTLS_HEADER_COUNT_MAX 64
#endif
#ifndef STRIPE_CONNECT_MBEDTLS_HEADER_BYTES_MAX
#define STRIPE_CONNECT_MBEDTLS_HEADER_BYTES_MAX 16384
#endif
#ifndef STRIPE_CONNECT_MBEDTLS_REQUEST_HEAD_MAX
#define STRIPE_CONNECT_MBEDTLS_REQUEST_HEAD_MAX 8192
#endif
/* The context's one buffer: the request head while it is sent, then the response's lines. */
#define STRIPE_CONNECT_MBEDTLS_BUFFER_SIZE \
    (STRIPE_CONNECT_MBEDTLS_LINE_MAX > STRIPE_CONNECT_MBEDTLS_REQUEST_HEAD_MAX ? \
     STRIPE_CONNECT_MBEDTLS_LINE_MAX : STRIPE_CONNECT_MBEDTLS_REQUEST_HEAD_MAX)

#ifdef __cplusplus
extern "C" {
#endif

/* ---- The socket layer (see SOCKET LAYER CONTRACT above) ---------------------------------------- */
#define STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR   (-1)   /* failed: refused, reset, unreachable, ... */
#define STRIPE_CONNECT_MBEDTLS_SOCKET_TIMEOUT (-2)   /* timeout_ms passed first */

typedef struct stripe_connect_mbedtls_socket {
    int (*connect)(void *user, const char *host, const char *port, unsigned long timeout_ms, void **connection);
    int (*send)(void *connection, const unsigned char *data, size_t len, unsigned long timeout_ms);
    int (*recv)(void *connection, unsigned char *data, size_t len, unsigned long timeout_ms);
    void (*close)(void *connection);
    void *user;
} stripe_connect_mbedtls_socket;

/* ---- The context ---------------------------------------------------------------------------------
   Holds the mbedTLS contexts and one buffer, so it is large (tens of KiB with mbedTLS 2.28's
   contexts): make it static or put it in your own long-lived struct. Its address is kept inside
   mbedTLS's contexts, so it must not be copied or moved between init and free. */
typedef struct stripe_connect_mbedtls {
    char error[256];          /* why the last call failed, one line; "" after a success */
    /* Private from here on: set up by init, released by free. */
    int initialized;
    int ca_loaded;
    int default_fd;           /* the default socket layer's descriptor, -1 when closed */
    stripe_connect_mbedtls_socket socket;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt ca_chain;
    mbedtls_ssl_config config;
    mbedtls_ssl_context ssl;
    unsigned char buffer[STRIPE_CONNECT_MBEDTLS_BUFFER_SIZE];
} stripe_connect_mbedtls;

/* Sets up the random generator (mbedTLS's entropy sources into CTR_DRBG), a TLS client
   configuration that requires a verified certificate, and the default socket layer (none under
   STRIPE_CONNECT_MBEDTLS_NO_DEFAULT_SOCKET). No CA is loaded yet.
   Results: OK; ERR_INVALID_ARGUMENT (ctx NULL); ERR_TLS (seeding or configuring mbedTLS failed:
   ctx->error says which). Call stripe_connect_mbedtls_free afterwards in every case. */
STRIPE_CONNECT_MBEDTLS_API stripe_connect_result stripe_connect_mbedtls_init(stripe_connect_mbedtls *ctx);

/* Adds the CA certificates of a PEM (or DER) file, such as /etc/ssl/certs/ca-certificates.crt,
   to the ones the server's chain is verified against. Call it, or set_ca_pem, as often as
   needed: certificates add up. A bundle where some certificates do not parse is accepted when at
   least one does (as curl does with system bundles).
   Results: OK; ERR_INVALID_ARGUMENT (NULL, or ctx not initialised); ERR_TLS (the file could not
   be read or held no certificate mbedTLS accepts; ctx->error says why). */
STRIPE_CONNECT_MBEDTLS_API stripe_connect_result stripe_connect_mbedtls_set_ca_file(stripe_connect_mbedtls *ctx,
        const char *path);

/* The same from memory: len bytes of PEM text with one or more "BEGIN CERTIFICATE" blocks. A
   terminating NUL is not needed (it may be counted in len or not); without one, each
   certificate's PEM block must fit in STRIPE_CONNECT_MBEDTLS_BUFFER_SIZE bytes. The text is
   parsed now and not kept. Results as for set_ca_file. */
STRIPE_CONNECT_MBEDTLS_API stripe_connect_result stripe_connect_mbedtls_set_ca_pem(stripe_connect_mbedtls *ctx,
        const char *pem, size_t len);

/* Uses the socket layer s (copied; s itself need not outlive the call) for the requests that
   follow; s NULL: the default POSIX layer again (under NO_DEFAULT_SOCKET: none, so requests fail
   with ERR_TRANSPORT until a layer is set). A layer with a NULL callback makes every request fail
   with ERR_TRANSPORT. */
STRIPE_CONNECT_MBEDTLS_API void stripe_connect_mbedtls_set_socket(stripe_connect_mbedtls *ctx,
        const stripe_connect_mbedtls_socket *s);

/* The transport for stripe_connect_client.transport: { perform, ctx }. ctx must stay
   initialised, unmoved, and used by one request at a time, while the client uses it. */
STRIPE_CONNECT_MBEDTLS_API stripe_connect_transport stripe_connect_mbedtls_transport(stripe_connect_mbedtls *ctx);

/* Releases everything init and the CA calls set up. Safe after a failed init, and twice. */
STRIPE_CONNECT_MBEDTLS_API void stripe_connect_mbedtls_free(stripe_connect_mbedtls *ctx);

/* ---- The HTTP/1.1 response reader --------------------------------------------------------------
   What the transport uses to read a response, public so that tests and fuzzers can drive it with
   scripted bytes, and so that a custom transport over another byte stream can reuse it.
   read_fn(user, data, len) MUST return between 1 and len bytes, 0 at the end of the stream, or a
   negative stripe_connect_result (ERR_TIMEOUT, ERR_TRANSPORT, ERR_TLS; any other negative value
   counts as ERR_TRANSPORT). len is at most INT_MAX. */
typedef int (*stripe_connect_mbedtls_read_fn)(void *user, unsigned char *data, size_t len);

/* Reads one response: 1xx interim answers are skipped; res->status, the body (res->body,
   res->body_len <= res->body_cap), res->request_id and res->should_retry are set. buffer
   (buffer_size bytes) holds the response's lines while they are parsed: a line longer than
   buffer_size with its CRLF is refused (the transport passes STRIPE_CONNECT_MBEDTLS_LINE_MAX).
   *why (when why is not NULL) is set to a static English sentence saying what went wrong, "" on
   success. Bytes after the end of the response are ignored.
   Results: OK; ERR_RESPONSE_TOO_LARGE (the body is longer than res->body_cap); ERR_TRANSPORT
   (malformed: a bad status line, header field, Content-Length or chunk size line; two different
   Content-Length values; both chunked and Content-Length; another Transfer-Encoding; a size
   that overflows; a line or head over its limit; or cut short: the stream ended before the end
   of the head, before Content-Length bytes, before the last chunk or its trailers); what read_fn
   returned (ERR_TIMEOUT, ERR_TRANSPORT, ERR_TLS); ERR_INVALID_ARGUMENT (read_fn, buffer or res
   NULL, buffer_size < 2, or res->body NULL with body_cap > 0). On every error res->status and
   res->body_len are 0 and the body bytes written are wiped. */
STRIPE_CONNECT_MBEDTLS_API stripe_connect_result stripe_connect_mbedtls_read_response(
        stripe_connect_mbedtls_read_fn read_fn, void *user, unsigned char *buffer, size_t buffer_size,
        stripe_connect_http_response *res, const char **why);

#ifdef __cplusplus
}
#endif
#endif /* STRIPE_CONNECT_MBEDTLS_H */

/* ================================================================================================
   IMPLEMENTATION
   ================================================================================================ */
#ifdef STRIPE_CONNECT_MBEDTLS_IMPLEMENTATION
#ifndef STRIPE_CONNECT_MBEDTLS_IMPLEMENTATION_INCLUDED
#define STRIPE_CONNECT_MBEDTLS_IMPLEMENTATION_INCLUDED

#if !defined(STRIPE_CONNECT_MBEDTLS_NO_DEFAULT_SOCKET)
#  if defined(_WIN32)
#    error "stripe_connect_mbedtls.h: the default socket layer is POSIX. Define STRIPE_CONNECT_MBEDTLS_NO_DEFAULT_SOCKET and STRIPE_CONNECT_MBEDTLS_CLOCK_MS(), and set your own layer with stripe_connect_mbedtls_set_socket."
#  endif
#  if defined(__STRICT_ANSI__) && !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE) && \
      !defined(_GNU_SOURCE) && !defined(_DEFAULT_SOURCE) && !defined(_BSD_SOURCE)
#    error "stripe_connect_mbedtls.h: the default socket layer needs POSIX (getaddrinfo, poll, clock_gettime): #define _POSIX_C_SOURCE 200809L before the first #include of this file, build with -std=gnu99, or define STRIPE_CONNECT_MBEDTLS_NO_DEFAULT_SOCKET and set your own layer."
#  endif
#endif

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>      /* only for its error codes, which the bio callbacks return */
#if MBEDTLS_VERSION_NUMBER >= 0x03000000 && defined(MBEDTLS_PSA_CRYPTO_C)
#include <psa/crypto.h>
#endif

#if !defined(STRIPE_CONNECT_MBEDTLS_NO_DEFAULT_SOCKET)
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#define SCM_PRIVATE static __attribute__((unused))
#define SCM_PRINTF_LIKE(format_at, args_at) __attribute__((format(printf, format_at, args_at)))
#else
#define SCM_PRIVATE static
#define SCM_PRINTF_LIKE(format_at, args_at)
#endif

#ifndef STRIPE_CONNECT_MBEDTLS_CLOCK_MS
#  if defined(STRIPE_CONNECT_MBEDTLS_NO_DEFAULT_SOCKET)
#    error "stripe_connect_mbedtls.h: with STRIPE_CONNECT_MBEDTLS_NO_DEFAULT_SOCKET, define STRIPE_CONNECT_MBEDTLS_CLOCK_MS() (a monotonic millisecond clock) too."
#  endif
#  define STRIPE_CONNECT_MBEDTLS_CLOCK_MS() scm_posix_clock_ms()
#endif

/* ---- Small helpers ---------------------------------------------------------------------------- */

/* Sets ctx->error from a format. */
SCM_PRIVATE void scm_set_error(stripe_connect_mbedtls *ctx, const char *format, ...) SCM_PRINTF_LIKE(2, 3);
SCM_PRIVATE void scm_set_error(stripe_connect_mbedtls *ctx, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    (void)vsnprintf(ctx->error, sizeof ctx->error, format, args);
    va_end(args);
}

/* Records a failure: ctx->error becomes "<what happened>" or, when a lower layer already left
   its detail there, "<what happened>: <detail>". Returns result, so callers can return it. */
SCM_PRIVATE stripe_connect_result scm_fail(stripe_connect_mbedtls *ctx, stripe_connect_result result,
                                           const char *format, ...) SCM_PRINTF_LIKE(3, 4);
SCM_PRIVATE stripe_connect_result scm_fail(stripe_connect_mbedtls *ctx, stripe_connect_result result,
                                           const char *format, ...)
{
    char detail[sizeof ctx->error];
    size_t used;
    va_list args;
    memcpy(detail, ctx->error, sizeof detail);
    va_start(args, format);
    (void)vsnprintf(ctx->error, sizeof ctx->error, format, args);
    va_end(args);
    used = strlen(ctx->error);
    if (detail[0] != '\0' && used + 3 < sizeof ctx->error) {
        size_t room, n;
        memcpy(ctx->error + used, ": ", 2);
        used += 2;
        room = sizeof ctx->error - 1 - used;
        n = strlen(detail) < room ? strlen(detail) : room;
        memcpy(ctx->error + used, detail, n);
        ctx->error[used + n] = '\0';
    }
    return result;
}

/* mbedTLS's words for an error code. */
SCM_PRIVATE void scm_mbedtls_text(int code, char *out, size_t size)
{
#if defined(MBEDTLS_ERROR_C) || defined(MBEDTLS_ERROR_STRERROR_DUMMY)
    mbedtls_strerror(code, out, size);
    if (out[0] != '\0') return;
#endif
    (void)snprintf(out, size, "mbedTLS error -0x%04X", (unsigned)(code < 0 ? -code : code));
}

SCM_PRIVATE int scm_lower(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

/* 1 when the n bytes at s equal the lower-case NUL-terminated word, ignoring ASCII case. */
SCM_PRIVATE int scm_equal_nocase(const unsigned char *s, size_t n, const char *word)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (word[i] == '\0' || scm_lower(s[i]) != word[i]) return 0;
    return word[n] == '\0';
}

SCM_PRIVATE int scm_is_digit(int c) { return c >= '0' && c <= '9'; }

SCM_PRIVATE int scm_hex_value(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = scm_lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* RFC 9110 tchar: what a header field name or a method is made of. */
SCM_PRIVATE int scm_is_token_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || scm_is_digit(c) ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

SCM_PRIVATE int scm_is_space(int c) { return c == ' ' || c == '\t'; }

/* ---- The HTTP/1.1 response reader --------------------------------------------------------------
   The response's lines pass through the caller's buffer; body bytes go straight into res->body.
   Unread bytes are buffer[start..end); buffer[start..scanned) is known to hold no LF, so a line
   that arrives one byte at a time is scanned once. */
typedef struct scm_reader {
    stripe_connect_mbedtls_read_fn read_fn;
    void *user;
    unsigned char *buffer;
    size_t size, start, end, scanned;
    size_t header_bytes, header_count;     /* over every head of the response, trailers included */
    stripe_connect_http_response *res;
    const char *why;
} scm_reader;

/* What the final response's head says about its body. */
typedef struct scm_framing {
    int status;
    int chunked;
    int has_length;
    size_t length;
} scm_framing;

enum { SCM_FILLED = 1, SCM_CLOSED = 2 };   /* scm_reader_fill's outcomes besides an error */

SCM_PRIVATE stripe_connect_result scm_reader_fail(scm_reader *r, stripe_connect_result result, const char *why)
{
    r->why = why;
    return result;
}

/* Calls read_fn for at most cap bytes into into: returns the bytes read, 0 at the end of the
   stream, or a negative result (what read_fn returned, or ERR_TRANSPORT for anything else). */
SCM_PRIVATE int scm_reader_call(scm_reader *r, unsigned char *into, size_t cap)
{
    int n;
    if (cap > (size_t)INT_MAX) cap = (size_t)INT_MAX;
    n = r->read_fn(r->user, into, cap);
    if (n > 0 && (size_t)n > cap) {
        r->why = "the read callback returned more bytes than asked for";
        return STRIPE_CONNECT_ERR_TRANSPORT;
    }
    if (n < 0 && n != STRIPE_CONNECT_ERR_TIMEOUT && n != STRIPE_CONNECT_ERR_TLS) return STRIPE_CONNECT_ERR_TRANSPORT;
    return n;
}

/* Moves the unread bytes to the front and reads more after them. There must be room. Returns
   SCM_FILLED, SCM_CLOSED or a negative result. */
SCM_PRIVATE int scm_reader_fill(scm_reader *r)
{
    int n;
    if (r->start > 0) {
        memmove(r->buffer, r->buffer + r->start, r->end - r->start);
        r->end -= r->start;
        r->scanned -= r->start;
        r->start = 0;
    }
    n = scm_reader_call(r, r->buffer + r->end, r->size - r->end);
    if (n < 0) return n;
    if (n == 0) return SCM_CLOSED;
    r->end += (size_t)n;
    return SCM_FILLED;
}

/* The line's bytes are valid until the next read. */
typedef struct scm_line {
    const unsigned char *text;
    size_t len;         /* without the line ending */
    size_t consumed;    /* with it */
} scm_line;

/* Reads one line ended by LF (or CRLF). closed_why names a stream that ends first. */
SCM_PRIVATE stripe_connect_result scm_read_line(scm_reader *r, scm_line *line, const char *closed_why,
                                                const char *failed_why)
{
    size_t i;
    for (;;) {
        int got;
        while (r->scanned < r->end && r->buffer[r->scanned] != '\n') r->scanned++;
        if (r->scanned < r->end) break;
        if (r->end - r->start == r->size)
            return scm_reader_fail(r, STRIPE_CONNECT_ERR_TRANSPORT,
                                   "a response line is longer than the line limit (STRIPE_CONNECT_MBEDTLS_LINE_MAX)");
        got = scm_reader_fill(r);
        if (got == SCM_CLOSED) return scm_reader_fail(r, STRIPE_CONNECT_ERR_TRANSPORT, closed_why);
        if (got < 0) return scm_reader_fail(r, (stripe_connect_result)got, r->why != NULL ? r->why : failed_why);
    }
    line->text = r->buffer + r->start;
    line->consumed = r->scanned + 1 - r->start;
    line->len = line->consumed - 1;
    if (line->len > 0 && line->text[line->len - 1] == '\r') line->len--;
    r->start = r->scanned = r->scanned + 1;
    for (i = 0; i < line->len; i++)
        if ((line->text[i] < 0x20 && line->text[i] != '\t') || line->text[i] == 0x7f)
            return scm_reader_fail(r, STRIPE_CONNECT_ERR_TRANSPORT, "a response line holds a control character");
    return STRIPE_CONNECT_OK;
}

/* "HTTP/1.<d> <3 digits>[ <reason>]" with the status in 100..599. */
SCM_PRIVATE int scm_parse_status_line(const scm_line *line, int *status)
{
    const unsigned char *s = line->text;
    if (line->len < 12 || memcmp(s, "HTTP/1.", 7) != 0 || !scm_is_digit(s[7]) || s[8] != ' ') return 0;
    if (s[9] < '1' || s[9] > '5' || !scm_is_digit(s[10]) || !scm_is_digit(s[11])) return 0;
    if (line->len > 12 && s[12] != ' ') return 0;
    *status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    return 1;
}

/* "name: value": a token, a colon, the value without the spaces around it. */
SCM_PRIVATE int scm_split_field(const scm_line *line, size_t *name_len, const unsigned char **value,
                                size_t *value_len)
{
    size_t i = 0, end = line->len;
    while (i < line->len && scm_is_token_char(line->text[i])) i++;
    if (i == 0 || i == line->len || line->text[i] != ':') return 0;
    *name_len = i++;
    while (i < end && scm_is_space(line->text[i])) i++;
    while (end > i && scm_is_space(line->text[end - 1])) end--;
    *value = line->text + i;
    *value_len = end - i;
    return 1;
}

enum { SCM_LENGTH_OK, SCM_LENGTH_MALFORMED, SCM_LENGTH_CONFLICT };

/* Content-Length: 1*DIGIT, or a list of equal ones ("42, 42", which RFC 9110 lets a recipient
   accept). Values that do not fit size_t are malformed. */
SCM_PRIVATE int scm_parse_content_length(const unsigned char *v, size_t n, size_t *out)
{
    size_t i = 0, value, first = 0;
    int have = 0;
    for (;;) {
        if (i == n || !scm_is_digit(v[i])) return SCM_LENGTH_MALFORMED;
        for (value = 0; i < n && scm_is_digit(v[i]); i++) {
            size_t digit = (size_t)(v[i] - '0');
            if (value > (SIZE_MAX - digit) / 10) return SCM_LENGTH_MALFORMED;
            value = value * 10 + digit;
        }
        if (have && value != first) return SCM_LENGTH_CONFLICT;
        first = value;
        have = 1;
        while (i < n && scm_is_space(v[i])) i++;
        if (i == n) break;
        if (v[i++] != ',') return SCM_LENGTH_MALFORMED;
        while (i < n && scm_is_space(v[i])) i++;
    }
    *out = first;
    return SCM_LENGTH_OK;
}

SCM_PRIVATE stripe_connect_result scm_apply_content_length(scm_reader *r, scm_framing *f,
                                                           const unsigned char *value, size_t value_len)
{
    size_t length = 0;
    int parsed = scm_parse_content_length(value, value_len, &length);
    if (parsed == SCM_LENGTH_MALFORMED)
        return scm_reader_fail(r, STRIPE_CONNECT_ERR_TRANSPORT, "a malformed Content-Length");
    if (parsed == SCM_LENGTH_CONFLICT || (f->has_length && f->length != length))
        return scm_reader_fail(r, STRIPE_CONNECT_ERR_TRANSPORT, "two different Content-Length values");
    f->has_length = 1;
    f->length = length;
    return STRIPE_CONNECT_OK;
}

SCM_PRIVATE void scm_copy_request_id(stripe_connect_http_response *res, const unsigned char *value, size_t len)
{
    if (len > sizeof res->request_id - 1) len = sizeof res->request_id - 1;   /* diagnostic: cut, not refused */
    memcpy(res->request_id, value, len);
    res->request_id[len] = '\0';
}

/* Acts on the header fields the transport cares about; the others are only checked for form. */
SCM_PRIVATE stripe_connect_result scm_apply_field(scm_reader *r, scm_framing *f, const unsigned char *name,
        size_t name_len, const unsigned char *value, size_t value_len)
{
    if (scm_equal_nocase(name, name_len, "content-length"))
        return scm_apply_content_length(r, f, value, value_len);
    if (scm_equal_nocase(name, name_len, "transfer-encoding")) {
        if (!scm_equal_nocase(value, value_len, "chunked"))
            return scm_reader_fail(r, STRIPE_CONNECT_ERR_TRANSPORT, "a Transfer-Encoding other than chunked");
        if (f->chunked)
            return scm_reader_fail(r, STRIPE_CONNECT_ERR_TRANSPORT, "Transfer-Encoding: chunked twice");
        f->chunked = 1;
    } else if (scm_equal_nocase(name, name_len, "request-id")) {
        scm_copy_request_id(r->res, value, value_len);
    } else if (scm_equal_nocase(name, name_len, "stripe-should-retry")) {
        if (scm_equal_nocase(value, value_len, "true")) r->res->should_retry = 1;
        else if (scm_equal_nocase(value, value_len, "false")) r->res->should_retry = 0;
    }
    return STRIPE_CONNECT_OK;
}

/* Counts a line of a head against the limits. */
SCM_PRIVATE stripe_connect_result scm_count_head_line(scm_reader *r, const scm_line *line)
{
    r->header_bytes += line->consumed;
    if (r->header_bytes > STRIPE_CONNECT_MBEDTLS_HEADER_BYTES_MAX)
        return scm_reader_fail(r, STRIPE_CONNECT_ERR_TRANSPORT,
                               "the response head is larger than STRIPE_CONNECT_MBEDTLS_HEADER_BYTES_MAX");
    return STRIPE_CONNECT_OK;
}

/* Reads header fields up to the empty line. f NULL: a 1xx head or trailers, whose fields are
   checked and counted but not used. */
SCM_PRIVATE stripe_connect_result scm_read_fields(scm_reader *r, scm_framing *f, const char *closed_why)
{
    scm_line line;
    const unsigned char *value;
    size_t name_len, value_len;
    for (;;) {
        stripe_connect_result result = scm_read_line(r, &line, closed_why, "reading the response head");
        if (result == STRIPE_CONNECT_OK) result = scm_count_head_line(r, &line);
        if (result != STRIPE_CONNECT_OK) return result;
        if (line.len == 0) return STRIPE_CONNECT_OK;
        if (++r->header_count > STRIPE_CONNECT_MBEDTLS_HEADER_COUNT_MAX)
            return scm_reader_fail(r, STRIPE_CONNECT_ERR_TRANSPORT,
                                   "more header fields than STRIPE_CONNECT_MBEDTLS_HEADER_COUNT_MAX");
        if (!scm_split_field(&line, &name_len, &value, &value_len))
            return scm_reader_fail(r, STRIPE_CONNECT_ERR_TRANSPORT, "a malformed header field");
        if (f != NULL) {
            result = scm_apply_field(r, f, line.text, name_len, value, value_len);
            if (result != STRIPE_CONNECT_OK) return result;
        }
    }
}

/* Reads status lines and heads until a final (non-1xx) one. */
SCM_PRIVATE stripe_connect_result scm_read_head(scm_reader *r, scm_framing *f)
{
    scm_line line;
    int status = 0;
    for (;;) {
        stripe_connect_result result = scm_read_line(r, &line, "the connection closed before a response arrived",
                                                     "reading the response head");
        if (result == STRIPE_CONNECT_OK) result = scm_count_head_line(r, &line);
        if (result != STRIPE_CONNECT_OK) return result;
        if (!scm_parse_status_line(&line, &status))
            return scm_reader_fail(r, STRIPE_CONNECT_ERR_TRANSPORT, "a malformed status line");
        if (status == 101)
            return scm_reader_fail(r, STRIPE_CONNECT_ERR_TRANSPORT, "101 Switching Protocols, which was not asked for");
        result = scm_read_fields(r, status >= 200 ? f : NULL, "the connection closed before the response head ended");
        if (result != STRIPE_CONNECT_OK) return result;
        if (status >= 200) break;
    }
    f->status = status;
    if (f->chunked && f->has_length)
        return scm_reader_fail(r, STRIPE_CONNECT_ERR_TRANSPORT, "both Transfer-Encoding: chunked and Content-Length");
    return STRIPE_CONNECT_OK;
}

/* Appends n body bytes, first from the buffer, then read straight into res->body. The caller
   has checked that they fit. */
SCM_PRIVATE stripe_connect_result scm_take_body(scm_reader *r, size_t n, const char *closed_why)
{
    stripe_connect_http_response *res = r->res;
    size_t take = r->end - r->start < n ? r->end - r->start : n;
    if (take > 0) {
        memcpy(res->body + res->body_len, r->buffer + r->start, take);
        r->start += take;
        if (r->scanned < r->start) r->scanned = r->start;
        res->body_len += take;
        n -= take;
    }
    while (n > 0) {
        int got = scm_reader_call(r, (unsigned char *)res->body + res->body_len, n);
        if (got == 0) return scm_reader_fail(r, STRIPE_CONNECT_ERR_TRANSPORT, closed_why);
        if (got < 0) return scm_reader_fail(r, (stripe_connect_result)got, r->why != NULL ? r->why : "reading the body");
        res->body_len += (size_t)got;
        n -= (size_t)got;
    }
    return STRIPE_CONNECT_OK;
}

SCM_PRIVATE stripe_connect_result scm_body_too_large(scm_reader *r)
{
    return scm_reader_fail(r, STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE, "the body is larger than the response buffer");
}

/* A body that ends when the connection does. When the buffer is full, one more read tells a
   body that fits exactly from one that does not. */
SCM_PRIVATE stripe_connect_result scm_read_until_close(scm_reader *r)
{
    stripe_connect_http_response *res = r->res;
    stripe_connect_result result;
    int got;
    if (r->end - r->start > res->body_cap) return scm_body_too_large(r);
    result = scm_take_body(r, r->end - r->start, "");
    if (result != STRIPE_CONNECT_OK) return result;
    for (;;) {
        if (res->body_len == res->body_cap) {
            r->start = r->end = r->scanned = 0;
            got = scm_reader_call(r, r->buffer, r->size);
        } else {
            got = scm_reader_call(r, (unsigned char *)res->body + res->body_len, res->body_cap - res->body_len);
        }
        if (got == 0) return STRIPE_CONNECT_OK;
        if (got < 0) return scm_reader_fail(r, (stripe_connect_result)got, r->why != NULL ? r->why : "reading the body");
        if (res->body_len == res->body_cap) return scm_body_too_large(r);
        res->body_len += (size_t)got;
    }
}

enum { SCM_CHUNK_OK, SCM_CHUNK_MALFORMED, SCM_CHUNK_OVERFLOW };

/* chunk-size [ BWS ";" chunk-ext ]: hex digits, then nothing or an extension (ignored). */
SCM_PRIVATE int scm_parse_chunk_size(const scm_line *line, size_t *size)
{
    size_t i = 0, value = 0;
    if (line->len == 0 || scm_hex_value(line->text[0]) < 0) return SCM_CHUNK_MALFORMED;
    for (; i < line->len && scm_hex_value(line->text[i]) >= 0; i++) {
        if (value > (SIZE_MAX >> 4)) return SCM_CHUNK_OVERFLOW;
        value = (value << 4) | (size_t)scm_hex_value(line->text[i]);
    }
    while (i < line->len && scm_is_space(line->text[i])) i++;
    if (i < line->len && line->text[i] != ';') return SCM_CHUNK_MALFORMED;
    *size = value;
    return SCM_CHUNK_OK;
}

SCM_PRIVATE stripe_connect_result scm_read_chunked(scm_reader *r)
{
    static const char cut[] = "the connection closed before the last chunk";
    stripe_connect_http_response *res = r->res;
    scm_line line;
    size_t size = 0;
    for (;;) {
        int parsed;
        stripe_connect_result result = scm_read_line(r, &line, cut, "reading the body");
        if (result != STRIPE_CONNECT_OK) return result;
        parsed = scm_parse_chunk_size(&line, &size);
        if (parsed == SCM_CHUNK_OVERFLOW)
            return scm_reader_fail(r, STRIPE_CONNECT_ERR_TRANSPORT, "a chunk size that overflows");
        if (parsed != SCM_CHUNK_OK)
            return scm_reader_fail(r, STRIPE_CONNECT_ERR_TRANSPORT, "a malformed chunk size line");
        if (size == 0) break;
        if (size > res->body_cap - res->body_len) return scm_body_too_large(r);
        result = scm_take_body(r, size, "the connection closed in the middle of a chunk");
        if (result == STRIPE_CONNECT_OK) result = scm_read_line(r, &line, cut, "reading the body");
        if (result != STRIPE_CONNECT_OK) return result;
        if (line.len != 0)
            return scm_reader_fail(r, STRIPE_CONNECT_ERR_TRANSPORT, "a chunk's data is not followed by CRLF");
    }
    return scm_read_fields(r, NULL, "the connection closed before the chunked body's trailers ended");
}

SCM_PRIVATE stripe_connect_result scm_read_body(scm_reader *r, const scm_framing *f)
{
    if (f->status == 204 || f->status == 304) return STRIPE_CONNECT_OK;   /* never a body */
    if (f->chunked) return scm_read_chunked(r);
    if (f->has_length) {
        if (f->length > r->res->body_cap) return scm_body_too_large(r);
        return scm_take_body(r, f->length, "the connection closed before Content-Length bytes arrived");
    }
    return scm_read_until_close(r);
}

STRIPE_CONNECT_MBEDTLS_API stripe_connect_result stripe_connect_mbedtls_read_response(
        stripe_connect_mbedtls_read_fn read_fn, void *user, unsigned char *buffer, size_t buffer_size,
        stripe_connect_http_response *res, const char **why)
{
    scm_reader r;
    scm_framing f;
    stripe_connect_result result;
    if (why != NULL) *why = "";
    if (read_fn == NULL || buffer == NULL || buffer_size < 2 || res == NULL || (res->body == NULL && res->body_cap > 0)) {
        if (why != NULL) *why = "invalid argument";
        return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    }
    res->status = 0;
    res->body_len = 0;
    res->request_id[0] = '\0';
    res->should_retry = -1;
    memset(&r, 0, sizeof r);
    memset(&f, 0, sizeof f);
    r.read_fn = read_fn;
    r.user = user;
    r.buffer = buffer;
    r.size = buffer_size;
    r.res = res;
    result = scm_read_head(&r, &f);
    if (result == STRIPE_CONNECT_OK) result = scm_read_body(&r, &f);
    if (result == STRIPE_CONNECT_OK) {
        res->status = f.status;
    } else {
        if (res->body_len > 0) stripe_connect_wipe(res->body, res->body_len);
        res->body_len = 0;
    }
    if (why != NULL) *why = r.why != NULL ? r.why : "";
    return result;
}

/* ---- Deadline ---------------------------------------------------------------------------------
   One per request. The clock may wrap: only differences are used. */
typedef struct scm_deadline { unsigned long started_ms, timeout_ms; } scm_deadline;

#if !defined(STRIPE_CONNECT_MBEDTLS_NO_DEFAULT_SOCKET)
SCM_PRIVATE unsigned long scm_posix_clock_ms(void)
{
    struct timespec now;
    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) return 0;
    return (unsigned long)now.tv_sec * 1000UL + (unsigned long)(now.tv_nsec / 1000000L);
}
#endif

SCM_PRIVATE void scm_deadline_start(scm_deadline *d, unsigned long timeout_ms)
{
    d->started_ms = STRIPE_CONNECT_MBEDTLS_CLOCK_MS();
    d->timeout_ms = timeout_ms;
}

/* Milliseconds left, 0 when the deadline has passed. */
SCM_PRIVATE unsigned long scm_deadline_remaining(const scm_deadline *d)
{
    unsigned long elapsed = STRIPE_CONNECT_MBEDTLS_CLOCK_MS() - d->started_ms;
    return elapsed >= d->timeout_ms ? 0 : d->timeout_ms - elapsed;
}

/* ---- The default socket layer: POSIX ------------------------------------------------------------
   The connection handle is the context itself; the descriptor is ctx->default_fd. Failures leave
   strerror's words in ctx->error, which the adapter puts after its own. */
#if !defined(STRIPE_CONNECT_MBEDTLS_NO_DEFAULT_SOCKET)
#if defined(MSG_NOSIGNAL)
#define SCM_SEND_FLAGS MSG_NOSIGNAL
#else
#define SCM_SEND_FLAGS 0                          /* SO_NOSIGPIPE is set instead, where it exists */
#endif

SCM_PRIVATE int scm_posix_error(stripe_connect_mbedtls *ctx, int error)
{
    scm_set_error(ctx, "%s", strerror(error));
    return STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR;
}

/* Waits until fd is ready for events: 1 ready, 0 the deadline passed, -1 failed (errno). */
SCM_PRIVATE int scm_posix_wait(int fd, short events, const scm_deadline *d)
{
    struct pollfd p;
    for (;;) {
        unsigned long remaining = scm_deadline_remaining(d);
        int n;
        if (remaining == 0) return 0;
        p.fd = fd;
        p.events = events;
        p.revents = 0;
        n = poll(&p, 1, remaining > (unsigned long)INT_MAX ? INT_MAX : (int)remaining);
        if (n > 0) return 1;                      /* errors and hang-ups show in the next call */
        if (n < 0 && errno != EINTR) return -1;
    }
}

/* A non-blocking socket, close-on-exec, that never raises SIGPIPE; -1 on failure (errno). */
SCM_PRIVATE int scm_posix_socket(const struct addrinfo *ai)
{
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol), flags, saved;
#if defined(SO_NOSIGPIPE)
    int one = 1;
#endif
    if (fd < 0) return -1;
    flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
#if defined(SO_NOSIGPIPE)
    (void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    return fd;
}

/* Connects to one address before the deadline: 0 and *fd_out, SOCKET_TIMEOUT, or SOCKET_ERROR
   with *error_out = errno. */
SCM_PRIVATE int scm_posix_connect_address(const struct addrinfo *ai, const scm_deadline *d, int *fd_out,
                                          int *error_out)
{
    int fd = scm_posix_socket(ai), error = 0;
    socklen_t error_len = sizeof error;
    if (fd < 0) {
        *error_out = errno;
        return STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno == EINPROGRESS || errno == EINTR) {   /* under way: wait, then ask how it ended */
            int waited = scm_posix_wait(fd, POLLOUT, d);
            if (waited == 0) error = -1;
            else if (waited < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_len) != 0) error = errno;
        } else {
            error = errno;
        }
    }
    if (error == 0) {
        *fd_out = fd;
        return 0;
    }
    close(fd);
    if (error == -1) return STRIPE_CONNECT_MBEDTLS_SOCKET_TIMEOUT;
    *error_out = error;
    return STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR;
}

/* Tries each address of host in turn, all within timeout_ms. */
SCM_PRIVATE int scm_posix_connect(void *user, const char *host, const char *port, unsigned long timeout_ms,
                                  void **connection)
{
    stripe_connect_mbedtls *ctx = (stripe_connect_mbedtls *)user;
    struct addrinfo hints, *list = NULL, *ai;
    scm_deadline d;
    int found, result = STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR, fd = -1, error = ECONNREFUSED;
    scm_deadline_start(&d, timeout_ms);
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    found = getaddrinfo(host, port, &hints, &list);   /* blocking: the one step no timeout covers */
    if (found != 0) {
        scm_set_error(ctx, "cannot resolve the host: %s", gai_strerror(found));
        return STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR;
    }
    for (ai = list; ai != NULL; ai = ai->ai_next) {
        result = scm_posix_connect_address(ai, &d, &fd, &error);
        if (result != STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR) break;
    }
    freeaddrinfo(list);
    if (result == 0) {
        ctx->default_fd = fd;
        *connection = ctx;
    } else if (result == STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR) {
        scm_posix_error(ctx, error);
    }
    return result;
}

SCM_PRIVATE int scm_posix_send(void *connection, const unsigned char *data, size_t len, unsigned long timeout_ms)
{
    stripe_connect_mbedtls *ctx = (stripe_connect_mbedtls *)connection;
    scm_deadline d;
    int waited;
    scm_deadline_start(&d, timeout_ms);
    for (;;) {
        ssize_t n = send(ctx->default_fd, data, len, SCM_SEND_FLAGS);
        if (n > 0) return (int)n;
        if (n == 0) return scm_posix_error(ctx, EPIPE);
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return scm_posix_error(ctx, errno);
        waited = scm_posix_wait(ctx->default_fd, POLLOUT, &d);
        if (waited == 0) return STRIPE_CONNECT_MBEDTLS_SOCKET_TIMEOUT;
        if (waited < 0) return scm_posix_error(ctx, errno);
    }
}

SCM_PRIVATE int scm_posix_recv(void *connection, unsigned char *data, size_t len, unsigned long timeout_ms)
{
    stripe_connect_mbedtls *ctx = (stripe_connect_mbedtls *)connection;
    scm_deadline d;
    int waited;
    scm_deadline_start(&d, timeout_ms);
    for (;;) {
        ssize_t n = recv(ctx->default_fd, data, len, 0);
        if (n >= 0) return (int)n;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return scm_posix_error(ctx, errno);
        waited = scm_posix_wait(ctx->default_fd, POLLIN, &d);
        if (waited == 0) return STRIPE_CONNECT_MBEDTLS_SOCKET_TIMEOUT;
        if (waited < 0) return scm_posix_error(ctx, errno);
    }
}

SCM_PRIVATE void scm_posix_close(void *connection)
{
    stripe_connect_mbedtls *ctx = (stripe_connect_mbedtls *)connection;
    if (ctx->default_fd >= 0) close(ctx->default_fd);
    ctx->default_fd = -1;
}
#endif /* !STRIPE_CONNECT_MBEDTLS_NO_DEFAULT_SOCKET */

/* ---- Set-up -------------------------------------------------------------------------------------- */
STRIPE_CONNECT_MBEDTLS_API void stripe_connect_mbedtls_set_socket(stripe_connect_mbedtls *ctx,
        const stripe_connect_mbedtls_socket *s)
{
    if (ctx == NULL) return;
    memset(&ctx->socket, 0, sizeof ctx->socket);
    if (s != NULL) {
        ctx->socket = *s;
        return;
    }
#if !defined(STRIPE_CONNECT_MBEDTLS_NO_DEFAULT_SOCKET)
    ctx->socket.connect = scm_posix_connect;
    ctx->socket.send = scm_posix_send;
    ctx->socket.recv = scm_posix_recv;
    ctx->socket.close = scm_posix_close;
    ctx->socket.user = ctx;
#endif
}

SCM_PRIVATE stripe_connect_result scm_mbedtls_failed(stripe_connect_mbedtls *ctx, const char *doing, int code)
{
    char text[160];
    scm_mbedtls_text(code, text, sizeof text);
    ctx->error[0] = '\0';
    return scm_fail(ctx, STRIPE_CONNECT_ERR_TLS, "%s: %s", doing, text);
}

STRIPE_CONNECT_MBEDTLS_API stripe_connect_result stripe_connect_mbedtls_init(stripe_connect_mbedtls *ctx)
{
    static const unsigned char personalization[] = "stripe_connect_mbedtls";
    int ret;
    if (ctx == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    memset(ctx, 0, sizeof *ctx);
    ctx->default_fd = -1;
    mbedtls_entropy_init(&ctx->entropy);
    mbedtls_ctr_drbg_init(&ctx->drbg);
    mbedtls_x509_crt_init(&ctx->ca_chain);
    mbedtls_ssl_config_init(&ctx->config);
    mbedtls_ssl_init(&ctx->ssl);
    ctx->initialized = 1;
    stripe_connect_mbedtls_set_socket(ctx, NULL);
#if MBEDTLS_VERSION_NUMBER >= 0x03000000 && defined(MBEDTLS_PSA_CRYPTO_C)
    if (psa_crypto_init() != PSA_SUCCESS) {       /* mbedTLS 3 needs PSA for TLS 1.3 and more */
        scm_set_error(ctx, "psa_crypto_init failed");
        return STRIPE_CONNECT_ERR_TLS;
    }
#endif
    ret = mbedtls_ctr_drbg_seed(&ctx->drbg, mbedtls_entropy_func, &ctx->entropy, personalization,
                                sizeof personalization - 1);
    if (ret != 0) return scm_mbedtls_failed(ctx, "seeding the random generator", ret);
    ret = mbedtls_ssl_config_defaults(&ctx->config, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                      MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret != 0) return scm_mbedtls_failed(ctx, "configuring TLS", ret);
    mbedtls_ssl_conf_authmode(&ctx->config, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&ctx->config, &ctx->ca_chain, NULL);
    mbedtls_ssl_conf_rng(&ctx->config, mbedtls_ctr_drbg_random, &ctx->drbg);
    return STRIPE_CONNECT_OK;
}

SCM_PRIVATE stripe_connect_result scm_ca_arguments(stripe_connect_mbedtls *ctx, int valid)
{
    if (ctx == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    ctx->error[0] = '\0';
    if (!ctx->initialized) {
        scm_set_error(ctx, "the context is not initialised: call stripe_connect_mbedtls_init first");
        return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    }
    if (!valid) {
        scm_set_error(ctx, "no CA certificates given (NULL or empty)");
        return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    }
    return STRIPE_CONNECT_OK;
}

STRIPE_CONNECT_MBEDTLS_API stripe_connect_result stripe_connect_mbedtls_set_ca_file(stripe_connect_mbedtls *ctx,
        const char *path)
{
    stripe_connect_result r = scm_ca_arguments(ctx, path != NULL && path[0] != '\0');
    if (r != STRIPE_CONNECT_OK) return r;
#if defined(MBEDTLS_FS_IO)
    int ret = mbedtls_x509_crt_parse_file(&ctx->ca_chain, path);   /* >= 0: at least one certificate added */
    if (ret < 0) return scm_mbedtls_failed(ctx, "loading the CA file", ret);
    ctx->ca_loaded = 1;
    return STRIPE_CONNECT_OK;
#else
    scm_set_error(ctx, "mbedTLS was built without MBEDTLS_FS_IO: use stripe_connect_mbedtls_set_ca_pem");
    return STRIPE_CONNECT_ERR_TLS;
#endif
}

/* Where word starts in text[from..len), or len. */
SCM_PRIVATE size_t scm_find(const char *text, size_t len, size_t from, const char *word)
{
    size_t n = strlen(word);
    for (; from + n <= len; from++)
        if (memcmp(text + from, word, n) == 0) return from;
    return len;
}

/* PEM without a terminating NUL: each certificate block is copied, with one, into ctx->buffer,
   for mbedTLS's PEM parser reads up to a NUL. */
SCM_PRIVATE int scm_parse_pem_blocks(stripe_connect_mbedtls *ctx, const char *pem, size_t len, int *first_error)
{
    static const char begin[] = "-----BEGIN CERTIFICATE-----", end[] = "-----END CERTIFICATE-----";
    size_t at = 0;
    int added = 0;
    while ((at = scm_find(pem, len, at, begin)) < len) {
        size_t block_end = scm_find(pem, len, at, end), n;
        int ret;
        if (block_end == len) {
            if (*first_error == 0) *first_error = MBEDTLS_ERR_X509_CERT_UNKNOWN_FORMAT;   /* no END line */
            break;
        }
        block_end += sizeof end - 1;
        n = block_end - at;
        ret = MBEDTLS_ERR_X509_BUFFER_TOO_SMALL;
        if (n < sizeof ctx->buffer) {
            memcpy(ctx->buffer, pem + at, n);
            ctx->buffer[n] = '\0';
            ret = mbedtls_x509_crt_parse(&ctx->ca_chain, ctx->buffer, n + 1);
        }
        if (ret == 0) added++;
        else if (*first_error == 0) *first_error = ret;
        at = block_end;
    }
    memset(ctx->buffer, 0, sizeof ctx->buffer);
    return added;
}

STRIPE_CONNECT_MBEDTLS_API stripe_connect_result stripe_connect_mbedtls_set_ca_pem(stripe_connect_mbedtls *ctx,
        const char *pem, size_t len)
{
    stripe_connect_result r = scm_ca_arguments(ctx, pem != NULL && len > 0);
    int ret = 0, added;
    if (r != STRIPE_CONNECT_OK) return r;
    if (pem[len - 1] == '\0') {
        ret = mbedtls_x509_crt_parse(&ctx->ca_chain, (const unsigned char *)pem, len);
        added = ret >= 0;
    } else {
        added = scm_parse_pem_blocks(ctx, pem, len, &ret);
    }
    if (!added) {
        if (ret == 0) ret = MBEDTLS_ERR_X509_CERT_UNKNOWN_FORMAT;
        return scm_mbedtls_failed(ctx, "loading the CA certificates from memory", ret);
    }
    ctx->ca_loaded = 1;
    return STRIPE_CONNECT_OK;
}

STRIPE_CONNECT_MBEDTLS_API void stripe_connect_mbedtls_free(stripe_connect_mbedtls *ctx)
{
    if (ctx == NULL || !ctx->initialized) return;
    mbedtls_ssl_free(&ctx->ssl);
    mbedtls_ssl_config_free(&ctx->config);
    mbedtls_x509_crt_free(&ctx->ca_chain);
    mbedtls_ctr_drbg_free(&ctx->drbg);
    mbedtls_entropy_free(&ctx->entropy);
    stripe_connect_wipe(ctx->buffer, sizeof ctx->buffer);
    ctx->initialized = 0;
    ctx->ca_loaded = 0;
}

/* ---- The request: URL and head ------------------------------------------------------------------ */
typedef struct scm_url {
    char host[256];              /* for connect and SNI: without the brackets of an IPv6 literal */
    char port[6];
    const char *authority;       /* for the Host header: host[:port] as written in the URL */
    size_t authority_len;
    const char *target;          /* path and query; "" means "/" */
    size_t target_len;
} scm_url;

SCM_PRIVATE int scm_is_host_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || scm_is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

SCM_PRIVATE int scm_is_ipv6_char(int c) { return scm_hex_value(c) >= 0 || c == ':' || c == '.'; }

/* The host (a DNS name, IPv4 address or [IPv6 address]) and the optional :port of an authority. */
SCM_PRIVATE int scm_parse_authority(const char *a, size_t n, scm_url *url)
{
    size_t i = 0, host_from = 0, host_len, port_len;
    unsigned long port = 0;
    if (n > 0 && a[0] == '[') {
        for (i = 1; i < n && scm_is_ipv6_char((unsigned char)a[i]); i++) {}
        if (i == n || a[i] != ']' || i == 1) return 0;
        host_from = 1;
        host_len = i - 1;
        i++;
    } else {
        for (; i < n && scm_is_host_char((unsigned char)a[i]); i++) {}
        host_len = i;
    }
    if (host_len == 0 || host_len >= sizeof url->host) return 0;
    memcpy(url->host, a + host_from, host_len);
    url->host[host_len] = '\0';
    strcpy(url->port, "443");
    if (i == n) return 1;
    if (a[i++] != ':') return 0;
    port_len = n - i;
    if (port_len == 0 || port_len > 5) return 0;
    for (; i < n; i++) {
        if (!scm_is_digit((unsigned char)a[i])) return 0;
        port = port * 10 + (unsigned long)(a[i] - '0');
    }
    if (port == 0 || port > 65535) return 0;
    (void)snprintf(url->port, sizeof url->port, "%lu", port);   /* 1..65535 fits */
    return 1;
}

/* https://host[:port][/path][?query][#fragment]; the fragment is never sent. */
SCM_PRIVATE stripe_connect_result scm_parse_url(stripe_connect_mbedtls *ctx, const char *text, scm_url *url)
{
    size_t n = 0, i;
    memset(url, 0, sizeof *url);
    if (!scm_equal_nocase((const unsigned char *)text, strlen(text) < 8 ? strlen(text) : 8, "https://")) {
        scm_set_error(ctx, "only https:// URLs are supported");
        return STRIPE_CONNECT_ERR_TRANSPORT;
    }
    url->authority = text + 8;
    while (url->authority[n] != '\0' && strchr("/?#", url->authority[n]) == NULL) n++;
    url->authority_len = n;
    if (!scm_parse_authority(url->authority, n, url)) {
        scm_set_error(ctx, "the URL's host or port is malformed (user info, a bad port and IP zones are refused)");
        return STRIPE_CONNECT_ERR_TRANSPORT;
    }
    url->target = url->authority + n;
    for (i = 0; url->target[i] != '\0' && url->target[i] != '#'; i++) {
        unsigned char c = (unsigned char)url->target[i];
        if (c <= 0x20 || c >= 0x7f) {
            scm_set_error(ctx, "the URL holds a space, a control character or a non-ASCII byte");
            return STRIPE_CONNECT_ERR_TRANSPORT;
        }
    }
    url->target_len = i;
    return STRIPE_CONNECT_OK;
}

/* The request head, built in ctx->buffer; overflow is remembered rather than written. */
typedef struct scm_head_writer { unsigned char *buf; size_t cap, len; int overflow; } scm_head_writer;

SCM_PRIVATE void scm_put(scm_head_writer *w, const char *s, size_t n)
{
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = 1;
        return;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

SCM_PRIVATE void scm_put_str(scm_head_writer *w, const char *s) { scm_put(w, s, strlen(s)); }

SCM_PRIVATE int scm_is_token(const char *s)
{
    if (s == NULL || *s == '\0') return 0;
    for (; *s != '\0'; s++)
        if (!scm_is_token_char((unsigned char)*s)) return 0;
    return 1;
}

/* A header value may hold visible characters, spaces and tabs, never CR, LF or NUL. */
SCM_PRIVATE int scm_is_field_value(const char *s)
{
    if (s == NULL) return 0;
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t') || c == 0x7f) return 0;
    }
    return 1;
}

/* The adapter writes these itself; the request's own copies are dropped. */
SCM_PRIVATE int scm_is_framing_header(const char *name)
{
    size_t n = strlen(name);
    const unsigned char *s = (const unsigned char *)name;
    return scm_equal_nocase(s, n, "host") || scm_equal_nocase(s, n, "content-length") ||
           scm_equal_nocase(s, n, "connection") || scm_equal_nocase(s, n, "transfer-encoding");
}

SCM_PRIVATE stripe_connect_result scm_build_head(stripe_connect_mbedtls *ctx, const stripe_connect_http_request *req,
                                                 const scm_url *url, size_t *head_len)
{
    scm_head_writer w;
    size_t i;
    w.buf = ctx->buffer;
    w.cap = STRIPE_CONNECT_MBEDTLS_REQUEST_HEAD_MAX;
    w.len = 0;
    w.overflow = 0;
    scm_put_str(&w, req->method);
    scm_put(&w, " ", 1);
    if (url->target_len == 0 || url->target[0] != '/') scm_put(&w, "/", 1);
    scm_put(&w, url->target, url->target_len);
    scm_put_str(&w, " HTTP/1.1\r\nHost: ");
    scm_put(&w, url->authority, url->authority_len);
    scm_put(&w, "\r\n", 2);
    for (i = 0; i < req->header_count; i++) {
        const stripe_connect_header *h = &req->headers[i];
        if (!scm_is_token(h->name) || !scm_is_field_value(h->value)) {
            scm_set_error(ctx, "request header %lu has a bad name or a value with CR, LF or NUL", (unsigned long)i);
            return STRIPE_CONNECT_ERR_TRANSPORT;
        }
        if (scm_is_framing_header(h->name)) continue;
        scm_put_str(&w, h->name);
        scm_put(&w, ": ", 2);
        scm_put_str(&w, h->value);
        scm_put(&w, "\r\n", 2);
    }
    if (req->body_len > 0 || strcmp(req->method, "POST") == 0) {
        char length[24];   /* 20 digits at most */
        (void)snprintf(length, sizeof length, "%lu", (unsigned long)req->body_len);
        scm_put_str(&w, "Content-Length: ");
        scm_put_str(&w, length);
        scm_put(&w, "\r\n", 2);
    }
    scm_put_str(&w, "Connection: close\r\n\r\n");
    if (w.overflow) {
        scm_set_error(ctx, "the request head is longer than STRIPE_CONNECT_MBEDTLS_REQUEST_HEAD_MAX");
        return STRIPE_CONNECT_ERR_TRANSPORT;
    }
    *head_len = w.len;
    return STRIPE_CONNECT_OK;
}

/* ---- One exchange: connect, handshake, send, receive --------------------------------------------- */
typedef struct scm_exchange {
    stripe_connect_mbedtls *ctx;
    const scm_url *url;
    void *connection;                 /* the socket layer's handle; NULL when not connected */
    int connected;
    scm_deadline deadline;
    stripe_connect_result io_result;  /* the socket layer's first failure: ERR_TIMEOUT or ERR_TRANSPORT */
    int io_code;                      /* what the layer returned then */
    int peer_closed;
} scm_exchange;

/* Remembers the socket layer's failure and tells mbedTLS about it. */
SCM_PRIVATE int scm_bio_failed(scm_exchange *ex, int returned, int mbedtls_code)
{
    if (ex->io_result == STRIPE_CONNECT_OK) {
        ex->io_result = returned == STRIPE_CONNECT_MBEDTLS_SOCKET_TIMEOUT ? STRIPE_CONNECT_ERR_TIMEOUT
                                                                          : STRIPE_CONNECT_ERR_TRANSPORT;
        ex->io_code = returned;
    }
    return returned == STRIPE_CONNECT_MBEDTLS_SOCKET_TIMEOUT ? MBEDTLS_ERR_SSL_TIMEOUT : mbedtls_code;
}

SCM_PRIVATE int scm_bio_send(void *user, const unsigned char *data, size_t len)
{
    scm_exchange *ex = (scm_exchange *)user;
    unsigned long remaining = scm_deadline_remaining(&ex->deadline);
    int n;
    if (remaining == 0) return scm_bio_failed(ex, STRIPE_CONNECT_MBEDTLS_SOCKET_TIMEOUT, 0);
    if (len > (size_t)INT_MAX) len = (size_t)INT_MAX;
    n = ex->ctx->socket.send(ex->connection, data, len, remaining);
    if (n > 0 && (size_t)n <= len) return n;
    return scm_bio_failed(ex, n > 0 ? STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR : n, MBEDTLS_ERR_NET_SEND_FAILED);
}

SCM_PRIVATE int scm_bio_recv(void *user, unsigned char *data, size_t len, uint32_t mbedtls_timeout)
{
    scm_exchange *ex = (scm_exchange *)user;
    unsigned long remaining = scm_deadline_remaining(&ex->deadline);
    int n;
    (void)mbedtls_timeout;                        /* the request's deadline rules instead */
    if (remaining == 0) return scm_bio_failed(ex, STRIPE_CONNECT_MBEDTLS_SOCKET_TIMEOUT, 0);
    if (len > (size_t)INT_MAX) len = (size_t)INT_MAX;
    n = ex->ctx->socket.recv(ex->connection, data, len, remaining);
    if (n > 0 && (size_t)n <= len) return n;
    if (n == 0) {
        ex->peer_closed = 1;
        return 0;                                 /* mbedTLS turns it into MBEDTLS_ERR_SSL_CONN_EOF */
    }
    return scm_bio_failed(ex, n > 0 ? STRIPE_CONNECT_MBEDTLS_SOCKET_ERROR : n, MBEDTLS_ERR_NET_RECV_FAILED);
}

/* The result and message for a socket-layer failure while doing something. */
SCM_PRIVATE stripe_connect_result scm_io_failed(scm_exchange *ex, const char *doing)
{
    if (ex->io_result == STRIPE_CONNECT_ERR_TIMEOUT)
        return scm_fail(ex->ctx, STRIPE_CONNECT_ERR_TIMEOUT, "timed out after %lu ms %s %s:%s",
                        ex->deadline.timeout_ms, doing, ex->url->host, ex->url->port);
    if (ex->ctx->error[0] == '\0')
        scm_set_error(ex->ctx, "the socket layer returned %d", ex->io_code);
    return scm_fail(ex->ctx, STRIPE_CONNECT_ERR_TRANSPORT, "%s %s:%s", doing, ex->url->host, ex->url->port);
}

SCM_PRIVATE stripe_connect_result scm_connect(scm_exchange *ex)
{
    stripe_connect_mbedtls *ctx = ex->ctx;
    unsigned long remaining = scm_deadline_remaining(&ex->deadline);
    int n = STRIPE_CONNECT_MBEDTLS_SOCKET_TIMEOUT;
    if (remaining > 0) n = ctx->socket.connect(ctx->socket.user, ex->url->host, ex->url->port, remaining, &ex->connection);
    if (n == 0) {
        ex->connected = 1;
        ctx->error[0] = '\0';                     /* an earlier address may have failed */
        return STRIPE_CONNECT_OK;
    }
    scm_bio_failed(ex, n, 0);
    return scm_io_failed(ex, "connecting to");
}

/* mbedTLS's reasons for rejecting the certificate, on one line. */
SCM_PRIVATE stripe_connect_result scm_certificate_rejected(scm_exchange *ex)
{
    char info[200];
    size_t n;
    uint32_t flags = mbedtls_ssl_get_verify_result(&ex->ctx->ssl);
    info[0] = '\0';
    (void)mbedtls_x509_crt_verify_info(info, sizeof info, "", flags);   /* cut short when too many */
    info[sizeof info - 1] = '\0';
    n = strlen(info);
    while (n > 0 && info[n - 1] == '\n') info[--n] = '\0';
    for (; n > 0; n--)
        if (info[n - 1] == '\n') info[n - 1] = ';';
    ex->ctx->error[0] = '\0';
    return scm_fail(ex->ctx, STRIPE_CONNECT_ERR_TLS, "the certificate of %s:%s was rejected: %s",
                    ex->url->host, ex->url->port, info[0] != '\0' ? info : "verification failed");
}

SCM_PRIVATE stripe_connect_result scm_handshake_failed(scm_exchange *ex, int ret)
{
    char text[160];
    if (ex->io_result != STRIPE_CONNECT_OK) return scm_io_failed(ex, "in the TLS handshake with");
    if (ret == MBEDTLS_ERR_SSL_CONN_EOF || ex->peer_closed)
        return scm_fail(ex->ctx, STRIPE_CONNECT_ERR_TRANSPORT, "%s:%s closed the connection during the TLS handshake",
                        ex->url->host, ex->url->port);
    if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) return scm_certificate_rejected(ex);
    scm_mbedtls_text(ret, text, sizeof text);
    ex->ctx->error[0] = '\0';
    return scm_fail(ex->ctx, STRIPE_CONNECT_ERR_TLS, "TLS handshake with %s:%s failed: %s",
                    ex->url->host, ex->url->port, text);
}

SCM_PRIVATE int scm_want_more(int ret)
{
#if defined(MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
    if (ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) return 1;   /* TLS 1.3, mbedTLS 3 */
#endif
    return ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE;
}

SCM_PRIVATE stripe_connect_result scm_handshake(scm_exchange *ex)
{
    stripe_connect_mbedtls *ctx = ex->ctx;
    int ret = mbedtls_ssl_setup(&ctx->ssl, &ctx->config);
    if (ret == 0) ret = mbedtls_ssl_set_hostname(&ctx->ssl, ex->url->host);
    if (ret != 0) return scm_mbedtls_failed(ctx, "setting up TLS", ret);
    mbedtls_ssl_set_bio(&ctx->ssl, ex, scm_bio_send, NULL, scm_bio_recv);
    while ((ret = mbedtls_ssl_handshake(&ctx->ssl)) != 0) {
        if (!scm_want_more(ret)) return scm_handshake_failed(ex, ret);
        if (scm_deadline_remaining(&ex->deadline) == 0) {
            scm_bio_failed(ex, STRIPE_CONNECT_MBEDTLS_SOCKET_TIMEOUT, 0);
            return scm_io_failed(ex, "in the TLS handshake with");
        }
    }
    return STRIPE_CONNECT_OK;
}

/* A TLS failure after the handshake is an I/O failure: ERR_TRANSPORT. */
SCM_PRIVATE stripe_connect_result scm_tls_io_failed(scm_exchange *ex, int ret, const char *doing)
{
    if (ex->io_result != STRIPE_CONNECT_OK) return scm_io_failed(ex, doing);
    if (ret == 0 || ret == MBEDTLS_ERR_SSL_CONN_EOF || ex->peer_closed) {
        scm_set_error(ex->ctx, "the server closed the connection without TLS close_notify");
    } else {
        char text[160];
        scm_mbedtls_text(ret, text, sizeof text);
        scm_set_error(ex->ctx, "%s", text);
    }
    return scm_fail(ex->ctx, STRIPE_CONNECT_ERR_TRANSPORT, "%s %s:%s", doing, ex->url->host, ex->url->port);
}

SCM_PRIVATE stripe_connect_result scm_write_all(scm_exchange *ex, const unsigned char *data, size_t len)
{
    while (len > 0) {
        int ret = mbedtls_ssl_write(&ex->ctx->ssl, data, len);
        if (ret > 0) {
            data += ret;
            len -= (size_t)ret;
        } else if (!scm_want_more(ret)) {
            return scm_tls_io_failed(ex, ret, "sending the request to");
        } else if (scm_deadline_remaining(&ex->deadline) == 0) {
            scm_bio_failed(ex, STRIPE_CONNECT_MBEDTLS_SOCKET_TIMEOUT, 0);
            return scm_io_failed(ex, "sending the request to");
        }
    }
    return STRIPE_CONNECT_OK;
}

/* The head, and the body with it in one write when both fit the buffer. */
SCM_PRIVATE stripe_connect_result scm_send_request(scm_exchange *ex, const stripe_connect_http_request *req,
                                                   size_t head_len)
{
    stripe_connect_mbedtls *ctx = ex->ctx;
    stripe_connect_result r;
    if (req->body_len <= sizeof ctx->buffer - head_len) {
        if (req->body_len > 0) memcpy(ctx->buffer + head_len, req->body, req->body_len);
        return scm_write_all(ex, ctx->buffer, head_len + req->body_len);
    }
    r = scm_write_all(ex, ctx->buffer, head_len);
    if (r == STRIPE_CONNECT_OK) r = scm_write_all(ex, (const unsigned char *)req->body, req->body_len);
    return r;
}

/* The reader's read_fn over TLS. A close without close_notify is an error, not an end, so that a
   body framed by the close cannot be cut by anyone who can send a TCP FIN. */
SCM_PRIVATE int scm_tls_read(void *user, unsigned char *data, size_t len)
{
    scm_exchange *ex = (scm_exchange *)user;
    int ret;
    for (;;) {
        ret = mbedtls_ssl_read(&ex->ctx->ssl, data, len);
        if (ret > 0) return ret;
        if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) return 0;
        if (!scm_want_more(ret)) break;
        if (scm_deadline_remaining(&ex->deadline) == 0) {
            scm_bio_failed(ex, STRIPE_CONNECT_MBEDTLS_SOCKET_TIMEOUT, 0);
            break;
        }
    }
    return (int)scm_tls_io_failed(ex, ret, "reading the response from");   /* says why in ctx->error */
}

SCM_PRIVATE stripe_connect_result scm_receive_response(scm_exchange *ex, stripe_connect_http_response *res)
{
    stripe_connect_mbedtls *ctx = ex->ctx;
    const char *why = "";
    stripe_connect_result r;
    memset(ctx->buffer, 0, sizeof ctx->buffer);   /* the request head held the key */
    r = stripe_connect_mbedtls_read_response(scm_tls_read, ex, ctx->buffer, STRIPE_CONNECT_MBEDTLS_LINE_MAX, res, &why);
    if (r == STRIPE_CONNECT_OK || ctx->error[0] != '\0') return r;   /* on a read failure scm_tls_read said why */
    if (r == STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE)
        return scm_fail(ctx, r, "%s (%lu bytes)", why, (unsigned long)res->body_cap);
    return scm_fail(ctx, r, "bad response from %s:%s: %s", ex->url->host, ex->url->port, why);
}

SCM_PRIVATE void scm_exchange_end(scm_exchange *ex)
{
    stripe_connect_mbedtls *ctx = ex->ctx;
    mbedtls_ssl_free(&ctx->ssl);                  /* and its record buffers */
    mbedtls_ssl_init(&ctx->ssl);
    if (ex->connected) ctx->socket.close(ex->connection);
    ex->connected = 0;
}

SCM_PRIVATE stripe_connect_result scm_check_request(stripe_connect_mbedtls *ctx, const stripe_connect_http_request *req,
                                                    const stripe_connect_http_response *res)
{
    const stripe_connect_mbedtls_socket *s = &ctx->socket;
    if (!ctx->initialized) {
        scm_set_error(ctx, "the context is not initialised: call stripe_connect_mbedtls_init first");
        return STRIPE_CONNECT_ERR_TRANSPORT;
    }
    if (!ctx->ca_loaded) {
        scm_set_error(ctx, "no CA certificates loaded: call stripe_connect_mbedtls_set_ca_file or _set_ca_pem first");
        return STRIPE_CONNECT_ERR_TLS;
    }
    if (s->connect == NULL || s->send == NULL || s->recv == NULL || s->close == NULL) {
        scm_set_error(ctx, "no complete socket layer: give stripe_connect_mbedtls_set_socket all four callbacks");
        return STRIPE_CONNECT_ERR_TRANSPORT;
    }
    if (req == NULL || req->url == NULL || !scm_is_token(req->method) || (req->body == NULL && req->body_len > 0) ||
        (req->headers == NULL && req->header_count > 0) || (res->body == NULL && res->body_cap > 0)) {
        scm_set_error(ctx, "an incomplete request or response given to the transport");
        return STRIPE_CONNECT_ERR_TRANSPORT;
    }
    return STRIPE_CONNECT_OK;
}

SCM_PRIVATE stripe_connect_result scm_perform(void *user, const stripe_connect_http_request *req,
                                              stripe_connect_http_response *res)
{
    stripe_connect_mbedtls *ctx = (stripe_connect_mbedtls *)user;
    scm_exchange ex;
    scm_url url;
    size_t head_len = 0;
    stripe_connect_result r;
    if (ctx == NULL || res == NULL) return STRIPE_CONNECT_ERR_TRANSPORT;
    ctx->error[0] = '\0';
    res->status = 0;
    res->body_len = 0;
    res->request_id[0] = '\0';
    res->should_retry = -1;
    r = scm_check_request(ctx, req, res);
    if (r == STRIPE_CONNECT_OK) r = scm_parse_url(ctx, req->url, &url);
    if (r == STRIPE_CONNECT_OK) r = scm_build_head(ctx, req, &url, &head_len);
    if (r == STRIPE_CONNECT_OK) {
        memset(&ex, 0, sizeof ex);
        ex.ctx = ctx;
        ex.url = &url;
        scm_deadline_start(&ex.deadline, req->timeout_ms != 0 ? req->timeout_ms : STRIPE_CONNECT_DEFAULT_TIMEOUT_MS);
        r = scm_connect(&ex);
        if (r == STRIPE_CONNECT_OK) r = scm_handshake(&ex);
        if (r == STRIPE_CONNECT_OK) r = scm_send_request(&ex, req, head_len);
        if (r == STRIPE_CONNECT_OK) r = scm_receive_response(&ex, res);
        scm_exchange_end(&ex);
    }
    stripe_connect_wipe(ctx->buffer, sizeof ctx->buffer);   /* the head held the key */
    if (r != STRIPE_CONNECT_OK) {
        if (res->body_len > 0) stripe_connect_wipe(res->body, res->body_len);
        res->body_len = 0;
        res->status = 0;
    }
    return r;
}

STRIPE_CONNECT_MBEDTLS_API stripe_connect_transport stripe_connect_mbedtls_transport(stripe_connect_mbedtls *ctx)
{
    stripe_connect_transport t;
    t.perform = scm_perform;
    t.user = ctx;
    return t;
}

#endif /* STRIPE_CONNECT_MBEDTLS_IMPLEMENTATION_INCLUDED */
#endif /* STRIPE_CONNECT_MBEDTLS_IMPLEMENTATION */

/*
REVISION HISTORY
   0.1.0 (2026-11-30)  First release: the transport, the response reader, the POSIX socket layer.

   Choices worth their reasons:
   - The default socket layer is plain POSIX rather than mbedtls_net_*: see SOCKET LAYER CONTRACT.
   - stripe_connect_mbedtls_read_response is public: tests and fuzzers drive it with scripted
     bytes, and a custom transport over another stream can reuse it.
   - A body framed by the connection's close needs TLS close_notify (RFC 2818, 2.2.1: a close
     without it is "premature"); bodies with Content-Length or chunked coding do not.

LICENCE
   This software is available under two licences; choose whichever you prefer: MIT, or public
   domain (the Unlicense). The full texts are at the end of stripe_connect.h and in LICENSE.
   Copyright (c) 2026 the stripe_connect.h authors.
*/
