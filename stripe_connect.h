/* stripe_connect.h - v0.1.0 - Stripe Connect OAuth 2.0 in one C header.

   Connect your users' Stripe accounts from any C or C++ program: build the
   authorize URL, take the redirect back and check its CSRF state, exchange the
   code for the connected account's tokens, refresh them, deauthorize. All HTTP
   goes through a transport you supply (one callback); this file never
   allocates, never opens a socket, never touches stdio, the clock or the
   environment. Adapters for libcurl and mbedTLS live in adapters/.

   Stripe documents OAuth as "not recommended for new Connect platforms":
   new platforms should onboard with Account Links and act with the platform
   key plus a Stripe-Account header. Existing OAuth platforms are who this
   file serves first.

USAGE
   In exactly one C or C++ file:

       #define STRIPE_CONNECT_IMPLEMENTATION
       #include "stripe_connect.h"

   Everywhere else, include it without the define.

QUICK START
       static char work[16384];              // scratch: request and response
       stripe_connect_client c;
       stripe_connect_authorize_params p = {0};
       stripe_connect_redirect r;
       stripe_connect_token t;
       stripe_connect_error e;
       char url[1024], state[64];
       size_t n;

       stripe_connect_client_init(&c, work, sizeof work);
       c.client_id  = "ca_...";
       c.secret_key = "sk_live_...";        // server side only, see SECURITY
       c.transport  = my_transport;         // or stripe_connect_curl_transport(...)
       c.random     = my_csprng; c.random_user = NULL;

       stripe_connect_state_generate(&c, state, sizeof state, &n);   // keep it in the session
       p.scope = "read_write"; p.state = state;
       stripe_connect_authorize_url(&c, &p, url, sizeof url, &n);    // send the user there

       // ... the user comes back to your redirect_uri with ?code=...&state=...
       if (stripe_connect_parse_redirect(query, strlen(query), state, &r) == STRIPE_CONNECT_OK &&
           stripe_connect_exchange_code(&c, r.code, &t, &e) == STRIPE_CONNECT_OK)
           save(t.stripe_user_id, t.access_token, t.refresh_token);
       else
           show(stripe_connect_result_string(res), e.message);

CONFIGURATION (define before including the implementation)
   STRIPE_CONNECT_STATIC          make every function static to the including file
   STRIPE_CONNECT_API             linkage of public functions (default: extern)
   STRIPE_CONNECT_ASSERT(x)       internal invariants (default: assert from <assert.h>;
                                  nothing under STRIPE_CONNECT_NO_STDLIB)
   STRIPE_CONNECT_MEMCPY(d,s,n)   \
   STRIPE_CONNECT_MEMSET(p,v,n)    > all three or none (default: <string.h>; built-in
   STRIPE_CONNECT_STRLEN(s)       /  loops under STRIPE_CONNECT_NO_STDLIB)
   STRIPE_CONNECT_NO_STDLIB       use only <stddef.h> and <stdint.h> (freestanding targets)
   STRIPE_CONNECT_FIELD_MAX       size of token, code and state fields, NUL included (256)
   STRIPE_CONNECT_JSON_MAX_DEPTH  deepest nesting accepted in a response; deeper is
                                  ERR_MALFORMED_JSON (32)
   STRIPE_CONNECT_USER_AGENT      User-Agent header ("stripe-connect-c/<version>")

MEMORY AND BUFFERS
   Nothing is allocated. Every function that writes text has the form
   (..., char *out, size_t cap, size_t *out_len): on success out is
   NUL-terminated and *out_len is its length without the NUL. When it does not
   fit, the result is STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL, *out_len is the full
   length needed (without the NUL) and out holds "" (if cap > 0): never a
   truncated URL or body. out == NULL with cap == 0 is a size query.
   Parsed results are copied into fixed arrays of your structs, so they outlive
   every buffer. The calls that talk to Stripe use the client's scratch buffer
   (work, work_size) for the request and the response, and wipe all of it before
   they return, on every path, with a wipe the compiler cannot remove. 8 KiB is
   ample for the OAuth calls; the response must fit in what the request leaves.

TRANSPORT CONTRACT
   A transport is { perform, user }. perform(user, req, res):
   - MUST send req->method to req->url with exactly req->headers and req->body,
     over TLS that verifies the server's certificate chain and host name;
   - MUST write at most res->body_cap bytes of the response body to res->body,
     set res->body_len and res->status, and return STRIPE_CONNECT_OK whenever an
     HTTP response arrived, whatever its status;
   - MUST return STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE when the body does not fit
     (never a truncated success), ERR_TIMEOUT when req->timeout_ms passed,
     ERR_TLS when the handshake or verification failed, ERR_TRANSPORT otherwise;
   - SHOULD copy the Request-Id header into res->request_id and set
     res->should_retry from Stripe-Should-Retry (-1 absent, 0 false, 1 true);
   - MUST NOT log the request's headers or body: they carry the secret key.
   The library does not trust it: a body_len above body_cap, a status outside
   100..599, or any other result is ERR_TRANSPORT.

ERRORS
   Every function returns a stripe_connect_result; stripe_connect_result_string
   names it. Calls that talk to Stripe also fill an optional stripe_connect_error
   with the HTTP status, the OAuth or API error code, type, param and message,
   and the Request-Id. There is no global error state.

THREAD SAFETY
   A client may be used by one thread at a time; separate clients share nothing.
   The functions without a client are pure and reentrant.

SECURITY
   The platform's secret key travels only in the Authorization header (or the
   /oauth/token body when secret_in_body is set), never in a URL; the library
   never logs. The code exchange is never retried: a code used twice revokes the
   connection. The state for CSRF protection comes from your CSPRNG and is
   compared in constant time. A secret key belongs on a server: a device in the
   field should ask its platform's backend to make these calls.

LIMITATIONS
   Token fields longer than STRIPE_CONNECT_FIELD_MAX - 1 bytes are refused as
   ERR_UNEXPECTED_RESPONSE rather than cut. Error messages are cut at a UTF-8
   boundary to fit their fields.
*/
#ifndef STRIPE_CONNECT_H
#define STRIPE_CONNECT_H

#include <stddef.h>
#include <stdint.h>

#define STRIPE_CONNECT_VERSION_MAJOR 0
#define STRIPE_CONNECT_VERSION_MINOR 1
#define STRIPE_CONNECT_VERSION_PATCH 0
#define STRIPE_CONNECT_VERSION "0.1.0"

#ifndef STRIPE_CONNECT_API
#  ifdef STRIPE_CONNECT_STATIC
#    if defined(__GNUC__) || defined(__clang__)
#      define STRIPE_CONNECT_API static __attribute__((unused))
#    else
#      define STRIPE_CONNECT_API static
#    endif
#  else
#    define STRIPE_CONNECT_API extern
#  endif
#endif

#ifndef STRIPE_CONNECT_FIELD_MAX
#define STRIPE_CONNECT_FIELD_MAX 256
#endif
#ifndef STRIPE_CONNECT_JSON_MAX_DEPTH
#define STRIPE_CONNECT_JSON_MAX_DEPTH 32
#endif
#ifndef STRIPE_CONNECT_USER_AGENT
#define STRIPE_CONNECT_USER_AGENT "stripe-connect-c/" STRIPE_CONNECT_VERSION
#endif
/* Headers a prepared request can carry. */
#define STRIPE_CONNECT_MAX_HEADERS 8
/* The timeout handed to the transport when the client's timeout_ms is 0. */
#define STRIPE_CONNECT_DEFAULT_TIMEOUT_MS 80000UL

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Results ---------------------------------------------------------------------------------
   One list, so that a code cannot be added without its string. */
#define STRIPE_CONNECT_RESULT_LIST(X) \
    X(STRIPE_CONNECT_OK,                        0, "ok") \
    X(STRIPE_CONNECT_ERR_INVALID_ARGUMENT,     -1, "invalid argument") \
    X(STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL,     -2, "buffer too small") \
    X(STRIPE_CONNECT_ERR_TRANSPORT,            -3, "transport failed") \
    X(STRIPE_CONNECT_ERR_TIMEOUT,              -4, "timed out") \
    X(STRIPE_CONNECT_ERR_TLS,                  -5, "TLS failed") \
    X(STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE,   -6, "response too large") \
    X(STRIPE_CONNECT_ERR_HTTP_STATUS,          -7, "unexpected HTTP status") \
    X(STRIPE_CONNECT_ERR_MALFORMED_JSON,       -8, "malformed JSON") \
    X(STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE,  -9, "unexpected response") \
    X(STRIPE_CONNECT_ERR_OAUTH,               -10, "OAuth error") \
    X(STRIPE_CONNECT_ERR_API,                 -11, "API error") \
    X(STRIPE_CONNECT_ERR_MALFORMED_REDIRECT,  -12, "malformed redirect") \
    X(STRIPE_CONNECT_ERR_STATE_MISMATCH,      -13, "state mismatch") \
    X(STRIPE_CONNECT_ERR_SIGNATURE,           -14, "signature rejected") \
    X(STRIPE_CONNECT_ERR_RANDOM,              -15, "random source failed")

/* STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL:   *out_len holds the length needed.
   STRIPE_CONNECT_ERR_TRANSPORT:          could not connect, I/O failed, peer closed early.
   STRIPE_CONNECT_ERR_TLS:                handshake or certificate verification failed.
   STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE: the body did not fit the buffer it was given.
   STRIPE_CONNECT_ERR_HTTP_STATUS:        non-2xx with no recognisable Stripe error body.
   STRIPE_CONNECT_ERR_MALFORMED_JSON:     not valid JSON (RFC 8259, UTF-8), or too deep.
   STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE: valid JSON of the wrong shape.
   STRIPE_CONNECT_ERR_OAUTH:              Stripe sent an OAuth error; see stripe_connect_error.
   STRIPE_CONNECT_ERR_API:                Stripe sent an API error object.
   STRIPE_CONNECT_ERR_SIGNATURE:          webhook signature or timestamp rejected.
   STRIPE_CONNECT_ERR_RANDOM:             the client's random callback failed (an addition to
                                          the design: a CSPRNG not ready yet is worth its own
                                          answer; try again later). */
#define STRIPE_CONNECT_RESULT_ENUM_ENTRY(name, value, text) name = value,
typedef enum stripe_connect_result {
    STRIPE_CONNECT_RESULT_LIST(STRIPE_CONNECT_RESULT_ENUM_ENTRY)
    STRIPE_CONNECT_RESULT_SENTINEL = -16   /* not a result: ends the list (C89 allows no trailing comma) */
} stripe_connect_result;

/* A short lower-case English name of r, for logs and messages; never NULL. */
STRIPE_CONNECT_API const char *stripe_connect_result_string(stripe_connect_result r);

/* The OAuth error codes Stripe documents, from the redirect or the token endpoint. */
typedef enum stripe_connect_oauth_error {
    STRIPE_CONNECT_OAUTH_NONE = 0,
    STRIPE_CONNECT_OAUTH_ACCESS_DENIED,            /* the user declined */
    STRIPE_CONNECT_OAUTH_INVALID_REDIRECT_URI,
    STRIPE_CONNECT_OAUTH_INVALID_REQUEST,
    STRIPE_CONNECT_OAUTH_INVALID_SCOPE,
    STRIPE_CONNECT_OAUTH_UNSUPPORTED_RESPONSE_TYPE,
    STRIPE_CONNECT_OAUTH_INVALID_GRANT,            /* code used, expired or revoked */
    STRIPE_CONNECT_OAUTH_UNSUPPORTED_GRANT_TYPE,
    STRIPE_CONNECT_OAUTH_INVALID_CLIENT,           /* wrong client_id or secret key */
    STRIPE_CONNECT_OAUTH_OTHER                     /* a code this version does not know */
} stripe_connect_oauth_error;

/* The optional out-parameter of every call that talks to Stripe. Strings are
   NUL-terminated, "" when absent. */
typedef struct stripe_connect_error {
    int http_status;                       /* 0 when no HTTP response arrived */
    stripe_connect_oauth_error oauth_error;
    char code[64];          /* OAuth "error" string, or API error.code */
    char type[64];          /* API error.type */
    char decline_code[64];
    char param[128];
    char message[512];      /* error_description or error.message, unescaped; cut at a UTF-8 boundary */
    char request_id[64];    /* Request-Id response header, when the transport reported it */
} stripe_connect_error;

/* ---- Transport ----------------------------------------------------------------------------- */
typedef struct stripe_connect_header { const char *name; const char *value; } stripe_connect_header;

typedef struct stripe_connect_http_request {
    const char *method;                        /* "GET", "POST", "DELETE" */
    const char *url;                           /* absolute, NUL-terminated */
    const stripe_connect_header *headers; size_t header_count;
    const char *body; size_t body_len;         /* form-encoded; NULL/0 when none */
    unsigned long timeout_ms;
} stripe_connect_http_request;

typedef struct stripe_connect_http_response {
    int status;                                /* set by the transport */
    char *body; size_t body_cap;               /* given by the library */
    size_t body_len;                           /* set by the transport, never above body_cap */
    char request_id[64];                       /* Request-Id header, if any */
    int should_retry;                          /* Stripe-Should-Retry: -1 absent, 0 false, 1 true */
} stripe_connect_http_response;

typedef stripe_connect_result (*stripe_connect_perform_fn)(void *user,
        const stripe_connect_http_request *req, stripe_connect_http_response *res);
typedef struct stripe_connect_transport { stripe_connect_perform_fn perform; void *user; } stripe_connect_transport;

/* ---- Client -----------------------------------------------------------------------------------
   Zero-initialise it with stripe_connect_client_init, then set what you need.
   The client borrows every pointer: the strings and the scratch buffer must
   outlive the calls that use them. */
typedef struct stripe_connect_client {
    const char *client_id;        /* ca_...: authorize URL, deauthorize */
    const char *secret_key;       /* the platform's sk_...: token, refresh, deauthorize, API calls */
    const char *connect_base;     /* NULL: "https://connect.stripe.com" */
    const char *api_base;         /* NULL: "https://api.stripe.com" */
    const char *stripe_version;   /* NULL: no Stripe-Version header */
    int secret_in_body;           /* 0 (default): Authorization: Bearer <secret_key>;
                                     1: client_secret=<secret_key> in the /oauth/token form body */
    stripe_connect_transport transport;
    unsigned long timeout_ms;     /* handed to the transport; 0 means 80000 */
    char *work; size_t work_size; /* caller-owned scratch for request and response; wiped after use */
    int (*random)(void *user, unsigned char *out, size_t n);  /* CSPRNG for state and idempotency
                                     keys: fills out[0..n), returns 0 on success, non-zero on failure */
    void *random_user;
} stripe_connect_client;

/* Zeroes *c and sets its scratch buffer. Nothing to tear down afterwards. */
STRIPE_CONNECT_API void stripe_connect_client_init(stripe_connect_client *c, char *work, size_t work_size);

/* ---- Encoding ---------------------------------------------------------------------------------
   The one encoding used everywhere (URLs and form bodies): A-Z a-z 0-9 - . _ ~
   stay as they are, every other byte becomes %XX with upper-case hex (a space
   is %20). Buffer rules as described at the top.
   Results: OK, ERR_BUFFER_TOO_SMALL, ERR_INVALID_ARGUMENT (NULL in, or out_len). */
STRIPE_CONNECT_API stripe_connect_result stripe_connect_percent_encode(const char *in, size_t in_len,
        char *out, size_t cap, size_t *out_len);

/* Decodes application/x-www-form-urlencoded text: %XX (either case) becomes
   the byte, '+' becomes a space. The output may contain NUL bytes (%00);
   *out_len counts them. Results: OK, ERR_BUFFER_TOO_SMALL,
   ERR_INVALID_ARGUMENT (NULL arguments, or a '%' not followed by two hex digits). */
STRIPE_CONNECT_API stripe_connect_result stripe_connect_percent_decode(const char *in, size_t in_len,
        char *out, size_t cap, size_t *out_len);

/* A form-body builder: key=value pairs joined with '&', keys and values encoded
   (in keys '[' and ']' stay, so write nested keys such as "metadata[order]").
   add never fails: after an overflow it keeps counting, so finish can report
   the whole length needed. finish gives OK and the length when the body and
   its NUL fit, else ERR_BUFFER_TOO_SMALL with buf holding "". A NULL key or
   value makes finish return ERR_INVALID_ARGUMENT. */
typedef struct stripe_connect_form { char *buf; size_t cap; size_t len; int overflow; } stripe_connect_form;
STRIPE_CONNECT_API void stripe_connect_form_init(stripe_connect_form *f, char *buf, size_t cap);
STRIPE_CONNECT_API void stripe_connect_form_add(stripe_connect_form *f, const char *key, const char *value);
STRIPE_CONNECT_API stripe_connect_result stripe_connect_form_finish(stripe_connect_form *f, size_t *out_len);

/* ---- Authorize URL ----------------------------------------------------------------------------- */
typedef struct stripe_connect_stripe_user {   /* all optional, NULL = omitted; emitted in this order */
    const char *email, *url, *country, *phone_number, *business_name, *business_type,
               *first_name, *last_name, *dob_day, *dob_month, *dob_year, *street_address,
               *city, *state, *zip, *physical_product, *product_description, *currency,
               *first_name_kana, *first_name_kanji, *last_name_kana, *last_name_kanji, *gender,
               *block_kana, *block_kanji, *building_kana, *building_kanji;
} stripe_connect_stripe_user;

typedef struct stripe_connect_param { const char *key; const char *value; } stripe_connect_param;

typedef struct stripe_connect_authorize_params {
    int express;                      /* 1: /express/oauth/authorize */
    const char *scope;                /* "read_write", "read_only", NULL = omitted */
    const char *redirect_uri, *state, *stripe_landing;   /* stripe_landing: "login" or "register" */
    int always_prompt;                /* 1: always_prompt=true */
    stripe_connect_stripe_user stripe_user;
    const char *const *suggested_capabilities; size_t suggested_capabilities_count;
    const stripe_connect_param *extra; size_t extra_count;   /* parameters Stripe may add later */
} stripe_connect_authorize_params;

/* Writes {connect_base}{/oauth/authorize | /express/oauth/authorize}
   ?response_type=code&client_id=<id>, then each parameter that is set in this
   order: scope, redirect_uri, state, stripe_landing, always_prompt=true,
   stripe_user[<field>] in the struct's order, suggested_capabilities[<i>],
   extra. p may be NULL. The URL carries no secret.
   Results: OK; ERR_BUFFER_TOO_SMALL (*out_len = length needed);
   ERR_INVALID_ARGUMENT (c or out_len NULL, client_id missing or empty, a NULL
   capability or extra key/value, or a count without its array). */
STRIPE_CONNECT_API stripe_connect_result stripe_connect_authorize_url(const stripe_connect_client *c,
        const stripe_connect_authorize_params *p, char *out, size_t cap, size_t *out_len);

/* ---- Redirect and state ------------------------------------------------------------------------ */
typedef struct stripe_connect_redirect {
    char code[STRIPE_CONNECT_FIELD_MAX], scope[32], state[STRIPE_CONNECT_FIELD_MAX];
    stripe_connect_oauth_error error; char error_code[64]; char error_description[512];
} stripe_connect_redirect;

/* Parses the redirect back to redirect_uri: a full URL, a path with a query, or
   a bare query (a leading '?' is fine); a #fragment is ignored; '+' is a space.
   Results, in this order of precedence:
   ERR_INVALID_ARGUMENT   url or out is NULL;
   ERR_MALFORMED_REDIRECT bad percent-encoding, a decoded NUL, a repeated code,
                          state or error, a value too long for its field,
                          neither or both of code and error, or empty input;
   ERR_STATE_MISMATCH     expected_state is not NULL and state is missing or
                          differs (also for error redirects): drop the request;
   ERR_OAUTH              Stripe redirected with an error (access_denied when
                          the user declined): out->error, error_code and
                          error_description are set;
   OK                     out->code holds the code to exchange (once).
   Other parameters are ignored. On every result but OK and ERR_OAUTH, *out is
   zeroed. error_description is cut at a UTF-8 boundary rather than refused. */
STRIPE_CONNECT_API stripe_connect_result stripe_connect_parse_redirect(const char *url, size_t len,
        const char *expected_state, stripe_connect_redirect *out);

/* Draws 32 bytes from c->random and writes them base64url without padding
   (43 characters). Results: OK; ERR_BUFFER_TOO_SMALL (cap < 44, *out_len = 43);
   ERR_INVALID_ARGUMENT (c or out_len NULL, or no random callback);
   ERR_RANDOM (the callback failed). On every error out holds "" when cap > 0
   and nothing drawn is left behind. */
STRIPE_CONNECT_API stripe_connect_result stripe_connect_state_generate(stripe_connect_client *c,
        char *out, size_t cap, size_t *out_len);

/* 1 when a and b are the same string, else 0 (also when either is NULL). The
   time taken depends only on the lengths, never on where they differ. */
STRIPE_CONNECT_API int stripe_connect_state_equal(const char *a, const char *b);

/* ---- Tokens ------------------------------------------------------------------------------------ */
typedef struct stripe_connect_token {
    char access_token[STRIPE_CONNECT_FIELD_MAX], refresh_token[STRIPE_CONNECT_FIELD_MAX];
    char stripe_publishable_key[STRIPE_CONNECT_FIELD_MAX], stripe_user_id[STRIPE_CONNECT_FIELD_MAX];
    char scope[32], token_type[32];
    int livemode;
} stripe_connect_token;

/* The general /oauth/token request. grant_type is "authorization_code" (code
   required) or "refresh_token" (refresh_token required; scope optional).
   assert_capabilities (Express) are sent as assert_capabilities[<i>]. */
typedef struct stripe_connect_token_params {
    const char *grant_type;
    const char *code;
    const char *refresh_token;
    const char *scope;                /* NULL = omitted */
    const char *const *assert_capabilities; size_t assert_capabilities_count;
} stripe_connect_token_params;

/* A request built without I/O, for programs that do their own HTTP. It points
   into the buffer it was built in and into itself: keep both alive and
   unmoved while it is sent, then wipe the buffer with stripe_connect_wipe, for
   it holds the secret key. */
typedef struct stripe_connect_prepared_request {
    stripe_connect_http_request http;
    stripe_connect_header headers[STRIPE_CONNECT_MAX_HEADERS];
} stripe_connect_prepared_request;

/* Results of the calls below (exchange, refresh, token call, deauthorize):
   OK                          done; *out holds the tokens.
   ERR_INVALID_ARGUMENT        a NULL or empty argument, no transport, no scratch,
                               or a secret, version or base with control characters.
   ERR_BUFFER_TOO_SMALL        the scratch buffer cannot hold the request.
   ERR_TRANSPORT, ERR_TIMEOUT, ERR_TLS, ERR_RESPONSE_TOO_LARGE
                               from the transport (or a transport that broke its
                               contract: ERR_TRANSPORT). The code exchange is not
                               retried: a code sent twice revokes the connection, so
                               send the user through authorization again instead.
   ERR_OAUTH                   Stripe's OAuth error (err->oauth_error, code, message).
   ERR_API                     Stripe's API error object (err->type, code, message...).
   ERR_HTTP_STATUS             a non-2xx answer without a Stripe error body.
   ERR_MALFORMED_JSON          a 2xx body that is not JSON.
   ERR_UNEXPECTED_RESPONSE     valid JSON of the wrong shape.
   On every error *out is zeroed; err (may be NULL) is filled on every path. */
STRIPE_CONNECT_API stripe_connect_result stripe_connect_exchange_code(stripe_connect_client *c,
        const char *code, stripe_connect_token *out, stripe_connect_error *err);
STRIPE_CONNECT_API stripe_connect_result stripe_connect_refresh(stripe_connect_client *c,
        const char *refresh_token, const char *scope, stripe_connect_token *out, stripe_connect_error *err);
STRIPE_CONNECT_API stripe_connect_result stripe_connect_token_call(stripe_connect_client *c,
        const stripe_connect_token_params *p, stripe_connect_token *out, stripe_connect_error *err);
/* POST /oauth/deauthorize: client_id and stripe_user_id, the key always in the
   Authorization header. OK when Stripe answers with the same stripe_user_id. */
STRIPE_CONNECT_API stripe_connect_result stripe_connect_deauthorize(stripe_connect_client *c,
        const char *stripe_user_id, stripe_connect_error *err);

/* Builds the /oauth/token or /oauth/deauthorize request in buf without
   sending it. Results: OK (*out_len = bytes of buf used); ERR_BUFFER_TOO_SMALL
   (*out_len = bytes needed; buf wiped); ERR_INVALID_ARGUMENT as above. */
STRIPE_CONNECT_API stripe_connect_result stripe_connect_token_request_build(const stripe_connect_client *c,
        const stripe_connect_token_params *p, char *buf, size_t cap, size_t *out_len,
        stripe_connect_prepared_request *out);
STRIPE_CONNECT_API stripe_connect_result stripe_connect_deauthorize_request_build(const stripe_connect_client *c,
        const char *stripe_user_id, char *buf, size_t cap, size_t *out_len,
        stripe_connect_prepared_request *out);

/* Parses a /oauth/token answer. In this order:
   1. valid JSON whose top-level "error" is a string: ERR_OAUTH (err->code,
      message, oauth_error, http_status), whatever the status; an object: ERR_API;
   2. any other non-2xx: ERR_HTTP_STATUS;
   3. a 2xx body that is not valid JSON: ERR_MALFORMED_JSON;
   4. valid JSON but not an object, no string stripe_user_id, a known field of
      the wrong type (livemode boolean, the others strings, null = absent), a
      known field twice, a value too long for its field or containing NUL:
      ERR_UNEXPECTED_RESPONSE;
   5. OK; unknown fields are skipped. On every error *out is zeroed.
   ERR_INVALID_ARGUMENT when out is NULL, or body is NULL with len > 0. */
STRIPE_CONNECT_API stripe_connect_result stripe_connect_parse_token_response(int http_status,
        const char *body, size_t len, stripe_connect_token *out, stripe_connect_error *err);
/* Parses a /oauth/deauthorize answer with the same rules; OK needs a 2xx
   object whose string stripe_user_id equals stripe_user_id. */
STRIPE_CONNECT_API stripe_connect_result stripe_connect_parse_deauthorize_response(int http_status,
        const char *body, size_t len, const char *stripe_user_id, stripe_connect_error *err);

/* Sets n bytes at p to zero in a way the optimiser cannot remove. Use it on
   buffers that held a key, a code or a token. */
STRIPE_CONNECT_API void stripe_connect_wipe(void *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* STRIPE_CONNECT_H */
