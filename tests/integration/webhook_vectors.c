/* webhook_vectors.c - stripe_connect_webhook_verify on vectors from stdin, for test_webhooks.py.

   Each input line is five fields separated by tabs:

       secret <TAB> header <TAB> payload as hex <TAB> now (unix seconds) <TAB> tolerance (seconds)

   and for each line one output line: the result code as a number ("0" for OK, "-14" for
   ERR_SIGNATURE, ...). The secret and the header are taken as they are (they hold no tab, CR or
   LF); the payload is hex so that it may hold any byte, NUL included. The payload is handed to
   the library in a heap buffer of exactly its length, so AddressSanitizer sees a read past it.
   A line that does not have this shape ends the program with status 2 and a message on stderr.

   Built by `make build/webhook_vectors` (and build/asan-gcc/, build/asan-clang/ under ASan+UBSan). */
#define _POSIX_C_SOURCE 200809L /* getline */

#define STRIPE_CONNECT_IMPLEMENTATION
#include "stripe_connect.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_COUNT 5

static int fail(unsigned long line, const char *what)
{
    fprintf(stderr, "webhook_vectors: line %lu: %s\n", line, what);
    return 2;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The bytes that hex spells, in a fresh buffer of exactly that many bytes (1 when none, so
   that the pointer is never NULL); NULL on bad hex or no memory. */
static unsigned char *from_hex(const char *hex, size_t *len)
{
    size_t n = strlen(hex), i;
    unsigned char *bytes;
    if (n % 2 != 0) return NULL;
    bytes = (unsigned char *)malloc(n / 2 > 0 ? n / 2 : 1);
    if (bytes == NULL) return NULL;
    for (i = 0; i < n / 2; i++) {
        int high = hex_digit(hex[2 * i]), low = hex_digit(hex[2 * i + 1]);
        if (high < 0 || low < 0) {
            free(bytes);
            return NULL;
        }
        bytes[i] = (unsigned char)(high * 16 + low);
    }
    *len = n / 2;
    return bytes;
}

/* A decimal integer that fills the whole text, with an optional minus sign. */
static int parse_integer(const char *text, long long *out)
{
    char *end;
    if (text[0] == '\0') return 0;
    errno = 0;
    *out = strtoll(text, &end, 10);
    return errno == 0 && *end == '\0';
}

/* Splits line (its end of line removed) at tabs into exactly FIELD_COUNT fields. */
static int split(char *line, char *fields[FIELD_COUNT])
{
    size_t count = 0;
    char *at = line;
    line[strcspn(line, "\r\n")] = '\0';
    for (;;) {
        char *tab = strchr(at, '\t');
        if (count == FIELD_COUNT) return 0;
        fields[count++] = at;
        if (tab == NULL) break;
        *tab = '\0';
        at = tab + 1;
    }
    return count == FIELD_COUNT;
}

int main(void)
{
    char *line = NULL, *fields[FIELD_COUNT];
    size_t line_cap = 0, payload_len = 0;
    unsigned long line_number = 0;
    long long now, tolerance;
    int status = 0;

    while (getline(&line, &line_cap, stdin) != -1) {
        unsigned char *payload;
        char *header_copy;
        stripe_connect_result r;
        line_number++;
        if (!split(line, fields)) { status = fail(line_number, "expected 5 tab-separated fields"); break; }
        if (!parse_integer(fields[3], &now) || !parse_integer(fields[4], &tolerance) ||
            tolerance < (long long)-2147483647 - 1 || tolerance > 2147483647) {
            status = fail(line_number, "now and tolerance must be integers (tolerance within 32 bits)");
            break;
        }
        payload = from_hex(fields[2], &payload_len);
        if (payload == NULL) { status = fail(line_number, "the payload is not hex"); break; }
        header_copy = (char *)malloc(strlen(fields[1]) + 1);   /* ends exactly at its NUL */
        if (header_copy == NULL) { free(payload); status = fail(line_number, "out of memory"); break; }
        memcpy(header_copy, fields[1], strlen(fields[1]) + 1);
        r = stripe_connect_webhook_verify((const char *)payload, payload_len, header_copy, fields[0],
                                          (long)tolerance, (int64_t)now);
        printf("%d\n", (int)r);
        free(header_copy);
        free(payload);
    }
    free(line);
    if (fflush(stdout) != 0 || ferror(stdout)) status = fail(line_number, "cannot write the output");
    return status;
}
