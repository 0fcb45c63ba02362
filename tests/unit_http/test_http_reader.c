/* test_http_reader.c - the mbedTLS adapter's HTTP/1.1 response reader,
   stripe_connect_mbedtls_read_response, fed by a fake socket layer that serves scripted bytes in
   scripted pieces: one byte at a time, everything at once, and random splits (16 seeds). Each
   case is one behaviour; every case runs under every split and must give the same answer under
   each. On every error the body must be empty and the bytes written into it wiped; on success
   nothing may be written past body_len. Prints "http reader: N passed, N failed".

   Build and run: make build/unit_http/http_reader_tests && build/unit_http/http_reader_tests */
#define _POSIX_C_SOURCE 200809L
#define STRIPE_CONNECT_IMPLEMENTATION
#define STRIPE_CONNECT_MBEDTLS_IMPLEMENTATION
#include "stripe_connect.h"
#include "stripe_connect_mbedtls.h"

#include "../unit/test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- The fake socket layer ------------------------------------------------------------------- */
enum split { SPLIT_ONE_BYTE, SPLIT_WHOLE, SPLIT_RANDOM };
#define RANDOM_SEEDS 16
#define GUARD 16                       /* bytes after body_cap that must stay untouched */

typedef struct fake_stream {
    const unsigned char *data;
    size_t len, at;
    int split;
    unsigned long state;               /* the random split's generator */
    int at_end;                        /* what a read returns once the data is used up */
    int over_return;                   /* a broken layer: returns more than it was asked for */
    int zero_asks;                     /* reads asked for 0 bytes: the reader must never do that */
} fake_stream;

static size_t piece_size(fake_stream *s, size_t left)
{
    switch (s->split) {
    case SPLIT_ONE_BYTE: return 1;
    case SPLIT_WHOLE: return left;
    default:
        s->state = s->state * 1103515245UL + 12345UL;
        return 1 + (size_t)((s->state >> 16) % 97);
    }
}

static int fake_read(void *user, unsigned char *data, size_t len)
{
    fake_stream *s = (fake_stream *)user;
    size_t left = s->len - s->at, n;
    if (len == 0) {
        s->zero_asks++;
        return STRIPE_CONNECT_ERR_TRANSPORT;
    }
    if (left == 0) return s->at_end;
    if (s->over_return) return (int)len + 1;
    n = piece_size(s, left);
    if (n > left) n = left;
    if (n > len) n = len;
    memcpy(data, s->data + s->at, n);
    s->at += n;
    return (int)n;
}

/* ---- Scenarios and what they must give ---------------------------------------------------------- */
typedef struct scenario {
    const char *raw;
    size_t raw_len;
    size_t body_cap;                   /* 1024 unless a case says otherwise */
    size_t line_max;                   /* the reader's buffer: STRIPE_CONNECT_MBEDTLS_LINE_MAX */
    int at_end;                        /* 0: the stream closes after raw; or a negative result */
    int over_return;
} scenario;

static scenario response(const char *raw)
{
    scenario s;
    memset(&s, 0, sizeof s);
    s.raw = raw;
    s.raw_len = strlen(raw);
    s.body_cap = 1024;
    s.line_max = STRIPE_CONNECT_MBEDTLS_LINE_MAX;
    return s;
}

static scenario response_bytes(const char *raw, size_t len)
{
    scenario s = response(raw);
    s.raw_len = len;
    return s;
}

typedef struct outcome {
    stripe_connect_result result;
    int status;
    const char *body;                  /* NULL: "" */
    size_t body_len;
    const char *request_id;            /* NULL: not checked */
    int should_retry;
    const char *why;                   /* errors: a part of the reason *why must hold; NULL: any */
} outcome;

static outcome ok_with(int status, const char *body)
{
    outcome o;
    memset(&o, 0, sizeof o);
    o.result = STRIPE_CONNECT_OK;
    o.status = status;
    o.body = body;
    o.body_len = body != NULL ? strlen(body) : 0;
    o.should_retry = -1;
    return o;
}

static outcome error_of(stripe_connect_result result)
{
    outcome o = ok_with(0, NULL);
    o.result = result;
    return o;
}

static const char *split_name(int split)
{
    return split == SPLIT_ONE_BYTE ? "one byte at a time" : split == SPLIT_WHOLE ? "all at once" : "random splits";
}

static int all_zero(const unsigned char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] != 0) return 0;
    return 1;
}

/* Reads s once under one split and checks the outcome; returns 0 when it matched. */
static int check_one(const scenario *s, const outcome *want, int split, unsigned long seed)
{
    fake_stream stream;
    stripe_connect_http_response res;
    unsigned char *storage = (unsigned char *)calloc(s->body_cap + GUARD, 1);
    unsigned char *line = (unsigned char *)malloc(s->line_max);
    const char *why = NULL;
    stripe_connect_result got;
    char where[200];
    int failed = 0;

    memset(&stream, 0, sizeof stream);
    stream.data = (const unsigned char *)s->raw;
    stream.len = s->raw_len;
    stream.split = split;
    stream.state = seed;
    stream.at_end = s->at_end;
    stream.over_return = s->over_return;
    memset(&res, 0x5a, sizeof res);            /* the reader must set every field it reports */
    res.body = s->body_cap > 0 ? (char *)storage : NULL;
    res.body_cap = s->body_cap;
    got = stripe_connect_mbedtls_read_response(fake_read, &stream, line, s->line_max, &res, &why);
    snprintf(where, sizeof where, "%s (seed %lu), why \"%s\"", split_name(split), seed, why != NULL ? why : "(null)");

    if (got != want->result) {
        test_fail_int(__FILE__, __LINE__, where, got, want->result);
        failed = 1;
    } else if (got != STRIPE_CONNECT_OK) {
        if (res.body_len != 0 || res.status != 0 || !all_zero(storage, s->body_cap + GUARD)) {
            test_fail(__FILE__, __LINE__, "an error left a status, a body length or body bytes behind");
            failed = 1;
        }
        if (why == NULL || why[0] == '\0') {
            test_fail(__FILE__, __LINE__, "an error without a reason in *why");
            failed = 1;
        } else if (want->why != NULL && strstr(why, want->why) == NULL) {
            test_fail_str(__FILE__, __LINE__, "why", why, want->why);
            failed = 1;
        }
    } else {
        if (res.status != want->status) {
            test_fail_int(__FILE__, __LINE__, where, res.status, want->status);
            failed = 1;
        }
        if (!test_mem_equal(res.body, res.body_len, want->body, want->body_len)) {
            test_fail_mem(__FILE__, __LINE__, where, res.body, res.body_len, want->body, want->body_len);
            failed = 1;
        }
        if (!all_zero(storage + res.body_len, s->body_cap + GUARD - res.body_len)) {
            test_fail(__FILE__, __LINE__, "bytes written past body_len");
            failed = 1;
        }
        if (why == NULL || why[0] != '\0') {
            test_fail(__FILE__, __LINE__, "success with a reason in *why");
            failed = 1;
        }
    }
    if (want->request_id != NULL && !test_str_equal(res.request_id, want->request_id)) {
        test_fail_str(__FILE__, __LINE__, where, res.request_id, want->request_id);
        failed = 1;
    }
    if (stream.zero_asks != 0) {
        test_fail(__FILE__, __LINE__, "the reader asked the socket layer for 0 bytes");
        failed = 1;
    }
    if (got == STRIPE_CONNECT_OK && res.should_retry != want->should_retry) {
        test_fail_int(__FILE__, __LINE__, "should_retry", res.should_retry, want->should_retry);
        failed = 1;
    }
    free(storage);
    free(line);
    return failed;
}

/* Every split must give want; the first mismatch of a split is reported, then the next split. */
static void expect(const scenario *s, outcome want)
{
    unsigned long seed;
    if (check_one(s, &want, SPLIT_ONE_BYTE, 0) != 0) return;
    if (check_one(s, &want, SPLIT_WHOLE, 0) != 0) return;
    for (seed = 1; seed <= RANDOM_SEEDS; seed++)
        if (check_one(s, &want, SPLIT_RANDOM, seed) != 0) return;
}

static void expect_ok(const scenario *s, int status, const char *body) { expect(s, ok_with(status, body)); }
static void expect_error(const scenario *s, stripe_connect_result result) { expect(s, error_of(result)); }

/* An error whose reason names what went wrong. */
static void expect_error_because(const scenario *s, stripe_connect_result result, const char *why)
{
    outcome want = error_of(result);
    want.why = why;
    expect(s, want);
}

/* A response whose head (status line, fields, empty line) is exactly head_bytes long: filler
   fields "X-Fill-<i>: aaa..." of at most line_room bytes each, then a Content-Length: 0. */
static char *head_of_size(size_t head_bytes, size_t line_room, size_t *fields)
{
    static const char status[] = "HTTP/1.1 200 OK\r\n", length[] = "Content-Length: 0\r\n";
    char *head = (char *)malloc(head_bytes + 1), *p = head;
    size_t left = head_bytes - (sizeof status - 1) - (sizeof length - 1) - 2, n;
    *fields = 1;
    memcpy(p, status, sizeof status - 1);
    p += sizeof status - 1;
    while (left > 0) {
        char name[32];
        size_t name_len = (size_t)snprintf(name, sizeof name, "X-Fill-%lu: ", (unsigned long)*fields);
        n = left > line_room ? line_room : left;
        if (left - n > 0 && left - n < name_len + 3) n -= name_len + 3;   /* leave room for a whole line */
        memcpy(p, name, name_len);
        memset(p + name_len, 'a', n - name_len - 2);
        memcpy(p + n - 2, "\r\n", 2);
        p += n;
        left -= n;
        (*fields)++;
    }
    memcpy(p, length, sizeof length - 1);
    p += sizeof length - 1;
    memcpy(p, "\r\n", 3);
    return head;
}

/* ---- Status line -------------------------------------------------------------------------------- */
static void content_length_body_is_read(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    expect_ok(&s, 200, "hello");
}

static void status_line_without_reason_phrase_is_accepted(void)
{
    scenario s = response("HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok");
    expect_ok(&s, 200, "ok");
}

static void status_line_with_empty_reason_phrase_is_accepted(void)
{
    scenario s = response("HTTP/1.1 201 \r\nContent-Length: 2\r\n\r\nok");
    expect_ok(&s, 201, "ok");
}

static void http_1_0_response_is_accepted(void)
{
    scenario s = response("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
    expect_ok(&s, 200, "ok");
}

static void bare_lf_line_endings_are_accepted(void)
{
    scenario s = response("HTTP/1.1 200 OK\nContent-Length: 2\n\nok");
    expect_ok(&s, 200, "ok");
}

static void non_2xx_status_is_a_response_not_an_error(void)
{
    scenario s = response("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found");
    expect_ok(&s, 404, "not found");
}

static void status_599_is_accepted(void)
{
    scenario s = response("HTTP/1.1 599 Odd\r\nContent-Length: 0\r\n\r\n");
    expect_ok(&s, 599, "");
}

static const char *const malformed_status_lines[] = {
    "HTTP/2 200 OK\r\n\r\n",            "HTTP/1.1 20 OK\r\n\r\n",         "HTTP/1.1 600 Odd\r\n\r\n",
    "HTTP/1.1 099 Odd\r\n\r\n",         "http/1.1 200 OK\r\n\r\n",        "HTTP/1.1 200OK\r\n\r\n",
    "ICY 200 OK\r\n\r\n",               "HTTP/1.1  200 OK\r\n\r\n",       "\r\n",
    "HTTP/1.x 200 OK\r\n\r\n",          "HTTP/1.1 2O0 OK\r\n\r\n",        " HTTP/1.1 200 OK\r\n\r\n",
    "HTTP/1.1 200 OK\rX\r\n\r\n",      "{\"access_token\":\"sk_x\"}\r\n"
};

static void malformed_status_line_is_a_transport_error(void)
{
    size_t i;
    for (i = 0; i < sizeof malformed_status_lines / sizeof malformed_status_lines[0]; i++) {
        scenario s = response(malformed_status_lines[i]);
        expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
    }
}

static void switching_protocols_is_refused(void)
{
    scenario s = response("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
}

/* ---- 1xx interim responses ------------------------------------------------------------------------ */
static void continue_100_is_skipped(void)
{
    scenario s = response("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    expect_ok(&s, 200, "ok");
}

static void several_interim_responses_are_skipped_and_their_fields_ignored(void)
{
    scenario s = response("HTTP/1.1 100 Continue\r\n\r\n"
                          "HTTP/1.1 102 Processing\r\n\r\n"
                          "HTTP/1.1 103 Early Hints\r\nRequest-Id: req_early\r\nContent-Length: 99\r\n\r\n"
                          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    outcome want = ok_with(200, "ok");
    want.request_id = "";
    expect(&s, want);
}

static void endless_interim_responses_hit_the_head_limit(void)
{
    static const char one[] = "HTTP/1.1 100 Continue\r\n\r\n";
    size_t count = STRIPE_CONNECT_MBEDTLS_HEADER_BYTES_MAX / (sizeof one - 1) + 2, i;
    char *raw = (char *)malloc(count * (sizeof one - 1) + 1);
    scenario s;
    for (i = 0; i < count; i++) memcpy(raw + i * (sizeof one - 1), one, sizeof one - 1);
    raw[count * (sizeof one - 1)] = '\0';
    s = response(raw);
    expect_error_because(&s, STRIPE_CONNECT_ERR_TRANSPORT, "HEADER_BYTES_MAX");
    free(raw);
}

/* ---- Header fields ------------------------------------------------------------------------------- */
static void field_names_are_case_insensitive(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\ncontent-LENGTH: 2\r\nREQUEST-id: req_case\r\n"
                          "STRIPE-Should-Retry: true\r\n\r\nok");
    outcome want = ok_with(200, "ok");
    want.request_id = "req_case";
    want.should_retry = 1;
    expect(&s, want);
}

static void request_id_is_captured(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nRequest-Id: req_8ZbCk4pQ2Lw0aX\r\nContent-Length: 0\r\n\r\n");
    outcome want = ok_with(200, "");
    want.request_id = "req_8ZbCk4pQ2Lw0aX";
    expect(&s, want);
}

static void request_id_longer_than_its_field_is_cut_to_63_bytes(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nRequest-Id: req_"
                          "0123456789012345678901234567890123456789012345678901234567890123456789\r\n"
                          "Content-Length: 0\r\n\r\n");
    outcome want = ok_with(200, "");
    want.request_id = "req_01234567890123456789012345678901234567890123456789012345678";
    expect(&s, want);
}

static void stripe_should_retry_false_gives_0(void)
{
    scenario s = response("HTTP/1.1 409 Conflict\r\nStripe-Should-Retry: false\r\nContent-Length: 0\r\n\r\n");
    outcome want = ok_with(409, "");
    want.should_retry = 0;
    expect(&s, want);
}

static void stripe_should_retry_absent_or_unknown_gives_minus_1(void)
{
    scenario s = response("HTTP/1.1 503 Unavailable\r\nStripe-Should-Retry: maybe\r\nContent-Length: 0\r\n\r\n");
    expect(&s, ok_with(503, ""));
    s = response("HTTP/1.1 503 Unavailable\r\nContent-Length: 0\r\n\r\n");
    expect(&s, ok_with(503, ""));
}

static void spaces_around_field_values_are_ignored(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nContent-Length: \t 2 \t\r\nRequest-Id:req_tight\r\n\r\nok");
    outcome want = ok_with(200, "ok");
    want.request_id = "req_tight";
    expect(&s, want);
}

static void unknown_fields_are_skipped(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nServer: nginx\r\nX-Empty:\r\nSet-Cookie: a=b; Path=/\r\n"
                          "Content-Length: 2\r\n\r\nok");
    expect_ok(&s, 200, "ok");
}

static const char *const malformed_fields[] = {
    "HTTP/1.1 200 OK\r\nNo colon here\r\nContent-Length: 0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nServer: a\r\n folded: continuation\r\nContent-Length: 0\r\n\r\n",
    "HTTP/1.1 200 OK\r\n: no name\r\nContent-Length: 0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nBad(name): x\r\nContent-Length: 0\r\n\r\n"
};

static void malformed_field_line_is_a_transport_error(void)
{
    size_t i;
    for (i = 0; i < sizeof malformed_fields / sizeof malformed_fields[0]; i++) {
        scenario s = response(malformed_fields[i]);
        expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
    }
}

static void control_character_in_a_field_is_refused(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nServer: a\x01z\r\nContent-Length: 0\r\n\r\n");
    expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
}

static void nul_in_a_field_is_refused(void)
{
    static const char raw[] = "HTTP/1.1 200 OK\r\nServer: a\0z\r\nContent-Length: 0\r\n\r\n";
    scenario s = response_bytes(raw, sizeof raw - 1);
    expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
}

static void bare_cr_inside_a_field_is_refused(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nServer: a\rInjected: b\r\nContent-Length: 0\r\n\r\n");
    expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
}

/* A field line of exactly line_max bytes with its CRLF, or one more. */
static char *response_with_line_of(size_t line_bytes)
{
    static const char status[] = "HTTP/1.1 200 OK\r\n", tail[] = "Content-Length: 0\r\n\r\n";
    char *raw = (char *)malloc(sizeof status - 1 + line_bytes + sizeof tail);
    char *p = raw;
    memcpy(p, status, sizeof status - 1);
    p += sizeof status - 1;
    memcpy(p, "X-Long: ", 8);
    memset(p + 8, 'a', line_bytes - 10);
    memcpy(p + line_bytes - 2, "\r\n", 2);
    p += line_bytes;
    memcpy(p, tail, sizeof tail);
    return raw;
}

static void line_of_exactly_the_limit_is_accepted(void)
{
    char *raw = response_with_line_of(STRIPE_CONNECT_MBEDTLS_LINE_MAX);
    scenario s = response(raw);
    expect_ok(&s, 200, "");
    free(raw);
}

static void line_one_byte_over_the_limit_is_refused(void)
{
    char *raw = response_with_line_of(STRIPE_CONNECT_MBEDTLS_LINE_MAX + 1);
    scenario s = response(raw);
    expect_error_because(&s, STRIPE_CONNECT_ERR_TRANSPORT, "line limit");
    free(raw);
}

static void line_limit_follows_the_buffer_size(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nX-Twenty: 0123456789\r\nContent-Length: 2\r\n\r\nok");
    s.line_max = 22;
    expect_ok(&s, 200, "ok");
    s.line_max = 21;
    expect_error_because(&s, STRIPE_CONNECT_ERR_TRANSPORT, "line limit");
}

/* n fields (Content-Length among them), each short. */
static char *response_with_fields(size_t n)
{
    char *raw = (char *)malloc(64 + n * 32), *p = raw;
    size_t i;
    p += sprintf(p, "HTTP/1.1 200 OK\r\n");
    for (i = 1; i < n; i++) p += sprintf(p, "X-F%lu: v\r\n", (unsigned long)i);
    sprintf(p, "Content-Length: 2\r\n\r\nok");
    return raw;
}

static void header_count_at_the_limit_is_accepted(void)
{
    char *raw = response_with_fields(STRIPE_CONNECT_MBEDTLS_HEADER_COUNT_MAX);
    scenario s = response(raw);
    expect_ok(&s, 200, "ok");
    free(raw);
}

static void header_count_over_the_limit_is_refused(void)
{
    char *raw = response_with_fields(STRIPE_CONNECT_MBEDTLS_HEADER_COUNT_MAX + 1);
    scenario s = response(raw);
    expect_error_because(&s, STRIPE_CONNECT_ERR_TRANSPORT, "HEADER_COUNT_MAX");
    free(raw);
}

static void header_bytes_at_the_limit_are_accepted(void)
{
    size_t fields;
    char *raw = head_of_size(STRIPE_CONNECT_MBEDTLS_HEADER_BYTES_MAX, 4000, &fields);
    scenario s = response(raw);
    CHECK(strlen(raw) == STRIPE_CONNECT_MBEDTLS_HEADER_BYTES_MAX);
    CHECK(fields <= STRIPE_CONNECT_MBEDTLS_HEADER_COUNT_MAX);
    expect_ok(&s, 200, "");
    free(raw);
}

static void header_bytes_one_over_the_limit_are_refused(void)
{
    size_t fields;
    char *raw = head_of_size(STRIPE_CONNECT_MBEDTLS_HEADER_BYTES_MAX + 1, 4000, &fields);
    scenario s = response(raw);
    CHECK(strlen(raw) == STRIPE_CONNECT_MBEDTLS_HEADER_BYTES_MAX + 1);
    CHECK(fields <= STRIPE_CONNECT_MBEDTLS_HEADER_COUNT_MAX);
    expect_error_because(&s, STRIPE_CONNECT_ERR_TRANSPORT, "HEADER_BYTES_MAX");
    free(raw);
}

/* ---- Content-Length ------------------------------------------------------------------------------ */
static void content_length_zero_gives_an_empty_body(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    expect_ok(&s, 200, "");
}

static void same_content_length_twice_is_accepted(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok");
    expect_ok(&s, 200, "ok");
}

static void content_length_list_of_equal_values_is_accepted(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nContent-Length: 2, 2,2\r\n\r\nok");
    expect_ok(&s, 200, "ok");
}

static void two_different_content_lengths_are_refused(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!");
    expect_error_because(&s, STRIPE_CONNECT_ERR_TRANSPORT, "two different Content-Length");
}

static void content_length_list_of_different_values_is_refused(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok!");
    expect_error_because(&s, STRIPE_CONNECT_ERR_TRANSPORT, "two different Content-Length");
}

static const char *const malformed_lengths[] = { "", "abc", "-1", "+5", "5a", "0x10", "1 2", "2,", ",2", "2,,2", "\xc2\xb2" };

static void malformed_content_length_is_refused(void)
{
    size_t i;
    char raw[128];
    for (i = 0; i < sizeof malformed_lengths / sizeof malformed_lengths[0]; i++) {
        scenario s;
        snprintf(raw, sizeof raw, "HTTP/1.1 200 OK\r\nContent-Length: %s\r\n\r\nok", malformed_lengths[i]);
        s = response(raw);
        expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
    }
}

static void content_length_that_overflows_is_refused_as_malformed(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999999\r\n\r\nok");
    expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
}

static void content_length_of_size_max_is_too_large_not_malformed(void)
{
    char raw[128];
    scenario s;
    snprintf(raw, sizeof raw, "HTTP/1.1 200 OK\r\nContent-Length: %lu\r\n\r\nok", (unsigned long)SIZE_MAX);
    s = response(raw);
    expect_error(&s, STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE);
}

static void body_exactly_the_buffer_size_fits(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    s.body_cap = 5;
    expect_ok(&s, 200, "hello");
}

static void body_one_byte_over_the_buffer_is_too_large(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    s.body_cap = 4;
    expect_error(&s, STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE);
}

static void no_body_buffer_takes_an_empty_body(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    s.body_cap = 0;
    expect_ok(&s, 200, "");
    s = response("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
    s.body_cap = 0;
    expect_error(&s, STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE);
}

static void connection_closed_before_content_length_bytes_is_an_error(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
    expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
}

static void bytes_after_content_length_are_ignored(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA BYTES");
    expect_ok(&s, 200, "ok");
}

/* ---- Transfer-Encoding: chunked --------------------------------------------------------------------- */
static void chunked_body_is_joined(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    expect_ok(&s, 200, "hello world");
}

static void transfer_encoding_value_is_case_insensitive(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
    expect_ok(&s, 200, "ok");
}

static void chunk_extensions_are_ignored(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "5;name=value\r\nhello\r\n1 ; quoted=\"a;b\"\r\n!\r\n0;last\r\n\r\n");
    expect_ok(&s, 200, "hello!");
}

static void chunk_sizes_in_either_case_and_with_leading_zeros_are_read(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "A\r\n0123456789\r\na\r\nabcdefghij\r\n0000000000000000000002\r\nok\r\n0\r\n\r\n");
    expect_ok(&s, 200, "0123456789abcdefghijok");
}

static void trailers_are_read_and_ignored(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nRequest-Id: req_head\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "2\r\nok\r\n0\r\nX-Checksum: abc\r\nRequest-Id: req_trailer\r\n\r\n");
    outcome want = ok_with(200, "ok");
    want.request_id = "req_head";
    expect(&s, want);
}

static void empty_chunked_body_is_accepted(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    expect_ok(&s, 200, "");
}

static const char *const malformed_chunk_lines[] = { "g", "", "-1", "0x5", " 5", "5 x", "5\t=1", "+5" };

static void malformed_chunk_size_line_is_refused(void)
{
    size_t i;
    char raw[160];
    for (i = 0; i < sizeof malformed_chunk_lines / sizeof malformed_chunk_lines[0]; i++) {
        scenario s;
        snprintf(raw, sizeof raw, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%s\r\nhello\r\n0\r\n\r\n",
                 malformed_chunk_lines[i]);
        s = response(raw);
        expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
    }
}

static void chunk_size_that_overflows_is_refused(void)
{
    char raw[160];
    scenario s;
    /* 1 followed by as many hex digits as size_t holds, the last a 5: wrapped, it would read as 5 */
    snprintf(raw, sizeof raw, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1%0*d5\r\nhello\r\n0\r\n\r\n",
             (int)(sizeof(size_t) * 2 - 1), 0);
    s = response(raw);
    expect_error_because(&s, STRIPE_CONNECT_ERR_TRANSPORT, "overflows");
}

static void chunk_size_of_size_max_is_too_large_not_malformed(void)
{
    char raw[160];
    scenario s;
    snprintf(raw, sizeof raw, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%lx\r\nx\r\n0\r\n\r\n",
             (unsigned long)SIZE_MAX);
    s = response(raw);
    expect_error(&s, STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE);
}

static void chunk_data_not_followed_by_crlf_is_refused(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n");
    expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
}

static void chunked_body_exactly_the_buffer_size_fits(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n");
    s.body_cap = 5;
    expect_ok(&s, 200, "hello");
}

static void chunked_body_one_byte_over_the_buffer_is_too_large(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n");
    s.body_cap = 4;
    expect_error(&s, STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE);
}

static const char *const cut_chunked_bodies[] = {
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",                          /* before any chunk */
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",                  /* inside a chunk */
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello",                /* before its CRLF */
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",            /* before the last chunk */
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n",       /* before the trailers end */
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX: y\r\n" /* inside the trailers */
};

static void chunked_body_cut_short_is_an_error(void)
{
    size_t i;
    for (i = 0; i < sizeof cut_chunked_bodies / sizeof cut_chunked_bodies[0]; i++) {
        scenario s = response(cut_chunked_bodies[i]);
        expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
    }
}

static void chunked_and_content_length_together_are_refused(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\nok\r\n0\r\n\r\n");
    expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
    s = response("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
    expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
}

static void transfer_encoding_other_than_chunked_is_refused(void)
{
    static const char *const codings[] = { "gzip", "gzip, chunked", "identity", "chunked, gzip", "" };
    size_t i;
    char raw[160];
    for (i = 0; i < sizeof codings / sizeof codings[0]; i++) {
        scenario s;
        snprintf(raw, sizeof raw, "HTTP/1.1 200 OK\r\nTransfer-Encoding: %s\r\n\r\n2\r\nok\r\n0\r\n\r\n", codings[i]);
        s = response(raw);
        expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
    }
}

static void chunked_twice_is_refused(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "2\r\nok\r\n0\r\n\r\n");
    expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
}

/* ---- Bodies framed by the close ------------------------------------------------------------------ */
static void body_until_close_is_read(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nServer: x\r\n\r\nall of this until the close");
    expect_ok(&s, 200, "all of this until the close");
}

static void body_until_close_may_be_empty(void)
{
    scenario s = response("HTTP/1.0 200 OK\r\n\r\n");
    expect_ok(&s, 200, "");
}

static void body_until_close_exactly_the_buffer_size_fits(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\n\r\nhello");
    s.body_cap = 5;
    expect_ok(&s, 200, "hello");
}

static void body_until_close_one_byte_over_the_buffer_is_too_large(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\n\r\nhello");
    s.body_cap = 4;
    expect_error(&s, STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE);
}

static void body_until_close_ended_by_an_error_is_that_error(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\n\r\nhello");
    s.at_end = STRIPE_CONNECT_ERR_TRANSPORT;           /* e.g. TLS closed without close_notify */
    expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
}

static void no_body_for_204_and_304(void)
{
    scenario s = response("HTTP/1.1 204 No Content\r\n\r\n");
    expect_ok(&s, 204, "");
    s = response("HTTP/1.1 304 Not Modified\r\nContent-Length: 120\r\n\r\n");
    expect_ok(&s, 304, "");
}

/* ---- What the stream says ------------------------------------------------------------------------ */
static void stream_closed_before_any_byte_is_an_error(void)
{
    scenario s = response("");
    expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
}

static void stream_closed_inside_the_status_line_is_an_error(void)
{
    scenario s = response("HTTP/1.1 20");
    expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
}

static void stream_closed_inside_the_head_is_an_error(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n");
    expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
}

static void timeout_while_reading_the_head_is_a_timeout(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nContent-Len");
    s.at_end = STRIPE_CONNECT_ERR_TIMEOUT;
    expect_error(&s, STRIPE_CONNECT_ERR_TIMEOUT);
}

static void timeout_while_reading_the_body_is_a_timeout(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhel");
    s.at_end = STRIPE_CONNECT_ERR_TIMEOUT;
    expect_error(&s, STRIPE_CONNECT_ERR_TIMEOUT);
    s = response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
    s.at_end = STRIPE_CONNECT_ERR_TIMEOUT;
    expect_error(&s, STRIPE_CONNECT_ERR_TIMEOUT);
}

static void tls_error_from_the_stream_is_passed_on(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\n");
    s.at_end = STRIPE_CONNECT_ERR_TLS;
    expect_error(&s, STRIPE_CONNECT_ERR_TLS);
}

static void unknown_negative_from_the_stream_is_a_transport_error(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\n");
    s.at_end = -9999;
    expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
    s.at_end = STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE;   /* not a stream's result */
    expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
}

static void read_callback_returning_more_than_asked_is_refused(void)
{
    scenario s = response("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    s.over_return = 1;
    expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
}

static void body_bytes_are_wiped_when_the_response_is_cut_short(void)
{
    /* check_one verifies for every error that the body buffer is all zero again */
    scenario s = response("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"access_token\":\"sk_test_secret\"");
    expect_error(&s, STRIPE_CONNECT_ERR_TRANSPORT);
}

static void invalid_arguments_are_refused(void)
{
    unsigned char line[64];
    char body[8];
    stripe_connect_http_response res;
    const char *why = NULL;
    fake_stream stream;
    memset(&stream, 0, sizeof stream);
    memset(&res, 0, sizeof res);
    res.body = body;
    res.body_cap = sizeof body;
    CHECK_INT(stripe_connect_mbedtls_read_response(NULL, &stream, line, sizeof line, &res, &why),
              STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_STR(why, "invalid argument");
    CHECK_INT(stripe_connect_mbedtls_read_response(fake_read, &stream, NULL, sizeof line, &res, NULL),
              STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_INT(stripe_connect_mbedtls_read_response(fake_read, &stream, line, 1, &res, NULL),
              STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    CHECK_INT(stripe_connect_mbedtls_read_response(fake_read, &stream, line, sizeof line, NULL, NULL),
              STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
    res.body = NULL;
    CHECK_INT(stripe_connect_mbedtls_read_response(fake_read, &stream, line, sizeof line, &res, NULL),
              STRIPE_CONNECT_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    RUN(content_length_body_is_read);
    RUN(status_line_without_reason_phrase_is_accepted);
    RUN(status_line_with_empty_reason_phrase_is_accepted);
    RUN(http_1_0_response_is_accepted);
    RUN(bare_lf_line_endings_are_accepted);
    RUN(non_2xx_status_is_a_response_not_an_error);
    RUN(status_599_is_accepted);
    RUN(malformed_status_line_is_a_transport_error);
    RUN(switching_protocols_is_refused);

    RUN(continue_100_is_skipped);
    RUN(several_interim_responses_are_skipped_and_their_fields_ignored);
    RUN(endless_interim_responses_hit_the_head_limit);

    RUN(field_names_are_case_insensitive);
    RUN(request_id_is_captured);
    RUN(request_id_longer_than_its_field_is_cut_to_63_bytes);
    RUN(stripe_should_retry_false_gives_0);
    RUN(stripe_should_retry_absent_or_unknown_gives_minus_1);
    RUN(spaces_around_field_values_are_ignored);
    RUN(unknown_fields_are_skipped);
    RUN(malformed_field_line_is_a_transport_error);
    RUN(control_character_in_a_field_is_refused);
    RUN(nul_in_a_field_is_refused);
    RUN(bare_cr_inside_a_field_is_refused);
    RUN(line_of_exactly_the_limit_is_accepted);
    RUN(line_one_byte_over_the_limit_is_refused);
    RUN(line_limit_follows_the_buffer_size);
    RUN(header_count_at_the_limit_is_accepted);
    RUN(header_count_over_the_limit_is_refused);
    RUN(header_bytes_at_the_limit_are_accepted);
    RUN(header_bytes_one_over_the_limit_are_refused);

    RUN(content_length_zero_gives_an_empty_body);
    RUN(same_content_length_twice_is_accepted);
    RUN(content_length_list_of_equal_values_is_accepted);
    RUN(two_different_content_lengths_are_refused);
    RUN(content_length_list_of_different_values_is_refused);
    RUN(malformed_content_length_is_refused);
    RUN(content_length_that_overflows_is_refused_as_malformed);
    RUN(content_length_of_size_max_is_too_large_not_malformed);
    RUN(body_exactly_the_buffer_size_fits);
    RUN(body_one_byte_over_the_buffer_is_too_large);
    RUN(no_body_buffer_takes_an_empty_body);
    RUN(connection_closed_before_content_length_bytes_is_an_error);
    RUN(bytes_after_content_length_are_ignored);

    RUN(chunked_body_is_joined);
    RUN(transfer_encoding_value_is_case_insensitive);
    RUN(chunk_extensions_are_ignored);
    RUN(chunk_sizes_in_either_case_and_with_leading_zeros_are_read);
    RUN(trailers_are_read_and_ignored);
    RUN(empty_chunked_body_is_accepted);
    RUN(malformed_chunk_size_line_is_refused);
    RUN(chunk_size_that_overflows_is_refused);
    RUN(chunk_size_of_size_max_is_too_large_not_malformed);
    RUN(chunk_data_not_followed_by_crlf_is_refused);
    RUN(chunked_body_exactly_the_buffer_size_fits);
    RUN(chunked_body_one_byte_over_the_buffer_is_too_large);
    RUN(chunked_body_cut_short_is_an_error);
    RUN(chunked_and_content_length_together_are_refused);
    RUN(transfer_encoding_other_than_chunked_is_refused);
    RUN(chunked_twice_is_refused);

    RUN(body_until_close_is_read);
    RUN(body_until_close_may_be_empty);
    RUN(body_until_close_exactly_the_buffer_size_fits);
    RUN(body_until_close_one_byte_over_the_buffer_is_too_large);
    RUN(body_until_close_ended_by_an_error_is_that_error);
    RUN(no_body_for_204_and_304);

    RUN(stream_closed_before_any_byte_is_an_error);
    RUN(stream_closed_inside_the_status_line_is_an_error);
    RUN(stream_closed_inside_the_head_is_an_error);
    RUN(timeout_while_reading_the_head_is_a_timeout);
    RUN(timeout_while_reading_the_body_is_a_timeout);
    RUN(tls_error_from_the_stream_is_passed_on);
    RUN(unknown_negative_from_the_stream_is_a_transport_error);
    RUN(read_callback_returning_more_than_asked_is_refused);
    RUN(body_bytes_are_wiped_when_the_response_is_cut_short);
    RUN(invalid_arguments_are_refused);
    return test_summary("http reader");
}
