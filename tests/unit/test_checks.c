/* test_checks.c - the shared checks of checks.h. */
#include "checks.h"
#include "test.h"

#include <stdio.h>
#include <string.h>

#define EDGE_BUFFER_SIZE 8192
#define EDGE_SLACK 16   /* canary bytes checked past cap */

static char edge_buffer[EDGE_BUFFER_SIZE];
static char edge_case_name[512];

static void edge_fail(int line, size_t cap, const char *what)
{
    char message[256];
    snprintf(message, sizeof message, "cap %lu: %s", (unsigned long)cap, what);
    test_fail(__FILE__, line, message);
}

int canary_intact(const char *from, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (from[i] != CANARY) return 0;
    return 1;
}

/* For the input whose output is want (want_len bytes, may contain NUL):
   out == NULL, cap == 0 is a size query; every cap from 0 to want_len gives
   ERR_BUFFER_TOO_SMALL, *out_len == want_len, out[0] == '\0' when cap > 0 and
   no byte written at or past cap; cap == want_len + 1 gives OK, the exact bytes
   and the NUL at out[want_len], and nothing written past it. Three cases. */
void check_text_buffer_rules(const char *label, text_producer produce, const void *input,
                             const char *want, size_t want_len)
{
    stripe_connect_result r;
    size_t cap, out_len;

    if (want_len + 1 + EDGE_SLACK > EDGE_BUFFER_SIZE) {
        test_begin(label);
        test_fail(__FILE__, __LINE__, "expected output too long for the edge buffer");
        test_end();
        return;
    }

    snprintf(edge_case_name, sizeof edge_case_name,
             "%s: out NULL with cap 0 is a size query: ERR_BUFFER_TOO_SMALL, *out_len %lu",
             label, (unsigned long)want_len);
    test_begin(edge_case_name);
    out_len = 99999;
    r = produce(input, NULL, 0, &out_len);
    CHECK_INT(r, STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL);
    CHECK_INT(out_len, want_len);
    test_end();

    snprintf(edge_case_name, sizeof edge_case_name,
             "%s: every cap from 0 to %lu is ERR_BUFFER_TOO_SMALL, *out_len %lu, out \"\", "
             "nothing written past cap", label, (unsigned long)want_len, (unsigned long)want_len);
    test_begin(edge_case_name);
    for (cap = 0; cap <= want_len; cap++) {
        memset(edge_buffer, CANARY, want_len + 1 + EDGE_SLACK);
        out_len = 99999;
        r = produce(input, edge_buffer, cap, &out_len);
        if (r != STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL) {
            edge_fail(__LINE__, cap, "result is not STRIPE_CONNECT_ERR_BUFFER_TOO_SMALL");
            break;
        }
        if (out_len != want_len) { edge_fail(__LINE__, cap, "*out_len is not the length needed"); break; }
        if (cap > 0 && edge_buffer[0] != '\0') { edge_fail(__LINE__, cap, "out is not \"\""); break; }
        if (!canary_intact(edge_buffer + cap, want_len + 1 + EDGE_SLACK - cap)) {
            edge_fail(__LINE__, cap, "a byte at or past cap was written");
            break;
        }
    }
    test_end();

    snprintf(edge_case_name, sizeof edge_case_name,
             "%s: cap %lu is OK with the exact output and its NUL", label, (unsigned long)(want_len + 1));
    test_begin(edge_case_name);
    memset(edge_buffer, CANARY, want_len + 1 + EDGE_SLACK);
    out_len = 99999;
    r = produce(input, edge_buffer, want_len + 1, &out_len);
    CHECK_INT(r, STRIPE_CONNECT_OK);
    CHECK_INT(out_len, want_len);
    CHECK_MEM(edge_buffer, want_len, want, want_len);
    CHECK_INT(edge_buffer[want_len], '\0');
    CHECK(canary_intact(edge_buffer + want_len + 1, EDGE_SLACK));
    test_end();
}

void check_result_at(const char *file, int line, stripe_connect_result got,
                            stripe_connect_result want)
{
    char got_text[96], want_text[96];
    if (got == want) return;
    snprintf(got_text, sizeof got_text, "%d %s", (int)got, stripe_connect_result_string(got));
    snprintf(want_text, sizeof want_text, "%d %s", (int)want, stripe_connect_result_string(want));
    test_fail_str(file, line, "result", got_text, want_text);
}

void check_field_at(const char *file, int line, const char *expr, const char *field, size_t size,
                           const char *want)
{
    if (memchr(field, '\0', size) == NULL) {
        char what[160];
        snprintf(what, sizeof what, "%s holds no NUL in its %lu bytes (never set?)", expr, (unsigned long)size);
        test_fail(file, line, what);
        return;
    }
    if (!test_str_equal(field, want)) test_fail_str(file, line, expr, field, want);
}
