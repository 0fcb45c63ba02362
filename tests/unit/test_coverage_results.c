/* test_coverage_results.c - the small public helpers no other suite owns: every result's
   string (stripe_connect_result_string, whose list is an X-macro), stripe_connect_wipe's edges
   and stripe_connect_client_init's. */
#include "../../stripe_connect.h"
#include "suites.h"
#include "test.h"
#include "checks.h"

#include <stdio.h>
#include <string.h>

typedef struct result_row { stripe_connect_result result; const char *want; } result_row;

static const result_row result_rows[] = {
    { STRIPE_CONNECT_OK, "ok" },
    { STRIPE_CONNECT_ERR_INVALID_ARGUMENT, "invalid argument" },
    { STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL, "buffer too small" },
    { STRIPE_CONNECT_ERR_TRANSPORT, "transport failed" },
    { STRIPE_CONNECT_ERR_TIMEOUT, "timed out" },
    { STRIPE_CONNECT_ERR_TLS, "TLS failed" },
    { STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE, "response too large" },
    { STRIPE_CONNECT_ERR_HTTP_STATUS, "unexpected HTTP status" },
    { STRIPE_CONNECT_ERR_MALFORMED_JSON, "malformed JSON" },
    { STRIPE_CONNECT_ERR_UNEXPECTED_RESPONSE, "unexpected response" },
    { STRIPE_CONNECT_ERR_OAUTH, "OAuth error" },
    { STRIPE_CONNECT_ERR_API, "API error" },
    { STRIPE_CONNECT_ERR_MALFORMED_REDIRECT, "malformed redirect" },
    { STRIPE_CONNECT_ERR_STATE_MISMATCH, "state mismatch" },
    { STRIPE_CONNECT_ERR_SIGNATURE, "signature rejected" },
    { STRIPE_CONNECT_ERR_RANDOM, "random source failed" },
    { STRIPE_CONNECT_ERR_NOT_FOUND, "not found" },
    /* values that are no result */
    { STRIPE_CONNECT_RESULT_SENTINEL, "unknown result" },
    { (stripe_connect_result)1, "unknown result" },
    { (stripe_connect_result)-1000, "unknown result" },
};

static void test_result_strings(void)
{
    size_t i;
    char name[128];
    for (i = 0; i < sizeof result_rows / sizeof result_rows[0]; i++) {
        const result_row *row = &result_rows[i];
        snprintf(name, sizeof name, "result_string(%d) is \"%s\"", (int)row->result, row->want);
        test_begin(name);
        CHECK_STR(stripe_connect_result_string(row->result), row->want);
        test_end();
    }
}

/* Every code from 0 down to the sentinel has a string of its own: none is "unknown result"
   and no two are the same (the X-macro cannot drift from the enum). */
static void every_result_has_a_string_of_its_own(void)
{
    int a, b;
    for (a = 0; a > (int)STRIPE_CONNECT_RESULT_SENTINEL; a--) {
        const char *text = stripe_connect_result_string((stripe_connect_result)a);
        CHECK(text != NULL && text[0] != '\0');
        CHECK(strcmp(text, "unknown result") != 0);
        for (b = a - 1; b > (int)STRIPE_CONNECT_RESULT_SENTINEL; b--)
            CHECK(strcmp(text, stripe_connect_result_string((stripe_connect_result)b)) != 0);
    }
}

static void wipe_zeroes_exactly_n_bytes(void)
{
    char buf[16];
    memset(buf, 'x', sizeof buf);
    stripe_connect_wipe(buf + 2, 5);
    CHECK_MEM(buf, sizeof buf, "xx\0\0\0\0\0xxxxxxxxx", 16);
}

static void wipe_of_null_or_of_nothing_does_nothing(void)
{
    char buf[4] = { 'a', 'b', 'c', 'd' };
    stripe_connect_wipe(NULL, 10);
    stripe_connect_wipe(buf, 0);
    CHECK_MEM(buf, 4, "abcd", 4);
}

static void client_init_of_null_does_nothing(void)
{
    stripe_connect_client_init(NULL, NULL, 10);   /* no crash is the outcome */
}

static void client_init_zeroes_and_sets_the_scratch_and_two_retries(void)
{
    char work[32];
    stripe_connect_client c;
    memset(&c, 0xAA, sizeof c);
    stripe_connect_client_init(&c, work, sizeof work);
    CHECK(c.work == work);
    CHECK_INT(c.work_size, sizeof work);
    CHECK_INT(c.max_retries, 2);
    CHECK(c.secret_key == NULL && c.client_id == NULL && c.transport.perform == NULL && c.random == NULL);
    CHECK(c.sleep == NULL && c.connect_base == NULL && c.api_base == NULL);
    CHECK_INT(c.secret_in_body, 0);
    CHECK_INT(c.timeout_ms, 0);
    /* no scratch: its size is 0 whatever was given */
    stripe_connect_client_init(&c, NULL, 100);
    CHECK(c.work == NULL);
    CHECK_INT(c.work_size, 0);
}

void suite_results(void)
{
    test_result_strings();
    RUN(every_result_has_a_string_of_its_own);
    RUN(wipe_zeroes_exactly_n_bytes);
    RUN(wipe_of_null_or_of_nothing_does_nothing);
    RUN(client_init_of_null_does_nothing);
    RUN(client_init_zeroes_and_sets_the_scratch_and_two_retries);
}
