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
   STRIPE_CONNECT_MEMSET(p,v,n)    > all three or none (default: <string.h>; under
   STRIPE_CONNECT_STRLEN(s)       /  STRIPE_CONNECT_NO_STDLIB, see the next line)
   STRIPE_CONNECT_NO_STDLIB       use only <stddef.h> and <stdint.h> (freestanding targets):
                                  memcpy and memset are the environment's, which GCC and
                                  clang require of it anyway (other compilers: loops);
                                  strlen is a loop
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
    /* Appended to the User-Agent of API calls when set: " <name>[/<version>][ (<url>)]". */
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
#  define SCN_NOINLINE __attribute__((noinline))   /* keeps a stage's locals out of its caller's frame,
                                                       or one copy of a helper where inlined copies
                                                       would cost more code (each use says which) */
#else
#  define SCN_PRIVATE static
#  define SCN_NOINLINE
#endif

#if defined(STRIPE_CONNECT_MEMCPY) || defined(STRIPE_CONNECT_MEMSET) || defined(STRIPE_CONNECT_STRLEN)
#  if !defined(STRIPE_CONNECT_MEMCPY) || !defined(STRIPE_CONNECT_MEMSET) || !defined(STRIPE_CONNECT_STRLEN)
#    error "stripe_connect.h: define STRIPE_CONNECT_MEMCPY, STRIPE_CONNECT_MEMSET and STRIPE_CONNECT_STRLEN together, or none of them"
#  endif
#elif defined(STRIPE_CONNECT_NO_STDLIB)
/* Freestanding builds. GCC and clang require every freestanding environment to provide memcpy
   and memset (they call them themselves, for struct copies and zeroing), so those two are the
   environment's; other compilers get plain loops. strlen is never required: always a loop. */
#  if defined(__GNUC__) || defined(__clang__)
#    define STRIPE_CONNECT_MEMCPY(d, s, n) __builtin_memcpy((d), (s), (n))
#    define STRIPE_CONNECT_MEMSET(p, v, n) __builtin_memset((p), (v), (n))
#  else
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
#    define STRIPE_CONNECT_MEMCPY(d, s, n) scn_memcpy((d), (s), (n))
#    define STRIPE_CONNECT_MEMSET(p, v, n) scn_memset((p), (v), (n))
#  endif
SCN_PRIVATE size_t scn_strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}
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
    if (p == NULL) return;
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
   capacity, so a failed call can still report the whole length needed. invalid_argument marks
   input that must be refused (a NULL key or value, a bad percent-escape); scn_finish reports it. */

/* The start of every function with the (out, cap, *out_len) form: clears both, so that each error
   leaves out "" and *out_len 0. Returns 0 when they cannot be used (no out_len, or no out for cap). */
SCN_PRIVATE int scn_start_output(char *out, size_t cap, size_t *out_len)
{
    if (out_len != NULL) *out_len = 0;
    if (out != NULL && cap > 0) out[0] = '\0';
    return out_len != NULL && (out != NULL || cap == 0);
}

/* SCN_NOINLINE here and on the other small helpers below: one copy serves all their callers. */
SCN_PRIVATE SCN_NOINLINE void scn_writer_init(stripe_connect_form *w, char *buf, size_t cap)
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
    if (n > room) w->overflow = 1;
    else room = n;                                    /* what is copied */
    if (room > 0) STRIPE_CONNECT_MEMCPY(w->buf + w->len, s, room);
    w->len = n <= (size_t)-1 - w->len ? w->len + n : (size_t)-1;   /* saturates, never wraps */
}

/* scn_put of one byte, on its own because it is the hot path of encoding and decoding. */
SCN_PRIVATE void scn_put_char(stripe_connect_form *w, char ch)
{
    if (w->cap > 0 && w->len < w->cap - 1) w->buf[w->len] = ch;
    else w->overflow = 1;
    if (w->len != (size_t)-1) w->len++;
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

/* Ends the text with its NUL. When the input was refused or the text did not fit, the whole buffer
   is wiped (no truncated text, no secret left behind) and *out_len is 0 or the length needed. */
SCN_PRIVATE stripe_connect_result scn_finish(stripe_connect_form *w, size_t *out_len)
{
    stripe_connect_result r = STRIPE_CONNECT_OK;
    *out_len = w->len;
    if (w->invalid_argument) {
        r = STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
        *out_len = 0;
    } else if (w->len >= w->cap) {                   /* as after every overflow, and with cap 0 */
        r = STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL;
    }
    if (r == STRIPE_CONNECT_OK) w->buf[w->len] = '\0';
    else stripe_connect_wipe(w->buf, w->cap);
    return r;
}

/* ---- Percent-encoding ------------------------------------------------------------------------------ */
static const char scn_hex_upper[] = "0123456789ABCDEF";

/* One lookup per byte on the hot paths (URL encoding, JSON string scanning, the checks on the
   client's strings). */
enum {
    SCN_JSON_PLAIN = 1,    /* a JSON string byte needing no check */
    SCN_UNRESERVED = 2,    /* A-Z a-z 0-9 - . _ ~ */
    SCN_KEY_BRACKET = 4,   /* '[' and ']', which stay as they are in form keys */
    /* the bytes scn_is_printable can be told to refuse: */
    SCN_NO_SPACE = 8,      /* ' ' */
    SCN_NO_HASH = 16,      /* '#' */
    SCN_NO_QUOTE = 32      /* '"' and '\\' */
};
static const unsigned char scn_char_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    9, 1, 32, 17, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 1,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1,
    1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 5, 32, 5, 1, 3,
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

/* Keys keep '[' and ']' so that nested keys read as Stripe documents them. The bytes that stay as
   they are go in runs, the fast path for URLs. */
SCN_PRIVATE void scn_put_encoded(stripe_connect_form *w, const char *s, size_t n, int is_key)
{
    unsigned keep = is_key ? SCN_UNRESERVED | SCN_KEY_BRACKET : SCN_UNRESERVED;
    size_t start = 0, end;
    for (;;) {
        for (end = start; end < n && (scn_char_class[(unsigned char)s[end]] & keep); end++) {}
        scn_put(w, s + start, end - start);
        if (end == n) return;
        scn_put_char(w, '%');
        scn_put_char(w, scn_hex_upper[(unsigned char)s[end] >> 4]);
        scn_put_char(w, scn_hex_upper[(unsigned char)s[end] & 15]);
        start = end + 1;
    }
}

SCN_PRIVATE int scn_hex_value(unsigned char ch)
{
    unsigned digit = (unsigned)ch - '0';
    unsigned letter = ((unsigned)ch | 0x20) - 'a';   /* | 0x20 folds 'A'..'F' onto 'a'..'f' */
    if (digit < 10) return (int)digit;
    if (letter < 6) return (int)letter + 10;
    return -1;
}

/* Decodes form-encoded text into w: %XX (either case) becomes the byte, '+' a space. A '%' without
   two hex digits marks w invalid_argument and ends the decoding. Returns 1 when the decoded text holds a NUL:
   a %00, or a NUL byte in s itself (found by fuzzing: a raw NUL inside n bytes slipped past the
   check and cut the field short); else 0. */
SCN_PRIVATE int scn_put_decoded(stripe_connect_form *w, const char *s, size_t n)
{
    size_t i;
    int has_nul = 0;
    for (i = 0; i < n; i++) {
        int ch = (unsigned char)s[i];
        if (ch == '+') {
            ch = ' ';
        } else if (ch == '%') {
            int high = i + 2 < n ? scn_hex_value((unsigned char)s[i + 1]) : -1;
            int low = high >= 0 ? scn_hex_value((unsigned char)s[i + 2]) : -1;
            if (low < 0) {
                w->invalid_argument = 1;
                break;
            }
            ch = high * 16 + low;
            i += 2;
        }
        if (ch == 0) has_nul = 1;
        scn_put_char(w, (char)ch);
    }
    return has_nul;
}

/* percent_encode and percent_decode, which differ only in the direction. */
SCN_PRIVATE SCN_NOINLINE stripe_connect_result scn_percent_code(const char *in, size_t in_len, char *out, size_t cap,
                                                                size_t *out_len, int decode)
{
    stripe_connect_form w;
    if (!scn_start_output(out, cap, out_len) || in == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    scn_writer_init(&w, out, cap);
    if (decode)
        (void)scn_put_decoded(&w, in, in_len);   /* NULs are fine here: *out_len counts them */
    else
        scn_put_encoded(&w, in, in_len, 0);
    return scn_finish(&w, out_len);              /* ERR_INVALID_ARGUMENT after a bad escape */
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_percent_encode(const char *in, size_t in_len,
        char *out, size_t cap, size_t *out_len)
{
    return scn_percent_code(in, in_len, out, cap, out_len, 0);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_percent_decode(const char *in, size_t in_len,
        char *out, size_t cap, size_t *out_len)
{
    return scn_percent_code(in, in_len, out, cap, out_len, 1);
}

/* ---- Form builder ---------------------------------------------------------------------------------- */
/* Appends s encoded. A NULL s is refused: scn_finish then reports ERR_INVALID_ARGUMENT. */
SCN_PRIVATE void scn_put_encoded_text(stripe_connect_form *w, const char *s, int is_key)
{
    if (s == NULL) w->invalid_argument = 1;
    else scn_put_encoded(w, s, STRIPE_CONNECT_STRLEN(s), is_key);
}

#define SCN_NO_INDEX ((size_t)-1)   /* no list has that many entries */

/* Appends name[index]=value, the form Stripe uses for list parameters, or name=value with index
   SCN_NO_INDEX; with '&' before it unless it is the first pair after body_start. A NULL name or
   value is refused (scn_finish reports ERR_INVALID_ARGUMENT). */
SCN_PRIVATE void scn_put_indexed_pair(stripe_connect_form *w, size_t body_start, const char *name,
                                      size_t index, const char *value)
{
    if (w->len > body_start) scn_put_char(w, '&');
    scn_put_encoded_text(w, name, 1);
    if (index != SCN_NO_INDEX) {
        scn_put_char(w, '[');
        scn_put_decimal(w, index);
        scn_put_char(w, ']');
    }
    scn_put_char(w, '=');
    scn_put_encoded_text(w, value, 0);
}

/* Appends key=value, as above. */
SCN_PRIVATE SCN_NOINLINE void scn_put_pair(stripe_connect_form *w, size_t body_start, const char *key,
                                           const char *value)
{
    scn_put_indexed_pair(w, body_start, key, SCN_NO_INDEX, value);
}

STRIPE_CONNECT_API void stripe_connect_form_init(stripe_connect_form *f, char *buf, size_t cap)
{
    if (f == NULL) return;
    scn_writer_init(f, buf, cap);
    if (f->cap > 0) f->buf[0] = '\0';
}

STRIPE_CONNECT_API void stripe_connect_form_add(stripe_connect_form *f, const char *key, const char *value)
{
    if (f != NULL) scn_put_pair(f, 0, key, value);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_form_finish(stripe_connect_form *f, size_t *out_len)
{
    if (f == NULL || out_len == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    return scn_finish(f, out_len);
}

/* ---- Checks on the client's strings ----------------------------------------------------------------
   Everything the caller hands over for a header, a URL or a JSON string must be printable ASCII,
   so it cannot end the header (CR, LF), the URL (space, '#') or the string ('"', '\\'): forbidden
   holds SCN_NO_SPACE, SCN_NO_HASH and SCN_NO_QUOTE (scn_char_class marks those bytes). */

SCN_PRIVATE SCN_NOINLINE int scn_is_printable(const char *s, size_t n, unsigned forbidden)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch > 0x7e || (scn_char_class[ch] & forbidden)) return 0;
    }
    return 1;
}

/* A value that must be set: non-empty and printable. */
SCN_PRIVATE int scn_is_value(const char *s, unsigned forbidden)
{
    return s != NULL && s[0] != '\0' && scn_is_printable(s, STRIPE_CONNECT_STRLEN(s), forbidden);
}

SCN_PRIVATE SCN_NOINLINE const char *scn_connect_base(const stripe_connect_client *c)
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
#define SCN_AUTHORIZE_QUERY "/oauth/authorize?response_type=code&client_id="

/* The optional parameters, in the order the URL carries them. A flag (always_prompt) is an int
   sent as "true" when set; every other one is a string, sent when it is not NULL. */
typedef struct scn_authorize_param {
    const char *key;
    unsigned short offset;   /* of its field in stripe_connect_authorize_params */
    unsigned char is_flag;
} scn_authorize_param;
#define SCN_AUTHORIZE_FIELD(name) { #name, offsetof(stripe_connect_authorize_params, name), 0 }
#define SCN_USER_FIELD(name) { "stripe_user[" #name "]", offsetof(stripe_connect_authorize_params, stripe_user) + \
                               offsetof(stripe_connect_stripe_user, name), 0 }
static const scn_authorize_param scn_authorize_params[] = {
    SCN_AUTHORIZE_FIELD(scope), SCN_AUTHORIZE_FIELD(redirect_uri), SCN_AUTHORIZE_FIELD(state),
    SCN_AUTHORIZE_FIELD(stripe_landing),
    { "always_prompt", offsetof(stripe_connect_authorize_params, always_prompt), 1 },
    SCN_USER_FIELD(email), SCN_USER_FIELD(url), SCN_USER_FIELD(country), SCN_USER_FIELD(phone_number),
    SCN_USER_FIELD(business_name), SCN_USER_FIELD(business_type), SCN_USER_FIELD(first_name),
    SCN_USER_FIELD(last_name), SCN_USER_FIELD(dob_day), SCN_USER_FIELD(dob_month), SCN_USER_FIELD(dob_year),
    SCN_USER_FIELD(street_address), SCN_USER_FIELD(city), SCN_USER_FIELD(state), SCN_USER_FIELD(zip),
    SCN_USER_FIELD(physical_product), SCN_USER_FIELD(product_description), SCN_USER_FIELD(currency),
    SCN_USER_FIELD(first_name_kana), SCN_USER_FIELD(first_name_kanji), SCN_USER_FIELD(last_name_kana),
    SCN_USER_FIELD(last_name_kanji), SCN_USER_FIELD(gender), SCN_USER_FIELD(block_kana),
    SCN_USER_FIELD(block_kanji), SCN_USER_FIELD(building_kana), SCN_USER_FIELD(building_kanji)
};
#undef SCN_AUTHORIZE_FIELD
#undef SCN_USER_FIELD

/* The value to send for param, or NULL when it is not set. */
SCN_PRIVATE const char *scn_authorize_param_value(const stripe_connect_authorize_params *p,
                                                  const scn_authorize_param *param)
{
    const void *field = (const char *)p + param->offset;
    if (param->is_flag) return *(const int *)field ? "true" : NULL;
    return *(const char *const *)field;
}

SCN_PRIVATE SCN_NOINLINE void scn_put_pair_if_set(stripe_connect_form *w, size_t start, const char *key, const char *value)
{
    if (value != NULL) scn_put_pair(w, start, key, value);
}

/* Every pair after response_type and client_id (so each starts with '&'). A NULL capability or
   extra key/value, or a count without its array, marks w invalid_argument: the writer refuses a
   missing array as it does a NULL value, and the lists stop at the first refusal. */
SCN_PRIVATE void scn_put_authorize_params(stripe_connect_form *w, const stripe_connect_authorize_params *p)
{
    size_t i;
    for (i = 0; i < sizeof scn_authorize_params / sizeof scn_authorize_params[0]; i++)
        scn_put_pair_if_set(w, 0, scn_authorize_params[i].key, scn_authorize_param_value(p, &scn_authorize_params[i]));
    for (i = 0; i < p->suggested_capabilities_count && !w->invalid_argument; i++)
        scn_put_indexed_pair(w, 0, "suggested_capabilities", i,
                             p->suggested_capabilities != NULL ? p->suggested_capabilities[i] : NULL);
    for (i = 0; i < p->extra_count && !w->invalid_argument; i++)
        if (p->extra == NULL) w->invalid_argument = 1;
        else scn_put_pair(w, 0, p->extra[i].key, p->extra[i].value);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_authorize_url(const stripe_connect_client *c,
        const stripe_connect_authorize_params *p, char *out, size_t cap, size_t *out_len)
{
    stripe_connect_form w;
    if (!scn_start_output(out, cap, out_len) || c == NULL || c->client_id == NULL || c->client_id[0] == '\0' ||
        !scn_is_value(scn_connect_base(c), SCN_NO_SPACE))
        return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    scn_writer_init(&w, out, cap);
    scn_put_base_and_path(&w, scn_connect_base(c),
                          p != NULL && p->express ? "/express" SCN_AUTHORIZE_QUERY : SCN_AUTHORIZE_QUERY);
    scn_put_encoded_text(&w, c->client_id, 0);
    if (p != NULL) scn_put_authorize_params(&w, p);
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

/* Ends a text written into a fixed field. When it did not fit, it is cut to whole characters: a
   sequence the last byte of the field leaves unfinished goes. */
SCN_PRIVATE void scn_end_cut_text(stripe_connect_form *w)
{
    size_t end = w->len;
    if (w->cap == 0) return;
    if (end >= w->cap) {
        size_t lead = end = w->cap - 1;
        while (lead > 0 && ((unsigned char)w->buf[--lead] & 0xc0) == 0x80) {}   /* back to its lead byte */
        if (lead + scn_utf8_sequence_length((unsigned char)w->buf[lead]) > end) end = lead;
    }
    w->buf[end] = '\0';
}

/* ---- Redirect ----------------------------------------------------------------------------------------- */
enum { SCN_SEEN_CODE = 1, SCN_SEEN_STATE = 2, SCN_SEEN_ERROR = 4 };

typedef struct scn_redirect_param {
    const char *key;
    unsigned short offset, size;   /* the field of stripe_connect_redirect it fills */
    unsigned char seen_flag;       /* 0: may repeat (the last one counts) */
    unsigned char cut;             /* 1: cut at a UTF-8 boundary when too long instead of refusing */
} scn_redirect_param;

#define SCN_REDIRECT_FIELD(name) offsetof(stripe_connect_redirect, name), SCN_MEMBER_SIZE(stripe_connect_redirect, name)
static const scn_redirect_param scn_redirect_params[] = {
    { "code", SCN_REDIRECT_FIELD(code), SCN_SEEN_CODE, 0 },
    { "scope", SCN_REDIRECT_FIELD(scope), 0, 0 },
    { "state", SCN_REDIRECT_FIELD(state), SCN_SEEN_STATE, 0 },
    { "error", SCN_REDIRECT_FIELD(error_code), SCN_SEEN_ERROR, 0 },
    { "error_description", SCN_REDIRECT_FIELD(error_description), 0, 1 },
    { NULL, 0, 0, 0, 1 }   /* any other parameter: its value goes nowhere, but must be well-formed */
};
#define SCN_REDIRECT_OTHER (&scn_redirect_params[sizeof scn_redirect_params / sizeof scn_redirect_params[0] - 1])
#undef SCN_REDIRECT_FIELD

/* The index of the first ch in s[0..n), or n when there is none. */
SCN_PRIVATE SCN_NOINLINE size_t scn_index_of(const char *s, size_t n, char ch)
{
    size_t i = 0;
    while (i < n && s[i] != ch) i++;
    return i;
}

/* The parameter the key s[0..eq) names, or SCN_REDIRECT_OTHER for one to ignore. Only a bad
   percent-escape in the key makes it malformed (*malformed set). */
SCN_PRIVATE const scn_redirect_param *scn_redirect_param_named(const char *s, size_t eq, int *malformed)
{
    char key[24];
    stripe_connect_form w;
    size_t i;
    int has_nul;
    scn_writer_init(&w, key, sizeof key);
    has_nul = scn_put_decoded(&w, s, eq);
    scn_end_cut_text(&w);                /* a key cut short is longer than any name: it matches none */
    *malformed = w.invalid_argument;
    if (has_nul) return SCN_REDIRECT_OTHER;
    for (i = 0; &scn_redirect_params[i] != SCN_REDIRECT_OTHER; i++)
        if (scn_str_equal(key, scn_redirect_params[i].key)) break;
    return &scn_redirect_params[i];
}

/* Decodes one key=value into out. Returns 0, or -1 when it makes the redirect malformed. */
SCN_PRIVATE int scn_redirect_take_param(const char *s, size_t n, stripe_connect_redirect *out, int *seen)
{
    stripe_connect_form w;
    size_t eq = scn_index_of(s, n, '=');
    int malformed, has_nul;
    const scn_redirect_param *param = scn_redirect_param_named(s, eq, &malformed);
    if (malformed) return -1;
    if (eq == n) return 0;                   /* a key without '=' is ignored */
    if (param->seen_flag & *seen) return -1;
    *seen |= param->seen_flag;
    scn_writer_init(&w, (char *)out + param->offset, param->size);
    has_nul = scn_put_decoded(&w, s + eq + 1, n - eq - 1);
    if (w.invalid_argument || (has_nul && param != SCN_REDIRECT_OTHER) || (w.overflow && !param->cut)) return -1;
    scn_end_cut_text(&w);
    return 0;
}

/* Reads the query of url: after the first '?' (or all of it when there is none), up to a '#'.
   Returns the SCN_SEEN_ flags of what it found, or -1 when the redirect is malformed. */
SCN_PRIVATE int scn_redirect_read(const char *url, size_t len, stripe_connect_redirect *out)
{
    size_t end = scn_index_of(url, len, '#'), start = scn_index_of(url, end, '?'), next;
    int seen = 0;
    start = start < end ? start + 1 : 0;
    for (;; start = next + 1) {
        next = start + scn_index_of(url + start, end - start, '&');
        if (scn_redirect_take_param(url + start, next - start, out, &seen) != 0) return -1;
        if (next == end) return seen;
    }
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_parse_redirect(const char *url, size_t len,
        const char *expected_state, stripe_connect_redirect *out)
{
    stripe_connect_result r;
    int seen, outcome;
    if (out != NULL) STRIPE_CONNECT_MEMSET(out, 0, sizeof *out);
    if (url == NULL || out == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    seen = scn_redirect_read(url, len, out);
    outcome = seen & (SCN_SEEN_CODE | SCN_SEEN_ERROR);
    if (seen < 0 || (outcome != SCN_SEEN_CODE && outcome != SCN_SEEN_ERROR))   /* neither or both */
        r = STRIPE_CONNECT_ERR_MALFORMED_REDIRECT;
    else if (expected_state != NULL &&
             (!(seen & SCN_SEEN_STATE) || !stripe_connect_state_equal(out->state, expected_state)))
        r = STRIPE_CONNECT_ERR_STATE_MISMATCH;
    else if (seen & SCN_SEEN_ERROR)
        r = STRIPE_CONNECT_ERR_OAUTH;
    else
        r = STRIPE_CONNECT_OK;
    if (r == STRIPE_CONNECT_ERR_OAUTH) out->error = scn_oauth_error_from_name(out->error_code);
    else if (r != STRIPE_CONNECT_OK) stripe_connect_wipe(out, sizeof *out);
    return r;
}

/* ---- State ----------------------------------------------------------------------------------------------- */
#define SCN_STATE_BYTES 32
#define SCN_STATE_LENGTH 43   /* 32 bytes in base64url without padding */

static const char scn_base64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Writes n bytes as base64url without padding: ceil(4n/3) characters, the last one filled up with
   zero bits. */
SCN_PRIVATE SCN_NOINLINE void scn_base64url(const unsigned char *in, size_t n, char *out)
{
    size_t k, length = (4 * n + 2) / 3;
    for (k = 0; k < length; k++) {
        size_t at = 6 * k / 8;                             /* the byte holding its first bit */
        unsigned two = (unsigned)in[at] << 8 | (at + 1 < n ? in[at + 1] : 0u);
        out[k] = scn_base64url_alphabet[(two >> (10 - 6 * k % 8)) & 63];
    }
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_state_generate(stripe_connect_client *c,
        char *out, size_t cap, size_t *out_len)
{
    unsigned char bytes[SCN_STATE_BYTES];
    stripe_connect_result r = STRIPE_CONNECT_OK;
    if (!scn_start_output(out, cap, out_len) || c == NULL || c->random == NULL)
        return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    if (cap <= SCN_STATE_LENGTH) {
        r = STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL;
    } else if (c->random(c->random_user, bytes, sizeof bytes) != 0) {
        r = STRIPE_CONNECT_ERR_RANDOM;
    } else {
        scn_base64url(bytes, sizeof bytes, out);
        out[SCN_STATE_LENGTH] = '\0';
    }
    if (r != STRIPE_CONNECT_ERR_RANDOM) *out_len = SCN_STATE_LENGTH;   /* the length made, or needed */
    stripe_connect_wipe(bytes, sizeof bytes);
    return r;
}

STRIPE_CONNECT_API int stripe_connect_state_equal(const char *a, const char *b)
{
    size_t i;
    unsigned char diff = 0;
    if (a == NULL || b == NULL) return 0;
    for (i = 0; a[i] != '\0' && b[i] != '\0'; i++)       /* to the end of the shorter one, */
        diff = (unsigned char)(diff | (a[i] ^ b[i]));    /* with no early exit */
    return diff == 0 && a[i] == b[i];                    /* and it must be the end of both */
}

/* ---- JSON ------------------------------------------------------------------------------------------------
   One pull scanner serves every JSON reader in the library. Each call to scn_json_next returns
   the next token of the document and checks the RFC 8259 grammar as it goes: strings are
   checked for UTF-8 and escapes, numbers for their grammar, nesting against
   STRIPE_CONNECT_JSON_MAX_DEPTH. It keeps no more than one byte per open container, never
   recurses and never allocates. A string token points at its raw text between the quotes;
   scn_json_copy_string decodes it. */
enum scn_json_token {
    SCN_JSON_ERROR, SCN_JSON_END, SCN_JSON_OBJECT, SCN_JSON_OBJECT_END, SCN_JSON_ARRAY,
    SCN_JSON_ARRAY_END, SCN_JSON_KEY, SCN_JSON_STRING, SCN_JSON_NUMBER, SCN_JSON_TRUE,
    SCN_JSON_FALSE, SCN_JSON_NULL
};
/* What the scanner expects next. An item is an array's value or an object's key (read with its
   colon); the end of the open container may come instead of FIRST_ITEM and AFTER_VALUE. */
enum scn_json_expect {
    SCN_EXPECT_VALUE,         /* the document's value, or a member's after its colon */
    SCN_EXPECT_FIRST_ITEM,    /* after [ or { */
    SCN_EXPECT_AFTER_VALUE,   /* a comma, then an item */
    SCN_EXPECT_NOTHING, SCN_EXPECT_BROKEN
};
typedef struct scn_json {
    const unsigned char *at, *end;
    const char *text;      /* the last string (raw, without quotes) or number */
    size_t text_len;
    int escaped;           /* the last string holds a backslash (else it needs no decoding) */
    int expect;
    size_t depth;
    unsigned char is_array[STRIPE_CONNECT_JSON_MAX_DEPTH];
} scn_json;

/* A NULL text (len 0) is the empty document. */
SCN_PRIVATE SCN_NOINLINE void scn_json_init(scn_json *j, const char *text, size_t len)
{
    if (text == NULL) text = "";
    j->at = (const unsigned char *)text;
    j->end = j->at + len;
    j->text = text;
    j->text_len = 0;
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

/* Length of the valid multi-byte UTF-8 sequence at p, or 0 (so for every byte below C2): a lead
   byte from C2, then continuation bytes (80..BF), the first two bytes not an overlong form
   (E0 80..9F, F0 80..8F), a surrogate (ED A0..BF) or above U+10FFFF (F4 90 and up). */
SCN_PRIVATE size_t scn_utf8_valid_length(const unsigned char *p, const unsigned char *end)
{
    size_t n = scn_utf8_sequence_length(p[0]), i;
    unsigned first_two;
    if (p[0] < 0xc2 || (size_t)(end - p) < n) return 0;
    for (i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80) return 0;
    first_two = (unsigned)p[0] << 8 | p[1];
    if ((first_two >= 0xe080 && first_two <= 0xe09f) || (first_two >= 0xeda0 && first_two <= 0xedbf) ||
        (first_two >= 0xf080 && first_two <= 0xf08f) || first_two >= 0xf490)
        return 0;
    return n;
}

/* The UTF-16 unit of the \u escape at p (a backslash, u and 4 hex digits), or -1. */
SCN_PRIVATE long scn_json_read_u(const unsigned char *p, const unsigned char *end)
{
    long unit = 0;
    size_t i;
    if ((size_t)(end - p) < 6 || p[0] != '\\' || p[1] != 'u') return -1;
    for (i = 2; i < 6; i++) {
        int v = scn_hex_value(p[i]);
        if (v < 0) return -1;
        unit = unit << 4 | v;
    }
    return unit;
}

/* Reads the escape at p (at its backslash): its code point into *cp. Returns its length, or 0
   when it is not a valid escape. The scanner checks every escape with it and the decoder
   decodes with it, so both agree. A \u escape must form a whole character: a high surrogate
   only with the low one after it, a low one never alone. */
SCN_PRIVATE size_t scn_json_escape(const unsigned char *p, const unsigned char *end, unsigned long *cp)
{
    static const char escapes[] = "\"\\/bfnrt", plain[] = "\"\\/\b\f\n\r\t";
    long unit, low;
    size_t i;
    if (end - p < 2) return 0;
    i = scn_index_of(escapes, sizeof escapes - 1, (char)p[1]);
    if (i < sizeof escapes - 1) {
        *cp = (unsigned char)plain[i];
        return 2;
    }
    unit = scn_json_read_u(p, end);
    if (unit < 0 || (unit >= 0xdc00 && unit <= 0xdfff)) return 0;
    *cp = (unsigned long)unit;
    if (unit < 0xd800 || unit > 0xdbff) return 6;
    low = scn_json_read_u(p + 6, end);                       /* -1 too is no low surrogate */
    if (low < 0xdc00 || low > 0xdfff) return 0;
    *cp = 0x10000 + ((unsigned long)(unit - 0xd800) << 10) + (unsigned long)(low - 0xdc00);
    return 12;
}

/* Scans a string from its opening quote. */
SCN_PRIVATE int scn_json_scan_string(scn_json *j)
{
    const unsigned char *start = j->at + 1, *p = start;
    j->escaped = 0;
    for (;;) {
        size_t n;
        unsigned long cp;
        while (p < j->end && (scn_char_class[*p] & SCN_JSON_PLAIN)) p++;
        if (p >= j->end) return 0;
        if (*p == '"') break;
        if (*p == '\\') {
            j->escaped = 1;
            n = scn_json_escape(p, j->end, &cp);
        } else {
            n = scn_utf8_valid_length(p, j->end);   /* 0 for a control byte too */
        }
        if (n == 0) return 0;                 /* not a valid escape, or bad UTF-8 */
        p += n;
    }
    j->text = (const char *)start;
    j->text_len = (size_t)(p - start);
    j->at = p + 1;
    return 1;
}

/* Skips one digit or more; NULL when there is none. */
SCN_PRIVATE const unsigned char *scn_json_digits(const unsigned char *p, const unsigned char *end)
{
    const unsigned char *start = p;
    while (p < end && *p >= '0' && *p <= '9') p++;
    return p > start ? p : NULL;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, at a byte of the document (as every value) */
SCN_PRIVATE int scn_json_scan_number(scn_json *j)
{
    const unsigned char *p = j->at, *end = j->end, *first;
    if (*p == '-') p++;
    first = p;
    p = scn_json_digits(p, end);
    if (p == NULL || (*first == '0' && p - first > 1)) return 0;            /* no leading zero */
    if (p < end && *p == '.' && (p = scn_json_digits(p + 1, end)) == NULL) return 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if ((p = scn_json_digits(p, end)) == NULL) return 0;
    }
    j->text = (const char *)j->at;
    j->text_len = (size_t)(p - j->at);
    j->at = p;
    return 1;
}

/* true, false or null, told apart by the first letter (their tokens follow each other in this
   order); returns the token, or SCN_JSON_ERROR. */
SCN_PRIVATE int scn_json_scan_literal(scn_json *j)
{
    static const char words[][8] = { "true", "false", "null" };
    int token = *j->at == 't' ? SCN_JSON_TRUE : *j->at == 'f' ? SCN_JSON_FALSE : SCN_JSON_NULL;
    const char *word = words[token - SCN_JSON_TRUE];
    size_t i;
    for (i = 0; word[i] != '\0'; i++)
        if (j->at + i >= j->end || j->at[i] != (unsigned char)word[i]) return SCN_JSON_ERROR;
    j->at += i;
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
    j->expect = SCN_EXPECT_FIRST_ITEM;
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
    int token;
    switch (*j->at) {
    case '{': case '[':
        return scn_json_open(j, *j->at == '[');
    case '"':
        token = scn_json_scan_string(j) ? SCN_JSON_STRING : SCN_JSON_ERROR;
        break;
    case 't': case 'f': case 'n':
        token = scn_json_scan_literal(j);
        break;
    default:
        token = scn_json_scan_number(j) ? SCN_JSON_NUMBER : SCN_JSON_ERROR;
        break;
    }
    return token == SCN_JSON_ERROR ? scn_json_fail(j) : scn_json_value_done(j, token);
}

/* A key is scanned with its colon. */
SCN_PRIVATE int scn_json_key(scn_json *j)
{
    if (*j->at != '"' || !scn_json_scan_string(j)) return scn_json_fail(j);
    scn_json_skip_space(j);
    if (j->at >= j->end || *j->at != ':') return scn_json_fail(j);
    j->at++;
    j->expect = SCN_EXPECT_VALUE;
    return SCN_JSON_KEY;
}

SCN_PRIVATE int scn_json_next(scn_json *j)
{
    int expect = j->expect;
    scn_json_skip_space(j);
    if (expect == SCN_EXPECT_BROKEN) return SCN_JSON_ERROR;
    if (expect == SCN_EXPECT_NOTHING) return j->at == j->end ? SCN_JSON_END : scn_json_fail(j);
    if (j->at >= j->end) return scn_json_fail(j);
    if (expect == SCN_EXPECT_VALUE) return scn_json_value(j);
    if (*j->at == (j->is_array[j->depth - 1] ? ']' : '}')) return scn_json_close(j);
    if (expect == SCN_EXPECT_AFTER_VALUE) {
        if (*j->at != ',') return scn_json_fail(j);
        j->at++;
        scn_json_skip_space(j);
        if (j->at >= j->end) return scn_json_fail(j);
    }
    return j->is_array[j->depth - 1] ? scn_json_value(j) : scn_json_key(j);
}

/* Skips the value whose first token (not an error) was just read: all of it when it opens a
   container (inside which SCN_JSON_END cannot come). Returns 0 when the document is not valid
   JSON. */
SCN_PRIVATE int scn_json_skip(scn_json *j, int token)
{
    size_t depth;
    if (token != SCN_JSON_OBJECT && token != SCN_JSON_ARRAY) return 1;
    depth = j->depth - 1;
    do {
        if (scn_json_next(j) == SCN_JSON_ERROR) return 0;
    } while (j->depth > depth);
    return 1;
}

/* Reads the rest of the document; 1 when it is valid JSON up to its end. */
SCN_PRIVATE int scn_json_read_to_end(scn_json *j)
{
    int token;
    do token = scn_json_next(j); while (token != SCN_JSON_END && token != SCN_JSON_ERROR);
    return token == SCN_JSON_END;
}

/* Writes code point cp as UTF-8 into out[0..4); returns the number of bytes. */
SCN_PRIVATE size_t scn_utf8_encode(unsigned long cp, char *out)
{
    static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };   /* by sequence length */
    size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4, i;
    for (i = n - 1; i > 0; i--) {
        out[i] = (char)(0x80 | (cp & 0x3f));
        cp >>= 6;
    }
    out[0] = (char)(lead[n] | cp);
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
    const char *start = p->at, *run = start;
    unsigned long cp = 0;                         /* the escape sets it: the scanner has checked it */
    while (run < p->end && *run != '\\') run++;
    if (run > start || run == p->end) {
        *piece = start;
        p->at = run;
        return (size_t)(run - start);
    }
    p->at = run + scn_json_escape((const unsigned char *)run, (const unsigned char *)p->end, &cp);
    if (cp == 0) p->has_nul = 1;
    *piece = p->buf;
    return scn_utf8_encode(cp, p->buf);
}

/* Decodes the last string token into out[cap] and ends it with a NUL. Returns OK;
   ERR_BUFFER_TOO_SMALL (*len = the length needed; out wiped) or ERR_UNEXPECTED_RESPONSE (it holds
   \u0000; out wiped). Without len (for messages) a text too long is cut at a UTF-8 boundary
   instead, a \u0000 ends it, and the result is OK. */
SCN_PRIVATE stripe_connect_result scn_json_copy_string(const scn_json *j, char *out, size_t cap, size_t *len)
{
    stripe_connect_form w;
    scn_json_pieces p;
    scn_writer_init(&w, out, cap);
    scn_json_pieces_init(&p, j);
    if (!j->escaped) {
        scn_put(&w, j->text, j->text_len);                  /* nothing to decode */
    } else {
        const char *piece;
        size_t n;
        while ((n = scn_json_next_piece(&p, &piece)) > 0) scn_put(&w, piece, n);
    }
    if (len == NULL) {
        scn_end_cut_text(&w);
        return STRIPE_CONNECT_OK;
    }
    if (!p.has_nul) return scn_finish(&w, len);
    stripe_connect_wipe(out, cap);
    return STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE;
}

/* ---- Stripe's answers ---------------------------------------------------------------------------------------
   The token and deauthorize answers are read in one pass: known top-level fields are copied as
   they pass, "error" (a string for OAuth, an object for the API) is read into the error struct,
   everything else is skipped. Which result wins is decided at the end, in DESIGN.md's order. */
enum scn_field_kind {
    SCN_FIELD_STRING,       /* a string of the destination, refused when too long or holding NUL */
    SCN_FIELD_BOOLEAN,      /* an int of the destination, set from true or false */
    SCN_FIELD_ERROR_TEXT,   /* a string of the error struct, cut to fit; other types are skipped */
    SCN_FIELD_ERROR         /* the top-level "error": its code (a string) or the API error object */
};
typedef struct scn_field {
    const char *name;
    size_t offset, size;   /* where it goes in the destination struct (or the error struct) */
    unsigned char kind;
    unsigned char required;   /* 1: a string must be present */
} scn_field;

#define SCN_TOKEN_STRING(name, required) { #name, offsetof(stripe_connect_token, name), \
        SCN_MEMBER_SIZE(stripe_connect_token, name), SCN_FIELD_STRING, required }
static const scn_field scn_token_fields[] = {
    SCN_TOKEN_STRING(access_token, 0), SCN_TOKEN_STRING(refresh_token, 0),
    SCN_TOKEN_STRING(stripe_publishable_key, 0), SCN_TOKEN_STRING(stripe_user_id, 1),
    SCN_TOKEN_STRING(scope, 0), SCN_TOKEN_STRING(token_type, 0),
    { "livemode", offsetof(stripe_connect_token, livemode), sizeof(int), SCN_FIELD_BOOLEAN, 0 }
};
#undef SCN_TOKEN_STRING
/* The deauthorize answer: {"stripe_user_id": "acct_..."}, read into a plain char array. */
static const scn_field scn_deauthorize_fields[] = {
    { "stripe_user_id", 0, STRIPE_CONNECT_FIELD_MAX, SCN_FIELD_STRING, 1 }
};

#define SCN_ERROR_FIELD(name, member, kind) { name, offsetof(stripe_connect_error, member), \
        SCN_MEMBER_SIZE(stripe_connect_error, member), kind, 0 }
/* The error at the top level of every answer; error_description is the OAuth error's message. */
static const scn_field scn_top_error_fields[] = {
    SCN_ERROR_FIELD("error", code, SCN_FIELD_ERROR),
    SCN_ERROR_FIELD("error_description", message, SCN_FIELD_ERROR_TEXT)
};
/* The fields of an API error object. */
static const scn_field scn_api_error_fields[] = {
    SCN_ERROR_FIELD("type", type, SCN_FIELD_ERROR_TEXT), SCN_ERROR_FIELD("code", code, SCN_FIELD_ERROR_TEXT),
    SCN_ERROR_FIELD("decline_code", decline_code, SCN_FIELD_ERROR_TEXT),
    SCN_ERROR_FIELD("param", param, SCN_FIELD_ERROR_TEXT), SCN_ERROR_FIELD("message", message, SCN_FIELD_ERROR_TEXT)
};
#undef SCN_ERROR_FIELD

enum { SCN_ERROR_ABSENT, SCN_ERROR_IS_STRING, SCN_ERROR_IS_OBJECT };

typedef struct scn_answer {
    scn_json json;
    const scn_field *fields; size_t field_count;
    char *dest;                    /* the struct the fields go to */
    stripe_connect_error *err;     /* may be NULL */
    unsigned long seen;            /* bit i: fields[i] appeared */
    int wrong_shape;               /* not an object, or a known field of the wrong type, too long,
                                      repeated, with NUL, or a required one null or missing */
    int error_kind;
} scn_answer;

/* The field of fields[count] named key[0..n) (which holds no NUL), or NULL. */
SCN_PRIVATE const scn_field *scn_find_field(const scn_field *fields, size_t count, const char *key, size_t n)
{
    const scn_field *f;
    size_t k;
    for (f = fields; count > 0; f++, count--) {
        for (k = 0; k < n && key[k] == f->name[k]; k++) {}
        if (k == n && f->name[k] == '\0') return f;
    }
    return NULL;
}

/* The field a member's key names: at the top level one of the destination's or the error's, one
   level down one of the API error object's. NULL for a member the answer does not use. */
SCN_PRIVATE const scn_field *scn_answer_field(const scn_answer *a, const char *key, size_t n, int in_error_object)
{
    const scn_field *f;
    if (in_error_object)
        return scn_find_field(scn_api_error_fields, sizeof scn_api_error_fields / sizeof scn_api_error_fields[0], key, n);
    f = scn_find_field(a->fields, a->field_count, key, n);
    return f != NULL ? f : scn_find_field(scn_top_error_fields, 2, key, n);
}

/* Reads the next member of the object being read: the field its key names into *f and its
   value's first token into *value. A key is compared as it stands in the document unless it
   holds an escape; then it is decoded first ("" when longer than any name, or holding \u0000).
   Returns 1 for a member, 0 at the end of the object, -1 when the document is not valid JSON. */
SCN_PRIVATE int scn_answer_next_member(scn_answer *a, int in_error_object, const scn_field **f, int *value)
{
    char decoded[32];
    const char *key = decoded;
    size_t n;
    int token = scn_json_next(&a->json);
    if (token == SCN_JSON_OBJECT_END) return 0;
    if (token != SCN_JSON_KEY) return -1;
    if (!a->json.escaped) {
        key = a->json.text;
        n = a->json.text_len;
    } else if (scn_json_copy_string(&a->json, decoded, sizeof decoded, &n) != STRIPE_CONNECT_OK) {
        n = 0;
    }
    *f = scn_answer_field(a, key, n, in_error_object);
    *value = scn_json_next(&a->json);
    return *value == SCN_JSON_ERROR ? -1 : 1;
}

/* The value of a field of the destination: copied when of the right type (null counts as
   absent, which a required field may not be), else the answer has the wrong shape. */
SCN_PRIVATE void scn_answer_read_field(scn_answer *a, const scn_field *f, int token)
{
    unsigned long bit = 1UL << (size_t)(f - a->fields);
    char *target = a->dest + f->offset;
    if (a->seen & bit) a->wrong_shape = 1;
    a->seen |= bit;
    if (f->kind == SCN_FIELD_BOOLEAN && (token == SCN_JSON_TRUE || token == SCN_JSON_FALSE)) {
        int value = token == SCN_JSON_TRUE;
        STRIPE_CONNECT_MEMCPY(target, &value, sizeof value);
    } else if (f->kind == SCN_FIELD_STRING && token == SCN_JSON_STRING) {
        size_t n;
        if (scn_json_copy_string(&a->json, target, f->size, &n) != STRIPE_CONNECT_OK) a->wrong_shape = 1;
    } else if (token != SCN_JSON_NULL || f->required) {
        a->wrong_shape = 1;
    }
}

/* The value of a member whose first token was just read; f is its field or NULL. Returns 0 when
   the body is not valid JSON. */
SCN_PRIVATE int scn_answer_read_value(scn_answer *a, const scn_field *f, int token)
{
    if (f == NULL) return scn_json_skip(&a->json, token);
    switch (f->kind) {
    case SCN_FIELD_ERROR:                        /* only the first "error" counts */
        if (a->error_kind != SCN_ERROR_ABSENT || (token != SCN_JSON_STRING && token != SCN_JSON_OBJECT)) break;
        if (token == SCN_JSON_OBJECT) {
            a->error_kind = SCN_ERROR_IS_OBJECT;
            return 1;                            /* its members are read next, one level down */
        }
        a->error_kind = SCN_ERROR_IS_STRING;     /* the OAuth error's code: */
        /* fall through */
    case SCN_FIELD_ERROR_TEXT:
        if (token == SCN_JSON_STRING && a->err != NULL)
            scn_json_copy_string(&a->json, (char *)a->err + f->offset, f->size, NULL);
        break;
    default:
        scn_answer_read_field(a, f, token);
        break;
    }
    return scn_json_skip(&a->json, token);
}

/* Reads the members of the top-level object and, one level down, those of the API error object
   (the only container entered: every other value is skipped whole). Returns 0 when the body is
   not valid JSON. */
SCN_PRIVATE int scn_answer_read_members(scn_answer *a)
{
    const scn_field *f;
    int token;
    for (;;) {
        int in_error_object = a->json.depth > 1;
        int more = scn_answer_next_member(a, in_error_object, &f, &token);
        if (more < 0) return 0;
        if (more == 0 && !in_error_object) return 1;   /* the top-level object ended */
        if (more > 0 && !scn_answer_read_value(a, f, token)) return 0;
    }
}

SCN_PRIVATE int scn_answer_required_present(const scn_answer *a)
{
    const scn_field *f = a->fields;
    unsigned long seen = a->seen;                 /* shifted along: bit 0 is f's */
    size_t count;
    for (count = a->field_count; count > 0; count--, f++, seen >>= 1)
        if (f->required && !(seen & 1)) return 0;
    return 1;
}

/* Which result an answer read to its end gives, in DESIGN.md's order (error_kind counts only
   when the answer is valid). */
SCN_PRIVATE SCN_NOINLINE stripe_connect_result scn_answer_result(const scn_answer *a, int http_status, int valid)
{
    if (a->error_kind == SCN_ERROR_IS_STRING) {
        if (a->err != NULL) a->err->oauth_error = scn_oauth_error_from_name(a->err->code);
        return STRIPE_CONNECT_ERR_OAUTH;
    }
    if (a->error_kind == SCN_ERROR_IS_OBJECT) return STRIPE_CONNECT_ERR_API;
    if (http_status < 200 || http_status > 299) return STRIPE_CONNECT_ERR_HTTP_STATUS;
    if (!valid) return STRIPE_CONNECT_ERR_MALFORMED_JSON;
    if (a->wrong_shape || !scn_answer_required_present(a)) return STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE;
    return STRIPE_CONNECT_OK;
}

/* Starts a parse: the error holds only the status, the destination nothing. */
SCN_PRIVATE SCN_NOINLINE void scn_parse_begin(int http_status, void *dest, size_t dest_size, stripe_connect_error *err)
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
    int valid;
    stripe_connect_result r;

    scn_parse_begin(http_status, dest, dest_size, err);
    scn_json_init(&a.json, body, len);
    a.fields = fields;
    a.field_count = field_count;
    a.dest = dest;
    a.err = err;
    a.seen = 0;
    a.error_kind = SCN_ERROR_ABSENT;

    a.wrong_shape = scn_json_next(&a.json) != SCN_JSON_OBJECT;     /* the rest is read all the same */
    valid = (a.wrong_shape || scn_answer_read_members(&a)) && scn_json_read_to_end(&a.json);

    /* Without an error answer, err keeps nothing of what parsing wrote: only the status. */
    if (!valid) a.error_kind = SCN_ERROR_ABSENT;
    if (a.error_kind == SCN_ERROR_ABSENT) scn_parse_begin(http_status, NULL, 0, err);
    r = scn_answer_result(&a, http_status, valid);
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
    return scn_parse_answer(http_status, body, len, scn_token_fields,
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
    r = scn_parse_answer(http_status, body, len, scn_deauthorize_fields, 1,
                         answered, sizeof answered, err);
    if (r == STRIPE_CONNECT_OK && !scn_str_equal(answered, stripe_user_id)) r = STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE;
    stripe_connect_wipe(answered, sizeof answered);
    return r;
}

/* ---- Requests --------------------------------------------------------------------------------------------
   One builder for every request to Stripe: the OAuth endpoints (one builder for both, shared by
   the blocking calls and their sans-I/O pairs) and the API call. The request is written into the
   caller's buffer as texts one after the other, each ended by a NUL: the URL, the value of each
   header the request may send, in their order ("" for one it does not send), then the body. */
#define SCN_DEFAULT_API_BASE "https://api.stripe.com"
#define SCN_IDEMPOTENCY_KEY_MAX 255

/* The texts a request is made of, from the client and the caller, which scn_request_valid
   checks. The first three must be set; the others may be NULL (not sent). */
enum {
    SCN_KEY,               /* the secret key or access token */
    SCN_BASE, SCN_PATH,
    SCN_STRIPE_VERSION, SCN_STRIPE_ACCOUNT,
    SCN_IDEMPOTENCY_KEY,   /* NULL too when uuid makes one */
    SCN_APP_NAME, SCN_APP_VERSION, SCN_APP_URL,   /* only API calls send the app */
    SCN_TEXT_COUNT
};

/* A request being written: what it is made of, and the writer of its texts. */
typedef struct scn_request {
    stripe_connect_form w;
    const char *method;                     /* "POST", "GET" or "DELETE" */
    int is_post;                            /* the params are the body, else the query */
    const char *text[SCN_TEXT_COUNT];       /* by the names above */
    const char *params; size_t params_len;  /* form-encoded, as the API caller gave them */
    int key_in_body;                        /* 1: the body carries the key, no Authorization */
    unsigned char *uuid;                    /* 16 random bytes for a generated idempotency key */
    size_t body_at;                         /* where the body starts in the buffer */
} scn_request;

/* The headers a request may send, in the order they are sent. */
static const char *const scn_header_names[] = {
    "Authorization", "Content-Type", "User-Agent", "Stripe-Version", "Stripe-Account", "Idempotency-Key"
};
#define SCN_HEADER_COUNT (sizeof scn_header_names / sizeof scn_header_names[0])

/* The method must be POST, GET or DELETE. Everything a request would send from the client and
   the caller must be printable, so that it cannot end a header or the URL (see "Checks on the
   client's strings"); the app's strings must not hold '"' or '\\' either, which would end or
   escape part of the User-Agent. */
SCN_PRIVATE int scn_request_valid(const scn_request *q)
{
    /* What each text must not hold. */
    static const unsigned char forbidden[SCN_TEXT_COUNT] = {
        0, SCN_NO_SPACE, SCN_NO_SPACE | SCN_NO_HASH,      /* the key, the base URL, the path */
        0, 0, SCN_NO_SPACE,                               /* Stripe-Version, Stripe-Account, Idempotency-Key */
        SCN_NO_QUOTE, SCN_NO_QUOTE, SCN_NO_QUOTE          /* app_name, app_version, app_url */
    };
    const char *const *text = q->text;
    size_t i;
    for (i = 0; i < SCN_TEXT_COUNT; i++)
        if ((i <= SCN_PATH || text[i] != NULL) && !scn_is_value(text[i], forbidden[i])) return 0;
    return (q->is_post || scn_str_equal(q->method, "GET") || scn_str_equal(q->method, "DELETE")) &&
           text[SCN_PATH][0] == '/' && (q->params != NULL || q->params_len == 0) &&
           scn_is_printable(q->params, q->params_len, SCN_NO_SPACE | SCN_NO_HASH) &&
           (text[SCN_IDEMPOTENCY_KEY] == NULL ||
            STRIPE_CONNECT_STRLEN(text[SCN_IDEMPOTENCY_KEY]) <= SCN_IDEMPOTENCY_KEY_MAX);
}

/* What an API call adds to the User-Agent: " <app_name>[/<app_version>][ (<app_url>)]" when set. */
SCN_PRIVATE void scn_put_app(stripe_connect_form *w, const char *const *text)
{
    static const char *const before[] = { " ", "/", " (" };   /* app_name, app_version, app_url */
    size_t i;
    if (text[SCN_APP_NAME] == NULL) return;
    for (i = SCN_APP_NAME; i <= SCN_APP_URL; i++)
        if (text[i] != NULL) { scn_put_str(w, before[i - SCN_APP_NAME]); scn_put_str(w, text[i]); }
    if (text[SCN_APP_URL] != NULL) scn_put_char(w, ')');
}

/* A UUID v4 in its 36-character form, from 16 random bytes. */
SCN_PRIVATE void scn_put_uuid4(stripe_connect_form *w, unsigned char *bytes)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;
    bytes[6] = (unsigned char)((bytes[6] & 0x0f) | 0x40);   /* version 4 */
    bytes[8] = (unsigned char)((bytes[8] & 0x3f) | 0x80);   /* variant 10xx */
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) scn_put_char(w, '-');
        scn_put_char(w, hex[bytes[i] >> 4]);
        scn_put_char(w, hex[bytes[i] & 15]);
    }
}

/* Ends the value of a header with s (NULL: nothing more). A header whose value is empty is not
   sent; none that is sent can be empty (scn_request_valid). */
SCN_PRIVATE void scn_end_header_value(stripe_connect_form *w, const char *s)
{
    if (s != NULL) scn_put_str(w, s);
    scn_put_char(w, '\0');
}

/* Writes the URL and the headers' values into buf, then the API call's body; an OAuth builder
   then writes its form. */
SCN_PRIVATE void scn_request_start(scn_request *q, char *buf, size_t cap)
{
    stripe_connect_form *w = &q->w;
    scn_writer_init(w, buf, cap);
    scn_put_base_and_path(w, q->text[SCN_BASE], q->text[SCN_PATH]);
    if (!q->is_post && q->params_len > 0) { scn_put_char(w, '?'); scn_put(w, q->params, q->params_len); }
    scn_put_char(w, '\0');
    if (!q->key_in_body) { scn_put_str(w, "Bearer "); scn_put_str(w, q->text[SCN_KEY]); }
    scn_end_header_value(w, NULL);                                             /* Authorization */
    scn_end_header_value(w, q->is_post ? SCN_FORM_CONTENT_TYPE : NULL);        /* Content-Type */
    scn_put_str(w, STRIPE_CONNECT_USER_AGENT);
    scn_put_app(w, q->text);
    scn_end_header_value(w, NULL);                                             /* User-Agent */
    scn_end_header_value(w, q->text[SCN_STRIPE_VERSION]);
    scn_end_header_value(w, q->text[SCN_STRIPE_ACCOUNT]);
    if (q->uuid != NULL) scn_put_uuid4(w, q->uuid);
    scn_end_header_value(w, q->text[SCN_IDEMPOTENCY_KEY]);                    /* NULL with a uuid */
    q->body_at = w->len;
    if (q->is_post) scn_put(w, q->params, q->params_len);
}

/* The text after s in the buffer. */
SCN_PRIVATE const char *scn_next_text(const char *s)
{
    return s + STRIPE_CONNECT_STRLEN(s) + 1;
}

/* Ends the body and fills the prepared request (zeroed by the caller): its URL, headers and
   body point at the texts scn_request_start wrote. *out_len is the bytes of the buffer used (or
   needed: then the buffer is wiped). */
SCN_PRIVATE stripe_connect_result scn_request_finish(scn_request *q, const stripe_connect_client *c,
        size_t *out_len, stripe_connect_prepared_request *out)
{
    const char *text;
    size_t used, i, n = 0;
    stripe_connect_result r = scn_finish(&q->w, &used);
    *out_len = used + (r != STRIPE_CONNECT_ERR_INVALID_ARGUMENT);   /* the body's NUL too; 0 if refused */
    if (r != STRIPE_CONNECT_OK) return r;
    text = q->w.buf;                                      /* the URL */
    for (i = 0; i < SCN_HEADER_COUNT; i++) {
        text = scn_next_text(text);
        if (text[0] == '\0') continue;                    /* not sent */
        out->headers[n].name = scn_header_names[i];
        out->headers[n].value = text;
        n++;
    }
    out->http.method = q->method;
    out->http.url = q->w.buf;
    out->http.headers = out->headers;
    out->http.header_count = n;
    if (q->is_post) {
        out->http.body = q->w.buf + q->body_at;
        out->http.body_len = used - q->body_at;
    }
    out->http.timeout_ms = c->timeout_ms != 0 ? c->timeout_ms : STRIPE_CONNECT_DEFAULT_TIMEOUT_MS;
    return STRIPE_CONNECT_OK;
}

/* Checks p and names the grant's own parameter (*grant_key, *grant_value): "code" for
   authorization_code, "refresh_token" for refresh_token. One decision for the check and the
   body, so the body cannot take a parameter the check did not see. */
SCN_PRIVATE int scn_token_params_valid(const stripe_connect_token_params *p, const char **grant_key,
                                       const char **grant_value)
{
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
    /* a NULL capability is refused by the writer (scn_put_indexed_pair) */
    return p->assert_capabilities_count == 0 || p->assert_capabilities != NULL;
}

/* The /oauth/token form but its client_secret. A p that is not a token request is refused through
   the writer, like a NULL value: scn_finish then reports ERR_INVALID_ARGUMENT. */
SCN_PRIVATE void scn_put_token_form(scn_request *q, const stripe_connect_token_params *p)
{
    const char *grant_key = NULL, *grant_value = NULL;
    size_t i;
    if (p == NULL || !scn_token_params_valid(p, &grant_key, &grant_value)) {
        q->w.invalid_argument = 1;
        return;
    }
    scn_put_pair(&q->w, q->body_at, "grant_type", p->grant_type);
    scn_put_pair(&q->w, q->body_at, grant_key, grant_value);
    scn_put_pair_if_set(&q->w, q->body_at, "scope", p->scope);
    for (i = 0; i < p->assert_capabilities_count; i++)
        scn_put_indexed_pair(&q->w, q->body_at, "assert_capabilities", i, p->assert_capabilities[i]);
}

/* The /oauth/deauthorize form; an id missing or empty is refused through the writer. */
SCN_PRIVATE void scn_put_deauthorize_form(scn_request *q, const stripe_connect_client *c, const char *stripe_user_id)
{
    if (stripe_user_id == NULL || stripe_user_id[0] == '\0' || c->client_id == NULL || c->client_id[0] == '\0')
        q->w.invalid_argument = 1;
    scn_put_pair(&q->w, q->body_at, "client_id", c->client_id);
    scn_put_pair(&q->w, q->body_at, "stripe_user_id", stripe_user_id);
}

/* The two OAuth requests, POSTs to connect_base: /oauth/token with p's form or, when deauthorize,
   /oauth/deauthorize with the client's id and stripe_user_id. The secret key goes in
   Authorization, or in the token form when the client asks (never for deauthorize). out is zeroed
   and *out_len is 0 whatever the arguments. One function serves the sans-I/O builders and the
   blocking calls. */
SCN_PRIVATE SCN_NOINLINE stripe_connect_result scn_oauth_build(const stripe_connect_client *c, int deauthorize,
        const stripe_connect_token_params *p, const char *stripe_user_id, char *buf, size_t cap, size_t *out_len,
        stripe_connect_prepared_request *out)
{
    scn_request q;
    STRIPE_CONNECT_MEMSET(&q, 0, sizeof q);
    if (out != NULL) STRIPE_CONNECT_MEMSET(out, 0, sizeof *out);
    if (out_len != NULL) *out_len = 0;
    if (c == NULL || out_len == NULL || out == NULL || (buf == NULL && cap != 0))
        return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    q.method = "POST";
    q.is_post = 1;
    q.text[SCN_KEY] = c->secret_key;
    q.text[SCN_BASE] = scn_connect_base(c);
    q.text[SCN_PATH] = deauthorize ? "/oauth/deauthorize" : "/oauth/token";
    q.text[SCN_STRIPE_VERSION] = c->stripe_version;
    q.key_in_body = !deauthorize && c->secret_in_body;
    if (!scn_request_valid(&q)) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    scn_request_start(&q, buf, cap);
    if (deauthorize) scn_put_deauthorize_form(&q, c, stripe_user_id);
    else scn_put_token_form(&q, p);
    if (q.key_in_body) scn_put_pair(&q.w, q.body_at, "client_secret", c->secret_key);
    return scn_request_finish(&q, c, out_len, out);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_token_request_build(const stripe_connect_client *c,
        const stripe_connect_token_params *p, char *buf, size_t cap, size_t *out_len,
        stripe_connect_prepared_request *out)
{
    return scn_oauth_build(c, 0, p, NULL, buf, cap, out_len, out);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_deauthorize_request_build(const stripe_connect_client *c,
        const char *stripe_user_id, char *buf, size_t cap, size_t *out_len,
        stripe_connect_prepared_request *out)
{
    return scn_oauth_build(c, 1, NULL, stripe_user_id, buf, cap, out_len, out);
}

/* ---- Calls ------------------------------------------------------------------------------------------------
   Every blocking call sends a request built in the scratch buffer, reads the answer, and wipes the
   scratch buffer before it returns, on every path. OAuth calls are sent once (a code sent twice
   revokes the connection), with the answer in what the request left of the scratch buffer; API
   calls may be retried, with the answer in the caller's buffer. */
STRIPE_CONNECT_API void stripe_connect_client_init(stripe_connect_client *c, char *work, size_t work_size)
{
    if (c == NULL) return;
    STRIPE_CONNECT_MEMSET(c, 0, sizeof *c);
    c->work = work;
    c->work_size = work != NULL ? work_size : 0;
    c->max_retries = 2;
}

/* The start of every blocking call: err cleared, and whether c can send at all. */
SCN_PRIVATE int scn_call_begin(const stripe_connect_client *c, stripe_connect_error *err)
{
    if (err != NULL) STRIPE_CONNECT_MEMSET(err, 0, sizeof *err);
    return c != NULL && c->transport.perform != NULL && c->work != NULL && c->work_size > 0;
}

/* The end of every blocking call: the scratch buffer wiped, whatever it was given. Not inlined:
   one copy for the four calls. */
SCN_PRIVATE SCN_NOINLINE stripe_connect_result scn_call_end(stripe_connect_client *c, stripe_connect_result r)
{
    if (c != NULL) stripe_connect_wipe(c->work, c->work_size);
    return r;
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

/* The answer parsers scn_call can use, with the caller's output and what the answer must match. */
typedef stripe_connect_result (*scn_answer_parser)(const stripe_connect_http_response *res, void *out,
                                                   const void *context, stripe_connect_error *err);

/* Where an answer goes and how it is read. */
typedef struct scn_receiver {
    char *body; size_t body_cap;   /* the response body's room */
    int retries;                   /* at most this many more attempts: 0 for OAuth */
    scn_answer_parser parse;
    void *out;
    const void *context;
} scn_receiver;

#define SCN_RETRY_FIRST_DELAY_MS 500UL
#define SCN_RETRY_MAX_DELAY_MS 5000UL

/* Whether an attempt's outcome is worth another try, as Stripe's own libraries decide. */
SCN_PRIVATE int scn_should_retry(stripe_connect_result r, const stripe_connect_http_response *res)
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

/* The wait before a retry: delay less up to half of it at random, never below 0.5 s. Without a
   random source there is no jitter. */
SCN_PRIVATE unsigned long scn_jittered(stripe_connect_client *c, unsigned long delay)
{
    unsigned char jitter[2];
    unsigned long ms;
    if (c->random == NULL || c->random(c->random_user, jitter, sizeof jitter) != 0) return delay;
    ms = delay / 2 + (delay / 2) * (((unsigned long)jitter[0] << 8) | jitter[1]) / 65536UL;
    return ms < SCN_RETRY_FIRST_DELAY_MS ? SCN_RETRY_FIRST_DELAY_MS : ms;
}

/* Sends the built request until it succeeds, fails for good, or the retries are spent, waiting
   0.5 s doubling to 5 s (with jitter) between attempts. Every attempt is the same request, byte
   for byte, so an idempotency key makes the retries safe. */
SCN_PRIVATE stripe_connect_result scn_send(stripe_connect_client *c, const stripe_connect_prepared_request *req,
        const scn_receiver *a, stripe_connect_http_response *res)
{
    unsigned long delay = SCN_RETRY_FIRST_DELAY_MS;
    int attempt;
    for (attempt = 0;; attempt++) {
        stripe_connect_result r;
        STRIPE_CONNECT_MEMSET(res, 0, sizeof *res);
        res->body = a->body;
        res->body_cap = a->body_cap;
        res->should_retry = -1;
        r = scn_check_transport(c->transport.perform(c->transport.user, &req->http, res), res);
        if (attempt >= a->retries || c->sleep == NULL || !scn_should_retry(r, res)) return r;
        c->sleep(c->sleep_user, scn_jittered(c, delay));
        delay = delay < SCN_RETRY_MAX_DELAY_MS / 2 ? delay * 2 : SCN_RETRY_MAX_DELAY_MS;
    }
}

/* Sends a built request and reads the answer; err holds the status and the Request-Id. */
SCN_PRIVATE stripe_connect_result scn_call(stripe_connect_client *c, const stripe_connect_prepared_request *req,
        const scn_receiver *a, stripe_connect_error *err)
{
    stripe_connect_http_response res;
    stripe_connect_result r = scn_send(c, req, a, &res);
    if (r == STRIPE_CONNECT_OK) r = a->parse(&res, a->out, a->context, err);   /* which sets err's status */
    if (err != NULL) {
        /* The Request-Id up to its NUL, which the transport may have left out (so its last byte
           is made one); err is all zeroes here (scn_call_begin, the parsers), so nothing the
           transport left after the NUL comes too. */
        res.request_id[sizeof res.request_id - 1] = '\0';
        STRIPE_CONNECT_MEMCPY(err->request_id, res.request_id, STRIPE_CONNECT_STRLEN(res.request_id));
    }
    return r;
}

/* An OAuth answer: the deauthorize answer when context names the stripe_user_id it must hold,
   else the token answer, into out. */
SCN_PRIVATE stripe_connect_result scn_parse_oauth_answer(const stripe_connect_http_response *res, void *out,
                                                         const void *context, stripe_connect_error *err)
{
    if (context != NULL)
        return stripe_connect_parse_deauthorize_response(res->status, res->body, res->body_len,
                                                         (const char *)context, err);
    return stripe_connect_parse_token_response(res->status, res->body, res->body_len,
                                               (stripe_connect_token *)out, err);
}

/* The blocking OAuth calls: a token call (p, out) or, when deauthorize, /oauth/deauthorize
   (stripe_user_id). The request is built into the scratch buffer and sent once, with the answer
   in the rest of the scratch buffer; then the buffer is wiped. */
SCN_PRIVATE SCN_NOINLINE stripe_connect_result scn_oauth_call(stripe_connect_client *c, int deauthorize,
        const stripe_connect_token_params *p, const char *stripe_user_id, stripe_connect_token *out,
        stripe_connect_error *err)
{
    stripe_connect_prepared_request req;
    scn_receiver a;
    size_t used = 0;
    stripe_connect_result r = STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    if (out != NULL) STRIPE_CONNECT_MEMSET(out, 0, sizeof *out);
    if (scn_call_begin(c, err) && (deauthorize || out != NULL))
        r = scn_oauth_build(c, deauthorize, p, stripe_user_id, c->work, c->work_size, &used, &req);
    if (r == STRIPE_CONNECT_OK) {
        a.body = c->work + used;
        a.body_cap = c->work_size - used;
        a.retries = 0;                /* never: a code sent twice revokes the connection */
        a.parse = scn_parse_oauth_answer;
        a.out = out;
        a.context = stripe_user_id;
        r = scn_call(c, &req, &a, err);
    }
    return scn_call_end(c, r);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_token_call(stripe_connect_client *c,
        const stripe_connect_token_params *p, stripe_connect_token *out, stripe_connect_error *err)
{
    return scn_oauth_call(c, 0, p, NULL, out, err);
}

/* exchange_code and refresh: the grant's one parameter is code or refresh_token, whichever
   grant_type names (scn_token_params_valid reads only that one). */
SCN_PRIVATE stripe_connect_result scn_token_grant(stripe_connect_client *c, const char *grant_type,
        const char *grant_value, const char *scope, stripe_connect_token *out, stripe_connect_error *err)
{
    stripe_connect_token_params p;
    STRIPE_CONNECT_MEMSET(&p, 0, sizeof p);
    p.grant_type = grant_type;
    p.code = grant_value;
    p.refresh_token = grant_value;
    p.scope = scope;
    return stripe_connect_token_call(c, &p, out, err);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_exchange_code(stripe_connect_client *c,
        const char *code, stripe_connect_token *out, stripe_connect_error *err)
{
    return scn_token_grant(c, "authorization_code", code, NULL, out, err);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_refresh(stripe_connect_client *c,
        const char *refresh_token, const char *scope, stripe_connect_token *out, stripe_connect_error *err)
{
    return scn_token_grant(c, "refresh_token", refresh_token, scope, out, err);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_deauthorize(stripe_connect_client *c,
        const char *stripe_user_id, stripe_connect_error *err)
{
    return scn_oauth_call(c, 1, NULL, stripe_user_id, NULL, err);
}

/* ---- JSON lookup -----------------------------------------------------------------------------------------
   Walks the scanner down a dotted path ("data.0.id") and then on to the end of the document, so
   a value is only reported from a document that is valid JSON as a whole. */
/* 1 when the last key, decoded, equals segment[0..n). */
SCN_PRIVATE int scn_json_key_equals(const scn_json *j, const char *segment, size_t n)
{
    scn_json_pieces p;
    const char *piece;
    size_t length;
    scn_json_pieces_init(&p, j);
    while ((length = scn_json_next_piece(&p, &piece)) > 0) {
        if (length > n) return 0;
        for (n -= length; length > 0; length--)
            if (*piece++ != *segment++) return 0;
    }
    return n == 0;
}

/* A path segment (never empty) as an array index: plain decimal, no sign, no leading zero. */
SCN_PRIVATE int scn_segment_index(const char *segment, size_t n, size_t *index)
{
    size_t i, value = 0;
    if (n > 1 && segment[0] == '0') return 0;
    for (i = 0; i < n; i++) {
        if (segment[i] < '0' || segment[i] > '9') return 0;
        if (value > ((size_t)-1 - 9) / 10) return 0;
        value = value * 10 + (size_t)(segment[i] - '0');
    }
    *index = value;
    return 1;
}

/* Moves from the container that token opened to its member named by segment (a key, or an index
   into an array); returns the member's first token, SCN_JSON_END when there is no such member
   (as for any other token, SCN_JSON_ERROR and _END included), or SCN_JSON_ERROR. */
SCN_PRIVATE int scn_json_enter(scn_json *j, int token, const char *segment, size_t n)
{
    int is_array = token == SCN_JSON_ARRAY, found;
    size_t index = 0, position;
    if (is_array ? !scn_segment_index(segment, n, &index) : token != SCN_JSON_OBJECT) return SCN_JSON_END;
    for (position = 0;; position++) {
        token = scn_json_next(j);
        if (token == SCN_JSON_ARRAY_END || token == SCN_JSON_OBJECT_END) return SCN_JSON_END;
        if (token == SCN_JSON_ERROR) return token;
        if (is_array) {
            found = position == index;
        } else {
            found = scn_json_key_equals(j, segment, n);
            token = scn_json_next(j);
        }
        if (found || token == SCN_JSON_ERROR) return token;
        if (!scn_json_skip(j, token)) return SCN_JSON_ERROR;
    }
}

#define SCN_PATH_INVALID (-1)   /* what scn_json_find returns for a bad path (no token is negative) */

/* Finds path: returns the value's first token, or SCN_JSON_END when there is no such value. When
   what was read is not valid JSON it returns SCN_JSON_ERROR or SCN_JSON_END, and scn_json_finish
   fails then (the scanner stays broken). SCN_PATH_INVALID when a segment of path is empty (path
   starts or ends with '.', or holds ".."): every segment is checked, whatever the document holds. */
SCN_PRIVATE int scn_json_find(scn_json *j, const char *path)
{
    const char *segment = path;
    int token = scn_json_next(j);
    for (;;) {
        size_t n = 0;
        while (segment[n] != '\0' && segment[n] != '.') n++;
        if (n == 0) return SCN_PATH_INVALID;
        token = scn_json_enter(j, token, segment, n);    /* SCN_JSON_END from the first one not found */
        if (segment[n] == '\0') return token;
        segment += n + 1;
    }
}

/* Reads the rest of the document (the rest of the value found, if any, included); 1 when all of
   it is valid JSON (never after SCN_JSON_ERROR), so that a lookup's result stands. The text of
   the value found (a string or a number) is kept, so it can still be read afterwards. */
SCN_PRIVATE int scn_json_finish(scn_json *j)
{
    const char *text = j->text;
    size_t text_len = j->text_len;
    int escaped = j->escaped;
    if (!scn_json_read_to_end(j)) return 0;
    j->text = text;
    j->text_len = text_len;
    j->escaped = escaped;
    return 1;
}

/* 1 when text[0..len) is one valid JSON document. */
SCN_PRIVATE int scn_json_valid(const char *text, size_t len)
{
    scn_json j;
    scn_json_init(&j, text, len);
    return scn_json_read_to_end(&j);
}

/* The kinds of value a lookup accepts, as a set of tokens. */
#define SCN_JSON_KIND(token) (1U << (token))
#define SCN_JSON_BOOLEAN (SCN_JSON_KIND(SCN_JSON_TRUE) | SCN_JSON_KIND(SCN_JSON_FALSE))

/* A lookup's scanner and the first token of the value it found. */
typedef struct scn_lookup { scn_json json; int token; } scn_lookup;

/* The lookup behind the json_get functions: finds path and reads the whole document. Returns OK
   (l->token is the value's first token, its text still in l->json), ERR_INVALID_ARGUMENT,
   ERR_MALFORMED_JSON, ERR_NOT_FOUND, or ERR_UNEXPECTED_RESPONSE when the value's token is not
   in the set wanted (l->token tells what it is). */
SCN_PRIVATE stripe_connect_result scn_json_lookup(scn_lookup *l, const char *json, size_t len, const char *path,
                                                  unsigned wanted)
{
    if ((json == NULL && len > 0) || path == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    scn_json_init(&l->json, json, len);
    l->token = scn_json_find(&l->json, path);
    if (l->token == SCN_PATH_INVALID) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    if (!scn_json_finish(&l->json)) return STRIPE_CONNECT_ERR_MALFORMED_JSON;
    if (l->token == SCN_JSON_END) return STRIPE_CONNECT_ERR_NOT_FOUND;
    return (wanted & SCN_JSON_KIND(l->token)) != 0 ? STRIPE_CONNECT_OK : STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE;
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_json_get_string(const char *json, size_t len,
        const char *path, char *out, size_t cap, size_t *out_len)
{
    scn_lookup l;
    stripe_connect_result r;
    if (!scn_start_output(out, cap, out_len)) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    r = scn_json_lookup(&l, json, len, path, SCN_JSON_KIND(SCN_JSON_STRING));
    if (r == STRIPE_CONNECT_ERR_INVALID_ARGUMENT) return r;
    if (r == STRIPE_CONNECT_OK) return scn_json_copy_string(&l.json, out, cap, out_len);
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
    if (value > SCN_UINT64_HIGH_BIT - 1 + (unsigned)negative) return 0;
    /* -(value - 1) - 1 reaches INT64_MIN without converting 2^63 to int64_t. */
    *out = negative && value > 0 ? -(int64_t)(value - 1) - 1 : (int64_t)value;
    return 1;
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_json_get_int(const char *json, size_t len,
        const char *path, int64_t *out)
{
    scn_lookup l;
    stripe_connect_result r;
    if (out == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    *out = 0;
    r = scn_json_lookup(&l, json, len, path, SCN_JSON_KIND(SCN_JSON_NUMBER));
    if (r == STRIPE_CONNECT_OK && !scn_json_number_to_int64(&l.json, out)) r = STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE;
    return r;
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_json_get_bool(const char *json, size_t len,
        const char *path, int *out)
{
    scn_lookup l;
    stripe_connect_result r;
    if (out == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    *out = 0;
    r = scn_json_lookup(&l, json, len, path, SCN_JSON_BOOLEAN);
    if (r == STRIPE_CONNECT_OK) *out = l.token == SCN_JSON_TRUE;
    return r;
}

/* ---- The Stripe API ----------------------------------------------------------------------------------------
   A call is built once in the scratch buffer and sent up to 1 + max_retries times, byte for
   byte the same, so the idempotency key makes the retries safe. */

/* Checks the call, draws the idempotency key when one is needed and builds the request in
   c->work. Its own frame, so the prepared request is all stripe_connect_api_request keeps on
   the stack while it sends. */
SCN_PRIVATE SCN_NOINLINE stripe_connect_result scn_api_prepare(stripe_connect_client *c,
        const stripe_connect_api_params *p, stripe_connect_prepared_request *req)
{
    unsigned char uuid[16];
    scn_request q;
    size_t used;
    stripe_connect_result r;
    STRIPE_CONNECT_MEMSET(&q, 0, sizeof q);
    q.method = p->method;
    q.is_post = scn_str_equal(p->method, "POST");
    q.params = p->params;
    q.params_len = p->params_len;
    q.text[SCN_KEY] = p->access_token != NULL ? p->access_token : c->secret_key;
    q.text[SCN_BASE] = c->api_base != NULL ? c->api_base : SCN_DEFAULT_API_BASE;
    q.text[SCN_PATH] = p->path;
    q.text[SCN_STRIPE_VERSION] = c->stripe_version;
    q.text[SCN_STRIPE_ACCOUNT] = p->stripe_account;
    q.text[SCN_IDEMPOTENCY_KEY] = p->idempotency_key;
    q.text[SCN_APP_NAME] = c->app_name;
    q.text[SCN_APP_VERSION] = c->app_version;
    q.text[SCN_APP_URL] = c->app_url;
    if (!scn_request_valid(&q)) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    if (q.is_post && q.text[SCN_IDEMPOTENCY_KEY] == NULL) {
        if (c->random == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
        q.uuid = uuid;
    }
    r = STRIPE_CONNECT_ERR_RANDOM;
    if (q.uuid == NULL || c->random(c->random_user, uuid, sizeof uuid) == 0) {
        STRIPE_CONNECT_MEMSET(req, 0, sizeof *req);
        scn_request_start(&q, c->work, c->work_size);
        r = scn_request_finish(&q, c, &used, req);
    }
    stripe_connect_wipe(uuid, sizeof uuid);
    return r;
}

/* The answer that arrived, in the caller's buffer: a 2xx must be JSON; anything else is Stripe's
   error or a bare status. */
SCN_PRIVATE stripe_connect_result scn_parse_api_answer(const stripe_connect_http_response *res, void *out_len,
                                                       const void *context, stripe_connect_error *err)
{
    stripe_connect_result r;
    (void)context;
    res->body[res->body_len] = '\0';
    *(size_t *)out_len = res->body_len;
    if (res->status >= 200 && res->status <= 299) {
        scn_parse_begin(res->status, NULL, 0, err);
        return scn_json_valid(res->body, res->body_len) ? STRIPE_CONNECT_OK : STRIPE_CONNECT_ERR_MALFORMED_JSON;
    }
    /* Only ERR_OAUTH, ERR_API or ERR_HTTP_STATUS; an OAuth-style "error" string is an API error here. */
    r = scn_parse_answer(res->status, res->body, res->body_len, NULL, 0, NULL, 0, err);
    return r == STRIPE_CONNECT_ERR_OAUTH ? STRIPE_CONNECT_ERR_API : r;
}

SCN_PRIVATE stripe_connect_result scn_api_request(stripe_connect_client *c, const stripe_connect_api_params *p,
        char *out, size_t cap, size_t *out_len, stripe_connect_error *err)
{
    stripe_connect_prepared_request req;
    scn_receiver a;
    stripe_connect_result r = scn_api_prepare(c, p, &req);
    if (r != STRIPE_CONNECT_OK) return r;
    a.body = out;
    a.body_cap = cap - 1;                                 /* room for the NUL */
    a.retries = c->max_retries;
    a.parse = scn_parse_api_answer;
    a.out = out_len;
    a.context = NULL;
    return scn_call(c, &req, &a, err);
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_api_request(stripe_connect_client *c,
        const stripe_connect_api_params *p, char *out, size_t cap, size_t *out_len, stripe_connect_error *err)
{
    stripe_connect_result r = STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    int can_call = scn_call_begin(c, err);
    if (scn_start_output(out, cap, out_len) && cap > 0 && can_call && p != NULL && p->method != NULL)
        r = scn_api_request(c, p, out, cap, out_len, err);
    if (r != STRIPE_CONNECT_OK && r != STRIPE_CONNECT_ERR_API && r != STRIPE_CONNECT_ERR_HTTP_STATUS)
        stripe_connect_wipe(out, cap);                    /* "" or nothing: no partial or unchecked body */
    return scn_call_end(c, r);
}

/* ---- SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104) ---------------------------------------------------------
   Byte-oriented, so the result does not depend on the machine's endianness; a 16-word rolling
   message schedule keeps the stack small. A message comes as a list of pieces hashed one after
   the other, so the webhook's "<t>.<payload>" is signed without copying it together. */
typedef struct scn_bytes { const void *data; size_t len; } scn_bytes;

typedef struct scn_sha256 {
    uint32_t state[8];
    uint32_t block[16];             /* the block being filled, as big-endian words */
    size_t length;                  /* bytes hashed so far (the message is in memory: it fits) */
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

static const uint32_t scn_sha256_initial[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
};

#define SCN_ROTR(x, n) ((uint32_t)(((x) >> (n)) | ((x) << (32 - (n)))))

SCN_PRIVATE void scn_store_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Hashes the block into state. The block holds the message schedule's rolling 16 words, so it
   ends up overwritten (and the caller's wipe covers it). */
SCN_PRIVATE void scn_sha256_compress(uint32_t state[8], uint32_t w[16])
{
    uint32_t v[8];
    size_t i, j;
    for (i = 0; i < 8; i++) v[i] = state[i];
    for (i = 0; i < 64; i++) {
        uint32_t t1, t2, wi = w[i & 15];   /* W_i of FIPS 180-4 */
        if (i >= 16) {
            uint32_t w15 = w[(i - 15) & 15], w2 = w[(i - 2) & 15];
            uint32_t s0 = SCN_ROTR(w15, 7) ^ SCN_ROTR(w15, 18) ^ (w15 >> 3);
            uint32_t s1 = SCN_ROTR(w2, 17) ^ SCN_ROTR(w2, 19) ^ (w2 >> 10);
            wi += s0 + w[(i - 7) & 15] + s1;
            w[i & 15] = wi;
        }
        /* Ch and Maj of FIPS 180-4, in their equivalent forms with one operation fewer */
        t1 = v[7] + (SCN_ROTR(v[4], 6) ^ SCN_ROTR(v[4], 11) ^ SCN_ROTR(v[4], 25)) +
             (v[6] ^ (v[4] & (v[5] ^ v[6]))) + scn_sha256_k[i] + wi;
        t2 = (SCN_ROTR(v[0], 2) ^ SCN_ROTR(v[0], 13) ^ SCN_ROTR(v[0], 22)) +
             ((v[0] & v[1]) | (v[2] & (v[0] | v[1])));
        for (j = 7; j > 0; j--) v[j] = v[j - 1];
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (i = 0; i < 8; i++) state[i] += v[i];
}

SCN_PRIVATE void scn_sha256_add_byte(scn_sha256 *h, unsigned byte)
{
    size_t at = h->length % 64 / 4;
    h->block[at] = h->block[at] << 8 | byte;   /* 4 bytes in fill a word */
    if (++h->length % 64 == 0) scn_sha256_compress(h->state, h->block);
}

/* SHA-256 of the count pieces one after the other. For HMAC's two hashes (pad 0x36 or 0x5c) they
   follow one block of K ^ pad, K being key (at most a block) zero-padded to a block; with pad 0
   there is no such block. */
SCN_PRIVATE void scn_sha256_pieces(const scn_bytes *key, unsigned pad, const scn_bytes *pieces, size_t count,
                                   unsigned char digest[32])
{
    scn_sha256 h;
    uint64_t bits;
    size_t i, k;
    STRIPE_CONNECT_MEMCPY(h.state, scn_sha256_initial, sizeof h.state);
    h.length = 0;
    if (pad != 0)
        for (i = 0; i < 64; i++)
            scn_sha256_add_byte(&h, (i < key->len ? ((const unsigned char *)key->data)[i] : 0u) ^ pad);
    for (k = 0; k < count; k++) {
        const unsigned char *p = (const unsigned char *)pieces[k].data;
        for (i = 0; i < pieces[k].len; i++) scn_sha256_add_byte(&h, p[i]);
    }
    bits = (uint64_t)h.length * 8;
    scn_sha256_add_byte(&h, 0x80);                          /* the padding: 0x80, zeros up to 56 bytes */
    while (h.length % 64 != 56) scn_sha256_add_byte(&h, 0); /* of a block, the length in bits (big-endian) */
    for (i = 0; i < 8; i++, bits <<= 8) scn_sha256_add_byte(&h, (unsigned)(bits >> 56));
    for (i = 0; i < 8; i++) scn_store_be32(digest + 4 * i, h.state[i]);
    stripe_connect_wipe(&h, sizeof h);
}

/* HMAC-SHA256 of the count pieces of text: SHA-256((K ^ opad) || SHA-256((K ^ ipad) || text)),
   where K is the key zero-padded to a block (a key longer than a block is hashed first, and the
   hash wiped after use). mac holds the inner hash for a moment. */
SCN_PRIVATE void scn_hmac_sha256(const void *key, size_t key_len, const scn_bytes *text, size_t count,
                                 unsigned char mac[32])
{
    unsigned char hashed_key[32];
    scn_bytes k, inner;
    k.data = key;
    k.len = key_len;
    if (key_len > 64) {
        stripe_connect_sha256(key, key_len, hashed_key);
        k.data = hashed_key;
        k.len = sizeof hashed_key;
    }
    scn_sha256_pieces(&k, 0x36, text, count, mac);
    inner.data = mac;
    inner.len = 32;
    scn_sha256_pieces(&k, 0x5c, &inner, 1, mac);
    stripe_connect_wipe(hashed_key, sizeof hashed_key);
}

STRIPE_CONNECT_API void stripe_connect_sha256(const void *data, size_t len, unsigned char digest[32])
{
    scn_bytes message;
    if (digest == NULL || (data == NULL && len > 0)) return;
    message.data = data;
    message.len = len;
    scn_sha256_pieces(NULL, 0, &message, 1, digest);
}

STRIPE_CONNECT_API void stripe_connect_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
        unsigned char mac[32])
{
    scn_bytes text;
    if (mac == NULL || (key == NULL && key_len > 0) || (data == NULL && len > 0)) return;
    text.data = data;
    text.len = len;
    scn_hmac_sha256(key, key_len, &text, 1, mac);
}

/* ---- Webhooks ------------------------------------------------------------------------------------------------
   Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<payload">>[,v1=...][,v0=...].
   The header is read twice (it is short): once for its shape and its timestamp, which the MAC
   needs, then once more to try every v1 against the MAC. The payload is hashed once. */
#define SCN_TIMESTAMP_DIGITS_MAX 18   /* any 18 digits fit an int64_t */

typedef struct scn_signature_reader {
    const char *at;      /* the next entry of the header, NULL after the last */
    const char *value;   /* of the entry found last */
    size_t value_len;
} scn_signature_reader;

/* Finds the next entry that starts with wanted ("<key>=") and moves r->at past it. Returns 1 (its
   value in r->value and r->value_len), 0 at the end, or -1 on an entry that is not key=value (an
   empty one too, as a trailing ',' leaves). */
SCN_PRIVATE int scn_signature_next(scn_signature_reader *r, const char *wanted)
{
    while (r->at != NULL) {
        const char *key = r->at;
        size_t len = scn_index_of(key, STRIPE_CONNECT_STRLEN(key), ','), equals = scn_index_of(key, len, '='), i;
        if (equals == 0 || equals + 1 >= len) return -1;          /* no key, no '=' or no value */
        r->at = key[len] != '\0' ? key + len + 1 : NULL;
        for (i = 0; wanted[i] != '\0' && key[i] == wanted[i]; i++) {}
        if (wanted[i] == '\0') {          /* wanted ends with the '=', so the key is all of it */
            r->value = key + i;
            r->value_len = len - i;
            return 1;
        }
    }
    return 0;
}

/* 1 when hex (64 digits, either case) spells mac; the comparison takes the same time wherever
   they differ. (Not inlined: in webhook_verify's frame its loop costs more than the call.) */
SCN_PRIVATE SCN_NOINLINE int scn_hex_matches(const char *hex, size_t len, const unsigned char mac[32])
{
    unsigned diff = 0;
    size_t i;
    if (len != 64) return 0;
    for (i = 0; i < 64; i++) {
        int digit = scn_hex_value((unsigned char)hex[i]);
        if (digit < 0) return 0;
        diff |= ((unsigned)mac[i / 2] >> (i % 2 ? 0 : 4) ^ (unsigned)digit) & 15;   /* mac's nibble i */
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
    scn_bytes text[3];   /* the signed text: "<t>.<payload>" */
    unsigned char mac[32];
    scn_signature_reader header;
    const char *t;
    size_t i;
    int64_t seconds = 0;
    int matched = 0;

    if ((payload == NULL && payload_len > 0) || signature_header == NULL || endpoint_secret == NULL ||
        tolerance_seconds < 0)
        return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    /* Exactly one t, every entry key=value: the first t, then no other up to the end. */
    header.at = signature_header;
    header.value = NULL;
    header.value_len = 0;
    if (scn_signature_next(&header, "t=") <= 0) return STRIPE_CONNECT_ERR_SIGNATURE;
    t = header.value;
    text[0].data = t;
    text[0].len = header.value_len;
    if (scn_signature_next(&header, "t=") != 0 || text[0].len > SCN_TIMESTAMP_DIGITS_MAX)
        return STRIPE_CONNECT_ERR_SIGNATURE;
    for (i = 0; i < text[0].len; i++) {
        if (t[i] < '0' || t[i] > '9') return STRIPE_CONNECT_ERR_SIGNATURE;
        seconds = seconds * 10 + (t[i] - '0');
    }
    /* A stale t fails before the MAC is computed: the result is ERR_SIGNATURE either way. */
    if (!scn_within_tolerance(seconds, now_unix, tolerance_seconds)) return STRIPE_CONNECT_ERR_SIGNATURE;

    text[1].data = ".";
    text[1].len = 1;
    text[2].data = payload;
    text[2].len = payload_len;
    scn_hmac_sha256(endpoint_secret, STRIPE_CONNECT_STRLEN(endpoint_secret), text, 3, mac);

    header.at = signature_header;
    while (scn_signature_next(&header, "v1=") > 0)   /* tries every one */
        matched |= scn_hex_matches(header.value, header.value_len, mac);
    stripe_connect_wipe(mac, sizeof mac);
    return matched ? STRIPE_CONNECT_OK : STRIPE_CONNECT_ERR_SIGNATURE;
}

/* The fields of an event, each read by its path; account and data.object.id may be absent. */
#define SCN_EVENT_FIELD(path, member, required) { path, offsetof(stripe_connect_webhook_event, member), \
        SCN_MEMBER_SIZE(stripe_connect_webhook_event, member), SCN_FIELD_STRING, required }
static const scn_field scn_event_fields[] = {
    SCN_EVENT_FIELD("id", id, 1), SCN_EVENT_FIELD("type", type, 1), SCN_EVENT_FIELD("account", account, 0),
    SCN_EVENT_FIELD("data.object.id", object_id, 0)
};
#undef SCN_EVENT_FIELD

/* Copies the string at f's path into the event; an optional one may be absent or null (as in
   the token parser): "". ERR_INVALID_ARGUMENT passes through (a NULL payload with len > 0). */
SCN_PRIVATE stripe_connect_result scn_event_field(const char *payload, size_t len, const scn_field *f, char *event)
{
    scn_lookup l;
    size_t n;
    stripe_connect_result r = scn_json_lookup(&l, payload, len, f->name,
                                              SCN_JSON_KIND(SCN_JSON_STRING) | SCN_JSON_KIND(SCN_JSON_NULL));
    if (r == STRIPE_CONNECT_OK && l.token == SCN_JSON_STRING) {
        r = scn_json_copy_string(&l.json, event + f->offset, f->size, &n);
    } else if (r == STRIPE_CONNECT_OK || r == STRIPE_CONNECT_ERR_NOT_FOUND) {            /* null or absent */
        r = f->required ? STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE : STRIPE_CONNECT_OK;
    }
    /* of another type or with NUL: ERR_UNEXPECTED_RESPONSE already; too long: */
    return r == STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL ? STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE : r;
}

STRIPE_CONNECT_API stripe_connect_result stripe_connect_webhook_event_read(const char *payload, size_t len,
        stripe_connect_webhook_event *out)
{
    stripe_connect_result r = STRIPE_CONNECT_OK;
    size_t i;
    if (out == NULL) return STRIPE_CONNECT_ERR_INVALID_ARGUMENT;
    STRIPE_CONNECT_MEMSET(out, 0, sizeof *out);      /* a NULL payload: the first lookup refuses it */
    for (i = 0; r == STRIPE_CONNECT_OK && i < sizeof scn_event_fields / sizeof scn_event_fields[0]; i++)
        r = scn_event_field(payload, len, &scn_event_fields[i], (char *)out);
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
   - No X-Stripe-Client-User-Agent header: the official libraries send it for Stripe's
     diagnostics only, and its JSON cost about 300 bytes of code, which matters on the devices
     this file serves. app_name, app_version and app_url still go in the User-Agent of API calls.
   - Webhook verification (stripe_connect_webhook_verify, the event reader, SHA-256 and
     HMAC-SHA256) is in the core, and the whole file fits 8 KiB of Cortex-M4 code at -Os.
   - STRIPE_CONNECT_NO_STDLIB with GCC or clang takes memcpy and memset from the environment:
     those compilers require them of every freestanding environment (they emit calls to them
     for struct copies and zeroing), so a second copy in the library would be dead weight.

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
