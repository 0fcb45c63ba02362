/* fuzz.h - what every harness in tests/fuzz/ shares.

   A harness is one file, fuzz_<target>.c, that defines the implementation of the library,
   includes this file and defines LLVMFuzzerTestOneInput. It is linked either with libFuzzer
   (clang -fsanitize=fuzzer,address,undefined) or with replay.c (any C compiler, usually with
   -fsanitize=address,undefined), which runs it over files. A harness:
   - checks invariants with FUZZ_CHECK, which prints what failed and aborts (libFuzzer saves
     the input as a crash; the replayer dies with the file's name on stderr);
   - hands every output it reads to fuzz_consume, which folds the bytes into a volatile sink,
     so the optimiser cannot drop the reads (or the calls that made the outputs);
   - puts outputs in heap blocks of exactly the capacity it passes (fuzz_alloc), so a write
     past the capacity is an ASan report and not a silent overwrite of a larger buffer;
   - carves its parameters from the input with the fuzz_input reader below. */
#ifndef STRIPE_CONNECT_FUZZ_H
#define STRIPE_CONNECT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(condition)                                                                    \
    do {                                                                                         \
        if (!(condition)) fuzz_fail(__FILE__, __LINE__, #condition);                             \
    } while (0)

static inline void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, what);
    fflush(stderr);
    abort();
}

static volatile unsigned char fuzz_sink;

/* Reads n bytes at p into the sink. */
static inline void fuzz_consume(const void *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;
    unsigned char acc = fuzz_sink;
    size_t i;
    for (i = 0; i < n; i++) acc = (unsigned char)((acc << 1 | acc >> 7) ^ b[i]);
    fuzz_sink = acc;
}

static inline void fuzz_consume_int(long long v) { fuzz_consume(&v, sizeof v); }

/* A heap block of exactly n bytes (NULL for 0), filled with fill so that a harness can tell
   what was written. Freed with free(). */
static inline char *fuzz_alloc(size_t n, int fill)
{
    char *p;
    if (n == 0) return NULL;
    p = (char *)malloc(n);
    if (p == NULL) abort();
    memset(p, fill, n);
    return p;
}

/* An exact-size heap copy of data (ASan then catches any read past size). */
static inline char *fuzz_copy(const void *data, size_t n)
{
    char *p = (char *)malloc(n > 0 ? n : 1);
    if (p == NULL) abort();
    if (n > 0) memcpy(p, data, n);
    return p;
}

/* A NUL-terminated heap copy of data[0..n). */
static inline char *fuzz_strndup(const void *data, size_t n)
{
    char *p = (char *)malloc(n + 1);
    if (p == NULL) abort();
    if (n > 0) memcpy(p, data, n);
    p[n] = '\0';
    return p;
}

/* 1 when s[0..cap) holds a NUL: a fixed field of a struct must always be a C string. */
static inline int fuzz_terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

/* 1 when every byte of p[0..n) is zero. */
static inline int fuzz_all_zero(const void *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++)
        if (b[i] != 0) return 0;
    return 1;
}

/* 1 when s[0..n) is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
static inline int fuzz_utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len, k;
        unsigned long cp;
        if (c < 0x80) { i++; continue; }
        if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
        else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
        else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
        else return 0;
        if (n - i < len) return 0;
        for (k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

/* ---- Carving parameters out of the input ------------------------------------------------------
   Reads from the front; when the input runs out every read gives 0 or "". */
typedef struct fuzz_input {
    const uint8_t *data;
    size_t size, at;
} fuzz_input;

static inline void fuzz_input_init(fuzz_input *in, const uint8_t *data, size_t size)
{
    in->data = data;
    in->size = size;
    in->at = 0;
}

static inline size_t fuzz_left(const fuzz_input *in) { return in->size - in->at; }

static inline unsigned fuzz_byte(fuzz_input *in)
{
    return in->at < in->size ? in->data[in->at++] : 0;
}

static inline unsigned fuzz_u16(fuzz_input *in)
{
    unsigned high = fuzz_byte(in);
    return high << 8 | fuzz_byte(in);
}

/* A string: one length byte, then that many bytes (fewer when the input ends), as a heap
   copy ended by NUL. An embedded NUL simply ends the C string early. */
static inline char *fuzz_string(fuzz_input *in)
{
    size_t n = fuzz_byte(in);
    const uint8_t *p = in->data + in->at;
    if (n > fuzz_left(in)) n = fuzz_left(in);
    in->at += n;
    return fuzz_strndup(p, n);
}

/* The rest of the input as a pointer and length (no copy). */
static inline const uint8_t *fuzz_rest(fuzz_input *in, size_t *n)
{
    const uint8_t *p = in->data + in->at;
    *n = fuzz_left(in);
    in->at = in->size;
    return p;
}

#endif /* STRIPE_CONNECT_FUZZ_H */
