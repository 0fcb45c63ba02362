/* checks.h - checks on the library's own types, shared by the suites: results
   by name, fixed-size string fields, and the buffer rules of every function
   that produces text (DESIGN.md, "Buffers"). */
#ifndef STRIPE_CONNECT_CHECKS_H
#define STRIPE_CONNECT_CHECKS_H

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

/* A result, printed by number and name when it differs. */
#define CHECK_RESULT(got, want) check_result_at(__FILE__, __LINE__, (got), (want))
void check_result_at(const char *file, int line, stripe_connect_result got, stripe_connect_result want);

/* Compares a fixed-size char array with a string, failing without reading
   past the array when it holds no NUL (a field left unset holds 0xAA bytes). */
#define CHECK_FIELD(field, want) check_field_at(__FILE__, __LINE__, #field, (field), sizeof(field), (want))
void check_field_at(const char *file, int line, const char *expr, const char *field, size_t size,
                    const char *want);

#endif
