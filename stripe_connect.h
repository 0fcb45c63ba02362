/* stripe_connect.h - v0.1.0 - Stripe Connect OAuth 2.0 in one C header.

   Connect your users' Stripe accounts from any C or C++ program: build the
   authorize URL, take the redirect back and check its CSRF state, exchange the
   code for the connected account's tokens, refresh them, deauthorize; then call
   the Stripe API for the connected account with idempotency keys, retries and
   typed errors, and read its JSON answers by path. All HTTP
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
       static char work[8192];                   // scratch for request and response
       stripe_connect_client c;
       stripe_connect_authorize_params p;
       stripe_connect_redirect r;
       stripe_connect_token t;
       stripe_connect_error e = {0};             // filled by the calls that talk to Stripe
       stripe_connect_result res;
       char url[1024], state[64];
       size_t n;

       stripe_connect_client_init(&c, work, sizeof work);
       c.client_id  = "ca_...";
       c.secret_key = "sk_live_...";             // on your server only: see SECURITY
       c.transport  = my_transport;              // { perform, user }, e.g. the curl adapter
       c.random     = my_csprng;                 // fills n bytes, returns 0

       stripe_connect_state_generate(&c, state, sizeof state, &n);   // keep it in the session
       memset(&p, 0, sizeof p);
       p.scope = "read_write";
       p.state = state;
       stripe_connect_authorize_url(&c, &p, url, sizeof url, &n);    // redirect the user there

       // ...the user comes back to your redirect_uri with ?code=...&state=...
       res = stripe_connect_parse_redirect(query, strlen(query), state, &r);
       if (res == STRIPE_CONNECT_OK)
           res = stripe_connect_exchange_code(&c, r.code, &t, &e);  // once: never retry it
       if (res == STRIPE_CONNECT_OK)
           save_account(t.stripe_user_id, t.access_token, t.refresh_token);
       else
           show_error(stripe_connect_result_string(res), e.message);

ACTING FOR THE CONNECTED ACCOUNT
       char form_buf[256], body[8192];
       stripe_connect_form f;
       stripe_connect_api_params a;
       int64_t amount;

       stripe_connect_form_init(&f, form_buf, sizeof form_buf);
       stripe_connect_form_add(&f, "amount", "400");
       stripe_connect_form_add(&f, "currency", "usd");
       stripe_connect_form_add(&f, "source", "tok_visa");
       if (stripe_connect_form_finish(&f, &n) != STRIPE_CONNECT_OK) ...
       memset(&a, 0, sizeof a);
       a.method = "POST"; a.path = "/v1/charges"; a.params = form_buf; a.params_len = n;
       a.access_token = t.access_token;          // or a.stripe_account = t.stripe_user_id
       c.sleep = my_sleep;                       // enables retries (c.max_retries, default 2)
       res = stripe_connect_api_request(&c, &a, body, sizeof body, &n, &e);
       if (res == STRIPE_CONNECT_OK)
           stripe_connect_json_get_int(body, n, "amount", &amount);
       else if (res == STRIPE_CONNECT_ERR_API)
           show_error(e.code, e.decline_code, e.message);

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
   - MUST send each request at most once: no resend of its own on a dropped
     keep-alive connection (libcurl does that for POSTFIELDS bodies), for a code
     exchange sent twice revokes the connection; retries are the library's job;
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
    X(STRIPE_CONNECT_ERR_RANDOM,              -15, "random source failed") \
    X(STRIPE_CONNECT_ERR_NOT_FOUND,           -16, "not found")

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
                                          answer; try again later).
   STRIPE_CONNECT_ERR_NOT_FOUND:          the JSON lookup found no value at the path (an addition). */
#define STRIPE_CONNECT_RESULT_ENUM_ENTRY(name, value, text) name = (value),
typedef enum stripe_connect_result {
    STRIPE_CONNECT_RESULT_LIST(STRIPE_CONNECT_RESULT_ENUM_ENTRY)
    STRIPE_CONNECT_RESULT_SENTINEL = -17   /* not a result: ends the list (C89 allows no trailing comma) */
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
    /* Retries of API calls (stripe_connect_api_request). Never for the code exchange. */
    int max_retries;              /* set to 2 by stripe_connect_client_init; 0: none */
    void (*sleep)(void *user, unsigned long ms);   /* waits between retries; NULL: no retries */
    void *sleep_user;
    /* Sent in X-Stripe-Client-User-Agent (and appended to User-Agent) when set. */
    const char *app_name, *app_version, *app_url;
} stripe_connect_client;

/* Zeroes *c, sets its scratch buffer and max_retries = 2. Nothing to tear down afterwards. */
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
typedef struct stripe_connect_form {
    char *buf; size_t cap;
    size_t len;            /* bytes the pairs need so far, also past cap */
    int overflow;          /* the pairs no longer fit */
    int invalid_argument;  /* a NULL key or value was added (an addition to the design) */
} stripe_connect_form;
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
                          differs (also for error redirects): drop the request.
                          NULL skips the check: pass it only when you compare
                          out->state yourself, never because a session lookup
                          came back empty (that is a mismatch, not "no check");
   ERR_OAUTH              Stripe redirected with an error (access_denied when
                          the user declined): out->error, error_code and
                          error_description are set;
   OK                     out->code holds the code to exchange (once).
   Other parameters are ignored (but must be well-formed percent-encoding). On
   every result but OK and ERR_OAUTH, *out is zeroed (when out is not NULL). error_description is cut at a UTF-8 boundary rather than refused. */
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

/* ---- The Stripe API for a connected account ---------------------------------------------------- */
typedef struct stripe_connect_api_params {
    const char *method;            /* "GET", "POST" or "DELETE" */
    const char *path;              /* "/v1/charges", "/v1/accounts/acct_1"; appended to api_base */
    const char *params;            /* form-encoded parameters (a stripe_connect_form's buf), or NULL:
                                      the body of a POST, the query of a GET or DELETE */
    size_t params_len;
    const char *access_token;      /* the connected account's key; NULL: the client's secret_key */
    const char *stripe_account;    /* Stripe-Account header (acct_...), or NULL */
    const char *idempotency_key;   /* at most 255 printable characters; NULL: a UUID v4 from
                                      c->random for every POST, the same on each retry */
} stripe_connect_api_params;

/* Calls the Stripe API and copies the response body into out (NUL-terminated, *out_len bytes).
   Retries (at most c->max_retries, only with c->sleep set) connection failures and timeouts,
   409, 429 lock_timeout, 5xx and Stripe-Should-Retry: true; never Stripe-Should-Retry: false.
   Backoff 0.5 s doubling to at most 5 s, with jitter from c->random.
   Results: OK (2xx with a valid JSON body; body in out); ERR_API (a non-2xx answer with
   Stripe's error object: err->type, code, decline_code, param, message, request_id,
   http_status; an OAuth-style "error" string fills err->code and oauth_error; the body is in
   out too);
   ERR_HTTP_STATUS (non-2xx without an error object); ERR_RESPONSE_TOO_LARGE (the body did not
   fit out: out holds ""); ERR_MALFORMED_JSON (a 2xx body that is not JSON); ERR_TRANSPORT,
   ERR_TIMEOUT, ERR_TLS; ERR_RANDOM (no idempotency key could be drawn);
   ERR_BUFFER_TOO_SMALL (the request does not fit c->work); ERR_INVALID_ARGUMENT. */
STRIPE_CONNECT_API stripe_connect_result stripe_connect_api_request(stripe_connect_client *c,
        const stripe_connect_api_params *p, char *out, size_t cap, size_t *out_len, stripe_connect_error *err);

/* Reads one value of a JSON document by a dotted path with array indexes: "id",
   "error.message", "data.0.id". Strictness and limits of the token parser.
   Results: OK; ERR_MALFORMED_JSON (the document is not valid JSON); ERR_NOT_FOUND (no such
   path); ERR_UNEXPECTED_RESPONSE (the value has another type, an integer does not fit int64_t,
   or a string holds a NUL); ERR_BUFFER_TOO_SMALL (strings: *out_len = length needed);
   ERR_INVALID_ARGUMENT. */
STRIPE_CONNECT_API stripe_connect_result stripe_connect_json_get_string(const char *json, size_t len,
        const char *path, char *out, size_t cap, size_t *out_len);
STRIPE_CONNECT_API stripe_connect_result stripe_connect_json_get_int(const char *json, size_t len,
        const char *path, int64_t *out);
STRIPE_CONNECT_API stripe_connect_result stripe_connect_json_get_bool(const char *json, size_t len,
        const char *path, int *out);

/* ---- Webhooks ---------------------------------------------------------------------------------- */
/* Verifies a Stripe webhook: signature_header is the Stripe-Signature header,
   "t=<unix seconds>,v1=<hex>[,v1=<hex>...]" (entries in any order; other schemes such as v0
   are ignored; hex in either case); the signed text is "<t>.<payload>" and every v1 is tried
   against HMAC-SHA256(endpoint_secret, text) with a constant-time comparison.
   Results: OK; ERR_SIGNATURE (no v1 matches, |now_unix - t| > tolerance_seconds (0 disables
   the time check; Stripe's libraries use 300), or a header that cannot be parsed: an entry that
   is not key=value, no t or two, a t that is not 1..18 digits, no v1); ERR_INVALID_ARGUMENT
   (NULL header or secret, NULL payload with payload_len > 0, negative tolerance). */
STRIPE_CONNECT_API stripe_connect_result stripe_connect_webhook_verify(const char *payload, size_t payload_len,
        const char *signature_header, const char *endpoint_secret, long tolerance_seconds, int64_t now_unix);

/* The fields of an event a platform acts on, e.g. type "account.application.deauthorized" with
   account "acct_..." (the account that disconnected) and object_id "ca_..." (the application). */
typedef struct stripe_connect_webhook_event {
    char id[64];                               /* evt_... */
    char type[128];
    char account[64];                          /* "" for events of the platform's own account */
    char object_id[STRIPE_CONNECT_FIELD_MAX];  /* data.object.id, "" when absent */
} stripe_connect_webhook_event;

/* Reads an event's id, type, account and data.object.id (verify it first); account and
   data.object.id may be absent or null (""). Results: OK;
   ERR_MALFORMED_JSON; ERR_UNEXPECTED_RESPONSE (no string id or type, a field of the wrong type
   or too long); ERR_INVALID_ARGUMENT. On every error *out is zeroed. */
STRIPE_CONNECT_API stripe_connect_result stripe_connect_webhook_event_read(const char *payload, size_t len,
        stripe_connect_webhook_event *out);

/* SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), the ones webhook verification uses. */
STRIPE_CONNECT_API void stripe_connect_sha256(const void *data, size_t len, unsigned char digest[32]);
STRIPE_CONNECT_API void stripe_connect_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
        unsigned char mac[32]);

/* Sets n bytes at p to zero in a way the optimiser cannot remove. Use it on
   buffers that held a key, a code or a token. */
STRIPE_CONNECT_API void stripe_connect_wipe(void *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* STRIPE_CONNECT_H */

/* ================================================================================================
   IMPLEMENTATION
   ================================================================================================ */
#ifdef STRIPE_CONNECT_IMPLEMENTATION
#ifndef STRIPE_CONNECT_IMPLEMENTATION_INCLUDED
#define STRIPE_CONNECT_IMPLEMENTATION_INCLUDED

/* Private names start with scn_ / SCN_ (no double underscores: they are reserved in C++). */
#if defined(__GNUC__) || defined(__clang__)
#  define SCN_PRIVATE static __attribute__((unused))
#  define SCN_NOINLINE __attribute__((noinline))   /* keeps a stage's locals out of its caller's frame */
#else
#  define SCN_PRIVATE static
#  define SCN_NOINLINE
#endif

#if defined(STRIPE_CONNECT_MEMCPY) || defined(STRIPE_CONNECT_MEMSET) || defined(STRIPE_CONNECT_STRLEN)
#  if !defined(STRIPE_CONNECT_MEMCPY) || !defined(STRIPE_CONNECT_MEMSET) || !defined(STRIPE_CONNECT_STRLEN)
#    error "stripe_connect.h: define STRIPE_CONNECT_MEMCPY, STRIPE_CONNECT_MEMSET and STRIPE_CONNECT_STRLEN together, or none of them"
#  endif
#elif defined(STRIPE_CONNECT_NO_STDLIB)
/* Plain loops for freestanding builds. (GCC may still turn them into calls to memcpy/memset,
   which every freestanding GCC target must provide anyway.) */
SCN_PRIVATE void scn_memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    while (n--) *d++ = *s++;
}
SCN_PRIVATE void scn_memset(void *dst, int value, size_t n)
{
    unsigned char *d = (unsigned char *)dst;
    while (n--) *d++ = (unsigned char)value;
}
SCN_PRIVATE size_t scn_strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}
#  define STRIPE_CONNECT_MEMCPY(d, s, n) scn_memcpy((d), (s), (n))
#  define STRIPE_CONNECT_MEMSET(p, v, n) scn_memset((p), (v), (n))
#  define STRIPE_CONNECT_STRLEN(s) scn_strlen(s)
#else
#  include <string.h>
#  define STRIPE_CONNECT_MEMCPY(d, s, n) memcpy((d), (s), (n))
#  define STRIPE_CONNECT_MEMSET(p, v, n) memset((p), (v), (n))
#  define STRIPE_CONNECT_STRLEN(s) strlen(s)
#endif

#ifndef STRIPE_CONNECT_ASSERT
#  ifdef STRIPE_CONNECT_NO_STDLIB
#    define STRIPE_CONNECT_ASSERT(x) ((void)0)
#  else
#    include <assert.h>
#    define STRIPE_CONNECT_ASSERT(x) assert(x)
#  endif
#endif

#define SCN_DEFAULT_CONNECT_BASE "https://connect.stripe.com"
#define SCN_FORM_CONTENT_TYPE "application/x-www-form-urlencoded"
#define SCN_MEMBER_SIZE(type, member) sizeof(((type *)0)->member)

/* ---- Results ------------------------------------------------------------------------------------ */
STRIPE_CONNECT_API const char *stripe_connect_result_string(stripe_connect_result r)
{
    switch (r) {
#define SCN_RESULT_CASE(name, value, text) case name: return text;
    STRIPE_CONNECT_RESULT_LIST(SCN_RESULT_CASE)
#undef SCN_RESULT_CASE
    default: return "unknown result";
    }
}

/* Indexed by stripe_connect_oauth_error. */
static const char *const scn_oauth_error_names[] = {
    "", "access_denied", "invalid_redirect_uri", "invalid_request", "invalid_scope",
    "unsupported_response_type", "invalid_grant", "unsupported_grant_type", "invalid_client"
};

SCN_PRIVATE int scn_str_equal(const char *a, const char *b)
{
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

SCN_PRIVATE stripe_connect_oauth_error scn_oauth_error_from_name(const char *name)
{
    size_t i;
    for (i = 1; i < sizeof scn_oauth_error_names / sizeof scn_oauth_error_names[0]; i++)
        if (scn_str_equal(name, scn_oauth_error_names[i])) return (stripe_connect_oauth_error)i;
    return STRIPE_CONNECT_OAUTH_OTHER;
}

/* ---- Wiping -------------------------------------------------------------------------------------- */
STRIPE_CONNECT_API void stripe_connect_wipe(void *p, size_t n)
{
    if (p == NULL || n == 0) return;
#if defined(__GNUC__) || defined(__clang__)
    STRIPE_CONNECT_MEMSET(p, 0, n);
    /* The empty asm "reads" p, so the compiler must assume the zeroes are observed. */
    __asm__ __volatile__("" : : "r"(p) : "memory");
#else
    {
        volatile unsigned char *v = (volatile unsigned char *)p;
        while (n--) *v++ = 0;
    }
#endif
}

/* ---- The writer ----------------------------------------------------------------------------------
   Every text the library produces goes through one bounded writer, which is the form builder's
   struct. It writes what fits (one byte is always kept for the NUL) and goes on counting past the
   capacity, so a failed call can still report the whole length needed. */
SCN_PRIVATE void scn_writer_init(stripe_connect_form *w, char *buf, size_t cap)
{
    w->buf = buf;
    w->cap = buf != NULL ? cap : 0;
    w->len = 0;
    w->overflow = 0;
    w->invalid_argument = 0;
}

SCN_PRIVATE void scn_put(stripe_connect_form *w, const char *s, size_t n)
{
    size_t room = w->len < w->cap ? w->cap - w->len - 1 : 0;
    if (n <= room) {
        if (n > 0) STRIPE_CONNECT_MEMCPY(w->buf + w->len, s, n);
    } else {
        if (room > 0) STRIPE_CONNECT_MEMCPY(w->buf + w->len, s, room);
        w->overflow = 1;
    }
    w->len = n <= (size_t)-1 - w->len ? w->len + n : (size_t)-1;   /* saturates, never wraps */
}

SCN_PRIVATE void scn_put_char(stripe_connect_form *w, char ch)
{
    scn_put(w, &ch, 1);
}

SCN_PRIVATE void scn_put_str(stripe_connect_form *w, const char *s)
{
    scn_put(w, s, STRIPE_CONNECT_STRLEN(s));
}

SCN_PRIVATE void scn_put_decimal(stripe_connect_form *w, size_t value)
{
    char digits[24];
    size_t n = sizeof digits;
    do {
        digits[--n] = (char)('0' + (int)(value % 10));
        value /= 10;
    } while (value != 0);
    scn_put(w, digits + n, sizeof digits - n);
}

/* Ends the text with its NUL. When it did not fit, the whole buffer is wiped (no truncated text,
   no secret left behind) and *out_len is the length that was needed. */
SCN_PRIVATE stripe_connect_result scn_finish(stripe_connect_form *w, size_t *out_len)
{
    *out_len = w->len;
    if (w->overflow || w->len >= w->cap) {
        stripe_connect_wipe(w->buf, w->cap);
        return STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL;
    }
    w->buf[w->len] = '\0';
    return STRIPE_CONNECT_OK;
}

/* ---- Percent-encoding ------------------------------------------------------------------------------ */
static const char scn_hex_upper[] = "0123456789ABCDEF";

/* One lookup per byte on the hot paths (URL encoding, JSON string scanning). */
enum { SCN_JSON_PLAIN = 1, SCN_UNRESERVED = 2 };   /* a JSON string byte needing no check; A-Z a-z 0-9 - . _ ~ */
static const unsigned char scn_char_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 1,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1,
    1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 0, 1, 1, 3,
    1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 1, 1, 3, 1,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

SCN_PRIVATE int scn_is_unreserved(unsigned char ch)
{
    return scn_char_class[ch] & SCN_UNRESERVED;
}

/* Keys keep '[' and ']' so that nested keys read as Stripe documents them. */
SCN_PRIVATE void scn_put_encoded(stripe_connect_form *w, const char *s, size_t n, int is_key)
{
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        unsigned char ch;
        while (run < n && (scn_is_unreserved((unsigned char)s[run]) ||
                           (is_key && (s[run] == '[' || s[run] == ']'))))
            run++;
        scn_put(w, s + i, run - i);
        if (run == n) break;
        ch = (unsigned char)s[run];
        {
            char escaped[3];
            escaped[0] = '%';
            escaped[1] = scn_hex_upper[ch >> 4];
            escaped[2] = scn_hex_upper[ch & 15];
            scn_put(w, escaped, 3);
        }
        i = run + 1;
    }
}

SCN_PRIVATE int scn_hex_value(unsigned char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    return -1;
}

/* Decodes form-encoded text into w. Returns 0, or -1 on a '%' without two hex digits.
   *has_nul is set when the decoded text holds a NUL: a %00, or a NUL byte in s itself (found
   by fuzzing: a raw NUL inside len bytes slipped past the check and cut the field short). */
SCN_PRIVATE int scn_put_decoded(stripe_connect_form *w, const char *s, size_t n, int *has_nul)
{
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && s[run] != '%' && s[run] != '+') {
            if (s[run] == '\0') *has_nul = 1;
            run++;
        }
        scn_put(w, s + i, run - i);
        if (run == n) break;
        if (s[run] == '+') {
            scn_put_char(w, ' ');
            i = run + 1;
        } else {
            int high = run + 2 < n ? scn_hex_value((unsigned char)s[run + 1]) : -1;
            int low = high >= 0 ? scn_hex_value((unsigned char)s[run + 2]) : -1;
            if (low < 0) return -1;
            if (high == 0 && low == 0) *has_nul = 1;
            scn_put_char(w, (char)(high * 16 + low));
            i = run + 3;
        }
    }
    return 0;
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_percent_encode(const char *in, size_t in_len,
        char *out, size_t cap, size_t *out_len)
{
    stripe_connect_form w;
    if (in == NULL || out_len == NULL || (out == NULL && cap > 0)) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    scn_writer_init(&w, out, cap);
    scn_put_encoded(&w, in, in_len, 0);
    return scn_finish(&w, out_len);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_percent_decode(const char *in, size_t in_len,
        char *out, size_t cap, size_t *out_len)
{
    stripe_connect_form w;
    int has_nul = 0;
    if (in == NULL || out_len == NULL || (out == NULL && cap > 0)) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    scn_writer_init(&w, out, cap);
    if (scn_put_decoded(&w, in, in_len, &has_nul) != 0) {
        stripe_connect_wipe(out, cap);
        *out_len = 0;
        return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    }
    return scn_finish(&w, out_len);
}

/* ---- Form builder ---------------------------------------------------------------------------------- */
/* Appends key=value, with '&' before it unless it is the first pair after body_start. */
SCN_PRIVATE void scn_put_pair(stripe_connect_form *w, size_t body_start, const char *key, const char *value)
{
    if (w->len > body_start) scn_put_char(w, '&');
    scn_put_encoded(w, key, STRIPE_CONNECT_STRLEN(key), 1);
    scn_put_char(w, '=');
    scn_put_encoded(w, value, STRIPE_CONNECT_STRLEN(value), 0);
}

/* Appends name[index]=value: the form Stripe uses for list parameters. */
SCN_PRIVATE void scn_put_indexed_pair(stripe_connect_form *w, size_t body_start, const char *name,
                                      size_t index, const char *value)
{
    if (w->len > body_start) scn_put_char(w, '&');
    scn_put_str(w, name);
    scn_put_char(w, '[');
    scn_put_decimal(w, index);
    scn_put(w, "]=", 2);
    scn_put_encoded(w, value, STRIPE_CONNECT_STRLEN(value), 0);
}

STRIPE_CONNECT_API void stripe_connect_form_init(stripe_connect_form *f, char *buf, size_t cap)
{
    if (f == NULL) return;
    scn_writer_init(f, buf, cap);
    if (f->cap > 0) f->buf[0] = '\0';
}

STRIPE_CONNECT_API void stripe_connect_form_add(stripe_connect_form *f, const char *key, const char *value)
{
    if (f == NULL) return;
    if (key == NULL || value == NULL) {
        f->invalid_argument = 1;
        return;
    }
    scn_put_pair(f, 0, key, value);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_form_finish(stripe_connect_form *f, size_t *out_len)
{
    if (f == NULL || out_len == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    if (f->invalid_argument) {
        stripe_connect_wipe(f->buf, f->cap);
        *out_len = 0;
        return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    }
    return scn_finish(f, out_len);
}

/* ---- Checks on the client's strings ----------------------------------------------------------------
   Everything the caller hands over for a header, a URL or a JSON string must be printable ASCII,
   so it cannot end the header (CR, LF), the URL (space, '#') or the string ('"', '\\'). */
enum { SCN_NO_SPACE = 1, SCN_NO_HASH = 2, SCN_NO_QUOTE = 4 };

SCN_PRIVATE int scn_is_printable(const char *s, size_t n, unsigned forbidden)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch > 0x7e || (ch == ' ' && (forbidden & SCN_NO_SPACE)) ||
            (ch == '#' && (forbidden & SCN_NO_HASH)) || ((ch == '"' || ch == '\\') && (forbidden & SCN_NO_QUOTE)))
            return 0;
    }
    return 1;
}

/* A value that must be set: non-empty and printable. */
SCN_PRIVATE int scn_is_value(const char *s, unsigned forbidden)
{
    return s != NULL && s[0] != '\0' && scn_is_printable(s, STRIPE_CONNECT_STRLEN(s), forbidden);
}

/* A value that may be NULL (not sent), else as scn_is_value. */
SCN_PRIVATE int scn_is_optional_value(const char *s, unsigned forbidden)
{
    return s == NULL || scn_is_value(s, forbidden);
}

SCN_PRIVATE const char *scn_connect_base(const stripe_connect_client *c)
{
    return c->connect_base != NULL ? c->connect_base : SCN_DEFAULT_CONNECT_BASE;
}

/* Writes base and path, dropping one trailing '/' of base so "https://x/" + "/oauth" is not "//". */
SCN_PRIVATE void scn_put_base_and_path(stripe_connect_form *w, const char *base, const char *path)
{
    size_t n = STRIPE_CONNECT_STRLEN(base);
    if (n > 0 && base[n - 1] == '/') n--;
    scn_put(w, base, n);
    scn_put_str(w, path);
}

/* ---- Authorize URL ------------------------------------------------------------------------------------ */
typedef struct scn_stripe_user_field { const char *key; size_t offset; } scn_stripe_user_field;
#define SCN_USER_FIELD(name) { "stripe_user[" #name "]", offsetof(stripe_connect_stripe_user, name) }
static const scn_stripe_user_field scn_stripe_user_fields[] = {
    SCN_USER_FIELD(email), SCN_USER_FIELD(url), SCN_USER_FIELD(country), SCN_USER_FIELD(phone_number),
    SCN_USER_FIELD(business_name), SCN_USER_FIELD(business_type), SCN_USER_FIELD(first_name),
    SCN_USER_FIELD(last_name), SCN_USER_FIELD(dob_day), SCN_USER_FIELD(dob_month), SCN_USER_FIELD(dob_year),
    SCN_USER_FIELD(street_address), SCN_USER_FIELD(city), SCN_USER_FIELD(state), SCN_USER_FIELD(zip),
    SCN_USER_FIELD(physical_product), SCN_USER_FIELD(product_description), SCN_USER_FIELD(currency),
    SCN_USER_FIELD(first_name_kana), SCN_USER_FIELD(first_name_kanji), SCN_USER_FIELD(last_name_kana),
    SCN_USER_FIELD(last_name_kanji), SCN_USER_FIELD(gender), SCN_USER_FIELD(block_kana),
    SCN_USER_FIELD(block_kanji), SCN_USER_FIELD(building_kana), SCN_USER_FIELD(building_kanji)
};
#undef SCN_USER_FIELD

SCN_PRIVATE const char *scn_stripe_user_value(const stripe_connect_stripe_user *u, size_t i)
{
    return *(const char *const *)(const void *)((const char *)u + scn_stripe_user_fields[i].offset);
}

SCN_PRIVATE void scn_put_pair_if_set(stripe_connect_form *w, size_t start, const char *key, const char *value)
{
    if (value != NULL) scn_put_pair(w, start, key, value);
}

SCN_PRIVATE int scn_authorize_params_valid(const stripe_connect_authorize_params *p)
{
    size_t i;
    if (p->suggested_capabilities_count > 0 && p->suggested_capabilities == NULL) return 0;
    if (p->extra_count > 0 && p->extra == NULL) return 0;
    for (i = 0; i < p->suggested_capabilities_count; i++)
        if (p->suggested_capabilities[i] == NULL) return 0;
    for (i = 0; i < p->extra_count; i++)
        if (p->extra[i].key == NULL || p->extra[i].value == NULL) return 0;
    return 1;
}

SCN_PRIVATE void scn_put_authorize_params(stripe_connect_form *w, size_t start,
                                          const stripe_connect_authorize_params *p)
{
    size_t i;
    scn_put_pair_if_set(w, start, "scope", p->scope);
    scn_put_pair_if_set(w, start, "redirect_uri", p->redirect_uri);
    scn_put_pair_if_set(w, start, "state", p->state);
    scn_put_pair_if_set(w, start, "stripe_landing", p->stripe_landing);
    if (p->always_prompt) scn_put_pair(w, start, "always_prompt", "true");
    for (i = 0; i < sizeof scn_stripe_user_fields / sizeof scn_stripe_user_fields[0]; i++)
        scn_put_pair_if_set(w, start, scn_stripe_user_fields[i].key, scn_stripe_user_value(&p->stripe_user, i));
    for (i = 0; i < p->suggested_capabilities_count; i++)
        scn_put_indexed_pair(w, start, "suggested_capabilities", i, p->suggested_capabilities[i]);
    for (i = 0; i < p->extra_count; i++)
        scn_put_pair(w, start, p->extra[i].key, p->extra[i].value);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_authorize_url(const stripe_connect_client *c,
        const stripe_connect_authorize_params *p, char *out, size_t cap, size_t *out_len)
{
    stripe_connect_form w;
    size_t query_start;
    if (out_len != NULL) *out_len = 0;
    if (out != NULL && cap > 0) out[0] = '\0';
    if (c == NULL || out_len == NULL || (out == NULL && cap > 0)) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    if (c->client_id == NULL || c->client_id[0] == '\0' || !scn_is_value(scn_connect_base(c), SCN_NO_SPACE))
        return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    if (p != NULL && !scn_authorize_params_valid(p)) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;

    scn_writer_init(&w, out, cap);
    scn_put_base_and_path(&w, scn_connect_base(c),
                          p != NULL && p->express ? "/express/oauth/authorize?" : "/oauth/authorize?");
    query_start = w.len;
    scn_put_pair(&w, query_start, "response_type", "code");
    scn_put_pair(&w, query_start, "client_id", c->client_id);
    if (p != NULL) scn_put_authorize_params(&w, query_start, p);
    return scn_finish(&w, out_len);
}

/* ---- UTF-8 ---------------------------------------------------------------------------------------------- */
/* Length of the sequence a lead byte starts (1 for ASCII and for bytes that start nothing). */
SCN_PRIVATE size_t scn_utf8_sequence_length(unsigned char lead)
{
    if (lead >= 0xf0) return 4;
    if (lead >= 0xe0) return 3;
    if (lead >= 0xc0) return 2;
    return 1;
}

/* text[0..written) holds the start of a longer text: cut it to whole characters and end it. */
SCN_PRIVATE void scn_cut_at_utf8_boundary(char *text, size_t written)
{
    size_t lead = written;
    while (lead > 0 && ((unsigned char)text[lead - 1] & 0xc0) == 0x80) lead--;
    if (lead > 0 && lead - 1 + scn_utf8_sequence_length((unsigned char)text[lead - 1]) > written)
        written = lead - 1;
    text[written] = '\0';
}

/* Ends a text written into a fixed field: cut at a UTF-8 boundary when it did not fit. */
SCN_PRIVATE void scn_end_cut_text(stripe_connect_form *w)
{
    if (w->cap == 0) return;
    if (w->len < w->cap) w->buf[w->len] = '\0';
    else scn_cut_at_utf8_boundary(w->buf, w->cap - 1);
}

/* ---- Redirect ----------------------------------------------------------------------------------------- */
enum { SCN_SEEN_CODE = 1, SCN_SEEN_STATE = 2, SCN_SEEN_ERROR = 4 };

typedef struct scn_redirect_param {
    const char *key;
    size_t offset, size;   /* the field of stripe_connect_redirect it fills */
    int seen_flag;         /* 0: may repeat (the last one counts) */
    int cut;               /* 1: cut at a UTF-8 boundary when too long instead of refusing */
} scn_redirect_param;

#define SCN_REDIRECT_FIELD(name) offsetof(stripe_connect_redirect, name), SCN_MEMBER_SIZE(stripe_connect_redirect, name)
static const scn_redirect_param scn_redirect_params[] = {
    { "code", SCN_REDIRECT_FIELD(code), SCN_SEEN_CODE, 0 },
    { "scope", SCN_REDIRECT_FIELD(scope), 0, 0 },
    { "state", SCN_REDIRECT_FIELD(state), SCN_SEEN_STATE, 0 },
    { "error", SCN_REDIRECT_FIELD(error_code), SCN_SEEN_ERROR, 0 },
    { "error_description", SCN_REDIRECT_FIELD(error_description), 0, 1 }
};
#undef SCN_REDIRECT_FIELD

SCN_PRIVATE const scn_redirect_param *scn_find_redirect_param(const char *key)
{
    size_t i;
    for (i = 0; i < sizeof scn_redirect_params / sizeof scn_redirect_params[0]; i++)
        if (scn_str_equal(key, scn_redirect_params[i].key)) return &scn_redirect_params[i];
    return NULL;
}

/* Decodes one key=value into out. Returns 0, or -1 when it makes the redirect malformed. */
SCN_PRIVATE int scn_redirect_take_param(const char *s, size_t n, stripe_connect_redirect *out, int *seen)
{
    char key[24];
    stripe_connect_form w;
    const scn_redirect_param *param;
    size_t eq = 0;
    int has_nul = 0;

    while (eq < n && s[eq] != '=') eq++;
    if (eq == n) {                                           /* no '=': ignored, but well-formed */
        scn_writer_init(&w, NULL, 0);
        return scn_put_decoded(&w, s, n, &has_nul);
    }
    scn_writer_init(&w, key, sizeof key);
    if (scn_put_decoded(&w, s, eq, &has_nul) != 0) return -1;
    if (w.overflow || has_nul) {
        w.len = 0;                                           /* longer than any name we know */
        param = NULL;
    } else {
        key[w.len] = '\0';
        param = scn_find_redirect_param(key);
    }
    if (param == NULL) {                                     /* ignored, but must be well-formed */
        scn_writer_init(&w, NULL, 0);
        return scn_put_decoded(&w, s + eq + 1, n - eq - 1, &has_nul);
    }
    if (param->seen_flag & *seen) return -1;
    *seen |= param->seen_flag;
    scn_writer_init(&w, (char *)out + param->offset, param->size);
    if (scn_put_decoded(&w, s + eq + 1, n - eq - 1, &has_nul) != 0 || has_nul) return -1;
    if (w.overflow && !param->cut) return -1;
    scn_end_cut_text(&w);
    return 0;
}

/* The query of url: after the first '?' (or all of it when there is none), up to a '#'. */
SCN_PRIVATE void scn_find_query(const char *url, size_t len, size_t *start, size_t *end)
{
    size_t i;
    *start = 0;
    *end = len;
    for (i = 0; i < len; i++) {
        if (url[i] == '#') { *end = i; break; }
    }
    for (i = 0; i < *end; i++) {
        if (url[i] == '?') { *start = i + 1; break; }
    }
}

SCN_PRIVATE stripe_connect_result scn_redirect_read(const char *url, size_t len, stripe_connect_redirect *out,
                                                    int *seen)
{
    size_t start, end, i;
    scn_find_query(url, len, &start, &end);
    for (i = start; i <= end; i++) {
        if (i == end || url[i] == '&') {
            if (scn_redirect_take_param(url + start, i - start, out, seen) != 0)
                return STRIPE_CONNECT_ERR_MALFORMED_REDIRECT;
            start = i + 1;
        }
    }
    if (((*seen & SCN_SEEN_CODE) != 0) == ((*seen & SCN_SEEN_ERROR) != 0))
        return STRIPE_CONNECT_ERR_MALFORMED_REDIRECT;        /* neither or both */
    return STRIPE_CONNECT_OK;
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_parse_redirect(const char *url, size_t len,
        const char *expected_state, stripe_connect_redirect *out)
{
    stripe_connect_result r;
    int seen = 0;
    if (out != NULL) STRIPE_CONNECT_MEMSET(out, 0, sizeof *out);
    if (url == NULL || out == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    r = scn_redirect_read(url, len, out, &seen);
    if (r == STRIPE_CONNECT_OK && expected_state != NULL &&
        (!(seen & SCN_SEEN_STATE) || !stripe_connect_state_equal(out->state, expected_state)))
        r = STRIPE_CONNECT_ERR_STATE_MISMATCH;
    if (r == STRIPE_CONNECT_OK && (seen & SCN_SEEN_ERROR)) {
        out->error = scn_oauth_error_from_name(out->error_code);
        r = STRIPE_CONNECT_ERR_OAUTH;
    }
    if (r != STRIPE_CONNECT_OK && r != STRIPE_CONNECT_ERR_OAUTH) stripe_connect_wipe(out, sizeof *out);
    return r;
}

/* ---- State ----------------------------------------------------------------------------------------------- */
#define SCN_STATE_BYTES 32
#define SCN_STATE_LENGTH 43   /* 32 bytes in base64url without padding */

static const char scn_base64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Writes n bytes as base64url without padding; out has room for ceil(4n/3) characters. */
SCN_PRIVATE void scn_base64url(const unsigned char *in, size_t n, char *out)
{
    unsigned bits = 0, pending = 0;   /* pending: the low `bits` bits not yet written */
    size_t i;
    for (i = 0; i < n; i++) {
        pending = ((pending << 8) | in[i]) & 0xfff;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            *out++ = scn_base64url_alphabet[(pending >> bits) & 63];
        }
    }
    if (bits > 0) *out = scn_base64url_alphabet[(pending << (6 - bits)) & 63];
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_state_generate(stripe_connect_client *c,
        char *out, size_t cap, size_t *out_len)
{
    unsigned char bytes[SCN_STATE_BYTES];
    if (out_len != NULL) *out_len = 0;
    if (out != NULL && cap > 0) out[0] = '\0';
    if (c == NULL || out_len == NULL || (out == NULL && cap > 0) || c->random == NULL)
        return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    *out_len = SCN_STATE_LENGTH;
    if (cap <= SCN_STATE_LENGTH) return STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL;
    if (c->random(c->random_user, bytes, sizeof bytes) != 0) {
        stripe_connect_wipe(bytes, sizeof bytes);
        *out_len = 0;
        return STRIPE_CONNECT_ERR_RANDOM;
    }
    scn_base64url(bytes, sizeof bytes, out);
    out[SCN_STATE_LENGTH] = '\0';
    stripe_connect_wipe(bytes, sizeof bytes);
    return STRIPE_CONNECT_OK;
}

STRIPE_CONNECT_API int stripe_connect_state_equal(const char *a, const char *b)
{
    size_t n, i;
    unsigned char diff = 0;
    if (a == NULL || b == NULL) return 0;
    n = STRIPE_CONNECT_STRLEN(a);
    if (n != STRIPE_CONNECT_STRLEN(b)) return 0;
    for (i = 0; i < n; i++) diff = (unsigned char)(diff | (a[i] ^ b[i]));   /* no early exit */
    return diff == 0;
}

/* ---- JSON ------------------------------------------------------------------------------------------------
   One pull scanner serves every JSON reader in the library. Each call to scn_json_next returns
   the next token of the document and checks the RFC 8259 grammar as it goes: strings are
   checked for UTF-8 and escapes, numbers for their grammar, nesting against
   STRIPE_CONNECT_JSON_MAX_DEPTH. It keeps no more than one byte per open container, never
   recurses and never allocates. A string token points at its raw text between the quotes;
   scn_json_put_string decodes it. */
enum scn_json_token {
    SCN_JSON_ERROR, SCN_JSON_END, SCN_JSON_OBJECT, SCN_JSON_OBJECT_END, SCN_JSON_ARRAY,
    SCN_JSON_ARRAY_END, SCN_JSON_KEY, SCN_JSON_STRING, SCN_JSON_NUMBER, SCN_JSON_TRUE,
    SCN_JSON_FALSE, SCN_JSON_NULL
};
/* What the scanner expects next. */
enum scn_json_expect {
    SCN_EXPECT_VALUE, SCN_EXPECT_FIRST_VALUE, SCN_EXPECT_FIRST_KEY,
    SCN_EXPECT_AFTER_VALUE, SCN_EXPECT_NOTHING, SCN_EXPECT_BROKEN
};

typedef struct scn_json {
    const unsigned char *at, *end;
    const char *text;      /* the last string (raw, without quotes) or number */
    size_t text_len;
    int escaped;           /* the last string holds a backslash */
    int expect;
    size_t depth;
    unsigned char is_array[STRIPE_CONNECT_JSON_MAX_DEPTH];
} scn_json;

SCN_PRIVATE void scn_json_init(scn_json *j, const char *text, size_t len)
{
    j->at = (const unsigned char *)text;
    j->end = j->at + len;
    j->text = text;
    j->text_len = 0;
    j->escaped = 0;
    j->expect = SCN_EXPECT_VALUE;
    j->depth = 0;
}

SCN_PRIVATE int scn_json_fail(scn_json *j)
{
    j->expect = SCN_EXPECT_BROKEN;
    return SCN_JSON_ERROR;
}

SCN_PRIVATE void scn_json_skip_space(scn_json *j)
{
    while (j->at < j->end && (*j->at == ' ' || *j->at == '\n' || *j->at == '\r' || *j->at == '\t')) j->at++;
}

SCN_PRIVATE int scn_json_is_continuation(const unsigned char *p, const unsigned char *end, size_t n)
{
    size_t i;
    if ((size_t)(end - p) < n) return 0;
    for (i = 0; i < n; i++)
        if ((p[i] & 0xc0) != 0x80) return 0;
    return 1;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0. Refuses overlong forms,
   surrogates and code points above U+10FFFF. */
SCN_PRIVATE size_t scn_utf8_valid_length(const unsigned char *p, const unsigned char *end)
{
    unsigned char lead = p[0], second;
    size_t n;
    if (lead < 0xc2 || lead > 0xf4) return 0;
    n = scn_utf8_sequence_length(lead);
    if (!scn_json_is_continuation(p + 1, end, n - 1)) return 0;
    second = p[1];
    if ((lead == 0xe0 && second < 0xa0) || (lead == 0xed && second > 0x9f) ||
        (lead == 0xf0 && second < 0x90) || (lead == 0xf4 && second > 0x8f))
        return 0;
    return n;
}

/* Reads 4 hex digits at p into *unit. */
SCN_PRIVATE int scn_json_read_hex4(const unsigned char *p, const unsigned char *end, unsigned long *unit)
{
    size_t i;
    *unit = 0;
    if ((size_t)(end - p) < 4) return 0;
    for (i = 0; i < 4; i++) {
        int v = scn_hex_value(p[i]);
        if (v < 0) return 0;
        *unit = (*unit << 4) | (unsigned long)v;
    }
    return 1;
}

/* Checks an escape after its backslash; returns its length, or 0. A \u escape must form a whole
   character: a high surrogate only with the low one after it, a low one never alone. */
SCN_PRIVATE size_t scn_json_escape_length(const unsigned char *p, const unsigned char *end)
{
    unsigned long unit, low;
    if (p >= end) return 0;
    switch (*p) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': return 1;
    case 'u': break;
    default: return 0;
    }
    if (!scn_json_read_hex4(p + 1, end, &unit)) return 0;
    if (unit >= 0xdc00 && unit <= 0xdfff) return 0;
    if (unit < 0xd800 || unit > 0xdbff) return 5;
    if ((size_t)(end - p) < 7 || p[5] != '\\' || p[6] != 'u' || !scn_json_read_hex4(p + 7, end, &low) ||
        low < 0xdc00 || low > 0xdfff)
        return 0;
    return 11;
}

/* Scans a string after its opening quote. */
SCN_PRIVATE int scn_json_scan_string(scn_json *j)
{
    const unsigned char *p = j->at;
    j->escaped = 0;
    for (;;) {
        size_t n;
        while (p < j->end && (scn_char_class[*p] & SCN_JSON_PLAIN)) p++;
        if (p >= j->end || *p < 0x20) return 0;
        if (*p == '"') break;
        if (*p == '\\') {
            n = scn_json_escape_length(p + 1, j->end);
            if (n == 0) return 0;
            j->escaped = 1;
            p += 1 + n;
        } else {
            n = scn_utf8_valid_length(p, j->end);
            if (n == 0) return 0;
            p += n;
        }
    }
    j->text = (const char *)j->at;
    j->text_len = (size_t)(p - j->at);
    j->at = p + 1;
    return 1;
}

SCN_PRIVATE const unsigned char *scn_json_skip_digits(const unsigned char *p, const unsigned char *end)
{
    while (p < end && *p >= '0' && *p <= '9') p++;
    return p;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
SCN_PRIVATE int scn_json_scan_number(scn_json *j)
{
    const unsigned char *p = j->at, *end = j->end, *digits;
    if (p < end && *p == '-') p++;
    if (p < end && *p == '0') p++;
    else if (p < end && *p >= '1' && *p <= '9') p = scn_json_skip_digits(p, end);
    else return 0;
    if (p < end && *p == '.') {
        digits = ++p;
        p = scn_json_skip_digits(p, end);
        if (p == digits) return 0;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        digits = p;
        p = scn_json_skip_digits(p, end);
        if (p == digits) return 0;
    }
    j->text = (const char *)j->at;
    j->text_len = (size_t)(p - j->at);
    j->at = p;
    return 1;
}

SCN_PRIVATE int scn_json_scan_literal(scn_json *j, const char *word, int token)
{
    size_t n = STRIPE_CONNECT_STRLEN(word), i;
    if ((size_t)(j->end - j->at) < n) return scn_json_fail(j);
    for (i = 0; i < n; i++)
        if (j->at[i] != (unsigned char)word[i]) return scn_json_fail(j);
    j->at += n;
    return token;
}

/* A value ended: what comes next depends on whether a container is open. */
SCN_PRIVATE int scn_json_value_done(scn_json *j, int token)
{
    j->expect = j->depth > 0 ? SCN_EXPECT_AFTER_VALUE : SCN_EXPECT_NOTHING;
    return token;
}

SCN_PRIVATE int scn_json_open(scn_json *j, int is_array)
{
    if (j->depth >= STRIPE_CONNECT_JSON_MAX_DEPTH) return scn_json_fail(j);
    j->is_array[j->depth++] = (unsigned char)is_array;
    j->at++;
    j->expect = is_array ? SCN_EXPECT_FIRST_VALUE : SCN_EXPECT_FIRST_KEY;
    return is_array ? SCN_JSON_ARRAY : SCN_JSON_OBJECT;
}

SCN_PRIVATE int scn_json_close(scn_json *j)
{
    int was_array = j->is_array[--j->depth];
    j->at++;
    return scn_json_value_done(j, was_array ? SCN_JSON_ARRAY_END : SCN_JSON_OBJECT_END);
}

SCN_PRIVATE int scn_json_value(scn_json *j)
{
    switch (*j->at) {
    case '{': return scn_json_open(j, 0);
    case '[': return scn_json_open(j, 1);
    case '"':
        j->at++;
        if (!scn_json_scan_string(j)) return scn_json_fail(j);
        return scn_json_value_done(j, SCN_JSON_STRING);
    case 't': return scn_json_value_done(j, scn_json_scan_literal(j, "true", SCN_JSON_TRUE));
    case 'f': return scn_json_value_done(j, scn_json_scan_literal(j, "false", SCN_JSON_FALSE));
    case 'n': return scn_json_value_done(j, scn_json_scan_literal(j, "null", SCN_JSON_NULL));
    default:
        if (!scn_json_scan_number(j)) return scn_json_fail(j);
        return scn_json_value_done(j, SCN_JSON_NUMBER);
    }
}

SCN_PRIVATE int scn_json_key(scn_json *j)
{
    if (*j->at != '"') return scn_json_fail(j);
    j->at++;
    if (!scn_json_scan_string(j)) return scn_json_fail(j);
    scn_json_skip_space(j);
    if (j->at >= j->end || *j->at != ':') return scn_json_fail(j);
    j->at++;
    j->expect = SCN_EXPECT_VALUE;
    return SCN_JSON_KEY;
}

SCN_PRIVATE int scn_json_next(scn_json *j)
{
    int token;
    scn_json_skip_space(j);
    if (j->expect == SCN_EXPECT_BROKEN) return SCN_JSON_ERROR;
    if (j->expect == SCN_EXPECT_NOTHING) return j->at == j->end ? SCN_JSON_END : scn_json_fail(j);
    if (j->at >= j->end) return scn_json_fail(j);
    switch (j->expect) {
    case SCN_EXPECT_FIRST_KEY:
        if (*j->at == '}') return scn_json_close(j);
        return scn_json_key(j);
    case SCN_EXPECT_FIRST_VALUE:
        if (*j->at == ']') return scn_json_close(j);
        return scn_json_value(j);
    case SCN_EXPECT_VALUE:
        return scn_json_value(j);
    default:                                   /* SCN_EXPECT_AFTER_VALUE */
        break;
    }
    if (*j->at == (j->is_array[j->depth - 1] ? ']' : '}')) return scn_json_close(j);
    if (*j->at != ',') return scn_json_fail(j);
    j->at++;
    scn_json_skip_space(j);
    if (j->at >= j->end) return scn_json_fail(j);
    if (j->is_array[j->depth - 1]) {
        token = scn_json_value(j);
    } else {
        token = scn_json_key(j);
    }
    return token;
}

/* Skips the value whose first token was just read (all of it when it opens a container).
   Returns 0 when the document is not valid JSON. */
SCN_PRIVATE int scn_json_skip(scn_json *j, int token)
{
    size_t depth;
    if (token == SCN_JSON_ERROR || token == SCN_JSON_END) return 0;
    if (token != SCN_JSON_OBJECT && token != SCN_JSON_ARRAY) return 1;
    depth = j->depth - 1;
    do {
        token = scn_json_next(j);
        if (token == SCN_JSON_ERROR || token == SCN_JSON_END) return 0;
    } while (j->depth > depth);
    return 1;
}

/* Writes code point cp as UTF-8 into out[0..4); returns the number of bytes. */
SCN_PRIVATE size_t scn_utf8_encode(unsigned long cp, char *out)
{
    size_t n;
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) { out[0] = (char)(0xc0 | (cp >> 6)); n = 2; }
    else if (cp < 0x10000) { out[0] = (char)(0xe0 | (cp >> 12)); n = 3; }
    else { out[0] = (char)(0xf0 | (cp >> 18)); n = 4; }
    out[n - 1] = (char)(0x80 | (cp & 0x3f));
    if (n > 2) out[n - 2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    if (n > 3) out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    return n;
}

/* The last string token decoded one piece at a time: a run of plain bytes (pointing into the
   raw text) or one escape (decoded into buf). The scanner has checked the string, so every
   escape is whole. has_nul is set once a \u0000 has been decoded. */
typedef struct scn_json_pieces { const char *at, *end; char buf[4]; int has_nul; } scn_json_pieces;

SCN_PRIVATE void scn_json_pieces_init(scn_json_pieces *p, const scn_json *j)
{
    p->at = j->text;
    p->end = j->text + j->text_len;
    p->has_nul = 0;
}

/* The next piece into *piece; returns its length, 0 at the end. */
SCN_PRIVATE size_t scn_json_next_piece(scn_json_pieces *p, const char **piece)
{
    static const char plain[] = "\"\\/\b\f\n\r\t", escapes[] = "\"\\/bfnrt";
    const char *run = p->at;
    unsigned long cp, low;
    while (run < p->end && *run != '\\') run++;
    if (run > p->at || run == p->end) {
        *piece = p->at;
        p->at = run;
        return (size_t)(run - *piece);
    }
    *piece = p->buf;
    if (run[1] != 'u') {
        size_t i = 0;
        while (escapes[i] != run[1]) i++;
        p->buf[0] = plain[i];
        p->at = run + 2;
        return 1;
    }
    scn_json_read_hex4((const unsigned char *)run + 2, (const unsigned char *)p->end, &cp);
    p->at = run + 6;
    if (cp >= 0xd800 && cp <= 0xdbff) {
        scn_json_read_hex4((const unsigned char *)run + 8, (const unsigned char *)p->end, &low);
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        p->at = run + 12;
    }
    if (cp == 0) p->has_nul = 1;
    return scn_utf8_encode(cp, p->buf);
}

/* Decodes the last string token into w. *has_nul is set when it holds \u0000. */
SCN_PRIVATE void scn_json_put_string(const scn_json *j, stripe_connect_form *w, int *has_nul)
{
    scn_json_pieces p;
    const char *piece;
    size_t n;
    if (!j->escaped) {                                   /* the scanner saw no backslash */
        scn_put(w, j->text, j->text_len);
        return;
    }
    scn_json_pieces_init(&p, j);
    while ((n = scn_json_next_piece(&p, &piece)) > 0) scn_put(w, piece, n);
    if (p.has_nul) *has_nul = 1;
}

/* The last key, decoded into key[cap] (or "" when longer than any name the library looks for). */
SCN_PRIVATE void scn_json_key_name(const scn_json *j, char *key, size_t cap)
{
    stripe_connect_form w;
    int has_nul = 0;
    scn_writer_init(&w, key, cap);
    scn_json_put_string(j, &w, &has_nul);
    if (w.overflow || has_nul) w.len = 0;
    key[w.len] = '\0';
}

/* ---- Stripe's answers ---------------------------------------------------------------------------------------
   The token and deauthorize answers are read in one pass: known top-level fields are copied as
   they pass, "error" (a string for OAuth, an object for the API) is read into the error struct,
   everything else is skipped. Which result wins is decided at the end, in DESIGN.md's order. */
typedef struct scn_field {
    const char *name;
    size_t offset, size;   /* where it goes in the destination struct */
    int is_boolean;        /* 1: an int set from true/false; 0: a string */
    int required;          /* 1: a string must be present */
} scn_field;

#define SCN_TOKEN_STRING(name, required) \
    { #name, offsetof(stripe_connect_token, name), SCN_MEMBER_SIZE(stripe_connect_token, name), 0, required }
static const scn_field scn_token_fields[] = {
    SCN_TOKEN_STRING(access_token, 0), SCN_TOKEN_STRING(refresh_token, 0),
    SCN_TOKEN_STRING(stripe_publishable_key, 0), SCN_TOKEN_STRING(stripe_user_id, 1),
    SCN_TOKEN_STRING(scope, 0), SCN_TOKEN_STRING(token_type, 0),
    { "livemode", offsetof(stripe_connect_token, livemode), sizeof(int), 1, 0 }
};
#undef SCN_TOKEN_STRING
/* The deauthorize answer: {"stripe_user_id": "acct_..."}, read into a plain char array. */
static const scn_field scn_deauthorize_fields[] = {
    { "stripe_user_id", 0, STRIPE_CONNECT_FIELD_MAX, 0, 1 }
};

#define SCN_ERROR_STRING(name) \
    { #name, offsetof(stripe_connect_error, name), SCN_MEMBER_SIZE(stripe_connect_error, name), 0, 0 }
/* The fields of an API error object; error_description is the OAuth error's message. */
static const scn_field scn_api_error_fields[] = {
    SCN_ERROR_STRING(type), SCN_ERROR_STRING(code), SCN_ERROR_STRING(decline_code),
    SCN_ERROR_STRING(param), SCN_ERROR_STRING(message)
};
static const scn_field scn_oauth_error_code_field = SCN_ERROR_STRING(code);
static const scn_field scn_oauth_error_message_field =
    { "error_description", offsetof(stripe_connect_error, message), SCN_MEMBER_SIZE(stripe_connect_error, message), 0, 0 };
#undef SCN_ERROR_STRING

enum { SCN_ERROR_ABSENT, SCN_ERROR_IS_STRING, SCN_ERROR_IS_OBJECT };

typedef struct scn_answer {
    scn_json json;
    const scn_field *fields; size_t field_count;
    char *dest;                    /* the struct the fields go to */
    stripe_connect_error *err;     /* may be NULL */
    unsigned long seen, present;   /* bit i: fields[i] appeared / held a string or boolean */
    int wrong_shape;               /* a known field of the wrong type, too long, repeated, with NUL */
    int error_kind;
} scn_answer;

SCN_PRIVATE const scn_field *scn_find_field(const scn_field *fields, size_t count, const char *key)
{
    size_t i;
    for (i = 0; i < count; i++)
        if (scn_str_equal(key, fields[i].name)) return &fields[i];
    return NULL;
}

/* Copies the string token into an error field, cut at a UTF-8 boundary (and at a NUL). */
SCN_PRIVATE void scn_error_copy_text(scn_answer *a, const scn_field *f)
{
    stripe_connect_form w;
    int has_nul = 0;
    if (a->err == NULL) return;
    scn_writer_init(&w, (char *)a->err + f->offset, f->size);
    scn_json_put_string(&a->json, &w, &has_nul);
    scn_end_cut_text(&w);
}

/* Reads the next member of the object being read: its key into key[cap] (see
   scn_json_key_name) and its value's first token into *value. Returns 1 for a member, 0 at
   the end of the object, -1 when the document is not valid JSON. */
SCN_PRIVATE int scn_json_next_member(scn_json *j, char *key, size_t cap, int *value)
{
    int token = scn_json_next(j);
    if (token == SCN_JSON_OBJECT_END) return 0;
    if (token != SCN_JSON_KEY) return -1;
    scn_json_key_name(j, key, cap);
    *value = scn_json_next(j);
    return *value == SCN_JSON_ERROR ? -1 : 1;
}

/* Reads the members of the API error object that was just opened. */
SCN_PRIVATE int scn_answer_read_api_error(scn_answer *a)
{
    char key[16];
    int token, more;
    while ((more = scn_json_next_member(&a->json, key, sizeof key, &token)) > 0) {
        const scn_field *f =
            scn_find_field(scn_api_error_fields, sizeof scn_api_error_fields / sizeof scn_api_error_fields[0], key);
        if (f != NULL && token == SCN_JSON_STRING) scn_error_copy_text(a, f);
        else if (!scn_json_skip(&a->json, token)) return 0;
    }
    return more == 0;
}

/* The value of the top-level "error". Only the first one counts. */
SCN_PRIVATE int scn_answer_read_error(scn_answer *a, int token)
{
    if (a->error_kind == SCN_ERROR_ABSENT && token == SCN_JSON_STRING) {
        a->error_kind = SCN_ERROR_IS_STRING;
        scn_error_copy_text(a, &scn_oauth_error_code_field);
        return 1;
    }
    if (a->error_kind == SCN_ERROR_ABSENT && token == SCN_JSON_OBJECT) {
        a->error_kind = SCN_ERROR_IS_OBJECT;
        return scn_answer_read_api_error(a);
    }
    return scn_json_skip(&a->json, token);
}

/* The value of a known field: copied when of the right type, else the answer has the wrong shape. */
SCN_PRIVATE int scn_answer_read_field(scn_answer *a, const scn_field *f, int token)
{
    unsigned long bit = 1UL << (size_t)(f - a->fields);
    char *target = a->dest + f->offset;
    if (a->seen & bit) a->wrong_shape = 1;
    a->seen |= bit;
    if (f->is_boolean && (token == SCN_JSON_TRUE || token == SCN_JSON_FALSE)) {
        int value = token == SCN_JSON_TRUE;
        STRIPE_CONNECT_MEMCPY(target, &value, sizeof value);
        a->present |= bit;
    } else if (!f->is_boolean && token == SCN_JSON_STRING) {
        stripe_connect_form w;
        int has_nul = 0;
        scn_writer_init(&w, target, f->size);
        scn_json_put_string(&a->json, &w, &has_nul);
        if (w.overflow || has_nul) a->wrong_shape = 1;
        else target[w.len] = '\0';
        a->present |= bit;
    } else if (token != SCN_JSON_NULL) {
        a->wrong_shape = 1;
    }
    return scn_json_skip(&a->json, token);
}

/* Reads the members of the top-level object. Returns 0 when the body is not valid JSON. */
SCN_PRIVATE int scn_answer_read_members(scn_answer *a)
{
    char key[32];
    int token, more, ok;
    while ((more = scn_json_next_member(&a->json, key, sizeof key, &token)) > 0) {
        const scn_field *f = scn_find_field(a->fields, a->field_count, key);
        if (f != NULL) ok = scn_answer_read_field(a, f, token);
        else if (scn_str_equal(key, "error")) ok = scn_answer_read_error(a, token);
        else if (scn_str_equal(key, "error_description") && token == SCN_JSON_STRING) {
            scn_error_copy_text(a, &scn_oauth_error_message_field);
            ok = 1;
        } else ok = scn_json_skip(&a->json, token);
        if (!ok) return 0;
    }
    return more == 0;
}

SCN_PRIVATE int scn_answer_required_present(const scn_answer *a)
{
    size_t i;
    for (i = 0; i < a->field_count; i++)
        if (a->fields[i].required && !(a->present & (1UL << i))) return 0;
    return 1;
}

/* Clears what parsing wrote into the error struct; keeps the status and the Request-Id. */
SCN_PRIVATE void scn_error_keep_status_only(stripe_connect_error *err)
{
    int status;
    char request_id[sizeof err->request_id];
    if (err == NULL) return;
    status = err->http_status;
    STRIPE_CONNECT_MEMCPY(request_id, err->request_id, sizeof request_id);
    STRIPE_CONNECT_MEMSET(err, 0, sizeof *err);
    err->http_status = status;
    STRIPE_CONNECT_MEMCPY(err->request_id, request_id, sizeof request_id);
}

/* Starts a parse: the error holds only the status, the destination nothing. */
SCN_PRIVATE void scn_parse_begin(int http_status, void *dest, size_t dest_size, stripe_connect_error *err)
{
    if (dest != NULL) STRIPE_CONNECT_MEMSET(dest, 0, dest_size);
    if (err != NULL) {
        STRIPE_CONNECT_MEMSET(err, 0, sizeof *err);
        err->http_status = http_status;
    }
}

/* Parses an answer into dest (dest_size bytes, zeroed on every error) and err. */
SCN_PRIVATE stripe_connect_result scn_parse_answer(int http_status, const char *body, size_t len,
        const scn_field *fields, size_t field_count, char *dest, size_t dest_size, stripe_connect_error *err)
{
    scn_answer a;
    int token, valid, is_object;
    stripe_connect_result r;

    scn_parse_begin(http_status, dest, dest_size, err);
    STRIPE_CONNECT_MEMSET(&a, 0, sizeof a);
    scn_json_init(&a.json, body, len);
    a.fields = fields;
    a.field_count = field_count;
    a.dest = dest;
    a.err = err;

    token = scn_json_next(&a.json);
    is_object = token == SCN_JSON_OBJECT;
    valid = is_object ? scn_answer_read_members(&a) : scn_json_skip(&a.json, token);
    valid = valid && scn_json_next(&a.json) == SCN_JSON_END;

    if (valid && a.error_kind == SCN_ERROR_IS_STRING) {
        if (err != NULL) err->oauth_error = scn_oauth_error_from_name(err->code);
        r = STRIPE_CONNECT_ERR_OAUTH;
    } else if (valid && a.error_kind == SCN_ERROR_IS_OBJECT) {
        r = STRIPE_CONNECT_ERR_API;
    } else if (http_status < 200 || http_status > 299) {
        r = STRIPE_CONNECT_ERR_HTTP_STATUS;
    } else if (!valid) {
        r = STRIPE_CONNECT_ERR_MALFORMED_JSON;
    } else if (!is_object || a.wrong_shape || !scn_answer_required_present(&a)) {
        r = STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE;
    } else {
        r = STRIPE_CONNECT_OK;
    }
    if (r != STRIPE_CONNECT_ERR_OAUTH && r != STRIPE_CONNECT_ERR_API) scn_error_keep_status_only(err);
    if (r != STRIPE_CONNECT_OK) stripe_connect_wipe(dest, dest_size);
    return r;
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_parse_token_response(int http_status,
        const char *body, size_t len, stripe_connect_token *out, stripe_connect_error *err)
{
    if (out == NULL || (body == NULL && len > 0)) {
        scn_parse_begin(http_status, out, sizeof *out, err);   /* scn_parse_answer does it otherwise */
        return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    }
    return scn_parse_answer(http_status, body != NULL ? body : "", len, scn_token_fields,
                            sizeof scn_token_fields / sizeof scn_token_fields[0], (char *)out, sizeof *out, err);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_parse_deauthorize_response(int http_status,
        const char *body, size_t len, const char *stripe_user_id, stripe_connect_error *err)
{
    char answered[STRIPE_CONNECT_FIELD_MAX];
    stripe_connect_result r;
    if (stripe_user_id == NULL || (body == NULL && len > 0)) {
        scn_parse_begin(http_status, NULL, 0, err);
        return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    }
    r = scn_parse_answer(http_status, body != NULL ? body : "", len, scn_deauthorize_fields, 1,
                         answered, sizeof answered, err);
    if (r == STRIPE_CONNECT_OK && !scn_str_equal(answered, stripe_user_id)) r = STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE;
    stripe_connect_wipe(answered, sizeof answered);
    return r;
}

/* ---- Requests --------------------------------------------------------------------------------------------
   One builder per endpoint, shared by the blocking calls and the sans-I/O pairs. The URL, the
   Authorization value and the body are written one after the other into the caller's buffer,
   each ended by a NUL; the headers point at them and at the client's strings. */
SCN_PRIVATE unsigned long scn_timeout(const stripe_connect_client *c)
{
    return c->timeout_ms != 0 ? c->timeout_ms : STRIPE_CONNECT_DEFAULT_TIMEOUT_MS;
}

/* What every request to Stripe needs from the client. */
SCN_PRIVATE int scn_client_can_request(const stripe_connect_client *c)
{
    return scn_is_value(c->secret_key, 0) && scn_is_value(scn_connect_base(c), SCN_NO_SPACE) &&
           scn_is_optional_value(c->stripe_version, 0);
}

/* Checks p and names the grant's own parameter (*grant_key, *grant_value): "code" for
   authorization_code, "refresh_token" for refresh_token. One decision for the check and the
   body, so the body cannot take a parameter the check did not see. */
SCN_PRIVATE int scn_token_params_valid(const stripe_connect_token_params *p, const char **grant_key,
                                       const char **grant_value)
{
    size_t i;
    if (p->grant_type == NULL) return 0;
    if (scn_str_equal(p->grant_type, "authorization_code")) {
        *grant_key = "code";
        *grant_value = p->code;
    } else if (scn_str_equal(p->grant_type, "refresh_token")) {
        *grant_key = "refresh_token";
        *grant_value = p->refresh_token;
    } else {
        return 0;
    }
    if (*grant_value == NULL || (*grant_value)[0] == '\0') return 0;
    if (p->assert_capabilities_count > 0 && p->assert_capabilities == NULL) return 0;
    for (i = 0; i < p->assert_capabilities_count; i++)
        if (p->assert_capabilities[i] == NULL) return 0;
    return 1;
}

/* Starts a POST to connect_base + path: the URL, then "Bearer <key>" when with_authorization.
   Returns the offset of the Authorization value (or of the body when there is none). */
SCN_PRIVATE size_t scn_put_post_start(stripe_connect_form *w, const stripe_connect_client *c,
                                      const char *path, int with_authorization)
{
    size_t authorization_at;
    scn_put_base_and_path(w, scn_connect_base(c), path);
    scn_put_char(w, '\0');
    authorization_at = w->len;
    if (with_authorization) {
        scn_put(w, "Bearer ", 7);
        scn_put_str(w, c->secret_key);
        scn_put_char(w, '\0');
    }
    return authorization_at;
}

/* Ends the body and fills the prepared request; on overflow wipes buf and reports the size needed. */
SCN_PRIVATE stripe_connect_result scn_prepare_post(stripe_connect_form *w, const stripe_connect_client *c,
        size_t authorization_at, size_t body_at, size_t *out_len, stripe_connect_prepared_request *out)
{
    stripe_connect_header *h = out->headers;
    size_t body_len = w->len - body_at, used;
    stripe_connect_result r = scn_finish(w, &used);
    *out_len = used + 1;                                  /* with the body's NUL */
    if (r != STRIPE_CONNECT_OK) return r;
    if (authorization_at != body_at) {
        h->name = "Authorization"; h->value = w->buf + authorization_at; h++;
    }
    h->name = "Content-Type"; h->value = SCN_FORM_CONTENT_TYPE; h++;
    h->name = "User-Agent"; h->value = STRIPE_CONNECT_USER_AGENT; h++;
    if (c->stripe_version != NULL) {
        h->name = "Stripe-Version"; h->value = c->stripe_version; h++;
    }
    out->http.method = "POST";
    out->http.url = w->buf;
    out->http.headers = out->headers;
    out->http.header_count = (size_t)(h - out->headers);
    out->http.body = w->buf + body_at;
    out->http.body_len = body_len;
    out->http.timeout_ms = scn_timeout(c);
    return STRIPE_CONNECT_OK;
}

SCN_PRIVATE int scn_build_arguments_valid(const stripe_connect_client *c, const char *buf, size_t cap,
                                          size_t *out_len, stripe_connect_prepared_request *out)
{
    if (out_len != NULL) *out_len = 0;
    if (out != NULL) STRIPE_CONNECT_MEMSET(out, 0, sizeof *out);
    return c != NULL && out_len != NULL && out != NULL && (buf != NULL || cap == 0) && scn_client_can_request(c);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_token_request_build(const stripe_connect_client *c,
        const stripe_connect_token_params *p, char *buf, size_t cap, size_t *out_len,
        stripe_connect_prepared_request *out)
{
    stripe_connect_form w;
    size_t authorization_at, body_at, i;
    const char *grant_key = NULL, *grant_value = NULL;
    if (!scn_build_arguments_valid(c, buf, cap, out_len, out) || p == NULL ||
        !scn_token_params_valid(p, &grant_key, &grant_value))
        return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    scn_writer_init(&w, buf, cap);
    authorization_at = scn_put_post_start(&w, c, "/oauth/token", !c->secret_in_body);
    body_at = w.len;
    scn_put_pair(&w, body_at, "grant_type", p->grant_type);
    scn_put_pair(&w, body_at, grant_key, grant_value);
    scn_put_pair_if_set(&w, body_at, "scope", p->scope);
    for (i = 0; i < p->assert_capabilities_count; i++)
        scn_put_indexed_pair(&w, body_at, "assert_capabilities", i, p->assert_capabilities[i]);
    if (c->secret_in_body) scn_put_pair(&w, body_at, "client_secret", c->secret_key);
    return scn_prepare_post(&w, c, authorization_at, body_at, out_len, out);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_deauthorize_request_build(const stripe_connect_client *c,
        const char *stripe_user_id, char *buf, size_t cap, size_t *out_len,
        stripe_connect_prepared_request *out)
{
    stripe_connect_form w;
    size_t authorization_at, body_at;
    if (!scn_build_arguments_valid(c, buf, cap, out_len, out) || stripe_user_id == NULL ||
        stripe_user_id[0] == '\0' || c->client_id == NULL || c->client_id[0] == '\0')
        return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    scn_writer_init(&w, buf, cap);
    authorization_at = scn_put_post_start(&w, c, "/oauth/deauthorize", 1);   /* never in the body */
    body_at = w.len;
    scn_put_pair(&w, body_at, "client_id", c->client_id);
    scn_put_pair(&w, body_at, "stripe_user_id", stripe_user_id);
    return scn_prepare_post(&w, c, authorization_at, body_at, out_len, out);
}

/* ---- Calls ------------------------------------------------------------------------------------------------ */
STRIPE_CONNECT_API void stripe_connect_client_init(stripe_connect_client *c, char *work, size_t work_size)
{
    if (c == NULL) return;
    STRIPE_CONNECT_MEMSET(c, 0, sizeof *c);
    c->work = work;
    c->work_size = work != NULL ? work_size : 0;
    c->max_retries = 2;
}

SCN_PRIVATE int scn_client_can_call(const stripe_connect_client *c)
{
    return c != NULL && c->transport.perform != NULL && c->work != NULL && c->work_size > 0;
}

/* The transport is not trusted: only the results it may give pass, and only a sane response. */
SCN_PRIVATE stripe_connect_result scn_check_transport(stripe_connect_result r, const stripe_connect_http_response *res)
{
    switch (r) {
    case STRIPE_CONNECT_OK:
        if (res->status < 100 || res->status > 599 || res->body_len > res->body_cap)
            return STRIPE_CONNECT_ERR_TRANSPORT;
        return STRIPE_CONNECT_OK;
    case STRIPE_CONNECT_ERR_TRANSPORT: case STRIPE_CONNECT_ERR_TIMEOUT:
    case STRIPE_CONNECT_ERR_TLS: case STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE:
        return r;
    default:
        return STRIPE_CONNECT_ERR_TRANSPORT;
    }
}

/* Copies a Request-Id the transport may not have ended with a NUL. */
SCN_PRIVATE void scn_copy_request_id(char *dst, const char *src, size_t size)
{
    size_t n = 0;
    while (n + 1 < size && src[n] != '\0') n++;
    STRIPE_CONNECT_MEMCPY(dst, src, n);
    dst[n] = '\0';
}

/* Sends the request built at the start of the scratch buffer (used bytes); the response goes to
   the rest of it. */
SCN_PRIVATE stripe_connect_result scn_send(stripe_connect_client *c, const stripe_connect_prepared_request *req,
        size_t used, stripe_connect_http_response *res)
{
    STRIPE_CONNECT_MEMSET(res, 0, sizeof *res);
    res->body = c->work + used;
    res->body_cap = c->work_size - used;
    res->should_retry = -1;
    return scn_check_transport(c->transport.perform(c->transport.user, &req->http, res), res);
}

/* Records the transport's outcome in err. */
SCN_PRIVATE void scn_error_from_transport(stripe_connect_error *err, stripe_connect_result r,
                                          const stripe_connect_http_response *res)
{
    if (err == NULL) return;
    STRIPE_CONNECT_MEMSET(err, 0, sizeof *err);
    if (r == STRIPE_CONNECT_OK) err->http_status = res->status;
    scn_copy_request_id(err->request_id, res->request_id, sizeof err->request_id);
}

/* The answer parsers scn_call can use: out is the token, context the expected account. */
typedef stripe_connect_result (*scn_answer_parser)(const stripe_connect_http_response *res, void *out,
                                                   const void *context, stripe_connect_error *err);

SCN_PRIVATE stripe_connect_result scn_parse_token_answer(const stripe_connect_http_response *res, void *out,
                                                         const void *context, stripe_connect_error *err)
{
    (void)context;
    return stripe_connect_parse_token_response(res->status, res->body, res->body_len,
                                               (stripe_connect_token *)out, err);
}

SCN_PRIVATE stripe_connect_result scn_parse_deauthorize_answer(const stripe_connect_http_response *res,
        void *out, const void *context, stripe_connect_error *err)
{
    (void)out;
    return stripe_connect_parse_deauthorize_response(res->status, res->body, res->body_len,
                                                     (const char *)context, err);
}

/* Sends a built request once and reads the answer. */
SCN_PRIVATE stripe_connect_result scn_call(stripe_connect_client *c, const stripe_connect_prepared_request *req,
        size_t used, scn_answer_parser parse, void *out, const void *context, stripe_connect_error *err)
{
    stripe_connect_http_response res;
    char request_id[sizeof res.request_id];
    stripe_connect_result r = scn_send(c, req, used, &res);   /* once: a code sent twice revokes the connection */
    scn_error_from_transport(err, r, &res);
    if (r != STRIPE_CONNECT_OK) return r;
    scn_copy_request_id(request_id, res.request_id, sizeof request_id);
    r = parse(&res, out, context, err);
    /* The string only: the bytes of request_id past its NUL were never written. */
    if (err != NULL) scn_copy_request_id(err->request_id, request_id, sizeof err->request_id);
    return r;
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_token_call(stripe_connect_client *c,
        const stripe_connect_token_params *p, stripe_connect_token *out, stripe_connect_error *err)
{
    stripe_connect_prepared_request req;
    size_t used;
    stripe_connect_result r;

    if (err != NULL) STRIPE_CONNECT_MEMSET(err, 0, sizeof *err);
    if (out != NULL) STRIPE_CONNECT_MEMSET(out, 0, sizeof *out);
    if (c == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    if (!scn_client_can_call(c) || out == NULL) r = STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    else r = stripe_connect_token_request_build(c, p, c->work, c->work_size, &used, &req);
    if (r == STRIPE_CONNECT_OK) r = scn_call(c, &req, used, scn_parse_token_answer, out, NULL, err);
    stripe_connect_wipe(c->work, c->work_size);      /* every path, whatever it wrote */
    return r;
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_exchange_code(stripe_connect_client *c,
        const char *code, stripe_connect_token *out, stripe_connect_error *err)
{
    stripe_connect_token_params p;
    STRIPE_CONNECT_MEMSET(&p, 0, sizeof p);
    p.grant_type = "authorization_code";
    p.code = code;
    return stripe_connect_token_call(c, &p, out, err);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_refresh(stripe_connect_client *c,
        const char *refresh_token, const char *scope, stripe_connect_token *out, stripe_connect_error *err)
{
    stripe_connect_token_params p;
    STRIPE_CONNECT_MEMSET(&p, 0, sizeof p);
    p.grant_type = "refresh_token";
    p.refresh_token = refresh_token;
    p.scope = scope;
    return stripe_connect_token_call(c, &p, out, err);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_deauthorize(stripe_connect_client *c,
        const char *stripe_user_id, stripe_connect_error *err)
{
    stripe_connect_prepared_request req;
    size_t used;
    stripe_connect_result r;

    if (err != NULL) STRIPE_CONNECT_MEMSET(err, 0, sizeof *err);
    if (c == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    if (!scn_client_can_call(c)) r = STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    else r = stripe_connect_deauthorize_request_build(c, stripe_user_id, c->work, c->work_size, &used, &req);
    if (r == STRIPE_CONNECT_OK)
        r = scn_call(c, &req, used, scn_parse_deauthorize_answer, NULL, stripe_user_id, err);
    stripe_connect_wipe(c->work, c->work_size);      /* every path, whatever it wrote */
    return r;
}

/* ---- JSON lookup -----------------------------------------------------------------------------------------
   Walks the scanner down a dotted path ("data.0.id") and then on to the end of the document, so
   a value is only reported from a document that is valid JSON as a whole. */
/* 1 when the last key, decoded, equals segment[0..n). */
SCN_PRIVATE int scn_json_key_equals(const scn_json *j, const char *segment, size_t n)
{
    scn_json_pieces p;
    const char *piece;
    size_t length, i;
    scn_json_pieces_init(&p, j);
    while ((length = scn_json_next_piece(&p, &piece)) > 0) {
        if (length > n) return 0;
        for (i = 0; i < length; i++)
            if (piece[i] != segment[i]) return 0;
        segment += length;
        n -= length;
    }
    return n == 0;
}

/* A path segment as an array index: plain decimal, no sign, no leading zero. */
SCN_PRIVATE int scn_segment_index(const char *segment, size_t n, size_t *index)
{
    size_t i, value = 0;
    if (n == 0 || (n > 1 && segment[0] == '0')) return 0;
    for (i = 0; i < n; i++) {
        if (segment[i] < '0' || segment[i] > '9') return 0;
        if (value > ((size_t)-1 - 9) / 10) return 0;
        value = value * 10 + (size_t)(segment[i] - '0');
    }
    *index = value;
    return 1;
}

/* Moves from the container that token opened to its member named by segment; returns the
   member's first token, SCN_JSON_END when there is no such member, or SCN_JSON_ERROR. */
SCN_PRIVATE int scn_json_enter(scn_json *j, int token, const char *segment, size_t n)
{
    if (token == SCN_JSON_ARRAY) {
        size_t index = 0, position;
        if (!scn_segment_index(segment, n, &index)) return SCN_JSON_END;
        for (position = 0;; position++) {
            token = scn_json_next(j);
            if (token == SCN_JSON_ARRAY_END || token == SCN_JSON_ERROR) return token == SCN_JSON_ERROR ? token : SCN_JSON_END;
            if (position == index) return token;
            if (!scn_json_skip(j, token)) return SCN_JSON_ERROR;
        }
    }
    if (token != SCN_JSON_OBJECT) return SCN_JSON_END;
    for (;;) {
        int found;
        token = scn_json_next(j);
        if (token == SCN_JSON_OBJECT_END) return SCN_JSON_END;
        if (token != SCN_JSON_KEY) return SCN_JSON_ERROR;
        found = scn_json_key_equals(j, segment, n);
        token = scn_json_next(j);
        if (found || token == SCN_JSON_ERROR) return token;
        if (!scn_json_skip(j, token)) return SCN_JSON_ERROR;
    }
}

/* Finds path; *token is the value's first token. Returns OK, ERR_NOT_FOUND or
   ERR_MALFORMED_JSON (for what was read so far). */
SCN_PRIVATE stripe_connect_result scn_json_find(scn_json *j, const char *path, int *token)
{
    const char *segment = path;
    *token = scn_json_next(j);
    while (*token != SCN_JSON_ERROR) {
        size_t n = 0;
        while (segment[n] != '\0' && segment[n] != '.') n++;
        *token = scn_json_enter(j, *token, segment, n);
        if (*token == SCN_JSON_END) return STRIPE_CONNECT_ERR_NOT_FOUND;
        if (segment[n] == '\0') break;
        segment += n + 1;
    }
    return *token == SCN_JSON_ERROR ? STRIPE_CONNECT_ERR_MALFORMED_JSON : STRIPE_CONNECT_OK;
}

/* Reads the rest of the document: a result stands only if all of it is valid JSON. */
SCN_PRIVATE stripe_connect_result scn_json_finish(scn_json *j, int token, stripe_connect_result r)
{
    if (r == STRIPE_CONNECT_ERR_MALFORMED_JSON) return r;
    if (r != STRIPE_CONNECT_ERR_NOT_FOUND && !scn_json_skip(j, token)) return STRIPE_CONNECT_ERR_MALFORMED_JSON;
    do {
        token = scn_json_next(j);
        if (token == SCN_JSON_ERROR) return STRIPE_CONNECT_ERR_MALFORMED_JSON;
    } while (token != SCN_JSON_END);
    return r;
}

/* 1 when text[0..len) is one valid JSON document. */
SCN_PRIVATE int scn_json_valid(const char *text, size_t len)
{
    scn_json j;
    int token;
    scn_json_init(&j, text, len);
    do token = scn_json_next(&j); while (token != SCN_JSON_END && token != SCN_JSON_ERROR);
    return token == SCN_JSON_END;
}

SCN_PRIVATE int scn_path_valid(const char *path)
{
    size_t i;
    if (path == NULL || path[0] == '\0' || path[0] == '.') return 0;
    for (i = 0; path[i] != '\0'; i++)
        if (path[i] == '.' && (path[i + 1] == '.' || path[i + 1] == '\0')) return 0;
    return 1;
}

SCN_PRIVATE stripe_connect_result scn_json_lookup(scn_json *j, const char *json, size_t len, const char *path,
                                                  int *token)
{
    if ((json == NULL && len > 0) || !scn_path_valid(path)) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    scn_json_init(j, json != NULL ? json : "", len);
    return scn_json_find(j, path, token);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_json_get_string(const char *json, size_t len,
        const char *path, char *out, size_t cap, size_t *out_len)
{
    scn_json j;
    stripe_connect_form w;
    int token, has_nul = 0;
    stripe_connect_result r;
    if (out_len != NULL) *out_len = 0;
    if (out != NULL && cap > 0) out[0] = '\0';
    if (out_len == NULL || (out == NULL && cap > 0)) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    r = scn_json_lookup(&j, json, len, path, &token);
    if (r == STRIPE_CONNECT_ERR_INVALID_ARGUMENT) return r;
    scn_writer_init(&w, out, cap);
    if (r == STRIPE_CONNECT_OK && token != SCN_JSON_STRING) r = STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE;
    if (r == STRIPE_CONNECT_OK) {
        scn_json_put_string(&j, &w, &has_nul);
        if (has_nul) r = STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE;
    }
    r = scn_json_finish(&j, token, r);
    if (r == STRIPE_CONNECT_OK) return scn_finish(&w, out_len);
    stripe_connect_wipe(out, cap);
    return r;
}

/* 2^63, spelt so that C89 and C++98 need neither long long literals nor INT64_MAX. */
#define SCN_UINT64_HIGH_BIT ((uint64_t)1 << 63)

/* The last number token as an int64_t: integers only, without overflow. */
SCN_PRIVATE int scn_json_number_to_int64(const scn_json *j, int64_t *out)
{
    const char *s = j->text, *end = j->text + j->text_len;
    int negative = *s == '-';
    uint64_t value = 0;
    if (negative) s++;
    if (end - s > 19) return 0;                      /* JSON has no leading zeros; 19 digits fit */
    for (; s < end; s++) {
        if (*s < '0' || *s > '9') return 0;          /* a fraction or an exponent */
        value = value * 10 + (unsigned)(*s - '0');
    }
    if (value > SCN_UINT64_HIGH_BIT - (negative ? 0 : 1)) return 0;
    /* -(value - 1) - 1 reaches INT64_MIN without converting 2^63 to int64_t. */
    *out = !negative ? (int64_t)value : value == 0 ? 0 : -(int64_t)(value - 1) - 1;
    return 1;
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_json_get_int(const char *json, size_t len,
        const char *path, int64_t *out)
{
    scn_json j;
    int token;
    int64_t value = 0;
    stripe_connect_result r;
    if (out == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    *out = 0;
    r = scn_json_lookup(&j, json, len, path, &token);
    if (r == STRIPE_CONNECT_ERR_INVALID_ARGUMENT) return r;
    if (r == STRIPE_CONNECT_OK && (token != SCN_JSON_NUMBER || !scn_json_number_to_int64(&j, &value)))
        r = STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE;
    r = scn_json_finish(&j, token, r);
    if (r == STRIPE_CONNECT_OK) *out = value;
    return r;
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_json_get_bool(const char *json, size_t len,
        const char *path, int *out)
{
    scn_json j;
    int token;
    stripe_connect_result r;
    if (out == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    *out = 0;
    r = scn_json_lookup(&j, json, len, path, &token);
    if (r == STRIPE_CONNECT_ERR_INVALID_ARGUMENT) return r;
    if (r == STRIPE_CONNECT_OK && token != SCN_JSON_TRUE && token != SCN_JSON_FALSE)
        r = STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE;
    r = scn_json_finish(&j, token, r);
    if (r == STRIPE_CONNECT_OK) *out = token == SCN_JSON_TRUE;
    return r;
}

/* ---- The Stripe API ----------------------------------------------------------------------------------------
   A call is built once in the scratch buffer and sent up to 1 + max_retries times, byte for
   byte the same, so the idempotency key makes the retries safe. */
#define SCN_DEFAULT_API_BASE "https://api.stripe.com"
#define SCN_IDEMPOTENCY_KEY_MAX 255
#define SCN_RETRY_FIRST_DELAY_MS 500UL
#define SCN_RETRY_MAX_DELAY_MS 5000UL

SCN_PRIVATE int scn_api_params_valid(const stripe_connect_client *c, const stripe_connect_api_params *p)
{
    const char *key = p->access_token != NULL ? p->access_token : c->secret_key;
    int known_method = p->method != NULL && (scn_str_equal(p->method, "GET") || scn_str_equal(p->method, "POST") ||
                                             scn_str_equal(p->method, "DELETE"));
    return known_method && p->path != NULL && p->path[0] == '/' &&
           scn_is_value(p->path, SCN_NO_SPACE | SCN_NO_HASH) &&
           (p->params != NULL || p->params_len == 0) &&
           scn_is_printable(p->params, p->params_len, SCN_NO_SPACE | SCN_NO_HASH) &&
           scn_is_value(key, 0) && scn_is_optional_value(p->stripe_account, 0) &&
           scn_is_optional_value(p->idempotency_key, SCN_NO_SPACE) &&
           (p->idempotency_key == NULL || STRIPE_CONNECT_STRLEN(p->idempotency_key) <= SCN_IDEMPOTENCY_KEY_MAX) &&
           scn_is_value(c->api_base != NULL ? c->api_base : SCN_DEFAULT_API_BASE, SCN_NO_SPACE) &&
           scn_is_optional_value(c->stripe_version, 0) && scn_is_optional_value(c->app_name, SCN_NO_QUOTE) &&
           scn_is_optional_value(c->app_version, SCN_NO_QUOTE) && scn_is_optional_value(c->app_url, SCN_NO_QUOTE);
}

/* A UUID v4 in its 36-character form, from 16 random bytes. */
SCN_PRIVATE void scn_put_uuid4(stripe_connect_form *w, unsigned char *bytes)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;
    bytes[6] = (unsigned char)((bytes[6] & 0x0f) | 0x40);   /* version 4 */
    bytes[8] = (unsigned char)((bytes[8] & 0x3f) | 0x80);   /* variant 10xx */
    for (i = 0; i < 16; i++) {
        char pair[2];
        if (i == 4 || i == 6 || i == 8 || i == 10) scn_put_char(w, '-');
        pair[0] = hex[bytes[i] >> 4];
        pair[1] = hex[bytes[i] & 15];
        scn_put(w, pair, 2);
    }
}

SCN_PRIVATE void scn_put_user_agent(stripe_connect_form *w, const stripe_connect_client *c)
{
    scn_put_str(w, STRIPE_CONNECT_USER_AGENT);
    if (c->app_name != NULL) {
        scn_put_char(w, ' ');
        scn_put_str(w, c->app_name);
        if (c->app_version != NULL) { scn_put_char(w, '/'); scn_put_str(w, c->app_version); }
        if (c->app_url != NULL) { scn_put(w, " (", 2); scn_put_str(w, c->app_url); scn_put_char(w, ')'); }
    }
    scn_put_char(w, '\0');
}

SCN_PRIVATE void scn_put_json_member(stripe_connect_form *w, const char *name, const char *value)
{
    scn_put(w, ",\"", 2);
    scn_put_str(w, name);
    scn_put(w, "\":\"", 3);
    scn_put_str(w, value);
    scn_put_char(w, '"');
}

/* X-Stripe-Client-User-Agent: what the official libraries send, for Stripe's diagnostics. */
SCN_PRIVATE void scn_put_client_user_agent(stripe_connect_form *w, const stripe_connect_client *c)
{
    scn_put_str(w, "{\"bindings_version\":\"" STRIPE_CONNECT_VERSION "\",\"lang\":\"c\"");
    scn_put_json_member(w, "publisher", "stripe_connect.h");
    if (c->app_name != NULL) {
        scn_put_str(w, ",\"application\":{\"name\":\"");
        scn_put_str(w, c->app_name);
        scn_put_char(w, '"');
        if (c->app_version != NULL) scn_put_json_member(w, "version", c->app_version);
        if (c->app_url != NULL) scn_put_json_member(w, "url", c->app_url);
        scn_put_char(w, '}');
    }
    scn_put(w, "}", 2);                                     /* with its NUL */
}

/* Offsets of the texts an API request keeps in the scratch buffer. */
typedef struct scn_api_texts { size_t url, authorization, user_agent, client_user_agent, idempotency_key, body; } scn_api_texts;

SCN_PRIVATE void scn_api_header(stripe_connect_prepared_request *out, const char *name, const char *value)
{
    stripe_connect_header *h = &out->headers[out->http.header_count++];
    STRIPE_CONNECT_ASSERT(out->http.header_count <= STRIPE_CONNECT_MAX_HEADERS);
    h->name = name;
    h->value = value;
}

SCN_PRIVATE void scn_api_fill(const stripe_connect_client *c, const stripe_connect_api_params *p, int is_post,
                              const scn_api_texts *at, char *buf, size_t body_len, stripe_connect_prepared_request *out)
{
    out->http.method = p->method;
    out->http.url = buf + at->url;
    out->http.headers = out->headers;
    out->http.timeout_ms = scn_timeout(c);
    scn_api_header(out, "Authorization", buf + at->authorization);
    if (is_post) scn_api_header(out, "Content-Type", SCN_FORM_CONTENT_TYPE);
    scn_api_header(out, "User-Agent", buf + at->user_agent);
    scn_api_header(out, "X-Stripe-Client-User-Agent", buf + at->client_user_agent);
    if (c->stripe_version != NULL) scn_api_header(out, "Stripe-Version", c->stripe_version);
    if (p->stripe_account != NULL) scn_api_header(out, "Stripe-Account", p->stripe_account);
    if (at->idempotency_key != at->body) scn_api_header(out, "Idempotency-Key", buf + at->idempotency_key);
    if (is_post) {
        out->http.body = buf + at->body;
        out->http.body_len = body_len;
    }
}

/* Builds the request in c->work. uuid holds 16 random bytes when a key must be generated. */
SCN_PRIVATE stripe_connect_result scn_api_build(const stripe_connect_client *c, const stripe_connect_api_params *p,
        unsigned char *uuid, size_t *used, stripe_connect_prepared_request *out)
{
    stripe_connect_form w;
    scn_api_texts at;
    int is_post = scn_str_equal(p->method, "POST");
    stripe_connect_result r;

    STRIPE_CONNECT_MEMSET(out, 0, sizeof *out);
    scn_writer_init(&w, c->work, c->work_size);
    at.url = w.len;
    scn_put_base_and_path(&w, c->api_base != NULL ? c->api_base : SCN_DEFAULT_API_BASE, p->path);
    if (!is_post && p->params_len > 0) { scn_put_char(&w, '?'); scn_put(&w, p->params, p->params_len); }
    scn_put_char(&w, '\0');
    at.authorization = w.len;
    scn_put(&w, "Bearer ", 7);
    scn_put_str(&w, p->access_token != NULL ? p->access_token : c->secret_key);
    scn_put_char(&w, '\0');
    at.user_agent = w.len;
    scn_put_user_agent(&w, c);
    at.client_user_agent = w.len;
    scn_put_client_user_agent(&w, c);
    at.idempotency_key = w.len;
    if (p->idempotency_key != NULL) scn_put_str(&w, p->idempotency_key);
    else if (uuid != NULL) scn_put_uuid4(&w, uuid);
    if (w.len != at.idempotency_key) scn_put_char(&w, '\0');
    at.body = w.len;
    if (is_post && p->params_len > 0) scn_put(&w, p->params, p->params_len);
    r = scn_finish(&w, used);
    if (r != STRIPE_CONNECT_OK) return r;
    scn_api_fill(c, p, is_post, &at, c->work, *used - at.body, out);
    *used += 1;
    return STRIPE_CONNECT_OK;
}

/* Whether an attempt's outcome is worth another try, as Stripe's own libraries decide. */
SCN_PRIVATE int scn_api_should_retry(stripe_connect_result r, const stripe_connect_http_response *res)
{
    char code[16];
    size_t n;
    if (r == STRIPE_CONNECT_ERR_TRANSPORT || r == STRIPE_CONNECT_ERR_TIMEOUT) return 1;
    if (r != STRIPE_CONNECT_OK || res->should_retry == 0) return 0;
    if (res->should_retry == 1 || res->status == 409 || res->status >= 500) return 1;
    return res->status == 429 &&
           stripe_connect_json_get_string(res->body, res->body_len, "error.code", code, sizeof code, &n) ==
               STRIPE_CONNECT_OK &&
           scn_str_equal(code, "lock_timeout");
}

/* The wait before retry number attempt (1, 2, ...): 0.5 s doubling to 5 s, less up to half of
   it at random, never below 0.5 s. Without a random source there is no jitter. */
SCN_PRIVATE unsigned long scn_retry_delay_ms(stripe_connect_client *c, int attempt)
{
    unsigned long base = SCN_RETRY_FIRST_DELAY_MS, ms;
    unsigned char jitter[2] = { 0xff, 0xff };
    int i;
    for (i = 1; i < attempt && base < SCN_RETRY_MAX_DELAY_MS; i++) base *= 2;
    if (base > SCN_RETRY_MAX_DELAY_MS) base = SCN_RETRY_MAX_DELAY_MS;
    if (c->random == NULL || c->random(c->random_user, jitter, sizeof jitter) != 0) return base;
    ms = base / 2 + (base / 2) * (((unsigned long)jitter[0] << 8) | jitter[1]) / 65536UL;
    return ms < SCN_RETRY_FIRST_DELAY_MS ? SCN_RETRY_FIRST_DELAY_MS : ms;
}

/* Sends the built request until it succeeds, fails for good, or the retries are spent. */
SCN_PRIVATE stripe_connect_result scn_api_send(stripe_connect_client *c, const stripe_connect_prepared_request *req,
        char *out, size_t cap, stripe_connect_http_response *res)
{
    int attempt = 0;
    for (;;) {
        stripe_connect_result r;
        STRIPE_CONNECT_MEMSET(res, 0, sizeof *res);
        res->body = out;
        res->body_cap = cap - 1;                             /* room for the NUL */
        res->should_retry = -1;
        r = scn_check_transport(c->transport.perform(c->transport.user, &req->http, res), res);
        if (attempt >= c->max_retries || c->sleep == NULL || !scn_api_should_retry(r, res)) return r;
        attempt++;
        c->sleep(c->sleep_user, scn_retry_delay_ms(c, attempt));
    }
}

/* Draws the idempotency key when one is needed and builds the request. Its own frame, so the
   prepared request and the response are all scn_api_request keeps on the stack. */
SCN_PRIVATE SCN_NOINLINE stripe_connect_result scn_api_prepare(stripe_connect_client *c,
        const stripe_connect_api_params *p, size_t *used, stripe_connect_prepared_request *req)
{
    unsigned char uuid[16];
    int needs_key = p->idempotency_key == NULL && scn_str_equal(p->method, "POST");
    stripe_connect_result r;
    if (needs_key && c->random == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    if (needs_key && c->random(c->random_user, uuid, sizeof uuid) != 0) r = STRIPE_CONNECT_ERR_RANDOM;
    else r = scn_api_build(c, p, needs_key ? uuid : NULL, used, req);
    stripe_connect_wipe(uuid, sizeof uuid);
    return r;
}

/* The answer that arrived: a 2xx must be JSON; anything else is Stripe's error or a bare status. */
SCN_PRIVATE SCN_NOINLINE stripe_connect_result scn_api_read_answer(const stripe_connect_http_response *res,
                                                                   stripe_connect_error *err)
{
    stripe_connect_result r;
    if (res->status >= 200 && res->status <= 299)
        return scn_json_valid(res->body, res->body_len) ? STRIPE_CONNECT_OK : STRIPE_CONNECT_ERR_MALFORMED_JSON;
    /* Only ERR_OAUTH, ERR_API or ERR_HTTP_STATUS; an OAuth-style "error" string is an API error here. */
    r = scn_parse_answer(res->status, res->body, res->body_len, NULL, 0, NULL, 0, err);
    return r == STRIPE_CONNECT_ERR_OAUTH ? STRIPE_CONNECT_ERR_API : r;
}

SCN_PRIVATE stripe_connect_result scn_api_request(stripe_connect_client *c, const stripe_connect_api_params *p,
        char *out, size_t cap, size_t *out_len, stripe_connect_error *err)
{
    stripe_connect_prepared_request req;
    stripe_connect_http_response res;
    size_t used;
    stripe_connect_result r = scn_api_prepare(c, p, &used, &req);
    if (r != STRIPE_CONNECT_OK) return r;
    r = scn_api_send(c, &req, out, cap, &res);
    scn_error_from_transport(err, r, &res);
    if (r != STRIPE_CONNECT_OK) return r;
    out[res.body_len] = '\0';
    *out_len = res.body_len;
    r = scn_api_read_answer(&res, err);
    if (err != NULL) scn_copy_request_id(err->request_id, res.request_id, sizeof err->request_id);
    return r;
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_api_request(stripe_connect_client *c,
        const stripe_connect_api_params *p, char *out, size_t cap, size_t *out_len, stripe_connect_error *err)
{
    stripe_connect_result r;
    if (err != NULL) STRIPE_CONNECT_MEMSET(err, 0, sizeof *err);
    if (out_len != NULL) *out_len = 0;
    if (out != NULL && cap > 0) out[0] = '\0';
    if (c == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    if (!scn_client_can_call(c) || p == NULL || out == NULL || cap == 0 || out_len == NULL ||
        !scn_api_params_valid(c, p))
        r = STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    else
        r = scn_api_request(c, p, out, cap, out_len, err);
    if (r != STRIPE_CONNECT_OK && r != STRIPE_CONNECT_ERR_API && r != STRIPE_CONNECT_ERR_HTTP_STATUS)
        stripe_connect_wipe(out, cap);                /* no partial or unchecked body */
    stripe_connect_wipe(c->work, c->work_size);      /* every path, whatever it wrote */
    return r;
}

/* ---- SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104) ---------------------------------------------------------
   Byte-oriented, so the result does not depend on the machine's endianness; a 16-word rolling
   message schedule keeps the stack small. */
typedef struct scn_sha256 {
    uint32_t state[8];
    uint32_t bits_low, bits_high;   /* message length in bits, without 64-bit arithmetic */
    unsigned char block[64];
    size_t used;
} scn_sha256;

static const uint32_t scn_sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define SCN_ROTR(x, n) ((uint32_t)(((x) >> (n)) | ((x) << (32 - (n)))))

SCN_PRIVATE uint32_t scn_load_be32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

SCN_PRIVATE void scn_store_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

SCN_PRIVATE void scn_sha256_compress(uint32_t state[8], const unsigned char block[64])
{
    uint32_t w[16], v[8];
    size_t i;
    for (i = 0; i < 8; i++) v[i] = state[i];
    for (i = 0; i < 64; i++) {
        uint32_t t1, t2;
        if (i < 16) {
            w[i] = scn_load_be32(block + 4 * i);
        } else {
            uint32_t w15 = w[(i - 15) & 15], w2 = w[(i - 2) & 15];
            uint32_t s0 = SCN_ROTR(w15, 7) ^ SCN_ROTR(w15, 18) ^ (w15 >> 3);
            uint32_t s1 = SCN_ROTR(w2, 17) ^ SCN_ROTR(w2, 19) ^ (w2 >> 10);
            w[i & 15] = w[i & 15] + s0 + w[(i - 7) & 15] + s1;
        }
        t1 = v[7] + (SCN_ROTR(v[4], 6) ^ SCN_ROTR(v[4], 11) ^ SCN_ROTR(v[4], 25)) +
             ((v[4] & v[5]) ^ (~v[4] & v[6])) + scn_sha256_k[i] + w[i & 15];
        t2 = (SCN_ROTR(v[0], 2) ^ SCN_ROTR(v[0], 13) ^ SCN_ROTR(v[0], 22)) +
             ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
        v[7] = v[6]; v[6] = v[5]; v[5] = v[4]; v[4] = v[3] + t1;
        v[3] = v[2]; v[2] = v[1]; v[1] = v[0]; v[0] = t1 + t2;
    }
    for (i = 0; i < 8; i++) state[i] += v[i];
}

SCN_PRIVATE void scn_sha256_init(scn_sha256 *h)
{
    static const uint32_t initial[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
    };
    size_t i;
    for (i = 0; i < 8; i++) h->state[i] = initial[i];
    h->bits_low = h->bits_high = 0;
    h->used = 0;
}

SCN_PRIVATE void scn_sha256_update(scn_sha256 *h, const void *data, size_t n)
{
    const unsigned char *p = (const unsigned char *)data;
    while (n > 0) {
        size_t take = 64 - h->used < n ? 64 - h->used : n;
        uint32_t bits = (uint32_t)(take * 8);
        STRIPE_CONNECT_MEMCPY(h->block + h->used, p, take);
        h->used += take;
        p += take;
        n -= take;
        h->bits_low += bits;
        if (h->bits_low < bits) h->bits_high++;
        if (h->used == 64) {
            scn_sha256_compress(h->state, h->block);
            h->used = 0;
        }
    }
}

SCN_PRIVATE void scn_sha256_final(scn_sha256 *h, unsigned char digest[32])
{
    unsigned char length[8];
    size_t i;
    scn_store_be32(length, h->bits_high);
    scn_store_be32(length + 4, h->bits_low);
    scn_sha256_update(h, "\x80", 1);
    while (h->used != 56) scn_sha256_update(h, "", 1);   /* "" is one NUL byte */
    scn_sha256_update(h, length, 8);
    for (i = 0; i < 8; i++) scn_store_be32(digest + 4 * i, h->state[i]);
    stripe_connect_wipe(h, sizeof *h);
}

/* HMAC-SHA256: inner holds the keyed inner hash as data is added; outer_key the key XOR opad. */
typedef struct scn_hmac { scn_sha256 inner; unsigned char outer_key[64]; } scn_hmac;

SCN_PRIVATE void scn_hmac_init(scn_hmac *m, const unsigned char *key, size_t key_len)
{
    unsigned char block[64];
    size_t i;
    STRIPE_CONNECT_MEMSET(block, 0, sizeof block);
    if (key_len > sizeof block) {                        /* long keys are hashed first */
        scn_sha256_init(&m->inner);
        scn_sha256_update(&m->inner, key, key_len);
        scn_sha256_final(&m->inner, block);
    } else if (key_len > 0) {
        STRIPE_CONNECT_MEMCPY(block, key, key_len);
    }
    for (i = 0; i < 64; i++) {
        m->outer_key[i] = (unsigned char)(block[i] ^ 0x5c);
        block[i] = (unsigned char)(block[i] ^ 0x36);
    }
    scn_sha256_init(&m->inner);
    scn_sha256_update(&m->inner, block, sizeof block);
    stripe_connect_wipe(block, sizeof block);
}

SCN_PRIVATE void scn_hmac_final(scn_hmac *m, unsigned char mac[32])
{
    unsigned char inner_digest[32];
    scn_sha256_final(&m->inner, inner_digest);
    scn_sha256_init(&m->inner);
    scn_sha256_update(&m->inner, m->outer_key, sizeof m->outer_key);
    scn_sha256_update(&m->inner, inner_digest, sizeof inner_digest);
    scn_sha256_final(&m->inner, mac);
    stripe_connect_wipe(inner_digest, sizeof inner_digest);
    stripe_connect_wipe(m, sizeof *m);
}

STRIPE_CONNECT_API void stripe_connect_sha256(const void *data, size_t len, unsigned char digest[32])
{
    scn_sha256 h;
    if (digest == NULL || (data == NULL && len > 0)) return;
    scn_sha256_init(&h);
    scn_sha256_update(&h, data, len);
    scn_sha256_final(&h, digest);
}

STRIPE_CONNECT_API void stripe_connect_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
        unsigned char mac[32])
{
    scn_hmac m;
    if (mac == NULL || (key == NULL && key_len > 0) || (data == NULL && len > 0)) return;
    scn_hmac_init(&m, (const unsigned char *)key, key_len);
    scn_sha256_update(&m.inner, data, len);
    scn_hmac_final(&m, mac);
}

/* ---- Webhooks ------------------------------------------------------------------------------------------------
   Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<payload">>[,v1=...][,v0=...].
   The header is read twice (it is short): once for its shape and its timestamp, which the MAC
   needs, then once more to try every v1 against the MAC. The payload is hashed once. */
#define SCN_TIMESTAMP_DIGITS_MAX 18   /* any 18 digits fit an int64_t */

/* The next "key=value" entry of a signature header at *at; returns 0 at the end, -1 on an entry
   that is not key=value. */
SCN_PRIVATE int scn_signature_entry(const char **at, const char **key, size_t *key_len,
                                    const char **value, size_t *value_len)
{
    const char *s = *at;
    if (*s == '\0') return 0;
    *key = s;
    while (*s != '\0' && *s != '=' && *s != ',') s++;
    *key_len = (size_t)(s - *key);
    if (*s != '=' || *key_len == 0) return -1;
    *value = ++s;
    while (*s != '\0' && *s != ',') s++;
    *value_len = (size_t)(s - *value);
    if (*value_len == 0 || (*s == ',' && s[1] == '\0')) return -1;
    *at = *s == ',' ? s + 1 : s;
    return 1;
}

SCN_PRIVATE int scn_span_is(const char *s, size_t n, const char *word)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (word[i] != s[i]) return 0;
    return word[n] == '\0';
}

/* Finds the one timestamp and checks the shape. Returns 1 when the header can be used. */
SCN_PRIVATE int scn_signature_timestamp(const char *header, const char **t, size_t *t_len, int64_t *seconds)
{
    const char *key, *value;
    size_t key_len, value_len, i;
    int entry, timestamps = 0, signatures = 0;
    while ((entry = scn_signature_entry(&header, &key, &key_len, &value, &value_len)) > 0) {
        if (scn_span_is(key, key_len, "v1")) signatures++;
        if (!scn_span_is(key, key_len, "t")) continue;
        if (++timestamps > 1 || value_len > SCN_TIMESTAMP_DIGITS_MAX) return 0;
        *seconds = 0;
        for (i = 0; i < value_len; i++) {
            if (value[i] < '0' || value[i] > '9') return 0;
            *seconds = *seconds * 10 + (value[i] - '0');
        }
        *t = value;
        *t_len = value_len;
    }
    return entry == 0 && timestamps == 1 && signatures > 0;
}

/* 1 when hex (64 digits, either case) spells mac; the comparison takes the same time wherever
   they differ. */
SCN_PRIVATE int scn_hex_matches(const char *hex, size_t len, const unsigned char mac[32])
{
    unsigned char diff = 0;
    size_t i;
    if (len != 64) return 0;
    for (i = 0; i < 32; i++) {
        int high = scn_hex_value((unsigned char)hex[2 * i]), low = scn_hex_value((unsigned char)hex[2 * i + 1]);
        if (high < 0 || low < 0) return 0;
        diff = (unsigned char)(diff | (mac[i] ^ (unsigned)(high * 16 + low)));
    }
    return diff == 0;
}

SCN_PRIVATE int scn_within_tolerance(int64_t t, int64_t now, long tolerance_seconds)
{
    uint64_t distance = t > now ? (uint64_t)t - (uint64_t)now : (uint64_t)now - (uint64_t)t;
    return tolerance_seconds == 0 || distance <= (uint64_t)tolerance_seconds;
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_webhook_verify(const char *payload, size_t payload_len,
        const char *signature_header, const char *endpoint_secret, long tolerance_seconds, int64_t now_unix)
{
    scn_hmac m;
    unsigned char mac[32];
    const char *t = NULL, *at, *key, *value;
    size_t t_len = 0, key_len, value_len;
    int64_t seconds = 0;
    int matched = 0;

    if ((payload == NULL && payload_len > 0) || signature_header == NULL || endpoint_secret == NULL ||
        tolerance_seconds < 0)
        return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    if (!scn_signature_timestamp(signature_header, &t, &t_len, &seconds)) return STRIPE_CONNECT_ERR_SIGNATURE;

    scn_hmac_init(&m, (const unsigned char *)endpoint_secret, STRIPE_CONNECT_STRLEN(endpoint_secret));
    scn_sha256_update(&m.inner, t, t_len);
    scn_sha256_update(&m.inner, ".", 1);
    scn_sha256_update(&m.inner, payload != NULL ? payload : "", payload_len);
    scn_hmac_final(&m, mac);

    at = signature_header;
    while (scn_signature_entry(&at, &key, &key_len, &value, &value_len) > 0)
        if (scn_span_is(key, key_len, "v1")) matched |= scn_hex_matches(value, value_len, mac);   /* tries all */
    stripe_connect_wipe(mac, sizeof mac);
    if (!matched || !scn_within_tolerance(seconds, now_unix, tolerance_seconds)) return STRIPE_CONNECT_ERR_SIGNATURE;
    return STRIPE_CONNECT_OK;
}

/* 1 when the value at path is null (the document is known to be valid JSON). */
SCN_PRIVATE int scn_json_is_null(const char *json, size_t len, const char *path)
{
    scn_json j;
    int token;
    return scn_json_lookup(&j, json, len, path, &token) == STRIPE_CONNECT_OK && token == SCN_JSON_NULL;
}

/* Copies a string at path; an optional one may be absent or null (as in the token parser): "". */
SCN_PRIVATE stripe_connect_result scn_event_field(const char *payload, size_t len, const char *path, char *out,
                                                  size_t cap, int required)
{
    size_t n;
    stripe_connect_result r = stripe_connect_json_get_string(payload, len, path, out, cap, &n);
    if (!required && (r == STRIPE_CONNECT_ERR_NOT_FOUND ||
                      (r == STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE && scn_json_is_null(payload, len, path))))
        return STRIPE_CONNECT_OK;
    if (r == STRIPE_CONNECT_ERR_NOT_FOUND || r == STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL) return STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE;
    return r;
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_webhook_event_read(const char *payload, size_t len,
        stripe_connect_webhook_event *out)
{
    stripe_connect_result r;
    if (out != NULL) STRIPE_CONNECT_MEMSET(out, 0, sizeof *out);
    if (out == NULL || (payload == NULL && len > 0)) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    r = scn_event_field(payload, len, "id", out->id, sizeof out->id, 1);
    if (r == STRIPE_CONNECT_OK) r = scn_event_field(payload, len, "type", out->type, sizeof out->type, 1);
    if (r == STRIPE_CONNECT_OK) r = scn_event_field(payload, len, "account", out->account, sizeof out->account, 0);
    if (r == STRIPE_CONNECT_OK)
        r = scn_event_field(payload, len, "data.object.id", out->object_id, sizeof out->object_id, 0);
    if (r != STRIPE_CONNECT_OK) STRIPE_CONNECT_MEMSET(out, 0, sizeof *out);
    return r;
}

#endif /* STRIPE_CONNECT_IMPLEMENTATION_INCLUDED */
#endif /* STRIPE_CONNECT_IMPLEMENTATION */

/*
REVISION HISTORY
   0.1.0 (2026-11-30)  First release: authorize URL, redirect and state, code exchange, refresh,
                       deauthorize, the sans-I/O request builders and response parsers; API
                       requests with idempotency keys and retries; JSON lookup by path.

   Additions to the design contract, with their reasons:
   - STRIPE_CONNECT_ERR_RANDOM: a random callback that fails (a CSPRNG not seeded yet on a
     device) is a condition to retry later, not an invalid argument.
   - stripe_connect_form.invalid_argument: a NULL key or value must be reported by finish,
     and add has no result of its own.
   - One trailing '/' of connect_base and api_base is dropped, so "https://host/" works as well
     as "https://host".
   - STRIPE_CONNECT_ERR_NOT_FOUND: the JSON lookup's "no value at this path" differs from "a
     value of the wrong type" (ERR_UNEXPECTED_RESPONSE), and callers act differently on each.
   - stripe_connect_token_call / stripe_connect_token_params: the general /oauth/token call that
     carries assert_capabilities[]; stripe_connect_*_request_build and
     stripe_connect_parse_deauthorize_response complete the sans-I/O pairs.

LICENCE
   This software is available under two licences; choose whichever you prefer.

   ALTERNATIVE A - MIT License
   Copyright (c) 2026 the stripe_connect.h authors
   Permission is hereby granted, free of charge, to any person obtaining a copy of this software
   and associated documentation files (the "Software"), to deal in the Software without
   restriction, including without limitation the rights to use, copy, modify, merge, publish,
   distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
   Software is furnished to do so, subject to the following conditions:
   The above copyright notice and this permission notice shall be included in all copies or
   substantial portions of the Software.
   THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
   BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
   NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
   DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
   OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

   ALTERNATIVE B - Public Domain (www.unlicense.org)
   This is free and unencumbered software released into the public domain. Anyone is free to
   copy, modify, publish, use, compile, sell, or distribute this software, either in source code
   form or as a compiled binary, for any purpose, commercial or non-commercial, and by any means.
   In jurisdictions that recognize copyright laws, the author or authors of this software
   dedicate any and all copyright interest in the software to the public domain. We make this
   dedication for the benefit of the public at large and to the detriment of our heirs and
   successors. We intend this dedication to be an overt act of relinquishment in perpetuity of
   all present and future rights to this software under copyright law.
   THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
   BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
   NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
   LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
   CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
*/
