/* buffer_rules.h - the buffer-rule check shared by the suites that test
   text-producing functions (DESIGN.md, "Buffers"). */
#ifndef STRIPE_CONNECT_BUFFER_RULES_H
#define STRIPE_CONNECT_BUFFER_RULES_H

#include "../../stripe_connect.h"

#include <stddef.h>

/* Calls the function under test on a fixed input; the same shape as every
   (..., char *out, size_t cap, size_t *out_len) function of the library. */
typedef stripe_connect_result (*text_producer)(const void *input, char *out, size_t cap, size_t *out_len);

void check_text_buffer_rules(const char *label, text_producer produce, const void *input,
                             const char *want, size_t want_len);

/* The byte the checks fill buffers with, to see what a call wrote. */
#define CANARY ((char)0xA5)
/* 1 when from[0..n) still holds only CANARY bytes. */
int canary_intact(const char *from, size_t n);

#endif
