/* stripe_connect_curl.h - v0.1.0 - a libcurl transport for stripe_connect.h.

   Sends the requests of stripe_connect.h over HTTPS with libcurl 7.80 or newer (Debian 12 has
   7.88). One CURL easy handle serves every request, so the TLS connection to Stripe stays open
   between calls, and a request allocates nothing of the adapter's own. Needs C99.

USAGE
   In exactly one C or C++ file (it may be the one with STRIPE_CONNECT_IMPLEMENTATION):

       #define STRIPE_CONNECT_CURL_IMPLEMENTATION
       #include "stripe_connect_curl.h"

   Everywhere else, include it without the define. It includes "stripe_connect.h" and
   <curl/curl.h>: build with both on the include path (-I. -Iadapters in this repository) and
   link with -lcurl (pkg-config --libs libcurl).

       curl_global_init(CURL_GLOBAL_DEFAULT);    // your job, once, before any thread starts
       stripe_connect_curl http;
       if (stripe_connect_curl_init(&http, NULL) != STRIPE_CONNECT_OK)   // NULL: own a new handle
           fail(http.error);
       http.ca_file = "/etc/stripe/ca.pem";      // optional; see CERTIFICATES
       client.transport = stripe_connect_curl_transport(&http);
       res = stripe_connect_exchange_code(&client, code, &token, &err);
       if (res == STRIPE_CONNECT_ERR_TLS || res == STRIPE_CONNECT_ERR_TRANSPORT ||
           res == STRIPE_CONNECT_ERR_TIMEOUT)
           log_line(http.error);                 // libcurl's own words: never a header or body
       ...
       stripe_connect_curl_cleanup(&http);
       curl_global_cleanup();                    // your job too, once, at the end

   curl_global_init is the application's job, not this file's: it is not thread-safe in every
   libcurl build, and it belongs to the program as a whole (other code may use libcurl too).
   If you skip it, curl_easy_init calls it for you, unsafely when threads are running.

WHAT IT GUARANTEES, ON EVERY REQUEST
   - Certificate chain and host name verified (CURLOPT_SSL_VERIFYPEER 1, CURLOPT_SSL_VERIFYHOST
     2, the same for a proxy), TLS 1.2 or newer. There is no switch to turn this off.
   - https only: a URL that does not start with https:// is refused before anything is sent
     (ERR_TRANSPORT), and libcurl is told to speak nothing but HTTPS. Redirects are not followed:
     a 3xx is handed to the library like any other status.
   - Exactly the request's headers: libcurl's own Expect (100-continue), Accept and
     Content-Type are suppressed, and no User-Agent or Accept-Encoding of libcurl's is added
     (Host and Content-Length are HTTP's).
     A header with a line break in its name or value is refused (ERR_TRANSPORT).
   - POST sends the body with its Content-Length; GET and DELETE send none.
   - A POST is sent once. libcurl resends a request by itself when a kept-alive connection dies
     before any answer; for the code exchange that would spend the code twice, which revokes the
     connection. So a pre-request callback (CURLOPT_PREREQFUNCTION, which libcurl calls before
     each time it sends a request) lets the first sending of a POST through and refuses any
     other: such a resend fails (ERR_TRANSPORT, curl_code CURLE_ABORTED_BY_CALLBACK) instead of
     happening. The body itself goes with the headers, in one write (CURLOPT_POSTFIELDS). A GET
     or DELETE (no body) may still be resent; both are idempotent.
   - Timeouts: req->timeout_ms bounds the connect and the whole request (0: 80000 ms).
   - The response body goes into res->body, never past res->body_cap: a body that does not fit
     stops the transfer and is ERR_RESPONSE_TOO_LARGE, never a truncated success. On any
     failure res->body_len is 0 and the bytes received are wiped.
   - Request-Id and Stripe-Should-Retry are read from the final response's headers, whatever
     their case (should_retry: -1 absent or not true/false, 0 false, 1 true).
   - Every libcurl failure is mapped: CURLE_OPERATION_TIMEDOUT is ERR_TIMEOUT; handshake and
     certificate failures (CURLE_SSL_*, CURLE_PEER_FAILED_VERIFICATION, ...) are ERR_TLS;
     anything else is ERR_TRANSPORT. ctx->error keeps libcurl's message (CURLOPT_ERRORBUFFER)
     or the adapter's own, and ctx->curl_code libcurl's code; both are reset by every request.
   - Nothing is logged, CURLOPT_VERBOSE is never on, and no header value reaches ctx->error.
     The header lines built for libcurl (in the context: nothing is allocated for them) are
     wiped after every request, for they hold the key. A request has at most
     STRIPE_CONNECT_MAX_HEADERS headers, all of them "Name: value" lines in at most
     STRIPE_CONNECT_CURL_HEADER_BYTES bytes (4096 unless defined before the include);
     more is refused (ERR_TRANSPORT).
   - After each request the handle holds no pointer into the request, the response or the
     context: the header list, the callbacks and the error buffer are unset again.

CERTIFICATES
   ca_pem (with ca_pem_len; 0 means strlen) set: that PEM bundle, held in memory, is the only
   trust (CURLOPT_CAINFO_BLOB, copied by libcurl; needs libcurl 7.77 and a TLS backend that
   takes it, such as OpenSSL). ca_file set: that PEM file is the only trust (CURLOPT_CAINFO).
   Neither: libcurl's default system bundle and directory. Both: refused (ERR_TLS).
   Set them after stripe_connect_curl_init; they are read at every request, and ca_file and
   ca_pem must stay valid while requests run.

A BORROWED HANDLE
   stripe_connect_curl_init(&http, easy) uses your handle and leaves it to you (cleanup does not
   free it). Your options stay, such as a proxy or a source address, except the ones every
   request sets (above). Do not weaken TLS through the others (CURLOPT_SSL_CTX_FUNCTION and
   the like): the guarantees above cannot see them. Do not use the handle elsewhere while a
   request runs.

THREAD SAFETY
   A context, and its easy handle, may be used by one thread at a time; separate contexts share
   nothing. curl_global_init must have run before the threads start (see USAGE). libcurl is
   told not to use signals (CURLOPT_NOSIGNAL), as threaded programs need.

LIMITATIONS
   Tested with libcurl's OpenSSL build (Debian's libcurl4-openssl-dev). With GnuTLS everything
   works but a CA from memory (refused: ERR_TLS). With the NSS backend (gone since libcurl 8.3)
   a CA once loaded stays trusted by the whole process, so "the only trust" does not hold.
   The easy interface blocks the calling thread for up to timeout_ms. libcurl may keep copies
   of the request (with the secret key) in memory it frees without wiping; so do TLS libraries.
   A Request-Id longer than 63 bytes is cut.
*/
#ifndef STRIPE_CONNECT_CURL_H
#define STRIPE_CONNECT_CURL_H

#include <stddef.h>
#include <curl/curl.h>
#include "stripe_connect.h"

#ifndef STRIPE_CONNECT_CURL_API
#define STRIPE_CONNECT_CURL_API STRIPE_CONNECT_API
#endif
/* Room for a request's header lines, "Name: value" each with its NUL. */
#ifndef STRIPE_CONNECT_CURL_HEADER_BYTES
#define STRIPE_CONNECT_CURL_HEADER_BYTES 4096
#endif

#if LIBCURL_VERSION_NUM < 0x075000
#error "stripe_connect_curl.h needs libcurl 7.80 or newer (CURLOPT_PREREQFUNCTION keeps a POST from being sent twice)"
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct stripe_connect_curl {
    CURL *easy;                /* the handle every request goes through, so connections are reused */
    int owns_easy;             /* 1: made by stripe_connect_curl_init, freed by stripe_connect_curl_cleanup */
    const char *ca_file;       /* PEM bundle file to trust instead of the system's, or NULL */
    const char *ca_pem;        /* PEM bundle in memory to trust instead of the system's, or NULL */
    size_t ca_pem_len;         /* its length; 0: ca_pem is NUL-terminated */
    char error[256];           /* why the last request failed (libcurl's message or the adapter's); "" after success */
    CURLcode curl_code;        /* libcurl's code for the last request; CURLE_OK when it succeeded
                                  or the adapter refused the request itself (an addition) */
    /* private */
    char libcurl_message[CURL_ERROR_SIZE];   /* CURLOPT_ERRORBUFFER */
    /* The request's header list: its nodes and its lines live here, so that a request makes
       no allocation of the adapter's own (libcurl only reads the list). Wiped after use. */
    struct curl_slist header_nodes[STRIPE_CONNECT_MAX_HEADERS + 3];   /* + Expect, Accept, Content-Type */
    char header_lines[STRIPE_CONNECT_CURL_HEADER_BYTES];
    size_t header_lines_used;
} stripe_connect_curl;

/* Zeroes *ctx and takes easy, or creates a handle when easy is NULL (ctx->owns_easy = 1).
   Results: OK; ERR_INVALID_ARGUMENT (ctx NULL); ERR_TRANSPORT (curl_easy_init failed:
   out of memory, or libcurl could not initialise; ctx->error says so). */
STRIPE_CONNECT_CURL_API stripe_connect_result stripe_connect_curl_init(stripe_connect_curl *ctx, CURL *easy);

/* { stripe_connect_curl_perform, ctx }, for stripe_connect_client.transport. ctx must stay
   valid, and unmoved, while the client uses it. */
STRIPE_CONNECT_CURL_API stripe_connect_transport stripe_connect_curl_transport(stripe_connect_curl *ctx);

/* The transport's perform callback (user is the stripe_connect_curl *). Results: OK (a response
   arrived, any status); ERR_TRANSPORT; ERR_TIMEOUT; ERR_TLS; ERR_RESPONSE_TOO_LARGE; on each
   failure ctx->error says why. */
STRIPE_CONNECT_CURL_API stripe_connect_result stripe_connect_curl_perform(void *user,
        const stripe_connect_http_request *req, stripe_connect_http_response *res);

/* Frees the handle when the context owns it (a borrowed one is left to you) and zeroes *ctx.
   NULL is fine. */
STRIPE_CONNECT_CURL_API void stripe_connect_curl_cleanup(stripe_connect_curl *ctx);

#ifdef __cplusplus
}
#endif
#endif /* STRIPE_CONNECT_CURL_H */

/* ================================================================================================
   IMPLEMENTATION
   ================================================================================================ */
#ifdef STRIPE_CONNECT_CURL_IMPLEMENTATION
#ifndef STRIPE_CONNECT_CURL_IMPLEMENTATION_INCLUDED
#define STRIPE_CONNECT_CURL_IMPLEMENTATION_INCLUDED

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Private names start with scn_curl_ (no double underscores: they are reserved in C++). */
#if defined(__GNUC__) || defined(__clang__)
#  define SCN_CURL_PRIVATE static __attribute__((unused))
#else
#  define SCN_CURL_PRIVATE static
#endif

/* One request's state, as the callbacks see it. */
typedef struct scn_curl_exchange {
    int is_post;
    int sendings;                /* how many times libcurl went to send the request */
    stripe_connect_http_response *res;
    int too_large;               /* the write callback refused the body: it did not fit */
} scn_curl_exchange;

/* ---- Small helpers ------------------------------------------------------------------------ */
SCN_CURL_PRIVATE char scn_curl_lower(char ch)
{
    if (ch >= 'A' && ch <= 'Z') return (char)(ch - 'A' + 'a');
    return ch;
}

/* 1 when the n bytes at a equal the NUL-terminated b, ignoring ASCII case (not the locale's). */
SCN_CURL_PRIVATE int scn_curl_equal_nocase(const char *a, size_t n, const char *b)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (b[i] == '\0' || scn_curl_lower(a[i]) != scn_curl_lower(b[i])) return 0;
    return b[n] == '\0';
}

SCN_CURL_PRIVATE int scn_curl_starts_nocase(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strlen(s) >= n && scn_curl_equal_nocase(s, n, prefix);
}

SCN_CURL_PRIVATE void scn_curl_set_error(stripe_connect_curl *ctx, const char *message)
{
    (void)snprintf(ctx->error, sizeof ctx->error, "%s", message);   /* cut to fit: it is a message */
}

/* ---- Checking the request ----------------------------------------------------------------- */
/* A header name is an HTTP token; a value has no control character but tab. Line breaks
   would let one header smuggle in another, and libcurl sends a line as it is given. */
SCN_CURL_PRIVATE int scn_curl_header_is_sane(const stripe_connect_header *h)
{
    const char *p;
    if (h->name == NULL || h->value == NULL || h->name[0] == '\0') return 0;
    for (p = h->name; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == ':' || *p == 0x7f) return 0;
    for (p = h->value; *p; p++)
        if (((unsigned char)*p < ' ' && *p != '\t') || *p == 0x7f) return 0;
    return 1;
}

SCN_CURL_PRIVATE stripe_connect_result scn_curl_check_request(stripe_connect_curl *ctx,
        const stripe_connect_http_request *req, const stripe_connect_http_response *res)
{
    int is_post;
    size_t i;
    if (req->url == NULL || !scn_curl_starts_nocase(req->url, "https://")) {
        scn_curl_set_error(ctx, "refused: the URL is not https:// (only HTTPS is ever used)");
        return STRIPE_CONNECT_ERR_TRANSPORT;
    }
    if (req->method == NULL || !(strcmp(req->method, "GET") == 0 || strcmp(req->method, "POST") == 0 ||
                                 strcmp(req->method, "DELETE") == 0)) {
        scn_curl_set_error(ctx, "refused: the method is not GET, POST or DELETE");
        return STRIPE_CONNECT_ERR_TRANSPORT;
    }
    is_post = strcmp(req->method, "POST") == 0;
    if ((req->body == NULL && req->body_len > 0) || (!is_post && req->body_len > 0)) {
        scn_curl_set_error(ctx, "refused: a body without its bytes, or a body on a GET or DELETE");
        return STRIPE_CONNECT_ERR_TRANSPORT;
    }
    if ((req->headers == NULL && req->header_count > 0) || (res->body == NULL && res->body_cap > 0)) {
        scn_curl_set_error(ctx, "refused: a header list or response buffer is NULL with a size");
        return STRIPE_CONNECT_ERR_TRANSPORT;
    }
    for (i = 0; i < req->header_count; i++) {
        if (!scn_curl_header_is_sane(&req->headers[i])) {
            (void)snprintf(ctx->error, sizeof ctx->error,
                           "refused: request header %lu has an empty name or a control character", (unsigned long)i);
            return STRIPE_CONNECT_ERR_TRANSPORT;
        }
    }
    return STRIPE_CONNECT_OK;
}

/* ---- The header list ------------------------------------------------------------------------ */
/* Appends one line to the context's list: "name: value", "name;" for an empty value (libcurl's
   way to send one), or "name:" when value is NULL (libcurl's way to send none of its own).
   0 when the nodes or the bytes for lines ran out. */
SCN_CURL_PRIVATE int scn_curl_add_line(stripe_connect_curl *ctx, size_t *count, const char *name, const char *value)
{
    size_t name_len = strlen(name), value_len = value != NULL ? strlen(value) : 0;
    size_t size = name_len + (value_len > 0 ? 2 + value_len : 1) + 1, at = ctx->header_lines_used;
    char *line = ctx->header_lines + at;
    struct curl_slist *node = &ctx->header_nodes[*count];
    if (*count == sizeof ctx->header_nodes / sizeof ctx->header_nodes[0] ||
        size > sizeof ctx->header_lines - at)
        return 0;
    memcpy(line, name, name_len + 1);                       /* each step NUL-terminated */
    if (value == NULL) {
        memcpy(line + name_len, ":", 2);
    } else if (value_len == 0) {
        memcpy(line + name_len, ";", 2);
    } else {
        memcpy(line + name_len, ": ", 3);
        memcpy(line + name_len + 2, value, value_len + 1);
    }
    ctx->header_lines_used = at + size;
    node->data = line;
    node->next = NULL;
    if (*count > 0) ctx->header_nodes[*count - 1].next = node;
    (*count)++;
    return 1;
}

SCN_CURL_PRIVATE int scn_curl_has_header(const stripe_connect_http_request *req, const char *name)
{
    size_t i;
    for (i = 0; i < req->header_count; i++)
        if (scn_curl_equal_nocase(req->headers[i].name, strlen(req->headers[i].name), name)) return 1;
    return 0;
}

/* The request's headers, then "Name:" lines that stop libcurl from adding its own; *list is
   the first node (NULL for none). */
SCN_CURL_PRIVATE stripe_connect_result scn_curl_build_headers(stripe_connect_curl *ctx,
        const stripe_connect_http_request *req, struct curl_slist **list)
{
    static const char *const libcurls_own[] = { "Expect", "Accept", "Content-Type" };
    size_t i, count = 0;
    ctx->header_lines_used = 0;
    if (req->header_count > STRIPE_CONNECT_MAX_HEADERS) goto too_many;
    for (i = 0; i < req->header_count; i++)
        if (!scn_curl_add_line(ctx, &count, req->headers[i].name, req->headers[i].value)) goto too_many;
    for (i = 0; i < sizeof libcurls_own / sizeof libcurls_own[0]; i++)
        if (!scn_curl_has_header(req, libcurls_own[i]) && !scn_curl_add_line(ctx, &count, libcurls_own[i], NULL))
            goto too_many;
    *list = count > 0 ? &ctx->header_nodes[0] : NULL;
    return STRIPE_CONNECT_OK;
too_many:
    (void)snprintf(ctx->error, sizeof ctx->error, "refused: more than %d request headers, or more than %d bytes of them",
                   STRIPE_CONNECT_MAX_HEADERS, STRIPE_CONNECT_CURL_HEADER_BYTES);
    return STRIPE_CONNECT_ERR_TRANSPORT;
}

/* The lines hold the secret key. */
SCN_CURL_PRIVATE void scn_curl_wipe_headers(stripe_connect_curl *ctx)
{
    stripe_connect_wipe(ctx->header_lines, ctx->header_lines_used);
    ctx->header_lines_used = 0;
    memset(ctx->header_nodes, 0, sizeof ctx->header_nodes);
}

/* ---- Callbacks ------------------------------------------------------------------------------ */
/* libcurl calls this each time it is about to send the request: once, unless a kept-alive
   connection died before any answer and it wants to send the request again on a new one. For a
   POST that second time is refused (see the guarantees). */
SCN_CURL_PRIVATE int scn_curl_before_sending(void *user, char *server_ip, char *local_ip, int server_port, int local_port)
{
    scn_curl_exchange *x = (scn_curl_exchange *)user;
    (void)server_ip; (void)local_ip; (void)server_port; (void)local_port;
    x->sendings++;
    return x->is_post && x->sendings > 1 ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}

/* Appends to res->body; a chunk that does not fit stops the transfer (a return other than
   its size makes libcurl fail with CURLE_WRITE_ERROR). */
SCN_CURL_PRIVATE size_t scn_curl_write_body(char *data, size_t size, size_t count, void *user)
{
    scn_curl_exchange *x = (scn_curl_exchange *)user;
    stripe_connect_http_response *res = x->res;
    size_t n = size * count;
    if (n > res->body_cap - res->body_len) {
        x->too_large = 1;
        return 0;
    }
    if (n > 0) memcpy(res->body + res->body_len, data, n);
    res->body_len += n;
    return n;
}

/* The value of a header line "Name: value\r\n" when its name is `name` (any case), trimmed;
   NULL otherwise. */
SCN_CURL_PRIVATE const char *scn_curl_header_value(const char *line, size_t n, const char *name, size_t *value_len)
{
    size_t name_len = strlen(name), start, end;
    if (n <= name_len || line[name_len] != ':' || !scn_curl_equal_nocase(line, name_len, name)) return NULL;
    start = name_len + 1;
    end = n;
    while (start < end && (line[start] == ' ' || line[start] == '\t')) start++;
    while (end > start && (line[end - 1] == '\r' || line[end - 1] == '\n' ||
                           line[end - 1] == ' ' || line[end - 1] == '\t'))
        end--;
    *value_len = end - start;
    return line + start;
}

/* Called with each header line, the status lines included. A status line starts a new
   response (after a 1xx, or a proxy's CONNECT answer), so what was read before is dropped. */
SCN_CURL_PRIVATE size_t scn_curl_read_header(char *line, size_t size, size_t count, void *user)
{
    stripe_connect_http_response *res = ((scn_curl_exchange *)user)->res;
    size_t n = size * count, value_len = 0;
    const char *value;
    if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        res->request_id[0] = '\0';
        res->should_retry = -1;
    } else if ((value = scn_curl_header_value(line, n, "Request-Id", &value_len)) != NULL) {
        if (value_len > sizeof res->request_id - 1) value_len = sizeof res->request_id - 1;
        memcpy(res->request_id, value, value_len);
        res->request_id[value_len] = '\0';
    } else if ((value = scn_curl_header_value(line, n, "Stripe-Should-Retry", &value_len)) != NULL) {
        if (scn_curl_equal_nocase(value, value_len, "true")) res->should_retry = 1;
        else if (scn_curl_equal_nocase(value, value_len, "false")) res->should_retry = 0;
        else res->should_retry = -1;
    }
    return n;
}

/* ---- Options -------------------------------------------------------------------------------- */
/* Verification on, HTTPS only, no redirects, no logging: set at every request, so a borrowed
   handle cannot carry a weaker setting in. Returns the first option libcurl refused. */
SCN_CURL_PRIVATE CURLcode scn_curl_set_security(CURL *easy)
{
    CURLcode rc = curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_PROXY_SSL_VERIFYPEER, 1L);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_PROXY_SSL_VERIFYHOST, 2L);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
#if LIBCURL_VERSION_NUM >= 0x075500   /* 7.85.0: the string form; the bitmask is deprecated */
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "https");
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_VERBOSE, 0L);
    return rc;
}

/* libcurl's built-in bundle and directory, which CURLOPT_CAINFO/CAPATH NULL would not restore. */
SCN_CURL_PRIVATE CURLcode scn_curl_set_default_ca(CURL *easy)
{
    CURLcode rc = CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x074600   /* 7.70.0: curl_version_info reports them */
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    if (info->age >= CURLVERSION_NINTH) {
        rc = curl_easy_setopt(easy, CURLOPT_CAINFO, info->cainfo);
        if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_CAPATH, info->capath);
    }
#else
    (void)easy;   /* older: the defaults stay as long as ca_file and ca_pem are never set */
#endif
    return rc;
}

SCN_CURL_PRIVATE CURLcode scn_curl_set_ca(stripe_connect_curl *ctx)
{
    CURLcode rc = CURLE_OK;
    if (ctx->ca_pem != NULL) {
#if LIBCURL_VERSION_NUM >= 0x074d00   /* 7.77.0 */
        struct curl_blob blob;
        /* libcurl only reads it (CURL_BLOB_COPY copies it); memcpy drops the const without a
           cast that -Wcast-qual would flag. */
        memcpy(&blob.data, &ctx->ca_pem, sizeof blob.data);
        blob.len = ctx->ca_pem_len > 0 ? ctx->ca_pem_len : strlen(ctx->ca_pem);
        blob.flags = CURL_BLOB_COPY;
        rc = curl_easy_setopt(ctx->easy, CURLOPT_CAINFO_BLOB, &blob);
#else
        rc = CURLE_NOT_BUILT_IN;
#endif
        if (rc == CURLE_OK) rc = curl_easy_setopt(ctx->easy, CURLOPT_CAINFO, (char *)NULL);
        if (rc == CURLE_OK) rc = curl_easy_setopt(ctx->easy, CURLOPT_CAPATH, (char *)NULL);
        return rc;
    }
#if LIBCURL_VERSION_NUM >= 0x074d00
    /* Drops a blob an earlier request set. A build whose TLS backend takes no blob (GnuTLS,
       or an older runtime) refuses even NULL, and then holds none: nothing to drop. */
    rc = curl_easy_setopt(ctx->easy, CURLOPT_CAINFO_BLOB, (struct curl_blob *)NULL);
    if (rc == CURLE_NOT_BUILT_IN || rc == CURLE_UNKNOWN_OPTION) rc = CURLE_OK;
#endif
    if (ctx->ca_file == NULL) return rc == CURLE_OK ? scn_curl_set_default_ca(ctx->easy) : rc;
    if (rc == CURLE_OK) rc = curl_easy_setopt(ctx->easy, CURLOPT_CAINFO, ctx->ca_file);
    if (rc == CURLE_OK) rc = curl_easy_setopt(ctx->easy, CURLOPT_CAPATH, (char *)NULL);
    return rc;
}

SCN_CURL_PRIVATE long scn_curl_timeout(unsigned long timeout_ms)
{
    if (timeout_ms == 0) timeout_ms = STRIPE_CONNECT_DEFAULT_TIMEOUT_MS;
    return timeout_ms > (unsigned long)LONG_MAX ? LONG_MAX : (long)timeout_ms;
}

/* The method last: UPLOAD and NOBODY change the method when they are set. */
SCN_CURL_PRIVATE CURLcode scn_curl_set_method(CURL *easy, const stripe_connect_http_request *req)
{
    CURLcode rc = curl_easy_setopt(easy, CURLOPT_UPLOAD, 0L);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_NOBODY, 0L);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, (char *)NULL);
    if (strcmp(req->method, "POST") != 0) {
        if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
        if (rc == CURLE_OK && strcmp(req->method, "DELETE") == 0)
            rc = curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "DELETE");
        return rc;
    }
    /* The size first: with POSTFIELDS set, libcurl sends the body from our buffer as it is
       (no copy); "" stands for an empty body. The pre-request callback keeps it from being sent
       twice. */
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req->body_len > 0 ? req->body : "");
    return rc;
}

SCN_CURL_PRIVATE CURLcode scn_curl_set_request(stripe_connect_curl *ctx, const stripe_connect_http_request *req,
                                                scn_curl_exchange *x, struct curl_slist *headers)
{
    CURL *easy = ctx->easy;
    long timeout = scn_curl_timeout(req->timeout_ms);
    CURLcode rc = curl_easy_setopt(easy, CURLOPT_URL, req->url);
    if (rc == CURLE_OK) rc = scn_curl_set_method(easy, req);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_USERAGENT, (char *)NULL);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, (char *)NULL);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_HEADER, 0L);        /* headers not in the body */
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_FAILONERROR, 0L);   /* 4xx bodies are Stripe's errors */
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, scn_curl_write_body);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_WRITEDATA, (void *)x);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, scn_curl_read_header);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_HEADERDATA, (void *)x);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, scn_curl_before_sending);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_PREREQDATA, (void *)x);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, ctx->libcurl_message);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 1L);
    return rc;
}

/* After every request: no pointer into the request, the response or the context is left in
   the handle, and the POST is dropped. The connection cache is untouched. */
SCN_CURL_PRIVATE void scn_curl_unbind(CURL *easy)
{
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, (char *)NULL);
    curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, (curl_prereq_callback)NULL);
    curl_easy_setopt(easy, CURLOPT_PREREQDATA, (void *)NULL);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, (curl_write_callback)NULL);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, (void *)NULL);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, (curl_write_callback)NULL);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, (void *)NULL);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, (char *)NULL);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)-1);
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, (char *)NULL);
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
}

/* ---- Results --------------------------------------------------------------------------------- */
SCN_CURL_PRIVATE int scn_curl_is_tls_failure(CURLcode rc)
{
    switch (rc) {
    case CURLE_SSL_CONNECT_ERROR:        /* the handshake failed */
    case CURLE_PEER_FAILED_VERIFICATION: /* chain, host name or validity dates */
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:       /* the CA bundle could not be read */
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
#if LIBCURL_VERSION_NUM >= 0x074d00
    case CURLE_SSL_CLIENTCERT:
#endif
        return 1;
    default:
        return 0;
    }
}

SCN_CURL_PRIVATE stripe_connect_result scn_curl_result_of(CURLcode rc)
{
    if (rc == CURLE_OPERATION_TIMEDOUT) return STRIPE_CONNECT_ERR_TIMEOUT;
    if (scn_curl_is_tls_failure(rc)) return STRIPE_CONNECT_ERR_TLS;
    return STRIPE_CONNECT_ERR_TRANSPORT;
}

/* Keeps libcurl's own message (its error buffer, else the code's description). */
SCN_CURL_PRIVATE void scn_curl_keep_message(stripe_connect_curl *ctx, CURLcode rc)
{
    ctx->curl_code = rc;
    scn_curl_set_error(ctx, ctx->libcurl_message[0] != '\0' ? ctx->libcurl_message : curl_easy_strerror(rc));
}

/* Runs the transfer; on success the response's status is checked and set. */
SCN_CURL_PRIVATE stripe_connect_result scn_curl_run(stripe_connect_curl *ctx, scn_curl_exchange *x)
{
    long status = 0;
    CURLcode rc = curl_easy_perform(ctx->easy);
    if (rc == CURLE_ABORTED_BY_CALLBACK && x->sendings > 1) {
        ctx->curl_code = rc;
        scn_curl_set_error(ctx, "refused to send the POST again: the kept-alive connection closed before any answer");
        return STRIPE_CONNECT_ERR_TRANSPORT;
    }
    if (rc == CURLE_WRITE_ERROR && x->too_large) {
        ctx->curl_code = rc;
        (void)snprintf(ctx->error, sizeof ctx->error, "the response body is larger than the %lu bytes given for it",
                       (unsigned long)x->res->body_cap);
        return STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE;
    }
    if (rc != CURLE_OK) {
        scn_curl_keep_message(ctx, rc);
        return scn_curl_result_of(rc);
    }
    rc = curl_easy_getinfo(ctx->easy, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK || status < 100 || status > 599) {
        scn_curl_set_error(ctx, "no valid HTTP status in the response");
        return STRIPE_CONNECT_ERR_TRANSPORT;
    }
    x->res->status = (int)status;
    return STRIPE_CONNECT_OK;
}

/* ---- Public functions ------------------------------------------------------------------------ */
STRIPE_CONNECT_CURL_API stripe_connect_result stripe_connect_curl_init(stripe_connect_curl *ctx, CURL *easy)
{
    if (ctx == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    memset(ctx, 0, sizeof *ctx);
    if (easy == NULL) {
        easy = curl_easy_init();
        if (easy == NULL) {
            scn_curl_set_error(ctx, "curl_easy_init failed: out of memory, or libcurl could not initialise");
            return STRIPE_CONNECT_ERR_TRANSPORT;
        }
        ctx->owns_easy = 1;
    }
    ctx->easy = easy;
    return STRIPE_CONNECT_OK;
}

STRIPE_CONNECT_CURL_API stripe_connect_transport stripe_connect_curl_transport(stripe_connect_curl *ctx)
{
    stripe_connect_transport t;
    t.perform = stripe_connect_curl_perform;
    t.user = ctx;
    return t;
}

/* Every option is set before the transfer, each failure reported with the group it hit. */
SCN_CURL_PRIVATE stripe_connect_result scn_curl_prepare(stripe_connect_curl *ctx, const stripe_connect_http_request *req,
        scn_curl_exchange *x, struct curl_slist *headers)
{
    CURLcode rc = scn_curl_set_security(ctx->easy);
    if (rc == CURLE_OK && ctx->ca_file != NULL && ctx->ca_pem != NULL) {
        scn_curl_set_error(ctx, "refused: both ca_file and ca_pem are set; set one");
        return STRIPE_CONNECT_ERR_TLS;
    }
    if (rc == CURLE_OK) rc = scn_curl_set_ca(ctx);
    if (rc != CURLE_OK) {
        ctx->curl_code = rc;
        (void)snprintf(ctx->error, sizeof ctx->error, "libcurl refused a TLS setting%s: %s",
                       ctx->ca_pem != NULL ? " (a CA from memory needs libcurl 7.77 and a backend such as OpenSSL)" : "",
                       curl_easy_strerror(rc));
        return STRIPE_CONNECT_ERR_TLS;
    }
    rc = scn_curl_set_request(ctx, req, x, headers);
    if (rc != CURLE_OK) {
        ctx->curl_code = rc;
        (void)snprintf(ctx->error, sizeof ctx->error, "libcurl refused a request setting: %s", curl_easy_strerror(rc));
        return STRIPE_CONNECT_ERR_TRANSPORT;
    }
    return STRIPE_CONNECT_OK;
}

STRIPE_CONNECT_CURL_API stripe_connect_result stripe_connect_curl_perform(void *user,
        const stripe_connect_http_request *req, stripe_connect_http_response *res)
{
    stripe_connect_curl *ctx = (stripe_connect_curl *)user;
    struct curl_slist *headers = NULL;
    scn_curl_exchange x;
    stripe_connect_result r;

    if (ctx == NULL || req == NULL || res == NULL) return STRIPE_CONNECT_ERR_TRANSPORT;
    ctx->error[0] = '\0';
    ctx->libcurl_message[0] = '\0';
    ctx->curl_code = CURLE_OK;
    res->status = 0;
    res->body_len = 0;
    res->request_id[0] = '\0';
    res->should_retry = -1;
    if (ctx->easy == NULL) {
        scn_curl_set_error(ctx, "no easy handle: call stripe_connect_curl_init first");
        return STRIPE_CONNECT_ERR_TRANSPORT;
    }
    memset(&x, 0, sizeof x);
    x.is_post = req->method != NULL && strcmp(req->method, "POST") == 0;
    x.res = res;

    r = scn_curl_check_request(ctx, req, res);
    if (r == STRIPE_CONNECT_OK) r = scn_curl_build_headers(ctx, req, &headers);
    if (r == STRIPE_CONNECT_OK) r = scn_curl_prepare(ctx, req, &x, headers);
    if (r == STRIPE_CONNECT_OK) r = scn_curl_run(ctx, &x);
    scn_curl_unbind(ctx->easy);
    scn_curl_wipe_headers(ctx);
    if (r != STRIPE_CONNECT_OK) {             /* nothing partial is left: no truncated token */
        if (res->body != NULL) stripe_connect_wipe(res->body, res->body_len);
        res->body_len = 0;
        res->status = 0;
    }
    return r;
}

STRIPE_CONNECT_CURL_API void stripe_connect_curl_cleanup(stripe_connect_curl *ctx)
{
    if (ctx == NULL) return;
    if (ctx->owns_easy && ctx->easy != NULL) curl_easy_cleanup(ctx->easy);
    memset(ctx, 0, sizeof *ctx);
}

#endif /* STRIPE_CONNECT_CURL_IMPLEMENTATION_INCLUDED */
#endif /* STRIPE_CONNECT_CURL_IMPLEMENTATION */

/*
REVISION HISTORY
   0.1.0 (2026-11-30)  First release.

   Additions to the shared interface, with their reasons:
   - ctx->curl_code: libcurl's code of the last failure, for programs that act on it
     (ctx->error is for people).
   - stripe_connect_curl_perform is public, for programs that wrap the transport.
   - A POST is kept from being sent twice by CURLOPT_PREREQFUNCTION (libcurl 7.80): libcurl
     resends a request by itself when a reused connection dies before any answer, which would
     spend an authorization code twice. (The first version sent the body through a read
     callback that could not rewind; that cost a second TLS record per POST and about 12,000
     instructions per request.) The header list lives in the context, so a request allocates
     nothing of the adapter's own.

LICENCE
   The same dual licence as stripe_connect.h (MIT or public domain, the Unlicense; your
   choice): see the end of stripe_connect.h, or LICENSE.
*/
