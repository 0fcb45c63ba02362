/* memory.c - the memory figures: the peak stack of each public function, measured, and the
   scratch (client.work) each call that talks to Stripe needs. (Heap allocations per call are
   counted outside this program, by bench/run.py under valgrind: see the README.)

   Peak stack: each call runs on a thread whose stack is an array of ours, painted with a pattern
   below the stack pointer just before the call; afterwards the lowest byte that changed marks
   how deep the call went. The figure is bytes below the caller's stack pointer at the call, the
   return address included, with the inputs named (the paths through the library do not depend
   on the input beyond that: no recursion, no variable-length arrays). Calls that talk to Stripe
   run against a stub transport that copies a canned answer (its own few bytes of stack are in
   the figure), as does the random callback.

   Scratch: the request is built at the start of client.work and the answer goes to the rest, so
   a call needs the request's size (the size query of stripe_connect_token_request_build or
   stripe_connect_deauthorize_request_build: NULL, 0) plus the answer's. Each figure is checked:
   the call succeeds with exactly that work_size and fails with one byte less. */
#define _POSIX_C_SOURCE 200809L   /* clock_gettime, pthread_attr_setstack under -std=c99 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

/* ---- A stub transport and a stub random source ---- */
static const char *stub_token_body;
static size_t stub_token_len;
static const char stub_deauthorize_body[] = "{\"stripe_user_id\": \"acct_1WiL9dv4wtfUQ1VQ\"}";
static const char stub_charge_body[] = "{\"id\": \"ch_1NrRHCIs1xsMqLmB\", \"object\": \"charge\", \"amount\": 400}";

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

static stripe_connect_result stub_perform(void *user, const stripe_connect_http_request *req,
                                          stripe_connect_http_response *res)
{
    const char *body = stub_charge_body;
    size_t n = sizeof stub_charge_body - 1;
    (void)user;
    if (ends_with(req->url, "/oauth/token")) {
        body = stub_token_body;
        n = stub_token_len;
    } else if (ends_with(req->url, "/oauth/deauthorize")) {
        body = stub_deauthorize_body;
        n = sizeof stub_deauthorize_body - 1;
    }
    if (n > res->body_cap) return STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE;
    memcpy(res->body, body, n);
    res->body_len = n;
    res->status = 200;
    return STRIPE_CONNECT_OK;
}

static int stub_random(void *user, unsigned char *out, size_t n)
{
    (void)user;
    memset(out, 0x5a, n);
    return 0;
}

/* ---- What the measured calls use: set up once, kept out of the calls' own frames ---- */
#define ACCOUNT "acct_1WiL9dv4wtfUQ1VQ"
#define CODE "ac_Q7hVb2JkT0xW9mNcR4sLpE8yD1uZa6Gf"
static char work[16384];
static stripe_connect_client client;
static stripe_connect_token token;
static stripe_connect_error error;
static stripe_connect_redirect redirect;
static stripe_connect_form form;
static stripe_connect_prepared_request prepared;
static stripe_connect_token_params token_params;
static stripe_connect_api_params api_params;
static const char *doc_4k, *doc_500, *encode_in;
static size_t doc_4k_len, doc_500_len, encode_len;
static char text[8192];
static size_t text_len;
static int64_t number;
static int boolean;
static const char oauth_error_body[] =
    "{\"error\": \"invalid_grant\", \"error_description\": \"This authorization code has already been used. "
    "All tokens issued with this code have been revoked.\"}";
static const char redirect_url[] =
    "https://platform.example.com/stripe/oauth/callback?scope=read_write&code=" CODE
    "&state=9GRE0qX6yvkNjHhLbF3sP-t4cWz_Ao2mD7uK1iJeQxY";
static const char form_params[] = "amount=400&currency=usd&source=tok_visa&metadata%5Border%5D=6735";

static int memory_setup(void)
{
    doc_500 = bench_read_data("token_500.json", &doc_500_len);
    doc_4k = bench_read_data("token_4k.json", &doc_4k_len);
    encode_in = bench_read_data("encode_1k.txt", &encode_len);
    if (doc_500 == NULL || doc_4k == NULL || encode_in == NULL || url_prepare() != 0) return 1;
    stub_token_body = doc_500;
    stub_token_len = doc_500_len;
    stripe_connect_client_init(&client, work, sizeof work);
    client.client_id = "ca_FkyHCg7X8mlvCUdMDao4mMxagUfhIwXb";
    client.secret_key = "sk_live_51HqLyjWDarjtT1zdp7dcCuhj4tY0ZyUPLcLV5zTxbAFbnP1dJ5Q0fDwo3JfZzVRtRPZqmJXWcYQk3x00k6eVjXfN";
    client.transport.perform = stub_perform;
    client.random = stub_random;
    token_params.grant_type = "authorization_code";
    token_params.code = CODE;
    api_params.method = "POST";
    api_params.path = "/v1/charges";
    api_params.params = form_params;
    api_params.params_len = sizeof form_params - 1;
    api_params.stripe_account = ACCOUNT;
    return 0;
}

/* ---- The calls measured ---- */
static void call_nothing(void) {}
static void call_result_string(void) { text[0] = *stripe_connect_result_string(STRIPE_CONNECT_ERR_OAUTH); }
static void call_client_init(void)
{
    static stripe_connect_client another;
    stripe_connect_client_init(&another, work, sizeof work);
}
static void call_percent_encode(void) { stripe_connect_percent_encode(encode_in, encode_len, text, sizeof text, &text_len); }
static void call_percent_decode(void)
{
    static char encoded[4096];
    size_t n;
    stripe_connect_percent_encode(encode_in, encode_len, encoded, sizeof encoded, &n);
    stripe_connect_percent_decode(encoded, n, text, sizeof text, &text_len);
}
static void call_form_init(void) { stripe_connect_form_init(&form, text, sizeof text); }
static void call_form_add(void) { stripe_connect_form_add(&form, "metadata[order]", "6735 & more"); }
static void call_form_finish(void) { stripe_connect_form_finish(&form, &text_len); }
static void call_authorize_url(void) { stripe_connect_authorize_url(&client, url_params(), text, sizeof text, &text_len); }
static void call_parse_redirect(void)
{
    stripe_connect_parse_redirect(redirect_url, sizeof redirect_url - 1, "9GRE0qX6yvkNjHhLbF3sP-t4cWz_Ao2mD7uK1iJeQxY",
                                  &redirect);
}
static void call_state_generate(void) { stripe_connect_state_generate(&client, text, sizeof text, &text_len); }
static void call_state_equal(void) { text[0] = (char)stripe_connect_state_equal(redirect_url, redirect_url); }
static void call_exchange_code(void) { stripe_connect_exchange_code(&client, CODE, &token, &error); }
static void call_refresh(void) { stripe_connect_refresh(&client, "rt_Ff2qUq1Zr8", "read_only", &token, &error); }
static void call_token_call(void) { stripe_connect_token_call(&client, &token_params, &token, &error); }
static void call_deauthorize(void) { stripe_connect_deauthorize(&client, ACCOUNT, &error); }
static void call_token_request_build(void)
{
    stripe_connect_token_request_build(&client, &token_params, text, sizeof text, &text_len, &prepared);
}
static void call_deauthorize_request_build(void)
{
    stripe_connect_deauthorize_request_build(&client, ACCOUNT, text, sizeof text, &text_len, &prepared);
}
static void call_parse_token_500(void) { stripe_connect_parse_token_response(200, doc_500, doc_500_len, &token, &error); }
static void call_parse_token_4k(void) { stripe_connect_parse_token_response(200, doc_4k, doc_4k_len, &token, &error); }
static void call_parse_token_error(void)
{
    stripe_connect_parse_token_response(400, oauth_error_body, sizeof oauth_error_body - 1, &token, &error);
}
static void call_parse_deauthorize(void)
{
    stripe_connect_parse_deauthorize_response(200, stub_deauthorize_body, sizeof stub_deauthorize_body - 1, ACCOUNT, &error);
}
static void call_api_request(void) { stripe_connect_api_request(&client, &api_params, text, sizeof text, &text_len, &error); }
static void call_json_get_string(void)
{
    stripe_connect_json_get_string(doc_4k, doc_4k_len, "external_accounts.data.1.metadata.note", text, sizeof text, &text_len);
}
static void call_json_get_int(void)
{
    stripe_connect_json_get_int(doc_4k, doc_4k_len, "account.settings.payouts.schedule.delay_days", &number);
}
static void call_json_get_bool(void) { stripe_connect_json_get_bool(doc_4k, doc_4k_len, "livemode", &boolean); }
static void call_wipe(void) { stripe_connect_wipe(text, sizeof text); }

typedef struct stack_case { const char *function, *input; void (*call)(void); } stack_case;
static const stack_case stack_cases[] = {
    { "(empty_function)", "-", call_nothing },
    { "stripe_connect_result_string", "ERR_OAUTH", call_result_string },
    { "stripe_connect_client_init", "-", call_client_init },
    { "stripe_connect_percent_encode", "encode_1k.txt", call_percent_encode },
    { "stripe_connect_percent_decode", "encode_1k.txt encoded (after an encode)", call_percent_decode },
    { "stripe_connect_form_init", "-", call_form_init },
    { "stripe_connect_form_add", "metadata[order]=6735 & more", call_form_add },
    { "stripe_connect_form_finish", "-", call_form_finish },
    { "stripe_connect_authorize_url", "scope, redirect_uri, state, 3 stripe_user fields", call_authorize_url },
    { "stripe_connect_parse_redirect", "code, scope, state; state checked", call_parse_redirect },
    { "stripe_connect_state_generate", "stub random source", call_state_generate },
    { "stripe_connect_state_equal", "124-byte strings", call_state_equal },
    { "stripe_connect_exchange_code", "stub transport, token_500.json", call_exchange_code },
    { "stripe_connect_refresh", "stub transport, token_500.json", call_refresh },
    { "stripe_connect_token_call", "stub transport, token_500.json", call_token_call },
    { "stripe_connect_deauthorize", "stub transport", call_deauthorize },
    { "stripe_connect_token_request_build", "authorization_code", call_token_request_build },
    { "stripe_connect_deauthorize_request_build", "-", call_deauthorize_request_build },
    { "stripe_connect_parse_token_response", "token_500.json", call_parse_token_500 },
    { "stripe_connect_parse_token_response", "token_4k.json", call_parse_token_4k },
    { "stripe_connect_parse_token_response", "400 invalid_grant", call_parse_token_error },
    { "stripe_connect_parse_deauthorize_response", "{\"stripe_user_id\": ...}", call_parse_deauthorize },
    { "stripe_connect_api_request", "POST /v1/charges, stub transport", call_api_request },
    { "stripe_connect_json_get_string", "token_4k.json, 5 levels deep", call_json_get_string },
    { "stripe_connect_json_get_int", "token_4k.json, 5 levels deep", call_json_get_int },
    { "stripe_connect_json_get_bool", "token_4k.json, top level", call_json_get_bool },
    { "stripe_connect_wipe", "8 KiB", call_wipe },
};

/* ---- Painting ---- */
#define STACK_SIZE (1024 * 1024)
#define PAINT 0xa5
static unsigned char stack_area[STACK_SIZE] __attribute__((aligned(64)));

static unsigned char *stack_pointer(void) __attribute__((always_inline));
static inline unsigned char *stack_pointer(void)
{
#if defined(__x86_64__)
    unsigned char *sp;
    __asm__ __volatile__("mov %%rsp, %0" : "=r"(sp));
    return sp;
#else
    return (unsigned char *)__builtin_frame_address(0);
#endif
}

typedef struct stack_run { void (*call)(void); size_t used; } stack_run;

/* Paints from the bottom of the thread's stack to its stack pointer, calls, finds the lowest
   byte that changed. The function makes no call before the measured one, so its stack pointer
   is the one the call starts from. */
static void *stack_thread(void *arg)
{
    stack_run *run = (stack_run *)arg;
    unsigned char *sp = stack_pointer();
    volatile unsigned char *p;
    for (p = stack_area; p < (volatile unsigned char *)sp; p++) *p = PAINT;
    run->call();
    for (p = stack_area; p < (volatile unsigned char *)sp && *p == PAINT; p++) {
    }
    run->used = (size_t)(sp - (unsigned char *)p);
    return NULL;
}

static int stack_used(void (*call)(void), size_t *used)
{
    pthread_attr_t attr;
    pthread_t thread;
    stack_run run;
    run.call = call;
    run.used = 0;
    if (pthread_attr_init(&attr) != 0 || pthread_attr_setstack(&attr, stack_area, sizeof stack_area) != 0 ||
        pthread_create(&thread, &attr, stack_thread, &run) != 0)
        return 1;
    pthread_join(thread, NULL);
    pthread_attr_destroy(&attr);
    *used = run.used;
    return 0;
}

int memory_stack_report(void)
{
    size_t i;
    if (memory_setup() != 0) return 1;
    printf("# peak stack: bytes below the caller's stack pointer, return address included\n");
    for (i = 0; i < sizeof stack_cases / sizeof stack_cases[0]; i++) {
        size_t used;
        /* Once before: the first call through the PLT runs the dynamic linker's resolver, which
           saves the vector registers on the stack (about 3 KiB here), once per program. */
        stripe_connect_form_init(&form, text, sizeof text);
        stack_cases[i].call();
        stripe_connect_form_init(&form, text, sizeof text);
        if (stack_used(stack_cases[i].call, &used) != 0) return 1;
        printf("stack %s %lu %s\n", stack_cases[i].function, (unsigned long)used, stack_cases[i].input);
    }
    return 0;
}

/* ---- Scratch ---- */
typedef stripe_connect_result (*scratch_call)(void);
static stripe_connect_result scratch_exchange(void) { return stripe_connect_exchange_code(&client, CODE, &token, &error); }
static stripe_connect_result scratch_deauthorize(void) { return stripe_connect_deauthorize(&client, ACCOUNT, &error); }
static stripe_connect_result scratch_api(void)
{
    return stripe_connect_api_request(&client, &api_params, text, sizeof text, &text_len, &error);
}

/* OK with work_size = need, and not OK with need - 1. */
static int scratch_exact(scratch_call call, size_t need)
{
    stripe_connect_result fits, short_by_one;
    client.work_size = need;
    fits = call();
    client.work_size = need - 1;
    short_by_one = call();
    client.work_size = sizeof work;
    return fits == STRIPE_CONNECT_OK && short_by_one != STRIPE_CONNECT_OK;
}

/* The least work_size with which call succeeds (it fails below it), by bisection. */
static size_t scratch_least(scratch_call call)
{
    size_t low = 1, high = sizeof work;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        client.work_size = middle;
        if (call() == STRIPE_CONNECT_OK) high = middle;
        else low = middle + 1;
    }
    client.work_size = sizeof work;
    return low;
}

static void scratch_line(const char *call, size_t request, size_t answer, const char *how, int exact)
{
    printf("scratch %s %lu %lu %lu %s%s\n", call, (unsigned long)(request + answer), (unsigned long)request,
           (unsigned long)answer, exact ? "checked" : "NOT-EXACT", how);
}

int memory_scratch_report(void)
{
    size_t request = 0, url = 0;
    int failed = 0, exact;
    if (memory_setup() != 0) return 1;
    printf("# scratch: call total request answer checked how\n");
    stripe_connect_token_request_build(&client, &token_params, NULL, 0, &request, &prepared);
    exact = scratch_exact(scratch_exchange, request + stub_token_len);
    scratch_line("stripe_connect_exchange_code", request, stub_token_len, " (code of 35 bytes, token_500.json)", exact);
    failed += !exact;

    stub_token_body = doc_4k;
    stub_token_len = doc_4k_len;
    exact = scratch_exact(scratch_exchange, request + stub_token_len);
    scratch_line("stripe_connect_exchange_code", request, stub_token_len, " (code of 35 bytes, token_4k.json)", exact);
    failed += !exact;
    stub_token_body = doc_500;
    stub_token_len = doc_500_len;

    stripe_connect_deauthorize_request_build(&client, ACCOUNT, NULL, 0, &request, &prepared);
    exact = scratch_exact(scratch_deauthorize, request + sizeof stub_deauthorize_body - 1);
    scratch_line("stripe_connect_deauthorize", request, sizeof stub_deauthorize_body - 1, " (answer {\"stripe_user_id\": ...})",
                 exact);
    failed += !exact;

    request = scratch_least(scratch_api);
    scratch_line("stripe_connect_api_request", request, 0,
                 " (POST /v1/charges, 4 parameters, Stripe-Account; found by bisection; the answer goes to out)", 1);

    stripe_connect_authorize_url(&client, url_params(), NULL, 0, &url);
    printf("out stripe_connect_authorize_url %lu (the URL's length; out needs one more byte for the NUL)\n",
           (unsigned long)url);
    return failed;
}
