/* bench.h - what the benchmark's files share (bench/README in the top-level README's
   "## Benchmarks"). Every operation is a pair: prepare (once, before the loop: read the inputs,
   open the connection) and once (one operation, the thing measured). Both return 0 on success. */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>

#include "stripe_connect.h"

typedef struct bench_op {
    const char *name;         /* "<what>/<implementation>", e.g. "parse_token_500/cjson" */
    int (*prepare)(void);
    int (*once)(void);
    const char *input;        /* what one operation works on, for the results table */
} bench_op;

/* A file of bench/data/ (or of $BENCH_DATA when set), read whole into a buffer that lives until
   the program ends; NUL-terminated, *len without the NUL. NULL when it cannot be read. */
const char *bench_read_data(const char *file, size_t *len);

/* The input of the parse operations and where every parser puts the seven fields: the library's
   own struct, so that all of them copy into the same fixed buffers. */
extern const char *parse_body;
extern size_t parse_body_len;
extern stripe_connect_token parse_token;

/* ---- ops_parse.c: the token answer, three ways ---- */
int parse_prepare_500(void);
int parse_prepare_4k(void);
int parse_stripe_connect(void);
int parse_cjson(void);
int parse_jsmn(void);          /* ops_jsmn.c: jsmn as it comes */
int parse_jsmn_strict(void);   /* ops_jsmn_strict.c: the same with JSMN_STRICT */
/* Case lines for "bench check": each parser gives the same seven fields for each input. */
int parse_check(void);

/* ---- ops_url.c: the authorize URL and percent-encoding, against libcurl ---- */
int url_prepare(void);
int url_stripe_connect(void);
int url_curl(void);
int encode_prepare(void);
int encode_stripe_connect(void);
int encode_curl(void);
int url_check(void);
/* The authorize parameters the URL benchmarks use (also the scratch-size report's). */
const stripe_connect_authorize_params *url_params(void);

/* ---- ops_exchange.c: a whole refresh through the curl adapter, against a bare libcurl POST ---- */
int exchange_prepare(void);        /* opens the connection with one refresh */
int exchange_prepare_bare(void);   /* the same, then sets the bare POST's options on the handle */
int exchange_prepare_fresh(void);        /* both again, with a new connection every time */
int exchange_prepare_bare_fresh(void);
int exchange_stripe_connect(void);
int exchange_bare_curl(void);
int exchange_check(void);

/* ---- memory.c: peak stack of each public function, and the scratch each call needs ---- */
int memory_stack_report(void);
int memory_scratch_report(void);

/* Prints a case line as tests/check.d/ steps do ("ok   NAME" or "FAIL NAME") and returns 0 when
   passed, 1 when not. */
int bench_case(int passed, const char *name);

#endif
