/* example_setup.h - what the two example programs share: connect_cli.c (build/stripe-connect)
   and web_connect.c (build/stripe-connect-web) read the same environment, give the client the
   kernel's randomness and a sleep, and open the transport STRIPE_TRANSPORT names.

   Not a library: include it in a program's one C file, after stripe_connect.h and both adapters
   (stripe_connect_curl.h, stripe_connect_mbedtls.h) with their implementations. POSIX (getrandom,
   nanosleep). Every function is static: a program uses what it needs. */
#ifndef EXAMPLE_SETUP_H
#define EXAMPLE_SETUP_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* What the mbedTLS transport trusts when STRIPE_CA_FILE is unset (libcurl has its own default). */
#define EXAMPLE_SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"
#define EXAMPLE_DEFAULT_TIMEOUT_MS 80000ul

#if defined(__GNUC__) || defined(__clang__)
#define EXAMPLE_UNUSED __attribute__((unused))
#else
#define EXAMPLE_UNUSED
#endif

typedef enum example_transport_kind { EXAMPLE_TRANSPORT_CURL, EXAMPLE_TRANSPORT_MBEDTLS } example_transport_kind;

/* The environment both programs read (DESIGN.md's list); a variable unset or empty is NULL. */
typedef struct example_settings {
    const char *client_id, *secret_key, *connect_base, *api_base, *ca_file, *redirect_uri;
    const char *webhook_secret;            /* STRIPE_WEBHOOK_SECRET: the endpoint's whsec_... */
    example_transport_kind transport;      /* STRIPE_TRANSPORT: curl (default) or mbedtls */
    unsigned long timeout_ms;              /* STRIPE_TIMEOUT_MS, default 80000 */
} example_settings;

/* The transport the client talks through, and what it needs to be closed. */
typedef struct example_transport {
    example_transport_kind kind;
    int open;
    stripe_connect_curl curl;
    stripe_connect_mbedtls mbedtls;
} example_transport;

/* The client's CSPRNG (state, idempotency keys, retry jitter): the kernel's, through getrandom. */
static EXAMPLE_UNUSED int example_random(void *user, unsigned char *out, size_t n)
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

/* The client's sleep between API retries. */
static EXAMPLE_UNUSED void example_sleep(void *user, unsigned long ms)
{
    struct timespec left;
    (void)user;
    left.tv_sec = (time_t)(ms / 1000);
    left.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
}

/* A variable's value; NULL when it is unset or empty. */
static EXAMPLE_UNUSED const char *example_environment(const char *name)
{
    const char *value = getenv(name);
    return value != NULL && value[0] != '\0' ? value : NULL;
}

/* Digits only, no sign, no overflow: 1 when text is a number within [minimum, maximum]. */
static EXAMPLE_UNUSED int example_parse_number(const char *text, unsigned long minimum, unsigned long maximum,
                                               unsigned long *out)
{
    unsigned long value = 0;
    if (*text == '\0') return 0;
    for (; *text != '\0'; text++) {
        unsigned digit = (unsigned)(*text - '0');
        if (digit > 9 || value > (~0ul - digit) / 10) return 0;
        value = value * 10 + digit;
    }
    *out = value;
    return value >= minimum && value <= maximum;
}

/* Reads the environment into *s. Returns NULL, or what is wrong with it (for a usage line). */
static EXAMPLE_UNUSED const char *example_read_settings(example_settings *s)
{
    const char *transport = example_environment("STRIPE_TRANSPORT");
    const char *timeout = example_environment("STRIPE_TIMEOUT_MS");
    s->client_id = example_environment("STRIPE_CLIENT_ID");
    s->secret_key = example_environment("STRIPE_SECRET_KEY");
    s->connect_base = example_environment("STRIPE_CONNECT_BASE");
    s->api_base = example_environment("STRIPE_API_BASE");
    s->ca_file = example_environment("STRIPE_CA_FILE");
    s->redirect_uri = example_environment("STRIPE_REDIRECT_URI");
    s->webhook_secret = example_environment("STRIPE_WEBHOOK_SECRET");
    if (transport == NULL || strcmp(transport, "curl") == 0) s->transport = EXAMPLE_TRANSPORT_CURL;
    else if (strcmp(transport, "mbedtls") == 0) s->transport = EXAMPLE_TRANSPORT_MBEDTLS;
    else return "STRIPE_TRANSPORT must be curl or mbedtls";
    s->timeout_ms = EXAMPLE_DEFAULT_TIMEOUT_MS;
    if (timeout != NULL && !example_parse_number(timeout, 1, ~0ul, &s->timeout_ms))
        return "STRIPE_TIMEOUT_MS must be a positive integer (milliseconds)";
    return NULL;
}

/* The client, from the settings, with the kernel's randomness and sleep; app_name goes into the
   User-Agent. The transport comes from example_transport_open. */
static EXAMPLE_UNUSED void example_client_init(stripe_connect_client *c, const example_settings *s, char *work,
                                               size_t work_size, const char *app_name)
{
    stripe_connect_client_init(c, work, work_size);
    c->client_id = s->client_id;
    c->secret_key = s->secret_key;
    c->connect_base = s->connect_base;
    c->api_base = s->api_base;
    c->timeout_ms = s->timeout_ms;
    c->random = example_random;
    c->sleep = example_sleep;
    c->app_name = app_name;
    c->app_version = STRIPE_CONNECT_VERSION;
}

/* Opens the transport the settings name, with the CA bundle of STRIPE_CA_FILE, and gives it to
   the client. On failure example_transport_error says why; close it on every path. */
static EXAMPLE_UNUSED stripe_connect_result example_transport_open(example_transport *t, const example_settings *s,
                                                                   stripe_connect_client *c)
{
    stripe_connect_result r;
    t->kind = s->transport;
    t->open = 1;
    if (t->kind == EXAMPLE_TRANSPORT_MBEDTLS) {
        r = stripe_connect_mbedtls_init(&t->mbedtls);
        if (r == STRIPE_CONNECT_OK)
            r = stripe_connect_mbedtls_set_ca_file(&t->mbedtls, s->ca_file != NULL ? s->ca_file : EXAMPLE_SYSTEM_CA_BUNDLE);
        c->transport = stripe_connect_mbedtls_transport(&t->mbedtls);
    } else {
        r = stripe_connect_curl_init(&t->curl, NULL);
        t->curl.ca_file = s->ca_file;          /* NULL: libcurl's default bundle */
        c->transport = stripe_connect_curl_transport(&t->curl);
    }
    return r;
}

/* The transport's own words on its last failure (never a header or a body), or NULL. */
static EXAMPLE_UNUSED const char *example_transport_error(const example_transport *t)
{
    if (!t->open) return NULL;
    return t->kind == EXAMPLE_TRANSPORT_MBEDTLS ? t->mbedtls.error : t->curl.error;
}

static EXAMPLE_UNUSED void example_transport_close(example_transport *t)
{
    if (!t->open) return;
    if (t->kind == EXAMPLE_TRANSPORT_MBEDTLS) stripe_connect_mbedtls_free(&t->mbedtls);
    else stripe_connect_curl_cleanup(&t->curl);
    t->open = 0;
}

/* The transport's name, for the programs' messages. */
static EXAMPLE_UNUSED const char *example_transport_name(example_transport_kind kind)
{
    return kind == EXAMPLE_TRANSPORT_MBEDTLS ? "mbedtls" : "curl";
}

#endif /* EXAMPLE_SETUP_H */
