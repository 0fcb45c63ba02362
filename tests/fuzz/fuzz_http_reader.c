/* fuzz_http_reader.c - the mbedTLS adapter's HTTP/1.1 response reader,
   stripe_connect_mbedtls_read_response, fed through a fake socket layer.

   Input: bytes 0-1 the body capacity (big-endian, modulo 4097), bytes 2-3 the reader's line
   buffer (2 + big-endian modulo 4095), byte 4 what the stream gives after its last byte
   (modulo 6: 0 end of stream, 1 ERR_TIMEOUT, 2 ERR_TLS, 3 ERR_TRANSPORT, 4 another negative
   value, 5 a broken layer that returns more than it was asked for), byte 5 the number of
   piece sizes (modulo 16) and then those bytes (each a piece of 1..256 bytes, used in turn;
   none: everything at once), then the bytes of the stream.

   The reader is built with small head limits (16 header fields, 1 KiB of head) so that
   inputs of a few KiB reach them.

   Checked for every input:
   - every read asks for 1 or more bytes, all of them inside the line buffer or inside the
     body, and none comes after the stream has ended or failed;
   - the result is OK, ERR_RESPONSE_TOO_LARGE, ERR_TRANSPORT, ERR_TIMEOUT or ERR_TLS (the last
     two only when the stream ends that way); *why is "" exactly on OK;
   - OK: status 200..599, body_len <= body_cap, nothing written in the body past body_len,
     request_id NUL-terminated, should_retry -1, 0 or 1;
   - an error: status 0, body_len 0, and every body byte either untouched or wiped;
   - the same bytes in one piece, and one byte at a time, give the same result, status,
     body, request_id and should_retry (bytes after the response never matter);
   - a response read OK is read the same into a body of exactly its length, is
     ERR_RESPONSE_TOO_LARGE with one byte less, and reads the same with a 4 KiB line buffer.
   The body and the line buffer are heap blocks of exactly their sizes. */
#define _POSIX_C_SOURCE 200809L
#define STRIPE_CONNECT_MBEDTLS_HEADER_COUNT_MAX 16
#define STRIPE_CONNECT_MBEDTLS_HEADER_BYTES_MAX 1024
#define STRIPE_CONNECT_IMPLEMENTATION
#define STRIPE_CONNECT_MBEDTLS_IMPLEMENTATION
#include "../../stripe_connect.h"
#include "../../adapters/stripe_connect_mbedtls.h"
#include "fuzz.h"

#define UNTOUCHED 0x5a

typedef struct fake_stream {
    const uint8_t *data;
    size_t len, at;
    const uint8_t *pieces;
    size_t piece_count, next_piece;
    int one_byte;
    int at_end;              /* 0, or a negative result */
    int over_return;
    int finished;            /* the end or an error was reported */
    const unsigned char *buffer; size_t buffer_size;
    const char *body; size_t body_cap;
} fake_stream;

static int inside(const void *p, size_t n, const void *block, size_t size)
{
    const char *c = (const char *)p, *b = (const char *)block;
    return block != NULL && c >= b && n <= size && (size_t)(c - b) <= size - n;
}

static int fake_read(void *user, unsigned char *data, size_t len)
{
    fake_stream *s = (fake_stream *)user;
    size_t n;
    FUZZ_CHECK(len >= 1);
    FUZZ_CHECK(!s->finished);
    FUZZ_CHECK(inside(data, len, s->buffer, s->buffer_size) || inside(data, len, s->body, s->body_cap));
    if (s->at == s->len) {
        if (s->over_return) return (int)(len > 1000000 ? 1000000 : len) + 1;
        s->finished = 1;
        return s->at_end;
    }
    if (s->one_byte) n = 1;
    else if (s->piece_count == 0) n = s->len - s->at;
    else n = (size_t)s->pieces[s->next_piece++ % s->piece_count] + 1;
    if (n > s->len - s->at) n = s->len - s->at;
    if (n > len) n = len;
    memcpy(data, s->data + s->at, n);
    s->at += n;
    return (int)n;
}

typedef struct outcome {
    stripe_connect_result result;
    stripe_connect_http_response res;
    char *body;
} outcome;

static void run(const uint8_t *stream, size_t len, const uint8_t *pieces, size_t piece_count, int one_byte,
                size_t body_cap, size_t buffer_size, int end_kind, outcome *out)
{
    static const int ends[5] = { 0, STRIPE_CONNECT_ERR_TIMEOUT, STRIPE_CONNECT_ERR_TLS, STRIPE_CONNECT_ERR_TRANSPORT, -99 };
    fake_stream s;
    unsigned char *buffer = (unsigned char *)fuzz_alloc(buffer_size, 0);
    const char *why = NULL;
    size_t i;

    memset(&s, 0, sizeof s);
    s.data = stream;
    s.len = len;
    s.pieces = pieces;
    s.piece_count = piece_count;
    s.one_byte = one_byte;
    s.at_end = end_kind < 5 ? ends[end_kind] : 0;
    s.over_return = end_kind == 5;
    s.buffer = buffer;
    s.buffer_size = buffer_size;
    memset(out, 0, sizeof *out);
    out->body = fuzz_alloc(body_cap, UNTOUCHED);
    s.body = out->body;
    s.body_cap = body_cap;
    memset(&out->res, 0x5a, sizeof out->res);
    out->res.body = out->body;
    out->res.body_cap = body_cap;

    out->result = stripe_connect_mbedtls_read_response(fake_read, &s, buffer, buffer_size, &out->res, &why);
    fuzz_consume_int(out->result);
    fuzz_consume(&out->res, sizeof out->res);
    if (out->body != NULL) fuzz_consume(out->body, body_cap);

    FUZZ_CHECK(out->result == STRIPE_CONNECT_OK || out->result == STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE ||
               out->result == STRIPE_CONNECT_ERR_TRANSPORT || out->result == STRIPE_CONNECT_ERR_TIMEOUT ||
               out->result == STRIPE_CONNECT_ERR_TLS);
    if (out->result == STRIPE_CONNECT_ERR_TIMEOUT || out->result == STRIPE_CONNECT_ERR_TLS)
        FUZZ_CHECK((int)out->result == s.at_end);
    FUZZ_CHECK(why != NULL);
    FUZZ_CHECK((why[0] == '\0') == (out->result == STRIPE_CONNECT_OK));
    FUZZ_CHECK(out->res.body == out->body && out->res.body_cap == body_cap);
    FUZZ_CHECK(fuzz_terminated(out->res.request_id, sizeof out->res.request_id));
    FUZZ_CHECK(out->res.should_retry >= -1 && out->res.should_retry <= 1);
    if (out->result == STRIPE_CONNECT_OK) {
        FUZZ_CHECK(out->res.status >= 200 && out->res.status <= 599);
        FUZZ_CHECK(out->res.body_len <= body_cap);
        for (i = out->res.body_len; i < body_cap; i++) FUZZ_CHECK((unsigned char)out->body[i] == UNTOUCHED);
    } else {
        FUZZ_CHECK(out->res.status == 0 && out->res.body_len == 0);
        for (i = 0; i < body_cap; i++)
            FUZZ_CHECK((unsigned char)out->body[i] == UNTOUCHED || out->body[i] == 0);
    }
    free(buffer);
}

static void same(const outcome *a, const outcome *b)
{
    FUZZ_CHECK(a->result == b->result);
    FUZZ_CHECK(a->res.status == b->res.status && a->res.body_len == b->res.body_len);
    if (a->result == STRIPE_CONNECT_OK) {
        FUZZ_CHECK(a->res.body_len == 0 || memcmp(a->body, b->body, a->res.body_len) == 0);
        FUZZ_CHECK(strcmp(a->res.request_id, b->res.request_id) == 0);
        FUZZ_CHECK(a->res.should_retry == b->res.should_retry);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    size_t body_cap, buffer_size, piece_count, len;
    int end_kind;
    const uint8_t *pieces, *stream;
    outcome split, whole, bytes;

    fuzz_input_init(&in, data, size);
    body_cap = fuzz_u16(&in) % 4097;
    buffer_size = 2 + fuzz_u16(&in) % 4095;
    end_kind = (int)(fuzz_byte(&in) % 6);
    piece_count = fuzz_byte(&in) % 16;
    if (piece_count > fuzz_left(&in)) piece_count = fuzz_left(&in);
    pieces = in.data + in.at;
    in.at += piece_count;
    stream = fuzz_rest(&in, &len);

    run(stream, len, pieces, piece_count, 0, body_cap, buffer_size, end_kind, &split);
    run(stream, len, NULL, 0, 0, body_cap, buffer_size, end_kind, &whole);
    same(&split, &whole);
    if (len <= 4096) {
        run(stream, len, NULL, 0, 1, body_cap, buffer_size, end_kind, &bytes);
        same(&split, &bytes);
        free(bytes.body);
    }
    if (split.result == STRIPE_CONNECT_OK) {
        outcome other;
        /* A body that fits exactly is accepted; one byte less of room is too large. */
        run(stream, len, pieces, piece_count, 0, split.res.body_len, buffer_size, end_kind, &other);
        same(&split, &other);
        free(other.body);
        if (split.res.body_len > 0) {
            run(stream, len, pieces, piece_count, 0, split.res.body_len - 1, buffer_size, end_kind, &other);
            FUZZ_CHECK(other.result == STRIPE_CONNECT_ERR_RESPONSE_TOO_LARGE);
            free(other.body);
        }
        /* A longer line buffer changes nothing for a response that fit the shorter one. */
        run(stream, len, pieces, piece_count, 0, body_cap, 4096, end_kind, &other);
        same(&split, &other);
        free(other.body);
    }
    free(split.body);
    free(whole.body);
    return 0;
}
