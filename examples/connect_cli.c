/* connect_cli.c - stripe-connect: Stripe Connect OAuth from a shell, on stripe_connect.h.

   The tool a platform's developer runs to try the flow by hand (against the real Stripe with
   real keys, or against the local stand-in), and what `make demo` drives. Built by
   `make build/stripe-connect`, that is:

       cc -std=c99 -I. -Iadapters examples/connect_cli.c -o build/stripe-connect \
          -lcurl -lmbedtls -lmbedx509 -lmbedcrypto

   `stripe-connect help` lists the commands and the environment; README.md ("The command-line
   tool") is the full reference. The contract, from DESIGN.md: on success one JSON object on
   stdout (the URL alone for authorize-url, the body as Stripe sent it for api); on failure
   nothing on stdout, one line on stderr "stripe-connect: <result>[: <code>][: <message>]" and
   the exit status 1 (Stripe said no), 2 (usage), 3 (transport), 4 (a bad response).
   The secret key is read from the environment only, and never printed. */
#define _POSIX_C_SOURCE 200809L /* nanosleep (example_setup.h) */

#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"
#define STRIPE_CONNECT_CURL_IMPLEMENTATION
#include "stripe_connect_curl.h"
#define STRIPE_CONNECT_MBEDTLS_IMPLEMENTATION
#include "stripe_connect_mbedtls.h"
#include "example_setup.h"   /* the environment, randomness, sleep and transport, as web_connect.c's */

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CLI_NAME "stripe-connect"
#define CLI_USER_AGENT "stripe-connect-cli/" STRIPE_CONNECT_VERSION
/* Requests and answers: the client's scratch for the OAuth calls, and the api command's output. */
#define CLI_BUFFER_SIZE (256u * 1024u)
#define CLI_BUFFER_TEXT "256 KiB"
#define MAX_CAPABILITIES 64
#define MAX_SECRETS 8

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(format_index) __attribute__((format(printf, format_index, (format_index) + 1)))
#else
#define PRINTF_LIKE(format_index)
#endif

/* The exit statuses of DESIGN.md. */
enum {
    STATUS_STRIPE_SAID_NO = 1, /* an OAuth or API error, access denied, state mismatch */
    STATUS_USAGE = 2,          /* the command line or the environment is wrong */
    STATUS_TRANSPORT = 3,      /* could not talk to Stripe: connect, TLS, timeout */
    STATUS_BAD_RESPONSE = 4    /* an answer that is malformed, unexpected, too large, an HTTP error */
};

static char work_buffer[CLI_BUFFER_SIZE];   /* the client's scratch (wiped by the library) */
static char output_buffer[CLI_BUFFER_SIZE]; /* the authorize URL, API answers, the demo's GET */
static char form_buffer[CLI_BUFFER_SIZE];   /* the api command's KEY=VALUE parameters */
static char event_buffer[CLI_BUFFER_SIZE];  /* verify-webhook: the event's body as received */

typedef struct cli {
    example_settings env;
    stripe_connect_client client;
    example_transport transport;
    const char *secrets[MAX_SECRETS]; /* the key, codes and tokens of this run: never printed */
    size_t secret_count;
} cli;

/* The arguments after the command's name, looked at one by one. */
typedef struct arguments {
    const char *command;
    char **values;
    int count;
    int at;            /* the argument being looked at */
    int options_ended; /* after "--" every argument is positional */
    int failed;        /* a usage error was reported: stop */
} arguments;

/* ---- Errors: the one place for the error line and the exit status ------------------------------ */

static int status_of(stripe_connect_result r)
{
    switch (r) {
    case STRIPE_CONNECT_OK:
        return 0;
    case STRIPE_CONNECT_ERR_OAUTH: case STRIPE_CONNECT_ERR_API:
    case STRIPE_CONNECT_ERR_STATE_MISMATCH: case STRIPE_CONNECT_ERR_SIGNATURE:
        return STATUS_STRIPE_SAID_NO;
    case STRIPE_CONNECT_ERR_TRANSPORT: case STRIPE_CONNECT_ERR_TIMEOUT: case STRIPE_CONNECT_ERR_TLS:
    case STRIPE_CONNECT_ERR_RANDOM:      /* the system, not the caller, failed */
        return STATUS_TRANSPORT;
    case STRIPE_CONNECT_ERR_MALFORMED_JSON: case STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE:
    case STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE: case STRIPE_CONNECT_ERR_HTTP_STATUS:
    case STRIPE_CONNECT_ERR_MALFORMED_REDIRECT: case STRIPE_CONNECT_ERR_NOT_FOUND:
        return STATUS_BAD_RESPONSE;
    default:                             /* invalid argument, buffer too small: what the user gave */
        return STATUS_USAGE;
    }
}

/* What to add to a result that has no code or message of its own. */
static const char *hint_for(stripe_connect_result r)
{
    switch (r) {
    case STRIPE_CONNECT_ERR_INVALID_ARGUMENT:
        return "check STRIPE_CLIENT_ID, STRIPE_SECRET_KEY, the base URLs and the arguments";
    case STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL:
        return "the request does not fit in " CLI_BUFFER_TEXT;
    case STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE:
        return "the answer is larger than " CLI_BUFFER_TEXT;
    case STRIPE_CONNECT_ERR_STATE_MISMATCH:
        return "not the state that was sent: drop this redirect";
    case STRIPE_CONNECT_ERR_RANDOM:
        return "the kernel's random source (getrandom) failed";
    default:
        return NULL;
    }
}

/* Keeps secret out of every error line. Stripe's keys, codes and tokens are far longer than 6
   characters; a shorter argument would withhold messages for no reason. */
static void remember_secret(cli *app, const char *secret)
{
    if (secret != NULL && strlen(secret) >= 6 && app->secret_count < MAX_SECRETS)
        app->secrets[app->secret_count++] = secret;
}

/* 1 when text holds something that looks like a whole Stripe secret key: sk_ or rk_, live or
   test, followed by 8 key characters. Stripe's masked "sk_test_****...1234" does not. */
static int looks_like_secret_key(const char *text)
{
    static const char *const prefixes[] = { "sk_live_", "sk_test_", "rk_live_", "rk_test_" };
    size_t i, n;
    const char *at;
    for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        for (at = strstr(text, prefixes[i]); at != NULL; at = strstr(at + 1, prefixes[i])) {
            const char *key = at + strlen(prefixes[i]);
            for (n = 0; n < 8 && ((key[n] >= 'a' && key[n] <= 'z') || (key[n] >= 'A' && key[n] <= 'Z') ||
                                  (key[n] >= '0' && key[n] <= '9')); n++) {
            }
            if (n == 8) return 1;
        }
    }
    return 0;
}

/* text, or a notice in its place when it holds a secret: a server or a library that echoes the
   key, a code or a token must not make this tool print it. */
static const char *without_secrets(const cli *app, const char *text)
{
    static const char withheld[] = "(withheld: it contained a secret)";
    size_t i;
    for (i = 0; i < app->secret_count; i++)
        if (strstr(text, app->secrets[i]) != NULL) return withheld;
    return looks_like_secret_key(text) ? withheld : text;
}

/* Writes text to stderr on the one line: control characters become spaces. */
static void put_on_one_line(const char *text)
{
    for (; *text != '\0'; text++) {
        unsigned char byte = (unsigned char)*text;
        fputc(byte < 0x20 || byte == 0x7f ? ' ' : byte, stderr);
    }
}

/* The error line "stripe-connect: <result>[: <code>][: <detail>][: <message>]" (empty parts
   left out); returns the exit status for r. */
static int report(const cli *app, stripe_connect_result r, const char *code, const char *detail,
                  const char *message)
{
    const char *parts[3];
    size_t i;
    parts[0] = code;
    parts[1] = detail;
    parts[2] = message;
    fputs(CLI_NAME ": ", stderr);
    fputs(stripe_connect_result_string(r), stderr);
    for (i = 0; i < 3; i++) {
        if (parts[i] == NULL || parts[i][0] == '\0') continue;
        fputs(": ", stderr);
        put_on_one_line(without_secrets(app, parts[i]));
    }
    fputc('\n', stderr);
    return status_of(r);
}

/* The transport's own words about its last failure (libcurl's or mbedTLS's message). */
static const char *transport_diagnostic(const cli *app)
{
    return example_transport_error(&app->transport);
}

/* Reports a failed call: the transport's words, Stripe's error code and message, or the HTTP
   status (err may be NULL for the calls that do not talk to Stripe). */
static int report_call(const cli *app, stripe_connect_result r, const stripe_connect_error *err)
{
    if (r == STRIPE_CONNECT_ERR_TRANSPORT || r == STRIPE_CONNECT_ERR_TIMEOUT || r == STRIPE_CONNECT_ERR_TLS)
        return report(app, r, NULL, NULL, transport_diagnostic(app));
    if (err != NULL && (r == STRIPE_CONNECT_ERR_OAUTH || r == STRIPE_CONNECT_ERR_API))
        return report(app, r, err->code[0] != '\0' ? err->code : err->type, err->decline_code, err->message);
    if (err != NULL && r == STRIPE_CONNECT_ERR_HTTP_STATUS) {
        char status[32];
        snprintf(status, sizeof status, "%d", err->http_status);
        return report(app, r, status, NULL, NULL);
    }
    return report(app, r, NULL, NULL, hint_for(r));
}

/* A usage error outside any command: "stripe-connect: usage: <message>". */
static int PRINTF_LIKE(1) usage_line(const char *format, ...)
{
    va_list ap;
    fputs(CLI_NAME ": usage: ", stderr);
    va_start(ap, format);
    vfprintf(stderr, format, ap);
    va_end(ap);
    fputc('\n', stderr);
    return STATUS_USAGE;
}

/* A usage error in a command: the first one is reported, and the arguments stop there.
   Messages name options and fields, never an argument's value (it may be a token). */
static int PRINTF_LIKE(2) usage(arguments *a, const char *format, ...)
{
    va_list ap;
    if (a->failed) return STATUS_USAGE;
    a->failed = 1;
    fprintf(stderr, CLI_NAME ": usage: %s: ", a->command);
    va_start(ap, format);
    vfprintf(stderr, format, ap);
    va_end(ap);
    fputc('\n', stderr);
    return STATUS_USAGE;
}

/* A usage error when a variable the command needs is unset. */
static int require(arguments *a, const char *value, const char *variable)
{
    if (value != NULL) return 0;
    return usage(a, "%s is not set", variable);
}

/* ---- JSON output: the one place for escaping ---------------------------------------------------- */

/* Writes s as a JSON string: quotes, backslashes and control characters escaped; other bytes as
   they are (the library hands over only valid UTF-8). */
static void json_string(const char *s)
{
    putchar('"');
    for (; *s != '\0'; s++) {
        unsigned char byte = (unsigned char)*s;
        if (byte == '"' || byte == '\\') printf("\\%c", byte);
        else if (byte == '\n') fputs("\\n", stdout);
        else if (byte == '\r') fputs("\\r", stdout);
        else if (byte == '\t') fputs("\\t", stdout);
        else if (byte < 0x20 || byte == 0x7f) printf("\\u%04x", byte);
        else putchar(byte);
    }
    putchar('"');
}

/* Writes one "name":"value" member of an object: the first opens it, the others follow a comma. */
static void json_member(int first, const char *name, const char *value)
{
    putchar(first ? '{' : ',');
    json_string(name);
    putchar(':');
    json_string(value);
}

/* The token as one line of JSON, with exactly stripe_connect_token's field names. */
static void print_token(const stripe_connect_token *t)
{
    static const struct { const char *name; size_t offset; } fields[] = {
        { "access_token", offsetof(stripe_connect_token, access_token) },
        { "refresh_token", offsetof(stripe_connect_token, refresh_token) },
        { "stripe_publishable_key", offsetof(stripe_connect_token, stripe_publishable_key) },
        { "stripe_user_id", offsetof(stripe_connect_token, stripe_user_id) },
        { "scope", offsetof(stripe_connect_token, scope) },
        { "token_type", offsetof(stripe_connect_token, token_type) }
    };
    size_t i;
    for (i = 0; i < sizeof fields / sizeof fields[0]; i++)
        json_member(i == 0, fields[i].name, (const char *)t + fields[i].offset);
    printf(",\"livemode\":%s}\n", t->livemode ? "true" : "false");
}

/* ---- Arguments ------------------------------------------------------------------------------------ */

/* Moves to the next argument: 0 when there is none left or a usage error stopped the command. */
static int next_argument(arguments *a)
{
    a->at++;
    return !a->failed && a->at < a->count;
}

static const char *current(const arguments *a)
{
    return a->values[a->at];
}

/* 1 when the argument is the flag `name` (an option without a value). */
static int flag(const arguments *a, const char *name)
{
    return !a->options_ended && strcmp(current(a), name) == 0;
}

/* 1 when the argument is the option `name`, as "--name VALUE" or "--name=VALUE"; the value
   goes to *value. A missing or empty value is a usage error. */
static int option(arguments *a, const char *name, const char **value)
{
    const char *arg = current(a);
    size_t n = strlen(name);
    if (a->options_ended || strncmp(arg, name, n) != 0 || (arg[n] != '\0' && arg[n] != '=')) return 0;
    if (arg[n] == '=') *value = arg + n + 1;
    else if (a->at + 1 < a->count) *value = a->values[++a->at];
    else *value = "";
    if ((*value)[0] == '\0') usage(a, "%s needs a value", name);
    return 1;
}

/* Takes the argument as the next positional one, into slots[*filled]. "--" ends the options;
   an unknown option, or one argument too many, is a usage error. */
static void positional(arguments *a, const char **slots, size_t slot_count, size_t *filled)
{
    const char *arg = current(a);
    if (!a->options_ended && strcmp(arg, "--") == 0) {
        a->options_ended = 1;
    } else if (!a->options_ended && arg[0] == '-' && arg[1] != '\0') {
        usage(a, "unknown option %.*s", (int)strcspn(arg, "="), arg);
    } else if (*filled == slot_count) {
        usage(a, "too many arguments");
    } else {
        slots[(*filled)++] = arg;
    }
}

static int read_settings(example_settings *s)
{
    const char *problem = example_read_settings(s);
    return problem != NULL ? usage_line("%s", problem) : 0;
}

/* ---- The client and its transport ----------------------------------------------------------------- */

static void client_setup(cli *app)
{
    example_client_init(&app->client, &app->env, work_buffer, sizeof work_buffer, "stripe-connect-cli");
    remember_secret(app, app->env.secret_key);
}

static stripe_connect_result open_transport(cli *app)
{
    return example_transport_open(&app->transport, &app->env, &app->client);
}

static void close_transport(cli *app)
{
    example_transport_close(&app->transport);
}

/* Opens the transport and reports its failure (exit status), or 0. */
static int transport_ready(cli *app)
{
    stripe_connect_result r = open_transport(app);
    return r == STRIPE_CONNECT_OK ? 0 : report(app, r, NULL, NULL, transport_diagnostic(app));
}

/* ---- authorize-url ------------------------------------------------------------------------------- */

#define USER_FIELD(name) { #name, offsetof(stripe_connect_stripe_user, name) }
static const struct user_field { const char *name; size_t offset; } user_fields[] = {
    USER_FIELD(email), USER_FIELD(url), USER_FIELD(country), USER_FIELD(phone_number),
    USER_FIELD(business_name), USER_FIELD(business_type), USER_FIELD(first_name),
    USER_FIELD(last_name), USER_FIELD(dob_day), USER_FIELD(dob_month), USER_FIELD(dob_year),
    USER_FIELD(street_address), USER_FIELD(city), USER_FIELD(state), USER_FIELD(zip),
    USER_FIELD(physical_product), USER_FIELD(product_description), USER_FIELD(currency),
    USER_FIELD(first_name_kana), USER_FIELD(first_name_kanji), USER_FIELD(last_name_kana),
    USER_FIELD(last_name_kanji), USER_FIELD(gender), USER_FIELD(block_kana), USER_FIELD(block_kanji),
    USER_FIELD(building_kana), USER_FIELD(building_kanji)
};
#define USER_FIELD_COUNT (sizeof user_fields / sizeof user_fields[0])

/* --user FIELD=VALUE: sets stripe_user.FIELD, once. */
static void set_user_field(arguments *a, stripe_connect_stripe_user *user, const char *assignment)
{
    const char *equals = strchr(assignment, '=');
    size_t name_len, i;
    if (equals == NULL) {
        usage(a, "--user takes FIELD=VALUE");
        return;
    }
    name_len = (size_t)(equals - assignment);
    for (i = 0; i < USER_FIELD_COUNT; i++) {
        const char **slot = (const char **)(void *)((char *)user + user_fields[i].offset);
        if (strlen(user_fields[i].name) != name_len || memcmp(user_fields[i].name, assignment, name_len) != 0)
            continue;
        if (*slot != NULL) usage(a, "--user %s given twice", user_fields[i].name);
        *slot = equals + 1;
        return;
    }
    usage(a, "--user: unknown field '%.*s' (stripe-connect help lists the %u fields)", (int)name_len,
          assignment, (unsigned)USER_FIELD_COUNT);
}

static void add_capability(arguments *a, const char **list, size_t *count, const char *capability)
{
    if (*count == MAX_CAPABILITIES) usage(a, "more than %d --capability options", MAX_CAPABILITIES);
    else list[(*count)++] = capability;
}

static int command_authorize_url(cli *app, arguments *a)
{
    stripe_connect_authorize_params p;
    const char *capabilities[MAX_CAPABILITIES];
    const char *value;
    char state[64];
    int new_state = 0;
    size_t none = 0, n;
    stripe_connect_result r;

    memset(&p, 0, sizeof p);
    p.redirect_uri = app->env.redirect_uri;
    p.suggested_capabilities = capabilities;
    while (next_argument(a)) {
        if (flag(a, "--express")) p.express = 1;
        else if (flag(a, "--always-prompt")) p.always_prompt = 1;
        else if (flag(a, "--new-state")) new_state = 1;
        else if (option(a, "--scope", &p.scope) || option(a, "--redirect-uri", &p.redirect_uri) ||
                 option(a, "--state", &p.state) || option(a, "--landing", &p.stripe_landing)) continue;
        else if (option(a, "--user", &value)) set_user_field(a, &p.stripe_user, value);
        else if (option(a, "--capability", &value)) add_capability(a, capabilities, &p.suggested_capabilities_count, value);
        else positional(a, NULL, 0, &none);
    }
    if (a->failed) return STATUS_USAGE;
    if (p.state != NULL && new_state) return usage(a, "--state and --new-state exclude each other");
    if (p.stripe_landing != NULL && strcmp(p.stripe_landing, "login") != 0 && strcmp(p.stripe_landing, "register") != 0)
        return usage(a, "--landing must be login or register");
    if (require(a, app->env.client_id, "STRIPE_CLIENT_ID")) return STATUS_USAGE;
    if (new_state) {
        r = stripe_connect_state_generate(&app->client, state, sizeof state, &n);
        if (r != STRIPE_CONNECT_OK) return report_call(app, r, NULL);
        p.state = state;
    }
    r = stripe_connect_authorize_url(&app->client, &p, output_buffer, sizeof output_buffer, &n);
    if (r != STRIPE_CONNECT_OK) return report_call(app, r, NULL);
    puts(output_buffer);
    if (new_state) fprintf(stderr, "state: %s\n", state);   /* for the script to keep and check */
    return 0;
}

/* ---- parse-redirect -------------------------------------------------------------------------------- */

static int command_parse_redirect(cli *app, arguments *a)
{
    const char *url = NULL, *expected_state = NULL;
    stripe_connect_redirect redirect;
    size_t filled = 0;
    stripe_connect_result r;

    while (next_argument(a)) {
        if (option(a, "--state", &expected_state)) continue;
        positional(a, &url, 1, &filled);
    }
    if (a->failed) return STATUS_USAGE;
    if (url == NULL) return usage(a, "needs the URL Stripe redirected to");
    r = stripe_connect_parse_redirect(url, strlen(url), expected_state, &redirect);
    if (r == STRIPE_CONNECT_ERR_OAUTH)   /* access_denied when the user declined */
        return report(app, r, redirect.error_code, NULL, redirect.error_description);
    if (r != STRIPE_CONNECT_OK) return report_call(app, r, NULL);
    json_member(1, "code", redirect.code);
    json_member(0, "scope", redirect.scope);
    json_member(0, "state", redirect.state);
    puts("}");
    stripe_connect_wipe(&redirect, sizeof redirect);
    return 0;
}

/* ---- exchange, refresh, deauthorize ----------------------------------------------------------------- */

/* Reads the one positional argument the command takes; a usage error when it is missing. */
static const char *single_argument(arguments *a, const char *what)
{
    const char *value = NULL;
    size_t filled = 0;
    while (next_argument(a)) positional(a, &value, 1, &filled);
    if (!a->failed && value == NULL) usage(a, "needs %s", what);
    return a->failed ? NULL : value;
}

static int command_exchange(cli *app, arguments *a)
{
    stripe_connect_token token;
    stripe_connect_error err;
    stripe_connect_result r;
    const char *code = single_argument(a, "the CODE from the redirect");
    int status;

    if (code == NULL || require(a, app->env.secret_key, "STRIPE_SECRET_KEY")) return STATUS_USAGE;
    remember_secret(app, code);
    if ((status = transport_ready(app)) != 0) return status;
    r = stripe_connect_exchange_code(&app->client, code, &token, &err);   /* once: never retried */
    if (r != STRIPE_CONNECT_OK) return report_call(app, r, &err);
    print_token(&token);
    stripe_connect_wipe(&token, sizeof token);
    return 0;
}

static int command_refresh(cli *app, arguments *a)
{
    stripe_connect_token token;
    stripe_connect_error err;
    stripe_connect_result r;
    const char *refresh_token = NULL, *scope = NULL;
    size_t filled = 0;
    int status;

    while (next_argument(a)) {
        if (option(a, "--scope", &scope)) continue;
        positional(a, &refresh_token, 1, &filled);
    }
    if (a->failed) return STATUS_USAGE;
    if (refresh_token == NULL) return usage(a, "needs the REFRESH_TOKEN");
    if (require(a, app->env.secret_key, "STRIPE_SECRET_KEY")) return STATUS_USAGE;
    remember_secret(app, refresh_token);
    if ((status = transport_ready(app)) != 0) return status;
    r = stripe_connect_refresh(&app->client, refresh_token, scope, &token, &err);
    if (r != STRIPE_CONNECT_OK) return report_call(app, r, &err);
    print_token(&token);
    stripe_connect_wipe(&token, sizeof token);
    return 0;
}

static int command_deauthorize(cli *app, arguments *a)
{
    stripe_connect_error err;
    stripe_connect_result r;
    const char *account = single_argument(a, "the ACCOUNT_ID (acct_...)");
    int status;

    if (account == NULL || require(a, app->env.secret_key, "STRIPE_SECRET_KEY") ||
        require(a, app->env.client_id, "STRIPE_CLIENT_ID"))
        return STATUS_USAGE;
    if ((status = transport_ready(app)) != 0) return status;
    r = stripe_connect_deauthorize(&app->client, account, &err);
    if (r != STRIPE_CONNECT_OK) return report_call(app, r, &err);
    json_member(1, "stripe_user_id", account);   /* the library checked Stripe answered this one */
    puts("}");
    return 0;
}

/* ---- api ---------------------------------------------------------------------------------------------- */

/* The method in Stripe's spelling, whatever the case it was typed in; NULL when unknown. */
static const char *api_method(const char *typed)
{
    static const char *const methods[] = { "GET", "POST", "DELETE" };
    size_t i, k;
    for (i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        for (k = 0; methods[i][k] != '\0' && (typed[k] == methods[i][k] || typed[k] == methods[i][k] + ('a' - 'A')); k++) {
        }
        if (methods[i][k] == '\0' && typed[k] == '\0') return methods[i];
    }
    return NULL;
}

/* KEY=VALUE into the form. The key is ended in place: argv's strings are the program's to
   change (C99 5.1.2.2.1). */
static void add_parameter(arguments *a, stripe_connect_form *form, char *pair)
{
    char *equals = strchr(pair, '=');
    if (equals == NULL || equals == pair) {
        usage(a, "parameters are KEY=VALUE");
        return;
    }
    *equals = '\0';
    stripe_connect_form_add(form, pair, equals + 1);
}

/* The api options and arguments into p and form. */
static void read_api_arguments(arguments *a, stripe_connect_api_params *p, stripe_connect_form *form)
{
    const char *slots[2] = { NULL, NULL };
    size_t filled = 0;
    while (next_argument(a)) {
        if (option(a, "--access-token", &p->access_token) || option(a, "--account", &p->stripe_account) ||
            option(a, "--idempotency-key", &p->idempotency_key)) continue;
        if (filled == 2 && (a->options_ended || current(a)[0] != '-')) add_parameter(a, form, a->values[a->at]);
        else positional(a, slots, 2, &filled);
    }
    if (a->failed) return;
    if (filled < 2) usage(a, "needs METHOD and PATH");
    else if ((p->method = api_method(slots[0])) == NULL) usage(a, "METHOD must be GET, POST or DELETE");
    else if ((p->path = slots[1])[0] != '/') usage(a, "PATH starts with /, as in /v1/charges");
    else if (p->access_token != NULL && p->stripe_account != NULL)
        usage(a, "--access-token and --account exclude each other");
}

static int command_api(cli *app, arguments *a)
{
    stripe_connect_api_params p;
    stripe_connect_form form;
    stripe_connect_error err;
    stripe_connect_result r;
    size_t n;
    int status;

    memset(&p, 0, sizeof p);
    stripe_connect_form_init(&form, form_buffer, sizeof form_buffer);
    read_api_arguments(a, &p, &form);
    if (a->failed) return STATUS_USAGE;
    if (p.access_token == NULL && require(a, app->env.secret_key, "STRIPE_SECRET_KEY")) return STATUS_USAGE;
    remember_secret(app, p.access_token);
    r = stripe_connect_form_finish(&form, &n);
    if (r != STRIPE_CONNECT_OK) return report_call(app, r, NULL);
    if (n > 0) {
        p.params = form_buffer;
        p.params_len = n;
    }
    if ((status = transport_ready(app)) != 0) return status;
    r = stripe_connect_api_request(&app->client, &p, output_buffer, sizeof output_buffer, &n, &err);
    if (r != STRIPE_CONNECT_OK) return report_call(app, r, &err);
    fwrite(output_buffer, 1, n, stdout);   /* exactly as Stripe sent it */
    return 0;
}

/* ---- verify-webhook ------------------------------------------------------------------------------------ */

#define DEFAULT_WEBHOOK_TOLERANCE 300L   /* seconds between the signature's t and now, as Stripe's libraries */

/* --tolerance: whole seconds, 0 (no time check) up to 10^9. */
static int parse_tolerance(const char *text, long *out)
{
    long value = 0;
    if (*text == '\0') return 0;
    for (; *text != '\0'; text++) {
        if (*text < '0' || *text > '9' || value > 100000000L) return 0;
        value = value * 10 + (*text - '0');
    }
    *out = value;
    return 1;
}

/* Reads FILE ("-": stdin) into event_buffer, byte for byte: the signature covers the body exactly
   as Stripe sent it. 0, or a usage error's exit status. */
static int read_event_file(arguments *a, const char *path, size_t *len)
{
    int from_stdin = strcmp(path, "-") == 0, failed, too_large;
    FILE *file = from_stdin ? stdin : fopen(path, "rb");
    if (file == NULL) return usage(a, "cannot open FILE: %s", strerror(errno));
    *len = fread(event_buffer, 1, sizeof event_buffer, file);
    too_large = *len == sizeof event_buffer && fgetc(file) != EOF;
    failed = ferror(file);
    if (!from_stdin) fclose(file);
    if (failed) return usage(a, "cannot read FILE");
    if (too_large) return usage(a, "FILE is larger than " CLI_BUFFER_TEXT);
    return 0;
}

/* verify-webhook FILE --signature HEADER [--tolerance SECONDS]: exit 0 and the event's fields
   when a v1 signature of the Stripe-Signature header matches the body under
   STRIPE_WEBHOOK_SECRET and its t is within the tolerance of now; exit 1 when not. */
static int command_verify_webhook(cli *app, arguments *a)
{
    const char *path = NULL, *header = NULL, *tolerance_text = NULL;
    long tolerance = DEFAULT_WEBHOOK_TOLERANCE;
    size_t filled = 0, len = 0;
    int64_t now = (int64_t)time(NULL);
    stripe_connect_webhook_event event;
    stripe_connect_result r;
    int status;

    while (next_argument(a)) {
        if (option(a, "--signature", &header) || option(a, "--tolerance", &tolerance_text)) continue;
        positional(a, &path, 1, &filled);
    }
    if (a->failed) return STATUS_USAGE;
    if (path == NULL) return usage(a, "needs the FILE holding the event's body as received (- for stdin)");
    if (header == NULL) return usage(a, "needs --signature with the Stripe-Signature header");
    if (tolerance_text != NULL && !parse_tolerance(tolerance_text, &tolerance))
        return usage(a, "--tolerance takes whole seconds (0: no time check)");
    if (require(a, app->env.webhook_secret, "STRIPE_WEBHOOK_SECRET")) return STATUS_USAGE;
    remember_secret(app, app->env.webhook_secret);
    if ((status = read_event_file(a, path, &len)) != 0) return status;
    r = stripe_connect_webhook_verify(event_buffer, len, header, app->env.webhook_secret, tolerance, now);
    if (r == STRIPE_CONNECT_ERR_SIGNATURE)   /* tried again without the time check, to say which */
        return report(app, r, NULL, NULL,
                      tolerance > 0 && stripe_connect_webhook_verify(event_buffer, len, header, app->env.webhook_secret,
                                                                     0, now) == STRIPE_CONNECT_OK
                      ? "the signature matches, but its timestamp is further from now than the tolerance"
                      : "no v1 signature matches the body under STRIPE_WEBHOOK_SECRET, or the header is malformed");
    if (r != STRIPE_CONNECT_OK) return report_call(app, r, NULL);
    r = stripe_connect_webhook_event_read(event_buffer, len, &event);
    if (r != STRIPE_CONNECT_OK)
        return report(app, r, NULL, NULL, "the signed body is not a Stripe event (an object with string id and type)");
    json_member(1, "id", event.id);
    json_member(0, "type", event.type);
    json_member(0, "account", event.account);
    json_member(0, "object_id", event.object_id);
    puts("}");
    return 0;
}

/* ---- demo ---------------------------------------------------------------------------------------------- */

/* What the steps of the demo hand on to each other. */
typedef struct demo {
    char state[64];
    char authorize_url[8192];
    char redirect_url[8192];
    stripe_connect_redirect redirect;
    stripe_connect_token token;       /* from the code exchange */
    stripe_connect_token refreshed;   /* from the refresh */
} demo;

/* "sk_test_abcdef..." as "sk_test_ab…(32 chars)": enough to tell two tokens apart, not to use one. */
static const char *shortened(const char *secret, char *out, size_t cap)
{
    size_t len = strlen(secret), keep = 0, i;
    for (i = 0; i < len && i < 12; i++)
        if (secret[i] == '_') keep = i + 1;        /* the prefix: sk_test_, rt_, ac_ */
    keep += 2;
    if (keep * 2 > len) keep = len / 2;
    snprintf(out, cap, "%.*s\xe2\x80\xa6(%zu chars)", (int)keep, secret, len);  /* U+2026 "…" */
    return out;
}

/* 1 when base (NULL: Stripe's default) names stripe.com or a host under it. */
static int is_real_stripe(const char *base)
{
    static const char domain[] = "stripe.com";
    const char *host, *end, *at;
    size_t len, i;
    char lower[256];
    if (base == NULL) return 1;
    host = strstr(base, "://");
    host = host != NULL ? host + 3 : base;
    end = host + strcspn(host, "/?#");
    for (at = host; at < end; at++)
        if (*at == '@') host = at + 1;             /* user:password@host */
    len = strcspn(host, ":/?#");
    if (len >= sizeof lower) return 0;
    for (i = 0; i < len; i++) lower[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] + ('a' - 'A') : host[i]);
    while (len > 0 && lower[len - 1] == '.') len--;  /* "stripe.com." is the same host */
    lower[len] = '\0';
    return strcmp(lower, domain) == 0 ||
           (len > sizeof domain - 1 && lower[len - sizeof domain] == '.' && strcmp(lower + len - (sizeof domain - 1), domain) == 0);
}

static int demo_authorize_url(cli *app, demo *d)
{
    stripe_connect_authorize_params p;
    stripe_connect_result r;
    size_t n;

    r = stripe_connect_state_generate(&app->client, d->state, sizeof d->state, &n);
    if (r != STRIPE_CONNECT_OK) return report_call(app, r, NULL);
    memset(&p, 0, sizeof p);
    p.scope = "read_write";
    p.redirect_uri = app->env.redirect_uri;
    p.state = d->state;
    r = stripe_connect_authorize_url(&app->client, &p, d->authorize_url, sizeof d->authorize_url, &n);
    if (r != STRIPE_CONNECT_OK) return report_call(app, r, NULL);
    printf("   The platform sends the user's browser to this URL. Its state is 32 fresh random bytes\n"
           "   (getrandom), kept in the user's session to check the way back:\n"
           "   %s\n", d->authorize_url);
    return 0;
}

/* Sends GET url through the transport: the stand-in's approval page answers 302 at once. */
static stripe_connect_result demo_get(cli *app, const char *url, stripe_connect_http_response *res)
{
    stripe_connect_header header;
    stripe_connect_http_request req;
    header.name = "User-Agent";
    header.value = CLI_USER_AGENT;
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.url = url;
    req.headers = &header;
    req.header_count = 1;
    req.timeout_ms = app->env.timeout_ms;
    memset(res, 0, sizeof *res);
    res->body = output_buffer;
    res->body_cap = sizeof output_buffer - 1;      /* room for a NUL */
    res->should_retry = -1;
    return app->client.transport.perform(app->client.transport.user, &req, res);
}

/* Prints the redirect URL with the value of its code parameter shortened. */
static void print_redirect(const char *url)
{
    char code[STRIPE_CONNECT_FIELD_MAX], brief[64];
    const char *at, *value;
    size_t len;
    for (at = strchr(url, '?'); at != NULL; at = strchr(at + 1, '&'))
        if (strncmp(at + 1, "code=", 5) == 0) break;
    if (at == NULL) {
        printf("   %s\n", url);                /* no code in it: nothing to hide */
        return;
    }
    value = at + 6;
    len = strcspn(value, "&#");
    if (len >= sizeof code) {
        printf("   (a redirect whose code is too long to show shortened)\n");
        return;
    }
    memcpy(code, value, len);
    code[len] = '\0';
    printf("   %.*s%s%s\n", (int)(value - url), url, shortened(code, brief, sizeof brief), value + len);
    stripe_connect_wipe(code, sizeof code);
}

static int demo_approval(cli *app, demo *d)
{
    stripe_connect_http_response res;
    stripe_connect_error err;
    stripe_connect_result r = demo_get(app, d->authorize_url, &res);
    size_t len;

    memset(&err, 0, sizeof err);
    if (r != STRIPE_CONNECT_OK) return report_call(app, r, &err);
    if (res.body_len > res.body_cap) return report(app, STRIPE_CONNECT_ERR_TRANSPORT, NULL, NULL, "body_len above body_cap");
    if (res.status < 300 || res.status > 399) {
        err.http_status = res.status;
        return report_call(app, STRIPE_CONNECT_ERR_HTTP_STATUS, &err);
    }
    len = res.body_len;
    while (len > 0 && (res.body[len - 1] == '\n' || res.body[len - 1] == '\r' || res.body[len - 1] == ' ')) len--;
    if (len == 0 || len >= sizeof d->redirect_url)
        return report(app, STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE, NULL, NULL, "the 302 carries no redirect URL in its body");
    memcpy(d->redirect_url, res.body, len);
    d->redirect_url[len] = '\0';
    stripe_connect_wipe(res.body, res.body_len);
    printf("   On that page a person signs in and clicks \"Connect\"; no one clicks here, so the\n"
           "   stand-in approves at once. Its answer to the GET (HTTP %d) sends the browser back\n"
           "   to the platform's redirect_uri with a one-time code:\n", res.status);
    print_redirect(d->redirect_url);
    return 0;
}

static int demo_parse_redirect(cli *app, demo *d)
{
    char brief[64];
    stripe_connect_result r = stripe_connect_parse_redirect(d->redirect_url, strlen(d->redirect_url), d->state, &d->redirect);
    if (r == STRIPE_CONNECT_ERR_OAUTH)
        return report(app, r, d->redirect.error_code, NULL, d->redirect.error_description);
    if (r != STRIPE_CONNECT_OK) return report_call(app, r, NULL);
    remember_secret(app, d->redirect.code);
    printf("   Parsed: code %s, scope %s;\n"
           "   the state is the one sent in step 1 (compared in constant time), so the redirect is\n"
           "   no cross-site forgery.\n",
           shortened(d->redirect.code, brief, sizeof brief), d->redirect.scope);
    return 0;
}

static int demo_exchange(cli *app, demo *d)
{
    stripe_connect_error err;
    char brief[2][64];
    stripe_connect_result r = stripe_connect_exchange_code(&app->client, d->redirect.code, &d->token, &err);
    if (r != STRIPE_CONNECT_OK) return report_call(app, r, &err);
    remember_secret(app, d->token.access_token);
    remember_secret(app, d->token.refresh_token);
    printf("   POST /oauth/token grant_type=authorization_code, once (a code sent twice revokes\n"
           "   the connection). The connected account's tokens, secrets shortened:\n"
           "     stripe_user_id          %s\n"
           "     access_token            %s\n"
           "     refresh_token           %s\n"
           "     stripe_publishable_key  %s\n"
           "     scope %s, token_type %s, livemode %s\n",
           d->token.stripe_user_id, shortened(d->token.access_token, brief[0], sizeof brief[0]),
           shortened(d->token.refresh_token, brief[1], sizeof brief[1]), d->token.stripe_publishable_key,
           d->token.scope, d->token.token_type, d->token.livemode ? "true" : "false");
    return 0;
}

/* Reads the charge's fields from its JSON, or reports what is wrong with it. */
static int demo_print_charge(cli *app, const char *body, size_t len, const char *request_id)
{
    char id[256], currency[16], status[32];
    int64_t amount;
    size_t n;
    stripe_connect_result r = stripe_connect_json_get_string(body, len, "id", id, sizeof id, &n);
    if (r == STRIPE_CONNECT_OK) r = stripe_connect_json_get_string(body, len, "currency", currency, sizeof currency, &n);
    if (r == STRIPE_CONNECT_OK) r = stripe_connect_json_get_string(body, len, "status", status, sizeof status, &n);
    if (r == STRIPE_CONNECT_OK) r = stripe_connect_json_get_int(body, len, "amount", &amount);
    if (r != STRIPE_CONNECT_OK) return report(app, r, NULL, NULL, "the charge lacks id, amount, currency or status");
    printf("   %s: amount %lld (%lld.%02lld %s), %s%s%s\n", id, (long long)amount, (long long)(amount / 100),
           (long long)(amount % 100), currency, status, request_id[0] != '\0' ? "; Request-Id " : "", request_id);
    return 0;
}

static int demo_charge(cli *app, demo *d)
{
    stripe_connect_api_params p;
    stripe_connect_form form;
    stripe_connect_error err;
    stripe_connect_result r;
    size_t n;

    stripe_connect_form_init(&form, form_buffer, sizeof form_buffer);
    stripe_connect_form_add(&form, "amount", "400");
    stripe_connect_form_add(&form, "currency", "usd");
    stripe_connect_form_add(&form, "source", "tok_visa");
    stripe_connect_form_add(&form, "description", "stripe-connect demo");
    r = stripe_connect_form_finish(&form, &n);
    if (r != STRIPE_CONNECT_OK) return report_call(app, r, NULL);
    memset(&p, 0, sizeof p);
    p.method = "POST";
    p.path = "/v1/charges";
    p.params = form_buffer;
    p.params_len = n;
    p.access_token = d->token.access_token;    /* the connected account's key, not the platform's */
    r = stripe_connect_api_request(&app->client, &p, output_buffer, sizeof output_buffer, &n, &err);
    if (r != STRIPE_CONNECT_OK) return report_call(app, r, &err);
    printf("   POST /v1/charges amount=400 currency=usd source=tok_visa, with the connected\n"
           "   account's access_token as the key (an idempotency key drawn for it, reused if\n"
           "   retried). The charge:\n");
    return demo_print_charge(app, output_buffer, n, err.request_id);
}

static int demo_refresh(cli *app, demo *d)
{
    stripe_connect_error err;
    char brief[64];
    stripe_connect_result r = stripe_connect_refresh(&app->client, d->token.refresh_token, NULL, &d->refreshed, &err);
    if (r != STRIPE_CONNECT_OK) return report_call(app, r, &err);
    remember_secret(app, d->refreshed.access_token);
    remember_secret(app, d->refreshed.refresh_token);
    printf("   POST /oauth/token grant_type=refresh_token, with the refresh_token from step 4:\n"
           "     access_token            %s (%s the one from step 4)\n"
           "     stripe_user_id %s, scope %s\n",
           shortened(d->refreshed.access_token, brief, sizeof brief),
           strcmp(d->refreshed.access_token, d->token.access_token) == 0 ? "the same as" : "replacing",
           d->refreshed.stripe_user_id, d->refreshed.scope);
    return 0;
}

/* After the deauthorization the account's latest access token must be refused. */
static int demo_check_revoked(cli *app, demo *d)
{
    stripe_connect_api_params p;
    stripe_connect_error err;
    char path[sizeof d->token.stripe_user_id + 16];
    size_t n;
    stripe_connect_result r;

    snprintf(path, sizeof path, "/v1/accounts/%s", d->token.stripe_user_id);
    memset(&p, 0, sizeof p);
    p.method = "GET";
    p.path = path;
    p.access_token = d->refreshed.access_token;
    r = stripe_connect_api_request(&app->client, &p, output_buffer, sizeof output_buffer, &n, &err);
    if (r == STRIPE_CONNECT_OK)
        return report(app, STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE, NULL, NULL,
                      "the access token still works after the deauthorization");
    if (r != STRIPE_CONNECT_ERR_API) return report_call(app, r, &err);
    printf("   GET %s with the refreshed access_token is now refused:\n"
           "     HTTP %d %s: %s\n", path, err.http_status, err.code[0] != '\0' ? err.code : err.type,
           without_secrets(app, err.message));
    return 0;
}

static int demo_deauthorize(cli *app, demo *d)
{
    stripe_connect_error err;
    stripe_connect_result r = stripe_connect_deauthorize(&app->client, d->token.stripe_user_id, &err);
    if (r != STRIPE_CONNECT_OK) return report_call(app, r, &err);
    printf("   POST /oauth/deauthorize: Stripe answered with %s, which is now\n"
           "   disconnected from the platform.\n", d->token.stripe_user_id);
    return demo_check_revoked(app, d);
}

static const struct demo_step {
    const char *title;
    int (*run)(cli *app, demo *d);
} demo_steps[] = {
    { "The authorize URL", demo_authorize_url },
    { "The approval", demo_approval },
    { "The redirect back, parsed, its state checked", demo_parse_redirect },
    { "The code exchanged for the connected account's tokens", demo_exchange },
    { "A $4.00 charge made for the connected account", demo_charge },
    { "The tokens refreshed", demo_refresh },
    { "The account deauthorized", demo_deauthorize }
};

static int command_demo(cli *app, arguments *a)
{
    static demo d;
    size_t none = 0, i;
    int status = 0;

    while (next_argument(a)) positional(a, NULL, 0, &none);
    if (a->failed) return STATUS_USAGE;
    if (is_real_stripe(app->env.connect_base) || is_real_stripe(app->env.api_base))
        return usage(a, "runs against the local stand-in only (STRIPE_CONNECT_BASE and STRIPE_API_BASE, "
                        "as `make demo` sets them): with the real Stripe a person must approve the "
                        "connection in a browser, so use authorize-url, then parse-redirect and exchange");
    if (require(a, app->env.client_id, "STRIPE_CLIENT_ID") || require(a, app->env.secret_key, "STRIPE_SECRET_KEY"))
        return STATUS_USAGE;
    if ((status = transport_ready(app)) != 0) return status;
    printf("The Stripe Connect OAuth flow, step by step, against %s\n"
           "(transport: %s, client_id %s)\n",
           app->env.connect_base, app->env.transport == EXAMPLE_TRANSPORT_MBEDTLS ? "mbedTLS" : "libcurl", app->env.client_id);
    for (i = 0; i < sizeof demo_steps / sizeof demo_steps[0] && status == 0; i++) {
        printf("\n%u. %s\n", (unsigned)(i + 1), demo_steps[i].title);
        fflush(stdout);                           /* so that an error line follows its step */
        status = demo_steps[i].run(app, &d);
    }
    if (status == 0) printf("\nDone: every step of the flow worked.\n");
    stripe_connect_wipe(&d, sizeof d);
    return status;
}

/* ---- The command table, help, main ------------------------------------------------------------------- */

static const struct command {
    const char *name;
    int (*run)(cli *app, arguments *a);
    const char *synopsis;
} commands[] = {
    { "authorize-url", command_authorize_url,
      "authorize-url [--express] [--scope S] [--redirect-uri U] [--state S | --new-state]\n"
      "                               [--landing login|register] [--always-prompt] [--user FIELD=VALUE]... [--capability C]..." },
    { "parse-redirect", command_parse_redirect, "parse-redirect URL [--state EXPECTED]" },
    { "exchange", command_exchange, "exchange CODE" },
    { "refresh", command_refresh, "refresh REFRESH_TOKEN [--scope S]" },
    { "deauthorize", command_deauthorize, "deauthorize ACCOUNT_ID" },
    { "api", command_api,
      "api METHOD PATH [KEY=VALUE]... [--access-token T | --account ACCT] [--idempotency-key K]" },
    { "verify-webhook", command_verify_webhook, "verify-webhook FILE --signature HEADER [--tolerance SECONDS]" },
    { "demo", command_demo, "demo" }
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static const char *const help_after_commands[] = {
    "",
    "Environment:",
    "  STRIPE_CLIENT_ID     the platform's ca_... (authorize-url, deauthorize, demo)",
    "  STRIPE_SECRET_KEY    the platform's sk_... (exchange, refresh, deauthorize, api, demo); never printed",
    "  STRIPE_CONNECT_BASE  unset: https://connect.stripe.com",
    "  STRIPE_API_BASE      unset: https://api.stripe.com",
    "  STRIPE_CA_FILE       PEM bundle to trust; unset: the system's",
    "  STRIPE_TRANSPORT     curl (default) or mbedtls",
    "  STRIPE_TIMEOUT_MS    per request, default 80000",
    "  STRIPE_REDIRECT_URI  the authorize URL's redirect_uri; unset: none sent",
    "  STRIPE_WEBHOOK_SECRET  the webhook endpoint's whsec_... (verify-webhook); never printed",
    "",
    "Output: JSON on stdout (authorize-url: the URL; api: the body as Stripe sent it).",
    "Errors: one line on stderr, \"stripe-connect: <result>[: <code>][: <message>]\".",
    "Exit: 0 ok, 1 Stripe said no, 2 usage, 3 transport, 4 bad response.",
    ""
};

static void print_help(void)
{
    size_t i, column;
    printf("stripe-connect %s: Stripe Connect OAuth from a shell (stripe_connect.h)\n\nUsage:\n", STRIPE_CONNECT_VERSION);
    for (i = 0; i < COMMAND_COUNT; i++) printf("  stripe-connect %s\n", commands[i].synopsis);
    for (i = 0; i < sizeof help_after_commands / sizeof help_after_commands[0]; i++) puts(help_after_commands[i]);
    printf("--user FIELD is one of:\n ");
    for (i = 0, column = 1; i < USER_FIELD_COUNT; i++) {
        size_t width = strlen(user_fields[i].name) + 1;
        if (column + width > 92) {
            printf("\n ");
            column = 1;
        }
        printf(" %s", user_fields[i].name);
        column += width;
    }
    printf("\n");
}

static const struct command *find_command(const char *name)
{
    size_t i;
    for (i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

/* Runs the command with its client; everything it set up is torn down, every secret wiped. */
static int run_command(const struct command *command, int argc, char **argv)
{
    static cli app;
    arguments a;
    int status;

    if (read_settings(&app.env) != 0) return STATUS_USAGE;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return report(&app, STRIPE_CONNECT_ERR_TRANSPORT, NULL, NULL, "curl_global_init failed");
    client_setup(&app);
    memset(&a, 0, sizeof a);
    a.command = command->name;
    a.values = argv;
    a.count = argc;
    a.at = -1;
    status = command->run(&app, &a);
    close_transport(&app);
    curl_global_cleanup();
    stripe_connect_wipe(output_buffer, sizeof output_buffer);
    stripe_connect_wipe(form_buffer, sizeof form_buffer);
    stripe_connect_wipe(event_buffer, sizeof event_buffer);
    return status;
}

int main(int argc, char **argv)
{
    int status;

    if (argc < 2) return usage_line("a command is needed: authorize-url, parse-redirect, exchange, refresh, "
                                          "deauthorize, api, verify-webhook or demo (stripe-connect help)");
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_help();
        status = 0;
    } else {
        const struct command *command = find_command(argv[1]);
        if (command == NULL) return usage_line("unknown command (stripe-connect help lists them)");
        status = run_command(command, argc - 2, argv + 2);
    }
    /* stdout's error flag is sticky: one check here covers every printf and putchar before it. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs(CLI_NAME ": cannot write the output\n", stderr);
        if (status == 0) status = STATUS_TRANSPORT;
    }
    return status;
}
